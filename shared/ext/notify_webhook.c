/* notify_webhook: the generic signed JSON webhook, spoken by the sandbox and by any HTTP gateway. */
#include "ext/notify.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "base/errbuf.h"
#include "ext/http.h"
#include "ext/provider.h"

/*
 * The protocol (the sandbox implements the receiving side with provider_check).
 *
 * Send:  POST <endpoint>
 *          Content-Type: application/json
 *          X-Certhall-Timestamp: <unix seconds>
 *          X-Certhall-Signature: <lowercase hex HMAC-SHA256(secret, timestamp "." body)>
 *        {"idempotency_key": "<key>", "channel": "sms" | "email", "to": "<mobile or address>",
 *         "template": "<template id or empty>", "params": {<name>: "<value>", ...},
 *         "text": "<rendered text>", "subject": "<subject>" | null}
 *
 *        2xx {"id": "<receiver's id>"}              taken                  SENT
 *        4xx {"error": {"code": "...", "message": "...", "permanent": true}}
 *                                                   never will be          PERMANENT
 *        429, 5xx, any other 4xx (or 1xx/3xx)       not taken, try later   RETRY
 *        no complete answer in time                 may have been taken    UNKNOWN
 *        connection refused, name not resolved      not taken              RETRY
 *        A 2xx without an id is UNKNOWN: the status query settles it.
 *
 * Query: GET <endpoint>?idempotency_key=<RFC 3986 encoded key>, the same two headers, the
 *        signature taken over the empty body (timestamp ".").
 *        200 {"status": "sent", "id": "<id>"}       SENT
 *        404                                        NOT_FOUND (safe to send again)
 *        anything else                              UNKNOWN
 *
 * A receiver should treat a repeated idempotency_key as the same message (answer 2xx with the
 * first id, deliver once) as a second line of defence; certhall does not rely on it: the
 * outbox never resends what the receiver may have (it asks first), and the sandbox receiver
 * deliberately keeps every copy so the tests would see a double send. A receiver checks the
 * signature in constant time and refuses a timestamp more than a few minutes from its clock,
 * so a captured request cannot be replayed later.
 */

#define URL_MAX 1024



char *notify_webhook_body(const struct notify_msg *m, char *err, size_t errsz)
{
	json_t *params = m->params != NULL ? json_incref(m->params) : json_object();
	json_t *root;
	char *s = NULL;

	/* "o" hands params over to root, on failure too. */
	root = json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:s?}", "idempotency_key", m->idem_key,
			 "channel", m->channel, "to", m->to, "template",
			 m->template_id != NULL ? m->template_id : "", "params", params, "text",
			 m->text != NULL ? m->text : "", "subject", m->subject);
	if (root != NULL)
		s = json_dumps(root, JSON_COMPACT);
	if (s == NULL)
		errbuf_set(err, errsz, "message cannot be encoded as JSON");
	json_decref(root);
	return s;
}

/* The id of an answer: a string, or a number printed as one. */
static int answer_id(json_t *root, char *out, size_t outsz)
{
	json_t *id = json_object_get(root, "id");

	if (json_is_string(id) && json_string_length(id) > 0)
		snprintf(out, outsz, "%s", json_string_value(id));
	else if (json_is_integer(id))
		snprintf(out, outsz, "%" JSON_INTEGER_FORMAT, json_integer_value(id));
	else
		return -1;
	return 0;
}

void notify_webhook_parse_send(long status, const char *body, size_t len,
			       struct notify_outcome *out)
{
	json_t *root = body != NULL ? json_loadb(body, len, 0, NULL) : NULL;
	json_t *e = json_object_get(root, "error");
	char id[128];

	if (status >= 200 && status < 300) {
		if (answer_id(root, id, sizeof(id)) == 0)
			notify_outcome(out, NOTIFY_SENT, id, NULL);
		else
			notify_outcome(out, NOTIFY_UNKNOWN, NULL, "HTTP %ld without an id", status);
	} else if (status >= 400 && status < 500 && status != 429 &&
		   json_is_true(json_object_get(e, "permanent"))) {
		notify_outcome(out, NOTIFY_PERMANENT, NULL, "%s: %s",
			       json_string_value(json_object_get(e, "code")) != NULL
				       ? json_string_value(json_object_get(e, "code"))
				       : "error",
			       json_string_value(json_object_get(e, "message")) != NULL
				       ? json_string_value(json_object_get(e, "message"))
				       : "");
	} else {
		notify_outcome(out, NOTIFY_RETRY, NULL, "HTTP %ld%s%s", status,
			       json_string_value(json_object_get(e, "code")) != NULL ? " " : "",
			       json_string_value(json_object_get(e, "code")) != NULL
				       ? json_string_value(json_object_get(e, "code"))
				       : "");
	}
	json_decref(root);
}

void notify_webhook_parse_query(long status, const char *body, size_t len,
				struct notify_outcome *out)
{
	json_t *root = body != NULL ? json_loadb(body, len, 0, NULL) : NULL;
	const char *st = json_string_value(json_object_get(root, "status"));
	char id[128] = "";

	if (status == 200 && st != NULL && strcmp(st, "sent") == 0) {
		answer_id(root, id, sizeof(id));
		notify_outcome(out, NOTIFY_SENT, id, NULL);
	} else if (status == 404) {
		notify_outcome(out, NOTIFY_NOT_FOUND, NULL, NULL);
	} else {
		notify_outcome(out, NOTIFY_UNKNOWN, NULL, "query: HTTP %ld status %s", status,
			       st != NULL ? st : "-");
	}
	json_decref(root);
}


/* Signs body (may be "") at the current time and performs the request. */
static int signed_request(const struct notify_provider *p, const char *method, const char *url,
			  const char *body, long *status, char **resp, size_t *rlen, char *err,
			  size_t errsz)
{
	return provider_request(p->secret, p->timeout_ms, method, url, body, strlen(body),
				      status, resp, rlen, err, errsz);
}

void notify_webhook_send(const struct notify_provider *p, const struct notify_msg *m,
			 struct notify_outcome *out)
{
	char err[256];
	char *body;
	char *resp = NULL;
	size_t rlen = 0;
	long status = 0;
	int rc;

	body = notify_webhook_body(m, err, sizeof(err));
	if (body == NULL) {
		notify_outcome(out, NOTIFY_PERMANENT, NULL, "%s", err);
		return;
	}
	rc = signed_request(p, "POST", p->endpoint, body, &status, &resp, &rlen, err, sizeof(err));
	if (rc != HTTP_OK)
		notify_transport_outcome(rc, err, out);
	else
		notify_webhook_parse_send(status, resp, rlen, out);
	free(resp);
	free(body);
}

void notify_webhook_query(const struct notify_provider *p, const struct notify_msg *m,
			  struct notify_outcome *out)
{
	char url[URL_MAX];
	char err[256];
	char *resp = NULL;
	size_t rlen = 0, n = 0;
	long status = 0;
	int rc;

	if (notify_appendf(url, sizeof(url), &n, "%s%cidempotency_key=", p->endpoint,
			   strchr(p->endpoint, '?') != NULL ? '&' : '?') != 0 ||
	    notify_pct_append(url, sizeof(url), &n, m->idem_key) != 0) {
		notify_outcome(out, NOTIFY_UNKNOWN, NULL, "query URL too long");
		return;
	}
	rc = signed_request(p, "GET", url, "", &status, &resp, &rlen, err, sizeof(err));
	if (rc != HTTP_OK)
		notify_outcome(out, NOTIFY_UNKNOWN, NULL, "query: %s", err);
	else
		notify_webhook_parse_query(status, resp, rlen, out);
	free(resp);
}
