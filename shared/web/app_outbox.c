/* app_outbox: outbox rows a request writes, sent right after its answer; an SMS code issued
 * after the answer. */
#include <stdio.h>

#include "web/app.h"
#include "web/req.h"
#include "base/log.h"
#include "domain/outbox.h"
#include "domain/smscode.h"

/* After FCGX_Finish_r: the client has its answer; a slow gateway costs only this worker's time,
 * and whatever is not sent now, certhall-admin outbox sends later. */
static void flush(struct app *app)
{
	struct outbox_stats st = { 0 };

	if (!app->noutbox || !app->have_key)
		return;
	if (outbox_run(&app->db, &app->arena, &app->conf, &app->key, app->outbox_ids, app->noutbox,
		       &st) != DB_OK)
		log_warn("outbox: post-response send failed; the outbox runner will retry");
	app->noutbox = 0;
}

int app_outbox_add(struct req *r, const char *channel, const char *event, const char *to,
		   json_t *params, long long order_id)
{
	struct app *app = r->app;
	long long id = 0;
	int rc = outbox_add(&app->db, r->arena, &app->key, channel, event, to, params, order_id, &id);

	app_outbox_note(app, rc, id);
	return rc;
}

int app_outbox_invoice(struct req *r, long long order_id, enum invoice_when when)
{
	struct invoice_notice n[INVOICE_NOTICES_MAX];
	int count = 0, rc = invoice_due(&r->app->db, r->arena, &r->app->key, order_id, when, n,
					&count);

	for (int i = 0; i < count; i++) {
		if (rc == DB_OK)
			rc = app_outbox_add(r, n[i].channel, "invoice_issued", n[i].to, n[i].params,
					    order_id);
		json_decref(n[i].params);
	}
	return rc;
}

void app_outbox_note(struct app *app, int rc, long long id)
{
	/* Set here, not in app.c: only programs that write outbox rows link the senders (libcurl). */
	app->flush_outbox = flush;
	if (rc == DB_OK && app->noutbox < sizeof(app->outbox_ids) / sizeof(app->outbox_ids[0]))
		app->outbox_ids[app->noutbox++] = id;
}

struct code {
	struct app *app;
	char mobile[12];
	char purpose[16];
	char bind[64]; /* what the code is bound to, e.g. an order number */
};

static int code_tx(struct db *db, void *p)
{
	struct code *c = p;
	struct app *app = c->app;
	long long id = 0;
	int rc = smscode_issue_bound(db, &app->arena, &app->conf, &app->key, c->mobile, c->purpose,
				     c->bind, &id);

	app_outbox_note(app, rc, id);
	return rc;
}

static void code_after(struct app *app, void *p)
{
	struct code *c = p;

	if (db_tx(&app->db, code_tx, c) != DB_OK)
		log_warn("%s code: could not issue a code; the applicant may ask again", c->purpose);
}

int app_outbox_code(struct req *r, const char *mobile, const char *purpose, const char *bind)
{
	struct code *c = arena_calloc(r->arena, 1, sizeof(*c));

	if (!c)
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	c->app = r->app;
	snprintf(c->mobile, sizeof(c->mobile), "%s", mobile);
	snprintf(c->purpose, sizeof(c->purpose), "%s", purpose);
	snprintf(c->bind, sizeof(c->bind), "%s", bind);
	r->app->after_answer = code_after;
	r->app->after_ctx = c;
	return 0;
}
