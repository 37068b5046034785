/* review: the reason codes a rejection or return names (schema/seed/reasons.sql). */
#include <string.h>

#include "web/auth.h"
#include "review.h"

static const char sql_reason[] =
	"SELECT text FROM review_reasons WHERE code = ? AND active = 1 "
	"AND (? = '' OR scope = ? OR scope = 'any')";
static const char sql_list[] =
	"SELECT code, scope, text FROM review_reasons WHERE active = 1 ORDER BY sort, code";

int review_reason(struct req *r, const char *field, const char *code, const char *scope,
		  const char **text)
{
	struct db_rows rows;
	int rc;

	if (!code || !code[0])
		return resp_error(r, ERR_MISSING_FIELD, field, "请选择退回或驳回的原因（reason_code）。");
	if (strlen(code) != 3 || strspn(code, "0123456789") != 3)
		return resp_error(r, ERR_INVALID_FIELD, field,
				  "原因代码（reason_code）应为 3 位数字，请从原因列表中选择。");
	rc = db_query(&r->app->db, r->arena, sql_reason, DB_ARGS(DB_STR(code), DB_STR(scope ? scope : ""), DB_STR(scope ? scope : "")),
		      &rows);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (rows.nrows != 1)
		return resp_error(r, ERR_INVALID_FIELD, field,
				  scope && strcmp(scope, "material") == 0
					  ? "原因代码（reason_code）不在材料审核原因列表中，请从列表中选择。"
					  : "原因代码（reason_code）不在审核原因列表中，请从列表中选择。");
	*text = db_cell(&rows, 0, 0);
	return 0;
}

int review_reasons(struct req *r)
{
	struct db_rows rows;
	json_t *list;
	int rc;

	rc = db_query(&r->app->db, r->arena, sql_list, DB_NOARGS, &rows);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	list = json_array();
	for (size_t i = 0; list && i < rows.nrows; i++)
		json_array_append_new(list, json_pack("{s:s, s:s, s:s}", "code", db_cell(&rows, i, 0),
						      "scope", db_cell(&rows, i, 1), "text",
						      db_cell(&rows, i, 2)));
	resp_json(r, 200, json_pack("{s:o}", "reasons", list));
	return 0;
}
