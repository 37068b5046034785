/* runner: the prefork master every program runs: socket, workers, restarts, graceful stop. */
#ifndef CERTHALL_RUNNER_H
#define CERTHALL_RUNNER_H

#include <stdbool.h>
#include <stddef.h>

struct runner_opts {
	const char *name;          /* for logs: "track" */
	const char *socket_path;   /* bound unless fd 0 is already a listening socket */
	int socket_mode;
	int backlog;
	int workers;
	int stop_timeout;          /* seconds a worker may take to finish before SIGKILL */
};

/* A worker's body: serve from listen_fd until runner_should_stop() or a recycle, then return
 * the exit status. worker_no counts from 1. */
typedef int (*runner_worker_fn)(int listen_fd, int worker_no, void *ctx);

/*
 * Binds the socket (or inherits fd 0 from systemd or spawn-fcgi), forks opts->workers
 * workers and keeps that many alive: a worker that dies is logged and replaced, a worker that
 * dies within a second of its start is replaced after a growing delay (crash loop). SIGTERM
 * or SIGINT: every worker finishes its request and exits, then the master removes the socket
 * it made and returns 0. SIGHUP: workers are replaced one by one (new config, new code).
 */
int runner_run(const struct runner_opts *opts, runner_worker_fn fn, void *ctx);

/* The exit status of a worker the watchdog ended. */
#define RUNNER_EXIT_WATCHDOG 75

/*
 * In a worker: a wall-clock watchdog for one step that may not come back (a decoder stuck in
 * a library, where no cooperative deadline runs). If runner_watchdog_disarm is not called
 * within ms, a SIGALRM handler writes response (a complete CGI answer: "Status: ...",
 * headers, blank line, body) to fd as the FastCGI STDOUT and END_REQUEST records of
 * request_id, and _exits with RUNNER_EXIT_WATCHDOG; the master starts a fresh worker. The
 * records are framed here, at arming, so the handler only calls write(2) and _exit(2).
 * Returns 0, or -1 when response does not fit (8 KiB) or the timer cannot be set.
 */
int runner_watchdog_arm(int fd, int request_id, const char *response, size_t len, unsigned ms);
void runner_watchdog_disarm(void);

/* In a worker: caps its address space (RLIMIT_AS) at mb MiB; 0 or -1 with errno. */
int runner_limit_memory(unsigned mb);

/* In a worker: has a stop been asked for? */
bool runner_should_stop(void);

/* In a worker, around a request: SIGTERM waits until the request is done. */
void runner_hold_signals(bool hold);

#endif
