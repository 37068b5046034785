/* wizard: payment rows, as the payment endpoints read them and the pages show them. */
#include <stdlib.h>

#include "pay_payment.h"
#include "domain/payment.h"
#include "media/qr.h"
#include "base/valid.h"

#define PAYMENT_COLS                                                                       \
	"SELECT id, pay_no, method, state, amount_fen, qr_url, DATE_FORMAT(created_at, " DB_ISO_FMT \
	"), COALESCE(DATE_FORMAT(paid_at, " DB_ISO_FMT "), ''), h5_url FROM payments "
static const char sql_list[] = PAYMENT_COLS "WHERE order_id = ? ORDER BY id DESC LIMIT 20";
static const char sql_row[] = PAYMENT_COLS "WHERE id = ?";

struct payment wizard_payment_at(const struct db_rows *rows, size_t i)
{
	return (struct payment){
		.id = strtoll(db_cell(rows, i, 0), NULL, 10),
		.pay_no = db_cell(rows, i, 1),
		.method = db_cell(rows, i, 2),
		.state = db_cell(rows, i, 3),
		.amount_fen = strtoll(db_cell(rows, i, 4), NULL, 10),
		.qr_url = db_cell(rows, i, 5),
		.created_at = db_cell(rows, i, 6),
		.paid_at = db_cell(rows, i, 7),
		.h5_url = db_cell(rows, i, 8),
	};
}

int wizard_payment_load(struct req *r, long long id, struct payment *p)
{
	struct db_rows rows;
	int rc = db_query(&r->app->db, r->arena, sql_row, DB_ARGS(DB_I64(id)), &rows);

	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (rows.nrows != 1)
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	*p = wizard_payment_at(&rows, 0);
	return 0;
}

int wizard_payments_of(struct req *r, long long order_id, struct db_rows *rows)
{
	int rc = db_query(&r->app->db, r->arena, sql_list, DB_ARGS(DB_I64(order_id)), rows);

	return rc == DB_OK ? 0 : app_db_error(r, rc);
}

json_t *wizard_payment_json(struct req *r, const struct order *o, const struct payment *p)
{
	char amount[24];
	json_t *j;

	valid_money_format(p->amount_fen, amount, sizeof(amount));
	j = json_pack("{s:s, s:s, s:s?, s:s, s:s?, s:I, s:s, s:s, s:s?}", "pay_no", p->pay_no,
		      "method", p->method, "method_name", pay_method_name(p->method), "state",
		      p->state, "state_name", payment_state_name(p->state), "amount_fen",
		      (json_int_t)p->amount_fen, "amount", amount, "created_at", p->created_at,
		      "paid_at", p->paid_at[0] ? p->paid_at : NULL);
	if (!j)
		return NULL;
	if (payment_state_is(p->state, PAYMENT_STATE_PENDING) && p->qr_url[0]) {
		struct qr_svg svg;

		json_object_set_new(j, "qr_url", json_string(p->qr_url));
		if (qr_svg(r->arena, p->qr_url, &svg) == QR_OK)
			json_object_set_new(j, "qr_svg", json_stringn(svg.svg, svg.len));
		if (p->h5_url[0])
			json_object_set_new(j, "h5_url", json_string(p->h5_url));
	}
	if (payment_state_is(p->state, PAYMENT_STATE_AWAITING_FINANCE) &&
	    str_is(p->method, "transfer"))
		json_object_set_new(j, "transfer", wizard_pay_transfer_json(r, o));
	if (payment_state_is(p->state, PAYMENT_STATE_AWAITING_FINANCE) &&
	    str_is(p->method, "counter"))
		json_object_set_new(j, "counter", wizard_pay_counter_json(r, o));
	return j;
}
