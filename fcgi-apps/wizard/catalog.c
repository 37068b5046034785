/* wizard: what the halls offer (public): channels and their methods, fee quotes, agreements. */
#include <stdlib.h>
#include <string.h>

#include "domain/order.h"
#include "domain/fees.h"
#include "base/strlist.h"
#include "base/valid.h"
#include "ext/pay.h"
#include "wizard.h"

#define CODE_MAX 32

static const char sql_channels[] =
	"SELECT code, name, ca_name, flow, review_days_min, review_days_max, businesses, kinds, "
	"verify_methods, handler_methods, pay_methods, mail_in, id, paper_businesses, "
	"counter_businesses, desk_address, desk_hours, desk_phone, paper_org, paper_recipient, "
	"paper_address, paper_phone, paper_note, invoice_via, invoice_promise, review_days_public, "
	"desk_only_businesses, form_lr_clause, change_items, person_self, invoice_title_edit "
	"FROM channels ORDER BY id";
/* What each hall offers and can finish: a business and kind it lists, with a fees row. */
static const char sql_offers[] =
	"SELECT f.channel_id, f.business, f.kind, f.basis FROM fees f "
	"JOIN channels c ON c.id = f.channel_id "
	"WHERE FIND_IN_SET(f.business, c.businesses) AND FIND_IN_SET(f.kind, c.kinds)";
/* Each hall's own texts (0028): its guide's promises are its own. */
static const char sql_current[] =
	"SELECT channel_id, code, version, title FROM agreements WHERE current = 1 "
	"ORDER BY channel_id, code";
static const char sql_channel[] =
	"SELECT FIND_IN_SET(?, businesses), FIND_IN_SET(?, kinds) FROM channels WHERE code = ?";
static const char sql_agreement[] =
	"SELECT a.code, a.version, a.title, a.body, DATE_FORMAT(a.published_at, " DB_ISO_FMT "), "
	"c.name FROM agreements a JOIN channels c ON c.id = a.channel_id "
	"WHERE c.code = ? AND a.code = ? AND a.current = 1 "
	"ORDER BY a.published_at DESC, a.version DESC LIMIT 1";

struct name {
	const char *code, *zh;
};

/* The methods' names as the guides write them (000, 002: 企业认证 and 经办人认证; 001, 002, 003:
 * payment). */
static const struct name verify_names[] = {
	{ "transfer", "企业对公打款认证" },
	{ "lr_mobile", "法定代表人手机号认证" },
	{ "lr_card", "法定代表人银行卡信息认证" },
	{ "lr_face", "法定代表人刷脸认证" },
	/* Not offered up front: what an order that switched to the paper route records (002). */
	{ "mail_in", "线下邮寄纸质材料" },
	{ NULL, NULL },
};

static const struct name handler_names[] = {
	{ "mobile", "经办人手机实名认证" },
	{ "card", "经办人银行卡信息认证" },
	{ "face", "经办人刷脸认证" },
	{ NULL, NULL },
};

static const char *lookup(const struct name *t, const char *code)
{
	for (; code && t->code; t++)
		if (strcmp(t->code, code) == 0)
			return t->zh;
	return NULL;
}

const char *wizard_verify_method_name(const char *code)
{
	return lookup(verify_names, code);
}

const char *wizard_handler_method_name(const char *code)
{
	return lookup(handler_names, code);
}

/* A lower-case code as the tables hold them. */
static bool is_code(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	return n > 0 && n <= CODE_MAX && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

/* A comma list of codes as [{"code", "name"}]; a code without a name (a typo in the table) is
 * left out rather than shown to people as a bare code. */
static json_t *named_list(const char *list, const char *(*name)(const char *))
{
	json_t *out = json_array();
	char code[CODE_MAX + 1];

	for (const char *p = list; out && p && *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		const char *zh;

		if (len > 0 && len <= CODE_MAX) {
			memcpy(code, p, len);
			code[len] = '\0';
			zh = name(code);
			if (zh)
				json_array_append_new(out, json_pack("{s:s, s:s}", "code", code,
								     "name", zh));
		}
		p = end ? end + 1 : NULL;
	}
	return out;
}

enum { CH_CODE, CH_NAME, CH_CA, CH_FLOW, CH_DMIN, CH_DMAX, CH_BUSINESSES, CH_KINDS, CH_VERIFY,
       CH_HANDLER, CH_PAY, CH_MAIL_IN, CH_ID, CH_PAPER, CH_COUNTER, CH_DESK_ADDRESS, CH_DESK_HOURS,
       CH_DESK_PHONE, CH_PAPER_ORG, CH_PAPER_RECIPIENT, CH_PAPER_ADDRESS, CH_PAPER_PHONE,
       CH_PAPER_NOTE, CH_INVOICE_VIA, CH_INVOICE_PROMISE, CH_DAYS_PUBLIC, CH_DESK_ONLY, CH_LR_CLAUSE,
       CH_CHANGE_ITEMS, CH_PERSON_SELF, CH_TITLE_EDIT };
enum { OF_CHANNEL, OF_BUSINESS, OF_KIND, OF_BASIS };

/* The businesses of channel row i that can be finished, in the channel's order, each with the
 * kinds it is offered for and how each is priced; and the kinds any of them is offered for.
 * A listed business without a fees row is left out: the applicant could never sign it. */
static void offers(const struct db_rows *c, size_t i, const struct db_rows *of, json_t **businesses,
		   json_t **kinds)
{
	json_t *all = named_list(db_cell(c, i, CH_BUSINESSES), order_business_name);
	json_t *listed = named_list(db_cell(c, i, CH_KINDS), order_kind_name), *b, *k;
	const char *id = db_cell(c, i, CH_ID);
	size_t bi, ki;

	*businesses = json_array();
	*kinds = json_array();
	json_array_foreach(all, bi, b) {
		const char *code = json_string_value(json_object_get(b, "code"));
		json_t *ks = json_array();

		for (size_t r = 0; ks && r < of->nrows; r++)
			if (str_is(db_cell(of, r, OF_CHANNEL), id) &&
			    str_is(db_cell(of, r, OF_BUSINESS), code))
				json_array_append_new(ks, json_pack("{s:s, s:s}", "code",
								    db_cell(of, r, OF_KIND), "basis",
								    db_cell(of, r, OF_BASIS)));
		if (json_array_size(ks) == 0) {
			json_decref(ks);
			continue;
		}
		json_object_set_new(b, "kinds", ks);
		/* Where it is done: online; online with the paper mailed and reviewed on arrival
		 * (003); or only at the counter (003 注销), which the page shows with its address. */
		json_object_set_new(b, "paper_mail",
				    json_boolean(strlist_has(db_cell(c, i, CH_PAPER), code)));
		json_object_set_new(b, "counter",
				    json_boolean(strlist_has(db_cell(c, i, CH_COUNTER), code)));
		/* Paid only by transfer or at the counter: no QR (003 Alipay for 增加 only). */
		json_object_set_new(b, "qr_pay",
				    json_boolean(!strlist_has(db_cell(c, i, CH_DESK_ONLY), code)));
		json_array_append(*businesses, b);
	}
	/* The channel's kinds that some business is offered for. */
	json_array_foreach(listed, ki, k) {
		const char *code = json_string_value(json_object_get(k, "code"));
		bool used = false;

		for (size_t r = 0; !used && r < of->nrows; r++)
			used = str_is(db_cell(of, r, OF_CHANNEL), id) &&
			       str_is(db_cell(of, r, OF_KIND), code);
		if (used)
			json_array_append(*kinds, k);
	}
	json_decref(all);
	json_decref(listed);
}

/* The current versions of channel row i's agreements (sql_current's rows a). */
static json_t *agreements_json(const struct db_rows *c, size_t i, const struct db_rows *a)
{
	json_t *out = json_array();

	for (size_t k = 0; out && k < a->nrows; k++)
		if (str_is(db_cell(a, k, 0), db_cell(c, i, CH_ID)))
			json_array_append_new(out, json_pack("{s:s, s:s, s:s}", "code", db_cell(a, k, 1),
							     "version", db_cell(a, k, 2), "title",
							     db_cell(a, k, 3)));
	return out;
}

static json_t *channel_json(const struct db_rows *c, size_t i, const struct db_rows *of,
			    const struct db_rows *a)
{
	json_t *businesses, *kinds, *j;
	/* No review time where the hall's guide prints none (004): null, not a number it never gave. */
	bool days = str_is(db_cell(c, i, CH_DAYS_PUBLIC), "1");

	offers(c, i, of, &businesses, &kinds);
	j = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:b, "
			 "s:{s:s, s:s, s:s}, s:{s:s, s:s, s:s, s:s, s:s}, s:o, s:{s:s, s:s}}",
			 "code", db_cell(c, i, CH_CODE), "name", db_cell(c, i, CH_NAME),
			 "ca_name", db_cell(c, i, CH_CA), "flow", db_cell(c, i, CH_FLOW),
			 "review_days_min",
			 days ? json_integer(strtol(db_cell(c, i, CH_DMIN), NULL, 10)) : json_null(),
			 "review_days_max",
			 days ? json_integer(strtol(db_cell(c, i, CH_DMAX), NULL, 10)) : json_null(),
			 "businesses", businesses, "kinds", kinds,
			 "verify_methods", named_list(db_cell(c, i, CH_VERIFY), wizard_verify_method_name),
			 "handler_methods", named_list(db_cell(c, i, CH_HANDLER), wizard_handler_method_name),
			 "pay_methods", named_list(db_cell(c, i, CH_PAY), pay_method_name),
			 "mail_in", strcmp(db_cell(c, i, CH_MAIL_IN), "0") != 0,
			 "counter", "address", db_cell(c, i, CH_DESK_ADDRESS), "hours",
			 db_cell(c, i, CH_DESK_HOURS), "phone", db_cell(c, i, CH_DESK_PHONE),
			 "paper_to", "org", db_cell(c, i, CH_PAPER_ORG), "recipient",
			 db_cell(c, i, CH_PAPER_RECIPIENT), "address", db_cell(c, i, CH_PAPER_ADDRESS),
			 "phone", db_cell(c, i, CH_PAPER_PHONE), "note", db_cell(c, i, CH_PAPER_NOTE),
			 "agreements", agreements_json(c, i, a),
			 /* Where and when its invoice goes (each guide its own: 002 邮箱, 003 经办人手机). */
			 "invoice", "via", db_cell(c, i, CH_INVOICE_VIA), "promise",
			 db_cell(c, i, CH_INVOICE_PROMISE));
	/* The legal representative is named on the application form whatever the check (001),
	 * what the change business may change (002: name and handler; the seal by mail), and
	 * whether a person applies himself (003). */
	if (j) {
		json_object_set_new(j, "form_lr_clause",
				    json_boolean(str_is(db_cell(c, i, CH_LR_CLAUSE), "1")));
		json_object_set_new(j, "change_items", json_string(db_cell(c, i, CH_CHANGE_ITEMS)));
		/* 003: a person applies himself, the handler is the holder. */
		json_object_set_new(j, "person_self",
				    json_boolean(str_is(db_cell(c, i, CH_PERSON_SELF), "1")));
		/* 001: the applicant writes the invoice's title. */
		json_object_set_new(j, "invoice_title_edit",
				    json_boolean(str_is(db_cell(c, i, CH_TITLE_EDIT), "1")));
	}
	return j;
}

int wizard_catalog(struct req *r)
{
	struct db_rows c, a, of;
	json_t *channels, *years;
	int rc;

	rc = db_query(&r->app->db, r->arena, sql_channels, DB_NOARGS, &c);
	if (rc == DB_OK)
		rc = db_query(&r->app->db, r->arena, sql_offers, DB_NOARGS, &of);
	if (rc == DB_OK)
		rc = db_query(&r->app->db, r->arena, sql_current, DB_NOARGS, &a);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	channels = json_array();
	for (size_t i = 0; i < c.nrows; i++)
		json_array_append_new(channels, channel_json(&c, i, &of, &a));
	/* 003 "所有证书均可办理1~5年"; what a channel actually prices is the quote's answer. */
	years = json_pack("[i, i, i, i, i]", 1, 2, 3, 4, 5);
	resp_json(r, 200, json_pack("{s:o, s:o}", "channels", channels, "years", years));
	return 0;
}

static json_t *money(int64_t fen)
{
	char yuan[24];

	valid_money_format(fen, yuan, sizeof(yuan));
	return json_string(yuan);
}

static json_t *quote_json(const struct rules_quote *q)
{
	json_t *items = json_array();

	for (int i = 0; i < q->n; i++) {
		const struct rules_quote_item *it = &q->item[i];

		json_array_append_new(items,
			json_pack("{s:s, s:s, s:o, s:I, s:i, s:o, s:I}", "code", it->code,
				  "label", it->label, "unit", money(it->unit_fen),
				  "unit_fen", (json_int_t)it->unit_fen, "qty", it->qty,
				  "amount", money(it->fen), "amount_fen", (json_int_t)it->fen));
	}
	return items;
}

int wizard_quote(struct req *r)
{
	const char *channel, *business, *kind, *years_s, *seal_s;
	struct rules_quote q;
	struct rules_fee fee;
	struct kvlist args;
	struct db_rows c;
	int years = 1, qrc, rc;
	bool seal = false;
	json_t *out;

	if (req_args(r, &args) < 0)
		return -1;
	channel = kv_get(&args, "channel");
	business = kv_get(&args, "business");
	kind = kv_get(&args, "kind");
	years_s = kv_get(&args, "years");
	seal_s = kv_get(&args, "seal");
	if (!channel || !is_code(channel))
		return resp_error(r, channel ? ERR_INVALID_FIELD : ERR_MISSING_FIELD, "channel",
				  "请选择办理渠道（参数 channel）。");
	if (!business || !order_business_name(business))
		return resp_error(r, business ? ERR_INVALID_FIELD : ERR_MISSING_FIELD, "business",
				  "请选择业务类型（参数 business：new、add、renew、lost、damaged、change、unlock 或 revoke）。");
	if (!kind || !order_kind_name(kind))
		return resp_error(r, kind ? ERR_INVALID_FIELD : ERR_MISSING_FIELD, "kind",
				  "请选择证书类型（参数 kind：org、legal_rep 或 person）。");
	if (years_s) {
		if (strlen(years_s) != 1 || years_s[0] < '1' || years_s[0] > '5')
			return resp_error(r, ERR_INVALID_FIELD, "years",
					  "证书年限应为 1 至 5 年（参数 years）。");
		years = years_s[0] - '0';
	}
	if (seal_s) {
		if (strcmp(seal_s, "0") != 0 && strcmp(seal_s, "1") != 0)
			return resp_error(r, ERR_INVALID_FIELD, "seal",
					  "是否含电子印章应为 0 或 1（参数 seal）。");
		seal = seal_s[0] == '1';
	}
	rc = db_query(&r->app->db, r->arena, sql_channel,
		      DB_ARGS(DB_STR(business), DB_STR(kind), DB_STR(channel)), &c);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (c.nrows != 1)
		return resp_error(r, ERR_INVALID_FIELD, "channel", "办理渠道不存在，请重新选择。");
	if (strcmp(db_cell(&c, 0, 0), "0") == 0)
		return resp_error(r, ERR_NOT_OFFERED, "business", "所选渠道不办理该业务。");
	if (strcmp(db_cell(&c, 0, 1), "0") == 0)
		return resp_error(r, ERR_NOT_OFFERED, "kind", "所选渠道不签发该类型的证书。");
	rc = fees_find(&r->app->db, r->arena, channel, business, kind, &fee);
	if (rc == FEES_NONE)
		return resp_error(r, ERR_NOT_OFFERED, "kind", "所选渠道不为该类型的证书办理此项业务。");
	if (rc != DB_OK)
		return app_db_error(r, rc);
	/* The defect of a damaged key is found when it is inspected, not when it is quoted: the
	 * quote is the media fee (002). */
	qrc = rules_quote(&fee, years, seal, false, &q);
	if (qrc == RULES_YEARS)
		return resp_error(r, ERR_INVALID_FIELD, "years",
				  arena_printf(r->arena, "该渠道办理此业务的证书年限最长为 %d 年，请重新选择。",
					       fee.max_years));
	if (qrc != RULES_OK && qrc != RULES_FEE_UNKNOWN)
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	out = json_pack("{s:s, s:s, s:s?, s:s, s:s?, s:i, s:i, s:s, s:b, s:b, s:o}", "channel",
			channel, "business", business, "business_name", order_business_name(business),
			"kind", kind, "kind_name", order_kind_name(kind), "years", years,
			"max_years", fee.max_years, "basis", rules_basis_str(fee.basis), "seal", seal,
			"complete", qrc == RULES_OK, "items", quote_json(&q));
	if (!out)
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	if (qrc == RULES_OK) {
		json_object_set_new(out, "total", money(q.total_fen));
		json_object_set_new(out, "total_fen", json_integer(q.total_fen));
		json_object_set_new(out, "note", json_null());
	} else {
		/* Only what the hall states is listed; no total pretends to be the price. */
		json_object_set_new(out, "total", json_null());
		json_object_set_new(out, "total_fen", json_null());
		json_object_set_new(out, "note",
				    json_string("费用由认证机构工作人员在预审通过时确认，确认后再支付"));
	}
	resp_json(r, 200, out);
	return 0;
}

/* GET /api/wizard/agreements/:code?channel=: the text the hall shows now (each hall its own). */
int wizard_agreement(struct req *r)
{
	const char *code = r->params[0], *channel;
	struct kvlist args;
	struct db_rows a;
	int rc;

	if (req_args(r, &args) < 0)
		return -1;
	channel = kv_get(&args, "channel");
	if (!channel || !is_code(channel))
		return resp_error(r, channel ? ERR_INVALID_FIELD : ERR_MISSING_FIELD, "channel",
				  "请选择办理渠道（参数 channel）：各营业厅的协议各自发布。");
	if (!is_code(code))
		return resp_error(r, ERR_NOT_FOUND, NULL, "没有该协议。");
	rc = db_query(&r->app->db, r->arena, sql_agreement, DB_ARGS(DB_STR(channel), DB_STR(code)), &a);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (a.nrows != 1)
		return resp_error(r, ERR_NOT_FOUND, NULL, "该营业厅没有该协议。");
	resp_json(r, 200, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "code", db_cell(&a, 0, 0),
				    "version", db_cell(&a, 0, 1), "title", db_cell(&a, 0, 2),
				    "body", db_cell(&a, 0, 3), "published_at", db_cell(&a, 0, 4),
				    "channel", channel, "channel_name", db_cell(&a, 0, 5)));
	return 0;
}
