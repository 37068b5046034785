/* certhall-admin courier: the courier refresh pass for cron, or a daemon. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "admin.h"
#include "courier_refresh.h"
#include "log.h"

#define BATCH 20

static volatile sig_atomic_t stop;

static void on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

/* One pass (cron), or a pass after another for as long as it runs (--daemon): a waybill is
 * asked about when its refresh is due (shared/courier_refresh.h), never by a request. */
int admin_courier(struct admin *ad, int argc, char **argv)
{
	int daemon = 0, interval_ms = 5000;
	struct courier_refresh_stats total = { 0 };
	struct sigaction sa;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--daemon") == 0) {
			daemon = 1;
		} else if (strcmp(argv[i], "--interval-ms") == 0 && i + 1 < argc) {
			char *end;
			long v;

			errno = 0;
			v = strtol(argv[++i], &end, 10);
			if (errno || *end || v < 10 || v > 600000) {
				fprintf(stderr, "courier: --interval-ms takes 10 to 600000\n");
				return 2;
			}
			interval_ms = (int)v;
		} else {
			fprintf(stderr, "usage: certhall-admin courier [--daemon [--interval-ms N]]\n");
			return 2;
		}
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	log_set_name(daemon ? "courier" : "admin");
	while (!stop) {
		struct courier_refresh_stats st;
		int rc = courier_refresh_run(&ad->db, &ad->arena, &ad->conf, BATCH, &st);

		arena_reset(&ad->arena);
		if (rc != DB_OK)
			log_warn("courier pass failed: %s", ad->db.last_error);
		total.asked += st.asked;
		total.answered += st.answered;
		total.failed += st.failed;
		total.skipped += st.skipped;
		if (st.asked && daemon)
			log_info("courier: asked %d, answered %d, failed %d", st.asked, st.answered,
				 st.failed);
		if (!daemon)
			break;
		/* A full batch answered: more may be due at once. */
		if (rc != DB_OK || st.failed || st.answered < BATCH) {
			struct timespec ts = { interval_ms / 1000, (long)(interval_ms % 1000) * 1000000L };

			nanosleep(&ts, NULL);
		}
	}
	if (!daemon)
		printf("courier: asked %d, answered %d, failed %d, skipped %d\n", total.asked,
		       total.answered, total.failed, total.skipped);
	return 0;
}
