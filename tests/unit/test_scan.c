/* Unit tests of shared/media/scan.c and shared/domain/formtag.c on a corpus the test draws itself: the
 * order's own form, another order's, one with its QR cut off, an unbound copy, blank, blurred,
 * dark and small pages, stamped and unstamped, photographed as a phone would (rotated, noisy,
 * JPEG), each through the upload's own image_process. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <qrencode.h>
#include <wand/MagickWand.h>

#include "../data/scanforge.h"
#include "crypto/crypto.h"
#include "domain/formtag.h"
#include "media/image.h"
#include "domain/orderno.h"
#include "media/scan.h"

#define PAGE_W 1240 /* A4 at 150 dpi */
#define PAGE_H 1754
/* Two order numbers with their Damm check digits, made at set-up. */
static char NO_OWN[19], NO_OTHER[19];

/* The default rules of uploads-policy/materials.sql for the printed forms. */
static const struct scan_rules form_rules = { .ink_min = 3, .sharp_min = 500, .paper_min = 110,
					      .area_min = 35 };

static struct crypto_key key;
static int verbose;

/* What a phone does to a page: rotation, blur, light, noise, JPEG; shrink < 1 photographs it
 * from afar (the page in the middle of a grey desk). */
struct phone {
	double degrees, blur, light, noise, shrink;
	int quality;
};

static const struct phone flat = { 0, 0, 1.0, 0, 1.0, 92 };
static const struct phone phone = { 2.5, 0.6, 0.92, 6, 1.0, 75 };

static unsigned rng = 12345;

static double gauss(void)
{
	double s = 0;

	for (int i = 0; i < 4; i++) {
		rng ^= rng << 13;
		rng ^= rng >> 17;
		rng ^= rng << 5;
		s += (rng & 0xffff) / 65535.0;
	}
	return (s - 2.0) * 1.732; /* about unit variance */
}

/* The page as the phone's JPEG, malloc'd; scale, when not 0, is the camera's resolution against
 * the page's (0.6: the photo has 60 % of the page's pixels across). */
static unsigned char *photo_at(const struct forge_page *pg, const struct phone *ph, double scale,
			       size_t *len)
{
	MagickWand *w = NewMagickWand();
	PixelWand *bg = NewPixelWand();
	unsigned char *src = pg->rgb, *canvas = NULL, *px, *blob, *out;
	size_t cw, ch, n;

	if (ph->shrink < 1.0) {
		unsigned sw = (unsigned)(pg->w * ph->shrink), sh = (unsigned)(pg->h * ph->shrink);
		unsigned ox = (pg->w - sw) / 2, oy = (pg->h - sh) / 2;

		canvas = malloc((size_t)pg->w * pg->h * 3);
		assert_non_null(canvas);
		memset(canvas, 205, (size_t)pg->w * pg->h * 3);
		for (unsigned y = 0; y < sh; y++)
			for (unsigned x = 0; x < sw; x++)
				memcpy(canvas + 3 * ((size_t)(y + oy) * pg->w + x + ox),
				       pg->rgb + 3 * ((size_t)(unsigned)(y / ph->shrink) * pg->w +
						      (unsigned)(x / ph->shrink)), 3);
		src = canvas;
	}
	assert_true(MagickConstituteImage(w, pg->w, pg->h, "RGB", CharPixel, src));
	PixelSetColor(bg, "rgb(205,205,205)");
	if (ph->degrees != 0)
		assert_true(MagickRotateImage(w, bg, ph->degrees));
	if (ph->blur > 0)
		assert_true(MagickGaussianBlurImage(w, 0, ph->blur));
	if (scale > 0 && scale != 1.0)
		assert_true(MagickResizeImage(w, (size_t)(MagickGetImageWidth(w) * scale),
					      (size_t)(MagickGetImageHeight(w) * scale), TriangleFilter, 1.0));
	cw = MagickGetImageWidth(w);
	ch = MagickGetImageHeight(w);
	px = malloc(cw * ch * 3);
	assert_non_null(px);
	assert_true(MagickExportImagePixels(w, 0, 0, cw, ch, "RGB", CharPixel, px));
	for (size_t i = 0; i < cw * ch * 3; i++) {
		double v = px[i] * ph->light + (ph->noise > 0 ? gauss() * ph->noise : 0);

		px[i] = (unsigned char)(v < 0 ? 0 : v > 255 ? 255 : v);
	}
	ClearMagickWand(w);
	assert_true(MagickConstituteImage(w, cw, ch, "RGB", CharPixel, px));
	assert_true(MagickSetImageFormat(w, "JPEG"));
	assert_true(MagickSetImageCompressionQuality(w, (size_t)ph->quality));
	blob = MagickGetImageBlob(w, &n);
	assert_non_null(blob);
	out = malloc(n);
	assert_non_null(out);
	memcpy(out, blob, n);
	*len = n;
	MagickRelinquishMemory(blob);
	free(px);
	free(canvas);
	DestroyPixelWand(bg);
	DestroyMagickWand(w);
	return out;
}

static unsigned char *photo(const struct forge_page *pg, const struct phone *ph, size_t *len)
{
	return photo_at(pg, ph, 0, len);
}

/* What the upload sees of a photo: the stored pixels, measured, and its QR codes. */
struct seen {
	struct scan_measures m;
	struct scan_qr q;
	int seal;
	unsigned w, h;
};

static void look(const unsigned char *file, size_t len, struct seen *s, const char *what)
{
	struct image_rules r = { .formats = IMAGE_JPEG | IMAGE_BMP, .max_bytes = 4u << 20,
				 .min_pixels = 100000, .max_pixels = 40000000, .max_side = 1754,
				 .thumb_side = 240, .jpeg_quality = 85, .want_rgb = 1 };
	struct image_out out;
	unsigned char *grey;

	assert_int_equal(image_process(file, len, NULL, NULL, &r, &out), IMAGE_OK);
	assert_non_null(out.rgb);
	s->w = out.width;
	s->h = out.height;
	assert_int_equal(scan_measure(out.rgb, out.width, out.height, &s->m), 0);
	grey = scan_grey(out.rgb, out.width, out.height);
	assert_non_null(grey);
	assert_int_equal(scan_qr(grey, out.width, out.height, &s->q), 0);
	s->seal = scan_seal(out.rgb, out.width, out.height);
	if (verbose)
		fprintf(stderr, "%-22s ink %4d sharp %5d paper %3d area %3d seal %d qr %d finders %d\n", what,
			s->m.ink_pm, s->m.sharpness, s->m.paper, s->m.area_pct, s->seal, s->q.n,
			s->q.finders);
	free(grey);
	image_out_free(&out);
}

/* A form of order no: body, the QR its page prints, optionally the seal. */
static void form(struct forge_page *pg, const char *no, const char *form_name, int seal, unsigned seed)
{
	char tag[FORMTAG_LEN + 1], url[256];
	QRcode *q;

	assert_int_equal(forge_page_new(pg, PAGE_W, PAGE_H), 0);
	forge_form_body(pg, seed);
	formtag_make(&key, no, form_name, tag);
	snprintf(url, sizeof(url), "http://127.0.0.1:8080" FORMTAG_PATH "?no=%s&form=%s&t=%s", no,
		 form_name, tag);
	q = QRcode_encodeString(url, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	assert_non_null(q);
	forge_qr_top_right(pg, q->data, q->width);
	QRcode_free(q);
	if (seal)
		forge_seal_in_box(pg);
}

static void look_page(const struct forge_page *pg, const struct phone *ph, struct seen *s, const char *what)
{
	size_t len;
	unsigned char *jpg = photo(pg, ph, &len);

	look(jpg, len, s, what);
	free(jpg);
}

/* The payload's order number, when it is one of our check URLs with a genuine tag. */
static const char *bound_to(const struct scan_qr *q, const char *form_name, char no[19])
{
	struct formtag_ref ref;

	for (int i = 0; i < q->n; i++)
		if (formtag_parse(q->text[i], q->len[i], &ref) == 0 &&
		    strcmp(ref.form, form_name) == 0 && formtag_valid(&key, ref.no, ref.form, ref.tag)) {
			memcpy(no, ref.no, 19);
			return no;
		}
	return NULL;
}

static int group_setup(void **state)
{
	const char *root = getenv("CERTHALL_ROOT") ? getenv("CERTHALL_ROOT") : ".";
	char policy[512], err[256];

	(void)state;
	verbose = getenv("SCAN_VERBOSE") != NULL;
	memcpy(NO_OWN, "26120501000000001", 17);
	NO_OWN[17] = orderno_check_digit(NO_OWN, 17);
	memcpy(NO_OTHER, "26120501000000002", 17);
	NO_OTHER[17] = orderno_check_digit(NO_OTHER, 17);
	for (int i = 0; i < 32; i++) {
		key.enc[i] = (unsigned char)i;
		key.idx[i] = (unsigned char)(0xA0 + i);
	}
	snprintf(policy, sizeof(policy), "%s/uploads-policy", root);
	if (image_init(policy, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	image_done();
	return 0;
}

/* ---- formtag */

static void test_formtag(void **state)
{
	char tag[FORMTAG_LEN + 1], other[FORMTAG_LEN + 1], url[200];
	struct formtag_ref ref;

	(void)state;
	formtag_make(&key, NO_OWN, "application", tag);
	formtag_make(&key, NO_OWN, "authorisation", other);
	assert_int_equal(strlen(tag), FORMTAG_LEN);
	assert_string_not_equal(tag, other);
	assert_true(formtag_valid(&key, NO_OWN, "application", tag));
	assert_false(formtag_valid(&key, NO_OWN, "authorisation", tag));
	assert_false(formtag_valid(&key, NO_OTHER, "application", tag));
	assert_false(formtag_valid(&key, NO_OWN, "seal", tag));
	assert_false(formtag_valid(&key, NO_OWN, "stamp", tag));
	assert_true(formtag_is_form("seal"));
	assert_false(formtag_is_form("stamp"));
	assert_string_equal(formtag_form_name("seal"), "电子印章采样表");
	assert_string_equal(formtag_form_name("stamp"), "");
	{
		char typo[19];

		memcpy(typo, NO_OWN, 19);
		typo[17] = typo[17] == '9' ? '0' : (char)(typo[17] + 1); /* the check digit catches it */
		assert_false(formtag_valid(&key, typo, "application", tag));
	}
	tag[0] = tag[0] == '0' ? '1' : '0';
	assert_false(formtag_valid(&key, NO_OWN, "application", tag));

	snprintf(url, sizeof(url), "https://hall.example.cn/x" FORMTAG_PATH "?t=%s&form=authorisation&no=%s",
		 other, NO_OWN);
	assert_int_equal(formtag_parse(url, strlen(url), &ref), 0);
	assert_string_equal(ref.no, NO_OWN);
	assert_string_equal(ref.form, "authorisation");
	assert_string_equal(ref.tag, other);
}

/* 004 "法人授权委托书中所含二维码已绑定系统中订单号": the letter's face tag is the order's own, and
 * neither a form's check tag nor another order's opens the face check. */
static void test_formtag_face(void **state)
{
	char face[FORMTAG_LEN + 1], letter[FORMTAG_LEN + 1], url[200];
	struct formtag_ref ref;

	(void)state;
	formtag_face_make(&key, NO_OWN, face);
	formtag_make(&key, NO_OWN, "authorisation", letter);
	assert_string_not_equal(face, letter);
	assert_true(formtag_face_valid(&key, NO_OWN, face));
	assert_false(formtag_face_valid(&key, NO_OWN, letter));
	assert_false(formtag_face_valid(&key, NO_OTHER, face));
	assert_false(formtag_face_valid(&key, NO_OWN, NULL));
	assert_false(formtag_face_valid(&key, NULL, face));
	assert_false(formtag_valid(&key, NO_OWN, "face", face));
	assert_false(formtag_valid(&key, NO_OWN, "authorisation", face));
	/* Its URL is no form's check URL: an upload check does not take it for one. */
	snprintf(url, sizeof(url), "https://hall.example.cn" FORMTAG_FACE_PATH "?no=%s&t=%s", NO_OWN, face);
	assert_int_equal(formtag_parse(url, strlen(url), &ref), -1);
}

static void test_formtag_hostile(void **state)
{
	static const char *const bad[] = {
		"",
		"hello",
		"/api/wizard/forms/check?",
		"/api/wizard/forms/check?no=261205010000000017&form=application",
		"/api/wizard/forms/check?no=261205010000000017&form=application&t=0123456789abcdef&x=1",
		"/api/wizard/forms/check?no=261205010000000017&form=application&t=0123456789abcdeF",
		"/api/wizard/forms/check?no=261205010000000017&form=application&t=0123456789abcdef0",
		"/api/wizard/forms/check?no=2612050100000000170&form=application&t=0123456789abcdef",
		"/api/wizard/forms/check?no=261205010000000017&form=stamp&t=0123456789abcdef",
		"/api/wizard/forms/check?no=261205010000000017&no=261205010000000025&form=application&t=0123456789abcdef",
		"/api/wizard/forms/check?no=26120501000000001%37&form=application&t=0123456789abcdef",
		"/api/wizard/forms/check?no&form=application&t=0123456789abcdef",
		"/api/wizard/forms/check?no=261205010000000017&form=application&t=0123456789abcdef&",
	};
	struct formtag_ref ref;
	char nul[] = "/api/wizard/forms/check?no=261205010000000017&form=application&t=0123456789abcde\0";

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (formtag_parse(bad[i], strlen(bad[i]), &ref) == 0)
			fail_msg("accepted %s", bad[i]);
		assert_string_equal(ref.no, "");
	}
	/* A NUL inside the payload (zbar hands out bytes) is no character of a tag. */
	assert_int_equal(formtag_parse(nul, sizeof(nul) - 1, &ref), -1);
	assert_int_equal(formtag_parse(NULL, 0, &ref), -1);
}

/* ---- the QR read back */

static void test_own_form_phone(void **state)
{
	struct forge_page pg;
	struct seen s;
	char no[19];

	(void)state;
	form(&pg, NO_OWN, "application", 1, 1);
	look_page(&pg, &flat, &s, "own, flat");
	assert_non_null(bound_to(&s.q, "application", no));
	assert_string_equal(no, NO_OWN);
	assert_int_equal(scan_judge(&s.m, &form_rules), SCAN_LEGIBLE);
	look_page(&pg, &phone, &s, "own, phone");
	assert_non_null(bound_to(&s.q, "application", no));
	assert_string_equal(no, NO_OWN);
	assert_int_equal(scan_judge(&s.m, &form_rules), SCAN_LEGIBLE);
	/* The same QR does not pass for the other form. */
	assert_null(bound_to(&s.q, "authorisation", no));
	forge_page_free(&pg);
}

static void test_other_order(void **state)
{
	struct forge_page pg;
	struct seen s;
	char no[19];

	(void)state;
	form(&pg, NO_OTHER, "authorisation", 1, 2);
	look_page(&pg, &phone, &s, "other order");
	assert_non_null(bound_to(&s.q, "authorisation", no));
	assert_string_equal(no, NO_OTHER);
	forge_page_free(&pg);
}

static void test_qr_cut_off(void **state)
{
	struct forge_page pg, half;
	struct seen s;

	(void)state;
	form(&pg, NO_OWN, "application", 1, 3);
	/* The scanner's glass ended inside the QR: the right 8 % of the page is gone. */
	assert_int_equal(forge_page_new(&half, PAGE_W * 92 / 100, PAGE_H), 0);
	for (unsigned y = 0; y < PAGE_H; y++)
		memcpy(half.rgb + 3 * (size_t)y * half.w, pg.rgb + 3 * (size_t)y * PAGE_W, 3 * (size_t)half.w);
	look_page(&half, &flat, &s, "qr cut off");
	assert_int_equal(s.q.n, 0);
	assert_true(s.q.finders >= 1);
	forge_page_free(&half);
	forge_page_free(&pg);
}

static void test_unbound_copy(void **state)
{
	struct forge_page pg;
	struct seen s;

	(void)state;
	assert_int_equal(forge_page_new(&pg, PAGE_W, PAGE_H), 0);
	forge_form_body(&pg, 4);
	forge_seal_in_box(&pg);
	look_page(&pg, &phone, &s, "unbound copy");
	assert_int_equal(s.q.n, 0);
	assert_int_equal(s.q.finders, 0);
	assert_int_equal(scan_judge(&s.m, &form_rules), SCAN_LEGIBLE);
	forge_page_free(&pg);
}

/* ---- legibility */

static void test_blank(void **state)
{
	struct forge_page pg;
	struct seen s;

	(void)state;
	assert_int_equal(forge_page_new(&pg, PAGE_W, PAGE_H), 0);
	look_page(&pg, &phone, &s, "blank");
	assert_int_equal(scan_judge(&s.m, &form_rules), SCAN_BLANK);
	assert_int_equal(s.q.n, 0);
	assert_int_equal(s.seal, 0);
	forge_page_free(&pg);
}

static void test_blurred(void **state)
{
	struct forge_page pg;
	struct phone shaky = phone;
	struct seen s;

	(void)state;
	shaky.blur = 4.0;
	form(&pg, NO_OWN, "application", 1, 5);
	for (double b = 1.0; verbose && b < 4.0; b += 0.5) {
		char what[32];

		shaky.blur = b;
		snprintf(what, sizeof(what), "blur %.1f", b);
		look_page(&pg, &shaky, &s, what);
	}
	shaky.blur = 4.0;
	look_page(&pg, &shaky, &s, "blurred");
	assert_int_equal(scan_judge(&s.m, &form_rules), SCAN_BLURRED);
	forge_page_free(&pg);
}

static void test_dark(void **state)
{
	struct forge_page pg;
	struct phone dim = phone;
	struct seen s;

	(void)state;
	dim.light = 0.35;
	form(&pg, NO_OWN, "application", 1, 6);
	look_page(&pg, &dim, &s, "dark");
	assert_int_equal(scan_judge(&s.m, &form_rules), SCAN_DARK);
	forge_page_free(&pg);
}

static void test_small(void **state)
{
	struct forge_page pg;
	struct phone afar = phone;
	struct seen s;

	(void)state;
	afar.shrink = 0.4;
	form(&pg, NO_OWN, "application", 1, 7);
	look_page(&pg, &afar, &s, "small");
	assert_int_equal(scan_judge(&s.m, &form_rules), SCAN_SMALL);
	forge_page_free(&pg);
}

/* Each rule refuses at one more than the measure and passes at the measure itself. */
static void test_thresholds_boundaries(void **state)
{
	struct forge_page pg;
	struct seen s;
	struct scan_rules at, r;
	const struct scan_measures none = { 0 };

	(void)state;
	form(&pg, NO_OWN, "application", 0, 8);
	look_page(&pg, &phone, &s, "boundaries");
	at = (struct scan_rules){ .ink_min = s.m.ink_pm, .sharp_min = s.m.sharpness,
				  .paper_min = s.m.paper, .area_min = s.m.area_pct };
	assert_true(at.ink_min > 0 && at.sharp_min > 0 && at.paper_min > 0 && at.area_min > 0);
	assert_int_equal(scan_judge(&s.m, &at), SCAN_LEGIBLE);
	r = at;
	r.paper_min++;
	assert_int_equal(scan_judge(&s.m, &r), SCAN_DARK);
	r = at;
	r.ink_min++;
	assert_int_equal(scan_judge(&s.m, &r), SCAN_BLANK);
	r = at;
	r.area_min++;
	assert_int_equal(scan_judge(&s.m, &r), SCAN_SMALL);
	r = at;
	r.sharp_min++;
	assert_int_equal(scan_judge(&s.m, &r), SCAN_BLURRED);
	/* The cause first: a page failing every check is dark. */
	r = (struct scan_rules){ at.ink_min + 1, at.sharp_min + 1, at.paper_min + 1, at.area_min + 1 };
	assert_int_equal(scan_judge(&s.m, &r), SCAN_DARK);
	/* Blurred and small: the blur (which shrinks the inked box) is named. */
	r = at;
	r.sharp_min++;
	r.area_min++;
	assert_int_equal(scan_judge(&s.m, &r), SCAN_BLURRED);
	/* 0 leaves a check out. */
	r = (struct scan_rules){ 0 };
	assert_int_equal(scan_judge(&none, &r), SCAN_LEGIBLE);
	assert_string_equal(scan_fault_name(SCAN_BLURRED), "blurred");
	forge_page_free(&pg);
}

/* Known answers: a black box of exactly 5 % of a white page, sharp edges. */
static void test_measures_known(void **state)
{
	struct forge_page pg;
	struct scan_measures m;
	static const unsigned char black_px[3] = { 0, 0, 0 };

	(void)state;
	assert_int_equal(forge_page_new(&pg, 1000, 1000), 0);
	for (unsigned y = 400; y < 600; y++)
		for (unsigned x = 250; x < 500; x++)
			memcpy(pg.rgb + 3 * ((size_t)y * 1000 + x), black_px, 3);
	assert_int_equal(scan_measure(pg.rgb, 1000, 1000, &m), 0);
	assert_int_equal(m.ink_pm, 50);
	assert_int_equal(m.paper, 255);
	/* The box spans 250 x 200 less the trimmed 0.5 % of ink at each side. */
	assert_in_range(m.area_pct, 4, 5);
	if (verbose)
		fprintf(stderr, "box: sharpness %d\n", m.sharpness);
	assert_true(m.sharpness >= form_rules.sharp_min); /* crisp edges, smoothed once */
	/* All white: no ink, no edges. */
	memset(pg.rgb, 255, 1000 * 1000 * 3);
	assert_int_equal(scan_measure(pg.rgb, 1000, 1000, &m), 0);
	assert_int_equal(m.ink_pm, 0);
	assert_int_equal(m.area_pct, 0);
	assert_int_equal(m.sharpness, 0);
	/* Sizes out of bounds. */
	assert_int_equal(scan_measure(pg.rgb, 0, 1000, &m), -1);
	assert_int_equal(scan_measure(pg.rgb, SCAN_MAX_SIDE + 1, 1, &m), -1);
	assert_int_equal(scan_measure(NULL, 10, 10, &m), -1);
	assert_int_equal(scan_seal(NULL, 10, 10), -1);
	assert_int_equal(scan_measure(pg.rgb, 2, 2, &m), -1);
	forge_page_free(&pg);
}

/* ---- the seal */

/* Phone-like photos of the order's own form, stamped and not: the seal's precision and recall,
 * and the QR read back on every one the legibility checks let through. */
static void test_seal_precision_recall(void **state)
{
	static const struct {
		int stamped;
		struct phone ph;
		unsigned seed;
	} cases[] = {
		{ 1, { 0, 0, 1.0, 0, 1.0, 92 }, 11 },	 { 1, { 2.5, 0.6, 0.92, 6, 1.0, 75 }, 12 },
		{ 1, { -3, 0.8, 0.85, 8, 1.0, 60 }, 13 }, { 1, { 1, 0.5, 1.0, 4, 1.0, 50 }, 14 },
		{ 1, { 0, 1.2, 0.95, 5, 1.0, 70 }, 15 },	 { 1, { 4, 0.6, 0.9, 6, 0.7, 75 }, 16 },
		{ 0, { 0, 0, 1.0, 0, 1.0, 92 }, 21 },	 { 0, { 2.5, 0.6, 0.92, 6, 1.0, 75 }, 22 },
		{ 0, { -3, 0.8, 0.85, 8, 1.0, 60 }, 23 }, { 0, { 1, 0.5, 1.0, 4, 1.0, 50 }, 24 },
		{ 0, { 0, 1.2, 0.95, 5, 1.0, 70 }, 25 },	 { 0, { 4, 0.6, 0.9, 6, 0.7, 75 }, 26 },
		{ 1, { -5, 0.9, 0.9, 7, 0.8, 55 }, 17 },	 { 1, { 3.5, 1.0, 0.88, 6, 0.65, 65 }, 18 },
		{ 1, { -1.5, 1.4, 0.95, 5, 1.0, 80 }, 19 }, { 1, { 5, 0.5, 1.0, 5, 0.9, 60 }, 20 },
		{ 0, { -5, 0.9, 0.9, 7, 0.8, 55 }, 27 },	 { 0, { 3.5, 1.0, 0.88, 6, 0.65, 65 }, 28 },
		{ 0, { -1.5, 1.4, 0.95, 5, 1.0, 80 }, 29 }, { 0, { 5, 0.5, 1.0, 5, 0.9, 60 }, 30 },
	};
	int tp = 0, fp = 0, fn = 0, tn = 0, read = 0, legible = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct forge_page pg;
		struct seen s;
		char what[32], no[19];

		form(&pg, NO_OWN, "application", cases[i].stamped, cases[i].seed);
		snprintf(what, sizeof(what), "seal case %zu (%s)", i, cases[i].stamped ? "stamped" : "none");
		look_page(&pg, &cases[i].ph, &s, what);
		tp += s.seal == 1 && cases[i].stamped;
		fp += s.seal == 1 && !cases[i].stamped;
		fn += s.seal != 1 && cases[i].stamped;
		tn += s.seal != 1 && !cases[i].stamped;
		forge_page_free(&pg);
		/* The upload asks for the QR of a legible page only (fcgi-apps/upload/checks.c). */
		if (scan_judge(&s.m, &form_rules) != SCAN_LEGIBLE)
			continue;
		legible++;
		if (bound_to(&s.q, "application", no) && strcmp(no, NO_OWN) == 0)
			read++;
		else
			fprintf(stderr, "%s: QR not read back\n", what);
	}
	fprintf(stderr, "seal: %d stamped, %d unstamped: precision %.2f, recall %.2f\n", tp + fn, fp + tn,
		tp + fp ? (double)tp / (tp + fp) : 0.0, tp + fn ? (double)tp / (tp + fn) : 0.0);
	fprintf(stderr, "qr: read back on %d of %d legible phone-like forms (%d of %zu refused as illegible first)\n",
		read, legible, (int)(sizeof(cases) / sizeof(cases[0])) - legible, sizeof(cases) / sizeof(cases[0]));
	assert_int_equal(fp, 0);
	assert_int_equal(fn, 0);
	/* A genuine photo of the order's own form is never refused for its QR. */
	assert_true(legible >= 16);
	assert_int_equal(read, legible);
}

/* A uniform draw in [lo, hi] from the corpus's own generator (seeded: the same corpus every run). */
static double draw(unsigned *st, double lo, double hi)
{
	*st ^= *st << 13;
	*st ^= *st >> 17;
	*st ^= *st << 5;
	return lo + (hi - lo) * (*st % 10001) / 10000.0;
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1e3 + (t.tv_nsec - t0->tv_nsec) / 1e6;
}

/* CORPUS_N phone photos of the three order-bound forms, half of them stamped, each with its
 * own draw of what a phone does: rotated -5..5 degrees, blur sigma 0.3-1.2, light 0.85-1,
 * noise 3-8 grey levels, JPEG quality 60-85, the page 80-100 % of the frame, the camera at
 * 60-100 % of the page's pixels (a photo sent through a chat app). Every one the legibility checks let through has its QR read
 * back, bound to its order and form; the seal's precision and recall are printed and held. */
#define CORPUS_N 50
static void test_phone_corpus(void **state)
{
	static const char *const forms[] = { "application", "authorisation", "seal" };
	/* SCAN_CORPUS_SEED draws another corpus, to see that a change is not tuned to this one. */
	unsigned st = getenv("SCAN_CORPUS_SEED") ? (unsigned)strtoul(getenv("SCAN_CORPUS_SEED"), NULL, 10) : 20261207;
	int tp = 0, fp = 0, fn = 0, tn = 0, read = 0, legible = 0, read_all = 0;
	double qr_ms = 0, qr_max = 0;

	(void)state;
	rng = st; /* the noise too: the same corpus whichever tests ran before */
	for (int i = 0; i < CORPUS_N; i++) {
		struct phone ph = { draw(&st, -5, 5), draw(&st, 0.3, 1.2), draw(&st, 0.85, 1.0),
				    draw(&st, 3, 8), draw(&st, 0.8, 1.0), (int)draw(&st, 60, 85.99) };
		double cam = draw(&st, 0.6, 1.0);
		const char *fname = forms[i % 3];
		int stamped = (i / 3) % 2 == 0, ok;
		struct forge_page pg;
		struct seen s;
		struct timespec t0;
		char what[160], no[19];
		unsigned char *grey;
		size_t len;
		unsigned char *jpg;
		struct image_rules r = { .formats = IMAGE_JPEG, .max_bytes = 4u << 20, .min_pixels = 100000,
					 .max_pixels = 40000000, .max_side = 1754, .thumb_side = 240,
					 .jpeg_quality = 85, .want_rgb = 1 };
		struct image_out out;

		form(&pg, i % 2 ? NO_OTHER : NO_OWN, fname, stamped, 100 + (unsigned)i);
		jpg = photo_at(&pg, &ph, cam, &len);
		forge_page_free(&pg);
		assert_int_equal(image_process(jpg, len, NULL, NULL, &r, &out), IMAGE_OK);
		free(jpg);
		grey = scan_grey(out.rgb, out.width, out.height);
		assert_non_null(grey);
		assert_int_equal(scan_measure_grey(grey, out.width, out.height, &s.m), 0);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		assert_int_equal(scan_qr(grey, out.width, out.height, &s.q), 0);
		qr_ms += ms_since(&t0);
		qr_max = fmax(qr_max, ms_since(&t0));
		s.seal = scan_seal(out.rgb, out.width, out.height);
		free(grey);
		ok = bound_to(&s.q, fname, no) && strcmp(no, i % 2 ? NO_OTHER : NO_OWN) == 0;
		snprintf(what, sizeof(what),
			 "corpus %2d %-13s %s rot %+.1f blur %.2f light %.2f noise %.1f q %d page %.2f cam %.2f %ux%u",
			 i, fname, stamped ? "stamped" : "plain  ", ph.degrees, ph.blur, ph.light, ph.noise,
			 ph.quality, ph.shrink, cam, out.width, out.height);
		image_out_free(&out);
		tp += s.seal == 1 && stamped;
		fp += s.seal == 1 && !stamped;
		fn += s.seal != 1 && stamped;
		tn += s.seal != 1 && !stamped;
		read_all += ok;
		if (verbose || (!ok && scan_judge(&s.m, &form_rules) == SCAN_LEGIBLE) || s.seal != stamped)
			fprintf(stderr, "%s: %s, qr %s, seal %d, ink %d sharp %d paper %d area %d\n", what,
				scan_fault_name(scan_judge(&s.m, &form_rules)), ok ? "read" : "NOT READ", s.seal,
				s.m.ink_pm, s.m.sharpness, s.m.paper, s.m.area_pct);
		if (scan_judge(&s.m, &form_rules) != SCAN_LEGIBLE)
			continue;
		legible++;
		read += ok;
	}
	fprintf(stderr, "corpus: %d phone-like forms, %d legible: QR read back on %d of %d legible (%d of %d in all), "
		"scan_qr mean %.1f ms, max %.1f ms\n", CORPUS_N, legible, read, legible, read_all, CORPUS_N,
		qr_ms / CORPUS_N, qr_max);
	fprintf(stderr, "corpus: seal on %d stamped, %d plain: tp %d fp %d fn %d tn %d: precision %.2f, recall %.2f\n",
		tp + fn, fp + tn, tp, fp, fn, tn, tp + fp ? (double)tp / (tp + fp) : 0.0,
		tp + fn ? (double)tp / (tp + fn) : 0.0);
	/* Most of the corpus is legible (the draws stay within what a careful phone does), and the
	 * QR is read back on at least 92 % of the legible forms (47 of this corpus's 50, 48 of the
	 * corpora of seeds 7 and 99; 40 of 50 before the sharpened passes of scan_qr): the softest
	 * photos at a chat app's resolution (blur over 1 at 0.7-0.85 of the pixels) still escape
	 * zbar, and the applicant is then asked for a clearer photo, never told it is unbound. */
	assert_true(legible >= CORPUS_N * 9 / 10);
	assert_true(read * 100 >= legible * 92);
	assert_int_equal(fp, 0);
	assert_int_equal(fn, 0);
}

/* A red line of text and a red box are not seals. */
static void test_seal_shapes(void **state)
{
	struct forge_page pg;
	static const unsigned char red[3] = { 225, 30, 35 };

	(void)state;
	assert_int_equal(forge_page_new(&pg, 1000, 1414), 0);
	for (unsigned y = 100; y < 140; y++)
		for (unsigned x = 100; x < 900; x++)
			memcpy(pg.rgb + 3 * ((size_t)y * 1000 + x), red, 3);
	for (unsigned y = 600; y < 800; y++)
		for (unsigned x = 400; x < 600; x++)
			if (y < 610 || y > 790 || x < 410 || x > 590)
				memcpy(pg.rgb + 3 * ((size_t)y * 1000 + x), red, 3);
	assert_int_equal(scan_seal(pg.rgb, 1000, 1414), 0);
	forge_seal(&pg, 500, 1100, 100);
	assert_int_equal(scan_seal(pg.rgb, 1000, 1414), 1);
	forge_page_free(&pg);
}

/* The seal's plausible size, 8-40 % of the page's shorter side (its red cells' box grown by a
 * cell of 4 working pixels each way, so a seal of 6 % still counts): a seal of 10 % and of 38 %
 * is found; one of 4 % (a red date stamp, a logo) and one of 46 % (a red poster) are not. */
static void test_seal_sizes(void **state)
{
	static const struct {
		unsigned r;
		int found;
	} sizes[] = { { 20, 0 }, { 50, 1 }, { 190, 1 }, { 230, 0 } };

	(void)state;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct forge_page pg;

		assert_int_equal(forge_page_new(&pg, 1000, 1414), 0);
		forge_seal(&pg, 500, 700, sizes[i].r);
		if (scan_seal(pg.rgb, pg.w, pg.h) != sizes[i].found)
			fail_msg("a seal of %u %% of the page: expected %s", sizes[i].r * 2 / 10,
				 sizes[i].found ? "found" : "not found");
		forge_page_free(&pg);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_formtag),
		cmocka_unit_test(test_formtag_face),
		cmocka_unit_test(test_formtag_hostile),
		cmocka_unit_test(test_measures_known),
		cmocka_unit_test(test_own_form_phone),
		cmocka_unit_test(test_other_order),
		cmocka_unit_test(test_qr_cut_off),
		cmocka_unit_test(test_unbound_copy),
		cmocka_unit_test(test_blank),
		cmocka_unit_test(test_blurred),
		cmocka_unit_test(test_dark),
		cmocka_unit_test(test_small),
		cmocka_unit_test(test_thresholds_boundaries),
		cmocka_unit_test(test_seal_precision_recall),
		cmocka_unit_test(test_phone_corpus),
		cmocka_unit_test(test_seal_shapes),
		cmocka_unit_test(test_seal_sizes),
	};

	/* A developer runs one test: CMOCKA_FILTER=test_phone_corpus. */
	if (getenv("CMOCKA_FILTER"))
		cmocka_set_test_filter(getenv("CMOCKA_FILTER"));
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
