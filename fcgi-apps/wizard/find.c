/* wizard: the order a request names, and who may touch it. */
#include "base/strlist.h"
#include "web/auth.h"
#include "wizard.h"

int wizard_find_order(struct req *r, const char *no, struct order *o)
{
	int rc = order_load(&r->app->db, r->arena, no, o);

	if (rc != DB_OK && rc != ORDER_NONE)
		return app_db_error(r, rc);
	/* Another's order looks exactly like no order at all. */
	if (rc == ORDER_NONE || o->account_id != r->auth.id)
		return resp_error(r, ERR_NOT_FOUND, NULL, NULL);
	return 0;
}

bool wizard_fin_failed(const struct order *o)
{
	/* Checks before signing fail a draft, never a submitted order. */
	return o->state == ORDER_VERIFY_FAILED && o->submitted_at && o->submitted_at[0];
}

bool wizard_step_editable(const struct order *o, enum wizard_step s)
{
	switch (o->state) {
	case ORDER_DRAFT:
		return true;
	case ORDER_VERIFY_FAILED:
		/* 001's financial check failed after approval: only the basic account is entered
		 * again, through its own route (fin_check.c); the signed steps stay as signed. */
		if (wizard_fin_failed(o))
			return false;
		/* A failed verification is redone by editing what was checked (or going mail-in). */
		return s != STEP_SIGN && s != STEP_PAY;
	case ORDER_RETURNED:
		return strlist_has(o->editable, wizard_step_name(s));
	default:
		return false;
	}
}
