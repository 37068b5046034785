/* Unit tests: the prefork runner: workers, recycling, replacement, graceful stop. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "log.h"
#include "runner.h"

static char sock[108];

/* A worker that answers each connection with its pid; 's' asks it to take 400 ms first (with
 * signals held, as the FastCGI loop holds them around a request). It retires after 3. */
static int worker(int fd, int no, void *ctx)
{
	(void)no;
	(void)ctx;
	for (int served = 0; served < 3 && !runner_should_stop();) {
		char cmd = 0, out[32];
		int c = accept(fd, NULL, NULL);
		int n;

		if (c < 0)
			continue;
		runner_hold_signals(true);
		if (read(c, &cmd, 1) == 1 && cmd == 's')
			usleep(400 * 1000);
		n = snprintf(out, sizeof(out), "%d", (int)getpid());
		if (write(c, out, (size_t)n) < 0)
			n = 0;
		close(c);
		runner_hold_signals(false);
		served++;
	}
	return 0;
}

static pid_t start_master(void)
{
	pid_t pid;

	snprintf(sock, sizeof(sock), "/tmp/certhall-runner-%d.sock", (int)getpid());
	pid = fork();
	if (pid == 0) {
		struct runner_opts o = { .name = "t", .socket_path = sock, .socket_mode = 0600,
					 .backlog = 16, .workers = 2, .stop_timeout = 5 };

		log_init("runner-test", LOG_WARN);
		/* fd 0 must not look like an inherited listening socket. */
		freopen("/dev/null", "r", stdin);
		_exit(runner_run(&o, worker, NULL));
	}
	for (int i = 0; i < 100; i++) {
		struct stat st;

		if (stat(sock, &st) == 0)
			break;
		usleep(20 * 1000);
	}
	return pid;
}

/* One request; the pid of the worker that answered, or -1. */
static int ask(char cmd)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char buf[32] = "";
	int fd = socket(AF_UNIX, SOCK_STREAM, 0), n;

	memcpy(sa.sun_path, sock, strlen(sock) + 1);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	if (write(fd, &cmd, 1) != 1) {
		close(fd);
		return -1;
	}
	n = (int)read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? (int)strtol(buf, NULL, 10) : -1;
}

static void test_recycles_and_replaces(void **state)
{
	pid_t master = start_master();
	int pids[12], distinct = 0, status;

	(void)state;
	for (int i = 0; i < 12; i++) {
		pids[i] = ask('x');
		assert_true(pids[i] > 0); /* every request served, across recycling */
	}
	for (int i = 0; i < 12; i++) {
		int seen = 0;

		for (int j = 0; j < i; j++)
			seen |= pids[j] == pids[i];
		distinct += !seen;
	}
	/* 3 requests a worker: 12 requests need at least 4 workers over time. */
	assert_true(distinct >= 4);
	/* A worker killed from outside is replaced too. */
	kill(pids[11], SIGKILL);
	usleep(300 * 1000);
	for (int i = 0; i < 4; i++)
		assert_true(ask('x') > 0);
	kill(master, SIGTERM);
	assert_int_equal(waitpid(master, &status, 0), master);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_graceful_stop_finishes_the_request(void **state)
{
	pid_t master = start_master(), client;
	int status;
	struct stat st;

	(void)state;
	client = fork();
	if (client == 0) {
		int got = ask('s');

		_exit(got > 0 ? 0 : 1);
	}
	usleep(150 * 1000); /* the slow request is in a worker now */
	kill(master, SIGTERM);
	assert_int_equal(waitpid(client, &status, 0), client);
	assert_int_equal(WEXITSTATUS(status), 0); /* answered despite the stop */
	assert_int_equal(waitpid(master, &status, 0), master);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(stat(sock, &st), -1); /* the master removed its socket */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recycles_and_replaces),
		cmocka_unit_test(test_graceful_stop_finishes_the_request),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
