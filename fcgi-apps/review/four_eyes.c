/* review: four-eyes, where a hall wants it (channels.four_eyes_businesses; OpenXPKI and EJBCA
 * have it, no guide asks for it). The approval of a named business that would grant the
 * order (from reviewing or paper_review: a pre-review pass grants nothing) is recorded as the
 * first (orders.first_approver_id) and the order stays where it is, its version one up; only
 * an approval by another staff member then approves it. The first approver approving again
 * gets 409 second_approver_required. A return or a refusal clears the first approval. */
#include <stdlib.h>

#include "base/strlist.h"

#include "domain/order.h"
#include "review.h"

#define FE_COLS \
	"SELECT FIND_IN_SET(o.business_type, c.four_eyes_businesses) > 0, " \
	"COALESCE(o.first_approver_id, 0), s.display_name, " DB_ISO("o.first_approved_at") " " \
	"FROM orders o JOIN channels c ON c.id = o.channel_id " \
	"LEFT JOIN staff s ON s.id = o.first_approver_id WHERE o.id = ?"
static const char sql_read[] = FE_COLS;
static const char sql_lock[] = FE_COLS " FOR UPDATE";
static const char sql_first[] =
	"UPDATE orders SET first_approver_id = ?, first_approved_at = NOW(3), version = version + 1, "
	"updated_at = NOW(3) WHERE id = ? AND state = ? AND version = ? AND first_approver_id IS NULL";
static const char sql_clear[] =
	"UPDATE orders SET first_approver_id = NULL, first_approved_at = NULL "
	"WHERE id = ? AND first_approver_id IS NOT NULL";

int review_four_eyes(struct db *db, struct req *r, const struct order *o, bool lock,
		     struct review_four_eyes *fe)
{
	struct db_rows rows;
	int rc = db_query(db, r->arena, lock ? sql_lock : sql_read, DB_ARGS(DB_I64(o->id)), &rows);

	*fe = (struct review_four_eyes){ .step = FOUR_EYES_NONE };
	if (rc != DB_OK || rows.nrows != 1)
		return rc == DB_OK ? DB_ERR : rc;
	fe->first_id = strtoll(db_cell(&rows, 0, 1), NULL, 10);
	fe->first_name = db_cell(&rows, 0, 2);
	fe->first_at = db_cell(&rows, 0, 3);
	/* Only the approval that grants: a pre-review pass is not one. */
	if (!str_is(db_cell(&rows, 0, 0), "1") || o->state == ORDER_PRE_REVIEW)
		return DB_OK;
	if (fe->first_id == 0)
		fe->step = FOUR_EYES_FIRST;
	else if (fe->first_id == r->auth.id)
		fe->step = FOUR_EYES_SAME;
	else
		fe->step = FOUR_EYES_SECOND;
	return DB_OK;
}

int review_four_eyes_first(struct db *db, struct req *r, const struct order *o, long long version)
{
	unsigned long long n = 0;
	int rc = db_exec(db, sql_first,
			 DB_ARGS(DB_I64(r->auth.id), DB_I64(o->id), DB_STR(order_state_str(o->state)),
				 DB_I64(version)),
			 &n, NULL);

	if (rc != DB_OK)
		return rc;
	return n == 1 ? DB_OK : ORDER_STALE;
}

int review_four_eyes_clear(struct db *db, long long order_id)
{
	return db_exec(db, sql_clear, DB_ARGS(DB_I64(order_id)), NULL, NULL);
}

json_t *review_four_eyes_json(const struct review_four_eyes *fe)
{
	if (!fe->first_id)
		return json_null();
	return json_pack("{s:s?, s:s?, s:b}", "name", fe->first_name, "at", fe->first_at, "me",
			 fe->step == FOUR_EYES_SAME);
}
