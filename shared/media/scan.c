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
 * The QR codes: libzbar with every symbology but QR turned off, on every second row and column,
 * first on the top right sixth of the page (where the forms print it), then on all of it. When none
 * is read, a search
 * for the QR finder pattern (dark-light-dark-light-dark runs of 1:1:3:1:1, across and down)
 * tells "a code is there but unreadable" from "no code at all".
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
	for (size_t i = 0; i < n; i++) {
		const unsigned char *p = rgb + 3 * i;

		g[i] = (unsigned char)((299u * p[0] + 587u * p[1] + 114u * p[2] + 500u) / 1000u);
	}
	return g;
}

/* The working grey: k x k box averages of the luma (the last partial row/column dropped). */
static int work_make(const unsigned char *rgb, unsigned w, unsigned h, struct work *wk)
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
	for (unsigned y = 0; y < wk->h; y++)
		for (unsigned x = 0; x < wk->w; x++) {
			unsigned long sum = 0;

			for (unsigned dy = 0; dy < k; dy++) {
				const unsigned char *p = rgb + 3 * ((size_t)(y * k + dy) * w + x * k);

				for (unsigned dx = 0; dx < k; dx++, p += 3)
					sum += 299u * p[0] + 587u * p[1] + 114u * p[2];
			}
			wk->g[(size_t)y * wk->w + x] = (unsigned char)((sum / (k * k) + 500u) / 1000u);
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
	int32_t *s = malloc((size_t)w * h * sizeof(*s));
	double num = 0, den = 0, t2 = (paper * 16 / 24.0) * (paper * 16 / 24.0); /* s is x16 */

	if (!s)
		return -1;
	/* 3x3 binomial, x16: the borders keep the plain value x16. */
	for (unsigned y = 0; y < h; y++)
		for (unsigned x = 0; x < w; x++) {
			const unsigned char *g = wk->g + (size_t)y * w + x;

			if (x == 0 || y == 0 || x == w - 1 || y == h - 1)
				s[(size_t)y * w + x] = 16 * g[0];
			else
				s[(size_t)y * w + x] = g[-(long)w - 1] + 2 * g[-(long)w] + g[-(long)w + 1] +
						       2 * g[-1] + 4 * g[0] + 2 * g[1] + g[w - 1] +
						       2 * g[w] + g[w + 1];
		}
	for (unsigned y = 2; y + 2 < h; y++)
		for (unsigned x = 2; x + 2 < w; x++) {
			const int32_t *p = s + (size_t)y * w + x;
			double gx = (p[1] - p[-1]) / 2.0, gy = (p[w] - p[-(long)w]) / 2.0;
			double g2 = gx * gx + gy * gy, lap;

			if (g2 <= t2)
				continue;
			lap = p[1] + p[-1] + p[w] + p[-(long)w] - 4.0 * p[0];
			num += lap * lap;
			den += g2;
		}
	free(s);
	if (den <= 0)
		return 0;
	return (int)lround(fmin(1000.0 * num / den, 1e6));
}

int scan_measure(const unsigned char *rgb, unsigned w, unsigned h, struct scan_measures *m)
{
	struct work wk = { 0 };
	unsigned long hist[256] = { 0 }, ink = 0, *rows = NULL, *cols = NULL;
	unsigned x0, x1, y0, y1;
	size_t n;
	int t, rc = -1;

	memset(m, 0, sizeof(*m));
	if (bad_size(rgb, w, h) || work_make(rgb, w, h, &wk) != 0)
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
	if (r->area_min > 0 && m->area_pct < r->area_min)
		return SCAN_SMALL;
	if (r->sharp_min > 0 && m->sharpness < r->sharp_min)
		return SCAN_BLURRED;
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

/* Whether runs r[0..4] (dark, light, dark, light, dark) are 1:1:3:1:1 within half a module. */
static int finder_runs(const unsigned r[5], double *module)
{
	unsigned total = r[0] + r[1] + r[2] + r[3] + r[4];
	double m = total / 7.0;

	if (total < 7)
		return 0;
	for (int i = 0; i < 5; i++) {
		double want = (i == 2 ? 3 : 1) * m;

		if (fabs(r[i] - want) > (i == 2 ? 1.0 : 0.5) * m)
			return 0;
	}
	*module = m;
	return 1;
}

/* The vertical runs through (x, y), y on the centre run: confirms a finder seen across. */
static int finder_down(const unsigned char *g, unsigned w, unsigned h, unsigned x, unsigned y,
		       int t, double module)
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
	return finder_runs(r, &m) && m > module * 0.6 && m < module * 1.6;
}

#define FINDER_MAX 16

/* How many distinct finder patterns the page shows (each seen on at least two rows). */
static int finders(const unsigned char *g, unsigned w, unsigned h)
{
	unsigned long hist[256] = { 0 };
	struct {
		double x, y, m;
		int hits;
	} c[FINDER_MAX];
	int nc = 0, found = 0, t;

	for (size_t i = 0; i < (size_t)w * h; i++)
		hist[g[i]]++;
	t = (percentile(hist, (unsigned long)w * h, 0.02) + percentile(hist, (unsigned long)w * h, 0.90)) / 2;
	for (unsigned y = 0; y < h; y += 2) {
		const unsigned char *row = g + (size_t)y * w;
		unsigned r[5] = { 0 }, run = 0;
		int dark = row[0] < t, have = 0;

		for (unsigned x = 0; x <= w; x++) {
			int d = x < w ? row[x] < t : !dark;
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
			if (have < 5 || d || !finder_runs(r, &m))
				continue;
			cx = x - r[4] - r[3] - r[2] / 2.0;
			if (!finder_down(g, w, h, (unsigned)cx, y, t, m))
				continue;
			int j;

			for (j = 0; j < nc; j++)
				if (fabs(c[j].x - cx) < 3 * m && fabs(c[j].y - y) < 7 * m)
					break;
			if (j < nc) {
				c[j].hits++;
			} else if (nc < FINDER_MAX) {
				c[nc].x = cx;
				c[nc].y = y;
				c[nc].m = m;
				c[nc].hits = 1;
				nc++;
			}
		}
	}
	for (int j = 0; j < nc; j++)
		found += c[j].hits >= 2;
	return found;
}

/* One zbar pass over a grey page; appends what it reads to q. */
static int zbar_pass(const unsigned char *grey, unsigned w, unsigned h, struct scan_qr *q)
{
	zbar_image_scanner_t *sc = zbar_image_scanner_create();
	zbar_image_t *img = zbar_image_create();
	int rc = -1;

	if (!sc || !img)
		goto out;
	/* QR only: the 1-D decoders would read table rules and text as barcodes. */
	zbar_image_scanner_set_config(sc, 0, ZBAR_CFG_ENABLE, 0);
	zbar_image_scanner_set_config(sc, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1);
	/* Every second row and column: a printed QR's modules are 3 pixels or more here. */
	zbar_image_scanner_set_config(sc, 0, ZBAR_CFG_X_DENSITY, 2);
	zbar_image_scanner_set_config(sc, 0, ZBAR_CFG_Y_DENSITY, 2);
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

/* The page smoothed by a 3x3 binomial and cut at the middle between ink and paper: phone
 * noise and JPEG ringing are what make zbar miss modules of 3-4 pixels. */
static unsigned char *clean(const unsigned char *g, unsigned w, unsigned h)
{
	unsigned long hist[256] = { 0 }, n = (unsigned long)w * h;
	unsigned char *b = malloc(n);
	int t;

	if (!b)
		return NULL;
	for (unsigned long i = 0; i < n; i++)
		hist[g[i]]++;
	t = 16 * (percentile(hist, n, 0.02) + percentile(hist, n, 0.90)) / 2;
	for (unsigned y = 0; y < h; y++)
		for (unsigned x = 0; x < w; x++) {
			const unsigned char *p = g + (size_t)y * w + x;
			int v = 16 * p[0];

			if (x > 0 && y > 0 && x + 1 < w && y + 1 < h)
				v = p[-(long)w - 1] + 2 * p[-(long)w] + p[-(long)w + 1] + 2 * p[-1] +
				    4 * p[0] + 2 * p[1] + p[w - 1] + 2 * p[w] + p[w + 1];
			b[(size_t)y * w + x] = v < t ? 0 : 255;
		}
	return b;
}

int scan_qr(const unsigned char *grey, unsigned w, unsigned h, struct scan_qr *q)
{
	unsigned char *b;
	int rc;

	memset(q, 0, sizeof(*q));
	if (bad_size(grey, w, h))
		return -1;
	/* The forms print their QR at the top right: that sixth of an upright page first (the
	 * upload's common case at a sixth of the cost), then the whole page. */
	if (w >= 200 && h >= 300) {
		unsigned cw = w - w / 2, ch = h / 3;
		unsigned char *crop = malloc((size_t)cw * ch);

		if (!crop)
			return -1;
		for (unsigned y = 0; y < ch; y++)
			memcpy(crop + (size_t)y * cw, grey + (size_t)y * w + w / 2, cw);
		rc = zbar_pass(crop, cw, ch, q);
		free(crop);
		if (rc != 0)
			return -1;
	}
	if (q->n == 0 && zbar_pass(grey, w, h, q) != 0)
		return -1;
	if (q->n > 0)
		return 0;
	/* Only a page with a finder pattern gets the second, cleaned pass. */
	q->finders = finders(grey, w, h);
	if (q->finders == 0)
		return 0;
	b = clean(grey, w, h);
	if (!b)
		return -1;
	if (zbar_pass(b, w, h, q) != 0) {
		free(b);
		return -1;
	}
	free(b);
	if (q->n > 0)
		q->finders = 0;
	return 0;
}
