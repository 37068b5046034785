/* review: the order a request names, the request body of a decision, and moving an order. */
#include <stdlib.h>
#include <string.h>

#include "web/auth.h"
#include "domain/order.h"
#include "review.h"

int review_find_order(struct req *r, const char *no, struct order *o)
{
	int rc = order_load(&r->app->db, r->arena, no, o);

	if (rc == ORDER_NONE)
		return resp_error(r, ERR_NOT_FOUND, NULL, "未找到该订单，请核对订单号。");
	if (rc != DB_OK)
		return app_db_error(r, rc);
	return 0;
}

bool review_ships_key(const struct order *o)
{
	return order_ships_key(o->business, order_by_mail(o));
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

int review_move(struct db *db, struct req *r, const struct order *o, enum order_state from,
		enum order_state to, unsigned by, long long version, const char *event,
		const char *note)
{
	int rc = order_move(db, o->id, from, to, version, by);

	if (rc != DB_OK)
		return rc;
	return order_event(db, o->id, event, from, to, "staff", r->auth.id, true, note);
}

int review_conflict(struct req *r)
{
	return resp_error(r, ERR_CONFLICT, NULL,
			  "该订单刚刚已被其他工作人员处理，或状态已经变化。您的操作未生效，请刷新订单后查看。");
}

int review_begin(struct req *r, struct order *o, json_t **body, long long *version)
{
	if (review_body(r, body, true, version) < 0 || review_find_order(r, r->params[0], o) < 0)
		return -1;
	/* Moved since the client looked: another staff member got there first. */
	if (*version != o->version)
		return review_conflict(r);
	return 0;
}

int review_wrong_state(struct req *r, const struct order *o, const char *needs)
{
	return resp_error(r, ERR_WRONG_STATE, NULL,
			  arena_printf(r->arena, "订单当前状态为“%s”，%s", order_state_zh(o->state),
				       needs));
}

const char *review_days_text(struct req *r, int min, int max)
{
	return min == max ? arena_printf(r->arena, "%d", min)
			  : arena_printf(r->arena, "%d–%d", min, max);
}
