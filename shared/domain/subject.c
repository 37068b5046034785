/* subject: an account's claimed subject proven, claimants set aside, and the open-application
 * hold taken by a proven draft (subject.h says when). */
#include <stdlib.h>
#include <string.h>

#include "domain/mask.h"
#include "domain/order.h"
#include "domain/outbox.h"
#include "domain/subject.h"

static const char sql_claim[] =
	"SELECT uscc, uscc_proven_at IS NOT NULL FROM accounts WHERE id = ? AND kind = 'org' FOR UPDATE";
static const char sql_others[] =
	"SELECT id, mobile_enc FROM accounts WHERE uscc = ? AND id <> ? AND uscc_proven_at IS NULL "
	"FOR UPDATE";
/* The set-aside account logs in by its mobile, which is unique among accounts. */
static const char sql_set_aside[] =
	"UPDATE accounts SET uscc = NULL, login_name = ?, uscc_released_at = NOW(3), "
	"updated_at = NOW(3) WHERE id = ?";
static const char sql_drafts[] =
	"SELECT id, state FROM orders WHERE account_id = ? AND subject_idx = ? AND state IN (?, ?) "
	"AND submitted_at IS NULL FOR UPDATE"; /* a paid order's failed 001 check is not a draft */
static const char sql_proven[] =
	"UPDATE accounts SET uscc_proven_at = NOW(3), login_name = uscc, updated_at = NOW(3) "
	"WHERE id = ?";

static const char sql_order[] =
	"SELECT COALESCE(claim_key, ''), open_key IS NOT NULL FROM orders WHERE id = ? FOR UPDATE";
/* A stale draft gives its key (held or claimed) up before anyone is refused because of it. */
static const char sql_expire_holder[] =
	"SELECT id, state FROM orders WHERE (open_key = ? OR claim_key = ?) AND state IN (?, ?) "
	"AND submitted_at IS NULL " /* a paid order's failed 001 financial check never expires */
	"AND updated_at < NOW(3) - INTERVAL ? HOUR FOR UPDATE";
static const char sql_holder[] =
	"SELECT order_no, COALESCE(account_id, 0) FROM orders WHERE open_key = ? AND id <> ? FOR UPDATE";
static const char sql_take[] = "UPDATE orders SET open_key = claim_key WHERE id = ?";

/* An open draft of the account on that subject expires: it was never the account's to hold. */
static int expire(struct db *db, long long id, enum order_state from, const char *note)
{
	int rc = order_move(db, id, from, ORDER_EXPIRED, -1, ORDER_BY_SYSTEM);

	if (rc == DB_OK)
		rc = order_event(db, id, "expired", from, ORDER_EXPIRED, "system", 0, true, note);
	return rc == ORDER_STALE ? DB_RETRY : rc;
}

static int set_aside(struct db *db, struct arena *a, const struct crypto_key *key,
		     const struct db_rows *o, size_t i, const char *uscc, const char *idx,
		     struct subject_notices *sent)
{
	long long id = strtoll(db_cell(o, i, 0), NULL, 10), box = 0;
	char mobile[16], masked[20];
	size_t n = 0;
	struct db_rows d;
	json_t *params;
	int rc;

	if (crypto_open(key, (const unsigned char *)db_cell(o, i, 1), o->len[i * o->ncols + 1],
			"accounts.mobile", (unsigned char *)mobile, sizeof(mobile) - 1, &n) < 0)
		return DB_ERR;
	mobile[n] = '\0';
	rc = db_exec(db, sql_set_aside, DB_ARGS(DB_STR(mobile), DB_I64(id)), NULL, NULL);
	if (rc != DB_OK)
		return rc;
	rc = db_query(db, a, sql_drafts,
		      DB_ARGS(DB_I64(id), DB_STR(idx), DB_STR(order_state_str(ORDER_DRAFT)),
			      DB_STR(order_state_str(ORDER_VERIFY_FAILED))),
		      &d);
	for (size_t k = 0; rc == DB_OK && k < d.nrows; k++)
		rc = expire(db, strtoll(db_cell(&d, k, 0), NULL, 10),
			    order_state_parse(db_cell(&d, k, 1)),
			    "该单位已通过企业身份核验认领其统一社会信用代码，本订单失效");
	if (rc != DB_OK)
		return rc;
	mask_mobile(mobile, masked, sizeof(masked));
	params = json_pack("{s:s, s:s}", "uscc", uscc, "mobile", masked);
	if (!params)
		return DB_ERR;
	rc = outbox_add(db, a, key, "sms", "uscc_released", mobile, params, 0, &box);
	json_decref(params);
	if (rc == DB_OK && sent->n < SUBJECT_NOTICES_MAX)
		sent->ids[sent->n++] = box;
	return rc;
}

int subject_prove_org(struct db *db, struct arena *a, const struct crypto_key *key,
		      long long account_id, const char *want_idx, struct subject_notices *sent)
{
	char idx[2 * CRYPTO_SHA256_LEN + 1];
	struct db_rows c, o;
	const char *uscc;
	int rc = db_query(db, a, sql_claim, DB_ARGS(DB_I64(account_id)), &c);

	if (rc != DB_OK || c.nrows != 1 || !db_cell(&c, 0, 0) || strcmp(db_cell(&c, 0, 1), "1") == 0)
		return rc;
	uscc = db_cell(&c, 0, 0);
	crypto_index_hex(key, "subject", uscc, strlen(uscc), idx);
	if (want_idx && strcmp(want_idx, idx) != 0)
		return DB_OK;
	rc = db_query(db, a, sql_others, DB_ARGS(DB_STR(uscc), DB_I64(account_id)), &o);
	for (size_t i = 0; rc == DB_OK && i < o.nrows; i++)
		rc = set_aside(db, a, key, &o, i, uscc, idx, sent);
	if (rc != DB_OK)
		return rc;
	return db_exec(db, sql_proven, DB_ARGS(DB_I64(account_id)), NULL, NULL);
}

int subject_hold(struct db *db, struct arena *a, long long order_id, int ttl_hours, bool take,
		 const char **holder, long long *holder_account)
{
	struct db_rows o, h;
	const char *key;
	int rc;

	*holder = NULL;
	*holder_account = 0;
	rc = db_query(db, a, sql_order, DB_ARGS(DB_I64(order_id)), &o);
	if (rc != DB_OK || o.nrows != 1 || !db_cell(&o, 0, 0)[0] || strcmp(db_cell(&o, 0, 1), "1") == 0)
		return rc;
	key = db_cell(&o, 0, 0);
	rc = db_query(db, a, sql_expire_holder,
		      DB_ARGS(DB_STR(key), DB_STR(key), DB_STR(order_state_str(ORDER_DRAFT)),
			      DB_STR(order_state_str(ORDER_VERIFY_FAILED)), DB_I64(ttl_hours)),
		      &h);
	for (size_t i = 0; rc == DB_OK && i < h.nrows; i++)
		rc = expire(db, strtoll(db_cell(&h, i, 0), NULL, 10), order_state_parse(db_cell(&h, i, 1)),
			    "");
	if (rc == DB_OK)
		rc = db_query(db, a, sql_holder, DB_ARGS(DB_STR(key), DB_I64(order_id)), &h);
	if (rc != DB_OK)
		return rc;
	if (h.nrows == 1) {
		*holder = db_cell(&h, 0, 0);
		*holder_account = strtoll(db_cell(&h, 0, 1), NULL, 10);
		return DB_OK;
	}
	if (!take)
		return DB_OK;
	rc = db_exec(db, sql_take, DB_ARGS(DB_I64(order_id)), NULL, NULL);
	return rc == DB_DUP ? DB_RETRY : rc;
}
