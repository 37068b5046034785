/* sandbox: the dev and test stand-in for third parties (never installed in production). */
#ifndef CERTHALL_SANDBOX_H
#define CERTHALL_SANDBOX_H

#include <jansson.h>
#include <stdbool.h>

#include "crypto/cert.h"
#include "web/app.h"
#include "web/req.h"

#define SANDBOX_PPM 1000000      /* ratios are kept in parts per million */
#define SANDBOX_MAX_NUMBERS 64   /* permanent_numbers entries */
#define SANDBOX_KEY_MAX 128      /* idempotency key, characters */

/* How the gateway misbehaves: the one row of sandbox_control, all off after a reset. */
struct sandbox_control {
	int fail_ppm;            /* answer 503 busy, record nothing */
	int timeout_ppm;         /* sleep [sandbox] timeout_sleep_ms before answering */
	bool drop;               /* timeout_mode: "drop" records nothing, "accept" records first */
	int permanent_ppm;       /* answer 400 rejected (permanent) */
	json_t *numbers;         /* permanent_numbers: strings answered 400 invalid_number;
				  * released with the arena */
};

/* Creates the sandbox's own tables once per worker (retried on the next request if the
 * database was out of reach). Returns 0, or -1 with the error answered. */
int sandbox_ready(struct req *r);

/* The gateway's error envelope: {"error":{"code","message","permanent","field","request_id"}}.
 * permanent tells the sender whether trying again can ever help. Returns -1. */
int sandbox_error(struct req *r, int status, const char *code, bool permanent, const char *field,
		  const char *message);

/* Reads the control row (defaults when there is none). Returns 0, or -1 answered. */
int sandbox_control_load(struct req *r, int gw, struct sandbox_control *c);

/* True with probability ppm / SANDBOX_PPM, drawn from crypto_random. */
bool sandbox_draw(int ppm);

/* Hands j to the request's arena (released with it); NULL when that fails (j released). */
json_t *sandbox_arena_json(struct req *r, json_t *j);

/* Sleeps ms milliseconds, interruptions or not. */
void sandbox_sleep_ms(int ms);

/* Sleeps until a caller with this timeout has given up (its timeout + 1 s, at least
 * [sandbox] timeout_sleep_ms): what a gateway that never answers in time looks like. */
void sandbox_outwait(struct req *r, int caller_timeout_ms);

/* A JSON request's Content-Type: application/json, parameters allowed. */
bool sandbox_is_json(const char *ct);

/* gateway.c: the SMS gateway and the mail sink. */
int sandbox_sms_send(struct req *r);
int sandbox_sms_query(struct req *r);
int sandbox_sms2_send(struct req *r);   /* the second gateway: [sms2] */
int sandbox_sms2_query(struct req *r);
int sandbox_mail_send(struct req *r);
int sandbox_mail_query(struct req *r);

/* control.c: behaviour control and reset. */
int sandbox_control_get(struct req *r);
int sandbox_control_set(struct req *r);
int sandbox_control2_get(struct req *r); /* the second SMS gateway's */
int sandbox_control2_set(struct req *r);
int sandbox_reset(struct req *r);

/* messages.c: what the gateway recorded. */
int sandbox_messages(struct req *r);
int sandbox_messages_stats(struct req *r);

/* verify.c: the identity-check gateway (shared/ext/verify.h) and its test controls. */
int sandbox_verify_check(struct req *r);
int sandbox_verify_check_get(struct req *r);
int sandbox_verify_complete(struct req *r);
int sandbox_verify_transfer(struct req *r);
int sandbox_verify_transfers(struct req *r);
int sandbox_verify_transfer_get(struct req *r);
int sandbox_verify_transfer_complete(struct req *r);
int sandbox_verify_script(struct req *r);
int sandbox_verify_face(struct req *r);
int sandbox_verify_face_info(struct req *r);

/* pay.c: the payment provider of shared/ext/pay.h, and the payer tests drive. */
int sandbox_pay_create(struct req *r);
int sandbox_pay_query(struct req *r);
int sandbox_pay_payer(struct req *r);
int sandbox_pay_close(struct req *r);
int sandbox_pay_complete(struct req *r);
int sandbox_pay_notification(struct req *r);
int sandbox_pay_control(struct req *r);

/* courier.c: the courier's track queries (shared/ext/courier.h) and the tracks tests script. */
int sandbox_courier_track(struct req *r);
int sandbox_courier_script(struct req *r);

/* ca.c: the CA of shared/ext/ca.h (EJBCA's REST subset), behind the stack's mutual TLS. */
int sandbox_ca_enroll(struct req *r);
int sandbox_ca_revoke(struct req *r);
int sandbox_ca_crl(struct req *r);
/* One issuing CA of the sandbox, by EJBCA name or issuer DN (NULL: any); NULL answered. */
struct sca;
struct sca *sandbox_find_ca(struct req *r, const char *name, const char *dn);
/* Signs req (ci: what it says) under ca as issued ago_days ago for end entity username, and
 * records it; the certificate (X509_free), its serial in serial; NULL answered. */
X509 *sandbox_ca_sign(struct req *r, struct sca *ca, X509_REQ *req, const struct cert_csr_info *ci,
		      const char *username, long ago_days, char serial[CERT_SERIAL_MAX + 1]);
/* ca_search.c: EJBCA's v2 certificate search (issue date, status), paged. */
int sandbox_ca_search(struct req *r);
/* ca_counter.c: a certificate issued at the CA's counter, outside the hall, on a new token. */
int sandbox_ca_counter(struct req *r);

/* token.c: the sandbox token: a key, its PKCS#10 request, a hardware serial. */
int sandbox_token(struct req *r);
/* A new token made (its row written): kind "rsa" or "sm2", its request for C=CN, O=o (NULL or
 * "": none), CN=cn and subject_id (cert_csr_pem_id), its PIN pin_in or six random digits.
 * Returns 0 with out filled (out->csr malloc'd: the caller frees it), or -1 answered. */
struct sandbox_new_token {
	char serial[17], pin[9], key_sha256[65];
	char *csr;
};
int sandbox_token_make(struct req *r, const char *kind, const char *cn, const char *o,
		       const char *subject_id, const char *pin_in, struct sandbox_new_token *out);
int sandbox_token_unlock_challenge(struct req *r);  /* token_unlock.c */
int sandbox_token_unlock(struct req *r);
int sandbox_ca_unblock(struct req *r);
/* ca.c: EJBCA's error answer (-1); the mutual-TLS client check, 0 or -1 answered. */
int sandbox_ejbca_error(struct req *r, int status, const char *message);
int sandbox_ca_client_known(struct req *r);
int sandbox_token_inserted(struct req *r);   /* token_sign.c: the key helper's side */
int sandbox_token_sign(struct req *r);
int sandbox_token_csr(struct req *r);
/* What the token keeps of its PIN: hex SHA-256 of "<serial>:<pin>". */
void sandbox_token_pin_hash(const char *serial, const char *pin, char out[65]);

#endif
