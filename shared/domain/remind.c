/* remind: the expiry reminder pass (see remind.h). */
#include "domain/remind.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/log.h"
#include "domain/order.h"
#include "domain/order_steps.h"
#include "domain/outbox.h"

const int remind_thresholds[] = { 90, 30, 7 };
const size_t remind_nthresholds = sizeof(remind_thresholds) / sizeof(remind_thresholds[0]);

#define STR_(x) #x
#define STR(x) STR_(x)
#define WINDOW_SQL STR(REMIND_WINDOW)

/* The threshold of days left, in SQL: remind_threshold's CASE. */
#define SQL_THRESHOLD(d) \
	"CASE WHEN " d " <= 7 THEN 7 WHEN " d " <= 30 THEN 30 ELSE 90 END"

/* One batch after the cursor (not_after, id). The renewal under way: submitted (neither a
 * draft nor a failed check the applicant may abandon) and not final (open_key is cleared then). */
static const char sql_due[] =
	"SELECT c.id, c.serial, DATE_FORMAT(c.not_after, '%Y-%m-%d'), "
	"DATEDIFF(c.not_after, CURDATE()), ch.code, c.holder_name, o.id, o.handler_mobile_enc, "
	"(SELECT s.data_enc FROM order_steps s WHERE s.order_id = o.id AND s.step = 'handler'), "
	"a.mobile_enc "
	"FROM certificates c FORCE INDEX (ix_certificates_expiry) "
	"JOIN channels ch ON ch.id = c.channel_id "
	"LEFT JOIN orders o ON o.id = COALESCE(c.notice_order_id, c.order_id) "
	"LEFT JOIN accounts a ON a.id = c.account_id AND a.disabled = 0 "
	"WHERE c.state = 'valid' AND c.not_after >= CURDATE() "
	"AND c.not_after <= CURDATE() + INTERVAL " WINDOW_SQL " DAY "
	"AND (c.order_id IS NOT NULL OR c.account_id IS NOT NULL) "
	"AND (c.not_after > ? OR (c.not_after = ? AND c.id > ?)) "
	"AND NOT EXISTS (SELECT 1 FROM cert_reminders r WHERE r.cert_id = c.id "
	"AND r.not_after = c.not_after "
	"AND r.threshold = " SQL_THRESHOLD("DATEDIFF(c.not_after, CURDATE())") ") "
	"AND NOT EXISTS (SELECT 1 FROM orders ro WHERE ro.target_cert_id = c.id "
	"AND ro.business_type = 'renew' AND ro.open_key IS NOT NULL AND ro.state NOT IN (?, ?)) "
	"ORDER BY c.not_after, c.id LIMIT ?";
enum { D_ID, D_SERIAL, D_NOT_AFTER, D_DAYS, D_HALL, D_HOLDER, D_ORDER, D_ORDER_MOBILE, D_HANDLER,
       D_ACCOUNT_MOBILE };

/* The claim: taken only while the certificate is still valid with the expiry read. */
static const char sql_claim[] =
	"INSERT IGNORE INTO cert_reminders (cert_id, not_after, threshold, days_left, created_at) "
	"SELECT id, not_after, ?, ?, NOW(3) FROM certificates "
	"WHERE id = ? AND state = 'valid' AND not_after = ?";

int remind_threshold(int days_left)
{
	int t = 0;

	if (days_left < 0 || days_left > REMIND_WINDOW)
		return 0;
	for (size_t i = 0; i < remind_nthresholds; i++)
		if (days_left <= remind_thresholds[i])
			t = remind_thresholds[i];
	return t;
}

static bool url_safe(const char *s, bool hex_only)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		bool hex = (*s >= '0' && *s <= '9') || (*s >= 'A' && *s <= 'F') ||
			   (*s >= 'a' && *s <= 'f');
		bool code = (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-';

		if (hex_only ? !hex : !code)
			return false;
	}
	return true;
}

int remind_link(const char *public_url, const char *hall, const char *serial, char *out,
		size_t outsz)
{
	size_t n = strlen(public_url);
	int w;

	/* public_url is the operator's; the parts are data: only what needs no escaping. */
	if (!url_safe(hall, false) || !url_safe(serial, true))
		return -1;
	while (n > 0 && public_url[n - 1] == '/')
		n--;
	w = snprintf(out, outsz, "%.*s/apply.html?channel=%s&business=renew&serial=%s", (int)n,
		     public_url, hall, serial);
	return w < 0 || (size_t)w >= outsz ? -1 : 0;
}

struct batch {
	struct arena *a;
	const struct crypto_key *key;
	const char *public_url;
	const struct db_rows *rows;
	struct remind_stats st; /* this batch's, added once it commits */
};

/* Who is told about row i: the issuing order's handler (mobile, email), or the handler an
 * approved change named (certificates.notice_order_id), else the account. */
static void contacts(struct batch *b, size_t i, char mobile[ORDER_MOBILE_MAX], const char **email)
{
	const struct db_rows *r = b->rows;
	const char *handler = db_cell(r, i, D_HANDLER), *acc = db_cell(r, i, D_ACCOUNT_MOBILE);
	size_t n = 0;

	*email = "";
	if (order_mobile_open(b->key, db_cell(r, i, D_ORDER_MOBILE), r->len[i * r->ncols + D_ORDER_MOBILE],
			      mobile) < 0 && acc) {
		if (crypto_open(b->key, (const unsigned char *)acc, r->len[i * r->ncols + D_ACCOUNT_MOBILE], "accounts.mobile",
				(unsigned char *)mobile, ORDER_MOBILE_MAX - 1, &n) < 0)
			n = 0;
		mobile[n] = '\0';
	}
	if (handler) {
		long long oid = strtoll(db_cell(r, i, D_ORDER), NULL, 10);
		json_t *h = order_steps_open(b->key, b->a, oid, "handler", handler,
					     r->len[i * r->ncols + D_HANDLER]);

		*email = order_step_str(h, "email");
	}
}

static int remind_one(struct db *db, struct batch *b, size_t i)
{
	const struct db_rows *r = b->rows;
	int days = (int)strtol(db_cell(r, i, D_DAYS), NULL, 10), t = remind_threshold(days);
	const char *serial = db_cell(r, i, D_SERIAL), *email;
	char mobile[ORDER_MOBILE_MAX], link[512], dstr[8];
	long long oid = db_cell(r, i, D_ORDER) ? strtoll(db_cell(r, i, D_ORDER), NULL, 10) : 0;
	unsigned long long took = 0;
	json_t *params;
	int rc;

	b->st.scanned++;
	contacts(b, i, mobile, &email);
	if ((!mobile[0] && !email[0]) || !t) {
		b->st.no_contact++;
		return DB_OK;
	}
	if (remind_link(b->public_url, db_cell(r, i, D_HALL), serial, link, sizeof(link)) < 0) {
		log_warn("remind: certificate %s: no link can be made for it", serial);
		b->st.no_contact++;
		return DB_OK;
	}
	rc = db_exec(db, sql_claim,
		     DB_ARGS(DB_I64(t), DB_I64(days), DB_STR(db_cell(r, i, D_ID)),
			     DB_STR(db_cell(r, i, D_NOT_AFTER))),
		     &took, NULL);
	if (rc != DB_OK || took != 1)
		return rc; /* another pass has it, or the certificate changed since it was read */
	b->st.sent++;
	snprintf(dstr, sizeof(dstr), "%d", days);
	params = json_pack("{s:s, s:s, s:s, s:s, s:s}", "serial", serial, "holder",
			   db_cell(r, i, D_HOLDER), "not_after", db_cell(r, i, D_NOT_AFTER), "days", dstr,
			   "link", link);
	if (!params)
		return DB_ERR;
	if (mobile[0]) {
		rc = outbox_add(db, b->a, b->key, "sms", "cert_expiry", mobile, params, oid, NULL);
		b->st.sms += rc == DB_OK;
	}
	if (rc == DB_OK && email[0]) {
		rc = outbox_add(db, b->a, b->key, "email", "cert_expiry", email, params, oid, NULL);
		b->st.mail += rc == DB_OK;
	}
	json_decref(params);
	explicit_bzero(mobile, sizeof(mobile));
	return rc;
}

static int batch_tx(struct db *db, void *ctx)
{
	struct batch *b = ctx;
	int rc = DB_OK;

	/* A retried transaction starts over: count what this attempt writes. */
	memset(&b->st, 0, sizeof(b->st));
	for (size_t i = 0; rc == DB_OK && i < b->rows->nrows; i++)
		rc = remind_one(db, b, i);
	return rc;
}

int remind_run(struct db *db, struct arena *a, const struct crypto_key *key,
	       const char *public_url, struct remind_stats *st)
{
	char after[11] = "1000-01-01";
	long long after_id = 0;
	int rc;

	for (;;) {
		struct db_rows rows;
		struct batch b = { .a = a, .key = key, .public_url = public_url, .rows = &rows };

		rc = db_query(db, a, sql_due,
			      DB_ARGS(DB_STR(after), DB_STR(after), DB_I64(after_id),
				      DB_STR(order_state_str(ORDER_DRAFT)),
				      DB_STR(order_state_str(ORDER_VERIFY_FAILED)), DB_I64(REMIND_BATCH)),
			      &rows);
		if (rc != DB_OK || rows.nrows == 0)
			break;
		snprintf(after, sizeof(after), "%s", db_cell(&rows, rows.nrows - 1, D_NOT_AFTER));
		after_id = strtoll(db_cell(&rows, rows.nrows - 1, D_ID), NULL, 10);
		rc = db_tx(db, batch_tx, &b);
		if (rc != DB_OK)
			break;
		st->scanned += b.st.scanned;
		st->sent += b.st.sent;
		st->sms += b.st.sms;
		st->mail += b.st.mail;
		st->no_contact += b.st.no_contact;
		arena_reset(a);
		if (rows.nrows < REMIND_BATCH)
			break;
	}
	arena_reset(a);
	return rc;
}
