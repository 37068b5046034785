/* review: the saved data of an order's steps, sealed by the wizard (fcgi-apps/wizard/stepdata.c:
 * AES-256-GCM under the PII key, aad "order_steps:<order id>:<step>"). */
#include <string.h>

#include "crypto/crypto.h"
#include "base/log.h"
#include "review.h"

#define STEP_MAX 16384 /* a step's JSON text, bytes (as the wizard) */

static const char sql_one[] = "SELECT step, data_enc FROM order_steps WHERE order_id = ? AND step = ?";
static const char sql_all[] = "SELECT step, data_enc FROM order_steps WHERE order_id = ? ORDER BY step";

static void release(void *j)
{
	json_decref(j);
}

/* Opens one row (step, data_enc) of rows; NULL when it does not open (logged). */
static json_t *open_row(struct req *r, long long order_id, const struct db_rows *rows, size_t i)
{
	const char *step = db_cell(rows, i, 0), *aad;
	size_t len = rows->len[i * rows->ncols + 1], n = 0;
	unsigned char *plain;
	json_t *j;

	if (!step || !db_cell(rows, i, 1) || len > STEP_MAX + CRYPTO_SEAL_OVERHEAD)
		return NULL;
	aad = arena_printf(r->arena, "order_steps:%lld:%s", order_id, step);
	plain = arena_alloc(r->arena, len + 1);
	if (!aad || !plain ||
	    crypto_open(&r->app->key, (const unsigned char *)db_cell(rows, i, 1), len, aad, plain, len,
			&n) < 0) {
		log_rid(LOG_ERROR, r->rid, "order %lld step %s: sealed data does not open", order_id, step);
		return NULL;
	}
	j = json_loadb((const char *)plain, n, 0, NULL);
	if (!json_is_object(j) || arena_defer(r->arena, release, j) < 0) {
		json_decref(j);
		return NULL;
	}
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

const char *review_str(json_t *obj, const char *name)
{
	const char *v = json_string_value(json_object_get(obj, name));

	return v ? v : "";
}
