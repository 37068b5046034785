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

/* ---- Fees: the arithmetic of a quote. What each hall charges is its fees rows (schema/
 * seed/fees.sql quotes the guides); nothing here knows a price. */

static const char *const basis_names[RULES_BASIS__COUNT] = {
	[RULES_PRICED] = "priced", [RULES_FREE] = "free", [RULES_QUOTED] = "quoted",
};

const char *rules_basis_str(enum rules_basis b)
{
	return b >= 0 && b < RULES_BASIS__COUNT ? basis_names[b] : "";
}

enum rules_basis rules_basis_parse(const char *s)
{
	for (int i = 0; s && i < RULES_BASIS__COUNT; i++)
		if (strcmp(s, basis_names[i]) == 0)
			return (enum rules_basis)i;
	return RULES_BASIS_NONE;
}

static void add_item(struct rules_quote *q, const char *code, const char *label, int64_t unit,
		     int qty)
{
	struct rules_quote_item *it;

	if (q->n >= RULES_QUOTE_MAX_ITEMS) /* at most 3 items are ever added */
		return;
	it = &q->item[q->n++];
	it->code = code;
	it->label = label;
	it->unit_fen = unit;
	it->qty = qty;
	it->fen = unit * qty;
	q->total_fen += it->fen;
}

/* An item's amount: a stated price in fen, at most 1,000,000 yuan (no certificate costs more;
 * a larger number is a broken row, and the product of years cannot overflow). */
static bool fen_ok(int64_t fen)
{
	return fen >= 0 && fen <= 100000000;
}

static bool row_ok(const struct rules_fee *f)
{
	bool once = f->once_fen != -1, year = f->year_fen != -1;

	if (f->basis < 0 || f->basis >= RULES_BASIS__COUNT || f->max_years < 1 ||
	    f->max_years > 5 || f->year_from < 1 || f->year_from > 2 || !fen_ok(f->seal_fen))
		return false;
	if ((once && (!fen_ok(f->once_fen) || !f->once_code || !f->once_label)) ||
	    (year && (!fen_ok(f->year_fen) || !f->year_code || !f->year_label)))
		return false;
	switch (f->basis) {
	case RULES_PRICED:
		return once || year;
	case RULES_FREE:
		return once && f->once_fen == 0 && !year;
	default:
		return true;
	}
}

int rules_quote(const struct rules_fee *f, int years, bool has_seal,
		bool damaged_in_warranty_defect, struct rules_quote *out)
{
	if (out != NULL)
		memset(out, 0, sizeof(*out));
	if (out == NULL || f == NULL || years < 1 || years > 5 || !row_ok(f))
		return RULES_EINVAL;
	if (years > f->max_years)
		return RULES_YEARS;
	if (f->once_fen != -1 && f->warranty_free && damaged_in_warranty_defect)
		add_item(out, f->once_code, "证书介质费（质保期内介质质量问题，免费）", 0, 1);
	else if (f->once_fen != -1)
		add_item(out, f->once_code, f->once_label, f->once_fen, 1);
	if (f->year_fen != -1 && years - (f->year_from - 1) > 0)
		add_item(out, f->year_code, f->year_label, f->year_fen, years - (f->year_from - 1));
	if (f->seal_fen > 0 && has_seal)
		add_item(out, "seal_remake", "电子印章重新制作", f->seal_fen, 1);
	out->complete = f->basis != RULES_QUOTED;
	return out->complete ? RULES_OK : RULES_FEE_UNKNOWN;
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
	/* Mail-in: nothing online proved the organisation, and no guide says how its PIN travels;
	 * the handler (or the holder) whose mobile the order was signed with receives it. */
	if (eq(vm, "mail_in"))
		return org ? "sms_handler" : "sms_applicant";
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
	};

	for (size_t i = 0; code && i < sizeof(texts) / sizeof(texts[0]); i++)
		if (strcmp(texts[i].code, code) == 0)
			return texts[i].zh;
	return NULL;
}
