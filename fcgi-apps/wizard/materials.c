/* wizard: which required materials an order still lacks (the materials step, and signing). */
#include <string.h>

#include "wizard.h"

/* The rules that apply to the order: of each material the channel's own row if it has one
 * (for every business: one that leaves the order's business out asks nothing of it), else the
 * default. The same choice as the upload program's (fcgi-apps/upload/order.c sql_rule,
 * list.c), so what is asked for here is exactly what can be uploaded there. */
static const char sql_rules[] =
	"SELECT r.material, k.name, r.required FROM material_rules r "
	"JOIN material_kinds k ON k.code = r.material "
	"WHERE r.channel_id = (SELECT MAX(x.channel_id) FROM material_rules x "
	"WHERE x.material = r.material AND x.channel_id IN (0, ?)) "
	"AND (r.businesses = '*' OR FIND_IN_SET(?, r.businesses)) "
	"AND (r.cert_kinds = '*' OR FIND_IN_SET(?, r.cert_kinds)) "
	"ORDER BY k.sort, r.material";
/* Of each material uploaded for the order, over the current version of each page (a page's
 * older versions, and a page withdrawn, are 'replaced'): whether it has page 1, and whether a
 * page of it is rejected. */
static const char sql_latest[] =
	"SELECT material, MAX(page = 1), MAX(state = 'rejected') FROM materials "
	"WHERE order_id = ? AND state <> 'replaced' GROUP BY material";

static void release(void *j)
{
	json_decref(j);
}

/* Whether the material is there: its page 1 (both sides of a card on one page is a whole
 * copy), and no page of it rejected (re-uploaded or withdrawn first). */
static bool present(const struct db_rows *up, const char *material)
{
	for (size_t i = 0; i < up->nrows; i++)
		if (strcmp(db_cell(up, i, 0), material) == 0)
			return strcmp(db_cell(up, i, 1), "1") == 0 && strcmp(db_cell(up, i, 2), "1") != 0;
	return false;
}

int wizard_materials_missing(struct req *r, const struct order *o, json_t **missing)
{
	struct db_rows rules, up;
	json_t *out;
	bool auto_unlock;
	int rc;

	*missing = NULL;
	out = json_array();
	if (!out || arena_defer(r->arena, release, out) < 0) {
		json_decref(out);
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	}
	*missing = out;
	/* Online renewal inside the window uploads nothing (002). */
	if (!wizard_plan_has(o, STEP_MATERIALS))
		return 0;
	/* 003 "如经办人信息与上笔业务的经办人信息相符合,可自动审核,与上笔业务的经办人信息不相符的,
	 * 请按照提示上传相关材料": an unlock its hall approves by itself asks for no scan. */
	if (wizard_unlock_auto(r, o, &auto_unlock) < 0)
		return -1;
	if (auto_unlock)
		return 0;
	rc = db_query(&r->app->db, r->arena, sql_rules,
		      DB_ARGS(DB_I64(o->channel_id), DB_STR(o->business), DB_STR(o->kind)), &rules);
	if (rc == DB_OK)
		rc = db_query(&r->app->db, r->arena, sql_latest, DB_ARGS(DB_I64(o->id)), &up);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	for (size_t i = 0; i < rules.nrows; i++) {
		const char *material = db_cell(&rules, i, 0);

		if (strcmp(db_cell(&rules, i, 2), "1") != 0)
			continue;
		if (!present(&up, material))
			json_array_append_new(out, json_pack("{s:s, s:s}", "material", material,
							     "name", db_cell(&rules, i, 1)));
	}
	return 0;
}
