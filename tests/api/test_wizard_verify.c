/* API tests: identity verification of the organisation and the handler through the sandbox
 * gateway, the memo code of a 0.01 transfer, the switch to mail-in after a failure, and the
 * limits on starting checks (per order, per account, per client address). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "apiclient.h"
#include "base/conf.h"
#include "crypto/crypto.h"
#include "db/db.h"
#include "domain/ratelimit.h"
#include "wizclient.h"

#define ORG "测试示范有限公司" /* the name api_register_org registers */

static struct conf conf;
static struct db db;
static struct arena a;

/* An applicant with one fresh draft. */
struct who {
	struct api_client c;
	char uscc[19], mobile[12], no[19];
};

/* ------------------------------------------------------------------------ helpers */

static void fresh(struct who *w, const char *channel)
{
	memset(w, 0, sizeof(*w));
	wiz_register_org(&w->c, w->uscc, w->mobile);
	wiz_create(&w->c, channel, "new", "org", NULL, w->no);
}

/* A card number with a valid ISO/IEC 7812 check digit. */
static void random_card(char out[20])
{
	unsigned char r[10];
	int sum = 0;

	crypto_random(r, sizeof(r));
	snprintf(out, 20, "622202");
	for (int i = 0; i < 12; i++)
		out[6 + i] = (char)('0' + r[i % 10] % 10);
	out[18] = '\0';
	for (int i = 0; i < 18; i++) {
		int d = out[17 - i] - '0';

		if (i % 2 == 0) {
			d *= 2;
			if (d > 9)
				d -= 9;
		}
		sum += d;
	}
	out[18] = (char)('0' + (10 - sum % 10) % 10);
	out[19] = '\0';
}

/* wiz_step_json(step) with members replaced: name, value pairs, NULL-terminated. */
static void put_step(struct who *w, const char *step, const char *mobile, const char *method,
		     ...)
{
	json_t *j = json_loads(wiz_step_json(step, ORG, mobile, method), 0, NULL);
	struct api_resp r;
	const char *k, *v;
	char *text;
	va_list ap;

	assert_non_null(j);
	va_start(ap, method);
	while ((k = va_arg(ap, const char *)) != NULL) {
		v = va_arg(ap, const char *);
		json_object_set_new(j, k, json_string(v));
	}
	va_end(ap);
	text = json_dumps(j, JSON_COMPACT);
	wiz_put(&w->c, w->no, step, text, &r);
	if (r.status != 200)
		fail_msg("PUT %s %s: %ld %s", step, text, r.status, r.body);
	api_free(&r);
	free(text);
	json_decref(j);
}

static void put_agreements(struct who *w)
{
	put_step(w, "agreements", NULL, NULL, NULL);
}

static void verify(struct who *w, struct api_client *as, const char *method, const char *subject,
		   const char *tail, const char *body, struct api_resp *r)
{
	char path[160];

	snprintf(path, sizeof(path), "/api/wizard/orders/%s/verify/%s%s", w->no, subject,
		 tail ? tail : "");
	api_call(as ? as : &w->c, method, path, body, NULL, r);
}

static void start(struct who *w, const char *subject, const char *body, struct api_resp *r)
{
	verify(w, NULL, "POST", subject, NULL, body, r);
}

static void status(struct who *w, const char *subject, struct api_resp *r)
{
	verify(w, NULL, "GET", subject, NULL, NULL, r);
}

static void confirm(struct who *w, const char *body, struct api_resp *r)
{
	verify(w, NULL, "POST", "enterprise", "/confirm", body, r);
}

static void mail_in(struct who *w, struct api_client *as, struct api_resp *r)
{
	char path[96];

	snprintf(path, sizeof(path), "/api/wizard/orders/%s/mail-in", w->no);
	api_call(as ? as : &w->c, "POST", path, NULL, NULL, r);
}

static void script(const char *key, const char *outcome)
{
	char body[200];
	struct api_resp r;

	snprintf(body, sizeof(body), "{\"key\":\"%s\",\"outcome\":\"%s\"}", key, outcome);
	api_post_json("/sandbox/verify/script", body, &r);
	if (r.status != 200)
		fail_msg("script %s: %ld %s", key, r.status, r.body);
	api_free(&r);
}

/* The person finishing a pending check at the gateway. */
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

/* The memo of the newest transfer to the account, off the "bank statement". */
static size_t statement(const char *account, char memo[7])
{
	char path[128];
	struct api_resp r;
	json_t *list;
	size_t n;

	snprintf(path, sizeof(path), "/sandbox/verify/transfers?account_no=%s", account);
	api_get(path, &r);
	assert_int_equal(r.status, 200);
	list = json_object_get(r.json, "transfers");
	assert_true(json_is_array(list));
	n = json_array_size(list);
	if (memo && n) {
		json_t *t = json_array_get(list, 0);

		snprintf(memo, 7, "%s", json_string_value(json_object_get(t, "memo")));
		assert_int_equal(json_integer_value(json_object_get(t, "amount_fen")), 1);
		assert_string_equal(json_string_value(json_object_get(t, "account_name")), ORG);
	}
	api_free(&r);
	return n;
}

/* One cell of a query about the order (its number is the one parameter). */
static const char *cell(const struct who *w, const char *sql)
{
	struct db_rows rows;

	assert_int_equal(db_query(&db, &a, sql, DB_ARGS(DB_STR(w->no)), &rows), DB_OK);
	return rows.nrows ? db_cell(&rows, 0, 0) : NULL;
}

static long long num(const struct who *w, const char *sql)
{
	const char *v = cell(w, sql);

	return v ? strtoll(v, NULL, 10) : -1;
}

#define OID "(SELECT id FROM orders WHERE order_no = ?)"

static const char *order_state(const struct who *w)
{
	return cell(w, "SELECT state FROM orders WHERE order_no = ?");
}

/* The state's name the applicant is shown in the order. */
static void state_name_is(struct who *w, const char *want)
{
	struct api_resp r;
	char path[80];

	snprintf(path, sizeof(path), "/api/wizard/orders/%s", w->no);
	api_call(&w->c, "GET", path, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "state_name")), want);
	api_free(&r);
}

static long long order_version(const struct who *w)
{
	return num(w, "SELECT version FROM orders WHERE order_no = ?");
}

static long long rows_of(const struct who *w)
{
	return num(w, "SELECT COUNT(*) FROM verifications WHERE order_id = " OID);
}

static long long events_of(const struct who *w, const char *kind)
{
	char sql[200];

	snprintf(sql, sizeof(sql),
		 "SELECT COUNT(*) FROM order_events WHERE order_id = " OID " AND kind = '%s'", kind);
	return num(w, sql);
}

static const char *last_ref(const struct who *w)
{
	return cell(w, "SELECT provider_ref FROM verifications WHERE order_id = " OID
		       " ORDER BY id DESC LIMIT 1");
}

static const char *vstate(const struct api_resp *r)
{
	return json_string_value(json_object_get(json_object_get(r->json, "verification"), "state"));
}

static const char *str(const struct api_resp *r, const char *name)
{
	return json_string_value(json_object_get(r->json, name));
}

static const char *error_message(const struct api_resp *r)
{
	const char *m = json_string_value(json_object_get(json_object_get(r->json, "error"), "message"));

	return m ? m : "(none)";
}

/* 429 rate_limited, a Retry-After of whole seconds, and a zh-CN message saying which limit. */
static void expect_limited(const struct api_resp *r, const char *says)
{
	char after[16];

	api_expect_error(r, 429, "rate_limited");
	assert_non_null(api_header(r, "Retry-After", after, sizeof(after)));
	assert_true(strtol(after, NULL, 10) >= 1);
	if (!strstr(error_message(r), says) || !strstr(error_message(r), "后再试"))
		fail_msg("429 message does not say \"%s\": %s", says, error_message(r));
}

/* The order's subject free for another application of the same account (as a finished or
 * cancelled one leaves it). */
static void set_open_key_free(const struct who *w)
{
	assert_int_equal(db_exec(&db, "UPDATE orders SET open_key = NULL, claim_key = NULL WHERE order_no = ?",
				 DB_ARGS(DB_STR(w->no)), NULL, NULL),
			 DB_OK);
}

static void expect_verification(const struct api_resp *r, const char *state, const char *order)
{
	if (r->status != 200 || !vstate(r) || strcmp(vstate(r), state) != 0 || !str(r, "order_state") ||
	    strcmp(str(r, "order_state"), order) != 0)
		fail_msg("expected %s / order %s, got %ld %.600s", state, order, r->status, r->body);
}

/* start and status, expecting the check in state and the order in order_state. */
static void start_expect(struct who *w, const char *subject, const char *body, const char *state,
			 const char *order)
{
	struct api_resp r;

	start(w, subject, body, &r);
	expect_verification(&r, state, order);
	api_free(&r);
}

static void status_expect(struct who *w, const char *subject, const char *state,
			  const char *order)
{
	struct api_resp r;

	status(w, subject, &r);
	expect_verification(&r, state, order);
	api_free(&r);
}

static bool offers_mail_in(const struct api_resp *r)
{
	json_t *o = json_object_get(r->json, "offers");
	size_t i;
	json_t *v;

	assert_true(json_is_array(o));
	assert_string_equal(json_string_value(json_array_get(o, 0)), "edit");
	json_array_foreach(o, i, v)
		if (strcmp(json_string_value(v), "mail_in") == 0)
			return true;
	return false;
}

/* An order with agreements and an enterprise step of this method; lr_mobile/lr_id when set. */
static void enterprise_ready(struct who *w, const char *method, const char *lr_mobile,
			     const char *lr_id, const char *card)
{
	char m[12], id[19], c[20];

	api_random_mobile(m);
	wiz_random_id(id);
	random_card(c);
	put_agreements(w);
	put_step(w, "enterprise", lr_mobile ? lr_mobile : m, method, "lr_id_number",
		 lr_id ? lr_id : id, "lr_bank_card", card ? card : c, NULL);
}

static void handler_ready(struct who *w, const char *method, const char *mobile, const char *card)
{
	char m[12], c[20];

	api_random_mobile(m);
	random_card(c);
	put_step(w, "handler", mobile ? mobile : m, method, "bank_card", card ? card : c, NULL);
}

/* A fresh draft whose organisation is checked by a transfer to a fresh account (into
 * account): the transfer sent, the check pending. */
static void transfer_pending(struct who *w, char account[20])
{
	fresh(w, "bjca-zycg");
	wiz_random_account(account);
	enterprise_ready(w, "transfer", NULL, NULL, NULL);
	put_step(w, "financial", NULL, NULL, "account_no", account, NULL);
	start_expect(w, "enterprise", NULL, "pending", "draft");
}

/* ---------------------------------------------------------------------- set-up */

/* cecep's mail_in as the tests found it: a test that turns it off puts it back, and the tests
 * after these (test_hall_admin restores every hall's settings through the API) find the hall
 * as seeded. */
static char cecep_mail_in[8];

static void cecep_mail_in_restore(void)
{
	char q[96];

	snprintf(q, sizeof(q), "UPDATE channels SET mail_in = %d WHERE code = 'cecep'",
		 strcmp(cecep_mail_in, "1") == 0);
	wiz_sql(q);
}

static int setup(void **state)
{
	(void)state;
	wiz_sql_value("SELECT mail_in FROM channels WHERE code = 'cecep'", cecep_mail_in,
		      sizeof(cecep_mail_in));
	return wiz_open(&conf, NULL, &db, &a);
}

static int teardown(void **state)
{
	(void)state;
	cecep_mail_in_restore();
	wiz_close(&db, &a);
	return 0;
}

/* ------------------------------------------------------------------------- tests */

static void test_enterprise_mobile_and_card_pass(void **state)
{
	static const char *const methods[] = { "lr_mobile", "lr_card" };
	struct api_resp r;

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		struct who w;
		const char *ref;

		fresh(&w, "bjca-zycg");
		enterprise_ready(&w, methods[i], NULL, NULL, NULL);
		start(&w, "enterprise", NULL, &r);
		expect_verification(&r, "passed", "draft");
		assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "verification"),
								      "method")), methods[i]);
		assert_true(json_is_true(json_object_get(json_object_get(r.json, "verification"), "current")));
		assert_null(json_object_get(r.json, "offers"));
		/* No PII comes back: not the ID, not the mobile. */
		assert_null(strstr(r.body, "lr_id_number"));
		api_free(&r);
		assert_int_equal(rows_of(&w), 1);
		assert_int_equal(events_of(&w, "verified"), 1);
		ref = last_ref(&w);
		assert_int_equal(strlen(ref), 32);
		assert_int_equal(strspn(ref, "0123456789abcdef"), 32);
		status(&w, "enterprise", &r);
		expect_verification(&r, "passed", "draft");
		assert_true(json_is_true(json_object_get(r.json, "required")));
		api_free(&r);
	}
}

static void test_enterprise_face_pass_and_fail(void **state)
{
	struct api_resp r;
	struct who w, f;
	json_t *v;
	const char *ref;
	bool template_exists;

	(void)state;
	fresh(&w, "bjca-zycg");
	/* The face link goes by SMS once its template is seeded; until then the QR code only. */
	template_exists = num(&w, "SELECT COUNT(*) FROM message_templates WHERE channel = 'sms' "
				  "AND event = 'verify_face' AND ? <> ''") > 0;
	enterprise_ready(&w, "lr_face", NULL, NULL, NULL);
	start(&w, "enterprise", "{\"via\":\"sms\"}", &r);
	expect_verification(&r, "pending", "draft");
	v = json_object_get(r.json, "verification");
	ref = last_ref(&w);
	assert_non_null(strstr(json_string_value(json_object_get(v, "link")), ref));
	assert_non_null(strstr(json_string_value(json_object_get(v, "qr_svg")), "<svg"));
	assert_true(json_is_boolean(json_object_get(r.json, "sms_sent")));
	assert_int_equal(json_is_true(json_object_get(r.json, "sms_sent")), template_exists);
	api_free(&r);
	/* Nobody has been in front of the camera yet. */
	status_expect(&w, "enterprise", "pending", "draft");
	assert_int_equal(events_of(&w, "verified"), 0);
	complete(ref, "pass");
	status(&w, "enterprise", &r);
	expect_verification(&r, "passed", "draft");
	assert_null(json_object_get(json_object_get(r.json, "verification"), "link"));
	api_free(&r);
	assert_int_equal(events_of(&w, "verified"), 1);
	/* Asking again settles nothing twice. */
	status_expect(&w, "enterprise", "passed", "draft");
	assert_int_equal(events_of(&w, "verified"), 1);

	fresh(&f, "bjca-zycg");
	enterprise_ready(&f, "lr_face", NULL, NULL, NULL);
	start_expect(&f, "enterprise", NULL, "pending", "draft");
	complete(last_ref(&f), "fail");
	status(&f, "enterprise", &r);
	expect_verification(&r, "failed", "verify_failed");
	assert_true(offers_mail_in(&r));
	assert_non_null(strstr(json_string_value(json_object_get(json_object_get(r.json, "verification"),
								 "message")), "人脸"));
	api_free(&r);
	assert_string_equal(order_state(&f), "verify_failed");
	assert_int_equal(events_of(&f, "verify_failed"), 1);
	/* 001's 金融认证失败 is its bank check's; a face that failed is not a bank's. */
	state_name_is(&f, "身份核验未通过");
}

static void test_transfer_memo_right(void **state)
{
	char account[20], memo[7], wrong[16];
	struct api_resp r;
	struct who w;

	(void)state;
	fresh(&w, "bjca-zycg");
	wiz_random_account(account);
	enterprise_ready(&w, "transfer", NULL, NULL, NULL);
	/* The corporate account comes from the financial step: none saved yet. */
	start(&w, "enterprise", NULL, &r);
	api_expect_error(&r, 409, "step_incomplete");
	assert_string_equal(api_error_field(&r), "financial");
	api_free(&r);
	assert_int_equal(statement(account, NULL), 0);
	put_step(&w, "financial", NULL, NULL, "account_no", account, NULL);
	start(&w, "enterprise", NULL, &r);
	expect_verification(&r, "pending", "draft");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(r.json, "verification"),
							    "tries_left")), 5);
	/* The code is on the bank statement, and nowhere in the answer. */
	assert_int_equal(statement(account, memo), 1);
	assert_null(strstr(r.body, memo));
	api_free(&r);
	/* Stored nowhere in clear either. */
	assert_int_equal(num(&w, "SELECT COUNT(*) FROM verifications WHERE order_id = " OID), 1);
	{
		char sql[300];

		snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM verifications WHERE order_id = " OID
			 " AND (link LIKE '%%%s%%' OR message LIKE '%%%s%%' OR provider_ref LIKE '%%%s%%')",
			 memo, memo, memo);
		assert_int_equal(num(&w, sql), 0);
	}
	snprintf(wrong, sizeof(wrong), "%06d", ((int)strtol(memo, NULL, 10) + 1) % 1000000);
	{
		char body[64];

		snprintf(body, sizeof(body), "{\"memo\":\"%s\"}", wrong);
		confirm(&w, body, &r);
		api_expect_error(&r, 400, "memo_wrong");
		assert_string_equal(api_error_field(&r), "memo");
		assert_int_equal(json_integer_value(json_object_get(json_object_get(r.json, "error"),
								    "tries_left")), 4);
		api_free(&r);
		snprintf(body, sizeof(body), "{\"memo\":\"%s\"}", memo);
		confirm(&w, body, &r);
		expect_verification(&r, "passed", "draft");
		api_free(&r);
		/* Passed is passed: the code does not work twice. */
		confirm(&w, body, &r);
		api_expect_error(&r, 409, "wrong_state");
		api_free(&r);
	}
	assert_int_equal(events_of(&w, "verified"), 1);
	status_expect(&w, "enterprise", "passed", "draft");
}

static void test_transfer_five_wrong_fail(void **state)
{
	char account[20], memo[7], body[64];
	struct api_resp r;
	struct who w;

	(void)state;
	transfer_pending(&w, account);
	assert_int_equal(statement(account, memo), 1);
	snprintf(body, sizeof(body), "{\"memo\":\"%06d\"}", ((int)strtol(memo, NULL, 10) + 7) % 1000000);
	for (int i = 1; i <= 5; i++) {
		confirm(&w, body, &r);
		api_expect_error(&r, 400, "memo_wrong");
		assert_int_equal(json_integer_value(json_object_get(json_object_get(r.json, "error"),
								    "tries_left")), 5 - i);
		if (i == 5) {
			json_t *e = json_object_get(r.json, "error");

			assert_string_equal(json_string_value(json_object_get(e, "order_state")),
					    "verify_failed");
			assert_true(json_is_array(json_object_get(e, "offers")));
		}
		api_free(&r);
	}
	assert_string_equal(order_state(&w), "verify_failed");
	assert_int_equal(events_of(&w, "verify_failed"), 1);
	/* 001 "金融认证失败": the 0.01 transfer's check, and only it, is named so. */
	state_name_is(&w, "金融认证失败");
	/* Even the right code comes too late. */
	snprintf(body, sizeof(body), "{\"memo\":\"%s\"}", memo);
	confirm(&w, body, &r);
	api_expect_error(&r, 409, "wrong_state");
	api_free(&r);
	assert_int_equal(num(&w, "SELECT memo_tries FROM verifications WHERE order_id = " OID), 5);
	status(&w, "enterprise", &r);
	expect_verification(&r, "failed", "verify_failed");
	assert_true(offers_mail_in(&r));
	api_free(&r);
	/* A new transfer is a new code, and a fresh count. */
	start_expect(&w, "enterprise", NULL, "pending", "verify_failed");
	assert_int_equal(statement(account, memo), 2);
	snprintf(body, sizeof(body), "{\"memo\":\"%s\"}", memo);
	confirm(&w, body, &r);
	expect_verification(&r, "passed", "draft");
	api_free(&r);
}

static void test_hostile_memo(void **state)
{
	static const struct {
		const char *body;
		long status;
		const char *code;
	} bad[] = {
		{ "{\"memo\":123456}", 400, "invalid_field" },
		{ "{\"memo\":\"12345\"}", 400, "invalid_field" },
		{ "{\"memo\":\"1234567\"}", 400, "invalid_field" },
		{ "{\"memo\":\"12345a\"}", 400, "invalid_field" },
		{ "{\"memo\":\"1' OR '1'='1\"}", 400, "invalid_field" },
		{ "{\"memo\":\"<b>1</b>\"}", 400, "invalid_field" },
		{ "{\"memo\":\"１２３４５６\"}", 400, "invalid_field" },
		{ "{\"memo\":\"123\\u0000456\"}", 400, "bad_json" },
		{ "{\"memo\":\"12\\n3456\"}", 400, "invalid_field" },
		{ "{\"memo\":\" 12345\"}", 400, "invalid_field" },
		{ "{\"memo\":[\"123456\"]}", 400, "invalid_field" },
		{ "{\"memo\":{\"$gt\":\"\"}}", 400, "invalid_field" },
		{ "{\"memo\":null}", 400, "missing_field" },
		{ "{\"memo\":\"\"}", 400, "missing_field" },
		{ "{}", 400, "missing_field" },
		{ "[\"123456\"]", 400, "bad_json" },
		{ "{\"memo\":\"\xff\xfe\xfd\xfc\xfb\xfa\"}", 400, "bad_json" },
		{ "{\"memo\":\"000000\",\"memo\":\"111111\"}", 400, "bad_json" },
		{ "{\"memo\":\"12345", 400, "bad_json" },
	};
	char account[20], memo[7], body[64], *huge;
	struct api_resp r;
	struct who w;

	(void)state;
	transfer_pending(&w, account);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		confirm(&w, bad[i].body, &r);
		if (r.status != bad[i].status || !api_error_code(&r) ||
		    strcmp(api_error_code(&r), bad[i].code) != 0)
			fail_msg("%s: expected %ld %s, got %ld %s", bad[i].body, bad[i].status,
				 bad[i].code, r.status, r.body);
		api_free(&r);
	}
	huge = malloc(200000);
	memcpy(huge, "{\"memo\":\"", 9);
	memset(huge + 9, '1', 199980);
	memcpy(huge + 199989, "\"}", 3);
	confirm(&w, huge, &r);
	assert_true(r.status == 400 || r.status == 413);
	api_free(&r);
	free(huge);
	/* Form text, not JSON. */
	{
		char path[160];

		snprintf(path, sizeof(path), "/api/wizard/orders/%s/verify/enterprise/confirm", w.no);
		api_call_raw(&w.c, "POST", path, "application/x-www-form-urlencoded", "memo=123456", 11,
			     NULL, &r);
		api_expect_error(&r, 415, "unsupported_media_type");
		api_free(&r);
	}
	/* None of it counted as a try, nothing moved. */
	assert_int_equal(num(&w, "SELECT memo_tries FROM verifications WHERE order_id = " OID), 0);
	assert_string_equal(cell(&w, "SELECT state FROM verifications WHERE order_id = " OID), "pending");
	assert_string_equal(order_state(&w), "draft");
	/* The handler has no memo. */
	verify(&w, NULL, "POST", "handler", "/confirm", "{\"memo\":\"123456\"}", &r);
	api_expect_error(&r, 404, "not_found");
	api_free(&r);
	assert_int_equal(statement(account, memo), 1);
	snprintf(body, sizeof(body), "{\"memo\":\"%s\"}", memo);
	confirm(&w, body, &r);
	expect_verification(&r, "passed", "draft");
	api_free(&r);
}

static void test_handler_methods_pass(void **state)
{
	struct api_resp r;
	struct who w;

	(void)state;
	fresh(&w, "bjca-zycg");
	put_agreements(&w);
	/* Before the handler step is saved: which step is missing, by name. */
	start(&w, "handler", NULL, &r);
	api_expect_error(&r, 409, "step_incomplete");
	assert_string_equal(api_error_field(&r), "handler");
	api_free(&r);
	handler_ready(&w, "mobile", NULL, NULL);
	start_expect(&w, "handler", NULL, "passed", "draft");
	handler_ready(&w, "card", NULL, NULL);
	/* Saved again: the pass of the handler saved before no longer counts. */
	status(&w, "handler", &r);
	expect_verification(&r, "void", "draft");
	assert_true(json_is_false(json_object_get(json_object_get(r.json, "verification"), "current")));
	assert_null(json_object_get(r.json, "offers"));
	api_free(&r);
	start(&w, "handler", NULL, &r);
	expect_verification(&r, "passed", "draft");
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "verification"),
							      "method")), "card");
	assert_true(json_is_true(json_object_get(json_object_get(r.json, "verification"), "current")));
	api_free(&r);
	handler_ready(&w, "face", NULL, NULL);
	start(&w, "handler", "{\"via\":\"qr\"}", &r);
	expect_verification(&r, "pending", "draft");
	assert_true(json_is_false(json_object_get(r.json, "sms_sent")));
	api_free(&r);
	complete(last_ref(&w), "pass");
	status_expect(&w, "handler", "passed", "draft");
	assert_int_equal(rows_of(&w), 3);
	assert_int_equal(events_of(&w, "verified"), 3);
}

static void test_failed_then_edit_and_retry(void **state)
{
	char m[12], id[19];
	struct api_resp r;
	struct who w;
	const char *msg;

	(void)state;
	fresh(&w, "bjca-zycg");
	api_random_mobile(m);
	wiz_random_id(id);
	script(m, "fail");
	enterprise_ready(&w, "lr_mobile", m, id, NULL);
	handler_ready(&w, "mobile", NULL, NULL);
	start(&w, "enterprise", NULL, &r);
	expect_verification(&r, "failed", "verify_failed");
	assert_true(offers_mail_in(&r));
	msg = json_string_value(json_object_get(json_object_get(r.json, "verification"), "message"));
	/* The gateway named the mobile: the applicant sees it masked. */
	assert_non_null(strstr(msg, "****"));
	assert_null(strstr(r.body, m));
	api_free(&r);
	assert_null(strstr(cell(&w, "SELECT message FROM verifications WHERE order_id = " OID), m));
	assert_null(strstr(cell(&w, "SELECT note FROM order_events WHERE order_id = " OID
				    " AND kind = 'verify_failed'"), m));
	assert_string_equal(order_state(&w), "verify_failed");
	assert_int_equal(events_of(&w, "verify_failed"), 1);
	/* The handler passing does not clear the organisation's failure. */
	start_expect(&w, "handler", NULL, "passed", "verify_failed");
	/* Same data again (the gateway's records were wrong and are fixed): a pass takes the
	 * order back to draft. */
	script(m, "clear");
	start(&w, "enterprise", NULL, &r);
	expect_verification(&r, "passed", "draft");
	assert_null(json_object_get(r.json, "offers"));
	api_free(&r);
	assert_int_equal(num(&w, "SELECT COUNT(*) FROM order_events WHERE order_id = " OID
				  " AND kind = 'verified' AND state_from = 'verify_failed' AND state_to = 'draft'"),
			 1);
	/* Edited to a mobile that fails, then edited again to the right one: passes. */
	api_random_mobile(m);
	script(m, "fail");
	put_step(&w, "enterprise", m, "lr_mobile", "lr_id_number", id, NULL);
	start_expect(&w, "enterprise", NULL, "failed", "verify_failed");
	api_random_mobile(m);
	put_step(&w, "enterprise", m, "lr_mobile", "lr_id_number", id, NULL);
	start_expect(&w, "enterprise", NULL, "passed", "draft");
	assert_string_equal(order_state(&w), "draft");
	assert_int_equal(events_of(&w, "verify_failed"), 2);
	assert_int_equal(events_of(&w, "verified"), 3);
}

static void test_failed_card_and_id(void **state)
{
	char id[19], card[20];
	struct api_resp r;
	struct who w, h;

	(void)state;
	/* A 4-element check failing on the card. */
	fresh(&w, "netca-gd");
	random_card(card);
	script(card, "fail");
	enterprise_ready(&w, "lr_card", NULL, NULL, card);
	start(&w, "enterprise", NULL, &r);
	expect_verification(&r, "failed", "verify_failed");
	assert_null(strstr(r.body, card));
	api_free(&r);
	/* A handler check failing on the ID number: no mail-in offered (the handler is checked
	 * online anyway). */
	fresh(&h, "netca-gd");
	wiz_random_id(id);
	script(id, "fail");
	put_agreements(&h);
	put_step(&h, "handler", h.mobile, "mobile", "id_number", id, NULL);
	start(&h, "handler", NULL, &r);
	expect_verification(&r, "failed", "verify_failed");
	assert_false(offers_mail_in(&r));
	assert_null(strstr(r.body, id));
	api_free(&r);
	mail_in(&h, NULL, &r);
	api_expect_error(&r, 409, "wrong_state");
	api_free(&r);
	assert_int_equal(num(&h, "SELECT mail_in FROM orders WHERE order_no = ?"), 0);
	script(id, "clear");
	start_expect(&h, "handler", NULL, "passed", "draft");
}

static void test_failed_then_mail_in(void **state)
{
	char m[12];
	struct api_resp r;
	struct who w;
	long long v;

	(void)state;
	fresh(&w, "bjca-zycg");
	/* No failure yet: nothing to fall back from. */
	mail_in(&w, NULL, &r);
	api_expect_error(&r, 409, "wrong_state");
	api_free(&r);
	api_random_mobile(m);
	script(m, "fail");
	enterprise_ready(&w, "lr_mobile", m, NULL, NULL);
	start_expect(&w, "enterprise", NULL, "failed", "verify_failed");
	v = order_version(&w);
	mail_in(&w, NULL, &r);
	if (r.status != 200)
		fail_msg("mail-in: %ld %s", r.status, r.body);
	assert_true(json_is_true(json_object_get(r.json, "mail_in")));
	assert_string_equal(str(&r, "verify_method"), "mail_in");
	assert_string_equal(str(&r, "order_state"), "draft");
	assert_non_null(strstr(json_string_value(json_object_get(json_object_get(r.json, "mail_in_info"),
								 "review")), "3 至 5 个工作日"));
	api_free(&r);
	assert_int_equal(num(&w, "SELECT mail_in FROM orders WHERE order_no = ?"), 1);
	assert_string_equal(cell(&w, "SELECT verify_method FROM orders WHERE order_no = ?"), "mail_in");
	assert_string_equal(order_state(&w), "draft");
	assert_int_equal(order_version(&w), v + 1);
	assert_int_equal(events_of(&w, "mail_in"), 1);
	/* Twice is once. */
	mail_in(&w, NULL, &r);
	assert_int_equal(r.status, 200);
	api_free(&r);
	assert_int_equal(events_of(&w, "mail_in"), 1);
	/* The organisation is proved on paper now; the handler still online. */
	start(&w, "enterprise", NULL, &r);
	api_expect_error(&r, 409, "wrong_state");
	api_free(&r);
	status(&w, "enterprise", &r);
	assert_int_equal(r.status, 200);
	assert_true(json_is_false(json_object_get(r.json, "required")));
	api_free(&r);
	status(&w, "handler", &r);
	assert_true(json_is_true(json_object_get(r.json, "required")));
	assert_true(json_is_null(json_object_get(r.json, "verification")));
	api_free(&r);
	handler_ready(&w, "mobile", NULL, NULL);
	start_expect(&w, "handler", NULL, "passed", "draft");
}

/* The mail-in review time is the hall's own: 003 "我司收件后,3个工作日内办结" where 002 says "收到材料后的
 * 3-5个工作日"; and 002's "UKEY将在5个工作日内发出" is not said at NETCA. */
static void test_mail_in_days_per_hall(void **state)
{
	char m[12];
	const char *review;
	struct api_resp r;
	struct who w;

	(void)state;
	fresh(&w, "netca-gd");
	api_random_mobile(m);
	script(m, "fail");
	enterprise_ready(&w, "lr_mobile", m, NULL, NULL);
	start_expect(&w, "enterprise", NULL, "failed", "verify_failed");
	mail_in(&w, NULL, &r);
	if (r.status != 200)
		fail_msg("mail-in: %ld %s", r.status, r.body);
	review = json_string_value(json_object_get(json_object_get(r.json, "mail_in_info"), "review"));
	assert_non_null(review);
	assert_non_null(strstr(review, "收到纸质材料后 3 个工作日内"));
	assert_null(strstr(review, "3 至 5"));
	assert_null(strstr(review, "5 个工作日内寄出"));
	api_free(&r);
	script(m, "clear");
}

static void test_mail_in_not_offered(void **state)
{
	char m[12];
	struct api_resp r;
	struct who w;

	(void)state;
	fresh(&w, "cecep");
	wiz_sql("UPDATE channels SET mail_in = 0 WHERE code = 'cecep'");
	api_random_mobile(m);
	script(m, "fail");
	enterprise_ready(&w, "lr_mobile", m, NULL, NULL);
	start(&w, "enterprise", NULL, &r);
	expect_verification(&r, "failed", "verify_failed");
	assert_false(offers_mail_in(&r));
	api_free(&r);
	mail_in(&w, NULL, &r);
	api_expect_error(&r, 400, "not_offered");
	api_free(&r);
	cecep_mail_in_restore();
	assert_int_equal(num(&w, "SELECT mail_in FROM orders WHERE order_no = ?"), 0);
	assert_string_equal(order_state(&w), "verify_failed");
}

/* Nothing half-done when the gateway is down: no row, no event, no move. */
static void test_provider_unavailable(void **state)
{
	static const char *const outcomes[] = { "unavailable", "timeout" };
	struct api_resp r;

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		char m[12], account[20];
		struct who w;
		long long v;

		fresh(&w, "bjca-zycg");
		api_random_mobile(m);
		script(m, outcomes[i]);
		enterprise_ready(&w, "lr_mobile", m, NULL, NULL);
		v = order_version(&w);
		start(&w, "enterprise", NULL, &r);
		api_expect_error(&r, 503, "provider_unavailable");
		api_free(&r);
		assert_int_equal(rows_of(&w), 0);
		assert_int_equal(order_version(&w), v);
		assert_string_equal(order_state(&w), "draft");
		assert_int_equal(num(&w, "SELECT COUNT(*) FROM order_events WHERE order_id = " OID
					  " AND kind LIKE 'verif%'"), 0);
		/* The transfer likewise: no code anywhere, nothing recorded. */
		wiz_random_account(account);
		script(account, outcomes[i]);
		put_step(&w, "enterprise", m, "transfer", NULL);
		put_step(&w, "financial", NULL, NULL, "account_no", account, NULL);
		start(&w, "enterprise", NULL, &r);
		api_expect_error(&r, 503, "provider_unavailable");
		api_free(&r);
		assert_int_equal(rows_of(&w), 0);
		assert_int_equal(statement(account, NULL), 0);
		/* Back up: the same data goes through. */
		script(account, "clear");
		start_expect(&w, "enterprise", NULL, "pending", "draft");
	}
}

/* Asking about a pending face check while the gateway is down: 503, and nothing settled. */
static void test_status_while_unavailable(void **state)
{
	char m[12];
	struct api_resp r;
	struct who w;
	long long v;

	(void)state;
	fresh(&w, "bjca-zycg");
	api_random_mobile(m);
	enterprise_ready(&w, "lr_face", m, NULL, NULL);
	start_expect(&w, "enterprise", NULL, "pending", "draft");
	complete(last_ref(&w), "fail");
	script(m, "unavailable");
	v = order_version(&w);
	status(&w, "enterprise", &r);
	api_expect_error(&r, 503, "provider_unavailable");
	api_free(&r);
	assert_string_equal(cell(&w, "SELECT state FROM verifications WHERE order_id = " OID), "pending");
	assert_int_equal(order_version(&w), v);
	assert_int_equal(events_of(&w, "verify_failed"), 0);
	script(m, "clear");
	status_expect(&w, "enterprise", "failed", "verify_failed");
	assert_int_equal(events_of(&w, "verify_failed"), 1);
}

/* A transfer the bank sends back (wrong account for the name) is a failed check. */
static void test_transfer_refused_by_bank(void **state)
{
	char account[20];
	struct api_resp r;
	struct who w;

	(void)state;
	fresh(&w, "bjca-zycg");
	wiz_random_account(account);
	script(account, "fail");
	enterprise_ready(&w, "transfer", NULL, NULL, NULL);
	put_step(&w, "financial", NULL, NULL, "account_no", account, NULL);
	start(&w, "enterprise", NULL, &r);
	expect_verification(&r, "failed", "verify_failed");
	assert_true(offers_mail_in(&r));
	assert_null(strstr(r.body, account));
	api_free(&r);
	assert_int_equal(statement(account, NULL), 0);
}

static void test_not_yours(void **state)
{
	struct who w, other;
	struct api_resp r;
	long long v;

	(void)state;
	fresh(&w, "bjca-zycg");
	fresh(&other, "bjca-zycg");
	enterprise_ready(&w, "lr_mobile", NULL, NULL, NULL);
	v = order_version(&w);
	verify(&w, &other.c, "POST", "enterprise", NULL, NULL, &r);
	api_expect_error(&r, 404, "not_found");
	api_free(&r);
	verify(&w, &other.c, "GET", "enterprise", NULL, NULL, &r);
	api_expect_error(&r, 404, "not_found");
	api_free(&r);
	verify(&w, &other.c, "POST", "enterprise", "/confirm", "{\"memo\":\"123456\"}", &r);
	api_expect_error(&r, 404, "not_found");
	api_free(&r);
	mail_in(&w, &other.c, &r);
	api_expect_error(&r, 404, "not_found");
	api_free(&r);
	/* Not logged in at all. */
	{
		char path[128];

		snprintf(path, sizeof(path), "/api/wizard/orders/%s/verify/enterprise", w.no);
		api_get(path, &r);
		api_expect_error(&r, 401, "not_logged_in");
		api_free(&r);
	}
	/* Unknown subjects and orders look the same. */
	verify(&w, NULL, "POST", "legal", NULL, NULL, &r);
	api_expect_error(&r, 404, "not_found");
	api_free(&r);
	verify(&w, NULL, "GET", "..%2fhandler", NULL, NULL, &r);
	assert_int_equal(r.status, 404);
	api_free(&r);
	api_call(&w.c, "POST", "/api/wizard/orders/017042461457547153/verify/enterprise", NULL, NULL, &r);
	api_expect_error(&r, 404, "not_found");
	api_free(&r);
	assert_int_equal(rows_of(&w), 0);
	assert_int_equal(order_version(&w), v);
}

static void test_incomplete_and_wrong_state(void **state)
{
	struct api_resp r;
	struct who w;

	(void)state;
	fresh(&w, "bjca-zycg");
	/* Consent first (sensitive personal information), then the step itself. */
	start(&w, "enterprise", NULL, &r);
	api_expect_error(&r, 409, "step_incomplete");
	assert_string_equal(api_error_field(&r), "agreements");
	api_free(&r);
	put_agreements(&w);
	start(&w, "enterprise", NULL, &r);
	api_expect_error(&r, 409, "step_incomplete");
	assert_string_equal(api_error_field(&r), "enterprise");
	api_free(&r);
	/* Hostile choices of the face-link channel. */
	{
		static const char *const vias[] = { "{\"via\":\"email\"}", "{\"via\":\"<sms>\"}",
						    "{\"via\":1}", "{\"via\":\"sms\\u0000\"}", "[]" };

		enterprise_ready(&w, "lr_face", NULL, NULL, NULL);
		for (size_t i = 0; i < sizeof(vias) / sizeof(vias[0]); i++) {
			start(&w, "enterprise", vias[i], &r);
			if (r.status != 400)
				fail_msg("%s: %ld %s", vias[i], r.status, r.body);
			api_free(&r);
		}
		assert_int_equal(rows_of(&w), 0);
	}
	handler_ready(&w, "mobile", NULL, NULL);
	/* Returned with only the handler to edit: the handler may be checked, not the organisation. */
	{
		char sql[200];

		snprintf(sql, sizeof(sql),
			 "UPDATE orders SET state = 'returned', editable = 'handler' WHERE order_no = '%s'",
			 w.no);
		wiz_sql(sql);
	}
	start(&w, "enterprise", NULL, &r);
	api_expect_error(&r, 409, "wrong_state");
	api_free(&r);
	start_expect(&w, "handler", NULL, "passed", "returned");
	{
		char sql[200];

		snprintf(sql, sizeof(sql), "UPDATE orders SET state = 'reviewing' WHERE order_no = '%s'", w.no);
		wiz_sql(sql);
	}
	start(&w, "handler", NULL, &r);
	api_expect_error(&r, 409, "wrong_state");
	api_free(&r);
	mail_in(&w, NULL, &r);
	api_expect_error(&r, 409, "wrong_state");
	api_free(&r);
	assert_int_equal(rows_of(&w), 1);
}

static void test_starts_rate_limited(void **state)
{
	struct api_resp r;
	struct who w;
	char after[16];
	int i;

	(void)state;
	fresh(&w, "bjca-zycg");
	put_agreements(&w);
	handler_ready(&w, "mobile", NULL, NULL);
	for (i = 0; i < 10; i++) {
		start_expect(&w, "handler", NULL, "passed", "draft");
	}
	start(&w, "handler", NULL, &r);
	api_expect_error(&r, 429, "rate_limited");
	assert_non_null(api_header(&r, "Retry-After", after, sizeof(after)));
	assert_non_null(strstr(error_message(&r), "本订单"));
	api_free(&r);
	assert_int_equal(rows_of(&w), 10);
	/* The status stays readable. */
	status_expect(&w, "handler", "passed", "draft");
}

/* A fresh order is no fresh budget: the subject's checks of the day are counted across its
 * orders ([verify] per_subject_day; an organisation account's orders are all its own USCC's),
 * or the 3/4-element checks would answer, order after order, whether a name, an ID number and
 * a mobile belong together. */
static void test_starts_limited_per_subject(void **state)
{
	struct api_resp r;
	struct who w;
	int done = 0;

	(void)state;
	assert_true(conf.verify_per_subject_day <= 100); /* a test stack keeps the default */
	fresh(&w, "bjca-zycg");
	while (done < conf.verify_per_subject_day) {
		if (done > 0) { /* the next order of the same organisation and account */
			set_open_key_free(&w);
			wiz_create(&w.c, "bjca-zycg", "new", "org", NULL, w.no);
		}
		put_agreements(&w);
		handler_ready(&w, "mobile", NULL, NULL);
		for (int i = 0; i < 10 && done < conf.verify_per_subject_day; i++, done++)
			start_expect(&w, "handler", NULL, "passed", "draft");
	}
	set_open_key_free(&w);
	wiz_create(&w.c, "bjca-zycg", "new", "org", NULL, w.no);
	put_agreements(&w);
	handler_ready(&w, "mobile", NULL, NULL);
	start(&w, "handler", NULL, &r);
	expect_limited(&r, "申请主体");
	api_free(&r);
	/* Refused before the gateway: nothing recorded, nothing moved. */
	assert_int_equal(rows_of(&w), 0);
	assert_string_equal(order_state(&w), "draft");
	status(&w, "handler", &r);
	assert_int_equal(r.status, 200);
	assert_true(json_is_null(json_object_get(r.json, "verification")));
	api_free(&r);
}

/* The account's checks of the sliding hour and of the hall's day ([verify] per_account_hour,
 * per_account_day), whatever the order and the subject: the test fills the account's
 * counters, then takes them back. */
static void test_starts_limited_per_account(void **state)
{
	static const int spans[] = { 3600, RATELIMIT_DAY };
	char bucket[64], id[24], q[128];
	struct api_resp r;
	struct who w;

	(void)state;
	fresh(&w, "bjca-zycg");
	put_agreements(&w);
	handler_ready(&w, "mobile", NULL, NULL);
	snprintf(q, sizeof(q), "SELECT account_id FROM orders WHERE order_no = '%s'", w.no);
	wiz_sql_value(q, id, sizeof(id));
	for (int k = 0; k < 2; k++) {
		snprintf(bucket, sizeof(bucket), "verify:a:%s:%s", k == 0 ? "3600" : "d", id);
		wiz_fill_slot(bucket, spans[k], k == 0 ? conf.verify_per_account_hour : conf.verify_per_account_day);
		start(&w, "handler", NULL, &r);
		wiz_forget_slots(bucket);
		expect_limited(&r, k == 0 ? "账号发起身份核验过于频繁" : "账号今日");
		api_free(&r);
		assert_int_equal(rows_of(&w), 0);
	}
	/* The counters gone, the same start goes through. */
	start_expect(&w, "handler", NULL, "passed", "draft");
	assert_int_equal(rows_of(&w), 1);
}

/* The client address's checks of the hour: 127.0.0.1 is a trusted network of the test stack,
 * counted against [verify] per_trusted_hour (test_limits: an untrusted address's). */
static void test_starts_limited_per_address(void **state)
{
	const char *bucket = "verify:t:3600:127.0.0.1";
	struct api_resp r;
	struct who w;

	(void)state;
	assert_true(cidr_match(&conf.trusted, "127.0.0.1"));
	fresh(&w, "bjca-zycg");
	put_agreements(&w);
	handler_ready(&w, "mobile", NULL, NULL);
	wiz_fill_slot(bucket, 3600, conf.verify_per_trusted_hour);
	start(&w, "handler", NULL, &r);
	wiz_forget_slots(bucket);
	expect_limited(&r, "当前网络");
	api_free(&r);
	assert_int_equal(rows_of(&w), 0);
	/* The hour over (the counter gone), the same start goes through. */
	start_expect(&w, "handler", NULL, "passed", "draft");
	assert_int_equal(rows_of(&w), 1);
}

/* The gateway itself: unsigned or mis-signed requests are refused. */
static void test_sandbox_refuses_unsigned(void **state)
{
	struct api_resp r;

	(void)state;
	api_post_json("/sandbox/verify/checks",
		      "{\"ref\":\"00112233445566778899aabbccddeeff\",\"method\":\"mobile\"}", &r);
	assert_int_equal(r.status, 401);
	api_free(&r);
	api_get("/sandbox/verify/checks/00112233445566778899aabbccddeeff", &r);
	assert_int_equal(r.status, 401);
	api_free(&r);
	api_request("POST", "/sandbox/verify/transfers", "application/json", "{}", 2,
		    "X-Certhall-Timestamp: 1", &r);
	assert_int_equal(r.status, 401);
	api_free(&r);
	api_post_json("/sandbox/verify/script", "{\"key\":\"13700000000\",\"outcome\":\"maybe\"}", &r);
	assert_int_equal(r.status, 400);
	api_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_enterprise_mobile_and_card_pass),
		cmocka_unit_test(test_enterprise_face_pass_and_fail),
		cmocka_unit_test(test_transfer_memo_right),
		cmocka_unit_test(test_transfer_five_wrong_fail),
		cmocka_unit_test(test_hostile_memo),
		cmocka_unit_test(test_handler_methods_pass),
		cmocka_unit_test(test_failed_then_edit_and_retry),
		cmocka_unit_test(test_failed_card_and_id),
		cmocka_unit_test(test_failed_then_mail_in),
		cmocka_unit_test(test_mail_in_days_per_hall),
		cmocka_unit_test(test_mail_in_not_offered),
		cmocka_unit_test(test_provider_unavailable),
		cmocka_unit_test(test_status_while_unavailable),
		cmocka_unit_test(test_transfer_refused_by_bank),
		cmocka_unit_test(test_not_yours),
		cmocka_unit_test(test_incomplete_and_wrong_state),
		cmocka_unit_test(test_starts_rate_limited),
		cmocka_unit_test(test_starts_limited_per_subject),
		cmocka_unit_test(test_starts_limited_per_account),
		cmocka_unit_test(test_starts_limited_per_address),
		cmocka_unit_test(test_sandbox_refuses_unsigned),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
