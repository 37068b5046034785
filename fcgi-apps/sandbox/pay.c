/* sandbox: the payment provider of shared/ext/pay.h (WeChat Pay / Alipay QR), and a payer that
 * tests drive. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ext/http.h"
#include "ext/pay.h"
#include "ext/provider.h"
#include "sandbox.h"
#include "base/valid.h"

/*
 * The provider's side, signed under [pay] secret (shared/ext/pay.h has the protocol):
 *   POST /sandbox/pay/orders                  create (503 while fail_create is set); scene "h5"
 *                                             answers h5_url, the phone page below, as
 *                                             WeChat H5 / Alipay wap answer theirs
 *   GET  /sandbox/pay/orders/:pay_no          query
 *   POST /sandbox/pay/orders/:pay_no/close    close
 * The payer, unsigned like /sandbox/control (tests drive it):
 *   POST /sandbox/pay/orders/:pay_no/complete {"outcome": "paid" | "closed", "notify": true}
 *        moves a pending order, signs the notification, keeps it, and POSTs it to the
 *        order's notify_url unless notify is false (a notification that never arrives);
 *        answers what the hall answered: {"state","event_id","notified","notify_status",
 *        "notify_answer"}.
 *   GET  /sandbox/pay/orders/:pay_no/payer   what the sandbox "phone" page (ui/phone.html) shows,
 *        with the H5 order's return_url (the merchant's page the payer goes back to)
 *   GET  /sandbox/pay/orders/:pay_no/notification  the last notification as sent:
 *        {"body": "<exact bytes>", "headers": {...}, "notify_url"}, to replay byte for byte.
 *   POST /sandbox/pay/control {"fail_create": true | false}
 * Orders live in sandbox_pay_orders, the switch in sandbox_pay_control (main.c).
 */

#define SUBJECT_MAX 100
#define URL_MAX 500

static const char sql_get[] =
	"SELECT pay_no, provider_ref, method, amount_fen, state, qr_url, notify_url, "
	"COALESCE(DATE_FORMAT(paid_at, '%Y-%m-%dT%H:%i:%s+08:00'), ''), note_body, note_ts, "
	"note_sig, return_url FROM sandbox_pay_orders WHERE pay_no = ?";
static const char sql_insert[] =
	"INSERT INTO sandbox_pay_orders (pay_no, provider_ref, method, amount_fen, subject, "
	"notify_url, qr_url, return_url, state, created_at) "
	"VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', NOW(3))";
static const char sql_move[] =
	"UPDATE sandbox_pay_orders SET state = ?, paid_at = IF(? = 'paid', NOW(3), paid_at) "
	"WHERE pay_no = ? AND state = 'pending'";
static const char sql_note[] =
	"UPDATE sandbox_pay_orders SET note_body = ?, note_ts = ?, note_sig = ? WHERE pay_no = ?";
static const char sql_fail_get[] = "SELECT fail_create FROM sandbox_pay_control WHERE id = 1";
static const char sql_fail_set[] =
	"INSERT INTO sandbox_pay_control (id, fail_create, updated_at) VALUES (1, ?, NOW(3)) "
	"ON DUPLICATE KEY UPDATE fail_create = VALUES(fail_create), updated_at = VALUES(updated_at)";

/* Column order of sql_get. */
enum { C_NO, C_REF, C_METHOD, C_AMOUNT, C_STATE, C_QR, C_URL, C_PAID_AT, C_BODY, C_TS, C_SIG,
       C_RETURN };

/* The body as a JSON object released with the arena; NULL answered 400. */
static json_t *parse_body(struct req *r, const char *buf, size_t len)
{
	json_t *j = json_loadb(buf, len, JSON_REJECT_DUPLICATES, NULL);

	if (j && !(j = sandbox_arena_json(r, j))) {
		resp_error(r, ERR_INTERNAL, NULL, NULL);
		return NULL;
	}
	if (!json_is_object(j)) {
		sandbox_error(r, 400, "bad_json", true, NULL, "请求内容不是有效的 JSON 对象。");
		return NULL;
	}
	return j;
}

/* certhall's request must carry the pay signature. Returns 0, or -1 answered 401. */
static int check_signature(struct req *r, const char *body, size_t len)
{
	const char *ts = req_param(r, "HTTP_X_CERTHALL_TIMESTAMP");
	const char *sig = req_param(r, "HTTP_X_CERTHALL_SIGNATURE");

	if (!ts || !sig || provider_verify(r->app->conf.pay_secret, ts, sig, body, len, time(NULL)) < 0)
		return sandbox_error(r, 401, "bad_signature", true, NULL,
				     "签名校验失败（X-Certhall-Timestamp / X-Certhall-Signature）。");
	return 0;
}

/* The order named by the path into rows. Returns 0, or -1 answered (404 when unknown). */
static int find(struct req *r, struct db_rows *rows)
{
	const char *no = r->params[0];
	int rc;

	if (!pay_no_valid(no))
		return sandbox_error(r, 404, "not_found", true, NULL, "没有该订单。");
	rc = db_query(&r->app->db, r->arena, sql_get, DB_ARGS(DB_STR(no)), rows);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (rows->nrows != 1)
		return sandbox_error(r, 404, "not_found", true, NULL, "没有该订单。");
	return 0;
}

static json_t *order_json(const struct db_rows *rows)
{
	const char *paid_at = db_cell(rows, 0, C_PAID_AT);

	return json_pack("{s:s, s:s, s:I, s:s?}", "state", db_cell(rows, 0, C_STATE),
			 "provider_ref", db_cell(rows, 0, C_REF), "amount_fen",
			 (json_int_t)strtoll(db_cell(rows, 0, C_AMOUNT), NULL, 10), "paid_at",
			 paid_at[0] ? paid_at : NULL);
}

static int answer_order(struct req *r, const char *no)
{
	struct db_rows rows;
	int rc = db_query(&r->app->db, r->arena, sql_get, DB_ARGS(DB_STR(no)), &rows);

	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (rows.nrows != 1)
		return sandbox_error(r, 404, "not_found", true, NULL, "没有该订单。");
	resp_json(r, 200, order_json(&rows));
	return 0;
}

static bool fail_create(struct req *r)
{
	struct db_rows rows;

	return db_query(&r->app->db, r->arena, sql_fail_get, DB_NOARGS, &rows) == DB_OK &&
	       rows.nrows == 1 && strcmp(db_cell(&rows, 0, 0), "1") == 0;
}

static const char *member(json_t *j, const char *name, size_t max_chars)
{
	json_t *v = json_object_get(j, name);
	const char *s = json_string_value(v);

	if (!s || strlen(s) != json_string_length(v) || !valid_text(s, strlen(s), max_chars))
		return NULL;
	return s;
}

/* The answer to a create of an order that exists: the same answer again when it is the same
 * order (a create whose answer was lost, or two at once), 409 when the pay_no is another's. */
static int created(struct req *r, const struct db_rows *rows, const char *method, long long fen,
		   const char *back)
{
	const char *no = db_cell(rows, 0, C_NO);
	json_t *j;

	if (strcmp(db_cell(rows, 0, C_METHOD), method) != 0 ||
	    strtoll(db_cell(rows, 0, C_AMOUNT), NULL, 10) != fen ||
	    strcmp(db_cell(rows, 0, C_RETURN), back) != 0)
		return sandbox_error(r, 409, "pay_no_taken", true, "pay_no", "该 pay_no 已用于另一笔订单。");
	j = json_pack("{s:s, s:s, s:s}", "provider_ref", db_cell(rows, 0, C_REF), "qr_url",
		      db_cell(rows, 0, C_QR), "state", db_cell(rows, 0, C_STATE));
	/* The payer's browser opens the sandbox's phone page, as a real H5 page. */
	if (j && back[0])
		json_object_set_new(j, "h5_url",
				    json_string(arena_printf(r->arena, "%s/sandbox/ui/phone.html?pay_no=%s",
							     r->app->conf.public_url, no)));
	resp_json(r, 200, j);
	return 0;
}

int sandbox_pay_create(struct req *r)
{
	const char *buf, *no, *method, *subject, *url, *scene, *back = "";
	char token[33], ref[40], qr[80];
	struct db_rows rows;
	json_t *j, *amount;
	long long fen;
	size_t len;
	int rc;

	if (sandbox_ready(r) < 0 || req_body(r, (size_t)r->app->conf.json_body_max, &buf, &len) < 0 ||
	    check_signature(r, buf, len) < 0 || !(j = parse_body(r, buf, len)))
		return -1;
	no = json_string_value(json_object_get(j, "pay_no"));
	method = json_string_value(json_object_get(j, "method"));
	amount = json_object_get(j, "amount_fen");
	subject = member(j, "subject", SUBJECT_MAX);
	url = member(j, "notify_url", URL_MAX);
	scene = json_string_value(json_object_get(j, "scene"));
	if (!pay_no_valid(no))
		return sandbox_error(r, 400, "invalid_field", true, "pay_no", "pay_no 应为 24 位数字或大写字母。");
	if (!pay_method_qr(method))
		return sandbox_error(r, 400, "invalid_field", true, "method", "method 应为 wechat 或 alipay。");
	if (!json_is_integer(amount) || json_integer_value(amount) <= 0 ||
	    json_integer_value(amount) > 100000000000LL)
		return sandbox_error(r, 400, "invalid_field", true, "amount_fen", "amount_fen 应为正整数（分）。");
	fen = (long long)json_integer_value(amount);
	if (!subject)
		return sandbox_error(r, 400, "invalid_field", true, "subject", "subject 应为不超过 100 字的文字。");
	if (!url || (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0))
		return sandbox_error(r, 400, "invalid_field", true, "notify_url", "notify_url 应为 http(s) 地址。");
	if (json_object_get(j, "scene") && !(scene && strcmp(scene, "h5") == 0))
		return sandbox_error(r, 400, "invalid_field", true, "scene", "scene 只能为 h5。");
	if (scene) {
		back = member(j, "return_url", URL_MAX);
		if (!back || (strncmp(back, "http://", 7) != 0 && strncmp(back, "https://", 8) != 0))
			return sandbox_error(r, 400, "invalid_field", true, "return_url",
					     "H5 支付需要 return_url（http(s) 地址）。");
	}
	if (fail_create(r))
		return sandbox_error(r, 503, "unavailable", false, NULL, "支付服务暂时不可用（沙箱设置 fail_create）。");
	rc = db_query(&r->app->db, r->arena, sql_get, DB_ARGS(DB_STR(no)), &rows);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (rows.nrows == 1)
		return created(r, &rows, method, fen, back);
	if (crypto_token_hex(token, sizeof(token), 16) < 0)
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	snprintf(ref, sizeof(ref), "sbxpay_%s", token);
	if (strcmp(method, "wechat") == 0)
		snprintf(qr, sizeof(qr), "weixin://wxpay/bizpayurl?pr=%.12s", token + 20);
	else
		snprintf(qr, sizeof(qr), "https://qr.alipay.com/%.12s", token + 20);
	rc = db_exec(&r->app->db, sql_insert,
		     DB_ARGS(DB_STR(no), DB_STR(ref), DB_STR(method), DB_I64(fen), DB_STR(subject),
			     DB_STR(url), DB_STR(qr), DB_STR(back)),
		     NULL, NULL);
	if (rc == DB_DUP) { /* a parallel create of the same pay_no won: answer what it made */
		rc = db_query(&r->app->db, r->arena, sql_get, DB_ARGS(DB_STR(no)), &rows);
		if (rc != DB_OK || rows.nrows != 1)
			return app_db_error(r, rc != DB_OK ? rc : DB_ERR);
		return created(r, &rows, method, fen, back);
	}
	if (rc != DB_OK)
		return app_db_error(r, rc);
	rc = db_query(&r->app->db, r->arena, sql_get, DB_ARGS(DB_STR(no)), &rows);
	if (rc != DB_OK || rows.nrows != 1)
		return app_db_error(r, rc != DB_OK ? rc : DB_ERR);
	return created(r, &rows, method, fen, back);
}

int sandbox_pay_query(struct req *r)
{
	struct db_rows rows;

	if (sandbox_ready(r) < 0 || check_signature(r, "", 0) < 0 || find(r, &rows) < 0)
		return -1;
	resp_json(r, 200, order_json(&rows));
	return 0;
}

/* GET /sandbox/pay/orders/:pay_no/payer: what the sandbox "phone" (ui/phone.html) shows the
 * payer before they confirm: unsigned, like the complete it leads to. */
int sandbox_pay_payer(struct req *r)
{
	struct db_rows rows;
	json_t *j;

	if (sandbox_ready(r) < 0 || find(r, &rows) < 0)
		return -1;
	j = order_json(&rows);
	json_object_set_new(j, "pay_no", json_string(r->params[0]));
	json_object_set_new(j, "method", json_string(db_cell(&rows, 0, C_METHOD)));
	if (db_cell(&rows, 0, C_RETURN)[0])
		json_object_set_new(j, "return_url", json_string(db_cell(&rows, 0, C_RETURN)));
	resp_json(r, 200, j);
	return 0;
}

int sandbox_pay_close(struct req *r)
{
	struct db_rows rows;
	const char *buf;
	size_t len;
	int rc;

	if (sandbox_ready(r) < 0 || req_body(r, (size_t)r->app->conf.json_body_max, &buf, &len) < 0 ||
	    check_signature(r, buf, len) < 0 || find(r, &rows) < 0)
		return -1;
	/* A paid order stays paid: the answer says so. */
	rc = db_exec(&r->app->db, sql_move,
		     DB_ARGS(DB_STR("closed"), DB_STR("closed"), DB_STR(r->params[0])), NULL, NULL);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	return answer_order(r, r->params[0]);
}

static void china_time(char out[32])
{
	time_t t = time(NULL) + 8 * 3600;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%S+08:00", &tm);
}

/* POSTs the signed notification to url; *status and *answer (NULL when not JSON) say what
 * the hall answered. Returns true when it answered at all. */
static bool deliver(struct req *r, const char *url, const char *body, const char *ts,
		    const char *sig, long *status, json_t **answer)
{
	char h_ts[64], h_sig[128], err[256];
	const char *headers[] = { "Content-Type: application/json", h_ts, h_sig, NULL };
	char *resp = NULL;
	size_t resp_len = 0;
	int rc;

	*answer = NULL;
	snprintf(h_ts, sizeof(h_ts), "X-Certhall-Timestamp: %s", ts);
	snprintf(h_sig, sizeof(h_sig), "X-Certhall-Signature: %s", sig);
	rc = http_request("POST", url, headers, body, strlen(body), r->app->conf.pay_timeout_ms,
			  status, &resp, &resp_len, err, sizeof(err));
	if (rc == HTTP_OK && resp)
		*answer = json_loadb(resp, resp_len, 0, NULL);
	free(resp);
	return rc == HTTP_OK;
}

int sandbox_pay_complete(struct req *r)
{
	const char *buf, *outcome, *no = r->params[0];
	char event_id[40], token[33], at[32], ts[24], sig[65];
	struct db_rows rows;
	unsigned long long n = 0;
	json_t *j, *notify, *note, *answer = NULL;
	char *body;
	long status = 0;
	bool sent = false;
	size_t len;
	int rc;

	if (sandbox_ready(r) < 0 || req_body(r, (size_t)r->app->conf.json_body_max, &buf, &len) < 0 ||
	    !(j = parse_body(r, buf, len)) || find(r, &rows) < 0)
		return -1;
	outcome = json_string_value(json_object_get(j, "outcome"));
	notify = json_object_get(j, "notify");
	if (!outcome || (strcmp(outcome, "paid") != 0 && strcmp(outcome, "closed") != 0))
		return sandbox_error(r, 400, "invalid_field", true, "outcome", "outcome 应为 paid 或 closed。");
	if (notify && !json_is_boolean(notify))
		return sandbox_error(r, 400, "invalid_field", true, "notify", "notify 应为 true 或 false。");
	rc = db_exec(&r->app->db, sql_move, DB_ARGS(DB_STR(outcome), DB_STR(outcome), DB_STR(no)),
		     &n, NULL);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (n != 1)
		return sandbox_error(r, 409, "not_pending", true, NULL,
				     arena_printf(r->arena, "该订单已是 %s 状态。",
						  db_cell(&rows, 0, C_STATE)));
	if (crypto_token_hex(token, sizeof(token), 16) < 0)
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	snprintf(event_id, sizeof(event_id), "evt_%s", token);
	china_time(at);
	note = json_pack("{s:s, s:s, s:s, s:s, s:I, s:s}", "event_id", event_id, "pay_no", no,
			 "provider_ref", db_cell(&rows, 0, C_REF), "kind", outcome, "amount_fen",
			 (json_int_t)strtoll(db_cell(&rows, 0, C_AMOUNT), NULL, 10), "at", at);
	body = note ? json_dumps(note, JSON_COMPACT) : NULL;
	json_decref(note);
	if (!body || provider_sign(r->app->conf.pay_secret, time(NULL), body, strlen(body), ts, sig) < 0) {
		free(body);
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	}
	rc = db_exec(&r->app->db, sql_note, DB_ARGS(DB_STR(body), DB_STR(ts), DB_STR(sig), DB_STR(no)),
		     NULL, NULL);
	if (rc == DB_OK && !json_is_false(notify))
		sent = deliver(r, db_cell(&rows, 0, C_URL), body, ts, sig, &status, &answer);
	free(body);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	resp_json(r, 200, json_pack("{s:s, s:s, s:b, s:o?, s:o?}", "state", outcome, "event_id",
				    event_id, "notified", sent, "notify_status",
				    sent ? json_integer(status) : NULL, "notify_answer", answer));
	return 0;
}

int sandbox_pay_notification(struct req *r)
{
	struct db_rows rows;

	if (sandbox_ready(r) < 0 || find(r, &rows) < 0)
		return -1;
	if (!db_cell(&rows, 0, C_BODY))
		return sandbox_error(r, 404, "not_found", true, NULL, "该订单还没有发出通知。");
	resp_json(r, 200,
		  json_pack("{s:s, s:{s:s, s:s, s:s}, s:s}", "body", db_cell(&rows, 0, C_BODY),
			    "headers", "Content-Type", "application/json", "X-Certhall-Timestamp",
			    db_cell(&rows, 0, C_TS), "X-Certhall-Signature", db_cell(&rows, 0, C_SIG),
			    "notify_url", db_cell(&rows, 0, C_URL)));
	return 0;
}

int sandbox_pay_control(struct req *r)
{
	const char *k;
	json_t *body, *v, *fail = NULL;
	int rc;

	if (sandbox_ready(r) < 0 || req_json(r, &body) < 0)
		return -1;
	json_object_foreach(body, k, v) {
		if (strcmp(k, "fail_create") != 0 || !json_is_boolean(v))
			return resp_error(r, ERR_INVALID_FIELD, arena_strdup(r->arena, k),
					  "可用设置项：fail_create（true 或 false）。");
		fail = v;
	}
	if (fail) {
		rc = db_exec(&r->app->db, sql_fail_set, DB_ARGS(DB_I64(json_is_true(fail))), NULL, NULL);
		if (rc != DB_OK)
			return app_db_error(r, rc);
	}
	resp_json(r, 200, json_pack("{s:b}", "fail_create", fail_create(r)));
	return 0;
}
