/* certhall-upload: material uploads and their serving through nginx X-Accel-Redirect. */
#include "web/app.h"
#include "web/auth.h"
#include "web/req.h"
#include "web/serve.h"
#include "media/image.h"
#include "base/log.h"
#include "media/store.h"
#include "upload.h"

static const struct route routes[] = {
	{ "POST", "/api/upload/orders/:no/materials/:kind", upload_put, ROLE_APPLICANT, 0 },
	{ "DELETE", "/api/upload/orders/:no/materials/:kind", upload_remove, ROLE_APPLICANT, 0 },
	{ "GET", "/api/upload/orders/:no/materials", upload_list, ROLE_APPLICANT | ROLE_REVIEWER | ROLE_FINANCE, 0 },
	{ "GET", "/api/upload/materials/:id/:variant", upload_serve, ROLE_APPLICANT | ROLE_REVIEWER | ROLE_FINANCE, 0 },
	{ "GET", "/api/upload/health", serve_health, ROUTE_PUBLIC, 0 },
};

/* The policy must be in force before any worker starts: checked in a child, so that the
 * workers load ImageMagick only with their first image (shared/media/image.c). */
static int start_check(struct app *app)
{
	char err[256];

	if (image_check(app->conf.policy_dir, err, sizeof(err)) < 0) {
		log_error("%s", err);
		return -1;
	}
	return 0;
}

/* Each worker has its own libmagic cookie and MagickWand state, under our policy. */
static int worker_init(struct app *app)
{
	char err[256];
	int swept;

	if (image_init(app->conf.policy_dir, err, sizeof(err)) < 0) {
		log_error("image: %s", err);
		return -1;
	}
	if (upload_guard_init(app) < 0)
		return -1;
	swept = store_sweep(app->conf.upload_dir);
	if (swept > 0)
		log_info("removed %d temp files left by a worker that died mid-upload", swept);
	return 0;
}

static const struct serve_def upload_app = {
	.name = "upload",
	.routes = routes,
	.nroutes = sizeof(routes) / sizeof(routes[0]),
	.needs_key = true,
	.worker_init = worker_init,
	.start_check = start_check,
};

int main(int argc, char **argv)
{
	return serve_main(argc, argv, &upload_app);
}
