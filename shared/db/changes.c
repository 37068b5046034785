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

/* order_id: the order, or 0 where only the statement knows it. */
static int note(struct db *db, const char *sql, long long id, long long order_id)
{
	int rc = db_exec(db, sql, DB_ARGS(DB_I64(id)), NULL, NULL);

	if (rc == DB_OK)
		db_changed(db, order_id);
	return rc;
}

int changes_note(struct db *db, long long order_id)
{
	/* A move and its event in one transaction: one row is enough. */
	if (db_changed_already(db, order_id))
		return DB_OK;
	return note(db, sql_note, order_id, order_id);
}

int changes_note_waybill(struct db *db, long long waybill_id)
{
	return note(db, sql_note_waybill, waybill_id, 0);
}

int changes_clock(struct db *db, struct arena *a, char *out, size_t size)
{
	struct db_rows rows;
	int rc = db_query(db, a, sql_clock, DB_NOARGS, &rows);

	if (rc == DB_OK && (rows.nrows != 1 || !db_cell(&rows, 0, 0) ||
			    (size_t)snprintf(out, size, "%s", db_cell(&rows, 0, 0)) >= size))
		rc = DB_ERR;
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
