/* http: one outgoing HTTP(S) request through libcurl, for every third-party adapter. */
#ifndef CERTHALL_HTTP_H
#define CERTHALL_HTTP_H

#include <stddef.h>

/*
 * What became of a request. The difference between the last two is what an outbox needs:
 *   HTTP_OK       the server answered (any status; *status holds it);
 *   HTTP_REFUSED  the request never left: name not resolved, connection refused or timed out,
 *                 TLS failed before anything was sent. The server certainly did not act on it;
 *   HTTP_TIMEOUT  the request may have left: no (complete) answer in time, connection reset
 *                 or closed while waiting. The server may have acted on it.
 */
#define HTTP_OK 0
#define HTTP_REFUSED (-1)
#define HTTP_TIMEOUT (-2)

/* The largest answer body kept; a longer one is cut here (HTTP_OK, and err says so). */
#define HTTP_BODY_MAX (1024 * 1024)

/* The connect phase never waits longer than this, whatever the overall timeout. */
#define HTTP_CONNECT_MAX_MS 3000

/*
 * Sends method ("GET", "POST", ...) to url (http:// or https:// only; redirects are not
 * followed; certificates and host names are verified). headers is a NULL-terminated list of
 * "Name: value" lines, or NULL. body/len is the request body (may be NULL for none).
 * timeout_ms bounds the whole exchange, connect included (connect alone: at most
 * HTTP_CONNECT_MAX_MS). On HTTP_OK, *status is the HTTP status and, if resp_body is not NULL,
 * *resp_body is a malloc'd, NUL-terminated copy of the answer body (the caller frees it) of
 * *resp_len bytes. err (may be NULL) gets a reason on failure, or a note on a cut body.
 * Returns HTTP_OK, HTTP_REFUSED or HTTP_TIMEOUT.
 */
int http_request(const char *method, const char *url, const char *const *headers,
		 const char *body, size_t len, int timeout_ms, long *status, char **resp_body,
		 size_t *resp_len, char *err, size_t errsz);

/* What one request presents and trusts beyond the defaults: a client certificate and its key
 * (PEM files; NULL or "": none) for a server that authenticates us by certificate, and the CAs
 * the server's certificate must chain to (a PEM file; NULL or "": the system's store). */
struct http_tls {
	const char *cert_file;
	const char *key_file;
	const char *ca_file;
};

/* http_request with tls (may be NULL: as http_request). */
int http_request_tls(const struct http_tls *tls, const char *method, const char *url,
		     const char *const *headers, const char *body, size_t len, int timeout_ms,
		     long *status, char **resp_body, size_t *resp_len, char *err, size_t errsz);

/* Classifies a failed libcurl transfer (curl_code is its CURLcode): HTTP_REFUSED when
 * nothing of the request left (sent is 0), HTTP_TIMEOUT when some of it may have.
 * Shared with the SMTP adapter, which drives libcurl itself. */
int http_classify(int curl_code, int sent);

#endif
