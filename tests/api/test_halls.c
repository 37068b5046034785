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

static struct api_client rev, shp, fnc;

struct walk {
	struct api_client c;
	const char *channel, *business, *kind, *pay; /* pay: a QR method the hall takes */
	char login[19];  /* a USCC, or a person's mobile */
	char mobile[12]; /* the handler's */
	char id[19];     /* a person's ID number */
	char account[20];
	char no[19];
	const char *handler; /* the handler step's JSON, NULL: wiz_step_json's (a random ID) */
	const char *stop_at; /* drive stops in this state, or any of "a|b" (NULL: at done) */
	const char *invoice_email; /* the product step's; "-": no invoice asked for */
	const char *invoice_title; /* the product step's (001 writes it) */
	int cert_days;   /* the certificate's not_after from today (0: applicant()'s default) */
	char trail[400]; /* the states the order went through */
};

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
		if (strcmp(wiz_str(it, "code"), code) == 0)
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
	struct api_resp r;

	wiz_staff_call(c, w->no, action, extra, &r);
	if (r.status != 200)
		fail_msg("%s %s %s (%s): %s: %ld %s", w->channel, w->business, w->kind, w->trail,
			 action, r.status, r.body);
	api_free(&r);
}

/* The made step's members: a sandbox token's request naming whom the detail says the key is
 * for (the holder, the organisation), its serial and the PIN it set (free()). */
static char *made_members(struct walk *w)
{
	char *out = wiz_made_members(&shp, w->no);

	if (!out)
		fail_msg("%s %s %s: no names for the made step", w->channel, w->business, w->kind);
	return out;
}

/* The review detail's 001 financial check as it is now: its state ("" when the order has
 * none) and its transfer's ref; made: whether the made step is offered. */
static void fin_check_now(struct walk *w, char state[16], char ref[80], bool *made)
{
	char path[120];
	struct api_resp r;
	json_t *f;

	snprintf(path, sizeof(path), "/api/review/orders/%s", w->no);
	api_call(&shp, "GET", path, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	f = json_object_get(r.json, "fin_check");
	snprintf(state, 16, "%s", f ? wiz_str(f, "state") : "");
	snprintf(ref, 80, "%s", f ? wiz_str(f, "ref") : "");
	*made = wiz_listed(json_object_get(r.json, "actions"), "made");
	api_free(&r);
}

/* The review detail's 001 financial check (fin_check.state, "" when the order has none),
 * once it is no longer queued: its transfer goes out after the approval's answer. */
static void fin_settled(struct walk *w, char out[16])
{
	char ref[80];
	bool made;

	for (int i = 0; i < 200; i++) {
		if (i)
			usleep(50 * 1000);
		fin_check_now(w, out, ref, &made);
		if (strcmp(out, "queued") != 0 && strcmp(out, "sent") != 0 &&
		    strcmp(out, "none") != 0)
			return;
	}
	fail_msg("%s: the financial check's transfer was never sent", w->no);
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
				 w->cert_days ? w->cert_days : strcmp(w->business, "renew") == 0 ? 30 : 200,
				 w->cert_days < 0 ? w->cert_days - 365 : -165, false);
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
	if (w->invoice_email || w->invoice_title) {
		json_t *j = json_loads(wiz_step_json("product", ORG, w->mobile, NULL), 0, NULL);
		char *text;

		assert_non_null(j);
		if (w->invoice_email && strcmp(w->invoice_email, "-") == 0)
			json_object_set_new(j, "e_invoice", json_string("0"));
		else if (w->invoice_email)
			json_object_set_new(j, "invoice_email", json_string(w->invoice_email));
		if (w->invoice_title)
			json_object_set_new(j, "invoice_title", json_string(w->invoice_title));
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

static void fin_sent(struct walk *w, char ref[80]);
static void bank_decides(const char *ref, const char *outcome);

/* 001: the sandbox bank credits the approval's 0.01 transfer, as a developer clicks it in the
 * console (nothing when the order has no financial check). */
static void fin_credit(struct walk *w)
{
	char path[120], ref[80];
	struct api_resp r;
	bool fin;

	snprintf(path, sizeof(path), "/api/review/orders/%s", w->no);
	api_call(&shp, "GET", path, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	fin = json_object_get(r.json, "fin_check") != NULL &&
	      strcmp(wiz_str(json_object_get(r.json, "fin_check"), "state"), "credited") != 0;
	api_free(&r);
	if (!fin)
		return;
	fin_sent(w, ref);
	bank_decides(ref, "credited");
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
		qr |= strcmp(wiz_str(m, "method"), w->pay) == 0;
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
	staff(&fnc, w, "payment/confirm", NULL);
}

/* The applicant's parcel to the hall (the paper, or a damaged key) and its waybill entered. */
static void parcel_sent(struct walk *w, const char *what)
{
	char path[120], body[120];
	struct api_resp r;

	snprintf(body, sizeof(body), "{\"carrier\":\"sf\",\"number\":\"SF%s\"}", w->no + 5);
	snprintf(path, sizeof(path), "/api/track/orders/%s/waybill", w->no);
	api_call(&w->c, "POST", path, body, NULL, &r);
	if (r.status != 200 && r.status != 201)
		fail_msg("%s %s %s: %s waybill %ld %s", w->channel, w->business, w->kind, what,
			 r.status, r.body);
	api_free(&r);
}

/* Every move the hall's staff and the applicant make, until the order is done. */
/* Whether state is one drive stops at: the walk's stop_at names it ("a|b": either). */
static bool stops_at(const struct walk *w, const char *state)
{
	size_t n = strlen(state);

	for (const char *p = w->stop_at; p; p = strchr(p, '|') ? strchr(p, '|') + 1 : NULL)
		if (strncmp(p, state, n) == 0 && (p[n] == '\0' || p[n] == '|'))
			return true;
	return false;
}

static void drive(struct walk *w)
{
	char state[32], body[120];
	size_t o = 0;

	w->trail[0] = '\0';
	for (int moves = 0; moves < MAX_MOVES; moves++) {
		json_t *amount;

		state_of(w, state, &amount);
		o += (size_t)snprintf(w->trail + o, sizeof(w->trail) - o, "%s%s", o ? ">" : "",
				      state);
		if (strcmp(state, "done") == 0 || stops_at(w, state)) {
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
			parcel_sent(w, "paper");
			staff(&rev, w, "paper-received", NULL);
		} else if (strcmp(state, "awaiting_key") == 0) {
			/* 002 损坏补办: the old key sent in; its inspection finds a quality defect. */
			parcel_sent(w, "key");
			staff(&rev, w, "inspection", ",\"result\":\"defect\"");
		} else if (strcmp(state, "reviewing") == 0 || strcmp(state, "paper_review") == 0) {
			staff(&rev, w, "decision", ",\"decision\":\"approve\"");
		} else if (strcmp(state, "approved") == 0) {
			char *made, fin[16];

			/* 001: made once the 0.01 transfer of the approval is credited. */
			fin_credit(w);
			fin_settled(w, fin);
			if (fin[0] && strcmp(fin, "credited") != 0)
				fail_msg("%s %s %s: the financial check is %s (%s)", w->channel,
					 w->business, w->kind, fin, w->trail);
			made = made_members(w);

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
	const char *addr = wiz_str(json_object_get(ch, "counter"), "address");

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
		if (strcmp(wiz_str(c, "code"), code) == 0)
			ch = c;
	assert_non_null(ch);
	json_array_foreach(json_object_get(ch, "businesses"), bi, b) {
		json_t *k;
		size_t ki;

		json_array_foreach(json_object_get(b, "kinds"), ki, k) {
			struct walk *w = new_walk(code, wiz_str(b, "code"), wiz_str(k, "code"),
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
		if (strcmp(wiz_str(c, "channel"), w->channel) == 0)
			snprintf(serial, 41, "%s", wiz_str(c, "serial"));
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
			by_rule |= strcmp(wiz_str(e, "kind"), "approved") == 0 &&
				   strcmp(wiz_str(e, "actor"), "system") == 0 &&
				   strstr(wiz_str(e, "note"), "系统自动审核") != NULL;
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
	assert_string_equal(wiz_str(json_object_get(r.json, "paper_to"), "recipient"),
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
	char email[64], text[600], needle[64], extra[160], *body;
	struct api_resp r;
	json_t *j;

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

	/* 001 "* 发票抬头 发票名称请完整填写": asked for with the invoice, and the title the applicant
	 * wrote is the invoice's. */
	w = new_walk("szca", "new", "org", "wechat");
	applicant(w, extra);
	wiz_create(&w->c, w->channel, w->business, w->kind, NULL, w->no);
	j = json_loads(wiz_step_json("product", ORG, w->mobile, NULL), 0, NULL);
	assert_non_null(j);
	json_object_del(j, "invoice_title");
	body = json_dumps(j, JSON_COMPACT);
	wiz_put(&w->c, w->no, "product", body, &r);
	api_expect_error(&r, 400, "missing_field");
	assert_string_equal(api_error_field(&r), "invoice_title");
	api_free(&r);
	free(body);
	json_decref(j);
	free(w);
	w = new_walk("szca", "new", "org", "wechat");
	w->invoice_title = "测试示范有限公司深圳分公司";
	walk(w);
	invoiced(w, w->mobile, "介质服务费");
	invoiced(w, "handler@example.com", "发票抬头：测试示范有限公司深圳分公司");
	free(w);

	/* 000 "发票抬头默认为证书申请单位，不可修改": a title written at 002 is not taken. */
	w = new_walk("bjca-zycg", "new", "org", "wechat");
	snprintf(email, sizeof(email), "invoice%ld@example.com", random() % 1000000000);
	w->invoice_email = email;
	w->invoice_title = "别家公司";
	walk(w);
	invoiced(w, email, "发票抬头：" ORG "\n");
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

/* The review time each hall promises in its texts: 003 "网证通人员会在3个工作日内审核" and "我司收件后,
 * 3个工作日内办结"; 004 prints none ("我们将在大约2个工作日制作证书" is the making, not the review), so
 * its catalog, its submitted and paper-received messages name no days. */
static void test_review_time_per_hall(void **state)
{
	struct walk *w;
	char text[600], needle[64];
	struct api_resp r;
	json_t *ch;

	(void)state;
	api_get("/api/wizard/catalog", &r);
	assert_int_equal(r.status, 200);
	ch = json_object_get(r.json, "channels");
	for (size_t i = 0; i < json_array_size(ch); i++) {
		json_t *c = json_array_get(ch, i);
		const char *code = json_string_value(json_object_get(c, "code"));

		if (strcmp(code, "jxca-js") == 0)
			assert_true(json_is_null(json_object_get(c, "review_days_min")) &&
				    json_is_null(json_object_get(c, "review_days_max")));
		if (strcmp(code, "netca-gd") == 0)
			assert_int_equal(json_integer_value(json_object_get(c, "review_days_max")), 3);
	}
	api_free(&r);

	w = new_walk("jxca-js", "lost", "org", "wechat");
	w->stop_at = "paper_review";
	walk(w);
	snprintf(needle, sizeof(needle), "%s（遗失补办）已提交", w->no);
	message_with(w->mobile, needle, text, sizeof(text));
	if (!text[0] || strstr(text, "个工作日"))
		fail_msg("jxca-js submitted: %s", text[0] ? text : "(no message)");
	snprintf(needle, sizeof(needle), "%s纸质材料已签收", w->no);
	message_with(w->mobile, needle, text, sizeof(text));
	if (!text[0] || strstr(text, "个工作日"))
		fail_msg("jxca-js paper received: %s", text[0] ? text : "(no message)");
	free(w);

	w = new_walk("netca-gd", "new", "org", "alipay");
	w->stop_at = "paper_review";
	walk(w);
	snprintf(needle, sizeof(needle), "%s（新办）已提交", w->no);
	message_with(w->mobile, needle, text, sizeof(text));
	if (!strstr(text, "3个工作日内完成审核"))
		fail_msg("netca-gd submitted: %s", text[0] ? text : "(no message)");
	snprintf(needle, sizeof(needle), "%s纸质材料已签收", w->no);
	message_with(w->mobile, needle, text, sizeof(text));
	if (!strstr(text, "3个工作日内完成审核"))
		fail_msg("netca-gd paper received: %s", text[0] ? text : "(no message)");
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
	assert_null(strstr(r.body, "\"handler_id\""));
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
				if (strcmp(wiz_str(m, "kind"), "authorisation_letter") == 0 ||
				    strcmp(wiz_str(m, "kind"), "handler_id") == 0)
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
	assert_non_null(strstr(r.body, "\"handler_id\""));
	assert_non_null(strstr(r.body, "authorisation_letter"));
	api_free(&r);
	free(b);
}

/* The account's certificate of serial in "my certificates". */
static json_t *my_cert(struct walk *w, const char *serial, struct api_resp *r)
{
	json_t *c;
	size_t i;

	api_call(&w->c, "GET", "/api/wizard/certs", NULL, NULL, r);
	assert_int_equal(r->status, 200);
	json_array_foreach(json_object_get(r->json, "certificates"), i, c)
		if (strcmp(wiz_str(c, "serial"), serial) == 0)
			return c;
	fail_msg("certificate %s not listed: %.300s", serial, r->body);
	return NULL;
}

static bool needs(json_t *missing, const char *material)
{
	size_t i;
	json_t *m;

	json_array_foreach(missing, i, m)
		if (strcmp(wiz_str(m, "material"), material) == 0)
			return true;
	return false;
}

/* ---- 001 金融认证 after approval */

/* How the sandbox's bank takes transfers to account: fail (收款行退回) or clear. */
static void script_account(const char *account, const char *outcome)
{
	char body[120];
	struct api_resp r;

	snprintf(body, sizeof(body), "{\"key\":\"%s\",\"outcome\":\"%s\"}", account, outcome);
	api_post_json("/sandbox/verify/script", body, &r);
	assert_int_equal(r.status, 200);
	api_free(&r);
}

/* The applicant's view of the order once it is in want (waiting up to 10 s). */
static void wait_state(struct walk *w, const char *want, struct api_resp *r)
{
	char state[32];

	for (int i = 0; i < 200; i++) {
		if (i)
			usleep(50 * 1000);
		wiz_order(&w->c, w->no, state, r);
		if (strcmp(state, want) == 0)
			return;
		api_free(r);
	}
	fail_msg("%s: never %s (last %s)", w->no, want, state);
}

/* 003 "证书已过有效期的，需要准备资料线下办理，可以快递或者现场办理": an expired certificate's renewal is
 * offered, mailed and reviewed when its paper has come ("快递办理请预留足够的时间，必须等纸质资料寄达，
 * 并且汇款到账才能办理"), with "三、申请材料": "2)企业提供“三证合一”《营业执照副本》……复印件一份，需加盖
 * 公章", "3)经办人身份证复印件一份", "4)法人代表数字证书须提供申请人本人身份证复印件一份"; walked from a
 * fresh account to done, for an organisation's certificate and a legal representative's. */
static void test_netca_expired_renewal_by_mail(void **state)
{
	static const char *const kinds[] = { "org", "legal_rep" };

	(void)state;
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		struct walk *w = new_walk("netca-gd", "renew", kinds[k], "alipay");
		char extra[160], serial[41], state_now[32];
		struct api_resp r, o;
		json_t *c;

		w->cert_days = -20; /* expired 20 days ago: 002 would still renew it online */
		applicant(w, extra);
		snprintf(serial, sizeof(serial), "%.16s", strstr(extra, "\"cert_serial\":\"") + 15);
		c = my_cert(w, serial, &r);
		assert_string_equal(wiz_str(c, "state"), "expired");
		assert_string_equal(wiz_str(c, "renewal"), "review");
		assert_true(json_is_true(json_object_get(c, "renewal_paper_mail")));
		assert_true(has(json_object_get(c, "businesses"), "renew"));
		api_free(&r);
		wiz_create(&w->c, w->channel, w->business, w->kind, extra, w->no);
		wiz_order(&w->c, w->no, state_now, &o);
		assert_string_equal(wiz_str(o.json, "renew_mode"), "review");
		assert_true(json_is_true(json_object_get(o.json, "paper_mail")));
		/* "收 件 人:蔡先生": the hall's own paper address. */
		assert_string_equal(wiz_str(json_object_get(o.json, "paper_to"), "recipient"), "蔡先生");
		/* And what goes in the parcel besides the scans: "5)需要续期的电子密匙(数字证书存储介质，
		 * 外型像U盘)", "6)汇款凭证复印件一份". */
		assert_non_null(strstr(wiz_str(json_object_get(o.json, "paper_to"), "items"), "5)需要续期的电子密匙"));
		assert_non_null(strstr(wiz_str(json_object_get(o.json, "paper_to"), "items"), "6)汇款凭证复印件一份"));
		api_free(&o);
		/* Its materials are 003's, once the steps are saved. */
		{
			struct wiz_opts opts = { .account_no = w->account };

			wiz_fill_opts(&w->c, w->no, ORG, w->mobile, &opts);
		}
		wiz_order(&w->c, w->no, NULL, &o);
		assert_true(needs(json_object_get(o.json, "materials_missing"), "application_form"));
		assert_true(needs(json_object_get(o.json, "materials_missing"), "business_licence"));
		assert_true(needs(json_object_get(o.json, "materials_missing"), "handler_id"));
		assert_int_equal(needs(json_object_get(o.json, "materials_missing"), "applicant_id"),
				 strcmp(w->kind, "legal_rep") == 0);
		api_free(&o);
		sign_order(w);
		drive(w);
		if (!strstr(w->trail, "pending_payment>awaiting_paper>paper_review>done"))
			fail_msg("netca expired renewal %s: %s", w->kind, w->trail);
		/* Renewed: valid again. */
		c = my_cert(w, serial, &r);
		assert_string_equal(wiz_str(c, "state"), "valid");
		api_free(&r);
		printf("# netca-gd renew   %-9s expired: %s\n", w->kind, w->trail);
		free(w);
	}
}

/* 003 "证书过期前90天内，可以通过网证通安全客户端……申请续期……支付后，系统自动审核": a renewal inside
 * its window stays online: no paper, no scans, done once paid. */
static void test_netca_renewal_in_window_online(void **state)
{
	struct walk *w = new_walk("netca-gd", "renew", "org", "alipay");
	char extra[160];
	struct api_resp o;

	(void)state;
	w->cert_days = 30;
	applicant(w, extra);
	wiz_create(&w->c, w->channel, w->business, w->kind, extra, w->no);
	wiz_order(&w->c, w->no, NULL, &o);
	assert_string_equal(wiz_str(o.json, "renew_mode"), "online");
	assert_false(json_is_true(json_object_get(o.json, "paper_mail")));
	assert_null(json_object_get(o.json, "paper_to"));
	assert_int_equal(json_array_size(json_object_get(o.json, "materials_missing")), 0);
	api_free(&o);
	sign_order(w);
	drive(w);
	if (strstr(w->trail, "paper") || !strstr(w->trail, "done"))
		fail_msg("netca renewal in its window: %s", w->trail);
	free(w);
}

/* The review detail's fin_check once its transfer went out (state "sent"): its ref. */
static void fin_sent(struct walk *w, char ref[80])
{
	char state[16];
	bool made;

	for (int i = 0; i < 200; i++) {
		if (i)
			usleep(50 * 1000);
		fin_check_now(w, state, ref, &made);
		if (strcmp(state, "sent") == 0) {
			/* Not made before the bank credits the transfer. */
			assert_false(made);
			return;
		}
	}
	fail_msg("%s: the financial check's transfer was never sent", w->no);
}

/* The sandbox bank's word on a transfer still sent: what the console's buttons send. */
static void bank_decides(const char *ref, const char *outcome)
{
	char path[160], body[64];
	struct api_resp r;

	snprintf(path, sizeof(path), "/sandbox/verify/transfers/%s/complete", ref);
	snprintf(body, sizeof(body), "{\"outcome\":\"%s\"}", outcome);
	api_post_json(path, body, &r);
	if (r.status != 200)
		fail_msg("complete %s: %ld %s", ref, r.status, r.body);
	api_free(&r);
}

/* 金融认证失败 as the applicant sees it, with the action 金融认证 and nothing else to redo. */
static void fin_failed(struct walk *w)
{
	struct api_resp r;

	wait_state(w, "verify_failed", &r);
	assert_string_equal(wiz_str(r.json, "state_name"), "金融认证失败");
	assert_true(wiz_listed(json_object_get(r.json, "actions"), "fin_check"));
	assert_false(wiz_listed(json_object_get(r.json, "actions"), "cancel"));
	assert_false(wiz_listed(json_object_get(r.json, "actions"), "redo_verification"));
	assert_string_equal(wiz_str(json_object_get(r.json, "fin_check"), "state"), "failed");
	api_free(&r);
}

/* 金融认证: the basic account entered again (POST .../fin-check), answered approved. */
/* twice: submit the form again at once, as a double click would (only where the bank waits:
 * an account scripted to fail returns the new transfer right after the answer, and the order
 * can be 金融认证失败 again before the second click lands). */
static void fin_resubmit(struct walk *w, const char *account, bool twice)
{
	char path[160], body[400];
	struct api_resp r;

	snprintf(path, sizeof(path), "/api/wizard/orders/%s/fin-check", w->no);
	snprintf(body, sizeof(body),
		 "{\"account_name\":\"%s\",\"bank\":\"中国工商银行深圳科技园支行\",\"account_no\":\"%s\"}",
		 ORG, account);
	api_call(&w->c, "POST", path, body, NULL, &r);
	if (r.status != 200)
		fail_msg("%s: fin-check %ld %s", w->no, r.status, r.body);
	assert_string_equal(wiz_str(r.json, "state"), "approved");
	api_free(&r);
	if (!twice)
		return;
	/* Submitted twice: the first one stands. */
	api_call(&w->c, "POST", path, body, NULL, &r);
	api_expect_error(&r, 409, "wrong_state");
	api_free(&r);
}

/* 001 "若使用微信支付，深圳 CA 审核成功后 SZCA 将向申请单位对公账户打款 0.01 元，并下发证书 PIN 码，请
 * 及时向贵单位财务索取证书 PIN 码。" The account is only recorded before signing; the approval
 * sends the transfer; the receiving bank returns it: 金融认证失败, and "进入个人中心—我的业务单—证书
 * 申请，找到对应的申请单，点击“金融认证”按钮，重新填写正确的单位基本账户信息后点击“提交”即可。" A wrong
 * account again (refused at once), then the right one: "如申请资料审核通过且金融认证通过，则申请单状态
 * 显示“成功受理”", the key made with the memo's PIN (no PIN SMS), shipped and delivered. */
static void test_szca_fin_check_after_approval(void **state)
{
	struct walk *w = new_walk("szca", "new", "org", "wechat");
	char extra[160], wrong[20], account[20], memo[16], first[16], again[16], path[160];
	char body[400], text[600], ref[80], fin_state[16];
	struct api_resp r;

	(void)state;
	applicant(w, extra);
	wiz_create(&w->c, w->channel, w->business, w->kind, NULL, w->no);
	/* The sandbox bank waits for a developer's (here: the test's) word on this account. */
	script_account(w->account, "wait");
	sign_order(w);
	/* Verified without a transfer: nothing went to the account before the approval. */
	wiz_order(&w->c, w->no, NULL, &r);
	assert_non_null(strstr(r.body, "审核通过后"));
	assert_true(json_is_null(json_object_get(r.json, "fin_check")));
	api_free(&r);
	wiz_statement_memo(w->account, memo);
	assert_string_equal(memo, "");
	w->stop_at = "reviewing";
	drive(w);
	staff(&rev, w, "decision", ",\"decision\":\"approve\"");

	/* Sent: 审核通过，金融认证中; the memo on the statement is the PIN. Then returned. */
	fin_sent(w, ref);
	wiz_order(&w->c, w->no, NULL, &r);
	assert_string_equal(wiz_str(r.json, "state_name"), "审核通过，金融认证中");
	api_free(&r);
	wiz_statement_memo(w->account, first);
	assert_int_equal(strlen(first), 6);
	bank_decides(ref, "failed");
	fin_failed(w);
	message_with(w->mobile, "金融认证失败", text, sizeof(text));
	if (!text[0])
		fail_msg("%s: no SMS of the failed financial check", w->no);
	/* The signed steps stay as signed: only the account, through 金融认证. */
	wiz_put(&w->c, w->no, "financial", wiz_step_json("financial", ORG, w->mobile, NULL), &r);
	assert_int_not_equal(r.status, 200);
	api_free(&r);
	snprintf(path, sizeof(path), "/api/wizard/orders/%s/fin-check", w->no);
	snprintf(body, sizeof(body),
		 "{\"account_name\":\"别家公司\",\"bank\":\"中国工商银行深圳科技园支行\","
		 "\"account_no\":\"%s\"}", w->account);
	api_call(&w->c, "POST", path, body, NULL, &r);
	api_expect_error(&r, 400, "invalid_field");
	api_free(&r);

	/* Another wrong account: the bank refuses the transfer at once. */
	wiz_random_account(wrong);
	script_account(wrong, "fail");
	fin_resubmit(w, wrong, false);
	fin_failed(w);

	/* 重新填写正确的单位基本账户信息: a new transfer with a new PIN; credited: 成功受理. */
	wiz_random_account(account);
	script_account(account, "wait");
	fin_resubmit(w, account, true);
	/* The enterprise check stands for the account as entered again, not for a stale one. */
	snprintf(path, sizeof(path), "/api/wizard/orders/%s/verify/enterprise", w->no);
	api_call(&w->c, "GET", path, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	if (!json_is_true(json_object_get(json_object_get(r.json, "verification"), "current")))
		fail_msg("%s: the enterprise check reads stale after 金融认证: %s", w->no, r.body);
	api_free(&r);
	fin_sent(w, ref);
	wiz_statement_memo(account, memo);
	assert_int_equal(strlen(memo), 6);
	assert_string_not_equal(memo, first);
	bank_decides(ref, "credited");
	fin_settled(w, fin_state);
	assert_string_equal(fin_state, "credited");
	wiz_order(&w->c, w->no, NULL, &r);
	assert_string_equal(wiz_str(r.json, "state_name"), "成功受理");
	/* The PIN is on the bank statement only: never in the hall's answers. */
	assert_null(strstr(r.body, memo));
	api_free(&r);
	/* The public look-up says so too. */
	snprintf(body, sizeof(body), "{\"order_no\":\"%s\",\"mobile_tail\":\"%s\"}", w->no,
		 w->mobile + 7);
	api_post_json("/api/track/order", body, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(wiz_str(json_object_get(r.json, "order"), "state_name"), "成功受理");
	assert_null(strstr(r.body, memo));
	api_free(&r);
	snprintf(path, sizeof(path), "/api/review/orders/%s", w->no);
	api_call(&shp, "GET", path, NULL, NULL, &r);
	assert_null(strstr(r.body, memo));
	assert_string_equal(wiz_str(r.json, "pin_source"), "transfer_memo");
	assert_true(wiz_listed(json_object_get(r.json, "actions"), "made"));
	api_free(&r);

	w->stop_at = NULL;
	drive(w);
	if (!strstr(w->trail, "approved>making>shipped>done"))
		fail_msg("%s: %s", w->no, w->trail);
	/* The PIN rode in the memo: no PIN by SMS. */
	message_with(w->mobile, "证书PIN码为", text, sizeof(text));
	assert_string_equal(text, "");
	wiz_statement_memo(account, again);
	assert_string_equal(again, memo);
	script_account(w->account, "clear");
	script_account(wrong, "clear");
	script_account(account, "clear");
	free(w);
}

/* The bank's gateway down when the approval sends the transfer: the order waits, 金融认证中,
 * and certhall-admin fin-checks (cron, or the daemon of make run) sends it once it is back. */
static void test_szca_fin_check_retried(void **state)
{
	struct walk *w = new_walk("szca", "new", "org", "alipay");
	char extra[160], cmd[600], out[600], ref[80], fin_state[16];
	struct api_resp r;
	bool sent = false;

	(void)state;
	applicant(w, extra);
	wiz_create(&w->c, w->channel, w->business, w->kind, NULL, w->no);
	sign_order(w);
	script_account(w->account, "unavailable");
	w->stop_at = "reviewing";
	drive(w);
	staff(&rev, w, "decision", ",\"decision\":\"approve\"");
	usleep(1500 * 1000);
	wiz_order(&w->c, w->no, NULL, &r);
	assert_string_equal(wiz_str(r.json, "state"), "approved");
	assert_string_equal(wiz_str(r.json, "state_name"), "审核通过，金融认证中");
	assert_string_equal(wiz_str(json_object_get(r.json, "fin_check"), "state"), "queued");
	api_free(&r);
	/* That read asked again after its answer (the gateway still down); then only the pass. */
	usleep(500 * 1000);
	script_account(w->account, "clear");
	for (int i = 0; i < 40 && !sent; i++) {
		if (i)
			usleep(500 * 1000);
		snprintf(cmd, sizeof(cmd), "'%s' -c '%s' fin-checks 2>&1", api_admin(),
			 getenv("CERTHALL_CONF"));
		assert_int_equal(wiz_run(cmd, out, sizeof(out)), 0);
		sent = strstr(out, "sent 1") != NULL;
	}
	if (!sent)
		fail_msg("%s: fin-checks never sent the transfer: %s", w->no, out);
	fin_sent(w, ref);
	bank_decides(ref, "credited");
	fin_settled(w, fin_state);
	assert_string_equal(fin_state, "credited");
	w->stop_at = NULL;
	drive(w);
	free(w);
}

/* A basic account that cannot take the 0.01 transfer: 001's 我的业务单 操作 "编辑 申请退费 查看详情"
 * gives the paid order back its money instead of holding it at 金融认证失败 forever. */
static void test_szca_fin_failed_refund(void **state)
{
	struct walk *w = new_walk("szca", "new", "org", "wechat");
	char extra[160], path[160];
	struct api_resp r;
	json_t *a;

	(void)state;
	applicant(w, extra);
	wiz_create(&w->c, w->channel, w->business, w->kind, NULL, w->no);
	script_account(w->account, "fail");
	sign_order(w);
	/* The transfer fails in the background: the order can be 金融认证失败 before drive looks. */
	w->stop_at = "approved|verify_failed";
	drive(w);
	fin_failed(w);
	wiz_order(&w->c, w->no, NULL, &r);
	a = json_object_get(r.json, "actions");
	assert_true(wiz_listed(a, "fin_check") && wiz_listed(a, "refund"));
	api_free(&r);
	snprintf(path, sizeof(path), "/api/wizard/orders/%s/refund", w->no);
	api_call(&w->c, "POST", path, "{\"reason\":\"基本户无法接收打款\"}", NULL, &r);
	assert_int_equal(r.status, 200);
	api_free(&r);
	wait_state(w, "refunding", &r);
	api_free(&r);
	staff(&fnc, w, "refund", NULL);
	wait_state(w, "refunded", &r);
	api_free(&r);
	free(w);
}

/* Only an order that mails a key is checked by the transfer after approval (its memo carries
 * the key's PIN): a revocation at 001 proves the basic account by the transfer before it is
 * signed ("认证方式 ● 银行金融认证"), or it would finish with the organisation proven by nothing. */
static void test_szca_revocation_checks_account_first(void **state)
{
	struct walk *w = new_walk("szca", "revoke", "org", "wechat");
	char extra[160], memo[16];

	(void)state;
	applicant(w, extra);
	wiz_create(&w->c, w->channel, w->business, w->kind, extra, w->no);
	sign_order(w);
	wiz_statement_memo(w->account, memo);
	assert_int_equal(strlen(memo), 6);
	drive(w);
	if (!strstr(w->trail, "done"))
		fail_msg("szca revocation: %s", w->trail);
	free(w);
}

/* 001's 补办 costs nothing ("补办费用:	0.00元") and its guide still goes "使用微信支付，则深圳CA审核成功后
 * SZCA将向申请单位对公账户打款0.01元，并下发证书PIN码": with no payment to choose a method, the
 * approval still sends the transfer with the PIN in its memo, and the key is made only once it
 * is credited (before, the PIN was promised to the memo and sent nowhere). */
static void test_szca_free_replacement_pin_in_memo(void **state)
{
	struct walk *w = new_walk("szca", "lost", "org", "wechat");
	char extra[160], memo[16], ref[80], fin_state[16], path[160];
	struct api_resp r;

	(void)state;
	applicant(w, extra);
	wiz_create(&w->c, w->channel, w->business, w->kind, extra, w->no);
	script_account(w->account, "wait");
	sign_order(w);
	w->stop_at = "approved";
	drive(w);
	if (strstr(w->trail, "pending_payment"))
		fail_msg("szca lost is free, yet it asked payment: %s", w->trail);
	wiz_order(&w->c, w->no, NULL, &r);
	assert_string_equal(wiz_str(r.json, "pin_delivery"), "transfer_memo");
	api_free(&r);
	fin_sent(w, ref);
	wiz_statement_memo(w->account, memo);
	assert_int_equal(strlen(memo), 6);
	snprintf(path, sizeof(path), "/api/review/orders/%s/fin-check/pin", w->no);
	/* Not before the bank credited it, and never to a reviewer. */
	api_call(&shp, "GET", path, NULL, NULL, &r);
	api_expect_error(&r, 409, "wrong_state");
	api_free(&r);
	bank_decides(ref, "credited");
	fin_settled(w, fin_state);
	assert_string_equal(fin_state, "credited");
	api_call(&rev, "GET", path, NULL, NULL, &r);
	assert_int_equal(r.status, 403);
	api_free(&r);
	/* The maker sets on the token the PIN the memo carried to the organisation's finance. */
	api_call(&shp, "GET", path, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(wiz_str(r.json, "pin"), memo);
	assert_non_null(strstr(r.headers, "no-store"));
	api_free(&r);
	w->stop_at = NULL;
	drive(w);
	if (!strstr(w->trail, "done"))
		fail_msg("szca free replacement: %s", w->trail);
	/* Served: the sealed copy is gone once the key was made. */
	api_call(&shp, "GET", path, NULL, NULL, &r);
	api_expect_error(&r, 409, "wrong_state");
	api_free(&r);
	free(w);
}

/* "如付款方式选择公对公转账，机构证书PIN码将通过短信方式发至经办人手机号码": no 0.01 check after the
 * approval, and the PIN the token tool set goes to the handler by SMS. */
static void test_szca_paid_by_transfer(void **state)
{
	struct walk *w = new_walk("szca", "new", "org", "transfer");
	char extra[160], fin_state[16], text[600], *made;
	struct api_resp r;

	(void)state;
	applicant(w, extra);
	wiz_create(&w->c, w->channel, w->business, w->kind, NULL, w->no);
	sign_order(w);
	wiz_pay(&w->c, w->no, "transfer", &r);
	assert_int_equal(r.status, 201);
	api_free(&r);
	staff(&fnc, w, "payment/confirm", NULL);
	w->stop_at = "approved";
	drive(w);
	fin_settled(w, fin_state);
	assert_string_equal(fin_state, "");
	made = made_members(w);
	staff(&shp, w, "made", made);
	free(made);
	message_with(w->mobile, "证书PIN码为" WIZ_TOKEN_PIN, text, sizeof(text));
	if (!text[0])
		fail_msg("%s: no PIN by SMS to the handler", w->no);
	w->stop_at = NULL;
	drive(w);
	free(w);
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
		cmocka_unit_test(test_cecep),
		cmocka_unit_test(test_szca),
		cmocka_unit_test(test_bjca),
		cmocka_unit_test(test_netca),
		cmocka_unit_test(test_jxca),
		cmocka_unit_test(test_netca_unlock_by_previous_handler),
		cmocka_unit_test(test_jxca_paper_sent_again),
		cmocka_unit_test(test_bjca_seal_change_by_mail),
		cmocka_unit_test(test_invoices),
		cmocka_unit_test(test_review_time_per_hall),
		cmocka_unit_test(test_jxca_uploads_wait_for_face),
		cmocka_unit_test(test_szca_form_and_scans),
		cmocka_unit_test(test_netca_expired_renewal_by_mail),
		cmocka_unit_test(test_netca_renewal_in_window_online),
		cmocka_unit_test(test_szca_fin_check_after_approval),
		cmocka_unit_test(test_szca_paid_by_transfer),
		cmocka_unit_test(test_szca_free_replacement_pin_in_memo),
		cmocka_unit_test(test_szca_revocation_checks_account_first),
		cmocka_unit_test(test_szca_fin_failed_refund),
		cmocka_unit_test(test_szca_fin_check_retried),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
