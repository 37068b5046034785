/* wizard: POST /api/wizard/orders/:no/fin-check: 001's 金融认证 action. "如金融认证不通过，进入个人
 * 中心—我的业务单—证书申请，找到对应的申请单，点击“金融认证”按钮，重新填写正确的单位基本账户信息后点击
 * “提交”即可": the basic account saved again (sealed, as the financial step saves it), the order
 * back to approved, and a new 0.01 transfer with a new PIN in its memo (domain/fincheck.h),
 * sent after the answer. */
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/strlist.h"
#include "domain/fincheck.h"
#include "domain/order.h"
#include "wizard.h"

static const char sql_lock[] =
	"SELECT state, version FROM orders WHERE id = ? FOR UPDATE";

struct fin {
	struct req *r;
	const struct order *o;
	json_t *data;
	long long check_id;
	enum err_code refused;
	const char *why;
};

static const char sql_recorded[] =
	"INSERT INTO verifications (order_id, subject, method, provider_ref, state, link, message, "
	"created_at, decided_at) VALUES (?, 'enterprise', 'transfer', NULL, 'passed', '', "
	"'已重新登记单位基本户信息，将再次打款 0.01 元进行金融认证。', NOW(3), NOW(3))";

static int fin_tx(struct db *db, void *p)
{
	struct fin *f = p;
	struct req *r = f->r;
	struct db_rows rows;
	struct fincheck_row latest;
	int rc;

	f->refused = ERR__COUNT;
	rc = db_query(db, r->arena, sql_lock, DB_ARGS(DB_I64(f->o->id)), &rows);
	if (rc != DB_OK)
		return rc;
	rc = fincheck_latest(db, r->arena, f->o->id, &latest);
	if (rc != DB_OK)
		return rc;
	/* Under the lock: a second submit of the same form finds the order approved again. */
	if (rows.nrows != 1 ||
	    order_state_parse(db_cell(&rows, 0, 0)) != ORDER_VERIFY_FAILED ||
	    !str_is(latest.state, "failed")) {
		f->refused = ERR_WRONG_STATE;
		f->why = "本订单当前没有未通过的金融认证，无需重新填写单位基本账户信息。";
		return DB_ERR;
	}
	rc = wizard_step_save(db, r, f->o->id, STEP_FINANCIAL, f->data);
	/* The enterprise check stands for the account as now entered (its step changed): recorded
	 * again, as the verify step records it at this hall, the transfer to follow. */
	if (rc == DB_OK)
		rc = db_exec(db, sql_recorded, DB_ARGS(DB_I64(f->o->id)), NULL, NULL);
	if (rc == DB_OK)
		rc = order_move(db, f->o->id, ORDER_VERIFY_FAILED, ORDER_APPROVED,
				strtoll(db_cell(&rows, 0, 1), NULL, 10), ORDER_BY_APPLICANT);
	if (rc == ORDER_STALE)
		return DB_RETRY;
	if (rc == DB_OK)
		rc = order_event(db, f->o->id, "fin_check_resubmitted", ORDER_VERIFY_FAILED,
				 ORDER_APPROVED, "applicant", r->auth.id, true, "");
	if (rc == DB_OK)
		rc = fincheck_queue(db, &r->app->key, f->o->id, &f->check_id);
	return rc;
}

/* POST .../fin-check {"account_name", "bank", "account_no"}: the financial step's fields. */
int wizard_fin_check(struct req *r)
{
	struct fin f = { .r = r, .refused = ERR__COUNT };
	struct wizard_step_input in;
	struct order o;
	json_t *body, *saved, *ent;
	int rc;

	if (wizard_find_order(r, r->params[0], &o) < 0)
		return -1;
	if (!wizard_fin_failed(&o))
		return resp_error(r, ERR_WRONG_STATE, NULL,
				  "本订单当前没有未通过的金融认证，无需重新填写单位基本账户信息。");
	if (req_json(r, &body) < 0 || wizard_step_load(r, o.id, STEP_FINANCIAL, &saved) < 0 ||
	    wizard_step_load(r, o.id, STEP_ENTERPRISE, &ent) < 0)
		return -1;
	/* The step's own checks: the same fields, masks standing for what is saved. */
	if (wizard_step_check(r, &o, STEP_FINANCIAL, body, saved, &in) < 0)
		return -1;
	/* The bank pays only into an account held in the organisation's own name (001). */
	if (!str_is(order_step_str(in.data, "account_name"), order_step_str(ent, "org_name")))
		return resp_error(r, ERR_INVALID_FIELD, "account_name",
				  "基本户名称须与单位名称一致，请核对后重新填写。");
	f.o = &o;
	f.data = in.data;
	rc = db_tx(&r->app->db, fin_tx, &f);
	if (f.refused != ERR__COUNT)
		return resp_error(r, f.refused, NULL, f.why);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	/* Committed: a transfer not sent now is the runner's (certhall-admin fin-checks). */
	if (app_fincheck_after(r, f.check_id) < 0)
		log_rid(LOG_WARN, r->rid, "order %s: fin check %lld left to the runner", o.no,
			f.check_id);
	resp_json(r, 200, json_pack("{s:s, s:s, s:s, s:{s:s, s:s}}", "order_no", o.no, "state",
				    order_state_str(ORDER_APPROVED), "state_name",
				    fincheck_state_zh(ORDER_APPROVED, o.verify_method, "queued"),
				    "fin_check", "state", "queued", "state_name",
				    "已重新提交，正在向单位基本户打款 0.01 元进行金融认证。"));
	return 0;
}
