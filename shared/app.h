/* app: what every program shares: options, config, the worker loop, health. */
#ifndef CERTHALL_APP_H
#define CERTHALL_APP_H

#include <stdbool.h>

#include "arena.h"
#include "conf.h"
#include "crypto.h"
#include "db.h"
#include "ratelimit.h"
#include "route.h"

#define CERTHALL_VERSION "0.1.0"

struct app_def;

/* One worker's state: its config copy, its database connection, its arena. */
struct app {
	const struct app_def *def;
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
	void (*flush_outbox)(struct app *app); /* set by app_outbox_add (shared/app_outbox.c) */
	/* Work a handler leaves for after the answer (arena memory is still valid then), so
	 * that what the client sees, and when, does not depend on it. */
	void (*after_answer)(struct app *app, void *ctx);
	void *after_ctx;
	/* The public look-ups' per-address hits this worker allowed but has not written yet
	 * (app_limit_lookup; the slack is ratelimit.h's). */
	struct ratelimit_local lookups;
};

struct app_def {
	const char *name;              /* socket <socket_dir>/<name>.sock, log name */
	const struct route *routes;
	size_t nroutes;
	bool needs_key;                /* the PII key must load, or the program does not start */
	int (*worker_init)(struct app *app);    /* optional, after the db connection */
	int (*start_check)(struct app *app);    /* optional, in the master (and -t): -1 stops */
	void (*after_response)(struct app *app); /* optional: work the client need not wait for */
};

/* Parses -c FILE, -w N, -t (check config and exit), loads the config and runs the prefork
 * master. Returns the process exit status. */
int app_main(int argc, char **argv, const struct app_def *def);

/* GET /api/<program>/health: database reachable, version. 200 or 503. */
int app_health(struct req *r);

/* outbox_add() for a request: inside its transaction; the row is also sent right after the
 * answer (the client never waits for a gateway). Returns a DB_* code. */
int app_outbox_add(struct req *r, const char *channel, const char *event, const char *to,
		   json_t *params, long long order_id);

/* Records an outbox row written by other means (e.g. smscode_issue) for the post-response
 * send; rc is the DB_* result of writing it. */
void app_outbox_note(struct app *app, int rc, long long id);

/* Issues an SMS code of purpose to mobile, bound to bind ("" for none: smscode.h), after the
 * answer, in a transaction of its own, and sends it then: the client neither waits for it
 * nor can time whether a code was issued. Returns 0, or -1 answered (500). */
int app_outbox_code(struct req *r, const char *mobile, const char *purpose, const char *bind);

/* app_limit.c: the answer over a limit: 429 (status of e) with Retry-After: after seconds
 * and message. Returns -1. */
int app_limit_over(struct req *r, enum err_code e, int after, const char *message);

/* app_limit.c: the per-address limit of the public look-ups ([track] rate_limit per
 * rate_window), counted in the bucket "<scope>:<address>". Returns 0, or -1 answered: 429
 * rate_limited with Retry-After, or the database's error. */
int app_limit_lookup(struct req *r, const char *scope);

/* app_limit.c: a request for an SMS code to mobile counted against its limits
 * (smscode_limit). Returns 0, or -1 answered: 429 code_limited with Retry-After, or the
 * database's error. */
int app_limit_code(struct req *r, const char *mobile);

/* The request answered 503 when the database is out of reach, 500 otherwise. */
int app_db_error(struct req *r, int rc);

#endif
