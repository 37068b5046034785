/* serve: a program's start (options, config, the prefork master), its worker loop (accept,
 * check the origin, dispatch, answer, reset) and its health route. */
#include "web/serve.h"

#include <errno.h>
#include <fcgiapp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "web/app.h"
#include "web/auth.h"
#include "web/runner.h"

static int load_config(struct app *app, char *err, size_t errsz)
{
	conf_defaults(&app->conf);
	if (conf_load(&app->conf, app->conf_path, err, errsz) < 0)
		return -1;
	if (conf_load_secrets(&app->conf, err, errsz) < 0)
		return -1;
	if (app->def->needs_key) {
		if (crypto_key_load(app->conf.key_file, &app->key, err, errsz) < 0)
			return -1;
		app->have_key = true;
	}
	return 0;
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static void serve_one(struct app *app, FCGX_Request *fr)
{
	struct req r;
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	req_init_fcgi(&r, &app->arena, app, fr);
	app->db.rid = r.rid;
	app->noutbox = 0;
	app->after_answer = NULL;
	/* Every state-changing request, logged in or not, must come from our own pages. */
	if (auth_check_origin(&r) == 0)
		route_dispatch(app->def->routes, app->def->nroutes, &r);
	resp_send(&r);
	log_rid(r.status >= 500 ? LOG_WARN : LOG_DEBUG, r.rid, "%s %s %d %.2fms", r.method, r.path,
		r.status, ms_since(&t0));
	app->db.rid = NULL;
}

static int worker_main(int listen_fd, int no, void *ctx)
{
	struct app *app = ctx;
	FCGX_Request fr;
	char err[512];
	long served = 0;

	(void)no;
	/* Re-read the file so that SIGHUP (workers replaced) applies a changed config. */
	if (load_config(app, err, sizeof(err)) < 0) {
		log_error("config: %s", err);
		return 1;
	}
	if (arena_init(&app->arena, 64 * 1024, (size_t)app->conf.arena_max) < 0)
		return 1;
	if (db_open(&app->db, &app->conf) != DB_OK)
		log_warn("database not reachable yet: requests will retry");
	if (app->def->worker_init && app->def->worker_init(app) < 0)
		return 1;
	if (FCGX_Init() != 0 || FCGX_InitRequest(&fr, listen_fd, FCGI_FAIL_ACCEPT_ON_INTR) != 0)
		return 1;
	while (!runner_should_stop()) {
		if (FCGX_Accept_r(&fr) < 0) {
			if (runner_should_stop() || errno == EINTR)
				continue;
			log_error("accept: %s", strerror(errno));
			break;
		}
		runner_hold_signals(true);
		serve_one(app, &fr);
		/* libfcgi closes with shutdown() and then waits, up to 2 s, for nginx to close its
		 * end first: a lingering close, against a reset losing input the program did not
		 * read. Once stdin's end is read nginx sends nothing more, and waiting only makes
		 * the worker sleep until nginx has run: a context switch a request, which cost
		 * certhall-hello a quarter of its requests/s with 2 workers. nginx sends a request's
		 * whole stdin at once (it buffers bodies), so the one read here does not wait; a
		 * body the handler left unread keeps the lingering close. */
		if (fr.in && (FCGX_HasSeenEOF(fr.in) == EOF || FCGX_GetChar(fr.in) == EOF))
			fr.detached = 1;
		FCGX_Finish_r(&fr);
		if (app->after_answer) {
			app->after_answer(app, app->after_ctx);
			app->after_answer = NULL;
		}
		if (app->flush_outbox)
			app->flush_outbox(app);
		ratelimit_flush_due(&app->db, &app->lookups);
		if (app->def->after_response)
			app->def->after_response(app);
		arena_reset(&app->arena);
		runner_hold_signals(false);
		if (app->conf.max_requests && ++served >= app->conf.max_requests)
			break;
	}
	FCGX_Free(&fr, 1);
	ratelimit_flush(&app->db, &app->lookups);
	db_close(&app->db);
	arena_free(&app->arena);
	return 0;
}

static void usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [-c certhall.conf] [-w workers] [-t]\n"
		"  -c FILE  configuration (default /etc/certhall/certhall.conf)\n"
		"  -w N     workers, overriding [server] workers\n"
		"  -t       check the configuration and exit\n", prog);
}

int serve_main(int argc, char **argv, const struct serve_def *def)
{
	static struct app app;
	struct runner_opts ro = { 0 };
	char err[512], sock[CONF_STR_MAX + 64];
	int opt, workers = 0, check_only = 0;
	long v;
	char *end;

	app.def = def;
	app.conf_path = "/etc/certhall/certhall.conf";
	log_init(def->name, LOG_INFO);
	while ((opt = getopt(argc, argv, "c:w:thV")) != -1) {
		switch (opt) {
		case 'c':
			app.conf_path = optarg;
			break;
		case 'w':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || *end || v < 1 || v > 256)
				fatal("-w: a number of workers from 1 to 256, not '%s'", optarg);
			workers = (int)v;
			break;
		case 't':
			check_only = 1;
			break;
		case 'V':
			printf("certhall-%s %s\n", def->name, CERTHALL_VERSION);
			return 0;
		default:
			usage(argv[0]);
			return opt == 'h' ? 0 : 2;
		}
	}
	if (load_config(&app, err, sizeof(err)) < 0)
		fatal("config: %s", err);
	log_init(def->name, (enum log_level)app.conf.log_level);
	if (def->start_check && def->start_check(&app) < 0)
		fatal("start-up check failed");
	if (check_only) {
		printf("%s: configuration ok\n", app.conf_path);
		return 0;
	}
	if (def->master_init && def->master_init(&app) < 0)
		fatal("start-up failed");
	if (strcmp(app.conf.staff_second_factor, "off") == 0)
		log_warn("[staff] second_factor = off: a staff password alone reaches every queue and "
			 "decision; set it to required before anyone works here");
	if (snprintf(sock, sizeof(sock), "%s/%s.sock", app.conf.socket_dir, def->name) >=
	    (int)sizeof(sock))
		fatal("socket path too long");
	ro.name = def->name;
	ro.socket_path = sock;
	ro.socket_mode = app.conf.socket_mode;
	ro.backlog = app.conf.backlog;
	ro.workers = workers ? workers : app.conf.workers;
	ro.stop_timeout = 10;
	return runner_run(&ro, worker_main, &app);
}

int serve_health(struct req *r)
{
	bool up = db_ping(&r->app->db);
	json_t *j = json_pack("{s:s, s:s, s:s, s:s}", "status", up ? "ok" : "degraded", "program",
			      r->app->def->name, "version", CERTHALL_VERSION, "db",
			      up ? "ok" : "unreachable");

	resp_json(r, up ? 200 : 503, j);
	return 0;
}
