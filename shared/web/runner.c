/* runner: prefork master: binds the socket, keeps N workers alive, stops gracefully. */
#include "web/runner.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"

#define MAX_WORKERS 256

struct slot {
	pid_t pid;
	time_t started;
	time_t next_spawn;    /* crash-loop brake */
	int quick_deaths;
};

static volatile sig_atomic_t worker_stop;

/* The watchdog's last words: FastCGI records framed at arming, written by the handler. */
static unsigned char wd_buf[8192 + 64];
static size_t wd_len;
static int wd_fd = -1;
static struct sigaction wd_old; /* SIGALRM's action before arming, put back at disarming */
static bool wd_armed;

bool runner_should_stop(void)
{
	return worker_stop != 0;
}

static void on_worker_term(int sig)
{
	(void)sig;
	worker_stop = 1;
}

void runner_hold_signals(bool hold)
{
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, SIGTERM);
	sigaddset(&s, SIGHUP);
	sigprocmask(hold ? SIG_BLOCK : SIG_UNBLOCK, &s, NULL);
}

static void fcgi_header(unsigned char *p, int type, int request_id, size_t len)
{
	p[0] = 1; /* FCGI_VERSION_1 */
	p[1] = (unsigned char)type;
	p[2] = (unsigned char)(request_id >> 8);
	p[3] = (unsigned char)request_id;
	p[4] = (unsigned char)(len >> 8);
	p[5] = (unsigned char)len;
	p[6] = 0; /* no padding */
	p[7] = 0;
}

static void on_watchdog(int sig)
{
	size_t off = 0;

	(void)sig;
	while (wd_fd >= 0 && off < wd_len) {
		ssize_t k = write(wd_fd, wd_buf + off, wd_len - off);

		if (k <= 0 && errno != EINTR)
			break;
		if (k > 0)
			off += (size_t)k;
	}
	_exit(RUNNER_EXIT_WATCHDOG);
}

int runner_watchdog_arm(int fd, int request_id, const char *response, size_t len, unsigned ms)
{
	struct itimerval it = { { 0, 0 }, { (time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000 } };
	struct sigaction sa;
	unsigned char *p = wd_buf;

	/* STDOUT (6) with the answer, an empty STDOUT ending the stream, END_REQUEST (3). */
	if (len > sizeof(wd_buf) - 64 || ms == 0)
		return -1;
	fcgi_header(p, 6, request_id, len);
	memcpy(p + 8, response, len);
	p += 8 + len;
	fcgi_header(p, 6, request_id, 0);
	p += 8;
	fcgi_header(p, 3, request_id, 8);
	memset(p + 8, 0, 8); /* appStatus 0, FCGI_REQUEST_COMPLETE */
	p += 16;
	wd_len = (size_t)(p - wd_buf);
	wd_fd = fd;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_watchdog;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, &wd_old) != 0)
		return -1;
	if (setitimer(ITIMER_REAL, &it, NULL) != 0) {
		sigaction(SIGALRM, &wd_old, NULL);
		wd_fd = -1;
		return -1;
	}
	wd_armed = true;
	return 0;
}

void runner_watchdog_disarm(void)
{
	struct itimerval off = { { 0, 0 }, { 0, 0 } };

	if (!wd_armed)
		return;
	setitimer(ITIMER_REAL, &off, NULL);
	sigaction(SIGALRM, &wd_old, NULL);
	wd_fd = -1;
	wd_armed = false;
}

int runner_limit_memory(unsigned mb)
{
	struct rlimit rl = { (rlim_t)mb << 20, (rlim_t)mb << 20 };

#ifdef CERTHALL_SANITIZED
	/* make SAN=1: ASan has reserved terabytes of shadow address space; no limit can hold. */
	(void)rl;
	return 0;
#else
	return setrlimit(RLIMIT_AS, &rl);
#endif
}

/* An existing socket file is ours to replace only if nobody answers on it. */
static int socket_in_use(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0), rc;

	if (fd < 0)
		return 0;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	return rc == 0;
}

static int bind_socket(const struct runner_opts *o)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t len = strlen(o->socket_path);
	int fd;

	if (len >= sizeof(sa.sun_path))
		fatal("socket path too long (%zu bytes, at most %zu): %s", len,
		      sizeof(sa.sun_path) - 1, o->socket_path);
	if (socket_in_use(o->socket_path))
		fatal("%s: another %s is already listening there", o->socket_path, o->name);
	if (unlink(o->socket_path) < 0 && errno != ENOENT)
		fatal("%s: cannot remove stale socket: %s", o->socket_path, strerror(errno));
	memcpy(sa.sun_path, o->socket_path, len + 1);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0)
		fatal("socket: %s", strerror(errno));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		fatal("bind %s: %s", o->socket_path, strerror(errno));
	if (chmod(o->socket_path, (mode_t)o->socket_mode) < 0)
		fatal("chmod %s: %s", o->socket_path, strerror(errno));
	if (listen(fd, o->backlog) < 0)
		fatal("listen %s: %s", o->socket_path, strerror(errno));
	return fd;
}

static bool listening_socket(int fd)
{
	int type, acc;
	socklen_t len = sizeof(type), alen = sizeof(acc);

	return getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_STREAM &&
	       getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &alen) == 0 && acc;
}

/*
 * A listener handed over by the host: systemd's protocol (LISTEN_PID and LISTEN_FDS, the
 * socket at fd 3: socket units, systemd-socket-activate) or fd 0 (spawn-fcgi, inetd style).
 * The variables are dropped so that nothing the workers start believes them too.
 */
static int inherited_socket(void)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	char *end;
	long p, n;

	if (pid && fds) {
		errno = 0;
		p = strtol(pid, &end, 10);
		if (!errno && !*end && p == (long)getpid()) {
			n = strtol(fds, &end, 10);
			if (!*end && n >= 1 && listening_socket(3)) {
				unsetenv("LISTEN_PID");
				unsetenv("LISTEN_FDS");
				unsetenv("LISTEN_FDNAMES");
				return 3;
			}
		}
	}
	if (listening_socket(0))
		return 0;
	return -1;
}

static pid_t spawn(int listen_fd, int no, runner_worker_fn fn, void *ctx, const char *name)
{
	pid_t pid = fork();
	char wname[48];
	struct sigaction sa;
	sigset_t all;

	if (pid != 0)
		return pid;
	snprintf(wname, sizeof(wname), "%s/w%d", name, no);
	log_set_name(wname);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_worker_term; /* no SA_RESTART: a blocked accept() returns EINTR */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGINT, &sa, NULL); /* Ctrl-C reaches the group; the master decides */
	sa.sa_handler = SIG_DFL;
	sigaction(SIGCHLD, &sa, NULL);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	_exit(fn(listen_fd, no, ctx));
}

static void signal_all(struct slot *slots, int n, int sig)
{
	for (int i = 0; i < n; i++)
		if (slots[i].pid > 0)
			kill(slots[i].pid, sig);
}

static int alive(const struct slot *slots, int n)
{
	int k = 0;

	for (int i = 0; i < n; i++)
		k += slots[i].pid > 0;
	return k;
}

static void reap(struct slot *slots, int n, bool stopping)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (int i = 0; i < n; i++) {
			time_t now = time(NULL);

			if (slots[i].pid != pid)
				continue;
			slots[i].pid = 0;
			if (WIFSIGNALED(status))
				log_error("worker %d (pid %d) killed by signal %d", i + 1, (int)pid,
					  WTERMSIG(status));
			else if (WEXITSTATUS(status) == RUNNER_EXIT_WATCHDOG)
				log_warn("worker %d (pid %d) ended by its watchdog: replaced", i + 1,
					 (int)pid);
			else if (WEXITSTATUS(status) != 0 && !stopping)
				log_warn("worker %d (pid %d) exited with status %d", i + 1, (int)pid,
					 WEXITSTATUS(status));
			if (now - slots[i].started < 1) {
				int d = slots[i].quick_deaths < 5 ? slots[i].quick_deaths : 5;

				slots[i].quick_deaths++;
				slots[i].next_spawn = now + (1 << d) - 1;
			} else {
				slots[i].quick_deaths = 0;
				slots[i].next_spawn = now;
			}
		}
	}
}

int runner_run(const struct runner_opts *o, runner_worker_fn fn, void *ctx)
{
	struct slot slots[MAX_WORKERS] = { 0 };
	int n = o->workers > MAX_WORKERS ? MAX_WORKERS : o->workers, listen_fd, owned = 0;
	bool stopping = false;
	time_t deadline = 0;
	sigset_t set;

	listen_fd = inherited_socket();
	if (listen_fd < 0) {
		listen_fd = bind_socket(o);
		owned = 1;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	if (owned)
		log_info("listening on %s with %d workers", o->socket_path, n);
	else
		log_info("listening on inherited fd %d with %d workers", listen_fd, n);

	for (;;) {
		struct timespec tick = { .tv_sec = 1 };
		time_t now;
		int sig;

		reap(slots, n, stopping);
		now = time(NULL);
		if (stopping) {
			if (!alive(slots, n))
				break;
			if (now >= deadline) {
				log_warn("workers still busy after %d s: killing them", o->stop_timeout);
				signal_all(slots, n, SIGKILL);
			}
		} else {
			for (int i = 0; i < n; i++) {
				if (slots[i].pid > 0 || now < slots[i].next_spawn)
					continue;
				slots[i].started = now;
				slots[i].pid = spawn(listen_fd, i + 1, fn, ctx, o->name);
				if (slots[i].pid < 0) {
					log_error("fork: %s", strerror(errno));
					slots[i].pid = 0;
					slots[i].next_spawn = now + 1;
				}
			}
		}
		sig = sigtimedwait(&set, NULL, &tick);
		if (sig == SIGTERM || sig == SIGINT) {
			if (!stopping)
				log_info("stopping: waiting for %d workers", alive(slots, n));
			stopping = true;
			deadline = time(NULL) + o->stop_timeout;
			signal_all(slots, n, SIGTERM);
		} else if (sig == SIGHUP) {
			log_info("SIGHUP: replacing workers");
			signal_all(slots, n, SIGTERM);
		}
	}
	if (owned) {
		unlink(o->socket_path);
		close(listen_fd);
	}
	log_info("stopped");
	return 0;
}
