/* Unit tests of shared/media/qr.c: the SVG read back into modules, checked without a decoder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "media/qr.h"

static struct arena a;

/* The modules an SVG draws, quiet zone included: grid[y][x] is 1 for a dark square. */
struct grid {
	int side;
	unsigned char m[200][200];
};

static int setup(void **state)
{
	(void)state;
	return arena_init(&a, 1 << 16, 1 << 24);
}

static int teardown(void **state)
{
	(void)state;
	arena_free(&a);
	return 0;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

/* Reads the SVG back: the viewBox, then every "M<x> <y>h1v1h-1z" of the one path. Fails the
 * test on anything else in the path, a square outside the box or a square drawn twice. */
static void parse(const struct qr_svg *q, struct grid *g)
{
	const char *vb = strstr(q->svg, "viewBox=\"0 0 "), *d;
	int w, h, x, y, used;

	memset(g, 0, sizeof(*g));
	assert_non_null(vb);
	assert_int_equal(sscanf(vb, "viewBox=\"0 0 %d %d\"", &w, &h), 2);
	assert_int_equal(w, h);
	assert_true(w > 0 && w <= 200);
	g->side = w;
	assert_int_equal(count(q->svg, "<path"), 1);
	d = strstr(q->svg, " d=\"");
	assert_non_null(d);
	for (d += 4; *d != '"'; d += used) {
		used = 0;
		if (sscanf(d, "M%d %dh1v1h-1z%n", &x, &y, &used) != 2 || used == 0)
			fail_msg("unexpected path data at: %.30s", d);
		assert_true(x >= 0 && x < w && y >= 0 && y < w);
		assert_int_equal(g->m[y][x], 0);
		g->m[y][x] = 1;
	}
	assert_string_equal(d, "\"/></svg>");
}

/* A finder pattern with its top-left module at (x0, y0): a dark 7x7 ring, a light ring, a
 * dark 3x3 centre. */
static int is_finder(const struct grid *g, int x0, int y0)
{
	for (int y = 0; y < 7; y++)
		for (int x = 0; x < 7; x++) {
			int ring = x < y ? x : y, far = (6 - x) < (6 - y) ? 6 - x : 6 - y;
			int dist = ring < far ? ring : far; /* distance to the pattern's edge */
			int want = dist != 1;

			if (g->m[y0 + y][x0 + x] != want)
				return 0;
		}
	return 1;
}

static void encode(const char *text, struct qr_svg *q, struct grid *g)
{
	assert_int_equal(qr_svg(&a, text, q), QR_OK);
	assert_non_null(q->svg);
	assert_int_equal(strlen(q->svg), q->len);
	parse(q, g);
}

static void test_size_is_version_width(void **state)
{
	static const char *texts[] = {
		"1", "https://example.com",
		"https://hall.example.cn/api/wizard/forms/check?no=017042461457547153&form=application&t=0123456789abcdef",
	};
	static struct grid g;
	struct qr_svg q;
	int last = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		encode(texts[i], &q, &g);
		assert_true(q.version >= 1 && q.version <= 40);
		assert_int_equal(q.width, 17 + 4 * q.version);
		assert_int_equal(g.side, q.width + 2 * QR_QUIET);
		assert_true(q.version >= last); /* longer text, never a smaller symbol */
		last = q.version;
	}
	/* 19 bytes at level M: more than version 1 holds (14), within version 2 (26). */
	encode("https://example.com", &q, &g);
	assert_int_equal(q.version, 2);
	assert_int_equal(q.width, 25);
}

static void test_finder_patterns_at_three_corners(void **state)
{
	static struct grid g;
	struct qr_svg q;
	int lo, hi;

	(void)state;
	encode("https://hall.example.cn/api/wizard/forms/check?no=017042461457547153&form=authorisation&t=fedcba9876543210",
	       &q, &g);
	lo = QR_QUIET;
	hi = QR_QUIET + q.width - 7;
	assert_true(is_finder(&g, lo, lo));
	assert_true(is_finder(&g, hi, lo));
	assert_true(is_finder(&g, lo, hi));
	assert_false(is_finder(&g, hi, hi)); /* the fourth corner holds data, not a finder */
	/* The light separators beside each finder. */
	for (int i = 0; i < 8; i++) {
		assert_int_equal(g.m[lo + 7][lo + i], 0);
		assert_int_equal(g.m[lo + i][lo + 7], 0);
		assert_int_equal(g.m[lo + 7][hi - 1 + i], 0);
		assert_int_equal(g.m[hi - 1 + i][lo + 7], 0);
	}
	/* The timing patterns between the finders alternate, dark on even modules. */
	for (int i = 8; i < q.width - 8; i++) {
		assert_int_equal(g.m[lo + 6][lo + i], (i % 2) == 0);
		assert_int_equal(g.m[lo + i][lo + 6], (i % 2) == 0);
	}
	/* Nothing is drawn in the quiet zone. */
	for (int y = 0; y < g.side; y++)
		for (int x = 0; x < g.side; x++)
			if (x < lo || y < lo || x >= lo + q.width || y >= lo + q.width)
				assert_int_equal(g.m[y][x], 0);
}

static void test_deterministic(void **state)
{
	struct qr_svg q1, q2, q3;

	(void)state;
	assert_int_equal(qr_svg(&a, "https://example.com/x?a=1&b=2", &q1), QR_OK);
	assert_int_equal(qr_svg(&a, "https://example.com/x?a=1&b=2", &q2), QR_OK);
	assert_int_equal(q1.len, q2.len);
	assert_memory_equal(q1.svg, q2.svg, q1.len);
	assert_int_equal(qr_svg(&a, "https://example.com/x?a=1&b=3", &q3), QR_OK);
	assert_true(q1.len != q3.len || memcmp(q1.svg, q3.svg, q1.len) != 0);
}

/* The text never reaches the SVG: markup in it cannot become markup of the page. */
static void test_text_not_in_output(void **state)
{
	static struct grid g;
	struct qr_svg q;

	(void)state;
	encode("<script>alert(\"x\")</script>&amp;'", &q, &g);
	assert_null(strstr(q.svg, "script"));
	assert_null(strstr(q.svg, "alert"));
	assert_int_equal(count(q.svg, "<"), 4); /* <svg, <rect, <path, </svg> */
	assert_int_equal(count(q.svg, "&"), 0);
	/* Control characters and non-ASCII bytes are data like any other. */
	encode("订单\x01\x7f\xff", &q, &g);
	assert_true(q.version >= 1);
}

static void test_refusals(void **state)
{
	char *big = malloc(QR_MAX_TEXT + 2);
	struct qr_svg q;

	(void)state;
	assert_int_equal(qr_svg(&a, NULL, &q), QR_EINVAL);
	assert_null(q.svg);
	assert_int_equal(qr_svg(&a, "", &q), QR_EINVAL);
	assert_null(q.svg);
	memset(big, 'a', QR_MAX_TEXT + 1);
	big[QR_MAX_TEXT + 1] = '\0';
	assert_int_equal(qr_svg(&a, big, &q), QR_TOO_LONG);
	assert_null(q.svg);
	assert_int_equal(q.len, 0);
	/* Exactly the limit is still drawn, inside the bound of the biggest symbol. */
	big[QR_MAX_TEXT] = '\0';
	assert_int_equal(qr_svg(&a, big, &q), QR_OK);
	assert_true(q.width <= 177);
	assert_true(q.len < 512 + 177u * 177u * 16u);
	free(big);
}

/* An arena too small for the drawing: refused, nothing half-written handed out. */
static void test_arena_exhausted(void **state)
{
	struct arena tiny;
	struct qr_svg q;

	(void)state;
	assert_int_equal(arena_init(&tiny, 1024, 2048), 0);
	assert_int_equal(qr_svg(&tiny, "https://example.com/a/rather/long/path?with=query&and=more", &q),
			 QR_ENOMEM);
	assert_null(q.svg);
	arena_free(&tiny);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size_is_version_width),
		cmocka_unit_test(test_finder_patterns_at_three_corners),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_text_not_in_output),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_arena_exhausted),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
