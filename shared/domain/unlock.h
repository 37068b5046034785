/* unlock: 002's 证书解锁 after the approval: "审核资料后进行授权，并发送授权邮件；用户通过授权邮件
 * 中的链接重置密码". The approval (a reviewer's, or 003's rule) grants one link; its page takes
 * the challenge the key tool shows and gives the CA's unblock response (shared/ext/ca.h), once.
 * The link's token is a bearer secret: kept as its SHA-256, sent sealed (outbox). */
#ifndef CERTHALL_UNLOCK_H
#define CERTHALL_UNLOCK_H

#include <jansson.h>
#include <stdbool.h>

#include "base/arena.h"
#include "base/conf.h"
#include "db/db.h"

#define UNLOCK_DAYS 7          /* the link's life (no guide says; a week for a company's post) */
#define UNLOCK_TRIES 10        /* challenges the CA may refuse per link */
#define UNLOCK_TOKEN_HEX 32
/* What the approval's message says of it. */
#define UNLOCK_HINT "解锁授权链接已通过短信和邮件发送，请在7天内打开链接完成解锁并重置PIN码。"

/* Inside the approval's transaction: the order's link (its token into token) and the params of
 * its notice (order_no is the caller's): {"link", "days"}, into *params (the caller decrefs).
 * Returns a DB_* code. */
int unlock_grant(struct db *db, const struct conf *c, long long order_id,
		 char token[UNLOCK_TOKEN_HEX + 1], json_t **params);

/* A link as its page sees it. */
struct unlock_link {
	long long id, order_id;
	const char *order_no, *cert_serial, *token_serial; /* "" where none */
	const char *expires_at;                            /* "YYYY-MM-DD HH:MM" */
	int tries;
	bool used, expired;
};

/* The link of token (UNLOCK_TOKEN_HEX lowercase hex). Returns DB_OK with *found, or a DB_*
 * code. Strings in the arena. lock: FOR UPDATE (inside a transaction). */
int unlock_find(struct db *db, struct arena *a, const char *token, bool lock, struct unlock_link *l,
		bool *found);

/* Whether s is a link token's shape. */
bool unlock_token_valid(const char *s);

#endif
