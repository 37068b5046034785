/* review: GET /api/review/queue: the orders waiting for the viewer's role, oldest first, each
 * with the working days it has waited against its channel's promise.
 *
 * Speed (the issue: a filtered page of 50 out of 1,000,000 orders in <= 20 ms at p95, by an
 * index, no filesort). orders.queue (schema/0008_review.sql) names the queue an order waits in;
 * every filter shape reads one index whose leading columns are equalities and whose next
 * column is submitted_at (then the primary key), so rows come off it oldest first and the
 * scan stops after one page. The index is forced per shape (FORCE INDEX, STRAIGHT_JOIN keeps
 * orders the first table): a plan that sorts must never be picked on a bad guess. A subject
 * prefix is a range of names, whose rows are in name order: its matches are read off the
 * covering (queue, subject_name, submitted_at) index and, when few (SUBJECT_FEW), put in order
 * here; when many, they are dense, and the queue index is scanned in order with the prefix
 * as a filter. The SQL text is assembled from the fixed fragments below only; every value
 * is a bound parameter.
 *
 * The returned list (queue=returned, issue 17): the orders a reviewer sent back, waiting for
 * their applicant. They wait in no staff queue (orders.queue is NULL), so this list reads
 * them by their state (order_state_str(ORDER_RETURNED)) off ix_orders_returned (state,
 * submitted_at, channel_id, business_type, cert_kind; schema/0043_returned_list.sql): one
 * range, oldest first, its filters checked on the index entries. Its order is the index's
 * (submitted_at, then those columns, then the primary key); a subject prefix is a filter of
 * that scan. Each item carries the reason it was returned for (add_returned).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web/auth.h"
#include "domain/order.h"
#include "domain/orderno.h"
#include "review.h"
#include "domain/rules.h"
#include "base/valid.h"
#include "domain/workdays.h"

#define PER_PAGE_MAX 50
#define PER_PAGE_DEFAULT 20
#define PAGE_MAX 2000
#define SUBJECT_MAX 50
#define SUBJECT_FEW 2000
#define SQL_MAX 3072
#define IDS_CHUNK 25     /* ids per WHERE id IN (...): within the 32 parameters of a statement */

#define RETURNED "returned"

/* The lists and who reads each (an admin reads every one, as auth_has_role says): a staff
 * member's own list is the first that names their role. */
static const struct {
	const char *name;
	unsigned roles;
} queues[] = {
	{ "review", ROLE_REVIEWER },
	{ "finance", ROLE_FINANCE },
	{ "ship", ROLE_SHIPPING },
	{ RETURNED, ROLE_REVIEWER },
};


static const char cols[] =
	"SELECT STRAIGHT_JOIN o.id, o.order_no, o.state, o.business_type, o.cert_kind, o.subject_name, "
	"ch.code, ch.name, ch.review_days_min, ch.review_days_max, " DB_ISO("o.submitted_at") ", "
	"DATE_FORMAT(o.submitted_at, '%Y-%m-%d'), DATE_FORMAT(CURDATE(), '%Y-%m-%d'), o.version, "
	"cs.display_name, " DB_ISO("rc.claimed_at") ", rc.staff_id, COALESCE(o.amount_fen, -1), "
	"COALESCE(o.pay_method, ''), fa.display_name, " DB_ISO("o.first_approved_at") " ";
/* Each joined table by its primary key, forced: a scan of a small table through a join buffer
 * (what the optimizer likes for 5 channels) would lose the index order and sort. */
static const char joins[] =
	" JOIN channels ch FORCE INDEX (PRIMARY) ON ch.id = o.channel_id "
	"LEFT JOIN review_claims rc FORCE INDEX (PRIMARY) ON rc.order_id = o.id "
	"AND rc.claimed_at >= NOW(3) - " REVIEW_CLAIM_SPAN " "
	"LEFT JOIN staff cs FORCE INDEX (PRIMARY) ON cs.id = rc.staff_id "
	"LEFT JOIN staff fa FORCE INDEX (PRIMARY) ON fa.id = o.first_approver_id ";

enum { Q_ID, Q_NO, Q_STATE, Q_BUSINESS, Q_KIND, Q_SUBJECT, Q_CH_CODE, Q_CH_NAME, Q_MIN, Q_MAX,
       Q_SUBMITTED, Q_SUBMITTED_DAY, Q_TODAY, Q_VERSION, Q_CLAIM_NAME, Q_CLAIM_AT, Q_CLAIM_STAFF,
       Q_AMOUNT, Q_PAY, Q_FIRST_NAME, Q_FIRST_AT };

/* What waits where beyond orders.queue (schema/0008_review.sql). A scalar subquery, looked up
 * by index for the rows the scan meets: an EXISTS would be turned into IN and materialised,
 * i.e. every paper waybill ever entered read for each page. */
static const char extra_review[] =
	" AND (o.state NOT IN (?, ?) OR (SELECT 1 FROM waybills w FORCE INDEX (ix_waybills_order) "
	"WHERE w.order_id = o.id AND w.direction = 'in' LIMIT 1) IS NOT NULL)";
static const char extra_finance[] =
	" AND (o.state <> ? OR (SELECT 1 FROM payments p FORCE INDEX (ix_payments_order) "
	"WHERE p.order_id = o.id AND p.state = 'awaiting_finance' LIMIT 1) IS NOT NULL)";

struct filter {
	const char *queue, *state, *business, *kind, *order_no, *subject;
	const char *from, *to;       /* YYYY-MM-DD */
	long long channel_id;        /* 0: any */
	long page, per_page;
	bool explain;
	bool returned;               /* the returned list: by state, not orders.queue */
};

struct query {
	char sql[SQL_MAX];
	size_t len;
	struct db_param p[32]; /* shared/db/db.c binds at most 32 */
	size_t np;
	bool overflow;
};

static void add(struct query *q, const char *frag)
{
	size_t n = strlen(frag);

	if (q->len + n >= sizeof(q->sql)) {
		q->overflow = true;
		return;
	}
	memcpy(q->sql + q->len, frag, n + 1);
	q->len += n;
}

static void bind(struct query *q, struct db_param v)
{
	if (q->np >= sizeof(q->p) / sizeof(q->p[0])) {
		q->overflow = true;
		return;
	}
	q->p[q->np++] = v;
}

/* The WHERE clause every shape shares; subject as a filter when with_subject. */
static void where(struct query *q, const struct filter *f, const char *subject_like,
		  bool with_subject)
{
	if (f->returned) {
		add(q, " WHERE o.state = ?");
		bind(q, DB_STR(order_state_str(ORDER_RETURNED)));
	} else {
		add(q, " WHERE o.queue = ?");
		bind(q, DB_STR(f->queue));
	}
	if (f->state) {
		add(q, " AND o.state = ?");
		bind(q, DB_STR(f->state));
	}
	if (f->channel_id) {
		add(q, " AND o.channel_id = ?");
		bind(q, DB_I64(f->channel_id));
	}
	if (f->business) {
		add(q, " AND o.business_type = ?");
		bind(q, DB_STR(f->business));
	}
	if (f->kind) {
		add(q, " AND o.cert_kind = ?");
		bind(q, DB_STR(f->kind));
	}
	if (f->from) {
		add(q, " AND o.submitted_at >= ?");
		bind(q, DB_STR(f->from));
	}
	if (f->to) {
		add(q, " AND o.submitted_at < ? + INTERVAL 1 DAY");
		bind(q, DB_STR(f->to));
	}
	if (f->order_no) {
		add(q, " AND o.order_no = ?");
		bind(q, DB_STR(f->order_no));
	}
	if (with_subject && subject_like) {
		add(q, " AND o.subject_name LIKE ?");
		bind(q, DB_STR(subject_like));
	}
	if (strcmp(f->queue, "review") == 0) {
		add(q, extra_review);
		bind(q, DB_STR(order_state_str(ORDER_AWAITING_PAPER)));
		bind(q, DB_STR(order_state_str(ORDER_AWAITING_KEY)));
	} else if (strcmp(f->queue, "finance") == 0) {
		add(q, extra_finance);
		bind(q, DB_STR(order_state_str(ORDER_PENDING_PAYMENT)));
	}
}

/* The index that yields this shape's rows in submitted order. */
static const char *index_for(const struct filter *f)
{
	if (f->returned)
		return "ix_orders_returned";
	if (f->state)
		return "ix_orders_queue";
	if (f->channel_id)
		return "ix_orders_queue_channel";
	if (f->business)
		return "ix_orders_queue_business";
	if (f->kind)
		return "ix_orders_queue_kind";
	return "ix_orders_queue_role";
}

/* The page, read in index order. */
static void ordered_query(struct query *q, const struct filter *f, const char *subject_like)
{
	add(q, cols);
	if (f->order_no) {
		add(q, "FROM orders o");  /* one row by the unique number: nothing to order */
	} else {
		add(q, "FROM orders o FORCE INDEX (");
		add(q, index_for(f));
		add(q, ")");
	}
	add(q, joins);
	where(q, f, subject_like, true);
	/* The returned list in its index's order: ties of submitted_at never sorted. */
	add(q, f->returned ? " ORDER BY o.submitted_at, o.channel_id, o.business_type, o.cert_kind, o.id"
			   : " ORDER BY o.submitted_at, o.id");
	add(q, " LIMIT ? OFFSET ?");
	bind(q, DB_I64(f->per_page + 1)); /* one more tells whether a next page exists */
	bind(q, DB_I64((f->page - 1) * f->per_page));
}

/* A subject prefix: its matches off the covering subject index, at most SUBJECT_FEW + 1. */
static void subject_query(struct query *q, const struct filter *f, const char *subject_like)
{
	char lim[32];

	add(q, "SELECT o.id, COALESCE(o.submitted_at, '') FROM orders o "
	       "FORCE INDEX (ix_orders_queue_subject)");
	where(q, f, subject_like, true);
	snprintf(lim, sizeof(lim), " LIMIT %d", SUBJECT_FEW + 1);
	add(q, lim);
}

/* The rows of a page of ids (already in order). */
static void ids_query(struct query *q, const long long *ids, size_t n)
{
	add(q, cols);
	add(q, "FROM orders o");
	add(q, joins);
	add(q, " WHERE o.id IN (");
	for (size_t i = 0; i < n; i++) {
		add(q, i ? ",?" : "?");
		bind(q, DB_I64(ids[i]));
	}
	add(q, ")");
}

struct match {
	long long id;
	const char *at;
};

static int by_time(const void *a, const void *b)
{
	const struct match *x = a, *y = b;
	int c = strcmp(x->at, y->at);

	return c ? c : (x->id > y->id) - (x->id < y->id);
}

/* "prefix%" with LIKE's own characters escaped (\ is MariaDB's default escape). */
static const char *like_prefix(struct req *r, const char *s)
{
	size_t n = strlen(s);
	char *out = arena_alloc(r->arena, 2 * n + 2), *p = out;

	if (!out)
		return NULL;
	for (; *s; s++) {
		if (*s == '%' || *s == '_' || *s == '\\')
			*p++ = '\\';
		*p++ = *s;
	}
	*p++ = '%';
	*p = '\0';
	return out;
}

/* ---- working days */

static int calendar(struct req *r, struct workdays_cal *cal)
{
	return workdays_load(&r->app->db, r->arena, cal);
}

static long waited(const struct workdays_cal *cal, const char *from, const char *today)
{
	int32_t a, b;

	if (!from || !today || !workdays_parse(from, &a) || !workdays_parse(today, &b))
		return -1;
	return workdays_count(a, b, cal);
}

int review_waited_days(struct req *r, const char *from_day, const char *today)
{
	struct workdays_cal cal;

	if (calendar(r, &cal) != DB_OK)
		return -1;
	return (int)waited(&cal, from_day, today);
}

/* ---- arguments */

static bool is_code(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= 32 && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

static long arg_long(const struct kvlist *args, const char *name, long def, long lo, long hi)
{
	const char *v = kv_get(args, name);
	size_t n = v ? strspn(v, "0123456789") : 0;
	long x;

	if (!v)
		return def;
	if (n == 0 || n > 6 || v[n])
		return -1;
	x = strtol(v, NULL, 10);
	return x < lo || x > hi ? -1 : x;
}

/* The staff member's own list (NULL for an admin, who is shown the review queue unasked). */
static const char *role_queue(const struct req *r)
{
	for (size_t i = 0; i < sizeof(queues) / sizeof(queues[0]); i++)
		if (r->auth.roles & queues[i].roles)
			return queues[i].name;
	return NULL;
}

/* The index of a list's name in queues[], or -1. */
static int queue_index(const char *name)
{
	for (size_t i = 0; i < sizeof(queues) / sizeof(queues[0]); i++)
		if (strcmp(name, queues[i].name) == 0)
			return (int)i;
	return -1;
}

/* The queue's parameters. Any other is refused, not ignored: a filter with a mistyped name
 * (date_from=...) would show a reviewer the whole queue as if it were the filtered one. */
static const char *const queue_args[] = { "queue", "state", "business", "kind", "from", "to",
					  "order_no", "subject", "explain", "channel", "page",
					  "per_page" };

static int unknown_arg(struct req *r, const struct kvlist *args)
{
	for (size_t i = 0; i < args->n; i++) {
		const char *name = args->items[i].name;
		size_t k = 0;

		while (k < sizeof(queue_args) / sizeof(queue_args[0]) && strcmp(name, queue_args[k]) != 0)
			k++;
		if (k == sizeof(queue_args) / sizeof(queue_args[0]))
			return resp_error(r, ERR_BAD_QUERY, strlen(name) <= 32 ? name : "query",
					  "不支持的查询参数：日期范围请用 from 和 to（YYYY-MM-DD）。");
	}
	return 0;
}

static int parse(struct req *r, const struct kvlist *args, struct filter *f)
{
	const char *v, *mine = role_queue(r);
	struct rules_date d;
	int k;

	memset(f, 0, sizeof(*f));
	if (unknown_arg(r, args) < 0)
		return -1;
	v = kv_get(args, "queue");
	k = v ? queue_index(v) : -1;
	if (v && k < 0)
		return resp_error(r, ERR_INVALID_FIELD, "queue",
				  "队列（queue）应为 review（审核）、finance（财务）、ship（制证发货）"
				  "或 returned（已退回，待申请人补正）。");
	/* Each role reads the lists queues[] gives it (its own unless asked); an admin reads any
	 * (the review queue unless asked). */
	if (v && !auth_has_role(r, queues[k].roles))
		return resp_error(r, ERR_FORBIDDEN, "queue", "您的岗位不能查看该队列。");
	f->queue = v ? queues[k].name : (r->auth.roles & ROLE_ADMIN) ? "review" : mine;
	if (!f->queue)
		return resp_error(r, ERR_FORBIDDEN, NULL, NULL);
	f->returned = strcmp(f->queue, RETURNED) == 0;
	f->state = kv_get(args, "state");
	if (f->state && !order_state_name(f->state))
		return resp_error(r, ERR_INVALID_FIELD, "state", "订单状态（state）不正确。");
	/* The returned list holds one state: another is a mistake, not an empty page. */
	if (f->returned && f->state && strcmp(f->state, order_state_str(ORDER_RETURNED)) != 0)
		return resp_error(r, ERR_INVALID_FIELD, "state",
				  "已退回列表只含已退回、待申请人补正的订单：请不选订单状态。");
	if (f->returned)
		f->state = NULL; /* the list's own state: the same shape */
	f->business = kv_get(args, "business");
	if (f->business && !order_business_name(f->business))
		return resp_error(r, ERR_INVALID_FIELD, "business", "业务类型（business）不正确。");
	f->kind = kv_get(args, "kind");
	if (f->kind && !order_kind_name(f->kind))
		return resp_error(r, ERR_INVALID_FIELD, "kind", "证书类型（kind）不正确。");
	f->from = kv_get(args, "from");
	if (f->from && (strlen(f->from) != 10 || !rules_date_parse(f->from, &d)))
		return resp_error(r, ERR_INVALID_FIELD, "from", "起始日期（from）应为 YYYY-MM-DD 格式的日期。");
	f->to = kv_get(args, "to");
	if (f->to && (strlen(f->to) != 10 || !rules_date_parse(f->to, &d)))
		return resp_error(r, ERR_INVALID_FIELD, "to", "截止日期（to）应为 YYYY-MM-DD 格式的日期。");
	f->order_no = kv_get(args, "order_no");
	if (f->order_no && !orderno_valid(f->order_no))
		return resp_error(r, ERR_INVALID_FIELD, "order_no", "订单号应为 18 位数字，请核对后重新输入。");
	f->subject = kv_get(args, "subject");
	if (f->subject && (!f->subject[0] || !valid_text(f->subject, strlen(f->subject), SUBJECT_MAX)))
		return resp_error(r, ERR_INVALID_FIELD, "subject",
				  "申请单位或申请人名称（subject）应为 1 至 50 个字，且不能含有控制字符。");
	f->page = arg_long(args, "page", 1, 1, PAGE_MAX);
	if (f->page < 0)
		return resp_error(r, ERR_INVALID_FIELD, "page", "页码（page）应为 1 至 2000 之间的整数。");
	f->per_page = arg_long(args, "per_page", PER_PAGE_DEFAULT, 1, PER_PAGE_MAX);
	if (f->per_page < 0)
		return resp_error(r, ERR_INVALID_FIELD, "per_page", "每页条数（per_page）应为 1 至 50 之间的整数。");
	v = kv_get(args, "explain");
	f->explain = v && strcmp(v, "1") == 0;
	if (f->explain && !(r->auth.roles & ROLE_ADMIN))
		return resp_error(r, ERR_FORBIDDEN, "explain", "只有管理员可以查看查询计划。");
	return 0;
}

static int channel_of(struct req *r, const struct kvlist *args, struct filter *f)
{
	const char *code = kv_get(args, "channel");
	struct db_rows rows;
	int rc;

	if (!code)
		return 0;
	if (!is_code(code))
		return resp_error(r, ERR_INVALID_FIELD, "channel", "渠道（channel）不正确。");
	rc = db_query(&r->app->db, r->arena, "SELECT id FROM channels WHERE code = ?",
		      DB_ARGS(DB_STR(code)), &rows);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (rows.nrows != 1)
		return resp_error(r, ERR_INVALID_FIELD, "channel", "渠道（channel）不存在。");
	f->channel_id = strtoll(db_cell(&rows, 0, 0), NULL, 10);
	return 0;
}

/* ---- the answer */

static json_t *row_json(struct req *r, const struct db_rows *q, size_t i,
			const struct workdays_cal *cal)
{
	long w = waited(cal, db_cell(q, i, Q_SUBMITTED_DAY), db_cell(q, i, Q_TODAY));
	int max = (int)strtol(db_cell(q, i, Q_MAX), NULL, 10);
	const char *claim = db_cell(q, i, Q_CLAIM_NAME);
	json_t *o = json_pack("{s:s, s:s, s:s?, s:s, s:s?, s:s, s:s?, s:s, s:s, s:s, s:s?, s:I, s:s}",
		"order_no", db_cell(q, i, Q_NO), "state", db_cell(q, i, Q_STATE),
		"state_name", order_state_name(db_cell(q, i, Q_STATE)),
		"business", db_cell(q, i, Q_BUSINESS),
		"business_name", order_business_name(db_cell(q, i, Q_BUSINESS)),
		"kind", db_cell(q, i, Q_KIND), "kind_name", order_kind_name(db_cell(q, i, Q_KIND)),
		"subject_name", db_cell(q, i, Q_SUBJECT), "channel", db_cell(q, i, Q_CH_CODE),
		"channel_name", db_cell(q, i, Q_CH_NAME), "submitted_at", db_cell(q, i, Q_SUBMITTED),
		"version", (json_int_t)strtoll(db_cell(q, i, Q_VERSION), NULL, 10),
		"pay_method", db_cell(q, i, Q_PAY));

	if (!o)
		return NULL;
	json_object_set_new(o, "waited_days", w >= 0 ? json_integer(w) : json_null());
	json_object_set_new(o, "promise_days",
			    json_string(review_days_text(r, (int)strtol(db_cell(q, i, Q_MIN), NULL, 10), max)));
	json_object_set_new(o, "overdue", json_boolean(w > max));
	json_object_set_new(o, "claimed_by",
			    claim ? json_pack("{s:s, s:s?, s:b}", "name", claim, "claimed_at",
					      db_cell(q, i, Q_CLAIM_AT), "me",
					      strtoll(db_cell(q, i, Q_CLAIM_STAFF), NULL, 10) == r->auth.id)
				  : json_null());
	/* Four-eyes: who approved first; the order waits for another reviewer's approval. */
	json_object_set_new(o, "first_approved_by",
			    db_cell(q, i, Q_FIRST_NAME)
				    ? json_pack("{s:s, s:s?}", "name", db_cell(q, i, Q_FIRST_NAME), "at",
						db_cell(q, i, Q_FIRST_AT))
				    : json_null());
	return o;
}

/* ---- why a listed order was last returned */

/* A resubmitted order the reviewer sees again, with the reason it was returned for: the note
 * of its latest "returned" event (review_move writes the reason's words there). One statement
 * per IDS_CHUNK listed orders, by the events' order index; newest first per order. */
static void returned_query(struct query *q, const long long *ids, size_t n)
{
	add(q, "SELECT e.order_id, e.note, " DB_ISO("e.at") " FROM order_events e "
	       "FORCE INDEX (ix_events_order) WHERE e.kind = 'returned' AND e.order_id IN (");
	for (size_t i = 0; i < n; i++) {
		add(q, i ? ",?" : "?");
		bind(q, DB_I64(ids[i]));
	}
	add(q, ") ORDER BY e.order_id, e.at DESC, e.id DESC");
}

/* Sets each item's "returned" ({reason, at} or null); ids[k] is items[k]'s order id. */
static int add_returned(struct req *r, json_t *items, const long long *ids, size_t n)
{
	for (size_t c = 0; c < n; c += IDS_CHUNK) {
		size_t m = n - c < IDS_CHUNK ? n - c : IDS_CHUNK;
		struct query q = { 0 };
		struct db_rows rows;
		int rc;

		returned_query(&q, ids + c, m);
		if (q.overflow)
			return DB_ERR;
		rc = db_query(&r->app->db, r->arena, q.sql, q.p, q.np, &rows);
		if (rc != DB_OK)
			return rc;
		for (size_t k = c; k < c + m; k++) {
			json_t *why = json_null();

			for (size_t i = 0; i < rows.nrows; i++) {
				if (strtoll(db_cell(&rows, i, 0), NULL, 10) != ids[k])
					continue;
				why = json_pack("{s:s, s:s?}", "reason", db_cell(&rows, i, 1), "at",
						db_cell(&rows, i, 2));
				break;
			}
			json_object_set_new(json_array_get(items, k), "returned", why ? why : json_null());
		}
	}
	return DB_OK;
}

/* EXPLAIN of the query about to run: what the plan test reads (admin only). */
static int explain(struct req *r, const struct query *q, json_t *plans)
{
	static const char *const names[] = { "id", "select_type", "table", "type", "possible_keys",
					     "key", "key_len", "ref", "rows", "extra" };
	struct db_rows rows;
	char *sql = arena_printf(r->arena, "EXPLAIN %s", q->sql);
	int rc;

	if (!sql)
		return DB_ERR;
	rc = db_query(&r->app->db, r->arena, sql, q->p, q->np, &rows);
	if (rc != DB_OK)
		return rc;
	for (size_t i = 0; i < rows.nrows; i++) {
		json_t *o = json_object();

		for (size_t c = 0; o && c < rows.ncols && c < sizeof(names) / sizeof(names[0]); c++)
			json_object_set_new(o, names[c], db_cell(&rows, i, c)
								 ? json_string(db_cell(&rows, i, c))
								 : json_null());
		json_array_append_new(plans, o);
	}
	return DB_OK;
}

/* A subject prefix with few matches: the page's ids in order, or *many when there are more
 * than SUBJECT_FEW. */
static int subject_page(struct req *r, const struct filter *f, const char *like, json_t *plans,
			long long *ids, size_t *nids, bool *many, bool *more)
{
	struct query q = { 0 };
	struct db_rows rows;
	struct match *m;
	size_t first = (size_t)((f->page - 1) * f->per_page);
	int rc;

	*nids = 0;
	*many = *more = false;
	subject_query(&q, f, like);
	if (q.overflow)
		return DB_ERR;
	if (plans && (rc = explain(r, &q, plans)) != DB_OK)
		return rc;
	rc = db_query(&r->app->db, r->arena, q.sql, q.p, q.np, &rows);
	if (rc != DB_OK)
		return rc;
	if (rows.nrows > SUBJECT_FEW) {
		*many = true;
		return DB_OK;
	}
	m = arena_calloc(r->arena, rows.nrows + 1, sizeof(*m));
	if (!m)
		return DB_ERR;
	for (size_t i = 0; i < rows.nrows; i++)
		m[i] = (struct match){ strtoll(db_cell(&rows, i, 0), NULL, 10), db_cell(&rows, i, 1) };
	qsort(m, rows.nrows, sizeof(*m), by_time);
	for (size_t i = first; i < rows.nrows && *nids < (size_t)f->per_page; i++)
		ids[(*nids)++] = m[i].id;
	*more = first + *nids < rows.nrows;
	return DB_OK;
}

/* The admin's queue: a page's overdue orders first, each part oldest first. Within the page:
 * the pages come in index order (oldest first, no sort of the whole queue), so the orders
 * that have waited longest, the overdue among them, are on the first pages. */
static json_t *overdue_first(json_t *items)
{
	json_t *out = json_array(), *it;
	size_t i;

	if (!out || !items)
		return items;
	for (int late = 1; late >= 0; late--)
		json_array_foreach(items, i, it)
			if (json_is_true(json_object_get(it, "overdue")) == (late == 1))
				json_array_append(out, it);
	json_decref(items);
	return out;
}

int review_queue(struct req *r)
{
	struct kvlist args;
	struct filter f;
	struct workdays_cal cal;
	struct query q;
	struct db_rows chunk[(PER_PAGE_MAX + IDS_CHUNK - 1) / IDS_CHUNK] = { 0 };
	long long ids[PER_PAGE_MAX], listed[PER_PAGE_MAX];
	size_t nids = 0, nlisted = 0, shown;
	bool many = true, more = false, few;
	const char *like = NULL;
	json_t *items, *plans = NULL;
	int rc;

	if (req_args(r, &args) < 0 || parse(r, &args, &f) < 0 || channel_of(r, &args, &f) < 0)
		return -1;
	if (f.subject && !(like = like_prefix(r, f.subject)))
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	if (f.explain && !(plans = json_array()))
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	rc = calendar(r, &cal);
	if (rc == DB_OK && like && !f.order_no && !f.returned)
		rc = subject_page(r, &f, like, plans, ids, &nids, &many, &more);
	few = like && !f.order_no && !many;
	/* The page: in index order; or, for a few subject matches, their rows by id in chunks. */
	for (size_t c = 0; rc == DB_OK && c < (few ? (nids + IDS_CHUNK - 1) / IDS_CHUNK : 1); c++) {
		memset(&q, 0, sizeof(q));
		if (few)
			ids_query(&q, ids + c * IDS_CHUNK,
				  nids - c * IDS_CHUNK < IDS_CHUNK ? nids - c * IDS_CHUNK : IDS_CHUNK);
		else
			ordered_query(&q, &f, like);
		if (q.overflow)
			rc = DB_ERR;
		else if (plans)
			rc = explain(r, &q, plans);
		else
			rc = db_query(&r->app->db, r->arena, q.sql, q.p, q.np, &chunk[c]);
	}
	if (rc != DB_OK) {
		json_decref(plans);
		return app_db_error(r, rc);
	}
	if (plans) {
		resp_json(r, 200, json_pack("{s:s, s:o}", "queue", f.queue, "plans", plans));
		return 0;
	}
	items = json_array();
	if (few) {
		/* WHERE id IN (...) comes back in any order: put it in the page's. */
		for (size_t k = 0; items && k < nids; k++) {
			const struct db_rows *rows = &chunk[k / IDS_CHUNK];

			for (size_t i = 0; i < rows->nrows; i++)
				if (strtoll(db_cell(rows, i, Q_ID), NULL, 10) == ids[k]) {
					json_array_append_new(items, row_json(r, rows, i, &cal));
					listed[nlisted++] = ids[k];
				}
		}
	} else {
		shown = chunk[0].nrows > (size_t)f.per_page ? (size_t)f.per_page : chunk[0].nrows;
		more = chunk[0].nrows > (size_t)f.per_page;
		for (size_t i = 0; items && i < shown; i++) {
			json_array_append_new(items, row_json(r, &chunk[0], i, &cal));
			listed[nlisted++] = strtoll(db_cell(&chunk[0], i, Q_ID), NULL, 10);
		}
	}
	rc = items && json_array_size(items) == nlisted ? add_returned(r, items, listed, nlisted) : DB_ERR;
	if (rc != DB_OK) {
		json_decref(items);
		return app_db_error(r, rc);
	}
	if (f.returned) {
		/* Waiting for the applicant: the hall's review promise does not run. */
		json_t *it;
		size_t i;

		json_array_foreach(items, i, it)
			json_object_set_new(it, "overdue", json_false());
	} else if (r->auth.roles & ROLE_ADMIN) {
		items = overdue_first(items);
	}
	resp_json(r, 200, json_pack("{s:s, s:i, s:i, s:b, s:o}", "queue", f.queue, "page", (int)f.page,
				    "per_page", (int)f.per_page, "has_more", more, "items", items));
	return 0;
}
