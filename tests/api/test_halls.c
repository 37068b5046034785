/* API tests, hall by hall: every business each demo hall's catalog offers, for every kind an
 * account may apply for, walked through the API from a fresh account to its final state: the
 * applicant's steps, verification, uploads, signing and paying at the sandbox provider; the
 * pre-reviewer stating a quoted price (004); the paper's waybill entered and its arrival; the
 * reviewer's approval; the key made, shipped and delivered. No SQL moves an order: SQL only
 * places the certificates the CA issued outside the hall (what an import brings in), which the
 * businesses on a certificate need. The matrix walked is printed. */
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
#define MAX_MOVES 12

static struct api_client rev, shp, fin;

struct walk {
	struct api_client c;
	const char *channel, *business, *kind, *pay; /* pay: a QR method the hall takes */
	char login[19];  /* a USCC, or a person's mobile */
	char mobile[12]; /* the handler's */
	char id[19];     /* a person's ID number */
	char account[20];
	char no[19];
	const char *handler; /* the handler step's JSON, NULL: wiz_step_json's (a random ID) */
	const char *stop_at; /* drive stops in this state (NULL: at done) */
	const char *invoice_email; /* the product step's; "-": no invoice asked for */
	char trail[400]; /* the states the order went through */
};

static const char *str(json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));

	return v ? v : "";
}

/* A walk of business for kind at channel, paid by pay where it costs something. */
static struct walk *new_walk(const char *channel, const char *business, const char *kind,
			     const char *pay)
{
	struct walk *w = calloc(1, sizeof(*w));

	assert_non_null(w);
	w->channel = channel;
	w->business = business;
	w->kind = kind;
	w->pay = pay;
	return w;
}

static bool has(json_t *list, const char *code)
{
	size_t i;
	json_t *it;

	json_array_foreach(list, i, it)
		if (strcmp(str(it, "code"), code) == 0)
			return true;
	return false;
}

static void state_of(struct walk *w, char state[32], json_t **amount)
{
	struct api_resp r;

	wiz_order(&w->c, w->no, state, &r);
	if (amount)
		*amount = json_incref(json_object_get(r.json, "amount_fen"));
	api_free(&r);
}

/* A staff move on the order at its current version (the review detail's). */
static void staff(struct api_client *c, struct walk *w, const char *action, const char *extra)
{
	char path[200], body[8192];
	struct api_resp r;
	long long version;

	snprintf(path, sizeof(path), "/api/review/orders/%s", w->no);
	api_call(c, "GET", path, NULL, NULL, &r);
	if (r.status != 200)
		fail_msg("%s %s %s: detail %ld %s", w->channel, w->business, w->kind, r.status,
			 r.body);
	version = json_integer_value(json_object_get(r.json, "version"));
	api_free(&r);
	snprintf(path, sizeof(path), "/api/review/orders/%s/%s", w->no, action);
	snprintf(body, sizeof(body), "{\"version\":%lld%s}", version, extra ? extra : "");
	api_call(c, "POST", path, body, NULL, &r);
	if (r.status != 200)
		fail_msg("%s %s %s (%s): %s: %ld %s", w->channel, w->business, w->kind, w->trail,
			 action, r.status, r.body);
	api_free(&r);
}

/* The made step's members: a sandbox token's request naming whom the detail says the key is
 * for (the holder, the organisation), its serial and the PIN it set (free()). */
static char *made_members(struct walk *w)
{
	char path[120];
	struct api_resp r;
	json_t *n;
	char *out;

	snprintf(path, sizeof(path), "/api/review/orders/%s", w->no);
	api_call(&shp, "GET", path, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	n = json_object_get(r.json, "made_names");
	if (!n)
		fail_msg("%s %s %s: no names for the made step: %.300s", w->channel, w->business,
			 w->kind, r.body);
	out = wiz_token_made(CERT_KEY_RSA, str(n, "cn"), *str(n, "o") ? str(n, "o") : NULL, NULL,
			     NULL);
	api_free(&r);
	return out;
}

/* The applicant's account and, for a business on a certificate, the certificate the CA issued
 * it (renewal inside its window: 30 days left; anything else: 200 days). */
static void applicant(struct walk *w, char extra[160])
{
	bool person = strcmp(w->kind, "person") == 0;
	char serial[17];

	if (person) {
		wiz_register_person(&w->c, w->login);
		wiz_random_id(w->id);
	} else {
		char m[12];

		wiz_register_org(&w->c, w->login, m);
	}
	api_random_mobile(w->mobile);
	wiz_random_account(w->account);
	extra[0] = '\0';
	if (strcmp(w->business, "new") != 0) {
		wiz_random_serial(serial);
		wiz_fixture_cert(w->login, person ? w->id : w->login, w->channel, w->kind, serial,
				 strcmp(w->business, "renew") == 0 ? 30 : 200, -165, false);
		if (strcmp(w->business, "add") != 0)
			snprintf(extra, 160, ",\"cert_serial\":\"%s\"", serial);
	}
	if (person)
		snprintf(extra + strlen(extra), 160 - strlen(extra), ",\"id_number\":\"%s\"", w->id);
}

/* The order's steps saved, verified, its scans uploaded, signed. */
static void sign_order(struct walk *w)
{
	struct wiz_opts opts = { 0 };
	char code[7];
	struct api_resp r;

	opts.id_number = w->id[0] ? w->id : NULL;
	opts.account_no = w->account;
	wiz_fill_opts(&w->c, w->no, ORG, w->mobile, &opts);
	if (w->handler) {
		wiz_put(&w->c, w->no, "handler", w->handler, &r);
		if (r.status != 200)
			fail_msg("%s: handler %ld %s", w->no, r.status, r.body);
		api_free(&r);
	}
	if (w->invoice_email) {
		json_t *j = json_loads(wiz_step_json("product", ORG, w->mobile, NULL), 0, NULL);
		char *text;

		assert_non_null(j);
		if (strcmp(w->invoice_email, "-") == 0)
			json_object_set_new(j, "e_invoice", json_string("0"));
		else
			json_object_set_new(j, "invoice_email", json_string(w->invoice_email));
		text = json_dumps(j, JSON_COMPACT);
		wiz_put(&w->c, w->no, "product", text, &r);
		if (r.status != 200)
			fail_msg("%s: product %ld %s", w->no, r.status, r.body);
		api_free(&r);
		free(text);
		json_decref(j);
	}
	wiz_verify_plan(&w->c, w->no, w->account);
	wiz_upload_missing(&w->c, w->no);
	wiz_sign_code(&w->c, w->no, w->mobile, code);
	wiz_sign_with(&w->c, w->no, "/sign", code, &r);
	if (r.status != 200)
		fail_msg("%s %s %s: sign %ld %s", w->channel, w->business, w->kind, r.status, r.body);
	api_free(&r);
}

/* The order paid: by the walk's QR method where the hall takes one for this business; else by
 * bank transfer, which finance confirms (003 takes Alipay for "增加机构数字证书个数" only; its
 * other businesses "公对公转账", "现场缴费或提前汇款"). */
static void pay(struct walk *w)
{
	char path[120], pay_no[25];
	struct api_resp r;
	bool qr = false;
	json_t *m;
	size_t i;

	snprintf(path, sizeof(path), "/api/wizard/orders/%s/pay", w->no);
	api_call(&w->c, "GET", path, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	json_array_foreach(json_object_get(r.json, "pay_methods"), i, m)
		qr |= strcmp(str(m, "method"), w->pay) == 0;
	api_free(&r);
	if (qr) {
		wiz_pay_qr(&w->c, w->no, w->pay, pay_no);
		wiz_pay_complete(pay_no);
		return;
	}
	wiz_pay(&w->c, w->no, "transfer", &r);
	if (r.status != 200 && r.status != 201)
		fail_msg("%s %s %s: transfer %ld %s", w->channel, w->business, w->kind, r.status,
			 r.body);
	api_free(&r);
	staff(&fin, w, "payment/confirm", NULL);
}

/* Every move the hall's staff and the applicant make, until the order is done. */
static void drive(struct walk *w)
{
	char extra[160], state[32], body[120];
	struct api_resp r;
	size_t o = 0;

	w->trail[0] = '\0';
	for (int moves = 0; moves < MAX_MOVES; moves++) {
		json_t *amount;

		state_of(w, state, &amount);
		o += (size_t)snprintf(w->trail + o, sizeof(w->trail) - o, "%s%s", o ? ">" : "",
				      state);
		if (strcmp(state, "done") == 0 || (w->stop_at && strcmp(state, w->stop_at) == 0)) {
			json_decref(amount);
			return;
		}
		if (strcmp(state, "pre_review") == 0) {
			/* 004: the CA's price stated when the pre-review passes. */
			staff(&rev, w, "decision",
			      json_is_null(amount) ? ",\"decision\":\"approve\",\"amount\":\"200.00\""
						   : ",\"decision\":\"approve\"");
		} else if (strcmp(state, "pending_payment") == 0) {
			pay(w);
		} else if (strcmp(state, "awaiting_paper") == 0) {
			/* The applicant mails the paper and enters its waybill; it arrives. */
			snprintf(body, sizeof(body), "{\"carrier\":\"sf\",\"number\":\"SF%s\"}",
				 w->no + 5);
			snprintf(extra, sizeof(extra), "/api/track/orders/%s/waybill", w->no);
			api_call(&w->c, "POST", extra, body, NULL, &r);
			if (r.status != 200 && r.status != 201)
				fail_msg("%s %s %s: paper waybill %ld %s", w->channel, w->business,
					 w->kind, r.status, r.body);
			api_free(&r);
			staff(&rev, w, "paper-received", NULL);
		} else if (strcmp(state, "reviewing") == 0 || strcmp(state, "paper_review") == 0) {
			staff(&rev, w, "decision", ",\"decision\":\"approve\"");
		} else if (strcmp(state, "approved") == 0) {
			char *made = made_members(w);

			staff(&shp, w, "made", made);
			free(made);
		} else if (strcmp(state, "making") == 0) {
			snprintf(body, sizeof(body), ",\"carrier\":\"sf\",\"number\":\"SF%s\"",
				 w->no + 5);
			staff(&shp, w, "shipped", body);
		} else if (strcmp(state, "shipped") == 0) {
			staff(&shp, w, "delivered", NULL);
		} else {
			fail_msg("%s %s %s: stuck in %s (%s)", w->channel, w->business, w->kind,
				 state, w->trail);
		}
		json_decref(amount);
	}
	fail_msg("%s %s %s: not done after %d moves (%s)", w->channel, w->business, w->kind,
		 MAX_MOVES, w->trail);
}

static void walk(struct walk *w)
{
	char extra[160];

	applicant(w, extra);
	wiz_create(&w->c, w->channel, w->business, w->kind, extra[0] ? extra : NULL, w->no);
	sign_order(w);
	drive(w);
}

/* A business the hall does only at its counter (003 注销 "现场办理"): the online order is
 * refused with the counter's address, which the catalog shows too. */
static void counter(struct walk *w, json_t *ch)
{
	char extra[160];
	struct api_resp r;
	char body[400];
	const char *addr = str(json_object_get(ch, "counter"), "address");

	applicant(w, extra);
	snprintf(body, sizeof(body), "{\"channel\":\"%s\",\"business\":\"%s\",\"kind\":\"%s\"%s}",
		 w->channel, w->business, w->kind, extra);
	api_call(&w->c, "POST", "/api/wizard/orders", body, NULL, &r);
	api_expect_error(&r, 409, "counter_only");
	assert_true(strlen(addr) > 0);
	if (!strstr(r.body, addr))
		fail_msg("%s %s: the refusal does not say where the counter is: %s", w->channel,
			 w->business, r.body);
	api_free(&r);
	snprintf(w->trail, sizeof(w->trail), "counter (%s)", addr);
}

/* Every (business, kind) the hall offers, each from a fresh account to its final state. */
static void hall(const char *code)
{
	struct api_resp cat;
	json_t *ch = NULL, *c, *b;
	size_t i, bi, walked = 0;

	api_call(NULL, "GET", "/api/wizard/catalog", NULL, NULL, &cat);
	assert_int_equal(cat.status, 200);
	json_array_foreach(json_object_get(cat.json, "channels"), i, c)
		if (strcmp(str(c, "code"), code) == 0)
			ch = c;
	assert_non_null(ch);
	json_array_foreach(json_object_get(ch, "businesses"), bi, b) {
		json_t *k;
		size_t ki;

		json_array_foreach(json_object_get(b, "kinds"), ki, k) {
			struct walk *w = new_walk(code, str(b, "code"), str(k, "code"),
						  has(json_object_get(ch, "pay_methods"), "wechat")
							  ? "wechat" : "alipay");
			if (json_is_true(json_object_get(b, "counter"))) {
				counter(w, ch);
			} else {
				walk(w);
				/* What the catalog says of the paper is what the order does. */
				if (json_is_true(json_object_get(b, "paper_mail")) &&
				    !strstr(w->trail, "awaiting_paper"))
					fail_msg("%s %s %s: paper by mail, yet %s", code, w->business,
						 w->kind, w->trail);
			}
			printf("# %-9s %-7s %-9s %s\n", code, w->business, w->kind, w->trail);
			walked++;
			free(w);
		}
	}
	assert_true(walked > 0);
	api_free(&cat);
}

static void test_cecep(void **state)
{
	(void)state;
	hall("cecep");
}

static void test_szca(void **state)
{
	(void)state;
	hall("szca");
}

static void test_bjca(void **state)
{
	(void)state;
	hall("bjca-zycg");
}

static void test_netca(void **state)
{
	(void)state;
	hall("netca-gd");
}

static void test_jxca(void **state)
{
	(void)state;
	hall("jxca-js");
}

/* The serial of the one certificate the account holds in channel. */
static void held_serial(struct walk *w, char serial[41])
{
	struct api_resp r;
	json_t *c;
	size_t i;

	serial[0] = '\0';
	api_call(&w->c, "GET", "/api/wizard/certs", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	json_array_foreach(json_object_get(r.json, "certificates"), i, c)
		if (strcmp(str(c, "channel"), w->channel) == 0)
			snprintf(serial, 41, "%s", str(c, "serial"));
	api_free(&r);
	if (!serial[0])
		fail_msg("%s: no certificate in %s after %s", w->login, w->channel, w->trail);
}

/* How many materials the order has uploaded (the upload list's kinds with a latest version). */
static int uploaded(struct walk *w)
{
	char path[120];
	struct api_resp r;
	json_t *m;
	size_t i;
	int n = 0;

	snprintf(path, sizeof(path), "/api/upload/orders/%s/materials", w->no);
	api_call(&w->c, "GET", path, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	json_array_foreach(json_object_get(r.json, "materials"), i, m)
		n += json_is_object(json_object_get(m, "latest"));
	api_free(&r);
	return n;
}

/* 003 解锁: "如经办人信息与上笔业务的经办人信息相符合,可自动审核,与上笔业务的经办人信息不相符的,请按照
 * 提示上传相关材料". The handler of the order that issued the certificate unlocks it without a
 * reviewer and without a scan; another handler uploads and waits for one. */
static void test_netca_unlock_by_previous_handler(void **state)
{
	static const char handler[] =
		"{\"name\":\"李娜\",\"id_number\":\"%s\",\"mobile\":\"%s\","
		"\"email\":\"handler@example.com\",\"position\":\"采购专员\",\"method\":\"mobile\","
		"\"bank_card\":\"6217000010001234569\"}";
	struct walk *w = new_walk("netca-gd", "new", "org", "alipay");
	char extra[160], serial[41], json[400], state_now[32], id[19];
	struct api_resp r;

	(void)state;
	applicant(w, extra);
	wiz_random_id(id);
	snprintf(json, sizeof(json), handler, id, w->mobile);
	w->handler = json;
	wiz_create(&w->c, w->channel, "new", "org", NULL, w->no);
	sign_order(w);
	drive(w);
	held_serial(w, serial);

	/* The same handler: approved by the rule, done at signing. */
	w->business = "unlock";
	snprintf(extra, sizeof(extra), ",\"cert_serial\":\"%s\"", serial);
	wiz_create(&w->c, w->channel, "unlock", "org", extra, w->no);
	sign_order(w);
	state_of(w, state_now, NULL);
	assert_string_equal(state_now, "done");
	assert_int_equal(uploaded(w), 0);
	wiz_order(&w->c, w->no, NULL, &r);
	assert_true(json_is_true(json_object_get(r.json, "unlock_auto")));
	{
		json_t *e;
		size_t i;
		bool by_rule = false;

		json_array_foreach(json_object_get(r.json, "events"), i, e)
			by_rule |= strcmp(str(e, "kind"), "approved") == 0 &&
				   strcmp(str(e, "actor"), "system") == 0 &&
				   strstr(str(e, "note"), "系统自动审核") != NULL;
		assert_true(by_rule);
	}
	api_free(&r);

	/* Another handler: a reviewer decides. */
	w->handler = NULL;
	wiz_create(&w->c, w->channel, "unlock", "org", extra, w->no);
	sign_order(w);
	state_of(w, state_now, NULL);
	assert_string_equal(state_now, "reviewing");
	assert_true(uploaded(w) > 0);
	wiz_order(&w->c, w->no, NULL, &r);
	assert_true(json_is_false(json_object_get(r.json, "unlock_auto")));
	api_free(&r);
	free(w);
}

static bool in_review_queue(const char *no)
{
	char path[120];
	struct api_resp r;
	bool found;

	snprintf(path, sizeof(path), "/api/review/queue?order_no=%s", no);
	api_call(&rev, "GET", path, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	found = strstr(r.body, no) != NULL;
	api_free(&r);
	return found;
}

/* 004 "如果用户寄来的纸质资料未通过审核，工作人员将电话通知补寄资料": paper that fails its review is
 * sent again; the order waits for the new parcel's waybill before anyone can take it in. */
static void test_jxca_paper_sent_again(void **state)
{
	struct walk *w = new_walk("jxca-js", "lost", "org", "wechat");
	char extra[160], code[7], st[32], body[120], path[120];
	struct api_resp r;
	const char *handler;

	(void)state;
	w->stop_at = "paper_review";
	applicant(w, extra);
	wiz_create(&w->c, w->channel, w->business, w->kind, extra, w->no);
	sign_order(w);
	drive(w);
	staff(&rev, w, "decision", ",\"decision\":\"return\",\"reason_code\":\"012\",\"steps\":[\"handler\"]");
	state_of(w, st, NULL);
	assert_string_equal(st, "returned");
	/* The applicant corrects what was sent back, signs again: the paper is awaited anew. */
	handler = wiz_step_json("handler", ORG, w->mobile, "mobile");
	wiz_put(&w->c, w->no, "handler", handler, &r);
	assert_int_equal(r.status, 200);
	api_free(&r);
	wiz_verify(&w->c, w->no, "handler", NULL);
	wiz_sign_code(&w->c, w->no, w->mobile, code);
	wiz_sign_with(&w->c, w->no, "/resubmit", code, &r);
	if (r.status != 200)
		fail_msg("resubmit %s: %ld %s", w->no, r.status, r.body);
	api_free(&r);
	state_of(w, st, NULL);
	assert_string_equal(st, "awaiting_paper");
	/* The old parcel's waybill does not stand for the new one. */
	assert_false(in_review_queue(w->no));
	snprintf(body, sizeof(body), "{\"carrier\":\"sf\",\"number\":\"SF%s\"}", w->no + 5);
	snprintf(path, sizeof(path), "/api/track/orders/%s/waybill", w->no);
	api_call(&w->c, "POST", path, body, NULL, &r);
	assert_int_equal(r.status, 200);
	api_free(&r);
	assert_true(in_review_queue(w->no));
	w->stop_at = NULL;
	drive(w);
	assert_non_null(strstr(w->trail, "done"));
	free(w);
}

/* 002 "目前不支持在线变更签章，如需变更签章，请您至现场或邮寄介质到受理点": a change of the seal
 * goes by mail, the key sent in and mailed back; a change of the name stays online. */
static void test_bjca_seal_change_by_mail(void **state)
{
	struct walk *w = new_walk("bjca-zycg", "change", "org", "wechat");
	char extra[160];
	struct api_resp r;

	(void)state;
	applicant(w, extra);
	wiz_create(&w->c, w->channel, w->business, w->kind, extra, w->no);
	wiz_put(&w->c, w->no, "change", "{\"items\":\"seal\"}", &r);
	if (r.status != 200)
		fail_msg("change seal: %ld %s", r.status, r.body);
	api_free(&r);
	wiz_order(&w->c, w->no, NULL, &r);
	assert_true(json_is_true(json_object_get(r.json, "paper_mail")));
	assert_string_equal(str(json_object_get(r.json, "paper_to"), "recipient"),
			    "中共中央直属采购中心渠道 在线受理点 王明明");
	api_free(&r);
	sign_order(w);
	drive(w);
	if (!strstr(w->trail, "awaiting_paper") || !strstr(w->trail, "shipped"))
		fail_msg("a seal change of 002 by mail: %s", w->trail);
	free(w);
}

/* The messages to `to` (the sandbox gateway's), waiting up to 5 s for one holding needle; its
 * text into out, or "" when none came. */
static void message_with(const char *to, const char *needle, char *out, size_t outsz)
{
	char path[200];

	out[0] = '\0';
	snprintf(path, sizeof(path), "/sandbox/messages?to=%s&limit=100", to);
	for (int i = 0; i < 100 && !out[0]; i++) {
		struct api_resp r;
		json_t *m;
		size_t k;

		if (i)
			usleep(50 * 1000);
		api_get(path, &r);
		assert_int_equal(r.status, 200);
		json_array_foreach(json_object_get(r.json, "messages"), k, m) {
			const char *t = json_string_value(json_object_get(m, "text"));

			if (!out[0] && t && strstr(t, needle))
				snprintf(out, outsz, "%s", t);
		}
		api_free(&r);
	}
}

/* The order's invoice notice reached `to`, in the hall's words. */
static void invoiced(struct walk *w, const char *to, const char *words)
{
	char needle[64], text[1200];

	snprintf(needle, sizeof(needle), "%s的电子发票", w->no);
	message_with(to, needle, text, sizeof(text));
	if (!text[0])
		fail_msg("%s %s: no invoice notice to %s", w->channel, w->business, to);
	if (!strstr(text, words))
		fail_msg("%s %s: the invoice notice does not say %s: %s", w->channel, w->business,
			 words, text);
}

/* Invoices as each hall issues them: when, where, in its words; and none unless asked for.
 * 002 "支付成功后，电子发票将在24小时内发送至指定（默认为经办人）邮箱"; 003 "电子发票1~2个工作日
 * 发送到经办人手机"; 004 "证书发票将在证书制作后3个工作日内发送至发票接收人邮箱"; 001 "证书申请通过
 * 后，电子发票链接会发送至经办人手机或电子邮箱", "发票用途: * 介质服务费". */
static void test_invoices(void **state)
{
	struct walk *w;
	char email[64], text[600], needle[64];

	(void)state;
	w = new_walk("bjca-zycg", "new", "org", "wechat");
	snprintf(email, sizeof(email), "invoice%ld@example.com", random() % 1000000000);
	w->invoice_email = email;
	walk(w);
	invoiced(w, email, "24小时内");
	free(w);

	w = new_walk("netca-gd", "new", "org", "alipay");
	walk(w);
	invoiced(w, w->mobile, "1~2个工作日内");
	free(w);

	w = new_walk("jxca-js", "lost", "org", "wechat");
	walk(w);
	invoiced(w, "handler@example.com", "证书制作后3个工作日内");
	free(w);

	w = new_walk("szca", "new", "org", "wechat");
	walk(w);
	invoiced(w, w->mobile, "介质服务费");
	invoiced(w, "handler@example.com", "介质服务费");
	free(w);

	/* No invoice asked for: none, though the order was paid and is done. */
	w = new_walk("bjca-zycg", "new", "org", "wechat");
	w->invoice_email = "-";
	walk(w);
	message_with(w->mobile, "已办理完成", text, sizeof(text));
	assert_true(text[0] != '\0');
	snprintf(needle, sizeof(needle), "%s的电子发票", w->no);
	message_with("handler@example.com", needle, text, sizeof(text));
	assert_string_equal(text, "");
	free(w);
}

/* 004 "法人核验反馈结果界面显示“认证成功”后，才能上传资料提交申请": no scan before the legal
 * representative's face check passed; then every one. */
static void test_jxca_uploads_wait_for_face(void **state)
{
	struct walk *w = new_walk("jxca-js", "new", "org", "wechat");
	struct wiz_opts opts = { 0 };
	char extra[160];
	struct api_resp r;

	(void)state;
	applicant(w, extra);
	wiz_create(&w->c, w->channel, w->business, w->kind, NULL, w->no);
	opts.account_no = w->account;
	wiz_fill_opts(&w->c, w->no, ORG, w->mobile, &opts);
	wiz_upload_scan(&w->c, w->no, "business_licence", &r);
	api_expect_error(&r, 409, "not_verified");
	assert_non_null(strstr(r.body, "认证成功"));
	api_free(&r);
	wiz_verify_plan(&w->c, w->no, w->account);
	wiz_upload_missing(&w->c, w->no);
	free(w);
}

/* The order's printed application form, as the applicant opens it. */
static void application_form(struct walk *w, struct api_resp *r)
{
	char path[120];

	snprintf(path, sizeof(path), "/api/wizard/orders/%s/forms/application", w->no);
	api_call(&w->c, "GET", path, NULL, NULL, r);
	assert_int_equal(r->status, 200);
}

/* 001: "申请单位法定代表人授权委托及单位声明" is part of its application form, and the handler's ID
 * is taken at the face check ("经办人扫描二维码，在线上传身份证件并完成活体认证"): no letter and no
 * ID copies are asked for. Another hall asks for both. */
static void test_szca_form_and_scans(void **state)
{
	static const char clause[] = "申请单位法定代表人授权委托及单位声明";
	struct walk *w = new_walk("szca", "new", "org", "wechat"), *b;
	char extra[160];
	struct api_resp r;

	(void)state;
	applicant(w, extra);
	wiz_create(&w->c, w->channel, w->business, w->kind, NULL, w->no);
	sign_order(w);
	application_form(w, &r);
	assert_non_null(strstr(r.body, clause));
	api_free(&r);
	wiz_order(&w->c, w->no, NULL, &r);
	assert_null(strstr(r.body, "handler_id_front"));
	api_free(&r);
	{
		char path[120];

		snprintf(path, sizeof(path), "/api/upload/orders/%s/materials", w->no);
		api_call(&w->c, "GET", path, NULL, NULL, &r);
		assert_int_equal(r.status, 200);
		/* Not required there: listed, if at all, as optional. */
		{
			json_t *m;
			size_t i;

			json_array_foreach(json_object_get(r.json, "materials"), i, m)
				if (strcmp(str(m, "kind"), "authorisation_letter") == 0 ||
				    strcmp(str(m, "kind"), "handler_id_front") == 0)
					assert_false(json_is_true(json_object_get(m, "required")));
		}
		api_free(&r);
	}
	free(w);

	b = new_walk("bjca-zycg", "new", "org", "wechat");
	applicant(b, extra);
	wiz_create(&b->c, b->channel, b->business, b->kind, NULL, b->no);
	wiz_fill(&b->c, b->no, ORG, b->mobile);
	application_form(b, &r);
	assert_null(strstr(r.body, clause));
	api_free(&r);
	wiz_order(&b->c, b->no, NULL, &r);
	assert_non_null(strstr(r.body, "handler_id_front"));
	assert_non_null(strstr(r.body, "authorisation_letter"));
	api_free(&r);
	free(b);
}

static int setup(void **state)
{
	(void)state;
	api_staff_login(&rev, "reviewer", "Staff2026hall");
	api_staff_login(&shp, "shipping", "Staff2026hall");
	api_staff_login(&fin, "finance", "Staff2026hall");
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cecep),
		cmocka_unit_test(test_szca),
		cmocka_unit_test(test_bjca),
		cmocka_unit_test(test_netca),
		cmocka_unit_test(test_jxca),
		cmocka_unit_test(test_netca_unlock_by_previous_handler),
		cmocka_unit_test(test_jxca_paper_sent_again),
		cmocka_unit_test(test_bjca_seal_change_by_mail),
		cmocka_unit_test(test_invoices),
		cmocka_unit_test(test_jxca_uploads_wait_for_face),
		cmocka_unit_test(test_szca_form_and_scans),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
