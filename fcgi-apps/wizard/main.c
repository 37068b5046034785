/* certhall-wizard: the applicant wizard, from choosing a business to paying for it. */
#include "web/app.h"
#include "web/auth.h"
#include "web/req.h"
#include "web/serve.h"
#include "wizard.h"

static const struct route routes[] = {
	{ "GET", "/api/wizard/catalog", wizard_catalog, ROUTE_PUBLIC, 0 },
	{ "GET", "/api/wizard/quote", wizard_quote, ROUTE_PUBLIC, 0 },
	{ "GET", "/api/wizard/agreements/:code", wizard_agreement, ROUTE_PUBLIC, 0 },
	{ "GET", "/api/wizard/certs", wizard_certs, ROLE_APPLICANT, 0 },
	{ "GET", "/api/wizard/certs/:serial", wizard_cert_find, ROLE_APPLICANT, 0 },
	{ "POST", "/api/wizard/unlock/link", wizard_unlock_link, ROUTE_PUBLIC, 0 },
	{ "POST", "/api/wizard/unlock/respond", wizard_unlock_respond, ROUTE_PUBLIC, 0 },
	{ "GET", "/api/wizard/bindings", wizard_bindings, ROLE_APPLICANT, 0 },
	{ "POST", "/api/wizard/bindings", wizard_bind, ROLE_APPLICANT, 0 },
	{ "POST", "/api/wizard/bindings/:token/unbind", wizard_unbind, ROLE_APPLICANT, 0 },
	{ "POST", "/api/wizard/orders", wizard_create, ROLE_APPLICANT, 0 },
	{ "GET", "/api/wizard/orders", wizard_orders, ROLE_APPLICANT, 0 },
	{ "GET", "/api/wizard/orders/:no", wizard_order, ROLE_APPLICANT, 0 },
	{ "POST", "/api/wizard/orders/:no/cancel", wizard_cancel, ROLE_APPLICANT, 0 },
	{ "GET", "/api/wizard/orders/:no/steps/:step", wizard_step_get, ROLE_APPLICANT, 0 },
	{ "PUT", "/api/wizard/orders/:no/steps/:step", wizard_step_put, ROLE_APPLICANT, 0 },
	{ "POST", "/api/wizard/orders/:no/verify/:subject", wizard_verify_start, ROLE_APPLICANT, 0 },
	{ "POST", "/api/wizard/orders/:no/verify/:subject/confirm", wizard_verify_confirm, ROLE_APPLICANT, 0 },
	{ "GET", "/api/wizard/orders/:no/verify/:subject", wizard_verify_status, ROLE_APPLICANT, 0 },
	{ "POST", "/api/wizard/orders/:no/mail-in", wizard_mail_in, ROLE_APPLICANT, 0 },
	{ "POST", "/api/wizard/orders/:no/fin-check", wizard_fin_check, ROLE_APPLICANT, 0 },
	{ "GET", "/api/wizard/orders/:no/forms/:form", wizard_form, ROLE_APPLICANT, 0 },
	{ "GET", "/api/wizard/forms/check", wizard_form_check, ROUTE_PUBLIC, 0 },
	{ "GET", "/api/wizard/face", wizard_face, ROUTE_PUBLIC, 0 },
	{ "POST", "/api/wizard/orders/:no/sign/code", wizard_sign_code, ROLE_APPLICANT, 0 },
	{ "POST", "/api/wizard/orders/:no/sign", wizard_sign, ROLE_APPLICANT, 0 },
	{ "POST", "/api/wizard/orders/:no/resubmit", wizard_resubmit, ROLE_APPLICANT, 0 },
	{ "POST", "/api/wizard/orders/:no/pay", wizard_pay, ROLE_APPLICANT, 0 },
	{ "GET", "/api/wizard/orders/:no/pay", wizard_pay_status, ROLE_APPLICANT, 0 },
	{ "POST", "/api/wizard/orders/:no/refund", wizard_refund, ROLE_APPLICANT, 0 },
	{ "POST", "/api/wizard/orders/:no/renewal/download", wizard_renew_download, ROLE_APPLICANT, 0 },
	{ "POST", "/api/wizard/orders/:no/change/download", wizard_change_download, ROLE_APPLICANT, 0 },
	{ "POST", "/api/wizard/pay/notify", wizard_pay_notify, ROUTE_PUBLIC, 0 },
	{ "GET", "/api/wizard/health", serve_health, ROUTE_PUBLIC, 0 },
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
