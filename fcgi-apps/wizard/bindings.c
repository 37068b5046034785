/* wizard: 【证书绑定】 (002 2.8 "接收证书产品"): a delivered key bound to the account by its
 * token's hardware serial, after which its certificate logs the account in (account/certlogin.c). */
#include <stdlib.h>
#include <string.h>

#include "base/valid.h"
#include "web/auth.h"
#include "wizard.h"

#define BINDINGS_MAX 50

/* The token's current certificate (the newest the hall recorded for it), if the account
 * reaches it: its own order made it, or it was issued to the subject the account claims. The
 * key in hand proves that subject for this certificate (002 证书绑定): an account that has not
 * proven its USCC otherwise reaches it, once bound, and nothing else of the subject. */
static const char sql_token_cert[] =
	"SELECT c.serial, c.state FROM certificates c WHERE c.token_serial = ? "
	"AND c.pem IS NOT NULL AND (c.account_id = ? OR c.subject_idx = ?) ORDER BY c.id DESC LIMIT 1";
static const char sql_bind[] =
	"INSERT IGNORE INTO token_bindings (token_serial, account_id, bound_at) VALUES (?, ?, NOW(3))";
static const char sql_bound_to[] = "SELECT account_id FROM token_bindings WHERE token_serial = ?";
static const char sql_unbind[] = "DELETE FROM token_bindings WHERE token_serial = ? AND account_id = ?";
/* Each binding with its token's current certificate. */
static const char sql_list[] =
	"SELECT b.token_serial, DATE_FORMAT(b.bound_at, '%Y-%m-%d %H:%i'), c.serial, c.kind, "
	"c.holder_name, DATE_FORMAT(c.not_after, '%Y-%m-%d'), c.state, c.not_after < CURDATE() "
	"FROM token_bindings b LEFT JOIN certificates c ON c.id = (SELECT MAX(c2.id) FROM "
	"certificates c2 WHERE c2.token_serial = b.token_serial AND c2.pem IS NOT NULL) "
	"WHERE b.account_id = ? ORDER BY b.bound_at DESC LIMIT ?";

static json_t *binding_json(const struct db_rows *b, size_t i)
{
	const char *state = db_cell(b, i, 6);

	if (state && strcmp(state, "valid") == 0 && strcmp(db_cell(b, i, 7), "1") == 0)
		state = "expired";
	return json_pack("{s:s, s:s, s:s?, s:s?, s:s?, s:s?, s:s?}", "token_serial", db_cell(b, i, 0),
			 "bound_at", db_cell(b, i, 1), "serial", db_cell(b, i, 2), "kind",
			 db_cell(b, i, 3), "holder_name", db_cell(b, i, 4), "not_after",
			 db_cell(b, i, 5), "state", state);
}

/* GET /api/wizard/bindings: 200 {"bindings": [{token_serial, bound_at, serial, kind,
 * holder_name, not_after, state: valid|expired|revoked}]} */
int wizard_bindings(struct req *r)
{
	struct db_rows b;
	json_t *list;
	int rc = db_query(&r->app->db, r->arena, sql_list,
			  DB_ARGS(DB_I64(r->auth.id), DB_I64(BINDINGS_MAX)), &b);

	if (rc != DB_OK)
		return app_db_error(r, rc);
	list = json_array();
	for (size_t i = 0; i < b.nrows; i++)
		json_array_append_new(list, binding_json(&b, i));
	resp_json(r, 200, json_pack("{s:o}", "bindings", list));
	return 0;
}

struct bind_in {
	const char *token_serial;
};

static const struct req_field bind_fields[] = {
	{ "token_serial", true, VALID_TOKEN_SERIAL_MAX, valid_token_serial,
	  "介质序列号应为 4 至 64 位字母、数字或“-”：见 USB-Key 外壳，或用证书助手读取。",
	  offsetof(struct bind_in, token_serial) },
};

/*
 * POST /api/wizard/bindings {"token_serial"}
 *   201 {"binding": {...}} (200 when this account had bound it already). 404 token_unknown:
 *   no certificate of the account's on that token (another's is as unknown as none); 409
 *   cert_not_eligible: its certificate is revoked; 409 token_bound: another account has it.
 */
int wizard_bind(struct req *r)
{
	struct bind_in in;
	struct db_rows c, b;
	struct wizard_subject s;
	unsigned long long n = 0;
	json_t *body;
	int rc;

	if (req_json(r, &body) < 0 || REQ_FIELDS(r, body, bind_fields, &in) < 0 ||
	    wizard_subject(r, &s) < 0)
		return -1;
	rc = db_query(&r->app->db, r->arena, sql_token_cert,
		      DB_ARGS(DB_STR(in.token_serial), DB_I64(r->auth.id),
			      s.claimed_idx ? DB_STR(s.claimed_idx) : DB_NULL), &c);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (c.nrows != 1)
		return resp_error(r, ERR_TOKEN_UNKNOWN, "token_serial", NULL);
	if (strcmp(db_cell(&c, 0, 1), "revoked") == 0)
		return resp_error(r, ERR_CERT_NOT_ELIGIBLE, "token_serial",
				  "该介质上的证书已吊销，不能绑定。");
	rc = db_exec(&r->app->db, sql_bind, DB_ARGS(DB_STR(in.token_serial), DB_I64(r->auth.id)), &n, NULL);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (n != 1) {
		rc = db_query(&r->app->db, r->arena, sql_bound_to, DB_ARGS(DB_STR(in.token_serial)), &b);
		if (rc != DB_OK)
			return app_db_error(r, rc);
		if (b.nrows != 1 || strtoll(db_cell(&b, 0, 0), NULL, 10) != r->auth.id)
			return resp_error(r, ERR_TOKEN_BOUND, "token_serial", NULL);
	}
	resp_json(r, n == 1 ? 201 : 200,
		  json_pack("{s:{s:s, s:s}}", "binding", "token_serial", in.token_serial, "serial",
			    db_cell(&c, 0, 0)));
	return 0;
}

/* POST /api/wizard/bindings/:token/unbind: 200 {"unbound": true}; 404 when this account has no
 * such binding. */
int wizard_unbind(struct req *r)
{
	const char *token = r->params[0];
	unsigned long long n = 0;
	int rc;

	if (!valid_token_serial(token))
		return resp_error(r, ERR_INVALID_FIELD, "token_serial",
				  "介质序列号应为 4 至 64 位字母、数字或“-”。");
	rc = db_exec(&r->app->db, sql_unbind, DB_ARGS(DB_STR(token), DB_I64(r->auth.id)), &n, NULL);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (n != 1)
		return resp_error(r, ERR_NOT_FOUND, "token_serial", "本账号没有绑定该介质。");
	resp_json(r, 200, json_pack("{s:b}", "unbound", 1));
	return 0;
}
