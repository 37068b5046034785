/* Unit tests of shared/ext/waybill.c (every carrier's format, the S10 check digit, normalising)
 * and of shared/ext/courier.c's check of a courier's answer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "ext/courier.h"
#include "ext/waybill.h"

static void ok(const char *carrier, const char *number)
{
	const char *exp = NULL;

	if (!waybill_check(carrier, number, &exp))
		fail_msg("%s %s should pass", carrier, number);
	assert_non_null(exp);
}

static void bad(const char *carrier, const char *number)
{
	const char *exp = NULL;

	if (waybill_check(carrier, number, &exp))
		fail_msg("%s %s should fail", carrier, number);
	assert_non_null(exp);
}

/* The published example of the S10 description: serial 47312482, check digit 9; and the
 * brief's EMS domestic example EA123456785CN (sum 204, 204 mod 11 = 6, 11 - 6 = 5). */
static void test_s10_published(void **state)
{
	(void)state;
	assert_int_equal(waybill_s10_check_digit("47312482"), 9);
	assert_int_equal(waybill_s10_check_digit("12345678"), 5);
	assert_true(waybill_s10_valid("RR473124829CN"));
	assert_true(waybill_s10_valid("EA123456785CN"));
	ok("ems", "EA123456785CN");
	ok("ems", "RR473124829CN");
	ok("ems", "ea123456785cn");
}

/* Every wrong check digit is refused; the two remaps (10 -> 0, 11 -> 5) are exercised. */
static void test_s10_check_digits(void **state)
{
	char s[14] = "EA123456785CN";
	(void)state;
	for (char c = '0'; c <= '9'; c++) {
		s[10] = c;
		if (c == '5')
			assert_true(waybill_s10_valid(s));
		else
			assert_false(waybill_s10_valid(s));
	}
	/* 00000000: sum 0, 11 - 0 = 11 -> 5. */
	assert_int_equal(waybill_s10_check_digit("00000000"), 5);
	assert_true(waybill_s10_valid("EE000000005CN"));
	assert_false(waybill_s10_valid("EE000000001CN"));
	/* 00300000: sum 3 * 4 = 12, 12 mod 11 = 1, 11 - 1 = 10 -> 0. */
	assert_int_equal(waybill_s10_check_digit("00300000"), 0);
	assert_true(waybill_s10_valid("EA003000000CN"));
	assert_false(waybill_s10_valid("EA003000001CN"));
	assert_int_equal(waybill_s10_check_digit("10000000"), 3);
	assert_int_equal(waybill_s10_check_digit("00000003"), 1);
	/* Not digits, too short. */
	assert_int_equal(waybill_s10_check_digit("1234567A"), -1);
	assert_int_equal(waybill_s10_check_digit("1234567"), -1);
	assert_int_equal(waybill_s10_check_digit(NULL), -1);
	/* Letters where digits go, digits where letters go, lower case (not normalised here). */
	assert_false(waybill_s10_valid("E1123456785CN"));
	assert_false(waybill_s10_valid("EA123456785C1"));
	assert_false(waybill_s10_valid("ea123456785cn"));
	assert_false(waybill_s10_valid("EA12345678A5CN"));
	assert_false(waybill_s10_valid(NULL));
}

static void test_ems(void **state)
{
	(void)state;
	ok("ems", "EE000000005CN");
	ok("ems", "CP473124829CN");
	/* Domestic 13-digit numbers: 1, 5, 8, 9 first ([A], [B] of waybill.c). */
	ok("ems", "1240921381750");
	ok("ems", "5012345678901");
	ok("ems", "9812345678901");
	ok("ems", "8812345678901");
	bad("ems", "2240921381750");
	bad("ems", "0240921381750");
	bad("ems", "124092138175");
	bad("ems", "12409213817501");
	/* S10 with a wrong check digit, and boundaries of length. */
	bad("ems", "EA123456784CN");
	bad("ems", "EA12345678CN");
	bad("ems", "EA1234567855CN");
	bad("ems", "E123456785CN");
	bad("ems", "EA123456785C");
	bad("ems", "SF1402345678901");
}

static void test_sf(void **state)
{
	(void)state;
	ok("sf", "SF1402345678901");
	ok("sf", "SF140234567890");
	ok("sf", "sf1402345678901");
	ok("sf", " SF 1402 3456 7890 1 ");
	bad("sf", "SF14023456789");     /* 11 digits */
	bad("sf", "SF14023456789012");  /* 14 digits */
	bad("sf", "140234567890");      /* the old bare form: no longer issued */
	bad("sf", "SX1402345678901");
	bad("sf", "SF140234567890A");
	bad("sf", "SF");
	bad("sf", "YT1402345678901");
}

static void test_zto(void **state)
{
	(void)state;
	ok("zto", "75123456789012");
	ok("zto", "731234567890");      /* 12 */
	ok("zto", "312345678901234");   /* 15 */
	ok("zto", "432542035598773");
	bad("zto", "73123456789");      /* 11 */
	bad("zto", "7312345678901234"); /* 16 */
	bad("zto", "07512345678901");
	bad("zto", "ZT5123456789012");
	bad("zto", "7512345678901X");
}

static void test_yto(void **state)
{
	(void)state;
	ok("yto", "YT7512345678901");
	ok("yto", "yt7512345678901");
	bad("yto", "YT751234567890");   /* 12 digits */
	bad("yto", "YT75123456789012"); /* 14 digits */
	bad("yto", "7512345678901");
	bad("yto", "YD7512345678901");
}

static void test_sto(void **state)
{
	(void)state;
	ok("sto", "773123456789012");
	ok("sto", "77316523125896");
	ok("sto", "881234567890");
	ok("sto", "STO1234567890");
	bad("sto", "77312345678");       /* 11 */
	bad("sto", "7731234567890123");  /* 16 */
	bad("sto", "073123456789012");
	bad("sto", "STO123456789");      /* STO + 9 */
	bad("sto", "STO12345678901");    /* STO + 11 */
}

static void test_yunda(void **state)
{
	(void)state;
	ok("yunda", "4312345678901");
	ok("yunda", "462598779470531");
	bad("yunda", "43123456789012");   /* 14: no series has it */
	bad("yunda", "431234567890");     /* 12 */
	bad("yunda", "4625987794705312"); /* 16 */
	bad("yunda", "0312345678901");
	bad("yunda", "YD12345678901");
}

static void test_jd(void **state)
{
	(void)state;
	ok("jd", "JDVA11408814483");
	ok("jd", "JDX012345678901");
	ok("jd", "JDK012345678901");
	ok("jd", "JD0012345678901");
	ok("jd", "jdva11408814483");
	bad("jd", "JDVA1140881448");    /* 14 */
	bad("jd", "JDVA114088144833");  /* 16 */
	bad("jd", "JDVAA1408814483");   /* a letter among the 11 digits */
	bad("jd", "JXVA11408814483");
	bad("jd", "JD-A11408814483");
}

static void test_deppon(void **state)
{
	(void)state;
	ok("deppon", "DPK364112047425");
	ok("deppon", "DPK300585915441");
	ok("deppon", "12345678");
	ok("deppon", "1234567890");
	bad("deppon", "DPK36411204742");    /* DPK + 11 */
	bad("deppon", "DPK3641120474251");  /* DPK + 13 */
	bad("deppon", "1234567");
	bad("deppon", "12345678901");
	bad("deppon", "DPX364112047425");
}

/* Unknown carriers, hostile input: refused, and no expected format for an unknown carrier. */
static void test_hostile(void **state)
{
	char big[200];
	const char *exp = "x";

	(void)state;
	assert_false(waybill_check("ups", "1Z999AA10123456784", &exp));
	assert_null(exp);
	assert_false(waybill_check(NULL, "SF1402345678901", &exp));
	assert_null(exp);
	assert_false(waybill_check("SF", "SF1402345678901", NULL)); /* codes are lower case */
	bad("sf", NULL);
	bad("sf", "");
	bad("sf", "   ");
	bad("sf", "SF1402345678901'; DROP TABLE waybills; --");
	bad("sf", "SF<b>1402345678901</b>");
	bad("sf", "SF14023456\n78901");
	bad("sf", "SF14023456\t78901");
	bad("sf", "SF1402345678901\x7f");
	bad("sf", "SF1402345678901\xff");
	bad("sf", "SF1402-3456-78901");
	bad("ems", "EA123456785CN\xef\xbc");  /* a cut full-width character */
	memset(big, '1', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	big[0] = 'S';
	big[1] = 'F';
	bad("sf", big);
	assert_null(waybill_carrier_name("ups"));
	assert_null(waybill_carrier_name(NULL));
	assert_string_equal(waybill_carrier_name("sf"), "顺丰速运");
	assert_string_equal(waybill_carrier_name("deppon"), "德邦快递");
	for (size_t i = 0; waybill_carriers[i]; i++)
		assert_non_null(waybill_carrier_name(waybill_carriers[i]));
}

static void test_normalise(void **state)
{
	char out[WAYBILL_MAX + 1];
	char exact[WAYBILL_MAX + 2];

	(void)state;
	assert_true(waybill_normalise(" sf 1402 3456 7890 1 ", out));
	assert_string_equal(out, "SF1402345678901");
	/* Full-width letters and digits and the ideographic space of a Chinese input method. */
	assert_true(waybill_normalise("\xef\xbc\xb3\xef\xbd\x86\xe3\x80\x80\xef\xbc\x91\xef\xbc\x94", out));
	assert_string_equal(out, "SF14");
	ok("sf", "\xef\xbc\xb3\xef\xbc\xa6\xef\xbc\x91\xef\xbc\x94\xef\xbc\x90\xef\xbc\x92"
		 "345678901");
	assert_false(waybill_normalise("", out));
	assert_string_equal(out, "");
	assert_false(waybill_normalise(NULL, out));
	assert_false(waybill_normalise("SF-1", out));
	assert_string_equal(out, "");
	assert_false(waybill_normalise("SF\xe2\x80\x8b" "1", out)); /* zero-width space */
	/* WAYBILL_MAX characters pass, one more does not. */
	memset(exact, 'A', WAYBILL_MAX);
	exact[WAYBILL_MAX] = '\0';
	assert_true(waybill_normalise(exact, out));
	exact[WAYBILL_MAX] = 'A';
	exact[WAYBILL_MAX + 1] = '\0';
	assert_false(waybill_normalise(exact, out));
}

/* The courier's answer is a third party's text: only a known state and clean events pass. */
static void test_courier_parse(void **state)
{
	struct courier_track t;
	char err[128];
	json_t *a;

	(void)state;
	a = json_loads("{\"state\":\"in_transit\",\"events\":[{\"at\":\"2026-11-20T09:30:00+08:00\","
		       "\"text\":\"快件已揽收\",\"x\":1}]}", 0, NULL);
	assert_int_equal(courier_parse(a, &t, err, sizeof(err)), 0);
	assert_string_equal(t.state, "in_transit");
	assert_int_equal(json_array_size(t.events), 1);
	assert_null(json_object_get(json_array_get(t.events, 0), "x")); /* only at and text */
	assert_string_equal(courier_state_name(t.state), "运输中");
	json_decref(t.events);
	json_decref(a);

	static const char *const refused[] = {
		"{\"state\":\"lost\",\"events\":[]}",
		"{\"events\":[]}",
		"[1]",
		"{\"state\":\"delivered\",\"events\":{}}",
		"{\"state\":\"delivered\",\"events\":[1]}",
		"{\"state\":\"delivered\",\"events\":[{\"at\":\"x\"}]}",
		"{\"state\":\"delivered\",\"events\":[{\"at\":\"x\",\"text\":5}]}",
		"{\"state\":\"delivered\",\"events\":[{\"at\":\"x\",\"text\":\"a\\u0000b\"}]}",
		"{\"state\":\"delivered\",\"events\":[{\"at\":\"x\",\"text\":\"a\\u0007b\"}]}",
		"{\"state\":\"delivered\",\"events\":[{\"at\":\"x\",\"text\":\"a\\nb\"}]}",
	};
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		a = json_loads(refused[i], JSON_ALLOW_NUL, NULL);
		assert_non_null(a);
		if (courier_parse(a, &t, err, sizeof(err)) != COURIER_UNAVAILABLE)
			fail_msg("accepted %s", refused[i]);
		assert_null(t.events);
		json_decref(a);
	}
	/* A text of 201 characters is refused; 200 pass. */
	{
		char text[700], json[900];
		size_t n = 0;

		for (int i = 0; i < 200; i++)
			n += (size_t)snprintf(text + n, sizeof(text) - n, "字");
		snprintf(json, sizeof(json), "{\"state\":\"delivered\",\"events\":[{\"at\":\"x\",\"text\":\"%s\"}]}", text);
		a = json_loads(json, 0, NULL);
		assert_int_equal(courier_parse(a, &t, err, sizeof(err)), 0);
		json_decref(t.events);
		json_decref(a);
		snprintf(json, sizeof(json), "{\"state\":\"delivered\",\"events\":[{\"at\":\"x\",\"text\":\"%s字\"}]}", text);
		a = json_loads(json, 0, NULL);
		assert_int_equal(courier_parse(a, &t, err, sizeof(err)), COURIER_UNAVAILABLE);
		json_decref(a);
	}
	/* More than COURIER_MAX_EVENTS: the newest are kept; no events at all is fine. */
	a = json_pack("{s:s, s:[]}", "state", "delivered", "events");
	for (int i = 0; i < COURIER_MAX_EVENTS + 5; i++)
		json_array_append_new(json_object_get(a, "events"),
				      json_pack("{s:s, s:s}", "at", "t", "text",
						i == COURIER_MAX_EVENTS + 4 ? "last" : "e"));
	assert_int_equal(courier_parse(a, &t, err, sizeof(err)), 0);
	assert_int_equal(json_array_size(t.events), COURIER_MAX_EVENTS);
	assert_string_equal(json_string_value(json_object_get(json_array_get(t.events, COURIER_MAX_EVENTS - 1), "text")), "last");
	json_decref(t.events);
	json_decref(a);
	a = json_loads("{\"state\":\"unknown\"}", 0, NULL);
	assert_int_equal(courier_parse(a, &t, err, sizeof(err)), 0);
	assert_int_equal(json_array_size(t.events), 0);
	json_decref(t.events);
	json_decref(a);
	assert_null(courier_state_code("Delivered"));
	assert_null(courier_state_name(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_s10_published),
		cmocka_unit_test(test_s10_check_digits),
		cmocka_unit_test(test_ems),
		cmocka_unit_test(test_sf),
		cmocka_unit_test(test_zto),
		cmocka_unit_test(test_yto),
		cmocka_unit_test(test_sto),
		cmocka_unit_test(test_yunda),
		cmocka_unit_test(test_jd),
		cmocka_unit_test(test_deppon),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_normalise),
		cmocka_unit_test(test_courier_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
