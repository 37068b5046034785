/* API tests of the printable forms, their public check, signing by SMS code (the submission)
 * and resubmission after a return: what each refuses, the state each channel moves to, the
 * race of two signs, and another applicant's order looking like no order at all. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "apiclient.h"
#include "base/conf.h"
#include "crypto/crypto.h"
#include "domain/ratelimit.h"
#include "wizclient.h"

static struct conf conf;
static struct crypto_key key;
/* The applicant of the order under test (a fresh organisation for each: one open
 * application per subject and certificate), and a stranger. */
static struct api_client owner, other;
static char owner_uscc[19];

static int setup(void **state)
{
	char err[512], m2[12], u2[19];

	(void)state;
	conf_defaults(&conf);
	if (!getenv("CERTHALL_CONF") || !getenv("CERTHALL_STACK") ||
	    conf_load(&conf, getenv("CERTHALL_CONF"), err, sizeof(err)) ||
	    crypto_key_load(conf.key_file, &key, err, sizeof(err)) < 0)
		return -1;
	wiz_register_org(&other, u2, m2);
	return 0;
}

/* ---- helpers */

/* A new organisation as the owner, logged in. */
static void fresh_owner(void)
{
	char mobile[12];

	memset(&owner, 0, sizeof(owner));
	wiz_register_org(&owner, owner_uscc, mobile);
}

/* A certificate of the owner's in channel, for the businesses that target one; its
 * "cert_serial" member into extra. */
static void owner_cert(const char *channel, char extra[64])
{
	char serial[17];

	wiz_random_serial(serial);
	wiz_fixture_cert(owner_uscc, owner_uscc, channel, "org", serial, 200, -165, false);
	snprintf(extra, 64, ",\"cert_serial\":\"%s\"", serial);
}

static void call(struct api_client *c, const char *method, const char *no, const char *tail,
		 const char *json, struct api_resp *r)
{
	char path[200];

	snprintf(path, sizeof(path), "/api/wizard/orders/%s%s", no, tail);
	api_call(c, method, path, json, NULL, r);
}

static void expect(struct api_resp *r, long status, const char *code, const char *field)
{
	api_expect_error(r, status, code);
	if (field && (!api_error_field(r) || strcmp(api_error_field(r), field) != 0))
		fail_msg("expected field %s, got %s: %.300s", field, api_error_field(r), r->body);
	api_free(r);
}

static void sql_value(char *out, size_t outsz, const char *fmt, const char *no)
{
	char sql[600];

	snprintf(sql, sizeof(sql), fmt, no);
	wiz_sql_value(sql, out, outsz);
}

static void sqlf(const char *fmt, const char *no)
{
	char sql[600];

	snprintf(sql, sizeof(sql), fmt, no);
	wiz_sql(sql);
}

static long events(const char *no, const char *kind)
{
	char sql[300], v[32];

	snprintf(sql, sizeof(sql),
		 "SELECT COUNT(*) FROM order_events e JOIN orders o ON o.id = e.order_id "
		 "WHERE o.order_no = '%s' AND e.kind = '%s'", no, kind);
	wiz_sql_value(sql, v, sizeof(v));
	return strtol(v, NULL, 10);
}

static void tag_of(const char *no, const char *form, char tag[17])
{
	char what[64], hex[65];
	int n = snprintf(what, sizeof(what), "%s|%s", no, form);

	crypto_index_hex(&key, "form-tag", what, (size_t)n, hex);
	memcpy(tag, hex, 16);
	tag[16] = '\0';
}

/* An order of the owner, every data step saved; the handler's (and legal representative's)
 * mobile is a fresh number, so its SMS are this order's alone. */
static void filled(const char *channel, const char *business, const char *extra, char no[19],
		   char mobile[12])
{
	api_random_mobile(mobile);
	wiz_create(&owner, channel, business, "org", extra, no);
	wiz_fill(&owner, no, "测试示范有限公司", mobile);
}

/* Filled, verified and with every material: ready to sign. */
static void ready(const char *channel, const char *business, const char *extra, char no[19],
		  char mobile[12])
{
	filled(channel, business, extra, no, mobile);
	wiz_verify_plan(&owner, no, NULL);
	wiz_upload_missing(&owner, no);
}

/* ---- the forms */

static void test_form_html(void **state)
{
	char no[19], mobile[12], hid[32], path[200], tag[17], v[128], masked_mobile[16], handler_id[19];
	struct api_resp r;

	(void)state;
	fresh_owner();
	/* The organisation's registered name, with a character HTML knows. */
	{
		char sql[200];

		snprintf(sql, sizeof(sql), "UPDATE accounts SET display_name = '甲&乙科技有限公司' "
			 "WHERE login_name = '%s'", owner_uscc);
		wiz_sql(sql);
	}
	api_random_mobile(mobile);
	wiz_create(&owner, "bjca-zycg", "new", "org", NULL, no);
	/* Printed from what was confirmed: not before the steps are saved. */
	call(&owner, "GET", no, "/forms/application", NULL, &r);
	expect(&r, 409, "step_incomplete", "agreements");
	wiz_fill(&owner, no, "甲&乙科技有限公司", mobile);
	/* The handler saved again with an ID number the test knows. */
	{
		json_t *h = json_loads(wiz_step_json("handler", "甲&乙科技有限公司", mobile, NULL), 0, NULL);
		char *text = json_dumps(h, JSON_COMPACT);

		snprintf(handler_id, sizeof(handler_id), "%s", json_string_value(json_object_get(h, "id_number")));
		wiz_put(&owner, no, "handler", text, &r);
		assert_int_equal(r.status, 200);
		api_free(&r);
		free(text);
		json_decref(h);
	}
	/* A hostile value the page prints (the subject's name is the account's). */
	sqlf("UPDATE orders SET subject_name = '<script>alert(\"x\")</script>''&amp;' "
	     "WHERE order_no = '%s'", no);
	call(&owner, "GET", no, "/forms/application", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(api_header(&r, "Content-Type", v, sizeof(v)));
	assert_string_equal(v, "text/html; charset=utf-8");
	assert_non_null(api_header(&r, "X-Content-Type-Options", v, sizeof(v)));
	assert_string_equal(v, "nosniff");
	assert_non_null(api_header(&r, "Cache-Control", v, sizeof(v)));
	assert_string_equal(v, "no-store");
	/* The form's own policy allows no script at all (default-src 'none', no script-src). */
	assert_non_null(strstr(r.headers, "default-src 'none'"));
	assert_null(strstr(r.headers, "script-src"));
	/* The order number, in large type and in the QR's check address (by its tag). */
	assert_non_null(strstr(r.body, no));
	assert_non_null(strstr(r.body, "class=\"no\""));
	tag_of(no, "application", tag);
	assert_non_null(strstr(r.body, tag));
	assert_non_null(strstr(r.body, "<svg"));
	assert_non_null(strstr(r.body, "<path fill=\"#000\" d=\"M"));
	assert_non_null(strstr(r.body, "仅对该订单有效"));
	assert_non_null(strstr(r.body, "数字证书申请表"));
	assert_non_null(strstr(r.body, "新办"));
	assert_non_null(strstr(r.body, "机构证书"));
	assert_non_null(strstr(r.body, owner_uscc));
	assert_non_null(strstr(r.body, "经办人签字"));
	assert_non_null(strstr(r.body, "单位公章"));
	assert_non_null(strstr(r.body, "科技园科苑路 15 号 3 楼")); /* the mailing address */
	/* Escaped, all of it; the page carries no script. */
	assert_non_null(strstr(r.body, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39;&amp;amp;"));
	assert_non_null(strstr(r.body, "甲&amp;乙科技有限公司"));
	assert_null(strstr(r.body, "<script"));
	assert_null(strstr(r.body, "甲&乙"));
	/* ID numbers and mobiles masked: the handler's ID appears only as 110***********123X. */
	snprintf(hid, sizeof(hid), "%.3s***********%s", handler_id, handler_id + 14);
	assert_non_null(strstr(r.body, hid));
	assert_null(strstr(r.body, handler_id));
	snprintf(masked_mobile, sizeof(masked_mobile), "%.3s****%s", mobile, mobile + 7);
	assert_non_null(strstr(r.body, masked_mobile));
	assert_null(strstr(r.body, mobile));
	/* The stylesheet beside it. */
	assert_non_null(strstr(r.body, "href=\"style.css\""));
	api_free(&r);
	snprintf(path, sizeof(path), "/api/wizard/orders/%s/forms/style.css", no);
	api_call(&owner, "GET", path, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(api_header(&r, "Content-Type", v, sizeof(v)));
	assert_string_equal(v, "text/css; charset=utf-8");
	assert_non_null(strstr(r.body, "@page"));
	api_free(&r);

	/* The authorisation letter: the legal representative authorises the handler. */
	call(&owner, "GET", no, "/forms/authorisation", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "法定代表人授权委托书"));
	assert_non_null(strstr(r.body, "张伟"));   /* the legal representative */
	assert_non_null(strstr(r.body, "李娜"));   /* the handler */
	assert_non_null(strstr(r.body, no));
	tag_of(no, "authorisation", tag);
	assert_non_null(strstr(r.body, tag));
	assert_non_null(strstr(r.body, "<svg"));
	assert_non_null(strstr(r.body, masked_mobile));
	assert_null(strstr(r.body, mobile));
	assert_null(strstr(r.body, "<script"));
	assert_non_null(strstr(r.body, "仅对该订单有效"));
	api_free(&r);

	/* Unknown forms, hostile names. */
	call(&owner, "GET", no, "/forms/receipt", NULL, &r);
	expect(&r, 404, "not_found", NULL);
	call(&owner, "GET", no, "/forms/%3Cscript%3E", NULL, &r);
	expect(&r, 404, "not_found", NULL);
	call(&owner, "GET", no, "/forms/application%27--", NULL, &r);
	expect(&r, 404, "not_found", NULL);
}

static void check(const char *query, struct api_resp *r)
{
	char path[300];

	snprintf(path, sizeof(path), "/api/wizard/forms/check%s", query);
	api_get(path, r);
	assert_int_equal(r->status, 200);
}

static void expect_invalid(const char *query)
{
	struct api_resp r;

	check(query, &r);
	if (!json_is_false(json_object_get(r.json, "valid")))
		fail_msg("%s: %s", query, r.body);
	/* Nothing else: no number, no state. */
	assert_null(json_object_get(r.json, "order_no"));
	assert_null(json_object_get(r.json, "state"));
	api_free(&r);
}

static void test_form_check(void **state)
{
	char no[19], no2[19], mobile[12], tag[17], tag2[17], q[200], forged[17];
	struct api_resp r;

	(void)state;
	wiz_sql("DELETE FROM rate_limits WHERE bucket LIKE 'formcheck:%'");
	fresh_owner();
	filled("bjca-zycg", "new", NULL, no, mobile);
	fresh_owner();
	filled("netca-gd", "new", NULL, no2, mobile);
	tag_of(no, "application", tag);
	tag_of(no2, "application", tag2);
	/* Genuine: anyone may ask (no session), and hears the order's state. */
	snprintf(q, sizeof(q), "?no=%s&form=application&t=%s", no, tag);
	check(q, &r);
	assert_true(json_is_true(json_object_get(r.json, "valid")));
	assert_string_equal(json_string_value(json_object_get(r.json, "order_no")), no);
	assert_string_equal(json_string_value(json_object_get(r.json, "form")), "application");
	assert_string_equal(json_string_value(json_object_get(r.json, "state")), "未完成");
	api_free(&r);
	/* Forged: one character off. */
	memcpy(forged, tag, sizeof(forged));
	forged[5] = forged[5] == '0' ? '1' : '0';
	snprintf(q, sizeof(q), "?no=%s&form=application&t=%s", no, forged);
	expect_invalid(q);
	/* Another order's form, another form's tag. */
	snprintf(q, sizeof(q), "?no=%s&form=application&t=%s", no, tag2);
	expect_invalid(q);
	snprintf(q, sizeof(q), "?no=%s&form=authorisation&t=%s", no, tag);
	expect_invalid(q);
	/* A real tag for a number that does not exist says nothing either. */
	{
		char fake[19], ftag[17];

		memcpy(fake, no, sizeof(fake));
		fake[17] = fake[17] == '0' ? '1' : '0';
		tag_of(fake, "application", ftag);
		snprintf(q, sizeof(q), "?no=%s&form=application&t=%s", fake, ftag);
		check(q, &r);
		/* orderno_valid may refuse the changed check digit; either way: not valid. */
		assert_true(json_is_false(json_object_get(r.json, "valid")));
		api_free(&r);
	}
	/* Malformed and hostile. */
	expect_invalid("");
	expect_invalid("?no=&form=&t=");
	snprintf(q, sizeof(q), "?no=%s&form=application", no);
	expect_invalid(q);
	snprintf(q, sizeof(q), "?no=%s&form=application&t=%.15s", no, tag);
	expect_invalid(q);
	snprintf(q, sizeof(q), "?no=%s&form=application&t=%sa", no, tag);
	expect_invalid(q);
	{
		char up[17];

		for (int i = 0; i < 17; i++)
			up[i] = (char)(tag[i] >= 'a' && tag[i] <= 'f' ? tag[i] - 32 : tag[i]);
		if (strcmp(up, tag) != 0) {
			snprintf(q, sizeof(q), "?no=%s&form=application&t=%s", no, up);
			expect_invalid(q);
		}
	}
	snprintf(q, sizeof(q), "?no=%s%%27%%20OR%%201=1--&form=application&t=%s", no, tag);
	expect_invalid(q);
	snprintf(q, sizeof(q), "?no=%s&form=%%3Cscript%%3E&t=%s", no, tag);
	expect_invalid(q);
	/* A malformed query string: the usual 400. */
	api_get("/api/wizard/forms/check?no=%zz", &r);
	assert_int_equal(r.status, 400);
	api_free(&r);

	/* Rate-limited per client address: about the limit, within the slack of the batched
	 * counters (shared/domain/ratelimit.h): each worker may hold a batch not yet written, from
	 * before the counters were cleared or after. */
	wiz_sql("DELETE FROM rate_limits WHERE bucket LIKE 'formcheck:%'");
	snprintf(q, sizeof(q), "/api/wizard/forms/check?no=%s&form=application&t=%s", no, tag);
	{
		int limit = conf.track_rate_limit, batch = limit / RATELIMIT_SHARE, refused = 0;
		int slack;

		batch = batch < 1 ? 1 : batch > RATELIMIT_BATCH_MAX ? RATELIMIT_BATCH_MAX : batch;
		slack = conf.workers * batch;
		for (int i = 1; i <= limit + slack + 1 && !refused; i++) {
			api_get(q, &r);
			if (r.status == 429) {
				expect(&r, 429, "rate_limited", NULL);
				refused = i;
			} else if (r.status != 200) {
				fail_msg("check %d of %d: %ld", i, limit, r.status);
			}
			api_free(&r);
		}
		if (refused <= limit - slack || refused == 0)
			fail_msg("refused at check %d; the limit is %d, the slack %d", refused, limit, slack);
	}
	wiz_sql("DELETE FROM rate_limits WHERE bucket LIKE 'formcheck:%'");
}

/* ---- signing refused until everything is done */

static void test_sign_refused_until_ready(void **state)
{
	char no[19], mobile[12], v[32];
	struct api_resp r;

	(void)state;
	fresh_owner();
	api_random_mobile(mobile);
	wiz_create(&owner, "bjca-zycg", "new", "org", NULL, no);
	/* Nothing saved: the first step is named, for the code and for signing alike. */
	call(&owner, "POST", no, "/sign/code", NULL, &r);
	expect(&r, 409, "step_incomplete", "agreements");
	wiz_sign_with(&owner, no, "/sign", "123456", &r);
	expect(&r, 409, "step_incomplete", "agreements");
	wiz_put(&owner, no, "agreements", wiz_step_json("agreements", "测试示范有限公司", mobile, NULL), &r);
	assert_int_equal(r.status, 200);
	api_free(&r);
	call(&owner, "POST", no, "/sign/code", NULL, &r);
	expect(&r, 409, "step_incomplete", "enterprise");
	wiz_fill(&owner, no, "测试示范有限公司", mobile);
	/* Steps saved, identities not verified. */
	call(&owner, "POST", no, "/sign/code", NULL, &r);
	expect(&r, 409, "not_verified", "enterprise");
	wiz_verify(&owner, no, "enterprise", NULL);
	call(&owner, "POST", no, "/sign/code", NULL, &r);
	expect(&r, 409, "not_verified", "handler");
	wiz_verify(&owner, no, "handler", NULL);
	/* Verified, materials missing: listed. */
	call(&owner, "POST", no, "/sign/code", NULL, &r);
	assert_int_equal(r.status, 409);
	assert_string_equal(api_error_code(&r), "materials_missing");
	assert_string_equal(api_error_field(&r), "materials");
	{
		json_t *missing = json_object_get(json_object_get(r.json, "error"), "missing"), *m;
		bool form = false;
		size_t i;

		assert_true(json_array_size(missing) >= 3);
		json_array_foreach(missing, i, m)
			form |= strcmp(json_string_value(json_object_get(m, "material")), "application_form") == 0;
		assert_true(form);
	}
	api_free(&r);
	wiz_sign_with(&owner, no, "/sign", "123456", &r);
	expect(&r, 409, "materials_missing", "materials");
	wiz_upload_missing(&owner, no);
	/* The fee must be known. */
	sqlf("UPDATE orders SET amount_fen = NULL WHERE order_no = '%s'", no);
	call(&owner, "POST", no, "/sign/code", NULL, &r);
	expect(&r, 409, "fee_unknown", "amount");
	sqlf("UPDATE orders SET amount_fen = 26000 WHERE order_no = '%s'", no);
	/* Nothing refused left any trace: still a draft, no claim, no event. */
	sql_value(v, sizeof(v), "SELECT CONCAT(state, '|', signed_at IS NULL) FROM orders WHERE order_no = '%s'", no);
	assert_string_equal(v, "draft|1");
	assert_int_equal(events(no, "signed"), 0);
	/* A state that cannot sign. */
	sqlf("UPDATE orders SET state = 'verify_failed' WHERE order_no = '%s'", no);
	call(&owner, "POST", no, "/sign/code", NULL, &r);
	expect(&r, 409, "not_verified", NULL);
	sqlf("UPDATE orders SET state = 'draft' WHERE order_no = '%s'", no);
	/* Ready now. */
	wiz_sign(&owner, no, mobile, "pending_payment");
}

static void test_sign_code_wrong_and_expired(void **state)
{
	static const char *const hostile[] = {
		"{\"code\":\"12345\"}", "{\"code\":\"1234567\"}", "{\"code\":\"abcdef\"}",
		"{\"code\":\"12 456\"}", "{\"code\":\"<scri>\"}", "{\"code\":\"1234\\u00005\"}",
		"{\"code\":\"12345\\n\"}", "{\"code\":123456}", "{\"code\":\"\"}", "{}",
		"{\"code\":\"' OR 1=1 --\"}", "{\"code\":\"１２３４５６\"}",
	};
	char no[19], mobile[12], code[7], wrong[7], v[32];
	struct api_resp r;

	(void)state;
	fresh_owner();
	ready("bjca-zycg", "new", NULL, no, mobile);
	wiz_sign_code(&owner, no, mobile, code);
	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		call(&owner, "POST", no, "/sign", hostile[i], &r);
		/* Refused as a field, or (a NUL in a string) as JSON jansson will not read. */
		if (r.status != 400 || !api_error_code(&r) ||
		    (strcmp(api_error_code(&r), "bad_json") != 0 &&
		     (!api_error_field(&r) || strcmp(api_error_field(&r), "code") != 0)))
			fail_msg("%s: %ld %s", hostile[i], r.status, r.body);
		api_free(&r);
	}
	call(&owner, "POST", no, "/sign", "not json", &r);
	assert_int_equal(r.status, 400);
	api_free(&r);
	snprintf(wrong, sizeof(wrong), "%s", strcmp(code, "000000") == 0 ? "111111" : "000000");
	wiz_sign_with(&owner, no, "/sign", wrong, &r);
	expect(&r, 400, "code_wrong", "code");
	/* A wrong code changed nothing: the claim was given back. */
	sql_value(v, sizeof(v), "SELECT CONCAT(state, '|', signed_at IS NULL) FROM orders WHERE order_no = '%s'", no);
	assert_string_equal(v, "draft|1");
	/* Past its time. */
	wiz_sql("UPDATE sms_codes SET expires_at = NOW(3) - INTERVAL 1 SECOND "
		"WHERE purpose = 'sign' AND used_at IS NULL");
	wiz_sign_with(&owner, no, "/sign", code, &r);
	expect(&r, 400, "code_expired", "code");
	/* Out of tries: even the right code no longer works. */
	wiz_sign_code(&owner, no, mobile, code);
	snprintf(wrong, sizeof(wrong), "%s", strcmp(code, "000000") == 0 ? "111111" : "000000");
	for (int i = 0; i < conf.code_tries; i++) {
		wiz_sign_with(&owner, no, "/sign", wrong, &r);
		assert_int_equal(r.status, 400);
		api_free(&r);
	}
	wiz_sign_with(&owner, no, "/sign", code, &r);
	expect(&r, 400, "code_expired", "code");
	sql_value(v, sizeof(v), "SELECT CONCAT(state, '|', signed_at IS NULL) FROM orders WHERE order_no = '%s'", no);
	assert_string_equal(v, "draft|1");
	assert_int_equal(events(no, "submitted"), 0);
	wiz_sign(&owner, no, mobile, "pending_payment");
}

/* ---- where signing leads */

static void test_sign_pay_first(void **state)
{
	char no[19], mobile[12], v[200], text[400];
	struct api_resp r;

	(void)state;
	fresh_owner();
	ready("bjca-zycg", "new", NULL, no, mobile);
	wiz_sign(&owner, no, mobile, "pending_payment");
	sql_value(v, sizeof(v),
		  "SELECT CONCAT(signed_at IS NOT NULL, '|', submitted_at IS NOT NULL, '|', "
		  "COALESCE(pin_delivery, 'NULL'), '|', editable) FROM orders WHERE order_no = '%s'", no);
	/* Legal representative's mobile verification: the PIN goes to the legal representative. */
	assert_string_equal(v, "1|1|sms_legal_rep|");
	assert_int_equal(events(no, "signed"), 1);
	assert_int_equal(events(no, "submitted"), 1);
	/* The handler hears of it. */
	for (int i = 0; i < 100; i++) {
		char p[128];

		snprintf(p, sizeof(p), "/sandbox/messages?to=%s&limit=1", mobile);
		api_get(p, &r);
		{
			const char *t = json_string_value(json_object_get(
				json_array_get(json_object_get(r.json, "messages"), 0), "text"));

			snprintf(text, sizeof(text), "%s", t ? t : "");
		}
		api_free(&r);
		if (strstr(text, no))
			break;
		usleep(50 * 1000);
	}
	assert_non_null(strstr(text, no));
	assert_non_null(strstr(text, "已提交"));
	/* Signed once: no code, no second signing. */
	call(&owner, "POST", no, "/sign/code", NULL, &r);
	expect(&r, 409, "wrong_state", NULL);
	wiz_sign_with(&owner, no, "/sign", "123456", &r);
	expect(&r, 409, "wrong_state", NULL);
	call(&owner, "POST", no, "/resubmit", "{\"code\":\"123456\"}", &r);
	expect(&r, 409, "wrong_state", NULL);
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

/* JXCA: the legal representative's face check only (004), by the QR on the authorisation
 * letter; then a pre-review before payment. */
static void test_sign_two_stage(void **state)
{
	char no[19], mobile[12], ref[80], path[160];
	struct api_resp r;

	(void)state;
	fresh_owner();
	api_random_mobile(mobile);
	wiz_create(&owner, "jxca-js", "new", "org", NULL, no);
	wiz_put(&owner, no, "agreements", wiz_step_json("agreements", "测试示范有限公司", mobile, NULL), &r);
	assert_int_equal(r.status, 200);
	api_free(&r);
	wiz_put(&owner, no, "enterprise", wiz_step_json("enterprise", "测试示范有限公司", mobile, "lr_face"), &r);
	if (r.status != 200)
		fail_msg("enterprise: %ld %s", r.status, r.body);
	api_free(&r);
	wiz_fill(&owner, no, "测试示范有限公司", mobile);
	call(&owner, "POST", no, "/verify/enterprise", "{\"via\":\"qr\"}", &r);
	if (r.status != 200)
		fail_msg("face check: %ld %s", r.status, r.body);
	api_free(&r);
	/* The letter carries the face check's QR beside its own. */
	call(&owner, "GET", no, "/forms/authorisation", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(count(r.body, "<svg"), 2);
	assert_non_null(strstr(r.body, "刷脸核验"));
	api_free(&r);
	call(&owner, "POST", no, "/sign/code", NULL, &r);
	expect(&r, 409, "not_verified", "enterprise");
	/* The legal representative scans it and passes. */
	sql_value(ref, sizeof(ref), "SELECT v.provider_ref FROM verifications v JOIN orders o ON o.id = v.order_id "
				    "WHERE o.order_no = '%s' AND v.subject = 'enterprise' ORDER BY v.id DESC LIMIT 1", no);
	snprintf(path, sizeof(path), "/sandbox/verify/checks/%s/complete", ref);
	api_post_json(path, "{\"outcome\":\"pass\"}", &r);
	assert_int_equal(r.status, 200);
	api_free(&r);
	call(&owner, "GET", no, "/verify/enterprise", NULL, &r);
	assert_int_equal(r.status, 200);
	api_free(&r);
	wiz_verify(&owner, no, "handler", NULL);
	wiz_upload_missing(&owner, no);
	/* Guide 004 prices nothing but the seal re-make: a two-stage hall reviews before anyone
	 * pays, so the order is signed without a price and the pre-reviewer states it. */
	wiz_sign(&owner, no, mobile, "pre_review");
	sql_value(ref, sizeof(ref), "SELECT IFNULL(amount_fen, 'none') FROM orders WHERE order_no = '%s'", no);
	assert_string_equal(ref, "none");
}

static void test_sign_free(void **state)
{
	char no[19], mobile[12], extra[64], v[64];

	(void)state;
	/* CECEP change (free, online): straight to review. */
	fresh_owner();
	owner_cert("cecep", extra);
	ready("cecep", "change", extra, no, mobile);
	wiz_sign(&owner, no, mobile, "reviewing");
	/* Nothing is mailed: no new key, no PIN to deliver. */
	sql_value(v, sizeof(v), "SELECT COALESCE(pin_delivery, 'NULL') FROM orders WHERE order_no = '%s'", no);
	assert_string_equal(v, "NULL");
	/* BJCA unlock (free). */
	fresh_owner();
	owner_cert("bjca-zycg", extra);
	ready("bjca-zycg", "unlock", extra, no, mobile);
	wiz_sign(&owner, no, mobile, "reviewing");
	/* NETCA change (free): "快递材料到网证通……必须等纸质资料寄达才能办理": the paper is awaited. */
	fresh_owner();
	owner_cert("netca-gd", extra);
	ready("netca-gd", "change", extra, no, mobile);
	wiz_sign(&owner, no, mobile, "awaiting_paper");
}

/* Two signs with the one code at once: exactly one wins, the other is told 409. */
struct outcome {
	long status;
	char code[40];
};

static void test_sign_race(void **state)
{
	char no[19], mobile[12], code[7];
	struct outcome got[2];
	int fds[2][2];
	pid_t pid[2];

	(void)state;
	fresh_owner();
	ready("bjca-zycg", "new", NULL, no, mobile);
	wiz_sign_code(&owner, no, mobile, code);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(pipe(fds[i]), 0);
		pid[i] = fork();
		assert_true(pid[i] >= 0);
		if (pid[i] == 0) {
			struct outcome o = { 0 };
			struct api_resp r;

			close(fds[i][0]);
			wiz_sign_with(&owner, no, "/sign", code, &r);
			o.status = r.status;
			snprintf(o.code, sizeof(o.code), "%s", api_error_code(&r) ? api_error_code(&r) : "");
			if (write(fds[i][1], &o, sizeof(o)) != sizeof(o))
				_exit(1);
			_exit(0);
		}
		close(fds[i][1]);
	}
	for (int i = 0; i < 2; i++) {
		int st;

		assert_int_equal(read(fds[i][0], &got[i], sizeof(got[i])), (ssize_t)sizeof(got[i]));
		close(fds[i][0]);
		waitpid(pid[i], &st, 0);
	}
	/* The loser meets the winner's claim (conflict), or its finished move (wrong_state). */
	if (!((got[0].status == 200 && got[1].status == 409) ||
	      (got[0].status == 409 && got[1].status == 200)) ||
	    (strcmp(got[0].code, "conflict") != 0 && strcmp(got[1].code, "conflict") != 0 &&
	     strcmp(got[0].code, "wrong_state") != 0 && strcmp(got[1].code, "wrong_state") != 0))
		fail_msg("race: %ld %s and %ld %s", got[0].status, got[0].code, got[1].status, got[1].code);
	assert_int_equal(events(no, "submitted"), 1);
	assert_int_equal(events(no, "signed"), 1);
}

/* ---- resubmission */

static void test_resubmit(void **state)
{
	char no[19], mobile[12], code[7], v[200], extra[64];
	struct api_resp r;

	(void)state;
	fresh_owner();
	owner_cert("bjca-zycg", extra);
	ready("bjca-zycg", "unlock", extra, no, mobile);
	/* Not returned: nothing to resubmit. */
	call(&owner, "POST", no, "/resubmit", "{\"code\":\"123456\"}", &r);
	expect(&r, 409, "wrong_state", NULL);
	wiz_sign(&owner, no, mobile, "reviewing");
	/* The reviewer returns it: the handler's data and the application form were wrong. */
	sqlf("UPDATE orders SET state = 'returned', editable = 'handler,application_form', "
	     "return_state = 'reviewing', version = version + 1, updated_at = NOW(3) WHERE order_no = '%s'", no);
	sqlf("INSERT INTO order_events (order_id, at, kind, state_from, state_to, actor_type, actor_id, "
	     "public, note) SELECT id, NOW(3), 'returned', 'reviewing', 'returned', 'staff', 1, 1, "
	     "'经办人信息有误' FROM orders WHERE order_no = '%s'", no);
	sqlf("UPDATE materials m JOIN orders o ON o.id = m.order_id SET m.state = 'rejected' "
	     "WHERE o.order_no = '%s' AND m.material = 'application_form'", no);
	usleep(20 * 1000); /* the next saves are later than the return, to the millisecond */
	/* Signing is for drafts; a returned order is resubmitted. */
	wiz_sign_with(&owner, no, "/sign", "123456", &r);
	expect(&r, 409, "wrong_state", NULL);
	/* Nothing redone yet: the rejected step is named. */
	call(&owner, "POST", no, "/sign/code", NULL, &r);
	expect(&r, 409, "step_incomplete", "handler");
	call(&owner, "POST", no, "/resubmit", "{\"code\":\"123456\"}", &r);
	expect(&r, 409, "step_incomplete", "handler");
	/* The handler saved again (a corrected ID number), then checked again. */
	wiz_put(&owner, no, "handler", wiz_step_json("handler", "测试示范有限公司", mobile, NULL), &r);
	if (r.status != 200)
		fail_msg("re-save handler: %ld %s", r.status, r.body);
	api_free(&r);
	/* A changed handler is checked again. */
	call(&owner, "POST", no, "/resubmit", "{\"code\":\"123456\"}", &r);
	expect(&r, 409, "not_verified", "handler");
	wiz_verify(&owner, no, "handler", NULL);
	/* The rejected scan is still the latest. */
	call(&owner, "POST", no, "/resubmit", "{\"code\":\"123456\"}", &r);
	expect(&r, 409, "materials_missing", "materials");
	wiz_upload_missing(&owner, no);
	wiz_sign_code(&owner, no, mobile, code);
	wiz_sign_with(&owner, no, "/resubmit", code[0] == '9' ? "000000" : "999999", &r);
	expect(&r, 400, "code_wrong", "code");
	wiz_sign_with(&owner, no, "/resubmit", code, &r);
	if (r.status != 200)
		fail_msg("resubmit: %ld %s", r.status, r.body);
	assert_string_equal(json_string_value(json_object_get(r.json, "state")), "reviewing");
	api_free(&r);
	sql_value(v, sizeof(v), "SELECT CONCAT(state, '|', editable, '|', signed_at IS NOT NULL) "
				"FROM orders WHERE order_no = '%s'", no);
	assert_string_equal(v, "reviewing||1");
	assert_int_equal(events(no, "resubmitted"), 1);
	assert_int_equal(events(no, "submitted"), 1);
	/* Once. */
	wiz_sign_with(&owner, no, "/resubmit", code, &r);
	expect(&r, 409, "wrong_state", NULL);
}

/* ---- another applicant's order */

static void test_other_applicant(void **state)
{
	static const struct {
		const char *method, *tail, *body;
	} ends[] = {
		{ "GET", "/forms/application", NULL },    { "GET", "/forms/authorisation", NULL },
		{ "GET", "/forms/style.css", NULL },      { "POST", "/sign/code", NULL },
		{ "POST", "/sign", "{\"code\":\"123456\"}" },
		{ "POST", "/resubmit", "{\"code\":\"123456\"}" },
	};
	char no[19], mobile[12], unknown[19], v[64];
	struct api_resp r;

	(void)state;
	fresh_owner();
	ready("bjca-zycg", "new", NULL, no, mobile);
	memcpy(unknown, no, sizeof(unknown));
	unknown[10] = unknown[10] == '5' ? '6' : '5';
	for (size_t i = 0; i < sizeof(ends) / sizeof(ends[0]); i++) {
		call(&other, ends[i].method, no, ends[i].tail, ends[i].body, &r);
		expect(&r, 404, "not_found", NULL);
		call(&owner, ends[i].method, unknown, ends[i].tail, ends[i].body, &r);
		expect(&r, 404, "not_found", NULL);
		call(&owner, ends[i].method, "../../account/me", ends[i].tail, ends[i].body, &r);
		assert_true(r.status == 404 || r.status == 400);
		api_free(&r);
		call(NULL, ends[i].method, no, ends[i].tail, ends[i].body, &r);
		assert_true(r.status == 401 || r.status == 403);
		api_free(&r);
	}
	sql_value(v, sizeof(v), "SELECT CONCAT(state, '|', signed_at IS NULL) FROM orders WHERE order_no = '%s'", no);
	assert_string_equal(v, "draft|1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_form_html),
		cmocka_unit_test(test_form_check),
		cmocka_unit_test(test_sign_refused_until_ready),
		cmocka_unit_test(test_sign_code_wrong_and_expired),
		cmocka_unit_test(test_sign_pay_first),
		cmocka_unit_test(test_sign_two_stage),
		cmocka_unit_test(test_sign_free),
		cmocka_unit_test(test_sign_race),
		cmocka_unit_test(test_resubmit),
		cmocka_unit_test(test_other_applicant),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
