/* route: method + path pattern matching with path parameters. */
#include "web/route.h"

#include <string.h>

#include "base/log.h"
#include "web/auth.h"

/* Matches one pattern; on success the captured segments are in r->params. */
static bool pattern_match(const char *pat, const char *path, struct req *r)
{
	size_t np = 0;

	while (*pat && *path) {
		if (*pat != '/' || *path != '/')
			return false;
		pat++;
		path++;
		if (*pat == ':') {
			size_t len = strcspn(path, "/");

			if (len == 0 || np == REQ_MAX_PARAMS)
				return false;
			r->params[np] = arena_strndup(r->arena, path, len);
			if (!r->params[np]) {
				r->oom = true;
				return false;
			}
			np++;
			pat += strcspn(pat, "/");
			path += len;
		} else {
			size_t len = strcspn(pat, "/");

			if (strncmp(pat, path, len) != 0 || (path[len] != '/' && path[len] != '\0'))
				return false;
			pat += len;
			path += len;
		}
	}
	if (*pat || *path)
		return false;
	r->nparams = np;
	return true;
}

int route_match(const struct route *routes, size_t n, struct req *r, const struct route **found)
{
	const char *method = strcmp(r->method, "HEAD") == 0 ? "GET" : r->method;
	bool path_seen = false;

	*found = NULL;
	for (size_t i = 0; i < n; i++) {
		if (!pattern_match(routes[i].pattern, r->path, r))
			continue;
		path_seen = true;
		if (strcmp(routes[i].method, method) == 0) {
			*found = &routes[i];
			return ROUTE_OK;
		}
	}
	r->nparams = 0;
	return path_seen ? ROUTE_BAD_METHOD : ROUTE_NOT_FOUND;
}

static void allow_header(const struct route *routes, size_t n, struct req *r)
{
	char allow[128] = "";
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		bool listed = false;

		if (!pattern_match(routes[i].pattern, r->path, r))
			continue;
		for (size_t j = 0; j < i && !listed; j++)
			listed = strcmp(routes[j].method, routes[i].method) == 0 &&
				 pattern_match(routes[j].pattern, r->path, r);
		if (listed)
			continue;
		o += (size_t)snprintf(allow + o, sizeof(allow) - o, "%s%s", o ? ", " : "",
				      routes[i].method);
		if (o >= sizeof(allow))
			break;
	}
	resp_header(r, "Allow", allow);
}

void route_dispatch(const struct route *routes, size_t n, struct req *r)
{
	const struct route *rt;
	int rc = route_match(routes, n, r, &rt);

	if (r->oom) {
		resp_error(r, ERR_INTERNAL, NULL, NULL);
		return;
	}
	if (rc == ROUTE_NOT_FOUND) {
		resp_error(r, ERR_NOT_FOUND, NULL, NULL);
		return;
	}
	if (rc == ROUTE_BAD_METHOD) {
		allow_header(routes, n, r);
		resp_error(r, ERR_METHOD, NULL, NULL);
		return;
	}
	r->route_flags = rt->flags;
	rc = rt->roles != ROUTE_PUBLIC ? auth_require(r, rt->roles) : 0;
	if (rc == 0)
		rc = rt->handler(r);
	if (!r->responded) {
		log_rid(LOG_ERROR, r->rid, "%s %s: handler returned %d without an answer", r->method,
			r->path, rc);
		resp_error(r, ERR_INTERNAL, NULL, NULL);
	}
}
