/* account: certificate login (002 【证书登录】): a key bound to the account by its token's
 * serial signs a one-time challenge; the certificate's chain, validity, revocation and
 * binding decide who logs in. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>

#include "account.h"
#include "base/log.h"
#include "crypto/cert.h"
#include "crypto/crypto.h"
#include "domain/crl.h"
#include "domain/ratelimit.h"
#include "web/app.h"
#include "web/auth.h"
#include "web/req.h"

#define CHALLENGE_TTL 120        /* seconds to sign it in: a PIN typed, a token touched */
#define CHALLENGE_PER_MINUTE 30  /* per client address */
#define CHALLENGE_ID_HEX 32
#define SIG_B64_MAX 1400         /* base64 of CERT_SIG_MAX bytes */

static const char sql_challenge_new[] =
	"INSERT INTO login_challenges (id, challenge, expires_at) "
	"VALUES (?, ?, NOW(3) + INTERVAL ? SECOND)";
/* Old ones go a few at a time with each new one: the table stays small without a daemon. */
static const char sql_challenge_prune[] =
	"DELETE FROM login_challenges WHERE expires_at < NOW(3) - INTERVAL 1 HOUR LIMIT 50";
/* Taken by the one login that presents it, signed or not: a replay finds used_at set. */
static const char sql_challenge_take[] =
	"UPDATE login_challenges SET used_at = NOW(3) "
	"WHERE id = ? AND used_at IS NULL AND expires_at > NOW(3)";
static const char sql_challenge_text[] = "SELECT challenge FROM login_challenges WHERE id = ?";
/* The key names the hall's current certificate for it (a renewal moves the key to the new
 * row), and its token's binding, if any. */
static const char sql_cert_by_key[] =
	"SELECT c.serial, c.state, COALESCE(b.account_id, 0), COALESCE(a.disabled, 0) "
	"FROM certificates c LEFT JOIN token_bindings b ON b.token_serial = c.token_serial "
	"LEFT JOIN accounts a ON a.id = b.account_id WHERE c.key_sha256 = ?";

/* The issuing CAs of [ca] trust_file, read once per worker: NULL while certificate login is
 * off (no file) or the file is unreadable (logged once). */
static STACK_OF(X509) *trust_anchors(const struct conf *c)
{
	static STACK_OF(X509) *trust;
	static bool tried;

	if (!tried && c->ca_trust_file[0]) {
		tried = true;
		trust = cert_bundle_read(c->ca_trust_file);
		if (!trust)
			log_error("[ca] trust_file %s holds no readable certificate: certificate "
				  "login is off", c->ca_trust_file);
	}
	return trust;
}

/* GET /api/account/cert-login: 200 {"enabled", "helper"}: whether the login page offers
 * certificate login, and where its key helper answers. */
int account_cert_login_info(struct req *r)
{
	const struct conf *c = &r->app->conf;

	resp_json(r, 200, json_pack("{s:b, s:s}", "enabled", trust_anchors(c) != NULL, "helper",
				    c->ca_token_helper));
	return 0;
}

/*
 * POST /api/account/cert-login/challenge {}
 *   201 {"challenge_id", "challenge": "<the text to sign>", "expires_in": 120,
 *        "helper": "<the local key helper's address, [ca] token_helper>"}
 */
int account_cert_challenge(struct req *r)
{
	const struct conf *c = &r->app->conf;
	char id[CHALLENGE_ID_HEX + 1], nonce[33], text[160], bucket[96];
	int after = 0, rc;
	time_t now = time(NULL);

	if (!trust_anchors(c))
		return resp_error(r, ERR_CERT_LOGIN_OFF, NULL, NULL);
	snprintf(bucket, sizeof(bucket), "certlogin:ip:%.60s", r->remote_addr);
	rc = ratelimit_hit(&r->app->db, bucket, CHALLENGE_PER_MINUTE, 60, now, &after);
	if (rc < 0)
		return app_db_error(r, rc);
	if (rc == 0)
		return resp_error(r, ERR_LOGIN_LOCKED, NULL, "证书登录请求过于频繁，请一分钟后再试。");
	if (crypto_token_hex(id, sizeof(id), CHALLENGE_ID_HEX / 2) < 0 ||
	    crypto_token_hex(nonce, sizeof(nonce), 16) < 0)
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	/* What the token signs names its purpose, so that no other signature of a hall's key can
	 * pass for a login, and its expiry, so that a helper can show and refuse a stale one. */
	snprintf(text, sizeof(text), "certhall-login:v1:%s:%s:%lld", id, nonce,
		 (long long)now + CHALLENGE_TTL);
	db_exec(&r->app->db, sql_challenge_prune, NULL, 0, NULL, NULL);
	rc = db_exec(&r->app->db, sql_challenge_new,
		     DB_ARGS(DB_STR(id), DB_STR(text), DB_I64(CHALLENGE_TTL)), NULL, NULL);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	resp_json(r, 201, json_pack("{s:s, s:s, s:i, s:s}", "challenge_id", id, "challenge", text,
				    "expires_in", CHALLENGE_TTL, "helper", c->ca_token_helper));
	return 0;
}

static bool is_challenge_id(const char *s)
{
	return strlen(s) == CHALLENGE_ID_HEX && strspn(s, "0123456789abcdef") == CHALLENGE_ID_HEX;
}

struct cert_login_in {
	const char *challenge_id, *certificate, *signature;
};

static const struct req_field cert_login_fields[] = {
	{ "challenge_id", true, CHALLENGE_ID_HEX, is_challenge_id,
	  "challenge_id 应为获取登录请求时返回的 32 位编号。",
	  offsetof(struct cert_login_in, challenge_id) },
	{ "certificate", true, CERT_PEM_MAX, NULL, "请提供介质中的证书（Base64 编码的 DER）。",
	  offsetof(struct cert_login_in, certificate) },
	{ "signature", true, SIG_B64_MAX, NULL, "请提供介质对登录请求的签名（Base64）。",
	  offsetof(struct cert_login_in, signature) },
};

/* Takes the challenge (once, unexpired) and its text into the arena. 0 or -1 (answered). */
static int take_challenge(struct req *r, const char *id, const char **text)
{
	unsigned long long n = 0;
	struct db_rows rows;
	int rc = db_exec(&r->app->db, sql_challenge_take, DB_ARGS(DB_STR(id)), &n, NULL);

	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (n != 1)
		return resp_error(r, ERR_CHALLENGE_EXPIRED, "challenge_id", NULL);
	rc = db_query(&r->app->db, r->arena, sql_challenge_text, DB_ARGS(DB_STR(id)), &rows);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (rows.nrows != 1)
		return resp_error(r, ERR_CHALLENGE_EXPIRED, "challenge_id", NULL);
	*text = db_cell(&rows, 0, 0);
	return 0;
}

/* Whether the CRL the hall keeps of the certificate's CA lists it (a revocation made at the
 * CA's own counter shows here within CRL_MAX_AGE). No CRL at all does not refuse: the hall's
 * own row still says what the hall revoked. */
static bool crl_says_revoked(struct req *r, const struct cert_info *ci)
{
	const unsigned char *der;
	size_t len;

	if (crl_get(&r->app->db, r->arena, &r->app->conf, ci->key, &der, &len) != DB_OK)
		return false;
	return crl_lists(der, len, ci->serial, NULL, NULL);
}

/* The checks after the signature: the hall's certificate for the key, revocation, binding.
 * The account to log in into *account. 0 or -1 (answered). */
static int bound_account(struct req *r, const struct cert_info *ci, long long *account)
{
	struct db_rows c;
	int rc = db_query(&r->app->db, r->arena, sql_cert_by_key, DB_ARGS(DB_STR(ci->key_sha256)), &c);

	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (c.nrows != 1)
		return resp_error(r, ERR_CERT_UNBOUND, "certificate",
				  "该证书未经本平台签发记录，不能用于登录：请先用密码或短信验证码登录。");
	if (strcmp(db_cell(&c, 0, 0), ci->serial) != 0)
		return resp_error(r, ERR_CERT_UNBOUND, "certificate",
				  "该证书已由更新后的证书取代：请用证书助手重新读取介质中的证书后登录。");
	if (strcmp(db_cell(&c, 0, 1), "revoked") == 0 || crl_says_revoked(r, ci))
		return resp_error(r, ERR_CERT_REVOKED, "certificate", NULL);
	*account = strtoll(db_cell(&c, 0, 2), NULL, 10);
	if (*account <= 0)
		return resp_error(r, ERR_CERT_UNBOUND, "certificate", NULL);
	if (strcmp(db_cell(&c, 0, 3), "0") != 0)
		return resp_error(r, ERR_DISABLED, NULL, NULL);
	return 0;
}

/*
 * POST /api/account/cert-login {"challenge_id", "certificate": "<base64 DER>",
 *                               "signature": "<base64>"}
 *   200 as a password login. 401 challenge_expired (unknown, used or old: every attempt
 *   takes it), cert_untrusted (not issued by an issuing CA of [ca] trust_file),
 *   cert_expired, bad_signature (not the certificate's key over the challenge),
 *   cert_revoked (the hall's record or the CA's CRL), cert_unbound; 403 account_disabled;
 *   429 login_locked (failures per address and per key, as password logins count them).
 */
int account_cert_login(struct req *r)
{
	STACK_OF(X509) *trust = trust_anchors(&r->app->conf);
	struct cert_login_in in;
	struct login_attempt at;
	struct cert_info ci;
	const char *text = NULL;
	unsigned char *sig = NULL;
	size_t siglen = 0;
	long long account = 0;
	char who[48];
	json_t *body;
	X509 *x = NULL;
	time_t now = time(NULL);
	int ret = -1;

	if (!trust)
		return resp_error(r, ERR_CERT_LOGIN_OFF, NULL, NULL);
	if (req_json(r, &body) < 0 || REQ_FIELDS(r, body, cert_login_fields, &in) < 0)
		return -1;
	x = cert_read(in.certificate, strlen(in.certificate));
	if (!x || cert_info_of(x, &ci) < 0) {
		ret = resp_error(r, ERR_INVALID_FIELD, "certificate",
				 "证书无法读取：请提供介质中的 X.509 证书（Base64 编码的 DER）。");
		goto out;
	}
	snprintf(who, sizeof(who), "cert/%.32s", ci.key_sha256);
	if (account_attempt(r, who, &at) < 0)
		goto out;
	if (take_challenge(r, in.challenge_id, &text) < 0)
		goto out;
	if (!cert_issued_by(x, trust, now)) {
		ret = resp_error(r, ERR_CERT_UNTRUSTED, "certificate", NULL);
		goto out;
	}
	if (now < ci.not_before || now > ci.not_after) {
		ret = resp_error(r, ERR_CERT_EXPIRED, "certificate", NULL);
		goto out;
	}
	if (cert_b64_decode(in.signature, strlen(in.signature), &sig, &siglen) < 0 ||
	    !cert_verify_data(X509_get0_pubkey(x), text, strlen(text), sig, siglen)) {
		ret = resp_error(r, ERR_BAD_SIGNATURE, "signature",
				 "签名与证书不符：请确认插入的是该证书所在的介质后重试。");
		goto out;
	}
	if (bound_account(r, &ci, &account) < 0)
		goto out;
	account_attempt_ok(r, &at);
	if (auth_login(r, AUTH_ACCOUNT, account, ROLE_APPLICANT) < 0)
		goto out;
	ret = account_logged_in(r, 200);
out:
	free(sig);
	X509_free(x);
	ERR_clear_error();
	return ret;
}
