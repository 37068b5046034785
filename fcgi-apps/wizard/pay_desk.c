/* wizard: where transfer and counter payments go, per channel (the bank desk its admin keeps in
 * channels.desk_*: schema/0014_hall.sql, fcgi-apps/review/hall.c), and what the payer is told
 * to write. The memo is the order number, so that finance can match each credit to its order;
 * a hall whose guide asks for words in the memo (003) has them put before it. */
#include "pay_payment.h"

static const char sql_desk[] =
	"SELECT desk_payee, desk_bank, desk_account, desk_memo, desk_address, desk_hours, desk_phone "
	"FROM channels WHERE id = ?";

enum { D_PAYEE, D_BANK, D_ACCOUNT, D_MEMO, D_ADDRESS, D_HOURS, D_PHONE, D__COUNT };

/* The order's desk, each column "" when unset. Returns 0, or -1 when it cannot be read. */
static int desk_of(struct req *r, const struct order *o, const char *d[D__COUNT])
{
	struct db_rows rows;

	if (db_query(&r->app->db, r->arena, sql_desk, DB_ARGS(DB_I64(o->channel_id)), &rows) != DB_OK ||
	    rows.nrows != 1)
		return -1;
	for (int i = 0; i < D__COUNT; i++)
		d[i] = db_cell(&rows, 0, (size_t)i) ? db_cell(&rows, 0, (size_t)i) : "";
	return 0;
}

/* NULL when the desk cannot be read: the payment is shown without it. */
json_t *wizard_pay_transfer_json(struct req *r, const struct order *o)
{
	const char *d[D__COUNT];
	const char *who = str_is(o->kind, "person") ? "请使用申请人本人的银行账户转账"
						: "请使用申请单位的对公账户转账";
	const char *memo;

	if (desk_of(r, o, d) < 0)
		return NULL;
	memo = d[D_MEMO][0] ? arena_printf(r->arena, "%s %s", d[D_MEMO], o->no) : o->no;
	if (!memo)
		return NULL;
	if (!d[D_ACCOUNT][0])
		return json_pack("{s:s, s:s, s:s, s:s, s:s}", "payee", d[D_PAYEE], "bank", d[D_BANK],
				 "account", "", "memo", memo, "note",
				 "该营业厅尚未公布收款账户，请联系客服确认后再转账。");
	return json_pack("{s:s, s:s, s:s, s:s, s:s}", "payee", d[D_PAYEE], "bank", d[D_BANK],
			 "account", d[D_ACCOUNT], "memo", memo, "note",
			 arena_printf(r->arena,
				      "%s，转账备注（附言）请填写“%s”，以便财务核对。"
				      "到账并经财务确认后，订单进入下一步。",
				      who, memo));
}

json_t *wizard_pay_counter_json(struct req *r, const struct order *o)
{
	const char *d[D__COUNT];

	if (desk_of(r, o, d) < 0)
		return NULL;
	return json_pack("{s:s, s:s, s:s, s:s, s:s}", "payee", d[D_PAYEE], "address", d[D_ADDRESS],
			 "hours", d[D_HOURS], "phone", d[D_PHONE], "note",
			 arena_printf(r->arena,
				      "请携带订单号 %s 到现场缴费。缴费并经财务确认后，订单进入下一步。",
				      o->no));
}

/* A method the channel offers (pay_methods) for the order's business: a QR method is not
 * offered for a business the hall takes only by transfer or at the counter (003: "在线支付宝
 * 扫码支付或对公转账" for 增加机构数字证书个数 only). */
bool wizard_pay_offered(const struct order *o, const char *methods, const char *desk_only,
			const char *method)
{
	return strlist_has(methods, method) &&
	       !(pay_method_qr(method) && strlist_has(desk_only, o->business));
}
