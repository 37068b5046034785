/* resp: headers (CR/LF refused), JSON answers, the error envelope, CGI output. */
#include <fcgiapp.h>
#include <string.h>

#include "base/log.h"
#include "web/req.h"

struct err_def {
	const char *code;
	int status;
	const char *message;
};

#define ERROR_ROW(e, code, status, msg) [e] = { code, status, msg },
static const struct err_def err_defs[] = { ERROR_TABLE(ERROR_ROW) };
#undef ERROR_ROW

const char *err_code_name(enum err_code e)
{
	return err_defs[e].code;
}

int err_status(enum err_code e)
{
	return err_defs[e].status;
}

const char *err_message(enum err_code e)
{
	return err_defs[e].message;
}

static const char *status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 302: return "Found";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	case 415: return "Unsupported Media Type";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Unknown";
	}
}

static bool header_safe(const char *s)
{
	return s && !strpbrk(s, "\r\n");
}

int resp_header(struct req *r, const char *name, const char *value)
{
	if (!header_safe(name) || !header_safe(value) || !*name || strchr(name, ':'))
		return -1;
	if (r->nheaders == REQ_MAX_HEADERS)
		return -1;
	r->headers[r->nheaders][0] = arena_strdup(r->arena, name);
	r->headers[r->nheaders][1] = arena_strdup(r->arena, value);
	if (!r->headers[r->nheaders][0] || !r->headers[r->nheaders][1])
		return -1;
	r->nheaders++;
	return 0;
}

/* The last-resort answer when even building the error fails. */
static const char fallback_body[] =
	"{\"error\":{\"code\":\"internal\",\"message\":\"系统繁忙，请稍后重试。\"}}";

void resp_json(struct req *r, int status, json_t *body)
{
	char *s = body ? json_dumps(body, JSON_COMPACT) : NULL;

	json_decref(body);
	r->responded = true;
	r->resp_type = "application/json; charset=utf-8";
	if (!s) {
		r->status = 500;
		r->body = fallback_body;
		r->body_len = sizeof(fallback_body) - 1;
		return;
	}
	r->status = status;
	r->body_len = strlen(s);
	r->body = arena_strndup(r->arena, s, r->body_len);
	free(s);
	if (!r->body) {
		r->status = 500;
		r->body = fallback_body;
		r->body_len = sizeof(fallback_body) - 1;
	}
}

void resp_json_text(struct req *r, int status, const char *body, size_t len)
{
	r->responded = true;
	r->resp_type = "application/json; charset=utf-8";
	r->status = body ? status : 500;
	r->body = body ? body : fallback_body;
	r->body_len = body ? len : sizeof(fallback_body) - 1;
}

void resp_not_modified(struct req *r)
{
	r->responded = true;
	r->status = 304;
	r->body = "";
	r->body_len = 0;
}

int resp_error(struct req *r, enum err_code e, const char *field, const char *message)
{
	return resp_error_with(r, e, field, message, NULL);
}

int resp_error_with(struct req *r, enum err_code e, const char *field, const char *message,
		    json_t *extra)
{
	json_t *err = json_object(), *root = json_object();

	if (err && root) {
		if (extra)
			json_object_update(err, extra);
		json_object_set_new(err, "code", json_string(err_defs[e].code));
		json_object_set_new(err, "message", json_string(message ? message : err_defs[e].message));
		if (field)
			json_object_set_new(err, "field", json_string(field));
		json_object_set_new(err, "request_id", json_string(r->rid));
		json_object_set(root, "error", err);
	}
	json_decref(err);
	json_decref(extra);
	resp_json(r, err_defs[e].status, root);
	if (err_defs[e].status >= 500)
		log_rid(LOG_ERROR, r->rid, "%s %s -> %d %s", r->method, r->path, err_defs[e].status,
			err_defs[e].code);
	return -1;
}

char *resp_render(struct req *r, size_t *len)
{
	char *head = arena_printf(r->arena, "Status: %d %s\r\nContent-Type: %s\r\n", r->status,
				  status_text(r->status),
				  r->resp_type ? r->resp_type : "application/json; charset=utf-8");
	size_t n, cap;
	char *out;

	if (!head)
		return NULL;
	cap = strlen(head) + r->body_len + 64;
	for (size_t i = 0; i < r->nheaders; i++)
		cap += strlen(r->headers[i][0]) + strlen(r->headers[i][1]) + 4;
	cap += strlen(r->rid) + 20;
	out = arena_alloc(r->arena, cap);
	if (!out)
		return NULL;
	n = (size_t)snprintf(out, cap, "%sX-Request-Id: %s\r\n", head, r->rid);
	for (size_t i = 0; i < r->nheaders; i++)
		n += (size_t)snprintf(out + n, cap - n, "%s: %s\r\n", r->headers[i][0], r->headers[i][1]);
	n += (size_t)snprintf(out + n, cap - n, "\r\n");
	if (r->body_len)
		memcpy(out + n, r->body, r->body_len);
	n += r->body_len;
	*len = n;
	return out;
}

void resp_send(struct req *r)
{
	size_t len;
	char *out = resp_render(r, &len);

	if (!out) {
		static const char fb[] = "Status: 500 Internal Server Error\r\n"
					 "Content-Type: application/json; charset=utf-8\r\n\r\n";

		FCGX_PutStr(fb, (int)sizeof(fb) - 1, r->fcgi->out);
		FCGX_PutStr(fallback_body, (int)sizeof(fallback_body) - 1, r->fcgi->out);
		return;
	}
	FCGX_PutStr(out, (int)len, r->fcgi->out);
}
