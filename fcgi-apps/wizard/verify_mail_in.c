/* wizard: POST /api/wizard/orders/:no/mail-in: after a failed enterprise check, the switch to
 * paper by courier (002 2.2.2). */
#include <stdlib.h>

#include "domain/order.h"
#include "verify_subject.h"

static const char sql_failed_enterprise[] =
	"SELECT COUNT(*) FROM verifications WHERE order_id = ? AND subject = 'enterprise' "
	"AND state = 'failed'";
static const char sql_mail_in[] =
	"UPDATE orders SET mail_in = 1, verify_method = 'mail_in' WHERE id = ?";

/* What mail-in means, for the page that confirms the switch (002 2.2.2). The review time is the
 * hall's promise (002 "收到材料后的3-5个工作日"; 003 "我司收件后,3个工作日内办结"), not one hall's
 * words for every hall. */
static json_t *mail_in_info(struct req *r, const struct order *o)
{
	const char *days = o->days_min == o->days_max
				   ? arena_printf(r->arena, "%d", o->days_min)
				   : arena_printf(r->arena, "%d 至 %d", o->days_min, o->days_max);

	if (!o->days_public)
		days = NULL;
	return json_pack(
		"{s:s, s:[s, s, s, s, s], s:s, s:s}", "title", "线下邮寄办理", "steps",
		"完成经办人身份核验", "确认证书产品", "打印申请表，由经办人签字并加盖单位公章",
		"支付订单", "按页面提示将申请表等纸质材料通过快递寄至受理点",
		"review", days ? arena_printf(r->arena, "受理点收到纸质材料后 %s 个工作日内完成审核，审核通过后寄出证书（UKEY）。", days)
			       : "受理点收到纸质材料后进行审核，审核通过后寄出证书（UKEY）。",
		"note", "改为线下邮寄后，单位身份以寄送的盖章纸质材料核实，不再进行在线企业身份核验；经办人身份仍需在线核验。");
}

struct mail_in {
	struct req *r;
	const struct order *o;
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
	rc = wizard_verify_lock(db, r, x->o->id, &lk);
	if (rc != DB_OK)
		return rc;
	if (lk.state != ORDER_VERIFY_FAILED && lk.state != ORDER_DRAFT) {
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
	/* A draft stays one; a failed check is failed no more once paper replaces it. */
	if (lk.state == ORDER_VERIFY_FAILED) {
		rc = order_move(db, x->o->id, lk.state, ORDER_DRAFT, lk.version, ORDER_BY_APPLICANT);
		if (rc != DB_OK)
			return rc == ORDER_STALE ? DB_RETRY : rc;
	}
	rc = db_exec(db, sql_mail_in, DB_ARGS(DB_I64(x->o->id)), NULL, NULL);
	if (rc != DB_OK)
		return rc;
	return order_event(db, x->o->id, "mail_in", lk.state,
			   lk.state == ORDER_DRAFT ? ORDER_STATE_NONE : ORDER_DRAFT, "applicant",
			   r->auth.id, true, "企业身份核验未通过，改为线下邮寄纸质材料办理");
}

/* POST .../mail-in: after a failed enterprise check, go on with paper by courier (002). */
int wizard_mail_in(struct req *r)
{
	struct order o;
	struct channel ch;
	struct mail_in x = { .r = r };
	int rc;

	if (wizard_find_order(r, r->params[0], &o) < 0)
		return -1;
	if (!wizard_plan_has(&o, STEP_ENTERPRISE))
		return resp_error(r, ERR_WRONG_STATE, NULL,
				  "本订单无需企业身份核验，不涉及线下邮寄办理。");
	/* A paid, approved order whose 001 transfer came back goes on only by its account
	 * (金融认证): paper would send it back to a draft and lose the approval. */
	if (wizard_fin_failed(&o))
		return resp_error(r, ERR_WRONG_STATE, NULL,
				  "该订单已审核通过，请点击“金融认证”重新填写单位基本户信息。");
	if (wizard_verify_channel(r, &o, "", &ch) < 0)
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
		o.state = ORDER_DRAFT;
	}
	resp_json(r, 200, json_pack("{s:s, s:s, s:b, s:s, s:o}", "order_no", o.no, "order_state",
				    order_state_str(o.state), "mail_in", 1, "verify_method", "mail_in", "mail_in_info",
				    mail_in_info(r, &o)));
	return 0;
}
