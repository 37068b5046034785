/* certhall-track: public tracking of orders and certificates. */
#include "web/app.h"
#include "web/auth.h"
#include "web/req.h"
#include "web/serve.h"
#include "track.h"

static const struct route routes[] = {
	{ "POST", "/api/track/order", track_order, ROUTE_PUBLIC, 0 },
	{ "POST", "/api/track/orders/:no/waybill", track_paper_waybill, ROLE_APPLICANT, 0 },
	{ "GET", "/api/track/certs/:serial", track_cert, ROUTE_PUBLIC, 0 },
	{ "GET", "/api/track/crl", track_crl, ROUTE_PUBLIC, 0 },
	{ "GET", "/api/track/vocabulary", track_vocabulary, ROUTE_PUBLIC, 0 },
	{ "GET", "/api/track/health", serve_health, ROUTE_PUBLIC, 0 },
};

static const struct serve_def track_app = {
	.name = "track",
	.routes = routes,
	.nroutes = sizeof(routes) / sizeof(routes[0]),
	.needs_key = true,
	.master_init = track_cache_init,
};

int main(int argc, char **argv)
{
	return serve_main(argc, argv, &track_app);
}
