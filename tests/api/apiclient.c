/* apiclient: a small libcurl client for the API tests. */
#include "apiclient.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <time.h>
#include <unistd.h>

#include "crypto/crypto.h"

struct buf {
	char *p;
	size_t n;
};

/* NULL: plain HTTP to CERTHALL_URL; else the stack's TLS server, with this client certificate
 * of the stack's tls/ ("" for none). */
static const char *tls_cert;

void api_tls(const char *cert)
{
	tls_cert = cert;
}

static size_t on_data(char *data, size_t size, size_t nmemb, void *userp)
{
	struct buf *b = userp;
	size_t add = size * nmemb;
	char *p = realloc(b->p, b->n + add + 1);

	if (!p)
		return 0;
	memcpy(p + b->n, data, add);
	b->p = p;
	b->n += add;
	b->p[b->n] = '\0';
	return add;
}

void api_request(const char *method, const char *path, const char *content_type,
		 const char *body, size_t len, const char *extra_header, struct api_resp *out)
{
	const char *const headers[] = { extra_header, NULL };

	api_request_h(method, path, content_type, body, len, headers, out);
}

const char *api_set_cookie(const struct api_resp *r, const char *name, char *out, size_t outsz)
{
	size_t n = strlen(name);

	for (const char *line = r->headers; line && *line;) {
		const char *end = strstr(line, "\r\n");
		size_t len = end ? (size_t)(end - line) : strlen(line);

		if (len > 12 && strncasecmp(line, "Set-Cookie: ", 12) == 0 &&
		    strncmp(line + 12, name, n) == 0 && line[12 + n] == '=') {
			const char *v = line + 12 + n + 1;
			size_t vlen = strcspn(v, ";\r\n");

			snprintf(out, outsz, "%.*s", (int)vlen, v);
			return out;
		}
		line = end ? end + 2 : NULL;
	}
	return NULL;
}

static long timeout_ms = 20000;

void api_timeout_ms(long ms)
{
	timeout_ms = ms > 0 ? ms : 20000;
}

static char source[64]; /* "host!127.0.0.7", or "" */

void api_source(const char *addr)
{
	if (addr && addr[0])
		snprintf(source, sizeof(source), "host!%s", addr);
	else
		source[0] = '\0';
}

void api_request_h(const char *method, const char *path, const char *content_type,
		   const char *body, size_t len, const char *const *headers, struct api_resp *out)
{
	const char *base = getenv("CERTHALL_URL");
	struct buf bb = { 0 }, hb = { 0 };
	struct curl_slist *hdrs = NULL;
	char url[4096], ct[256], tls[3][600], port[16] = "";
	CURL *c;
	CURLcode rc;

	memset(out, 0, sizeof(*out));
	if (!base)
		fail_msg("CERTHALL_URL is not set: API tests run against a live stack (make test)");
	if (tls_cert) {
		FILE *f = fopen(api_stack_path("run/tls-port", tls[0], sizeof(tls[0])), "r");

		if (!f || !fgets(port, sizeof(port), f))
			fail_msg("the stack has no TLS port (run/tls-port)");
		fclose(f);
		port[strcspn(port, "\r\n")] = '\0';
		snprintf(url, sizeof(url), "https://127.0.0.1:%s%s", port, path);
	} else {
		snprintf(url, sizeof(url), "%s%s", base, path);
	}
	c = curl_easy_init();
	assert_non_null(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	if (tls_cert) {
		curl_easy_setopt(c, CURLOPT_CAINFO, api_stack_path("tls/staff-ca.pem", tls[0], sizeof(tls[0])));
		if (*tls_cert) {
			snprintf(ct, sizeof(ct), "tls/%s.pem", tls_cert);
			curl_easy_setopt(c, CURLOPT_SSLCERT, api_stack_path(ct, tls[1], sizeof(tls[1])));
			snprintf(ct, sizeof(ct), "tls/%s.key", tls_cert);
			curl_easy_setopt(c, CURLOPT_SSLKEY, api_stack_path(ct, tls[2], sizeof(tls[2])));
		}
	}
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (source[0])
		curl_easy_setopt(c, CURLOPT_INTERFACE, source);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &bb);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &hb);
	/* No "Expect: 100-continue" round trip, and no Content-Type unless the test sets one. */
	hdrs = curl_slist_append(hdrs, "Expect:");
	if (content_type) {
		snprintf(ct, sizeof(ct), "Content-Type: %s", content_type);
		hdrs = curl_slist_append(hdrs, ct);
	} else {
		hdrs = curl_slist_append(hdrs, "Content-Type:");
	}
	for (size_t i = 0; headers && headers[i]; i++)
		hdrs = curl_slist_append(hdrs, headers[i]);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	}
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	rc = curl_easy_perform(c);
	if (rc != CURLE_OK)
		fail_msg("%s %s: %s", method, path, curl_easy_strerror(rc));
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(c);
	out->body = bb.p ? bb.p : calloc(1, 1);
	out->len = bb.n;
	out->headers = hb.p ? hb.p : calloc(1, 1);
	out->json = json_loadb(out->body, out->len, 0, NULL);
}

void api_post_json(const char *path, const char *json, struct api_resp *out)
{
	api_request("POST", path, "application/json", json, strlen(json), NULL, out);
}

void api_get(const char *path, struct api_resp *out)
{
	api_request("GET", path, NULL, NULL, 0, NULL, out);
}

void api_free(struct api_resp *r)
{
	free(r->body);
	free(r->headers);
	json_decref(r->json);
	memset(r, 0, sizeof(*r));
}

static const char *error_member(const struct api_resp *r, const char *name)
{
	json_t *e = r->json ? json_object_get(r->json, "error") : NULL;

	return e ? json_string_value(json_object_get(e, name)) : NULL;
}

const char *api_error_code(const struct api_resp *r)
{
	return error_member(r, "code");
}

const char *api_error_field(const struct api_resp *r)
{
	return error_member(r, "field");
}

const char *api_header(const struct api_resp *r, const char *name, char *out, size_t outsz)
{
	size_t n = strlen(name);

	for (const char *line = r->headers; line && *line;) {
		const char *end = strstr(line, "\r\n");
		size_t len = end ? (size_t)(end - line) : strlen(line);

		if (len > n && strncasecmp(line, name, n) == 0 && line[n] == ':') {
			const char *v = line + n + 1;

			while (*v == ' ')
				v++;
			snprintf(out, outsz, "%.*s", (int)(len - (size_t)(v - line)), v);
			return out;
		}
		line = end ? end + 2 : NULL;
	}
	return NULL;
}

const char *api_stack_path(const char *rel, char *out, size_t outsz)
{
	const char *dir = getenv("CERTHALL_STACK");

	if (!dir)
		fail_msg("CERTHALL_STACK is not set");
	snprintf(out, outsz, "%s/%s", dir, rel);
	return out;
}

const char *api_admin(void)
{
	const char *admin = getenv("CERTHALL_ADMIN");

	return admin && *admin ? admin : "build/bin/certhall-admin";
}

void api_expect_error(const struct api_resp *r, long status, const char *code)
{
	const char *got = api_error_code(r), *msg = error_member(r, "message");

	if (r->status != status || !got || strcmp(got, code) != 0)
		fail_msg("expected %ld %s, got %ld: %.300s", status, code, r->status, r->body);
	assert_non_null(msg);
	assert_true(strlen(msg) > 0);
}

/* ---- sessions, SMS codes and accounts, as a browser and a phone would see them ---- */

/* The browser's cookie and CSRF token as headers into h (what it has of them); their count. */
static size_t client_headers(const struct api_client *c, char cookie[200], char csrf[140],
			     const char *h[2])
{
	size_t n = 0;

	if (c && c->session[0]) {
		snprintf(cookie, 200, "Cookie: certhall_session=%s", c->session);
		h[n++] = cookie;
	}
	if (c && c->csrf[0]) {
		snprintf(csrf, 140, "X-CSRF-Token: %s", c->csrf);
		h[n++] = csrf;
	}
	return n;
}

void api_call(struct api_client *c, const char *method, const char *path, const char *json,
		 const char *extra, struct api_resp *r)
{
	api_call_raw(c, method, path, json ? "application/json" : NULL, json, json ? strlen(json) : 0,
		     extra, r);
}

void api_call_raw(struct api_client *c, const char *method, const char *path,
		  const char *content_type, const char *body, size_t len, const char *extra,
		  struct api_resp *r)
{
	char cookie[200], csrf[140];
	const char *h[4] = { NULL, NULL, NULL, NULL };
	char v[100];

	h[client_headers(c, cookie, csrf, h)] = extra;
	api_request_h(method, path, content_type, body, len, h, r);
	if (c && api_set_cookie(r, "certhall_session", v, sizeof(v)))
		snprintf(c->session, sizeof(c->session), "%s", v);
	if (c && api_set_cookie(r, "certhall_csrf", v, sizeof(v)))
		snprintf(c->csrf, sizeof(c->csrf), "%s", v);
}

void api_random_mobile(char out[12])
{
	unsigned char r[4];

	crypto_random(r, sizeof(r));
	snprintf(out, 12, "137%08u",
		 ((unsigned)r[0] << 24 | (unsigned)r[1] << 16 | (unsigned)r[2] << 8 | r[3]) % 100000000u);
}

/* An independent USCC generator (GB 32100 / GB 11714), so tests need no fixed numbers. */
void api_random_uscc(char out[19])
{
	static const char cs[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
	static const int w[] = { 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28 };
	static const int ow[] = { 3, 7, 9, 10, 5, 8, 4, 2 };
	unsigned char r[8];
	int sum = 0, osum = 0, oc;

	crypto_random(r, sizeof(r));
	memcpy(out, "91110000", 8);
	for (int i = 0; i < 8; i++) {
		out[8 + i] = (char)('0' + r[i] % 10);
		osum += (out[8 + i] - '0') * ow[i];
	}
	oc = 11 - osum % 11;
	out[16] = oc == 10 ? 'X' : oc == 11 ? '0' : (char)('0' + oc);
	for (int i = 0; i < 17; i++)
		sum += (int)(strchr(cs, out[i]) - cs) * w[i];
	out[17] = cs[(31 - sum % 31) % 31];
	out[18] = '\0';
}

/* Messages the sandbox gateway recorded for a number. */
size_t api_sandbox_text(const char *mobile, char *text, size_t textsz)
{
	char path[128];
	struct api_resp r;
	json_t *list;
	size_t n;

	snprintf(path, sizeof(path), "/sandbox/messages?to=%s&limit=100", mobile);
	api_get(path, &r);
	assert_int_equal(r.status, 200);
	list = json_object_get(r.json, "messages");
	if (!list)
		list = json_object_get(r.json, "items");
	assert_true(json_is_array(list));
	n = json_array_size(list);
	if (text && textsz) {
		const char *t = n ? json_string_value(json_object_get(json_array_get(list, 0), "text")) : NULL;

		snprintf(text, textsz, "%s", t ? t : "");
	}
	api_free(&r);
	return n;
}

size_t api_sandbox_count(const char *mobile, char *last_code)
{
	char text[1024];
	size_t n = api_sandbox_text(mobile, text, sizeof(text));

	if (last_code && n) {
		last_code[0] = '\0';
		for (const char *p = text; *p; p++) {
			if (strspn(p, "0123456789") == 6) {
				memcpy(last_code, p, 6);
				last_code[6] = '\0';
				break;
			}
		}
	}
	return n;
}

void api_request_code(const char *mobile, const char *purpose, struct api_resp *r)
{
	char body[160];

	snprintf(body, sizeof(body), "{\"mobile\":\"%s\",\"purpose\":\"%s\"}", mobile, purpose);
	api_call(NULL, "POST", "/api/account/sms-code", body, NULL, r);
}

/* Asks for a code and reads it off the gateway (the post-response send is quick, not instant). */
void api_get_code(const char *mobile, const char *purpose, char code[7])
{
	struct api_resp r;
	size_t before = api_sandbox_count(mobile, NULL);

	api_request_code(mobile, purpose, &r);
	assert_int_equal(r.status, 200);
	api_free(&r);
	for (int i = 0; i < 100 && api_sandbox_count(mobile, code) == before; i++)
		usleep(50 * 1000);
	assert_int_equal(strlen(code), 6);
}

void api_register_org(struct api_client *c, char uscc[19], char mobile[12])
{
	char code[7], body[512];
	struct api_resp r;

	memset(c, 0, sizeof(*c)); /* a new browser: no cookie of an earlier session, nor stack bytes */
	api_random_uscc(uscc);
	api_random_mobile(mobile);
	api_get_code(mobile, "register", code);
	snprintf(body, sizeof(body),
		 "{\"kind\":\"org\",\"name\":\"测试示范有限公司\",\"uscc\":\"%s\",\"mobile\":\"%s\","
		 "\"sms_code\":\"%s\",\"password\":\"Passw0rd-1\"}", uscc, mobile, code);
	api_call(c, "POST", "/api/account/register", body, NULL, &r);
	if (r.status != 201)
		fail_msg("register: %ld %s", r.status, r.body);
	api_free(&r);
}


char *api_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		fail_msg("cannot read %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	*len = fread(buf, 1, (size_t)n, f);
	fclose(f);
	return buf;
}

void api_upload(struct api_client *c, const char *no, const char *kind, const char *data,
		size_t len, const char *filename, const char *type, struct api_resp *r)
{
	static const char b[] = "----WebKitFormBoundary7MA4YWxkTrZu0gW";
	char path[200], head[600], ct[120];
	size_t hl, n;
	char *body;

	hl = (size_t)snprintf(head, sizeof(head),
			      "--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"%s\"\r\n"
			      "Content-Type: %s\r\n\r\n", b, filename, type);
	body = malloc(hl + len + 64);
	assert_non_null(body);
	memcpy(body, head, hl);
	memcpy(body + hl, data, len);
	n = hl + len;
	n += (size_t)snprintf(body + n, 64, "\r\n--%s--\r\n", b);
	snprintf(path, sizeof(path), "/api/upload/orders/%s/materials/%s", no, kind);
	snprintf(ct, sizeof(ct), "multipart/form-data; boundary=%s", b);
	api_call_raw(c, "POST", path, ct, body, n, NULL, r);
	free(body);
}

/* ---- staff: password, then the second factor (TOTP, RFC 6238) ---------------------------- */

/* RFC 4648 base32 (upper case, no padding) into bytes; -1 on a bad character. */
static int base32_decode(const char *s, unsigned char *out, size_t outsz)
{
	static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	unsigned bits = 0, acc = 0;
	size_t n = 0;

	for (; *s && *s != '='; s++) {
		const char *p = strchr(abc, *s);

		if (!p || n >= outsz)
			return -1;
		acc = acc << 5 | (unsigned)(p - abc);
		bits += 5;
		if (bits >= 8) {
			out[n++] = (unsigned char)(acc >> (bits - 8));
			bits -= 8;
		}
	}
	return (int)n;
}

/* An independent RFC 6238 / RFC 4226 implementation (HMAC-SHA1, 6 digits) over OpenSSL's
 * HMAC, so the tests do not take the server's liboath on trust. */
void api_totp(const char *secret_b32, long long step, char out[7])
{
	unsigned char key[64], msg[8], *mac;
	unsigned int maclen = 0;
	int klen = base32_decode(secret_b32, key, sizeof(key)), off;
	uint32_t bin;

	assert_true(klen > 0);
	for (int i = 7; i >= 0; i--, step >>= 8)
		msg[i] = (unsigned char)(step & 0xff);
	mac = HMAC(EVP_sha1(), key, klen, msg, sizeof(msg), NULL, &maclen);
	assert_non_null(mac);
	off = mac[maclen - 1] & 0x0f;
	bin = (uint32_t)(mac[off] & 0x7f) << 24 | (uint32_t)mac[off + 1] << 16 |
	      (uint32_t)mac[off + 2] << 8 | mac[off + 3];
	snprintf(out, 7, "%06u", bin % 1000000u);
}

long long api_totp_step_now(void)
{
	return (long long)time(NULL) / 30;
}

/* The secret and last used step of a staff member's authenticator, kept in the stack dir. */
static void totp_file(const char *user, char *path, size_t n)
{
	char rel[128];

	snprintf(rel, sizeof(rel), "run/totp-%s", user);
	api_stack_path(rel, path, n);
}

static bool totp_load(const char *user, char secret[64], long long *last)
{
	char path[512];
	FILE *f;
	bool ok;

	totp_file(user, path, sizeof(path));
	f = fopen(path, "r");
	if (!f)
		return false;
	ok = fscanf(f, "%63s %lld", secret, last) == 2;
	fclose(f);
	return ok;
}

static void totp_save(const char *user, const char *secret, long long last)
{
	char path[512];
	FILE *f;

	totp_file(user, path, sizeof(path));
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "%s %lld\n", secret, last);
	fclose(f);
}

/* A code of a step no code of this member was taken from yet (the server takes each step once,
 * ±1 step of now): the authenticator app's next code, waiting for it when all three are used. */
long long api_totp_fresh(const char *user, const char *secret, long long last, char code[7])
{
	long long step, now;

	/* Not now - 1: a step boundary passing before the server checks would put it out of reach. */
	for (;;) {
		now = api_totp_step_now();
		step = last + 1 > now ? last + 1 : now;
		if (step <= now + 1)
			break;
		sleep(1);
	}
	api_totp(secret, step, code);
	totp_save(user, secret, step);
	return step;
}

void api_staff_verify(struct api_client *c, const char *user)
{
	char body[64], secret[64] = "", code[7];
	long long last = -1;
	struct api_resp r;

	if (!totp_load(user, secret, &last))
		fail_msg("no authenticator enrolled for %s on this stack", user);
	api_totp_fresh(user, secret, last, code);
	snprintf(body, sizeof(body), "{\"code\":\"%s\"}", code);
	api_call(c, "POST", "/api/account/staff/factor/verify", body, NULL, &r);
	if (r.status != 200)
		fail_msg("staff factor %s: %ld %s", user, r.status, r.body);
	api_free(&r);
}

void api_staff_login(struct api_client *c, const char *user, const char *pw)
{
	char body[240], secret[64] = "", code[7];
	long long last = -1;
	struct api_resp r;
	json_t *f;

	memset(c, 0, sizeof(*c)); /* a new browser: no cookie of an earlier session, nor stack bytes */
	snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"%s\"}", user, pw);
	api_call(c, "POST", "/api/account/staff/login", body, NULL, &r);
	if (r.status != 200)
		fail_msg("staff login %s: %ld %s", user, r.status, r.body);
	f = json_object_get(r.json, "factor");
	if (!json_is_true(json_object_get(f, "required")) || json_is_true(json_object_get(f, "passed"))) {
		api_free(&r);
		return;
	}
	api_free(&r);
	if (totp_load(user, secret, &last)) {
		api_staff_verify(c, user);
		return;
	}
	/* First login of this member on this stack: enrol, as the console's page does. */
	api_call(c, "POST", "/api/account/staff/factor/totp", NULL, NULL, &r);
	if (r.status != 201)
		fail_msg("staff enrol %s: %ld %s", user, r.status, r.body);
	snprintf(secret, sizeof(secret), "%s", json_string_value(json_object_get(r.json, "secret")));
	api_free(&r);
	api_totp_fresh(user, secret, -1, code);
	snprintf(body, sizeof(body), "{\"code\":\"%s\"}", code);
	api_call(c, "POST", "/api/account/staff/factor/totp/confirm", body, NULL, &r);
	if (r.status != 200)
		fail_msg("staff enrol confirm %s: %ld %s", user, r.status, r.body);
	api_free(&r);
}

int api_conf_load(struct conf *c)
{
	char err[512];

	conf_defaults(c);
	if (!getenv("CERTHALL_CONF") || conf_load(c, getenv("CERTHALL_CONF"), err, sizeof(err)) ||
	    conf_load_secrets(c, err, sizeof(err))) {
		fprintf(stderr, "CERTHALL_CONF: %s\n", getenv("CERTHALL_CONF") ? err : "not set");
		return -1;
	}
	return 0;
}
