/* wizard: POST /api/wizard/orders/:no/verify/:subject: a check of the saved data started at
 * the gateway, and what it says recorded (DOMAIN.md "The wizard" 2-3). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cidr.h"
#include "base/log.h"
#include "domain/ratelimit.h"
#include "domain/verifymemo.h"
#include "verify_subject.h"

#define STARTS_LIMIT 10     /* checks started per order and sliding hour: a bank charges each */
#define SMS_EVENT "verify_face" /* message template of the face link (schema/seed) */
/* What the applicant reads of a basic account recorded for the check after approval (001). */
#define FIN_LATER "已登记单位基本户信息。审核通过后，微信或支付宝付款的订单将向该账户打款 0.01 元进行金融认证，" \
	"证书PIN码以转账附言发送至该账户，请向贵单位财务人员获取；公对公转账付款的订单无需金融认证，PIN码以短信发送。"

static const char sql_stamp[] =
	"SELECT COALESCE(MAX(updated_at), '') FROM order_steps WHERE order_id = ? AND step IN (?, ?)";
static const char sql_insert[] =
	"INSERT INTO verifications (order_id, subject, method, provider_ref, state, link, message, "
	"created_at, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, NOW(3), IF(? = 'pending', NULL, NOW(3)))";
static const char sql_template[] =
	"SELECT COUNT(*) FROM message_templates WHERE channel = 'sms' AND event = ?";

/* ------------------------------------------------------------------- what is checked */

static const char *step_zh(enum wizard_step s)
{
	switch (s) {
	case STEP_AGREEMENTS: return "服务协议与个人信息授权";
	case STEP_ENTERPRISE: return "企业信息";
	case STEP_HANDLER: return "经办人信息";
	case STEP_FINANCIAL: return "对公账户信息";
	default: return "";
	}
}

/* An element of verify.h, where the wizard keeps it, and its name for people. */
struct element {
	const char *element, *field, *zh_lr, *zh_handler;
	enum wizard_step step; /* STEP__COUNT: the subject's own step */
};

static const struct element elements[] = {
	{ "method", "method", "企业核验方式", "经办人核验方式", STEP__COUNT },
	{ "name", "name", "法定代表人姓名", "经办人姓名", STEP__COUNT },
	{ "id_number", "id_number", "法定代表人身份证号码", "经办人身份证号码", STEP__COUNT },
	{ "mobile", "mobile", "法定代表人手机号码", "经办人手机号码", STEP__COUNT },
	{ "bank_card", "bank_card", "法定代表人银行卡号（12 至 19 位数字）", "经办人银行卡号（12 至 19 位数字）",
	  STEP__COUNT },
	{ "org_name", "org_name", "单位名称", "单位名称", STEP__COUNT },
	{ "uscc", "uscc", "统一社会信用代码", "统一社会信用代码", STEP__COUNT },
	{ "account_name", "account_name", "对公账户户名（须与单位名称一致）", "", STEP_FINANCIAL },
	{ "account_no", "account_no", "对公账户账号", "", STEP_FINANCIAL },
	{ "bank", "bank", "开户银行", "", STEP_FINANCIAL },
};

/* 409 step_incomplete naming the step and what in it is missing or malformed. */
static int incomplete(struct req *r, const struct subject *s, const char *element)
{
	const struct element *e = NULL;
	enum wizard_step step;
	const char *field;

	for (size_t i = 0; i < sizeof(elements) / sizeof(elements[0]); i++)
		if (strcmp(elements[i].element, element) == 0)
			e = &elements[i];
	if (!e)
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	step = e->step == STEP__COUNT ? s->step : e->step;
	field = e->field;
	/* The enterprise step holds the legal representative's elements under lr_*. */
	if (step == STEP_ENTERPRISE && !str_is(field, "method") && !str_is(field, "org_name") &&
	    !str_is(field, "uscc"))
		field = arena_printf(r->arena, "lr_%s", field);
	return resp_error_with(
		r, ERR_STEP_INCOMPLETE, wizard_step_name(step),
		arena_printf(r->arena, "“%s”中的%s未填写或格式不正确，请返回该步修改并保存后再核验。",
			     step_zh(step), s->step == STEP_ENTERPRISE ? e->zh_lr : e->zh_handler),
		json_pack("{s:s, s:s?}", "step", wizard_step_name(step), "element", field));
}

static int step_missing(struct req *r, enum wizard_step step)
{
	return resp_error_with(
		r, ERR_STEP_INCOMPLETE, wizard_step_name(step),
		step == STEP_AGREEMENTS
			? "请先阅读并同意服务协议和个人敏感信息处理授权，再进行身份核验。"
			: arena_printf(r->arena, "请先填写并保存“%s”一步，再进行身份核验。", step_zh(step)),
		json_pack("{s:s}", "step", wizard_step_name(step)));
}

struct start {
	struct verify_check c;
	struct channel ch;
	const char *stamp;      /* the newest save of the checked steps, read before loading them */
	char ref[2 * VERIFY_REF_BYTES + 1];
	char memo[VERIFY_MEMO_LEN + 1];
};

/* Reads the saved steps into st->c. Returns 0, or -1 answered (409 step_incomplete, ...). */
static int load_check(struct req *r, const struct order *o, const struct subject *s,
		      struct start *st)
{
	struct verify_check *c = &st->c;
	struct db_rows rows;
	json_t *agreements, *data, *fin;
	const char *missing;
	int rc;

	rc = db_query(&r->app->db, r->arena, sql_stamp,
		      DB_ARGS(DB_I64(o->id), DB_STR(s->steps[0]), DB_STR(s->steps[1])), &rows);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	st->stamp = db_cell(&rows, 0, 0);
	/* Checking a person is processing sensitive personal information: consent comes first. */
	if (wizard_step_load(r, o->id, STEP_AGREEMENTS, &agreements) < 0 ||
	    wizard_step_load(r, o->id, s->step, &data) < 0)
		return -1;
	if (!agreements)
		return step_missing(r, STEP_AGREEMENTS);
	if (!data)
		return step_missing(r, s->step);
	memset(c, 0, sizeof(*c));
	c->subject = s->code;
	c->method = order_step_str(data, "method");
	if (!verify_method_known(s->code, c->method))
		return incomplete(r, s, "method");
	if (wizard_verify_channel(r, o, c->method, &st->ch) < 0)
		return -1;
	if (!st->ch.offered)
		return resp_error(r, ERR_NOT_OFFERED, "method",
				  arena_printf(r->arena, "所选渠道不提供“%s”，请在“%s”中改选其他核验方式。",
					       verify_method_name(c->method), step_zh(s->step)));
	if (s->step == STEP_ENTERPRISE) {
		c->name = order_step_str(data, "lr_name");
		c->id_number = order_step_str(data, "lr_id_number");
		c->mobile = order_step_str(data, "lr_mobile");
		c->bank_card = order_step_str(data, "lr_bank_card");
		if (wizard_checked_org_name(r, o, order_step_str(data, "org_name"), &c->org_name) < 0)
			return -1;
		c->uscc = st->ch.uscc;
	} else {
		c->name = order_step_str(data, "name");
		c->id_number = order_step_str(data, "id_number");
		c->mobile = order_step_str(data, "mobile");
		c->bank_card = order_step_str(data, "bank_card");
	}
	if (crypto_token_hex(st->ref, sizeof(st->ref), VERIFY_REF_BYTES) < 0)
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	c->ref = st->ref;
	if (str_is(c->method, "transfer")) {
		if (wizard_step_load(r, o->id, STEP_FINANCIAL, &fin) < 0)
			return -1;
		if (!fin)
			return step_missing(r, STEP_FINANCIAL);
		c->account_name = order_step_str(fin, "account_name");
		c->account_no = order_step_str(fin, "account_no");
		c->bank = order_step_str(fin, "bank");
		/* The bank pays only into an account held in the organisation's own name (001). */
		if (!str_is(c->account_name, c->org_name))
			return incomplete(r, s, "account_name");
		verifymemo_code(&r->app->key, st->ref, st->memo);
		c->memo = st->memo;
	}
	missing = verify_missing(c);
	return missing ? incomplete(r, s, missing) : 0;
}

/* -------------------------------------------------------------------- the outcome */

struct record {
	struct req *r;
	const struct order *o;
	const struct subject *s;
	const struct start *st;
	const struct verify_result *res;
	const char *message;    /* masked */
	bool sms;               /* face link wanted by SMS */
	enum err_code refused;
	const char *why;
	enum order_state after;
	bool sms_sent;
};

/* The face link by SMS, when the template exists (schema/seed/templates.sql). */
static int send_link(struct db *db, struct record *x)
{
	struct db_rows rows;
	json_t *params;
	int rc;

	if (!x->sms || !x->res->link[0] || !x->st->c.mobile[0])
		return DB_OK;
	rc = db_query(db, x->r->arena, sql_template, DB_ARGS(DB_STR(SMS_EVENT)), &rows);
	if (rc != DB_OK || strtol(db_cell(&rows, 0, 0), NULL, 10) == 0)
		return rc;
	params = json_pack("{s:s, s:s}", "order_no", x->o->no, "link", x->res->link);
	if (!params)
		return DB_ERR;
	rc = app_outbox_add(x->r, "sms", SMS_EVENT, x->st->c.mobile, params, x->o->id);
	json_decref(params);
	x->sms_sent = rc == DB_OK;
	return rc;
}

static int record_tx(struct db *db, void *p)
{
	struct record *x = p;
	struct req *r = x->r;
	struct locked lk;
	struct db_rows rows;
	int rc;

	x->refused = ERR__COUNT;
	x->sms_sent = false;
	rc = wizard_verify_lock(db, r, x->o->id, &lk);
	if (rc != DB_OK)
		return rc;
	if (!wizard_verify_startable(x->o, lk.state, lk.editable, lk.mail_in, x->s, r, &x->why)) {
		x->refused = ERR_WRONG_STATE;
		return DB_ERR;
	}
	/* The data checked must still be what is saved. */
	rc = db_query(db, r->arena, sql_stamp,
		      DB_ARGS(DB_I64(x->o->id), DB_STR(x->s->steps[0]), DB_STR(x->s->steps[1])),
		      &rows);
	if (rc != DB_OK)
		return rc;
	if (!str_is(db_cell(&rows, 0, 0), x->st->stamp)) {
		x->refused = ERR_CONFLICT;
		x->why = "核验期间资料已被修改，请确认资料后重新发起核验。";
		return DB_ERR;
	}
	rc = db_exec(db, sql_insert,
		     DB_ARGS(DB_I64(x->o->id), DB_STR(x->s->code), DB_STR(x->st->c.method),
			     DB_STR(x->st->ref), DB_STR(wizard_verify_state_code(x->res->state)),
			     DB_STR(x->res->link), DB_STR(x->message),
			     DB_STR(wizard_verify_state_code(x->res->state))),
		     NULL, NULL);
	if (rc == DB_OK)
		rc = wizard_verify_settle(db, r, x->o->id, x->s, x->st->c.method, &lk,
					  x->res->state, x->message, &x->after);
	if (rc == DB_OK && x->res->state == VERIFY_PENDING)
		rc = send_link(db, x);
	return rc;
}

/* The limits a check's start counts against, the order's own first. An order costs nothing
 * to open, so its own limit is not enough: the account's, the subject's and the client
 * address's are [verify] per_* (conf.h says why those). Returns 1 allowed, or -1 answered
 * (429 rate_limited with Retry-After, or the database's error). */
static int starts_allowed(struct req *r, const struct order *o)
{
	const struct conf *c = &r->app->conf;
	const char *addr = r->remote_addr ? r->remote_addr : "";
	bool trusted = cidr_match(&c->trusted, addr);
	struct ratelimit_rule rules[] = {
		{ arena_printf(r->arena, "verify:o:%lld", o->id), STARTS_LIMIT, 3600 },
		{ arena_printf(r->arena, "verify:a:3600:%lld", r->auth.id), c->verify_per_account_hour,
		  3600 },
		{ arena_printf(r->arena, "verify:a:d:%lld", r->auth.id), c->verify_per_account_day,
		  RATELIMIT_DAY },
		{ o->subject_idx && o->subject_idx[0]
			  ? arena_printf(r->arena, "verify:s:d:%.64s", o->subject_idx)
			  : "",
		  c->verify_per_subject_day, RATELIMIT_DAY },
		{ arena_printf(r->arena, "verify:%s:3600:%.64s", trusted ? "t" : "ip", addr),
		  trusted ? c->verify_per_trusted_hour : c->verify_per_ip_hour, 3600 },
	};
	const char *const whats[] = {
		"本订单发起身份核验过于频繁",
		arena_printf(r->arena, "您的账号发起身份核验过于频繁（每小时 %d 次）",
			     c->verify_per_account_hour),
		arena_printf(r->arena, "您的账号今日发起身份核验的次数已达上限（每天 %d 次）",
			     c->verify_per_account_day),
		arena_printf(r->arena, "该申请主体今日发起身份核验的次数已达上限（每天 %d 次）",
			     c->verify_per_subject_day),
		"当前网络发起身份核验过于频繁",
	};

	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (!rules[i].bucket || !whats[i])
			return resp_error(r, ERR_INTERNAL, NULL, NULL);
	return wizard_limits(r, rules, whats, sizeof(rules) / sizeof(rules[0])) == 1 ? 1 : -1;
}

/* ------------------------------------------------------------------------ handlers */

static bool is_via(const char *v)
{
	return str_is(v, "sms") || str_is(v, "qr");
}

struct wizard_verify_start_in {
	const char *via;
};

static const struct req_field start_fields[] = {
	{ "via", false, 8, is_via, "刷脸验证方式应为 sms（短信发送链接）或 qr（现场扫描二维码）。",
	  offsetof(struct wizard_verify_start_in, via) },
};

/* POST .../verify/:subject [{"via": "sms" | "qr"}]: starts a check of the saved data. */
int wizard_verify_start(struct req *r)
{
	struct wizard_verify_start_in in = { 0 };
	const struct subject *s;
	struct order o;
	struct start st;
	struct verify_result res;
	struct provider p;
	struct record x;
	const char *why = NULL;
	char err[256];
	json_t *body;
	int rc;

	if (wizard_find_order(r, r->params[0], &o) < 0 || wizard_hold_free(r, &o) < 0)
		return -1;
	if (!(s = wizard_verify_subject(r->params[1])))
		return resp_error(r, ERR_NOT_FOUND, NULL, NULL);
	if (r->content_length > 0) {
		if (req_json(r, &body) < 0 || REQ_FIELDS(r, body, start_fields, &in) < 0)
			return -1;
	}
	if (!wizard_verify_startable(&o, o.state, o.editable, o.mail_in, s, r, &why))
		return resp_error(r, ERR_WRONG_STATE, NULL, why);
	if (load_check(r, &o, s, &st) < 0)
		return -1;
	/* 001: "若使用微信支付，深圳 CA 审核成功后 SZCA 将向申请单位对公账户打款 0.01 元，并下发证书
	 * PIN 码": the basic account is only recorded here (the financial step sealed it); the
	 * transfer waits for the approval (domain/fincheck.h), and paid by corporate transfer
	 * there is none. Only an order that mails a key has that check after approval: any other
	 * (a revocation, a change without a new key) proves the account by the transfer now. */
	if (str_is(st.c.method, "transfer") && st.ch.fin_after_approval && wizard_ships_key(&o)) {
		memset(&res, 0, sizeof(res));
		res.state = VERIFY_PASSED;
		x = (struct record){ .r = r, .o = &o, .s = s, .st = &st, .res = &res,
				     .message = FIN_LATER, .refused = ERR__COUNT };
		rc = db_tx(&r->app->db, record_tx, &x);
		if (rc != DB_OK)
			return x.refused != ERR__COUNT ? resp_error(r, x.refused, NULL, x.why)
						       : app_db_error(r, rc);
		return wizard_verify_answer(r, &o, s, x.after, o.mail_in, NULL);
	}
	if (starts_allowed(r, &o) < 0)
		return -1;
	verify_provider(&r->app->conf, &p);
	if (verify_start(&p, &st.c, &res, err, sizeof(err)) != VERIFY_OK) {
		log_rid(LOG_WARN, r->rid, "order %s %s check (%s): %s", o.no, s->code, st.c.method, err);
		return resp_error(r, ERR_PROVIDER, NULL,
				  "身份核验服务暂时不可用，本次未进行核验，请稍后重试。");
	}
	x = (struct record){ .r = r, .o = &o, .s = s, .st = &st, .res = &res,
			     .message = wizard_verify_masked(r, res.state == VERIFY_FAILED ? res.message
										       : ""),
			     .sms = str_is(in.via, "sms"), .refused = ERR__COUNT };
	rc = db_tx(&r->app->db, record_tx, &x);
	if (rc != DB_OK) {
		if (x.refused != ERR__COUNT)
			return resp_error(r, x.refused, NULL, x.why);
		return app_db_error(r, rc);
	}
	body = NULL;
	if (res.state == VERIFY_PENDING && verify_method_face(st.c.method))
		body = json_pack("{s:b}", "sms_sent", x.sms_sent);
	return wizard_verify_answer(r, &o, s, x.after, o.mail_in, body);
}
