/* wizard: the page of an unlock's authorisation link (002 "用户通过授权邮件中的链接重置密码"):
 * what the link grants, and the CA's unblock response to the challenge the key tool shows.
 * The link is the credential (no login: it was sent to the handler); it expires, answers
 * once, and takes at most UNLOCK_TRIES challenges the CA refuses. */
#include <ctype.h>
#include <string.h>

#include "base/log.h"
#include "base/valid.h"
#include "domain/order.h"
#include "domain/unlock.h"
#include "ext/ca.h"
#include "wizard.h"

#define CHALLENGE_MIN 8
#define CHALLENGE_MAX 64

static const char sql_try[] = "UPDATE unlock_grants SET tries = tries + 1 WHERE id = ?";
static const char sql_untry[] = "UPDATE unlock_grants SET tries = tries - 1 WHERE id = ? AND tries > 0";
static const char sql_used[] =
	"UPDATE unlock_grants SET used_at = NOW(3) WHERE id = ? AND used_at IS NULL";

static const char *link_state(const struct unlock_link *l)
{
	return l->used ? "used" : l->expired ? "expired" : l->tries >= UNLOCK_TRIES ? "exhausted" : "open";
}

/* The link of token, answered 404 when there is none. 0 or -1 (answered). */
static int find(struct req *r, const char *token, struct unlock_link *l)
{
	bool found = false;
	int rc = unlock_find(&r->app->db, r->arena, token, false, l, &found);

	if (rc != DB_OK)
		return app_db_error(r, rc);
	return found ? 0 : resp_error(r, ERR_UNLOCK_LINK, "token", NULL);
}

struct link_in {
	const char *token;
};

static const struct req_field link_fields[] = {
	{ "token", true, UNLOCK_TOKEN_HEX, unlock_token_valid, "解锁链接不完整：请复制短信或邮件中的完整链接打开。",
	  offsetof(struct link_in, token) },
};

/* POST /api/wizard/unlock/link {"token"}: 200 {"order_no", "serial", "token_serial",
 * "expires_at", "tries_left", "state": open|used|expired|exhausted}. */
int wizard_unlock_link(struct req *r)
{
	struct link_in in;
	struct unlock_link l;
	json_t *body;

	if (req_json(r, &body) < 0 || REQ_FIELDS(r, body, link_fields, &in) < 0 || find(r, in.token, &l) < 0)
		return -1;
	resp_json(r, 200, json_pack("{s:s, s:s?, s:s?, s:s, s:i, s:s}", "order_no", l.order_no, "serial",
				    l.cert_serial[0] ? l.cert_serial : NULL, "token_serial",
				    l.token_serial[0] ? l.token_serial : NULL, "expires_at", l.expires_at,
				    "tries_left", l.tries < UNLOCK_TRIES ? UNLOCK_TRIES - l.tries : 0,
				    "state", link_state(&l)));
	return 0;
}

static bool challenge_ok(const char *s)
{
	size_t n = strlen(s);

	return n >= CHALLENGE_MIN && n <= CHALLENGE_MAX && strspn(s, "0123456789ABCDEFabcdef") == n;
}

struct respond_in {
	const char *token, *challenge, *token_serial;
};

static const struct req_field respond_fields[] = {
	{ "token", true, UNLOCK_TOKEN_HEX, unlock_token_valid, "解锁链接不完整：请复制短信或邮件中的完整链接打开。",
	  offsetof(struct respond_in, token) },
	{ "challenge", true, CHALLENGE_MAX, challenge_ok,
	  "解锁请求码应为证书助手显示的 8 至 64 位字母（A-F）和数字。", offsetof(struct respond_in, challenge) },
	{ "token_serial", false, VALID_TOKEN_SERIAL_MAX, valid_token_serial,
	  "介质序列号应为 4 至 64 位字母、数字或“-”。", offsetof(struct respond_in, token_serial) },
};

struct take {
	struct arena *a;
	const char *token;
	struct unlock_link l;
	enum err_code refused;   /* ERR__COUNT: none */
};

/* db_tx: the link still open, one try counted. */
static int take_tx(struct db *db, void *p)
{
	struct take *t = p;
	bool found = false;
	int rc = unlock_find(db, t->a, t->token, true, &t->l, &found);

	t->refused = ERR__COUNT;
	if (rc != DB_OK)
		return rc;
	if (!found)
		t->refused = ERR_UNLOCK_LINK;
	else if (t->l.used)
		t->refused = ERR_UNLOCK_USED;
	else if (t->l.expired)
		t->refused = ERR_UNLOCK_EXPIRED;
	else if (t->l.tries >= UNLOCK_TRIES)
		t->refused = ERR_UNLOCK_TRIES;
	if (t->refused != ERR__COUNT)
		return DB_OK;
	return db_exec(db, sql_try, DB_ARGS(DB_I64(t->l.id)), NULL, NULL);
}

/*
 * POST /api/wizard/unlock/respond {"token", "challenge", "token_serial" (where the hall did not
 * make the key: the one the key tool names)}
 *   200 {"response": "<the unblock code to type into the key tool>"}: the link is then used.
 *   400 unlock_challenge_wrong (the CA refused it: not this token's; a try counted, tries_left
 *   in the error), 409 unlock_link_used, 410 unlock_link_expired, 429 unlock_tries,
 *   503 provider_unavailable (no try counted).
 */
int wizard_unlock_respond(struct req *r)
{
	struct respond_in in;
	struct take t = { 0 };
	char challenge[CHALLENGE_MAX + 1], response[CA_UNBLOCK_MAX + 1], err[256];
	const char *serial;
	unsigned long long n = 0;
	json_t *body;
	int rc;

	if (req_json(r, &body) < 0 || REQ_FIELDS(r, body, respond_fields, &in) < 0)
		return -1;
	for (size_t i = 0; i <= strlen(in.challenge); i++)
		challenge[i] = (char)toupper((unsigned char)in.challenge[i]);
	t.a = r->arena;
	t.token = in.token;
	rc = db_tx(&r->app->db, take_tx, &t);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (t.refused != ERR__COUNT)
		return resp_error(r, t.refused, t.refused == ERR_UNLOCK_LINK ? "token" : NULL, NULL);
	/* The token the hall made the key on; a key it did not make is named by the key tool. */
	serial = t.l.token_serial[0] ? t.l.token_serial : in.token_serial;
	if (!serial || !serial[0])
		return resp_error(r, ERR_MISSING_FIELD, "token_serial", "请填写证书助手显示的介质序列号。");
	if (t.l.token_serial[0] && in.token_serial && in.token_serial[0] && strcmp(in.token_serial, serial) != 0)
		return resp_error(r, ERR_UNLOCK_CHALLENGE, "token_serial",
				  "插入的介质不是本订单证书所在的介质，请换用正确的 USB-Key。");
	rc = ca_unblock(&r->app->conf, serial, challenge, response, err, sizeof(err));
	if (rc == CA_REFUSED) {
		log_rid(LOG_INFO, r->rid, "unlock %s: challenge refused by the CA: %s", t.l.order_no, err);
		return resp_error_with(r, ERR_UNLOCK_CHALLENGE, "challenge", NULL,
				       json_pack("{s:i}", "tries_left", UNLOCK_TRIES - t.l.tries - 1));
	}
	if (rc != CA_OK) {
		log_rid(LOG_WARN, r->rid, "unlock %s: the CA did not answer: %s", t.l.order_no, err);
		/* Not the applicant's try: give it back. */
		db_exec(&r->app->db, sql_untry, DB_ARGS(DB_I64(t.l.id)), NULL, NULL);
		return resp_error(r, ERR_PROVIDER, NULL, NULL);
	}
	/* Once: of two answers at the same moment, one is given. */
	rc = db_exec(&r->app->db, sql_used, DB_ARGS(DB_I64(t.l.id)), &n, NULL);
	if (rc == DB_OK && n == 1)
		rc = order_note(&r->app->db, t.l.order_id, "unlock_answered", "applicant", 0, true, "");
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (n != 1)
		return resp_error(r, ERR_UNLOCK_USED, NULL, NULL);
	resp_header(r, "Cache-Control", "no-store");
	resp_json(r, 200, json_pack("{s:s}", "response", response));
	explicit_bzero(response, sizeof(response));
	return 0;
}
