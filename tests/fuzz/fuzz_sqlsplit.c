/* fuzz_sqlsplit: libFuzzer harness for sql_split. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "db/sqlsplit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                          \
	do {                                 \
		if (!(cond))                 \
			__builtin_trap();    \
	} while (0)

struct seen {
	const char *text;
	size_t n;
	int prev_line;
	size_t count;
	size_t stop_at;     /* return non-zero from this statement on; 0: never */
};

static size_t newlines(const char *s, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += s[i] == '\n';
	return k;
}

/* Each statement lies within the text, holds code, and starts on the line it is given. */
static int on_stmt(const char *stmt, size_t len, int line, void *ctx)
{
	struct seen *v = ctx;
	size_t off;

	CHECK(stmt >= v->text && stmt <= v->text + v->n);
	off = (size_t)(stmt - v->text);
	CHECK(len > 0 && len <= v->n - off);
	CHECK(line >= 1 && line >= v->prev_line);
	CHECK((size_t)line == newlines(v->text, off) + 1);
	CHECK(!memchr(" \t\r\n;", stmt[0], 5));
	v->prev_line = line;
	v->count++;
	return v->stop_at && v->count >= v->stop_at ? 7 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size heap copy, so reading one byte past the text is an ASan report. */
	char *s = malloc(size ? size : 1);
	struct seen all = { 0 }, first = { 0 };
	int rc;

	if (!s)
		return 0;
	if (size)
		memcpy(s, data, size);
	all.text = first.text = s;
	all.n = first.n = size;
	all.prev_line = first.prev_line = 1;
	CHECK(sql_split(s, size, on_stmt, &all) == 0);

	/* A callback's non-zero answer stops the split at once and is returned. */
	first.stop_at = 1;
	rc = sql_split(s, size, on_stmt, &first);
	CHECK(first.count == (all.count ? 1 : 0));
	CHECK(rc == (all.count ? 7 : 0));
	free(s);
	return 0;
}
