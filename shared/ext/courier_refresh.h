/* courier_refresh: the background pass that keeps each waybill's courier state fresh. */
#ifndef CERTHALL_COURIER_REFRESH_H
#define CERTHALL_COURIER_REFRESH_H

#include "base/arena.h"
#include "db/db.h"

struct conf;

/* After a failed refresh the next try waits BASE * 2^(failures - 1) seconds, at most MAX
 * (plus up to a quarter, at random). */
#define COURIER_BACKOFF_BASE 60
#define COURIER_BACKOFF_MAX (6 * 3600)

struct courier_refresh_stats {
	int asked;     /* waybills the courier was asked about */
	int answered;  /* ... and whose answer is stored */
	int failed;    /* the courier failed (the pass stops at the first) */
	int skipped;   /* due, but claimed meanwhile by another pass */
};

/*
 * One pass: asks the courier of conf about at most batch due waybills, one after the other,
 * and stores each answer with its next refresh (courier_refresh_every), or, on a failure,
 * the next try (courier_refresh_backoff) and ends the pass. Safe to run on several hosts at
 * once. Returns DB_OK or a DB_* error; st says what was done.
 */
int courier_refresh_run(struct db *db, struct arena *a, const struct conf *conf, int batch,
			struct courier_refresh_stats *st);

/* Seconds from an answer in state to the next refresh: delivering 600, collected and
 * in_transit 1800, unknown (and any other) 3600; delivered 0, never again. */
int courier_refresh_every(const char *state);

/* Seconds before the next try after `failures` failures in a row (1, 2, ...), no jitter. */
int courier_refresh_backoff(int failures);

#endif
