/* API tests: the reviewer console: who may do what, the two pipelines end to end, returns and
 * rejections, two staff deciding at once, claims, working days, the queue's plans (no
 * filesort), the audit export, hostile input. Orders are made by the wizard and placed in
 * the state a test needs with wiz_sql, as the applicant's signing would leave them. */
#include <setjmp.h>
#include <signal.h>
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
#include "ext/waybill.h"
#include "wizclient.h"

static struct conf conf;
static struct crypto_key key;
static struct db db;
static struct arena a;
static struct api_client app, rev, fin, shp, adm, anon;

/* ---- helpers ---- */

static void sql(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sql(const char *fmt, ...)
{
	char buf[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	wiz_sql(buf);
}

static void value(char *out, size_t outsz, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void value(char *out, size_t outsz, const char *fmt, ...)
{
	char buf[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	wiz_sql_value(buf, out, outsz);
}

static long long num(const char *fmt, const char *no)
{
	char q[1024], v[64];

	snprintf(q, sizeof(q), fmt, no);
	wiz_sql_value(q, v, sizeof(v));
	return strtoll(v, NULL, 10);
}

static long long version_of(const char *no)
{
	return num("SELECT version FROM orders WHERE order_no = '%s'", no);
}

static long long id_of(const char *no)
{
	return num("SELECT id FROM orders WHERE order_no = '%s'", no);
}

static void state_of(const char *no, char out[32])
{
	value(out, 32, "SELECT state FROM orders WHERE order_no = '%s'", no);
}

static void expect(const struct api_resp *r, long status, const char *code)
{
	if (r->status != status || (code && (!api_error_code(r) || strcmp(api_error_code(r), code) != 0)))
		fail_msg("expected %ld %s, got %ld: %.600s", status, code ? code : "", r->status, r->body);
	if (code)
		api_expect_error(r, status, code);
}

static void staff_login(struct api_client *c, const char *user, const char *pw)
{
	api_staff_login(c, user, pw);
}

/* POST /api/review/orders/<no>/<action>. */
static void post(struct api_client *c, const char *no, const char *action, const char *json,
		 struct api_resp *r)
{
	char path[200];

	snprintf(path, sizeof(path), "/api/review/orders/%s/%s", no, action);
	api_call(c, "POST", path, json, NULL, r);
}

/* The same with the order's current version, and more members (",\"decision\":\"approve\""). */
static void act(struct api_client *c, const char *no, const char *action, const char *extra,
		struct api_resp *r)
{
	char body[8192];

	snprintf(body, sizeof(body), "{\"version\":%lld%s}", version_of(no), extra ? extra : "");
	post(c, no, action, body, r);
}

static void act_ok(struct api_client *c, const char *no, const char *action, const char *extra,
		   const char *to)
{
	struct api_resp r;
	char st[32];

	act(c, no, action, extra, &r);
	expect(&r, 200, NULL);
	assert_string_equal(json_string_value(json_object_get(r.json, "state")), to);
	assert_int_equal(json_integer_value(json_object_get(r.json, "version")), version_of(no));
	api_free(&r);
	state_of(no, st);
	assert_string_equal(st, to);
}

/* The made step's members for an organisation's order: a sandbox token's request naming the
 * order's organisation (free()). */
static char *made_extra(const char *no)
{
	char q[200], org[256];

	snprintf(q, sizeof(q), "SELECT subject_name FROM orders WHERE order_no = '%s'", no);
	wiz_sql_value(q, org, sizeof(org));
	return wiz_token_made(CERT_KEY_RSA, org, org, NULL, NULL);
}

static void made_ok(struct api_client *c, const char *no)
{
	char *extra = made_extra(no);

	act_ok(c, no, "made", extra, "making");
	free(extra);
}

static void take(struct api_client *c, const char *no, const char *action, struct api_resp *r);

static void get(struct api_client *c, const char *path, struct api_resp *r)
{
	api_call(c, "GET", path, NULL, NULL, r);
}

/* Waits (up to 5 s: sent after the answer, quick, not instant) for a message to `to` holding
 * needle; its text into out. Each test's needles are met once per recipient. */
static void message_with(const char *to, const char *needle, char *out, size_t outsz)
{
	char path[200];

	snprintf(path, sizeof(path), "/sandbox/messages?to=%s&limit=100", to);
	for (int i = 0; i < 100; i++) {
		struct api_resp r;
		json_t *m;
		size_t k;
		bool found = false;

		api_get(path, &r);
		assert_int_equal(r.status, 200);
		json_array_foreach(json_object_get(r.json, "messages"), k, m) {
			const char *t = json_string_value(json_object_get(m, "text"));

			if (!found && t && strstr(t, needle)) {
				snprintf(out, outsz, "%s", t);
				found = true;
			}
		}
		api_free(&r);
		if (found)
			return;
		usleep(50 * 1000);
	}
	fail_msg("no message to %s with \"%s\" after 5 s", to, needle);
}

static void upload(const char *no, const char *kind)
{
	struct api_resp r;

	wiz_upload_scan(&app, no, kind, &r);
	if (r.status != 201)
		fail_msg("upload %s of %s: %ld %s", kind, no, r.status, r.body);
	api_free(&r);
}

/* Seals a step's JSON as the wizard does (aad order_steps:<id>:<step>). */
static void seal_step(long long id, const char *step, const char *json)
{
	unsigned char out[4096];
	char aad[96];
	size_t n = 0;

	snprintf(aad, sizeof(aad), "order_steps:%lld:%s", id, step);
	assert_int_equal(crypto_seal(&key, json, strlen(json), aad, out, sizeof(out), &n), 0);
	assert_int_equal(db_exec(&db,
		"INSERT INTO order_steps (order_id, step, data_enc, updated_at) VALUES (?, ?, ?, NOW(3)) "
		"ON DUPLICATE KEY UPDATE data_enc = VALUES(data_enc)",
		DB_ARGS(DB_I64(id), DB_STR(step), DB_BLOB(out, n)), NULL, NULL), DB_OK);
}

/*
 * An order as the wizard makes it, a scan uploaded while it is a draft, then submitted as
 * signing leaves it: the handler's mobile (fresh, into mobile) sealed on the order, the
 * handler step saved (with an email to mobile@example.com), state, amount and pay method set.
 * The open-order key is released so one applicant can hold many test orders of one subject.
 */
static void make_order(char no[19], char mobile[12], const char *channel, const char *business,
		       const char *kind, const char *extra, const char *state, long long amount_fen,
		       const char *pay_method)
{
	unsigned char enc[64];
	char handler[600];
	size_t n = 0;
	long long id;

	wiz_create(&app, channel, business, kind, extra, no);
	/* The order is placed as signed (below): its organisation's check passed, which 004 asks
	 * before any scan ("认证成功后，才能上传资料"). */
	assert_int_equal(db_exec(&db, "INSERT INTO verifications (order_id, subject, method, state, "
				 "created_at, decided_at) VALUES (?, 'enterprise', 'lr_face', 'passed', "
				 "NOW(3), NOW(3))", DB_ARGS(DB_I64(id_of(no))), NULL, NULL), DB_OK);
	upload(no, "application_form");
	api_random_mobile(mobile);
	id = id_of(no);
	assert_int_equal(crypto_seal(&key, mobile, 11, ORDER_AAD_HANDLER_MOBILE, enc, sizeof(enc), &n), 0);
	assert_int_equal(db_exec(&db,
		"UPDATE orders SET handler_mobile_enc = ?, state = ?, amount_fen = ?, pay_method = ?, "
		"submitted_at = NOW(3), signed_at = NOW(3), open_key = NULL, pin_delivery = 'sms_handler', "
		"version = version + 1 WHERE id = ?",
		DB_ARGS(DB_BLOB(enc, n), DB_STR(state), DB_I64(amount_fen),
			pay_method ? DB_STR(pay_method) : DB_NULL, DB_I64(id)), NULL, NULL), DB_OK);
	snprintf(handler, sizeof(handler),
		 "{\"name\":\"李娜\",\"id_number\":\"110105198501011234\",\"mobile\":\"%s\","
		 "\"email\":\"%s@example.com\",\"position\":\"采购专员\",\"method\":\"mobile\"}",
		 mobile, mobile);
	seal_step(id, "handler", handler);
}

/* One row of the audit trail for the order and action, by whom. */
static long long audit_rows(const char *no, const char *action, const char *staff)
{
	char q[600], v[32];

	snprintf(q, sizeof(q), "SELECT COUNT(*) FROM audit_log WHERE order_no = '%s' AND action = '%s' "
		 "AND staff_username = '%s'", no, action, staff);
	wiz_sql_value(q, v, sizeof(v));
	return strtoll(v, NULL, 10);
}

/* The queue as c sees it with query q; the item of order no (NULL if absent, json kept in r). */
static json_t *queue_item(struct api_client *c, const char *q, const char *no, struct api_resp *r)
{
	char path[600];
	json_t *item;
	size_t i;

	snprintf(path, sizeof(path), "/api/review/queue?%s", q);
	get(c, path, r);
	expect(r, 200, NULL);
	json_array_foreach(json_object_get(r->json, "items"), i, item)
		if (strcmp(json_string_value(json_object_get(item, "order_no")), no) == 0)
			return item;
	return NULL;
}

static bool in_queue(struct api_client *c, const char *q, const char *no)
{
	struct api_resp r;
	bool found = queue_item(c, q, no, &r) != NULL;

	api_free(&r);
	return found;
}

/* The reviewer's queue with query q holds exactly the n orders want, in that order;
 * has_more ("true", "false", or NULL: either) as the answer says. */
static void queue_is(const char *q, const char *const *want, size_t n, const char *has_more)
{
	char path[400];
	struct api_resp r;
	json_t *items, *more;

	snprintf(path, sizeof(path), "/api/review/queue?%s", q);
	get(&rev, path, &r);
	expect(&r, 200, NULL);
	items = json_object_get(r.json, "items");
	assert_int_equal(json_array_size(items), n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(json_string_value(json_object_get(json_array_get(items, i), "order_no")),
				    want[i]);
	more = json_object_get(r.json, "has_more");
	if (has_more)
		assert_true(strcmp(has_more, "true") == 0 ? json_is_true(more) : json_is_false(more));
	api_free(&r);
}

/* ---- setup ---- */

static int setup(void **state)
{
	char uscc[19], mobile[12], pwpath[600], pw[128] = "";
	FILE *f;

	(void)state;
	if (wiz_open(&conf, &key, &db, &a) < 0)
		return -1;
	wiz_register_org(&app, uscc, mobile);
	staff_login(&rev, "reviewer", "Staff2026hall");
	staff_login(&fin, "finance", "Staff2026hall");
	staff_login(&shp, "shipping", "Staff2026hall");
	f = fopen(api_stack_path("etc/admin.password", pwpath, sizeof(pwpath)), "r");
	if (!f || !fgets(pw, sizeof(pw), f))
		return -1;
	fclose(f);
	pw[strcspn(pw, "\r\n")] = '\0';
	staff_login(&adm, "admin", pw);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	wiz_close(&db, &a);
	return 0;
}

/* ---- who may do what ---- */

enum { R_REV = 1, R_FIN = 2, R_SHP = 4, R_ADM = 8, R_STAFF = 15 };

static void test_role_matrix(void **state)
{
	static const struct {
		const char *method, *path, *body;
		int allowed;
	} ep[] = {
		{ "GET", "/api/review/queue", NULL, R_STAFF },
		{ "GET", "/api/review/queue?queue=returned", NULL, R_REV | R_ADM },
		{ "GET", "/api/review/reasons", NULL, R_STAFF },
		{ "GET", "/api/review/audit.csv?from=2026-01-01&to=2026-01-02", NULL, R_ADM },
		{ "GET", "/api/review/orders/%s", NULL, R_STAFF },
		{ "POST", "/api/review/orders/%s/claim", "{}", R_STAFF },
		{ "POST", "/api/review/orders/%s/release", "{}", R_STAFF },
		{ "POST", "/api/review/orders/%s/materials/application_form", "{}", R_REV | R_ADM },
		{ "POST", "/api/review/orders/%s/decision", "{}", R_REV | R_ADM },
		{ "POST", "/api/review/orders/%s/paper-received", "{}", R_REV | R_ADM },
		{ "POST", "/api/review/orders/%s/payment/confirm", "{}", R_FIN | R_ADM },
		{ "POST", "/api/review/orders/%s/refund", "{}", R_FIN | R_ADM },
		{ "POST", "/api/review/orders/%s/made", "{}", R_SHP | R_ADM },
		{ "POST", "/api/review/orders/%s/shipped", "{}", R_SHP | R_ADM },
		{ "POST", "/api/review/orders/%s/delivered", "{}", R_SHP | R_ADM },
	};
	struct {
		struct api_client *c;
		int role;
		const char *name;
	} who[] = { { &rev, R_REV, "reviewer" }, { &fin, R_FIN, "finance" }, { &shp, R_SHP, "shipping" },
		    { &adm, R_ADM, "admin" }, { &app, 0, "applicant" }, { &anon, -1, "nobody" } };
	char no[19], mobile[12], path[300];
	struct api_resp r;

	(void)state;
	make_order(no, mobile, "bjca-zycg", "new", "org", NULL, "reviewing", 26000, "wechat");
	for (size_t e = 0; e < sizeof(ep) / sizeof(ep[0]); e++) {
		snprintf(path, sizeof(path), ep[e].path, no);
		for (size_t w = 0; w < sizeof(who) / sizeof(who[0]); w++) {
			long want;

			api_call(who[w].c, ep[e].method, path, ep[e].body, NULL, &r);
			if (who[w].role < 0)
				want = 401;
			else if (who[w].role == 0 || !(ep[e].allowed & who[w].role))
				want = 403;
			else
				want = 0; /* anything but a refusal: 200, or 400/409 for the empty body */
			if ((want && r.status != want) || (!want && (r.status == 401 || r.status == 403)))
				fail_msg("%s %s as %s: got %ld, want %ld: %.300s", ep[e].method, ep[e].path,
					 who[w].name, r.status, want, r.body);
			if (want)
				api_expect_error(&r, want, want == 401 ? "not_logged_in" : "forbidden");
			api_free(&r);
		}
	}
	/* The refusals changed nothing. */
	state_of(no, path);
	assert_string_equal(path, "reviewing");
	/* A state-changing request without the session's CSRF token is refused, even for staff. */
	{
		struct api_client nocsrf = rev;

		nocsrf.csrf[0] = '\0';
		snprintf(path, sizeof(path), "/api/review/orders/%s/claim", no);
		api_call(&nocsrf, "POST", path, "{}", NULL, &r);
		expect(&r, 403, "csrf");
		api_free(&r);
	}
	/* An applicant never sees the order in the console, even its own. */
	snprintf(path, sizeof(path), "/api/review/orders/%s", no);
	get(&app, path, &r);
	expect(&r, 403, "forbidden");
	api_free(&r);
	/* Each role works its own queue; only an admin asks for another's. */
	get(&fin, "/api/review/queue?queue=review", &r);
	expect(&r, 403, "forbidden");
	api_free(&r);
	get(&adm, "/api/review/queue?queue=finance", &r);
	expect(&r, 200, NULL);
	assert_string_equal(json_string_value(json_object_get(r.json, "queue")), "finance");
	api_free(&r);
	get(&shp, "/api/review/queue", &r);
	expect(&r, 200, NULL);
	assert_string_equal(json_string_value(json_object_get(r.json, "queue")), "ship");
	api_free(&r);
	get(&rev, "/api/review/queue?explain=1", &r);
	expect(&r, 403, "forbidden");
	api_free(&r);
}

/* ---- the two-stage pipeline (004: pre-review, pay, paper, review, make, ship) ---- */

static void test_two_stage_pipeline(void **state)
{
	char no[19], mobile[12], email[40], text[1200], path[200], q[120], v[300], wb[120];
	struct api_resp r;
	json_t *item, *steps;

	(void)state;
	make_order(no, mobile, "jxca-js", "new", "org", NULL, "pre_review", 26000, "transfer");
	snprintf(email, sizeof(email), "%s@example.com", mobile);
	snprintf(q, sizeof(q), "order_no=%s", no);

	/* The reviewer's queue shows it, with the channel's promise ("3–5" working days). */
	item = queue_item(&rev, q, no, &r);
	assert_non_null(item);
	assert_string_equal(json_string_value(json_object_get(item, "state")), "pre_review");
	assert_string_equal(json_string_value(json_object_get(item, "promise_days")), "3–5");
	assert_int_equal(json_integer_value(json_object_get(item, "waited_days")), 0);
	assert_true(json_is_false(json_object_get(item, "overdue")));
	api_free(&r);

	/* The order in full: the sealed step opened, the scan with its URLs; the view audited. */
	snprintf(path, sizeof(path), "/api/review/orders/%s", no);
	get(&rev, path, &r);
	expect(&r, 200, NULL);
	steps = json_object_get(r.json, "steps");
	assert_string_equal(json_string_value(json_object_get(json_object_get(steps, "handler"), "mobile")), mobile);
	assert_string_equal(json_string_value(json_object_get(r.json, "handler_mobile")), mobile);
	item = json_array_get(json_object_get(r.json, "materials"), 0);
	assert_string_equal(json_string_value(json_object_get(item, "kind")), "application_form");
	assert_true(json_is_true(json_object_get(item, "latest")));
	snprintf(text, sizeof(text), "/api/upload/materials/%s/thumb",
		 json_string_value(json_object_get(item, "id")));
	assert_string_equal(json_string_value(json_object_get(item, "thumb_url")), text);
	{
		struct api_resp img;

		/* The reviewer can open the image through the upload program. */
		get(&rev, json_string_value(json_object_get(item, "image_url")), &img);
		assert_int_equal(img.status, 200);
		assert_int_equal((unsigned char)img.body[0], 0xFF);
		api_free(&img);
	}
	api_free(&r);
	assert_int_equal(audit_rows(no, "view_pii", "reviewer"), 1);
	value(v, sizeof(v), "SELECT remote_addr FROM audit_log WHERE order_no = '%s' AND action = 'view_pii'", no);
	assert_true(strlen(v) > 0);

	/* Pre-review passed: there is a fee, so it waits for payment. */
	act_ok(&rev, no, "decision", ",\"decision\":\"approve\"", "pending_payment");
	message_with(mobile, "已通过预审", text, sizeof(text));
	assert_non_null(strstr(text, no));
	assert_non_null(strstr(text, "已通过预审"));
	assert_non_null(strstr(text, "完成支付"));
	message_with(email, "已通过预审", text, sizeof(text)); /* the handler step has an email: mailed too */
	assert_non_null(strstr(text, "已通过预审"));
	assert_int_equal(audit_rows(no, "approve", "reviewer"), 1);
	assert_false(in_queue(&rev, q, no));

	/* Finance: nothing to confirm until the applicant registers the transfer. */
	act(&fin, no, "payment/confirm", NULL, &r);
	expect(&r, 409, "wrong_state");
	api_free(&r);
	state_of(no, v);
	assert_string_equal(v, "pending_payment");
	sql("INSERT INTO payments (order_id, method, amount_fen, pay_no, state, created_at) "
	    "VALUES (%lld, 'transfer', 26000, 'T%s', 'awaiting_finance', NOW(3))", id_of(no), no);
	assert_true(in_queue(&fin, q, no));
	act_ok(&fin, no, "payment/confirm", NULL, "awaiting_paper");
	message_with(mobile, "已支付成功", text, sizeof(text));
	assert_non_null(strstr(text, "已支付成功"));
	assert_non_null(strstr(text, "260.00元"));
	value(v, sizeof(v), "SELECT CONCAT(p.state, ':', p.confirmed_by = s.id, ':', o.paid_at IS NOT NULL) "
	      "FROM payments p JOIN orders o ON o.id = p.order_id JOIN staff s ON s.username = 'finance' "
	      "WHERE o.order_no = '%s'", no);
	assert_string_equal(v, "paid:1:1");
	assert_int_equal(audit_rows(no, "payment_confirm", "finance"), 1);

	/* Awaiting the paper: in the reviewer's queue only once the paper's waybill is in. */
	assert_false(in_queue(&rev, q, no));
	sql("INSERT INTO waybills (order_id, direction, carrier, number, created_by_type, created_by, "
	    "created_at) VALUES (%lld, 'in', 'sf', 'SF1%s', 'applicant', 1, NOW(3))", id_of(no), no + 6);
	assert_true(in_queue(&rev, q, no));
	act_ok(&rev, no, "paper-received", NULL, "paper_review");
	message_with(mobile, "纸质材料已签收", text, sizeof(text));
	assert_non_null(strstr(text, "纸质材料已签收"));
	/* 004 prints no review time: the applicant is promised none (the queue still times it). */
	assert_null(strstr(text, "个工作日"));
	assert_non_null(strstr(text, "审核结果将以短信通知"));

	/* Paper review passed: approved; the PIN hint sent; no certificate before the key is made. */
	act_ok(&rev, no, "decision", ",\"decision\":\"approve\"", "approved");
	message_with(mobile, "已审核通过", text, sizeof(text));
	assert_non_null(strstr(text, "已审核通过"));
	assert_non_null(strstr(text, "PIN码将以短信方式发送至经办人手机"));
	value(v, sizeof(v), "SELECT COUNT(*) FROM certificates WHERE order_id = %lld", id_of(no));
	assert_string_equal(v, "0");
	value(v, sizeof(v), "SELECT state FROM materials WHERE order_id = %lld", id_of(no));
	assert_string_equal(v, "accepted");

	/* Shipping: made (the CA issues for the token's request), shipped with a waybill (checked
	 * per carrier), delivered. */
	snprintf(q, sizeof(q), "order_no=%s", no);
	assert_true(in_queue(&shp, q, no));
	made_ok(&shp, no);
	value(v, sizeof(v), "SELECT CONCAT(COUNT(*), ':', MIN(state), ':', MIN(LENGTH(serial)), ':', "
	      "MIN(first_issued = DATE(NOW())), ':', MIN(pem LIKE '-----BEGIN CERTIFICATE-----%%')) "
	      "FROM certificates WHERE order_id = %lld", id_of(no));
	assert_string_equal(v, "1:valid:32:1:1");
	message_with(mobile, "已制作完成", text, sizeof(text));
	assert_non_null(strstr(text, "已制作完成"));
	act(&shp, no, "shipped", ",\"carrier\":\"sf\",\"number\":\"SF12345\"", &r);
	expect(&r, 400, "bad_waybill");
	assert_non_null(strstr(json_string_value(json_object_get(json_object_get(r.json, "error"), "message")), "顺丰速运"));
	api_free(&r);
	/* Typed as printed on the label: grouped, lower case; stored and sent normalised. */
	snprintf(wb, sizeof(wb), ",\"carrier\":\"sf\",\"number\":\"sf %.4s %.4s %.5s\"", no + 5, no + 9, no + 13);
	act_ok(&shp, no, "shipped", wb, "shipped");
	snprintf(wb, sizeof(wb), "顺丰速运运单号SF%s", no + 5);
	message_with(mobile, wb, text, sizeof(text));
	value(v, sizeof(v), "SELECT CONCAT(direction, ':', carrier, ':', number, ':', created_by_type) "
	      "FROM waybills WHERE order_id = %lld AND direction = 'out'", id_of(no));
	snprintf(wb, sizeof(wb), "out:sf:SF%s:staff", no + 5);
	assert_string_equal(v, wb);
	act_ok(&shp, no, "delivered", NULL, "done");
	message_with(mobile, "已办理完成", text, sizeof(text));
	assert_non_null(strstr(text, "已办理完成"));

	/* The trail: every stage an event by staff, every action on the audit log. */
	value(v, sizeof(v), "SELECT GROUP_CONCAT(kind ORDER BY at, id) FROM order_events WHERE order_id = %lld "
	      "AND actor_type = 'staff'", id_of(no));
	assert_string_equal(v, "pre_review_passed,paid,paper_received,approved,key_made,shipped,done");
	assert_int_equal(audit_rows(no, "shipped", "shipping"), 1);
	assert_int_equal(audit_rows(no, "delivered", "shipping"), 1);
	/* Done: out of every queue; nothing moves it any more. */
	assert_false(in_queue(&shp, q, no));
	act(&shp, no, "delivered", NULL, &r);
	expect(&r, 409, "wrong_state");
	api_free(&r);
}

/* ---- pay first (002): paid, reviewed, approved, shipped ---- */

/* 004 prices nothing but the seal re-make: a two-stage order is signed unpriced, and the
 * pre-reviewer states the CA's fee when passing it; the applicant then pays that. */
static void test_pre_review_states_the_fee(void **state)
{
	char no[19], mobile[12], v[64];
	struct api_resp r;

	(void)state;
	make_order(no, mobile, "jxca-js", "new", "org", NULL, "pre_review", 0, NULL);
	sql("UPDATE orders SET amount_fen = NULL WHERE order_no = '%s'", no);
	act(&rev, no, "decision", ",\"decision\":\"approve\"", &r);
	expect(&r, 400, "missing_field");
	assert_string_equal(api_error_field(&r), "amount");
	api_free(&r);
	act(&rev, no, "decision", ",\"decision\":\"approve\",\"amount\":\"-5\"", &r);
	expect(&r, 400, "invalid_field");
	api_free(&r);
	state_of(no, v);
	assert_string_equal(v, "pre_review");
	act_ok(&rev, no, "decision", ",\"decision\":\"approve\",\"amount\":\"300.00\"",
	       "pending_payment");
	value(v, sizeof(v), "SELECT amount_fen FROM orders WHERE order_no = '%s'", no);
	assert_string_equal(v, "30000");
}

static void test_pay_first_pipeline(void **state)
{
	char no[19], mobile[12], q[80], text[600], wb[120];
	struct api_resp r;

	(void)state;
	make_order(no, mobile, "bjca-zycg", "new", "org", NULL, "pending_payment", 26000, "counter");
	sql("INSERT INTO payments (order_id, method, amount_fen, pay_no, state, created_at) "
	    "VALUES (%lld, 'counter', 26000, 'C%s', 'awaiting_finance', NOW(3))", id_of(no), no);
	snprintf(q, sizeof(q), "order_no=%s", no);
	/* Not the reviewer's yet: it waits for finance. */
	assert_false(in_queue(&rev, q, no));
	assert_true(in_queue(&fin, q, no));
	act_ok(&fin, no, "payment/confirm", NULL, "reviewing");
	assert_true(in_queue(&rev, q, no));
	/* The shipping staff cannot decide, the reviewer can. */
	act(&shp, no, "decision", ",\"decision\":\"approve\"", &r);
	expect(&r, 403, "forbidden");
	api_free(&r);
	act_ok(&rev, no, "decision", ",\"decision\":\"approve\",\"note\":\"材料齐全\"", "approved");
	message_with(mobile, "已审核通过", text, sizeof(text));
	assert_non_null(strstr(text, "已审核通过"));
	/* Made before it is approved? No: and not twice. */
	made_ok(&shp, no);
	take(&shp, no, "made", &r);
	expect(&r, 409, "wrong_state");
	api_free(&r);
	/* An EMS (UPU S10) number of this order's digits, its check digit computed. */
	snprintf(wb, sizeof(wb), ",\"carrier\":\"ems\",\"number\":\"EA%.8s%dCN\"", no + 10,
		 waybill_s10_check_digit(no + 10));
	act_ok(&shp, no, "shipped", wb, "shipped");
	act_ok(&shp, no, "delivered", NULL, "done");
}

/* ---- a decision needs a fresh second factor ([staff] factor_fresh, 12 hours) ---- */

static void test_stale_factor_refused_on_approve(void **state)
{
	char no[19], mobile[12], st[32], q[80];
	struct api_resp r;

	(void)state;
	make_order(no, mobile, "bjca-zycg", "new", "org", NULL, "reviewing", 26000, "counter");
	/* The reviewer's code passed 13 hours ago: time moved on, nothing else. */
	sql("UPDATE sessions SET factor_at = NOW(3) - INTERVAL 13 HOUR WHERE subject_type = 'staff' "
	    "AND subject_id = (SELECT id FROM staff WHERE username = 'reviewer')");
	/* Looking is still allowed; deciding is not. */
	snprintf(q, sizeof(q), "order_no=%s", no);
	assert_true(in_queue(&rev, q, no));
	act(&rev, no, "decision", ",\"decision\":\"approve\"", &r);
	expect(&r, 403, "factor_stale");
	api_free(&r);
	state_of(no, st);
	assert_string_equal(st, "reviewing");
	assert_int_equal(audit_rows(no, "decision", "reviewer"), 0);
	/* A refund paid out and a payment confirmed are refused the same way (finance, stale). */
	sql("UPDATE sessions SET factor_at = NOW(3) - INTERVAL 13 HOUR WHERE subject_type = 'staff' "
	    "AND subject_id = (SELECT id FROM staff WHERE username = 'finance')");
	act(&fin, no, "refund", NULL, &r);
	expect(&r, 403, "factor_stale");
	api_free(&r);
	act(&fin, no, "payment/confirm", NULL, &r);
	expect(&r, 403, "factor_stale");
	api_free(&r);
	api_staff_verify(&fin, "finance");
	/* A fresh code, and the same approval goes through. */
	api_staff_verify(&rev, "reviewer");
	act_ok(&rev, no, "decision", ",\"decision\":\"approve\"", "approved");
}

/* ---- a renewal approved: validity from the order, nothing mailed, done at once ---- */

static void test_renewal_and_revocation(void **state)
{
	char no[19], no2[19], mobile[12], serial[17], serial2[17], v[200], extra[120], uscc[19];

	(void)state;
	value(uscc, sizeof(uscc), "SELECT a.login_name FROM accounts a JOIN orders o ON o.account_id = a.id "
	      "ORDER BY o.id DESC LIMIT 1");
	wiz_random_serial(serial);
	wiz_fixture_cert(uscc, uscc, "bjca-zycg", "org", serial, 30, -335, false);
	snprintf(extra, sizeof(extra), ",\"cert_serial\":\"%s\"", serial);
	make_order(no, mobile, "bjca-zycg", "renew", "org", extra, "reviewing", 18000, "wechat");
	sql("UPDATE orders SET renew_not_before = '2026-12-01', renew_not_after = '2027-12-20' "
	    "WHERE order_no = '%s'", no);
	act_ok(&rev, no, "decision", ",\"decision\":\"approve\"", "done");
	value(v, sizeof(v), "SELECT CONCAT(not_before, ':', not_after, ':', state) FROM certificates "
	      "WHERE serial = '%s'", serial);
	assert_string_equal(v, "2026-12-01:2027-12-20:valid");

	/* A revocation approved revokes the target. */
	wiz_random_serial(serial2);
	wiz_fixture_cert(uscc, uscc, "bjca-zycg", "org", serial2, 200, -100, false);
	snprintf(extra, sizeof(extra), ",\"cert_serial\":\"%s\"", serial2);
	make_order(no2, mobile, "bjca-zycg", "revoke", "org", extra, "reviewing", 0, NULL);
	act_ok(&rev, no2, "decision", ",\"decision\":\"approve\"", "done");
	value(v, sizeof(v), "SELECT CONCAT(state, ':', revoked_at IS NOT NULL) FROM certificates "
	      "WHERE serial = '%s'", serial2);
	assert_string_equal(v, "revoked:1");
}

/* ---- four-eyes ---- */

/* A second reviewer of this run (fresh name), logged in with its second factor into c. */
static void second_reviewer(struct api_client *c, char name[40])
{
	char cmd[1400], pwfile[600], tag[9];
	unsigned char rnd[4];
	FILE *f;

	crypto_random(rnd, sizeof(rnd));
	snprintf(tag, sizeof(tag), "%02x%02x%02x%02x", rnd[0], rnd[1], rnd[2], rnd[3]);
	snprintf(name, 40, "rev2%s", tag);
	snprintf(pwfile, sizeof(pwfile), "%s/etc/test-rev2.password", getenv("CERTHALL_STACK"));
	f = fopen(pwfile, "w");
	assert_non_null(f);
	fputs("Staff2026hall\n", f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "'%s' -c %s staff add %s reviewer --name 复核员 "
		 "--password-file %s >/dev/null 2>&1", api_admin(), getenv("CERTHALL_CONF"), name,
		 pwfile);
	assert_int_equal(system(cmd), 0);
	staff_login(c, name, "Staff2026hall");
}

/* A hall naming revocation for four-eyes: the first approval is recorded and the order stays
 * (the certificate untouched), shown in the queue and the detail; the same reviewer approving
 * again is refused (409, zh-CN); another reviewer's approval revokes. A return clears a first
 * approval. */
static void test_four_eyes(void **state)
{
	char no[19], no2[19], mobile[12], serial[17], v[200], extra[120], uscc[19], st[32], name[40];
	struct api_client rev2;
	struct api_resp r;
	json_t *item, *first;

	(void)state;
	second_reviewer(&rev2, name);
	sql("UPDATE channels SET four_eyes_businesses = 'revoke' WHERE code = 'bjca-zycg'");
	value(uscc, sizeof(uscc), "SELECT a.login_name FROM accounts a JOIN orders o ON o.account_id = a.id "
	      "ORDER BY o.id DESC LIMIT 1");
	wiz_random_serial(serial);
	wiz_fixture_cert(uscc, uscc, "bjca-zycg", "org", serial, 200, -100, false);
	snprintf(extra, sizeof(extra), ",\"cert_serial\":\"%s\"", serial);
	make_order(no, mobile, "bjca-zycg", "revoke", "org", extra,
		   order_state_str(ORDER_REVIEWING), 0, NULL);

	act(&rev, no, "decision", ",\"decision\":\"approve\"", &r);
	expect(&r, 200, NULL);
	assert_string_equal(json_string_value(json_object_get(r.json, "four_eyes")), "first");
	assert_string_equal(json_string_value(json_object_get(r.json, "state")),
			    order_state_str(ORDER_REVIEWING));
	assert_int_equal(json_integer_value(json_object_get(r.json, "version")), version_of(no));
	api_free(&r);
	state_of(no, st);
	assert_string_equal(st, order_state_str(ORDER_REVIEWING));
	value(v, sizeof(v), "SELECT state FROM certificates WHERE serial = '%s'", serial);
	assert_string_equal(v, "valid");
	assert_int_equal(audit_rows(no, "approve_first", "reviewer"), 1);

	/* The same reviewer cannot approve twice: refused, nothing moved, not offered. */
	act(&rev, no, "decision", ",\"decision\":\"approve\"", &r);
	expect(&r, 409, "second_approver_required");
	api_free(&r);
	state_of(no, st);
	assert_string_equal(st, order_state_str(ORDER_REVIEWING));
	{
		char path[120];

		snprintf(path, sizeof(path), "/api/review/orders/%s", no);
		get(&rev, path, &r);
		expect(&r, 200, NULL);
		assert_true(json_is_true(json_object_get(r.json, "four_eyes")));
		first = json_object_get(r.json, "first_approved_by");
		assert_string_equal(json_string_value(json_object_get(first, "name")), "审核员（演示）");
		assert_true(json_is_true(json_object_get(first, "me")));
		assert_null(strstr(json_dumps(json_object_get(r.json, "actions"), 0), "approve"));
		api_free(&r);
		get(&rev2, path, &r);
		expect(&r, 200, NULL);
		assert_non_null(strstr(json_dumps(json_object_get(r.json, "actions"), 0), "approve"));
		assert_true(json_is_false(json_object_get(json_object_get(r.json, "first_approved_by"), "me")));
		api_free(&r);
	}
	/* The queue shows who approved first. */
	snprintf(v, sizeof(v), "order_no=%s", no);
	item = queue_item(&rev2, v, no, &r);
	assert_non_null(item);
	assert_string_equal(json_string_value(json_object_get(json_object_get(item, "first_approved_by"),
							       "name")), "审核员（演示）");
	api_free(&r);

	/* Another reviewer's approval is the second: the certificate is revoked. */
	act(&rev2, no, "decision", ",\"decision\":\"approve\"", &r);
	expect(&r, 200, NULL);
	assert_string_equal(json_string_value(json_object_get(r.json, "four_eyes")), "second");
	assert_string_equal(json_string_value(json_object_get(r.json, "state")), order_state_str(ORDER_DONE));
	api_free(&r);
	value(v, sizeof(v), "SELECT state FROM certificates WHERE serial = '%s'", serial);
	assert_string_equal(v, "revoked");
	assert_int_equal(audit_rows(no, "approve", name), 1);

	/* A return after a first approval: the resubmitted order needs two again. */
	wiz_random_serial(serial);
	wiz_fixture_cert(uscc, uscc, "bjca-zycg", "org", serial, 200, -100, false);
	snprintf(extra, sizeof(extra), ",\"cert_serial\":\"%s\"", serial);
	make_order(no2, mobile, "bjca-zycg", "revoke", "org", extra,
		   order_state_str(ORDER_REVIEWING), 0, NULL);
	act(&rev, no2, "decision", ",\"decision\":\"approve\"", &r);
	expect(&r, 200, NULL);
	api_free(&r);
	act(&rev2, no2, "decision", ",\"decision\":\"return\",\"reason_code\":\"012\",\"steps\":[\"handler\"]", &r);
	expect(&r, 200, NULL);
	api_free(&r);
	value(v, sizeof(v), "SELECT COALESCE(first_approver_id, 'none') FROM orders WHERE order_no = '%s'", no2);
	assert_string_equal(v, "none");
}

/* The hall as the other tests expect it, whatever test_four_eyes did. */
static int four_eyes_off(void **state)
{
	(void)state;
	sql("UPDATE channels SET four_eyes_businesses = '' WHERE code = 'bjca-zycg'");
	return 0;
}

/* ---- a lost key replaced: the old certificate revoked with the new one recorded ---- */

static void test_lost_replacement_revokes(void **state)
{
	char no[19], mobile[12], serial[17], extra[120], v[300], uscc[19], holder[120], org[256];
	char *made;
	long long id;

	(void)state;
	value(uscc, sizeof(uscc), "SELECT a.login_name FROM accounts a JOIN orders o ON o.account_id = a.id "
	      "ORDER BY o.id DESC LIMIT 1");
	wiz_random_serial(serial);
	wiz_fixture_cert(uscc, uscc, "szca", "legal_rep", serial, 300, -400, true);
	snprintf(extra, sizeof(extra), ",\"cert_serial\":\"%s\"", serial);
	make_order(no, mobile, "szca", "lost", "legal_rep", extra, "reviewing", 0, NULL);
	id = id_of(no);
	/* Approved: still valid until its replacement is made (a rejection must leave it so). */
	act_ok(&rev, no, "decision", ",\"decision\":\"approve\"", "approved");
	value(v, sizeof(v), "SELECT state FROM certificates WHERE serial = '%s'", serial);
	assert_string_equal(v, "valid");
	/* The token's request names whom the old certificate names. */
	value(holder, sizeof(holder), "SELECT holder_name FROM certificates WHERE serial = '%s'", serial);
	value(org, sizeof(org), "SELECT subject_name FROM certificates WHERE serial = '%s'", serial);
	made = wiz_token_made(CERT_KEY_SM2, holder, org, NULL, NULL);
	act_ok(&shp, no, "made", made, "making");
	free(made);
	value(v, sizeof(v), "SELECT CONCAT(state, ':', revoke_reason, ':', revoked_at IS NOT NULL) "
	      "FROM certificates WHERE serial = '%s'", serial);
	assert_string_equal(v, "revoked:遗失补办，旧证书已吊销:1");
	/* The replacement: the CA's serial, same holder, subject, account, kind and seal, and the
	 * old one's first issue (002 "证书介质质保期为一年，自证书初次发放日起计算": 400 days ago, not
	 * today); its validity the certificate's (the CA's profile sets it). */
	value(v, sizeof(v),
	      "SELECT CONCAT(n.serial <> o.serial, ':', n.serial REGEXP '^[0-9A-F]{32}$', ':', "
	      "n.holder_name = o.holder_name, ':', n.subject_name = o.subject_name, ':', "
	      "n.account_id = o.account_id, ':', n.subject_idx = o.subject_idx, ':', n.kind = o.kind, ':', "
	      "n.channel_id = o.channel_id, ':', n.not_before = CURDATE(), ':', "
	      "n.not_after >= CURDATE() + INTERVAL 364 DAY, ':', "
	      "n.has_seal, ':', n.first_issued = o.first_issued AND n.first_issued < CURDATE(), ':', n.state, ':', LENGTH(n.key_sha256)) "
	      "FROM certificates n JOIN certificates o ON o.serial = '%s' WHERE n.order_id = %lld", serial, id);
	assert_string_equal(v, "1:1:1:1:1:1:1:1:1:1:1:1:valid:64");
}

/* ---- rejected material, return for supplement, resubmission, final rejection ---- */

static void test_return_and_resubmit(void **state)
{
	char no[19], mobile[12], text[1200], path[200], v[300];
	struct api_resp r;
	json_t *m, *item;
	const char *why;

	(void)state;
	make_order(no, mobile, "bjca-zycg", "new", "org", NULL, "reviewing", 26000, "wechat");
	/* Never returned: the list says so. */
	snprintf(path, sizeof(path), "order_no=%s", no);
	item = queue_item(&rev, path, no, &r);
	assert_non_null(item);
	assert_true(json_is_null(json_object_get(item, "returned")));
	api_free(&r);
	/* A second material in two versions, uploaded while it was a draft. */
	sql("UPDATE orders SET state = 'draft' WHERE order_no = '%s'", no);
	upload(no, "business_licence");
	upload(no, "business_licence");
	sql("UPDATE orders SET state = 'reviewing' WHERE order_no = '%s'", no);

	/* A rejection needs a reason from the list; the reason in words goes on the material. */
	post(&rev, no, "materials/business_licence", "{\"decision\":\"reject\"}", &r);
	expect(&r, 400, "missing_field");
	assert_string_equal(api_error_field(&r), "reason_code");
	api_free(&r);
	post(&rev, no, "materials/business_licence", "{\"decision\":\"reject\",\"reason_code\":\"011\"}", &r);
	expect(&r, 400, "invalid_field"); /* an order reason, not a material one */
	api_free(&r);
	post(&rev, no, "materials/business_licence",
	     "{\"decision\":\"reject\",\"reason_code\":\"002\",\"note\":\"公章处模糊\"}", &r);
	expect(&r, 200, NULL);
	m = json_object_get(r.json, "material");
	assert_string_equal(json_string_value(json_object_get(m, "state")), "rejected");
	assert_int_equal(json_integer_value(json_object_get(m, "version")), 2); /* the latest */
	assert_string_equal(json_string_value(json_object_get(m, "reject_reason")),
			    "扫描件不清晰，无法辨认内容（公章处模糊）");
	api_free(&r);
	value(v, sizeof(v), "SELECT GROUP_CONCAT(state ORDER BY version) FROM materials WHERE order_id = %lld "
	      "AND material = 'business_licence'", id_of(no));
	assert_string_equal(v, "replaced,rejected");
	post(&rev, no, "materials/application_form", "{\"decision\":\"accept\"}", &r);
	expect(&r, 200, NULL);
	api_free(&r);
	post(&rev, no, "materials/seal_sample", "{\"decision\":\"accept\"}", &r);
	expect(&r, 404, "not_found"); /* never uploaded */
	api_free(&r);

	/* Approving over a rejected material is refused, and says which. */
	act(&rev, no, "decision", ",\"decision\":\"approve\"", &r);
	expect(&r, 409, "conflict");
	assert_non_null(strstr(json_string_value(json_object_get(json_object_get(r.json, "error"), "message")),
			       "营业执照副本复印件"));
	api_free(&r);

	/* Returned: the rejected material and the named step become editable; the SMS says why. */
	act(&rev, no, "decision", ",\"decision\":\"return\"", &r);
	expect(&r, 400, "missing_field");
	api_free(&r);
	act_ok(&rev, no, "decision", ",\"decision\":\"return\",\"reason_code\":\"012\",\"steps\":[\"handler\"]",
	       "returned");
	value(v, sizeof(v), "SELECT CONCAT(return_state, '|', editable) FROM orders WHERE order_no = '%s'", no);
	assert_string_equal(v, "reviewing|business_licence,handler");
	message_with(mobile, "审核未通过", text, sizeof(text));
	assert_non_null(strstr(text, "审核未通过"));
	assert_non_null(strstr(text, "经办人信息与身份证件不一致"));
	assert_non_null(strstr(text, "营业执照副本复印件：扫描件不清晰，无法辨认内容（公章处模糊）"));
	assert_false(in_queue(&rev, "state=returned", no));

	/* The applicant replaces the scan; the wizard's resubmit (played here: back to
	 * return_state) puts it back in the reviewer's queue with its new version pending. */
	upload(no, "business_licence");
	sql("UPDATE orders SET state = return_state, editable = '', version = version + 1 "
	    "WHERE order_no = '%s'", no);
	value(v, sizeof(v), "SELECT GROUP_CONCAT(state ORDER BY version) FROM materials WHERE order_id = %lld "
	      "AND material = 'business_licence'", id_of(no));
	assert_string_equal(v, "replaced,replaced,pending");
	snprintf(path, sizeof(path), "order_no=%s", no);
	assert_true(in_queue(&rev, path, no));
	/* The reviewer's list says why it was returned. */
	item = queue_item(&rev, path, no, &r);
	assert_non_null(item);
	why = json_string_value(json_object_get(json_object_get(item, "returned"), "reason"));
	assert_non_null(why);
	assert_non_null(strstr(why, "经办人信息与身份证件不一致"));
	api_free(&r);
	act_ok(&rev, no, "decision", ",\"decision\":\"approve\"", "approved");
	value(v, sizeof(v), "SELECT GROUP_CONCAT(state ORDER BY material) FROM materials WHERE order_id = %lld "
	      "AND state <> 'replaced'", id_of(no));
	assert_string_equal(v, "accepted,accepted");
}

/* The returned list (queue=returned): the orders sent back and waiting for their applicant,
 * oldest first, each with the reason it was returned for; a resubmitted one leaves it. */
static void test_returned_list(void **state)
{
	static const struct {
		const char *path, *code, *field;
	} hostile[] = {
		{ "/api/review/queue?queue=returned%27%20OR%201%3D1", "invalid_field", "queue" },
		{ "/api/review/queue?queue=draft", "invalid_field", "queue" },
		{ "/api/review/queue?queue=returned&state=%3Cscript%3E", "invalid_field", "state" },
		{ "/api/review/queue?queue=returned&state=reviewing", "invalid_field", "state" },
		{ "/api/review/queue?queue=returned&returned_from=2001-02-01", "bad_query", "returned_from" },
	};
	char no[2][19], mobile[12], q[300], tag[17], f[200];
	struct api_resp r;
	json_t *item, *why;

	(void)state;
	wiz_random_serial(tag); /* this run's subjects: the stack keeps earlier runs' orders */
	snprintf(f, sizeof(f), "queue=returned&from=2001-02-01&to=2001-02-28&subject=%s", tag);
	for (int i = 0; i < 2; i++) {
		make_order(no[i], mobile, "bjca-zycg", "new", "org", NULL, "reviewing", 26000, "wechat");
		act_ok(&rev, no[i], "decision",
		       ",\"decision\":\"return\",\"reason_code\":\"012\",\"steps\":[\"handler\"],"
		       "\"note\":\"请核对经办人身份证号\"", "returned");
		/* Submitted on days of their own, the second first: the list is oldest first. */
		sql("UPDATE orders SET submitted_at = '2001-02-0%d 09:00:00', subject_name = '%s有限公司%d' "
		    "WHERE order_no = '%s'", 6 - i, tag, i, no[i]);
	}
	/* In no staff queue, but in the returned list, with the reason in words and when. */
	snprintf(q, sizeof(q), "order_no=%s", no[0]);
	assert_false(in_queue(&rev, q, no[0]));
	snprintf(q, sizeof(q), "queue=returned&order_no=%s", no[0]);
	item = queue_item(&rev, q, no[0], &r);
	assert_non_null(item);
	assert_string_equal(json_string_value(json_object_get(r.json, "queue")), "returned");
	assert_string_equal(json_string_value(json_object_get(item, "state")), "returned");
	why = json_object_get(item, "returned");
	assert_non_null(strstr(json_string_value(json_object_get(why, "reason")), "经办人信息与身份证件不一致"));
	assert_non_null(strstr(json_string_value(json_object_get(why, "reason")), "请核对经办人身份证号"));
	assert_non_null(json_string_value(json_object_get(why, "at")));
	assert_true(json_is_false(json_object_get(item, "overdue")));
	api_free(&r);
	/* Filters and paging as in the queues: oldest first. */
	queue_is(f, (const char *const[]){ no[1], no[0] }, 2, "false");
	snprintf(q, sizeof(q), "%s&per_page=1&page=2", f);
	queue_is(q, (const char *const[]){ no[0] }, 1, "false");
	snprintf(q, sizeof(q), "%s&channel=bjca-zycg&business=new&kind=org&state=returned", f);
	queue_is(q, (const char *const[]){ no[1], no[0] }, 2, "false");
	snprintf(q, sizeof(q), "%s&kind=person", f);
	queue_is(q, NULL, 0, "false");
	/* The admin reads it too; finance and shipping do not. */
	snprintf(q, sizeof(q), "queue=returned&order_no=%s", no[0]);
	assert_true(in_queue(&adm, q, no[0]));
	get(&fin, "/api/review/queue?queue=returned", &r);
	expect(&r, 403, "forbidden");
	api_free(&r);
	get(&shp, "/api/review/queue?queue=returned", &r);
	expect(&r, 403, "forbidden");
	api_free(&r);
	/* Resubmitted (the wizard's resubmit, played): back in the review queue, out of this list. */
	sql("UPDATE orders SET state = return_state, editable = '', version = version + 1 "
	    "WHERE order_no = '%s'", no[0]);
	snprintf(q, sizeof(q), "queue=returned&order_no=%s", no[0]);
	assert_false(in_queue(&rev, q, no[0]));
	snprintf(q, sizeof(q), "order_no=%s", no[0]);
	assert_true(in_queue(&rev, q, no[0]));
	queue_is(f, (const char *const[]){ no[1] }, 1, "false");
	/* Hostile arguments: the JSON error naming the argument, never another list. */
	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		get(&adm, hostile[i].path, &r);
		expect(&r, 400, hostile[i].code);
		assert_string_equal(api_error_field(&r), hostile[i].field);
		api_free(&r);
	}
}

/* Returned: only what the reviewer sent back is taken again. Approving accepts every pending
 * scan, so a scan swapped in beside the rejected one would be approved unseen. */
static void test_return_locks_what_was_not_sent_back(void **state)
{
	char no[19], mobile[12], v[300], sha[80];
	struct api_resp r;
	const char *msg;

	(void)state;
	make_order(no, mobile, "bjca-zycg", "new", "org", NULL, "reviewing", 26000, "wechat");
	sql("UPDATE orders SET state = 'draft' WHERE order_no = '%s'", no);
	upload(no, "business_licence");
	sql("UPDATE orders SET state = 'reviewing' WHERE order_no = '%s'", no);
	value(sha, sizeof(sha), "SELECT sha256 FROM materials WHERE order_id = %lld AND material = "
	      "'application_form'", id_of(no));
	/* The licence rejected; the application form not decided (still pending). */
	post(&rev, no, "materials/business_licence", "{\"decision\":\"reject\",\"reason_code\":\"002\"}", &r);
	expect(&r, 200, NULL);
	api_free(&r);
	act_ok(&rev, no, "decision", ",\"decision\":\"return\",\"reason_code\":\"012\"", "returned");
	value(v, sizeof(v), "SELECT editable FROM orders WHERE order_no = '%s'", no);
	assert_string_equal(v, "business_licence");
	/* The form was not sent back: refused, named, nothing written. */
	wiz_upload_scan(&app, no, "application_form", &r);
	expect(&r, 409, "material_locked");
	assert_string_equal(api_error_field(&r), "material");
	msg = json_string_value(json_object_get(json_object_get(r.json, "error"), "message"));
	assert_non_null(msg);
	assert_non_null(strstr(msg, "数字证书申请表"));
	api_free(&r);
	value(v, sizeof(v), "SELECT CONCAT(COUNT(*), ':', MIN(state), ':', MIN(sha256)) FROM materials "
	      "WHERE order_id = %lld AND material = 'application_form'", id_of(no));
	{
		char want[120];

		snprintf(want, sizeof(want), "1:pending:%s", sha);
		assert_string_equal(v, want);
	}
	/* The licence is taken; resubmitted (played) and approved, the form is the one seen. */
	upload(no, "business_licence");
	sql("UPDATE orders SET state = return_state, editable = '', version = version + 1 "
	    "WHERE order_no = '%s'", no);
	act_ok(&rev, no, "decision", ",\"decision\":\"approve\"", "approved");
	value(v, sizeof(v), "SELECT GROUP_CONCAT(CONCAT(material, ':', version, ':', state) ORDER BY material, "
	      "version) FROM materials WHERE order_id = %lld", id_of(no));
	assert_string_equal(v, "application_form:1:accepted,business_licence:1:replaced,"
			       "business_licence:2:accepted");
}

/* ---- who sees personal numbers in full ---- */

/* The order in full as c sees it; the step's field. */
static const char *step_field(const struct api_resp *r, const char *step, const char *field)
{
	const char *s = json_string_value(json_object_get(json_object_get(json_object_get(r->json, "steps"),
									  step), field));

	return s ? s : "(none)";
}

/* Shipping packs and mails the key: it needs the address and the recipient's mobile, not ID,
 * card or account numbers, nor the legal representative's, handler's or applicant's mobiles
 * and emails. Reviewers,
 * finance and admins judge those and see them in full. Every view is audited. */
/* The current pages of the order's handler_id: "page:version:state,...". */
static void id_pages(const char *no, char *v, size_t vsz)
{
	value(v, vsz, "SELECT GROUP_CONCAT(CONCAT(page, ':', version, ':', state) ORDER BY page) "
	      "FROM materials WHERE order_id = %lld AND material = 'handler_id' AND state <> 'replaced'", id_of(no));
}

/* Pages of one material (issue 17): a decision covers every current page of it; a reject
 * sends the material back, the applicant sends its pages again, approving accepts them all. */
static void test_pages_decided_together(void **state)
{
	char no[19], mobile[12], path[200], v[300];
	struct api_resp r;
	json_t *m;
	size_t i;
	int pages = 0;

	(void)state;
	make_order(no, mobile, "bjca-zycg", "new", "org", NULL, "reviewing", 26000, "wechat");
	sql("UPDATE orders SET state = 'draft' WHERE order_no = '%s'", no);
	upload(no, "handler_id");
	upload(no, "handler_id?page=2");
	sql("UPDATE orders SET state = 'reviewing' WHERE order_no = '%s'", no);
	/* The reviewer sees each page's image. */
	snprintf(path, sizeof(path), "/api/review/orders/%s", no);
	get(&rev, path, &r);
	expect(&r, 200, NULL);
	json_array_foreach(json_object_get(r.json, "materials"), i, m)
		if (strcmp(json_string_value(json_object_get(m, "kind")), "handler_id") == 0 &&
		    json_is_true(json_object_get(m, "latest"))) {
			pages++;
			assert_int_equal(json_integer_value(json_object_get(m, "page")), pages);
			assert_string_equal(json_string_value(json_object_get(m, "page_name")),
					    pages == 1 ? "正面（人像面）" : "背面（国徽面）");
			assert_non_null(strstr(json_string_value(json_object_get(m, "image_url")), "/image"));
		}
	assert_int_equal(pages, 2);
	api_free(&r);
	/* One decision, both pages. */
	post(&rev, no, "materials/handler_id", "{\"decision\":\"reject\",\"reason_code\":\"002\"}", &r);
	expect(&r, 200, NULL);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(r.json, "material"), "pages")), 2);
	api_free(&r);
	id_pages(no, v, sizeof(v));
	assert_string_equal(v, "1:1:rejected,2:1:rejected");
	act_ok(&rev, no, "decision", ",\"decision\":\"return\",\"reason_code\":\"012\"", "returned");
	value(v, sizeof(v), "SELECT editable FROM orders WHERE order_no = '%s'", no);
	assert_string_equal(v, "handler_id");
	/* Page 1 sent again: page 2 is still the rejected one, approving is refused. */
	upload(no, "handler_id");
	sql("UPDATE orders SET state = return_state, editable = '', version = version + 1 "
	    "WHERE order_no = '%s'", no);
	act(&rev, no, "decision", ",\"decision\":\"approve\"", &r);
	expect(&r, 409, "conflict");
	assert_non_null(strstr(json_string_value(json_object_get(json_object_get(r.json, "error"), "message")),
			       "经办人身份证复印件"));
	api_free(&r);
	/* Back to the applicant for page 2; then approved: every pending page accepted. */
	sql("UPDATE orders SET state = 'returned', editable = 'handler_id', version = version + 1 "
	    "WHERE order_no = '%s'", no);
	upload(no, "handler_id?page=2");
	id_pages(no, v, sizeof(v));
	assert_string_equal(v, "1:2:pending,2:2:pending");
	sql("UPDATE orders SET state = return_state, editable = '', version = version + 1 "
	    "WHERE order_no = '%s'", no);
	act_ok(&rev, no, "decision", ",\"decision\":\"approve\"", "approved");
	id_pages(no, v, sizeof(v));
	assert_string_equal(v, "1:2:accepted,2:2:accepted");
	/* Accepted: no page of it is taken any more. */
	sql("UPDATE orders SET state = 'returned', editable = 'handler_id' WHERE order_no = '%s'", no);
	wiz_upload_scan(&app, no, "handler_id?page=2", &r);
	expect(&r, 409, "material_locked");
	api_free(&r);
}

static void test_detail_masks_for_shipping(void **state)
{
	static const char lr_id[] = "11010519491231002X", lr_card[] = "6222021234567890128",
			  h_card[] = "6217001234567894322", p_id[] = "440301199001019877",
			  account[] = "11001234567890123456";
	char no[19], mobile[12], lr_mobile[12], p_mobile[12], mail_mobile[12], path[200], json[900],
		want[40], v[200];
	struct api_client *full[] = { &rev, &fin, &adm };
	struct api_resp r;
	long long id;

	(void)state;
	make_order(no, mobile, "netca-gd", "new", "legal_rep", NULL, "approved", 36000, "wechat");
	id = id_of(no);
	api_random_mobile(lr_mobile);
	api_random_mobile(p_mobile);
	api_random_mobile(mail_mobile);
	snprintf(json, sizeof(json),
		 "{\"org_name\":\"测试单位\",\"province\":\"北京市\",\"city\":\"北京市\",\"district\":\"海淀区\","
		 "\"address\":\"中关村大街1号\",\"method\":\"lr_card\",\"lr_name\":\"王强\","
		 "\"lr_id_number\":\"%s\",\"lr_mobile\":\"%s\",\"lr_bank_card\":\"%s\"}",
		 lr_id, lr_mobile, lr_card);
	seal_step(id, "enterprise", json);
	snprintf(json, sizeof(json),
		 "{\"name\":\"李娜\",\"id_number\":\"110105198501011234\",\"mobile\":\"%s\","
		 "\"email\":\"%s@example.com\",\"position\":\"采购专员\",\"method\":\"card\","
		 "\"bank_card\":\"%s\"}", mobile, mobile, h_card);
	seal_step(id, "handler", json);
	snprintf(json, sizeof(json), "{\"name\":\"赵敏\",\"id_number\":\"%s\",\"mobile\":\"%s\","
		 "\"email\":\"zm@example.com\"}", p_id, p_mobile);
	seal_step(id, "applicant", json);
	snprintf(json, sizeof(json), "{\"account_name\":\"测试单位\",\"bank\":\"中国银行\","
		 "\"account_no\":\"%s\"}", account);
	seal_step(id, "financial", json);
	snprintf(json, sizeof(json),
		 "{\"years\":\"1\",\"e_invoice\":\"0\",\"mail_recipient\":\"张伟\",\"mail_mobile\":\"%s\","
		 "\"mail_province\":\"北京市\",\"mail_city\":\"北京市\",\"mail_county\":\"海淀区\","
		 "\"mail_address\":\"中关村大街1号A座\",\"mail_postcode\":\"100080\"}", mail_mobile);
	seal_step(id, "product", json);
	snprintf(path, sizeof(path), "/api/review/orders/%s", no);

	/* Shipping: the parcel's address and recipient in full, every other number masked. */
	get(&shp, path, &r);
	expect(&r, 200, NULL);
	assert_true(json_is_true(json_object_get(r.json, "pii_masked")));
	assert_string_equal(step_field(&r, "product", "mail_mobile"), mail_mobile);
	assert_string_equal(step_field(&r, "product", "mail_recipient"), "张伟");
	assert_string_equal(step_field(&r, "product", "mail_address"), "中关村大街1号A座");
	assert_string_equal(step_field(&r, "product", "mail_postcode"), "100080");
	assert_string_equal(step_field(&r, "enterprise", "lr_id_number"), "110***********002X");
	assert_string_equal(step_field(&r, "handler", "id_number"), "110***********1234");
	assert_string_equal(step_field(&r, "applicant", "id_number"), "440***********9877");
	assert_string_equal(step_field(&r, "enterprise", "lr_bank_card"), "****0128");
	assert_string_equal(step_field(&r, "handler", "bank_card"), "****4322");
	assert_string_equal(step_field(&r, "financial", "account_no"), "****3456");
	snprintf(want, sizeof(want), "%.3s****%s", lr_mobile, lr_mobile + 7);
	assert_string_equal(step_field(&r, "enterprise", "lr_mobile"), want);
	snprintf(want, sizeof(want), "%.3s****%s", p_mobile, p_mobile + 7);
	assert_string_equal(step_field(&r, "applicant", "mobile"), want);
	snprintf(want, sizeof(want), "%.3s****%s", mobile, mobile + 7);
	assert_string_equal(step_field(&r, "handler", "mobile"), want);
	assert_string_equal(json_string_value(json_object_get(r.json, "handler_mobile")), want);
	/* Not anywhere else in the answer either. */
	{
		const char *secret[] = { lr_id, "110105198501011234", p_id, lr_card, h_card, account,
					 lr_mobile, p_mobile, mobile };

		for (size_t i = 0; i < sizeof(secret) / sizeof(secret[0]); i++)
			if (strstr(r.body, secret[i]))
				fail_msg("shipping sees %s in full: %.2000s", secret[i], r.body);
	}
	/* It mails nobody: the emails masked too (the handler's holds the mobile here). */
	snprintf(want, sizeof(want), "%c***@example.com", mobile[0]);
	assert_string_equal(step_field(&r, "handler", "email"), want);
	assert_string_equal(step_field(&r, "applicant", "email"), "z***@example.com");
	/* Names and what is not a number stay. */
	assert_string_equal(step_field(&r, "handler", "name"), "李娜");
	assert_string_equal(step_field(&r, "financial", "bank"), "中国银行");
	api_free(&r);
	assert_int_equal(audit_rows(no, "view_pii", "shipping"), 1);
	value(v, sizeof(v), "SELECT detail FROM audit_log WHERE order_no = '%s' AND action = 'view_pii' "
	      "AND staff_username = 'shipping'", no);
	assert_string_equal(v, "masked");

	/* Reviewer, finance, admin: in full, and audited too. */
	for (size_t i = 0; i < sizeof(full) / sizeof(full[0]); i++) {
		get(full[i], path, &r);
		expect(&r, 200, NULL);
		assert_true(json_is_false(json_object_get(r.json, "pii_masked")));
		assert_string_equal(step_field(&r, "enterprise", "lr_id_number"), lr_id);
		assert_string_equal(step_field(&r, "enterprise", "lr_mobile"), lr_mobile);
		assert_string_equal(step_field(&r, "enterprise", "lr_bank_card"), lr_card);
		assert_string_equal(step_field(&r, "handler", "id_number"), "110105198501011234");
		assert_string_equal(step_field(&r, "handler", "mobile"), mobile);
		assert_string_equal(step_field(&r, "handler", "bank_card"), h_card);
		assert_string_equal(step_field(&r, "applicant", "id_number"), p_id);
		assert_string_equal(step_field(&r, "applicant", "mobile"), p_mobile);
		assert_string_equal(step_field(&r, "financial", "account_no"), account);
		assert_string_equal(step_field(&r, "product", "mail_mobile"), mail_mobile);
		assert_string_equal(step_field(&r, "applicant", "email"), "zm@example.com");
		assert_string_equal(json_string_value(json_object_get(r.json, "handler_mobile")), mobile);
		api_free(&r);
	}
	assert_int_equal(audit_rows(no, "view_pii", "reviewer"), 1);
	assert_int_equal(audit_rows(no, "view_pii", "finance"), 1);
	assert_int_equal(audit_rows(no, "view_pii", "admin"), 1);
	value(v, sizeof(v), "SELECT COUNT(*) FROM audit_log WHERE order_no = '%s' AND action = 'view_pii' "
	      "AND detail = ''", no);
	assert_string_equal(v, "3");
}

static void test_final_rejection_refunds(void **state)
{
	char no[19], no2[19], mobile[12], mobile2[12], text[800], v[200];
	struct api_resp r;

	(void)state;
	/* Paid, then rejected for good: refunding, the payment flagged; finance pays it back. */
	make_order(no, mobile, "bjca-zycg", "new", "org", NULL, "reviewing", 26000, "wechat");
	sql("INSERT INTO payments (order_id, method, amount_fen, pay_no, state, created_at, paid_at) "
	    "VALUES (%lld, 'wechat', 26000, 'W%s', 'paid', NOW(3), NOW(3))", id_of(no), no);
	act_ok(&rev, no, "decision", ",\"decision\":\"reject\",\"reason_code\":\"015\"", "refunding");
	message_with(mobile, "该单位不符合办理条件", text, sizeof(text));
	assert_non_null(strstr(text, "该单位不符合办理条件"));
	assert_non_null(strstr(text, "终止办理"));
	assert_non_null(strstr(text, "原路退回"));
	value(v, sizeof(v), "SELECT state FROM payments WHERE order_id = %lld", id_of(no));
	assert_string_equal(v, "refunding");
	/* No longer the reviewer's: final for them; finance sees the refund. */
	act(&rev, no, "decision", ",\"decision\":\"approve\"", &r);
	expect(&r, 409, "wrong_state");
	api_free(&r);
	snprintf(v, sizeof(v), "state=refunding&order_no=%s", no);
	assert_true(in_queue(&fin, v, no));
	act_ok(&fin, no, "refund", NULL, "refunded");
	message_with(mobile, "已退款260.00元", text, sizeof(text));
	assert_non_null(strstr(text, "已退款260.00元"));
	value(v, sizeof(v), "SELECT CONCAT(p.state, ':', o.open_key IS NULL) FROM payments p JOIN orders o "
	      "ON o.id = p.order_id WHERE o.order_no = '%s'", no);
	assert_string_equal(v, "refunded:1");

	/* Not paid: simply cancelled. */
	make_order(no2, mobile2, "jxca-js", "new", "org", NULL, "pre_review", 26000, "transfer");
	act_ok(&rev, no2, "decision", ",\"decision\":\"reject\",\"reason_code\":\"016\",\"note\":\"已有订单\"",
	       "cancelled");
	value(v, sizeof(v), "SELECT note FROM order_events WHERE order_id = %lld AND kind = 'cancelled'", id_of(no2));
	assert_string_equal(v, "重复申请，请使用已有的订单办理（已有订单）");

	/* Money that came after a cancel (shared/ext/pay.c flags it): finance sees it and pays it
	 * back; the order stays cancelled. */
	make_order(no2, mobile2, "bjca-zycg", "new", "org", NULL, "cancelled", 26000, "wechat");
	sql("INSERT INTO payments (order_id, method, amount_fen, pay_no, state, created_at, paid_at) "
	    "VALUES (%lld, 'wechat', 26000, 'L%s', 'refunding', NOW(3), NOW(3))", id_of(no2), no2);
	sql("UPDATE orders SET refund_due = 1 WHERE id = %lld", id_of(no2));
	snprintf(v, sizeof(v), "order_no=%s", no2);
	assert_true(in_queue(&fin, v, no2));
	assert_false(in_queue(&rev, v, no2));
	act_ok(&fin, no2, "refund", NULL, "cancelled");
	value(v, sizeof(v), "SELECT CONCAT(p.state, ':', o.refund_due, ':', IFNULL(o.queue, '-')) "
	      "FROM payments p JOIN orders o ON o.id = p.order_id WHERE o.order_no = '%s'", no2);
	assert_string_equal(v, "refunded:0:-");
	act(&fin, no2, "refund", NULL, &r);
	expect(&r, 409, "wrong_state");
	api_free(&r);

	/* A transfer registered, then the order paid by QR: the transfer still arrives. Finance
	 * confirms it as money to pay back, pays it back once, and the order goes on as it was. */
	make_order(no, mobile, "bjca-zycg", "new", "org", NULL, "reviewing", 26000, "wechat");
	sql("INSERT INTO payments (order_id, method, amount_fen, pay_no, state, created_at) "
	    "VALUES (%lld, 'transfer', 26000, 'T%s', 'awaiting_finance', NOW(3))", id_of(no), no);
	act_ok(&fin, no, "payment/confirm", NULL, "reviewing");
	value(v, sizeof(v), "SELECT CONCAT(p.state, ':', o.refund_due, ':', o.queue) FROM payments p "
	      "JOIN orders o ON o.id = p.order_id WHERE o.order_no = '%s'", no);
	assert_string_equal(v, "refunding:1:finance");
	act_ok(&fin, no, "refund", NULL, "reviewing");
	value(v, sizeof(v), "SELECT CONCAT(p.state, ':', o.refund_due, ':', o.queue) FROM payments p "
	      "JOIN orders o ON o.id = p.order_id WHERE o.order_no = '%s'", no);
	assert_string_equal(v, "refunded:0:review");
	act(&fin, no, "refund", NULL, &r);
	expect(&r, 409, "wrong_state");
	api_free(&r);
}

/* ---- two staff deciding the same order at once: exactly one wins ---- */

static void test_two_decisions_at_once(void **state)
{
	char no[19], mobile[12], body[200], path[200];
	int fds[2], wins = 0, conflicts = 0, status;
	struct api_client *who[2] = { &rev, &adm };
	pid_t pid[2];

	(void)state;
	make_order(no, mobile, "bjca-zycg", "new", "org", NULL, "reviewing", 26000, "wechat");
	snprintf(path, sizeof(path), "/api/review/orders/%s/decision", no);
	for (int round = 0; round < 3; round++) {
		/* Round 0: two approvals; 1: approve against return; 2: return against reject. */
		static const char *const dec[3][2] = {
			{ "\"approve\"", "\"approve\"" },
			{ "\"approve\"", "\"return\",\"reason_code\":\"012\",\"steps\":[\"handler\"]" },
			{ "\"return\",\"reason_code\":\"012\",\"steps\":[\"handler\"]",
			  "\"reject\",\"reason_code\":\"015\"" },
		};
		long long v0;

		if (round) {
			sql("UPDATE orders SET state = 'reviewing', version = version + 1 WHERE order_no = '%s'", no);
			sql("DELETE FROM certificates WHERE order_id = %lld", id_of(no));
		}
		v0 = version_of(no);
		assert_int_equal(pipe(fds), 0);
		for (int k = 0; k < 2; k++) {
			pid[k] = fork();
			assert_true(pid[k] >= 0);
			if (pid[k] == 0) {
				struct api_resp r;
				char go;

				close(fds[1]);
				/* Both start together: released by the parent closing the pipe. */
				if (read(fds[0], &go, 1) < 0)
					_exit(3);
				snprintf(body, sizeof(body), "{\"version\":%lld,\"decision\":%s}", v0, dec[round][k]);
				api_call(who[k], "POST", path, body, NULL, &r);
				if (r.status == 409 && api_error_code(&r) &&
				    strcmp(api_error_code(&r), "conflict") == 0 &&
				    strstr(r.body, "其他工作人员"))
					_exit(1);
				_exit(r.status == 200 ? 0 : 2);
			}
		}
		close(fds[0]);
		close(fds[1]);
		wins = conflicts = 0;
		for (int k = 0; k < 2; k++) {
			assert_int_equal(waitpid(pid[k], &status, 0), pid[k]);
			assert_true(WIFEXITED(status));
			wins += WEXITSTATUS(status) == 0;
			conflicts += WEXITSTATUS(status) == 1;
		}
		if (wins != 1 || conflicts != 1)
			fail_msg("round %d: %d won, %d got the 409 conflict", round, wins, conflicts);
		/* One move, one event, one certificate at most. */
		assert_int_equal(version_of(no), v0 + 1);
		assert_true(num("SELECT COUNT(*) FROM certificates WHERE order_id = (SELECT id FROM orders "
				"WHERE order_no = '%s')", no) <= 1);
	}
}

/* ---- claims ---- */

/* ---- the detail's actions: each one listed is taken by its route, one left out is refused ---- */

/* What an order of a case has besides its state. */
enum fixture { F_NONE, F_AWAITING, F_REFUNDING, F_REFUND_DUE, F_CLAIMED, F_RENEW };

static void place(const char *no, enum fixture f)
{
	if (f == F_AWAITING)
		sql("INSERT INTO payments (order_id, method, amount_fen, pay_no, state, created_at) "
		    "VALUES (%lld, 'transfer', 26000, 'T%s', 'awaiting_finance', NOW(3))", id_of(no), no);
	if (f == F_REFUNDING || f == F_REFUND_DUE)
		sql("INSERT INTO payments (order_id, method, amount_fen, pay_no, state, created_at, paid_at) "
		    "VALUES (%lld, 'wechat', 26000, 'R%s', 'refunding', NOW(3), NOW(3))", id_of(no), no);
	if (f == F_REFUND_DUE)
		sql("UPDATE orders SET refund_due = 1 WHERE order_no = '%s'", no);
	if (f == F_CLAIMED)
		sql("INSERT INTO review_claims (order_id, staff_id, claimed_at) SELECT %lld, id, NOW(3) "
		    "FROM staff WHERE username = 'reviewer'", id_of(no));
	if (f == F_RENEW)
		sql("UPDATE orders SET business_type = 'renew' WHERE order_no = '%s'", no);
}

/* The request the console sends for an action of the detail's list. */
static void take(struct api_client *c, const char *no, const char *action, struct api_resp *r)
{
	char waybill[80];
	const struct {
		const char *action, *path, *extra;
	} routes[] = {
		{ "claim", "claim", NULL },
		{ "release", "release", NULL },
		{ "material", "materials/application_form", ",\"decision\":\"accept\"" },
		{ "approve", "decision", ",\"decision\":\"approve\"" },
		{ "return", "decision", ",\"decision\":\"return\",\"reason_code\":\"012\",\"steps\":[\"handler\"]" },
		{ "reject", "decision", ",\"decision\":\"reject\",\"reason_code\":\"015\"" },
		{ "paper_received", "paper-received", NULL },
		{ "payment_confirm", "payment/confirm", NULL },
		{ "refund", "refund", NULL },
		{ "shipped", "shipped", waybill },
		{ "delivered", "delivered", NULL },
	};

	snprintf(waybill, sizeof(waybill), ",\"carrier\":\"sf\",\"number\":\"SF%s\"", no + 5);
	if (strcmp(action, "made") == 0) {
		char *extra = made_extra(no);

		act(c, no, "made", extra, r);
		free(extra);
		return;
	}
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (strcmp(routes[i].action, action) == 0) {
			act(c, no, routes[i].path, routes[i].extra, r);
			return;
		}
	fail_msg("no route for action %s", action);
}

/* The detail's actions as c sees them, joined with commas. */
static void actions_of(struct api_client *c, const char *no, char *out, size_t outsz)
{
	char path[80];
	struct api_resp r;
	json_t *list, *v;
	size_t i, n = 0;

	snprintf(path, sizeof(path), "/api/review/orders/%s", no);
	get(c, path, &r);
	expect(&r, 200, NULL);
	list = json_object_get(r.json, "actions");
	assert_true(json_is_array(list));
	out[0] = '\0';
	json_array_foreach(list, i, v)
		n += (size_t)snprintf(out + n, outsz - n, "%s%s", i ? "," : "", json_string_value(v));
	api_free(&r);
}

static void test_detail_actions(void **state)
{
	static const struct {
		const char *channel, *state, *pay;
		enum fixture fixture;
		int who;         /* R_REV, ... */
		const char *want, *refused, *code;
	} cases[] = {
		{ "bjca-zycg", "reviewing", "wechat", F_NONE, R_REV,
		  "claim,material,approve,return,reject", "paper_received", "wrong_state" },
		{ "jxca-js", "pre_review", "transfer", F_NONE, R_REV,
		  "claim,material,approve,return,reject", "made", "forbidden" },
		{ "jxca-js", "awaiting_paper", "transfer", F_NONE, R_REV,
		  "claim,reject,paper_received", "approve", "wrong_state" },
		{ "bjca-zycg", "reviewing", "wechat", F_CLAIMED, R_REV,
		  "release,material,approve,return,reject", "delivered", "forbidden" },
		{ "bjca-zycg", "reviewing", "wechat", F_CLAIMED, R_ADM,
		  "release,material,approve,return,reject", "made", "wrong_state" },
		{ "bjca-zycg", "reviewing", "wechat", F_CLAIMED, R_FIN, "", "refund", "wrong_state" },
		{ "bjca-zycg", "pending_payment", "transfer", F_AWAITING, R_FIN,
		  "claim,payment_confirm", "refund", "wrong_state" },
		{ "bjca-zycg", "pending_payment", "transfer", F_NONE, R_FIN,
		  "claim", "payment_confirm", "wrong_state" },
		{ "bjca-zycg", "refunding", "wechat", F_REFUNDING, R_FIN,
		  "claim,refund", "payment_confirm", "wrong_state" },
		{ "bjca-zycg", "approved", "wechat", F_REFUND_DUE, R_FIN,
		  "claim,refund", "made", "forbidden" },
		{ "bjca-zycg", "approved", "wechat", F_NONE, R_SHP, "claim,made", "shipped", "wrong_state" },
		{ "bjca-zycg", "approved", "wechat", F_RENEW, R_SHP, "claim", "made", "wrong_state" },
		{ "bjca-zycg", "making", "wechat", F_NONE, R_SHP, "claim,shipped", "delivered", "wrong_state" },
		{ "bjca-zycg", "shipped", "wechat", F_NONE, R_ADM, "claim,delivered", "made", "wrong_state" },
		{ "bjca-zycg", "done", "wechat", F_NONE, R_ADM, "", "claim", "wrong_state" },
	};
	struct api_client *clients[] = { [R_REV] = &rev, [R_FIN] = &fin, [R_SHP] = &shp, [R_ADM] = &adm };
	char no[19], mobile[12], got[200], st[32];
	struct api_resp r;

	(void)state;
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct api_client *c = clients[cases[k].who];

		make_order(no, mobile, cases[k].channel, "new", "org", NULL, cases[k].state, 26000,
			   cases[k].pay);
		place(no, cases[k].fixture);
		actions_of(c, no, got, sizeof(got));
		if (strcmp(got, cases[k].want) != 0)
			fail_msg("case %zu (%s): actions \"%s\", want \"%s\"", k, cases[k].state, got,
				 cases[k].want);
		/* Left out: refused, and nothing changed. */
		take(c, no, cases[k].refused, &r);
		expect(&r, cases[k].code[0] == 'f' ? 403 : 409, cases[k].code);
		api_free(&r);
		state_of(no, st);
		assert_string_equal(st, cases[k].state);
		/* Listed: taken. What moves the order is taken on an order of its own. */
		for (const char *p = cases[k].want; *p;) {
			size_t len = strcspn(p, ",");
			char action[32], one[19];
			bool moves;

			snprintf(action, sizeof(action), "%.*s", (int)len, p);
			p += len + (p[len] == ',');
			moves = strcmp(action, "claim") != 0 && strcmp(action, "release") != 0 &&
				strcmp(action, "material") != 0;
			if (moves) {
				make_order(one, mobile, cases[k].channel, "new", "org", NULL, cases[k].state,
					   26000, cases[k].pay);
				place(one, cases[k].fixture);
			} else {
				snprintf(one, sizeof(one), "%s", no);
			}
			take(c, one, action, &r);
			if (r.status != 200)
				fail_msg("case %zu (%s): %s refused: %ld %.300s", k, cases[k].state, action,
					 r.status, r.body);
			api_free(&r);
		}
	}
}

static void test_claims(void **state)
{
	char no[19], mobile[12], q[80];
	struct api_resp r;
	json_t *item, *by;

	(void)state;
	make_order(no, mobile, "bjca-zycg", "new", "org", NULL, "reviewing", 26000, "wechat");
	snprintf(q, sizeof(q), "order_no=%s", no);
	post(&rev, no, "claim", NULL, &r);
	expect(&r, 200, NULL);
	by = json_object_get(r.json, "claimed_by");
	assert_string_equal(json_string_value(json_object_get(by, "name")), "审核员（演示）");
	api_free(&r);
	post(&rev, no, "claim", NULL, &r); /* again: one's own claim is renewed */
	expect(&r, 200, NULL);
	api_free(&r);
	/* Another sees who is on it, in the answer and in the queue. */
	post(&adm, no, "claim", "{}", &r);
	expect(&r, 409, "conflict");
	assert_non_null(strstr(r.body, "审核员（演示）"));
	assert_string_equal(json_string_value(json_object_get(json_object_get(
		json_object_get(r.json, "error"), "claimed_by"), "username")), "reviewer");
	api_free(&r);
	item = queue_item(&adm, q, no, &r);
	assert_non_null(item);
	assert_string_equal(json_string_value(json_object_get(json_object_get(item, "claimed_by"), "name")),
			    "审核员（演示）");
	assert_true(json_is_false(json_object_get(json_object_get(item, "claimed_by"), "me")));
	api_free(&r);
	post(&fin, no, "release", NULL, &r);
	expect(&r, 409, "conflict");
	api_free(&r);
	/* After 30 minutes the claim has lapsed: another takes it. */
	sql("UPDATE review_claims SET claimed_at = NOW(3) - INTERVAL 31 MINUTE WHERE order_id = %lld", id_of(no));
	item = queue_item(&rev, q, no, &r);
	assert_true(json_is_null(json_object_get(item, "claimed_by")));
	api_free(&r);
	post(&adm, no, "claim", NULL, &r);
	expect(&r, 200, NULL);
	api_free(&r);
	post(&adm, no, "release", NULL, &r);
	expect(&r, 200, NULL);
	api_free(&r);
	assert_int_equal(num("SELECT COUNT(*) FROM review_claims WHERE order_id = (SELECT id FROM orders "
			     "WHERE order_no = '%s')", no), 0);
	assert_int_equal(audit_rows(no, "claim", "reviewer"), 2);
	assert_int_equal(audit_rows(no, "claim", "admin"), 1);
	/* A decision clears the claim. */
	post(&rev, no, "claim", NULL, &r);
	expect(&r, 200, NULL);
	api_free(&r);
	act_ok(&rev, no, "decision", ",\"decision\":\"approve\"", "approved");
	assert_int_equal(num("SELECT COUNT(*) FROM review_claims WHERE order_id = (SELECT id FROM orders "
			     "WHERE order_no = '%s')", no), 0);
}

/* ---- working days: weekends and holidays excluded, 调休 weekend days counted ---- */

/* Independent of shared/domain/workdays.c: the days after `from` up to today, by SQL's calendar. */
static long expected_workdays(int days_back)
{
	char q[900], v[32];

	snprintf(q, sizeof(q),
		 "SELECT COUNT(*) FROM seq_1_to_%d s WHERE "
		 "(WEEKDAY(CURDATE() - INTERVAL %d DAY + INTERVAL s.seq DAY) < 5 "
		 " AND NOT EXISTS (SELECT 1 FROM holidays h WHERE h.kind = 'holiday' "
		 "  AND h.day = CURDATE() - INTERVAL %d DAY + INTERVAL s.seq DAY)) "
		 "OR EXISTS (SELECT 1 FROM holidays h WHERE h.kind = 'workday' "
		 "  AND h.day = CURDATE() - INTERVAL %d DAY + INTERVAL s.seq DAY)",
		 days_back, days_back, days_back, days_back);
	wiz_sql_value(q, v, sizeof(v));
	return strtol(v, NULL, 10);
}

static long waited_days(const char *no, bool *overdue)
{
	char q[80];
	struct api_resp r;
	json_t *item;
	long w;

	snprintf(q, sizeof(q), "order_no=%s", no);
	item = queue_item(&rev, q, no, &r);
	assert_non_null(item);
	w = (long)json_integer_value(json_object_get(item, "waited_days"));
	if (overdue)
		*overdue = json_is_true(json_object_get(item, "overdue"));
	api_free(&r);
	return w;
}

static void test_working_days(void **state)
{
	char no[19], mobile[12], hday[16], wday[16];
	bool overdue;
	long w0;

	(void)state;
	make_order(no, mobile, "bjca-zycg", "new", "org", NULL, "reviewing", 26000, "wechat");
	assert_int_equal(waited_days(no, &overdue), 0);
	assert_false(overdue);
	/* 13 days back: at least one weekend in between. */
	sql("UPDATE orders SET submitted_at = NOW(3) - INTERVAL 13 DAY WHERE order_no = '%s'", no);
	w0 = waited_days(no, &overdue);
	assert_int_equal(w0, expected_workdays(13));
	assert_true(w0 <= 13 - 2);
	assert_true(overdue == (w0 > 5)); /* bjca-zycg promises 3–5 */
	/* A holiday on a working day in between costs one; a weekend day worked (调休) adds one. */
	value(hday, sizeof(hday), "SELECT MAX(d) FROM (SELECT CURDATE() - INTERVAL seq DAY d FROM seq_1_to_12) t "
	      "WHERE WEEKDAY(d) < 5 AND d NOT IN (SELECT day FROM holidays)");
	value(wday, sizeof(wday), "SELECT MAX(d) FROM (SELECT CURDATE() - INTERVAL seq DAY d FROM seq_1_to_12) t "
	      "WHERE WEEKDAY(d) >= 5 AND d NOT IN (SELECT day FROM holidays)");
	assert_true(strlen(hday) == 10 && strlen(wday) == 10);
	sql("INSERT INTO holidays (day, kind, name) VALUES ('%s', 'holiday', '测试假日')", hday);
	assert_int_equal(waited_days(no, NULL), w0 - 1);
	sql("INSERT INTO holidays (day, kind, name) VALUES ('%s', 'workday', '测试调休')", wday);
	assert_int_equal(waited_days(no, NULL), w0);
	assert_int_equal(waited_days(no, NULL), expected_workdays(13));
	sql("DELETE FROM holidays WHERE name IN ('测试假日', '测试调休')");
	/* Far overdue. */
	sql("UPDATE orders SET submitted_at = NOW(3) - INTERVAL 30 DAY WHERE order_no = '%s'", no);
	assert_int_equal(waited_days(no, &overdue), expected_workdays(30));
	assert_true(overdue);
}

/* ---- SLA escalation ---- */

static char netca_max[8];

/* certhall-admin escalate, n runs at once, each must succeed. */
static void escalate(int n)
{
	FILE *p[2];
	char cmd[1200], out[512];

	snprintf(cmd, sizeof(cmd), "'%s' -c '%s' escalate 2>&1", api_admin(), getenv("CERTHALL_CONF"));
	for (int i = 0; i < n; i++)
		assert_non_null(p[i] = popen(cmd, "r"));
	for (int i = 0; i < n; i++) {
		size_t got = fread(out, 1, sizeof(out) - 1, p[i]);
		int st = pclose(p[i]);

		out[got] = '\0';
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 || !strstr(out, "escalate: "))
			fail_msg("certhall-admin escalate: %s", out);
	}
}

/* An order past its hall's promise is mailed to the hall's admins once (two passes at once,
 * then again); one within it is not; the admin's queue shows the overdue one first although
 * it is younger (another hall's longer promise), the reviewer's oldest first. */
static void test_escalation(void **state)
{
	char late[19], young[19], mobile[12], subj[80], v[64];
	struct api_resp r;
	json_t *items;

	(void)state;
	value(netca_max, sizeof(netca_max), "SELECT review_days_max FROM channels WHERE code = 'netca-gd'");
	sql("UPDATE channels SET sla_mail = 'ops@example.com,lead@example.com' WHERE code = 'bjca-zycg'");
	sql("UPDATE channels SET review_days_max = 30, sla_mail = 'netca@example.com' WHERE code = 'netca-gd'");
	make_order(late, mobile, "bjca-zycg", "new", "org", NULL, order_state_str(ORDER_REVIEWING), 26000, "wechat");
	make_order(young, mobile, "netca-gd", "new", "org", NULL, order_state_str(ORDER_REVIEWING), 60000, "wechat");
	snprintf(subj, sizeof(subj), "超时测试%s有限公司", late + 9);
	sql("UPDATE orders SET subject_name = '%s', submitted_at = NOW(3) - INTERVAL 20 DAY WHERE order_no = '%s'",
	    subj, late);
	sql("UPDATE orders SET subject_name = '%s', submitted_at = NOW(3) - INTERVAL 25 DAY WHERE order_no = '%s'",
	    subj, young);

	escalate(2);
	escalate(1);
	value(v, sizeof(v), "SELECT CONCAT(COUNT(*), ':', COUNT(DISTINCT recipient_mask)) FROM outbox "
	      "WHERE event = 'order_overdue' AND order_id = %lld", id_of(late));
	assert_string_equal(v, "2:2");
	value(v, sizeof(v), "SELECT escalated_at IS NOT NULL FROM orders WHERE order_no = '%s'", late);
	assert_string_equal(v, "1");
	value(v, sizeof(v), "SELECT COUNT(*) FROM outbox WHERE event = 'order_overdue' AND order_id = %lld",
	      id_of(young));
	assert_string_equal(v, "0");
	value(v, sizeof(v), "SELECT escalated_at IS NULL FROM orders WHERE order_no = '%s'", young);
	assert_string_equal(v, "1");

	/* The reviewer's queue: oldest first; the admin's: overdue first. */
	{
		char path[300], enc[200];
		size_t k = 0;

		for (const unsigned char *s = (const unsigned char *)subj; *s && k + 4 < sizeof(enc); s++)
			k += (size_t)snprintf(enc + k, sizeof(enc) - k, "%%%02X", *s);
		snprintf(path, sizeof(path), "/api/review/queue?subject=%s", enc);
		get(&rev, path, &r);
		expect(&r, 200, NULL);
		items = json_object_get(r.json, "items");
		assert_int_equal(json_array_size(items), 2);
		assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "order_no")), young);
		api_free(&r);
		snprintf(path, sizeof(path), "/api/review/queue?queue=review&subject=%s", enc);
		get(&adm, path, &r);
		expect(&r, 200, NULL);
		items = json_object_get(r.json, "items");
		assert_int_equal(json_array_size(items), 2);
		assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "order_no")), late);
		assert_true(json_is_true(json_object_get(json_array_get(items, 0), "overdue")));
		assert_true(json_is_false(json_object_get(json_array_get(items, 1), "overdue")));
		api_free(&r);
	}
}

static int escalation_off(void **state)
{
	(void)state;
	sql("UPDATE channels SET sla_mail = '' WHERE code IN ('bjca-zycg', 'netca-gd')");
	if (netca_max[0])
		sql("UPDATE channels SET review_days_max = %s WHERE code = 'netca-gd'", netca_max);
	return 0;
}

/* ---- the queue: filters, paging, and plans without a filesort ---- */

static void test_queue_filters(void **state)
{
	char no[3][19], mobile[12], q[300], subj[80];
	struct api_resp r;

	(void)state;
	make_order(no[0], mobile, "netca-gd", "new", "legal_rep", NULL, "reviewing", 36000, "wechat");
	make_order(no[1], mobile, "netca-gd", "new", "org", NULL, "reviewing", 60000, "wechat");
	make_order(no[2], mobile, "netca-gd", "new", "org", NULL, "reviewing", 60000, "wechat");
	/* A subject of our own, oldest first by submission. */
	snprintf(subj, sizeof(subj), "队列测试%s有限公司", no[0] + 9);
	for (int i = 0; i < 3; i++)
		sql("UPDATE orders SET subject_name = '%s%d', submitted_at = NOW(3) - INTERVAL %d HOUR "
		    "WHERE order_no = '%s'", subj, i, 10 - i, no[i]);
	/* The subject prefix, percent-encoded UTF-8. */
	{
		char enc[300] = "";
		size_t o = 0;

		for (const unsigned char *p = (const unsigned char *)subj; *p && o + 4 < sizeof(enc); p++)
			o += (size_t)snprintf(enc + o, sizeof(enc) - o, "%%%02X", *p);
		snprintf(q, sizeof(q), "subject=%s&per_page=2", enc);
		queue_is(q, (const char *const[]){ no[0], no[1] }, 2, "true");
		snprintf(q, sizeof(q), "subject=%s&per_page=2&page=2", enc);
		queue_is(q, (const char *const[]){ no[2] }, 1, "false");
		/* Combined with other filters. */
		snprintf(q, sizeof(q), "subject=%s&kind=legal_rep&channel=netca-gd&business=new", enc);
		queue_is(q, (const char *const[]){ no[0] }, 1, NULL);
	}
	/* More matches than one statement's ids (shared/db/db.c binds 32): 30 orders of one prefix. */
	{
		char tag[17], prev[40] = "";
		json_t *it;
		size_t i;

		wiz_random_serial(tag);
		sql("INSERT INTO orders (order_no, channel_id, business_type, cert_kind, state, subject_name, "
		    "created_at, updated_at, submitted_at) SELECT CONCAT('98', LPAD(FLOOR(RAND() * 1e15), 15, '0'), "
		    "seq %% 10), 1, 'new', 'org', 'reviewing', CONCAT('%s', LPAD(seq, 2, '0')), NOW(3), NOW(3), "
		    "NOW(3) - INTERVAL seq MINUTE FROM seq_1_to_30", tag);
		snprintf(q, sizeof(q), "/api/review/queue?subject=%s&per_page=50", tag);
		get(&rev, q, &r);
		expect(&r, 200, NULL);
		assert_int_equal(json_array_size(json_object_get(r.json, "items")), 30);
		json_array_foreach(json_object_get(r.json, "items"), i, it) {
			const char *name = json_string_value(json_object_get(it, "subject_name"));

			/* Oldest first: submitted 30 minutes ago, then 29, ... */
			assert_int_equal(strtol(name + strlen(tag), NULL, 10), 30 - (long)i);
			assert_true(strcmp(prev, json_string_value(json_object_get(it, "submitted_at"))) <= 0);
			snprintf(prev, sizeof(prev), "%s", json_string_value(json_object_get(it, "submitted_at")));
		}
		api_free(&r);
	}
	/* Oldest first in the unfiltered queue too; every row's order is ascending. */
	get(&rev, "/api/review/queue?per_page=50&channel=netca-gd", &r);
	expect(&r, 200, NULL);
	{
		const char *prev = "";
		json_t *it;
		size_t i;

		json_array_foreach(json_object_get(r.json, "items"), i, it) {
			const char *at = json_string_value(json_object_get(it, "submitted_at"));

			/* Other tests' fixtures may leave an order without submitted_at: it sorts first. */
			if (!at)
				at = "";
			assert_true(strcmp(prev, at) <= 0);
			assert_string_equal(json_string_value(json_object_get(it, "channel")), "netca-gd");
			prev = at;
		}
	}
	api_free(&r);
	/* A date range of submission and a state. */
	get(&rev, "/api/review/queue?from=2001-01-01&to=2001-01-31", &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 0);
	api_free(&r);
	snprintf(q, sizeof(q), "state=reviewing&order_no=%s", no[1]);
	assert_true(in_queue(&rev, q, no[1]));
	snprintf(q, sizeof(q), "state=pre_review&order_no=%s", no[1]);
	assert_false(in_queue(&rev, q, no[1]));
	/* LIKE's own characters are plain text. */
	get(&rev, "/api/review/queue?subject=%25", &r);
	expect(&r, 200, NULL);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 0);
	api_free(&r);
	get(&rev, "/api/review/queue?subject=%27%20OR%201%3D1%20--", &r);
	expect(&r, 200, NULL);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 0);
	api_free(&r);
}

/* A date that does not exist, or a filter under a name the queue does not know, is refused:
 * never the unfiltered queue shown as if it were filtered. */
static void test_queue_refuses_bad_dates_and_unknown_filters(void **state)
{
	struct api_resp r;

	(void)state;
	get(&adm, "/api/review/queue?from=2026-02-31", &r);
	expect(&r, 400, "invalid_field");
	assert_string_equal(api_error_field(&r), "from");
	api_free(&r);
	get(&adm, "/api/review/queue?date_from=2026-02-31", &r);
	expect(&r, 400, "bad_query");
	assert_string_equal(api_error_field(&r), "date_from");
	api_free(&r);
	get(&adm, "/api/review/queue?from=2026-02-28&to=2026-03-31", &r);
	expect(&r, 200, NULL);
	api_free(&r);
}

static void test_queue_plans_use_an_index(void **state)
{
	static const char *const shapes[] = {
		"", "state=reviewing", "channel=jxca-js", "business=new", "kind=org",
		"from=2026-01-01&to=2026-12-31", "order_no=", "subject=%E5%8C%97",
		"state=paper_review&channel=jxca-js", "channel=szca&business=lost&kind=legal_rep",
		"business=renew&from=2026-01-01", "queue=finance", "queue=finance&state=refunding",
		"queue=ship", "queue=ship&channel=bjca-zycg&from=2026-01-01&to=2026-12-31",
		"queue=ship&kind=person", "page=3&per_page=50",
		"queue=returned", "queue=returned&state=returned", "queue=returned&channel=jxca-js",
		"queue=returned&business=new", "queue=returned&kind=org",
		"queue=returned&from=2026-01-01&to=2026-12-31",
		"queue=returned&channel=szca&business=lost&kind=legal_rep",
		"queue=returned&subject=%E5%8C%97", "queue=returned&page=3&per_page=50",
	};
	char path[300], shape[200], no[19];
	struct api_resp r;
	json_t *plan;
	size_t i;

	(void)state;
	/* A real number: for an unknown one the plan is "Impossible WHERE", no table at all. */
	value(no, sizeof(no), "SELECT order_no FROM orders WHERE queue = 'review' LIMIT 1");
	assert_int_equal(strlen(no), 18);
	for (size_t s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++) {
		bool orders_seen = false;

		/* The shapes hold %-escapes: never a format. "order_no=" gets the number. */
		snprintf(shape, sizeof(shape), "%s%s", shapes[s],
			 strcmp(shapes[s], "order_no=") == 0 ? no : "");
		snprintf(path, sizeof(path), "/api/review/queue?explain=1&%s", shape);
		get(&adm, path, &r);
		expect(&r, 200, NULL);
		assert_true(json_array_size(json_object_get(r.json, "plans")) > 0);
		json_array_foreach(json_object_get(r.json, "plans"), i, plan) {
			const char *extra = json_string_value(json_object_get(plan, "extra"));
			const char *table = json_string_value(json_object_get(plan, "table"));
			const char *keyname = json_string_value(json_object_get(plan, "key"));

			if (extra && (strstr(extra, "filesort") || strstr(extra, "temporary")))
				fail_msg("queue?%s: %s uses \"%s\"", shape, table ? table : "?", extra);
			if (table && strcmp(table, "o") == 0) {
				orders_seen = true;
				if (!keyname)
					fail_msg("queue?%s: orders read without an index: %s", shape, r.body);
			}
		}
		assert_true(orders_seen);
		api_free(&r);
	}
}

/* ---- the audit trail exported ---- */

static void test_audit_csv(void **state)
{
	char path[200], today[16], ct[120], tag[17], needle[64];
	struct api_resp r;
	const char *p;
	size_t bulk = 0;

	(void)state;
	value(today, sizeof(today), "SELECT CURDATE()");
	/* Rows whose cells a spreadsheet would run, and quotes and commas, and many rows. */
	sql("INSERT INTO audit_log (at, staff_id, staff_username, staff_role, order_no, action, detail, remote_addr) "
	    "SELECT NOW(3), id, '=HYPERLINK(\"http://x\")', 'reviewer', NULL, '@cmd', "
	    "'+1, \"quoted\"', '-2+3' FROM staff WHERE username = 'reviewer'");
	/* 1201 rows (three pages and one row), all at one instant: paging must break the tie. */
	wiz_random_serial(tag);
	sql("INSERT INTO audit_log (at, staff_id, staff_username, staff_role, action, detail) "
	    "SELECT NOW(3) - INTERVAL 1 SECOND, s.id, 'reviewer', 'reviewer', 'bulk', CONCAT('%s-', q.seq) "
	    "FROM staff s JOIN seq_1_to_1201 q WHERE s.username = 'reviewer'", tag);
	snprintf(path, sizeof(path), "/api/review/audit.csv?from=%s&to=%s", today, today);
	get(&rev, path, &r);
	expect(&r, 403, "forbidden");
	api_free(&r);
	get(&adm, path, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(api_header(&r, "Content-Type", ct, sizeof(ct)));
	assert_non_null(strstr(ct, "text/csv"));
	assert_non_null(api_header(&r, "Content-Disposition", ct, sizeof(ct)));
	assert_non_null(strstr(ct, "attachment"));
	{
		static const char head[] =
			"\"id\",\"time\",\"staff\",\"role\",\"order_no\",\"action\",\"detail\",\"address\"\r\n";

		assert_true(strncmp(r.body, head, strlen(head)) == 0);
	}
	assert_non_null(strstr(r.body, "\"'=HYPERLINK(\"\"http://x\"\")\",\"reviewer\",\"\",\"'@cmd\",\"'+1, \"\"quoted\"\"\",\"'-2+3\"\r\n"));
	assert_null(strstr(r.body, ",\"=")); /* no cell starts a formula */
	assert_null(strstr(r.body, ",\"@"));
	assert_non_null(strstr(r.body, "\"view_pii\""));
	assert_non_null(strstr(r.body, "\"export_audit\""));
	/* Every bulk row once, across the pages. */
	snprintf(needle, sizeof(needle), "\"%s-", tag);
	for (p = r.body; (p = strstr(p, needle)) != NULL; p++)
		bulk++;
	assert_int_equal(bulk, 1201);
	snprintf(needle, sizeof(needle), "\"%s-1\",\"\"\r\n", tag);
	assert_non_null(strstr(r.body, needle));
	snprintf(needle, sizeof(needle), "\"%s-1201\",\"\"\r\n", tag);
	assert_non_null(strstr(r.body, needle));
	api_free(&r);
	/* Dates: both required, real, in order. */
	get(&adm, "/api/review/audit.csv?from=2026-02-30&to=2026-03-01", &r);
	expect(&r, 400, "invalid_field");
	assert_string_equal(api_error_field(&r), "from");
	api_free(&r);
	get(&adm, "/api/review/audit.csv?from=2026-03-02&to=2026-03-01", &r);
	expect(&r, 400, "invalid_field");
	api_free(&r);
	get(&adm, "/api/review/audit.csv?from=2026-03-02", &r);
	expect(&r, 400, "invalid_field");
	assert_string_equal(api_error_field(&r), "to");
	api_free(&r);
	/* The code never edits the trail. */
	{
		FILE *f = popen("grep -rniE '(update|delete from|replace into|truncate)[^;]*audit_log' "
				"fcgi-apps tools shared 2>/dev/null | wc -l", "r");
		char out[16] = "";

		assert_non_null(f);
		assert_non_null(fgets(out, sizeof(out), f));
		pclose(f);
		assert_int_equal(strtol(out, NULL, 10), 0);
	}
}

/* ---- hostile input changes nothing ---- */

static void expect_post(struct api_client *c, const char *no, const char *action, const char *json,
			long status, const char *code, const char *field)
{
	struct api_resp r;

	post(c, no, action, json, &r);
	expect(&r, status, code);
	if (field && (!api_error_field(&r) || strcmp(api_error_field(&r), field) != 0))
		fail_msg("%s %s: field %s expected: %.300s", action, json, field, r.body);
	api_free(&r);
}

static void test_hostile_input(void **state)
{
	char no[19], mobile[12], body[1200], v[300], path[200], bad[19], longnote[700];
	struct api_resp r;
	long long ver;

	(void)state;
	make_order(no, mobile, "bjca-zycg", "new", "org", NULL, "reviewing", 26000, "wechat");
	ver = version_of(no);
	snprintf(body, sizeof(body), "{\"version\":%lld,\"decision\":\"approve; DROP TABLE orders\"}", ver);
	expect_post(&rev, no, "decision", body, 400, "invalid_field", "decision");
	snprintf(body, sizeof(body), "{\"version\":%lld,\"decision\":\"return\",\"reason_code\":\"1' OR '1'='1\"}", ver);
	expect_post(&rev, no, "decision", body, 400, "invalid_field", "reason_code");
	snprintf(body, sizeof(body), "{\"version\":%lld,\"decision\":\"return\",\"reason_code\":\"abc\"}", ver);
	expect_post(&rev, no, "decision", body, 400, "invalid_field", "reason_code");
	snprintf(body, sizeof(body), "{\"version\":%lld,\"decision\":\"return\",\"reason_code\":\"998\"}", ver);
	expect_post(&rev, no, "decision", body, 400, "invalid_field", "reason_code");
	snprintf(body, sizeof(body), "{\"version\":%lld,\"decision\":\"reject\",\"reason_code\":\"015\","
		 "\"note\":\"bell\\u0007\"}", ver);
	expect_post(&rev, no, "decision", body, 400, "invalid_field", "note");
	memset(longnote, 'x', 201);
	longnote[201] = '\0';
	snprintf(body, sizeof(body), "{\"version\":%lld,\"decision\":\"reject\",\"reason_code\":\"015\","
		 "\"note\":\"%s\"}", ver, longnote);
	expect_post(&rev, no, "decision", body, 400, "invalid_field", "note");
	snprintf(body, sizeof(body), "{\"version\":%lld,\"decision\":\"reject\",\"reason_code\":\"015\","
		 "\"note\":\"\xff\xfe\"}", ver);
	expect_post(&rev, no, "decision", body, 400, "bad_json", NULL);
	snprintf(body, sizeof(body), "{\"version\":%lld,\"decision\":\"return\",\"reason_code\":\"012\","
		 "\"steps\":[\"../../etc\"]}", ver);
	expect_post(&rev, no, "decision", body, 400, "invalid_field", "steps");
	snprintf(body, sizeof(body), "{\"version\":%lld,\"decision\":\"return\",\"reason_code\":\"012\","
		 "\"steps\":\"handler\"}", ver);
	expect_post(&rev, no, "decision", body, 400, "invalid_field", "steps");
	snprintf(body, sizeof(body), "{\"version\":%lld,\"decision\":\"return\",\"reason_code\":\"012\"}", ver);
	expect_post(&rev, no, "decision", body, 400, "missing_field", "steps"); /* nothing to edit */
	expect_post(&rev, no, "decision", "{\"decision\":\"approve\"}", 400, "missing_field", "version");
	expect_post(&rev, no, "decision", "{\"version\":\"abc\",\"decision\":\"approve\"}", 400, "invalid_field", "version");
	expect_post(&rev, no, "decision", "{\"version\":-1,\"decision\":\"approve\"}", 400, "invalid_field", "version");
	expect_post(&rev, no, "decision", "{\"version\":1e3,\"decision\":\"approve\"}", 400, "invalid_field", "version");
	expect_post(&rev, no, "decision", "[1,2]", 400, "bad_json", NULL);
	/* A stale version: someone else moved it. */
	snprintf(body, sizeof(body), "{\"version\":%lld,\"decision\":\"approve\"}", ver + 7);
	expect_post(&rev, no, "decision", body, 409, "conflict", NULL);
	/* Another content type. */
	snprintf(path, sizeof(path), "/api/review/orders/%s/decision", no);
	api_call_raw(&rev, "POST", path, "text/plain", "decision=approve", 16, NULL, &r);
	expect(&r, 415, "unsupported_media_type");
	api_free(&r);
	/* Materials: only a known code of this order. */
	expect_post(&rev, no, "materials/APPLICATION_FORM", "{\"decision\":\"accept\"}", 404, "not_found", NULL);
	expect_post(&rev, no, "materials/a%2F..%2Fb", "{\"decision\":\"accept\"}", 404, "not_found", NULL);
	expect_post(&rev, no, "materials/application_form", "{\"decision\":\"maybe\"}", 400, "invalid_field", "decision");
	/* HTML is text: kept as typed, sent as JSON, never markup. */
	expect_post(&rev, no, "materials/application_form",
		    "{\"decision\":\"reject\",\"reason_code\":\"002\",\"note\":\"<script>alert(1)</script>\"}",
		    200, NULL, NULL);
	value(v, sizeof(v), "SELECT reject_reason FROM materials WHERE order_id = %lld", id_of(no));
	assert_string_equal(v, "扫描件不清晰，无法辨认内容（<script>alert(1)</script>）");
	/* Orders: a wrong check digit or an unknown number look alike. */
	snprintf(bad, sizeof(bad), "%s", no);
	bad[17] = bad[17] == '9' ? '0' : (char)(bad[17] + 1);
	expect_post(&rev, bad, "claim", NULL, 404, "not_found", NULL);
	expect_post(&rev, "%27%20OR%201%3D1%20--", "claim", NULL, 404, "not_found", NULL);
	/* Shipping input. */
	sql("UPDATE orders SET state = 'making', version = version + 1 WHERE order_no = '%s'", no);
	snprintf(body, sizeof(body), "{\"version\":%lld,\"carrier\":\"ups\",\"number\":\"1Z999\"}", version_of(no));
	expect_post(&shp, no, "shipped", body, 400, "invalid_field", "carrier");
	snprintf(body, sizeof(body), "{\"version\":%lld,\"carrier\":\"sf\",\"number\":\"SF1402345678901<b>\"}", version_of(no));
	expect_post(&shp, no, "shipped", body, 400, "bad_waybill", "number");
	snprintf(body, sizeof(body), "{\"version\":%lld,\"carrier\":\"sf\",\"number\":\"SF14023\\n45678901\"}", version_of(no));
	expect_post(&shp, no, "shipped", body, 400, "invalid_field", "number");
	snprintf(body, sizeof(body), "{\"version\":%lld,\"carrier\":\"sf\"}", version_of(no));
	expect_post(&shp, no, "shipped", body, 400, "missing_field", "number");
	/* Nothing of that moved the order or wrote a waybill. */
	state_of(no, v);
	assert_string_equal(v, "making");
	assert_int_equal(num("SELECT COUNT(*) FROM waybills WHERE order_id = (SELECT id FROM orders "
			     "WHERE order_no = '%s')", no), 0);
	/* Queue arguments. */
	{
		static const struct {
			const char *q, *field;
		} bad_q[] = {
			{ "state=bogus", "state" }, { "per_page=51", "per_page" }, { "per_page=0", "per_page" },
			{ "page=0", "page" }, { "page=-1", "page" }, { "page=1e3", "page" },
			{ "order_no=123456789012345678", "order_no" }, { "channel=nope", "channel" },
			{ "channel=%27%3B--", "channel" }, { "from=2026-02-30", "from" }, { "to=yesterday", "to" },
			{ "business=all", "business" }, { "kind=%3Cb%3E", "kind" }, { "subject=a%0Ab", "subject" },
			{ "subject=", "subject" }, { "queue=all", "queue" },
			{ "subject=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "subject" }, /* 51 */
			{ "subject=%FF%FE", "subject" },
		};

		for (size_t i = 0; i < sizeof(bad_q) / sizeof(bad_q[0]); i++) {
			snprintf(path, sizeof(path), "/api/review/queue?%s", bad_q[i].q);
			get(&adm, path, &r);
			if (r.status != 400 || !api_error_field(&r) ||
			    strcmp(api_error_field(&r), bad_q[i].field) != 0)
				fail_msg("queue?%s: %ld %.300s", bad_q[i].q, r.status, r.body);
			api_free(&r);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_role_matrix),
		cmocka_unit_test(test_two_stage_pipeline),
		cmocka_unit_test(test_pre_review_states_the_fee),
		cmocka_unit_test(test_pay_first_pipeline),
		cmocka_unit_test(test_stale_factor_refused_on_approve),
		cmocka_unit_test(test_renewal_and_revocation),
		cmocka_unit_test_teardown(test_four_eyes, four_eyes_off),
		cmocka_unit_test(test_lost_replacement_revokes),
		cmocka_unit_test(test_return_and_resubmit),
		cmocka_unit_test(test_returned_list),
		cmocka_unit_test(test_return_locks_what_was_not_sent_back),
		cmocka_unit_test(test_pages_decided_together),
		cmocka_unit_test(test_detail_masks_for_shipping),
		cmocka_unit_test(test_final_rejection_refunds),
		cmocka_unit_test(test_two_decisions_at_once),
		cmocka_unit_test(test_claims),
		cmocka_unit_test(test_detail_actions),
		cmocka_unit_test(test_working_days),
		cmocka_unit_test_teardown(test_escalation, escalation_off),
		cmocka_unit_test(test_queue_filters),
		cmocka_unit_test(test_queue_refuses_bad_dates_and_unknown_filters),
		cmocka_unit_test(test_queue_plans_use_an_index),
		cmocka_unit_test(test_audit_csv),
		cmocka_unit_test(test_hostile_input),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, setup, teardown);
}
