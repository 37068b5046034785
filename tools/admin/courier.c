/* certhall-admin courier: the courier refresh pass for cron, or a daemon. */
#include <stdio.h>

#include "admin.h"
#include "db/changes.h"
#include "ext/courier_refresh.h"
#include "base/log.h"

#define BATCH 20

/* One pass (cron), or a pass after another for as long as it runs (--daemon): a waybill is
 * asked about when its refresh is due (shared/ext/courier_refresh.h), never by a request. */
int admin_courier(struct admin *ad, int argc, char **argv)
{
	struct admin_pass p = { .interval_ms = 5000 };
	struct courier_refresh_stats total = { 0 };

	if (admin_pass_opts(argc, argv, "courier", &p) < 0) {
		fprintf(stderr, "usage: certhall-admin courier [--daemon [--interval-ms N]]\n");
		return 2;
	}
	admin_pass_start(&p, "courier");
	while (!admin_pass_stopped()) {
		struct courier_refresh_stats st;
		int rc = courier_refresh_run(&ad->db, &ad->arena, &ad->conf, BATCH, &st);

		/* The track cache's change log: its readers look back CHANGES_WINDOW seconds. */
		if (rc == DB_OK)
			rc = changes_prune(&ad->db);

		arena_reset(&ad->arena);
		if (rc != DB_OK)
			log_warn("courier pass failed: %s", ad->db.last_error);
		total.asked += st.asked;
		total.answered += st.answered;
		total.failed += st.failed;
		total.skipped += st.skipped;
		if (st.asked && p.daemon)
			log_info("courier: asked %d, answered %d, failed %d", st.asked, st.answered,
				 st.failed);
		if (!p.daemon)
			break;
		/* A full batch answered: more may be due at once. */
		if (rc != DB_OK || st.failed || st.answered < BATCH)
			admin_pass_pause(&p);
	}
	if (!p.daemon)
		printf("courier: asked %d, answered %d, failed %d, skipped %d\n", total.asked,
		       total.answered, total.failed, total.skipped);
	return 0;
}
