/* review: finance: a transfer or counter payment confirmed (the order moves on as a provider
 * payment moves it, shared/domain/order.h), and refunds paid out. */
#include <stdlib.h>
#include <string.h>

#include "web/auth.h"
#include "domain/order.h"
#include "ext/pay.h"
#include "domain/payment.h"
#include "review.h"
#include "base/valid.h"

static const char sql_awaiting[] =
	"SELECT id, amount_fen FROM payments WHERE order_id = ? AND state = 'awaiting_finance' "
	"ORDER BY id DESC LIMIT 1 FOR UPDATE";
static const char sql_pay[] =
	"UPDATE payments SET state = 'paid', paid_at = NOW(3), confirmed_by = ?, version = version + 1 "
	"WHERE id = ? AND state = 'awaiting_finance'";
static const char sql_order_paid[] = "UPDATE orders SET paid_at = NOW(3) WHERE id = ?";
static const char sql_refunding[] =
	"SELECT COALESCE(SUM(amount_fen), 0), COUNT(*) FROM payments WHERE order_id = ? "
	"AND state = 'refunding' FOR UPDATE";
static const char sql_refund_settled[] =
	"UPDATE orders SET refund_due = 0, version = version + 1, updated_at = NOW(3) "
	"WHERE id = ? AND refund_due = 1 AND version = ?";
static const char sql_refund_due_clear[] = "UPDATE orders SET refund_due = 0 WHERE id = ?";
/* A transfer or counter payment that arrives for an order no longer waiting for it (paid by
 * another method meanwhile, or cancelled): it is money to pay back. */
static const char sql_pay_late[] =
	"UPDATE payments SET state = 'refunding', paid_at = NOW(3), confirmed_by = ?, "
	"version = version + 1 WHERE id = ? AND state = 'awaiting_finance'";
static const char sql_flag_refund[] =
	"UPDATE orders SET refund_due = 1, version = version + 1, updated_at = NOW(3) "
	"WHERE id = ? AND version = ?";
static const char sql_refunded[] =
	"UPDATE payments SET state = 'refunded', confirmed_by = ?, version = version + 1 "
	"WHERE order_id = ? AND state = 'refunding'";

struct fin {
	struct req *r;
	const struct order *o;
	long long version, new_version;
	enum order_state to;
	bool stale;
	const char *nothing;  /* why there was nothing to settle (zh-CN), NULL when there was */
	char amount[24];
};

static int confirm_tx(struct db *db, void *p)
{
	struct fin *f = p;
	struct req *r = f->r;
	const struct order *o = f->o;
	struct db_rows rows;
	unsigned long long n = 0;
	json_t *params;
	int rc;

	f->stale = false;
	f->nothing = NULL;
	/* Where a paid order goes: the same rule as a provider's payment (shared/ext/pay.c). */
	f->to = payment_next_state(o->flow, order_by_mail(o), o->renew_mode);
	rc = review_move(db, r, o, ORDER_PENDING_PAYMENT, f->to, ORDER_BY_FINANCE, f->version, "paid",
			 "");
	if (rc == ORDER_STALE)
		f->stale = true;
	if (rc != DB_OK)
		return rc == ORDER_STALE ? DB_ERR : rc;
	f->new_version = f->version + 1;
	rc = db_query(db, r->arena, sql_awaiting, DB_ARGS(DB_I64(o->id)), &rows);
	if (rc != DB_OK)
		return rc;
	if (rows.nrows != 1) {
		f->nothing = "该订单没有待财务确认的转账或柜台付款：请等待申请人登记付款后再确认。";
		return DB_ERR;
	}
	valid_money_format(strtoll(db_cell(&rows, 0, 1), NULL, 10), f->amount, sizeof(f->amount));
	rc = db_exec(db, sql_pay, DB_ARGS(DB_I64(r->auth.id), DB_I64(strtoll(db_cell(&rows, 0, 0), NULL, 10))),
		     &n, NULL);
	if (rc == DB_OK && n != 1)
		rc = DB_ERR;
	if (rc == DB_OK)
		rc = db_exec(db, sql_order_paid, DB_ARGS(DB_I64(o->id)), NULL, NULL);
	if (rc == DB_OK)
		rc = review_audit(db, r, o->id, o->no, "payment_confirm",
				  arena_printf(r->arena, "%s yuan, %s -> %s", f->amount,
					       order_state_str(o->state), order_state_str(f->to)));
	if (rc != DB_OK)
		return rc;
	params = json_pack("{s:s}", "amount", f->amount);
	rc = review_notify(db, r, o, "payment_confirmed", params);
	json_decref(params);
	if (rc == DB_OK)
		rc = app_outbox_invoice(r, o->id, INVOICE_PAID);
	/* An online renewal needs no review: paid is approved, and approved renewals are done. */
	if (rc == DB_OK && f->to == ORDER_APPROVED) {
		rc = review_approved(db, r, o, f->new_version, &f->to);
		if (rc == DB_OK && f->to == ORDER_DONE)
			f->new_version++;
	}
	return rc;
}

/* The settlement in its transaction, and the answer: the order's state, amount and version. */
static int settle(struct req *r, const struct order *o, long long version,
		  int (*tx)(struct db *db, void *p))
{
	struct fin f = { .r = r, .o = o, .version = version };
	int rc = db_tx(&r->app->db, tx, &f);

	if (f.stale)
		return review_conflict(r);
	if (f.nothing)
		return resp_error(r, ERR_WRONG_STATE, NULL, f.nothing);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	resp_json(r, 200, json_pack("{s:s, s:s, s:s, s:I}", "order_no", o->no, "state", order_state_str(f.to), "amount",
				    f.amount, "version", (json_int_t)f.new_version));
	return 0;
}

static int confirm_late_tx(struct db *db, void *p)
{
	struct fin *f = p;
	struct req *r = f->r;
	const struct order *o = f->o;
	struct db_rows rows;
	unsigned long long n = 0;
	int rc;

	f->stale = false;
	f->nothing = NULL;
	f->to = o->state;
	rc = db_query(db, r->arena, sql_awaiting, DB_ARGS(DB_I64(o->id)), &rows);
	if (rc != DB_OK)
		return rc;
	if (rows.nrows != 1) {
		f->nothing = "只有待支付的订单，或登记了待确认转账/柜台付款的订单，可以确认收款。";
		return DB_ERR;
	}
	rc = db_exec(db, sql_flag_refund, DB_ARGS(DB_I64(o->id), DB_I64(f->version)), &n, NULL);
	if (rc == DB_OK && n != 1) {
		f->stale = true;
		return DB_ERR;
	}
	f->new_version = f->version + 1;
	valid_money_format(strtoll(db_cell(&rows, 0, 1), NULL, 10), f->amount, sizeof(f->amount));
	if (rc == DB_OK)
		rc = db_exec(db, sql_pay_late,
			     DB_ARGS(DB_I64(r->auth.id), DB_I64(strtoll(db_cell(&rows, 0, 0), NULL, 10))),
			     NULL, NULL);
	if (rc == DB_OK)
		rc = order_note(db, o->id, "refund_requested", "staff", r->auth.id, true,
				 arena_printf(r->arena, "订单%s时收到转账/柜台付款 %s 元，款项将原路退回。",
					      order_state_zh(o->state), f->amount));
	if (rc == DB_OK)
		rc = review_audit(db, r, o->id, o->no, "payment_confirm_late",
				  arena_printf(r->arena, "%s yuan, to refund", f->amount));
	return rc;
}

int review_pay_confirm(struct req *r)
{
	struct order o;
	json_t *body;
	long long version = 0;

	if (review_begin(r, &o, &body, &version) < 0)
		return -1;
	/* Registered with finance earlier, arrived after the order went on without it. */
	if (o.state != ORDER_PENDING_PAYMENT)
		return settle(r, &o, version, confirm_late_tx);
	return settle(r, &o, version, confirm_tx);
}

static int refund_tx(struct db *db, void *p)
{
	struct fin *f = p;
	struct req *r = f->r;
	const struct order *o = f->o;
	struct db_rows rows;
	json_t *params;
	int rc;

	f->stale = false;
	f->nothing = NULL;
	rc = db_query(db, r->arena, sql_refunding, DB_ARGS(DB_I64(o->id)), &rows);
	if (rc != DB_OK)
		return rc;
	/* Nothing in refunding: nothing to pay out, however the order reads. */
	if (strcmp(db_cell(&rows, 0, 1), "0") == 0) {
		f->nothing = "该订单没有待退还的款项。";
		return DB_ERR;
	}
	if (o->state == ORDER_REFUNDING) {
		f->to = ORDER_REFUNDED;
		rc = review_move(db, r, o, ORDER_REFUNDING, ORDER_REFUNDED, ORDER_BY_FINANCE, f->version,
				 "refunded", "");
		if (rc == DB_OK)
			rc = db_exec(db, sql_refund_due_clear, DB_ARGS(DB_I64(o->id)), NULL, NULL);
	} else {
		/* Money that came after a cancel, or twice: paid back, the order stays as it is. */
		f->to = o->state;
		unsigned long long n = 0;

		rc = db_exec(db, sql_refund_settled, DB_ARGS(DB_I64(o->id), DB_I64(f->version)), &n,
			     NULL);
		if (rc == DB_OK && n != 1)
			rc = ORDER_STALE;
		if (rc == DB_OK)
			rc = order_note(db, o->id, "refunded", "staff", r->auth.id, true, "");
	}
	if (rc == ORDER_STALE)
		f->stale = true;
	if (rc != DB_OK)
		return rc == ORDER_STALE ? DB_ERR : rc;
	f->new_version = f->version + 1;
	valid_money_format(strtoll(db_cell(&rows, 0, 0), NULL, 10), f->amount, sizeof(f->amount));
	rc = db_exec(db, sql_refunded, DB_ARGS(DB_I64(r->auth.id), DB_I64(o->id)), NULL, NULL);
	if (rc == DB_OK)
		rc = review_claim_clear(db, o->id);
	if (rc == DB_OK)
		rc = review_audit(db, r, o->id, o->no, "refund", arena_printf(r->arena, "%s yuan", f->amount));
	if (rc != DB_OK)
		return rc;
	params = json_pack("{s:s}", "amount", f->amount);
	rc = review_notify(db, r, o, "refund_done", params);
	json_decref(params);
	return rc;
}

int review_refund(struct req *r)
{
	struct order o;
	json_t *body;
	long long version = 0;

	if (review_begin(r, &o, &body, &version) < 0)
		return -1;
	if (o.state != ORDER_REFUNDING && !o.refund_due)
		return review_wrong_state(r, &o, "只有退款中的订单可以确认退款。");
	return settle(r, &o, version, refund_tx);
}
