/* track: the per-address look-up limit shared by every look-up. */
#include <stdio.h>
#include <time.h>

#include "app.h"
#include "ratelimit.h"
#include "track.h"

int track_limit(struct req *r)
{
	const struct conf *c = &r->app->conf;
	char bucket[96], retry[16];
	int after = 0, rc;

	snprintf(bucket, sizeof(bucket), "track:%s", r->remote_addr);
	rc = ratelimit_hit(&r->app->db, bucket, c->track_rate_limit, c->track_rate_window,
			   time(NULL), &after);
	if (rc == 1)
		return 0;
	if (rc < 0)
		return app_db_error(r, rc);
	snprintf(retry, sizeof(retry), "%d", after);
	resp_header(r, "Retry-After", retry);
	return resp_error(r, ERR_RATE_LIMITED, NULL,
			  arena_printf(r->arena, "查询过于频繁，请 %d 秒后再试。", after));
}
