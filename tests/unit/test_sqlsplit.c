/* Unit tests: splitting migration files into statements. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "db/sqlsplit.h"

struct got {
	int n;
	char stmt[8][200];
	int line[8];
};

static int collect(const char *s, size_t len, int line, void *p)
{
	struct got *g = p;

	if (g->n == 8)
		return -1;
	snprintf(g->stmt[g->n], sizeof(g->stmt[0]), "%.*s", (int)len, s);
	g->line[g->n++] = line;
	return 0;
}

static struct got split(const char *s)
{
	struct got g = { 0 };

	sql_split(s, strlen(s), collect, &g);
	return g;
}

static void test_plain(void **state)
{
	struct got g = split("-- header\n\nCREATE TABLE a (x INT);\nINSERT INTO a VALUES (1);\n-- end\n");

	(void)state;
	assert_int_equal(g.n, 2);
	assert_string_equal(g.stmt[0], "CREATE TABLE a (x INT)");
	assert_int_equal(g.line[0], 3);
	assert_string_equal(g.stmt[1], "INSERT INTO a VALUES (1)");
	assert_int_equal(g.line[1], 4);
}

static void test_quotes_and_comments(void **state)
{
	struct got g = split("INSERT INTO t VALUES ('a;b', \"c;d\", `e;f`, 'it''s', 'x\\';y');\n"
			     "/* a; comment */ SELECT 1; # tail; comment\nSELECT 2");

	(void)state;
	assert_int_equal(g.n, 3);
	assert_string_equal(g.stmt[0],
			    "INSERT INTO t VALUES ('a;b', \"c;d\", `e;f`, 'it''s', 'x\\';y')");
	assert_string_equal(g.stmt[1], "SELECT 1");
	assert_string_equal(g.stmt[2], "SELECT 2");
	assert_int_equal(g.line[2], 3);
}

static void test_nothing(void **state)
{
	(void)state;
	assert_int_equal(split("").n, 0);
	assert_int_equal(split("  ;;  -- only a comment\n/* and */").n, 0);
	/* An unterminated comment or quote ends the text without running off it. */
	assert_int_equal(split("/* never closed").n, 0);
	assert_int_equal(split("SELECT 'never closed").n, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_quotes_and_comments),
		cmocka_unit_test(test_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
