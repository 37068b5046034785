/* scanforge: test scans of printed forms, drawn in plain C (no fonts, no library). */
#include "scanforge.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int forge_page_new(struct forge_page *p, unsigned w, unsigned h)
{
	p->w = w;
	p->h = h;
	p->rgb = malloc((size_t)w * h * 3);
	if (!p->rgb)
		return -1;
	memset(p->rgb, 255, (size_t)w * h * 3);
	return 0;
}

void forge_page_free(struct forge_page *p)
{
	free(p->rgb);
	p->rgb = NULL;
}

/* Ink of colour c multiplied into the rectangle [x0,x1) x [y0,y1), clipped. */
static void ink(struct forge_page *p, long x0, long y0, long x1, long y1, const unsigned char c[3])
{
	if (x0 < 0)
		x0 = 0;
	if (y0 < 0)
		y0 = 0;
	if (x1 > (long)p->w)
		x1 = p->w;
	if (y1 > (long)p->h)
		y1 = p->h;
	for (long y = y0; y < y1; y++)
		for (long x = x0; x < x1; x++) {
			unsigned char *q = p->rgb + 3 * ((size_t)y * p->w + (size_t)x);

			for (int i = 0; i < 3; i++)
				q[i] = (unsigned char)(q[i] * c[i] / 255);
		}
}

static const unsigned char black[3] = { 20, 20, 20 };
static const unsigned char seal_red[3] = { 225, 30, 35 };

static unsigned next(unsigned *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* One "character": 3 to 5 strokes inside a box of side cs at (x, y). */
static void glyph(struct forge_page *p, long x, long y, long cs, unsigned *seed, const unsigned char c[3])
{
	long sw = cs / 10 > 1 ? cs / 10 : 1;
	int strokes = 3 + (int)(next(seed) % 3);

	for (int i = 0; i < strokes; i++) {
		long a = (long)(next(seed) % (unsigned long)cs), b = (long)(next(seed) % (unsigned long)cs);
		long len = cs / 3 + (long)(next(seed) % (unsigned long)(cs / 2 + 1));

		if (next(seed) & 1)
			ink(p, x + a / 2, y + b, x + a / 2 + len, y + b + sw, c);
		else
			ink(p, x + a, y + b / 2, x + a + sw, y + b / 2 + len, c);
	}
}

static void text(struct forge_page *p, long x, long y, int chars, long cs, unsigned *seed)
{
	for (int i = 0; i < chars; i++)
		glyph(p, x + i * (cs + cs / 6), y, cs, seed, black);
}

void forge_form_body(struct forge_page *p, unsigned seed)
{
	long w = p->w, h = p->h, m = w * 12 / 210, cs = w * 37 / 2000, line = cs * 17 / 10;
	long rule = w / 700 > 1 ? w / 700 : 1, y, table_w = w - 2 * m;
	unsigned s = seed ? seed : 1;

	text(p, m, m, 14, cs * 8 / 10, &s);                 /* the CA and the channel */
	text(p, m, m + line, 18, cs * 8 / 10, &s);
	text(p, m, m + 3 * line, 7, cs * 2, &s);            /* the title */
	text(p, m, m + 6 * line, 18, cs * 3 / 2, &s);       /* the order number */
	ink(p, m, m + 8 * line, w - m, m + 8 * line + 2 * rule, black);
	y = m + 9 * line;
	for (int section = 0; section < 4 && y < h * 7 / 10; section++) {
		text(p, m, y, 6, cs, &s);
		y += line + line / 2;
		for (int r = 0; r < 6; r++, y += line + line / 3) {
			ink(p, m, y - line / 4, m + table_w, y - line / 4 + rule, black);
			text(p, m + cs / 2, y, 6, cs, &s);
			text(p, m + table_w * 3 / 10 + cs / 2, y, 8 + (int)(next(&s) % 20), cs, &s);
		}
		ink(p, m, y - line / 4, m + table_w, y - line / 4 + rule, black);
		y += line / 2;
	}
	for (int r = 0; r < 4; r++, y += line + line / 2)     /* the declaration */
		text(p, m + (r == 0 ? 2 * cs : 0), y, r == 3 ? 20 : 38, cs, &s);
	/* Two signature boxes of 32 mm. */
	for (int b = 0; b < 2; b++) {
		long bx0 = m + b * (table_w / 2) + (b ? cs / 2 : 0), bx1 = bx0 + table_w / 2 - cs / 2;
		long by0 = h - m - w * 45 / 210, by1 = by0 + w * 32 / 210;

		ink(p, bx0, by0, bx1, by0 + rule, black);
		ink(p, bx0, by1, bx1, by1 + rule, black);
		ink(p, bx0, by0, bx0 + rule, by1, black);
		ink(p, bx1, by0, bx1 + rule, by1 + rule, black);
		text(p, bx0 + cs / 2, by0 + cs / 2, 5, cs, &s);
	}
	text(p, w - m - 16 * cs, h - m - w * 10 / 210, 12, cs, &s); /* the date */
}

void forge_qr_top_right(struct forge_page *p, const unsigned char *modules, int width)
{
	double side = width + 8, px = p->w * 32.0 / 210.0 / side, m = p->w * 12.0 / 210.0;
	double x0 = p->w - m - side * px, y0 = m;

	/* Module edges on the pixel nearest to where print would put them. */
	for (int y = 0; y < width; y++)
		for (int x = 0; x < width; x++)
			if (modules[y * width + x] & 1)
				ink(p, lround(x0 + (x + 4) * px), lround(y0 + (y + 4) * px),
				    lround(x0 + (x + 5) * px), lround(y0 + (y + 5) * px), black);
}

int forge_qr_from_svg(const char *svg, unsigned char *out, size_t cap)
{
	const char *p = svg ? strstr(svg, "viewBox=\"0 0 ") : NULL;
	long side, width;

	if (!p)
		return 0;
	side = strtol(p + 13, NULL, 10);
	width = side - 8;
	if (width < 21 || width > 177 || (size_t)(width * width) > cap)
		return 0;
	memset(out, 0, (size_t)(width * width));
	p = strstr(p, " d=\"");
	for (p = p ? p + 4 : NULL; p && *p == 'M';) {
		char *end;
		long x = strtol(p + 1, &end, 10) - 4, y;

		if (*end != ' ')
			return 0;
		y = strtol(end + 1, &end, 10) - 4;
		if (strncmp(end, "h1v1h-1z", 8) != 0 || x < 0 || y < 0 || x >= width || y >= width)
			return 0;
		out[y * width + x] = 1;
		p = end + 8;
	}
	return (int)width;
}

static void disc(struct forge_page *p, double cx, double cy, double r, const unsigned char c[3])
{
	for (long y = (long)(cy - r); y <= (long)(cy + r); y++)
		for (long x = (long)(cx - r); x <= (long)(cx + r); x++)
			if ((x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r)
				ink(p, x, y, x + 1, y + 1, c);
}

void forge_seal(struct forge_page *p, unsigned cx, unsigned cy, unsigned r)
{
	double t = r * 0.07;
	unsigned s = 7;

	/* The ring. */
	for (long y = (long)cy - (long)r; y <= (long)cy + (long)r; y++)
		for (long x = (long)cx - (long)r; x <= (long)cx + (long)r; x++) {
			double d = sqrt((double)(x - (long)cx) * (x - (long)cx) + (double)(y - (long)cy) * (y - (long)cy));

			if (d <= r && d >= r - t)
				ink(p, x, y, x + 1, y + 1, seal_red);
		}
	/* The star: a disc of points around the centre. */
	for (int i = 0; i < 5; i++) {
		double a = -M_PI / 2 + i * 2 * M_PI / 5;

		for (double f = 0; f <= 1.0; f += 0.05)
			disc(p, cx + cos(a) * r * 0.28 * f, cy + sin(a) * r * 0.28 * f, r * 0.05, seal_red);
	}
	/* The name along the upper arc, a line below the star. */
	for (int i = 0; i < 14; i++) {
		double a = M_PI * (1.1 + i * 0.8 / 13.0);
		long gx = (long)(cx + cos(a) * r * 0.72), gy = (long)(cy + sin(a) * r * 0.72);

		glyph(p, gx - (long)r / 10, gy - (long)r / 10, (long)r / 5, &s, seal_red);
	}
	for (int i = 0; i < 5; i++)
		glyph(p, (long)cx - (long)r / 2 + i * (long)r / 5, (long)cy + (long)r * 2 / 5, (long)r / 6, &s,
		      seal_red);
}

void forge_seal_in_box(struct forge_page *p)
{
	unsigned m = p->w * 12 / 210, r = p->w * 21 / 210;

	forge_seal(p, p->w - m - p->w * 50 / 210, p->h - m - p->w * 30 / 210, r);
}

/* The palette: 12 greys, 4 reds; each pixel takes the nearest. */
static const unsigned char palette[16][3] = {
	{ 0, 0, 0 },	   { 23, 23, 23 },    { 46, 46, 46 },	 { 70, 70, 70 },
	{ 93, 93, 93 },	   { 116, 116, 116 }, { 139, 139, 139 }, { 162, 162, 162 },
	{ 185, 185, 185 }, { 209, 209, 209 }, { 232, 232, 232 }, { 255, 255, 255 },
	{ 225, 30, 35 },   { 200, 27, 31 },   { 240, 120, 122 }, { 20, 3, 4 },
};

static unsigned char nearest(const unsigned char *c)
{
	unsigned best = 0, bd = ~0u;

	for (unsigned i = 0; i < 16; i++) {
		int dr = c[0] - palette[i][0], dg = c[1] - palette[i][1], db = c[2] - palette[i][2];
		unsigned d = (unsigned)(dr * dr + dg * dg + db * db);

		if (d < bd) {
			bd = d;
			best = i;
		}
	}
	return (unsigned char)best;
}

static void le32(unsigned char *q, unsigned long v)
{
	q[0] = (unsigned char)v;
	q[1] = (unsigned char)(v >> 8);
	q[2] = (unsigned char)(v >> 16);
	q[3] = (unsigned char)(v >> 24);
}

/* A paletted BMP of bits 4 (the palette above) or 8 (256 greys). */
static int bmp(const struct forge_page *p, int bits, unsigned char **out, size_t *len)
{
	unsigned colours = 1u << bits;
	size_t stride = ((bits == 4 ? (p->w + 1) / 2 : p->w) + 3) & ~(size_t)3, head = 14 + 40 + 4 * colours;
	size_t n = head + stride * p->h;
	unsigned char *b = calloc(n, 1);

	if (!b)
		return -1;
	b[0] = 'B';
	b[1] = 'M';
	le32(b + 2, n);
	le32(b + 10, head);
	le32(b + 14, 40);
	le32(b + 18, p->w);
	le32(b + 22, p->h);
	b[26] = 1;
	b[28] = (unsigned char)bits;
	le32(b + 34, stride * p->h);
	le32(b + 38, 5906); /* 150 dpi */
	le32(b + 42, 5906);
	le32(b + 46, colours);
	for (unsigned i = 0; i < colours; i++) {
		b[54 + 4 * i] = bits == 4 ? palette[i][2] : (unsigned char)i;
		b[55 + 4 * i] = bits == 4 ? palette[i][1] : (unsigned char)i;
		b[56 + 4 * i] = bits == 4 ? palette[i][0] : (unsigned char)i;
	}
	for (unsigned y = 0; y < p->h; y++) {
		unsigned char *row = b + head + (size_t)(p->h - 1 - y) * stride; /* bottom-up */

		for (unsigned x = 0; x < p->w; x++) {
			const unsigned char *c = p->rgb + 3 * ((size_t)y * p->w + x);

			if (bits == 8) {
				row[x] = (unsigned char)((299u * c[0] + 587u * c[1] + 114u * c[2] + 500u) / 1000u);
				continue;
			}
			row[x / 2] |= (unsigned char)(x & 1 ? nearest(c) : nearest(c) << 4);
		}
	}
	*out = b;
	*len = n;
	return 0;
}

int forge_bmp4(const struct forge_page *p, unsigned char **out, size_t *len)
{
	return bmp(p, 4, out, len);
}

int forge_bmp8_grey(const struct forge_page *p, unsigned char **out, size_t *len)
{
	return bmp(p, 8, out, len);
}

void forge_blur(struct forge_page *p, unsigned radius)
{
	size_t n = (size_t)p->w * p->h * 3;
	unsigned char *t = malloc(n);

	if (!t)
		return;
	/* Three box passes each way: close to a Gaussian of sigma ~ radius. */
	for (int pass = 0; pass < 6; pass++) {
		int across = pass % 2 == 0;
		unsigned lim = across ? p->w : p->h, other = across ? p->h : p->w;

		for (unsigned o = 0; o < other; o++)
			for (unsigned i = 0; i < lim; i++)
				for (int ch = 0; ch < 3; ch++) {
					unsigned sum = 0, cnt = 0;

					for (long d = -(long)radius; d <= (long)radius; d++) {
						long j = (long)i + d;

						if (j < 0 || j >= (long)lim)
							continue;
						sum += p->rgb[3 * (across ? (size_t)o * p->w + (size_t)j
									   : (size_t)j * p->w + o) + ch];
						cnt++;
					}
					t[3 * (across ? (size_t)o * p->w + i : (size_t)i * p->w + o) + ch] =
						(unsigned char)(sum / cnt);
				}
		memcpy(p->rgb, t, n);
	}
	free(t);
}
