/* API tests of certhall-admin remind against the test stack: each threshold's reminder written
 * once across two runs at once, the link opening a renewal of that certificate, silence while
 * a renewal is under way, after it is done, and after a revocation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "apiclient.h"
#include "domain/order.h"
#include "wizclient.h"

#define HALL "bjca-zycg"

/* Starts n runs of certhall-admin remind at once and waits for all; each must succeed. */
static void remind(int n)
{
	const char *conf = getenv("CERTHALL_CONF");
	FILE *p[4];
	char cmd[512], out[1024];

	assert_non_null(conf);
	assert_true(n >= 1 && n <= 4);
	snprintf(cmd, sizeof(cmd), "'%s' -c '%s' remind 2>&1", api_admin(), conf);
	for (int i = 0; i < n; i++) {
		p[i] = popen(cmd, "r");
		assert_non_null(p[i]);
	}
	for (int i = 0; i < n; i++) {
		size_t got = fread(out, 1, sizeof(out) - 1, p[i]);
		int st;

		out[got] = '\0';
		st = pclose(p[i]);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 || !strstr(out, "remind: "))
			fail_msg("certhall-admin remind: %s", out);
	}
}

static long value_l(const char *sql)
{
	char v[32];

	wiz_sql_value(sql, v, sizeof(v));
	return strtol(v, NULL, 10);
}

/* Reminders of serial: cert_reminders rows, and outbox rows of channel ("sms", "email"). */
static long reminders(const char *serial)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM cert_reminders r JOIN certificates c ON "
		 "c.id = r.cert_id WHERE c.serial = '%s'", serial);
	return value_l(sql);
}

static long outbox_rows(const char *serial, const char *channel)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM outbox WHERE event = 'cert_expiry' AND "
		 "channel = '%s' AND JSON_VALUE(params, '$.serial') = '%s'", channel, serial);
	return value_l(sql);
}

/* The certificate's expiry moved to today + days (the clock moved on, as the tests can). */
static void expires_in(const char *serial, int days)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "UPDATE certificates SET not_after = DATE(UTC_TIMESTAMP() + "
		 "INTERVAL 8 HOUR) + INTERVAL %d DAY WHERE serial = '%s'", days, serial);
	wiz_sql(sql);
}

/* 60 days left: the 90-day reminder, by SMS to the account's mobile, once though two runs
 * race; 20 days: the 30-day one; 5: the 7-day one; each once however often the pass runs. */
static void test_once_per_threshold(void **state)
{
	char uscc[19], mobile[12], serial[17], sql[256], v[64];
	struct api_client c;

	(void)state;
	memset(&c, 0, sizeof(c));
	wiz_register_org(&c, uscc, mobile);
	wiz_random_serial(serial);
	wiz_fixture_cert(uscc, uscc, HALL, "org", serial, 60, -300, false);
	remind(2);
	assert_int_equal(reminders(serial), 1);
	assert_int_equal(outbox_rows(serial, "sms"), 1);
	snprintf(sql, sizeof(sql), "SELECT CONCAT(r.threshold, ' ', r.days_left) FROM cert_reminders r "
		 "JOIN certificates c ON c.id = r.cert_id WHERE c.serial = '%s'", serial);
	wiz_sql_value(sql, v, sizeof(v));
	assert_string_equal(v, "90 60");
	/* To the account's mobile, masked at rest. */
	snprintf(sql, sizeof(sql), "SELECT recipient_mask FROM outbox WHERE event = 'cert_expiry' "
		 "AND JSON_VALUE(params, '$.serial') = '%s'", serial);
	wiz_sql_value(sql, v, sizeof(v));
	assert_memory_equal(v, mobile, 3);
	assert_memory_equal(v + 7, mobile + 7, 4);
	remind(1);
	assert_int_equal(reminders(serial), 1);

	expires_in(serial, 20);
	remind(2);
	remind(1);
	assert_int_equal(reminders(serial), 2);
	assert_int_equal(outbox_rows(serial, "sms"), 2);
	expires_in(serial, 5);
	remind(2);
	assert_int_equal(reminders(serial), 3);
	assert_int_equal(outbox_rows(serial, "sms"), 3);
	/* No mail: nobody's email is known for a certificate without an order. */
	assert_int_equal(outbox_rows(serial, "email"), 0);
}

/* Revoked between two thresholds: nothing more. */
static void test_silent_after_revocation(void **state)
{
	char uscc[19], mobile[12], serial[17], sql[256];
	struct api_client c;

	(void)state;
	memset(&c, 0, sizeof(c));
	wiz_register_org(&c, uscc, mobile);
	wiz_random_serial(serial);
	wiz_fixture_cert(uscc, uscc, HALL, "org", serial, 45, -300, false);
	remind(1);
	assert_int_equal(reminders(serial), 1);
	snprintf(sql, sizeof(sql), "UPDATE certificates SET state = 'revoked', revoked_at = NOW(3), "
		 "revoke_reason = '测试', not_after = DATE(UTC_TIMESTAMP() + INTERVAL 8 HOUR) + "
		 "INTERVAL 25 DAY WHERE serial = '%s'", serial);
	wiz_sql(sql);
	remind(1);
	assert_int_equal(reminders(serial), 1);
	assert_int_equal(outbox_rows(serial, "sms"), 1);
}

/* The reminder's link names the hall, the business and the serial; the wizard creates the
 * renewal of that certificate from them. Once the renewal is signed, the next threshold is
 * silent (a renewal under way); once paid (002: online, done), it expires a year later and
 * stays silent. */
static void test_link_renewal_silent(void **state)
{
	char uscc[19], mobile[12], handler[12], serial[17], sql[256], link[512], want[512];
	char body[256], no[19], pay_no[25], st[32];
	const char *url = getenv("CERTHALL_URL"), *q;
	struct api_client c;
	struct api_resp r;

	(void)state;
	assert_non_null(url);
	memset(&c, 0, sizeof(c));
	wiz_register_org(&c, uscc, mobile);
	api_random_mobile(handler);
	wiz_random_serial(serial);
	wiz_fixture_cert(uscc, uscc, HALL, "org", serial, 25, -340, false);
	remind(1);
	snprintf(sql, sizeof(sql), "SELECT JSON_VALUE(params, '$.link') FROM outbox WHERE event = "
		 "'cert_expiry' AND JSON_VALUE(params, '$.serial') = '%s'", serial);
	wiz_sql_value(sql, link, sizeof(link));
	snprintf(want, sizeof(want), "%s/apply.html?channel=" HALL "&business=renew&serial=%s", url,
		 serial);
	assert_string_equal(link, want);
	/* The outbox pass (as cron runs it) delivers it: the SMS carries the link. */
	{
		char cmd[1200], out[256], path[160];
		bool sent = false;

		for (int i = 0; i < 30 && !sent; i++) {
			snprintf(cmd, sizeof(cmd), "'%s' -c '%s' outbox 2>&1", api_admin(),
				 getenv("CERTHALL_CONF"));
			wiz_run(cmd, out, sizeof(out));
			snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM outbox WHERE event = 'cert_expiry' "
				 "AND state = 'sent' AND JSON_VALUE(params, '$.serial') = '%s'", serial);
			sent = value_l(sql) == 1;
		}
		assert_true(sent);
		snprintf(path, sizeof(path), "/sandbox/messages?to=%s&limit=100", mobile);
		api_get(path, &r);
		assert_non_null(strstr(r.body, serial));
		assert_non_null(strstr(r.body, "apply.html?channel=" HALL "&business=renew&serial="));
		api_free(&r);
	}
	/* The page it opens is served... */
	api_get(link + strlen(url), &r);
	assert_int_equal(r.status, 200);
	api_free(&r);
	/* ...and what it pre-fills (apply-start.js: channel, business, serial) creates the renewal. */
	q = strstr(link, "serial=");
	assert_non_null(q);
	snprintf(body, sizeof(body), "{\"channel\":\"" HALL "\",\"business\":\"renew\",\"cert_serial\":\"%s\"}",
		 q + strlen("serial="));
	api_call(&c, "POST", "/api/wizard/orders", body, NULL, &r);
	if (r.status != 201)
		fail_msg("the link's renewal: %ld %s", r.status, r.body);
	snprintf(no, sizeof(no), "%s", json_string_value(json_object_get(r.json, "order_no")));
	api_free(&r);
	snprintf(sql, sizeof(sql), "SELECT CONCAT(o.business_type, ' ', c.serial) FROM orders o JOIN "
		 "certificates c ON c.id = o.target_cert_id WHERE o.order_no = '%s'", no);
	{
		char v[64], w[64];

		wiz_sql_value(sql, v, sizeof(v));
		snprintf(w, sizeof(w), "renew %s", serial);
		assert_string_equal(v, w);
	}
	/* A draft is not a renewal under way: still reminded at the next threshold. */
	expires_in(serial, 6);
	remind(1);
	assert_int_equal(reminders(serial), 2);

	wiz_fill(&c, no, "测试示范有限公司", handler);
	wiz_verify_plan(&c, no, NULL);
	wiz_upload_missing(&c, no);
	wiz_sign(&c, no, handler, order_state_str(ORDER_PENDING_PAYMENT));
	expires_in(serial, 3);
	remind(2);
	assert_int_equal(reminders(serial), 2);

	wiz_pay_qr(&c, no, "wechat", pay_no);
	wiz_pay_complete(pay_no);
	wiz_order(&c, no, st, &r);
	api_free(&r);
	assert_string_equal(st, order_state_str(ORDER_DONE));
	remind(1);
	assert_int_equal(reminders(serial), 2);
	assert_int_equal(outbox_rows(serial, "sms"), 2);

	/* A certificate an order issued: its handler is told, by SMS and by mail (the handler
	 * step's email). Here the renewal's order stands in for the issuing one. */
	snprintf(sql, sizeof(sql), "UPDATE certificates SET order_id = (SELECT id FROM orders WHERE "
		 "order_no = '%s'), not_after = DATE(UTC_TIMESTAMP() + INTERVAL 8 HOUR) + INTERVAL 2 DAY "
		 "WHERE serial = '%s'", no, serial);
	wiz_sql(sql);
	remind(1);
	assert_int_equal(reminders(serial), 3);
	assert_int_equal(outbox_rows(serial, "sms"), 3);
	assert_int_equal(outbox_rows(serial, "email"), 1);
	snprintf(sql, sizeof(sql), "SELECT recipient_mask FROM outbox WHERE event = 'cert_expiry' AND "
		 "channel = 'sms' AND JSON_VALUE(params, '$.serial') = '%s' ORDER BY id DESC LIMIT 1",
		 serial);
	wiz_sql_value(sql, link, sizeof(link));
	assert_memory_equal(link + 7, handler + 7, 4);
}

/* A certificate nobody can be told about (imported, no account) is passed over, not claimed. */
static void test_no_contact_not_claimed(void **state)
{
	char uscc[19], serial[17];

	(void)state;
	api_random_uscc(uscc);
	wiz_random_serial(serial);
	wiz_fixture_cert(NULL, uscc, HALL, "org", serial, 10, -300, false);
	remind(1);
	assert_int_equal(reminders(serial), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_once_per_threshold),
		cmocka_unit_test(test_silent_after_revocation),
		cmocka_unit_test(test_link_renewal_silent),
		cmocka_unit_test(test_no_contact_not_claimed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
