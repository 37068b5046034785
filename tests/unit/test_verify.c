/* Unit tests of shared/ext/verify.c: the elements each method sends, the answers it accepts, and
 * signed exchanges with a local fake gateway. */
#define _GNU_SOURCE /* strcasestr */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ext/verify.h"

#define SECRET "verify-test-secret"
#define REF "00112233445566778899aabbccddeeff"

static pid_t server_pid;
static int server_port, closed_port;

/* A complete check; tests spoil one member at a time. */
static struct verify_check check(const char *method)
{
	return (struct verify_check){
		.subject = "enterprise", .method = method, .name = "张伟",
		.id_number = "11010519491231002X", .mobile = "+8613812345678",
		.bank_card = "6222020200001234567", .org_name = "北京数安示范科技有限公司",
		.uscc = "91350100M000100Y43", .account_name = "北京数安示范科技有限公司",
		.account_no = "4000021109200123456", .bank = "中国工商银行深圳科技园支行",
		.memo = "012345", .ref = REF,
	};
}

static void test_methods(void **state)
{
	(void)state;
	assert_true(verify_method_known("enterprise", "transfer"));
	assert_true(verify_method_known("enterprise", "lr_face"));
	assert_true(verify_method_known("handler", "card"));
	assert_false(verify_method_known("handler", "lr_mobile"));
	assert_false(verify_method_known("enterprise", "mobile"));
	assert_false(verify_method_known("enterprise", "mail_in"));
	assert_false(verify_method_known(NULL, "mobile"));
	assert_false(verify_method_known("handler", NULL));
	assert_true(verify_method_face("face"));
	assert_true(verify_method_face("lr_face"));
	assert_false(verify_method_face("card"));
	assert_null(verify_method_name("LR_MOBILE"));
	assert_non_null(verify_method_name("lr_card"));
}

static void test_missing(void **state)
{
	struct verify_check c;

	(void)state;
	c = check("lr_mobile");
	assert_null(verify_missing(&c));
	c.id_number = "110105194912310021"; /* check digit wrong */
	assert_string_equal(verify_missing(&c), "id_number");
	c = check("lr_mobile");
	c.mobile = "1381234567";
	assert_string_equal(verify_missing(&c), "mobile");
	c.mobile = NULL;
	assert_string_equal(verify_missing(&c), "mobile");
	c = check("lr_mobile");
	c.uscc = "91350100M000100Y44";
	assert_string_equal(verify_missing(&c), "uscc");
	c = check("lr_mobile");
	c.name = "张\n伟";
	assert_string_equal(verify_missing(&c), "name");
	/* The card is a fourth element only for the card methods. */
	c = check("mobile");
	c.bank_card = "12ab";
	assert_null(verify_missing(&c));
	c = check("card");
	c.bank_card = "62220202000";
	assert_string_equal(verify_missing(&c), "bank_card");
	c.bank_card = "62220202000012345678";
	assert_string_equal(verify_missing(&c), "bank_card");
	/* Face: the mobile is optional (QR on the spot), but not a malformed one. */
	c = check("face");
	c.mobile = "";
	assert_null(verify_missing(&c));
	c.mobile = "12345";
	assert_string_equal(verify_missing(&c), "mobile");
	/* The transfer needs the account, not the person. */
	c = check("transfer");
	c.name = c.id_number = c.mobile = NULL;
	assert_null(verify_missing(&c));
	c.memo = "12345";
	assert_string_equal(verify_missing(&c), "memo");
	c.memo = "01234a";
	assert_string_equal(verify_missing(&c), "memo");
	c = check("transfer");
	c.account_no = "4000-0211";
	assert_string_equal(verify_missing(&c), "account_no");
	c = check("transfer");
	c.bank = "";
	assert_string_equal(verify_missing(&c), "bank");
	c = check("selfie");
	assert_string_equal(verify_missing(&c), "method");
}

static void test_request(void **state)
{
	struct verify_check c;
	json_t *j;

	(void)state;
	/* Only what the method needs leaves: no card for a 3-element check. */
	c = check("lr_mobile");
	j = verify_request(&c);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "ref")), REF);
	assert_string_equal(json_string_value(json_object_get(j, "method")), "lr_mobile");
	assert_string_equal(json_string_value(json_object_get(j, "mobile")), "13812345678");
	assert_string_equal(json_string_value(json_object_get(j, "uscc")), c.uscc);
	assert_null(json_object_get(j, "bank_card"));
	assert_null(json_object_get(j, "memo"));
	assert_null(json_object_get(j, "account_no"));
	json_decref(j);
	c = check("card");
	j = verify_request(&c);
	assert_string_equal(json_string_value(json_object_get(j, "bank_card")), c.bank_card);
	assert_null(json_object_get(j, "org_name"));
	json_decref(j);
	c = check("transfer");
	j = verify_request(&c);
	assert_int_equal(json_integer_value(json_object_get(j, "amount_fen")), 1);
	assert_string_equal(json_string_value(json_object_get(j, "memo")), "012345");
	assert_null(json_object_get(j, "method"));
	assert_null(json_object_get(j, "id_number"));
	assert_null(json_object_get(j, "mobile"));
	json_decref(j);
	c = check("retina");
	assert_null(verify_request(&c));
	c = check("mobile");
	c.ref = NULL;
	assert_null(verify_request(&c));
}

static int parse(const char *text, long status, bool transfer, struct verify_result *out)
{
	json_t *j = text ? json_loads(text, 0, NULL) : NULL;
	char err[128];
	int rc = verify_parse(status, j, transfer, out, err, sizeof(err));

	json_decref(j);
	return rc;
}

static void test_parse(void **state)
{
	struct verify_result r;
	char long_msg[2000];
	size_t n;

	(void)state;
	assert_int_equal(parse("{\"state\":\"passed\"}", 200, false, &r), VERIFY_OK);
	assert_int_equal(r.state, VERIFY_PASSED);
	assert_int_equal(parse("{\"state\":\"failed\",\"message\":\"不一致\"}", 200, false, &r), VERIFY_OK);
	assert_int_equal(r.state, VERIFY_FAILED);
	assert_string_equal(r.message, "不一致");
	assert_int_equal(parse("{\"state\":\"pending\",\"link\":\"https://face.example/c/1?a=b\"}", 200,
			       false, &r), VERIFY_OK);
	assert_int_equal(r.state, VERIFY_PENDING);
	assert_string_equal(r.link, "https://face.example/c/1?a=b");
	/* Links that are not plain http(s) URLs are dropped, never passed on. */
	assert_int_equal(parse("{\"state\":\"pending\",\"link\":\"javascript:alert(1)\"}", 200, false,
			       &r), VERIFY_OK);
	assert_string_equal(r.link, "");
	assert_int_equal(parse("{\"state\":\"pending\",\"link\":\"https://x/\\\"><script>\"}", 200,
			       false, &r), VERIFY_OK);
	assert_string_equal(r.link, "");
	/* A link on a decided check means nothing. */
	assert_int_equal(parse("{\"state\":\"passed\",\"link\":\"https://x/\"}", 200, false, &r),
			 VERIFY_OK);
	assert_string_equal(r.link, "");
	/* Transfers: sent is pending (the memo is still to come); a check's states are not theirs. */
	assert_int_equal(parse("{\"state\":\"sent\"}", 200, true, &r), VERIFY_OK);
	assert_int_equal(r.state, VERIFY_PENDING);
	assert_int_equal(parse("{\"state\":\"passed\"}", 200, true, &r), VERIFY_UNAVAILABLE);
	assert_int_equal(parse("{\"state\":\"sent\"}", 200, false, &r), VERIFY_UNAVAILABLE);
	/* Anything but a well-formed 200 is the gateway being unavailable. */
	assert_int_equal(parse("{\"state\":\"passed\"}", 500, false, &r), VERIFY_UNAVAILABLE);
	assert_int_equal(parse("{\"state\":\"passed\"}", 404, false, &r), VERIFY_UNAVAILABLE);
	assert_int_equal(parse(NULL, 200, false, &r), VERIFY_UNAVAILABLE);
	assert_int_equal(parse("{\"state\":\"PASSED\"}", 200, false, &r), VERIFY_UNAVAILABLE);
	assert_int_equal(parse("{\"state\":1}", 200, false, &r), VERIFY_UNAVAILABLE);
	assert_int_equal(parse("{}", 200, false, &r), VERIFY_UNAVAILABLE);
	/* Messages: control characters blanked, cut at 200 code points on a boundary. */
	assert_int_equal(parse("{\"state\":\"failed\",\"message\":\"a\\nb\\u0007c\"}", 200, false, &r),
			 VERIFY_OK);
	assert_string_equal(r.message, "a b c");
	n = (size_t)snprintf(long_msg, sizeof(long_msg), "{\"state\":\"failed\",\"message\":\"");
	for (int i = 0; i < 300; i++)
		n += (size_t)snprintf(long_msg + n, sizeof(long_msg) - n, "核");
	snprintf(long_msg + n, sizeof(long_msg) - n, "\"}");
	assert_int_equal(parse(long_msg, 200, false, &r), VERIFY_OK);
	assert_int_equal(strlen(r.message), 3 * VERIFY_MESSAGE_CHARS);
}

/* ------------------------------------------------------------ a local fake gateway */

static void reply(int fd, int status, const char *body)
{
	char head[256];
	int n = snprintf(head, sizeof(head),
			 "HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
			 "Connection: close\r\n\r\n", status, strlen(body));

	if (write(fd, head, (size_t)n) < 0 || write(fd, body, strlen(body)) < 0)
		return;
}

static const char *header(const char *req, const char *name, char *out, size_t outsz)
{
	const char *p = strcasestr(req, name);
	size_t n;

	if (!p)
		return NULL;
	p += strlen(name);
	n = strcspn(p, "\r\n");
	snprintf(out, outsz, "%.*s", (int)n, p);
	return out;
}

/* Answers by path; every request must be signed under SECRET. */
static void handle(int fd)
{
	char buf[8192], ts[32], sig[80], len_s[16], method[8], path[256], answer[512];
	size_t got = 0, want;
	const char *body;
	json_t *j;

	for (;;) {
		ssize_t n = read(fd, buf + got, sizeof(buf) - 1 - got);

		if (n <= 0)
			return;
		got += (size_t)n;
		buf[got] = '\0';
		if ((body = strstr(buf, "\r\n\r\n")) == NULL)
			continue;
		body += 4;
		want = header(buf, "Content-Length: ", len_s, sizeof(len_s)) ? strtoul(len_s, NULL, 10) : 0;
		if (got - (size_t)(body - buf) >= want)
			break;
	}
	if (sscanf(buf, "%7s %255s", method, path) != 2 ||
	    !header(buf, "X-Certhall-Timestamp: ", ts, sizeof(ts)) ||
	    !header(buf, "X-Certhall-Signature: ", sig, sizeof(sig)) ||
	    provider_verify(SECRET, ts, sig, body, strlen(body), time(NULL)) < 0) {
		reply(fd, 401, "{\"error\":{\"code\":\"bad_signature\"}}");
		return;
	}
	j = json_loads(body, 0, NULL);
	if (strcmp(path, "/v/checks") == 0)
		snprintf(answer, sizeof(answer), "{\"ref\":\"%s\",\"state\":\"%s\"}",
			 json_string_value(json_object_get(j, "ref")),
			 json_object_get(j, "bank_card") ? "failed" : "passed");
	else if (strcmp(path, "/v/transfers") == 0)
		snprintf(answer, sizeof(answer), "{\"ref\":\"%s\",\"state\":\"sent\"}",
			 json_string_value(json_object_get(j, "ref")));
	else if (strcmp(path, "/v/checks/" REF) == 0 && strcmp(method, "GET") == 0)
		snprintf(answer, sizeof(answer),
			 "{\"ref\":\"" REF "\",\"state\":\"pending\",\"link\":\"https://face.example/" REF "\"}");
	else if (strcmp(path, "/other/checks") == 0)
		snprintf(answer, sizeof(answer), "{\"ref\":\"ffffffffffffffffffffffffffffffff\",\"state\":\"passed\"}");
	else if (strncmp(path, "/noref/checks", 13) == 0)
		snprintf(answer, sizeof(answer), "{\"state\":\"passed\"}");
	else if (strcmp(path, "/down/checks") == 0) {
		json_decref(j);
		reply(fd, 503, "{\"error\":{\"code\":\"unavailable\"}}");
		return;
	} else if (strcmp(path, "/slow/checks") == 0) {
		sleep(2);
		snprintf(answer, sizeof(answer), "{\"state\":\"passed\"}");
	} else
		snprintf(answer, sizeof(answer), "not json");
	json_decref(j);
	reply(fd, 200, answer);
}

static int listen_any(int *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 16), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &al), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

static int server_up(void **state)
{
	int lfd = listen_any(&server_port), fd;

	(void)state;
	server_pid = fork();
	assert_true(server_pid >= 0);
	if (server_pid == 0) {
		setpgid(0, 0);
		signal(SIGCHLD, SIG_IGN);
		signal(SIGPIPE, SIG_IGN);
		for (;;) {
			int c = accept(lfd, NULL, NULL);

			if (c < 0)
				continue;
			if (fork() == 0) {
				close(lfd);
				handle(c);
				close(c);
				_exit(0);
			}
			close(c);
		}
	}
	setpgid(server_pid, server_pid);
	close(lfd);
	fd = listen_any(&closed_port);
	close(fd);
	return 0;
}

static int server_down(void **state)
{
	(void)state;
	if (server_pid > 0) {
		kill(-server_pid, SIGKILL);
		waitpid(server_pid, NULL, 0);
	}
	return 0;
}

static void gateway(struct provider *p, char *url, size_t urlsz, const char *base, int port,
		    const char *secret, int timeout_ms)
{
	snprintf(url, urlsz, "http://127.0.0.1:%d%s", port, base);
	*p = (struct provider){ .name = "verify", .endpoint = url, .secret = secret,
				.timeout_ms = timeout_ms };
}

static void test_exchanges(void **state)
{
	struct verify_result r;
	struct verify_check c;
	struct provider p;
	char url[128], err[256];

	(void)state;
	gateway(&p, url, sizeof(url), "/v", server_port, SECRET, 2000);
	c = check("lr_mobile");
	assert_int_equal(verify_start(&p, &c, &r, err, sizeof(err)), VERIFY_OK);
	assert_int_equal(r.state, VERIFY_PASSED);
	c = check("lr_card");
	assert_int_equal(verify_start(&p, &c, &r, err, sizeof(err)), VERIFY_OK);
	assert_int_equal(r.state, VERIFY_FAILED);
	c = check("transfer");
	assert_int_equal(verify_start(&p, &c, &r, err, sizeof(err)), VERIFY_OK);
	assert_int_equal(r.state, VERIFY_PENDING);
	assert_int_equal(verify_query(&p, REF, &r, err, sizeof(err)), VERIFY_OK);
	assert_int_equal(r.state, VERIFY_PENDING);
	assert_string_equal(r.link, "https://face.example/" REF);
	/* Nothing leaves for a ref that is not ours to ask about (a path in disguise). */
	assert_int_equal(verify_query(&p, "../../admin", &r, err, sizeof(err)), VERIFY_UNAVAILABLE);
	/* An incomplete check is never sent. */
	c = check("lr_mobile");
	c.id_number = "123";
	assert_int_equal(verify_start(&p, &c, &r, err, sizeof(err)), VERIFY_UNAVAILABLE);
	/* A wrong secret: the gateway refuses, and that is unavailable, not failed. */
	gateway(&p, url, sizeof(url), "/v", server_port, "another secret", 2000);
	c = check("lr_mobile");
	assert_int_equal(verify_start(&p, &c, &r, err, sizeof(err)), VERIFY_UNAVAILABLE);
	/* An answer about another check, a 503, a body that is not JSON, too slow, nobody there. */
	gateway(&p, url, sizeof(url), "/other", server_port, SECRET, 2000);
	assert_int_equal(verify_start(&p, &c, &r, err, sizeof(err)), VERIFY_UNAVAILABLE);
	/* An answer that names no check is not taken for ours (a start, and a query). */
	gateway(&p, url, sizeof(url), "/noref", server_port, SECRET, 2000);
	assert_int_equal(verify_start(&p, &c, &r, err, sizeof(err)), VERIFY_UNAVAILABLE);
	assert_non_null(strstr(err, "names no ref"));
	assert_int_equal(verify_query(&p, REF, &r, err, sizeof(err)), VERIFY_UNAVAILABLE);
	gateway(&p, url, sizeof(url), "/down", server_port, SECRET, 2000);
	assert_int_equal(verify_start(&p, &c, &r, err, sizeof(err)), VERIFY_UNAVAILABLE);
	gateway(&p, url, sizeof(url), "/junk", server_port, SECRET, 2000);
	assert_int_equal(verify_start(&p, &c, &r, err, sizeof(err)), VERIFY_UNAVAILABLE);
	gateway(&p, url, sizeof(url), "/slow", server_port, SECRET, 500);
	assert_int_equal(verify_start(&p, &c, &r, err, sizeof(err)), VERIFY_UNAVAILABLE);
	gateway(&p, url, sizeof(url), "/v", closed_port, SECRET, 2000);
	assert_int_equal(verify_start(&p, &c, &r, err, sizeof(err)), VERIFY_UNAVAILABLE);
}

int main(void)
{
	const struct CMUnitTest offline[] = {
		cmocka_unit_test(test_methods),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_request),
		cmocka_unit_test(test_parse),
	};
	const struct CMUnitTest online[] = {
		cmocka_unit_test(test_exchanges),
	};
	int failed = cmocka_run_group_tests_name("verify", offline, NULL, NULL);

	failed += cmocka_run_group_tests_name("verify over local HTTP", online, server_up,
					      server_down);
	return failed;
}
