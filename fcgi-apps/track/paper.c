/* track: POST /api/track/orders/:no/waybill: the waybill of the paper, or of the damaged key,
 * an applicant sent in. */
#include <stdlib.h>
#include <string.h>

#include "web/app.h"
#include "web/req.h"
#include "web/auth.h"
#include "domain/order.h"
#include "domain/orderno.h"
#include "track.h"
#include "ext/waybill.h"

/*
 * Mail-in and two-stage orders wait in awaiting_paper for the signed paper. The applicant
 * enters the courier's waybill here: one 'in' waybill per order, a new one replaces the old
 * (the events keep each one entered). The order stays where it is; staff record the arrival.
 * A damaged key waits in awaiting_key for the old key (002 "需携带原有数字证书介质USBkey进行检测
 * 鉴定"): its parcel is entered the same way (event key_sent); staff record the inspection.
 */

static const char sql_order[] =
	"SELECT id, COALESCE(account_id, 0), state FROM orders WHERE order_no = ?";
static const char sql_lock[] = "SELECT state FROM orders WHERE id = ? FOR UPDATE";
static const char sql_drop[] = "DELETE FROM waybills WHERE order_id = ? AND direction = 'in'";
static const char sql_insert[] =
	"INSERT INTO waybills (order_id, direction, carrier, number, created_by_type, created_by, "
	"created_at) VALUES (?, 'in', ?, ?, 'applicant', ?, NOW(3))";

static bool is_carrier(const char *s)
{
	return waybill_carrier_name(s) != NULL;
}

struct track_paper_in {
	const char *carrier, *number;
};

static const struct req_field fields[] = {
	{ "carrier", true, 16, is_carrier,
	  "请选择快递公司：顺丰速运（sf）、EMS/中国邮政（ems）、中通（zto）、圆通（yto）、申通（sto）、"
	  "韵达（yunda）、京东物流（jd）或德邦（deppon）。",
	  offsetof(struct track_paper_in, carrier) },
	{ "number", true, 64, NULL, "请填写快递运单号（快递面单上条形码下方的号码）。",
	  offsetof(struct track_paper_in, number) },
};

struct entry {
	struct arena *arena;
	long long order_id, account_id;
	enum order_state state;          /* awaiting_paper or awaiting_key, as read */
	const char *carrier, *number, *note;
	enum err_code refused;
};

/* What the parcel holds, by the state that waits for it. */
static bool awaits_parcel(enum order_state s)
{
	return s == ORDER_AWAITING_PAPER || s == ORDER_AWAITING_KEY;
}

static int wrong_state(struct req *r)
{
	return resp_error(r, ERR_WRONG_STATE, NULL,
			  "订单当前不在“待寄送纸质材料”或“待寄回原介质检测”阶段，不能填写寄出的运单号。");
}

static int entry_tx(struct db *db, void *p)
{
	struct entry *e = p;
	struct db_rows rows;
	int rc;

	e->refused = ERR__COUNT;
	/* Staff may have recorded the paper's arrival since the order was read: decide under the
	 * lock. */
	rc = db_query(db, e->arena, sql_lock, DB_ARGS(DB_I64(e->order_id)), &rows);
	if (rc != DB_OK)
		return rc;
	if (rows.nrows != 1 || order_state_parse(db_cell(&rows, 0, 0)) != e->state) {
		e->refused = ERR_WRONG_STATE;
		return DB_ERR;
	}
	rc = db_exec(db, sql_drop, DB_ARGS(DB_I64(e->order_id)), NULL, NULL);
	if (rc == DB_OK)
		rc = db_exec(db, sql_insert,
			     DB_ARGS(DB_I64(e->order_id), DB_STR(e->carrier), DB_STR(e->number),
				     DB_I64(e->account_id)), NULL, NULL);
	if (rc == DB_DUP) {
		e->refused = ERR_CONFLICT;
		return DB_ERR;
	}
	if (rc == DB_OK)
		rc = order_note(db, e->order_id,
				e->state == ORDER_AWAITING_KEY ? "key_sent" : "paper_sent", "applicant",
				e->account_id, true, e->note);
	return rc;
}

int track_paper_waybill(struct req *r)
{
	const char *no = r->params[0], *expected;
	struct track_paper_in in;
	struct entry e = { 0 };
	struct db_rows o;
	char number[WAYBILL_MAX + 1];
	json_t *body;
	int rc;

	if (!orderno_valid(no))
		return resp_error(r, ERR_NOT_FOUND, NULL, NULL);
	rc = db_query(&r->app->db, r->arena, sql_order, DB_ARGS(DB_STR(no)), &o);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	/* Another's order looks exactly like no order at all. */
	if (o.nrows != 1 || r->auth.kind != AUTH_ACCOUNT ||
	    strtoll(db_cell(&o, 0, 1), NULL, 10) != r->auth.id)
		return resp_error(r, ERR_NOT_FOUND, NULL, NULL);
	if (req_json(r, &body) < 0)
		return -1;
	if (REQ_FIELDS(r, body, fields, &in) < 0)
		return -1;
	if (!waybill_check(in.carrier, in.number, &expected) ||
	    !waybill_normalise(in.number, number))
		return resp_error(r, ERR_BAD_WAYBILL, "number",
				  arena_printf(r->arena, "运单号格式不正确：%s请核对快递面单后重新填写。",
					       expected));
	if (!awaits_parcel(order_state_parse(db_cell(&o, 0, 2))))
		return wrong_state(r);
	e = (struct entry){ .arena = r->arena, .order_id = strtoll(db_cell(&o, 0, 0), NULL, 10),
			    .state = order_state_parse(db_cell(&o, 0, 2)),
			    .account_id = r->auth.id, .carrier = in.carrier, .number = number,
			    .note = arena_printf(r->arena, "%s %s", waybill_carrier_name(in.carrier),
						 number) };
	if (!e.note)
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	rc = db_tx(&r->app->db, entry_tx, &e);
	if (rc != DB_OK) {
		if (e.refused == ERR_WRONG_STATE)
			return wrong_state(r);
		/* The number is another order's: say nothing of that order, nor that it exists. */
		if (e.refused == ERR_CONFLICT)
			return resp_error(r, ERR_CONFLICT, "number",
					  "该运单号无法登记，请核对快递公司和运单号后重新填写；"
					  "如确认无误，请联系客服处理。");
		return app_db_error(r, rc);
	}
	resp_json(r, 200, json_pack("{s:{s:s, s:s, s:s, s:s, s:s}}", "waybill",
		"direction", "in", "carrier", in.carrier, "carrier_name",
		waybill_carrier_name(in.carrier), "number", number, "note", e.note));
	return 0;
}
