/* API tests: the wizard's catalog and quotes, "my certificates", "my orders" (list, detail,
 * cancel), draft expiry, and the seeded agreements and demo certificates. */
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
#include "domain/orderno.h"
#include "wizclient.h"

static struct conf conf;
static struct db db;
static struct arena a;
/* Two organisations: a and b. Each test that needs a clean slate registers its own. */
static struct api_client ca, cb;
static char uscc_a[19], uscc_b[19], mobile_a[12], mobile_b[12];

/* ---- helpers */

static long long account_id(const char *login)
{
	struct db_rows rows;

	assert_int_equal(db_query(&db, &a, "SELECT id FROM accounts WHERE login_name = ?",
				  DB_ARGS(DB_STR(login)), &rows), DB_OK);
	assert_int_equal(rows.nrows, 1);
	return strtoll(db_cell(&rows, 0, 0), NULL, 10);
}

static long long order_id(const char *no)
{
	struct db_rows rows;

	assert_int_equal(db_query(&db, &a, "SELECT id FROM orders WHERE order_no = ?",
				  DB_ARGS(DB_STR(no)), &rows), DB_OK);
	assert_int_equal(rows.nrows, 1);
	return strtoll(db_cell(&rows, 0, 0), NULL, 10);
}

/* One cell of a query about an order, "" for NULL. */
static const char *order_col(const char *no, const char *col)
{
	struct db_rows rows;
	char sql[200];

	snprintf(sql, sizeof(sql), "SELECT %s FROM orders WHERE order_no = ?", col);
	assert_int_equal(db_query(&db, &a, sql, DB_ARGS(DB_STR(no)), &rows), DB_OK);
	assert_int_equal(rows.nrows, 1);
	return db_cell(&rows, 0, 0) ? db_cell(&rows, 0, 0) : "";
}

static void exec(const char *sql, const struct db_param *p, size_t n)
{
	if (db_exec(&db, sql, p, n, NULL, NULL) != DB_OK)
		fail_msg("%s: %s", sql, db.last_error);
}

/* An order put straight into the database (its history is not the point of the test).
 * created: "YYYY-MM-DD HH:MM:SS" (China time), NULL for now. amount < 0: none. */
static void put_order(char no[19], long long account, const char *channel, const char *business,
		      const char *kind, const char *state, const char *subject, const char *created,
		      long long amount)
{
	assert_int_equal(orderno_make(no, time(NULL), 9), 0);
	exec("INSERT INTO orders (order_no, channel_id, account_id, business_type, cert_kind, state, "
	     "subject_name, created_at, updated_at, amount_fen) "
	     "SELECT ?, id, ?, ?, ?, ?, ?, COALESCE(?, NOW(3)), NOW(3), ? FROM channels WHERE code = ?",
	     DB_ARGS(DB_STR(no), DB_I64(account), DB_STR(business), DB_STR(kind), DB_STR(state),
		     DB_STR(subject), created ? DB_STR(created) : DB_NULL,
		     amount >= 0 ? DB_I64(amount) : DB_NULL, DB_STR(channel)));
}

static void set_state(const char *no, const char *state)
{
	exec("UPDATE orders SET state = ? WHERE order_no = ?", DB_ARGS(DB_STR(state), DB_STR(no)));
}

static void put_payment(const char *no, const char *state, long long fen)
{
	char pay_no[25];

	crypto_token_hex(pay_no, sizeof(pay_no), 12);
	exec("INSERT INTO payments (order_id, method, amount_fen, pay_no, state, created_at, paid_at) "
	     "VALUES (?, 'wechat', ?, ?, ?, NOW(3), IF(? = 'paid', NOW(3), NULL))",
	     DB_ARGS(DB_I64(order_id(no)), DB_I64(fen), DB_STR(pay_no), DB_STR(state), DB_STR(state)));
}

static void put_step(const char *no, const char *step)
{
	exec("INSERT INTO order_steps (order_id, step, data_enc, updated_at) VALUES (?, ?, 'x', NOW(3)) "
	     "ON DUPLICATE KEY UPDATE updated_at = NOW(3)",
	     DB_ARGS(DB_I64(order_id(no)), DB_STR(step)));
}

static void put_material(const char *no, const char *material, int version, const char *state)
{
	/* As an upload does: the page's pending or rejected scan before it is replaced. */
	exec("UPDATE materials SET state = 'replaced' WHERE order_id = ? AND material = ? AND page = 1 "
	     "AND state IN ('pending', 'rejected')", DB_ARGS(DB_I64(order_id(no)), DB_STR(material)));
	exec("INSERT INTO materials (order_id, material, version, sha256, thumb_sha256, bytes, width, "
	     "height, src_type, src_bytes, state, uploaded_by, created_at) "
	     "VALUES (?, ?, ?, REPEAT('a', 64), REPEAT('b', 64), 1000, 800, 600, 'jpeg', 1000, ?, 1, NOW(3))",
	     DB_ARGS(DB_I64(order_id(no)), DB_STR(material), DB_I64(version), DB_STR(state)));
}

static void login(struct api_client *c, const char *name, const char *password)
{
	char body[200];
	struct api_resp r;

	memset(c, 0, sizeof(*c));
	snprintf(body, sizeof(body), "{\"login_name\":\"%s\",\"password\":\"%s\"}", name, password);
	api_call(c, "POST", "/api/account/login", body, NULL, &r);
	if (r.status != 200)
		fail_msg("login %s: %ld %s", name, r.status, r.body);
	api_free(&r);
}

/* Percent-encodes s for a query string. */
static const char *enc(const char *s)
{
	static char buf[4][1200];
	static int k;
	char *out = buf[k++ % 4];
	size_t o = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p && o + 4 < sizeof(buf[0]); p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    *p == '-' || *p == '_' || *p == '.')
			out[o++] = (char)*p;
		else
			o += (size_t)snprintf(out + o, 4, "%%%02X", *p);
	}
	out[o] = '\0';
	return out;
}

static json_t *find_by(json_t *arr, const char *key, const char *value)
{
	size_t i;
	json_t *it;

	json_array_foreach(arr, i, it) {
		const char *v = json_string_value(json_object_get(it, key));

		if (v && strcmp(v, value) == 0)
			return it;
	}
	return NULL;
}

static bool has_code(json_t *arr, const char *code)
{
	return find_by(arr, "code", code) != NULL;
}

/* The array of strings as "a,b,c". */
static const char *joined(json_t *arr)
{
	static char buf[400];
	size_t i, o = 0;
	json_t *it;

	buf[0] = '\0';
	json_array_foreach(arr, i, it)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s", i ? "," : "",
				      json_string_value(it) ? json_string_value(it) : "?");
	return buf;
}

static const char *str(json_t *obj, const char *key)
{
	const char *v = json_string_value(json_object_get(obj, key));

	if (!v)
		fail_msg("no string %s", key);
	return v;
}

static void expect_field_error(struct api_client *c, const char *path, long status,
			       const char *code, const char *field)
{
	struct api_resp r;

	api_call(c, "GET", path, NULL, NULL, &r);
	if (r.status != status || !api_error_code(&r) || strcmp(api_error_code(&r), code) != 0 ||
	    (field && (!api_error_field(&r) || strcmp(api_error_field(&r), field) != 0)))
		fail_msg("%s: expected %ld %s (%s), got %ld %.300s", path, status, code,
			 field ? field : "-", r.status, r.body);
	api_expect_error(&r, status, code);
	api_free(&r);
}

static int setup(void **state)
{
	(void)state;
	if (wiz_open(&conf, NULL, &db, &a) < 0)
		return -1;
	wiz_register_org(&ca, uscc_a, mobile_a);
	wiz_register_org(&cb, uscc_b, mobile_b);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	wiz_close(&db, &a);
	return 0;
}

/* ---- catalog, quotes, agreements */

static void test_catalog(void **state)
{
	struct api_resp r;
	json_t *ch, *c, *list;
	size_t i;

	(void)state;
	api_call(NULL, "GET", "/api/wizard/catalog", NULL, NULL, &r); /* public: no login */
	assert_int_equal(r.status, 200);
	ch = json_object_get(r.json, "channels");
	assert_int_equal(json_array_size(ch), 5);
	json_array_foreach(ch, i, c) {
		static const char *const lists[] = { "businesses", "kinds", "verify_methods",
						     "handler_methods", "pay_methods" };

		assert_non_null(json_object_get(c, "ca_name"));
		assert_true(json_is_boolean(json_object_get(c, "mail_in")));
		/* A review time where the hall's guide prints one; null where it prints none (004). */
		if (strcmp(str(c, "code"), "jxca-js") == 0)
			assert_true(json_is_null(json_object_get(c, "review_days_min")));
		else
			assert_true(json_integer_value(json_object_get(c, "review_days_min")) >= 1);
		/* Every code carries its zh-CN name. */
		for (size_t l = 0; l < 5; l++) {
			size_t k;
			json_t *it;

			list = json_object_get(c, lists[l]);
			assert_true(json_array_size(list) > 0);
			json_array_foreach(list, k, it)
				assert_true(strlen(str(it, "name")) > 0);
		}
	}
	/* 002: 【单位证书】 only; WeChat or Alipay; the mail-in fallback. */
	c = find_by(ch, "code", "bjca-zycg");
	assert_non_null(c);
	assert_int_equal(json_array_size(json_object_get(c, "kinds")), 1);
	assert_string_equal(str(json_array_get(json_object_get(c, "kinds"), 0), "name"), "机构证书");
	/* 002 names 新办, 更新, 丢失补办, 损坏补办, 信息变更, 解锁, 吊销: never 新增. */
	assert_int_equal(json_array_size(json_object_get(c, "businesses")), 7);
	assert_false(has_code(json_object_get(c, "businesses"), "add"));
	assert_true(has_code(json_object_get(c, "pay_methods"), "wechat"));
	assert_false(has_code(json_object_get(c, "pay_methods"), "counter"));
	assert_int_equal(json_array_size(json_object_get(c, "verify_methods")), 4);
	assert_true(json_is_true(json_object_get(c, "mail_in")));
	assert_string_equal(str(c, "flow"), "pay_first");
	/* 003 "邮寄办理时间:收件后3个工作日办结" — not 3 to 5. */
	assert_int_equal(json_integer_value(json_object_get(find_by(ch, "code", "netca-gd"),
							    "review_days_max")), 3);
	/* 001: 银行金融认证 only, the handler by face; no counter; no paper route. */
	c = find_by(ch, "code", "szca");
	assert_int_equal(json_array_size(json_object_get(c, "verify_methods")), 1);
	assert_string_equal(str(json_array_get(json_object_get(c, "verify_methods"), 0), "name"),
			    "企业对公打款认证");
	assert_int_equal(json_array_size(json_object_get(c, "handler_methods")), 1);
	assert_true(has_code(json_object_get(c, "handler_methods"), "face"));
	assert_false(has_code(json_object_get(c, "pay_methods"), "counter"));
	assert_true(json_is_false(json_object_get(c, "mail_in")));
	/* 003: all three kinds, Alipay / transfer / counter, mail-in. */
	c = find_by(ch, "code", "netca-gd");
	assert_int_equal(json_array_size(json_object_get(c, "kinds")), 3);
	assert_true(has_code(json_object_get(c, "businesses"), "add"));
	assert_false(has_code(json_object_get(c, "pay_methods"), "wechat"));
	assert_true(has_code(json_object_get(c, "pay_methods"), "counter"));
	assert_true(json_is_true(json_object_get(c, "mail_in")));
	/* 004: two stages, the legal representative's face by QR, no personal certificates. */
	c = find_by(ch, "code", "jxca-js");
	assert_string_equal(str(c, "flow"), "two_stage");
	assert_int_equal(json_array_size(json_object_get(c, "verify_methods")), 1);
	assert_string_equal(str(json_array_get(json_object_get(c, "verify_methods"), 0), "code"),
			    "lr_face");
	assert_false(has_code(json_object_get(c, "kinds"), "person"));
	assert_true(json_is_false(json_object_get(c, "mail_in")));
	/* 000: the four enterprise methods, 单位证书. */
	c = find_by(ch, "code", "cecep");
	assert_int_equal(json_array_size(json_object_get(c, "verify_methods")), 4);
	assert_true(has_code(json_object_get(c, "businesses"), "lost"));
	assert_string_equal(str(find_by(json_object_get(c, "businesses"), "code", "lost"), "name"),
			    "遗失补办");
	/* Years 1-5, and each hall's current agreements (0028: each hall its own). */
	list = json_object_get(r.json, "years");
	assert_int_equal(json_array_size(list), 5);
	assert_int_equal(json_integer_value(json_array_get(list, 0)), 1);
	assert_int_equal(json_integer_value(json_array_get(list, 4)), 5);
	assert_null(json_object_get(r.json, "agreements"));
	for (size_t k = 0; k < json_array_size(ch); k++) {
		list = json_object_get(json_array_get(ch, k), "agreements");
		assert_int_equal(json_array_size(list), 2);
		assert_string_equal(str(find_by(list, "code", "service"), "version"), "2026.1");
		assert_string_equal(str(find_by(list, "code", "service"), "title"), "数字证书服务协议");
		assert_string_equal(str(find_by(list, "code", "privacy"), "title"), "敏感个人信息处理授权书");
	}
	api_free(&r);
}

/* The catalog offers nothing that cannot be finished: every business it offers, for every kind
 * it names, has a price the applicant can pay (a complete quote), or is a two-stage hall's,
 * whose pre-reviewer states the price before anyone pays (004); and every business and kind a
 * hall lists but cannot price is left out, and refused when quoted. */
static void test_catalog_finishable(void **state)
{
	static const char *const businesses[] = { "new",     "add",    "renew",  "lost",
						  "damaged", "change", "unlock", "revoke" };
	static const char *const kinds[] = { "org", "legal_rep", "person" };
	struct api_resp r, q;
	json_t *ch, *c;
	size_t i, offered = 0, refused = 0;
	char path[200];

	(void)state;
	api_call(NULL, "GET", "/api/wizard/catalog", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	ch = json_object_get(r.json, "channels");
	json_array_foreach(ch, i, c) {
		const char *code = str(c, "code");
		bool two_stage = strcmp(str(c, "flow"), "two_stage") == 0;

		for (size_t b = 0; b < 8; b++)
			for (size_t k = 0; k < 3; k++) {
				json_t *biz = find_by(json_object_get(c, "businesses"), "code",
						      businesses[b]);
				json_t *kind = biz ? find_by(json_object_get(biz, "kinds"), "code",
							     kinds[k]) : NULL;

				snprintf(path, sizeof(path),
					 "/api/wizard/quote?channel=%s&business=%s&kind=%s&years=1",
					 code, businesses[b], kinds[k]);
				api_call(NULL, "GET", path, NULL, NULL, &q);
				if (!kind) {
					if (q.status != 400 || strcmp(str(json_object_get(q.json, "error"),
									  "code"), "not_offered") != 0)
						fail_msg("%s: not offered, yet %ld %s", path, q.status,
							 q.body);
					refused++;
					api_free(&q);
					continue;
				}
				offered++;
				if (q.status != 200)
					fail_msg("%s: offered, yet %ld %s", path, q.status, q.body);
				if (!json_is_true(json_object_get(q.json, "complete")) &&
				    !(two_stage && strcmp(str(q.json, "basis"), "quoted") == 0))
					fail_msg("%s: offered with no price the applicant can pay: %s",
						 path, q.body);
				assert_string_equal(str(kind, "basis"), str(q.json, "basis"));
				/* The kind is one the channel names. */
				assert_non_null(find_by(json_object_get(c, "kinds"), "code", kinds[k]));
				api_free(&q);
			}
	}
	assert_true(offered > 0 && refused > 0);
	api_free(&r);
}

struct quote_case {
	const char *query;
	bool complete;
	const char *total;     /* NULL when incomplete */
	const char *items;     /* "code=amount,..." in order */
};

/* Every fee the guides state (schema/seed/fees.sql quotes them), the demo prices borrowed where a
 * guide states none (each row says from where), and the two-stage hall's quoted ones. */
static const struct quote_case quotes[] = {
	/* 002 "证书费用：260元/套". */
	{ "channel=bjca-zycg&business=new&kind=org&years=1", true, "260.00", "cert_set=260.00" },
	/* 002 "只收取证书年服务费用180元/张"; "顺延一年". */
	{ "channel=bjca-zycg&business=renew&kind=org&years=1", true, "180.00", "annual_service=180.00" },
	/* 002 "证书丢失补办只收取证书介质费用80元/个"; 损坏 the same; 解锁 免费. */
	{ "channel=bjca-zycg&business=lost&kind=org&years=1", true, "80.00", "media=80.00" },
	{ "channel=bjca-zycg&business=damaged&kind=org", true, "80.00", "media=80.00" },
	{ "channel=bjca-zycg&business=unlock&kind=org&years=1&seal=0", true, "0.00", "unlock=0.00" },
	/* 002 prints no fee for 信息变更 and 吊销: 003's "免费", the closest hall that states one. */
	{ "channel=bjca-zycg&business=change&kind=org&years=1", true, "0.00", "change=0.00" },
	{ "channel=bjca-zycg&business=revoke&kind=org&years=1", true, "0.00", "revoke=0.00" },
	/* 003 "机构数字证书:首年:600元/张(包含介质费200元) 次年:400元/年/张". */
	{ "channel=netca-gd&business=new&kind=org&years=1", true, "600.00", "first_year=600.00" },
	{ "channel=netca-gd&business=new&kind=org&years=3", true, "1400.00",
	  "first_year=600.00,further_year=800.00" },
	{ "channel=netca-gd&business=new&kind=org&years=5", true, "2200.00",
	  "first_year=600.00,further_year=1600.00" },
	/* 003 法人代表 / 自然人 "首年:360元/张 次年:160元/年/张". */
	{ "channel=netca-gd&business=new&kind=legal_rep&years=2", true, "520.00",
	  "first_year=360.00,further_year=160.00" },
	{ "channel=netca-gd&business=new&kind=person&years=1", true, "360.00", "first_year=360.00" },
	{ "channel=netca-gd&business=add&kind=org&years=2", true, "1000.00",
	  "first_year=600.00,further_year=400.00" },
	/* 003 续期 "机构数字证书: 400元/年/张", "自然人(个人)数字证书:160元/年/张". */
	{ "channel=netca-gd&business=renew&kind=org&years=2", true, "800.00", "renew_year=800.00" },
	{ "channel=netca-gd&business=renew&kind=person&years=1", true, "160.00", "renew_year=160.00" },
	/* 003 "费用:200元/次/张"; 变更、注销 "免费"; 解锁 unpriced: 002's "免费办理". */
	{ "channel=netca-gd&business=lost&kind=person&years=1", true, "200.00", "replacement=200.00" },
	{ "channel=netca-gd&business=damaged&kind=org&years=1", true, "200.00", "replacement=200.00" },
	{ "channel=netca-gd&business=change&kind=org&years=1", true, "0.00", "change=0.00" },
	{ "channel=netca-gd&business=revoke&kind=legal_rep&years=1", true, "0.00", "revoke=0.00" },
	{ "channel=netca-gd&business=unlock&kind=org&years=1", true, "0.00", "unlock=0.00" },
	/* 001 "补办费用: 0.00元"; the rest 003's, the hall of the same province. */
	{ "channel=szca&business=lost&kind=legal_rep&years=1", true, "0.00", "replacement=0.00" },
	{ "channel=szca&business=new&kind=org&years=1", true, "600.00", "first_year=600.00" },
	{ "channel=szca&business=new&kind=person&years=2", true, "520.00",
	  "first_year=360.00,further_year=160.00" },
	/* 000 names no fee: BJCA's (002), whose steps it follows. */
	{ "channel=cecep&business=new&kind=org&years=1", true, "260.00", "cert_set=260.00" },
	{ "channel=cecep&business=lost&kind=org&years=1", true, "80.00", "media=80.00" },
	/* 004 "工作人员预审证件通过→付款"; "补办含有电子印章的数字证书须重新制作电子印章，收费130元
	 * 整": the replacement is quoted at pre-review, the seal is stated. */
	{ "channel=jxca-js&business=lost&kind=org&years=1&seal=1", false, NULL, "seal_remake=130.00" },
	{ "channel=jxca-js&business=damaged&kind=legal_rep&years=1&seal=1", false, NULL,
	  "seal_remake=130.00" },
	{ "channel=jxca-js&business=lost&kind=org&years=1&seal=0", false, NULL, "" },
	{ "channel=jxca-js&business=new&kind=org&years=1", false, NULL, "" },
};

static void test_quotes(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(quotes) / sizeof(quotes[0]); i++) {
		const struct quote_case *q = &quotes[i];
		char path[300], items[200];
		struct api_resp r;
		json_t *arr, *it;
		size_t k, o = 0;

		snprintf(path, sizeof(path), "/api/wizard/quote?%s", q->query);
		api_call(NULL, "GET", path, NULL, NULL, &r);
		if (r.status != 200)
			fail_msg("%s: %ld %s", q->query, r.status, r.body);
		if (json_is_true(json_object_get(r.json, "complete")) != q->complete)
			fail_msg("%s: complete should be %d: %s", q->query, q->complete, r.body);
		arr = json_object_get(r.json, "items");
		items[0] = '\0';
		json_array_foreach(arr, k, it) {
			/* Yuan strings and fen agree. */
			int64_t fen = json_integer_value(json_object_get(it, "amount_fen"));
			char yuan[32];

			snprintf(yuan, sizeof(yuan), "%lld.%02lld", (long long)(fen / 100),
				 (long long)(fen % 100));
			assert_string_equal(str(it, "amount"), yuan);
			assert_true(strlen(str(it, "label")) > 0);
			o += (size_t)snprintf(items + o, sizeof(items) - o, "%s%s=%s", k ? "," : "",
					      str(it, "code"), str(it, "amount"));
		}
		if (strcmp(items, q->items) != 0)
			fail_msg("%s: items %s, expected %s", q->query, items, q->items);
		if (q->complete) {
			assert_string_equal(str(r.json, "total"), q->total);
			assert_true(json_is_null(json_object_get(r.json, "note")));
		} else {
			assert_true(json_is_null(json_object_get(r.json, "total")));
			assert_string_equal(str(r.json, "basis"), "quoted");
			assert_string_equal(str(r.json, "note"),
					    "费用由认证机构工作人员在预审通过时确认，确认后再支付");
		}
		api_free(&r);
	}
	/* Unit price and quantity of a per-year item. */
	{
		struct api_resp r;
		json_t *it;

		api_call(NULL, "GET", "/api/wizard/quote?channel=netca-gd&business=new&kind=org&years=4",
			 NULL, NULL, &r);
		it = json_array_get(json_object_get(r.json, "items"), 1);
		assert_string_equal(str(it, "unit"), "400.00");
		assert_int_equal(json_integer_value(json_object_get(it, "qty")), 3);
		assert_int_equal(json_integer_value(json_object_get(r.json, "total_fen")), 180000);
		assert_string_equal(str(r.json, "business_name"), "新办");
		api_free(&r);
	}
}

static void test_quote_bad_parameters(void **state)
{
	static const struct {
		const char *query, *code, *field;
	} bad[] = {
		{ "business=new&kind=org&years=1", "missing_field", "channel" },
		{ "channel=bjca-zycg&kind=org", "missing_field", "business" },
		{ "channel=bjca-zycg&business=new", "missing_field", "kind" },
		{ "channel=nope&business=new&kind=org", "invalid_field", "channel" },
		{ "channel=BJCA-ZYCG&business=new&kind=org", "invalid_field", "channel" },
		{ "channel=%3Cscript%3E&business=new&kind=org", "invalid_field", "channel" },
		{ "channel=bjca-zycg'%20OR%201=1--&business=new&kind=org", "invalid_field", "channel" },
		{ "channel=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa&business=new&kind=org",
		  "invalid_field", "channel" },
		{ "channel=bjca%01&business=new&kind=org", "invalid_field", "channel" },
		{ "channel=%C3%28&business=new&kind=org", "invalid_field", "channel" },
		{ "channel=bjca-zycg&business=buy&kind=org", "invalid_field", "business" },
		{ "channel=bjca-zycg&business=new%00x&kind=org", "bad_query", NULL },
		{ "channel=bjca-zycg&business=new&kind=robot", "invalid_field", "kind" },
		{ "channel=bjca-zycg&business=new&kind=org&years=0", "invalid_field", "years" },
		{ "channel=bjca-zycg&business=new&kind=org&years=6", "invalid_field", "years" },
		/* 002 "证书有效期为一年": a set of two years is not sold. */
		{ "channel=bjca-zycg&business=new&kind=org&years=2", "invalid_field", "years" },
		{ "channel=bjca-zycg&business=new&kind=org&years=01", "invalid_field", "years" },
		{ "channel=bjca-zycg&business=new&kind=org&years=1.5", "invalid_field", "years" },
		{ "channel=bjca-zycg&business=new&kind=org&years=-1", "invalid_field", "years" },
		{ "channel=bjca-zycg&business=new&kind=org&years=", "invalid_field", "years" },
		{ "channel=bjca-zycg&business=new&kind=org&seal=2", "invalid_field", "seal" },
		{ "channel=bjca-zycg&business=new&kind=org&seal=yes", "invalid_field", "seal" },
		/* 002 sells 单位证书 only; 004 registers organisations only. */
		{ "channel=bjca-zycg&business=new&kind=person", "not_offered", "kind" },
		{ "channel=jxca-js&business=lost&kind=person", "not_offered", "kind" },
		/* 002 never names 新增. */
		{ "channel=bjca-zycg&business=add&kind=org", "not_offered", "business" },
		{ "channel=bjca-zycg&business=new%ZZ&kind=org", "bad_query", NULL },
	};
	char path[400];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(path, sizeof(path), "/api/wizard/quote?%s", bad[i].query);
		expect_field_error(NULL, path, 400, bad[i].code, bad[i].field);
	}
}

static void test_agreements(void **state)
{
	struct api_resp r;

	(void)state;
	api_call(NULL, "GET", "/api/wizard/agreements/service?channel=bjca-zycg", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(str(r.json, "title"), "数字证书服务协议");
	assert_string_equal(str(r.json, "channel"), "bjca-zycg");
	assert_string_equal(str(r.json, "version"), "2026.1");
	/* A real text, not a placeholder: it speaks of the things the guides speak of. */
	assert_non_null(strstr(str(r.json, "body"), "USBKey"));
	assert_non_null(strstr(str(r.json, "body"), "自动吊销"));
	assert_true(strlen(str(r.json, "body")) > 1000);
	api_free(&r);
	api_call(NULL, "GET", "/api/wizard/agreements/privacy?channel=bjca-zycg", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(str(r.json, "title"), "敏感个人信息处理授权书");
	assert_non_null(strstr(str(r.json, "body"), "身份证号码"));
	api_free(&r);
	expect_field_error(NULL, "/api/wizard/agreements/nope?channel=bjca-zycg", 404, "not_found", NULL);
	expect_field_error(NULL, "/api/wizard/agreements/SERVICE?channel=bjca-zycg", 404, "not_found", NULL);
	expect_field_error(NULL, "/api/wizard/agreements/service'--?channel=bjca-zycg", 404, "not_found", NULL);
	expect_field_error(NULL, "/api/wizard/agreements/%3Cb%3E?channel=bjca-zycg", 404, "not_found", NULL);
	/* Each hall its own texts: which hall's is asked for, and a hall that exists. */
	expect_field_error(NULL, "/api/wizard/agreements/service", 400, "missing_field", "channel");
	expect_field_error(NULL, "/api/wizard/agreements/service?channel=%3Cb%3E", 400, "invalid_field", "channel");
	expect_field_error(NULL, "/api/wizard/agreements/service?channel=x'--", 400, "invalid_field", "channel");
	expect_field_error(NULL, "/api/wizard/agreements/service?channel=nosuch", 404, "not_found", NULL);
	/* Seeding is idempotent: one current row per hall and code whatever the number of runs. */
	{
		struct db_rows rows;

		assert_int_equal(db_query(&db, &a,
					  "SELECT COUNT(*) = 2 * (SELECT COUNT(*) FROM channels), "
					  "COUNT(DISTINCT channel_id, code) = COUNT(*) FROM agreements "
					  "WHERE current = 1 AND code IN ('service', 'privacy')", DB_NOARGS, &rows), DB_OK);
		assert_string_equal(db_cell(&rows, 0, 0), "1");
		assert_string_equal(db_cell(&rows, 0, 1), "1");
	}
}

/* The body of an agreement at a hall (strdup'ed). */
static char *agreement_body(const char *hall, const char *code)
{
	char path[120], *body;
	struct api_resp r;

	snprintf(path, sizeof(path), "/api/wizard/agreements/%s?channel=%s", code, hall);
	api_call(NULL, "GET", path, NULL, NULL, &r);
	if (r.status != 200)
		fail_msg("%s: %ld %.200s", path, r.status, r.body);
	body = strdup(str(r.json, "body"));
	api_free(&r);
	return body;
}

static void has(const char *hall, const char *body, const char *text, bool want)
{
	if ((strstr(body, text) != NULL) != want)
		fail_msg("%s's agreement %s \"%s\"", hall, want ? "lacks" : "says", text);
}

/* Each hall's texts say what its own guide says, and nothing another hall's guide says. */
static void test_agreements_per_hall(void **state)
{
	char *netca = agreement_body("netca-gd", "service"), *bjca = agreement_body("bjca-zycg", "service");
	char *szca = agreement_body("szca", "service"), *jxca = agreement_body("jxca-js", "service");
	char *cecep = agreement_body("cecep", "service"), *jxp = agreement_body("jxca-js", "privacy");
	char *szp = agreement_body("szca", "privacy");

	(void)state;
	/* 003 "网证通人员会在3个工作日内审核"; 002 "需要3-5个工作日的时间进行材料审核". */
	has("netca-gd", netca, "在 3 个工作日内审核", true);
	has("netca-gd", netca, "3 至 5", false);
	has("bjca-zycg", bjca, "3 至 5 个工作日", true);
	/* 001 "等待深圳 CA 三个工作日审核"; 004 prints no review time. */
	has("szca", szca, "三个工作日", true);
	has("szca", szca, "3 至 5", false);
	has("jxca-js", jxca, "3 至 5", false);
	/* 003 says nothing of how the PIN goes: no PIN clause, no envelope. 000 "证书密码在对公账户收款
	 * 1分钱记录附言中查询". */
	has("netca-gd", netca, "密码信封", false);
	has("netca-gd", netca, "附言", false);
	has("cecep", cecep, "1 分钱记录的附言", true);
	/* 001 "如付款方式选择公对公转账，机构证书PIN码将通过短信方式发至经办人手机号码". */
	has("szca", szca, "选择公对公转账的，机构证书 PIN 码以短信发至经办人手机号码", true);
	/* Invoices: 002 "电子发票将在24小时内发送至指定（默认为经办人）邮箱"; 003 "电子发票1~2个工作日发送到经办人
	 * 手机"; 000 prints no invoice delivery. */
	has("bjca-zycg", bjca, "24 小时内发送至指定（默认为经办人）邮箱", true);
	has("netca-gd", netca, "发送到经办人手机", true);
	has("netca-gd", netca, "邮箱", false);
	has("cecep", cecep, "电子发票", false);
	/* Renewal: 002 "证书有效期小于90天"; 003 "证书过期前90天内"; 001, 004 say nothing of it. */
	has("bjca-zycg", bjca, "90 天", true);
	has("netca-gd", netca, "过期前 90 天内", true);
	has("szca", szca, "90 天", false);
	has("jxca-js", jxca, "90 天", false);
	/* 002 "连续输错10次密码 …… 将被锁死" and "证书介质质保期为一年": BJCA's alone. */
	has("bjca-zycg", bjca, "10 次", true);
	has("netca-gd", netca, "10 次", false);
	has("netca-gd", netca, "质保期", false);
	/* 003 "一个数字证书里面只能有一枚电子印章". */
	has("netca-gd", netca, "只能有一枚电子印章", true);
	has("bjca-zycg", bjca, "只能有一枚电子印章", false);
	/* 004 "补办证书后，被选择补办的原证书将自动注销，且无法再恢复". No hall says a damaged key's
	 * replacement revokes anything. */
	has("jxca-js", jxca, "原证书将自动注销，且无法再恢复", true);
	has("bjca-zycg", bjca, "损坏补办后", false);
	/* 004 "由法人亲自刷脸完成核验": the privacy text names that check, not a bank transfer; 001
	 * "认证方式 银行金融认证" and the handler's "活体认证". */
	has("jxca-js", jxp, "刷脸及活体认证", true);
	has("jxca-js", jxp, "对公打款认证", false);
	has("szca", szp, "对公打款认证", true);
	has("szca", szp, "手机号实名认证", false);
	free(netca);
	free(bjca);
	free(szca);
	free(jxca);
	free(cecep);
	free(jxp);
	free(szp);
}

/* ---- my certificates */

static void test_certs(void **state)
{
	struct api_client c, other;
	char uscc[19], mobile[12], uscc2[19], mobile2[12];
	char s_near[17], s_far[17], s_old[17], s_rev[17], s_other[17];
	struct api_resp r;
	json_t *list, *it;

	(void)state;
	memset(&c, 0, sizeof(c));
	memset(&other, 0, sizeof(other));
	wiz_register_org(&c, uscc, mobile);
	wiz_register_org(&other, uscc2, mobile2);
	wiz_random_serial(s_near);
	wiz_random_serial(s_far);
	wiz_random_serial(s_old);
	wiz_random_serial(s_rev);
	wiz_random_serial(s_other);
	/* Bound to the account: 60 days left, issued 30 days ago (in warranty), a seal. */
	wiz_fixture_cert(uscc, uscc, "bjca-zycg", "org", s_near, 60, -30, true);
	/* Issued to the USCC outside the hall, bound to nobody: found by the subject. */
	wiz_fixture_cert(NULL, uscc, "netca-gd", "legal_rep", s_far, 400, -400, false);
	/* Expired 400 days ago: renewal only by review. */
	wiz_fixture_cert(uscc, uscc, "bjca-zycg", "org", s_old, -400, -800, false);
	wiz_fixture_cert(uscc, uscc, "szca", "org", s_rev, 100, -100, false);
	{
		char sql[200];

		snprintf(sql, sizeof(sql), "UPDATE certificates SET state = 'revoked' WHERE serial = '%s'",
			 s_rev);
		wiz_sql(sql);
	}
	wiz_fixture_cert(uscc2, uscc2, "bjca-zycg", "org", s_other, 60, -30, false);

	api_call(NULL, "GET", "/api/wizard/certs", NULL, NULL, &r);
	api_expect_error(&r, 401, "not_logged_in");
	api_free(&r);

	/* The one issued to the USCC is reached once the organisation has proven it (issue 20):
	 * before, only the three bound to the account; the enterprise check proves it. */
	api_call(&c, "GET", "/api/wizard/certs", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "certificates")), 3);
	assert_null(find_by(json_object_get(r.json, "certificates"), "serial", s_far));
	api_free(&r);
	wiz_prove_org(&c, "测试示范有限公司", mobile);

	api_call(&c, "GET", "/api/wizard/certs", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	list = json_object_get(r.json, "certificates");
	assert_int_equal(json_array_size(list), 4);
	assert_null(find_by(list, "serial", s_other));

	it = find_by(list, "serial", s_near);
	assert_non_null(it);
	assert_string_equal(str(it, "channel"), "bjca-zycg");
	assert_string_equal(str(it, "kind_name"), "机构证书");
	assert_string_equal(str(it, "state"), "valid");
	assert_int_equal(json_integer_value(json_object_get(it, "days_left")), 60);
	assert_string_equal(str(it, "renewal"), "online");
	assert_true(json_is_true(json_object_get(it, "in_warranty")));
	assert_true(json_is_true(json_object_get(it, "has_seal")));
	assert_true(has_code(json_object_get(it, "businesses"), "renew"));
	assert_true(has_code(json_object_get(it, "businesses"), "lost"));
	assert_string_equal(str(find_by(json_object_get(it, "businesses"), "code", "lost"), "name"),
			    "遗失补办");
	assert_non_null(json_object_get(it, "not_before"));
	assert_non_null(json_object_get(it, "holder"));

	it = find_by(list, "serial", s_far);
	assert_non_null(it);
	assert_string_equal(str(it, "renewal"), "too_early");
	assert_false(has_code(json_object_get(it, "businesses"), "renew"));
	assert_true(has_code(json_object_get(it, "businesses"), "change"));
	/* NETCA's guide (003) gives no media warranty; BJCA's (002) "证书介质质保期为一年". */
	assert_true(json_is_null(json_object_get(it, "in_warranty")));

	it = find_by(list, "serial", s_old);
	assert_string_equal(str(it, "state"), "expired");
	assert_string_equal(str(it, "renewal"), "review");
	assert_int_equal(json_integer_value(json_object_get(it, "days_left")), -400);
	/* An expired certificate: renewal (by review) or revocation, nothing else. */
	assert_int_equal(json_array_size(json_object_get(it, "businesses")), 2);
	assert_true(has_code(json_object_get(it, "businesses"), "renew"));
	assert_true(has_code(json_object_get(it, "businesses"), "revoke"));

	it = find_by(list, "serial", s_rev);
	assert_string_equal(str(it, "state"), "revoked");
	assert_int_equal(json_array_size(json_object_get(it, "businesses")), 0);
	assert_true(json_is_null(json_object_get(it, "renewal")));
	api_free(&r);

	/* The other organisation sees only its own. */
	api_call(&other, "GET", "/api/wizard/certs", NULL, NULL, &r);
	list = json_object_get(r.json, "certificates");
	assert_int_equal(json_array_size(list), 1);
	assert_non_null(find_by(list, "serial", s_other));
	api_free(&r);

	/* One by its exact serial. */
	{
		char path[120], lower[17], unknown[17];
		struct api_resp u, o;

		snprintf(path, sizeof(path), "/api/wizard/certs/%s", s_far);
		api_call(&c, "GET", path, NULL, NULL, &r);
		assert_int_equal(r.status, 200);
		assert_string_equal(str(json_object_get(r.json, "certificate"), "serial"), s_far);
		api_free(&r);
		/* Case matters: the lower-case serial is another serial. Force a letter in it. */
		snprintf(lower, sizeof(lower), "%s", s_far);
		lower[0] = 'A';
		snprintf(path, sizeof(path), "UPDATE certificates SET serial = '%s' WHERE serial = '%s'",
			 lower, s_far);
		wiz_sql(path);
		lower[0] = 'a';
		snprintf(path, sizeof(path), "/api/wizard/certs/%s", lower);
		api_call(&c, "GET", path, NULL, NULL, &r);
		api_expect_error(&r, 404, "not_found");
		api_free(&r);
		/* Another organisation's serial answers exactly like an unknown one. */
		wiz_random_serial(unknown);
		snprintf(path, sizeof(path), "/api/wizard/certs/%s", unknown);
		api_call(&c, "GET", path, NULL, NULL, &u);
		snprintf(path, sizeof(path), "/api/wizard/certs/%s", s_other);
		api_call(&c, "GET", path, NULL, NULL, &o);
		api_expect_error(&o, 404, "not_found");
		assert_string_equal(json_string_value(json_object_get(json_object_get(u.json, "error"),
								       "message")),
				    json_string_value(json_object_get(json_object_get(o.json, "error"),
								       "message")));
		api_free(&u);
		api_free(&o);
		expect_field_error(&c, "/api/wizard/certs/XYZ", 400, "invalid_field", "serial");
		expect_field_error(&c, "/api/wizard/certs/12345678901234567890123456789012345678901", 400,
				   "invalid_field", "serial");
		expect_field_error(&c, "/api/wizard/certs/5A1F'%20OR%20'1'='1", 400, "invalid_field",
				   "serial");
		expect_field_error(&c, "/api/wizard/certs/%3Cscript%3E", 400, "invalid_field", "serial");
		api_call(NULL, "GET", "/api/wizard/certs/5A1F00C3D2E4B6A7", NULL, NULL, &r);
		api_expect_error(&r, 401, "not_logged_in");
		api_free(&r);
	}
}

/* A person account has no subject index of its own: its certificates are the ones bound to
 * it, and one issued to its ID number but bound to nobody stays out of sight. */
static void test_certs_person(void **state)
{
	struct api_client p;
	char mobile[12], id[19], mine[17], loose[17];
	struct api_resp r;
	json_t *list, *it;

	(void)state;
	memset(&p, 0, sizeof(p));
	wiz_register_person(&p, mobile);
	wiz_random_id(id);
	wiz_random_serial(mine);
	wiz_random_serial(loose);
	wiz_fixture_cert(mobile, id, "netca-gd", "person", mine, 30, -700, false);
	wiz_fixture_cert(NULL, id, "netca-gd", "person", loose, 30, -700, false);
	api_call(&p, "GET", "/api/wizard/certs", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	list = json_object_get(r.json, "certificates");
	assert_int_equal(json_array_size(list), 1);
	it = find_by(list, "serial", mine);
	assert_non_null(it);
	assert_string_equal(str(it, "kind_name"), "个人证书");
	assert_string_equal(str(it, "renewal"), "online");
	api_free(&r);
}

/* ---- my orders: the list */

/* Orders of one fresh organisation, with dates and subjects the filters pick apart. */
static struct api_client cl;
static char l_uscc[19];
static char l_o1[19], l_o2[19], l_o3[19], l_o4[19], l_o5[19], l_other[19];

static void list_fixture(void)
{
	char mobile[12], paging[19];
	long long me;

	if (l_o1[0])
		return;
	memset(&cl, 0, sizeof(cl));
	wiz_register_org(&cl, l_uscc, mobile);
	me = account_id(l_uscc);
	put_order(l_o1, me, "bjca-zycg", "new", "org", "draft", "甲100%公司", "2025-03-01 10:00:00", -1);
	put_order(l_o2, me, "netca-gd", "renew", "org", "reviewing", "乙_公司", "2025-03-15 23:59:59", 40000);
	put_order(l_o3, me, "szca", "lost", "legal_rep", "pending_payment", "丙公司",
		  "2025-04-01 00:00:00", 0);
	put_order(l_o4, me, "jxca-js", "new", "org", "returned", "甲乙公司", "2025-05-20 12:00:00", 26000);
	put_order(l_o5, me, "bjca-zycg", "renew", "org", "done", "丁公司", "2025-06-01 08:00:00", 18000);
	for (int i = 0; i < 25; i++) {
		char when[32];

		snprintf(when, sizeof(when), "2024-01-%02d 09:00:00", i + 1);
		put_order(paging, me, "bjca-zycg", "unlock", "org", "cancelled", "翻页公司", when, 0);
	}
	put_order(l_other, account_id(uscc_b), "bjca-zycg", "renew", "org", "done", "丁公司",
		  "2025-06-01 08:00:00", 18000);
}

/* GET the list with a query; the order numbers in order into nos ("a,b,c"). */
static long list(const char *query, char *nos, size_t nossz, long long *total)
{
	char path[1400];
	struct api_resp r;
	json_t *it;
	size_t i, o = 0;
	long status;

	snprintf(path, sizeof(path), "/api/wizard/orders%s%s", query ? "?" : "", query ? query : "");
	api_call(&cl, "GET", path, NULL, NULL, &r);
	status = r.status;
	if (nos)
		nos[0] = '\0';
	if (status == 200) {
		*total = json_integer_value(json_object_get(r.json, "total"));
		json_array_foreach(json_object_get(r.json, "orders"), i, it)
			if (nos)
				o += (size_t)snprintf(nos + o, nossz - o, "%s%s", i ? "," : "",
						      str(it, "order_no"));
	}
	api_free(&r);
	return status;
}

static void expect_list(const char *query, long long total, const char *first_nos)
{
	char nos[2000];
	long long t = -1;

	if (list(query, nos, sizeof(nos), &t) != 200)
		fail_msg("%s: not 200", query);
	if (t != total || strncmp(nos, first_nos, strlen(first_nos)) != 0)
		fail_msg("%s: total %lld (expected %lld), orders %s (expected %s...)", query, t, total,
			 nos, first_nos);
}

static void test_orders_list(void **state)
{
	char q[1400], exp[200];
	struct api_resp r;
	json_t *row;

	(void)state;
	list_fixture();
	api_call(NULL, "GET", "/api/wizard/orders", NULL, NULL, &r);
	api_expect_error(&r, 401, "not_logged_in");
	api_free(&r);

	/* Newest first; 20 a page by default; the total counts them all. */
	snprintf(exp, sizeof(exp), "%s,%s,%s,%s,%s", l_o5, l_o4, l_o3, l_o2, l_o1);
	expect_list(NULL, 30, exp);
	api_call(&cl, "GET", "/api/wizard/orders", NULL, NULL, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "orders")), 20);
	assert_int_equal(json_integer_value(json_object_get(r.json, "per_page")), 20);
	row = json_array_get(json_object_get(r.json, "orders"), 0);
	assert_string_equal(str(row, "business_name"), "证书更新");
	assert_string_equal(str(row, "state_name"), "已完成");
	assert_string_equal(str(row, "channel_name"), "中央政府采购 数字证书网上营业厅");
	assert_string_equal(str(row, "kind_name"), "机构证书");
	assert_string_equal(str(row, "amount"), "180.00");
	assert_string_equal(str(row, "created_at"), "2025-06-01T08:00:00+08:00");
	/* 001's list shows 更新日期: the last change, not the application day. */
	assert_int_equal(strlen(str(row, "updated_at")), strlen("2025-06-01T08:00:00+08:00"));
	assert_string_not_equal(str(row, "updated_at"), str(row, "created_at"));
	assert_string_equal(joined(json_object_get(row, "actions")), "view");
	row = json_array_get(json_object_get(r.json, "orders"), 1); /* o4, returned */
	assert_string_equal(joined(json_object_get(row, "actions")), "edit_resubmit,view");
	row = json_array_get(json_object_get(r.json, "orders"), 2); /* o3, pending payment */
	assert_string_equal(joined(json_object_get(row, "actions")), "pay,cancel,view");
	assert_string_equal(str(row, "amount"), "0.00");
	row = json_array_get(json_object_get(r.json, "orders"), 4); /* o1, draft, no amount */
	assert_string_equal(joined(json_object_get(row, "actions")), "continue,cancel,view");
	assert_true(json_is_null(json_object_get(row, "amount")));
	api_free(&r);

	/* Paging bounds. */
	{
		char nos[2000];
		long long t;

		assert_int_equal(list("page=2", nos, sizeof(nos), &t), 200);
		assert_int_equal(t, 30);
		assert_int_equal(strlen(nos), 10 * 19 - 1);
		assert_int_equal(list("page=3", nos, sizeof(nos), &t), 200);
		assert_string_equal(nos, "");
		assert_int_equal(list("per_page=50", nos, sizeof(nos), &t), 200);
		assert_int_equal(strlen(nos), 30 * 19 - 1);
		assert_int_equal(list("per_page=1&page=30", nos, sizeof(nos), &t), 200);
		assert_int_equal(strlen(nos), 18);
		assert_int_equal(list("page=100000", nos, sizeof(nos), &t), 200);
		/* The empty fields of a search form are no filters. */
		expect_list("order_no=&business=&subject=&state=&date_from=&date_to=&page=&per_page=",
			    30, exp);
	}
	{
		static const struct {
			const char *q, *field;
		} bad[] = {
			{ "page=0", "page" },          { "page=-1", "page" },
			{ "page=abc", "page" },        { "page=100001", "page" },
			{ "page=1e3", "page" },        { "page=99999999999999999999", "page" },
			{ "per_page=0", "per_page" },  { "per_page=51", "per_page" },
			{ "per_page=%2010", "per_page" },
			{ "order_no=12345", "order_no" },
			{ "order_no=12345678901234567A", "order_no" },
			{ "order_no=1234567890123456789", "order_no" },
			{ "order_no=123456789012345678'%20OR%201=1", "order_no" },
			{ "business=buy", "business" }, { "business=NEW", "business" },
			{ "state=paid", "state" },      { "state=draft'--", "state" },
			{ "subject=%01", "subject" },   { "subject=%FF%FE", "subject" },
			{ "subject=%C0%AF", "subject" },
			{ "date_from=2025-02-30", "date_from" }, { "date_from=2025-3-1", "date_from" },
			{ "date_from=1999-12-31", "date_from" }, { "date_to=2100-01-01", "date_to" },
			{ "date_to=20250301", "date_to" },       { "date_to=2025-13-01", "date_to" },
			{ "date_from=2025-03-02&date_to=2025-03-01", "date_to" },
		};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			snprintf(q, sizeof(q), "/api/wizard/orders?%s", bad[i].q);
			expect_field_error(&cl, q, 400, "invalid_field", bad[i].field);
		}
		/* Over-long subject: 101 characters. */
		{
			char s[400];
			size_t n = strlen("甲");

			for (size_t i = 0; i < 101; i++)
				memcpy(s + i * n, "甲", n);
			s[101 * n] = '\0';
			snprintf(q, sizeof(q), "/api/wizard/orders?subject=%s", enc(s));
			expect_field_error(&cl, q, 400, "invalid_field", "subject");
		}
	}

	/* Each filter alone. */
	snprintf(q, sizeof(q), "order_no=%s", l_o2);
	expect_list(q, 1, l_o2);
	snprintf(q, sizeof(q), "order_no=%s", l_other); /* another's: simply not in my list */
	expect_list(q, 0, "");
	snprintf(exp, sizeof(exp), "%s,%s", l_o5, l_o2);
	expect_list("business=renew", 2, exp);
	expect_list("state=reviewing", 1, l_o2);
	expect_list("state=cancelled", 25, "");
	/* LIKE wildcards in the subject are plain characters. */
	snprintf(q, sizeof(q), "subject=%s", enc("100%"));
	expect_list(q, 1, l_o1);
	snprintf(q, sizeof(q), "subject=%s", enc("_"));
	expect_list(q, 1, l_o2);
	snprintf(q, sizeof(q), "subject=%s", enc("%"));
	expect_list(q, 1, l_o1);
	snprintf(q, sizeof(q), "subject=%s", enc("甲"));
	snprintf(exp, sizeof(exp), "%s,%s", l_o4, l_o1);
	expect_list(q, 2, exp);
	snprintf(q, sizeof(q), "subject=%s", enc("' OR '1'='1"));
	expect_list(q, 0, "");
	snprintf(q, sizeof(q), "subject=%s", enc("<script>alert(1)</script>"));
	expect_list(q, 0, "");
	snprintf(q, sizeof(q), "subject=%s", enc("!"));
	expect_list(q, 0, "");
	/* Dates are whole days of created_at, both ends included. */
	expect_list("date_from=2025-03-15&date_to=2025-03-15", 1, l_o2);
	snprintf(exp, sizeof(exp), "%s,%s,%s", l_o5, l_o4, l_o3);
	expect_list("date_from=2025-04-01", 3, exp);
	snprintf(exp, sizeof(exp), "%s,%s", l_o2, l_o1);
	expect_list("date_to=2025-03-31", 27, exp);
	expect_list("date_from=2025-03-16&date_to=2025-03-31", 0, "");

	/* Combined. */
	expect_list("business=renew&state=done", 1, l_o5);
	snprintf(q, sizeof(q), "business=new&subject=%s&date_from=2025-05-01", enc("甲"));
	expect_list(q, 1, l_o4);
	snprintf(q, sizeof(q), "business=new&subject=%s&date_to=2025-05-01", enc("甲"));
	expect_list(q, 1, l_o1);
	snprintf(q, sizeof(q), "order_no=%s&state=draft", l_o2);
	expect_list(q, 0, "");
	expect_list("state=cancelled&per_page=10&page=3", 25, "");
	{
		char nos[400];
		long long t;

		assert_int_equal(list("state=cancelled&per_page=10&page=3", nos, sizeof(nos), &t), 200);
		assert_int_equal(strlen(nos), 5 * 19 - 1);
	}
}

/* ---- one order */

static void test_order_detail(void **state)
{
	char no[19], unknown[19];
	struct api_resp r, u;
	json_t *steps, *s;
	const char *body;

	(void)state;
	wiz_create(&ca, "bjca-zycg", "new", "org", NULL, no);
	wiz_order(&ca, no, NULL, &r);
	assert_string_equal(str(r.json, "state"), "draft");
	assert_string_equal(str(r.json, "state_name"), "未完成");
	assert_string_equal(str(r.json, "business_name"), "新办");
	assert_string_equal(str(r.json, "channel"), "bjca-zycg");
	assert_string_equal(str(r.json, "flow"), "pay_first");
	assert_true(json_is_false(json_object_get(r.json, "mail_in")));
	assert_true(json_is_null(json_object_get(r.json, "amount")));
	assert_null(json_object_get(r.json, "renew_mode"));
	assert_string_equal(joined(json_object_get(r.json, "actions")), "continue,cancel,view");
	/* An organisation's new certificate: no applicant step, no change step. */
	steps = json_object_get(r.json, "steps");
	{
		static const char *plan = "agreements,enterprise,handler,product,form,materials,sign,pay";
		char got[200];
		size_t i, o = 0;

		json_array_foreach(steps, i, s) {
			o += (size_t)snprintf(got + o, sizeof(got) - o, "%s%s", i ? "," : "",
					      str(s, "step"));
			assert_true(json_is_false(json_object_get(s, "done")));
			assert_true(json_is_true(json_object_get(s, "editable")));
			assert_true(strlen(str(s, "name")) > 0);
		}
		assert_string_equal(got, plan);
	}
	assert_string_equal(str(find_by(steps, "step", "sign"), "name"), "证书申请签名");
	/* The four materials 002 asks of an organisation (the seal sheet is optional there; the
	 * ID card copy is one material of two pages). */
	assert_string_equal(str(json_array_get(json_object_get(r.json, "materials_missing"), 0),
				"material"), "application_form");
	assert_int_equal(json_array_size(json_object_get(r.json, "materials_missing")), 4);
	assert_string_equal(str(json_array_get(json_object_get(r.json, "events"), 0), "name"),
			    "订单已创建");
	api_free(&r);

	/* Data steps are done once saved; the form once all of them are and its signed and
	 * stamped scan came back (printable is not printed). */
	put_step(no, "agreements");
	wiz_order(&ca, no, NULL, &r);
	steps = json_object_get(r.json, "steps");
	assert_true(json_is_true(json_object_get(find_by(steps, "step", "agreements"), "done")));
	assert_true(json_is_false(json_object_get(find_by(steps, "step", "form"), "done")));
	api_free(&r);
	put_step(no, "enterprise");
	put_step(no, "handler");
	put_step(no, "product");
	put_step(no, "applicant"); /* not in this plan: changes nothing */
	wiz_order(&ca, no, NULL, &r);
	steps = json_object_get(r.json, "steps");
	assert_true(json_is_false(json_object_get(find_by(steps, "step", "form"), "done")));
	assert_null(find_by(steps, "step", "applicant"));
	assert_true(json_is_false(json_object_get(find_by(steps, "step", "materials"), "done")));
	api_free(&r);

	/* Materials: done when the latest upload of each required one is not rejected. */
	put_material(no, "application_form", 1, "pending");
	wiz_order(&ca, no, NULL, &r);
	assert_true(json_is_true(json_object_get(find_by(json_object_get(r.json, "steps"), "step",
							 "form"), "done")));
	api_free(&r);
	put_material(no, "business_licence", 1, "rejected");
	put_material(no, "handler_id", 1, "accepted");
	put_material(no, "authorisation_letter", 1, "pending");
	wiz_order(&ca, no, NULL, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "materials_missing")), 1);
	assert_string_equal(str(json_array_get(json_object_get(r.json, "materials_missing"), 0), "name"),
			    "营业执照副本复印件");
	assert_true(json_is_false(json_object_get(find_by(json_object_get(r.json, "steps"), "step",
							  "materials"), "done")));
	api_free(&r);
	put_material(no, "business_licence", 2, "pending");
	wiz_order(&ca, no, NULL, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "materials_missing")), 0);
	assert_true(json_is_true(json_object_get(find_by(json_object_get(r.json, "steps"), "step",
							 "materials"), "done")));
	api_free(&r);

	/* Signed, a quote confirmed, paid: the rest of the plan. */
	exec("UPDATE orders SET signed_at = NOW(3), amount_fen = 26000, state = 'pending_payment', "
	     "quote_json = '{\"total\":\"260.00\",\"items\":[{\"code\":\"cert_set\"}]}', "
	     "pin_delivery = 'sms_legal_rep', verify_method = 'lr_mobile', handler_method = 'face', "
	     "editable = '' WHERE order_no = ?", DB_ARGS(DB_STR(no)));
	wiz_order(&ca, no, NULL, &r);
	steps = json_object_get(r.json, "steps");
	assert_true(json_is_true(json_object_get(find_by(steps, "step", "sign"), "done")));
	assert_true(json_is_false(json_object_get(find_by(steps, "step", "pay"), "done")));
	assert_true(json_is_false(json_object_get(find_by(steps, "step", "agreements"), "editable")));
	assert_string_equal(str(r.json, "amount"), "260.00");
	assert_string_equal(str(json_object_get(r.json, "quote"), "total"), "260.00");
	assert_string_equal(str(r.json, "pin_delivery"), "sms_legal_rep");
	assert_non_null(strstr(str(r.json, "pin_delivery_text"), "法定代表人"));
	assert_string_equal(str(r.json, "verify_method_name"), "法定代表人手机号认证");
	assert_string_equal(str(r.json, "handler_method_name"), "经办人刷脸认证");
	assert_string_equal(joined(json_object_get(r.json, "actions")), "pay,cancel,view");
	api_free(&r);
	put_payment(no, "paid", 26000);
	set_state(no, "reviewing");
	wiz_order(&ca, no, NULL, &r);
	assert_true(json_is_true(json_object_get(find_by(json_object_get(r.json, "steps"), "step",
							 "pay"), "done")));
	/* Paid and not approved yet: a refund may be asked. */
	assert_string_equal(joined(json_object_get(r.json, "actions")), "refund,view");
	assert_string_equal(str(json_array_get(json_object_get(r.json, "payments"), 0), "amount"),
			    "260.00");
	assert_string_equal(str(json_array_get(json_object_get(r.json, "payments"), 0), "method_name"),
			    "微信支付");
	api_free(&r);
	/* Awaiting the paper: its waybill is the applicant's to enter. */
	set_state(no, "awaiting_paper");
	wiz_order(&ca, no, NULL, &r);
	assert_string_equal(joined(json_object_get(r.json, "actions")), "send_paper,refund,view");
	api_free(&r);
	set_state(no, "approved");
	wiz_order(&ca, no, NULL, &r);
	assert_string_equal(joined(json_object_get(r.json, "actions")), "view");
	api_free(&r);

	/* Returned: what the reviewer rejected is editable, the rest is not. */
	exec("UPDATE orders SET state = 'returned', editable = 'enterprise,business_licence' "
	     "WHERE order_no = ?", DB_ARGS(DB_STR(no)));
	wiz_order(&ca, no, NULL, &r);
	assert_string_equal(joined(json_object_get(r.json, "editable")), "enterprise,business_licence");
	steps = json_object_get(r.json, "steps");
	assert_true(json_is_true(json_object_get(find_by(steps, "step", "enterprise"), "editable")));
	assert_true(json_is_false(json_object_get(find_by(steps, "step", "handler"), "editable")));
	assert_string_equal(joined(json_object_get(r.json, "actions")), "edit_resubmit,refund,view");
	api_free(&r);

	/* Verification failed: redo it, or (002) mail the paper instead, or cancel. The latest
	 * attempt per subject is shown, with its message. A failed check comes before any payment:
	 * the one above goes (with it, cancel would be refused, so it is not offered). */
	exec("DELETE FROM payments WHERE order_id = ?", DB_ARGS(DB_I64(order_id(no))));
	exec("INSERT INTO verifications (order_id, subject, method, state, message, created_at) VALUES "
	     "(?, 'enterprise', 'lr_mobile', 'passed', '', NOW(3) - INTERVAL 1 HOUR), "
	     "(?, 'enterprise', 'lr_card', 'failed', '银行卡信息不一致', NOW(3)), "
	     "(?, 'handler', 'face', 'pending', '', NOW(3))",
	     DB_ARGS(DB_I64(order_id(no)), DB_I64(order_id(no)), DB_I64(order_id(no))));
	set_state(no, "verify_failed");
	wiz_order(&ca, no, NULL, &r);
	assert_string_equal(joined(json_object_get(r.json, "actions")),
			    "redo_verification,mail_in,cancel,view");


	{
		json_t *v = json_object_get(r.json, "verifications");

		assert_int_equal(json_array_size(v), 2);
		s = find_by(v, "subject", "enterprise");
		assert_string_equal(str(s, "state"), "failed");
		assert_string_equal(str(s, "method"), "lr_card");
		assert_string_equal(str(s, "message"), "银行卡信息不一致");
		assert_string_equal(str(s, "method_name"), "法定代表人银行卡信息认证");
		assert_string_equal(str(find_by(v, "subject", "handler"), "state"), "pending");
	}
	/* Masked display only: no step data, so no ID number or mobile of anyone. */
	body = r.body;
	assert_null(strstr(body, mobile_a));
	assert_null(strstr(body, "id_number"));
	assert_null(strstr(body, "data_enc"));
	api_free(&r);
	/* Once mail-in, the switch is not offered again. */
	exec("UPDATE orders SET mail_in = 1 WHERE order_no = ?", DB_ARGS(DB_STR(no)));
	wiz_order(&ca, no, NULL, &r);
	assert_string_equal(joined(json_object_get(r.json, "actions")), "redo_verification,cancel,view");
	assert_true(json_is_true(json_object_get(r.json, "mail_in")));
	api_free(&r);

	/* Another applicant's order is exactly as absent as a number nobody has. */
	orderno_make(unknown, time(NULL), 9);
	{
		char path[80];

		snprintf(path, sizeof(path), "/api/wizard/orders/%s", no);
		api_call(&cb, "GET", path, NULL, NULL, &r);
		snprintf(path, sizeof(path), "/api/wizard/orders/%s", unknown);
		api_call(&cb, "GET", path, NULL, NULL, &u);
		api_expect_error(&r, 404, "not_found");
		api_expect_error(&u, 404, "not_found");
		assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"),
								       "message")),
				    json_string_value(json_object_get(json_object_get(u.json, "error"),
								       "message")));
		api_free(&r);
		api_free(&u);
		expect_field_error(&ca, "/api/wizard/orders/12345", 404, "not_found", NULL);
		expect_field_error(&ca, "/api/wizard/orders/%3Cscript%3E", 404, "not_found", NULL);
		api_call(NULL, "GET", "/api/wizard/orders/123456789012345678", NULL, NULL, &r);
		api_expect_error(&r, 401, "not_logged_in");
		api_free(&r);
	}
}

/* The channel's own rule stands: JXCA requires the seal sheet that is optional elsewhere (004),
 * BJCA's change asks no scan (002); a renewal inside the window has no materials at all (002). */
static void test_materials_rules(void **state)
{
	char jx[19], bj[19], ren[19], serial[17];
	struct api_resp r;
	json_t *m;

	(void)state;
	put_order(jx, account_id(uscc_a), "jxca-js", "new", "org", "draft", "测试示范有限公司", NULL, -1);
	wiz_order(&ca, jx, NULL, &r);
	m = json_object_get(r.json, "materials_missing");
	assert_non_null(find_by(m, "material", "seal_sample"));
	assert_non_null(find_by(m, "material", "handler_id"));
	assert_int_equal(json_array_size(m), 5);
	api_free(&r);
	/* 003 asks "5)工商局开具的变更通知书" for a change; 002's online change ("【证书登陆】…
	 * 【证书信息修改】…【经办人信息修改】…【证书下载】") uploads nothing. */
	put_order(bj, account_id(uscc_a), "netca-gd", "change", "org", "draft", "测试示范有限公司", NULL, 0);
	wiz_order(&ca, bj, NULL, &r);
	m = json_object_get(r.json, "materials_missing");
	assert_non_null(find_by(m, "material", "change_notice"));
	assert_null(find_by(m, "material", "seal_sample"));
	/* A free business: no payment step. */
	assert_null(find_by(json_object_get(r.json, "steps"), "step", "pay"));
	api_free(&r);
	put_order(bj, account_id(uscc_a), "bjca-zycg", "change", "org", "draft", "测试示范有限公司", NULL, 0);
	wiz_order(&ca, bj, NULL, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "materials_missing")), 0);
	api_free(&r);

	wiz_random_serial(serial);
	wiz_fixture_cert(uscc_a, uscc_a, "bjca-zycg", "org", serial, 30, -300, false);
	{
		char extra[80];

		snprintf(extra, sizeof(extra), ",\"cert_serial\":\"%s\"", serial);
		wiz_create(&ca, "bjca-zycg", "renew", "org", extra, ren);
	}
	wiz_order(&ca, ren, NULL, &r);
	assert_string_equal(str(r.json, "renew_mode"), "online");
	assert_int_equal(json_array_size(json_object_get(r.json, "materials_missing")), 0);
	assert_null(find_by(json_object_get(r.json, "steps"), "step", "materials"));
	assert_null(find_by(json_object_get(r.json, "steps"), "step", "enterprise"));
	api_free(&r);
}

/* ---- cancel */

static void cancel(struct api_client *c, const char *no, struct api_resp *r)
{
	char path[80];

	snprintf(path, sizeof(path), "/api/wizard/orders/%s/cancel", no);
	api_call(c, "POST", path, NULL, NULL, r);
}

static int count_events(const char *no, const char *kind)
{
	struct db_rows rows;

	assert_int_equal(db_query(&db, &a, "SELECT COUNT(*) FROM order_events e JOIN orders o ON "
				       "o.id = e.order_id WHERE o.order_no = ? AND e.kind = ?",
				  DB_ARGS(DB_STR(no), DB_STR(kind)), &rows), DB_OK);
	return (int)strtol(db_cell(&rows, 0, 0), NULL, 10);
}

static void test_cancel(void **state)
{
	char no[19], again[19], o2[19], o3[19], o4[19], o5[19], serial[17], extra[80];
	struct api_resp r;
	long long me = account_id(uscc_a);

	(void)state;
	wiz_random_serial(serial);
	wiz_fixture_cert(uscc_a, uscc_a, "netca-gd", "org", serial, 200, -100, false);
	snprintf(extra, sizeof(extra), ",\"cert_serial\":\"%s\"", serial);
	wiz_create(&ca, "netca-gd", "lost", "org", extra, no);
	assert_true(strlen(order_col(no, "open_key")) == 64);

	/* Not logged in, and without the CSRF token: refused, nothing changes. */
	cancel(NULL, no, &r);
	api_expect_error(&r, 401, "not_logged_in");
	api_free(&r);
	{
		struct api_client nocsrf = ca;

		nocsrf.csrf[0] = '\0';
		cancel(&nocsrf, no, &r);
		api_expect_error(&r, 403, "csrf");
		api_free(&r);
	}
	/* Another applicant: 404, as for an order that does not exist. */
	cancel(&cb, no, &r);
	api_expect_error(&r, 404, "not_found");
	api_free(&r);
	assert_string_equal(order_col(no, "state"), "draft");

	cancel(&ca, no, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(str(r.json, "state"), "cancelled");
	api_free(&r);
	assert_string_equal(order_col(no, "state"), "cancelled");
	assert_string_equal(order_col(no, "open_key"), "");
	assert_int_equal(count_events(no, "cancelled"), 1);
	wiz_order(&ca, no, NULL, &r);
	assert_string_equal(joined(json_object_get(r.json, "actions")), "view");
	assert_string_equal(str(json_array_get(json_object_get(r.json, "events"), 1), "name"),
			    "订单已取消");
	api_free(&r);
	/* Twice: the second finds nothing to cancel. */
	cancel(&ca, no, &r);
	api_expect_error(&r, 409, "wrong_state");
	api_free(&r);
	assert_int_equal(count_events(no, "cancelled"), 1);
	/* The certificate is free for a new application. */
	wiz_create(&ca, "netca-gd", "lost", "org", extra, again);

	/* Submitted orders are not cancelled (a refund is asked instead). */
	put_order(o2, me, "bjca-zycg", "new", "org", "reviewing", "测试示范有限公司", NULL, 26000);
	cancel(&ca, o2, &r);
	api_expect_error(&r, 409, "wrong_state");
	api_free(&r);
	assert_string_equal(order_col(o2, "state"), "reviewing");

	/* Awaiting payment: cancelled while nothing is paid; an open QR code is closed with it. */
	put_order(o3, me, "bjca-zycg", "new", "org", "pending_payment", "测试示范有限公司", NULL, 26000);
	put_payment(o3, "pending", 26000);
	cancel(&ca, o3, &r);
	assert_int_equal(r.status, 200);
	api_free(&r);
	{
		struct db_rows rows;

		assert_int_equal(db_query(&db, &a, "SELECT state FROM payments WHERE order_id = ?",
					  DB_ARGS(DB_I64(order_id(o3))), &rows), DB_OK);
		assert_string_equal(db_cell(&rows, 0, 0), "closed");
	}
	put_order(o4, me, "bjca-zycg", "new", "org", "pending_payment", "测试示范有限公司", NULL, 26000);
	put_payment(o4, "paid", 26000);
	cancel(&ca, o4, &r);
	api_expect_error(&r, 409, "wrong_state");
	api_free(&r);
	assert_string_equal(order_col(o4, "state"), "pending_payment");
	assert_int_equal(count_events(o4, "cancelled"), 0);
	/* A transfer registered and waiting for finance is money on its way. */
	put_order(o5, me, "bjca-zycg", "new", "org", "pending_payment", "测试示范有限公司", NULL, 26000);
	put_payment(o5, "awaiting_finance", 26000);
	cancel(&ca, o5, &r);
	api_expect_error(&r, 409, "wrong_state");
	api_free(&r);
	assert_string_equal(order_col(o5, "state"), "pending_payment");

	/* A failed verification may be given up. */
	put_order(o5, me, "bjca-zycg", "new", "org", "verify_failed", "测试示范有限公司", NULL, -1);
	cancel(&ca, o5, &r);
	assert_int_equal(r.status, 200);
	api_free(&r);
	assert_string_equal(order_col(o5, "state"), "cancelled");
	assert_int_equal(count_events(o5, "cancelled"), 1);
}

/* Two cancels at once: one wins (200), the other finds the order moved (409); one event. */
static void test_cancel_race(void **state)
{
	(void)state;
	for (int round = 0; round < 5; round++) {
		char no[19];
		int go[2], res[2];
		pid_t kid[2];
		long status[2];
		int ok = 0, conflict = 0;

		put_order(no, account_id(uscc_a), "bjca-zycg", "new", "org",
			  round % 2 ? "pending_payment" : "draft", "测试示范有限公司", NULL, 26000);
		assert_int_equal(pipe(go), 0);
		assert_int_equal(pipe(res), 0);
		for (int k = 0; k < 2; k++) {
			kid[k] = fork();
			assert_true(kid[k] >= 0);
			if (kid[k] == 0) {
				struct api_resp r;
				char c;
				long st;

				close(go[1]);
				if (read(go[0], &c, 1) < 0) /* blocks until the parent lets both go */
					_exit(1);
				cancel(&ca, no, &r);
				st = r.status;
				if (write(res[1], &st, sizeof(st)) != sizeof(st))
					_exit(1);
				_exit(0);
			}
		}
		close(go[0]);
		close(go[1]);
		close(res[1]);
		for (int k = 0; k < 2; k++) {
			assert_int_equal(read(res[0], &status[k], sizeof(status[k])), sizeof(status[k]));
			ok += status[k] == 200;
			conflict += status[k] == 409;
		}
		for (int k = 0; k < 2; k++)
			waitpid(kid[k], NULL, 0);
		close(res[0]);
		if (ok != 1 || conflict != 1)
			fail_msg("round %d: statuses %ld and %ld", round, status[0], status[1]);
		assert_int_equal(count_events(no, "cancelled"), 1);
		assert_string_equal(order_col(no, "state"), "cancelled");
	}
}

/* ---- draft expiry */

static void test_draft_expiry(void **state)
{
	char stale[19], fresh[19], next[19], serial[17], serial2[17], extra[80], sql[300];
	struct api_resp r;
	bool expired = false;

	(void)state;
	wiz_random_serial(serial);
	wiz_random_serial(serial2);
	wiz_fixture_cert(uscc_a, uscc_a, "bjca-zycg", "org", serial, 200, -100, true);
	wiz_fixture_cert(uscc_a, uscc_a, "bjca-zycg", "org", serial2, 200, -100, true);
	snprintf(extra, sizeof(extra), ",\"cert_serial\":\"%s\"", serial);
	wiz_create(&ca, "bjca-zycg", "lost", "org", extra, stale);
	snprintf(extra, sizeof(extra), ",\"cert_serial\":\"%s\"", serial2);
	wiz_create(&ca, "bjca-zycg", "damaged", "org", extra, fresh);
	/* Untouched one hour past the TTL; the other one hour short of it. */
	snprintf(sql, sizeof(sql),
		 "UPDATE orders SET updated_at = NOW(3) - INTERVAL %d HOUR WHERE order_no = '%s'",
		 conf.draft_ttl_hours + 1, stale);
	wiz_sql(sql);
	snprintf(sql, sizeof(sql),
		 "UPDATE orders SET updated_at = NOW(3) - INTERVAL %d HOUR WHERE order_no = '%s'",
		 conf.draft_ttl_hours - 1, fresh);
	wiz_sql(sql);
	/* Each worker sweeps at most once a minute, after an answer: ask until one does. */
	for (int i = 0; i < 80 && !expired; i++) {
		char st[32];

		wiz_order(&ca, stale, st, &r);
		api_free(&r);
		expired = strcmp(st, "expired") == 0;
		if (!expired)
			sleep(1);
	}
	assert_true(expired);
	assert_string_equal(order_col(stale, "open_key"), "");
	assert_int_equal(count_events(stale, "expired"), 1);
	{
		struct db_rows rows;

		assert_int_equal(db_query(&db, &a, "SELECT e.actor_type, e.state_from FROM order_events e "
					       "JOIN orders o ON o.id = e.order_id WHERE o.order_no = ? "
					       "AND e.kind = 'expired'", DB_ARGS(DB_STR(stale)), &rows),
				 DB_OK);
		assert_string_equal(db_cell(&rows, 0, 0), "system");
		assert_string_equal(db_cell(&rows, 0, 1), "draft");
	}
	wiz_order(&ca, stale, NULL, &r);
	assert_string_equal(str(r.json, "state_name"), "已过期");
	assert_string_equal(joined(json_object_get(r.json, "actions")), "view");
	api_free(&r);
	assert_string_equal(order_col(fresh, "state"), "draft");
	/* The certificate takes a new application now; the fresh draft still holds its own. */
	snprintf(extra, sizeof(extra), ",\"cert_serial\":\"%s\"", serial);
	wiz_create(&ca, "bjca-zycg", "lost", "org", extra, next);
	assert_string_equal(order_col(next, "state"), "draft");
	{
		char body[200];

		snprintf(body, sizeof(body),
			 "{\"channel\":\"bjca-zycg\",\"business\":\"damaged\",\"cert_serial\":\"%s\"}",
			 serial2);
		api_call(&ca, "POST", "/api/wizard/orders", body, NULL, &r);
		api_expect_error(&r, 409, "open_order_exists");
		api_free(&r);
	}
}

/* ---- the demo data */

static void test_seeded_demo_certificates(void **state)
{
	struct api_client org, person;
	struct api_resp r;
	json_t *list;

	(void)state;
	login(&org, "91350100M000100Y43", "Demo2026hall");
	api_call(&org, "GET", "/api/wizard/certs", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	list = json_object_get(r.json, "certificates");
	assert_non_null(find_by(list, "serial", "5A1F00C3D2E4B6A7"));
	assert_string_equal(str(find_by(list, "serial", "0F9E8D7C6B5A4930"), "state"), "revoked");
	assert_null(find_by(list, "serial", "3E8B7C6D5A4F2E1D"));
	assert_null(find_by(list, "serial", "712C1B5A584A1BBE"));
	api_free(&r);
	api_call(&org, "GET", "/api/wizard/certs/5A1F00C3D2E4B6A7", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(str(json_object_get(r.json, "certificate"), "channel"), "bjca-zycg");
	api_free(&r);

	login(&person, "13900139000", "Demo2026hall");
	api_call(&person, "GET", "/api/wizard/certs", NULL, NULL, &r);
	list = json_object_get(r.json, "certificates");
	assert_int_equal(json_array_size(list), 1);
	assert_string_equal(str(json_array_get(list, 0), "serial"), "3E8B7C6D5A4F2E1D");
	assert_string_equal(str(json_array_get(list, 0), "kind"), "person");
	api_free(&r);
	/* Bound to the holder's ID number too (the seed documents it). */
	{
		struct db_rows rows;
		struct crypto_key key;
		char idx[65], err[200];

		assert_int_equal(crypto_key_load(conf.key_file, &key, err, sizeof(err)), 0);
		crypto_index_hex(&key, "subject", "440106199003072226", 18, idx);
		assert_int_equal(db_query(&db, &a, "SELECT serial FROM certificates WHERE subject_idx = ?",
					  DB_ARGS(DB_STR(idx)), &rows), DB_OK);
		assert_int_equal(rows.nrows, 1);
		assert_string_equal(db_cell(&rows, 0, 0), "3E8B7C6D5A4F2E1D");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_catalog),
		cmocka_unit_test(test_catalog_finishable),
		cmocka_unit_test(test_quotes),
		cmocka_unit_test(test_quote_bad_parameters),
		cmocka_unit_test(test_agreements),
		cmocka_unit_test(test_agreements_per_hall),
		cmocka_unit_test(test_certs),
		cmocka_unit_test(test_certs_person),
		cmocka_unit_test(test_orders_list),
		cmocka_unit_test(test_order_detail),
		cmocka_unit_test(test_materials_rules),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_cancel_race),
		cmocka_unit_test(test_draft_expiry),
		cmocka_unit_test(test_seeded_demo_certificates),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
