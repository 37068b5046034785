/* Unit tests of shared/domain/workdays.c: dates, weekdays, counts across weekends, holidays and the
 * weekend days worked of the 2026 State Council notice (schema/seed/holidays.sql). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "domain/workdays.h"

/* The 2026 notice, as in schema/seed/holidays.sql (weekday holidays and all). */
static const char *const off_2026[] = {
	"2026-01-01", "2026-01-02", "2026-01-03", "2026-02-15", "2026-02-16", "2026-02-17",
	"2026-02-18", "2026-02-19", "2026-02-20", "2026-02-21", "2026-02-22", "2026-02-23",
	"2026-04-04", "2026-04-05", "2026-04-06", "2026-05-01", "2026-05-02", "2026-05-03",
	"2026-05-04", "2026-05-05", "2026-06-19", "2026-06-20", "2026-06-21", "2026-09-25",
	"2026-09-26", "2026-09-27", "2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04",
	"2026-10-05", "2026-10-06", "2026-10-07",
};
static const char *const on_2026[] = {
	"2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10",
};

static int32_t off[sizeof(off_2026) / sizeof(off_2026[0])];
static int32_t on[sizeof(on_2026) / sizeof(on_2026[0])];
static struct workdays_cal cal;

static int32_t D(const char *ymd)
{
	int32_t d;

	if (!workdays_parse(ymd, &d))
		fail_msg("bad date %s", ymd);
	return d;
}

static int setup(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(off) / sizeof(off[0]); i++)
		off[i] = D(off_2026[i]);
	for (size_t i = 0; i < sizeof(on) / sizeof(on[0]); i++)
		on[i] = D(on_2026[i]);
	cal = (struct workdays_cal){ off, sizeof(off) / sizeof(off[0]), on, sizeof(on) / sizeof(on[0]) };
	return 0;
}

static void test_dates(void **state)
{
	char s[16];
	int32_t d;

	(void)state;
	assert_int_equal(D("1970-01-01"), 0);
	assert_int_equal(D("1970-01-02"), 1);
	assert_int_equal(D("2000-03-01") - D("2000-02-28"), 2); /* 2000 is a leap year */
	assert_int_equal(D("2100-03-01") - D("2100-02-28"), 1); /* 2100 is not */
	assert_int_equal(workdays_weekday(0), 3);                /* Thursday */
	assert_int_equal(workdays_weekday(D("2026-11-21")), 5);  /* Saturday */
	assert_int_equal(workdays_weekday(D("2026-10-01")), 3);  /* the notice: 10 月 1 日（周四） */
	assert_int_equal(workdays_weekday(D("2026-02-15")), 6);  /* 2 月 15 日（周日） */
	workdays_format(D("2026-02-28"), s, sizeof(s));
	assert_string_equal(s, "2026-02-28");
	workdays_format(D("2027-12-31") + 1, s, sizeof(s));
	assert_string_equal(s, "2028-01-01");
	assert_false(workdays_parse("2026-02-29", &d));
	assert_true(workdays_parse("2028-02-29", &d));
	assert_false(workdays_parse("2026-13-01", &d));
	assert_false(workdays_parse("2026-00-10", &d));
	assert_false(workdays_parse("2026-04-31", &d));
	assert_false(workdays_parse("2026-4-3", &d));
	assert_false(workdays_parse("2026-04-03 ", &d));
	assert_false(workdays_parse("2026/04/03", &d));
	assert_false(workdays_parse("20x6-04-03", &d));
	assert_false(workdays_parse("1969-12-31", &d));
	assert_false(workdays_parse("", &d));
	assert_false(workdays_parse(NULL, &d));
	/* Instants: China is UTC+8, so 16:00 UTC is already the next day there. */
	assert_int_equal(workdays_china_day(1795276800), D("2026-11-22")); /* 00:00 CST */
	assert_int_equal(workdays_china_day(1795276800 - 1), D("2026-11-21"));
}

static void test_same_day_and_reverse(void **state)
{
	int32_t mon = D("2026-11-16"), fri = D("2026-11-20");

	(void)state;
	assert_int_equal(workdays_count(mon, mon, &cal), 0);
	assert_int_equal(workdays_count(D("2026-10-03"), D("2026-10-03"), &cal), 0);
	assert_int_equal(workdays_count(mon, fri, &cal), 4);
	assert_int_equal(workdays_count(fri, mon, &cal), -4);
	assert_int_equal(workdays_count(D("2026-10-09"), D("2026-09-30"), &cal),
			 -workdays_count(D("2026-09-30"), D("2026-10-09"), &cal));
}

static void test_across_weekend(void **state)
{
	(void)state;
	/* Friday 2026-11-20 to Monday 11-23: Saturday and Sunday do not count. */
	assert_int_equal(workdays_count(D("2026-11-20"), D("2026-11-23"), &cal), 1);
	assert_int_equal(workdays_count(D("2026-11-20"), D("2026-11-22"), &cal), 0);
	/* Saturday to Monday; two whole weeks. */
	assert_int_equal(workdays_count(D("2026-11-21"), D("2026-11-23"), &cal), 1);
	assert_int_equal(workdays_count(D("2026-11-16"), D("2026-11-30"), &cal), 10);
	/* Without a calendar: weekends only, also across 1970's first days. */
	assert_int_equal(workdays_count(0, 7, NULL), 5);
	assert_int_equal(workdays_count(D("2026-02-13"), D("2026-02-24"), NULL), 7);
}

static void test_across_holidays(void **state)
{
	(void)state;
	/* 国庆 2026: 9-30 (Wed) to 10-09 (Fri): 10-01..07 off, 10-08 and 10-09 worked. */
	assert_int_equal(workdays_count(D("2026-09-30"), D("2026-10-09"), &cal), 2);
	/* ... and 10-10, a Saturday worked (调休上班), counts: */
	assert_int_equal(workdays_count(D("2026-09-30"), D("2026-10-10"), &cal), 3);
	assert_int_equal(workdays_count(D("2026-10-09"), D("2026-10-12"), &cal), 2);
	/* 中秋 (9-25 Fri) and the Sunday worked before 国庆 (9-20). */
	assert_int_equal(workdays_count(D("2026-09-18"), D("2026-09-21"), &cal), 2);
	assert_int_equal(workdays_count(D("2026-09-24"), D("2026-09-28"), &cal), 1);
	/* 春节: 2-13 (Fri) to 2-24 (Tue): 2-14 (Sat) worked, 2-15..23 off, 2-24 worked. */
	assert_int_equal(workdays_count(D("2026-02-13"), D("2026-02-24"), &cal), 2);
	/* 劳动节: 4-30 (Thu) to 5-11 (Mon): 5-06, 07, 08, 09 (Sat, worked), 11. */
	assert_int_equal(workdays_count(D("2026-04-30"), D("2026-05-11"), &cal), 5);
	/* A whole year: 261 weekdays in 2026, 19 of them off (元旦 2, 春节 6, 清明 1, 劳动节 3,
	 * 端午 1, 中秋 1, 国庆 5), 6 weekend days worked: 248. */
	{
		long weekday_off = 0;

		for (size_t i = 0; i < sizeof(off) / sizeof(off[0]); i++)
			weekday_off += workdays_weekday(off[i]) < 5;
		assert_int_equal(workdays_count(D("2025-12-31"), D("2026-12-31"), NULL), 261);
		assert_int_equal(workdays_count(D("2025-12-31"), D("2026-12-31"), &cal),
				 261 - weekday_off + 6);
		assert_int_equal(weekday_off, 19);
		assert_int_equal(workdays_count(D("2025-12-31"), D("2026-12-31"), &cal), 248);
	}
}

static void test_is_working(void **state)
{
	(void)state;
	assert_true(workdays_is_working(D("2026-10-10"), &cal));   /* Saturday worked */
	assert_true(workdays_is_working(D("2026-09-20"), &cal));   /* Sunday worked */
	assert_false(workdays_is_working(D("2026-10-10"), NULL));
	assert_false(workdays_is_working(D("2026-10-01"), &cal));  /* Thursday, 国庆 */
	assert_true(workdays_is_working(D("2026-10-01"), NULL));
	assert_false(workdays_is_working(D("2026-10-03"), &cal));  /* Saturday inside 国庆 */
	assert_false(workdays_is_working(D("2026-11-21"), &cal));  /* plain Saturday */
	assert_true(workdays_is_working(D("2026-11-20"), &cal));
	/* Past the calendar: weekends only. */
	assert_true(workdays_is_working(D("2030-10-01"), &cal));
}

static void test_add(void **state)
{
	(void)state;
	/* Paper arrives Wednesday 9-30: 3 working days later is 10-10 (the Saturday worked). */
	assert_int_equal(workdays_add(D("2026-09-30"), 3, &cal), D("2026-10-10"));
	assert_int_equal(workdays_add(D("2026-11-20"), 1, &cal), D("2026-11-23"));
	assert_int_equal(workdays_add(D("2026-11-20"), 0, &cal), D("2026-11-20"));
	assert_int_equal(workdays_add(D("2026-11-20"), -5, &cal), D("2026-11-20"));
	for (long n = 0; n < 40; n++)
		assert_int_equal(workdays_count(D("2026-09-10"), workdays_add(D("2026-09-10"), n, &cal), &cal), n);
}

static void test_between_instants(void **state)
{
	/* 2026-09-30 10:00 CST = 02:00 UTC; 2026-10-10 23:30 CST = 15:30 UTC. */
	time_t from = 1790733600, to = 1791646200;

	(void)state;
	assert_int_equal(workdays_china_day(from), D("2026-09-30"));
	assert_int_equal(workdays_china_day(to), D("2026-10-10"));
	assert_int_equal(workdays_between(from, to, &cal), 3);
	assert_int_equal(workdays_between(to, from, &cal), -3);
	assert_int_equal(workdays_between(from, from + 3600, &cal), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_same_day_and_reverse),
		cmocka_unit_test(test_across_weekend),
		cmocka_unit_test(test_across_holidays),
		cmocka_unit_test(test_is_working),
		cmocka_unit_test(test_add),
		cmocka_unit_test(test_between_instants),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
