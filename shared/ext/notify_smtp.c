/* notify_smtp: mail through an SMTP relay with libcurl (smtps://, or smtp:// with STARTTLS). */
#include "ext/notify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <openssl/evp.h>

#include "ext/http.h"

/*
 * SMTP has no status query. When a transfer breaks after the whole message (and so its
 * terminating ".") went out, only the server's final reply was lost, and the server has
 * almost always queued the mail; sending again would nearly always make a duplicate. So the
 * query answers UNKNOWN, never NOT_FOUND, and the outbox never resends an UNKNOWN mail:
 * mail is at most once. A lost notice costs less than a double one, and what a mail says is
 * also on the portal. A break before the end of the message is RETRY (a server only takes a
 * message once it has read the final "."), an explicit 4xx reply RETRY, a 5xx PERMANENT.
 */

#define SUBJECT_CHUNK 39   /* raw bytes per encoded word: 52 base64 chars, 64 with =?UTF-8?B?...?= */
#define BODY_CHUNK 57      /* raw bytes per body line: 76 base64 chars */
#define MAIL_MAX (1024 * 1024)

static const char *const DAYS[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
static const char *const MONTHS[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
				      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

/* A bare addr-spec of printable ASCII with one '@' inside: no display name, no comments, no
 * list, nothing a header or an SMTP command could be split or extended with. */
static int plain_address(const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0;
	const char *at;
	size_t i;

	if (n < 3 || n > 254)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= 0x20 || c >= 0x7F || strchr("<>()[]\\,;:\"", c) != NULL)
			return 0;
	}
	at = strchr(s, '@');
	return at != NULL && at != s && at[1] != '\0' && strchr(at + 1, '@') == NULL;
}

/* The key goes into Message-ID <key@certhall>: a dot-atom of a plain alphabet only. */
static int plain_key(const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0;
	size_t i;

	if (n == 0 || n > 100 || s[0] == '.' || s[n - 1] == '.')
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      strchr("-._+=", c) != NULL))
			return 0;
	}
	return 1;
}

static int has_crlf(const char *s)
{
	return s != NULL && strpbrk(s, "\r\n") != NULL;
}

/* Appends base64 of n raw bytes (n <= 64). */
static int b64_append(char *out, size_t outsz, size_t *len, const unsigned char *p, size_t n)
{
	char b64[4 * 22 + 1];

	EVP_EncodeBlock((unsigned char *)b64, p, (int)n);
	return notify_appendf(out, outsz, len, "%s", b64);
}

/* The longest prefix of s of at most max bytes that ends on a UTF-8 character boundary. */
static size_t utf8_prefix(const unsigned char *s, size_t n, size_t max)
{
	size_t k;

	if (n <= max)
		return n;
	k = max;
	while (k > 0 && (s[k] & 0xC0) == 0x80)
		k--;
	return k > 0 ? k : max; /* not UTF-8 at all: cut anywhere rather than loop */
}

long notify_mail_build(const struct notify_msg *m, const char *from, time_t now, char *out,
		       size_t outsz)
{
	const unsigned char *subj = (const unsigned char *)(m->subject != NULL ? m->subject : "");
	const unsigned char *text = (const unsigned char *)(m->text != NULL ? m->text : "");
	size_t slen = strlen((const char *)subj);
	size_t tlen = strlen((const char *)text);
	size_t len = 0;
	size_t i;
	struct tm tm;

	if (out == NULL || outsz == 0)
		return NOTIFY_MAIL_TOO_BIG;
	out[0] = '\0';
	if (has_crlf(m->to) || has_crlf(from) || has_crlf(m->subject) ||
	    !plain_address(m->to) || !plain_address(from) || !plain_key(m->idem_key))
		return NOTIFY_MAIL_REFUSED;
	if (gmtime_r(&now, &tm) == NULL)
		return NOTIFY_MAIL_REFUSED;
	/* Date by hand: strftime's %a and %b follow the locale, RFC 5322 wants English. */
	if (notify_appendf(out, outsz, &len,
			   "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n"
			   "From: %s\r\nTo: %s\r\nSubject:",
			   DAYS[tm.tm_wday], tm.tm_mday, MONTHS[tm.tm_mon], tm.tm_year + 1900,
			   tm.tm_hour, tm.tm_min, tm.tm_sec, from, m->to) != 0)
		return NOTIFY_MAIL_TOO_BIG;
	/* RFC 2047: encoded words of whole characters, at most 75 chars each, one per line. */
	for (i = 0; i < slen;) {
		size_t n = utf8_prefix(subj + i, slen - i, SUBJECT_CHUNK);

		if (notify_appendf(out, outsz, &len, "%s=?UTF-8?B?", i == 0 ? " " : "\r\n ") != 0 ||
		    b64_append(out, outsz, &len, subj + i, n) != 0 ||
		    notify_appendf(out, outsz, &len, "?=") != 0)
			return NOTIFY_MAIL_TOO_BIG;
		i += n;
	}
	if (notify_appendf(out, outsz, &len,
			   "\r\nMessage-ID: <%s@certhall>\r\nMIME-Version: 1.0\r\n"
			   "Content-Type: text/plain; charset=UTF-8\r\n"
			   "Content-Transfer-Encoding: base64\r\n\r\n",
			   m->idem_key) != 0)
		return NOTIFY_MAIL_TOO_BIG;
	for (i = 0; i < tlen; i += BODY_CHUNK) {
		size_t n = tlen - i < BODY_CHUNK ? tlen - i : BODY_CHUNK;

		if (b64_append(out, outsz, &len, text + i, n) != 0 ||
		    notify_appendf(out, outsz, &len, "\r\n") != 0)
			return NOTIFY_MAIL_TOO_BIG;
	}
	return (long)len;
}

/* The message as libcurl reads it; done once it has asked past the end. */
struct source {
	const char *p;
	size_t len;
	size_t off;
	int done;
};

static size_t on_read(char *buf, size_t size, size_t nitems, void *arg)
{
	struct source *s = arg;
	size_t n = size * nitems;

	if (s->off >= s->len) {
		s->done = 1;
		return 0;
	}
	if (n > s->len - s->off)
		n = s->len - s->off;
	memcpy(buf, s->p + s->off, n);
	s->off += n;
	return n;
}

/* What a failed transfer means for the mail; see the comment atop the file. */
static void failed(CURL *h, CURLcode rc, const struct source *src, const char *detail,
		   struct notify_outcome *out)
{
	long reply = 0;
	const char *why = detail[0] != '\0' ? detail : curl_easy_strerror(rc);

	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &reply);
	if (rc == CURLE_LOGIN_DENIED || rc == CURLE_USE_SSL_FAILED || (reply >= 500 && reply < 600))
		notify_outcome(out, NOTIFY_PERMANENT, NULL, "SMTP %ld: %s", reply, why);
	else if (reply >= 400 && reply < 500)
		notify_outcome(out, NOTIFY_RETRY, NULL, "SMTP %ld: %s", reply, why);
	else if (src->done && http_classify((int)rc, 1) == HTTP_TIMEOUT)
		notify_outcome(out, NOTIFY_UNKNOWN, NULL, "mail sent, no final reply: %s", why);
	else
		notify_outcome(out, NOTIFY_RETRY, NULL, "mail not taken: %s", why);
}

void notify_smtp_send(const struct notify_provider *p, const struct notify_msg *m,
		      struct notify_outcome *out)
{
	char curl_err[CURL_ERROR_SIZE];
	char mail_from[300], rcpt[300], msgid[160];
	struct curl_slist *to = NULL;
	struct source src = { 0 };
	char *msg = NULL;
	CURL *h = NULL;
	CURLcode rc;
	size_t cap;
	long n;
	int timeout = p->timeout_ms > 0 ? p->timeout_ms : 10000;
	long connect_ms = timeout < HTTP_CONNECT_MAX_MS ? timeout : HTTP_CONNECT_MAX_MS;

	cap = 8192 + 2 * (m->subject != NULL ? strlen(m->subject) : 0) +
	      2 * (m->text != NULL ? strlen(m->text) : 0);
	if (cap > MAIL_MAX) {
		notify_outcome(out, NOTIFY_PERMANENT, NULL, "mail larger than %d bytes", MAIL_MAX);
		goto out;
	}
	msg = malloc(cap);
	if (msg == NULL) {
		notify_outcome(out, NOTIFY_RETRY, NULL, "out of memory");
		goto out;
	}
	n = notify_mail_build(m, p->from, time(NULL), msg, cap);
	if (n < 0) {
		notify_outcome(out, NOTIFY_PERMANENT, NULL, "%s",
			       n == NOTIFY_MAIL_REFUSED
				       ? "refused: To, From, Subject or key not plain (CR/LF?)"
				       : "mail too large");
		goto out;
	}
	src.p = msg;
	src.len = (size_t)n;
	snprintf(mail_from, sizeof(mail_from), "<%s>", p->from);
	snprintf(rcpt, sizeof(rcpt), "<%s>", m->to);
	snprintf(msgid, sizeof(msgid), "<%s@certhall>", m->idem_key);
	/* curl_easy_init runs curl_global_init itself when http.c has not yet. */
	if ((h = curl_easy_init()) == NULL ||
	    (to = curl_slist_append(NULL, rcpt)) == NULL) {
		notify_outcome(out, NOTIFY_RETRY, NULL, "libcurl cannot start");
		goto out;
	}
	curl_err[0] = '\0';
	if (curl_easy_setopt(h, CURLOPT_URL, p->endpoint) != CURLE_OK ||
#if LIBCURL_VERSION_NUM >= 0x075500
	    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps") != CURLE_OK ||
#else
	    curl_easy_setopt(h, CURLOPT_PROTOCOLS, (long)(CURLPROTO_SMTP | CURLPROTO_SMTPS)) !=
		    CURLE_OK ||
#endif
	    /* smtp:// must upgrade with STARTTLS or fail: the password never goes in clear. */
	    (strncmp(p->endpoint, "smtp://", 7) == 0 &&
	     curl_easy_setopt(h, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL) != CURLE_OK) ||
	    (p->key_id[0] != '\0' &&
	     (curl_easy_setopt(h, CURLOPT_USERNAME, p->key_id) != CURLE_OK ||
	      curl_easy_setopt(h, CURLOPT_PASSWORD, p->secret) != CURLE_OK)) ||
	    curl_easy_setopt(h, CURLOPT_MAIL_FROM, mail_from) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, to) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_READDATA, &src) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)src.len) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, connect_ms) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)timeout) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, curl_err) != CURLE_OK) {
		notify_outcome(out, NOTIFY_PERMANENT, NULL, "libcurl refused the SMTP settings");
		goto out;
	}
	rc = curl_easy_perform(h);
	if (rc == CURLE_OK)
		notify_outcome(out, NOTIFY_SENT, msgid, NULL);
	else
		failed(h, rc, &src, curl_err, out);
out:
	curl_slist_free_all(to);
	if (h != NULL)
		curl_easy_cleanup(h);
	free(msg);
}

void notify_smtp_query(const struct notify_provider *p, const struct notify_msg *m,
		       struct notify_outcome *out)
{
	(void)p;
	(void)m;
	notify_outcome(out, NOTIFY_UNKNOWN, NULL,
		       "SMTP has no status query: mail is at most once, not resent");
}
