/* ca: EJBCA's REST API over mutual TLS (enrol from PKCS#10, revoke, latest CRL), its answers
 * checked before they are believed. */
#include "ext/ca.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <openssl/err.h>

#include "base/arena.h"
#include "base/errbuf.h"
#include "base/valid.h"
#include "crypto/crypto.h"
#include "ext/http.h"

#define URL_MAX 1024

static const struct {
	enum ca_reason reason;
	const char *name;
} reason_names[] = {
	{ CA_REASON_UNSPECIFIED, "UNSPECIFIED" },
	{ CA_REASON_KEY_COMPROMISE, "KEY_COMPROMISE" },
	{ CA_REASON_AFFILIATION_CHANGED, "AFFILIATION_CHANGED" },
	{ CA_REASON_SUPERSEDED, "SUPERSEDED" },
	{ CA_REASON_CESSATION_OF_OPERATION, "CESSATION_OF_OPERATION" },
};

const char *ca_reason_name(enum ca_reason reason)
{
	for (size_t i = 0; i < sizeof(reason_names) / sizeof(reason_names[0]); i++)
		if (reason_names[i].reason == reason)
			return reason_names[i].name;
	return NULL;
}

void ca_cert_free(struct ca_cert *c)
{
	if (c == NULL)
		return;
	free(c->pem);
	c->pem = NULL;
}

int ca_cert_to_arena(struct arena *a, struct ca_cert *c)
{
	char *copy = c->pem ? arena_strdup(a, c->pem) : NULL;

	ca_cert_free(c);
	c->pem = copy;
	return copy ? 0 : -1;
}

static const char *ca_name_of(const struct conf *c, enum cert_key kind)
{
	return kind == CERT_KEY_SM2 ? c->ca_sm2_name : c->ca_rsa_name;
}

static const char *issuer_dn_of(const struct conf *c, enum cert_key kind)
{
	return kind == CERT_KEY_SM2 ? c->ca_sm2_issuer_dn : c->ca_rsa_issuer_dn;
}

/* RFC 3986 percent-encoding of a path segment (an issuer DN: spaces, '=', ','). */
static int pct_encode(const char *s, char *out, size_t outsz)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		bool plain = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
			     (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' || ch == '_' || ch == '~';

		if (o + (plain ? 1 : 3) >= outsz)
			return -1;
		if (plain) {
			out[o++] = (char)ch;
		} else {
			out[o++] = '%';
			out[o++] = hex[ch >> 4];
			out[o++] = hex[ch & 15];
		}
	}
	out[o] = '\0';
	return 0;
}

/*
 * One exchange with the CA: method path (under [ca] endpoint) with an optional JSON body. On
 * CA_OK *answer is the parsed JSON object of a 2xx answer (the caller decrefs it) and *status
 * its status. A 4xx is CA_REFUSED with EJBCA's error_message in err (and *status set).
 */
static int exchange(const struct conf *c, const char *method, const char *path, json_t *body,
		    long *status, json_t **answer, char *err, size_t errsz)
{
	static const char *const json_headers[] = { "Content-Type: application/json",
						    "Accept: application/json", NULL };
	static const char *const accept_only[] = { "Accept: application/json", NULL };
	const struct http_tls tls = { .cert_file = c->ca_cert_file, .key_file = c->ca_key_file,
				      .ca_file = c->ca_ca_file };
	char url[URL_MAX], herr[256];
	char *text = NULL, *resp = NULL;
	size_t rlen = 0;
	json_t *j = NULL;
	int rc, ret = CA_UNAVAILABLE;

	*answer = NULL;
	*status = 0;
	if ((size_t)snprintf(url, sizeof(url), "%s%s", c->ca_endpoint, path) >= sizeof(url)) {
		errbuf_set(err, errsz, "ca: URL too long");
		return CA_UNAVAILABLE;
	}
	if (body != NULL && (text = json_dumps(body, JSON_COMPACT)) == NULL) {
		errbuf_set(err, errsz, "ca: cannot build the request");
		return CA_UNAVAILABLE;
	}
	rc = http_request_tls(&tls, method, url, body != NULL ? json_headers : accept_only, text,
			      text != NULL ? strlen(text) : 0, c->ca_timeout_ms, status, &resp, &rlen,
			      herr, sizeof(herr));
	if (rc != HTTP_OK) {
		errbuf_set(err, errsz, "ca: %s %s: %s", method, path, herr);
		goto out;
	}
	j = json_loadb(resp, rlen, 0, NULL);
	if (*status >= 400 && *status < 500) {
		const char *msg = json_string_value(json_object_get(j, "error_message"));

		errbuf_set(err, errsz, "ca: %s %s: HTTP %ld: %s", method, path, *status,
			   msg != NULL ? msg : "(no error_message)");
		ret = CA_REFUSED;
		goto out;
	}
	if (*status < 200 || *status > 299 || !json_is_object(j)) {
		errbuf_set(err, errsz, "ca: %s %s: HTTP %ld%s", method, path, *status,
			   json_is_object(j) ? "" : " without a JSON object");
		goto out;
	}
	*answer = j;
	j = NULL;
	ret = CA_OK;
out:
	json_decref(j);
	free(resp);
	free(text);
	return ret;
}

static bool username_ok(const char *s)
{
	static const char ok[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-";
	size_t n = s != NULL ? strlen(s) : 0;

	return n > 0 && n <= CA_USERNAME_MAX && strspn(s, ok) == n;
}

/* Reads the certificate of an enrolment's answer and checks it is what was asked for. */
static int read_issued(const struct conf *c, json_t *answer, const struct cert_csr_info *ci,
		       struct ca_cert *out, char *err, size_t errsz)
{
	const char *b64 = json_string_value(json_object_get(answer, "certificate"));
	const char *serial = json_string_value(json_object_get(answer, "serial_number"));
	const char *format = json_string_value(json_object_get(answer, "response_format"));
	X509 *x = NULL;
	int ret = CA_UNAVAILABLE;

	if (b64 == NULL || (format != NULL && strcmp(format, "DER") != 0) ||
	    (x = cert_read(b64, strlen(b64))) == NULL || cert_info_of(x, &out->info) < 0) {
		errbuf_set(err, errsz, "ca: enrolment answer without a readable DER certificate");
		goto out;
	}
	if (serial == NULL || strcasecmp(serial + strspn(serial, "0"), out->info.serial) != 0) {
		errbuf_set(err, errsz, "ca: the certificate's serial is not the serial_number answered");
		goto out;
	}
	if (strcmp(out->info.key_sha256, ci->key_sha256) != 0) {
		errbuf_set(err, errsz, "ca: the certificate does not carry the request's key");
		goto out;
	}
	if (strcmp(out->info.issuer, issuer_dn_of(c, ci->key)) != 0) {
		errbuf_set(err, errsz, "ca: issuer %s is not [ca] %s_issuer_dn", out->info.issuer,
			   ci->key == CERT_KEY_SM2 ? "sm2" : "rsa");
		goto out;
	}
	if ((out->pem = cert_pem(x)) == NULL) {
		errbuf_set(err, errsz, "ca: out of memory");
		goto out;
	}
	ret = CA_OK;
out:
	X509_free(x);
	ERR_clear_error();
	return ret;
}

int ca_reissue(const struct conf *c, const char *csr, const char *username,
	       const char *key_sha256, struct ca_cert *out, char *err, size_t errsz)
{
	struct cert_csr_info ci;
	X509_REQ *req = NULL;
	json_t *body = NULL, *answer = NULL;
	char password[33];
	long status;
	int ret = CA_REFUSED;

	memset(out, 0, sizeof(*out));
	if (!username_ok(username)) {
		errbuf_set(err, errsz, "ca: bad end entity name");
		return CA_REFUSED;
	}
	/* Nothing the CA would refuse leaves the hall: read and check the request here first. */
	if (csr == NULL || (req = cert_csr_read(csr, strlen(csr))) == NULL ||
	    cert_csr_info_of(req, &ci) < 0) {
		errbuf_set(err, errsz, "ca: the request is not a PKCS#10 request signed by its key");
		goto out;
	}
	if (ci.key == CERT_KEY_OTHER || (ci.key == CERT_KEY_RSA && ci.bits < 2048)) {
		errbuf_set(err, errsz, "ca: the request's key is neither RSA-2048+ nor SM2");
		goto out;
	}
	if (key_sha256 != NULL && strcmp(key_sha256, ci.key_sha256) != 0) {
		errbuf_set(err, errsz, "ca: a renewal must carry the certificate's own key");
		goto out;
	}
	/* EJBCA sets the end entity's enrolment password to this; the hall never enrols with
	 * it again (each enrolment sets a fresh one), so it is thrown away. */
	if (crypto_token_hex(password, sizeof(password), 16) < 0) {
		errbuf_set(err, errsz, "ca: no randomness");
		ret = CA_UNAVAILABLE;
		goto out;
	}
	body = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b}", "certificate_request", csr,
			 "certificate_profile_name", c->ca_cert_profile, "end_entity_profile_name",
			 c->ca_ee_profile, "certificate_authority_name", ca_name_of(c, ci.key),
			 "username", username, "password", password, "include_chain", 0);
	if (body == NULL) {
		errbuf_set(err, errsz, "ca: cannot build the request");
		ret = CA_UNAVAILABLE;
		goto out;
	}
	ret = exchange(c, "POST", "/v1/certificate/pkcs10enroll", body, &status, &answer, err,
		       errsz);
	if (ret == CA_OK)
		ret = read_issued(c, answer, &ci, out, err, errsz);
	if (ret != CA_OK)
		ca_cert_free(out);
out:
	json_decref(answer);
	json_decref(body);
	X509_REQ_free(req);
	return ret;
}

int ca_issue(const struct conf *c, const char *csr, const char *username, struct ca_cert *out,
	     char *err, size_t errsz)
{
	return ca_reissue(c, csr, username, NULL, out, err, errsz);
}

int ca_revoke(const struct conf *c, enum cert_key kind, const char *serial, enum ca_reason reason,
	      int *already, char *err, size_t errsz)
{
	const char *name = ca_reason_name(reason);
	char dn[3 * CERT_DN_MAX], path[URL_MAX];
	json_t *answer = NULL;
	long status = 0;
	int ret;

	if (already != NULL)
		*already = 0;
	if (name == NULL || !cert_serial_valid(serial) ||
	    (kind != CERT_KEY_RSA && kind != CERT_KEY_SM2) ||
	    pct_encode(issuer_dn_of(c, kind), dn, sizeof(dn)) < 0 ||
	    (size_t)snprintf(path, sizeof(path), "/v1/certificate/%s/%s/revoke?reason=%s", dn, serial,
			     name) >= sizeof(path)) {
		errbuf_set(err, errsz, "ca: bad revocation arguments");
		return CA_REFUSED;
	}
	ret = exchange(c, "PUT", path, NULL, &status, &answer, err, errsz);
	if (ret == CA_REFUSED && status == 409) {
		/* EJBCA's "already revoked": what we asked for is so. */
		if (already != NULL)
			*already = 1;
		ret = CA_OK;
	} else if (ret == CA_OK && !json_is_true(json_object_get(answer, "revoked"))) {
		errbuf_set(err, errsz, "ca: revocation answer without \"revoked\": true");
		ret = CA_UNAVAILABLE;
	}
	json_decref(answer);
	return ret;
}

int ca_withdraw(const struct conf *c, const struct ca_cert *cert, char *err, size_t errsz)
{
	return ca_revoke(c, cert->info.key, cert->info.serial, CA_REASON_SUPERSEDED, NULL, err, errsz);
}

int ca_crl(const struct conf *c, enum cert_key kind, unsigned char **der, size_t *len, char *err,
	   size_t errsz)
{
	char dn[3 * CERT_DN_MAX], path[URL_MAX], issuer[CERT_DN_MAX];
	json_t *answer = NULL;
	const char *b64;
	const unsigned char *p;
	X509_CRL *crl = NULL;
	long status = 0;
	int ret;

	*der = NULL;
	*len = 0;
	if ((kind != CERT_KEY_RSA && kind != CERT_KEY_SM2) ||
	    pct_encode(issuer_dn_of(c, kind), dn, sizeof(dn)) < 0 ||
	    (size_t)snprintf(path, sizeof(path), "/v1/ca/%s/getLatestCrl", dn) >= sizeof(path)) {
		errbuf_set(err, errsz, "ca: bad CRL arguments");
		return CA_REFUSED;
	}
	ret = exchange(c, "GET", path, NULL, &status, &answer, err, errsz);
	if (ret != CA_OK)
		goto out;
	ret = CA_UNAVAILABLE;
	b64 = json_string_value(json_object_get(answer, "crl"));
	if (b64 == NULL || cert_b64_decode(b64, strlen(b64), der, len) < 0) {
		errbuf_set(err, errsz, "ca: CRL answer without base64 DER");
		goto out;
	}
	p = *der;
	crl = d2i_X509_CRL(NULL, &p, (long)*len);
	if (crl == NULL || p != *der + *len ||
	    cert_dn(X509_CRL_get_issuer(crl), issuer, sizeof(issuer)) < 0 ||
	    strcmp(issuer, issuer_dn_of(c, kind)) != 0) {
		errbuf_set(err, errsz, "ca: the CRL answered is not a CRL of %s", issuer_dn_of(c, kind));
		goto out;
	}
	ret = CA_OK;
out:
	if (ret != CA_OK) {
		free(*der);
		*der = NULL;
		*len = 0;
	}
	X509_CRL_free(crl);
	ERR_clear_error();
	json_decref(answer);
	return ret;
}

int ca_unblock(const struct conf *c, const char *token_serial, const char *challenge,
	       char response[CA_UNBLOCK_MAX + 1], char *err, size_t errsz)
{
	char path[URL_MAX];
	json_t *body, *answer = NULL;
	const char *v;
	long status = 0;
	int ret;

	response[0] = '\0';
	if (!valid_token_serial(token_serial) ||
	    (size_t)snprintf(path, sizeof(path), "/v1/token/%s/unblock", token_serial) >= sizeof(path) ||
	    (body = json_pack("{s:s}", "challenge", challenge)) == NULL) {
		errbuf_set(err, errsz, "ca: bad unblock arguments");
		return CA_REFUSED;
	}
	ret = exchange(c, "POST", path, body, &status, &answer, err, errsz);
	json_decref(body);
	if (ret == CA_OK) {
		v = json_string_value(json_object_get(answer, "response"));
		/* Only what a token's keypad takes: an answer of anything else is not believed. */
		if (v == NULL || strlen(v) < 8 || strlen(v) > CA_UNBLOCK_MAX ||
		    strspn(v, "0123456789ABCDEF") != strlen(v)) {
			errbuf_set(err, errsz, "ca: unblock answer without a hex \"response\"");
			ret = CA_UNAVAILABLE;
		} else {
			memcpy(response, v, strlen(v) + 1);
		}
	}
	json_decref(answer);
	return ret;
}

#define SEARCH_PAGE 500
#define SEARCH_PAGES_MAX 100000 /* 50M certificates: a CA answering full pages forever stops */
#define EJBCA_ACTIVE 20
#define EJBCA_NOTIFIED 21 /* active, its expiry notice sent */
#define EJBCA_REVOKED 40

static void iso_utc(time_t t, char out[21])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* One certificate of a search page into f; CA_OK or CA_UNAVAILABLE (err says why). */
static int read_found(const struct conf *c, json_t *j, struct ca_found *f, char *err, size_t errsz)
{
	const char *b64 = json_string_value(json_object_get(j, "base64Cert"));
	const char *serial = json_string_value(json_object_get(j, "serialNumber"));
	json_t *status = json_object_get(j, "status");
	json_int_t st = json_integer_value(status);
	json_int_t rd = json_integer_value(json_object_get(j, "revocationDate"));
	json_int_t why = json_integer_value(json_object_get(j, "revocationReason"));
	X509 *x = NULL;
	int ret = CA_UNAVAILABLE;

	memset(f, 0, sizeof(*f));
	if (b64 == NULL || (x = cert_read(b64, strlen(b64))) == NULL || cert_info_of(x, &f->info) < 0) {
		errbuf_set(err, errsz, "ca: search answer without a readable certificate");
		goto out;
	}
	if (serial == NULL || strcasecmp(serial + strspn(serial, "0"), f->info.serial) != 0) {
		errbuf_set(err, errsz, "ca: certificate %s answered as serialNumber %s", f->info.serial,
			   serial != NULL ? serial : "(none)");
		goto out;
	}
	if (strcmp(f->info.issuer, c->ca_rsa_issuer_dn) != 0 &&
	    strcmp(f->info.issuer, c->ca_sm2_issuer_dn) != 0) {
		errbuf_set(err, errsz, "ca: certificate %s: issuer %s is neither [ca] issuer DN",
			   f->info.serial, f->info.issuer);
		goto out;
	}
	if (!json_is_integer(status) ||
	    (st != EJBCA_ACTIVE && st != EJBCA_NOTIFIED && st != EJBCA_REVOKED) ||
	    (st == EJBCA_REVOKED && (rd <= 0 || why < 0 || why > 10))) {
		errbuf_set(err, errsz, "ca: certificate %s: status %lld not understood", f->info.serial,
			   (long long)st);
		goto out;
	}
	f->username = json_string_value(json_object_get(j, "username"));
	f->revoked = st == EJBCA_REVOKED;
	f->revoked_at = f->revoked ? (time_t)(rd / 1000) : 0;
	f->reason = f->revoked ? (int)why : -1;
	ret = CA_OK;
out:
	X509_free(x);
	ERR_clear_error();
	return ret;
}

int ca_search_issued(const struct conf *c, time_t after, time_t before,
		     int (*fn)(void *arg, const struct ca_found *f), void *arg, char *err,
		     size_t errsz)
{
	char from[21], to[21];
	struct ca_found *f = malloc(sizeof(*f));
	json_t *answer = NULL, *body = NULL, *list, *j;
	long status;
	size_t i, n = SEARCH_PAGE;
	int ret = CA_UNAVAILABLE;

	if (f == NULL) {
		errbuf_set(err, errsz, "ca: out of memory");
		return CA_UNAVAILABLE;
	}
	iso_utc(after, from);
	iso_utc(before, to);
	for (long page = 1; n == SEARCH_PAGE; page++) {
		if (page > SEARCH_PAGES_MAX) {
			errbuf_set(err, errsz, "ca: search past %d pages", SEARCH_PAGES_MAX);
			ret = CA_UNAVAILABLE;
			goto out;
		}
		body = json_pack("{s:{s:i, s:I}, s:[{s:s, s:s, s:s}, {s:s, s:s, s:s}]}", "pagination",
				 "page_size", SEARCH_PAGE, "current_page", (json_int_t)page, "criteria",
				 "property", "ISSUED_DATE", "operation", "AFTER", "value", from,
				 "property", "ISSUED_DATE", "operation", "BEFORE", "value", to);
		if (body == NULL) {
			errbuf_set(err, errsz, "ca: cannot build the request");
			goto out;
		}
		ret = exchange(c, "POST", "/v2/certificate/search", body, &status, &answer, err, errsz);
		json_decref(body);
		body = NULL;
		if (ret != CA_OK)
			goto out;
		list = json_object_get(answer, "certificates");
		if (!json_is_array(list) || json_array_size(list) > SEARCH_PAGE) {
			errbuf_set(err, errsz, "ca: search answer without a page of \"certificates\"");
			ret = CA_UNAVAILABLE;
			goto out;
		}
		n = json_array_size(list);
		json_array_foreach(list, i, j) {
			if ((ret = read_found(c, j, f, err, errsz)) != CA_OK ||
			    (ret = fn(arg, f)) != 0)
				goto out;
		}
		json_decref(answer);
		answer = NULL;
	}
	ret = CA_OK;
out:
	json_decref(answer);
	free(f);
	return ret;
}
