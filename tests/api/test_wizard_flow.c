/* API tests, end to end: every business type of the demo channels from a fresh account to its
 * submitted state, and through the sandbox's payment where it has a fee; the two-stage hall,
 * the mail-in fallback, sign codes bound to their order, every verification method, the PIN's
 * way (DOMAIN.md), and the public tracking look-up showing each state reached. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "apiclient.h"
#include "wizclient.h"

#define ORG "测试示范有限公司" /* the name api_register_org registers */

/* One applicant and the order under test. */
struct flow {
	struct api_client c;
	char login[19];  /* the account's login name: a USCC, or a person's mobile */
	char mobile[12]; /* the handler's (and legal representative's) mobile of the order */
	char no[19];
	char account[20]; /* the financial step's account, for a transfer check */
};

/* ---- helpers */

static void fresh_org(struct flow *f)
{
	char m[12];

	memset(f, 0, sizeof(*f));
	wiz_register_org(&f->c, f->login, m);
	api_random_mobile(f->mobile);
}

static void fresh_person(struct flow *f)
{
	memset(f, 0, sizeof(*f));
	wiz_register_person(&f->c, f->login);
	api_random_mobile(f->mobile);
}

/* A certificate of the applicant's in channel; its "cert_serial" member into extra. */
static void cert(const struct flow *f, const char *channel, const char *kind, int not_after_days,
		 int first_issued_days, bool has_seal, char extra[64])
{
	char serial[17];

	wiz_random_serial(serial);
	wiz_fixture_cert(f->login, f->login, channel, kind, serial, not_after_days,
			 first_issued_days, has_seal);
	snprintf(extra, 64, ",\"cert_serial\":\"%s\"", serial);
}

/* The public look-up by order number and the handler mobile's last four digits. */
static void track(const struct flow *f, const char *want)
{
	char body[128], masked[16];
	struct api_resp r;
	json_t *o;

	wiz_sql("DELETE FROM rate_limits WHERE bucket LIKE 'track:%'");
	snprintf(body, sizeof(body), "{\"order_no\":\"%s\",\"mobile_tail\":\"%s\"}", f->no,
		 f->mobile + 7);
	api_post_json("/api/track/order", body, &r);
	if (r.status != 200)
		fail_msg("track %s: %ld %s", f->no, r.status, r.body);
	o = json_object_get(r.json, "order");
	if (strcmp(json_string_value(json_object_get(o, "state")), want) != 0)
		fail_msg("track %s: state %s, the order is %s", f->no,
			 json_string_value(json_object_get(o, "state")), want);
	assert_non_null(json_string_value(json_object_get(o, "state_name")));
	snprintf(masked, sizeof(masked), "%.3s****%s", f->mobile, f->mobile + 7);
	assert_string_equal(json_string_value(json_object_get(o, "handler_mobile")), masked);
	assert_null(strstr(r.body, f->mobile));
	api_free(&r);
}

/* The order is in state want, for its applicant and on the public look-up alike. */
static void at(struct flow *f, const char *want)
{
	char state[32];
	struct api_resp r;

	wiz_order(&f->c, f->no, state, &r);
	api_free(&r);
	if (strcmp(state, want) != 0)
		fail_msg("order %s is %s, expected %s", f->no, state, want);
	track(f, want);
}

/* A string member of the order's detail into out ("(null)" for null or absent). */
static void detail(struct flow *f, const char *name, char *out, size_t outsz)
{
	struct api_resp r;
	json_t *v;

	wiz_order(&f->c, f->no, NULL, &r);
	v = json_object_get(r.json, name);
	snprintf(out, outsz, "%s", json_is_string(v) ? json_string_value(v) : "(null)");
	api_free(&r);
}

static void expect_detail(struct flow *f, const char *name, const char *want)
{
	char v[200];

	detail(f, name, v, sizeof(v));
	if (strcmp(v, want) != 0)
		fail_msg("order %s: %s is %s, expected %s", f->no, name, v, want);
}

/* Whether the order's plan has step. */
static bool has_step(struct flow *f, const char *step)
{
	struct api_resp r;
	json_t *s;
	size_t i;
	bool found = false;

	wiz_order(&f->c, f->no, NULL, &r);
	json_array_foreach(json_object_get(r.json, "steps"), i, s)
		found |= strcmp(json_string_value(json_object_get(s, "step")), step) == 0;
	api_free(&r);
	return found;
}

/* A new order of f's, every data step saved with opts (NULL: the defaults). */
static void create_filled(struct flow *f, const char *channel, const char *business,
			  const char *kind, const char *extra, const struct wiz_opts *opts)
{
	wiz_create(&f->c, channel, business, kind, extra, f->no);
	wiz_fill_opts(&f->c, f->no, ORG, f->mobile, opts);
	at(f, "draft");
}

/* Verified, materials uploaded, signed: the order moves to want. */
static void submit(struct flow *f, const char *want)
{
	wiz_verify_plan(&f->c, f->no, f->account[0] ? f->account : NULL);
	wiz_upload_missing(&f->c, f->no);
	wiz_sign(&f->c, f->no, f->mobile, want);
	at(f, want);
}

/* Paid by a QR method at the sandbox: the order moves to want. */
static void pay(struct flow *f, const char *method, const char *want)
{
	char pay_no[25];

	at(f, "pending_payment");
	wiz_pay_qr(&f->c, f->no, method, pay_no);
	wiz_pay_complete(pay_no);
	at(f, want);
}

/* Paid by bank transfer, which finance confirms: where the hall takes no QR payment for the
 * business (003: "在线支付宝扫码支付" for 增加 only; a new certificate "公对公转账"). */
static void pay_transfer(struct flow *f, const char *want)
{
	static struct api_client fin;
	char path[120], body[64];
	struct api_resp r;

	at(f, "pending_payment");
	wiz_pay(&f->c, f->no, "transfer", &r);
	if (r.status != 201)
		fail_msg("pay by transfer: %ld %s", r.status, r.body);
	api_free(&r);
	if (!fin.session[0])
		api_staff_login(&fin, "finance", "Staff2026hall");
	snprintf(path, sizeof(path), "/api/review/orders/%s", f->no);
	api_call(&fin, "GET", path, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	snprintf(body, sizeof(body), "{\"version\":%lld}",
		 (long long)json_integer_value(json_object_get(r.json, "version")));
	api_free(&r);
	snprintf(path, sizeof(path), "/api/review/orders/%s/payment/confirm", f->no);
	api_call(&fin, "POST", path, body, NULL, &r);
	if (r.status != 200)
		fail_msg("finance confirms %s: %ld %s", f->no, r.status, r.body);
	api_free(&r);
	at(f, want);
}

/* The whole way for a business with a fee: amount (yuan) shown before signing. */
static void paid_flow(struct flow *f, const char *channel, const char *business, const char *kind,
		      const char *extra, const char *amount, const char *method, const char *want)
{
	create_filled(f, channel, business, kind, extra, NULL);
	assert_true(has_step(f, "pay"));
	expect_detail(f, "amount", amount);
	submit(f, "pending_payment");
	pay(f, method, want);
}

/* A free business on a certificate of a fresh organisation: nothing to pay, straight to
 * review. */
static void free_business(const char *channel, const char *business)
{
	char extra[64];
	struct flow f;
	struct api_resp r;

	fresh_org(&f);
	cert(&f, channel, "org", 200, -165, false, extra);
	create_filled(&f, channel, business, "org", extra, NULL);
	expect_detail(&f, "amount", "0.00");
	assert_false(has_step(&f, "pay"));
	assert_int_equal(has_step(&f, "change"), strcmp(business, "change") == 0);
	/* Unlocking proves itself with the key in hand (002). */
	assert_int_equal(has_step(&f, "enterprise"), strcmp(business, "unlock") != 0);
	submit(&f, "reviewing");
	wiz_pay(&f.c, f.no, "wechat", &r);
	api_expect_error(&r, 409, "wrong_state");
	api_free(&r);
}

/* A person's account and a draft of a personal certificate (NETCA) for a holder, every step
 * saved. */
static void person_order(struct flow *f)
{
	struct wiz_opts o = { 0 };
	char id[19], body[80];

	fresh_person(f);
	wiz_random_id(id);
	o.id_number = id;
	snprintf(body, sizeof(body), ",\"id_number\":\"%s\"", id);
	wiz_create(&f->c, "netca-gd", "new", "person", body, f->no);
	wiz_fill_opts(&f->c, f->no, ORG, f->mobile, &o);
	at(f, "draft");
}

/* Saves the product step again with another year count. */
static void product_years(struct flow *f, const char *years)
{
	json_t *j = json_loads(wiz_step_json("product", ORG, f->mobile, NULL), 0, NULL);
	struct api_resp r;
	char *text;

	assert_non_null(j);
	json_object_set_new(j, "years", json_string(years));
	text = json_dumps(j, JSON_COMPACT);
	wiz_put(&f->c, f->no, "product", text, &r);
	if (r.status != 200)
		fail_msg("product years %s: %ld %s", years, r.status, r.body);
	api_free(&r);
	free(text);
	json_decref(j);
}

static void sql_of(char *out, size_t outsz, const char *fmt, const char *arg)
{
	char sql[600];

	snprintf(sql, sizeof(sql), fmt, arg);
	wiz_sql_value(sql, out, outsz);
}

/* ---- every business type */

/* BJCA new: 260 a set, WeChat, then review. The legal representative's mobile verified it:
 * the PIN goes by SMS to the legal representative (000, 002), WeChat payment or not. */
static void test_new(void **state)
{
	struct flow f;

	(void)state;
	fresh_org(&f);
	paid_flow(&f, "bjca-zycg", "new", "org", NULL, "260.00", "wechat", "reviewing");
	expect_detail(&f, "verify_method", "lr_mobile");
	expect_detail(&f, "handler_method", "mobile");
	expect_detail(&f, "pay_method", "wechat");
	expect_detail(&f, "pin_delivery", "sms_legal_rep");
}

/* NETCA add: an organisation holding a valid certificate takes another (600 the first year). */
static void test_add(void **state)
{
	struct flow f;
	char extra[64];

	(void)state;
	fresh_org(&f);
	cert(&f, "netca-gd", "org", 200, -165, false, extra);
	paid_flow(&f, "netca-gd", "add", "org", NULL, "600.00", "alipay", "reviewing");
	expect_detail(&f, "business", "add");
}

/* BJCA renewal inside the window (30 days left): no enterprise, form or materials; the new
 * validity continues from the old expiry (002), shown before paying; paid is approved. */
static void test_renew_online(void **state)
{
	char extra[64], want[16], today[16];
	struct flow f;

	(void)state;
	fresh_org(&f);
	cert(&f, "bjca-zycg", "org", 30, -335, false, extra);
	create_filled(&f, "bjca-zycg", "renew", "org", extra, NULL);
	expect_detail(&f, "renew_mode", "online");
	assert_false(has_step(&f, "enterprise"));
	assert_false(has_step(&f, "form"));
	assert_false(has_step(&f, "materials"));
	assert_true(has_step(&f, "pay"));
	/* 002 "新证书有效期在旧证书截止日期的基础上顺延一年": one year, not more. */
	{
		json_t *j = json_loads(wiz_step_json("product", ORG, f.mobile, NULL), 0, NULL);
		struct api_resp r;
		char *text;

		json_object_set_new(j, "years", json_string("2"));
		text = json_dumps(j, JSON_COMPACT);
		wiz_put(&f.c, f.no, "product", text, &r);
		api_expect_error(&r, 400, "invalid_field");
		api_free(&r);
		free(text);
		json_decref(j);
	}
	product_years(&f, "1");
	/* 002: 180 a year; old not_after + 1 year, from today. */
	expect_detail(&f, "amount", "180.00");
	sql_of(want, sizeof(want), "SELECT DATE_FORMAT(c.not_after + INTERVAL 1 YEAR, '%%Y-%%m-%%d') "
		"FROM certificates c JOIN orders o ON o.target_cert_id = c.id WHERE o.order_no = '%s'",
		f.no);
	expect_detail(&f, "renew_not_after", want);
	wiz_sql_value("SELECT DATE_FORMAT(UTC_TIMESTAMP() + INTERVAL 8 HOUR, '%Y-%m-%d')", today,
		      sizeof(today));
	expect_detail(&f, "renew_not_before", today);
	submit(&f, "pending_payment");
	/* The PIN stays as it was (002): no new key, nothing to deliver. */
	expect_detail(&f, "pin_delivery", "(null)");
	/* No review for an online renewal (002): paid, the certificate runs to its new date. */
	pay(&f, "wechat", "done");
	expect_detail(&f, "pin_delivery", "(null)");
	expect_detail(&f, "renew_not_after", want);
	{
		char got[16];

		sql_of(got, sizeof(got), "SELECT DATE_FORMAT(c.not_after, '%%Y-%%m-%%d') FROM certificates c "
		       "JOIN orders o ON o.target_cert_id = c.id WHERE o.order_no = '%s'", f.no);
		assert_string_equal(got, want);
	}
}

/* BJCA renewal of a certificate expired 400 days: materials uploaded and reviewed (002);
 * the new validity counts from today. */
static void test_renew_review(void **state)
{
	char extra[64], want[16];
	struct flow f;
	struct api_resp r;

	(void)state;
	fresh_org(&f);
	cert(&f, "bjca-zycg", "org", -400, -765, false, extra);
	create_filled(&f, "bjca-zycg", "renew", "org", extra, NULL);
	expect_detail(&f, "renew_mode", "review");
	assert_true(has_step(&f, "form"));
	assert_true(has_step(&f, "materials"));
	expect_detail(&f, "amount", "180.00");
	wiz_sql_value("SELECT DATE_FORMAT(DATE(UTC_TIMESTAMP() + INTERVAL 8 HOUR) + INTERVAL 1 YEAR, "
		      "'%Y-%m-%d')", want, sizeof(want));
	expect_detail(&f, "renew_not_after", want);
	wiz_order(&f.c, f.no, NULL, &r);
	assert_true(json_array_size(json_object_get(r.json, "materials_missing")) > 0);
	api_free(&r);
	submit(&f, "pending_payment");
	pay(&f, "alipay", "reviewing");
}

/* Where the applicant of a lost replacement reads, before signing, that the old certificate
 * is revoked for good (002 "原有证书将会自动吊销"; DOMAIN.md "warn clearly"). */
static bool warns_revocation(const char *text)
{
	return text && strstr(text, "吊销") &&
	       (strstr(text, "无法恢复") || strstr(text, "不可恢复") || strstr(text, "不能再"));
}

static void revocation_warned(struct flow *f, const char *channel, const char *kind)
{
	char path[160];
	struct api_resp r;
	bool order, quote, agreement;

	wiz_order(&f->c, f->no, NULL, &r);
	order = warns_revocation(r.body);
	api_free(&r);
	snprintf(path, sizeof(path), "/api/wizard/quote?channel=%s&business=lost&kind=%s", channel,
		 kind);
	api_get(path, &r);
	assert_int_equal(r.status, 200);
	quote = warns_revocation(r.body);
	api_free(&r);
	/* The hall's service agreement, accepted at the first step. */
	snprintf(path, sizeof(path), "/api/wizard/agreements/service?channel=%s", channel);
	api_get(path, &r);
	assert_int_equal(r.status, 200);
	agreement = warns_revocation(json_string_value(json_object_get(r.json, "body")));
	api_free(&r);
	(void)quote;
	/* The order the applicant is working on says it (002, 004), not only the agreement. */
	if (!order)
		fail_msg("lost %s: the order does not warn that the old certificate is revoked "
			 "irreversibly", f->no);
	assert_true(agreement);
}

/* BJCA lost, a certificate carrying a seal: the media fee only (80, 002). */
static void test_lost_sealed(void **state)
{
	char extra[64], v[32];
	struct flow f;
	struct api_resp r;

	(void)state;
	fresh_org(&f);
	cert(&f, "bjca-zycg", "org", 200, -165, true, extra);
	create_filled(&f, "bjca-zycg", "lost", "org", extra, NULL);
	expect_detail(&f, "amount", "80.00");
	/* The replacement re-makes the seal the certificate carries, whatever the product step
	 * was sent (wiz_step_json: "seal":"0"). */
	{
		char path[128];
		const char *seal;

		snprintf(path, sizeof(path), "/api/wizard/orders/%s/steps/product", f.no);
		api_call(&f.c, "GET", path, NULL, NULL, &r);
		assert_int_equal(r.status, 200);
		seal = json_string_value(json_object_get(json_object_get(r.json, "data"), "seal"));
		snprintf(v, sizeof(v), "%s", seal ? seal : "(none)");
		api_free(&r);
	}
	assert_string_equal(v, "1");
	revocation_warned(&f, "bjca-zycg", "org");
	submit(&f, "pending_payment");
	pay(&f, "wechat", "reviewing");
}

/* SZCA lost, a legal representative's certificate: free (001 "补办费用: 0.00元"), the
 * organisation by financial (transfer) verification and the handler by face, its only ways. */
static void test_lost_szca_legal_rep(void **state)
{
	struct wiz_opts o = { 0 };
	char extra[64];
	struct flow f;

	(void)state;
	fresh_org(&f);
	cert(&f, "szca", "legal_rep", 200, -165, false, extra);
	wiz_random_account(f.account);
	o.account_no = f.account;
	wiz_create(&f.c, "szca", "lost", "legal_rep", extra, f.no);
	wiz_fill_opts(&f.c, f.no, ORG, f.mobile, &o);
	expect_detail(&f, "verify_method", "transfer");
	expect_detail(&f, "handler_method", "face");
	expect_detail(&f, "amount", "0.00");
	assert_false(has_step(&f, "pay"));
	revocation_warned(&f, "szca", "legal_rep");
	submit(&f, "reviewing");
	expect_detail(&f, "pin_delivery", "transfer_memo");
}

/* BJCA damaged: 002 makes a quality defect within the media warranty (a year from first
 * issue) free and charges the media fee otherwise. Without a defect claimed, both are quoted
 * the media fee; a defect claimed within the warranty is quoted free, one claimed after it is
 * not. Either way the old key is sent in first ("用户损坏补办时需携带原有数字证书介质USBkey进行检
 * 测鉴定"): the order waits for it, and nothing is paid before its inspection (test_damaged.c
 * walks on from there). */
static void test_damaged(void **state)
{
	static const struct {
		int not_after, first_issued;
	} keys[] = { { 265, -100 }, { 200, -500 } }; /* in warranty, out of it */
	char extra[64];
	struct flow f;

	(void)state;
	fresh_org(&f);
	for (size_t i = 0; i < 2; i++) {
		struct api_resp r;
		json_t *item;

		api_random_mobile(f.mobile);
		cert(&f, "bjca-zycg", "org", keys[i].not_after, keys[i].first_issued, false, extra);
		create_filled(&f, "bjca-zycg", "damaged", "org", extra, NULL);
		expect_detail(&f, "amount", "80.00");
		wiz_order(&f.c, f.no, NULL, &r);
		item = json_array_get(json_object_get(json_object_get(r.json, "quote"), "items"), 0);
		assert_string_equal(json_string_value(json_object_get(item, "code")), "media");
		assert_int_equal(json_array_size(json_object_get(json_object_get(r.json, "quote"), "items")), 1);
		api_free(&r);
		submit(&f, "awaiting_key");
	}
	for (size_t i = 0; i < 2; i++) {
		char product[1024], *p;
		struct api_resp r;

		api_random_mobile(f.mobile);
		cert(&f, "bjca-zycg", "org", keys[i].not_after, keys[i].first_issued, false, extra);
		create_filled(&f, "bjca-zycg", "damaged", "org", extra, NULL);
		snprintf(product, sizeof(product), "%s", wiz_step_json("product", ORG, f.mobile, NULL));
		p = strrchr(product, '}');
		assert_non_null(p);
		snprintf(p, sizeof(product) - (size_t)(p - product),
			 ",\"defect\":\"1\",\"defect_sign\":\"blinking\"}");
		wiz_put(&f.c, f.no, "product", product, &r);
		assert_int_equal(r.status, 200);
		api_free(&r);
		expect_detail(&f, "amount", i == 0 ? "0.00" : "80.00");
		assert_int_equal(has_step(&f, "pay"), i != 0);
		submit(&f, "awaiting_key");
	}
}

/* Paid is paid for: an order returned after payment may correct its mailing, not buy more
 * years at the old price. */
static void test_paid_product_locked(void **state)
{
	char sql[300], product[1024], *p;
	struct flow f;
	struct api_resp r;

	(void)state;
	fresh_org(&f);
	create_filled(&f, "netca-gd", "new", "org", NULL, NULL);
	expect_detail(&f, "amount", "600.00");
	submit(&f, "pending_payment");
	/* 003 "必须等纸质资料寄达，并且汇款到账才能办理": paid, the paper is awaited. */
	pay_transfer(&f, "awaiting_paper");
	/* The reviewer returns it for the mailing address (fcgi-apps/review plays this part). */
	snprintf(sql, sizeof(sql), "UPDATE orders SET state = 'returned', editable = 'product', "
		 "return_state = 'reviewing' WHERE order_no = '%s'", f.no);
	wiz_sql(sql);
	snprintf(product, sizeof(product), "%s", wiz_step_json("product", ORG, f.mobile, NULL));
	p = strstr(product, "\"years\":\"1\"");
	assert_non_null(p);
	p[9] = '5';
	wiz_put(&f.c, f.no, "product", product, &r);
	api_expect_error(&r, 409, "step_locked");
	api_free(&r);
	expect_detail(&f, "amount", "600.00");
	p[9] = '1';
	p = strstr(product, "科技园科苑路 15 号 3 楼");
	assert_non_null(p);
	memcpy(p, "科技园科苑路 16 号 5 楼", strlen("科技园科苑路 16 号 5 楼"));
	wiz_put(&f.c, f.no, "product", product, &r);
	assert_int_equal(r.status, 200);
	api_free(&r);
	expect_detail(&f, "amount", "600.00");
}

/* CECEP change (free: 002's hall, whose unstated price is 003's "免费"). NETCA's goes by mail
 * (test_halls). */
static void test_change(void **state)
{
	(void)state;
	free_business("cecep", "change");
}

/* BJCA unlock (002: free). */
static void test_unlock(void **state)
{
	(void)state;
	free_business("bjca-zycg", "unlock");
}

/* CECEP revoke (free, as change). NETCA's is at the counter only, BJCA's by mail (test_halls). */
static void test_revoke(void **state)
{
	(void)state;
	free_business("cecep", "revoke");
}

/* ---- certificate kinds */

/* NETCA legal representative: 360 the first year (003). */
static void test_new_legal_rep(void **state)
{
	struct flow f;

	(void)state;
	fresh_org(&f);
	/* 003: the paper originals are mailed after paying ("必须等纸质资料寄达"). */
	create_filled(&f, "netca-gd", "new", "legal_rep", NULL, NULL);
	expect_detail(&f, "amount", "360.00");
	submit(&f, "pending_payment");
	pay_transfer(&f, "awaiting_paper");
	/* The organisation proves itself; the holder is named. */
	assert_true(has_step(&f, "enterprise"));
	assert_true(has_step(&f, "applicant"));
	expect_detail(&f, "kind", "legal_rep");
}

/* A person's own certificate, from a person's account (003: 360 the first year). */
static void test_new_person(void **state)
{
	struct flow f;

	(void)state;
	person_order(&f);
	assert_false(has_step(&f, "enterprise"));
	assert_true(has_step(&f, "applicant"));
	expect_detail(&f, "amount", "360.00");
	submit(&f, "pending_payment");
	pay_transfer(&f, "awaiting_paper");
	/* No organisation verified it: the PIN goes to the holder. */
	expect_detail(&f, "pin_delivery", "sms_applicant");
}

/* ---- the paths between */

/* JXCA (004): the legal representative's face, then a pre-review before any price or payment. */
static void test_two_stage(void **state)
{
	struct flow f;
	struct api_resp r;

	(void)state;
	fresh_org(&f);
	create_filled(&f, "jxca-js", "new", "org", NULL, NULL);
	expect_detail(&f, "verify_method", "lr_face");
	expect_detail(&f, "flow", "two_stage");
	submit(&f, "pre_review");
	expect_detail(&f, "amount", "(null)");
	wiz_pay(&f.c, f.no, "wechat", &r);
	api_expect_error(&r, 409, "wrong_state");
	api_free(&r);
	wiz_order(&f.c, f.no, NULL, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "payments")), 0);
	api_free(&r);
	at(&f, "pre_review");
}

/* Two orders of one account with one handler mobile: a code asked for order A does not sign
 * order B, and A's code still signs A. */
static void test_sign_code_bound(void **state)
{
	struct flow a, b;
	char extra[64], code[7];
	struct api_resp r;

	(void)state;
	fresh_org(&a);
	b = a;
	cert(&b, "bjca-zycg", "org", 200, -165, false, extra);
	create_filled(&a, "bjca-zycg", "new", "org", NULL, NULL);
	create_filled(&b, "bjca-zycg", "unlock", "org", extra, NULL);
	wiz_verify_plan(&a.c, a.no, NULL);
	wiz_upload_missing(&a.c, a.no);
	wiz_verify_plan(&b.c, b.no, NULL);
	wiz_upload_missing(&b.c, b.no);
	wiz_sign_code(&a.c, a.no, a.mobile, code);
	wiz_sign_with(&b.c, b.no, "/sign", code, &r);
	api_expect_error(&r, 400, "code_wrong");
	api_free(&r);
	at(&b, "draft");
	wiz_sign_with(&a.c, a.no, "/sign", code, &r);
	if (r.status != 200)
		fail_msg("sign A with its own code: %ld %s", r.status, r.body);
	api_free(&r);
	at(&a, "pending_payment");
	/* Used up on A: not B's either. */
	wiz_sign_with(&b.c, b.no, "/sign", code, &r);
	assert_int_equal(r.status, 400);
	api_free(&r);
	wiz_sign(&b.c, b.no, b.mobile, "reviewing");
	at(&b, "reviewing");
}

/* Every enterprise and handler method, once each through to submission (lr_mobile with the
 * handler's mobile: test_new); the PIN's way for each. */
static void test_every_verification_method(void **state)
{
	static const struct {
		const char *enterprise, *handler, *pin;
	} ways[] = {
		{ "transfer", "card", "transfer_memo" },
		{ "lr_card", "face", "sms_legal_rep" },
		{ "lr_face", "mobile", "sms_legal_rep" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(ways) / sizeof(ways[0]); i++) {
		struct wiz_opts o = { 0 };
		struct flow f;

		fresh_org(&f);
		wiz_random_account(f.account);
		o.enterprise_method = ways[i].enterprise;
		o.handler_method = ways[i].handler;
		o.account_no = f.account;
		create_filled(&f, "bjca-zycg", "new", "org", NULL, &o);
		expect_detail(&f, "verify_method", ways[i].enterprise);
		expect_detail(&f, "handler_method", ways[i].handler);
		assert_int_equal(has_step(&f, "financial"), strcmp(ways[i].enterprise, "transfer") == 0);
		submit(&f, "pending_payment");
		expect_detail(&f, "pin_delivery", ways[i].pin);
		pay(&f, "wechat", "reviewing");
		/* Paid by WeChat, the way stays: the transfer's memo (001), the legal
		 * representative's SMS (000, 002). */
		expect_detail(&f, "pin_delivery", ways[i].pin);
	}
}

/* 001: paid by corporate transfer, the PIN goes by SMS to the handler (an organisation's
 * certificate) or to the applicant (a person's); the payment waits for finance. */
static void test_pin_transfer_payment(void **state)
{
	struct wiz_opts o = { 0 };
	struct flow f;
	struct api_resp r;

	(void)state;
	fresh_org(&f);
	wiz_random_account(f.account);
	o.enterprise_method = "transfer";
	o.account_no = f.account;
	create_filled(&f, "netca-gd", "new", "org", NULL, &o);
	submit(&f, "pending_payment");
	expect_detail(&f, "pin_delivery", "transfer_memo");
	wiz_pay(&f.c, f.no, "transfer", &r);
	if (r.status != 201)
		fail_msg("pay by transfer: %ld %s", r.status, r.body);
	assert_string_equal(json_string_value(json_object_get(r.json, "state")), "awaiting_finance");
	assert_string_equal(json_string_value(json_object_get(r.json, "pin_delivery")), "sms_handler");
	api_free(&r);
	expect_detail(&f, "pin_delivery", "sms_handler");
	at(&f, "pending_payment");

	person_order(&f);
	submit(&f, "pending_payment");
	wiz_pay(&f.c, f.no, "transfer", &r);
	if (r.status != 201)
		fail_msg("pay by transfer: %ld %s", r.status, r.body);
	api_free(&r);
	expect_detail(&f, "pin_delivery", "sms_applicant");
	at(&f, "pending_payment");
}

/* ---- the certificate the CA issues (issue 13): made from the token's request, looked up,
 * published on the CRL, replaced when lost, revoked when its holder asks ---- */

static struct api_client rev, shp;

#define RSA_ISSUER "CN=certhall Sandbox RSA Issuing CA,O=certhall sandbox,C=CN" /* [ca] default */

/* A staff action on the order, with the version the console reads; the answer in r. */
static void staff_post(struct api_client *c, const char *no, const char *action,
		       const char *extra, struct api_resp *r)
{
	char path[160], body[8192];
	long long v;

	snprintf(path, sizeof(path), "/api/review/orders/%s", no);
	api_call(c, "GET", path, NULL, NULL, r);
	assert_int_equal(r->status, 200);
	v = json_integer_value(json_object_get(r->json, "version"));
	api_free(r);
	snprintf(body, sizeof(body), "{\"version\":%lld%s}", v, extra ? extra : "");
	snprintf(path, sizeof(path), "/api/review/orders/%s/%s", no, action);
	api_call(c, "POST", path, body, NULL, r);
}

/* The same, and the order moves to want; the answer into *answer when not NULL. */
static void staff(struct api_client *c, const char *no, const char *action, const char *extra,
		  const char *want, json_t **answer)
{
	struct api_resp r;

	staff_post(c, no, action, extra, &r);
	if (r.status != 200 || strcmp(json_string_value(json_object_get(r.json, "state")), want) != 0)
		fail_msg("%s %s: %ld %.500s", action, no, r.status, r.body);
	if (answer)
		*answer = json_incref(r.json);
	api_free(&r);
}

/* BJCA (002 2.2.2): the enterprise check fails, the applicant switches to mail-in, the handler
 * is still checked online, signs and pays; the paper is awaited, and its approval proves the
 * organisation's USCC. */
static void test_mail_in(void **state)
{
	char body[128], path[128];
	struct flow f;
	struct api_resp r;

	(void)state;
	fresh_org(&f);
	/* The gateway's records say no to this organisation (its USCC), not to the handler. */
	snprintf(body, sizeof(body), "{\"key\":\"%s\",\"outcome\":\"fail\"}", f.login);
	api_post_json("/sandbox/verify/script", body, &r);
	assert_int_equal(r.status, 200);
	api_free(&r);
	create_filled(&f, "bjca-zycg", "new", "org", NULL, NULL);
	snprintf(path, sizeof(path), "/api/wizard/orders/%s/verify/enterprise", f.no);
	api_call(&f.c, "POST", path, "{}", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "verification"),
							      "state")), "failed");
	api_free(&r);
	at(&f, "verify_failed");
	snprintf(path, sizeof(path), "/api/wizard/orders/%s/mail-in", f.no);
	api_call(&f.c, "POST", path, NULL, NULL, &r);
	if (r.status != 200)
		fail_msg("mail-in %s: %ld %s", f.no, r.status, r.body);
	api_free(&r);
	at(&f, "draft");
	expect_detail(&f, "verify_method", "mail_in");
	/* The paper goes by courier: nothing uploaded. */
	assert_false(has_step(&f, "materials"));
	submit(&f, "pending_payment");
	/* No guide prints a PIN envelope: the handler's mobile gets it. */
	expect_detail(&f, "pin_delivery", "sms_handler");
	pay(&f, "wechat", "awaiting_paper");
	snprintf(body, sizeof(body), "{\"key\":\"%s\",\"outcome\":\"clear\"}", f.login);
	api_post_json("/sandbox/verify/script", body, &r);
	api_free(&r);
	/* The failed check proved nothing; the reviewer's approval of the sealed paper proves the
	 * USCC (issue 20). */
	api_call(&f.c, "GET", "/api/account/me", NULL, NULL, &r);
	assert_string_equal(json_string_value(json_object_get(r.json, "uscc_state")), "claimed");
	api_free(&r);
	api_staff_login(&rev, "reviewer", "Staff2026hall");
	staff(&rev, f.no, "paper-received", NULL, "paper_review", NULL);
	staff(&rev, f.no, "decision", ",\"decision\":\"approve\"", "approved", NULL);
	api_call(&f.c, "GET", "/api/account/me", NULL, NULL, &r);
	assert_string_equal(json_string_value(json_object_get(r.json, "uscc_state")), "proven");
	api_free(&r);
}

/* The public look-up of serial: its "certificate" object (the caller decrefs it). */
static json_t *lookup(const char *serial)
{
	char path[120];
	struct api_resp r;
	json_t *c;

	wiz_sql("DELETE FROM rate_limits WHERE bucket LIKE 'track:%'");
	snprintf(path, sizeof(path), "/api/track/certs/%s", serial);
	api_get(path, &r);
	if (r.status != 200)
		fail_msg("look-up %s: %ld %.300s", serial, r.status, r.body);
	c = json_incref(json_object_get(r.json, "certificate"));
	api_free(&r);
	return c;
}

/* The CRL GET /api/track/crl serves (DER, malloc'd). */
static unsigned char *published_crl(size_t *len)
{
	struct api_resp r;
	unsigned char *der;
	char type[64];

	api_get("/api/track/crl", &r);
	assert_int_equal(r.status, 200);
	assert_non_null(api_header(&r, "Content-Type", type, sizeof(type)));
	assert_string_equal(type, "application/pkix-crl");
	der = malloc(r.len);
	assert_non_null(der);
	memcpy(der, r.body, r.len);
	*len = r.len;
	api_free(&r);
	return der;
}

/* What openssl verify -crl_check says of the stored certificate with the published chain and
 * CRL agrees with the look-up: 0 when it verifies. */
static int verified(const char *serial, const unsigned char *crl, size_t len, char *out,
		    size_t outsz)
{
	char q[200], pem[4096];

	snprintf(q, sizeof(q), "SELECT pem FROM certificates WHERE serial = '%s'", serial);
	wiz_sql_value(q, pem, sizeof(pem));
	assert_non_null(strstr(pem, "-----BEGIN CERTIFICATE-----"));
	return wiz_openssl_verify("ca/rsa", pem, crl, len, out, outsz);
}

/* The key made for the order is mailed and received: the order is done. */
static void mailed(struct flow *f)
{
	char wb[80];

	snprintf(wb, sizeof(wb), ",\"carrier\":\"jd\",\"number\":\"JD%.13s\"", f->no + 5);
	staff(&shp, f->no, "shipped", wb, "shipped", NULL);
	staff(&shp, f->no, "delivered", NULL, "done", NULL);
}

/* What the console's dev button does: the names the detail asks for, a request from a
 * sandbox token of kind ("rsa", "sm2"; POST /sandbox/token); the made step's members (free()).
 * The token's serial and PIN into token and pin when not NULL. */
static char *console_token_of(const char *no, const char *kind, char token[17], char pin[9])
{
	char path[160], body[600];
	struct api_resp r;
	json_t *names, *made;
	char *text, *out;

	snprintf(path, sizeof(path), "/api/review/orders/%s", no);
	api_call(&shp, "GET", path, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	names = json_object_get(r.json, "made_names");
	assert_string_equal(json_string_value(json_object_get(names, "cn")), ORG);
	snprintf(body, sizeof(body), "{\"kind\":\"%s\",\"cn\":\"%s\",\"o\":\"%s\"}", kind,
		 json_string_value(json_object_get(names, "cn")),
		 json_string_value(json_object_get(names, "o")));
	api_free(&r);
	api_post_json("/sandbox/token", body, &r);
	assert_int_equal(r.status, 201);
	/* The key stays on the token. */
	assert_null(strstr(r.body, "PRIVATE KEY"));
	if (token)
		snprintf(token, 17, "%s", json_string_value(json_object_get(r.json, "token_serial")));
	if (pin)
		snprintf(pin, 9, "%s", json_string_value(json_object_get(r.json, "pin")));
	made = json_pack("{s:O, s:O, s:O}", "csr", json_object_get(r.json, "csr"), "token_serial",
			 json_object_get(r.json, "token_serial"), "pin", json_object_get(r.json, "pin"));
	api_free(&r);
	text = json_dumps(made, JSON_COMPACT);
	json_decref(made);
	assert_non_null(text);
	out = strdup(text);
	free(text);
	assert_non_null(out);
	out[0] = ',';
	out[strlen(out) - 1] = '\0';
	return out;
}

static char *console_token(const char *no)
{
	return console_token_of(no, "rsa", NULL, NULL);
}

/* Both SMS gateways of the sandbox failing every send (1) or none (0), and nothing else an
 * earlier test may have left set there (timeouts: a row in doubt; permanent refusals: a row
 * failed). */
static void gateways(int down)
{
	const char *body = down ? "{\"fail_ratio\":1.0,\"timeout_ratio\":0,\"permanent_ratio\":0}"
				: "{\"fail_ratio\":0,\"timeout_ratio\":0,\"permanent_ratio\":0}";
	struct api_resp r;

	api_post_json("/sandbox/control", body, &r);
	assert_int_equal(r.status, 200);
	api_free(&r);
	api_post_json("/sandbox/control/sms2", body, &r);
	assert_int_equal(r.status, 200);
	api_free(&r);
}

/* A JSON value as text, for a search in it (kept until the next call). */
static const char *json_dumps_tmp(json_t *j)
{
	static char *last;

	free(last);
	last = json_dumps(j, JSON_COMPACT);
	assert_non_null(last);
	return last;
}

/* The order's pin_notice outbox row in state: "params:body:sealed:PIN readable in the sealed
 * bytes" into out; fails the test when there is no such row. */
static void pin_row(const char *no, const char *state, char *out, size_t outsz)
{
	char q[600];

	/* The send right after the answer settles it: wait until it was offered (attempts > 0) and
	 * is in state. Before that send claims it the row is pending too: a row not yet tried would
	 * pass for one the providers refused. Both providers are asked, each with its own timeout:
	 * under load that takes more than 10 s. */
	for (int i = 0; i < 300; i++) {
		snprintf(q, sizeof(q), "SELECT COUNT(*) FROM outbox WHERE event = 'pin_notice' AND "
			 "state = '%s' AND attempts > 0 AND order_id = (SELECT id FROM orders WHERE "
			 "order_no = '%s')", state, no);
		wiz_sql_value(q, out, outsz);
		if (strcmp(out, "0") != 0)
			break;
		usleep(200000);
	}
	snprintf(q, sizeof(q),
		 "SELECT CONCAT(params, ':', body, ':', secret_enc IS NOT NULL, ':', "
		 "COALESCE(LOCATE('%s', secret_enc) > 0, 0)) FROM outbox WHERE event = 'pin_notice' "
		 "AND state = '%s' AND order_id = (SELECT id FROM orders WHERE order_no = '%s')",
		 WIZ_TOKEN_PIN, state, no);
	wiz_sql_value(q, out, outsz);
	if (!out[0]) {
		snprintf(q, sizeof(q), "SELECT GROUP_CONCAT(state) FROM outbox WHERE event = 'pin_notice' "
			 "AND order_id = (SELECT id FROM orders WHERE order_no = '%s')", no);
		wiz_sql_value(q, out, outsz);
		gateways(0); /* the tests after this one need codes delivered */
		fail_msg("order %s: no pin_notice row in state %s (rows: %s)", no, state, out);
	}
}

/* The outbox pass (as cron runs it) delivers the PIN to the legal representative's mobile;
 * then the row keeps nothing of it, and no log of the stack and no answer holds it. */
static void pin_sent(struct flow *f)
{
	char cmd[1200], out[600], logs[600];
	struct api_resp r;
	bool sent = false;

	for (int i = 0; i < 60 && !sent; i++) {
		snprintf(cmd, sizeof(cmd), "'%s' -c '%s' outbox 2>&1", api_admin(), getenv("CERTHALL_CONF"));
		wiz_run(cmd, out, sizeof(out));
		snprintf(cmd, sizeof(cmd), "SELECT COUNT(*) FROM outbox WHERE event = 'pin_notice' AND "
			 "state = 'sent' AND order_id = (SELECT id FROM orders WHERE order_no = '%s')", f->no);
		wiz_sql_value(cmd, out, sizeof(out));
		sent = strcmp(out, "1") == 0;
		if (!sent)
			sleep(1);
	}
	assert_true(sent);
	snprintf(cmd, sizeof(cmd), "/sandbox/messages?to=%s&limit=100", f->mobile);
	api_get(cmd, &r);
	assert_non_null(strstr(r.body, "PIN码为" WIZ_TOKEN_PIN));
	api_free(&r);
	pin_row(f->no, "sent", out, sizeof(out));
	assert_string_equal(out, "{}::0:0");
	snprintf(cmd, sizeof(cmd), "/api/review/orders/%s", f->no);
	api_call(&shp, "GET", cmd, NULL, NULL, &r);
	assert_null(strstr(r.body, WIZ_TOKEN_PIN));
	api_free(&r);
	snprintf(cmd, sizeof(cmd), "grep -rl '%s' '%s' || true", WIZ_TOKEN_PIN,
		 api_stack_path("log", logs, sizeof(logs)));
	assert_int_equal(wiz_run(cmd, out, sizeof(out)), 0);
	assert_string_equal(out, "");
}

/* A fresh organisation's new certificate at CECEP (BJCA's hall, 002's rules: a lost key's
 * replacement revokes it, a renewal is downloaded), paid and approved: the key is to be made.
 * NETCA reviews its new certificates on mailed paper and revokes at its counter. */
static void approved_new(struct flow *f)
{
	api_staff_login(&rev, "reviewer", "Staff2026hall");
	api_staff_login(&shp, "shipping", "Staff2026hall");
	fresh_org(f);
	paid_flow(f, "cecep", "new", "org", NULL, "260.00", "alipay", "reviewing");
	staff(&rev, f->no, "decision", ",\"decision\":\"approve\"", "approved", NULL);
}

/* The made step refused with status and code (field csr); the order stays approved. */
static void made_refused(const char *no, const char *made, long status, const char *code)
{
	char q[160], st[32];
	struct api_resp r;

	staff_post(&shp, no, "made", made, &r);
	api_expect_error(&r, status, code);
	assert_string_equal(api_error_field(&r), "csr");
	api_free(&r);
	snprintf(q, sizeof(q), "SELECT state FROM orders WHERE order_no = '%s'", no);
	wiz_sql_value(q, st, sizeof(st));
	assert_string_equal(st, "approved");
}

static void test_issued_then_lost(void **state)
{
	struct flow f;
	char *made, serial[CERT_SERIAL_MAX + 1], old[CERT_SERIAL_MAX + 1], token[17], extra[120];
	char out[4096], q[300], fp[65];
	unsigned char *crl;
	size_t len;
	json_t *a, *c;
	EVP_PKEY *key = NULL;

	(void)state;
	approved_new(&f);
	/* A request that names someone else is refused; nothing moves. */
	made = wiz_token_made(CERT_KEY_RSA, "别的公司", ORG, NULL, token);
	made_refused(f.no, made, 400, "csr_mismatch");
	free(made);
	at(&f, "approved");
	/* The token's request for the organisation: the CA issues, the hall keeps it. Both SMS
	 * gateways are down: the PIN waits in its outbox row, sealed. */
	gateways(1);
	made = wiz_token_made(CERT_KEY_RSA, ORG, ORG, &key, token);
	staff(&shp, f.no, "made", made, "making", &a);
	assert_null(strstr(json_dumps_tmp(a), WIZ_TOKEN_PIN));
	pin_row(f.no, "pending", out, sizeof(out));
	assert_string_equal(out, "{}::1:0");
	gateways(0);
	pin_sent(&f);
	snprintf(serial, sizeof(serial), "%s",
		 json_string_value(json_object_get(json_object_get(a, "certificate"), "serial")));
	json_decref(a);
	snprintf(q, sizeof(q), "SELECT CONCAT(token_serial, ':', LENGTH(key_sha256)) FROM certificates "
		 "WHERE serial = '%s'", serial);
	wiz_sql_value(q, out, sizeof(out));
	snprintf(q, sizeof(q), "%s:64", token);
	assert_string_equal(out, q);
	free(made);
	/* The look-up answers from the certificate: validity, DNs, fingerprint, not revoked. */
	c = lookup(serial);
	assert_string_equal(json_string_value(json_object_get(c, "state")), "valid");
	assert_string_equal(json_string_value(json_object_get(c, "issuer_dn")), RSA_ISSUER);
	assert_non_null(strstr(json_string_value(json_object_get(c, "subject_dn")), "CN=" ORG));
	assert_string_equal(json_string_value(json_object_get(c, "source")), "crl");
	snprintf(fp, sizeof(fp), "%s", json_string_value(json_object_get(c, "sha256")));
	json_decref(c);
	crl = published_crl(&len);
	assert_int_equal(verified(serial, crl, len, out, sizeof(out)), 0);
	assert_non_null(strstr(out, ": OK"));
	free(crl);
	/* Its fingerprint as openssl computes it. */
	snprintf(q, sizeof(q), "SELECT pem FROM certificates WHERE serial = '%s'", serial);
	{
		char pem[4096], path[] = "/tmp/certhall-fp.XXXXXX", cmd[200];
		int fd = mkstemp(path);

		assert_true(fd >= 0);
		close(fd);
		wiz_sql_value(q, pem, sizeof(pem));
		wiz_write_file(path, pem, strlen(pem));
		snprintf(cmd, sizeof(cmd), "openssl x509 -in %s -noout -fingerprint -sha256 | "
			 "tr -d ':' | tr 'A-F' 'a-f'; rm -f %s", path, path);
		assert_int_equal(wiz_run(cmd, out, sizeof(out)), 0);
		assert_non_null(strstr(out, fp));
	}
	mailed(&f);

	/* Lost: the replacement's making revokes it at the CA (keyCompromise) with the new one. */
	snprintf(old, sizeof(old), "%s", serial);
	snprintf(extra, sizeof(extra), ",\"cert_serial\":\"%s\"", old);
	paid_flow(&f, "cecep", "lost", "org", extra, "80.00", "alipay", "reviewing");
	staff(&rev, f.no, "decision", ",\"decision\":\"approve\"", "approved", NULL);
	c = lookup(old);
	assert_string_equal(json_string_value(json_object_get(c, "state")), "valid");
	json_decref(c);
	/* The lost key again: it has a certificate; refused before the CA is asked. */
	made = wiz_token_made(CERT_KEY_RSA, ORG, ORG, &key, NULL);
	made_refused(f.no, made, 409, "key_certified");
	free(made);
	EVP_PKEY_free(key);
	made = console_token(f.no);
	staff(&shp, f.no, "made", made, "making", &a);
	free(made);
	snprintf(serial, sizeof(serial), "%s",
		 json_string_value(json_object_get(json_object_get(a, "certificate"), "serial")));
	json_decref(a);
	c = lookup(old);
	assert_string_equal(json_string_value(json_object_get(c, "state")), "revoked");
	assert_int_equal(json_integer_value(json_object_get(c, "revocation_reason")), 1);
	json_decref(c);
	c = lookup(serial);
	assert_string_equal(json_string_value(json_object_get(c, "state")), "valid");
	json_decref(c);
	/* openssl agrees, with the CRL the hall publishes. */
	crl = published_crl(&len);
	assert_int_not_equal(verified(old, crl, len, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "certificate revoked"));
	assert_int_equal(verified(serial, crl, len, out, sizeof(out)), 0);
	free(crl);
	mailed(&f);

	/* Revoked as its holder asks (cessationOfOperation): the CRL then lists both. */
	snprintf(extra, sizeof(extra), ",\"cert_serial\":\"%s\"", serial);
	create_filled(&f, "cecep", "revoke", "org", extra, NULL);
	submit(&f, "reviewing");
	staff(&rev, f.no, "decision", ",\"decision\":\"approve\"", "done", NULL);
	c = lookup(serial);
	assert_string_equal(json_string_value(json_object_get(c, "state")), "revoked");
	assert_int_equal(json_integer_value(json_object_get(c, "revocation_reason")), 5);
	json_decref(c);
	crl = published_crl(&len);
	assert_int_not_equal(verified(serial, crl, len, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "certificate revoked"));
	assert_int_not_equal(verified(old, crl, len, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "certificate revoked"));
	free(crl);
}

/* An online renewal of a certificate the CA issued: paid, then the applicant's 【更新下载证书】
 * has the CA re-issue it with the same key (002), once, the day recorded. */
/* Whether the order's detail offers action. */
static bool offers(struct flow *f, const char *action)
{
	struct api_resp r;
	json_t *a;
	size_t i;
	bool found = false;

	wiz_order(&f->c, f->no, NULL, &r);
	json_array_foreach(json_object_get(r.json, "actions"), i, a)
		found |= strcmp(json_string_value(a), action) == 0;
	api_free(&r);
	return found;
}

static void test_renew_download(void **state)
{
	struct flow f;
	char *made, old[CERT_SERIAL_MAX + 1], extra[120], q[800], v[200], path[160], key_sha[65];
	struct api_resp r;
	json_t *a, *c;
	EVP_PKEY *key = NULL;
	X509 *x;
	struct cert_info info;
	const char *pem;

	(void)state;
	approved_new(&f);
	made = wiz_token_made(CERT_KEY_SM2, ORG, ORG, &key, NULL);
	staff(&shp, f.no, "made", made, "making", &a);
	free(made);
	snprintf(old, sizeof(old), "%s",
		 json_string_value(json_object_get(json_object_get(a, "certificate"), "serial")));
	json_decref(a);
	mailed(&f);
	/* Eleven months on: 30 days left, inside the online window (002 "有效期小于90天"). */
	snprintf(q, sizeof(q), "UPDATE certificates SET not_after = CURDATE() + INTERVAL 30 DAY "
		 "WHERE serial = '%s'", old);
	wiz_sql(q);
	snprintf(extra, sizeof(extra), ",\"cert_serial\":\"%s\"", old);
	create_filled(&f, "cecep", "renew", "org", extra, NULL);
	expect_detail(&f, "renew_mode", "online");
	submit(&f, "pending_payment");
	pay(&f, "alipay", "done");
	/* The order's page offers the download (its button), until it is done. */
	assert_true(offers(&f, "renew_download"));
	snprintf(path, sizeof(path), "/api/wizard/orders/%s/renewal/download", f.no);
	api_call(&f.c, "POST", path, NULL, NULL, &r);
	if (r.status != 200)
		fail_msg("download %s: %ld %.400s", f.no, r.status, r.body);
	assert_false(offers(&f, "renew_download"));
	c = json_object_get(r.json, "certificate");
	pem = json_string_value(json_object_get(c, "pem"));
	x = cert_read(pem, strlen(pem));
	assert_non_null(x);
	assert_int_equal(cert_info_of(x, &info), 0);
	X509_free(x);
	/* The token's own key, a new serial, SM2 still. */
	assert_int_equal(cert_key_sha256(key, key_sha), 0);
	assert_string_equal(info.key_sha256, key_sha);
	assert_int_equal(info.key, CERT_KEY_SM2);
	assert_string_not_equal(info.serial, old);
	assert_string_equal(json_string_value(json_object_get(c, "serial")), info.serial);
	api_free(&r);
	/* The key moved to the new row; the day is kept; once only. */
	snprintf(q, sizeof(q), "SELECT CONCAT(n.key_sha256 = '%s', ':', o.key_sha256 IS NULL, ':', "
		 "n.order_id = r.id, ':', r.renew_downloaded_at IS NOT NULL) FROM certificates n "
		 "JOIN certificates o ON o.serial = '%s' JOIN orders r ON r.order_no = '%s' "
		 "WHERE n.serial = '%s'", key_sha, old, f.no, info.serial);
	wiz_sql_value(q, v, sizeof(v));
	assert_string_equal(v, "1:1:1:1");
	api_call(&f.c, "POST", path, NULL, NULL, &r);
	api_expect_error(&r, 409, "conflict");
	api_free(&r);
	c = lookup(info.serial);
	assert_string_equal(json_string_value(json_object_get(c, "state")), "valid");
	assert_string_equal(json_string_value(json_object_get(c, "key")), "SM2");
	json_decref(c);
	EVP_PKEY_free(key);
}

/* 002 "认证方式选择'企业对公打款认证'：证书密码在对公账户收款1分钱记录附言中查询": no transfer
 * follows the approval at BJCA's hall; the key is made with the memo of the enterprise step's
 * 0.01 transfer as its PIN, which the shipping role reads (audited) and nobody else. */
static void test_pin_in_verify_memo(void **state)
{
	struct wiz_opts o = { 0 };
	struct flow f;
	struct api_resp r;
	char memo[16], path[120], q[300], *made;
	json_t *a;

	(void)state;
	api_staff_login(&rev, "reviewer", "Staff2026hall");
	api_staff_login(&shp, "shipping", "Staff2026hall");
	fresh_org(&f);
	wiz_random_account(f.account);
	o.enterprise_method = "transfer";
	o.account_no = f.account;
	create_filled(&f, "cecep", "new", "org", NULL, &o);
	submit(&f, "pending_payment");
	expect_detail(&f, "pin_delivery", "transfer_memo");
	pay(&f, "wechat", "reviewing");
	staff(&rev, f.no, "decision", ",\"decision\":\"approve\"", "approved", NULL);
	snprintf(path, sizeof(path), "/api/review/orders/%s", f.no);
	api_call(&shp, "GET", path, NULL, NULL, &r);
	assert_string_equal(json_string_value(json_object_get(r.json, "pin_source")), "transfer_memo");
	assert_null(json_object_get(r.json, "fin_check"));
	api_free(&r);
	wiz_statement_memo(f.account, memo);
	snprintf(path, sizeof(path), "/api/review/orders/%s/fin-check/pin", f.no);
	api_call(&rev, "GET", path, NULL, NULL, &r);
	assert_int_equal(r.status, 403);
	api_free(&r);
	api_call(&shp, "GET", path, NULL, NULL, &r);
	if (r.status != 200)
		fail_msg("PIN of the memo: %ld %s", r.status, r.body);
	assert_string_equal(json_string_value(json_object_get(r.json, "pin")), memo);
	api_free(&r);
	/* Made without a PIN typed, none sent by SMS; then no longer readable. */
	made = console_token(f.no);
	staff(&shp, f.no, "made", made, "making", &a);
	free(made);
	assert_string_equal(json_string_value(json_object_get(a, "pin_source")), "transfer_memo");
	json_decref(a);
	api_call(&shp, "GET", path, NULL, NULL, &r);
	api_expect_error(&r, 409, "wrong_state");
	api_free(&r);
	snprintf(q, sizeof(q), "SELECT COUNT(*) FROM outbox WHERE event = 'pin_notice' AND "
		 "order_id = (SELECT id FROM orders WHERE order_no = '%s')", f.no);
	wiz_sql_value(q, memo, sizeof(memo));
	assert_string_equal(memo, "0");
}

/* ---- certificate login (002 【证书绑定】, 【证书登录】) */

/* A fresh organisation's new certificate made on a sandbox token of kind and delivered: the
 * token's serial and PIN. */
static void delivered_on_token(struct flow *f, const char *kind, char token[17], char pin[9])
{
	char *made;

	approved_new(f);
	made = console_token_of(f->no, kind, token, pin);
	staff(&shp, f->no, "made", made, "making", NULL);
	free(made);
	mailed(f);
}

/* What the login page sends: a challenge, and the key helper's answer for it (the sandbox
 * token, signing with pin); its "certificate" and "signature" into *signed_out. */
static void challenge_signed(const char *token, const char *pin, char id[33], json_t **signed_out)
{
	char body[400], path[80];
	struct api_resp r;

	api_post_json("/api/account/cert-login/challenge", "{}", &r);
	if (r.status != 201)
		fail_msg("challenge: %ld %s", r.status, r.body);
	assert_string_equal(json_string_value(json_object_get(r.json, "helper")), "/sandbox/token");
	snprintf(id, 33, "%s", json_string_value(json_object_get(r.json, "challenge_id")));
	snprintf(body, sizeof(body), "{\"challenge\":\"%s\",\"pin\":\"%s\"}",
		 json_string_value(json_object_get(r.json, "challenge")), pin);
	api_free(&r);
	snprintf(path, sizeof(path), "/sandbox/token/%s/sign", token);
	api_post_json(path, body, &r);
	if (r.status != 200)
		fail_msg("helper sign: %ld %s", r.status, r.body);
	*signed_out = json_incref(r.json);
	api_free(&r);
}

/* POST /api/account/cert-login as browser c with the challenge id and the given certificate
 * and signature. */
static void cert_login_with(struct api_client *c, const char *id, const char *cert, const char *sig,
			    struct api_resp *r)
{
	json_t *j = json_pack("{s:s, s:s, s:s}", "challenge_id", id, "certificate", cert, "signature", sig);
	char *text = json_dumps(j, JSON_COMPACT);

	assert_non_null(text);
	api_call(c, "POST", "/api/account/cert-login", text, NULL, r);
	free(text);
	json_decref(j);
}

/* A new browser logs in with token; the answer into r (the browser into c). */
static void cert_login(struct api_client *c, const char *token, const char *pin, struct api_resp *r)
{
	char id[33];
	json_t *sg;

	memset(c, 0, sizeof(*c));
	challenge_signed(token, pin, id, &sg);
	cert_login_with(c, id, json_string_value(json_object_get(sg, "certificate")),
			json_string_value(json_object_get(sg, "signature")), r);
	json_decref(sg);
}

/* The browser c is logged in as the account login. */
static void logged_in_as(struct api_client *c, const char *login)
{
	struct api_resp r;

	api_call(c, "GET", "/api/account/me", NULL, NULL, &r);
	if (r.status != 200)
		fail_msg("me: %ld %s", r.status, r.body);
	assert_non_null(strstr(r.body, login));
	api_free(&r);
}

static void bind(struct api_client *c, const char *token, long status, const char *code)
{
	char body[120];
	struct api_resp r;

	snprintf(body, sizeof(body), "{\"token_serial\":\"%s\"}", token);
	api_call(c, "POST", "/api/wizard/bindings", body, NULL, &r);
	if (code)
		api_expect_error(&r, status, code);
	else if (r.status != status)
		fail_msg("bind %s: %ld %s", token, r.status, r.body);
	api_free(&r);
}

/* A certificate for key with subject CN=cn signed by issuer_key under issuer's name (NULL:
 * self-signed), valid from `from` to `to` days from now: base64 DER, as a key helper gives it
 * (free()). */
static char *leaf_b64(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key, long from,
		      long to)
{
	X509 *x = X509_new();
	X509_NAME *n = X509_NAME_new();
	unsigned char *der = NULL;
	char *pem;
	int len;

	assert_non_null(x);
	assert_int_equal(X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8, (const unsigned char *)cn,
						    -1, -1, 0), 1);
	assert_int_equal(X509_set_version(x, 2), 1);
	assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(x), 4242), 1);
	assert_int_equal(X509_set_subject_name(x, n), 1);
	assert_int_equal(X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : n), 1);
	assert_non_null(X509_gmtime_adj(X509_getm_notBefore(x), from * 86400));
	assert_non_null(X509_gmtime_adj(X509_getm_notAfter(x), to * 86400));
	assert_int_equal(X509_set_pubkey(x, key), 1);
	assert_int_equal(cert_sign_x509(x, issuer_key), 0);
	len = i2d_X509(x, &der);
	assert_true(len > 0);
	pem = cert_b64_encode(der, (size_t)len);
	assert_non_null(pem);
	OPENSSL_free(der);
	X509_NAME_free(n);
	X509_free(x);
	return pem;
}

/* A login with a certificate the test made for its own key, the challenge signed by that key:
 * refused with code. */
static void forged_login(const char *cert_b64, EVP_PKEY *key, const char *code)
{
	struct api_client c = { 0 };
	struct api_resp r;
	unsigned char sig[CERT_SIG_MAX];
	size_t siglen = 0;
	char id[33], *b64;
	const char *text;

	api_post_json("/api/account/cert-login/challenge", "{}", &r);
	assert_int_equal(r.status, 201);
	snprintf(id, sizeof(id), "%s", json_string_value(json_object_get(r.json, "challenge_id")));
	text = json_string_value(json_object_get(r.json, "challenge"));
	assert_int_equal(cert_sign_data(key, text, strlen(text), sig, &siglen), 0);
	api_free(&r);
	b64 = cert_b64_encode(sig, siglen);
	cert_login_with(&c, id, cert_b64, b64, &r);
	api_expect_error(&r, 401, code);
	api_free(&r);
	free(b64);
}

/* The stack's RSA issuing CA (what made the hall's certificates): its certificate and key. */
static void issuing_ca(X509 **cert, EVP_PKEY **key)
{
	char path[600];
	FILE *fp;

	fp = fopen(api_stack_path("ca/rsa/ca.pem", path, sizeof(path)), "r");
	assert_non_null(fp);
	*cert = PEM_read_X509(fp, NULL, NULL, NULL);
	fclose(fp);
	fp = fopen(api_stack_path("ca/rsa/ca.key", path, sizeof(path)), "r");
	assert_non_null(fp);
	*key = PEM_read_PrivateKey(fp, NULL, NULL, NULL);
	fclose(fp);
	assert_non_null(*cert);
	assert_non_null(*key);
}

static void test_cert_login(void **state)
{
	struct flow f, g;
	struct api_client c, other = { 0 };
	struct api_resp r;
	char tf[17], pf[9], tg[17], pg[9], id[33], extra[400], path[120], serial[CERT_SERIAL_MAX + 1];
	json_t *sf, *sg;
	EVP_PKEY *key, *ca_key, *fake_key;
	X509 *ca, *fake;
	char *pem;

	(void)state;
	/* An RSA key delivered to one organisation, an SM2 key to another. */
	delivered_on_token(&f, "rsa", tf, pf);
	delivered_on_token(&g, "sm2", tg, pg);
	/* Not bound yet: the certificate is real, but names no account. */
	cert_login(&c, tf, pf, &r);
	api_expect_error(&r, 401, "cert_unbound");
	api_free(&r);
	/* Binding: a serial of no certificate of the account's, another's token, a hostile one. */
	bind(&f.c, "NOSUCHTOKEN0001", 404, "token_unknown");
	bind(&g.c, tf, 404, "token_unknown");
	bind(&f.c, "../etc/passwd", 400, "invalid_field");
	bind(&f.c, tf, 201, NULL);
	bind(&f.c, tf, 200, NULL);
	api_call(&f.c, "GET", "/api/wizard/bindings", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, tf));
	assert_non_null(strstr(r.body, "\"state\":\"valid\""));
	api_free(&r);
	/* The bound key logs its account in. */
	cert_login(&c, tf, pf, &r);
	if (r.status != 200)
		fail_msg("certificate login: %ld %s", r.status, r.body);
	api_free(&r);
	logged_in_as(&c, f.login);
	/* The helper's request for new names is made with the key on the token (its PIN). */
	{
		X509_REQ *req;
		struct cert_csr_info ci;

		snprintf(path, sizeof(path), "/sandbox/token/%s/csr", tf);
		snprintf(extra, sizeof(extra), "{\"cn\":\"新名称有限公司\",\"o\":\"新名称有限公司\",\"pin\":\"%s\"}", pf);
		api_post_json(path, extra, &r);
		assert_int_equal(r.status, 200);
		req = cert_csr_read(json_string_value(json_object_get(r.json, "csr")),
				    strlen(json_string_value(json_object_get(r.json, "csr"))));
		assert_non_null(req);
		assert_int_equal(cert_csr_info_of(req, &ci), 0);
		assert_string_equal(ci.cn, "新名称有限公司");
		X509_REQ_free(req);
		api_free(&r);
		challenge_signed(tf, pf, id, &sf);
		{
			const char *b64 = json_string_value(json_object_get(sf, "certificate"));
			X509 *x = cert_read(b64, strlen(b64));
			struct cert_info xi;

			assert_non_null(x);
			assert_int_equal(cert_info_of(x, &xi), 0);
			assert_string_equal(xi.key_sha256, ci.key_sha256);
			X509_free(x);
		}
		json_decref(sf);
	}
	/* SM2 alike, once bound. */
	bind(&g.c, tg, 201, NULL);
	cert_login(&c, tg, pg, &r);
	if (r.status != 200)
		fail_msg("SM2 certificate login: %ld %s", r.status, r.body);
	api_free(&r);
	logged_in_as(&c, g.login);

	/* A replayed challenge, signed right: refused. */
	challenge_signed(tf, pf, id, &sf);
	cert_login_with(&other, id, json_string_value(json_object_get(sf, "certificate")),
			json_string_value(json_object_get(sf, "signature")), &r);
	assert_int_equal(r.status, 200);
	api_free(&r);
	memset(&other, 0, sizeof(other));
	cert_login_with(&other, id, json_string_value(json_object_get(sf, "certificate")),
			json_string_value(json_object_get(sf, "signature")), &r);
	api_expect_error(&r, 401, "challenge_expired");
	api_free(&r);
	/* f's certificate with g's token's signature over the same challenge: another key. */
	challenge_signed(tg, pg, id, &sg);
	cert_login_with(&other, id, json_string_value(json_object_get(sf, "certificate")),
			json_string_value(json_object_get(sg, "signature")), &r);
	api_expect_error(&r, 401, "bad_signature");
	api_free(&r);
	json_decref(sg);
	/* Hostile inputs: no certificate at all, a signature that is not base64, an id of
	 * another shape; every one answered, nobody logged in. */
	challenge_signed(tf, pf, id, &sg);
	cert_login_with(&other, id, "QUJDRA==", "AAAA", &r);
	api_expect_error(&r, 400, "invalid_field");
	assert_string_equal(api_error_field(&r), "certificate");
	api_free(&r);
	cert_login_with(&other, id, json_string_value(json_object_get(sg, "certificate")), "%%%%", &r);
	api_expect_error(&r, 401, "bad_signature");
	api_free(&r);
	cert_login_with(&other, "../../", json_string_value(json_object_get(sg, "certificate")),
			json_string_value(json_object_get(sg, "signature")), &r);
	api_expect_error(&r, 400, "invalid_field");
	api_free(&r);
	json_decref(sg);
	json_decref(sf);
	/* The helper wants the token's PIN, and signs login challenges only. */
	api_post_json("/api/account/cert-login/challenge", "{}", &r);
	snprintf(extra, sizeof(extra), "{\"challenge\":\"%s\",\"pin\":\"000000\"}",
		 json_string_value(json_object_get(r.json, "challenge")));
	api_free(&r);
	snprintf(path, sizeof(path), "/sandbox/token/%s/sign", tf);
	api_post_json(path, extra, &r);
	api_expect_error(&r, 403, "pin_wrong");
	api_free(&r);

	/* A certificate of another CA with our issuing CA's very name, and an expired one our CA
	 * signed: the key that signs is the certificate's own in both. */
	key = cert_key_new(CERT_KEY_RSA);
	fake_key = cert_key_new(CERT_KEY_RSA);
	issuing_ca(&ca, &ca_key);
	pem = leaf_b64(fake_key, "certhall Sandbox RSA Issuing CA", NULL, fake_key, -1, 30);
	fake = cert_read(pem, strlen(pem));
	assert_non_null(fake);
	assert_int_equal(X509_set_subject_name(fake, X509_get_subject_name(ca)), 1);
	free(pem);
	pem = leaf_b64(key, ORG, fake, fake_key, -1, 30);
	forged_login(pem, key, "cert_untrusted");
	free(pem);
	pem = leaf_b64(key, ORG, ca, ca_key, -400, -35);
	forged_login(pem, key, "cert_expired");
	free(pem);
	X509_free(fake);
	X509_free(ca);
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(fake_key);
	EVP_PKEY_free(key);

	/* Unbound by its account: the SM2 key logs in no more. */
	snprintf(path, sizeof(path), "/api/wizard/bindings/%s/unbind", tg);
	api_call(&g.c, "POST", path, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	api_free(&r);
	api_call(&g.c, "POST", path, NULL, NULL, &r);
	api_expect_error(&r, 404, "not_found");
	api_free(&r);
	cert_login(&c, tg, pg, &r);
	api_expect_error(&r, 401, "cert_unbound");
	api_free(&r);

	/* Revoked as its holder asks: the bound key logs in no more. */
	api_call(&f.c, "GET", "/api/wizard/bindings", NULL, NULL, &r);
	snprintf(serial, sizeof(serial), "%s", json_string_value(json_object_get(
		json_array_get(json_object_get(r.json, "bindings"), 0), "serial")));
	api_free(&r);
	snprintf(extra, sizeof(extra), ",\"cert_serial\":\"%s\"", serial);
	create_filled(&f, "cecep", "revoke", "org", extra, NULL);
	submit(&f, "reviewing");
	staff(&rev, f.no, "decision", ",\"decision\":\"approve\"", "done", NULL);
	cert_login(&c, tf, pf, &r);
	api_expect_error(&r, 401, "cert_revoked");
	api_free(&r);
	/* Once unbound, a revoked key binds no more. */
	snprintf(path, sizeof(path), "/api/wizard/bindings/%s/unbind", tf);
	api_call(&f.c, "POST", path, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	api_free(&r);
	bind(&f.c, tf, 409, "cert_not_eligible");
}

/* ---- unlock by challenge and response (002 "审核资料后进行授权，并发送授权邮件；用户通过授权邮件
 * 中的链接重置密码") */

/* The helper signs with pin: its HTTP status. */
static long helper_sign(const char *token, const char *pin)
{
	char path[80], body[200];
	struct api_resp r;
	long status;

	snprintf(path, sizeof(path), "/sandbox/token/%s/sign", token);
	snprintf(body, sizeof(body), "{\"challenge\":\"certhall-login:v1:x\",\"pin\":\"%s\"}", pin);
	api_post_json(path, body, &r);
	status = r.status;
	api_free(&r);
	return status;
}

/* What the key tool shows: a new unblock challenge of token. */
static void token_challenge(const char *token, char out[40])
{
	char path[80];
	struct api_resp r;

	snprintf(path, sizeof(path), "/sandbox/token/%s/unlock-challenge", token);
	api_post_json(path, "{}", &r);
	assert_int_equal(r.status, 200);
	snprintf(out, 40, "%s", json_string_value(json_object_get(r.json, "challenge")));
	api_free(&r);
}

/* An unlock of the certificate serial, approved by the reviewer: the link's token, off the
 * SMS the handler receives. */
static void unlock_approved(struct flow *f, const char *serial, char token[40])
{
	char extra[80], cmd[1200], out[600];
	struct api_resp r;
	const char *text, *at_link;
	json_t *m;
	size_t k;

	snprintf(extra, sizeof(extra), ",\"cert_serial\":\"%s\"", serial);
	create_filled(f, "cecep", "unlock", "org", extra, NULL);
	submit(f, "reviewing");
	staff(&rev, f->no, "decision", ",\"decision\":\"approve\"", "done", NULL);
	token[0] = '\0';
	for (int i = 0; i < 60 && !token[0]; i++) {
		snprintf(cmd, sizeof(cmd), "/sandbox/messages?to=%s&limit=100", f->mobile);
		api_get(cmd, &r);
		/* The SMS of this order that carries a link (a mail carries the same). */
		json_array_foreach(json_object_get(r.json, "messages"), k, m) {
			text = json_string_value(json_object_get(m, "text"));
			at_link = text && strstr(text, f->no) ? strstr(text, "unlock.html#") : NULL;
			if (at_link && !token[0])
				snprintf(token, 33, "%s", at_link + strlen("unlock.html#"));
		}
		api_free(&r);
		if (!token[0]) {
			snprintf(cmd, sizeof(cmd), "'%s' -c '%s' outbox 2>&1", api_admin(),
				 getenv("CERTHALL_CONF"));
			wiz_run(cmd, out, sizeof(out));
			sleep(1);
		}
	}
	if (strlen(token) != 32)
		fail_msg("order %s: no unlock link reached %s", f->no, f->mobile);
}

/* POST /api/wizard/unlock/respond with challenge: the answer. */
static void respond(const char *token, const char *challenge, struct api_resp *r)
{
	char body[200];

	snprintf(body, sizeof(body), "{\"token\":\"%s\",\"challenge\":\"%s\"}", token, challenge);
	api_post_json("/api/wizard/unlock/respond", body, r);
}

static void test_unlock_link(void **state)
{
	struct flow f, g;
	char tf[17], pf[9], tg[17], pg[9], serial[CERT_SERIAL_MAX + 1], token[40], challenge[40];
	char other[40], body[200], path[120], q[300], v[64];
	struct api_client c;
	struct api_resp r;

	(void)state;
	delivered_on_token(&f, "rsa", tf, pf);
	delivered_on_token(&g, "rsa", tg, pg);
	bind(&f.c, tf, 201, NULL);
	api_call(&f.c, "GET", "/api/wizard/bindings", NULL, NULL, &r);
	snprintf(serial, sizeof(serial), "%s", json_string_value(json_object_get(
		json_array_get(json_object_get(r.json, "bindings"), 0), "serial")));
	api_free(&r);
	/* Ten wrong PINs lock the token: then the right one is refused too. */
	for (int i = 0; i < 10; i++)
		assert_int_equal(helper_sign(tf, "000000"), 403);
	assert_int_equal(helper_sign(tf, pf), 423);

	/* The approval sends the link; what it grants. */
	unlock_approved(&f, serial, token);
	snprintf(body, sizeof(body), "{\"token\":\"%s\"}", token);
	api_post_json("/api/wizard/unlock/link", body, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "state")), "open");
	assert_string_equal(json_string_value(json_object_get(r.json, "token_serial")), tf);
	assert_string_equal(json_string_value(json_object_get(r.json, "serial")), serial);
	assert_int_equal(json_integer_value(json_object_get(r.json, "tries_left")), 10);
	api_free(&r);
	/* The link is sealed in its outbox rows once sent: nothing of it readable there. */
	snprintf(q, sizeof(q), "SELECT COUNT(*) FROM outbox WHERE event = 'unlock_authorised' AND "
		 "(body LIKE '%%%s%%' OR params LIKE '%%%s%%')", token, token);
	wiz_sql_value(q, v, sizeof(v));
	assert_string_equal(v, "0");
	/* Another token's challenge: the CA refuses it; a try counted. */
	token_challenge(tg, other);
	token_challenge(tf, challenge);
	respond(token, other, &r);
	api_expect_error(&r, 400, "unlock_challenge_wrong");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(r.json, "error"), "tries_left")), 9);
	api_free(&r);
	/* A challenge of another shape is no try at all. */
	respond(token, "not-hex!", &r);
	api_expect_error(&r, 400, "invalid_field");
	api_free(&r);
	/* The token's own challenge: the response resets its PIN on the token. */
	respond(token, challenge, &r);
	if (r.status != 200)
		fail_msg("respond: %ld %s", r.status, r.body);
	snprintf(body, sizeof(body), "{\"response\":\"%s\",\"pin\":\"24681357\"}",
		 json_string_value(json_object_get(r.json, "response")));
	api_free(&r);
	snprintf(path, sizeof(path), "/sandbox/token/%s/unlock", tf);
	api_post_json(path, body, &r);
	assert_int_equal(r.status, 200);
	api_free(&r);
	/* Once: the same challenge again, or another, finds the link used. */
	respond(token, challenge, &r);
	api_expect_error(&r, 409, "unlock_link_used");
	api_free(&r);
	/* The key works again with its new PIN: it logs its account in. */
	cert_login(&c, tf, "24681357", &r);
	if (r.status != 200)
		fail_msg("certificate login after the unlock: %ld %s", r.status, r.body);
	api_free(&r);
	logged_in_as(&c, f.login);

	/* A second link: ten challenges the CA refuses, and it takes no more. */
	unlock_approved(&f, serial, token);
	for (int i = 0; i < 10; i++) {
		respond(token, other, &r);
		api_expect_error(&r, 400, "unlock_challenge_wrong");
		api_free(&r);
	}
	token_challenge(tf, challenge);
	respond(token, challenge, &r);
	api_expect_error(&r, 429, "unlock_tries");
	api_free(&r);
	/* A third, past its week: expired. A token of no link: unknown. */
	unlock_approved(&f, serial, token);
	snprintf(q, sizeof(q), "UPDATE unlock_grants SET expires_at = NOW(3) - INTERVAL 1 SECOND WHERE "
		 "order_id = (SELECT id FROM orders WHERE order_no = '%s')", f.no);
	wiz_sql(q);
	respond(token, challenge, &r);
	api_expect_error(&r, 410, "unlock_link_expired");
	api_free(&r);
	respond("0123456789abcdef0123456789abcdef", challenge, &r);
	api_expect_error(&r, 404, "unlock_link_invalid");
	api_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new),
		cmocka_unit_test(test_issued_then_lost),
		cmocka_unit_test(test_renew_download),
		cmocka_unit_test(test_cert_login),
		cmocka_unit_test(test_pin_in_verify_memo),
		cmocka_unit_test(test_unlock_link),
		cmocka_unit_test(test_add),
		cmocka_unit_test(test_renew_online),
		cmocka_unit_test(test_renew_review),
		cmocka_unit_test(test_lost_sealed),
		cmocka_unit_test(test_lost_szca_legal_rep),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_paid_product_locked),
		cmocka_unit_test(test_change),
		cmocka_unit_test(test_unlock),
		cmocka_unit_test(test_revoke),
		cmocka_unit_test(test_new_legal_rep),
		cmocka_unit_test(test_new_person),
		cmocka_unit_test(test_two_stage),
		cmocka_unit_test(test_mail_in),
		cmocka_unit_test(test_sign_code_bound),
		cmocka_unit_test(test_every_verification_method),
		cmocka_unit_test(test_pin_transfer_payment),
	};

	/* A developer runs one test: CMOCKA_FILTER=test_cert_login. */
	if (getenv("CMOCKA_FILTER"))
		cmocka_set_test_filter(getenv("CMOCKA_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
