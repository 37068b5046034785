/* ratelimit: counters in MariaDB, shared by every worker and host: fixed windows (hit by hit,
 * or batched for the public look-ups), and sliding windows and hall days for the limits that
 * count codes and identity checks per mobile, account, subject and address. */
#ifndef CERTHALL_RATELIMIT_H
#define CERTHALL_RATELIMIT_H

#include <stdbool.h>
#include <time.h>

#include "base/arena.h"
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
 * together with the pending ones when the batch is full: after the answer
 * (ratelimit_flush_due), the hit that fills it allowed on what the worker knew, so that no
 * look-up waits for the write; a batch of one is written before its hit is allowed. The batch is (limit - known) / RATELIMIT_SHARE hits, at least 1 and at most
 * RATELIMIT_BATCH_MAX: a limit of 30 a minute (the default) is counted hit by hit, exactly as
 * ratelimit_hit does; a large one is written every few dozen hits, and more often as the
 * total nears the limit.
 *
 * Slack: only upward, and bounded. Each worker process holds at most one batch unchecked
 * against the database's total, so across all workers of all hosts a bucket takes at most
 *     limit + P * min(limit / RATELIMIT_SHARE, RATELIMIT_BATCH_MAX)
 * hits a window, P the number of worker processes that serve it (0 extra when
 * limit < 2 * RATELIMIT_SHARE, where every hit is written before it is allowed). A worker writes what it holds when it exits; one that
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
	bool due;       /* a full batch, to be written after the answer */
};

/* One worker's pending counts (zeroed: empty). Direct-mapped by bucket: a bucket that takes
 * another's slot writes the other's pending hits first. */
struct ratelimit_local {
	struct ratelimit_slot slot[RATELIMIT_SLOTS];
	bool due;       /* some slot is */
};

/* Counts one hit as above. Returns 1 if allowed, 0 if over (retry_after set), or a DB_*
 * error (the hit is then neither counted nor allowed). */
int ratelimit_hit_batched(struct db *db, struct ratelimit_local *rl, const char *bucket, int limit,
			  int window, time_t now, int *retry_after);

/* Writes the full batches (after each answer; nothing to do, nothing done). */
void ratelimit_flush_due(struct db *db, struct ratelimit_local *rl);

/* Writes every pending hit (a worker's exit). */
void ratelimit_flush(struct db *db, struct ratelimit_local *rl);

/* Deletes the windows of this length that have ended (what ratelimit_hit does now and then). */
int ratelimit_prune(struct db *db, int window, time_t now);

/* Takes back one hit counted at time `at` (an attempt that turned out fine). */
int ratelimit_undo(struct db *db, const char *bucket, int window, time_t at);

/*
 * Sliding windows and hall days (table rate_slots), for the limits that must not stop an
 * office at the turn of a fixed window nor let an abuser in twice across it.
 *
 * A rule of span seconds counts its hits in slots of span / RATELIMIT_SLOTS_PER_SPAN seconds;
 * a slot counts until the window has slid past its end, so a hit counts for at least span and
 * at most span + span / 10 seconds: the error is upward only, a tenth of the window. A rule of
 * RATELIMIT_DAY counts the hall's calendar day ([limits] time_zone): its hits count until the
 * hall's next midnight, whatever UTC says.
 *
 * ratelimit_take counts one hit on every rule of a request, or on none: the hits are written
 * and the totals read in one transaction, and rolled back if any rule is over. A refused
 * request so costs nothing against any limit, and a client hammering a full window is let in
 * as soon as it has room. Two requests at once on the same bucket serialise on its slot's
 * row: the limit is exact.
 */
#define RATELIMIT_DAY 0
#define RATELIMIT_RULES_MAX 8
#define RATELIMIT_SLOTS_PER_SPAN 10

struct ratelimit_rule {
	const char *bucket; /* a name of its own per rule, under 96 bytes; NULL or "": skipped */
	int limit;
	int span;           /* seconds (10 or more), or RATELIMIT_DAY */
};

/* Returns 1 allowed (every rule counted one hit), 0 refused (none counted: *retry_after gets
 * the seconds until every refusing rule has room, *which the index of the refusing rule that
 * waits longest), or a DB_* error. n is at most RATELIMIT_RULES_MAX. */
int ratelimit_take(struct db *db, struct arena *a, const struct ratelimit_rule *rules, size_t n,
		   const char *zone, time_t now, int *retry_after, size_t *which);

/* The slot (rate_slots.slot) a hit of rule at now falls in, and when it stops counting
 * (rate_slots.expires). Returns DB_OK, or DB_ERR when the C library cannot say the day. */
int ratelimit_slot(const struct ratelimit_rule *rule, const char *zone, time_t now,
		   long long *slot, long long *expires);

#endif
