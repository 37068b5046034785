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
#include <unistd.h>

#include "crypto.h"

struct buf {
	char *p;
	size_t n;
};

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

void api_request_h(const char *method, const char *path, const char *content_type,
		   const char *body, size_t len, const char *const *headers, struct api_resp *out)
{
	const char *base = getenv("CERTHALL_URL");
	struct buf bb = { 0 }, hb = { 0 };
	struct curl_slist *hdrs = NULL;
	char url[4096], ct[256];
	CURL *c;
	CURLcode rc;

	memset(out, 0, sizeof(*out));
	if (!base)
		fail_msg("CERTHALL_URL is not set: API tests run against a live stack (make test)");
	snprintf(url, sizeof(url), "%s%s", base, path);
	c = curl_easy_init();
	assert_non_null(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
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
size_t api_sandbox_count(const char *mobile, char *last_code)
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
	if (last_code && n) {
		const char *text = json_string_value(json_object_get(json_array_get(list, 0), "text"));

		last_code[0] = '\0';
		for (const char *p = text; p && *p; p++) {
			if (strspn(p, "0123456789") == 6) {
				memcpy(last_code, p, 6);
				last_code[6] = '\0';
				break;
			}
		}
	}
	api_free(&r);
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
