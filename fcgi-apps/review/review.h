/* review: the reviewer console: the queues of each staff role, claims, the order in full,
 * decisions on materials and orders, payments confirmed by finance, shipments, the audit trail. */
#ifndef CERTHALL_REVIEW_H
#define CERTHALL_REVIEW_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "crypto/cert.h"
#include "domain/order.h"
#include "domain/order_steps.h"
#include "ext/ca.h"
#include "web/app.h"
#include "web/req.h"

/* A claim older than this has lapsed (the issue: 30 minutes). */
#define REVIEW_CLAIM_MINUTES 30
/* The same span in SQL: a claim is live while claimed_at >= NOW(3) - REVIEW_CLAIM_SPAN. */
#define REVIEW_CLAIM_SPAN "INTERVAL 30 MINUTE"

/* ---- order.c */

/* Finds the order by number (any staff may look: the caller has checked the role). An unknown
 * or malformed number gets 404. Returns 0 or -1 (answered). */
int review_find_order(struct req *r, const char *no, struct order *o);

/* The key is mailed (new, add, lost, damaged; a mail-in change): as wizard_ships_key. */
bool review_ships_key(const struct order *o);

/* The body of a state-changing request: a JSON object (an empty body counts as {}), with
 * "version" (the order's version the client saw) required when need_version. Returns 0 or -1
 * (answered). */
int review_body(struct req *r, json_t **body, bool need_version, long long *version);

/* Inside the caller's transaction: order_move + order_event (actor: this staff member, in the
 * role `by`, ORDER_BY_*, the route's). Returns DB_OK, ORDER_STALE or a DB error. */
int review_move(struct db *db, struct req *r, const struct order *o, enum order_state from,
		enum order_state to, unsigned by, long long version, const char *event,
		const char *note);

/* The channel's promise in words: "3" or "3–5" (working days). */
const char *review_days_text(struct req *r, int min, int max);

/* The 409 two staff acting at once get: one wins, the other reads this. */
int review_conflict(struct req *r);

/* The start of a handler that changes an order (its role checked by the route table): the
 * body with "version" (the order's version the client saw), the order of the URL, and that
 * version still the order's (409 when another staff member got there first).
 * Returns 0 or -1 (answered). */
int review_begin(struct req *r, struct order *o, json_t **body, long long *version);

/* 409 wrong_state naming the state the order is in and what the action needs. */
int review_wrong_state(struct req *r, const struct order *o, const char *needs);

/* ---- actions.c */

/* What the staff member of the request may do to the order now, as the handlers would take
 * it: the names of main.c's POST routes (claim, release, material, approve, return, reject,
 * paper_received, inspection, payment_confirm, refund, made, shipped, delivered), in that
 * order. A new array, or NULL when the database fails. Each still needs the body its route
 * asks for and, where the route says so, a fresh second factor; approve is refused while a
 * material stands rejected (409). holder: the staff id of the order's live claim, 0 when none (the caller
 * has read it). */
json_t *review_actions(struct req *r, const struct order *o, long long holder);


/* ---- steps.c: the wizard's sealed step data */

/* The step's JSON object (released with the arena), or NULL when never saved or unreadable. */
json_t *review_step(struct db *db, struct req *r, long long order_id, const char *step);

/* Every saved step of the order into `into` (step name -> object; {"unreadable": true} for one
 * that does not open). Returns a DB_* code. */
int review_steps(struct req *r, long long order_id, json_t *into);


/* ---- audit.c */

/* Inside the caller's transaction (or alone): one row of the audit trail for the staff member
 * of the request. order_id 0 / order_no NULL when the action is about no order. */
int review_audit(struct db *db, struct req *r, long long order_id, const char *order_no,
		 const char *action, const char *detail);

/* ---- notify.c */

/* Inside the caller's transaction: the SMS of event to the handler's mobile, and the email
 * when the handler step has an address. params (borrowed) gets order_no. Returns a DB_* code
 * (a missing template fails the transaction: the change would go unannounced). */
int review_notify(struct db *db, struct req *r, const struct order *o, const char *event,
		  json_t *params);

/* ---- reasons.c */

/* The text of an active reason code into *text; scope: "material" (codes of scope "any" fit
 * too), or NULL for any code. Returns 0, or -1 answered (400 naming the field). */
int review_reason(struct req *r, const char *field, const char *code, const char *scope,
		  const char **text);

/* ---- claim.c */

/* Inside a decision's transaction: the order's claim is done with. */
int review_claim_clear(struct db *db, long long order_id);

/* ---- four_eyes.c */

/* What an approval of the order is under its hall's four-eyes rule: none (not a named
 * business, or a pre-review), the first, the same reviewer again (refused), or the second. */
enum four_eyes_step { FOUR_EYES_NONE, FOUR_EYES_FIRST, FOUR_EYES_SAME, FOUR_EYES_SECOND };

struct review_four_eyes {
	enum four_eyes_step step;   /* for the staff member of the request */
	long long first_id;         /* staff id of the first approval, 0 none */
	const char *first_name, *first_at;
};

/* Reads the rule and the first approval of o (lock: FOR UPDATE, inside a transaction).
 * Returns a DB_* code. */
int review_four_eyes(struct db *db, struct req *r, const struct order *o, bool lock,
		     struct review_four_eyes *fe);
/* Inside the decision's transaction: records this staff member's approval as the first; the
 * order stays in its state, its version one up. DB_OK, ORDER_STALE, or a DB error. */
int review_four_eyes_first(struct db *db, struct req *r, const struct order *o, long long version);
/* Inside a return's or refusal's transaction: the first approval no longer counts. */
int review_four_eyes_clear(struct db *db, long long order_id);
/* {name, at, me} of the first approval, or JSON null. */
json_t *review_four_eyes_json(const struct review_four_eyes *fe);

/* ---- issue.c */

/* Inside the approval's transaction: what approving the business does to certificates: a
 * renewal's new validity, a revocation (a mailed key's certificate comes with the made step,
 * make.c). *serial gets a new certificate's serial (arena) or NULL. Returns a DB_* code. */
int review_issue(struct db *db, struct req *r, const struct order *o, const char **serial);

/* Revokes at the CA, for reason, the certificate of a row in state with pem (before the hall
 * records it: the CA first, so that the hall never shows revoked what relying parties see
 * valid). Nothing is asked when the row is not valid or has no PEM (imported: the CA revokes
 * it at its own counter). *kind gets the revoked certificate's key kind, CERT_KEY_OTHER when
 * nothing was asked. Returns 0, or -1 answered (503 when the CA did not revoke). */
int review_ca_revoke(struct req *r, const struct order *o, const char *state, const char *pem,
		     enum ca_reason reason, enum cert_key *kind);

/* After a revocation of kind is recorded: the CA's CRL fetched again (a failure is logged; the
 * look-up fetches it later). Nothing when kind is CERT_KEY_OTHER. */
void review_crl_refresh(struct req *r, const struct order *o, enum cert_key kind);

/* Whom the order's certificate names (its CN): the applicant of a person's certificate, the
 * organisation of an organisation's. NULL when the database fails. */
const char *review_holder(struct db *db, struct req *r, const struct order *o);

/* Inside the caller's transaction: an order just approved goes on: nothing to mail -> done.
 * Writes the approval's certificate effects, events and the approval SMS. */
int review_approved(struct db *db, struct req *r, const struct order *o, long long version,
		    enum order_state *final_state);

/* ---- make.c: 001 金融认证 after approval (domain/fincheck.h) */

/* Whether the order's PIN rides in the memo of the 0.01 transfer its approval started
 * (*applies), and the latest transfer's state ("" none; "credited": 成功受理, it may be made).
 * Returns a DB_* code. */
int review_fin_check(struct req *r, const struct order *o, bool *applies, const char **state);

/* fin_pin.c: GET /api/review/orders/:no/fin-check/pin (shipping). */
int review_fin_pin(struct req *r);

/* The same, and when that transfer is still queued or sent, the hall's pass asks the bank
 * about it after this request's answer (domain/fincheck.h): *ref gets its ref ("" none), which
 * the console's sandbox buttons name. Returns a DB_* code. */
int review_fin_check_poll(struct req *r, const struct order *o, bool *applies,
			  const char **state, const char **ref);

/* ---- hall.c: the halls' own data, for their admins (hall_fee.c, hall_agreement.c) */

/* Text a person reads as it is stored: no bidirectional controls (U+061C, U+200E/F,
 * U+202A..E, U+2066..9). UTF-8 and control characters are valid_text's to check. A
 * struct req_field check. */
bool review_hall_plain(const char *s);

/* s cut to max_chars code points, with "…" when cut (an audit detail stays within its column). */
const char *review_hall_cut(struct req *r, const char *s, size_t max_chars);

/* The id of the channel (hall) coded `code` into *id; 404 for a malformed or unknown code.
 * Returns 0 or -1 (answered). */
int review_hall_id(struct req *r, const char *code, long long *id);

/* ---- working days (queue.c) */

/* Working days from from_day to today (both YYYY-MM-DD, the database's calendar day): the
 * working days after from_day up to and including today (shared/domain/workdays.h, the holidays
 * table). -1 when a date is not one, or the calendar cannot be read. */
int review_waited_days(struct req *r, const char *from_day, const char *today);

/* ---- handlers, by file */
int review_queue(struct req *r);            /* queue.c */
int review_claim(struct req *r);            /* claim.c */
int review_release(struct req *r);
int review_detail(struct req *r);           /* detail.c */
int review_material(struct req *r);         /* decide.c */
int review_decision(struct req *r);
int review_pay_confirm(struct req *r);      /* finance.c */
int review_refund(struct req *r);
int review_paper_received(struct req *r);   /* ship.c */
int review_shipped(struct req *r);
int review_delivered(struct req *r);
int review_made(struct req *r);             /* make.c */
int review_inspection(struct req *r);       /* inspect.c */

/* What the made step's request must name (make.c): holder (CN) and subject (O); for a
 * replacement the old certificate's, with that certificate's state and PEM ("" otherwise). */
struct review_names {
	const char *holder, *subject, *target_state, *target_pem;
	bool seal; /* a change of the seal: the new certificate carries one */
};
int review_cert_names(struct req *r, const struct order *o, struct review_names *n);
int review_reasons(struct req *r);          /* reasons.c */
int review_audit_csv(struct req *r);        /* audit.c */
int review_halls(struct req *r);            /* hall.c */
int review_hall_put(struct req *r);
int review_hall_fee_put(struct req *r);     /* hall_fee.c */
int review_hall_fee_delete(struct req *r);
int review_hall_agreement(struct req *r);   /* hall_agreement.c */

#endif
