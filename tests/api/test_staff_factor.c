/* API tests: staff with a second factor, through nginx: a password alone reaches no queue;
 * TOTP enrolment, codes accepted once, drift and guessing refused; client certificates over
 * the stack's TLS server (bound, another CA's, none); an admin's reset, in the audit trail. */
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
static struct crypto_key key;
static struct db db;
static struct arena a;
static char tag[9];

#define PASSWORD "Staff-f4ctor-pass"

static long long count(const char *fmt, const char *arg)
{
	char q[800], v[32];

	snprintf(q, sizeof(q), fmt, arg);
	wiz_sql_value(q, v, sizeof(v));
	return strtoll(v, NULL, 10);
}

/* A staff member made with certhall-admin, as an operator would: name "<prefix><tag>". */
static void add_staff(const char *prefix, const char *role, char name[40])
{
	char cmd[1400], pwfile[600];
	FILE *f;

	snprintf(name, 40, "%s%s", prefix, tag);
	snprintf(pwfile, sizeof(pwfile), "%s/etc/test-factor.password", getenv("CERTHALL_STACK"));
	f = fopen(pwfile, "w");
	assert_non_null(f);
	fputs(PASSWORD "\n", f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "'%s' -c %s staff add %s %s --name T "
		 "--password-file %s >/dev/null 2>&1", api_admin(), getenv("CERTHALL_CONF"), name, role,
		 pwfile);
	assert_int_equal(system(cmd), 0);
}

/* The password step alone; the answer's factor object checked against passed. */
static void password_login(struct api_client *c, const char *user, bool passed)
{
	char body[200];
	struct api_resp r;
	json_t *f;

	memset(c, 0, sizeof(*c));
	snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"%s\"}", user, PASSWORD);
	api_call(c, "POST", "/api/account/staff/login", body, NULL, &r);
	if (r.status != 200)
		fail_msg("login %s: %ld %s", user, r.status, r.body);
	f = json_object_get(r.json, "factor");
	assert_true(json_is_true(json_object_get(f, "required")));
	assert_int_equal(json_is_true(json_object_get(f, "passed")), passed);
	api_free(&r);
}

static void expect(const struct api_resp *r, long status, const char *code)
{
	if (r->status != status)
		fail_msg("expected %ld %s, got %ld: %.400s", status, code ? code : "", r->status, r->body);
	if (code)
		api_expect_error(r, status, code);
}

static void call_expect(struct api_client *c, const char *method, const char *path,
			const char *json, long status, const char *code)
{
	struct api_resp r;

	api_call(c, method, path, json, NULL, &r);
	expect(&r, status, code);
	api_free(&r);
}

static void code_expect(struct api_client *c, const char *path, const char *code, long status,
			const char *err)
{
	char body[64];

	snprintf(body, sizeof(body), "{\"code\":\"%s\"}", code);
	call_expect(c, "POST", path, body, status, err);
}

/* Enrols TOTP for c (logged in by password), returns the secret; the first code confirms. */
static long long enrol(struct api_client *c, char secret[64])
{
	struct api_resp r;
	char code[7];
	long long step;

	api_call(c, "POST", "/api/account/staff/factor/totp", NULL, NULL, &r);
	expect(&r, 201, NULL);
	snprintf(secret, 64, "%s", json_string_value(json_object_get(r.json, "secret")));
	assert_int_equal(strlen(secret), 32);
	assert_non_null(strstr(json_string_value(json_object_get(r.json, "otpauth_uri")), secret));
	assert_memory_equal(json_string_value(json_object_get(r.json, "qr_svg")), "<svg", 4);
	/* The secret appears in the QR's payload only, never as text in the SVG. */
	assert_null(strstr(json_string_value(json_object_get(r.json, "qr_svg")), secret));
	api_free(&r);
	/* A wrong first code does not confirm. */
	step = api_totp_step_now();
	api_totp(secret, step + 5, code);
	code_expect(c, "/api/account/staff/factor/totp/confirm", code, 400, "totp_wrong");
	api_totp(secret, step, code);
	code_expect(c, "/api/account/staff/factor/totp/confirm", code, 200, NULL);
	return step;
}

static int setup(void **state)
{
	unsigned char rnd[4];

	(void)state;
	if (wiz_open(&conf, &key, &db, &a) < 0)
		return -1;
	assert_int_equal(crypto_random(rnd, sizeof(rnd)), 0);
	crypto_hex(rnd, sizeof(rnd), tag);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	api_tls(NULL);
	wiz_sql("DELETE FROM rate_limits WHERE bucket LIKE 'login:%'");
	wiz_close(&db, &a);
	return 0;
}

/* ---- a password alone ---- */

static void test_password_alone_reaches_no_queue(void **state)
{
	static const char *const gets[] = {
		"/api/review/queue", "/api/review/reasons", "/api/review/orders/261121017985054055",
		"/api/review/audit.csv?from=2026-01-01&to=2026-01-02", "/api/account/staff/outbox",
	};
	static const char *const posts[] = {
		"/api/review/orders/261121017985054055/claim",
		"/api/review/orders/261121017985054055/decision",
		"/api/review/orders/261121017985054055/refund",
		"/api/review/orders/261121017985054055/payment/confirm",
		"/api/review/orders/261121017985054055/made",
		"/api/account/staff/factor/reset",
	};
	struct api_client c;
	struct api_resp r;
	char name[40];

	(void)state;
	add_staff("fadm", "admin", name);
	password_login(&c, name, false);
	for (size_t i = 0; i < sizeof(gets) / sizeof(gets[0]); i++)
		call_expect(&c, "GET", gets[i], NULL, 403, "factor_required");
	for (size_t i = 0; i < sizeof(posts) / sizeof(posts[0]); i++)
		call_expect(&c, "POST", posts[i], "{\"version\":1,\"decision\":\"approve\",\"username\":\"reviewer\"}",
			    403, "factor_required");
	/* Who am I, and the way to a factor, stay open. */
	api_call(&c, "GET", "/api/account/staff/me", NULL, NULL, &r);
	expect(&r, 200, NULL);
	assert_true(json_is_false(json_object_get(json_object_get(r.json, "factor"), "passed")));
	assert_int_equal(json_array_size(json_object_get(json_object_get(r.json, "factor"), "enrolled")), 0);
	api_free(&r);
	/* Headers that look like nginx's certificate params do not pass for them over plain
	 * HTTP: a client's headers reach the program as HTTP_*. */
	api_call(&c, "POST", "/api/account/staff/factor/verify", "{}", "SSL-Client-Verify: SUCCESS", &r);
	expect(&r, 403, "cert_missing");
	api_free(&r);
	call_expect(&c, "GET", "/api/review/queue", NULL, 403, "factor_required");
	/* Verifying a code with nothing enrolled is no way in either. */
	code_expect(&c, "/api/account/staff/factor/verify", "123456", 409, "conflict");
	call_expect(&c, "POST", "/api/account/logout", NULL, 200, NULL);
}

/* ---- TOTP: accepted once, drift refused, enrolment guarded ---- */

static void test_totp_accept_replay_drift(void **state)
{
	static const char *const hostile[] = {
		"{\"code\":\"12345a\"}", "{\"code\":\"1234567\"}", "{\"code\":123456}",
		"{\"code\":\"12 456\"}", "{\"code\":\"１２３４５６\"}",
	};
	struct api_client c, c2;
	char name[40], secret[64], code[7];
	long long step;

	(void)state;
	add_staff("ftotp", "reviewer", name);
	password_login(&c, name, false);
	step = enrol(&c, secret);
	call_expect(&c, "GET", "/api/review/queue", NULL, 200, NULL);
	assert_int_equal(count("SELECT COUNT(*) FROM audit_log WHERE action = 'factor_enrolled' AND "
			       "staff_username = '%s'", name), 1);

	/* A new session: password only again. */
	password_login(&c2, name, false);
	call_expect(&c2, "GET", "/api/review/queue", NULL, 403, "factor_required");
	/* The enrolment is not redone by a password alone. */
	call_expect(&c2, "POST", "/api/account/staff/factor/totp", NULL, 409, "factor_enrolled");
	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++)
		call_expect(&c2, "POST", "/api/account/staff/factor/verify", hostile[i], 400, "invalid_field");
	/* An empty code is a missing code, not a request to use a certificate. */
	call_expect(&c2, "POST", "/api/account/staff/factor/verify", "{\"code\":\"\"}", 400, "missing_field");
	call_expect(&c2, "POST", "/api/account/staff/factor/verify", "{\"code\":null}", 400, "missing_field");
	/* Replay: the code that confirmed the enrolment was used. */
	api_totp(secret, step, code);
	code_expect(&c2, "/api/account/staff/factor/verify", code, 400, "totp_used");
	/* Drift beyond one step, either way. */
	api_totp(secret, api_totp_step_now() + 3, code);
	code_expect(&c2, "/api/account/staff/factor/verify", code, 400, "totp_wrong");
	api_totp(secret, api_totp_step_now() - 3, code);
	code_expect(&c2, "/api/account/staff/factor/verify", code, 400, "totp_wrong");
	call_expect(&c2, "GET", "/api/review/queue", NULL, 403, "factor_required");
	wiz_sql("DELETE FROM rate_limits WHERE bucket LIKE 'login:%'");
	/* One step ahead (a clock a little fast) is accepted, once. */
	step = step + 1 > api_totp_step_now() + 1 ? step + 1 : api_totp_step_now() + 1;
	api_totp(secret, step, code);
	code_expect(&c2, "/api/account/staff/factor/verify", code, 200, NULL);
	call_expect(&c2, "GET", "/api/review/queue", NULL, 200, NULL);
	code_expect(&c, "/api/account/staff/factor/verify", code, 400, "totp_used");
	/* The session that passed stays passed; the first one too. */
	call_expect(&c, "GET", "/api/review/queue", NULL, 200, NULL);
}

/* ---- guessing is limited like passwords ---- */

static void test_totp_brute_force_limited(void **state)
{
	struct api_client c;
	char name[40], secret[64], code[7];
	int locked = 0, wrong = 0;

	(void)state;
	wiz_sql("DELETE FROM rate_limits WHERE bucket LIKE 'login:%'");
	add_staff("fbrute", "reviewer", name);
	password_login(&c, name, false);
	enrol(&c, secret); /* its wrong first code counted: start the count afresh */
	wiz_sql("DELETE FROM rate_limits WHERE bucket LIKE 'login:%'");
	password_login(&c, name, false);
	for (int i = 0; i < 12; i++) {
		struct api_resp r;
		char body[64];

		snprintf(body, sizeof(body), "{\"code\":\"%06d\"}", 100000 + i * 7919);
		api_call(&c, "POST", "/api/account/staff/factor/verify", body, NULL, &r);
		if (r.status == 429) {
			api_expect_error(&r, 429, "login_locked");
			assert_non_null(api_header(&r, "Retry-After", body, sizeof(body)));
			locked++;
		} else {
			expect(&r, 400, "totp_wrong");
			wrong++;
		}
		api_free(&r);
	}
	/* [login] fail_account (5 in the stack) wrong codes, then locked: the rest never checked. */
	assert_int_equal(wrong, conf.login_fail_account);
	assert_int_equal(locked, 12 - conf.login_fail_account);
	/* Locked means locked: even the right code waits. */
	api_totp(secret, api_totp_step_now() + 1, code);
	code_expect(&c, "/api/account/staff/factor/verify", code, 429, "login_locked");
	call_expect(&c, "GET", "/api/review/queue", NULL, 403, "factor_required");
	wiz_sql("DELETE FROM rate_limits WHERE bucket LIKE 'login:%'");
}

/* ---- client certificates, through nginx's TLS server ---- */

static void test_client_certificate(void **state)
{
	struct api_client c;
	struct api_resp r;
	char name[40], other[40];

	(void)state;
	/* The stack's certificates are made once: a re-run on a kept stack finds them bound to the
	 * members of the run before. */
	wiz_sql("DELETE FROM staff_factors WHERE kind = 'cert' AND staff_id IN "
		"(SELECT id FROM staff WHERE username LIKE 'fcert%')");
	add_staff("fcert", "reviewer", name);
	add_staff("fcert2", "reviewer", other);
	/* No certificate: the password alone, as anywhere. */
	api_tls("");
	password_login(&c, name, false);
	call_expect(&c, "GET", "/api/review/queue", NULL, 403, "factor_required");
	call_expect(&c, "POST", "/api/account/staff/factor/verify", "{}", 403, "cert_missing");
	call_expect(&c, "POST", "/api/account/staff/factor/cert", NULL, 403, "cert_missing");
	/* A certificate of the staff CA, bound by its holder on first use. */
	api_tls("staff1");
	password_login(&c, name, false);
	call_expect(&c, "POST", "/api/account/staff/factor/cert", NULL, 201, NULL);
	call_expect(&c, "GET", "/api/review/queue", NULL, 200, NULL);
	assert_int_equal(count("SELECT COUNT(*) FROM audit_log WHERE action = 'factor_enrolled' AND "
			       "staff_username = '%s' AND detail LIKE 'cert sha256:%%'", name), 1);
	/* The next login with it passes at once. */
	password_login(&c, name, true);
	call_expect(&c, "GET", "/api/review/queue", NULL, 200, NULL);
	/* Another member cannot take the same certificate, nor pass with it. */
	password_login(&c, other, false);
	call_expect(&c, "POST", "/api/account/staff/factor/verify", "{}", 403, "cert_missing");
	call_expect(&c, "POST", "/api/account/staff/factor/cert", NULL, 409, "conflict");
	/* Another certificate of the staff CA, not bound to the member: no factor. */
	api_tls("staff2");
	password_login(&c, name, false);
	call_expect(&c, "POST", "/api/account/staff/factor/verify", "{}", 403, "cert_missing");
	call_expect(&c, "POST", "/api/account/staff/factor/cert", NULL, 409, "factor_enrolled");
	call_expect(&c, "GET", "/api/review/queue", NULL, 403, "factor_required");
	/* Without a certificate the session stays password only. */
	api_tls("");
	password_login(&c, name, false);
	call_expect(&c, "POST", "/api/account/staff/factor/verify", "{}", 403, "cert_missing");
	/* Another CA's certificate: nginx refuses the request; nothing reaches the program. */
	api_tls("stranger");
	api_call(&c, "POST", "/api/account/staff/login", "{\"username\":\"x\",\"password\":\"y\"}", NULL, &r);
	assert_int_equal(r.status, 400);
	assert_null(r.json);
	api_free(&r);
	api_tls(NULL);
}

/* ---- a lost factor: an admin resets it, the trail records it ---- */

static void test_admin_reset(void **state)
{
	struct api_client adm, rev, c;
	char admin[40], name[40], secret[64], body[120];
	long long before;

	(void)state;
	wiz_sql("DELETE FROM rate_limits WHERE bucket LIKE 'login:%'");
	add_staff("fra", "admin", admin);
	add_staff("frr", "reviewer", name);
	password_login(&adm, admin, false);
	enrol(&adm, secret);
	password_login(&rev, name, false);
	enrol(&rev, secret);
	call_expect(&rev, "GET", "/api/review/queue", NULL, 200, NULL);
	/* A reviewer resets nobody's factor. */
	snprintf(body, sizeof(body), "{\"username\":\"%s\"}", admin);
	call_expect(&rev, "POST", "/api/account/staff/factor/reset", body, 403, "forbidden");
	call_expect(&adm, "POST", "/api/account/staff/factor/reset", "{\"username\":\"Bad Name\"}", 400,
		    "invalid_field");
	call_expect(&adm, "POST", "/api/account/staff/factor/reset", "{\"username\":\"nobody-here\"}", 404,
		    "not_found");
	/* An admin whose own factor is stale must prove it first. */
	wiz_sql("UPDATE sessions SET factor_at = NOW(3) - INTERVAL 13 HOUR WHERE subject_type = 'staff' "
		"AND subject_id IN (SELECT id FROM staff WHERE username LIKE 'fra%')");
	snprintf(body, sizeof(body), "{\"username\":\"%s\"}", name);
	call_expect(&adm, "POST", "/api/account/staff/factor/reset", body, 403, "factor_stale");
	before = count("SELECT COUNT(*) FROM audit_log WHERE action = 'factor_reset' AND detail = 'staff %s'", name);
	assert_int_equal(before, 0);
	wiz_sql("UPDATE sessions SET factor_at = NOW(3) WHERE subject_type = 'staff' "
		"AND subject_id IN (SELECT id FROM staff WHERE username LIKE 'fra%')");
	call_expect(&adm, "POST", "/api/account/staff/factor/reset", body, 200, NULL);
	assert_int_equal(count("SELECT COUNT(*) FROM audit_log WHERE action = 'factor_reset' AND "
			       "detail = 'staff %s'", name), 1);
	/* The member's sessions ended; the next login enrols anew. */
	call_expect(&rev, "GET", "/api/account/staff/me", NULL, 401, "not_logged_in");
	password_login(&c, name, false);
	call_expect(&c, "GET", "/api/review/queue", NULL, 403, "factor_required");
	enrol(&c, secret);
	call_expect(&c, "GET", "/api/review/queue", NULL, 200, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_password_alone_reaches_no_queue),
		cmocka_unit_test(test_totp_accept_replay_drift),
		cmocka_unit_test(test_totp_brute_force_limited),
		cmocka_unit_test(test_client_certificate),
		cmocka_unit_test(test_admin_reset),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
