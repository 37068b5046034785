/* account: password reset by SMS code, password change, mobile change. */
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "web/app.h"
#include "web/req.h"
#include "web/auth.h"
#include "domain/mask.h"
#include "crypto/password.h"
#include "domain/smscode.h"
#include "base/valid.h"

static const char sql_by_mobile[] = "SELECT id FROM accounts WHERE mobile_idx = ?";
static const char sql_set_account_pw[] =
	"UPDATE accounts SET password_hash = ?, updated_at = NOW(3) WHERE id = ?";
static const char sql_set_staff_pw[] =
	"UPDATE staff SET password_hash = ?, updated_at = NOW(3) WHERE id = ?";
static const char sql_account_pw[] = "SELECT password_hash, kind FROM accounts WHERE id = ?";
static const char sql_staff_pw[] = "SELECT password_hash, 'staff' FROM staff WHERE id = ?";
static const char sql_set_mobile[] =
	"UPDATE accounts SET mobile_enc = ?, mobile_idx = ?, mobile_mask = ?, "
	"login_name = IF(kind = 'person' OR uscc IS NULL OR login_name <> uscc, ?, login_name), "
	"updated_at = NOW(3) WHERE id = ?";

static int new_hash(struct req *r, const char *pw, char out[PASSWORD_HASH_MAX])
{
	const struct conf *c = &r->app->conf;

	return password_hash(pw, c->scrypt_n_log2, c->scrypt_r, c->scrypt_p, out);
}

struct account_reset_in {
	const char *mobile, *sms_code, *new_password;
};

static const struct req_field reset_fields[] = {
	{ "mobile", true, 16, account_is_mobile, "请输入注册时登记的 11 位手机号码。",
	  offsetof(struct account_reset_in, mobile) },
	{ "sms_code", true, 6, account_is_code, "请输入 6 位短信验证码。",
	  offsetof(struct account_reset_in, sms_code) },
	{ "new_password", true, 64, account_is_password, "新密码需为 8 至 64 位，且同时包含字母和数字。",
	  offsetof(struct account_reset_in, new_password) },
};

int account_reset_password(struct req *r)
{
	struct account_reset_in in;
	char mobile[12], idx[65], hash[PASSWORD_HASH_MAX];
	struct db_rows a;
	json_t *body;
	long long id;
	int rc;

	if (req_json(r, &body) < 0)
		return -1;
	if (REQ_FIELDS(r, body, reset_fields, &in) < 0)
		return -1;
	valid_mobile(in.mobile, mobile);
	if (account_take_code(r, mobile, "reset", in.sms_code) < 0)
		return -1;
	smscode_mobile_idx(&r->app->key, mobile, idx);
	rc = db_query(&r->app->db, r->arena, sql_by_mobile, DB_ARGS(DB_STR(idx)), &a);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (a.nrows != 1)
		return resp_error(r, ERR_CODE_EXPIRED, "sms_code", NULL);
	id = strtoll(db_cell(&a, 0, 0), NULL, 10);
	if (new_hash(r, in.new_password, hash) < 0)
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	rc = db_exec(&r->app->db, sql_set_account_pw, DB_ARGS(DB_STR(hash), DB_I64(id)), NULL, NULL);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	/* Whoever knew the old password is logged out everywhere. */
	if (auth_end_others(r, AUTH_ACCOUNT, id) < 0)
		return -1;
	resp_json(r, 200, json_pack("{s:b, s:s}", "reset", 1, "message", "密码已重置，请使用新密码登录。"));
	return 0;
}

/* Checks the current password of whoever is logged in; a wrong one counts as a failed login. */
static int check_current(struct req *r, const char *pw)
{
	struct login_attempt at;
	struct db_rows a;
	char who[48];
	int rc = db_query(&r->app->db, r->arena, r->auth.kind == AUTH_STAFF ? sql_staff_pw : sql_account_pw,
			  DB_ARGS(DB_I64(r->auth.id)), &a);

	if (rc != DB_OK)
		return app_db_error(r, rc);
	snprintf(who, sizeof(who), "id/%d/%lld", r->auth.kind, r->auth.id);
	if (account_attempt(r, who, &at) < 0)
		return -1;
	if (a.nrows != 1 || !password_verify(pw, db_cell(&a, 0, 0)))
		return resp_error(r, ERR_INVALID_FIELD, "password", "当前密码不正确。");
	account_attempt_ok(r, &at);
	return 0;
}

struct account_change_password_in {
	const char *password, *new_password;
};

static const struct req_field change_fields[] = {
	{ "password", true, 64, NULL, "请输入当前密码。",
	  offsetof(struct account_change_password_in, password) },
	{ "new_password", true, 64, account_is_password, "新密码需为 8 至 64 位，且同时包含字母和数字。",
	  offsetof(struct account_change_password_in, new_password) },
};

int account_change_password(struct req *r)
{
	struct account_change_password_in in;
	char hash[PASSWORD_HASH_MAX];
	json_t *body;
	int rc;

	if (req_json(r, &body) < 0)
		return -1;
	if (REQ_FIELDS(r, body, change_fields, &in) < 0 || check_current(r, in.password) < 0)
		return -1;
	if (new_hash(r, in.new_password, hash) < 0)
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	rc = db_exec(&r->app->db, r->auth.kind == AUTH_STAFF ? sql_set_staff_pw : sql_set_account_pw,
		     DB_ARGS(DB_STR(hash), DB_I64(r->auth.id)), NULL, NULL);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (auth_end_others(r, r->auth.kind, r->auth.id) < 0)
		return -1;
	resp_json(r, 200, json_pack("{s:b, s:s}", "changed", 1, "message",
				    "密码已修改，其他设备上的登录已退出。"));
	return 0;
}

struct account_change_mobile_in {
	const char *new_mobile, *sms_code, *password;
};

static const struct req_field mobile_fields[] = {
	{ "new_mobile", true, 16, account_is_mobile, "请输入新的 11 位手机号码。",
	  offsetof(struct account_change_mobile_in, new_mobile) },
	{ "sms_code", true, 6, account_is_code, "请输入发送到新手机号码的 6 位验证码。",
	  offsetof(struct account_change_mobile_in, sms_code) },
	{ "password", true, 64, NULL, "请输入当前密码。",
	  offsetof(struct account_change_mobile_in, password) },
};

int account_change_mobile(struct req *r)
{
	struct account_change_mobile_in in;
	char mobile[12], idx[65], masked[20];
	unsigned char enc[64];
	size_t enclen;
	json_t *body;
	int rc;

	if (req_json(r, &body) < 0)
		return -1;
	if (REQ_FIELDS(r, body, mobile_fields, &in) < 0 || check_current(r, in.password) < 0)
		return -1;
	valid_mobile(in.new_mobile, mobile);
	if (account_take_code(r, mobile, "change_mobile", in.sms_code) < 0)
		return -1;
	if (crypto_seal(&r->app->key, mobile, 11, "accounts.mobile", enc, sizeof(enc), &enclen) < 0)
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	smscode_mobile_idx(&r->app->key, mobile, idx);
	mask_mobile(mobile, masked, sizeof(masked));
	rc = db_exec(&r->app->db, sql_set_mobile,
		     DB_ARGS(DB_BLOB(enc, enclen), DB_STR(idx), DB_STR(masked), DB_STR(mobile),
			     DB_I64(r->auth.id)), NULL, NULL);
	if (rc == DB_DUP)
		return resp_error(r, ERR_TAKEN, "new_mobile", "该手机号码已绑定其他账号。");
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (auth_end_others(r, AUTH_ACCOUNT, r->auth.id) < 0)
		return -1;
	resp_json(r, 200, json_pack("{s:b, s:s}", "changed", 1, "mobile", masked));
	return 0;
}
