/* prepass: a structural walk over PNG and GIF bytes before any decoder sees them. */
#ifndef CERTHALL_PREPASS_H
#define CERTHALL_PREPASS_H

#include <stddef.h>

#define PREPASS_OK 0
#define PREPASS_BAD (-1)  /* not a well-formed chunk or block stream: refuse as corrupt */
#define PREPASS_BIG (-2)  /* the header declares more pixels (or a longer side) than allowed */

/* What the walk learnt: the declared size and what was left out. */
struct prepass_info {
	unsigned long width, height;   /* IHDR; for a GIF its logical screen */
	unsigned long fwidth, fheight; /* a GIF's first frame */
	unsigned stripped;             /* chunks left out */
	size_t stripped_bytes;
};

/*
 * Copies the PNG in[0..n) to out (room for n bytes) without the chunks a decoder may inflate
 * or parse but a normalised scan never keeps: tEXt, zTXt, iTXt, iCCP, eXIf, and every other
 * ancillary chunk but tRNS, gAMA, cHRM, sRGB, sBIT, bKGD and pHYs (which only change pixels).
 * Critical chunks are copied as they are, up to IEND; anything after IEND is dropped. CRCs
 * are left to the decoder. Refuses (PREPASS_BAD) a missing signature, a first chunk that is
 * not a 13-byte IHDR, a chunk running past the end, a length over 2^31-1, no IEND, or more
 * than 65536 chunks, or image data that inflates to more than the declared rows hold (an
 * IDAT bomb; inflated into a 16 KiB scratch buffer, stopping there); PREPASS_BIG when
 * width x height > max_pixels or a side > max_side.
 * Returns PREPASS_OK with *outlen set.
 */
int prepass_png(const unsigned char *in, size_t n, unsigned char *out, size_t *outlen,
		unsigned long long max_pixels, unsigned long max_side, struct prepass_info *info);

/*
 * Walks a GIF to its first image descriptor: PREPASS_BAD for a bad header, a block running
 * past the end, a trailer before any image, or a frame that does not lie inside the logical
 * screen (ImageMagick would grow the screen to it, decoding the whole frame first);
 * PREPASS_BIG when the frame holds more than max_pixels or a side over max_side.
 */
int prepass_gif(const unsigned char *in, size_t n, unsigned long long max_pixels,
		unsigned long max_side, struct prepass_info *info);

#endif
