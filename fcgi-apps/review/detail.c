/* review: GET /api/review/orders/:no: the order in full for staff (every step's data opened,
 * verifications, payments, materials, waybills, events). Each view is on the audit trail.
 * Shipping staff get the parcel's address and recipient in full, other personal numbers masked. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web/auth.h"
#include "crypto/crypto.h"
#include "domain/fincheck.h"
#include "domain/mask.h"
#include "domain/order.h"
#include "base/log.h"
#include "base/strlist.h"
#include "review.h"
#include "base/valid.h"


static const char sql_order[] =
	"SELECT c.name, COALESCE(o.verify_method, ''), COALESCE(o.handler_method, ''), "
	DB_ISO("o.created_at") ", " DB_ISO("o.updated_at") ", " DB_ISO("o.submitted_at") ", " DB_ISO("o.paid_at")
	", " DB_ISO("o.signed_at") ", COALESCE(o.queue, ''), DATE_FORMAT(o.submitted_at, '%Y-%m-%d'), "
	"DATE_FORMAT(CURDATE(), '%Y-%m-%d') "
	"FROM orders o JOIN channels c ON c.id = o.channel_id WHERE o.id = ?";
static const char sql_verifications[] =
	"SELECT subject, method, state, message, " DB_ISO("created_at") ", " DB_ISO("decided_at")
	" FROM verifications WHERE order_id = ? ORDER BY id";
static const char sql_payments[] =
	"SELECT p.method, p.amount_fen, p.pay_no, p.state, " DB_ISO("p.created_at") ", " DB_ISO("p.paid_at")
	", s.display_name FROM payments p LEFT JOIN staff s ON s.id = p.confirmed_by "
	"WHERE p.order_id = ? ORDER BY p.id";
static const char sql_materials[] =
	"SELECT m.id, m.material, k.name, m.version, m.state, m.reject_reason, m.width, m.height, "
	"m.bytes, m.original_name, " DB_ISO("m.created_at") ", "
	"m.state <> 'replaced', m.qr_state, m.seal_state, m.ink_pm, m.sharpness, m.paper, "
	"m.area_pct, m.page, "
	/* The page's name from the kind's list ("背面（国徽面）"), NULL past its end. */
	"IF(m.page <= 1 + CHAR_LENGTH(k.page_names) - CHAR_LENGTH(REPLACE(k.page_names, ',', '')), "
	"SUBSTRING_INDEX(SUBSTRING_INDEX(k.page_names, ',', m.page), ',', -1), NULL) "
	"FROM materials m JOIN material_kinds k ON k.code = m.material WHERE m.order_id = ? "
	"ORDER BY k.sort, m.page, m.version DESC";
static const char sql_events[] =
	"SELECT " DB_ISO("e.at") ", e.kind, e.state_from, e.state_to, e.actor_type, e.note, e.public, "
	"s.display_name FROM order_events e "
	"LEFT JOIN staff s ON e.actor_type = 'staff' AND s.id = e.actor_id "
	"WHERE e.order_id = ? ORDER BY e.at, e.id LIMIT 1000";
static const char sql_waybills[] =
	"SELECT direction, carrier, number, last_state, " DB_ISO("created_at") " FROM waybills "
	"WHERE order_id = ? ORDER BY id";
static const char sql_claim[] =
	"SELECT s.display_name, " DB_ISO("c.claimed_at") ", c.staff_id FROM review_claims c "
	"JOIN staff s ON s.id = c.staff_id WHERE c.order_id = ? "
	"AND c.claimed_at >= NOW(3) - " REVIEW_CLAIM_SPAN;
static const char sql_target[] =
	"SELECT serial, kind, holder_name, state, DATE_FORMAT(not_before, '%Y-%m-%d'), "
	"DATE_FORMAT(not_after, '%Y-%m-%d'), DATE_FORMAT(first_issued, '%Y-%m-%d'), has_seal "
	"FROM certificates WHERE id = ?";
static const char sql_issued[] =
	"SELECT serial, state, DATE_FORMAT(not_before, '%Y-%m-%d'), DATE_FORMAT(not_after, '%Y-%m-%d') "
	"FROM certificates WHERE order_id = ? ORDER BY id";

/* A string cell or JSON null. */
static json_t *s_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* Rows of a query as an array of objects named by names[] (NULL cells as null). */
static int rows_json(struct req *r, const char *sql, long long id, const char *const *names,
		     size_t n, json_t **out)
{
	struct db_rows rows;
	int rc = db_query(&r->app->db, r->arena, sql, DB_ARGS(DB_I64(id)), &rows);

	*out = json_array();
	if (rc != DB_OK || !*out)
		return rc != DB_OK ? rc : DB_ERR;
	for (size_t i = 0; i < rows.nrows; i++) {
		json_t *o = json_object();

		for (size_t c = 0; o && c < n && c < rows.ncols; c++)
			json_object_set_new(o, names[c], s_or_null(db_cell(&rows, i, c)));
		json_array_append_new(*out, o);
	}
	return DB_OK;
}

/* What the upload's scan checks found (fcgi-apps/upload/checks.c), in words for the reviewer:
 * null where a check did not run (older uploads, kinds without it). */
static json_t *scan_checks(const struct db_rows *m, size_t i)
{
	const char *qr = db_cell(m, i, 12), *seal = db_cell(m, i, 13);

	return json_pack("{s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?}", "qr", qr, "qr_text",
			 qr && strcmp(qr, "verified") == 0 ? "二维码已核验" : NULL, "seal", seal, "seal_text",
			 !seal ? NULL : strcmp(seal, "found") == 0 ? "已识别到红色印章" : "未识别到红色印章，请重点核对",
			 "ink_pm", db_cell(m, i, 14), "sharpness", db_cell(m, i, 15), "paper",
			 db_cell(m, i, 16), "area_pct", db_cell(m, i, 17));
}

static json_t *materials(struct req *r, const struct db_rows *m)
{
	json_t *list = json_array();

	for (size_t i = 0; list && i < m->nrows; i++) {
		const char *id = db_cell(m, i, 0);

		json_array_append_new(list, json_pack(
			"{s:s, s:s, s:s, s:i, s:s?, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:o}",
			"id", id, "kind", db_cell(m, i, 1), "name", db_cell(m, i, 2),
			"page", (int)strtol(db_cell(m, i, 18), NULL, 10), "page_name", db_cell(m, i, 19),
			"version", db_cell(m, i, 3), "state", db_cell(m, i, 4),
			"reject_reason", db_cell(m, i, 5), "width", db_cell(m, i, 6),
			"height", db_cell(m, i, 7), "bytes", db_cell(m, i, 8),
			"original_name", db_cell(m, i, 9), "uploaded_at", db_cell(m, i, 10),
			"latest", strcmp(db_cell(m, i, 11), "1") == 0,
			"thumb_url", arena_printf(r->arena, "/api/upload/materials/%s/thumb", id),
			"image_url", arena_printf(r->arena, "/api/upload/materials/%s/image", id),
			"checks", scan_checks(m, i)));
	}
	return list;
}

/* Reviewers, finance and admins judge identities and money: they see every number in full.
 * Shipping needs only the mailing address and the recipient's mobile (product step); it mails
 * nobody, so the emails are masked too. */
static bool full_pii(const struct req *r)
{
	return (r->auth.roles & (ROLE_REVIEWER | ROLE_FINANCE | ROLE_ADMIN)) != 0;
}

enum pii { PII_ID, PII_MOBILE, PII_NUMBER, PII_EMAIL };

/* The personal numbers of the wizard's steps (fcgi-apps/wizard/step_fields.c) a shipping
 * viewer sees masked. product.mail_mobile is not here: the courier calls it. */
static const struct {
	const char *step, *field;
	enum pii kind;
} masked_fields[] = {
	{ "enterprise", "lr_id_number", PII_ID },
	{ "enterprise", "lr_mobile", PII_MOBILE },
	{ "enterprise", "lr_bank_card", PII_NUMBER },
	{ "handler", "id_number", PII_ID },
	{ "handler", "mobile", PII_MOBILE },
	{ "handler", "bank_card", PII_NUMBER },
	{ "handler", "email", PII_EMAIL },
	{ "applicant", "id_number", PII_ID },
	{ "applicant", "mobile", PII_MOBILE },
	{ "applicant", "email", PII_EMAIL },
	{ "financial", "account_no", PII_NUMBER },
};

/* A bank card or account number: its last 4 digits kept. */
static void mask_number(const char *s, char *out, size_t outsz)
{
	size_t n = strlen(s);

	snprintf(out, outsz, "****%s", n > 4 ? s + n - 4 : "");
}

static json_t *masked(enum pii kind, const char *s)
{
	char out[300];

	if (kind == PII_ID)
		mask_id(s, out, sizeof(out));
	else if (kind == PII_MOBILE)
		mask_mobile(s, out, sizeof(out));
	else if (kind == PII_EMAIL)
		mask_email(s, out, sizeof(out));
	else
		mask_number(s, out, sizeof(out));
	return json_string(out);
}

/* Masks, in the opened steps, what a shipping viewer must not see. An empty value stays; one
 * that is not a string at all is masked whole (fail closed). */
static void mask_steps(json_t *steps)
{
	for (size_t i = 0; i < sizeof(masked_fields) / sizeof(masked_fields[0]); i++) {
		json_t *step = json_object_get(steps, masked_fields[i].step);
		json_t *v = json_object_get(step, masked_fields[i].field);
		const char *s = json_string_value(v);

		if (!v || (s && !s[0]))
			continue;
		json_object_set_new(step, masked_fields[i].field,
				    s ? masked(masked_fields[i].kind, s) : json_string("****"));
	}
}

static json_t *mobile(struct req *r, const struct order *o, bool full)
{
	char plain[ORDER_MOBILE_MAX];

	if (order_mobile_open(&r->app->key, o->mobile_enc, o->mobile_enc_len, plain) < 0)
		return json_null();
	return full ? json_string(plain) : masked(PII_MOBILE, plain);
}

int review_detail(struct req *r)
{
	static const char *const ver[] = { "subject", "method", "state", "message", "created_at",
					   "decided_at" };
	static const char *const pay[] = { "method", "amount_fen", "pay_no", "state", "created_at",
					   "paid_at", "confirmed_by" };
	static const char *const ev[] = { "at", "kind", "from", "to", "actor", "note", "public",
					  "staff" };
	static const char *const wb[] = { "direction", "carrier", "number", "last_state",
					  "created_at" };
	static const char *const issued[] = { "serial", "state", "not_before", "not_after" };
	struct order o;
	struct db_rows d, m, c, t;
	json_t *steps, *jv = NULL, *jp = NULL, *je = NULL, *jw = NULL, *ji = NULL, *root;
	char amount[24] = "";
	int rc, waited;
	bool full;

	if (review_find_order(r, r->params[0], &o) < 0)
		return -1;
	full = full_pii(r);
	/* Nothing personal leaves before its view is on the trail. */
	rc = review_audit(&r->app->db, r, o.id, o.no, "view_pii", full ? "" : "masked");
	if (rc == DB_OK)
		rc = db_query(&r->app->db, r->arena, sql_order, DB_ARGS(DB_I64(o.id)), &d);
	if (rc == DB_OK && d.nrows != 1)
		rc = DB_ERR;
	if (rc == DB_OK)
		rc = db_query(&r->app->db, r->arena, sql_materials, DB_ARGS(DB_I64(o.id)), &m);
	if (rc == DB_OK)
		rc = db_query(&r->app->db, r->arena, sql_claim, DB_ARGS(DB_I64(o.id)), &c);
	if (rc == DB_OK)
		rc = db_query(&r->app->db, r->arena, sql_target, DB_ARGS(DB_I64(o.target_cert_id)), &t);
	steps = json_object();
	if (rc == DB_OK)
		rc = review_steps(r, o.id, steps);
	if (rc == DB_OK && !full)
		mask_steps(steps);
	if (rc == DB_OK)
		rc = rows_json(r, sql_verifications, o.id, ver, 6, &jv);
	if (rc == DB_OK)
		rc = rows_json(r, sql_payments, o.id, pay, 7, &jp);
	if (rc == DB_OK)
		rc = rows_json(r, sql_events, o.id, ev, 8, &je);
	if (rc == DB_OK)
		rc = rows_json(r, sql_waybills, o.id, wb, 5, &jw);
	if (rc == DB_OK)
		rc = rows_json(r, sql_issued, o.id, issued, 4, &ji);
	if (rc != DB_OK) {
		json_decref(steps);
		json_decref(jv);
		json_decref(jp);
		json_decref(je);
		json_decref(jw);
		json_decref(ji);
		return app_db_error(r, rc);
	}
	if (o.amount_fen >= 0)
		valid_money_format(o.amount_fen, amount, sizeof(amount));
	waited = db_cell(&d, 0, 9) ? review_waited_days(r, db_cell(&d, 0, 9), db_cell(&d, 0, 10)) : -1;
	root = json_pack("{s:s, s:s, s:s?, s:s, s:s?, s:s, s:s?, s:s, s:s, s:s, s:s, s:b, s:I, s:s?, "
			 "s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:I, s:s, s:s, s:o, s:s, s:s?, s:s?, s:s?, s:s?}",
		"order_no", o.no, "state", order_state_str(o.state), "state_name", order_state_zh(o.state),
		"business", o.business, "business_name", order_business_name(o.business),
		"kind", o.kind, "kind_name", order_kind_name(o.kind),
		"channel", o.channel_code, "channel_name", db_cell(&d, 0, 0), "flow", o.flow,
		"subject_name", o.subject_name, "mail_in", o.mail_in,
		"amount_fen", (json_int_t)o.amount_fen, "amount", amount[0] ? amount : NULL,
		"pay_method", o.pay_method, "verify_method", db_cell(&d, 0, 1),
		"handler_method", db_cell(&d, 0, 2), "pin_delivery", o.pin_delivery,
		"editable", o.editable, "return_state", order_state_str(o.return_state), "years", o.years,
		"version", (json_int_t)o.version, "queue", db_cell(&d, 0, 8),
		"promise_days", review_days_text(r, o.days_min, o.days_max),
		"handler_mobile", mobile(r, &o, full), "created_at", db_cell(&d, 0, 3),
		"submitted_at", db_cell(&d, 0, 5), "paid_at", db_cell(&d, 0, 6),
		"signed_at", db_cell(&d, 0, 7), "updated_at", db_cell(&d, 0, 4));
	if (!root) {
		json_decref(steps);
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	}
	{
		const char *fs, *ref;
		bool fin;

		/* 001 金融认证 after approval: where the transfer is (never its PIN); one still on
		 * its way is asked about after this answer. */
		if (review_fin_check_poll(r, &o, &fin, &fs, &ref) == DB_OK && fin) {
			json_object_set_new(root, "fin_check",
					    json_pack("{s:s, s:s, s:s?}", "state", fs[0] ? fs : "none",
						      "state_name",
						      fincheck_state_zh(o.state, o.verify_method, fs),
						      "ref", ref[0] ? ref : NULL));
			json_object_set_new(root, "pin_source", json_string("transfer_memo"));
		} else if (str_is(o.pin_delivery, "transfer_memo") && review_ships_key(&o)) {
			/* 000, 002: the memo of the enterprise step's 0.01 transfer is the PIN. */
			json_object_set_new(root, "pin_source", json_string("transfer_memo"));
		}
	}
	json_object_set_new(root, "waited_days", waited >= 0 ? json_integer(waited) : json_null());
	json_object_set_new(root, "overdue", json_boolean(waited > o.days_max));
	json_object_set_new(root, "pii_masked", json_boolean(!full));
	json_object_set_new(root, "steps", steps);
	json_object_set_new(root, "verifications", jv);
	json_object_set_new(root, "payments", jp);
	json_object_set_new(root, "materials", materials(r, &m));
	json_object_set_new(root, "waybills", jw);
	json_object_set_new(root, "events", je);
	json_object_set_new(root, "issued_certificates", ji);
	/* For the made step: what the token's request must name (CN, O); without it (a
	 * replacement whose certificate is gone) the detail still answers, the step will not. */
	if (o.state == ORDER_APPROVED && review_ships_key(&o)) {
		struct review_names n;

		if (review_cert_names(r, &o, &n) == DB_OK)
			json_object_set_new(root, "made_names",
					    json_pack("{s:s, s:s}", "cn", n.holder, "o", n.subject));
		else
			log_rid(LOG_WARN, r->rid, "order %s: the made step's names cannot be read", o.no);
	}
	json_object_set_new(root, "actions",
			    review_actions(r, &o, c.nrows ? strtoll(db_cell(&c, 0, 2), NULL, 10) : 0));
	/* Four-eyes: the hall's rule for this order, and who approved first ({name, at, me}). */
	{
		struct review_four_eyes fe;

		if (review_four_eyes(&r->app->db, r, &o, false, &fe) != DB_OK)
			fe = (struct review_four_eyes){ .step = FOUR_EYES_NONE };
		json_object_set_new(root, "four_eyes", json_boolean(fe.step != FOUR_EYES_NONE));
		json_object_set_new(root, "first_approved_by", review_four_eyes_json(&fe));
	}
	json_object_set_new(root, "claimed_by",
			    c.nrows ? json_pack("{s:s, s:s, s:b}", "name", db_cell(&c, 0, 0),
						"claimed_at", db_cell(&c, 0, 1), "me",
						strtoll(db_cell(&c, 0, 2), NULL, 10) == r->auth.id)
				    : json_null());
	json_object_set_new(root, "target_certificate",
			    t.nrows ? json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b}",
						"serial", db_cell(&t, 0, 0), "kind", db_cell(&t, 0, 1),
						"holder_name", db_cell(&t, 0, 2), "state", db_cell(&t, 0, 3),
						"not_before", db_cell(&t, 0, 4), "not_after", db_cell(&t, 0, 5),
						"first_issued", db_cell(&t, 0, 6), "has_seal",
						strcmp(db_cell(&t, 0, 7), "1") == 0)
				    : json_null());
	resp_header(r, "Cache-Control", "private, no-store");
	resp_json(r, 200, root);
	return 0;
}
