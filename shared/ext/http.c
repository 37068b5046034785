/* http: a bounded, verifying libcurl request that tells "never sent" from "may have been sent". */
#include "ext/http.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "base/errbuf.h"

/* The answer body as it arrives; past HTTP_BODY_MAX the transfer is stopped. */
struct body {
	char *p;
	size_t len;
	size_t cap;
	int cut;
	int nomem;
};

/* curl_global_init is not safe to race, but every program is single-threaded per process and
 * calls this before its first transfer; a failure there leaves curl_easy_init to fail. */
static int global_ready(void)
{
	static int done;

	if (!done && curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK)
		done = 1;
	return done;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct body *b = arg;
	size_t n = size * nmemb;
	size_t take = n;

	if (b->len + take > HTTP_BODY_MAX) {
		take = HTTP_BODY_MAX - b->len;
		b->cut = 1;
	}
	if (b->len + take + 1 > b->cap) {
		size_t cap = b->cap == 0 ? 4096 : b->cap;
		char *p;

		while (cap < b->len + take + 1)
			cap *= 2;
		if (cap > HTTP_BODY_MAX + 1)
			cap = HTTP_BODY_MAX + 1;
		p = realloc(b->p, cap);
		if (p == NULL) {
			b->nomem = 1;
			return 0;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, take);
	b->len += take;
	b->p[b->len] = '\0';
	/* Returning less than n stops the transfer (CURLE_WRITE_ERROR), which is the point. */
	return b->cut ? 0 : n;
}

int http_classify(int curl_code, int sent)
{
	switch ((CURLcode)curl_code) {
	case CURLE_OK:
		return HTTP_OK;
	/* Nothing reached the server. */
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		return HTTP_REFUSED;
	/* The request was on its way or answered in part: the server may have acted. */
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
		return HTTP_TIMEOUT;
	case CURLE_OPERATION_TIMEDOUT:
	default:
		return sent ? HTTP_TIMEOUT : HTTP_REFUSED;
	}
}

/* Whether the request may have left: connected, and for https past the TLS handshake (before
 * that curl writes nothing of the request). Erring towards "yes" only costs a status query. */
static int maybe_sent(CURL *h, const char *url)
{
	curl_off_t t = 0;
	long reqsize = 0;
	CURLINFO what = strncasecmp(url, "https:", 6) == 0 ? CURLINFO_APPCONNECT_TIME_T
							    : CURLINFO_CONNECT_TIME_T;

	if (curl_easy_getinfo(h, CURLINFO_REQUEST_SIZE, &reqsize) == CURLE_OK && reqsize > 0)
		return 1;
	if (curl_easy_getinfo(h, what, &t) != CURLE_OK)
		return 1;
	return t > 0;
}

int http_request(const char *method, const char *url, const char *const *headers,
		 const char *body, size_t len, int timeout_ms, long *status, char **resp_body,
		 size_t *resp_len, char *err, size_t errsz)
{
	return http_request_tls(NULL, method, url, headers, body, len, timeout_ms, status,
				resp_body, resp_len, err, errsz);
}

static int set_file(CURL *h, CURLoption opt, const char *path)
{
	return path == NULL || path[0] == '\0' || curl_easy_setopt(h, opt, path) == CURLE_OK ? 0 : -1;
}

int http_request_tls(const struct http_tls *tls, const char *method, const char *url,
		     const char *const *headers, const char *body, size_t len, int timeout_ms,
		     long *status, char **resp_body, size_t *resp_len, char *err, size_t errsz)
{
	char curl_err[CURL_ERROR_SIZE];
	struct curl_slist *hl = NULL;
	struct body b = { 0 };
	CURL *h = NULL;
	CURLcode rc;
	long connect_ms;
	int ret = HTTP_REFUSED;
	size_t i;

	if (status != NULL)
		*status = 0;
	if (resp_body != NULL)
		*resp_body = NULL;
	if (resp_len != NULL)
		*resp_len = 0;
	if (err != NULL && errsz > 0)
		err[0] = '\0';
	if (method == NULL || url == NULL || (body == NULL && len > 0)) {
		errbuf_set(err, errsz, "bad arguments");
		goto out;
	}
	if (timeout_ms <= 0)
		timeout_ms = 3000;
	connect_ms = timeout_ms < HTTP_CONNECT_MAX_MS ? timeout_ms : HTTP_CONNECT_MAX_MS;
	if (!global_ready() || (h = curl_easy_init()) == NULL) {
		errbuf_set(err, errsz, "libcurl cannot start");
		goto out;
	}
	for (i = 0; headers != NULL && headers[i] != NULL; i++) {
		struct curl_slist *n = curl_slist_append(hl, headers[i]);

		if (n == NULL) {
			errbuf_set(err, errsz, "out of memory");
			goto out;
		}
		hl = n;
	}
	/* curl would otherwise wait up to a second for "100 Continue" before a larger body. */
	{
		struct curl_slist *n = curl_slist_append(hl, "Expect:");

		if (n == NULL) {
			errbuf_set(err, errsz, "out of memory");
			goto out;
		}
		hl = n;
	}
	curl_err[0] = '\0';
	if (curl_easy_setopt(h, CURLOPT_URL, url) != CURLE_OK ||
#if LIBCURL_VERSION_NUM >= 0x075500
	    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK ||
#else
	    curl_easy_setopt(h, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS)) !=
		    CURLE_OK ||
#endif
	    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, connect_ms) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)timeout_ms) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, curl_err) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_WRITEDATA, &b) != CURLE_OK) {
		errbuf_set(err, errsz, "libcurl refused an option");
		goto out;
	}
	if (tls != NULL && (set_file(h, CURLOPT_SSLCERT, tls->cert_file) < 0 ||
			    set_file(h, CURLOPT_SSLKEY, tls->key_file) < 0 ||
			    set_file(h, CURLOPT_CAINFO, tls->ca_file) < 0)) {
		errbuf_set(err, errsz, "libcurl refused a TLS file option");
		goto out;
	}
	if (strcmp(method, "GET") == 0) {
		rc = curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	} else {
		rc = curl_easy_setopt(h, CURLOPT_POST, 1L);
		if (rc == CURLE_OK)
			rc = curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
		if (rc == CURLE_OK)
			rc = curl_easy_setopt(h, CURLOPT_POSTFIELDS, body != NULL ? body : "");
		if (rc == CURLE_OK && strcmp(method, "POST") != 0)
			rc = curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	}
	if (rc != CURLE_OK) {
		errbuf_set(err, errsz, "libcurl refused the method");
		goto out;
	}

	rc = curl_easy_perform(h);
	if (rc == CURLE_OK || (rc == CURLE_WRITE_ERROR && b.cut)) {
		long code = 0;

		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
		if (status != NULL)
			*status = code;
		if (b.cut)
			errbuf_set(err, errsz, "answer cut at %d bytes", HTTP_BODY_MAX);
		if (resp_body != NULL) {
			if (b.p == NULL) {
				b.p = malloc(1);
				if (b.p == NULL) {
					errbuf_set(err, errsz, "out of memory");
					ret = HTTP_TIMEOUT; /* answered, but we cannot tell with what */
					goto out;
				}
				b.p[0] = '\0';
			}
			*resp_body = b.p;
			b.p = NULL;
		}
		if (resp_len != NULL)
			*resp_len = b.len;
		ret = HTTP_OK;
		goto out;
	}
	if (rc == CURLE_WRITE_ERROR && b.nomem) {
		errbuf_set(err, errsz, "out of memory reading the answer");
		ret = HTTP_TIMEOUT;
		goto out;
	}
	ret = http_classify((int)rc, maybe_sent(h, url));
	errbuf_set(err, errsz, "%s%s%s", curl_easy_strerror(rc), curl_err[0] != '\0' ? ": " : "",
		curl_err);
out:
	free(b.p);
	curl_slist_free_all(hl);
	if (h != NULL)
		curl_easy_cleanup(h);
	return ret;
}
