/* wizard: POST /api/wizard/orders/:no/verify/enterprise/confirm: the memo code of a corporate
 * transfer check, read off the bank statement (001). */
#include <stdlib.h>
#include <string.h>

#include "domain/verifymemo.h"
#include "verify_subject.h"

static const char sql_tries[] = "UPDATE verifications SET memo_tries = memo_tries + 1 WHERE id = ?";

struct confirm {
	struct req *r;
	const struct order *o;
	const struct subject *s;
	const char *memo;
	enum err_code refused;
	const char *why;
	enum order_state after;
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
	rc = wizard_verify_lock(db, r, x->o->id, &lk);
	if (rc != DB_OK)
		return rc;
	x->after = lk.state;
	if (!wizard_verify_startable(x->o, lk.state, lk.editable, lk.mail_in, x->s, r, &x->why)) {
		x->refused = ERR_WRONG_STATE;
		return DB_ERR;
	}
	rc = wizard_verify_latest(db, r, x->o->id, x->s, true, &v);
	if (rc != DB_OK)
		return rc;
	if (v.nrows != 1 || !str_is(db_cell(&v, 0, L_METHOD), "transfer") ||
	    !str_is(db_cell(&v, 0, L_STATE), "pending")) {
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
	verifymemo_code(&r->app->key, db_cell(&v, 0, L_REF), want);
	x->right = crypto_equal(x->memo, want, VERIFY_MEMO_LEN);
	if (x->right) {
		rc = wizard_verify_decide(db, id, "passed", "", NULL);
		return rc == DB_OK ? wizard_verify_settle(db, r, x->o->id, x->s, "transfer", &lk,
							  VERIFY_PASSED, "", &x->after)
				   : rc;
	}
	x->tries_left = MEMO_TRIES - (tries + 1);
	rc = db_exec(db, sql_tries, DB_ARGS(DB_I64(id)), NULL, NULL);
	if (rc != DB_OK || x->tries_left > 0)
		return rc;
	rc = wizard_verify_decide(db, id, "failed", "备注码连续 5 次填写错误。", NULL);
	return rc == DB_OK ? wizard_verify_settle(db, r, x->o->id, x->s, "transfer", &lk,
						  VERIFY_FAILED, "备注码连续 5 次填写错误。", &x->after)
			   : rc;
}

static bool is_memo(const char *s)
{
	return strlen(s) == VERIFY_MEMO_LEN && strspn(s, "0123456789") == VERIFY_MEMO_LEN;
}

struct wizard_verify_confirm_in {
	const char *memo;
};

static const struct req_field confirm_fields[] = {
	{ "memo", true, VERIFY_MEMO_LEN, is_memo, "请填写对公账户入账备注中的 6 位数字备注码。",
	  offsetof(struct wizard_verify_confirm_in, memo) },
};

/* POST .../verify/enterprise/confirm {"memo": "123456"}: the code off the bank statement. */
int wizard_verify_confirm(struct req *r)
{
	struct wizard_verify_confirm_in in;
	struct confirm x = { .r = r };
	struct channel ch;
	struct order o;
	const char *why = NULL;
	json_t *body;
	int rc;

	if (wizard_find_order(r, r->params[0], &o) < 0)
		return -1;
	x.s = wizard_verify_subject(r->params[1]);
	if (!x.s || x.s->step != STEP_ENTERPRISE)
		return resp_error(r, ERR_NOT_FOUND, NULL, NULL);
	if (req_json(r, &body) < 0 || REQ_FIELDS(r, body, confirm_fields, &in) < 0)
		return -1;
	x.memo = in.memo;
	if (!wizard_verify_startable(&o, o.state, o.editable, o.mail_in, x.s, r, &why))
		return resp_error(r, ERR_WRONG_STATE, NULL, why);
	x.o = &o;
	rc = db_tx(&r->app->db, confirm_tx, &x);
	if (rc != DB_OK) {
		if (x.refused != ERR__COUNT)
			return resp_error(r, x.refused, NULL, x.why);
		return app_db_error(r, rc);
	}
	if (x.right)
		return wizard_verify_answer(r, &o, x.s, x.after, o.mail_in, NULL);
	if (x.tries_left > 0)
		return resp_error_with(r, ERR_MEMO_WRONG, "memo",
				       arena_printf(r->arena,
						    "备注码不正确，请核对对公账户 0.01 元入账记录的备注，还可以再试 %ld 次。",
						    x.tries_left),
				       json_pack("{s:i}", "tries_left", (int)x.tries_left));
	if (wizard_verify_channel(r, &o, "", &ch) < 0)
		return -1;
	return resp_error_with(
		r, ERR_MEMO_WRONG, "memo",
		"备注码连续 5 次填写错误，本次对公打款验证未通过。您可以核对信息后重新发起验证，或改为线下邮寄办理。",
		json_pack("{s:i, s:s, s:o}", "tries_left", 0, "order_state",
			  order_state_str(x.after), "offers",
			  wizard_verify_offers(x.s, x.after, ch.mail_in, o.mail_in)));
}
