/* certhall-account: registration, login (password or SMS code), sessions, staff. */
#include "account.h"
#include "web/app.h"
#include "web/req.h"
#include "web/serve.h"
#include "web/auth.h"

static const struct route routes[] = {
	{ "POST", "/api/account/sms-code", account_sms_code, ROUTE_PUBLIC, 0 },
	{ "POST", "/api/account/register", account_register, ROUTE_PUBLIC, 0 },
	{ "POST", "/api/account/login", account_login, ROUTE_PUBLIC, 0 },
	{ "POST", "/api/account/login-sms", account_login_sms, ROUTE_PUBLIC, 0 },
	{ "GET", "/api/account/cert-login", account_cert_login_info, ROUTE_PUBLIC, 0 },
	{ "POST", "/api/account/cert-login/challenge", account_cert_challenge, ROUTE_PUBLIC, 0 },
	{ "POST", "/api/account/cert-login", account_cert_login, ROUTE_PUBLIC, 0 },
	{ "POST", "/api/account/logout", account_logout, ROLE_APPLICANT | ROLE_STAFF, AUTH_ROUTE_PASSWORD_ONLY },
	{ "POST", "/api/account/password-reset", account_reset_password, ROUTE_PUBLIC, 0 },
	{ "POST", "/api/account/password", account_change_password, ROLE_APPLICANT | ROLE_STAFF, 0 },
	{ "POST", "/api/account/mobile", account_change_mobile, ROLE_APPLICANT, 0 },
	{ "GET", "/api/account/me", account_me, ROLE_APPLICANT, 0 },
	{ "POST", "/api/account/staff/login", staff_login, ROUTE_PUBLIC, 0 },
	{ "GET", "/api/account/staff/me", staff_me, ROLE_STAFF, AUTH_ROUTE_PASSWORD_ONLY },
	{ "GET", "/api/account/staff/outbox", staff_outbox, ROLE_ADMIN, 0 },
	/* A password-only staff session reaches these and nothing else (shared/web/auth.h). */
	{ "POST", "/api/account/staff/factor/totp", staff_factor_totp, ROLE_STAFF, AUTH_ROUTE_PASSWORD_ONLY },
	{ "POST", "/api/account/staff/factor/totp/confirm", staff_factor_totp_confirm, ROLE_STAFF, AUTH_ROUTE_PASSWORD_ONLY },
	{ "POST", "/api/account/staff/factor/cert", staff_factor_cert, ROLE_STAFF, AUTH_ROUTE_PASSWORD_ONLY },
	{ "POST", "/api/account/staff/factor/verify", staff_factor_verify, ROLE_STAFF, AUTH_ROUTE_PASSWORD_ONLY },
	{ "POST", "/api/account/staff/factor/reset", staff_factor_reset, ROLE_ADMIN, AUTH_ROUTE_FRESH },
	{ "GET", "/api/account/health", serve_health, ROUTE_PUBLIC, 0 },
};

static const struct serve_def account_app = {
	.name = "account",
	.routes = routes,
	.nroutes = sizeof(routes) / sizeof(routes[0]),
	.needs_key = true,
};

int main(int argc, char **argv)
{
	return serve_main(argc, argv, &account_app);
}
