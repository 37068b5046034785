/* app_limit: the limits a request is counted against, and the 429 (with Retry-After) it gets
 * when over one. */
#include <stdio.h>
#include <time.h>

#include "web/app.h"
#include "web/req.h"
#include "web/auth.h"
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

const char *app_wait_zh(struct req *r, int seconds)
{
	if (seconds < 60)
		return arena_printf(r->arena, "%d 秒", seconds);
	if (seconds < 3600)
		return arena_printf(r->arena, "%d 分钟", (seconds + 59) / 60);
	return arena_printf(r->arena, "%d 小时", (seconds + 3599) / 3600);
}

int app_limit_code(struct req *r, const char *mobile, const char *subject_idx)
{
	struct smscode_asker who = { NULL, subject_idx, r->remote_addr, subject_idx != NULL };
	const char *what = NULL, *wait;
	char account[32];
	int after = 0, rc;

	if (r->auth.loaded && r->auth.kind != AUTH_NONE) {
		snprintf(account, sizeof(account), "%c%lld", r->auth.kind == AUTH_STAFF ? 's' : 'a',
			 r->auth.id);
		who.account = account;
	}
	rc = smscode_limit(&r->app->db, r->arena, &r->app->conf, &r->app->key, mobile, &who,
			   time(NULL), &after, &what);
	if (rc < 0)
		return app_db_error(r, rc);
	if (rc == 0) {
		wait = app_wait_zh(r, after);
		return app_limit_over(r, ERR_CODE_LIMIT, after,
				      what && wait ? arena_printf(r->arena, "%s，请 %s后再试。", what, wait)
						   : "获取验证码过于频繁，请稍后再试。");
	}
	return 0;
}
