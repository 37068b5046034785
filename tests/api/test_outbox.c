/* API tests: the outbox delivers every message exactly once through a misbehaving gateway. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
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

/* The stack's config with a retry schedule short enough for a test run. */
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
	snprintf(fast_conf, sizeof(fast_conf), "%s/etc/outbox-test.conf", getenv("CERTHALL_STACK"));
	in = fopen(getenv("CERTHALL_CONF"), "r");
	out = fopen(fast_conf, "w");
	if (!in || !out)
		return -1;
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, n, out);
	fputs("\n[outbox]\nbackoff_base = 1\nbackoff_max = 2\nreconcile_after = 1\nclaim_timeout = 8\n"
	      "batch = 20\nmax_attempts = 60\n[sms]\ntimeout_ms = 1000\n[sms2]\ntimeout_ms = 1000\n"
	      "[mail]\ntimeout_ms = 1000\n", out);
	fclose(in);
	fclose(out);
	conf_load(&conf, fast_conf, err, sizeof(err));
	return arena_init(&a, 1 << 16, 1 << 26) || db_open(&db, &conf) != DB_OK ? -1 : 0;
}

static int teardown(void **state)
{
	struct api_resp r;

	(void)state;
	api_post_json("/sandbox/reset", "{}", &r);
	api_free(&r);
	db_close(&db);
	arena_free(&a);
	return 0;
}

/* A clean slate: nothing left over from an earlier test is still on its way. */
static void gateway(const char *control)
{
	struct api_resp r;

	assert_int_equal(db_exec(&db, "UPDATE outbox SET state = 'failed', claim_token = NULL "
				       "WHERE state NOT IN ('sent', 'failed')", DB_NOARGS, NULL, NULL), DB_OK);

	api_post_json("/sandbox/reset", "{}", &r);
	assert_int_equal(r.status, 200);
	api_free(&r);
	api_post_json("/sandbox/control", control, &r);
	assert_int_equal(r.status, 200);
	api_free(&r);
	/* The stack has two SMS providers: both misbehave alike, and both breakers start closed
	 * (test_sms_failover.c tests the one failing while the other works). */
	api_post_json("/sandbox/control/sms2", control, &r);
	assert_int_equal(r.status, 200);
	api_free(&r);
	assert_int_equal(db_exec(&db, "DELETE FROM sms_breaker", DB_NOARGS, NULL, NULL), DB_OK);
}

struct burst {
	int n;
	const char *mobile;   /* NULL: a fresh random one per message */
	long long first_id;
};

static int add_rows(struct db *d, void *p)
{
	struct burst *b = p;
	int rc = DB_OK;

	for (int i = 0; rc == DB_OK && i < b->n; i++) {
		char mobile[12], no[32];
		unsigned char r[4];
		long long id;
		json_t *params;

		crypto_random(r, sizeof(r));
		snprintf(mobile, sizeof(mobile), "136%08u",
			 ((unsigned)r[0] << 24 | (unsigned)r[1] << 16 | (unsigned)r[2] << 8 |
			  r[3]) % 100000000u);
		snprintf(no, sizeof(no), "2611210100000%05d", i);
		params = json_pack("{s:s, s:s, s:s}", "order_no", no, "business", "新办", "days", "3");
		rc = outbox_add(d, &a, &key, "sms", "order_submitted", b->mobile ? b->mobile : mobile, params, 0, &id);
		json_decref(params);
		if (i == 0)
			b->first_id = id;
	}
	return rc;
}

static long long count_rows(const char *where, long long from)
{
	struct db_rows rows;
	char sql[256];

	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM outbox WHERE id >= ? AND %s", where);
	assert_int_equal(db_query(&db, &a, sql, DB_ARGS(DB_I64(from)), &rows), DB_OK);
	return strtoll(db_cell(&rows, 0, 0), NULL, 10);
}

static pid_t start_sender(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		execl(api_admin(), "certhall-admin", "-c", fast_conf, "outbox", "--daemon",
		      "--interval-ms", "100", (char *)NULL);
		_exit(127);
	}
	return pid;
}

static void stop_sender(pid_t pid, int sig)
{
	int status;

	kill(pid, sig);
	waitpid(pid, &status, 0);
}

/* Waits until every row from `from` is final; returns the seconds it took. */
static double drain(long long from, int n, int limit_s)
{
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (count_rows("state IN ('sent', 'failed')", from) == n)
			break;
		if (t1.tv_sec - t0.tv_sec > limit_s)
			fail_msg("not drained after %d s: %lld of %d final", limit_s,
				 count_rows("state IN ('sent', 'failed')", from), n);
		usleep(200 * 1000);
	}
	return (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
}

/* total == distinct == n and no key twice: every message once, none lost, none doubled. */
static void expect_exactly_once(int n)
{
	struct api_resp r;

	api_get("/sandbox/messages/stats", &r);
	assert_int_equal(r.status, 200);
	if (json_integer_value(json_object_get(r.json, "total")) != n ||
	    json_integer_value(json_object_get(r.json, "distinct_keys")) != n ||
	    json_array_size(json_object_get(r.json, "duplicates")) != 0)
		fail_msg("gateway saw %s, wanted %d distinct messages exactly once", r.body, n);
	api_free(&r);
}

static void test_burst_through_flaky_gateway(void **state)
{
	struct burst b = { .n = 500 };
	pid_t senders[3];
	double secs;

	(void)state;
	gateway("{\"fail_ratio\":0.3,\"timeout_ratio\":0.03,\"timeout_mode\":\"accept\"}");
	assert_int_equal(db_tx(&db, add_rows, &b), DB_OK);
	arena_reset(&a);
	/* Three senders at once: claims keep them off each other's rows. */
	for (int i = 0; i < 3; i++)
		senders[i] = start_sender();
	secs = drain(b.first_id, b.n, 240);
	for (int i = 0; i < 3; i++)
		stop_sender(senders[i], SIGTERM);
	assert_int_equal(count_rows("state = 'sent'", b.first_id), b.n);
	expect_exactly_once(b.n);
	print_message("500 messages, 30%% failures, 3%% timeouts, 3 senders: drained in %.1f s; "
		      "%lld needed more than one attempt\n", secs, count_rows("attempts > 1", b.first_id));
}

static void test_sender_killed_mid_batch(void **state)
{
	struct burst b = { .n = 120 };
	pid_t s;

	(void)state;
	/* Some sends hang: the kill lands while a batch is in flight. */
	gateway("{\"fail_ratio\":0.1,\"timeout_ratio\":0.2,\"timeout_mode\":\"accept\"}");
	assert_int_equal(db_tx(&db, add_rows, &b), DB_OK);
	arena_reset(&a);
	s = start_sender();
	for (int i = 0; i < 300 && count_rows("state = 'sent'", b.first_id) < 10; i++)
		usleep(50 * 1000);
	assert_true(count_rows("state = 'sent'", b.first_id) >= 10);
	stop_sender(s, SIGKILL);
	assert_true(count_rows("state IN ('sent', 'failed')", b.first_id) < b.n);
	s = start_sender();
	drain(b.first_id, b.n, 240);
	stop_sender(s, SIGTERM);
	assert_int_equal(count_rows("state = 'sent'", b.first_id), b.n);
	expect_exactly_once(b.n);
}

/* One pass with the outbox runner: the stack's config with the short retry schedule. */
static void one_pass(void)
{
	char cmd[800];

	snprintf(cmd, sizeof(cmd), "'%s' -c %s outbox >/dev/null 2>&1", api_admin(),
		 fast_conf);
	assert_int_equal(system(cmd), 0);
}

/* Every send times out (the gateway keeping or dropping what it got): all rows go unknown; once
 * the gateway is healthy, reconciliation settles each, and each reaches it exactly once. */
static void timeouts_then_heal(const char *mode)
{
	struct burst b = { .n = 5 };
	char control[128];
	struct api_resp r;

	snprintf(control, sizeof(control), "{\"timeout_ratio\":1.0,\"timeout_mode\":\"%s\"}", mode);
	gateway(control);
	assert_int_equal(db_tx(&db, add_rows, &b), DB_OK);
	one_pass();
	assert_int_equal(count_rows("state = 'unknown'", b.first_id), b.n);
	/* Heal the gateways without clearing what they kept. */
	api_post_json("/sandbox/control", "{\"fail_ratio\":0,\"timeout_ratio\":0}", &r);
	assert_int_equal(r.status, 200);
	api_free(&r);
	api_post_json("/sandbox/control/sms2", "{\"fail_ratio\":0,\"timeout_ratio\":0}", &r);
	assert_int_equal(r.status, 200);
	api_free(&r);
	sleep(2); /* reconcile_after */
	one_pass();
	assert_int_equal(count_rows("state = 'sent'", b.first_id), b.n);
	expect_exactly_once(b.n);
}

/* The gateway kept nothing: unknown, then not found, then sent once. */
static void test_dropped_request_is_resent_once(void **state)
{
	(void)state;
	timeouts_then_heal("drop");
}

/* The gateway took them but the answers were lost: reconciliation finds them, no resend. */
static void test_accepted_timeout_is_not_resent(void **state)
{
	(void)state;
	timeouts_then_heal("accept");
}

/* A sender claimed a batch and died: rows whose send never started go straight back to pending
 * (they never reached the provider); the one in flight is asked about first. */
static void test_unstarted_rows_are_not_lost(void **state)
{
	struct burst b = { .n = 4 };

	(void)state;
	gateway("{}");
	assert_int_equal(db_tx(&db, add_rows, &b), DB_OK);
	assert_int_equal(db_exec(&db, "UPDATE outbox SET state = 'sending', claim_token = 'deadsenderdeadsenderdeadsender00', "
				       "claim_until = NOW(3) - INTERVAL 1 SECOND, in_flight = (id = ?) WHERE id >= ?",
				       DB_ARGS(DB_I64(b.first_id), DB_I64(b.first_id)), NULL, NULL), DB_OK);
	one_pass();
	assert_int_equal(count_rows("state = 'sent'", b.first_id), b.n - 1);
	assert_int_equal(count_rows("state = 'unknown'", b.first_id), 1);
	sleep(2); /* reconcile_after: the gateway never had it, so it is sent now, once */
	one_pass();
	assert_int_equal(count_rows("state = 'sent'", b.first_id), b.n);
	expect_exactly_once(b.n);
}

static void test_permanent_error_stops_and_shows(void **state)
{
	struct burst b = { .n = 1, .mobile = "13900000000" };
	char cmd[800];
	struct db_rows rows;

	(void)state;
	gateway("{\"permanent_numbers\":[\"13900000000\"]}");
	assert_int_equal(db_tx(&db, add_rows, &b), DB_OK);
	one_pass();
	one_pass();
	assert_int_equal(db_query(&db, &a, "SELECT state, attempts, last_error FROM outbox WHERE id = ?",
				  DB_ARGS(DB_I64(b.first_id)), &rows), DB_OK);
	assert_string_equal(db_cell(&rows, 0, 0), "failed");
	assert_string_equal(db_cell(&rows, 0, 1), "1"); /* never retried */
	assert_non_null(strstr(db_cell(&rows, 0, 2), "invalid_number"));
	snprintf(cmd, sizeof(cmd), "'%s' -c %s outbox --failed | grep -qF '139****0000'", api_admin(),
		 fast_conf);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_permanent_error_stops_and_shows),
		cmocka_unit_test(test_unstarted_rows_are_not_lost),
		cmocka_unit_test(test_dropped_request_is_resent_once),
		cmocka_unit_test(test_accepted_timeout_is_not_resent),
		cmocka_unit_test(test_sender_killed_mid_batch),
		cmocka_unit_test(test_burst_through_flaky_gateway),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
