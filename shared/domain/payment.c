/* payment: applies what a provider or finance reports to the payment and its order. */
#include "domain/payment.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "domain/order.h"
#include "ext/pay.h"
#include "base/valid.h"

/* In the order of enum payment_state; the NULL row ends it for those who walk it. */
const struct payment_state_def payment_states[PAYMENT_STATE__COUNT + 1] = {
	[PAYMENT_STATE_PENDING] = { "pending", "待支付" },
	[PAYMENT_STATE_AWAITING_FINANCE] = { "awaiting_finance", "待财务确认" },
	[PAYMENT_STATE_PAID] = { "paid", "已支付" },
	[PAYMENT_STATE_CLOSED] = { "closed", "已关闭" },
	[PAYMENT_STATE_REFUNDING] = { "refunding", "退款中" },
	[PAYMENT_STATE_REFUNDED] = { "refunded", "已退款" },
	[PAYMENT_STATE__COUNT] = { NULL, NULL },
};

enum payment_state payment_state_parse(const char *name)
{
	for (int i = 0; name && i < PAYMENT_STATE__COUNT; i++)
		if (strcmp(name, payment_states[i].name) == 0)
			return (enum payment_state)i;
	return PAYMENT_STATE_NONE;
}

const char *payment_state_str(enum payment_state s)
{
	return s >= 0 && s < PAYMENT_STATE__COUNT ? payment_states[s].name : "";
}

bool payment_state_is(const char *name, enum payment_state s)
{
	return s != PAYMENT_STATE_NONE && payment_state_parse(name) == s;
}

const char *payment_state_name(const char *state)
{
	enum payment_state s = payment_state_parse(state);

	return s == PAYMENT_STATE_NONE ? NULL : payment_states[s].zh;
}


enum order_state payment_next_state(const char *flow, bool by_mail, const char *renew_mode)
{
	if (by_mail || (flow && strcmp(flow, "two_stage") == 0))
		return ORDER_AWAITING_PAPER;
	if (renew_mode && strcmp(renew_mode, "online") == 0)
		return ORDER_APPROVED;
	return ORDER_REVIEWING;
}

const char *payment_outcome_name(enum payment_outcome o)
{
	switch (o) {
	case PAYMENT_PAID: return "paid";
	case PAYMENT_REFUND: return "paid_refunding";
	case PAYMENT_CLOSED: return "closed";
	case PAYMENT_UNCHANGED: return "unchanged";
	case PAYMENT_AMOUNT_MISMATCH: return "amount_mismatch";
	case PAYMENT_REF_MISMATCH: return "ref_mismatch";
	case PAYMENT_UNKNOWN: return "unknown_payment";
	}
	return "unknown";
}

static const char sql_find[] = "SELECT order_id FROM payments WHERE pay_no = ?";
static const char sql_lock_order[] =
	"SELECT state, version, order_no, mail_in OR paper_mail, COALESCE(renew_mode, ''), channel_id "
	"FROM orders WHERE id = ? FOR UPDATE";
static const char sql_flow[] = "SELECT flow FROM channels WHERE id = ?";
static const char sql_lock_payment[] =
	"SELECT id, state, amount_fen, COALESCE(provider_ref, ''), method "
	"FROM payments WHERE pay_no = ? FOR UPDATE";
static const char sql_refund_due[] =
	"UPDATE orders SET refund_due = 1, version = version + 1 WHERE id = ?";
static const char sql_paid[] =
	"UPDATE payments SET state = ?, paid_at = NOW(3), "
	"provider_ref = COALESCE(provider_ref, NULLIF(?, '')), "
	"confirmed_by = IF(? = 'staff', ?, confirmed_by), version = version + 1 WHERE id = ?";
/* Only QR payments close: a transfer or counter payment registered with finance may already
 * be money on its way, so it stays for finance to confirm (and, if the order was paid
 * otherwise, to pay back). */
static const char sql_close_others[] =
	"UPDATE payments SET state = 'closed', version = version + 1 "
	"WHERE order_id = ? AND id <> ? AND state = 'pending'";
static const char sql_order_paid[] =
	"UPDATE orders SET paid_at = NOW(3), submitted_at = COALESCE(submitted_at, NOW(3)) "
	"WHERE id = ?";
static const char sql_close[] =
	"UPDATE payments SET state = 'closed', version = version + 1 WHERE id = ?";

static long long ll(const struct db_rows *rows, size_t col)
{
	const char *s = db_cell(rows, 0, col);

	return s ? strtoll(s, NULL, 10) : 0;
}

/* The zh-CN name, or the code itself for a method someone added without one. */
static const char *method_zh(const char *method)
{
	const char *zh = pay_method_name(method);

	return zh ? zh : method;
}

static const char sql_renew_cert[] =
	"UPDATE certificates c JOIN orders o ON o.target_cert_id = c.id "
	"SET c.not_before = o.renew_not_before, c.not_after = o.renew_not_after "
	"WHERE o.id = ? AND o.business_type = 'renew' AND o.renew_not_after IS NOT NULL "
	"AND c.state = 'valid'";
static const char sql_renewed_to[] =
	"SELECT DATE_FORMAT(renew_not_after, '%Y-%m-%d') FROM orders WHERE id = ?";

static int renew_now(struct db *db, struct arena *a, struct payment_applied *out)
{
	struct db_rows rows;
	unsigned long long n = 0;
	int rc = db_exec(db, sql_renew_cert, DB_ARGS(DB_I64(out->order_id)), &n, NULL);

	if (rc != DB_OK)
		return rc;
	/* A certificate revoked meanwhile is not renewed: the order waits for staff. */
	if (n != 1)
		return DB_OK;
	rc = db_query(db, a, sql_renewed_to, DB_ARGS(DB_I64(out->order_id)), &rows);
	if (rc != DB_OK)
		return rc;
	rc = order_move(db, out->order_id, ORDER_APPROVED, ORDER_DONE, -1, ORDER_BY_SYSTEM);
	if (rc == DB_OK)
		rc = order_event(db, out->order_id, "done", ORDER_APPROVED, ORDER_DONE, "system", 0, true,
				 arena_printf(a, "证书已续期至 %s，请插入 USBKey 下载更新后的证书。",
					      rows.nrows ? db_cell(&rows, 0, 0) : ""));
	if (rc == DB_OK)
		out->order_to = ORDER_DONE;
	return rc == ORDER_STALE ? DB_RETRY : rc;
}

static int apply_paid(struct db *db, struct arena *a, const struct payment_report *rep,
		      const struct db_rows *ord, long long payment_id, struct payment_applied *out)
{
	char amount[24];
	const char *note;
	struct db_rows rows;
	int rc;

	valid_money_format(out->amount_fen, amount, sizeof(amount));
	if (out->order_from != ORDER_PENDING_PAYMENT) {
		/* The money came for an order that no longer waits for it (cancelled, or paid by
		 * another payment): it goes back, and finance sees the payment in refunding. */
		rc = db_exec(db, sql_paid,
			     DB_ARGS(DB_STR(payment_state_str(PAYMENT_STATE_REFUNDING)),
				     DB_STR(rep->provider_ref ? rep->provider_ref : ""),
				     DB_STR(rep->actor_type), DB_I64(rep->actor_id), DB_I64(payment_id)),
			     NULL, NULL);
		note = arena_printf(a, "订单%s时收到%s %s 元，款项将原路退回。",
				    order_state_zh(out->order_from), method_zh(out->method), amount);
		/* The order's state does not say money is owed: the flag puts it in finance's queue. */
		if (rc == DB_OK)
			rc = db_exec(db, sql_refund_due, DB_ARGS(DB_I64(out->order_id)), NULL, NULL);
		if (rc == DB_OK)
			rc = order_note(db, out->order_id, "refund_requested", rep->actor_type,
					rep->actor_id, true, note);

		out->outcome = PAYMENT_REFUND;
		return rc;
	}
	rc = db_query(db, a, sql_flow, DB_ARGS(DB_I64(ll(ord, 5))), &rows);
	if (rc != DB_OK)
		return rc;
	out->order_to = payment_next_state(db_cell(&rows, 0, 0), ll(ord, 3) != 0, db_cell(ord, 0, 4));
	rc = db_exec(db, sql_paid,
		     DB_ARGS(DB_STR(payment_state_str(PAYMENT_STATE_PAID)),
			     DB_STR(rep->provider_ref ? rep->provider_ref : ""),
			     DB_STR(rep->actor_type), DB_I64(rep->actor_id), DB_I64(payment_id)),
		     NULL, NULL);
	if (rc == DB_OK)
		rc = payment_close_others(db, out->order_id, payment_id);
	if (rc == DB_OK)
		rc = order_move(db, out->order_id, ORDER_PENDING_PAYMENT, out->order_to, ll(ord, 1),
				strcmp(rep->actor_type, "staff") == 0 ? ORDER_BY_FINANCE
								     : ORDER_BY_PAYMENT);
	if (rc == ORDER_STALE) /* impossible under the row lock; retry rather than guess */
		return DB_RETRY;
	if (rc == DB_OK)
		rc = db_exec(db, sql_order_paid, DB_ARGS(DB_I64(out->order_id)), NULL, NULL);
	note = arena_printf(a, "%s %s 元", method_zh(out->method), amount);
	if (rc == DB_OK)
		rc = order_event(db, out->order_id, "paid", ORDER_PENDING_PAYMENT, out->order_to,
				 rep->actor_type, rep->actor_id, true, note);
	/* An online renewal needs no review (002): paid, the certificate runs to its new date. */
	if (rc == DB_OK && out->order_to == ORDER_APPROVED)
		rc = renew_now(db, a, out);
	out->outcome = PAYMENT_PAID;
	return rc;
}

int payment_close_others(struct db *db, long long order_id, long long keep_id)
{
	return db_exec(db, sql_close_others, DB_ARGS(DB_I64(order_id), DB_I64(keep_id)), NULL, NULL);
}

int payment_apply(struct db *db, struct arena *a, const char *pay_no, const struct payment_report *rep,
	      struct payment_applied *out)
{
	struct db_rows rows, ord;
	const char *pstate, *ref;
	long long payment_id;
	int rc;

	memset(out, 0, sizeof(*out));
	out->outcome = PAYMENT_UNKNOWN;
	out->order_from = out->order_to = ORDER_STATE_NONE;
	rc = db_query(db, a, sql_find, DB_ARGS(DB_STR(pay_no)), &rows);
	if (rc != DB_OK || rows.nrows != 1)
		return rc;
	out->order_id = ll(&rows, 0);
	rc = db_query(db, a, sql_lock_order, DB_ARGS(DB_I64(out->order_id)), &ord);
	if (rc != DB_OK)
		return rc;
	rc = db_query(db, a, sql_lock_payment, DB_ARGS(DB_STR(pay_no)), &rows);
	if (rc != DB_OK)
		return rc;
	if (ord.nrows != 1 || rows.nrows != 1)
		return DB_ERR;
	out->order_no = db_cell(&ord, 0, 2);
	out->order_from = order_state_parse(db_cell(&ord, 0, 0));
	payment_id = ll(&rows, 0);
	pstate = db_cell(&rows, 0, 1);
	out->amount_fen = ll(&rows, 2);
	ref = db_cell(&rows, 0, 3);
	out->method = db_cell(&rows, 0, 4);
	out->outcome = PAYMENT_UNCHANGED;

	/* The provider knows only the QR payments it made; transfers and counter payments are
	 * finance's word alone. */
	if (strcmp(rep->actor_type, "system") == 0 && !pay_method_qr(out->method))
		return DB_OK;
	if (payment_state_is(rep->state, PAYMENT_STATE_CLOSED)) {
		/* Only an open QR payment closes: a late "closed" never undoes a "paid". */
		if (!payment_state_is(pstate, PAYMENT_STATE_PENDING))
			return DB_OK;
		out->outcome = PAYMENT_CLOSED;
		return db_exec(db, sql_close, DB_ARGS(DB_I64(payment_id)), NULL, NULL);
	}
	if (!payment_state_is(rep->state, PAYMENT_STATE_PAID))
		return DB_OK;
	if (rep->amount_fen != out->amount_fen) {
		out->outcome = PAYMENT_AMOUNT_MISMATCH;
		return DB_OK;
	}
	if (ref[0] && rep->provider_ref && rep->provider_ref[0] && strcmp(ref, rep->provider_ref) != 0) {
		out->outcome = PAYMENT_REF_MISMATCH;
		return DB_OK;
	}
	if (!payment_state_is(pstate, PAYMENT_STATE_PENDING) &&
	    !payment_state_is(pstate, PAYMENT_STATE_AWAITING_FINANCE) &&
	    !payment_state_is(pstate, PAYMENT_STATE_CLOSED))
		return DB_OK; /* paid, refunding or refunded already */
	return apply_paid(db, a, rep, &ord, payment_id, out);
}
