/* review: what the staff member of a request may do to an order now, named after the POST
 * routes of main.c. A move is in the state machine: a row of order_transitions out of the
 * order's state made by one of the member's roles (an admin acts in each, as auth_require
 * lets it), narrowed by what its handler checks besides the state (decide.c, finance.c,
 * ship.c). Claims and material decisions move nothing: claim.c and decide.c say when. */
#include <stdlib.h>
#include <string.h>

#include "base/strlist.h"
#include "web/auth.h"
#include "domain/order.h"
#include "review.h"

/* In the order they are listed. */
enum act { A_CLAIM, A_RELEASE, A_MATERIAL, A_APPROVE, A_RETURN, A_REJECT, A_PAPER_RECEIVED,
	   A_INSPECTION, A_PAYMENT_CONFIRM, A_REFUND, A_MADE, A_SHIPPED, A_DELIVERED, A__COUNT };

static const char *const act_names[A__COUNT] = {
	[A_CLAIM] = "claim", [A_RELEASE] = "release", [A_MATERIAL] = "material",
	[A_APPROVE] = "approve", [A_RETURN] = "return", [A_REJECT] = "reject",
	[A_PAPER_RECEIVED] = "paper_received", [A_INSPECTION] = "inspection", [A_PAYMENT_CONFIRM] = "payment_confirm",
	[A_REFUND] = "refund", [A_MADE] = "made", [A_SHIPPED] = "shipped", [A_DELIVERED] = "delivered",
};

/* The staff moves: the event each records, the action that makes it. */
static const struct {
	const char *event;
	enum act act;
} moves[] = {
	{ "pre_review_passed", A_APPROVE }, { "approved", A_APPROVE },
	{ "returned", A_RETURN },           { "cancelled", A_REJECT },
	{ "paper_received", A_PAPER_RECEIVED }, { "key_inspected", A_INSPECTION },
	{ "paid", A_PAYMENT_CONFIRM },
	{ "refunded", A_REFUND },           { "key_made", A_MADE },
	{ "shipped", A_SHIPPED },           { "done", A_DELIVERED },
};

/* The staff role that makes a move of `by`; 0 for the applicant's and the system's. */
static unsigned role_of(unsigned by)
{
	switch (by) {
	case ORDER_BY_REVIEWER: return ROLE_REVIEWER;
	case ORDER_BY_PAYMENT: /* a transfer or counter payment: finance confirms it */
	case ORDER_BY_FINANCE: return ROLE_FINANCE;
	case ORDER_BY_SHIPPING: return ROLE_SHIPPING;
	default: return 0;
	}
}

/* The payments waiting for finance, and those in refunding. */
static const char sql_facts[] =
	"SELECT (SELECT COUNT(*) FROM payments WHERE order_id = ? AND state = 'awaiting_finance'), "
	"(SELECT COUNT(*) FROM payments WHERE order_id = ? AND state = 'refunding')";

json_t *review_actions(struct req *r, const struct order *o, long long holder)
{
	enum order_state s = o->state;
	bool on[A__COUNT] = { false };
	long long awaiting, refunding;
	struct db_rows rows;
	json_t *list;

	if (db_query(&r->app->db, r->arena, sql_facts, DB_ARGS(DB_I64(o->id), DB_I64(o->id)),
		     &rows) != DB_OK ||
	    rows.nrows != 1)
		return NULL;
	awaiting = strtoll(db_cell(&rows, 0, 0), NULL, 10);
	refunding = strtoll(db_cell(&rows, 0, 1), NULL, 10);

	for (size_t i = 0; i < order_ntransitions; i++) {
		const struct order_transition *t = &order_transitions[i];
		bool mine = false;

		/* A move may have several makers (a payment: the provider's word or finance's). */
		for (unsigned bit = 1; bit <= t->by; bit <<= 1)
			mine = mine || ((t->by & bit) && role_of(bit) && auth_has_role(r, role_of(bit)));
		if (t->from != s || !mine)
			continue;
		for (size_t m = 0; m < sizeof(moves) / sizeof(moves[0]); m++)
			if (strcmp(moves[m].event, t->event) == 0)
				on[moves[m].act] = true;
	}
	/* ship.c: a key is made only where one is mailed. */
	on[A_MADE] = on[A_MADE] && order_ships_key(o->business, order_by_mail(o));
	/* make.c: 001's financial check credited first. */
	if (on[A_MADE]) {
		const char *fin_state;
		bool fin;

		if (review_fin_check(r, o, &fin, &fin_state) != DB_OK)
			return NULL;
		on[A_MADE] = !fin || str_is(fin_state, "credited");
	}
	/* finance.c: a payment is confirmed only when one awaits finance; then in any state (one
	 * that comes after the order went on without it is paid back). */
	on[A_PAYMENT_CONFIRM] = auth_has_role(r, ROLE_FINANCE) && awaiting > 0;
	/* finance.c: a refund pays out what is in refunding: an order refunding, or money the
	 * state does not show (refund_due). */
	on[A_REFUND] = (on[A_REFUND] || (o->refund_due && auth_has_role(r, ROLE_FINANCE))) && refunding > 0;
	/* decide.c: materials are judged while a decision is awaited. */
	on[A_MATERIAL] = auth_has_role(r, ROLE_REVIEWER) && order_is(s, ORDER_IN_REVIEW);
	/* claim.c: a claim of an open order nobody holds; the holder's release, or an admin's. */
	on[A_CLAIM] = holder == 0 && s != ORDER_STATE_NONE && !order_is(s, ORDER_FINAL);
	on[A_RELEASE] = holder != 0 && (holder == r->auth.id || (r->auth.roles & ROLE_ADMIN));
	/* four_eyes.c: the first approver does not approve again. */
	if (on[A_APPROVE]) {
		struct review_four_eyes fe;

		if (review_four_eyes(&r->app->db, r, o, false, &fe) != DB_OK)
			return NULL;
		on[A_APPROVE] = fe.step != FOUR_EYES_SAME;
	}

	list = json_array();
	for (int a = 0; list && a < A__COUNT; a++)
		if (on[a] && json_array_append_new(list, json_string(act_names[a])) < 0) {
			json_decref(list);
			return NULL;
		}
	return list;
}
