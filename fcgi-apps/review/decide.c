/* review: decisions: a material accepted or rejected; an order approved, returned for
 * supplement, or rejected for good (shared/domain/order.h). */
#include <stdlib.h>
#include <string.h>

#include "base/strlist.h"
#include "web/auth.h"
#include "domain/order.h"
#include "domain/smsfit.h"
#include "review.h"
#include "base/valid.h"

#define NOTE_MAX 200
#define EDITABLE_MAX 300 /* orders.editable */
#define SMS_REASON_MAX 240

static const char sql_lock_order[] = "SELECT state FROM orders WHERE id = ? FOR UPDATE";
/* The current version of each page of a material (older versions, and a page withdrawn,
 * are 'replaced'): a decision covers them all. */
static const char sql_latest[] =
	"SELECT m.id, m.version, m.state, m.page FROM materials m WHERE m.order_id = ? AND m.material = ? "
	"AND m.state <> 'replaced' ORDER BY m.page FOR UPDATE";
static const char sql_set_material[] =
	"UPDATE materials SET state = ?, reject_reason = ? WHERE id = ?";
/* Each material of the order, over the current version of each page: whether a page of it
 * is rejected, the reason, its name. */
static const char sql_materials[] =
	"SELECT m.material, MAX(m.state = 'rejected'), "
	"COALESCE(MAX(IF(m.state = 'rejected', m.reject_reason, NULL)), ''), k.name FROM materials m "
	"JOIN material_kinds k ON k.code = m.material WHERE m.order_id = ? AND m.state <> 'replaced' "
	"GROUP BY m.material, k.name, k.sort ORDER BY k.sort";
static const char sql_accept_pending[] =
	"UPDATE materials SET state = 'accepted' WHERE order_id = ? AND state = 'pending'";
static const char sql_returned[] =
	"UPDATE orders SET return_state = ?, editable = ? WHERE id = ?";
static const char sql_paid[] =
	"SELECT COUNT(*) FROM payments WHERE order_id = ? AND state = 'paid'";
static const char sql_refunding[] =
	"UPDATE payments SET state = 'refunding', version = version + 1 WHERE order_id = ? AND state = 'paid'";

/* The data steps a reviewer may send back for editing (fcgi-apps/wizard/wizard.h). */
static const char *const edit_steps[] = { "enterprise", "handler", "applicant", "financial",
					  "change", "product" };


static bool is_material_decision(const char *s)
{
	return str_is(s, "accept") || str_is(s, "reject");
}

static bool is_order_decision(const char *s)
{
	return str_is(s, "approve") || str_is(s, "return") || str_is(s, "reject");
}

static bool is_material_code(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= 32 && strspn(s, "abcdefghijklmnopqrstuvwxyz_") == n;
}

/* ---- POST /api/review/orders/:no/materials/:material */

struct mat {
	struct req *r;
	const struct order *o;
	const char *material, *state, *reason;
	long long id, version; /* of page 1 (or the first page there is) */
	int pages;             /* the pages decided */
	enum err_code refused;
};

static int material_tx(struct db *db, void *p)
{
	struct mat *m = p;
	struct req *r = m->r;
	struct db_rows rows;
	const char *versions;
	int rc;

	m->refused = ERR__COUNT;
	/* Decided under the order's lock: an order decision cannot slip in between. */
	rc = db_query(db, r->arena, sql_lock_order, DB_ARGS(DB_I64(m->o->id)), &rows);
	if (rc != DB_OK)
		return rc;
	if (rows.nrows != 1 || !order_is(order_state_parse(db_cell(&rows, 0, 0)), ORDER_IN_REVIEW)) {
		m->refused = ERR_WRONG_STATE;
		return DB_ERR;
	}
	rc = db_query(db, r->arena, sql_latest, DB_ARGS(DB_I64(m->o->id), DB_STR(m->material)), &rows);
	if (rc != DB_OK)
		return rc;
	if (rows.nrows < 1) {
		m->refused = ERR_NOT_FOUND;
		return DB_ERR;
	}
	m->id = strtoll(db_cell(&rows, 0, 0), NULL, 10);
	m->version = strtoll(db_cell(&rows, 0, 1), NULL, 10);
	m->pages = (int)rows.nrows;
	/* One page: "code v3", as before pages; several: "code p1 v2 p2 v1". */
	versions = arena_printf(r->arena, "v%s", db_cell(&rows, 0, 1));
	if (rows.nrows > 1)
		versions = "";
	for (size_t i = 0; i < rows.nrows; i++) {
		rc = db_exec(db, sql_set_material,
			     DB_ARGS(DB_STR(m->state), DB_STR(m->reason),
				     DB_I64(strtoll(db_cell(&rows, i, 0), NULL, 10))), NULL, NULL);
		if (rc != DB_OK)
			return rc;
		if (rows.nrows > 1)
			versions = arena_printf(r->arena, "%s%sp%s v%s", versions, i ? " " : "",
						db_cell(&rows, i, 3), db_cell(&rows, i, 1));
	}
	return review_audit(db, r, m->o->id, m->o->no,
			    str_is(m->state, "accepted") ? "material_accept" : "material_reject",
			    arena_printf(r->arena, "%s %s%s%s", m->material, versions,
					 m->reason[0] ? ": " : "", m->reason));
}

/* The reason in words: the code's text, and the reviewer's note after it. */
static const char *reason_words(struct req *r, const char *text, const char *note)
{
	if (!note || !note[0])
		return text;
	return arena_printf(r->arena, "%s（%s）", text, note);
}

/* A material's verdict and the order's give their reasons alike. */
#define REASON_FIELDS(in_type) \
	{ "reason_code", false, 3, NULL, "原因代码（reason_code）应为 3 位数字。", \
	  offsetof(in_type, reason_code) }, \
	{ "note", false, NOTE_MAX, NULL, "审核说明（note）最多 200 个字，且不能含有控制字符。", \
	  offsetof(in_type, note) }

struct review_material_in {
	const char *decision, *reason_code, *note;
};

static const struct req_field material_fields[] = {
	{ "decision", true, 8, is_material_decision,
	  "审核结论（decision）应为 accept（通过）或 reject（驳回）。",
	  offsetof(struct review_material_in, decision) },
	REASON_FIELDS(struct review_material_in),
};

int review_material(struct req *r)
{
	struct review_material_in in;
	const char *text = NULL;
	struct order o;
	struct mat m = { 0 };
	json_t *body;
	int rc;

	if (review_body(r, &body, false, NULL) < 0 ||
	    REQ_FIELDS(r, body, material_fields, &in) < 0 ||
	    review_find_order(r, r->params[0], &o) < 0)
		return -1;
	if (!is_material_code(r->params[1]))
		return resp_error(r, ERR_NOT_FOUND, "material", "该订单没有这项材料。");
	if (!order_is(o.state, ORDER_IN_REVIEW))
		return review_wrong_state(r, &o, "只有待预审、审核中或纸质材料审核中的订单可以审核材料。");
	if (str_is(in.decision, "reject") &&
	    review_reason(r, "reason_code", in.reason_code, "material", &text) < 0)
		return -1;
	m = (struct mat){ .r = r, .o = &o, .material = r->params[1],
			  .state = str_is(in.decision, "accept") ? "accepted" : "rejected",
			  .reason = text ? reason_words(r, text, in.note) : "" };
	rc = db_tx(&r->app->db, material_tx, &m);
	if (m.refused == ERR_WRONG_STATE)
		return review_conflict(r);
	if (m.refused == ERR_NOT_FOUND)
		return resp_error(r, ERR_NOT_FOUND, "material", "该订单没有上传这项材料。");
	if (rc != DB_OK)
		return app_db_error(r, rc);
	resp_json(r, 200, json_pack("{s:s, s:{s:I, s:s, s:I, s:i, s:s, s:s}}", "order_no", o.no, "material",
				    "id", (json_int_t)m.id, "kind", m.material, "version",
				    (json_int_t)m.version, "pages", m.pages, "state", m.state,
				    "reject_reason", m.reason));
	return 0;
}

/* ---- POST /api/review/orders/:no/decision */

static const char sql_set_fee[] =
	"UPDATE orders SET amount_fen = ?, quote_json = JSON_OBJECT('complete', TRUE, 'total_fen', ?, "
	"'note', '费用由预审人员按认证机构报价确认') WHERE id = ? AND amount_fen IS NULL";

static bool is_money(const char *s)
{
	int64_t fen;

	return valid_money(s, &fen);
}

struct dec {
	struct req *r;
	const struct order *o;
	const char *decision, *reason, *steps, *note;
	long long version;
	enum order_state to;      /* the state the order ends in */
	long long new_version;
	bool stale;
	const char *blocked;      /* approve refused: the names of rejected materials */
	long long fee_fen;        /* pre-review pass of an unpriced order: the fee staff state; -1 none */
	bool nothing_editable;
	enum four_eyes_step eyes; /* what the approval was, read before the transaction */
	bool same_approver;       /* four-eyes: this reviewer made the first approval */
};

/* Latest materials: the names of those rejected into *rejected (", "), their codes into
 * *codes (","), and their reasons in words into *words. */
static int rejected_materials(struct db *db, struct dec *d, const char **rejected,
			      const char **codes, const char **words)
{
	struct req *r = d->r;
	struct db_rows rows;
	int rc = db_query(db, r->arena, sql_materials, DB_ARGS(DB_I64(d->o->id)), &rows);

	*rejected = *codes = *words = "";
	if (rc != DB_OK)
		return rc;
	for (size_t i = 0; i < rows.nrows; i++) {
		if (!str_is(db_cell(&rows, i, 1), "1"))
			continue;
		*rejected = arena_printf(r->arena, "%s%s%s", *rejected, (*rejected)[0] ? "、" : "",
					 db_cell(&rows, i, 3));
		*codes = arena_printf(r->arena, "%s%s%s", *codes, (*codes)[0] ? "," : "",
				      db_cell(&rows, i, 0));
		*words = arena_printf(r->arena, "%s%s%s：%s", *words, (*words)[0] ? "；" : "",
				      db_cell(&rows, i, 3), db_cell(&rows, i, 2));
		if (!*rejected || !*codes || !*words)
			return DB_ERR;
	}
	return DB_OK;
}

/* At most max bytes of s, by whole sentences (domain/smsfit.h). */
static const char *cut(struct req *r, const char *s, size_t max)
{
	char *out = arena_alloc(r->arena, max + 1);

	return out ? smsfit_text(out, max + 1, s, max) : s;
}

/* Four-eyes, under the order's lock: what was read before must still hold (a first approval
 * made meanwhile by another is a conflict: its version moved). The first approval is recorded
 * and the order stays; the second goes on to approve. */
static int four_eyes(struct db *db, struct dec *d)
{
	struct review_four_eyes fe;
	int rc = review_four_eyes(db, d->r, d->o, true, &fe);

	if (rc != DB_OK)
		return rc;
	if (fe.step == FOUR_EYES_SAME) {
		d->same_approver = true;
		return DB_ERR;
	}
	if (fe.step != d->eyes)
		return ORDER_STALE;
	if (fe.step != FOUR_EYES_FIRST)
		return DB_OK;
	d->to = d->o->state;
	rc = review_four_eyes_first(db, d->r, d->o, d->version);
	if (rc == DB_OK)
		d->new_version = d->version + 1;
	return rc;
}

static int approve(struct db *db, struct dec *d)
{
	struct req *r = d->r;
	const struct order *o = d->o;
	const char *rejected, *codes, *words;
	json_t *params;
	int rc = rejected_materials(db, d, &rejected, &codes, &words);

	if (rc != DB_OK)
		return rc;
	if (rejected[0]) {
		d->blocked = rejected;
		return DB_ERR;
	}
	if (d->eyes != FOUR_EYES_NONE) {
		rc = four_eyes(db, d);
		if (rc != DB_OK || d->eyes == FOUR_EYES_FIRST)
			return rc;
	}
	rc = db_exec(db, sql_accept_pending, DB_ARGS(DB_I64(o->id)), NULL, NULL);
	if (rc != DB_OK)
		return rc;
	if (o->state == ORDER_PRE_REVIEW) {
		long long fee = o->amount_fen >= 0 ? o->amount_fen : d->fee_fen;

		/* The guide prints no price (004 prices only the seal re-make): the pre-reviewer
		 * states the CA's fee, and the applicant pays that. */
		if (o->amount_fen < 0) {
			rc = db_exec(db, sql_set_fee,
				     DB_ARGS(DB_I64(fee), DB_I64(fee), DB_I64(o->id)), NULL, NULL);
			if (rc != DB_OK)
				return rc;
		}
		/* 004: pre-review passed -> pay (when there is something to pay) -> mail the paper. */
		d->to = fee > 0 ? ORDER_PENDING_PAYMENT : ORDER_AWAITING_PAPER;
		rc = review_move(db, r, o, o->state, d->to, ORDER_BY_REVIEWER, d->version,
				 "pre_review_passed", d->note);
		if (rc != DB_OK)
			return rc;
		d->new_version = d->version + 1;
		params = json_pack("{s:s}", "next_step",
				   fee > 0 ? "请登录网上营业厅完成支付，之后按提示寄送纸质材料"
						     : "请将签字盖章的纸质材料寄出，并在网上营业厅填写快递运单号");
		rc = review_notify(db, r, o, "pre_review_passed", params);
		json_decref(params);
		return rc;
	}
	d->to = ORDER_APPROVED;
	rc = review_move(db, r, o, o->state, d->to, ORDER_BY_REVIEWER, d->version, "approved",
			 d->note);
	if (rc != DB_OK)
		return rc;
	rc = review_approved(db, r, o, d->version + 1, &d->to);
	d->new_version = d->version + (d->to == ORDER_DONE ? 2 : 1);
	return rc;
}

static int send_back(struct db *db, struct dec *d)
{
	struct req *r = d->r;
	const struct order *o = d->o;
	const char *rejected, *codes, *words, *editable, *why;
	json_t *params;
	int rc = rejected_materials(db, d, &rejected, &codes, &words);

	if (rc != DB_OK)
		return rc;
	editable = arena_printf(r->arena, "%s%s%s", codes, codes[0] && d->steps[0] ? "," : "",
				d->steps);
	if (!editable)
		return DB_ERR;
	if (!editable[0]) {
		d->nothing_editable = true;
		return DB_ERR;
	}
	if (strlen(editable) > EDITABLE_MAX)
		return DB_ERR;
	d->to = ORDER_RETURNED;
	rc = review_move(db, r, o, o->state, d->to, ORDER_BY_REVIEWER, d->version, "returned",
			 d->reason);
	if (rc == DB_OK)
		rc = db_exec(db, sql_returned,
			     DB_ARGS(DB_STR(order_state_str(o->state)), DB_STR(editable), DB_I64(o->id)),
			     NULL, NULL);
	if (rc != DB_OK)
		return rc;
	d->new_version = d->version + 1;
	why = words[0] ? arena_printf(r->arena, "%s；%s", d->reason, words) : d->reason;
	params = json_pack("{s:s}", "reason", cut(r, why ? why : d->reason, SMS_REASON_MAX));
	rc = review_notify(db, r, o, "order_rejected", params);
	json_decref(params);
	return rc;
}

static int refuse(struct db *db, struct dec *d)
{
	struct req *r = d->r;
	const struct order *o = d->o;
	struct db_rows rows;
	json_t *params;
	bool paid;
	int rc = db_query(db, r->arena, sql_paid, DB_ARGS(DB_I64(o->id)), &rows);

	if (rc != DB_OK)
		return rc;
	/* Final. What was paid goes back: the order waits for finance in refunding. */
	paid = strtoll(db_cell(&rows, 0, 0), NULL, 10) > 0;
	d->to = paid ? ORDER_REFUNDING : ORDER_CANCELLED;
	rc = review_move(db, r, o, o->state, d->to, ORDER_BY_REVIEWER, d->version, "cancelled",
			 d->reason);
	if (rc == DB_OK && paid)
		rc = db_exec(db, sql_refunding, DB_ARGS(DB_I64(o->id)), NULL, NULL);
	if (rc != DB_OK)
		return rc;
	d->new_version = d->version + 1;
	params = json_pack("{s:s, s:s}", "reason", cut(r, d->reason, SMS_REASON_MAX), "refund_hint",
			   paid ? "已支付的费用将原路退回，请留意退款到账。" : "");
	rc = review_notify(db, r, o, "order_refused", params);
	json_decref(params);
	return rc;
}

static int decision_tx(struct db *db, void *p)
{
	struct dec *d = p;
	int rc;

	d->stale = false;
	d->blocked = NULL;
	d->nothing_editable = false;
	d->same_approver = false;
	if (str_is(d->decision, "approve"))
		rc = approve(db, d);
	else if (str_is(d->decision, "return"))
		rc = send_back(db, d);
	else
		rc = refuse(db, d);
	/* Sent back or refused: a first approval no longer counts. */
	if (rc == DB_OK && !str_is(d->decision, "approve"))
		rc = review_four_eyes_clear(db, d->o->id);
	if (rc == ORDER_STALE) {
		d->stale = true;
		return DB_ERR;
	}
	if (rc == DB_OK)
		rc = review_claim_clear(db, d->o->id);
	if (rc == DB_OK)
		rc = review_audit(db, d->r, d->o->id, d->o->no,
				  d->eyes == FOUR_EYES_FIRST ? "approve_first" : d->decision,
				  arena_printf(d->r->arena, "%s -> %s%s%s", order_state_str(d->o->state),
					       order_state_str(d->to),
					       d->reason ? ": " : "", d->reason ? d->reason : ""));
	return rc;
}

/* "steps": [names] -> "a,b" of known data steps; -1 answered. */
static int steps_of(struct req *r, json_t *body, const char **out)
{
	json_t *list = json_object_get(body, "steps"), *v;
	const char *s = "";
	size_t i;

	*out = "";
	if (!list)
		return 0;
	if (!json_is_array(list) || json_array_size(list) > 6)
		return resp_error(r, ERR_INVALID_FIELD, "steps",
				  "需修改的步骤（steps）应为步骤名称的列表，最多 6 项。");
	json_array_foreach(list, i, v) {
		const char *name = json_string_value(v);
		bool known = false;

		for (size_t k = 0; name && k < sizeof(edit_steps) / sizeof(edit_steps[0]); k++)
			known |= str_is(name, edit_steps[k]);
		if (!known)
			return resp_error(r, ERR_INVALID_FIELD, "steps",
					  "需修改的步骤（steps）只能是 enterprise、handler、applicant、financial、"
					  "change 或 product。");
		if (!strstr(s, name))
			s = arena_printf(r->arena, "%s%s%s", s, s[0] ? "," : "", name);
	}
	*out = s ? s : "";
	return 0;
}

static const char sql_target[] = "SELECT state, COALESCE(pem, '') FROM certificates WHERE id = ?";

/* A revocation order's approval revokes the certificate at the CA (cessationOfOperation)
 * before the approval is recorded, when the approval is the one that revokes: not a pre-review,
 * not one the rejected materials will refuse. A conflicting decision that wins the race after
 * this leaves the certificate revoked at the CA as its holder asked and the order to decide
 * again. *kind: as review_ca_revoke. Returns 0, or -1 answered. */
static int revoke_first(struct dec *d, enum cert_key *kind)
{
	struct req *r = d->r;
	const struct order *o = d->o;
	const char *rejected, *codes, *words;
	struct db_rows rows;
	int rc;

	*kind = CERT_KEY_OTHER;
	if (!str_is(d->decision, "approve") || !str_is(o->business, "revoke") || !o->target_cert_id ||
	    o->state == ORDER_PRE_REVIEW || d->eyes == FOUR_EYES_FIRST)
		return 0;
	rc = rejected_materials(&r->app->db, d, &rejected, &codes, &words);
	if (rc == DB_OK && rejected[0])
		return 0;
	if (rc == DB_OK)
		rc = db_query(&r->app->db, r->arena, sql_target, DB_ARGS(DB_I64(o->target_cert_id)), &rows);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (rows.nrows != 1)
		return 0;
	return review_ca_revoke(r, o, db_cell(&rows, 0, 0), db_cell(&rows, 0, 1),
				CA_REASON_CESSATION_OF_OPERATION, kind);
}

struct review_decision_in {
	const char *decision, *reason_code, *note, *amount;
};

static const struct req_field decision_fields[] = {
	{ "decision", true, 8, is_order_decision,
	  "审核结论（decision）应为 approve（通过）、return（退回补正）或 reject（驳回，终止办理）。",
	  offsetof(struct review_decision_in, decision) },
	REASON_FIELDS(struct review_decision_in),
	{ "amount", false, 12, is_money, "费用（amount）应为以元为单位的金额，如 260 或 260.00。",
	  offsetof(struct review_decision_in, amount) },
};

int review_decision(struct req *r)
{
	struct review_decision_in in;
	const char *text = NULL;
	int64_t fee = -1;
	struct order o;
	struct dec d = { 0 };
	enum cert_key revoked = CERT_KEY_OTHER;
	json_t *body;
	long long version = 0;
	int rc;

	if (review_body(r, &body, true, &version) < 0 ||
	    REQ_FIELDS(r, body, decision_fields, &in) < 0)
		return -1;
	d.steps = "";
	if (str_is(in.decision, "return") && steps_of(r, body, &d.steps) < 0)
		return -1;
	if (review_find_order(r, r->params[0], &o) < 0)
		return -1;
	/* Moved since the client looked: whatever it is now, the decision was about another. */
	if (version != o.version)
		return review_conflict(r);
	if (!order_is(o.state, ORDER_IN_REVIEW) &&
	    !(str_is(in.decision, "reject") && o.state == ORDER_AWAITING_PAPER))
		return review_wrong_state(r, &o, str_is(in.decision, "reject")
			? "只有待预审、审核中、待寄送或审核中的纸质材料阶段的订单可以驳回。"
			: "只有待预审、审核中或纸质材料审核中的订单可以作出审核结论。");
	if (!str_is(in.decision, "approve") &&
	    review_reason(r, "reason_code", in.reason_code, NULL, &text) < 0)
		return -1;
	if (str_is(in.decision, "approve") && o.state == ORDER_PRE_REVIEW && o.amount_fen < 0) {
		if (!in.amount)
			return resp_error(r, ERR_MISSING_FIELD, "amount",
					  "该订单的费用由预审确定：预审通过时请填写认证机构确认的费用（amount，元）。");
		valid_money(in.amount, &fee);
	}
	d = (struct dec){ .r = r, .o = &o, .decision = in.decision, .version = version,
			  .steps = d.steps, .reason = text ? reason_words(r, text, in.note) : NULL,
			  .note = in.note ? in.note : "",
			  .fee_fen = fee };
	if (str_is(in.decision, "approve")) {
		struct review_four_eyes fe;

		rc = review_four_eyes(&r->app->db, r, &o, false, &fe);
		if (rc != DB_OK)
			return app_db_error(r, rc);
		if (fe.step == FOUR_EYES_SAME)
			return resp_error(r, ERR_SECOND_APPROVER, NULL, NULL);
		d.eyes = fe.step;
	}
	if (revoke_first(&d, &revoked) < 0)
		return -1;
	rc = db_tx(&r->app->db, decision_tx, &d);
	if (rc == DB_OK)
		review_crl_refresh(r, &o, revoked);
	if (d.stale)
		return review_conflict(r);
	if (d.same_approver)
		return resp_error(r, ERR_SECOND_APPROVER, NULL, NULL);
	if (d.blocked)
		return resp_error(r, ERR_CONFLICT, NULL,
				  arena_printf(r->arena, "以下材料已被驳回：%s。请退回申请人补正，或先将这些材料改为通过后再审核通过。",
					       d.blocked));
	if (d.nothing_editable)
		return resp_error(r, ERR_MISSING_FIELD, "steps",
				  "退回补正时，请至少驳回一项材料，或在 steps 中指明需要申请人修改的步骤。");
	if (rc != DB_OK)
		return app_db_error(r, rc);
	/* four_eyes: "first" (the order waits for a second approver), "second", or null. */
	resp_json(r, 200, json_pack("{s:s, s:s, s:s, s:I, s:s?}", "order_no", o.no, "decision",
				    in.decision, "state", order_state_str(d.to), "version",
				    (json_int_t)d.new_version, "four_eyes",
				    d.eyes == FOUR_EYES_FIRST ? "first"
				    : d.eyes == FOUR_EYES_SECOND ? "second" : NULL));
	return 0;
}
