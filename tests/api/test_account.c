/* API tests: registration, logins, SMS codes and their limits, sessions, CSRF, roles. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "apiclient.h"
#include "base/conf.h"
#include "crypto/crypto.h"
#include "db/db.h"
#include "domain/ratelimit.h"
#include "wizclient.h"

static struct conf conf;
static struct crypto_key key;
static struct db db;
static struct arena a;

static int setup(void **state)
{
	char err[512];

	(void)state;
	conf_defaults(&conf);
	if (!getenv("CERTHALL_CONF") || conf_load(&conf, getenv("CERTHALL_CONF"), err, sizeof(err)) ||
	    conf_load_secrets(&conf, err, sizeof(err)) || crypto_key_load(conf.key_file, &key, err, sizeof(err)))
		return -1;
	return arena_init(&a, 4096, 1 << 24) || db_open(&db, &conf) != DB_OK ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	db_close(&db);
	arena_free(&a);
	return 0;
}

/* Lets the next code request of this mobile through the per-minute limit. */
static void forget_limits(void)
{
	assert_int_equal(db_exec(&db, "DELETE FROM rate_limits WHERE bucket LIKE 'login:%'",
				 DB_NOARGS, NULL, NULL), DB_OK);
	wiz_forget_slots("code:%");
}

static void register_org(struct api_client *c, char uscc[19], char mobile[12])
{
	api_register_org(c, uscc, mobile);
	forget_limits();
}

static void login(struct api_client *c, const char *name, const char *pw, long status)
{
	char body[256];
	struct api_resp r;

	snprintf(body, sizeof(body), "{\"login_name\":\"%s\",\"password\":\"%s\"}", name, pw);
	api_call(c, "POST", "/api/account/login", body, NULL, &r);
	if (r.status != status)
		fail_msg("login %s: %ld %s", name, r.status, r.body);
	api_free(&r);
}

static long me_status(struct api_client *c)
{
	struct api_resp r;
	long s;

	api_call(c, "GET", "/api/account/me", NULL, NULL, &r);
	s = r.status;
	api_free(&r);
	return s;
}

static void test_register_and_me(void **state)
{
	struct api_client c = { 0 };
	char uscc[19], mobile[12], masked[16];
	struct api_resp r;

	(void)state;
	register_org(&c, uscc, mobile);
	assert_int_equal(strlen(c.session), 64);
	assert_int_equal(strlen(c.csrf), 64);
	api_call(&c, "GET", "/api/account/me", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "login_name")), uscc);
	snprintf(masked, sizeof(masked), "%.3s****%s", mobile, mobile + 7);
	assert_string_equal(json_string_value(json_object_get(r.json, "mobile")), masked);
	assert_null(strstr(r.body, mobile));
	assert_string_equal(json_string_value(json_object_get(r.json, "uscc_state")), "claimed");
	api_free(&r);
	/* The same USCC again, with a valid code for a new mobile: claimed, not proven, so not
	 * turned away (a stranger may have typed it first): the newcomer logs in by its mobile
	 * until it proves the USCC (test_subject.c; a proven one answers 409 there). */
	{
		char code[7], m2[12], body[512];

		api_random_mobile(m2);
		api_get_code(m2, "register", code);
		snprintf(body, sizeof(body),
			 "{\"kind\":\"org\",\"name\":\"另一家公司\",\"uscc\":\"%s\",\"mobile\":\"%s\","
			 "\"sms_code\":\"%s\",\"password\":\"Passw0rd-1\"}", uscc, m2, code);
		api_call(NULL, "POST", "/api/account/register", body, NULL, &r);
		assert_int_equal(r.status, 201);
		assert_string_equal(json_string_value(json_object_get(r.json, "login_name")), m2);
		assert_string_equal(json_string_value(json_object_get(r.json, "uscc_state")), "claimed");
		api_free(&r);
		forget_limits();
	}
	/* The first keeps its USCC login meanwhile. */
	api_call(&c, "GET", "/api/account/me", NULL, NULL, &r);
	assert_string_equal(json_string_value(json_object_get(r.json, "login_name")), uscc);
	api_free(&r);
}

static void test_cookie_flags(void **state)
{
	char uscc[19], mobile[12];
	struct api_resp r;
	struct api_client c = { 0 };
	char body[256];

	(void)state;
	register_org(&c, uscc, mobile);
	snprintf(body, sizeof(body), "{\"login_name\":\"%s\",\"password\":\"Passw0rd-1\"}", uscc);
	api_call(NULL, "POST", "/api/account/login", body, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.headers, "certhall_session="));
	{
		const char *line = strstr(r.headers, "Set-Cookie: certhall_session=");
		const char *end = strstr(line, "\r\n");
		char l[300];

		snprintf(l, sizeof(l), "%.*s", (int)(end - line), line);
		assert_non_null(strstr(l, "HttpOnly"));
		assert_non_null(strstr(l, "SameSite=Strict"));
		assert_non_null(strstr(l, "Path=/"));
	}
	api_free(&r);
}

static void test_codes_never_tell_who_is_registered(void **state)
{
	struct api_client c = { 0 };
	char uscc[19], mobile[12], stranger[12];
	struct api_resp a1, a2;

	(void)state;
	register_org(&c, uscc, mobile);
	api_random_mobile(stranger);
	api_request_code(mobile, "register", &a1);     /* registered: no code goes out */
	api_request_code(stranger, "login", &a2);      /* unknown: no code goes out */
	assert_int_equal(a1.status, 200);
	assert_int_equal(a2.status, 200);
	assert_string_equal(json_string_value(json_object_get(a1.json, "message")),
			    json_string_value(json_object_get(a2.json, "message")));
	api_free(&a1);
	api_free(&a2);
	usleep(300 * 1000);
	assert_int_equal(api_sandbox_count(mobile, NULL), 1); /* only the registration code */
	assert_int_equal(api_sandbox_count(stranger, NULL), 0);
	forget_limits();
}

static void test_password_login_and_throttle(void **state)
{
	struct api_client c = { 0 };
	char uscc[19], mobile[12], retry[16];
	struct api_resp r, u;
	char body[256];

	(void)state;
	register_org(&c, uscc, mobile);
	login(&c, uscc, "Passw0rd-1", 200);
	login(&c, mobile, "Passw0rd-1", 401); /* an organisation logs in with its USCC */
	/* A wrong password and an unknown name answer alike. */
	snprintf(body, sizeof(body), "{\"login_name\":\"%s\",\"password\":\"wrong-pass1\"}", uscc);
	api_call(NULL, "POST", "/api/account/login", body, NULL, &r);
	api_call(NULL, "POST", "/api/account/login",
	     "{\"login_name\":\"91110000MA0000000X\",\"password\":\"wrong-pass1\"}", NULL, &u);
	api_expect_error(&r, 401, "login_failed");
	api_expect_error(&u, 401, "login_failed");
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "message")),
			    json_string_value(json_object_get(json_object_get(u.json, "error"), "message")));
	api_free(&r);
	api_free(&u);
	/* Failures up to the limit, then locked: even the right password waits. */
	for (int i = 1; i < conf.login_fail_account; i++)
		login(NULL, uscc, "wrong-pass1", 401);
	api_call(NULL, "POST", "/api/account/login", body, NULL, &r);
	api_expect_error(&r, 429, "login_locked");
	assert_non_null(api_header(&r, "Retry-After", retry, sizeof(retry)));
	api_free(&r);
	login(NULL, uscc, "Passw0rd-1", 429);
	forget_limits();
	login(NULL, uscc, "Passw0rd-1", 200);
}

/* Pruning the windows of one length must leave every other length alone: a lock is a lock. */
static void test_lockout_survives_pruning(void **state)
{
	struct api_client c = { 0 };
	char uscc[19], mobile[12];

	(void)state;
	register_org(&c, uscc, mobile);
	for (int i = 0; i < conf.login_fail_account; i++)
		login(NULL, uscc, "wrong-pass1", 401);
	login(NULL, uscc, "Passw0rd-1", 429);
	assert_int_equal(ratelimit_prune(&db, 60, time(NULL)), DB_OK);
	assert_int_equal(ratelimit_prune(&db, 3600, time(NULL)), DB_OK);
	assert_int_equal(ratelimit_prune(&db, 86400, time(NULL)), DB_OK);
	login(NULL, uscc, "Passw0rd-1", 429);
	forget_limits();
}

/* Wrong passwords in parallel: no more get through than the limit allows. */
static void test_parallel_guesses_stop_at_the_limit(void **state)
{
	struct api_client c = { 0 };
	char uscc[19], mobile[12];
	pid_t kids[12];
	int refused_401 = 0;

	(void)state;
	register_org(&c, uscc, mobile);
	for (int i = 0; i < 12; i++) {
		kids[i] = fork();
		if (kids[i] == 0) {
			char body[256];
			struct api_resp r;

			snprintf(body, sizeof(body), "{\"login_name\":\"%s\",\"password\":\"wrong-pass1\"}", uscc);
			api_call(NULL, "POST", "/api/account/login", body, NULL, &r);
			_exit(r.status == 401 ? 1 : r.status == 429 ? 2 : 3);
		}
	}
	for (int i = 0; i < 12; i++) {
		int st;

		waitpid(kids[i], &st, 0);
		assert_true(WEXITSTATUS(st) == 1 || WEXITSTATUS(st) == 2);
		refused_401 += WEXITSTATUS(st) == 1;
	}
	assert_true(refused_401 <= conf.login_fail_account);
	forget_limits();
}

static void test_many_cookies_and_planted_duplicates(void **state)
{
	struct api_client c = { 0 };
	char uscc[19], mobile[12], hdr[4096];
	size_t o = 0;
	struct api_resp r;
	const char *h[2] = { hdr, NULL };

	(void)state;
	register_org(&c, uscc, mobile);
	/* A PHP site on the same host sets dozens of cookies of its own. */
	o += (size_t)snprintf(hdr + o, sizeof(hdr) - o, "Cookie: ");
	for (int i = 0; i < 60; i++)
		o += (size_t)snprintf(hdr + o, sizeof(hdr) - o, "php_pref_%d=v%d; ", i, i);
	snprintf(hdr + o, sizeof(hdr) - o, "certhall_session=%s", c.session);
	api_request_h("GET", "/api/account/me", NULL, NULL, 0, h, &r);
	assert_int_equal(r.status, 200);
	api_free(&r);
	/* A second session cookie (planted by a sibling host or a narrower path): neither counts. */
	snprintf(hdr, sizeof(hdr), "Cookie: certhall_session=%s; certhall_session=%s", c.session,
		 "0000000000000000000000000000000000000000000000000000000000000000");
	api_request_h("GET", "/api/account/me", NULL, NULL, 0, h, &r);
	api_expect_error(&r, 401, "not_logged_in");
	api_free(&r);
}

static void test_sms_login_and_code_rules(void **state)
{
	struct api_client c = { 0 }, s = { 0 };
	char uscc[19], mobile[12], code[7], body[256], bad[16];
	struct api_resp r;

	(void)state;
	register_org(&c, uscc, mobile);
	api_get_code(mobile, "login", code);
	/* A code is bound to its purpose. */
	snprintf(body, sizeof(body), "{\"mobile\":\"%s\",\"sms_code\":\"%s\",\"new_password\":\"Other-pass2\"}",
		 mobile, code);
	api_call(NULL, "POST", "/api/account/password-reset", body, NULL, &r);
	api_expect_error(&r, 400, "code_expired");
	api_free(&r);
	snprintf(body, sizeof(body), "{\"mobile\":\"+86%s\",\"sms_code\":\"%s\"}", mobile, code);
	api_call(&s, "POST", "/api/account/login-sms", body, NULL, &r);
	assert_int_equal(r.status, 200);
	api_free(&r);
	assert_int_equal(me_status(&s), 200);
	/* Used once, never again. */
	api_call(NULL, "POST", "/api/account/login-sms", body, NULL, &r);
	api_expect_error(&r, 400, "code_expired");
	api_free(&r);
	/* Five wrong tries use a code up: then even the right one fails. */
	forget_limits();
	api_get_code(mobile, "login", code);
	snprintf(bad, sizeof(bad), "%06ld", (strtol(code, NULL, 10) + 1) % 1000000);
	for (int i = 0; i < conf.code_tries; i++) {
		snprintf(body, sizeof(body), "{\"mobile\":\"%s\",\"sms_code\":\"%s\"}", mobile, bad);
		api_call(NULL, "POST", "/api/account/login-sms", body, NULL, &r);
		api_expect_error(&r, 400, "code_wrong");
		api_free(&r);
	}
	snprintf(body, sizeof(body), "{\"mobile\":\"%s\",\"sms_code\":\"%s\"}", mobile, code);
	api_call(NULL, "POST", "/api/account/login-sms", body, NULL, &r);
	api_expect_error(&r, 400, "code_expired");
	api_free(&r);
	/* Past its time: expired. */
	forget_limits();
	api_get_code(mobile, "login", code);
	assert_int_equal(db_exec(&db, "UPDATE sms_codes SET expires_at = NOW(3) - INTERVAL 1 SECOND "
				       "WHERE used_at IS NULL", DB_NOARGS, NULL, NULL), DB_OK);
	api_call(NULL, "POST", "/api/account/login-sms", body, NULL, &r);
	api_expect_error(&r, 400, "code_expired");
	api_free(&r);
	forget_limits();
}

static void test_code_rate_limits(void **state)
{
	char mobile[12], idx[65], bucket[128], retry[16];
	struct api_resp r;

	(void)state;
	api_random_mobile(mobile);
	api_request_code(mobile, "register", &r);
	assert_int_equal(r.status, 200);
	api_free(&r);
	/* A second within the minute. */
	api_request_code(mobile, "register", &r);
	api_expect_error(&r, 429, "code_limited");
	assert_non_null(api_header(&r, "Retry-After", retry, sizeof(retry)));
	api_free(&r);
	/* The hour and the day: their counters filled as if the mobile had asked all along. */
	crypto_index_hex(&key, "mobile", mobile, 11, idx);
	for (int k = 0; k < 2; k++) {
		forget_limits();
		snprintf(bucket, sizeof(bucket), "code:m:%s:%s", k == 0 ? "3600" : "d", idx);
		wiz_fill_slot(bucket, k == 0 ? 3600 : RATELIMIT_DAY, k == 0 ? conf.code_per_hour : conf.code_per_day);
		api_request_code(mobile, "register", &r);
		api_expect_error(&r, 429, "code_limited");
		assert_non_null(strstr(json_string_value(json_object_get(json_object_get(r.json, "error"),
									"message")),
				       "该手机号码"));
		api_free(&r);
	}
	/* The client address, whatever the mobile: this one (127.0.0.1) is a trusted network of
	 * the test stack, counted against its own backstop (test_limits: the others). */
	forget_limits();
	assert_true(cidr_match(&conf.trusted, "127.0.0.1"));
	wiz_fill_slot("code:t:3600:127.0.0.1", 3600, conf.code_per_trusted_hour);
	api_random_mobile(mobile);
	api_request_code(mobile, "register", &r);
	api_expect_error(&r, 429, "code_limited");
	assert_non_null(strstr(json_string_value(json_object_get(json_object_get(r.json, "error"),
								"message")),
			       "当前网络"));
	api_free(&r);
	forget_limits();
}

static void test_session_fixation_and_expiry(void **state)
{
	struct api_client c = { 0 }, planted = { 0 };
	char uscc[19], mobile[12];

	(void)state;
	register_org(&c, uscc, mobile);
	/* A token the attacker chose never becomes a logged-in session. */
	memset(planted.session, 'a', 64);
	login(&planted, uscc, "Passw0rd-1", 200);
	assert_string_not_equal(planted.session, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	assert_int_equal(me_status(&planted), 200);
	{
		struct api_client fake = { 0 };

		memset(fake.session, 'a', 64);
		assert_int_equal(me_status(&fake), 401);
	}
	/* Idle too long: gone. */
	assert_int_equal(db_exec(&db, "UPDATE sessions SET last_seen = NOW(3) - INTERVAL ? SECOND WHERE subject_type = 'account'",
				 DB_ARGS(DB_I64(conf.session_idle + 5)), NULL, NULL), DB_OK);
	assert_int_equal(me_status(&c), 401);
	assert_int_equal(me_status(&planted), 401);
	/* Past the absolute end, however active. */
	login(&c, uscc, "Passw0rd-1", 200);
	assert_int_equal(me_status(&c), 200);
	assert_int_equal(db_exec(&db, "UPDATE sessions SET expires_at = NOW(3) - INTERVAL 1 SECOND WHERE subject_type = 'account'",
				 DB_NOARGS, NULL, NULL), DB_OK);
	assert_int_equal(me_status(&c), 401);
}

static void test_logout_and_password_change(void **state)
{
	struct api_client a1 = { 0 }, a2 = { 0 };
	char uscc[19], mobile[12];
	struct api_resp r;

	(void)state;
	register_org(&a1, uscc, mobile);
	login(&a2, uscc, "Passw0rd-1", 200);
	assert_int_equal(me_status(&a2), 200);
	api_call(&a1, "POST", "/api/account/password",
	     "{\"password\":\"wrong-pass9\",\"new_password\":\"Newpass-2\"}", NULL, &r);
	api_expect_error(&r, 400, "invalid_field");
	api_free(&r);
	api_call(&a1, "POST", "/api/account/password", "{\"password\":\"Passw0rd-1\",\"new_password\":\"short\"}",
	     NULL, &r);
	api_expect_error(&r, 400, "invalid_field");
	assert_string_equal(api_error_field(&r), "new_password");
	api_free(&r);
	api_call(&a1, "POST", "/api/account/password",
	     "{\"password\":\"Passw0rd-1\",\"new_password\":\"Newpass-2\"}", NULL, &r);
	assert_int_equal(r.status, 200);
	api_free(&r);
	assert_int_equal(me_status(&a1), 200); /* this one stays */
	assert_int_equal(me_status(&a2), 401); /* the others end */
	login(NULL, uscc, "Passw0rd-1", 401);
	login(&a2, uscc, "Newpass-2", 200);
	api_call(&a2, "POST", "/api/account/logout", "{}", NULL, &r);
	assert_int_equal(r.status, 200);
	api_free(&r);
	assert_int_equal(me_status(&a2), 401);
	forget_limits();
}

static void test_password_reset_ends_all_sessions(void **state)
{
	struct api_client c = { 0 };
	char uscc[19], mobile[12], code[7], body[256];
	struct api_resp r;

	(void)state;
	register_org(&c, uscc, mobile);
	api_get_code(mobile, "reset", code);
	snprintf(body, sizeof(body), "{\"mobile\":\"%s\",\"sms_code\":\"%s\",\"new_password\":\"Reset-pass3\"}",
		 mobile, code);
	api_call(NULL, "POST", "/api/account/password-reset", body, NULL, &r);
	assert_int_equal(r.status, 200);
	api_free(&r);
	assert_int_equal(me_status(&c), 401);
	login(NULL, uscc, "Reset-pass3", 200);
	forget_limits();
}

static void test_change_mobile(void **state)
{
	struct api_client c = { 0 };
	char uscc[19], mobile[12], m2[12], code[7], body[256];
	struct api_resp r;

	(void)state;
	register_org(&c, uscc, mobile);
	api_random_mobile(m2);
	snprintf(body, sizeof(body), "{\"mobile\":\"%s\",\"purpose\":\"change_mobile\"}", m2);
	api_call(&c, "POST", "/api/account/sms-code", body, NULL, &r);
	assert_int_equal(r.status, 200);
	api_free(&r);
	for (int i = 0; i < 100 && api_sandbox_count(m2, code) == 0; i++)
		usleep(50 * 1000);
	snprintf(body, sizeof(body), "{\"new_mobile\":\"%s\",\"sms_code\":\"%s\",\"password\":\"Passw0rd-1\"}",
		 m2, code);
	api_call(&c, "POST", "/api/account/mobile", body, NULL, &r);
	assert_int_equal(r.status, 200);
	api_free(&r);
	/* The new mobile now receives login codes; the old one does not. */
	forget_limits();
	api_get_code(m2, "login", code);
	forget_limits();
}

static void test_csrf(void **state)
{
	struct api_client c = { 0 }, nocsrf;
	char uscc[19], mobile[12];
	struct api_resp r;

	(void)state;
	register_org(&c, uscc, mobile);
	nocsrf = c;
	nocsrf.csrf[0] = '\0';
	api_call(&nocsrf, "POST", "/api/account/logout", "{}", NULL, &r);
	api_expect_error(&r, 403, "csrf");
	api_free(&r);
	memset(nocsrf.csrf, 'b', 64);
	nocsrf.csrf[64] = '\0';
	api_call(&nocsrf, "POST", "/api/account/logout", "{}", NULL, &r);
	api_expect_error(&r, 403, "csrf");
	api_free(&r);
	/* A page of another site, logged in or not. */
	api_call(&c, "POST", "/api/account/logout", "{}", "Origin: http://evil.example", &r);
	api_expect_error(&r, 403, "csrf");
	api_free(&r);
	api_call(NULL, "POST", "/api/account/login", "{\"login_name\":\"x\",\"password\":\"y\"}",
	     "Sec-Fetch-Site: cross-site", &r);
	api_expect_error(&r, 403, "csrf");
	api_free(&r);
	assert_int_equal(me_status(&c), 200); /* none of that logged us out */
	/* Reading needs no token. */
	api_call(&nocsrf, "GET", "/api/account/me", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	api_free(&r);
}

static void staff_login(struct api_client *c, const char *user, const char *pw, long status)
{
	char body[160];
	struct api_resp r;

	if (c && status == 200) {
		api_staff_login(c, user, pw); /* the password, then the second factor */
		return;
	}
	snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"%s\"}", user, pw);
	api_call(c, "POST", "/api/account/staff/login", body, NULL, &r);
	if (r.status != status)
		fail_msg("staff login %s: %ld %s", user, r.status, r.body);
	api_free(&r);
}

static long status_of(struct api_client *c, const char *path)
{
	struct api_resp r;
	long s;

	api_call(c, "GET", path, NULL, NULL, &r);
	s = r.status;
	api_free(&r);
	return s;
}

static void test_roles(void **state)
{
	struct api_client app = { 0 }, rev = { 0 }, adm = { 0 }, anon = { 0 };
	char uscc[19], mobile[12], cmd[1200], pwfile[600];
	FILE *f;

	(void)state;
	register_org(&app, uscc, mobile);
	staff_login(&rev, "reviewer", "Staff2026hall", 200);
	/* An admin made here with certhall-admin, as an operator would. */
	snprintf(pwfile, sizeof(pwfile), "%s/etc/test-admin.password", getenv("CERTHALL_STACK"));
	f = fopen(pwfile, "w");
	assert_non_null(f);
	fputs("Adm1n-test-pass\n", f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "'%s' -c %s staff add testadmin admin --name T "
		 "--password-file %s >/dev/null 2>&1", api_admin(), getenv("CERTHALL_CONF"), pwfile);
	system(cmd);
	staff_login(&adm, "testadmin", "Adm1n-test-pass", 200);

	assert_int_equal(status_of(&anon, "/api/account/me"), 401);
	assert_int_equal(status_of(&anon, "/api/account/staff/me"), 401);
	assert_int_equal(status_of(&anon, "/api/account/staff/outbox"), 401);
	/* An applicant never acts as staff. */
	assert_int_equal(status_of(&app, "/api/account/me"), 200);
	assert_int_equal(status_of(&app, "/api/account/staff/me"), 403);
	assert_int_equal(status_of(&app, "/api/account/staff/outbox"), 403);
	/* A reviewer is staff, but neither an applicant nor an admin. */
	assert_int_equal(status_of(&rev, "/api/account/staff/me"), 200);
	assert_int_equal(status_of(&rev, "/api/account/me"), 403);
	assert_int_equal(status_of(&rev, "/api/account/staff/outbox"), 403);
	/* An admin sees every staff view. */
	assert_int_equal(status_of(&adm, "/api/account/staff/me"), 200);
	assert_int_equal(status_of(&adm, "/api/account/staff/outbox?state=failed"), 200);
	assert_int_equal(status_of(&adm, "/api/account/staff/outbox?state=bogus"), 400);
	assert_int_equal(status_of(&adm, "/api/account/staff/outbox?page=-1"), 400);
	/* A disabled staff member is out at once. */
	snprintf(cmd, sizeof(cmd), "'%s' -c %s staff disable testadmin >/dev/null 2>&1", api_admin(),
		 getenv("CERTHALL_CONF"));
	assert_int_equal(system(cmd), 0);
	assert_int_equal(status_of(&adm, "/api/account/staff/me"), 401);
	staff_login(NULL, "testadmin", "Adm1n-test-pass", 403);
	forget_limits();
}

static void expect_400(const char *path, const char *body, const char *code, const char *field)
{
	struct api_resp r;

	api_call(NULL, "POST", path, body, NULL, &r);
	api_expect_error(&r, 400, code);
	if (field)
		assert_string_equal(api_error_field(&r), field);
	api_free(&r);
}

static void test_hostile_inputs(void **state)
{
	(void)state;
	expect_400("/api/account/sms-code", "{\"mobile\":\"12812345678\",\"purpose\":\"login\"}", "invalid_field", "mobile");
	expect_400("/api/account/sms-code", "{\"mobile\":\"1381234567\",\"purpose\":\"login\"}", "invalid_field", "mobile");
	expect_400("/api/account/sms-code", "{\"mobile\":\"13812345678\",\"purpose\":\"sign\"}", "invalid_field", "purpose");
	expect_400("/api/account/sms-code", "{\"mobile\":\"13812345678' OR 1=1\",\"purpose\":\"login\"}", "invalid_field", "mobile");
	expect_400("/api/account/sms-code", "{\"mobile\":\"13812345678\"}", "missing_field", "purpose");
	expect_400("/api/account/register",
		   "{\"kind\":\"org\",\"name\":\"某公司\",\"uscc\":\"91350100M000100Y44\",\"mobile\":\"13812345678\","
		   "\"sms_code\":\"123456\",\"password\":\"Passw0rd-1\"}", "invalid_field", "uscc");
	expect_400("/api/account/register",
		   "{\"kind\":\"org\",\"name\":\"某公司\",\"mobile\":\"13812345678\",\"sms_code\":\"123456\","
		   "\"password\":\"Passw0rd-1\"}", "missing_field", "uscc");
	expect_400("/api/account/register",
		   "{\"kind\":\"robot\",\"name\":\"x\",\"mobile\":\"13812345678\",\"sms_code\":\"123456\","
		   "\"password\":\"Passw0rd-1\"}", "invalid_field", "kind");
	expect_400("/api/account/register",
		   "{\"kind\":\"person\",\"name\":\"<script>\\u0007\",\"mobile\":\"13812345678\",\"sms_code\":\"123456\","
		   "\"password\":\"Passw0rd-1\"}", "invalid_field", "name");
	/* Markup in a name: refused here as in the wizard's steps, where the name must recur. */
	expect_400("/api/account/register",
		   "{\"kind\":\"org\",\"name\":\"某公司<img src=x onerror=alert(1)>\",\"uscc\":\"91350100M000100Y43\","
		   "\"mobile\":\"13812345678\",\"sms_code\":\"123456\",\"password\":\"Passw0rd-1\"}",
		   "invalid_field", "name");
	expect_400("/api/account/register",
		   "{\"kind\":\"person\",\"name\":\"张三'; DROP TABLE accounts;--\",\"mobile\":\"13812345678\","
		   "\"sms_code\":\"123456\",\"password\":\"Passw0rd-1\"}", "invalid_field", "name");
	expect_400("/api/account/register",
		   "{\"kind\":\"person\",\"name\":\"张三\",\"mobile\":\"13812345678\",\"sms_code\":\"12a456\","
		   "\"password\":\"Passw0rd-1\"}", "invalid_field", "sms_code");
	expect_400("/api/account/register",
		   "{\"kind\":\"person\",\"name\":\"张三\",\"mobile\":\"13812345678\",\"sms_code\":\"123456\","
		   "\"password\":\"onlyletters\"}", "invalid_field", "password");
	expect_400("/api/account/login", "{\"login_name\":\"a b\",\"password\":\"x\"}", "invalid_field", "login_name");
	expect_400("/api/account/login", "{\"login_name\":\"\xe5\xbc\",\"password\":\"x\"}", "bad_json", NULL);
	expect_400("/api/account/staff/login", "{\"username\":\"Admin\",\"password\":\"x\"}", "invalid_field", "username");
	expect_400("/api/account/login-sms", "{\"mobile\":\"13812345678\",\"sms_code\":\"1234567\"}", "invalid_field", "sms_code");
	{
		struct api_resp r;

		api_call(NULL, "POST", "/api/account/login", "[]", NULL, &r);
		api_expect_error(&r, 400, "bad_json");
		api_free(&r);
		api_request("POST", "/api/account/login", "application/x-www-form-urlencoded", "a=b", 3, NULL, &r);
		api_expect_error(&r, 415, "unsupported_media_type");
		api_free(&r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_register_and_me),
		cmocka_unit_test(test_cookie_flags),
		cmocka_unit_test(test_codes_never_tell_who_is_registered),
		cmocka_unit_test(test_password_login_and_throttle),
		cmocka_unit_test(test_lockout_survives_pruning),
		cmocka_unit_test(test_parallel_guesses_stop_at_the_limit),
		cmocka_unit_test(test_many_cookies_and_planted_duplicates),
		cmocka_unit_test(test_sms_login_and_code_rules),
		cmocka_unit_test(test_code_rate_limits),
		cmocka_unit_test(test_session_fixation_and_expiry),
		cmocka_unit_test(test_logout_and_password_change),
		cmocka_unit_test(test_password_reset_ends_all_sessions),
		cmocka_unit_test(test_change_mobile),
		cmocka_unit_test(test_csrf),
		cmocka_unit_test(test_roles),
		cmocka_unit_test(test_hostile_inputs),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
