/* track: POST /api/track/order: an order's state and timeline by number + mobile tail. */
#include <stdlib.h>
#include <string.h>

#include "web/app.h"
#include "web/req.h"
#include "base/jsonw.h"
#include "base/log.h"
#include "domain/fincheck.h"
#include "domain/mask.h"
#include "domain/order.h"
#include "domain/orderno.h"
#include "track.h"

/* The order and its public timeline in one round trip: one row per event (at least one row,
 * event columns NULL, for an order without events), and whether it has waybills (parcels.c
 * reads them then). No ORDER BY: sorting here would take a temporary table for every
 * look-up; the few events are put in order by timeline(). The financial check is read only
 * for the two states whose name it changes (a second query, for few orders): as a subquery
 * here it cost every look-up its planning. */
static const char sql_order[] =
	"SELECT o.order_no, o.business_type, o.cert_kind, o.state, o.subject_name, "
	"o.handler_mobile_enc, " DB_ISO("o.created_at") ", c.name, "
	DB_ISO("e.at") ", e.kind, e.state_to, e.note, e.id, o.id, "
	"EXISTS (SELECT 1 FROM waybills w WHERE w.order_id = o.id), o.verify_method "
	"FROM orders o JOIN channels c ON c.id = o.channel_id "
	"LEFT JOIN order_events e ON e.order_id = o.id AND e.public = 1 "
	"WHERE o.order_no = ? LIMIT 200";

enum { O_NO, O_BUSINESS, O_KIND, O_STATE, O_SUBJECT, O_MOBILE, O_CREATED, O_CHANNEL,
       E_AT, E_KIND, E_STATE, E_NOTE, E_ID, O_ID, O_WAYBILLS, O_VERIFY };

static bool is_order_no(const char *s)
{
	return orderno_valid(s);
}

static bool is_tail(const char *s)
{
	return strlen(s) == 4 && strspn(s, "0123456789") == 4;
}

struct track_order_in {
	const char *order_no, *mobile_tail;
};

static const struct req_field fields[] = {
	{ "order_no", true, 18, is_order_no,
	  "订单号为 18 位数字，请核对后重新输入（可在申请短信或“我的订单”中查看）。",
	  offsetof(struct track_order_in, order_no) },
	{ "mobile_tail", true, 4, is_tail, "请输入经办人手机号码的后 4 位数字。",
	  offsetof(struct track_order_in, mobile_tail) },
};

/* Same answer for an unknown number and for wrong digits: nothing to enumerate. */
static int not_found(struct req *r)
{
	return resp_error(r, ERR_NOT_FOUND, NULL,
			  "未找到与该订单号和手机号后四位匹配的订单，请核对后重试。");
}

/* Opens the handler's mobile into plain (NUL-terminated) and compares its last four digits. */
static bool tail_matches(struct req *r, const struct db_rows *o, const char *tail, char plain[ORDER_MOBILE_MAX])
{
	size_t n;

	if (order_mobile_open(&r->app->key, db_cell(o, 0, O_MOBILE), o->len[O_MOBILE], plain) < 0)
		return false;
	n = strlen(plain);
	return n >= 4 && crypto_equal(plain + n - 4, tail, 4);
}

struct event_at {
	const char *at;
	long long id;
	size_t row;
};

/* Oldest first; events of the same second in the order they were written. */
static int event_cmp(const void *x, const void *y)
{
	const struct event_at *a = x, *b = y;
	int c = strcmp(a->at, b->at);

	return c ? c : (a->id > b->id) - (a->id < b->id);
}

/* The public events, oldest first; the same second in the order they were written. */
static int timeline(struct req *r, const struct db_rows *ev, struct jsonw *w)
{
	struct event_at *order = arena_alloc(r->arena, (ev->nrows + 1) * sizeof(*order));
	size_t n = 0;

	if (!order)
		return -1;
	for (size_t i = 0; i < ev->nrows; i++)
		if (db_cell(ev, i, E_KIND) && db_cell(ev, i, E_AT))
			order[n++] = (struct event_at){ db_cell(ev, i, E_AT),
							strtoll(db_cell(ev, i, E_ID), NULL, 10), i };
	qsort(order, n, sizeof(*order), event_cmp);
	jsonw_key(w, "timeline");
	jsonw_open(w, '[');
	for (size_t k = 0; k < n; k++) {
		size_t i = order[k].row;
		const char *kind = db_cell(ev, i, E_KIND), *name = order_event_name(kind);

		jsonw_open(w, '{');
		jsonw_kstr(w, "at", db_cell(ev, i, E_AT));
		jsonw_kstr(w, "event", kind);
		jsonw_kstr(w, "text", name ? name : kind);
		jsonw_kstr(w, "state", db_cell(ev, i, E_STATE));
		jsonw_kstr(w, "note", db_cell(ev, i, E_NOTE));
		jsonw_close(w, '}');
	}
	jsonw_close(w, ']');
	return 0;
}

/* The waybills, from jansson (parcels.c): only orders that have some pay for the tree. */
static int waybills(struct req *r, const struct db_rows *o, struct jsonw *w)
{
	json_t *list;
	char *text;

	jsonw_key(w, "waybills");
	if (strcmp(db_cell(o, 0, O_WAYBILLS), "0") == 0) {
		jsonw_raw(w, "[]", 2);
		return 0;
	}
	list = track_waybills(r, strtoll(db_cell(o, 0, O_ID), NULL, 10));
	text = list ? json_dumps(list, JSON_COMPACT) : NULL;
	json_decref(list);
	if (!text)
		return -1;
	jsonw_raw(w, text, strlen(text));
	free(text);
	return 0;
}

/* 001: 成功受理 once the financial check after approval is credited. */
static int state_name(struct req *r, const struct db_rows *o, const char **name)
{
	enum order_state st = order_state_parse(db_cell(o, 0, O_STATE));
	struct fincheck_row f = { .state = "" };
	int rc = DB_OK;

	if (fincheck_names(st))
		rc = fincheck_latest(&r->app->db, r->arena, strtoll(db_cell(o, 0, O_ID), NULL, 10), &f);
	*name = fincheck_state_zh(st, db_cell(o, 0, O_VERIFY), f.state);
	return rc;
}

/* The answer from the database: 1 and *text, 0 if no order has that number and digits, or
 * -1 with the error answered. */
static int answer(struct req *r, const struct track_order_in *in, const char **text, size_t *len)
{
	const char *kind, *name;
	struct db_rows o;
	struct jsonw w;
	char subject[256], mobile[32], plain[32];
	int rc;

	rc = db_query(&r->app->db, r->arena, sql_order, DB_ARGS(DB_STR(in->order_no)), &o);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (o.nrows < 1 || !tail_matches(r, &o, in->mobile_tail, plain))
		return 0;
	kind = db_cell(&o, 0, O_KIND);
	if (strcmp(kind, "person") == 0)
		mask_person_name(db_cell(&o, 0, O_SUBJECT), subject, sizeof(subject));
	else
		mask_org_name(db_cell(&o, 0, O_SUBJECT), subject, sizeof(subject));
	mask_mobile(plain, mobile, sizeof(mobile));
	explicit_bzero(plain, sizeof(plain));
	if ((rc = state_name(r, &o, &name)) != DB_OK)
		return app_db_error(r, rc);

	jsonw_init(&w, r->arena, 2048);
	jsonw_open(&w, '{');
	jsonw_key(&w, "order");
	jsonw_open(&w, '{');
	jsonw_kstr(&w, "order_no", db_cell(&o, 0, O_NO));
	jsonw_kstr(&w, "business_type", db_cell(&o, 0, O_BUSINESS));
	jsonw_kstr(&w, "business_name", order_business_name(db_cell(&o, 0, O_BUSINESS)));
	jsonw_kstr(&w, "cert_kind", kind);
	jsonw_kstr(&w, "cert_kind_name", order_kind_name(kind));
	jsonw_kstr(&w, "state", db_cell(&o, 0, O_STATE));
	jsonw_kstr(&w, "state_name", name);
	jsonw_kstr(&w, "channel", db_cell(&o, 0, O_CHANNEL));
	jsonw_kstr(&w, "subject", subject);
	jsonw_kstr(&w, "handler_mobile", mobile);
	jsonw_kstr(&w, "created_at", db_cell(&o, 0, O_CREATED));
	jsonw_close(&w, '}');
	if (timeline(r, &o, &w) < 0 || waybills(r, &o, &w) < 0)
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	jsonw_close(&w, '}');
	if (!(*text = jsonw_done(&w, len)))
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	return 1;
}

int track_order(struct req *r)
{
	struct track_order_in in;
	const char *text = NULL;
	char *cached = NULL;
	size_t len = 0, cached_len = 0;
	unsigned long long guard;
	json_t *body;
	int hit, rc;

	if (req_json(r, &body) < 0)
		return -1;
	if (REQ_FIELDS(r, body, fields, &in) < 0)
		return -1;
	if (app_limit_lookup(r, "track") < 0)
		return -1;
	hit = track_cache_get(r, in.order_no, in.mobile_tail, &cached, &cached_len);
	if (hit != TRACK_CACHE_MISS && !r->app->conf.track_cache_check) {
		resp_header(r, "X-Certhall-Cache", "hit");
		if (hit == TRACK_CACHE_WRONG_TAIL)
			return not_found(r);
		resp_json_text(r, 200, cached, cached_len);
		return 0;
	}
	guard = track_cache_guard();
	if ((rc = answer(r, &in, &text, &len)) < 0)
		return -1;
	/* [track] cache_check (the tests): a cached answer must be the database's, byte for byte. */
	if (hit != TRACK_CACHE_MISS &&
	    (hit == TRACK_CACHE_WRONG_TAIL ? rc != 0
	     : rc != 1 || len != cached_len || memcmp(text, cached, len) != 0)) {
		log_rid(LOG_ERROR, r->rid, "track cache: a stale answer for order %s", in.order_no);
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	}
	resp_header(r, "X-Certhall-Cache", hit != TRACK_CACHE_MISS ? "hit" : "miss");
	if (rc == 0)
		return not_found(r);
	track_cache_put(guard, in.order_no, in.mobile_tail, text, len);
	resp_json_text(r, 200, text, len);
	return 0;
}
