/* certhall-account: registration, login (password or SMS code), sessions, staff. */
#include "account.h"
#include "app.h"

static const struct route routes[] = {
	{ "POST", "/api/account/sms-code", account_sms_code, 0 },
	{ "POST", "/api/account/register", account_register, 0 },
	{ "POST", "/api/account/login", account_login, 0 },
	{ "POST", "/api/account/login-sms", account_login_sms, 0 },
	{ "POST", "/api/account/logout", account_logout, 0 },
	{ "POST", "/api/account/password-reset", account_reset_password, 0 },
	{ "POST", "/api/account/password", account_change_password, 0 },
	{ "POST", "/api/account/mobile", account_change_mobile, 0 },
	{ "GET", "/api/account/me", account_me, 0 },
	{ "POST", "/api/account/staff/login", staff_login, 0 },
	{ "GET", "/api/account/staff/me", staff_me, 0 },
	{ "GET", "/api/account/staff/outbox", staff_outbox, 0 },
	{ "GET", "/api/account/health", app_health, 0 },
};

static const struct app_def account_app = {
	.name = "account",
	.routes = routes,
	.nroutes = sizeof(routes) / sizeof(routes[0]),
	.needs_key = true,
};

int main(int argc, char **argv)
{
	return app_main(argc, argv, &account_app);
}
