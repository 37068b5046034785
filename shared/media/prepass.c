/* prepass: a structural walk over PNG and GIF bytes before any decoder sees them. */

/*
 * Why: libpng inflates every zTXt, iTXt and iCCP chunk in full while ImageMagick reads the
 * header (a 2 MB PNG of 41 zTXt chunks, each 50 MB inflated, held a worker 135 s at 2 GB),
 * and ImageMagick decodes a GIF frame larger than its screen before it refuses it. Neither
 * is needed for a scan we strip of all metadata anyway, so the bytes the decoder gets have
 * none of these chunks, and the sizes a header declares are checked here, in microseconds,
 * before a decoder allocates anything.
 *
 * The same holds for the image data: libpng inflates what follows the last row of an IDAT
 * stream too ("Too much image data"), so 400 KB of PNG that inflate to 400 MB took 10 s
 * while the image itself is 1.4 MB. The image data is inflated here, into a small scratch
 * buffer, and refused once it passes what the IHDR's rows can hold.
 *
 * Byte walking and zlib, nothing else: fuzzed by tests/fuzz/fuzz_prepass.c.
 */
#include "media/prepass.h"

#include <stdint.h>
#include <string.h>

#include <zlib.h>

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

/* The bytes of filtered rows the IHDR declares, over all seven Adam7 passes when interlaced
 * (at most one filter byte per row of each pass more), and slack for encoders' padding; or
 * 0 for an unknown colour type or depth (left to the decoder). */
static unsigned long long png_raw_bound(const unsigned char *ihdr)
{
	static const unsigned channels[7] = { 1, 0, 3, 1, 2, 0, 4 };
	unsigned long long w = be32(ihdr), h = be32(ihdr + 4), row;
	unsigned depth = ihdr[8], type = ihdr[9];

	if (type > 6 || !channels[type] || !depth || depth > 16 || (depth & (depth - 1)))
		return 0;
	row = (w * channels[type] * depth + 7) / 8 + 1;
	return row * h + (ihdr[12] ? 7 * h + 7 * 8 : 0) + 4096;
}

/* Inflates the IDAT data of in (already walked: whole chunks, IHDR first, IEND last) into a
 * scratch buffer; PREPASS_BAD once it yields more than bound bytes. A stream that is damaged
 * or ends early is the decoder's to judge. */
static int png_idat_fits(const unsigned char *in, size_t n, unsigned long long bound)
{
	unsigned char scratch[16384];
	size_t pos = 8;
	z_stream z;
	int rc = PREPASS_OK, zr = Z_OK;

	memset(&z, 0, sizeof(z));
	if (inflateInit(&z) != Z_OK)
		return PREPASS_OK;
	while (pos + 12 <= n && zr == Z_OK) {
		unsigned long len = be32(in + pos);

		if (memcmp(in + pos + 4, "IDAT", 4) == 0) {
			z.next_in = (unsigned char *)(uintptr_t)(in + pos + 8);
			z.avail_in = (uInt)len;
			while (z.avail_in > 0 && zr == Z_OK) {
				z.next_out = scratch;
				z.avail_out = sizeof(scratch);
				zr = inflate(&z, Z_NO_FLUSH);
				if (zr == Z_BUF_ERROR)
					zr = Z_OK; /* no progress possible until more input */
				if (z.total_out > bound) {
					rc = PREPASS_BAD;
					zr = Z_STREAM_END;
				}
			}
		}
		pos += (size_t)len + 12;
	}
	inflateEnd(&z);
	return rc;
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
	unsigned long long bound;

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
	bound = png_raw_bound(in + 16);
	if (bound && png_idat_fits(in, n, bound) != PREPASS_OK)
		return PREPASS_BAD;
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
