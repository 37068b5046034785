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

#include "base/log.h"
#include "web/runner.h"

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

/* A worker stuck in a step that never returns: the watchdog writes the answer framed as
 * FastCGI records of the request and ends the worker with RUNNER_EXIT_WATCHDOG. */
static void test_watchdog_answers_and_exits(void **state)
{
	static const char answer[] = "Status: 400 Bad Request\r\nContent-Type: application/json\r\n\r\n"
				     "{\"error\":{\"code\":\"corrupt_image\"}}";
	unsigned char buf[1024];
	size_t n = 0, len = sizeof(answer) - 1;
	int fds[2], status;
	ssize_t k;
	pid_t pid;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		if (runner_watchdog_arm(fds[1], 0x1234, answer, len, 50) != 0)
			_exit(1);
		for (;;)
			pause(); /* the decoder that never comes back */
	}
	close(fds[1]);
	while ((k = read(fds[0], buf + n, sizeof(buf) - n)) > 0)
		n += (size_t)k;
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), RUNNER_EXIT_WATCHDOG);
	/* STDOUT with the answer, an empty STDOUT, END_REQUEST: all of request 0x1234. */
	assert_int_equal(n, 8 + len + 8 + 16);
	assert_int_equal(buf[0], 1);
	assert_int_equal(buf[1], 6);
	assert_int_equal(buf[2] << 8 | buf[3], 0x1234);
	assert_int_equal((size_t)(buf[4] << 8 | buf[5]), len);
	assert_memory_equal(buf + 8, answer, len);
	assert_int_equal(buf[8 + len + 1], 6);
	assert_int_equal(buf[8 + len + 4] << 8 | buf[8 + len + 5], 0);
	assert_int_equal(buf[8 + len + 8 + 1], 3);
	assert_int_equal(buf[8 + len + 8 + 5], 8);
	/* An answer that does not fit is refused at arming, not truncated at firing. */
	{
		static char big[9000];

		memset(big, 'x', sizeof(big));
		assert_int_equal(runner_watchdog_arm(1, 1, big, sizeof(big), 50), -1);
	}
}

/* Disarmed in time, the watchdog never fires (the worker exits 0 after its deadline). */
static void test_watchdog_disarmed(void **state)
{
	int status;
	pid_t pid;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct timespec t = { 0, 600 * 1000000L };

		if (runner_watchdog_arm(-1, 1, "x", 1, 300) != 0)
			_exit(1);
		runner_watchdog_disarm();
		while (nanosleep(&t, &t) != 0 && errno == EINTR)
			;
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* The address-space cap: an allocation beyond it fails (malloc answers NULL, the worker
 * lives), one within it succeeds. */
static void test_memory_cap(void **state)
{
	int status;
	pid_t pid;

	(void)state;
#ifdef CERTHALL_SANITIZED
	/* make SAN=1: runner_limit_memory sets no cap under ASan (its shadow memory is terabytes of
	 * address space); the plain build's run proves the cap. */
	skip();
#endif
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		void *big, *small;

		if (runner_limit_memory(256) != 0)
			_exit(1);
		big = malloc(512u << 20);
		small = malloc(16u << 20);
		_exit(big == NULL && small != NULL ? 0 : 2);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recycles_and_replaces),
		cmocka_unit_test(test_graceful_stop_finishes_the_request),
		cmocka_unit_test(test_watchdog_answers_and_exits),
		cmocka_unit_test(test_watchdog_disarmed),
		cmocka_unit_test(test_memory_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
