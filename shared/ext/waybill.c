/* waybill: courier waybill numbers: normalising, per-carrier formats, the UPU S10 check. */
#include "ext/waybill.h"

#include <string.h>

/*
 * No carrier publishes a formal specification of its numbers; the rules below are those of
 * public validators that agree with the numbers seen on labels, widened where they disagree
 * so that no documented form is refused (a wrong refusal stops an applicant; a typo that
 * passes is caught by the courier's "unknown" answer):
 *   [A] github.com/BF-zh/Courier-Validation, src/pattern/{SF,EMS,ZTO,YTO,STO,YUNDA,JD,DPK}.ts
 *   [B] github.com/phillip2019/hive-third-functions,
 *       src/main/java/com/chinagoods/bigdata/functions/logistic/UDFLogisticNoValid.java
 *   [C] public carrier registries with "SF\d{12,13}", "YT\d{13}", "DPK\d{10,12}" (code search)
 *   [S10] UPU S10 as described by Wikipedia, "S10 (UPU standard)": 2 letters, 8 digits, check
 *       digit (weights 8 6 4 2 3 5 9 7; 11 - sum mod 11; 10 -> 0; 11 -> 5), 2 letters;
 *       published example: serial 47312482 has check digit 9.
 */

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static bool all_upper(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < 'A' || s[i] > 'Z')
			return false;
	return true;
}

/* prefix, then min..max digits. */
static bool prefixed(const char *s, size_t n, const char *prefix, size_t min, size_t max)
{
	size_t p = strlen(prefix);

	return n >= p + min && n <= p + max && memcmp(s, prefix, p) == 0 &&
	       all_digits(s + p, n - p);
}

/* min..max digits, the first not 0 (no carrier's bare numbers start with 0 [A][B]). */
static bool bare(const char *s, size_t n, size_t min, size_t max)
{
	return n >= min && n <= max && s[0] != '0' && all_digits(s, n);
}

int waybill_s10_check_digit(const char *digits)
{
	static const int w[8] = { 8, 6, 4, 2, 3, 5, 9, 7 };
	int sum = 0, c;

	if (!digits || strlen(digits) < 8 || !all_digits(digits, 8))
		return -1;
	for (int i = 0; i < 8; i++)
		sum += (digits[i] - '0') * w[i];
	c = 11 - sum % 11;
	return c == 10 ? 0 : c == 11 ? 5 : c;
}

bool waybill_s10_valid(const char *s)
{
	char serial[9];

	if (!s || strlen(s) != 13 || !all_upper(s, 2) || !all_digits(s + 2, 9) || !all_upper(s + 11, 2))
		return false;
	memcpy(serial, s + 2, 8);
	serial[8] = '\0';
	return waybill_s10_check_digit(serial) == s[10] - '0';
}

/* SF Express: SF + 12 or 13 digits ([C]; [A] has SF + 13 characters). The old bare 12-digit
 * numbers are no longer issued. */
static bool fmt_sf(const char *s, size_t n)
{
	return prefixed(s, n, "SF", 12, 13);
}

/* EMS / China Post: S10 with its check digit [S10]; domestic 13-digit numbers starting with
 * 1, 5, 8 or 9 ([A]: 1/8/9; [B]: 10-12, 50-52, 95, 97-99). */
static bool fmt_ems(const char *s, size_t n)
{
	if (n == 13 && all_upper(s, 2))
		return waybill_s10_valid(s);
	return n == 13 && all_digits(s, n) && strchr("1589", s[0]);
}

/* ZTO: 14 digits starting 73-76 or 78 today [A]; 12- to 15-digit numbers of older series
 * with many leading digits [B]. */
static bool fmt_zto(const char *s, size_t n)
{
	return bare(s, n, 12, 15);
}

/* YTO: YT + 13 digits ([A], [C]). */
static bool fmt_yto(const char *s, size_t n)
{
	return prefixed(s, n, "YT", 13, 13);
}

/* STO: 12 to 15 digits (77/88/66/55/33... series, [A][B]), or STO + 10 digits [B]. */
static bool fmt_sto(const char *s, size_t n)
{
	return bare(s, n, 12, 15) || prefixed(s, n, "STO", 10, 10);
}

/* Yunda: 13 or 15 digits ([A]: 5 + 12, 3/4 + 14; [B]: 13 or 15). */
static bool fmt_yunda(const char *s, size_t n)
{
	return (n == 13 || n == 15) && bare(s, n, n, n);
}

/* JD Logistics: 15 characters: JD, two letters or digits, 11 digits ([A]; [B]: JDX/JDK + 12
 * digits, JDV + a letter + 11 digits, e.g. JDVA11408814483). */
static bool fmt_jd(const char *s, size_t n)
{
	if (n != 15 || memcmp(s, "JD", 2) != 0)
		return false;
	for (size_t i = 2; i < 4; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9')))
			return false;
	return all_digits(s + 4, 11);
}

/* Deppon: DPK + 12 digits ([A], [B]: DPK364112047425); 8- to 10-digit freight numbers [B]. */
static bool fmt_deppon(const char *s, size_t n)
{
	return prefixed(s, n, "DPK", 12, 12) || bare(s, n, 8, 10);
}

static const struct carrier {
	const char *code, *name;
	bool (*ok)(const char *s, size_t n);
	const char *expected;
} carriers[] = {
	{ "sf", "顺丰速运", fmt_sf,
	  "顺丰速运的运单号为 SF 加 12 或 13 位数字，如 SF1402345678901。" },
	{ "ems", "EMS（中国邮政）", fmt_ems,
	  "EMS（中国邮政）的运单号为 13 位：2 个字母、9 位数字（最后一位是校验位）、2 个字母，"
	  "如 EA123456785CN；或以 1、5、8、9 开头的 13 位数字。" },
	{ "zto", "中通快递", fmt_zto,
	  "中通快递的运单号为 12 至 15 位数字（常见以 7、5、3 开头），如 75123456789012。" },
	{ "yto", "圆通速递", fmt_yto,
	  "圆通速递的运单号为 YT 加 13 位数字，如 YT7512345678901。" },
	{ "sto", "申通快递", fmt_sto,
	  "申通快递的运单号为 12 至 15 位数字（常见以 77、88、66 开头），如 773123456789012。" },
	{ "yunda", "韵达快递", fmt_yunda,
	  "韵达快递的运单号为 13 位或 15 位数字，如 4312345678901 或 462598779470531。" },
	{ "jd", "京东物流", fmt_jd,
	  "京东物流的运单号为 JD 开头的 15 位：JD、2 位字母或数字、11 位数字，"
	  "如 JDVA11408814483、JDX012345678901。" },
	{ "deppon", "德邦快递", fmt_deppon,
	  "德邦快递的运单号为 DPK 加 12 位数字（如 DPK364112047425），或 8 至 10 位数字。" },
};

#define NCARRIERS (sizeof(carriers) / sizeof(carriers[0]))

const char *const waybill_carriers[] = { "sf", "ems", "zto", "yto", "sto", "yunda", "jd",
					 "deppon", NULL };

static const struct carrier *find(const char *code)
{
	for (size_t i = 0; code && i < NCARRIERS; i++)
		if (strcmp(carriers[i].code, code) == 0)
			return &carriers[i];
	return NULL;
}

const char *waybill_carrier_name(const char *code)
{
	const struct carrier *c = find(code);

	return c ? c->name : NULL;
}

bool waybill_normalise(const char *in, char out[WAYBILL_MAX + 1])
{
	const unsigned char *p = (const unsigned char *)in;
	size_t n = 0;

	out[0] = '\0';
	if (!in)
		return false;
	while (*p) {
		unsigned char c;

		if (*p == ' ') {
			p++;
			continue;
		}
		if (p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80) { /* U+3000 */
			p += 3;
			continue;
		}
		if (p[0] == 0xEF && p[1] == 0xBC && p[2] >= 0x90 && p[2] <= 0x99) {
			c = (unsigned char)('0' + (p[2] - 0x90)); /* U+FF10..FF19 */
			p += 3;
		} else if (p[0] == 0xEF && p[1] == 0xBC && p[2] >= 0xA1 && p[2] <= 0xBA) {
			c = (unsigned char)('A' + (p[2] - 0xA1)); /* U+FF21..FF3A */
			p += 3;
		} else if (p[0] == 0xEF && p[1] == 0xBD && p[2] >= 0x81 && p[2] <= 0x9A) {
			c = (unsigned char)('A' + (p[2] - 0x81)); /* U+FF41..FF5A */
			p += 3;
		} else {
			c = *p++;
			if (c >= 'a' && c <= 'z')
				c = (unsigned char)(c - 'a' + 'A');
			if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
				out[0] = '\0';
				return false;
			}
		}
		if (n == WAYBILL_MAX) {
			out[0] = '\0';
			return false;
		}
		out[n++] = (char)c;
	}
	out[n] = '\0';
	return n > 0;
}

bool waybill_check(const char *carrier, const char *number, const char **expected_zh)
{
	const struct carrier *c = find(carrier);
	char s[WAYBILL_MAX + 1];

	if (expected_zh)
		*expected_zh = c ? c->expected : NULL;
	if (!c || !waybill_normalise(number, s))
		return false;
	return c->ok(s, strlen(s));
}
