/* sandbox: the courier of shared/ext/courier.h: signed track queries, tracks scripted by tests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ext/courier.h"
#include "ext/provider.h"
#include "sandbox.h"
#include "base/valid.h"
#include "ext/waybill.h"

/*
 *   GET  /sandbox/courier/tracks/:carrier/:number  (signed, shared/ext/courier.h)
 *        -> 200 {"state","events"}; 404 for an unknown carrier or a malformed number;
 *        a number nobody scripted gets a plausible track, fixed at its first query:
 *        collected two hours before, in transit one hour before.
 *   POST /sandbox/courier/tracks {"carrier","number","state","events":[{"at","text"}],
 *        "fail"} scripts a track (unsigned, like /sandbox/control: tests drive it).
 *        fail: "unavailable" answers 503; "timeout" answers only after [courier]
 *        timeout_ms + 1 s (at least [sandbox] timeout_sleep_ms), when the caller has left.
 * The tracks live in sandbox_courier_tracks (main.c), shared by every worker.
 */

static const char sql_get[] =
	"SELECT state, events, fail FROM sandbox_courier_tracks WHERE carrier = ? AND number = ?";
static const char sql_default[] =
	"INSERT IGNORE INTO sandbox_courier_tracks (carrier, number, state, events, fail, "
	"updated_at) VALUES (?, ?, ?, ?, '', NOW(3))";
static const char sql_script[] =
	"INSERT INTO sandbox_courier_tracks (carrier, number, state, events, fail, updated_at) "
	"VALUES (?, ?, ?, ?, ?, NOW(3)) ON DUPLICATE KEY UPDATE state = VALUES(state), "
	"events = VALUES(events), fail = VALUES(fail), updated_at = VALUES(updated_at)";

#define AT_MAX 40
#define TEXT_MAX 200

static void china_time(time_t t, char out[32])
{
	struct tm tm;

	t += 8 * 3600;
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%S+08:00", &tm);
}

/* The track of a number nobody scripted, as compact JSON in the arena. */
static const char *default_events(struct req *r, const char *carrier)
{
	time_t now = time(NULL);
	char at1[32], at2[32], *s;
	const char *copy, *name = waybill_carrier_name(carrier);
	json_t *ev;

	china_time(now - 2 * 3600, at1);
	china_time(now - 3600, at2);
	ev = json_pack("[{s:s, s:s}, {s:s, s:s}]",
		       "at", at1, "text",
		       arena_printf(r->arena, "【深圳市】%s 南山科技园营业点 已揽收快件", name),
		       "at", at2, "text", "快件已从【深圳转运中心】发出，正发往【南昌转运中心】");
	s = ev ? json_dumps(ev, JSON_COMPACT) : NULL;
	json_decref(ev);
	copy = s ? arena_strdup(r->arena, s) : NULL;
	free(s);
	return copy;
}

static int check_signature(struct req *r)
{
	const char *ts = req_param(r, "HTTP_X_CERTHALL_TIMESTAMP");
	const char *sig = req_param(r, "HTTP_X_CERTHALL_SIGNATURE");

	if (!ts || !sig || provider_verify(r->app->conf.courier_secret, ts, sig, "", 0, time(NULL)) < 0)
		return sandbox_error(r, 401, "bad_signature", true, NULL,
				     "签名校验失败（X-Certhall-Timestamp / X-Certhall-Signature）。");
	return 0;
}

int sandbox_courier_track(struct req *r)
{
	const char *carrier = r->params[0], *raw = r->params[1], *fail;
	char number[WAYBILL_MAX + 1];
	struct db_rows rows;
	json_t *events;
	int rc;

	if (sandbox_ready(r) < 0 || check_signature(r) < 0)
		return -1;
	if (!waybill_carrier_name(carrier))
		return sandbox_error(r, 404, "unknown_carrier", true, "carrier", "不支持的快递公司。");
	if (!waybill_check(carrier, raw, NULL) || !waybill_normalise(raw, number))
		return sandbox_error(r, 404, "not_found", true, "number", "查无此运单。");
	rc = db_query(&r->app->db, r->arena, sql_get, DB_ARGS(DB_STR(carrier), DB_STR(number)), &rows);
	if (rc == DB_OK && rows.nrows == 0) {
		const char *ev = default_events(r, carrier);

		if (!ev)
			return resp_error(r, ERR_INTERNAL, NULL, NULL);
		rc = db_exec(&r->app->db, sql_default,
			     DB_ARGS(DB_STR(carrier), DB_STR(number), DB_STR("in_transit"), DB_STR(ev)),
			     NULL, NULL);
		if (rc == DB_OK)
			rc = db_query(&r->app->db, r->arena, sql_get,
				      DB_ARGS(DB_STR(carrier), DB_STR(number)), &rows);
	}
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (rows.nrows != 1)
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	fail = db_cell(&rows, 0, 2);
	if (fail && strcmp(fail, "unavailable") == 0)
		return sandbox_error(r, 503, "unavailable", false, NULL, "快递查询服务暂时不可用（沙箱设置）。");
	if (fail && strcmp(fail, "timeout") == 0)
		sandbox_outwait(r, r->app->conf.courier_timeout_ms);
	events = sandbox_arena_json(r, json_loads(db_cell(&rows, 0, 1), 0, NULL));
	if (!json_is_array(events))
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	resp_json(r, 200, json_pack("{s:s, s:O}", "state", db_cell(&rows, 0, 0), "events", events));
	return 0;
}

static int bad(struct req *r, const char *field, const char *message)
{
	return sandbox_error(r, 400, "invalid_field", true, field, message);
}

static bool clean(json_t *v, size_t max)
{
	const char *s = json_string_value(v);

	return s && json_string_length(v) > 0 && strlen(s) == json_string_length(v) &&
	       valid_text(s, json_string_length(v), max);
}

/* events: an array of at most COURIER_MAX_EVENTS {"at","text"}; only those two are kept. */
static int parse_events(struct req *r, json_t *v, const char **out)
{
	static const char msg[] = "events 应为数组，每项为 {\"at\",\"text\"}：at 不超过 40 字，"
				  "text 不超过 200 字，最多 50 项。";
	json_t *list = sandbox_arena_json(r, json_array()), *e;
	size_t i;
	char *s;

	if (!list)
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	if (!json_is_array(v) || json_array_size(v) > COURIER_MAX_EVENTS)
		return bad(r, "events", msg);
	json_array_foreach(v, i, e) {
		json_t *at = json_object_get(e, "at"), *text = json_object_get(e, "text");

		if (!clean(at, AT_MAX) || !clean(text, TEXT_MAX))
			return bad(r, "events", msg);
		json_array_append_new(list, json_pack("{s:O, s:O}", "at", at, "text", text));
	}
	s = json_dumps(list, JSON_COMPACT);
	*out = s ? arena_strdup(r->arena, s) : NULL;
	free(s);
	return *out ? 0 : resp_error(r, ERR_INTERNAL, NULL, NULL);
}

int sandbox_courier_script(struct req *r)
{
	const char *carrier, *raw, *state, *fail = "", *events = "[]";
	char number[WAYBILL_MAX + 1];
	json_t *body, *v;
	int rc;

	if (sandbox_ready(r) < 0 || req_json(r, &body) < 0)
		return -1;
	carrier = json_string_value(json_object_get(body, "carrier"));
	raw = json_string_value(json_object_get(body, "number"));
	state = courier_state_code(json_string_value(json_object_get(body, "state")));
	if (!waybill_carrier_name(carrier))
		return bad(r, "carrier", "carrier 应为 sf、ems、zto、yto、sto、yunda、jd、deppon 之一。");
	if (!waybill_check(carrier, raw, NULL) || !waybill_normalise(raw, number))
		return bad(r, "number", "number 不是该快递公司的运单号格式。");
	if (!state)
		return bad(r, "state", "state 应为 unknown、collected、in_transit、delivering、delivered 之一。");
	v = json_object_get(body, "events");
	if (v && !json_is_null(v) && parse_events(r, v, &events) < 0)
		return -1;
	v = json_object_get(body, "fail");
	if (v && !json_is_null(v)) {
		fail = json_string_value(v);
		if (!fail || (strcmp(fail, "unavailable") != 0 && strcmp(fail, "timeout") != 0))
			return bad(r, "fail", "fail 应为 \"unavailable\"、\"timeout\" 或 null。");
	}
	rc = db_exec(&r->app->db, sql_script,
		     DB_ARGS(DB_STR(carrier), DB_STR(number), DB_STR(state), DB_STR(events), DB_STR(fail)),
		     NULL, NULL);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	resp_json(r, 200, json_pack("{s:s, s:s, s:s, s:o, s:s?}", "carrier", carrier, "number", number,
				    "state", state, "events", json_loads(events, 0, NULL),
				    "fail", fail[0] ? fail : NULL));
	return 0;
}
