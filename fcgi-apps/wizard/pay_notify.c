/* wizard: POST /api/wizard/pay/notify: the provider's signed notification (no session). */
#include <stdlib.h>
#include <time.h>

#include "base/log.h"
#include "pay_payment.h"
#include "ext/provider.h"

static const char sql_payment_order[] = "SELECT order_id FROM payments WHERE pay_no = ?";

static void json_release(void *p)
{
	json_decref(p);
}

int wizard_pay_notify(struct req *r)
{
	const char *buf, *field, *ts, *sig;
	struct applying a = { .r = r };
	struct pay_notice n;
	struct db_rows rows;
	size_t len;
	json_t *j;
	int rc;

	/* The signature is this handler's auth check: nothing is read or written before it. */
	if (req_body(r, (size_t)r->app->conf.json_body_max, &buf, &len) < 0)
		return -1;
	ts = req_param(r, "HTTP_X_CERTHALL_TIMESTAMP");
	sig = req_param(r, "HTTP_X_CERTHALL_SIGNATURE");
	if (!ts || !sig ||
	    provider_verify(r->app->conf.pay_secret, ts, sig, buf, len, time(NULL)) < 0) {
		log_rid(LOG_WARN, r->rid, "pay notify: bad or missing signature from %s",
			r->remote_addr ? r->remote_addr : "-");
		return resp_error(r, ERR_BAD_SIGNATURE, NULL, NULL);
	}
	j = json_loadb(buf, len, JSON_REJECT_DUPLICATES, NULL);
	if (j && arena_defer(r->arena, json_release, j) < 0) {
		json_decref(j);
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	}
	if (!json_is_object(j))
		return resp_error(r, ERR_BAD_JSON, NULL, NULL);
	if (pay_notice_parse(j, &n, &field) < 0)
		return resp_error(r, ERR_INVALID_FIELD, field, NULL);
	a.pay_no = n.pay_no;
	a.notice = &n;
	a.rep = (struct payment_report){ .state = n.kind, .amount_fen = n.amount_fen,
				     .provider_ref = n.provider_ref, .actor_type = "system" };
	rc = db_query(&r->app->db, r->arena, sql_payment_order, DB_ARGS(DB_STR(n.pay_no)), &rows);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (rows.nrows == 1 && str_is(n.kind, "paid") &&
	    wizard_pay_handler_mobile(r, strtoll(db_cell(&rows, 0, 0), NULL, 10), &a.mobile) < 0)
		return -1;
	rc = db_tx(&r->app->db, wizard_pay_apply_tx, &a);
	if (a.duplicate) {
		resp_json(r, 200, json_pack("{s:b, s:b}", "ok", 1, "duplicate", 1));
		return 0;
	}
	if (rc != DB_OK)
		return app_db_error(r, rc);
	wizard_pay_log_outcome(r, "notify", n.pay_no, &a.out);
	if (a.out.outcome == PAYMENT_UNKNOWN)
		return resp_error(r, ERR_NOT_FOUND, "pay_no", "没有该支付流水号。");
	resp_json(r, 200, json_pack("{s:b, s:s}", "ok", 1, "outcome", payment_outcome_name(a.out.outcome)));
	return 0;
}
