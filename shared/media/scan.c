/* scan: legibility measures, the red seal and the QR codes of a scanned page (libzbar).
 *
 * Every measure works on a "working" grey page: the stored page box-averaged by an integer
 * factor down to at most WORK_SIDE on its longer side, so that a figure means the same on a
 * 900 px phone photo and a 1754 px scan, and the cost is bounded (about a megapixel).
 *
 *   paper      the 90th percentile of grey: a page is mostly paper, and its brightness says
 *              whether the light was enough, whatever is printed on it;
 *   ink        pixels darker than 60 % of the paper, per mille of the page;
 *   area       the bounding box of the ink (0.5 % of the ink trimmed at each side, so specks
 *              at the border do not count), percent of the image: a form photographed from
 *              afar is a small box in a large frame;
 *   sharpness  on the page smoothed by a 3x3 binomial (phone noise otherwise reads as
 *              detail), over the pixels on an edge (gradient above paper / 24):
 *              1000 x sum(Laplacian^2) / sum(gradient^2). For an edge blurred by a Gaussian
 *              of sigma s the ratio is about 1 / (2 s^2), whatever the edge's contrast and
 *              however much of the page is ink: the variance of the Laplacian, normalised by
 *              the gradient energy so that a sparse or a faint page is not called blurred.
 *
 * The seal: red pixels (R at least 100 and 50 above G and B) on a grid of 4x4 working pixels,
 * grown by one cell to join a seal's ring, star and characters, then each connected region
 * whose box is 8-40 % of the page's shorter side (a 38-42 mm seal on A4 is 18-20 %), nearly
 * square, with its red cells inside the box's ellipse (under 10 % in the corners) and on its
 * rim in at least 13 of 16 directions: a ring, not a line of red text or a red box.
 *
 * The QR codes: libzbar with every symbology but QR turned off, in passes from the cheapest to
 * the most patient (see scan_qr): the top right sixth of the page, where the forms print it;
 * the boxes around the QR finder patterns (dark-light-dark-light-dark runs of 1:1:3:1:1,
 * across and down) enlarged and binarised; that sixth binarised; that sixth sharpened (an
 * unsharp mask, enlarged x2 and x1, cut low or against the local mean: a soft photo at a chat
 * app's resolution, modules of 2-3 pixels merged into grey); the whole page. The finder
 * search also tells "a code is there but unreadable" from "no code at all".
 */
#include "media/scan.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zbar.h>

#define WORK_SIDE 1024
#define CELL 4

struct work {
	unsigned w, h, k;
	unsigned char *g; /* w x h grey */
};

static unsigned factor(unsigned w, unsigned h)
{
	unsigned side = w > h ? w : h;

	return (side + WORK_SIDE - 1) / WORK_SIDE;
}

static int bad_size(const void *p, unsigned w, unsigned h)
{
	return !p || w == 0 || h == 0 || w > SCAN_MAX_SIDE || h > SCAN_MAX_SIDE;
}

unsigned char *scan_grey(const unsigned char *rgb, unsigned w, unsigned h)
{
	unsigned char *g;
	size_t n;

	if (bad_size(rgb, w, h))
		return NULL;
	n = (size_t)w * h;
	g = malloc(n);
	if (!g)
		return NULL;
	/* 0.299, 0.587, 0.114 in 16-bit fixed point (they sum to 65536): a shift, not a
	 * division, so that the compiler can vectorise the loop. */
	for (size_t i = 0; i < n; i++) {
		const unsigned char *p = rgb + 3 * i;

		g[i] = (unsigned char)((19595u * p[0] + 38470u * p[1] + 7471u * p[2] + 32768u) >> 16);
	}
	return g;
}

/* The working grey: k x k box averages of the grey (the last partial row/column dropped). */
static int work_make(const unsigned char *grey, unsigned w, unsigned h, struct work *wk)
{
	unsigned k = factor(w, h);

	wk->k = k;
	wk->w = w / k;
	wk->h = h / k;
	if (wk->w < 3 || wk->h < 3)
		return -1;
	wk->g = malloc((size_t)wk->w * wk->h);
	if (!wk->g)
		return -1;
	for (unsigned y = 0; y < wk->h; y++) {
		unsigned char *out = wk->g + (size_t)y * wk->w;

		if (k == 1) {
			memcpy(out, grey + (size_t)y * w, wk->w);
			continue;
		}
		if (k == 2) { /* a stored A4 page (1754 px): the common case, unrolled */
			const unsigned char *a = grey + (size_t)y * 2 * w, *b = a + w;

			for (unsigned x = 0; x < wk->w; x++)
				out[x] = (unsigned char)((a[2 * x] + a[2 * x + 1] + b[2 * x] + b[2 * x + 1] + 2u) >> 2);
			continue;
		}
		for (unsigned x = 0; x < wk->w; x++) {
			unsigned sum = 0;

			for (unsigned dy = 0; dy < k; dy++) {
				const unsigned char *p = grey + (size_t)(y * k + dy) * w + x * k;

				for (unsigned dx = 0; dx < k; dx++)
					sum += p[dx];
			}
			out[x] = (unsigned char)((sum + k * k / 2) / (k * k));
		}
	}
	return 0;
}

/* The grey value under which frac of the pixels lie. */
static int percentile(const unsigned long hist[256], unsigned long total, double frac)
{
	unsigned long want = (unsigned long)(frac * (double)total), sum = 0;

	for (int v = 0; v < 256; v++) {
		sum += hist[v];
		if (sum > want)
			return v;
	}
	return 255;
}

/* The first index where the running sum of counts passes lo, and the last before it passes hi. */
static void trimmed(const unsigned long *count, unsigned n, unsigned long total, unsigned *first,
		    unsigned *last)
{
	unsigned long lo = total / 200, hi = total - total / 200, sum = 0;

	*first = 0;
	*last = n - 1;
	for (unsigned i = 0; i < n; i++) {
		if (sum <= lo && sum + count[i] > lo)
			*first = i;
		sum += count[i];
		if (sum >= hi) {
			*last = i;
			break;
		}
	}
}

static int sharpness(const struct work *wk, int paper)
{
	unsigned w = wk->w, h = wk->h;
	uint16_t *s = malloc((size_t)w * h * sizeof(*s));
	/* On an edge when the gradient is over paper / 24; s is x16 and the differences below
	 * are twice the gradient, so the bound on their squares is (2 x 16 x paper / 24)^2. */
	int64_t t4 = (int64_t)(32 * paper) * (32 * paper) / (24 * 24);
	double num = 0, den = 0;

	if (!s)
		return -1;
	/* 3x3 binomial, x16 (at most 4080): the borders keep the plain value x16. */
	for (unsigned y = 0; y < h; y++)
		for (unsigned x = 0; x < w; x++) {
			const unsigned char *g = wk->g + (size_t)y * w + x;

			if (x == 0 || y == 0 || x == w - 1 || y == h - 1)
				s[(size_t)y * w + x] = (uint16_t)(16 * g[0]);
			else
				s[(size_t)y * w + x] = (uint16_t)(g[-(long)w - 1] + 2 * g[-(long)w] +
								  g[-(long)w + 1] + 2 * g[-1] + 4 * g[0] +
								  2 * g[1] + g[w - 1] + 2 * g[w] + g[w + 1]);
		}
	/* Integer gradients first: most of a page is paper, off every edge. */
	for (unsigned y = 2; y + 2 < h; y++)
		for (unsigned x = 2; x + 2 < w; x++) {
			const uint16_t *p = s + (size_t)y * w + x;
			int32_t dx = (int32_t)p[1] - p[-1], dy = (int32_t)p[w] - p[-(long)w];
			int64_t d2 = (int64_t)dx * dx + (int64_t)dy * dy;
			double lap;

			if (d2 <= t4)
				continue;
			lap = (double)p[1] + p[-1] + p[w] + p[-(long)w] - 4.0 * p[0];
			num += lap * lap;
			den += d2 / 4.0;
		}
	free(s);
	if (den <= 0)
		return 0;
	return (int)lround(fmin(1000.0 * num / den, 1e6));
}

int scan_measure(const unsigned char *rgb, unsigned w, unsigned h, struct scan_measures *m)
{
	unsigned char *grey = scan_grey(rgb, w, h);
	int rc;

	if (!grey) {
		memset(m, 0, sizeof(*m));
		return -1;
	}
	rc = scan_measure_grey(grey, w, h, m);
	free(grey);
	return rc;
}

int scan_measure_grey(const unsigned char *grey, unsigned w, unsigned h, struct scan_measures *m)
{
	struct work wk = { 0 };
	unsigned long hist[256] = { 0 }, ink = 0, *rows = NULL, *cols = NULL;
	unsigned x0, x1, y0, y1;
	size_t n;
	int t, rc = -1;

	memset(m, 0, sizeof(*m));
	if (bad_size(grey, w, h) || work_make(grey, w, h, &wk) != 0)
		return -1;
	n = (size_t)wk.w * wk.h;
	rows = calloc(wk.h, sizeof(*rows));
	cols = calloc(wk.w, sizeof(*cols));
	if (!rows || !cols)
		goto out;
	for (size_t i = 0; i < n; i++)
		hist[wk.g[i]]++;
	m->paper = percentile(hist, n, 0.90);
	t = m->paper * 6 / 10;
	for (unsigned y = 0; y < wk.h; y++)
		for (unsigned x = 0; x < wk.w; x++)
			if (wk.g[(size_t)y * wk.w + x] < t) {
				ink++;
				rows[y]++;
				cols[x]++;
			}
	m->ink_pm = (int)((ink * 1000 + n / 2) / n);
	if (ink > 0) {
		trimmed(rows, wk.h, ink, &y0, &y1);
		trimmed(cols, wk.w, ink, &x0, &x1);
		m->area_pct = (int)(100.0 * (x1 - x0 + 1) * (y1 - y0 + 1) / (double)n + 0.5);
	}
	m->sharpness = sharpness(&wk, m->paper);
	if (m->sharpness >= 0)
		rc = 0;
out:
	free(rows);
	free(cols);
	free(wk.g);
	if (rc != 0)
		memset(m, 0, sizeof(*m));
	return rc;
}

enum scan_fault scan_judge(const struct scan_measures *m, const struct scan_rules *r)
{
	if (r->paper_min > 0 && m->paper < r->paper_min)
		return SCAN_DARK;
	if (r->ink_min > 0 && m->ink_pm < r->ink_min)
		return SCAN_BLANK;
	if (r->sharp_min > 0 && m->sharpness < r->sharp_min)
		return SCAN_BLURRED;
	if (r->area_min > 0 && m->area_pct < r->area_min)
		return SCAN_SMALL;
	return SCAN_LEGIBLE;
}

const char *scan_fault_name(enum scan_fault f)
{
	switch (f) {
	case SCAN_LEGIBLE: return "legible";
	case SCAN_DARK: return "dark";
	case SCAN_BLANK: return "blank";
	case SCAN_SMALL: return "small";
	case SCAN_BLURRED: return "blurred";
	}
	return "unknown";
}

/* ---- the seal */

struct region {
	unsigned x0, y0, x1, y1; /* cells, inclusive */
};

/* Whether the red cells of the region's box make a ring: see the design notes. */
static int round_seal(const unsigned char *red, unsigned cw, const struct region *b)
{
	double cx = (b->x0 + b->x1 + 1) / 2.0, cy = (b->y0 + b->y1 + 1) / 2.0;
	double rx = (b->x1 - b->x0 + 1) / 2.0, ry = (b->y1 - b->y0 + 1) / 2.0;
	unsigned total = 0, corner = 0, sectors = 0, hit[16] = { 0 };

	for (unsigned y = b->y0; y <= b->y1; y++)
		for (unsigned x = b->x0; x <= b->x1; x++) {
			double dx, dy, rho;

			if (!red[(size_t)y * cw + x])
				continue;
			dx = (x + 0.5 - cx) / rx;
			dy = (y + 0.5 - cy) / ry;
			rho = sqrt(dx * dx + dy * dy);
			total++;
			if (rho > 1.1)
				corner++;
			else if (rho >= 0.7)
				hit[(unsigned)((atan2(dy, dx) + M_PI) / (2 * M_PI) * 16) & 15] = 1;
		}
	for (int i = 0; i < 16; i++)
		sectors += hit[i];
	return total > 0 && corner * 10 < total && sectors >= 13;
}

int scan_seal(const unsigned char *rgb, unsigned w, unsigned h)
{
	unsigned k = factor(w, h), step = k * CELL, cw = w / step, ch = h / step;
	unsigned short_side = (w < h ? w : h) / step;
	unsigned char *red = NULL, *grown = NULL, *seen = NULL;
	unsigned *queue = NULL;
	size_t n;
	int found = 0;

	if (bad_size(rgb, w, h))
		return -1;
	if (cw < 3 || ch < 3)
		return 0;
	n = (size_t)cw * ch;
	red = calloc(n, 1);
	grown = calloc(n, 1);
	seen = calloc(n, 1);
	queue = malloc(n * sizeof(*queue));
	if (!red || !grown || !seen || !queue) {
		found = -1;
		goto out;
	}
	/* A cell is red when at least 2 of its 16 working pixels are (sampled one pixel per
	 * k x k block: averaging would only soften thin strokes of the ring). */
	for (unsigned cy = 0; cy < ch; cy++)
		for (unsigned cx = 0; cx < cw; cx++) {
			unsigned count = 0;

			for (unsigned y = cy * step; y < (cy + 1) * step; y += k)
				for (unsigned x = cx * step; x < (cx + 1) * step; x += k) {
					const unsigned char *p = rgb + 3 * ((size_t)y * w + x);
					int gb = p[1] > p[2] ? p[1] : p[2];

					count += p[0] >= 100 && p[0] - gb >= 50;
				}
			red[(size_t)cy * cw + cx] = count >= 2;
		}
	for (unsigned y = 0; y < ch; y++)
		for (unsigned x = 0; x < cw; x++) {
			if (!red[(size_t)y * cw + x])
				continue;
			for (unsigned yy = y ? y - 1 : 0; yy <= y + 1 && yy < ch; yy++)
				for (unsigned xx = x ? x - 1 : 0; xx <= x + 1 && xx < cw; xx++)
					grown[(size_t)yy * cw + xx] = 1;
		}
	for (size_t start = 0; start < n && !found; start++) {
		struct region b;
		size_t head = 0, tail = 0;
		unsigned side, bw, bh;

		if (!grown[start] || seen[start])
			continue;
		seen[start] = 1;
		queue[tail++] = (unsigned)start;
		b.x0 = b.x1 = (unsigned)(start % cw);
		b.y0 = b.y1 = (unsigned)(start / cw);
		while (head < tail) {
			unsigned i = queue[head++], x = i % cw, y = i / cw;

			b.x0 = x < b.x0 ? x : b.x0;
			b.x1 = x > b.x1 ? x : b.x1;
			b.y0 = y < b.y0 ? y : b.y0;
			b.y1 = y > b.y1 ? y : b.y1;
			for (unsigned yy = y ? y - 1 : 0; yy <= y + 1 && yy < ch; yy++)
				for (unsigned xx = x ? x - 1 : 0; xx <= x + 1 && xx < cw; xx++) {
					size_t j = (size_t)yy * cw + xx;

					if (grown[j] && !seen[j]) {
						seen[j] = 1;
						queue[tail++] = (unsigned)j;
					}
				}
		}
		bw = b.x1 - b.x0 + 1;
		bh = b.y1 - b.y0 + 1;
		side = bw > bh ? bw : bh;
		if (side * 100 < short_side * 8 || side * 100 > short_side * 40 || bw * 4 < bh * 3 ||
		    bh * 4 < bw * 3)
			continue;
		found = round_seal(red, cw, &b);
	}
out:
	free(red);
	free(grown);
	free(seen);
	free(queue);
	return found;
}

/* ---- the QR codes */

/* Whether runs r[0..4] (dark, light, dark, light, dark) are 1:1:3:1:1: the one-module runs
 * within tol modules, the centre within one. */
static int finder_runs(const unsigned r[5], double tol, double *module)
{
	unsigned total = r[0] + r[1] + r[2] + r[3] + r[4];
	double m = total / 7.0;

	if (total < 7)
		return 0;
	for (int i = 0; i < 5; i++) {
		double want = (i == 2 ? 3 : 1) * m;

		if (fabs(r[i] - want) > (i == 2 ? 1.0 : tol) * m)
			return 0;
	}
	*module = m;
	return 1;
}

/* The vertical runs through (x, y), y on the centre run: confirms a finder seen across. */
static int finder_down(const unsigned char *g, unsigned w, unsigned h, unsigned x, unsigned y,
		       int t, double tol, double module)
{
	unsigned r[5] = { 0 };
	double m;
	long yy;

	if (g[(size_t)y * w + x] >= t)
		return 0;
	for (yy = y; yy >= 0 && g[(size_t)yy * w + x] < t; yy--)
		r[2]++;
	for (; yy >= 0 && g[(size_t)yy * w + x] >= t; yy--)
		r[1]++;
	for (; yy >= 0 && g[(size_t)yy * w + x] < t; yy--)
		r[0]++;
	for (yy = y + 1; yy < (long)h && g[(size_t)yy * w + x] < t; yy++)
		r[2]++;
	for (; yy < (long)h && g[(size_t)yy * w + x] >= t; yy++)
		r[3]++;
	for (; yy < (long)h && g[(size_t)yy * w + x] < t; yy++)
		r[4]++;
	return finder_runs(r, tol, &m) && m > module * 0.6 && m < module * 1.6;
}

#define FINDER_MAX 16

struct finder {
	double x, y, m; /* centre (y: the mean of the rows it was seen on) and module, pixels */
	int hits;       /* rows it was seen on */
};

/* The grey value halfway between ink and paper: the 2nd and 90th percentiles. */
static int midgrey(const unsigned char *g, size_t n)
{
	unsigned long hist[256] = { 0 };

	for (size_t i = 0; i < n; i++)
		hist[g[i]]++;
	return (percentile(hist, n, 0.02) + percentile(hist, n, 0.90)) / 2;
}

/* The QR finder patterns of the page, each seen across on every second row and confirmed
 * down, its one-module runs within tol modules (half a module tells a finder; a blurred
 * photo's dark rings spread over more); up to FINDER_MAX of them, into c. Returns how many. */
#define FINDER_STRICT 0.5
#define FINDER_LOOSE 0.75
static int finder_scan(const unsigned char *g, unsigned w, unsigned h, double tol,
		       struct finder *c)
{
	int nc = 0, t = midgrey(g, (size_t)w * h);

	for (unsigned y = 0; y < h; y += 2) {
		const unsigned char *row = g + (size_t)y * w;
		unsigned r[5] = { 0 }, run = 0;
		int dark = row[0] < t, have = 0;

		for (unsigned x = 0; x <= w; x++) {
			int d = x < w ? row[x] < t : !dark, j;
			double m, cx;

			if (d == dark) {
				run++;
				continue;
			}
			memmove(r, r + 1, 4 * sizeof(r[0]));
			r[4] = run;
			have++;
			run = 1;
			dark = d;
			/* A run just ended: dark ones close a candidate. */
			if (have < 5 || d || !finder_runs(r, tol, &m))
				continue;
			cx = x - r[4] - r[3] - r[2] / 2.0;
			if (!finder_down(g, w, h, (unsigned)cx, y, t, tol, m))
				continue;
			for (j = 0; j < nc; j++)
				if (fabs(c[j].x - cx) < 3 * c[j].m && fabs(c[j].y - y) < 7 * c[j].m)
					break;
			if (j < nc) {
				c[j].y = (c[j].y * c[j].hits + y) / (c[j].hits + 1);
				c[j].hits++;
			} else if (nc < FINDER_MAX) {
				c[nc++] = (struct finder){ cx, y, m, 1 };
			}
		}
	}
	return nc;
}

/* How many distinct finder patterns the page shows (each seen on at least two rows). */
static int finders(const unsigned char *g, unsigned w, unsigned h)
{
	struct finder c[FINDER_MAX];
	int nc = finder_scan(g, w, h, FINDER_STRICT, c), found = 0;

	for (int j = 0; j < nc; j++)
		found += c[j].hits >= 2;
	return found;
}

/* One zbar pass over a grey page, on every density-th row and column; appends what it reads
 * to q. */
static int zbar_pass(const unsigned char *grey, unsigned w, unsigned h, int density,
		     struct scan_qr *q)
{
	zbar_image_scanner_t *sc = zbar_image_scanner_create();
	zbar_image_t *img = zbar_image_create();
	int rc = -1;

	if (!sc || !img)
		goto out;
	/* QR only: the 1-D decoders would read table rules and text as barcodes. */
	zbar_image_scanner_set_config(sc, 0, ZBAR_CFG_ENABLE, 0);
	zbar_image_scanner_set_config(sc, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1);
	zbar_image_scanner_set_config(sc, 0, ZBAR_CFG_X_DENSITY, density);
	zbar_image_scanner_set_config(sc, 0, ZBAR_CFG_Y_DENSITY, density);
	zbar_image_set_format(img, zbar_fourcc('Y', '8', '0', '0'));
	zbar_image_set_size(img, w, h);
	zbar_image_set_data(img, grey, (unsigned long)w * h, NULL); /* ours: no cleanup */
	if (zbar_scan_image(sc, img) < 0)
		goto out;
	for (const zbar_symbol_t *s = zbar_image_first_symbol(img); s && q->n < SCAN_QR_MAX;
	     s = zbar_symbol_next(s)) {
		unsigned len = zbar_symbol_get_data_length(s);
		const char *data = zbar_symbol_get_data(s);

		if (zbar_symbol_get_type(s) != ZBAR_QRCODE || !data || len > SCAN_QR_TEXT_MAX)
			continue;
		memcpy(q->text[q->n], data, len);
		q->text[q->n][len] = '\0';
		q->len[q->n++] = len;
	}
	rc = 0;
out:
	if (img)
		zbar_image_destroy(img);
	if (sc)
		zbar_image_scanner_destroy(sc);
	return rc;
}

/* The box [x0, x1) x [y0, y1) of g (w wide), enlarged scale times (bilinear) and cut at the
 * middle between its ink and paper; smoothed by a 3x3 binomial first when scale is 1 (phone
 * noise and JPEG ringing are what make zbar miss modules of 3-4 pixels). Into a malloc'd
 * buffer of (x1 - x0) * scale x (y1 - y0) * scale, or NULL. */
static unsigned char *binarised(const unsigned char *g, unsigned w, unsigned x0, unsigned y0,
				unsigned x1, unsigned y1, unsigned scale)
{
	unsigned bw = x1 - x0, bh = y1 - y0, ow = bw * scale, oh = bh * scale;
	unsigned long hist[256] = { 0 }, n = (unsigned long)bw * bh;
	unsigned char *b = malloc((size_t)ow * oh);
	int t;

	if (!b)
		return NULL;
	for (unsigned y = y0; y < y1; y++) /* the box's own ink and paper */
		for (unsigned x = x0; x < x1; x++)
			hist[g[(size_t)y * w + x]]++;
	t = (percentile(hist, n, 0.02) + percentile(hist, n, 0.90)) / 2;
	for (unsigned y = 0; y < oh; y++)
		for (unsigned x = 0; x < ow; x++) {
			/* Source position of the output pixel's centre, in 1/scale steps (16ths). */
			long fx = ((long)(2 * x + 1) * 16 / (2 * (long)scale)) - 8;
			long fy = ((long)(2 * y + 1) * 16 / (2 * (long)scale)) - 8;
			unsigned sx, sy, sx1, sy1, ax, ay, v;
			const unsigned char *p;

			fx = fx < 0 ? 0 : fx;
			fy = fy < 0 ? 0 : fy;
			sx = (unsigned)(fx >> 4);
			sy = (unsigned)(fy >> 4);
			ax = (unsigned)(fx & 15);
			ay = (unsigned)(fy & 15);
			sx1 = sx + 1 < bw ? sx + 1 : sx;
			sy1 = sy + 1 < bh ? sy + 1 : sy;
			p = g + (size_t)(y0 + sy) * w + x0;
			if (scale == 1 && x > 0 && y > 0 && x + 1 < bw && y + 1 < bh) {
				const unsigned char *c = p + sx;

				v = (c[-(long)w - 1] + 2u * c[-(long)w] + c[-(long)w + 1] + 2u * c[-1] +
				     4u * c[0] + 2u * c[1] + c[w - 1] + 2u * c[w] + c[w + 1]) * 16;
			} else {
				const unsigned char *q = g + (size_t)(y0 + sy1) * w + x0;

				v = ((16 - ay) * ((16 - ax) * p[sx] + ax * p[sx1]) +
				     ay * ((16 - ax) * q[sx] + ax * q[sx1]));
			}
			b[(size_t)y * ow + x] = (int)v < 256 * t ? 0 : 255;
		}
	return b;
}

/* One binarised pass over a box of the page (see binarised). */
static int box_pass(const unsigned char *g, unsigned w, const unsigned box[4], unsigned scale,
		    struct scan_qr *q)
{
	unsigned char *b = binarised(g, w, box[0], box[1], box[2], box[3], scale);
	int rc;

	if (!b)
		return -1;
	rc = zbar_pass(b, (box[2] - box[0]) * scale, (box[3] - box[1]) * scale, 1, q);
	free(b);
	return rc;
}

/* The box [x0, x1) x [y0, y1) of g (w wide) enlarged scale times, bilinear, into a malloc'd
 * buffer of (x1 - x0) * scale x (y1 - y0) * scale, or NULL. */
static unsigned char *enlarged(const unsigned char *g, unsigned w, const unsigned box[4],
			       unsigned scale)
{
	unsigned bw = box[2] - box[0], bh = box[3] - box[1], ow = bw * scale, oh = bh * scale;
	unsigned char *b = malloc((size_t)ow * oh);

	if (!b)
		return NULL;
	for (unsigned y = 0; y < oh; y++) {
		long fy = (long)(2 * y + 1) * 16 / (2 * (long)scale) - 8;
		unsigned sy, sy1, ay;
		const unsigned char *p, *q;

		fy = fy < 0 ? 0 : fy;
		sy = (unsigned)(fy >> 4);
		ay = (unsigned)(fy & 15);
		sy1 = sy + 1 < bh ? sy + 1 : sy;
		p = g + (size_t)(box[1] + sy) * w + box[0];
		q = g + (size_t)(box[1] + sy1) * w + box[0];
		for (unsigned x = 0; x < ow; x++) {
			long fx = (long)(2 * x + 1) * 16 / (2 * (long)scale) - 8;
			unsigned sx, sx1, ax;

			fx = fx < 0 ? 0 : fx;
			sx = (unsigned)(fx >> 4);
			ax = (unsigned)(fx & 15);
			sx1 = sx + 1 < bw ? sx + 1 : sx;
			b[(size_t)y * ow + x] = (unsigned char)(((16 - ay) * ((16 - ax) * p[sx] + ax * p[sx1]) +
								 ay * ((16 - ax) * q[sx] + ax * q[sx1]) + 128) >> 8);
		}
	}
	return b;
}

/* Unsharp masking in place, v + 4 (v - the 3x3 binomial of v): a phone's soft focus and JPEG
 * merge modules of 2-3 pixels into grey, and zbar's own threshold then loses single light
 * modules between dark ones (the finders' light ring first). */
static int unsharp(unsigned char *b, unsigned w, unsigned h)
{
	unsigned char *t = malloc((size_t)w * h);

	if (!t)
		return -1;
	memcpy(t, b, (size_t)w * h);
	for (unsigned y = 1; y + 1 < h; y++)
		for (unsigned x = 1; x + 1 < w; x++) {
			const unsigned char *c = t + (size_t)y * w + x;
			int blur = c[-(long)w - 1] + 2 * c[-(long)w] + c[-(long)w + 1] + 2 * c[-1] + 4 * c[0] +
				   2 * c[1] + c[w - 1] + 2 * c[w] + c[w + 1];
			int v = c[0] + (16 * c[0] - blur) / 4;

			b[(size_t)y * w + x] = (unsigned char)(v < 0 ? 0 : v > 255 ? 255 : v);
		}
	free(t);
	return 0;
}

/* Cuts b at 35 % of the way from its ink (2nd percentile) to its paper (90th): after the
 * sharpening, the halos of dark modules sit below the middle. */
static void cut_low(unsigned char *b, size_t n)
{
	unsigned long hist[256] = { 0 };
	int lo, hi, t;

	for (size_t i = 0; i < n; i++)
		hist[b[i]]++;
	lo = percentile(hist, n, 0.02);
	hi = percentile(hist, n, 0.90);
	t = lo + (hi - lo) * 35 / 100;
	for (size_t i = 0; i < n; i++)
		b[i] = b[i] < t ? 0 : 255;
}

/* Cuts b at the mean of the (2r + 1)^2 pixels around each, less 6: light that falls unevenly
 * across the code (a shadow, the flash's spot). */
static int cut_local(unsigned char *b, unsigned w, unsigned h, unsigned r)
{
	uint32_t *ii = calloc((size_t)(w + 1) * (h + 1), sizeof(*ii)); /* 255 x 4096^2 fits */

	if (!ii)
		return -1;
	for (unsigned y = 0; y < h; y++) {
		uint32_t row = 0;

		for (unsigned x = 0; x < w; x++) {
			row += b[(size_t)y * w + x];
			ii[(size_t)(y + 1) * (w + 1) + x + 1] = ii[(size_t)y * (w + 1) + x + 1] + row;
		}
	}
	for (unsigned y = 0; y < h; y++) {
		unsigned y0 = y > r ? y - r : 0, y1 = y + r + 1 < h ? y + r + 1 : h;

		for (unsigned x = 0; x < w; x++) {
			unsigned x0 = x > r ? x - r : 0, x1 = x + r + 1 < w ? x + r + 1 : w;
			uint32_t sum = ii[(size_t)y1 * (w + 1) + x1] - ii[(size_t)y0 * (w + 1) + x1] -
				       ii[(size_t)y1 * (w + 1) + x0] + ii[(size_t)y0 * (w + 1) + x0];
			unsigned area = (x1 - x0) * (y1 - y0);

			b[(size_t)y * w + x] = (uint64_t)b[(size_t)y * w + x] * area + 6u * area < sum ? 0 : 255;
		}
	}
	free(ii);
	return 0;
}

/* One sharpened pass over a box of the page: enlarged scale times, unsharp-masked, then cut
 * low (local == 0) or against the local mean. */
static int crisp_pass(const unsigned char *g, unsigned w, const unsigned box[4], unsigned scale,
		      int local, struct scan_qr *q)
{
	unsigned bw = (box[2] - box[0]) * scale, bh = (box[3] - box[1]) * scale;
	unsigned char *b = enlarged(g, w, box, scale);
	int rc = -1;

	if (!b || unsharp(b, bw, bh) != 0)
		goto out;
	if (!local)
		cut_low(b, (size_t)bw * bh);
	else if (cut_local(b, bw, bh, 4 * scale + 2) != 0)
		goto out;
	rc = zbar_pass(b, bw, bh, 1, q);
out:
	free(b);
	return rc;
}

/* The box around a QR code whose finder c[i] is. Tight (tight != 0): c[i] and the finders
 * like it (module within a third) within 60 of its modules, when they span at least 14
 * modules both ways as a code's three finders do, their centres plus 8 modules each way (half
 * a finder and the quiet zone); else, and when not tight, 45 modules each way around c[i] (a
 * code of up to version 10 in any direction). Clipped to the page and to QR_BOX_MAX on a
 * side. Returns 0, or -1 when the tight box would be the wide one. */
#define QR_BOX_MAX 480
static int finder_box(const struct finder *c, int nc, int i, int tight, unsigned w, unsigned h,
		      unsigned box[4])
{
	double x0 = c[i].x, x1 = c[i].x, y0 = c[i].y, y1 = c[i].y, m = c[i].m, pad = 45 * m;

	for (int j = 0; tight && j < nc; j++) {
		if (j == i || fabs(c[j].m - m) > m / 3 || fabs(c[j].x - c[i].x) > 60 * m ||
		    fabs(c[j].y - c[i].y) > 60 * m)
			continue;
		x0 = fmin(x0, c[j].x);
		x1 = fmax(x1, c[j].x);
		y0 = fmin(y0, c[j].y);
		y1 = fmax(y1, c[j].y);
	}
	if (tight && (x1 - x0 < 14 * m || y1 - y0 < 14 * m))
		return -1;
	if (tight)
		pad = 8 * m;
	x0 -= pad, x1 += pad, y0 -= pad, y1 += pad;
	if (x1 - x0 > QR_BOX_MAX)
		x0 = (x0 + x1 - QR_BOX_MAX) / 2, x1 = x0 + QR_BOX_MAX;
	if (y1 - y0 > QR_BOX_MAX)
		y0 = (y0 + y1 - QR_BOX_MAX) / 2, y1 = y0 + QR_BOX_MAX;
	box[0] = x0 < 0 ? 0 : (unsigned)x0;
	box[1] = y0 < 0 ? 0 : (unsigned)y0;
	box[2] = x1 > w ? w : (unsigned)x1;
	box[3] = y1 > h ? h : (unsigned)y1;
	return 0;
}

/* The boxes around the finder patterns, each read enlarged (modules of 2-3 pixels, a phone's
 * photo of a page at arm's length) and binarised: for the finders seen most often, the tight
 * box then the wide one; at most QR_BOXES boxes, three scales each, within QR_BOX_PIXELS
 * pixels handed to zbar in all (a page without our QR, whose text shows finder-like runs,
 * costs a bounded time to refuse). */
#define QR_BOXES 4
#define QR_BOX_PIXELS 3000000ull
static int finder_passes(const unsigned char *g, unsigned w, unsigned h, struct scan_qr *q)
{
	static const unsigned scales[] = { 2, 1, 3 };
	struct finder c[FINDER_MAX];
	unsigned boxes[QR_BOXES][4];
	unsigned long long spent = 0;
	int nc = finder_scan(g, w, h, FINDER_LOOSE, c), nb = 0;

	for (int i = 1; i < nc; i++)
		for (int j = i; j > 0 && c[j].hits > c[j - 1].hits; j--) {
			struct finder t = c[j];

			c[j] = c[j - 1];
			c[j - 1] = t;
		}
	for (int i = 0; i < nc && nb < QR_BOXES && q->n == 0; i++) {
		int seen = 0;

		for (int k = 0; k < nb; k++) /* inside a wide box read already */
			seen |= c[i].x >= boxes[k][0] && c[i].x < boxes[k][2] && c[i].y >= boxes[k][1] &&
				c[i].y < boxes[k][3];
		for (int tight = 1; !seen && tight >= 0 && nb < QR_BOXES && q->n == 0; tight--) {
			unsigned *b = boxes[nb];

			if (finder_box(c, nc, i, tight, w, h, b) != 0)
				continue;
			nb++;
			if (b[2] - b[0] < 21 || b[3] - b[1] < 21)
				continue;
			for (size_t s = 0; s < sizeof(scales) / sizeof(scales[0]) && q->n == 0; s++) {
				unsigned long long px = (unsigned long long)(b[2] - b[0]) * (b[3] - b[1]) *
							scales[s] * scales[s];

				if (spent + px > QR_BOX_PIXELS)
					continue;
				spent += px;
				if (box_pass(g, w, b, scales[s], q) != 0)
					return -1;
			}
		}
	}
	return 0;
}

/*
 * The passes, cheapest and likeliest first, until one reads a code:
 *   1. the top right sixth of an upright page, where the forms print their QR, on every
 *      second row and column (the upload's common case, at a sixth of the cost);
 *   2. around each finder pattern found, enlarged and binarised (a photo from afar, tilted);
 *   3. that sixth binarised, every row (a blurred photo: its finders' light rings fill in);
 *   4. that sixth sharpened: enlarged x2 and cut low, x2 and cut against the local mean, x1
 *      and cut low (a soft, small photo: of test_scan's corpus of 50 such, 40 were read
 *      before these three passes and 47 after; each of the three reads some the others miss);
 *   5. the whole page (a page upside down, or a code elsewhere), then, where a finder
 *      pattern was seen, the whole page binarised.
 * Each pass is bounded by the page (at most SCAN_MAX_SIDE on a side), the sharpened ones by
 * four times the sixth, and the boxes by QR_BOX_MAX x 3.
 */
int scan_qr(const unsigned char *grey, unsigned w, unsigned h, struct scan_qr *q)
{
	unsigned six[4] = { w / 2, 0, w, h / 3 }, all[4] = { 0, 0, w, h };
	int upright = w >= 200 && h >= 300;

	memset(q, 0, sizeof(*q));
	if (bad_size(grey, w, h))
		return -1;
	if (upright) {
		unsigned cw = six[2] - six[0], ch = six[3];
		unsigned char *crop = malloc((size_t)cw * ch);
		int rc;

		if (!crop)
			return -1;
		for (unsigned y = 0; y < ch; y++)
			memcpy(crop + (size_t)y * cw, grey + (size_t)y * w + six[0], cw);
		rc = zbar_pass(crop, cw, ch, 2, q);
		free(crop);
		if (rc != 0)
			return -1;
	}
	if (q->n == 0 && finder_passes(grey, w, h, q) != 0)
		return -1;
	if (q->n == 0 && upright && box_pass(grey, w, six, 1, q) != 0)
		return -1;
	if (q->n == 0 && upright && crisp_pass(grey, w, six, 2, 0, q) != 0)
		return -1;
	if (q->n == 0 && upright && crisp_pass(grey, w, six, 2, 1, q) != 0)
		return -1;
	if (q->n == 0 && upright && crisp_pass(grey, w, six, 1, 0, q) != 0)
		return -1;
	if (q->n == 0 && zbar_pass(grey, w, h, 2, q) != 0)
		return -1;
	if (q->n > 0)
		return 0;
	q->finders = finders(grey, w, h);
	if (q->finders > 0 && box_pass(grey, w, all, 1, q) != 0)
		return -1;
	if (q->n > 0)
		q->finders = 0;
	return 0;
}
