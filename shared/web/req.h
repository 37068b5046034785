/* req: one request: FastCGI params copied into the arena, decoded input, the response. */
#ifndef CERTHALL_REQ_H
#define CERTHALL_REQ_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"
#include "base/decode.h"
#include "base/errors.h"

#define REQ_MAX_PARAMS 4
#define REQ_MAX_HEADERS 16
#define REQ_MAX_ARGS 64

struct app;
struct FCGX_Request;

struct req {
	struct arena *arena;
	struct app *app;
	struct FCGX_Request *fcgi;   /* NULL when a test builds the request by hand */
	char rid[40];                /* request id: nginx $request_id, or made here */

	const char *method;
	const char *path;            /* without the query string */
	const char *query;
	const char *content_type;
	const char *remote_addr;
	const char *cookie;
	long long content_length;    /* -1 when absent */
	bool https;
	const char *test_body;       /* the body when fcgi is NULL (tests) */
	size_t test_body_len;

	const char *params[REQ_MAX_PARAMS]; /* path parameters, in pattern order */
	size_t nparams;

	/* The response being built. */
	int status;
	const char *headers[REQ_MAX_HEADERS][2];
	size_t nheaders;
	const char *resp_type;
	const char *body;
	size_t body_len;
	bool responded;
	bool oom;                    /* an arena allocation failed while routing */
	unsigned route_flags;        /* the matched route's flags (AUTH_ROUTE_* of shared/web/auth.h) */

	/* Who asks: filled by auth_session() (shared/web/auth.h). */
	struct {
		bool loaded;
		int kind;                /* AUTH_NONE, AUTH_ACCOUNT, AUTH_STAFF */
		long long id;            /* accounts.id or staff.id */
		unsigned roles;
		long long session_id;
		char csrf[65];
		long factor_age;         /* seconds since the second factor passed; -1: password only */
	} auth;
};

/* Copies what the handlers use out of the FastCGI params into the arena. */
int req_init_fcgi(struct req *r, struct arena *a, struct app *app, struct FCGX_Request *f);

/* Any FastCGI param (HTTP_USER_AGENT, ...), or NULL. */
const char *req_param(struct req *r, const char *name);

/* The decoded query string; on a malformed one answers 400 bad_query and returns -1. */
int req_args(struct req *r, struct kvlist *out);

/* Reads the body, at most max bytes: a larger Content-Length is refused before reading
 * (413), a body that grows past max while read is refused too. Returns 0, or -1 with the
 * error answer set. The buffer is NUL-terminated and lives in the arena. */
int req_body(struct req *r, size_t max, const char **buf, size_t *len);

/* Reads a JSON object body within [limits] json_body_max. Answers 415 for another
 * Content-Type, 413 when too large, 400 bad_json when malformed, duplicated keys or not an
 * object. The object is released with the arena. Returns 0 or -1 (answered). */
int req_json(struct req *r, json_t **out);

/*
 * Declared input (STYLE.md rule 3): a handler names each field it accepts, whether it is
 * required, its length in characters and its check. Each field must be a JSON string of
 * well-formed UTF-8 without control characters. Undeclared fields are ignored. The first
 * failing field gets 400 with its name and its message. Returns 0 or -1 (answered).
 *
 * Each field lands in a `const char *` member of the handler's input struct, named by its
 * offset, so the table stays a static const array (Kore's http_argument_add). Every declared
 * member is NULL first; a field absent and optional stays NULL. On -1 every declared member
 * is NULL again: a caller that reads on after a failure finds no half-filled input. The
 * values live as long as obj.
 */
struct req_field {
	const char *name;
	bool required;
	size_t max_chars;
	bool (*check)(const char *value);  /* NULL: any text */
	const char *message;               /* zh-CN, names the field for people */
	size_t offset;                     /* offsetof(struct <handler>_in, <member>) */
};
int req_fields(struct req *r, json_t *obj, const struct req_field *fields, size_t n, void *in);

/* One field of obj checked as req_fields checks it, answering nothing: ERR__COUNT when it is
 * fine (*out the value, or NULL when absent and optional), else ERR_MISSING_FIELD or
 * ERR_INVALID_FIELD (*out NULL). For a step that reports all its faults at once. */
enum err_code req_field_check(json_t *obj, const struct req_field *f, const char **out);

/* req_fields over a whole table, counted here rather than by hand: table must be the array
 * itself, not a pointer to it. */
#define REQ_FIELDS(r, obj, table, in) \
	req_fields((r), (obj), (table), sizeof(table) / sizeof((table)[0]), (in))

/* Response. A header name or value holding CR, LF or NUL is refused (-1, nothing set). */
int resp_header(struct req *r, const char *name, const char *value);

/* Sets a JSON answer; takes ownership of body. */
void resp_json(struct req *r, int status, json_t *body);

/* A JSON text already written (base/jsonw.h), in the request's arena; NULL answers 500. */
void resp_json_text(struct req *r, int status, const char *body, size_t len);

/* Replaces the answer with 304 Not Modified and no body; the headers set stay (ETag,
 * Cache-Control). */
void resp_not_modified(struct req *r);

/* The error envelope: {"error":{"code","message","field","request_id"}}; message NULL
 * means the table's text for the code. Returns -1 so a handler can `return resp_error(...)`. */
int resp_error(struct req *r, enum err_code e, const char *field, const char *message);

/* The same, with more members in the error object (e.g. "limits"); takes ownership of extra. */
int resp_error_with(struct req *r, enum err_code e, const char *field, const char *message,
		    json_t *extra);

/* Writes status line, headers and body to the FastCGI stream. */
void resp_send(struct req *r);

/* The whole answer as CGI output (Status:, headers, blank line, body) into the arena: what
 * resp_send writes. For tests. */
char *resp_render(struct req *r, size_t *len);

#endif
