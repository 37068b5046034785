/* track: an order's waybills, both ways, with what the courier said at the last refresh. */
#include <string.h>

#include "web/app.h"
#include "web/req.h"
#include "ext/courier.h"
#include "base/log.h"
#include "track.h"
#include "ext/waybill.h"

/*
 * No courier is asked on a look-up: certhall-admin courier (shared/ext/courier_refresh.c) asks in
 * the background and keeps the answer on the waybill row, with its time (refreshed_at). A
 * slow or absent courier therefore never slows a look-up; the page says how old the news is.
 */

static const char *direction_name(const char *d)
{
	return strcmp(d, "in") == 0 ? "申请材料寄往发证机构" : "证书介质寄给申请人";
}

static const char sql_list[] =
	"SELECT direction, carrier, number, last_state, last_events, "
	DB_ISO("last_checked_at") ", refresh_failures "
	"FROM waybills WHERE order_id = ? ORDER BY direction = 'out', created_at, id LIMIT 8";

enum { W_DIRECTION, W_CARRIER, W_NUMBER, W_STATE, W_EVENTS, W_REFRESHED, W_FAILURES };

/* The stored events, checked again as the courier's answer was (they reach our pages). */
static json_t *stored_events(const struct db_rows *w, size_t i, const char **state)
{
	const char *ev = db_cell(w, i, W_EVENTS);
	json_t *parsed = ev ? json_loads(ev, 0, NULL) : NULL, *answer;
	struct courier_track t = { 0 };
	char err[128];

	*state = courier_state_code(db_cell(w, i, W_STATE));
	answer = json_is_array(parsed) ? json_pack("{s:s, s:O}", "state", *state ? *state : "unknown",
						   "events", parsed) : NULL;
	if (!answer || courier_parse(answer, &t, err, sizeof(err)) != 0)
		t.events = NULL;
	json_decref(answer);
	json_decref(parsed);
	if (!*state)
		*state = "unknown";
	return t.events ? t.events : json_array();
}

json_t *track_waybills(struct req *r, long long order_id)
{
	json_t *list = json_array();
	struct db_rows w;
	int rc;

	if (!list)
		return NULL;
	rc = db_query(&r->app->db, r->arena, sql_list, DB_ARGS(DB_I64(order_id)), &w);
	if (rc != DB_OK) {
		/* The order and its timeline still answer; the waybills are left out. */
		log_rid(LOG_WARN, r->rid, "waybills of order %lld not read (%d)", order_id, rc);
		return list;
	}
	for (size_t i = 0; i < w.nrows && i < TRACK_MAX_WAYBILLS; i++) {
		const char *dir = db_cell(&w, i, W_DIRECTION), *carrier = db_cell(&w, i, W_CARRIER);
		const char *state;
		json_t *events = stored_events(&w, i, &state);

		json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s?, s:s, s:s, s:s?, s:o, s:s?, s:b}",
			"direction", dir, "direction_name", direction_name(dir),
			"carrier", carrier, "carrier_name", waybill_carrier_name(carrier),
			"number", db_cell(&w, i, W_NUMBER),
			"state", state, "state_name", courier_state_name(state),
			"events", events,
			"refreshed_at", db_cell(&w, i, W_REFRESHED),
			"refresh_failing", strcmp(db_cell(&w, i, W_FAILURES), "0") != 0));
	}
	return list;
}
