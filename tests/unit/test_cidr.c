/* Unit tests of shared/base/cidr.c ([limits] trusted_networks) and shared/base/hallday.c (the
 * hall's midnight): good lists, hostile ones, and days across midnight and DST. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/cidr.h"
#include "base/hallday.h"

static void test_good_lists(void **state)
{
	struct cidr_list l;
	char why[160];

	(void)state;
	assert_int_equal(cidr_parse_list("", &l, why, sizeof(why)), 0);
	assert_int_equal((int)l.n, 0);
	assert_false(cidr_match(&l, "127.0.0.1"));
	assert_int_equal(cidr_parse_list("  \t ", &l, why, sizeof(why)), 0);
	assert_int_equal((int)l.n, 0);
	assert_int_equal(cidr_parse_list(" 203.0.113.0/24 ,198.51.100.7,2001:db8:1::/48, ::1 ", &l,
					 why, sizeof(why)), 0);
	assert_int_equal((int)l.n, 4);
	assert_true(cidr_match(&l, "203.0.113.0"));
	assert_true(cidr_match(&l, "203.0.113.255"));
	assert_false(cidr_match(&l, "203.0.114.0"));
	assert_false(cidr_match(&l, "203.0.112.255"));
	assert_true(cidr_match(&l, "198.51.100.7"));
	assert_false(cidr_match(&l, "198.51.100.8"));
	assert_true(cidr_match(&l, "2001:db8:1:ffff::9"));
	assert_false(cidr_match(&l, "2001:db8:2::9"));
	assert_true(cidr_match(&l, "::1"));
	/* An IPv4 client seen through a dual-stack socket is its IPv4 address. */
	assert_true(cidr_match(&l, "::ffff:203.0.113.9"));
	assert_false(cidr_match(&l, "::ffff:203.0.114.9"));
	/* Odd prefix lengths cut inside a byte. */
	assert_int_equal(cidr_parse_list("10.0.0.0/9,fe80::/10", &l, why, sizeof(why)), 0);
	assert_true(cidr_match(&l, "10.127.255.255"));
	assert_false(cidr_match(&l, "10.128.0.0"));
	assert_true(cidr_match(&l, "febf::1"));
	assert_false(cidr_match(&l, "fec0::1"));
	/* A family never matches the other's network, however the bits look. */
	assert_int_equal(cidr_parse_list("::/8", &l, why, sizeof(why)), 0);
	assert_false(cidr_match(&l, "0.0.0.1"));
}

static void test_hostile_lists(void **state)
{
	static const struct {
		const char *text, *why;
	} bad[] = {
		{ ",", "item 1 is empty" },
		{ "10.0.0.0/8,", "item 2 is empty" },
		{ "10.0.0.0/8,,10.1.0.0/16", "item 2 is empty" },
		{ "/8", "not an address" },
		{ "10.0.0.0/", "prefix length" },
		{ "10.0.0.0/33", "from 1 to 32" },
		{ "2001:db8::/129", "from 1 to 128" },
		{ "10.0.0.0/-1", "prefix length" },
		{ "10.0.0.0/+8", "prefix length" },
		{ "10.0.0.0/08", "prefix length" },
		{ "10.0.0.0/8/8", "prefix length" },
		{ "10.0.0.0/99999999999999999999", "prefix length" },
		{ "10.0.0.0/0", "/0 would trust every address" },
		{ "::/0", "/0 would trust every address" },
		{ "10.1.2.3/8", "bits set past the prefix" },
		{ "2001:db8::1/32", "bits set past the prefix" },
		{ "10.0.0", "not an IPv4 or IPv6 address" },
		{ "10.0.0.256", "not an IPv4 or IPv6 address" },
		{ "010.0.0.1", "not an IPv4 or IPv6 address" },
		{ "0x0a.0.0.1", "not an IPv4 or IPv6 address" },
		{ "10.0.0.1 10.0.0.2", "separated by commas" },
		{ "10.0.0.0 /8", "separated by commas" },
		{ "fe80::1%eth0", "not an IPv4 or IPv6 address" },
		{ "::ffff:10.0.0.0/104", "not an IPv4 or IPv6 address" },
		{ "localhost", "not an IPv4 or IPv6 address" },
		{ "10.0.0.0/8;rm -rf /", "separated by commas" },
		{ "10.0.0.0/8;rm", "prefix length" },
		{ "\"10.0.0.0/8\"", "not an IPv4 or IPv6 address" },
		{ "10.0.0.0/8\n10.1.0.0/16", "prefix length" },
		{ "\xe4\xb8\xad.0.0.0/8", "not an IPv4 or IPv6 address" },
		{ "1:2:3:4:5:6:7:8:9", "not an IPv4 or IPv6 address" },
	};
	struct cidr_list l;
	char why[160], big[600], *p;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		l.n = 7;
		if (cidr_parse_list(bad[i].text, &l, why, sizeof(why)) != -1)
			fail_msg("accepted: \"%s\"", bad[i].text);
		assert_int_equal((int)l.n, 0); /* nothing of a bad list is kept */
		if (!strstr(why, bad[i].why))
			fail_msg("\"%s\": \"%s\" does not say \"%s\"", bad[i].text, why, bad[i].why);
	}
	/* An item longer than any address. */
	memset(big, '1', 200);
	big[200] = '\0';
	assert_int_equal(cidr_parse_list(big, &l, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "longer than 64"));
	/* More networks than the list holds. */
	p = big;
	for (int i = 0; i <= CIDR_MAX; i++)
		p += snprintf(p, sizeof(big) - (size_t)(p - big), "%s10.%d.0.0/16", i ? "," : "", i);
	assert_int_equal(cidr_parse_list(big, &l, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "more than 32"));
	/* One fewer fits. */
	*strrchr(big, ',') = '\0';
	assert_int_equal(cidr_parse_list(big, &l, why, sizeof(why)), 0);
	assert_int_equal((int)l.n, CIDR_MAX);
	/* why may be NULL; a small why buffer is cut, never overrun. */
	assert_int_equal(cidr_parse_list("10.0.0.0/33", &l, NULL, 0), -1);
	memset(big, 'x', 16);
	assert_int_equal(cidr_parse_list("10.0.0.0/33", &l, big, 8), -1);
	assert_int_equal((int)strlen(big), 7);
}

static void test_hostile_addresses(void **state)
{
	struct cidr_list l;
	char big[300];

	(void)state;
	assert_int_equal(cidr_parse_list("0.0.0.0/1,::/1", &l, NULL, 0), 0);
	assert_false(cidr_match(&l, NULL));
	assert_false(cidr_match(&l, ""));
	assert_false(cidr_match(&l, "unix:"));
	assert_false(cidr_match(&l, "10.0.0.1 "));
	assert_false(cidr_match(&l, "10.0.0.1/8"));
	assert_false(cidr_match(&l, "::1%lo"));
	memset(big, '1', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_false(cidr_match(&l, big));
	assert_true(cidr_match(&l, "10.0.0.1"));
	assert_true(cidr_match(&l, "::1"));
}

/* 2026-12-07 00:00 in Shanghai is 2026-12-06 16:00 UTC. */
static void test_hall_midnight(void **state)
{
	time_t start, end, t = 1796515200 + 16 * 3600 - 1; /* 2026-12-06 23:59:59 +08:00 */

	(void)state;
	assert_int_equal(hallday_bounds("Asia/Shanghai", t, &start, &end), 0);
	assert_int_equal((long long)start, 1796515200LL + 16 * 3600 - 86400);
	assert_int_equal((long long)end, 1796515200LL + 16 * 3600);
	assert_int_equal(hallday_bounds("Asia/Shanghai", t + 1, &start, &end), 0);
	assert_int_equal((long long)start, 1796515200LL + 16 * 3600);
	assert_int_equal((long long)(end - start), 86400);
	/* 08:00 in Shanghai is UTC's midnight: nothing turns there. */
	assert_int_equal(hallday_bounds("Asia/Shanghai", 1796515200 + 86400, &start, &end), 0);
	assert_int_equal((long long)start, 1796515200LL + 16 * 3600);
	/* UTC: the day turns at 00:00 UTC. */
	assert_int_equal(hallday_bounds("UTC", 1796515200 + 5, &start, &end), 0);
	assert_int_equal((long long)start, 1796515200LL);
	/* A zone with daylight saving: 2026-03-29 in Berlin has 23 hours. */
	assert_int_equal(hallday_bounds("Europe/Berlin", 1774789200 /* 2026-03-29 13:00 UTC */,
					&start, &end), 0);
	assert_int_equal((long long)(end - start), 23 * 3600);
	/* Back to the hall's zone, the answer is the hall's again. */
	assert_int_equal(hallday_bounds("Asia/Shanghai", t, &start, &end), 0);
	assert_int_equal((long long)end, 1796515200LL + 16 * 3600);
}

static void test_zone_names(void **state)
{
	(void)state;
	assert_true(hallday_zone_ok("Asia/Shanghai"));
	assert_true(hallday_zone_ok("UTC"));
	assert_true(hallday_zone_ok("America/Argentina/Buenos_Aires"));
	assert_false(hallday_zone_ok(""));
	assert_false(hallday_zone_ok("Asia"));
	assert_false(hallday_zone_ok("Asia/"));
	assert_false(hallday_zone_ok("/etc/localtime"));
	assert_false(hallday_zone_ok("../zoneinfo/UTC"));
	assert_false(hallday_zone_ok("Asia/../UTC"));
	assert_false(hallday_zone_ok("Asia//Shanghai"));
	assert_false(hallday_zone_ok("Asia/Shanghai "));
	assert_false(hallday_zone_ok("CST-8")); /* a POSIX TZ string is no zone name */
	assert_false(hallday_zone_ok("zone.tab"));
	assert_false(hallday_zone_ok("Asia/Nowhere"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_lists),
		cmocka_unit_test(test_hostile_lists),
		cmocka_unit_test(test_hostile_addresses),
		cmocka_unit_test(test_hall_midnight),
		cmocka_unit_test(test_zone_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
