/* certhall-admin remind: the expiry reminders (shared/domain/remind.h), once or as a daemon. */
#include <stdio.h>
#include <time.h>

#include "admin.h"
#include "base/log.h"
#include "domain/remind.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One pass (cron: daily is enough, the thresholds are days), or a pass every --interval-ms
 * (default 10 minutes): a pass with nothing due is one index range read. */
int admin_remind(struct admin *ad, int argc, char **argv)
{
	struct admin_pass p = { .interval_ms = 600000 };

	if (admin_pass_opts(argc, argv, "remind", &p) < 0) {
		fprintf(stderr, "usage: certhall-admin remind [--daemon [--interval-ms N]]\n");
		return 2;
	}
	admin_pass_start(&p, "remind");
	while (!admin_pass_stopped()) {
		struct remind_stats st = { 0 };
		double t0 = now_s();
		int rc = remind_run(&ad->db, &ad->arena, &ad->key, ad->conf.public_url, &st);

		arena_reset(&ad->arena);
		if (rc != DB_OK) {
			log_warn("remind pass failed: %s", ad->db.last_error);
			if (!p.daemon)
				return 1;
		}
		if (!p.daemon) {
			printf("remind: %ld due, %ld reminded (%ld sms, %ld mail), %ld without contact, "
			       "%.2f s\n", st.scanned, st.sent, st.sms, st.mail, st.no_contact,
			       now_s() - t0);
			break;
		}
		if (st.sent)
			log_info("remind: %ld reminded (%ld sms, %ld mail)", st.sent, st.sms, st.mail);
		admin_pass_pause(&p);
	}
	return 0;
}
