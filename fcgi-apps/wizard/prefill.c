/* wizard: a step not yet saved starts from what the account entered last time (000 "页面会自动
 * 显示上一次办理证书时录入的信息，信息可进行修改"; 002 "录入页面自动显示出办理证书时的企业实名信息"):
 * the organisation and the handler, from the account's own latest order that saved the step;
 * the organisation as an approved change since left it (its new name and address). */
#include <stdlib.h>

#include "base/strlist.h"
#include "wizard.h"

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

int wizard_step_prefill(struct req *r, const struct order *o, enum wizard_step s, json_t **out,
			const char **from_no)
{
	struct db_rows rows;
	int rc;

	*out = NULL;
	*from_no = NULL;
	/* Only who the applicant is: what it buys and why are this order's own. */
	if ((s != STEP_ENTERPRISE && s != STEP_HANDLER) || o->account_id <= 0)
		return 0;
	rc = db_query(&r->app->db, r->arena, sql_latest,
		      DB_ARGS(DB_I64(o->account_id), DB_I64(o->id), DB_STR(wizard_step_name(s))),
		      &rows);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (rows.nrows != 1)
		return 0;
	if (wizard_step_load(r, strtoll(db_cell(&rows, 0, 0), NULL, 10), s, out) < 0)
		return -1;
	if (*out && s == STEP_ENTERPRISE && changed_since(r, o, db_cell(&rows, 0, 2), *out) < 0)
		return -1;
	*from_no = *out ? db_cell(&rows, 0, 1) : NULL;
	return 0;
}
