/* API tests: the halls' own data kept by their admins (fcgi-apps/review/hall*.c): only an
 * admin reaches it; every write is on the audit trail, old -> new; hostile input gets the JSON
 * error and changes nothing; a fee written is what the halls' list then reads; the bank desk
 * edited is what an applicant paying by transfer is shown; an agreement's new version becomes
 * the current one at its hall only. What a test changes is put back through the same API at the end (the
 * agreements, which no API takes back, by SQL), so the tests after these find the seeded halls. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "apiclient.h"
#include "base/conf.h"
#include "crypto/crypto.h"
#include "db/db.h"
#include "wizclient.h"

static struct conf conf;
static struct db db;
static struct arena a;
static struct api_client adm, rev, fin, shp, app, anon;
static json_t *seeded;   /* GET /api/review/admin/halls as the tests found it */
static char tag[9];      /* this run's mark in what it writes */

#define HALLS "/api/review/admin/halls"
#define ORG "测试示范有限公司" /* the name api_register_org registers */

/* ---- helpers */

static void expect(const struct api_resp *r, long status, const char *code)
{
	if (r->status != status || (code && (!api_error_code(r) || strcmp(api_error_code(r), code) != 0)))
		fail_msg("expected %ld %s, got %ld: %.600s", status, code ? code : "", r->status, r->body);
	if (code)
		api_expect_error(r, status, code);
}

static long long count(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static long long count(const char *fmt, ...)
{
	char q[2048], v[32];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(q, sizeof(q), fmt, ap);
	va_end(ap);
	wiz_sql_value(q, v, sizeof(v));
	return strtoll(v, NULL, 10);
}

/* The last row of the audit trail now: what a test looks for comes after it. */
static long long audit_mark(void)
{
	return count("SELECT COALESCE(MAX(id), 0) FROM audit_log");
}

/* The rows of the audit trail an admin's hall edits wrote. */
static long long hall_audits(void)
{
	return count("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'hall\\_%%'");
}

/* The halls as the admin reads them (a new reference). */
static json_t *halls(void)
{
	struct api_resp r;
	json_t *h;

	api_call(&adm, "GET", HALLS, NULL, NULL, &r);
	expect(&r, 200, NULL);
	h = json_incref(json_object_get(r.json, "halls"));
	assert_true(json_is_array(h));
	api_free(&r);
	return h;
}

static json_t *find(json_t *list, const char *member, const char *value)
{
	size_t i;
	json_t *it;

	json_array_foreach(list, i, it)
		if (json_is_string(json_object_get(it, member)) &&
		    strcmp(json_string_value(json_object_get(it, member)), value) == 0)
			return it;
	return NULL;
}

static json_t *fee_of(json_t *hall, const char *business, const char *kind)
{
	size_t i;
	json_t *f;

	json_array_foreach(json_object_get(hall, "fees"), i, f)
		if (strcmp(json_string_value(json_object_get(f, "business")), business) == 0 &&
		    strcmp(json_string_value(json_object_get(f, "kind")), kind) == 0)
			return f;
	return NULL;
}

/* Everything the halls' list says, as one text: a refused request must leave it as it was. */
static char *snapshot(void)
{
	json_t *h = halls();
	char *s = json_dumps(h, JSON_SORT_KEYS | JSON_COMPACT);

	json_decref(h);
	assert_non_null(s);
	return s;
}

static const char *str(json_t *o, const char *member)
{
	const char *s = json_string_value(json_object_get(o, member));

	return s ? s : "(absent)";
}

/* The settings of a hall as PUT takes them: what GET gave, with its updated_at. */
static json_t *settings_of(const char *code)
{
	json_t *h = halls(), *one = json_deep_copy(find(h, "code", code));

	json_decref(h);
	assert_non_null(one);
	json_object_del(one, "fees");
	return one;
}

static void put_json(struct api_client *c, const char *path, json_t *body, struct api_resp *r)
{
	char *text = json_dumps(body, JSON_COMPACT);

	assert_non_null(text);
	api_call(c, "PUT", path, text, NULL, r);
	free(text);
}

static void put_settings(const char *code, json_t *body, struct api_resp *r)
{
	char path[120];

	snprintf(path, sizeof(path), HALLS "/%s", code);
	put_json(&adm, path, body, r);
}

static void fee_path(char *out, size_t outsz, const char *code, const char *business, const char *kind)
{
	snprintf(out, outsz, HALLS "/%s/fees/%s/%s", code, business, kind);
}

/* A fee body as GET shows a row: the row written back as it is. */
static json_t *fee_body(json_t *f)
{
	json_t *b = json_pack("{s:O, s:O, s:O, s:O, s:O}", "basis", json_object_get(f, "basis"),
			      "max_years", json_object_get(f, "max_years"), "source",
			      json_object_get(f, "source"), "seal", json_object_get(f, "seal"),
			      "warranty_free", json_object_get(f, "warranty_free"));
	const char *items[] = { "once", "year" };

	for (size_t i = 0; i < 2; i++) {
		json_t *it = json_object_get(f, items[i]);

		if (json_is_object(it)) {
			json_t *o = json_pack("{s:O, s:O, s:O}", "code", json_object_get(it, "code"),
					      "label", json_object_get(it, "label"), "amount",
					      json_object_get(it, "amount"));
			if (json_object_get(it, "from"))
				json_object_set(o, "from", json_object_get(it, "from"));
			json_object_set_new(b, items[i], o);
		}
	}
	return b;
}

/* Every hall back as the tests found it, through the API an admin uses. */
static void restore(void)
{
	json_t *now = halls(), *h;
	size_t i, j;
	struct api_resp r;
	char path[200];

	json_array_foreach(seeded, i, h) {
		const char *code = str(h, "code");
		json_t *cur = find(now, "code", code), *body = json_deep_copy(h), *f;

		assert_non_null(cur);
		json_object_del(body, "fees");
		json_object_set(body, "updated_at", json_object_get(cur, "updated_at"));
		put_settings(code, body, &r);
		expect(&r, 200, NULL);
		api_free(&r);
		json_decref(body);
		json_array_foreach(json_object_get(h, "fees"), j, f) {
			json_t *c = fee_of(cur, str(f, "business"), str(f, "kind")), *fb;

			if (c && json_equal(c, f))
				continue;
			fee_path(path, sizeof(path), code, str(f, "business"), str(f, "kind"));
			fb = fee_body(f);
			put_json(&adm, path, fb, &r);
			json_decref(fb);
			if (r.status != 200 && r.status != 201)
				fail_msg("restore %s: %ld %s", path, r.status, r.body);
			api_free(&r);
		}
		json_array_foreach(json_object_get(cur, "fees"), j, f) {
			if (fee_of(h, str(f, "business"), str(f, "kind")))
				continue;
			fee_path(path, sizeof(path), code, str(f, "business"), str(f, "kind"));
			api_call(&adm, "DELETE", path, NULL, NULL, &r);
			expect(&r, 200, NULL);
			api_free(&r);
		}
	}
	json_decref(now);
}

/* ---- setup */

static int setup(void **state)
{
	char uscc[19], mobile[12], pwpath[600], pw[128] = "";
	unsigned char rnd[4];
	FILE *f;

	(void)state;
	if (wiz_open(&conf, NULL, &db, &a) < 0 || crypto_random(rnd, sizeof(rnd)) < 0)
		return -1;
	crypto_hex(rnd, sizeof(rnd), tag);
	wiz_register_org(&app, uscc, mobile);
	api_staff_login(&rev, "reviewer", "Staff2026hall");
	api_staff_login(&fin, "finance", "Staff2026hall");
	api_staff_login(&shp, "shipping", "Staff2026hall");
	f = fopen(api_stack_path("etc/admin.password", pwpath, sizeof(pwpath)), "r");
	if (!f || !fgets(pw, sizeof(pw), f))
		return -1;
	fclose(f);
	pw[strcspn(pw, "\r\n")] = '\0';
	api_staff_login(&adm, "admin", pw);
	seeded = halls();
	return 0;
}

/* The seeded agreements current again (the wizard's tests accept version 2026.1): no API
 * takes a published version back, and an acceptance of a test version goes with it. */
static void unpublish(void)
{
	wiz_sql("DELETE FROM agreement_acceptances WHERE version LIKE 'u%'");
	wiz_sql("DELETE FROM agreements WHERE version LIKE 't%' OR version LIKE 'u%'");
	wiz_sql("UPDATE agreements SET current = (version = '2026.1')");
}

static int teardown(void **state)
{
	(void)state;
	restore();
	unpublish();
	json_decref(seeded);
	wiz_close(&db, &a);
	return 0;
}

/* ---- who may */

static void test_only_admin(void **state)
{
	static const struct {
		const char *method, *path, *body;
	} ep[] = {
		{ "GET", HALLS, NULL },
		{ "PUT", HALLS "/netca-gd", "{\"updated_at\":null}" },
		{ "PUT", HALLS "/netca-gd/fees/new/org",
		  "{\"basis\":\"free\",\"max_years\":1,\"source\":\"x\"}" },
		{ "DELETE", HALLS "/netca-gd/fees/new/org", NULL },
		{ "POST", HALLS "/netca-gd/agreements",
		  "{\"code\":\"service\",\"version\":\"t1\",\"title\":\"x\",\"body\":\"x\"}" },
	};
	struct {
		struct api_client *c;
		long want;
		const char *name;
	} who[] = { { &rev, 403, "reviewer" }, { &fin, 403, "finance" }, { &shp, 403, "shipping" },
		    { &app, 403, "applicant" }, { &anon, 401, "nobody" } };
	long long audits = hall_audits();
	char *before = snapshot(), *after;
	struct api_resp r;

	(void)state;
	for (size_t e = 0; e < sizeof(ep) / sizeof(ep[0]); e++)
		for (size_t w = 0; w < sizeof(who) / sizeof(who[0]); w++) {
			api_call(who[w].c, ep[e].method, ep[e].path, ep[e].body, NULL, &r);
			if (r.status != who[w].want)
				fail_msg("%s %s as %s: got %ld, want %ld: %.300s", ep[e].method, ep[e].path,
					 who[w].name, r.status, who[w].want, r.body);
			api_expect_error(&r, who[w].want, who[w].want == 401 ? "not_logged_in" : "forbidden");
			api_free(&r);
		}
	after = snapshot();
	assert_string_equal(after, before);
	assert_int_equal(hall_audits(), audits);
	assert_int_equal(count("SELECT COUNT(*) FROM agreements WHERE version = 't1'"), 0);
	/* The admin's own write needs the session's CSRF token, and a fresh second factor. */
	{
		struct api_client nocsrf = adm;

		nocsrf.csrf[0] = '\0';
		api_call(&nocsrf, "DELETE", HALLS "/netca-gd/fees/new/org", NULL, NULL, &r);
		expect(&r, 403, "csrf");
		api_free(&r);
	}
	wiz_sql("UPDATE sessions SET factor_at = NOW(3) - INTERVAL 13 HOUR WHERE subject_type = 'staff' "
		"AND subject_id = (SELECT id FROM staff WHERE username = 'admin')");
	api_call(&adm, "DELETE", HALLS "/netca-gd/fees/new/org", NULL, NULL, &r);
	expect(&r, 403, "factor_stale");
	api_free(&r);
	/* Reading stays allowed with a factor that passed earlier in the day. */
	api_call(&adm, "GET", HALLS, NULL, NULL, &r);
	expect(&r, 200, NULL);
	api_free(&r);
	api_staff_verify(&adm, "admin");
	free(after);
	after = snapshot();
	assert_string_equal(after, before);
	assert_int_equal(hall_audits(), audits);
	free(before);
	free(after);
}

/* ---- what GET shows */

static void test_list(void **state)
{
	json_t *h = halls(), *netca, *f, *bj;

	(void)state;
	assert_int_equal(json_array_size(h), 5);
	netca = find(h, "code", "netca-gd");
	assert_non_null(netca);
	/* 003 "开户行:中信银行 广州花园支行"; "注意:不接收挂号信". */
	assert_string_equal(str(netca, "desk_bank"), "中信银行广州花园支行");
	assert_string_equal(str(netca, "paper_note"), "不接收挂号信");
	assert_int_equal(json_integer_value(json_object_get(netca, "review_days_max")), 3);
	assert_true(json_is_array(json_object_get(netca, "pay_methods")));
	/* 003 "机构数字证书:首年:600元/张(包含介质费200元) 次年:400元/年/张". */
	f = fee_of(netca, "new", "org");
	assert_non_null(f);
	assert_string_equal(str(f, "basis"), "priced");
	assert_string_equal(str(json_object_get(f, "once"), "amount"), "600.00");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(f, "year"), "from")), 2);
	assert_non_null(strstr(str(f, "source"), "003"));
	/* Every business 003 offers, for each of its kinds, has its fee. */
	assert_int_equal(json_array_size(json_object_get(netca, "unpriced")), 0);
	/* 002 "证书解锁业务免费办理". */
	bj = find(h, "code", "bjca-zycg");
	assert_string_equal(str(fee_of(bj, "unlock", "org"), "basis"), "free");
	json_decref(h);
}

/* ---- writes, each audited */

static void test_fee_set_and_removed(void **state)
{
	char path[200];
	struct api_resp r;
	json_t *h, *f;
	long long audits = hall_audits(), mark = audit_mark();

	(void)state;
	fee_path(path, sizeof(path), "netca-gd", "unlock", "person");
	/* Replaced: 003's unlock is free; the admin prices it (an example). */
	api_call(&adm, "PUT", path,
		 "{\"basis\":\"priced\",\"max_years\":3,\"once\":{\"code\":\"unlock\",\"label\":\"解锁服务费\","
		 "\"amount\":\"12.34\"},\"year\":null,\"seal\":\"5\",\"warranty_free\":false,"
		 "\"source\":\"test: an admin's price\"}", NULL, &r);
	expect(&r, 200, NULL);
	assert_false(json_is_true(json_object_get(r.json, "created")));
	api_free(&r);
	h = halls();
	f = fee_of(find(h, "code", "netca-gd"), "unlock", "person");
	assert_non_null(f);
	assert_string_equal(str(f, "basis"), "priced");
	assert_int_equal(json_integer_value(json_object_get(f, "max_years")), 3);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(f, "once"), "amount_fen")), 1234);
	assert_string_equal(str(json_object_get(f, "once"), "label"), "解锁服务费");
	assert_true(json_is_null(json_object_get(f, "year")));
	assert_int_equal(json_integer_value(json_object_get(f, "seal_fen")), 500);
	assert_string_equal(str(f, "updated_by"), "admin");
	json_decref(h);
	assert_int_equal(count("SELECT COUNT(*) FROM audit_log WHERE id > %lld AND action = 'hall_fee_set' AND "
			       "staff_username = 'admin' AND detail LIKE 'netca-gd unlock/person: free%%"
			       " → priced 3y; once unlock \"解锁服务费\" 12.34;%%seal 5.00%%'", mark), 1);
	assert_int_equal(count("SELECT COUNT(*) FROM audit_log WHERE id > %lld AND action = 'hall_fee_source' AND "
			       "detail LIKE 'netca-gd unlock/person:%%→ \"test: an admin''s price\"'", mark), 1);
	assert_int_equal(hall_audits(), audits + 2);

	/* The same row again: nothing written, nothing audited. */
	api_call(&adm, "PUT", path,
		 "{\"basis\":\"priced\",\"max_years\":3,\"once\":{\"code\":\"unlock\",\"label\":\"解锁服务费\","
		 "\"amount\":\"12.340\"},\"seal\":\"5.00\",\"source\":\"test: an admin's price\"}", NULL, &r);
	expect(&r, 400, "invalid_field"); /* three decimals */
	api_free(&r);
	api_call(&adm, "PUT", path,
		 "{\"basis\":\"priced\",\"max_years\":3,\"once\":{\"code\":\"unlock\",\"label\":\"解锁服务费\","
		 "\"amount\":\"12.34\"},\"seal\":\"5.00\",\"source\":\"test: an admin's price\"}", NULL, &r);
	expect(&r, 200, NULL);
	assert_false(json_is_true(json_object_get(r.json, "changed")));
	api_free(&r);
	assert_int_equal(hall_audits(), audits + 2);

	/* Removed: the business is no longer priced for that kind. */
	api_call(&adm, "DELETE", path, NULL, NULL, &r);
	expect(&r, 200, NULL);
	api_free(&r);
	h = halls();
	assert_null(fee_of(find(h, "code", "netca-gd"), "unlock", "person"));
	/* Still in the hall's offers, now without a fee: the admin is told it is not offered. */
	assert_non_null(find(json_object_get(find(h, "code", "netca-gd"), "unpriced"), "kind_name", "个人证书"));
	assert_string_equal(str(find(json_object_get(find(h, "code", "netca-gd"), "unpriced"), "kind", "person"),
				"business"), "unlock");
	json_decref(h);
	assert_int_equal(count("SELECT COUNT(*) FROM audit_log WHERE id > %lld AND action = 'hall_fee_removed' AND "
			       "detail LIKE 'netca-gd unlock/person: priced 3y%%→ (not offered)'", mark), 1);
	/* Twice: nothing to remove. */
	api_call(&adm, "DELETE", path, NULL, NULL, &r);
	expect(&r, 404, "not_found");
	api_free(&r);

	/* Quoted at pre-review: not at a hall that is paid before its review (003), where the
	 * applicant would sign for an unknown fee. */
	api_call(&adm, "PUT", path,
		 "{\"basis\":\"quoted\",\"max_years\":5,\"source\":\"test: quoted\"}", NULL, &r);
	expect(&r, 400, "invalid_field");
	assert_string_equal(api_error_field(&r), "basis");
	api_free(&r);
	/* Created again, free, with nothing but its name. */
	api_call(&adm, "PUT", path,
		 "{\"basis\":\"free\",\"max_years\":5,\"once\":{\"code\":\"unlock\",\"label\":\"证书解锁（免费）\","
		 "\"amount\":\"0.00\"},\"source\":\"test: free\"}", NULL, &r);
	expect(&r, 201, NULL);
	assert_true(json_is_true(json_object_get(r.json, "created")));
	api_free(&r);
	h = halls();
	f = fee_of(find(h, "code", "netca-gd"), "unlock", "person");
	assert_string_equal(str(f, "basis"), "free");
	json_decref(h);
	assert_int_equal(count("SELECT COUNT(*) FROM audit_log WHERE id > %lld AND action = 'hall_fee_set' AND "
			       "detail LIKE 'netca-gd unlock/person: (not offered) → free 5y%%'", mark), 1);
	assert_int_equal(hall_audits(), audits + 5);
}

/* The hall's process is its configuration: a business the admin moves to the counter is
 * offered as such at once, and refused online; put back, it is online again. */
static void test_process_set(void **state)
{
	json_t *s = settings_of("szca"), *was = json_deep_copy(s), *ch, *c, *b;
	struct api_resp r;
	size_t i;
	bool counter = false;

	(void)state;
	json_object_set_new(s, "counter_businesses", json_pack("[s]", "unlock"));
	json_object_set_new(s, "invoice_via", json_string("sms"));
	put_settings("szca", s, &r);
	expect(&r, 200, NULL);
	assert_int_equal(json_integer_value(json_object_get(r.json, "changed")), 2);
	json_object_set(was, "updated_at", json_object_get(json_object_get(r.json, "hall"), "updated_at"));
	api_free(&r);
	api_call(NULL, "GET", "/api/wizard/catalog", NULL, NULL, &r);
	ch = json_object_get(r.json, "channels");
	json_array_foreach(ch, i, c)
		if (strcmp(str(c, "code"), "szca") == 0) {
			size_t k;

			json_array_foreach(json_object_get(c, "businesses"), k, b)
				if (strcmp(str(b, "code"), "unlock") == 0)
					counter = json_is_true(json_object_get(b, "counter"));
		}
	api_free(&r);
	assert_true(counter);
	put_settings("szca", was, &r);
	expect(&r, 200, NULL);
	api_free(&r);
	json_decref(s);
	json_decref(was);
}

/* Four-eyes: the businesses a hall names are set and shown; codes not of the list, or twice,
 * are refused with the field named (zh-CN), the hall left as it was. */
static void test_four_eyes_set(void **state)
{
	json_t *s = settings_of("szca"), *was = json_deep_copy(s), *got;
	const char *const bad[] = { "[\"bogus\"]", "[\"revoke\",\"revoke\"]", "\"revoke\"", "[1]" };
	struct api_resp r;
	char *before;

	(void)state;
	assert_true(json_is_array(json_object_get(s, "four_eyes_businesses")));
	assert_int_equal(json_array_size(json_object_get(s, "four_eyes_businesses")), 0);
	before = snapshot();
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *t = json_deep_copy(s);

		json_object_set_new(t, "four_eyes_businesses", json_loads(bad[i], JSON_DECODE_ANY, NULL));
		put_settings("szca", t, &r);
		expect(&r, 400, "invalid_field");
		assert_string_equal(api_error_field(&r), "four_eyes_businesses");
		api_free(&r);
		json_decref(t);
	}
	/* The overdue mail's addresses (certhall-admin escalate): addresses only, at most 5. */
	{
		const char *const mails[] = { "not-an-address", "ops@example.com,", "a@b.cn, c@d.cn",
					      "a@b.cn,b@b.cn,c@b.cn,d@b.cn,e@b.cn,f@b.cn",
					      "<script>@x.cn" };

		for (size_t i = 0; i < sizeof(mails) / sizeof(mails[0]); i++) {
			json_t *t = json_deep_copy(s);

			json_object_set_new(t, "sla_mail", json_string(mails[i]));
			put_settings("szca", t, &r);
			expect(&r, 400, "invalid_field");
			assert_string_equal(api_error_field(&r), "sla_mail");
			api_free(&r);
			json_decref(t);
		}
	}
	{
		char *after = snapshot();

		assert_string_equal(before, after);
		free(after);
	}
	free(before);
	json_object_set_new(s, "four_eyes_businesses", json_pack("[s, s]", "change", "revoke"));
	put_settings("szca", s, &r);
	expect(&r, 200, NULL);
	assert_int_equal(json_integer_value(json_object_get(r.json, "changed")), 1);
	json_object_set(was, "updated_at", json_object_get(json_object_get(r.json, "hall"), "updated_at"));
	api_free(&r);
	got = settings_of("szca");
	assert_int_equal(json_array_size(json_object_get(got, "four_eyes_businesses")), 2);
	assert_string_equal(json_string_value(json_array_get(json_object_get(got, "four_eyes_businesses"), 0)),
			    "change");
	json_decref(got);
	put_settings("szca", was, &r);
	expect(&r, 200, NULL);
	api_free(&r);
	json_decref(s);
	json_decref(was);
}

static void test_channel_set(void **state)
{
	json_t *s = settings_of("szca"), *h, *one;
	struct api_resp r;
	long long audits = hall_audits(), mark = audit_mark();
	char stamp[64];

	(void)state;
	json_object_set_new(s, "review_days_min", json_integer(2));
	json_object_set_new(s, "review_days_max", json_integer(4));
	json_object_set_new(s, "pay_methods", json_pack("[s, s]", "transfer", "wechat"));
	json_object_set_new(s, "paper_note", json_string("测试：请用顺丰"));
	put_settings("szca", s, &r);
	expect(&r, 200, NULL);
	assert_int_equal(json_integer_value(json_object_get(r.json, "changed")), 4);
	one = json_object_get(r.json, "hall");
	/* Stored in the list's own order. */
	assert_string_equal(json_string_value(json_array_get(json_object_get(one, "pay_methods"), 0)), "wechat");
	snprintf(stamp, sizeof(stamp), "%s", str(one, "updated_at"));
	api_free(&r);
	assert_int_equal(hall_audits(), audits + 4);
	assert_int_equal(count("SELECT COUNT(*) FROM audit_log WHERE id > %lld AND action = 'hall_channel_set' AND "
			       "detail = 'szca review_days_max: \"3\" → \"4\"'", mark), 1);
	assert_int_equal(count("SELECT COUNT(*) FROM audit_log WHERE id > %lld AND action = 'hall_channel_set' AND "
			       "detail = 'szca pay_methods: \"wechat,alipay,transfer\" → \"wechat,transfer\"'", mark), 1);
	assert_int_equal(count("SELECT COUNT(*) FROM audit_log WHERE id > %lld AND action = 'hall_channel_set' AND "
			       "detail = 'szca paper_note: \"\" → \"测试：请用顺丰\"'", mark), 1);
	h = halls();
	one = find(h, "code", "szca");
	assert_int_equal(json_integer_value(json_object_get(one, "review_days_min")), 2);
	assert_string_equal(str(one, "updated_by"), "admin");
	assert_string_equal(str(one, "updated_at"), stamp);
	json_decref(h);
	/* The same body again: the version it carries is no longer the hall's (409), nothing
	 * written; with the new one, nothing changed, nothing audited. */
	put_settings("szca", s, &r);
	expect(&r, 409, "conflict");
	api_free(&r);
	json_object_set_new(s, "updated_at", json_string(stamp));
	put_settings("szca", s, &r);
	expect(&r, 200, NULL);
	assert_int_equal(json_integer_value(json_object_get(r.json, "changed")), 0);
	api_free(&r);
	assert_int_equal(hall_audits(), audits + 4);
	json_decref(s);
}

/* 004 "法人授权委托书中所含二维码已绑定系统中订单号": JXCA's letter prints the bound face QR as
 * seeded; the admin turns it off and on again, each change one audit row. */
static void test_letter_face_qr_set(void **state)
{
	json_t *s = settings_of("jxca-js");
	struct api_resp r;
	long long mark = audit_mark();

	(void)state;
	assert_true(json_is_true(json_object_get(s, "letter_face_qr")));
	json_object_set_new(s, "letter_face_qr", json_false());
	put_settings("jxca-js", s, &r);
	expect(&r, 200, NULL);
	assert_int_equal(json_integer_value(json_object_get(r.json, "changed")), 1);
	assert_true(json_is_false(json_object_get(json_object_get(r.json, "hall"), "letter_face_qr")));
	json_object_set(s, "updated_at", json_object_get(json_object_get(r.json, "hall"), "updated_at"));
	api_free(&r);
	json_object_set_new(s, "letter_face_qr", json_true());
	put_settings("jxca-js", s, &r);
	expect(&r, 200, NULL);
	assert_true(json_is_true(json_object_get(json_object_get(r.json, "hall"), "letter_face_qr")));
	api_free(&r);
	assert_int_equal(count("SELECT COUNT(*) FROM audit_log WHERE id > %lld AND action = 'hall_channel_set' AND "
			       "detail = 'jxca-js letter_face_qr: \"1\" → \"0\"'", mark), 1);
	assert_int_equal(count("SELECT COUNT(*) FROM audit_log WHERE id > %lld AND action = 'hall_channel_set' AND "
			       "detail = 'jxca-js letter_face_qr: \"0\" → \"1\"'", mark), 1);
	json_decref(s);
}

/* 003 "证书已过有效期的，需要准备资料线下办理，可以快递或者现场办理": a hall that renews expired
 * certificates offline has paper mailed to it even with no other paper route, so its address
 * is required; nothing is written on the refusal. */
static void test_expired_renewal_needs_paper_address(void **state)
{
	json_t *s = settings_of("netca-gd");
	struct api_resp r;
	long long audits = hall_audits();

	(void)state;
	assert_true(json_is_false(json_object_get(s, "renew_expired_online")));
	json_object_set_new(s, "mail_in", json_false());
	json_object_set_new(s, "paper_businesses", json_array());
	json_object_set_new(s, "paper_address", json_string(""));
	put_settings("netca-gd", s, &r);
	expect(&r, 400, "missing_field");
	assert_string_equal(api_error_field(&r), "paper_address");
	assert_non_null(strstr(r.body, "需要邮寄纸质材料时"));
	api_free(&r);
	assert_int_equal(hall_audits(), audits);
	json_decref(s);
}

/* 001 "若使用微信支付，深圳 CA 审核成功后 SZCA 将向申请单位对公账户打款 0.01 元，并下发证书 PIN 码":
 * seeded on for szca only; an admin turns it off and on again, each audited. */
static void test_fin_after_approval_set(void **state)
{
	json_t *h = halls(), *s;
	struct api_resp r;
	long long audits = hall_audits(), mark = audit_mark();

	(void)state;
	assert_true(json_is_true(json_object_get(find(h, "code", "szca"), "fin_after_approval")));
	assert_true(json_is_false(json_object_get(find(h, "code", "bjca-zycg"), "fin_after_approval")));
	assert_true(json_is_false(json_object_get(find(h, "code", "cecep"), "fin_after_approval")));
	json_decref(h);
	s = settings_of("szca");
	json_object_set_new(s, "fin_after_approval", json_false());
	put_settings("szca", s, &r);
	expect(&r, 200, NULL);
	assert_int_equal(json_integer_value(json_object_get(r.json, "changed")), 1);
	assert_true(json_is_false(json_object_get(json_object_get(r.json, "hall"), "fin_after_approval")));
	json_object_set(s, "updated_at", json_object_get(json_object_get(r.json, "hall"), "updated_at"));
	api_free(&r);
	assert_int_equal(count("SELECT COUNT(*) FROM audit_log WHERE id > %lld AND action = 'hall_channel_set' AND "
			       "detail = 'szca fin_after_approval: \"1\" → \"0\"'", mark), 1);
	/* Not a boolean: refused, nothing written. */
	json_object_set_new(s, "fin_after_approval", json_string("yes"));
	put_settings("szca", s, &r);
	expect(&r, 400, "invalid_field");
	api_free(&r);
	json_object_set_new(s, "fin_after_approval", json_true());
	put_settings("szca", s, &r);
	expect(&r, 200, NULL);
	assert_true(json_is_true(json_object_get(json_object_get(r.json, "hall"), "fin_after_approval")));
	api_free(&r);
	assert_int_equal(hall_audits(), audits + 2);
	json_decref(s);
}

/* The catalog's review time of a hall: min into *min (-1 for null). */
static long long catalog_days(const char *code)
{
	struct api_resp r;
	json_t *c, *v;
	long long out;

	api_get("/api/wizard/catalog", &r);
	expect(&r, 200, NULL);
	c = find(json_object_get(r.json, "channels"), "code", code);
	assert_non_null(c);
	v = json_object_get(c, "review_days_min");
	out = json_is_null(v) ? -1 : json_integer_value(v);
	api_free(&r);
	return out;
}

/* A hall whose guide prints no review time (004) tells applicants none: the admin says so with
 * review_days_public, audited; the catalog then gives null, and the number again once set back. */
static void test_review_days_public(void **state)
{
	json_t *s = settings_of("szca");
	struct api_resp r;
	long long mark = audit_mark(), before = catalog_days("szca");

	(void)state;
	assert_true(before >= 1);
	assert_int_equal(catalog_days("jxca-js"), -1);
	json_object_set_new(s, "review_days_public", json_false());
	put_settings("szca", s, &r);
	expect(&r, 200, NULL);
	json_object_set(s, "updated_at", json_object_get(json_object_get(r.json, "hall"), "updated_at"));
	api_free(&r);
	assert_int_equal(count("SELECT COUNT(*) FROM audit_log WHERE id > %lld AND action = 'hall_channel_set' AND "
			       "detail = 'szca review_days_public: \"1\" → \"0\"'", mark), 1);
	assert_int_equal(catalog_days("szca"), -1);
	/* Not a flag: refused, nothing changed. */
	json_object_set_new(s, "review_days_public", json_string("no"));
	put_settings("szca", s, &r);
	expect(&r, 400, "invalid_field");
	assert_string_equal(api_error_field(&r), "review_days_public");
	api_free(&r);
	json_object_set_new(s, "review_days_public", json_true());
	put_settings("szca", s, &r);
	expect(&r, 200, NULL);
	api_free(&r);
	assert_int_equal(catalog_days("szca"), before);
	json_decref(s);
}

/* The wizard's text of an agreement at a hall: its version and body into the buffers. */
static void wizard_text(const char *hall, const char *code, char *version, size_t vsz, char **body)
{
	char path[120];
	struct api_resp r;

	snprintf(path, sizeof(path), "/api/wizard/agreements/%s?channel=%s", code, hall);
	api_get(path, &r);
	expect(&r, 200, NULL);
	assert_string_equal(str(r.json, "channel"), hall);
	snprintf(version, vsz, "%s", str(r.json, "version"));
	if (body)
		*body = strdup(str(r.json, "body"));
	api_free(&r);
}

/* The issue: the hall's admin edits "its agreements": a version published at one hall is that
 * hall's wizard text only; the other halls keep theirs. */
static void test_agreement_published(void **state)
{
	static const char *const others[] = { "cecep", "szca", "netca-gd", "jxca-js", NULL };
	struct api_resp r;
	char body[400], version[17], seen[17], *before[5], *after;
	long long audits = hall_audits(), mark = audit_mark();

	(void)state;
	for (int i = 0; others[i]; i++)
		wizard_text(others[i], "privacy", seen, sizeof(seen), &before[i]);
	snprintf(version, sizeof(version), "t%s", tag);
	snprintf(body, sizeof(body),
		 "{\"code\":\"privacy\",\"version\":\"%s\",\"title\":\"敏感个人信息授权书（测试）\","
		 "\"body\":\"第一段。\\n第二段。\"}", version);
	api_call(&adm, "POST", HALLS "/bjca-zycg/agreements", body, NULL, &r);
	expect(&r, 201, NULL);
	assert_string_equal(str(json_object_get(r.json, "agreement"), "version"), version);
	assert_string_equal(str(json_object_get(r.json, "agreement"), "channel"), "bjca-zycg");
	assert_string_equal(str(r.json, "previous"), "2026.1");
	api_free(&r);
	/* What applicants at that hall now read. */
	api_get("/api/wizard/agreements/privacy?channel=bjca-zycg", &r);
	expect(&r, 200, NULL);
	assert_string_equal(str(r.json, "version"), version);
	assert_string_equal(str(r.json, "body"), "第一段。\n第二段。");
	api_free(&r);
	/* Every other hall still shows its own text, unchanged. */
	for (int i = 0; others[i]; i++) {
		wizard_text(others[i], "privacy", seen, sizeof(seen), &after);
		if (strcmp(seen, "2026.1") != 0 || strcmp(after, before[i]) != 0)
			fail_msg("%s: publishing at bjca-zycg changed this hall's text (version %s)",
				 others[i], seen);
		free(after);
		free(before[i]);
	}
	/* The halls' list shows the version at that hall only. */
	{
		json_t *h = NULL, *list, *row;
		size_t i;
		int at = 0, elsewhere = 0;

		api_call(&adm, "GET", HALLS, NULL, NULL, &r);
		expect(&r, 200, NULL);
		h = r.json;
		list = json_object_get(h, "agreements");
		json_array_foreach(list, i, row)
			if (strcmp(str(row, "version"), version) == 0) {
				if (strcmp(str(row, "channel"), "bjca-zycg") == 0)
					at++;
				else
					elsewhere++;
			}
		assert_int_equal(at, 1);
		assert_int_equal(elsewhere, 0);
		api_free(&r);
	}
	assert_int_equal(count("SELECT COUNT(*) FROM agreements WHERE code = 'privacy' AND current = 1"), 5);
	assert_int_equal(count("SELECT COUNT(*) FROM agreements a JOIN channels c ON c.id = a.channel_id "
			       "WHERE a.code = 'privacy' AND a.version = '2026.1' AND a.current = 1 "
			       "AND c.code <> 'bjca-zycg'"), 4);
	assert_int_equal(count("SELECT COUNT(*) FROM audit_log WHERE id > %lld AND action = 'hall_agreement_published' "
			       "AND detail LIKE 'privacy: 2026.1 → %s %%hall bjca-zycg only%%'", mark, version), 1);
	/* The same version again at that hall: refused, nothing changed. */
	api_call(&adm, "POST", HALLS "/bjca-zycg/agreements", body, NULL, &r);
	expect(&r, 409, "conflict");
	api_free(&r);
	assert_int_equal(hall_audits(), audits + 1);
	assert_int_equal(count("SELECT current FROM agreements WHERE code = 'privacy' AND version = '%s'",
			       version), 1);
	unpublish();
}

/* What an applicant accepts is the order's hall's version: the one published there is recorded
 * with the hall, and another hall's version is not on offer at this one. */
static void test_agreement_accepted(void **state)
{
	char body[400], version[17], accept[120], no[19], other[19], uscc[19], mobile[12];
	struct api_client here, there;   /* an organisation has one open order of a kind */
	struct api_resp r;

	(void)state;
	wiz_register_org(&here, uscc, mobile);
	wiz_register_org(&there, uscc, mobile);
	snprintf(version, sizeof(version), "u%s", tag);
	snprintf(body, sizeof(body),
		 "{\"code\":\"service\",\"version\":\"%s\",\"title\":\"数字证书服务协议\","
		 "\"body\":\"测试文本。\"}", version);
	api_call(&adm, "POST", HALLS "/netca-gd/agreements", body, NULL, &r);
	expect(&r, 201, NULL);
	api_free(&r);
	snprintf(accept, sizeof(accept), "{\"service\":\"%s\",\"privacy\":\"2026.1\"}", version);
	/* At another hall the version is not offered: refused, nothing recorded. */
	wiz_create(&there, "bjca-zycg", "new", "org", NULL, other);
	wiz_put(&there, other, "agreements", accept, &r);
	expect(&r, 400, "invalid_field");
	assert_string_equal(api_error_field(&r), "service");
	api_free(&r);
	assert_int_equal(count("SELECT COUNT(*) FROM agreement_acceptances x JOIN orders o "
			       "ON o.id = x.order_id WHERE o.order_no = '%s'", other), 0);
	/* At its hall, accepted and recorded with the hall. */
	wiz_create(&here, "netca-gd", "new", "org", NULL, no);
	wiz_put(&here, no, "agreements", accept, &r);
	expect(&r, 200, NULL);
	api_free(&r);
	assert_int_equal(count("SELECT COUNT(*) FROM agreement_acceptances x JOIN orders o "
			       "ON o.id = x.order_id JOIN channels c ON c.id = x.channel_id "
			       "WHERE o.order_no = '%s' AND c.code = 'netca-gd' AND "
			       "((x.code = 'service' AND x.version = '%s') OR "
			       "(x.code = 'privacy' AND x.version = '2026.1'))", no, version), 2);
	unpublish();
}

/* A hall added after the seed (no API adds one: by SQL, as a CA would) has no agreements yet:
 * its admin publishes its first version of service, and its wizard shows that text. */
static void test_agreement_first_at_new_hall(void **state)
{
	char sql[400], body[300], code[24], path[120];
	struct api_resp r;

	(void)state;
	snprintf(code, sizeof(code), "t%s", tag);
	snprintf(sql, sizeof(sql), "INSERT INTO channels (code, name, ca_name, flow, review_days_min, "
		 "review_days_max) VALUES ('%s', '测试营业厅', '测试 CA', 'pay_first', 3, 3)", code);
	wiz_sql(sql);
	snprintf(path, sizeof(path), "/api/wizard/agreements/service?channel=%s", code);
	api_get(path, &r);
	expect(&r, 404, "not_found");
	api_free(&r);
	snprintf(body, sizeof(body), "{\"code\":\"service\",\"version\":\"t%s\",\"title\":\"数字证书服务协议\","
		 "\"body\":\"本营业厅的协议。\"}", tag);
	snprintf(path, sizeof(path), HALLS "/%s/agreements", code);
	api_call(&adm, "POST", path, body, NULL, &r);
	expect(&r, 201, NULL);
	assert_true(json_is_null(json_object_get(r.json, "previous")) ||
		    !json_object_get(r.json, "previous"));
	api_free(&r);
	snprintf(path, sizeof(path), "/api/wizard/agreements/service?channel=%s", code);
	api_get(path, &r);
	expect(&r, 200, NULL);
	assert_string_equal(str(r.json, "body"), "本营业厅的协议。");
	api_free(&r);
	/* Only the codes the halls have: not a new kind of agreement. */
	snprintf(body, sizeof(body), "{\"code\":\"marketing\",\"version\":\"t%s\",\"title\":\"x\","
		 "\"body\":\"x\"}", tag);
	snprintf(path, sizeof(path), HALLS "/%s/agreements", code);
	api_call(&adm, "POST", path, body, NULL, &r);
	expect(&r, 400, "invalid_field");
	api_free(&r);
	snprintf(sql, sizeof(sql), "DELETE a FROM agreements a JOIN channels c ON c.id = a.channel_id "
		 "WHERE c.code = '%s'", code);
	wiz_sql(sql);
	snprintf(sql, sizeof(sql), "DELETE FROM channels WHERE code = '%s'", code);
	wiz_sql(sql);
}

/* ---- hostile input: the JSON error, and nothing changed */

static void test_hostile(void **state)
{
	static const struct {
		const char *method, *path, *body;
		long status;
		const char *code, *field;
	} bad[] = {
		/* Unknown hall, business, kind. */
		{ "PUT", HALLS "/nosuch", "{}", 404, "not_found", NULL },
		{ "PUT", HALLS "/nosuch/fees/new/org", "{}", 404, "not_found", NULL },
		{ "PUT", HALLS "/netca-gd/fees/bitcoin/org",
		  "{\"basis\":\"free\",\"max_years\":1,\"source\":\"x\"}", 400, "invalid_field", "business" },
		{ "PUT", HALLS "/netca-gd/fees/new/robot",
		  "{\"basis\":\"free\",\"max_years\":1,\"source\":\"x\"}", 400, "invalid_field", "kind" },
		{ "DELETE", HALLS "/netca-gd/fees/new/robot", NULL, 400, "invalid_field", "kind" },
		{ "POST", HALLS "/nosuch/agreements", "{}", 404, "not_found", NULL },
		/* Amounts: negative, huge, a number, three decimals. */
		{ "PUT", HALLS "/netca-gd/fees/new/org", "{\"basis\":\"priced\",\"max_years\":1,\"source\":\"x\","
		  "\"once\":{\"code\":\"a\",\"label\":\"b\",\"amount\":\"-1.00\"}}", 400, "invalid_field", "amount" },
		{ "PUT", HALLS "/netca-gd/fees/new/org", "{\"basis\":\"priced\",\"max_years\":1,\"source\":\"x\","
		  "\"once\":{\"code\":\"a\",\"label\":\"b\",\"amount\":\"99999999999.00\"}}", 400, "invalid_field", "amount" },
		{ "PUT", HALLS "/netca-gd/fees/new/org", "{\"basis\":\"priced\",\"max_years\":1,\"source\":\"x\","
		  "\"once\":{\"code\":\"a\",\"label\":\"b\",\"amount\":260}}", 400, "invalid_field", "amount" },
		{ "PUT", HALLS "/netca-gd/fees/new/org", "{\"basis\":\"priced\",\"max_years\":1,\"source\":\"x\","
		  "\"year\":{\"code\":\"a\",\"label\":\"b\",\"amount\":\"1.001\"}}", 400, "invalid_field", "amount" },
		{ "PUT", HALLS "/netca-gd/fees/new/org", "{\"basis\":\"priced\",\"max_years\":1,\"source\":\"x\","
		  "\"seal\":\"-5\"}", 400, "invalid_field", "seal" },
		/* Priced without an item; free with a price; a basis no hall has. */
		{ "PUT", HALLS "/netca-gd/fees/new/org", "{\"basis\":\"priced\",\"max_years\":1,\"source\":\"x\"}",
		  400, "missing_field", "once" },
		{ "PUT", HALLS "/netca-gd/fees/new/org", "{\"basis\":\"free\",\"max_years\":1,\"source\":\"x\","
		  "\"once\":{\"code\":\"a\",\"label\":\"b\",\"amount\":\"1.00\"}}", 400, "invalid_field", "once" },
		{ "PUT", HALLS "/netca-gd/fees/new/org", "{\"basis\":\"gift\",\"max_years\":1,\"source\":\"x\"}",
		  400, "invalid_field", "basis" },
		/* max_years 0 and 6; no source. */
		{ "PUT", HALLS "/netca-gd/fees/new/org", "{\"basis\":\"free\",\"max_years\":0,\"source\":\"x\"}",
		  400, "invalid_field", "max_years" },
		{ "PUT", HALLS "/netca-gd/fees/new/org", "{\"basis\":\"free\",\"max_years\":6,\"source\":\"x\"}",
		  400, "invalid_field", "max_years" },
		{ "PUT", HALLS "/netca-gd/fees/new/org", "{\"basis\":\"free\",\"max_years\":1}",
		  400, "missing_field", "source" },
		/* Bidi and control characters; invalid UTF-8 is no JSON. */
		{ "PUT", HALLS "/netca-gd/fees/new/org", "{\"basis\":\"free\",\"max_years\":1,"
		  "\"source\":\"003 \\u202egpj.exe\"}", 400, "invalid_field", "source" },
		{ "PUT", HALLS "/netca-gd/fees/new/org", "{\"basis\":\"free\",\"max_years\":1,"
		  "\"source\":\"a\\u0000b\"}", 400, "bad_json", NULL },
		{ "PUT", HALLS "/netca-gd/fees/new/org", "{\"basis\":\"free\",\"max_years\":1,"
		  "\"source\":\"a\\u001bb\"}", 400, "invalid_field", "source" },
		{ "PUT", HALLS "/netca-gd/fees/new/org", "{\"basis\":\"free\",\"max_years\":1,"
		  "\"source\":\"\xff\xfe\"}", 400, "bad_json", NULL },
		{ "POST", HALLS "/netca-gd/agreements", "{\"code\":\"service\",\"version\":\"t2\",\"title\":\"x\","
		  "\"body\":\"a\\u2066b\"}", 400, "invalid_field", "body" },
		{ "POST", HALLS "/netca-gd/agreements", "{\"code\":\"service\",\"version\":\"t2\",\"title\":\"x\","
		  "\"body\":\"a\\u0007b\"}", 400, "invalid_field", "body" },
		{ "POST", HALLS "/netca-gd/agreements", "{\"code\":\"nosuch\",\"version\":\"t2\",\"title\":\"x\","
		  "\"body\":\"b\"}", 400, "invalid_field", "code" },
		{ "POST", HALLS "/netca-gd/agreements", "{\"code\":\"service\",\"version\":\"t 2\",\"title\":\"x\","
		  "\"body\":\"b\"}", 400, "invalid_field", "version" },
	};
	long long audits = hall_audits();
	char *before = snapshot(), *after, *big;
	struct api_resp r;
	json_t *s, *fee;
	char path[200];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		api_call(&adm, bad[i].method, bad[i].path, bad[i].body, NULL, &r);
		if (r.status != bad[i].status || !api_error_code(&r) ||
		    strcmp(api_error_code(&r), bad[i].code) != 0 ||
		    (bad[i].field && (!api_error_field(&r) || strcmp(api_error_field(&r), bad[i].field) != 0)))
			fail_msg("case %zu %s %s: got %ld %.400s", i, bad[i].method, bad[i].path, r.status, r.body);
		api_expect_error(&r, bad[i].status, bad[i].code);
		api_free(&r);
	}

	/* 10 kB of text in a source, a label, an agreement's title. */
	big = malloc(10241);
	assert_non_null(big);
	memset(big, 'x', 10240);
	big[10240] = '\0';
	fee = json_pack("{s:s, s:i, s:s}", "basis", "free", "max_years", 1, "source", big);
	fee_path(path, sizeof(path), "netca-gd", "new", "org");
	put_json(&adm, path, fee, &r);
	expect(&r, 400, "invalid_field");
	assert_string_equal(api_error_field(&r), "source");
	api_free(&r);
	json_object_set_new(fee, "source", json_string("x"));
	json_object_set_new(fee, "basis", json_string("quoted"));
	json_object_set_new(fee, "once", json_pack("{s:s, s:s, s:s}", "code", "a", "label", big, "amount", "1"));
	put_json(&adm, path, fee, &r);
	expect(&r, 400, "invalid_field");
	assert_string_equal(api_error_field(&r), "label");
	api_free(&r);
	json_decref(fee);

	/* The settings: each bad member alone in an otherwise good body. */
	{
		static const struct {
			const char *member, *json, *code;
		} sb[] = {
			{ "review_days_min", "0", "invalid_field" },
			{ "review_days_max", "31", "invalid_field" },
			{ "review_days_min", "5", "invalid_field" },     /* 5 > max 3: min > max */
			{ "review_days_max", "\"3\"", "invalid_field" },
			{ "businesses", "[\"new\", \"bitcoin\"]", "invalid_field" },
			{ "businesses", "[\"new\", \"new\"]", "invalid_field" },
			{ "kinds", "[]", "invalid_field" },
			{ "kinds", "\"org\"", "invalid_field" },
			{ "verify_methods", "[\"face\"]", "invalid_field" }, /* a handler's method */
			{ "handler_methods", "[\"lr_face\"]", "invalid_field" },
			{ "pay_methods", "[\"cash\"]", "invalid_field" },
			{ "mail_in", "1", "invalid_field" },
			{ "desk_account", "\"\"", "missing_field" },   /* transfer offered */
			{ "desk_hours", "\"\"", "missing_field" },     /* counter offered */
			{ "paper_address", "\"\"", "missing_field" },  /* mail-in offered */
			{ "desk_payee", "\"广东\\u202e司公限有\"", "invalid_field" },
			{ "desk_memo", "\"a\\nb\"", "invalid_field" },
			{ "paper_note", "\"\\u0085\"", "invalid_field" },
			{ "paper_businesses", "[\"new\", \"mail\"]", "invalid_field" },
			{ "counter_businesses", "\"revoke\"", "invalid_field" },
			{ "unlock_auto", "\"yes\"", "invalid_field" },
			{ "letter_face_qr", "1", "invalid_field" },
			{ "invoice_title_edit", "\"yes\"", "invalid_field" },
			{ "paper_renew_items", "\"5)需要续期的电子密匙\\u202e\"", "invalid_field" },
			{ "invoice_when", "\"tomorrow\"", "invalid_field" },
			{ "invoice_via", "[\"sms\"]", "invalid_field" },
			{ "invoice_purpose", "\"介质服务费介质服务费介质服务费介质服务费介质服务费介质服务费介质服务费\"", "invalid_field" },
			{ "updated_at", "\"2020-01-01T00:00:00.000000+08:00\"", "conflict" },
		};
		json_t *base = settings_of("netca-gd");

		for (size_t i = 0; i < sizeof(sb) / sizeof(sb[0]); i++) {
			json_t *v = json_loads(sb[i].json, JSON_DECODE_ANY, NULL);

			assert_non_null(v);
			s = json_deep_copy(base);
			json_object_set_new(s, sb[i].member, v);
			put_settings("netca-gd", s, &r);
			if (!api_error_code(&r) || strcmp(api_error_code(&r), sb[i].code) != 0)
				fail_msg("settings %s = %s: got %ld %.400s", sb[i].member, sb[i].json, r.status,
					 r.body);
			if (strcmp(sb[i].code, "conflict") != 0 && strcmp(sb[i].member, "review_days_min") != 0)
				assert_string_equal(api_error_field(&r), sb[i].member);
			api_free(&r);
			json_decref(s);
		}
		/* A 10 kB address. */
		s = json_deep_copy(base);
		json_object_set_new(s, "paper_address", json_string(big));
		put_settings("netca-gd", s, &r);
		expect(&r, 400, "invalid_field");
		assert_string_equal(api_error_field(&r), "paper_address");
		api_free(&r);
		json_decref(s);
		/* No version given at all. */
		s = json_deep_copy(base);
		json_object_del(s, "updated_at");
		put_settings("netca-gd", s, &r);
		expect(&r, 400, "missing_field");
		api_free(&r);
		json_decref(s);
		json_decref(base);
	}
	free(big);
	after = snapshot();
	assert_string_equal(after, before);
	assert_int_equal(hall_audits(), audits);
	assert_int_equal(count("SELECT COUNT(*) FROM agreements WHERE version = 't2'"), 0);
	free(before);
	free(after);
}

/* ---- the bank desk is what the applicant paying by transfer is shown */

static void test_desk_shown_to_payer(void **state)
{
	struct api_client c;
	char login[19], m[12], mobile[12], no[19], account[40], memo[80];
	json_t *s, *t, *counter;
	struct api_resp r;

	(void)state;
	snprintf(account, sizeof(account), "6222 %s 0003", tag);
	s = settings_of("netca-gd");
	json_object_set_new(s, "desk_account", json_string(account));
	json_object_set_new(s, "desk_memo", json_string("测试备注"));
	json_object_set_new(s, "desk_hours", json_string("周一至周五 9:00-16:00（测试）"));
	put_settings("netca-gd", s, &r);
	expect(&r, 200, NULL);
	api_free(&r);
	json_decref(s);

	/* An applicant of 003 takes every step and pays by transfer. */
	memset(&c, 0, sizeof(c));
	wiz_register_org(&c, login, m);
	api_random_mobile(mobile);
	wiz_create(&c, "netca-gd", "new", "org", NULL, no);
	wiz_fill(&c, no, ORG, mobile);
	wiz_verify_plan(&c, no, NULL);
	wiz_upload_missing(&c, no);
	wiz_sign(&c, no, mobile, "pending_payment");
	wiz_pay(&c, no, "transfer", &r);
	expect(&r, 201, NULL);
	t = json_object_get(r.json, "transfer");
	assert_string_equal(str(t, "account"), account);
	assert_string_equal(str(t, "bank"), "中信银行广州花园支行");
	snprintf(memo, sizeof(memo), "测试备注 %s", no);
	assert_string_equal(str(t, "memo"), memo);
	assert_non_null(strstr(str(t, "note"), memo));
	api_free(&r);
	/* And at the counter, the hours the admin wrote. */
	wiz_pay(&c, no, "counter", &r);
	if (r.status != 200 && r.status != 201)
		fail_msg("counter: %ld %s", r.status, r.body);
	counter = json_object_get(r.json, "counter");
	assert_string_equal(str(counter, "hours"), "周一至周五 9:00-16:00（测试）");
	assert_string_equal(str(counter, "address"), "广州市越秀区青龙坊38号首层101房");
	api_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_only_admin),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_fee_set_and_removed),
		cmocka_unit_test(test_channel_set),
		cmocka_unit_test(test_four_eyes_set),
		cmocka_unit_test(test_process_set),
		cmocka_unit_test(test_letter_face_qr_set),
		cmocka_unit_test(test_expired_renewal_needs_paper_address),
		cmocka_unit_test(test_fin_after_approval_set),
		cmocka_unit_test(test_review_days_public),
		cmocka_unit_test(test_agreement_published),
		cmocka_unit_test(test_agreement_accepted),
		cmocka_unit_test(test_agreement_first_at_new_hall),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_desk_shown_to_payer),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
