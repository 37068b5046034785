/* review: a hall's fee for one business and certificate kind (schema/0014_hall.sql fees), for
 * its admins: PUT /api/review/admin/halls/:code/fees/:business/:kind creates or replaces the
 * row, DELETE removes it (the business is then not offered for that kind). Amounts are yuan
 * as text, "260.00" (as the reviewer's stated fee, decide.c): no float on the way in. Each
 * change is on the audit trail, old -> new, in its transaction. */
#include <stdlib.h>
#include <string.h>

#include "base/strlist.h"
#include "base/valid.h"
#include "domain/order.h"
#include "review.h"

enum { O_BASIS, O_MAX_YEARS, O_ONCE_CODE, O_ONCE_LABEL, O_ONCE_FEN, O_YEAR_CODE, O_YEAR_LABEL,
       O_YEAR_FEN, O_YEAR_FROM, O_WARRANTY, O_SEAL, O_SOURCE };

static const char sql_lock[] =
	"SELECT basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, "
	"year_from, warranty_free, seal_fen, source FROM fees "
	"WHERE channel_id = ? AND business = ? AND kind = ? FOR UPDATE";
static const char sql_put[] =
	"INSERT INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, "
	"once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, "
	"updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NOW(3), ?) "
	"ON DUPLICATE KEY UPDATE basis = VALUES(basis), max_years = VALUES(max_years), "
	"once_code = VALUES(once_code), once_label = VALUES(once_label), once_fen = VALUES(once_fen), "
	"year_code = VALUES(year_code), year_label = VALUES(year_label), year_fen = VALUES(year_fen), "
	"year_from = VALUES(year_from), warranty_free = VALUES(warranty_free), "
	"seal_fen = VALUES(seal_fen), source = VALUES(source), updated_at = VALUES(updated_at), "
	"updated_by = VALUES(updated_by)";
static const char sql_delete[] =
	"DELETE FROM fees WHERE channel_id = ? AND business = ? AND kind = ?";

/* One item of the price: what it is called and what it costs. */
struct item {
	bool set;
	const char *code, *label;
	long long fen;
	int from;       /* the year item: 1 every year, 2 each year after the first */
};

struct fee {
	const char *basis, *source;
	int max_years;
	struct item once, year;
	long long seal_fen;
	bool warranty_free;
};

static bool is_basis(const char *s)
{
	return str_is(s, "priced") || str_is(s, "free") || str_is(s, "quoted");
}

static bool is_item_code(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= 32 && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

static bool is_money(const char *s)
{
	int64_t fen;

	return valid_money(s, &fen);
}

static long long fen_of(const char *s)
{
	int64_t fen = 0;

	return s && valid_money(s, &fen) ? (long long)fen : 0;
}

struct fee_in {
	const char *basis, *source, *seal;
};

static const struct req_field fee_fields[] = {
	{ "basis", true, 8, is_basis,
	  "计费方式（basis）应为 priced（按标准收费）、free（免费）或 quoted（预审时报价）。",
	  offsetof(struct fee_in, basis) },
	{ "source", true, 600, review_hall_plain,
	  "费用依据（source）必填：写明价格出自办理指南的哪句话，或借用了哪个营业厅的价格；最多 600 个字，不能含有控制字符或文字方向控制符。",
	  offsetof(struct fee_in, source) },
	{ "seal", false, 14, is_money,
	  "电子印章费（seal）应为以元为单位的金额文字，如 \"100.00\"，不能为负数，最多两位小数。",
	  offsetof(struct fee_in, seal) },
};

struct item_in {
	const char *code, *label, *amount;
};

#define ITEM_FIELDS(zh, name) \
	{ "code", true, 32, is_item_code, \
	  zh "（" name "）的项目代码（code）应为 1 至 32 位小写字母、数字或下划线。", \
	  offsetof(struct item_in, code) }, \
	{ "label", true, 60, review_hall_plain, \
	  zh "（" name "）的名称（label）必填，最多 60 个字，不能含有控制字符或文字方向控制符。", \
	  offsetof(struct item_in, label) }, \
	{ "amount", true, 14, is_money, \
	  zh "（" name "）的金额（amount）应为以元为单位的金额文字，如 \"260.00\"，不能为负数，" \
	  "最多两位小数，不超过 10000000 元。", offsetof(struct item_in, amount) }

static const struct req_field once_fields[] = { ITEM_FIELDS("一次性费用", "once") };
static const struct req_field year_fields[] = { ITEM_FIELDS("年费", "year") };

/* body[name]: absent or null (no such item), or {code, label, amount[, from]}. The field named
 * in an error is "<name>.<member>". Returns 0 or -1 (answered). */
static int item(struct req *r, json_t *body, const char *name, struct item *it)
{
	json_t *o = json_object_get(body, name), *from;
	struct item_in in;

	*it = (struct item){ .from = 1 };
	if (!o || json_is_null(o))
		return 0;
	if (!json_is_object(o))
		return resp_error(r, ERR_INVALID_FIELD, name,
				  arena_printf(r->arena, "收费项目（%s）应为 {code, label, amount} 对象或 null。", name));
	if (str_is(name, "once") ? REQ_FIELDS(r, o, once_fields, &in) < 0
				 : REQ_FIELDS(r, o, year_fields, &in) < 0)
		return -1;
	from = json_object_get(o, "from");
	if (from && !(str_is(name, "year") && json_is_integer(from) &&
		      (json_integer_value(from) == 1 || json_integer_value(from) == 2)))
		return resp_error(r, ERR_INVALID_FIELD, name,
				  "年费起算（year.from）应为 1（每年收取）或 2（第二年起每年收取）。");
	*it = (struct item){ .set = true, .code = in.code, .label = in.label, .fen = fen_of(in.amount),
			     .from = from ? (int)json_integer_value(from) : 1 };
	return 0;
}

static const char *yuan(struct req *r, long long fen)
{
	char out[24];

	valid_money_format(fen, out, sizeof(out));
	return arena_strdup(r->arena, out);
}

static const char *item_text(struct req *r, const struct item *it)
{
	if (!it->set)
		return "-";
	return arena_printf(r->arena, "%s \"%s\" %s%s", it->code, it->label, yuan(r, it->fen),
			    it->from == 2 ? " from year 2" : "");
}

/* The row as one line of the audit trail (the source said apart). */
static const char *fee_text(struct req *r, const struct fee *f)
{
	return arena_printf(r->arena, "%s %dy; once %s; year %s; seal %s; warranty_free %d", f->basis,
			    f->max_years, item_text(r, &f->once), item_text(r, &f->year),
			    yuan(r, f->seal_fen), f->warranty_free);
}

static struct fee fee_of_row(const struct db_rows *o)
{
	struct fee f = {
		.basis = db_cell(o, 0, O_BASIS),
		.source = db_cell(o, 0, O_SOURCE),
		.max_years = (int)strtol(db_cell(o, 0, O_MAX_YEARS), NULL, 10),
		.seal_fen = strtoll(db_cell(o, 0, O_SEAL), NULL, 10),
		.warranty_free = str_is(db_cell(o, 0, O_WARRANTY), "1"),
	};

	if (db_cell(o, 0, O_ONCE_CODE) && db_cell(o, 0, O_ONCE_FEN))
		f.once = (struct item){ true, db_cell(o, 0, O_ONCE_CODE),
					db_cell(o, 0, O_ONCE_LABEL) ? db_cell(o, 0, O_ONCE_LABEL) : "",
					strtoll(db_cell(o, 0, O_ONCE_FEN), NULL, 10), 1 };
	if (db_cell(o, 0, O_YEAR_CODE) && db_cell(o, 0, O_YEAR_FEN))
		f.year = (struct item){ true, db_cell(o, 0, O_YEAR_CODE),
					db_cell(o, 0, O_YEAR_LABEL) ? db_cell(o, 0, O_YEAR_LABEL) : "",
					strtoll(db_cell(o, 0, O_YEAR_FEN), NULL, 10),
					(int)strtol(db_cell(o, 0, O_YEAR_FROM), NULL, 10) };
	return f;
}

struct fee_tx {
	struct req *r;
	long long channel_id;
	const char *code, *business, *kind;
	const struct fee *fee;      /* NULL: remove the row */
	bool missing;               /* remove: there was no row */
	bool unchanged;             /* put: the row was already so (nothing written) */
	const char *was;            /* the old row in words, or NULL */
};

static int fee_tx(struct db *db, void *p)
{
	struct fee_tx *t = p;
	struct req *r = t->r;
	const struct fee *f = t->fee;
	struct db_rows old;
	struct fee before = { 0 };
	const char *what;
	int rc;

	t->missing = false;
	t->unchanged = false;
	t->was = NULL;
	rc = db_query(db, r->arena, sql_lock,
		      DB_ARGS(DB_I64(t->channel_id), DB_STR(t->business), DB_STR(t->kind)), &old);
	if (rc != DB_OK)
		return rc;
	if (old.nrows == 1) {
		before = fee_of_row(&old);
		t->was = fee_text(r, &before);
	}
	what = arena_printf(r->arena, "%s %s/%s", t->code, t->business, t->kind);
	if (!f) {
		if (!t->was) {
			t->missing = true;
			return DB_ERR;
		}
		rc = db_exec(db, sql_delete,
			     DB_ARGS(DB_I64(t->channel_id), DB_STR(t->business), DB_STR(t->kind)), NULL, NULL);
		if (rc != DB_OK)
			return rc;
		return review_audit(db, r, 0, NULL, "hall_fee_removed",
				    arena_printf(r->arena, "%s: %s → (not offered)", what, t->was));
	}
	t->unchanged = t->was && str_is(t->was, fee_text(r, f)) && str_is(before.source, f->source);
	if (t->unchanged)
		return DB_OK;
	rc = db_exec(db, sql_put,
		     DB_ARGS(DB_I64(t->channel_id), DB_STR(t->business), DB_STR(t->kind), DB_STR(f->basis),
			     DB_I64(f->max_years), f->once.set ? DB_STR(f->once.code) : DB_NULL,
			     f->once.set ? DB_STR(f->once.label) : DB_NULL,
			     f->once.set ? DB_I64(f->once.fen) : DB_NULL,
			     f->year.set ? DB_STR(f->year.code) : DB_NULL,
			     f->year.set ? DB_STR(f->year.label) : DB_NULL,
			     f->year.set ? DB_I64(f->year.fen) : DB_NULL, DB_I64(f->year.from),
			     DB_I64(f->warranty_free), DB_I64(f->seal_fen), DB_STR(f->source),
			     DB_I64(r->auth.id)),
		     NULL, NULL);
	if (rc != DB_OK)
		return rc;
	rc = review_audit(db, r, 0, NULL, "hall_fee_set",
			  review_hall_cut(r, arena_printf(r->arena, "%s: %s → %s", what,
							  t->was ? t->was : "(not offered)",
							  fee_text(r, f)), 490));
	if (rc == DB_OK && (!t->was || !str_is(before.source, f->source)))
		rc = review_audit(db, r, 0, NULL, "hall_fee_source",
				  arena_printf(r->arena, "%s: \"%s\" → \"%s\"", what,
					       review_hall_cut(r, t->was ? before.source : "", 200),
					       review_hall_cut(r, f->source, 200)));
	return rc;
}

/* The channel, business and kind of the path. Returns 0 or -1 (answered). */
static int fee_path(struct req *r, struct fee_tx *t)
{
	t->r = r;
	t->code = r->params[0];
	t->business = r->params[1];
	t->kind = r->params[2];
	if (review_hall_id(r, t->code, &t->channel_id) < 0)
		return -1;
	if (!order_business_name(t->business))
		return resp_error(r, ERR_INVALID_FIELD, "business",
				  "业务类型应为 new、add、renew、lost、damaged、change、unlock 或 revoke。");
	if (!order_kind_name(t->kind))
		return resp_error(r, ERR_INVALID_FIELD, "kind", "证书类型应为 org、legal_rep 或 person。");
	return 0;
}

/* The body as a fee row, checked against its basis. Returns 0 or -1 (answered). */
static int fee_body(struct req *r, struct fee *f)
{
	struct fee_in in;
	json_t *body, *v;

	if (review_body(r, &body, false, NULL) < 0 || REQ_FIELDS(r, body, fee_fields, &in) < 0)
		return -1;
	v = json_object_get(body, "max_years");
	if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 5)
		return resp_error(r, v ? ERR_INVALID_FIELD : ERR_MISSING_FIELD, "max_years",
				  "最长办理年限（max_years）应为 1 至 5 之间的整数。");
	*f = (struct fee){ .basis = in.basis, .source = in.source, .max_years = (int)json_integer_value(v),
			   .seal_fen = fen_of(in.seal) };
	v = json_object_get(body, "warranty_free");
	if (v && !json_is_boolean(v))
		return resp_error(r, ERR_INVALID_FIELD, "warranty_free",
				  "质保期内质量问题免费更换（warranty_free）应为 true 或 false。");
	f->warranty_free = json_is_true(v);
	if (item(r, body, "once", &f->once) < 0 || item(r, body, "year", &f->year) < 0)
		return -1;
	if (str_is(f->basis, "priced") && !f->once.set && !f->year.set)
		return resp_error(r, ERR_MISSING_FIELD, "once",
				  "按标准收费（priced）至少需要一个收费项目：一次性费用（once）或年费（year）。");
	if (str_is(f->basis, "free") && (f->once.fen || f->year.fen || f->seal_fen))
		return resp_error(r, ERR_INVALID_FIELD, f->once.fen ? "once" : f->year.fen ? "year" : "seal",
				  "免费（free）办理的业务，各收费项目金额应为 0.00。");
	return 0;
}

int review_hall_fee_put(struct req *r)
{
	struct fee_tx t = { 0 };
	struct fee f;
	int rc;

	if (fee_path(r, &t) < 0 || fee_body(r, &f) < 0)
		return -1;
	/* Only a hall whose pre-review comes before payment (004) has anyone to state a quoted
	 * price: elsewhere the applicant would sign for an unknown fee, which signing refuses. */
	if (str_is(f.basis, "quoted")) {
		static const char sql_flow[] = "SELECT flow FROM channels WHERE id = ?";
		struct db_rows fl;

		rc = db_query(&r->app->db, r->arena, sql_flow, DB_ARGS(DB_I64(t.channel_id)), &fl);
		if (rc != DB_OK)
			return app_db_error(r, rc);
		if (fl.nrows != 1 || !str_is(db_cell(&fl, 0, 0), "two_stage"))
			return resp_error(r, ERR_INVALID_FIELD, "basis",
					  "只有“预审通过后付款”的营业厅可以由预审人员报价（quoted）；"
					  "其他营业厅请填写收费标准（priced）或免费（free）。");
	}
	t.fee = &f;
	rc = db_tx(&r->app->db, fee_tx, &t);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	resp_json(r, t.was ? 200 : 201,
		  json_pack("{s:s, s:s, s:s, s:s, s:b, s:b}", "channel", t.code, "business", t.business,
			    "kind", t.kind, "basis", f.basis, "created", !t.was, "changed", !t.unchanged));
	return 0;
}

int review_hall_fee_delete(struct req *r)
{
	struct fee_tx t = { 0 };
	int rc;

	if (fee_path(r, &t) < 0)
		return -1;
	rc = db_tx(&r->app->db, fee_tx, &t);
	if (t.missing)
		return resp_error(r, ERR_NOT_FOUND, NULL, "该渠道没有这项业务和证书类型的费用设置。");
	if (rc != DB_OK)
		return app_db_error(r, rc);
	resp_json(r, 200, json_pack("{s:s, s:s, s:s, s:b}", "channel", t.code, "business", t.business,
				    "kind", t.kind, "removed", true));
	return 0;
}
