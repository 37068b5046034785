/* Unit tests: the per-request arena. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"

static void test_alignment_and_growth(void **state)
{
	struct arena a;

	(void)state;
	assert_int_equal(arena_init(&a, 256, 1 << 20), 0);
	for (int i = 0; i < 100; i++) {
		void *p = arena_alloc(&a, (size_t)(i % 37) + 1);

		assert_non_null(p);
		assert_int_equal((uintptr_t)p % 16, 0);
		memset(p, 0xAB, (size_t)(i % 37) + 1);
	}
	/* Bigger than a block: gets a block of its own. */
	assert_non_null(arena_alloc(&a, 10000));
	arena_free(&a);
}

static void test_cap_refuses(void **state)
{
	struct arena a;

	(void)state;
	assert_int_equal(arena_init(&a, 1024, 4096), 0);
	assert_non_null(arena_alloc(&a, 4000));
	assert_null(arena_alloc(&a, 200));
	assert_null(arena_alloc(&a, SIZE_MAX));
	assert_null(arena_calloc(&a, SIZE_MAX / 2, 4));
	arena_reset(&a);
	assert_non_null(arena_alloc(&a, 4000)); /* reset gives the budget back */
	arena_free(&a);
}

static int runs[3];
static int order_seen;

static void note(void *ctx)
{
	runs[(intptr_t)ctx] = ++order_seen;
}

static void test_cleanups_run_in_reverse(void **state)
{
	struct arena a;

	(void)state;
	order_seen = 0;
	memset(runs, 0, sizeof(runs));
	assert_int_equal(arena_init(&a, 128, 1 << 20), 0);
	for (intptr_t i = 0; i < 3; i++)
		assert_int_equal(arena_defer(&a, note, (void *)i), 0);
	arena_reset(&a);
	assert_int_equal(runs[2], 1);
	assert_int_equal(runs[1], 2);
	assert_int_equal(runs[0], 3);
	arena_reset(&a); /* nothing left to run */
	assert_int_equal(order_seen, 3);
	arena_free(&a);
}

static void test_strings(void **state)
{
	struct arena a;
	char *s;

	(void)state;
	assert_int_equal(arena_init(&a, 64, 1 << 20), 0);
	s = arena_strndup(&a, "hello world", 5);
	assert_string_equal(s, "hello");
	s = arena_printf(&a, "%s-%d", "n", 42);
	assert_string_equal(s, "n-42");
	s = arena_strdup(&a, "");
	assert_string_equal(s, "");
	arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alignment_and_growth),
		cmocka_unit_test(test_cap_refuses),
		cmocka_unit_test(test_cleanups_run_in_reverse),
		cmocka_unit_test(test_strings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
