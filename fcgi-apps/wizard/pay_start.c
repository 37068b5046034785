/* wizard: POST /api/wizard/orders/:no/pay: a payment opened, or the open one answered.
 *
 * A QR payment's row is committed before the provider is asked (so that whatever the provider
 * made has a row to land on) and closed if the provider fails; the order's pay_method, PIN way
 * and event change only once the QR exists. */
#include <stdio.h>
#include <stdlib.h>

#include "base/log.h"
#include "domain/order.h"
#include "pay_payment.h"
#include "domain/rules.h"

/* QR payments made or switched away from at the provider, per account: [pay]
 * per_account_hour (conf.h says why). */
#define CREATES_WINDOW 3600

static bool is_method(const char *s)
{
	return pay_method_name(s) != NULL;
}

static bool is_scene(const char *s)
{
	return str_is(s, "qr") || str_is(s, "h5");
}

struct wizard_pay_in {
	const char *method, *scene;
};

static const struct req_field pay_fields[] = {
	{ "method", true, 16, is_method,
	  "请选择支付方式：微信支付、支付宝支付、对公转账或现场缴费。",
	  offsetof(struct wizard_pay_in, method) },
	{ "scene", false, 4, is_scene, "支付场景应为 qr（扫码）或 h5（手机浏览器）。",
	  offsetof(struct wizard_pay_in, scene) },
};

static const char sql_offered[] =
	"SELECT pay_methods, desk_only_businesses FROM channels WHERE id = ?";
static const char sql_lock_order[] = "SELECT state FROM orders WHERE id = ? FOR UPDATE";
static const char sql_open[] =
	"SELECT id, method, state, qr_url, pay_no, h5_url FROM payments "
	"WHERE order_id = ? AND state IN ('pending', 'awaiting_finance') ORDER BY id DESC FOR UPDATE";
static const char sql_insert[] =
	"INSERT INTO payments (order_id, method, amount_fen, pay_no, state, created_at) "
	"VALUES (?, ?, ?, ?, ?, NOW(3))";
static const char sql_order_method[] =
	"UPDATE orders SET pay_method = ?, pin_delivery = COALESCE(?, pin_delivery), "
	"version = version + 1, updated_at = NOW(3) WHERE id = ?";
static const char sql_set_qr[] =
	"UPDATE payments SET qr_url = ?, h5_url = ?, provider_ref = ?, version = version + 1 "
	"WHERE id = ? AND state = 'pending' AND qr_url = ''";
static const char sql_fail[] =
	"UPDATE payments SET state = 'closed', version = version + 1 "
	"WHERE id = ? AND state = 'pending' AND qr_url = ''";

struct start {
	struct req *r;
	const struct order *o;
	const char *method;
	bool h5;                       /* a phone's browser: an H5 order, not a QR */
	enum err_code refused;
	char close_no[PAY_NO_LEN + 1]; /* an open QR of another method: close it first */
	long long id;                  /* the payment answered */
	bool fresh;                    /* made by this request */
	const struct pay_state *st;    /* finish_tx: what the provider made */
};

/* The order's method and PIN way, the other open payments closed, and the event: what a
 * payment the applicant can now make changes. */
static int commit_method(struct db *db, struct start *s, const char *event)
{
	int rc = payment_close_others(db, s->o->id, s->id);
	const char *pin = wizard_pin_delivery(s->o, s->method);

	if (rc == DB_OK)
		rc = db_exec(db, sql_order_method,
			     DB_ARGS(DB_STR(s->method), pin ? DB_STR(pin) : DB_NULL, DB_I64(s->o->id)),
			     NULL, NULL);
	if (rc == DB_OK)
		rc = order_note(db, s->o->id, event, "applicant", s->r->auth.id, true,
				 pay_method_name(s->method));
	return rc;
}

/* Whether an open payment (method, qr_url, h5_url) is the one asked for: the same method in
 * the same scene, a QR on a computer, an H5 page on a phone (one not yet made at the provider
 * takes the scene of whoever asks now). */
static bool same_payment(const struct start *s, const char *method, const char *qr,
			 const char *h5)
{
	if (!str_is(method, s->method))
		return false;
	return !pay_method_qr(method) || !qr[0] || (h5[0] != '\0') == s->h5;
}

static int lock_pending_order(struct db *db, struct start *s)
{
	struct db_rows rows;
	int rc = db_query(db, s->r->arena, sql_lock_order, DB_ARGS(DB_I64(s->o->id)), &rows);

	if (rc != DB_OK)
		return rc;
	if (rows.nrows != 1 || order_state_parse(db_cell(&rows, 0, 0)) != ORDER_PENDING_PAYMENT) {
		s->refused = ERR_WRONG_STATE;
		return DB_ERR;
	}
	return DB_OK;
}

static int open_tx(struct db *db, void *ctx)
{
	struct start *s = ctx;
	struct arena *a = s->r->arena;
	bool qr = pay_method_qr(s->method);
	char pay_no[PAY_NO_LEN + 1];
	unsigned long long id = 0;
	struct db_rows rows;
	int rc;

	s->refused = ERR__COUNT;
	s->close_no[0] = '\0';
	s->fresh = false;
	rc = lock_pending_order(db, s);
	if (rc != DB_OK)
		return rc;
	rc = db_query(db, a, sql_open, DB_ARGS(DB_I64(s->o->id)), &rows);
	if (rc != DB_OK)
		return rc;
	/* The same method again is the same payment: a second click never charges twice. */
	for (size_t i = 0; i < rows.nrows; i++)
		if (same_payment(s, db_cell(&rows, i, 1), db_cell(&rows, i, 3),
				 db_cell(&rows, i, 5))) {
			s->id = strtoll(db_cell(&rows, i, 0), NULL, 10);
			return DB_OK;
		}
	/* A QR of another method or scene may still be paid: the provider closes it first. */
	for (size_t i = 0; i < rows.nrows; i++)
		if (payment_state_is(db_cell(&rows, i, 2), PAYMENT_STATE_PENDING)) {
			snprintf(s->close_no, sizeof(s->close_no), "%s", db_cell(&rows, i, 4));
			return DB_ERR;
		}
	for (int attempt = 0; attempt < 3; attempt++) {
		if (pay_no_make(pay_no) < 0)
			return DB_ERR;
		rc = db_exec(db, sql_insert,
			     DB_ARGS(DB_I64(s->o->id), DB_STR(s->method), DB_I64(s->o->amount_fen),
				     DB_STR(pay_no),
				     DB_STR(payment_state_str(qr ? PAYMENT_STATE_PENDING
								 : PAYMENT_STATE_AWAITING_FINANCE))),
			     NULL, &id);
		if (rc != DB_DUP)
			break;
	}
	if (rc != DB_OK)
		return rc;
	s->id = (long long)id;
	s->fresh = true;
	/* A QR payment counts once the provider made it (finish_tx); a transfer or a counter
	 * payment now: finance takes it from here. */
	return qr ? DB_OK : commit_method(db, s, "payment_awaiting_finance");
}

static int finish_tx(struct db *db, void *ctx)
{
	struct start *s = ctx;
	unsigned long long n = 0;
	int rc;

	s->refused = ERR__COUNT;
	rc = lock_pending_order(db, s);
	if (rc != DB_OK)
		return rc;
	rc = db_exec(db, sql_set_qr,
		     DB_ARGS(DB_STR(s->st->qr_url), DB_STR(s->st->h5_url), DB_STR(s->st->provider_ref),
			     DB_I64(s->id)), &n,
		     NULL);
	if (rc != DB_OK)
		return rc;
	/* n == 0: a parallel request for the same payment finished it first. */
	return n == 1 ? commit_method(db, s, "payment_started") : DB_OK;
}

static int fail_tx(struct db *db, void *ctx)
{
	struct start *s = ctx;

	return db_exec(db, sql_fail, DB_ARGS(DB_I64(s->id)), NULL, NULL);
}

/* The applicant switches away from an open QR payment: the provider closes it (or says it
 * was paid meanwhile), and we record what it says. Returns 0, or -1 answered. */
static int switch_away(struct req *r, const struct order *o, const char *pay_no)
{
	struct pay_state st;
	char err[256] = "";
	int rc = pay_close(&r->app->conf, pay_no, &st, err, sizeof(err));

	if (rc == PAY_UNAVAILABLE) {
		log_rid(LOG_WARN, r->rid, "pay close %s: %s", pay_no, err);
		return resp_error(r, ERR_PROVIDER, NULL, NULL);
	}
	if (rc == PAY_NOT_FOUND) /* never made there (its create failed): nothing to pay */
		snprintf(st.state, sizeof(st.state), "%s", payment_state_str(PAYMENT_STATE_CLOSED));
	if (payment_state_is(st.state, PAYMENT_STATE_PENDING))
		return resp_error(r, ERR_CONFLICT, "method",
				  "上一笔扫码支付尚未关闭，请稍后再切换支付方式。");
	return wizard_pay_apply_state(r, "close", o->id, pay_no, &st);
}

/* Makes the provider's order for a QR payment that has none yet. Returns 0, or -1 answered. */
static int create_qr(struct req *r, struct start *s, const struct payment *p)
{
	const struct order *o = s->o;
	const char *subject = arena_printf(r->arena, "数字证书%s（%s）订单%s",
					   order_business_name(o->business),
					   order_kind_name(o->kind), o->no);
	/* WeChat H5 / Alipay wap bring the phone's browser back to the order's payment step. */
	const char *back = s->h5 ? arena_printf(r->arena, "%s/apply.html?order=%s&step=pay",
						r->app->conf.public_url, o->no)
				 : NULL;
	struct pay_state st;
	char err[256] = "";
	int rc;

	if (!subject || (s->h5 && !back))
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	if (pay_create(&r->app->conf, p->pay_no, p->amount_fen, p->method, subject, back, &st, err,
		       sizeof(err)) != PAY_OK) {
		log_rid(LOG_WARN, r->rid, "pay create %s: %s", p->pay_no, err);
		rc = db_tx(&r->app->db, fail_tx, s);
		if (rc != DB_OK)
			return app_db_error(r, rc);
		return resp_error(r, ERR_PROVIDER, NULL,
				  "支付服务暂时不可用，请稍后重试，或选择其他支付方式。");
	}
	s->st = &st;
	rc = db_tx(&r->app->db, finish_tx, s);
	if (s->refused != ERR__COUNT) {
		/* The order moved on meanwhile (cancelled): nobody saw this QR, close ours. */
		rc = db_tx(&r->app->db, fail_tx, s);
		return rc == DB_OK ? resp_error(r, s->refused, NULL, NULL) : app_db_error(r, rc);
	}
	return rc == DB_OK ? 0 : app_db_error(r, rc);
}

static const char sql_open_peek[] =
	"SELECT method, qr_url, h5_url FROM payments "
	"WHERE order_id = ? AND state IN ('pending', 'awaiting_finance')";

/* Whether paying with method would ask the provider: a QR to make, or an open QR of another
 * method to close. The same method again answers the open payment: that costs nothing.
 * Read without a lock: it decides what to count, open_tx decides what to do. */
static int costly(struct req *r, const struct start *s, bool *out)
{
	struct db_rows rows;
	bool other_qr = false;
	int rc = db_query(&r->app->db, r->arena, sql_open_peek, DB_ARGS(DB_I64(s->o->id)), &rows);

	if (rc != DB_OK)
		return app_db_error(r, rc);
	for (size_t i = 0; i < rows.nrows; i++) {
		const char *m = db_cell(&rows, i, 0), *qr = db_cell(&rows, i, 1);

		if (qr[0] && same_payment(s, m, qr, db_cell(&rows, i, 2))) {
			*out = false;
			return 0;
		}
		if (!pay_method_qr(m) && str_is(m, s->method)) {
			*out = false;
			return 0;
		}
		other_qr = other_qr || pay_method_qr(m);
	}
	*out = pay_method_qr(s->method) || other_qr;
	return 0;
}

/* A fresh order is a fresh budget; the account's own limit stops one account from opening
 * order after order just to make (and close) QR payments at the provider. Returns 0, or -1
 * answered (429 rate_limited, or the database's error). */
static int creates_allowed(struct req *r, const struct start *s)
{
	char bucket[48];
	bool cost = false;

	if (costly(r, s, &cost) < 0)
		return -1;
	if (!cost)
		return 0;
	snprintf(bucket, sizeof(bucket), "pay:a:%lld", r->auth.id);
	return wizard_limit(r, bucket, r->app->conf.pay_per_account_hour, CREATES_WINDOW,
			    "您的账号发起或切换扫码支付过于频繁") > 0 ? 0 : -1;
}

/* A phone's browser, when the page does not say: the tokens every mobile browser sends. */
static bool phone_agent(const char *ua)
{
	return ua && (strstr(ua, "Mobile") || strstr(ua, "Android") || strstr(ua, "iPhone"));
}

int wizard_pay(struct req *r)
{
	struct order o;
	struct wizard_pay_in in;
	struct start s = { .r = r, .o = &o };
	struct db_rows rows;
	struct payment p;
	const char *pin;
	json_t *body, *j;
	int rc;

	if (wizard_find_order(r, r->params[0], &o) < 0 || req_json(r, &body) < 0)
		return -1;
	if (REQ_FIELDS(r, body, pay_fields, &in) < 0)
		return -1;
	s.method = in.method;
	if (o.state != ORDER_PENDING_PAYMENT || o.amount_fen <= 0)
		return resp_error(r, ERR_WRONG_STATE, NULL,
				  arena_printf(r->arena, "订单当前状态为“%s”，不需要支付。",
					       order_state_zh(o.state)));
	rc = db_query(&r->app->db, r->arena, sql_offered, DB_ARGS(DB_I64(o.channel_id)), &rows);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (rows.nrows != 1 ||
	    !wizard_pay_offered(&o, db_cell(&rows, 0, 0), db_cell(&rows, 0, 1), s.method))
		return resp_error(r, ERR_NOT_OFFERED, "method",
				  arena_printf(r->arena, "本渠道办理“%s”业务不支持所选支付方式，请选择其他支付方式。",
					       order_business_name(o.business)));
	s.h5 = in.scene ? str_is(in.scene, "h5") : phone_agent(req_param(r, "HTTP_USER_AGENT"));
	if (creates_allowed(r, &s) < 0)
		return -1;
	/* Two rounds at most: a QR of another method is closed at the provider, then ours opens
	 * (a third would mean another request keeps opening QRs: a conflict). */
	for (int round = 0;; round++) {
		rc = db_tx(&r->app->db, open_tx, &s);
		if (rc == DB_OK)
			break;
		if (s.refused != ERR__COUNT)
			return resp_error(r, s.refused, NULL, "订单已不在待支付状态，请刷新后查看。");
		if (!s.close_no[0])
			return app_db_error(r, rc);
		if (round == 1)
			return resp_error(r, ERR_CONFLICT, "method", NULL);
		if (switch_away(r, &o, s.close_no) < 0)
			return -1;
	}
	if (wizard_payment_load(r, s.id, &p) < 0)
		return -1;
	if (payment_state_is(p.state, PAYMENT_STATE_PENDING) && !p.qr_url[0]) {
		/* Ours, or one whose create was cut short: the provider answers the same pay_no
		 * with the same order, so asking again is safe. */
		if (create_qr(r, &s, &p) < 0 || wizard_payment_load(r, s.id, &p) < 0)
			return -1;
		if (!payment_state_is(p.state, PAYMENT_STATE_PENDING) || !p.qr_url[0])
			return resp_error(r, ERR_CONFLICT, NULL, NULL);
	}
	j = wizard_payment_json(r, &o, &p);
	pin = wizard_pin_delivery(&o, p.method);
	if (!j)
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	json_object_set_new(j, "order_no", json_string(o.no));
	json_object_set_new(j, "pin_delivery", pin ? json_string(pin) : json_null());
	json_object_set_new(j, "pin_delivery_text",
			    pin && rules_pin_delivery_text(pin) ? json_string(rules_pin_delivery_text(pin))
								: json_null());
	resp_json(r, s.fresh ? 201 : 200, j);
	return 0;
}
