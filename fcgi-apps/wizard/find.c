/* wizard: the order a request names, and who may touch it. */
#include <stdlib.h>
#include <string.h>

#include "web/auth.h"
#include "domain/orderno.h"
#include "wizard.h"
#include "base/strlist.h"


static const char sql_order[] =
	"SELECT o.id, COALESCE(o.account_id, 0), o.channel_id, COALESCE(o.target_cert_id, 0), "
	"o.version, COALESCE(o.amount_fen, -1), o.years, o.mail_in, o.order_no, o.state, "
	"o.business_type, o.cert_kind, o.subject_name, c.code, c.flow, "
	"COALESCE(o.verify_method, ''), COALESCE(o.handler_method, ''), COALESCE(o.pay_method, ''), "
	"COALESCE(o.pin_delivery, ''), o.editable, DATE_FORMAT(o.created_at, " DB_ISO_FMT "), "
	"DATE_FORMAT(o.updated_at, " DB_ISO_FMT "), COALESCE(DATE_FORMAT(o.submitted_at, " DB_ISO_FMT "), ''), "
	"COALESCE(o.renew_mode, '') "
	"FROM orders o JOIN channels c ON c.id = o.channel_id WHERE o.order_no = ?";

static long long cell_ll(const struct db_rows *rows, size_t col)
{
	return strtoll(db_cell(rows, 0, col), NULL, 10);
}

int wizard_find_order(struct req *r, const char *no, struct wizard_order *o)
{
	struct db_rows rows;
	int rc;

	if (!no || !orderno_valid(no))
		return resp_error(r, ERR_NOT_FOUND, NULL, NULL);
	rc = db_query(&r->app->db, r->arena, sql_order, DB_ARGS(DB_STR(no)), &rows);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	/* Another's order looks exactly like no order at all. */
	if (rows.nrows != 1 || cell_ll(&rows, 1) != r->auth.id)
		return resp_error(r, ERR_NOT_FOUND, NULL, NULL);
	memset(o, 0, sizeof(*o));
	o->id = cell_ll(&rows, 0);
	o->account_id = cell_ll(&rows, 1);
	o->channel_id = cell_ll(&rows, 2);
	o->target_cert_id = cell_ll(&rows, 3);
	o->version = cell_ll(&rows, 4);
	o->amount_fen = cell_ll(&rows, 5);
	o->years = (int)cell_ll(&rows, 6);
	o->mail_in = cell_ll(&rows, 7) != 0;
	o->no = db_cell(&rows, 0, 8);
	o->state = db_cell(&rows, 0, 9);
	o->business = db_cell(&rows, 0, 10);
	o->kind = db_cell(&rows, 0, 11);
	o->subject_name = db_cell(&rows, 0, 12);
	o->channel_code = db_cell(&rows, 0, 13);
	o->flow = db_cell(&rows, 0, 14);
	o->verify_method = db_cell(&rows, 0, 15);
	o->handler_method = db_cell(&rows, 0, 16);
	o->pay_method = db_cell(&rows, 0, 17);
	o->pin_delivery = db_cell(&rows, 0, 18);
	o->editable = db_cell(&rows, 0, 19);
	o->created_at = db_cell(&rows, 0, 20);
	o->updated_at = db_cell(&rows, 0, 21);
	o->submitted_at = db_cell(&rows, 0, 22);
	o->renew_mode = db_cell(&rows, 0, 23);
	return 0;
}

/* A comma list holds name as a whole item. */
bool wizard_step_editable(const struct wizard_order *o, enum wizard_step s)
{
	if (strcmp(o->state, "draft") == 0)
		return true;
	/* A failed verification is redone by editing what was checked (or going mail-in). */
	if (strcmp(o->state, "verify_failed") == 0)
		return s != STEP_SIGN && s != STEP_PAY;
	if (strcmp(o->state, "returned") == 0)
		return strlist_has(o->editable, wizard_step_name(s));
	return false;
}
