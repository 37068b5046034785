/* escalate: an order past its hall's review promise is escalated once, by mail to the hall's
 * admins (channels.sla_mail).
 *
 * Overdue is what the reviewer queue shows (fcgi-apps/review/queue.c): in the review queue,
 * more working days waited since the day it was submitted than the hall's review_days_max,
 * counted with the holidays table (domain/workdays.h). The pass reads the review queue's
 * orders not yet escalated and submitted more calendar days ago than the promise (working
 * days are never more than calendar days, so nothing overdue is left out) on
 * ix_orders_queue_role, counts each one's working days, and for one overdue marks it
 * (orders.escalated_at, only where still NULL) and writes its mails in one transaction: two
 * passes at once escalate it once. A hall that names no address is skipped, unmarked, until it
 * names one. Mail only: staff have no mobile in the hall's data.
 */
#ifndef CERTHALL_ESCALATE_H
#define CERTHALL_ESCALATE_H

#include <stdbool.h>

#include "base/arena.h"
#include "crypto/crypto.h"
#include "db/db.h"

#define ESCALATE_BATCH 500 /* orders read per query */
#define ESCALATE_MAIL_MAX 5 /* addresses a hall may name */

struct escalate_stats {
	long overdue;    /* orders found overdue */
	long escalated;  /* marked by this pass */
	long mails;      /* outbox rows written */
	long no_contact; /* overdue at a hall that names no address */
};

/* Whether s is a comma-separated list of 0 to ESCALATE_MAIL_MAX valid addresses, no spaces. */
bool escalate_mail_list(const char *s);

/* One pass, as above. public_url makes the console's link to the order. Adds to *st.
 * Returns DB_OK or a database error. */
int escalate_run(struct db *db, struct arena *a, const struct crypto_key *key,
		 const char *public_url, struct escalate_stats *st);

#endif
