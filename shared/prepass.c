/* prepass: a structural walk over PNG and GIF bytes before any decoder sees them. */

/*
 * Why: libpng inflates every zTXt, iTXt and iCCP chunk in full while ImageMagick reads the
 * header (a 2 MB PNG of 41 zTXt chunks, each 50 MB inflated, held a worker 135 s at 2 GB),
 * and ImageMagick decodes a GIF frame larger than its screen before it refuses it. Neither
 * is needed for a scan we strip of all metadata anyway, so the bytes the decoder gets have
 * none of these chunks, and the sizes a header declares are checked here, in microseconds,
 * before a decoder allocates anything.
 *
 * Pure byte walking, no allocation, no library: fuzzed by tests/fuzz/fuzz_prepass.c.
 */
#include "prepass.h"

#include <string.h>

#define PNG_MAX_CHUNKS 65536u
#define PNG_MAX_LEN 0x7fffffffUL

static const unsigned char png_sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

/* Ancillary chunks that only change pixels and are cheap to read. */
static const char *const png_keep[] = { "tRNS", "gAMA", "cHRM", "sRGB", "sBIT", "bKGD", "pHYs" };

static unsigned long be32(const unsigned char *p)
{
	return (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 | (unsigned long)p[2] << 8 | p[3];
}

static unsigned long le16(const unsigned char *p)
{
	return (unsigned long)p[0] | (unsigned long)p[1] << 8;
}

static int too_big(unsigned long w, unsigned long h, unsigned long long max_pixels,
		   unsigned long max_side)
{
	return w > max_side || h > max_side || (unsigned long long)w * h > max_pixels;
}

static int png_kept(const unsigned char *type)
{
	/* Bit 5 of the first letter clear (upper case): critical, the decoder must see it. */
	if (!(type[0] & 0x20))
		return 1;
	for (size_t i = 0; i < sizeof(png_keep) / sizeof(png_keep[0]); i++) {
		if (memcmp(type, png_keep[i], 4) == 0)
			return 1;
	}
	return 0;
}

int prepass_png(const unsigned char *in, size_t n, unsigned char *out, size_t *outlen,
		unsigned long long max_pixels, unsigned long max_side, struct prepass_info *info)
{
	size_t pos = 8, o = 8;
	unsigned chunks = 0;

	memset(info, 0, sizeof(*info));
	*outlen = 0;
	if (n < 8 + 25 || memcmp(in, png_sig, 8) != 0)
		return PREPASS_BAD;
	if (be32(in + 8) != 13 || memcmp(in + 12, "IHDR", 4) != 0)
		return PREPASS_BAD;
	info->width = be32(in + 16);
	info->height = be32(in + 20);
	if (info->width == 0 || info->height == 0)
		return PREPASS_BAD;
	if (too_big(info->width, info->height, max_pixels, max_side))
		return PREPASS_BIG;
	memcpy(out, in, 8);
	for (;;) {
		unsigned long len;
		size_t whole;

		if (n - pos < 12 || ++chunks > PNG_MAX_CHUNKS)
			return PREPASS_BAD;
		len = be32(in + pos);
		if (len > PNG_MAX_LEN || len > n - pos - 12)
			return PREPASS_BAD;
		whole = (size_t)len + 12;
		if (png_kept(in + pos + 4)) {
			memmove(out + o, in + pos, whole);
			o += whole;
		} else {
			info->stripped++;
			info->stripped_bytes += whole;
		}
		pos += whole;
		if (memcmp(in + pos - whole + 4, "IEND", 4) == 0)
			break;
	}
	*outlen = o;
	return PREPASS_OK;
}

/* Skips a run of GIF data sub-blocks (size byte, data) up to the empty one; 0 or -1. */
static int gif_skip_blocks(const unsigned char *in, size_t n, size_t *pos)
{
	for (;;) {
		size_t k;

		if (*pos >= n)
			return -1;
		k = in[*pos];
		(*pos)++;
		if (k == 0)
			return 0;
		if (k > n - *pos)
			return -1;
		*pos += k;
	}
}

int prepass_gif(const unsigned char *in, size_t n, unsigned long long max_pixels,
		unsigned long max_side, struct prepass_info *info)
{
	size_t pos = 13;

	memset(info, 0, sizeof(*info));
	if (n < 13 || (memcmp(in, "GIF87a", 6) != 0 && memcmp(in, "GIF89a", 6) != 0))
		return PREPASS_BAD;
	/* The screen alone is no cost: only the frame becomes pixels (the canvas is dropped). */
	info->width = le16(in + 6);
	info->height = le16(in + 8);
	if (in[10] & 0x80) { /* a global colour table of 2^(k+1) RGB entries */
		size_t table = 3u << ((in[10] & 7) + 1);

		if (table > n - pos)
			return PREPASS_BAD;
		pos += table;
	}
	for (;;) {
		if (pos >= n)
			return PREPASS_BAD;
		switch (in[pos]) {
		case 0x21: /* extension: introducer, label, sub-blocks */
			pos += 2;
			if (gif_skip_blocks(in, n, &pos) != 0)
				return PREPASS_BAD;
			break;
		case 0x2c: { /* image descriptor: left, top, width, height */
			unsigned long left, top;

			if (n - pos < 10)
				return PREPASS_BAD;
			left = le16(in + pos + 1);
			top = le16(in + pos + 3);
			info->fwidth = le16(in + pos + 5);
			info->fheight = le16(in + pos + 7);
			if (too_big(info->fwidth, info->fheight, max_pixels, max_side))
				return PREPASS_BIG;
			if (info->fwidth == 0 || info->fheight == 0 ||
			    left + info->fwidth > info->width || top + info->fheight > info->height)
				return PREPASS_BAD;
			return PREPASS_OK;
		}
		default: /* the trailer (0x3b) before any image, or garbage */
			return PREPASS_BAD;
		}
	}
}
