/* certhall-admin: the operator's command line: migrate, seed, keygen. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "admin.h"
#include "base/log.h"

struct command {
	const char *name;
	int need_db, need_key;
	int (*run)(struct admin *ad, int argc, char **argv);
	const char *help;
};

static int cmd_keygen(struct admin *ad, int argc, char **argv)
{
	char err[256];

	(void)ad;
	if (argc != 2) {
		fprintf(stderr, "usage: certhall-admin keygen FILE\n");
		return 2;
	}
	if (crypto_key_create(argv[1], err, sizeof(err)) < 0) {
		fprintf(stderr, "keygen: %s\n", err);
		return 1;
	}
	printf("wrote a new PII key to %s (mode 0600): back it up; without it the PII is lost\n",
	       argv[1]);
	return 0;
}

static int cmd_conf_keys(struct admin *ad, int argc, char **argv)
{
	(void)ad;
	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: certhall-admin conf-keys\n");
		return 2;
	}
	conf_print_keys(stdout);
	return 0;
}

static const struct command commands[] = {
	{ "migrate", 1, 0, admin_migrate, "apply the schema/ migrations not applied yet" },
	{ "seed", 1, 1, admin_seed_cmd,
	  "load the demo data (idempotent); --bench-orders N --bench-list FILE for make bench; "
	  "--queue-orders N for the queue bench" },
	{ "staff", 1, 0, admin_staff, "add | passwd | disable | list staff accounts" },
	{ "outbox", 1, 1, admin_outbox,
	  "send what is due once (cron), --daemon to keep at it, --failed to list failures" },
	{ "courier", 1, 0, admin_courier,
	  "ask the courier about the waybills due a refresh once (cron), --daemon to keep at it" },
	{ "fin-checks", 1, 1, admin_fincheck,
	  "send 001's queued 0.01 transfers (financial checks) once (cron), --daemon to keep at it" },
	{ "remind", 1, 1, admin_remind,
	  "expiry reminders 90, 30 and 7 days before, each once (cron), --daemon to keep at it" },
	{ "escalate", 1, 1, admin_escalate,
	  "orders past their hall's review promise mailed to its admins, once (cron), --daemon" },
	{ "keygen", 0, 0, cmd_keygen, "FILE: create a new PII key file" },
	{ "conf-keys", 0, 0, cmd_conf_keys, "every configuration key with its default" },
	{ "import-certs", 1, 1, admin_import_certs,
	  "FILE.csv | --from-ca --hall CODE --since DATE [--until DATE], [--apply]: the CA's "
	  "certificates (a dry run without --apply)" },
	{ "sample-certs", 0, 0, admin_sample_certs, "N [--hall CODE]: N generated rows for import-certs" },
	{ "ident", 0, 0, admin_ident,
	  "uscc | id | order-no [--node N] [--count N]: fresh valid identifiers (make bench)" },
};

static void usage(void)
{
	fprintf(stderr, "usage: certhall-admin [-c certhall.conf] COMMAND [ARGS]\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(stderr, "  %-12s %s\n", commands[i].name, commands[i].help);
}

int main(int argc, char **argv)
{
	static struct admin ad;
	const char *conf_path = "/etc/certhall/certhall.conf";
	int opt;

	log_init("admin", LOG_INFO);
	while ((opt = getopt(argc, argv, "+c:h")) != -1) {
		if (opt == 'c') {
			conf_path = optarg;
		} else {
			usage();
			return opt == 'h' ? 0 : 2;
		}
	}
	if (optind >= argc) {
		usage();
		return 2;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		const struct command *c = &commands[i];

		if (strcmp(c->name, argv[optind]) != 0)
			continue;
		if (c->need_db)
			admin_connect(&ad, conf_path, c->need_key);
		return c->run(&ad, argc - optind, argv + optind);
	}
	fprintf(stderr, "certhall-admin: unknown command '%s'\n", argv[optind]);
	usage();
	return 2;
}
