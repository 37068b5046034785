/* app: what handlers share of their worker: the outbox after the answer, the limits, the
 * database's error answer. The worker's state itself is web/app_state.h. */
#ifndef CERTHALL_APP_H
#define CERTHALL_APP_H

#include <stdbool.h>

#include <jansson.h>

#include "base/arena.h"
#include "base/errors.h"
#include "base/conf.h"
#include "crypto/crypto.h"
#include "db/db.h"
#include "domain/invoice.h"
#include "domain/ratelimit.h"
#include "web/app_state.h"

struct req;

/* outbox_add() for a request: inside its transaction; the row is also sent right after the
 * answer (the client never waits for a gateway). Returns a DB_* code. */
int app_outbox_add(struct req *r, const char *channel, const char *event, const char *to,
		   json_t *params, long long order_id);

/* Inside the caller's transaction, once the order reached when: the invoice notices its hall
 * sends then (domain/invoice.h), written to the outbox. A DB_* code. */
int app_outbox_invoice(struct req *r, long long order_id, enum invoice_when when);

/* Records an outbox row written by other means (e.g. smscode_issue) for the post-response
 * send; rc is the DB_* result of writing it. */
void app_outbox_note(struct app *app, int rc, long long id);

/* Issues an SMS code of purpose to mobile, bound to bind ("" for none: smscode.h), after the
 * answer, in a transaction of its own, and sends it then: the client neither waits for it
 * nor can time whether a code was issued. Returns 0, or -1 answered (500). */
int app_outbox_code(struct req *r, const char *mobile, const char *purpose, const char *bind);

/* After the answer (app_fincheck.c): the 0.01 transfer of fin_checks row id (fincheck_run),
 * in this worker, once the client has its answer. Returns 0, or -1 when out of memory (the
 * row stays queued for certhall-admin fin-checks). */
int app_fincheck_after(struct req *r, long long id);

/* app_limit.c: the answer over a limit: 429 (status of e) with Retry-After: after seconds
 * and message. Returns -1. */
int app_limit_over(struct req *r, enum err_code e, int after, const char *message);

/* app_limit.c: the per-address limit of the public look-ups ([track] rate_limit per
 * rate_window), counted in the bucket "<scope>:<address>". Returns 0, or -1 answered: 429
 * rate_limited with Retry-After, or the database's error. */
int app_limit_lookup(struct req *r, const char *scope);

/* app_limit.c: a request for an SMS code to mobile counted against its limits
 * (smscode_limit): the mobile's, the session's account's (when auth_session loaded one), the
 * subject's (a sign code's order's subject_idx, "" when it has none; NULL: not a sign code)
 * and the client address's.
 * Returns 0, or -1 answered: 429 code_limited with Retry-After and the limit's words, or the
 * database's error. */
int app_limit_code(struct req *r, const char *mobile, const char *subject_idx);

/* app_limit.c: how long until a limit has room, for people: "40 秒", "3 分钟", "2 小时"
 * (NULL when out of memory). */
const char *app_wait_zh(struct req *r, int seconds);

/* The request answered 503 when the database is out of reach, 500 otherwise. */
int app_db_error(struct req *r, int rc);

#endif
