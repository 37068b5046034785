/* Unit tests of shared/web/route.c: the dispatcher checks a route's declared roles before its
 * handler runs. No database: an anonymous caller (no cookie) and a session already loaded
 * never reach one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "web/app_state.h"
#include "web/auth.h"
#include "web/route.h"

static int calls;

static int handler(struct req *r)
{
	calls++;
	resp_json(r, 200, json_pack("{s:b}", "ok", 1));
	return 0;
}

static const struct route routes[] = {
	{ "GET", "/public", handler, ROUTE_PUBLIC, 0 },
	{ "GET", "/mine", handler, ROLE_APPLICANT, 0 },
	{ "GET", "/review", handler, ROLE_REVIEWER, 0 },
	{ "POST", "/review", handler, ROLE_REVIEWER, 0 },
};

#define NROUTES (sizeof(routes) / sizeof(routes[0]))

static struct app app;

/* Dispatches method + path as `kind` with `roles` (AUTH_NONE: no cookie, not logged in) and
 * checks the status and whether the handler ran. */
static void expect(const char *method, const char *path, int kind, unsigned roles, int status,
		   bool ran)
{
	struct arena a;
	struct req r;

	assert_int_equal(arena_init(&a, 64, 1 << 20), 0);
	memset(&r, 0, sizeof(r));
	r.arena = &a;
	r.app = &app;
	r.method = method;
	r.path = path;
	r.query = "";
	r.content_length = -1;
	memcpy(r.rid, "test", 5);
	if (kind != AUTH_NONE) {
		r.auth.loaded = true;
		r.auth.kind = kind;
		r.auth.id = 7;
		r.auth.roles = roles;
	}
	calls = 0;
	route_dispatch(routes, NROUTES, &r);
	assert_true(r.responded);
	assert_int_equal(r.status, status);
	assert_int_equal(calls, ran ? 1 : 0);
	arena_free(&a);
}

static void test_anonymous_refused_before_handler(void **state)
{
	(void)state;
	expect("GET", "/mine", AUTH_NONE, 0, 401, false);
	expect("GET", "/review", AUTH_NONE, 0, 401, false);
	expect("POST", "/review", AUTH_NONE, 0, 401, false);
}

static void test_public_needs_no_session(void **state)
{
	(void)state;
	expect("GET", "/public", AUTH_NONE, 0, 200, true);
	expect("HEAD", "/public", AUTH_NONE, 0, 200, true);
}

/* Logged in without the route's role: 403 (an applicant never passes a staff check); with
 * it: the handler. */
static void test_role_checked(void **state)
{
	(void)state;
	expect("GET", "/review", AUTH_ACCOUNT, ROLE_APPLICANT, 403, false);
	expect("GET", "/mine", AUTH_ACCOUNT, ROLE_APPLICANT, 200, true);
}

/* A state-changing method still needs the session's CSRF token, checked before the handler. */
static void test_csrf_checked_before_handler(void **state)
{
	(void)state;
	expect("POST", "/review", AUTH_STAFF, ROLE_REVIEWER, 403, false);
}

/* Unknown paths and methods are answered before any role check. */
static void test_not_found_before_roles(void **state)
{
	(void)state;
	expect("GET", "/nowhere", AUTH_NONE, 0, 404, false);
	expect("DELETE", "/review", AUTH_NONE, 0, 405, false);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_anonymous_refused_before_handler),
		cmocka_unit_test(test_public_needs_no_session),
		cmocka_unit_test(test_role_checked),
		cmocka_unit_test(test_csrf_checked_before_handler),
		cmocka_unit_test(test_not_found_before_roles),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
