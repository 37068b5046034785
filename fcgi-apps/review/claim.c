/* review: POST /api/review/orders/:no/claim and /release: who is working on an order. A claim
 * tells the other staff; it locks nothing (decisions are guarded by the order's version), and
 * one older than REVIEW_CLAIM_MINUTES has lapsed. */
#include <stdlib.h>
#include <string.h>

#include "web/auth.h"
#include "domain/order.h"
#include "review.h"

#define LIVE "claimed_at >= NOW(3) - " REVIEW_CLAIM_SPAN

/* MariaDB assigns left to right: claimed_at sees the staff_id just decided. A live claim of
 * another stays as it is; a lapsed one, or one's own, becomes (or stays) this staff member's. */
static const char sql_claim[] =
	"INSERT INTO review_claims (order_id, staff_id, claimed_at) VALUES (?, ?, NOW(3)) "
	"ON DUPLICATE KEY UPDATE "
	"staff_id = IF(" LIVE " AND staff_id <> VALUES(staff_id), staff_id, VALUES(staff_id)), "
	"claimed_at = IF(staff_id = VALUES(staff_id), VALUES(claimed_at), claimed_at)";
static const char sql_holder[] =
	"SELECT c.staff_id, s.display_name, s.username, DATE_FORMAT(c.claimed_at, " DB_ISO_FMT "), "
	"DATE_FORMAT(c.claimed_at + " REVIEW_CLAIM_SPAN ", " DB_ISO_FMT "), c." LIVE " "
	"FROM review_claims c JOIN staff s ON s.id = c.staff_id WHERE c.order_id = ?";
static const char sql_release[] = "DELETE FROM review_claims WHERE order_id = ?";
static const char sql_clear[] = "DELETE FROM review_claims WHERE order_id = ?";

enum { H_STAFF, H_NAME, H_USER, H_AT, H_UNTIL, H_LIVE };

struct claim {
	struct req *r;
	const struct order *o;
	bool release;
	struct db_rows holder;     /* the claim after the change (release: before it) */
	bool refused;
};

static long long holder_id(const struct claim *c)
{
	return c->holder.nrows ? strtoll(db_cell(&c->holder, 0, H_STAFF), NULL, 10) : 0;
}

static bool holder_live(const struct claim *c)
{
	return c->holder.nrows && strcmp(db_cell(&c->holder, 0, H_LIVE), "1") == 0;
}

static int claim_tx(struct db *db, void *p)
{
	struct claim *c = p;
	struct req *r = c->r;
	int rc;

	c->refused = false;
	if (!c->release) {
		rc = db_exec(db, sql_claim, DB_ARGS(DB_I64(c->o->id), DB_I64(r->auth.id)), NULL, NULL);
		if (rc != DB_OK)
			return rc;
	}
	rc = db_query(db, r->arena, sql_holder, DB_ARGS(DB_I64(c->o->id)), &c->holder);
	if (rc != DB_OK)
		return rc;
	if (!c->release) {
		if (holder_id(c) != r->auth.id) {
			c->refused = true;
			return DB_ERR;
		}
		return review_audit(db, r, c->o->id, c->o->no, "claim", "");
	}
	/* Another's live claim is theirs to release (or an admin's). */
	if (holder_live(c) && holder_id(c) != r->auth.id && !(r->auth.roles & ROLE_ADMIN)) {
		c->refused = true;
		return DB_ERR;
	}
	rc = db_exec(db, sql_release, DB_ARGS(DB_I64(c->o->id)), NULL, NULL);
	if (rc != DB_OK)
		return rc;
	return review_audit(db, r, c->o->id, c->o->no, "release",
			    holder_id(c) && holder_id(c) != r->auth.id
				    ? arena_printf(r->arena, "claim of %s", db_cell(&c->holder, 0, H_USER))
				    : "");
}

static json_t *holder_json(const struct claim *c)
{
	if (!c->holder.nrows || !holder_live(c))
		return json_null();
	return json_pack("{s:s, s:s, s:s, s:s}", "name", db_cell(&c->holder, 0, H_NAME), "username",
			 db_cell(&c->holder, 0, H_USER), "claimed_at", db_cell(&c->holder, 0, H_AT),
			 "expires_at", db_cell(&c->holder, 0, H_UNTIL));
}

static int run(struct req *r, bool release)
{
	struct order o;
	struct claim c = { .r = r, .o = &o, .release = release };
	json_t *body;
	int rc;

	if (review_body(r, &body, false, NULL) < 0 || review_find_order(r, r->params[0], &o) < 0)
		return -1;
	if (!release && order_is(o.state, ORDER_FINAL))
		return review_wrong_state(r, &o, "已经办结，无需领取。");
	rc = db_tx(&r->app->db, claim_tx, &c);
	if (c.refused) {
		const char *msg = release
			? arena_printf(r->arena, "该订单由 %s 领取处理中，只有领取人或管理员可以释放。",
				       db_cell(&c.holder, 0, H_NAME))
			: arena_printf(r->arena, "该订单已由 %s 于 %.16s 领取，正在处理中；%d 分钟内无操作将自动释放。",
				       db_cell(&c.holder, 0, H_NAME), db_cell(&c.holder, 0, H_AT),
				       REVIEW_CLAIM_MINUTES);
		return resp_error_with(r, ERR_CONFLICT, NULL, msg,
				       json_pack("{s:o}", "claimed_by", holder_json(&c)));
	}
	if (rc != DB_OK)
		return app_db_error(r, rc);
	resp_json(r, 200, json_pack("{s:s, s:o}", "order_no", o.no, "claimed_by",
				    release ? json_null() : holder_json(&c)));
	return 0;
}

int review_claim(struct req *r)
{
	return run(r, false);
}

int review_release(struct req *r)
{
	return run(r, true);
}

int review_claim_clear(struct db *db, long long order_id)
{
	return db_exec(db, sql_clear, DB_ARGS(DB_I64(order_id)), NULL, NULL);
}
