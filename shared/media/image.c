/* image: checks and normalises an uploaded scan (libmagic sniff, ImageMagick ping, decode, re-encode). */

/*
 * Uploads are the most dangerous input of the hall: images from anyone, decoded by a large C
 * library. Every step below narrows what reaches the next one:
 *
 *   size      the byte limit, before anything reads the bytes;
 *   prepass   (PNG, GIF) shared/media/prepass.c walks the chunks or blocks: a PNG loses its text,
 *             ICC and EXIF chunks (a zTXt bomb is never inflated), a GIF frame must lie in
 *             its screen, and the declared size is checked against the rules in microseconds;
 *   sniff     libmagic names the real type from the bytes; only JPEG, PNG, GIF and BMP (and
 *             only those the rules allow) go on; the file name and the declared MIME type
 *             must agree with the bytes;
 *   ping      ImageMagick reads the header only, with the sniffed coder named (so the image
 *             is never handed to a coder picked by guessing), and we refuse a pixel flood
 *             before a single pixel buffer exists;
 *   decode    the first frame only ("upload[0]"), under uploads-policy/policy.xml (no other
 *             coder, no delegate, bounded memory, no disk cache) and a deadline (10 s by
 *             default) checked as the decoder reports progress; a decoder that stops
 *             reporting is the upload program's watchdog's (shared/web/runner.h);
 *   normalise orientation applied, all metadata stripped, sRGB, 8 bits, alpha onto white,
 *             longest side at most max_side, baseline JPEG 4:2:0, and a thumbnail.
 *
 * Only the normalised JPEG is ever stored or served; the upload's own bytes are dropped.
 *
 * ImageMagick 6.9.11 facts this module is built on (each checked by tests/unit/test_image.c
 * or at image_init):
 *   - The "time" resource counts from the first pixel access of the *process*, not of an
 *     image, and ends it with a fatal exception (exit). In a long-lived worker that is a
 *     time bomb, so neither the policy nor this file sets it; a per-image deadline runs in
 *     the progress monitor instead, and image_init refuses to start if a time limit is set.
 *   - "list-length" N admits N-1 images, so the policy says 2; a multi-frame GIF read
 *     without a frame selection then fails as a whole, hence "[0]".
 *   - Naming the coder (MagickSetFormat) does not stop ImageMagick from reading the bytes
 *     with another coder that recognises them; the ping reports the coder it really used,
 *     and a disagreement with libmagic is refused.
 *   - Policy rights from several policy files are applied in load order (ours, then the
 *     system's), the last matching rule winning, so a later file could allow a coder again;
 *     image_init checks the effective rights, not the file.
 *   - A coder's warnings (libjpeg's "Premature end of JPEG file") land on the image, not on
 *     the wand: judge() reads both.
 *   - The PNG coder refuses a side over the "width"/"height" limit during the ping without
 *     any exception, hence the pre-pass reads the IHDR itself.
 *   - libpng inflates every zTXt, iTXt and iCCP chunk in full during the ping, and the
 *     progress monitor is not called meanwhile (a 2 MB PNG of 41 zTXt took 135 s and 2 GB).
 *   - The "map" pixel cache is a mapped disk file, so with "disk" 0 the "memory" limit is
 *     the whole pixel budget: 16-bit RGBA is 8 bytes a pixel, a decode or colorspace change
 *     briefly holds two copies and a resize a third. Large JPEGs are decoded at reduced
 *     scale (jpeg:size); other formats stop with IMAGE_TOO_MANY_PIXELS at about 12 MP.
 */
#include "media/image.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <magic.h>
#include <wand/MagickWand.h>

#include "base/errbuf.h"
#include "base/log.h"
#include "media/prepass.h"

/* ImageMagick is opened on the first image, not at start: mapping it and MagickWandGenesis
 * cost an idle worker about 3 MiB of its 8 (make bench). image_check proves at start, in a
 * child, that it loads and the policy is in force. Every call below goes through this table
 * (the names are macros for its members from here on). */
#ifndef IMAGE_WAND_SO
#define IMAGE_WAND_SO "libMagickWand-6.Q16.so.6"
#endif
#define WAND_FUNCS(X) \
	X(ClearMagickException) \
	X(ClearMagickWand) \
	X(CloneMagickWand) \
	X(DestroyMagickWand) \
	X(DestroyPixelWand) \
	X(GetImageFromMagickWand) \
	X(GetMagickResourceLimit) \
	X(IsRightsAuthorized) \
	X(MagickAutoOrientImage) \
	X(MagickClearException) \
	X(MagickExportImagePixels) \
	X(MagickGetException) \
	X(MagickGetExceptionType) \
	X(MagickGetImageAlphaChannel) \
	X(MagickGetImageBlob) \
	X(MagickGetImageColorspace) \
	X(MagickGetImageFormat) \
	X(MagickGetImageHeight) \
	X(MagickGetImageWidth) \
	X(MagickGetNumberImages) \
	X(MagickPingImageBlob) \
	X(MagickReadImageBlob) \
	X(MagickRelinquishMemory) \
	X(MagickRemoveImage) \
	X(MagickResetImagePage) \
	X(MagickResizeImage) \
	X(MagickScaleImage) \
	X(MagickSetFilename) \
	X(MagickSetFirstIterator) \
	X(MagickSetFormat) \
	X(MagickSetImageAlphaChannel) \
	X(MagickSetImageBackgroundColor) \
	X(MagickSetImageCompressionQuality) \
	X(MagickSetImageDepth) \
	X(MagickSetImageFormat) \
	X(MagickSetImageInterlaceScheme) \
	X(MagickSetInterlaceScheme) \
	X(MagickSetLastIterator) \
	X(MagickSetOption) \
	X(MagickSetProgressMonitor) \
	X(MagickSetSamplingFactors) \
	X(MagickSetType) \
	X(MagickStripImage) \
	X(MagickTransformImageColorspace) \
	X(MagickWandGenesis) \
	X(MagickWandTerminus) \
	X(NewMagickWand) \
	X(NewPixelWand) \
	X(PixelSetColor) \
	X(SetMagickResourceLimit)

#define WAND_MEMBER(f) __typeof__(f) *f;
static struct {
	WAND_FUNCS(WAND_MEMBER)
} wand;
#undef WAND_MEMBER

/* Opens the library and fills the table (before the names become macros). */
static int wand_open(char *err, size_t errsz)
{
	void *h = dlopen(IMAGE_WAND_SO, RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		errbuf_set(err, errsz, "image: %s", dlerror());
		return -1;
	}
#define WAND_LOAD(f)                                                                     \
	if (!(*(void **)&wand.f = dlsym(h, #f))) {                                       \
		errbuf_set(err, errsz, "image: %s has no %s", IMAGE_WAND_SO, #f);          \
		return -1;                                                               \
	}
	WAND_FUNCS(WAND_LOAD)
#undef WAND_LOAD
	return 0;
}
#define ClearMagickException (*wand.ClearMagickException)
#define ClearMagickWand (*wand.ClearMagickWand)
#define CloneMagickWand (*wand.CloneMagickWand)
#define DestroyMagickWand (*wand.DestroyMagickWand)
#define DestroyPixelWand (*wand.DestroyPixelWand)
#define GetImageFromMagickWand (*wand.GetImageFromMagickWand)
#define GetMagickResourceLimit (*wand.GetMagickResourceLimit)
#define IsRightsAuthorized (*wand.IsRightsAuthorized)
#define MagickAutoOrientImage (*wand.MagickAutoOrientImage)
#define MagickClearException (*wand.MagickClearException)
#define MagickExportImagePixels (*wand.MagickExportImagePixels)
#define MagickGetException (*wand.MagickGetException)
#define MagickGetExceptionType (*wand.MagickGetExceptionType)
#define MagickGetImageAlphaChannel (*wand.MagickGetImageAlphaChannel)
#define MagickGetImageBlob (*wand.MagickGetImageBlob)
#define MagickGetImageColorspace (*wand.MagickGetImageColorspace)
#define MagickGetImageFormat (*wand.MagickGetImageFormat)
#define MagickGetImageHeight (*wand.MagickGetImageHeight)
#define MagickGetImageWidth (*wand.MagickGetImageWidth)
#define MagickGetNumberImages (*wand.MagickGetNumberImages)
#define MagickPingImageBlob (*wand.MagickPingImageBlob)
#define MagickReadImageBlob (*wand.MagickReadImageBlob)
#define MagickRelinquishMemory (*wand.MagickRelinquishMemory)
#define MagickRemoveImage (*wand.MagickRemoveImage)
#define MagickResetImagePage (*wand.MagickResetImagePage)
#define MagickResizeImage (*wand.MagickResizeImage)
#define MagickSetFilename (*wand.MagickSetFilename)
#define MagickSetFirstIterator (*wand.MagickSetFirstIterator)
#define MagickSetFormat (*wand.MagickSetFormat)
#define MagickSetImageAlphaChannel (*wand.MagickSetImageAlphaChannel)
#define MagickSetImageBackgroundColor (*wand.MagickSetImageBackgroundColor)
#define MagickSetImageCompressionQuality (*wand.MagickSetImageCompressionQuality)
#define MagickSetImageDepth (*wand.MagickSetImageDepth)
#define MagickSetImageFormat (*wand.MagickSetImageFormat)
#define MagickSetImageInterlaceScheme (*wand.MagickSetImageInterlaceScheme)
#define MagickSetInterlaceScheme (*wand.MagickSetInterlaceScheme)
#define MagickSetLastIterator (*wand.MagickSetLastIterator)
#define MagickSetOption (*wand.MagickSetOption)
#define MagickSetProgressMonitor (*wand.MagickSetProgressMonitor)
#define MagickSetSamplingFactors (*wand.MagickSetSamplingFactors)
#define MagickSetType (*wand.MagickSetType)
#define MagickStripImage (*wand.MagickStripImage)
#define MagickScaleImage (*wand.MagickScaleImage)
#define MagickTransformImageColorspace (*wand.MagickTransformImageColorspace)
#define MagickWandGenesis (*wand.MagickWandGenesis)
#define MagickWandTerminus (*wand.MagickWandTerminus)
#define NewMagickWand (*wand.NewMagickWand)
#define NewPixelWand (*wand.NewPixelWand)
#define PixelSetColor (*wand.PixelSetColor)
#define SetMagickResourceLimit (*wand.SetMagickResourceLimit)

#ifndef MAGIC_NO_COMPRESS_FORK /* file < 5.44 */
#define MAGIC_NO_COMPRESS_FORK 0
#endif

/* The per-image deadline, checked in ImageMagick's progress monitor. */
#ifndef IMAGE_DEADLINE_MS
#define IMAGE_DEADLINE_MS 10000
#endif
/* libmagic looks at no more than this many leading bytes: our four formats are named by
 * their first bytes, and the rest is not worth scanning for a refusal reason. */
#define SNIFF_BYTES 65536

/* The resource limits of uploads-policy/policy.xml, set again as a second fence. */
#define LIMIT_MEMORY (256ULL << 20)
#define LIMIT_MAP (512ULL << 20)
#define LIMIT_AREA 64000000ULL
#define LIMIT_SIDE 16000ULL /* "16KP": ImageMagick counts K as 1000 here */
#define LIMIT_LIST 2ULL /* admits one image: see the design notes */

struct format {
	unsigned bit;
	const char *name;  /* image_sniff's answer and image_out.detected */
	const char *coder; /* ImageMagick's name */
};

static const struct format formats[] = {
	{ IMAGE_JPEG, "jpeg", "JPEG" },
	{ IMAGE_PNG, "png", "PNG" },
	{ IMAGE_GIF, "gif", "GIF" },
	{ IMAGE_BMP, "bmp", "BMP" },
};

/* What a file name's extension or a declared MIME type may say, per format. */
static const struct {
	unsigned bit;
	const char *word;
} exts[] = {
	{ IMAGE_JPEG, "jpg" }, { IMAGE_JPEG, "jpeg" }, { IMAGE_JPEG, "jpe" }, { IMAGE_JPEG, "jfif" },
	{ IMAGE_PNG, "png" },  { IMAGE_GIF, "gif" },   { IMAGE_BMP, "bmp" },
}, mimes[] = {
	{ IMAGE_JPEG, "image/jpeg" }, { IMAGE_JPEG, "image/jpg" },	{ IMAGE_JPEG, "image/pjpeg" },
	{ IMAGE_PNG, "image/png" },   { IMAGE_PNG, "image/x-png" },	{ IMAGE_GIF, "image/gif" },
	{ IMAGE_BMP, "image/bmp" },   { IMAGE_BMP, "image/x-bmp" },	{ IMAGE_BMP, "image/x-ms-bmp" },
};

/* libmagic's MIME names of the four formats (file 5.44 says image/bmp, older image/x-ms-bmp). */
static const struct {
	const char *mime;
	const char *name;
} sniffed[] = {
	{ "image/jpeg", "jpeg" }, { "image/png", "png" },	  { "image/gif", "gif" },
	{ "image/bmp", "bmp" },	  { "image/x-ms-bmp", "bmp" }, { "image/x-bmp", "bmp" },
};

struct deadline {
	struct timespec end;
	int expired;
};

static magic_t cookie;
static int ready;                   /* image_ready succeeded */
static char policy[PATH_MAX];       /* image_init's folder, absolute; "" before */
static const char *log_id;          /* image_log_id's request id */

/* Coders and delegates that must be refused: the ImageTragick family and every format that
 * reads other files, URLs or runs programs. A sample, not the list: the policy denies "*". */
static const char *const denied_coders[] = {
	"SVG", "MSVG", "MVG", "MSL", "TEXT", "TXT", "LABEL", "CAPTION", "EPHEMERAL", "URL", "HTTP",
	"HTTPS", "FTP", "PS", "EPS", "PDF", "XPS", "PCL", "INFO", "MIFF", "TIFF", "WEBP", "MNG", "JNG",
};

/* Refuses to run with a policy that is not ours in effect (file missing, overridden by a later
 * policy file, or the system's left in force). */
static int check_policy(char *err, size_t errsz)
{
	for (size_t i = 0; i < sizeof(denied_coders) / sizeof(denied_coders[0]); i++) {
		if (IsRightsAuthorized(CoderPolicyDomain, ReadPolicyRights, denied_coders[i]) ||
		    IsRightsAuthorized(ModulePolicyDomain, ReadPolicyRights, denied_coders[i])) {
			errbuf_set(err, errsz, "image: the policy allows coder %s", denied_coders[i]);
			return -1;
		}
	}
	if (IsRightsAuthorized(DelegatePolicyDomain, ExecutePolicyRights, "gs") ||
	    IsRightsAuthorized(PathPolicyDomain, ReadPolicyRights, "@/etc/passwd")) {
		errbuf_set(err, errsz, "image: the policy allows delegates or @files");
		return -1;
	}
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		if (!IsRightsAuthorized(CoderPolicyDomain, ReadPolicyRights, formats[i].coder) ||
		    !IsRightsAuthorized(ModulePolicyDomain, ReadPolicyRights, formats[i].coder)) {
			errbuf_set(err, errsz, "image: the policy refuses coder %s", formats[i].coder);
			return -1;
		}
	}
	if (!IsRightsAuthorized(CoderPolicyDomain, WritePolicyRights, "JPEG")) {
		errbuf_set(err, errsz, "image: the policy refuses to write JPEG");
		return -1;
	}
	if (GetMagickResourceLimit(TimeResource) != MagickResourceInfinity) {
		errbuf_set(err, errsz,
			"image: a \"time\" resource limit is set (policy or MAGICK_TIME_LIMIT); in "
			"ImageMagick 6 it exits the worker once it has lived that long");
		return -1;
	}
	if (GetMagickResourceLimit(DiskResource) != 0 ||
	    GetMagickResourceLimit(ListLengthResource) > LIMIT_LIST ||
	    GetMagickResourceLimit(AreaResource) > LIMIT_AREA ||
	    GetMagickResourceLimit(MemoryResource) > LIMIT_MEMORY ||
	    GetMagickResourceLimit(MapResource) > LIMIT_MAP ||
	    GetMagickResourceLimit(WidthResource) > LIMIT_SIDE ||
	    GetMagickResourceLimit(HeightResource) > LIMIT_SIDE ||
	    GetMagickResourceLimit(ThreadResource) != 1) {
		errbuf_set(err, errsz, "image: the resource limits are not those of the policy");
		return -1;
	}
	return 0;
}

int image_init(const char *policy_dir, char *err, size_t errsz)
{
	char dir[PATH_MAX], file[PATH_MAX + 16];
	FILE *f;

	if (policy[0]) {
		errbuf_set(err, errsz, "image: image_init called twice");
		return -1;
	}
	if (!policy_dir || !realpath(policy_dir, dir)) {
		errbuf_set(err, errsz, "image: policy folder %s not found",
			policy_dir ? policy_dir : "(none)");
		return -1;
	}
	/* Without our file ImageMagick would quietly run under the system policy alone. */
	snprintf(file, sizeof(file), "%s/policy.xml", dir);
	f = fopen(file, "r");
	if (!f) {
		errbuf_set(err, errsz, "image: cannot read %s", file);
		return -1;
	}
	fclose(f);
	if (setenv("MAGICK_CONFIGURE_PATH", dir, 1) != 0) {
		errbuf_set(err, errsz, "image: setenv: %s", strerror(errno));
		return -1;
	}
	memcpy(policy, dir, sizeof(policy));
	return 0;
}

int image_ready(char *err, size_t errsz)
{
	static int opened;

	if (ready)
		return 0;
	if (!policy[0]) {
		errbuf_set(err, errsz, "image: image_init not called");
		return -1;
	}
	if (!opened && wand_open(err, errsz) != 0)
		return -1;
	opened = 1;
	MagickWandGenesis();
	/* The second fence: these can only lower what the policy says, never raise it. */
	SetMagickResourceLimit(MemoryResource, LIMIT_MEMORY);
	SetMagickResourceLimit(MapResource, LIMIT_MAP);
	SetMagickResourceLimit(AreaResource, LIMIT_AREA);
	SetMagickResourceLimit(DiskResource, 0);
	SetMagickResourceLimit(WidthResource, LIMIT_SIDE);
	SetMagickResourceLimit(HeightResource, LIMIT_SIDE);
	SetMagickResourceLimit(ListLengthResource, LIMIT_LIST);
	SetMagickResourceLimit(ThreadResource, 1);
	/* No TimeResource: see the design notes (it would exit the worker); the deadline is ours. */
	if (check_policy(err, errsz) != 0)
		goto fail;

	/* Lean: no decompression, no ELF/tar/CDF/JSON/CSV parsers, MIME type only. */
	cookie = magic_open(MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS | MAGIC_NO_COMPRESS_FORK |
			    MAGIC_NO_CHECK_ELF | MAGIC_NO_CHECK_TAR | MAGIC_NO_CHECK_CDF |
			    MAGIC_NO_CHECK_APPTYPE | MAGIC_NO_CHECK_JSON | MAGIC_NO_CHECK_CSV);
	if (!cookie) {
		errbuf_set(err, errsz, "image: magic_open: %s", strerror(errno));
		goto fail;
	}
	if (magic_load(cookie, NULL) != 0) {
		errbuf_set(err, errsz, "image: magic_load: %s", magic_error(cookie));
		magic_close(cookie);
		cookie = NULL;
		goto fail;
	}
	ready = 1;
	return 0;
fail:
	MagickWandTerminus();
	return -1;
}

int image_check(const char *policy_dir, char *err, size_t errsz)
{
	char msg[256] = "";
	int fds[2], status;
	ssize_t k;
	size_t n = 0;
	pid_t pid;

	if (pipe(fds) != 0) {
		errbuf_set(err, errsz, "image: pipe: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		errbuf_set(err, errsz, "image: fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		char why[256] = "";
		int rc;

		close(fds[0]);
		rc = image_init(policy_dir, why, sizeof(why)) == 0 && image_ready(why, sizeof(why)) == 0;
		if (!rc && write(fds[1], why, strlen(why)) < 0)
			_exit(2);
		_exit(rc ? 0 : 1);
	}
	close(fds[1]);
	while (n < sizeof(msg) - 1 && (k = read(fds[0], msg + n, sizeof(msg) - 1 - n)) > 0)
		n += (size_t)k;
	msg[n] = '\0';
	close(fds[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		errbuf_set(err, errsz, "%s", msg[0] ? msg : "image: the check died");
		return -1;
	}
	return 0;
}

void image_done(void)
{
	if (ready) {
		magic_close(cookie);
		cookie = NULL;
		MagickWandTerminus();
		ready = 0;
	}
	policy[0] = '\0';
}

const char *image_sniff(const void *data, size_t n)
{
	char err[256];
	const char *mime;

	if (!ready && image_ready(err, sizeof(err)) != 0) {
		log_rid(LOG_ERROR, log_id, "%s", err);
		return "application/octet-stream";
	}
	if (n == 0)
		return "application/x-empty";
	mime = magic_buffer(cookie, data, n < SNIFF_BYTES ? n : SNIFF_BYTES);
	if (!mime)
		return "application/octet-stream";
	for (size_t i = 0; i < sizeof(sniffed) / sizeof(sniffed[0]); i++) {
		if (strcmp(mime, sniffed[i].mime) == 0)
			return sniffed[i].name;
	}
	return mime;
}

static const struct format *format_named(const char *name)
{
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		if (strcmp(name, formats[i].name) == 0)
			return &formats[i];
	}
	return NULL;
}

/* 1 if the extension (with or without its dot, any case) names another format than bit or
 * none we know; an absent or empty extension says nothing. */
static int ext_mismatch(const char *ext, unsigned bit)
{
	if (!ext)
		return 0;
	if (*ext == '.')
		ext++;
	if (!*ext)
		return 0;
	for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		if (strcasecmp(ext, exts[i].word) == 0)
			return exts[i].bit != bit;
	}
	return 1;
}

/* 1 if the declared MIME type names another format than bit, or one we do not know.
 * Parameters (";...") and surrounding blanks are ignored; absent, empty and
 * application/octet-stream (what a browser sends when it does not know) say nothing. */
static int mime_mismatch(const char *mime, unsigned bit)
{
	size_t len;

	if (!mime)
		return 0;
	while (*mime == ' ' || *mime == '\t')
		mime++;
	len = strcspn(mime, "; \t");
	if (len == 0 || (len == 24 && strncasecmp(mime, "application/octet-stream", len) == 0))
		return 0;
	for (size_t i = 0; i < sizeof(mimes) / sizeof(mimes[0]); i++) {
		if (strlen(mimes[i].word) == len && strncasecmp(mime, mimes[i].word, len) == 0)
			return mimes[i].bit != bit;
	}
	return 1;
}

static int rules_valid(const struct image_rules *r)
{
	return r && (r->formats & (IMAGE_JPEG | IMAGE_PNG | IMAGE_GIF | IMAGE_BMP)) &&
	       r->max_pixels > 0 && r->min_pixels <= r->max_pixels && r->max_side > 0 &&
	       r->thumb_side > 0 && r->jpeg_quality >= 1 && r->jpeg_quality <= 100;
}

static MagickBooleanType on_progress(const char *text, const MagickOffsetType offset,
				     const MagickSizeType span, void *client)
{
	struct deadline *dl = client;
	struct timespec now;

	(void)text;
	(void)offset;
	(void)span;
	if (dl->expired)
		return MagickFalse;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec > dl->end.tv_sec ||
	    (now.tv_sec == dl->end.tv_sec && now.tv_nsec >= dl->end.tv_nsec))
		dl->expired = 1;
	return dl->expired ? MagickFalse : MagickTrue;
}

/* Names the coder, asks for the first frame only and arms the deadline; a cleared wand
 * (ClearMagickWand) has forgotten all three. */
static int wand_prepare(MagickWand *w, const struct format *f, struct deadline *dl)
{
	if (!MagickSetFormat(w, f->coder) || !MagickSetFilename(w, "upload[0]"))
		return -1;
	MagickSetProgressMonitor(w, on_progress, dl);
	return 0;
}

/* Whether ImageMagick's name of the format it read is f: its coder's name, or a variant the
 * same coder reports (BMP2 and BMP3 for the older BMP headers, PNG8, PNG24, ..., GIF87). */
static int coder_is(const struct format *f, const char *got)
{
	size_t k = strlen(f->coder);

	if (strncasecmp(got, f->coder, k) != 0)
		return 0;
	for (got += k; *got; got++) {
		if (*got < '0' || *got > '9')
			return 0;
	}
	return 1;
}

/* The result of an ImageMagick step: IMAGE_OK when it succeeded with at most harmless
 * warnings, else the reason. A step that failed without saying why gets fail_rc. Both
 * reports are read and cleared: the wand's, and the one the coder left on the image (in
 * ImageMagick 6 a coder's warnings, libjpeg's among them, land there, not in the wand).
 *
 * Decision on warnings: a CorruptImageWarning is IMAGE_CORRUPT. libjpeg reports a truncated
 * file ("Premature end of JPEG file") or damaged entropy data ("Corrupt JPEG data: ...") as a
 * warning and fills the missing part with grey; keeping that would store a scan whose lower
 * half is gone, which a reviewer may not notice. Other warnings (a PNG's unknown chunk or
 * wrong sRGB profile, a malformed EXIF tag) leave the pixels intact and are ignored. */
static int judge(MagickWand *w, MagickBooleanType ok, const struct deadline *dl,
		 const char *stage, int fail_rc)
{
	ExceptionType sev = MagickGetExceptionType(w);
	ExceptionInfo *ie = NULL;
	char *desc = NULL;
	const char *why = NULL, *where = NULL;
	int rc;

	if (MagickGetNumberImages(w) > 0) {
		Image *img = GetImageFromMagickWand(w);

		if (img && img->exception.severity != UndefinedException)
			ie = &img->exception;
	}
	if (ie && ie->severity > sev) {
		sev = ie->severity;
		why = ie->reason;
		where = ie->description;
	} else if (sev != UndefinedException) {
		desc = MagickGetException(w, &sev);
		why = desc;
	}

	if (dl->expired)
		rc = IMAGE_CORRUPT; /* 10 s within the pixel limits: a decoding bomb */
	else if (sev == CorruptImageWarning)
		rc = IMAGE_CORRUPT;
	else if (ok && sev < ErrorException)
		rc = IMAGE_OK;
	else if (sev == ResourceLimitWarning || sev == ResourceLimitError ||
		 sev == ResourceLimitFatalError || sev == CacheError || sev == CacheFatalError)
		rc = IMAGE_TOO_MANY_PIXELS; /* a policy fence: memory, map, area, list length */
	else if (why && strstr(why, "width or height exceeds limit"))
		rc = IMAGE_TOO_MANY_PIXELS; /* the policy's side fence (an ImageError) */
	else if (sev == PolicyError || sev == MissingDelegateError)
		rc = IMAGE_UNSUPPORTED;
	else
		rc = fail_rc;

	if (rc != IMAGE_OK || sev != UndefinedException)
		log_rid(rc == IMAGE_OK ? LOG_DEBUG : LOG_INFO, log_id, "image: %s: %s: %s %s (%d)%s",
			stage, image_strerror(rc), why ? why : "no reason given", where ? where : "",
			(int)sev, dl->expired ? ", deadline passed" : "");
	if (desc)
		MagickRelinquishMemory(desc);
	if (ie)
		ClearMagickException(ie);
	MagickClearException(w);
	return rc;
}

/* PNG or GIF by their first bytes (what the pre-pass walks), else NULL. */
static const struct format *signature(const void *data, size_t n)
{
	static const unsigned char png[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

	if (n >= 8 && memcmp(data, png, 8) == 0)
		return &formats[1];
	if (n >= 6 && (memcmp(data, "GIF87a", 6) == 0 || memcmp(data, "GIF89a", 6) == 0))
		return &formats[2];
	return NULL;
}

/* The pre-pass of a PNG or GIF (shared/media/prepass.c): refuses by declared size or structure, and
 * points *data at a copy of a PNG without its text, ICC and EXIF chunks (*clean, freed by the
 * caller). */
static int prepass(const void **data, size_t *n, const struct image_rules *r, unsigned char **clean,
		   struct image_out *out)
{
	struct prepass_info pi;
	size_t len = 0;
	int rc;

	if (out->detected == formats[1].name) {
		*clean = malloc(*n);
		if (!*clean)
			return IMAGE_INTERNAL;
		rc = prepass_png(*data, *n, *clean, &len, r->max_pixels, LIMIT_SIDE, &pi);
		out->src_pixels = (unsigned long long)pi.width * pi.height;
	} else if (out->detected == formats[2].name) {
		rc = prepass_gif(*data, *n, r->max_pixels, LIMIT_SIDE, &pi);
		out->src_pixels = (unsigned long long)pi.fwidth * pi.fheight;
	} else {
		return IMAGE_OK;
	}
	if (rc != PREPASS_OK) {
		free(*clean);
		*clean = NULL;
		log_rid(LOG_INFO, log_id, "image: prepass: %s %s, %lux%lu, frame %lux%lu",
			out->detected, rc == PREPASS_BIG ? "too large" : "malformed", pi.width,
			pi.height, pi.fwidth, pi.fheight);
		return rc == PREPASS_BIG ? IMAGE_TOO_MANY_PIXELS : IMAGE_CORRUPT;
	}
	if (pi.stripped)
		log_rid(LOG_DEBUG, log_id, "image: prepass: %u chunks (%zu bytes) left out",
			pi.stripped, pi.stripped_bytes);
	if (*clean) {
		*data = *clean;
		*n = len;
	}
	return IMAGE_OK;
}

/* width x height that fits a side x side box, keeping the aspect; at least 1x1. */
static void fit(size_t w, size_t h, unsigned side, size_t *nw, size_t *nh)
{
	if (w >= h) {
		*nw = side;
		*nh = (size_t)(((unsigned long long)h * side + w / 2) / w);
	} else {
		*nh = side;
		*nw = (size_t)(((unsigned long long)w * side + h / 2) / h);
	}
	if (*nw == 0)
		*nw = 1;
	if (*nh == 0)
		*nh = 1;
}

/* Encodes the wand's image as a baseline 4:2:0 JPEG into a malloc'd buffer. */
static int encode_jpeg(MagickWand *w, int quality, unsigned char **buf, size_t *len)
{
	/* "2,1,1": luma 2x2, both chroma 1x1, i.e. 4:2:0 (ImageMagick reads "2" as "2x2"). */
	static const double sampling[3] = { 2.0, 1.0, 1.0 };
	unsigned char *blob;
	size_t n = 0;

	/* The wand's format (set to the source's coder for reading) decides the blob's format
	 * over the image's: both must say JPEG, or a PNG upload would come back as a PNG. */
	if (!MagickSetFormat(w, "JPEG") || !MagickSetFilename(w, "") ||
	    !MagickSetImageFormat(w, "JPEG") ||
	    !MagickSetImageCompressionQuality(w, (size_t)quality) ||
	    !MagickSetSamplingFactors(w, 3, sampling) || !MagickSetInterlaceScheme(w, NoInterlace) ||
	    !MagickSetImageInterlaceScheme(w, NoInterlace) || !MagickSetType(w, TrueColorType))
		return -1;
	blob = MagickGetImageBlob(w, &n);
	if (!blob || n < 4 || blob[0] != 0xFF || blob[1] != 0xD8) {
		if (blob)
			MagickRelinquishMemory(blob);
		return -1;
	}
	*buf = malloc(n);
	if (*buf)
		memcpy(*buf, blob, n);
	MagickRelinquishMemory(blob);
	if (!*buf)
		return -1;
	*len = n;
	return 0;
}

/* Auto-orient, strip, sRGB, 8 bits, alpha onto white, downscale: the stored image. The
 * target size comes from the source's size (sw x sh, as pinged), not the decoded one: a
 * JPEG decoded at reduced scale has its sides rounded up, a slightly different aspect. */
static int normalise(MagickWand *w, const struct image_rules *r, const struct deadline *dl,
		     size_t sw, size_t sh)
{
	PixelWand *white;
	size_t cw, ch, nw, nh;
	MagickBooleanType ok;
	int rc;

	/* Applies EXIF Orientation (read by the JPEG coder) and resets it to top-left. */
	rc = judge(w, MagickAutoOrientImage(w), dl, "orient", IMAGE_INTERNAL);
	/* Every profile (EXIF with GPS, XMP, IPTC, ICC), comments and dates. */
	if (rc == IMAGE_OK)
		rc = judge(w, MagickStripImage(w), dl, "strip", IMAGE_INTERNAL);
	/* CMYK (an inverted Adobe one is already undone by the coder), Gray, YCbCr, linear RGB:
	 * the plain transform. The ICC profile went with the strip and we carry no sRGB profile
	 * to convert through: a profile-exact CMYK conversion is not needed for a scan. */
	if (rc == IMAGE_OK && MagickGetImageColorspace(w) != sRGBColorspace)
		rc = judge(w, MagickTransformImageColorspace(w, sRGBColorspace), dl, "colorspace",
			   IMAGE_INTERNAL);
	if (rc == IMAGE_OK)
		rc = judge(w, MagickSetImageDepth(w, 8), dl, "depth", IMAGE_INTERNAL);
	if (rc == IMAGE_OK && MagickGetImageAlphaChannel(w)) {
		/* Transparent parts of a scan are paper: composite onto white, drop the channel. */
		white = NewPixelWand();
		ok = PixelSetColor(white, "white") && MagickSetImageBackgroundColor(w, white);
		DestroyPixelWand(white);
		rc = judge(w, ok ? MagickSetImageAlphaChannel(w, RemoveAlphaChannel) : MagickFalse, dl,
			   "alpha", IMAGE_INTERNAL);
	}
	if (rc != IMAGE_OK)
		return rc;
	cw = MagickGetImageWidth(w);
	ch = MagickGetImageHeight(w);
	if ((cw > ch) != (sw > sh)) { /* turned a quarter by the orientation */
		size_t tmp = sw;

		sw = sh;
		sh = tmp;
	}
	if (sw <= r->max_side && sh <= r->max_side)
		return IMAGE_OK;
	fit(sw, sh, r->max_side, &nw, &nh);
	if (cw == nw && ch == nh) /* a JPEG decoded at scale may be there already */
		return IMAGE_OK;
	/* Lanczos: sharp text edges for a reviewer's eyes. */
	return judge(w, MagickResizeImage(w, nw, nh, LanczosFilter, 1.0), dl, "resize",
		     IMAGE_INTERNAL);
}

/* The normalised pixels as 8-bit RGB, for the scan checks (shared/media/scan.c) to read. */
static int export_rgb(MagickWand *w, struct image_out *out)
{
	size_t cw = MagickGetImageWidth(w), ch = MagickGetImageHeight(w);

	out->rgb = malloc(cw * ch * 3);
	if (!out->rgb)
		return -1;
	return MagickExportImagePixels(w, 0, 0, cw, ch, "RGB", CharPixel, out->rgb) ? 0 : -1;
}

/* Refuses by pixel count (the source's, as pinged, or the decoded frame's). */
static int check_pixels(unsigned long long pixels, const struct image_rules *r)
{
	if (pixels == 0)
		return IMAGE_CORRUPT;
	if (pixels > r->max_pixels)
		return IMAGE_TOO_MANY_PIXELS;
	if (pixels < r->min_pixels)
		return IMAGE_TOO_FEW_PIXELS;
	return IMAGE_OK;
}

int image_process(const void *data, size_t n, const char *declared_ext, const char *declared_mime,
		  const struct image_rules *r, struct image_out *out)
{
	struct deadline dl = { { 0, 0 }, 0 };
	const struct format *f;
	unsigned char *clean = NULL;
	unsigned ms;
	int prepassed = 0;
	char err[256];
	MagickWand *w = NULL, *t = NULL;
	char *coder = NULL;
	size_t pw, ph, tw, th;
	unsigned long long pixels;
	int rc, scaled = 0;

	if (!out)
		return IMAGE_INTERNAL;
	memset(out, 0, sizeof(*out));
	if (!rules_valid(r))
		return IMAGE_INTERNAL;
	if (n == 0)
		return IMAGE_EMPTY;
	if (!data)
		return IMAGE_INTERNAL;
	if (n > r->max_bytes)
		return IMAGE_TOO_LARGE;
	/* A PNG or GIF flood, bomb or broken stream is refused before any library is loaded. */
	f = signature(data, n);
	if (f && (r->formats & f->bit) && !ext_mismatch(declared_ext, f->bit) &&
	    !mime_mismatch(declared_mime, f->bit)) {
		out->detected = f->name;
		if ((rc = prepass(&data, &n, r, &clean, out)) != IMAGE_OK)
			return rc;
		prepassed = 1;
	}
	if (!ready && image_ready(err, sizeof(err)) != 0) {
		log_rid(LOG_ERROR, log_id, "%s", err);
		rc = IMAGE_INTERNAL;
		goto out;
	}
	f = format_named(image_sniff(data, n));
	rc = IMAGE_UNSUPPORTED;
	if (!f)
		goto out;
	out->detected = f->name;
	if (!(r->formats & f->bit))
		goto out;
	rc = IMAGE_MISMATCH;
	if (ext_mismatch(declared_ext, f->bit) || mime_mismatch(declared_mime, f->bit))
		goto out;
	if (!prepassed && (rc = prepass(&data, &n, r, &clean, out)) != IMAGE_OK)
		goto out;

	ms = r->deadline_ms ? r->deadline_ms : IMAGE_DEADLINE_MS;
	clock_gettime(CLOCK_MONOTONIC, &dl.end);
	dl.end.tv_sec += ms / 1000;
	dl.end.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (dl.end.tv_nsec >= 1000000000L) {
		dl.end.tv_sec++;
		dl.end.tv_nsec -= 1000000000L;
	}

	/* Ping: the header only, no pixel cache. */
	w = NewMagickWand();
	if (wand_prepare(w, f, &dl) != 0) {
		rc = IMAGE_INTERNAL;
		goto out;
	}
	rc = judge(w, MagickPingImageBlob(w, data, n), &dl, "ping", IMAGE_CORRUPT);
	if (rc != IMAGE_OK)
		goto out;
	/* The coder ImageMagick really used must be the one libmagic named. */
	coder = MagickGetImageFormat(w);
	if (MagickGetNumberImages(w) < 1 || !coder || !coder_is(f, coder)) {
		log_rid(LOG_INFO, log_id, "image: ping: sniffed %s, read as %s", f->coder,
			coder ? coder : "nothing");
		rc = IMAGE_CORRUPT;
		goto out;
	}
	pixels = (unsigned long long)MagickGetImageWidth(w) * MagickGetImageHeight(w);
	out->src_pixels = pixels;
	if ((rc = check_pixels(pixels, r)) != IMAGE_OK)
		goto out;

	/* Decode: the same coder, the first frame. */
	pw = MagickGetImageWidth(w);
	ph = MagickGetImageHeight(w);
	ClearMagickWand(w);
	if (wand_prepare(w, f, &dl) != 0) {
		rc = IMAGE_INTERNAL;
		goto out;
	}
	if (f->bit == IMAGE_JPEG && (pw >= 2 * (size_t)r->max_side || ph >= 2 * (size_t)r->max_side)) {
		/* A JPEG at least twice the stored size decodes at 1/2, 1/4 or 1/8 scale
		 * (libjpeg's DCT scaling), never below the size it is resized to: a quarter of
		 * the memory and time per halving. Without it a 20 MP JPEG does not fit the
		 * policy's 256 MiB (16-bit RGBA pixel cache, briefly twice over). */
		char hint[48];

		fit(pw, ph, r->max_side, &tw, &th);
		snprintf(hint, sizeof(hint), "%zux%zu", tw, th);
		if (!MagickSetOption(w, "jpeg:size", hint)) {
			rc = IMAGE_INTERNAL;
			goto out;
		}
		scaled = 1;
	}
	if ((rc = judge(w, MagickReadImageBlob(w, data, n), &dl, "decode", IMAGE_CORRUPT)) !=
	    IMAGE_OK)
		goto out;
	if (MagickGetNumberImages(w) < 1) {
		rc = IMAGE_CORRUPT;
		goto out;
	}
	while (MagickGetNumberImages(w) > 1) {
		MagickSetLastIterator(w);
		MagickRemoveImage(w);
	}
	MagickSetFirstIterator(w);
	/* The frame decoded may differ from what the ping said (a GIF frame is not its logical
	 * screen): check again, and drop the virtual canvas so no later step can inflate it. */
	if (!scaled) {
		pw = MagickGetImageWidth(w);
		ph = MagickGetImageHeight(w);
	}
	if ((rc = check_pixels((unsigned long long)pw * ph, r)) != IMAGE_OK)
		goto out;
	if ((rc = judge(w, MagickResetImagePage(w, "0x0+0+0"), &dl, "page", IMAGE_INTERNAL)) !=
	    IMAGE_OK)
		goto out;

	if ((rc = normalise(w, r, &dl, pw, ph)) != IMAGE_OK)
		goto out;
	if (r->want_rgb && export_rgb(w, out) != 0) {
		rc = judge(w, MagickFalse, &dl, "export", IMAGE_INTERNAL);
		goto out;
	}
	if (encode_jpeg(w, r->jpeg_quality, &out->data, &out->len) != 0) {
		rc = judge(w, MagickFalse, &dl, "encode", IMAGE_INTERNAL);
		goto out;
	}
	out->width = (unsigned)MagickGetImageWidth(w);
	out->height = (unsigned)MagickGetImageHeight(w);

	/* The thumbnail, from the normalised image: never larger than it. */
	t = CloneMagickWand(w);
	fit(out->width, out->height, r->thumb_side, &tw, &th);
	if (tw > out->width || th > out->height) {
		tw = out->width;
		th = out->height;
	}
	/* Each thumbnail pixel the average of the page's pixels it covers (MagickScaleImage), in
	 * one pass: MagickThumbnailImage samples to 5x the size first, then resizes with Lanczos,
	 * more work than decoding the scan (callgrind, a 1240 x 1754 page: 581 M instructions of
	 * 1,285 M), for a picture a reviewer sees at 240 px. */
	if ((rc = judge(t, MagickScaleImage(t, tw, th), &dl, "thumbnail", IMAGE_INTERNAL)) != IMAGE_OK)
		goto out;
	if (encode_jpeg(t, r->jpeg_quality, &out->thumb, &out->thumb_len) != 0) {
		rc = judge(t, MagickFalse, &dl, "thumbnail encode", IMAGE_INTERNAL);
		goto out;
	}
	/* The deadline may have passed during the last step. */
	rc = dl.expired ? IMAGE_CORRUPT : IMAGE_OK;
out:
	if (coder)
		MagickRelinquishMemory(coder);
	if (t)
		DestroyMagickWand(t);
	if (w)
		DestroyMagickWand(w);
	free(clean);
	if (rc != IMAGE_OK) {
		free(out->data);
		free(out->thumb);
		free(out->rgb);
		out->data = out->thumb = out->rgb = NULL;
		out->len = out->thumb_len = 0;
		out->width = out->height = 0;
	}
	return rc;
}

void image_log_id(const char *rid)
{
	log_id = rid;
}

void image_out_free(struct image_out *out)
{
	if (!out)
		return;
	free(out->data);
	free(out->thumb);
	free(out->rgb);
	memset(out, 0, sizeof(*out));
}

const char *image_strerror(int rc)
{
	switch (rc) {
	case IMAGE_OK:
		return "ok";
	case IMAGE_EMPTY:
		return "empty";
	case IMAGE_TOO_LARGE:
		return "too large";
	case IMAGE_UNSUPPORTED:
		return "unsupported type";
	case IMAGE_MISMATCH:
		return "declared type does not match the content";
	case IMAGE_TOO_MANY_PIXELS:
		return "too many pixels";
	case IMAGE_TOO_FEW_PIXELS:
		return "too few pixels";
	case IMAGE_CORRUPT:
		return "corrupt";
	case IMAGE_INTERNAL:
		return "internal error";
	}
	return "unknown";
}
