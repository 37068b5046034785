/* fuzz_decode: libFuzzer harness for decode_urlencoded, decode_cookies and kv_get. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                          \
	do {                                 \
		if (!(cond))                 \
			__builtin_trap();    \
	} while (0)

/*
 * Each decode runs on a fresh arena. Tiny blocks give most allocations a malloc of their
 * own, so ASan sees an overrun; the caps go from tight (the DECODE_NOMEM path) to ample
 * (0 here: 64 bytes per input byte, where running out of memory is itself a bug).
 */
static const struct {
	size_t block, max;
} shapes[] = { { 16, 48 }, { 16, 400 }, { 64, 0 } };

static const size_t max_pairs[] = { 0, 1, 3, 64 };

/* Non-empty '&' segments: the pairs decode_urlencoded must return when it succeeds. */
static size_t count_query_pairs(const char *s, size_t n)
{
	size_t k = 0, len = 0;

	for (size_t i = 0; i <= n; i++) {
		if (i == n || s[i] == '&') {
			k += len > 0;
			len = 0;
		} else {
			len++;
		}
	}
	return k;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* ';' segments that, blanks trimmed, hold '=' after at least one character: the cookies. */
static size_t count_cookie_pairs(const char *s, size_t n)
{
	size_t k = 0, start = 0;

	for (size_t i = 0; i <= n; i++) {
		size_t b, e;

		if (i < n && s[i] != ';')
			continue;
		b = start;
		e = i;
		start = i + 1;
		while (b < e && is_blank(s[b]))
			b++;
		if (b < e && s[b] != '=' && memchr(s + b, '=', e - b))
			k++;
	}
	return k;
}

static void check_list(const struct kvlist *l, size_t max)
{
	CHECK(l->n <= max);
	for (size_t i = 0; i < l->n; i++) {
		const struct kv *kv = &l->items[i];
		size_t j = 0;

		CHECK(kv->name && kv->name[0] != '\0');
		CHECK(kv->value && strlen(kv->value) == kv->value_len);
		/* kv_get answers the first pair of that name. */
		while (strcmp(l->items[j].name, kv->name) != 0)
			j++;
		CHECK(kv_get(l, kv->name) == l->items[j].value);
	}
}

static void run(const char *s, size_t n, bool cookies)
{
	size_t expect = cookies ? count_cookie_pairs(s, n) : count_query_pairs(s, n);

	for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		size_t cap = shapes[i].max ? shapes[i].max : 64 * n + 4096;

		for (size_t j = 0; j < sizeof(max_pairs) / sizeof(max_pairs[0]); j++) {
			struct arena a;
			struct kvlist l = { NULL, 0 };
			int rc;

			if (arena_init(&a, shapes[i].block, cap) != 0)
				return;
			rc = cookies ? decode_cookies(&a, s, n, max_pairs[j], &l)
				     : decode_urlencoded(&a, s, n, max_pairs[j], &l);
			CHECK(rc == DECODE_OK || rc == DECODE_BAD || rc == DECODE_TOO_MANY ||
			      rc == DECODE_NOMEM);
			CHECK(l.n <= max_pairs[j]);
			if (rc == DECODE_OK) {
				check_list(&l, max_pairs[j]);
				CHECK(l.n == expect);
			}
			if (rc == DECODE_TOO_MANY)
				CHECK(expect > max_pairs[j]);
			if (!shapes[i].max)
				CHECK(rc != DECODE_NOMEM);
			arena_free(&a);
		}
	}
}

/* An exact-size heap copy, so reading one byte past the part is an ASan report. */
static void run_part(const uint8_t *p, size_t n)
{
	char *s = malloc(n ? n : 1);

	if (!s)
		return;
	if (n)
		memcpy(s, p, n);
	run(s, n, false);
	run(s, n, true);
	free(s);
}

/* The first byte says where the rest is cut in two; each part goes through both decoders. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t rest, cut;

	if (size == 0)
		return 0;
	rest = size - 1;
	cut = data[0] % (rest + 1);
	run_part(data + 1, cut);
	run_part(data + 1 + cut, rest - cut);
	return 0;
}
