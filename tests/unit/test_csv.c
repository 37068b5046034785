/* Unit tests: the bounded CSV reader of import-certs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/csv.h"

struct reader {
	FILE *f;
	struct csv c;
};

static void open_text(struct reader *r, const char *text, size_t n)
{
	r->f = fmemopen((void *)(uintptr_t)text, n, "rb");
	assert_non_null(r->f);
	csv_init(&r->c, r->f);
}

static void expect_fields(struct csv *c, long line, int n, ...)
{
	va_list ap;

	assert_int_equal(csv_next(c), 1);
	assert_int_equal(c->err, CSV_OK);
	assert_int_equal(c->line, line);
	assert_int_equal(c->nfields, n);
	va_start(ap, n);
	for (int i = 0; i < n; i++) {
		const char *want = va_arg(ap, const char *);

		assert_string_equal(c->field[i], want);
		assert_int_equal(c->len[i], strlen(want));
	}
	va_end(ap);
}

static void test_plain_quoted_crlf_bom(void **state)
{
	static const char text[] = "\xEF\xBB\xBF" "a,b,c\r\n\"x,1\",\"say \"\"hi\"\"\",\r\n"
				   "\"two\nlines\",z\nlast,row";
	struct reader r;

	(void)state;
	open_text(&r, text, sizeof(text) - 1);
	expect_fields(&r.c, 1, 3, "a", "b", "c");
	expect_fields(&r.c, 2, 3, "x,1", "say \"hi\"", "");
	expect_fields(&r.c, 3, 2, "two\nlines", "z");
	/* The quoted newline moved the line count on; no newline at the end is fine. */
	expect_fields(&r.c, 5, 2, "last", "row");
	assert_int_equal(csv_next(&r.c), 0);
	fclose(r.f);
}

static void test_bom_only_at_start(void **state)
{
	static const char text[] = "a\n\xEF\xBB\xBF" "b\n\xEF\xBB" "c\n";
	struct reader r;

	(void)state;
	open_text(&r, text, sizeof(text) - 1);
	expect_fields(&r.c, 1, 1, "a");
	/* Later on, the same bytes are data. */
	expect_fields(&r.c, 2, 1, "\xEF\xBB\xBF" "b");
	expect_fields(&r.c, 3, 1, "\xEF\xBB" "c");
	fclose(r.f);
	/* A file starting with EF BB and no BF keeps both as data. */
	open_text(&r, "\xEF\xBB" "x,y\n", 5);
	expect_fields(&r.c, 1, 2, "\xEF\xBB" "x", "y");
	fclose(r.f);
}

static void expect_error(const char *text, size_t n, enum csv_error e, int field, const char *next)
{
	struct reader r;

	open_text(&r, text, n);
	assert_int_equal(csv_next(&r.c), 1);
	assert_int_equal(r.c.err, e);
	assert_int_equal(r.c.err_field, field);
	/* A bad record is read to its end: the next one is whole. */
	if (next)
		expect_fields(&r.c, 2, 1, next);
	else
		assert_int_equal(csv_next(&r.c), 0);
	fclose(r.f);
}

static void test_errors(void **state)
{
	char *big = malloc(CSV_ROW_MAX + 100);
	size_t n;

	(void)state;
	assert_non_null(big);
	expect_error("a,b\"c,d\nok\n", 11, CSV_BAD_QUOTE, 1, "ok");
	expect_error("\"a\"b,c\nok\n", 10, CSV_BAD_QUOTE, 0, "ok");
	expect_error("a,\"never closed\nok\n", 19, CSV_BAD_QUOTE, 1, NULL);
	expect_error("a,b\0c\nok\n", 9, CSV_NUL, 1, "ok");
	/* A field past the row's budget: the column that overflowed is named. */
	n = (size_t)snprintf(big, 8, "x,y,");
	memset(big + n, 'z', CSV_ROW_MAX);
	n += CSV_ROW_MAX;
	memcpy(big + n, "\nok\n", 4);
	expect_error(big, n + 4, CSV_TOO_LONG, 2, "ok");
	/* More columns than the reader holds. */
	n = 0;
	for (int i = 0; i <= CSV_MAX_FIELDS; i++)
		big[n++] = ',';
	memcpy(big + n, "\nok\n", 4);
	expect_error(big, n + 4, CSV_TOO_MANY, CSV_MAX_FIELDS, "ok");
	free(big);
}

static void test_empty(void **state)
{
	struct reader r;

	(void)state;
	open_text(&r, "", 0);
	assert_int_equal(csv_next(&r.c), 0);
	fclose(r.f);
	open_text(&r, "\n\n", 2);
	expect_fields(&r.c, 1, 1, "");
	expect_fields(&r.c, 2, 1, "");
	assert_int_equal(csv_next(&r.c), 0);
	fclose(r.f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_quoted_crlf_bom),
		cmocka_unit_test(test_bom_only_at_start),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
