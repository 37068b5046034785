/* provider: signed JSON requests to third parties, and the check of signed ones coming in. */
#include "provider.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "notify.h"

#define URL_MAX 1024

int provider_sign(const char *secret, time_t now, const char *body, size_t len, char *ts_out,
		  char *sig_out)
{
	snprintf(ts_out, 24, "%lld", (long long)now);
	return notify_webhook_sign(secret, ts_out, body, len, sig_out);
}

int provider_verify(const char *secret, const char *ts, const char *sig, const char *body,
		    size_t len, time_t now)
{
	if (secret == NULL || secret[0] == '\0')
		return -1;
	return notify_webhook_verify(secret, ts, body, len, sig, now, PROVIDER_SKEW);
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
	rc = notify_webhook_request(p->secret, p->timeout_ms, method, url, text, len, status, &resp,
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
