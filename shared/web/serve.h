/* serve: a program's start, its worker loop and its health route. */
#ifndef CERTHALL_SERVE_H
#define CERTHALL_SERVE_H

#include <stdbool.h>
#include <stddef.h>

#include "web/app_state.h"
#include "web/route.h"

struct serve_def {
	const char *name;              /* socket <socket_dir>/<name>.sock, log name */
	const struct route *routes;
	size_t nroutes;
	bool needs_key;                /* the PII key must load, or the program does not start */
	int (*worker_init)(struct app *app);    /* optional, after the db connection */
	int (*start_check)(struct app *app);    /* optional, in the master (and -t): -1 stops */
	int (*master_init)(struct app *app);    /* optional, in the master before the workers
						 * (not -t): what they share; -1 stops */
	void (*after_response)(struct app *app); /* optional: work the client need not wait for */
};

/* Parses -c FILE, -w N, -t (check config and exit), loads the config and runs the prefork
 * master. Returns the process exit status. */
int serve_main(int argc, char **argv, const struct serve_def *def);

/* GET /api/<program>/health: database reachable, version. 200 or 503. */
int serve_health(struct req *r);

#endif
