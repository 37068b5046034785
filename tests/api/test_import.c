/* API tests of certhall-admin import-certs against the test stack: the CA's existing
 * certificates brought in (a dry run first, nothing of a bad file applied, re-imports
 * idempotent), then renewed online by their holder end to end (002: 180.00 a year). */
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

#define HEADER "serial,hall,kind,holder_name,subject_name,subject_id,not_before,not_after," \
	       "first_issued,seal,state,revoked_on,revoke_reason\n"

struct run {
	int status;
	char out[16384];
};

/* Writes text to a new temporary file; its path into path. */
static void write_csv(const char *text, size_t n, char path[64])
{
	FILE *f;
	int fd;

	snprintf(path, 64, "/tmp/certhall-import-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, n, f), n);
	fclose(f);
}

/* certhall-admin import-certs path [--apply], its exit status and what it printed. */
static void import(const char *path, bool apply, struct run *out)
{
	const char *conf = getenv("CERTHALL_CONF");
	char cmd[512];

	assert_non_null(conf);
	snprintf(cmd, sizeof(cmd), "'%s' -c '%s' import-certs '%s'%s 2>&1",
		 api_admin(), conf, path, apply ? " --apply" : "");
	out->status = wiz_run(cmd, out->out, sizeof(out->out));
}

static long count_serial(const char *serial)
{
	char sql[160], v[32];

	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM certificates WHERE serial = '%s'", serial);
	wiz_sql_value(sql, v, sizeof(v));
	return strtol(v, NULL, 10);
}

static void cert_value(const char *serial, const char *column, char *out, size_t outsz)
{
	char sql[200];

	snprintf(sql, sizeof(sql), "SELECT %s FROM certificates WHERE serial = '%s'", column, serial);
	wiz_sql_value(sql, out, outsz);
}

/* A date relative to today in China, YYYY-MM-DD. */
static void day(int offset, char out[16])
{
	char sql[160];

	snprintf(sql, sizeof(sql), "SELECT DATE_FORMAT(DATE(UTC_TIMESTAMP() + INTERVAL 8 HOUR) + "
		 "INTERVAL %d DAY, '%%Y-%%m-%%d')", offset);
	wiz_sql_value(sql, out, 16);
}

static void expect_in(const struct run *r, const char *needle)
{
	if (!strstr(r->out, needle))
		fail_msg("import-certs printed no \"%s\":\n%s", needle, r->out);
}

/* A good file (with a spreadsheet's BOM, CRLF and a quoted name): a dry run writes nothing;
 * --apply writes every row; the same file again changes nothing; a changed row is updated. */
static void test_dry_run_apply_reimport(void **state)
{
	char s1[17], s2[17], s3[17], uscc[19], id[19], path[64], text[2048], v[64];
	struct run r;

	(void)state;
	wiz_random_serial(s1);
	wiz_random_serial(s2);
	wiz_random_serial(s3);
	api_random_uscc(uscc);
	wiz_random_id(id);
	snprintf(text, sizeof(text),
		 "\xEF\xBB\xBF" HEADER
		 "%s,bjca-zycg,org,李娜,\"北京数安示范科技有限公司\",%s,2025-03-01,2027-03-01,2024-03-01,1,valid,,\r\n"
		 "%s,netca-gd,legal_rep,刘洋,北京数安示范科技有限公司,%s,2025-01-10,2026-01-10,2025-01-10,0,revoked,2025-06-01,密钥遗失\r\n"
		 "\r\n"
		 "%s,szca,person,王芳,,%s,2024-05-05,2027-05-05,2024-05-05,0,valid,,\r\n",
		 s1, uscc, s2, uscc, s3, id);
	write_csv(text, strlen(text), path);

	import(path, false, &r);
	assert_int_equal(r.status, 0);
	expect_in(&r, "3 rows checked, all good");
	expect_in(&r, "dry run");
	assert_int_equal(count_serial(s1) + count_serial(s2) + count_serial(s3), 0);

	import(path, true, &r);
	if (r.status != 0)
		fail_msg("import --apply: %s", r.out);
	expect_in(&r, "3 new, 0 updated, 0 unchanged");
	assert_int_equal(count_serial(s1) + count_serial(s2) + count_serial(s3), 3);
	cert_value(s1, "CONCAT(source, ' ', kind, ' ', holder_name, ' ', has_seal, ' ', state)", v,
		   sizeof(v));
	assert_string_equal(v, "import org 李娜 1 valid");
	cert_value(s2, "CONCAT(state, ' ', DATE(revoked_at), ' ', revoke_reason)", v, sizeof(v));
	assert_string_equal(v, "revoked 2025-06-01 密钥遗失");
	/* Not bound to any account: reached by the subject's keyed hash only. */
	cert_value(s3, "CONCAT(COALESCE(account_id, 'none'), ' ', LENGTH(subject_idx))", v, sizeof(v));
	assert_string_equal(v, "none 64");

	import(path, true, &r);
	assert_int_equal(r.status, 0);
	expect_in(&r, "0 new, 0 updated, 3 unchanged");
	assert_int_equal(count_serial(s1) + count_serial(s2) + count_serial(s3), 3);

	/* The CA renewed s1 at its counter: the next export carries the new date. */
	{
		char *p = strstr(text, "2027-03-01");

		assert_non_null(p);
		memcpy(p, "2028", 4);
		unlink(path);
		write_csv(text, strlen(text), path);
	}
	import(path, true, &r);
	assert_int_equal(r.status, 0);
	expect_in(&r, "0 new, 1 updated, 2 unchanged");
	cert_value(s1, "DATE_FORMAT(not_after, '%Y-%m-%d')", v, sizeof(v));
	assert_string_equal(v, "2028-03-01");
	unlink(path);
}

/* Every kind of bad row, each reported by line and column; the good rows around them are not
 * written either. */
static void test_bad_rows_apply_nothing(void **state)
{
	char good1[17], good2[17], dup[17], uscc[19], bad_uscc[19], path[64], v[16];
	char *text, *big;
	size_t n = 0, cap = 64 * 1024;
	struct run r;

	(void)state;
	wiz_random_serial(good1);
	wiz_random_serial(good2);
	wiz_random_serial(dup);
	api_random_uscc(uscc);
	memcpy(bad_uscc, uscc, sizeof(bad_uscc));
	bad_uscc[17] = bad_uscc[17] == 'A' ? 'B' : 'A'; /* the check character wrong */
	big = malloc(10001);
	text = malloc(cap);
	assert_non_null(big);
	assert_non_null(text);
	memset(big, 'x', 10000);
	big[10000] = '\0';
#define ROW(...) (n += (size_t)snprintf(text + n, cap - n, __VA_ARGS__))
	ROW(HEADER);
	/* 2 */ ROW("%s,bjca-zycg,org,李娜,示范公司,%s,2025-03-01,2027-03-01,2024-03-01,0,valid,,\n", good1, uscc);
	/* 3: no 30 February */
	ROW("AB01,bjca-zycg,org,李娜,示范公司,%s,2025-03-01,2026-02-30,2024-03-01,0,valid,,\n", uscc);
	/* 4: no such hall */
	ROW("AB02,nohall,org,李娜,示范公司,%s,2025-03-01,2027-03-01,2024-03-01,0,valid,,\n", uscc);
	/* 5: the USCC's check character */
	ROW("AB03,bjca-zycg,org,李娜,示范公司,%s,2025-03-01,2027-03-01,2024-03-01,0,valid,,\n", bad_uscc);
	/* 6, 7: one serial twice, with other data */
	ROW("%s,bjca-zycg,org,李娜,示范公司,%s,2025-03-01,2027-03-01,2024-03-01,0,valid,,\n", dup, uscc);
	ROW("%s,bjca-zycg,org,刘洋,示范公司,%s,2025-03-01,2027-03-01,2024-03-01,0,valid,,\n", dup, uscc);
	/* 8: a 10,000-byte holder name */
	ROW("AB04,bjca-zycg,org,%s,示范公司,%s,2025-03-01,2027-03-01,2024-03-01,0,valid,,\n", big, uscc);
	/* 9: a column short */
	ROW("AB05,bjca-zycg,org,李娜,示范公司,%s,2025-03-01,2027-03-01,2024-03-01,0,valid,\n", uscc);
	/* 10: invalid UTF-8 in the holder name */
	ROW("AB06,bjca-zycg,org,\xC3\x28\xFF,示范公司,%s,2025-03-01,2027-03-01,2024-03-01,0,valid,,\n", uscc);
	/* 11: a BOM inside the data, not at the start of the file (invisible in a name) */
	ROW("AB07,bjca-zycg,org,\xEF\xBB\xBF李娜,示范公司,%s,2025-03-01,2027-03-01,2024-03-01,0,valid,,\n", uscc);
	/* 12: revoked without a date */
	ROW("AB08,bjca-zycg,org,李娜,示范公司,%s,2025-03-01,2027-03-01,2024-03-01,0,revoked,,遗失\n", uscc);
	/* 13: markup in a name */
	ROW("AB09,bjca-zycg,org,<script>,示范公司,%s,2025-03-01,2027-03-01,2024-03-01,0,valid,,\n", uscc);
	/* 14 */ ROW("%s,bjca-zycg,org,刘洋,示范公司,%s,2025-03-01,2027-03-01,2024-03-01,0,valid,,\n", good2, uscc);
#undef ROW
	write_csv(text, n, path);
	import(path, true, &r);
	assert_int_equal(r.status, 1);
	expect_in(&r, ":3: column 8 (not_after)");
	expect_in(&r, ":4: column 2 (hall)");
	expect_in(&r, ":5: column 6 (subject_id)");
	expect_in(&r, ":7: column 1 (serial): serial given before (line 6) with other data");
	expect_in(&r, ":8: column 4 (holder_name)");
	expect_in(&r, ":9: 12 columns, 13 expected");
	expect_in(&r, ":10: column 4 (holder_name)");
	expect_in(&r, ":11: column 4 (holder_name)");
	expect_in(&r, ":12: column 12 (revoked_on)");
	expect_in(&r, ":13: column 4 (holder_name)");
	expect_in(&r, "10 of 13 rows are bad");
	expect_in(&r, "nothing imported");
	assert_null(strstr(r.out, ":2:"));
	assert_null(strstr(r.out, ":14:"));
	assert_int_equal(count_serial(good1) + count_serial(good2) + count_serial(dup), 0);
	wiz_sql_value("SELECT COUNT(*) FROM certificates WHERE serial LIKE 'AB0_'", v, sizeof(v));
	assert_string_equal(v, "0");
	/* A file that does not start with the column names is refused as a whole. */
	unlink(path);
	write_csv("serial,hall\nAB10,bjca-zycg\n", 27, path);
	import(path, true, &r);
	assert_int_equal(r.status, 1);
	expect_in(&r, "the first row must name the columns");
	unlink(path);
	free(text);
	free(big);
}

/* An existing customer of the CA, its certificate imported, renews online in the hall: 30 days
 * left, so 002's online renewal (no review, no materials), paid, one more year on the old
 * expiry. */
static void test_import_then_renew_online(void **state)
{
	char serial[17], uscc[19], mobile[12], handler[12], nb[16], na[16], fi[16];
	char path[64], text[1024], no[19], extra[64], pay_no[25], state_[32], v[16];
	struct api_client c;
	struct api_resp r;
	struct run run;

	(void)state;
	memset(&c, 0, sizeof(c));
	wiz_register_org(&c, uscc, mobile);
	api_random_mobile(handler);
	/* The organisation proves its USCC (the enterprise check) before it reaches what the CA
	 * issued to it outside the hall. */
	wiz_prove_org(&c, "测试示范有限公司", handler);
	wiz_random_serial(serial);
	day(-335, nb);
	day(30, na);
	day(-335, fi);
	snprintf(text, sizeof(text), HEADER "%s,bjca-zycg,org,李娜,测试示范有限公司,%s,%s,%s,%s,0,valid,,\n",
		 serial, uscc, nb, na, fi);
	write_csv(text, strlen(text), path);
	import(path, true, &run);
	if (run.status != 0)
		fail_msg("import: %s", run.out);
	unlink(path);

	/* My certificates lists it, with its renewal window open. */
	api_call(&c, "GET", "/api/wizard/certs", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, serial));
	api_free(&r);

	snprintf(extra, sizeof(extra), ",\"cert_serial\":\"%s\"", serial);
	wiz_create(&c, "bjca-zycg", "renew", "org", extra, no);
	wiz_fill(&c, no, "测试示范有限公司", handler);
	wiz_order(&c, no, NULL, &r);
	assert_string_equal(json_string_value(json_object_get(r.json, "renew_mode")), "online");
	assert_string_equal(json_string_value(json_object_get(r.json, "amount")), "180.00");
	api_free(&r);
	wiz_verify_plan(&c, no, NULL);
	wiz_upload_missing(&c, no);
	wiz_sign(&c, no, handler, "pending_payment");
	wiz_pay_qr(&c, no, "wechat", pay_no);
	wiz_pay_complete(pay_no);
	wiz_order(&c, no, state_, &r);
	api_free(&r);
	assert_string_equal(state_, "done");
	/* One year on the old expiry (002 "顺延"). */
	cert_value(serial, "DATE_FORMAT(not_after, '%Y-%m-%d')", v, sizeof(v));
	{
		char sql[200], exp[16];

		snprintf(sql, sizeof(sql), "SELECT DATE_FORMAT(DATE('%s') + INTERVAL 1 YEAR, '%%Y-%%m-%%d')",
			 na);
		wiz_sql_value(sql, exp, sizeof(exp));
		assert_string_equal(v, exp);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dry_run_apply_reimport),
		cmocka_unit_test(test_bad_rows_apply_nothing),
		cmocka_unit_test(test_import_then_renew_online),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
