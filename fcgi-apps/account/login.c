/* account: logins by password or SMS code, staff login, logout, throttling. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "account.h"
#include "web/app.h"
#include "web/req.h"
#include "web/auth.h"
#include "crypto/password.h"
#include "domain/ratelimit.h"
#include "domain/smscode.h"
#include "base/valid.h"

static const char sql_account[] =
	"SELECT id, password_hash, disabled FROM accounts WHERE login_name = ?";
static const char sql_account_by_mobile[] = "SELECT id, disabled FROM accounts WHERE mobile_idx = ?";
static const char sql_staff[] = "SELECT id, password_hash, disabled, role FROM staff WHERE username = ?";

static void bucket(char *out, size_t outsz, const char *scope, const char *who)
{
	snprintf(out, outsz, "login:%s:%.80s", scope, who);
}

int account_attempt(struct req *r, const char *who, struct login_attempt *at)
{
	const struct conf *c = &r->app->conf;
	char wait[16];
	int after = 0, worst = 0, verdict = 1;

	at->at = time(NULL);
	bucket(at->name_bucket, sizeof(at->name_bucket), "n", who);
	bucket(at->ip_bucket, sizeof(at->ip_bucket), "ip", r->remote_addr);
	for (int i = 0; i < 2; i++) {
		int rc = ratelimit_hit(&r->app->db, i ? at->ip_bucket : at->name_bucket,
				       i ? c->login_fail_ip : c->login_fail_account, c->login_fail_window,
				       at->at, &after);

		if (rc < 0)
			return app_db_error(r, rc);
		if (rc == 0) {
			verdict = 0;
			worst = after > worst ? after : worst;
		}
	}
	if (verdict)
		return 0;
	snprintf(wait, sizeof(wait), "%d", worst);
	resp_header(r, "Retry-After", wait);
	return resp_error(r, ERR_LOGIN_LOCKED, NULL,
			  arena_printf(r->arena, "登录失败次数过多，请 %d 分钟后再试，或使用短信验证码登录。",
				       (worst + 59) / 60));
}

void account_attempt_ok(struct req *r, const struct login_attempt *at)
{
	int window = r->app->conf.login_fail_window;

	ratelimit_undo(&r->app->db, at->name_bucket, window, at->at);
	ratelimit_undo(&r->app->db, at->ip_bucket, window, at->at);
}

int account_logged_in(struct req *r, int status)
{
	resp_json(r, status, json_pack("{s:b, s:s, s:s}", "logged_in", 1, "kind",
				      r->auth.kind == AUTH_STAFF ? "staff" : "account", "csrf_token",
				      r->auth.csrf));
	return 0;
}

static bool is_login_name(const char *s)
{
	size_t n = strlen(s);

	return n >= 3 && n <= 32 && strspn(s, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz+") == n;
}

/* USCCs are upper case; mobiles lose their +86. Anything else stays as typed and fails. */
static void normalise(const char *in, char *out, size_t outsz)
{
	char m[12];
	size_t i;

	if (valid_mobile(in, m)) {
		snprintf(out, outsz, "%s", m);
		return;
	}
	for (i = 0; in[i] && i + 1 < outsz; i++)
		out[i] = (char)toupper((unsigned char)in[i]);
	out[i] = '\0';
}

struct account_login_in {
	const char *login_name, *password;
};

static const struct req_field login_fields[] = {
	{ "login_name", true, 32, is_login_name, "请输入统一社会信用代码或手机号码。",
	  offsetof(struct account_login_in, login_name) },
	{ "password", true, 64, NULL, "请输入密码。",
	  offsetof(struct account_login_in, password) },
};

int account_login(struct req *r)
{
	struct account_login_in in;
	struct login_attempt at;
	char name[40];
	struct db_rows a;
	json_t *body;
	int rc;

	if (req_json(r, &body) < 0)
		return -1;
	if (REQ_FIELDS(r, body, login_fields, &in) < 0)
		return -1;
	normalise(in.login_name, name, sizeof(name));
	if (account_attempt(r, name, &at) < 0)
		return -1;
	rc = db_query(&r->app->db, r->arena, sql_account, DB_ARGS(DB_STR(name)), &a);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	/* A missing account costs the same scrypt as a wrong password: no timing tells them apart. */
	if (!password_verify(in.password,
			     a.nrows ? db_cell(&a, 0, 1) : password_dummy_hash(&r->app->conf)) ||
	    !a.nrows)
		return resp_error(r, ERR_LOGIN_FAILED, NULL, NULL);
	account_attempt_ok(r, &at);
	if (strcmp(db_cell(&a, 0, 2), "0") != 0)
		return resp_error(r, ERR_DISABLED, NULL, NULL);
	if (auth_login(r, AUTH_ACCOUNT, strtoll(db_cell(&a, 0, 0), NULL, 10), ROLE_APPLICANT) < 0)
		return -1;
	return account_logged_in(r, 200);
}

struct account_login_sms_in {
	const char *mobile, *sms_code;
};

static const struct req_field sms_fields[] = {
	{ "mobile", true, 16, account_is_mobile, "请输入正确的 11 位手机号码。",
	  offsetof(struct account_login_sms_in, mobile) },
	{ "sms_code", true, 6, account_is_code, "请输入 6 位短信验证码。",
	  offsetof(struct account_login_sms_in, sms_code) },
};

int account_login_sms(struct req *r)
{
	struct account_login_sms_in in;
	char mobile[12], idx[65];
	struct db_rows a;
	json_t *body;
	int rc;

	if (req_json(r, &body) < 0)
		return -1;
	if (REQ_FIELDS(r, body, sms_fields, &in) < 0)
		return -1;
	valid_mobile(in.mobile, mobile);
	if (account_take_code(r, mobile, "login", in.sms_code) < 0)
		return -1;
	smscode_mobile_idx(&r->app->key, mobile, idx);
	rc = db_query(&r->app->db, r->arena, sql_account_by_mobile, DB_ARGS(DB_STR(idx)), &a);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (a.nrows != 1)
		return resp_error(r, ERR_CODE_EXPIRED, "sms_code", NULL);
	if (strcmp(db_cell(&a, 0, 1), "0") != 0)
		return resp_error(r, ERR_DISABLED, NULL, NULL);
	if (auth_login(r, AUTH_ACCOUNT, strtoll(db_cell(&a, 0, 0), NULL, 10), ROLE_APPLICANT) < 0)
		return -1;
	return account_logged_in(r, 200);
}

int account_logout(struct req *r)
{
	if (auth_logout(r) < 0)
		return -1;
	resp_json(r, 200, json_pack("{s:b}", "logged_in", 0));
	return 0;
}

static bool is_username(const char *s)
{
	size_t n = strlen(s);

	return n >= 2 && n <= 64 && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

struct account_staff_login_in {
	const char *username, *password;
};

static const struct req_field staff_fields[] = {
	{ "username", true, 64, is_username, "请输入工号（小写字母、数字）。",
	  offsetof(struct account_staff_login_in, username) },
	{ "password", true, 64, NULL, "请输入密码。",
	  offsetof(struct account_staff_login_in, password) },
};

int staff_login(struct req *r)
{
	struct account_staff_login_in in;
	json_t *factor;
	struct login_attempt at;
	char who[80];
	struct db_rows s;
	json_t *body;
	int rc;

	if (req_json(r, &body) < 0)
		return -1;
	if (REQ_FIELDS(r, body, staff_fields, &in) < 0)
		return -1;
	snprintf(who, sizeof(who), "staff/%s", in.username);
	if (account_attempt(r, who, &at) < 0)
		return -1;
	rc = db_query(&r->app->db, r->arena, sql_staff, DB_ARGS(DB_STR(in.username)), &s);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (!password_verify(in.password,
			     s.nrows ? db_cell(&s, 0, 1) : password_dummy_hash(&r->app->conf)) ||
	    !s.nrows)
		return resp_error(r, ERR_LOGIN_FAILED, NULL, NULL);
	account_attempt_ok(r, &at);
	if (strcmp(db_cell(&s, 0, 2), "0") != 0)
		return resp_error(r, ERR_DISABLED, NULL, NULL);
	if (auth_login(r, AUTH_STAFF, strtoll(db_cell(&s, 0, 0), NULL, 10),
		       auth_role_bit(db_cell(&s, 0, 3))) < 0 || staff_factor_at_login(r) < 0)
		return -1;
	/* The pages learn here whether to ask for a code, to enrol, or nothing. */
	factor = staff_factor_json(r);
	if (!factor)
		return -1;
	resp_json(r, 200, json_pack("{s:b, s:s, s:s, s:o}", "logged_in", 1, "kind", "staff",
				    "csrf_token", r->auth.csrf, "factor", factor));
	return 0;
}
