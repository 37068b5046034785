/* review: what each hall keeps itself, for its admins: GET /api/review/admin/halls (every
 * hall's settings and fee rows, the agreements) and PUT /api/review/admin/halls/:code (its
 * offers, review promise, bank desk and paper address). Each field changed is one row of the
 * audit trail, old -> new, in the transaction of the change. The fees: hall_fee.c; the
 * agreements: hall_agreement.c. */
#include <stdlib.h>
#include <string.h>

#include "base/strlist.h"
#include "base/valid.h"
#include "domain/order.h"
#include "ext/pay.h"
#include "ext/verify.h"
#include "domain/escalate.h"
#include "review.h"

/* ---- what the halls may offer: each list's codes in display order */

/* The enterprise and handler methods shared/ext/verify.c knows (its table is its own). */
static const char *const enterprise_methods[] = { "transfer", "lr_mobile", "lr_card", "lr_face" };
static const char *const handler_methods[] = { "mobile", "card", "face" };

enum list { L_BUSINESSES, L_KINDS, L_VERIFY, L_HANDLER, L_PAY, L_INVOICE_WHEN, L_INVOICE_VIA,
	    L_CHANGE, L__COUNT };

/* What a change order may change (the wizard's change step, fcgi-apps/wizard/step_fields.c). */
static const char *const change_items[][2] = {
	{ "name", "单位名称" }, { "address", "单位地址" }, { "seal", "电子印章" }, { "handler", "经办人" },
	{ NULL, NULL },
};

/* When and where a hall's invoices go (domain/invoice.h), with their zh-CN names. */
static const char *const invoice_when[][2] = {
	{ "paid", "支付成功后" }, { "approved", "审核通过后" }, { "made", "证书制作后" }, { NULL, NULL },
};
static const char *const invoice_via[][2] = {
	{ "email", "电子邮箱" }, { "sms", "经办人手机" }, { "both", "手机和电子邮箱" }, { NULL, NULL },
};

static const char *pair_name(const char *const (*t)[2], const char *code)
{
	for (; code && t[0][0]; t++)
		if (str_is(t[0][0], code))
			return t[0][1];
	return NULL;
}

/* The i-th code of a list, NULL past its end. */
static const char *list_code(enum list l, size_t i)
{
	switch (l) {
	case L_BUSINESSES:
		return order_businesses[i].code;
	case L_KINDS:
		return order_kinds[i].code;
	case L_VERIFY:
		return i < sizeof(enterprise_methods) / sizeof(enterprise_methods[0]) &&
		       verify_method_known("enterprise", enterprise_methods[i]) ? enterprise_methods[i] : NULL;
	case L_HANDLER:
		return i < sizeof(handler_methods) / sizeof(handler_methods[0]) &&
		       verify_method_known("handler", handler_methods[i]) ? handler_methods[i] : NULL;
	case L_PAY:
		return pay_methods[i][0];
	case L_INVOICE_WHEN:
		return i < sizeof(invoice_when) / sizeof(invoice_when[0]) ? invoice_when[i][0] : NULL;
	case L_INVOICE_VIA:
		return i < sizeof(invoice_via) / sizeof(invoice_via[0]) ? invoice_via[i][0] : NULL;
	case L_CHANGE:
		return i < sizeof(change_items) / sizeof(change_items[0]) ? change_items[i][0] : NULL;
	default:
		return NULL;
	}
}

static const char *list_name(enum list l, const char *code)
{
	switch (l) {
	case L_BUSINESSES:
		return order_business_name(code);
	case L_KINDS:
		return order_kind_name(code);
	case L_VERIFY:
	case L_HANDLER:
		return verify_method_name(code);
	case L_PAY:
		return pay_method_name(code);
	case L_INVOICE_WHEN:
		return pair_name(invoice_when, code);
	case L_INVOICE_VIA:
		return pair_name(invoice_via, code);
	case L_CHANGE:
		return pair_name(change_items, code);
	default:
		return NULL;
	}
}

/* [{"code", "name"}] of every code of a list. */
static json_t *choices(enum list l)
{
	json_t *out = json_array();
	const char *code;

	for (size_t i = 0; out && (code = list_code(l, i)) != NULL; i++)
		json_array_append_new(out, json_pack("{s:s, s:s?}", "code", code, "name", list_name(l, code)));
	return out;
}

/* ---- the settings an admin edits: JSON member = column of channels */

enum col_type { COL_LIST, COL_DAYS, COL_FLAG, COL_TEXT, COL_CHOICE };

struct col {
	const char *name;
	enum col_type type;
	enum list list;     /* COL_LIST, COL_CHOICE (one code of the list) */
	const char *zh;     /* names the field in messages */
	bool may_be_empty;  /* COL_LIST: none of the codes is a choice too */
};

/* In the order of HALL_COLS. */
static const struct col cols[] = {
	{ "businesses", COL_LIST, L_BUSINESSES, "办理的业务", false },
	{ "kinds", COL_LIST, L_KINDS, "签发的证书类型", false },
	{ "verify_methods", COL_LIST, L_VERIFY, "企业认证方式", false },
	{ "handler_methods", COL_LIST, L_HANDLER, "经办人认证方式", false },
	{ "pay_methods", COL_LIST, L_PAY, "支付方式", false },
	{ "review_days_min", COL_DAYS, 0, "审核时限下限（工作日）", false },
	{ "review_days_max", COL_DAYS, 0, "审核时限上限（工作日）", false },
	{ "mail_in", COL_FLAG, 0, "可转为线下邮寄纸质材料", false },
	{ "renew_expired_online", COL_FLAG, 0, "已过期证书可在线更新", false },
	{ "desk_payee", COL_TEXT, 0, "收款单位（开户名）", false },
	{ "desk_bank", COL_TEXT, 0, "开户行", false },
	{ "desk_account", COL_TEXT, 0, "收款账号", false },
	{ "desk_memo", COL_TEXT, 0, "汇款备注须注明的文字", false },
	{ "desk_address", COL_TEXT, 0, "现场缴费地址", false },
	{ "desk_hours", COL_TEXT, 0, "营业时间", false },
	{ "desk_phone", COL_TEXT, 0, "客服电话", false },
	{ "paper_org", COL_TEXT, 0, "纸质材料收件单位", false },
	{ "paper_recipient", COL_TEXT, 0, "纸质材料收件人", false },
	{ "paper_address", COL_TEXT, 0, "纸质材料收件地址", false },
	{ "paper_phone", COL_TEXT, 0, "收件人联系电话", false },
	{ "paper_note", COL_TEXT, 0, "邮寄须知", false },
	/* The hall's own process (schema/0016_hall_process.sql) and invoices (0017). */
	{ "paper_businesses", COL_LIST, L_BUSINESSES, "纸质材料寄达后办理的业务", true },
	{ "counter_businesses", COL_LIST, L_BUSINESSES, "只在前台办理的业务", true },
	{ "seal_change_online", COL_FLAG, 0, "可在线变更签章", false },
	{ "unlock_auto", COL_FLAG, 0, "经办人与上笔业务一致时解锁自动审核", false },
	{ "invoice_when", COL_CHOICE, L_INVOICE_WHEN, "开具发票的时点", false },
	{ "invoice_via", COL_CHOICE, L_INVOICE_VIA, "发票发送方式", false },
	{ "invoice_promise", COL_TEXT, 0, "发票送达时限", false },
	{ "invoice_purpose", COL_TEXT, 0, "发票用途", false },
	{ "uploads_after_verify", COL_FLAG, 0, "企业（法人）核验通过后才能上传资料", false },
	{ "form_lr_clause", COL_FLAG, 0, "申请表内含法定代表人授权委托及单位声明", false },
	{ "letter_face_qr", COL_FLAG, 0, "授权委托书印有与订单绑定的法人刷脸核验二维码", false },
	{ "paper_renew_items", COL_TEXT, 0, "已过期证书线下更新须邮寄的材料", false },
	/* 001 (schema/0026_fin_check.sql): the 0.01 transfer after approval, the PIN in its memo. */
	{ "fin_after_approval", COL_FLAG, 0, "审核通过后进行金融认证（0.01 元打款附言下发PIN码）", false },
	/* 0028: a guide that prints no review time (004) promises none to applicants. */
	{ "review_days_public", COL_FLAG, 0, "向申请人告知审核时限", false },
	/* What the guide says where the digest says otherwise (schema/0029_hall_rules.sql). */
	{ "change_items", COL_LIST, L_CHANGE, "信息变更可变更的事项", false },
	{ "desk_only_businesses", COL_LIST, L_BUSINESSES, "只收对公转账或现场缴费的业务", true },
	{ "seal_sheet_lr", COL_FLAG, 0, "电子印章采样表含法定代表人章", false },
	{ "person_self", COL_FLAG, 0, "个人证书由申请人本人办理", false },
	/* 0030: 001 "* 发票抬头 发票名称请完整填写". */
	{ "invoice_title_edit", COL_FLAG, 0, "申请人填写发票抬头", false },
	/* 0033: four-eyes (four_eyes.c). */
	{ "four_eyes_businesses", COL_LIST, L_BUSINESSES, "须经第二位审核人员复核通过的业务", true },
	/* 0033: who is told of an order past the review promise (domain/escalate.h). */
	{ "sla_mail", COL_TEXT, 0, "订单超过审核时限时通知的管理员邮箱", false },
};
#define NCOLS (sizeof(cols) / sizeof(cols[0]))
enum { C_BUSINESSES = 0, C_KINDS = 1 }; /* cols[] starts with the offers */
#define HALL_COLS \
	"businesses, kinds, verify_methods, handler_methods, pay_methods, review_days_min, " \
	"review_days_max, mail_in, renew_expired_online, desk_payee, desk_bank, desk_account, " \
	"desk_memo, desk_address, desk_hours, desk_phone, paper_org, paper_recipient, " \
	"paper_address, paper_phone, paper_note, paper_businesses, counter_businesses, " \
	"seal_change_online, unlock_auto, invoice_when, invoice_via, invoice_promise, invoice_purpose, " \
	"uploads_after_verify, form_lr_clause, letter_face_qr, paper_renew_items, fin_after_approval, " \
	"review_days_public, change_items, desk_only_businesses, seal_sheet_lr, person_self, " \
	"invoice_title_edit, four_eyes_businesses, sla_mail"

/* The version the client saw: the last edit's time to the microsecond, or NULL never edited. */
#define HALL_STAMP "DATE_FORMAT(c.updated_at, '%Y-%m-%dT%H:%i:%s.%f+08:00')"

enum { H_ID, H_CODE, H_NAME, H_CA, H_FLOW, H_GUIDE, H_STAMP, H_BY, H_COLS };

static const char sql_halls[] =
	"SELECT c.id, c.code, c.name, c.ca_name, c.flow, c.guide, " HALL_STAMP ", s.username, "
	HALL_COLS " FROM channels c LEFT JOIN staff s ON s.id = c.updated_by "
	"WHERE ? = '' OR c.code = ? ORDER BY c.id";
static const char sql_lock[] =
	"SELECT c.id, c.code, c.name, c.ca_name, c.flow, c.guide, " HALL_STAMP ", '', " HALL_COLS
	" FROM channels c WHERE c.code = ? FOR UPDATE";
static const char sql_update[] =
	"UPDATE channels SET businesses = ?, kinds = ?, verify_methods = ?, handler_methods = ?, "
	"pay_methods = ?, review_days_min = ?, review_days_max = ?, mail_in = ?, "
	"renew_expired_online = ?, desk_payee = ?, desk_bank = ?, desk_account = ?, desk_memo = ?, "
	"desk_address = ?, desk_hours = ?, desk_phone = ?, paper_org = ?, paper_recipient = ?, "
	"paper_address = ?, paper_phone = ?, paper_note = ?, paper_businesses = ?, "
	"counter_businesses = ?, seal_change_online = ?, unlock_auto = ?, invoice_when = ?, "
	"invoice_via = ?, invoice_promise = ?, invoice_purpose = ?, uploads_after_verify = ?, "
	"form_lr_clause = ?, letter_face_qr = ?, paper_renew_items = ?, fin_after_approval = ?, "
	"review_days_public = ?, change_items = ?, desk_only_businesses = ?, seal_sheet_lr = ?, "
	"person_self = ?, invoice_title_edit = ?, four_eyes_businesses = ?, sla_mail = ?, "
	"updated_at = NOW(3), updated_by = ? "
	"WHERE id = ?";

enum { F_CHANNEL, F_BUSINESS, F_KIND, F_BASIS, F_MAX_YEARS, F_ONCE_CODE, F_ONCE_LABEL, F_ONCE_FEN,
       F_YEAR_CODE, F_YEAR_LABEL, F_YEAR_FEN, F_YEAR_FROM, F_WARRANTY, F_SEAL, F_SOURCE, F_AT,
       F_BY };

static const char sql_fees[] =
	"SELECT f.channel_id, f.business, f.kind, f.basis, f.max_years, f.once_code, f.once_label, "
	"f.once_fen, f.year_code, f.year_label, f.year_fen, f.year_from, f.warranty_free, f.seal_fen, "
	"f.source, " DB_ISO("f.updated_at") ", s.username FROM fees f "
	"JOIN channels c ON c.id = f.channel_id LEFT JOIN staff s ON s.id = f.updated_by "
	"WHERE ? = '' OR c.code = ?";
/* Each hall's versions (0028): a hall publishes its own. */
static const char sql_agreements[] =
	"SELECT c.code, a.code, a.version, a.title, " DB_ISO("a.published_at") ", a.current "
	"FROM agreements a JOIN channels c ON c.id = a.channel_id "
	"ORDER BY c.id, a.code, a.published_at DESC, a.version DESC";

/* ---- shared with hall_fee.c and hall_agreement.c */

/* The bidirectional controls (U+061C, U+200E/F, U+202A..E, U+2066..9) in UTF-8: text shown
 * to staff and applicants must read as it is stored. */
static const char *const bidi[] = {
	"\xD8\x9C", "\xE2\x80\x8E", "\xE2\x80\x8F", "\xE2\x80\xAA", "\xE2\x80\xAB", "\xE2\x80\xAC",
	"\xE2\x80\xAD", "\xE2\x80\xAE", "\xE2\x81\xA6", "\xE2\x81\xA7", "\xE2\x81\xA8", "\xE2\x81\xA9",
};

bool review_hall_plain(const char *s)
{
	for (size_t i = 0; s && i < sizeof(bidi) / sizeof(bidi[0]); i++)
		if (strstr(s, bidi[i]))
			return false;
	return s != NULL;
}

const char *review_hall_cut(struct req *r, const char *s, size_t max_chars)
{
	size_t i = 0, chars = 0;

	if (!s)
		return "";
	for (; s[i] && chars < max_chars; chars++) {
		i++;
		while (((unsigned char)s[i] & 0xC0) == 0x80)
			i++;
	}
	return s[i] ? arena_printf(r->arena, "%.*s…", (int)i, s) : s;
}

int review_hall_id(struct req *r, const char *code, long long *id)
{
	static const char sql[] = "SELECT id FROM channels WHERE code = ?";
	struct db_rows rows;
	size_t n = code ? strlen(code) : 0;
	int rc;

	if (n == 0 || n > 32 || strspn(code, "abcdefghijklmnopqrstuvwxyz0123456789_-") != n)
		return resp_error(r, ERR_NOT_FOUND, "channel", "没有该渠道（营业厅）。");
	rc = db_query(&r->app->db, r->arena, sql, DB_ARGS(DB_STR(code)), &rows);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (rows.nrows != 1)
		return resp_error(r, ERR_NOT_FOUND, "channel", "没有该渠道（营业厅）。");
	*id = strtoll(db_cell(&rows, 0, 0), NULL, 10);
	return 0;
}

static json_t *money(long long fen)
{
	char yuan[24];

	valid_money_format(fen, yuan, sizeof(yuan));
	return json_string(yuan);
}

/* An item of a fee row ({code, label, amount, amount_fen}), null when the row has none. */
static json_t *item_json(const struct db_rows *f, size_t i, int code, int label, int fen)
{
	long long v;

	if (!db_cell(f, i, code) || !db_cell(f, i, fen))
		return json_null();
	v = strtoll(db_cell(f, i, fen), NULL, 10);
	return json_pack("{s:s, s:s, s:o, s:I}", "code", db_cell(f, i, code), "label",
			 db_cell(f, i, label) ? db_cell(f, i, label) : "", "amount", money(v),
			 "amount_fen", (json_int_t)v);
}

static json_t *fee_json(const struct db_rows *f, size_t i)
{
	long long seal = strtoll(db_cell(f, i, F_SEAL), NULL, 10);
	json_t *year = item_json(f, i, F_YEAR_CODE, F_YEAR_LABEL, F_YEAR_FEN);

	if (json_is_object(year))
		json_object_set_new(year, "from", json_integer(strtol(db_cell(f, i, F_YEAR_FROM), NULL, 10)));
	return json_pack("{s:s, s:s?, s:s, s:s?, s:s, s:i, s:o, s:o, s:o, s:I, s:b, s:s, s:s?, s:s?}",
			 "business", db_cell(f, i, F_BUSINESS),
			 "business_name", order_business_name(db_cell(f, i, F_BUSINESS)),
			 "kind", db_cell(f, i, F_KIND), "kind_name", order_kind_name(db_cell(f, i, F_KIND)),
			 "basis", db_cell(f, i, F_BASIS),
			 "max_years", (int)strtol(db_cell(f, i, F_MAX_YEARS), NULL, 10),
			 "once", item_json(f, i, F_ONCE_CODE, F_ONCE_LABEL, F_ONCE_FEN), "year", year,
			 "seal", money(seal), "seal_fen", (json_int_t)seal,
			 "warranty_free", str_is(db_cell(f, i, F_WARRANTY), "1"),
			 "source", db_cell(f, i, F_SOURCE), "updated_at", db_cell(f, i, F_AT),
			 "updated_by", db_cell(f, i, F_BY));
}

/* A comma list as an array of its codes. */
static json_t *codes_json(const char *list)
{
	json_t *out = json_array();

	for (const char *p = list; out && p && *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len)
			json_array_append_new(out, json_stringn(p, len));
		p = end ? end + 1 : NULL;
	}
	return out;
}

/* Row i of sql_halls with its fee rows, in the order of the businesses and kinds. */
static json_t *hall_json(const struct db_rows *h, size_t i, const struct db_rows *f)
{
	const char *id = db_cell(h, i, H_ID);
	json_t *o, *fees = json_array(), *unpriced;

	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s?, s:s?}", "code", db_cell(h, i, H_CODE),
		      "name", db_cell(h, i, H_NAME), "ca_name", db_cell(h, i, H_CA),
		      "flow", db_cell(h, i, H_FLOW), "guide", db_cell(h, i, H_GUIDE),
		      "updated_at", db_cell(h, i, H_STAMP), "updated_by", db_cell(h, i, H_BY));
	if (!o || !fees) {
		json_decref(o);
		json_decref(fees);
		return NULL;
	}
	for (size_t c = 0; c < NCOLS; c++) {
		const char *v = db_cell(h, i, H_COLS + c);

		switch (cols[c].type) {
		case COL_LIST:
			json_object_set_new(o, cols[c].name, codes_json(v));
			break;
		case COL_DAYS:
			json_object_set_new(o, cols[c].name, json_integer(strtol(v ? v : "0", NULL, 10)));
			break;
		case COL_FLAG:
			json_object_set_new(o, cols[c].name, json_boolean(str_is(v, "1")));
			break;
		case COL_TEXT:
		case COL_CHOICE:
			json_object_set_new(o, cols[c].name, json_string(v ? v : ""));
			break;
		}
	}
	unpriced = json_array();
	for (size_t b = 0; order_businesses[b].code; b++)
		for (size_t k = 0; order_kinds[k].code; k++) {
			bool priced = false;

			for (size_t j = 0; j < f->nrows; j++)
				if (str_is(db_cell(f, j, F_CHANNEL), id) &&
				    str_is(db_cell(f, j, F_BUSINESS), order_businesses[b].code) &&
				    str_is(db_cell(f, j, F_KIND), order_kinds[k].code)) {
					json_array_append_new(fees, fee_json(f, j));
					priced = true;
				}
			if (!priced && strlist_has(db_cell(h, i, H_COLS + C_BUSINESSES), order_businesses[b].code) &&
			    strlist_has(db_cell(h, i, H_COLS + C_KINDS), order_kinds[k].code))
				json_array_append_new(unpriced,
						      json_pack("{s:s, s:s, s:s, s:s}", "business",
								order_businesses[b].code, "business_name",
								order_businesses[b].zh, "kind", order_kinds[k].code,
								"kind_name", order_kinds[k].zh));
		}
	json_object_set_new(o, "fees", fees);
	/* Listed in the offers but without a fee row: not offered to applicants. */
	json_object_set_new(o, "unpriced", unpriced ? unpriced : json_array());
	return o;
}

/* The halls (code "": every one) as an array; NULL answered. */
static json_t *halls_json(struct req *r, const char *code)
{
	struct db_rows h, f;
	json_t *out;
	int rc;

	rc = db_query(&r->app->db, r->arena, sql_halls, DB_ARGS(DB_STR(code), DB_STR(code)), &h);
	if (rc == DB_OK)
		rc = db_query(&r->app->db, r->arena, sql_fees, DB_ARGS(DB_STR(code), DB_STR(code)), &f);
	if (rc != DB_OK) {
		app_db_error(r, rc);
		return NULL;
	}
	out = json_array();
	for (size_t i = 0; out && i < h.nrows; i++)
		json_array_append_new(out, hall_json(&h, i, &f));
	if (!out)
		resp_error(r, ERR_INTERNAL, NULL, NULL);
	return out;
}

/* ---- GET /api/review/admin/halls */

int review_halls(struct req *r)
{
	struct db_rows a;
	json_t *halls, *agreements, *lists;
	int rc;

	if (!(halls = halls_json(r, "")))
		return -1;
	rc = db_query(&r->app->db, r->arena, sql_agreements, DB_NOARGS, &a);
	if (rc != DB_OK) {
		json_decref(halls);
		return app_db_error(r, rc);
	}
	agreements = json_array();
	for (size_t i = 0; agreements && i < a.nrows; i++)
		json_array_append_new(agreements,
				      json_pack("{s:s, s:s, s:s, s:s, s:s, s:b}", "channel",
						db_cell(&a, i, 0), "code", db_cell(&a, i, 1), "version",
						db_cell(&a, i, 2), "title", db_cell(&a, i, 3),
						"published_at", db_cell(&a, i, 4),
						"current", str_is(db_cell(&a, i, 5), "1")));
	lists = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:[s, s, s]}", "businesses",
			  choices(L_BUSINESSES), "kinds", choices(L_KINDS), "verify_methods",
			  choices(L_VERIFY), "handler_methods", choices(L_HANDLER), "pay_methods",
			  choices(L_PAY), "invoice_when", choices(L_INVOICE_WHEN), "invoice_via",
			  choices(L_INVOICE_VIA), "change_items", choices(L_CHANGE), "bases", "priced",
			  "free", "quoted");
	resp_json(r, 200, json_pack("{s:o, s:o, s:o}", "halls", halls, "agreements", agreements,
				    "choices", lists));
	return 0;
}

/* ---- PUT /api/review/admin/halls/:code */

/* Texts, bounded by their columns (schema/0014_hall.sql). */
struct hall_text_in {
	const char *desk_payee, *desk_bank, *desk_account, *desk_memo, *desk_address, *desk_hours,
		*desk_phone, *paper_org, *paper_recipient, *paper_address, *paper_phone, *paper_note,
		*invoice_promise, *invoice_purpose, *paper_renew_items, *sla_mail;
};

#define TEXT(member, max, zh) \
	{ #member, false, max, review_hall_plain, \
	  zh "（" #member "）最多 " #max " 个字，不能含有控制字符或文字方向控制符。", \
	  offsetof(struct hall_text_in, member) }

static const struct req_field text_fields[] = {
	TEXT(desk_payee, 100, "收款单位"),    TEXT(desk_bank, 100, "开户行"),
	TEXT(desk_account, 40, "收款账号"),   TEXT(desk_memo, 60, "汇款备注文字"),
	TEXT(desk_address, 200, "现场缴费地址"), TEXT(desk_hours, 100, "营业时间"),
	TEXT(desk_phone, 60, "客服电话"),     TEXT(paper_org, 100, "收件单位"),
	TEXT(paper_recipient, 100, "收件人"), TEXT(paper_address, 200, "收件地址"),
	TEXT(paper_phone, 60, "收件人电话"),  TEXT(paper_note, 200, "邮寄须知"),
	TEXT(invoice_promise, 60, "发票送达时限"), TEXT(invoice_purpose, 30, "发票用途"),
	TEXT(paper_renew_items, 500, "已过期证书更新须邮寄的材料"),
	{ "sla_mail", false, 300, escalate_mail_list,
	  "超时通知邮箱（sla_mail）应为至多 5 个邮箱地址，以英文逗号分隔，不含空格；不通知则留空。",
	  offsetof(struct hall_text_in, sla_mail) },
};

/* A JSON array of codes of list l, each known and once, as the stored comma list in the
 * list's order. NULL answered (400 naming the field). */
static const char *list_value(struct req *r, json_t *body, const struct col *c)
{
	json_t *a = json_object_get(body, c->name), *v;
	char *out = NULL;
	const char *code;
	size_t i, len = 0;

	if (!json_is_array(a) || (json_array_size(a) == 0 && !c->may_be_empty) ||
	    json_array_size(a) > 16)
		goto bad;
	json_array_foreach(a, i, v) {
		size_t k;
		bool known = false;

		if (!json_is_string(v))
			goto bad;
		for (k = 0; (code = list_code(c->list, k)) != NULL; k++)
			known = known || str_is(code, json_string_value(v));
		for (k = 0; k < i; k++)
			known = known && !str_is(json_string_value(json_array_get(a, k)), json_string_value(v));
		if (!known)
			goto bad;
	}
	out = arena_alloc(r->arena, 128);
	if (!out) {
		resp_error(r, ERR_INTERNAL, NULL, NULL);
		return NULL;
	}
	out[0] = '\0';
	for (size_t k = 0; (code = list_code(c->list, k)) != NULL; k++)
		json_array_foreach(a, i, v)
			if (str_is(code, json_string_value(v)) && len + strlen(code) + 2 < 128)
				len += (size_t)snprintf(out + len, 128 - len, "%s%s", len ? "," : "", code);
	return out;
bad:
	resp_error(r, ERR_INVALID_FIELD, c->name,
		   arena_printf(r->arena, "%s（%s）应为所列代码的数组，%s且不能重复。", c->zh, c->name,
				c->may_be_empty ? "" : "至少选一项，"));
	return NULL;
}

struct hall_put {
	struct req *r;
	const char *code;
	const char *stamp;            /* the updated_at the client saw; NULL: never edited */
	const char *val[NCOLS];       /* the new values as text */
	bool stale;
	int changed;
};

static int put_tx(struct db *db, void *p)
{
	struct hall_put *h = p;
	struct req *r = h->r;
	struct db_param args[NCOLS + 2];
	struct db_rows old;
	int rc;

	h->stale = false;
	h->changed = 0;
	rc = db_query(db, r->arena, sql_lock, DB_ARGS(DB_STR(h->code)), &old);
	if (rc != DB_OK)
		return rc;
	if (old.nrows != 1 || !(h->stamp ? str_is(db_cell(&old, 0, H_STAMP), h->stamp)
					 : db_cell(&old, 0, H_STAMP) == NULL)) {
		h->stale = true;
		return DB_ERR;
	}
	for (size_t c = 0; c < NCOLS; c++) {
		const char *was = db_cell(&old, 0, H_COLS + c);

		args[c] = DB_STR(h->val[c]);
		if (str_is(was ? was : "", h->val[c]))
			continue;
		h->changed++;
		rc = review_audit(db, r, 0, NULL, "hall_channel_set",
				  arena_printf(r->arena, "%s %s: \"%s\" → \"%s\"", h->code, cols[c].name,
					       was ? was : "", h->val[c]));
		if (rc != DB_OK)
			return rc;
	}
	if (!h->changed)
		return DB_OK;
	args[NCOLS] = DB_I64(r->auth.id);
	args[NCOLS + 1] = DB_I64(strtoll(db_cell(&old, 0, H_ID), NULL, 10));
	return db_exec(db, sql_update, args, NCOLS + 2, NULL, NULL);
}

static size_t col_index(const char *name)
{
	size_t c = 0;

	while (c < NCOLS && !str_is(cols[c].name, name))
		c++;
	return c;
}

/* What the lists ask of the texts: a transfer needs the account, the counter its address and
 * hours, the paper route (mail-in, or the two-stage flow that always mails it) its recipient. */
static int needed(struct req *r, const struct hall_put *h, const char *flow)
{
	static const struct {
		const char *col, *why;
	} need[] = {
		{ "desk_payee", "transfer" },   { "desk_bank", "transfer" },
		{ "desk_account", "transfer" }, { "desk_payee", "counter" },
		{ "desk_address", "counter" },  { "desk_hours", "counter" },
		{ "desk_phone", "counter" },    { "paper_recipient", "paper" },
		{ "paper_address", "paper" },   { "paper_phone", "paper" },
	};
	/* An expired certificate renewed offline is mailed too (003, create.c). */
	bool paper = str_is(h->val[col_index("mail_in")], "1") || str_is(flow, "two_stage") ||
		     h->val[col_index("paper_businesses")][0] ||
		     (strlist_has(h->val[C_BUSINESSES], "renew") &&
		      str_is(h->val[col_index("renew_expired_online")], "0"));
	const char *pay = h->val[col_index("pay_methods")];

	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
		const struct col *c = &cols[col_index(need[i].col)];
		bool applies = str_is(need[i].why, "paper") ? paper : strlist_has(pay, need[i].why);

		if (applies && !h->val[col_index(need[i].col)][0])
			return resp_error(r, ERR_MISSING_FIELD, c->name,
					  arena_printf(r->arena, "%s：请填写%s（%s）。",
						       str_is(need[i].why, "transfer") ? "支持对公转账时"
						       : str_is(need[i].why, "counter") ? "支持现场缴费时"
						       : "需要邮寄纸质材料时", c->zh, c->name));
	}
	return 0;
}

int review_hall_put(struct req *r)
{
	struct hall_put h = { .r = r, .code = r->params[0] };
	struct hall_text_in in;
	json_t *body, *stamp, *halls;
	long long id;
	int days[2] = { 0, 0 }, rc;

	if (review_hall_id(r, h.code, &id) < 0 || review_body(r, &body, false, NULL) < 0)
		return -1;
	stamp = json_object_get(body, "updated_at");
	if (!stamp || !(json_is_null(stamp) || (json_is_string(stamp) && json_string_length(stamp) <= 40)))
		return resp_error(r, ERR_MISSING_FIELD, "updated_at",
				  "缺少渠道设置的版本（updated_at，读取设置时所得；从未修改过为 null），请刷新后再保存。");
	h.stamp = json_string_value(stamp);
	for (size_t c = 0, d = 0; c < NCOLS; c++) {
		json_t *v = json_object_get(body, cols[c].name);

		if (cols[c].type == COL_LIST) {
			if (!(h.val[c] = list_value(r, body, &cols[c])))
				return -1;
		} else if (cols[c].type == COL_DAYS) {
			if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 30)
				return resp_error(r, v ? ERR_INVALID_FIELD : ERR_MISSING_FIELD, cols[c].name,
						  arena_printf(r->arena, "%s（%s）应为 1 至 30 之间的整数。",
							       cols[c].zh, cols[c].name));
			days[d++] = (int)json_integer_value(v);
			h.val[c] = arena_printf(r->arena, "%d", days[d - 1]);
		} else if (cols[c].type == COL_CHOICE) {
			if (!json_is_string(v) || !list_name(cols[c].list, json_string_value(v)))
				return resp_error(r, v ? ERR_INVALID_FIELD : ERR_MISSING_FIELD, cols[c].name,
						  arena_printf(r->arena, "%s（%s）应为所列代码之一。",
							       cols[c].zh, cols[c].name));
			h.val[c] = json_string_value(v);
		} else if (cols[c].type == COL_FLAG) {
			if (!json_is_boolean(v))
				return resp_error(r, v ? ERR_INVALID_FIELD : ERR_MISSING_FIELD, cols[c].name,
						  arena_printf(r->arena, "%s（%s）应为 true 或 false。",
							       cols[c].zh, cols[c].name));
			h.val[c] = json_is_true(v) ? "1" : "0";
		}
	}
	if (days[0] > days[1])
		return resp_error(r, ERR_INVALID_FIELD, "review_days_min",
				  "审核时限下限（review_days_min）不能大于上限（review_days_max）。");
	if (REQ_FIELDS(r, body, text_fields, &in) < 0)
		return -1;
	for (size_t t = 0; t < sizeof(text_fields) / sizeof(text_fields[0]); t++) {
		const char *v = *(const char **)(void *)((char *)&in + text_fields[t].offset);

		h.val[col_index(text_fields[t].name)] = v ? v : "";
	}
	{
		struct db_rows f;
		static const char sql_flow[] = "SELECT flow FROM channels WHERE id = ?";

		rc = db_query(&r->app->db, r->arena, sql_flow, DB_ARGS(DB_I64(id)), &f);
		if (rc != DB_OK)
			return app_db_error(r, rc);
		if (needed(r, &h, f.nrows ? db_cell(&f, 0, 0) : "") < 0)
			return -1;
	}
	rc = db_tx(&r->app->db, put_tx, &h);
	if (h.stale)
		return resp_error(r, ERR_CONFLICT, "updated_at",
				  "该渠道的设置刚刚已被其他管理员修改，您的修改未保存。请刷新后查看最新设置再修改。");
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (!(halls = halls_json(r, h.code)))
		return -1;
	resp_json(r, 200, json_pack("{s:O, s:i}", "hall", json_array_get(halls, 0), "changed",
				    h.changed));
	json_decref(halls);
	return 0;
}
