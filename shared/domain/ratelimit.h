/* ratelimit: fixed-window counters in MariaDB, shared by every worker and host. */
#ifndef CERTHALL_RATELIMIT_H
#define CERTHALL_RATELIMIT_H

#include <time.h>

#include "db/db.h"

/* Counts one hit on bucket ("track:<addr>") in the current window of `window` seconds.
 * Returns 1 if allowed, 0 if over `limit` (retry_after gets the seconds to the next window),
 * or a DB_* error. Exact: one write a hit. */
int ratelimit_hit(struct db *db, const char *bucket, int limit, int window, time_t now,
		  int *retry_after);

/*
 * Batched counting, for the public look-ups, whose every request would otherwise write.
 *
 * A worker keeps the hits it allowed but has not written yet ("pending") per bucket, and the
 * window's total as the database last told it ("known"). A hit is refused without a write
 * when known >= limit and the database said so this very second (the total only grows within
 * a window, so this never refuses wrongly; after a second the hit is written and the total
 * read again, so that counters an operator clears take effect within a second, and a flood
 * from one address costs one write a second per worker). Otherwise it is allowed, and written
 * together with the pending ones when the batch is full. The batch is (limit - known) / RATELIMIT_SHARE hits, at least 1 and at most
 * RATELIMIT_BATCH_MAX: a limit of 30 a minute (the default) is counted hit by hit, exactly as
 * ratelimit_hit does; a large one is written every few dozen hits, and more often as the
 * total nears the limit.
 *
 * Slack: only upward, and bounded. Each worker process holds fewer than one batch unwritten,
 * so across all workers of all hosts a bucket takes at most
 *     limit + P * (min(limit / RATELIMIT_SHARE, RATELIMIT_BATCH_MAX) - 1)
 * hits a window, P the number of worker processes that serve it (0 extra when
 * limit < 2 * RATELIMIT_SHARE). A worker writes what it holds when it exits; one that
 * crashes loses its pending hits, which is the same slack.
 */
#define RATELIMIT_SHARE 16
#define RATELIMIT_BATCH_MAX 64
#define RATELIMIT_SLOTS 64

struct ratelimit_slot {
	char bucket[96];
	long long win;
	int span;
	unsigned pending;
	unsigned long long known;
	time_t read_at; /* when known was read */
};

/* One worker's pending counts (zeroed: empty). Direct-mapped by bucket: a bucket that takes
 * another's slot writes the other's pending hits first. */
struct ratelimit_local {
	struct ratelimit_slot slot[RATELIMIT_SLOTS];
};

/* Counts one hit as above. Returns 1 if allowed, 0 if over (retry_after set), or a DB_*
 * error (the hit is then neither counted nor allowed). */
int ratelimit_hit_batched(struct db *db, struct ratelimit_local *rl, const char *bucket, int limit,
			  int window, time_t now, int *retry_after);

/* Writes every pending hit (a worker's exit). */
void ratelimit_flush(struct db *db, struct ratelimit_local *rl);

/* Deletes the windows of this length that have ended (what ratelimit_hit does now and then). */
int ratelimit_prune(struct db *db, int window, time_t now);

/* Takes back one hit counted at time `at` (an attempt that turned out fine). */
int ratelimit_undo(struct db *db, const char *bucket, int window, time_t at);

#endif
