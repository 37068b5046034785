/* notify_alibaba: Alibaba Cloud SMS (dysmsapi 2017-05-25) SendSms and QuerySendDetails. */
#include "ext/notify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "crypto/crypto.h"
#include "base/errbuf.h"
#include "ext/http.h"

/*
 * RPC style, signature version 1.0: every parameter goes in the query string of a GET; the
 * parameters but Signature are sorted by name, each name and value percent-encoded (RFC 3986),
 * joined as a=b&c=d; StringToSign = "GET&%2F&" + percentEncode(that); Signature =
 * base64(HMAC-SHA1(AccessKeySecret + "&", StringToSign)).
 *
 * OutId carries the idempotency key. Alibaba does not deduplicate on it, but it comes back in
 * QuerySendDetails, which is how an UNKNOWN send is resolved.
 */

#define API_VERSION "2017-05-25"
/* dysmsapi has one region for the API itself, whatever [sms] region says (Tencent's key). */
#define API_REGION "cn-hangzhou"
#define MAX_PARAMS 24
#define QUERY_MAX 8192
#define URL_MAX (QUERY_MAX + 512)
#define PAGE_SIZE 50
#define SIG_B64_SIZE 29 /* base64 of a 20-byte SHA-1 MAC, NUL included */

/*
 * Error codes. PERMANENT when sending the same message again cannot succeed without someone
 * changing the number, the template, the signature or the keys; RETRY when it is about time
 * or money. An unlisted code retries: the outbox caps attempts, and a new code should not
 * silently drop messages on its first appearance.
 */
static const struct notify_code_rule send_rules[] = {
	{ "isv.MOBILE_NUMBER_ILLEGAL", NOTIFY_PERMANENT },
	{ "isv.MOBILE_COUNT_OVER_LIMIT", NOTIFY_PERMANENT },
	{ "isv.TEMPLATE_MISSING_PARAMETERS", NOTIFY_PERMANENT },
	{ "isv.TEMPLATE_PARAMS_ILLEGAL", NOTIFY_PERMANENT },
	{ "isv.SMS_TEMPLATE_ILLEGAL", NOTIFY_PERMANENT },
	{ "isv.SMS_SIGNATURE_ILLEGAL", NOTIFY_PERMANENT },
	{ "isv.SMS_SIGN_ILLEGAL", NOTIFY_PERMANENT },
	{ "isv.INVALID_PARAMETERS", NOTIFY_PERMANENT },
	{ "isv.INVALID_JSON_PARAM", NOTIFY_PERMANENT },
	{ "isv.PARAM_LENGTH_LIMIT", NOTIFY_PERMANENT },
	{ "isv.PARAM_NOT_SUPPORT_URL", NOTIFY_PERMANENT },
	{ "isv.DOMESTIC_NUMBER_NOT_SUPPORTED", NOTIFY_PERMANENT },
	{ "isv.PRODUCT_UN_SUBSCRIPT", NOTIFY_PERMANENT },
	{ "isv.PRODUCT_UNSUBSCRIBE", NOTIFY_PERMANENT },
	{ "isv.ACCOUNT_NOT_EXISTS", NOTIFY_PERMANENT },
	{ "InvalidAccessKeyId.*", NOTIFY_PERMANENT },
	{ "SignatureDoesNotMatch", NOTIFY_PERMANENT },
	{ "MissingParameter", NOTIFY_PERMANENT },
	{ "InvalidParameter*", NOTIFY_PERMANENT },
	{ "Forbidden*", NOTIFY_PERMANENT },
	/* The text holds a word the carrier blocks: the same text is blocked again. */
	{ "isv.BLACK_KEY_CONTROL_LIMIT", NOTIFY_PERMANENT },
	/* The account ran out of money (or was suspended for it). Retry: once finance tops it
	 * up, the queued messages go out by themselves, and the attempt cap bounds the wait;
	 * a PERMANENT here would make staff resend every message of the outage by hand. */
	{ "isv.AMOUNT_NOT_ENOUGH", NOTIFY_RETRY },
	{ "isv.OUT_OF_SERVICE", NOTIFY_RETRY },
	/* Per-number and per-day flow control, throttling, clock skew, server trouble. */
	{ "isv.BUSINESS_LIMIT_CONTROL", NOTIFY_RETRY },
	{ "isv.DAY_LIMIT_CONTROL", NOTIFY_RETRY },
	{ "Throttling*", NOTIFY_RETRY },
	{ "SignatureNonceUsed", NOTIFY_RETRY },
	{ "InvalidTimeStamp.*", NOTIFY_RETRY },
	{ "isp.*", NOTIFY_RETRY },
	{ "InternalError", NOTIFY_RETRY },
	{ "ServiceUnavailable", NOTIFY_RETRY },
	{ NULL, NOTIFY_RETRY },
};

struct kv {
	const char *k;
	const char *v;
};

static int kv_cmp(const void *a, const void *b)
{
	return strcmp(((const struct kv *)a)->k, ((const struct kv *)b)->k);
}

/* The sorted, encoded a=b&c=d of kv into out. Returns 0 or -1. */
static int canonical_query(const char *const *kv, char *out, size_t outsz)
{
	struct kv pairs[MAX_PARAMS];
	size_t n = 0;
	size_t len = 0;
	size_t i;

	for (i = 0; kv[i] != NULL; i += 2) {
		if (kv[i + 1] == NULL || n == MAX_PARAMS)
			return -1;
		pairs[n].k = kv[i];
		pairs[n].v = kv[i + 1];
		n++;
	}
	qsort(pairs, n, sizeof(pairs[0]), kv_cmp);
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		if ((i > 0 && notify_appendf(out, outsz, &len, "&") != 0) ||
		    notify_pct_append(out, outsz, &len, pairs[i].k) != 0 ||
		    notify_appendf(out, outsz, &len, "=") != 0 ||
		    notify_pct_append(out, outsz, &len, pairs[i].v) != 0)
			return -1;
	}
	return 0;
}

int notify_alibaba_string_to_sign(const char *method, const char *const *kv, char *out,
				  size_t outsz)
{
	char query[QUERY_MAX];
	size_t len = 0;

	if (method == NULL || kv == NULL || out == NULL || canonical_query(kv, query, sizeof(query)))
		return -1;
	if (notify_appendf(out, outsz, &len, "%s&", method) != 0 ||
	    notify_pct_append(out, outsz, &len, "/") != 0 ||
	    notify_appendf(out, outsz, &len, "&") != 0 ||
	    notify_pct_append(out, outsz, &len, query) != 0)
		return -1;
	return 0;
}

int notify_alibaba_sign(const char *secret, const char *method, const char *const *kv,
			char *out_b64, size_t outsz)
{
	char sts[3 * QUERY_MAX];
	char key[512];
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	int n;
	int ret = -1;

	if (secret == NULL || out_b64 == NULL || outsz < SIG_B64_SIZE)
		goto out;
	if (notify_alibaba_string_to_sign(method, kv, sts, sizeof(sts)) != 0)
		goto out;
	n = snprintf(key, sizeof(key), "%s&", secret);
	if (n < 0 || (size_t)n >= sizeof(key))
		goto out;
	if (HMAC(EVP_sha1(), key, n, (const unsigned char *)sts, strlen(sts), md, &mdlen) == NULL)
		goto out;
	EVP_EncodeBlock((unsigned char *)out_b64, md, (int)mdlen);
	ret = 0;
out:
	OPENSSL_cleanse(key, sizeof(key));
	return ret;
}

/* The signed URL of one call: endpoint ? canonical query & Signature=... */
static int signed_url(const struct notify_provider *p, const char *const *kv, char *out,
		      size_t outsz)
{
	char query[QUERY_MAX];
	char sig[128];
	size_t len = 0;

	if (canonical_query(kv, query, sizeof(query)) != 0 ||
	    notify_alibaba_sign(p->secret, "GET", kv, sig, sizeof(sig)) != 0)
		return -1;
	if (notify_appendf(out, outsz, &len, "%s%c%s&Signature=", p->endpoint,
			   strchr(p->endpoint, '?') != NULL ? '&' : '?', query) != 0 ||
	    notify_pct_append(out, outsz, &len, sig) != 0)
		return -1;
	return 0;
}

static void utc_stamp(time_t now, char out[32])
{
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int notify_alibaba_send_url(const struct notify_provider *p, const struct notify_msg *m,
			    time_t now, const char *nonce, char *out, size_t outsz, char *err,
			    size_t errsz)
{
	char stamp[32];
	char *params = NULL;
	int ret = -1;

	if (m->template_id == NULL || m->template_id[0] == '\0') {
		errbuf_set(err, errsz, "no template code");
		goto out;
	}
	/* Alibaba fills named ${name} slots from a JSON object of strings, as the outbox has it. */
	if (m->params != NULL && json_object_size(m->params) > 0) {
		params = json_dumps(m->params, JSON_COMPACT | JSON_SORT_KEYS);
		if (params == NULL) {
			errbuf_set(err, errsz, "template parameters cannot be encoded");
			goto out;
		}
	}
	utc_stamp(now, stamp);
	{
		const char *kv[] = {
			"AccessKeyId", p->key_id,
			"Action", "SendSms",
			"Format", "JSON",
			"OutId", m->idem_key,
			"PhoneNumbers", m->to,
			"RegionId", API_REGION,
			"SignName", p->sign_name,
			"SignatureMethod", "HMAC-SHA1",
			"SignatureNonce", nonce,
			"SignatureVersion", "1.0",
			"TemplateCode", m->template_id,
			"Timestamp", stamp,
			"Version", API_VERSION,
			params != NULL ? "TemplateParam" : NULL, params,
			NULL,
		};

		if (signed_url(p, kv, out, outsz) != 0) {
			errbuf_set(err, errsz, "request too large to sign");
			goto out;
		}
	}
	ret = 0;
out:
	free(params);
	return ret;
}

static int valid_date(const char *d)
{
	size_t i;

	if (d == NULL || strlen(d) != 8)
		return 0;
	for (i = 0; i < 8; i++)
		if (d[i] < '0' || d[i] > '9')
			return 0;
	return 1;
}

int notify_alibaba_query_url(const struct notify_provider *p, const struct notify_msg *m,
			     time_t now, const char *nonce, char *out, size_t outsz, char *err,
			     size_t errsz)
{
	char stamp[32];
	char page_size[8];

	if (!valid_date(m->sent_date))
		return errbuf_set(err, errsz, "no valid sent_date (YYYYMMDD) to query by");
	utc_stamp(now, stamp);
	snprintf(page_size, sizeof(page_size), "%d", PAGE_SIZE);
	{
		const char *kv[] = {
			"AccessKeyId", p->key_id,
			"Action", "QuerySendDetails",
			"CurrentPage", "1",
			"Format", "JSON",
			"PageSize", page_size,
			"PhoneNumber", m->to,
			"RegionId", API_REGION,
			"SendDate", m->sent_date,
			"SignatureMethod", "HMAC-SHA1",
			"SignatureNonce", nonce,
			"SignatureVersion", "1.0",
			"Timestamp", stamp,
			"Version", API_VERSION,
			NULL,
		};

		if (signed_url(p, kv, out, outsz) != 0)
			return errbuf_set(err, errsz, "request too large to sign");
	}
	return 0;
}

static const char *jstr(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s != NULL ? s : "";
}

void notify_alibaba_parse_send(long status, const char *body, size_t len,
			       struct notify_outcome *out)
{
	json_t *root = NULL;
	const char *code;

	if (status >= 500) {
		notify_outcome(out, NOTIFY_RETRY, NULL, "HTTP %ld from the provider", status);
		goto out;
	}
	root = body != NULL ? json_loadb(body, len, 0, NULL) : NULL;
	code = json_string_value(json_object_get(root, "Code"));
	if (code == NULL) {
		/* A 2xx we cannot read may still be a message taken; anything else was not. */
		notify_outcome(out, status >= 200 && status < 300 ? NOTIFY_UNKNOWN : NOTIFY_RETRY,
			       NULL, "HTTP %ld without a readable Code", status);
		goto out;
	}
	if (strcmp(code, "OK") == 0) {
		notify_outcome(out, NOTIFY_SENT, jstr(root, "BizId"), NULL);
		goto out;
	}
	notify_outcome(out, notify_code_result(send_rules, code, NOTIFY_RETRY), NULL, "%s: %s",
		       code, jstr(root, "Message"));
out:
	json_decref(root);
}

static long jcount(json_t *v)
{
	if (json_is_integer(v))
		return (long)json_integer_value(v);
	if (json_is_string(v))
		return strtol(json_string_value(v), NULL, 10);
	return 0;
}

void notify_alibaba_parse_query(long status, const char *body, size_t len, const char *idem_key,
				struct notify_outcome *out)
{
	json_t *root = NULL;
	json_t *list;
	json_t *d;
	const char *code;
	size_t i;

	root = body != NULL ? json_loadb(body, len, 0, NULL) : NULL;
	code = json_string_value(json_object_get(root, "Code"));
	if (status != 200 || code == NULL || strcmp(code, "OK") != 0) {
		notify_outcome(out, NOTIFY_UNKNOWN, NULL, "query failed: HTTP %ld %s: %s", status,
			       code != NULL ? code : "", jstr(root, "Message"));
		goto out;
	}
	list = json_object_get(json_object_get(root, "SmsSendDetailDTOs"), "SmsSendDetailDTO");
	json_array_foreach(list, i, d) {
		if (idem_key != NULL && strcmp(jstr(d, "OutId"), idem_key) == 0) {
			/* Taken by the provider, whatever its delivery status: the contract's SENT. */
			notify_outcome(out, NOTIFY_SENT, NULL, NULL);
			goto out;
		}
	}
	if (jcount(json_object_get(root, "TotalCount")) > (long)json_array_size(list)) {
		notify_outcome(out, NOTIFY_UNKNOWN, NULL,
			       "more than %d messages to this number that day; not paged", PAGE_SIZE);
		goto out;
	}
	/* The query itself succeeded and listed every message of the day: ours is not there. */
	notify_outcome(out, NOTIFY_NOT_FOUND, NULL, NULL);
out:
	json_decref(root);
}

/* Signs and sends one call (SendSms, or QuerySendDetails when query) and reads its answer. */
static void call(const struct notify_provider *p, const struct notify_msg *m, int query,
		 struct notify_outcome *out)
{
	char url[URL_MAX];
	char nonce[33];
	char err[256];
	char *resp = NULL;
	size_t rlen = 0;
	long status = 0;
	int rc;

	if (crypto_token_hex(nonce, sizeof(nonce), 16) != 0) {
		notify_outcome(out, NOTIFY_RETRY, NULL, "no randomness for the nonce");
		return;
	}
	rc = query ? notify_alibaba_query_url(p, m, time(NULL), nonce, url, sizeof(url), err,
					      sizeof(err))
		   : notify_alibaba_send_url(p, m, time(NULL), nonce, url, sizeof(url), err,
					     sizeof(err));
	if (rc != 0) {
		notify_outcome(out, query ? NOTIFY_UNKNOWN : NOTIFY_PERMANENT, NULL, "%s", err);
		return;
	}
	rc = http_request("GET", url, NULL, NULL, 0, p->timeout_ms, &status, &resp, &rlen, err,
			  sizeof(err));
	if (rc != HTTP_OK)
		notify_transport_outcome(rc, err, out);
	else if (query)
		notify_alibaba_parse_query(status, resp, rlen, m->idem_key, out);
	else
		notify_alibaba_parse_send(status, resp, rlen, out);
	free(resp);
}

void notify_alibaba_send(const struct notify_provider *p, const struct notify_msg *m,
			 struct notify_outcome *out)
{
	call(p, m, 0, out);
}

void notify_alibaba_query(const struct notify_provider *p, const struct notify_msg *m,
			  struct notify_outcome *out)
{
	call(p, m, 1, out);
}
