/* certhall-admin: operator commands (migrate, seed, keygen, ...). */
#ifndef CERTHALL_ADMIN_H
#define CERTHALL_ADMIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "base/arena.h"
#include "base/conf.h"
#include "crypto/crypto.h"
#include "db/db.h"
#include "db/sqlsplit.h"

struct admin {
	struct conf conf;
	struct db db;
	struct crypto_key key;
	struct arena arena;
};

/* Connects to the database (and loads the key when needed), or exits with a message. */
void admin_connect(struct admin *ad, const char *conf_path, int need_key);

int admin_migrate(struct admin *ad, int argc, char **argv);
int admin_seed(struct admin *ad, int argc, char **argv);
/* seed, or seed --queue-orders N (queue_seed.c): the reviewer queue's bench orders. */
int admin_seed_cmd(struct admin *ad, int argc, char **argv);
int admin_staff(struct admin *ad, int argc, char **argv);
int admin_outbox(struct admin *ad, int argc, char **argv);
/* import-certs FILE.csv [--apply] (import.c): the CA's existing certificates. */
int admin_import_certs(struct admin *ad, int argc, char **argv);
/* import-certs --from-ca (import_ca.c): the certificates the CA issued in [after, before),
 * through its search, as import-certs rows under header into out; the number it found and
 * how many of those were the hall's own enrolments (left out). Returns 0, or -1 said. */
int import_ca_rows(struct admin *ad, FILE *out, const char *header, const char *hall,
		   time_t after, time_t before, long *found, long *own);
/* sample-certs (sample.c): generated rows for import-certs and its bench. */
int admin_sample_certs(struct admin *ad, int argc, char **argv);
/* ident (sample.c): fresh valid identifiers (USCC, resident ID, order number) for scripts. */
int admin_ident(struct admin *ad, int argc, char **argv);
/* fincheck.c: 001's queued 0.01 transfers (domain/fincheck.h), once or as a daemon. */
int admin_fincheck(struct admin *ad, int argc, char **argv);

/* remind.c: the expiry reminders (domain/remind.h), once or as a daemon. */
int admin_remind(struct admin *ad, int argc, char **argv);

/* escalate.c: overdue orders mailed to their hall's admins (domain/escalate.h). */
int admin_escalate(struct admin *ad, int argc, char **argv);

/* courier.c: the courier refresh pass (shared/ext/courier_refresh.h), once or as a daemon. */
int admin_courier(struct admin *ad, int argc, char **argv);

/* A background pass's options (daemon.c): one pass for cron, or --daemon [--interval-ms N]. */
struct admin_pass {
	int daemon;
	int interval_ms; /* the pause between passes that found nothing to do */
};

/* Parses [--daemon [--interval-ms N]] into p (its defaults set by the caller). Returns 0, or
 * -1 for an argument it does not take (an interval out of range is said on stderr). */
int admin_pass_opts(int argc, char **argv, const char *name, struct admin_pass *p);
/* SIGTERM and SIGINT end the loop after the pass under way; log lines carry name. */
void admin_pass_start(const struct admin_pass *p, const char *name);
bool admin_pass_stopped(void);
void admin_pass_pause(const struct admin_pass *p);

/* Runs every statement of one .sql file. Returns 0, or -1 after printing the file, the
 * statement's line and the server's message. */
int admin_run_sql_file(struct admin *ad, const char *path);

#endif
