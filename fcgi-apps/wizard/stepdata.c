/* wizard: the saved data of each step: JSON sealed under the PII key, bound to order and step. */
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "base/log.h"
#include "wizard.h"

#define STEP_MAX 16384 /* a step's JSON text, bytes */
#define SEAL_OVERHEAD CRYPTO_SEAL_OVERHEAD

static const char sql_load[] = "SELECT data_enc FROM order_steps WHERE order_id = ? AND step = ?";
static const char sql_save[] =
	"INSERT INTO order_steps (order_id, step, data_enc, updated_at) VALUES (?, ?, ?, NOW(3)) "
	"ON DUPLICATE KEY UPDATE data_enc = VALUES(data_enc), updated_at = VALUES(updated_at)";

static const char *aad(struct arena *a, long long order_id, enum wizard_step s)
{
	return arena_printf(a, "order_steps:%lld:%s", order_id, wizard_step_name(s));
}

static void release(void *j)
{
	json_decref(j);
}

int wizard_step_load(struct req *r, long long order_id, enum wizard_step s, json_t **out)
{
	struct db_rows rows;
	unsigned char *plain;
	size_t n = 0;
	json_t *j;
	int rc;

	*out = NULL;
	rc = db_query(&r->app->db, r->arena, sql_load,
		      DB_ARGS(DB_I64(order_id), DB_STR(wizard_step_name(s))), &rows);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (rows.nrows == 0)
		return 0;
	plain = arena_alloc(r->arena, rows.len[0] + 1);
	if (!plain || crypto_open(&r->app->key, (const unsigned char *)db_cell(&rows, 0, 0),
				  rows.len[0], aad(r->arena, order_id, s), plain, rows.len[0], &n) < 0) {
		log_error("order %lld step %s: sealed data does not open", order_id,
			  wizard_step_name(s));
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	}
	j = json_loadb((const char *)plain, n, 0, NULL);
	if (!j || !json_is_object(j) || arena_defer(r->arena, release, j) < 0) {
		json_decref(j);
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	}
	*out = j;
	return 0;
}

int wizard_step_save(struct db *db, struct req *r, long long order_id, enum wizard_step s,
		     json_t *data)
{
	char *text = json_dumps(data, JSON_COMPACT | JSON_SORT_KEYS);
	unsigned char *sealed;
	size_t n, len = 0;
	int rc = DB_ERR;

	if (!text)
		return DB_ERR;
	n = strlen(text);
	sealed = n <= STEP_MAX ? arena_alloc(r->arena, n + SEAL_OVERHEAD) : NULL;
	if (sealed && crypto_seal(&r->app->key, text, n, aad(r->arena, order_id, s), sealed,
				  n + SEAL_OVERHEAD, &len) == 0)
		rc = db_exec(db, sql_save,
			     DB_ARGS(DB_I64(order_id), DB_STR(wizard_step_name(s)), DB_BLOB(sealed, len)),
			     NULL, NULL);
	free(text);
	return rc;
}

const char *wizard_str(json_t *obj, const char *name)
{
	const char *v = json_string_value(json_object_get(obj, name));

	return v ? v : "";
}
