/* outbox: notifications written with the change they announce, sent after the answer. */
#ifndef CERTHALL_OUTBOX_H
#define CERTHALL_OUTBOX_H

#include <jansson.h>

#include "base/arena.h"
#include "base/conf.h"
#include "crypto/crypto.h"
#include "db/db.h"

/*
 * A row's life: pending -> sending (claimed) -> sent | pending (retry later, with backoff
 * and jitter) | unknown (the provider may have it) | failed (permanent, shown to staff).
 * unknown -> checking (claimed) -> sent (the provider has it) | pending (it has not: send
 * again) | unknown (cannot tell yet). A claim carries a random token and a deadline; every
 * update names the token, so a sender whose claim ran out can no longer touch the row, and
 * a row whose sender died goes to unknown, never straight back to pending. An idempotency
 * key per row travels to the provider and is what reconciliation asks about.
 */
struct outbox_stats {
	int sent, retry, unknown, failed, found, resend, released;
};

/* Renders the template of (channel, event) with params (a JSON object of strings, borrowed)
 * and writes a pending row, inside the caller's transaction. `to` is a mobile or an email
 * address (sealed at rest). order_id 0 for none. */
int outbox_add(struct db *db, struct arena *a, const struct crypto_key *key, const char *channel,
	       const char *event, const char *to, json_t *params, long long order_id, long long *id);

/* With ids: sends those pending rows now (the post-response pass). Without (ids NULL): one
 * pass over what is due: expired claims released, due unknown rows reconciled, one batch of
 * due pending rows sent. Adds to *st. Returns DB_OK or a database error. */
int outbox_run(struct db *db, struct arena *a, const struct conf *c, const struct crypto_key *key,
	       const long long *ids, size_t n, struct outbox_stats *st);

/* Renders "{name}" placeholders of tpl from params into the arena; NULL if a placeholder
 * has no string value or the text would exceed max bytes. */
char *outbox_render(struct arena *a, const char *tpl, json_t *params, size_t max);

#endif
