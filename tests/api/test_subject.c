/* API tests of issue 20 part 2: an account proves its subject before it reaches anything of it.
 * A stranger who registers a company's USCC first, then the company's proof; a stranger's draft
 * for a person's ID number, then the holder's proof; the distinct subjects a day. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "apiclient.h"
#include "wizclient.h"

#define COMPANY "测试示范有限公司"

/* POST /api/account/register of an organisation with this USCC from a fresh mobile; the
 * answer in r, c logged in when it is 201. */
static void register_org_as(struct api_client *c, const char *uscc, const char *name,
			    char mobile[12], struct api_resp *r)
{
	char code[7], body[512];

	memset(c, 0, sizeof(*c));
	api_random_mobile(mobile);
	api_get_code(mobile, "register", code);
	snprintf(body, sizeof(body),
		 "{\"kind\":\"org\",\"name\":\"%s\",\"uscc\":\"%s\",\"mobile\":\"%s\","
		 "\"sms_code\":\"%s\",\"password\":\"Passw0rd-1\"}", name, uscc, mobile, code);
	api_call(c, "POST", "/api/account/register", body, NULL, r);
	wiz_clear_code_limits();
}

static void expect_me(struct api_client *c, const char *login, const char *uscc_state)
{
	struct api_resp r;

	api_call(c, "GET", "/api/account/me", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "login_name")), login);
	assert_string_equal(json_string_value(json_object_get(r.json, "uscc_state")), uscc_state);
	api_free(&r);
}

/* The company's certificate whose holder is a person named in the issue (李娜). */
static char holder_serial[17];

/* Whether "my certificates" lists serial; and GET /api/wizard/certs/<serial> agrees. */
static bool sees(struct api_client *c, const char *serial)
{
	char path[96];
	struct api_resp r;
	json_t *list, *x;
	size_t i;
	bool listed = false;

	api_call(c, "GET", "/api/wizard/certs", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	list = json_object_get(r.json, "certificates");
	json_array_foreach(list, i, x)
		listed |= strcmp(json_string_value(json_object_get(x, "serial")), serial) == 0;
	if (!listed) /* nothing of it anywhere in the answer, nor its holder */
		assert_null(strstr(r.body, serial));
	if (!listed && strcmp(serial, holder_serial) == 0)
		assert_null(strstr(r.body, "李娜"));
	api_free(&r);
	snprintf(path, sizeof(path), "/api/wizard/certs/%s", serial);
	api_call(c, "GET", path, NULL, NULL, &r);
	assert_int_equal(r.status, listed ? 200 : 404);
	api_free(&r);
	return listed;
}

static void create_raw(struct api_client *c, const char *body, struct api_resp *r)
{
	api_call(c, "POST", "/api/wizard/orders", body, NULL, r);
}

static void target(struct api_client *c, const char *business, const char *serial,
		   struct api_resp *r)
{
	char body[200];

	snprintf(body, sizeof(body),
		 "{\"channel\":\"bjca-zycg\",\"business\":\"%s\",\"cert_serial\":\"%s\"}", business,
		 serial);
	create_raw(c, body, r);
}

/* The newest SMS the sandbox gateway holds for mobile, waiting for the outbox (up to 5 s). */
static void last_sms(const char *mobile, size_t before, char *text, size_t n)
{
	for (int i = 0; i < 100 && api_sandbox_text(mobile, text, n) == before; i++)
		usleep(50 * 1000);
}

static void order_state_is(struct api_client *c, const char *no, const char *want)
{
	char state[32];
	struct api_resp r;

	wiz_order(c, no, state, &r);
	api_free(&r);
	assert_string_equal(state, want);
}

/* A stranger registers the company's USCC first; then the company registers and proves it. */
static void stranger_claim_then_company_proof(void **state)
{
	struct api_client s = { 0 }, co = { 0 }, third = { 0 };
	char uscc[19], sm[12], cm[12], tm[12], own[17], lr[17], sno[19], cno[19], rno[19];
	char sms[600], body[200];
	struct api_resp r;
	size_t before;

	(void)state;
	/* The company's certificates, issued by the CA outside the hall (bound to no account). */
	api_random_uscc(uscc);
	wiz_random_serial(own);
	wiz_random_serial(lr);
	wiz_fixture_cert(NULL, uscc, "bjca-zycg", "org", own, 200, -165, true);
	wiz_fixture_cert(NULL, uscc, "bjca-zycg", "legal_rep", lr, 60, -305, true);
	snprintf(holder_serial, sizeof(holder_serial), "%s", lr);
	snprintf(sms, sizeof(sms), "UPDATE certificates SET holder_name = '李娜' WHERE serial = '%s'", lr);
	wiz_sql(sms);

	/* The stranger: the USCC is public; registered first, it is only claimed. */
	register_org_as(&s, uscc, "冒名登记有限公司", sm, &r);
	assert_int_equal(r.status, 201);
	assert_string_equal(json_string_value(json_object_get(r.json, "uscc_state")), "claimed");
	api_free(&r);
	expect_me(&s, uscc, "claimed");
	assert_false(sees(&s, own));
	assert_false(sees(&s, lr));
	/* It cannot act on them: a revocation, a renewal, a change are not found. */
	target(&s, "revoke", own, &r);
	api_expect_error(&r, 404, "not_found");
	api_free(&r);
	target(&s, "renew", lr, &r);
	api_expect_error(&r, 404, "not_found");
	api_free(&r);
	/* Its own draft for a new certificate holds nothing of the company's. */
	snprintf(body, sizeof(body), "{\"channel\":\"bjca-zycg\",\"business\":\"new\",\"kind\":\"org\"}");
	create_raw(&s, body, &r);
	assert_int_equal(r.status, 201);
	snprintf(sno, sizeof(sno), "%s", json_string_value(json_object_get(r.json, "order_no")));
	api_free(&r);

	/* The company: not turned away; it logs in by mobile until it proves the USCC. */
	register_org_as(&co, uscc, COMPANY, cm, &r);
	assert_int_equal(r.status, 201);
	assert_string_equal(json_string_value(json_object_get(r.json, "login_name")), cm);
	assert_non_null(strstr(json_string_value(json_object_get(r.json, "message")), "企业身份核验"));
	api_free(&r);
	expect_me(&co, cm, "claimed");
	assert_false(sees(&co, own));
	/* The stranger's draft does not stop the company's; its enterprise check proves it. */
	wiz_create(&co, "bjca-zycg", "new", "org", NULL, cno);
	wiz_fill(&co, cno, COMPANY, cm);
	before = api_sandbox_count(sm, NULL);
	wiz_verify(&co, cno, "enterprise", NULL);

	/* The company has the login and the certificates, and may act on them. */
	expect_me(&co, uscc, "proven");
	assert_true(sees(&co, own));
	assert_true(sees(&co, lr));
	target(&co, "revoke", own, &r);
	assert_int_equal(r.status, 201);
	snprintf(rno, sizeof(rno), "%s", json_string_value(json_object_get(r.json, "order_no")));
	api_free(&r);
	snprintf(body, sizeof(body), "{\"login_name\":\"%s\",\"password\":\"Passw0rd-1\"}", uscc);
	api_call(&third, "POST", "/api/account/login", body, NULL, &r);
	assert_int_equal(r.status, 200);
	api_free(&r);
	expect_me(&third, uscc, "proven"); /* the USCC login is the company's */

	/* The stranger is set aside: told by SMS, keeps its login by mobile, loses the USCC. */
	last_sms(sm, before, sms, sizeof(sms));
	assert_non_null(strstr(sms, uscc));
	assert_non_null(strstr(sms, "已由该单位通过企业身份核验认领"));
	expect_me(&s, sm, "released");
	snprintf(body, sizeof(body), "{\"login_name\":\"%s\",\"password\":\"Passw0rd-1\"}", sm);
	api_call(NULL, "POST", "/api/account/login", body, NULL, &r);
	assert_int_equal(r.status, 200);
	api_free(&r);
	assert_false(sees(&s, own));
	assert_false(sees(&s, lr));
	target(&s, "revoke", own, &r);
	api_expect_error(&r, 409, "subject_released");
	assert_non_null(strstr(json_string_value(json_object_get(json_object_get(r.json, "error"),
								 "message")), "认领"));
	api_free(&r);
	order_state_is(&s, sno, "expired");
	order_state_is(&co, rno, "draft");

	/* A proven USCC cannot be taken the same way. */
	register_org_as(&third, uscc, "又一家冒名公司", tm, &r);
	api_expect_error(&r, 409, "already_registered");
	assert_string_equal(api_error_field(&r), "uscc");
	api_free(&r);
	/* Hostile: the USCC with a wrong check digit, or lower case, is not a claim at all. */
	{
		char bad[19];

		snprintf(bad, sizeof(bad), "%s", uscc);
		bad[17] = bad[17] == '0' ? '1' : '0';
		register_org_as(&third, bad, "又一家冒名公司", tm, &r);
		if (r.status == 201) /* the changed digit happened to be valid too: another USCC */
			expect_me(&third, bad, "claimed");
		else
			api_expect_error(&r, 400, "invalid_field");
		api_free(&r);
	}
}

/* Another reading of "bound to the account": a certificate its own order made stays its own,
 * proven or not (the fixture's account_id), and another account's stays another's. */
static void own_certificates_need_no_proof(void **state)
{
	struct api_client c = { 0 }, s = { 0 };
	char uscc[19], mobile[12], sm[12], serial[17];
	struct api_resp r;

	(void)state;
	wiz_register_org(&c, uscc, mobile);
	wiz_random_serial(serial);
	wiz_fixture_cert(uscc, uscc, "bjca-zycg", "org", serial, 200, -165, true);
	assert_true(sees(&c, serial));
	target(&c, "revoke", serial, &r);
	assert_int_equal(r.status, 201);
	api_free(&r);
	register_org_as(&s, uscc, "冒名登记有限公司", sm, &r);
	assert_int_equal(r.status, 201);
	api_free(&r);
	assert_false(sees(&s, serial));
}

/* A person's ID number: a stranger's draft does not stop the holder, who proves it and goes
 * on; the stranger is then stopped with a clear message. */
static void person_id_first_to_prove_holds(void **state)
{
	struct api_client h = { 0 }, s = { 0 };
	char hm[12], sm[12], id[19], body[200], hno[19], sno[19], code[7], path[96];
	struct wiz_opts opts = { 0 };
	struct api_resp r;
	const char *msg;

	(void)state;
	wiz_random_id(id);
	opts.id_number = id;
	wiz_register_person(&s, sm);
	wiz_register_person(&h, hm);
	snprintf(body, sizeof(body), ",\"id_number\":\"%s\"", id);
	wiz_create(&s, "netca-gd", "new", "person", body, sno);
	wiz_put(&s, sno, "agreements", wiz_step_json("agreements", "", sm, NULL), &r);
	assert_int_equal(r.status, 200);
	api_free(&r);
	/* The holder is not stopped by the stranger's unverified draft. */
	wiz_create(&h, "netca-gd", "new", "person", body, hno);
	wiz_fill_opts(&h, hno, "", hm, &opts);
	wiz_verify(&h, hno, "handler", NULL);
	/* Proven, the holder's draft holds the number: the stranger's goes no further. */
	wiz_put(&s, sno, "agreements", wiz_step_json("agreements", "", sm, NULL), &r);
	api_expect_error(&r, 409, "subject_held");
	api_free(&r);
	/* ... and the holder goes on to sign. */
	wiz_upload_missing(&h, hno);
	wiz_sign_code(&h, hno, hm, code);
	wiz_sign_with(&h, hno, "/sign", code, &r);
	assert_int_equal(r.status, 200);
	api_free(&r);

	/* The stranger: every step further is refused with the reason. */
	wiz_put(&s, sno, "handler", wiz_step_json_id("handler", "", sm, NULL, id), &r);
	api_expect_error(&r, 409, "subject_held");
	msg = json_string_value(json_object_get(json_object_get(r.json, "error"), "message"));
	assert_non_null(strstr(msg, "持有人已通过身份核验"));
	assert_non_null(strstr(msg, "请取消本订单"));
	assert_null(strstr(r.body, hno));
	api_free(&r);
	snprintf(path, sizeof(path), "/api/wizard/orders/%s/verify/handler", sno);
	api_call(&s, "POST", path, "{}", NULL, &r);
	api_expect_error(&r, 409, "subject_held");
	api_free(&r);
	snprintf(path, sizeof(path), "/api/wizard/orders/%s/sign/code", sno);
	api_call(&s, "POST", path, "{}", NULL, &r);
	api_expect_error(&r, 409, "subject_held");
	api_free(&r);
	/* A new draft for the number is refused while the holder's signed order is open. */
	snprintf(body, sizeof(body),
		 "{\"channel\":\"netca-gd\",\"business\":\"new\",\"kind\":\"person\",\"id_number\":\"%s\"}",
		 id);
	create_raw(&s, body, &r);
	api_expect_error(&r, 409, "open_order_exists");
	assert_null(strstr(r.body, hno));
	api_free(&r);
	/* The stranger may still cancel its draft. */
	snprintf(path, sizeof(path), "/api/wizard/orders/%s/cancel", sno);
	api_call(&s, "POST", path, "{}", NULL, &r);
	assert_int_equal(r.status, 200);
	api_free(&r);
}

/* One account opens drafts for [wizard] subjects_per_day (3) distinct subjects a day. */
static void distinct_subjects_a_day(void **state)
{
	struct api_client c = { 0 };
	char mobile[12], ids[4][19], body[200], no[19], first[19], wait[16];
	struct api_resp r;
	const char *msg;

	(void)state;
	wiz_register_person(&c, mobile);
	for (int i = 0; i < 3; i++) {
		wiz_random_id(ids[i]);
		snprintf(body, sizeof(body), ",\"id_number\":\"%s\"", ids[i]);
		wiz_create(&c, "netca-gd", "new", "person", body, i ? no : first);
	}
	wiz_random_id(ids[3]);
	snprintf(body, sizeof(body),
		 "{\"channel\":\"netca-gd\",\"business\":\"new\",\"kind\":\"person\",\"id_number\":\"%s\"}",
		 ids[3]);
	create_raw(&c, body, &r);
	api_expect_error(&r, 429, "subjects_limited");
	msg = json_string_value(json_object_get(json_object_get(r.json, "error"), "message"));
	assert_non_null(strstr(msg, "最多为 3 个不同的证件"));
	assert_non_null(api_header(&r, "Retry-After", wait, sizeof(wait)));
	assert_true(strtol(wait, NULL, 10) > 0 && strtol(wait, NULL, 10) <= 86400);
	api_free(&r);
	/* A subject already applied for today is not a new one: its own draft is named. */
	snprintf(body, sizeof(body),
		 "{\"channel\":\"netca-gd\",\"business\":\"new\",\"kind\":\"person\",\"id_number\":\"%s\"}",
		 ids[0]);
	create_raw(&c, body, &r);
	api_expect_error(&r, 409, "open_order_exists");
	api_free(&r);
	/* Cancelling does not give a subject back the same day. */
	snprintf(body, sizeof(body), "/api/wizard/orders/%s/cancel", first);
	api_call(&c, "POST", body, "{}", NULL, &r);
	assert_int_equal(r.status, 200);
	api_free(&r);
	snprintf(body, sizeof(body),
		 "{\"channel\":\"netca-gd\",\"business\":\"new\",\"kind\":\"person\",\"id_number\":\"%s\"}",
		 ids[3]);
	create_raw(&c, body, &r);
	api_expect_error(&r, 429, "subjects_limited");
	api_free(&r);
	/* The next day (the drafts moved back past the hall's midnight, as time passing would). */
	{
		char sql[256];

		snprintf(sql, sizeof(sql),
			 "UPDATE orders o JOIN accounts a ON a.id = o.account_id SET o.created_at = "
			 "o.created_at - INTERVAL 1 DAY WHERE a.login_name = '%s'", mobile);
		wiz_sql(sql);
	}
	create_raw(&c, body, &r);
	assert_int_equal(r.status, 201);
	api_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stranger_claim_then_company_proof),
		cmocka_unit_test(own_certificates_need_no_proof),
		cmocka_unit_test(person_id_first_to_prove_holds),
		cmocka_unit_test(distinct_subjects_a_day),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
