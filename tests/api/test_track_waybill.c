/* API tests: the applicant's waybill of the paper sent in (POST /api/track/orders/:no/waybill)
 * and the waybills with the courier's word on the public look-up, courier sandbox scripted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "apiclient.h"
#include "base/conf.h"
#include "ext/courier_refresh.h"
#include "crypto/crypto.h"
#include "db/db.h"
#include "domain/order.h"
#include "domain/order_steps.h"
#include "domain/orderno.h"
#include "wizclient.h"
#include "domain/workdays.h"

static struct conf conf;
static struct crypto_key key;
static struct db db;
static struct arena a;
static struct api_client owner, other;
static char owner_mobile[12], other_mobile[12];

/* ---- fixtures ------------------------------------------------------------------------- */

/* An order of c in state, its handler mobile set so the public look-up finds it. Its open_key
 * is cleared: one subject may have one open order per certificate, and these tests make many. */
static void make_order(struct api_client *c, const char *mobile, const char *state, char no[19])
{
	unsigned char enc[64];
	size_t n = 0;
	char sql[256];

	wiz_create(c, "jxca-js", "new", "org", NULL, no);
	snprintf(sql, sizeof(sql), "UPDATE orders SET state = '%s', mail_in = 1, open_key = NULL, claim_key = NULL "
		 "WHERE order_no = '%s'", state, no);
	wiz_sql(sql);
	assert_int_equal(crypto_seal(&key, mobile, 11, ORDER_AAD_HANDLER_MOBILE, enc, sizeof(enc), &n), 0);
	assert_int_equal(db_exec(&db, "UPDATE orders SET handler_mobile_enc = ? WHERE order_no = ?",
				 DB_ARGS(DB_BLOB(enc, n), DB_STR(no)), NULL, NULL), DB_OK);
}

static long long count(const char *sql, const char *no)
{
	struct db_rows rows;

	assert_int_equal(db_query(&db, &a, sql, DB_ARGS(DB_STR(no)), &rows), DB_OK);
	return strtoll(db_cell(&rows, 0, 0), NULL, 10);
}

static long long waybills_in(const char *no)
{
	return count("SELECT COUNT(*) FROM waybills w JOIN orders o ON o.id = w.order_id "
		     "WHERE o.order_no = ? AND w.direction = 'in'", no);
}

static long long paper_events(const char *no)
{
	return count("SELECT COUNT(*) FROM order_events e JOIN orders o ON o.id = e.order_id "
		     "WHERE o.order_no = ? AND e.kind = 'paper_sent' AND e.public = 1", no);
}

static void digits(char *out, size_t n)
{
	unsigned char r[32];

	assert_true(n <= sizeof(r));
	crypto_random(r, n);
	for (size_t i = 0; i < n; i++)
		out[i] = (char)('0' + r[i] % 10);
	out[n] = '\0';
}

/* An S10 identifier, its check digit computed here (independently of shared/ext/waybill.c). */
static void s10(char out[14])
{
	static const int w[8] = { 8, 6, 4, 2, 3, 5, 9, 7 };
	char d[9];
	int sum = 0, c;

	digits(d, 8);
	for (int i = 0; i < 8; i++)
		sum += (d[i] - '0') * w[i];
	c = 11 - sum % 11;
	c = c == 10 ? 0 : c == 11 ? 5 : c;
	snprintf(out, 14, "EA%s%cCN", d, (char)('0' + c));
}

/* A fresh, well-formed number of carrier (so no run collides with another's). */
static void fresh(const char *carrier, char out[40])
{
	char d[20];

	if (strcmp(carrier, "sf") == 0) {
		digits(d, 13);
		snprintf(out, 40, "SF%s", d);
	} else if (strcmp(carrier, "ems") == 0) {
		s10(out);
	} else if (strcmp(carrier, "zto") == 0) {
		digits(d, 12);
		snprintf(out, 40, "75%s", d);
	} else if (strcmp(carrier, "yto") == 0) {
		digits(d, 13);
		snprintf(out, 40, "YT%s", d);
	} else if (strcmp(carrier, "sto") == 0) {
		digits(d, 12);
		snprintf(out, 40, "773%s", d);
	} else if (strcmp(carrier, "yunda") == 0) {
		digits(d, 11);
		snprintf(out, 40, "43%s", d);
	} else if (strcmp(carrier, "jd") == 0) {
		digits(d, 11);
		snprintf(out, 40, "JDVA%s", d);
	} else {
		digits(d, 12);
		snprintf(out, 40, "DPK%s", d);
	}
}

static void enter(struct api_client *c, const char *no, const char *carrier, const char *number,
		  struct api_resp *r)
{
	json_t *body = json_pack("{s:s, s:s}", "carrier", carrier, "number", number);
	char path[96], *text = json_dumps(body, JSON_COMPACT);

	snprintf(path, sizeof(path), "/api/track/orders/%s/waybill", no);
	api_call(c, "POST", path, text, NULL, r);
	free(text);
	json_decref(body);
}

static void enter_raw(struct api_client *c, const char *no, const char *json, struct api_resp *r)
{
	char path[96];

	snprintf(path, sizeof(path), "/api/track/orders/%s/waybill", no);
	api_call(c, "POST", path, json, NULL, r);
}

/* The look-up, which must answer (wiz_track clears the counters an earlier test used). */
static void lookup(const char *no, const char *mobile, struct api_resp *r)
{
	wiz_track(no, mobile + 7, r);
	if (r->status != 200)
		fail_msg("look-up of %s: %ld %s", no, r->status, r->body);
}

static void script(const char *json)
{
	struct api_resp r;

	api_post_json("/sandbox/courier/tracks", json, &r);
	if (r.status != 200)
		fail_msg("sandbox script %s: %ld %s", json, r.status, r.body);
	api_free(&r);
}

/* What the background pass (certhall-admin courier) does, run here: passes until none asks
 * the courier (each failure postpones its waybill, so this ends). */
static void refresh(void)
{
	struct courier_refresh_stats st;

	for (int i = 0; i < 50; i++) {
		assert_int_equal(courier_refresh_run(&db, &a, &conf, 100, &st), DB_OK);
		arena_reset(&a);
		if (st.asked == 0)
			return;
	}
	fail_msg("the courier refresh pass kept finding due waybills");
}

/* Time passing, for one waybill: its refresh is due now. */
static void due_now(const char *number)
{
	assert_int_equal(db_exec(&db, "UPDATE waybills SET refresh_due = NOW(3) WHERE number = ?",
				 DB_ARGS(DB_STR(number)), NULL, NULL), DB_OK);
}

static long long waybill_count(const char *sql, const char *number)
{
	return count(sql, number);
}

/* The waybill of the look-up's answer in direction dir. */
static json_t *waybill(const struct api_resp *r, const char *dir)
{
	size_t i;
	json_t *w;

	json_array_foreach(json_object_get(r->json, "waybills"), i, w)
		if (strcmp(json_string_value(json_object_get(w, "direction")), dir) == 0)
			return w;
	return NULL;
}

static const char *str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int setup(void **state)
{
	char uscc[19];

	(void)state;
	if (wiz_open(&conf, &key, &db, &a) < 0)
		return -1;
	wiz_register_org(&owner, uscc, owner_mobile);
	wiz_register_org(&other, uscc, other_mobile);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	wiz_close(&db, &a);
	return 0;
}

/* ---- entering the waybill ------------------------------------------------------------- */

static const char *const carriers[] = { "sf", "ems", "zto", "yto", "sto", "yunda", "jd", "deppon" };
#define NCARRIERS (sizeof(carriers) / sizeof(carriers[0]))

/* A valid number of every carrier is taken; each replaces the one before (one 'in' waybill),
 * and each leaves a public paper_sent event naming carrier and number. */
static void test_every_carrier_accepted(void **state)
{
	char no[19], number[40];
	struct api_resp r;
	json_t *w;

	(void)state;
	make_order(&owner, owner_mobile, "awaiting_paper", no);
	for (size_t i = 0; i < NCARRIERS; i++) {
		fresh(carriers[i], number);
		enter(&owner, no, carriers[i], number, &r);
		if (r.status != 200)
			fail_msg("%s %s: %ld %s", carriers[i], number, r.status, r.body);
		w = json_object_get(r.json, "waybill");
		assert_string_equal(str(w, "carrier"), carriers[i]);
		assert_string_equal(str(w, "number"), number);
		assert_string_equal(str(w, "direction"), "in");
		assert_non_null(strstr(str(w, "note"), number));
		api_free(&r);
		assert_int_equal(waybills_in(no), 1);
		assert_int_equal(paper_events(no), (long long)i + 1);
	}
	/* The order did not move: staff record the arrival. */
	assert_int_equal(count("SELECT COUNT(*) FROM orders WHERE order_no = ? AND state = 'awaiting_paper'", no), 1);
}

/* Spaces, lower case and full-width characters of a Chinese input method are normalised. */
static void test_number_normalised(void **state)
{
	char no[19], number[40], typed[120];
	struct api_resp r;

	(void)state;
	make_order(&owner, owner_mobile, "awaiting_paper", no);
	fresh("sf", number);
	/* "sf" and the digits in groups, spaces around, an ideographic space (U+3000) inside. */
	snprintf(typed, sizeof(typed), " sf %.4s %.4s\xe3\x80\x80%.5s ", number + 2, number + 6, number + 10);
	enter(&owner, no, "sf", typed, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(str(json_object_get(r.json, "waybill"), "number"), number);
	api_free(&r);
	fresh("jd", number);
	snprintf(typed, sizeof(typed), "\xef\xbc\xaa\xef\xbc\xa4%s", number + 2); /* ＪＤ */
	enter(&owner, no, "jd", typed, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(str(json_object_get(r.json, "waybill"), "number"), number);
	api_free(&r);
}

/* A malformed number of every carrier: 400 bad_waybill on "number", the message gives the
 * carrier's format, and nothing is written. */
static void test_every_carrier_malformed(void **state)
{
	static const struct {
		const char *carrier, *number, *hint;
	} cases[] = {
		{ "sf", "SF14023456789", "SF 加 12 或 13 位数字" },
		{ "sf", "SF14023456789012", "SF 加 12 或 13 位数字" },
		{ "ems", "EA123456784CN", "校验位" },
		{ "ems", "EA12345678CN", "2 个字母、9 位数字" },
		{ "zto", "75123456789", "12 至 15 位数字" },
		{ "zto", "7512345678901234", "12 至 15 位数字" },
		{ "yto", "YT751234567890", "YT 加 13 位数字" },
		{ "sto", "7731234567890123", "12 至 15 位数字" },
		{ "yunda", "43123456789012", "13 位或 15 位数字" },
		{ "jd", "JDVA1140881448", "JD 开头的 15 位" },
		{ "deppon", "DPK36411204742", "DPK 加 12 位数字" },
		{ "sf", "YT7512345678901", "顺丰速运" },
	};
	char no[19], number[40];
	struct api_resp r;

	(void)state;
	make_order(&owner, owner_mobile, "awaiting_paper", no);
	fresh("sf", number);
	enter(&owner, no, "sf", number, &r);
	assert_int_equal(r.status, 200);
	api_free(&r);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enter(&owner, no, cases[i].carrier, cases[i].number, &r);
		api_expect_error(&r, 400, "bad_waybill");
		assert_string_equal(api_error_field(&r), "number");
		if (!strstr(r.body, cases[i].hint))
			fail_msg("%s %s: message lacks \"%s\": %s", cases[i].carrier, cases[i].number,
				 cases[i].hint, r.body);
		api_free(&r);
	}
	/* The first waybill stands, and no event was added. */
	assert_int_equal(waybills_in(no), 1);
	assert_int_equal(paper_events(no), 1);
	assert_int_equal(count("SELECT COUNT(*) FROM waybills w JOIN orders o ON o.id = w.order_id "
			       "WHERE o.order_no = ? AND w.carrier = 'sf'", no), 1);
}

static void expect_field(const char *no, const char *json, long status, const char *code,
			 const char *field)
{
	struct api_resp r;

	enter_raw(&owner, no, json, &r);
	api_expect_error(&r, status, code);
	if (field)
		assert_string_equal(api_error_field(&r), field);
	api_free(&r);
}

static void test_hostile_input(void **state)
{
	char no[19], big[200], json[400];

	(void)state;
	make_order(&owner, owner_mobile, "awaiting_paper", no);
	expect_field(no, "{\"carrier\":\"ups\",\"number\":\"1Z999AA10123456784\"}", 400, "invalid_field", "carrier");
	expect_field(no, "{\"carrier\":\"SF\",\"number\":\"SF1402345678901\"}", 400, "invalid_field", "carrier");
	expect_field(no, "{\"number\":\"SF1402345678901\"}", 400, "missing_field", "carrier");
	expect_field(no, "{\"carrier\":\"sf\"}", 400, "missing_field", "number");
	expect_field(no, "{\"carrier\":\"sf\",\"number\":14023456789012}", 400, "invalid_field", "number");
	expect_field(no, "{\"carrier\":\"sf\",\"number\":[\"SF1402345678901\"]}", 400, "invalid_field", "number");
	expect_field(no, "{\"carrier\":\"sf\",\"number\":\"SF1402345678901' OR '1'='1\"}", 400, "bad_waybill", "number");
	expect_field(no, "{\"carrier\":\"sf\",\"number\":\"<script>alert(1)</script>\"}", 400, "bad_waybill", "number");
	expect_field(no, "{\"carrier\":\"sf\",\"number\":\"SF14023\\n45678901\"}", 400, "invalid_field", "number");
	expect_field(no, "{\"carrier\":\"sf\",\"number\":\"SF14023\\u007f45678901\"}", 400, "invalid_field", "number");
	expect_field(no, "{\"carrier\":\"sf\",\"number\":\"SF1402345678901\\u0000\"}", 400, "bad_json", NULL);
	expect_field(no, "{\"carrier\":\"sf\",\"number\":\"SF\xff\xfe" "1402345678901\"}", 400, "bad_json", NULL);
	expect_field(no, "{\"carrier\":\"sf\",\"number\":\"SF1402345678901\",\"number\":\"x\"}", 400, "bad_json", NULL);
	expect_field(no, "not json", 400, "bad_json", NULL);
	/* 65 characters: over the field's length. */
	memset(big, '1', 65);
	big[65] = '\0';
	snprintf(json, sizeof(json), "{\"carrier\":\"sf\",\"number\":\"SF%s\"}", big);
	expect_field(no, json, 400, "invalid_field", "number");
	assert_int_equal(waybills_in(no), 0);
	assert_int_equal(paper_events(no), 0);
}

/* Only an order waiting for its paper takes a waybill: 409 otherwise, nothing written. */
static void test_wrong_state(void **state)
{
	static const char *const states[] = { "draft", "pre_review", "pending_payment",
					      "paper_review", "reviewing", "approved", "cancelled" };
	char no[19], number[40];
	struct api_resp r;

	(void)state;
	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		make_order(&owner, owner_mobile, states[i], no);
		fresh("sf", number);
		enter(&owner, no, "sf", number, &r);
		if (r.status != 409)
			fail_msg("state %s: %ld %s", states[i], r.status, r.body);
		api_expect_error(&r, 409, "wrong_state");
		api_free(&r);
		assert_int_equal(waybills_in(no), 0);
		assert_int_equal(paper_events(no), 0);
	}
}

/* Another applicant's order answers exactly like an unknown one; no login: 401. */
static void test_others_order(void **state)
{
	char no[19], number[40], unknown[19];
	struct api_resp r, u;

	(void)state;
	orderno_make(unknown, time(NULL), 7);
	make_order(&other, other_mobile, "awaiting_paper", no);
	fresh("sf", number);
	enter(&owner, no, "sf", number, &r);
	api_expect_error(&r, 404, "not_found");
	/* A well-formed number of no order. */
	enter(&owner, unknown, "sf", number, &u);
	api_expect_error(&u, 404, "not_found");
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "message")),
			    json_string_value(json_object_get(json_object_get(u.json, "error"), "message")));
	api_free(&r);
	api_free(&u);
	/* Even a malformed number gets the 404, not a hint about the order. */
	enter(&owner, no, "sf", "SF1", &r);
	api_expect_error(&r, 404, "not_found");
	api_free(&r);
	enter(NULL, no, "sf", number, &r);
	api_expect_error(&r, 401, "not_logged_in");
	api_free(&r);
	assert_int_equal(waybills_in(no), 0);
	/* The owner may. */
	enter(&other, no, "sf", number, &r);
	assert_int_equal(r.status, 200);
	api_free(&r);
	assert_int_equal(waybills_in(no), 1);
}

/* A number already entered for another order's paper is refused with 409, in words that
 * tell nothing of that order (nor that there is one). */
static void test_number_taken(void **state)
{
	char a1[19], a2[19], number[40];
	struct api_resp r;

	(void)state;
	make_order(&owner, owner_mobile, "awaiting_paper", a1);
	make_order(&other, other_mobile, "awaiting_paper", a2);
	fresh("yto", number);
	enter(&owner, a1, "yto", number, &r);
	assert_int_equal(r.status, 200);
	api_free(&r);
	enter(&other, a2, "yto", number, &r);
	api_expect_error(&r, 409, "conflict");
	assert_string_equal(api_error_field(&r), "number");
	{
		const char *msg = json_string_value(
			json_object_get(json_object_get(r.json, "error"), "message"));
		static const char *const telling[] = { "订单", "另一", "其他", "已登记", "已被", "占用" };

		assert_non_null(msg);
		for (size_t i = 0; i < sizeof(telling) / sizeof(telling[0]); i++)
			if (strstr(msg, telling[i]))
				fail_msg("the conflict message tells of another order (%s): %s",
					 telling[i], msg);
	}
	api_free(&r);
	assert_int_equal(waybills_in(a2), 0);
	assert_int_equal(paper_events(a2), 0);
	/* The same number again on its own order is fine (replaced by itself). */
	enter(&owner, a1, "yto", number, &r);
	assert_int_equal(r.status, 200);
	api_free(&r);
	assert_int_equal(waybills_in(a1), 1);
}

/* ---- the public look-up ---------------------------------------------------------------- */

/* The instant t as the courier writes it (China time, ISO 8601): compared as strings. */
static void china_time(time_t t, char out[32])
{
	struct tm tm;

	t += 8 * 3600;
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%S+08:00", &tm);
}

/* The order's product step with its mailing city, sealed as the wizard saves it. */
static void mail_city(const char *no, const char *city)
{
	long long id = count("SELECT id FROM orders WHERE order_no = ?", no);
	json_t *step = json_pack("{s:s}", "mail_city", city);
	unsigned char *sealed = NULL;
	size_t n = 0;

	assert_int_equal(order_steps_seal(&key, &a, id, "product", step, &sealed, &n), 0);
	json_decref(step);
	assert_int_equal(db_exec(&db, "INSERT INTO order_steps (order_id, step, data_enc, updated_at) "
				 "VALUES (?, 'product', ?, NOW(3))", DB_ARGS(DB_I64(id), DB_BLOB(sealed, n)),
				 NULL, NULL), DB_OK);
}

/* The timeline shows the paper_sent event; "waybills" shows both ways: first as entered, not
 * yet refreshed; after a background pass, with the courier's scripted state and events (and a
 * default track for a number nobody scripted) and the time of that refresh. */
static void test_lookup_shows_waybills(void **state)
{
	char no[19], in[40], out[40], json[1024], sql[512], shipped[32], now[32];
	struct api_resp r;
	json_t *w, *ev, *tl, *e;
	size_t i;
	bool seen = false;

	(void)state;
	make_order(&owner, owner_mobile, "awaiting_paper", no);
	fresh("sf", in);
	snprintf(json, sizeof(json),
		 "{\"carrier\":\"sf\",\"number\":\"%s\",\"state\":\"delivering\",\"events\":["
		 "{\"at\":\"2026-11-20T09:30:00+08:00\",\"text\":\"【深圳市】已揽收\"},"
		 "{\"at\":\"2026-11-21T08:10:00+08:00\",\"text\":\"【南昌市】派送中，快递员 王师傅\"}]}", in);
	script(json);
	enter(&owner, no, "sf", in, &r);
	assert_int_equal(r.status, 200);
	api_free(&r);
	/* The key shipped back five hours ago to the applicant's mailing city: recorded by staff
	 * (the review program's part), by hand here, as is the product step's city. */
	mail_city(no, "深圳市");
	fresh("ems", out);
	snprintf(sql, sizeof(sql),
		 "INSERT INTO waybills (order_id, direction, carrier, number, created_by_type, "
		 "created_by, created_at) SELECT id, 'out', 'ems', '%s', 'staff', 1, "
		 "NOW(3) - INTERVAL 5 HOUR FROM orders WHERE order_no = '%s'", out, no);
	wiz_sql(sql);
	china_time(time(NULL) - 5 * 3600 - 2, shipped);
	china_time(time(NULL) + 2, now);

	/* Before any refresh: as entered, nothing from the courier yet. */
	lookup(no, owner_mobile, &r);
	w = waybill(&r, "in");
	assert_non_null(w);
	assert_string_equal(str(w, "state"), "unknown");
	assert_int_equal(json_array_size(json_object_get(w, "events")), 0);
	assert_true(json_is_null(json_object_get(w, "refreshed_at")));
	api_free(&r);

	refresh();
	lookup(no, owner_mobile, &r);
	tl = json_object_get(r.json, "timeline");
	json_array_foreach(tl, i, e)
		if (strcmp(str(e, "event"), "paper_sent") == 0) {
			assert_non_null(strstr(str(e, "note"), in));
			assert_non_null(strstr(str(e, "note"), "顺丰速运"));
			seen = true;
		}
	assert_true(seen);
	assert_int_equal(json_array_size(json_object_get(r.json, "waybills")), 2);
	w = waybill(&r, "in");
	assert_non_null(w);
	assert_string_equal(str(w, "carrier"), "sf");
	assert_string_equal(str(w, "carrier_name"), "顺丰速运");
	assert_string_equal(str(w, "number"), in);
	assert_string_equal(str(w, "state"), "delivering");
	assert_string_equal(str(w, "state_name"), "派送中");
	assert_non_null(str(w, "refreshed_at"));
	assert_true(json_is_false(json_object_get(w, "refresh_failing")));
	ev = json_object_get(w, "events");
	assert_int_equal(json_array_size(ev), 2);
	assert_string_equal(str(json_array_get(ev, 1), "text"), "【南昌市】派送中，快递员 王师傅");
	assert_string_equal(str(json_array_get(ev, 0), "at"), "2026-11-20T09:30:00+08:00");
	/* The out waybill: nobody scripted it, the sandbox made up its track from the shipment:
	 * after it, in order, and from the CA's city (jxca-js: 南昌市) to the applicant's. */
	w = waybill(&r, "out");
	assert_non_null(w);
	assert_string_equal(str(w, "number"), out);
	assert_string_equal(str(w, "carrier_name"), "EMS（中国邮政）");
	assert_string_equal(str(w, "state"), "in_transit");
	ev = json_object_get(w, "events");
	assert_int_equal(json_array_size(ev), 2);
	assert_non_null(strstr(str(json_array_get(ev, 0), "text"), "【南昌市】"));
	assert_non_null(strstr(str(json_array_get(ev, 0), "text"), "揽收"));
	assert_non_null(strstr(str(json_array_get(ev, 1), "text"), "从【南昌市转运中心】发出，正发往【深圳市转运中心】"));
	assert_true(strcmp(str(json_array_get(ev, 0), "at"), shipped) > 0);
	assert_true(strcmp(str(json_array_get(ev, 1), "at"), str(json_array_get(ev, 0), "at")) > 0);
	assert_true(strcmp(str(json_array_get(ev, 1), "at"), now) < 0);
	/* Nothing personal in clear. */
	assert_null(strstr(r.body, owner_mobile));
	api_free(&r);
	/* The next refresh by state: out for delivery within the hour, in transit later. */
	assert_int_equal(waybill_count("SELECT COUNT(*) FROM waybills WHERE number = ? AND "
				       "refresh_due > NOW(3) + INTERVAL 590 SECOND AND "
				       "refresh_due < NOW(3) + INTERVAL 3600 SECOND", in), 1);
	assert_int_equal(courier_refresh_every("delivering"), 600);
	assert_true(courier_refresh_every("in_transit") > courier_refresh_every("delivering"));
	assert_true(courier_refresh_every("unknown") >= courier_refresh_every("in_transit"));
	assert_int_equal(courier_refresh_every("delivered"), 0);
}

/* A slow courier never slows a look-up: with the courier set to answer only after its
 * timeout, look-ups of an order with waybills answer from the database (the state and time
 * of the last refresh) within a client timeout far below the courier's; the background pass
 * records the failure and backs off; a delivered waybill is never asked about again. */
static void test_lookup_courier_slow(void **state)
{
	char no[19], number[40], json[1024], refreshed[40];
	long client_ms = conf.courier_timeout_ms / 3;
	struct api_resp r;
	json_t *w;

	(void)state;
	make_order(&owner, owner_mobile, "awaiting_paper", no);
	fresh("zto", number);
	snprintf(json, sizeof(json),
		 "{\"carrier\":\"zto\",\"number\":\"%s\",\"state\":\"in_transit\",\"events\":["
		 "{\"at\":\"2026-11-21T10:00:00+08:00\",\"text\":\"快件已到达【南昌转运中心】\"}]}", number);
	script(json);
	enter(&owner, no, "zto", number, &r);
	assert_int_equal(r.status, 200);
	api_free(&r);
	refresh();
	lookup(no, owner_mobile, &r);
	w = waybill(&r, "in");
	assert_string_equal(str(w, "state"), "in_transit");
	snprintf(refreshed, sizeof(refreshed), "%s", str(w, "refreshed_at"));
	api_free(&r);

	/* Silent: the sandbox answers only after the adapter's timeout (and a second more). */
	snprintf(json, sizeof(json), "{\"carrier\":\"zto\",\"number\":\"%s\",\"state\":\"delivered\","
		 "\"fail\":\"timeout\"}", number);
	script(json);
	due_now(number);
	/* The client gives up long before the courier would answer: a look-up that asked the
	 * courier could not pass. Generous all the same: a look-up takes milliseconds. */
	assert_true(client_ms >= 500);
	api_timeout_ms(client_ms);
	for (int i = 0; i < 3; i++) {
		lookup(no, owner_mobile, &r);
		w = waybill(&r, "in");
		assert_non_null(w);
		assert_string_equal(str(w, "state"), "in_transit");
		assert_string_equal(str(w, "refreshed_at"), refreshed);
		assert_string_equal(str(json_array_get(json_object_get(w, "events"), 0), "text"),
				    "快件已到达【南昌转运中心】");
		assert_string_equal(str(json_object_get(r.json, "order"), "order_no"), no);
		api_free(&r);
	}
	api_timeout_ms(0);

	/* The background pass meets the timeout: it keeps the last answer, counts the failure
	 * and tries again after the backoff. */
	refresh();
	assert_int_equal(waybill_count("SELECT COUNT(*) FROM waybills WHERE number = ? AND "
				       "refresh_failures = 1 AND last_state = 'in_transit' AND "
				       "refresh_due >= NOW(3) + INTERVAL 50 SECOND", number), 1);
	lookup(no, owner_mobile, &r);
	w = waybill(&r, "in");
	assert_string_equal(str(w, "state"), "in_transit");
	assert_string_equal(str(w, "refreshed_at"), refreshed);
	assert_true(json_is_true(json_object_get(w, "refresh_failing")));
	api_free(&r);
	assert_int_equal(courier_refresh_backoff(1), COURIER_BACKOFF_BASE);
	assert_int_equal(courier_refresh_backoff(2), 2 * COURIER_BACKOFF_BASE);
	assert_int_equal(courier_refresh_backoff(40), COURIER_BACKOFF_MAX);

	/* Back, and delivered: never asked again, whatever the courier would say next. */
	snprintf(json, sizeof(json), "{\"carrier\":\"zto\",\"number\":\"%s\",\"state\":\"delivered\","
		 "\"events\":[{\"at\":\"2026-11-22T10:00:00+08:00\",\"text\":\"已签收，签收人：收发室\"}]}",
		 number);
	script(json);
	due_now(number);
	refresh();
	assert_int_equal(waybill_count("SELECT COUNT(*) FROM waybills WHERE number = ? AND "
				       "last_state = 'delivered' AND refresh_due IS NULL AND "
				       "refresh_failures = 0", number), 1);
	snprintf(json, sizeof(json), "{\"carrier\":\"zto\",\"number\":\"%s\",\"state\":\"in_transit\"}",
		 number);
	script(json);
	refresh();
	lookup(no, owner_mobile, &r);
	w = waybill(&r, "in");
	assert_string_equal(str(w, "state"), "delivered");
	assert_string_equal(str(w, "state_name"), "已签收");
	assert_true(json_is_false(json_object_get(w, "refresh_failing")));
	api_free(&r);

	/* A waybill the courier was never reached for: state unknown, no events, still 200. */
	{
		char no2[19], n2[40];

		make_order(&owner, owner_mobile, "awaiting_paper", no2);
		fresh("sto", n2);
		snprintf(json, sizeof(json), "{\"carrier\":\"sto\",\"number\":\"%s\",\"state\":\"collected\","
			 "\"fail\":\"unavailable\"}", n2);
		script(json);
		enter(&owner, no2, "sto", n2, &r);
		assert_int_equal(r.status, 200);
		api_free(&r);
		refresh();
		lookup(no2, owner_mobile, &r);
		w = waybill(&r, "in");
		assert_string_equal(str(w, "state"), "unknown");
		assert_int_equal(json_array_size(json_object_get(w, "events")), 0);
		assert_true(json_is_null(json_object_get(w, "refreshed_at")));
		assert_true(json_is_true(json_object_get(w, "refresh_failing")));
		api_free(&r);
	}
}

/* The sandbox's own checks: a track query must be signed; scripts are checked. */
static void test_sandbox_courier(void **state)
{
	struct api_resp r;

	(void)state;
	api_get("/sandbox/courier/tracks/sf/SF1402345678901", &r);
	assert_int_equal(r.status, 401);
	api_free(&r);
	api_post_json("/sandbox/courier/tracks", "{\"carrier\":\"ups\",\"number\":\"1\",\"state\":\"unknown\"}", &r);
	assert_int_equal(r.status, 400);
	api_free(&r);
	api_post_json("/sandbox/courier/tracks", "{\"carrier\":\"sf\",\"number\":\"SF1\",\"state\":\"unknown\"}", &r);
	assert_int_equal(r.status, 400);
	api_free(&r);
	api_post_json("/sandbox/courier/tracks",
		      "{\"carrier\":\"sf\",\"number\":\"SF1402345678901\",\"state\":\"lost\"}", &r);
	assert_int_equal(r.status, 400);
	api_free(&r);
	api_post_json("/sandbox/courier/tracks",
		      "{\"carrier\":\"sf\",\"number\":\"SF1402345678901\",\"state\":\"unknown\","
		      "\"events\":[{\"at\":\"x\",\"text\":\"a\\u0007b\"}]}", &r);
	assert_int_equal(r.status, 400);
	api_free(&r);
}

/* The seeded calendar (schema/seed/holidays.sql) as workdays_load reads it from the stack. */
static void test_holiday_calendar_seeded(void **state)
{
	struct workdays_cal cal;
	int32_t from, to;

	(void)state;
	assert_int_equal(workdays_load(&db, &a, &cal), DB_OK);
	assert_true(cal.noff >= 33 + 13);
	assert_int_equal(cal.non, 6);
	for (size_t i = 1; i < cal.noff; i++)
		assert_true(cal.off[i - 1] < cal.off[i]);
	/* 国庆 2026: 9-30 to 10-10 is 3 working days (10-08, 10-09, and Saturday 10-10). */
	assert_true(workdays_parse("2026-09-30", &from) && workdays_parse("2026-10-10", &to));
	assert_int_equal(workdays_count(from, to, &cal), 3);
	/* 2027 (provisional): 春节 2-05..2-08 off. */
	assert_true(workdays_parse("2027-02-04", &from) && workdays_parse("2027-02-10", &to));
	assert_int_equal(workdays_count(from, to, &cal), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_carrier_accepted),
		cmocka_unit_test(test_number_normalised),
		cmocka_unit_test(test_every_carrier_malformed),
		cmocka_unit_test(test_hostile_input),
		cmocka_unit_test(test_wrong_state),
		cmocka_unit_test(test_others_order),
		cmocka_unit_test(test_number_taken),
		cmocka_unit_test(test_lookup_shows_waybills),
		cmocka_unit_test(test_lookup_courier_slow),
		cmocka_unit_test(test_sandbox_courier),
		cmocka_unit_test(test_holiday_calendar_seeded),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
