/* wizard: an unlock the hall approves by itself (003 "如经办人信息与上笔业务的经办人信息相符合,可
 * 自动审核"): the channel says it does (unlock_auto), and the handler is the one of the
 * certificate's previous order: the order that issued it or the last one done on it. */
#include <stdlib.h>
#include <string.h>

#include "base/strlist.h"
#include "domain/order.h"
#include "domain/order_steps.h"
#include "wizard.h"

static const char sql_previous[] =
	"SELECT p.id FROM orders p JOIN orders o ON o.id = ? JOIN channels c ON c.id = o.channel_id "
	"LEFT JOIN certificates k ON k.id = o.target_cert_id "
	"WHERE c.unlock_auto = 1 AND p.id <> o.id "
	"AND p.state = ? AND (p.id = k.order_id OR p.target_cert_id = o.target_cert_id) "
	"ORDER BY p.updated_at DESC, p.id DESC LIMIT 1";

static bool same_person(json_t *a, json_t *b)
{
	static const char *const keys[] = { "name", "id_number" };

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *x = order_step_str(a, keys[i]), *y = order_step_str(b, keys[i]);

		if (!*x || !str_is(x, y))
			return false;
	}
	return true;
}

int wizard_unlock_auto(struct req *r, const struct order *o, bool *yes)
{
	struct db_rows prev;
	json_t *mine = NULL, *theirs = NULL;
	int rc;

	*yes = false;
	if (!str_is(o->business, "unlock") || !o->target_cert_id)
		return 0;
	rc = db_query(&r->app->db, r->arena, sql_previous,
		      DB_ARGS(DB_I64(o->id), DB_STR(order_state_str(ORDER_DONE))), &prev);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (prev.nrows != 1)
		return 0;
	if (wizard_step_load(r, o->id, STEP_HANDLER, &mine) < 0 ||
	    wizard_step_load(r, strtoll(db_cell(&prev, 0, 0), NULL, 10), STEP_HANDLER, &theirs) < 0)
		return -1;
	*yes = mine && theirs && same_person(mine, theirs);
	return 0;
}
