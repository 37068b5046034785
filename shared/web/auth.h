/* auth: sessions in a cookie, CSRF checks, and the role check the dispatcher makes for every
 * route that declares roles (struct route.roles, shared/web/route.h). */
#ifndef CERTHALL_AUTH_H
#define CERTHALL_AUTH_H

#include <stdbool.h>

#include "web/req.h"

enum { AUTH_NONE = 0, AUTH_ACCOUNT = 1, AUTH_STAFF = 2 };

#define ROLE_APPLICANT 0x01u
#define ROLE_REVIEWER 0x02u
#define ROLE_FINANCE 0x04u
#define ROLE_SHIPPING 0x08u
#define ROLE_ADMIN 0x10u
#define ROLE_STAFF (ROLE_REVIEWER | ROLE_FINANCE | ROLE_SHIPPING | ROLE_ADMIN)

/*
 * Route flags (struct route.flags) that auth_require reads for a staff session. With
 * [staff] second_factor = required, a staff session is "password only" until its second
 * factor passes, and reaches nothing but the routes marked AUTH_ROUTE_PASSWORD_ONLY (who am
 * I, enrol, verify, log out). A route marked AUTH_ROUTE_FRESH (a decision that leads to
 * issuance, revocation or a refund) also needs the factor to have passed within
 * [staff] factor_fresh seconds. Declared once per route, in the program's route table.
 */
#define AUTH_ROUTE_PASSWORD_ONLY 0x01u
#define AUTH_ROUTE_FRESH 0x02u

#define AUTH_COOKIE "certhall_session"
#define AUTH_CSRF_COOKIE "certhall_csrf"

/* The role bit of a staff role name ("reviewer"), 0 for an unknown one. */
unsigned auth_role_bit(const char *role);

/* Loads the session named by the cookie (once per request). An idle or expired session, or
 * one whose account or staff member was disabled, is deleted and counts as none.
 * Returns 0 when logged in, 1 when not, -1 when the database failed (answered). */
int auth_session(struct req *r);

/*
 * The role check of a route: route_dispatch calls it with the route's roles (its table
 * declares them, ROLE_REVIEWER, ...) before the handler runs; a handler calls it itself only
 * when the role depends on the request (account_sms_code: a mobile change).
 * Not logged in: 401. Logged in without one of `roles`: 403 (an admin passes every staff
 * check; an applicant never passes one). A staff session without the second factor the
 * route needs (AUTH_ROUTE_* above): 403 factor_required or factor_stale. A state-changing
 * method without the session's CSRF token in X-CSRF-Token: 403. Returns 0 or -1 (answered).
 */
int auth_require(struct req *r, unsigned roles);

/* Whether the session loaded has one of the roles in want, as auth_require decides it (an
 * admin has every staff role), without answering. */
bool auth_has_role(const struct req *r, unsigned want);

/* For every state-changing request, logged in or not (app.c calls it before any handler): a
 * browser's Origin or Sec-Fetch-Site must name this site. Returns 0 or -1 (answered 403 csrf). */
int auth_check_origin(struct req *r);

/* Starts a new session for the subject (a fresh token: the one presented, if any, is
 * deleted, so a planted cookie never becomes a logged-in one) and sets the cookies.
 * Returns 0 or -1 (answered). */
int auth_login(struct req *r, int kind, long long id, unsigned roles);

/* Whether the configuration asks staff for a second factor ([staff] second_factor). */
bool auth_factor_required(const struct req *r);

/* Records that the current staff session's second factor (kind "totp" or "cert") passed now.
 * Returns 0 or -1 (answered). */
int auth_factor_passed(struct req *r, const char *kind);

/* Deletes the current session and clears the cookies. */
int auth_logout(struct req *r);

/* Deletes every session of the subject but the current one (password or mobile changed). */
int auth_end_others(struct req *r, int kind, long long id);

#endif
