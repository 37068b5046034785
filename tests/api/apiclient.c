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
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
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
