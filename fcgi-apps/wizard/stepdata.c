/* wizard: the saved data of each step: JSON sealed under the PII key, bound to order and step. */
#include "base/log.h"
#include "domain/order_steps.h"
#include "wizard.h"

static const char sql_load[] = "SELECT data_enc FROM order_steps WHERE order_id = ? AND step = ?";
static const char sql_save[] =
	"INSERT INTO order_steps (order_id, step, data_enc, updated_at) VALUES (?, ?, ?, NOW(3)) "
	"ON DUPLICATE KEY UPDATE data_enc = VALUES(data_enc), updated_at = VALUES(updated_at)";

int wizard_step_load(struct req *r, long long order_id, enum wizard_step s, json_t **out)
{
	struct db_rows rows;
	int rc;

	*out = NULL;
	rc = db_query(&r->app->db, r->arena, sql_load,
		      DB_ARGS(DB_I64(order_id), DB_STR(wizard_step_name(s))), &rows);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (rows.nrows == 0)
		return 0;
	*out = order_steps_open(&r->app->key, r->arena, order_id, wizard_step_name(s),
				db_cell(&rows, 0, 0), rows.len[0]);
	if (!*out) {
		log_error("order %lld step %s: sealed data does not open", order_id,
			  wizard_step_name(s));
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	}
	return 0;
}

int wizard_step_save(struct db *db, struct req *r, long long order_id, enum wizard_step s,
		     json_t *data)
{
	unsigned char *sealed;
	size_t len = 0;

	if (order_steps_seal(&r->app->key, r->arena, order_id, wizard_step_name(s), data, &sealed,
			     &len) < 0)
		return DB_ERR;
	return db_exec(db, sql_save,
		       DB_ARGS(DB_I64(order_id), DB_STR(wizard_step_name(s)), DB_BLOB(sealed, len)),
		       NULL, NULL);
}


