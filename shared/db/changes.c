/* changes: order_changes, written beside a change, read by the track cache's poll. */
#include "db/changes.h"

#include <stdio.h>

static const char sql_note[] = "INSERT INTO order_changes (order_id) VALUES (?)";
static const char sql_note_waybill[] =
	"INSERT INTO order_changes (order_id) SELECT order_id FROM waybills WHERE id = ?";
/* The server's clock: the rows' `at` is too, whatever the reader's host says. */
static const char sql_clock[] = "SELECT NOW(3)";
static const char sql_recent[] =
	"SELECT o.order_no FROM order_changes c JOIN orders o ON o.id = c.order_id "
	"WHERE c.at > CAST(? AS DATETIME(3)) - INTERVAL ? SECOND";
static const char sql_prune[] =
	"DELETE FROM order_changes WHERE at < NOW(3) - INTERVAL 1 HOUR LIMIT 5000";

int changes_note(struct db *db, long long order_id)
{
	int rc = db_exec(db, sql_note, DB_ARGS(DB_I64(order_id)), NULL, NULL);

	if (rc == DB_OK)
		db_changed(db);
	return rc;
}

int changes_note_waybill(struct db *db, long long waybill_id)
{
	int rc = db_exec(db, sql_note_waybill, DB_ARGS(DB_I64(waybill_id)), NULL, NULL);

	if (rc == DB_OK)
		db_changed(db);
	return rc;
}

int changes_clock(struct db *db, char *out, size_t size)
{
	struct arena a;
	struct db_rows rows;
	int rc;

	if (arena_init(&a, 1024, 64 * 1024) < 0)
		return DB_ERR;
	rc = db_query(db, &a, sql_clock, DB_NOARGS, &rows);
	if (rc == DB_OK && (rows.nrows != 1 || !db_cell(&rows, 0, 0) ||
			    (size_t)snprintf(out, size, "%s", db_cell(&rows, 0, 0)) >= size))
		rc = DB_ERR;
	arena_free(&a);
	return rc;
}

int changes_recent(struct db *db, struct arena *a, const char *since, struct db_rows *out)
{
	return db_query(db, a, sql_recent, DB_ARGS(DB_STR(since), DB_I64(CHANGES_WINDOW)), out);
}

int changes_prune(struct db *db)
{
	return db_exec(db, sql_prune, DB_NOARGS, NULL, NULL);
}
