/* API tests: the scan checks of an upload (issue 18): the printed form's QR read back, the
 * legibility checks, the seal; what the applicant and the reviewer see. The scans are drawn
 * by tests/data/scanforge.c around the QR of the page the wizard prints. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../data/scanforge.h"
#include "apiclient.h"
#include "base/conf.h"
#include "crypto/crypto.h"
#include "db/db.h"
#include "domain/formtag.h"
#include "media/qr.h"
#include "wizclient.h"

static struct conf conf;
static struct crypto_key key;
static struct db db;
static struct arena a;
static struct api_client owner, owner2;
/* Two organisations' orders (bjca-zycg, new), every step saved: o_a is owner's, o_b owner2's,
 * whose printed form owner might mix up with its own. */
static char o_a[19], o_b[19];

static int setup(void **state)
{
	char uscc[19], mobile[12];

	(void)state;
	if (wiz_open(&conf, &key, &db, &a) < 0)
		return -1;
	wiz_register_org(&owner, uscc, mobile);
	wiz_create(&owner, "bjca-zycg", "new", "org", NULL, o_a);
	wiz_fill(&owner, o_a, "测试示范有限公司", mobile);
	wiz_register_org(&owner2, uscc, mobile);
	wiz_create(&owner2, "bjca-zycg", "new", "org", NULL, o_b);
	wiz_fill(&owner2, o_b, "测试示范有限公司", mobile);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	wiz_close(&db, &a);
	return 0;
}

static long long rows_of(const char *no)
{
	struct db_rows rows;

	assert_int_equal(db_query(&db, &a, "SELECT COUNT(*) FROM materials m JOIN orders o ON o.id = m.order_id "
				       "WHERE o.order_no = ?", DB_ARGS(DB_STR(no)), &rows), DB_OK);
	return strtoll(db_cell(&rows, 0, 0), NULL, 10);
}

static struct api_client *owner_of(const char *no)
{
	return strcmp(no, o_b) == 0 ? &owner2 : &owner;
}

static void send(const struct forge_page *pg, bool grey, const char *no, const char *kind, struct api_resp *r)
{
	unsigned char *bmp;
	size_t len;

	assert_int_equal(grey ? forge_bmp8_grey(pg, &bmp, &len) : forge_bmp4(pg, &bmp, &len), 0);
	api_upload(owner_of(no), no, kind, (const char *)bmp, len, "scan.bmp", "image/bmp", r);
	free(bmp);
}

static const char *checks_of(const struct api_resp *r, const char *what)
{
	return json_string_value(json_object_get(json_object_get(json_object_get(r->json, "material"),
								  "checks"), what));
}

static const char *err_of(const struct api_resp *r, const char *what)
{
	return json_string_value(json_object_get(json_object_get(r->json, "error"), what));
}

/* Refused with code and check; nothing stored. */
static void expect_refused(const struct forge_page *pg, bool grey, const char *no, const char *kind,
			   const char *code, const char *check, const char *in_message)
{
	struct api_resp r;
	long long before = rows_of(no);

	send(pg, grey, no, kind, &r);
	if (r.status != 400 || !api_error_code(&r) || strcmp(api_error_code(&r), code) != 0 ||
	    !err_of(&r, "check") || strcmp(err_of(&r, "check"), check) != 0)
		fail_msg("%s to %s: expected %s/%s, got %ld %.400s", kind, no, code, check, r.status, r.body);
	api_expect_error(&r, 400, code);
	assert_string_equal(api_error_field(&r), "file");
	if (in_message && !strstr(err_of(&r, "message"), in_message))
		fail_msg("message without \"%s\": %s", in_message, err_of(&r, "message"));
	api_free(&r);
	assert_int_equal(rows_of(no), before);
}

/* ---- the QR read back */

/* The order's own printed form, stamped, uploaded as kind: 201, its QR verified, the seal
 * found, no warning. */
static void expect_verified(const char *no, const char *form, const char *kind)
{
	struct forge_page pg;
	struct api_resp r;

	wiz_form_page(owner_of(no), no, form, true, &pg);
	send(&pg, false, no, kind, &r);
	if (r.status != 201)
		fail_msg("own %s as %s: %ld %s", form, kind, r.status, r.body);
	assert_string_equal(checks_of(&r, "qr"), "verified");
	assert_string_equal(checks_of(&r, "seal"), "found");
	assert_null(checks_of(&r, "warning"));
	api_free(&r);
	forge_page_free(&pg);
}

static void test_own_form_verified(void **state)
{
	struct api_resp r, d;
	char path[128];
	json_t *m;
	size_t i;
	int seen = 0;

	(void)state;
	/* Each printed form of the order, stamped: the seal sample sheet too. */
	expect_verified(o_a, "application", "application_form");
	expect_verified(o_a, "authorisation", "authorisation_letter");
	expect_verified(o_a, "seal", "seal_sample");

	/* The applicant's list says it too, and which printed form each kind carries. */
	snprintf(path, sizeof(path), "/api/upload/orders/%s/materials", o_a);
	api_call(&owner, "GET", path, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	json_array_foreach(json_object_get(r.json, "materials"), i, m) {
		const char *kind = json_string_value(json_object_get(m, "kind"));

		if (strcmp(kind, "application_form") == 0 || strcmp(kind, "seal_sample") == 0) {
			assert_string_equal(json_string_value(json_object_get(json_object_get(m, "latest"), "qr")),
					    "verified");
			assert_string_equal(json_string_value(json_object_get(m, "form")),
					    kind[0] == 'a' ? "application" : "seal");
			seen++;
		}
		if (strcmp(kind, "business_licence") == 0)
			assert_null(json_string_value(json_object_get(m, "form")));
	}
	assert_int_equal(seen, 2);
	api_free(&r);

	/* The reviewer sees "二维码已核验" and the seal on the material. */
	{
		struct api_client staff = { 0 };

		api_staff_login(&staff, "reviewer", "Staff2026hall");
		snprintf(path, sizeof(path), "/api/review/orders/%s", o_a);
		api_call(&staff, "GET", path, NULL, NULL, &d);
		if (d.status != 200)
			fail_msg("review detail: %ld %s", d.status, d.body);
	}
	seen = 0;
	json_array_foreach(json_object_get(d.json, "materials"), i, m) {
		json_t *c = json_object_get(m, "checks");

		if (!json_is_true(json_object_get(m, "latest")))
			continue;
		assert_string_equal(json_string_value(json_object_get(c, "qr")), "verified");
		assert_string_equal(json_string_value(json_object_get(c, "qr_text")), "二维码已核验");
		assert_string_equal(json_string_value(json_object_get(c, "seal")), "found");
		assert_non_null(json_string_value(json_object_get(c, "sharpness")));
		seen++;
	}
	assert_int_equal(seen, 3);
	api_free(&d);
}

static void test_other_order_refused(void **state)
{
	struct forge_page pg;

	(void)state;
	/* The same applicant's other order: its form is no form of this one. */
	wiz_form_page(&owner2, o_b, "application", true, &pg);
	expect_refused(&pg, false, o_a, "application_form", "qr_mismatch", "qr_other_order", o_b);
	forge_page_free(&pg);
	/* This order's letter is not its application form, nor its seal sample sheet. */
	wiz_form_page(&owner, o_a, "authorisation", true, &pg);
	expect_refused(&pg, false, o_a, "application_form", "qr_mismatch", "qr_other_form", "授权委托书");
	expect_refused(&pg, false, o_a, "seal_sample", "qr_mismatch", "qr_other_form", "电子印章采样表");
	forge_page_free(&pg);
}

/* A page with the QR of text drawn where the forms print theirs. */
static void page_with_qr(const char *text, struct forge_page *pg)
{
	static unsigned char modules[177 * 177];
	struct qr_svg q;
	int width;

	assert_int_equal(qr_svg(&a, text, &q), QR_OK);
	width = forge_qr_from_svg(q.svg, modules, sizeof(modules));
	assert_true(width > 0);
	assert_int_equal(forge_page_new(pg, 1000, 1414), 0);
	forge_form_body(pg, 99);
	forge_qr_top_right(pg, modules, width);
	forge_seal_in_box(pg);
}

static void test_unbound_and_forged(void **state)
{
	struct forge_page pg;
	char text[400], tag[FORMTAG_LEN + 1];

	(void)state;
	/* A blank form from elsewhere: no QR at all. */
	assert_int_equal(forge_page_new(&pg, 1000, 1414), 0);
	forge_form_body(&pg, 5);
	forge_seal_in_box(&pg);
	expect_refused(&pg, false, o_a, "application_form", "qr_missing", "qr_missing", "二维码");
	forge_page_free(&pg);
	/* Someone else's QR. */
	page_with_qr("https://www.example.com/form?id=1", &pg);
	expect_refused(&pg, false, o_a, "application_form", "qr_mismatch", "qr_not_bound", "不是本系统");
	forge_page_free(&pg);
	/* Our URL for this order, with a made-up tag. */
	snprintf(text, sizeof(text), "%s" FORMTAG_PATH "?no=%s&form=application&t=0123456789abcdef",
		 conf.public_url, o_a);
	page_with_qr(text, &pg);
	expect_refused(&pg, false, o_a, "application_form", "qr_mismatch", "qr_not_bound", NULL);
	forge_page_free(&pg);
	/* The right tag with a parameter too many, and hostile bytes around it. */
	formtag_make(&key, o_a, "application", tag);
	snprintf(text, sizeof(text), "%s" FORMTAG_PATH "?no=%s&form=application&t=%s&x=<script>",
		 conf.public_url, o_a, tag);
	page_with_qr(text, &pg);
	expect_refused(&pg, false, o_a, "application_form", "qr_mismatch", "qr_not_bound", NULL);
	forge_page_free(&pg);
}

static void test_qr_cut_off(void **state)
{
	struct forge_page pg, cut;

	(void)state;
	wiz_form_page(&owner, o_a, "application", true, &pg);
	/* The scanner's glass ended inside the QR: the right 8 % of the page is gone. */
	assert_int_equal(forge_page_new(&cut, 920, 1414), 0);
	for (unsigned y = 0; y < cut.h; y++)
		memcpy(cut.rgb + 3 * (size_t)y * cut.w, pg.rgb + 3 * (size_t)y * pg.w, 3 * (size_t)cut.w);
	expect_refused(&cut, false, o_a, "application_form", "qr_unreadable", "qr_unreadable", "重新扫描");
	forge_page_free(&cut);
	forge_page_free(&pg);
}

/* ---- legibility */

static void test_illegible(void **state)
{
	struct forge_page pg, canvas;

	(void)state;
	/* Blank: for the form and for an ID copy alike (before any QR is looked for). */
	assert_int_equal(forge_page_new(&pg, 1000, 1414), 0);
	expect_refused(&pg, true, o_a, "application_form", "scan_illegible", "blank", "空白");
	expect_refused(&pg, true, o_a, "handler_id", "scan_illegible", "blank", "空白");
	forge_page_free(&pg);
	/* Blurred. */
	wiz_form_page(&owner, o_a, "application", true, &pg);
	forge_blur(&pg, 4);
	expect_refused(&pg, true, o_a, "application_form", "scan_illegible", "blurred",
		       "扫描件模糊，请在光线充足处重新扫描或拍照");
	forge_page_free(&pg);
	/* Dark. */
	wiz_form_page(&owner, o_a, "application", true, &pg);
	for (size_t i = 0; i < (size_t)pg.w * pg.h * 3; i++)
		pg.rgb[i] = (unsigned char)(pg.rgb[i] * 35 / 100);
	expect_refused(&pg, true, o_a, "application_form", "scan_illegible", "dark", "光线");
	forge_page_free(&pg);
	/* Small: the form at 40 % in the middle of a grey desk. */
	wiz_form_page(&owner, o_a, "application", true, &pg);
	assert_int_equal(forge_page_new(&canvas, 1000, 1414), 0);
	memset(canvas.rgb, 205, (size_t)canvas.w * canvas.h * 3);
	for (unsigned y = 0; y < pg.h * 2 / 5; y++)
		for (unsigned x = 0; x < pg.w * 2 / 5; x++)
			memcpy(canvas.rgb + 3 * ((size_t)(y + 424) * canvas.w + x + 300),
			       pg.rgb + 3 * ((size_t)(y * 5 / 2) * pg.w + x * 5 / 2), 3);
	expect_refused(&canvas, true, o_a, "application_form", "scan_illegible", "small", "铺满");
	forge_page_free(&canvas);
	forge_page_free(&pg);
}

/* bjca-zycg's own row for the business licence (uploads-policy/materials.sql: it stands for
 * the material there) with these thresholds and no seal expected; NULL: the default row's
 * checks again, as seeded. */
static void licence_rule(const long long *min)
{
	char sql[900];

	if (!min) {
		wiz_sql("UPDATE material_rules r JOIN channels c ON c.id = r.channel_id "
			"JOIN material_rules d ON d.channel_id = 0 AND d.material = r.material "
			"SET r.paper_min = d.paper_min, r.ink_min = d.ink_min, r.sharp_min = d.sharp_min, "
			"r.area_min = d.area_min, r.seal = d.seal, r.qr_form = d.qr_form "
			"WHERE c.code = 'bjca-zycg' AND r.material = 'business_licence'");
		return;
	}
	snprintf(sql, sizeof(sql),
		 "UPDATE material_rules r JOIN channels c ON c.id = r.channel_id SET r.paper_min = %lld, "
		 "r.ink_min = %lld, r.sharp_min = %lld, r.area_min = %lld, r.seal = 0, r.qr_form = NULL "
		 "WHERE c.code = 'bjca-zycg' AND r.material = 'business_licence'",
		 min[0], min[1], min[2], min[3]);
	wiz_sql(sql);
}

/* The thresholds are the kind's, from the rules table: each passes at the page's own measure
 * and refuses one above it, naming its check. */
static void test_thresholds_from_rules(void **state)
{
	static const struct {
		const char *measure, *check;
	} t[4] = { { "paper", "dark" }, { "ink_pm", "blank" }, { "sharpness", "blurred" },
		   { "area_pct", "small" } };
	const long long out_of_reach[4] = { 0, 1000, 0, 0 };
	struct forge_page pg;
	struct api_resp r;
	long long at[4], min[4];
	json_t *m;

	(void)state;
	/* A licence copy in grey on paper a little short of white (its brightness has room above). */
	assert_int_equal(forge_page_new(&pg, 1000, 1414), 0);
	forge_form_body(&pg, 17);
	for (size_t i = 0; i < (size_t)pg.w * pg.h * 3; i++)
		pg.rgb[i] = (unsigned char)(pg.rgb[i] * 9 / 10);
	licence_rule(out_of_reach);
	send(&pg, true, o_a, "business_licence", &r);
	api_expect_error(&r, 400, "scan_illegible");
	m = json_object_get(json_object_get(r.json, "error"), "measures");
	for (int i = 0; i < 4; i++) {
		at[i] = json_integer_value(json_object_get(m, t[i].measure));
		assert_true(at[i] > 0);
	}
	assert_true(at[0] < 255);
	api_free(&r);
	licence_rule(at);
	send(&pg, true, o_a, "business_licence", &r);
	if (r.status != 201)
		fail_msg("at the thresholds: %ld %s", r.status, r.body);
	api_free(&r);
	for (int i = 0; i < 4; i++) {
		memcpy(min, at, sizeof(min));
		min[i]++;
		licence_rule(min);
		expect_refused(&pg, true, o_a, "business_licence", "scan_illegible", t[i].check, NULL);
	}
	licence_rule(NULL);
	forge_page_free(&pg);
}

/* ---- the seal */

static void test_seal(void **state)
{
	struct forge_page pg;
	struct api_resp r;

	(void)state;
	/* Not found: accepted, with a warning to the applicant and the flag for the reviewer. */
	wiz_form_page(&owner2, o_b, "application", false, &pg);
	send(&pg, false, o_b, "application_form", &r);
	if (r.status != 201)
		fail_msg("unstamped form: %ld %s", r.status, r.body);
	assert_string_equal(checks_of(&r, "qr"), "verified");
	assert_string_equal(checks_of(&r, "seal"), "missing");
	assert_non_null(strstr(checks_of(&r, "warning"), "公章"));
	api_free(&r);
	/* The reviewer sees the flag on the material. */
	{
		struct api_client staff = { 0 };
		struct api_resp d;
		char path[128];
		json_t *m;
		size_t i;
		int seen = 0;

		api_staff_login(&staff, "reviewer", "Staff2026hall");
		snprintf(path, sizeof(path), "/api/review/orders/%s", o_b);
		api_call(&staff, "GET", path, NULL, NULL, &d);
		if (d.status != 200)
			fail_msg("review detail: %ld %s", d.status, d.body);
		json_array_foreach(json_object_get(d.json, "materials"), i, m) {
			json_t *c = json_object_get(m, "checks");

			if (!json_is_true(json_object_get(m, "latest")) ||
			    strcmp(json_string_value(json_object_get(m, "kind")), "application_form") != 0)
				continue;
			assert_string_equal(json_string_value(json_object_get(c, "seal")), "missing");
			assert_non_null(strstr(json_string_value(json_object_get(c, "seal_text")), "未识别到红色印章"));
			seen++;
		}
		assert_int_equal(seen, 1);
		api_free(&d);
	}
	/* The hall's setting: a missing seal refuses. */
	wiz_sql("UPDATE channels SET seal_refuses = 1 WHERE code = 'bjca-zycg'");
	expect_refused(&pg, false, o_b, "application_form", "seal_missing", "seal", "公章");
	wiz_sql("UPDATE channels SET seal_refuses = 0 WHERE code = 'bjca-zycg'");
	forge_page_free(&pg);
	/* Stamped: found. */
	wiz_form_page(&owner2, o_b, "application", true, &pg);
	send(&pg, false, o_b, "application_form", &r);
	assert_int_equal(r.status, 201);
	assert_string_equal(checks_of(&r, "seal"), "found");
	api_free(&r);
	forge_page_free(&pg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_own_form_verified),
		cmocka_unit_test(test_other_order_refused),
		cmocka_unit_test(test_unbound_and_forged),
		cmocka_unit_test(test_qr_cut_off),
		cmocka_unit_test(test_illegible),
		cmocka_unit_test(test_thresholds_from_rules),
		cmocka_unit_test(test_seal),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
