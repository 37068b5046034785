/* Unit tests: query string, form and cookie decoding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/decode.h"

static struct arena a;

static int setup(void **state)
{
	(void)state;
	return arena_init(&a, 4096, 1 << 20);
}

static int teardown(void **state)
{
	(void)state;
	arena_free(&a);
	return 0;
}

static int dec(const char *s, struct kvlist *l)
{
	return decode_urlencoded(&a, s, strlen(s), 8, l);
}

static void test_query_basic(void **state)
{
	struct kvlist l;

	(void)state;
	assert_int_equal(dec("a=1&b=x%20y+z&flag&&c=%E5%BC%A0", &l), DECODE_OK);
	assert_int_equal(l.n, 4);
	assert_string_equal(kv_get(&l, "a"), "1");
	assert_string_equal(kv_get(&l, "b"), "x y z");
	assert_string_equal(kv_get(&l, "flag"), "");
	assert_string_equal(kv_get(&l, "c"), "张");
	assert_null(kv_get(&l, "missing"));
	assert_int_equal(dec("", &l), DECODE_OK);
	assert_int_equal(l.n, 0);
}

static void test_query_hostile(void **state)
{
	struct kvlist l;

	(void)state;
	assert_int_equal(dec("a=%", &l), DECODE_BAD);
	assert_int_equal(dec("a=%4", &l), DECODE_BAD);
	assert_int_equal(dec("a=%zz", &l), DECODE_BAD);
	assert_int_equal(dec("a=%00", &l), DECODE_BAD);
	assert_int_equal(dec("%00=1", &l), DECODE_BAD);
	assert_int_equal(dec("=1", &l), DECODE_BAD);
	assert_int_equal(dec("a=1&b=2&c=3&d=4&e=5&f=6&g=7&h=8&i=9", &l), DECODE_TOO_MANY);
	/* Exactly at the limit is fine. */
	assert_int_equal(dec("a=1&b=2&c=3&d=4&e=5&f=6&g=7&h=8", &l), DECODE_OK);
	assert_int_equal(l.n, 8);
	/* A length that stops inside an escape must not read past it. */
	assert_int_equal(decode_urlencoded(&a, "a=%41", 4, 8, &l), DECODE_BAD);
}

static void test_cookies(void **state)
{
	struct kvlist l;
	const char *c = " sid=abc123 ; theme=\"dark\";novalue; =x; lang = zh-CN ";

	(void)state;
	assert_int_equal(decode_cookies(&a, c, strlen(c), 8, &l), DECODE_OK);
	assert_int_equal(l.n, 3);
	assert_string_equal(kv_get(&l, "sid"), "abc123");
	assert_string_equal(kv_get(&l, "theme"), "dark");
	assert_string_equal(kv_get(&l, "lang"), "zh-CN");
	assert_int_equal(decode_cookies(&a, "a=1;b=2;c=3", 11, 2, &l), DECODE_TOO_MANY);
	assert_int_equal(decode_cookies(&a, "", 0, 2, &l), DECODE_OK);
	assert_int_equal(l.n, 0);
	assert_int_equal(decode_cookies(&a, "a=\0b", 4, 2, &l), DECODE_BAD);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_query_basic),
		cmocka_unit_test(test_query_hostile),
		cmocka_unit_test(test_cookies),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
