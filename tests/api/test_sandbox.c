/* API tests: the sandbox SMS gateway and mail sink (signatures, control, records, reset). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "apiclient.h"
#include "base/conf.h"
#include "crypto/crypto.h"
#include "ext/notify.h"
#include "ext/provider.h"

#define SIG_HEX (2 * CRYPTO_SHA256_LEN)

static struct conf conf;
static char run_id[17];   /* keeps this run's idempotency keys apart from anyone else's */

/* Signs as certhall's webhook provider does. */
static void sign(const char *secret, const char *timestamp, const char *body, size_t len,
		 char out[SIG_HEX + 1])
{
	assert_int_equal(provider_hmac(secret, timestamp, body, len, out), 0);
}

static int setup(void **state)
{
	(void)state;
	if (api_conf_load(&conf) < 0)
		return -1;
	return crypto_token_hex(run_id, sizeof(run_id), 8);
}

/* method path with X-Certhall-Timestamp ts and X-Certhall-Signature sig (either may be NULL). */
static void raw_request(const char *method, const char *path, const char *body, const char *ts,
			const char *sig, struct api_resp *out)
{
	char tline[128], sline[160];
	const char *h[3] = { NULL, NULL, NULL };
	size_t n = 0;

	if (ts) {
		snprintf(tline, sizeof(tline), "X-Certhall-Timestamp: %s", ts);
		h[n++] = tline;
	}
	if (sig) {
		snprintf(sline, sizeof(sline), "X-Certhall-Signature: %s", sig);
		h[n++] = sline;
	}
	api_request_h(method, path, body ? "application/json" : NULL, body, body ? strlen(body) : 0, h, out);
}

/* Signed as certhall signs: now, or now + skew seconds. */
static void signed_request(const char *method, const char *path, const char *body, long skew,
			   struct api_resp *out)
{
	char ts[32], sig[SIG_HEX + 1];

	snprintf(ts, sizeof(ts), "%lld", (long long)time(NULL) + skew);
	sign(conf.sms_secret, ts, body ? body : "", body ? strlen(body) : 0, sig);
	raw_request(method, path, body, ts, sig, out);
}

/* A message body; key is made unique to this run. */
static char *sms_body(const char *key, const char *to)
{
	char *b = malloc(1024);

	assert_non_null(b);
	snprintf(b, 1024,
		 "{\"idempotency_key\":\"%s-%s\",\"channel\":\"sms\",\"to\":\"%s\","
		 "\"template\":\"SMS_100001\",\"params\":{\"code\":\"246810\"},"
		 "\"text\":\"【数字证书网上营业厅】您的验证码为 246810，5 分钟内有效。\",\"subject\":null}",
		 run_id, key, to);
	return b;
}

static void send_sms(const char *key, const char *to, struct api_resp *r)
{
	char *b = sms_body(key, to);

	signed_request("POST", "/sandbox/sms", b, 0, r);
	free(b);
}

static void query_sms(const char *key, struct api_resp *r)
{
	char path[256];

	snprintf(path, sizeof(path), "/sandbox/sms?idempotency_key=%s-%s", run_id, key);
	signed_request("GET", path, NULL, 0, r);
}

/* How many messages the gateway recorded under this run's key. */
static size_t recorded(const char *key)
{
	char path[256];
	struct api_resp r;
	size_t n;

	snprintf(path, sizeof(path), "/sandbox/messages?idempotency_key=%s-%s&limit=200", run_id, key);
	api_get(path, &r);
	assert_int_equal(r.status, 200);
	n = json_array_size(json_object_get(r.json, "messages"));
	api_free(&r);
	return n;
}

static void control(const char *json)
{
	struct api_resp r;

	api_post_json("/sandbox/control", json, &r);
	if (r.status != 200)
		fail_msg("control %s: %ld %s", json, r.status, r.body);
	api_free(&r);
}

static void expect_gateway_error(const struct api_resp *r, long status, const char *code,
				 int permanent)
{
	json_t *p = json_object_get(json_object_get(r->json, "error"), "permanent");

	api_expect_error(r, status, code);
	if (!json_is_boolean(p) || json_is_true(p) != permanent)
		fail_msg("expected permanent %d: %s", permanent, r->body);
}

/* Every test leaves the gateway sane for the next test and the next test binary. */
static int reset(void **state)
{
	struct api_resp r;
	long status;

	(void)state;
	api_request("POST", "/sandbox/reset", NULL, NULL, 0, NULL, &r);
	status = r.status;
	api_free(&r);
	return status == 200 ? 0 : -1;
}

/* ---- tests -------------------------------------------------------------------------------- */

static void test_health(void **state)
{
	struct api_resp r;

	(void)state;
	api_get("/sandbox/health", &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "db")), "ok");
	api_free(&r);
}

static void test_send_and_query(void **state)
{
	struct api_resp r, q;
	const char *id;

	(void)state;
	send_sms("a", "13800138000", &r);
	assert_int_equal(r.status, 200);
	id = json_string_value(json_object_get(r.json, "id"));
	assert_non_null(id);
	assert_int_equal(strncmp(id, "sbx-", 4), 0);

	query_sms("a", &q);
	assert_int_equal(q.status, 200);
	assert_string_equal(json_string_value(json_object_get(q.json, "status")), "sent");
	assert_string_equal(json_string_value(json_object_get(q.json, "id")), id);
	api_free(&q);
	api_free(&r);

	query_sms("never-sent", &q);
	expect_gateway_error(&q, 404, "not_found", 0);
	api_free(&q);
}

static void test_mail_sink(void **state)
{
	char body[1024], path[256];
	struct api_resp r;
	json_t *m;

	(void)state;
	snprintf(body, sizeof(body),
		 "{\"idempotency_key\":\"%s-mail\",\"channel\":\"email\",\"to\":\"zhang@example.cn\","
		 "\"template\":\"\",\"params\":{},\"text\":\"您好：\\n订单已受理。\\n\","
		 "\"subject\":\"订单已受理\"}", run_id);
	signed_request("POST", "/sandbox/mail", body, 0, &r);
	assert_int_equal(r.status, 200);
	api_free(&r);

	snprintf(path, sizeof(path), "/sandbox/mail?idempotency_key=%s-mail", run_id);
	signed_request("GET", path, NULL, 0, &r);
	assert_int_equal(r.status, 200);
	api_free(&r);

	api_get("/sandbox/messages?to=zhang@example.cn&limit=1", &r);
	assert_int_equal(r.status, 200);
	m = json_array_get(json_object_get(r.json, "messages"), 0);
	assert_string_equal(json_string_value(json_object_get(m, "channel")), "email");
	assert_string_equal(json_string_value(json_object_get(m, "subject")), "订单已受理");
	assert_string_equal(json_string_value(json_object_get(m, "text")), "您好：\n订单已受理。\n");
	api_free(&r);

	/* The SMS endpoint takes SMS only. */
	signed_request("POST", "/sandbox/sms", body, 0, &r);
	expect_gateway_error(&r, 400, "invalid_field", 1);
	api_free(&r);
}

static void test_bad_signature(void **state)
{
	char *b = sms_body("badsig", "13800138000");
	char ts[32], sig[SIG_HEX + 1];
	struct api_resp r;

	(void)state;
	if (!conf.sms_secret[0])
		skip();
	snprintf(ts, sizeof(ts), "%lld", (long long)time(NULL));
	sign(conf.sms_secret, ts, b, strlen(b), sig);
	sig[0] = sig[0] == '0' ? '1' : '0';
	raw_request("POST", "/sandbox/sms", b, ts, sig, &r);
	expect_gateway_error(&r, 401, "bad_signature", 1);
	api_free(&r);

	/* Signed under another secret; and no headers at all. */
	sign("not-the-secret", ts, b, strlen(b), sig);
	raw_request("POST", "/sandbox/sms", b, ts, sig, &r);
	expect_gateway_error(&r, 401, "bad_signature", 1);
	api_free(&r);
	raw_request("POST", "/sandbox/sms", b, NULL, NULL, &r);
	expect_gateway_error(&r, 401, "bad_signature", 1);
	api_free(&r);

	/* The signature covers the body: the right one over another body fails. */
	sign(conf.sms_secret, ts, b, strlen(b), sig);
	b[strlen(b) - 2] = ' ';
	raw_request("POST", "/sandbox/sms", b, ts, sig, &r);
	expect_gateway_error(&r, 401, "bad_signature", 1);
	api_free(&r);
	assert_int_equal(recorded("badsig"), 0);

	/* Queries are signed too. */
	raw_request("GET", "/sandbox/sms?idempotency_key=x", NULL, ts, sig, &r);
	expect_gateway_error(&r, 401, "bad_signature", 1);
	api_free(&r);
	free(b);
}

static void test_stale_timestamp(void **state)
{
	char *b = sms_body("stale", "13800138000");
	struct api_resp r;

	(void)state;
	if (!conf.sms_secret[0])
		skip();
	signed_request("POST", "/sandbox/sms", b, -400, &r);
	expect_gateway_error(&r, 401, "stale_timestamp", 1);
	api_free(&r);
	signed_request("POST", "/sandbox/sms", b, 400, &r);
	expect_gateway_error(&r, 401, "stale_timestamp", 1);
	api_free(&r);
	assert_int_equal(recorded("stale"), 0);
	/* Within the window is fine. */
	signed_request("POST", "/sandbox/sms", b, -200, &r);
	assert_int_equal(r.status, 200);
	api_free(&r);
	assert_int_equal(recorded("stale"), 1);
	free(b);
}

static void expect_malformed(const char *body, const char *code, const char *field)
{
	struct api_resp r;

	signed_request("POST", "/sandbox/sms", body, 0, &r);
	expect_gateway_error(&r, 400, code, 1);
	if (field)
		assert_string_equal(api_error_field(&r), field);
	api_free(&r);
}

static void test_malformed(void **state)
{
	(void)state;
	expect_malformed("{\"idempotency_key\":", "bad_json", NULL);
	expect_malformed("[1,2]", "bad_json", NULL);
	expect_malformed("{\"a\":1,\"a\":2}", "bad_json", NULL);
	expect_malformed("{\"channel\":\"sms\",\"to\":\"13800138000\",\"text\":\"x\"}",
			 "missing_field", "idempotency_key");
	expect_malformed("{\"idempotency_key\":\"m1\",\"channel\":\"sms\",\"text\":\"x\"}",
			 "missing_field", "to");
	expect_malformed("{\"idempotency_key\":\"m1\",\"channel\":\"sms\",\"to\":\"12345\",\"text\":\"x\"}",
			 "invalid_number", "to");
	expect_malformed("{\"idempotency_key\":\"m1\",\"channel\":\"sms\",\"to\":\"13800138000\"}",
			 "missing_field", "text");
	expect_malformed("{\"idempotency_key\":\"m1\",\"channel\":\"sms\",\"to\":\"13800138000\","
			 "\"text\":\"x\",\"params\":{\"code\":123456}}", "invalid_field", "params");
	expect_malformed("{\"idempotency_key\":\"m1\",\"channel\":\"sms\",\"to\":\"13800138000\","
			 "\"text\":\"x\",\"template\":[1]}", "invalid_field", "template");
	expect_malformed("{\"idempotency_key\":\"m\\u0000\",\"channel\":\"sms\","
			 "\"to\":\"13800138000\",\"text\":\"x\"}", "bad_json", NULL);
	expect_malformed("{\"idempotency_key\":\"m\\u0007\",\"channel\":\"sms\","
			 "\"to\":\"13800138000\",\"text\":\"x\"}", "invalid_field", "idempotency_key");
	assert_int_equal(recorded("m1"), 0);
}

static void test_fail_ratio(void **state)
{
	struct api_resp r;

	(void)state;
	control("{\"fail_ratio\":1.0}");
	api_get("/sandbox/control", &r);
	assert_int_equal(r.status, 200);
	assert_true(json_real_value(json_object_get(r.json, "fail_ratio")) == 1.0);
	api_free(&r);
	for (int i = 0; i < 5; i++) {
		send_sms("busy", "13800138000", &r);
		expect_gateway_error(&r, 503, "busy", 0);
		api_free(&r);
	}
	assert_int_equal(recorded("busy"), 0);
	query_sms("busy", &r);
	assert_int_equal(r.status, 404);
	api_free(&r);
}

static void test_permanent_number(void **state)
{
	struct api_resp r;

	(void)state;
	control("{\"permanent_numbers\":[\"13900000000\"]}");
	send_sms("perm", "13900000000", &r);
	expect_gateway_error(&r, 400, "invalid_number", 1);
	assert_string_equal(api_error_field(&r), "to");
	api_free(&r);
	send_sms("perm", "+8613900000000", &r);
	expect_gateway_error(&r, 400, "invalid_number", 1);
	api_free(&r);
	assert_int_equal(recorded("perm"), 0);
	send_sms("perm-other", "13800138000", &r);
	assert_int_equal(r.status, 200);
	api_free(&r);

	control("{\"permanent_ratio\":1}");
	send_sms("perm-ratio", "13800138000", &r);
	expect_gateway_error(&r, 400, "rejected", 1);
	api_free(&r);
	assert_int_equal(recorded("perm-ratio"), 0);
}

static void test_control_validation(void **state)
{
	static const char *bad[][2] = {
		{ "{\"fail_ratio\":1.5}", "fail_ratio" },
		{ "{\"timeout_ratio\":-0.1}", "timeout_ratio" },
		{ "{\"fail_ratio\":\"0.5\"}", "fail_ratio" },
		{ "{\"timeout_mode\":\"maybe\"}", "timeout_mode" },
		{ "{\"permanent_numbers\":\"13900000000\"}", "permanent_numbers" },
		{ "{\"permanent_numbers\":[139]}", "permanent_numbers" },
		{ "{\"fail_rate\":0.5}", "fail_rate" },
	};
	struct api_resp r;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		api_post_json("/sandbox/control", bad[i][0], &r);
		api_expect_error(&r, 400, "invalid_field");
		assert_string_equal(api_error_field(&r), bad[i][1]);
		api_free(&r);
	}
	/* A change keeps what it does not name. */
	control("{\"timeout_ratio\":0.25,\"timeout_mode\":\"drop\"}");
	control("{\"fail_ratio\":0.5}");
	api_get("/sandbox/control", &r);
	assert_true(json_real_value(json_object_get(r.json, "timeout_ratio")) == 0.25);
	assert_true(json_real_value(json_object_get(r.json, "fail_ratio")) == 0.5);
	assert_string_equal(json_string_value(json_object_get(r.json, "timeout_mode")), "drop");
	api_free(&r);
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The gateway sleeps [sandbox] timeout_sleep_ms; "accept" took the message, "drop" did not. */
static void test_timeout_modes(void **state)
{
	double want = conf.sandbox_timeout_sleep_ms / 1000.0 * 0.8, t0;
	struct api_resp r;

	(void)state;
	control("{\"timeout_ratio\":1,\"timeout_mode\":\"accept\"}");
	t0 = now_s();
	send_sms("slow-accept", "13800138000", &r);
	assert_true(now_s() - t0 >= want);
	assert_int_equal(r.status, 200);
	api_free(&r);
	assert_int_equal(recorded("slow-accept"), 1);

	control("{\"timeout_mode\":\"drop\"}");
	t0 = now_s();
	send_sms("slow-drop", "13800138000", &r);
	assert_true(now_s() - t0 >= want);
	expect_gateway_error(&r, 503, "timeout", 0);
	api_free(&r);
	assert_int_equal(recorded("slow-drop"), 0);
	query_sms("slow-drop", &r);
	assert_int_equal(r.status, 404);
	api_free(&r);
}

static void test_messages_and_stats(void **state)
{
	const char *to = "13700137000";
	char path[256];
	struct api_resp r;
	json_t *list, *dups;

	(void)state;
	/* The gateway does not deduplicate: the same key twice is two messages. */
	send_sms("one", to, &r);
	api_free(&r);
	send_sms("two", to, &r);
	api_free(&r);
	send_sms("two", to, &r);
	api_free(&r);
	send_sms("three", to, &r);
	assert_int_equal(r.status, 200);
	api_free(&r);

	snprintf(path, sizeof(path), "/sandbox/messages?to=%s&limit=2", to);
	api_get(path, &r);
	assert_int_equal(r.status, 200);
	list = json_object_get(r.json, "messages");
	assert_int_equal(json_array_size(list), 2);
	snprintf(path, sizeof(path), "%s-three", run_id);
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0),
							      "idempotency_key")), path);
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "to")), to);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
		json_array_get(list, 0), "params"), "code")), "246810");
	assert_non_null(json_string_value(json_object_get(json_array_get(list, 0), "received_at")));
	api_free(&r);

	api_get("/sandbox/messages?limit=0", &r);
	api_expect_error(&r, 400, "invalid_field");
	api_free(&r);

	api_get("/sandbox/messages/stats", &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_integer_value(json_object_get(r.json, "total")), 4);
	assert_int_equal(json_integer_value(json_object_get(r.json, "distinct_keys")), 3);
	dups = json_object_get(r.json, "duplicates");
	assert_int_equal(json_array_size(dups), 1);
	snprintf(path, sizeof(path), "%s-two", run_id);
	assert_string_equal(json_string_value(json_object_get(json_array_get(dups, 0),
							      "idempotency_key")), path);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(dups, 0), "count")), 2);
	api_free(&r);
}

static void test_reset(void **state)
{
	struct api_resp r;

	(void)state;
	send_sms("before-reset", "13800138000", &r);
	api_free(&r);
	control("{\"fail_ratio\":0.3,\"permanent_numbers\":[\"13900000000\"]}");
	api_request("POST", "/sandbox/reset", NULL, NULL, 0, NULL, &r);
	assert_int_equal(r.status, 200);
	api_free(&r);
	assert_int_equal(recorded("before-reset"), 0);
	api_get("/sandbox/control", &r);
	assert_true(json_real_value(json_object_get(r.json, "fail_ratio")) == 0.0);
	assert_int_equal(json_array_size(json_object_get(r.json, "permanent_numbers")), 0);
	api_free(&r);
	api_get("/sandbox/messages/stats", &r);
	assert_int_equal(json_integer_value(json_object_get(r.json, "total")), 0);
	api_free(&r);
}

#define T(f) cmocka_unit_test_setup_teardown(f, reset, reset)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_health),
		T(test_send_and_query),
		T(test_mail_sink),
		T(test_bad_signature),
		T(test_stale_timestamp),
		T(test_malformed),
		T(test_fail_ratio),
		T(test_permanent_number),
		T(test_control_validation),
		T(test_timeout_modes),
		T(test_messages_and_stats),
		T(test_reset),
	};

	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests(tests, setup, NULL);
}
