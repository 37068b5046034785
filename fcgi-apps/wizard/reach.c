/* wizard: which subject the logged-in account has claimed and proven (shared/domain/subject.h),
 * and whether an order may go on while another holds what it claims. */
#include <string.h>

#include "base/strlist.h"
#include "domain/subject.h"
#include "wizard.h"

static const char sql_account[] =
	"SELECT kind, COALESCE(uscc, ''), display_name, uscc_proven_at IS NOT NULL, "
	"uscc_released_at IS NOT NULL FROM accounts WHERE id = ?";

int wizard_subject(struct req *r, struct wizard_subject *s)
{
	struct db_rows a;
	char *hex;
	int rc;

	memset(s, 0, sizeof(*s));
	rc = db_query(&r->app->db, r->arena, sql_account, DB_ARGS(DB_I64(r->auth.id)), &a);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (a.nrows != 1)
		return resp_error(r, ERR_NOT_LOGGED_IN, NULL, NULL);
	s->kind = db_cell(&a, 0, 0);
	s->uscc = db_cell(&a, 0, 1);
	s->name = db_cell(&a, 0, 2);
	s->released = str_is(db_cell(&a, 0, 4), "1");
	if (!s->uscc[0])
		return 0;
	hex = arena_alloc(r->arena, 2 * CRYPTO_SHA256_LEN + 1);
	if (!hex)
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	crypto_index_hex(&r->app->key, "subject", s->uscc, strlen(s->uscc), hex);
	s->claimed_idx = hex;
	s->proven = str_is(db_cell(&a, 0, 3), "1");
	s->proven_idx = s->proven ? hex : NULL;
	return 0;
}

int wizard_hold_free(struct req *r, const struct order *o)
{
	const char *holder;
	long long account;
	int rc = subject_hold(&r->app->db, r->arena, o->id, r->app->conf.draft_ttl_hours, false,
			      &holder, &account);

	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (holder)
		return resp_error(r, ERR_SUBJECT_HELD, NULL,
				  str_is(o->kind, "person")
					  ? "该身份证号码的持有人已通过身份核验，正在办理该证件的申请（同一证件号码只能有一笔未完成的申请）。"
					    "本订单不能继续办理，请取消本订单；如您是证件持有人本人，请联系客服。"
					  : "该单位已有一笔通过核验、正在办理的同类申请（同一证件只能有一笔未完成的申请）。"
					    "本订单不能继续办理，请取消本订单或继续办理已有的订单。");
	return 0;
}

/* The order's holder is the one its handler's check proved: a person order whose handler step
 * names the holder's ID number (the one the order was opened for). */
static int handler_is_holder(struct db *db, struct req *r, long long order_id, bool *same)
{
	static const char sql[] =
		"SELECT cert_kind, COALESCE(subject_idx, '') FROM orders WHERE id = ?";
	char idx[2 * CRYPTO_SHA256_LEN + 1];
	struct db_rows o;
	const char *id;
	json_t *h;
	int rc = db_query(db, r->arena, sql, DB_ARGS(DB_I64(order_id)), &o);

	*same = false;
	if (rc != DB_OK || o.nrows != 1 || !str_is(db_cell(&o, 0, 0), "person"))
		return rc;
	if (wizard_step_load(r, order_id, STEP_HANDLER, &h) < 0)
		return DB_ERR;
	id = order_step_str(h, "id_number");
	if (!id[0])
		return DB_OK;
	crypto_index_hex(&r->app->key, "subject", id, strlen(id), idx);
	*same = strlen(db_cell(&o, 0, 1)) == strlen(idx) &&
		crypto_equal(db_cell(&o, 0, 1), idx, strlen(idx));
	return DB_OK;
}

int wizard_subject_checked(struct db *db, struct req *r, long long order_id, bool enterprise)
{
	struct subject_notices sent = { .n = 0 };
	const char *holder;
	long long account;
	bool same = false;
	int rc;

	if (enterprise)
		rc = subject_prove_org(db, r->arena, &r->app->key, r->auth.id, NULL, &sent);
	else
		rc = handler_is_holder(db, r, order_id, &same);
	for (size_t i = 0; rc == DB_OK && i < sent.n; i++)
		app_outbox_note(r->app, DB_OK, sent.ids[i]);
	if (rc != DB_OK || (!enterprise && !same))
		return rc;
	/* Held by another (proven first, or signed): this order passes, and is told so when it
	 * tries to go on (wizard_hold_free). */
	return subject_hold(db, r->arena, order_id, r->app->conf.draft_ttl_hours, true, &holder,
			    &account);
}
