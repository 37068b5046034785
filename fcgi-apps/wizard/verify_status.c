/* wizard: GET /api/wizard/orders/:no/verify/:subject: the latest check of a subject, a pending
 * one asked about at the gateway first. */
#include <stdio.h>
#include <stdlib.h>

#include "base/log.h"
#include "verify_subject.h"

#define POLLS_LIMIT 30      /* gateway queries per order and window from status polling */
#define POLLS_WINDOW 60

struct poll {
	struct req *r;
	const struct order *o;
	const struct subject *s;
	long long id;
	const char *method;
	const struct verify_result *res;
	const char *message;
	enum order_state after;
};

static int poll_tx(struct db *db, void *p)
{
	struct poll *x = p;
	struct locked lk;
	unsigned long long n = 0;
	int rc = wizard_verify_lock(db, x->r, x->o->id, &lk);

	if (rc != DB_OK)
		return rc;
	x->after = lk.state;
	rc = wizard_verify_decide(db, x->id, wizard_verify_state_code(x->res->state), x->message,
				  &n);
	/* Another request settled it first: its trail stands. */
	if (rc != DB_OK || n == 0)
		return rc;
	return wizard_verify_settle(db, x->r, x->o->id, x->s, x->method, &lk, x->res->state,
				    x->message, &x->after);
}

/* GET .../verify/:subject: the latest check; a pending one is asked at the gateway first. */
int wizard_verify_status(struct req *r)
{
	const struct subject *s;
	struct order o;
	struct verify_result res;
	struct provider p;
	struct db_rows v;
	struct poll x;
	enum order_state state;
	char err[256], poll_bucket[48];
	bool required;
	int rc;

	if (wizard_find_order(r, r->params[0], &o) < 0)
		return -1;
	if (!(s = wizard_verify_subject(r->params[1])))
		return resp_error(r, ERR_NOT_FOUND, NULL, NULL);
	required = s->step == STEP_HANDLER || (wizard_plan_has(&o, STEP_ENTERPRISE) && !o.mail_in);
	rc = wizard_verify_latest(&r->app->db, r, o.id, s, false, &v);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	state = o.state;
	snprintf(poll_bucket, sizeof(poll_bucket), "verify-poll:%lld", o.id);
	/* A transfer waits for the memo code, not for the gateway. */
	if (v.nrows == 1 && str_is(db_cell(&v, 0, L_STATE), "pending") &&
	    !str_is(db_cell(&v, 0, L_METHOD), "transfer") &&
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
					   .message = wizard_verify_masked(
						   r, res.state == VERIFY_FAILED ? res.message : "") };
			rc = db_tx(&r->app->db, poll_tx, &x);
			if (rc != DB_OK)
				return app_db_error(r, rc);
			state = x.after;
		}
	}
	return wizard_verify_answer(r, &o, s, state, o.mail_in,
				    json_pack("{s:b}", "required", required));
}
