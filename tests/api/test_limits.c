/* API tests: limits that stop abusers, not offices (issue 20). An office of 10 behind one
 * address signs 60 orders through the real steps; one account spraying codes at 200 numbers
 * is stopped, and the sandbox gateway sent no more than the limits allow; the windows slide
 * and a day turns at the hall's midnight (those two through shared/domain with the clock
 * passed in: the programs read time(NULL), the test its own `now`). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "apiclient.h"
#include "base/conf.h"
#include "crypto/crypto.h"
#include "db/db.h"
#include "domain/ratelimit.h"
#include "domain/smscode.h"
#include "wizclient.h"

#define ORG "测试示范有限公司" /* the name api_register_org registers */
#define OFFICE "127.0.0.7"      /* an untrusted address no other test uses */
#define STAFF 10
#define ORDERS 60

static struct conf conf;
static struct crypto_key key;
static struct db db;
static struct arena a;

static int setup(void **state)
{
	(void)state;
	return wiz_open(&conf, &key, &db, &a);
}

static int teardown(void **state)
{
	(void)state;
	api_source(NULL);
	wiz_keep_code_limits(false);
	wiz_close(&db, &a);
	return 0;
}

/* Messages the gateway holds for mobile, waiting until the outbox has sent what it will. */
static size_t settled_count(const char *mobile, size_t at_least)
{
	size_t n = 0;

	for (int i = 0; i < 40 && (n = api_sandbox_count(mobile, NULL)) < at_least; i++)
		usleep(50 * 1000);
	return n;
}

/* The sign codes among them (a signed order's notices go to the same handler). */
static size_t sign_codes(const char *mobile)
{
	char path[128];
	struct api_resp r;
	json_t *list;
	size_t n = 0;

	snprintf(path, sizeof(path), "/sandbox/messages?to=%s&limit=100", mobile);
	api_get(path, &r);
	assert_int_equal(r.status, 200);
	list = json_object_get(r.json, "messages");
	for (size_t i = 0; i < json_array_size(list); i++) {
		const char *text = json_string_value(json_object_get(json_array_get(list, i), "text"));

		n += text && strstr(text, "用于签署申请") != NULL;
	}
	api_free(&r);
	return n;
}

struct staff {
	struct api_client c;
	char login[19], mobile[12];
};

/*
 * The office: 10 handlers, each with an organisation account of its own, behind one NAT
 * address that is not a trusted network. They sign 60 renewal orders, each through the real
 * steps (the order made, its steps saved, two identity checks started at the gateway, as a
 * new certificate's enterprise and handler checks would be, a sign code asked for, read off
 * the handler's phone and signed with), turn by turn, in well under an hour: none is stopped.
 * The accounts were registered earlier from 127.0.0.1 (ten registrations in a minute from
 * one address meet nginx's per-address fence of the code endpoint, which is not under test).
 */
static void test_office_is_never_stopped(void **state)
{
	static struct staff s[STAFF];
	char extra[64], serial[17], no[19];
	time_t t0;
	int signed_orders = 0, checks = 0;
	size_t codes = 0;

	(void)state;
	for (int i = 0; i < STAFF; i++) {
		wiz_register_org(&s[i].c, s[i].login, s[i].mobile);
		api_random_mobile(s[i].mobile); /* the handler's own mobile, on every order of his */
	}
	/* The office's address starts the hour with nothing counted against it. */
	wiz_forget_slots("%:" OFFICE);
	wiz_keep_code_limits(true);
	api_source(OFFICE);
	t0 = time(NULL);
	for (int k = 0; k < ORDERS; k++) {
		struct staff *h = &s[k % STAFF];

		wiz_random_serial(serial);
		wiz_fixture_cert(h->login, h->login, "bjca-zycg", "org", serial, 30, -335, false);
		snprintf(extra, sizeof(extra), ",\"cert_serial\":\"%s\"", serial);
		wiz_create(&h->c, "bjca-zycg", "renew", "org", extra, no);
		wiz_fill(&h->c, no, ORG, h->mobile);
		wiz_verify(&h->c, no, "handler", NULL);
		wiz_verify(&h->c, no, "handler", NULL);
		checks += 2;
		wiz_sign(&h->c, no, h->mobile, "pending_payment");
		signed_orders++;
	}
	api_source(NULL);
	wiz_keep_code_limits(false);
	for (int i = 0; i < STAFF; i++)
		codes += sign_codes(s[i].mobile); /* each read off the phone before its signing */
	/* Any refusal would have failed a step above (wiz_verify, wiz_sign assert their 2xx). */
	print_message("office: %d orders signed, %d checks started, %zu sign codes sent, "
		      "in %lld s from %s\n",
		      signed_orders, checks, codes, (long long)(time(NULL) - t0), OFFICE);
	assert_int_equal(signed_orders, ORDERS);
	assert_int_equal((int)codes, ORDERS);
	/* The defaults this proves: the address backstops hold several times the office. */
	assert_false(cidr_match(&conf.trusted, OFFICE));
	assert_true(conf.code_per_ip_hour >= 2 * ORDERS && conf.verify_per_ip_hour >= 2 * checks);
}

/*
 * One account asks for codes to 200 numbers it does not hold (a change of mobile: a code
 * to any number not yet registered). It is stopped at its hourly limit, and the sandbox
 * gateway received exactly the codes that were allowed: not one more.
 */
static void test_account_spraying_codes_is_stopped(void **state)
{
	struct api_client c = { 0 };
	char login[19], mobile[12], body[96], want[64];
	static char numbers[200][12];
	int allowed = 0, refused = 0, first_refused = 0;
	size_t sent = 0;
	struct api_resp r;

	(void)state;
	wiz_register_org(&c, login, mobile);
	for (int i = 0; i < 200; i++) {
		api_random_mobile(numbers[i]);
		snprintf(body, sizeof(body), "{\"mobile\":\"%.11s\",\"purpose\":\"change_mobile\"}",
			 numbers[i]);
		api_call(&c, "POST", "/api/account/sms-code", body, NULL, &r);
		if (r.status == 200) {
			allowed++;
		} else {
			api_expect_error(&r, 429, "code_limited");
			snprintf(want, sizeof(want), "您的账号获取验证码过于频繁（每小时 %d 条）",
				 conf.code_per_account_hour);
			if (!strstr(r.body, want))
				fail_msg("refusal %d does not name the account's limit: %s", i, r.body);
			refused++;
			if (!first_refused)
				first_refused = i + 1;
		}
		api_free(&r);
	}
	for (int i = 0; i < 200; i++)
		sent += settled_count(numbers[i], i < allowed ? 1 : 0);
	print_message("spray: 200 asked, %d allowed, %d refused (first at %d), gateway sent %zu\n",
		      allowed, refused, first_refused, sent);
	assert_int_equal(allowed, conf.code_per_account_hour);
	assert_int_equal(first_refused, conf.code_per_account_hour + 1);
	assert_int_equal((int)sent, allowed);
	/* Only those numbers heard from the hall: the first ones asked. */
	for (int i = 0; i < 200; i++)
		assert_int_equal((int)api_sandbox_count(numbers[i], NULL), i < allowed ? 1 : 0);
	wiz_clear_code_limits();
}

/* ------------------------------------------------ the clock passed in: shared/domain */

/* A bucket of its own. */
static void bucket_new(char out[64], const char *tag)
{
	unsigned char r[6];

	crypto_random(r, sizeof(r));
	snprintf(out, 64, "lmtest:%s:%02x%02x%02x%02x%02x%02x", tag, r[0], r[1], r[2], r[3], r[4], r[5]);
}

static int take(const char *bucket, int limit, int span, time_t now, int *after)
{
	struct ratelimit_rule rule = { bucket, limit, span };
	int rc = ratelimit_take(&db, &a, &rule, 1, conf.time_zone, now, after, NULL);

	assert_true(rc == 0 || rc == 1);
	return rc;
}

/* 2026-12-06 00:00 UTC, and the hall's midnights around it (Asia/Shanghai, +08:00). */
#define UTC_MIDNIGHT 1796515200LL
#define HALL_MIDNIGHT (UTC_MIDNIGHT + 16 * 3600) /* 2026-12-07 00:00 +08:00 */

/* A day's limit turns at the hall's midnight, and not at UTC's (08:00 in the hall). */
static void test_day_turns_at_hall_midnight(void **state)
{
	char b[64];
	int after = 0;

	(void)state;
	assert_string_equal(conf.time_zone, "Asia/Shanghai");
	bucket_new(b, "day");
	for (int i = 0; i < 3; i++)
		assert_int_equal(take(b, 3, RATELIMIT_DAY, HALL_MIDNIGHT - 60 + i, &after), 1);
	assert_int_equal(take(b, 3, RATELIMIT_DAY, HALL_MIDNIGHT - 30, &after), 0);
	assert_int_equal(after, 30); /* until the hall's midnight */
	assert_int_equal(take(b, 3, RATELIMIT_DAY, HALL_MIDNIGHT - 1, &after), 0);
	assert_int_equal(after, 1);
	assert_int_equal(take(b, 3, RATELIMIT_DAY, HALL_MIDNIGHT, &after), 1);
	/* The same day's limit filled just before UTC's midnight stays full after it. */
	bucket_new(b, "utc");
	for (int i = 0; i < 3; i++)
		assert_int_equal(take(b, 3, RATELIMIT_DAY, UTC_MIDNIGHT - 10 + i, &after), 1);
	assert_int_equal(take(b, 3, RATELIMIT_DAY, UTC_MIDNIGHT + 10, &after), 0);
	assert_int_equal(after, 16 * 3600 - 10);
	/* A refusal counts nothing: the day after holds the limit in full. */
	for (int i = 0; i < 3; i++)
		assert_int_equal(take(b, 3, RATELIMIT_DAY, HALL_MIDNIGHT + i, &after), 1);
	assert_int_equal(take(b, 3, RATELIMIT_DAY, HALL_MIDNIGHT + 3, &after), 0);
}

/* An hour's limit slides: filled at 09:59, it is still full at 10:00:30 (a fixed window
 * would have let as many again through), and has room once the hour has slid past. */
static void test_hour_slides(void **state)
{
	time_t t0 = (time_t)(HALL_MIDNIGHT + 10 * 3600 - 60); /* 09:59:00 in the hall */
	char b[64];
	int after = 0;

	(void)state;
	bucket_new(b, "hour");
	for (int i = 0; i < 5; i++)
		assert_int_equal(take(b, 5, 3600, t0 + i, &after), 1);
	assert_int_equal(take(b, 5, 3600, t0 + 90, &after), 0);
	/* Room when the slot of 09:54-10:00 has slid out: at 11:00 (the slot's end plus the
	 * hour), up to a tenth of the window later than an exact log would say. */
	assert_true(after >= 3600 - 90 && after <= 3600 - 90 + 360);
	{
		int later = 0;

		assert_int_equal(take(b, 5, 3600, t0 + 3599, &later), 0);
	}
	assert_int_equal(take(b, 5, 3600, t0 + 90 + after, &after), 1);
}

/* Several rules at once: a request over one of them counts on none (no lost budget on the
 * others), and the wait named is the longest. */
static void test_all_or_nothing(void **state)
{
	time_t now = (time_t)(HALL_MIDNIGHT + 12 * 3600);
	char b1[64], b2[64];
	struct ratelimit_rule rules[2];
	struct db_rows rows;
	int after = 0;
	size_t which = 9;

	(void)state;
	bucket_new(b1, "all");
	bucket_new(b2, "all");
	rules[0] = (struct ratelimit_rule){ b1, 10, 3600 };
	rules[1] = (struct ratelimit_rule){ b2, 2, RATELIMIT_DAY };
	for (int i = 0; i < 2; i++)
		assert_int_equal(ratelimit_take(&db, &a, rules, 2, conf.time_zone, now + i, &after,
						&which), 1);
	assert_int_equal(ratelimit_take(&db, &a, rules, 2, conf.time_zone, now + 5, &after, &which), 0);
	assert_int_equal((int)which, 1);
	assert_int_equal(after, 12 * 3600 - 5);
	assert_int_equal(db_query(&db, &a, "SELECT SUM(hits) FROM rate_slots WHERE bucket IN (?, ?)",
				  DB_ARGS(DB_STR(b1), DB_STR(b2)), &rows), DB_OK);
	assert_string_equal(db_cell(&rows, 0, 0), "4");
}

/* Codes asked without a session from one untrusted address (registration, login, reset) meet
 * their own backstop, 200 numbers or not; an account's codes from there do not count against
 * it, and a trusted network's own backstop replaces both. */
static void test_anonymous_codes_per_address(void **state)
{
	struct smscode_asker anon = { NULL, NULL, "198.51.100.23", false };
	struct smscode_asker member = { "a987654321", NULL, "198.51.100.23", false };
	time_t now = time(NULL);
	char mobile[12];
	const char *what = NULL;
	int allowed = 0, after = 0, rc;

	(void)state;
	wiz_forget_slots("code:%198.51.100.23");
	for (int i = 0; i < 200; i++) {
		api_random_mobile(mobile);
		rc = smscode_limit(&db, &a, &conf, &key, mobile, &anon, now, &after, &what);
		assert_true(rc == 0 || rc == 1);
		allowed += rc;
	}
	assert_int_equal(allowed, conf.code_per_ip_anon_hour);
	assert_non_null(strstr(what, "当前网络"));
	/* An account's code from the same address still goes: its own limits count it. */
	api_random_mobile(mobile);
	assert_int_equal(smscode_limit(&db, &a, &conf, &key, mobile, &member, now, &after, &what), 1);
	wiz_forget_slots("code:%198.51.100.23");
	wiz_forget_slots("code:a:%:a987654321");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_office_is_never_stopped),
		cmocka_unit_test(test_account_spraying_codes_is_stopped),
		cmocka_unit_test(test_day_turns_at_hall_midnight),
		cmocka_unit_test(test_hour_slides),
		cmocka_unit_test(test_all_or_nothing),
		cmocka_unit_test(test_anonymous_codes_per_address),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
