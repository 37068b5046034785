/* ratelimit: fixed-window counters in MariaDB (one upsert a hit, or a batch of hits). */
#include "domain/ratelimit.h"

#include <stdint.h>
#include <string.h>

#include "crypto/crypto.h"

/* LAST_INSERT_ID(expr) hands the new count back with the upsert itself: one round trip. */
static const char sql_add[] =
	"INSERT INTO rate_limits (bucket, win, span, hits) VALUES (?, ?, ?, ?) "
	"ON DUPLICATE KEY UPDATE hits = LAST_INSERT_ID(hits + VALUES(hits))";
/* Only rows of the same window length: their window numbers are comparable. */
static const char sql_prune[] = "DELETE FROM rate_limits WHERE span = ? AND win < ? LIMIT 1000";
static const char sql_undo[] =
	"UPDATE rate_limits SET hits = hits - 1 WHERE bucket = ? AND win = ? AND hits > 0";

/* Adds n hits to (bucket, win); *total gets the window's count after them. */
static int add(struct db *db, const char *bucket, long long win, int window, unsigned n,
	       unsigned long long *total)
{
	unsigned long long affected = 0, hits = 0;
	unsigned char dice = 0;
	int rc;

	rc = db_exec(db, sql_add, DB_ARGS(DB_STR(bucket), DB_I64(win), DB_I64(window), DB_I64(n)),
		     &affected, &hits);
	if (rc != DB_OK)
		return rc;
	*total = affected == 1 ? n : hits; /* inserted: the first hits of the window */
	/* Old windows are swept now and then by whoever passes, never on a timer. */
	if (crypto_random(&dice, 1) == 0 && dice == 0)
		ratelimit_prune(db, window, (time_t)(win * window));
	return DB_OK;
}

static int retry_after(long long win, int window, time_t now)
{
	int after = (int)((win + 1) * window - (long long)now);

	return after < 1 ? 1 : after;
}

int ratelimit_hit(struct db *db, const char *bucket, int limit, int window, time_t now,
		  int *after)
{
	long long win = (long long)now / window;
	unsigned long long hits = 0;
	int rc = add(db, bucket, win, window, 1, &hits);

	if (rc != DB_OK)
		return rc;
	if (hits <= (unsigned long long)limit)
		return 1;
	*after = retry_after(win, window, now);
	return 0;
}

static struct ratelimit_slot *slot_of(struct ratelimit_local *rl, const char *bucket)
{
	uint32_t h = 2166136261u;

	for (const unsigned char *p = (const unsigned char *)bucket; *p; p++)
		h = (h ^ *p) * 16777619u;
	return &rl->slot[h % RATELIMIT_SLOTS];
}

static int flush_slot(struct db *db, struct ratelimit_slot *s, time_t now)
{
	unsigned long long total = 0;
	int rc;

	if (!s->pending)
		return DB_OK;
	rc = add(db, s->bucket, s->win, s->span, s->pending, &total);
	if (rc == DB_OK) {
		s->known = total;
		s->pending = 0;
		s->read_at = now;
	}
	return rc;
}

static unsigned batch_of(int limit, unsigned long long known)
{
	unsigned long long left = known < (unsigned long long)limit ? (unsigned long long)limit - known : 0;
	unsigned long long b = left / RATELIMIT_SHARE;

	return b < 1 ? 1 : b > RATELIMIT_BATCH_MAX ? RATELIMIT_BATCH_MAX : (unsigned)b;
}

int ratelimit_hit_batched(struct db *db, struct ratelimit_local *rl, const char *bucket, int limit,
			  int window, time_t now, int *after)
{
	long long win = (long long)now / window;
	struct ratelimit_slot *s = slot_of(rl, bucket);
	size_t n = strlen(bucket);
	int rc;

	if (n >= sizeof(s->bucket))
		return ratelimit_hit(db, bucket, limit, window, now, after);
	if (s->win != win || s->span != window || strcmp(s->bucket, bucket) != 0) {
		/* Another bucket's, or an older window's: its pending hits go out first (a failed
		 * write loses them, within the slack). */
		flush_slot(db, s, now);
		memcpy(s->bucket, bucket, n + 1);
		s->win = win;
		s->span = window;
		s->pending = 0;
		s->known = 0;
	}
	if (s->known >= (unsigned long long)limit && s->read_at == now)
		goto over;
	if (s->known < (unsigned long long)limit && s->pending + 1 < batch_of(limit, s->known) &&
	    s->known + s->pending + 1 <= (unsigned long long)limit) {
		s->pending++;
		return 1;
	}
	s->pending++;
	rc = flush_slot(db, s, now);
	if (rc != DB_OK) {
		s->pending--;
		return rc;
	}
	if (s->known <= (unsigned long long)limit)
		return 1;
over:
	*after = retry_after(win, window, now);
	return 0;
}

void ratelimit_flush(struct db *db, struct ratelimit_local *rl)
{
	for (size_t i = 0; i < RATELIMIT_SLOTS; i++)
		flush_slot(db, &rl->slot[i], time(NULL));
}

int ratelimit_prune(struct db *db, int window, time_t now)
{
	return db_exec(db, sql_prune, DB_ARGS(DB_I64(window), DB_I64((long long)now / window - 1)),
		       NULL, NULL);
}

int ratelimit_undo(struct db *db, const char *bucket, int window, time_t at)
{
	return db_exec(db, sql_undo, DB_ARGS(DB_STR(bucket), DB_I64((long long)at / window)), NULL,
		       NULL);
}
