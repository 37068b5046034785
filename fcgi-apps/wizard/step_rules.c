/* wizard: the rules between a data step's fields, and with the order and the account
 * (DOMAIN.md, guides 000-004): what each method asks for, names that must match, the
 * applicant's ID, the quote, the renewal's validity, the mailing address. */
#include <string.h>
#include <time.h>

#include "crypto/crypto.h"
#include "domain/fees.h"
#include "step_fields.h"
#include "base/strlist.h"

typedef int (*step_rules)(struct req *r, const struct order *o, const char **v,
			  struct wizard_step_input *in);

static int invalid(struct req *r, const char *field, const char *message)
{
	return resp_error(r, ERR_INVALID_FIELD, field, message);
}

/* A comma list holds name as a whole item. */
/* col 0: the channel's enterprise methods, 1: its handler methods, 2: person_self. */
static int channel_methods(struct req *r, const struct order *o, int col, const char **out)
{
	struct db_rows rows;
	int rc = db_query(&r->app->db, r->arena,
			  "SELECT verify_methods, handler_methods, person_self FROM channels WHERE id = ?",
			  DB_ARGS(DB_I64(o->channel_id)), &rows);

	if (rc != DB_OK)
		return app_db_error(r, rc);
	*out = rows.nrows == 1 ? db_cell(&rows, 0, (size_t)col) : "";
	return 0;
}

/* The organisation's name as registered (an org account's display name). */
static int account_name(struct req *r, const char **kind, const char **name)
{
	struct db_rows rows;
	int rc = db_query(&r->app->db, r->arena, "SELECT kind, display_name FROM accounts WHERE id = ?",
			  DB_ARGS(DB_I64(r->auth.id)), &rows);

	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (rows.nrows != 1)
		return resp_error(r, ERR_NOT_LOGGED_IN, NULL, NULL);
	*kind = db_cell(&rows, 0, 0);
	*name = db_cell(&rows, 0, 1);
	return 0;
}

static int rules_agreements(struct req *r, const struct order *o, const char **v,
			    struct wizard_step_input *in)
{
	struct db_rows rows;
	int rc;

	/* The order's hall's own texts (0028): another hall's version is not on offer here. */
	rc = db_query(&r->app->db, r->arena,
		      "SELECT code, version FROM agreements WHERE channel_id = ? AND current = 1 "
		      "AND code IN (?, ?)",
		      DB_ARGS(DB_I64(o->channel_id), DB_STR("service"), DB_STR("privacy")), &rows);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	/* Only the version on offer now can be accepted: an old page cannot accept old terms. */
	for (int i = 0; i < A__N; i++) {
		const char *name = wizard_step_field(STEP_AGREEMENTS, i);
		bool current = false;

		for (size_t k = 0; k < rows.nrows; k++)
			current |= strcmp(db_cell(&rows, k, 0), name) == 0 &&
				   strcmp(db_cell(&rows, k, 1), v[i]) == 0;
		if (!current)
			return invalid(r, name,
				       arena_printf(r->arena, "%s已更新或不存在，请刷新页面，阅读最新版本后重新同意。",
						    i == A_SERVICE ? "《数字证书服务协议》"
								   : "《敏感个人信息处理授权书》"));
	}
	in->service = v[A_SERVICE];
	in->privacy = v[A_PRIVACY];
	return 0;
}

/* 000: each enterprise method asks for its own fields; the legal representative's only
 * when he is the one checked, or (in->lr_named, 001) his name and ID number when the form
 * names him. */
static int rules_enterprise(struct req *r, const struct order *o, const char **v,
			    struct wizard_step_input *in)
{
	const char *kind, *name, *methods, *m = v[E_METHOD];

	if (account_name(r, &kind, &name) < 0 || channel_methods(r, o, 0, &methods) < 0)
		return -1;
	if (strcmp(kind, "org") == 0 && strcmp(v[E_ORG], name) != 0)
		return invalid(r, "org_name",
			       arena_printf(r->arena,
					    "单位名称须与账号注册的单位名称“%s”完全一致；如单位已更名，请先办理信息变更。",
					    name));
	if (!strlist_has(methods, m))
		return invalid(r, "method", "所选渠道不支持该企业认证方式，请重新选择。");
	in->method = m;
	return 0;
}

/* *same: id is the ID number the person order was opened for (its holder's). */
static int is_holder(struct req *r, const struct order *o, const char *id, bool *same)
{
	struct db_rows rows;
	char idx[2 * CRYPTO_SHA256_LEN + 1];
	const char *want;
	int rc;

	rc = db_query(&r->app->db, r->arena, "SELECT COALESCE(subject_idx, '') FROM orders WHERE id = ?",
		      DB_ARGS(DB_I64(o->id)), &rows);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	want = rows.nrows == 1 ? db_cell(&rows, 0, 0) : "";
	crypto_index_hex(&r->app->key, "subject", id, strlen(id), idx);
	*same = strlen(want) == strlen(idx) && crypto_equal(want, idx, strlen(idx));
	return 0;
}

/* A hall whose person applies himself (person_self, 003 自然人 "申请人签名", "需要申请人本人带材料
 * 到现场办理"): the handler of a person's certificate is its holder. */
static int rules_handler(struct req *r, const struct order *o, const char **v,
			 struct wizard_step_input *in)
{
	const char *methods, *self;
	bool same;

	if (channel_methods(r, o, 1, &methods) < 0 || channel_methods(r, o, 2, &self) < 0)
		return -1;
	if (strcmp(o->kind, "person") == 0 && str_is(self, "1")) {
		if (is_holder(r, o, v[H_ID], &same) < 0)
			return -1;
		if (!same)
			return invalid(r, "id_number",
				       "本渠道的个人证书须由申请人本人办理：经办人须为证书持有人本人，请填写本人的姓名和"
				       "身份证号码（与创建订单时填写的一致）。");
	}
	if (!strlist_has(methods, v[H_METHOD]))
		return invalid(r, "method", "所选渠道不支持该经办人认证方式，请重新选择。");
	in->method = v[H_METHOD];
	in->handler_mobile = v[H_MOBILE];
	return 0;
}

/* A person certificate is for the person the order was opened for (one open order per ID
 * number, 000/002): the applicant's ID may not change under it. */
static int rules_applicant(struct req *r, const struct order *o, const char **v,
			   struct wizard_step_input *in)
{
	bool same;

	if (strcmp(o->kind, "person") != 0)
		return 0;
	if (is_holder(r, o, v[P_ID], &same) < 0)
		return -1;
	if (!same)
		return invalid(r, "id_number",
			       "申请人身份证号码须与创建订单时填写的证书持有人身份证号码一致；为他人办理请另行创建订单。");
	in->subject_name = v[P_NAME];
	return 0;
}

/* 001 "基本户名称需与单位名称保持一致". */
static int rules_financial(struct req *r, const struct order *o, const char **v,
			   struct wizard_step_input *in)
{
	const char *kind, *name;
	json_t *ent;

	(void)in;
	if (wizard_step_load(r, o->id, STEP_ENTERPRISE, &ent) < 0)
		return -1;
	name = order_step_str(ent, "org_name");
	if (!*name && account_name(r, &kind, &name) < 0)
		return -1;
	/* The account of a renamed organisation is held in its new name. */
	if (wizard_checked_org_name(r, o, name, &name) < 0)
		return -1;
	if (strcmp(v[F_NAME], name) != 0)
		return invalid(r, "account_name",
			       arena_printf(r->arena, "对公账户名称须与单位名称一致，应为“%s”。", name));
	return 0;
}

/* What the hall's change may change (channels.change_items): 002 "证书信息变更业务支持用户在线
 * 修改证书的单位名称，修改经办人信息，目前不支持在线变更签章，如需变更签章，请您至现场或邮寄介质到
 * 受理点处理": name, handler, and the seal by mail; no address. */
static int change_offered(struct req *r, const struct order *o, unsigned items)
{
	static const struct {
		unsigned bit;
		const char *code, *zh;
	} all[] = { { ITEM_NAME, "name", "单位名称" }, { ITEM_ADDRESS, "address", "单位地址" },
		    { ITEM_SEAL, "seal", "电子印章" }, { ITEM_HANDLER, "handler", "经办人" } };
	struct db_rows rows;
	const char *offered, *zh = "", *refused = NULL;
	int rc = db_query(&r->app->db, r->arena, "SELECT change_items FROM channels WHERE id = ?",
			  DB_ARGS(DB_I64(o->channel_id)), &rows);

	if (rc != DB_OK)
		return app_db_error(r, rc);
	offered = rows.nrows == 1 ? db_cell(&rows, 0, 0) : "";
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		if (strlist_has(offered, all[i].code))
			zh = arena_printf(r->arena, "%s%s%s", zh, *zh ? "、" : "", all[i].zh);
		else if ((items & all[i].bit) && !refused)
			refused = all[i].zh;
	}
	if (refused)
		return invalid(r, "items",
			       arena_printf(r->arena, "本渠道的证书信息变更不办理“%s”的变更；可变更的事项为：%s。",
					    refused, zh));
	return 0;
}

static int rules_change(struct req *r, const struct order *o, const char **v,
			struct wizard_step_input *in)
{
	unsigned items = wizard_change_items(v[C_ITEMS]);

	if (change_offered(r, o, items) < 0)
		return -1;
	in->seal_change = items & ITEM_SEAL;
	/* What the items need is there (wizard_step_needs); what they do not is not kept. */
	if (!(items & ITEM_NAME))
		v[C_NAME] = NULL;
	else if (strcmp(v[C_NAME], o->subject_name) == 0)
		return invalid(r, "new_org_name", "变更后的单位名称与现名称相同，请填写新的单位名称。");
	if (!(items & ITEM_ADDRESS))
		v[C_ADDRESS] = NULL;
	return 0;
}

static void release(void *j)
{
	json_decref(j);
}

/* The years the hall sells this business for: more years than its fees row allows (002: BJCA
 * new is one year) are refused; a quoted row (004) leaves the price to the pre-reviewer. */
static int quote(struct req *r, const struct order *o, int years, bool seal, bool defect,
		 struct wizard_step_input *in)
{
	struct rules_quote q;
	struct rules_fee fee;
	int rc = fees_find(&r->app->db, r->arena, o->channel_code, o->business, o->kind, &fee);

	if (rc == FEES_NONE)
		return resp_error(r, ERR_NOT_OFFERED, "business",
				  "所选渠道已不再办理此项业务，请取消本订单后重新选择。");
	if (rc != DB_OK)
		return app_db_error(r, rc);
	rc = rules_quote(&fee, years, seal, defect, &q);
	if (rc == RULES_YEARS)
		return invalid(r, "years",
			       fee.max_years == 1
				       ? "该渠道办理此业务的证书年限只能为 1 年，请重新选择。"
				       : arena_printf(r->arena,
						      "该渠道办理此业务的证书年限只能为 1 至 %d 年，请重新选择。",
						      fee.max_years));
	if (rc != RULES_OK && rc != RULES_FEE_UNKNOWN)
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	in->years = years;
	in->amount_fen = rc == RULES_OK ? q.total_fen : -1;
	in->quote = fees_quote_json(&q);
	/* 002: free only if the returned key proves to have a quality defect. */
	if (in->quote && defect)
		json_object_set_new(in->quote, "note",
				    json_string("质保期内的质量问题免收介质费：请将原介质寄回检测，"
						"经检测不属于质量问题的，需补缴证书介质费用。"));
	if (!in->quote || arena_defer(r->arena, release, in->quote) < 0) {
		json_decref(in->quote);
		in->quote = NULL;
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	}
	return 0;
}

/* 002: a renewal continues from the old expiry, or from today once expired. */
static int renewal(struct req *r, const char *not_after, int years, struct wizard_step_input *in)
{
	struct rules_date old;
	struct rules_validity val;
	char *from = arena_alloc(r->arena, 11), *to = arena_alloc(r->arena, 11);

	if (!from || !to || !rules_date_parse(not_after, &old))
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	val = rules_renewal_validity(rules_today(time(NULL)), old, years);
	if (!val.ok)
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	rules_date_format(val.not_before, from, 11);
	rules_date_format(val.not_after, to, 11);
	in->renew_not_before = from;
	in->renew_not_after = to;
	return 0;
}

/* 000: the recipient defaults to the handler, and may be changed. */
static int mail_defaults(struct req *r, const struct order *o, const char **v)
{
	json_t *h;

	if (v[R_RECIPIENT] && v[R_MOBILE])
		return 0;
	if (wizard_step_load(r, o->id, STEP_HANDLER, &h) < 0)
		return -1;
	if (!v[R_RECIPIENT] && *order_step_str(h, "name"))
		v[R_RECIPIENT] = order_step_str(h, "name");
	if (!v[R_MOBILE] && *order_step_str(h, "mobile"))
		v[R_MOBILE] = order_step_str(h, "mobile");
	return 0;
}

/* 002 "证书介质质保期为一年，自证书初次发放日起计算". */
static bool damaged_in_warranty(const struct order *o, const char *first_issued)
{
	struct rules_date first;

	return strcmp(o->business, "damaged") == 0 && rules_date_parse(first_issued, &first) &&
	       rules_in_warranty(first, rules_today(time(NULL)));
}

/* The invoice's title: written by the applicant where the hall asks it (001 "* 发票抬头 发票名称请
 * 完整填写"), else not kept: the invoice carries the applicant's own name (000 "发票抬头默认为证书
 * 申请单位，不可修改"). */
static int invoice_title(struct req *r, const struct order *o, const char **v)
{
	struct db_rows rows;
	int rc;

	if (v[R_INVOICE][0] != '1')
		return 0;
	rc = db_query(&r->app->db, r->arena, "SELECT invoice_title_edit FROM channels WHERE id = ?",
		      DB_ARGS(DB_I64(o->channel_id)), &rows);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (rows.nrows != 1 || !str_is(db_cell(&rows, 0, 0), "1"))
		v[R_INVOICE_TITLE] = NULL;
	else if (!v[R_INVOICE_TITLE])
		return wizard_step_missing(r, STEP_PRODUCT, v, R_INVOICE_TITLE, R_INVOICE_TITLE);
	return 0;
}

static int rules_product(struct req *r, const struct order *o, const char **v,
			 struct wizard_step_input *in)
{
	bool seal = v[R_SEAL] && v[R_SEAL][0] == '1', defect = false;
	const char *not_after = NULL;
	struct db_rows rows;
	int years = 1, rc;

	/* A replacement re-makes what the certificate carries: its seal is not a choice. */
	if (o->target_cert_id) {
		rc = db_query(&r->app->db, r->arena,
			      "SELECT has_seal, DATE_FORMAT(not_after, '%Y-%m-%d'), "
			      "DATE_FORMAT(first_issued, '%Y-%m-%d') FROM certificates WHERE id = ?",
			      DB_ARGS(DB_I64(o->target_cert_id)), &rows);
		if (rc != DB_OK)
			return app_db_error(r, rc);
		if (rows.nrows != 1)
			return resp_error(r, ERR_INTERNAL, NULL, NULL);
		seal = strcmp(db_cell(&rows, 0, 0), "0") != 0;
		not_after = db_cell(&rows, 0, 1);
		defect = damaged_in_warranty(o, db_cell(&rows, 0, 2)) && v[R_DEFECT] &&
			 v[R_DEFECT][0] == '1';
	}
	/* Only a hall that gives the media warranty inspects the key and asks (003 gives none). */
	if (defect) {
		rc = fees_key_inspected(&r->app->db, r->arena, o->channel_code, o->business, o->kind,
					&defect);
		if (rc != DB_OK)
			return app_db_error(r, rc);
	}
	/* A replacement keeps the certificate's validity (002): no years are sold or kept. */
	if (order_sells_years(o->business))
		years = v[R_YEARS][0] - '0';
	else
		v[R_YEARS] = NULL;
	v[R_SEAL] = seal ? "1" : "0";
	/* No invoice asked for: nothing of one is kept (and none is sent). */
	if (v[R_INVOICE][0] != '1')
		v[R_INVOICE_TITLE] = v[R_TAXPAYER] = v[R_INVOICE_EMAIL] = NULL;
	if (invoice_title(r, o, v) < 0)
		return -1;
	/* Asked only where it decides the fee: a damaged key within its warranty (002), with the
	 * sign of the defect the applicant saw (the inspection checks that one). */
	v[R_DEFECT] = defect ? "1" : NULL;
	if (!defect)
		v[R_DEFECT_SIGN] = NULL;
	else if (!v[R_DEFECT_SIGN])
		return wizard_step_missing(r, STEP_PRODUCT, v, R_DEFECT_SIGN, R_DEFECT_SIGN);
	if (quote(r, o, years, seal, defect, in) < 0)
		return -1;
	if (strcmp(o->business, "renew") == 0 && not_after && renewal(r, not_after, years, in) < 0)
		return -1;
	if (!wizard_ships_key(o)) {
		for (int i = R_RECIPIENT; i <= R_POSTCODE; i++)
			v[i] = NULL;
		return 0;
	}
	if (mail_defaults(r, o, v) < 0)
		return -1;
	return wizard_step_missing(r, STEP_PRODUCT, v, R_RECIPIENT, R_ADDRESS);
}

int wizard_years_offered(struct req *r, const struct order *o, json_t **out)
{
	struct rules_fee fee;
	int rc = FEES_NONE;

	*out = json_array();
	if (!*out || arena_defer(r->arena, release, *out) < 0) {
		json_decref(*out);
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	}
	if (order_sells_years(o->business))
		rc = fees_find(&r->app->db, r->arena, o->channel_code, o->business, o->kind, &fee);
	if (rc != DB_OK && rc != FEES_NONE)
		return app_db_error(r, rc);
	for (int y = 1; rc == DB_OK && y <= fee.max_years; y++)
		json_array_append_new(*out, json_integer(y));
	return 0;
}

bool wizard_step_needs(const struct order *o, enum wizard_step s, int i, const char **v,
		       const struct wizard_step_input *in)
{
	const char *m;

	switch (s) {
	case STEP_ENTERPRISE:
		/* 000: each method asks for its own fields; the legal representative's name and ID
		 * number also where the form names him (in->lr_named, 001). */
		m = v[E_METHOD];
		if (!m)
			return false;
		if (i >= E_LR_NAME && i <= E_LR_MOBILE)
			return strcmp(m, "transfer") != 0 || (in->lr_named && i != E_LR_MOBILE);
		return i == E_LR_CARD && strcmp(m, "lr_card") == 0;
	case STEP_HANDLER:
		return i == H_CARD && str_is(v[H_METHOD], "card");
	case STEP_CHANGE:
		return v[C_ITEMS] && ((i == C_NAME && (wizard_change_items(v[C_ITEMS]) & ITEM_NAME)) ||
				      (i == C_ADDRESS &&
				       (wizard_change_items(v[C_ITEMS]) & ITEM_ADDRESS)));
	case STEP_PRODUCT:
		return i == R_YEARS && order_sells_years(o->business);
	default:
		return false;
	}
}

static const step_rules rules_of[] = {
	[STEP_AGREEMENTS] = rules_agreements,
	[STEP_ENTERPRISE] = rules_enterprise,
	[STEP_HANDLER] = rules_handler,
	[STEP_APPLICANT] = rules_applicant,
	[STEP_FINANCIAL] = rules_financial,
	[STEP_CHANGE] = rules_change,
	[STEP_PRODUCT] = rules_product,
};

int wizard_step_rules(struct req *r, const struct order *o, enum wizard_step s,
		      const char **v, struct wizard_step_input *in)
{
	if ((unsigned)s >= sizeof(rules_of) / sizeof(rules_of[0]) || !rules_of[s])
		return resp_error(r, ERR_NOT_FOUND, NULL, NULL);
	return rules_of[s](r, o, v, in);
}
