/* wizard: the data steps' declared fields, their checks, the rules between them (DOMAIN.md,
 * guides 000-004), and the masked form the pages show. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto.h"
#include "mask.h"
#include "rules.h"
#include "valid.h"
#include "wizard.h"

/* Characters no name, address or bank name needs, and every SQL or HTML fragment does. */
static const char MARKUP[] = "<>\"'`\\;{}";

enum pii { PII_NONE, PII_ID, PII_MOBILE, PII_BANK, PII_EMAIL };

struct field {
	const char *name;
	const char *label;    /* zh-CN: "请填写<label>。" when missing */
	bool required;        /* always; conditional requirements are the step's rules */
	size_t max_chars;
	bool (*check)(const char *value);
	enum pii pii;
	const char *message;  /* zh-CN: what is wrong and what is right */
};

/* ---- checks (valid_text has passed: well-formed UTF-8, no control characters) */

static size_t chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

static bool has_visible(const char *s)
{
	return s[strspn(s, " ")] != '\0';
}

static bool is_text(const char *s)
{
	return strpbrk(s, MARKUP) == NULL && has_visible(s);
}

static bool is_org_name(const char *s)
{
	return is_text(s) && chars(s) >= 2;
}

/* One code point of well-formed UTF-8; *len its byte length. */
static unsigned long code_point(const unsigned char *p, size_t *len)
{
	if (p[0] < 0x80) {
		*len = 1;
		return p[0];
	}
	if (p[0] < 0xE0) {
		*len = 2;
		return (p[0] & 0x1FUL) << 6 | (p[1] & 0x3F);
	}
	if (p[0] < 0xF0) {
		*len = 3;
		return (p[0] & 0x0FUL) << 12 | (p[1] & 0x3FUL) << 6 | (p[2] & 0x3F);
	}
	*len = 4;
	return (p[0] & 0x07UL) << 18 | (p[1] & 0x3FUL) << 12 | (p[2] & 0x3FUL) << 6 | (p[3] & 0x3F);
}

static bool is_han(unsigned long c)
{
	return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
	       (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x323AF);
}

/* 张伟, 买买提·艾力 (the middle dot of minority and foreign names), John Smith: 2 to 30
 * letters, a separator (· or one space) only between them. */
static bool is_person_name(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0, len;
	bool sep = true; /* at the start a separator is as wrong as after another one */

	while (*p) {
		unsigned long c = code_point(p, &len);

		if (c == 0xB7 || c == 0x30FB || c == ' ') {
			if (sep)
				return false;
			sep = true;
		} else if (is_han(c) || (c < 0x80 && ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'))) {
			sep = false;
		} else {
			return false;
		}
		n++;
		p += len;
	}
	return !sep && n >= 2 && n <= 30;
}

static bool digits(const char *s, size_t min, size_t max)
{
	size_t n = strspn(s, "0123456789");

	return s[n] == '\0' && n >= min && n <= max;
}

/* ISO/IEC 7812 check digit: every card number a bank issues carries one. */
static bool is_bank_card(const char *s)
{
	size_t n = strlen(s);
	int sum = 0;

	if (!digits(s, 12, 19))
		return false;
	for (size_t i = 0; i < n; i++) {
		int d = s[n - 1 - i] - '0';

		if (i % 2 == 1) {
			d *= 2;
			if (d > 9)
				d -= 9;
		}
		sum += d;
	}
	return sum % 10 == 0;
}

/* Corporate (basic) accounts: no common check digit, only their length. */
static bool is_account_no(const char *s)
{
	return digits(s, 8, 32);
}

static bool is_id(const char *s)
{
	return valid_resident_id(s);
}

static bool is_mobile(const char *s)
{
	return valid_mobile(s, NULL);
}

static bool is_email(const char *s)
{
	return valid_email(s);
}

static bool is_postcode(const char *s)
{
	return valid_postcode(s);
}

static bool is_uscc(const char *s)
{
	return valid_uscc(s);
}

static bool is_code(const char *s)
{
	return s[0] && strspn(s, "abcdefghijklmnopqrstuvwxyz_") == strlen(s);
}

static bool is_version(const char *s)
{
	size_t n = strspn(s, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz.-_");

	return n > 0 && s[n] == '\0';
}

static bool is_years(const char *s)
{
	return s[0] >= '1' && s[0] <= '5' && s[1] == '\0';
}

static bool is_flag(const char *s)
{
	return (s[0] == '0' || s[0] == '1') && s[1] == '\0';
}

/* What a change order changes (002, 003): a comma list, each item once. */
static const char *const change_items[] = { "name", "address", "seal", "handler" };
#define NCHANGE (sizeof(change_items) / sizeof(change_items[0]))
#define ITEM_NAME (1u << 0)
#define ITEM_ADDRESS (1u << 1)

static unsigned items_mask(const char *s)
{
	unsigned mask = 0;

	for (const char *p = s;;) {
		size_t len = strcspn(p, ","), k;

		for (k = 0; k < NCHANGE; k++)
			if (strlen(change_items[k]) == len && strncmp(p, change_items[k], len) == 0)
				break;
		if (k == NCHANGE || (mask & 1u << k))
			return 0;
		mask |= 1u << k;
		if (p[len] == '\0')
			return mask;
		p += len + 1;
	}
}

static bool is_items(const char *s)
{
	return items_mask(s) != 0;
}

/* ---- the fields of each step, in the order the page shows them */

#define ID_MSG(who) who "身份证号码不正确：应为 18 位，最后一位为数字或 X，请核对。"
#define MOBILE_MSG(who) who "手机号码不正确：应为 11 位中国大陆手机号码（可带 +86）。"
#define NAME_MSG(who) who "姓名不正确：应为 2 至 30 个汉字或字母（少数民族姓名可用“·”分隔），不能包含数字或符号。"
#define EMAIL_MSG(who) who "电子邮箱格式不正确，例如 name@example.com，请核对。"
#define CARD_MSG(who) who "银行卡号不正确：应为 12 至 19 位数字，且须通过卡号校验，请对照银行卡核对。"
#define TEXT_MSG(what, n) what "不正确：最多 " #n " 个字，且不能包含 < > \" ' ` \\ ; { } 等符号。"

enum { A_SERVICE, A_PRIVACY, A__N };
static const struct field f_agreements[] = {
	[A_SERVICE] = { "service", "《数字证书服务协议》的版本", true, 16, is_version, PII_NONE,
			"请阅读并同意《数字证书服务协议》（版本号不正确）。" },
	[A_PRIVACY] = { "privacy", "《敏感个人信息处理授权书》的版本", true, 16, is_version, PII_NONE,
			"请阅读并同意《敏感个人信息处理授权书》（版本号不正确）。" },
};

enum { E_ORG, E_PROVINCE, E_CITY, E_DISTRICT, E_ADDRESS, E_METHOD, E_LR_NAME, E_LR_ID, E_LR_MOBILE,
       E_LR_CARD, E__N };
static const struct field f_enterprise[] = {
	[E_ORG] = { "org_name", "单位名称", true, 100, is_org_name, PII_NONE, TEXT_MSG("单位名称", 100) },
	[E_PROVINCE] = { "province", "单位所在省份", true, 100, is_text, PII_NONE,
			 TEXT_MSG("单位所在省份", 100) },
	[E_CITY] = { "city", "单位所在城市", true, 100, is_text, PII_NONE, TEXT_MSG("单位所在城市", 100) },
	[E_DISTRICT] = { "district", "单位所在区县", true, 100, is_text, PII_NONE,
			 TEXT_MSG("单位所在区县", 100) },
	[E_ADDRESS] = { "address", "单位地址", true, 100, is_text, PII_NONE, TEXT_MSG("单位地址", 100) },
	[E_METHOD] = { "method", "企业认证方式", true, 16, is_code, PII_NONE,
		       "请选择企业认证方式：对公打款、法定代表人手机号、法定代表人银行卡或法定代表人刷脸认证。" },
	[E_LR_NAME] = { "lr_name", "法定代表人姓名", false, 30, is_person_name, PII_NONE,
			NAME_MSG("法定代表人") },
	[E_LR_ID] = { "lr_id_number", "法定代表人身份证号码", false, 18, is_id, PII_ID,
		      ID_MSG("法定代表人") },
	[E_LR_MOBILE] = { "lr_mobile", "法定代表人手机号码", false, 16, is_mobile, PII_MOBILE,
			  MOBILE_MSG("法定代表人") },
	[E_LR_CARD] = { "lr_bank_card", "法定代表人银行卡号", false, 19, is_bank_card, PII_BANK,
			CARD_MSG("法定代表人") },
};

enum { H_NAME, H_ID, H_MOBILE, H_EMAIL, H_POSITION, H_METHOD, H_CARD, H__N };
static const struct field f_handler[] = {
	[H_NAME] = { "name", "经办人姓名", true, 30, is_person_name, PII_NONE, NAME_MSG("经办人") },
	[H_ID] = { "id_number", "经办人身份证号码", true, 18, is_id, PII_ID, ID_MSG("经办人") },
	[H_MOBILE] = { "mobile", "经办人手机号码", true, 16, is_mobile, PII_MOBILE, MOBILE_MSG("经办人") },
	[H_EMAIL] = { "email", "经办人电子邮箱", true, 254, is_email, PII_EMAIL, EMAIL_MSG("经办人") },
	[H_POSITION] = { "position", "经办人职务", true, 50, is_text, PII_NONE, TEXT_MSG("经办人职务", 50) },
	[H_METHOD] = { "method", "经办人认证方式", true, 16, is_code, PII_NONE,
		       "请选择经办人认证方式：手机号实名认证、银行卡认证或刷脸认证。" },
	[H_CARD] = { "bank_card", "经办人银行卡号", false, 19, is_bank_card, PII_BANK, CARD_MSG("经办人") },
};

enum { P_NAME, P_ID, P_MOBILE, P_EMAIL, P__N };
static const struct field f_applicant[] = {
	[P_NAME] = { "name", "申请人姓名", true, 30, is_person_name, PII_NONE, NAME_MSG("申请人") },
	[P_ID] = { "id_number", "申请人身份证号码", true, 18, is_id, PII_ID, ID_MSG("申请人") },
	[P_MOBILE] = { "mobile", "申请人手机号码", true, 16, is_mobile, PII_MOBILE, MOBILE_MSG("申请人") },
	[P_EMAIL] = { "email", "申请人电子邮箱", true, 254, is_email, PII_EMAIL, EMAIL_MSG("申请人") },
};

enum { F_NAME, F_BANK, F_NO, F__N };
static const struct field f_financial[] = {
	[F_NAME] = { "account_name", "对公账户名称", true, 100, is_org_name, PII_NONE,
		     TEXT_MSG("对公账户名称", 100) },
	[F_BANK] = { "bank", "开户银行", true, 100, is_text, PII_NONE, TEXT_MSG("开户银行", 100) },
	[F_NO] = { "account_no", "对公账户账号", true, 32, is_account_no, PII_BANK,
		   "对公账户账号不正确：应为 8 至 32 位数字，不含空格和符号，请对照开户许可证核对。" },
};

enum { C_ITEMS, C_NAME, C_ADDRESS, C__N };
static const struct field f_change[] = {
	[C_ITEMS] = { "items", "变更事项", true, 40, is_items, PII_NONE,
		      "请选择变更事项：单位名称、单位地址、电子印章、经办人（每项只选一次）。" },
	[C_NAME] = { "new_org_name", "变更后的单位名称", false, 100, is_org_name, PII_NONE,
		     TEXT_MSG("变更后的单位名称", 100) },
	[C_ADDRESS] = { "new_address", "变更后的单位地址", false, 100, is_text, PII_NONE,
			TEXT_MSG("变更后的单位地址", 100) },
};

enum { R_YEARS, R_SEAL, R_DEFECT, R_INVOICE, R_TAXPAYER, R_RECIPIENT, R_MOBILE, R_PROVINCE, R_CITY, R_COUNTY,
       R_ADDRESS, R_POSTCODE, R__N };
static const struct field f_product[] = {
	[R_YEARS] = { "years", "证书年限", true, 1, is_years, PII_NONE, "证书年限应为 1 至 5 年。" },
	[R_SEAL] = { "seal", "是否需要电子印章", false, 1, is_flag, PII_NONE,
		     "请选择是否需要电子印章（0 不需要，1 需要）。" },
	[R_DEFECT] = { "defect", "是否为介质质量问题", false, 1, is_flag, PII_NONE,
		       "请选择介质损坏是否属于质量问题（0 否，1 是）。" },
	[R_INVOICE] = { "e_invoice", "是否开具电子发票", true, 1, is_flag, PII_NONE,
			"请选择是否开具电子发票（0 不开，1 开具）。" },
	[R_TAXPAYER] = { "taxpayer_no", "纳税人识别号", false, 18, is_uscc, PII_NONE,
			 "纳税人识别号不正确：应为 18 位统一社会信用代码（数字和大写字母），个人和政府机关可不填。" },
	[R_RECIPIENT] = { "mail_recipient", "收件人姓名", false, 30, is_person_name, PII_NONE,
			  NAME_MSG("收件人") },
	[R_MOBILE] = { "mail_mobile", "收件人手机号码", false, 16, is_mobile, PII_MOBILE,
		       MOBILE_MSG("收件人") },
	[R_PROVINCE] = { "mail_province", "收件地址的省份", false, 100, is_text, PII_NONE,
			 TEXT_MSG("收件地址的省份", 100) },
	[R_CITY] = { "mail_city", "收件地址的城市", false, 100, is_text, PII_NONE,
		     TEXT_MSG("收件地址的城市", 100) },
	[R_COUNTY] = { "mail_county", "收件地址的区县", false, 100, is_text, PII_NONE,
		       TEXT_MSG("收件地址的区县", 100) },
	[R_ADDRESS] = { "mail_address", "收件详细地址", false, 100, is_text, PII_NONE,
			TEXT_MSG("收件详细地址", 100) },
	[R_POSTCODE] = { "mail_postcode", "邮政编码", false, 6, is_postcode, PII_NONE,
			 "邮政编码不正确：应为 6 位数字。" },
};

/* ---- the rules between fields, and with the order */

typedef int (*step_rules)(struct req *r, const struct wizard_order *o, const char **v,
			  struct wizard_step_input *in);

static int missing(struct req *r, const struct field *f)
{
	return resp_error(r, ERR_MISSING_FIELD, f->name, arena_printf(r->arena, "请填写%s。", f->label));
}

static int invalid(struct req *r, const char *field, const char *message)
{
	return resp_error(r, ERR_INVALID_FIELD, field, message);
}

/* A comma list holds name as a whole item. */
static bool list_has(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; p && *p;) {
		size_t len = strcspn(p, ",");

		if (len == n && strncmp(p, name, n) == 0)
			return true;
		p = p[len] ? p + len + 1 : NULL;
	}
	return false;
}

/* col 0: the channel's enterprise methods, 1: its handler methods. */
static int channel_methods(struct req *r, const struct wizard_order *o, int col, const char **out)
{
	struct db_rows rows;
	int rc = db_query(&r->app->db, r->arena,
			  "SELECT verify_methods, handler_methods FROM channels WHERE id = ?",
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

static int rules_agreements(struct req *r, const struct wizard_order *o, const char **v,
			    struct wizard_step_input *in)
{
	struct db_rows rows;
	int rc;

	(void)o;
	rc = db_query(&r->app->db, r->arena,
		      "SELECT code, version FROM agreements WHERE current = 1 AND code IN (?, ?)",
		      DB_ARGS(DB_STR("service"), DB_STR("privacy")), &rows);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	/* Only the version on offer now can be accepted: an old page cannot accept old terms. */
	for (int i = 0; i < A__N; i++) {
		bool current = false;

		for (size_t k = 0; k < rows.nrows; k++)
			current |= strcmp(db_cell(&rows, k, 0), f_agreements[i].name) == 0 &&
				   strcmp(db_cell(&rows, k, 1), v[i]) == 0;
		if (!current)
			return invalid(r, f_agreements[i].name,
				       arena_printf(r->arena, "%s已更新或不存在，请刷新页面，阅读最新版本后重新同意。",
						    i == A_SERVICE ? "《数字证书服务协议》"
								   : "《敏感个人信息处理授权书》"));
	}
	in->service = v[A_SERVICE];
	in->privacy = v[A_PRIVACY];
	return 0;
}

/* 000: each enterprise method asks for its own fields; the legal representative's only
 * when he is the one checked. */
static int rules_enterprise(struct req *r, const struct wizard_order *o, const char **v,
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
	if (!list_has(methods, m))
		return invalid(r, "method", "所选渠道不支持该企业认证方式，请重新选择。");
	if (strcmp(m, "transfer") != 0)
		for (int i = E_LR_NAME; i <= E_LR_MOBILE; i++)
			if (!v[i])
				return missing(r, &f_enterprise[i]);
	if (strcmp(m, "lr_card") == 0 && !v[E_LR_CARD])
		return missing(r, &f_enterprise[E_LR_CARD]);
	in->method = m;
	return 0;
}

static int rules_handler(struct req *r, const struct wizard_order *o, const char **v,
			 struct wizard_step_input *in)
{
	const char *methods;

	if (channel_methods(r, o, 1, &methods) < 0)
		return -1;
	if (!list_has(methods, v[H_METHOD]))
		return invalid(r, "method", "所选渠道不支持该经办人认证方式，请重新选择。");
	if (strcmp(v[H_METHOD], "card") == 0 && !v[H_CARD])
		return missing(r, &f_handler[H_CARD]);
	in->method = v[H_METHOD];
	in->handler_mobile = v[H_MOBILE];
	return 0;
}

/* A person certificate is for the person the order was opened for (one open order per ID
 * number, 000/002): the applicant's ID may not change under it. */
static int rules_applicant(struct req *r, const struct wizard_order *o, const char **v,
			   struct wizard_step_input *in)
{
	struct db_rows rows;
	char idx[2 * CRYPTO_SHA256_LEN + 1];
	const char *want;
	int rc;

	if (strcmp(o->kind, "person") != 0)
		return 0;
	rc = db_query(&r->app->db, r->arena, "SELECT COALESCE(subject_idx, '') FROM orders WHERE id = ?",
		      DB_ARGS(DB_I64(o->id)), &rows);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	want = rows.nrows == 1 ? db_cell(&rows, 0, 0) : "";
	crypto_index_hex(&r->app->key, "subject", v[P_ID], strlen(v[P_ID]), idx);
	if (strlen(want) != strlen(idx) || !crypto_equal(want, idx, strlen(idx)))
		return invalid(r, "id_number",
			       "申请人身份证号码须与创建订单时填写的证书持有人身份证号码一致；为他人办理请另行创建订单。");
	in->subject_name = v[P_NAME];
	return 0;
}

/* 001 "基本户名称需与单位名称保持一致". */
static int rules_financial(struct req *r, const struct wizard_order *o, const char **v,
			   struct wizard_step_input *in)
{
	const char *kind, *name;
	json_t *ent;

	(void)in;
	if (wizard_step_load(r, o->id, STEP_ENTERPRISE, &ent) < 0)
		return -1;
	name = wizard_str(ent, "org_name");
	if (!*name && account_name(r, &kind, &name) < 0)
		return -1;
	if (strcmp(v[F_NAME], name) != 0)
		return invalid(r, "account_name",
			       arena_printf(r->arena, "对公账户名称须与单位名称一致，应为“%s”。", name));
	return 0;
}

static int rules_change(struct req *r, const struct wizard_order *o, const char **v,
			struct wizard_step_input *in)
{
	unsigned items = items_mask(v[C_ITEMS]);

	(void)in;
	if (!(items & ITEM_NAME)) {
		v[C_NAME] = NULL;
	} else if (!v[C_NAME]) {
		return missing(r, &f_change[C_NAME]);
	} else if (strcmp(v[C_NAME], o->subject_name) == 0) {
		return invalid(r, "new_org_name", "变更后的单位名称与现名称相同，请填写新的单位名称。");
	}
	if (!(items & ITEM_ADDRESS))
		v[C_ADDRESS] = NULL;
	else if (!v[C_ADDRESS])
		return missing(r, &f_change[C_ADDRESS]);
	return 0;
}

static json_t *quote_json(const struct rules_quote *q)
{
	json_t *items = json_array();

	for (int i = 0; items && i < q->n; i++)
		json_array_append_new(items, json_pack("{s:s, s:s, s:I, s:i, s:I}", "code", q->item[i].code,
						       "label", q->item[i].label,
						       "unit_fen", (json_int_t)q->item[i].unit_fen,
						       "qty", q->item[i].qty, "fen", (json_int_t)q->item[i].fen));
	return json_pack("{s:o, s:I, s:b}", "items", items, "total_fen", (json_int_t)q->total_fen,
			 "complete", q->complete);
}

static void release(void *j)
{
	json_decref(j);
}

/* The years the channel sells this business for: a year count the guide prices for one year
 * but not for this many (002: BJCA new is one year) is refused; a business no guide prices
 * (or a channel the fee table does not know) is quoted incomplete, to be confirmed by staff. */
static int quote(struct req *r, const struct wizard_order *o, int years, bool seal, bool defect,
		 struct wizard_step_input *in)
{
	struct rules_quote q, one;
	int rc = rules_quote(o->channel_code, o->business, o->kind, years, seal, defect, &q);
	int max = 1;

	if (rc == RULES_FEE_UNKNOWN &&
	    rules_quote(o->channel_code, o->business, o->kind, 1, seal, false, &one) == RULES_OK) {
		while (max < 5 && rules_quote(o->channel_code, o->business, o->kind, max + 1, seal,
					      false, &one) == RULES_OK)
			max++;
		return invalid(r, "years",
			       max == 1 ? "该渠道办理此业务的证书年限只能为 1 年，请重新选择。"
					: arena_printf(r->arena,
						       "该渠道办理此业务的证书年限只能为 1 至 %d 年，请重新选择。",
						       max));
	}
	in->years = years;
	in->amount_fen = rc == RULES_OK ? q.total_fen : -1;
	in->quote = quote_json(&q);
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
static int mail_defaults(struct req *r, const struct wizard_order *o, const char **v)
{
	json_t *h;

	if (v[R_RECIPIENT] && v[R_MOBILE])
		return 0;
	if (wizard_step_load(r, o->id, STEP_HANDLER, &h) < 0)
		return -1;
	if (!v[R_RECIPIENT] && *wizard_str(h, "name"))
		v[R_RECIPIENT] = wizard_str(h, "name");
	if (!v[R_MOBILE] && *wizard_str(h, "mobile"))
		v[R_MOBILE] = wizard_str(h, "mobile");
	return 0;
}

/* 002 "证书介质质保期为一年，自证书初次发放日起计算". */
static bool damaged_in_warranty(const struct wizard_order *o, const char *first_issued)
{
	struct rules_date first;

	return strcmp(o->business, "damaged") == 0 && rules_date_parse(first_issued, &first) &&
	       rules_in_warranty(first, rules_today(time(NULL)));
}

static int rules_product(struct req *r, const struct wizard_order *o, const char **v,
			 struct wizard_step_input *in)
{
	bool seal = v[R_SEAL] && v[R_SEAL][0] == '1', defect = false;
	const char *not_after = NULL;
	struct db_rows rows;
	int years = v[R_YEARS][0] - '0', rc;

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
	v[R_SEAL] = seal ? "1" : "0";
	/* Asked only where it decides the fee: a damaged key within its warranty (002). */
	v[R_DEFECT] = defect ? "1" : NULL;
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
	for (int i = R_RECIPIENT; i <= R_ADDRESS; i++)
		if (!v[i])
			return missing(r, &f_product[i]);
	return 0;
}

struct step_def {
	const struct field *f;
	size_t n;
	step_rules rules;
};

static const struct step_def defs[] = {
	[STEP_AGREEMENTS] = { f_agreements, A__N, rules_agreements },
	[STEP_ENTERPRISE] = { f_enterprise, E__N, rules_enterprise },
	[STEP_HANDLER] = { f_handler, H__N, rules_handler },
	[STEP_APPLICANT] = { f_applicant, P__N, rules_applicant },
	[STEP_FINANCIAL] = { f_financial, F__N, rules_financial },
	[STEP_CHANGE] = { f_change, C__N, rules_change },
	[STEP_PRODUCT] = { f_product, R__N, rules_product },
};
#define MAX_FIELDS R__N

static const struct step_def *def_of(enum wizard_step s)
{
	return (unsigned)s < sizeof(defs) / sizeof(defs[0]) ? &defs[s] : NULL;
}

bool wizard_step_is_data(enum wizard_step s)
{
	return def_of(s) != NULL;
}

/* ---- masking */

static void mask_bank(const char *no, char *out, size_t outsz)
{
	size_t n = strlen(no);

	if (n < 8 || strspn(no, "0123456789") != n)
		snprintf(out, outsz, "****");
	else
		snprintf(out, outsz, "**** **** **** %s", no + n - 4);
}

static void mask(enum pii kind, const char *value, char *out, size_t outsz)
{
	switch (kind) {
	case PII_ID:
		mask_id(value, out, outsz);
		break;
	case PII_MOBILE:
		mask_mobile(value, out, outsz);
		break;
	case PII_BANK:
		mask_bank(value, out, outsz);
		break;
	case PII_EMAIL:
		mask_email(value, out, outsz);
		break;
	default:
		snprintf(out, outsz, "%s", value);
	}
}

json_t *wizard_step_masked(enum wizard_step s, json_t *data)
{
	const struct step_def *d = def_of(s);
	json_t *out = data ? json_deep_copy(data) : json_object();
	char buf[320];

	if (!d || !out)
		return out;
	for (size_t i = 0; i < d->n; i++) {
		const char *v = json_string_value(json_object_get(out, d->f[i].name));

		if (v && d->f[i].pii != PII_NONE) {
			mask(d->f[i].pii, v, buf, sizeof(buf));
			json_object_set_new(out, d->f[i].name, json_string(buf));
		}
	}
	return out;
}

/* The members a verification method does not use are not taken at all (a page may still send
 * what was typed before the method was switched): only what is checked is kept. */
static void drop_unused(enum wizard_step s, json_t *body)
{
	const char *m = json_string_value(json_object_get(body, "method"));

	if (!m)
		return;
	if (s == STEP_ENTERPRISE) {
		/* The corporate account proves the organisation: nothing of the representative. */
		if (strcmp(m, "transfer") == 0)
			for (int i = E_LR_NAME; i <= E_LR_MOBILE; i++)
				json_object_del(body, f_enterprise[i].name);
		if (strcmp(m, "lr_card") != 0)
			json_object_del(body, f_enterprise[E_LR_CARD].name);
	} else if (s == STEP_HANDLER && strcmp(m, "card") != 0) {
		json_object_del(body, f_handler[H_CARD].name);
	}
}

/* The page sends back what GET showed: a masked value that is the mask of the saved one
 * stands for the saved one. Anything else is new input. */
static void keep_masked(const struct step_def *d, json_t *body, json_t *saved)
{
	char buf[320];

	for (size_t i = 0; saved && i < d->n; i++) {
		const char *sent = json_string_value(json_object_get(body, d->f[i].name));
		json_t *old = json_object_get(saved, d->f[i].name);

		if (d->f[i].pii == PII_NONE || !sent || !json_is_string(old))
			continue;
		mask(d->f[i].pii, json_string_value(old), buf, sizeof(buf));
		if (strcmp(sent, buf) == 0)
			json_object_set(body, d->f[i].name, old);
	}
}

int wizard_step_check(struct req *r, const struct wizard_order *o, enum wizard_step s,
		      json_t *body, json_t *saved, struct wizard_step_input *in)
{
	const struct step_def *d = def_of(s);
	struct req_field rf[MAX_FIELDS];
	const char *v[MAX_FIELDS];

	memset(in, 0, sizeof(*in));
	memset(rf, 0, sizeof(rf));
	memset(v, 0, sizeof(v));
	in->amount_fen = -1;
	if (!d)
		return resp_error(r, ERR_NOT_FOUND, NULL, NULL);
	drop_unused(s, body);
	keep_masked(d, body, saved);
	/* Every present field is checked first; what is missing is the step's to say. */
	for (size_t i = 0; i < d->n; i++)
		rf[i] = (struct req_field){ d->f[i].name, false, d->f[i].max_chars, d->f[i].check,
					    d->f[i].message, &v[i] };
	if (req_fields(r, body, rf, d->n) < 0)
		return -1;
	for (size_t i = 0; i < d->n; i++) {
		char bare[12];

		if (d->f[i].required && !v[i])
			return missing(r, &d->f[i]);
		/* Mobiles are kept as the bare 11 digits, whatever prefix was typed. */
		if (v[i] && d->f[i].pii == PII_MOBILE &&
		    (!valid_mobile(v[i], bare) || !(v[i] = arena_strdup(r->arena, bare))))
			return resp_error(r, ERR_INTERNAL, NULL, NULL);
	}
	if (d->rules(r, o, v, in) < 0)
		return -1;
	in->data = json_object();
	if (!in->data || arena_defer(r->arena, release, in->data) < 0) {
		json_decref(in->data);
		in->data = NULL;
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	}
	for (size_t i = 0; i < d->n; i++)
		if (v[i] && json_object_set_new(in->data, d->f[i].name, json_string(v[i])) < 0)
			return resp_error(r, ERR_INTERNAL, NULL, NULL);
	return 0;
}
