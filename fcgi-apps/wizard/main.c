/* certhall-wizard: the applicant wizard, from choosing a business to paying for it. */
#include "web/app.h"
#include "web/req.h"
#include "web/serve.h"
#include "wizard.h"

static const struct route routes[] = {
	{ "GET", "/api/wizard/catalog", wizard_catalog, 0 },
	{ "GET", "/api/wizard/quote", wizard_quote, 0 },
	{ "GET", "/api/wizard/agreements/:code", wizard_agreement, 0 },
	{ "GET", "/api/wizard/certs", wizard_certs, 0 },
	{ "GET", "/api/wizard/certs/:serial", wizard_cert_find, 0 },
	{ "POST", "/api/wizard/orders", wizard_create, 0 },
	{ "GET", "/api/wizard/orders", wizard_orders, 0 },
	{ "GET", "/api/wizard/orders/:no", wizard_order, 0 },
	{ "POST", "/api/wizard/orders/:no/cancel", wizard_cancel, 0 },
	{ "GET", "/api/wizard/orders/:no/steps/:step", wizard_step_get, 0 },
	{ "PUT", "/api/wizard/orders/:no/steps/:step", wizard_step_put, 0 },
	{ "POST", "/api/wizard/orders/:no/verify/:subject", wizard_verify_start, 0 },
	{ "POST", "/api/wizard/orders/:no/verify/:subject/confirm", wizard_verify_confirm, 0 },
	{ "GET", "/api/wizard/orders/:no/verify/:subject", wizard_verify_status, 0 },
	{ "POST", "/api/wizard/orders/:no/mail-in", wizard_mail_in, 0 },
	{ "GET", "/api/wizard/orders/:no/forms/:form", wizard_form, 0 },
	{ "GET", "/api/wizard/forms/check", wizard_form_check, 0 },
	{ "POST", "/api/wizard/orders/:no/sign/code", wizard_sign_code, 0 },
	{ "POST", "/api/wizard/orders/:no/sign", wizard_sign, 0 },
	{ "POST", "/api/wizard/orders/:no/resubmit", wizard_resubmit, 0 },
	{ "POST", "/api/wizard/orders/:no/pay", wizard_pay, 0 },
	{ "GET", "/api/wizard/orders/:no/pay", wizard_pay_status, 0 },
	{ "POST", "/api/wizard/orders/:no/refund", wizard_refund, 0 },
	{ "POST", "/api/wizard/pay/notify", wizard_pay_notify, 0 },
	{ "GET", "/api/wizard/health", serve_health, 0 },
};

static const struct serve_def wizard_app = {
	.name = "wizard",
	.routes = routes,
	.nroutes = sizeof(routes) / sizeof(routes[0]),
	.needs_key = true,
	.after_response = wizard_expire_drafts,
};

int main(int argc, char **argv)
{
	return serve_main(argc, argv, &wizard_app);
}
