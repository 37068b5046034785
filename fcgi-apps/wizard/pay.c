/* wizard: paying for an order: WeChat Pay / Alipay QR through the provider, corporate transfer
 * and counter payments that wait for finance, the provider's notifications, the status poll,
 * refund requests. The protocol and the payment states are in shared/pay.h.
 *
 * POST /api/wizard/orders/:no/pay     {"method"}: pending_payment only. The same method again
 *                                     answers the open payment (200), a new one is 201; another
 *                                     method closes the open one first (a QR at the provider).
 *                                     What asks the provider counts against [pay]
 *                                     per_account_hour.
 * GET  /api/wizard/orders/:no/pay     the order, its methods and payments; open QR payments are
 *                                     asked about at the provider (each at most once per
 *                                     QUERY_EVERY seconds) and what changed is applied.
 * POST /api/wizard/pay/notify         the provider's signed notification (no session).
 * POST /api/wizard/orders/:no/refund  {"reason"?}: paid and not yet approved -> refunding.
 *
 * A QR payment's row is committed before the provider is asked (so that whatever the provider
 * made has a row to land on) and closed if the provider fails; the order's pay_method, PIN way
 * and event change only once the QR exists. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "crypto.h"
#include "log.h"
#include "order.h"
#include "pay.h"
#include "payment.h"
#include "provider.h"
#include "qr.h"
#include "rules.h"
#include "valid.h"
#include "wizard.h"

#define ISO "'%Y-%m-%dT%H:%i:%s+08:00'"
#define POLL_MAX 3     /* pending QR payments asked about per status request */
/* Seconds between two provider queries of one payment from status polls (in between, the
 * database answers): the portal polls every 3 s, the notification normally comes first, and
 * a payer takes longer than that to scan and pay. */
#define QUERY_EVERY 5
/* QR payments made or switched away from at the provider, per account: [pay]
 * per_account_hour (conf.h says why). */
#define CREATES_WINDOW 3600
#define REASON_MAX 200 /* refund reason, characters */

/*
 * Where transfer and counter payments go, per channel. DEMO VALUES: the account numbers are
 * made up (the bank names say so); netca-gd's payee, counter address, hours and telephone are
 * those its guide prints (003). A CA puts its real accounts here before going live. The memo
 * is the order number, so that finance can match each credit to its order.
 */
struct desk {
	const char *channel, *payee, *bank, *account, *address, *hours, *phone;
	const char *memo_words; /* what the guide says the memo must say, before the order number */
};

static const struct desk demo_desks[] = {
	{ "cecep", "北京数字认证股份有限公司", "演示银行北京海淀支行（演示账户）",
	  "6200 0000 0000 0000 001", "北京市海淀区（演示地址）",
	  "周一至周五 9:00-12:00，13:30-17:00（节假日除外）", "010-00000000", NULL },
	{ "szca", "深圳市电子商务安全证书管理有限公司", "演示银行深圳南山支行（演示账户）",
	  "6200 0000 0000 0000 002", "深圳市南山区（演示地址）",
	  "周一至周五 9:00-12:00，14:00-17:30（节假日除外）", "0755-00000000", NULL },
	{ "bjca-zycg", "北京数字认证股份有限公司", "演示银行北京海淀支行（演示账户）",
	  "6200 0000 0000 0000 003", "北京市海淀区（演示地址）",
	  "周一至周五 9:00-12:00，13:30-17:00（节假日除外）", "010-00000000", NULL },
	{ "netca-gd", "广东省电子商务认证有限公司", "演示银行广州花园支行（演示账户）",
	  "6200 0000 0000 0000 004", "广州市越秀区青龙坊38号首层101房",
	  "周一至周五 8:30-12:00，14:00-17:00（节假日除外）", "020-89524338",
	  /* 003 "请在汇款备注或款项用途注明“办理广东政府采购智慧云CA”". */
	  "办理广东政府采购智慧云CA" },
	{ "jxca-js", "江西省数字证书有限公司", "演示银行南昌支行（演示账户）",
	  "6200 0000 0000 0000 005", "南昌市（演示地址）",
	  "周一至周五 9:00-12:00，14:00-17:30（节假日除外）", "0791-00000000", NULL },
};

static const struct desk demo_default = {
	NULL, "数字证书认证机构（演示）", "演示银行（演示账户）", "6200 0000 0000 0000 000",
	"（演示地址）", "周一至周五 9:00-17:00（节假日除外）", "000-00000000", NULL
};

static const struct desk *desk_of(const char *channel)
{
	for (size_t i = 0; i < sizeof(demo_desks) / sizeof(demo_desks[0]); i++)
		if (strcmp(demo_desks[i].channel, channel) == 0)
			return &demo_desks[i];
	return &demo_default;
}

static bool is(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

static const char *payment_state_name(const char *state)
{
	static const char *const names[][2] = {
		{ "pending", "待支付" },     { "awaiting_finance", "待财务确认" },
		{ "paid", "已支付" },        { "closed", "已关闭" },
		{ "refunding", "退款中" },   { "refunded", "已退款" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (is(state, names[i][0]))
			return names[i][1];
	return NULL;
}

/* ---- payment rows and their JSON */

struct payment {
	long long id, amount_fen;
	const char *pay_no, *method, *state, *qr_url, *created_at, *paid_at;
};

#define PAYMENT_COLS                                                                       \
	"SELECT id, pay_no, method, state, amount_fen, qr_url, DATE_FORMAT(created_at, " ISO \
	"), COALESCE(DATE_FORMAT(paid_at, " ISO "), '') FROM payments "
static const char sql_list[] = PAYMENT_COLS "WHERE order_id = ? ORDER BY id DESC LIMIT 20";
static const char sql_row[] = PAYMENT_COLS "WHERE id = ?";

static struct payment payment_at(const struct db_rows *rows, size_t i)
{
	return (struct payment){
		.id = strtoll(db_cell(rows, i, 0), NULL, 10),
		.pay_no = db_cell(rows, i, 1),
		.method = db_cell(rows, i, 2),
		.state = db_cell(rows, i, 3),
		.amount_fen = strtoll(db_cell(rows, i, 4), NULL, 10),
		.qr_url = db_cell(rows, i, 5),
		.created_at = db_cell(rows, i, 6),
		.paid_at = db_cell(rows, i, 7),
	};
}

static json_t *transfer_json(struct req *r, const struct wizard_order *o, const struct desk *d)
{
	const char *who = is(o->kind, "person") ? "请使用申请人本人的银行账户转账"
						: "请使用申请单位的对公账户转账";
	const char *memo = d->memo_words ? arena_printf(r->arena, "%s %s", d->memo_words, o->no)
					 : o->no;

	if (!memo)
		return NULL;
	return json_pack("{s:s, s:s, s:s, s:s, s:s}", "payee", d->payee, "bank", d->bank,
			 "account", d->account, "memo", memo, "note",
			 arena_printf(r->arena,
				      "%s，转账备注（附言）请填写“%s”，以便财务核对。"
				      "到账并经财务确认后，订单进入下一步。",
				      who, memo));
}

static json_t *counter_json(struct req *r, const struct wizard_order *o, const struct desk *d)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s}", "payee", d->payee, "address", d->address,
			 "hours", d->hours, "phone", d->phone, "note",
			 arena_printf(r->arena,
				      "请携带订单号 %s 到现场缴费。缴费并经财务确认后，订单进入下一步。",
				      o->no));
}

static json_t *payment_json(struct req *r, const struct wizard_order *o, const struct payment *p)
{
	char amount[24];
	json_t *j;

	valid_money_format(p->amount_fen, amount, sizeof(amount));
	j = json_pack("{s:s, s:s, s:s?, s:s, s:s?, s:I, s:s, s:s, s:s?}", "pay_no", p->pay_no,
		      "method", p->method, "method_name", pay_method_name(p->method), "state",
		      p->state, "state_name", payment_state_name(p->state), "amount_fen",
		      (json_int_t)p->amount_fen, "amount", amount, "created_at", p->created_at,
		      "paid_at", p->paid_at[0] ? p->paid_at : NULL);
	if (!j)
		return NULL;
	if (is(p->state, "pending") && p->qr_url[0]) {
		struct qr_svg svg;

		json_object_set_new(j, "qr_url", json_string(p->qr_url));
		if (qr_svg(r->arena, p->qr_url, &svg) == QR_OK)
			json_object_set_new(j, "qr_svg", json_stringn(svg.svg, svg.len));
	}
	if (is(p->state, "awaiting_finance") && is(p->method, "transfer"))
		json_object_set_new(j, "transfer", transfer_json(r, o, desk_of(o->channel_code)));
	if (is(p->state, "awaiting_finance") && is(p->method, "counter"))
		json_object_set_new(j, "counter", counter_json(r, o, desk_of(o->channel_code)));
	return j;
}

/* ---- applying what the provider says (notification and poll alike) */

static const char sql_mobile[] = "SELECT handler_mobile_enc FROM orders WHERE id = ?";
static const char sql_notice[] =
	"INSERT INTO payment_notifications (event_id, pay_no, kind, outcome, received_at) "
	"VALUES (?, ?, ?, 'received', NOW(3))";
static const char sql_notice_outcome[] =
	"UPDATE payment_notifications SET outcome = ? WHERE event_id = ?";

/* The handler's mobile for the payment SMS (saving the handler step seals it into the order):
 * *out NULL when there is none. Returns 0, or -1 answered. */
static int handler_mobile(struct req *r, long long order_id, const char **out)
{
	struct db_rows rows;
	unsigned char *plain;
	size_t n = 0;
	int rc;

	*out = NULL;
	rc = db_query(&r->app->db, r->arena, sql_mobile, DB_ARGS(DB_I64(order_id)), &rows);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (rows.nrows != 1 || !db_cell(&rows, 0, 0))
		return 0;
	plain = arena_alloc(r->arena, rows.len[0] + 1);
	if (!plain || crypto_open(&r->app->key, (const unsigned char *)db_cell(&rows, 0, 0),
				  rows.len[0], ORDER_AAD_HANDLER_MOBILE, plain, rows.len[0], &n) < 0) {
		log_rid(LOG_ERROR, r->rid, "order %lld: handler mobile does not open", order_id);
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	}
	plain[n] = '\0';
	*out = (const char *)plain;
	return 0;
}

struct applying {
	struct req *r;
	const char *pay_no;
	struct payment_report rep;
	const struct pay_notice *notice; /* recorded when the report is a notification */
	const char *mobile;              /* for the paid SMS; NULL: none */
	struct payment_applied out;
	bool duplicate;
};

static int paid_sms(struct applying *a)
{
	char amount[24];
	json_t *params;
	int rc;

	if (!a->mobile)
		return DB_OK;
	valid_money_format(a->out.amount_fen, amount, sizeof(amount));
	params = json_pack("{s:s, s:s}", "order_no", a->out.order_no, "amount", amount);
	if (!params)
		return DB_ERR;
	rc = app_outbox_add(a->r, "sms", "payment_confirmed", a->mobile, params, a->out.order_id);
	json_decref(params);
	return rc;
}

static int apply_tx(struct db *db, void *ctx)
{
	struct applying *a = ctx;
	int rc;

	a->duplicate = false;
	/* The event id first: a replay stops here, before anything else is touched, and a
	 * replay racing the original waits on the key until the original commits. */
	if (a->notice) {
		rc = db_exec(db, sql_notice,
			     DB_ARGS(DB_STR(a->notice->event_id), DB_STR(a->pay_no),
				     DB_STR(a->notice->kind)),
			     NULL, NULL);
		if (rc == DB_DUP) {
			a->duplicate = true;
			return DB_ERR;
		}
		if (rc != DB_OK)
			return rc;
	}
	rc = payment_apply(db, a->r->arena, a->pay_no, &a->rep, &a->out);
	if (rc == DB_OK && a->out.outcome == PAYMENT_PAID)
		rc = paid_sms(a);
	if (rc == DB_OK && a->notice)
		rc = db_exec(db, sql_notice_outcome,
			     DB_ARGS(DB_STR(payment_outcome_name(a->out.outcome)),
				     DB_STR(a->notice->event_id)),
			     NULL, NULL);
	return rc;
}

static void log_outcome(struct req *r, const char *how, const char *pay_no,
			const struct payment_applied *out)
{
	bool odd = out->outcome == PAYMENT_AMOUNT_MISMATCH || out->outcome == PAYMENT_REF_MISMATCH ||
		   out->outcome == PAYMENT_UNKNOWN || out->outcome == PAYMENT_REFUND;

	log_rid(odd ? LOG_WARN : LOG_INFO, r->rid, "pay %s %s: %s (order %s)", how, pay_no,
		payment_outcome_name(out->outcome), out->order_no ? out->order_no : "-");
}

/* Applies what the provider says of pay_no (an order of ours) when asked (how: "poll",
 * "close"). Returns 0, or -1 answered. */
static int apply_state(struct req *r, const char *how, long long order_id, const char *pay_no,
		       const struct pay_state *st)
{
	struct applying a = { .r = r, .pay_no = pay_no,
			      .rep = { .state = st->state, .amount_fen = st->amount_fen,
				       .provider_ref = st->provider_ref, .actor_type = "system" } };
	int rc;

	if (is(st->state, "paid") && handler_mobile(r, order_id, &a.mobile) < 0)
		return -1;
	rc = db_tx(&r->app->db, apply_tx, &a);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	log_outcome(r, how, pay_no, &a.out);
	return 0;
}

/* ---- POST /api/wizard/orders/:no/pay */

static bool is_method(const char *s)
{
	return pay_method_name(s) != NULL;
}

static const struct req_field pay_fields[] = {
	{ "method", true, 16, is_method,
	  "请选择支付方式：微信支付、支付宝支付、对公转账或现场缴费。", NULL },
};

static const char sql_offered[] = "SELECT FIND_IN_SET(?, pay_methods) FROM channels WHERE id = ?";
static const char sql_lock_order[] = "SELECT state FROM orders WHERE id = ? FOR UPDATE";
static const char sql_open[] =
	"SELECT id, method, state, qr_url, pay_no FROM payments "
	"WHERE order_id = ? AND state IN ('pending', 'awaiting_finance') ORDER BY id DESC FOR UPDATE";
static const char sql_insert[] =
	"INSERT INTO payments (order_id, method, amount_fen, pay_no, state, created_at) "
	"VALUES (?, ?, ?, ?, ?, NOW(3))";
static const char sql_order_method[] =
	"UPDATE orders SET pay_method = ?, pin_delivery = COALESCE(?, pin_delivery), "
	"version = version + 1, updated_at = NOW(3) WHERE id = ?";
static const char sql_set_qr[] =
	"UPDATE payments SET qr_url = ?, provider_ref = ?, version = version + 1 "
	"WHERE id = ? AND state = 'pending' AND qr_url = ''";
static const char sql_fail[] =
	"UPDATE payments SET state = 'closed', version = version + 1 "
	"WHERE id = ? AND state = 'pending' AND qr_url = ''";

struct start {
	struct req *r;
	const struct wizard_order *o;
	const char *method;
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
		rc = order_event(db, s->o->id, event, NULL, NULL, "applicant", s->r->auth.id, true,
				 pay_method_name(s->method));
	return rc;
}

static int lock_pending_order(struct db *db, struct start *s)
{
	struct db_rows rows;
	int rc = db_query(db, s->r->arena, sql_lock_order, DB_ARGS(DB_I64(s->o->id)), &rows);

	if (rc != DB_OK)
		return rc;
	if (rows.nrows != 1 || !is(db_cell(&rows, 0, 0), "pending_payment")) {
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
		if (is(db_cell(&rows, i, 1), s->method)) {
			s->id = strtoll(db_cell(&rows, i, 0), NULL, 10);
			return DB_OK;
		}
	/* A QR of another method may still be scanned: the provider closes it first. */
	for (size_t i = 0; i < rows.nrows; i++)
		if (is(db_cell(&rows, i, 2), "pending")) {
			snprintf(s->close_no, sizeof(s->close_no), "%s", db_cell(&rows, i, 4));
			return DB_ERR;
		}
	for (int attempt = 0; attempt < 3; attempt++) {
		if (pay_no_make(pay_no) < 0)
			return DB_ERR;
		rc = db_exec(db, sql_insert,
			     DB_ARGS(DB_I64(s->o->id), DB_STR(s->method), DB_I64(s->o->amount_fen),
				     DB_STR(pay_no), DB_STR(qr ? "pending" : "awaiting_finance")),
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
		     DB_ARGS(DB_STR(s->st->qr_url), DB_STR(s->st->provider_ref), DB_I64(s->id)), &n,
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
static int switch_away(struct req *r, const struct wizard_order *o, const char *pay_no)
{
	struct pay_state st;
	char err[256] = "";
	int rc = pay_close(&r->app->conf, pay_no, &st, err, sizeof(err));

	if (rc == PAY_UNAVAILABLE) {
		log_rid(LOG_WARN, r->rid, "pay close %s: %s", pay_no, err);
		return resp_error(r, ERR_PROVIDER, NULL, NULL);
	}
	if (rc == PAY_NOT_FOUND) /* never made there (its create failed): nothing to pay */
		snprintf(st.state, sizeof(st.state), "closed");
	if (is(st.state, "pending"))
		return resp_error(r, ERR_CONFLICT, "method",
				  "上一笔扫码支付尚未关闭，请稍后再切换支付方式。");
	return apply_state(r, "close", o->id, pay_no, &st);
}

/* Makes the provider's order for a QR payment that has none yet. Returns 0, or -1 answered. */
static int create_qr(struct req *r, struct start *s, const struct payment *p)
{
	const struct wizard_order *o = s->o;
	const char *subject = arena_printf(r->arena, "数字证书%s（%s）订单%s",
					   order_business_name(o->business),
					   order_kind_name(o->kind), o->no);
	struct pay_state st;
	char err[256] = "";
	int rc;

	if (!subject)
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	if (pay_create(&r->app->conf, p->pay_no, p->amount_fen, p->method, subject, &st, err,
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

static int load_payment(struct req *r, long long id, struct payment *p)
{
	struct db_rows rows;
	int rc = db_query(&r->app->db, r->arena, sql_row, DB_ARGS(DB_I64(id)), &rows);

	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (rows.nrows != 1)
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	*p = payment_at(&rows, 0);
	return 0;
}

static const char sql_open_peek[] =
	"SELECT method, qr_url FROM payments "
	"WHERE order_id = ? AND state IN ('pending', 'awaiting_finance')";

/* Whether paying with method would ask the provider: a QR to make, or an open QR of another
 * method to close. The same method again answers the open payment: that costs nothing.
 * Read without a lock: it decides what to count, open_tx decides what to do. */
static int costly(struct req *r, const struct wizard_order *o, const char *method, bool *out)
{
	struct db_rows rows;
	bool other_qr = false;
	int rc = db_query(&r->app->db, r->arena, sql_open_peek, DB_ARGS(DB_I64(o->id)), &rows);

	if (rc != DB_OK)
		return app_db_error(r, rc);
	for (size_t i = 0; i < rows.nrows; i++) {
		const char *m = db_cell(&rows, i, 0), *qr = db_cell(&rows, i, 1);

		if (is(m, method) && (!pay_method_qr(m) || qr[0])) {
			*out = false;
			return 0;
		}
		other_qr = other_qr || (!is(m, method) && pay_method_qr(m));
	}
	*out = pay_method_qr(method) || other_qr;
	return 0;
}

/* A fresh order is a fresh budget; the account's own limit stops one account from opening
 * order after order just to make (and close) QR payments at the provider. Returns 0, or -1
 * answered (429 rate_limited, or the database's error). */
static int creates_allowed(struct req *r, const struct wizard_order *o, const char *method)
{
	char bucket[48];
	bool cost = false;

	if (costly(r, o, method, &cost) < 0)
		return -1;
	if (!cost)
		return 0;
	snprintf(bucket, sizeof(bucket), "pay:a:%lld", r->auth.id);
	return wizard_limit(r, bucket, r->app->conf.pay_per_account_hour, CREATES_WINDOW,
			    "您的账号发起或切换扫码支付过于频繁") > 0 ? 0 : -1;
}

int wizard_pay(struct req *r)
{
	struct wizard_order o;
	struct req_field f[1];
	struct start s = { .r = r, .o = &o };
	struct db_rows rows;
	struct payment p;
	const char *pin;
	json_t *body, *j;
	int rc;

	if (wizard_find_order(r, r->params[0], &o) < 0 || req_json(r, &body) < 0)
		return -1;
	memcpy(f, pay_fields, sizeof(f));
	f[0].out = &s.method;
	if (req_fields(r, body, f, 1) < 0)
		return -1;
	if (!is(o.state, "pending_payment") || o.amount_fen <= 0)
		return resp_error(r, ERR_WRONG_STATE, NULL,
				  arena_printf(r->arena, "订单当前状态为“%s”，不需要支付。",
					       order_state_name(o.state) ? order_state_name(o.state)
									 : o.state));
	rc = db_query(&r->app->db, r->arena, sql_offered,
		      DB_ARGS(DB_STR(s.method), DB_I64(o.channel_id)), &rows);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (rows.nrows != 1 || is(db_cell(&rows, 0, 0), "0"))
		return resp_error(r, ERR_NOT_OFFERED, "method", "本渠道不支持所选支付方式，请选择其他支付方式。");
	if (creates_allowed(r, &o, s.method) < 0)
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
	if (load_payment(r, s.id, &p) < 0)
		return -1;
	if (is(p.state, "pending") && !p.qr_url[0]) {
		/* Ours, or one whose create was cut short: the provider answers the same pay_no
		 * with the same order, so asking again is safe. */
		if (create_qr(r, &s, &p) < 0 || load_payment(r, s.id, &p) < 0)
			return -1;
		if (!is(p.state, "pending") || !p.qr_url[0])
			return resp_error(r, ERR_CONFLICT, NULL, NULL);
	}
	j = payment_json(r, &o, &p);
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

/* ---- GET /api/wizard/orders/:no/pay */

static const char sql_methods[] = "SELECT pay_methods FROM channels WHERE id = ?";

static json_t *methods_json(const char *list)
{
	json_t *a = json_array();

	for (const char *p = list; a && p && *p;) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		char code[17];

		if (n > 0 && n < sizeof(code)) {
			memcpy(code, p, n);
			code[n] = '\0';
			if (pay_method_name(code))
				json_array_append_new(a, json_pack("{s:s, s:s}", "method", code, "name",
								   pay_method_name(code)));
		}
		p = end ? end + 1 : NULL;
	}
	return a;
}

/* Asks the provider about the order's open QR payments (a notification may be late or lost)
 * and applies what changed. *changed tells whether anything did. Returns 0, or -1 answered. */
static int poll_open(struct req *r, const struct wizard_order *o, const struct db_rows *rows,
		     bool *changed)
{
	int asked = 0;

	*changed = false;
	for (size_t i = 0; i < rows->nrows && asked < POLL_MAX; i++) {
		struct payment p = payment_at(rows, i);
		struct pay_state st;
		char err[256] = "", bucket[48];
		int rc;

		if (!is(p.state, "pending") || !pay_method_qr(p.method) || !p.qr_url[0])
			continue;
		/* Asked a moment ago: the database's answer stands until the next one. */
		snprintf(bucket, sizeof(bucket), "pay-query:%s", p.pay_no);
		rc = wizard_limit(r, bucket, 1, QUERY_EVERY, NULL);
		if (rc < 0)
			return -1;
		if (rc == 0)
			continue;
		asked++;
		rc = pay_query(&r->app->conf, p.pay_no, &st, err, sizeof(err));
		if (rc != PAY_OK) {
			/* The page shows what we know; the next poll asks again. */
			if (rc == PAY_UNAVAILABLE)
				log_rid(LOG_WARN, r->rid, "pay query %s: %s", p.pay_no, err);
			continue;
		}
		if (is(st.state, "pending"))
			continue;
		if (apply_state(r, "poll", o->id, p.pay_no, &st) < 0)
			return -1;
		*changed = true;
	}
	return 0;
}

int wizard_pay_status(struct req *r)
{
	struct wizard_order o;
	struct db_rows rows, ch;
	json_t *list, *order;
	const char *pin;
	char amount[24] = "";
	bool changed;
	int rc;

	if (wizard_find_order(r, r->params[0], &o) < 0)
		return -1;
	rc = db_query(&r->app->db, r->arena, sql_list, DB_ARGS(DB_I64(o.id)), &rows);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (poll_open(r, &o, &rows, &changed) < 0)
		return -1;
	if (changed) {
		if (wizard_find_order(r, r->params[0], &o) < 0)
			return -1;
		rc = db_query(&r->app->db, r->arena, sql_list, DB_ARGS(DB_I64(o.id)), &rows);
		if (rc != DB_OK)
			return app_db_error(r, rc);
	}
	rc = db_query(&r->app->db, r->arena, sql_methods, DB_ARGS(DB_I64(o.channel_id)), &ch);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	list = json_array();
	for (size_t i = 0; list && i < rows.nrows; i++) {
		struct payment p = payment_at(&rows, i);

		json_array_append_new(list, payment_json(r, &o, &p));
	}
	if (o.amount_fen >= 0)
		valid_money_format(o.amount_fen, amount, sizeof(amount));
	pin = o.pin_delivery[0] ? o.pin_delivery : NULL;
	order = json_pack("{s:s, s:s, s:s?, s:I, s:s?, s:s?, s:s?, s:s?}", "order_no", o.no, "state",
			  o.state, "state_name", order_state_name(o.state), "amount_fen",
			  (json_int_t)o.amount_fen, "amount", amount[0] ? amount : NULL, "pay_method",
			  o.pay_method[0] ? o.pay_method : NULL, "pin_delivery", pin,
			  "pin_delivery_text", pin ? rules_pin_delivery_text(pin) : NULL);
	resp_json(r, 200, json_pack("{s:o, s:o, s:o}", "order", order, "pay_methods",
				    methods_json(ch.nrows == 1 ? db_cell(&ch, 0, 0) : ""), "payments",
				    list));
	return 0;
}

/* ---- POST /api/wizard/pay/notify: the provider, no session */

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
	if (rows.nrows == 1 && is(n.kind, "paid") &&
	    handler_mobile(r, strtoll(db_cell(&rows, 0, 0), NULL, 10), &a.mobile) < 0)
		return -1;
	rc = db_tx(&r->app->db, apply_tx, &a);
	if (a.duplicate) {
		resp_json(r, 200, json_pack("{s:b, s:b}", "ok", 1, "duplicate", 1));
		return 0;
	}
	if (rc != DB_OK)
		return app_db_error(r, rc);
	log_outcome(r, "notify", n.pay_no, &a.out);
	if (a.out.outcome == PAYMENT_UNKNOWN)
		return resp_error(r, ERR_NOT_FOUND, "pay_no", "没有该支付流水号。");
	resp_json(r, 200, json_pack("{s:b, s:s}", "ok", 1, "outcome", payment_outcome_name(a.out.outcome)));
	return 0;
}

/* ---- POST /api/wizard/orders/:no/refund */

/* Paid and not yet approved: the states a paid order can be in before the key is made. */
static bool refundable(const char *state)
{
	static const char *const states[] = { "pre_review", "reviewing", "awaiting_paper",
					      "paper_review", "returned" };

	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		if (is(state, states[i]))
			return true;
	return false;
}

static bool is_reason(const char *s)
{
	return valid_text(s, strlen(s), REASON_MAX);
}

static const struct req_field refund_fields[] = {
	{ "reason", false, REASON_MAX, is_reason, "退款原因请填写不超过 200 字的文字。", NULL },
};

static const char sql_refund_order[] = "SELECT state, version FROM orders WHERE id = ? FOR UPDATE";
static const char sql_refund_paid[] =
	"SELECT id FROM payments WHERE order_id = ? AND state = 'paid' FOR UPDATE";
static const char sql_refund_payments[] =
	"UPDATE payments SET state = 'refunding', version = version + 1 "
	"WHERE order_id = ? AND state = 'paid'";

struct refund {
	struct req *r;
	const struct wizard_order *o;
	const char *reason, *from;
	enum err_code refused;
};

static int refund_tx(struct db *db, void *ctx)
{
	struct refund *f = ctx;
	struct db_rows rows;
	const char *note;
	long long version;
	int rc;

	f->refused = ERR__COUNT;
	rc = db_query(db, f->r->arena, sql_refund_order, DB_ARGS(DB_I64(f->o->id)), &rows);
	if (rc != DB_OK)
		return rc;
	if (rows.nrows != 1 || !refundable(db_cell(&rows, 0, 0))) {
		f->refused = ERR_WRONG_STATE;
		return DB_ERR;
	}
	f->from = db_cell(&rows, 0, 0);
	version = strtoll(db_cell(&rows, 0, 1), NULL, 10);
	rc = db_query(db, f->r->arena, sql_refund_paid, DB_ARGS(DB_I64(f->o->id)), &rows);
	if (rc != DB_OK)
		return rc;
	if (rows.nrows == 0) { /* nothing was paid (a free order): nothing to give back */
		f->refused = ERR_WRONG_STATE;
		return DB_ERR;
	}
	rc = order_move(db, f->o->id, f->from, "refunding", version);
	if (rc == ORDER_STALE) /* impossible under the row lock; retry rather than guess */
		return DB_RETRY;
	if (rc == DB_OK)
		rc = db_exec(db, sql_refund_payments, DB_ARGS(DB_I64(f->o->id)), NULL, NULL);
	if (rc != DB_OK)
		return rc;
	/* The public timeline (anyone with the number and four digits of a mobile) says that a
	 * refund was asked for; the applicant's own words stay for the applicant and the staff. */
	rc = order_event(db, f->o->id, "refund_requested", f->from, "refunding", "applicant",
			 f->r->auth.id, true, "待财务办理退款。");
	if (rc != DB_OK || !f->reason || !f->reason[0])
		return rc;
	note = arena_printf(f->r->arena, "退款原因：%s", f->reason);
	return note ? order_event(db, f->o->id, "refund_requested", NULL, NULL, "applicant",
				  f->r->auth.id, false, note)
		    : DB_ERR;
}

int wizard_refund(struct req *r)
{
	struct wizard_order o;
	struct refund f = { .r = r, .o = &o };
	struct req_field fl[1];
	json_t *body;
	int rc;

	if (wizard_find_order(r, r->params[0], &o) < 0 || req_json(r, &body) < 0)
		return -1;
	memcpy(fl, refund_fields, sizeof(fl));
	fl[0].out = &f.reason;
	if (req_fields(r, body, fl, 1) < 0)
		return -1;
	rc = db_tx(&r->app->db, refund_tx, &f);
	if (f.refused != ERR__COUNT)
		return resp_error(r, ERR_WRONG_STATE, NULL,
				  is(o.state, "pending_payment")
					  ? "订单尚未支付，无需退款；如不再办理，请直接取消订单。"
					  : "只有已支付、尚未审核通过的订单可以申请退款。");
	if (rc != DB_OK)
		return app_db_error(r, rc);
	resp_json(r, 200, json_pack("{s:s, s:s, s:s}", "order_no", o.no, "state", "refunding",
				    "state_name", order_state_name("refunding")));
	return 0;
}
