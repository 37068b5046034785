/* Galera tests against the three nodes of a --galera stack (make test-galera): a certification
 * conflict goes through db_tx's whole-transaction retry, two decisions on one order sent to two
 * nodes at once leave exactly one winner, order numbers made on two nodes never collide. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <mysqld_error.h>

#include "base/arena.h"
#include "base/conf.h"
#include "db/db.h"
#include "domain/order.h"
#include "domain/orderno.h"

#define NODES 3

static struct conf conf[NODES + 1]; /* conf[n]: the programs' file of node n */
static struct arena a;

static int setup(void **state)
{
	const char *dir = getenv("CERTHALL_STACK");
	char path[512], err[512];
	struct db db = { 0 };

	(void)state;
	if (!dir)
		return -1;
	for (int n = 1; n <= NODES; n++) {
		if (n == 1)
			snprintf(path, sizeof(path), "%s/etc/certhall.conf", dir);
		else
			snprintf(path, sizeof(path), "%s/etc/certhall-node%d.conf", dir, n);
		conf_defaults(&conf[n]);
		if (conf_load(&conf[n], path, err, sizeof(err)) ||
		    conf_load_secrets(&conf[n], err, sizeof(err))) {
			fprintf(stderr, "%s: %s\n", path, err);
			return -1;
		}
	}
	if (arena_init(&a, 4096, 1 << 24) || db_open(&db, &conf[1]) != DB_OK)
		return -1;
	db_exec_once(&db, "CREATE TABLE IF NOT EXISTS test_galera_scratch (id INT PRIMARY KEY, v INT NOT NULL) ENGINE=InnoDB");
	db_exec_once(&db, "CREATE TABLE IF NOT EXISTS test_galera_orderno (order_no CHAR(18) PRIMARY KEY, node INT NOT NULL) ENGINE=InnoDB");
	db_exec_once(&db, "DELETE FROM test_galera_orderno");
	db_exec_once(&db, "INSERT IGNORE INTO test_galera_scratch (id, v) VALUES (1, 0)");
	db_close(&db);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	arena_free(&a);
	return 0;
}

static long long number(struct db *db, const char *sql, const struct db_param *p, size_t np)
{
	struct db_rows rows;

	assert_int_equal(db_query(db, &a, sql, p, np, &rows), DB_OK);
	assert_int_equal(rows.nrows, 1);
	assert_non_null(db_cell(&rows, 0, 0));
	return strtoll(db_cell(&rows, 0, 0), NULL, 10);
}

static long long status_of(struct db *db, const char *name)
{
	return number(db, "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = ?",
		      DB_ARGS(DB_STR(name)));
}

/* The programs' files name three nodes, each its own socket and node id. */
static void test_three_nodes(void **state)
{
	(void)state;
	for (int n = 1; n <= NODES; n++) {
		struct db db = { 0 };

		assert_int_equal(conf[n].node_id, n);
		for (int m = 1; m < n; m++)
			assert_string_not_equal(conf[n].db_socket, conf[m].db_socket);
		assert_int_equal(db_open(&db, &conf[n]), DB_OK);
		assert_int_equal(status_of(&db, "WSREP_CLUSTER_SIZE"), NODES);
		assert_int_equal(status_of(&db, "WSREP_LOCAL_STATE"), 4); /* Synced */
		db_close(&db);
	}
}

struct conflict {
	struct db *other; /* node 2: commits a write to the same row inside our first attempt */
	int calls;
};

static int bump_with_conflict(struct db *db, void *p)
{
	struct conflict *c = p;
	int rc;

	c->calls++;
	rc = db_exec(db, "UPDATE test_galera_scratch SET v = v + 1 WHERE id = 1", DB_NOARGS, NULL, NULL);
	if (rc != DB_OK)
		return rc;
	/* Node 2 commits first: its write set is certified before ours, so our commit fails
	 * certification (1213) and db_tx runs this function again. */
	if (c->calls == 1)
		assert_int_equal(db_exec(c->other, "UPDATE test_galera_scratch SET v = v + 10 WHERE id = 1",
					 DB_NOARGS, NULL, NULL), DB_OK);
	return DB_OK;
}

static void test_certification_conflict_retried(void **state)
{
	struct db one = { 0 }, two = { 0 };
	struct conflict c = { .other = &two };
	long long before, failures;

	(void)state;
	assert_int_equal(db_open(&one, &conf[1]), DB_OK);
	assert_int_equal(db_open(&two, &conf[2]), DB_OK);
	before = number(&one, "SELECT v FROM test_galera_scratch WHERE id = 1", DB_NOARGS);
	failures = status_of(&one, "WSREP_LOCAL_CERT_FAILURES") + status_of(&one, "WSREP_LOCAL_BF_ABORTS");
	assert_int_equal(db_tx(&one, bump_with_conflict, &c), DB_OK);
	assert_int_equal(c.calls, 2);
	assert_int_equal(one.last_errno, ER_LOCK_DEADLOCK);
	/* Both writes are in, on every node. */
	assert_int_equal(number(&one, "SELECT v FROM test_galera_scratch WHERE id = 1", DB_NOARGS), before + 11);
	assert_int_equal(number(&two, "SELECT v FROM test_galera_scratch WHERE id = 1", DB_NOARGS), before + 11);
	assert_true(status_of(&one, "WSREP_LOCAL_CERT_FAILURES") + status_of(&one, "WSREP_LOCAL_BF_ABORTS") >
		    failures);
	db_close(&one);
	db_close(&two);
}

/* ---- two decisions on one order, on two nodes ------------------------------------------- */

struct decision {
	long long id, version;
	int ready_fd, go_fd; /* first attempt: "moved" to the parent, then wait for its "commit" */
	int calls;
};

static int decide(struct db *db, void *p)
{
	struct decision *d = p;
	char c = 'r';
	int rc;

	d->calls++;
	/* What review_move does for an approval: the move, checked by state and version, and its
	 * event in the same transaction. */
	rc = order_move(db, d->id, ORDER_REVIEWING, ORDER_APPROVED, d->version, ORDER_BY_REVIEWER);
	if (rc != DB_OK)
		return rc;
	rc = order_event(db, d->id, "approved", ORDER_REVIEWING, ORDER_APPROVED, "staff", 1, true,
			 "test_galera");
	if (rc != DB_OK)
		return rc;
	/* Both nodes have moved the order locally before either commits. */
	if (d->calls == 1 && (write(d->ready_fd, &c, 1) != 1 || read(d->go_fd, &c, 1) != 1))
		return DB_ERR;
	return DB_OK;
}

/* The child's exit: 10 * calls + 0 (committed) or 1 (stale: someone else moved it), 99 else. */
static pid_t decider(int node, struct decision d)
{
	pid_t pid = fork();
	struct db db = { 0 };
	int rc;

	if (pid != 0)
		return pid;
	if (db_open(&db, &conf[node]) != DB_OK)
		_exit(99);
	rc = db_tx(&db, decide, &d);
	db_close(&db);
	if (rc == DB_OK)
		_exit(10 * d.calls);
	if (rc == ORDER_STALE)
		_exit(10 * d.calls + 1);
	_exit(99);
}

static void test_two_decisions_one_wins(void **state)
{
	struct db db = { 0 };
	char no[ORDERNO_LEN + 1];
	unsigned long long id = 0;
	int ready[2], go[2], status[2], won = 0, stale = 0;
	pid_t pid[2];
	char c;

	(void)state;
	assert_int_equal(db_open(&db, &conf[1]), DB_OK);
	assert_int_equal(orderno_make(no, time(NULL), 1), 0);
	assert_int_equal(db_exec(&db,
		"INSERT INTO orders (order_no, channel_id, business_type, cert_kind, state, created_at, "
		"updated_at, submitted_at, version) SELECT ?, MIN(id), 'new', 'org', 'reviewing', NOW(3), "
		"NOW(3), NOW(3), 3 FROM channels", DB_ARGS(DB_STR(no)), NULL, &id), DB_OK);
	assert_true(id > 0);
	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(go), 0);
	for (int i = 0; i < 2; i++)
		pid[i] = decider(i + 1, (struct decision){ .id = (long long)id, .version = 3,
							   .ready_fd = ready[1], .go_fd = go[0] });
	/* Both have moved it on their node: let both commit at once. */
	for (int i = 0; i < 2; i++)
		assert_int_equal(read(ready[0], &c, 1), 1);
	assert_int_equal(write(go[1], "gg", 2), 2);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(waitpid(pid[i], &status[i], 0), pid[i]);
		assert_true(WIFEXITED(status[i]));
		status[i] = WEXITSTATUS(status[i]);
		won += status[i] == 10;
		/* The loser's commit failed certification; a retry found the order moved. */
		stale += status[i] >= 21 && status[i] % 10 == 1;
	}
	print_message("# decisions on nodes 1 and 2: exits %d and %d\n", status[0], status[1]);
	assert_int_equal(won, 1);
	assert_int_equal(stale, 1);
	assert_int_equal(number(&db, "SELECT version FROM orders WHERE id = ? AND state = 'approved'",
				DB_ARGS(DB_I64(id))), 4);
	assert_int_equal(number(&db, "SELECT COUNT(*) FROM order_events WHERE order_id = ? AND kind = 'approved'",
				DB_ARGS(DB_I64(id))), 1);
	close(ready[0]);
	close(ready[1]);
	close(go[0]);
	close(go[1]);
	db_close(&db);
}

/* ---- order numbers ------------------------------------------------------------------------ */

#define NUMBERS 2000

/* Makes NUMBERS order numbers with node's id and inserts each through node's connection; a
 * duplicate of its own (the random part drawn twice) is drawn again. Exit: 0; 2 when a number
 * was already made by the other node (a collision); 1 on another error. */
static pid_t numberer(int node, int start_fd)
{
	pid_t pid = fork();
	struct db db = { 0 };
	char no[ORDERNO_LEN + 1], c;
	time_t now = time(NULL); /* one date for both nodes: only the node digits can differ */

	if (pid != 0)
		return pid;
	if (db_open(&db, &conf[node]) != DB_OK || read(start_fd, &c, 1) != 1)
		_exit(1);
	for (int i = 0; i < NUMBERS; i++) {
		int rc;

		if (orderno_make(no, now, (unsigned)conf[node].node_id) < 0)
			_exit(1);
		rc = db_exec(&db, "INSERT INTO test_galera_orderno (order_no, node) VALUES (?, ?)",
			     DB_ARGS(DB_STR(no), DB_I64(node)), NULL, NULL);
		if (rc == DB_DUP) {
			struct db_rows rows;
			struct arena ca;

			if (arena_init(&ca, 1024, 1 << 16) ||
			    db_query(&db, &ca, "SELECT node FROM test_galera_orderno WHERE order_no = ?",
				     DB_ARGS(DB_STR(no)), &rows) != DB_OK || rows.nrows != 1)
				_exit(1);
			if (strtol(db_cell(&rows, 0, 0), NULL, 10) != node)
				_exit(2);
			arena_free(&ca);
		}
		if (rc == DB_DUP || rc == DB_RETRY) { /* a concurrent insert of the same number */
			i--;
			continue;
		}
		if (rc != DB_OK)
			_exit(1);
	}
	db_close(&db);
	_exit(0);
}

static void test_order_numbers_by_node(void **state)
{
	struct db db = { 0 };
	int start[2], status;
	pid_t pid[2];

	(void)state;
	assert_int_equal(pipe(start), 0);
	for (int i = 0; i < 2; i++)
		pid[i] = numberer(i + 1, start[0]);
	assert_int_equal(write(start[1], "ss", 2), 2);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(waitpid(pid[i], &status, 0), pid[i]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	assert_int_equal(db_open(&db, &conf[3]), DB_OK);
	/* Every number is where its node put it, valid, and carries its node's digits. */
	assert_int_equal(number(&db, "SELECT COUNT(DISTINCT order_no) FROM test_galera_orderno", DB_NOARGS),
			 2 * NUMBERS);
	for (int n = 1; n <= 2; n++) {
		struct db_rows rows;

		assert_int_equal(db_query(&db, &a, "SELECT order_no FROM test_galera_orderno WHERE node = ?",
					  DB_ARGS(DB_I64(n)), &rows), DB_OK);
		assert_int_equal(rows.nrows, NUMBERS);
		for (size_t r = 0; r < rows.nrows; r++) {
			const char *s = db_cell(&rows, r, 0);

			assert_true(orderno_valid(s));
			assert_int_equal((s[6] - '0') * 10 + (s[7] - '0'), conf[n].node_id);
		}
	}
	close(start[0]);
	close(start[1]);
	db_close(&db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_three_nodes),
		cmocka_unit_test(test_certification_conflict_retried),
		cmocka_unit_test(test_two_decisions_one_wins),
		cmocka_unit_test(test_order_numbers_by_node),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
