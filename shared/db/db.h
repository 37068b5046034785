/* db: MariaDB through Connector/C: prepared statements only, transactions with retry. */
#ifndef CERTHALL_DB_H
#define CERTHALL_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/arena.h"

struct conf;
struct st_mysql;
struct st_mysql_stmt;

enum {
	DB_OK = 0,
	DB_ERR = -1,    /* anything else: logged with the server's message */
	DB_RETRY = -2,  /* deadlock or lock wait timeout (1213, 1205): redo the transaction */
	DB_DUP = -3,    /* duplicate key (1062) */
	DB_GONE = -4,   /* no connection, and reconnecting failed */
};

#define DB_CACHE 48

struct db {
	struct st_mysql *my;
	const struct conf *conf;
	int in_tx;
	struct {
		char *sql;       /* a copy: callers may pass SQL from a buffer they reuse */
		size_t len;
		struct st_mysql_stmt *stmt;
	} cache[DB_CACHE];
	size_t ncache;
	unsigned last_errno;
	char last_error[256];
	const char *rid;       /* request id for log lines, NULL between requests */
	bool changed;          /* db_changed() inside the open transaction */
	long long changed_key; /* the key of its last db_changed (0: none known) */
};

enum db_ptype { DBP_NULL, DBP_STR, DBP_I64, DBP_BLOB };

struct db_param {
	enum db_ptype t;
	const void *p;
	size_t len;
	long long i;
};

#define DB_STR(s) ((struct db_param){ .t = DBP_STR, .p = (s), .len = strlen(s) })
#define DB_STRN(s, n) ((struct db_param){ .t = DBP_STR, .p = (s), .len = (n) })
#define DB_I64(v) ((struct db_param){ .t = DBP_I64, .i = (long long)(v) })
#define DB_BLOB(b, n) ((struct db_param){ .t = DBP_BLOB, .p = (b), .len = (n) })
#define DB_NULL ((struct db_param){ .t = DBP_NULL })
/* DB_ARGS(DB_STR(a), DB_I64(b)) expands to the array and its length. */
#define DB_ARGS(...) (const struct db_param[]){ __VA_ARGS__ }, \
	(sizeof((const struct db_param[]){ __VA_ARGS__ }) / sizeof(struct db_param))
#define DB_NOARGS NULL, 0

/* A DATETIME column as ISO 8601 in SQL: DATE_FORMAT(col, DB_ISO_FMT), or DB_ISO(col). The
 * columns hold the hall's local time, China Standard Time. */
#define DB_ISO_FMT "'%Y-%m-%dT%H:%i:%s+08:00'"
#define DB_ISO(col) "DATE_FORMAT(" col ", " DB_ISO_FMT ")"

/* Every cell as bytes plus NUL (the server converts numbers and dates to text). */
struct db_rows {
	size_t nrows, ncols;
	char **cell;            /* cell[row * ncols + col]; NULL for SQL NULL */
	unsigned long *len;
};

/* Connects (utf8mb4, timeouts, no auto-reconnect: we reconnect ourselves). */
int db_open(struct db *db, const struct conf *c);
void db_close(struct db *db);

/* Runs a statement with no result; affected rows and insert id when wanted (NULL ok). */
int db_exec(struct db *db, const char *sql, const struct db_param *p, size_t np,
	    unsigned long long *affected, unsigned long long *insert_id);

/* Runs one statement without parameters and without caching it (migrations, DDL). */
int db_exec_once(struct db *db, const char *sql);

/* Runs a query and copies its whole result into the arena. */
int db_query(struct db *db, struct arena *a, const char *sql, const struct db_param *p, size_t np,
	     struct db_rows *out);

/* The cell, or NULL for SQL NULL or out of range. */
const char *db_cell(const struct db_rows *rows, size_t row, size_t col);

/*
 * Runs fn inside one transaction. fn returns DB_OK to commit; anything else rolls back. A
 * deadlock or lock wait timeout anywhere inside redoes the whole transaction (fn again) up to
 * [db] tx_retries times, with a short random pause, so fn must only touch the database and
 * its ctx. Returns fn's result, or the error that ended it.
 */
int db_tx(struct db *db, int (*fn)(struct db *db, void *ctx), void *ctx);

/*
 * The host's change epoch: a counter in <socket_dir>/changes.epoch, shared by every certhall
 * process on this host, that goes up once a change a reader may have cached is committed
 * (domain/changes.h notes which). db_changed marks the change; outside a transaction the
 * counter goes up at once, inside one when db_tx ends (committed or not: a needless bump
 * costs a reader one look at the change log, a missed one a stale answer). The file is
 * mapped on the first db_open; where it cannot be, the counter stays 0 and readers on this
 * host learn of changes only by polling the log (db_epoch's *shared says so).
 */
void db_changed(struct db *db, long long key);
/* True if db_changed(key) was called in the open transaction already (key > 0). */
bool db_changed_already(const struct db *db, long long key);
unsigned long long db_epoch(bool *shared);

/* True if the server answers (reconnects if needed). */
bool db_ping(struct db *db);

#endif
