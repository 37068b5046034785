/* req: request params, bounded body reading, JSON bodies and declared fields. */
#include "web/req.h"

#include <errno.h>
#include <fcgiapp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crypto/crypto.h"
#include "web/app_state.h"
#include "base/valid.h"

static const char *param_copy(struct req *r, const char *name)
{
	const char *v = r->fcgi ? FCGX_GetParam(name, r->fcgi->envp) : NULL;

	return v ? arena_strdup(r->arena, v) : NULL;
}

const char *req_param(struct req *r, const char *name)
{
	return param_copy(r, name);
}

static bool is_hex_id(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
		if (!strchr("0123456789abcdef", s[n]))
			return false;
	return n >= 16 && n <= 32;
}

static long long parse_length(const char *s)
{
	char *end;
	long long v;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v < 0)
		return -2;
	return v;
}

int req_init_fcgi(struct req *r, struct arena *a, struct app *app, struct FCGX_Request *f)
{
	const char *v, *q;

	memset(r, 0, sizeof(*r));
	r->arena = a;
	r->app = app;
	r->fcgi = f;
	r->status = 200;
	v = FCGX_GetParam("REQUEST_ID", f->envp);
	if (v && is_hex_id(v))
		snprintf(r->rid, sizeof(r->rid), "%s", v);
	else if (crypto_token_hex(r->rid, sizeof(r->rid), 16) < 0)
		snprintf(r->rid, sizeof(r->rid), "norandom");
	r->method = param_copy(r, "REQUEST_METHOD");
	/* DOCUMENT_URI is the decoded, normalised path nginx matched; REQUEST_URI is raw. */
	v = FCGX_GetParam("DOCUMENT_URI", f->envp);
	if (!v) {
		v = FCGX_GetParam("REQUEST_URI", f->envp);
		q = v ? strchr(v, '?') : NULL;
		r->path = v ? arena_strndup(a, v, q ? (size_t)(q - v) : strlen(v)) : NULL;
	} else {
		r->path = arena_strdup(a, v);
	}
	r->query = param_copy(r, "QUERY_STRING");
	r->content_type = param_copy(r, "CONTENT_TYPE");
	r->remote_addr = param_copy(r, "REMOTE_ADDR");
	r->cookie = param_copy(r, "HTTP_COOKIE");
	r->content_length = parse_length(FCGX_GetParam("CONTENT_LENGTH", f->envp));
	v = FCGX_GetParam("HTTPS", f->envp);
	r->https = v && (strcmp(v, "on") == 0 || strcmp(v, "1") == 0);
	if (!r->method)
		r->method = "";
	if (!r->path)
		r->path = "";
	if (!r->query)
		r->query = "";
	if (!r->remote_addr)
		r->remote_addr = "";
	return 0;
}

int req_args(struct req *r, struct kvlist *out)
{
	int rc = decode_urlencoded(r->arena, r->query, strlen(r->query), REQ_MAX_ARGS, out);

	if (rc == DECODE_OK)
		return 0;
	if (rc == DECODE_NOMEM)
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	return resp_error(r, ERR_BAD_QUERY, NULL, rc == DECODE_TOO_MANY ? "请求参数过多。" : NULL);
}

static char *too_large_message(struct req *r, size_t max)
{
	return arena_printf(r->arena, "提交的内容过大：最多 %zu 字节。", max);
}

int req_body(struct req *r, size_t max, const char **buf, size_t *len)
{
	char *b;
	size_t n = 0;

	if (r->content_length == -2)
		return resp_error(r, ERR_BAD_REQUEST, NULL, NULL);
	if (r->content_length > 0 && (unsigned long long)r->content_length > max)
		return resp_error(r, ERR_TOO_LARGE, NULL, too_large_message(r, max));
	b = arena_alloc(r->arena, max + 2);
	if (!b)
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	if (r->fcgi) {
		/* Read one byte past max to tell "exactly max" from "more than max". */
		for (;;) {
			int got = FCGX_GetStr(b + n, (int)(max + 1 - n), r->fcgi->in);

			if (got <= 0)
				break;
			n += (size_t)got;
			if (n > max)
				break;
		}
	} else {
		n = r->test_body_len < max + 1 ? r->test_body_len : max + 1;
		if (n)
			memcpy(b, r->test_body, n);
	}
	if (n > max)
		return resp_error(r, ERR_TOO_LARGE, NULL, too_large_message(r, max));
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

static void json_release(void *p)
{
	json_decref(p);
}

static bool is_json_type(const char *ct)
{
	static const char want[] = "application/json";
	size_t n = sizeof(want) - 1;

	if (!ct || strncasecmp(ct, want, n) != 0)
		return false;
	return ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ';
}

int req_json(struct req *r, json_t **out)
{
	const char *buf;
	size_t len, max = (size_t)r->app->conf.json_body_max;
	json_error_t jerr;
	json_t *j;

	*out = NULL;
	if (!is_json_type(r->content_type))
		return resp_error(r, ERR_UNSUPPORTED_MEDIA, NULL, NULL);
	if (req_body(r, max, &buf, &len) < 0)
		return -1;
	j = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!j)
		return resp_error(r, ERR_BAD_JSON, NULL, NULL);
	if (arena_defer(r->arena, json_release, j) < 0) {
		json_decref(j);
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	}
	if (!json_is_object(j))
		return resp_error(r, ERR_BAD_JSON, NULL, NULL);
	*out = j;
	return 0;
}

static const char **field_slot(void *in, const struct req_field *f)
{
	return (const char **)(void *)((char *)in + f->offset);
}

enum err_code req_field_check(json_t *obj, const struct req_field *f, const char **out)
{
	json_t *v = json_object_get(obj, f->name);
	const char *s;
	size_t len;

	*out = NULL;
	if (!v || json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0))
		return f->required ? ERR_MISSING_FIELD : ERR__COUNT;
	if (!json_is_string(v))
		return ERR_INVALID_FIELD;
	s = json_string_value(v);
	len = json_string_length(v);
	/* jansson accepts \u0000 inside strings: a NUL would cut the value short later. */
	if (strlen(s) != len || !valid_text(s, len, f->max_chars) || (f->check && !f->check(s)))
		return ERR_INVALID_FIELD;
	*out = s;
	return ERR__COUNT;
}

int req_fields(struct req *r, json_t *obj, const struct req_field *f, size_t n, void *in)
{
	enum err_code e = ERR__COUNT;
	size_t i;

	for (i = 0; i < n; i++)
		*field_slot(in, &f[i]) = NULL;
	for (i = 0; i < n; i++) {
		e = req_field_check(obj, &f[i], field_slot(in, &f[i]));
		if (e != ERR__COUNT)
			goto fail;
	}
	return 0;
fail:
	for (size_t k = 0; k < i; k++)
		*field_slot(in, &f[k]) = NULL;
	return resp_error(r, e, f[i].name, f[i].message);
}
