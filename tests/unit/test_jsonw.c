/* Unit tests of shared/base/jsonw.c: its text against jansson's for the same values, byte for
 * byte, over hostile strings (quotes, controls, every byte, broken UTF-8), growth past its first
 * guess, and a failure that sticks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "base/jsonw.h"

/* jansson's compact dump of {"k": s, "list": [s, null]}, or NULL when it refuses s. */
static char *reference(const char *s)
{
	json_t *j = json_pack("{s:s, s:[s, n]}", "k", s, "list", s);
	char *out = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;

	json_decref(j);
	return out;
}

static const char *written(struct arena *a, const char *s, size_t cap)
{
	struct jsonw w;
	size_t len;
	const char *t;

	jsonw_init(&w, a, cap);
	jsonw_open(&w, '{');
	jsonw_kstr(&w, "k", s);
	jsonw_key(&w, "list");
	jsonw_open(&w, '[');
	jsonw_str(&w, s);
	jsonw_str(&w, NULL);
	jsonw_close(&w, ']');
	jsonw_close(&w, '}');
	t = jsonw_done(&w, &len);
	if (t)
		assert_int_equal(len, strlen(t));
	return t;
}

static void same_as_jansson(struct arena *a, const char *s, size_t cap)
{
	char *want = reference(s);
	const char *got = written(a, s, cap);

	if (!want) {
		assert_null(got);
		return;
	}
	assert_non_null(got);
	assert_string_equal(got, want);
	free(want);
}

static void test_hostile_strings(void **state)
{
	static const char *cases[] = {
		"", "plain", "q\"uote", "back\\slash", "</script>", "tab\there", "nl\ncr\r",
		"\x01\x02\x1f\x7f", "中文 😀", "\xe2\x80\xa8\xe2\x80\xa9", "\xc3\xa9t\xc3\xa9",
		"\xff", "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe4\xb8",
		"ok\xe4", "\xf0\x9f\x98", "a\xc2", "\\u0000", "\b\f",
	};
	struct arena a;

	(void)state;
	assert_int_equal(arena_init(&a, 4096, 1 << 20), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		same_as_jansson(&a, cases[i], 64);
		arena_reset(&a);
	}
	arena_free(&a);
}

/* Every byte value, alone and inside text; then random strings biased to UTF-8's edges. */
static void test_random_bytes(void **state)
{
	static const unsigned char edge[] = { 0x00, 0x1f, 0x20, 0x22, 0x5c, 0x7f, 0x80, 0xbf, 0xc0,
					      0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff,
					      0xa0, 0x9f, 0x8f, 0x90, 'a', 0xe4, 0xb8, 0xad };
	struct arena a;
	char s[40];

	(void)state;
	assert_int_equal(arena_init(&a, 4096, 1 << 20), 0);
	for (int b = 1; b < 256; b++) {
		s[0] = 'x';
		s[1] = (char)b;
		s[2] = 'y';
		s[3] = '\0';
		same_as_jansson(&a, s, 64);
		arena_reset(&a);
	}
	srand(15);
	for (int k = 0; k < 20000; k++) {
		size_t n = (size_t)(rand() % 12);

		for (size_t i = 0; i < n; i++)
			s[i] = (char)edge[rand() % (int)sizeof(edge)];
		s[n] = '\0';
		if (memchr(s, '\0', n))
			continue;
		same_as_jansson(&a, s, 64);
		arena_reset(&a);
	}
	arena_free(&a);
}

/* A text far past its first guess, and one past the arena's cap: the latter fails whole. */
static void test_growth_and_failure(void **state)
{
	struct arena a;
	char *big = malloc(200001);

	(void)state;
	assert_non_null(big);
	for (size_t i = 0; i < 200000; i++)
		big[i] = (i % 7 == 0) ? '"' : (char)('a' + i % 26);
	big[200000] = '\0';
	assert_int_equal(arena_init(&a, 4096, 8 << 20), 0);
	same_as_jansson(&a, big, 64);
	arena_free(&a);
	assert_int_equal(arena_init(&a, 4096, 64 * 1024), 0);
	assert_null(written(&a, big, 64));
	arena_free(&a);
	free(big);
}

/* Commas: nested objects and arrays, empty ones, and raw JSON values. */
static void test_nesting(void **state)
{
	struct arena a;
	struct jsonw w;
	size_t len;

	(void)state;
	assert_int_equal(arena_init(&a, 4096, 1 << 20), 0);
	jsonw_init(&w, &a, 8);
	jsonw_open(&w, '{');
	jsonw_key(&w, "a");
	jsonw_open(&w, '[');
	jsonw_close(&w, ']');
	jsonw_key(&w, "b");
	jsonw_open(&w, '{');
	jsonw_close(&w, '}');
	jsonw_key(&w, "c");
	jsonw_open(&w, '[');
	jsonw_open(&w, '{');
	jsonw_kstr(&w, "d", "1");
	jsonw_close(&w, '}');
	jsonw_open(&w, '{');
	jsonw_close(&w, '}');
	jsonw_raw(&w, "[1,2]", 5);
	jsonw_close(&w, ']');
	jsonw_close(&w, '}');
	assert_string_equal(jsonw_done(&w, &len), "{\"a\":[],\"b\":{},\"c\":[{\"d\":\"1\"},{},[1,2]]}");
	jsonw_init(&w, &a, 8);
	jsonw_raw(&w, NULL, 0);
	assert_null(jsonw_done(&w, &len));
	arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hostile_strings),
		cmocka_unit_test(test_random_bytes),
		cmocka_unit_test(test_growth_and_failure),
		cmocka_unit_test(test_nesting),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
