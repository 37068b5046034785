/* invoice: when an order's invoice is due, and the notices that say so. */
#include "domain/invoice.h"

#include <stdlib.h>
#include <string.h>

#include "base/strlist.h"
#include "base/valid.h"
#include "db/db.h"
#include "domain/order.h"
#include "domain/order_steps.h"

static const char *const when_names[] = {
	[INVOICE_PAID] = "paid", [INVOICE_APPROVED] = "approved", [INVOICE_MADE] = "made",
};

static const char sql_order[] =
	"SELECT o.order_no, COALESCE(o.amount_fen, 0), o.subject_name, o.handler_mobile_enc, "
	"c.invoice_via, c.invoice_promise, c.invoice_purpose, "
	"(SELECT s.data_enc FROM order_steps s WHERE s.order_id = o.id AND s.step = 'product'), "
	"(SELECT s.data_enc FROM order_steps s WHERE s.order_id = o.id AND s.step = 'handler') "
	"FROM orders o JOIN channels c ON c.id = o.channel_id "
	"WHERE o.id = ? AND o.invoice_at IS NULL AND c.invoice_when = ?";
enum { I_NO, I_AMOUNT, I_TITLE, I_MOBILE, I_VIA, I_PROMISE, I_PURPOSE, I_PRODUCT, I_HANDLER };
static const char sql_mark[] = "UPDATE orders SET invoice_at = NOW(3) WHERE id = ?";

static json_t *step(const struct crypto_key *key, struct arena *a, long long id, const char *name,
		    const struct db_rows *rows, size_t col)
{
	const char *sealed = db_cell(rows, 0, col);

	return sealed ? order_steps_open(key, a, id, name, sealed, rows->len[col]) : NULL;
}

int invoice_due(struct db *db, struct arena *a, const struct crypto_key *key, long long order_id,
		enum invoice_when when, struct invoice_notice out[INVOICE_NOTICES_MAX], int *n)
{
	struct db_rows rows;
	json_t *product, *handler;
	const char *via, *email;
	char amount[24], *mobile;
	long long fen;
	int rc;

	*n = 0;
	rc = db_query(db, a, sql_order, DB_ARGS(DB_I64(order_id), DB_STR(when_names[when])), &rows);
	if (rc != DB_OK || rows.nrows != 1)
		return rc;
	fen = strtoll(db_cell(&rows, 0, I_AMOUNT), NULL, 10);
	product = step(key, a, order_id, "product", &rows, I_PRODUCT);
	/* 001 "是否开票": only an invoice asked for is issued, and only for money paid. */
	if (fen <= 0 || !str_is(order_step_str(product, "e_invoice"), "1"))
		return DB_OK;
	rc = db_exec(db, sql_mark, DB_ARGS(DB_I64(order_id)), NULL, NULL);
	if (rc != DB_OK)
		return rc;
	handler = step(key, a, order_id, "handler", &rows, I_HANDLER);
	email = *order_step_str(product, "invoice_email") ? order_step_str(product, "invoice_email")
							   : order_step_str(handler, "email");
	mobile = arena_alloc(a, ORDER_MOBILE_MAX);
	if (!mobile || order_mobile_open(key, db_cell(&rows, 0, I_MOBILE), rows.len[I_MOBILE],
					 mobile) < 0)
		mobile = NULL;
	valid_money_format(fen, amount, sizeof(amount));
	via = db_cell(&rows, 0, I_VIA);
	for (int k = 0; k < 2; k++) {
		const char *channel = k == 0 ? "email" : "sms", *to = k == 0 ? email : mobile;

		if (!to || !*to || (!str_is(via, channel) && !str_is(via, "both")))
			continue;
		out[*n].channel = channel;
		out[*n].to = to;
		out[*n].params = json_pack(
			"{s:s, s:s, s:s, s:s, s:s, s:s}", "order_no", db_cell(&rows, 0, I_NO), "title",
			/* 001's applicant writes it; elsewhere the applicant's own name. */
			*order_step_str(product, "invoice_title") ? order_step_str(product, "invoice_title")
								  : db_cell(&rows, 0, I_TITLE),
			"purpose",
			*db_cell(&rows, 0, I_PURPOSE) ? db_cell(&rows, 0, I_PURPOSE) : "数字证书服务费",
			"amount", amount, "taxpayer_no", order_step_str(product, "taxpayer_no"),
			"promise", db_cell(&rows, 0, I_PROMISE));
		if (!out[*n].params)
			return DB_ERR;
		(*n)++;
	}
	return DB_OK;
}
