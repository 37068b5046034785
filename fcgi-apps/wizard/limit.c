/* wizard: the rate limits the verification and payment endpoints count against, answered in
 * zh-CN. */
#include <time.h>

#include "domain/ratelimit.h"
#include "wizard.h"

/* How long until a window ends, for people: "40 秒", "3 分钟", "2 小时". */
static const char *wait_zh(struct req *r, int seconds)
{
	if (seconds < 60)
		return arena_printf(r->arena, "%d 秒", seconds);
	if (seconds < 3600)
		return arena_printf(r->arena, "%d 分钟", (seconds + 59) / 60);
	return arena_printf(r->arena, "%d 小时", (seconds + 3599) / 3600);
}

int wizard_limit(struct req *r, const char *bucket, int limit, int window, const char *what)
{
	const char *wait;
	int after = 0, rc;

	rc = ratelimit_hit(&r->app->db, bucket, limit, window, time(NULL), &after);
	if (rc < 0)
		return app_db_error(r, rc);
	if (rc == 1 || !what)
		return rc;
	wait = wait_zh(r, after);
	app_limit_over(r, ERR_RATE_LIMITED, after,
		       wait ? arena_printf(r->arena, "%s，请 %s后再试。", what, wait) : what);
	return 0;
}
