/* valid: strict, NULL-safe checks of the identifiers and free text that users submit. */
#include "base/valid.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define USCC_LEN 18
#define ORG_LEN 9
#define RID_LEN 18
#define EMAIL_MAX 254
#define EMAIL_LOCAL_MAX 64
#define DNS_LABEL_MAX 63
#define SERIAL_MAX 40
#define MONEY_MAX_FEN INT64_C(1000000000) /* 10,000,000.00 yuan */
#define MONEY_INT_DIGITS 8                  /* "10000000" */

/* GB 32100: the letters I, O, Z, S, V are left out so they are not misread as digits. */
static const char USCC_CHARS[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
static const int USCC_W[17] = { 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28 };
static const int ORG_W[8] = { 3, 7, 9, 10, 5, 8, 4, 2 };
static const int RID_W[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
static const char RID_CHECK[] = "10X98765432";

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

static bool is_xdigit(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool is_alnum(char c)
{
	return is_digit(c) || is_upper(c) || (c >= 'a' && c <= 'z');
}

/* strlen that stops looking after max, so a hostile unterminated-looking input costs little. */
static size_t bounded_len(const char *s, size_t max)
{
	size_t n = 0;

	while (n <= max && s[n] != '\0')
		n++;
	return n;
}

static bool all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return false;
	}
	return true;
}

static int uscc_value(char c)
{
	const char *p;

	if (c == '\0')
		return -1;
	p = strchr(USCC_CHARS, c);
	return p == NULL ? -1 : (int)(p - USCC_CHARS);
}

/* The GB 11714 check character of an organisation code's first 8 characters, or 0. */
static char org_check(const char *s)
{
	int sum = 0, check;

	for (int i = 0; i < 8; i++) {
		int v;

		if (is_digit(s[i]))
			v = s[i] - '0';
		else if (is_upper(s[i]))
			v = s[i] - 'A' + 10;
		else
			return 0;
		sum += v * ORG_W[i];
	}
	check = 11 - sum % 11;
	return check == 10 ? 'X' : check == 11 ? '0' : (char)('0' + check);
}

/* The GB 32100 check character of a USCC's first 17 characters, or 0. */
static char uscc_check(const char *s)
{
	int sum = 0;

	for (int i = 0; i < 17; i++) {
		int v = uscc_value(s[i]);

		if (v < 0)
			return 0;
		sum += v * USCC_W[i];
	}
	return USCC_CHARS[(31 - sum % 31) % 31];
}

bool valid_org_code(const char *s)
{
	if (s == NULL || bounded_len(s, ORG_LEN) != ORG_LEN)
		return false;
	return org_check(s) != 0 && s[8] == org_check(s);
}

enum valid_uscc_fault valid_uscc_fault(const char *s)
{
	char org[ORG_LEN + 1];

	if (s == NULL || bounded_len(s, USCC_LEN) != USCC_LEN)
		return VALID_USCC_LENGTH;
	if (uscc_check(s) == 0)
		return VALID_USCC_CHARS;
	memcpy(org, s + 8, ORG_LEN);
	org[ORG_LEN] = '\0';
	/* The organisation code first: a wrong 17th character is the fault a person made, and the
	 * 18th, computed over it, then disagrees too. */
	if (!valid_org_code(org))
		return org_check(org) ? VALID_USCC_ORG_CHECK : VALID_USCC_CHARS;
	return s[17] == uscc_check(s) ? VALID_USCC_OK : VALID_USCC_CHECK;
}

bool valid_uscc(const char *s)
{
	return valid_uscc_fault(s) == VALID_USCC_OK;
}

bool valid_uscc_finish(char s[USCC_LEN + 1])
{
	char org = bounded_len(s, 16) >= 16 ? org_check(s + 8) : 0;

	if (!org)
		return false;
	s[16] = org;
	s[17] = uscc_check(s);
	s[18] = '\0';
	return s[17] != 0;
}

static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
	static const int dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

static int parse_digits(const char *s, size_t n)
{
	int v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

/* Today's date in China (UTC+8), as yyyymmdd: an ID issued for a child born this morning in
 * Beijing must pass even while it is still yesterday in UTC. */
static long today_cn(void)
{
	time_t now = time(NULL);
	struct tm tm;

	now += 8 * 3600;
	if (gmtime_r(&now, &tm) == NULL)
		return 0;
	return (long)(tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

/* The GB 11643 check character of 17 digits. */
static char rid_check(const char *s)
{
	int sum = 0;

	for (int i = 0; i < 17; i++)
		sum += (s[i] - '0') * RID_W[i];
	return RID_CHECK[sum % 11];
}

bool valid_resident_id(const char *s)
{
	int y, m, d;

	if (s == NULL || bounded_len(s, RID_LEN) != RID_LEN)
		return false;
	if (!all_digits(s, 17) || !(is_digit(s[17]) || s[17] == 'X'))
		return false;
	if (s[17] != rid_check(s))
		return false;

	y = parse_digits(s + 6, 4);
	m = parse_digits(s + 10, 2);
	d = parse_digits(s + 12, 2);
	if (y < 1900 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return false;
	return (long)y * 10000 + m * 100 + d <= today_cn();
}

bool valid_resident_id_finish(char s[RID_LEN + 1])
{
	if (bounded_len(s, 17) < 17 || !all_digits(s, 17))
		return false;
	s[17] = rid_check(s);
	s[18] = '\0';
	return valid_resident_id(s);
}

bool valid_mobile(const char *s, char out[12])
{
	size_t n;

	if (s == NULL)
		return false;
	if (s[0] == '+') {
		if (s[1] != '8' || s[2] != '6')
			return false;
		s += 3;
	} else if (s[0] == '8' && s[1] == '6') {
		s += 2;
	}
	n = bounded_len(s, 11);
	if (n != 11 || !all_digits(s, 11))
		return false;
	if (s[0] != '1' || s[1] < '3')
		return false;
	if (out != NULL) {
		memcpy(out, s, 11);
		out[11] = '\0';
	}
	return true;
}

/* RFC 5322 atext: what may appear unquoted in a local part. Quoted local parts are refused:
 * providers do not hand them out and they carry characters that break headers. */
static bool is_atext(char c)
{
	return is_alnum(c) || (c != '\0' && strchr("!#$%&'*+/=?^_`{|}~-", c) != NULL);
}

static bool valid_local_part(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > EMAIL_LOCAL_MAX || s[0] == '.' || s[n - 1] == '.')
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (s[i + 1] == '.')
				return false;
		} else if (!is_atext(s[i])) {
			return false;
		}
	}
	return true;
}

/* LDH labels only: an IDN reaches us already in its xn-- form or not at all. */
static bool valid_domain(const char *s, size_t n)
{
	size_t label = 0;
	bool dot = false;
	bool letter = false; /* in the current label: an all-digit last label is an IP, not a TLD */
	size_t i;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c == '.') {
			if (label == 0 || s[i - 1] == '-')
				return false;
			label = 0;
			letter = false;
			dot = true;
		} else if (is_alnum(c) || c == '-') {
			if (c != '-' && !is_digit(c))
				letter = true;
			if (c == '-' && label == 0)
				return false;
			if (++label > DNS_LABEL_MAX)
				return false;
		} else {
			return false;
		}
	}
	return dot && label > 0 && letter && s[n - 1] != '-';
}

bool valid_email(const char *s)
{
	const char *at;
	size_t n;

	if (s == NULL)
		return false;
	n = bounded_len(s, EMAIL_MAX);
	if (n == 0 || n > EMAIL_MAX)
		return false;
	at = memchr(s, '@', n);
	if (at == NULL || memchr(at + 1, '@', n - (size_t)(at - s) - 1) != NULL)
		return false;
	return valid_local_part(s, (size_t)(at - s)) &&
	       valid_domain(at + 1, n - (size_t)(at - s) - 1);
}

bool valid_postcode(const char *s)
{
	return s != NULL && bounded_len(s, 6) == 6 && all_digits(s, 6);
}

bool valid_token_serial(const char *s)
{
	static const char ok[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-";
	size_t n;

	if (s == NULL)
		return false;
	n = bounded_len(s, VALID_TOKEN_SERIAL_MAX);
	return n >= 4 && n <= VALID_TOKEN_SERIAL_MAX && strspn(s, ok) == n;
}

bool valid_pin(const char *s)
{
	size_t n;

	if (s == NULL)
		return false;
	n = bounded_len(s, 8);
	return n >= 6 && n <= 8 && all_digits(s, n);
}

bool valid_serial(const char *s)
{
	size_t n;
	size_t i;

	if (s == NULL)
		return false;
	n = bounded_len(s, SERIAL_MAX);
	if (n == 0 || n > SERIAL_MAX)
		return false;
	for (i = 0; i < n; i++) {
		if (!is_xdigit(s[i]))
			return false;
	}
	return true;
}

bool valid_money(const char *s, int64_t *fen)
{
	int64_t yuan = 0;
	int64_t cents = 0;
	size_t ni = 0;
	size_t nf = 0;
	const char *p;
	int64_t total;

	if (s == NULL)
		return false;
	for (p = s; is_digit(*p); p++) {
		/* Counting digits before adding keeps yuan far from overflow. */
		if (++ni > MONEY_INT_DIGITS)
			return false;
		yuan = yuan * 10 + (*p - '0');
	}
	/* "0260" reads as a typo or an octal habit; refuse it rather than guess. */
	if (ni == 0 || (ni > 1 && s[0] == '0'))
		return false;
	if (*p == '.') {
		for (p++; is_digit(*p); p++) {
			if (++nf > 2)
				return false;
			cents = cents * 10 + (*p - '0');
		}
		if (nf == 0)
			return false;
		if (nf == 1)
			cents *= 10;
	}
	if (*p != '\0')
		return false;
	total = yuan * 100 + cents;
	if (total > MONEY_MAX_FEN)
		return false;
	if (fen != NULL)
		*fen = total;
	return true;
}

void valid_money_format(int64_t fen, char *out, size_t outsz)
{
	/* Through uint64_t so INT64_MIN has a magnitude to print. */
	uint64_t mag = fen < 0 ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen;

	if (out == NULL || outsz == 0)
		return;
	snprintf(out, outsz, "%s%" PRIu64 ".%02u", fen < 0 ? "-" : "", mag / 100,
		 (unsigned)(mag % 100));
}

bool valid_text(const char *s, size_t n, size_t max_chars)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t chars = 0;
	size_t i = 0;

	if (s == NULL)
		return false;
	while (i < n) {
		unsigned char c = p[i];
		size_t need;
		unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
		size_t k;

		if (c < 0x80) {
			if (c < 0x20 || c == 0x7F)
				return false;
			need = 0;
		} else if (c >= 0xC2 && c <= 0xDF) {
			need = 1;
			/* C2 80..C2 9F encode the C1 controls. */
			if (c == 0xC2)
				lo = 0xA0;
		} else if (c >= 0xE0 && c <= 0xEF) {
			need = 2;
			if (c == 0xE0)
				lo = 0xA0; /* overlong below U+0800 */
			else if (c == 0xED)
				hi = 0x9F; /* U+D800..U+DFFF are surrogates */
		} else if (c >= 0xF0 && c <= 0xF4) {
			need = 3;
			if (c == 0xF0)
				lo = 0x90; /* overlong below U+10000 */
			else if (c == 0xF4)
				hi = 0x8F; /* beyond U+10FFFF */
		} else {
			return false; /* continuation byte, C0/C1 overlong lead, F5..FF */
		}
		if (need > n - i - 1)
			return false;
		for (k = 1; k <= need; k++) {
			unsigned char b = p[i + k];

			if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF))
				return false;
		}
		i += need + 1;
		if (++chars > max_chars)
			return false;
	}
	return true;
}

bool valid_plain_name(const char *s)
{
	return s && strpbrk(s, "<>\"'`\\;{}") == NULL;
}
