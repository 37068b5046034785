/* db: prepared statements with a per-connection cache, reconnect, transactions with retry. */
#include "db/db.h"

#include <errno.h>
#include <fcntl.h>
#include <mysql.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <mysqld_error.h>
#include <errmsg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/conf.h"
#include "crypto/crypto.h"
#include "base/log.h"

static _Atomic unsigned long long *host_epoch;

/* Maps [server] changes_file (once a process), 0660. Created only by the owner of its
 * directory: root running certhall-admin must not leave a file the programs cannot write. */
static void epoch_map(const struct conf *c)
{
	static bool tried;
	char path[CONF_STR_MAX + 32], dir[CONF_STR_MAX + 32], *slash;
	struct stat st;
	int fd, flags = O_RDWR | O_CLOEXEC | O_NOFOLLOW;
	void *m;

	if (tried || !c)
		return;
	tried = true;
	if (c->changes_file[0] == '/')
		snprintf(path, sizeof(path), "%s", c->changes_file);
	else if (c->socket_dir[0])
		snprintf(path, sizeof(path), "%s/changes.epoch", c->socket_dir);
	else
		return;
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	if (stat(slash ? dir : ".", &st) == 0 && st.st_uid == geteuid())
		flags |= O_CREAT;
	fd = open(path, flags, 0660);
	if (fd < 0) {
		/* Not there and not ours to make (certhall-admin before the programs): quiet. */
		log_rid(errno == ENOENT && !(flags & O_CREAT) ? LOG_DEBUG : LOG_WARN, NULL,
			"change epoch %s: %s (cached look-ups on this host see this process's changes "
			"only by polling)", path, strerror(errno));
		return;
	}
	/* Grown, never shrunk: other processes may have it mapped. */
	if (lseek(fd, 0, SEEK_END) < (off_t)sizeof(*host_epoch) &&
	    ftruncate(fd, (off_t)sizeof(*host_epoch)) < 0) {
		log_warn("change epoch %s: %s", path, strerror(errno));
		close(fd);
		return;
	}
	m = mmap(NULL, sizeof(*host_epoch), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (m == MAP_FAILED) {
		log_warn("change epoch %s: mmap: %s", path, strerror(errno));
		return;
	}
	host_epoch = m;
}

static void epoch_bump(void)
{
	if (host_epoch)
		atomic_fetch_add_explicit(host_epoch, 1, memory_order_release);
}

void db_changed(struct db *db, long long key)
{
	if (db->in_tx) {
		db->changed = true;
		db->changed_key = key;
	} else {
		epoch_bump();
	}
}

bool db_changed_already(const struct db *db, long long key)
{
	return db->in_tx && db->changed && key > 0 && db->changed_key == key;
}

unsigned long long db_epoch(bool *shared)
{
	if (shared)
		*shared = host_epoch != NULL;
	return host_epoch ? atomic_load_explicit(host_epoch, memory_order_acquire) : 0;
}

static void db_drop_cache(struct db *db)
{
	for (size_t i = 0; i < db->ncache; i++) {
		mysql_stmt_close(db->cache[i].stmt);
		free(db->cache[i].sql);
	}
	db->ncache = 0;
}

static int classify(unsigned err)
{
	switch (err) {
	case ER_LOCK_DEADLOCK:      /* also a Galera certification conflict, on commit */
	case ER_LOCK_WAIT_TIMEOUT:
		return DB_RETRY;
	case ER_DUP_ENTRY:
		return DB_DUP;
	case CR_SERVER_GONE_ERROR:
	case CR_SERVER_LOST:
	case CR_CONNECTION_ERROR:
	case CR_CONN_HOST_ERROR:
	case ER_CONNECTION_KILLED:
	case 4031: /* ER_CLIENT_INTERACTION_TIMEOUT: the server closed an idle connection */
	case ER_UNKNOWN_COM_ERROR: /* 1047: a Galera node out of the cluster's primary component, or
				    * still joining: "WSREP has not yet prepared node" */
		return DB_GONE;
	default:
		return DB_ERR;
	}
}

static int note_error(struct db *db, unsigned err, const char *msg, const char *sql)
{
	int kind = classify(err);

	db->last_errno = err;
	snprintf(db->last_error, sizeof(db->last_error), "%s", msg);
	if (kind == DB_ERR)
		log_rid(LOG_ERROR, db->rid, "db error %u: %s (in: %.120s)", err, msg, sql);
	return kind;
}

int db_open(struct db *db, const struct conf *c)
{
	unsigned int timeout = 5;
	my_bool off = 0;
	MYSQL *my;

	db->conf = c;
	db->in_tx = 0;
	db->changed = false;
	db->changed_key = 0;
	db->ncache = 0;
	epoch_map(c);
	my = mysql_init(NULL);
	if (!my)
		return DB_ERR;
	mysql_options(my, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	mysql_options(my, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	timeout = 30;
	mysql_options(my, MYSQL_OPT_READ_TIMEOUT, &timeout);
	mysql_options(my, MYSQL_OPT_WRITE_TIMEOUT, &timeout);
	mysql_options(my, MYSQL_OPT_RECONNECT, &off);
	/* Dates in the schema are China time; NOW() and CURDATE() must agree on every host. */
	mysql_options(my, MYSQL_INIT_COMMAND, "SET time_zone = '+08:00'");
	if (!mysql_real_connect(my, c->db_host[0] ? c->db_host : NULL, c->db_user, c->db_password,
				c->db_name, (unsigned)c->db_port,
				c->db_host[0] ? NULL : c->db_socket, CLIENT_FOUND_ROWS)) {
		note_error(db, mysql_errno(my), mysql_error(my), "connect");
		log_rid(LOG_ERROR, db->rid, "db connect: %s", mysql_error(my));
		mysql_close(my);
		db->my = NULL;
		return DB_GONE;
	}
	db->my = my;
	return DB_OK;
}

void db_close(struct db *db)
{
	db_drop_cache(db);
	if (db->my)
		mysql_close(db->my);
	db->my = NULL;
}

static int reconnect(struct db *db)
{
	db_close(db);
	return db_open(db, db->conf);
}

static MYSQL_STMT *prepared(struct db *db, const char *sql, int *rc)
{
	size_t len = strlen(sql);
	MYSQL_STMT *st;
	char *copy;

	for (size_t i = 0; i < db->ncache; i++)
		if (db->cache[i].len == len && memcmp(db->cache[i].sql, sql, len) == 0)
			return db->cache[i].stmt;
	st = mysql_stmt_init(db->my);
	if (!st) {
		*rc = DB_ERR;
		return NULL;
	}
	if (mysql_stmt_prepare(st, sql, strlen(sql))) {
		*rc = note_error(db, mysql_stmt_errno(st), mysql_stmt_error(st), sql);
		mysql_stmt_close(st);
		return NULL;
	}
	copy = malloc(len + 1);
	if (!copy) {
		mysql_stmt_close(st);
		*rc = DB_ERR;
		return NULL;
	}
	memcpy(copy, sql, len + 1);
	if (db->ncache == DB_CACHE) {
		/* Full: drop the oldest. Programs use far fewer distinct statements than this. */
		mysql_stmt_close(db->cache[0].stmt);
		free(db->cache[0].sql);
		memmove(&db->cache[0], &db->cache[1], sizeof(db->cache[0]) * (DB_CACHE - 1));
		db->ncache--;
	}
	db->cache[db->ncache].sql = copy;
	db->cache[db->ncache].len = len;
	db->cache[db->ncache].stmt = st;
	db->ncache++;
	return st;
}

static void forget(struct db *db, MYSQL_STMT *st)
{
	for (size_t i = 0; i < db->ncache; i++) {
		if (db->cache[i].stmt != st)
			continue;
		mysql_stmt_close(st);
		free(db->cache[i].sql);
		db->cache[i] = db->cache[--db->ncache];
		return;
	}
}

static int bind_params(MYSQL_STMT *st, const struct db_param *p, size_t np, MYSQL_BIND *b)
{
	if (mysql_stmt_param_count(st) != np)
		return -1;
	memset(b, 0, sizeof(*b) * np);
	for (size_t i = 0; i < np; i++) {
		switch (p[i].t) {
		case DBP_NULL:
			b[i].buffer_type = MYSQL_TYPE_NULL;
			break;
		case DBP_STR:
		case DBP_BLOB:
			b[i].buffer_type = p[i].t == DBP_STR ? MYSQL_TYPE_STRING : MYSQL_TYPE_BLOB;
			b[i].buffer = (void *)(uintptr_t)p[i].p;
			b[i].buffer_length = p[i].len;
			b[i].length = (unsigned long *)(uintptr_t)&p[i].len;
			/* length is read as unsigned long; size_t and unsigned long agree on LP64 */
			break;
		case DBP_I64:
			b[i].buffer_type = MYSQL_TYPE_LONGLONG;
			b[i].buffer = (void *)(uintptr_t)&p[i].i;
			break;
		}
	}
	return np ? (mysql_stmt_bind_param(st, b) ? -1 : 0) : 0;
}

/* Prepares (from cache) and executes; once more on a fresh connection if it was lost
 * outside a transaction. */
static int run(struct db *db, const char *sql, const struct db_param *p, size_t np,
	       MYSQL_STMT **out)
{
	MYSQL_BIND binds[64]; /* the widest statement (the hall settings) has 33 */
	int rc = DB_ERR;

	if (np > sizeof(binds) / sizeof(binds[0])) {
		log_rid(LOG_ERROR, db->rid, "db: %zu parameters, at most %zu: %.120s", np,
			sizeof(binds) / sizeof(binds[0]), sql);
		return DB_ERR;
	}
	for (int attempt = 0; attempt < 2; attempt++) {
		MYSQL_STMT *st;

		if (!db->my && (db->in_tx || reconnect(db) != DB_OK))
			return DB_GONE;
		st = prepared(db, sql, &rc);
		if (st) {
			if (bind_params(st, p, np, binds) < 0) {
				log_rid(LOG_ERROR, db->rid, "db: bad parameters for: %.120s", sql);
				return DB_ERR;
			}
			if (mysql_stmt_execute(st) == 0) {
				*out = st;
				return DB_OK;
			}
			rc = note_error(db, mysql_stmt_errno(st), mysql_stmt_error(st), sql);
			if (rc != DB_GONE)
				return rc;
			forget(db, st);
		}
		if (rc != DB_GONE || db->in_tx)
			return rc;
		log_rid(LOG_WARN, db->rid, "db connection lost (%u): reconnecting", db->last_errno);
		db_close(db);
	}
	return rc;
}

int db_exec(struct db *db, const char *sql, const struct db_param *p, size_t np,
	    unsigned long long *affected, unsigned long long *insert_id)
{
	MYSQL_STMT *st;
	int rc = run(db, sql, p, np, &st);

	if (rc != DB_OK)
		return rc;
	if (affected)
		*affected = (unsigned long long)mysql_stmt_affected_rows(st);
	if (insert_id)
		*insert_id = (unsigned long long)mysql_stmt_insert_id(st);
	mysql_stmt_free_result(st);
	return DB_OK;
}

int db_exec_once(struct db *db, const char *sql)
{
	MYSQL_STMT *st;
	int rc = DB_OK;

	if (!db->my && reconnect(db) != DB_OK)
		return DB_GONE;
	st = mysql_stmt_init(db->my);
	if (!st)
		return DB_ERR;
	if (mysql_stmt_prepare(st, sql, strlen(sql)) || mysql_stmt_execute(st))
		rc = note_error(db, mysql_stmt_errno(st), mysql_stmt_error(st), sql);
	mysql_stmt_close(st);
	return rc;
}

/* One fetch's bindings and the column buffers they point to, in a single allocation:
 * the look-up that issue 15 measures spent more on 4 + ncols mallocs than on its rows. */
struct fetch {
	MYSQL_BIND *b;
	unsigned long *lens;
	my_bool *nulls;
};

static unsigned char *fetch_new(MYSQL_RES *meta, size_t nc, struct fetch *f)
{
	size_t head = nc * (sizeof(MYSQL_BIND) + sizeof(unsigned long) + sizeof(my_bool)), total;
	unsigned char *mem, *p;

	head = (head + 15) & ~(size_t)15;
	total = head;
	for (size_t c = 0; c < nc; c++) {
		size_t cap = mysql_fetch_field_direct(meta, (unsigned)c)->max_length + 1;

		if (cap > ((size_t)-1) - total)
			return NULL;
		total += cap;
	}
	if (!(mem = calloc(1, total ? total : 1)))
		return NULL;
	f->b = (MYSQL_BIND *)(void *)mem;
	f->lens = (unsigned long *)(void *)(mem + nc * sizeof(MYSQL_BIND));
	f->nulls = (my_bool *)(mem + nc * (sizeof(MYSQL_BIND) + sizeof(unsigned long)));
	p = mem + head;
	for (size_t c = 0; c < nc; c++) {
		size_t cap = mysql_fetch_field_direct(meta, (unsigned)c)->max_length + 1;

		f->b[c].buffer_type = MYSQL_TYPE_STRING;
		f->b[c].buffer = p;
		f->b[c].buffer_length = cap;
		f->b[c].length = &f->lens[c];
		f->b[c].is_null = &f->nulls[c];
		p += cap;
	}
	return mem;
}

int db_query(struct db *db, struct arena *a, const char *sql, const struct db_param *p, size_t np,
	     struct db_rows *out)
{
	MYSQL_STMT *st;
	MYSQL_RES *meta = NULL;
	struct fetch f;
	unsigned char *mem = NULL;
	my_bool yes = 1;
	int rc = run(db, sql, p, np, &st);
	size_t nc = 0, r = 0;

	memset(out, 0, sizeof(*out));
	if (rc != DB_OK)
		return rc;
	rc = DB_ERR;
	meta = mysql_stmt_result_metadata(st);
	if (!meta)
		goto out;
	nc = mysql_num_fields(meta);
	mysql_stmt_attr_set(st, STMT_ATTR_UPDATE_MAX_LENGTH, &yes);
	if (mysql_stmt_store_result(st)) {
		rc = note_error(db, mysql_stmt_errno(st), mysql_stmt_error(st), sql);
		goto out;
	}
	out->ncols = nc;
	out->nrows = (size_t)mysql_stmt_num_rows(st);
	out->cell = arena_calloc(a, out->nrows * nc + 1, sizeof(char *));
	out->len = arena_calloc(a, out->nrows * nc + 1, sizeof(unsigned long));
	if (!out->cell || !out->len || !(mem = fetch_new(meta, nc, &f)))
		goto out;
	if (nc && mysql_stmt_bind_result(st, f.b))
		goto out;
	for (r = 0; r < out->nrows; r++) {
		int got = mysql_stmt_fetch(st);

		if (got == 1 || got == MYSQL_NO_DATA)
			goto out;
		for (size_t c = 0; c < nc; c++) {
			size_t k = r * nc + c;

			out->len[k] = f.lens[c];
			out->cell[k] = f.nulls[c] ? NULL : arena_strndup(a, f.b[c].buffer, f.lens[c]);
			if (!f.nulls[c] && !out->cell[k])
				goto out;
		}
	}
	rc = DB_OK;
out:
	if (rc != DB_OK)
		memset(out, 0, sizeof(*out));
	free(mem);
	if (meta)
		mysql_free_result(meta);
	mysql_stmt_free_result(st);
	return rc;
}

const char *db_cell(const struct db_rows *rows, size_t row, size_t col)
{
	if (row >= rows->nrows || col >= rows->ncols)
		return NULL;
	return rows->cell[row * rows->ncols + col];
}

static void pause_before_retry(int attempt)
{
	unsigned char rnd = 0;
	struct timespec ts;

	crypto_random(&rnd, 1);
	ts.tv_sec = 0;
	ts.tv_nsec = (long)(1 + attempt * 4 + rnd % 8) * 1000000L;
	nanosleep(&ts, NULL);
}

int db_tx(struct db *db, int (*fn)(struct db *db, void *ctx), void *ctx)
{
	int retries = db->conf ? db->conf->db_tx_retries : 3, rc = DB_ERR;

	for (int attempt = 0; attempt <= retries; attempt++) {
		if (!db->my && reconnect(db) != DB_OK)
			return DB_GONE;
		if (mysql_autocommit(db->my, 0)) {
			rc = note_error(db, mysql_errno(db->my), mysql_error(db->my), "autocommit");
			if (rc == DB_GONE) {
				db_close(db);
				continue;
			}
			return rc;
		}
		db->in_tx = 1;
		rc = fn(db, ctx);
		if (rc == DB_OK && mysql_commit(db->my)) {
			/* A commit whose answer was lost may have happened: never redo it blindly. */
			rc = note_error(db, mysql_errno(db->my), mysql_error(db->my), "commit");
			if (rc == DB_GONE)
				rc = DB_ERR;
		} else if (rc == DB_GONE) {
			rc = DB_RETRY; /* lost before commit: the server rolled it back */
		}
		if (rc != DB_OK && db->my)
			mysql_rollback(db->my);
		db->in_tx = 0;
		if (db->changed) {
			db->changed = false;
			db->changed_key = 0;
			epoch_bump();
		}
		if (db->my && mysql_autocommit(db->my, 1))
			db_close(db);
		if (rc != DB_RETRY)
			return rc;
		if (db->last_errno && classify(db->last_errno) == DB_GONE)
			db_close(db);
		log_rid(LOG_INFO, db->rid, "transaction retried after %u (attempt %d)", db->last_errno,
			attempt + 1);
		pause_before_retry(attempt);
	}
	/* Out of retries on a server that would not serve (a Galera node not in the cluster):
	 * unavailable, not a failure of ours. */
	if (rc == DB_RETRY && db->last_errno && classify(db->last_errno) == DB_GONE)
		rc = DB_GONE;
	return rc;
}

bool db_ping(struct db *db)
{
	if (db->my && mysql_ping(db->my) == 0)
		return true;
	if (db->in_tx)
		return false;
	return reconnect(db) == DB_OK;
}
