/* Integration tests of shared/db/db.c against the stack's MariaDB: reconnect, retry, rollback. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/arena.h"
#include "base/conf.h"
#include "db/db.h"

static struct conf conf;
static struct arena a;

static int setup(void **state)
{
	char err[512];
	struct db db = { 0 };

	(void)state;
	conf_defaults(&conf);
	if (!getenv("CERTHALL_CONF") || conf_load(&conf, getenv("CERTHALL_CONF"), err, sizeof(err)) ||
	    conf_load_secrets(&conf, err, sizeof(err)))
		return -1;
	if (arena_init(&a, 4096, 1 << 24) || db_open(&db, &conf) != DB_OK)
		return -1;
	db_exec_once(&db, "CREATE TABLE IF NOT EXISTS test_db_scratch (id INT PRIMARY KEY, v INT NOT NULL) ENGINE=InnoDB");
	db_exec_once(&db, "DELETE FROM test_db_scratch");
	db_exec_once(&db, "INSERT INTO test_db_scratch (id, v) VALUES (1, 0), (2, 0), (3, 0)");
	db_close(&db);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	arena_free(&a);
	return 0;
}

static long value_of(struct db *db, int id)
{
	struct db_rows rows;

	assert_int_equal(db_query(db, &a, "SELECT v FROM test_db_scratch WHERE id = ?",
				  DB_ARGS(DB_I64(id)), &rows), DB_OK);
	assert_int_equal(rows.nrows, 1);
	return strtol(db_cell(&rows, 0, 0), NULL, 10);
}

static void test_reconnect_after_kill(void **state)
{
	struct db db = { 0 }, killer = { 0 };
	struct db_rows rows;
	char *id;

	(void)state;
	assert_int_equal(db_open(&db, &conf), DB_OK);
	assert_int_equal(db_open(&killer, &conf), DB_OK);
	assert_int_equal(db_query(&db, &a, "SELECT CONNECTION_ID()", DB_NOARGS, &rows), DB_OK);
	id = db_cell(&rows, 0, 0) ? arena_strdup(&a, db_cell(&rows, 0, 0)) : NULL;
	assert_non_null(id);
	assert_int_equal(db_exec(&killer, "KILL CONNECTION ?", DB_ARGS(DB_I64(strtoll(id, NULL, 10))),
				 NULL, NULL), DB_OK);
	/* The cached statement died with the connection: reconnected and prepared again. */
	assert_int_equal(db_query(&db, &a, "SELECT CONNECTION_ID()", DB_NOARGS, &rows), DB_OK);
	assert_string_not_equal(db_cell(&rows, 0, 0), id);
	db_close(&db);
	db_close(&killer);
}

struct bump {
	int calls;
	int fail_after_update;
};

static int bump_row1(struct db *db, void *p)
{
	struct bump *b = p;
	int rc;

	b->calls++;
	rc = db_exec(db, "UPDATE test_db_scratch SET v = v + 1 WHERE id = 1", DB_NOARGS, NULL, NULL);
	if (rc != DB_OK)
		return rc;
	return b->fail_after_update ? DB_ERR : DB_OK;
}

static void test_rollback_on_failure(void **state)
{
	struct db db = { 0 };
	struct bump b = { .fail_after_update = 1 };
	long before;

	(void)state;
	assert_int_equal(db_open(&db, &conf), DB_OK);
	before = value_of(&db, 1);
	assert_int_equal(db_tx(&db, bump_row1, &b), DB_ERR);
	assert_int_equal(b.calls, 1);
	assert_int_equal(value_of(&db, 1), before);
	db_close(&db);
}

/* A child holds a row lock, then takes a second step that may deadlock with us. */
static pid_t hold_lock(int first, int second, int extra_rows, int hold_ms, int ready_fd)
{
	pid_t pid = fork();
	struct db db = { 0 };
	char c = 'x';

	if (pid != 0)
		return pid;
	if (db_open(&db, &conf) != DB_OK)
		_exit(2);
	db_exec_once(&db, "START TRANSACTION");
	/* Extra rows make this transaction the heavier one: InnoDB then picks the other as victim. */
	for (int i = 0; i < extra_rows; i++)
		db_exec(&db, "INSERT INTO test_db_scratch (id, v) VALUES (?, 0)", DB_ARGS(DB_I64(1000 + i)),
			NULL, NULL);
	db_exec(&db, "UPDATE test_db_scratch SET v = v + 100 WHERE id = ?", DB_ARGS(DB_I64(first)), NULL, NULL);
	if (write(ready_fd, &c, 1) != 1)
		_exit(3);
	usleep((useconds_t)hold_ms * 1000);
	if (second)
		db_exec(&db, "UPDATE test_db_scratch SET v = v + 100 WHERE id = ?", DB_ARGS(DB_I64(second)),
			NULL, NULL);
	db_exec_once(&db, "ROLLBACK");
	db_close(&db);
	_exit(0);
}

static void test_retry_on_lock_wait_timeout(void **state)
{
	struct db db = { 0 };
	struct bump b = { 0 };
	int fds[2], status;
	long before;
	pid_t pid;
	char c;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(db_open(&db, &conf), DB_OK);
	before = value_of(&db, 1);
	assert_int_equal(db_exec_once(&db, "SET SESSION innodb_lock_wait_timeout = 1"), DB_OK);
	pid = hold_lock(1, 0, 0, 1600, fds[1]);
	assert_int_equal(read(fds[0], &c, 1), 1);
	/* First try waits 1 s and times out (1205); the whole transaction runs again. */
	assert_int_equal(db_tx(&db, bump_row1, &b), DB_OK);
	assert_true(b.calls >= 2);
	assert_int_equal(value_of(&db, 1), before + 1);
	waitpid(pid, &status, 0);
	assert_int_equal(WEXITSTATUS(status), 0);
	close(fds[0]);
	close(fds[1]);
	db_close(&db);
}

static int cross_update(struct db *db, void *p)
{
	struct bump *b = p;
	int rc;

	b->calls++;
	rc = db_exec(db, "UPDATE test_db_scratch SET v = v + 1 WHERE id = 2", DB_NOARGS, NULL, NULL);
	if (rc != DB_OK)
		return rc;
	if (b->calls == 1)
		usleep(300 * 1000); /* let the child reach for row 2 */
	return db_exec(db, "UPDATE test_db_scratch SET v = v + 1 WHERE id = 3", DB_NOARGS, NULL, NULL);
}

static void test_retry_on_deadlock(void **state)
{
	struct db db = { 0 };
	struct bump b = { 0 };
	int fds[2], status;
	long before2, before3;
	pid_t pid;
	char c;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(db_open(&db, &conf), DB_OK);
	before2 = value_of(&db, 2);
	before3 = value_of(&db, 3);
	/* Child: row 3, then (after 100 ms) row 2. Us: row 2, then row 3: a deadlock cycle. */
	pid = hold_lock(3, 2, 50, 100, fds[1]);
	assert_int_equal(read(fds[0], &c, 1), 1);
	assert_int_equal(db_tx(&db, cross_update, &b), DB_OK);
	assert_int_equal(b.calls, 2);
	assert_int_equal(value_of(&db, 2), before2 + 1);
	assert_int_equal(value_of(&db, 3), before3 + 1);
	waitpid(pid, &status, 0);
	close(fds[0]);
	close(fds[1]);
	db_close(&db);
}

static void test_duplicate_key(void **state)
{
	struct db db = { 0 };

	(void)state;
	assert_int_equal(db_open(&db, &conf), DB_OK);
	assert_int_equal(db_exec(&db, "INSERT INTO test_db_scratch (id, v) VALUES (?, 0)",
				 DB_ARGS(DB_I64(1)), NULL, NULL), DB_DUP);
	/* Wrong parameter count is refused before it reaches the server. */
	assert_int_equal(db_exec(&db, "SELECT ?", DB_NOARGS, NULL, NULL), DB_ERR);
	db_close(&db);
}

static void test_binary_and_null_cells(void **state)
{
	struct db db = { 0 };
	struct db_rows rows;
	const char blob[4] = { 'a', '\0', 'b', '\xff' };

	(void)state;
	assert_int_equal(db_open(&db, &conf), DB_OK);
	assert_int_equal(db_query(&db, &a, "SELECT ?, NULL, ?, ?", DB_ARGS(DB_BLOB(blob, 4), DB_I64(-42),
				  DB_STR("张三")), &rows), DB_OK);
	assert_int_equal(rows.len[0], 4);
	assert_memory_equal(db_cell(&rows, 0, 0), blob, 4);
	assert_null(db_cell(&rows, 0, 1));
	assert_string_equal(db_cell(&rows, 0, 2), "-42");
	assert_string_equal(db_cell(&rows, 0, 3), "张三");
	assert_null(db_cell(&rows, 1, 0));
	db_close(&db);
}

/* The statement cache must key on the text, not on where the caller keeps it. */
static void test_cache_keys_on_text(void **state)
{
	struct db db = { 0 };
	struct db_rows rows;
	char sql[64];

	(void)state;
	assert_int_equal(db_open(&db, &conf), DB_OK);
	snprintf(sql, sizeof(sql), "SELECT 'first'");
	assert_int_equal(db_query(&db, &a, sql, DB_NOARGS, &rows), DB_OK);
	assert_string_equal(db_cell(&rows, 0, 0), "first");
	snprintf(sql, sizeof(sql), "SELECT 'second'");
	assert_int_equal(db_query(&db, &a, sql, DB_NOARGS, &rows), DB_OK);
	assert_string_equal(db_cell(&rows, 0, 0), "second");
	db_close(&db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reconnect_after_kill),
		cmocka_unit_test(test_rollback_on_failure),
		cmocka_unit_test(test_retry_on_lock_wait_timeout),
		cmocka_unit_test(test_retry_on_deadlock),
		cmocka_unit_test(test_duplicate_key),
		cmocka_unit_test(test_binary_and_null_cells),
		cmocka_unit_test(test_cache_keys_on_text),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
