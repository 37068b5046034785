/* API tests: the look-up's answers cached by certhall-track (fcgi-apps/track/cache.c), and
 * dropped when their order changes: here at once, on another host within cache_poll_ms.
 * The test stack runs with [track] cache_check = 1: every answer given from the cache is
 * compared with the database's, and a stale one is a 500, in this file and in every other. */
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
#include "base/conf.h"
#include "crypto/crypto.h"
#include "db/db.h"
#include "domain/order.h"
#include "domain/orderno.h"
#include "wizclient.h"

static struct conf conf;
static struct crypto_key key;
static struct db db;
static struct arena a;
static struct api_client owner;
static char owner_mobile[12], uscc[19];

static void lookup(const char *no, const char *tail, struct api_resp *r)
{
	wiz_track(no, tail, r);
}

static const char *cache_of(const struct api_resp *r)
{
	static char v[16];

	return api_header(r, "X-Certhall-Cache", v, sizeof(v)) ? v : "";
}

/* A draft with its handler's mobile (set here, as test_track_waybill.c does, before any
 * look-up of it): the look-up finds it by that mobile's last four digits. */
static void draft(char no[19])
{
	unsigned char enc[64];
	size_t n = 0;

	wiz_create(&owner, "jxca-js", "new", "org", NULL, no);
	assert_int_equal(crypto_seal(&key, owner_mobile, 11, ORDER_AAD_HANDLER_MOBILE, enc,
				     sizeof(enc), &n), 0);
	assert_int_equal(db_exec(&db, "UPDATE orders SET handler_mobile_enc = ?, open_key = NULL, "
				 "claim_key = NULL WHERE order_no = ?",
				 DB_ARGS(DB_BLOB(enc, n), DB_STR(no)), NULL, NULL), DB_OK);
}

/* A mail-in order waiting for its paper (the state set here, before any look-up of it). */
static void awaiting_paper(char no[19])
{
	char sql[256];

	draft(no);
	snprintf(sql, sizeof(sql), "UPDATE orders SET state = 'awaiting_paper', mail_in = 1 "
		 "WHERE order_no = '%s'", no);
	wiz_sql(sql);
}

/* Looks up until the cache answers (the first look-up fills it); returns that answer. */
static void cached(const char *no, struct api_resp *r)
{
	for (int i = 0; i < 3; i++) {
		lookup(no, owner_mobile + 7, r);
		assert_int_equal(r->status, 200);
		if (strcmp(cache_of(r), "hit") == 0)
			return;
		api_free(r);
	}
	fail_msg("order %s: three look-ups, none answered from the cache", no);
}

static unsigned long long host_epoch(void)
{
	char path[512];
	unsigned long long v = 0;
	FILE *f = fopen(api_stack_path("run/changes.epoch", path, sizeof(path)), "rb");

	assert_non_null(f);
	assert_int_equal(fread(&v, sizeof(v), 1, f), 1);
	fclose(f);
	return v;
}

static void enter_waybill(const char *no, char number[16])
{
	unsigned char d[13];
	char body[128], path[96];
	struct api_resp r;

	crypto_random(d, sizeof(d));
	number[0] = 'S';
	number[1] = 'F';
	for (int i = 0; i < 13; i++)
		number[2 + i] = (char)('0' + d[i] % 10);
	number[15] = '\0';
	snprintf(body, sizeof(body), "{\"carrier\":\"sf\",\"number\":\"%s\"}", number);
	snprintf(path, sizeof(path), "/api/track/orders/%s/waybill", no);
	api_call(&owner, "POST", path, body, NULL, &r);
	if (r.status != 200)
		fail_msg("waybill %s: %ld %s", number, r.status, r.body);
	api_free(&r);
}

static void courier_says(const char *number, const char *state)
{
	char body[160];
	struct api_resp r;

	snprintf(body, sizeof(body), "{\"carrier\":\"sf\",\"number\":\"%s\",\"state\":\"%s\"}", number,
		 state);
	api_post_json("/sandbox/courier/tracks", body, &r);
	assert_int_equal(r.status, 200);
	api_free(&r);
	/* Its refresh is due now (time passing, not a step of anyone's). */
	assert_int_equal(db_exec(&db, "UPDATE waybills SET refresh_due = NOW(3) WHERE number = ?",
				 DB_ARGS(DB_STR(number)), NULL, NULL), DB_OK);
}

/* The courier refresh pass (certhall-admin courier) under the configuration conf_path, until
 * the waybill has the courier's state (a pass takes 20 due waybills, oldest first: other
 * tests' may come before it). */
static void courier_pass(const char *conf_path, const char *number, const char *state)
{
	char cmd[1200], out[1024], sql[256], got[32];

	snprintf(cmd, sizeof(cmd), "'%s' -c '%s' courier 2>&1", api_admin(), conf_path);
	snprintf(sql, sizeof(sql), "SELECT COALESCE(last_state, '') FROM waybills WHERE number = '%s'",
		 number);
	for (int i = 0; i < 20; i++) {
		if (wiz_run(cmd, out, sizeof(out)) != 0)
			fail_msg("%s: %s", cmd, out);
		wiz_sql_value(sql, got, sizeof(got));
		if (strcmp(got, state) == 0)
			return;
	}
	fail_msg("waybill %s: the courier pass did not store %s (%s)", number, state, got);
}

static const char *message(const struct api_resp *r)
{
	return json_string_value(json_object_get(json_object_get(r->json, "error"), "message"));
}

static const char *waybill_state(const struct api_resp *r)
{
	json_t *w = json_array_get(json_object_get(r->json, "waybills"), 0);

	return w ? json_string_value(json_object_get(w, "state")) : NULL;
}

/* The second look-up is the cache's, byte for byte the first; wrong digits are refused from
 * it exactly as the database refuses them, and an unknown number is never cached. */
static void test_cached_answer_is_the_same(void **state)
{
	char no[19], unknown[19];
	struct api_resp first, second, wrong, none;

	(void)state;
	draft(no);
	lookup(no, owner_mobile + 7, &first);
	assert_int_equal(first.status, 200);
	assert_string_equal(cache_of(&first), "miss");
	cached(no, &second);
	assert_int_equal(second.len, first.len);
	assert_memory_equal(second.body, first.body, first.len);

	lookup(no, strcmp(owner_mobile + 7, "0000") ? "0000" : "1111", &wrong);
	api_expect_error(&wrong, 404, "not_found");
	assert_string_equal(cache_of(&wrong), "hit");
	/* A well-formed number of a year ago that no order has. */
	assert_int_equal(orderno_make(unknown, time(NULL) - 86400 * 400, 9), 0);
	for (int i = 0; i < 2; i++) {
		lookup(unknown, owner_mobile + 7, &none);
		api_expect_error(&none, 404, "not_found");
		assert_string_equal(cache_of(&none), "miss");
		assert_string_equal(message(&none), message(&wrong));
		api_free(&none);
	}
	api_free(&first);
	api_free(&second);
	api_free(&wrong);
}

/* A change made on this host is in the very next look-up: the applicant's waybill (track),
 * the courier's answer (the refresh pass, run here with the stack's configuration). */
static void test_change_here_seen_at_once(void **state)
{
	char no[19], number[16], stack_conf[512];
	struct api_resp r;
	unsigned long long before;

	(void)state;
	api_stack_path("etc/certhall.conf", stack_conf, sizeof(stack_conf));
	awaiting_paper(no);
	cached(no, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "waybills")), 0);
	api_free(&r);

	before = host_epoch();
	enter_waybill(no, number);
	assert_true(host_epoch() > before);
	lookup(no, owner_mobile + 7, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(cache_of(&r), "miss");
	assert_int_equal(json_array_size(json_object_get(r.json, "waybills")), 1);
	api_free(&r);

	cached(no, &r);
	api_free(&r);
	courier_says(number, "in_transit");
	courier_pass(stack_conf, number, "in_transit");
	lookup(no, owner_mobile + 7, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(waybill_state(&r), "in_transit");
	api_free(&r);
}

/* Another host: the refresh pass run with a configuration of its own socket directory, so
 * its change epoch is not this host's. The answer cached here stays until a worker reads the
 * change log, within cache_poll_ms; after that the look-up is the new one (and with
 * cache_check on, a cached stale answer would be a 500). */
static void test_change_elsewhere_seen_within_the_poll(void **state)
{
	char no[19], number[16], dir[] = "/tmp/certhall-otherhost.XXXXXX", cmd[1536];
	char stack_conf[512], other_conf[600];
	struct api_resp r;
	unsigned long long before;
	struct timespec pause;

	(void)state;
	assert_non_null(mkdtemp(dir));
	api_stack_path("etc/certhall.conf", stack_conf, sizeof(stack_conf));
	snprintf(cmd, sizeof(cmd), "sed 's|^socket_dir = .*|socket_dir = %s|' '%s' > '%s/certhall.conf'",
		 dir, stack_conf, dir);
	assert_int_equal(system(cmd), 0);

	awaiting_paper(no);
	enter_waybill(no, number);
	cached(no, &r);
	assert_string_equal(waybill_state(&r), "unknown");
	api_free(&r);

	courier_says(number, "delivering");
	before = host_epoch();
	snprintf(other_conf, sizeof(other_conf), "%s/certhall.conf", dir);
	courier_pass(other_conf, number, "delivering");
	assert_int_equal(host_epoch(), before); /* nothing told this host */
	assert_true(conf.track_cache_poll_ms > 0);
	pause.tv_sec = (2 * conf.track_cache_poll_ms + 100) / 1000;
	pause.tv_nsec = (long)((2 * conf.track_cache_poll_ms + 100) % 1000) * 1000000L;
	nanosleep(&pause, NULL);
	lookup(no, owner_mobile + 7, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(waybill_state(&r), "delivering");
	api_free(&r);

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* What cache_check is for: a writer that changes an answer without a row in order_changes
 * (here SQL, standing for a bug) leaves a stale answer in the cache, and the check catches
 * it as a 500 instead of passing it on: so every other test's look-ups prove the writers
 * they drive note their changes. */
static void test_check_catches_an_unnoted_change(void **state)
{
	char no[19], sql[256];
	struct api_resp r;

	(void)state;
	draft(no);
	cached(no, &r);
	api_free(&r);
	snprintf(sql, sizeof(sql), "UPDATE orders SET subject_name = CONCAT(subject_name, '分公司') "
		 "WHERE order_no = '%s'", no);
	wiz_sql(sql);
	lookup(no, owner_mobile + 7, &r);
	api_expect_error(&r, 500, "internal");
	api_free(&r);
}

static int setup(void **state)
{
	(void)state;
	if (wiz_open(&conf, &key, &db, &a) < 0)
		return -1;
	wiz_register_org(&owner, uscc, owner_mobile);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	wiz_close(&db, &a);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cached_answer_is_the_same),
		cmocka_unit_test(test_change_here_seen_at_once),
		cmocka_unit_test(test_change_elsewhere_seen_within_the_poll),
		cmocka_unit_test(test_check_catches_an_unnoted_change),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
