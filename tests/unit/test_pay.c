/* Unit tests of shared/ext/pay.c: merchant references, notification parsing, the state a paid
 * order moves to, and a provider that cannot be reached. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/conf.h"
#include "ext/pay.h"
#include "domain/payment.h"

static void test_pay_no_make(void **state)
{
	char seen[200][PAY_NO_LEN + 1];
	int count[36] = { 0 };
	static const char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

	(void)state;
	for (int i = 0; i < 200; i++) {
		assert_int_equal(pay_no_make(seen[i]), 0);
		assert_int_equal(strlen(seen[i]), PAY_NO_LEN);
		assert_true(pay_no_valid(seen[i]));
		for (int k = 0; k < PAY_NO_LEN; k++)
			count[strchr(alphabet, seen[i][k]) - alphabet]++;
		for (int j = 0; j < i; j++)
			assert_string_not_equal(seen[i], seen[j]);
	}
	/* 4800 characters over 36 symbols: about 133 each; every symbol turns up, none dominates. */
	for (int c = 0; c < 36; c++) {
		assert_true(count[c] > 60);
		assert_true(count[c] < 240);
	}
}

static void test_pay_no_valid(void **state)
{
	(void)state;
	assert_true(pay_no_valid("0123456789ABCDEFGHIJKLMN"));
	assert_false(pay_no_valid(NULL));
	assert_false(pay_no_valid(""));
	assert_false(pay_no_valid("0123456789ABCDEFGHIJKLM"));   /* 23 */
	assert_false(pay_no_valid("0123456789ABCDEFGHIJKLMNO")); /* 25 */
	assert_false(pay_no_valid("0123456789abcdefghijklmn"));  /* lower case */
	assert_false(pay_no_valid("0123456789ABCDEFGHIJK' OR"));
	assert_false(pay_no_valid("0123456789ABCDEFGHIJKL\nM"));
	assert_false(pay_no_valid("0123456789ABCDEFGHIJKL\xc3\xa9"));
}

static void test_pay_ref_valid(void **state)
{
	char long_ref[80];

	(void)state;
	assert_true(pay_ref_valid("sbxpay_0123abcd", PAY_REF_MAX));
	assert_true(pay_ref_valid("evt-1:2.3", PAY_EVENT_MAX));
	assert_false(pay_ref_valid("", PAY_REF_MAX));
	assert_false(pay_ref_valid(NULL, PAY_REF_MAX));
	assert_false(pay_ref_valid("a b", PAY_REF_MAX));
	assert_false(pay_ref_valid("x' OR '1'='1", PAY_REF_MAX));
	assert_false(pay_ref_valid("<script>", PAY_REF_MAX));
	assert_false(pay_ref_valid("\xe4\xb8\xad", PAY_REF_MAX));
	memset(long_ref, 'a', 64);
	long_ref[64] = '\0';
	assert_true(pay_ref_valid(long_ref, 64));
	long_ref[64] = 'a';
	long_ref[65] = '\0';
	assert_false(pay_ref_valid(long_ref, 64));
}

static void test_methods(void **state)
{
	(void)state;
	assert_string_equal(pay_method_name("wechat"), "微信支付");
	assert_non_null(pay_method_name("alipay"));
	assert_non_null(pay_method_name("transfer"));
	assert_non_null(pay_method_name("counter"));
	assert_null(pay_method_name("bitcoin"));
	assert_null(pay_method_name(NULL));
	assert_true(pay_method_qr("wechat"));
	assert_true(pay_method_qr("alipay"));
	assert_false(pay_method_qr("transfer"));
	assert_false(pay_method_qr("counter"));
	assert_false(pay_method_qr(NULL));
}

/* shared/domain/order.h: two_stage or mail-in -> awaiting_paper; online renewal -> approved; else
 * reviewing. */
/* Every payment state has its names and parses back to itself; nothing else parses. */
static void test_payment_states(void **state)
{
	(void)state;
	for (int s = 0; s < PAYMENT_STATE__COUNT; s++) {
		const char *name = payment_state_str((enum payment_state)s);

		assert_true(name[0] != '\0');
		assert_int_equal(payment_state_parse(name), s);
		assert_true(payment_state_is(name, (enum payment_state)s));
		assert_string_equal(payment_state_name(name), payment_states[s].zh);
	}
	assert_null(payment_states[PAYMENT_STATE__COUNT].name);
	assert_string_equal(payment_state_str(PAYMENT_STATE_PAID), "paid");
	assert_int_equal(payment_state_parse("Paid"), PAYMENT_STATE_NONE);
	assert_int_equal(payment_state_parse(NULL), PAYMENT_STATE_NONE);
	assert_false(payment_state_is(NULL, PAYMENT_STATE_PENDING));
	assert_false(payment_state_is("paid", PAYMENT_STATE_NONE));
	assert_string_equal(payment_state_str(PAYMENT_STATE_NONE), "");
	assert_null(payment_state_name("nonsense"));
}

static void test_next_state(void **state)
{
	(void)state;
	assert_int_equal(payment_next_state("pay_first", false, ""), ORDER_REVIEWING);
	assert_int_equal(payment_next_state("pay_first", false, "review"), ORDER_REVIEWING);
	assert_int_equal(payment_next_state("pay_first", false, "online"), ORDER_APPROVED);
	assert_int_equal(payment_next_state("pay_first", true, ""), ORDER_AWAITING_PAPER);
	assert_int_equal(payment_next_state("pay_first", true, "online"), ORDER_AWAITING_PAPER);
	assert_int_equal(payment_next_state("two_stage", false, ""), ORDER_AWAITING_PAPER);
	assert_int_equal(payment_next_state("two_stage", false, "online"), ORDER_AWAITING_PAPER);
	assert_int_equal(payment_next_state(NULL, false, NULL), ORDER_REVIEWING);
}

static const char good[] =
	"{\"event_id\":\"evt_0123\",\"pay_no\":\"0123456789ABCDEFGHIJKLMN\","
	"\"provider_ref\":\"sbxpay_1\",\"kind\":\"paid\",\"amount_fen\":26000,"
	"\"at\":\"2026-01-02T03:04:05+08:00\"}";

/* Parses text; returns the field at fault, "" when it parsed. */
static const char *parse(const char *text)
{
	static char fault[32];
	json_t *j = json_loads(text, JSON_ALLOW_NUL, NULL); /* the parser must not rely on jansson */
	struct pay_notice n;
	const char *field = NULL;
	int rc;

	rc = pay_notice_parse(j, &n, &field);
	snprintf(fault, sizeof(fault), "%s", rc == 0 ? "" : field ? field : "(body)");
	json_decref(j);
	return fault;
}

/* good with one member replaced (value is JSON text, NULL removes it). */
static const char *parse_with(const char *name, const char *value)
{
	char text[1024];
	json_t *j = json_loads(good, 0, NULL), *v = value ? json_loads(value, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL) : NULL;
	char *s;

	assert_non_null(j);
	if (value)
		assert_non_null(v);
	if (v)
		json_object_set_new(j, name, v);
	else
		json_object_del(j, name);
	s = json_dumps(j, JSON_COMPACT);
	snprintf(text, sizeof(text), "%s", s);
	free(s);
	json_decref(j);
	return parse(text);
}

static void test_notice_parse(void **state)
{
	json_t *j = json_loads(good, 0, NULL);
	struct pay_notice n;
	const char *field;
	char longer[200];

	(void)state;
	assert_int_equal(pay_notice_parse(j, &n, &field), 0);
	assert_string_equal(n.event_id, "evt_0123");
	assert_string_equal(n.pay_no, "0123456789ABCDEFGHIJKLMN");
	assert_string_equal(n.provider_ref, "sbxpay_1");
	assert_string_equal(n.kind, "paid");
	assert_int_equal(n.amount_fen, 26000);
	assert_string_equal(n.at, "2026-01-02T03:04:05+08:00");
	json_decref(j);

	assert_string_equal(parse("[]"), "(body)");
	assert_string_equal(parse_with("at", NULL), "");
	assert_string_equal(parse_with("kind", "\"closed\""), "");
	assert_string_equal(parse_with("amount_fen", "0"), "");
	for (const char *m = "event_id\0pay_no\0provider_ref\0kind\0amount_fen\0"; *m; m += strlen(m) + 1)
		assert_string_equal(parse_with(m, NULL), m);
	assert_string_equal(parse_with("event_id", "\"\""), "event_id");
	assert_string_equal(parse_with("event_id", "\"x' OR 1=1 --\""), "event_id");
	assert_string_equal(parse_with("event_id", "12"), "event_id");
	memset(longer, 'e', 66); /* 65 characters between the quotes */
	longer[0] = '"';
	longer[66] = '"';
	longer[67] = '\0';
	assert_string_equal(parse_with("event_id", longer), "event_id");
	assert_string_equal(parse_with("pay_no", "\"0123456789abcdefghijklmn\""), "pay_no");
	assert_string_equal(parse_with("pay_no", "\"<script>alert(1)</script>\""), "pay_no");
	assert_string_equal(parse_with("provider_ref", "\"a\\u0000b\""), "provider_ref");
	assert_string_equal(parse_with("event_id", "\"a\\u0000b\""), "event_id");
	assert_string_equal(parse_with("kind", "\"paid\\u0000x\""), "kind");
	assert_string_equal(parse_with("kind", "\"refund\""), "kind");
	assert_string_equal(parse_with("kind", "\"PAID\""), "kind");
	assert_string_equal(parse_with("amount_fen", "\"26000\""), "amount_fen");
	assert_string_equal(parse_with("amount_fen", "-1"), "amount_fen");
	assert_string_equal(parse_with("amount_fen", "260.5"), "amount_fen");
	assert_string_equal(parse_with("amount_fen", "1000000000000000"), "amount_fen");
	assert_string_equal(parse_with("at", "\"2026\\u0007\""), "at");
	assert_string_equal(parse_with("at", "\"a\\u0000b\""), "at");
	assert_string_equal(parse_with("at", "5"), "at");
	assert_string_equal(parse_with("at", "\"0123456789012345678901234567890123456789X\""), "at");
}

static void test_outcome_names(void **state)
{
	(void)state;
	assert_string_equal(payment_outcome_name(PAYMENT_PAID), "paid");
	assert_string_equal(payment_outcome_name(PAYMENT_AMOUNT_MISMATCH), "amount_mismatch");
	assert_string_equal(payment_outcome_name(PAYMENT_UNKNOWN), "unknown_payment");
	for (int a = PAYMENT_PAID; a <= PAYMENT_UNKNOWN; a++)
		for (int b = a + 1; b <= PAYMENT_UNKNOWN; b++)
			assert_string_not_equal(payment_outcome_name(a), payment_outcome_name(b));
}

/* Nothing listens on port 1: every call is "unavailable", and nothing is made up. */
static void test_provider_unreachable(void **state)
{
	struct conf c;
	struct pay_state st;
	char err[256] = "";

	(void)state;
	conf_defaults(&c);
	snprintf(c.pay_endpoint, sizeof(c.pay_endpoint), "http://127.0.0.1:1/pay");
	snprintf(c.pay_secret, sizeof(c.pay_secret), "secret");
	c.pay_timeout_ms = 1000;
	assert_int_equal(pay_create(&c, "0123456789ABCDEFGHIJKLMN", 26000, "wechat", "测试", NULL, &st, err,
				    sizeof(err)), PAY_UNAVAILABLE);
	assert_true(err[0] != '\0');
	assert_string_equal(st.qr_url, "");
	assert_int_equal(pay_query(&c, "0123456789ABCDEFGHIJKLMN", &st, err, sizeof(err)),
			 PAY_UNAVAILABLE);
	assert_int_equal(pay_close(&c, "0123456789ABCDEFGHIJKLMN", &st, err, sizeof(err)),
			 PAY_UNAVAILABLE);
	/* Bad references never leave. */
	assert_int_equal(pay_query(&c, "../../admin", &st, err, sizeof(err)), PAY_UNAVAILABLE);
	assert_int_equal(pay_create(&c, "0123456789ABCDEFGHIJKLMN", 1, "transfer", "x", NULL, &st, err,
				    sizeof(err)), PAY_UNAVAILABLE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pay_no_make),
		cmocka_unit_test(test_payment_states),

		cmocka_unit_test(test_pay_no_valid),
		cmocka_unit_test(test_pay_ref_valid),
		cmocka_unit_test(test_methods),
		cmocka_unit_test(test_next_state),
		cmocka_unit_test(test_notice_parse),
		cmocka_unit_test(test_outcome_names),
		cmocka_unit_test(test_provider_unreachable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
