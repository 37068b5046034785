/* pay_payment: what the payment endpoints share (pay_start.c, pay_status.c, pay_notify.c,
 * pay_refund.c): payment rows and their JSON (pay_payment.c), where transfer and counter
 * payments go (pay_desk.c), and applying what the provider says (payment_apply.c). The protocol
 * and the payment states are in shared/ext/pay.h.
 *
 * POST /api/wizard/orders/:no/pay     {"method", "scene"?}: pending_payment only. The same
 *                                     method and scene again answers the open payment (200), a
 *                                     new one is 201; another closes the open one first (a QR
 *                                     at the provider). scene "h5" (a phone: the page says so,
 *                                     or else the user agent does) makes an H5 order.
 *                                     What asks the provider counts against [pay]
 *                                     per_account_hour.
 * GET  /api/wizard/orders/:no/pay     the order, its methods and payments; open QR payments are
 *                                     asked about at the provider (each at most once per
 *                                     QUERY_EVERY seconds) and what changed is applied.
 * POST /api/wizard/pay/notify         the provider's signed notification (no session).
 * POST /api/wizard/orders/:no/refund  {"reason"?}: paid and not yet approved -> refunding.
 *
 */
#ifndef CERTHALL_WIZARD_PAY_PAYMENT_H
#define CERTHALL_WIZARD_PAY_PAYMENT_H

#include <stdbool.h>
#include <string.h>

#include "base/strlist.h"
#include "ext/pay.h"
#include "domain/payment.h"
#include "wizard.h"


/* ---- pay_payment.c */

struct payment {
	long long id, amount_fen;
	const char *pay_no, *method, *state, *qr_url, *created_at, *paid_at, *h5_url;
};

/* Row i of a query of the payment columns. */
struct payment wizard_payment_at(const struct db_rows *rows, size_t i);

/* *p: payment id. Returns 0, or -1 answered. */
int wizard_payment_load(struct req *r, long long id, struct payment *p);

/* *rows: the order's latest payments, newest first (wizard_payment_at reads them). Returns 0,
 * or -1 answered. */
int wizard_payments_of(struct req *r, long long order_id, struct db_rows *rows);

/* The payment as the pages show it: a pending QR with its code, an awaiting transfer or
 * counter payment with where to pay. */
json_t *wizard_payment_json(struct req *r, const struct order *o, const struct payment *p);

/* ---- pay_desk.c: where order o's transfer or counter payment goes, and what to write. */
json_t *wizard_pay_transfer_json(struct req *r, const struct order *o);
json_t *wizard_pay_counter_json(struct req *r, const struct order *o);

/* Whether method is offered for order o by a channel whose pay_methods (methods) and
 * desk_only_businesses (schema/0029_hall_rules.sql) are these comma lists. */
bool wizard_pay_offered(const struct order *o, const char *methods, const char *desk_only,
			const char *method);

/* ---- payment_apply.c: applying what the provider says (notification and poll alike) */

struct applying {
	struct req *r;
	const char *pay_no;
	struct payment_report rep;
	const struct pay_notice *notice; /* recorded when the report is a notification */
	const char *mobile;              /* for the paid SMS; NULL: none */
	struct payment_applied out;
	bool duplicate;
};

/* The handler's mobile for the payment SMS (saving the handler step seals it into the order):
 * *out NULL when there is none. Returns 0, or -1 answered. */
int wizard_pay_handler_mobile(struct req *r, long long order_id, const char **out);

/* db_tx body (ctx: struct applying): records a notification once, applies the report, queues
 * the paid SMS. A replayed notification sets duplicate and rolls back. */
int wizard_pay_apply_tx(struct db *db, void *ctx);

/* Logs the outcome of pay_no's report (how: "notify", "poll", "close"). */
void wizard_pay_log_outcome(struct req *r, const char *how, const char *pay_no,
			    const struct payment_applied *out);

/* Applies what the provider says of pay_no (an order of ours) when asked (how: "poll",
 * "close"). Returns 0, or -1 answered. */
int wizard_pay_apply_state(struct req *r, const char *how, long long order_id, const char *pay_no,
			   const struct pay_state *st);

#endif
