/* sandbox: the identity-check gateway of shared/ext/verify.h, its outcomes scripted by tests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/crypto.h"
#include "ext/provider.h"
#include "sandbox.h"
#include "base/valid.h"
#include "ext/verify.h"

/*
 * Signed, as shared/ext/verify.h describes (X-Certhall-* under [verify] secret):
 *   POST /sandbox/verify/checks        -> 200 {"ref","state","message","link"}
 *   GET  /sandbox/verify/checks/:ref   -> the same; 404 for an unknown ref
 *   POST /sandbox/verify/transfers     -> 200 {"ref","state":"sent"|"failed","message"}
 *   GET  /sandbox/verify/transfers/:ref -> 200 {"ref","state":"sent"|"credited"|"failed",
 *        "message"}: whether the receiving bank credited it; 404 for an unknown ref
 * Unsigned, like /sandbox/control: tests drive them, and a developer plays the person:
 *   POST /sandbox/verify/script {"key","outcome"}  key: an ID number, mobile, bank card,
 *        account number or USCC; outcome: pass | fail | wait | unavailable | timeout | clear
 *   POST /sandbox/verify/checks/:ref/complete {"outcome":"pass"|"fail"}: the person
 *        finishing a pending check (a face check: liveness done, or not)
 *   GET  /sandbox/verify/transfers?account_no=N: transfers to the account, newest first,
 *        with their memo (what the applicant reads off the bank statement) and state
 *   POST /sandbox/verify/transfers/:ref/complete {"outcome":"credited"|"failed"}: the
 *        receiving bank's word on a transfer still sent (the staff console's sandbox buttons)
 * A transfer to an account scripted fail is refused at once; scripted pass, credited at once;
 * otherwise it stays sent until completed (in make run: the console's buttons).
 *   GET  /sandbox/verify/face/:ref: what the face link opens: 302 to the sandbox's face page
 *        (ui/face.html), which reads GET /sandbox/verify/face/:ref/info and completes the check
 * A check's outcome is the strongest one scripted for any of its keys (unavailable and
 * timeout > fail > wait > pass); with nothing scripted, face checks wait and the rest pass.
 * unavailable answers 503 and records nothing; timeout answers the same, but only after
 * [verify] timeout_ms + 1 s, when the caller has given up. A repeated ref answers the first
 * outcome: a gateway never checks the same request twice.
 */

#define KEYS_MAX 5
#define LIST_MAX 50

static const char sql_script[] =
	"INSERT INTO sandbox_verify_scripts (key_hash, outcome, updated_at) VALUES (?, ?, NOW(3)) "
	"ON DUPLICATE KEY UPDATE outcome = VALUES(outcome), updated_at = VALUES(updated_at)";
static const char sql_unscript[] = "DELETE FROM sandbox_verify_scripts WHERE key_hash = ?";
static const char sql_scripted[] =
	"SELECT key_hash, outcome FROM sandbox_verify_scripts WHERE key_hash IN (?, ?, ?, ?, ?)";
static const char sql_check_get[] =
	"SELECT ref, method, state, message, link, key_hashes FROM sandbox_verify_checks "
	"WHERE ref = ?";
static const char sql_check_put[] =
	"INSERT INTO sandbox_verify_checks (ref, method, state, message, link, key_hashes, "
	"created_at, decided_at) VALUES (?, ?, ?, ?, ?, ?, NOW(3), IF(? = 'pending', NULL, NOW(3)))";
static const char sql_check_done[] =
	"UPDATE sandbox_verify_checks SET state = ?, message = ?, decided_at = NOW(3) "
	"WHERE ref = ? AND state = 'pending'";
static const char sql_transfer_get[] =
	"SELECT ref FROM sandbox_verify_transfers WHERE ref = ?";
static const char sql_transfer_put[] =
	"INSERT INTO sandbox_verify_transfers (ref, account_hash, account_name, bank, amount_fen, "
	"memo, state, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, NOW(3))";
static const char sql_transfers[] =
	"SELECT ref, account_name, bank, amount_fen, memo, "
	"DATE_FORMAT(created_at, '%Y-%m-%dT%H:%i:%s'), state FROM sandbox_verify_transfers "
	"WHERE account_hash = ? ORDER BY created_at DESC, ref LIMIT 50";
static const char sql_transfer_state[] =
	"SELECT ref, state, message FROM sandbox_verify_transfers WHERE ref = ?";
static const char sql_transfer_done[] =
	"UPDATE sandbox_verify_transfers SET state = ?, message = ? WHERE ref = ? AND state = 'sent'";
#define RETURNED "收款账号与户名不符，打款被收款行退回。"

/* Keys are kept as hashes: even test data is not left lying about as ID numbers. */
static void key_hash(const char *key, char out[2 * CRYPTO_SHA256_LEN + 1])
{
	crypto_sha256_hex(key, strlen(key), out);
}

/* The body as a JSON object, signed when `signed_` (GET: the empty body). Returns 0, or -1
 * answered. */
static int take(struct req *r, bool signed_, bool has_body, json_t **out)
{
	const char *buf = "", *ts, *sig;
	size_t len = 0;
	json_t *j;

	*out = NULL;
	if (sandbox_ready(r) < 0)
		return -1;
	if (has_body) {
		if (!sandbox_is_json(r->content_type))
			return sandbox_error(r, 415, "unsupported_media_type", true, NULL,
					     "请以 JSON 格式提交（Content-Type: application/json）。");
		if (req_body(r, (size_t)r->app->conf.json_body_max, &buf, &len) < 0)
			return -1;
	}
	if (signed_) {
		ts = req_param(r, "HTTP_X_CERTHALL_TIMESTAMP");
		sig = req_param(r, "HTTP_X_CERTHALL_SIGNATURE");
		if (!ts || !sig ||
		    provider_verify(r->app->conf.verify_secret, ts, sig, buf, len, time(NULL)) < 0)
			return sandbox_error(r, 401, "bad_signature", true, NULL,
					     "签名校验失败（X-Certhall-Timestamp / X-Certhall-Signature）。");
	}
	if (!has_body)
		return 0;
	j = json_loadb(buf, len, JSON_REJECT_DUPLICATES, NULL);
	if (j && !(j = sandbox_arena_json(r, j)))
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	if (!json_is_object(j))
		return sandbox_error(r, 400, "bad_json", true, NULL, "请求内容不是有效的 JSON 对象。");
	*out = j;
	return 0;
}

/* A string member: NULL when absent; -1 answered when not clean text of at most max chars. */
static int member(struct req *r, json_t *o, const char *name, size_t max, const char **out)
{
	json_t *v = json_object_get(o, name);

	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v) ||
	    !valid_text(json_string_value(v), json_string_length(v), max))
		return sandbox_error(r, 400, "invalid_field", true, name,
				     arena_printf(r->arena, "字段 %s 应为不超过 %zu 字的文本。", name,
						  max));
	*out = json_string_value(v);
	return 0;
}

static bool ref_ok(const char *ref)
{
	size_t n = ref ? strlen(ref) : 0;

	return n >= 16 && n <= 64 && strspn(ref, "0123456789abcdef") == n;
}

/* ---------------------------------------------------------------- scripted outcomes */

enum outcome { O_NONE, O_PASS, O_WAIT, O_FAIL, O_UNAVAILABLE, O_TIMEOUT };

static enum outcome outcome_of(const char *s)
{
	static const char *const names[] = { "", "pass", "wait", "fail", "unavailable", "timeout" };

	for (int i = 1; s && i <= O_TIMEOUT; i++)
		if (strcmp(s, names[i]) == 0)
			return (enum outcome)i;
	return O_NONE;
}

static int rank(enum outcome o)
{
	return o == O_TIMEOUT ? O_UNAVAILABLE : (int)o;
}

#define HASH_HEX (2 * CRYPTO_SHA256_LEN + 1)

/* The strongest outcome scripted for any of the hashed keys; *which: the index of the key that
 * decided it (-1: none). Returns 0, or -1 answered. */
static int scripted_hashes(struct req *r, char h[KEYS_MAX][HASH_HEX], enum outcome *out,
			   int *which)
{
	struct db_rows rows;
	int rc;

	*out = O_NONE;
	*which = -1;
	rc = db_query(&r->app->db, r->arena, sql_scripted,
		      DB_ARGS(DB_STR(h[0]), DB_STR(h[1]), DB_STR(h[2]), DB_STR(h[3]), DB_STR(h[4])),
		      &rows);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	for (size_t i = 0; i < rows.nrows; i++) {
		enum outcome o = outcome_of(db_cell(&rows, i, 1));

		if (rank(o) <= rank(*out))
			continue;
		*out = o;
		for (int k = 0; k < KEYS_MAX; k++)
			if (strcmp(h[k], db_cell(&rows, i, 0)) == 0)
				*which = k;
	}
	return 0;
}

/* The hashes of keys; an absent key hashes "-", which nobody can script (keys are digits). */
static void hash_keys(const char *const keys[KEYS_MAX], char h[KEYS_MAX][HASH_HEX])
{
	for (int i = 0; i < KEYS_MAX; i++)
		key_hash(keys[i] && keys[i][0] ? keys[i] : "-", h[i]);
}

static int scripted(struct req *r, const char *const keys[KEYS_MAX], enum outcome *out,
		    const char **which)
{
	char h[KEYS_MAX][HASH_HEX];
	int k;

	hash_keys(keys, h);
	if (scripted_hashes(r, h, out, &k) < 0)
		return -1;
	*which = k >= 0 ? keys[k] : NULL;
	return 0;
}

/* 503, at once or after the caller's timeout has passed. */
static int unavailable(struct req *r, enum outcome o)
{
	if (o == O_TIMEOUT)
		sandbox_outwait(r, r->app->conf.verify_timeout_ms);
	return sandbox_error(r, 503, "unavailable", false, NULL,
			     "核验服务暂时不可用（沙箱脚本设定）。");
}

/* POST /sandbox/verify/script {"key","outcome"} */
int sandbox_verify_script(struct req *r)
{
	char h[2 * CRYPTO_SHA256_LEN + 1];
	const char *key, *outcome;
	json_t *j;
	int rc;

	if (take(r, false, true, &j) < 0 || member(r, j, "key", 64, &key) < 0 ||
	    member(r, j, "outcome", 16, &outcome) < 0)
		return -1;
	if (!key || !key[0])
		return sandbox_error(r, 400, "missing_field", true, "key", "缺少字段 key。");
	if (!outcome || (outcome_of(outcome) == O_NONE && strcmp(outcome, "clear") != 0))
		return sandbox_error(r, 400, "invalid_field", true, "outcome",
				     "outcome 应为 pass、fail、wait、unavailable、timeout 或 clear。");
	key_hash(key, h);
	if (strcmp(outcome, "clear") == 0)
		rc = db_exec(&r->app->db, sql_unscript, DB_ARGS(DB_STR(h)), NULL, NULL);
	else
		rc = db_exec(&r->app->db, sql_script, DB_ARGS(DB_STR(h), DB_STR(outcome)), NULL, NULL);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	resp_json(r, 200, json_pack("{s:s}", "outcome", outcome));
	return 0;
}

/* ------------------------------------------------------------------------- checks */

/* The check of ref (sql_check_get's row); 404 for a malformed or unknown ref. Returns 0, or
 * -1 answered. */
static int find_check(struct req *r, const char *ref, struct db_rows *rows)
{
	int rc;

	if (!ref_ok(ref))
		return sandbox_error(r, 404, "not_found", true, NULL, "没有该编号的核验。");
	rc = db_query(&r->app->db, r->arena, sql_check_get, DB_ARGS(DB_STR(ref)), rows);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (rows->nrows != 1)
		return sandbox_error(r, 404, "not_found", true, NULL, "没有该编号的核验。");
	return 0;
}

static int answer_check(struct req *r, const char *ref)
{
	struct db_rows rows;

	if (find_check(r, ref, &rows) < 0)
		return -1;
	resp_json(r, 200, json_pack("{s:s, s:s, s:s, s:s, s:s}", "ref", db_cell(&rows, 0, 0),
				    "method", db_cell(&rows, 0, 1), "state", db_cell(&rows, 0, 2),
				    "message", db_cell(&rows, 0, 3), "link", db_cell(&rows, 0, 4)));
	return 0;
}

/* Why a check fails, naming the element that did not match (as a real gateway would; the
 * caller masks it). */
static const char *fail_message(struct req *r, const struct verify_check *c, const char *which)
{
	if (!which)
		return "核验未通过。";
	if (c->id_number && strcmp(which, c->id_number) == 0)
		return arena_printf(r->arena, "身份证号 %s 与姓名不匹配（公安人口库比对不一致）。", which);
	if (c->mobile && strcmp(which, c->mobile) == 0)
		return arena_printf(r->arena, "手机号 %s 的运营商实名信息与姓名、身份证号不一致。", which);
	if (c->bank_card && strcmp(which, c->bank_card) == 0)
		return arena_printf(r->arena, "银行卡 %s 的开户信息与姓名、身份证号或预留手机号不一致。",
				    which);
	if (c->uscc && strcmp(which, c->uscc) == 0)
		return arena_printf(r->arena, "统一社会信用代码 %s 登记的法定代表人不是%s。", which,
				    c->name ? c->name : "该人员");
	return arena_printf(r->arena, "账号 %s 与户名不符，打款被收款行退回。", which);
}

/* POST /sandbox/verify/checks */
int sandbox_verify_check(struct req *r)
{
	struct verify_check c = { 0 };
	enum outcome o;
	const char *which, *state, *message = "", *link = "", *bad;
	const char *keys[KEYS_MAX];
	char h[KEYS_MAX][HASH_HEX];
	struct db_rows rows;
	char bare[12];
	json_t *j;
	int rc;

	if (take(r, true, true, &j) < 0 || member(r, j, "ref", 64, &c.ref) < 0 ||
	    member(r, j, "method", 16, &c.method) < 0 || member(r, j, "name", 30, &c.name) < 0 ||
	    member(r, j, "id_number", 18, &c.id_number) < 0 ||
	    member(r, j, "mobile", 16, &c.mobile) < 0 ||
	    member(r, j, "bank_card", 19, &c.bank_card) < 0 ||
	    member(r, j, "org_name", 100, &c.org_name) < 0 || member(r, j, "uscc", 18, &c.uscc) < 0)
		return -1;
	if (!ref_ok(c.ref))
		return sandbox_error(r, 400, "invalid_field", true, "ref", "ref 应为 16 至 64 位小写十六进制。");
	if (!c.method || strcmp(c.method, "transfer") == 0 || !verify_method_name(c.method))
		return sandbox_error(r, 400, "invalid_field", true, "method", "不支持的核验方式。");
	if ((bad = verify_missing(&c)) != NULL)
		return sandbox_error(r, 400, "invalid_field", true, bad,
				     arena_printf(r->arena, "核验要素 %s 缺失或格式不正确。", bad));
	if (c.mobile && valid_mobile(c.mobile, bare))
		c.mobile = arena_strdup(r->arena, bare);
	/* The same ref again: the first outcome stands. */
	rc = db_query(&r->app->db, r->arena, sql_check_get, DB_ARGS(DB_STR(c.ref)), &rows);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (rows.nrows == 1)
		return answer_check(r, c.ref);
	keys[0] = c.id_number;
	keys[1] = c.mobile;
	keys[2] = c.bank_card;
	keys[3] = c.uscc;
	keys[4] = NULL;
	if (scripted(r, keys, &o, &which) < 0)
		return -1;
	hash_keys(keys, h);
	if (o == O_UNAVAILABLE || o == O_TIMEOUT)
		return unavailable(r, o);
	if (o == O_NONE)
		o = verify_method_face(c.method) ? O_WAIT : O_PASS;
	state = o == O_PASS ? "passed" : o == O_FAIL ? "failed" : "pending";
	if (o == O_FAIL)
		message = fail_message(r, &c, which);
	if (o == O_WAIT && verify_method_face(c.method))
		link = arena_printf(r->arena, "%s/sandbox/verify/face/%s", r->app->conf.public_url,
				    c.ref);
	rc = db_exec(&r->app->db, sql_check_put,
		     DB_ARGS(DB_STR(c.ref), DB_STR(c.method), DB_STR(state), DB_STR(message),
			     DB_STR(link), DB_STR(arena_printf(r->arena, "%s,%s,%s,%s", h[0], h[1],
								h[2], h[3])),
			     DB_STR(state)),
		     NULL, NULL);
	if (rc != DB_OK && rc != DB_DUP)
		return app_db_error(r, rc);
	return answer_check(r, c.ref);
}

/* GET /sandbox/verify/checks/:ref: a key scripted unavailable (or timeout) since the check
 * started makes the query fail too, so the caller's handling of that can be tested. */
int sandbox_verify_check_get(struct req *r)
{
	char h[KEYS_MAX][HASH_HEX] = { { 0 } };
	const char *ref = r->params[0], *list;
	struct db_rows rows;
	enum outcome o;
	int k = 0;
	json_t *j;

	if (take(r, true, false, &j) < 0 || find_check(r, ref, &rows) < 0)
		return -1;
	list = db_cell(&rows, 0, 5);
	for (int i = 0; i < KEYS_MAX; i++) {
		size_t n = strcspn(list, ",");

		snprintf(h[i], HASH_HEX, "%.*s", (int)n, list);
		list += list[n] ? n + 1 : n;
	}
	if (scripted_hashes(r, h, &o, &k) < 0)
		return -1;
	if (o == O_UNAVAILABLE || o == O_TIMEOUT)
		return unavailable(r, o);
	return answer_check(r, ref);
}

/* POST /sandbox/verify/checks/:ref/complete {"outcome": "pass" | "fail"} */
int sandbox_verify_complete(struct req *r)
{
	const char *outcome, *ref = r->params[0];
	struct db_rows rows;
	unsigned long long n = 0;
	bool pass;
	json_t *j;
	int rc;

	if (take(r, false, true, &j) < 0 || member(r, j, "outcome", 8, &outcome) < 0)
		return -1;
	if (!outcome || (strcmp(outcome, "pass") != 0 && strcmp(outcome, "fail") != 0))
		return sandbox_error(r, 400, "invalid_field", true, "outcome", "outcome 应为 pass 或 fail。");
	if (!ref_ok(ref))
		return sandbox_error(r, 404, "not_found", true, NULL, "没有该编号的核验。");
	pass = strcmp(outcome, "pass") == 0;
	rc = db_exec(&r->app->db, sql_check_done,
		     DB_ARGS(DB_STR(pass ? "passed" : "failed"),
			     DB_STR(pass ? "" : "人脸比对未通过：活体检测失败或与身份证登记照片不一致。"),
			     DB_STR(ref)),
		     &n, NULL);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (n == 1)
		return answer_check(r, ref);
	if (find_check(r, ref, &rows) < 0)
		return -1;
	return sandbox_error(r, 409, "not_pending", true, NULL, "该核验已有结果，不能再完成。");
}

/* GET /sandbox/verify/face/:ref: what a face link opens: the sandbox's "camera" page
 * (fcgi-apps/sandbox/ui/face.html, served by the dev/test nginx), where a person clicks pass or
 * fail as they would stand before a real provider's camera. */
int sandbox_verify_face(struct req *r)
{
	const char *ref = r->params[0];
	struct db_rows rows;

	if (sandbox_ready(r) < 0 || find_check(r, ref, &rows) < 0)
		return -1;
	r->responded = true;
	r->status = 302;
	r->resp_type = "text/plain; charset=utf-8";
	r->body = "";
	r->body_len = 0;
	resp_header(r, "Location", arena_printf(r->arena, "/sandbox/ui/face.html?ref=%s", ref));
	resp_header(r, "Cache-Control", "no-store");
	return 0;
}

/* GET /sandbox/verify/face/:ref/info: the check as the face page shows it (unsigned, like the
 * page's pass and fail buttons). */
int sandbox_verify_face_info(struct req *r)
{
	const char *ref = r->params[0];
	struct db_rows rows;

	if (sandbox_ready(r) < 0 || find_check(r, ref, &rows) < 0)
		return -1;
	resp_json(r, 200,
		  json_pack("{s:s, s:s, s:s}", "ref", ref, "method", db_cell(&rows, 0, 1), "state",
			    db_cell(&rows, 0, 2)));
	return 0;
}

/* ---------------------------------------------------------------------- transfers */

/* POST /sandbox/verify/transfers */
int sandbox_verify_transfer(struct req *r)
{
	struct verify_check c = { .method = "transfer" };
	char h[2 * CRYPTO_SHA256_LEN + 1];
	const char *keys[KEYS_MAX] = { NULL }, *which, *bad;
	struct db_rows rows;
	enum outcome o;
	json_t *j, *amount;
	int rc;

	if (take(r, true, true, &j) < 0 || member(r, j, "ref", 64, &c.ref) < 0 ||
	    member(r, j, "account_name", 100, &c.account_name) < 0 ||
	    member(r, j, "account_no", 32, &c.account_no) < 0 ||
	    member(r, j, "bank", 100, &c.bank) < 0 || member(r, j, "memo", 6, &c.memo) < 0)
		return -1;
	if (!ref_ok(c.ref))
		return sandbox_error(r, 400, "invalid_field", true, "ref", "ref 应为 16 至 64 位小写十六进制。");
	if ((bad = verify_missing(&c)) != NULL)
		return sandbox_error(r, 400, "invalid_field", true, bad,
				     arena_printf(r->arena, "打款要素 %s 缺失或格式不正确。", bad));
	amount = json_object_get(j, "amount_fen");
	if (!json_is_integer(amount) || json_integer_value(amount) != 1)
		return sandbox_error(r, 400, "invalid_field", true, "amount_fen",
				     "验证打款金额只能是 1 分（amount_fen 为 1）。");
	rc = db_query(&r->app->db, r->arena, sql_transfer_get, DB_ARGS(DB_STR(c.ref)), &rows);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (rows.nrows == 1)
		goto sent;
	keys[0] = c.account_no;
	if (scripted(r, keys, &o, &which) < 0)
		return -1;
	if (o == O_UNAVAILABLE || o == O_TIMEOUT)
		return unavailable(r, o);
	if (o == O_FAIL) {
		resp_json(r, 200, json_pack("{s:s, s:s, s:s}", "ref", c.ref, "state", "failed",
					    "message", fail_message(r, &c, which)));
		return 0;
	}
	key_hash(c.account_no, h);
	rc = db_exec(&r->app->db, sql_transfer_put,
		     DB_ARGS(DB_STR(c.ref), DB_STR(h), DB_STR(c.account_name), DB_STR(c.bank),
			     DB_I64(1), DB_STR(c.memo), DB_STR(o == O_PASS ? "credited" : "sent")),
		     NULL, NULL);
	if (rc != DB_OK && rc != DB_DUP)
		return app_db_error(r, rc);
sent:
	resp_json(r, 200, json_pack("{s:s, s:s, s:s}", "ref", c.ref, "state", "sent", "message",
				    "已打款 0.01 元。"));
	return 0;
}

/* GET /sandbox/verify/transfers?account_no=N */
int sandbox_verify_transfers(struct req *r)
{
	char h[2 * CRYPTO_SHA256_LEN + 1];
	struct kvlist args;
	struct db_rows rows;
	const char *account;
	json_t *list;
	int rc;

	if (sandbox_ready(r) < 0 || req_args(r, &args) < 0)
		return -1;
	account = kv_get(&args, "account_no");
	if (!account || strlen(account) < 6 || strlen(account) > 32 ||
	    strspn(account, "0123456789") != strlen(account))
		return sandbox_error(r, 400, "invalid_field", true, "account_no",
				     "查询参数 account_no 应为 6 至 32 位数字。");
	key_hash(account, h);
	rc = db_query(&r->app->db, r->arena, sql_transfers, DB_ARGS(DB_STR(h)), &rows);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	list = json_array();
	for (size_t i = 0; list && i < rows.nrows && i < LIST_MAX; i++)
		json_array_append_new(
			list, json_pack("{s:s, s:s, s:s, s:I, s:s, s:s, s:s}", "ref", db_cell(&rows, i, 0),
					"account_name", db_cell(&rows, i, 1), "bank",
					db_cell(&rows, i, 2), "amount_fen",
					(json_int_t)strtoll(db_cell(&rows, i, 3), NULL, 10), "memo",
					db_cell(&rows, i, 4), "created_at", db_cell(&rows, i, 5),
					"state", db_cell(&rows, i, 6)));
	resp_json(r, 200, json_pack("{s:o}", "transfers", list));
	return 0;
}

/* The transfer of ref and whether it was credited; 404 for a malformed or unknown ref.
 * Returns 0 (answered 200) or -1. */
static int answer_transfer(struct req *r, const char *ref)
{
	struct db_rows rows;
	int rc;

	if (!ref_ok(ref))
		return sandbox_error(r, 404, "not_found", true, NULL, "没有该编号的打款。");
	rc = db_query(&r->app->db, r->arena, sql_transfer_state, DB_ARGS(DB_STR(ref)), &rows);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (rows.nrows != 1)
		return sandbox_error(r, 404, "not_found", true, NULL, "没有该编号的打款。");
	resp_json(r, 200, json_pack("{s:s, s:s, s:s}", "ref", db_cell(&rows, 0, 0), "state",
				    db_cell(&rows, 0, 1), "message", db_cell(&rows, 0, 2)));
	return 0;
}

/* GET /sandbox/verify/transfers/:ref (signed) */
int sandbox_verify_transfer_get(struct req *r)
{
	json_t *j;

	if (take(r, true, false, &j) < 0)
		return -1;
	return answer_transfer(r, r->params[0]);
}

/* POST /sandbox/verify/transfers/:ref/complete {"outcome": "credited" | "failed"} */
int sandbox_verify_transfer_complete(struct req *r)
{
	const char *outcome, *ref = r->params[0];
	unsigned long long n = 0;
	struct db_rows rows;
	bool credited;
	json_t *j;
	int rc;

	if (take(r, false, true, &j) < 0 || member(r, j, "outcome", 8, &outcome) < 0)
		return -1;
	if (!outcome || (strcmp(outcome, "credited") != 0 && strcmp(outcome, "failed") != 0))
		return sandbox_error(r, 400, "invalid_field", true, "outcome",
				     "outcome 应为 credited（已入账）或 failed（被收款行退回）。");
	if (!ref_ok(ref))
		return sandbox_error(r, 404, "not_found", true, NULL, "没有该编号的打款。");
	credited = strcmp(outcome, "credited") == 0;
	rc = db_exec(&r->app->db, sql_transfer_done,
		     DB_ARGS(DB_STR(outcome), DB_STR(credited ? "" : RETURNED), DB_STR(ref)), &n,
		     NULL);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (n == 1)
		return answer_transfer(r, ref);
	rc = db_query(&r->app->db, r->arena, sql_transfer_state, DB_ARGS(DB_STR(ref)), &rows);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (rows.nrows != 1)
		return sandbox_error(r, 404, "not_found", true, NULL, "没有该编号的打款。");
	return sandbox_error(r, 409, "not_pending", true, NULL, "该打款已有结果，不能再改。");
}
