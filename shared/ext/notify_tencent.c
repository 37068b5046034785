/* notify_tencent: Tencent Cloud SMS (API 3.0, 2021-01-11) SendSms and its delivery-report query. */
#include "ext/notify.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/crypto.h"
#include "base/errbuf.h"
#include "ext/http.h"

/*
 * A POST of a JSON body to https://sms.tencentcloudapi.com/ signed with TC3-HMAC-SHA256:
 *   CanonicalRequest = "POST\n/\n\n" "content-type:<ct>\nhost:<host>\n" "\n"
 *                      "content-type;host\n" hex(SHA256(body))
 *   StringToSign     = "TC3-HMAC-SHA256\n" timestamp "\n" date "/sms/tc3_request\n"
 *                      hex(SHA256(CanonicalRequest))
 *   key              = HMAC(HMAC(HMAC("TC3" SecretKey, date), "sms"), "tc3_request")
 *   Signature        = hex(HMAC(key, StringToSign))
 * with date the UTC date of the timestamp (not local: a UTC+8 host signs the wrong day
 * between 00:00 and 08:00 otherwise).
 *
 * Template parameters. Tencent templates have numbered slots {1}, {2}, ... filled from
 * TemplateParamSet, an array of strings in slot order. The outbox stores a message's params
 * as a JSON object in that order; when every key is a number ("1", "2", ...) the values are
 * ordered by that number, otherwise they are taken in the object's stored order.
 *
 * Query. SessionContext carries the idempotency key and comes back in delivery reports
 * (PullSmsSendStatusByPhoneNumber). A report exists only once the carrier has answered, so a
 * key found means SENT, and a key not found proves nothing: the query never says NOT_FOUND,
 * and an UNKNOWN Tencent send stays UNKNOWN until a report shows up or staff decide.
 * (No SerialNo is kept for an UNKNOWN send, so there is nothing better to ask by.)
 */

#define API_VERSION "2021-01-11"
#define SERVICE "sms"
#define CONTENT_TYPE "application/json; charset=utf-8"
#define MAX_PARAMS 32
#define QUERY_LIMIT 100

static const struct notify_code_rule send_rules[] = {
	/* The host clock is off by over 5 minutes: fixable without touching the message. */
	{ "AuthFailure.SignatureExpire", NOTIFY_RETRY },
	{ "AuthFailure*", NOTIFY_PERMANENT },
	{ "FailedOperation.PhoneNumberInBlacklist", NOTIFY_PERMANENT },
	{ "FailedOperation.PhoneNumberParseFail", NOTIFY_PERMANENT },
	{ "FailedOperation.TemplateIncorrectOrUnapproved", NOTIFY_PERMANENT },
	{ "FailedOperation.TemplateParamSetNotMatchApprovedTemplate", NOTIFY_PERMANENT },
	{ "FailedOperation.TemplateUnapprovedOrNotExist", NOTIFY_PERMANENT },
	{ "FailedOperation.SignatureIncorrectOrUnapproved", NOTIFY_PERMANENT },
	{ "FailedOperation.ContainSensitiveWord", NOTIFY_PERMANENT },
	{ "FailedOperation.JsonParseFail", NOTIFY_PERMANENT },
	{ "FailedOperation.FailResolvePacket", NOTIFY_PERMANENT },
	/* Out of money: retry, as for Alibaba's isv.AMOUNT_NOT_ENOUGH (queued messages go out
	 * once the package is topped up; the attempt cap bounds the wait). */
	{ "FailedOperation.InsufficientBalanceInSmsPackage", NOTIFY_RETRY },
	{ "FailedOperation.MarketingSendTimeConstraint", NOTIFY_RETRY },
	{ "InvalidParameter*", NOTIFY_PERMANENT }, /* ...Value.IncorrectPhoneNumber among them */
	{ "MissingParameter*", NOTIFY_PERMANENT },
	{ "UnauthorizedOperation*", NOTIFY_PERMANENT },
	{ "UnsupportedOperation*", NOTIFY_PERMANENT },
	{ "LimitExceeded*", NOTIFY_RETRY },
	{ "RequestLimitExceeded*", NOTIFY_RETRY },
	{ "InternalError*", NOTIFY_RETRY },
	{ "ResourceUnavailable*", NOTIFY_RETRY },
	{ NULL, NOTIFY_RETRY }, /* unlisted: retry under the outbox's attempt cap */
};

static void lower_copy(char *dst, size_t dstsz, const char *src)
{
	size_t i;

	for (i = 0; i + 1 < dstsz && src[i] != '\0'; i++)
		dst[i] = (char)tolower((unsigned char)src[i]);
	if (dstsz > 0)
		dst[i] = '\0';
}

int notify_tencent_sign(const char *secret_key, const char *service, const char *host,
			const char *content_type, time_t timestamp, const char *payload,
			size_t len, struct notify_tc3 *sig)
{
	char ct[128];
	char hostl[256];
	char key[300];
	unsigned char k1[CRYPTO_SHA256_LEN], k2[CRYPTO_SHA256_LEN], k3[CRYPTO_SHA256_LEN];
	unsigned char mac[CRYPTO_SHA256_LEN];
	struct tm tm;
	size_t n = 0;
	int klen;
	int ret = -1;

	if (secret_key == NULL || service == NULL || host == NULL || content_type == NULL ||
	    sig == NULL || (payload == NULL && len > 0))
		return -1;
	memset(sig, 0, sizeof(*sig));
	if (gmtime_r(&timestamp, &tm) == NULL ||
	    strftime(sig->date, sizeof(sig->date), "%Y-%m-%d", &tm) == 0)
		goto out;
	lower_copy(ct, sizeof(ct), content_type);
	lower_copy(hostl, sizeof(hostl), host);
	crypto_sha256_hex(payload, len, sig->payload_hash);
	if (notify_appendf(sig->canonical_request, sizeof(sig->canonical_request), &n,
			   "POST\n/\n\ncontent-type:%s\nhost:%s\n\ncontent-type;host\n%s", ct, hostl,
			   sig->payload_hash) != 0)
		goto out;
	crypto_sha256_hex(sig->canonical_request, n, sig->canonical_hash);
	n = 0;
	if (notify_appendf(sig->string_to_sign, sizeof(sig->string_to_sign), &n,
			   "TC3-HMAC-SHA256\n%lld\n%s/%s/tc3_request\n%s", (long long)timestamp,
			   sig->date, service, sig->canonical_hash) != 0)
		goto out;
	klen = snprintf(key, sizeof(key), "TC3%s", secret_key);
	if (klen < 0 || (size_t)klen >= sizeof(key))
		goto out;
	crypto_hmac_sha256(key, (size_t)klen, sig->date, strlen(sig->date), k1);
	crypto_hmac_sha256(k1, sizeof(k1), service, strlen(service), k2);
	crypto_hmac_sha256(k2, sizeof(k2), "tc3_request", strlen("tc3_request"), k3);
	crypto_hmac_sha256(k3, sizeof(k3), sig->string_to_sign, n, mac);
	crypto_hex(mac, sizeof(mac), sig->signature);
	ret = 0;
out:
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(k1, sizeof(k1));
	OPENSSL_cleanse(k2, sizeof(k2));
	OPENSSL_cleanse(k3, sizeof(k3));
	return ret;
}

int notify_tencent_authorization(const char *secret_id, const char *service,
				 const struct notify_tc3 *sig, char *out, size_t outsz)
{
	size_t n = 0;

	return notify_appendf(out, outsz, &n,
			      "TC3-HMAC-SHA256 Credential=%s/%s/%s/tc3_request, "
			      "SignedHeaders=content-type;host, Signature=%s",
			      secret_id, sig->date, service, sig->signature);
}

/* E.164: a mainland mobile gets +86; a number already in E.164 stays as it is. */
static int e164(const char *to, char *out, size_t outsz)
{
	int n = snprintf(out, outsz, "%s%s", to[0] == '+' ? "" : "+86", to);

	return n > 0 && (size_t)n < outsz ? 0 : -1;
}

/* Whether s is a decimal number 1..99999 (a template slot); its value in *v. */
static int slot_number(const char *s, long *v)
{
	char *end;

	if (s[0] < '1' || s[0] > '9')
		return 0;
	*v = strtol(s, &end, 10);
	return *end == '\0' && *v > 0 && *v < 100000;
}

struct slot {
	long n;
	size_t pos;
	json_t *value;
};

static int slot_cmp(const void *a, const void *b)
{
	const struct slot *x = a, *y = b;

	if (x->n != y->n)
		return x->n < y->n ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* TemplateParamSet: the values of params, by slot number when every key is one. */
static json_t *param_set(json_t *params, char *err, size_t errsz)
{
	struct slot slots[MAX_PARAMS];
	const char *k;
	json_t *v;
	json_t *arr = NULL;
	size_t n = 0;
	size_t i;
	int numbered = 1;

	json_object_foreach(params, k, v) {
		if (n == MAX_PARAMS) {
			errbuf_set(err, errsz, "too many template parameters");
			return NULL;
		}
		if (!json_is_string(v)) {
			errbuf_set(err, errsz, "a template parameter is not a string");
			return NULL;
		}
		if (!slot_number(k, &slots[n].n))
			numbered = 0;
		slots[n].pos = n;
		slots[n].value = v;
		n++;
	}
	if (numbered)
		qsort(slots, n, sizeof(slots[0]), slot_cmp);
	arr = json_array();
	for (i = 0; arr != NULL && i < n; i++) {
		if (json_array_append(arr, slots[i].value) != 0) {
			json_decref(arr);
			arr = NULL;
		}
	}
	if (arr == NULL)
		errbuf_set(err, errsz, "out of memory");
	return arr;
}

char *notify_tencent_send_body(const struct notify_provider *p, const struct notify_msg *m,
			       char *err, size_t errsz)
{
	char phone[32];
	json_t *root = NULL;
	json_t *set = NULL;
	char *s = NULL;

	if (m->template_id == NULL || m->template_id[0] == '\0') {
		errbuf_set(err, errsz, "no template id");
		goto out;
	}
	if (e164(m->to, phone, sizeof(phone)) != 0) {
		errbuf_set(err, errsz, "recipient is not a phone number");
		goto out;
	}
	if (m->params != NULL) {
		set = param_set(m->params, err, errsz);
		if (set == NULL)
			goto out;
	}
	root = json_pack("{s:[s], s:s, s:s, s:s, s:s}", "PhoneNumberSet", phone, "SmsSdkAppId",
			 p->app_id, "SignName", p->sign_name, "TemplateId", m->template_id,
			 "SessionContext", m->idem_key);
	if (root == NULL || (set != NULL && json_array_size(set) > 0 &&
			     json_object_set(root, "TemplateParamSet", set) != 0)) {
		errbuf_set(err, errsz, "out of memory");
		goto out;
	}
	s = json_dumps(root, JSON_COMPACT);
	if (s == NULL)
		errbuf_set(err, errsz, "out of memory");
out:
	json_decref(set);
	json_decref(root);
	return s;
}

char *notify_tencent_query_body(const struct notify_provider *p, const struct notify_msg *m,
				time_t now, char *err, size_t errsz)
{
	char phone[32];
	struct tm tm = { 0 };
	const char *d = m->sent_date;
	json_t *root;
	time_t begin, end;
	char *s;
	size_t i;

	if (d == NULL || strlen(d) != 8) {
		errbuf_set(err, errsz, "no valid sent_date (YYYYMMDD) to query by");
		return NULL;
	}
	for (i = 0; i < 8; i++) {
		if (d[i] < '0' || d[i] > '9') {
			errbuf_set(err, errsz, "no valid sent_date (YYYYMMDD) to query by");
			return NULL;
		}
	}
	if (e164(m->to, phone, sizeof(phone)) != 0) {
		errbuf_set(err, errsz, "recipient is not a phone number");
		return NULL;
	}
	tm.tm_year = (d[0] - '0') * 1000 + (d[1] - '0') * 100 + (d[2] - '0') * 10 + (d[3] - '0') -
		     1900;
	tm.tm_mon = (d[4] - '0') * 10 + (d[5] - '0') - 1;
	tm.tm_mday = (d[6] - '0') * 10 + (d[7] - '0');
	/* The date may be Beijing's or UTC's: a day either side covers both, and reports come
	 * in after the send, so two days after. */
	begin = timegm(&tm) - 86400;
	end = begin + 4 * 86400;
	if (end > now)
		end = now;
	root = json_pack("{s:I, s:I, s:i, s:i, s:s, s:s}", "BeginTime", (json_int_t)begin,
			 "EndTime", (json_int_t)end, "Offset", 0, "Limit", QUERY_LIMIT,
			 "PhoneNumber", phone, "SmsSdkAppId", p->app_id);
	s = root != NULL ? json_dumps(root, JSON_COMPACT) : NULL;
	json_decref(root);
	if (s == NULL)
		errbuf_set(err, errsz, "out of memory");
	return s;
}

static const char *jstr(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s != NULL ? s : "";
}

void notify_tencent_parse_send(long status, const char *body, size_t len,
			       struct notify_outcome *out)
{
	json_t *root = NULL;
	json_t *resp, *e, *first;
	const char *code;
	int ok2xx = status >= 200 && status < 300;

	if (status >= 500) {
		notify_outcome(out, NOTIFY_RETRY, NULL, "HTTP %ld from the provider", status);
		goto out;
	}
	root = body != NULL ? json_loadb(body, len, 0, NULL) : NULL;
	resp = json_object_get(root, "Response");
	e = json_object_get(resp, "Error");
	if (e != NULL) {
		code = jstr(e, "Code");
		notify_outcome(out, notify_code_result(send_rules, code, NOTIFY_RETRY), NULL,
			       "%s: %s", code, jstr(e, "Message"));
		goto out;
	}
	first = json_array_get(json_object_get(resp, "SendStatusSet"), 0);
	code = json_string_value(json_object_get(first, "Code"));
	if (code == NULL) {
		notify_outcome(out, ok2xx ? NOTIFY_UNKNOWN : NOTIFY_RETRY, NULL,
			       "HTTP %ld without a readable SendStatusSet", status);
		goto out;
	}
	if (strcmp(code, "Ok") == 0) {
		notify_outcome(out, NOTIFY_SENT, jstr(first, "SerialNo"), NULL);
		goto out;
	}
	notify_outcome(out, notify_code_result(send_rules, code, NOTIFY_RETRY), NULL, "%s: %s",
		       code, jstr(first, "Message"));
out:
	json_decref(root);
}

void notify_tencent_parse_query(long status, const char *body, size_t len, const char *idem_key,
				struct notify_outcome *out)
{
	json_t *root = NULL;
	json_t *resp, *e, *set, *r;
	size_t i;

	root = body != NULL ? json_loadb(body, len, 0, NULL) : NULL;
	resp = json_object_get(root, "Response");
	e = json_object_get(resp, "Error");
	set = json_object_get(resp, "PullSmsSendStatusSet");
	if (status != 200 || e != NULL || !json_is_array(set)) {
		notify_outcome(out, NOTIFY_UNKNOWN, NULL, "query failed: HTTP %ld %s: %s", status,
			       jstr(e, "Code"), jstr(e, "Message"));
		goto out;
	}
	json_array_foreach(set, i, r) {
		if (idem_key != NULL && strcmp(jstr(r, "SessionContext"), idem_key) == 0) {
			notify_outcome(out, NOTIFY_SENT, jstr(r, "SerialNo"), NULL);
			goto out;
		}
	}
	notify_outcome(out, NOTIFY_UNKNOWN, NULL,
		       "no delivery report carries this key (yet); Tencent cannot say \"not sent\"");
out:
	json_decref(root);
}

/* The host[:port] of an http(s) URL, lower-cased: what curl puts in Host and we sign. */
static int host_of(const char *url, char *out, size_t outsz)
{
	const char *h = strstr(url, "://");
	size_t n;

	if (h == NULL)
		return -1;
	h += 3;
	n = strcspn(h, "/?#");
	if (n == 0 || n >= outsz || memchr(h, '@', n) != NULL)
		return -1;
	memcpy(out, h, n);
	out[n] = '\0';
	lower_copy(out, outsz, out);
	return 0;
}

/* Signs and posts one call (SendSms, or PullSmsSendStatusByPhoneNumber when query). */
static void call(const struct notify_provider *p, const struct notify_msg *m, int query,
		 struct notify_outcome *out)
{
	struct notify_tc3 sig;
	char host[256];
	char auth[512];
	char h_auth[600], h_host[280], h_action[64], h_version[64], h_ts[64], h_region[64];
	const char *headers[8];
	char err[256];
	char *body;
	char *resp = NULL;
	size_t rlen = 0, nh = 0;
	long status = 0;
	time_t now = time(NULL);
	int rc;

	body = query ? notify_tencent_query_body(p, m, now, err, sizeof(err))
		     : notify_tencent_send_body(p, m, err, sizeof(err));
	if (body == NULL) {
		notify_outcome(out, query ? NOTIFY_UNKNOWN : NOTIFY_PERMANENT, NULL, "%s", err);
		return;
	}
	if (host_of(p->endpoint, host, sizeof(host)) != 0 ||
	    notify_tencent_sign(p->secret, SERVICE, host, CONTENT_TYPE, now, body, strlen(body),
				&sig) != 0 ||
	    notify_tencent_authorization(p->key_id, SERVICE, &sig, auth, sizeof(auth)) != 0) {
		notify_outcome(out, query ? NOTIFY_UNKNOWN : NOTIFY_PERMANENT, NULL,
			       "cannot sign for endpoint %s", p->endpoint);
		goto out;
	}
	snprintf(h_auth, sizeof(h_auth), "Authorization: %s", auth);
	snprintf(h_host, sizeof(h_host), "Host: %s", host);
	snprintf(h_action, sizeof(h_action), "X-TC-Action: %s",
		 query ? "PullSmsSendStatusByPhoneNumber" : "SendSms");
	snprintf(h_version, sizeof(h_version), "X-TC-Version: %s", API_VERSION);
	snprintf(h_ts, sizeof(h_ts), "X-TC-Timestamp: %lld", (long long)now);
	snprintf(h_region, sizeof(h_region), "X-TC-Region: %s", p->region);
	headers[nh++] = h_auth;
	headers[nh++] = "Content-Type: " CONTENT_TYPE;
	headers[nh++] = h_host;
	headers[nh++] = h_action;
	headers[nh++] = h_version;
	headers[nh++] = h_ts;
	if (p->region[0] != '\0')
		headers[nh++] = h_region;
	headers[nh] = NULL;
	rc = http_request("POST", p->endpoint, headers, body, strlen(body), p->timeout_ms, &status,
			  &resp, &rlen, err, sizeof(err));
	if (rc != HTTP_OK)
		notify_transport_outcome(rc, err, out);
	else if (query)
		notify_tencent_parse_query(status, resp, rlen, m->idem_key, out);
	else
		notify_tencent_parse_send(status, resp, rlen, out);
out:
	free(resp);
	free(body);
}

void notify_tencent_send(const struct notify_provider *p, const struct notify_msg *m,
			 struct notify_outcome *out)
{
	call(p, m, 0, out);
}

void notify_tencent_query(const struct notify_provider *p, const struct notify_msg *m,
			  struct notify_outcome *out)
{
	call(p, m, 1, out);
}
