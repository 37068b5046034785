/* sandbox: the courier of shared/ext/courier.h: signed track queries, tracks scripted by tests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "domain/order_steps.h"
#include "ext/courier.h"
#include "ext/provider.h"
#include "sandbox.h"
#include "base/valid.h"
#include "ext/waybill.h"

/*
 *   GET  /sandbox/courier/tracks/:carrier/:number  (signed, shared/ext/courier.h)
 *        -> 200 {"state","events"}; 404 for an unknown carrier or a malformed number;
 *        a number nobody scripted gets a plausible track, planned at its first query from
 *        the shipment as the courier's label has it (the hall's waybill row: when it was
 *        registered, which way it goes; the CA's city from the channel's paper or counter
 *        address, the applicant's from the order's mailing address): collected 20 minutes
 *        after the shipment, through the sender's and the recipient's hubs, delivered a day
 *        after; each query answers the events whose time has come.
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
#define CITY_MAX 64

/* Who sent the parcel and to whom, as on its label: the hall's waybill and order. */
static const char sql_shipment[] =
	"SELECT UNIX_TIMESTAMP(w.created_at), w.direction, o.id, c.paper_address, c.desk_address "
	"FROM waybills w JOIN orders o ON o.id = w.order_id JOIN channels c ON c.id = o.channel_id "
	"WHERE w.carrier = ? AND w.number = ? ORDER BY w.created_at LIMIT 1";
static const char sql_step[] = "SELECT data_enc FROM order_steps WHERE order_id = ? AND step = ?";

static void china_time(time_t t, char out[32])
{
	struct tm tm;

	t += 8 * 3600;
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%S+08:00", &tm);
}

/* The city an address starts with ("广州市海珠区…" -> "广州市"), or "" when it names none. */
static void city_of(const char *address, char out[CITY_MAX])
{
	const char *shi = address ? strstr(address, "市") : NULL;
	size_t n = shi ? (size_t)(shi - address) + strlen("市") : 0;

	out[0] = '\0';
	if (n > 0 && n < CITY_MAX) {
		memcpy(out, address, n);
		out[n] = '\0';
	}
}

/* A city the applicant entered in a step of the order (its mailing city, else its own). */
static void applicant_city(struct req *r, long long order_id, char out[CITY_MAX])
{
	static const struct {
		const char *step, *field;
	} where[] = { { "product", "mail_city" }, { "enterprise", "city" } };

	out[0] = '\0';
	for (size_t i = 0; i < sizeof(where) / sizeof(where[0]) && !out[0]; i++) {
		struct db_rows rows;
		json_t *j;

		if (db_query(&r->app->db, r->arena, sql_step, DB_ARGS(DB_I64(order_id), DB_STR(where[i].step)),
			     &rows) != DB_OK || rows.nrows != 1)
			continue;
		j = order_steps_open(&r->app->key, r->arena, order_id, where[i].step, db_cell(&rows, 0, 0),
				     rows.len[0]);
		if (j && strlen(order_step_str(j, where[i].field)) < CITY_MAX)
			snprintf(out, CITY_MAX, "%s", order_step_str(j, where[i].field));
	}
}

/* The shipment of carrier/number as its label has it: when it was registered (now when the hall
 * has no such waybill) and the cities it goes from and to ("" when unknown). */
static void shipment(struct req *r, const char *carrier, const char *number, time_t *at,
		     char from[CITY_MAX], char to[CITY_MAX])
{
	char ca[CITY_MAX], applicant[CITY_MAX];
	struct db_rows rows;

	*at = time(NULL);
	from[0] = to[0] = '\0';
	if (db_query(&r->app->db, r->arena, sql_shipment, DB_ARGS(DB_STR(carrier), DB_STR(number)),
		     &rows) != DB_OK || rows.nrows != 1)
		return;
	*at = (time_t)strtoll(db_cell(&rows, 0, 0), NULL, 10);
	city_of(db_cell(&rows, 0, 3), ca);
	if (!ca[0])
		city_of(db_cell(&rows, 0, 4), ca);
	applicant_city(r, strtoll(db_cell(&rows, 0, 2), NULL, 10), applicant);
	/* in: the applicant's paper to the CA; out: the key to the applicant. */
	if (strcmp(db_cell(&rows, 0, 1), "in") == 0) {
		snprintf(from, CITY_MAX, "%s", applicant);
		snprintf(to, CITY_MAX, "%s", ca);
	} else {
		snprintf(from, CITY_MAX, "%s", ca);
		snprintf(to, CITY_MAX, "%s", applicant);
	}
}

/* The plan of a number nobody scripted, as compact JSON in the arena: its events with the
 * time ("t") each comes and the state ("s") it brings, for tracked() to reveal. */
static const char *planned_events(struct req *r, const char *carrier, const char *number)
{
	const char *name = waybill_carrier_name(carrier);
	char from[CITY_MAX], to[CITY_MAX], at[32], *s;
	const char *copy;
	json_t *plan = json_array();
	time_t t0;

	shipment(r, carrier, number, &t0, from, to);
	if (!from[0])
		snprintf(from, sizeof(from), "寄件城市");
	if (!to[0])
		snprintf(to, sizeof(to), "收件城市");
	const struct {
		long after;
		const char *state, *text;
	} steps[] = {
		{ 20 * 60, "collected", arena_printf(r->arena, "【%s】%s 已揽收快件", from, name) },
		{ 3 * 3600, "in_transit",
		  strcmp(from, to) == 0
			  ? arena_printf(r->arena, "快件已在【%s转运中心】完成分拣，准备派送", from)
			  : arena_printf(r->arena, "快件已从【%s转运中心】发出，正发往【%s转运中心】", from, to) },
		{ 16 * 3600, "in_transit", arena_printf(r->arena, "快件已到达【%s转运中心】", to) },
		{ 20 * 3600, "delivering", arena_printf(r->arena, "【%s】快件正在派送中，请保持电话畅通", to) },
		{ 24 * 3600, "delivered", arena_printf(r->arena, "【%s】快件已签收，签收人：本人", to) },
	};

	for (size_t i = 0; plan && i < sizeof(steps) / sizeof(steps[0]); i++) {
		china_time(t0 + steps[i].after, at);
		json_array_append_new(plan, json_pack("{s:s, s:s, s:I, s:s}", "at", at, "text", steps[i].text,
						      "t", (json_int_t)(t0 + steps[i].after), "s", steps[i].state));
	}
	s = plan ? json_dumps(plan, JSON_COMPACT) : NULL;
	json_decref(plan);
	copy = s ? arena_strdup(r->arena, s) : NULL;
	free(s);
	return copy;
}

/* What a stored track says now: a scripted one as scripted; a planned one (events with "t")
 * as far as its time has come, "unknown" before its first event. */
static const char *tracked(json_t *events, const char *state, json_t **shown)
{
	time_t now = time(NULL);
	json_t *e;
	size_t i;

	*shown = events;
	if (json_array_size(events) == 0 || !json_is_integer(json_object_get(json_array_get(events, 0), "t")))
		return state;
	*shown = json_array();
	state = "unknown";
	json_array_foreach(events, i, e) {
		if (json_integer_value(json_object_get(e, "t")) > (json_int_t)now)
			break;
		state = courier_state_code(json_string_value(json_object_get(e, "s")));
		json_array_append_new(*shown, json_pack("{s:O, s:O}", "at", json_object_get(e, "at"), "text",
							 json_object_get(e, "text")));
	}
	return state ? state : "in_transit";
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
	const char *carrier = r->params[0], *raw = r->params[1], *fail, *state;
	char number[WAYBILL_MAX + 1];
	struct db_rows rows;
	json_t *events, *shown;
	int rc;

	if (sandbox_ready(r) < 0 || check_signature(r) < 0)
		return -1;
	if (!waybill_carrier_name(carrier))
		return sandbox_error(r, 404, "unknown_carrier", true, "carrier", "不支持的快递公司。");
	if (!waybill_check(carrier, raw, NULL) || !waybill_normalise(raw, number))
		return sandbox_error(r, 404, "not_found", true, "number", "查无此运单。");
	rc = db_query(&r->app->db, r->arena, sql_get, DB_ARGS(DB_STR(carrier), DB_STR(number)), &rows);
	if (rc == DB_OK && rows.nrows == 0) {
		const char *ev = planned_events(r, carrier, number);

		if (!ev)
			return resp_error(r, ERR_INTERNAL, NULL, NULL);
		rc = db_exec(&r->app->db, sql_default,
			     DB_ARGS(DB_STR(carrier), DB_STR(number), DB_STR("unknown"), DB_STR(ev)),
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
	state = tracked(events, db_cell(&rows, 0, 0), &shown);
	resp_json(r, 200, json_pack("{s:s, s:o}", "state", state, "events",
				    shown == events ? json_incref(events) : shown));
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
