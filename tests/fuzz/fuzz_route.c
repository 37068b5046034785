/* fuzz_route: libFuzzer harness for route_match and route_dispatch on a hand-built request. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "web/auth.h"
#include "web/route.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                          \
	do {                                 \
		if (!(cond))                 \
			__builtin_trap();    \
	} while (0)

static int h_ok(struct req *r)
{
	resp_json(r, 200, json_pack("{s:I}", "n", (json_int_t)r->nparams));
	return 0;
}

/* Every pattern starts with '/' and has ':' only at the start of a segment. The last one has
 * more parameters than REQ_MAX_PARAMS and must never match. */
static const struct route routes[] = {
	{ "GET", "/", h_ok, ROUTE_PUBLIC, 0 },
	{ "GET", "/api/track", h_ok, ROUTE_PUBLIC, 0 },
	{ "GET", "/api/track/:no", h_ok, ROUTE_PUBLIC, 0 },
	{ "POST", "/api/track/:no", h_ok, ROUTE_PUBLIC, 0 },
	{ "GET", "/api/orders/:id/items/:item", h_ok, ROUTE_PUBLIC, 0 },
	{ "DELETE", "/api/orders/:id", h_ok, ROUTE_PUBLIC, 0 },
	{ "PUT", "/api/orders/:id/", h_ok, ROUTE_PUBLIC, 0 },
	{ "GET", "/:a/:b/:c/:d", h_ok, ROUTE_PUBLIC, 0 },
	{ "GET", "/x/:a/:b/:c/:d/:e", h_ok, ROUTE_PUBLIC, 0 },
};

/* Every route here is public, so the dispatcher never asks for a session: the harness links
 * no database, and a call would be a bug. */
int auth_require(struct req *r, unsigned roles)
{
	(void)r;
	(void)roles;
	__builtin_trap();
}

#define NROUTES (sizeof(routes) / sizeof(routes[0]))

static size_t count_char(const char *s, char c)
{
	size_t k = 0;

	for (; *s; s++)
		k += *s == c;
	return k;
}

/* A plain reference: split both on '/', same number of segments, a ":x" segment takes any
 * non-empty one, others compare equal; at most REQ_MAX_PARAMS parameters. */
static bool ref_match(const char *pat, const char *path)
{
	if (count_char(pat, '/') != count_char(path, '/') || count_char(pat, ':') > REQ_MAX_PARAMS)
		return false;
	for (;;) {
		size_t pl = strcspn(pat, "/"), sl = strcspn(path, "/");

		if (pat[0] == ':') {
			if (sl == 0)
				return false;
		} else if (pl != sl || memcmp(pat, path, pl) != 0) {
			return false;
		}
		if (!pat[pl])
			return !path[sl];
		pat += pl + 1;
		path += sl + 1;
	}
}

/* The pattern with its parameters put back must give the path again. */
static void check_params(const struct route *rt, const struct req *r)
{
	const char *pat = rt->pattern, *path = r->path;
	size_t k = 0;

	CHECK(r->nparams == count_char(pat, ':'));
	while (*pat) {
		size_t pl = strcspn(pat, "/"), sl;

		if (*pat == ':') {
			const char *p = r->params[k++];

			sl = strlen(p);
			CHECK(sl > 0 && !strchr(p, '/'));
			CHECK(strncmp(path, p, sl) == 0);
		} else {
			sl = pl;
			CHECK(strncmp(path, pat, pl) == 0);
		}
		pat += pl;
		path += sl;
		CHECK(*pat == *path);
		if (*pat) {
			pat++;
			path++;
		}
	}
	CHECK(*path == '\0' && k == r->nparams);
}

static void new_req(struct req *r, struct arena *a, const char *method, const char *path)
{
	memset(r, 0, sizeof(*r));
	r->arena = a;
	r->method = method;
	r->path = path;
	r->query = "";
	r->content_length = -1;
	memcpy(r->rid, "fuzz", 5);
}

static const char *header(const struct req *r, const char *name)
{
	for (size_t i = 0; i < r->nheaders; i++)
		if (strcmp(r->headers[i][0], name) == 0)
			return r->headers[i][1];
	return NULL;
}

static void run(const char *method, const char *path)
{
	const char *want = strcmp(method, "HEAD") == 0 ? "GET" : method;
	const struct route *rt = NULL, *expect = NULL;
	bool path_seen = false;
	struct arena a;
	struct req r;
	size_t len;
	int rc;

	for (size_t i = 0; i < NROUTES && !expect; i++) {
		if (!ref_match(routes[i].pattern, path))
			continue;
		path_seen = true;
		if (strcmp(routes[i].method, want) == 0)
			expect = &routes[i];
	}
	if (arena_init(&a, 64, 1 << 20) != 0)
		return;
	new_req(&r, &a, method, path);
	rc = route_match(routes, NROUTES, &r, &rt);
	CHECK(rt == expect);
	if (expect) {
		CHECK(rc == ROUTE_OK);
		check_params(rt, &r);
	} else {
		CHECK(rc == (path_seen ? ROUTE_BAD_METHOD : ROUTE_NOT_FOUND));
		CHECK(r.nparams == 0);
	}

	/* The same request through the dispatcher: 200 from the handler, or 404 / 405 + Allow. */
	arena_reset(&a);
	new_req(&r, &a, method, path);
	route_dispatch(routes, NROUTES, &r);
	CHECK(r.responded);
	if (rc == ROUTE_OK) {
		CHECK(r.status == 200);
	} else if (rc == ROUTE_BAD_METHOD) {
		const char *allow = header(&r, "Allow");

		CHECK(r.status == 405 && allow && *allow);
	} else {
		CHECK(r.status == 404);
	}
	CHECK(resp_render(&r, &len) && len > 0);
	arena_free(&a);
}

/* "METHOD\npath": up to the first newline is the method (GET without one), the rest the
 * path; both end at the first NUL, as they would coming from FastCGI params. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t mlen = nl ? (size_t)(nl - data) : 3, plen = nl ? size - mlen - 1 : size;
	char *method = malloc(mlen + 1), *path = malloc(plen + 1);

	if (method && path) {
		memcpy(method, nl ? data : (const uint8_t *)"GET", mlen);
		method[mlen] = '\0';
		memcpy(path, nl ? nl + 1 : data, plen);
		path[plen] = '\0';
		run(method, path);
	}
	free(method);
	free(path);
	return 0;
}
