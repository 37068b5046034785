/* order: one order by number, every column named once (the member it fills, its type, its SQL). */
#include "domain/order.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "domain/orderno.h"

enum col_type { COL_LL, COL_INT, COL_BOOL, COL_STR, COL_STATE, COL_BLOB };

/* member, type, SQL. A NULL text column becomes "" (COALESCE) so callers compare without a
 * NULL check; the mobile stays NULL (none). */
#define ORDER_COLUMNS(X)                                                                        \
	X(id, COL_LL, "o.id")                                                                   \
	X(account_id, COL_LL, "COALESCE(o.account_id, 0)")                                      \
	X(channel_id, COL_LL, "o.channel_id")                                                   \
	X(target_cert_id, COL_LL, "COALESCE(o.target_cert_id, 0)")                              \
	X(version, COL_LL, "o.version")                                                         \
	X(amount_fen, COL_LL, "COALESCE(o.amount_fen, -1)")                                     \
	X(years, COL_INT, "o.years")                                                            \
	X(days_min, COL_INT, "c.review_days_min")                                               \
	X(days_max, COL_INT, "c.review_days_max")                                               \
	X(days_public, COL_BOOL, "c.review_days_public")                                        \
	X(mail_in, COL_BOOL, "o.mail_in")                                                       \
	X(paper_mail, COL_BOOL, "o.paper_mail")                                                 \
	X(refund_due, COL_BOOL, "o.refund_due")                                                 \
	X(state, COL_STATE, "o.state")                                                          \
	X(return_state, COL_STATE, "COALESCE(o.return_state, '')")                              \
	X(no, COL_STR, "o.order_no")                                                            \
	X(business, COL_STR, "o.business_type")                                                 \
	X(kind, COL_STR, "o.cert_kind")                                                         \
	X(subject_name, COL_STR, "o.subject_name")                                              \
	X(subject_idx, COL_STR, "COALESCE(o.subject_idx, '')")                                  \
	X(channel_code, COL_STR, "c.code")                                                      \
	X(flow, COL_STR, "c.flow")                                                              \
	X(verify_method, COL_STR, "COALESCE(o.verify_method, '')")                              \
	X(handler_method, COL_STR, "COALESCE(o.handler_method, '')")                            \
	X(pay_method, COL_STR, "COALESCE(o.pay_method, '')")                                    \
	X(pin_delivery, COL_STR, "COALESCE(o.pin_delivery, '')")                                \
	X(editable, COL_STR, "o.editable")                                                      \
	X(renew_mode, COL_STR, "COALESCE(o.renew_mode, '')")                                    \
	X(renew_not_before, COL_STR, "COALESCE(DATE_FORMAT(o.renew_not_before, '%Y-%m-%d'), '')") \
	X(renew_not_after, COL_STR, "COALESCE(DATE_FORMAT(o.renew_not_after, '%Y-%m-%d'), '')")  \
	X(created_at, COL_STR, DB_ISO("o.created_at"))                                          \
	X(updated_at, COL_STR, DB_ISO("o.updated_at"))                                          \
	X(submitted_at, COL_STR, "COALESCE(" DB_ISO("o.submitted_at") ", '')")                  \
	X(mobile_enc, COL_BLOB, "o.handler_mobile_enc")

#define COL_SQL(member, type, sql) sql ", "
#define COL_ENUM(member, type, sql) COL_##member,
#define COL_DEF(member, type, sql) { offsetof(struct order, member), type },

/* The trailing 0 takes the last comma. */
static const char sql_order[] =
	"SELECT " ORDER_COLUMNS(COL_SQL) "0 "
	"FROM orders o JOIN channels c ON c.id = o.channel_id WHERE o.order_no = ?";

enum { ORDER_COLUMNS(COL_ENUM) COL__COUNT };

static const struct {
	size_t offset;
	enum col_type type;
} cols[COL__COUNT] = { ORDER_COLUMNS(COL_DEF) };

static void fill(struct order *o, const struct db_rows *rows, size_t i)
{
	char *at = (char *)o + cols[i].offset;
	const char *v = db_cell(rows, 0, i);

	switch (cols[i].type) {
	case COL_LL:
		*(long long *)at = v ? strtoll(v, NULL, 10) : 0;
		break;
	case COL_INT:
		*(int *)at = v ? (int)strtol(v, NULL, 10) : 0;
		break;
	case COL_BOOL:
		*(bool *)at = v && strcmp(v, "0") != 0;
		break;
	case COL_STR:
		*(const char **)at = v ? v : "";
		break;
	case COL_STATE:
		*(enum order_state *)at = order_state_parse(v);
		break;
	case COL_BLOB:
		/* The blob's length travels beside it: the one column with two members. */
		o->mobile_enc = (const unsigned char *)v;
		o->mobile_enc_len = v ? rows->len[i] : 0;
		break;
	}
}

int order_load(struct db *db, struct arena *a, const char *no, struct order *o)
{
	struct db_rows rows;
	int rc;

	memset(o, 0, sizeof(*o));
	o->state = o->return_state = ORDER_STATE_NONE;
	if (!no || !orderno_valid(no))
		return ORDER_NONE;
	rc = db_query(db, a, sql_order, DB_ARGS(DB_STR(no)), &rows);
	if (rc != DB_OK)
		return rc;
	if (rows.nrows != 1)
		return ORDER_NONE;
	for (size_t i = 0; i < COL__COUNT; i++)
		fill(o, &rows, i);
	return DB_OK;
}

bool order_by_mail(const struct order *o)
{
	return o->mail_in || o->paper_mail;
}
