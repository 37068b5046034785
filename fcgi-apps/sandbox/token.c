/* sandbox: the token (UKEY) a CA's token tool writes, for dev and tests: a key made with
 * OpenSSL, its PKCS#10 request and a hardware serial, as the made step takes them. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "base/valid.h"
#include "crypto/cert.h"
#include "crypto/crypto.h"
#include "sandbox.h"

/*
 * POST /sandbox/token {"kind": "rsa" | "sm2", "cn": "<holder>", "o": "<organisation>",
 *                      "pin": "<6 to 8 digits, optional: the PIN to set (a transfer memo's)>"}
 *      (unsigned, like /sandbox/control: the staff console's dev button and tests call it)
 *      201 {"token_serial": "<16 of 0-9A-F>", "kind", "csr": "<PEM PKCS#10>", "pin": "<6 digits>"}
 *      (the PIN the token tool set and shows the staff member, who types it into the made
 *      step: the hall sends it to its holder and keeps it nowhere readable)
 * The key stays on the "token": a row of sandbox_tokens (main.c), its private key in PEM,
 * never answered, with a hash of its PIN, for the certificate login a token signs for
 * (token_sign.c).
 */

static const char sql_insert[] =
	"INSERT INTO sandbox_tokens (token_serial, kind, key_pem, pin_hash, key_sha256, created_at) "
	"VALUES (?, ?, ?, ?, ?, NOW(3))";

struct token_in {
	const char *kind, *cn, *o, *pin;
};


static bool kind_ok(const char *s)
{
	return strcmp(s, "rsa") == 0 || strcmp(s, "sm2") == 0;
}

static const struct req_field token_fields[] = {
	{ "kind", true, 3, kind_ok, "kind 应为 rsa 或 sm2。", offsetof(struct token_in, kind) },
	{ "cn", true, 64, NULL, "cn（证书持有者名称）不能为空，最多 64 个字符。",
	  offsetof(struct token_in, cn) },
	{ "o", false, 64, NULL, "o（单位名称）最多 64 个字符。", offsetof(struct token_in, o) },
	{ "pin", false, 8, valid_pin, "pin 应为 6 至 8 位数字。", offsetof(struct token_in, pin) },
};

/* The private key as PEM, malloc'd; NULL on failure. */
static char *key_pem(EVP_PKEY *k)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data, *out = NULL;
	long n;

	if (b && PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL) == 1 &&
	    (n = BIO_get_mem_data(b, &data)) > 0 && (out = malloc((size_t)n + 1)) != NULL) {
		memcpy(out, data, (size_t)n);
		out[n] = '\0';
	}
	BIO_free(b);
	return out;
}

int sandbox_token_make(struct req *r, const char *kind, const char *cn, const char *o,
		       const char *subject_id, const char *pin_in, struct sandbox_new_token *out)
{
	EVP_PKEY *k = NULL;
	char *pem = NULL, pin_hash[65];
	unsigned char rnd[4];
	int rc, ret = -1;

	memset(out, 0, sizeof(*out));
	k = cert_key_new(strcmp(kind, "sm2") == 0 ? CERT_KEY_SM2 : CERT_KEY_RSA);
	if (!k || !(out->csr = cert_csr_pem_id(k, cn, o && o[0] ? o : NULL, subject_id)) ||
	    !(pem = key_pem(k)) || crypto_token_hex(out->serial, sizeof(out->serial), 8) < 0 ||
	    cert_key_sha256(k, out->key_sha256) < 0 || crypto_random(rnd, sizeof(rnd)) < 0) {
		ERR_clear_error();
		resp_error(r, ERR_INTERNAL, NULL, NULL);
		goto out;
	}
	for (char *p = out->serial; *p; p++)
		*p = (char)(*p >= 'a' && *p <= 'f' ? *p - 'a' + 'A' : *p);
	/* Six digits; the modulo's bias (2^32 mod 10^6) is far below what a PIN guess needs. */
	if (pin_in && pin_in[0])
		snprintf(out->pin, sizeof(out->pin), "%s", pin_in);
	else
		snprintf(out->pin, sizeof(out->pin), "%06u",
			 (unsigned)((((uint32_t)rnd[0] << 24) | ((uint32_t)rnd[1] << 16) |
				     ((uint32_t)rnd[2] << 8) | rnd[3]) % 1000000u));
	sandbox_token_pin_hash(out->serial, out->pin, pin_hash);
	rc = db_exec(&r->app->db, sql_insert, DB_ARGS(DB_STR(out->serial), DB_STR(kind), DB_STR(pem),
		     DB_STR(pin_hash), DB_STR(out->key_sha256)), NULL, NULL);
	if (rc != DB_OK) {
		app_db_error(r, rc);
		goto out;
	}
	ret = 0;
out:
	if (pem)
		OPENSSL_cleanse(pem, strlen(pem));
	free(pem);
	EVP_PKEY_free(k);
	if (ret < 0) {
		free(out->csr);
		out->csr = NULL;
	}
	return ret;
}

int sandbox_token(struct req *r)
{
	struct token_in in;
	struct sandbox_new_token t;
	json_t *body;

	if (sandbox_ready(r) < 0 || req_json(r, &body) < 0 || REQ_FIELDS(r, body, token_fields, &in) < 0)
		return -1;
	if (!in.cn[0])
		return sandbox_error(r, 400, "invalid_field", true, "cn", "cn（证书持有者名称）不能为空。");
	if (sandbox_token_make(r, in.kind, in.cn, in.o, NULL, in.pin, &t) < 0)
		return -1;
	resp_json(r, 201, json_pack("{s:s, s:s, s:s, s:s}", "token_serial", t.serial, "kind", in.kind,
				    "csr", t.csr, "pin", t.pin));
	free(t.csr);
	return 0;
}
