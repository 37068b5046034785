/* certhall-account: registration, login (password or SMS code), sessions, staff. */
#include "account.h"
#include "web/app.h"
#include "web/req.h"
#include "web/serve.h"
#include "web/auth.h"

static const struct route routes[] = {
	{ "POST", "/api/account/sms-code", account_sms_code, 0 },
	{ "POST", "/api/account/register", account_register, 0 },
	{ "POST", "/api/account/login", account_login, 0 },
	{ "POST", "/api/account/login-sms", account_login_sms, 0 },
	{ "POST", "/api/account/logout", account_logout, AUTH_ROUTE_PASSWORD_ONLY },
	{ "POST", "/api/account/password-reset", account_reset_password, 0 },
	{ "POST", "/api/account/password", account_change_password, 0 },
	{ "POST", "/api/account/mobile", account_change_mobile, 0 },
	{ "GET", "/api/account/me", account_me, 0 },
	{ "POST", "/api/account/staff/login", staff_login, 0 },
	{ "GET", "/api/account/staff/me", staff_me, AUTH_ROUTE_PASSWORD_ONLY },
	{ "GET", "/api/account/staff/outbox", staff_outbox, 0 },
	/* A password-only staff session reaches these and nothing else (shared/web/auth.h). */
	{ "POST", "/api/account/staff/factor/totp", staff_factor_totp, AUTH_ROUTE_PASSWORD_ONLY },
	{ "POST", "/api/account/staff/factor/totp/confirm", staff_factor_totp_confirm, AUTH_ROUTE_PASSWORD_ONLY },
	{ "POST", "/api/account/staff/factor/cert", staff_factor_cert, AUTH_ROUTE_PASSWORD_ONLY },
	{ "POST", "/api/account/staff/factor/verify", staff_factor_verify, AUTH_ROUTE_PASSWORD_ONLY },
	{ "POST", "/api/account/staff/factor/reset", staff_factor_reset, AUTH_ROUTE_FRESH },
	{ "GET", "/api/account/health", serve_health, 0 },
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
