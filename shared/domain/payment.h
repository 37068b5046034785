/* payment: a payment's outcome applied to its order, the one way for every path (the
 * provider's notification, the poll, finance's confirmation). */
#ifndef CERTHALL_PAYMENT_H
#define CERTHALL_PAYMENT_H

#include <stdbool.h>

#include "domain/order.h"

struct arena;
struct db;

/* The states of a payment (payments.state), in the order a payment goes through them. A
 * provider's report (struct payment_report.state) speaks the same names. */
enum payment_state {
	PAYMENT_STATE_NONE = -1, /* NULL or not a state's name */
	PAYMENT_STATE_PENDING,
	PAYMENT_STATE_AWAITING_FINANCE,
	PAYMENT_STATE_PAID,
	PAYMENT_STATE_CLOSED,
	PAYMENT_STATE_REFUNDING,
	PAYMENT_STATE_REFUNDED,
	PAYMENT_STATE__COUNT
};

/* Each state's stored name and zh-CN name, indexed by the enum; a row of NULLs ends it. */
struct payment_state_def {
	const char *name;
	const char *zh;
};
extern const struct payment_state_def payment_states[PAYMENT_STATE__COUNT + 1];

/* PAYMENT_STATE_NONE for NULL or an unknown name. */
enum payment_state payment_state_parse(const char *name);
/* The stored name, "" for PAYMENT_STATE_NONE. */
const char *payment_state_str(enum payment_state s);
/* Whether name is state s's name (a cell or a report compared without spelling it). */
bool payment_state_is(const char *name, enum payment_state s);

/* The zh-CN name of a payment state, NULL for an unknown one. */
const char *payment_state_name(const char *state);


/* The state a paid order moves to (shared/domain/order.h): two_stage flow, or paper by mail
 * (order_by_mail) -> awaiting_paper; online renewal -> approved; otherwise reviewing. */
enum order_state payment_next_state(const char *flow, bool by_mail, const char *renew_mode);

/* What one report says happened. */
struct payment_report {
	const char *state;          /* paid | closed | pending (nothing to do) */
	long long amount_fen;       /* for paid: must equal the payment's amount */
	const char *provider_ref;   /* NULL or "" when not known (finance) */
	const char *actor_type;     /* system (provider) | staff (finance) */
	long long actor_id;
};

enum payment_outcome {
	PAYMENT_PAID,    /* payment paid, order moved on (order_to) */
	PAYMENT_REFUND,  /* payment paid, but its order no longer waits for it: refunding */
	PAYMENT_CLOSED,  /* payment closed */
	PAYMENT_UNCHANGED,       /* already so, still pending, or a closed after a paid */
	PAYMENT_AMOUNT_MISMATCH, /* a paid for another amount: nothing changed */
	PAYMENT_REF_MISMATCH,    /* a paid naming another provider order: nothing changed */
	PAYMENT_UNKNOWN,         /* no such pay_no */
};

/* The outcome as stored in payment_notifications.outcome ("paid", "amount_mismatch", ...). */
const char *payment_outcome_name(enum payment_outcome o);

struct payment_applied {
	enum payment_outcome outcome;
	long long order_id, amount_fen;
	const char *order_no, *method;      /* in the arena; NULL for PAYMENT_UNKNOWN */
	enum order_state order_from, order_to; /* order_to NONE when the order did not move */
};

/*
 * Inside the caller's transaction: applies rep to payment pay_no and its order, locking the
 * order, then the payment (FOR UPDATE; every payment path locks in that order). The one
 * function behind the notification, the poll and finance's confirmation, so each gives the
 * same result. A paid payment of an order in pending_payment moves the order on
 * (payment_next_state), sets paid_at, closes the order's other open payments, event "paid"; of
 * an order in any other state, the payment goes to refunding, event refund_requested, the
 * order stays. A provider's report (actor system) about a transfer or counter payment changes
 * nothing. Returns a DB_* code; out says what happened.
 */
int payment_apply(struct db *db, struct arena *a, const char *pay_no, const struct payment_report *rep,
	      struct payment_applied *out);

/* Inside the caller's transaction (the order locked): closes the order's open payments
 * (pending, awaiting_finance) but keep_id, once another one is paid or chosen. A DB_* code. */
int payment_close_others(struct db *db, long long order_id, long long keep_id);

#endif
