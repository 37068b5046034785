/* pay: payments through a provider (WeChat Pay / Alipay QR): pay numbers, the provider's
 * client (create, query, close) and its notifications (what they do: shared/domain/payment.h). */
#ifndef CERTHALL_PAY_H
#define CERTHALL_PAY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"
#include "base/conf.h"
#include "db/db.h"

/*
 * The protocol ([pay] endpoint, secret_file, notify_url, timeout_ms; the sandbox program,
 * fcgi-apps/sandbox/pay.c, implements the provider's side). Every request, both ways, is JSON
 * signed as shared/ext/provider.h says: X-Certhall-Timestamp (unix seconds, at most PROVIDER_SKEW
 * off) and X-Certhall-Signature (hex HMAC-SHA256 of timestamp "." body under the pay secret;
 * the body of a GET is empty).
 *
 * Create: POST <endpoint>/orders
 *           {"pay_no": "<24 of 0-9A-Z>", "amount_fen": 26000, "method": "wechat" | "alipay",
 *            "subject": "<zh-CN text>", "notify_url": "<where to POST notifications>",
 *            "scene": "h5", "return_url": "<where the payer's browser comes back>"}
 *         200 {"provider_ref": "<id>", "qr_url": "weixin://... | https://...", "state": "pending",
 *              "h5_url": "http(s)://..."}
 *         scene and return_url only for a payer on a phone (WeChat H5 / Alipay wap): the answer
 *         then also carries h5_url, the provider's page the phone's browser opens to pay (one
 *         cannot scan one's own screen); a QR order never has one.
 *         The same pay_no with the same content answers the same order again (so a create
 *         whose answer was lost is simply repeated); anything else is a failure to try later.
 * Query:  GET <endpoint>/orders/<pay_no>
 *         200 {"state": "pending" | "paid" | "closed", "provider_ref", "amount_fen", "paid_at"}
 *         404 the provider has no such order.
 * Close:  POST <endpoint>/orders/<pay_no>/close {}   (the payer switched to another method)
 *         200 the order as Query answers it: "closed", or "paid" when the payer was quicker.
 * Notify: POST <notify_url>   (the provider to us, once the payer paid or the order closed)
 *           {"event_id": "<unique per event>", "pay_no", "provider_ref",
 *            "kind": "paid" | "closed", "amount_fen", "at": "<provider's time>"}
 *         200 {"ok": true, "outcome": "..."}   recorded: do not send again
 *             {"ok": true, "duplicate": true}  this event_id was recorded before
 *         401 bad or missing signature, stale timestamp: nothing recorded
 *         404 no such pay_no (recorded); 400 malformed; 5xx try again later.
 *
 * Our payment row (table payments) moves:
 *   pending (QR shown) -> paid | closed;  awaiting_finance (transfer, counter) -> paid | closed;
 *   a "paid" the order can no longer use (cancelled, or paid by another payment) -> refunding;
 *   paid -> refunding (the applicant asks) -> refunded (finance).
 * A "closed" never undoes a "paid": providers deliver out of order.
 */

#define PAY_NO_LEN 24
#define PAY_REF_MAX 64   /* provider_ref, payments.provider_ref */
#define PAY_QR_MAX 500   /* qr_url, payments.qr_url; h5_url, payments.h5_url */
#define PAY_EVENT_MAX 64 /* event_id, payment_notifications.event_id */

/* Results of the provider calls. */
#define PAY_OK 0
#define PAY_NOT_FOUND 1      /* the provider has no such order */
#define PAY_UNAVAILABLE (-1) /* no answer, an error status, or an answer we cannot read */

/* A fresh merchant reference: 24 characters of 0-9A-Z from the CSPRNG (124 bits), NUL.
 * Returns 0, or -1 if the RNG failed. */
int pay_no_make(char out[PAY_NO_LEN + 1]);

/* Exactly 24 characters of 0-9A-Z. */
bool pay_no_valid(const char *s);

/* 1 to max characters of A-Z a-z 0-9 _ . : - (provider references, event ids). */
bool pay_ref_valid(const char *s, size_t max);

/* zh-CN name of a payment method (wechat, alipay, transfer, counter), NULL if unknown. */
const char *pay_method_name(const char *method);

/* The payment methods in display order, {code, zh-CN name}, ending with a row of NULLs. */
extern const char *const pay_methods[][2];

/* wechat and alipay go through the provider; transfer and counter wait for finance. */
bool pay_method_qr(const char *method);

/* What the provider says of one order. */
struct pay_state {
	char state[16];                 /* pending | paid | closed */
	char provider_ref[PAY_REF_MAX + 1];
	char qr_url[PAY_QR_MAX + 1];    /* create only */
	char h5_url[PAY_QR_MAX + 1];    /* create with an h5 return URL only */
	long long amount_fen;           /* query and close only */
};

/* Creates the provider's order for pay_no (subject: what the payer's app shows). h5_return
 * NULL: a QR order; otherwise an H5 order for a phone's browser, which comes back to
 * h5_return once paid. Returns PAY_OK with provider_ref and qr_url (and h5_url for H5) set,
 * or PAY_UNAVAILABLE (err says why). */
int pay_create(const struct conf *c, const char *pay_no, long long amount_fen,
	       const char *method, const char *subject, const char *h5_return,
	       struct pay_state *out, char *err, size_t errsz);

/* Asks the provider about pay_no. Returns PAY_OK, PAY_NOT_FOUND or PAY_UNAVAILABLE. */
int pay_query(const struct conf *c, const char *pay_no, struct pay_state *out, char *err,
	      size_t errsz);

/* Asks the provider to close pay_no; out says what it is now (closed, or paid). Returns
 * PAY_OK, PAY_NOT_FOUND or PAY_UNAVAILABLE. */
int pay_close(const struct conf *c, const char *pay_no, struct pay_state *out, char *err,
	      size_t errsz);

/* A notification's members; strings borrowed from the JSON object. */
struct pay_notice {
	const char *event_id, *pay_no, *provider_ref, *kind, *at;
	long long amount_fen;
};

/* Reads and checks a notification body. Returns 0, or -1 with *field naming the member at
 * fault. */
int pay_notice_parse(json_t *body, struct pay_notice *n, const char **field);

#endif
