/* Unit tests of the order's state machine (shared/domain/order.c): the table of states and the
 * table of moves, checked against the machine that order.h describes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "domain/order.h"

#define ANYONE (ORDER_BY_APPLICANT | ORDER_BY_SYSTEM | ORDER_BY_PAYMENT | ORDER_BY_REVIEWER | \
		ORDER_BY_FINANCE | ORDER_BY_SHIPPING)

/* Who may make the move from -> to, read off the table here, apart from order.c's lookup. */
static unsigned makers(enum order_state from, enum order_state to)
{
	unsigned by = 0;

	for (size_t i = 0; i < order_ntransitions; i++)
		if (order_transitions[i].from == from && order_transitions[i].to == to)
			by |= order_transitions[i].by;
	return by;
}

static bool row(enum order_state from, enum order_state to)
{
	return makers(from, to) != 0;
}

/* Every state has a name, a zh-CN name, and parses back to itself; nothing else parses. */
static void test_states(void **state)
{
	(void)state;
	for (int s = 0; s < ORDER_STATE__COUNT; s++) {
		const struct order_state_def *d = order_state_def((enum order_state)s);

		assert_non_null(d);
		assert_non_null(d->name);
		assert_non_null(d->zh);
		assert_int_equal(order_state_parse(d->name), s);
		assert_string_equal(order_state_name(d->name), d->zh);
		assert_string_equal(order_state_str((enum order_state)s), d->name);
		assert_string_equal(order_state_zh((enum order_state)s), d->zh);
	}
	assert_string_equal(order_state_str(ORDER_STATE_NONE), "");
	assert_string_equal(order_state_zh(ORDER_STATE_NONE), "未知状态");
	assert_int_equal(order_state_parse(NULL), ORDER_STATE_NONE);
	assert_int_equal(order_state_parse(""), ORDER_STATE_NONE);
	assert_int_equal(order_state_parse("Draft"), ORDER_STATE_NONE);
	assert_int_equal(order_state_parse("draft "), ORDER_STATE_NONE);
	assert_null(order_state_def(ORDER_STATE_NONE));
	assert_null(order_state_def(ORDER_STATE__COUNT));
	assert_false(order_is(ORDER_STATE_NONE, ORDER_FINAL));
	assert_false(order_is(ORDER_STATE__COUNT, ORDER_FINAL));
}

/* The flags are the machine's own lists, written once. */
static void test_flags(void **state)
{
	static const char *const final[] = { "done", "cancelled", "refunded", "expired" };
	static const char *const editable[] = { "draft", "returned" };
	static const char *const in_review[] = { "pre_review", "reviewing", "paper_review" };
	static const char *const refundable[] = { "pre_review", "reviewing", "awaiting_paper",
						  "paper_review", "returned", "verify_failed" };
	static const char *const awaits_applicant[] = { "draft", "verify_failed", "pending_payment",
							"awaiting_paper", "awaiting_key", "returned" };
	static const char *const granted[] = { "approved", "making", "shipped", "done" };
	struct {
		unsigned flag;
		const char *const *names;
		size_t n;
	} sets[] = {
		{ ORDER_FINAL, final, 4 },
		{ ORDER_EDITABLE, editable, 2 },
		{ ORDER_IN_REVIEW, in_review, 3 },
		{ ORDER_REFUNDABLE, refundable, 6 },
		{ ORDER_AWAITS_APPLICANT, awaits_applicant, 6 },
		{ ORDER_GRANTED, granted, 4 },
	};

	(void)state;
	for (size_t k = 0; k < sizeof(sets) / sizeof(sets[0]); k++) {
		size_t have = 0;

		for (int s = 0; s < ORDER_STATE__COUNT; s++) {
			const struct order_state_def *d = order_state_def((enum order_state)s);
			bool listed = false;

			for (size_t i = 0; i < sets[k].n; i++)
				listed = listed || strcmp(d->name, sets[k].names[i]) == 0;
			assert_int_equal(order_is(order_state_parse(d->name), sets[k].flag), listed);
			have += listed;
		}
		assert_int_equal(have, sets[k].n);
	}
	assert_true(order_is(ORDER_DONE, ORDER_FINAL));
	assert_false(order_is(ORDER_APPROVED, ORDER_FINAL));
}

/* Each row is legal, names a known event and someone who makes it; a final state is never
 * left; every state but the final ones can be left, and every state is reached. */
static void test_rows(void **state)
{
	(void)state;
	assert_true(order_ntransitions > 0);
	for (size_t i = 0; i < order_ntransitions; i++) {
		const struct order_transition *t = &order_transitions[i];
		const struct order_state_def *from = order_state_def(t->from);

		assert_non_null(from);
		assert_non_null(order_state_def(t->to));
		assert_true(order_transition_legal(t->from, t->to, t->by));
		/* Nobody else makes it: one maker at a time, each refused unless a row names it. */
		for (unsigned bit = 1; bit & ANYONE; bit <<= 1)
			assert_int_equal(order_transition_legal(t->from, t->to, bit),
					 (makers(t->from, t->to) & bit) != 0);
		assert_false(order_transition_legal(t->from, t->to, 0));
		assert_non_null(order_event_name(t->event));
		assert_int_not_equal(t->by, 0);
		assert_false(from->flags & ORDER_FINAL);
		assert_int_not_equal(t->from, t->to);
	}
	for (int s = 0; s < ORDER_STATE__COUNT; s++) {
		bool out = false, in = false;

		for (int o = 0; o < ORDER_STATE__COUNT; o++) {
			out = out || row((enum order_state)s, (enum order_state)o);
			in = in || row((enum order_state)o, (enum order_state)s);
		}
		assert_int_equal(out, !(order_state_def((enum order_state)s)->flags & ORDER_FINAL));
		assert_true(in); /* draft too: a failed verification returns to it */
	}
}

/* Every pair not in the table is refused, the unknown state too. */
static void test_illegal_pairs(void **state)
{
	size_t legal = 0;

	(void)state;
	for (int f = ORDER_STATE_NONE; f < ORDER_STATE__COUNT; f++)
		for (int t = ORDER_STATE_NONE; t < ORDER_STATE__COUNT; t++) {
			bool ok = order_transition_legal((enum order_state)f, (enum order_state)t,
							 ANYONE);

			assert_int_equal(ok, row((enum order_state)f, (enum order_state)t));
			legal += ok;
		}
	/* Some moves the machine must never make. */
	assert_false(order_transition_legal(ORDER_DRAFT, ORDER_APPROVED, ANYONE));
	assert_false(order_transition_legal(ORDER_PENDING_PAYMENT, ORDER_DONE, ANYONE));
	assert_false(order_transition_legal(ORDER_DONE, ORDER_DRAFT, ANYONE));
	assert_false(order_transition_legal(ORDER_REFUNDED, ORDER_REFUNDING, ANYONE));
	assert_false(order_transition_legal(ORDER_CANCELLED, ORDER_REVIEWING, ANYONE));
	assert_false(order_transition_legal(ORDER_RETURNED, ORDER_APPROVED, ANYONE));
	assert_false(order_transition_legal(ORDER_STATE_NONE, ORDER_DRAFT, ANYONE));
	assert_true(legal < (size_t)ORDER_STATE__COUNT * ORDER_STATE__COUNT / 4);
}

/* Who moves an order is the table's: the applicant cannot approve, a reviewer cannot confirm
 * money, the provider cannot ship. */
static void test_makers(void **state)
{
	(void)state;
	assert_true(order_transition_legal(ORDER_REVIEWING, ORDER_APPROVED, ORDER_BY_REVIEWER));
	assert_false(order_transition_legal(ORDER_REVIEWING, ORDER_APPROVED, ORDER_BY_APPLICANT));
	assert_false(order_transition_legal(ORDER_REVIEWING, ORDER_APPROVED, ORDER_BY_FINANCE));
	assert_true(order_transition_legal(ORDER_PENDING_PAYMENT, ORDER_REVIEWING, ORDER_BY_PAYMENT));
	assert_true(order_transition_legal(ORDER_PENDING_PAYMENT, ORDER_REVIEWING, ORDER_BY_FINANCE));
	assert_false(order_transition_legal(ORDER_PENDING_PAYMENT, ORDER_REVIEWING,
					    ORDER_BY_REVIEWER));
	assert_false(order_transition_legal(ORDER_PENDING_PAYMENT, ORDER_REVIEWING,
					    ORDER_BY_APPLICANT));
	assert_true(order_transition_legal(ORDER_MAKING, ORDER_SHIPPED, ORDER_BY_SHIPPING));
	assert_false(order_transition_legal(ORDER_MAKING, ORDER_SHIPPED, ORDER_BY_PAYMENT));
	assert_true(order_transition_legal(ORDER_REFUNDING, ORDER_REFUNDED, ORDER_BY_FINANCE));
	assert_false(order_transition_legal(ORDER_REFUNDING, ORDER_REFUNDED, ORDER_BY_APPLICANT));
	assert_true(order_transition_legal(ORDER_DRAFT, ORDER_CANCELLED, ORDER_BY_APPLICANT));
	assert_false(order_transition_legal(ORDER_DRAFT, ORDER_CANCELLED, ORDER_BY_REVIEWER));
}

/* 001 金融认证 after approval: "如申请资料审核通过且金融认证通过，则申请单状态显示“成功受理”"; a
 * refused 0.01 transfer shows 金融认证失败, and "进入个人中心—我的业务单—证书申请，找到对应的申请单，
 * 点击“金融认证”按钮，重新填写正确的单位基本账户信息后点击“提交”即可": the hall's pass fails it
 * (SYSTEM), only the applicant sends it back to approved, and nothing else leaves approved
 * for verify_failed. */
static void test_fin_check_rows(void **state)
{
	(void)state;
	assert_int_equal(makers(ORDER_APPROVED, ORDER_VERIFY_FAILED), ORDER_BY_SYSTEM);
	assert_int_equal(makers(ORDER_VERIFY_FAILED, ORDER_APPROVED), ORDER_BY_APPLICANT);
	assert_false(order_transition_legal(ORDER_APPROVED, ORDER_VERIFY_FAILED, ORDER_BY_REVIEWER));
	assert_false(order_transition_legal(ORDER_VERIFY_FAILED, ORDER_APPROVED, ORDER_BY_SYSTEM));
	assert_false(order_transition_legal(ORDER_VERIFY_FAILED, ORDER_APPROVED, ORDER_BY_REVIEWER));
	assert_false(row(ORDER_MAKING, ORDER_VERIFY_FAILED));
	for (size_t i = 0; i < order_ntransitions; i++) {
		const struct order_transition *t = &order_transitions[i];

		if (t->from == ORDER_APPROVED && t->to == ORDER_VERIFY_FAILED)
			assert_string_equal(t->event, "fin_check_failed");
		if (t->from == ORDER_VERIFY_FAILED && t->to == ORDER_APPROVED)
			assert_string_equal(t->event, "fin_check_resubmitted");
	}
	assert_string_equal(order_state_zh_as(ORDER_VERIFY_FAILED, "transfer"), "金融认证失败");
	assert_string_equal(order_event_name("fin_check_passed"), "金融认证通过，成功受理");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_states),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_illegal_pairs),
		cmocka_unit_test(test_makers),
		cmocka_unit_test(test_fin_check_rows),

	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
