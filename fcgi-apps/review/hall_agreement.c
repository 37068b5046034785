/* review: POST /api/review/admin/halls/:code/agreements: a new version of one hall's agreement
 * the applicants accept (service, privacy). Each hall has its own texts (0028: its guide's
 * promises are its own), so the new row becomes current at that hall only and its old version
 * stops being current, in one transaction; every version stays readable (what an applicant
 * accepted), and the audit row names the hall. */
#include <string.h>

#include "base/strlist.h"
#include "base/valid.h"
#include "review.h"

#define BODY_MAX_CHARS 20000

/* The codes are every hall's (service, privacy): a hall that has no copy yet (one added after the
 * seed) may publish its first version of one. */
static const char sql_known[] = "SELECT COUNT(*) FROM agreements WHERE code = ?";
static const char sql_current[] =
	"SELECT version FROM agreements WHERE channel_id = ? AND code = ? AND current = 1 FOR UPDATE";
static const char sql_retire[] =
	"UPDATE agreements SET current = 0 WHERE channel_id = ? AND code = ? AND current = 1";
static const char sql_insert[] =
	"INSERT INTO agreements (channel_id, code, version, title, body, published_at, current) "
	"VALUES (?, ?, ?, ?, ?, NOW(), 1)";
static const char sql_published[] =
	"SELECT " DB_ISO("published_at") " FROM agreements WHERE channel_id = ? AND code = ? "
	"AND version = ?";

static bool is_agreement_code(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= 32 && strspn(s, "abcdefghijklmnopqrstuvwxyz_") == n;
}

static bool is_version(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= 16 &&
	       strspn(s, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ._-") == n;
}

struct agreement_in {
	const char *code, *version, *title;
};

static const struct req_field agreement_fields[] = {
	{ "code", true, 32, is_agreement_code, "协议代码（code）应为已有协议的代码，如 service 或 privacy。",
	  offsetof(struct agreement_in, code) },
	{ "version", true, 16, is_version,
	  "版本号（version）应为 1 至 16 位字母、数字、点、下划线或连字符，如 2026.2。",
	  offsetof(struct agreement_in, version) },
	{ "title", true, 100, review_hall_plain,
	  "协议标题（title）必填，最多 100 个字，不能含有控制字符或文字方向控制符。",
	  offsetof(struct agreement_in, title) },
};

/* The text applicants read: paragraphs apart by line feeds, otherwise as valid_text wants it
 * (well-formed UTF-8, no other control character), and no bidirectional control. */
static bool body_ok(struct req *r, const char *s, size_t len)
{
	char *flat;

	if (!s || len == 0 || strlen(s) != len || !review_hall_plain(s))
		return false;
	flat = arena_strndup(r->arena, s, len);
	if (!flat)
		return false;
	for (char *p = flat; *p; p++)
		if (*p == '\n')
			*p = ' ';
	return valid_text(flat, len, BODY_MAX_CHARS);
}

struct publish {
	struct req *r;
	const char *hall;
	long long hall_id;
	const struct agreement_in *in;
	const char *body;
	const char *previous;   /* the version that was current, or NULL */
	bool duplicate;
};

static int publish_tx(struct db *db, void *p)
{
	struct publish *t = p;
	struct req *r = t->r;
	struct db_rows cur;
	int rc;

	t->duplicate = false;
	rc = db_query(db, r->arena, sql_current, DB_ARGS(DB_I64(t->hall_id), DB_STR(t->in->code)),
		      &cur);
	if (rc != DB_OK)
		return rc;
	t->previous = cur.nrows ? db_cell(&cur, 0, 0) : NULL;
	rc = db_exec(db, sql_retire, DB_ARGS(DB_I64(t->hall_id), DB_STR(t->in->code)), NULL, NULL);
	if (rc == DB_OK)
		rc = db_exec(db, sql_insert,
			     DB_ARGS(DB_I64(t->hall_id), DB_STR(t->in->code), DB_STR(t->in->version),
				     DB_STR(t->in->title), DB_STR(t->body)), NULL, NULL);
	if (rc == DB_DUP)
		t->duplicate = true;
	if (rc != DB_OK)
		return rc;
	return review_audit(db, r, 0, NULL, "hall_agreement_published",
			    arena_printf(r->arena, "%s: %s → %s \"%s\" (%zu characters; hall %s only)",
					 t->in->code, t->previous ? t->previous : "(none)",
					 t->in->version, t->in->title, strlen(t->body), t->hall));
}

int review_hall_agreement(struct req *r)
{
	struct agreement_in in;
	struct publish t = { .r = r, .hall = r->params[0], .in = &in };
	struct db_rows rows;
	json_t *body, *text;
	int rc;

	if (review_hall_id(r, t.hall, &t.hall_id) < 0 || review_body(r, &body, false, NULL) < 0 ||
	    REQ_FIELDS(r, body, agreement_fields, &in) < 0)
		return -1;
	text = json_object_get(body, "body");
	if (!json_is_string(text) || !body_ok(r, json_string_value(text), json_string_length(text)))
		return resp_error(r, text ? ERR_INVALID_FIELD : ERR_MISSING_FIELD, "body",
				  "协议正文（body）必填，最多 20000 个字，可以分段（换行），不能含有其他控制字符或文字方向控制符。");
	t.body = json_string_value(text);
	rc = db_query(&r->app->db, r->arena, sql_known, DB_ARGS(DB_STR(in.code)), &rows);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (str_is(db_cell(&rows, 0, 0), "0"))
		return resp_error(r, ERR_INVALID_FIELD, "code",
				  "没有该协议：只能发布已有协议（如 service、privacy）的新版本。");
	rc = db_tx(&r->app->db, publish_tx, &t);
	if (t.duplicate)
		return resp_error(r, ERR_CONFLICT, "version", "该营业厅的这份协议已有这个版本号，请使用新的版本号。");
	if (rc != DB_OK)
		return app_db_error(r, rc);
	rc = db_query(&r->app->db, r->arena, sql_published,
		      DB_ARGS(DB_I64(t.hall_id), DB_STR(in.code), DB_STR(in.version)), &rows);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	resp_json(r, 201, json_pack("{s:{s:s, s:s, s:s, s:s, s:s?, s:b}, s:s?}", "agreement", "channel",
				    t.hall, "code", in.code, "version", in.version, "title", in.title,
				    "published_at", db_cell(&rows, 0, 0), "current", 1, "previous",
				    t.previous));
	return 0;
}
