/* ratelimit: fixed-window counters in MariaDB (one upsert a hit). */
#include "ratelimit.h"


#include "crypto.h"

/* LAST_INSERT_ID(expr) hands the new count back with the upsert itself: one round trip. */
static const char sql_hit[] =
	"INSERT INTO rate_limits (bucket, win, span, hits) VALUES (?, ?, ?, 1) "
	"ON DUPLICATE KEY UPDATE hits = LAST_INSERT_ID(hits + 1)";
/* Only rows of the same window length: their window numbers are comparable. */
static const char sql_prune[] = "DELETE FROM rate_limits WHERE span = ? AND win < ? LIMIT 1000";
static const char sql_undo[] =
	"UPDATE rate_limits SET hits = hits - 1 WHERE bucket = ? AND win = ? AND hits > 0";

int ratelimit_hit(struct db *db, const char *bucket, int limit, int window, time_t now,
		  int *retry_after)
{
	long long win = (long long)now / window;
	unsigned long long affected = 0, hits = 0;
	unsigned char dice = 0;
	int rc;

	rc = db_exec(db, sql_hit, DB_ARGS(DB_STR(bucket), DB_I64(win), DB_I64(window)), &affected, &hits);
	if (rc != DB_OK)
		return rc;
	if (affected == 1)
		hits = 1; /* inserted: first hit of the window */
	/* Old windows are swept now and then by whoever passes, never on a timer. */
	if (crypto_random(&dice, 1) == 0 && dice == 0)
		ratelimit_prune(db, window, now);
	if (hits <= (unsigned long long)limit)
		return 1;
	*retry_after = (int)((win + 1) * window - (long long)now);
	if (*retry_after < 1)
		*retry_after = 1;
	return 0;
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
