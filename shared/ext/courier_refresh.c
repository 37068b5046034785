/* courier_refresh: the background pass that asks the courier about due waybills. */
#include "ext/courier_refresh.h"

#include "db/changes.h"

#include <stdlib.h>
#include <string.h>

#include "base/conf.h"
#include "ext/courier.h"
#include "crypto/crypto.h"
#include "base/log.h"

/*
 * No request waits for a courier: the look-up shows what this pass stored, with its time.
 * Each waybill row carries refresh_due (schema/0009_courier_refresh.sql). A pass takes the
 * due rows oldest first, claims each (refresh_due moved past the courier's timeout, so that
 * a second pass, on this host or another, skips it), asks, and stores the answer with the
 * next refresh by state, or, when the courier fails, the next try after a backoff. The
 * first failure ends the pass: a courier that is down costs one timeout a pass, not one a
 * waybill.
 */

static const struct {
	const char *state;
	int every; /* seconds to the next refresh; 0: never again */
} schedule[] = {
	{ "unknown", 3600 },     /* the courier has no scan yet */
	{ "collected", 1800 },
	{ "in_transit", 1800 },
	{ "delivering", 600 },   /* out for delivery: the applicant is waiting for it */
	{ "delivered", 0 },
};

static const char sql_due[] =
	"SELECT id, carrier, number, refresh_failures FROM waybills "
	"WHERE refresh_due <= NOW(3) ORDER BY refresh_due, id LIMIT ?";
static const char sql_claim[] =
	"UPDATE waybills SET refresh_due = NOW(3) + INTERVAL ? SECOND "
	"WHERE id = ? AND refresh_due <= NOW(3)";
static const char sql_answer[] =
	"UPDATE waybills SET last_state = ?, last_events = ?, last_checked_at = NOW(3), "
	"refresh_failures = 0, refresh_due = IF(? = 0, NULL, NOW(3) + INTERVAL ? SECOND) WHERE id = ?";
static const char sql_failed[] =
	"UPDATE waybills SET refresh_failures = refresh_failures + 1, "
	"refresh_due = NOW(3) + INTERVAL ? SECOND WHERE id = ?";

int courier_refresh_every(const char *state)
{
	for (size_t i = 0; i < sizeof(schedule) / sizeof(schedule[0]); i++)
		if (state && strcmp(schedule[i].state, state) == 0)
			return schedule[i].every;
	return schedule[0].every;
}

int courier_refresh_backoff(int failures)
{
	long long d = COURIER_BACKOFF_BASE;

	for (int i = 1; i < failures && d < COURIER_BACKOFF_MAX; i++)
		d *= 2;
	return d > COURIER_BACKOFF_MAX ? COURIER_BACKOFF_MAX : (int)d;
}

/* Up to a quarter more, so that waybills that failed together do not return together. */
static int jitter(int seconds)
{
	unsigned char r = 0;

	crypto_random(&r, 1);
	return seconds + (int)((long long)seconds * r / 1024);
}

static int store(struct db *db, long long id, const struct courier_track *t)
{
	char *events = json_dumps(t->events, JSON_COMPACT);
	int every = courier_refresh_every(t->state), rc;

	if (!events)
		return DB_ERR;
	rc = db_exec(db, sql_answer, DB_ARGS(DB_STR(t->state), DB_STR(events), DB_I64(every),
					     DB_I64(every ? jitter(every) : 0), DB_I64(id)), NULL, NULL);
	free(events);
	/* After the write, not before: a look-up between the two would cache the old state. */
	return rc == DB_OK ? changes_note_waybill(db, id) : rc;
}

int courier_refresh_run(struct db *db, struct arena *a, const struct conf *conf, int batch,
			struct courier_refresh_stats *st)
{
	int lease = conf->courier_timeout_ms / 1000 + 60;
	struct db_rows due;
	int rc;

	memset(st, 0, sizeof(*st));
	rc = db_query(db, a, sql_due, DB_ARGS(DB_I64(batch)), &due);
	if (rc != DB_OK)
		return rc;
	for (size_t i = 0; i < due.nrows; i++) {
		long long id = strtoll(db_cell(&due, i, 0), NULL, 10);
		const char *carrier = db_cell(&due, i, 1), *number = db_cell(&due, i, 2);
		int failures = (int)strtol(db_cell(&due, i, 3), NULL, 10);
		unsigned long long claimed = 0;
		struct courier_track t;
		char err[256];

		rc = db_exec(db, sql_claim, DB_ARGS(DB_I64(lease), DB_I64(id)), &claimed, NULL);
		if (rc != DB_OK)
			return rc;
		if (claimed != 1) {
			st->skipped++;
			continue;
		}
		st->asked++;
		if (courier_track(conf, carrier, number, &t, err, sizeof(err)) != 0) {
			log_warn("courier refresh %s %s: %s", carrier, number, err);
			st->failed++;
			rc = db_exec(db, sql_failed,
				     DB_ARGS(DB_I64(jitter(courier_refresh_backoff(failures + 1))), DB_I64(id)),
				     NULL, NULL);
			if (rc == DB_OK) /* the look-up shows that the courier did not answer */
				rc = changes_note_waybill(db, id);
			break;
		}
		rc = store(db, id, &t);
		json_decref(t.events);
		if (rc != DB_OK)
			return rc;
		st->answered++;
	}
	return rc;
}
