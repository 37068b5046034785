/* Unit tests: uploaded images — the hostile corpus of tests/data/make_corpus.sh through image_process. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <zlib.h>

#include <wand/MagickWand.h>

#include "media/image.h"
#include "media/prepass.h"

/* The hall's rules: JPEG/PNG/GIF/BMP, 2 MiB, 0.1 to 40 MP, stored at most 2480 px, thumbnails
 * of 240 px, quality 85. The corpus pads its limit files to the same 2 MiB. */
#define HALL_BYTES 2097152u

static const struct image_rules hall = {
	.formats = IMAGE_JPEG | IMAGE_PNG | IMAGE_GIF | IMAGE_BMP,
	.max_bytes = HALL_BYTES,
	.min_pixels = 100000,
	.max_pixels = 40000000,
	.max_side = 2480,
	.thumb_side = 240,
	.jpeg_quality = 85,
};

static char tmp[64];         /* the test's temp dir */
static char corpus[128];     /* tmp/corpus */
static char marker[128];     /* written by the shims of external programs */

/* ---- helpers ------------------------------------------------------------------------------ */

static unsigned char *load(const char *name, size_t *n)
{
	char path[256];
	unsigned char *buf = NULL;
	struct stat st;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", corpus, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fstat(fileno(f), &st), 0);
	*n = (size_t)st.st_size;
	buf = malloc(*n ? *n : 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, *n, f), *n);
	fclose(f);
	return buf;
}

/* Loads a corpus file and runs it through image_process with rules r. */
static int run_with(const char *name, const char *ext, const char *mime, const struct image_rules *r,
		    struct image_out *out)
{
	size_t n;
	unsigned char *buf = load(name, &n);
	int rc = image_process(buf, n, ext, mime, r, out);

	free(buf);
	return rc;
}

static int run(const char *name, const char *ext, const char *mime, struct image_out *out)
{
	return run_with(name, ext, mime, &hall, out);
}

static int contains(const unsigned char *hay, size_t n, const char *needle)
{
	size_t k = strlen(needle);

	for (size_t i = 0; k <= n && i <= n - k; i++) {
		if (memcmp(hay + i, needle, k) == 0)
			return 1;
	}
	return 0;
}

/* What the markers of a JPEG say, up to its first SOS. */
struct jpeg_facts {
	int ok;            /* well-formed up to SOS */
	unsigned sof;      /* the SOF marker: 0xC0 baseline, 0xC2 progressive */
	unsigned precision, width, height, comps;
	unsigned char samp[4]; /* sampling byte (H<<4|V) of each component */
	int app0, other_app, com;
};

static struct jpeg_facts jpeg_walk(const unsigned char *p, size_t n)
{
	struct jpeg_facts j;
	size_t i = 2;

	memset(&j, 0, sizeof(j));
	if (n < 4 || p[0] != 0xFF || p[1] != 0xD8)
		return j;
	while (i + 4 <= n) {
		unsigned m, len;
		const unsigned char *s;

		if (p[i] != 0xFF)
			return j;
		m = p[i + 1];
		if (m == 0xFF) {
			i++;
			continue;
		}
		if (m == 0xDA) {
			j.ok = 1;
			return j;
		}
		len = (unsigned)p[i + 2] << 8 | p[i + 3];
		if (len < 2 || i + 2 + len > n)
			return j;
		s = p + i + 4;
		if (m == 0xE0)
			j.app0++;
		else if (m >= 0xE1 && m <= 0xEF)
			j.other_app++;
		else if (m == 0xFE)
			j.com++;
		else if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC && len >= 8) {
			j.sof = m;
			j.precision = s[0];
			j.height = (unsigned)s[1] << 8 | s[2];
			j.width = (unsigned)s[3] << 8 | s[4];
			j.comps = s[5];
			for (unsigned k = 0; k < j.comps && k < 4 && 8 + 3 * k < len; k++)
				j.samp[k] = s[6 + 3 * k + 1];
		}
		i += 2 + len;
	}
	return j;
}

/* Every output, image and thumbnail: a baseline 8-bit 4:2:0 YCbCr JPEG of the stated size,
 * with no metadata but the JFIF header. */
static void assert_clean_jpeg(const unsigned char *p, size_t n, unsigned w, unsigned h)
{
	struct jpeg_facts j = jpeg_walk(p, n);

	assert_true(j.ok);
	assert_int_equal(j.sof, 0xC0);
	assert_int_equal(j.precision, 8);
	assert_int_equal(j.width, w);
	assert_int_equal(j.height, h);
	assert_int_equal(j.comps, 3);
	assert_int_equal(j.samp[0], 0x22);
	assert_int_equal(j.samp[1], 0x11);
	assert_int_equal(j.samp[2], 0x11);
	assert_int_equal(j.other_app, 0); /* no EXIF/XMP (APP1), ICC (APP2), IPTC (APP13), Adobe */
	assert_int_equal(j.com, 0);
	assert_false(contains(p, n, "Exif"));
}

static void assert_clean_output(const struct image_out *o)
{
	assert_non_null(o->data);
	assert_non_null(o->thumb);
	assert_clean_jpeg(o->data, o->len, o->width, o->height);
	assert_true(o->width <= hall.max_side && o->height <= hall.max_side);
	{
		struct jpeg_facts t = jpeg_walk(o->thumb, o->thumb_len);

		assert_clean_jpeg(o->thumb, o->thumb_len, t.width, t.height);
		assert_true(t.width == hall.thumb_side || t.height == hall.thumb_side);
		assert_true(t.width <= hall.thumb_side && t.height <= hall.thumb_side);
	}
}

/* Decodes an output JPEG (under the uploads policy: JPEG is allowed) for a closer look. */
static MagickWand *decode_output(const struct image_out *o)
{
	MagickWand *w = NewMagickWand();

	assert_true(MagickSetFormat(w, "JPEG"));
	assert_true(MagickReadImageBlob(w, o->data, o->len));
	return w;
}

/* The colour at (x, y) as 0..255 components. */
static void pixel_at(MagickWand *w, ssize_t x, ssize_t y, int rgb[3])
{
	PixelWand *p = NewPixelWand();

	assert_true(MagickGetImagePixelColor(w, x, y, p));
	rgb[0] = (int)(PixelGetRed(p) * 255.0 + 0.5);
	rgb[1] = (int)(PixelGetGreen(p) * 255.0 + 0.5);
	rgb[2] = (int)(PixelGetBlue(p) * 255.0 + 0.5);
	DestroyPixelWand(p);
}

static int near(int a, int b)
{
	return abs(a - b) <= 24; /* JPEG at q85 with 4:2:0 chroma */
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* ---- setup -------------------------------------------------------------------------------- */

/* Shims of the programs ImageMagick could run as delegates: if any is run, it leaves a line
 * in the marker file (and fails). */
static const char *const shims[] = { "convert", "magick", "gs", "inkscape", "rsvg-convert",
				     "curl", "wget", "ffmpeg", "potrace", "dcraw", "sh" };

static int group_setup(void **state)
{
	const char *root = getenv("CERTHALL_ROOT") ? getenv("CERTHALL_ROOT") : ".";
	char cmd[512], policy[256], bin[128], path[4096];
	int rc;

	(void)state;
	snprintf(tmp, sizeof(tmp), "/tmp/certhall-image-XXXXXX");
	if (!mkdtemp(tmp))
		return -1;
	snprintf(corpus, sizeof(corpus), "%s/corpus", tmp);
	snprintf(cmd, sizeof(cmd), "'%s/tests/data/make_corpus.sh' '%s' >'%s/corpus.log' 2>&1 ",
		 root, corpus, tmp);
	rc = system(cmd);
	if (rc != 0) {
		snprintf(cmd, sizeof(cmd), "cat '%s/corpus.log' >&2", tmp);
		if (system(cmd) != 0)
			fprintf(stderr, "make_corpus.sh failed\n");
		return -1;
	}

	/* After the corpus (which needs the real convert): shims first on PATH. "sh" is among
	 * them only in the shim folder; the shims themselves run under /bin/sh by path. */
	snprintf(bin, sizeof(bin), "%s/bin", tmp);
	snprintf(marker, sizeof(marker), "%s/ran", tmp);
	if (mkdir(bin, 0700) != 0)
		return -1;
	for (size_t i = 0; i < sizeof(shims) / sizeof(shims[0]); i++) {
		char file[256];
		FILE *f;

		snprintf(file, sizeof(file), "%s/%s", bin, shims[i]);
		f = fopen(file, "w");
		if (!f)
			return -1;
		fprintf(f, "#!/bin/sh\necho \"$0 $*\" >>'%s'\nexit 1\n", marker);
		fclose(f);
		chmod(file, 0700);
	}
	snprintf(path, sizeof(path), "%s:%s", bin, getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
	setenv("PATH", path, 1);

	snprintf(policy, sizeof(policy), "%s/uploads-policy", root);
	{
		char err[256];

		if (image_init(policy, err, sizeof(err)) != 0 || image_ready(err, sizeof(err)) != 0) {
			fprintf(stderr, "%s\n", err);
			return -1;
		}
	}
	return 0;
}

static int group_teardown(void **state)
{
	char cmd[128];

	(void)state;
	image_done();
	if (tmp[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", tmp);
	}
	return 0;
}

/* ---- tests -------------------------------------------------------------------------------- */

static void test_sniff(void **state)
{
	static const struct {
		const char *file, *type;
	} cases[] = {
		{ "scan.jpg", "jpeg" },
		{ "scan.png", "png" },
		{ "scan.gif", "gif" },
		{ "scan.bmp", "bmp" },
		{ "polyglot.gif", "gif" },
		{ "svg.jpg", "image/svg+xml" },
		{ "mvg.jpg", "image/x-mvg" },
		{ "ps.jpg", "application/postscript" },
		{ "pdf.jpg", "application/pdf" },
		{ "html.jpg", "text/html" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n;
		unsigned char *buf = load(cases[i].file, &n);

		assert_string_equal(image_sniff(buf, n), cases[i].type);
		free(buf);
	}
	assert_non_null(image_sniff("", 0));
}

static void test_valid_formats(void **state)
{
	static const struct {
		const char *file, *ext, *mime, *detected;
	} cases[] = {
		{ "scan.jpg", "jpg", "image/jpeg", "jpeg" },
		{ "scan.png", ".PNG", "image/png", "png" },
		{ "scan.gif", "gif", "image/gif", "gif" },
		{ "scan.bmp", "bmp", "image/bmp", "bmp" },
		{ "scan3.bmp", "bmp", "image/bmp", "bmp" }, /* ImageMagick calls it BMP3 */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct image_out o;

		assert_int_equal(run(cases[i].file, cases[i].ext, cases[i].mime, &o), IMAGE_OK);
		assert_string_equal(o.detected, cases[i].detected);
		assert_int_equal(o.src_pixels, 620ULL * 877);
		assert_int_equal(o.width, 620); /* under max_side: not resized */
		assert_int_equal(o.height, 877);
		assert_clean_output(&o);
		{
			struct jpeg_facts t = jpeg_walk(o.thumb, o.thumb_len);

			assert_int_equal(t.width, 170); /* 620 x 240 / 877 */
			assert_int_equal(t.height, 240);
		}
		image_out_free(&o);
		assert_null(o.data);
	}
}

static void test_downscale(void **state)
{
	struct image_rules r = hall;
	struct image_out o;

	(void)state;
	r.max_side = 400;
	assert_int_equal(run_with("scan.jpg", NULL, NULL, &r, &o), IMAGE_OK);
	assert_int_equal(o.width, 283); /* 620 x 400 / 877, rounded */
	assert_int_equal(o.height, 400);
	assert_clean_jpeg(o.data, o.len, 283, 400);
	image_out_free(&o);
}

/* 24.6 MP, inside the rules: a full decode would not fit the policy's 256 MiB; the JPEG is
 * decoded at half scale (DCT scaling), which is the stored size. */
static void test_big_jpeg(void **state)
{
	struct image_out o;

	(void)state;
	assert_int_equal(run("big.jpg", "jpg", "image/jpeg", &o), IMAGE_OK);
	assert_int_equal(o.src_pixels, 4960ULL * 4960);
	assert_int_equal(o.width, 2480);
	assert_int_equal(o.height, 2480);
	assert_clean_output(&o);
	image_out_free(&o);
}

static void test_too_few_pixels(void **state)
{
	struct image_out o;

	(void)state;
	assert_int_equal(run("tiny.png", "png", NULL, &o), IMAGE_TOO_FEW_PIXELS);
	assert_int_equal(o.src_pixels, 400);
	assert_null(o.data);
	assert_null(o.thumb);
}

/* Files of a few dozen bytes that declare 4 gigapixels: refused before any pixel memory.
 * PNG: ImageMagick's ping already refuses the side (over the policy's 16000) but says
 * nothing, so the IHDR names the count; JPEG, BMP: the ping reads the size and our check
 * refuses; GIF: the coder stops on the policy's fence during the ping. */
static void test_pixel_flood(void **state)
{
	static const struct {
		const char *file;
		unsigned long long pixels; /* as reported in src_pixels; 0: not learnt */
	} cases[] = {
		{ "flood.png", 65535ULL * 65535 },
		{ "flood.jpg", 65500ULL * 65500 },
		{ "flood.bmp", 65535ULL * 65535 },
		{ "flood.gif", 65535ULL * 65535 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct timespec t0;
		struct image_out o;
		int rc;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		rc = run(cases[i].file, NULL, NULL, &o);
		print_message("# %s: %s in %.2f ms\n", cases[i].file, image_strerror(rc),
			      ms_since(&t0));
		assert_int_equal(rc, IMAGE_TOO_MANY_PIXELS);
		assert_int_equal(o.src_pixels, cases[i].pixels);
		assert_null(o.data);
	}
}

/* The ping comes first and our own check refuses: 15000x15000 is within the policy's 16K
 * sides, the file holds no pixel data at all (a decode would fail as corrupt or hit the
 * policy's area fence), yet the answer is TOO_MANY_PIXELS with the pixel count the ping read. */
static void test_flood_refused_by_ping(void **state)
{
	struct timespec t0;
	struct image_out o;
	struct image_rules r = hall;
	int rc;

	(void)state;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = run("flood15k.png", NULL, NULL, &o);
	print_message("# flood15k.png (15000x15000 declared): %s in %.2f ms\n", image_strerror(rc),
		      ms_since(&t0));
	assert_int_equal(rc, IMAGE_TOO_MANY_PIXELS);
	assert_int_equal(o.src_pixels, 15000ULL * 15000);

	/* Our check alone: a valid scan far inside every policy limit, refused by the rules. */
	r.max_pixels = 500000;
	assert_int_equal(run_with("scan.jpg", NULL, NULL, &r, &o), IMAGE_TOO_MANY_PIXELS);
	assert_int_equal(o.src_pixels, 620ULL * 877);

	/* The policy alone: our limit out of the way, the flood still stops, at the policy's
	 * area fence during the decode (the worker survives it). Raising ImageMagick's own
	 * limits from the program cannot lift the policy's caps. */
	r.max_pixels = 1ULL << 40;
	SetMagickResourceLimit(MemoryResource, 8ULL << 30);
	SetMagickResourceLimit(AreaResource, 1ULL << 40);
	assert_int_equal(GetMagickResourceLimit(MemoryResource), 256ULL << 20);
	assert_int_equal(GetMagickResourceLimit(AreaResource), 64000000ULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = run_with("flood15k.png", NULL, NULL, &r, &o);
	print_message("# flood15k.png without our pixel check: %s in %.2f ms\n", image_strerror(rc),
		      ms_since(&t0));
	assert_int_equal(rc, IMAGE_TOO_MANY_PIXELS);
	assert_null(o.data);
}

static void test_truncated_jpeg(void **state)
{
	struct image_out o;

	(void)state;
	assert_int_equal(run("truncated.jpg", "jpg", "image/jpeg", &o), IMAGE_CORRUPT);
	assert_null(o.data);
}

static void test_polyglot(void **state)
{
	struct image_out o;

	(void)state;
	/* GIF magic, so it is sniffed as a GIF; the decoder finds markup, not an image. */
	assert_int_equal(run("polyglot.gif", "gif", "image/gif", &o), IMAGE_CORRUPT);
	assert_int_equal(run("polyglot.gif", "html", "text/html", &o), IMAGE_MISMATCH);
	assert_null(o.data);
}

static void test_other_formats_named_jpg(void **state)
{
	static const char *const files[] = { "svg.jpg", "mvg.jpg", "ps.jpg", "pdf.jpg", "html.jpg" };

	(void)state;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct image_out o;

		assert_int_equal(run(files[i], "jpg", "image/jpeg", &o), IMAGE_UNSUPPORTED);
		assert_null(o.data);
		assert_null(o.detected);
	}
}

/* Landscape 800x600 (left red, right blue) with Orientation 6: upright it is portrait 600x800
 * with red on top; the output must be that, with no EXIF and no GPS left. */
static void test_exif_orientation_and_gps(void **state)
{
	struct image_out o;
	size_t n;
	unsigned char *src = load("exif.jpg", &n);
	MagickWand *w;
	int top[3], bottom[3];

	(void)state;
	/* The source does carry them. */
	assert_true(contains(src, n, "Exif"));
	assert_true(contains(src, n, "CERTHALL-GPS-MARK"));
	assert_int_equal(jpeg_walk(src, n).width, 800);
	assert_int_equal(jpeg_walk(src, n).height, 600);
	assert_int_equal(image_process(src, n, "jpeg", "image/jpeg", &hall, &o), IMAGE_OK);
	free(src);

	assert_int_equal(o.width, 600);
	assert_int_equal(o.height, 800);
	assert_clean_output(&o);
	assert_false(contains(o.data, o.len, "CERTHALL-GPS-MARK"));
	assert_false(contains(o.thumb, o.thumb_len, "CERTHALL-GPS-MARK"));

	w = decode_output(&o);
	assert_int_equal(MagickGetImageOrientation(w), UndefinedOrientation);
	pixel_at(w, 300, 100, top);
	pixel_at(w, 300, 700, bottom);
	assert_true(near(top[0], 255) && near(top[1], 0) && near(top[2], 0));
	assert_true(near(bottom[0], 0) && near(bottom[1], 0) && near(bottom[2], 255));
	DestroyMagickWand(w);
	image_out_free(&o);
}

static void test_cmyk_to_srgb(void **state)
{
	struct image_out o;
	size_t n;
	unsigned char *src = load("cmyk.jpg", &n);
	MagickWand *w;
	int rgb[3];

	(void)state;
	assert_int_equal(jpeg_walk(src, n).comps, 4);
	assert_int_equal(image_process(src, n, "jpg", NULL, &hall, &o), IMAGE_OK);
	free(src);
	assert_clean_output(&o); /* 3 components */
	w = decode_output(&o);
	assert_int_equal(MagickGetImageColorspace(w), sRGBColorspace);
	pixel_at(w, 300, 200, rgb);
	assert_true(near(rgb[0], 200) && near(rgb[1], 40) && near(rgb[2], 40));
	DestroyMagickWand(w);
	image_out_free(&o);
}

static void test_16bit_to_8bit(void **state)
{
	struct image_out o;
	size_t n;
	unsigned char *src = load("deep.png", &n);
	MagickWand *w;

	(void)state;
	assert_true(n > 24);
	assert_int_equal(src[24], 16); /* IHDR bit depth */
	assert_int_equal(image_process(src, n, "png", NULL, &hall, &o), IMAGE_OK);
	free(src);
	assert_clean_output(&o); /* precision 8 */
	w = decode_output(&o);
	assert_int_equal(MagickGetImageDepth(w), 8);
	DestroyMagickWand(w);
	image_out_free(&o);
}

static void test_alpha_onto_white(void **state)
{
	struct image_out o;
	MagickWand *w;
	int left[3], right[3];

	(void)state;
	assert_int_equal(run("alpha.png", "png", NULL, &o), IMAGE_OK);
	assert_clean_output(&o);
	w = decode_output(&o);
	pixel_at(w, 100, 150, left);
	pixel_at(w, 300, 150, right);
	assert_true(near(left[0], 0) && near(left[1], 0) && near(left[2], 0));
	assert_true(near(right[0], 255) && near(right[1], 255) && near(right[2], 255));
	DestroyMagickWand(w);
	image_out_free(&o);
}

static void test_animated_gif_first_frame(void **state)
{
	struct image_out o;
	MagickWand *w;
	int rgb[3];

	(void)state;
	assert_int_equal(run("anim.gif", "gif", "image/gif", &o), IMAGE_OK);
	assert_int_equal(o.width, 400);
	assert_int_equal(o.height, 300);
	assert_clean_output(&o);
	w = decode_output(&o);
	assert_int_equal(MagickGetNumberImages(w), 1);
	pixel_at(w, 200, 150, rgb); /* the first frame is red (then lime, then blue) */
	assert_true(near(rgb[0], 255) && near(rgb[1], 0) && near(rgb[2], 0));
	DestroyMagickWand(w);
	image_out_free(&o);
}

/* A 400x300 frame on a 15000x15000 logical screen: the frame is the image; the virtual
 * canvas never becomes pixels. */
static void test_gif_canvas_dropped(void **state)
{
	struct image_out o;

	(void)state;
	assert_int_equal(run("screen.gif", "gif", NULL, &o), IMAGE_OK);
	assert_int_equal(o.width, 400);
	assert_int_equal(o.height, 300);
	assert_clean_output(&o);
	image_out_free(&o);
}

static void test_declared_type(void **state)
{
	static const struct {
		const char *file, *ext, *mime;
		int rc;
	} cases[] = {
		{ "scan.png", "jpg", NULL, IMAGE_MISMATCH },
		{ "scan.jpg", "exe", NULL, IMAGE_MISMATCH },
		{ "scan.jpg", NULL, "image/png", IMAGE_MISMATCH },
		{ "scan.jpg", "jpg", "image/png", IMAGE_MISMATCH },
		{ "scan.jpg", "png", "image/jpeg", IMAGE_MISMATCH },
		{ "scan.gif", NULL, "image/jpeg", IMAGE_MISMATCH },
		{ "scan.bmp", "gif", NULL, IMAGE_MISMATCH },
		{ "scan.jpg", NULL, "text/html", IMAGE_MISMATCH },
		{ "scan.jpg", "svg", NULL, IMAGE_MISMATCH },
		{ "scan.jpg", NULL, NULL, IMAGE_OK },
		{ "scan.jpg", "", "", IMAGE_OK },
		{ "scan.jpg", ".JPG", "IMAGE/JPEG; charset=binary", IMAGE_OK },
		{ "scan.jpg", "jpeg", "application/octet-stream", IMAGE_OK },
		{ "scan.jpg", "jfif", "image/pjpeg", IMAGE_OK },
		{ "scan.png", NULL, "image/x-png", IMAGE_OK },
		{ "scan.bmp", "BMP", "image/x-ms-bmp", IMAGE_OK },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct image_out o;
		int rc = run(cases[i].file, cases[i].ext, cases[i].mime, &o);

		if (rc != cases[i].rc)
			print_error("%s ext=%s mime=%s: %s\n", cases[i].file,
				    cases[i].ext ? cases[i].ext : "(null)",
				    cases[i].mime ? cases[i].mime : "(null)", image_strerror(rc));
		assert_int_equal(rc, cases[i].rc);
		image_out_free(&o);
	}
}

static void test_allow_list(void **state)
{
	struct image_rules r = hall;
	struct image_out o;

	(void)state;
	r.formats = IMAGE_JPEG | IMAGE_PNG;
	assert_int_equal(run_with("scan.gif", "gif", NULL, &r, &o), IMAGE_UNSUPPORTED);
	assert_int_equal(run_with("scan.bmp", "bmp", NULL, &r, &o), IMAGE_UNSUPPORTED);
	assert_int_equal(run_with("scan.png", "png", NULL, &r, &o), IMAGE_OK);
	image_out_free(&o);
}

static void test_size_limits(void **state)
{
	struct image_out o;
	size_t n;
	unsigned char *buf;

	(void)state;
	buf = load("limit.jpg", &n);
	assert_int_equal(n, HALL_BYTES);
	assert_int_equal(image_process(buf, n, "jpg", "image/jpeg", &hall, &o), IMAGE_OK);
	assert_clean_output(&o); /* the COM padding is gone */
	assert_true(o.len < 200000);
	image_out_free(&o);
	free(buf);

	buf = load("over.jpg", &n);
	assert_int_equal(n, HALL_BYTES + 1);
	assert_int_equal(image_process(buf, n, "jpg", "image/jpeg", &hall, &o), IMAGE_TOO_LARGE);
	free(buf);

	assert_int_equal(run("empty.jpg", "jpg", "image/jpeg", &o), IMAGE_EMPTY);
	assert_int_equal(image_process(NULL, 0, NULL, NULL, &hall, &o), IMAGE_EMPTY);
	assert_null(o.data);
}

static void test_bad_rules(void **state)
{
	struct image_rules r = hall;
	struct image_out o;

	(void)state;
	r.jpeg_quality = 0;
	assert_int_equal(run_with("scan.jpg", NULL, NULL, &r, &o), IMAGE_INTERNAL);
	r = hall;
	r.min_pixels = r.max_pixels + 1;
	assert_int_equal(run_with("scan.jpg", NULL, NULL, &r, &o), IMAGE_INTERNAL);
	assert_int_equal(image_process("x", 1, NULL, NULL, NULL, &o), IMAGE_INTERNAL);
	assert_int_equal(image_process("x", 1, NULL, NULL, &hall, NULL), IMAGE_INTERNAL);
}

/* Ours is the policy in force: reading SVG or MVG straight through MagickWand, as a program
 * that skipped image_process would, fails on the policy. */
static void test_policy_in_force(void **state)
{
	static const struct {
		const char *file, *coder;
	} cases[] = { { "svg.jpg", "SVG" }, { "svg.jpg", NULL }, { "mvg.jpg", "MVG" },
		      { "ps.jpg", "PS" },   { "pdf.jpg", "PDF" }, { "html.jpg", "HTML" } };

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n;
		unsigned char *buf = load(cases[i].file, &n);
		MagickWand *w = NewMagickWand();
		ExceptionType sev;
		char *desc;

		if (cases[i].coder)
			MagickSetFormat(w, cases[i].coder);
		assert_false(MagickReadImageBlob(w, buf, n));
		assert_int_equal(MagickGetNumberImages(w), 0);
		desc = MagickGetException(w, &sev);
		assert_true(sev >= ErrorException);
		if (cases[i].coder && strcmp(cases[i].coder, "HTML") != 0)
			assert_non_null(strstr(desc, "security policy"));
		MagickRelinquishMemory(desc);
		DestroyMagickWand(w);
		free(buf);
	}
	assert_false(IsRightsAuthorized(CoderPolicyDomain, ReadPolicyRights, "SVG"));
	assert_false(IsRightsAuthorized(CoderPolicyDomain, ReadPolicyRights, "MSL"));
	assert_false(IsRightsAuthorized(CoderPolicyDomain, ReadPolicyRights, "TEXT"));
	assert_false(IsRightsAuthorized(DelegatePolicyDomain, ExecutePolicyRights, "gs"));
	assert_true(IsRightsAuthorized(CoderPolicyDomain, ReadPolicyRights, "JPEG"));
	assert_int_equal(GetMagickResourceLimit(DiskResource), 0);
	assert_int_equal(GetMagickResourceLimit(ListLengthResource), 2);
	assert_int_equal(GetMagickResourceLimit(WidthResource), 16000); /* "16KP" */
	assert_int_equal(GetMagickResourceLimit(ThreadResource), 1);
	assert_true(GetMagickResourceLimit(TimeResource) == MagickResourceInfinity);
}

/* Last: nothing above ran convert, ghostscript, inkscape, curl or any other program. */
static void test_no_external_program(void **state)
{
	(void)state;
	if (access(marker, F_OK) == 0) {
		char cmd[256];

		snprintf(cmd, sizeof(cmd), "cat '%s' >&2", marker);
		if (system(cmd) != 0)
			print_error("could not show %s\n", marker);
		fail_msg("an external program was run");
	}
}

/* ---- the PNG chunk bomb and its relatives (issue 16) --------------------------------------- */

/* A growing PNG: chunks appended with their CRC. */
struct png {
	unsigned char *p;
	size_t n, cap;
};

static void png_put(struct png *g, const char *type, const unsigned char *data, size_t len)
{
	unsigned char hdr[8], crc[4];
	uLong c;

	if (g->n + len + 12 > g->cap) {
		g->cap = (g->n + len + 12) * 2;
		g->p = realloc(g->p, g->cap);
		assert_non_null(g->p);
	}
	hdr[0] = (unsigned char)(len >> 24);
	hdr[1] = (unsigned char)(len >> 16);
	hdr[2] = (unsigned char)(len >> 8);
	hdr[3] = (unsigned char)len;
	memcpy(hdr + 4, type, 4);
	c = crc32(crc32(0, hdr + 4, 4), data, (uInt)len);
	for (int i = 0; i < 4; i++)
		crc[i] = (unsigned char)(c >> (24 - 8 * i));
	memcpy(g->p + g->n, hdr, 8);
	if (len)
		memcpy(g->p + g->n + 8, data, len);
	memcpy(g->p + g->n + 8 + len, crc, 4);
	g->n += len + 12;
}

/* The chunks of a PNG in order, as "IHDR IDAT IEND ". */
static void png_chunks(const unsigned char *p, size_t n, char *list, size_t room)
{
	size_t pos = 8, k = 0;

	list[0] = '\0';
	while (pos + 12 <= n && k + 6 < room) {
		size_t len = (size_t)p[pos] << 24 | (size_t)p[pos + 1] << 16 | (size_t)p[pos + 2] << 8 |
			     p[pos + 3];

		memcpy(list + k, p + pos + 4, 4);
		list[k + 4] = ' ';
		k += 5;
		list[k] = '\0';
		pos += len + 12;
	}
}

/* zlib data that inflates to `inflated` zero bytes, after a prefix (a keyword and its NUL and
 * compression byte, or an ICC profile name). */
static unsigned char *deflated_zeros(const char *prefix, size_t prefix_len, size_t inflated, size_t *n)
{
	unsigned char *zeros = calloc(1, inflated), *out;
	uLongf len = compressBound((uLong)inflated);

	assert_non_null(zeros);
	out = malloc(prefix_len + len);
	assert_non_null(out);
	memcpy(out, prefix, prefix_len);
	assert_int_equal(compress2(out + prefix_len, &len, zeros, (uLong)inflated, 9), Z_OK);
	free(zeros);
	*n = prefix_len + len;
	return out;
}

/* scan.png with `copies` of each (type, data) chunk after IHDR (and again before IEND when
 * twice), and a chunk after IEND. */
static struct png png_with(const char *const *types, unsigned char *const *data, const size_t *lens,
			   size_t ntypes, unsigned copies, int twice)
{
	struct png g = { NULL, 0, 0 };
	size_t n, pos = 8;
	unsigned char *src = load("scan.png", &n);

	g.cap = n * 2;
	g.p = malloc(g.cap);
	assert_non_null(g.p);
	memcpy(g.p, src, 8);
	g.n = 8;
	while (pos + 12 <= n) {
		size_t len = (size_t)src[pos] << 24 | (size_t)src[pos + 1] << 16 |
			     (size_t)src[pos + 2] << 8 | src[pos + 3];
		char type[5] = { 0 };

		memcpy(type, src + pos + 4, 4);
		if (twice && strcmp(type, "IEND") == 0) {
			for (unsigned c = 0; c < copies; c++)
				for (size_t t = 0; t < ntypes; t++)
					png_put(&g, types[t], data[t], lens[t]);
		}
		png_put(&g, type, src + pos + 8, len);
		if (strcmp(type, "IHDR") == 0) {
			for (unsigned c = 0; c < copies; c++)
				for (size_t t = 0; t < ntypes; t++)
					png_put(&g, types[t], data[t], lens[t]);
		}
		pos += len + 12;
	}
	free(src);
	png_put(&g, "tEXt", (const unsigned char *)"after\0IEND", 10); /* past IEND: dropped */
	return g;
}

/* What the pre-pass leaves out of convert's own scan.png (its date tEXt chunks). */
static unsigned scan_png_stripped(void)
{
	size_t n, outlen;
	unsigned char *src = load("scan.png", &n), *out = malloc(n);
	struct prepass_info pi;

	assert_non_null(out);
	assert_int_equal(prepass_png(src, n, out, &outlen, hall.max_pixels, 16000, &pi), PREPASS_OK);
	assert_int_equal(outlen + pi.stripped_bytes, n);
	free(src);
	free(out);
	return pi.stripped;
}

/* image_process in a child under an address-space cap of as_mib: the result, or -100 when the
 * child did not exit normally (killed by the cap). A decoder that inflated a bomb's chunks
 * (2 GB for the one of the issue) cannot pass under a cap of a few hundred MiB. Under make
 * SAN=1 the child runs uncapped (ASan's shadow memory alone is beyond any cap, as for
 * runner_limit_memory): the plain build's run proves the cap, this one the memory safety. */
static int process_capped(const unsigned char *p, size_t n, const struct image_rules *r,
			  unsigned as_mib)
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit rl = { (rlim_t)as_mib << 20, (rlim_t)as_mib << 20 };
		struct image_out o;
		int rc;

#ifdef CERTHALL_SANITIZED
		(void)rl;
#else
		if (setrlimit(RLIMIT_AS, &rl) != 0)
			_exit(99);
#endif
		rc = image_process(p, n, "png", "image/png", r, &o);
		image_out_free(&o);
		_exit(rc == IMAGE_OK ? 0 : 100 + (-rc));
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status))
		return -100;
	return WEXITSTATUS(status) == 0 ? IMAGE_OK : -(WEXITSTATUS(status) - 100);
}

/* The bomb: 41 zTXt chunks, each 50 MB inflated, about 2 MB on the wire. The
 * pre-pass leaves every one out, so the decoder never inflates them: the scan is stored, in
 * a child whose address space (384 MiB) could not hold even a fifth of the bomb inflated. */
static void test_png_ztxt_bomb(void **state)
{
	const char *types[] = { "zTXt" };
	unsigned char *data[1];
	size_t lens[1], outlen;
	struct image_rules r = hall;
	struct prepass_info pi;
	struct png g;
	unsigned char *clean;
	char list[256];

	(void)state;
	data[0] = deflated_zeros("Comment\0\0", 9, 50u << 20, &lens[0]);
	g = png_with(types, data, lens, 1, 41, 0);
	print_message("# bomb: %zu bytes, 41 zTXt of %zu bytes each, 50 MB inflated each\n", g.n,
		      lens[0]);
	r.max_bytes = g.n;
	clean = malloc(g.n);
	assert_non_null(clean);
	assert_int_equal(prepass_png(g.p, g.n, clean, &outlen, r.max_pixels, 16000, &pi), PREPASS_OK);
	assert_int_equal(pi.stripped, scan_png_stripped() + 41); /* the one past IEND: cut off */
	png_chunks(clean, outlen, list, sizeof(list));
	assert_null(strstr(list, "zTXt"));
	assert_null(strstr(list, "tEXt"));
	assert_int_equal(strncmp(list, "IHDR ", 5), 0);
	assert_string_equal(list + strlen(list) - 5, "IEND ");
	assert_true(outlen < 2 * 1024 * 1024 / 4);
	assert_int_equal(process_capped(g.p, g.n, &r, 384), IMAGE_OK);
	free(clean);
	free(g.p);
	free(data[0]);
}

/* The relatives: compressed iTXt, an iCCP profile that inflates to 50 MB, a large eXIf, many
 * tEXt, unknown ancillary chunks and APNG frames: all left out; the chunks that only change
 * pixels (gAMA, pHYs) are kept. */
static void test_png_chunk_relatives(void **state)
{
	const char *types[] = { "iTXt", "iCCP", "eXIf", "tEXt", "abCd", "acTL", "gAMA", "pHYs" };
	unsigned char *data[8];
	size_t lens[8], outlen;
	unsigned char gama[4] = { 0, 0, 0xb1, 0x8f }, phys[9] = { 0, 0, 0x0b, 0x13, 0, 0, 0x0b, 0x13, 1 };
	unsigned char acTL[8] = { 0, 0, 0, 2, 0, 0, 0, 0 };
	static unsigned char exif[65536];
	struct image_rules r = hall;
	struct prepass_info pi;
	struct png g;
	unsigned char *clean;
	char list[512];

	(void)state;
	data[0] = deflated_zeros("XML:com.adobe.xmp\0\1\0\0\0", 22, 50u << 20, &lens[0]);
	data[1] = deflated_zeros("icc\0\0", 5, 50u << 20, &lens[1]);
	memcpy(exif, "MM\0*", 4);
	data[2] = exif;
	lens[2] = sizeof(exif);
	data[3] = (unsigned char *)"Comment\0certhall";
	lens[3] = 16;
	data[4] = (unsigned char *)"unknown";
	lens[4] = 7;
	data[5] = acTL;
	lens[5] = sizeof(acTL);
	data[6] = gama;
	lens[6] = sizeof(gama);
	data[7] = phys;
	lens[7] = sizeof(phys);
	g = png_with(types, data, lens, 8, 3, 1);
	r.max_bytes = g.n;
	clean = malloc(g.n);
	assert_non_null(clean);
	assert_int_equal(prepass_png(g.p, g.n, clean, &outlen, r.max_pixels, 16000, &pi), PREPASS_OK);
	png_chunks(clean, outlen, list, sizeof(list));
	for (size_t t = 0; t < 6; t++)
		assert_null(strstr(list, types[t]));
	assert_non_null(strstr(list, "gAMA"));
	assert_non_null(strstr(list, "pHYs"));
	assert_int_equal(pi.stripped, scan_png_stripped() + 2 * 3 * 6);
	assert_int_equal(process_capped(g.p, g.n, &r, 384), IMAGE_OK);
	free(clean);
	free(g.p);
	free(data[0]);
	free(data[1]);
}

/* Broken chunk streams are refused before any decoder: a length past the end, no IEND, a
 * first chunk that is not IHDR, a length over 2^31-1. */
static void test_png_bad_streams(void **state)
{
	size_t n, outlen;
	unsigned char *src = load("scan.png", &n), *buf = malloc(n + 64), *out = malloc(n + 64);
	struct prepass_info pi;
	struct image_out o;

	(void)state;
	assert_non_null(buf);
	assert_non_null(out);
	memcpy(buf, src, n);
	assert_int_equal(prepass_png(buf, n, out, &outlen, hall.max_pixels, 16000, &pi), PREPASS_OK);
	assert_int_equal(outlen + pi.stripped_bytes, n);
	assert_int_equal(prepass_png(buf, n - 12, out, &outlen, hall.max_pixels, 16000, &pi),
			 PREPASS_BAD); /* no IEND */
	assert_int_equal(image_process(buf, n - 12, "png", NULL, &hall, &o), IMAGE_CORRUPT);
	buf[33] = 0x7f; /* the chunk after IHDR: a length far past the end */
	assert_int_equal(prepass_png(buf, n, out, &outlen, hall.max_pixels, 16000, &pi), PREPASS_BAD);
	buf[33] = 0x80; /* over 2^31-1 */
	assert_int_equal(prepass_png(buf, n, out, &outlen, hall.max_pixels, 16000, &pi), PREPASS_BAD);
	memcpy(buf, src, n);
	memcpy(buf + 12, "IHDX", 4);
	assert_int_equal(prepass_png(buf, n, out, &outlen, hall.max_pixels, 16000, &pi), PREPASS_BAD);
	free(src);
	free(buf);
	free(out);
}

/* An IDAT bomb: an 800x600 image whose zlib stream goes on with 64 MB of zeros after its
 * last row. libpng inflates that excess too; the pre-pass stops at what the rows can hold
 * and refuses it, without ever holding more than its scratch buffer. */
static void test_png_idat_bomb(void **state)
{
	const unsigned w = 800, h = 600;
	size_t rowlen = 1 + (size_t)w * 3, raw_len = rowlen * h, extra = 64u << 20, outlen;
	unsigned char ihdr[13] = { 0, 0, 0x03, 0x20, 0, 0, 0x02, 0x58, 8, 2, 0, 0, 0 };
	unsigned char *raw = calloc(1, raw_len + extra), *z, *clean;
	uLongf zlen = compressBound((uLong)(raw_len + extra));
	struct prepass_info pi;
	struct png g = { NULL, 0, 0 };
	struct image_rules r = hall;

	(void)state;
	assert_non_null(raw);
	for (size_t y = 0; y < h; y++)
		memset(raw + y * rowlen + 1, 0xff, rowlen - 1); /* white rows, filter 0 */
	z = malloc(zlen);
	assert_non_null(z);
	g.cap = 64;
	g.p = malloc(g.cap);
	assert_non_null(g.p);
	memcpy(g.p, "\x89PNG\r\n\x1a\n", 8);
	g.n = 8;
	png_put(&g, "IHDR", ihdr, sizeof(ihdr));
	/* First the honest image: stored. */
	assert_int_equal(compress2(z, &zlen, raw, (uLong)raw_len, 9), Z_OK);
	{
		struct png ok = g;

		ok.p = malloc(g.n);
		assert_non_null(ok.p);
		memcpy(ok.p, g.p, g.n);
		ok.cap = g.n;
		png_put(&ok, "IDAT", z, zlen);
		png_put(&ok, "IEND", (const unsigned char *)"", 0);
		r.max_bytes = ok.n;
		assert_int_equal(process_capped(ok.p, ok.n, &r, 384), IMAGE_OK);
		free(ok.p);
	}
	zlen = compressBound((uLong)(raw_len + extra));
	assert_int_equal(compress2(z, &zlen, raw, (uLong)(raw_len + extra), 9), Z_OK);
	png_put(&g, "IDAT", z, zlen);
	png_put(&g, "IEND", (const unsigned char *)"", 0);
	print_message("# IDAT bomb: %zu bytes, %zu inflated\n", g.n, raw_len + extra);
	clean = malloc(g.n);
	assert_non_null(clean);
	assert_int_equal(prepass_png(g.p, g.n, clean, &outlen, hall.max_pixels, 16000, &pi),
			 PREPASS_BAD);
	r.max_bytes = g.n;
	assert_int_equal(process_capped(g.p, g.n, &r, 384), IMAGE_CORRUPT);
	free(clean);
	free(z);
	free(raw);
	free(g.p);
}

/* Like the 35-byte GIF: a 1x1 screen, a 6000x6000 frame (36 MP, under the pixel limit).
 * ImageMagick decodes the whole frame and grows the screen; the pre-pass refuses it from the
 * descriptor, and a frame over the pixel limit is refused as a flood. */
static void test_gif_frame_outside_screen(void **state)
{
	static const unsigned char gif[] = "GIF89a\001\000\001\000\000\000\000"
					   ",\000\000\000\000\160\027\160\027\000\002\002\114\001\000;";
	unsigned char big[sizeof(gif)];
	struct prepass_info pi;
	struct image_out o;
	struct image_rules r = hall;

	(void)state;
	r.min_pixels = 1;
	assert_int_equal(prepass_gif(gif, sizeof(gif) - 1, r.max_pixels, 16000, &pi), PREPASS_BAD);
	assert_int_equal(pi.fwidth, 6000);
	assert_int_equal(image_process(gif, sizeof(gif) - 1, "gif", "image/gif", &r, &o), IMAGE_CORRUPT);
	assert_null(o.data);
	/* The same frame at +1+0 on a 6000x6000 screen: one column outside. */
	memcpy(big, gif, sizeof(gif));
	big[6] = big[8] = 0x70;
	big[7] = big[9] = 0x17;
	big[14] = 1;
	assert_int_equal(prepass_gif(big, sizeof(big) - 1, r.max_pixels, 16000, &pi), PREPASS_BAD);
	big[14] = 0;
	assert_int_equal(prepass_gif(big, sizeof(big) - 1, r.max_pixels, 16000, &pi), PREPASS_OK);
	r.max_pixels = 6000ULL * 6000 - 1;
	assert_int_equal(prepass_gif(big, sizeof(big) - 1, r.max_pixels, 16000, &pi), PREPASS_BIG);
	assert_int_equal(image_process(big, sizeof(big) - 1, "gif", NULL, &r, &o), IMAGE_TOO_MANY_PIXELS);
	assert_int_equal(o.src_pixels, 6000ULL * 6000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sniff),
		cmocka_unit_test(test_valid_formats),
		cmocka_unit_test(test_downscale),
		cmocka_unit_test(test_big_jpeg),
		cmocka_unit_test(test_too_few_pixels),
		cmocka_unit_test(test_pixel_flood),
		cmocka_unit_test(test_flood_refused_by_ping),
		cmocka_unit_test(test_truncated_jpeg),
		cmocka_unit_test(test_polyglot),
		cmocka_unit_test(test_other_formats_named_jpg),
		cmocka_unit_test(test_exif_orientation_and_gps),
		cmocka_unit_test(test_cmyk_to_srgb),
		cmocka_unit_test(test_16bit_to_8bit),
		cmocka_unit_test(test_alpha_onto_white),
		cmocka_unit_test(test_animated_gif_first_frame),
		cmocka_unit_test(test_gif_canvas_dropped),
		cmocka_unit_test(test_declared_type),
		cmocka_unit_test(test_allow_list),
		cmocka_unit_test(test_size_limits),
		cmocka_unit_test(test_bad_rules),
		cmocka_unit_test(test_policy_in_force),
		cmocka_unit_test(test_no_external_program),
		cmocka_unit_test(test_png_ztxt_bomb),
		cmocka_unit_test(test_png_chunk_relatives),
		cmocka_unit_test(test_png_bad_streams),
		cmocka_unit_test(test_png_idat_bomb),
		cmocka_unit_test(test_gif_frame_outside_screen),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
