/* sandbox: the two SMS gateways and the mail sink of the certhall webhook protocol. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ext/notify.h"
#include "ext/provider.h"
#include "sandbox.h"
#include "base/valid.h"

/*
 * The protocol, as certhall's webhook provider speaks it:
 *   POST /sandbox/{sms,mail}  {"idempotency_key","channel","to","template","params","text",
 *                              "subject"} -> 200 {"id":"sbx-..."}
 *   GET  /sandbox/{sms,mail}?idempotency_key=K -> 200 {"status":"sent","id"} or 404
 * Both carry X-Certhall-Timestamp (unix seconds, at most 300 s off) and X-Certhall-Signature,
 * the hex HMAC-SHA256 under [sms] secret of timestamp "." body (the body is empty for GET;
 * provider_hmac, shared/ext/notify_webhook.c, computes it on both sides).
 * An empty secret turns the checks off. Every error says whether it is permanent.
 * A second SMS gateway, /sandbox/sms2, speaks the same protocol under [sms2] secret and has
 * failure controls of its own (/sandbox/control/sms2): the next provider of [sms2].
 */

#define TS_SKEW 300                       /* seconds a timestamp may be off */
#define SIG_HEX (2 * CRYPTO_SHA256_LEN)
#define TEXT_MAX_BYTES 60000
#define PARAMS_MAX 64

int sandbox_error(struct req *r, int status, const char *code, bool permanent, const char *field,
		  const char *message)
{
	json_t *e = json_pack("{s:s, s:s, s:b, s:s}", "code", code, "message", message,
			      "permanent", permanent, "request_id", r->rid);

	if (e && field)
		json_object_set_new(e, "field", json_string(field));
	resp_json(r, status, e ? json_pack("{s:o}", "error", e) : NULL);
	return -1;
}

static int bad_field(struct req *r, const char *field, const char *message)
{
	return sandbox_error(r, 400, "invalid_field", true, field, message);
}

static bool parse_timestamp(const char *s, long long *out)
{
	size_t n = strspn(s, "0123456789");
	char *end;

	if (n == 0 || n > 12 || s[n])
		return false;
	errno = 0;
	*out = strtoll(s, &end, 10);
	return errno == 0 && *end == '\0';
}

/* Checks the two headers against body. Returns 0, or -1 with 401 answered. */
static int check_signature(struct req *r, int gw, const char *body, size_t len)
{
	const char *secret = gw == 2 ? r->app->conf.sms2_secret : r->app->conf.sms_secret;
	const char *ts = req_param(r, "HTTP_X_CERTHALL_TIMESTAMP");
	const char *sig = req_param(r, "HTTP_X_CERTHALL_SIGNATURE");
	char want[SIG_HEX + 1];
	long long t, skew;

	if (!secret[0])
		return 0;
	if (!ts || !sig)
		return sandbox_error(r, 401, "bad_signature", true, NULL,
				     "缺少 X-Certhall-Timestamp 或 X-Certhall-Signature 请求头。");
	if (!parse_timestamp(ts, &t))
		return sandbox_error(r, 401, "bad_signature", true, NULL,
				     "X-Certhall-Timestamp 应为 Unix 时间（秒）。");
	if (provider_hmac(secret, ts, body, len, want) < 0)
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	if (strlen(sig) != SIG_HEX || !crypto_equal(sig, want, SIG_HEX))
		return sandbox_error(r, 401, "bad_signature", true, NULL, "签名校验失败。");
	skew = (long long)time(NULL) - t;
	if (skew > TS_SKEW || skew < -TS_SKEW)
		return sandbox_error(r, 401, "stale_timestamp", true, NULL,
				     "请求时间与网关时间相差超过 300 秒，请校准时钟。");
	return 0;
}

/* Text fields may span lines (a mail body does); each line must be clean UTF-8 text. */
static bool text_ok(const char *s, size_t n, size_t max_chars, bool multiline)
{
	size_t start = 0;

	if (strlen(s) != n)
		return false;
	if (!multiline)
		return valid_text(s, n, max_chars);
	if (n > TEXT_MAX_BYTES)
		return false;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] != '\n' && s[i] != '\r' && s[i] != '\t')
			continue;
		if (i > start && !valid_text(s + start, i - start, max_chars))
			return false;
		start = i + 1;
	}
	return true;
}

/* A string member; null, absent and "" are absent. Returns 0, or -1 with 400 answered. */
static int str_member(struct req *r, json_t *obj, const char *name, bool required,
		      size_t max_chars, bool multiline, const char **out)
{
	json_t *v = json_object_get(obj, name);

	*out = NULL;
	if (!v || json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0)) {
		if (required)
			return sandbox_error(r, 400, "missing_field", true, name,
					     arena_printf(r->arena, "缺少字段 %s。", name));
		return 0;
	}
	if (!json_is_string(v) ||
	    !text_ok(json_string_value(v), json_string_length(v), max_chars, multiline))
		return bad_field(r, name, arena_printf(r->arena, "字段 %s 应为不超过 %zu 字的文本。",
						       name, max_chars));
	*out = json_string_value(v);
	return 0;
}

/* params: absent, null, or an object of short strings; stored as compact JSON text. */
static int params_member(struct req *r, json_t *obj, const char **out)
{
	json_t *p = json_object_get(obj, "params"), *v;
	const char *k;
	char *s;

	*out = NULL;
	if (!p || json_is_null(p))
		return 0;
	if (!json_is_object(p) || json_object_size(p) > PARAMS_MAX)
		return bad_field(r, "params", "params 应为字符串值的 JSON 对象。");
	json_object_foreach(p, k, v) {
		if (!valid_text(k, strlen(k), 64) || !json_is_string(v) ||
		    !text_ok(json_string_value(v), json_string_length(v), 1024, false))
			return bad_field(r, "params", "params 应为字符串值的 JSON 对象。");
	}
	s = json_dumps(p, JSON_COMPACT);
	*out = s ? arena_strdup(r->arena, s) : NULL;
	free(s);
	return *out ? 0 : resp_error(r, ERR_INTERNAL, NULL, NULL);
}

struct message {
	const char *key, *channel, *template_id, *params, *text, *subject;
	char to[256];
};

static int parse_message(struct req *r, const char *channel, const char *buf, size_t len,
			 struct message *m)
{
	const char *ch, *to;
	json_error_t jerr;
	json_t *j = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);

	if (!j)
		return sandbox_error(r, 400, "bad_json", true, NULL, "请求内容不是有效的 JSON 对象。");
	if (!sandbox_arena_json(r, j))
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	if (!json_is_object(j))
		return sandbox_error(r, 400, "bad_json", true, NULL, "请求内容不是有效的 JSON 对象。");
	if (str_member(r, j, "idempotency_key", true, SANDBOX_KEY_MAX, false, &m->key) < 0 ||
	    str_member(r, j, "channel", true, 8, false, &ch) < 0 ||
	    str_member(r, j, "to", true, 254, false, &to) < 0 ||
	    str_member(r, j, "template", false, 128, false, &m->template_id) < 0 ||
	    params_member(r, j, &m->params) < 0 ||
	    str_member(r, j, "text", true, TEXT_MAX_BYTES, true, &m->text) < 0 ||
	    str_member(r, j, "subject", false, 255, false, &m->subject) < 0)
		return -1;
	if (strcmp(ch, channel) != 0)
		return bad_field(r, "channel", arena_printf(r->arena, "此接口只收 channel \"%s\"。",
							    channel));
	m->channel = channel;
	if (!m->template_id)
		m->template_id = "";
	if (strcmp(channel, "sms") == 0) {
		char mobile[12];

		if (!valid_mobile(to, mobile))
			return sandbox_error(r, 400, "invalid_number", true, "to",
					     "手机号码格式不正确。");
		snprintf(m->to, sizeof(m->to), "%s", mobile);
	} else {
		if (!valid_email(to))
			return sandbox_error(r, 400, "invalid_address", true, "to",
					     "邮箱地址格式不正确。");
		snprintf(m->to, sizeof(m->to), "%s", to);
	}
	return 0;
}

/* A listed number matches as written or, for mobiles, as its bare 11 digits. */
static bool number_listed(const struct sandbox_control *c, const char *to)
{
	size_t i;
	json_t *v;

	json_array_foreach(c->numbers, i, v) {
		const char *s = json_string_value(v);
		char mobile[12];

		if (s && (strcmp(s, to) == 0 || (valid_mobile(s, mobile) && strcmp(mobile, to) == 0)))
			return true;
	}
	return false;
}

static const char sql_record[] =
	"INSERT INTO sandbox_messages (provider_id, idem_key, channel, to_addr, template, params, "
	"subject, `text`, received_at, gateway) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NOW(3), ?)";

static int record(struct req *r, int gw, const struct message *m, const char *id)
{
	return db_exec(&r->app->db, sql_record,
		       DB_ARGS(DB_STR(id), DB_STR(m->key), DB_STR(m->channel), DB_STR(m->to),
			       DB_STR(m->template_id), m->params ? DB_STR(m->params) : DB_NULL,
			       m->subject ? DB_STR(m->subject) : DB_NULL, DB_STR(m->text), DB_I64(gw)),
		       NULL, NULL);
}

bool sandbox_is_json(const char *ct)
{
	static const char want[] = "application/json";

	return ct && strncmp(ct, want, sizeof(want) - 1) == 0 &&
	       (ct[sizeof(want) - 1] == '\0' || ct[sizeof(want) - 1] == ';');
}

/* Takes one message: verify, parse, misbehave as told, record, answer its id. */
static int take(struct req *r, const char *channel, int gw)
{
	struct sandbox_control c, c1;
	struct message m = { 0 };
	char id[4 + 16 + 1] = "sbx-";
	const char *buf;
	size_t len;
	bool timeout;
	int rc;

	if (sandbox_ready(r) < 0)
		return -1;
	if (!sandbox_is_json(r->content_type))
		return sandbox_error(r, 415, "unsupported_media_type", true, NULL,
				     "请以 JSON 格式提交（Content-Type: application/json）。");
	if (req_body(r, (size_t)r->app->conf.json_body_max, &buf, &len) < 0)
		return -1;
	if (check_signature(r, gw, buf, len) < 0 || parse_message(r, channel, buf, len, &m) < 0)
		return -1;
	if (sandbox_control_load(r, gw, &c) < 0)
		return -1;
	/* A number that cannot receive is refused by every gateway: the second checks the
	 * first's list as well as its own. */
	if (gw != 1 && sandbox_control_load(r, 1, &c1) < 0)
		return -1;
	if (number_listed(&c, m.to) || (gw != 1 && number_listed(&c1, m.to)))
		return sandbox_error(r, 400, "invalid_number", true, "to",
				     "该号码无法接收消息（沙箱设置的永久失败号码）。");
	if (sandbox_draw(c.permanent_ppm))
		return sandbox_error(r, 400, "rejected", true, NULL, "网关拒绝了该消息（沙箱抽中永久失败）。");
	if (sandbox_draw(c.fail_ppm))
		return sandbox_error(r, 503, "busy", false, NULL, "网关繁忙，请稍后重试（沙箱抽中临时失败）。");
	timeout = sandbox_draw(c.timeout_ppm);
	if (crypto_token_hex(id + 4, sizeof(id) - 4, 8) < 0)
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	if (!timeout || !c.drop) {
		rc = record(r, gw, &m, id);
		if (rc != DB_OK)
			return app_db_error(r, rc);
	}
	if (timeout) {
		/* The sender has given up by now: "accept" took the message, "drop" did not. */
		sandbox_sleep_ms(r->app->conf.sandbox_timeout_sleep_ms);
		if (c.drop)
			return sandbox_error(r, 503, "timeout", false, NULL,
					     "网关超时，消息未被接收（沙箱模拟超时）。");
	}
	resp_json(r, 200, json_pack("{s:s}", "id", id));
	return 0;
}

static const char sql_by_key[] =
	"SELECT provider_id FROM sandbox_messages WHERE channel = ? AND idem_key = ? AND gateway = ? "
	"ORDER BY id DESC LIMIT 1";

/* Was a message with this idempotency key taken? */
static int ask(struct req *r, const char *channel, int gw)
{
	struct kvlist args;
	struct db_rows rows;
	const char *key;
	int rc;

	if (sandbox_ready(r) < 0 || check_signature(r, gw, "", 0) < 0 || req_args(r, &args) < 0)
		return -1;
	key = kv_get(&args, "idempotency_key");
	if (!key || !*key)
		return sandbox_error(r, 400, "missing_field", true, "idempotency_key",
				     "缺少查询参数 idempotency_key。");
	if (!valid_text(key, strlen(key), SANDBOX_KEY_MAX))
		return bad_field(r, "idempotency_key", "idempotency_key 不正确。");
	rc = db_query(&r->app->db, r->arena, sql_by_key,
		      DB_ARGS(DB_STR(channel), DB_STR(key), DB_I64(gw)), &rows);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (rows.nrows == 0)
		return sandbox_error(r, 404, "not_found", false, NULL, "网关没有该幂等键的消息。");
	resp_json(r, 200, json_pack("{s:s, s:s}", "status", "sent", "id", db_cell(&rows, 0, 0)));
	return 0;
}

int sandbox_sms_send(struct req *r)
{
	return take(r, "sms", 1);
}

int sandbox_sms_query(struct req *r)
{
	return ask(r, "sms", 1);
}

int sandbox_sms2_send(struct req *r)
{
	return take(r, "sms", 2);
}

int sandbox_sms2_query(struct req *r)
{
	return ask(r, "sms", 2);
}

int sandbox_mail_send(struct req *r)
{
	return take(r, "email", 1);
}

int sandbox_mail_query(struct req *r)
{
	return ask(r, "email", 1);
}
