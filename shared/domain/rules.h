/* rules: the business rules of the guides as pure functions: renewal window, new validity,
 * media warranty, and fee quotes. No database, no I/O, no clock: the caller passes the dates.
 *
 * Dates are civil dates in China time (UTC+8), the calendar day printed on a certificate.
 * A certificate's not_after is its LAST VALID DAY: it is still valid on that day.
 *
 * Years are added by the rule of 民法典 第二百零二条 ("到期月的对应日为期间的最后一日；没有对应日
 * 的，月末日为期间的最后一日"): the same month and day N years later; 29 February becomes 28
 * February when the target year is not a leap year. 2024-02-29 + 1 year = 2025-02-28;
 * 2024-02-29 + 4 years = 2028-02-29; 2023-02-28 + 1 year = 2024-02-28 (never moves forward). */
#ifndef CERTHALL_RULES_H
#define CERTHALL_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rules_date {
	int y, m, d;
};

/* A real Gregorian date between 0001-01-01 and 9999-12-31. */
bool rules_date_valid(struct rules_date dt);

/* Days since 1970-01-01 (negative before), and back. The date must be valid. */
int32_t rules_days_from_civil(struct rules_date dt);
struct rules_date rules_civil_from_days(int32_t days);

/* The China-time (UTC+8) calendar day of the instant now. */
struct rules_date rules_today(long long now);

/* "YYYY-MM-DD" (a real date) into *out: true; anything else: false. */
bool rules_date_parse(const char *s, struct rules_date *out);

/* Prints "YYYY-MM-DD" into out (at least 11 bytes). */
void rules_date_format(struct rules_date dt, char *out, size_t outsz);

/* dt plus years years by the rule above. Sets *ok false (and returns dt) when dt is not valid
 * or the result leaves 0001-9999. ok may be NULL. */
struct rules_date rules_add_years(struct rules_date dt, int years, bool *ok);

/* ---- Renewal window (002 "证书有效期小于90天或已过期且不超过1年（365天）的用户插入USBKey可申请在线
 * 办理更新业务"; "过期超过1年（365天）未更新的证书，用户需按照在线鉴证要求准备资料并在线上传资料").
 *
 * days left = not_after - today, in days. On not_after itself 0 days are left (the certificate
 * still works that day, and renewal is online); the day before, 1; the day after, the
 * certificate has been expired for 1 day.
 *   days left >= 90                     -> RENEW_TOO_EARLY
 *   0 <= days left <= 89                -> RENEW_ONLINE   (有效期小于90天)
 *   expired 1 .. 365 days               -> RENEW_ONLINE   (已过期且不超过1年（365天）)
 *   expired 366 days or more            -> RENEW_REVIEW   (materials uploaded, reviewed)
 * Days, not calendar years: 365 days even across 29 February.
 * NETCA (003) differs: online only "证书过期前90天内"; "证书已过有效期的，需要准备资料线下办理". This
 * function is the BJCA (002) rule that DOMAIN.md states for the hall.
 * RENEW_INVALID when either date is not valid. */
enum rules_renewal {
	RENEW_INVALID = -1,
	RENEW_TOO_EARLY = 0,
	RENEW_ONLINE = 1,
	RENEW_REVIEW = 2,
};
enum rules_renewal rules_renewal_window(struct rules_date today, struct rules_date not_after);

/* ---- New validity after renewal (002 "未过期证书进行在线更新，新证书有效期在旧证书截止日期的基础上
 * 顺延一年"; "已过期证书进行在线更新，新证书有效期从用户下载新证书之日起计算，向后顺延一年").
 * Not expired (today_or_download <= old_not_after): not_before = today_or_download,
 * not_after = old_not_after + years. Expired (today_or_download > old_not_after): not_before =
 * today_or_download (the download day), not_after = download day + years (the anniversary is
 * the last valid day, the same rule as the warranty). Whether renewal is allowed at all is
 * rules_renewal_window's question, not this one's.
 * ok is false, and the dates zero, when years is outside 1..5 (003 "所有证书均可办理1~5年") or a
 * date is not valid. */
struct rules_validity {
	bool ok;
	struct rules_date not_before;
	struct rules_date not_after;
};
struct rules_validity rules_renewal_validity(struct rules_date today_or_download,
					     struct rules_date old_not_after, int years);

/* ---- Media warranty (002 "证书介质质保期为一年，自证书初次发放日起计算"). In warranty from
 * first_issued up to AND INCLUDING its first anniversary (first_issued + 1 year by the rule
 * above; 民法典 第二百零一条 does not count the first day, so the year ends on the anniversary).
 * False the day after, before first_issued, or when a date is not valid. */
bool rules_in_warranty(struct rules_date first_issued, struct rules_date today);

/* ---- Fee quotes, in fen, from one of the hall's fee rows (the fees table, loaded by
 * domain/fees.c; every seeded row quotes its guide). */
#define RULES_QUOTE_MAX_ITEMS 4

enum {
	RULES_OK = 0,
	RULES_EINVAL = -1,      /* NULL, a broken row, years outside 1..5 */
	RULES_FEE_UNKNOWN = -2, /* basis quoted: the pre-reviewer states the price (004) */
	RULES_YEARS = -3,       /* more years than the hall sells this business for */
};

/* How a hall charges a business (fees.basis). */
enum rules_basis {
	RULES_BASIS_NONE = -1,
	RULES_PRICED,
	RULES_FREE,
	RULES_QUOTED,
	RULES_BASIS__COUNT
};

/* "priced", "free", "quoted"; "" for NONE. */
const char *rules_basis_str(enum rules_basis b);
enum rules_basis rules_basis_parse(const char *s);

/* One fees row. A fen of -1 is an item the row does not have (or, basis quoted, whose price
 * the guide does not state). */
struct rules_fee {
	enum rules_basis basis;
	int max_years;          /* 1..5 */
	const char *once_code, *once_label;
	int64_t once_fen;       /* charged once */
	const char *year_code, *year_label;
	int64_t year_fen;       /* charged per year from year_from */
	int year_from;          /* 1: every year; 2: each year after the first */
	bool warranty_free;     /* 002: a defect within the media warranty is free */
	int64_t seal_fen;       /* the seal re-made on a replacement when has_seal (004); 0: none */
};

struct rules_quote_item {
	const char *code;  /* stable: "cert_set", "media", "seal_remake", ... */
	const char *label; /* zh-CN, for the confirmation page */
	int64_t unit_fen;
	int qty;           /* years, or 1 */
	int64_t fen;       /* unit_fen * qty */
};

struct rules_quote {
	int n;
	struct rules_quote_item item[RULES_QUOTE_MAX_ITEMS];
	int64_t total_fen; /* sum of the items */
	bool complete;     /* false with RULES_FEE_UNKNOWN: the items are only the stated fees */
};

/* Quote one business from its fee row for years 1..5 (checked for every business, used where
 * the price is per year). has_seal: the certificate carries an electronic seal (004 charges
 * its re-making on a replacement). damaged_in_warranty_defect: the returned key was found to
 * have a quality defect within rules_in_warranty (002: free when the row says so).
 * Returns RULES_OK with a complete quote; RULES_FEE_UNKNOWN for a quoted row (out holds the
 * stated items, complete false); RULES_YEARS past the row's max_years; RULES_EINVAL for bad
 * arguments or a row that prices nothing. out, if not NULL, is emptied on every error. A free
 * business is one item of 0 fen, so the page can say 免费. */
int rules_quote(const struct rules_fee *fee, int years, bool has_seal,
		bool damaged_in_warranty_defect, struct rules_quote *out);

/* ---- PIN delivery: how the holder learns the new key's PIN (DOMAIN.md "PIN delivery").
 *   000, 002: enterprise verification by corporate transfer -> the PIN is in the memo of the
 *             0.01 transfer (transfer_memo); by the legal representative's mobile, bank card
 *             or face -> SMS to the legal representative (sms_legal_rep).
 *   001:      paid by WeChat or Alipay, the organisation passes financial verification and the
 *             PIN rides in the memo (transfer_memo); paid by corporate transfer, SMS to the
 *             handler for an organisation certificate (sms_handler), to the applicant (the
 *             holder) for a legal-representative or personal one (sms_applicant).
 * verify_method: transfer | lr_mobile | lr_card | lr_face, "" (or NULL) when the order has no
 * enterprise verification (personal certificates), or "mail_in" for an order switched to the
 * mail-in fallback: no guide says how its PIN travels, so it goes as for an order without
 * enterprise verification (sms_handler, sms_applicant). pay_method: wechat | alipay | transfer | counter, "" or NULL while unknown
 * (signing comes before paying; the memo is the default until a transfer payment says
 * otherwise). kind: org | legal_rep | person.
 * Returns one of the codes above, or NULL for an unknown kind or method. */
const char *rules_pin_delivery(const char *verify_method, const char *pay_method, const char *kind);

/* zh-CN sentence for the applicant about a code of rules_pin_delivery; NULL if unknown. */
const char *rules_pin_delivery_text(const char *code);

#endif
