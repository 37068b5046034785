/* scanforge: draws test scans of the hall's printed forms (text blocks, tables, the QR, a red
 * seal) into RGB pages, and writes them as BMP, for the scan tests and the bench. */
#ifndef CERTHALL_SCANFORGE_H
#define CERTHALL_SCANFORGE_H

#include <stddef.h>

struct forge_page {
	unsigned w, h;
	unsigned char *rgb; /* w x h x 3, malloc'd */
};

/* A white page; 0 or -1 (no memory). */
int forge_page_new(struct forge_page *p, unsigned w, unsigned h);
void forge_page_free(struct forge_page *p);

/* The body of a form as an A4 page lays it out: a title, rows of "characters" (random
 * strokes in a character's box; seed picks them), table rules, signature boxes. */
void forge_form_body(struct forge_page *p, unsigned seed);

/* A QR symbol of width x width modules (dark where modules[y * width + x] & 1) with its quiet
 * zone, at the top right where the forms print it: 32 mm on a 210 mm page, whole pixels per
 * module. */
void forge_qr_top_right(struct forge_page *p, const unsigned char *modules, int width);

/* The modules of the QR an SVG of shared/media/qr.c draws ("M<x> <y>h1v1h-1z" per dark module,
 * offset by the 4-module quiet zone) into out (side x side, side <= 177); returns the side,
 * or 0 when svg holds no QR drawing. */
int forge_qr_from_svg(const char *svg, unsigned char *out, size_t cap);

/* A red round seal (ring, star, characters) of radius r centred at (cx, cy), printed over
 * what is there (multiplied, as ink on paper). */
void forge_seal(struct forge_page *p, unsigned cx, unsigned cy, unsigned r);

/* The seal where the forms ask for it: in the last signature box (bottom right). */
void forge_seal_in_box(struct forge_page *p);

/* The page as a 4-bit paletted BMP (grey levels and reds: small enough for every hall's byte
 * limit at 1000 x 1414). *out is malloc'd. 0 or -1. */
int forge_bmp4(const struct forge_page *p, unsigned char **out, size_t *len);

/* The page as an 8-bit grey BMP (1.4 MB at 1000 x 1414): no palette steps on soft edges. */
int forge_bmp8_grey(const struct forge_page *p, unsigned char **out, size_t *len);

/* Blurs the page in place (box passes, sigma about radius pixels). */
void forge_blur(struct forge_page *p, unsigned radius);

#endif
