/* wizard: what the provider says of a payment (its notification, or its answer when asked),
 * applied to the payment and its order. */
#include "crypto/crypto.h"
#include "base/log.h"
#include "domain/order.h"
#include "pay_payment.h"
#include "base/valid.h"

static const char sql_mobile[] = "SELECT handler_mobile_enc FROM orders WHERE id = ?";
static const char sql_notice[] =
	"INSERT INTO payment_notifications (event_id, pay_no, kind, outcome, received_at) "
	"VALUES (?, ?, ?, 'received', NOW(3))";
static const char sql_notice_outcome[] =
	"UPDATE payment_notifications SET outcome = ? WHERE event_id = ?";

int wizard_pay_handler_mobile(struct req *r, long long order_id, const char **out)
{
	struct db_rows rows;
	char *plain;
	int rc;

	*out = NULL;
	rc = db_query(&r->app->db, r->arena, sql_mobile, DB_ARGS(DB_I64(order_id)), &rows);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (rows.nrows != 1 || !db_cell(&rows, 0, 0))
		return 0;
	plain = arena_alloc(r->arena, ORDER_MOBILE_MAX);
	if (!plain ||
	    order_mobile_open(&r->app->key, db_cell(&rows, 0, 0), rows.len[0], plain) < 0) {
		log_rid(LOG_ERROR, r->rid, "order %lld: handler mobile does not open", order_id);
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	}
	*out = plain;
	return 0;
}

static int paid_sms(struct applying *a)
{
	char amount[24];
	json_t *params;
	int rc;

	if (!a->mobile)
		return DB_OK;
	valid_money_format(a->out.amount_fen, amount, sizeof(amount));
	params = json_pack("{s:s, s:s}", "order_no", a->out.order_no, "amount", amount);
	if (!params)
		return DB_ERR;
	rc = app_outbox_add(a->r, "sms", "payment_confirmed", a->mobile, params, a->out.order_id);
	json_decref(params);
	return rc;
}

int wizard_pay_apply_tx(struct db *db, void *ctx)
{
	struct applying *a = ctx;
	int rc;

	a->duplicate = false;
	/* The event id first: a replay stops here, before anything else is touched, and a
	 * replay racing the original waits on the key until the original commits. */
	if (a->notice) {
		rc = db_exec(db, sql_notice,
			     DB_ARGS(DB_STR(a->notice->event_id), DB_STR(a->pay_no),
				     DB_STR(a->notice->kind)),
			     NULL, NULL);
		if (rc == DB_DUP) {
			a->duplicate = true;
			return DB_ERR;
		}
		if (rc != DB_OK)
			return rc;
	}
	rc = payment_apply(db, a->r->arena, a->pay_no, &a->rep, &a->out);
	if (rc == DB_OK && a->out.outcome == PAYMENT_PAID)
		rc = paid_sms(a);
	if (rc == DB_OK && a->out.outcome == PAYMENT_PAID)
		rc = app_outbox_invoice(a->r, a->out.order_id, INVOICE_PAID);
	if (rc == DB_OK && a->notice)
		rc = db_exec(db, sql_notice_outcome,
			     DB_ARGS(DB_STR(payment_outcome_name(a->out.outcome)),
				     DB_STR(a->notice->event_id)),
			     NULL, NULL);
	return rc;
}

void wizard_pay_log_outcome(struct req *r, const char *how, const char *pay_no,
			    const struct payment_applied *out)
{
	bool odd = out->outcome == PAYMENT_AMOUNT_MISMATCH || out->outcome == PAYMENT_REF_MISMATCH ||
		   out->outcome == PAYMENT_UNKNOWN || out->outcome == PAYMENT_REFUND;

	log_rid(odd ? LOG_WARN : LOG_INFO, r->rid, "pay %s %s: %s (order %s)", how, pay_no,
		payment_outcome_name(out->outcome), out->order_no ? out->order_no : "-");
}

int wizard_pay_apply_state(struct req *r, const char *how, long long order_id, const char *pay_no,
			   const struct pay_state *st)
{
	struct applying a = { .r = r, .pay_no = pay_no,
			      .rep = { .state = st->state, .amount_fen = st->amount_fen,
				       .provider_ref = st->provider_ref, .actor_type = "system" } };
	int rc;

	if (payment_state_is(st->state, PAYMENT_STATE_PAID) &&
	    wizard_pay_handler_mobile(r, order_id, &a.mobile) < 0)
		return -1;
	rc = db_tx(&r->app->db, wizard_pay_apply_tx, &a);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	wizard_pay_log_outcome(r, how, pay_no, &a.out);
	return 0;
}
