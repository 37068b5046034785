/* wizard: signing the application with an SMS code to the handler (000, 002 "证书申请签名"),
 * which submits the order, and signing again after a return (001, 004).
 *
 * POST /api/wizard/orders/:no/sign/code   a code (purpose sign) to the handler's mobile
 * POST /api/wizard/orders/:no/sign        {"code"}: draft -> the channel's first stage
 * POST /api/wizard/orders/:no/resubmit    {"code"}: returned -> orders.return_state
 *
 * A code is used up by the first request that checks it, so two requests racing with one code
 * would otherwise split as "submitted" and "code expired", depending on timing. A claim decides
 * first: orders.signed_at is set to now (in a transaction of its own, under the state and the
 * version) before the code is checked; a claim newer than the order's last change is held,
 * and a second request meets it and gets 409. A failed code gives the claim back. A claim
 * whose request died is stale after CLAIM_SECONDS (more than any request takes). */
#include <stdlib.h>
#include <string.h>

#include "base/strlist.h"
#include "web/auth.h"
#include "base/log.h"
#include "domain/mask.h"
#include "domain/order.h"
#include "domain/fees.h"
#include "domain/rules.h"
#include "domain/order_steps.h"
#include "domain/smscode.h"
#include "domain/subject.h"
#include "domain/unlock.h"
#include "base/valid.h"
#include "wizard.h"

#define CLAIM_SECONDS 120
#define DT "'%Y-%m-%d %H:%i:%s.%f'"

static const char sql_steps[] =
	"SELECT s.step, s.updated_at > COALESCE((SELECT MAX(e.at) FROM order_events e "
	"WHERE e.order_id = s.order_id AND e.kind = 'returned'), '1000-01-01') "
	"FROM order_steps s WHERE s.order_id = ?";
/* Materials uploaded since the order was last returned. */
static const char sql_uploaded[] =
	"SELECT DISTINCT m.material FROM materials m WHERE m.order_id = ? AND m.state <> 'rejected' "
	"AND m.created_at > COALESCE((SELECT MAX(e.at) FROM order_events e "
	"WHERE e.order_id = m.order_id AND e.kind = 'returned'), '1000-01-01')";
/* Only the order's row is locked: the channel's is shared by every order of the hall. */
static const char sql_lock[] =
	"SELECT state, version, COALESCE(amount_fen, -1), mail_in, "
	"COALESCE(DATE_FORMAT(signed_at, " DT "), ''), signed_at IS NOT NULL "
	"AND signed_at >= updated_at AND signed_at > NOW(3) - INTERVAL ? SECOND, "
	"COALESCE(return_state, ''), COALESCE(verify_method, ''), COALESCE(pay_method, ''), "
	"paper_mail FROM orders WHERE id = ? FOR UPDATE";
enum { L_STATE, L_VERSION, L_AMOUNT, L_MAIL_IN, L_SIGNED, L_HELD, L_RETURN, L_VERIFY, L_PAY,
       L_PAPER };
static const char sql_channel[] =
	"SELECT flow, review_days_min, review_days_max, review_days_public FROM channels WHERE id = ?";
static const char sql_claim[] = "UPDATE orders SET signed_at = NOW(3) WHERE id = ?";
static const char sql_claimed[] =
	"SELECT DATE_FORMAT(signed_at, " DT ") FROM orders WHERE id = ?";
static const char sql_release[] =
	"UPDATE orders SET signed_at = ? WHERE id = ? AND signed_at = ?";
/* The paper that failed its review is sent again: its waybill is the old parcel's. */
static const char sql_drop_paper[] = "DELETE FROM waybills WHERE order_id = ? AND direction = 'in'";
static const char sql_submit[] =
	"UPDATE orders SET signed_at = NOW(3), submitted_at = IF(?, NOW(3), submitted_at), "
	"pin_delivery = ?, editable = '' WHERE id = ?";

static const char *const step_titles[STEP__COUNT] = {
	[STEP_AGREEMENTS] = "阅读并同意协议", [STEP_ENTERPRISE] = "单位信息与企业认证",
	[STEP_HANDLER] = "经办人信息与认证",  [STEP_APPLICANT] = "申请人信息",
	[STEP_FINANCIAL] = "对公账户信息",    [STEP_CHANGE] = "变更内容",
	[STEP_PRODUCT] = "确认产品与邮寄信息", [STEP_FORM] = "打印申请表",
	[STEP_MATERIALS] = "上传材料",        [STEP_SIGN] = "短信签署",
	[STEP_PAY] = "支付",
};

const char *wizard_step_title(enum wizard_step s)
{
	return (unsigned)s < STEP__COUNT ? step_titles[s] : "";
}


static bool is_code(const char *s)
{
	return strlen(s) == 6 && strspn(s, "0123456789") == 6;
}

/* ---- what signing needs */

static int step_missing(struct req *r, enum wizard_step s, const char *message)
{
	const char *name = wizard_step_name(s);

	return resp_error_with(r, ERR_STEP_INCOMPLETE, name,
			       arena_printf(r->arena, message, wizard_step_title(s)),
			       json_pack("{s:s}", "step", name));
}

/* The next item of a comma list (a copy in the arena), advancing *list; NULL at the end. */
static const char *next_item(struct req *r, const char **list)
{
	const char *p = *list, *end;

	if (!p || !*p)
		return NULL;
	end = strchr(p, ',');
	*list = end ? end + 1 : NULL;
	return arena_strndup(r->arena, p, end ? (size_t)(end - p) : strlen(p));
}

static bool rows_have(const struct db_rows *rows, const char *name, bool want_fresh)
{
	for (size_t i = 0; i < rows->nrows; i++)
		if (str_is(db_cell(rows, i, 0), name))
			return !want_fresh || str_is(db_cell(rows, i, 1), "1");
	return false;
}

/* After a return: every step the reviewer rejected has been saved again. */
static int steps_redone(struct req *r, const struct order *o, const struct db_rows *steps)
{
	const char *list = o->editable, *item;

	while ((item = next_item(r, &list)) != NULL) {
		int s = wizard_step_from_name(item);

		if (s >= 0 && wizard_step_is_data((enum wizard_step)s) && !rows_have(steps, item, true))
			return step_missing(r, (enum wizard_step)s,
					    "订单被退回：请先修改“%s”并保存，再重新提交。");
	}
	return 0;
}

/* After a return: every material the reviewer rejected has been uploaded again (whatever
 * state the reviewer left its old version in). */
static int materials_redone(struct req *r, const struct order *o)
{
	const char *list = o->editable, *item;
	struct db_rows up;
	int rc;

	rc = db_query(&r->app->db, r->arena, sql_uploaded, DB_ARGS(DB_I64(o->id)), &up);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	while ((item = next_item(r, &list)) != NULL)
		if (*item && wizard_step_from_name(item) < 0 && !rows_have(&up, item, false))
			return resp_error_with(r, ERR_MATERIALS_MISSING, "materials",
					       "订单被退回：请先重新上传审核未通过的材料，再重新提交。",
					       json_pack("{s:[{s:s}]}", "missing", "material", item));
	return 0;
}

/* Every step of the plan but signing (and paying, which comes after) is done: data steps
 * saved, identities verified, materials complete, the fee known; on a returned order, what
 * was rejected redone. The handler's mobile into mobile. Returns 0, or -1 answered 409
 * naming what is missing. */
static int ready(struct req *r, const struct order *o, char mobile[12])
{
	const char *subject = NULL;
	struct db_rows steps;
	json_t *handler, *missing;
	bool ok = false;
	int rc;

	if (wizard_hold_free(r, o) < 0)
		return -1;
	rc = db_query(&r->app->db, r->arena, sql_steps, DB_ARGS(DB_I64(o->id)), &steps);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	for (int s = 0; s < STEP__COUNT; s++)
		if (wizard_step_is_data((enum wizard_step)s) && wizard_plan_has(o, (enum wizard_step)s) &&
		    !rows_have(&steps, wizard_step_name((enum wizard_step)s), false))
			return step_missing(r, (enum wizard_step)s, "请先完成“%s”这一步，再签署提交。");
	if (o->state == ORDER_RETURNED && steps_redone(r, o, &steps) < 0)
		return -1;
	if (wizard_verified(r, o, &ok, &subject) < 0)
		return -1;
	if (!ok)
		return resp_error(r, ERR_NOT_VERIFIED, subject,
				  subject && str_is(subject, "enterprise")
					  ? "请先完成企业认证（或改为线下邮寄办理），再签署提交。"
					  : "请先完成经办人身份核验，再签署提交。");
	if (wizard_plan_has(o, STEP_MATERIALS)) {
		if (wizard_materials_missing(r, o, &missing) < 0)
			return -1;
		if (json_array_size(missing) > 0) {
			json_t *first = json_array_get(missing, 0);

			return resp_error_with(r, ERR_MATERIALS_MISSING, "materials",
					       arena_printf(r->arena, "还有 %zu 项必需的材料未上传或未通过审核（%s 等），请上传后再签署提交。",
							    json_array_size(missing),
							    order_step_str(first, "name")),
					       json_pack("{s:O}", "missing", missing));
		}
		if (o->state == ORDER_RETURNED && materials_redone(r, o) < 0)
			return -1;
	}
	/* A two-stage hall reviews before anyone pays (004): where its guide prints no price, the
	 * pre-reviewer states the fee when passing the order. Everywhere else the applicant must
	 * know what they sign for. */
	if (wizard_plan_has(o, STEP_PAY) && o->amount_fen < 0 &&
	    !(str_is(o->flow, "two_stage") && !o->mail_in))
		return resp_error(r, ERR_FEE_UNKNOWN, "amount", NULL);
	if (wizard_step_load(r, o->id, STEP_HANDLER, &handler) < 0)
		return -1;
	if (!handler || !valid_mobile(order_step_str(handler, "mobile"), mobile))
		return step_missing(r, STEP_HANDLER, "请先在“%s”中填写经办人的手机号码。");
	return 0;
}

/* The states signing starts from: a draft signs, a returned order signs again. */
static int signable(struct req *r, const struct order *o, enum order_state want)
{
	if (o->state == want)
		return 0;
	if (o->state == ORDER_VERIFY_FAILED)
		return resp_error(r, ERR_NOT_VERIFIED, "enterprise",
				  "身份核验未通过：请修改信息后重新核验，或改为线下邮寄办理，再签署提交。");
	if (want == ORDER_DRAFT && o->state == ORDER_RETURNED)
		return resp_error(r, ERR_WRONG_STATE, NULL, "订单已被退回：请修改后通过“重新提交”签署。");
	if (want == ORDER_RETURNED && o->state == ORDER_DRAFT)
		return resp_error(r, ERR_WRONG_STATE, NULL, "订单尚未提交：请通过“签署提交”完成申请。");
	return resp_error(r, ERR_WRONG_STATE, NULL,
			  arena_printf(r->arena, "订单当前状态为“%s”，不能签署提交。",
				       order_state_zh(o->state)));
}

/* ---- POST .../sign/code */

int wizard_sign_code(struct req *r)
{
	struct order o;
	char mobile[12], shown[16];

	if (wizard_find_order(r, r->params[0], &o) < 0)
		return -1;
	if (signable(r, &o, o.state == ORDER_RETURNED ? ORDER_RETURNED : ORDER_DRAFT) < 0 ||
	    ready(r, &o, mobile) < 0)
		return -1;
	/* The code signs this order only; the applicant never waits for its issuing. */
	if (app_limit_code(r, mobile, o.subject_idx) < 0 ||
	    app_outbox_code(r, mobile, "sign", o.no) < 0)
		return -1;
	mask_mobile(mobile, shown, sizeof(shown));
	resp_json(r, 200, json_pack("{s:b, s:s, s:i, s:s}", "accepted", 1, "mobile", shown,
				    "valid_seconds", r->app->conf.code_ttl, "message",
				    arena_printf(r->arena, "验证码已发送至经办人手机 %s，请注意查收。", shown)));
	return 0;
}

/* ---- the claim */

struct claim {
	struct req *r;
	const struct order *o;
	const char *prev;     /* signed_at before the claim, NULL when none */
	const char *mine;     /* the claim: signed_at as set */
	bool held;            /* someone else holds a claim, or the order moved */
};

static int claim_tx(struct db *db, void *p)
{
	struct claim *c = p;
	struct db_rows rows;
	int rc;

	c->held = false;
	rc = db_query(db, c->r->arena, sql_lock, DB_ARGS(DB_I64(CLAIM_SECONDS), DB_I64(c->o->id)), &rows);
	if (rc != DB_OK)
		return rc;
	if (rows.nrows != 1 || order_state_parse(db_cell(&rows, 0, L_STATE)) != c->o->state ||
	    strtoll(db_cell(&rows, 0, L_VERSION), NULL, 10) != c->o->version ||
	    str_is(db_cell(&rows, 0, L_HELD), "1")) {
		c->held = true;
		return DB_ERR;
	}
	c->prev = *db_cell(&rows, 0, L_SIGNED) ? db_cell(&rows, 0, L_SIGNED) : NULL;
	rc = db_exec(db, sql_claim, DB_ARGS(DB_I64(c->o->id)), NULL, NULL);
	if (rc == DB_OK)
		rc = db_query(db, c->r->arena, sql_claimed, DB_ARGS(DB_I64(c->o->id)), &rows);
	if (rc != DB_OK)
		return rc;
	c->mine = db_cell(&rows, 0, 0);
	return c->mine ? DB_OK : DB_ERR;
}

static void release(struct req *r, const struct claim *c)
{
	int rc = db_exec(&r->app->db, sql_release,
			 DB_ARGS(c->prev ? DB_STR(c->prev) : DB_NULL, DB_I64(c->o->id), DB_STR(c->mine)),
			 NULL, NULL);

	if (rc != DB_OK)
		log_warn("order %s: sign claim not released; it lapses in %d s", c->o->no, CLAIM_SECONDS);
}

static int conflict(struct req *r)
{
	return resp_error(r, ERR_CONFLICT, NULL, "该订单正在提交或已提交，请刷新页面查看订单状态。");
}

/* ---- the submission */

struct submit {
	struct req *r;
	const struct order *o;
	const struct claim *claim;
	const char *mobile;
	bool stale;
	const char *holder; /* another order took the subject's hold first */
	bool auto_approve; /* wizard_unlock_auto */
	bool key_in;       /* fees_key_inspected: the old key is sent in first */
	enum order_state to;
	const char *pin;
};

/* The first stage after signing (shared/domain/order.h). by_mail: the paper is mailed and
 * reviewed on arrival (mail-in, or the hall's paper_businesses). */
static enum order_state first_stage(const char *flow, bool mail_in, bool by_mail,
				    long long amount)
{
	if (str_is(flow, "two_stage") && !mail_in)
		return ORDER_PRE_REVIEW;
	if (amount > 0)
		return ORDER_PENDING_PAYMENT;
	return by_mail ? ORDER_AWAITING_PAPER : ORDER_REVIEWING;
}

const char *wizard_pin_delivery(const struct order *o, const char *pay_method)
{
	/* Renewal keeps the PIN (002); unlock resets it by mail; change online and revocation
	 * make no key: only a new key (new, add, lost, damaged, a mail-in change) has a PIN. */
	if (!wizard_ships_key(o))
		return NULL;
	return rules_pin_delivery(o->mail_in ? "mail_in" : o->verify_method, pay_method, o->kind);
}

/* event by SMS to the handler who signed, and by mail where the handler gave an address. */
static int to_handler(struct req *r, const struct order *o, const char *mobile, const char *event,
		      json_t *params)
{
	json_t *handler = NULL;
	const char *email;
	int rc = app_outbox_add(r, "sms", event, mobile, params, o->id);

	if (rc == DB_OK && wizard_step_load(r, o->id, STEP_HANDLER, &handler) < 0)
		rc = DB_ERR;
	email = order_step_str(handler, "email");
	if (rc == DB_OK && email[0] && valid_email(email))
		rc = app_outbox_add(r, "email", event, email, params, o->id);
	return rc;
}

static int notify(struct req *r, const struct order *o, const struct db_rows *ch,
		  const char *mobile, enum order_state to)
{
	const char *lo = db_cell(ch, 0, 1), *hi = db_cell(ch, 0, 2);
	/* A hall whose guide prints no review time (004) promises none: the text without days. */
	bool days = str_is(db_cell(ch, 0, 3), "1");
	json_t *params = json_pack("{s:s, s:s}", "order_no", o->no, "business",
				   order_business_name(o->business));
	int rc;

	if (!params)
		return DB_ERR;
	/* Nothing is reviewed before the old key is inspected: the applicant is asked for it. */
	if (to == ORDER_AWAITING_KEY) {
		rc = to_handler(r, o, mobile, "key_requested", params);
		json_decref(params);
		return rc;
	}
	if (days)
		json_object_set_new(params, "days",
				    json_string(str_is(lo, hi) ? lo : arena_printf(r->arena, "%s-%s", lo, hi)));
	rc = app_outbox_add(r, "sms", days ? "order_submitted" : "order_submitted_open", mobile, params,
			    o->id);
	json_decref(params);
	return rc;
}

/* 003 "如经办人信息与上笔业务的经办人信息相符合,可自动审核": approved, and done at once (an unlock
 * mails nothing), in the signing's transaction. */
/* 002 "审核资料后进行授权，并发送授权邮件": the link, by SMS to the handler who signed and by mail
 * where the handler gave an address, with the approval. */
static int unlock_link(struct submit *s)
{
	char token[UNLOCK_TOKEN_HEX + 1];
	json_t *params = NULL;
	int rc = unlock_grant(&s->r->app->db, &s->r->app->conf, s->o->id, token, &params);

	if (rc == DB_OK && json_object_set_new(params, "order_no", json_string(s->o->no)) < 0)
		rc = DB_ERR;
	if (rc == DB_OK)
		rc = to_handler(s->r, s->o, s->mobile, "unlock_authorised", params);
	if (rc == DB_OK)
		rc = order_note(&s->r->app->db, s->o->id, "unlock_authorised", "system", 0, true, "");
	json_decref(params);
	explicit_bzero(token, sizeof(token));
	return rc;
}

static int approve_by_rule(struct submit *s, long long version)
{
	struct db *db = &s->r->app->db;
	long long id = s->o->id;
	json_t *params;
	int rc = order_move(db, id, ORDER_REVIEWING, ORDER_APPROVED, version, ORDER_BY_SYSTEM);

	if (rc == DB_OK)
		rc = order_event(db, id, "approved", ORDER_REVIEWING, ORDER_APPROVED, "system", 0, true,
				 "经办人信息与上笔业务的经办人信息相符，系统自动审核通过");
	if (rc == DB_OK)
		rc = order_move(db, id, ORDER_APPROVED, ORDER_DONE, version + 1, ORDER_BY_SYSTEM);
	if (rc == DB_OK)
		rc = order_event(db, id, "done", ORDER_APPROVED, ORDER_DONE, "system", 0, true, "");
	if (rc == ORDER_STALE)
		return DB_RETRY;
	if (rc != DB_OK)
		return rc;
	s->to = ORDER_DONE;
	params = json_pack("{s:s, s:s}", "order_no", s->o->no, "pin_hint", UNLOCK_HINT);
	if (!params)
		return DB_ERR;
	rc = app_outbox_add(s->r, "sms", "order_approved", s->mobile, params, id);
	json_decref(params);
	return rc == DB_OK ? unlock_link(s) : rc;
}

static int submit_tx(struct db *db, void *p)
{
	struct submit *s = p;
	const struct order *o = s->o;
	struct order now;
	bool again = o->state == ORDER_RETURNED, mail_in;
	struct db_rows lock, ch;
	long long amount;
	int rc;

	s->stale = false;
	rc = db_query(db, s->r->arena, sql_lock, DB_ARGS(DB_I64(CLAIM_SECONDS), DB_I64(o->id)), &lock);
	if (rc == DB_OK)
		rc = db_query(db, s->r->arena, sql_channel, DB_ARGS(DB_I64(o->channel_id)), &ch);
	if (rc != DB_OK)
		return rc;
	if (ch.nrows != 1)
		return DB_ERR;
	/* Decide under the lock: the order as it is now, still ours to move. */
	if (lock.nrows != 1 || order_state_parse(db_cell(&lock, 0, L_STATE)) != o->state ||
	    strtoll(db_cell(&lock, 0, L_VERSION), NULL, 10) != o->version ||
	    !str_is(db_cell(&lock, 0, L_SIGNED), s->claim->mine)) {
		s->stale = true;
		return DB_ERR;
	}
	/* Signed, the order holds its subject until it ends (shared/domain/subject.h). */
	if (!again) {
		long long holder_account;

		rc = subject_hold(db, s->r->arena, o->id, s->r->app->conf.draft_ttl_hours, true,
				  &s->holder, &holder_account);
		if (rc != DB_OK || s->holder)
			return rc != DB_OK ? rc : DB_ERR;
	}
	amount = strtoll(db_cell(&lock, 0, L_AMOUNT), NULL, 10);
	mail_in = str_is(db_cell(&lock, 0, L_MAIL_IN), "1");
	s->to = again ? order_state_parse(db_cell(&lock, 0, L_RETURN))
		      : first_stage(db_cell(&ch, 0, 0), mail_in,
				    mail_in || str_is(db_cell(&lock, 0, L_PAPER), "1"), amount);
	/* 002 "用户损坏补办时需携带原有数字证书介质USBkey进行检测鉴定": before anything else. */
	if (!again && s->key_in)
		s->to = ORDER_AWAITING_KEY;
	/* 004 "如果用户寄来的纸质资料未通过审核，工作人员将电话通知补寄资料": paper returned from its
	 * review is mailed again, with a new waybill, and reviewed when it arrives. */
	if (again && s->to == ORDER_PAPER_REVIEW) {
		s->to = ORDER_AWAITING_PAPER;
		rc = db_exec(db, sql_drop_paper, DB_ARGS(DB_I64(o->id)), NULL, NULL);
		if (rc != DB_OK)
			return rc;
	}
	now = *o;
	now.verify_method = db_cell(&lock, 0, L_VERIFY);
	now.mail_in = mail_in;
	s->pin = wizard_pin_delivery(&now, db_cell(&lock, 0, L_PAY));
	/* A returned order goes back where it was; the machine refuses any other stage. */
	rc = order_move(db, o->id, o->state, s->to, o->version, ORDER_BY_APPLICANT);
	if (rc == ORDER_STALE) {
		s->stale = true;
		return DB_ERR;
	}
	if (rc == DB_OK)
		rc = db_exec(db, sql_submit,
			     DB_ARGS(DB_I64(!again), s->pin ? DB_STR(s->pin) : DB_NULL, DB_I64(o->id)),
			     NULL, NULL);
	if (rc == DB_OK && !again)
		rc = order_note(db, o->id, "signed", "applicant", s->r->auth.id, true, "");
	if (rc == DB_OK)
		rc = order_event(db, o->id, again ? "resubmitted" : "submitted", o->state, s->to,
				 "applicant", s->r->auth.id, true, "");
	if (rc == DB_OK && s->auto_approve && s->to == ORDER_REVIEWING)
		rc = approve_by_rule(s, o->version + 1);
	else if (rc == DB_OK)
		rc = notify(s->r, o, &ch, s->mobile, s->to);
	return rc;
}

struct wizard_sign_in {
	const char *code;
};

static const struct req_field code_field[] = {
	{ "code", true, 6, is_code, "请输入经办人手机收到的 6 位短信验证码。",
	  offsetof(struct wizard_sign_in, code) },
};

static int sign_as(struct req *r, enum order_state from)
{
	struct order o;
	struct claim c = { 0 };
	struct submit s = { 0 };
	struct wizard_sign_in in;
	char mobile[12];
	json_t *body;
	int rc;

	if (wizard_find_order(r, r->params[0], &o) < 0 || req_json(r, &body) < 0)
		return -1;
	if (REQ_FIELDS(r, body, code_field, &in) < 0 || signable(r, &o, from) < 0 ||
	    ready(r, &o, mobile) < 0)
		return -1;
	c.r = r;
	c.o = &o;
	rc = db_tx(&r->app->db, claim_tx, &c);
	if (c.held)
		return conflict(r);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	rc = smscode_check_bound(&r->app->db, r->arena, &r->app->conf, &r->app->key, mobile, "sign",
				 o.no, in.code);
	if (rc != CODE_OK) {
		release(r, &c);
		if (rc < 0)
			return app_db_error(r, rc);
		return resp_error(r, rc == CODE_WRONG ? ERR_CODE_WRONG : ERR_CODE_EXPIRED, "code", NULL);
	}
	if (wizard_unlock_auto(r, &o, &s.auto_approve) < 0) {
		release(r, &c);
		return -1;
	}
	rc = fees_key_inspected(&r->app->db, r->arena, o.channel_code, o.business, o.kind, &s.key_in);
	if (rc != DB_OK) {
		release(r, &c);
		return app_db_error(r, rc);
	}
	s.r = r;
	s.o = &o;
	s.claim = &c;
	s.mobile = mobile;
	rc = db_tx(&r->app->db, submit_tx, &s);
	if (rc != DB_OK) {
		/* The code is spent either way: a new one is needed to try again. */
		release(r, &c);
		if (s.holder)
			return wizard_hold_free(r, &o);
		return s.stale ? conflict(r) : app_db_error(r, rc);
	}
	resp_json(r, 200, json_pack("{s:s, s:s, s:s, s:s?, s:s?}", "order_no", o.no,
				    "state", order_state_str(s.to), "state_name", order_state_zh(s.to),
				    "pin_delivery", s.pin,
				    "pin_delivery_text", s.pin ? rules_pin_delivery_text(s.pin) : NULL));
	return 0;
}

int wizard_sign(struct req *r)
{
	return sign_as(r, ORDER_DRAFT);
}

int wizard_resubmit(struct req *r)
{
	return sign_as(r, ORDER_RETURNED);
}
