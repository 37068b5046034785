/* ratelimit: fixed-window counters in MariaDB, shared by every worker and host. */
#ifndef CERTHALL_RATELIMIT_H
#define CERTHALL_RATELIMIT_H

#include <time.h>

#include "db.h"

/* Counts one hit on bucket ("track:<addr>") in the current window of `window` seconds.
 * Returns 1 if allowed, 0 if over `limit` (retry_after gets the seconds to the next window),
 * or a DB_* error. */
int ratelimit_hit(struct db *db, const char *bucket, int limit, int window, time_t now,
		  int *retry_after);

/* Deletes the windows of this length that have ended (what ratelimit_hit does now and then). */
int ratelimit_prune(struct db *db, int window, time_t now);

/* Takes back one hit counted at time `at` (an attempt that turned out fine). */
int ratelimit_undo(struct db *db, const char *bucket, int window, time_t at);

#endif
