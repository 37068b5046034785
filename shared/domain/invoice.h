/* invoice: the order's electronic invoice, asked of the hall's invoicing once, when its hall
 * issues it (channels.invoice_when), and announced where the hall sends it (invoice_via). */
#ifndef CERTHALL_INVOICE_H
#define CERTHALL_INVOICE_H

#include <jansson.h>

struct db;
struct arena;
struct crypto_key;

/* The events after which a hall issues invoices (channels.invoice_when). */
enum invoice_when { INVOICE_PAID, INVOICE_APPROVED, INVOICE_MADE };

/* One notice to write to the outbox: channel "sms" or "email", to, event "invoice_issued",
 * params (the caller releases them). */
struct invoice_notice {
	const char *channel, *to;
	json_t *params;
};

#define INVOICE_NOTICES_MAX 2

/*
 * Inside the caller's transaction, after the order reached when. When its hall issues invoices
 * then, the order has a fee, and its applicant asked for an invoice (the product step's
 * e_invoice), the order is marked (invoice_at, once) and out[0..*n) are the notices to send:
 * to the invoice email (the handler's unless one was given) and/or the handler's mobile.
 * *n is 0 when nothing is due. Returns DB_OK or a DB error.
 */
int invoice_due(struct db *db, struct arena *a, const struct crypto_key *key, long long order_id,
		enum invoice_when when, struct invoice_notice out[INVOICE_NOTICES_MAX], int *n);

#endif
