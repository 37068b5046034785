/* track: an order's waybills, both ways, with what the courier says of each. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "courier.h"
#include "log.h"
#include "track.h"
#include "waybill.h"

/*
 * The courier is asked on every look-up (the look-up itself is rate-limited per address). Its
 * answer is kept on the waybill row, so that when it cannot be asked (down, slow, refusing)
 * the look-up still answers, with what it said last and "live": false.
 */

#define MAX_WAYBILLS 8

static const char sql_list[] =
	"SELECT id, direction, carrier, number, last_state, last_events, "
	"DATE_FORMAT(last_checked_at, '%Y-%m-%dT%H:%i:%s+08:00') "
	"FROM waybills WHERE order_id = ? ORDER BY direction = 'out', created_at, id LIMIT 8";
static const char sql_seen[] =
	"UPDATE waybills SET last_state = ?, last_events = ?, last_checked_at = NOW(3) WHERE id = ?";

enum { W_ID, W_DIRECTION, W_CARRIER, W_NUMBER, W_STATE, W_EVENTS, W_CHECKED };

static const char *direction_name(const char *d)
{
	return strcmp(d, "in") == 0 ? "申请材料寄往发证机构" : "证书介质寄给申请人";
}

/* What the courier said last: events stored by us, checked again anyway. */
static void last_known(const struct db_rows *w, size_t i, struct courier_track *t)
{
	const char *ev = db_cell(w, i, W_EVENTS);
	json_t *a = ev ? json_loads(ev, 0, NULL) : NULL;
	char err[128];

	t->state = courier_state_code(db_cell(w, i, W_STATE));
	t->events = NULL;
	if (a && json_is_array(a)) {
		json_t *answer = json_pack("{s:s, s:O}", "state", t->state ? t->state : "unknown", "events", a);

		if (!answer || courier_parse(answer, t, err, sizeof(err)) != 0)
			t->events = NULL;
		json_decref(answer);
	}
	json_decref(a);
	if (!t->state)
		t->state = "unknown";
	if (!t->events)
		t->events = json_array();
}

static void china_now(char out[32])
{
	time_t t = time(NULL) + 8 * 3600;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%S+08:00", &tm);
}

/* Asks the courier; on an answer, keeps it on the row. Returns true when it answered. */
static bool ask(struct req *r, const struct db_rows *w, size_t i, struct courier_track *t)
{
	const char *carrier = db_cell(w, i, W_CARRIER), *number = db_cell(w, i, W_NUMBER);
	char err[256];
	char *events;
	int rc;

	if (courier_track(&r->app->conf, carrier, number, t, err, sizeof(err)) != 0) {
		log_rid(LOG_WARN, r->rid, "courier %s %s: %s", carrier, number, err);
		return false;
	}
	events = json_dumps(t->events, JSON_COMPACT);
	rc = events ? db_exec(&r->app->db, sql_seen,
			      DB_ARGS(DB_STR(t->state), DB_STR(events),
				      DB_I64(strtoll(db_cell(w, i, W_ID), NULL, 10))), NULL, NULL)
		    : DB_ERR;
	free(events);
	if (rc != DB_OK)
		log_rid(LOG_WARN, r->rid, "courier %s %s: answer not kept (%d)", carrier, number, rc);
	return true;
}

json_t *track_waybills(struct req *r, long long order_id)
{
	struct db_rows w;
	json_t *list = json_array();
	bool reachable = true;
	int rc;

	if (!list)
		return NULL;
	rc = db_query(&r->app->db, r->arena, sql_list, DB_ARGS(DB_I64(order_id)), &w);
	if (rc != DB_OK) {
		/* The order and its timeline still answer; the waybills are left out. */
		log_rid(LOG_WARN, r->rid, "waybills of order %lld not read (%d)", order_id, rc);
		return list;
	}
	for (size_t i = 0; i < w.nrows && i < MAX_WAYBILLS; i++) {
		const char *carrier = db_cell(&w, i, W_CARRIER), *dir = db_cell(&w, i, W_DIRECTION);
		struct courier_track t;
		char now[32];
		/* One failure is taken for the courier being down: the look-up waits for one
		 * timeout at most, not one per waybill. */
		bool live = reachable && ask(r, &w, i, &t);

		reachable = live;
		if (live)
			china_now(now);
		else
			last_known(&w, i, &t);
		json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s?, s:s, s:s, s:s?, s:o, s:s?, s:b}",
			"direction", dir, "direction_name", direction_name(dir),
			"carrier", carrier, "carrier_name", waybill_carrier_name(carrier),
			"number", db_cell(&w, i, W_NUMBER),
			"state", t.state, "state_name", courier_state_name(t.state),
			"events", t.events,
			"checked_at", live ? now : db_cell(&w, i, W_CHECKED),
			"live", live));
	}
	return list;
}
