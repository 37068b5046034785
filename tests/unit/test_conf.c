/* Unit tests: the config file and its table of keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/conf.h"

static char path[64];

static int load(const char *text, struct conf *c, char *err, size_t errsz)
{
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "/tmp/certhall-conf-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	conf_defaults(c);
	fd = conf_load(c, path, err, errsz);
	unlink(path);
	return fd;
}

static void test_defaults_and_values(void **state)
{
	struct conf c;
	char err[512];

	(void)state;
	assert_int_equal(load("; comment\n[server]\nworkers = 8\nsocket_mode = 0666\n"
			      "log_level = debug\n[db]\nname = hall\n", &c, err, sizeof(err)), 0);
	assert_int_equal(c.workers, 8);
	assert_int_equal(c.socket_mode, 0666);
	assert_int_equal(c.log_level, 0);
	assert_string_equal(c.db_name, "hall");
	assert_int_equal(c.max_requests, 10000); /* untouched: default */
	assert_string_equal(c.socket_dir, "/run/certhall");
}

static void expect_error(const char *text, const char *needle)
{
	struct conf c;
	char err[512];

	assert_int_equal(load(text, &c, err, sizeof(err)), -1);
	if (!strstr(err, needle))
		fail_msg("error '%s' does not say '%s'", err, needle);
}

static void test_errors_name_line_and_reason(void **state)
{
	(void)state;
	expect_error("[server]\nworkers = 0\n", ":2: [server] workers = 0: must be between 1 and 256");
	expect_error("[server]\n\nworkers = many\n", ":3: [server] workers = many: not a whole number");
	expect_error("[server]\nworkers = 4x\n", "not a whole number");
	expect_error("[server]\nwrokers = 4\n", ":2: [server] wrokers: unknown key");
	expect_error("[nosuch]\nkey = 1\n", "[nosuch] key: unknown key");
	expect_error("[server]\nsocket_dir = relative/dir\n", "must be an absolute path");
	expect_error("[server]\nsocket_mode = 0999\n", "not an octal number");
	expect_error("[server]\nlog_level = loud\n", "must be one of debug, info, warn, error");
	expect_error("[server]\nthis line is junk\n", ":2: not a [section] header");
	/* The first fault in the file is the one reported. */
	expect_error("[server]\nworkers = 0\nnode_id = 500\n", ":2:");
	expect_error("[server]\njunk\nworkers = 0\n", ":2: not a [section]");
}

static void test_cross_key_rules(void **state)
{
	(void)state;
	/* A send must never outlive its claim. */
	expect_error("[outbox]\nclaim_timeout = 10\n[mail]\ntimeout_ms = 10000\n",
		     "claim_timeout must be more than twice the longest send timeout");
	/* A request's arena must hold the largest body the program reads. */
	expect_error("[limits]\narena_max = 1048576\n", "arena_max must exceed");
	/* One pass may send through [sms] and then [sms2]: the claim outlasts both. */
	expect_error("[outbox]\nclaim_timeout = 12\n[sms]\ntimeout_ms = 3000\n[sms2]\nprovider = webhook\n"
		     "timeout_ms = 4500\n", "claim_timeout must be more than twice");
	/* The second factor is required or, said in so many words, off. */
	expect_error("[staff]\nsecond_factor = optional\n", "[staff] second_factor must be required or off");
	expect_error("[staff]\nfactor_fresh = 10\n", "[staff] factor_fresh = 10: must be between 60 and 604800");
}

static void test_staff_and_sms2_defaults(void **state)
{
	struct conf c;
	char err[512];

	(void)state;
	assert_int_equal(load("", &c, err, sizeof(err)), 0);
	assert_string_equal(c.staff_second_factor, "required");
	assert_int_equal(c.staff_factor_fresh, 43200);
	assert_string_equal(c.sms2_provider, "none");
	assert_int_equal(c.sms_breaker_failures, 3);
	assert_int_equal(c.sms_breaker_open, 60);
	/* [sms2] none: 2 x 3000 + 5000 fits the default claim of 60 s; so does webhook at 3000. */
	assert_int_equal(load("[sms2]\nprovider = webhook\nendpoint = https://sms2.example.cn/\n", &c, err,
			      sizeof(err)), 0);
	assert_string_equal(c.sms2_provider, "webhook");
	assert_int_equal(load("[staff]\nsecond_factor = off\n", &c, err, sizeof(err)), 0);
	assert_string_equal(c.staff_second_factor, "off");
}

/* The providers' answers are not signed: only TLS protects them, so a provider (and the
 * notification address we give the payment provider) is https://, or plain http:// on this
 * host only. */
static void test_providers_need_tls(void **state)
{
	static const char *const keys[][2] = {
		{ "verify", "endpoint" }, { "pay", "endpoint" }, { "pay", "notify_url" },
		{ "courier", "endpoint" },
	};
	static const char *const refused[] = {
		"http://verify.example.com/v1",
		"HTTP://verify.example.com/v1",
		"http://10.0.0.5:8080/verify",
		"http://127.0.0.1.example.com/verify",
		"http://127.0.0.1@evil.example/verify",
		"http://127.0.0.1:80@evil.example/verify",
		"http://localhost.evil.example/",
		"http://127.0.0.1:8o/x",
		"http://[::2]:8080/x",
		"http://[::1",
		"verify.example.com/v1",
		"ftp://verify.example.com/",
		"https://",
		"",
	};
	static const char *const accepted[] = {
		"https://verify.example.com/v1",
		"HTTPS://pay.example.com",
		"http://127.0.0.1:8080/sandbox/verify",
		"http://127.0.0.1",
		"http://localhost/x",
		"http://LOCALHOST:9000?x=1",
		"http://[::1]:8080/x",
		"http://user@127.0.0.1:8080/x",
	};
	char text[512], want[64];
	struct conf c;
	char err[512];

	(void)state;
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		snprintf(want, sizeof(want), "[%s] %s must be an https:// URL", keys[k][0], keys[k][1]);
		for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
			snprintf(text, sizeof(text), "[%s]\n%s = %s\n", keys[k][0], keys[k][1],
				 refused[i]);
			expect_error(text, want);
		}
		for (size_t i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++) {
			snprintf(text, sizeof(text), "[%s]\n%s = %s\n", keys[k][0], keys[k][1],
				 accepted[i]);
			if (load(text, &c, err, sizeof(err)) != 0)
				fail_msg("%s refused: %s", text, err);
		}
	}
	/* The defaults (the sandbox on this host) pass. */
	assert_int_equal(load("", &c, err, sizeof(err)), 0);
	assert_int_equal(c.verify_per_account_day, 150);
	assert_int_equal(c.verify_per_ip_hour, 300);
	assert_int_equal(c.pay_per_account_hour, 20);
	expect_error("[verify]\nper_ip_hour = 0\n", "must be between 1 and 1000000");
	expect_error("[pay]\nper_account_hour = 10001\n", "must be between 1 and 10000");
}

/* [limits] trusted_networks is parsed at load, its fault named with the line and the item;
 * [limits] time_zone must be a zone of the tz database (glibc would take a typo as UTC). */
static void test_limits_networks_and_zone(void **state)
{
	struct conf c;
	char err[512];

	(void)state;
	assert_int_equal(load("", &c, err, sizeof(err)), 0);
	assert_int_equal((int)c.trusted.n, 0);
	assert_string_equal(c.time_zone, "Asia/Shanghai");
	assert_int_equal(load("[limits]\ntrusted_networks = 10.0.0.0/8, 2001:db8::/32\n"
			      "time_zone = Europe/Berlin\n", &c, err, sizeof(err)), 0);
	assert_int_equal((int)c.trusted.n, 2);
	assert_true(cidr_match(&c.trusted, "10.9.8.7"));
	assert_false(cidr_match(&c.trusted, "11.0.0.1"));
	assert_string_equal(c.time_zone, "Europe/Berlin");
	expect_error("[limits]\n\ntrusted_networks = 10.0.0.0/8, 10.1.0.0/8\n",
		     ":3: [limits] trusted_networks = 10.0.0.0/8, 10.1.0.0/8: \"10.1.0.0/8\": bits set");
	expect_error("[limits]\ntrusted_networks = 0.0.0.0/0\n", "/0 would trust every address");
	expect_error("[limits]\ntrusted_networks = 10.0.0.0/8;rm -rf /\n", "separated by commas");
	expect_error("[limits]\ntime_zone = Asia/Shangai\n", "not a time zone");
	expect_error("[limits]\ntime_zone = ../../../etc/passwd\n", "not a time zone");
	expect_error("[limits]\ntime_zone = /usr/share/zoneinfo/UTC\n", "not a time zone");
	expect_error("[limits]\ntime_zone = Asia\n", "not a time zone"); /* a directory */
	expect_error("[limits]\ntime_zone = \n", "not a time zone");
}

static void test_missing_file(void **state)
{
	struct conf c;
	char err[512];

	(void)state;
	conf_defaults(&c);
	assert_int_equal(conf_load(&c, "/nonexistent/certhall.conf", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent/certhall.conf: cannot read"));
}

static void test_too_long_string(void **state)
{
	char text[600];

	(void)state;
	memset(text, 0, sizeof(text));
	snprintf(text, sizeof(text), "[db]\nname = ");
	memset(text + strlen(text), 'x', 100);
	expect_error(text, "too long");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_and_values),
		cmocka_unit_test(test_errors_name_line_and_reason),
		cmocka_unit_test(test_cross_key_rules),
		cmocka_unit_test(test_staff_and_sms2_defaults),
		cmocka_unit_test(test_providers_need_tls),
		cmocka_unit_test(test_limits_networks_and_zone),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_too_long_string),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
