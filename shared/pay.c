/* pay: the payment provider's client, notifications, and pay_apply (shared by every path). */
#include "pay.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "order.h"
#include "provider.h"
#include "valid.h"

#define AMOUNT_MAX 100000000000LL /* one billion yuan: beyond any fee */

static const char alnum36[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

int pay_no_make(char out[PAY_NO_LEN + 1])
{
	unsigned char buf[64];
	size_t n = 0;

	/* 252 = 7 * 36: bytes at or above it are thrown away, so every character is equally
	 * likely; 64 bytes hold 24 usable ones with overwhelming probability. */
	while (n < PAY_NO_LEN) {
		if (crypto_random(buf, sizeof(buf)) < 0)
			return -1;
		for (size_t i = 0; i < sizeof(buf) && n < PAY_NO_LEN; i++)
			if (buf[i] < 252)
				out[n++] = alnum36[buf[i] % 36];
	}
	out[PAY_NO_LEN] = '\0';
	return 0;
}

bool pay_no_valid(const char *s)
{
	return s && strlen(s) == PAY_NO_LEN && strspn(s, alnum36) == PAY_NO_LEN;
}

bool pay_ref_valid(const char *s, size_t max)
{
	static const char ok[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.:-";
	size_t n = s ? strlen(s) : 0;

	return n > 0 && n <= max && strspn(s, ok) == n;
}

const char *pay_method_name(const char *method)
{
	static const char *const names[][2] = {
		{ "wechat", "微信支付" },
		{ "alipay", "支付宝支付" },
		{ "transfer", "对公转账" },
		{ "counter", "现场缴费" },
	};

	for (size_t i = 0; method && i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(method, names[i][0]) == 0)
			return names[i][1];
	return NULL;
}

bool pay_method_qr(const char *method)
{
	return method && (strcmp(method, "wechat") == 0 || strcmp(method, "alipay") == 0);
}

/* A QR payload the portal may draw: a wallet scheme or https, printable ASCII, no quotes. */
static bool qr_url_valid(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > PAY_QR_MAX)
		return false;
	if (strncmp(s, "weixin://", 9) != 0 && strncmp(s, "https://", 8) != 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] > '~' || s[i] == '"' || s[i] == '\'' || s[i] == '<' ||
		    s[i] == '>' || s[i] == '\\')
			return false;
	return true;
}

static bool amount_ok(json_t *v, long long *out)
{
	json_int_t n;

	if (!json_is_integer(v))
		return false;
	n = json_integer_value(v);
	if (n < 0 || n > AMOUNT_MAX)
		return false;
	*out = (long long)n;
	return true;
}

static struct provider provider_of(const struct conf *c)
{
	return (struct provider){ .name = "pay", .endpoint = c->pay_endpoint,
				  .secret = c->pay_secret, .timeout_ms = c->pay_timeout_ms };
}

/* Reads an order as the provider describes it; create answers carry qr_url, the others an
 * amount. Returns PAY_OK or PAY_UNAVAILABLE. */
static int read_state(json_t *j, bool create, struct pay_state *out, char *err, size_t errsz)
{
	const char *state = json_string_value(json_object_get(j, "state"));
	const char *ref = json_string_value(json_object_get(j, "provider_ref"));

	memset(out, 0, sizeof(*out));
	if (!state || (strcmp(state, "pending") != 0 && strcmp(state, "paid") != 0 &&
		       strcmp(state, "closed") != 0) || (create && strcmp(state, "pending") != 0)) {
		snprintf(err, errsz, "pay: answer without a valid state");
		return PAY_UNAVAILABLE;
	}
	if (!pay_ref_valid(ref, PAY_REF_MAX)) {
		snprintf(err, errsz, "pay: answer without a valid provider_ref");
		return PAY_UNAVAILABLE;
	}
	snprintf(out->state, sizeof(out->state), "%s", state);
	snprintf(out->provider_ref, sizeof(out->provider_ref), "%s", ref);
	if (create) {
		const char *qr = json_string_value(json_object_get(j, "qr_url"));

		if (!qr_url_valid(qr)) {
			snprintf(err, errsz, "pay: answer without a valid qr_url");
			return PAY_UNAVAILABLE;
		}
		snprintf(out->qr_url, sizeof(out->qr_url), "%s", qr);
	} else if (!amount_ok(json_object_get(j, "amount_fen"), &out->amount_fen)) {
		snprintf(err, errsz, "pay: answer without a valid amount_fen");
		return PAY_UNAVAILABLE;
	}
	return PAY_OK;
}

static int call(const struct conf *c, const char *method, const char *path, json_t *body,
		bool create, struct pay_state *out, char *err, size_t errsz)
{
	struct provider p = provider_of(c);
	json_t *answer = NULL;
	long status = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (provider_call(&p, method, path, body, &status, &answer, err, errsz) != 0)
		return PAY_UNAVAILABLE;
	if (status == 404 && !create) {
		rc = PAY_NOT_FOUND;
	} else if (status != 200 || !answer) {
		snprintf(err, errsz, "pay: %s %s: HTTP %ld", method, path, status);
		rc = PAY_UNAVAILABLE;
	} else {
		rc = read_state(answer, create, out, err, errsz);
	}
	json_decref(answer);
	return rc;
}

int pay_create(const struct conf *c, const char *pay_no, long long amount_fen,
	       const char *method, const char *subject, struct pay_state *out, char *err,
	       size_t errsz)
{
	json_t *body;
	int rc;

	if (!pay_no_valid(pay_no) || !pay_method_qr(method)) {
		snprintf(err, errsz, "pay: bad pay_no or method");
		return PAY_UNAVAILABLE;
	}
	body = json_pack("{s:s, s:I, s:s, s:s, s:s}", "pay_no", pay_no, "amount_fen",
			 (json_int_t)amount_fen, "method", method, "subject", subject, "notify_url",
			 c->pay_notify_url);
	if (!body) {
		snprintf(err, errsz, "pay: cannot build the request");
		return PAY_UNAVAILABLE;
	}
	rc = call(c, "POST", "/orders", body, true, out, err, errsz);
	json_decref(body);
	return rc;
}

int pay_query(const struct conf *c, const char *pay_no, struct pay_state *out, char *err,
	      size_t errsz)
{
	char path[64];

	if (!pay_no_valid(pay_no)) {
		snprintf(err, errsz, "pay: bad pay_no");
		return PAY_UNAVAILABLE;
	}
	snprintf(path, sizeof(path), "/orders/%s", pay_no);
	return call(c, "GET", path, NULL, false, out, err, errsz);
}

int pay_close(const struct conf *c, const char *pay_no, struct pay_state *out, char *err,
	      size_t errsz)
{
	char path[64];
	json_t *body = json_object();
	int rc;

	if (!pay_no_valid(pay_no) || !body) {
		json_decref(body);
		snprintf(err, errsz, "pay: bad pay_no");
		return PAY_UNAVAILABLE;
	}
	snprintf(path, sizeof(path), "/orders/%s/close", pay_no);
	rc = call(c, "POST", path, body, false, out, err, errsz);
	json_decref(body);
	return rc;
}

/* A string member without an embedded NUL (which would cut it short in C), or NULL. */
static const char *str_member(json_t *obj, const char *name)
{
	json_t *v = json_object_get(obj, name);
	const char *s = json_string_value(v);

	return s && strlen(s) == json_string_length(v) ? s : NULL;
}

int pay_notice_parse(json_t *body, struct pay_notice *n, const char **field)
{
	json_t *at;

	memset(n, 0, sizeof(*n));
	*field = NULL;
	if (!json_is_object(body))
		return -1;
	n->event_id = str_member(body, "event_id");
	n->pay_no = str_member(body, "pay_no");
	n->provider_ref = str_member(body, "provider_ref");
	n->kind = str_member(body, "kind");
	at = json_object_get(body, "at");
	n->at = str_member(body, "at");
	if (!pay_ref_valid(n->event_id, PAY_EVENT_MAX))
		*field = "event_id";
	else if (!pay_no_valid(n->pay_no))
		*field = "pay_no";
	else if (!pay_ref_valid(n->provider_ref, PAY_REF_MAX))
		*field = "provider_ref";
	else if (!n->kind || (strcmp(n->kind, "paid") != 0 && strcmp(n->kind, "closed") != 0))
		*field = "kind";
	else if (!amount_ok(json_object_get(body, "amount_fen"), &n->amount_fen))
		*field = "amount_fen";
	else if (at && (!n->at || !valid_text(n->at, strlen(n->at), 40)))
		*field = "at";
	return *field ? -1 : 0;
}

const char *pay_next_state(const char *flow, bool mail_in, const char *renew_mode)
{
	if (mail_in || (flow && strcmp(flow, "two_stage") == 0))
		return "awaiting_paper";
	if (renew_mode && strcmp(renew_mode, "online") == 0)
		return "approved";
	return "reviewing";
}

const char *pay_outcome_name(enum pay_outcome o)
{
	switch (o) {
	case PAY_APPLIED_PAID: return "paid";
	case PAY_APPLIED_REFUND: return "paid_refunding";
	case PAY_APPLIED_CLOSED: return "closed";
	case PAY_UNCHANGED: return "unchanged";
	case PAY_AMOUNT_MISMATCH: return "amount_mismatch";
	case PAY_REF_MISMATCH: return "ref_mismatch";
	case PAY_UNKNOWN: return "unknown_payment";
	}
	return "unknown";
}

static const char sql_find[] = "SELECT order_id FROM payments WHERE pay_no = ?";
static const char sql_lock_order[] =
	"SELECT state, version, order_no, mail_in, COALESCE(renew_mode, ''), channel_id "
	"FROM orders WHERE id = ? FOR UPDATE";
static const char sql_flow[] = "SELECT flow FROM channels WHERE id = ?";
static const char sql_lock_payment[] =
	"SELECT id, state, amount_fen, COALESCE(provider_ref, ''), method "
	"FROM payments WHERE pay_no = ? FOR UPDATE";
static const char sql_refund_due[] =
	"UPDATE orders SET refund_due = 1, version = version + 1 WHERE id = ?";
static const char sql_paid[] =
	"UPDATE payments SET state = ?, paid_at = NOW(3), "
	"provider_ref = COALESCE(provider_ref, NULLIF(?, '')), "
	"confirmed_by = IF(? = 'staff', ?, confirmed_by), version = version + 1 WHERE id = ?";
/* Only QR payments close: a transfer or counter payment registered with finance may already
 * be money on its way, so it stays for finance to confirm (and, if the order was paid
 * otherwise, to pay back). */
static const char sql_close_others[] =
	"UPDATE payments SET state = 'closed', version = version + 1 "
	"WHERE order_id = ? AND id <> ? AND state = 'pending'";
static const char sql_order_paid[] =
	"UPDATE orders SET paid_at = NOW(3), submitted_at = COALESCE(submitted_at, NOW(3)) "
	"WHERE id = ?";
static const char sql_close[] =
	"UPDATE payments SET state = 'closed', version = version + 1 WHERE id = ?";

static long long ll(const struct db_rows *rows, size_t col)
{
	const char *s = db_cell(rows, 0, col);

	return s ? strtoll(s, NULL, 10) : 0;
}

/* The zh-CN name, or the code itself for a method someone added without one. */
static const char *method_zh(const char *method)
{
	const char *zh = pay_method_name(method);

	return zh ? zh : method;
}

static const char sql_renew_cert[] =
	"UPDATE certificates c JOIN orders o ON o.target_cert_id = c.id "
	"SET c.not_before = o.renew_not_before, c.not_after = o.renew_not_after "
	"WHERE o.id = ? AND o.business_type = 'renew' AND o.renew_not_after IS NOT NULL "
	"AND c.state = 'valid'";
static const char sql_renewed_to[] =
	"SELECT DATE_FORMAT(renew_not_after, '%Y-%m-%d') FROM orders WHERE id = ?";

static int renew_now(struct db *db, struct arena *a, struct pay_applied *out)
{
	struct db_rows rows;
	unsigned long long n = 0;
	int rc = db_exec(db, sql_renew_cert, DB_ARGS(DB_I64(out->order_id)), &n, NULL);

	if (rc != DB_OK)
		return rc;
	/* A certificate revoked meanwhile is not renewed: the order waits for staff. */
	if (n != 1)
		return DB_OK;
	rc = db_query(db, a, sql_renewed_to, DB_ARGS(DB_I64(out->order_id)), &rows);
	if (rc != DB_OK)
		return rc;
	rc = order_move(db, out->order_id, "approved", "done", -1);
	if (rc == DB_OK)
		rc = order_event(db, out->order_id, "done", "approved", "done", "system", 0, true,
				 arena_printf(a, "证书已续期至 %s，请插入 USBKey 下载更新后的证书。",
					      rows.nrows ? db_cell(&rows, 0, 0) : ""));
	if (rc == DB_OK)
		out->order_to = "done";
	return rc == ORDER_STALE ? DB_RETRY : rc;
}

static int apply_paid(struct db *db, struct arena *a, const struct pay_report *rep,
		      const struct db_rows *ord, long long payment_id, struct pay_applied *out)
{
	char amount[24];
	const char *note;
	struct db_rows rows;
	int rc;

	valid_money_format(out->amount_fen, amount, sizeof(amount));
	if (strcmp(out->order_from, "pending_payment") != 0) {
		/* The money came for an order that no longer waits for it (cancelled, or paid by
		 * another payment): it goes back, and finance sees the payment in refunding. */
		rc = db_exec(db, sql_paid,
			     DB_ARGS(DB_STR("refunding"), DB_STR(rep->provider_ref ? rep->provider_ref : ""),
				     DB_STR(rep->actor_type), DB_I64(rep->actor_id), DB_I64(payment_id)),
			     NULL, NULL);
		note = arena_printf(a, "订单%s时收到%s %s 元，款项将原路退回。",
				    order_state_name(out->order_from) ? order_state_name(out->order_from)
								      : out->order_from,
				    method_zh(out->method), amount);
		/* The order's state does not say money is owed: the flag puts it in finance's queue. */
		if (rc == DB_OK)
			rc = db_exec(db, sql_refund_due, DB_ARGS(DB_I64(out->order_id)), NULL, NULL);
		if (rc == DB_OK)
			rc = order_event(db, out->order_id, "refund_requested", NULL, NULL,
					 rep->actor_type, rep->actor_id, true, note);
		out->outcome = PAY_APPLIED_REFUND;
		return rc;
	}
	rc = db_query(db, a, sql_flow, DB_ARGS(DB_I64(ll(ord, 5))), &rows);
	if (rc != DB_OK)
		return rc;
	out->order_to = pay_next_state(db_cell(&rows, 0, 0), ll(ord, 3) != 0, db_cell(ord, 0, 4));
	rc = db_exec(db, sql_paid,
		     DB_ARGS(DB_STR("paid"), DB_STR(rep->provider_ref ? rep->provider_ref : ""),
			     DB_STR(rep->actor_type), DB_I64(rep->actor_id), DB_I64(payment_id)),
		     NULL, NULL);
	if (rc == DB_OK)
		rc = pay_close_others(db, out->order_id, payment_id);
	if (rc == DB_OK)
		rc = order_move(db, out->order_id, "pending_payment", out->order_to, ll(ord, 1));
	if (rc == ORDER_STALE) /* impossible under the row lock; retry rather than guess */
		return DB_RETRY;
	if (rc == DB_OK)
		rc = db_exec(db, sql_order_paid, DB_ARGS(DB_I64(out->order_id)), NULL, NULL);
	note = arena_printf(a, "%s %s 元", method_zh(out->method), amount);
	if (rc == DB_OK)
		rc = order_event(db, out->order_id, "paid", "pending_payment", out->order_to,
				 rep->actor_type, rep->actor_id, true, note);
	/* An online renewal needs no review (002): paid, the certificate runs to its new date. */
	if (rc == DB_OK && strcmp(out->order_to, "approved") == 0)
		rc = renew_now(db, a, out);
	out->outcome = PAY_APPLIED_PAID;
	return rc;
}

int pay_close_others(struct db *db, long long order_id, long long keep_id)
{
	return db_exec(db, sql_close_others, DB_ARGS(DB_I64(order_id), DB_I64(keep_id)), NULL, NULL);
}

int pay_apply(struct db *db, struct arena *a, const char *pay_no, const struct pay_report *rep,
	      struct pay_applied *out)
{
	struct db_rows rows, ord;
	const char *pstate, *ref;
	long long payment_id;
	int rc;

	memset(out, 0, sizeof(*out));
	out->outcome = PAY_UNKNOWN;
	rc = db_query(db, a, sql_find, DB_ARGS(DB_STR(pay_no)), &rows);
	if (rc != DB_OK || rows.nrows != 1)
		return rc;
	out->order_id = ll(&rows, 0);
	rc = db_query(db, a, sql_lock_order, DB_ARGS(DB_I64(out->order_id)), &ord);
	if (rc != DB_OK)
		return rc;
	rc = db_query(db, a, sql_lock_payment, DB_ARGS(DB_STR(pay_no)), &rows);
	if (rc != DB_OK)
		return rc;
	if (ord.nrows != 1 || rows.nrows != 1)
		return DB_ERR;
	out->order_no = db_cell(&ord, 0, 2);
	out->order_from = db_cell(&ord, 0, 0);
	payment_id = ll(&rows, 0);
	pstate = db_cell(&rows, 0, 1);
	out->amount_fen = ll(&rows, 2);
	ref = db_cell(&rows, 0, 3);
	out->method = db_cell(&rows, 0, 4);
	out->outcome = PAY_UNCHANGED;

	/* The provider knows only the QR payments it made; transfers and counter payments are
	 * finance's word alone. */
	if (strcmp(rep->actor_type, "system") == 0 && !pay_method_qr(out->method))
		return DB_OK;
	if (strcmp(rep->state, "closed") == 0) {
		/* Only an open QR payment closes: a late "closed" never undoes a "paid". */
		if (strcmp(pstate, "pending") != 0)
			return DB_OK;
		out->outcome = PAY_APPLIED_CLOSED;
		return db_exec(db, sql_close, DB_ARGS(DB_I64(payment_id)), NULL, NULL);
	}
	if (strcmp(rep->state, "paid") != 0)
		return DB_OK;
	if (rep->amount_fen != out->amount_fen) {
		out->outcome = PAY_AMOUNT_MISMATCH;
		return DB_OK;
	}
	if (ref[0] && rep->provider_ref && rep->provider_ref[0] && strcmp(ref, rep->provider_ref) != 0) {
		out->outcome = PAY_REF_MISMATCH;
		return DB_OK;
	}
	if (strcmp(pstate, "pending") != 0 && strcmp(pstate, "awaiting_finance") != 0 &&
	    strcmp(pstate, "closed") != 0)
		return DB_OK; /* paid, refunding or refunded already */
	return apply_paid(db, a, rep, &ord, payment_id, out);
}
