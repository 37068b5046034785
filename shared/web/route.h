/* route: the route table of a program: method + path pattern -> handler. */
#ifndef CERTHALL_ROUTE_H
#define CERTHALL_ROUTE_H

#include <stddef.h>

#include "web/req.h"

typedef int (*route_handler)(struct req *r);

/* A route that asks for no session: anyone may call it. */
#define ROUTE_PUBLIC 0u

/* A pattern is a path whose segments may be ":name" (one non-empty segment, captured in
 * order into r->params). Roles are who may call the route: ROUTE_PUBLIC, or the ROLE_* bits
 * of shared/web/auth.h, which the dispatcher checks with auth_require before the handler
 * runs; every route of a table names them (make check: tools/routes.sh). The handler checks
 * only what the table cannot, such as who owns the order. Flags are the AUTH_ROUTE_* bits
 * that auth_require reads; the dispatcher copies them into r->route_flags. */
struct route {
	const char *method;
	const char *pattern;
	route_handler handler;
	unsigned roles;
	unsigned flags;
};

enum { ROUTE_OK = 0, ROUTE_NOT_FOUND = -1, ROUTE_BAD_METHOD = -2 };

/* Finds the route for r->method and r->path and fills r->params. HEAD is served by GET. */
int route_match(const struct route *routes, size_t n, struct req *r, const struct route **found);

/* Matches the table, answers 404/405 (with Allow) itself, then for a route with roles
 * auth_require (401, 403), else calls the handler; a handler that fails without answering
 * gets a 500. */
void route_dispatch(const struct route *routes, size_t n, struct req *r);

#endif
