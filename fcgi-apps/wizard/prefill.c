/* wizard: a step not yet saved starts from what the account entered last time (000 "页面会自动
 * 显示上一次办理证书时录入的信息，信息可进行修改"; 002 "录入页面自动显示出办理证书时的企业实名信息"):
 * the organisation and the handler, from the account's own latest order that saved the step;
 * the organisation as an approved change since left it (its new name and address). */
#include <stdlib.h>
#include <string.h>

#include "base/strlist.h"
#include "crypto/crypto.h"
#include "wizard.h"

/* The PII aad of accounts.mobile_enc (fcgi-apps/account/register.c seals it). */
#define AAD_ACCOUNT_MOBILE "accounts.mobile"

static const char sql_latest[] =
	"SELECT s.order_id, o.order_no, s.updated_at FROM order_steps s "
	"JOIN orders o ON o.id = s.order_id "
	"WHERE o.account_id = ? AND o.id <> ? AND s.step = ? "
	"ORDER BY s.updated_at DESC, s.order_id DESC LIMIT 1";
/* The account's latest change that was carried out after the step was saved. */
static const char sql_change[] =
	"SELECT o.id FROM orders o WHERE o.account_id = ? AND o.id <> ? AND o.business_type = ? "
	"AND o.state = ? AND o.updated_at >= ? ORDER BY o.updated_at DESC, o.id DESC LIMIT 1";

/* The enterprise data as the latest applied change left it. 0, or -1 answered. */
static int changed_since(struct req *r, const struct order *o, const char *saved_at, json_t *ent)
{
	struct db_rows rows;
	json_t *ch;
	const char *items;
	int rc = db_query(&r->app->db, r->arena, sql_change,
			  DB_ARGS(DB_I64(o->account_id), DB_I64(o->id), DB_STR("change"),
				  DB_STR(order_state_str(ORDER_DONE)), DB_STR(saved_at)),
			  &rows);

	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (rows.nrows != 1)
		return 0;
	if (wizard_step_load(r, strtoll(db_cell(&rows, 0, 0), NULL, 10), STEP_CHANGE, &ch) < 0)
		return -1;
	items = order_step_str(ch, "items");
	if (strlist_has(items, "name") && *order_step_str(ch, "new_org_name"))
		json_object_set_new(ent, "org_name", json_string(order_step_str(ch, "new_org_name")));
	if (strlist_has(items, "address") && *order_step_str(ch, "new_address"))
		json_object_set_new(ent, "address", json_string(order_step_str(ch, "new_address")));
	return 0;
}

static const char sql_account[] =
	"SELECT kind, display_name, mobile_enc FROM accounts WHERE id = ?";
static const char sql_holder[] =
	"SELECT c.holder_name, c.order_id, h.order_no FROM certificates c "
	"LEFT JOIN orders h ON h.id = c.order_id AND h.account_id = ? WHERE c.id = ?";

static void release(void *j)
{
	json_decref(j);
}

/* j (new), released with the arena; NULL answered 500. */
static json_t *kept(struct req *r, json_t *j)
{
	if (!j || arena_defer(r->arena, release, j) < 0) {
		json_decref(j);
		resp_error(r, ERR_INTERNAL, NULL, NULL);
		return NULL;
	}
	return j;
}

/* 000 "系统默认将经办人作为收件人": whoever registered the account is its first handler by
 * default: its mobile, and a person's name. 0, or -1 answered. */
static int from_account(struct req *r, const struct order *o, json_t **out, const char **from)
{
	struct db_rows rows;
	char mobile[32];
	size_t n = 0;
	int rc = db_query(&r->app->db, r->arena, sql_account, DB_ARGS(DB_I64(o->account_id)), &rows);

	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (rows.nrows != 1 ||
	    crypto_open(&r->app->key, (const unsigned char *)db_cell(&rows, 0, 2), rows.len[2],
			AAD_ACCOUNT_MOBILE, (unsigned char *)mobile, sizeof(mobile) - 1, &n) < 0)
		return 0;
	mobile[n] = '\0';
	if (!(*out = kept(r, json_pack("{s:s}", "mobile", mobile))))
		return -1;
	if (str_is(db_cell(&rows, 0, 0), "person"))
		json_object_set_new(*out, "name", json_string(db_cell(&rows, 0, 1)));
	*from = "account";
	return 0;
}

/* A replacement names its holder already: the applicant step as the certificate's own order
 * saved it, when that order is this account's; else the holder's name on the certificate. */
static int from_certificate(struct req *r, const struct order *o, json_t **out, const char **from)
{
	struct db_rows rows;
	int rc = db_query(&r->app->db, r->arena, sql_holder,
			  DB_ARGS(DB_I64(o->account_id), DB_I64(o->target_cert_id)), &rows);

	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (rows.nrows != 1)
		return 0;
	if (db_cell(&rows, 0, 2) &&
	    wizard_step_load(r, strtoll(db_cell(&rows, 0, 1), NULL, 10), STEP_APPLICANT, out) < 0)
		return -1;
	if (*out) {
		*from = db_cell(&rows, 0, 2);
		return 0;
	}
	if (!(*out = kept(r, json_pack("{s:s}", "name", db_cell(&rows, 0, 0)))))
		return -1;
	*from = "certificate";
	return 0;
}

/* 000 "系统默认将经办人作为收件人，支持自行修改": the product step's recipient is this order's
 * handler, its address the organisation's, until the applicant writes others. */
static int from_handler(struct req *r, const struct order *o, json_t **out, const char **from)
{
	static const char *const pairs[][3] = {
		{ "mail_recipient", "handler", "name" },   { "mail_mobile", "handler", "mobile" },
		{ "mail_province", "enterprise", "province" }, { "mail_city", "enterprise", "city" },
		{ "mail_county", "enterprise", "district" }, { "mail_address", "enterprise", "address" },
	};
	json_t *h, *e;

	if (!wizard_ships_key(o))
		return 0;
	if (wizard_step_load(r, o->id, STEP_HANDLER, &h) < 0 ||
	    wizard_step_load(r, o->id, STEP_ENTERPRISE, &e) < 0)
		return -1;
	if (!h || !(*out = kept(r, json_object())))
		return h ? -1 : 0;
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		const char *v = order_step_str(strcmp(pairs[i][1], "handler") == 0 ? h : e, pairs[i][2]);

		if (*v)
			json_object_set_new(*out, pairs[i][0], json_string(v));
	}
	*from = "handler";
	return 0;
}

int wizard_step_prefill(struct req *r, const struct order *o, enum wizard_step s, json_t **out,
			const char **from_no)
{
	struct db_rows rows;
	int rc;

	*out = NULL;
	*from_no = NULL;
	if (o->account_id <= 0)
		return 0;
	if (s == STEP_APPLICANT && o->target_cert_id > 0)
		return from_certificate(r, o, out, from_no);
	if (s == STEP_PRODUCT)
		return from_handler(r, o, out, from_no);
	/* Only who the applicant is: what it buys and why are this order's own. */
	if (s != STEP_ENTERPRISE && s != STEP_HANDLER)
		return 0;
	rc = db_query(&r->app->db, r->arena, sql_latest,
		      DB_ARGS(DB_I64(o->account_id), DB_I64(o->id), DB_STR(wizard_step_name(s))),
		      &rows);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (rows.nrows != 1)
		return s == STEP_HANDLER ? from_account(r, o, out, from_no) : 0;
	if (wizard_step_load(r, strtoll(db_cell(&rows, 0, 0), NULL, 10), s, out) < 0)
		return -1;
	if (*out && s == STEP_ENTERPRISE && changed_since(r, o, db_cell(&rows, 0, 2), *out) < 0)
		return -1;
	*from_no = *out ? db_cell(&rows, 0, 1) : NULL;
	return 0;
}
