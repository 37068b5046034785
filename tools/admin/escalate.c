/* certhall-admin escalate: orders past their hall's review promise, mailed to the hall's admins
 * once (shared/domain/escalate.h), once or as a daemon. */
#include <stdio.h>

#include "admin.h"
#include "base/log.h"
#include "domain/escalate.h"

/* One pass (cron), or a pass every --interval-ms (default 10 minutes: the promise is in days). */
int admin_escalate(struct admin *ad, int argc, char **argv)
{
	struct admin_pass p = { .interval_ms = 600000 };

	if (admin_pass_opts(argc, argv, "escalate", &p) < 0) {
		fprintf(stderr, "usage: certhall-admin escalate [--daemon [--interval-ms N]]\n");
		return 2;
	}
	admin_pass_start(&p, "escalate");
	while (!admin_pass_stopped()) {
		struct escalate_stats st = { 0 };
		int rc = escalate_run(&ad->db, &ad->arena, &ad->key, ad->conf.public_url, &st);

		arena_reset(&ad->arena);
		if (rc != DB_OK) {
			log_warn("escalate pass failed: %s", ad->db.last_error);
			if (!p.daemon)
				return 1;
		}
		if (!p.daemon) {
			printf("escalate: %ld overdue, %ld escalated (%ld mail), %ld at halls naming no "
			       "address\n", st.overdue, st.escalated, st.mails, st.no_contact);
			break;
		}
		if (st.escalated)
			log_info("escalate: %ld escalated (%ld mail)", st.escalated, st.mails);
		admin_pass_pause(&p);
	}
	return 0;
}
