/* API tests: nginx itself: its own errors in the JSON envelope, per-address limits, slow clients. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "apiclient.h"

/* The attacker's address: loopback, but not 127.0.0.1, which the test stack leaves unlimited
 * (nginx/dev.conf.in) so that the other tests and make bench are not counted. */
#define ATTACKER "127.0.0.2"
#define VICTIM "127.0.0.1"
/* How long a socket may wait for nginx's answer: a bound on a hang, not a speed check. */
#define ANSWER_MS 15000

static int port;

static int setup(void **state)
{
	const char *url = getenv("CERTHALL_URL"), *colon;

	(void)state;
	colon = url ? strrchr(url, ':') : NULL;
	port = colon ? (int)strtol(colon + 1, NULL, 10) : 0;
	return port > 0 ? 0 : -1;
}

/* A TCP connection to the stack's nginx from the loopback address src. */
static int dial(const char *src)
{
	struct sockaddr_in me = { .sin_family = AF_INET }, to = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	assert_int_equal(inet_pton(AF_INET, src, &me.sin_addr), 1);
	assert_int_equal(inet_pton(AF_INET, "127.0.0.1", &to.sin_addr), 1);
	to.sin_port = htons((uint16_t)port);
	assert_int_equal(bind(fd, (struct sockaddr *)&me, sizeof(me)), 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&to, sizeof(to)), 0);
	return fd;
}

static void send_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t k = send(fd, s, n, MSG_NOSIGNAL);

		assert_true(k > 0);
		s += k;
		n -= (size_t)k;
	}
}

struct answer {
	int status;
	char head[4096];
	char body[4096];
};

/* Reads one answer until nginx closes (every request here says Connection: close). Returns
 * 0, or -1 when nothing came within ANSWER_MS. */
static int read_answer(int fd, struct answer *a)
{
	static char buf[65536];
	size_t n = 0;
	char *sep;

	memset(a, 0, sizeof(*a));
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t k;

		if (poll(&p, 1, ANSWER_MS) <= 0)
			return -1;
		k = recv(fd, buf + n, sizeof(buf) - 1 - n, 0);
		if (k <= 0)
			break;
		n += (size_t)k;
		if (n == sizeof(buf) - 1)
			break;
	}
	buf[n] = '\0';
	if (sscanf(buf, "HTTP/1.%*c %d", &a->status) != 1)
		return n ? 0 : -1;
	sep = strstr(buf, "\r\n\r\n");
	if (sep) {
		snprintf(a->head, sizeof(a->head), "%.*s", (int)(sep - buf), buf);
		snprintf(a->body, sizeof(a->body), "%s", sep + 4);
	}
	return 0;
}

/* Whether hay holds needle, ignoring case (header names). */
static const char *find_ci(const char *hay, const char *needle)
{
	size_t k = strlen(needle);

	for (; *hay; hay++) {
		if (strncasecmp(hay, needle, k) == 0)
			return hay;
	}
	return NULL;
}

/* Sends raw from src and reads the answer. */
static void exchange(const char *src, const char *raw, size_t len, struct answer *a)
{
	int fd = dial(src);

	send_all(fd, raw, len);
	assert_int_equal(read_answer(fd, a), 0);
	close(fd);
}

/* The answer is the programs' envelope: a JSON error with code, a zh-CN message (not ASCII)
 * and the request id of the X-Request-Id header, which is nginx's $request_id. */
static void expect_envelope(const struct answer *a, int status, const char *code)
{
	json_error_t je;
	json_t *j = json_loads(a->body, 0, &je), *e;
	const char *msg, *rid, *h;
	char want[80];

	print_message("# %d %s\n", a->status, a->body);
	assert_int_equal(a->status, status);
	assert_non_null(find_ci(a->head, "Content-Type: application/json"));
	assert_non_null(j);
	e = json_object_get(j, "error");
	assert_non_null(e);
	assert_string_equal(json_string_value(json_object_get(e, "code")), code);
	msg = json_string_value(json_object_get(e, "message"));
	rid = json_string_value(json_object_get(e, "request_id"));
	assert_non_null(msg);
	assert_true((unsigned char)msg[0] >= 0x80); /* Chinese, not nginx's English */
	assert_non_null(rid);
	assert_int_equal(strlen(rid), 32);
	assert_int_equal(strspn(rid, "0123456789abcdef"), 32);
	snprintf(want, sizeof(want), "X-Request-Id: %s", rid);
	h = find_ci(a->head, want);
	assert_non_null(h);
	json_decref(j);
}

static void test_bad_request_is_json(void **state)
{
	static const char no_host[] = "GET /api/track/health HTTP/1.1\r\n\r\n";
	struct answer a;
	char *big = malloc(16384);

	(void)state;
	exchange(VICTIM, no_host, sizeof(no_host) - 1, &a);
	expect_envelope(&a, 400, "bad_request");
	/* A header over nginx's buffers (494, answered as 400). */
	assert_non_null(big);
	memset(big, 'a', 16383);
	big[16383] = '\0';
	{
		char *req = malloc(17000);
		int n;

		assert_non_null(req);
		n = snprintf(req, 17000, "GET /api/track/health HTTP/1.1\r\nHost: t\r\nX-Big: %s\r\n"
			     "Connection: close\r\n\r\n", big);
		exchange(VICTIM, req, (size_t)n, &a);
		expect_envelope(&a, 400, "bad_request");
		free(req);
	}
	free(big);
}

static void test_uri_too_long_is_json(void **state)
{
	char req[12000];
	struct answer a;
	int n;

	(void)state;
	n = snprintf(req, sizeof(req), "GET /api/track/certs/%0*d HTTP/1.1\r\nHost: t\r\n"
		     "Connection: close\r\n\r\n", 10000, 7);
	exchange(VICTIM, req, (size_t)n, &a);
	expect_envelope(&a, 414, "uri_too_long");
}

/* A body over the location's cap is refused from its Content-Length, before it is sent. */
static void test_body_too_large_is_json(void **state)
{
	static const char json[] = "POST /api/track/order HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
				   "Content-Type: application/json\r\nContent-Length: 70000\r\n\r\n";
	static const char upload[] = "POST /api/upload/orders/1/materials/seal_sample HTTP/1.1\r\n"
				     "Host: t\r\nConnection: close\r\nContent-Length: 15000000\r\n\r\n";
	struct answer a;

	(void)state;
	exchange(VICTIM, json, sizeof(json) - 1, &a);
	expect_envelope(&a, 413, "too_large");
	/* 15 MB to the upload program: nginx refuses it unread (its cap is the largest
	 * material's limit), the program never sees it. */
	exchange(VICTIM, upload, sizeof(upload) - 1, &a);
	expect_envelope(&a, 413, "too_large");
}

/* A program that is down: nginx's 502 becomes the programs' own 503 envelope. The test
 * takes the review program's socket away for one request. */
static void test_program_down_is_json(void **state)
{
	static const char req[] = "GET /api/review/health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
	char sock[512], moved[600];
	struct answer a;

	(void)state;
	api_stack_path("run/review.sock", sock, sizeof(sock));
	snprintf(moved, sizeof(moved), "%s.away", sock);
	assert_int_equal(rename(sock, moved), 0);
	exchange(VICTIM, req, sizeof(req) - 1, &a);
	assert_int_equal(rename(moved, sock), 0);
	expect_envelope(&a, 503, "unavailable");
	assert_non_null(find_ci(a.head, "Retry-After:"));
	exchange(VICTIM, req, sizeof(req) - 1, &a);
	assert_int_equal(a.status, 200);
}

/* Logins from one address past the burst: nginx answers 429 in JSON before the program; the
 * other address is not affected. */
static void test_login_flood_limited(void **state)
{
	static const char req[] = "POST /api/account/login HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
				  "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";
	struct answer a, last = { 0 };
	int limited = 0;

	(void)state;
	for (int i = 0; i < 30; i++) {
		exchange(ATTACKER, req, sizeof(req) - 1, &a);
		if (a.status == 429) {
			limited++;
			last = a;
		} else {
			assert_int_equal(a.status, 400); /* the program's own answer to {} */
		}
	}
	assert_true(limited >= 30 - 11); /* a burst of 10, at 30/min: at most 11 pass */
	expect_envelope(&last, 429, "rate_limited");
	exchange(VICTIM, req, sizeof(req) - 1, &a);
	assert_int_equal(a.status, 400);
}

/*
 * Slow clients from one address do not stop another's requests. From the attacker address:
 * 200 connections that send half a request header and stop (nginx holds each until
 * client_header_timeout), and 48 that send a whole header announcing a body that never comes
 * (each holds a connection slot of the limit_conn zone: past 32, nginx answers 429 at once
 * and closes). Meanwhile the victim's requests are answered, and after them the attacker's
 * connections are still open (they were held, not merely gone).
 */
static void test_slow_clients(void **state)
{
	static const char half[] = "GET /api/track/health HTTP/1.1\r\nHost: t\r\nX-Slow: ";
	static const char body[] = "POST /api/wizard/orders HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
				   "Content-Type: application/json\r\nContent-Length: 60000\r\n\r\n{";
	static const char health[] = "GET /api/track/health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
	enum { NHALF = 200, NBODY = 48 };
	int halves[NHALF], bodies[NBODY], refused = 0, held = 0;
	struct answer a;

	(void)state;
	for (int i = 0; i < NHALF; i++) {
		halves[i] = dial(ATTACKER);
		send_all(halves[i], half, sizeof(half) - 1);
	}
	for (int i = 0; i < NBODY; i++) {
		bodies[i] = dial(ATTACKER);
		send_all(bodies[i], body, sizeof(body) - 1);
	}
	for (int i = 0; i < 5; i++) {
		exchange(VICTIM, health, sizeof(health) - 1, &a);
		assert_int_equal(a.status, 200);
	}
	/* The slow bodies past the per-address limit were refused with a JSON 429; the ones
	 * within it are still waiting for their body. */
	for (int round = 0; refused < NBODY - 32 && round < ANSWER_MS / 100; round++) {
		struct pollfd p[NBODY];

		for (int i = 0; i < NBODY; i++)
			p[i] = (struct pollfd){ .fd = bodies[i], .events = POLLIN };
		if (poll(p, NBODY, 100) <= 0)
			continue;
		for (int i = 0; i < NBODY; i++) {
			if (bodies[i] < 0 || !(p[i].revents & (POLLIN | POLLHUP)))
				continue;
			assert_int_equal(read_answer(bodies[i], &a), 0);
			expect_envelope(&a, 429, "rate_limited");
			close(bodies[i]);
			bodies[i] = -1;
			refused++;
		}
	}
	for (int i = 0; i < NBODY; i++)
		held += bodies[i] >= 0;
	print_message("# slow bodies: %d refused, %d held\n", refused, held);
	assert_int_equal(held, 32);
	assert_int_equal(refused, NBODY - 32);
	/* The slow headers are still held by nginx (no answer yet): they were in the way. */
	for (int i = 0; i < NHALF; i++) {
		struct pollfd p = { .fd = halves[i], .events = POLLIN };

		assert_int_equal(poll(&p, 1, 0), 0);
		close(halves[i]);
	}
	for (int i = 0; i < NBODY; i++)
		if (bodies[i] >= 0)
			close(bodies[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_request_is_json),
		cmocka_unit_test(test_uri_too_long_is_json),
		cmocka_unit_test(test_body_too_large_is_json),
		cmocka_unit_test(test_program_down_is_json),
		cmocka_unit_test(test_login_flood_limited),
		cmocka_unit_test(test_slow_clients),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
