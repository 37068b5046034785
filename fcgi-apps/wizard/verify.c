/* wizard: identity verification of the organisation and of the handler, and the switch to
 * mail-in after a failed one (DOMAIN.md "The wizard" 2-3; 002 2.2.2). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "crypto.h"
#include "log.h"
#include "mask.h"
#include "order.h"
#include "qr.h"
#include "ratelimit.h"
#include "verify.h"
#include "wizard.h"

/*
 * A check runs outside any transaction (a gateway may take seconds), on data read from the
 * saved steps; its outcome is recorded in one transaction that first makes sure neither the
 * order's state nor the checked steps changed meanwhile. Every attempt is a verifications
 * row. The latest row of a subject counts, and only while the steps it checked stay as they
 * were when it started (wizard_verified): passing with one handler and then saving another
 * is not passing.
 *
 * The transfer memo code is stored nowhere: it is the keyed hash (HMAC under the look-up key)
 * of the attempt's random ref, cut to 6 digits, and recomputed to compare. Without the key
 * the ref in the database says nothing about the code.
 */

#define ISO "'%Y-%m-%dT%H:%i:%s+08:00'"
#define MEMO_TRIES 5        /* wrong memo codes before the transfer check fails */
#define STARTS_LIMIT 10     /* checks started per order and window: a bank charges each */
#define STARTS_WINDOW 3600
/* An order costs nothing to open, so its own limit is not enough: the account's and the
 * client address's are [verify] per_account_day and per_ip_hour (conf.h says why those). */
#define ACCOUNT_WINDOW 86400
#define ADDRESS_WINDOW 3600
#define POLLS_LIMIT 30      /* gateway queries per order and window from status polling */
#define POLLS_WINDOW 60
#define SMS_EVENT "verify_face" /* message template of the face link (schema/seed) */

struct subject {
	const char *code, *zh;
	enum wizard_step step;
	const char *steps[2];   /* the saved steps the check reads */
};

static const struct subject subjects[] = {
	{ "enterprise", "企业身份核验", STEP_ENTERPRISE, { "enterprise", "financial" } },
	{ "handler", "经办人身份核验", STEP_HANDLER, { "handler", "handler" } },
};

static const struct subject *subject_of(const char *code)
{
	for (size_t i = 0; code && i < sizeof(subjects) / sizeof(subjects[0]); i++)
		if (strcmp(subjects[i].code, code) == 0)
			return &subjects[i];
	return NULL;
}

static bool is(const char *a, const char *b)
{
	return a && strcmp(a, b) == 0;
}

static const char sql_lock[] =
	"SELECT state, version, mail_in, editable FROM orders WHERE id = ? FOR UPDATE";
static const char sql_channel[] =
	"SELECT c.mail_in, FIND_IN_SET(?, c.verify_methods), FIND_IN_SET(?, c.handler_methods), "
	"COALESCE(a.login_name, '') FROM orders o JOIN channels c ON c.id = o.channel_id "
	"LEFT JOIN accounts a ON a.id = o.account_id WHERE o.id = ?";
static const char sql_stamp[] =
	"SELECT COALESCE(MAX(updated_at), '') FROM order_steps WHERE order_id = ? AND step IN (?, ?)";
/* current: the steps the row checked are unchanged since it started. */
#define LATEST_COLS                                                                             \
	"SELECT v.id, v.method, COALESCE(v.provider_ref, ''), v.state, v.memo_tries, v.link, "     \
	"v.message, DATE_FORMAT(v.created_at, " ISO "), "                                           \
	"COALESCE(DATE_FORMAT(v.decided_at, " ISO "), ''), "                                        \
	"v.created_at >= COALESCE((SELECT MAX(s.updated_at) FROM order_steps s "                   \
	"WHERE s.order_id = v.order_id AND s.step IN (?, IF(v.method = 'transfer', ?, ?))), "       \
	"v.created_at) "                                                                            \
	"FROM verifications v WHERE v.order_id = ? AND v.subject = ? ORDER BY v.id DESC LIMIT 1"
static const char sql_latest[] = LATEST_COLS;
static const char sql_latest_lock[] = LATEST_COLS " FOR UPDATE";
enum { L_ID, L_METHOD, L_REF, L_STATE, L_TRIES, L_LINK, L_MESSAGE, L_CREATED, L_DECIDED, L_CURRENT };
static const char sql_other[] =
	"SELECT state FROM verifications WHERE order_id = ? AND subject = ? ORDER BY id DESC LIMIT 1";
static const char sql_insert[] =
	"INSERT INTO verifications (order_id, subject, method, provider_ref, state, link, message, "
	"created_at, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, NOW(3), IF(? = 'pending', NULL, NOW(3)))";
static const char sql_settle[] =
	"UPDATE verifications SET state = ?, message = ?, decided_at = NOW(3) "
	"WHERE id = ? AND state = 'pending'";
static const char sql_tries[] = "UPDATE verifications SET memo_tries = memo_tries + 1 WHERE id = ?";
static const char sql_template[] =
	"SELECT COUNT(*) FROM message_templates WHERE channel = 'sms' AND event = ?";
static const char sql_failed_enterprise[] =
	"SELECT COUNT(*) FROM verifications WHERE order_id = ? AND subject = 'enterprise' "
	"AND state = 'failed'";
static const char sql_mail_in[] =
	"UPDATE orders SET mail_in = 1, verify_method = 'mail_in' WHERE id = ?";

/* ---------------------------------------------------------------- the order, as locked */

struct locked {
	const char *state, *editable;
	long long version;
	bool mail_in;
};

static int lock_order(struct db *db, struct req *r, long long id, struct locked *lk)
{
	struct db_rows rows;
	int rc = db_query(db, r->arena, sql_lock, DB_ARGS(DB_I64(id)), &rows);

	if (rc != DB_OK)
		return rc;
	if (rows.nrows != 1)
		return DB_ERR;
	lk->state = db_cell(&rows, 0, 0);
	lk->version = strtoll(db_cell(&rows, 0, 1), NULL, 10);
	lk->mail_in = strtol(db_cell(&rows, 0, 2), NULL, 10) != 0;
	lk->editable = db_cell(&rows, 0, 3);
	return DB_OK;
}

/* Whether subject s may be checked in this state; *why: the reason when not. */
static bool startable(const struct wizard_order *o, const char *state, const char *editable,
		      bool mail_in, const struct subject *s, struct req *r, const char **why)
{
	struct wizard_order cur = *o;

	cur.state = state;
	cur.editable = editable;
	cur.mail_in = mail_in;
	if (!wizard_plan_has(&cur, s->step)) {
		*why = "本订单无需企业身份核验。";
		return false;
	}
	if (s->step == STEP_ENTERPRISE && mail_in) {
		*why = "本订单已改为线下邮寄办理：单位身份以寄送的盖章纸质材料核实，无需在线企业身份核验。";
		return false;
	}
	/* A returned order whose bank account was sent back re-checks the enterprise with it:
	 * saving the account voided the transfer check. */
	if (!wizard_step_editable(&cur, s->step) &&
	    !(s->step == STEP_ENTERPRISE && wizard_step_editable(&cur, STEP_FINANCIAL))) {
		const char *zh = order_state_name(state);

		*why = arena_printf(r->arena, "订单当前状态（%s）不能进行身份核验。", zh ? zh : state);
		return false;
	}
	return true;
}

/* ------------------------------------------------------------------- what is checked */

struct channel {
	bool mail_in, offered;
	const char *uscc;
};

static int channel_of(struct req *r, const struct wizard_order *o, const char *method,
		      struct channel *ch)
{
	struct db_rows rows;
	int rc = db_query(&r->app->db, r->arena, sql_channel,
			  DB_ARGS(DB_STR(method), DB_STR(method), DB_I64(o->id)), &rows);

	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (rows.nrows != 1)
		return resp_error(r, ERR_NOT_FOUND, NULL, NULL);
	ch->mail_in = strtol(db_cell(&rows, 0, 0), NULL, 10) != 0;
	ch->offered = strtol(db_cell(&rows, 0, is(method, "mobile") || is(method, "card") ||
					    is(method, "face") ? 2 : 1), NULL, 10) > 0;
	ch->uscc = db_cell(&rows, 0, 3);
	return 0;
}

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
	if (step == STEP_ENTERPRISE && !is(field, "method") && !is(field, "org_name") &&
	    !is(field, "uscc"))
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

static void memo_of(const struct crypto_key *k, const char *ref, char out[VERIFY_MEMO_LEN + 1])
{
	char hex[2 * CRYPTO_SHA256_LEN + 1];

	crypto_index_hex(k, "verify-memo", ref, strlen(ref), hex);
	hex[12] = '\0';
	snprintf(out, VERIFY_MEMO_LEN + 1, "%06llu", strtoull(hex, NULL, 16) % 1000000ULL);
}

struct start {
	struct verify_check c;
	struct channel ch;
	const char *stamp;      /* the newest save of the checked steps, read before loading them */
	char ref[2 * VERIFY_REF_BYTES + 1];
	char memo[VERIFY_MEMO_LEN + 1];
};

/* Reads the saved steps into st->c. Returns 0, or -1 answered (409 step_incomplete, ...). */
static int load_check(struct req *r, const struct wizard_order *o, const struct subject *s,
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
	c->method = wizard_str(data, "method");
	if (!verify_method_known(s->code, c->method))
		return incomplete(r, s, "method");
	if (channel_of(r, o, c->method, &st->ch) < 0)
		return -1;
	if (!st->ch.offered)
		return resp_error(r, ERR_NOT_OFFERED, "method",
				  arena_printf(r->arena, "所选渠道不提供“%s”，请在“%s”中改选其他核验方式。",
					       verify_method_name(c->method), step_zh(s->step)));
	if (s->step == STEP_ENTERPRISE) {
		c->name = wizard_str(data, "lr_name");
		c->id_number = wizard_str(data, "lr_id_number");
		c->mobile = wizard_str(data, "lr_mobile");
		c->bank_card = wizard_str(data, "lr_bank_card");
		c->org_name = wizard_str(data, "org_name");
		c->uscc = st->ch.uscc;
	} else {
		c->name = wizard_str(data, "name");
		c->id_number = wizard_str(data, "id_number");
		c->mobile = wizard_str(data, "mobile");
		c->bank_card = wizard_str(data, "bank_card");
	}
	if (crypto_token_hex(st->ref, sizeof(st->ref), VERIFY_REF_BYTES) < 0)
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	c->ref = st->ref;
	if (is(c->method, "transfer")) {
		if (wizard_step_load(r, o->id, STEP_FINANCIAL, &fin) < 0)
			return -1;
		if (!fin)
			return step_missing(r, STEP_FINANCIAL);
		c->account_name = wizard_str(fin, "account_name");
		c->account_no = wizard_str(fin, "account_no");
		c->bank = wizard_str(fin, "bank");
		/* The bank pays only into an account held in the organisation's own name (001). */
		if (!is(c->account_name, c->org_name))
			return incomplete(r, s, "account_name");
		memo_of(&r->app->key, st->ref, st->memo);
		c->memo = st->memo;
	}
	missing = verify_missing(c);
	return missing ? incomplete(r, s, missing) : 0;
}

/* -------------------------------------------------------------------- the outcome */

static const char *state_code(enum verify_state s)
{
	return s == VERIFY_PASSED ? "passed" : s == VERIFY_FAILED ? "failed" : "pending";
}

/* The provider's reason, as people and the database may see it. */
static const char *masked(struct req *r, const char *message)
{
	char *m = arena_strdup(r->arena, message ? message : "");

	if (!m)
		return "";
	mask_text(m);
	return m;
}

/* The other subject's latest check failed (and still counts). */
static int other_failed(struct db *db, struct req *r, long long order_id,
			const struct subject *s, bool mail_in, bool *failed)
{
	const char *other = is(s->code, "enterprise") ? "handler" : "enterprise";
	struct db_rows rows;
	int rc;

	*failed = false;
	if (is(other, "enterprise") && mail_in)
		return DB_OK;
	rc = db_query(db, r->arena, sql_other, DB_ARGS(DB_I64(order_id), DB_STR(other)), &rows);
	if (rc == DB_OK && rows.nrows == 1)
		*failed = is(db_cell(&rows, 0, 0), "failed");
	return rc;
}

/*
 * Inside the transaction, once the row says st: the order's trail and state. A pass takes a
 * verify_failed order back to draft unless the other subject still fails; a failure takes
 * a draft to verify_failed (returned orders stay returned: the reviewer's list decides).
 * *after: the order's state afterwards.
 */
static int settle_order(struct db *db, struct req *r, long long order_id,
			const struct subject *s, const char *method, const struct locked *lk,
			enum verify_state st, const char *message, const char **after)
{
	const char *name = verify_method_name(method);
	const char *note;
	bool failed;
	int rc;

	*after = lk->state;
	if (st == VERIFY_PASSED) {
		note = arena_printf(r->arena, "%s通过（%s）", s->zh, name);
		if (is(lk->state, "verify_failed")) {
			rc = other_failed(db, r, order_id, s, lk->mail_in, &failed);
			if (rc != DB_OK)
				return rc;
			if (!failed) {
				rc = order_move(db, order_id, "verify_failed", "draft", lk->version);
				if (rc != DB_OK)
					return rc == ORDER_STALE ? DB_RETRY : rc;
				*after = "draft";
				return order_event(db, order_id, "verified", "verify_failed", "draft",
						   "applicant", r->auth.id, false, note);
			}
		}
		return order_event(db, order_id, "verified", NULL, NULL, "applicant", r->auth.id,
				   false, note);
	}
	if (st != VERIFY_FAILED)
		return DB_OK;
	note = arena_printf(r->arena, "%s未通过（%s）%s%s", s->zh, name, message[0] ? "：" : "",
			    message);
	if (is(lk->state, "draft")) {
		rc = order_move(db, order_id, "draft", "verify_failed", lk->version);
		if (rc != DB_OK)
			return rc == ORDER_STALE ? DB_RETRY : rc;
		*after = "verify_failed";
		return order_event(db, order_id, "verify_failed", "draft", "verify_failed",
				   "applicant", r->auth.id, false, note);
	}
	return order_event(db, order_id, "verify_failed", NULL, NULL, "applicant", r->auth.id,
			   false, note);
}

struct record {
	struct req *r;
	const struct wizard_order *o;
	const struct subject *s;
	const struct start *st;
	const struct verify_result *res;
	const char *message;    /* masked */
	bool sms;               /* face link wanted by SMS */
	enum err_code refused;
	const char *why;
	const char *after;
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
	rc = lock_order(db, r, x->o->id, &lk);
	if (rc != DB_OK)
		return rc;
	if (!startable(x->o, lk.state, lk.editable, lk.mail_in, x->s, r, &x->why)) {
		x->refused = ERR_WRONG_STATE;
		return DB_ERR;
	}
	/* The data checked must still be what is saved. */
	rc = db_query(db, r->arena, sql_stamp,
		      DB_ARGS(DB_I64(x->o->id), DB_STR(x->s->steps[0]), DB_STR(x->s->steps[1])),
		      &rows);
	if (rc != DB_OK)
		return rc;
	if (!is(db_cell(&rows, 0, 0), x->st->stamp)) {
		x->refused = ERR_CONFLICT;
		x->why = "核验期间资料已被修改，请确认资料后重新发起核验。";
		return DB_ERR;
	}
	rc = db_exec(db, sql_insert,
		     DB_ARGS(DB_I64(x->o->id), DB_STR(x->s->code), DB_STR(x->st->c.method),
			     DB_STR(x->st->ref), DB_STR(state_code(x->res->state)),
			     DB_STR(x->res->link), DB_STR(x->message),
			     DB_STR(state_code(x->res->state))),
		     NULL, NULL);
	if (rc == DB_OK)
		rc = settle_order(db, r, x->o->id, x->s, x->st->c.method, &lk, x->res->state,
				  x->message, &x->after);
	if (rc == DB_OK && x->res->state == VERIFY_PENDING)
		rc = send_link(db, x);
	return rc;
}

/* --------------------------------------------------------------------- answers */

static int latest(struct db *db, struct req *r, long long order_id, const struct subject *s,
		  bool lock, struct db_rows *rows)
{
	return db_query(db, r->arena, lock ? sql_latest_lock : sql_latest,
			DB_ARGS(DB_STR(s->steps[0]), DB_STR(s->steps[1]), DB_STR(s->steps[0]),
				DB_I64(order_id), DB_STR(s->code)),
			rows);
}

static json_t *verification_json(struct req *r, const struct subject *s, const struct db_rows *v)
{
	const char *method = db_cell(v, 0, L_METHOD), *state = db_cell(v, 0, L_STATE);
	const char *decided = db_cell(v, 0, L_DECIDED), *link = db_cell(v, 0, L_LINK);
	const char *message = db_cell(v, 0, L_MESSAGE);
	bool pending = is(state, "pending"), transfer = is(method, "transfer");
	struct qr_svg qr;
	json_t *j;

	if (pending && transfer)
		message = "已向对公账户打款 0.01 元：请在该账户的入账明细中查看备注里的 6 位数字，填写后完成验证。";
	else if (pending && verify_method_face(method))
		message = "请用手机打开链接或扫描二维码，按提示完成刷脸及活体验证。";
	else if (is(state, "void"))
		message = "核验后资料已修改，此前的核验结果已失效，请重新核验。";
	j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:b}", "subject", s->code, "method",
		      method, "method_name", verify_method_name(method) ? verify_method_name(method) : "",
		      "state", state, "message", message, "created_at", db_cell(v, 0, L_CREATED),
		      "decided_at", decided[0] ? decided : NULL, "current",
		      strtol(db_cell(v, 0, L_CURRENT), NULL, 10) != 0);
	if (j && pending && link[0]) {
		/* The same link by SMS, or as a QR code scanned on the spot (002 现场验证). */
		json_object_set_new(j, "link", json_string(link));
		if (qr_svg(r->arena, link, &qr) == QR_OK)
			json_object_set_new(j, "qr_svg", json_stringn(qr.svg, qr.len));
	}
	if (j && pending && transfer)
		json_object_set_new(j, "tries_left",
				    json_integer(MEMO_TRIES - strtol(db_cell(v, 0, L_TRIES), NULL, 10)));
	return j;
}

/* After a failure: go back and edit, or (an organisation failing) switch to mail-in (002). */
static json_t *offers(const struct subject *s, const char *state, bool channel_mail_in,
		      bool mail_in)
{
	json_t *a = json_array();

	json_array_append_new(a, json_string("edit"));
	if (s->step == STEP_ENTERPRISE && channel_mail_in && !mail_in &&
	    (is(state, "draft") || is(state, "verify_failed")))
		json_array_append_new(a, json_string("mail_in"));
	return a;
}

/* 200 {"order_no","order_state","subject","verification"{...}|null,"offers"?} + more. */
static int answer(struct req *r, const struct wizard_order *o, const struct subject *s,
		  const char *state, bool mail_in, json_t *more)
{
	struct channel ch = { 0 };
	struct db_rows rows;
	json_t *body, *v = NULL;
	int rc = latest(&r->app->db, r, o->id, s, false, &rows);

	if (rc != DB_OK) {
		json_decref(more);
		return app_db_error(r, rc);
	}
	if (rows.nrows == 1 && is(db_cell(&rows, 0, L_STATE), "failed") &&
	    channel_of(r, o, "", &ch) < 0) {
		json_decref(more);
		return -1;
	}
	if (rows.nrows == 1)
		v = verification_json(r, s, &rows);
	body = json_pack("{s:s, s:s, s:s, s:o}", "order_no", o->no, "order_state", state, "subject",
			 s->code, "verification", v ? v : json_null());
	if (body && rows.nrows == 1 && is(db_cell(&rows, 0, L_STATE), "failed"))
		json_object_set_new(body, "offers", offers(s, state, ch.mail_in, mail_in));
	if (body && more)
		json_object_update(body, more);
	json_decref(more);
	if (!body)
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	resp_json(r, 200, body);
	return 0;
}

/* How long until a window ends, for people: "40 秒", "3 分钟", "2 小时". */
static const char *wait_zh(struct req *r, int seconds)
{
	if (seconds < 60)
		return arena_printf(r->arena, "%d 秒", seconds);
	if (seconds < 3600)
		return arena_printf(r->arena, "%d 分钟", (seconds + 59) / 60);
	return arena_printf(r->arena, "%d 小时", (seconds + 3599) / 3600);
}

int wizard_limit(struct req *r, const char *bucket, int limit, int window, const char *what)
{
	const char *wait;
	int after = 0, rc;

	rc = ratelimit_hit(&r->app->db, bucket, limit, window, time(NULL), &after);
	if (rc < 0)
		return app_db_error(r, rc);
	if (rc == 1 || !what)
		return rc;
	wait = wait_zh(r, after);
	app_limit_over(r, ERR_RATE_LIMITED, after,
		       wait ? arena_printf(r->arena, "%s，请 %s后再试。", what, wait) : what);
	return 0;
}

/* The limits a check's start counts against, the order's own first. Returns 1 allowed, or
 * -1 answered (429 rate_limited with Retry-After, or the database's error). */
static int starts_allowed(struct req *r, const struct wizard_order *o)
{
	const struct conf *c = &r->app->conf;
	char order[48], account[48], address[96], per_day[128];

	snprintf(order, sizeof(order), "verify:%lld", o->id);
	snprintf(account, sizeof(account), "verify:a:%lld", r->auth.id);
	snprintf(address, sizeof(address), "verify:ip:%.64s", r->remote_addr ? r->remote_addr : "");
	snprintf(per_day, sizeof(per_day), "您的账号发起身份核验的次数已达上限（每天 %d 次）",
		 c->verify_per_account_day);
	if (wizard_limit(r, order, STARTS_LIMIT, STARTS_WINDOW, "本订单发起身份核验过于频繁") <= 0 ||
	    wizard_limit(r, account, c->verify_per_account_day, ACCOUNT_WINDOW, per_day) <= 0 ||
	    wizard_limit(r, address, c->verify_per_ip_hour, ADDRESS_WINDOW,
			 "当前网络发起身份核验过于频繁") <= 0)
		return -1;
	return 1;
}

/* ------------------------------------------------------------------------ handlers */

static bool is_via(const char *v)
{
	return is(v, "sms") || is(v, "qr");
}

/* POST .../verify/:subject [{"via": "sms" | "qr"}]: starts a check of the saved data. */
int wizard_verify_start(struct req *r)
{
	struct req_field f[] = {
		{ "via", false, 8, is_via,
		  "刷脸验证方式应为 sms（短信发送链接）或 qr（现场扫描二维码）。", NULL },
	};
	const struct subject *s;
	struct wizard_order o;
	struct start st;
	struct verify_result res;
	struct provider p;
	struct record x;
	const char *via = NULL, *why = NULL;
	char err[256];
	json_t *body;
	int rc;

	if (wizard_find_order(r, r->params[0], &o) < 0)
		return -1;
	if (!(s = subject_of(r->params[1])))
		return resp_error(r, ERR_NOT_FOUND, NULL, NULL);
	if (r->content_length > 0) {
		f[0].out = &via;
		if (req_json(r, &body) < 0 || req_fields(r, body, f, 1) < 0)
			return -1;
	}
	if (!startable(&o, o.state, o.editable, o.mail_in, s, r, &why))
		return resp_error(r, ERR_WRONG_STATE, NULL, why);
	if (load_check(r, &o, s, &st) < 0)
		return -1;
	if (starts_allowed(r, &o) < 0)
		return -1;
	verify_provider(&r->app->conf, &p);
	if (verify_start(&p, &st.c, &res, err, sizeof(err)) != VERIFY_OK) {
		log_rid(LOG_WARN, r->rid, "order %s %s check (%s): %s", o.no, s->code, st.c.method, err);
		return resp_error(r, ERR_PROVIDER, NULL,
				  "身份核验服务暂时不可用，本次未进行核验，请稍后重试。");
	}
	x = (struct record){ .r = r, .o = &o, .s = s, .st = &st, .res = &res,
			     .message = masked(r, res.state == VERIFY_FAILED ? res.message : ""),
			     .sms = is(via, "sms") };
	rc = db_tx(&r->app->db, record_tx, &x);
	if (rc != DB_OK) {
		if (x.refused != ERR__COUNT)
			return resp_error(r, x.refused, NULL, x.why);
		return app_db_error(r, rc);
	}
	body = NULL;
	if (res.state == VERIFY_PENDING && verify_method_face(st.c.method))
		body = json_pack("{s:b}", "sms_sent", x.sms_sent);
	return answer(r, &o, s, x.after, o.mail_in, body);
}

/* ------------------------------------------------------------------------- confirm */

struct confirm {
	struct req *r;
	const struct wizard_order *o;
	const struct subject *s;
	const char *memo;
	enum err_code refused;
	const char *why, *after;
	bool right;
	long tries_left;
};

static int confirm_tx(struct db *db, void *p)
{
	struct confirm *x = p;
	struct req *r = x->r;
	struct locked lk;
	struct db_rows v;
	char want[VERIFY_MEMO_LEN + 1];
	long long id;
	long tries;
	int rc;

	x->refused = ERR__COUNT;
	rc = lock_order(db, r, x->o->id, &lk);
	if (rc != DB_OK)
		return rc;
	x->after = lk.state;
	if (!startable(x->o, lk.state, lk.editable, lk.mail_in, x->s, r, &x->why)) {
		x->refused = ERR_WRONG_STATE;
		return DB_ERR;
	}
	rc = latest(db, r, x->o->id, x->s, true, &v);
	if (rc != DB_OK)
		return rc;
	if (v.nrows != 1 || !is(db_cell(&v, 0, L_METHOD), "transfer") ||
	    !is(db_cell(&v, 0, L_STATE), "pending")) {
		x->refused = ERR_WRONG_STATE;
		x->why = "没有等待填写备注码的对公打款验证，请先发起对公账户打款验证。";
		return DB_ERR;
	}
	if (strtol(db_cell(&v, 0, L_CURRENT), NULL, 10) == 0) {
		x->refused = ERR_CONFLICT;
		x->why = "打款后企业信息或对公账户信息已修改，请重新发起对公账户打款验证。";
		return DB_ERR;
	}
	id = strtoll(db_cell(&v, 0, L_ID), NULL, 10);
	tries = strtol(db_cell(&v, 0, L_TRIES), NULL, 10);
	memo_of(&r->app->key, db_cell(&v, 0, L_REF), want);
	x->right = crypto_equal(x->memo, want, VERIFY_MEMO_LEN);
	if (x->right) {
		rc = db_exec(db, sql_settle, DB_ARGS(DB_STR("passed"), DB_STR(""), DB_I64(id)), NULL,
			     NULL);
		return rc == DB_OK ? settle_order(db, r, x->o->id, x->s, "transfer", &lk,
						  VERIFY_PASSED, "", &x->after)
				   : rc;
	}
	x->tries_left = MEMO_TRIES - (tries + 1);
	rc = db_exec(db, sql_tries, DB_ARGS(DB_I64(id)), NULL, NULL);
	if (rc != DB_OK || x->tries_left > 0)
		return rc;
	rc = db_exec(db, sql_settle,
		     DB_ARGS(DB_STR("failed"), DB_STR("备注码连续 5 次填写错误。"), DB_I64(id)), NULL,
		     NULL);
	return rc == DB_OK ? settle_order(db, r, x->o->id, x->s, "transfer", &lk, VERIFY_FAILED,
					  "备注码连续 5 次填写错误。", &x->after)
			   : rc;
}

static bool is_memo(const char *s)
{
	return strlen(s) == VERIFY_MEMO_LEN && strspn(s, "0123456789") == VERIFY_MEMO_LEN;
}

/* POST .../verify/enterprise/confirm {"memo": "123456"}: the code off the bank statement. */
int wizard_verify_confirm(struct req *r)
{
	struct req_field f[] = {
		{ "memo", true, VERIFY_MEMO_LEN, is_memo,
		  "请填写对公账户入账备注中的 6 位数字备注码。", NULL },
	};
	struct confirm x = { .r = r };
	struct channel ch;
	struct wizard_order o;
	const char *why = NULL;
	json_t *body;
	int rc;

	if (wizard_find_order(r, r->params[0], &o) < 0)
		return -1;
	x.s = subject_of(r->params[1]);
	if (!x.s || x.s->step != STEP_ENTERPRISE)
		return resp_error(r, ERR_NOT_FOUND, NULL, NULL);
	f[0].out = &x.memo;
	if (req_json(r, &body) < 0 || req_fields(r, body, f, 1) < 0)
		return -1;
	if (!startable(&o, o.state, o.editable, o.mail_in, x.s, r, &why))
		return resp_error(r, ERR_WRONG_STATE, NULL, why);
	x.o = &o;
	rc = db_tx(&r->app->db, confirm_tx, &x);
	if (rc != DB_OK) {
		if (x.refused != ERR__COUNT)
			return resp_error(r, x.refused, NULL, x.why);
		return app_db_error(r, rc);
	}
	if (x.right)
		return answer(r, &o, x.s, x.after, o.mail_in, NULL);
	if (x.tries_left > 0)
		return resp_error_with(r, ERR_MEMO_WRONG, "memo",
				       arena_printf(r->arena,
						    "备注码不正确，请核对对公账户 0.01 元入账记录的备注，还可以再试 %ld 次。",
						    x.tries_left),
				       json_pack("{s:i}", "tries_left", (int)x.tries_left));
	if (channel_of(r, &o, "", &ch) < 0)
		return -1;
	return resp_error_with(
		r, ERR_MEMO_WRONG, "memo",
		"备注码连续 5 次填写错误，本次对公打款验证未通过。您可以核对信息后重新发起验证，或改为线下邮寄办理。",
		json_pack("{s:i, s:s, s:o}", "tries_left", 0, "order_state", x.after, "offers",
			  offers(x.s, x.after, ch.mail_in, o.mail_in)));
}

/* -------------------------------------------------------------------------- status */

struct poll {
	struct req *r;
	const struct wizard_order *o;
	const struct subject *s;
	long long id;
	const char *method;
	const struct verify_result *res;
	const char *message, *after;
};

static int poll_tx(struct db *db, void *p)
{
	struct poll *x = p;
	struct locked lk;
	unsigned long long n = 0;
	int rc = lock_order(db, x->r, x->o->id, &lk);

	if (rc != DB_OK)
		return rc;
	x->after = lk.state;
	rc = db_exec(db, sql_settle,
		     DB_ARGS(DB_STR(state_code(x->res->state)), DB_STR(x->message), DB_I64(x->id)),
		     &n, NULL);
	/* Another request settled it first: its trail stands. */
	if (rc != DB_OK || n == 0)
		return rc;
	return settle_order(db, x->r, x->o->id, x->s, x->method, &lk, x->res->state, x->message,
			    &x->after);
}

/* GET .../verify/:subject: the latest check; a pending one is asked at the gateway first. */
int wizard_verify_status(struct req *r)
{
	const struct subject *s;
	struct wizard_order o;
	struct verify_result res;
	struct provider p;
	struct db_rows v;
	struct poll x;
	const char *state;
	char err[256], poll_bucket[48];
	bool required;
	int rc;

	if (wizard_find_order(r, r->params[0], &o) < 0)
		return -1;
	if (!(s = subject_of(r->params[1])))
		return resp_error(r, ERR_NOT_FOUND, NULL, NULL);
	required = s->step == STEP_HANDLER || (wizard_plan_has(&o, STEP_ENTERPRISE) && !o.mail_in);
	rc = latest(&r->app->db, r, o.id, s, false, &v);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	state = o.state;
	snprintf(poll_bucket, sizeof(poll_bucket), "verify-poll:%lld", o.id);
	/* A transfer waits for the memo code, not for the gateway. */
	if (v.nrows == 1 && is(db_cell(&v, 0, L_STATE), "pending") &&
	    !is(db_cell(&v, 0, L_METHOD), "transfer") &&
	    (rc = wizard_limit(r, poll_bucket, POLLS_LIMIT, POLLS_WINDOW, NULL)) != 0) {
		if (rc < 0)
			return -1;
		verify_provider(&r->app->conf, &p);
		if (verify_query(&p, db_cell(&v, 0, L_REF), &res, err, sizeof(err)) != VERIFY_OK) {
			log_rid(LOG_WARN, r->rid, "order %s %s query: %s", o.no, s->code, err);
			return resp_error(r, ERR_PROVIDER, NULL,
					  "身份核验服务暂时不可用，暂时无法查询核验结果，请稍后刷新。");
		}
		if (res.state != VERIFY_PENDING) {
			x = (struct poll){ .r = r, .o = &o, .s = s,
					   .id = strtoll(db_cell(&v, 0, L_ID), NULL, 10),
					   .method = db_cell(&v, 0, L_METHOD), .res = &res,
					   .message = masked(r, res.state == VERIFY_FAILED ? res.message
											: "") };
			rc = db_tx(&r->app->db, poll_tx, &x);
			if (rc != DB_OK)
				return app_db_error(r, rc);
			state = x.after;
		}
	}
	return answer(r, &o, s, state, o.mail_in, json_pack("{s:b}", "required", required));
}

/* ------------------------------------------------------------------------- mail-in */

/* What mail-in means, for the page that confirms the switch (002 2.2.2). */
static json_t *mail_in_info(void)
{
	return json_pack(
		"{s:s, s:[s, s, s, s, s], s:s, s:s}", "title", "线下邮寄办理", "steps",
		"完成经办人身份核验", "确认证书产品", "打印申请表，由经办人签字并加盖单位公章",
		"支付订单", "按页面提示将申请表等纸质材料通过快递寄至受理点",
		"review", "受理点收到纸质材料后 3 至 5 个工作日内完成审核，审核通过后 5 个工作日内寄出证书（UKEY）。",
		"note", "改为线下邮寄后，单位身份以寄送的盖章纸质材料核实，不再进行在线企业身份核验；经办人身份仍需在线核验。");
}

struct mail_in {
	struct req *r;
	const struct wizard_order *o;
	enum err_code refused;
	const char *why;
};

static int mail_in_tx(struct db *db, void *p)
{
	struct mail_in *x = p;
	struct req *r = x->r;
	struct db_rows rows;
	struct locked lk;
	int rc;

	x->refused = ERR__COUNT;
	rc = lock_order(db, r, x->o->id, &lk);
	if (rc != DB_OK)
		return rc;
	if (!is(lk.state, "verify_failed") && !is(lk.state, "draft")) {
		x->refused = ERR_WRONG_STATE;
		x->why = "订单当前状态不能改为线下邮寄办理。";
		return DB_ERR;
	}
	rc = db_query(db, r->arena, sql_failed_enterprise, DB_ARGS(DB_I64(x->o->id)), &rows);
	if (rc != DB_OK)
		return rc;
	if (strtol(db_cell(&rows, 0, 0), NULL, 10) == 0) {
		x->refused = ERR_WRONG_STATE;
		x->why = "企业身份核验未通过时才能改为线下邮寄办理；请先进行企业身份核验。";
		return DB_ERR;
	}
	rc = order_move(db, x->o->id, lk.state, "draft", lk.version);
	if (rc != DB_OK)
		return rc == ORDER_STALE ? DB_RETRY : rc;
	rc = db_exec(db, sql_mail_in, DB_ARGS(DB_I64(x->o->id)), NULL, NULL);
	if (rc != DB_OK)
		return rc;
	return order_event(db, x->o->id, "mail_in", lk.state, "draft", "applicant", r->auth.id,
			   true, "企业身份核验未通过，改为线下邮寄纸质材料办理");
}

/* POST .../mail-in: after a failed enterprise check, go on with paper by courier (002). */
int wizard_mail_in(struct req *r)
{
	struct wizard_order o;
	struct channel ch;
	struct mail_in x = { .r = r };
	int rc;

	if (wizard_find_order(r, r->params[0], &o) < 0)
		return -1;
	if (!wizard_plan_has(&o, STEP_ENTERPRISE))
		return resp_error(r, ERR_WRONG_STATE, NULL,
				  "本订单无需企业身份核验，不涉及线下邮寄办理。");
	if (channel_of(r, &o, "", &ch) < 0)
		return -1;
	if (!ch.mail_in)
		return resp_error(r, ERR_NOT_OFFERED, NULL,
				  "所选渠道不提供线下邮寄办理，请核对信息后重新进行企业身份核验。");
	/* Asked twice (a double click): the first switch stands. */
	if (!o.mail_in) {
		x.o = &o;
		rc = db_tx(&r->app->db, mail_in_tx, &x);
		if (rc != DB_OK) {
			if (x.refused != ERR__COUNT)
				return resp_error(r, x.refused, NULL, x.why);
			return app_db_error(r, rc);
		}
		o.state = "draft";
	}
	resp_json(r, 200, json_pack("{s:s, s:s, s:b, s:s, s:o}", "order_no", o.no, "order_state",
				    o.state, "mail_in", 1, "verify_method", "mail_in", "mail_in_info",
				    mail_in_info()));
	return 0;
}

/* ------------------------------------------------------------------ for the sign step */

/* The enterprise check when the plan has it and the order is not mail-in, the handler's
 * always (002: mail-in still checks the handler); each the latest of its subject, passed, and
 * on the data saved now (a check whose steps were saved again after it started, or voided by
 * that save, does not count). */
int wizard_verified(struct req *r, const struct wizard_order *o, bool *ok,
		    const char **missing_subject)
{
	*ok = false;
	*missing_subject = NULL;
	for (size_t i = 0; i < sizeof(subjects) / sizeof(subjects[0]); i++) {
		const struct subject *s = &subjects[i];
		struct db_rows v;
		int rc;

		/* Mail-in proves the organisation on paper; the handler is checked online anyway. */
		if (s->step == STEP_ENTERPRISE && (!wizard_plan_has(o, STEP_ENTERPRISE) || o->mail_in))
			continue;
		rc = latest(&r->app->db, r, o->id, s, false, &v);
		if (rc != DB_OK)
			return app_db_error(r, rc);
		if (v.nrows != 1 || !is(db_cell(&v, 0, L_STATE), "passed") ||
		    strtol(db_cell(&v, 0, L_CURRENT), NULL, 10) == 0) {
			*missing_subject = s->code;
			return 0;
		}
	}
	*ok = true;
	return 0;
}
