/* wizard: the data steps' declared fields, their checks, and the masked form the pages show;
 * the rules between the fields are step_rules.c's. */
#include <stdio.h>
#include <string.h>

#include "base/strlist.h"
#include "domain/mask.h"
#include "step_fields.h"
#include "base/valid.h"

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
	/* NULL, or a message naming what is wrong with this value (the fault, not the format). */
	const char *(*explain)(const char *value);
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

/* 001 asks the taxpayer number; a wrong 17th character is a wrong organisation code. */
static const char *uscc_explain(const char *s)
{
	switch (valid_uscc_fault(s)) {
	case VALID_USCC_LENGTH:
		return "纳税人识别号应为 18 位统一社会信用代码，请核对位数；个人和政府机关可不填。";
	case VALID_USCC_CHARS:
		return "纳税人识别号含有统一社会信用代码不使用的字符：只有数字和大写字母（不含 I、O、S、V、Z），"
		       "请核对。";
	case VALID_USCC_ORG_CHECK:
		return "纳税人识别号第 17 位（组织机构代码的校验码）不正确：第 9 至 17 位是组织机构代码，"
		       "请对照营业执照核对。";
	case VALID_USCC_CHECK:
		return "纳税人识别号第 18 位（统一社会信用代码的校验码）不正确，请对照营业执照逐位核对。";
	default:
		return NULL;
	}
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

/* One of 002's three signs of a quality defect (order_defect_signs). */
static bool is_defect_sign(const char *s)
{
	for (const struct order_name *d = order_defect_signs; d->code; d++)
		if (strcmp(s, d->code) == 0)
			return true;
	return false;
}

/* What a change order changes (002, 003): a comma list, each item once. */
static const char *const change_items[] = { "name", "address", "seal", "handler" };
#define NCHANGE (sizeof(change_items) / sizeof(change_items[0]))

unsigned wizard_change_items(const char *s)
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
	return wizard_change_items(s) != 0;
}

/* ---- the fields of each step, in the order the page shows them */

#define ID_MSG(who) who "身份证号码不正确：应为 18 位，最后一位为数字或 X，请核对。"
#define MOBILE_MSG(who) who "手机号码不正确：应为 11 位中国大陆手机号码（可带 +86）。"
#define NAME_MSG(who) who "姓名不正确：应为 2 至 30 个汉字或字母（少数民族姓名可用“·”分隔），不能包含数字或符号。"
#define EMAIL_MSG(who) who "电子邮箱格式不正确，例如 name@example.com，请核对。"
#define CARD_MSG(who) who "银行卡号不正确：应为 12 至 19 位数字，且须通过卡号校验，请对照银行卡核对。"
#define TEXT_MSG(what, n) what "不正确：最多 " #n " 个字，且不能包含 < > \" ' ` \\ ; { } 等符号。"

static const struct field f_agreements[] = {
	[A_SERVICE] = { "service", "《数字证书服务协议》的版本", true, 16, is_version, PII_NONE,
			"请阅读并同意《数字证书服务协议》（版本号不正确）。" },
	[A_PRIVACY] = { "privacy", "《敏感个人信息处理授权书》的版本", true, 16, is_version, PII_NONE,
			"请阅读并同意《敏感个人信息处理授权书》（版本号不正确）。" },
};

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

static const struct field f_applicant[] = {
	[P_NAME] = { "name", "申请人姓名", true, 30, is_person_name, PII_NONE, NAME_MSG("申请人") },
	[P_ID] = { "id_number", "申请人身份证号码", true, 18, is_id, PII_ID, ID_MSG("申请人") },
	[P_MOBILE] = { "mobile", "申请人手机号码", true, 16, is_mobile, PII_MOBILE, MOBILE_MSG("申请人") },
	[P_EMAIL] = { "email", "申请人电子邮箱", true, 254, is_email, PII_EMAIL, EMAIL_MSG("申请人") },
};

static const struct field f_financial[] = {
	[F_NAME] = { "account_name", "对公账户名称", true, 100, is_org_name, PII_NONE,
		     TEXT_MSG("对公账户名称", 100) },
	[F_BANK] = { "bank", "开户银行", true, 100, is_text, PII_NONE, TEXT_MSG("开户银行", 100) },
	[F_NO] = { "account_no", "对公账户账号", true, 32, is_account_no, PII_BANK,
		   "对公账户账号不正确：应为 8 至 32 位数字，不含空格和符号，请对照开户许可证核对。" },
};

static const struct field f_change[] = {
	[C_ITEMS] = { "items", "变更事项", true, 40, is_items, PII_NONE,
		      "请选择变更事项：单位名称、单位地址、电子印章、经办人（每项只选一次）。" },
	[C_NAME] = { "new_org_name", "变更后的单位名称", false, 100, is_org_name, PII_NONE,
		     TEXT_MSG("变更后的单位名称", 100) },
	[C_ADDRESS] = { "new_address", "变更后的单位地址", false, 100, is_text, PII_NONE,
			TEXT_MSG("变更后的单位地址", 100) },
};

static const struct field f_product[] = {
	/* Asked only where validity is sold (order_sells_years): a replacement keeps it. */
	[R_YEARS] = { "years", "证书年限", false, 1, is_years, PII_NONE, "证书年限应为 1 至 5 年。" },
	[R_SEAL] = { "seal", "是否需要电子印章", false, 1, is_flag, PII_NONE,
		     "请选择是否需要电子印章（0 不需要，1 需要）。" },
	[R_DEFECT] = { "defect", "是否为介质质量问题", false, 1, is_flag, PII_NONE,
		       "请选择介质损坏是否属于质量问题（0 否，1 是）。" },
	/* 002 "以下情况属于介质质量问题": which of its three the applicant saw. */
	[R_DEFECT_SIGN] = { "defect_sign", "介质质量问题的表现", false, 16, is_defect_sign, PII_NONE,
			    "请选择介质质量问题的表现：指示灯不亮（no_light）、指示灯不停闪烁（blinking）"
			    "或证书管理工具无法识别证书（unrecognised）。" },
	[R_INVOICE] = { "e_invoice", "是否开具电子发票", true, 1, is_flag, PII_NONE,
			"请选择是否开具电子发票（0 不开，1 开具）。" },
	/* 001 "* 发票抬头 发票名称请完整填写" (channels.invoice_title_edit); elsewhere not taken. */
	[R_INVOICE_TITLE] = { "invoice_title", "发票抬头", false, 100, is_text, PII_NONE,
			      TEXT_MSG("发票抬头", 100) },
	[R_TAXPAYER] = { "taxpayer_no", "纳税人识别号", false, 18, is_uscc, PII_NONE,
			 "纳税人识别号不正确：应为 18 位统一社会信用代码（数字和大写字母），个人和政府机关可不填。",
			 uscc_explain },
	/* 002 "电子发票将在24小时内发送至指定（默认为经办人）邮箱"; 004 "发票接收人邮箱". */
	[R_INVOICE_EMAIL] = { "invoice_email", "发票接收邮箱", false, 254, is_email, PII_EMAIL,
			      EMAIL_MSG("发票接收") },
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

struct step_def {
	const struct field *f;
	size_t n;
};

static const struct step_def defs[] = {
	[STEP_AGREEMENTS] = { f_agreements, A__N },
	[STEP_ENTERPRISE] = { f_enterprise, E__N },
	[STEP_HANDLER] = { f_handler, H__N },
	[STEP_APPLICANT] = { f_applicant, P__N },
	[STEP_FINANCIAL] = { f_financial, F__N },
	[STEP_CHANGE] = { f_change, C__N },
	[STEP_PRODUCT] = { f_product, R__N },
};

static const struct step_def *def_of(enum wizard_step s)
{
	return (unsigned)s < sizeof(defs) / sizeof(defs[0]) ? &defs[s] : NULL;
}

bool wizard_step_is_data(enum wizard_step s)
{
	return def_of(s) != NULL;
}

/* One fault of a step: {field, code, message}, appended to errors. */
static void fault(struct req *r, json_t *errors, const struct field *f, enum err_code e,
		  const char *message)
{
	json_array_append_new(errors, json_pack("{s:s, s:s, s:s}", "field", f->name, "code",
						 err_code_name(e), "message",
						 message ? message : arena_printf(r->arena, "请填写%s。",
										  f->label)));
}

/* Every fault of the step at once (the first also as the error itself, for the clients that
 * read one): a person fixes a step in one save, not one field per save. Returns 0 when there
 * is none, else -1 answered 400. */
static int answer_faults(struct req *r, json_t *errors)
{
	json_t *first = json_array_get(errors, 0);
	const char *code = json_string_value(json_object_get(first, "code"));

	if (!first) {
		json_decref(errors);
		return 0;
	}
	return resp_error_with(r, str_is(code, "missing_field") ? ERR_MISSING_FIELD
								 : ERR_INVALID_FIELD,
			       json_string_value(json_object_get(first, "field")),
			       json_string_value(json_object_get(first, "message")),
			       json_pack("{s:o}", "errors", errors));
}

const char *wizard_step_field(enum wizard_step s, int i)
{
	return def_of(s)->f[i].name;
}

int wizard_step_missing(struct req *r, enum wizard_step s, const char **v, int from, int to)
{
	const struct step_def *d = def_of(s);
	json_t *errors = json_array();

	if (!errors)
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	for (int i = from; i <= to; i++)
		if (!v[i])
			fault(r, errors, &d->f[i], ERR_MISSING_FIELD, NULL);
	return answer_faults(r, errors);
}


static void release(void *j)
{
	json_decref(j);
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
static void drop_unused(enum wizard_step s, json_t *body, bool lr_named)
{
	const char *m = json_string_value(json_object_get(body, "method"));

	if (!m)
		return;
	if (s == STEP_ENTERPRISE) {
		/* The corporate account proves the organisation: nothing of the representative,
		 * but the name and ID number a hall's form names him by (lr_named). */
		if (strcmp(m, "transfer") == 0)
			for (int i = lr_named ? E_LR_MOBILE : E_LR_NAME; i <= E_LR_MOBILE; i++)
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

/* 001 puts "申请单位法定代表人授权委托及单位声明" in its application form ("姓名: … 身份证号码: … 系本
 * 单位的法定代表人"), and asks for "法人" among the data whatever the check (its only one is the
 * bank's): the channel's form_lr_clause. */
static int lr_named(struct req *r, const struct order *o, bool *yes)
{
	struct db_rows rows;
	int rc = db_query(&r->app->db, r->arena, "SELECT form_lr_clause FROM channels WHERE id = ?",
			  DB_ARGS(DB_I64(o->channel_id)), &rows);

	if (rc != DB_OK)
		return app_db_error(r, rc);
	*yes = rows.nrows == 1 && strcmp(db_cell(&rows, 0, 0), "1") == 0;
	return 0;
}

int wizard_step_check(struct req *r, const struct order *o, enum wizard_step s,
		      json_t *body, json_t *saved, struct wizard_step_input *in)
{
	const struct step_def *d = def_of(s);
	const char *v[STEP_FIELDS_MAX];
	enum err_code e[STEP_FIELDS_MAX];
	json_t *errors;

	memset(in, 0, sizeof(*in));
	memset(v, 0, sizeof(v));
	in->amount_fen = -1;
	if (!d)
		return resp_error(r, ERR_NOT_FOUND, NULL, NULL);
	if (s == STEP_ENTERPRISE && lr_named(r, o, &in->lr_named) < 0)
		return -1;
	drop_unused(s, body, in->lr_named);
	keep_masked(d, body, saved);
	/* Every present field is checked first, then what is missing, always or for what the
	 * others chose (wizard_step_needs); all faults go back together. The rules read the
	 * values by the step's enum, so field i lands in v[i]. */
	for (size_t i = 0; i < d->n; i++) {
		struct req_field rf = { d->f[i].name, false, d->f[i].max_chars, d->f[i].check,
					d->f[i].message, 0 };

		e[i] = req_field_check(body, &rf, &v[i]);
	}
	errors = json_array();
	if (!errors)
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	for (size_t i = 0; i < d->n; i++) {
		const char *sent = json_string_value(json_object_get(body, d->f[i].name));
		const char *why = e[i] == ERR__COUNT || !d->f[i].explain || !sent
					  ? NULL
					  : d->f[i].explain(sent);

		if (e[i] != ERR__COUNT)
			fault(r, errors, &d->f[i], e[i], why ? why : d->f[i].message);
		else if (!v[i] && (d->f[i].required || wizard_step_needs(o, s, (int)i, v, in)))
			fault(r, errors, &d->f[i], ERR_MISSING_FIELD, NULL);
	}
	if (answer_faults(r, errors) < 0)
		return -1;
	for (size_t i = 0; i < d->n; i++) {
		char bare[12];

		/* Mobiles are kept as the bare 11 digits, whatever prefix was typed. */
		if (v[i] && d->f[i].pii == PII_MOBILE &&
		    (!valid_mobile(v[i], bare) || !(v[i] = arena_strdup(r->arena, bare))))
			return resp_error(r, ERR_INTERNAL, NULL, NULL);
	}
	if (wizard_step_rules(r, o, s, v, in) < 0)
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
