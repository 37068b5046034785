/* Unit tests of shared/base/valid.c: published identifiers, boundaries and hostile input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/valid.h"

/* Byte length of a string literal, embedded NULs included. */
#define LIT(s) (s), (sizeof(s) - 1)

/* Published USCCs: the GB 32100 example and real registrations; each was re-checked with an
 * independent Python implementation of both check rules. */
static void test_uscc_published(void **state)
{
	(void)state;
	assert_true(valid_uscc("91350100M000100Y43"));
	assert_true(valid_uscc("91110000600037341L"));
	assert_true(valid_uscc("91110108551385082Q"));
	assert_true(valid_uscc("91440300708461136T"));
}

/* The completing functions give back the published check characters. */
static void test_finish_matches_published(void **state)
{
	static const char *const uscc[] = { "91350100M000100Y43", "91110000600037341L",
					    "91110108551385082Q", "91440300708461136T" };
	char s[19];

	(void)state;
	for (size_t i = 0; i < sizeof(uscc) / sizeof(uscc[0]); i++) {
		memcpy(s, uscc[i], 16);
		memset(s + 16, '?', 3);
		assert_true(valid_uscc_finish(s));
		assert_string_equal(s, uscc[i]);
	}
	memcpy(s, "91350100m000100Y", 16);
	assert_false(valid_uscc_finish(s)); /* lower case is not of the alphabet */
	memcpy(s, "11010519491231002X", 18);
	memset(s + 17, '?', 2);
	assert_true(valid_resident_id_finish(s));
	assert_string_equal(s, "11010519491231002X");
	memcpy(s, "11010519490231002", 17); /* no 31 February */
	assert_false(valid_resident_id_finish(s));
}

/* Each fault is named: a wrong 17th character (the organisation code's check, GB 11714) is
 * told apart from a wrong 18th (the USCC's own) and from length and alphabet. */
static void test_uscc_faults(void **state)
{
	(void)state;
	assert_int_equal(valid_uscc_fault("91350100M000100Y43"), VALID_USCC_OK);
	assert_int_equal(valid_uscc_fault("91350100M000100Y53"), VALID_USCC_ORG_CHECK);
	assert_int_equal(valid_uscc_fault("91350100M000100Y44"), VALID_USCC_CHECK);
	assert_int_equal(valid_uscc_fault("91350100M000100Y4"), VALID_USCC_LENGTH);
	assert_int_equal(valid_uscc_fault("91350100M000100Y433"), VALID_USCC_LENGTH);
	assert_int_equal(valid_uscc_fault(NULL), VALID_USCC_LENGTH);
	assert_int_equal(valid_uscc_fault("91350100m000100Y43"), VALID_USCC_CHARS);
	assert_int_equal(valid_uscc_fault("9135010OM000100Y43"), VALID_USCC_CHARS);
}

static void test_uscc_rejects(void **state)
{
	(void)state;
	assert_false(valid_uscc(NULL));
	assert_false(valid_uscc(""));
	/* Lower case is not the same code. */
	assert_false(valid_uscc("91350100m000100y43"));
	assert_false(valid_uscc("91350100M000100y43"));
	/* Every wrong check character. */
	{
		const char *cs = "0123456789ABCDEFGHJKLMNPQRTUWXY";
		char s[19] = "91350100M000100Y43";
		size_t i;

		for (i = 0; cs[i] != '\0'; i++) {
			s[17] = cs[i];
			if (cs[i] != '3')
				assert_false(valid_uscc(s));
		}
	}
	/* I, O, Z, S, V are outside the alphabet, even where the sum would work out. */
	assert_false(valid_uscc("91350100I000100Y43"));
	assert_false(valid_uscc("91350100O000100Y43"));
	assert_false(valid_uscc("91350100M000100Y4S"));
	assert_false(valid_uscc("91350100M000100Y4Z"));
	assert_false(valid_uscc("91350100M000100Y4V"));
	/* The USCC check holds but the organisation code's own check does not (…Y5 is wrong for
	 * M000100Y; 6 was chosen to satisfy the outer check). */
	assert_false(valid_uscc("91350100M000100Y56"));
	/* Lengths. */
	assert_false(valid_uscc("91350100M000100Y4"));
	assert_false(valid_uscc("91350100M000100Y430"));
	assert_false(valid_uscc("91350100M000100Y43 "));
	assert_false(valid_uscc(" 91350100M000100Y43"));
	assert_false(valid_uscc("91350100M000100Y43\n"));
	assert_false(valid_uscc("91350100M000100Y43913501009135010091350100M000100Y43"));
	/* Separators, control and non-ASCII characters. */
	assert_false(valid_uscc("91350100-M000100Y4"));
	assert_false(valid_uscc("91350100\tM000100Y4"));
	assert_false(valid_uscc("9135010\xef\xbc\xadM000100Y4")); /* full-width M */
	assert_false(valid_uscc("\xc0\x80""1350100M000100Y43"));
}

static void test_org_code(void **state)
{
	(void)state;
	/* Characters 9-17 of the USCCs above, and D2143569X (by hand: Σ=199, 11 - 1 = 10 → X). */
	assert_true(valid_org_code("M000100Y4"));
	assert_true(valid_org_code("551385082"));
	assert_true(valid_org_code("600037341"));
	assert_true(valid_org_code("D2143569X"));

	assert_false(valid_org_code(NULL));
	assert_false(valid_org_code(""));
	assert_false(valid_org_code("D2143569x"));
	assert_false(valid_org_code("d2143569X"));
	assert_false(valid_org_code("D2143569-X"));
	assert_false(valid_org_code("D21435690"));
	assert_false(valid_org_code("D2143569Y"));
	assert_false(valid_org_code("D2143569"));
	assert_false(valid_org_code("D2143569XX"));
	assert_false(valid_org_code("D2143569\x01"));
	assert_false(valid_org_code("D214356\xc3\x89X"));
	/* Σ=0 gives 11, which is written '0'. */
	assert_true(valid_org_code("000000000"));
	assert_false(valid_org_code("00000000X"));
}

/* Today's date (UTC+8) shifted by days, as the 8 digits of an ID. */
static void cn_date(char out[16], int shift_days)
{
	time_t t = time(NULL) + 8 * 3600 + (time_t)shift_days * 86400;
	struct tm tm;

	assert_non_null(gmtime_r(&t, &tm));
	assert_int_equal(strftime(out, 16, "%Y%m%d", &tm), 8);
}

/* The ID check character, written out here from GB 11643 rather than taken from valid.c. */
static void make_id(char out[19], const char *date8)
{
	static const int w[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
	int sum = 0;
	int i;

	snprintf(out, 19, "110105%.8s002", date8);
	for (i = 0; i < 17; i++)
		sum += (out[i] - '0') * w[i];
	out[17] = "10X98765432"[sum % 11];
	out[18] = '\0';
}

static void test_resident_id(void **state)
{
	char id[19];
	char date[16];

	(void)state;
	/* The example of GB 11643-1999. */
	assert_true(valid_resident_id("11010519491231002X"));
	assert_false(valid_resident_id("11010519491231002x"));
	assert_false(valid_resident_id("110105194912310029"));
	/* Widely published, and its check character is right, but born 1880: before 1900. */
	assert_false(valid_resident_id("440524188001010014"));

	/* Dates; every check character below is correct (computed independently). */
	assert_true(valid_resident_id("110105190001010028"));  /* 1900-01-01: the first day */
	assert_false(valid_resident_id("110105189912310023")); /* 1899-12-31 */
	assert_true(valid_resident_id("110105200002290021"));  /* 2000: leap (÷400) */
	assert_false(valid_resident_id("110105190002290025")); /* 1900: not leap (÷100) */
	assert_false(valid_resident_id("110105202302290022"));
	assert_true(valid_resident_id("11010520240229002X"));
	assert_false(valid_resident_id("110105199911310020")); /* 31 November */
	assert_false(valid_resident_id("110105199913010021")); /* month 13 */
	assert_false(valid_resident_id("110105199901000029")); /* day 0 */
	assert_false(valid_resident_id("110105199901320022")); /* day 32 */
	assert_false(valid_resident_id("110105200000010022")); /* month 0 */
	assert_false(valid_resident_id("110105000000000020"));
	assert_false(valid_resident_id("110105209912310029")); /* the future */

	/* Today (Beijing) is allowed, tomorrow is not. */
	cn_date(date, 0);
	make_id(id, date);
	assert_true(valid_resident_id(id));
	cn_date(date, 2);
	make_id(id, date);
	assert_false(valid_resident_id(id));

	assert_false(valid_resident_id(NULL));
	assert_false(valid_resident_id(""));
	assert_false(valid_resident_id("11010519491231002"));
	assert_false(valid_resident_id("11010519491231002X0"));
	assert_false(valid_resident_id("11010519491231002X "));
	assert_false(valid_resident_id("1101051949123100\n2X"));
	assert_false(valid_resident_id("X10105194912310020"));
	assert_false(valid_resident_id("11010519491231002\xef\xbc\xb8")); /* full-width X */
}

static void test_mobile(void **state)
{
	char out[12];

	(void)state;
	memset(out, 0, sizeof(out));
	assert_true(valid_mobile("+8613812345678", out));
	assert_string_equal(out, "13812345678");
	assert_true(valid_mobile("8613912345678", out));
	assert_string_equal(out, "13912345678");
	assert_true(valid_mobile("13812345678", out));
	assert_string_equal(out, "13812345678");
	assert_true(valid_mobile("19912345678", out));
	assert_true(valid_mobile("13812345678", NULL));

	memcpy(out, "untouched!!", 12);
	assert_false(valid_mobile("12812345678", out));
	assert_false(valid_mobile("10012345678", out));
	assert_false(valid_mobile("1381234567", out));
	assert_false(valid_mobile("138123456789", out));
	assert_false(valid_mobile("23812345678", out));
	assert_false(valid_mobile("+86 13812345678", out));
	assert_false(valid_mobile("+86-13812345678", out));
	assert_false(valid_mobile("+8513812345678", out));
	assert_false(valid_mobile("+813812345678", out));
	assert_false(valid_mobile("++8613812345678", out));
	assert_false(valid_mobile("008613812345678", out));
	assert_false(valid_mobile("+86", out));
	assert_false(valid_mobile("86", out));
	assert_false(valid_mobile("+", out));
	assert_false(valid_mobile("", out));
	assert_false(valid_mobile(NULL, out));
	assert_false(valid_mobile("1381234567a", out));
	assert_false(valid_mobile("13812345678\n", out));
	assert_false(valid_mobile("138 1234 5678", out));
	assert_false(valid_mobile("\xef\xbc\x91" "3812345678", out)); /* full-width 1 */
	assert_false(valid_mobile("13812345678138123456781381234567813812345678", out));
	assert_memory_equal(out, "untouched!!", 12);
}

static void test_email(void **state)
{
	char s[300];

	(void)state;
	assert_true(valid_email("a@example.com"));
	assert_true(valid_email("user.name+tag@mail.example.cn"));
	assert_true(valid_email("a_b-c@sub-domain.example.com.cn"));
	assert_true(valid_email("12345@qq.com"));
	assert_true(valid_email("x@xn--fiqs8s.cn"));

	assert_false(valid_email(NULL));
	assert_false(valid_email(""));
	assert_false(valid_email("a"));
	assert_false(valid_email("a@"));
	assert_false(valid_email("@example.com"));
	assert_false(valid_email("a@example"));
	assert_false(valid_email("a@@example.com"));
	assert_false(valid_email("a@b@example.com"));
	assert_false(valid_email("a@.example.com"));
	assert_false(valid_email("a@example..com"));
	assert_false(valid_email("a@example.com."));
	assert_false(valid_email("a@-example.com"));
	assert_false(valid_email("a@example-.com"));
	assert_false(valid_email("a@exa_mple.com"));
	assert_false(valid_email("a@1.2.3.4"));
	assert_false(valid_email("a@[127.0.0.1]"));
	assert_false(valid_email(".a@example.com"));
	assert_false(valid_email("a.@example.com"));
	assert_false(valid_email("a..b@example.com"));
	assert_false(valid_email("a b@example.com"));
	assert_false(valid_email("\"a\"@example.com"));
	assert_false(valid_email("a<b>@example.com"));
	assert_false(valid_email("a@example.com\n"));
	assert_false(valid_email("a\r\nBcc: x@evil.com@example.com"));
	assert_false(valid_email("a\x7f@example.com"));
	assert_false(valid_email("\xe5\xbc\xa0@example.com"));
	assert_false(valid_email("a@\xe4\xbe\x8b\xe5\xad\x90.cn"));

	/* 254 bytes is the most: 64 + '@' + 189 (labels of 62, 62 and 63 bytes). */
	memset(s, 'a', 64);
	s[64] = '@';
	memset(s + 65, 'b', 189);
	s[65 + 62] = '.';
	s[65 + 125] = '.';
	s[65 + 188] = 'c';
	s[254] = '\0';
	assert_true(valid_email(s));
	/* 255 bytes. */
	s[254] = 'c';
	s[255] = '\0';
	assert_false(valid_email(s));
	/* A local part of 65 bytes. */
	memset(s, 'a', 65);
	snprintf(s + 65, sizeof(s) - 65, "@example.com");
	assert_false(valid_email(s));
	/* A 64-byte domain label. */
	s[0] = 'a';
	s[1] = '@';
	memset(s + 2, 'b', 64);
	snprintf(s + 66, sizeof(s) - 66, ".com");
	assert_false(valid_email(s));
	memset(s + 2, 'b', 63);
	snprintf(s + 65, sizeof(s) - 65, ".com");
	assert_true(valid_email(s));
}

static void test_postcode_serial(void **state)
{
	char s[64];

	(void)state;
	assert_true(valid_postcode("100000"));
	assert_true(valid_postcode("350001"));
	assert_false(valid_postcode("10000"));
	assert_false(valid_postcode("1000000"));
	assert_false(valid_postcode("10000a"));
	assert_false(valid_postcode("10000 "));
	assert_false(valid_postcode("-10000"));
	assert_false(valid_postcode(""));
	assert_false(valid_postcode(NULL));

	assert_true(valid_serial("0"));
	assert_true(valid_serial("0123456789abcdefABCDEF"));
	memset(s, 'F', 40);
	s[40] = '\0';
	assert_true(valid_serial(s));
	s[40] = 'F';
	s[41] = '\0';
	assert_false(valid_serial(s));
	assert_false(valid_serial(""));
	assert_false(valid_serial(NULL));
	assert_false(valid_serial("0x12"));
	assert_false(valid_serial("12g4"));
	assert_false(valid_serial("12 34"));
	assert_false(valid_serial("12:34"));
	assert_false(valid_serial("1234\n"));
}

static void expect_money(const char *s, int64_t want)
{
	int64_t fen = -1;

	assert_true(valid_money(s, &fen));
	assert_int_equal(fen, want);
}

static void test_money(void **state)
{
	int64_t fen = 42;

	(void)state;
	expect_money("260", 26000);
	expect_money("260.5", 26050);
	expect_money("260.00", 26000);
	expect_money("260.05", 26005);
	expect_money("0", 0);
	expect_money("0.01", 1);
	expect_money("0.1", 10);
	expect_money("9999999.99", 999999999);
	expect_money("10000000", 1000000000);
	expect_money("10000000.00", 1000000000);
	assert_true(valid_money("1", NULL));

	assert_false(valid_money("10000000.01", &fen));
	assert_false(valid_money("10000001", &fen));
	assert_false(valid_money("99999999", &fen));
	assert_false(valid_money("100000000", &fen));
	assert_false(valid_money("9223372036854775807", &fen));
	assert_false(valid_money("99999999999999999999999999", &fen));
	assert_false(valid_money("-1", &fen));
	assert_false(valid_money("+1", &fen));
	assert_false(valid_money("1e3", &fen));
	assert_false(valid_money("1E3", &fen));
	assert_false(valid_money("0x10", &fen));
	assert_false(valid_money("inf", &fen));
	assert_false(valid_money("nan", &fen));
	assert_false(valid_money("1.234", &fen));
	assert_false(valid_money("1.", &fen));
	assert_false(valid_money(".5", &fen));
	assert_false(valid_money("1..5", &fen));
	assert_false(valid_money("1.5.", &fen));
	assert_false(valid_money("1,000", &fen));
	assert_false(valid_money("1,5", &fen));
	assert_false(valid_money("0260", &fen));
	assert_false(valid_money("00", &fen));
	assert_false(valid_money(" 1", &fen));
	assert_false(valid_money("1 ", &fen));
	assert_false(valid_money("1\n", &fen));
	assert_false(valid_money("\xef\xbc\x91", &fen)); /* full-width 1 */
	assert_false(valid_money("", &fen));
	assert_false(valid_money(NULL, &fen));
	assert_int_equal(fen, 42);
}

static void test_money_format(void **state)
{
	char out[24];
	char small[4];

	(void)state;
	valid_money_format(26000, out, sizeof(out));
	assert_string_equal(out, "260.00");
	valid_money_format(26050, out, sizeof(out));
	assert_string_equal(out, "260.50");
	valid_money_format(1, out, sizeof(out));
	assert_string_equal(out, "0.01");
	valid_money_format(0, out, sizeof(out));
	assert_string_equal(out, "0.00");
	valid_money_format(-150, out, sizeof(out));
	assert_string_equal(out, "-1.50");
	valid_money_format(INT64_MAX, out, sizeof(out));
	assert_string_equal(out, "92233720368547758.07");
	valid_money_format(INT64_MIN, out, sizeof(out));
	assert_string_equal(out, "-92233720368547758.08");
	/* Truncated, terminated, no overrun. */
	valid_money_format(26000, small, sizeof(small));
	assert_string_equal(small, "260");
	valid_money_format(26000, NULL, 0);
	/* Round trip over the accepted range's edges. */
	{
		int64_t fen;

		valid_money_format(999999999, out, sizeof(out));
		assert_true(valid_money(out, &fen));
		assert_int_equal(fen, 999999999);
	}
}

static void test_text(void **state)
{
	(void)state;
	assert_true(valid_text(LIT("张三"), 2));
	assert_false(valid_text(LIT("张三"), 1));
	assert_true(valid_text(LIT("北京某某某科技有限公司"), 11));
	assert_false(valid_text(LIT("北京某某某科技有限公司"), 10));
	assert_true(valid_text(LIT("Zhang San"), 100));
	assert_true(valid_text(LIT("\xf0\x9f\x98\x80"), 1));      /* U+1F600, 4 bytes */
	assert_true(valid_text(LIT("\xc2\xa0"), 1));              /* U+00A0, first after C1 */
	assert_true(valid_text(LIT("\xed\x9f\xbf"), 1));          /* U+D7FF, below surrogates */
	assert_true(valid_text(LIT("\xee\x80\x80"), 1));          /* U+E000, above surrogates */
	assert_true(valid_text(LIT("\xf4\x8f\xbf\xbf"), 1));      /* U+10FFFF, the last */
	assert_true(valid_text(LIT("\xe0\xa0\x80"), 1));          /* U+0800, shortest 3-byte */
	assert_true(valid_text(LIT("\xf0\x90\x80\x80"), 1));      /* U+10000, shortest 4-byte */
	assert_true(valid_text(LIT("~"), 1));
	assert_true(valid_text(LIT(""), 0));
	/* Only the first n bytes count. */
	assert_true(valid_text("ab\x01", 2, 2));

	assert_false(valid_text(NULL, 0, 10));
	/* Control characters: C0 (tab and newline too), DEL, C1, NUL inside n. */
	assert_false(valid_text(LIT("a\tb"), 10));
	assert_false(valid_text(LIT("a\nb"), 10));
	assert_false(valid_text(LIT("a\rb"), 10));
	assert_false(valid_text(LIT("\x1b[31m"), 10));
	assert_false(valid_text(LIT("a\x7f"), 10));
	assert_false(valid_text(LIT("\xc2\x85"), 10)); /* NEL */
	assert_false(valid_text(LIT("\xc2\x9f"), 10));
	assert_false(valid_text(LIT("a\0b"), 10));
	/* Overlongs. */
	assert_false(valid_text(LIT("\xc0\x80"), 10));
	assert_false(valid_text(LIT("\xc1\xbf"), 10));
	assert_false(valid_text(LIT("\xe0\x80\x80"), 10));
	assert_false(valid_text(LIT("\xe0\x9f\xbf"), 10));
	assert_false(valid_text(LIT("\xf0\x80\x80\x80"), 10));
	assert_false(valid_text(LIT("\xf0\x8f\xbf\xbf"), 10));
	/* Surrogates, beyond U+10FFFF, bytes never used. */
	assert_false(valid_text(LIT("\xed\xa0\x80"), 10));
	assert_false(valid_text(LIT("\xed\xbf\xbf"), 10));
	assert_false(valid_text(LIT("\xf4\x90\x80\x80"), 10));
	assert_false(valid_text(LIT("\xf5\x80\x80\x80"), 10));
	assert_false(valid_text(LIT("\xfe"), 10));
	assert_false(valid_text(LIT("\xff"), 10));
	/* Truncated and broken sequences. */
	assert_false(valid_text(LIT("\xe5\xbc"), 10));
	assert_false(valid_text(LIT("\xe5"), 10));
	assert_false(valid_text(LIT("\xf0\x9f\x98"), 10));
	assert_false(valid_text(LIT("\xe5\xbc" "a"), 10));
	assert_false(valid_text(LIT("\x80"), 10));
	assert_false(valid_text(LIT("a\xbf"), 10));
	assert_false(valid_text(LIT("\xe5\xbc\xa0\xa0"), 10));
	/* n stops inside a sequence that continues in memory. */
	assert_false(valid_text("\xe5\xbc\xa0", 2, 10));
}

/* What token tools print and set: serials of letters, digits and '-', PINs of 6 to 8 digits. */
static void test_token(void **state)
{
	(void)state;
	assert_true(valid_token_serial("A1B2"));
	assert_true(valid_token_serial("TF-0019ab"));
	assert_true(valid_token_serial("0123456789012345678901234567890123456789012345678901234567890123"));
	assert_false(valid_token_serial("01234567890123456789012345678901234567890123456789012345678901234"));
	assert_false(valid_token_serial("ABC"));
	assert_false(valid_token_serial("../etc"));
	assert_false(valid_token_serial("AB CD"));
	assert_false(valid_token_serial(""));
	assert_false(valid_token_serial(NULL));
	assert_true(valid_pin("123456"));
	assert_true(valid_pin("12345678"));
	assert_false(valid_pin("12345"));
	assert_false(valid_pin("123456789"));
	assert_false(valid_pin("12345a"));
	assert_false(valid_pin(" 123456"));
	assert_false(valid_pin(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uscc_published),
		cmocka_unit_test(test_uscc_rejects),
		cmocka_unit_test(test_uscc_faults),
		cmocka_unit_test(test_finish_matches_published),
		cmocka_unit_test(test_org_code),
		cmocka_unit_test(test_resident_id),
		cmocka_unit_test(test_mobile),
		cmocka_unit_test(test_email),
		cmocka_unit_test(test_postcode_serial),
		cmocka_unit_test(test_money),
		cmocka_unit_test(test_money_format),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_token),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
