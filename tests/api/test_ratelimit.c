/* API tests: the batched look-up counters (shared/domain/ratelimit.h) against the stack's MariaDB,
 * several workers played by several local states, their hits interleaved. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "base/conf.h"
#include "crypto/crypto.h"
#include "db/db.h"
#include "domain/ratelimit.h"
#include "wizclient.h"

#define WORKERS 4

static struct conf conf;
static struct db db;
static struct arena a;
static struct ratelimit_local workers[WORKERS];

static int setup(void **state)
{
	(void)state;
	return wiz_open(&conf, NULL, &db, &a);
}

static int teardown(void **state)
{
	(void)state;
	wiz_close(&db, &a);
	return 0;
}

/* A bucket of its own (no other test's hits in it). */
static void bucket_new(char out[64])
{
	unsigned char r[8];

	crypto_random(r, sizeof(r));
	snprintf(out, 64, "rltest:%02x%02x%02x%02x%02x%02x%02x%02x", r[0], r[1], r[2], r[3], r[4],
		 r[5], r[6], r[7]);
}

static long long stored(const char *bucket)
{
	struct db_rows rows;

	assert_int_equal(db_query(&db, &a, "SELECT COALESCE(SUM(hits), 0) FROM rate_limits WHERE bucket = ?",
				  DB_ARGS(DB_STR(bucket)), &rows), DB_OK);
	return strtoll(db_cell(&rows, 0, 0), NULL, 10);
}

/* hits from WORKERS workers in turn (a pattern per round); returns how many were allowed and
 * sets *first_refused (0: none). */
static int play(const char *bucket, int limit, int hits, time_t now, int *first_refused)
{
	int allowed = 0, after = 0;

	*first_refused = 0;
	memset(workers, 0, sizeof(workers));
	for (int i = 0; i < hits; i++) {
		/* Uneven turns: worker 0 takes half the hits, the others the rest. */
		int w = i % 2 ? 0 : 1 + (i / 2) % (WORKERS - 1);
		int rc = ratelimit_hit_batched(&db, &workers[w], bucket, limit, 60, now, &after);

		assert_true(rc == 0 || rc == 1);
		ratelimit_flush_due(&db, &workers[w]); /* the worker, after the answer */
		if (rc == 1) {
			allowed++;
		} else {
			if (!*first_refused)
				*first_refused = i + 1;
			assert_true(after >= 1 && after <= 60);
		}
	}
	return allowed;
}

/* A small limit is counted hit by hit: exact, whichever worker takes each hit. */
static void test_small_limit_exact(void **state)
{
	char bucket[64];
	int refused, allowed;
	time_t now = time(NULL);

	(void)state;
	bucket_new(bucket);
	allowed = play(bucket, 30, 100, now, &refused);
	assert_int_equal(allowed, 30);
	assert_int_equal(refused, 31);
	/* Each worker writes its first refusal (it learns the total so); later ones are not. */
	assert_true(stored(bucket) > 30 && stored(bucket) <= 30 + WORKERS);
}

/* A large limit is written in batches; the total allowed stays within the documented slack,
 * never under the limit, and every hit allowed is in the table once the workers flush. */
static void test_large_limit_slack(void **state)
{
	char bucket[64];
	int refused, allowed, limit = 10000;
	int batch = limit / RATELIMIT_SHARE > RATELIMIT_BATCH_MAX ? RATELIMIT_BATCH_MAX : limit / RATELIMIT_SHARE;
	time_t now = time(NULL);
	long long before;

	(void)state;
	bucket_new(bucket);
	allowed = play(bucket, limit, 2 * limit, now, &refused);
	assert_true(allowed >= limit);
	assert_true(allowed <= limit + WORKERS * batch);
	assert_true(refused > limit);
	before = stored(bucket);
	assert_true(before < 2 * limit); /* refusals once known are not written */
	for (int w = 0; w < WORKERS; w++)
		ratelimit_flush(&db, &workers[w]);
	assert_true(stored(bucket) >= allowed);
	/* Fewer writes than hits: the point of batching. */
	assert_true(before < limit + limit / 2);
}

/* A new window starts from zero; the old window's pending hits go out first. */
static void test_new_window(void **state)
{
	char bucket[64];
	int refused, after = 0;
	time_t now = time(NULL);

	(void)state;
	bucket_new(bucket);
	assert_int_equal(play(bucket, 5, 10, now, &refused), 5);
	assert_int_equal(ratelimit_hit_batched(&db, &workers[0], bucket, 5, 60, now + 60, &after), 1);
}

/* Counters an operator clears count again from the next second on, in every worker: none
 * goes on refusing from what it knew. */
static void test_cleared(void **state)
{
	char bucket[64];
	int refused, after = 0;
	time_t now = time(NULL);

	(void)state;
	bucket_new(bucket);
	assert_int_equal(play(bucket, 40, 200, now, &refused), 40);
	assert_int_equal(db_exec(&db, "DELETE FROM rate_limits WHERE bucket = ?",
				 DB_ARGS(DB_STR(bucket)), NULL, NULL), DB_OK);
	for (int w = 0; w < WORKERS; w++)
		assert_int_equal(ratelimit_hit_batched(&db, &workers[w], bucket, 40, 60, now + 1, &after),
				 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_limit_exact),
		cmocka_unit_test(test_large_limit_slack),
		cmocka_unit_test(test_new_window),
		cmocka_unit_test(test_cleared),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
