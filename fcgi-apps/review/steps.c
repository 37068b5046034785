/* review: the saved data of an order's steps, sealed by the wizard (shared/domain/order_steps.h). */
#include <string.h>

#include "base/log.h"
#include "domain/order_steps.h"
#include "review.h"

static const char sql_one[] = "SELECT step, data_enc FROM order_steps WHERE order_id = ? AND step = ?";
static const char sql_all[] = "SELECT step, data_enc FROM order_steps WHERE order_id = ? ORDER BY step";

/* Opens one row (step, data_enc) of rows; NULL when it does not open (logged). */
static json_t *open_row(struct req *r, long long order_id, const struct db_rows *rows, size_t i)
{
	const char *step = db_cell(rows, i, 0);
	json_t *j = order_steps_open(&r->app->key, r->arena, order_id, step, db_cell(rows, i, 1),
				     rows->len[i * rows->ncols + 1]);

	if (!j)
		log_rid(LOG_ERROR, r->rid, "order %lld step %s: sealed data does not open", order_id,
			step ? step : "-");
	return j;
}

json_t *review_step(struct db *db, struct req *r, long long order_id, const char *step)
{
	struct db_rows rows;

	if (db_query(db, r->arena, sql_one, DB_ARGS(DB_I64(order_id), DB_STR(step)), &rows) != DB_OK ||
	    rows.nrows != 1)
		return NULL;
	return open_row(r, order_id, &rows, 0);
}

int review_steps(struct req *r, long long order_id, json_t *into)
{
	struct db_rows rows;
	int rc = db_query(&r->app->db, r->arena, sql_all, DB_ARGS(DB_I64(order_id)), &rows);

	if (rc != DB_OK)
		return rc;
	for (size_t i = 0; i < rows.nrows; i++) {
		json_t *j = open_row(r, order_id, &rows, i);

		/* A step that does not open is shown as such, never silently left out. */
		if (j)
			json_object_set(into, db_cell(&rows, i, 0), j);
		else
			json_object_set_new(into, db_cell(&rows, i, 0),
					    json_pack("{s:b}", "unreadable", 1));
	}
	return DB_OK;
}


