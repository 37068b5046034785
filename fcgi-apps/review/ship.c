/* review: the stages after the decision: the applicant's paper received, the key shipped with
 * a waybill, delivered (the key made: make.c). */
#include <string.h>

#include "web/auth.h"
#include "domain/order.h"
#include "review.h"
#include "ext/waybill.h"

static const char sql_waybill[] =
	"INSERT INTO waybills (order_id, direction, carrier, number, created_by_type, created_by, "
	"created_at) VALUES (?, 'out', ?, ?, 'staff', ?, NOW(3))";

/* One stage: from -> to, made by whom (the route's role), its event, its audit action, its SMS
 * and what the SMS says. */
struct stage {
	struct req *r;
	const struct order *o;
	enum order_state from, to;
	unsigned by;
	const char *event, *action, *sms, *note;
	json_t *params;
	long long version;
	const char *carrier, *number;    /* shipped: the out waybill */
	bool key_only;                   /* only where a key is mailed (review_ships_key) */
	bool days;                       /* the SMS gives the channel's promise in working days */
	bool stale, taken;
};

static int stage_tx(struct db *db, void *p)
{
	struct stage *s = p;
	struct req *r = s->r;
	int rc;

	s->stale = s->taken = false;
	rc = review_move(db, r, s->o, s->from, s->to, s->by, s->version, s->event, s->note);
	if (rc == ORDER_STALE) {
		s->stale = true;
		return DB_ERR;
	}
	if (rc == DB_OK && s->number) {
		rc = db_exec(db, sql_waybill,
			     DB_ARGS(DB_I64(s->o->id), DB_STR(s->carrier), DB_STR(s->number),
				     DB_I64(r->auth.id)), NULL, NULL);
		if (rc == DB_DUP) {
			s->taken = true;
			return DB_ERR;
		}
	}
	if (rc == DB_OK && order_is(s->to, ORDER_FINAL))
		rc = review_claim_clear(db, s->o->id);
	if (rc == DB_OK)
		rc = review_audit(db, r, s->o->id, s->o->no, s->action,
				  arena_printf(r->arena, "%s -> %s%s%s", order_state_str(s->from),
					       order_state_str(s->to),
					       s->note[0] ? ": " : "", s->note));
	if (rc == DB_OK)
		rc = review_notify(db, r, s->o, s->sms, s->params);
	return rc;
}

static int run(struct req *r, struct stage *s, const char *needs)
{
	int rc;

	if (s->o->state != s->from) {
		json_decref(s->params);
		return review_wrong_state(r, s->o, needs);
	}
	if (!s->params)
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	rc = db_tx(&r->app->db, stage_tx, s);
	json_decref(s->params);
	if (s->stale)
		return review_conflict(r);
	if (s->taken)
		return resp_error(r, ERR_CONFLICT, "number",
				  "该运单号已登记过寄出，请核对运单号是否填写正确。");
	if (rc != DB_OK)
		return app_db_error(r, rc);
	resp_json(r, 200, json_pack("{s:s, s:s, s:I}", "order_no", s->o->no,
				    "state", order_state_str(s->to),
				    "version", (json_int_t)(s->version + 1)));
	return 0;
}

/* A stage that takes nothing but the order's version: the order checked, the SMS's
 * parameters made, the stage run. */
static int simple(struct req *r, struct stage *s, const char *needs)
{
	struct order o;
	json_t *body;

	if (review_begin(r, &o, &body, &s->version) < 0)
		return -1;
	if (s->key_only && !review_ships_key(&o))
		return review_wrong_state(r, &o, "该业务无需制作和寄送证书介质。");
	s->r = r;
	s->o = &o;
	s->note = "";
	/* A hall whose guide prints no review time (004) promises none: the text without days. */
	if (s->days && !o.days_public) {
		s->days = false;
		s->sms = arena_printf(r->arena, "%s_open", s->sms);
	}
	s->params = s->days ? json_pack("{s:s}", "days", review_days_text(r, o.days_min, o.days_max))
			    : json_object();
	return run(r, s, needs);
}

int review_paper_received(struct req *r)
{
	struct stage s = { .from = ORDER_AWAITING_PAPER, .to = ORDER_PAPER_REVIEW,
			   .by = ORDER_BY_REVIEWER, .event = "paper_received", .action = "paper_received",
			   .sms = "paper_received", .days = true };


	return simple(r, &s, "只有待寄送纸质材料的订单可以登记签收纸质材料。");
}

static bool is_carrier(const char *s)
{
	return waybill_carrier_name(s) != NULL;
}

struct review_shipped_in {
	const char *carrier, *number;
};

static const struct req_field shipped_fields[] = {
	{ "carrier", true, 8, is_carrier,
	  "快递公司（carrier）应为 sf、ems、zto、yto、sto、yunda、jd 或 deppon。",
	  offsetof(struct review_shipped_in, carrier) },
	{ "number", true, 64, NULL, "运单号（number）不能为空，且不能含有控制字符。",
	  offsetof(struct review_shipped_in, number) },
};

int review_shipped(struct req *r)
{
	struct review_shipped_in in;
	const char *expected = NULL;
	char norm[WAYBILL_MAX + 1];
	struct order o;
	struct stage s;
	json_t *body;
	long long v;

	if (review_body(r, &body, true, &v) < 0 ||
	    REQ_FIELDS(r, body, shipped_fields, &in) < 0)
		return -1;
	if (!waybill_check(in.carrier, in.number, &expected) || !waybill_normalise(in.number, norm))
		return resp_error(r, ERR_BAD_WAYBILL, "number",
				  expected ? expected : "运单号格式不正确，请核对后重新输入。");
	if (review_find_order(r, r->params[0], &o) < 0)
		return -1;
	if (v != o.version)
		return review_conflict(r);
	s = (struct stage){ .r = r, .o = &o, .from = ORDER_MAKING, .to = ORDER_SHIPPED,
			    .by = ORDER_BY_SHIPPING, .event = "shipped",
			    .action = "shipped", .sms = "shipped", .version = v,
			    .carrier = in.carrier, .number = arena_strdup(r->arena, norm),
			    .note = arena_printf(r->arena, "%s %s", waybill_carrier_name(in.carrier), norm),
			    .params = json_pack("{s:s, s:s}", "carrier", waybill_carrier_name(in.carrier),
						"waybill", norm) };
	if (!s.number || !s.note) {
		json_decref(s.params);
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	}
	return run(r, &s, "只有证书制作中的订单可以登记寄出。");
}

int review_delivered(struct req *r)
{
	struct stage s = { .from = ORDER_SHIPPED, .to = ORDER_DONE, .by = ORDER_BY_SHIPPING,
			   .event = "done", .action = "delivered", .sms = "order_done" };

	return simple(r, &s, "只有已寄出的订单可以登记签收。");
}
