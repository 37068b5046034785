/* review: the inspection of a damaged key sent in (002 七.损坏补办), recorded by a reviewer. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "base/strlist.h"
#include "base/valid.h"
#include "domain/fees.h"
#include "domain/order.h"
#include "domain/payment.h"
#include "domain/rules.h"
#include "review.h"

/*
 * POST /api/review/orders/:no/inspection {"version", "result": "defect" | "no_defect", "note"}
 * 002: "证书通过检测认定为介质质量问题的……证书介质在质保期内的：证书免费办理"; "用户损坏补办时需
 * 携带原有数字证书介质USBkey进行检测鉴定，属于质量问题并在质保期内的可以免费办理，非质量问题的或已经
 * 超过质保期的需要支付证书介质费用". The order waits in awaiting_key. The warranty ("证书介质质保期为
 * 一年，自证书初次发放日起计算") runs from the certificate's first issue to the day the order was
 * signed: the days the parcel travels do not cost the applicant the warranty. Free (a defect
 * within it, at a hall whose fee row replaces it free): the quote made again, 0, and the order
 * goes where a paid one goes (payment_next_state); otherwise the media fee is quoted again and
 * the order waits for it in pending_payment, paid in the portal as any fee.
 */

#define NOTE_MAX 200

static const char sql_target[] =
	"SELECT DATE_FORMAT(first_issued, '%Y-%m-%d'), has_seal FROM certificates WHERE id = ?";
static const char sql_record[] =
	"UPDATE orders SET key_defect = ?, key_in_warranty = ?, key_inspected_at = NOW(3), "
	"key_inspected_by = ?, amount_fen = ?, quote_json = ? WHERE id = ?";

static bool is_result(const char *s)
{
	return strcmp(s, "defect") == 0 || strcmp(s, "no_defect") == 0;
}

struct review_inspect_in {
	const char *result, *note;
};

static const struct req_field inspect_fields[] = {
	{ "result", true, 9, is_result,
	  "检测结论（result）应为 defect（属于介质质量问题）或 no_defect（不属于介质质量问题）。",
	  offsetof(struct review_inspect_in, result) },
	{ "note", false, NOTE_MAX, NULL, "检测说明（note）最多 200 个字，且不能含有控制字符。",
	  offsetof(struct review_inspect_in, note) },
};

struct inspection {
	struct req *r;
	const struct order *o;
	long long version;
	bool defect, in_warranty, free;
	bool due;                    /* a fee is left to pay */
	long long amount_fen;
	char *quote;                 /* quote_json, malloc'd */
	const char *note;            /* the reviewer's, "" none */
	const char *result, *event_note, *audit;
	enum order_state to;
	bool stale;
};

static int inspect_tx(struct db *db, void *p)
{
	struct inspection *in = p;
	struct req *r = in->r;
	const struct order *o = in->o;
	char yuan[24];
	json_t *params;
	int rc;

	in->stale = false;
	rc = review_move(db, r, o, ORDER_AWAITING_KEY, in->to, ORDER_BY_REVIEWER, in->version,
			 "key_inspected", in->event_note);
	if (rc == ORDER_STALE) {
		in->stale = true;
		return DB_ERR;
	}
	if (rc == DB_OK)
		rc = db_exec(db, sql_record,
			     DB_ARGS(DB_I64(in->defect), DB_I64(in->in_warranty), DB_I64(r->auth.id),
				     DB_I64(in->amount_fen), DB_STR(in->quote), DB_I64(o->id)),
			     NULL, NULL);
	if (rc == DB_OK)
		rc = review_audit(db, r, o->id, o->no, "key_inspected", in->audit);
	if (rc != DB_OK)
		return rc;
	valid_money_format(in->amount_fen, yuan, sizeof(yuan));
	params = in->due ? json_pack("{s:s, s:s}", "result", in->result, "amount", yuan)
			 : json_pack("{s:s}", "result", in->result);
	rc = params ? review_notify(db, r, o, in->due ? "key_inspected_fee" : "key_inspected_free",
				    params)
		    : DB_ERR;
	json_decref(params);
	return rc;
}

/* Whether the certificate was within its media warranty on the day the order was signed. */
static bool in_warranty(const char *first_issued, const char *submitted_at)
{
	struct rules_date first, signed_on;
	char day[11];

	if (!submitted_at || strlen(submitted_at) < 10)
		return false;
	memcpy(day, submitted_at, 10);
	day[10] = '\0';
	return rules_date_parse(first_issued, &first) && rules_date_parse(day, &signed_on) &&
	       rules_in_warranty(first, signed_on);
}

/* The result in words, for the applicant and the trail. */
static const char *result_text(const struct inspection *in)
{
	if (!in->defect)
		return "不属于介质质量问题";
	if (!in->in_warranty)
		return "属于介质质量问题，但已超过介质质保期（自证书初次发放日起一年）";
	return in->free ? "属于介质质量问题，且在介质质保期内" : "属于介质质量问题";
}

/* The fee the inspection leaves due: the quote made again from the hall's row. Returns 0, or
 * -1 answered. */
static int requote(struct req *r, const struct order *o, bool has_seal, struct inspection *in)
{
	struct rules_quote q;
	struct rules_fee fee;
	json_t *j;
	int rc = fees_find(&r->app->db, r->arena, o->channel_code, o->business, o->kind, &fee);

	if (rc == FEES_NONE)
		return resp_error(r, ERR_NOT_OFFERED, NULL,
				  "该渠道已不再办理损坏补办，无法按检测结论计费，请联系营业厅管理员。");
	if (rc != DB_OK)
		return app_db_error(r, rc);
	in->free = in->defect && in->in_warranty && fee.warranty_free;
	if (rules_quote(&fee, o->years, has_seal, in->free, &q) != RULES_OK) {
		log_rid(LOG_ERROR, r->rid, "order %s: the damaged fee row does not price %d years",
			o->no, o->years);
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	}
	in->amount_fen = q.total_fen;
	j = fees_quote_json(&q);
	if (j && !in->free && q.total_fen > 0)
		json_object_set_new(j, "note", json_string("经检测，需支付证书介质费用（002：非质量问题的或已"
							   "经超过质保期的需要支付证书介质费用）。"));
	in->quote = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	if (!in->quote)
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	return 0;
}

static int record(struct req *r, const struct order *o, struct inspection *in)
{
	char yuan[24];
	int rc;

	valid_money_format(in->amount_fen, yuan, sizeof(yuan));
	in->due = !in->free && in->amount_fen > 0;
	in->to = in->due ? ORDER_PENDING_PAYMENT
			 : payment_next_state(o->flow, order_by_mail(o), o->renew_mode);
	in->result = result_text(in);
	in->event_note = !in->due
				 ? arena_printf(r->arena, "检测结论：%s，免费办理%s%s", in->result,
						in->note[0] ? "；说明：" : "", in->note)
				 : arena_printf(r->arena, "检测结论：%s，需支付证书介质费 %s 元%s%s",
						in->result, yuan, in->note[0] ? "；说明：" : "", in->note);
	in->audit = arena_printf(r->arena, "%s, %s warranty, %s yuan; %s -> %s%s%s",
				 in->defect ? "defect" : "no_defect", in->in_warranty ? "in" : "out of",
				 yuan, order_state_str(ORDER_AWAITING_KEY), order_state_str(in->to),
				 in->note[0] ? ": " : "", in->note);
	if (!in->event_note || !in->audit)
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	rc = db_tx(&r->app->db, inspect_tx, in);
	if (in->stale)
		return review_conflict(r);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	resp_json(r, 200, json_pack("{s:s, s:s, s:I, s:s, s:{s:b, s:b, s:b}}", "order_no", o->no,
				    "state", order_state_str(in->to), "version",
				    (json_int_t)(in->version + 1), "amount", yuan, "key_inspection",
				    "defect", in->defect, "in_warranty", in->in_warranty, "free",
				    in->free));
	return 0;
}

int review_inspection(struct req *r)
{
	struct review_inspect_in fields;
	struct inspection in = { .r = r };
	struct db_rows t;
	struct order o;
	json_t *body;
	int rc;

	if (review_begin(r, &o, &body, &in.version) < 0 ||
	    REQ_FIELDS(r, body, inspect_fields, &fields) < 0)
		return -1;
	if (o.state != ORDER_AWAITING_KEY || !o.target_cert_id)
		return review_wrong_state(r, &o, "只有待寄回原介质检测的损坏补办订单可以登记检测结论。");
	rc = db_query(&r->app->db, r->arena, sql_target, DB_ARGS(DB_I64(o.target_cert_id)), &t);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (t.nrows != 1)
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	in.o = &o;
	in.defect = str_is(fields.result, "defect");
	in.note = fields.note ? fields.note : "";
	in.in_warranty = in_warranty(db_cell(&t, 0, 0), o.submitted_at);
	if (requote(r, &o, str_is(db_cell(&t, 0, 1), "1"), &in) < 0)
		return -1;
	rc = record(r, &o, &in);
	free(in.quote);
	return rc;
}
