/* API tests: SMS through two providers ([sms], then [sms2], the sandbox's two gateways): the
 * first failing, down (its breaker opens, and closes again later), timing out after it took
 * the message; notices reach the person exactly once throughout, a code may go out twice. */
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
#include "base/conf.h"
#include "crypto/crypto.h"
#include "db/db.h"
#include "domain/outbox.h"

static struct conf conf;
static struct crypto_key key;
static struct db db;
static struct arena a;
static char fast_conf[600];

/* The stack's config with a short schedule: 1 s sends, reconcile after 1 s, breaker of 3. */
static int setup(void **state)
{
	char err[512], buf[4096];
	FILE *in, *out;
	size_t n;

	(void)state;
	conf_defaults(&conf);
	if (!getenv("CERTHALL_CONF") || conf_load(&conf, getenv("CERTHALL_CONF"), err, sizeof(err)) ||
	    conf_load_secrets(&conf, err, sizeof(err)) || crypto_key_load(conf.key_file, &key, err, sizeof(err)))
		return -1;
	snprintf(fast_conf, sizeof(fast_conf), "%s/etc/failover-test.conf", getenv("CERTHALL_STACK"));
	in = fopen(getenv("CERTHALL_CONF"), "r");
	out = fopen(fast_conf, "w");
	if (!in || !out)
		return -1;
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, n, out);
	fputs("\n[outbox]\nbackoff_base = 1\nbackoff_max = 2\nreconcile_after = 1\nclaim_timeout = 8\n"
	      "[sms]\ntimeout_ms = 1000\nbreaker_failures = 3\nbreaker_open = 60\n"
	      "[sms2]\ntimeout_ms = 1000\n[mail]\ntimeout_ms = 1000\n", out);
	fclose(in);
	fclose(out);
	if (conf_load(&conf, fast_conf, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	return arena_init(&a, 1 << 16, 1 << 26) || db_open(&db, &conf) != DB_OK ? -1 : 0;
}

static int teardown(void **state)
{
	struct api_resp r;

	(void)state;
	api_post_json("/sandbox/reset", "{}", &r);
	api_free(&r);
	db_exec(&db, "DELETE FROM sms_breaker", DB_NOARGS, NULL, NULL);
	db_close(&db);
	arena_free(&a);
	return 0;
}

static void control(const char *path, const char *json)
{
	struct api_resp r;

	api_post_json(path, json, &r);
	if (r.status != 200)
		fail_msg("%s: %ld %s", path, r.status, r.body);
	api_free(&r);
}

/* A clean slate: nothing earlier still on its way, both gateways healthy and empty, both
 * breakers closed; then the first gateway misbehaves as told. */
static void gateways(const char *first)
{
	assert_int_equal(db_exec(&db, "UPDATE outbox SET state = 'failed', claim_token = NULL "
				       "WHERE state NOT IN ('sent', 'failed')", DB_NOARGS, NULL, NULL), DB_OK);
	assert_int_equal(db_exec(&db, "DELETE FROM sms_breaker", DB_NOARGS, NULL, NULL), DB_OK);
	control("/sandbox/reset", "{}");
	control("/sandbox/control", first);
}

/* One row of event to a fresh mobile (into mobile); its id. */
static long long add(const char *event, char mobile[12])
{
	json_t *params = strcmp(event, "sms_code") == 0
		? json_pack("{s:s, s:s, s:s}", "code", "246810", "minutes", "5", "purpose", "注册")
		: json_pack("{s:s, s:s, s:s}", "order_no", "261121010000000017", "business", "新办", "days", "3");
	long long id = 0;

	api_random_mobile(mobile);
	assert_int_equal(outbox_add(&db, &a, &key, "sms", event, mobile, params, 0, &id), DB_OK);
	json_decref(params);
	arena_reset(&a);
	return id;
}

static void one_pass(void)
{
	char cmd[800];

	snprintf(cmd, sizeof(cmd), "'%s' -c %s outbox >/dev/null 2>&1", api_admin(),
		 fast_conf);
	assert_int_equal(system(cmd), 0);
}

static void row(long long id, const char *col, char *out, size_t outsz)
{
	struct db_rows rows;
	char sql[200];

	snprintf(sql, sizeof(sql), "SELECT %s FROM outbox WHERE id = ?", col);
	assert_int_equal(db_query(&db, &a, sql, DB_ARGS(DB_I64(id)), &rows), DB_OK);
	assert_int_equal(rows.nrows, 1);
	snprintf(out, outsz, "%s", db_cell(&rows, 0, 0) ? db_cell(&rows, 0, 0) : "");
	arena_reset(&a);
}

static void expect_row(long long id, const char *state, const char *provider, int extra)
{
	char v[64];

	row(id, "state", v, sizeof(v));
	assert_string_equal(v, state);
	row(id, "provider", v, sizeof(v));
	assert_string_equal(v, provider);
	row(id, "extra_sends", v, sizeof(v));
	assert_int_equal(strtol(v, NULL, 10), extra);
}

/* The messages the gateways took for mobile: how many through gateway 1 and 2. */
static void taken(const char *mobile, int *g1, int *g2)
{
	char path[120];
	struct api_resp r;
	json_t *m;
	size_t i;

	*g1 = *g2 = 0;
	snprintf(path, sizeof(path), "/sandbox/messages?to=%s", mobile);
	api_get(path, &r);
	assert_int_equal(r.status, 200);
	json_array_foreach(json_object_get(r.json, "messages"), i, m) {
		if (json_integer_value(json_object_get(m, "gateway")) == 2)
			(*g2)++;
		else
			(*g1)++;
	}
	api_free(&r);
}

static bool breaker_open(const char *slot)
{
	struct db_rows rows;
	bool open;

	assert_int_equal(db_query(&db, &a, "SELECT COUNT(*) FROM sms_breaker WHERE slot = ? AND open_until > NOW(3)",
				  DB_ARGS(DB_STR(slot)), &rows), DB_OK);
	open = strcmp(db_cell(&rows, 0, 0), "1") == 0;
	arena_reset(&a);
	return open;
}

/* ---- the first provider refuses or fails: the next one takes it at once ---- */

static void test_first_provider_failing(void **state)
{
	char m1[12], m2[12], code[7];
	long long c, n;
	int g1, g2;

	(void)state;
	gateways("{\"fail_ratio\":1.0}");
	c = add("sms_code", m1);
	n = add("order_submitted", m2);
	one_pass();
	expect_row(c, "sent", "sms2", 0);
	expect_row(n, "sent", "sms2", 0);
	taken(m1, &g1, &g2);
	assert_true(g1 == 0 && g2 == 1);
	taken(m2, &g1, &g2);
	assert_true(g1 == 0 && g2 == 1);
	/* A gateway's refusal of the message (not of the number) goes on to the next as well. */
	gateways("{\"permanent_ratio\":1.0}");
	n = add("order_submitted", m2);
	one_pass();
	expect_row(n, "sent", "sms2", 0);
	/* And a code a person asks for, sent right after the answer, arrives through the next. */
	gateways("{\"fail_ratio\":1.0}");
	api_random_mobile(m1);
	api_get_code(m1, "register", code);
	taken(m1, &g1, &g2);
	assert_true(g1 == 0 && g2 == 1);
	/* A number no gateway can reach still fails, once, for staff to see. */
	gateways("{\"permanent_numbers\":[\"13900000000\"]}");
	{
		json_t *p = json_pack("{s:s, s:s, s:s}", "order_no", "261121010000000017", "business", "新办", "days", "3");

		assert_int_equal(outbox_add(&db, &a, &key, "sms", "order_submitted", "13900000000", p, 0, &n), DB_OK);
		json_decref(p);
		arena_reset(&a);
	}
	one_pass();
	expect_row(n, "failed", "sms2", 0); /* refused by both, the last one named */
	assert_false(breaker_open("sms"));
}

/* ---- the first provider down: taken out after 3 failures, tried again later ---- */

static void test_first_provider_down(void **state)
{
	char m[8][12], v[64];
	long long id[8];
	int g1, g2;

	(void)state;
	gateways("{\"fail_ratio\":1.0}");
	for (int i = 0; i < 3; i++) {
		id[i] = add("order_submitted", m[i]);
		one_pass();
		expect_row(id[i], "sent", "sms2", 0);
	}
	assert_true(breaker_open("sms"));
	/* Healed, but out for breaker_open seconds: the next messages skip it. */
	control("/sandbox/control", "{\"fail_ratio\":0}");
	id[3] = add("sms_code", m[3]);
	id[4] = add("order_submitted", m[4]);
	one_pass();
	expect_row(id[3], "sent", "sms2", 0);
	expect_row(id[4], "sent", "sms2", 0);
	taken(m[4], &g1, &g2);
	assert_true(g1 == 0 && g2 == 1);
	/* The time passes (as 60 s would): tried again, taken, the breaker closes. */
	assert_int_equal(db_exec(&db, "UPDATE sms_breaker SET open_until = NOW(3) - INTERVAL 1 SECOND "
				       "WHERE slot = 'sms'", DB_NOARGS, NULL, NULL), DB_OK);
	id[5] = add("order_submitted", m[5]);
	one_pass();
	expect_row(id[5], "sent", "sms", 0);
	assert_false(breaker_open("sms"));
	{
		struct db_rows rows;

		assert_int_equal(db_query(&db, &a, "SELECT fails FROM sms_breaker WHERE slot = 'sms'",
					  DB_NOARGS, &rows), DB_OK);
		assert_string_equal(db_cell(&rows, 0, 0), "0");
		arena_reset(&a);
	}
	row(id[5], "attempts", v, sizeof(v));
	assert_string_equal(v, "1");
	/* Both down: nothing lost, each row waits for its retry, none sent twice. */
	control("/sandbox/control", "{\"fail_ratio\":1.0}");
	control("/sandbox/control/sms2", "{\"fail_ratio\":1.0}");
	id[6] = add("order_submitted", m[6]);
	one_pass();
	row(id[6], "state", v, sizeof(v));
	assert_string_equal(v, "pending");
	control("/sandbox/control", "{\"fail_ratio\":0}");
	control("/sandbox/control/sms2", "{\"fail_ratio\":0}");
	for (int i = 0; i < 10; i++) {
		row(id[6], "state", v, sizeof(v));
		if (strcmp(v, "sent") == 0)
			break;
		sleep(1);
		one_pass();
	}
	assert_string_equal(v, "sent");
	for (int i = 0; i < 7; i++) {
		taken(m[i], &g1, &g2);
		if (g1 + g2 != 1)
			fail_msg("message %d reached the gateways %d + %d times", i, g1, g2);
	}
}

/* ---- the first provider times out after taking the message ---- */

static void test_first_provider_times_out_after_accepting(void **state)
{
	char mc[12], mn[12];
	long long c, n;
	int g1, g2;

	(void)state;
	gateways("{\"timeout_ratio\":1.0,\"timeout_mode\":\"accept\"}");
	c = add("sms_code", mc);
	n = add("order_submitted", mn);
	one_pass();
	/* The code: the person is waiting; the same code goes out through the next provider at
	 * once, and the second send is counted. */
	expect_row(c, "sent", "sms2", 1);
	taken(mc, &g1, &g2);
	assert_true(g1 == 1 && g2 == 1);
	/* The notice: in doubt, asked about before anything is sent again. */
	expect_row(n, "unknown", "sms", 0);
	taken(mn, &g1, &g2);
	assert_true(g1 == 1 && g2 == 0);
	control("/sandbox/control", "{\"timeout_ratio\":0}");
	sleep(2); /* reconcile_after */
	one_pass();
	expect_row(n, "sent", "sms", 0);
	taken(mn, &g1, &g2);
	assert_true(g1 == 1 && g2 == 0);
	/* Dropped instead of taken: the status query says so, and it is sent once. */
	gateways("{\"timeout_ratio\":1.0,\"timeout_mode\":\"drop\"}");
	n = add("order_submitted", mn);
	one_pass();
	expect_row(n, "unknown", "sms", 0);
	control("/sandbox/control", "{\"timeout_ratio\":0}");
	sleep(2);
	one_pass();
	row(n, "state", mc, sizeof(mc));
	assert_string_equal(mc, "sent");
	taken(mn, &g1, &g2);
	assert_int_equal(g1 + g2, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_provider_failing),
		cmocka_unit_test(test_first_provider_down),
		cmocka_unit_test(test_first_provider_times_out_after_accepting),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
