/* vocab: the order vocabulary as one JSON object, read off the tables that define it. */
#include "domain/vocab.h"

#include <stdbool.h>

#include "domain/order.h"
#include "domain/payment.h"
#include "ext/pay.h"
#include "ext/waybill.h"

/* Who makes a move (order_transitions[].by), as the API names them. */
static const struct {
	unsigned bit;
	const char *name;
} movers[] = {
	{ ORDER_BY_APPLICANT, "applicant" }, { ORDER_BY_SYSTEM, "system" },
	{ ORDER_BY_PAYMENT, "payment" },     { ORDER_BY_REVIEWER, "reviewer" },
	{ ORDER_BY_FINANCE, "finance" },     { ORDER_BY_SHIPPING, "shipping" },
};

/* The names of every maker in by: a move may have more than one (a payment: the provider's
 * word or finance's). */
static json_t *makers(unsigned by)
{
	json_t *list = json_array();

	for (size_t i = 0; list && i < sizeof(movers) / sizeof(movers[0]); i++)
		if ((by & movers[i].bit) && json_array_append_new(list, json_string(movers[i].name)) < 0) {
			json_decref(list);
			return NULL;
		}
	return list;
}

static json_t *states(void)
{
	json_t *list = json_array();

	for (int s = 0; list && s < ORDER_STATE__COUNT; s++) {
		const struct order_state_def *d = order_state_def((enum order_state)s);

		if (json_array_append_new(list, json_pack(
			"{s:s, s:s, s:b, s:b, s:b, s:b, s:b, s:b}", "name", d->name, "zh", d->zh,
			"final", (d->flags & ORDER_FINAL) != 0, "editable", (d->flags & ORDER_EDITABLE) != 0,
			"in_review", (d->flags & ORDER_IN_REVIEW) != 0,
			"refundable", (d->flags & ORDER_REFUNDABLE) != 0,
			"awaits_applicant", (d->flags & ORDER_AWAITS_APPLICANT) != 0,
			"granted", (d->flags & ORDER_GRANTED) != 0)) < 0) {
			json_decref(list);
			return NULL;
		}
	}
	return list;
}

static json_t *transitions(void)
{
	json_t *list = json_array();

	for (size_t i = 0; list && i < order_ntransitions; i++) {
		const struct order_transition *t = &order_transitions[i];

		if (json_array_append_new(list, json_pack(
			"{s:s, s:s, s:s, s:o}", "from", order_state_def(t->from)->name, "to",
			order_state_def(t->to)->name, "event", t->event, "by", makers(t->by))) < 0) {
			json_decref(list);
			return NULL;
		}
	}
	return list;
}

static json_t *businesses(void)
{
	json_t *list = json_array();

	for (size_t i = 0; list && order_businesses[i].code; i++) {
		const char *code = order_businesses[i].code;

		if (json_array_append_new(list, json_pack(
			"{s:s, s:s, s:b, s:b}", "code", code, "zh", order_businesses[i].zh, "ships_key",
			order_ships_key(code, false), "ships_key_mail_in", order_ships_key(code, true))) < 0) {
			json_decref(list);
			return NULL;
		}
	}
	return list;
}

/* [{key: code, zh}] of a table of names (a NULL code ends it). */
static json_t *names(const struct order_name *t, const char *key)
{
	json_t *list = json_array();

	for (; list && t->code; t++)
		if (json_array_append_new(list, json_pack("{s:s, s:s}", key, t->code, "zh", t->zh)) < 0) {
			json_decref(list);
			return NULL;
		}
	return list;
}

static json_t *payment_state_list(void)
{
	json_t *list = json_array();

	for (size_t i = 0; list && payment_states[i].name; i++)
		if (json_array_append_new(list, json_pack("{s:s, s:s}", "name", payment_states[i].name,
							  "zh", payment_states[i].zh)) < 0) {
			json_decref(list);
			return NULL;
		}
	return list;
}

static json_t *pay_method_list(void)
{
	json_t *list = json_array();

	for (size_t i = 0; list && pay_methods[i][0]; i++)
		if (json_array_append_new(list, json_pack("{s:s, s:s}", "code", pay_methods[i][0], "zh",
							  pay_methods[i][1])) < 0) {
			json_decref(list);
			return NULL;
		}
	return list;
}

static json_t *carriers(void)
{
	json_t *list = json_array();

	for (size_t i = 0; list && waybill_carriers[i]; i++)
		if (json_array_append_new(list, json_pack("{s:s, s:s}", "code", waybill_carriers[i], "zh",
							  waybill_carrier_name(waybill_carriers[i]))) < 0) {
			json_decref(list);
			return NULL;
		}
	return list;
}

json_t *vocab_json(void)
{
	/* json_pack's "o" takes each list, and fails (releasing them all) if any is NULL. */
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "states", states(),
			 "transitions", transitions(), "businesses", businesses(), "kinds",
			 names(order_kinds, "code"), "events", names(order_events, "kind"),
			 "payment_states", payment_state_list(), "pay_methods", pay_method_list(),
			 "carriers", carriers(), "defect_signs", names(order_defect_signs, "code"));
}
