/* app_fincheck: a 001 financial check's transfer, sent after the answer (domain/fincheck.h):
 * the reviewer or applicant whose step queued it never waits for the bank's gateway. */
#include "base/log.h"
#include "domain/fincheck.h"
#include "web/app.h"
#include "web/req.h"

struct after {
	long long id;
};

static void run(struct app *app, void *ctx)
{
	struct after *a = ctx;
	struct fincheck_stats st = { 0 };

	if (!app->have_key)
		return;
	if (fincheck_run(&app->db, &app->arena, &app->conf, &app->key, &a->id, 1, &st) != DB_OK)
		log_warn("fin check %lld: post-response send failed; certhall-admin fin-checks retries",
			 a->id);
}

int app_fincheck_after(struct req *r, long long id)
{
	struct after *a = arena_calloc(r->arena, 1, sizeof(*a));

	if (!a)
		return -1;
	a->id = id;
	r->app->after_answer = run;
	r->app->after_ctx = a;
	return 0;
}
