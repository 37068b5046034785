/* API tests of a damaged key's replacement at BJCA's hall (002 七.损坏补办), through the
 * applicant's and the staff's own steps: the product step's defect checklist, the old key sent
 * in with its waybill, the inspection recorded by a reviewer, the fee it leaves due paid in the
 * portal, the key made with the old certificate revoked and the warranty carried over; and
 * every new input refused when hostile. SQL only places the certificate the CA issued outside
 * the hall (what an import brings in), with its first issue in the past. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "apiclient.h"
#include "wizclient.h"

#define ORG "测试示范有限公司" /* the name api_register_org registers */
#define HALL "bjca-zycg"

static struct api_client rev, shp, fnc;

struct dmg {
	struct api_client c;
	char login[19], mobile[12], account[20], serial[17], no[19];
};

/* A fresh organisation with a certificate of BJCA's first issued first_days from today, and a
 * damaged order of it with every data step saved; defect_sign: the product step's claim
 * (NULL: none). */
static void applied_at(struct dmg *d, const char *hall, int first_days, const char *defect_sign)
{
	struct wiz_opts opts = { 0 };
	char extra[64], m[12];
	struct api_resp r;

	memset(d, 0, sizeof(*d));
	wiz_register_org(&d->c, d->login, m);
	api_random_mobile(d->mobile);
	wiz_random_account(d->account);
	wiz_random_serial(d->serial);
	wiz_fixture_cert(d->login, d->login, hall, "org", d->serial, 200, first_days, false);
	snprintf(extra, sizeof(extra), ",\"cert_serial\":\"%s\"", d->serial);
	wiz_create(&d->c, hall, "damaged", "org", extra, d->no);
	opts.account_no = d->account;
	wiz_fill_opts(&d->c, d->no, ORG, d->mobile, &opts);
	if (defect_sign) {
		json_t *j = json_loads(wiz_step_json("product", ORG, d->mobile, NULL), 0, NULL);
		char *text;

		assert_non_null(j);
		json_object_set_new(j, "defect", json_string("1"));
		json_object_set_new(j, "defect_sign", json_string(defect_sign));
		text = json_dumps(j, JSON_COMPACT);
		wiz_put(&d->c, d->no, "product", text, &r);
		assert_int_equal(r.status, 200);
		api_free(&r);
		free(text);
		json_decref(j);
	}
}

static void applied(struct dmg *d, int first_days, const char *defect_sign)
{
	applied_at(d, HALL, first_days, defect_sign);
}

/* Verified, scans uploaded, signed: the order waits for the old key. */
static void signed_in(struct dmg *d)
{
	wiz_verify_plan(&d->c, d->no, d->account);
	wiz_upload_missing(&d->c, d->no);
	wiz_sign(&d->c, d->no, d->mobile, "awaiting_key");
}

static void order_is(struct dmg *d, const char *want, const char *amount)
{
	char state[32];
	struct api_resp r;

	wiz_order(&d->c, d->no, state, &r);
	if (strcmp(state, want) != 0)
		fail_msg("order %s is %s, expected %s", d->no, state, want);
	if (amount)
		assert_string_equal(wiz_str(r.json, "amount"), amount);
	api_free(&r);
}

static void waybill(struct dmg *d, const char *body, struct api_resp *r)
{
	char path[120];

	snprintf(path, sizeof(path), "/api/track/orders/%s/waybill", d->no);
	api_call(&d->c, "POST", path, body, NULL, r);
}

/* The applicant sends the old key by SF and enters its number. */
static void key_sent(struct dmg *d)
{
	char body[120];
	struct api_resp r;

	snprintf(body, sizeof(body), "{\"carrier\":\"sf\",\"number\":\"SF%s\"}", d->no + 5);
	waybill(d, body, &r);
	if (r.status != 200)
		fail_msg("%s: key waybill %ld %s", d->no, r.status, r.body);
	assert_string_equal(wiz_str(json_object_get(r.json, "waybill"), "direction"), "in");
	api_free(&r);
}

static void staff(struct api_client *c, const char *no, const char *action, const char *more)
{
	struct api_resp r;

	wiz_staff_call(c, no, action, more, &r);
	if (r.status != 200)
		fail_msg("%s: %s %ld %s", no, action, r.status, r.body);
	api_free(&r);
}

static void inspect(struct dmg *d, const char *result, const char *want_state, bool free_)
{
	char more[80];
	struct api_resp r;

	snprintf(more, sizeof(more), ",\"result\":\"%s\",\"note\":\"指示灯不亮\"", result);
	wiz_staff_call(&rev, d->no, "inspection", more, &r);
	if (r.status != 200)
		fail_msg("%s: inspection %ld %s", d->no, r.status, r.body);
	assert_string_equal(wiz_str(r.json, "state"), want_state);
	assert_int_equal(json_is_true(json_object_get(json_object_get(r.json, "key_inspection"), "free")),
			 free_);
	api_free(&r);
}

/* The latest SMS to the handler holds needle. */
static void told(struct dmg *d, const char *needle)
{
	char path[80];
	struct api_resp r;

	snprintf(path, sizeof(path), "/sandbox/messages?to=%s", d->mobile);
	for (int i = 0; i < 50; i++) {
		api_get(path, &r);
		if (r.status == 200 && strstr(r.body, needle)) {
			api_free(&r);
			return;
		}
		api_free(&r);
		usleep(100 * 1000);
	}
	fail_msg("%s: no SMS to the handler saying %s", d->no, needle);
}

/* Approved, made (the old certificate revoked), shipped and delivered. */
static void issued(struct dmg *d)
{
	char path[80], body[120], *made;
	struct api_resp r;

	staff(&rev, d->no, "decision", ",\"decision\":\"approve\"");
	made = wiz_made_members(&shp, d->no);
	assert_non_null(made);
	staff(&shp, d->no, "made", made);
	free(made);
	snprintf(body, sizeof(body), ",\"carrier\":\"sf\",\"number\":\"SF%s\"", d->no + 6);
	staff(&shp, d->no, "shipped", body);
	staff(&shp, d->no, "delivered", NULL);
	order_is(d, "done", NULL);
	/* The old certificate is revoked with its replacement made, as the warning said. */
	snprintf(path, sizeof(path), "/api/track/certs/%s", d->serial);
	api_get(path, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(wiz_str(json_object_get(r.json, "certificate"), "state"), "revoked");
	api_free(&r);
}

/* The serial of the certificate the order made, from my certificates. */
static json_t *made_cert(struct dmg *d)
{
	struct api_resp r;
	json_t *c, *found = NULL;
	size_t i;

	api_call(&d->c, "GET", "/api/wizard/certs", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	json_array_foreach(json_object_get(r.json, "certificates"), i, c)
		if (strcmp(wiz_str(c, "serial"), d->serial) != 0 && strcmp(wiz_str(c, "state"), "valid") == 0)
			found = json_incref(c);
	api_free(&r);
	if (!found)
		fail_msg("%s: no new certificate in my certificates", d->no);
	return found;
}

/* ---- the three outcomes of 002 */

/* In warranty (first issued 100 days ago), a defect claimed and confirmed: free, reviewed. */
static void test_in_warranty_defect_free(void **state)
{
	struct dmg d;
	struct api_resp r;
	json_t *c;

	(void)state;
	applied(&d, -100, "no_light");
	order_is(&d, "draft", "0.00");
	wiz_order(&d.c, d.no, NULL, &r);
	/* The warning says the old certificate is revoked. */
	assert_non_null(strstr(r.body, "原证书将自动吊销"));
	api_free(&r);
	signed_in(&d);
	told(&d, "请将原证书介质（USBKey）寄回检测");
	wiz_order(&d.c, d.no, NULL, &r);
	assert_true(wiz_listed(json_object_get(r.json, "actions"), "send_key"));
	assert_true(wiz_listed(json_object_get(r.json, "actions"), "cancel"));
	/* Where the key goes: 002's address for its online 损坏补办. */
	assert_non_null(strstr(wiz_str(json_object_get(r.json, "paper_to"), "address"), "裕民东路3号"));
	api_free(&r);
	key_sent(&d);
	order_is(&d, "awaiting_key", "0.00");
	inspect(&d, "defect", "reviewing", true);
	told(&d, "本次补办免费办理");
	order_is(&d, "reviewing", "0.00");
	wiz_order(&d.c, d.no, NULL, &r);
	assert_true(json_is_true(json_object_get(json_object_get(r.json, "key_inspection"), "defect")));
	assert_true(json_is_true(json_object_get(json_object_get(r.json, "key_inspection"),
						 "in_warranty")));
	api_free(&r);
	issued(&d);
	c = made_cert(&d);
	assert_true(json_is_true(json_object_get(c, "in_warranty")));
	json_decref(c);
}

/* Out of warranty (first issued 500 days ago): the claim decides nothing; a defect found
 * still leaves the media fee due, paid in the portal; the new certificate keeps the first
 * issue, so it is out of warranty too. */
static void test_out_of_warranty_fee_paid(void **state)
{
	char pay_no[25];
	struct dmg d;
	struct api_resp r;
	json_t *c;

	(void)state;
	applied(&d, -500, "blinking");
	order_is(&d, "draft", "80.00");
	signed_in(&d);
	key_sent(&d);
	inspect(&d, "defect", "pending_payment", false);
	told(&d, "需支付证书介质费80.00元");
	order_is(&d, "pending_payment", "80.00");
	wiz_order(&d.c, d.no, NULL, &r);
	assert_true(wiz_listed(json_object_get(r.json, "actions"), "pay"));
	assert_false(json_is_true(json_object_get(json_object_get(r.json, "key_inspection"),
						  "in_warranty")));
	api_free(&r);
	wiz_pay_qr(&d.c, d.no, "wechat", pay_no);
	wiz_pay_complete(pay_no);
	order_is(&d, "reviewing", "80.00");
	issued(&d);
	/* 002 "自证书初次发放日起计算": not restarted by the replacement. */
	c = made_cert(&d);
	assert_false(json_is_true(json_object_get(c, "in_warranty")));
	json_decref(c);
}

/* In warranty with a defect claimed (quoted free), but the inspection finds none: the media
 * fee is due and the order waits for it. */
static void test_no_defect_fee_due(void **state)
{
	char pay_no[25];
	struct dmg d;
	struct api_resp r;
	json_t *items;

	(void)state;
	applied(&d, -100, "unrecognised");
	order_is(&d, "draft", "0.00");
	signed_in(&d);
	key_sent(&d);
	inspect(&d, "no_defect", "pending_payment", false);
	told(&d, "不属于介质质量问题");
	wiz_order(&d.c, d.no, NULL, &r);
	assert_string_equal(wiz_str(r.json, "amount"), "80.00");
	items = json_object_get(json_object_get(r.json, "quote"), "items");
	assert_int_equal(json_array_size(items), 1);
	assert_string_equal(wiz_str(json_array_get(items, 0), "code"), "media");
	api_free(&r);
	/* Not inspected twice. */
	wiz_staff_call(&rev, d.no, "inspection", ",\"result\":\"defect\"", &r);
	api_expect_error(&r, 409, "wrong_state");
	api_free(&r);
	wiz_pay_qr(&d.c, d.no, "alipay", pay_no);
	wiz_pay_complete(pay_no);
	order_is(&d, "reviewing", "80.00");
}

/* NETCA (003 "证书丢失或损坏时……费用:200元/次/张") gives no media warranty: no defect is asked
 * or kept, nothing is inspected, the fee is due at once. BJCA's order is inspected. */
static void test_no_warranty_hall(void **state)
{
	struct dmg d;
	struct api_resp r;

	(void)state;
	applied_at(&d, "netca-gd", -100, "no_light");
	wiz_order(&d.c, d.no, NULL, &r);
	assert_false(json_is_true(json_object_get(r.json, "key_sent_in")));
	assert_string_equal(wiz_str(r.json, "amount"), "200.00");
	api_free(&r);
	/* The claim the applicant sent is not kept. */
	{
		char path[120];

		snprintf(path, sizeof(path), "/api/wizard/orders/%s/steps/product", d.no);
		api_call(&d.c, "GET", path, NULL, NULL, &r);
		assert_int_equal(r.status, 200);
		assert_null(strstr(r.body, "defect"));
		api_free(&r);
	}
	wiz_verify_plan(&d.c, d.no, d.account);
	wiz_upload_missing(&d.c, d.no);
	wiz_sign(&d.c, d.no, d.mobile, "pending_payment");
	applied(&d, -100, NULL);
	wiz_order(&d.c, d.no, NULL, &r);
	assert_true(json_is_true(json_object_get(r.json, "key_sent_in")));
	api_free(&r);
}

/* ---- hostile input */

/* The product step's checklist: a defect claimed names one of 002's three signs. */
static void test_product_checklist_hostile(void **state)
{
	static const char *const bad[] = { "blue", "NO_LIGHT", "no_light ", "", "no_light\n",
					   "1", "unrecognised_and_more_than_sixteen" };
	struct dmg d;
	struct api_resp r;
	json_t *j;
	char *text;

	(void)state;
	applied(&d, -100, NULL);
	j = json_loads(wiz_step_json("product", ORG, d.mobile, NULL), 0, NULL);
	assert_non_null(j);
	json_object_set_new(j, "defect", json_string("1"));
	text = json_dumps(j, JSON_COMPACT);
	wiz_put(&d.c, d.no, "product", text, &r);
	api_expect_error(&r, 400, "missing_field");
	assert_string_equal(api_error_field(&r), "defect_sign");
	api_free(&r);
	free(text);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_object_set_new(j, "defect_sign", json_string(bad[i]));
		text = json_dumps(j, JSON_COMPACT);
		wiz_put(&d.c, d.no, "product", text, &r);
		if (r.status != 400)
			fail_msg("defect_sign \"%s\": %ld %s", bad[i], r.status, r.body);
		api_free(&r);
		free(text);
	}
	json_object_set_new(j, "defect_sign", json_integer(1));
	text = json_dumps(j, JSON_COMPACT);
	wiz_put(&d.c, d.no, "product", text, &r);
	assert_int_equal(r.status, 400);
	api_free(&r);
	free(text);
	json_decref(j);
	/* Nothing was lost: the order is as it was, quoted the media fee. */
	order_is(&d, "draft", "80.00");
}

/* The old key's waybill: carriers, numbers, another's order, the wrong state. */
static void test_waybill_hostile(void **state)
{
	static const char *const bad[] = {
		"{\"carrier\":\"ufo\",\"number\":\"SF1234567890123\"}",
		"{\"carrier\":\"sf\",\"number\":\"12345\"}",
		"{\"carrier\":\"sf\",\"number\":\"SF12345\\u0000678901\"}",
		"{\"carrier\":\"sf\",\"number\":\"<script>alert(1)</script>\"}",
		"{\"carrier\":\"sf\",\"number\":\"SF123456789012345678901234567890123456789012345678901234567890123\"}",
		"{\"carrier\":\"sf\"}",
		"{\"number\":\"SF1234567890123\"}",
		"{\"carrier\":[\"sf\"],\"number\":\"SF1234567890123\"}",
		"[]",
		"{\"carrier\":\"sf\",\"number\":\"SF1234567890123\"",
	};
	struct dmg d, other;
	char body[120];
	struct api_resp r;

	(void)state;
	applied(&d, -100, NULL);
	/* Not yet signed: nothing is awaited. */
	snprintf(body, sizeof(body), "{\"carrier\":\"sf\",\"number\":\"SF%s\"}", d.no + 5);
	waybill(&d, body, &r);
	api_expect_error(&r, 409, "wrong_state");
	api_free(&r);
	signed_in(&d);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		waybill(&d, bad[i], &r);
		if (r.status != 400)
			fail_msg("waybill %s: %ld %s", bad[i], r.status, r.body);
		api_free(&r);
	}
	/* Another applicant's order looks like none. */
	applied(&other, -100, NULL);
	{
		char path[120];

		snprintf(path, sizeof(path), "/api/track/orders/%s/waybill", d.no);
		api_call(&other.c, "POST", path, body, NULL, &r);
		api_expect_error(&r, 404, "not_found");
		api_free(&r);
	}
	order_is(&d, "awaiting_key", NULL);
	key_sent(&d);
	/* Another order cannot take the same parcel. */
	signed_in(&other);
	waybill(&other, body, &r);
	api_expect_error(&r, 409, "conflict");
	api_free(&r);
}

/* The inspection: its result, note and version checked; only a reviewer records it, only
 * while the key is awaited. */
static void test_inspection_hostile(void **state)
{
	static const char *const bad[] = {
		"", ",\"result\":\"maybe\"", ",\"result\":\"DEFECT\"", ",\"result\":1",
		",\"result\":true", ",\"result\":\"defect\\u0007\"",
		",\"result\":\"defect\",\"note\":\"\\u001b[31m\"",
	};
	char more[700], path[120];
	struct dmg d;
	struct api_resp r;
	size_t n;

	(void)state;
	applied(&d, -100, "no_light");
	/* A draft has no key to inspect. */
	wiz_staff_call(&rev, d.no, "inspection", ",\"result\":\"defect\"", &r);
	api_expect_error(&r, 409, "wrong_state");
	api_free(&r);
	signed_in(&d);
	key_sent(&d);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		wiz_staff_call(&rev, d.no, "inspection", bad[i], &r);
		if (r.status != 400)
			fail_msg("inspection %s: %ld %s", bad[i], r.status, r.body);
		api_free(&r);
	}
	/* A note of 201 characters. */
	n = (size_t)snprintf(more, sizeof(more), ",\"result\":\"defect\",\"note\":\"");
	for (int i = 0; i < 201; i++)
		more[n++] = 'x';
	snprintf(more + n, sizeof(more) - n, "\"");
	wiz_staff_call(&rev, d.no, "inspection", more, &r);
	api_expect_error(&r, 400, "invalid_field");
	assert_string_equal(api_error_field(&r), "note");
	api_free(&r);
	/* A stale version. */
	snprintf(path, sizeof(path), "/api/review/orders/%s/inspection", d.no);
	snprintf(more, sizeof(more), "{\"version\":%lld,\"result\":\"defect\"}",
		 wiz_staff_version(&rev, d.no) - 1);
	api_call(&rev, "POST", path, more, NULL, &r);
	api_expect_error(&r, 409, "conflict");
	api_free(&r);
	/* Shipping and finance do not inspect; the applicant reaches no staff route. */
	wiz_staff_call(&shp, d.no, "inspection", ",\"result\":\"defect\"", &r);
	assert_int_equal(r.status, 403);
	api_free(&r);
	wiz_staff_call(&fnc, d.no, "inspection", ",\"result\":\"defect\"", &r);
	assert_int_equal(r.status, 403);
	api_free(&r);
	snprintf(more, sizeof(more), "{\"version\":1,\"result\":\"defect\"}");
	api_call(&d.c, "POST", path, more, NULL, &r);
	assert_true(r.status == 401 || r.status == 403);
	api_free(&r);
	/* Nothing moved: the key is still awaited, and the reviewer is offered the inspection. */
	order_is(&d, "awaiting_key", "0.00");
	snprintf(path, sizeof(path), "/api/review/orders/%s", d.no);
	api_call(&rev, "GET", path, NULL, NULL, &r);
	assert_true(wiz_listed(json_object_get(r.json, "actions"), "inspection"));
	assert_false(wiz_listed(json_object_get(r.json, "actions"), "approve"));
	api_free(&r);
	inspect(&d, "defect", "reviewing", true);
}

/* The review queue lists an order awaiting its key once its waybill is in. */
static void test_queue(void **state)
{
	char path[160];
	struct dmg d;
	struct api_resp r;

	(void)state;
	applied(&d, -100, NULL);
	signed_in(&d);
	snprintf(path, sizeof(path), "/api/review/queue?order_no=%s", d.no);
	api_call(&rev, "GET", path, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_null(strstr(r.body, d.no));
	api_free(&r);
	key_sent(&d);
	api_call(&rev, "GET", path, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, d.no));
	api_free(&r);
}

static int setup(void **state)
{
	(void)state;
	api_staff_login(&rev, "reviewer", "Staff2026hall");
	api_staff_login(&shp, "shipping", "Staff2026hall");
	api_staff_login(&fnc, "finance", "Staff2026hall");
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_warranty_defect_free),
		cmocka_unit_test(test_out_of_warranty_fee_paid),
		cmocka_unit_test(test_no_defect_fee_due),
		cmocka_unit_test(test_no_warranty_hall),
		cmocka_unit_test(test_product_checklist_hostile),
		cmocka_unit_test(test_waybill_hostile),
		cmocka_unit_test(test_inspection_hostile),
		cmocka_unit_test(test_queue),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
