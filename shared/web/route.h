/* route: the route table of a program: method + path pattern -> handler. */
#ifndef CERTHALL_ROUTE_H
#define CERTHALL_ROUTE_H

#include <stddef.h>

#include "web/req.h"

typedef int (*route_handler)(struct req *r);

/* A pattern is a path whose segments may be ":name" (one non-empty segment, captured in
 * order into r->params). Flags are for later layers: the dispatcher copies them into
 * r->route_flags, where auth_require reads its AUTH_ROUTE_* bits. */
struct route {
	const char *method;
	const char *pattern;
	route_handler handler;
	unsigned flags;
};

enum { ROUTE_OK = 0, ROUTE_NOT_FOUND = -1, ROUTE_BAD_METHOD = -2 };

/* Finds the route for r->method and r->path and fills r->params. HEAD is served by GET. */
int route_match(const struct route *routes, size_t n, struct req *r, const struct route **found);

/* Matches the table, answers 404/405 (with Allow) itself, else calls the handler; a handler
 * that fails without answering gets a 500. */
void route_dispatch(const struct route *routes, size_t n, struct req *r);

#endif
