/* certhall-admin's background passes (outbox, courier): one pass for cron, or --daemon. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "admin.h"
#include "base/log.h"

static volatile sig_atomic_t stop;

static void on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

int admin_pass_opts(int argc, char **argv, const char *name, struct admin_pass *p)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--daemon") == 0) {
			p->daemon = 1;
		} else if (strcmp(argv[i], "--interval-ms") == 0 && i + 1 < argc) {
			char *end;
			long v;

			errno = 0;
			v = strtol(argv[++i], &end, 10);
			if (errno || *end || v < 10 || v > 600000) {
				fprintf(stderr, "%s: --interval-ms takes 10 to 600000\n", name);
				return -1;
			}
			p->interval_ms = (int)v;
		} else {
			return -1;
		}
	}
	return 0;
}

void admin_pass_start(const struct admin_pass *p, const char *name)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	log_set_name(p->daemon ? name : "admin");
}

bool admin_pass_stopped(void)
{
	return stop != 0;
}

void admin_pass_pause(const struct admin_pass *p)
{
	struct timespec ts = { p->interval_ms / 1000, (long)(p->interval_ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}
