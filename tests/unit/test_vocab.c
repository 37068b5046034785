/* Unit tests of the order vocabulary (shared/domain/vocab.c): every row of the tables it is
 * read from, in their order, and nothing else. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "domain/order.h"
#include "domain/payment.h"
#include "domain/vocab.h"
#include "ext/pay.h"
#include "ext/waybill.h"

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	assert_non_null(s);
	return s;
}

static bool flag(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	assert_true(json_is_boolean(v));
	return json_is_true(v);
}

static void test_states(void **state)
{
	static const struct {
		const char *key;
		unsigned flag;
	} flags[] = {
		{ "final", ORDER_FINAL },           { "editable", ORDER_EDITABLE },
		{ "in_review", ORDER_IN_REVIEW },   { "refundable", ORDER_REFUNDABLE },
		{ "awaits_applicant", ORDER_AWAITS_APPLICANT }, { "granted", ORDER_GRANTED },
	};
	json_t *v = vocab_json(), *list = json_object_get(v, "states");

	(void)state;
	assert_non_null(v);
	assert_int_equal(json_array_size(list), ORDER_STATE__COUNT);
	for (int s = 0; s < ORDER_STATE__COUNT; s++) {
		const struct order_state_def *d = order_state_def((enum order_state)s);
		json_t *row = json_array_get(list, (size_t)s);

		assert_string_equal(str(row, "name"), d->name);
		assert_string_equal(str(row, "zh"), d->zh);
		for (size_t f = 0; f < sizeof(flags) / sizeof(flags[0]); f++)
			assert_int_equal(flag(row, flags[f].key), (d->flags & flags[f].flag) != 0);
		assert_int_equal(json_object_size(row), 2 + sizeof(flags) / sizeof(flags[0]));
	}
	json_decref(v);
}

static void test_transitions(void **state)
{
	static const char *const movers[] = { "applicant", "system", "payment", "reviewer", "finance",
					      "shipping" };
	json_t *v = vocab_json(), *list = json_object_get(v, "transitions");

	(void)state;
	assert_int_equal(json_array_size(list), order_ntransitions);
	for (size_t i = 0; i < order_ntransitions; i++) {
		const struct order_transition *t = &order_transitions[i];
		json_t *row = json_array_get(list, i);
		json_t *by = json_object_get(row, "by");
		unsigned bits = 0;

		assert_string_equal(str(row, "from"), order_state_def(t->from)->name);
		assert_string_equal(str(row, "to"), order_state_def(t->to)->name);
		assert_string_equal(str(row, "event"), t->event);
		/* One name a bit: the bits of order.h in their order, every maker of the row. */
		assert_true(json_is_array(by));
		assert_true(json_array_size(by) >= 1);
		for (size_t k = 0; k < json_array_size(by); k++) {
			bool known = false;

			for (size_t m = 0; m < sizeof(movers) / sizeof(movers[0]); m++)
				if (strcmp(json_string_value(json_array_get(by, k)), movers[m]) == 0) {
					bits |= 1u << m;
					known = true;
				}
			assert_true(known);
		}
		assert_int_equal(bits, t->by);
	}
	json_decref(v);
}

/* [{key, zh}] equal to a table of names. */
static void names_are(json_t *list, const char *key, const struct order_name *t)
{
	size_t n = 0;

	for (; t->code; t++, n++) {
		assert_string_equal(str(json_array_get(list, n), key), t->code);
		assert_string_equal(str(json_array_get(list, n), "zh"), t->zh);
	}
	assert_int_equal(json_array_size(list), n);
}

static void test_names(void **state)
{
	json_t *v = vocab_json(), *list;
	size_t n;

	(void)state;
	names_are(json_object_get(v, "kinds"), "code", order_kinds);
	names_are(json_object_get(v, "events"), "kind", order_events);
	list = json_object_get(v, "businesses");
	for (n = 0; order_businesses[n].code; n++) {
		json_t *row = json_array_get(list, n);
		const char *code = order_businesses[n].code;

		assert_string_equal(str(row, "code"), code);
		assert_string_equal(str(row, "zh"), order_business_name(code));
		assert_int_equal(flag(row, "ships_key"), order_ships_key(code, false));
		assert_int_equal(flag(row, "ships_key_mail_in"), order_ships_key(code, true));
	}
	assert_int_equal(json_array_size(list), n);
	assert_true(flag(json_array_get(list, 0), "ships_key")); /* new */
	list = json_object_get(v, "payment_states");
	for (n = 0; payment_states[n].name; n++) {
		assert_string_equal(str(json_array_get(list, n), "name"), payment_states[n].name);
		assert_string_equal(str(json_array_get(list, n), "zh"),
				    payment_state_name(payment_states[n].name));
	}
	assert_int_equal(json_array_size(list), n);
	assert_int_equal(n, 6);
	list = json_object_get(v, "pay_methods");
	for (n = 0; pay_methods[n][0]; n++)
		assert_string_equal(str(json_array_get(list, n), "zh"), pay_method_name(pay_methods[n][0]));
	assert_int_equal(json_array_size(list), n);
	assert_int_equal(n, 4);
	list = json_object_get(v, "carriers");
	for (n = 0; waybill_carriers[n]; n++) {
		assert_string_equal(str(json_array_get(list, n), "code"), waybill_carriers[n]);
		assert_string_equal(str(json_array_get(list, n), "zh"), waybill_carrier_name(waybill_carriers[n]));
	}
	assert_int_equal(json_array_size(list), n);
	assert_null(payment_state_name("nonsense"));
	assert_null(payment_state_name(NULL));
	/* 002 七.损坏补办: its three signs of a quality defect, in its order. */
	names_are(json_object_get(v, "defect_signs"), "code", order_defect_signs);
	assert_int_equal(json_array_size(json_object_get(v, "defect_signs")), 3);
	assert_string_equal(str(json_array_get(json_object_get(v, "defect_signs"), 0), "code"),
			    "no_light");
	assert_int_equal(json_object_size(v), 9);
	json_decref(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_states),
		cmocka_unit_test(test_transitions),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
