/* provider: signed JSON requests to third parties, and the check of signed ones coming in. */
#include "ext/provider.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "base/errbuf.h"
#include "ext/http.h"

#define URL_MAX 1024

int provider_hmac(const char *secret, const char *timestamp, const char *body, size_t len,
			char *out_hex)
{
	unsigned char mac[CRYPTO_SHA256_LEN];
	size_t tlen;
	char *msg;

	if (secret == NULL || timestamp == NULL || out_hex == NULL || (body == NULL && len > 0))
		return -1;
	tlen = strlen(timestamp);
	if (len > SIZE_MAX - tlen - 2)
		return -1;
	msg = malloc(tlen + 1 + len + 1);
	if (msg == NULL)
		return -1;
	memcpy(msg, timestamp, tlen);
	msg[tlen] = '.';
	if (len > 0)
		memcpy(msg + tlen + 1, body, len);
	crypto_hmac_sha256(secret, strlen(secret), msg, tlen + 1 + len, mac);
	crypto_hex(mac, sizeof(mac), out_hex);
	free(msg);
	return 0;
}

int provider_check(const char *secret, const char *timestamp, const char *body,
			  size_t len, const char *sig_hex, time_t now, long max_skew)
{
	char want[2 * CRYPTO_SHA256_LEN + 1];
	long long ts = 0;
	size_t i;

	if (timestamp == NULL || sig_hex == NULL || timestamp[0] == '\0' ||
	    strlen(timestamp) > 12 || strlen(sig_hex) != 2 * CRYPTO_SHA256_LEN)
		return -1;
	for (i = 0; timestamp[i] != '\0'; i++) {
		if (timestamp[i] < '0' || timestamp[i] > '9')
			return -1;
		ts = ts * 10 + (timestamp[i] - '0');
	}
	if (ts > (long long)now + max_skew || ts < (long long)now - max_skew)
		return -1;
	if (provider_hmac(secret, timestamp, body, len, want) != 0)
		return -1;
	return crypto_equal(want, sig_hex, 2 * CRYPTO_SHA256_LEN) ? 0 : -1;
}

int provider_request(const char *secret, int timeout_ms, const char *method,
			   const char *url, const char *body, size_t len, long *status, char **resp,
			   size_t *rlen, char *err, size_t errsz)
{
	char ts[24];
	char sig[2 * CRYPTO_SHA256_LEN + 1];
	char h_ts[64], h_sig[128];
	const char *headers[4];

	snprintf(ts, sizeof(ts), "%lld", (long long)time(NULL));
	if (provider_hmac(secret, ts, body, len, sig) != 0) {
		errbuf_set(err, errsz, "out of memory signing");
		return HTTP_REFUSED;
	}
	snprintf(h_ts, sizeof(h_ts), "X-Certhall-Timestamp: %s", ts);
	snprintf(h_sig, sizeof(h_sig), "X-Certhall-Signature: %s", sig);
	headers[0] = "Content-Type: application/json";
	headers[1] = h_ts;
	headers[2] = h_sig;
	headers[3] = NULL;
	return http_request(method, url, headers, body, len, timeout_ms, status, resp, rlen, err,
			    errsz);
}

int provider_sign(const char *secret, time_t now, const char *body, size_t len, char *ts_out,
		  char *sig_out)
{
	snprintf(ts_out, 24, "%lld", (long long)now);
	return provider_hmac(secret, ts_out, body, len, sig_out);
}

int provider_verify(const char *secret, const char *ts, const char *sig, const char *body,
		    size_t len, time_t now)
{
	if (secret == NULL || secret[0] == '\0')
		return -1;
	return provider_check(secret, ts, body, len, sig, now, PROVIDER_SKEW);
}

int provider_call(const struct provider *p, const char *method, const char *path, json_t *body,
		  long *status, json_t **answer, char *err, size_t errsz)
{
	char url[URL_MAX];
	char *text = NULL, *resp = NULL;
	size_t len = 0, resp_len = 0;
	int rc;

	*answer = NULL;
	if ((size_t)snprintf(url, sizeof(url), "%s%s", p->endpoint, path) >= sizeof(url)) {
		snprintf(err, errsz, "%s: URL too long", p->name);
		return HTTP_REFUSED;
	}
	if (body != NULL) {
		text = json_dumps(body, JSON_COMPACT);
		if (text == NULL) {
			snprintf(err, errsz, "%s: body cannot be encoded", p->name);
			return HTTP_REFUSED;
		}
		len = strlen(text);
	}
	rc = provider_request(p->secret, p->timeout_ms, method, url, text, len, status, &resp,
				    &resp_len, err, errsz);
	free(text);
	if (rc == HTTP_OK && resp != NULL) {
		json_t *j = json_loadb(resp, resp_len, JSON_REJECT_DUPLICATES, NULL);

		if (j != NULL && json_is_object(j))
			*answer = j;
		else
			json_decref(j);
	}
	free(resp);
	return rc;
}
