/* certhall-review: the reviewer console: queues, claims, decisions, payments confirmed by
 * finance, shipments and the audit trail. Staff only; each handler checks its role. */
#include "web/app.h"
#include "web/req.h"
#include "web/serve.h"
#include "web/auth.h"
#include "review.h"

/* AUTH_ROUTE_FRESH marks what leads to issuance, revocation or a refund: an approval (which
 * issues, or revokes for a revocation order), a payment confirmed (a paid online renewal
 * renews at once), a refund paid out, a key made; and every edit of a hall's own data (where
 * its money goes, what it charges, what applicants accept). shared/web/auth.c checks the
 * factor's age. */
static const struct route routes[] = {
	{ "GET", "/api/review/queue", review_queue, ROLE_STAFF, 0 },
	{ "GET", "/api/review/reasons", review_reasons, ROLE_STAFF, 0 },
	{ "GET", "/api/review/audit.csv", review_audit_csv, ROLE_ADMIN, 0 },
	{ "GET", "/api/review/orders/:no", review_detail, ROLE_STAFF, 0 },
	{ "POST", "/api/review/orders/:no/claim", review_claim, ROLE_STAFF, 0 },
	{ "POST", "/api/review/orders/:no/release", review_release, ROLE_STAFF, 0 },
	{ "POST", "/api/review/orders/:no/materials/:material", review_material, ROLE_REVIEWER, 0 },
	{ "POST", "/api/review/orders/:no/decision", review_decision, ROLE_REVIEWER, AUTH_ROUTE_FRESH },
	{ "POST", "/api/review/orders/:no/payment/confirm", review_pay_confirm, ROLE_FINANCE, AUTH_ROUTE_FRESH },
	{ "POST", "/api/review/orders/:no/refund", review_refund, ROLE_FINANCE, AUTH_ROUTE_FRESH },
	{ "POST", "/api/review/orders/:no/paper-received", review_paper_received, ROLE_REVIEWER, 0 },
	{ "POST", "/api/review/orders/:no/inspection", review_inspection, ROLE_REVIEWER, 0 },
	{ "POST", "/api/review/orders/:no/made", review_made, ROLE_SHIPPING, AUTH_ROUTE_FRESH },
	{ "GET", "/api/review/orders/:no/fin-check/pin", review_fin_pin, ROLE_SHIPPING, AUTH_ROUTE_FRESH },
	{ "POST", "/api/review/orders/:no/shipped", review_shipped, ROLE_SHIPPING, 0 },
	{ "POST", "/api/review/orders/:no/delivered", review_delivered, ROLE_SHIPPING, 0 },
	{ "GET", "/api/review/admin/halls", review_halls, ROLE_ADMIN, 0 },
	{ "PUT", "/api/review/admin/halls/:code", review_hall_put, ROLE_ADMIN, AUTH_ROUTE_FRESH },
	{ "PUT", "/api/review/admin/halls/:code/fees/:business/:kind", review_hall_fee_put, ROLE_ADMIN, AUTH_ROUTE_FRESH },
	{ "DELETE", "/api/review/admin/halls/:code/fees/:business/:kind", review_hall_fee_delete, ROLE_ADMIN, AUTH_ROUTE_FRESH },
	{ "POST", "/api/review/admin/halls/:code/agreements", review_hall_agreement, ROLE_ADMIN, AUTH_ROUTE_FRESH },
	{ "GET", "/api/review/health", serve_health, ROUTE_PUBLIC, 0 },
};

static const struct serve_def review_app = {
	.name = "review",
	.routes = routes,
	.nroutes = sizeof(routes) / sizeof(routes[0]),
	.needs_key = true,
};

int main(int argc, char **argv)
{
	return serve_main(argc, argv, &review_app);
}
