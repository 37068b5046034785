/* API tests of certhall-admin import-certs --from-ca against the test stack: certificates the
 * sandbox CA issued at its counter, found through its EJBCA v2 search by issue date, checked
 * as a file's rows are, written only with --apply, idempotent; a certificate the hall cannot
 * place (no USCC or ID number in its subject) stops the whole set. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "apiclient.h"
#include "wizclient.h"
#include "base/conf.h"
#include "crypto/cert.h"
#include "ext/ca.h"

struct run {
	int status;
	char out[16384];
};

struct counter {
	char serial[CERT_SERIAL_MAX + 1], token[17];
};

static struct conf conf;
static int ago;           /* the days before today the good certificates were issued */
static char ago_day[16];  /* that day, YYYY-MM-DD (China) */

/* certhall-admin import-certs ARGS, its exit status and what it printed. */
static void import(const char *args, struct run *out)
{
	char cmd[768];

	snprintf(cmd, sizeof(cmd), "'%s' -c '%s' import-certs %s 2>&1", api_admin(),
		 getenv("CERTHALL_CONF"), args);
	out->status = wiz_run(cmd, out->out, sizeof(out->out));
}

static void expect_in(const struct run *r, const char *needle)
{
	if (!strstr(r->out, needle))
		fail_msg("import-certs printed no \"%s\":\n%s", needle, r->out);
}

static void day(int offset, char out[16])
{
	char sql[160];

	snprintf(sql, sizeof(sql), "SELECT DATE_FORMAT(DATE(UTC_TIMESTAMP() + INTERVAL 8 HOUR) + "
		 "INTERVAL %d DAY, '%%Y-%%m-%%d')", offset);
	wiz_sql_value(sql, out, 16);
}

static void cert_value(const char *serial, const char *column, char *out, size_t outsz)
{
	char sql[200];

	snprintf(sql, sizeof(sql), "SELECT %s FROM certificates WHERE serial = '%s'", column, serial);
	wiz_sql_value(sql, out, outsz);
}

static long count_serial(const char *serial)
{
	char v[32];

	cert_value(serial, "COUNT(*)", v, sizeof(v));
	return strtol(v, NULL, 10);
}

/* The CA's counter issues a certificate on a new token, days_ago days ago. */
static void counter(const char *key, const char *holder, const char *subject, const char *id,
		    int days_ago, struct counter *out)
{
	char body[512];
	struct api_resp r;

	snprintf(body, sizeof(body), "{\"key\":\"%s\",\"holder\":\"%s\",\"subject\":\"%s\","
		 "\"subject_id\":\"%s\",\"issued_days_ago\":%d}", key, holder, subject, id, days_ago);
	api_post_json("/sandbox/ca/counter", body, &r);
	if (r.status != 201)
		fail_msg("counter: %ld %s", r.status, r.body);
	snprintf(out->serial, sizeof(out->serial), "%s",
		 json_string_value(json_object_get(r.json, "serial")));
	snprintf(out->token, sizeof(out->token), "%s",
		 json_string_value(json_object_get(r.json, "token_serial")));
	api_free(&r);
}

static int setup(void **state)
{
	(void)state;
	if (api_conf_load(&conf) < 0)
		return -1;
	/* A day of its own for this run's certificates, so that a search of that day finds them
	 * and not what other tests had the CA issue today. */
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	ago = 100 + rand() % 200;
	day(-ago, ago_day);
	return 0;
}

/* An organisation's RSA and SM2 certificates and a person's, issued at the counter: found by
 * their issue day, checked, a dry run first; --apply writes them as the CA says; a second
 * --apply changes nothing; a revocation at the CA is carried over by the next import. */
static void test_found_checked_applied(void **state)
{
	struct counter org, org2, person;
	char uscc[19], id[19], args[256], v[256], nb[16], na[16];
	struct run r;
	int already;

	(void)state;
	api_random_uscc(uscc);
	wiz_random_id(id);
	counter("rsa", "李娜", "柜台测试有限公司", uscc, ago, &org);
	counter("sm2", "刘洋", "柜台测试有限公司", uscc, ago, &org2);
	counter("rsa", "王芳", "", id, ago, &person);

	snprintf(args, sizeof(args), "--from-ca --hall bjca-zycg --since %s --until %s", ago_day,
		 ago_day);
	import(args, &r);
	assert_int_equal(r.status, 0);
	expect_in(&r, "all good");
	expect_in(&r, "dry run");
	assert_int_equal(count_serial(org.serial), 0);
	assert_int_equal(count_serial(person.serial), 0);

	snprintf(args, sizeof(args), "--from-ca --hall bjca-zycg --since %s --until %s --apply",
		 ago_day, ago_day);
	import(args, &r);
	if (r.status != 0)
		fail_msg("--apply: %s", r.out);
	cert_value(org.serial, "CONCAT_WS(' ', kind, holder_name, subject_name, state, source, "
		   "has_seal)", v, sizeof(v));
	assert_string_equal(v, "org 李娜 柜台测试有限公司 valid import 0");
	cert_value(org2.serial, "CONCAT_WS(' ', kind, holder_name)", v, sizeof(v));
	assert_string_equal(v, "org 刘洋");
	cert_value(person.serial, "CONCAT_WS(' ', kind, holder_name, subject_name)", v, sizeof(v));
	assert_string_equal(v, "person 王芳 王芳");
	/* The subject is found by its blind index, as a registered USCC is: both organisation
	 * certificates carry the same one, the person's another. */
	{
		char a[80], b[80], c[80];

		cert_value(org.serial, "subject_idx", a, sizeof(a));
		cert_value(org2.serial, "subject_idx", b, sizeof(b));
		cert_value(person.serial, "subject_idx", c, sizeof(c));
		assert_int_equal(strlen(a), 64);
		assert_string_equal(a, b);
		assert_string_not_equal(a, c);
	}
	/* Validity as the CA issued it: a year from the counter's day. */
	day(-ago, nb);
	day(365 - ago, na);
	cert_value(org.serial, "CONCAT(not_before, ' ', not_after, ' ', first_issued)", v, sizeof(v));
	{
		char exp[64];

		snprintf(exp, sizeof(exp), "%s %s %s", nb, na, nb);
		assert_string_equal(v, exp);
	}

	import(args, &r);
	assert_int_equal(r.status, 0);
	expect_in(&r, " 0 new");
	expect_in(&r, " 0 updated");

	/* Revoked at the CA (its own REST call, as its RA would): the next import says so. */
	{
		char err[512];

		assert_int_equal(ca_revoke(&conf, CERT_KEY_RSA, org.serial, CA_REASON_KEY_COMPROMISE,
					   &already, err, sizeof(err)),
				 CA_OK);
	}
	import(args, &r);
	assert_int_equal(r.status, 0);
	expect_in(&r, " 1 updated");
	cert_value(org.serial, "CONCAT_WS(' ', state, revoke_reason)", v, sizeof(v));
	assert_string_equal(v, "revoked KEY_COMPROMISE");
}

/* Days with nothing issued find nothing; dates and arguments are checked before the CA is
 * asked; an unknown hall makes every row bad and nothing is written. */
static void test_ranges_and_arguments(void **state)
{
	char args[256], tomorrow[16], uscc[19];
	struct counter c;
	struct run r;

	(void)state;
	import("--from-ca --hall bjca-zycg --since 2001-01-01 --until 2001-01-31", &r);
	assert_int_equal(r.status, 0);
	expect_in(&r, "the CA issued 0 certificates");
	/* Up to today, from a day not yet come. */
	day(1, tomorrow);
	snprintf(args, sizeof(args), "--from-ca --hall bjca-zycg --since %s", tomorrow);
	import(args, &r);
	assert_int_equal(r.status, 1);
	expect_in(&r, "--until is before --since");

	import("--from-ca --hall bjca-zycg --since 2026-02-31", &r);
	assert_int_equal(r.status, 1);
	expect_in(&r, "take a date");
	import("--from-ca --hall bjca-zycg --since 2026-05-02 --until 2026-05-01", &r);
	assert_int_equal(r.status, 1);
	expect_in(&r, "--until is before --since");
	import("--from-ca --since 2026-05-01", &r);
	assert_int_equal(r.status, 2);
	import("--from-ca --hall bjca-zycg --since 2026-05-01 some.csv", &r);
	assert_int_equal(r.status, 2);
	import("--hall bjca-zycg some.csv", &r);
	assert_int_equal(r.status, 2);

	api_random_uscc(uscc);
	counter("rsa", "赵六", "无此大厅测试公司", uscc, ago + 1, &c);
	day(-(ago + 1), tomorrow);
	snprintf(args, sizeof(args), "--from-ca --hall no-such-hall --since %s --until %s --apply",
		 tomorrow, tomorrow);
	import(args, &r);
	assert_int_equal(r.status, 1);
	expect_in(&r, "no such hall");
	expect_in(&r, "nothing imported");
	assert_int_equal(count_serial(c.serial), 0);
}

/* A certificate the CA issued whose subject names neither a USCC nor an ID number (an old
 * system's, enrolled from a plain request) cannot be placed: it is named by its serial, and
 * nothing of the day is written, the good certificates beside it included. */
static void test_unplaceable_stops_the_set(void **state)
{
	struct ca_cert legacy;
	struct counter good;
	char uscc[19], args[256], today[16], err[512];
	EVP_PKEY *k = cert_key_new(CERT_KEY_RSA);
	char *csr = k != NULL ? cert_csr_pem(k, "旧系统用户", "旧系统公司") : NULL;
	struct run r;

	(void)state;
	assert_non_null(csr);
	assert_int_equal(ca_issue(&conf, csr, "legacy-import-test", &legacy, err, sizeof(err)), CA_OK);
	api_random_uscc(uscc);
	counter("rsa", "孙七", "今日柜台公司", uscc, 0, &good);

	day(0, today);
	snprintf(args, sizeof(args), "--from-ca --hall bjca-zycg --since %s --until %s --apply",
		 today, today);
	import(args, &r);
	assert_int_equal(r.status, 1);
	{
		char needle[96];

		snprintf(needle, sizeof(needle), "CA certificate %s: subject_id", legacy.info.serial);
		expect_in(&r, needle);
	}
	expect_in(&r, "nothing imported");
	assert_int_equal(count_serial(good.serial), 0);
	assert_int_equal(count_serial(legacy.info.serial), 0);
	/* Leave the CA as it was for a later run of today: the certificate withdrawn is still
	 * listed, so the day stays unimportable; that is the point of this test, and the other
	 * tests search days of their own. */
	ca_cert_free(&legacy);
	free(csr);
	EVP_PKEY_free(k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_found_checked_applied),
		cmocka_unit_test(test_ranges_and_arguments),
		cmocka_unit_test(test_unplaceable_stops_the_set),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
