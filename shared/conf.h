/* conf: the one INI file of every program, checked against a table of keys at start. */
#ifndef CERTHALL_CONF_H
#define CERTHALL_CONF_H

#include <stddef.h>

#define CONF_STR_MAX 256

struct conf {
	/* [server] */
	int node_id;          /* 0-99, unique per host: part of every order number */
	int workers;          /* prefork workers per program */
	int max_requests;     /* a worker is recycled after this many requests; 0 = never */
	int backlog;
	int socket_mode;      /* octal in the file, e.g. 0660 */
	int log_level;        /* enum log_level */
	char socket_dir[CONF_STR_MAX];
	/* [db] */
	char db_socket[CONF_STR_MAX];
	char db_host[CONF_STR_MAX];
	int db_port;
	char db_name[64];
	char db_user[64];
	char db_password_file[CONF_STR_MAX];
	int db_tx_retries;
	/* [paths] */
	char key_file[CONF_STR_MAX];
	char schema_dir[CONF_STR_MAX];
	char web_root[CONF_STR_MAX];
	char upload_dir[CONF_STR_MAX];
	/* [limits] */
	int json_body_max;
	int arena_max;
	/* [track] */
	int track_rate_limit;
	int track_rate_window;

	/* Loaded from db_password_file, never from the INI itself. */
	char db_password[128];
};

/* Sets every key to its default. */
void conf_defaults(struct conf *c);

/* Reads path over the defaults. Unknown sections or keys, bad values and out-of-bounds
 * numbers are errors: err gets "file:line: [section] key: reason". Returns 0 or -1. */
int conf_load(struct conf *c, const char *path, char *err, size_t errsz);

/* Reads the database password file named in c (if any) into c->db_password. */
int conf_load_secrets(struct conf *c, char *err, size_t errsz);

#endif
