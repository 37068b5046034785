/* pay: the payment provider's client: pay numbers, create, query, close, and its notifications. */
#include "ext/pay.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "ext/provider.h"
#include "base/valid.h"

#define AMOUNT_MAX 100000000000LL /* one billion yuan: beyond any fee */

static const char alnum36[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

int pay_no_make(char out[PAY_NO_LEN + 1])
{
	unsigned char buf[64];
	size_t n = 0;

	/* 252 = 7 * 36: bytes at or above it are thrown away, so every character is equally
	 * likely; 64 bytes hold 24 usable ones with overwhelming probability. */
	while (n < PAY_NO_LEN) {
		if (crypto_random(buf, sizeof(buf)) < 0)
			return -1;
		for (size_t i = 0; i < sizeof(buf) && n < PAY_NO_LEN; i++)
			if (buf[i] < 252)
				out[n++] = alnum36[buf[i] % 36];
	}
	out[PAY_NO_LEN] = '\0';
	return 0;
}

bool pay_no_valid(const char *s)
{
	return s && strlen(s) == PAY_NO_LEN && strspn(s, alnum36) == PAY_NO_LEN;
}

bool pay_ref_valid(const char *s, size_t max)
{
	static const char ok[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.:-";
	size_t n = s ? strlen(s) : 0;

	return n > 0 && n <= max && strspn(s, ok) == n;
}

const char *const pay_methods[][2] = {
	{ "wechat", "微信支付" },
	{ "alipay", "支付宝支付" },
	{ "transfer", "对公转账" },
	{ "counter", "现场缴费" },
	{ NULL, NULL },
};

const char *pay_method_name(const char *method)
{
	for (size_t i = 0; method && pay_methods[i][0]; i++)
		if (strcmp(method, pay_methods[i][0]) == 0)
			return pay_methods[i][1];
	return NULL;
}

bool pay_method_qr(const char *method)
{
	return method && (strcmp(method, "wechat") == 0 || strcmp(method, "alipay") == 0);
}

/* A URL the portal may draw or link: printable ASCII without quotes or angle brackets, with
 * one of the schemes allowed (NULL-terminated). */
static bool url_valid(const char *s, const char *const *schemes)
{
	size_t n = s ? strlen(s) : 0;
	bool scheme = false;

	if (n == 0 || n > PAY_QR_MAX)
		return false;
	for (size_t i = 0; schemes[i]; i++)
		scheme = scheme || strncmp(s, schemes[i], strlen(schemes[i])) == 0;
	if (!scheme)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] > '~' || s[i] == '"' || s[i] == '\'' || s[i] == '<' ||
		    s[i] == '>' || s[i] == '\\')
			return false;
	return true;
}

/* A QR payload: a wallet scheme or https. */
static bool qr_url_valid(const char *s)
{
	static const char *const schemes[] = { "weixin://", "https://", NULL };

	return url_valid(s, schemes);
}

/* An H5 page the phone's browser opens: http only for a provider in the dev sandbox. */
static bool h5_url_valid(const char *s)
{
	static const char *const schemes[] = { "https://", "http://", NULL };

	return url_valid(s, schemes);
}

static bool amount_ok(json_t *v, long long *out)
{
	json_int_t n;

	if (!json_is_integer(v))
		return false;
	n = json_integer_value(v);
	if (n < 0 || n > AMOUNT_MAX)
		return false;
	*out = (long long)n;
	return true;
}

static struct provider provider_of(const struct conf *c)
{
	return (struct provider){ .name = "pay", .endpoint = c->pay_endpoint,
				  .secret = c->pay_secret, .timeout_ms = c->pay_timeout_ms };
}

/* Reads an order as the provider describes it; create answers carry qr_url (and h5_url when
 * h5), the others an amount. Returns PAY_OK or PAY_UNAVAILABLE. */
static int read_state(json_t *j, bool create, bool h5, struct pay_state *out, char *err,
		      size_t errsz)
{
	const char *state = json_string_value(json_object_get(j, "state"));
	const char *ref = json_string_value(json_object_get(j, "provider_ref"));

	memset(out, 0, sizeof(*out));
	if (!state || (strcmp(state, "pending") != 0 && strcmp(state, "paid") != 0 &&
		       strcmp(state, "closed") != 0) || (create && strcmp(state, "pending") != 0)) {
		snprintf(err, errsz, "pay: answer without a valid state");
		return PAY_UNAVAILABLE;
	}
	if (!pay_ref_valid(ref, PAY_REF_MAX)) {
		snprintf(err, errsz, "pay: answer without a valid provider_ref");
		return PAY_UNAVAILABLE;
	}
	snprintf(out->state, sizeof(out->state), "%s", state);
	snprintf(out->provider_ref, sizeof(out->provider_ref), "%s", ref);
	if (create) {
		const char *qr = json_string_value(json_object_get(j, "qr_url"));

		if (!qr_url_valid(qr)) {
			snprintf(err, errsz, "pay: answer without a valid qr_url");
			return PAY_UNAVAILABLE;
		}
		snprintf(out->qr_url, sizeof(out->qr_url), "%s", qr);
		if (h5) {
			const char *page = json_string_value(json_object_get(j, "h5_url"));

			if (!h5_url_valid(page)) {
				snprintf(err, errsz, "pay: H5 answer without a valid h5_url");
				return PAY_UNAVAILABLE;
			}
			snprintf(out->h5_url, sizeof(out->h5_url), "%s", page);
		}
	} else if (!amount_ok(json_object_get(j, "amount_fen"), &out->amount_fen)) {
		snprintf(err, errsz, "pay: answer without a valid amount_fen");
		return PAY_UNAVAILABLE;
	}
	return PAY_OK;
}

static int call(const struct conf *c, const char *method, const char *path, json_t *body,
		bool create, bool h5, struct pay_state *out, char *err, size_t errsz)
{
	struct provider p = provider_of(c);
	json_t *answer = NULL;
	long status = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (provider_call(&p, method, path, body, &status, &answer, err, errsz) != 0)
		return PAY_UNAVAILABLE;
	if (status == 404 && !create) {
		rc = PAY_NOT_FOUND;
	} else if (status != 200 || !answer) {
		snprintf(err, errsz, "pay: %s %s: HTTP %ld", method, path, status);
		rc = PAY_UNAVAILABLE;
	} else {
		rc = read_state(answer, create, h5, out, err, errsz);
	}
	json_decref(answer);
	return rc;
}

int pay_create(const struct conf *c, const char *pay_no, long long amount_fen,
	       const char *method, const char *subject, const char *h5_return,
	       struct pay_state *out, char *err, size_t errsz)
{
	json_t *body;
	int rc;

	if (!pay_no_valid(pay_no) || !pay_method_qr(method)) {
		snprintf(err, errsz, "pay: bad pay_no or method");
		return PAY_UNAVAILABLE;
	}
	body = json_pack("{s:s, s:I, s:s, s:s, s:s}", "pay_no", pay_no, "amount_fen",
			 (json_int_t)amount_fen, "method", method, "subject", subject, "notify_url",
			 c->pay_notify_url);
	if (!body) {
		snprintf(err, errsz, "pay: cannot build the request");
		return PAY_UNAVAILABLE;
	}
	if (h5_return && (json_object_set_new(body, "scene", json_string("h5")) < 0 ||
			  json_object_set_new(body, "return_url", json_string(h5_return)) < 0)) {
		json_decref(body);
		snprintf(err, errsz, "pay: cannot build the request");
		return PAY_UNAVAILABLE;
	}
	rc = call(c, "POST", "/orders", body, true, h5_return != NULL, out, err, errsz);
	json_decref(body);
	return rc;
}

int pay_query(const struct conf *c, const char *pay_no, struct pay_state *out, char *err,
	      size_t errsz)
{
	char path[64];

	if (!pay_no_valid(pay_no)) {
		snprintf(err, errsz, "pay: bad pay_no");
		return PAY_UNAVAILABLE;
	}
	snprintf(path, sizeof(path), "/orders/%s", pay_no);
	return call(c, "GET", path, NULL, false, false, out, err, errsz);
}

int pay_close(const struct conf *c, const char *pay_no, struct pay_state *out, char *err,
	      size_t errsz)
{
	char path[64];
	json_t *body = json_object();
	int rc;

	if (!pay_no_valid(pay_no) || !body) {
		json_decref(body);
		snprintf(err, errsz, "pay: bad pay_no");
		return PAY_UNAVAILABLE;
	}
	snprintf(path, sizeof(path), "/orders/%s/close", pay_no);
	rc = call(c, "POST", path, body, false, false, out, err, errsz);
	json_decref(body);
	return rc;
}

/* A string member without an embedded NUL (which would cut it short in C), or NULL. */
static const char *str_member(json_t *obj, const char *name)
{
	json_t *v = json_object_get(obj, name);
	const char *s = json_string_value(v);

	return s && strlen(s) == json_string_length(v) ? s : NULL;
}

int pay_notice_parse(json_t *body, struct pay_notice *n, const char **field)
{
	json_t *at;

	memset(n, 0, sizeof(*n));
	*field = NULL;
	if (!json_is_object(body))
		return -1;
	n->event_id = str_member(body, "event_id");
	n->pay_no = str_member(body, "pay_no");
	n->provider_ref = str_member(body, "provider_ref");
	n->kind = str_member(body, "kind");
	at = json_object_get(body, "at");
	n->at = str_member(body, "at");
	if (!pay_ref_valid(n->event_id, PAY_EVENT_MAX))
		*field = "event_id";
	else if (!pay_no_valid(n->pay_no))
		*field = "pay_no";
	else if (!pay_ref_valid(n->provider_ref, PAY_REF_MAX))
		*field = "provider_ref";
	else if (!n->kind || (strcmp(n->kind, "paid") != 0 && strcmp(n->kind, "closed") != 0))
		*field = "kind";
	else if (!amount_ok(json_object_get(body, "amount_fen"), &n->amount_fen))
		*field = "amount_fen";
	else if (at && (!n->at || !valid_text(n->at, strlen(n->at), 40)))
		*field = "at";
	return *field ? -1 : 0;
}
