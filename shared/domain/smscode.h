/* smscode: 6-digit SMS codes bound to a purpose and a mobile, with tries and rate limits. */
#ifndef CERTHALL_SMSCODE_H
#define CERTHALL_SMSCODE_H

#include <stdbool.h>
#include <time.h>

#include "base/arena.h"
#include "base/conf.h"
#include "crypto/crypto.h"
#include "db/db.h"

enum { CODE_OK = 0, CODE_WRONG = 1, CODE_EXPIRED = 2 };

/* zh-CN name of a purpose (register, login, reset, change_mobile, sign), NULL if unknown. */
const char *smscode_purpose_name(const char *purpose);

/* The keyed look-up hash of a mobile (accounts.mobile_idx, sms_codes.mobile_idx). */
void smscode_mobile_idx(const struct crypto_key *key, const char *mobile, char out[65]);

/* Who asks for a code, for its limits. */
struct smscode_asker {
	const char *account; /* "a<id>" an applicant's session, "s<id>" staff's; NULL: none */
	const char *subject; /* a sign code's order's subject_idx; NULL or "": none */
	const char *addr;    /* the client address */
	bool sign;           /* a sign code: to the order's handler, who signs several a day */
};

/* Counts one request for a code at now against its limits, first per mobile (a minute and an
 * hour sliding, the hall's day; a sign code: an hour and the hall's day of its own, for a
 * handler signs every order of an office's day), per account (an hour sliding, the hall's day) and per
 * subject (the hall's day), then per client address as a backstop: every code an hour, and
 * those asked without a session an hour, or for [limits] trusted_networks their own one.
 * Returns 1 allowed (counted on every rule), 0 refused (counted on none: *retry_after set,
 * *what the refusing limit in zh-CN for people), or a DB error. A code that is not sent (a
 * mobile that cannot use it) counts all the same, so the limits say nothing about accounts. */
int smscode_limit(struct db *db, struct arena *a, const struct conf *c, const struct crypto_key *key,
		  const char *mobile, const struct smscode_asker *who, time_t now, int *retry_after,
		  const char **what);

/* Inside the caller's transaction: voids earlier codes of (mobile, purpose), stores the hash
 * of a fresh code and writes its SMS to the outbox (id in *outbox_id). */
int smscode_issue(struct db *db, struct arena *a, const struct conf *c, const struct crypto_key *key,
		  const char *mobile, const char *purpose, long long *outbox_id);

/* Checks a code in a transaction of its own, so a wrong try counts even when the request
 * then fails. CODE_OK uses the code up; a code past its time or its tries is CODE_EXPIRED.
 * Returns CODE_* or a DB error (< 0). */
int smscode_check(struct db *db, struct arena *a, const struct conf *c, const struct crypto_key *key,
		  const char *mobile, const char *purpose, const char *code);

/* The same, with the code bound to one object (bind, e.g. an order number): a code issued
 * for one order never checks for another, even for the same mobile and purpose. */
int smscode_issue_bound(struct db *db, struct arena *a, const struct conf *c,
			const struct crypto_key *key, const char *mobile, const char *purpose,
			const char *bind, long long *outbox_id);
int smscode_check_bound(struct db *db, struct arena *a, const struct conf *c,
			const struct crypto_key *key, const char *mobile, const char *purpose,
			const char *bind, const char *code);

#endif
