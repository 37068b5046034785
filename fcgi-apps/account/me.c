/* account: who is logged in; staff views (outbox failures for admins). */
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "web/app.h"
#include "web/req.h"
#include "web/auth.h"

static const char sql_account[] =
	"SELECT kind, login_name, display_name, mobile_mask, uscc, "
	"CASE WHEN uscc_proven_at IS NOT NULL THEN 'proven' WHEN uscc IS NOT NULL THEN 'claimed' "
	"WHEN uscc_released_at IS NOT NULL THEN 'released' END FROM accounts WHERE id = ?";
static const char sql_staff[] = "SELECT username, display_name, role FROM staff WHERE id = ?";
static const char sql_outbox[] =
	"SELECT id, channel, event, recipient_mask, state, attempts, last_error, "
	DB_ISO("created_at") ", "
	DB_ISO("sent_at") ", provider, extra_sends "
	"FROM outbox WHERE state = ? ORDER BY id DESC LIMIT ? OFFSET ?";

int account_me(struct req *r)
{
	struct db_rows a;
	int rc;

	rc = db_query(&r->app->db, r->arena, sql_account, DB_ARGS(DB_I64(r->auth.id)), &a);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (a.nrows != 1)
		return resp_error(r, ERR_NOT_LOGGED_IN, NULL, NULL);
	/* uscc_state (organisations): claimed at registration, proven by the enterprise check or
	 * an approval, released when another account proved it (shared/domain/subject.h). */
	resp_json(r, 200, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s?, s:s?}", "kind", db_cell(&a, 0, 0),
				    "login_name", db_cell(&a, 0, 1), "name", db_cell(&a, 0, 2), "mobile",
				    db_cell(&a, 0, 3), "csrf_token", r->auth.csrf, "uscc",
				    db_cell(&a, 0, 4), "uscc_state", db_cell(&a, 0, 5)));
	return 0;
}

int staff_me(struct req *r)
{
	struct db_rows s;
	json_t *factor;
	int rc;

	rc = db_query(&r->app->db, r->arena, sql_staff, DB_ARGS(DB_I64(r->auth.id)), &s);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (s.nrows != 1)
		return resp_error(r, ERR_NOT_LOGGED_IN, NULL, NULL);
	factor = staff_factor_json(r);
	if (!factor)
		return -1;
	resp_json(r, 200, json_pack("{s:s, s:s, s:s, s:s, s:o}", "username", db_cell(&s, 0, 0), "name",
				    db_cell(&s, 0, 1), "role", db_cell(&s, 0, 2), "csrf_token",
				    r->auth.csrf, "factor", factor));
	return 0;
}

static long arg_long(const struct kvlist *args, const char *name, long def, long lo, long hi)
{
	const char *v = kv_get(args, name);
	char *end;
	long n;

	if (!v)
		return def;
	n = strtol(v, &end, 10);
	return *end || n < lo || n > hi ? -1 : n;
}

/* Permanent provider errors (bad number, bad template) stop retrying and surface here. */
int staff_outbox(struct req *r)
{
	static const char *const states[] = { "failed", "unknown", "pending", "sent", "sending", "checking" };
	struct kvlist args;
	struct db_rows o;
	const char *state;
	long page, per;
	json_t *list;
	bool known = false;
	int rc;

	if (req_args(r, &args) < 0)
		return -1;
	state = kv_get(&args, "state");
	if (!state)
		state = "failed";
	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		known |= strcmp(states[i], state) == 0;
	page = arg_long(&args, "page", 1, 1, 100000);
	per = arg_long(&args, "per_page", 50, 1, 200);
	if (!known)
		return resp_error(r, ERR_INVALID_FIELD, "state",
				  "状态应为 failed、unknown、pending、sent、sending 或 checking。");
	if (page < 0 || per < 0)
		return resp_error(r, ERR_INVALID_FIELD, page < 0 ? "page" : "per_page", "分页参数不正确。");
	rc = db_query(&r->app->db, r->arena, sql_outbox,
		      DB_ARGS(DB_STR(state), DB_I64(per), DB_I64((page - 1) * per)), &o);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	list = json_array();
	for (size_t i = 0; i < o.nrows; i++)
		json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:s, s:s}",
			"id", db_cell(&o, i, 0), "channel", db_cell(&o, i, 1), "event", db_cell(&o, i, 2),
			"recipient", db_cell(&o, i, 3), "state", db_cell(&o, i, 4),
			"attempts", db_cell(&o, i, 5), "last_error", db_cell(&o, i, 6),
			"created_at", db_cell(&o, i, 7), "sent_at", db_cell(&o, i, 8),
			"provider", db_cell(&o, i, 9), "extra_sends", db_cell(&o, i, 10)));
	resp_json(r, 200, json_pack("{s:o, s:i, s:i}", "items", list, "page", (int)page, "per_page", (int)per));
	return 0;
}
