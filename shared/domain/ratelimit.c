/* ratelimit: fixed-window counters in MariaDB (one upsert a hit, or a batch of hits), and
 * sliding-window and hall-day counters (a transaction a request, every rule at once). */
#include "domain/ratelimit.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/hallday.h"
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
	if (s->known < (unsigned long long)limit && !s->due &&
	    s->known + s->pending + 1 <= (unsigned long long)limit) {
		unsigned batch = batch_of(limit, s->known);

		if (s->pending + 1 < batch) {
			s->pending++;
			return 1;
		}
		/* The batch is full: it goes out after the answer (ratelimit_flush_due), so that no
		 * look-up waits for a write. Not for a batch of one: small limits stay exact. */
		if (batch > 1) {
			s->pending++;
			s->due = true;
			rl->due = true;
			return 1;
		}
	}
	s->pending++;
	rc = flush_slot(db, s, now);
	if (rc != DB_OK) {
		s->pending--;
		return rc;
	}
	s->due = false;
	if (s->known <= (unsigned long long)limit)
		return 1;
over:
	*after = retry_after(win, window, now);
	return 0;
}

void ratelimit_flush_due(struct db *db, struct ratelimit_local *rl)
{
	time_t now;

	if (!rl->due)
		return;
	now = time(NULL);
	rl->due = false;
	for (size_t i = 0; i < RATELIMIT_SLOTS; i++) {
		struct ratelimit_slot *s = &rl->slot[i];

		/* A failed write keeps its hits pending and the slot due: the next hit on it
		 * writes them itself, before it is allowed. */
		if (s->due && flush_slot(db, s, now) == DB_OK)
			s->due = false;
	}
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

/* ------------------------------------------------------- sliding windows, hall days */

static const char sql_slot_add[] =
	"INSERT INTO rate_slots (bucket, slot, hits, expires) VALUES (?, ?, 1, ?) "
	"ON DUPLICATE KEY UPDATE hits = hits + 1";
/* Every rule's live slots in one read; unused places hold "" (no bucket is named so). */
static const char sql_slots[] =
	"SELECT bucket, hits, expires FROM rate_slots WHERE bucket IN (?, ?, ?, ?, ?, ?, ?, ?) "
	"AND expires > ? ORDER BY bucket, slot";
static const char sql_slots_prune[] = "DELETE FROM rate_slots WHERE expires <= ? LIMIT 1000";

#define TAKE_OVER 1 /* take_tx's verdict when a rule is over: rolls the hits back */

struct take {
	struct arena *a;
	const struct ratelimit_rule *rules;
	size_t n;
	time_t now;
	long long slot[RATELIMIT_RULES_MAX], expires[RATELIMIT_RULES_MAX];
	int after;
	size_t which;
};

int ratelimit_slot(const struct ratelimit_rule *r, const char *zone, time_t now,
			long long *slot, long long *expires)
{
	time_t start, end;
	long long len;

	if (r->span == RATELIMIT_DAY) {
		if (hallday_bounds(zone, now, &start, &end) < 0)
			return DB_ERR;
		*slot = (long long)start;
		*expires = (long long)end;
		return DB_OK;
	}
	len = r->span / RATELIMIT_SLOTS_PER_SPAN;
	if (len < 1)
		len = 1;
	*slot = (long long)now - (long long)now % len;
	*expires = *slot + len + r->span;
	return DB_OK;
}

/* Seconds until rows (one bucket's live slots, oldest first) hold at most limit - 1 hits
 * without the one just written. */
static int wait_of(const struct db_rows *rows, size_t from, size_t to, unsigned long long total,
		   int limit, time_t now)
{
	unsigned long long need = total - (unsigned long long)limit, gone = 0;

	for (size_t i = from; i < to; i++) {
		gone += strtoull(db_cell(rows, i, 1), NULL, 10);
		if (gone >= need) {
			long long w = strtoll(db_cell(rows, i, 2), NULL, 10) - (long long)now;

			return w < 1 ? 1 : w > 86400 * 2 ? 86400 * 2 : (int)w;
		}
	}
	return 1;
}

static int take_tx(struct db *db, void *p)
{
	struct take *t = p;
	struct db_param args[RATELIMIT_RULES_MAX + 1];
	struct db_rows rows;
	bool over = false;
	int rc;

	t->after = 0;
	t->which = 0;
	for (size_t i = 0; i < RATELIMIT_RULES_MAX; i++)
		args[i] = DB_STR(i < t->n && t->rules[i].bucket ? t->rules[i].bucket : "");
	args[RATELIMIT_RULES_MAX] = DB_I64(t->now);
	for (size_t i = 0; i < t->n; i++) {
		if (!t->rules[i].bucket || !t->rules[i].bucket[0])
			continue;
		rc = db_exec(db, sql_slot_add,
			     DB_ARGS(DB_STR(t->rules[i].bucket), DB_I64(t->slot[i]), DB_I64(t->expires[i])),
			     NULL, NULL);
		if (rc != DB_OK)
			return rc;
	}
	rc = db_query(db, t->a, sql_slots, args, RATELIMIT_RULES_MAX + 1, &rows);
	if (rc != DB_OK)
		return rc;
	for (size_t i = 0; i < t->n; i++) {
		const char *b = t->rules[i].bucket;
		unsigned long long total = 0;
		size_t from = rows.nrows, to = 0;

		if (!b || !b[0])
			continue;
		for (size_t k = 0; k < rows.nrows; k++) {
			if (strcmp(db_cell(&rows, k, 0), b) != 0)
				continue;
			from = k < from ? k : from;
			to = k + 1;
			total += strtoull(db_cell(&rows, k, 1), NULL, 10);
		}
		if (total > (unsigned long long)t->rules[i].limit) {
			int w = wait_of(&rows, from, to, total, t->rules[i].limit, t->now);

			if (!over || w > t->after) {
				t->after = w;
				t->which = i;
			}
			over = true;
		}
	}
	return over ? TAKE_OVER : DB_OK;
}

int ratelimit_take(struct db *db, struct arena *a, const struct ratelimit_rule *rules, size_t n,
		   const char *zone, time_t now, int *retry_after, size_t *which)
{
	struct take t = { .a = a, .rules = rules, .n = n, .now = now };
	unsigned char dice = 0;
	int rc;

	if (n > RATELIMIT_RULES_MAX)
		return DB_ERR;
	for (size_t i = 0; i < n; i++) {
		if (rules[i].bucket && strlen(rules[i].bucket) >= 96)
			return DB_ERR;
		rc = ratelimit_slot(&rules[i], zone, now, &t.slot[i], &t.expires[i]);
		if (rc != DB_OK)
			return rc;
	}
	rc = db_tx(db, take_tx, &t);
	if (rc == TAKE_OVER) {
		*retry_after = t.after;
		if (which)
			*which = t.which;
		return 0;
	}
	if (rc != DB_OK)
		return rc;
	/* Slots past counting are swept now and then by whoever passes, never on a timer. */
	if (crypto_random(&dice, 1) == 0 && dice == 0)
		db_exec(db, sql_slots_prune, DB_ARGS(DB_I64(now)), NULL, NULL);
	return 1;
}
