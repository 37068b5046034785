/* qr: text to a QR code drawn as an SVG string (libqrencode), for printed forms. */
#ifndef CERTHALL_QR_H
#define CERTHALL_QR_H

#include <stddef.h>

#include "base/arena.h"

/* The longest text accepted, in bytes: a form's check URL or a face-check link (500) with
 * room to spare. It bounds the symbol (version <= 40) and so the SVG's size. */
#define QR_MAX_TEXT 700
#define QR_QUIET 4 /* modules of light margin on every side (ISO/IEC 18004 quiet zone) */

enum {
	QR_OK = 0,
	QR_EINVAL = -1,   /* NULL or empty text */
	QR_TOO_LONG = -2, /* over QR_MAX_TEXT bytes, or more than a symbol holds */
	QR_ENOMEM = -3,   /* the encoder or the arena ran out */
};

struct qr_svg {
	const char *svg;  /* NUL-terminated, in the arena */
	size_t len;
	int version;      /* 1..40 */
	int width;        /* modules per side without the quiet zone: 17 + 4 * version */
};

/*
 * Encodes text (8-bit mode, error correction level M, case kept) and draws it: one <svg>
 * whose viewBox is width + 2 * QR_QUIET modules square, a white background, and one <path>
 * made of a unit square "M<x> <y>h1v1h-1z" per dark module, offset by the quiet zone. The
 * same text always gives the same bytes. Nothing of the text itself appears in the SVG.
 * Returns QR_OK or a negative QR_* code (out is then zeroed).
 */
int qr_svg(struct arena *a, const char *text, struct qr_svg *out);

#endif
