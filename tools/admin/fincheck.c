/* certhall-admin fin-checks: 001's 0.01 transfers that were not sent after their answer. */
#include <stdio.h>

#include "admin.h"
#include "base/log.h"
#include "domain/fincheck.h"

/* One pass (cron), or a pass after another (--daemon): a queued transfer whose gateway did
 * not answer is sent again once due (domain/fincheck.h). */
int admin_fincheck(struct admin *ad, int argc, char **argv)
{
	struct admin_pass p = { .interval_ms = 5000 };
	struct fincheck_stats total = { 0 };

	if (admin_pass_opts(argc, argv, "fin-checks", &p) < 0) {
		fprintf(stderr, "usage: certhall-admin fin-checks [--daemon [--interval-ms N]]\n");
		return 2;
	}
	admin_pass_start(&p, "fin-checks");
	while (!admin_pass_stopped()) {
		struct fincheck_stats st = { 0 };
		int rc = fincheck_run(&ad->db, &ad->arena, &ad->conf, &ad->key, NULL, 0, &st);

		arena_reset(&ad->arena);
		if (rc != DB_OK)
			log_warn("fin-checks pass failed: %s", ad->db.last_error);
		total.sent += st.sent;
		total.credited += st.credited;
		total.failed += st.failed;
		total.retry += st.retry;
		if (st.sent && p.daemon)
			log_info("fin-checks: sent %d, credited %d, failed %d, retry %d", st.sent,
				 st.credited, st.failed, st.retry);
		if (!p.daemon)
			break;
		admin_pass_pause(&p);
	}
	if (!p.daemon)
		printf("fin-checks: sent %d, credited %d, failed %d, retry %d\n", total.sent,
		       total.credited, total.failed, total.retry);
	return 0;
}
