/* rules: renewal window, validity, warranty and fee quotes of the guides; pure functions. */
#include "domain/rules.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
	static const int dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

bool rules_date_valid(struct rules_date dt)
{
	return dt.y >= 1 && dt.y <= 9999 && dt.m >= 1 && dt.m <= 12 && dt.d >= 1 &&
	       dt.d <= days_in_month(dt.y, dt.m);
}

/* Howard Hinnant's days_from_civil: eras of 400 years, the year starting on 1 March so that
 * 29 February is the last day of its year. Years here are 1..9999, so no era is negative. */
int32_t rules_days_from_civil(struct rules_date dt)
{
	int y = dt.m <= 2 ? dt.y - 1 : dt.y;
	int era = y / 400;
	int yoe = y - era * 400;                                    /* [0, 399] */
	int doy = (153 * (dt.m > 2 ? dt.m - 3 : dt.m + 9) + 2) / 5 + dt.d - 1; /* [0, 365] */
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;            /* [0, 146096] */

	return (int32_t)era * 146097 + doe - 719468;
}

struct rules_date rules_civil_from_days(int32_t days)
{
	int32_t z = days + 719468;
	int32_t era = (z >= 0 ? z : z - 146096) / 146097;
	int doe = (int)(z - era * 146097);                               /* [0, 146096] */
	int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
	int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
	int mp = (5 * doy + 2) / 153;                                    /* [0, 11] */
	struct rules_date dt;

	dt.d = doy - (153 * mp + 2) / 5 + 1;
	dt.m = mp < 10 ? mp + 3 : mp - 9;
	dt.y = (int)(yoe + era * 400) + (dt.m <= 2);
	return dt;
}

struct rules_date rules_add_years(struct rules_date dt, int years, bool *ok)
{
	struct rules_date r = dt;
	bool dummy;

	if (ok == NULL)
		ok = &dummy;
	*ok = false;
	if (!rules_date_valid(dt) || years < -9999 || years > 9999)
		return dt;
	r.y = dt.y + years;
	if (r.y < 1 || r.y > 9999)
		return dt;
	if (r.m == 2 && r.d == 29 && !is_leap(r.y))
		r.d = 28;
	*ok = true;
	return r;
}

enum rules_renewal rules_renewal_window(struct rules_date today, struct rules_date not_after)
{
	int32_t left;

	if (!rules_date_valid(today) || !rules_date_valid(not_after))
		return RENEW_INVALID;
	left = rules_days_from_civil(not_after) - rules_days_from_civil(today);
	if (left >= 90)
		return RENEW_TOO_EARLY;
	if (left >= -365) /* 0..89 days left, or expired 1..365 days */
		return RENEW_ONLINE;
	return RENEW_REVIEW;
}

struct rules_validity rules_renewal_validity(struct rules_date today_or_download,
					     struct rules_date old_not_after, int years)
{
	struct rules_validity v;
	bool expired;

	memset(&v, 0, sizeof(v));
	if (years < 1 || years > 5 || !rules_date_valid(today_or_download) ||
	    !rules_date_valid(old_not_after))
		return v;
	expired = rules_days_from_civil(today_or_download) > rules_days_from_civil(old_not_after);
	v.not_before = today_or_download;
	v.not_after = rules_add_years(expired ? today_or_download : old_not_after, years, &v.ok);
	if (!v.ok)
		memset(&v, 0, sizeof(v));
	return v;
}

bool rules_in_warranty(struct rules_date first_issued, struct rules_date today)
{
	bool ok;
	struct rules_date end = rules_add_years(first_issued, 1, &ok);
	int32_t t;

	if (!ok || !rules_date_valid(today))
		return false;
	t = rules_days_from_civil(today);
	return t >= rules_days_from_civil(first_issued) && t <= rules_days_from_civil(end);
}

/* ---- Fees.
 *
 * Only what a guide states. A (channel, business, kind) with no row is RULES_FEE_UNKNOWN, so the
 * wizard asks the applicant to confirm the price with customer service. Not stated, on purpose:
 *   cecep (000): the guide names no fee and no operator; BJCA's 002 prices are those of the
 *     central-procurement channel ("中共中央直属机关采购中心渠道 在线受理点"), not proof of CECEP's.
 *   bjca-zycg (002): only 单位证书 (org) is sold ("申请办理【单位证书】"); "add", 信息变更 (change)
 *     and 证书吊销 (revoke) have no 证书费用 paragraph; a new certificate beyond 1 year
 *     ("证书有效期为一年") has no price.
 *   netca-gd (003): 证书解锁 (unlock) has no 收费标准 paragraph.
 *   szca (001): everything but 遗失补办. The "480.0元" of a "证书新办" order in its list has no kind
 *     or years, so it is not a price.
 *   jxca-js (004): everything; only the seal re-made on a replacement is priced.
 */
enum {
	K_ORG = 1u << 0,
	K_LEGAL = 1u << 1,
	K_PERSON = 1u << 2,
	K_ALL = K_ORG | K_LEGAL | K_PERSON,
	K_LP = K_LEGAL | K_PERSON,
};

#define NOT_STATED (-1)

struct fee_row {
	const char *channel;
	const char *business;
	unsigned kinds;
	int max_years;        /* the guide prices at most this many years */
	const char *code;     /* the item charged once (NULL: none) */
	const char *label;
	int64_t once_fen;     /* NOT_STATED: the guide gives no price for it */
	const char *year_code; /* the item charged per year (NULL: none) */
	const char *year_label;
	int64_t year_fen;
	int year_from;        /* 1: every year; 2: each year after the first */
	bool warranty_free;   /* 002: a defect within the media warranty is free */
	int64_t seal_fen;     /* the seal re-made on replacement when has_seal (004) */
};

static const struct fee_row fees[] = {
	/* ---- BJCA, central-government procurement (002). */
	{ .channel = "bjca-zycg", .business = "new", .kinds = K_ORG, .max_years = 1,
	  /* 002 "证书费用：260元/套" — per set, not per year; "证书有效期为一年". */
	  .code = "cert_set", .label = "数字证书（每套）", .once_fen = 26000 },
	{ .channel = "bjca-zycg", .business = "renew", .kinds = K_ORG, .max_years = 5,
	  /* 002 "使用原有证书介质USBkey，只收取证书年服务费用180元/张" — an annual fee. */
	  .year_code = "annual_service", .year_label = "证书年服务费", .year_fen = 18000,
	  .year_from = 1 },
	{ .channel = "bjca-zycg", .business = "lost", .kinds = K_ORG, .max_years = 5,
	  /* 002 "证书丢失补办只收取证书介质费用80元/个，不收取证书服务费". */
	  .code = "media", .label = "证书介质费（USBKey）", .once_fen = 8000 },
	{ .channel = "bjca-zycg", .business = "damaged", .kinds = K_ORG, .max_years = 5,
	  /* 002 "只收取证书介质费用80元/个，不收取证书服务费"; "属于质量问题并在质保期内的可以免费
	   * 办理，非质量问题的或已经超过质保期的需要支付证书介质费用". */
	  .code = "media", .label = "证书介质费（USBKey）", .once_fen = 8000,
	  .warranty_free = true },
	{ .channel = "bjca-zycg", .business = "unlock", .kinds = K_ORG, .max_years = 5,
	  /* 002 "证书解锁业务免费办理". */
	  .code = "unlock", .label = "证书解锁（免费）", .once_fen = 0 },

	/* ---- NETCA, Guangdong government procurement (003). "所有证书均可办理1~5年". */
	{ .channel = "netca-gd", .business = "new", .kinds = K_ORG, .max_years = 5,
	  /* 003 "机构数字证书:首年:600元/张(包含介质费200元) 次年:400元/年/张". */
	  .code = "first_year", .label = "首年证书费（含介质费200元）", .once_fen = 60000,
	  .year_code = "further_year", .year_label = "次年起证书年费", .year_fen = 40000,
	  .year_from = 2 },
	{ .channel = "netca-gd", .business = "new", .kinds = K_LP, .max_years = 5,
	  /* 003 "法人代表数字证书:首年:360元/张(包含介质费200元)次年:160元/年/张";
	   * "自然人(个人)数字证书:首年:360元/张(包含介质费200元)次年:160元/年/张". */
	  .code = "first_year", .label = "首年证书费（含介质费200元）", .once_fen = 36000,
	  .year_code = "further_year", .year_label = "次年起证书年费", .year_fen = 16000,
	  .year_from = 2 },
	/* Another certificate: the same 收费标准 covers "第二种,已有机构数字证书,增加机构数字证书个数",
	 * and "每个单位、法人代表、自然人均可根据需要办理一个或多个数字证书". */
	{ .channel = "netca-gd", .business = "add", .kinds = K_ORG, .max_years = 5,
	  /* 003 "机构数字证书:首年:600元/张(包含介质费200元) 次年:400元/年/张". */
	  .code = "first_year", .label = "首年证书费（含介质费200元）", .once_fen = 60000,
	  .year_code = "further_year", .year_label = "次年起证书年费", .year_fen = 40000,
	  .year_from = 2 },
	{ .channel = "netca-gd", .business = "add", .kinds = K_LP, .max_years = 5,
	  /* 003 "法人代表数字证书:首年:360元/张(包含介质费200元)次年:160元/年/张" (自然人 the same). */
	  .code = "first_year", .label = "首年证书费（含介质费200元）", .once_fen = 36000,
	  .year_code = "further_year", .year_label = "次年起证书年费", .year_fen = 16000,
	  .year_from = 2 },
	{ .channel = "netca-gd", .business = "renew", .kinds = K_ORG, .max_years = 5,
	  /* 003 续期 "四、收费标准 机构数字证书: 400元/年/张". */
	  .year_code = "renew_year", .year_label = "证书续期年费", .year_fen = 40000,
	  .year_from = 1 },
	{ .channel = "netca-gd", .business = "renew", .kinds = K_LP, .max_years = 5,
	  /* 003 续期 "法人代表数字证书:160元/年/张"; "自然人(个人)数字证书:160元/年/张". */
	  .year_code = "renew_year", .year_label = "证书续期年费", .year_fen = 16000,
	  .year_from = 1 },
	{ .channel = "netca-gd", .business = "lost", .kinds = K_ALL, .max_years = 5,
	  /* 003 "证书丢失或损坏时,需要准备资料补办证书"; "费用:200元/次/张". */
	  .code = "replacement", .label = "补办费用（每次每张）", .once_fen = 20000 },
	{ .channel = "netca-gd", .business = "damaged", .kinds = K_ALL, .max_years = 5,
	  /* 003 the same page, "费用:200元/次/张"; 003 states no media warranty. */
	  .code = "replacement", .label = "补办费用（每次每张）", .once_fen = 20000 },
	{ .channel = "netca-gd", .business = "change", .kinds = K_ALL, .max_years = 5,
	  /* 003 变更 "三、收费标准 免费". */
	  .code = "change", .label = "信息变更（免费）", .once_fen = 0 },
	{ .channel = "netca-gd", .business = "revoke", .kinds = K_ALL, .max_years = 5,
	  /* 003 注销 "三、收费标准 免费。". */
	  .code = "revoke", .label = "证书注销（免费）", .once_fen = 0 },

	/* ---- SZCA (001). */
	{ .channel = "szca", .business = "lost", .kinds = K_ALL, .max_years = 5,
	  /* 001 "补办费用:	0.00元"; the form "业务类型 迷失补办申请 * 证书金额 0.00元". */
	  .code = "replacement", .label = "遗失补办费用", .once_fen = 0 },

	/* ---- JXCA, Jiangxi Construction project (004): the replacement itself is not priced. */
	{ .channel = "jxca-js", .business = "lost", .kinds = K_ALL, .max_years = 5,
	  .once_fen = NOT_STATED,
	  /* 004 "注：补办含有电子印章的数字证书须重新制作电子印章，收费130元整。" */
	  .seal_fen = 13000 },
	{ .channel = "jxca-js", .business = "damaged", .kinds = K_ALL, .max_years = 5,
	  .once_fen = NOT_STATED,
	  /* 004 the same note: 补办 is either replacement. */
	  .seal_fen = 13000 },
};

static const char *const channels[] = { "cecep", "szca", "bjca-zycg", "netca-gd", "jxca-js" };
static const char *const businesses[] = { "new",     "add",    "renew",  "lost",
					  "damaged", "change", "unlock", "revoke" };

static bool in_list(const char *s, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

static unsigned kind_bit(const char *kind)
{
	if (strcmp(kind, "org") == 0)
		return K_ORG;
	if (strcmp(kind, "legal_rep") == 0)
		return K_LEGAL;
	if (strcmp(kind, "person") == 0)
		return K_PERSON;
	return 0;
}

static void add_item(struct rules_quote *q, const char *code, const char *label, int64_t unit,
		     int qty)
{
	struct rules_quote_item *it;

	if (q->n >= RULES_QUOTE_MAX_ITEMS) /* a row has at most 3 items: a broken table */
		return;
	it = &q->item[q->n++];
	it->code = code;
	it->label = label;
	it->unit_fen = unit;
	it->qty = qty;
	it->fen = unit * qty;
	q->total_fen += it->fen;
}

int rules_quote(const char *channel, const char *business, const char *kind, int years,
		bool has_seal, bool damaged_in_warranty_defect, struct rules_quote *out)
{
	const struct fee_row *row = NULL;
	unsigned kb;
	size_t i;
	bool stated = true;

	if (out != NULL)
		memset(out, 0, sizeof(*out));
	if (out == NULL || channel == NULL || business == NULL || kind == NULL || years < 1 ||
	    years > 5)
		return RULES_EINVAL;
	kb = kind_bit(kind);
	if (kb == 0 || !in_list(channel, channels, sizeof(channels) / sizeof(channels[0])) ||
	    !in_list(business, businesses, sizeof(businesses) / sizeof(businesses[0])))
		return RULES_EINVAL;

	for (i = 0; i < sizeof(fees) / sizeof(fees[0]); i++) {
		if ((fees[i].kinds & kb) && strcmp(fees[i].channel, channel) == 0 &&
		    strcmp(fees[i].business, business) == 0) {
			row = &fees[i];
			break;
		}
	}
	if (row == NULL || years > row->max_years)
		return RULES_FEE_UNKNOWN;

	if (row->once_fen == NOT_STATED)
		stated = false;
	else if (row->code != NULL && row->warranty_free && damaged_in_warranty_defect)
		add_item(out, row->code, "证书介质费（质保期内介质质量问题，免费）", 0, 1);
	else if (row->code != NULL)
		add_item(out, row->code, row->label, row->once_fen, 1);
	if (row->year_code != NULL && years - (row->year_from - 1) > 0)
		add_item(out, row->year_code, row->year_label, row->year_fen,
			 years - (row->year_from - 1));
	if (row->seal_fen > 0 && has_seal)
		add_item(out, "seal_remake", "电子印章重新制作", row->seal_fen, 1);
	out->complete = stated;
	return stated ? RULES_OK : RULES_FEE_UNKNOWN;
}

struct rules_date rules_today(long long now)
{
	long long days = (now + 8 * 3600) / 86400;

	if (now + 8 * 3600 < 0 && (now + 8 * 3600) % 86400 != 0)
		days--;
	return rules_civil_from_days((int32_t)days);
}

bool rules_date_parse(const char *s, struct rules_date *out)
{
	int v[3] = { 0, 0, 0 };
	static const int width[3] = { 4, 2, 2 };

	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int f = 0, i = 0; f < 3; f++, i++)
		for (int k = 0; k < width[f]; k++, i++) {
			if (s[i] < '0' || s[i] > '9')
				return false;
			v[f] = v[f] * 10 + (s[i] - '0');
		}
	out->y = v[0];
	out->m = v[1];
	out->d = v[2];
	return rules_date_valid(*out);
}

void rules_date_format(struct rules_date dt, char *out, size_t outsz)
{
	snprintf(out, outsz, "%04d-%02d-%02d", dt.y, dt.m, dt.d);
}

/* ---- PIN delivery */

static bool eq(const char *a, const char *b)
{
	return a && strcmp(a, b) == 0;
}

const char *rules_pin_delivery(const char *verify_method, const char *pay_method, const char *kind)
{
	const char *vm = verify_method ? verify_method : "", *pm = pay_method ? pay_method : "";
	bool org = eq(kind, "org");

	if (!org && !eq(kind, "legal_rep") && !eq(kind, "person"))
		return NULL;
	if (!eq(pm, "") && !eq(pm, "wechat") && !eq(pm, "alipay") && !eq(pm, "transfer") &&
	    !eq(pm, "counter"))
		return NULL;
	if (eq(vm, "mail_in"))
		return "mail_in_paper";
	if (eq(vm, "lr_mobile") || eq(vm, "lr_card") || eq(vm, "lr_face"))
		return "sms_legal_rep";
	if (eq(vm, "transfer"))
		/* 001: a corporate-transfer payment proves the account itself; no memo is sent. */
		return eq(pm, "transfer") ? (org ? "sms_handler" : "sms_applicant") : "transfer_memo";
	if (eq(vm, ""))
		return org ? "sms_handler" : "sms_applicant";
	return NULL;
}

const char *rules_pin_delivery_text(const char *code)
{
	static const struct {
		const char *code, *zh;
	} texts[] = {
		{ "transfer_memo",
		  "证书PIN码将以转账交易附言的方式发送至单位对公账户（0.01 元入账记录），请向贵单位财务人员获取。" },
		{ "sms_legal_rep", "证书PIN码将以短信方式发送至法定代表人手机，请注意查收。" },
		{ "sms_handler", "证书PIN码将以短信方式发送至经办人手机，请注意查收。" },
		{ "sms_applicant", "证书PIN码将以短信方式发送至申请人（证书持有人）手机，请注意查收。" },
		{ "mail_in_paper", "证书PIN码将以密码信封随证书介质一同寄出，请签收后妥善保管。" },
	};

	for (size_t i = 0; code && i < sizeof(texts) / sizeof(texts[0]); i++)
		if (strcmp(texts[i].code, code) == 0)
			return texts[i].zh;
	return NULL;
}
