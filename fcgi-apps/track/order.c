/* track: POST /api/track/order: an order's state and timeline by number + mobile tail. */
#include <stdlib.h>
#include <string.h>

#include "web/app.h"
#include "web/req.h"
#include "domain/fincheck.h"
#include "domain/mask.h"
#include "domain/order.h"
#include "domain/orderno.h"
#include "track.h"

/* The order and its public timeline in one round trip: one row per event (at least one row,
 * event columns NULL, for an order without events), and whether it has waybills (parcels.c
 * reads them then). No ORDER BY: sorting here would take a temporary table for every
 * look-up; the few events are put in order by timeline(). */
static const char sql_order[] =
	"SELECT o.order_no, o.business_type, o.cert_kind, o.state, o.subject_name, "
	"o.handler_mobile_enc, " DB_ISO("o.created_at") ", c.name, "
	DB_ISO("e.at") ", e.kind, e.state_to, e.note, e.id, o.id, "
	"EXISTS (SELECT 1 FROM waybills w WHERE w.order_id = o.id), o.verify_method, "
	"COALESCE((SELECT f.state FROM fin_checks f WHERE f.order_id = o.id "
	"ORDER BY f.id DESC LIMIT 1), '') "
	"FROM orders o JOIN channels c ON c.id = o.channel_id "
	"LEFT JOIN order_events e ON e.order_id = o.id AND e.public = 1 "
	"WHERE o.order_no = ? LIMIT 200";

enum { O_NO, O_BUSINESS, O_KIND, O_STATE, O_SUBJECT, O_MOBILE, O_CREATED, O_CHANNEL,
       E_AT, E_KIND, E_STATE, E_NOTE, E_ID, O_ID, O_WAYBILLS, O_VERIFY, O_FIN };

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

static json_t *timeline(struct req *r, const struct db_rows *ev)
{
	struct event_at *order = arena_alloc(r->arena, (ev->nrows + 1) * sizeof(*order));
	json_t *list = json_array();
	size_t n = 0;

	if (!order || !list) {
		json_decref(list);
		return NULL;
	}
	for (size_t i = 0; i < ev->nrows; i++)
		if (db_cell(ev, i, E_KIND) && db_cell(ev, i, E_AT))
			order[n++] = (struct event_at){ db_cell(ev, i, E_AT),
							strtoll(db_cell(ev, i, E_ID), NULL, 10), i };
	qsort(order, n, sizeof(*order), event_cmp);
	for (size_t k = 0; k < n; k++) {
		size_t i = order[k].row;
		const char *kind = db_cell(ev, i, E_KIND), *name = order_event_name(kind);

		json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s?, s:s?}",
			"at", db_cell(ev, i, E_AT), "event", kind, "text", name ? name : kind,
			"state", db_cell(ev, i, E_STATE), "note", db_cell(ev, i, E_NOTE)));
	}
	return list;
}

int track_order(struct req *r)
{
	struct track_order_in in;
	const char *kind;
	struct db_rows o;
	char subject[256], mobile[32], plain[32];
	json_t *body, *events;
	int rc;

	if (req_json(r, &body) < 0)
		return -1;
	if (REQ_FIELDS(r, body, fields, &in) < 0)
		return -1;
	if (app_limit_lookup(r, "track") < 0)
		return -1;
	rc = db_query(&r->app->db, r->arena, sql_order, DB_ARGS(DB_STR(in.order_no)), &o);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (o.nrows < 1 || !tail_matches(r, &o, in.mobile_tail, plain))
		return not_found(r);
	if (!(events = timeline(r, &o))) {
		explicit_bzero(plain, sizeof(plain));
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	}

	kind = db_cell(&o, 0, O_KIND);
	if (strcmp(kind, "person") == 0)
		mask_person_name(db_cell(&o, 0, O_SUBJECT), subject, sizeof(subject));
	else
		mask_org_name(db_cell(&o, 0, O_SUBJECT), subject, sizeof(subject));
	mask_mobile(plain, mobile, sizeof(mobile));
	explicit_bzero(plain, sizeof(plain));

	resp_json(r, 200, json_pack("{s:{s:s, s:s, s:s?, s:s, s:s?, s:s, s:s?, s:s, s:s, s:s, s:s}, s:o, s:o}",
		"order",
		"order_no", db_cell(&o, 0, O_NO),
		"business_type", db_cell(&o, 0, O_BUSINESS),
		"business_name", order_business_name(db_cell(&o, 0, O_BUSINESS)),
		"cert_kind", kind,
		"cert_kind_name", order_kind_name(kind),
		"state", db_cell(&o, 0, O_STATE),
		/* 001: 成功受理 once the financial check after approval is credited. */
		"state_name", fincheck_state_zh(order_state_parse(db_cell(&o, 0, O_STATE)),
						db_cell(&o, 0, O_VERIFY), db_cell(&o, 0, O_FIN)),
		"channel", db_cell(&o, 0, O_CHANNEL),
		"subject", subject,
		"handler_mobile", mobile,
		"created_at", db_cell(&o, 0, O_CREATED),
		"timeline", events,
		"waybills", strcmp(db_cell(&o, 0, O_WAYBILLS), "0") == 0 ? json_array() :
			    track_waybills(r, strtoll(db_cell(&o, 0, O_ID), NULL, 10))));
	return 0;
}
