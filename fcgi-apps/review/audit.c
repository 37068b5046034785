/* review: the staff audit trail (append-only) and its CSV export, streamed page by page. */
#include <fcgiapp.h>
#include <stdlib.h>
#include <string.h>

#include "web/auth.h"
#include "base/log.h"
#include "review.h"
#include "domain/rules.h"

/* The staff member's name and role as they are now, copied into the row: the trail must read
 * the same after an account is renamed or removed. */
static const char sql_insert[] =
	"INSERT INTO audit_log (at, staff_id, staff_username, staff_role, order_id, order_no, action, "
	"detail, remote_addr) SELECT NOW(3), s.id, s.username, s.role, ?, ?, ?, ?, ? "
	"FROM staff s WHERE s.id = ?";

int review_audit(struct db *db, struct req *r, long long order_id, const char *order_no,
		 const char *action, const char *detail)
{
	unsigned long long n = 0;
	int rc = db_exec(db, sql_insert,
			 DB_ARGS(order_id > 0 ? DB_I64(order_id) : DB_NULL,
				 order_no ? DB_STR(order_no) : DB_NULL, DB_STR(action),
				 DB_STR(detail ? detail : ""), DB_STR(r->remote_addr ? r->remote_addr : ""),
				 DB_I64(r->auth.id)),
			 &n, NULL);

	if (rc == DB_OK && n != 1)
		return DB_ERR; /* no such staff member: nothing may happen unrecorded */
	return rc;
}

/* ---- GET /api/review/audit.csv?from=YYYY-MM-DD&to=YYYY-MM-DD */

#define PAGE 500

/* Keyset paging on (at, id), the order of ix_audit_at: each page starts after the last row of
 * the one before, so a page costs the same wherever it is. */
static const char sql_page[] =
	"SELECT a.id, CONCAT(DATE_FORMAT(a.at, '%Y-%m-%d %H:%i:%s.'), LEFT(DATE_FORMAT(a.at, '%f'), 3)), a.at, a.staff_username, a.staff_role, "
	"COALESCE(a.order_no, ''), a.action, a.detail, a.remote_addr FROM audit_log a "
	"WHERE a.at >= ? AND a.at < ? + INTERVAL 1 DAY AND (a.at > ? OR (a.at = ? AND a.id > ?)) "
	"ORDER BY a.at, a.id LIMIT 500"; /* PAGE */

enum { A_ID, A_AT_TEXT, A_AT, A_USER, A_ROLE, A_NO, A_ACTION, A_DETAIL, A_ADDR };

/* Where the CSV goes: the FastCGI stream, or (a request built by a test) a buffer. */
struct out {
	struct req *r;
	char *buf;
	size_t len, cap;
	bool failed;
};

static void put(struct out *w, const char *s, size_t n)
{
	if (w->failed || n == 0)
		return;
	if (w->r->fcgi) {
		if (FCGX_PutStr(s, (int)n, w->r->fcgi->out) != (int)n)
			w->failed = true;
		return;
	}
	if (w->len + n > w->cap) {
		size_t cap = (w->cap ? w->cap * 2 : 4096) + n;
		char *nb = arena_alloc(w->r->arena, cap);

		if (!nb) {
			w->failed = true;
			return;
		}
		if (w->len)
			memcpy(nb, w->buf, w->len);
		w->buf = nb;
		w->cap = cap;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

/* One RFC 4180 field, always quoted ("" inside). A cell a spreadsheet would take for a
 * formula (= + - @, and tab or CR that some strip first) starts with ' so it stays text. */
static void field(struct out *w, const char *s, bool last)
{
	const char *p = s ? s : "";

	put(w, "\"", 1);
	if (strchr("=+-@\t\r", p[0]) && p[0])
		put(w, "'", 1);
	for (const char *q; (q = strchr(p, '"')) != NULL; p = q + 1) {
		put(w, p, (size_t)(q - p));
		put(w, "\"\"", 2);
	}
	put(w, p, strlen(p));
	put(w, last ? "\"\r\n" : "\",", last ? 3 : 2);
}

static bool date_arg(const struct kvlist *args, const char *name, struct rules_date *d)
{
	const char *v = kv_get(args, name);

	return v && strlen(v) == 10 && rules_date_parse(v, d);
}

int review_audit_csv(struct req *r)
{
	static const char *const head[] = { "id", "time", "staff", "role", "order_no", "action",
					    "detail", "address" };
	struct rules_date from, to;
	struct kvlist args;
	struct out w = { .r = r };
	struct arena pages;
	char f[11], t[11], last_at[40] = "", last_id[24] = "0";
	const char *hdr;
	int rc;

	if (req_args(r, &args) < 0)
		return -1;
	if (!date_arg(&args, "from", &from))
		return resp_error(r, ERR_INVALID_FIELD, "from", "起始日期（from）应为 YYYY-MM-DD 格式的日期。");
	if (!date_arg(&args, "to", &to))
		return resp_error(r, ERR_INVALID_FIELD, "to", "截止日期（to）应为 YYYY-MM-DD 格式的日期。");
	if (rules_days_from_civil(to) < rules_days_from_civil(from))
		return resp_error(r, ERR_INVALID_FIELD, "to", "截止日期（to）不能早于起始日期（from）。");
	rules_date_format(from, f, sizeof(f));
	rules_date_format(to, t, sizeof(t));
	snprintf(last_at, sizeof(last_at), "%s 00:00:00", f);
	/* The export is itself on the trail, before a byte of it leaves. */
	rc = review_audit(&r->app->db, r, 0, NULL, "export_audit",
			  arena_printf(r->arena, "%s..%s", f, t));
	if (rc != DB_OK)
		return app_db_error(r, rc);

	hdr = arena_printf(r->arena,
			   "Status: 200 OK\r\nContent-Type: text/csv; charset=utf-8; header=present\r\n"
			   "Content-Disposition: attachment; filename=\"audit-%s-%s.csv\"\r\n"
			   "Cache-Control: private, no-store\r\nX-Content-Type-Options: nosniff\r\n"
			   "X-Request-Id: %s\r\n\r\n", f, t, r->rid);
	if (!hdr)
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	/* Each page is read into an arena of its own, emptied before the next: a year of the trail
	 * costs the memory of one page. */
	if (arena_init(&pages, 64 * 1024, (size_t)r->app->conf.arena_max) < 0)
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	if (r->fcgi)
		put(&w, hdr, strlen(hdr));
	for (size_t i = 0; i < sizeof(head) / sizeof(head[0]); i++)
		field(&w, head[i], i + 1 == sizeof(head) / sizeof(head[0]));
	for (;;) {
		struct db_rows rows;

		arena_reset(&pages);
		rc = db_query(&r->app->db, &pages, sql_page,
			      DB_ARGS(DB_STR(f), DB_STR(t), DB_STR(last_at), DB_STR(last_at),
				      DB_I64(strtoll(last_id, NULL, 10))), &rows);
		if (rc != DB_OK) {
			/* Headers are out: the client sees a short file; the log says why. */
			log_rid(LOG_ERROR, r->rid, "audit export stopped after id %s", last_id);
			w.failed = true;
			break;
		}
		for (size_t i = 0; i < rows.nrows; i++) {
			field(&w, db_cell(&rows, i, A_ID), false);
			field(&w, db_cell(&rows, i, A_AT_TEXT), false);
			field(&w, db_cell(&rows, i, A_USER), false);
			field(&w, db_cell(&rows, i, A_ROLE), false);
			field(&w, db_cell(&rows, i, A_NO), false);
			field(&w, db_cell(&rows, i, A_ACTION), false);
			field(&w, db_cell(&rows, i, A_DETAIL), false);
			field(&w, db_cell(&rows, i, A_ADDR), true);
		}
		if (rows.nrows) {
			snprintf(last_at, sizeof(last_at), "%s", db_cell(&rows, rows.nrows - 1, A_AT));
			snprintf(last_id, sizeof(last_id), "%s", db_cell(&rows, rows.nrows - 1, A_ID));
		}
		if (rows.nrows < PAGE || w.failed)
			break;
	}
	arena_free(&pages);
	if (r->fcgi) {
		/* The answer is out; closing the stream makes the runner's own send a no-op. */
		FCGX_FClose(r->fcgi->out);
		r->responded = true;
		r->status = 200;
		return 0;
	}
	r->responded = true;
	r->status = 200;
	r->resp_type = "text/csv; charset=utf-8; header=present";
	r->body = w.buf ? w.buf : "";
	r->body_len = w.len;
	return 0;
}
