/* verify_subject: what the identity verification endpoints share (verify_start.c,
 * verify_confirm.c, verify_status.c, verify_mail_in.c): the two subjects, the order as locked,
 * a subject's latest check, how a decided check moves the order, and the answer.
 *
 * saved steps; its outcome is recorded in one transaction that first makes sure neither the
 * order's state nor the checked steps changed meanwhile. Every attempt is a verifications
 * row. The latest row of a subject counts, and only while the steps it checked stay as they
 * were when it started (wizard_verified): passing with one handler and then saving another
 * is not passing.
 *
 * The transfer memo code is stored nowhere: it is the keyed hash (HMAC under the look-up key)
 * of the attempt's random ref, cut to 6 digits, and recomputed to compare. Without the key
 * the ref in the database says nothing about the code.
 */
#ifndef CERTHALL_WIZARD_VERIFY_SUBJECT_H
#define CERTHALL_WIZARD_VERIFY_SUBJECT_H

#include <stdbool.h>
#include <string.h>

#include "base/strlist.h"
#include "crypto/crypto.h"
#include "db/db.h"
#include "ext/verify.h"
#include "wizard.h"

#define MEMO_TRIES 5        /* wrong memo codes before the transfer check fails */


struct subject {
	const char *code, *zh;
	enum wizard_step step;
	const char *steps[2];   /* the saved steps the check reads */
};

/* The subject named code ("enterprise" | "handler"), NULL for any other. */
const struct subject *wizard_verify_subject(const char *code);

struct locked {
	enum order_state state;
	const char *editable;
	long long version;
	bool mail_in;
};

/* Inside a transaction: locks order id and reads it into *lk. Returns a DB_* code. */
int wizard_verify_lock(struct db *db, struct req *r, long long id, struct locked *lk);

/* Whether subject s may be checked in this state; *why: the reason when not. */
bool wizard_verify_startable(const struct order *o, enum order_state state,
			     const char *editable, bool mail_in, const struct subject *s,
			     struct req *r, const char **why);

struct channel {
	bool mail_in, offered;
	bool fin_after_approval; /* 001: the transfer comes after approval (domain/fincheck.h) */
	const char *uscc;
};

/* The order's channel: whether it offers method (a verify or handler method; "" asks only
 * for the rest), mail-in, and the organisation's USCC. Returns 0, or -1 answered. */
int wizard_verify_channel(struct req *r, const struct order *o, const char *method,
			  struct channel *ch);


/* A state as the verifications table spells it. */
const char *wizard_verify_state_code(enum verify_state s);

/* The provider's reason, as people and the database may see it. */
const char *wizard_verify_masked(struct req *r, const char *message);

/* Inside the transaction: decides the pending check id (state "passed" | "failed" ...,
 * message); *n (may be NULL): rows changed, 0 when another request decided it first.
 * Returns a DB_* code. */
int wizard_verify_decide(struct db *db, long long id, const char *state, const char *message,
			 unsigned long long *n);

/* Inside the transaction, once the check of s says st: the order's trail and state.
 * *after: the order's state afterwards. Returns a DB_* code. */
int wizard_verify_settle(struct db *db, struct req *r, long long order_id,
			 const struct subject *s, const char *method, const struct locked *lk,
			 enum verify_state st, const char *message, enum order_state *after);

/* The latest check of s on the order, FOR UPDATE when lock; its columns: */
enum { L_ID, L_METHOD, L_REF, L_STATE, L_TRIES, L_LINK, L_MESSAGE, L_CREATED, L_DECIDED, L_CURRENT };
int wizard_verify_latest(struct db *db, struct req *r, long long order_id,
			 const struct subject *s, bool lock, struct db_rows *rows);

/* After a failure: go back and edit, or (an organisation failing) switch to mail-in (002). */
json_t *wizard_verify_offers(const struct subject *s, enum order_state state, bool channel_mail_in,
			     bool mail_in);

/* 200 {"order_no","order_state","subject","verification"{...}|null,"offers"?} + more (taken).
 * Returns 0, or -1 answered. */
int wizard_verify_answer(struct req *r, const struct order *o, const struct subject *s,
			 enum order_state state, bool mail_in, json_t *more);

#endif
