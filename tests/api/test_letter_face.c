/* API tests of the legal representative's face-check QR on the authorisation letter (004:
 * "法人核验：法人授权委托书中所含二维码已绑定系统中订单号，请扫描二维码，由法人亲自刷脸完成核验。法人
 * 核验反馈结果界面显示“认证成功”后，才能上传资料提交申请。如果订单删除后重新申请，须重新下载模板再次
 * 进行法人核验！！！"): at JXCA (channels.letter_face_qr) the letter always carries it, bound to
 * the order; scanned, it leads to the pending check, says 认证成功 once passed, and refuses
 * what is not ours alike. A hall without the setting prints the pending check's own link. The
 * QRs are read back off the printed page as a phone would read them (libzbar). */
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
#include "domain/orderno.h"
#include "media/scan.h"
#include "wizclient.h"

static struct conf conf;
static struct crypto_key key;
static struct db db;
static struct arena a;

static int setup(void **state)
{
	(void)state;
	return wiz_open(&conf, &key, &db, &a) < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	wiz_close(&db, &a);
	return 0;
}

/* ---- helpers */

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

/* The payload of the n-th (0-based) QR drawn on a page, read off a scan of it. */
static void qr_text(const char *body, int n, char *out, size_t outsz)
{
	static unsigned char modules[177 * 177];
	const char *svg = strstr(body, "<svg");
	struct forge_page pg;
	struct scan_qr q;
	unsigned char *grey;
	int width;

	for (int i = 0; svg && i < n; i++)
		svg = strstr(svg + 1, "<svg");
	assert_non_null(svg);
	width = forge_qr_from_svg(svg, modules, sizeof(modules));
	assert_true(width > 0);
	assert_int_equal(forge_page_new(&pg, 1000, 1414), 0);
	forge_qr_top_right(&pg, modules, width);
	grey = scan_grey(pg.rgb, pg.w, pg.h);
	assert_non_null(grey);
	assert_int_equal(scan_qr(grey, pg.w, pg.h, &q), 0);
	assert_int_equal(q.n, 1);
	snprintf(out, outsz, "%.*s", (int)q.len[0], q.text[0]);
	free(grey);
	forge_page_free(&pg);
}

static void letter(struct api_client *c, const char *no, struct api_resp *r)
{
	char path[128];

	snprintf(path, sizeof(path), "/api/wizard/orders/%s/forms/authorisation", no);
	api_call(c, "GET", path, NULL, NULL, r);
	if (r->status != 200)
		fail_msg("letter of %s: %ld %.300s", no, r->status, r->body);
}

/* The path of a URL on the hall (public_url + path). */
static const char *on_hall(const char *url)
{
	size_t n = strlen(conf.public_url);

	while (n > 0 && conf.public_url[n - 1] == '/')
		n--;
	if (strncmp(url, conf.public_url, n) != 0)
		fail_msg("not a URL of the hall: %s", url);
	return url + n;
}

/* A phone scanning the letter's face QR: GET of its path, no session, no redirect followed. */
static void scan(const char *path, struct api_resp *r)
{
	api_call(NULL, "GET", path, NULL, NULL, r);
}

static void expect_page(const char *path, long status, const char *title, const char *words)
{
	struct api_resp r;
	char v[80];

	scan(path, &r);
	if (r.status != status || !r.body || !strstr(r.body, title) || (words && !strstr(r.body, words)))
		fail_msg("%s: want %ld %s, got %ld %.400s", path, status, title, r.status, r.body);
	assert_non_null(api_header(&r, "Content-Type", v, sizeof(v)));
	assert_string_equal(v, "text/html; charset=utf-8");
	assert_null(strstr(r.body, "<script"));
	api_free(&r);
}

static void complete(const char *ref, const char *outcome)
{
	char path[160], body[64];
	struct api_resp r;

	snprintf(path, sizeof(path), "/sandbox/verify/checks/%s/complete", ref);
	snprintf(body, sizeof(body), "{\"outcome\":\"%s\"}", outcome);
	api_post_json(path, body, &r);
	if (r.status != 200)
		fail_msg("complete %s: %ld %s", ref, r.status, r.body);
	api_free(&r);
}

/* POST .../verify/enterprise by QR; the pending check's link into link. */
static void start_face(struct api_client *c, const char *no, char *link, size_t linksz)
{
	char path[128];
	struct api_resp r;
	const char *l;

	snprintf(path, sizeof(path), "/api/wizard/orders/%s/verify/enterprise", no);
	api_call(c, "POST", path, "{\"via\":\"qr\"}", NULL, &r);
	if (r.status != 200)
		fail_msg("face check of %s: %ld %s", no, r.status, r.body);
	l = json_string_value(json_object_get(json_object_get(r.json, "verification"), "link"));
	assert_non_null(l);
	snprintf(link, linksz, "%s", l);
	api_free(&r);
}

static const char *ref_of(const char *link)
{
	const char *p = strstr(link, "/sandbox/verify/face/");

	assert_non_null(p);
	return p + strlen("/sandbox/verify/face/");
}

/* ---- tests */

/* 004 "法人授权委托书中所含二维码已绑定系统中订单号，请扫描二维码，由法人亲自刷脸完成核验": printed
 * before any check exists, the same QR leads to each check started later; "法人核验反馈结果界面
 * 显示“认证成功”". */
static void test_jxca_letter_always_bound(void **state)
{
	char uscc[19], mobile[12], no[19], url[700], again[700], link[600], loc[600], want[160];
	char tag[FORMTAG_LEN + 1];
	const char *path;
	struct api_client owner = { 0 };
	struct api_resp r;

	(void)state;
	wiz_register_org(&owner, uscc, mobile);
	wiz_create(&owner, "jxca-js", "new", "org", NULL, no);
	wiz_fill(&owner, no, "测试示范有限公司", mobile);
	/* No check started: the letter carries it all the same, beside its own check QR. */
	letter(&owner, no, &r);
	assert_int_equal(count(r.body, "<svg"), 2);
	assert_non_null(strstr(r.body, "亲自刷脸完成核验"));
	assert_non_null(strstr(r.body, "认证成功"));
	qr_text(r.body, 1, url, sizeof(url));
	api_free(&r);
	formtag_face_make(&key, no, tag);
	snprintf(want, sizeof(want), FORMTAG_FACE_PATH "?no=%s&t=%s", no, tag);
	path = on_hall(url);
	assert_string_equal(path, want);
	/* Scanned now: nothing pending, and what to do; nothing of the order on the page. */
	expect_page(path, 200, "暂无待完成的法人核验", "请经办人在网上营业厅重新发起法人核验");
	scan(path, &r);
	assert_null(strstr(r.body, no));
	assert_null(strstr(r.body, "测试示范有限公司"));
	api_free(&r);

	/* The handler starts the face check: the same paper leads the phone to it. */
	start_face(&owner, no, link, sizeof(link));
	letter(&owner, no, &r);
	qr_text(r.body, 1, again, sizeof(again));
	api_free(&r);
	assert_string_equal(again, url);
	scan(path, &r);
	assert_int_equal(r.status, 302);
	assert_non_null(api_header(&r, "Location", loc, sizeof(loc)));
	assert_string_equal(loc, link);
	api_free(&r);

	/* The legal representative passes at the gateway: "认证成功", before the handler's page
	 * has even asked. */
	complete(ref_of(link), "pass");
	expect_page(path, 200, "认证成功", "上传资料");
	{
		char p2[128];

		snprintf(p2, sizeof(p2), "/api/wizard/orders/%s/verify/enterprise", no);
		api_call(&owner, "GET", p2, NULL, NULL, &r);
		assert_int_equal(r.status, 200);
		assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "verification"),
								      "state")), "passed");
		api_free(&r);
	}
	expect_page(path, 200, "认证成功", NULL);

	/* 004 "如果订单删除后重新申请，须重新下载模板再次进行法人核验": the deleted order's letter is void. */
	{
		char p3[128];

		snprintf(p3, sizeof(p3), "/api/wizard/orders/%s/cancel", no);
		api_call(&owner, "POST", p3, "{}", NULL, &r);
		if (r.status != 200)
			fail_msg("cancel: %ld %s", r.status, r.body);
		api_free(&r);
	}
	expect_page(path, 200, "授权委托书已失效", "重新下载授权委托书");
}

/* A check that failed: the scan says so and what to do. */
static void test_jxca_failed(void **state)
{
	char uscc[19], mobile[12], no[19], url[700], link[600];
	struct api_client owner = { 0 };
	struct api_resp r;

	(void)state;
	wiz_register_org(&owner, uscc, mobile);
	wiz_create(&owner, "jxca-js", "new", "org", NULL, no);
	wiz_fill(&owner, no, "测试示范有限公司", mobile);
	start_face(&owner, no, link, sizeof(link));
	letter(&owner, no, &r);
	qr_text(r.body, 1, url, sizeof(url));
	api_free(&r);
	complete(ref_of(link), "fail");
	expect_page(on_hall(url), 200, "核验未通过", "重新发起法人核验");
}

/* Not ours: a forged tag, another order's tag, an unknown order, a form's check tag in its
 * place, nothing at all: one refusal, word for word. */
static void test_refused_alike(void **state)
{
	char uscc[19], mobile[12], no[19], other[19], tag[FORMTAG_LEN + 1], ftag[FORMTAG_LEN + 1];
	char path[200], unknown[19], first[1024] = "";
	struct api_client owner = { 0 };
	struct api_resp r;

	(void)state;
	wiz_register_org(&owner, uscc, mobile);
	wiz_create(&owner, "jxca-js", "new", "org", NULL, no);
	wiz_register_org(&owner, uscc, mobile);
	wiz_create(&owner, "jxca-js", "new", "org", NULL, other);
	formtag_face_make(&key, no, tag);
	formtag_make(&key, no, "authorisation", ftag);
	/* A well-formed number (its check digit right) that no order has. */
	for (char d = '0'; d <= '9'; d++) {
		snprintf(unknown, sizeof(unknown), "%.8s999999999%c", no, d);
		if (orderno_valid(unknown))
			break;
	}
	assert_true(orderno_valid(unknown));
	{
		char utag[FORMTAG_LEN + 1], otag[FORMTAG_LEN + 1], forged[FORMTAG_LEN + 1];
		const char *tries[8];
		int n = 0;

		formtag_face_make(&key, unknown, utag);
		formtag_face_make(&key, other, otag);
		snprintf(forged, sizeof(forged), "%s", tag);
		forged[0] = forged[0] == '0' ? '1' : '0';
		tries[n++] = arena_printf(&a, FORMTAG_FACE_PATH "?no=%s&t=%s", no, forged);
		tries[n++] = arena_printf(&a, FORMTAG_FACE_PATH "?no=%s&t=%s", no, otag);
		tries[n++] = arena_printf(&a, FORMTAG_FACE_PATH "?no=%s&t=%s", unknown, utag);
		tries[n++] = arena_printf(&a, FORMTAG_FACE_PATH "?no=%s&t=%s", no, ftag);
		tries[n++] = arena_printf(&a, FORMTAG_FACE_PATH "?no=%s", no);
		tries[n++] = FORMTAG_FACE_PATH;
		tries[n++] = arena_printf(&a, FORMTAG_FACE_PATH "?no=%%3Cscript%%3E&t=%s", tag);
		for (int i = 0; i < n; i++) {
			scan(tries[i], &r);
			if (r.status != 404 || !strstr(r.body, "无法核验"))
				fail_msg("%s: %ld %.300s", tries[i], r.status, r.body);
			if (!first[0])
				snprintf(first, sizeof(first), "%s", r.body);
			assert_string_equal(r.body, first);
			api_free(&r);
		}
	}
	/* The right tag opens it. */
	snprintf(path, sizeof(path), FORMTAG_FACE_PATH "?no=%s&t=%s", no, tag);
	expect_page(path, 200, "暂无待完成的法人核验", NULL);
}

/* A hall without the setting is unchanged: BJCA's letter carries no face QR until a face
 * check is pending, and then the check's own link. */
static void test_other_hall_unchanged(void **state)
{
	char uscc[19], mobile[12], no[19], link[600], text[700];
	struct wiz_opts opts = { .enterprise_method = "lr_face" };
	struct api_client owner = { 0 };
	struct api_resp r;

	(void)state;
	wiz_register_org(&owner, uscc, mobile);
	wiz_create(&owner, "bjca-zycg", "new", "org", NULL, no);
	wiz_fill_opts(&owner, no, "测试示范有限公司", mobile, &opts);
	letter(&owner, no, &r);
	assert_int_equal(count(r.body, "<svg"), 1);
	assert_null(strstr(r.body, FORMTAG_FACE_PATH));
	api_free(&r);
	start_face(&owner, no, link, sizeof(link));
	letter(&owner, no, &r);
	assert_int_equal(count(r.body, "<svg"), 2);
	qr_text(r.body, 1, text, sizeof(text));
	api_free(&r);
	assert_string_equal(text, link);
}

/* An unlock checks no organisation (the key in hand does): JXCA's letter for it has no face
 * QR, nothing to scan for. */
static void test_jxca_unlock_has_none(void **state)
{
	char uscc[19], mobile[12], no[19], serial[17], extra[64];
	struct api_client owner = { 0 };
	struct api_resp r;

	(void)state;
	wiz_register_org(&owner, uscc, mobile);
	wiz_random_serial(serial);
	wiz_fixture_cert(uscc, uscc, "jxca-js", "org", serial, 200, -165, false);
	snprintf(extra, sizeof(extra), ",\"cert_serial\":\"%s\"", serial);
	wiz_create(&owner, "jxca-js", "unlock", "org", extra, no);
	wiz_fill(&owner, no, "测试示范有限公司", mobile);
	letter(&owner, no, &r);
	assert_int_equal(count(r.body, "<svg"), 1);
	assert_null(strstr(r.body, FORMTAG_FACE_PATH));
	api_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jxca_letter_always_bound),
		cmocka_unit_test(test_jxca_failed),
		cmocka_unit_test(test_refused_alike),
		cmocka_unit_test(test_other_hall_unchanged),
		cmocka_unit_test(test_jxca_unlock_has_none),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
