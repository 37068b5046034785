/* escalate: the SLA escalation pass (see escalate.h). */
#include "domain/escalate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/log.h"
#include "base/valid.h"
#include "domain/order.h"
#include "domain/outbox.h"
#include "domain/workdays.h"

/* After the cursor (submitted_at, id), oldest first, the index's order. */
static const char sql_due[] =
	"SELECT o.id, o.order_no, o.business_type, DATE_FORMAT(o.submitted_at, '%Y-%m-%d'), "
	"DATE_FORMAT(CURDATE(), '%Y-%m-%d'), ch.name, ch.review_days_max, ch.sla_mail, "
	"DATE_FORMAT(o.submitted_at, '%Y-%m-%d %H:%i:%s.%f') "
	"FROM orders o FORCE INDEX (ix_orders_queue_role) "
	"JOIN channels ch ON ch.id = o.channel_id "
	"WHERE o.queue = 'review' AND o.submitted_at < CURDATE() - INTERVAL 1 DAY "
	"AND o.escalated_at IS NULL "
	"AND o.submitted_at < CURDATE() - INTERVAL ch.review_days_max DAY "
	"AND (o.submitted_at > ? OR (o.submitted_at = ? AND o.id > ?)) "
	"ORDER BY o.submitted_at, o.id LIMIT ?";
enum { E_ID, E_NO, E_BUSINESS, E_DAY, E_TODAY, E_HALL, E_MAX, E_MAIL, E_AT };

static const char sql_mark[] =
	"UPDATE orders SET escalated_at = NOW(3) WHERE id = ? AND escalated_at IS NULL "
	"AND queue = 'review'";

bool escalate_mail_list(const char *s)
{
	char one[256];
	int n = 0;

	while (*s) {
		size_t len = strcspn(s, ",");

		if (len == 0 || len >= sizeof(one) || ++n > ESCALATE_MAIL_MAX)
			return false;
		memcpy(one, s, len);
		one[len] = '\0';
		if (!valid_email(one))
			return false;
		s += len;
		if (*s == ',' && !*++s)
			return false; /* a trailing comma */
	}
	return true;
}

struct esc {
	struct arena *a;
	const struct crypto_key *key;
	const struct db_rows *rows;
	size_t i;
	long waited;
	const char *link;
	long mails;
	bool took;
};

static int esc_tx(struct db *db, void *ctx)
{
	struct esc *e = ctx;
	const struct db_rows *r = e->rows;
	const char *list = db_cell(r, e->i, E_MAIL);
	char to[256], waited[16];
	unsigned long long n = 0;
	json_t *params;
	int rc = db_exec(db, sql_mark, DB_ARGS(DB_STR(db_cell(r, e->i, E_ID))), &n, NULL);

	e->mails = 0;
	e->took = rc == DB_OK && n == 1;
	if (!e->took)
		return rc;
	snprintf(waited, sizeof(waited), "%ld", e->waited);
	params = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "order_no", db_cell(r, e->i, E_NO),
			   "hall", db_cell(r, e->i, E_HALL), "business",
			   order_business_name(db_cell(r, e->i, E_BUSINESS))
				   ? order_business_name(db_cell(r, e->i, E_BUSINESS)) : "",
			   "submitted", db_cell(r, e->i, E_DAY), "waited", waited, "promise",
			   db_cell(r, e->i, E_MAX), "link", e->link);
	if (!params)
		return DB_ERR;
	while (rc == DB_OK && *list) {
		size_t len = strcspn(list, ",");

		snprintf(to, sizeof(to), "%.*s", (int)(len < sizeof(to) ? len : sizeof(to) - 1), list);
		list += len + (list[len] == ',');
		rc = outbox_add(db, e->a, e->key, "email", "order_overdue", to, params,
				strtoll(db_cell(r, e->i, E_ID), NULL, 10), NULL);
		e->mails += rc == DB_OK;
	}
	json_decref(params);
	return rc;
}

int escalate_run(struct db *db, struct arena *a, const struct crypto_key *key,
		 const char *public_url, struct escalate_stats *st)
{
	char after[32] = "1000-01-01 00:00:00.000000";
	long long after_id = 0;
	struct workdays_cal cal;
	size_t n = strlen(public_url);
	int rc;

	while (n > 0 && public_url[n - 1] == '/')
		n--;
	for (;;) {
		struct db_rows rows;

		/* The calendar and the batch share the arena, reset after each batch. */
		rc = workdays_load(db, a, &cal);
		if (rc == DB_OK)
			rc = db_query(db, a, sql_due,
				      DB_ARGS(DB_STR(after), DB_STR(after), DB_I64(after_id),
					      DB_I64(ESCALATE_BATCH)),
				      &rows);
		if (rc != DB_OK || rows.nrows == 0)
			break;
		snprintf(after, sizeof(after), "%s", db_cell(&rows, rows.nrows - 1, E_AT));
		after_id = strtoll(db_cell(&rows, rows.nrows - 1, E_ID), NULL, 10);
		for (size_t i = 0; rc == DB_OK && i < rows.nrows; i++) {
			int32_t from, today;
			long w, max = strtol(db_cell(&rows, i, E_MAX), NULL, 10);
			struct esc e = { .a = a, .key = key, .rows = &rows, .i = i };

			if (!workdays_parse(db_cell(&rows, i, E_DAY), &from) ||
			    !workdays_parse(db_cell(&rows, i, E_TODAY), &today))
				continue;
			w = workdays_count(from, today, &cal);
			if (w <= max)
				continue;
			st->overdue++;
			if (!db_cell(&rows, i, E_MAIL)[0] || !escalate_mail_list(db_cell(&rows, i, E_MAIL))) {
				st->no_contact++;
				continue;
			}
			e.waited = w;
			e.link = arena_printf(a, "%.*s/staff-order.html?no=%s", (int)n, public_url,
					      db_cell(&rows, i, E_NO));
			if (!e.link) {
				rc = DB_ERR;
				break;
			}
			rc = db_tx(db, esc_tx, &e);
			if (rc == DB_OK && e.took) {
				st->escalated++;
				st->mails += e.mails;
			}
		}
		arena_reset(a);
		if (rc != DB_OK || rows.nrows < ESCALATE_BATCH)
			break;
	}
	arena_reset(a);
	return rc;
}
