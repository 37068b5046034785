/* conf: the INI file, checked against a table of keys with types, bounds and defaults. */
#include "conf.h"

#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

enum conf_type { CT_INT, CT_OCTAL, CT_STR, CT_PATH, CT_LEVEL };

struct conf_key {
	const char *section;
	const char *name;
	enum conf_type type;
	size_t offset;
	size_t size;      /* for strings: the buffer size */
	long min, max;    /* for numbers */
	const char *def;
};

#define INT(sec, key, field, lo, hi, d) \
	{ sec, key, CT_INT, offsetof(struct conf, field), 0, lo, hi, d }
#define STR(sec, key, field, d) \
	{ sec, key, CT_STR, offsetof(struct conf, field), sizeof(((struct conf *)0)->field), 0, 0, d }
#define PATH(sec, key, field, d) \
	{ sec, key, CT_PATH, offsetof(struct conf, field), sizeof(((struct conf *)0)->field), 0, 0, d }

static const struct conf_key conf_keys[] = {
	INT("server", "node_id", node_id, 0, 99, "0"),
	INT("server", "workers", workers, 1, 256, "4"),
	INT("server", "max_requests", max_requests, 0, 100000000, "10000"),
	INT("server", "backlog", backlog, 16, 65535, "1024"),
	{ "server", "socket_mode", CT_OCTAL, offsetof(struct conf, socket_mode), 0, 0, 0777, "0660" },
	{ "server", "log_level", CT_LEVEL, offsetof(struct conf, log_level), 0, 0, 0, "info" },
	PATH("server", "socket_dir", socket_dir, "/run/certhall"),
	PATH("db", "socket", db_socket, "/run/mysqld/mysqld.sock"),
	STR("db", "host", db_host, ""),
	INT("db", "port", db_port, 1, 65535, "3306"),
	STR("db", "name", db_name, "certhall"),
	STR("db", "user", db_user, "certhall"),
	STR("db", "password_file", db_password_file, ""),
	INT("db", "tx_retries", db_tx_retries, 0, 20, "5"),
	PATH("paths", "key_file", key_file, "/etc/certhall/pii.key"),
	PATH("paths", "schema_dir", schema_dir, "/usr/share/certhall/schema"),
	PATH("paths", "web_root", web_root, "/usr/share/certhall/web"),
	PATH("paths", "upload_dir", upload_dir, "/var/lib/certhall/uploads"),
	INT("limits", "json_body_max", json_body_max, 256, 1048576, "65536"),
	INT("limits", "arena_max", arena_max, 65536, 268435456, "8388608"),
	INT("track", "rate_limit", track_rate_limit, 1, 1000000000, "30"),
	INT("track", "rate_window", track_rate_window, 1, 86400, "60"),
};

struct load_ctx {
	struct conf *c;
	FILE *f;
	int line;          /* lines read so far: the line the handler is looking at */
	int first_bad;     /* line of the first bad key, 0 if none */
	char reason[512];
};

static int parse_long(const char *s, int base, long *out)
{
	char *end;
	long v;

	if (!*s)
		return -1;
	errno = 0;
	v = strtol(s, &end, base);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

/* Returns NULL if the value fits, or the reason it does not. */
static const char *set_value(struct conf *c, const struct conf_key *k, const char *v)
{
	char *base = (char *)c + k->offset;
	long n;
	int lvl;

	switch (k->type) {
	case CT_INT:
	case CT_OCTAL:
		if (parse_long(v, k->type == CT_OCTAL ? 8 : 10, &n))
			return k->type == CT_OCTAL ? "not an octal number" : "not a whole number";
		if (n < k->min || n > k->max)
			return "out of bounds";
		*(int *)(void *)base = (int)n;
		return NULL;
	case CT_LEVEL:
		if (log_level_parse(v, (enum log_level *)&lvl))
			return "must be one of debug, info, warn, error";
		*(int *)(void *)base = lvl;
		return NULL;
	case CT_PATH:
		if (*v != '/')
			return "must be an absolute path";
		/* fall through */
	case CT_STR:
		if (strlen(v) >= k->size)
			return "too long";
		memcpy(base, v, strlen(v) + 1);
		return NULL;
	}
	return "unknown type";
}

void conf_defaults(struct conf *c)
{
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < sizeof(conf_keys) / sizeof(conf_keys[0]); i++) {
		const char *why = set_value(c, &conf_keys[i], conf_keys[i].def);

		if (why)
			fatal("conf: default of [%s] %s: %s", conf_keys[i].section, conf_keys[i].name, why);
	}
}

static char *read_line(char *buf, int size, void *user)
{
	struct load_ctx *lc = user;

	lc->line++;
	return fgets(buf, size, lc->f);
}

static int on_key(void *user, const char *section, const char *name, const char *value)
{
	struct load_ctx *lc = user;

	if (lc->first_bad)
		return 1; /* report the first bad line only */
	lc->first_bad = lc->line;

	for (size_t i = 0; i < sizeof(conf_keys) / sizeof(conf_keys[0]); i++) {
		const struct conf_key *k = &conf_keys[i];
		const char *why;

		if (strcmp(k->section, section) || strcmp(k->name, name))
			continue;
		why = set_value(lc->c, k, value);
		if (!why) {
			lc->first_bad = 0;
			return 1;
		}
		if (k->type == CT_INT && strcmp(why, "out of bounds") == 0)
			snprintf(lc->reason, sizeof(lc->reason), "[%s] %s = %s: must be between %ld and %ld",
				 section, name, value, k->min, k->max);
		else
			snprintf(lc->reason, sizeof(lc->reason), "[%s] %s = %s: %s", section, name, value, why);
		return 1;
	}
	snprintf(lc->reason, sizeof(lc->reason), "[%s] %s: unknown key", section, name);
	return 1;
}

int conf_load(struct conf *c, const char *path, char *err, size_t errsz)
{
	struct load_ctx lc = { .c = c };
	int syntax;

	err[0] = '\0';
	lc.f = fopen(path, "r");
	if (!lc.f) {
		snprintf(err, errsz, "%s: cannot read: %s", path, strerror(errno));
		return -1;
	}
	syntax = ini_parse_stream(read_line, &lc, on_key, &lc);
	fclose(lc.f);
	/* Whichever fault comes first in the file is the one reported. */
	if (syntax > 0 && (!lc.first_bad || syntax < lc.first_bad)) {
		snprintf(err, errsz, "%s:%d: not a [section] header or key = value line", path, syntax);
		return -1;
	}
	if (lc.first_bad) {
		snprintf(err, errsz, "%s:%d: %s", path, lc.first_bad, lc.reason);
		return -1;
	}
	if (syntax < 0) {
		snprintf(err, errsz, "%s: out of memory while reading", path);
		return -1;
	}
	return 0;
}

int conf_load_secrets(struct conf *c, char *err, size_t errsz)
{
	FILE *f;
	size_t n;

	if (!c->db_password_file[0])
		return 0;
	f = fopen(c->db_password_file, "r");
	if (!f) {
		snprintf(err, errsz, "%s: %s", c->db_password_file, strerror(errno));
		return -1;
	}
	if (!fgets(c->db_password, sizeof(c->db_password), f))
		c->db_password[0] = '\0';
	fclose(f);
	n = strcspn(c->db_password, "\r\n");
	c->db_password[n] = '\0';
	return 0;
}
