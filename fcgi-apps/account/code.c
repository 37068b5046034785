/* account: POST /api/account/sms-code: a code by SMS, never telling who is registered. */
#include <string.h>

#include "account.h"
#include "web/app.h"
#include "web/req.h"
#include "web/auth.h"
#include "domain/smscode.h"
#include "base/valid.h"

static const char sql_registered[] = "SELECT 1 FROM accounts WHERE mobile_idx = ?";

static bool is_purpose(const char *s)
{
	/* "sign" belongs to the wizard, which sends its own codes for an order. */
	return smscode_purpose_name(s) && strcmp(s, "sign") != 0;
}

bool account_is_mobile(const char *s)
{
	char m[12];

	return valid_mobile(s, m);
}

bool account_is_code(const char *s)
{
	return strlen(s) == 6 && strspn(s, "0123456789") == 6;
}

struct account_code_in {
	const char *mobile, *purpose;
};

static const struct req_field fields[] = {
	{ "mobile", true, 16, account_is_mobile, "请输入正确的 11 位手机号码。",
	  offsetof(struct account_code_in, mobile) },
	{ "purpose", true, 16, is_purpose, "验证码用途不正确，请刷新页面后重试。",
	  offsetof(struct account_code_in, purpose) },
};

int account_sms_code(struct req *r)
{
	struct account_code_in in;
	char mobile[12], idx[65];
	struct db_rows reg;
	bool registered, send;
	json_t *body;
	int rc;

	if (req_json(r, &body) < 0)
		return -1;
	if (REQ_FIELDS(r, body, fields, &in) < 0)
		return -1;
	valid_mobile(in.mobile, mobile);
	if (strcmp(in.purpose, "change_mobile") == 0 &&
	    auth_require(r, ROLE_APPLICANT | ROLE_STAFF) < 0)
		return -1;
	/* A session, when there is one, counts the code against its account as well. */
	if ((strcmp(in.purpose, "change_mobile") != 0 && auth_session(r) < 0) ||
	    app_limit_code(r, mobile, NULL) < 0)
		return -1;
	smscode_mobile_idx(&r->app->key, mobile, idx);
	rc = db_query(&r->app->db, r->arena, sql_registered, DB_ARGS(DB_STR(idx)), &reg);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	registered = reg.nrows > 0;
	/* A code goes only where it can be used; the answer is the same either way. */
	send = (strcmp(in.purpose, "register") == 0 || strcmp(in.purpose, "change_mobile") == 0)
		       ? !registered
		       : registered;
	/* Issued after the answer: the client cannot time whether a code went out. */
	if (send && app_outbox_code(r, mobile, in.purpose, "") < 0)
		return -1;
	resp_json(r, 200, json_pack("{s:b, s:i, s:s}", "accepted", 1, "valid_seconds",
				    r->app->conf.code_ttl, "message",
				    "如该手机号码可用于此操作，验证码已发送，请注意查收。"));
	return 0;
}

int account_take_code(struct req *r, const char *mobile, const char *purpose, const char *code)
{
	int rc = smscode_check(&r->app->db, r->arena, &r->app->conf, &r->app->key, mobile, purpose, code);

	if (rc < 0)
		return app_db_error(r, rc);
	if (rc == CODE_WRONG)
		return resp_error(r, ERR_CODE_WRONG, "sms_code", NULL);
	if (rc == CODE_EXPIRED)
		return resp_error(r, ERR_CODE_EXPIRED, "sms_code", NULL);
	return 0;
}
