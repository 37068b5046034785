/* wizard: the subjects of identity verification and what every verification endpoint does with
 * one: the order locked, the latest check, how a decided check moves the order, the answer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/mask.h"
#include "domain/order.h"
#include "media/qr.h"
#include "verify_subject.h"


static const struct subject subjects[] = {
	{ "enterprise", "企业身份核验", STEP_ENTERPRISE, { "enterprise", "financial" } },
	{ "handler", "经办人身份核验", STEP_HANDLER, { "handler", "handler" } },
};

const struct subject *wizard_verify_subject(const char *code)
{
	for (size_t i = 0; code && i < sizeof(subjects) / sizeof(subjects[0]); i++)
		if (strcmp(subjects[i].code, code) == 0)
			return &subjects[i];
	return NULL;
}

static const char sql_lock[] =
	"SELECT state, version, mail_in, editable FROM orders WHERE id = ? FOR UPDATE";
static const char sql_channel[] =
	"SELECT c.mail_in, FIND_IN_SET(?, c.verify_methods), FIND_IN_SET(?, c.handler_methods), "
	"COALESCE(a.uscc, ''), c.fin_after_approval FROM orders o "
	"JOIN channels c ON c.id = o.channel_id "
	"LEFT JOIN accounts a ON a.id = o.account_id WHERE o.id = ?";
/* current: the steps the row checked are unchanged since it started. */
#define LATEST_COLS                                                                             \
	"SELECT v.id, v.method, COALESCE(v.provider_ref, ''), v.state, v.memo_tries, v.link, "     \
	"v.message, DATE_FORMAT(v.created_at, " DB_ISO_FMT "), "                                           \
	"COALESCE(DATE_FORMAT(v.decided_at, " DB_ISO_FMT "), ''), "                                        \
	"v.created_at >= COALESCE((SELECT MAX(s.updated_at) FROM order_steps s "                   \
	"WHERE s.order_id = v.order_id AND s.step IN (?, IF(v.method = 'transfer', ?, ?))), "       \
	"v.created_at) "                                                                            \
	"FROM verifications v WHERE v.order_id = ? AND v.subject = ? ORDER BY v.id DESC LIMIT 1"
static const char sql_latest[] = LATEST_COLS;
static const char sql_latest_lock[] = LATEST_COLS " FOR UPDATE";
static const char sql_other[] =
	"SELECT state FROM verifications WHERE order_id = ? AND subject = ? ORDER BY id DESC LIMIT 1";
static const char sql_settle[] =
	"UPDATE verifications SET state = ?, message = ?, decided_at = NOW(3) "
	"WHERE id = ? AND state = 'pending'";

/* ---------------------------------------------------------------- the order, as locked */

int wizard_verify_lock(struct db *db, struct req *r, long long id, struct locked *lk)
{
	struct db_rows rows;
	int rc = db_query(db, r->arena, sql_lock, DB_ARGS(DB_I64(id)), &rows);

	if (rc != DB_OK)
		return rc;
	if (rows.nrows != 1)
		return DB_ERR;
	lk->state = order_state_parse(db_cell(&rows, 0, 0));
	lk->version = strtoll(db_cell(&rows, 0, 1), NULL, 10);
	lk->mail_in = strtol(db_cell(&rows, 0, 2), NULL, 10) != 0;
	lk->editable = db_cell(&rows, 0, 3);
	return DB_OK;
}

bool wizard_verify_startable(const struct order *o, enum order_state state,
			     const char *editable, bool mail_in, const struct subject *s,
			     struct req *r, const char **why)
{
	struct order cur = *o;

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
		*why = arena_printf(r->arena, "订单当前状态（%s）不能进行身份核验。",
				    order_state_zh(state));
		return false;
	}
	return true;
}

/* ------------------------------------------------------------------- what is checked */

int wizard_verify_channel(struct req *r, const struct order *o, const char *method,
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
	ch->offered = strtol(db_cell(&rows, 0, str_is(method, "mobile") || str_is(method, "card") ||
					    str_is(method, "face") ? 2 : 1), NULL, 10) > 0;
	ch->uscc = db_cell(&rows, 0, 3);
	ch->fin_after_approval = str_is(db_cell(&rows, 0, 4), "1");
	return 0;
}


/* -------------------------------------------------------------------- the outcome */

const char *wizard_verify_state_code(enum verify_state s)
{
	return s == VERIFY_PASSED ? "passed" : s == VERIFY_FAILED ? "failed" : "pending";
}

const char *wizard_verify_masked(struct req *r, const char *message)
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
	const char *other = str_is(s->code, "enterprise") ? "handler" : "enterprise";
	struct db_rows rows;
	int rc;

	*failed = false;
	if (str_is(other, "enterprise") && mail_in)
		return DB_OK;
	rc = db_query(db, r->arena, sql_other, DB_ARGS(DB_I64(order_id), DB_STR(other)), &rows);
	if (rc == DB_OK && rows.nrows == 1)
		*failed = str_is(db_cell(&rows, 0, 0), "failed");
	return rc;
}

int wizard_verify_decide(struct db *db, long long id, const char *state, const char *message,
			 unsigned long long *n)
{
	return db_exec(db, sql_settle, DB_ARGS(DB_STR(state), DB_STR(message), DB_I64(id)), n,
		       NULL);
}

/*
 * Inside the transaction, once the row says st: the order's trail and state. A pass takes a
 * verify_failed order back to draft unless the other subject still fails; a failure takes
 * a draft to verify_failed (returned orders stay returned: the reviewer's list decides).
 * *after: the order's state afterwards.
 */
int wizard_verify_settle(struct db *db, struct req *r, long long order_id,
			 const struct subject *s, const char *method, const struct locked *lk,
			 enum verify_state st, const char *message, enum order_state *after)
{
	const char *name = verify_method_name(method);
	const char *note;
	bool failed;
	int rc;

	*after = lk->state;
	if (st == VERIFY_PASSED) {
		rc = wizard_subject_checked(db, r, order_id, s->step == STEP_ENTERPRISE);
		if (rc != DB_OK)
			return rc;
		note = arena_printf(r->arena, "%s通过（%s）", s->zh, name);
		if (lk->state == ORDER_VERIFY_FAILED) {
			rc = other_failed(db, r, order_id, s, lk->mail_in, &failed);
			if (rc != DB_OK)
				return rc;
			if (!failed) {
				rc = order_move(db, order_id, ORDER_VERIFY_FAILED, ORDER_DRAFT,
						lk->version, ORDER_BY_APPLICANT);
				if (rc != DB_OK)
					return rc == ORDER_STALE ? DB_RETRY : rc;
				*after = ORDER_DRAFT;
				return order_event(db, order_id, "verified", ORDER_VERIFY_FAILED,
						   ORDER_DRAFT, "applicant", r->auth.id, false, note);
			}
		}
		return order_note(db, order_id, "verified", "applicant", r->auth.id, false, note);
	}
	if (st != VERIFY_FAILED)
		return DB_OK;
	note = arena_printf(r->arena, "%s未通过（%s）%s%s", s->zh, name, message[0] ? "：" : "",
			    message);
	/* The provider's word moves the order, on the applicant's request: SYSTEM in the table. */
	if (lk->state == ORDER_DRAFT) {
		rc = order_move(db, order_id, ORDER_DRAFT, ORDER_VERIFY_FAILED, lk->version,
				ORDER_BY_SYSTEM);
		if (rc != DB_OK)
			return rc == ORDER_STALE ? DB_RETRY : rc;
		*after = ORDER_VERIFY_FAILED;
		return order_event(db, order_id, "verify_failed", ORDER_DRAFT, ORDER_VERIFY_FAILED,
				   "applicant", r->auth.id, false, note);
	}
	return order_note(db, order_id, "verify_failed", "applicant", r->auth.id, false, note);
}


/* --------------------------------------------------------------------- answers */

int wizard_verify_latest(struct db *db, struct req *r, long long order_id,
			 const struct subject *s, bool lock, struct db_rows *rows)
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
	bool pending = str_is(state, "pending"), transfer = str_is(method, "transfer");
	struct qr_svg qr;
	json_t *j;

	if (pending && transfer)
		message = "已向对公账户打款 0.01 元：请在该账户的入账明细中查看备注里的 6 位数字，填写后完成验证。";
	else if (pending && verify_method_face(method))
		message = "请用手机打开链接或扫描二维码，按提示完成刷脸及活体验证。";
	else if (str_is(state, "void"))
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

json_t *wizard_verify_offers(const struct subject *s, enum order_state state, bool channel_mail_in,
			     bool mail_in)
{
	json_t *a = json_array();

	json_array_append_new(a, json_string("edit"));
	if (s->step == STEP_ENTERPRISE && channel_mail_in && !mail_in &&
	    (state == ORDER_DRAFT || state == ORDER_VERIFY_FAILED))
		json_array_append_new(a, json_string("mail_in"));
	return a;
}

int wizard_verify_answer(struct req *r, const struct order *o, const struct subject *s,
			 enum order_state state, bool mail_in, json_t *more)
{
	struct channel ch = { 0 };
	struct db_rows rows;
	json_t *body, *v = NULL;
	int rc = wizard_verify_latest(&r->app->db, r, o->id, s, false, &rows);

	if (rc != DB_OK) {
		json_decref(more);
		return app_db_error(r, rc);
	}
	if (rows.nrows == 1 && str_is(db_cell(&rows, 0, L_STATE), "failed") &&
	    wizard_verify_channel(r, o, "", &ch) < 0) {
		json_decref(more);
		return -1;
	}
	if (rows.nrows == 1)
		v = verification_json(r, s, &rows);
	body = json_pack("{s:s, s:s, s:s, s:o}", "order_no", o->no,
			 "order_state", order_state_str(state), "subject",
			 s->code, "verification", v ? v : json_null());
	if (body && rows.nrows == 1 && str_is(db_cell(&rows, 0, L_STATE), "failed"))
		json_object_set_new(body, "offers",
				    wizard_verify_offers(s, state, ch.mail_in, mail_in));
	if (body && more)
		json_object_update(body, more);
	json_decref(more);
	if (!body)
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	resp_json(r, 200, body);
	return 0;
}

/* ------------------------------------------------------------------ for the sign step */

/* The enterprise check when the plan has it and the order is not mail-in, the handler's
 * always (002: mail-in still checks the handler); each the latest of its subject, passed, and
 * on the data saved now (a check whose steps were saved again after it started, or voided by
 * that save, does not count). */
int wizard_verified(struct req *r, const struct order *o, bool *ok,
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
		rc = wizard_verify_latest(&r->app->db, r, o->id, s, false, &v);
		if (rc != DB_OK)
			return app_db_error(r, rc);
		if (v.nrows != 1 || !str_is(db_cell(&v, 0, L_STATE), "passed") ||
		    strtol(db_cell(&v, 0, L_CURRENT), NULL, 10) == 0) {
			*missing_subject = s->code;
			return 0;
		}
	}
	*ok = true;
	return 0;
}
