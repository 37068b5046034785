/* notify: provider configuration, dispatch to the adapters, and the helpers they share. */
#include "ext/notify.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/conf.h"
#include "ext/http.h"

struct adapter {
	const char *kind;
	int sms;  /* may carry channel "sms" */
	int mail; /* may carry channel "email" */
	void (*send)(const struct notify_provider *, const struct notify_msg *,
		     struct notify_outcome *);
	void (*query)(const struct notify_provider *, const struct notify_msg *,
		      struct notify_outcome *);
};

static const struct adapter adapters[] = {
	{ "alibaba", 1, 0, notify_alibaba_send, notify_alibaba_query },
	{ "tencent", 1, 0, notify_tencent_send, notify_tencent_query },
	{ "webhook", 1, 1, notify_webhook_send, notify_webhook_query },
	{ "smtp", 0, 1, notify_smtp_send, notify_smtp_query },
};

/* Removes a UTF-8 sequence that a cut left incomplete at the end of s. */
static void trim_utf8(char *s)
{
	size_t n = strlen(s);
	size_t i = n;
	size_t need;
	unsigned char c;

	while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80 && n - i < 3)
		i--;
	if (i == 0)
		return;
	c = (unsigned char)s[i - 1];
	if (c < 0x80)
		return;
	need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
	if (n - (i - 1) < need)
		s[i - 1] = '\0';
}

void notify_outcome(struct notify_outcome *out, enum notify_result r, const char *provider_id,
		    const char *fmt, ...)
{
	va_list ap;

	out->result = r;
	snprintf(out->provider_id, sizeof(out->provider_id), "%s",
		 provider_id != NULL ? provider_id : "");
	trim_utf8(out->provider_id);
	out->error[0] = '\0';
	if (fmt != NULL) {
		va_start(ap, fmt);
		vsnprintf(out->error, sizeof(out->error), fmt, ap);
		va_end(ap);
		trim_utf8(out->error);
	}
}

void notify_transport_outcome(int http_rc, const char *err, struct notify_outcome *out)
{
	if (http_rc == HTTP_REFUSED)
		notify_outcome(out, NOTIFY_RETRY, NULL, "not delivered to the provider: %s",
			       err != NULL ? err : "");
	else
		notify_outcome(out, NOTIFY_UNKNOWN, NULL, "no answer, the provider may have it: %s",
			       err != NULL ? err : "");
}

int notify_appendf(char *out, size_t outsz, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (out == NULL || *len >= outsz)
		return -1;
	va_start(ap, fmt);
	n = vsnprintf(out + *len, outsz - *len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= outsz - *len) {
		*len = outsz; /* full: every later append fails too */
		return -1;
	}
	*len += (size_t)n;
	return 0;
}

int notify_pct_append(char *out, size_t outsz, size_t *len, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)(s != NULL ? s : "");

	if (out == NULL || *len >= outsz)
		return -1;
	for (; *p != '\0'; p++) {
		int plain = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
			    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.' ||
			    *p == '~';
		size_t need = plain ? 1 : 3;

		if (*len + need >= outsz) {
			out[*len] = '\0';
			*len = outsz;
			return -1;
		}
		if (plain) {
			out[(*len)++] = (char)*p;
		} else {
			out[(*len)++] = '%';
			out[(*len)++] = hex[*p >> 4];
			out[(*len)++] = hex[*p & 0x0F];
		}
	}
	out[*len] = '\0';
	return 0;
}

static void copy(char *dst, size_t dstsz, const char *src)
{
	snprintf(dst, dstsz, "%s", src != NULL ? src : "");
}

void notify_from_conf(const struct conf *c, int mail, struct notify_provider *p)
{
	memset(p, 0, sizeof(*p));
	if (mail) {
		copy(p->kind, sizeof(p->kind), c->mail_provider);
		copy(p->endpoint, sizeof(p->endpoint), c->mail_endpoint);
		copy(p->key_id, sizeof(p->key_id), c->mail_user);
		copy(p->secret, sizeof(p->secret), c->mail_password);
		copy(p->from, sizeof(p->from), c->mail_from);
		p->timeout_ms = c->mail_timeout_ms;
	} else {
		copy(p->kind, sizeof(p->kind), c->sms_provider);
		copy(p->endpoint, sizeof(p->endpoint), c->sms_endpoint);
		copy(p->key_id, sizeof(p->key_id), c->sms_key_id);
		copy(p->secret, sizeof(p->secret), c->sms_secret);
		copy(p->sign_name, sizeof(p->sign_name), c->sms_sign_name);
		copy(p->app_id, sizeof(p->app_id), c->sms_app_id);
		copy(p->region, sizeof(p->region), c->sms_region);
		p->timeout_ms = c->sms_timeout_ms;
	}
}

int notify_sms_providers(const struct conf *c, struct notify_provider *p)
{
	notify_from_conf(c, 0, &p[0]);
	if (strcmp(c->sms2_provider, "none") == 0)
		return 1;
	memset(&p[1], 0, sizeof(p[1]));
	copy(p[1].kind, sizeof(p[1].kind), c->sms2_provider);
	copy(p[1].endpoint, sizeof(p[1].endpoint), c->sms2_endpoint);
	copy(p[1].key_id, sizeof(p[1].key_id), c->sms2_key_id);
	copy(p[1].secret, sizeof(p[1].secret), c->sms2_secret);
	copy(p[1].sign_name, sizeof(p[1].sign_name), c->sms2_sign_name);
	copy(p[1].app_id, sizeof(p[1].app_id), c->sms2_app_id);
	copy(p[1].region, sizeof(p[1].region), c->sms2_region);
	p[1].timeout_ms = c->sms2_timeout_ms;
	return 2;
}

/* Finds the adapter for p and checks that it can carry m; NULL with out filled otherwise. */
static const struct adapter *pick(const struct notify_provider *p, const struct notify_msg *m,
				  struct notify_outcome *out)
{
	size_t i;
	int mail;

	if (p == NULL || m == NULL || m->channel == NULL || m->to == NULL || m->to[0] == '\0' ||
	    m->idem_key == NULL || m->idem_key[0] == '\0') {
		notify_outcome(out, NOTIFY_PERMANENT, NULL,
			       "message lacks channel, recipient or idempotency key");
		return NULL;
	}
	if (strcmp(m->channel, "sms") == 0) {
		mail = 0;
	} else if (strcmp(m->channel, "email") == 0) {
		mail = 1;
	} else {
		notify_outcome(out, NOTIFY_PERMANENT, NULL, "unknown channel \"%s\"", m->channel);
		return NULL;
	}
	for (i = 0; i < sizeof(adapters) / sizeof(adapters[0]); i++) {
		if (strcmp(p->kind, adapters[i].kind) != 0)
			continue;
		if ((mail && !adapters[i].mail) || (!mail && !adapters[i].sms)) {
			notify_outcome(out, NOTIFY_PERMANENT, NULL,
				       "provider \"%s\" cannot carry %s", p->kind, m->channel);
			return NULL;
		}
		return &adapters[i];
	}
	notify_outcome(out, NOTIFY_PERMANENT, NULL, "unknown provider kind \"%s\"", p->kind);
	return NULL;
}

/* [mail] provider = none switches mail off: a mail counts as sent, so nothing queues up. */
static int mail_off(const struct notify_provider *p, const struct notify_msg *m,
		    struct notify_outcome *out)
{
	if (p != NULL && strcmp(p->kind, "none") == 0 && m != NULL && m->channel != NULL &&
	    strcmp(m->channel, "email") == 0) {
		notify_outcome(out, NOTIFY_SENT, "none", NULL);
		return 1;
	}
	return 0;
}

void notify_send(const struct notify_provider *p, const struct notify_msg *m,
		 struct notify_outcome *out)
{
	const struct adapter *a;

	memset(out, 0, sizeof(*out));
	if (mail_off(p, m, out))
		return;
	a = pick(p, m, out);
	if (a != NULL)
		a->send(p, m, out);
}

void notify_query(const struct notify_provider *p, const struct notify_msg *m,
		  struct notify_outcome *out)
{
	const struct adapter *a;

	memset(out, 0, sizeof(*out));
	if (mail_off(p, m, out))
		return;
	a = pick(p, m, out);
	if (a == NULL)
		return;
	a->query(p, m, out);
	/* A query answers SENT, NOT_FOUND or UNKNOWN only: a refused query tells nothing. */
	if (out->result == NOTIFY_RETRY || out->result == NOTIFY_PERMANENT)
		out->result = NOTIFY_UNKNOWN;
}

enum notify_result notify_code_result(const struct notify_code_rule *rules, const char *code,
				      enum notify_result dflt)
{
	size_t i;

	if (code == NULL)
		return dflt;
	for (i = 0; rules[i].code != NULL; i++) {
		size_t n = strlen(rules[i].code);

		if (n > 0 && rules[i].code[n - 1] == '*') {
			if (strncmp(code, rules[i].code, n - 1) == 0)
				return rules[i].result;
		} else if (strcmp(code, rules[i].code) == 0) {
			return rules[i].result;
		}
	}
	return dflt;
}
