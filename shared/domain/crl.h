/* crl: the CA's latest CRL of each issuing CA, kept in the database (ca_crls) for the public
 * look-up and GET /api/track/crl, and what it says of one serial. */
#ifndef CERTHALL_CRL_H
#define CERTHALL_CRL_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "base/arena.h"
#include "base/conf.h"
#include "crypto/cert.h"
#include "db/db.h"

/* A kept CRL older than this is fetched again when asked for (seconds). Revocations the hall
 * makes fetch it at once (crl_refresh); this bounds how late one made at the CA's own counter
 * shows. */
#define CRL_MAX_AGE 300

/* Fetches the latest CRL of kind's issuing CA (shared/ext/ca.h) and keeps it. Returns DB_OK, a
 * DB_* error, or CRL_UNAVAILABLE when the CA did not give one (err says why). */
#define CRL_UNAVAILABLE 1
int crl_refresh(struct db *db, const struct conf *c, enum cert_key kind, char *err, size_t errsz);

/* The kept CRL of kind (DER, in the arena), fetched first when there is none or it is older
 * than CRL_MAX_AGE; when the fetch fails an older one still answers. Returns DB_OK, a DB_*
 * error, or CRL_UNAVAILABLE when there is none at all. */
int crl_get(struct db *db, struct arena *a, const struct conf *c, enum cert_key kind,
	    const unsigned char **der, size_t *len);

/* What a CRL (DER) says of serial (uppercase hex): true when it lists it, with *at (may be
 * NULL) the revocation time and *reason (may be NULL) the RFC 5280 reason code (0 when none is
 * given). False when it does not, or the CRL cannot be read. */
bool crl_lists(const unsigned char *der, size_t len, const char *serial, time_t *at, int *reason);

#endif
