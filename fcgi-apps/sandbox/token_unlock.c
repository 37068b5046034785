/* sandbox: a locked token's unblock, as real USB keys do it: the key tool shows a challenge,
 * the CA's token management (which knows the token's security officer key) answers with a
 * response, and the token resets its PIN when the response is right. Both sides here: the
 * token's (/sandbox/token/...) and the CA's (behind the CA's mutual TLS, ca_unblock). */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "base/valid.h"
#include "crypto/crypto.h"
#include "sandbox.h"

#define CHALLENGE_HEX 16
#define RESPONSE_HEX 16

static const char sql_token[] =
	"SELECT COALESCE(so_key, ''), COALESCE(unlock_challenge, '') FROM sandbox_tokens "
	"WHERE token_serial = ?";
static const char sql_challenge[] =
	"UPDATE sandbox_tokens SET so_key = COALESCE(so_key, ?), unlock_challenge = ? "
	"WHERE token_serial = ?";
static const char sql_unlocked[] =
	"UPDATE sandbox_tokens SET pin_hash = ?, pin_tries = 0, unlock_challenge = NULL "
	"WHERE token_serial = ? AND unlock_challenge = ?";

/* The response to challenge: the first 8 bytes of HMAC-SHA256 under the token's security
 * officer key over "<serial>:<challenge>", in upper-case hex (what a key tool's keypad takes). */
static void response_of(const char *so_key, const char *serial, const char *challenge,
			char out[RESPONSE_HEX + 1])
{
	unsigned char mac[CRYPTO_SHA256_LEN];
	char msg[128];
	int n = snprintf(msg, sizeof(msg), "%s:%s", serial, challenge);

	crypto_hmac_sha256(so_key, strlen(so_key), msg, n > 0 && (size_t)n < sizeof(msg) ? (size_t)n : 0,
			   mac);
	for (int i = 0; i < RESPONSE_HEX / 2; i++)
		snprintf(out + 2 * i, 3, "%02X", mac[i]);
}

/* The token's row: its security officer key and pending challenge ("" where none). 0, or -1
 * answered (404 for no such token). */
static int token_row(struct req *r, const char *serial, const char **so_key, const char **challenge)
{
	struct db_rows t;
	int rc;

	if (sandbox_ready(r) < 0)
		return -1;
	rc = db_query(&r->app->db, r->arena, sql_token, DB_ARGS(DB_STR(serial)), &t);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (t.nrows != 1)
		return sandbox_error(r, 404, "not_found", true, NULL, "未检测到该介质，请插入后重试。");
	*so_key = db_cell(&t, 0, 0);
	*challenge = db_cell(&t, 0, 1);
	return 0;
}

/* POST /sandbox/token/:serial/unlock-challenge: 200 {"challenge"}: what the key tool shows
 * (a new one each time; the last one shown is the one a response must answer). */
int sandbox_token_unlock_challenge(struct req *r)
{
	const char *serial = r->params[0], *so_key, *pending;
	char challenge[CHALLENGE_HEX + 1], key[65];
	int rc;

	if (token_row(r, serial, &so_key, &pending) < 0)
		return -1;
	if (crypto_token_hex(challenge, sizeof(challenge), CHALLENGE_HEX / 2) < 0 ||
	    crypto_token_hex(key, sizeof(key), 32) < 0)
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	for (char *p = challenge; *p; p++)
		*p = (char)(*p >= 'a' && *p <= 'f' ? *p - 'a' + 'A' : *p);
	rc = db_exec(&r->app->db, sql_challenge, DB_ARGS(DB_STR(key), DB_STR(challenge), DB_STR(serial)),
		     NULL, NULL);
	OPENSSL_cleanse(key, sizeof(key));
	if (rc != DB_OK)
		return app_db_error(r, rc);
	resp_json(r, 200, json_pack("{s:s}", "challenge", challenge));
	return 0;
}

static bool response_ok(const char *s)
{
	return strlen(s) == RESPONSE_HEX && strspn(s, "0123456789ABCDEFabcdef") == RESPONSE_HEX;
}

struct unlock_in {
	const char *response, *pin;
};

static const struct req_field unlock_fields[] = {
	{ "response", true, RESPONSE_HEX, response_ok, "解锁码应为 16 位字母（A-F）和数字。",
	  offsetof(struct unlock_in, response) },
	{ "pin", true, 8, valid_pin, "新 PIN 码应为 6 至 8 位数字。", offsetof(struct unlock_in, pin) },
};

/* POST /sandbox/token/:serial/unlock {"response", "pin"}: 200 {"unlocked": true}, the new PIN
 * set and the lock cleared; 400 response_wrong (the pending challenge stays). */
int sandbox_token_unlock(struct req *r)
{
	const char *serial = r->params[0], *so_key, *pending;
	struct unlock_in in;
	char want[RESPONSE_HEX + 1], got[RESPONSE_HEX + 1], hash[65];
	unsigned long long n = 0;
	json_t *body;
	int rc;

	if (req_json(r, &body) < 0 || REQ_FIELDS(r, body, unlock_fields, &in) < 0 ||
	    token_row(r, serial, &so_key, &pending) < 0)
		return -1;
	if (!pending[0] || !so_key[0])
		return sandbox_error(r, 409, "no_challenge", true, NULL, "请先在证书助手中生成解锁请求码。");
	response_of(so_key, serial, pending, want);
	for (int i = 0; i <= RESPONSE_HEX; i++)
		got[i] = (char)(in.response[i] >= 'a' && in.response[i] <= 'f' ? in.response[i] - 'a' + 'A'
									      : in.response[i]);
	if (CRYPTO_memcmp(want, got, RESPONSE_HEX) != 0)
		return sandbox_error(r, 400, "response_wrong", true, "response", "解锁码不正确。");
	sandbox_token_pin_hash(serial, in.pin, hash);
	rc = db_exec(&r->app->db, sql_unlocked, DB_ARGS(DB_STR(hash), DB_STR(serial), DB_STR(pending)), &n,
		     NULL);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (n != 1)
		return sandbox_error(r, 409, "no_challenge", true, NULL, "解锁请求码已更换，请重新获取解锁码。");
	resp_json(r, 200, json_pack("{s:b}", "unlocked", 1));
	return 0;
}

/* POST /ejbca/ejbca-rest-api/v1/token/:serial/unblock {"challenge"} (the CA's token management,
 * mutual TLS): 200 {"response"}; 400 when the challenge is not the one the token shows. */
int sandbox_ca_unblock(struct req *r)
{
	const char *serial = r->params[0], *so_key, *pending, *challenge;
	char response[RESPONSE_HEX + 1];
	json_t *body;

	if (sandbox_ca_client_known(r) < 0 || req_json(r, &body) < 0)
		return -1;
	challenge = json_string_value(json_object_get(body, "challenge"));
	if (!valid_token_serial(serial))
		return sandbox_ejbca_error(r, 400, "Invalid token serial");
	if (token_row(r, serial, &so_key, &pending) < 0)
		return -1;
	if (!challenge || !pending[0] || !so_key[0] || strcmp(challenge, pending) != 0)
		return sandbox_ejbca_error(r, 400, "The challenge is not the one the token shows");
	response_of(so_key, serial, pending, response);
	resp_json(r, 200, json_pack("{s:s}", "response", response));
	return 0;
}
