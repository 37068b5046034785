/* provider: signed JSON over HTTP to the third parties we cannot reach (identity checks,
 * payments, couriers, the generic SMS webhook). The real adapter and the sandbox speak the
 * same protocol: X-Certhall-Timestamp, X-Certhall-Signature = lowercase hex HMAC-SHA256 of
 * timestamp "." body under the shared secret, JSON bodies both ways. */
#ifndef CERTHALL_PROVIDER_H
#define CERTHALL_PROVIDER_H

#include <jansson.h>
#include <stddef.h>
#include <time.h>

#define PROVIDER_SKEW 300 /* seconds a signed timestamp may differ from our clock */

struct provider {
	const char *name;     /* "verify", "pay", "courier": for logs */
	const char *endpoint; /* base URL; path is appended */
	const char *secret;
	int timeout_ms;
};

/* The signature of timestamp "." body under secret; out_hex holds 65 bytes. Returns 0 or -1. */
int provider_hmac(const char *secret, const char *timestamp, const char *body, size_t len,
		  char *out_hex);

/* For the receiving side: 0 when sig_hex is the signature of timestamp and body and timestamp
 * is within max_skew seconds of now, else -1. Compares in constant time. */
int provider_check(const char *secret, const char *timestamp, const char *body, size_t len,
		   const char *sig_hex, time_t now, long max_skew);

/* One request of the protocol: body (len bytes; NULL or "" for none) signed under secret at
 * the current time, sent as JSON. Returns what http_request (shared/ext/http.h) returns, and
 * fills the same outputs. */
int provider_request(const char *secret, int timeout_ms, const char *method, const char *url,
		     const char *body, size_t len, long *status, char **resp, size_t *rlen,
		     char *err, size_t errsz);

/* method "GET" (body NULL, signature over the empty body) or "POST" (body a JSON object).
 * On HTTP_OK, *status is the HTTP status and *answer the parsed JSON object of the answer,
 * or NULL when it was not one (the caller decrefs). Returns HTTP_OK, HTTP_REFUSED or
 * HTTP_TIMEOUT (shared/ext/http.h); err gets the reason of a failure. */
int provider_call(const struct provider *p, const char *method, const char *path, json_t *body,
		  long *status, json_t **answer, char *err, size_t errsz);

/* Checks an inbound signed request (a payment notification): 0 when sig is the signature of
 * ts "." body under secret and ts is within PROVIDER_SKEW of now, -1 otherwise (an empty
 * secret refuses everything). */
int provider_verify(const char *secret, const char *ts, const char *sig, const char *body,
		    size_t len, time_t now);

/* Signs body for an outbound request of our own making: ts_out (at least 24 bytes) gets the
 * timestamp, sig_out (65 bytes) the signature. Returns 0 or -1. */
int provider_sign(const char *secret, time_t now, const char *body, size_t len, char *ts_out,
		  char *sig_out);

#endif
