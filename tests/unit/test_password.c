/* Unit tests: scrypt password hashes and the password rule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/conf.h"
#include "crypto/password.h"

static void test_round_trip_and_salt(void **state)
{
	char a[PASSWORD_HASH_MAX], b[PASSWORD_HASH_MAX];

	(void)state;
	assert_int_equal(password_hash("Passw0rd-1", 10, 8, 1, a), 0);
	assert_int_equal(password_hash("Passw0rd-1", 10, 8, 1, b), 0);
	assert_string_not_equal(a, b); /* a salt per password */
	assert_int_equal(strncmp(a, "scrypt$10$8$1$", 14), 0);
	assert_true(password_verify("Passw0rd-1", a));
	assert_true(password_verify("Passw0rd-1", b));
	assert_false(password_verify("Passw0rd-2", a));
	assert_false(password_verify("", a));
	/* The cost travels with the hash: a stronger setting still verifies old hashes. */
	assert_int_equal(password_hash("Passw0rd-1", 11, 8, 1, b), 0);
	assert_true(password_verify("Passw0rd-1", b));
}

static void test_malformed_hashes(void **state)
{
	char h[PASSWORD_HASH_MAX];

	(void)state;
	assert_int_equal(password_hash("Passw0rd-1", 10, 8, 1, h), 0);
	assert_false(password_verify("Passw0rd-1", NULL));
	assert_false(password_verify(NULL, h));
	assert_false(password_verify("Passw0rd-1", ""));
	assert_false(password_verify("Passw0rd-1", "bcrypt$10$8$1$00$00"));
	assert_false(password_verify("Passw0rd-1", "scrypt$30$8$1$00$00")); /* cost out of bounds */
	h[strlen(h) - 1] = 'g';                                               /* not hex */
	assert_false(password_verify("Passw0rd-1", h));
	h[strlen(h) - 1] = '\0';                                              /* short */
	assert_false(password_verify("Passw0rd-1", h));
	assert_int_equal(password_hash("x", 40, 8, 1, h), -1);
	{
		struct conf c;

		conf_defaults(&c);
		c.scrypt_n_log2 = 11;
		assert_int_equal(strncmp(password_dummy_hash(&c), "scrypt$11$8$1$", 14), 0);
		assert_false(password_verify("anything1", password_dummy_hash(&c)));
	}
}

static void test_rule(void **state)
{
	(void)state;
	assert_true(password_acceptable("Passw0rd"));
	assert_true(password_acceptable("a1234567"));
	assert_false(password_acceptable("Pass0rd"));        /* 7 */
	assert_false(password_acceptable("abcdefgh"));       /* no digit */
	assert_false(password_acceptable("12345678"));       /* no letter */
	assert_false(password_acceptable("pass word1"));     /* space */
	assert_false(password_acceptable("密码密码1234"));   /* not ASCII */
	assert_false(password_acceptable(NULL));
	assert_true(password_acceptable("a123456789012345678901234567890123456789012345678901234567890123"));
	assert_false(password_acceptable("a1234567890123456789012345678901234567890123456789012345678901234"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_and_salt),
		cmocka_unit_test(test_malformed_hashes),
		cmocka_unit_test(test_rule),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
