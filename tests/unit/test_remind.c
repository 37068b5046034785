/* Unit tests of domain/remind.c: the threshold of days left, and the renewal link. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "domain/remind.h"

static void test_threshold(void **state)
{
	(void)state;
	assert_int_equal(remind_threshold(-1), 0);
	assert_int_equal(remind_threshold(0), 7);
	assert_int_equal(remind_threshold(7), 7);
	assert_int_equal(remind_threshold(8), 30);
	assert_int_equal(remind_threshold(30), 30);
	assert_int_equal(remind_threshold(31), 90);
	assert_int_equal(remind_threshold(90), 90);
	assert_int_equal(remind_threshold(91), 0);
}

static void test_link(void **state)
{
	char out[128];

	(void)state;
	assert_int_equal(remind_link("https://hall.example.cn/", "bjca-zycg", "712C1B5A", out,
				     sizeof(out)), 0);
	assert_string_equal(out, "https://hall.example.cn/apply.html?channel=bjca-zycg&business=renew"
				 "&serial=712C1B5A");
	/* Parts a URL would have to escape are refused, never passed through. */
	assert_int_equal(remind_link("https://h", "bjca&x=1", "712C", out, sizeof(out)), -1);
	assert_int_equal(remind_link("https://h", "bjca", "71 2C", out, sizeof(out)), -1);
	assert_int_equal(remind_link("https://h", "", "712C", out, sizeof(out)), -1);
	/* Too long for the buffer. */
	assert_int_equal(remind_link("https://hall.example.cn", "bjca", "712C", out, 20), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_threshold),
		cmocka_unit_test(test_link),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
