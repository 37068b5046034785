/* upload: the decode's hard fences: the worker's address space, and a watchdog per image. */
#include <errno.h>
#include <fcgiapp.h>
#include <string.h>

#include "web/app.h"
#include "web/req.h"
#include "media/image.h"
#include "base/log.h"
#include "web/runner.h"
#include "upload.h"

/* Past the image's own deadline (checked as the decoder reports progress), this much more
 * before the watchdog ends the worker: only a decoder that stopped reporting gets there. */
#define GUARD_GRACE_MS 2000

int upload_guard_init(struct app *app)
{
	if (runner_limit_memory((unsigned)app->conf.upload_address_space_mb) != 0) {
		log_error("setrlimit(RLIMIT_AS, %d MiB): %s", app->conf.upload_address_space_mb,
			  strerror(errno));
		return -1;
	}
	return 0;
}

void upload_guard_arm(struct req *r)
{
	struct req answer;
	char *text;
	size_t len;

	image_log_id(r->rid);
	if (!r->fcgi)
		return;
	/* The answer is rendered now, into a copy, so that the handler has nothing to build. */
	answer = *r;
	resp_error(&answer, ERR_CORRUPT_IMAGE, "file",
		   "图片解码超时：文件过于复杂或已损坏，已停止处理。请重新扫描为普通的 JPG 或 PNG 图片后上传。");
	text = resp_render(&answer, &len);
	if (!text || runner_watchdog_arm(r->fcgi->ipcFd, r->fcgi->requestId, text, len,
					 (unsigned)r->app->conf.upload_decode_timeout_ms +
						 GUARD_GRACE_MS) != 0)
		log_rid(LOG_WARN, r->rid, "upload: the decode watchdog could not be armed");
}

void upload_guard_disarm(void)
{
	image_log_id(NULL);
	runner_watchdog_disarm();
}
