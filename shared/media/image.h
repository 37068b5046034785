/* image: checks and normalises an uploaded scan (libmagic sniff, ImageMagick ping, decode, re-encode). */
#ifndef CERTHALL_IMAGE_H
#define CERTHALL_IMAGE_H

#include <stddef.h>

/* Results of image_process: IMAGE_OK or one of the negative reasons, each its own answer. */
#define IMAGE_OK 0
#define IMAGE_EMPTY (-1)           /* 0 bytes */
#define IMAGE_TOO_LARGE (-2)       /* more bytes than rules->max_bytes */
#define IMAGE_UNSUPPORTED (-3)     /* the bytes are not one of the formats the rules allow */
#define IMAGE_MISMATCH (-4)        /* the file name's extension or the declared type says otherwise */
#define IMAGE_TOO_MANY_PIXELS (-5) /* width x height over rules->max_pixels, or a resource fence */
#define IMAGE_TOO_FEW_PIXELS (-6)  /* width x height under rules->min_pixels */
#define IMAGE_CORRUPT (-7)         /* the decoder failed or warned of damage (truncation), or timed out */
#define IMAGE_INTERNAL (-8)        /* out of memory, bad rules, image_init not called, encoder failure */

/* The formats an upload may be, as bits of image_rules.formats. */
#define IMAGE_JPEG 0x1u
#define IMAGE_PNG 0x2u
#define IMAGE_GIF 0x4u
#define IMAGE_BMP 0x8u

struct image_rules {
	unsigned formats;                         /* IMAGE_JPEG | IMAGE_PNG | ... */
	size_t max_bytes;                         /* the upload itself */
	unsigned long long min_pixels, max_pixels; /* of the source, width x height */
	unsigned max_side;                        /* downscale target of the longest side */
	unsigned thumb_side;                      /* the thumbnail's longest side */
	int jpeg_quality;                         /* 1..100, for the image and the thumbnail */
	unsigned deadline_ms;                     /* checked as the decoder reports progress; 0: 10 s */
	int want_rgb;                             /* also hand out the stored pixels (image_out.rgb) */
};

/* What image_process made: the normalised JPEG and its thumbnail (malloc'd, free with
 * image_out_free), the normalised size, the detected source format ("jpeg", "png", "gif",
 * "bmp"; static) and the source's pixel count (also set when it was refused for it). */
struct image_out {
	unsigned char *data;
	size_t len;
	unsigned char *thumb;
	size_t thumb_len;
	unsigned width, height;
	const char *detected;
	unsigned long long src_pixels;
	unsigned char *rgb; /* with rules.want_rgb: width x height x 3 bytes, the stored image */
};

/* Once per worker, before any other image_ call: points ImageMagick at policy_dir (the folder
 * of uploads-policy/policy.xml; made absolute). Loads nothing: the first image_sniff or
 * image_process calls image_ready. Returns 0, or -1 with a reason in err. Not thread-safe:
 * one image at a time. */
int image_init(const char *policy_dir, char *err, size_t errsz);

/* Opens ImageMagick (dlopen), starts MagickWand, sets the resource limits a second time and
 * loads the libmagic database; then checks that the policy is in force (SVG, MVG, PS, ...
 * refused; the four formats allowed; no disk cache; no process-lifetime time limit).
 * Idempotent. Returns 0, or -1 with a reason in err. */
int image_ready(char *err, size_t errsz);

/* At start-up, before workers exist: image_init and image_ready in a child process, so that
 * a policy not in force stops the program while its workers stay lean. 0, or -1 with err. */
int image_check(const char *policy_dir, char *err, size_t errsz);
void image_done(void);

/* The real type of the bytes, by libmagic: "jpeg", "png", "gif" or "bmp" for those, else the
 * MIME type libmagic names ("image/svg+xml", "text/html", ...). Never NULL; the string lives
 * until the next image_ call. */
const char *image_sniff(const void *data, size_t n);

/* Checks an upload against r and makes the normalised JPEG: size, sniff, allow-list, the
 * declared extension ("jpg" or ".JPG"; NULL or "" for none) and MIME type (NULL, "" or
 * "application/octet-stream" for none) against the bytes, ping for the pixel count before
 * any pixel is decoded, decode of the first frame with the sniffed coder only, then
 * auto-orient, strip all metadata, sRGB, 8 bits, alpha onto white, downscale to
 * r->max_side, JPEG at r->jpeg_quality (4:2:0, baseline) and a thumbnail of r->thumb_side.
 * Returns IMAGE_OK with out filled (the caller frees it), or a negative IMAGE_* with out
 * holding no buffers (detected and src_pixels are set as far as they were learnt). */
int image_process(const void *data, size_t n, const char *declared_ext, const char *declared_mime,
		  const struct image_rules *r, struct image_out *out);

/* The request id image_ logs carry until the next call (NULL: none); rid must live as long. */
void image_log_id(const char *rid);

/* Frees the buffers of out and zeroes it; out may be NULL. */
void image_out_free(struct image_out *out);

/* A short English name of an IMAGE_* result, for logs. */
const char *image_strerror(int rc);

#endif
