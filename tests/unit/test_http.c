/* Unit tests: routes, declared fields, body limits, headers and the error envelope. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "web/app.h"
#include "web/req.h"
#include "web/route.h"
#include "base/valid.h"

static struct arena a;
static struct app app;

static int setup(void **state)
{
	(void)state;
	conf_defaults(&app.conf);
	app.conf.json_body_max = 64;
	return arena_init(&a, 4096, 1 << 20);
}

static int teardown(void **state)
{
	(void)state;
	arena_free(&a);
	return 0;
}

static void make_req(struct req *r, const char *method, const char *path)
{
	arena_reset(&a);
	memset(r, 0, sizeof(*r));
	r->arena = &a;
	r->app = &app;
	r->method = method;
	r->path = path;
	r->query = "";
	r->content_length = -1;
	memcpy(r->rid, "0123456789abcdef", 17);
}

static int h_one(struct req *r)
{
	resp_json(r, 200, json_pack("{s:s}", "p", r->params[0]));
	return 0;
}

static int h_silent(struct req *r)
{
	(void)r;
	return -1;
}

static const struct route routes[] = {
	{ "GET", "/api/x/items", h_one, ROUTE_PUBLIC, 0 },
	{ "GET", "/api/x/items/:id", h_one, ROUTE_PUBLIC, 0 },
	{ "POST", "/api/x/items/:id", h_one, ROUTE_PUBLIC, 0 },
	{ "GET", "/api/x/items/:id/parts/:part", h_one, ROUTE_PUBLIC, 0 },
	{ "GET", "/api/x/silent", h_silent, ROUTE_PUBLIC, 0 },
};

#define NROUTES (sizeof(routes) / sizeof(routes[0]))

static void test_route_match(void **state)
{
	const struct route *rt;
	struct req r;

	(void)state;
	make_req(&r, "GET", "/api/x/items/42");
	assert_int_equal(route_match(routes, NROUTES, &r, &rt), ROUTE_OK);
	assert_ptr_equal(rt, &routes[1]);
	assert_int_equal(r.nparams, 1);
	assert_string_equal(r.params[0], "42");

	make_req(&r, "GET", "/api/x/items/7/parts/b");
	assert_int_equal(route_match(routes, NROUTES, &r, &rt), ROUTE_OK);
	assert_string_equal(r.params[1], "b");

	make_req(&r, "HEAD", "/api/x/items");
	assert_int_equal(route_match(routes, NROUTES, &r, &rt), ROUTE_OK);

	make_req(&r, "DELETE", "/api/x/items/42");
	assert_int_equal(route_match(routes, NROUTES, &r, &rt), ROUTE_BAD_METHOD);

	static const char *miss[] = { "/api/x/items/", "/api/x/items//", "/api/x/items/1/",
				      "/api/x/itemsX", "/api/x", "", "/", "/api/x/items/1/parts/",
				      "api/x/items", "/api/x/items/1/parts/2/3" };
	for (size_t i = 0; i < sizeof(miss) / sizeof(miss[0]); i++) {
		make_req(&r, "GET", miss[i]);
		if (route_match(routes, NROUTES, &r, &rt) != ROUTE_NOT_FOUND)
			fail_msg("'%s' should not match", miss[i]);
	}
}

static void test_dispatch_answers(void **state)
{
	struct req r;
	char *out;
	size_t len;

	(void)state;
	make_req(&r, "PUT", "/api/x/items/1");
	route_dispatch(routes, NROUTES, &r);
	assert_int_equal(r.status, 405);
	out = resp_render(&r, &len);
	assert_non_null(strstr(out, "Allow: GET, POST\r\n"));
	assert_non_null(strstr(out, "\"code\":\"method_not_allowed\""));

	make_req(&r, "GET", "/nowhere");
	route_dispatch(routes, NROUTES, &r);
	assert_int_equal(r.status, 404);

	/* A handler that fails without answering still gets a JSON 500, not silence. */
	make_req(&r, "GET", "/api/x/silent");
	route_dispatch(routes, NROUTES, &r);
	assert_int_equal(r.status, 500);
	out = resp_render(&r, &len);
	assert_non_null(strstr(out, "\"code\":\"internal\""));
	assert_non_null(strstr(out, "\"request_id\":\"0123456789abcdef\""));
}

static void test_headers_refuse_crlf(void **state)
{
	struct req r;
	size_t len;
	char *out;

	(void)state;
	make_req(&r, "GET", "/");
	assert_int_equal(resp_header(&r, "X-Ok", "fine"), 0);
	assert_int_equal(resp_header(&r, "X-Bad", "a\r\nSet-Cookie: x=1"), -1);
	assert_int_equal(resp_header(&r, "X-Bad", "a\nb"), -1);
	assert_int_equal(resp_header(&r, "X-Bad\r\nX", "v"), -1);
	assert_int_equal(resp_header(&r, "X:Bad", "v"), -1);
	assert_int_equal(resp_header(&r, "", "v"), -1);
	resp_json(&r, 200, json_object());
	out = resp_render(&r, &len);
	assert_non_null(strstr(out, "X-Ok: fine\r\n"));
	assert_null(strstr(out, "Set-Cookie"));
	assert_null(strstr(out, "X-Bad"));
}

static void test_error_envelope(void **state)
{
	struct req r;
	json_t *j, *e;

	(void)state;
	make_req(&r, "GET", "/");
	assert_int_equal(resp_error(&r, ERR_INVALID_FIELD, "mobile", "手机号码应为 11 位数字。"), -1);
	assert_int_equal(r.status, 400);
	j = json_loadb(r.body, r.body_len, 0, NULL);
	e = json_object_get(j, "error");
	assert_string_equal(json_string_value(json_object_get(e, "code")), "invalid_field");
	assert_string_equal(json_string_value(json_object_get(e, "field")), "mobile");
	assert_string_equal(json_string_value(json_object_get(e, "message")), "手机号码应为 11 位数字。");
	assert_string_equal(json_string_value(json_object_get(e, "request_id")), "0123456789abcdef");
	json_decref(j);
	/* Every code has a status and a message for people. */
	for (int c = 0; c < ERR__COUNT; c++) {
		assert_true(err_status(c) >= 400 && err_status(c) < 600);
		assert_true(strlen(err_message(c)) > 0);
		assert_true(strlen(err_code_name(c)) > 0);
	}
}

static int body_req(struct req *r, const char *ct, const char *body, json_t **out)
{
	make_req(r, "POST", "/");
	r->content_type = ct;
	r->test_body = body;
	r->test_body_len = strlen(body);
	r->content_length = (long long)strlen(body);
	return req_json(r, out);
}

static void test_json_bodies(void **state)
{
	struct req r;
	json_t *j;
	char big[100];

	(void)state;
	assert_int_equal(body_req(&r, "application/json; charset=utf-8", "{\"a\":\"b\"}", &j), 0);
	assert_string_equal(json_string_value(json_object_get(j, "a")), "b");
	assert_int_equal(body_req(&r, "text/plain", "{}", &j), -1);
	assert_int_equal(r.status, 415);
	assert_int_equal(body_req(&r, "application/json", "[1]", &j), -1);
	assert_int_equal(r.status, 400);
	assert_int_equal(body_req(&r, "application/json", "{\"a\":1,\"a\":2}", &j), -1);
	assert_int_equal(r.status, 400);
	memset(big, ' ', sizeof(big) - 1);
	big[0] = '{';
	big[sizeof(big) - 2] = '}';
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(body_req(&r, "application/json", big, &j), -1);
	assert_int_equal(r.status, 413);
	/* A lying Content-Length: the body read still may not pass the limit. */
	make_req(&r, "POST", "/");
	r.content_type = "application/json";
	r.test_body = big;
	r.test_body_len = strlen(big);
	r.content_length = 2;
	assert_int_equal(req_json(&r, &j), -1);
	assert_int_equal(r.status, 413);
	/* Exactly at the limit is accepted. */
	big[63] = '}';
	big[64] = '\0';
	assert_int_equal(body_req(&r, "application/json", big, &j), 0);
}

static bool is_four_digits(const char *s)
{
	return strlen(s) == 4 && strspn(s, "0123456789") == 4;
}

struct test_in {
	const char *tail, *note;
};

static const struct req_field test_fields[] = {
	{ "tail", true, 4, is_four_digits, "请输入 4 位数字。", offsetof(struct test_in, tail) },
	{ "note", false, 3, NULL, "备注最多 3 个字。", offsetof(struct test_in, note) },
};

static void test_declared_fields(void **state)
{
	struct test_in in;
	struct req r;
	json_t *j;

	(void)state;
	assert_int_equal(body_req(&r, "application/json", "{\"tail\":\"1234\",\"note\":\"张三丰\",\"x\":1}", &j), 0);
	assert_int_equal(REQ_FIELDS(&r, j, test_fields, &in), 0);
	assert_string_equal(in.tail, "1234");
	assert_string_equal(in.note, "张三丰"); /* 3 characters, 9 bytes: counted in characters */

	/* An absent optional field is NULL, whatever the member held before. */
	in.note = "stale";
	assert_int_equal(body_req(&r, "application/json", "{\"tail\":\"1234\",\"x\":\"y\"}", &j), 0);
	assert_int_equal(REQ_FIELDS(&r, j, test_fields, &in), 0);
	assert_string_equal(in.tail, "1234");
	assert_null(in.note);

	/* The failing field is the last one: the earlier, valid one is not left behind. */
	assert_int_equal(body_req(&r, "application/json", "{\"tail\":\"1234\",\"note\":\"张三丰啊\"}", &j), 0);
	assert_int_equal(REQ_FIELDS(&r, j, test_fields, &in), -1);
	assert_non_null(strstr(r.body, "\"field\":\"note\""));
	assert_null(in.tail);
	assert_null(in.note);

	assert_int_equal(body_req(&r, "application/json", "{\"note\":\"a\"}", &j), 0);
	assert_int_equal(REQ_FIELDS(&r, j, test_fields, &in), -1);
	assert_non_null(strstr(r.body, "\"code\":\"missing_field\""));
	assert_null(in.note);

	assert_int_equal(body_req(&r, "application/json", "{\"tail\":\"12a4\"}", &j), 0);
	assert_int_equal(REQ_FIELDS(&r, j, test_fields, &in), -1);
	assert_non_null(strstr(r.body, "\"field\":\"tail\""));

	assert_int_equal(body_req(&r, "application/json", "{\"tail\":\"1234\",\"note\":\"a\\u001b\"}", &j), 0);
	assert_int_equal(REQ_FIELDS(&r, j, test_fields, &in), -1);

	assert_int_equal(body_req(&r, "application/json", "{\"tail\":1234}", &j), 0);
	assert_int_equal(REQ_FIELDS(&r, j, test_fields, &in), -1);
	assert_non_null(strstr(r.body, "\"code\":\"invalid_field\""));
}

struct pair_in {
	const char *first, *second, *undeclared;
};

/* Declared in the other order than the members: each value must follow its own offset. */
static const struct req_field pair_fields[] = {
	{ "b", true, 8, NULL, "b", offsetof(struct pair_in, second) },
	{ "a", true, 8, NULL, "a", offsetof(struct pair_in, first) },
};

static void test_field_offsets(void **state)
{
	struct pair_in in = { "stale", "stale", "kept" };
	struct req r;
	json_t *j;

	(void)state;
	assert_int_equal(body_req(&r, "application/json", "{\"a\":\"one\",\"b\":\"two\"}", &j), 0);
	assert_int_equal(REQ_FIELDS(&r, j, pair_fields, &in), 0);
	assert_string_equal(in.first, "one");
	assert_string_equal(in.second, "two");
	assert_string_equal(in.undeclared, "kept");
}

static void test_query_args(void **state)
{
	struct kvlist l;
	struct req r;

	(void)state;
	make_req(&r, "GET", "/");
	r.query = "page=2&q=%E5%BC%A0";
	assert_int_equal(req_args(&r, &l), 0);
	assert_string_equal(kv_get(&l, "q"), "张");
	make_req(&r, "GET", "/");
	r.query = "q=%G0";
	assert_int_equal(req_args(&r, &l), -1);
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(r.body, "bad_query"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_route_match),
		cmocka_unit_test(test_dispatch_answers),
		cmocka_unit_test(test_headers_refuse_crlf),
		cmocka_unit_test(test_error_envelope),
		cmocka_unit_test(test_json_bodies),
		cmocka_unit_test(test_declared_fields),
		cmocka_unit_test(test_field_offsets),
		cmocka_unit_test(test_query_args),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
