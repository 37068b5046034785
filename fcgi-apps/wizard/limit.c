/* wizard: the rate limits the verification and payment endpoints count against, answered in
 * zh-CN. */
#include <time.h>

#include "domain/ratelimit.h"
#include "wizard.h"

int wizard_limit(struct req *r, const char *bucket, int limit, int window, const char *what)
{
	const char *wait;
	int after = 0, rc;

	rc = ratelimit_hit(&r->app->db, bucket, limit, window, time(NULL), &after);
	if (rc < 0)
		return app_db_error(r, rc);
	if (rc == 1 || !what)
		return rc;
	wait = app_wait_zh(r, after);
	app_limit_over(r, ERR_RATE_LIMITED, after,
		       wait ? arena_printf(r->arena, "%s，请 %s后再试。", what, wait) : what);
	return 0;
}

int wizard_limits(struct req *r, const struct ratelimit_rule *rules, const char *const *whats,
		  size_t n)
{
	const char *wait;
	size_t which = 0;
	int after = 0, rc;

	rc = ratelimit_take(&r->app->db, r->arena, rules, n, r->app->conf.time_zone, time(NULL),
			    &after, &which);
	if (rc < 0)
		return app_db_error(r, rc);
	if (rc == 1)
		return 1;
	wait = app_wait_zh(r, after);
	app_limit_over(r, ERR_RATE_LIMITED, after,
		       wait ? arena_printf(r->arena, "%s，请 %s后再试。", whats[which], wait)
			    : whats[which]);
	return 0;
}
