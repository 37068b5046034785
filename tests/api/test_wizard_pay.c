/* API tests: paying for an order: QR through the sandbox provider, notifications (replayed,
 * forged, stale, out of order, for the wrong amount or an unknown payment), the status poll
 * and how often it asks the provider, the account's budget of QR payments, transfer and
 * counter payments waiting for finance, a provider that is down, refunds (and what of them
 * the public timeline shows), and another applicant's orders. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "apiclient.h"
#include "base/conf.h"
#include "crypto/crypto.h"
#include "db/db.h"
#include "domain/order.h"
#include "domain/orderno.h"
#include "ext/pay.h"
#include "ext/provider.h"
#include "domain/rules.h"
#include "wizclient.h"

#define AMOUNT 26000

static struct conf conf;
static struct crypto_key key;
static struct db db;
static struct arena a;
static struct api_client owner, other;
static char owner_uscc[19];

/* ---- the stack's database, read directly */

/* The first cell as text: "NULL" for SQL NULL, "(no row)" for none (never NULL: a failing
 * string comparison must fail, not crash). */
static const char *sql1(const char *sql, const char *arg)
{
	struct db_rows rows;

	if (db_query(&db, &a, sql, DB_ARGS(DB_STR(arg)), &rows) != DB_OK)
		fail_msg("%s: %s", sql, db.last_error);
	if (!rows.nrows)
		return "(no row)";
	return db_cell(&rows, 0, 0) ? db_cell(&rows, 0, 0) : "NULL";
}

static long long sqln(const char *sql, const char *arg)
{
	return strtoll(sql1(sql, arg), NULL, 10);
}

static const char *order_state(const char *no)
{
	return sql1("SELECT state FROM orders WHERE order_no = ?", no);
}

static long long events(const char *no, const char *kind)
{
	char sql[256];

	snprintf(sql, sizeof(sql),
		 "SELECT COUNT(*) FROM order_events e JOIN orders o ON o.id = e.order_id "
		 "WHERE o.order_no = ? AND e.kind = '%s'", kind);
	return sqln(sql, no);
}

static const char *payment_state(const char *pay_no)
{
	return sql1("SELECT state FROM payments WHERE pay_no = ?", pay_no);
}

static long long payments(const char *no)
{
	return sqln("SELECT COUNT(*) FROM payments p JOIN orders o ON o.id = p.order_id "
		    "WHERE o.order_no = ?", no);
}

/* A string member, "(absent)" when there is none (never NULL, for the same reason). */
static const char *js(json_t *obj, const char *name)
{
	const char *v = json_string_value(json_object_get(obj, name));

	return v ? v : "(absent)";
}

static bool starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* ---- fixtures */

/*
 * A fresh order of the owner in pending_payment with 260.00 to pay, as signing leaves it (the
 * state is set here directly: signing is not what these tests are about). Its handler mobile
 * is sealed into the order, so the payment SMS has somewhere to go. open_key is cleared so the
 * next fixture for the same subject is not refused as a second open application.
 */
static void pending(const char *channel, const char *business, const char *extra, char no[19],
		    char mobile[12])
{
	unsigned char sealed[64];
	size_t n = 0;

	wiz_create(&owner, channel, business, "org", extra, no);
	api_random_mobile(mobile);
	assert_int_equal(crypto_seal(&key, mobile, 11, ORDER_AAD_HANDLER_MOBILE, sealed,
				     sizeof(sealed), &n), 0);
	if (db_exec(&db,
		    "UPDATE orders SET state = 'pending_payment', amount_fen = ?, open_key = NULL, "
		    "handler_mobile_enc = ? WHERE order_no = ?",
		    DB_ARGS(DB_I64(AMOUNT), DB_BLOB(sealed, n), DB_STR(no)), NULL, NULL) != DB_OK)
		fail_msg("fixture %s: %s", no, db.last_error);
}

static void set_sql(const char *fmt, const char *no)
{
	char sql[512];

	snprintf(sql, sizeof(sql), fmt, no);
	wiz_sql(sql);
}

/* ---- requests */

static void pay_status(struct api_client *c, const char *no, struct api_resp *r)
{
	char path[96];

	snprintf(path, sizeof(path), "/api/wizard/orders/%s/pay", no);
	api_call(c, "GET", path, NULL, NULL, r);
}

static void refund(struct api_client *c, const char *no, const char *json, struct api_resp *r)
{
	char path[96];

	snprintf(path, sizeof(path), "/api/wizard/orders/%s/refund", no);
	api_call(c, "POST", path, json, NULL, r);
}

/* The owner's wiz_pay_qr, its pay_no of the right form. */
static void pay_qr(const char *no, const char *method, char pay_no[25])
{
	wiz_pay_qr(&owner, no, method, pay_no);
	assert_true(pay_no_valid(pay_no));
}

/* A pending order with an open QR payment of method. */
static void qr_order(const char *channel, const char *method, char no[19], char mobile[12],
		     char pay_no[25])
{
	pending(channel, "new", NULL, no, mobile);
	pay_qr(no, method, pay_no);
}

static const char *provider_ref(const char *pay_no)
{
	return sql1("SELECT provider_ref FROM payments WHERE pay_no = ?", pay_no);
}

/* The payer in the sandbox: outcome paid or closed, the notification sent or withheld. */
static void complete(const char *pay_no, const char *outcome, bool notify, struct api_resp *r)
{
	char path[96], body[96];

	snprintf(path, sizeof(path), "/sandbox/pay/orders/%s/complete", pay_no);
	snprintf(body, sizeof(body), "{\"outcome\":\"%s\",\"notify\":%s}", outcome,
		 notify ? "true" : "false");
	api_post_json(path, body, r);
	if (r->status != 200)
		fail_msg("complete %s: %ld %s", pay_no, r->status, r->body);
}

static void notify_raw(const char *body, const char *ts, const char *sig, struct api_resp *r)
{
	char h_ts[64], h_sig[128];
	const char *h[3] = { NULL, NULL, NULL };
	size_t n = 0;

	if (ts) {
		snprintf(h_ts, sizeof(h_ts), "X-Certhall-Timestamp: %s", ts);
		h[n++] = h_ts;
	}
	if (sig) {
		snprintf(h_sig, sizeof(h_sig), "X-Certhall-Signature: %s", sig);
		h[n++] = h_sig;
	}
	api_request_h("POST", "/api/wizard/pay/notify", "application/json", body, strlen(body), h, r);
}

/* A notification signed with the stack's pay secret, skew seconds off our clock. */
static void notify_signed(const char *body, long skew, struct api_resp *r)
{
	char ts[24], sig[65];

	assert_int_equal(provider_sign(conf.pay_secret, time(NULL) + skew, body, strlen(body), ts, sig), 0);
	notify_raw(body, ts, sig, r);
}

/* The status poll's counter of provider queries of pay_no: forgotten (as when its 5 seconds
 * have passed), or filled for this window and the next (as right after a query). */
static void forget_queries(const char *pay_no)
{
	char bucket[48];

	snprintf(bucket, sizeof(bucket), "pay-query:%s", pay_no);
	assert_int_equal(db_exec(&db, "DELETE FROM rate_limits WHERE bucket = ?",
				 DB_ARGS(DB_STR(bucket)), NULL, NULL),
			 DB_OK);
}

static void just_queried(const char *pay_no)
{
	long long win = (long long)time(NULL) / 5;
	char bucket[48];

	snprintf(bucket, sizeof(bucket), "pay-query:%s", pay_no);
	for (long long k = 0; k < 2; k++)
		assert_int_equal(db_exec(&db,
					 "INSERT INTO rate_limits (bucket, win, span, hits) VALUES (?, ?, 5, 1) "
					 "ON DUPLICATE KEY UPDATE hits = 1",
					 DB_ARGS(DB_STR(bucket), DB_I64(win + k)), NULL, NULL),
				 DB_OK);
}

/* A notification body as the provider writes it (into a static buffer). */
static const char *notice(const char *event_id, const char *pay_no, const char *ref,
			  const char *kind, long long amount)
{
	static char buf[512];
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:I, s:s}", "event_id", event_id, "pay_no", pay_no,
			      "provider_ref", ref, "kind", kind, "amount_fen", (json_int_t)amount,
			      "at", "2026-01-02T03:04:05+08:00");
	char *s = json_dumps(j, JSON_COMPACT);

	snprintf(buf, sizeof(buf), "%s", s);
	free(s);
	json_decref(j);
	return buf;
}

static void event_id(char out[40])
{
	assert_int_equal(crypto_token_hex(out, 40, 16), 0);
}

/* Waits up to five seconds for mobile to have n messages at the sandbox gateway. */
static bool sms_arrives(const char *mobile, size_t n)
{
	for (int i = 0; i < 100; i++) {
		if (api_sandbox_count(mobile, NULL) >= n)
			return true;
		usleep(50 * 1000);
	}
	return false;
}

/* Runs fn(i, out[i]) in n processes at once (n <= 8); each result is at most 127 bytes. */
static void parallel(int n, void (*fn)(int i, char out[128]), char out[][128])
{
	int fds[8][2];
	pid_t pids[8];

	assert_true(n <= 8);
	for (int i = 0; i < n; i++) {
		assert_int_equal(pipe(fds[i]), 0);
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			char buf[128] = "";

			fn(i, buf);
			if (write(fds[i][1], buf, strlen(buf)) < 0)
				_exit(1);
			_exit(0);
		}
		close(fds[i][1]);
	}
	for (int i = 0; i < n; i++) {
		ssize_t got = read(fds[i][0], out[i], 127);

		out[i][got > 0 ? got : 0] = '\0';
		close(fds[i][0]);
		waitpid(pids[i], NULL, 0);
	}
}

/* ---- setup */

static int setup(void **state)
{
	char mobile[12], uscc2[19], mobile2[12];
	struct api_resp r;

	(void)state;
	if (wiz_open(&conf, &key, &db, &a) < 0 || !conf.pay_secret[0])
		return -1;
	wiz_register_org(&owner, owner_uscc, mobile);
	wiz_register_org(&other, uscc2, mobile2);
	api_post_json("/sandbox/pay/control", "{\"fail_create\":false}", &r);
	api_free(&r);
	return 0;
}

static int teardown(void **state)
{
	struct api_resp r;

	(void)state;
	api_post_json("/sandbox/pay/control", "{\"fail_create\":false}", &r);
	api_free(&r);
	wiz_close(&db, &a);
	return 0;
}

/* Every test starts with the owner's hourly budget of payments at the provider untouched
 * ([pay] per_account_hour): the tests share one owner. */
static int reset_arena(void **state)
{
	(void)state;
	arena_reset(&a);
	wiz_sql("DELETE FROM rate_limits WHERE bucket LIKE 'pay:a:%'");
	return 0;
}

/* ---- tests */

/* pay_first: WeChat QR, the payer pays, the notification moves the order to reviewing, the
 * handler gets the SMS, and the status shows it. */
static void test_qr_pay_first(void **state)
{
	char no[19], mobile[12], pay_no[25];
	struct api_resp r;
	const char *qr;

	(void)state;
	pending("cecep", "new", NULL, no, mobile);
	wiz_pay(&owner, no, "wechat", &r);
	assert_int_equal(r.status, 201);
	snprintf(pay_no, sizeof(pay_no), "%s", js(r.json, "pay_no"));
	assert_true(pay_no_valid(pay_no));
	qr = js(r.json, "qr_url");
	assert_true(starts(qr, "weixin://wxpay/bizpayurl?pr="));
	assert_int_equal(json_integer_value(json_object_get(r.json, "amount_fen")), AMOUNT);
	assert_string_equal(js(r.json, "amount"), "260.00");
	assert_string_equal(js(r.json, "state"), "pending");
	assert_true(starts(js(r.json, "qr_svg"), "<svg"));
	api_free(&r);
	assert_string_equal(payment_state(pay_no), "pending");
	assert_string_equal(sql1("SELECT pay_method FROM orders WHERE order_no = ?", no), "wechat");
	assert_int_equal(events(no, "payment_started"), 1);
	assert_string_equal(order_state(no), "pending_payment");

	wiz_pay_complete(pay_no);
	assert_string_equal(order_state(no), "reviewing");
	assert_string_equal(payment_state(pay_no), "paid");
	assert_int_equal(events(no, "paid"), 1);
	assert_string_not_equal(sql1("SELECT paid_at FROM orders WHERE order_no = ?", no), "NULL");
	assert_string_not_equal(sql1("SELECT paid_at FROM payments WHERE pay_no = ?", pay_no), "NULL");
	assert_string_equal(sql1("SELECT outcome FROM payment_notifications WHERE pay_no = ?", pay_no),
			    "paid");
	assert_true(sms_arrives(mobile, 1));
	assert_int_equal(api_sandbox_count(mobile, NULL), 1);

	pay_status(&owner, no, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(js(json_object_get(r.json, "order"), "state"),
			    "reviewing");
	assert_string_equal(js(json_array_get(json_object_get(r.json, "payments"), 0),
			    "state"), "paid");
	/* Paid: no QR to show any more. */
	assert_null(json_object_get(json_array_get(json_object_get(r.json, "payments"), 0), "qr_url"));
	api_free(&r);
	/* Paying again is refused: the order no longer waits for money. */
	wiz_pay(&owner, no, "wechat", &r);
	api_expect_error(&r, 409, "wrong_state");
	api_free(&r);
}

/* two_stage (jxca-js): paid -> awaiting_paper; Alipay's QR. */
static void test_qr_two_stage(void **state)
{
	char no[19], mobile[12], pay_no[25];
	struct api_resp r;

	(void)state;
	pending("jxca-js", "new", NULL, no, mobile);
	wiz_pay(&owner, no, "alipay", &r);
	assert_int_equal(r.status, 201);
	assert_true(starts(js(r.json, "qr_url"), "https://qr.alipay.com/"));
	snprintf(pay_no, sizeof(pay_no), "%s", js(r.json, "pay_no"));
	api_free(&r);
	wiz_pay_complete(pay_no);
	assert_string_equal(order_state(no), "awaiting_paper");
	assert_int_equal(events(no, "paid"), 1);
}

/* mail-in -> awaiting_paper; renewal inside the window -> approved. */
static void test_mail_in_and_online_renewal(void **state)
{
	char no[19], mobile[12], pay_no[25], serial[17], extra[64];

	(void)state;
	pending("cecep", "new", NULL, no, mobile);
	set_sql("UPDATE orders SET mail_in = 1 WHERE order_no = '%s'", no);
	pay_qr(no, "wechat", pay_no);
	wiz_pay_complete(pay_no);
	assert_string_equal(order_state(no), "awaiting_paper");

	wiz_random_serial(serial);
	wiz_fixture_cert(owner_uscc, owner_uscc, "cecep", "org", serial, 30, -335, false);
	snprintf(extra, sizeof(extra), ",\"cert_serial\":\"%s\"", serial);
	pending("cecep", "renew", extra, no, mobile);
	assert_string_equal(sql1("SELECT renew_mode FROM orders WHERE order_no = ?", no), "online");
	pay_qr(no, "alipay", pay_no);
	wiz_pay_complete(pay_no);
	assert_string_equal(order_state(no), "approved");
}

/* The notification the sandbox sent, posted again byte for byte: 200 duplicate, nothing new. */
static void test_replay_is_a_no_op(void **state)
{
	char no[19], mobile[12], pay_no[25], path[128], body[1024], ts[32], sig[80];
	struct api_resp r, replay;
	json_t *h;

	(void)state;
	qr_order("cecep", "wechat", no, mobile, pay_no);
	wiz_pay_complete(pay_no);
	assert_true(sms_arrives(mobile, 1));
	snprintf(path, sizeof(path), "/sandbox/pay/orders/%s/notification", pay_no);
	api_get(path, &r);
	assert_int_equal(r.status, 200);
	h = json_object_get(r.json, "headers");
	snprintf(body, sizeof(body), "%s", js(r.json, "body"));
	snprintf(ts, sizeof(ts), "%s", js(h, "X-Certhall-Timestamp"));
	snprintf(sig, sizeof(sig), "%s", js(h, "X-Certhall-Signature"));
	api_free(&r);
	for (int i = 0; i < 3; i++) {
		notify_raw(body, ts, sig, &replay);
		assert_int_equal(replay.status, 200);
		assert_true(json_is_true(json_object_get(replay.json, "ok")));
		assert_true(json_is_true(json_object_get(replay.json, "duplicate")));
		api_free(&replay);
	}
	assert_int_equal(events(no, "paid"), 1);
	assert_int_equal(sqln("SELECT COUNT(*) FROM payment_notifications WHERE pay_no = ?", pay_no), 1);
	assert_string_equal(order_state(no), "reviewing");
	usleep(300 * 1000);
	assert_int_equal(api_sandbox_count(mobile, NULL), 1); /* one SMS, not four */
}

/* Forged, missing, stale or misplaced signatures: 401, nothing recorded, nothing paid. */
static void test_bad_signatures(void **state)
{
	char no[19], mobile[12], pay_no[25], ev[40], ts[24], sig[65], bad[65], other_ts[24];
	const char *ref, *body;
	struct api_resp r;
	time_t now = time(NULL);

	(void)state;
	qr_order("cecep", "wechat", no, mobile, pay_no);
	ref = provider_ref(pay_no);
	event_id(ev);
	body = notice(ev, pay_no, ref, "paid", AMOUNT);
	assert_int_equal(provider_sign(conf.pay_secret, now, body, strlen(body), ts, sig), 0);

	/* One hex digit changed. */
	snprintf(bad, sizeof(bad), "%s", sig);
	bad[10] = bad[10] == '0' ? '1' : '0';
	notify_raw(body, ts, bad, &r);
	api_expect_error(&r, 401, "bad_signature");
	api_free(&r);
	/* Missing either header, or both. */
	notify_raw(body, ts, NULL, &r);
	api_expect_error(&r, 401, "bad_signature");
	api_free(&r);
	notify_raw(body, NULL, sig, &r);
	api_expect_error(&r, 401, "bad_signature");
	api_free(&r);
	notify_raw(body, NULL, NULL, &r);
	api_expect_error(&r, 401, "bad_signature");
	api_free(&r);
	/* The signature of this body under another secret. */
	assert_int_equal(provider_sign("not-the-pay-secret", now, body, strlen(body), ts, bad), 0);
	notify_raw(body, ts, bad, &r);
	api_expect_error(&r, 401, "bad_signature");
	api_free(&r);
	/* A good signature moved to another timestamp. */
	snprintf(other_ts, sizeof(other_ts), "%lld", (long long)now + 1);
	notify_raw(body, other_ts, sig, &r);
	api_expect_error(&r, 401, "bad_signature");
	api_free(&r);
	/* Stale and future timestamps, correctly signed. */
	notify_signed(body, -(PROVIDER_SKEW + 60), &r);
	api_expect_error(&r, 401, "bad_signature");
	api_free(&r);
	notify_signed(body, PROVIDER_SKEW + 60, &r);
	api_expect_error(&r, 401, "bad_signature");
	api_free(&r);
	/* Hostile header values. */
	notify_raw(body, "1' OR '1'='1", sig, &r);
	api_expect_error(&r, 401, "bad_signature");
	api_free(&r);
	notify_raw(body, ts, "<script>alert(1)</script>", &r);
	api_expect_error(&r, 401, "bad_signature");
	api_free(&r);
	/* The signed body with one byte changed (the amount). */
	{
		char changed[512];
		char *p;

		snprintf(changed, sizeof(changed), "%s", body);
		p = strstr(changed, "26000");
		assert_non_null(p);
		p[0] = '1';
		notify_raw(changed, ts, sig, &r);
		api_expect_error(&r, 401, "bad_signature");
		api_free(&r);
	}
	assert_int_equal(sqln("SELECT COUNT(*) FROM payment_notifications WHERE pay_no = ?", pay_no), 0);
	assert_string_equal(payment_state(pay_no), "pending");
	assert_string_equal(order_state(no), "pending_payment");
	/* The same body correctly signed now goes through: the refusals were about the signature. */
	notify_raw(body, ts, sig, &r);
	assert_int_equal(r.status, 200);
	api_free(&r);
	assert_string_equal(order_state(no), "reviewing");
}

/* Signed, but malformed: 400 naming the member, nothing recorded. */
static void test_malformed_notifications(void **state)
{
	char no[19], mobile[12], pay_no[25], ev[40], longer[80];
	const char *ref;
	struct api_resp r;
	struct {
		const char *member, *value;
	} cases[] = {
		{ "event_id", "\"x' OR 1=1 --\"" }, { "event_id", "\"\"" }, { "event_id", NULL },
		{ "event_id", longer },             { "pay_no", "\"0123456789abcdefghijklmn\"" },
		{ "pay_no", "\"<b>x</b>\"" },        { "provider_ref", "\"a b\"" },
		{ "kind", "\"refund\"" },           { "kind", "null" },
		{ "amount_fen", "\"26000\"" },      { "amount_fen", "-1" },
		{ "amount_fen", "260.5" },          { "at", "\"2026\\u0007\"" },
	};

	(void)state;
	memset(longer, 'e', 67);
	longer[0] = '"';
	longer[66] = '"';
	longer[67] = '\0';
	qr_order("cecep", "wechat", no, mobile, pay_no);
	ref = provider_ref(pay_no);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *j, *v;
		char *s;

		event_id(ev);
		j = json_loads(notice(ev, pay_no, ref, "paid", AMOUNT), 0, NULL);
		v = cases[i].value ? json_loads(cases[i].value, JSON_DECODE_ANY, NULL) : NULL;
		if (cases[i].value)
			assert_non_null(v);
		if (v)
			json_object_set_new(j, cases[i].member, v);
		else
			json_object_del(j, cases[i].member);
		s = json_dumps(j, JSON_COMPACT);
		notify_signed(s, 0, &r);
		api_expect_error(&r, 400, "invalid_field");
		assert_string_equal(api_error_field(&r), cases[i].member);
		api_free(&r);
		free(s);
		json_decref(j);
	}
	/* Not JSON, not an object, bad UTF-8: signed all the same. */
	notify_signed("{\"event_id\":", 0, &r);
	api_expect_error(&r, 400, "bad_json");
	api_free(&r);
	notify_signed("[1,2]", 0, &r);
	api_expect_error(&r, 400, "bad_json");
	api_free(&r);
	notify_signed("{\"event_id\":\"\xff\xfe\"}", 0, &r);
	api_expect_error(&r, 400, "bad_json");
	api_free(&r);
	assert_int_equal(sqln("SELECT COUNT(*) FROM payment_notifications WHERE pay_no = ?", pay_no), 0);
	assert_string_equal(payment_state(pay_no), "pending");
	/* Only POST. */
	api_get("/api/wizard/pay/notify", &r);
	assert_int_equal(r.status, 405);
	api_free(&r);
}

/* A paid notification for another amount: recorded, logged, nothing paid. */
static void test_wrong_amount(void **state)
{
	char no[19], mobile[12], pay_no[25], ev[40];
	struct api_resp r;
	const char *ref;

	(void)state;
	qr_order("cecep", "wechat", no, mobile, pay_no);
	ref = provider_ref(pay_no);
	event_id(ev);
	notify_signed(notice(ev, pay_no, ref, "paid", AMOUNT - 1), 0, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(js(r.json, "outcome"), "amount_mismatch");
	api_free(&r);
	assert_string_equal(sql1("SELECT outcome FROM payment_notifications WHERE event_id = ?", ev),
			    "amount_mismatch");
	assert_string_equal(payment_state(pay_no), "pending");
	assert_string_equal(order_state(no), "pending_payment");
	assert_int_equal(events(no, "paid"), 0);
	/* Another provider order's reference is refused the same way. */
	event_id(ev);
	notify_signed(notice(ev, pay_no, "sbxpay_someone_else", "paid", AMOUNT), 0, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(js(r.json, "outcome"), "ref_mismatch");
	api_free(&r);
	assert_string_equal(payment_state(pay_no), "pending");
}

/* A notification for a pay_no we never issued: 404, recorded. */
static void test_unknown_pay_no(void **state)
{
	char pay_no[25], ev[40];
	struct api_resp r;

	(void)state;
	assert_int_equal(pay_no_make(pay_no), 0);
	event_id(ev);
	notify_signed(notice(ev, pay_no, "sbxpay_x", "paid", AMOUNT), 0, &r);
	api_expect_error(&r, 404, "not_found");
	api_free(&r);
	assert_string_equal(sql1("SELECT outcome FROM payment_notifications WHERE event_id = ?", ev),
			    "unknown_payment");
	assert_int_equal(sqln("SELECT COUNT(*) FROM payments WHERE pay_no = ?", pay_no), 0);
	/* Its replay is a duplicate like any other. */
	notify_signed(notice(ev, pay_no, "sbxpay_x", "paid", AMOUNT), 0, &r);
	assert_int_equal(r.status, 200);
	assert_true(json_is_true(json_object_get(r.json, "duplicate")));
	api_free(&r);
}

/* Out of order: a closed after the paid changes nothing; a closed on a pending QR closes it
 * and the applicant can pay again. */
static void test_out_of_order(void **state)
{
	char no[19], mobile[12], pay_no[25], pay_no2[25], ev[40];
	struct api_resp r;
	const char *ref;

	(void)state;
	qr_order("cecep", "wechat", no, mobile, pay_no);
	ref = provider_ref(pay_no);
	wiz_pay_complete(pay_no);
	event_id(ev);
	notify_signed(notice(ev, pay_no, ref, "closed", AMOUNT), 0, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(js(r.json, "outcome"), "unchanged");
	api_free(&r);
	assert_string_equal(payment_state(pay_no), "paid");
	assert_string_equal(order_state(no), "reviewing");

	qr_order("cecep", "wechat", no, mobile, pay_no);
	complete(pay_no, "closed", true, &r);
	assert_string_equal(js(json_object_get(r.json, "notify_answer"), "outcome"), "closed");
	api_free(&r);
	assert_string_equal(payment_state(pay_no), "closed");
	assert_string_equal(order_state(no), "pending_payment");
	pay_qr(no, "wechat", pay_no2);
	assert_string_not_equal(pay_no, pay_no2);
	/* The paid of the closed QR arrives late after all: the money is taken, the order moves. */
	ref = provider_ref(pay_no);
	event_id(ev);
	notify_signed(notice(ev, pay_no, ref, "paid", AMOUNT), 0, &r);
	assert_int_equal(r.status, 200);
	api_free(&r);
	assert_string_equal(order_state(no), "reviewing");
	assert_string_equal(payment_state(pay_no), "paid");
	assert_string_equal(payment_state(pay_no2), "closed");
	/* And the second QR, paid too: that money goes back. */
	complete(pay_no2, "paid", true, &r);
	assert_string_equal(js(json_object_get(r.json, "notify_answer"),
			    "outcome"), "paid_refunding");
	api_free(&r);
	assert_string_equal(payment_state(pay_no2), "refunding");
	assert_string_equal(order_state(no), "reviewing");
	assert_int_equal(events(no, "paid"), 1);
}

/* Paid after the order was cancelled: the payment is paid and flagged for refund, the order
 * stays cancelled. */
static void test_paid_after_cancel(void **state)
{
	char no[19], mobile[12], pay_no[25];
	struct api_resp r;

	(void)state;
	qr_order("cecep", "alipay", no, mobile, pay_no);
	set_sql("UPDATE orders SET state = 'cancelled' WHERE order_no = '%s'", no);
	complete(pay_no, "paid", true, &r);
	assert_int_equal(json_integer_value(json_object_get(r.json, "notify_status")), 200);
	assert_string_equal(js(json_object_get(r.json, "notify_answer"),
			    "outcome"), "paid_refunding");
	api_free(&r);
	assert_string_equal(order_state(no), "cancelled");
	assert_string_equal(payment_state(pay_no), "refunding");
	/* The state does not show the money owed: the flag puts the order in finance's queue. */
	assert_string_equal(sql1("SELECT CONCAT(o.refund_due, o.queue) FROM orders o JOIN payments p "
				 "ON p.order_id = o.id WHERE p.pay_no = ?", pay_no), "1finance");
	assert_string_not_equal(sql1("SELECT paid_at FROM payments WHERE pay_no = ?", pay_no), "NULL");
	assert_int_equal(events(no, "refund_requested"), 1);
	assert_int_equal(events(no, "paid"), 0);
	usleep(300 * 1000);
	assert_int_equal(api_sandbox_count(mobile, NULL), 0); /* no "paid" SMS for it */
}

/* The notification never arrives: the status poll asks the provider and applies its answer
 * (the same function as the notification: same state, same events). */
static void test_poll_without_notification(void **state)
{
	char no[19], mobile[12], pay_no[25];
	struct api_resp r;

	(void)state;
	qr_order("jxca-js", "wechat", no, mobile, pay_no);
	pay_status(&owner, no, &r); /* still pending at the provider: nothing changes */
	assert_int_equal(r.status, 200);
	assert_string_equal(js(json_object_get(r.json, "order"), "state"),
			    "pending_payment");
	assert_true(starts(js(json_array_get(json_object_get(r.json, "payments"), 0), "qr_url"),
			   "weixin://"));
	api_free(&r);
	complete(pay_no, "paid", false, &r);
	assert_false(json_is_true(json_object_get(r.json, "notified")));
	api_free(&r);
	assert_string_equal(payment_state(pay_no), "pending");
	forget_queries(pay_no); /* the last query was 5 seconds ago */
	pay_status(&owner, no, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(js(json_object_get(r.json, "order"), "state"),
			    "awaiting_paper");
	assert_string_equal(js(json_array_get(json_object_get(r.json, "payments"), 0),
			    "state"), "paid");
	api_free(&r);
	assert_int_equal(events(no, "paid"), 1);
	assert_true(sms_arrives(mobile, 1));
	pay_status(&owner, no, &r);
	api_free(&r);
	assert_int_equal(events(no, "paid"), 1);
	/* The notification, sent late after all, finds it paid: nothing more. */
	{
		char ev[40];
		const char *ref = provider_ref(pay_no);

		event_id(ev);
		notify_signed(notice(ev, pay_no, ref, "paid", AMOUNT), 0, &r);
		assert_int_equal(r.status, 200);
		assert_string_equal(js(r.json, "outcome"), "unchanged");
		api_free(&r);
	}
	assert_int_equal(events(no, "paid"), 1);
}

/* A page polling every second asks the provider about a payment at most once per 5 seconds:
 * in between, the database answers (even if the payer has paid meanwhile). */
static void test_poll_throttled(void **state)
{
	char no[19], mobile[12], pay_no[25];
	struct api_resp r;

	(void)state;
	qr_order("cecep", "wechat", no, mobile, pay_no);
	complete(pay_no, "paid", false, &r);
	api_free(&r);
	just_queried(pay_no);
	for (int i = 0; i < 3; i++) {
		pay_status(&owner, no, &r);
		assert_int_equal(r.status, 200);
		assert_string_equal(js(json_object_get(r.json, "order"), "state"), "pending_payment");
		assert_string_equal(js(json_array_get(json_object_get(r.json, "payments"), 0), "state"),
				    "pending");
		api_free(&r);
	}
	assert_string_equal(payment_state(pay_no), "pending");
	assert_int_equal(events(no, "paid"), 0);
	/* Five seconds on, the next poll asks, and the payment counts. */
	forget_queries(pay_no);
	pay_status(&owner, no, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(js(json_object_get(r.json, "order"), "state"), "reviewing");
	api_free(&r);
	assert_string_equal(payment_state(pay_no), "paid");
	assert_int_equal(events(no, "paid"), 1);
}

/* An account makes (or switches away from) at most [pay] per_account_hour QR payments at the
 * provider an hour, across all its orders: a new order is no new budget. What costs the
 * provider nothing stays free: the same QR again, a transfer with no QR to close. */
static void test_creates_limited_per_account(void **state)
{
	char no[19], mobile[12], pay_no[25], after[16];
	const char *msg;
	struct api_resp r;

	(void)state;
	assert_true(conf.pay_per_account_hour <= 100); /* a test stack keeps the default */
	for (int i = 0; i < conf.pay_per_account_hour; i++) {
		arena_reset(&a);
		qr_order("cecep", "wechat", no, mobile, pay_no);
	}
	/* The last order's QR asked again (a second click): the open payment, 200. */
	wiz_pay(&owner, no, "wechat", &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(js(r.json, "pay_no"), pay_no);
	api_free(&r);
	/* Switching it to Alipay would close it at the provider and make another: refused. */
	wiz_pay(&owner, no, "alipay", &r);
	api_expect_error(&r, 429, "rate_limited");
	api_free(&r);
	assert_string_equal(payment_state(pay_no), "pending");
	assert_int_equal(payments(no), 1);
	/* A fresh order's QR: refused before anything is written or asked. */
	pending("cecep", "new", NULL, no, mobile);
	wiz_pay(&owner, no, "alipay", &r);
	api_expect_error(&r, 429, "rate_limited");
	assert_non_null(api_header(&r, "Retry-After", after, sizeof(after)));
	assert_true(strtol(after, NULL, 10) >= 1);
	msg = js(json_object_get(r.json, "error"), "message");
	if (!strstr(msg, "支付") || !strstr(msg, "后再试"))
		fail_msg("429 message: %s", msg);
	api_free(&r);
	assert_int_equal(payments(no), 0);
	assert_string_equal(sql1("SELECT pay_method FROM orders WHERE order_no = ?", no), "NULL");
	assert_int_equal(events(no, "payment_started"), 0);
	/* A transfer asks nobody: still fine. Switching from it to a QR is not. */
	wiz_pay(&owner, no, "transfer", &r);
	assert_int_equal(r.status, 201);
	api_free(&r);
	wiz_pay(&owner, no, "wechat", &r);
	api_expect_error(&r, 429, "rate_limited");
	api_free(&r);
	assert_int_equal(payments(no), 1);
	/* The hour over, the QR is made. */
	wiz_sql("DELETE FROM rate_limits WHERE bucket LIKE 'pay:a:%'");
	pay_qr(no, "wechat", pay_no);
	assert_string_equal(payment_state(pay_no), "pending");
}

/* Transfer and counter wait for finance: the order stays in pending_payment. */
static void test_transfer_and_counter(void **state)
{
	char no[19], mobile[12], pay_no[25];
	struct api_resp r;
	json_t *t, *c;

	(void)state;
	pending("cecep", "new", NULL, no, mobile);
	set_sql("UPDATE orders SET verify_method = 'transfer' WHERE order_no = '%s'", no);
	wiz_pay(&owner, no, "transfer", &r);
	assert_int_equal(r.status, 201);
	assert_string_equal(js(r.json, "state"), "awaiting_finance");
	snprintf(pay_no, sizeof(pay_no), "%s", js(r.json, "pay_no"));
	t = json_object_get(r.json, "transfer");
	assert_string_equal(js(t, "memo"), no);
	assert_string_not_equal(js(t, "account"), "(absent)");
	assert_string_not_equal(js(t, "payee"), "(absent)");
	assert_non_null(strstr(js(t, "note"), no));
	assert_null(json_object_get(r.json, "qr_url"));
	/* 001: paid by corporate transfer, an organisation certificate's PIN goes to the handler. */
	assert_string_equal(js(r.json, "pin_delivery"),
			    rules_pin_delivery("transfer", "transfer", "org"));
	api_free(&r);
	assert_string_equal(order_state(no), "pending_payment");
	assert_string_equal(payment_state(pay_no), "awaiting_finance");
	assert_string_equal(sql1("SELECT pay_method FROM orders WHERE order_no = ?", no), "transfer");
	assert_string_equal(sql1("SELECT pin_delivery FROM orders WHERE order_no = ?", no),
			    rules_pin_delivery("transfer", "transfer", "org"));
	assert_int_equal(events(no, "payment_awaiting_finance"), 1);
	/* The provider has no say on a transfer: only finance confirms it. */
	{
		char ev[40];

		event_id(ev);
		notify_signed(notice(ev, pay_no, "sbxpay_x", "paid", AMOUNT), 0, &r);
		assert_int_equal(r.status, 200);
		assert_string_equal(js(r.json, "outcome"), "unchanged");
		api_free(&r);
		assert_string_equal(payment_state(pay_no), "awaiting_finance");
		assert_string_equal(order_state(no), "pending_payment");
	}
	/* Asked again: the same payment, no second event. */
	wiz_pay(&owner, no, "transfer", &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(js(r.json, "pay_no"), pay_no);
	api_free(&r);
	assert_int_equal(events(no, "payment_awaiting_finance"), 1);
	assert_int_equal(payments(no), 1);

	/* Switched to the counter: the counter waits, and so does the transfer: it may already be
	 * money on its way, for finance to confirm (and pay back if the order is paid otherwise). */
	wiz_pay(&owner, no, "counter", &r);
	assert_int_equal(r.status, 201);
	c = json_object_get(r.json, "counter");
	assert_string_not_equal(js(c, "address"), "(absent)");
	assert_string_not_equal(js(c, "hours"), "(absent)");
	assert_string_equal(js(r.json, "state"), "awaiting_finance");
	api_free(&r);
	assert_string_equal(payment_state(pay_no), "awaiting_finance");
	assert_string_equal(sql1("SELECT pay_method FROM orders WHERE order_no = ?", no), "counter");
	assert_string_equal(order_state(no), "pending_payment");

	/* And to WeChat: with transfer verification, the PIN now rides in the 0.01 memo. */
	pay_qr(no, "wechat", pay_no);
	assert_string_equal(sql1("SELECT pin_delivery FROM orders WHERE order_no = ?", no),
			    rules_pin_delivery("transfer", "wechat", "org"));
	assert_string_not_equal(rules_pin_delivery("transfer", "wechat", "org"),
				rules_pin_delivery("transfer", "transfer", "org"));
	assert_int_equal(sqln("SELECT COUNT(*) FROM payments p JOIN orders o ON o.id = p.order_id "
			      "WHERE o.order_no = ? AND p.state = 'pending'", no), 1);
	assert_int_equal(sqln("SELECT COUNT(*) FROM payments p JOIN orders o ON o.id = p.order_id "
			      "WHERE o.order_no = ? AND p.state = 'awaiting_finance'", no), 2);
	pay_status(&owner, no, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "payments")), 3);
	assert_true(json_array_size(json_object_get(r.json, "pay_methods")) >= 1);
	api_free(&r);
}

/* Two clicks on WeChat: one payment, one provider order. Then Alipay: the WeChat QR is closed
 * at the provider before the new one is made. */
static void test_double_post_and_switch(void **state)
{
	char no[19], mobile[12], pay_no[25];
	struct api_resp r1, r2;

	(void)state;
	pending("cecep", "new", NULL, no, mobile);
	wiz_pay(&owner, no, "wechat", &r1);
	wiz_pay(&owner, no, "wechat", &r2);
	assert_int_equal(r1.status, 201);
	assert_int_equal(r2.status, 200);
	assert_string_equal(js(r1.json, "pay_no"),
			    js(r2.json, "pay_no"));
	assert_string_equal(js(r1.json, "qr_url"),
			    js(r2.json, "qr_url"));
	snprintf(pay_no, sizeof(pay_no), "%s", js(r1.json, "pay_no"));
	api_free(&r1);
	api_free(&r2);
	assert_int_equal(payments(no), 1);
	assert_int_equal(sqln("SELECT COUNT(*) FROM sandbox_pay_orders WHERE pay_no = ?", pay_no), 1);
	assert_int_equal(events(no, "payment_started"), 1);

	wiz_pay(&owner, no, "alipay", &r1);
	assert_int_equal(r1.status, 201);
	assert_string_not_equal(js(r1.json, "pay_no"), pay_no);
	api_free(&r1);
	assert_string_equal(payment_state(pay_no), "closed");
	assert_string_equal(sql1("SELECT state FROM sandbox_pay_orders WHERE pay_no = ?", pay_no), "closed");
	assert_string_equal(sql1("SELECT pay_method FROM orders WHERE order_no = ?", no), "alipay");

	/* Switching away from a QR the payer has just paid: the payment counts, nothing new. */
	qr_order("cecep", "wechat", no, mobile, pay_no);
	complete(pay_no, "paid", false, &r1);
	api_free(&r1);
	wiz_pay(&owner, no, "alipay", &r1);
	api_expect_error(&r1, 409, "wrong_state");
	api_free(&r1);
	assert_string_equal(payment_state(pay_no), "paid");
	assert_string_equal(order_state(no), "reviewing");
	assert_int_equal(payments(no), 1);
}

/* A payer on a phone (WeChat H5): the answer carries the provider's page to open, the sandbox's
 * phone page, which leads back to the order; the same method on a computer is a QR order of
 * its own, the H5 one closed at the provider first. */
static void test_h5_payment(void **state)
{
	char no[19], mobile[12], pay_no[25], want[160], path[96];
	const char *h5;
	struct api_resp r;

	(void)state;
	pending("cecep", "new", NULL, no, mobile);
	snprintf(path, sizeof(path), "/api/wizard/orders/%s/pay", no);
	api_call(&owner, "POST", path, "{\"method\":\"wechat\",\"scene\":\"h5\"}", NULL, &r);
	assert_int_equal(r.status, 201);
	snprintf(pay_no, sizeof(pay_no), "%s", js(r.json, "pay_no"));
	h5 = js(r.json, "h5_url");
	snprintf(want, sizeof(want), "/sandbox/ui/phone.html?pay_no=%s", pay_no);
	assert_non_null(h5);
	assert_true(starts(h5, "http") && strstr(h5, want) && strlen(strstr(h5, want)) == strlen(want));
	assert_non_null(js(r.json, "qr_url"));
	api_free(&r);
	/* Asked again from the phone: the same payment. */
	api_call(&owner, "POST", path, "{\"method\":\"wechat\",\"scene\":\"h5\"}", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(js(r.json, "pay_no"), pay_no);
	api_free(&r);
	/* The sandbox payer's page knows where to send the payer back. */
	snprintf(path, sizeof(path), "/sandbox/pay/orders/%s/payer", pay_no);
	api_get(path, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(js(r.json, "return_url"), no));
	api_free(&r);
	/* The same method on a computer: a QR order, the H5 one closed. */
	wiz_pay(&owner, no, "wechat", &r);
	assert_int_equal(r.status, 201);
	assert_string_not_equal(js(r.json, "pay_no"), pay_no);
	assert_null(json_object_get(r.json, "h5_url"));
	api_free(&r);
	assert_string_equal(payment_state(pay_no), "closed");
	assert_string_equal(sql1("SELECT state FROM sandbox_pay_orders WHERE pay_no = ?", pay_no), "closed");
	assert_int_equal(payments(no), 2);
}

/* The provider is down: 503, the payment row closed, nothing else changed; once it is back,
 * the next attempt is a new payment. */
static void test_provider_down(void **state)
{
	char no[19], mobile[12], pay_no[25];
	struct api_resp r, c;

	(void)state;
	pending("cecep", "new", NULL, no, mobile);
	api_post_json("/sandbox/pay/control", "{\"fail_create\":true}", &c);
	assert_true(json_is_true(json_object_get(c.json, "fail_create")));
	api_free(&c);
	wiz_pay(&owner, no, "alipay", &r);
	api_post_json("/sandbox/pay/control", "{\"fail_create\":false}", &c);
	assert_false(json_is_true(json_object_get(c.json, "fail_create")));
	api_free(&c);
	api_expect_error(&r, 503, "provider_unavailable");
	api_free(&r);
	assert_int_equal(payments(no), 1);
	assert_int_equal(sqln("SELECT COUNT(*) FROM payments p JOIN orders o ON o.id = p.order_id "
			      "WHERE o.order_no = ? AND p.state = 'closed' AND p.qr_url = ''", no), 1);
	assert_string_equal(sql1("SELECT pay_method FROM orders WHERE order_no = ?", no), "NULL");
	assert_string_equal(sql1("SELECT pin_delivery FROM orders WHERE order_no = ?", no), "NULL");
	assert_int_equal(events(no, "payment_started"), 0);
	assert_string_equal(order_state(no), "pending_payment");
	assert_string_equal(sql1("SELECT version FROM orders WHERE order_no = ?", no), "0");

	wiz_pay(&owner, no, "alipay", &r);
	assert_int_equal(r.status, 201);
	snprintf(pay_no, sizeof(pay_no), "%s", js(r.json, "pay_no"));
	api_free(&r);
	assert_int_equal(payments(no), 2);
	assert_string_equal(payment_state(pay_no), "pending");
	assert_int_equal(events(no, "payment_started"), 1);
	assert_string_equal(sql1("SELECT pay_method FROM orders WHERE order_no = ?", no), "alipay");

	api_post_json("/sandbox/pay/control", "{\"fail_create\":\"yes\"}", &c);
	api_expect_error(&c, 400, "invalid_field");
	api_free(&c);
}

/* POST /api/track/order (anyone with the number and the handler mobile's last four digits):
 * the timeline shows the refund request, and nothing of words in it. */
static void track_timeline_hides(const char *no, const char *mobile, const char *words)
{
	char body[96];
	struct api_resp r;
	json_t *tl, *e;
	bool seen = false;
	size_t i;

	snprintf(body, sizeof(body), "{\"order_no\":\"%s\",\"mobile_tail\":\"%s\"}", no,
		 mobile + 7);
	api_post_json("/api/track/order", body, &r);
	if (r.status != 200)
		fail_msg("track %s: %ld %s", no, r.status, r.body);
	if (strstr(r.body, words))
		fail_msg("the public timeline shows \"%s\": %s", words, r.body);
	tl = json_object_get(r.json, "timeline");
	assert_true(json_is_array(tl));
	json_array_foreach(tl, i, e) {
		if (strstr(js(e, "note"), words))
			fail_msg("the public timeline shows \"%s\": %s", words, js(e, "note"));
		if (strcmp(js(e, "event"), "refund_requested") == 0 &&
		    strcmp(js(e, "state"), "refunding") == 0)
			seen = true;
	}
	assert_true(seen);
	api_free(&r);
}

/* What a refund may be asked for, and what it does. */
static void test_refund_rules(void **state)
{
	char no[19], mobile[12], pay_no[25], reason[700];
	struct api_resp r;

	(void)state;
	pending("cecep", "new", NULL, no, mobile);
	refund(&owner, no, "{}", &r); /* nothing paid yet */
	api_expect_error(&r, 409, "wrong_state");
	api_free(&r);
	pay_qr(no, "wechat", pay_no);
	wiz_pay_complete(pay_no);
	/* Hostile reasons change nothing. */
	memset(reason, 0, sizeof(reason));
	memcpy(reason, "{\"reason\":\"", 11);
	for (int i = 0; i < 201; i++)
		memcpy(reason + 11 + 3 * i, "退", 3);
	memcpy(reason + 11 + 3 * 201, "\"}", 2);
	refund(&owner, no, reason, &r);
	api_expect_error(&r, 400, "invalid_field");
	assert_string_equal(api_error_field(&r), "reason");
	api_free(&r);
	refund(&owner, no, "{\"reason\":\"a\\u0001b\"}", &r);
	api_expect_error(&r, 400, "invalid_field");
	api_free(&r);
	refund(&owner, no, "{\"reason\":\"\xc3\x28\"}", &r);
	api_expect_error(&r, 400, "bad_json");
	api_free(&r);
	refund(&owner, no, "{\"reason\":5}", &r);
	api_expect_error(&r, 400, "invalid_field");
	api_free(&r);
	refund(&owner, no, "not json", &r);
	api_expect_error(&r, 400, "bad_json");
	api_free(&r);
	assert_string_equal(order_state(no), "reviewing");
	assert_string_equal(payment_state(pay_no), "paid");

	refund(&owner, no, "{\"reason\":\"不再需要'; DROP TABLE orders; --<b>\"}", &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(js(r.json, "state"), "refunding");
	api_free(&r);
	assert_string_equal(order_state(no), "refunding");
	assert_string_equal(payment_state(pay_no), "refunding");
	/* The move is public, the applicant's words are not (they stay for the applicant and the
	 * staff). */
	assert_int_equal(events(no, "refund_requested"), 2);
	assert_int_equal(sqln("SELECT COUNT(*) FROM order_events e JOIN orders o ON o.id = e.order_id "
			      "WHERE o.order_no = ? AND e.kind = 'refund_requested' AND e.public = 1 "
			      "AND e.state_to = 'refunding' AND e.note NOT LIKE '%不再需要%'", no), 1);
	assert_string_equal(sql1("SELECT note FROM order_events e JOIN orders o ON o.id = e.order_id "
				 "WHERE o.order_no = ? AND e.kind = 'refund_requested' AND e.public = 0", no),
			    "退款原因：不再需要'; DROP TABLE orders; --<b>");
	track_timeline_hides(no, mobile, "不再需要");
	refund(&owner, no, "{}", &r); /* once */
	api_expect_error(&r, 409, "wrong_state");
	api_free(&r);
	assert_int_equal(events(no, "refund_requested"), 2);

	/* Approved: too late. Returned (paid, not approved): allowed. */
	qr_order("cecep", "wechat", no, mobile, pay_no);
	wiz_pay_complete(pay_no);
	set_sql("UPDATE orders SET state = 'approved' WHERE order_no = '%s'", no);
	refund(&owner, no, "{}", &r);
	api_expect_error(&r, 409, "wrong_state");
	api_free(&r);
	assert_string_equal(payment_state(pay_no), "paid");
	set_sql("UPDATE orders SET state = 'returned' WHERE order_no = '%s'", no);
	refund(&owner, no, "{}", &r);
	assert_int_equal(r.status, 200);
	api_free(&r);
	assert_string_equal(order_state(no), "refunding");
	assert_int_equal(events(no, "refund_requested"), 1); /* no reason given: nothing to keep */

	/* Under review but never paid (a free business): nothing to give back. */
	pending("cecep", "new", NULL, no, mobile);
	set_sql("UPDATE orders SET state = 'reviewing', amount_fen = 0 WHERE order_no = '%s'", no);
	refund(&owner, no, "{}", &r);
	api_expect_error(&r, 409, "wrong_state");
	api_free(&r);
	assert_string_equal(order_state(no), "reviewing");
}

/* Bad input on POST /pay, and the states and channels that refuse it. */
static void test_pay_input(void **state)
{
	static const char *const bodies[][2] = {
		{ "{}", "missing_field" },
		{ "{\"method\":\"\"}", "missing_field" },
		{ "{\"method\":\"bitcoin\"}", "invalid_field" },
		{ "{\"method\":\"wechat' OR '1'='1\"}", "invalid_field" },
		{ "{\"method\":\"<script>\"}", "invalid_field" },
		{ "{\"method\":\"wechatwechatwechat\"}", "invalid_field" },
		{ "{\"method\":\"wechat\\u0000\"}", "bad_json" },
		{ "{\"method\":\"we\\u0007chat\"}", "invalid_field" },
		{ "{\"method\":5}", "invalid_field" },
		{ "{\"method\":\"\xff\"}", "bad_json" },
		{ "[\"wechat\"]", "bad_json" },
		{ "{\"method\":\"wechat\",\"method\":\"alipay\"}", "bad_json" },
		{ "{\"method\":\"wechat\",\"scene\":\"wap\"}", "invalid_field" },
		{ "{\"method\":\"wechat\",\"scene\":\"<h5>\"}", "invalid_field" },
		{ "{\"method\":\"wechat\",\"scene\":\"h5' --\"}", "invalid_field" },
		{ "{\"method\":\"wechat\",\"scene\":1}", "invalid_field" },
	};
	char no[19], mobile[12], path[96], draft[19];
	const char *offered, *missing = NULL;
	struct api_resp r;

	(void)state;
	pending("cecep", "new", NULL, no, mobile);
	snprintf(path, sizeof(path), "/api/wizard/orders/%s/pay", no);
	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		api_call(&owner, "POST", path, bodies[i][0], NULL, &r);
		if (r.status != 400 || strcmp(api_error_code(&r), bodies[i][1]) != 0)
			fail_msg("%s: %ld %s", bodies[i][0], r.status, r.body);
		api_free(&r);
	}
	/* Not JSON at all. */
	{
		const char *h[] = { NULL };

		api_request_h("POST", path, "text/plain", "method=wechat", 13, h, &r);
		assert_true(r.status == 415 || r.status == 403 || r.status == 401);
		api_free(&r);
	}
	assert_int_equal(payments(no), 0);
	assert_string_equal(order_state(no), "pending_payment");

	/* A method the channel does not offer. */
	offered = sql1("SELECT pay_methods FROM channels WHERE code = ?", "bjca-zycg");
	for (const char *m = "wechat\0alipay\0transfer\0counter\0"; *m; m += strlen(m) + 1)
		if (!strstr(offered, m))
			missing = m;
	assert_non_null(missing);
	pending("bjca-zycg", "new", NULL, no, mobile);
	wiz_pay(&owner, no, missing, &r);
	api_expect_error(&r, 400, "not_offered");
	assert_string_equal(api_error_field(&r), "method");
	api_free(&r);
	assert_int_equal(payments(no), 0);

	/* A draft is not paid for. */
	wiz_create(&owner, "cecep", "new", "org", NULL, draft);
	wiz_pay(&owner, draft, "wechat", &r);
	api_expect_error(&r, 409, "wrong_state");
	api_free(&r);
	set_sql("UPDATE orders SET open_key = NULL, claim_key = NULL WHERE order_no = '%s'", draft);
	assert_int_equal(payments(draft), 0);
}

/* Another applicant's order, an unknown one and no session: the same 404 (401), nothing made. */
static void test_other_applicant(void **state)
{
	char no[19], mobile[12], pay_no[25], unknown[19];
	struct api_resp r, o;

	(void)state;
	qr_order("cecep", "wechat", no, mobile, pay_no);
	assert_int_equal(orderno_make(unknown, time(NULL), 9), 0);
	for (int k = 0; k < 2; k++) {
		const char *target = k ? unknown : no;

		wiz_pay(&other, target, "wechat", &r);
		api_expect_error(&r, 404, "not_found");
		api_free(&r);
		pay_status(&other, target, &r);
		api_expect_error(&r, 404, "not_found");
		api_free(&r);
		refund(&other, target, "{}", &r);
		api_expect_error(&r, 404, "not_found");
		api_free(&r);
	}
	/* The answers for someone else's order and for no order are the same, bar the request id. */
	pay_status(&other, no, &r);
	pay_status(&other, unknown, &o);
	assert_string_equal(js(json_object_get(r.json, "error"), "message"),
			    js(json_object_get(o.json, "error"), "message"));
	api_free(&r);
	api_free(&o);
	wiz_pay(&other, "not-an-order", "wechat", &r);
	api_expect_error(&r, 404, "not_found");
	api_free(&r);
	wiz_pay(NULL, no, "wechat", &r);
	api_expect_error(&r, 401, "not_logged_in");
	api_free(&r);
	pay_status(NULL, no, &r);
	api_expect_error(&r, 401, "not_logged_in");
	api_free(&r);
	refund(NULL, no, "{}", &r);
	api_expect_error(&r, 401, "not_logged_in");
	api_free(&r);
	assert_int_equal(payments(no), 1);
	assert_string_equal(payment_state(pay_no), "pending");
}

/* The sandbox provider checks certhall's signature and answers a repeated create the same. */
static void test_sandbox_provider(void **state)
{
	char pay_no[25], body[512], ts[24], sig[65], h_ts[64], h_sig[128], ref[80];
	const char *h[3] = { h_ts, h_sig, NULL };
	struct api_resp r;

	(void)state;
	assert_int_equal(pay_no_make(pay_no), 0);
	snprintf(body, sizeof(body),
		 "{\"pay_no\":\"%s\",\"amount_fen\":100,\"method\":\"wechat\",\"subject\":\"测试\","
		 "\"notify_url\":\"http://127.0.0.1:1/\"}", pay_no);
	api_post_json("/sandbox/pay/orders", body, &r); /* unsigned */
	assert_int_equal(r.status, 401);
	api_free(&r);
	assert_int_equal(provider_sign(conf.pay_secret, time(NULL), body, strlen(body), ts, sig), 0);
	snprintf(h_ts, sizeof(h_ts), "X-Certhall-Timestamp: %s", ts);
	snprintf(h_sig, sizeof(h_sig), "X-Certhall-Signature: %s", sig);
	api_request_h("POST", "/sandbox/pay/orders", "application/json", body, strlen(body), h, &r);
	assert_int_equal(r.status, 200);
	snprintf(ref, sizeof(ref), "%s", js(r.json, "provider_ref"));
	api_free(&r);
	api_request_h("POST", "/sandbox/pay/orders", "application/json", body, strlen(body), h, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(js(r.json, "provider_ref"), ref);
	api_free(&r);
	/* Unsigned queries are refused too. */
	snprintf(body, sizeof(body), "/sandbox/pay/orders/%s", pay_no);
	api_get(body, &r);
	assert_int_equal(r.status, 401);
	api_free(&r);
	/* The payer's controls check what they are given. */
	snprintf(body, sizeof(body), "/sandbox/pay/orders/%s/complete", pay_no);
	api_post_json(body, "{\"outcome\":\"refund\"}", &r);
	assert_int_equal(r.status, 400);
	api_free(&r);
	api_post_json(body, "{\"outcome\":\"paid\",\"notify\":\"yes\"}", &r);
	assert_int_equal(r.status, 400);
	api_free(&r);
	api_post_json(body, "{\"outcome\":\"closed\",\"notify\":false}", &r);
	assert_int_equal(r.status, 200);
	api_free(&r);
	api_post_json(body, "{\"outcome\":\"paid\",\"notify\":false}", &r); /* closed stays closed */
	assert_int_equal(r.status, 409);
	api_free(&r);
	api_post_json("/sandbox/pay/orders/0123/complete", "{\"outcome\":\"paid\"}", &r);
	assert_int_equal(r.status, 404);
	api_free(&r);
	api_post_json("/sandbox/pay/control", "{\"fail_creates\":true}", &r);
	assert_int_equal(r.status, 400);
	api_free(&r);
}

static const char *par_no;
static char par_body[1024], par_ts[32], par_sig[80];

static void par_pay(int i, char out[128])
{
	struct api_resp r;

	(void)i;
	wiz_pay(&owner, par_no, "wechat", &r);
	snprintf(out, 128, "%ld %s", r.status, js(r.json, "pay_no"));
	api_free(&r);
}

static void par_notify_or_poll(int i, char out[128])
{
	struct api_resp r;

	if (i % 2 == 0)
		notify_raw(par_body, par_ts, par_sig, &r);
	else
		pay_status(&owner, par_no, &r);
	snprintf(out, 128, "%ld %s", r.status,
		 json_is_true(json_object_get(r.json, "duplicate")) ? "duplicate" : js(r.json, "outcome"));
	api_free(&r);
}

/* Racing clicks make one payment; a notification racing its replays and the status poll
 * counts the payment once. */
static void test_parallel(void **state)
{
	char no[19], mobile[12], pay_no[25], path[128], out[8][128];
	struct api_resp r;
	int created = 0, paid = 0, duplicates = 0;

	(void)state;
	pending("cecep", "new", NULL, no, mobile);
	par_no = no;
	parallel(6, par_pay, out);
	snprintf(pay_no, sizeof(pay_no), "%.24s", out[0] + 4);
	for (int i = 0; i < 6; i++) {
		if (strncmp(out[i], "201 ", 4) == 0)
			created++;
		else if (strncmp(out[i], "200 ", 4) != 0)
			fail_msg("pay %d: %s", i, out[i]);
		assert_string_equal(out[i] + 4, pay_no);
	}
	assert_int_equal(created, 1);
	assert_int_equal(payments(no), 1);
	assert_int_equal(events(no, "payment_started"), 1);
	assert_int_equal(sqln("SELECT COUNT(*) FROM sandbox_pay_orders WHERE pay_no = ?", pay_no), 1);

	complete(pay_no, "paid", false, &r);
	api_free(&r);
	snprintf(path, sizeof(path), "/sandbox/pay/orders/%s/notification", pay_no);
	api_get(path, &r);
	assert_int_equal(r.status, 200);
	snprintf(par_body, sizeof(par_body), "%s", js(r.json, "body"));
	snprintf(par_ts, sizeof(par_ts), "%s", js(json_object_get(r.json, "headers"), "X-Certhall-Timestamp"));
	snprintf(par_sig, sizeof(par_sig), "%s", js(json_object_get(r.json, "headers"), "X-Certhall-Signature"));
	api_free(&r);
	parallel(8, par_notify_or_poll, out);
	for (int i = 0; i < 8; i++) {
		if (strncmp(out[i], "200 ", 4) != 0)
			fail_msg("request %d: %s", i, out[i]);
		if (i % 2 == 0 && strcmp(out[i] + 4, "paid") == 0)
			paid++;
		if (i % 2 == 0 && strcmp(out[i] + 4, "duplicate") == 0)
			duplicates++;
	}
	/* One of the four copies is taken (paid, or unchanged when a poll was first), the others
	 * are duplicates; the payment counts once. */
	assert_int_equal(duplicates, 3);
	assert_true(paid <= 1);
	assert_int_equal(events(no, "paid"), 1);
	assert_string_equal(order_state(no), "reviewing");
	assert_int_equal(sqln("SELECT COUNT(*) FROM payment_notifications WHERE pay_no = ?", pay_no), 1);
	assert_true(sms_arrives(mobile, 1));
	usleep(300 * 1000);
	assert_int_equal(api_sandbox_count(mobile, NULL), 1);
}

/* The whole way: an online renewal filled, its handler verified, signed with the SMS code
 * (pending_payment, as signing leaves it), paid by QR: approved, nothing to review. */
static void test_sign_then_pay(void **state)
{
	char no[19], mobile[12], serial[17], extra[64], path[128], body[64], code[7] = "";
	char pay_no[25];
	struct api_resp r;
	size_t before;

	(void)state;
	wiz_random_serial(serial);
	wiz_fixture_cert(owner_uscc, owner_uscc, "bjca-zycg", "org", serial, 30, -335, false);
	snprintf(extra, sizeof(extra), ",\"cert_serial\":\"%s\"", serial);
	wiz_create(&owner, "bjca-zycg", "renew", "org", extra, no);
	api_random_mobile(mobile);
	wiz_fill(&owner, no, "测试示范有限公司", mobile);
	snprintf(path, sizeof(path), "/api/wizard/orders/%s/verify/handler", no);
	api_call(&owner, "POST", path, "{}", NULL, &r);
	if (r.status != 200)
		fail_msg("verify handler: %ld %s", r.status, r.body);
	api_free(&r);
	wiz_clear_code_limits();
	before = api_sandbox_count(mobile, NULL);
	snprintf(path, sizeof(path), "/api/wizard/orders/%s/sign/code", no);
	api_call(&owner, "POST", path, NULL, NULL, &r);
	if (r.status != 200)
		fail_msg("sign code: %ld %s", r.status, r.body);
	api_free(&r);
	for (int i = 0; i < 100 && api_sandbox_count(mobile, code) == before; i++)
		usleep(50 * 1000);
	assert_int_equal(strlen(code), 6);
	snprintf(path, sizeof(path), "/api/wizard/orders/%s/sign", no);
	snprintf(body, sizeof(body), "{\"code\":\"%s\"}", code);
	api_call(&owner, "POST", path, body, NULL, &r);
	if (r.status != 200)
		fail_msg("sign: %ld %s", r.status, r.body);
	api_free(&r);
	assert_string_equal(order_state(no), "pending_payment");
	before = api_sandbox_count(mobile, NULL);

	pay_qr(no, "wechat", pay_no);
	assert_string_equal(sql1("SELECT amount_fen FROM payments WHERE pay_no = ?", pay_no),
			    sql1("SELECT amount_fen FROM orders WHERE order_no = ?", no));
	wiz_pay_complete(pay_no);
	/* An online renewal: paid is renewed, nothing for staff to do. */
	assert_string_equal(order_state(no), "done");
	assert_string_equal(payment_state(pay_no), "paid");
	/* The SMS went to the mobile the handler step sealed into the order. */
	assert_true(sms_arrives(mobile, before + 1));
	set_sql("UPDATE orders SET open_key = NULL, claim_key = NULL WHERE order_no = '%s'", no);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_qr_pay_first, reset_arena),
		cmocka_unit_test_setup(test_qr_two_stage, reset_arena),
		cmocka_unit_test_setup(test_mail_in_and_online_renewal, reset_arena),
		cmocka_unit_test_setup(test_replay_is_a_no_op, reset_arena),
		cmocka_unit_test_setup(test_bad_signatures, reset_arena),
		cmocka_unit_test_setup(test_malformed_notifications, reset_arena),
		cmocka_unit_test_setup(test_wrong_amount, reset_arena),
		cmocka_unit_test_setup(test_unknown_pay_no, reset_arena),
		cmocka_unit_test_setup(test_out_of_order, reset_arena),
		cmocka_unit_test_setup(test_paid_after_cancel, reset_arena),
		cmocka_unit_test_setup(test_poll_without_notification, reset_arena),
		cmocka_unit_test_setup(test_poll_throttled, reset_arena),
		cmocka_unit_test_setup(test_creates_limited_per_account, reset_arena),
		cmocka_unit_test_setup(test_transfer_and_counter, reset_arena),
		cmocka_unit_test_setup(test_double_post_and_switch, reset_arena),
		cmocka_unit_test_setup(test_provider_down, reset_arena),
		cmocka_unit_test_setup(test_refund_rules, reset_arena),
		cmocka_unit_test_setup(test_pay_input, reset_arena),
		cmocka_unit_test_setup(test_h5_payment, reset_arena),
		cmocka_unit_test_setup(test_other_applicant, reset_arena),
		cmocka_unit_test_setup(test_sandbox_provider, reset_arena),
		cmocka_unit_test_setup(test_parallel, reset_arena),
		cmocka_unit_test_setup(test_sign_then_pay, reset_arena),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
