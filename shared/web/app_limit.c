/* app_limit: the limits a request is counted against, and the 429 (with Retry-After) it gets
 * when over one. */
#include <stdio.h>
#include <time.h>

#include "web/app.h"
#include "web/req.h"
#include "domain/ratelimit.h"
#include "domain/smscode.h"

int app_limit_over(struct req *r, enum err_code e, int after, const char *message)
{
	char wait[16];

	snprintf(wait, sizeof(wait), "%d", after);
	resp_header(r, "Retry-After", wait);
	return resp_error(r, e, NULL, message);
}

int app_limit_lookup(struct req *r, const char *scope)
{
	const struct conf *c = &r->app->conf;
	char bucket[96];
	int after = 0, rc;

	snprintf(bucket, sizeof(bucket), "%s:%.64s", scope, r->remote_addr ? r->remote_addr : "");
	rc = ratelimit_hit_batched(&r->app->db, &r->app->lookups, bucket, c->track_rate_limit,
				   c->track_rate_window, time(NULL), &after);
	if (rc == 1)
		return 0;
	if (rc < 0)
		return app_db_error(r, rc);
	return app_limit_over(r, ERR_RATE_LIMITED, after,
		    arena_printf(r->arena, "查询过于频繁，请 %d 秒后再试。", after));
}

int app_limit_code(struct req *r, const char *mobile)
{
	int after = 0;
	int rc = smscode_limit(&r->app->db, r->arena, &r->app->conf, &r->app->key, mobile,
			       r->remote_addr, &after);

	if (rc < 0)
		return app_db_error(r, rc);
	if (rc == 0)
		return app_limit_over(r, ERR_CODE_LIMIT, after,
			    arena_printf(r->arena, "获取验证码过于频繁，请 %d 秒后再试。", after));
	return 0;
}
