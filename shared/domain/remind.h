/* remind: expiry reminders, 90, 30 and 7 days before a certificate expires, each once.
 *
 * One pass (remind_run) walks the valid certificates expiring within REMIND_WINDOW days in
 * (not_after, id) order, a batch at a time, on ix_certificates_expiry: one range scan, whatever
 * the number of certificates. A certificate is due the smallest threshold its days left fall
 * under (25 days left: the 30-day reminder; the 90-day one, missed, is not sent late), unless
 * its reminder of that threshold for that expiry exists (cert_reminders), or a renewal of it
 * is under way (submitted, not final). Renewed, it expires later and falls out of the window;
 * revoked, it is not valid: either way it goes silent.
 *
 * Each batch is one transaction: per certificate, the cert_reminders row is inserted (INSERT
 * IGNORE ... SELECT, which also re-reads that the certificate is still valid with that expiry)
 * and only when that insert took, its SMS and mail rows go into the outbox. Two passes at once:
 * the second's insert waits on the first's row lock and finds it taken, so each reminder is
 * written once. The outbox daemon sends them.
 *
 * Who is told: the handler of the order that issued the certificate (the order's mobile and
 * the handler step's email), else the account holding it (its mobile). A certificate with
 * neither (imported, never bound to an account) has nobody to write to and is skipped.
 * The message links to the wizard's start page pre-filled for a renewal of that serial:
 * <public_url>/apply.html?channel=<hall>&business=renew&serial=<serial>.
 */
#ifndef CERTHALL_REMIND_H
#define CERTHALL_REMIND_H

#include <stddef.h>

#include "base/arena.h"
#include "crypto/crypto.h"
#include "db/db.h"

#define REMIND_WINDOW 90 /* days: the first threshold */
#define REMIND_BATCH 200 /* certificates per transaction */

/* The thresholds, largest first. */
extern const int remind_thresholds[];
extern const size_t remind_nthresholds;

struct remind_stats {
	long scanned;    /* certificates due a reminder the pass looked at */
	long sent;       /* reminders claimed (each one cert_reminders row) */
	long sms, mail;  /* outbox rows written */
	long no_contact; /* due, but nobody to write to */
};

/* The threshold days_left falls under (7 for 0..7, 30 for 8..30, 90 for 31..90), or 0 outside
 * the window. */
int remind_threshold(int days_left);

/* The renewal link for a certificate into out (NUL-terminated). Returns 0, or -1 when a part
 * is not what a URL may carry unescaped (a hall code of [a-z0-9-], a hex serial) or it does
 * not fit. */
int remind_link(const char *public_url, const char *hall, const char *serial, char *out,
		size_t outsz);

/* One pass over what is due, as above. The arena is reset after each batch (pass one that
 * holds nothing else). Adds to *st. Returns DB_OK or a database error. */
int remind_run(struct db *db, struct arena *a, const struct crypto_key *key,
	       const char *public_url, struct remind_stats *st);

#endif
