/* notify: the interface every SMS and mail provider adapter implements. */
#ifndef CERTHALL_NOTIFY_H
#define CERTHALL_NOTIFY_H

#include <jansson.h>
#include <stddef.h>
#include <time.h>

/*
 * What a send or a status query came to. The outbox decides from this alone:
 *   SENT       the provider took the message (provider_id names it);
 *   RETRY      it certainly did not (connection refused, 5xx, throttled): send again later;
 *   UNKNOWN    it may have (timeout after the request left): never resend blindly, query
 *              the provider by the idempotency key first;
 *   PERMANENT  it never will (bad number, bad template, bad credentials): stop, show staff;
 *   NOT_FOUND  (queries only) the provider has no message with this key: safe to send again.
 */
enum notify_result { NOTIFY_SENT, NOTIFY_RETRY, NOTIFY_UNKNOWN, NOTIFY_PERMANENT, NOTIFY_NOT_FOUND };

struct notify_msg {
	const char *channel;     /* "sms" or "email" */
	const char *to;          /* 11-digit mobile, or an email address */
	const char *template_id; /* provider template (SMS_123456789 / 1234567); may be "" */
	json_t *params;          /* template parameters: a JSON object of strings (borrowed) */
	const char *text;        /* the rendered zh-CN text */
	const char *subject;     /* email subject; NULL for SMS */
	const char *idem_key;    /* per message, stable across retries: Alibaba OutId, Tencent
				  * SessionContext, the webhook's idempotency_key, Message-ID */
	const char *sent_date;   /* YYYYMMDD of the first attempt (Alibaba queries need it) */
};

struct notify_outcome {
	enum notify_result result;
	char provider_id[128];   /* BizId / SerialNo / id / Message-ID when SENT */
	char error[256];         /* provider code and message otherwise */
};

/* One configured provider: [sms] or [mail] of certhall.conf. */
struct notify_provider {
	char kind[16];           /* sms: alibaba, tencent, webhook; mail: smtp, webhook, none */
	char endpoint[256];      /* https://dysmsapi.aliyuncs.com/, https://sms.tencentcloudapi.com/,
				  * the webhook URL, smtp://host:port or smtps://host:465 */
	char key_id[128];        /* AccessKeyId / SecretId / SMTP user */
	char secret[256];        /* AccessKeySecret / SecretKey / webhook HMAC secret / SMTP password */
	char sign_name[64];      /* SMS signature 【...】 */
	char app_id[64];         /* Tencent SmsSdkAppId */
	char region[32];         /* Tencent region, e.g. ap-guangzhou */
	char from[256];          /* mail From: address */
	int timeout_ms;
};

struct conf;

/* Fills p from certhall.conf's [sms] (mail false) or [mail] (mail true) section. */
void notify_from_conf(const struct conf *c, int mail, struct notify_provider *p);

/* The SMS providers in the order they are tried: [sms], then [sms2] unless its provider is
 * "none". Fills p (NOTIFY_SMS_MAX of them) and returns how many there are. */
#define NOTIFY_SMS_MAX 2
int notify_sms_providers(const struct conf *c, struct notify_provider *p);

/* Sends through whatever p->kind names. Never blocks longer than p->timeout_ms (+ connect). */
void notify_send(const struct notify_provider *p, const struct notify_msg *m,
		 struct notify_outcome *out);

/* Asks the provider whether a message with m->idem_key was taken: SENT, NOT_FOUND, or
 * UNKNOWN when it cannot tell yet. */
void notify_query(const struct notify_provider *p, const struct notify_msg *m,
		  struct notify_outcome *out);

/*
 * The adapters and their parts. notify.c dispatches to the send and query pairs; the parts
 * (signatures, request builders, answer parsers) are separate so the unit tests can check them
 * against the providers' published examples and canned answers without a network.
 */

/* Shared by the adapters (notify.c). Records a result with a provider id (may be NULL) and a
 * formatted reason; both are cut on a UTF-8 boundary, so the row that stores them stays valid
 * utf8mb4 whatever a provider answered. */
void notify_outcome(struct notify_outcome *out, enum notify_result r, const char *provider_id,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Maps http_request's HTTP_REFUSED to RETRY and HTTP_TIMEOUT to UNKNOWN (err as the reason). */
void notify_transport_outcome(int http_rc, const char *err, struct notify_outcome *out);

/* How a provider's error code maps to a result: the first rule that matches wins; a code
 * ending in '*' matches every code with that prefix. The list ends with a NULL code. */
struct notify_code_rule {
	const char *code;
	enum notify_result result;
};
enum notify_result notify_code_result(const struct notify_code_rule *rules, const char *code,
				      enum notify_result dflt);

/* RFC 3986 percent-encoding: A-Z a-z 0-9 - _ . ~ stay, every other byte becomes %XX (upper
 * case), so space is %20, * is %2A, 中 is %E4%B8%AD. Appends to out (size outsz) at *len.
 * Returns 0, or -1 when it does not fit (out keeps what fitted, NUL-terminated). */
int notify_pct_append(char *out, size_t outsz, size_t *len, const char *s);

/* Appends formatted text the same way (0, or -1 when it does not fit). */
int notify_appendf(char *out, size_t outsz, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Alibaba Cloud SMS (dysmsapi 2017-05-25, RPC style, signature 1.0 / HMAC-SHA1). kv is a
 * NULL-terminated list of name, value pairs, Signature not among them, in any order. */
int notify_alibaba_string_to_sign(const char *method, const char *const *kv, char *out,
				  size_t outsz);
int notify_alibaba_sign(const char *secret, const char *method, const char *const *kv,
			char *out_b64, size_t outsz);
/* The signed GET URL of SendSms / QuerySendDetails at time now with the given nonce. */
int notify_alibaba_send_url(const struct notify_provider *p, const struct notify_msg *m,
			    time_t now, const char *nonce, char *out, size_t outsz, char *err,
			    size_t errsz);
int notify_alibaba_query_url(const struct notify_provider *p, const struct notify_msg *m,
			     time_t now, const char *nonce, char *out, size_t outsz, char *err,
			     size_t errsz);
void notify_alibaba_parse_send(long status, const char *body, size_t len,
			       struct notify_outcome *out);
void notify_alibaba_parse_query(long status, const char *body, size_t len, const char *idem_key,
				struct notify_outcome *out);
void notify_alibaba_send(const struct notify_provider *p, const struct notify_msg *m,
			 struct notify_outcome *out);
void notify_alibaba_query(const struct notify_provider *p, const struct notify_msg *m,
			  struct notify_outcome *out);

/* Tencent Cloud API 3.0 signature (TC3-HMAC-SHA256) of a POST with an empty query string and
 * the signed headers content-type;host. Every intermediate is kept for the tests. */
struct notify_tc3 {
	char date[11];                  /* UTC date of the timestamp, YYYY-MM-DD */
	char payload_hash[65];          /* hex SHA-256 of the body */
	char canonical_request[1024];
	char canonical_hash[65];        /* hex SHA-256 of canonical_request */
	char string_to_sign[256];
	char signature[65];             /* hex */
};
int notify_tencent_sign(const char *secret_key, const char *service, const char *host,
			const char *content_type, time_t timestamp, const char *payload,
			size_t len, struct notify_tc3 *sig);
/* "TC3-HMAC-SHA256 Credential=<id>/<date>/<service>/tc3_request, SignedHeaders=..., Signature=" */
int notify_tencent_authorization(const char *secret_id, const char *service,
				 const struct notify_tc3 *sig, char *out, size_t outsz);
/* The JSON bodies of SendSms and PullSmsSendStatusByPhoneNumber (malloc'd; NULL with err). */
char *notify_tencent_send_body(const struct notify_provider *p, const struct notify_msg *m,
			       char *err, size_t errsz);
char *notify_tencent_query_body(const struct notify_provider *p, const struct notify_msg *m,
				time_t now, char *err, size_t errsz);
void notify_tencent_parse_send(long status, const char *body, size_t len,
			       struct notify_outcome *out);
void notify_tencent_parse_query(long status, const char *body, size_t len, const char *idem_key,
				struct notify_outcome *out);
void notify_tencent_send(const struct notify_provider *p, const struct notify_msg *m,
			 struct notify_outcome *out);
void notify_tencent_query(const struct notify_provider *p, const struct notify_msg *m,
			  struct notify_outcome *out);

/* The generic webhook: the signed protocol of shared/ext/provider.h, carrying messages. */
/* The JSON body of a send (malloc'd; NULL with err). */
char *notify_webhook_body(const struct notify_msg *m, char *err, size_t errsz);
void notify_webhook_parse_send(long status, const char *body, size_t len,
			       struct notify_outcome *out);
void notify_webhook_parse_query(long status, const char *body, size_t len,
				struct notify_outcome *out);
void notify_webhook_send(const struct notify_provider *p, const struct notify_msg *m,
			 struct notify_outcome *out);
void notify_webhook_query(const struct notify_provider *p, const struct notify_msg *m,
			  struct notify_outcome *out);

/* Mail over SMTP. notify_mail_build writes the whole RFC 5322 message (CRLF line ends, UTF-8
 * Subject as RFC 2047 encoded words, body base64 in 76-character lines) into out. Returns its
 * length, NOTIFY_MAIL_REFUSED when To, From, Subject or the key could smuggle a header (CR,
 * LF) or is not a plain address, NOTIFY_MAIL_TOO_BIG when out is too small. */
#define NOTIFY_MAIL_REFUSED (-1)
#define NOTIFY_MAIL_TOO_BIG (-2)
long notify_mail_build(const struct notify_msg *m, const char *from, time_t now, char *out,
		       size_t outsz);
void notify_smtp_send(const struct notify_provider *p, const struct notify_msg *m,
		      struct notify_outcome *out);
void notify_smtp_query(const struct notify_provider *p, const struct notify_msg *m,
		       struct notify_outcome *out);

#endif
