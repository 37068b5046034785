/* account: registration, logins, sessions, SMS codes, passwords, staff. */
#ifndef CERTHALL_ACCOUNT_H
#define CERTHALL_ACCOUNT_H

#include <stdbool.h>

#include "req.h"

int account_sms_code(struct req *r);
int account_register(struct req *r);
int account_login(struct req *r);
int account_login_sms(struct req *r);
int account_logout(struct req *r);
int account_reset_password(struct req *r);
int account_change_password(struct req *r);
int account_change_mobile(struct req *r);
int account_me(struct req *r);
int staff_login(struct req *r);
int staff_me(struct req *r);
int staff_outbox(struct req *r);

/* Field checks shared by the handlers. */
bool account_is_mobile(const char *s);
bool account_is_code(const char *s);
bool account_is_password(const char *s);

/* Login throttling (per login name and per client address, failures only).
 * account_throttled answers 429 with Retry-After and returns -1 when either is over. */
int account_throttled(struct req *r, const char *who);
void account_count_failure(struct req *r, const char *who);

/* Checks a code for (mobile, purpose) and answers the failure itself. 0 or -1 (answered). */
int account_take_code(struct req *r, const char *mobile, const char *purpose, const char *code);

/* The answer of a successful login: who, and the CSRF token the pages echo. */
int account_logged_in(struct req *r, int status);

#endif
