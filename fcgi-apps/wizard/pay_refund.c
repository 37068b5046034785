/* wizard: POST /api/wizard/orders/:no/refund: a paid order not yet approved asks for its
 * money back (-> refunding). */
#include <stdlib.h>

#include "domain/order.h"
#include "pay_payment.h"
#include "base/valid.h"

#define REASON_MAX 200 /* refund reason, characters */

static bool is_reason(const char *s)
{
	return valid_text(s, strlen(s), REASON_MAX);
}

struct wizard_refund_in {
	const char *reason;
};

static const struct req_field refund_fields[] = {
	{ "reason", false, REASON_MAX, is_reason, "退款原因请填写不超过 200 字的文字。",
	  offsetof(struct wizard_refund_in, reason) },
};

static const char sql_refund_order[] = "SELECT state, version FROM orders WHERE id = ? FOR UPDATE";
static const char sql_refund_paid[] =
	"SELECT id FROM payments WHERE order_id = ? AND state = 'paid' FOR UPDATE";
static const char sql_refund_payments[] =
	"UPDATE payments SET state = 'refunding', version = version + 1 "
	"WHERE order_id = ? AND state = 'paid'";

struct refund {
	struct req *r;
	const struct order *o;
	const char *reason;
	enum order_state from;
	enum err_code refused;
};

static int refund_tx(struct db *db, void *ctx)
{
	struct refund *f = ctx;
	struct db_rows rows;
	const char *note;
	long long version;
	int rc;

	f->refused = ERR__COUNT;
	rc = db_query(db, f->r->arena, sql_refund_order, DB_ARGS(DB_I64(f->o->id)), &rows);
	if (rc != DB_OK)
		return rc;
	f->from = rows.nrows == 1 ? order_state_parse(db_cell(&rows, 0, 0)) : ORDER_STATE_NONE;
	if (!order_is(f->from, ORDER_REFUNDABLE)) {
		f->refused = ERR_WRONG_STATE;
		return DB_ERR;
	}
	version = strtoll(db_cell(&rows, 0, 1), NULL, 10);
	rc = db_query(db, f->r->arena, sql_refund_paid, DB_ARGS(DB_I64(f->o->id)), &rows);
	if (rc != DB_OK)
		return rc;
	if (rows.nrows == 0) { /* nothing was paid (a free order): nothing to give back */
		f->refused = ERR_WRONG_STATE;
		return DB_ERR;
	}
	rc = order_move(db, f->o->id, f->from, ORDER_REFUNDING, version, ORDER_BY_APPLICANT);
	if (rc == ORDER_STALE) /* impossible under the row lock; retry rather than guess */
		return DB_RETRY;
	if (rc == DB_OK)
		rc = db_exec(db, sql_refund_payments, DB_ARGS(DB_I64(f->o->id)), NULL, NULL);
	if (rc != DB_OK)
		return rc;
	/* The public timeline (anyone with the number and four digits of a mobile) says that a
	 * refund was asked for; the applicant's own words stay for the applicant and the staff. */
	rc = order_event(db, f->o->id, "refund_requested", f->from, ORDER_REFUNDING, "applicant",
			 f->r->auth.id, true, "待财务办理退款。");
	if (rc != DB_OK || !f->reason || !f->reason[0])
		return rc;
	note = arena_printf(f->r->arena, "退款原因：%s", f->reason);
	return note ? order_event(db, f->o->id, "refund_requested", ORDER_STATE_NONE,
				  ORDER_STATE_NONE, "applicant", f->r->auth.id, false, note)
		    : DB_ERR;
}

int wizard_refund(struct req *r)
{
	struct order o;
	struct refund f = { .r = r, .o = &o };
	struct wizard_refund_in in;
	json_t *body;
	int rc;

	if (wizard_find_order(r, r->params[0], &o) < 0 || req_json(r, &body) < 0)
		return -1;
	if (REQ_FIELDS(r, body, refund_fields, &in) < 0)
		return -1;
	f.reason = in.reason;
	rc = db_tx(&r->app->db, refund_tx, &f);
	if (f.refused != ERR__COUNT)
		return resp_error(r, ERR_WRONG_STATE, NULL,
				  o.state == ORDER_PENDING_PAYMENT
					  ? "订单尚未支付，无需退款；如不再办理，请直接取消订单。"
					  : "只有已支付、尚未审核通过的订单可以申请退款。");
	if (rc != DB_OK)
		return app_db_error(r, rc);
	resp_json(r, 200, json_pack("{s:s, s:s, s:s}", "order_no", o.no,
				    "state", order_state_str(ORDER_REFUNDING),
				    "state_name", order_state_zh(ORDER_REFUNDING)));
	return 0;
}
