/* API tests, end to end: a change of certificate information (002 四.证书信息变更) applies. A
 * certificate the CA issued through the hall, then a change of each kind approved: the name
 * re-issues the certificate with the new subject on the same key (the old one revoked) and
 * renames the account; the handler gets the certificate's notices; the address becomes the
 * enterprise step's default; each is in "my certificates" and on the audit trail. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "apiclient.h"
#include "wizclient.h"

#define ORG "测试示范有限公司" /* the name api_register_org registers */
#define NEW_NAME "测试示范科技有限公司"
#define NEW_ADDRESS "北京市海淀区中关村大街 27 号"
#define HALL "cecep" /* changes name, address, seal and handler online, free */

struct flow {
	struct api_client c;
	char login[19];
	char mobile[12]; /* the handler's mobile of the order under way */
	char no[19];
	char serial[CERT_SERIAL_MAX + 1]; /* the certificate the hall issued */
	EVP_PKEY *key;                    /* its key, as the token holds it */
};

static struct api_client rev, shp;

/* ---- helpers */

static void at(struct flow *f, const char *want)
{
	char state[32];
	struct api_resp r;

	wiz_order(&f->c, f->no, state, &r);
	api_free(&r);
	if (strcmp(state, want) != 0)
		fail_msg("order %s is %s, expected %s", f->no, state, want);
}

static void staff(struct api_client *c, const char *no, const char *action, const char *extra,
		  const char *want, json_t **answer)
{
	char path[160], body[8192];
	struct api_resp r;
	long long v;

	snprintf(path, sizeof(path), "/api/review/orders/%s", no);
	api_call(c, "GET", path, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	v = json_integer_value(json_object_get(r.json, "version"));
	api_free(&r);
	snprintf(body, sizeof(body), "{\"version\":%lld%s}", v, extra ? extra : "");
	snprintf(path, sizeof(path), "/api/review/orders/%s/%s", no, action);
	api_call(c, "POST", path, body, NULL, &r);
	if (r.status != 200 || strcmp(json_string_value(json_object_get(r.json, "state")), want) != 0)
		fail_msg("%s %s: %ld %.500s", action, no, r.status, r.body);
	if (answer)
		*answer = json_incref(r.json);
	api_free(&r);
}

static void value(char *out, size_t outsz, const char *fmt, const char *a, const char *b)
{
	char sql[800];

	snprintf(sql, sizeof(sql), fmt, a, b);
	wiz_sql_value(sql, out, outsz);
}

/* A fresh organisation whose new certificate the hall issued on a token (RSA) and mailed. */
static void issued_at(struct flow *f, const char *hall)
{
	char pay_no[25], wb[80], *made;
	json_t *a;

	memset(f, 0, sizeof(*f));
	if (!rev.session[0]) {
		api_staff_login(&rev, "reviewer", "Staff2026hall");
		api_staff_login(&shp, "shipping", "Staff2026hall");
	}
	wiz_register_org(&f->c, f->login, f->mobile);
	api_random_mobile(f->mobile);
	wiz_create(&f->c, hall, "new", "org", NULL, f->no);
	wiz_fill(&f->c, f->no, ORG, f->mobile);
	wiz_verify_plan(&f->c, f->no, NULL);
	wiz_upload_missing(&f->c, f->no);
	wiz_sign(&f->c, f->no, f->mobile, "pending_payment");
	wiz_pay_qr(&f->c, f->no, "alipay", pay_no);
	wiz_pay_complete(pay_no);
	at(f, "reviewing");
	staff(&rev, f->no, "decision", ",\"decision\":\"approve\"", "approved", NULL);
	made = wiz_token_made(CERT_KEY_RSA, ORG, ORG, &f->key, NULL);
	staff(&shp, f->no, "made", made, "making", &a);
	free(made);
	snprintf(f->serial, sizeof(f->serial), "%s",
		 json_string_value(json_object_get(json_object_get(a, "certificate"), "serial")));
	json_decref(a);
	snprintf(wb, sizeof(wb), ",\"carrier\":\"jd\",\"number\":\"JD%.13s\"", f->no + 5);
	staff(&shp, f->no, "shipped", wb, "shipped", NULL);
	staff(&shp, f->no, "delivered", NULL, "done", NULL);
}

static void issued(struct flow *f)
{
	issued_at(f, HALL);
}

/* A change order of f's certificate with the change step change (JSON), the handler's mobile
 * mobile, submitted and approved: done. */
static void changed(struct flow *f, const char *change, const char *mobile)
{
	char extra[120];
	struct api_resp r;

	snprintf(extra, sizeof(extra), ",\"cert_serial\":\"%s\"", f->serial);
	if (mobile != f->mobile)
		memcpy(f->mobile, mobile, sizeof(f->mobile));
	wiz_create(&f->c, HALL, "change", "org", extra, f->no);
	wiz_fill(&f->c, f->no, ORG, f->mobile);
	wiz_put(&f->c, f->no, "change", change, &r);
	if (r.status != 200)
		fail_msg("change step: %ld %s", r.status, r.body);
	api_free(&r);
	wiz_verify_plan(&f->c, f->no, NULL);
	wiz_upload_missing(&f->c, f->no);
	wiz_sign(&f->c, f->no, f->mobile, "reviewing");
	staff(&rev, f->no, "decision", ",\"decision\":\"approve\"", "done", NULL);
}

/* The certificate serial as "my certificates" shows it (the caller decrefs it). */
static json_t *my_cert(struct flow *f, const char *serial)
{
	char path[120];
	struct api_resp r;
	json_t *c;

	snprintf(path, sizeof(path), "/api/wizard/certs/%s", serial);
	api_call(&f->c, "GET", path, NULL, NULL, &r);
	if (r.status != 200)
		fail_msg("my cert %s: %ld %.300s", serial, r.status, r.body);
	c = json_incref(json_object_get(r.json, "certificate"));
	api_free(&r);
	return c;
}

/* The change's items in the certificate's "changes" (comma list of the last change). */
static void expect_change_shown(struct flow *f, const char *items)
{
	json_t *c = my_cert(f, f->serial), *ch, *last, *it;
	char got[64] = "";
	size_t i;

	ch = json_object_get(c, "changes");
	assert_true(json_array_size(ch) >= 1);
	last = json_array_get(ch, json_array_size(ch) - 1);
	assert_string_equal(json_string_value(json_object_get(last, "order_no")), f->no);
	json_array_foreach(json_object_get(last, "items"), i, it)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s", i ? "," : "",
			 json_string_value(it));
	assert_string_equal(got, items);
	json_decref(c);
}

/* The order's trail (for people: zh) and the staff audit trail (the codes) both record the
 * change. */
static void expect_trail(struct flow *f, const char *items)
{
	static const char *const zh[][2] = { { "name", "单位名称" }, { "address", "单位地址" },
					     { "seal", "电子印章" }, { "handler", "经办人" } };
	char v[120];

	value(v, sizeof(v), "SELECT note FROM order_events e JOIN orders o ON o.id = e.order_id "
	      "WHERE o.order_no = '%s' AND e.kind = 'change_applied'%s", f->no, "");
	for (size_t i = 0; i < sizeof(zh) / sizeof(zh[0]); i++)
		if (strcmp(items, zh[i][0]) == 0)
			assert_string_equal(v, zh[i][1]);
	value(v, sizeof(v), "SELECT CONCAT(staff_username, ':', detail) FROM audit_log WHERE "
	      "order_no = '%s' AND action = 'change_applied'%s", f->no, "");
	snprintf(v + 60, 60, "reviewer:%s", items);
	assert_string_equal(v, v + 60);
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

static void download(struct flow *f, const char *body, struct api_resp *r)
{
	char path[120];

	snprintf(path, sizeof(path), "/api/wizard/orders/%s/change/download", f->no);
	api_call(&f->c, "POST", path, body, NULL, r);
}

/* {"csr": a request of key naming cn and o}, malloc'd. */
static char *csr_body(EVP_PKEY *key, const char *cn, const char *o)
{
	char *csr = cert_csr_pem(key, cn, o), *text;
	json_t *j;

	assert_non_null(csr);
	j = json_pack("{s:s}", "csr", csr);
	text = json_dumps(j, JSON_COMPACT);
	assert_non_null(text);
	json_decref(j);
	free(csr);
	return text;
}

/* certhall-admin remind, once. */
static void remind(void)
{
	char cmd[512], out[1024];

	snprintf(cmd, sizeof(cmd), "'%s' -c '%s' remind 2>&1", api_admin(), getenv("CERTHALL_CONF"));
	if (wiz_run(cmd, out, sizeof(out)) != 0 || !strstr(out, "remind: "))
		fail_msg("certhall-admin remind: %s", out);
}

/* ---- each change kind */

/* 002 "证书信息变更业务支持用户在线修改证书的单位名称": approved, the account goes by the new
 * name; the token's request naming it (the same key) gets a certificate with the new subject,
 * the old one revoked at the CA; once. Hostile requests are refused in zh-CN. */
static void test_change_name(void **state)
{
	struct flow f;
	char old[CERT_SERIAL_MAX + 1], v[400], *body, newser[CERT_SERIAL_MAX + 1];
	struct api_resp r;
	json_t *c;
	EVP_PKEY *other;
	X509 *x;
	struct cert_info info;
	const char *pem;

	(void)state;
	issued(&f);
	snprintf(old, sizeof(old), "%s", f.serial);
	changed(&f, "{\"items\":\"name\",\"new_org_name\":\"" NEW_NAME "\"}", f.mobile);
	/* The account is the organisation's: it goes by its new name. */
	api_call(&f.c, "GET", "/api/account/me", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "name")), NEW_NAME);
	api_free(&r);
	expect_trail(&f, "name");
	expect_change_shown(&f, "name");
	/* The order's page offers the download with the names the key helper is to request. */
	wiz_order(&f.c, f.no, NULL, &r);
	assert_non_null(strstr(json_dumps_tmp(json_object_get(r.json, "actions")), "\"change_download\""));
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "download"), "o")),
			    NEW_NAME);
	api_free(&r);

	/* Hostile or wrong requests: each a zh-CN error naming csr. */
	download(&f, "{}", &r);
	api_expect_error(&r, 400, "missing_field");
	assert_string_equal(api_error_field(&r), "csr");
	api_free(&r);
	download(&f, "{\"csr\":\"-----BEGIN CERTIFICATE REQUEST-----\\nAAAA\\n\"}", &r);
	api_expect_error(&r, 400, "bad_csr");
	api_free(&r);
	download(&f, "{\"csr\":42}", &r);
	api_expect_error(&r, 400, "bad_csr");
	api_free(&r);
	body = csr_body(f.key, ORG, ORG); /* the old name */
	download(&f, body, &r);
	free(body);
	api_expect_error(&r, 400, "csr_mismatch");
	assert_non_null(strstr(r.body, NEW_NAME));
	api_free(&r);
	other = cert_key_new(CERT_KEY_RSA); /* another token's key */
	assert_non_null(other);
	body = csr_body(other, NEW_NAME, NEW_NAME);
	download(&f, body, &r);
	free(body);
	EVP_PKEY_free(other);
	api_expect_error(&r, 400, "csr_mismatch");
	assert_non_null(strstr(r.body, "原密钥"));
	api_free(&r);

	/* The token's own key, naming the new name: re-issued. */
	body = csr_body(f.key, NEW_NAME, NEW_NAME);
	download(&f, body, &r);
	if (r.status != 200)
		fail_msg("change download: %ld %.400s", r.status, r.body);
	c = json_object_get(r.json, "certificate");
	pem = json_string_value(json_object_get(c, "pem"));
	x = cert_read(pem, strlen(pem));
	assert_non_null(x);
	assert_int_equal(cert_info_of(x, &info), 0);
	X509_free(x);
	assert_string_equal(info.cn, NEW_NAME);
	assert_non_null(strstr(info.subject, "O=" NEW_NAME));
	assert_string_not_equal(info.serial, old);
	assert_int_equal(cert_key_sha256(f.key, v), 0);
	assert_string_equal(info.key_sha256, v);
	snprintf(newser, sizeof(newser), "%s", info.serial);
	api_free(&r);
	wiz_order(&f.c, f.no, NULL, &r);
	assert_null(strstr(json_dumps_tmp(json_object_get(r.json, "actions")), "change_download"));
	api_free(&r);
	/* Once. */
	download(&f, body, &r);
	api_expect_error(&r, 409, "conflict");
	api_free(&r);
	free(body);

	/* Recorded: the new row holds the key and the new name; the old one is revoked, at the
	 * CA too (its CRL, as the public look-up reads it). */
	value(v, sizeof(v), "SELECT CONCAT(n.holder_name, '|', n.subject_name, '|', n.state, '|', "
	      "o.state, '|', o.key_sha256 IS NULL, '|', n.key_sha256 IS NOT NULL) FROM certificates n "
	      "JOIN certificates o ON o.serial = '%s' WHERE n.serial = '%s'", old, newser);
	assert_string_equal(v, NEW_NAME "|" NEW_NAME "|valid|revoked|1|1");
	wiz_sql("DELETE FROM rate_limits WHERE bucket LIKE 'track:%'");
	snprintf(v, sizeof(v), "/api/track/certs/%s", old);
	api_get(v, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "certificate"),
							      "state")), "revoked");
	api_free(&r);
	value(v, sizeof(v), "SELECT COUNT(*) FROM order_events e JOIN orders o ON o.id = e.order_id "
	      "WHERE o.order_no = '%s' AND e.kind = 'change_downloaded' AND e.note = '%s'", f.no, newser);
	assert_string_equal(v, "1");
	/* My certificates: the new one says whom it replaced; the old one why it is revoked. */
	c = my_cert(&f, newser);
	assert_string_equal(json_string_value(json_object_get(c, "replaces")), old);
	assert_string_equal(json_string_value(json_object_get(c, "subject")), NEW_NAME);
	assert_string_equal(json_string_value(json_object_get(c, "state")), "valid");
	json_decref(c);
	c = my_cert(&f, old);
	assert_string_equal(json_string_value(json_object_get(c, "state")), "revoked");
	assert_non_null(strstr(json_string_value(json_object_get(c, "revoke_reason")), "信息变更"));
	json_decref(c);
	EVP_PKEY_free(f.key);
}

/* 002 "录入页面支持修改企业单位名称，信息修改后点击“下一步”进行核验": the organisation is checked
 * under its new name. By the corporate transfer (000), the basic account must be held in the
 * new name: the old one is refused when the check starts and when the account is saved. */
static void test_change_name_checked(void **state)
{
	struct flow f;
	struct wiz_opts o = { .enterprise_method = "transfer" };
	char extra[120], path[120];
	struct api_resp r;

	(void)state;
	issued(&f);
	snprintf(extra, sizeof(extra), ",\"cert_serial\":\"%s\"", f.serial);
	wiz_create(&f.c, HALL, "change", "org", extra, f.no);
	/* Every step saved, the basic account (in the old name) before the change step. */
	wiz_fill_opts(&f.c, f.no, ORG, f.mobile, &o);
	wiz_put(&f.c, f.no, "change", "{\"items\":\"name\",\"new_org_name\":\"" NEW_NAME "\"}", &r);
	assert_int_equal(r.status, 200);
	api_free(&r);
	snprintf(path, sizeof(path), "/api/wizard/orders/%s/verify/enterprise", f.no);
	api_call(&f.c, "POST", path, "{}", NULL, &r);
	api_expect_error(&r, 409, "step_incomplete");
	assert_non_null(strstr(r.body, "account_name"));
	api_free(&r);
	wiz_put(&f.c, f.no, "financial",
		"{\"account_name\":\"" ORG "\",\"bank\":\"中国工商银行北京分行\","
		"\"account_no\":\"4000021109200123456\"}", &r);
	api_expect_error(&r, 400, "invalid_field");
	assert_string_equal(api_error_field(&r), "account_name");
	assert_non_null(strstr(r.body, NEW_NAME));
	api_free(&r);
	wiz_put(&f.c, f.no, "financial",
		"{\"account_name\":\"" NEW_NAME "\",\"bank\":\"中国工商银行北京分行\","
		"\"account_no\":\"4000021109200123456\"}", &r);
	if (r.status != 200)
		fail_msg("financial in the new name: %ld %s", r.status, r.body);
	api_free(&r);
	EVP_PKEY_free(f.key);
}

/* The enterprise check stands through a change of the handler alone, and falls when the name it
 * was made under moves: a new name joins the change, or a new name is taken back. */
static void enterprise_check_is(struct flow *f, const char *change, const char *want)
{
	char v[64];
	struct api_resp r;

	wiz_put(&f->c, f->no, "change", change, &r);
	assert_int_equal(r.status, 200);
	api_free(&r);
	value(v, sizeof(v), "SELECT IFNULL(GROUP_CONCAT(v.state ORDER BY v.id), '') FROM verifications v "
	      "JOIN orders o ON o.id = v.order_id WHERE o.order_no = '%s' AND v.subject = 'enterprise'%s",
	      f->no, "");
	if (strcmp(v, want) != 0)
		fail_msg("after the change %s: the enterprise checks %s, not %s", change, v, want);
}

static void test_change_check_stands(void **state)
{
	static const char handler[] = "{\"items\":\"handler\"}";
	static const char renamed[] = "{\"items\":\"name,handler\",\"new_org_name\":\"" NEW_NAME "\"}";
	struct flow f;
	char extra[120];

	(void)state;
	issued(&f);
	snprintf(extra, sizeof(extra), ",\"cert_serial\":\"%s\"", f.serial);
	wiz_create(&f.c, HALL, "change", "org", extra, f.no);
	wiz_fill(&f.c, f.no, ORG, f.mobile); /* its change renames the organisation */
	enterprise_check_is(&f, handler, "");
	wiz_verify(&f.c, f.no, "enterprise", NULL);
	enterprise_check_is(&f, handler, "passed");
	enterprise_check_is(&f, handler, "passed");
	enterprise_check_is(&f, renamed, "void");
	wiz_verify(&f.c, f.no, "enterprise", NULL);
	enterprise_check_is(&f, renamed, "void,passed");
	enterprise_check_is(&f, handler, "void,void");
	EVP_PKEY_free(f.key);
}

/* A change without the name has no certificate to download. */
static void test_change_no_reissue(void **state)
{
	struct flow f;
	char m[12], *body;
	struct api_resp r;

	(void)state;
	issued(&f);
	api_random_mobile(m);
	changed(&f, "{\"items\":\"handler\"}", m);
	body = csr_body(f.key, ORG, ORG);
	download(&f, body, &r);
	free(body);
	api_expect_error(&r, 409, "cert_not_eligible");
	api_free(&r);
	EVP_PKEY_free(f.key);
}

/* A new handler: the certificate's expiry reminders go to the change order's handler, no
 * longer to the one who applied for it. */
static void test_change_handler(void **state)
{
	struct flow f;
	char m[12], v[64];

	(void)state;
	issued(&f);
	api_random_mobile(m);
	changed(&f, "{\"items\":\"handler\"}", m);
	expect_trail(&f, "handler");
	expect_change_shown(&f, "handler");
	value(v, sizeof(v), "SELECT c.notice_order_id = o.id FROM certificates c JOIN orders o ON "
	      "o.order_no = '%s' WHERE c.serial = '%s'", f.no, f.serial);
	assert_string_equal(v, "1");
	/* 60 days left: the 90-day reminder, to the new handler. */
	{
		char sql[300];

		snprintf(sql, sizeof(sql), "UPDATE certificates SET not_after = DATE(UTC_TIMESTAMP() + "
			 "INTERVAL 8 HOUR) + INTERVAL 60 DAY WHERE serial = '%s'", f.serial);
		wiz_sql(sql);
	}
	remind();
	value(v, sizeof(v), "SELECT recipient_mask FROM outbox WHERE event = 'cert_expiry' AND "
	      "channel = 'sms' AND JSON_VALUE(params, '$.serial') = '%s'%s", f.serial, "");
	assert_memory_equal(v, m, 3);
	assert_memory_equal(v + 7, m + 7, 4);
	EVP_PKEY_free(f.key);
}

/* A new address: the account's next order starts its enterprise step from it. */
static void test_change_address(void **state)
{
	struct flow f;
	char path[120];
	struct api_resp r;
	(void)state;
	issued(&f);
	changed(&f, "{\"items\":\"address\",\"new_address\":\"" NEW_ADDRESS "\"}", f.mobile);
	expect_trail(&f, "address");
	expect_change_shown(&f, "address");
	wiz_create(&f.c, HALL, "new", "org", NULL, f.no);
	snprintf(path, sizeof(path), "/api/wizard/orders/%s/steps/enterprise", f.no);
	api_call(&f.c, "GET", path, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	if (!strstr(r.body, NEW_ADDRESS))
		fail_msg("the enterprise step does not start from the new address: %.600s", r.body);
	api_free(&r);
	EVP_PKEY_free(f.key);
}

/* 002 "目前不支持在线变更签章，如需变更签章，请您至现场或邮寄介质到受理点处理": at BJCA's hall
 * (seal_change_online off) a seal change goes by mail with the key; the key made anew carries
 * the seal, and the changed certificate is revoked at the CA as superseded. */
static void test_change_seal_by_mail(void **state)
{
	struct flow f;
	char extra[120], body[160], path[120], old[CERT_SERIAL_MAX + 1], v[300], *made;
	struct api_resp r;
	json_t *a, *c;

	(void)state;
	issued_at(&f, "bjca-zycg");
	snprintf(old, sizeof(old), "%s", f.serial);
	snprintf(extra, sizeof(extra), ",\"cert_serial\":\"%s\"", f.serial);
	wiz_create(&f.c, "bjca-zycg", "change", "org", extra, f.no);
	wiz_fill(&f.c, f.no, ORG, f.mobile);
	wiz_put(&f.c, f.no, "change", "{\"items\":\"seal\"}", &r);
	assert_int_equal(r.status, 200);
	api_free(&r);
	wiz_order(&f.c, f.no, NULL, &r);
	assert_true(json_is_true(json_object_get(r.json, "paper_mail")));
	api_free(&r);
	/* A key is mailed back now: the product step (its mailing) joins the plan. */
	wiz_fill(&f.c, f.no, ORG, f.mobile);
	wiz_verify_plan(&f.c, f.no, NULL);
	wiz_upload_missing(&f.c, f.no);
	wiz_sign(&f.c, f.no, f.mobile, "awaiting_paper");
	/* The key and the paper are sent in; they arrive. */
	snprintf(body, sizeof(body), "{\"carrier\":\"sf\",\"number\":\"SF%s\"}", f.no + 5);
	snprintf(path, sizeof(path), "/api/track/orders/%s/waybill", f.no);
	api_call(&f.c, "POST", path, body, NULL, &r);
	if (r.status != 200 && r.status != 201)
		fail_msg("waybill: %ld %s", r.status, r.body);
	api_free(&r);
	staff(&rev, f.no, "paper-received", NULL, "paper_review", NULL);
	staff(&rev, f.no, "decision", ",\"decision\":\"approve\"", "approved", NULL);
	expect_trail(&f, "seal");
	/* The old name's request is what the made step takes (the name unchanged). */
	made = wiz_token_made(CERT_KEY_RSA, ORG, ORG, NULL, NULL);
	staff(&shp, f.no, "made", made, "making", &a);
	free(made);
	snprintf(f.serial, sizeof(f.serial), "%s",
		 json_string_value(json_object_get(json_object_get(a, "certificate"), "serial")));
	json_decref(a);
	value(v, sizeof(v), "SELECT CONCAT(n.has_seal, '|', n.state, '|', o.state, '|', "
	      "o.revoke_reason) FROM certificates n JOIN certificates o ON o.serial = '%s' "
	      "WHERE n.serial = '%s'", old, f.serial);
	assert_string_equal(v, "1|valid|revoked|信息变更，已由新制作的证书替代");
	wiz_sql("DELETE FROM rate_limits WHERE bucket LIKE 'track:%'");
	snprintf(path, sizeof(path), "/api/track/certs/%s", old);
	api_get(path, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "certificate"),
							      "state")), "revoked");
	api_free(&r);
	c = my_cert(&f, f.serial);
	assert_string_equal(json_string_value(json_object_get(c, "replaces")), old);
	assert_true(json_is_true(json_object_get(c, "has_seal")));
	json_decref(c);
	EVP_PKEY_free(f.key);
}

/* Hostile change steps: a clear zh-CN refusal naming the field. */
static void test_change_hostile(void **state)
{
	struct flow f;
	char extra[120];
	struct api_resp r;

	(void)state;
	issued(&f);
	snprintf(extra, sizeof(extra), ",\"cert_serial\":\"%s\"", f.serial);
	wiz_create(&f.c, HALL, "change", "org", extra, f.no);
	wiz_put(&f.c, f.no, "change", "{\"items\":\"name\",\"new_org_name\":\"" ORG "\"}", &r);
	api_expect_error(&r, 400, "invalid_field");
	assert_string_equal(api_error_field(&r), "new_org_name");
	api_free(&r);
	wiz_put(&f.c, f.no, "change", "{\"items\":\"name,name\"}", &r);
	api_expect_error(&r, 400, "invalid_field");
	api_free(&r);
	wiz_put(&f.c, f.no, "change", "{\"items\":\"name\",\"new_org_name\":\"<script>\"}", &r);
	api_expect_error(&r, 400, "invalid_field");
	assert_string_equal(api_error_field(&r), "new_org_name");
	api_free(&r);
	/* Not done: nothing to download. */
	download(&f, "{}", &r);
	api_expect_error(&r, 409, "wrong_state");
	api_free(&r);
	EVP_PKEY_free(f.key);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_change_name),
		cmocka_unit_test(test_change_name_checked),
		cmocka_unit_test(test_change_check_stands),
		cmocka_unit_test(test_change_no_reissue),
		cmocka_unit_test(test_change_handler),
		cmocka_unit_test(test_change_address),
		cmocka_unit_test(test_change_seal_by_mail),
		cmocka_unit_test(test_change_hostile),
	};

	/* A developer runs one test: CMOCKA_FILTER=test_change_name. */
	if (getenv("CMOCKA_FILTER"))
		cmocka_set_test_filter(getenv("CMOCKA_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
