/* certhall-admin outbox: the retry pass for cron, or a daemon; the list of failures. */
#include <stdio.h>
#include <string.h>

#include "admin.h"
#include "base/log.h"
#include "domain/outbox.h"

static const char sql_failed[] =
	"SELECT id, channel, event, recipient_mask, attempts, last_error, "
	"DATE_FORMAT(created_at, '%Y-%m-%d %H:%i') FROM outbox WHERE state = 'failed' ORDER BY id DESC LIMIT 200";

static int list_failed(struct admin *ad)
{
	struct db_rows rows;

	if (db_query(&ad->db, &ad->arena, sql_failed, DB_NOARGS, &rows) != DB_OK)
		return 1;
	for (size_t i = 0; i < rows.nrows; i++)
		printf("%s %s %-5s %-18s %-14s tries=%s %s\n", db_cell(&rows, i, 0), db_cell(&rows, i, 6),
		       db_cell(&rows, i, 1), db_cell(&rows, i, 2), db_cell(&rows, i, 3), db_cell(&rows, i, 4),
		       db_cell(&rows, i, 5));
	printf("%zu failed message(s)\n", rows.nrows);
	return 0;
}

/* One pass (cron), or a pass after another for as long as it runs (--daemon). */
int admin_outbox(struct admin *ad, int argc, char **argv)
{
	struct outbox_stats total = { 0 };
	struct admin_pass p = { .interval_ms = 1000 };

	if (argc == 2 && strcmp(argv[1], "--failed") == 0)
		return list_failed(ad);
	if (admin_pass_opts(argc, argv, "outbox", &p) < 0) {
		fprintf(stderr, "usage: certhall-admin outbox [--daemon [--interval-ms N]] | --failed\n");
		return 2;
	}
	admin_pass_start(&p, "outbox");
	while (!admin_pass_stopped()) {
		struct outbox_stats st = { 0 };
		int rc = outbox_run(&ad->db, &ad->arena, &ad->conf, &ad->key, NULL, 0, &st);
		int worked = st.sent + st.retry + st.unknown + st.failed + st.found + st.resend + st.released;

		arena_reset(&ad->arena);
		if (rc != DB_OK)
			log_warn("outbox pass failed: %s", ad->db.last_error);
		total.sent += st.sent;
		total.retry += st.retry;
		total.unknown += st.unknown;
		total.failed += st.failed;
		total.found += st.found;
		total.resend += st.resend;
		total.released += st.released;
		if (worked && p.daemon)
			log_info("outbox: sent %d, retry %d, unknown %d, failed %d, found %d, resend %d, released %d",
				 st.sent, st.retry, st.unknown, st.failed, st.found, st.resend, st.released);
		if (!p.daemon)
			break;
		if (!worked || rc != DB_OK)
			admin_pass_pause(&p);
	}
	if (!p.daemon)
		printf("outbox: sent %d, retry %d, unknown %d, failed %d, found at provider %d, resend %d, "
		       "released %d\n", total.sent, total.retry, total.unknown, total.failed, total.found,
		       total.resend, total.released);
	return 0;
}
