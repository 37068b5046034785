/* review: what each decision tells the applicant: an SMS to the handler's mobile, and an email
 * when the handler gave an address. Written in the decision's transaction (outbox). */
#include <string.h>

#include "crypto/crypto.h"
#include "base/log.h"
#include "domain/order.h"
#include "review.h"
#include "base/valid.h"

/* The handler's email from the sealed handler step, or NULL. */
static const char *handler_email(struct db *db, struct req *r, const struct order *o)
{
	const char *email = order_step_str(review_step(db, r, o->id, "handler"), "email");

	return email[0] && valid_email(email) ? email : NULL;
}

int review_notify(struct db *db, struct req *r, const struct order *o, const char *event,
		  json_t *params)
{
	char mobile[ORDER_MOBILE_MAX];
	const char *email;
	int rc = DB_OK;

	if (!params || json_object_set_new(params, "order_no", json_string(o->no)) < 0)
		return DB_ERR;
	if (order_mobile_open(&r->app->key, o->mobile_enc, o->mobile_enc_len, mobile) == 0) {
		rc = app_outbox_add(r, "sms", event, mobile, params, o->id);
	} else {
		log_rid(LOG_WARN, r->rid, "order %s: no handler mobile, %s not sent by SMS", o->no, event);
	}
	email = rc == DB_OK ? handler_email(db, r, o) : NULL;
	if (email)
		rc = app_outbox_add(r, "email", event, email, params, o->id);
	return rc;
}
