/* review: the order a request names, the request body of a decision, and moving an order. */
#include <stdlib.h>
#include <string.h>

#include "web/auth.h"
#include "domain/order.h"
#include "domain/orderno.h"
#include "review.h"

static const char sql_order[] =
	"SELECT o.id, COALESCE(o.account_id, 0), o.channel_id, COALESCE(o.target_cert_id, 0), "
	"o.version, COALESCE(o.amount_fen, -1), o.years, o.mail_in, o.order_no, o.state, "
	"o.business_type, o.cert_kind, o.subject_name, COALESCE(o.subject_idx, ''), c.code, c.flow, "
	"COALESCE(o.pay_method, ''), COALESCE(o.pin_delivery, ''), COALESCE(o.renew_mode, ''), "
	"o.editable, COALESCE(o.return_state, ''), COALESCE(DATE_FORMAT(o.renew_not_before, '%Y-%m-%d'), ''), "
	"COALESCE(DATE_FORMAT(o.renew_not_after, '%Y-%m-%d'), ''), o.handler_mobile_enc, "
	"c.review_days_min, c.review_days_max, o.refund_due "
	"FROM orders o JOIN channels c ON c.id = o.channel_id WHERE o.order_no = ?";

enum { C_ID, C_ACCOUNT, C_CHANNEL, C_TARGET, C_VERSION, C_AMOUNT, C_YEARS, C_MAIL_IN, C_NO,
       C_STATE, C_BUSINESS, C_KIND, C_SUBJECT, C_SUBJECT_IDX, C_CH_CODE, C_FLOW, C_PAY, C_PIN,
       C_RENEW, C_EDITABLE, C_RETURN, C_NB, C_NA, C_MOBILE, C_DAYS_MIN, C_DAYS_MAX, C_REFUND_DUE };

static long long cell_ll(const struct db_rows *rows, size_t col)
{
	return strtoll(db_cell(rows, 0, col), NULL, 10);
}

int review_find_order(struct req *r, const char *no, struct review_order *o)
{
	struct db_rows rows;
	int rc;

	if (!no || !orderno_valid(no))
		return resp_error(r, ERR_NOT_FOUND, NULL, "未找到该订单，请核对订单号。");
	rc = db_query(&r->app->db, r->arena, sql_order, DB_ARGS(DB_STR(no)), &rows);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (rows.nrows != 1)
		return resp_error(r, ERR_NOT_FOUND, NULL, "未找到该订单，请核对订单号。");
	memset(o, 0, sizeof(*o));
	o->id = cell_ll(&rows, C_ID);
	o->account_id = cell_ll(&rows, C_ACCOUNT);
	o->channel_id = cell_ll(&rows, C_CHANNEL);
	o->target_cert_id = cell_ll(&rows, C_TARGET);
	o->version = cell_ll(&rows, C_VERSION);
	o->amount_fen = cell_ll(&rows, C_AMOUNT);
	o->years = (int)cell_ll(&rows, C_YEARS);
	o->mail_in = cell_ll(&rows, C_MAIL_IN) != 0;
	o->no = db_cell(&rows, 0, C_NO);
	o->state = db_cell(&rows, 0, C_STATE);
	o->business = db_cell(&rows, 0, C_BUSINESS);
	o->kind = db_cell(&rows, 0, C_KIND);
	o->subject_name = db_cell(&rows, 0, C_SUBJECT);
	o->subject_idx = db_cell(&rows, 0, C_SUBJECT_IDX);
	o->channel_code = db_cell(&rows, 0, C_CH_CODE);
	o->flow = db_cell(&rows, 0, C_FLOW);
	o->pay_method = db_cell(&rows, 0, C_PAY);
	o->pin_delivery = db_cell(&rows, 0, C_PIN);
	o->renew_mode = db_cell(&rows, 0, C_RENEW);
	o->refund_due = cell_ll(&rows, C_REFUND_DUE) != 0;
	o->editable = db_cell(&rows, 0, C_EDITABLE);
	o->return_state = db_cell(&rows, 0, C_RETURN);
	o->renew_not_before = db_cell(&rows, 0, C_NB);
	o->renew_not_after = db_cell(&rows, 0, C_NA);
	o->mobile_enc = (const unsigned char *)db_cell(&rows, 0, C_MOBILE);
	o->mobile_enc_len = o->mobile_enc ? rows.len[C_MOBILE] : 0;
	o->days_min = (int)cell_ll(&rows, C_DAYS_MIN);
	o->days_max = (int)cell_ll(&rows, C_DAYS_MAX);
	return 0;
}

bool review_ships_key(const struct review_order *o)
{
	return order_ships_key(o->business, o->mail_in);
}

/* "version": a JSON integer, or a string of digits (a form field). */
static int version_of(struct req *r, json_t *body, long long *out)
{
	json_t *v = json_object_get(body, "version");
	const char *s;
	char *end;

	if (!v)
		return resp_error(r, ERR_MISSING_FIELD, "version",
				  "缺少订单版本号（version），请刷新订单后再操作。");
	if (json_is_integer(v) && json_integer_value(v) >= 0 &&
	    json_integer_value(v) <= 4294967295LL) {
		*out = (long long)json_integer_value(v);
		return 0;
	}
	s = json_string_value(v);
	if (s && s[0] && strlen(s) <= 10 && strspn(s, "0123456789") == strlen(s)) {
		*out = strtoll(s, &end, 10);
		return 0;
	}
	return resp_error(r, ERR_INVALID_FIELD, "version",
			  "订单版本号（version）应为非负整数，请刷新订单后再操作。");
}

static void release(void *j)
{
	json_decref(j);
}

int review_body(struct req *r, json_t **body, bool need_version, long long *version)
{
	/* A bodiless POST (a button) is an empty object; anything sent must be JSON. */
	if (r->content_length <= 0 && (!r->content_type || !r->content_type[0])) {
		*body = json_object();
		if (!*body || arena_defer(r->arena, release, *body) < 0) {
			json_decref(*body);
			return resp_error(r, ERR_INTERNAL, NULL, NULL);
		}
	} else if (req_json(r, body) < 0) {
		return -1;
	}
	if (need_version && version_of(r, *body, version) < 0)
		return -1;
	return 0;
}

int review_move(struct db *db, struct req *r, const struct review_order *o, const char *from,
		const char *to, long long version, const char *event, const char *note)
{
	int rc = order_move(db, o->id, from, to, version);

	if (rc != DB_OK)
		return rc;
	return order_event(db, o->id, event, from, to, "staff", r->auth.id, true, note);
}

int review_conflict(struct req *r)
{
	return resp_error(r, ERR_CONFLICT, NULL,
			  "该订单刚刚已被其他工作人员处理，或状态已经变化。您的操作未生效，请刷新订单后查看。");
}

int review_begin(struct req *r, struct review_order *o, json_t **body, long long *version)
{
	if (review_body(r, body, true, version) < 0 || review_find_order(r, r->params[0], o) < 0)
		return -1;
	/* Moved since the client looked: another staff member got there first. */
	if (*version != o->version)
		return review_conflict(r);
	return 0;
}

int review_wrong_state(struct req *r, const struct review_order *o, const char *needs)
{
	const char *now = order_state_name(o->state);

	return resp_error(r, ERR_WRONG_STATE, NULL,
			  arena_printf(r->arena, "订单当前状态为“%s”，%s", now ? now : o->state, needs));
}

const char *review_days_text(struct req *r, int min, int max)
{
	return min == max ? arena_printf(r->arena, "%d", min)
			  : arena_printf(r->arena, "%d–%d", min, max);
}
