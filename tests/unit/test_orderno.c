/* Unit tests of shared/domain/orderno.c: the Damm check, the layout, and error detection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "domain/orderno.h"

/* The example of Damm's algorithm as usually published: 572 has check digit 4. */
static void test_damm_published(void **state)
{
	(void)state;
	assert_int_equal(orderno_check_digit("572", 3), '4');
	/* Appending the check digit makes the interim zero. */
	assert_int_equal(orderno_check_digit("5724", 4), '0');
	assert_int_equal(orderno_check_digit("5723", 4) == '0', 0);
	assert_int_equal(orderno_check_digit("", 0), '0');
	/* Only n digits are read. */
	assert_int_equal(orderno_check_digit("572999", 3), '4');
	/* No digit to give for what is not a digit string. */
	assert_int_equal(orderno_check_digit("57a", 3), '\0');
	assert_int_equal(orderno_check_digit("57\xd9\xa2", 4), '\0');
	assert_int_equal(orderno_check_digit(NULL, 3), '\0');
}

static void test_make_layout(void **state)
{
	char no[ORDERNO_LEN + 1];
	size_t i;

	(void)state;
	/* 2024-02-29 16:00:00 UTC is already 1 March in Beijing. */
	assert_int_equal(orderno_make(no, 1709222400, 7), 0);
	assert_int_equal(strlen(no), ORDERNO_LEN);
	assert_memory_equal(no, "24030107", 8);
	for (i = 0; i < ORDERNO_LEN; i++)
		assert_true(no[i] >= '0' && no[i] <= '9');
	assert_true(orderno_valid(no));
	assert_int_equal(orderno_check_digit(no, ORDERNO_LEN - 1), no[ORDERNO_LEN - 1]);

	/* The date turns at 16:00 UTC. */
	assert_int_equal(orderno_make(no, 1704038399, 0), 0);
	assert_memory_equal(no, "23123100", 8);
	assert_int_equal(orderno_make(no, 1704038400, 99), 0);
	assert_memory_equal(no, "24010199", 8);
	assert_true(orderno_valid(no));
	assert_int_equal(orderno_make(no, 946684800, 1), 0);
	assert_memory_equal(no, "00010101", 8);

	/* Node ids are two digits. */
	memcpy(no, "unchanged", 10);
	assert_int_equal(orderno_make(no, 1709222400, 100), -1);
	assert_int_equal(orderno_make(no, 1709222400, (unsigned)-1), -1);
	assert_false(orderno_valid(no));
	assert_int_equal(orderno_make(NULL, 1709222400, 1), -1);
}

/* Numbers do not repeat, and every position of the random part takes every digit. */
static void test_make_random(void **state)
{
	enum { N = 2000 };
	static char seen[N][ORDERNO_LEN + 1];
	unsigned counts[9][10];
	int i, j;

	(void)state;
	memset(counts, 0, sizeof(counts));
	for (i = 0; i < N; i++) {
		assert_int_equal(orderno_make(seen[i], 1709222400, 42), 0);
		assert_true(orderno_valid(seen[i]));
		for (j = 0; j < 9; j++)
			counts[j][seen[i][8 + j] - '0']++;
	}
	for (i = 1; i < N; i++)
		assert_string_not_equal(seen[i], seen[0]);
	/* Each cell expects 200; a count under 100 has a probability far below 1e-12. */
	for (i = 0; i < 9; i++) {
		for (j = 0; j < 10; j++)
			assert_true(counts[i][j] > 100);
	}
}

/* The guarantee the header makes, checked exhaustively on many numbers. */
static void test_detects_errors(void **state)
{
	char no[ORDERNO_LEN + 1];
	char bad[ORDERNO_LEN + 1];
	int round;
	int i;
	char d;

	(void)state;
	for (round = 0; round < 200; round++) {
		assert_int_equal(orderno_make(no, 1709222400 + round * 86400, (unsigned)round % 100), 0);
		assert_true(orderno_valid(no));
		/* Every single-digit substitution. */
		for (i = 0; i < ORDERNO_LEN; i++) {
			for (d = '0'; d <= '9'; d++) {
				if (d == no[i])
					continue;
				memcpy(bad, no, sizeof(no));
				bad[i] = d;
				assert_false(orderno_valid(bad));
			}
		}
		/* Every swap of two adjacent, different digits. */
		for (i = 0; i + 1 < ORDERNO_LEN; i++) {
			if (no[i] == no[i + 1])
				continue;
			memcpy(bad, no, sizeof(no));
			bad[i] = no[i + 1];
			bad[i + 1] = no[i];
			assert_false(orderno_valid(bad));
		}
	}
}

/* Every adjacent pair of digits, at every position of a fixed number: the transposition
 * property holds for all 90 unequal pairs, not only those random numbers happen to hold. */
static void test_detects_all_transpositions(void **state)
{
	char base[ORDERNO_LEN] = "24030107123456789";
	char no[ORDERNO_LEN + 1];
	char bad[ORDERNO_LEN + 1];
	int pos;
	char a, b;

	(void)state;
	for (pos = 0; pos + 1 < ORDERNO_LEN - 1; pos++) {
		for (a = '0'; a <= '9'; a++) {
			for (b = '0'; b <= '9'; b++) {
				if (a == b)
					continue;
				memcpy(no, base, ORDERNO_LEN - 1);
				no[pos] = a;
				no[pos + 1] = b;
				no[ORDERNO_LEN - 1] = orderno_check_digit(no, ORDERNO_LEN - 1);
				no[ORDERNO_LEN] = '\0';
				assert_true(orderno_valid(no));
				memcpy(bad, no, sizeof(no));
				bad[pos] = b;
				bad[pos + 1] = a;
				assert_false(orderno_valid(bad));
			}
		}
	}
	/* A swap that moves the check digit itself. */
	memcpy(no, base, ORDERNO_LEN - 1);
	no[ORDERNO_LEN - 1] = orderno_check_digit(no, ORDERNO_LEN - 1);
	no[ORDERNO_LEN] = '\0';
	if (no[ORDERNO_LEN - 2] != no[ORDERNO_LEN - 1]) {
		memcpy(bad, no, sizeof(no));
		bad[ORDERNO_LEN - 2] = no[ORDERNO_LEN - 1];
		bad[ORDERNO_LEN - 1] = no[ORDERNO_LEN - 2];
		assert_false(orderno_valid(bad));
	}
}

static void test_valid_rejects(void **state)
{
	char no[ORDERNO_LEN + 1];
	char s[64];

	(void)state;
	assert_int_equal(orderno_make(no, 1709222400, 5), 0);
	assert_false(orderno_valid(NULL));
	assert_false(orderno_valid(""));
	assert_false(orderno_valid("5724"));
	/* Too short, too long, padded. */
	assert_false(orderno_valid(no + 1));
	memcpy(s, no, ORDERNO_LEN);
	s[ORDERNO_LEN] = '0';
	s[ORDERNO_LEN + 1] = '\0';
	assert_false(orderno_valid(s));
	s[ORDERNO_LEN] = ' ';
	assert_false(orderno_valid(s));
	s[ORDERNO_LEN] = '\n';
	assert_false(orderno_valid(s));
	/* Signs, letters, spaces, non-ASCII digits in place of one digit. */
	memcpy(s, no, sizeof(no));
	s[0] = '+';
	assert_false(orderno_valid(s));
	s[0] = 'a';
	assert_false(orderno_valid(s));
	s[0] = ' ';
	assert_false(orderno_valid(s));
	s[0] = '\xd9';
	assert_false(orderno_valid(s));
	/* All zeros satisfies Damm (interim stays 0): a valid shape, left to the UNIQUE index. */
	assert_true(orderno_valid("000000000000000000"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_damm_published),
		cmocka_unit_test(test_make_layout),
		cmocka_unit_test(test_make_random),
		cmocka_unit_test(test_detects_errors),
		cmocka_unit_test(test_detects_all_transpositions),
		cmocka_unit_test(test_valid_rejects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
