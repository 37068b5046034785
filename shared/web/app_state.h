/* app_state: one worker's state, which every request reaches as r->app. */
#ifndef CERTHALL_APP_STATE_H
#define CERTHALL_APP_STATE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"
#include "base/conf.h"
#include "crypto/crypto.h"
#include "db/db.h"
#include "domain/ratelimit.h"

#define CERTHALL_VERSION "0.1.0"

struct serve_def;

/* One worker's state: its config copy, its database connection, its arena. */
struct app {
	const struct serve_def *def;
	const char *conf_path;
	struct conf conf;
	struct db db;
	struct crypto_key key;
	bool have_key;
	struct arena arena;
	void *priv;   /* the program's own worker state */
	/* Outbox rows this request wrote: sent once the answer is out (app_outbox_add). */
	long long outbox_ids[16];
	size_t noutbox;
	void (*flush_outbox)(struct app *app); /* set by app_outbox_add (shared/web/app_outbox.c) */
	/* Work a handler leaves for after the answer (arena memory is still valid then), so
	 * that what the client sees, and when, does not depend on it. */
	void (*after_answer)(struct app *app, void *ctx);
	void *after_ctx;
	/* The public look-ups' per-address hits this worker allowed but has not written yet
	 * (app_limit_lookup; the slack is ratelimit.h's). */
	struct ratelimit_local lookups;
};

#endif
