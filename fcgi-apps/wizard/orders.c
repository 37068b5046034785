/* wizard: "my orders" (001 我的业务单; 000, 002 未完成订单): the filtered list, one order in full
 * with its step plan and actions, cancelling, and the expiry of drafts nobody finishes. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/strlist.h"
#include "web/auth.h"
#include "base/log.h"
#include "domain/fees.h"
#include "domain/fincheck.h"
#include "domain/order.h"
#include "domain/payment.h"

#include "domain/rules.h"
#include "base/valid.h"
#include "ext/pay.h"
#include "wizard.h"

#define PER_PAGE_DEFAULT 20
#define PER_PAGE_MAX 50
#define PAGE_MAX 100000
#define SUBJECT_MAX 100   /* characters of the subject filter */
#define EXPIRE_BATCH 500
#define EXPIRE_BATCHES 10 /* per sweep: a worker never spends long after one answer */

/* Filters that are not given match everything, so there is one statement (one prepared
 * handle) for every combination; account_id leads both ix_orders_account_state and
 * ix_orders_account, which keep the account's orders in created_at order. */
#define LIST_WHERE \
	"WHERE o.account_id = ? AND (? = '' OR o.order_no = ?) " \
	"AND (? = '' OR o.business_type = ?) " \
	"AND (? = '' OR o.subject_name LIKE ? ESCAPE '!') " \
	"AND (? = '' OR o.state = ?) AND o.created_at >= ? AND o.created_at < ? "

/* Mail-in is the way out of a failed enterprise check only (002); a failed handler check is
 * redone, since mail-in orders verify the handler too (fcgi-apps/wizard/verify_subject.c). */
#define ENTERPRISE_FAILED \
	"COALESCE((SELECT v.state = 'failed' FROM verifications v WHERE v.order_id = o.id " \
	"AND v.subject = 'enterprise' ORDER BY v.id DESC LIMIT 1), 0)"

static const char sql_list[] =
	"SELECT o.order_no, c.code, c.name, o.business_type, o.cert_kind, o.subject_name, o.state, "
	"DATE_FORMAT(o.created_at, " DB_ISO_FMT "), COALESCE(o.amount_fen, -1), o.mail_in, "
	"c.mail_in AND " ENTERPRISE_FAILED ", "
	"EXISTS (SELECT 1 FROM payments p WHERE p.order_id = o.id AND p.state = 'paid'), "
	"DATE_FORMAT(o.updated_at, " DB_ISO_FMT "), COALESCE(o.verify_method, ''), "
	"COALESCE((SELECT f.state FROM fin_checks f WHERE f.order_id = o.id "
	"ORDER BY f.id DESC LIMIT 1), '') "
	"FROM orders o JOIN channels c ON c.id = o.channel_id " LIST_WHERE
	"ORDER BY o.created_at DESC, o.id DESC LIMIT ? OFFSET ?";
static const char sql_count[] = "SELECT COUNT(*) FROM orders o " LIST_WHERE;

static const char sql_detail[] =
	"SELECT o.quote_json, COALESCE(DATE_FORMAT(o.renew_not_before, '%Y-%m-%d'), ''), "
	"COALESCE(DATE_FORMAT(o.renew_not_after, '%Y-%m-%d'), ''), "
	"COALESCE(DATE_FORMAT(o.signed_at, " DB_ISO_FMT "), ''), "
	"COALESCE(DATE_FORMAT(o.paid_at, " DB_ISO_FMT "), ''), c.name, c.mail_in AND " ENTERPRISE_FAILED ", "
	"c.paper_org, c.paper_recipient, c.paper_address, c.paper_phone, c.paper_note, "
	"c.paper_renew_items, o.key_defect, o.key_in_warranty, "
	"COALESCE(DATE_FORMAT(o.key_inspected_at, " DB_ISO_FMT "), '') "
	"FROM orders o JOIN channels c ON c.id = o.channel_id WHERE o.id = ?";
static const char sql_saved[] = "SELECT step FROM order_steps WHERE order_id = ?";
static const char sql_verifications[] =
	"SELECT v.subject, v.state, v.method, v.message, DATE_FORMAT(v.created_at, " DB_ISO_FMT ") "
	"FROM verifications v WHERE v.order_id = ? AND v.id = "
	"(SELECT MAX(l.id) FROM verifications l WHERE l.order_id = v.order_id "
	"AND l.subject = v.subject) ORDER BY v.subject";
static const char sql_payments[] =
	"SELECT method, amount_fen, state, DATE_FORMAT(created_at, " DB_ISO_FMT "), "
	"DATE_FORMAT(paid_at, " DB_ISO_FMT ") FROM payments WHERE order_id = ? ORDER BY id";
static const char sql_events[] =
	"SELECT kind, state_from, state_to, actor_type, DATE_FORMAT(at, " DB_ISO_FMT "), note "
	"FROM order_events WHERE order_id = ? ORDER BY at, id LIMIT 500";

/* Money that is already with the hall, or on its way through finance, blocks a cancel. */
static const char sql_paid[] =
	"SELECT COUNT(*) FROM payments WHERE order_id = ? "
	"AND state IN ('paid', 'awaiting_finance', 'refunding', 'refunded') FOR UPDATE";
static const char sql_close_pending[] =
	"UPDATE payments SET state = 'closed', version = version + 1 "
	"WHERE order_id = ? AND state = 'pending'";

/* Never a paid order whose 001 financial check failed after approval (submitted): it waits
 * for its account, however long. */
static const char sql_stale_drafts[] =
	"SELECT id, version, state FROM orders WHERE state IN (?, ?) "
	"AND submitted_at IS NULL "
	"AND updated_at < NOW(3) - INTERVAL ? HOUR ORDER BY updated_at LIMIT ? FOR UPDATE";


static json_t *money(long long fen)
{
	char yuan[24];

	if (fen < 0)
		return json_null();
	valid_money_format(fen, yuan, sizeof(yuan));
	return json_string(yuan);
}

/* What the applicant may do next, by state (001 我的业务单 操作: 编辑 申请退费 查看详情; 金融认证
 * on a failed check; 000, 002 继续办理 or 取消 an unfinished order; 002 线下邮寄 after a failed
 * enterprise check; 002 the waybill of the paper mailed in). can_mail_in: the channel offers it
 * and the order is not mail-in yet.
 * paid: a payment went through. */
static bool cancellable(enum order_state s)
{
	return order_transition_legal(s, ORDER_CANCELLED, ORDER_BY_APPLICANT);
}

static json_t *actions(enum order_state state, bool can_mail_in, bool paid, const char *fin)
{
	json_t *a = json_array();

	if (state == ORDER_DRAFT) {
		json_array_append_new(a, json_string("continue"));
	} else if (state == ORDER_VERIFY_FAILED && str_is(fin, "failed")) {
		/* 001 "点击“金融认证”按钮，重新填写正确的单位基本账户信息后点击“提交”即可"; 001's
		 * 操作 also lists 申请退费, for an account that cannot take the transfer. */
		json_array_append_new(a, json_string("fin_check"));
		if (paid)
			json_array_append_new(a, json_string("refund"));
	} else if (state == ORDER_VERIFY_FAILED) {
		json_array_append_new(a, json_string("redo_verification"));
		if (can_mail_in)
			json_array_append_new(a, json_string("mail_in"));
	} else if (state == ORDER_PENDING_PAYMENT) {
		json_array_append_new(a, json_string("pay"));
	} else if (state == ORDER_RETURNED) {
		json_array_append_new(a, json_string("edit_resubmit"));
	} else if (state == ORDER_AWAITING_PAPER) {
		/* The paper's waybill (POST /api/track/orders/:no/waybill). */
		json_array_append_new(a, json_string("send_paper"));
	} else if (state == ORDER_AWAITING_KEY) {
		/* The old key's waybill (the same route), 002 损坏补办. */
		json_array_append_new(a, json_string("send_key"));
	}
	/* Money paid is asked back, never cancelled away. */
	if (cancellable(state) && !paid)
		json_array_append_new(a, json_string("cancel"));
	/* Paid, not yet approved: the applicant may still ask for the money back. */
	if (paid && order_is(state, ORDER_REFUNDABLE))
		json_array_append_new(a, json_string("refund"));
	json_array_append_new(a, json_string("view"));
	return a;
}

/* ---- GET /api/wizard/orders */

struct filter {
	const char *order_no, *business, *subject_like, *state, *from, *to;
	long page, per_page;
};

/* A query value, "" when absent or empty (a search form sends its empty fields). */
static const char *arg(const struct kvlist *args, const char *name)
{
	const char *v = kv_get(args, name);

	return v ? v : "";
}

static bool all_digits(const char *s, size_t n)
{
	return strlen(s) == n && strspn(s, "0123456789") == n;
}

/* 1..max, plain digits; def when absent. -1 when bad. */
static long number(const char *s, long def, long max)
{
	long v = 0;
	size_t n = strlen(s);

	if (n == 0)
		return def;
	if (n > 6 || strspn(s, "0123456789") != n)
		return -1;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v >= 1 && v <= max ? v : -1;
}

/* Order numbers carry their year in two digits (shared/domain/orderno.h): no order is older than
 * 2000 or newer than 2099. */
static bool order_date(const char *s, struct rules_date *d)
{
	return rules_date_parse(s, d) && d->y >= 2000 && d->y <= 2099;
}

/* The subject filter as a LIKE pattern: %text%, with the text's own % _ ! escaped by '!'. */
static char *like_pattern(struct arena *a, const char *s)
{
	size_t n = strlen(s), o = 0;
	char *p = arena_alloc(a, 2 * n + 3);

	if (!p)
		return NULL;
	p[o++] = '%';
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%' || s[i] == '_' || s[i] == '!')
			p[o++] = '!';
		p[o++] = s[i];
	}
	p[o++] = '%';
	p[o] = '\0';
	return p;
}

/* Reads and checks the filters. Returns 0, or -1 answered (400 naming the filter). */
static int read_filter(struct req *r, struct filter *f)
{
	struct rules_date from = { 2000, 1, 1 }, to = { 2099, 12, 31 };
	const char *subject, *from_s, *to_s;
	struct kvlist args;
	char *buf;

	if (req_args(r, &args) < 0)
		return -1;
	f->order_no = arg(&args, "order_no");
	f->business = arg(&args, "business");
	f->state = arg(&args, "state");
	subject = arg(&args, "subject");
	from_s = arg(&args, "date_from");
	to_s = arg(&args, "date_to");
	if (*f->order_no && !all_digits(f->order_no, 18))
		return resp_error(r, ERR_INVALID_FIELD, "order_no",
				  "订单号为 18 位数字，请核对后重新输入。");
	if (*f->business && !order_business_name(f->business))
		return resp_error(r, ERR_INVALID_FIELD, "business", "业务类型不正确，请重新选择。");
	if (*subject && !valid_text(subject, strlen(subject), SUBJECT_MAX))
		return resp_error(r, ERR_INVALID_FIELD, "subject",
				  "主题最多 100 个字，且不能包含控制字符。");
	if (*f->state && !order_state_name(f->state))
		return resp_error(r, ERR_INVALID_FIELD, "state", "订单状态不正确，请重新选择。");
	if (*from_s && !order_date(from_s, &from))
		return resp_error(r, ERR_INVALID_FIELD, "date_from",
				  "开始日期应为 YYYY-MM-DD 格式的有效日期，例如 2026-01-31。");
	if (*to_s && !order_date(to_s, &to))
		return resp_error(r, ERR_INVALID_FIELD, "date_to",
				  "结束日期应为 YYYY-MM-DD 格式的有效日期，例如 2026-01-31。");
	if (rules_days_from_civil(to) < rules_days_from_civil(from))
		return resp_error(r, ERR_INVALID_FIELD, "date_to", "结束日期不能早于开始日期。");
	f->page = number(arg(&args, "page"), 1, PAGE_MAX);
	if (f->page < 0)
		return resp_error(r, ERR_INVALID_FIELD, "page", "页码应为 1 至 100000 的整数。");
	f->per_page = number(arg(&args, "per_page"), PER_PAGE_DEFAULT, PER_PAGE_MAX);
	if (f->per_page < 0)
		return resp_error(r, ERR_INVALID_FIELD, "per_page", "每页条数应为 1 至 50 的整数。");
	f->subject_like = *subject ? like_pattern(r->arena, subject) : "";
	/* created_at is China time (the session's time zone): the days from 00:00 of date_from
	 * up to, not including, 00:00 after date_to. */
	buf = arena_alloc(r->arena, 2 * 24);
	if (!f->subject_like || !buf)
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	rules_date_format(from, buf, 24);
	rules_date_format(rules_civil_from_days(rules_days_from_civil(to) + 1), buf + 24, 24);
	f->from = buf;
	f->to = buf + 24;
	return 0;
}

int wizard_orders(struct req *r)
{
	struct filter f = { 0 };
	struct db_rows rows, count;
	json_t *list;
	int rc;

	if (read_filter(r, &f) < 0)
		return -1;
#define WHERE_ARGS \
	DB_I64(r->auth.id), DB_STR(f.order_no), DB_STR(f.order_no), DB_STR(f.business), \
	DB_STR(f.business), DB_STR(f.subject_like), DB_STR(f.subject_like), DB_STR(f.state), \
	DB_STR(f.state), DB_STR(f.from), DB_STR(f.to)
	rc = db_query(&r->app->db, r->arena, sql_count, DB_ARGS(WHERE_ARGS), &count);
	if (rc == DB_OK)
		rc = db_query(&r->app->db, r->arena, sql_list,
			      DB_ARGS(WHERE_ARGS, DB_I64(f.per_page),
				      DB_I64((f.page - 1) * f.per_page)), &rows);
#undef WHERE_ARGS
	if (rc != DB_OK)
		return app_db_error(r, rc);
	list = json_array();
	for (size_t i = 0; i < rows.nrows; i++) {
		enum order_state state = order_state_parse(db_cell(&rows, i, 6));
		long long fen = strtoll(db_cell(&rows, i, 8), NULL, 10);
		bool can_mail_in = str_is(db_cell(&rows, i, 10), "1") && str_is(db_cell(&rows, i, 9), "0");

		json_array_append_new(list, json_pack(
			"{s:s, s:s, s:s, s:s, s:s?, s:s, s:s?, s:s, s:s, s:s?, s:s, s:s, s:o, s:o}",
			"order_no", db_cell(&rows, i, 0), "channel", db_cell(&rows, i, 1),
			"channel_name", db_cell(&rows, i, 2), "business", db_cell(&rows, i, 3),
			"business_name", order_business_name(db_cell(&rows, i, 3)),
			"kind", db_cell(&rows, i, 4), "kind_name", order_kind_name(db_cell(&rows, i, 4)),
			"subject_name", db_cell(&rows, i, 5), "state", order_state_str(state),
			"state_name", fincheck_state_zh(state, db_cell(&rows, i, 13), db_cell(&rows, i, 14)),
			"created_at", db_cell(&rows, i, 7),
			/* 001's order list shows 更新日期 beside 申请日期. */
			"updated_at", db_cell(&rows, i, 12), "amount", money(fen),
			"actions", actions(state, can_mail_in, str_is(db_cell(&rows, i, 11), "1"),
					   db_cell(&rows, i, 14))));
	}
	resp_json(r, 200, json_pack("{s:o, s:I, s:i, s:i}", "orders", list, "total",
				    (json_int_t)strtoll(db_cell(&count, 0, 0), NULL, 10),
				    "page", (int)f.page, "per_page", (int)f.per_page));
	return 0;
}

/* ---- GET /api/wizard/orders/:no */

static const char *const step_zh[STEP__COUNT] = {
	[STEP_AGREEMENTS] = "阅读并同意协议", [STEP_ENTERPRISE] = "企业信息认证",
	[STEP_HANDLER] = "经办人信息认证",   [STEP_APPLICANT] = "申请人信息",
	[STEP_FINANCIAL] = "金融认证信息",   [STEP_CHANGE] = "变更信息",
	[STEP_PRODUCT] = "确认证书产品",     [STEP_FORM] = "打印申请表",
	[STEP_MATERIALS] = "资料上传",       [STEP_SIGN] = "证书申请签名",
	[STEP_PAY] = "支付订单",
};

static bool saved(const struct db_rows *steps, enum wizard_step s)
{
	for (size_t i = 0; i < steps->nrows; i++)
		if (str_is(db_cell(steps, i, 0), wizard_step_name(s)))
			return true;
	return false;
}

static bool any_paid(const struct db_rows *pay)
{
	for (size_t i = 0; i < pay->nrows; i++) {
		enum payment_state s = payment_state_parse(db_cell(pay, i, 2));

		if (s == PAYMENT_STATE_PAID || s == PAYMENT_STATE_REFUNDING ||
		    s == PAYMENT_STATE_REFUNDED)
			return true;
	}
	return false;
}

/* Whether the materials still missing hold the printed application form. */
static bool form_missing(json_t *missing)
{
	size_t i;
	json_t *m;

	json_array_foreach(missing, i, m)
		if (str_is(json_string_value(json_object_get(m, "material")), "application_form"))
			return true;
	return false;
}

/* The plan in wizard order; data steps are done once saved, the rest by their own mark: the
 * printed form once its signed and stamped scan came back, not merely once it can be
 * printed. */
static json_t *steps_json(const struct order *o, const struct db_rows *steps, json_t *missing,
			  bool signed_, bool paid)
{
	bool materials_done = json_array_size(missing) == 0;
	json_t *out = json_array();
	bool data_done = true;

	for (int s = 0; s < STEP__COUNT; s++) {
		bool done;

		if (!wizard_plan_has(o, s))
			continue;
		switch (s) {
		case STEP_FORM:
			done = data_done && (signed_ || !form_missing(missing));
			break;
		case STEP_MATERIALS:
			done = materials_done;
			break;
		case STEP_SIGN:
			done = signed_;
			break;
		case STEP_PAY:
			done = paid || o->amount_fen == 0;
			break;
		default:
			done = saved(steps, s);
			data_done = data_done && done;
			break;
		}
		json_array_append_new(out, json_pack("{s:s, s:s, s:b, s:b}", "step",
						     wizard_step_name(s), "name", step_zh[s],
						     "done", done, "editable",
						     wizard_step_editable(o, s)));
	}
	return out;
}

static json_t *list_json(const char *list)
{
	json_t *out = json_array();

	for (const char *p = list; out && p && *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len > 0)
			json_array_append_new(out, json_stringn(p, len));
		p = end ? end + 1 : NULL;
	}
	return out;
}

static json_t *verifications_json(const struct db_rows *v)
{
	json_t *out = json_array();

	for (size_t i = 0; i < v->nrows; i++) {
		const char *subject = db_cell(v, i, 0), *method = db_cell(v, i, 2);

		json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:s?, s:s, s:s}",
			"subject", subject, "state", db_cell(v, i, 1), "method", method,
			"method_name", str_is(subject, "enterprise") ? wizard_verify_method_name(method)
								 : wizard_handler_method_name(method),
			"message", db_cell(v, i, 3), "at", db_cell(v, i, 4)));
	}
	return out;
}

static json_t *payments_json(const struct db_rows *p)
{
	json_t *out = json_array();

	for (size_t i = 0; i < p->nrows; i++)
		json_array_append_new(out, json_pack("{s:s, s:s?, s:o, s:s, s:s, s:s?}",
			"method", db_cell(p, i, 0),
			"method_name", pay_method_name(db_cell(p, i, 0)),
			"amount", money(strtoll(db_cell(p, i, 1), NULL, 10)),
			"state", db_cell(p, i, 2), "created_at", db_cell(p, i, 3),
			"paid_at", db_cell(p, i, 4)));
	return out;
}

static json_t *events_json(const struct db_rows *e)
{
	json_t *out = json_array();

	for (size_t i = 0; i < e->nrows; i++)
		json_array_append_new(out, json_pack("{s:s, s:s?, s:s?, s:s?, s:s, s:s, s:s}",
			"kind", db_cell(e, i, 0), "name", order_event_name(db_cell(e, i, 0)),
			"state_from", db_cell(e, i, 1), "state_to", db_cell(e, i, 2),
			"actor", db_cell(e, i, 3), "at", db_cell(e, i, 4), "note", db_cell(e, i, 5)));
	return out;
}

static json_t *opt_string(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

static json_t *parsed_quote(const char *text)
{
	json_t *q = text ? json_loads(text, 0, NULL) : NULL;

	return q ? q : json_null();
}

int wizard_order(struct req *r)
{
	struct db_rows d, steps, ver, pay, ev;
	struct order o;
	json_t *missing, *out;
	json_t *years;
	bool paid, can_mail_in, unlock_auto, key_in;
	struct fincheck_row fc;
	const char *fin;
	int rc;

	if (wizard_find_order(r, r->params[0], &o) < 0)
		return -1;
	rc = db_query(&r->app->db, r->arena, sql_detail, DB_ARGS(DB_I64(o.id)), &d);
	if (rc == DB_OK)
		rc = db_query(&r->app->db, r->arena, sql_saved, DB_ARGS(DB_I64(o.id)), &steps);
	if (rc == DB_OK)
		rc = db_query(&r->app->db, r->arena, sql_verifications, DB_ARGS(DB_I64(o.id)), &ver);
	if (rc == DB_OK)
		rc = db_query(&r->app->db, r->arena, sql_payments, DB_ARGS(DB_I64(o.id)), &pay);
	if (rc == DB_OK)
		rc = db_query(&r->app->db, r->arena, sql_events, DB_ARGS(DB_I64(o.id)), &ev);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (d.nrows != 1)
		return resp_error(r, ERR_NOT_FOUND, NULL, NULL);
	if (wizard_materials_missing(r, &o, &missing) < 0 ||
	    wizard_unlock_auto(r, &o, &unlock_auto) < 0 || wizard_years_offered(r, &o, &years) < 0)
		return -1;
	paid = any_paid(&pay);
	can_mail_in = str_is(db_cell(&d, 0, 6), "1") && !o.mail_in;
	rc = fincheck_latest(&r->app->db, r->arena, o.id, &fc);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	fin = fc.state;
	/* 001: a transfer still on its way is asked about after this answer. */
	if (fincheck_pending(&fc) && app_fincheck_after(r, fc.id) < 0)
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	/* No step data here: what is personal (ID numbers, mobiles, cards) stays behind the
	 * steps' own answers, masked. */
	out = json_pack("{s:s, s:s, s:s?, s:s, s:s?, s:s, s:s?, s:s, s:s, s:s, s:b, s:i, s:s}",
			"order_no", o.no, "state", order_state_str(o.state),
			"state_name", fincheck_state_zh(o.state, o.verify_method, fin),
			"business", o.business, "business_name", order_business_name(o.business),
			"kind", o.kind, "kind_name", order_kind_name(o.kind),
			"channel", o.channel_code, "channel_name", db_cell(&d, 0, 5),
			"flow", o.flow, "mail_in", o.mail_in, "years", o.years,
			"subject_name", o.subject_name);
	if (!out)
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	json_object_set_new(out, "verify_method", opt_string(o.verify_method));
	json_object_set_new(out, "verify_method_name",
			    opt_string(wizard_verify_method_name(o.verify_method)));
	json_object_set_new(out, "handler_method", opt_string(o.handler_method));
	json_object_set_new(out, "handler_method_name",
			    opt_string(wizard_handler_method_name(o.handler_method)));
	json_object_set_new(out, "pay_method", opt_string(o.pay_method));
	json_object_set_new(out, "pay_method_name", opt_string(pay_method_name(o.pay_method)));
	json_object_set_new(out, "amount", money(o.amount_fen));
	json_object_set_new(out, "amount_fen", o.amount_fen < 0 ? json_null()
								 : json_integer(o.amount_fen));
	json_object_set_new(out, "quote", parsed_quote(db_cell(&d, 0, 0)));
	/* Only what the hall sells: the product step offers these years, none on a replacement. */
	json_object_set(out, "years_offered", years);
	if (*o.renew_mode) {
		json_object_set_new(out, "renew_mode", json_string(o.renew_mode));
		json_object_set_new(out, "renew_not_before", opt_string(db_cell(&d, 0, 1)));
		json_object_set_new(out, "renew_not_after", opt_string(db_cell(&d, 0, 2)));
	}
	/* Where the paper goes, when the order waits for it (002 线下邮寄, 003 邮寄办理, 004). */
	json_object_set_new(out, "paper_mail", json_boolean(order_by_mail(&o)));
	/* The old key of a damaged replacement goes where the paper goes (002 prints one address
	 * for its online 损坏补办). */
	if (order_by_mail(&o) || str_is(o.flow, "two_stage") || o.state == ORDER_AWAITING_KEY)
		json_object_set_new(out, "paper_to",
				    json_pack("{s:s, s:s, s:s, s:s, s:s}", "org", db_cell(&d, 0, 7),
					      "recipient", db_cell(&d, 0, 8), "address",
					      db_cell(&d, 0, 9), "phone", db_cell(&d, 0, 10), "note",
					      db_cell(&d, 0, 11)));
	/* 003: an expired certificate renewed offline mails "三、申请材料", the key and the
	 * transfer voucher among them (create.c sends only that renewal by mail). */
	if (str_is(o.business, "renew") && order_by_mail(&o) && *db_cell(&d, 0, 12))
		json_object_set_new(json_object_get(out, "paper_to"), "items",
				    json_string(db_cell(&d, 0, 12)));
	/* 002 损坏补办: whether the old key is sent in and inspected (the product step asks about a
	 * defect there only), and what its inspection found. */
	rc = fees_key_inspected(&r->app->db, r->arena, o.channel_code, o.business, o.kind, &key_in);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	json_object_set_new(out, "key_sent_in", json_boolean(key_in));
	if (*db_cell(&d, 0, 15))
		json_object_set_new(out, "key_inspection",
				    json_pack("{s:b, s:b, s:s}", "defect", str_is(db_cell(&d, 0, 13), "1"),
					      "in_warranty", str_is(db_cell(&d, 0, 14), "1"), "at",
					      db_cell(&d, 0, 15)));
	json_object_set_new(out, "pin_delivery", opt_string(o.pin_delivery));
	json_object_set_new(out, "pin_delivery_text",
			    opt_string(rules_pin_delivery_text(o.pin_delivery)));
	json_object_set_new(out, "editable", list_json(o.editable));
	json_object_set_new(out, "created_at", json_string(o.created_at));
	json_object_set_new(out, "updated_at", json_string(o.updated_at));
	json_object_set_new(out, "submitted_at", opt_string(o.submitted_at));
	json_object_set_new(out, "signed_at", opt_string(db_cell(&d, 0, 3)));
	json_object_set_new(out, "paid_at", opt_string(db_cell(&d, 0, 4)));
	json_object_set_new(out, "verifications", verifications_json(&ver));
	json_object_set_new(out, "payments", payments_json(&pay));
	json_object_set_new(out, "events", events_json(&ev));
	json_object_set_new(out, "warnings", wizard_warnings(o.business));
	json_object_set(out, "materials_missing", missing);
	/* An unlock its hall approves by itself (003): nothing is asked to be uploaded. */
	json_object_set_new(out, "unlock_auto", json_boolean(unlock_auto));
	json_object_set_new(out, "steps",
			    steps_json(&o, &steps, missing, *db_cell(&d, 0, 3) != '\0', paid));
	/* 001 金融认证: the 0.01 transfer after approval, never its PIN (domain/fincheck.h). */
	json_object_set_new(out, "fin_check",
			    fin[0] ? json_pack("{s:s, s:s, s:s}", "state", fin, "state_name",
					       fincheck_state_zh(o.state, o.verify_method, fin),
					       "message", fc.message)
				   : json_null());
	json_object_set_new(out, "actions", actions(o.state, can_mail_in, paid, fin));
	if (wizard_downloads(r, &o, out) < 0) {
		json_decref(out);
		return -1;
	}
	resp_json(r, 200, out);
	return 0;
}

/* ---- POST /api/wizard/orders/:no/cancel */

struct cancel {
	const struct order *o;
	long long actor;
	bool stale, paid;
	struct arena *arena;
};

static int cancel_tx(struct db *db, void *p)
{
	struct cancel *c = p;
	struct db_rows rows;
	int rc;

	c->stale = c->paid = false;
	/* The version check makes two cancels (or a cancel and a payment) one winner: the other
	 * finds the order moved on. */
	rc = order_move(db, c->o->id, c->o->state, ORDER_CANCELLED, c->o->version,
			ORDER_BY_APPLICANT);
	if (rc == ORDER_STALE) {
		c->stale = true;
		return DB_ERR;
	}
	if (rc != DB_OK)
		return rc;
	rc = db_query(db, c->arena, sql_paid, DB_ARGS(DB_I64(c->o->id)), &rows);
	if (rc != DB_OK)
		return rc;
	if (strcmp(db_cell(&rows, 0, 0), "0") != 0) {
		c->paid = true;
		return DB_ERR;
	}
	/* A QR code still open at the provider is closed with the order, so a late payment is
	 * recognised as one for a cancelled order. */
	rc = db_exec(db, sql_close_pending, DB_ARGS(DB_I64(c->o->id)), NULL, NULL);
	if (rc != DB_OK)
		return rc;
	return order_event(db, c->o->id, "cancelled", c->o->state, ORDER_CANCELLED, "applicant",
			   c->actor, true, "");
}

int wizard_cancel(struct req *r)
{
	struct order o;
	struct cancel c;
	int rc;

	if (wizard_find_order(r, r->params[0], &o) < 0)
		return -1;
	if (!cancellable(o.state))
		return resp_error(r, ERR_WRONG_STATE, NULL,
				  arena_printf(r->arena,
					       "订单当前状态为“%s”，不能取消：已提交审核的订单如需退费，请申请退款。",
					       order_state_zh(o.state)));
	c = (struct cancel){ .o = &o, .actor = r->auth.id, .arena = r->arena };
	rc = db_tx(&r->app->db, cancel_tx, &c);
	if (c.stale)
		return resp_error(r, ERR_WRONG_STATE, NULL,
				  "订单状态已变化（可能已被取消或已支付），请刷新后查看。");
	if (c.paid)
		return resp_error(r, ERR_WRONG_STATE, NULL,
				  "该订单已有付款记录，不能直接取消，请等待财务确认或申请退款。");
	if (rc != DB_OK)
		return app_db_error(r, rc);
	resp_json(r, 200, json_pack("{s:s, s:s, s:s}", "order_no", o.no,
				    "state", order_state_str(ORDER_CANCELLED),
				    "state_name", order_state_zh(ORDER_CANCELLED)));
	return 0;
}

/* ---- Draft expiry, after an answer */

struct expire {
	struct app *app;
	size_t found, expired;
};

static int expire_tx(struct db *db, void *p)
{
	struct expire *e = p;
	struct db_rows rows;
	int rc;

	e->found = e->expired = 0;
	/* Locked while they expire: a step saved meanwhile waits, then finds the draft gone. */
	rc = db_query(db, &e->app->arena, sql_stale_drafts,
		      DB_ARGS(DB_STR(order_state_str(ORDER_DRAFT)),
			      DB_STR(order_state_str(ORDER_VERIFY_FAILED)),
			      DB_I64(e->app->conf.draft_ttl_hours), DB_I64(EXPIRE_BATCH)),
		      &rows);
	if (rc != DB_OK)
		return rc;
	e->found = rows.nrows;
	for (size_t i = 0; i < rows.nrows; i++) {
		long long id = strtoll(db_cell(&rows, i, 0), NULL, 10);
		enum order_state from = order_state_parse(db_cell(&rows, i, 2));

		/* A failed verification left alone holds its subject no longer than a draft. */
		rc = order_move(db, id, from, ORDER_EXPIRED, strtoll(db_cell(&rows, i, 1), NULL, 10),
				ORDER_BY_SYSTEM);
		if (rc == ORDER_STALE)
			continue;
		if (rc == DB_OK)
			rc = order_event(db, id, "expired", from, ORDER_EXPIRED, "system", 0, true, "");
		if (rc != DB_OK)
			return rc;
		e->expired++;
	}
	return DB_OK;
}

void wizard_expire_drafts(struct app *app)
{
	static time_t last;
	time_t now = time(NULL);

	/* Once a minute per worker is plenty for a TTL counted in hours; a clock set back
	 * starts the count again. */
	if (last && now >= last && now - last < 60)
		return;
	last = now;
	for (int b = 0; b < EXPIRE_BATCHES; b++) {
		struct expire e = { .app = app };
		int rc = db_tx(&app->db, expire_tx, &e);

		if (rc != DB_OK) {
			log_warn("draft expiry stopped: %s", app->db.last_error);
			return;
		}
		if (e.expired)
			log_info("expired %zu drafts untouched for %d hours", e.expired,
				 app->conf.draft_ttl_hours);
		if (e.found < EXPIRE_BATCH)
			return;
	}
}
