/* smscode: issuing and checking SMS codes; only keyed hashes of codes are stored. */
#include "domain/smscode.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/cidr.h"
#include "domain/outbox.h"
#include "domain/ratelimit.h"

static const char sql_void[] =
	"UPDATE sms_codes SET used_at = NOW(3) WHERE mobile_idx = ? AND purpose = ? AND used_at IS NULL";
static const char sql_insert[] =
	"INSERT INTO sms_codes (mobile_idx, purpose, code_hash, expires_at, created_at) "
	"VALUES (?, ?, ?, NOW(3) + INTERVAL ? SECOND, NOW(3))";
static const char sql_latest[] =
	"SELECT id, code_hash, tries, expires_at > NOW(3) FROM sms_codes "
	"WHERE mobile_idx = ? AND purpose = ? AND used_at IS NULL ORDER BY id DESC LIMIT 1 FOR UPDATE";
static const char sql_try[] = "UPDATE sms_codes SET tries = tries + 1 WHERE id = ?";
static const char sql_use[] = "UPDATE sms_codes SET used_at = NOW(3) WHERE id = ?";

static const struct {
	const char *code, *zh;
} purposes[] = {
	{ "register", "注册账号" },
	{ "login", "登录" },
	{ "reset", "重置密码" },
	{ "change_mobile", "更换手机号码" },
	{ "sign", "签署申请" },
};

const char *smscode_purpose_name(const char *purpose)
{
	for (size_t i = 0; purpose && i < sizeof(purposes) / sizeof(purposes[0]); i++)
		if (strcmp(purposes[i].code, purpose) == 0)
			return purposes[i].zh;
	return NULL;
}

void smscode_mobile_idx(const struct crypto_key *key, const char *mobile, char out[65])
{
	crypto_index_hex(key, "mobile", mobile, strlen(mobile), out);
}

/* bind (may be empty) ties a code to one object: a sign code to its order. */
static void code_hash(const struct crypto_key *key, const char *idx, const char *purpose,
		      const char *bind, const char *code, char out[65])
{
	char buf[256];
	int n = bind[0] ? snprintf(buf, sizeof(buf), "%s|%s|%s|%s", purpose, bind, idx, code)
			: snprintf(buf, sizeof(buf), "%s|%s|%s", purpose, idx, code);

	/* Fail closed: a text cut short would make codes collide; a random hash matches none. */
	if (n < 0 || (size_t)n >= sizeof(buf)) {
		if (crypto_token_hex(out, 65, 32) < 0) {
			memset(out, '!', 64);
			out[64] = '\0';
		}
		return;
	}
	crypto_index_hex(key, "sms-code", buf, (size_t)n, out);
}

int smscode_limit(struct db *db, struct arena *a, const struct conf *c, const struct crypto_key *key,
		  const char *mobile, const struct smscode_asker *who, time_t now, int *retry_after,
		  const char **what)
{
	struct ratelimit_rule rules[RATELIMIT_RULES_MAX];
	const char *whats[RATELIMIT_RULES_MAX];
	bool trusted = cidr_match(&c->trusted, who->addr);
	const char *addr = who->addr ? who->addr : "";
	size_t n = 0, which = 0;
	char idx[65];
	int rc;

#define RULE(lim, span, zh, ...)                                                    \
	do {                                                                        \
		rules[n] = (struct ratelimit_rule){ arena_printf(a, __VA_ARGS__), lim, span }; \
		whats[n++] = zh;                                                    \
	} while (0)
	smscode_mobile_idx(key, mobile, idx);
	if (who->sign) {
		RULE(c->code_sign_per_mobile_hour, 3600, "该手机号码获取签署验证码过于频繁",
		     "code:ms:3600:%s", idx);
		RULE(c->code_sign_per_mobile_day, RATELIMIT_DAY,
		     arena_printf(a, "该手机号码今日获取签署验证码已达上限（每天 %d 条）",
				  c->code_sign_per_mobile_day),
		     "code:ms:d:%s", idx);
	} else {
		RULE(c->code_per_minute, 60, "该手机号码获取验证码过于频繁", "code:m:60:%s", idx);
		RULE(c->code_per_hour, 3600, "该手机号码获取验证码过于频繁", "code:m:3600:%s", idx);
		RULE(c->code_per_day, RATELIMIT_DAY,
		     arena_printf(a, "该手机号码今日获取验证码已达上限（每天 %d 条）", c->code_per_day),
		     "code:m:d:%s", idx);
	}
	if (who->account && who->account[0]) {
		RULE(c->code_per_account_hour, 3600,
		     arena_printf(a, "您的账号获取验证码过于频繁（每小时 %d 条）", c->code_per_account_hour),
		     "code:a:3600:%.32s", who->account);
		RULE(c->code_per_account_day, RATELIMIT_DAY,
		     arena_printf(a, "您的账号今日获取验证码已达上限（每天 %d 条）", c->code_per_account_day),
		     "code:a:d:%.32s", who->account);
	}
	if (who->subject && who->subject[0])
		RULE(c->code_per_subject_day, RATELIMIT_DAY,
		     arena_printf(a, "该申请主体今日获取验证码已达上限（每天 %d 条）", c->code_per_subject_day),
		     "code:s:d:%.64s", who->subject);
	if (trusted) {
		RULE(c->code_per_trusted_hour, 3600, "当前网络获取验证码过于频繁", "code:t:3600:%.64s", addr);
	} else {
		RULE(c->code_per_ip_hour, 3600, "当前网络获取验证码过于频繁", "code:ip:3600:%.64s", addr);
		if (!who->account || !who->account[0])
			RULE(c->code_per_ip_anon_hour, 3600, "当前网络获取验证码过于频繁",
			     "code:ipa:3600:%.64s", addr);
	}
#undef RULE
	for (size_t i = 0; i < n; i++)
		if (!rules[i].bucket || !whats[i])
			return DB_ERR; /* out of memory: nothing counted, nothing sent */
	*retry_after = 0;
	*what = NULL;
	rc = ratelimit_take(db, a, rules, n, c->time_zone, now, retry_after, &which);
	if (rc == 0)
		*what = whats[which];
	return rc;
}

int smscode_issue(struct db *db, struct arena *a, const struct conf *c, const struct crypto_key *key,
		  const char *mobile, const char *purpose, long long *outbox_id)
{
	return smscode_issue_bound(db, a, c, key, mobile, purpose, "", outbox_id);
}

int smscode_issue_bound(struct db *db, struct arena *a, const struct conf *c,
			const struct crypto_key *key, const char *mobile, const char *purpose,
			const char *bind, long long *outbox_id)
{
	char idx[65], hash[65], code[7], minutes[16];
	unsigned char rnd[4];
	uint32_t v;
	json_t *params;
	int rc;

	/* Rejection sampling: every code from 000000 to 999999 equally likely. */
	do {
		if (crypto_random(rnd, sizeof(rnd)) < 0)
			return DB_ERR;
		v = (uint32_t)rnd[0] << 24 | (uint32_t)rnd[1] << 16 | (uint32_t)rnd[2] << 8 | rnd[3];
	} while (v >= 4294000000u);
	snprintf(code, sizeof(code), "%06u", (unsigned)(v % 1000000u));
	smscode_mobile_idx(key, mobile, idx);
	code_hash(key, idx, purpose, bind, code, hash);
	rc = db_exec(db, sql_void, DB_ARGS(DB_STR(idx), DB_STR(purpose)), NULL, NULL);
	if (rc == DB_OK)
		rc = db_exec(db, sql_insert,
			     DB_ARGS(DB_STR(idx), DB_STR(purpose), DB_STR(hash), DB_I64(c->code_ttl)), NULL, NULL);
	if (rc != DB_OK)
		return rc;
	snprintf(minutes, sizeof(minutes), "%d", c->code_ttl / 60);
	params = json_pack("{s:s, s:s, s:s}", "code", code, "minutes", minutes, "purpose",
			   smscode_purpose_name(purpose));
	if (!params)
		return DB_ERR;
	rc = outbox_add(db, a, key, "sms", "sms_code", mobile, params, 0, outbox_id);
	json_decref(params);
	return rc;
}

struct check_ctx {
	struct arena *a;
	const struct conf *c;
	const struct crypto_key *key;
	const char *mobile, *purpose, *bind, *code;
	int verdict;
};

static int check_tx(struct db *db, void *p)
{
	struct check_ctx *cc = p;
	char idx[65], hash[65];
	struct db_rows row;
	int rc;

	smscode_mobile_idx(cc->key, cc->mobile, idx);
	rc = db_query(db, cc->a, sql_latest, DB_ARGS(DB_STR(idx), DB_STR(cc->purpose)), &row);
	if (rc != DB_OK)
		return rc;
	cc->verdict = CODE_EXPIRED;
	if (row.nrows != 1 || strcmp(db_cell(&row, 0, 3), "1") != 0 ||
	    strtol(db_cell(&row, 0, 2), NULL, 10) >= cc->c->code_tries)
		return DB_OK;
	code_hash(cc->key, idx, cc->purpose, cc->bind, cc->code, hash);
	if (crypto_equal(hash, db_cell(&row, 0, 1), 64)) {
		cc->verdict = CODE_OK;
		return db_exec(db, sql_use, DB_ARGS(DB_STR(db_cell(&row, 0, 0))), NULL, NULL);
	}
	cc->verdict = CODE_WRONG;
	return db_exec(db, sql_try, DB_ARGS(DB_STR(db_cell(&row, 0, 0))), NULL, NULL);
}

int smscode_check(struct db *db, struct arena *a, const struct conf *c, const struct crypto_key *key,
		  const char *mobile, const char *purpose, const char *code)
{
	return smscode_check_bound(db, a, c, key, mobile, purpose, "", code);
}

int smscode_check_bound(struct db *db, struct arena *a, const struct conf *c,
			const struct crypto_key *key, const char *mobile, const char *purpose,
			const char *bind, const char *code)
{
	struct check_ctx cc = { a, c, key, mobile, purpose, bind, code, CODE_EXPIRED };
	int rc;

	if (strlen(code) != 6 || strspn(code, "0123456789") != 6)
		return CODE_WRONG;
	rc = db_tx(db, check_tx, &cc);
	return rc == DB_OK ? cc.verdict : rc;
}
