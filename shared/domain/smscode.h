/* smscode: 6-digit SMS codes bound to a purpose and a mobile, with tries and rate limits. */
#ifndef CERTHALL_SMSCODE_H
#define CERTHALL_SMSCODE_H

#include "base/arena.h"
#include "base/conf.h"
#include "crypto/crypto.h"
#include "db/db.h"

enum { CODE_OK = 0, CODE_WRONG = 1, CODE_EXPIRED = 2 };

/* zh-CN name of a purpose (register, login, reset, change_mobile, sign), NULL if unknown. */
const char *smscode_purpose_name(const char *purpose);

/* The keyed look-up hash of a mobile (accounts.mobile_idx, sms_codes.mobile_idx). */
void smscode_mobile_idx(const struct crypto_key *key, const char *mobile, char out[65]);

/* Counts one request for a code against the mobile's limits (a minute, an hour, a day) and
 * the client address's hourly limit. Returns 1 allowed, 0 refused (retry_after set), or a
 * DB error. Every request counts, sent or not, so the limits say nothing about accounts. */
int smscode_limit(struct db *db, struct arena *a, const struct conf *c, const struct crypto_key *key,
		  const char *mobile, const char *addr, int *retry_after);

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
