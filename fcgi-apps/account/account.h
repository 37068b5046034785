/* account: registration, logins, sessions, SMS codes, passwords, staff. */
#ifndef CERTHALL_ACCOUNT_H
#define CERTHALL_ACCOUNT_H

#include <jansson.h>
#include <stdbool.h>
#include <time.h>

#include "web/req.h"

int account_sms_code(struct req *r);
int account_register(struct req *r);
int account_login(struct req *r);
int account_login_sms(struct req *r);
int account_logout(struct req *r);
int account_reset_password(struct req *r);
int account_change_password(struct req *r);
int account_change_mobile(struct req *r);
int account_me(struct req *r);
int account_cert_login_info(struct req *r); /* certlogin.c */
int account_cert_challenge(struct req *r);
int account_cert_login(struct req *r);
int staff_login(struct req *r);
int staff_me(struct req *r);
int staff_outbox(struct req *r);
int staff_factor_totp(struct req *r);          /* factor.c */
int staff_factor_totp_confirm(struct req *r);
int staff_factor_verify(struct req *r);
int staff_factor_cert(struct req *r);
int staff_factor_reset(struct req *r);

/* The staff member's second factor for the pages (what is enrolled, whether this session
 * passed it), or NULL (answered). */
json_t *staff_factor_json(struct req *r);

/* At staff login: a verified client certificate bound to the member passes the factor.
 * Returns 0 or -1 (answered). */
int staff_factor_at_login(struct req *r);

/* Field checks shared by the handlers. */
bool account_is_mobile(const char *s);
bool account_is_code(const char *s);
bool account_is_password(const char *s);

/* Login throttling per login name and per client address. The attempt is counted before the
 * password is checked, so parallel guesses cannot all pass a read-then-count check; a right
 * password takes the attempt back, so only failures add up. */
struct login_attempt {
	char name_bucket[128];
	char ip_bucket[128];
	time_t at;
};

/* Counts the attempt; answers 429 with Retry-After and returns -1 when over either limit. */
int account_attempt(struct req *r, const char *who, struct login_attempt *at);

/* The password was right: the attempt does not count. */
void account_attempt_ok(struct req *r, const struct login_attempt *at);

/* Checks a code for (mobile, purpose) and answers the failure itself. 0 or -1 (answered). */
int account_take_code(struct req *r, const char *mobile, const char *purpose, const char *code);

/* The answer of a successful login: who, and the CSRF token the pages echo. */
int account_logged_in(struct req *r, int status);

#endif
