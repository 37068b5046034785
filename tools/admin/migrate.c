/* certhall-admin migrate: apply numbered schema/NNNN_name.sql files once each, in order. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "base/log.h"

static const char sql_table[] =
	"CREATE TABLE IF NOT EXISTS schema_migrations ("
	" version VARCHAR(128) CHARACTER SET ascii NOT NULL PRIMARY KEY,"
	" checksum CHAR(64) CHARACTER SET ascii NOT NULL,"
	" applied_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP"
	") ENGINE=InnoDB";
static const char sql_applied[] = "SELECT checksum FROM schema_migrations WHERE version = ?";
static const char sql_record[] = "INSERT INTO schema_migrations (version, checksum) VALUES (?, ?)";

void admin_connect(struct admin *ad, const char *conf_path, int need_key)
{
	char err[512];

	conf_defaults(&ad->conf);
	if (conf_load(&ad->conf, conf_path, err, sizeof(err)) < 0 ||
	    conf_load_secrets(&ad->conf, err, sizeof(err)) < 0)
		fatal("config: %s", err);
	if (need_key && crypto_key_load(ad->conf.key_file, &ad->key, err, sizeof(err)) < 0)
		fatal("key: %s", err);
	if (arena_init(&ad->arena, 1 << 16, (size_t)1 << 30) < 0)
		fatal("out of memory");
	if (db_open(&ad->db, &ad->conf) != DB_OK)
		fatal("cannot connect to the database: %s", ad->db.last_error);
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && n < (1L << 24) &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) != NULL) {
		*len = fread(buf, 1, (size_t)n, f);
		buf[*len] = '\0';
	}
	fclose(f);
	return buf;
}

struct run_ctx {
	struct admin *ad;
	const char *path;
};

static int run_stmt(const char *stmt, size_t len, int line, void *p)
{
	struct run_ctx *rc = p;
	char *sql = arena_strndup(&rc->ad->arena, stmt, len);

	if (!sql || db_exec_once(&rc->ad->db, sql) != DB_OK) {
		fprintf(stderr, "%s:%d: %s\n", rc->path, line,
			sql ? rc->ad->db.last_error : "out of memory");
		return -1;
	}
	return 0;
}

int admin_run_sql_file(struct admin *ad, const char *path)
{
	struct run_ctx rc = { ad, path };
	size_t len = 0;
	char *text = read_file(path, &len);
	int r;

	if (!text) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno ? errno : EIO));
		return -1;
	}
	r = sql_split(text, len, run_stmt, &rc);
	free(text);
	return r ? -1 : 0;
}

static int is_migration(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n > 9 && strspn(d->d_name, "0123456789") == 4 && d->d_name[4] == '_' &&
	       strcmp(d->d_name + n - 4, ".sql") == 0;
}

int admin_migrate(struct admin *ad, int argc, char **argv)
{
	struct dirent **list = NULL;
	int n, applied = 0, rc = 0;

	(void)argc;
	(void)argv;
	if (db_exec(&ad->db, sql_table, DB_NOARGS, NULL, NULL) != DB_OK) {
		fprintf(stderr, "migrate: cannot create schema_migrations: %s\n", ad->db.last_error);
		return 1;
	}
	n = scandir(ad->conf.schema_dir, &list, is_migration, alphasort);
	if (n < 0) {
		fprintf(stderr, "migrate: %s: %s\n", ad->conf.schema_dir, strerror(errno));
		return 1;
	}
	for (int i = 0; i < n && rc == 0; i++) {
		const char *name = list[i]->d_name;
		char path[CONF_STR_MAX + 300], sum[65];
		struct db_rows rows;
		size_t len = 0;
		char *text;

		snprintf(path, sizeof(path), "%s/%s", ad->conf.schema_dir, name);
		text = read_file(path, &len);
		if (!text) {
			fprintf(stderr, "migrate: %s: %s\n", path, strerror(errno));
			rc = 1;
			break;
		}
		crypto_sha256_hex(text, len, sum);
		free(text);
		if (db_query(&ad->db, &ad->arena, sql_applied, DB_ARGS(DB_STR(name)), &rows) != DB_OK) {
			rc = 1;
			break;
		}
		if (rows.nrows == 1) {
			if (strcmp(db_cell(&rows, 0, 0), sum) != 0)
				fprintf(stderr, "migrate: warning: %s changed after it was applied; "
						"write a new migration instead\n", name);
			continue;
		}
		printf("applying %s\n", name);
		if (admin_run_sql_file(ad, path) < 0 ||
		    db_exec(&ad->db, sql_record, DB_ARGS(DB_STR(name), DB_STR(sum)), NULL, NULL) != DB_OK) {
			fprintf(stderr, "migrate: stopped at %s\n", name);
			rc = 1;
			break;
		}
		applied++;
	}
	for (int i = 0; i < n; i++)
		free(list[i]);
	free(list);
	if (rc == 0)
		printf("schema up to date (%d applied now)\n", applied);
	return rc;
}
