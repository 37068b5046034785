/* API tests: where a hall's own guide says otherwise than the domain digest, the hall does what
 * its guide says, as its settings (channels, schema/0029_hall_rules.sql) and its upload rules
 * (uploads-policy/materials.sql): each test quotes the guide. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "apiclient.h"
#include "wizclient.h"

#define ORG "测试示范有限公司" /* the name api_register_org registers */

struct app {
	struct api_client c;
	char login[19]; /* a USCC, or a person's mobile */
	char mobile[12];
	char id[19];    /* a person's ID number */
	char no[19];
};

static const char *str(json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));

	return v ? v : "";
}

/* A fresh account and its order of business for kind at channel (the certificate the CA
 * issued it, for a business on one). */
static struct app *order(const char *channel, const char *business, const char *kind)
{
	struct app *a = calloc(1, sizeof(*a));
	bool person = strcmp(kind, "person") == 0;
	char extra[160] = "", serial[17];

	assert_non_null(a);
	if (person) {
		wiz_register_person(&a->c, a->login);
		wiz_random_id(a->id);
	} else {
		char m[12];

		wiz_register_org(&a->c, a->login, m);
	}
	api_random_mobile(a->mobile);
	if (strcmp(business, "new") != 0) {
		wiz_random_serial(serial);
		wiz_fixture_cert(a->login, person ? a->id : a->login, channel, kind, serial, 200, -165,
				 true);
		if (strcmp(business, "add") != 0)
			snprintf(extra, sizeof(extra), ",\"cert_serial\":\"%s\"", serial);
	}
	if (person)
		snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra),
			 ",\"id_number\":\"%s\"", a->id);
	wiz_create(&a->c, channel, business, kind, extra[0] ? extra : NULL, a->no);
	return a;
}

static void fill(struct app *a)
{
	struct wiz_opts opts = { 0 };

	opts.id_number = a->id[0] ? a->id : NULL;
	wiz_fill_opts(&a->c, a->no, ORG, a->mobile, &opts);
}

/* GET of one of the order's pages (a printed form: "forms/seal"), its answer in r. */
static void get(struct app *a, const char *tail, struct api_resp *r)
{
	char path[160];

	snprintf(path, sizeof(path), "/api/wizard/orders/%s/%s", a->no, tail);
	api_call(&a->c, "GET", path, NULL, NULL, r);
}

/* Whether the order's materials_missing names material. */
static bool missing(struct app *a, const char *material)
{
	struct api_resp r;
	json_t *m;
	size_t i;
	bool found = false;

	wiz_order(&a->c, a->no, NULL, &r);
	json_array_foreach(json_object_get(r.json, "materials_missing"), i, m)
		found |= strcmp(str(m, "material"), material) == 0;
	api_free(&r);
	return found;
}

/* The upload list's entry of material: 1 required, 0 optional, -1 not listed. */
static int listed(struct app *a, const char *material)
{
	char path[120];
	struct api_resp r;
	json_t *m;
	size_t i;
	int out = -1;

	snprintf(path, sizeof(path), "/api/upload/orders/%s/materials", a->no);
	api_call(&a->c, "GET", path, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	json_array_foreach(json_object_get(r.json, "materials"), i, m)
		if (strcmp(str(m, "kind"), material) == 0)
			out = json_is_true(json_object_get(m, "required"));
	api_free(&r);
	return out;
}

/* 001 (三) "根据提示完成申请单位、经办人、申请人、法人、公司账号……等信息的填写", and its form's clause
 * "申请单位法定代表人授权委托及单位声明 … 姓名: … 身份证号码: … 系本单位的法定代表人": the legal
 * representative is named though its only check is the bank's ("认证方式 ● 银行金融认证"). */
static void test_szca_form_names_legal_rep(void **state)
{
	static const char bare[] =
		"{\"org_name\":\"" ORG "\",\"province\":\"广东省\",\"city\":\"深圳市\","
		"\"district\":\"南山区\",\"address\":\"科技园科苑路 15 号\",\"method\":\"transfer\"}";
	struct app *a = order("szca", "new", "org"), *b;
	struct api_resp r;

	(void)state;
	wiz_put(&a->c, a->no, "enterprise", bare, &r);
	api_expect_error(&r, 400, "missing_field");
	assert_string_equal(api_error_field(&r), "lr_name");
	api_free(&r);
	fill(a);
	get(a, "forms/application", &r);
	assert_int_equal(r.status, 200);
	if (!strstr(r.body, "姓名：张伟 身份证号码：") || strstr(r.body, "姓名：  身份证号码"))
		fail_msg("the clause does not name the legal representative: %.2000s",
			 strstr(r.body, "申请单位法定代表人授权委托") ? strstr(r.body, "申请单位法定代表人授权委托")
								   : r.body);
	api_free(&r);
	free(a);

	/* A hall whose form does not name him asks nothing of him under the bank's check. */
	b = order("cecep", "new", "org");
	wiz_put(&b->c, b->no, "agreements", wiz_step_json("agreements", ORG, b->mobile, NULL), &r);
	assert_int_equal(r.status, 200);
	api_free(&r);
	wiz_put(&b->c, b->no, "enterprise", bare, &r);
	assert_int_equal(r.status, 200);
	api_free(&r);
	free(b);
}

/* 004's process is 补办, and among its uploads "5.签章采集表 请下载签章采集表模板并打印，按项目印章要求
 * 在空白格内加盖相应的印模 … ④法人章为在公安系统有备案红色方章": the sheet is asked for a replacement,
 * of a legal representative's certificate too, and has a box for the 法人章. Another hall's
 * sheet is the unit's seal only, and for its organisation certificates only. */
static void test_jxca_seal_sheet(void **state)
{
	struct app *a = order("jxca-js", "lost", "legal_rep"), *b, *c;
	struct api_resp r;

	(void)state;
	fill(a);
	assert_true(missing(a, "seal_sample"));
	assert_int_equal(listed(a, "seal_sample"), 1);
	get(a, "forms/seal", &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "法定代表人章"));
	assert_non_null(strstr(r.body, "红色方章"));
	api_free(&r);
	free(a);

	b = order("jxca-js", "damaged", "org");
	fill(b);
	assert_true(missing(b, "seal_sample"));
	free(b);

	c = order("bjca-zycg", "new", "org");
	fill(c);
	get(c, "forms/seal", &r);
	assert_int_equal(r.status, 200);
	assert_null(strstr(r.body, "法定代表人章"));
	api_free(&r);
	free(c);

	c = order("szca", "new", "legal_rep");
	get(c, "forms/seal", &r);
	api_expect_error(&r, 404, "not_found");
	api_free(&r);
	free(c);
}

/* 002 "证书信息变更业务支持用户在线修改证书的单位名称，修改经办人信息，目前不支持在线变更签章", online in
 * "【证书登陆】…【证书信息修改】…【经办人信息修改】…【证书下载】": no address, and no upload (no change
 * notice). 003 changes the address ("单位名称(证书主题)、单位法定地址及印章发生变化时") and asks
 * "5)工商局开具的变更通知书". */
static void test_bjca_change_online(void **state)
{
	struct app *a = order("bjca-zycg", "change", "org"), *b;
	struct api_resp r;

	(void)state;
	wiz_put(&a->c, a->no, "change",
		"{\"items\":\"name,address\",\"new_org_name\":\"新名称有限公司\","
		"\"new_address\":\"北京市西城区 1 号\"}", &r);
	api_expect_error(&r, 400, "invalid_field");
	assert_string_equal(api_error_field(&r), "items");
	assert_non_null(strstr(r.body, "单位地址"));
	api_free(&r);
	fill(a);
	wiz_order(&a->c, a->no, NULL, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "materials_missing")), 0);
	api_free(&r);
	assert_int_equal(listed(a, "change_notice"), -1);
	assert_int_equal(listed(a, "application_form"), -1);
	free(a);

	b = order("netca-gd", "change", "org");
	fill(b);
	assert_true(missing(b, "change_notice"));
	free(b);
}

/* 003 自然人: "A.《个人数字证书及电子印章申请表》一式两份(申请人签署处需手写签名); B.本人身份证复印件",
 * "自然人(个人)数字证书需要申请人本人带材料到现场办理": the person applies himself (his handler is
 * the holder), signs the form himself, and no handler's ID copy is asked; and no 授权委托书
 * anywhere in 003 (an organisation: "A.…申请表 B.…营业执照副本 C.经办人身份证复印件"). */
static void test_netca_person_scans(void **state)
{
	struct app *a = order("netca-gd", "new", "person"), *b;
	struct api_resp r;

	(void)state;
	wiz_put(&a->c, a->no, "handler", wiz_step_json("handler", ORG, a->mobile, "mobile"), &r);
	api_expect_error(&r, 400, "invalid_field");
	assert_string_equal(api_error_field(&r), "id_number");
	assert_non_null(strstr(r.body, "申请人本人办理"));
	api_free(&r);
	fill(a);
	get(a, "forms/application", &r);
	assert_int_equal(r.status, 200);
	assert_null(strstr(r.body, "经办人信息"));
	assert_null(strstr(r.body, "经办人签字"));
	assert_non_null(strstr(r.body, "申请人签字"));
	api_free(&r);
	assert_false(missing(a, "handler_id"));
	assert_int_equal(listed(a, "handler_id"), -1);
	assert_int_equal(listed(a, "authorisation_letter"), -1);
	assert_true(missing(a, "applicant_id"));
	assert_true(missing(a, "application_form"));
	free(a);

	b = order("netca-gd", "new", "org");
	fill(b);
	assert_true(missing(b, "handler_id"));
	assert_false(missing(b, "authorisation_letter"));
	assert_true(listed(b, "authorisation_letter") <= 0);
	free(b);

	/* A hall that says nothing of it takes another person as a person's handler. */
	b = order("szca", "new", "person");
	wiz_put(&b->c, b->no, "handler", wiz_step_json("handler", ORG, b->mobile, "face"), &r);
	assert_int_equal(r.status, 200);
	api_free(&r);
	free(b);
}

/* The order's pay methods (GET .../pay) hold method. */
static bool pay_offers(struct app *a, const char *method)
{
	struct api_resp r;
	json_t *m;
	size_t i;
	bool yes = false;

	get(a, "pay", &r);
	assert_int_equal(r.status, 200);
	json_array_foreach(json_object_get(r.json, "pay_methods"), i, m)
		yes |= strcmp(str(m, "method"), method) == 0;
	api_free(&r);
	return yes;
}

/* 003 names Alipay for one business only: "增加机构数字证书个数 … ③在线支付宝扫码支付或对公转账"; a new
 * certificate "③填写银行汇款信息(请提前1个工作日公对公转账至CA机构网证通)". */
static void test_netca_alipay_for_add_only(void **state)
{
	struct app *a = order("netca-gd", "new", "org"), *b;
	struct api_resp r, cat;
	json_t *c, *biz;
	size_t i, k;

	(void)state;
	fill(a);
	wiz_verify_plan(&a->c, a->no, NULL);
	wiz_upload_missing(&a->c, a->no);
	wiz_sign(&a->c, a->no, a->mobile, "pending_payment");
	assert_false(pay_offers(a, "alipay"));
	assert_true(pay_offers(a, "transfer"));
	wiz_pay(&a->c, a->no, "alipay", &r);
	api_expect_error(&r, 400, "not_offered");
	api_free(&r);
	free(a);

	b = order("netca-gd", "add", "org");
	fill(b);
	wiz_verify_plan(&b->c, b->no, NULL);
	wiz_upload_missing(&b->c, b->no);
	wiz_sign(&b->c, b->no, b->mobile, "pending_payment");
	assert_true(pay_offers(b, "alipay"));
	free(b);

	/* The catalog says so per business. */
	api_get("/api/wizard/catalog", &cat);
	assert_int_equal(cat.status, 200);
	json_array_foreach(json_object_get(cat.json, "channels"), i, c) {
		if (strcmp(str(c, "code"), "netca-gd") != 0)
			continue;
		json_array_foreach(json_object_get(c, "businesses"), k, biz)
			assert_int_equal(json_is_true(json_object_get(biz, "qr_pay")),
					 strcmp(str(biz, "code"), "add") == 0);
	}
	api_free(&cat);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_szca_form_names_legal_rep),
		cmocka_unit_test(test_jxca_seal_sheet),
		cmocka_unit_test(test_bjca_change_online),
		cmocka_unit_test(test_netca_person_scans),
		cmocka_unit_test(test_netca_alipay_for_add_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
