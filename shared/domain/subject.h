/* subject: who an account has proven to be before it reaches anything of its subject.
 *
 * An organisation account claims a USCC at registration (accounts.uscc). It proves it by a
 * passed enterprise verification or by a staff approval of an order for it; then it alone
 * holds the USCC (and logs in with it), and every other account that claimed it unproven is
 * set aside: it keeps its login by mobile, loses the USCC, its open drafts on it expire, and
 * an SMS tells it so. Until proven, an account reaches only certificates bound to itself.
 *
 * A draft holds "one open application per subject and certificate" (orders.open_key) only
 * once its subject is proven: the organisation's USCC as above, a person's ID number by the
 * holder's passed identity check, any subject by signing. Until then it keeps the key it would
 * hold in orders.claim_key and holds nothing.
 */
#ifndef CERTHALL_DOMAIN_SUBJECT_H
#define CERTHALL_DOMAIN_SUBJECT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"
#include "crypto/crypto.h"
#include "db/db.h"

#define SUBJECT_NOTICES_MAX 8 /* SMS rows one proof may write (one per account set aside) */

/* The outbox rows a proof wrote, for the caller to send after its answer. */
struct subject_notices {
	long long ids[SUBJECT_NOTICES_MAX];
	size_t n;
};

/* Inside the caller's transaction: account_id proves the USCC it claims. want_idx: the subject
 * index the proof is about (an approved order's), or NULL for the account's own (its enterprise
 * check). Nothing when the account claims none, another, or has proven it already. Returns a
 * DB_* code. */
int subject_prove_org(struct db *db, struct arena *a, const struct crypto_key *key,
		      long long account_id, const char *want_idx, struct subject_notices *sent);

/* Inside the caller's transaction: order_id takes the hold of its claim_key (take) or only
 * looks (take false). A stale draft holding it (untouched ttl_hours) expires first. *holder:
 * the number of another order holding it (arena), else NULL; *holder_account its account (0:
 * none). Returns a DB_* code. */
int subject_hold(struct db *db, struct arena *a, long long order_id, int ttl_hours, bool take,
		 const char **holder, long long *holder_account);

#endif
