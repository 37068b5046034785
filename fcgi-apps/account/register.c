/* account: POST /api/account/register: an organisation (USCC) or a person (mobile). */
#include <ctype.h>
#include <string.h>

#include "account.h"
#include "web/app.h"
#include "web/req.h"
#include "web/auth.h"
#include "domain/mask.h"
#include "crypto/password.h"
#include "domain/smscode.h"
#include "base/strlist.h"
#include "base/valid.h"

static const char sql_insert[] =
	"INSERT INTO accounts (kind, login_name, display_name, password_hash, mobile_enc, mobile_idx, "
	"mobile_mask, uscc, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NOW(3), NOW(3))";
/* Who claims the USCC already, and whether one has proven it (shared/domain/subject.h). */
static const char sql_claims[] =
	"SELECT COUNT(*), COALESCE(SUM(uscc_proven_at IS NOT NULL), 0) FROM accounts WHERE uscc = ?";

static bool is_kind(const char *s)
{
	return strcmp(s, "org") == 0 || strcmp(s, "person") == 0;
}

bool account_is_password(const char *s)
{
	return password_acceptable(s);
}

static bool is_uscc(const char *s)
{
	return valid_uscc(s);
}

struct account_register_in {
	const char *kind, *name, *uscc, *mobile, *sms_code, *password;
};

static const struct req_field fields[] = {
	{ "kind", true, 8, is_kind, "请选择账号类型：单位或个人。",
	  offsetof(struct account_register_in, kind) },
	{ "name", true, 100, valid_plain_name,
	  "请填写单位全称或申请人姓名（不超过 100 个字，不能含有 < > \" ' ; { } 等符号）。",
	  offsetof(struct account_register_in, name) },
	{ "uscc", false, 18, is_uscc,
	  "统一社会信用代码应为 18 位（数字和大写字母），请核对营业执照后重新输入。",
	  offsetof(struct account_register_in, uscc) },
	{ "mobile", true, 16, account_is_mobile, "请输入经办人本人实名登记的 11 位手机号码。",
	  offsetof(struct account_register_in, mobile) },
	{ "sms_code", true, 6, account_is_code, "请输入 6 位短信验证码。",
	  offsetof(struct account_register_in, sms_code) },
	{ "password", true, 64, account_is_password, "密码需为 8 至 64 位，且同时包含字母和数字。",
	  offsetof(struct account_register_in, password) },
};

int account_register(struct req *r)
{
	struct account_register_in in;
	bool org;
	char mobile[12], idx[65], masked[20], hash[PASSWORD_HASH_MAX];
	unsigned char enc[64];
	size_t enclen;
	unsigned long long id = 0;
	bool contested = false;
	struct db_rows c;
	json_t *body;
	int rc;

	if (req_json(r, &body) < 0)
		return -1;
	if (REQ_FIELDS(r, body, fields, &in) < 0)
		return -1;
	org = strcmp(in.kind, "org") == 0;
	if (org && !in.uscc)
		return resp_error(r, ERR_MISSING_FIELD, "uscc", "单位账号请填写统一社会信用代码。");
	if (strlen(in.name) < 2)
		return resp_error(r, ERR_INVALID_FIELD, "name", "请填写单位全称或申请人姓名。");
	valid_mobile(in.mobile, mobile);
	/* The code first: only who holds the mobile learns whether a name is taken. */
	if (account_take_code(r, mobile, "register", in.sms_code) < 0)
		return -1;
	if (password_hash(in.password, r->app->conf.scrypt_n_log2, r->app->conf.scrypt_r,
			  r->app->conf.scrypt_p, hash) < 0 ||
	    crypto_seal(&r->app->key, mobile, 11, "accounts.mobile", enc, sizeof(enc), &enclen) < 0)
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	smscode_mobile_idx(&r->app->key, mobile, idx);
	mask_mobile(mobile, masked, sizeof(masked));
	/* A proven USCC is its company's; a claimed one is not turned away (a stranger may have
	 * typed it first): this account claims it too and logs in by mobile until it proves it. */
	if (org) {
		rc = db_query(&r->app->db, r->arena, sql_claims, DB_ARGS(DB_STR(in.uscc)), &c);
		if (rc != DB_OK)
			return app_db_error(r, rc);
		if (!str_is(db_cell(&c, 0, 1), "0"))
			return resp_error(r, ERR_TAKEN, "uscc", NULL);
		contested = !str_is(db_cell(&c, 0, 0), "0");
	}
	rc = db_exec(&r->app->db, sql_insert,
		     DB_ARGS(DB_STR(in.kind), DB_STR(org && !contested ? in.uscc : mobile),
			     DB_STR(in.name), DB_STR(hash), DB_BLOB(enc, enclen), DB_STR(idx),
			     DB_STR(masked), org ? DB_STR(in.uscc) : DB_NULL),
		     NULL, &id);
	if (rc == DB_DUP)
		return resp_error(r, ERR_TAKEN, org && !contested ? "uscc" : "mobile", NULL);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (auth_login(r, AUTH_ACCOUNT, (long long)id, ROLE_APPLICANT) < 0)
		return -1;
	if (!org)
		return account_logged_in(r, 201);
	resp_json(r, 201,
		  json_pack("{s:b, s:s, s:s, s:s, s:s, s:s}", "logged_in", 1, "kind", "account",
			    "csrf_token", r->auth.csrf, "login_name", contested ? mobile : in.uscc,
			    "uscc_state", "claimed", "message",
			    contested ? "注册成功。该统一社会信用代码已有其他账号登记但尚未认证：请用手机号登录并完成企业身份核验，"
					"核验通过后统一社会信用代码即归属本账号，可用其登录并查看、办理本单位的证书。"
				      : "注册成功。完成企业身份核验后，即可查看和办理本单位在认证机构的全部证书。"));
	return 0;
}
