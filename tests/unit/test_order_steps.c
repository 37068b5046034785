/* Unit tests of shared/domain/order_steps.c (a step's data opens only for its own order and step)
 * and of order_mobile_open (shared/domain/order.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/arena.h"
#include "crypto/crypto.h"
#include "domain/order.h"
#include "domain/order_steps.h"

struct fix {
	struct crypto_key key;
	struct arena a;
};

static int setup(void **state)
{
	static struct fix f;
	char path[] = "/tmp/certhall-steps-key.XXXXXX";
	char err[256];
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	unlink(path); /* crypto_key_create makes the file itself, 0600, and refuses an old one */
	assert_int_equal(crypto_key_create(path, err, sizeof(err)), 0);
	assert_int_equal(crypto_key_load(path, &f.key, err, sizeof(err)), 0);
	unlink(path);
	assert_int_equal(arena_init(&f.a, 4096, 1 << 20), 0);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;

	arena_free(&f->a);
	return 0;
}

static void test_round_trip_and_binding(void **state)
{
	struct fix *f = *state;
	json_t *data = json_pack("{s:s, s:i}", "name", "张三", "years", 2);
	unsigned char *sealed = NULL;
	size_t len = 0;
	json_t *back;

	assert_int_equal(order_steps_seal(&f->key, &f->a, 42, "handler", data, &sealed, &len), 0);
	back = order_steps_open(&f->key, &f->a, 42, "handler", sealed, len);
	assert_non_null(back);
	assert_true(json_equal(back, data));
	/* Another order's or another step's row never opens as this one's. */
	assert_null(order_steps_open(&f->key, &f->a, 43, "handler", sealed, len));
	assert_null(order_steps_open(&f->key, &f->a, 42, "product", sealed, len));
	/* One changed byte, or a cut, and nothing opens. */
	sealed[len / 2] ^= 0x01;
	assert_null(order_steps_open(&f->key, &f->a, 42, "handler", sealed, len));
	sealed[len / 2] ^= 0x01;
	assert_null(order_steps_open(&f->key, &f->a, 42, "handler", sealed, len - 1));
	assert_null(order_steps_open(&f->key, &f->a, 42, NULL, sealed, len));
	assert_null(order_steps_open(&f->key, &f->a, 42, "handler", NULL, len));
	json_decref(data);
}

static void test_limits(void **state)
{
	struct fix *f = *state;
	char *big = malloc(ORDER_STEP_MAX + 1);
	json_t *data, *arr = json_array();
	unsigned char *sealed = NULL;
	size_t len = 0;

	assert_non_null(big);
	memset(big, 'a', ORDER_STEP_MAX);
	big[ORDER_STEP_MAX] = '\0';
	data = json_pack("{s:s}", "x", big);
	assert_int_equal(order_steps_seal(&f->key, &f->a, 1, "handler", data, &sealed, &len), -1);
	/* A sealed text longer than any step could be is refused before it is opened. */
	assert_null(order_steps_open(&f->key, &f->a, 1, "handler", big,
				     ORDER_STEP_MAX + CRYPTO_SEAL_OVERHEAD + 1));
	/* What opens must be an object, as every step's data is. */
	assert_int_equal(order_steps_seal(&f->key, &f->a, 1, "handler", arr, &sealed, &len), 0);
	assert_null(order_steps_open(&f->key, &f->a, 1, "handler", sealed, len));
	json_decref(data);
	json_decref(arr);
	free(big);
}

static void test_mobile_open(void **state)
{
	struct fix *f = *state;
	const char *mobile = "13800138000";
	char long_one[40], out[ORDER_MOBILE_MAX];
	unsigned char enc[128];
	size_t len = 0;

	assert_int_equal(crypto_seal(&f->key, mobile, strlen(mobile), ORDER_AAD_HANDLER_MOBILE, enc,
				     sizeof(enc), &len), 0);
	assert_int_equal(order_mobile_open(&f->key, enc, len, out), 0);
	assert_string_equal(out, mobile);
	/* No mobile, a cut one, or one sealed for another column: -1 and "". */
	assert_int_equal(order_mobile_open(&f->key, NULL, 0, out), -1);
	assert_string_equal(out, "");
	assert_int_equal(order_mobile_open(&f->key, enc, len - 1, out), -1);
	assert_int_equal(crypto_seal(&f->key, mobile, strlen(mobile), "accounts.mobile", enc,
				     sizeof(enc), &len), 0);
	assert_int_equal(order_mobile_open(&f->key, enc, len, out), -1);
	/* Longer than any mobile: refused, never cut short. */
	memset(long_one, '1', sizeof(long_one));
	assert_int_equal(crypto_seal(&f->key, long_one, sizeof(long_one), ORDER_AAD_HANDLER_MOBILE,
				     enc, sizeof(enc), &len), 0);
	assert_int_equal(order_mobile_open(&f->key, enc, len, out), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_and_binding),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_mobile_open),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
