/* API tests of POST /api/wizard/orders: who may apply for what, the certificate a business
 * targets, the renewal window, and one open application per subject and certificate. */
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
#include "wizclient.h"

static void create_raw(struct api_client *c, const char *body, struct api_resp *r)
{
	api_call(c, "POST", "/api/wizard/orders", body, NULL, r);
}

static void expect_refused(struct api_client *c, const char *body, long status, const char *code,
			   const char *field)
{
	struct api_resp r;

	create_raw(c, body, &r);
	if (code)
		api_expect_error(&r, status, code);
	else if (r.status != status || !api_error_code(&r))
		fail_msg("%s: %ld %s", body, r.status, r.body);
	if (field && (!api_error_field(&r) || strcmp(api_error_field(&r), field) != 0))
		fail_msg("%s: field %s, expected %s", body, api_error_field(&r), field);
	api_free(&r);
}

static long count_orders(const char *uscc)
{
	char sql[256], v[32];

	snprintf(sql, sizeof(sql),
		 "SELECT COUNT(*) FROM orders o JOIN accounts a ON a.id = o.account_id "
		 "WHERE a.login_name = '%s'", uscc);
	wiz_sql_value(sql, v, sizeof(v));
	return strtol(v, NULL, 10);
}

static void new_order_is_a_draft(void **state)
{
	struct api_client c = { 0 };
	char uscc[19], mobile[12], no[19], v[64], sql[160];

	(void)state;
	api_register_org(&c, uscc, mobile);
	wiz_create(&c, "bjca-zycg", "new", "org", NULL, no);
	assert_int_equal(strlen(no), 18);
	snprintf(sql, sizeof(sql),
		 "SELECT CONCAT(state, '|', business_type, '|', cert_kind, '|', subject_name) "
		 "FROM orders WHERE order_no = '%s'", no);
	wiz_sql_value(sql, v, sizeof(v));
	assert_string_equal(v, "draft|new|org|测试示范有限公司");
	snprintf(sql, sizeof(sql),
		 "SELECT COUNT(*) FROM order_events e JOIN orders o ON o.id = e.order_id "
		 "WHERE o.order_no = '%s' AND e.kind = 'created'", no);
	wiz_sql_value(sql, v, sizeof(v));
	assert_string_equal(v, "1");
}

/* 000, 002: one unfinished application per subject; the refusal names the open order. */
static void one_open_application(void **state)
{
	struct api_client c = { 0 };
	char uscc[19], mobile[12], no[19], other[19], sql[200];
	struct api_resp r;

	(void)state;
	api_register_org(&c, uscc, mobile);
	wiz_create(&c, "netca-gd", "new", "org", NULL, no);
	create_raw(&c, "{\"channel\":\"netca-gd\",\"business\":\"new\",\"kind\":\"org\"}", &r);
	api_expect_error(&r, 409, "open_order_exists");
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"),
							      "open_order_no")), no);
	assert_non_null(strstr(json_string_value(json_object_get(json_object_get(r.json, "error"),
								 "message")), no));
	/* A new certificate has none yet: the ID number holds the open application, not "该证书". */
	assert_non_null(strstr(json_string_value(json_object_get(json_object_get(r.json, "error"),
								 "message")), "该证件号码已有一笔未完成的申请"));
	api_free(&r);
	/* Another kind of certificate is another application. */
	wiz_create(&c, "netca-gd", "new", "legal_rep", NULL, other);
	assert_int_equal(count_orders(uscc), 2);
	/* A draft left past [wizard] draft_ttl_hours gives way. */
	snprintf(sql, sizeof(sql),
		 "UPDATE orders SET updated_at = NOW(3) - INTERVAL 10000 HOUR WHERE order_no = '%s'", no);
	wiz_sql(sql);
	wiz_create(&c, "netca-gd", "new", "org", NULL, other);
	snprintf(sql, sizeof(sql), "SELECT CONCAT(state, '|', IFNULL(open_key, 'none')) FROM orders "
		 "WHERE order_no = '%s'", no);
	{
		char v[96];

		wiz_sql_value(sql, v, sizeof(v));
		assert_string_equal(v, "expired|none");
	}
}

/* Two browsers of one organisation press "next" at once: one order, one refusal. */
static void concurrent_creates_make_one(void **state)
{
	struct api_client c = { 0 };
	char uscc[19], mobile[12];
	int created = 0, refused = 0;

	(void)state;
	api_register_org(&c, uscc, mobile);
	for (int i = 0; i < 4; i++) {
		pid_t pid = fork();

		assert_true(pid >= 0);
		if (pid == 0) {
			struct api_resp r;

			create_raw(&c, "{\"channel\":\"netca-gd\",\"business\":\"new\",\"kind\":\"org\"}", &r);
			_exit(r.status == 201 ? 1 : r.status == 409 ? 2 : 3);
		}
	}
	for (int i = 0; i < 4; i++) {
		int st = 0;

		wait(&st);
		if (WIFEXITED(st) && WEXITSTATUS(st) == 1)
			created++;
		else if (WIFEXITED(st) && WEXITSTATUS(st) == 2)
			refused++;
	}
	assert_int_equal(created, 1);
	assert_int_equal(refused, 3);
	assert_int_equal(count_orders(uscc), 1);
}

static void who_may_apply_for_what(void **state)
{
	struct api_client c = { 0 }, none = { 0 };
	char uscc[19], mobile[12];
	struct api_resp r;

	(void)state;
	create_raw(&none, "{\"channel\":\"bjca-zycg\",\"business\":\"new\",\"kind\":\"org\"}", &r);
	api_expect_error(&r, 401, "not_logged_in");
	api_free(&r);
	api_register_org(&c, uscc, mobile);
	expect_refused(&c, "{\"channel\":\"netca-gd\",\"business\":\"new\",\"kind\":\"person\"}", 400,
		       "not_offered", "kind");
	expect_refused(&c, "{\"channel\":\"nowhere\",\"business\":\"new\",\"kind\":\"org\"}", 400,
		       "invalid_field", "channel");
	expect_refused(&c, "{\"channel\":\"bjca-zycg\",\"business\":\"steal\",\"kind\":\"org\"}", 400,
		       "invalid_field", "business");
	/* "add" is for an organisation that already holds a valid certificate (003). */
	expect_refused(&c, "{\"channel\":\"netca-gd\",\"business\":\"add\",\"kind\":\"org\"}", 400,
		       "not_offered", "business");
	assert_int_equal(count_orders(uscc), 0);
}

static void hostile_fields(void **state)
{
	static const char *const bodies[][2] = {
		{ "{\"channel\":\"bjca-zycg' OR '1'='1\",\"business\":\"new\"}", "channel" },
		{ "{\"channel\":\"<script>alert(1)</script>\",\"business\":\"new\"}", "channel" },
		/* jansson refuses a NUL inside a string: the whole body is bad JSON. */
		{ "{\"channel\":\"bjca-zycg\",\"business\":\"new\\u0000\"}", NULL },
		{ "{\"channel\":\"bjca-zycg\",\"business\":\"new\",\"kind\":\"org\\r\\n\"}", "kind" },
		{ "{\"channel\":12,\"business\":\"new\"}", "channel" },
		{ "{\"channel\":\"bjca-zycg\",\"business\":\"renew\",\"cert_serial\":\"712C1B5A584A1BBEZZ\"}",
		  "cert_serial" },
		{ "{\"channel\":\"bjca-zycg\",\"business\":\"renew\",\"cert_serial\":"
		  "\"0123456789ABCDEF0123456789ABCDEF0123456789\"}", "cert_serial" },
		{ "{\"channel\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\","
		  "\"business\":\"new\"}", "channel" },
	};
	struct api_client c = { 0 };
	char uscc[19], mobile[12];
	struct api_resp r;

	(void)state;
	api_register_org(&c, uscc, mobile);
	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++)
		expect_refused(&c, bodies[i][0], 400, NULL, bodies[i][1]);
	/* Bad UTF-8 and a body that is not JSON. */
	create_raw(&c, "{\"channel\":\"bjca\xff\xfe\",\"business\":\"new\"}", &r);
	assert_int_equal(r.status, 400);
	api_free(&r);
	create_raw(&c, "{\"channel\":", &r);
	api_expect_error(&r, 400, "bad_json");
	api_free(&r);
	assert_int_equal(count_orders(uscc), 0);
}

/* The certificate of a renewal, replacement, change, unlock or revocation is one of ours. */
static void target_certificate(void **state)
{
	struct api_client c = { 0 }, d = { 0 };
	char uscc[19], mobile[12], uscc2[19], mobile2[12], serial[17], lower[17], other[17];
	char body[256], no[19];

	(void)state;
	api_register_org(&c, uscc, mobile);
	api_register_org(&d, uscc2, mobile2);
	wiz_random_serial(serial);
	wiz_random_serial(other);
	wiz_fixture_cert(uscc, uscc, "bjca-zycg", "org", serial, 200, -165, true);
	wiz_fixture_cert(uscc2, uscc2, "bjca-zycg", "org", other, 200, -165, false);
	expect_refused(&c, "{\"channel\":\"bjca-zycg\",\"business\":\"lost\"}", 400, "missing_field",
		       "cert_serial");
	/* Serials are case-sensitive (001): the lower-case spelling is another serial. */
	for (int i = 0; i < 17; i++)
		lower[i] = (char)(serial[i] >= 'A' && serial[i] <= 'F' ? serial[i] + 32 : serial[i]);
	if (strcmp(lower, serial) != 0) {
		snprintf(body, sizeof(body),
			 "{\"channel\":\"bjca-zycg\",\"business\":\"lost\",\"cert_serial\":\"%s\"}", lower);
		expect_refused(&c, body, 404, "not_found", "cert_serial");
	}
	/* Another organisation's certificate looks like no certificate. */
	snprintf(body, sizeof(body),
		 "{\"channel\":\"bjca-zycg\",\"business\":\"lost\",\"cert_serial\":\"%s\"}", other);
	expect_refused(&c, body, 404, "not_found", "cert_serial");
	/* Another channel's hall does not service it. */
	snprintf(body, sizeof(body),
		 "{\"channel\":\"netca-gd\",\"business\":\"lost\",\"cert_serial\":\"%s\"}", serial);
	expect_refused(&c, body, 404, "not_found", "cert_serial");
	snprintf(body, sizeof(body), ",\"cert_serial\":\"%s\"", serial);
	wiz_create(&c, "bjca-zycg", "lost", "org", body, no);
	/* Revoked: nothing more can be done with it. */
	snprintf(body, sizeof(body), "UPDATE certificates SET state = 'revoked' WHERE serial = '%s'",
		 other);
	wiz_sql(body);
	snprintf(body, sizeof(body),
		 "{\"channel\":\"bjca-zycg\",\"business\":\"unlock\",\"cert_serial\":\"%s\"}", other);
	expect_refused(&d, body, 409, "cert_not_eligible", "cert_serial");
}

static void renew_in(struct api_client *c, const char *uscc, const char *channel,
		     int not_after_days, const char *want)
{
	char serial[17], body[200], sql[200], v[32], no[19];
	struct api_resp r;

	wiz_random_serial(serial);
	wiz_fixture_cert(uscc, uscc, channel, "org", serial, not_after_days, -400, false);
	snprintf(body, sizeof(body),
		 "{\"channel\":\"%s\",\"business\":\"renew\",\"cert_serial\":\"%s\"}", channel,
		 serial);
	create_raw(c, body, &r);
	if (strcmp(want, "too_early") == 0) {
		api_expect_error(&r, 409, "cert_not_eligible");
		api_free(&r);
		return;
	}
	if (r.status != 201)
		fail_msg("renew %d days: %ld %s", not_after_days, r.status, r.body);
	snprintf(no, sizeof(no), "%s", json_string_value(json_object_get(r.json, "order_no")));
	api_free(&r);
	snprintf(sql, sizeof(sql), "SELECT renew_mode FROM orders WHERE order_no = '%s'", no);
	wiz_sql_value(sql, v, sizeof(v));
	if (strcmp(v, want) != 0)
		fail_msg("renew with %d days left: %s, expected %s", not_after_days, v, want);
}

static void renew_at(struct api_client *c, const char *uscc, int not_after_days, const char *want)
{
	renew_in(c, uscc, "bjca-zycg", not_after_days, want);
}

/* 002: "证书有效期小于90天或已过期且不超过1年（365天）" online; expired longer: reviewed. */
static void renewal_window_boundaries(void **state)
{
	struct api_client c = { 0 };
	char uscc[19], mobile[12];

	(void)state;
	api_register_org(&c, uscc, mobile);
	renew_at(&c, uscc, 90, "too_early");
	renew_at(&c, uscc, 89, "online");
	renew_at(&c, uscc, 0, "online");
	renew_at(&c, uscc, -1, "online");
	renew_at(&c, uscc, -365, "online");
	renew_at(&c, uscc, -366, "review");
	/* 003 (NETCA): online only "证书过期前90天内"; "证书已过有效期的，需要准备资料线下办理". */
	renew_in(&c, uscc, "netca-gd", 0, "online");
	renew_in(&c, uscc, "netca-gd", -1, "review");
}

static void expired_certificate_only_renews(void **state)
{
	struct api_client c = { 0 };
	char uscc[19], mobile[12], serial[17], body[200];

	(void)state;
	api_register_org(&c, uscc, mobile);
	wiz_random_serial(serial);
	wiz_fixture_cert(uscc, uscc, "netca-gd", "org", serial, -10, -400, false);
	snprintf(body, sizeof(body),
		 "{\"channel\":\"netca-gd\",\"business\":\"change\",\"cert_serial\":\"%s\"}", serial);
	expect_refused(&c, body, 409, "cert_not_eligible", "cert_serial");
}

/* A person applies for a personal certificate, keyed by the holder's ID number. */
static void person_certificate(void **state)
{
	struct api_client c = { 0 }, d = { 0 };
	char mobile[12], mobile2[12], id[19], bad[19], body[200], no[19];
	struct api_resp r;

	(void)state;
	wiz_register_person(&c, mobile);
	wiz_register_person(&d, mobile2);
	expect_refused(&c, "{\"channel\":\"netca-gd\",\"business\":\"new\",\"kind\":\"person\"}", 400,
		       "missing_field", "id_number");
	expect_refused(&c, "{\"channel\":\"netca-gd\",\"business\":\"new\",\"kind\":\"org\"}", 400,
		       "not_offered", "kind");
	wiz_random_id(id);
	snprintf(bad, sizeof(bad), "%s", id);
	bad[17] = bad[17] == '0' ? '1' : '0';
	snprintf(body, sizeof(body),
		 "{\"channel\":\"netca-gd\",\"business\":\"new\",\"kind\":\"person\",\"id_number\":\"%s\"}",
		 bad);
	expect_refused(&c, body, 400, "invalid_field", "id_number");
	/* Someone else's certificate, known by its holder's ID number and serial: a person account
	 * proves no ID number, so it reaches only certificates bound to it. */
	{
		char serial[17];

		wiz_random_serial(serial);
		wiz_fixture_cert(NULL, id, "netca-gd", "person", serial, 200, -165, false);
		snprintf(body, sizeof(body),
			 "{\"channel\":\"netca-gd\",\"business\":\"change\",\"kind\":\"person\","
			 "\"id_number\":\"%s\",\"cert_serial\":\"%s\"}", id, serial);
		expect_refused(&d, body, 404, "not_found", "cert_serial");
	}
	snprintf(body, sizeof(body), ",\"id_number\":\"%s\"", id);
	wiz_create(&c, "netca-gd", "new", "person", body, no);
	/* The same ID number again from this account: its own draft is named. */
	snprintf(body, sizeof(body),
		 "{\"channel\":\"netca-gd\",\"business\":\"new\",\"kind\":\"person\",\"id_number\":\"%s\"}",
		 id);
	create_raw(&c, body, &r);
	api_expect_error(&r, 409, "open_order_exists");
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"),
							      "open_order_no")), no);
	api_free(&r);
	/* From another account: an unverified draft holds nothing, so it is not refused
	 * (test_subject.c: who proves the number first holds it), and names no one's order. */
	create_raw(&d, body, &r);
	assert_int_equal(r.status, 201);
	assert_null(strstr(r.body, no));
	api_free(&r);
}

/* "Add another certificate" needs a valid one of the same kind in the channel (003). */
static void add_needs_a_valid_certificate(void **state)
{
	struct api_client c = { 0 };
	char uscc[19], mobile[12], serial[17], no[19];

	(void)state;
	api_register_org(&c, uscc, mobile);
	wiz_random_serial(serial);
	wiz_fixture_cert(uscc, uscc, "netca-gd", "org", serial, 100, -265, false);
	wiz_create(&c, "netca-gd", "add", "org", NULL, no);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(new_order_is_a_draft),
		cmocka_unit_test(one_open_application),
		cmocka_unit_test(concurrent_creates_make_one),
		cmocka_unit_test(who_may_apply_for_what),
		cmocka_unit_test(hostile_fields),
		cmocka_unit_test(target_certificate),
		cmocka_unit_test(renewal_window_boundaries),
		cmocka_unit_test(expired_certificate_only_renews),
		cmocka_unit_test(person_certificate),
		cmocka_unit_test(add_needs_a_valid_certificate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
