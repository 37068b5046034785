/* sandbox: the local key helper's side of certificate login (README, "Certificate login"): the
 * tokens plugged in, and a token's signature over a login challenge once its PIN is given.
 * A real hall's applicants run the CA's helper (证书助手) beside their browser; in dev and
 * tests the sandbox tokens (token.c) stand in, behind the same protocol. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "base/valid.h"
#include "crypto/cert.h"
#include "crypto/crypto.h"
#include "sandbox.h"

#define INSERTED_MAX 20
#define CHALLENGE_MAX 200
#define LOGIN_PREFIX "certhall-login:"

/* A token counts as plugged in once the CA certified its key: the certificate is written onto
 * it then. The newest certificate of the key is the one on it (a renewal re-issues the key). */
static const char sql_inserted[] =
	"SELECT t.token_serial, t.kind, c.subject FROM sandbox_tokens t JOIN sandbox_ca_certs c "
	"ON c.key_sha256 = t.key_sha256 AND c.issued_at = (SELECT MAX(c2.issued_at) FROM "
	"sandbox_ca_certs c2 WHERE c2.key_sha256 = t.key_sha256) "
	"ORDER BY t.created_at DESC LIMIT ?";
static const char sql_token[] =
	"SELECT t.key_pem, COALESCE(t.pin_hash, ''), (SELECT c.der FROM sandbox_ca_certs c "
	"WHERE c.key_sha256 = t.key_sha256 ORDER BY c.issued_at DESC LIMIT 1), t.pin_tries "
	"FROM sandbox_tokens t WHERE t.token_serial = ?";
/* 002 "PIN locks after 10 wrong tries": counted on the token; a right PIN starts again. */
static const char sql_pin_wrong[] =
	"UPDATE sandbox_tokens SET pin_tries = LEAST(pin_tries + 1, 255) WHERE token_serial = ?";
static const char sql_pin_right[] = "UPDATE sandbox_tokens SET pin_tries = 0 WHERE token_serial = ?";

#define PIN_TRIES 10

void sandbox_token_pin_hash(const char *serial, const char *pin, char out[65])
{
	char buf[96];
	int n = snprintf(buf, sizeof(buf), "%s:%s", serial, pin);

	crypto_sha256_hex(buf, n > 0 && (size_t)n < sizeof(buf) ? (size_t)n : 0, out);
	OPENSSL_cleanse(buf, sizeof(buf));
}

/* GET /sandbox/token/inserted: 200 {"tokens": [{"token_serial", "kind", "subject"}]}, newest
 * first: what a helper lists of the keys plugged into this computer. */
int sandbox_token_inserted(struct req *r)
{
	struct db_rows t;
	json_t *list;
	int rc;

	if (sandbox_ready(r) < 0)
		return -1;
	rc = db_query(&r->app->db, r->arena, sql_inserted, DB_ARGS(DB_I64(INSERTED_MAX)), &t);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	list = json_array();
	for (size_t i = 0; i < t.nrows; i++)
		json_array_append_new(list, json_pack("{s:s, s:s, s:s}", "token_serial", db_cell(&t, i, 0),
						      "kind", db_cell(&t, i, 1), "subject", db_cell(&t, i, 2)));
	resp_json(r, 200, json_pack("{s:o}", "tokens", list));
	return 0;
}


struct sign_in {
	const char *challenge, *pin;
};

static const struct req_field sign_fields[] = {
	{ "challenge", true, CHALLENGE_MAX, NULL, "challenge（待签名的登录请求）不能为空。",
	  offsetof(struct sign_in, challenge) },
	{ "pin", true, 8, valid_pin, "请输入 6 至 8 位数字的证书 PIN 码。", offsetof(struct sign_in, pin) },
};

/* The private key of a token's row, from its PEM. NULL on failure; EVP_PKEY_free. */
static EVP_PKEY *token_key(const char *pem)
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	EVP_PKEY *k = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;

	BIO_free(b);
	return k;
}

/* The token's row once its PIN is given (the lock and the wrong tries as a token counts them):
 * key_pem, pin_hash, the newest certificate's DER, pin_tries. 0, or -1 answered. */
static int opened(struct req *r, const char *serial, const char *pin, struct db_rows *t)
{
	char hash[65];
	int rc = db_query(&r->app->db, r->arena, sql_token, DB_ARGS(DB_STR(serial)), t);

	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (t->nrows != 1)
		return sandbox_error(r, 404, "not_found", true, NULL, "未检测到该介质，请插入后重试。");
	if (strtol(db_cell(t, 0, 3), NULL, 10) >= PIN_TRIES)
		return sandbox_error(r, 423, "pin_locked", true, "pin",
				     "PIN 码错误次数过多，介质已锁定：请在线申请证书解锁。");
	sandbox_token_pin_hash(serial, pin, hash);
	if (strlen(db_cell(t, 0, 1)) != 64 || CRYPTO_memcmp(hash, db_cell(t, 0, 1), 64) != 0) {
		rc = db_exec(&r->app->db, sql_pin_wrong, DB_ARGS(DB_STR(serial)), NULL, NULL);
		return rc != DB_OK ? app_db_error(r, rc)
				   : sandbox_error(r, 403, "pin_wrong", true, "pin", "PIN 码不正确。");
	}
	rc = db_exec(&r->app->db, sql_pin_right, DB_ARGS(DB_STR(serial)), NULL, NULL);
	return rc == DB_OK ? 0 : app_db_error(r, rc);
}

struct csr_in {
	const char *cn, *o, *pin;
};

static const struct req_field csr_fields[] = {
	{ "cn", true, 64, NULL, "cn（证书持有者名称）不能为空，最多 64 个字符。", offsetof(struct csr_in, cn) },
	{ "o", false, 64, NULL, "o（单位名称）最多 64 个字符。", offsetof(struct csr_in, o) },
	{ "pin", true, 8, valid_pin, "请输入 6 至 8 位数字的证书 PIN 码。", offsetof(struct csr_in, pin) },
};

/* POST /sandbox/token/:serial/csr {"cn", "o", "pin"}: 200 {"token_serial", "csr": "<PEM>"}: a
 * request for new names with the key on the token (002 "2.4 证书下载" after a change of name). */
int sandbox_token_csr(struct req *r)
{
	const char *serial = r->params[0];
	struct csr_in in;
	struct db_rows t;
	json_t *body;
	EVP_PKEY *k = NULL;
	char *csr = NULL;
	int ret;

	if (sandbox_ready(r) < 0 || req_json(r, &body) < 0 || REQ_FIELDS(r, body, csr_fields, &in) < 0)
		return -1;
	if (!in.cn[0])
		return sandbox_error(r, 400, "invalid_field", true, "cn", "cn（证书持有者名称）不能为空。");
	if (opened(r, serial, in.pin, &t) < 0)
		return -1;
	if ((k = token_key(db_cell(&t, 0, 0))) == NULL ||
	    (csr = cert_csr_pem(k, in.cn, in.o && in.o[0] ? in.o : NULL)) == NULL) {
		ERR_clear_error();
		ret = resp_error(r, ERR_INTERNAL, NULL, NULL);
	} else {
		resp_json(r, 200, json_pack("{s:s, s:s}", "token_serial", serial, "csr", csr));
		ret = 0;
	}
	free(csr);
	EVP_PKEY_free(k);
	return ret;
}

/*
 * POST /sandbox/token/:serial/sign {"challenge": "certhall-login:...", "pin"}
 *   200 {"token_serial", "certificate": "<base64 DER>", "signature": "<base64>"}
 *   400 not_login (the helper signs login challenges only), 403 pin_wrong, 404 no such token,
 *   409 no_certificate (the CA has not certified its key yet), 423 pin_locked (10 wrong PINs:
 *   the token waits for its unblock, token_unlock.c).
 */
int sandbox_token_sign(struct req *r)
{
	const char *serial = r->params[0];
	struct sign_in in;
	struct db_rows t;
	json_t *body;
	EVP_PKEY *k = NULL;
	X509 *x = NULL;
	const unsigned char *p;
	unsigned char sig[CERT_SIG_MAX];
	size_t siglen = 0;
	char *pem = NULL, *b64 = NULL;
	int ret = -1;

	if (sandbox_ready(r) < 0 || req_json(r, &body) < 0 || REQ_FIELDS(r, body, sign_fields, &in) < 0)
		return -1;
	if (strncmp(in.challenge, LOGIN_PREFIX, strlen(LOGIN_PREFIX)) != 0)
		return sandbox_error(r, 400, "not_login", true, "challenge",
				     "该内容不是登录请求，证书助手不予签名。");
	if (opened(r, serial, in.pin, &t) < 0)
		return -1;
	if (db_cell(&t, 0, 2) == NULL)
		return sandbox_error(r, 409, "no_certificate", true, NULL, "该介质中还没有证书。");
	p = (const unsigned char *)db_cell(&t, 0, 2);
	if ((x = d2i_X509(NULL, &p, (long)t.len[2])) == NULL ||
	    (pem = cert_b64_encode((const unsigned char *)db_cell(&t, 0, 2), t.len[2])) == NULL ||
	    (k = token_key(db_cell(&t, 0, 0))) == NULL ||
	    cert_sign_data(k, in.challenge, strlen(in.challenge), sig, &siglen) < 0 ||
	    (b64 = cert_b64_encode(sig, siglen)) == NULL) {
		ERR_clear_error();
		ret = resp_error(r, ERR_INTERNAL, NULL, NULL);
		goto out;
	}
	resp_json(r, 200, json_pack("{s:s, s:s, s:s}", "token_serial", serial, "certificate", pem,
				    "signature", b64));
	ret = 0;
out:
	free(b64);
	free(pem);
	EVP_PKEY_free(k);
	X509_free(x);
	return ret;
}
