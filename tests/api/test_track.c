/* API tests: public tracking (orders, certificates), errors, limits, worker restarts. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "apiclient.h"
#include "domain/orderno.h"

#define MAX_DEMO 16

static char demo[MAX_DEMO][ORDERNO_LEN + 1];
static int ndemo;

/* The demo orders the stack seeded (run/demo.txt): their handler mobile ends in 8000. */
static int load_demo(void **state)
{
	char path[512], line[512];
	FILE *f;

	(void)state;
	f = fopen(api_stack_path("run/demo.txt", path, sizeof(path)), "r");
	if (!f)
		return -1;
	while (ndemo < MAX_DEMO && fgets(line, sizeof(line), f)) {
		char no[32];

		if (sscanf(line, " %31s", no) == 1 && strlen(no) == ORDERNO_LEN && orderno_valid(no))
			snprintf(demo[ndemo++], sizeof(demo[0]), "%s", no);
	}
	fclose(f);
	return ndemo >= 6 ? 0 : -1;
}

static void lookup(const char *no, const char *tail, struct api_resp *r)
{
	char body[1024];

	snprintf(body, sizeof(body), "{\"order_no\":\"%s\",\"mobile_tail\":\"%s\"}", no, tail);
	api_post_json("/api/track/order", body, r);
}

static void test_health(void **state)
{
	struct api_resp r;

	(void)state;
	api_get("/api/track/health", &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "status")), "ok");
	assert_string_equal(json_string_value(json_object_get(r.json, "db")), "ok");
	api_free(&r);
}

static void test_lookup_every_demo_order(void **state)
{
	(void)state;
	for (int i = 0; i < ndemo; i++) {
		struct api_resp r;
		json_t *o, *tl;
		char hdr[128];

		lookup(demo[i], "8000", &r);
		assert_int_equal(r.status, 200);
		o = json_object_get(r.json, "order");
		assert_string_equal(json_string_value(json_object_get(o, "order_no")), demo[i]);
		assert_string_equal(json_string_value(json_object_get(o, "handler_mobile")), "138****8000");
		assert_non_null(json_string_value(json_object_get(o, "state_name")));
		tl = json_object_get(r.json, "timeline");
		assert_true(json_array_size(tl) >= 1);
		assert_string_equal(json_string_value(json_object_get(json_array_get(tl, 0), "event")),
				    "created");
		/* Nothing personal in clear: not the mobile, not the organisation's full name. */
		assert_null(strstr(r.body, "13800138000"));
		assert_null(strstr(r.body, "示范科技有限公司"));
		assert_non_null(api_header(&r, "X-Request-Id", hdr, sizeof(hdr)));
		assert_non_null(api_header(&r, "X-Content-Type-Options", hdr, sizeof(hdr)));
		api_free(&r);
	}
}

static void test_shipped_order_shows_waybill(void **state)
{
	int found = 0;

	(void)state;
	for (int i = 0; i < ndemo; i++) {
		struct api_resp r;

		lookup(demo[i], "8000", &r);
		assert_int_equal(r.status, 200);
		if (strcmp(json_string_value(json_object_get(json_object_get(r.json, "order"), "state")),
			   "shipped") == 0) {
			assert_non_null(strstr(r.body, "SF1311234567890"));
			found = 1;
		}
		api_free(&r);
	}
	assert_true(found);
}

/* An unknown number and wrong digits get one and the same answer: nothing to enumerate. */
static void test_wrong_digits_same_as_unknown(void **state)
{
	char unknown[ORDERNO_LEN + 1];
	struct api_resp a, b;
	const char *ma, *mb;

	(void)state;
	memcpy(unknown, demo[0], ORDERNO_LEN + 1);
	/* Change a random digit and recompute the check: well-formed, but no such order. */
	unknown[12] = unknown[12] == '9' ? '0' : (char)(unknown[12] + 1);
	unknown[17] = orderno_check_digit(unknown, 17);
	assert_true(orderno_valid(unknown));
	lookup(demo[0], "0000", &a);
	lookup(unknown, "8000", &b);
	api_expect_error(&a, 404, "not_found");
	api_expect_error(&b, 404, "not_found");
	ma = json_string_value(json_object_get(json_object_get(a.json, "error"), "message"));
	mb = json_string_value(json_object_get(json_object_get(b.json, "error"), "message"));
	assert_string_equal(ma, mb);
	assert_int_equal(a.len - strlen(ma), b.len - strlen(mb)); /* only the request id differs */
	api_free(&a);
	api_free(&b);
}

static void expect_field_error(const char *body, const char *code, const char *field)
{
	struct api_resp r;

	api_post_json("/api/track/order", body, &r);
	api_expect_error(&r, 400, code);
	if (field)
		assert_string_equal(api_error_field(&r), field);
	api_free(&r);
}

static void test_malformed_order_numbers(void **state)
{
	char typo[ORDERNO_LEN + 1], swap[ORDERNO_LEN + 1], body[256];

	(void)state;
	expect_field_error("{\"order_no\":\"26112101798505405\",\"mobile_tail\":\"8000\"}",
			   "invalid_field", "order_no");
	expect_field_error("{\"order_no\":\"2611210179850540555\",\"mobile_tail\":\"8000\"}",
			   "invalid_field", "order_no");
	expect_field_error("{\"order_no\":\"26112101798505405A\",\"mobile_tail\":\"8000\"}",
			   "invalid_field", "order_no");
	expect_field_error("{\"order_no\":\"' OR 1=1 -- \",\"mobile_tail\":\"8000\"}",
			   "invalid_field", "order_no");
	/* One digit typed wrong, or two neighbours swapped: the check digit catches it. */
	memcpy(typo, demo[0], sizeof(typo));
	typo[5] = typo[5] == '1' ? '2' : '1';
	snprintf(body, sizeof(body), "{\"order_no\":\"%s\",\"mobile_tail\":\"8000\"}", typo);
	expect_field_error(body, "invalid_field", "order_no");
	memcpy(swap, demo[0], sizeof(swap));
	for (int i = 6; i < 16; i++) {
		if (swap[i] != swap[i + 1]) {
			char t = swap[i];

			swap[i] = swap[i + 1];
			swap[i + 1] = t;
			break;
		}
	}
	snprintf(body, sizeof(body), "{\"order_no\":\"%s\",\"mobile_tail\":\"8000\"}", swap);
	expect_field_error(body, "invalid_field", "order_no");
}

static void test_hostile_fields(void **state)
{
	char body[4096], big[2100];

	(void)state;
	expect_field_error("{\"mobile_tail\":\"8000\"}", "missing_field", "order_no");
	snprintf(body, sizeof(body), "{\"order_no\":\"%s\"}", demo[0]);
	expect_field_error(body, "missing_field", "mobile_tail");
	snprintf(body, sizeof(body), "{\"order_no\":\"%s\",\"mobile_tail\":8000}", demo[0]);
	expect_field_error(body, "invalid_field", "mobile_tail");
	/* A NUL inside a string is refused by the JSON parser itself. */
	snprintf(body, sizeof(body), "{\"order_no\":\"%s\",\"mobile_tail\":\"80\\u00000\"}", demo[0]);
	expect_field_error(body, "bad_json", NULL);
	snprintf(body, sizeof(body), "{\"order_no\":\"%s\",\"mobile_tail\":\"<b>1</b>\"}", demo[0]);
	expect_field_error(body, "invalid_field", "mobile_tail");
	snprintf(body, sizeof(body), "{\"order_no\":\"%s\",\"mobile_tail\":\"\\u0008\\n\\r\\t\"}", demo[0]);
	expect_field_error(body, "invalid_field", "mobile_tail");
	snprintf(body, sizeof(body), "{\"order_no\":[\"%s\"],\"mobile_tail\":\"8000\"}", demo[0]);
	expect_field_error(body, "invalid_field", "order_no");
	memset(big, '1', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	snprintf(body, sizeof(body), "{\"order_no\":\"%s\",\"mobile_tail\":\"8000\"}", big);
	expect_field_error(body, "invalid_field", "order_no");
}

static void test_malformed_bodies(void **state)
{
	static const char *bad[] = {
		"", "not json", "[1,2]", "\"string\"", "{\"order_no\":", "{\"a\":1,\"a\":2}",
		"{\"order_no\":\"\xff\xfe\",\"mobile_tail\":\"8000\"}", "{\"x\":\"\xc0\x80\"}",
		"null", "{} trailing",
	};
	struct api_resp r;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		api_post_json("/api/track/order", bad[i], &r);
		api_expect_error(&r, 400, "bad_json");
		api_free(&r);
	}
	api_request("POST", "/api/track/order", "text/plain", "{}", 2, NULL, &r);
	api_expect_error(&r, 415, "unsupported_media_type");
	api_free(&r);
	api_request("POST", "/api/track/order", NULL, "{}", 2, NULL, &r);
	api_expect_error(&r, 415, "unsupported_media_type");
	api_free(&r);
	api_request("POST", "/api/track/order", "application/jsonp", "{}", 2, NULL, &r);
	api_expect_error(&r, 415, "unsupported_media_type");
	api_free(&r);
}

static void test_oversized_body(void **state)
{
	size_t n = 70 * 1024;
	char *body = malloc(n + 1);
	struct api_resp r;

	(void)state;
	memset(body, ' ', n);
	body[0] = '{';
	body[n - 1] = '}';
	body[n] = '\0';
	api_post_json("/api/track/order", body, &r);
	api_expect_error(&r, 413, "too_large");
	api_free(&r);
	/* Just under the limit is read whole and judged on its content. */
	n = 60 * 1024;
	body[n - 1] = '}';
	body[n] = '\0';
	api_request("POST", "/api/track/order", "application/json", body, n, NULL, &r);
	api_expect_error(&r, 400, "missing_field");
	api_free(&r);
	free(body);
}

static void test_routes(void **state)
{
	struct api_resp r;
	char allow[64];

	(void)state;
	api_get("/api/track/nope", &r);
	api_expect_error(&r, 404, "not_found");
	api_free(&r);
	api_get("/api/track/order", &r);
	api_expect_error(&r, 405, "method_not_allowed");
	assert_non_null(api_header(&r, "Allow", allow, sizeof(allow)));
	assert_string_equal(allow, "POST");
	api_free(&r);
	api_request("DELETE", "/api/track/certs/712C1B5A584A1BBE", NULL, NULL, 0, NULL, &r);
	api_expect_error(&r, 405, "method_not_allowed");
	api_free(&r);
	api_get("/api/track/certs/", &r);
	api_expect_error(&r, 404, "not_found");
	api_free(&r);
	api_get("/api/track/certs/712C1B5A584A1BBE/extra", &r);
	api_expect_error(&r, 404, "not_found");
	api_free(&r);
	api_get("/api/track/health?x=%zz&&&", &r); /* a query the route does not read */
	assert_int_equal(r.status, 200);
	api_free(&r);
}

static json_t *cert(const char *serial, struct api_resp *r)
{
	char path[256];

	snprintf(path, sizeof(path), "/api/track/certs/%s", serial);
	api_get(path, r);
	return json_object_get(r->json, "certificate");
}

static void test_certificates(void **state)
{
	struct api_resp r;
	json_t *c;

	(void)state;
	c = cert("712C1B5A584A1BBE", &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(c, "state")), "valid");
	assert_string_equal(json_string_value(json_object_get(c, "holder")), "张*");
	assert_null(strstr(r.body, "张伟"));
	api_free(&r);
	c = cert("3E8B7C6D5A4F2E1D", &r);
	assert_string_equal(json_string_value(json_object_get(c, "state")), "expired");
	api_free(&r);
	c = cert("0F9E8D7C6B5A4930", &r);
	assert_string_equal(json_string_value(json_object_get(c, "state")), "revoked");
	assert_non_null(json_string_value(json_object_get(c, "revoked_at")));
	api_free(&r);
	/* Serials are case-sensitive (guide 001): typed in lower case, the answer says so and
	 * suggests the upper-case serial that exists; one whose upper case does not exist either
	 * gets no suggestion. */
	cert("712c1b5a584a1bbe", &r);
	api_expect_error(&r, 404, "not_found");
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "suggest")),
			    "712C1B5A584A1BBE");
	assert_non_null(strstr(r.body, "区分大小写"));
	api_free(&r);
	cert("712c1b5a584a1bbf", &r);
	api_expect_error(&r, 404, "not_found");
	assert_null(json_object_get(json_object_get(r.json, "error"), "suggest"));
	api_free(&r);
	cert("712C1B5A584A1BBF", &r);
	api_expect_error(&r, 404, "not_found");
	api_free(&r);
	cert("712C1B5A584A1BBG", &r);
	api_expect_error(&r, 400, "invalid_field");
	assert_string_equal(api_error_field(&r), "serial");
	api_free(&r);
	cert("0123456789ABCDEF0123456789ABCDEF012345678", &r); /* 41 characters */
	api_expect_error(&r, 400, "invalid_field");
	api_free(&r);
	cert("%27%20OR%201%3D1", &r);
	api_expect_error(&r, 400, "invalid_field");
	api_free(&r);
	cert("%E5%BC%A0", &r);
	api_expect_error(&r, 400, "invalid_field");
	api_free(&r);
}

/* The master replaces a worker that dies; the others serve meanwhile. */
/* 1 once pid has exited (reaped, or a zombie), else 0. */
static int gone(long pid)
{
	char path[64], stat[256];
	FILE *f;
	size_t n;
	const char *p;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return 1;
	n = fread(stat, 1, sizeof(stat) - 1, f);
	fclose(f);
	stat[n] = '\0';
	p = strrchr(stat, ')');
	return p && p[1] == ' ' && p[2] == 'Z';
}

/* The vocabulary: public, the C tables' rows, cacheable, revalidated with its ETag. */
static void test_vocabulary(void **state)
{
	char tag[64], cc[120], hdr[120];
	struct api_resp r;
	json_t *states, *row;
	size_t i;
	bool found = false;

	(void)state;
	api_get("/api/track/vocabulary", &r);
	assert_int_equal(r.status, 200);
	states = json_object_get(r.json, "states");
	assert_int_equal(json_array_size(states), 17);
	row = json_array_get(states, 0);
	assert_string_equal(json_string_value(json_object_get(row, "name")), "draft");
	assert_string_equal(json_string_value(json_object_get(row, "zh")), "未完成");
	assert_true(json_is_true(json_object_get(row, "editable")));
	assert_true(json_is_true(json_object_get(row, "awaits_applicant")));
	assert_true(json_is_false(json_object_get(row, "final")));
	json_array_foreach(json_object_get(r.json, "transitions"), i, row)
		if (strcmp(json_string_value(json_object_get(row, "event")), "paper_received") == 0) {
			assert_string_equal(json_string_value(json_object_get(row, "from")), "awaiting_paper");
			assert_int_equal(json_array_size(json_object_get(row, "by")), 1);
			assert_string_equal(json_string_value(json_array_get(json_object_get(row, "by"), 0)),
					    "reviewer");
			found = true;
		}
	assert_true(found);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
		json_object_get(r.json, "payment_states"), 1), "zh")), "待财务确认");
	assert_int_equal(json_array_size(json_object_get(r.json, "businesses")), 8);
	assert_int_equal(json_array_size(json_object_get(r.json, "kinds")), 3);
	assert_true(json_array_size(json_object_get(r.json, "events")) >= 20);
	assert_int_equal(json_array_size(json_object_get(r.json, "pay_methods")), 4);
	assert_int_equal(json_array_size(json_object_get(r.json, "carriers")), 8);
	/* 002 七.损坏补办's three signs of a quality defect. */
	assert_int_equal(json_array_size(json_object_get(r.json, "defect_signs")), 3);
	assert_non_null(api_header(&r, "Cache-Control", cc, sizeof(cc)));
	assert_non_null(strstr(cc, "public"));
	assert_non_null(strstr(cc, "no-cache"));
	assert_non_null(api_header(&r, "ETag", tag, sizeof(tag)));
	assert_int_equal(tag[0], '"');
	api_free(&r);

	/* Revalidation: the same tag (also weak, or in a list) gets 304 and no body. */
	{
		static const char *const forms[] = { "If-None-Match: %s", "If-None-Match: W/%s",
						     "If-None-Match: \"x\", %s" };

		for (size_t f = 0; f < sizeof(forms) / sizeof(forms[0]); f++) {
			char again[64];

			snprintf(hdr, sizeof(hdr), forms[f], tag);
			api_request("GET", "/api/track/vocabulary", NULL, NULL, 0, hdr, &r);
			assert_int_equal(r.status, 304);
			assert_int_equal(r.len, 0);
			assert_non_null(api_header(&r, "ETag", again, sizeof(again)));
			assert_string_equal(again, tag);
			api_free(&r);
		}
	}
	api_request("GET", "/api/track/vocabulary", NULL, NULL, 0, "If-None-Match: \"0000\"", &r);
	assert_int_equal(r.status, 200);
	assert_non_null(r.json);
	api_free(&r);
	api_post_json("/api/track/vocabulary", "{}", &r);
	api_expect_error(&r, 405, "method_not_allowed");
	api_free(&r);
}

static void test_worker_killed_is_replaced(void **state)
{
	char path[512], cmd[700], line[64];
	int before = 0, after = 0;
	long master, victim = 0;
	FILE *f;

	(void)state;
	f = fopen(api_stack_path("run/track.pid", path, sizeof(path)), "r");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%ld", &master), 1);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "pgrep -P %ld", master);
	f = popen(cmd, "r");
	while (fgets(line, sizeof(line), f)) {
		if (!victim)
			victim = strtol(line, NULL, 10);
		before++;
	}
	pclose(f);
	assert_true(before >= 2);
	assert_int_equal(kill((pid_t)victim, SIGKILL), 0);
	/* kill() returns before the worker is gone: a request racing its death may be the one
	 * request a crash costs (DESIGN.md). What must hold is that nothing after it is lost. */
	for (int tries = 0; tries < 100 && gone(victim) == 0; tries++)
		usleep(50 * 1000);
	for (int i = 0; i < 20; i++) {
		struct api_resp r;

		api_get("/api/track/health", &r);
		assert_int_equal(r.status, 200);
		api_free(&r);
	}
	for (int tries = 0; tries < 50 && after != before; tries++) {
		usleep(100 * 1000);
		after = 0;
		f = popen(cmd, "r");
		while (fgets(line, sizeof(line), f))
			after += strtol(line, NULL, 10) != victim;
		pclose(f);
	}
	assert_int_equal(after, before);
}

/* Last: it uses up the window's budget of this client address. */
static void test_rate_limit(void **state)
{
	char retry[32];
	int limited_at = 0;

	(void)state;
	for (int i = 1; i <= 1000 && !limited_at; i++) {
		struct api_resp r;

		lookup(demo[0], "8000", &r);
		if (r.status == 429) {
			api_expect_error(&r, 429, "rate_limited");
			assert_non_null(api_header(&r, "Retry-After", retry, sizeof(retry)));
			assert_true(strtol(retry, NULL, 10) >= 1);
			limited_at = i;
		} else {
			assert_int_equal(r.status, 200);
		}
		api_free(&r);
	}
	assert_true(limited_at > 0);
	/* Certificate look-ups share the budget (a worker that has not written its pending hits
	 * yet may take a few more, within ratelimit.h's slack); health does not count. */
	{
		struct api_resp r;
		int refused_at = 0;

		for (int i = 1; i <= 1000 && !refused_at; i++) {
			cert("712C1B5A584A1BBE", &r);
			if (r.status == 429) {
				api_expect_error(&r, 429, "rate_limited");
				refused_at = i;
			} else {
				assert_int_equal(r.status, 200);
			}
			api_free(&r);
		}
		assert_true(refused_at > 0);
		api_get("/api/track/health", &r);
		assert_int_equal(r.status, 200);
		api_free(&r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_health),
		cmocka_unit_test(test_lookup_every_demo_order),
		cmocka_unit_test(test_shipped_order_shows_waybill),
		cmocka_unit_test(test_wrong_digits_same_as_unknown),
		cmocka_unit_test(test_malformed_order_numbers),
		cmocka_unit_test(test_hostile_fields),
		cmocka_unit_test(test_malformed_bodies),
		cmocka_unit_test(test_oversized_body),
		cmocka_unit_test(test_routes),
		cmocka_unit_test(test_certificates),
		cmocka_unit_test(test_vocabulary),
		cmocka_unit_test(test_worker_killed_is_replaced),
		cmocka_unit_test(test_rate_limit),
	};

	return cmocka_run_group_tests(tests, load_demo, NULL);
}
