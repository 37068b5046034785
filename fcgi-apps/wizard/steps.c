/* wizard: GET and PUT /api/wizard/orders/:no/steps/:step: a data step shown masked, or
 * checked and saved in one transaction with everything it changes on the order. */
#include <stdlib.h>
#include <string.h>

#include "db/changes.h"
#include "crypto/crypto.h"
#include "domain/order.h"
#include "wizard.h"

static const char *const step_zh[] = {
	[STEP_AGREEMENTS] = "协议确认", [STEP_ENTERPRISE] = "单位信息与企业认证",
	[STEP_HANDLER] = "经办人信息",  [STEP_APPLICANT] = "申请人信息",
	[STEP_FINANCIAL] = "对公账户信息", [STEP_CHANGE] = "变更事项",
	[STEP_PRODUCT] = "产品、发票与邮寄信息",
};

static const char sql_lock[] =
	"SELECT state, version, editable, COALESCE(amount_fen, -1), years, "
	"EXISTS (SELECT 1 FROM payments p WHERE p.order_id = orders.id AND p.state = 'paid') "
	"FROM orders WHERE id = ? FOR UPDATE";
static const char sql_touch[] =
	"UPDATE orders SET updated_at = NOW(3), version = version + 1 WHERE id = ?";
/* A mail-in order keeps its method: the enterprise is checked on paper, not online (002). */
static const char sql_verify_method[] =
	"UPDATE orders SET verify_method = IF(mail_in, 'mail_in', ?) WHERE id = ?";
static const char sql_handler[] =
	"UPDATE orders SET handler_method = ?, handler_mobile_enc = ? WHERE id = ?";
static const char sql_subject[] = "UPDATE orders SET subject_name = ? WHERE id = ?";
static const char sql_product[] =
	"UPDATE orders SET years = ?, amount_fen = ?, quote_json = ?, renew_not_before = ?, "
	"renew_not_after = ? WHERE id = ?";
/* 002 "目前不支持在线变更签章，如需变更签章，请您至现场或邮寄介质到受理点": where the hall says so, a
 * change of the seal goes by mail with the key; the other items stay online. */
static const char sql_change[] =
	"UPDATE orders o JOIN channels c ON c.id = o.channel_id SET o.paper_mail = "
	"(FIND_IN_SET(o.business_type, c.paper_businesses) > 0 OR (? AND NOT c.seal_change_online)) "
	"WHERE o.id = ?";
static const char sql_accept[] =
	"INSERT INTO agreement_acceptances (order_id, account_id, channel_id, code, version, "
	"accepted_at, remote_addr) VALUES (?, ?, ?, ?, ?, NOW(3), ?)";
/* What was checked is no longer what is on file. */
static const char sql_void[] =
	"UPDATE verifications SET state = 'void' WHERE order_id = ? AND subject = ? "
	"AND state IN ('pending', 'passed')";
static const char sql_quote[] = "SELECT quote_json FROM orders WHERE id = ?";

/* The step the path names, if this order goes through it; 404 otherwise. */
static int step_of(struct req *r, const struct order *o, enum wizard_step *out)
{
	int s = wizard_step_from_name(r->params[1]);

	if (s < 0 || !wizard_step_is_data((enum wizard_step)s))
		return resp_error(r, ERR_NOT_FOUND, "step",
				  "没有这个填写步骤。可填写的步骤为：协议确认、单位信息、经办人、申请人、对公账户、变更事项、产品确认。");
	if (!wizard_plan_has(o, (enum wizard_step)s))
		return resp_error(r, ERR_NOT_FOUND, "step",
				  arena_printf(r->arena, "该订单的办理流程中没有“%s”这一步。",
					       step_zh[s]));
	*out = (enum wizard_step)s;
	return 0;
}

/* The subject whose verification the step's data feeds: enterprise (the transfer goes to the
 * corporate account) or handler; NULL for the others. A change feeds the enterprise check only
 * when it moves the name the check is made under (wizard_checked_org_name): a new name, another
 * new name, or a name change taken back; a change of the handler alone leaves it standing. */
static const char *verified_subject(enum wizard_step s, bool name_moved)
{
	if (s == STEP_ENTERPRISE || s == STEP_FINANCIAL || (s == STEP_CHANGE && name_moved))
		return "enterprise";
	return s == STEP_HANDLER ? "handler" : NULL;
}

struct save {
	struct req *r;
	const struct order *o;
	enum wizard_step step;
	struct wizard_step_input *in;
	unsigned char mobile_enc[64];
	size_t mobile_enc_len;
	const char *quote;
	bool name_moved; /* change: the new organisation name differs from the one saved */
	enum err_code refused;
	const char *why; /* the message of a refusal, NULL for the table's */
};

static int effects(struct db *db, struct save *sv)
{
	const struct wizard_step_input *in = sv->in;
	struct req *r = sv->r;
	long long id = sv->o->id;
	int rc = DB_OK;

	switch (sv->step) {
	case STEP_AGREEMENTS:
		rc = db_exec(db, sql_accept,
			     DB_ARGS(DB_I64(id), DB_I64(r->auth.id), DB_I64(sv->o->channel_id),
				     DB_STR("service"), DB_STR(in->service),
				     DB_STR(r->remote_addr ? r->remote_addr : "")), NULL, NULL);
		if (rc == DB_OK)
			rc = db_exec(db, sql_accept,
				     DB_ARGS(DB_I64(id), DB_I64(r->auth.id), DB_I64(sv->o->channel_id),
					     DB_STR("privacy"), DB_STR(in->privacy),
					     DB_STR(r->remote_addr ? r->remote_addr : "")), NULL, NULL);
		break;
	case STEP_ENTERPRISE:
		rc = db_exec(db, sql_verify_method, DB_ARGS(DB_STR(in->method), DB_I64(id)), NULL, NULL);
		if (rc == DB_OK)
			rc = changes_note(db, id);
		break;
	case STEP_HANDLER:
		/* Public tracking asks for the tail of this number (track/order.c). */
		rc = db_exec(db, sql_handler,
			     DB_ARGS(DB_STR(in->method), DB_BLOB(sv->mobile_enc, sv->mobile_enc_len),
				     DB_I64(id)), NULL, NULL);
		if (rc == DB_OK)
			rc = changes_note(db, id);
		break;
	case STEP_APPLICANT:
		if (in->subject_name) {
			rc = db_exec(db, sql_subject, DB_ARGS(DB_STR(in->subject_name), DB_I64(id)), NULL,
				     NULL);
			if (rc == DB_OK)
				rc = changes_note(db, id);
		}
		break;
	case STEP_CHANGE:
		rc = db_exec(db, sql_change, DB_ARGS(DB_I64(in->seal_change), DB_I64(id)), NULL, NULL);
		break;
	case STEP_PRODUCT:
		rc = db_exec(db, sql_product,
			     DB_ARGS(DB_I64(in->years), in->amount_fen >= 0 ? DB_I64(in->amount_fen) : DB_NULL,
				     DB_STR(sv->quote),
				     in->renew_not_before ? DB_STR(in->renew_not_before) : DB_NULL,
				     in->renew_not_after ? DB_STR(in->renew_not_after) : DB_NULL, DB_I64(id)),
			     NULL, NULL);
		break;
	default:
		break;
	}
	return rc;
}

static int save_tx(struct db *db, void *p)
{
	struct save *sv = p;
	struct order now = *sv->o;
	const char *subject = verified_subject(sv->step, sv->name_moved);
	struct db_rows rows;
	int rc;

	sv->refused = ERR__COUNT;
	rc = db_query(db, sv->r->arena, sql_lock, DB_ARGS(DB_I64(now.id)), &rows);
	if (rc != DB_OK)
		return rc;
	if (rows.nrows != 1) {
		sv->refused = ERR_NOT_FOUND;
		return DB_ERR;
	}
	/* The order may have been signed or cancelled since it was read: decide under the lock. */
	now.state = order_state_parse(db_cell(&rows, 0, 0));
	now.version = strtoll(db_cell(&rows, 0, 1), NULL, 10);
	now.editable = db_cell(&rows, 0, 2);
	if (!wizard_step_editable(&now, sv->step)) {
		sv->refused = ERR_STEP_LOCKED;
		return DB_ERR;
	}
	/* Paid is paid for: a returned order may correct its mailing or invoice, not buy more
	 * years or a seal at the old price. */
	if (sv->step == STEP_PRODUCT && strcmp(db_cell(&rows, 0, 5), "1") == 0 &&
	    (sv->in->amount_fen != strtoll(db_cell(&rows, 0, 3), NULL, 10) ||
	     sv->in->years != strtol(db_cell(&rows, 0, 4), NULL, 10))) {
		sv->refused = ERR_STEP_LOCKED;
		sv->why = "订单已支付：证书年限、印章等影响费用的内容不能再修改，如需变更请申请退款后重新办理。";
		return DB_ERR;
	}
	rc = wizard_step_save(db, sv->r, now.id, sv->step, sv->in->data);
	if (rc == DB_OK)
		rc = effects(db, sv);
	if (rc == DB_OK && subject)
		rc = db_exec(db, sql_void, DB_ARGS(DB_I64(now.id), DB_STR(subject)), NULL, NULL);
	if (rc != DB_OK)
		return rc;
	/* Edited after a failed check: the order is a draft again, to be verified anew. */
	if (subject && now.state == ORDER_VERIFY_FAILED) {
		rc = order_move(db, now.id, ORDER_VERIFY_FAILED, ORDER_DRAFT, now.version,
				ORDER_BY_APPLICANT);
		if (rc == ORDER_STALE)
			return DB_RETRY;
		if (rc == DB_OK)
			rc = order_event(db, now.id, "step_edited", ORDER_VERIFY_FAILED, ORDER_DRAFT,
					 "applicant", sv->r->auth.id, true, step_zh[sv->step]);
		return rc;
	}
	/* Drafts expire on inactivity; the version tells a signing in flight that data moved. */
	return db_exec(db, sql_touch, DB_ARGS(DB_I64(now.id)), NULL, NULL);
}

/* The product step shows the quote on file and the invoice title it does not ask for. */
static int product_extras(struct req *r, const struct order *o, json_t *body,
			  json_t *data, json_t *quote)
{
	const char *title = order_step_str(data, "invoice_title");
	struct db_rows rows;
	int rc;

	/* 000 "发票抬头默认为证书申请单位，不可修改": the organisation, or the holder; 001 the title
	 * the applicant wrote ("发票名称请完整填写"). */
	json_object_set_new(body, "invoice_title", json_string(*title ? title : o->subject_name));
	if (quote) {
		json_object_set(body, "quote", quote);
		return 0;
	}
	rc = db_query(&r->app->db, r->arena, sql_quote, DB_ARGS(DB_I64(o->id)), &rows);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	quote = db_cell(&rows, 0, 0) ? json_loads(db_cell(&rows, 0, 0), 0, NULL) : NULL;
	json_object_set_new(body, "quote", quote ? quote : json_null());
	return 0;
}

/* from: the order a step not yet saved is prefilled from (NULL: data is this order's). */
static int answer(struct req *r, const struct order *o, enum wizard_step s, json_t *data,
		  json_t *quote, const char *from)
{
	json_t *body = json_pack("{s:s, s:b, s:b, s:o, s:b, s:s?}", "step", wizard_step_name(s),
				 "saved", data != NULL && !from, "editable",
				 wizard_step_editable(o, s), "data", wizard_step_masked(s, data),
				 "masked", 1, "prefilled_from", from);

	if (!body)
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	if (s == STEP_PRODUCT && product_extras(r, o, body, data, quote) < 0) {
		json_decref(body);
		return -1;
	}
	resp_json(r, 200, body);
	return 0;
}

int wizard_step_get(struct req *r)
{
	struct order o;
	enum wizard_step s;
	json_t *data;

	const char *from = NULL;

	if (wizard_find_order(r, r->params[0], &o) < 0 || step_of(r, &o, &s) < 0 ||
	    wizard_step_load(r, o.id, s, &data) < 0)
		return -1;
	if (!data && wizard_step_prefill(r, &o, s, &data, &from) < 0)
		return -1;
	return answer(r, &o, s, data, NULL, from);
}

int wizard_step_put(struct req *r)
{
	struct wizard_step_input in;
	struct save sv = { .r = r, .in = &in, .quote = "" };
	struct order o;
	json_t *body, *saved;
	const char *prefilled;
	char *text = NULL;
	int rc;

	if (wizard_find_order(r, r->params[0], &o) < 0 || step_of(r, &o, &sv.step) < 0 ||
	    wizard_hold_free(r, &o) < 0)
		return -1;
	sv.o = &o;
	if (!wizard_step_editable(&o, sv.step))
		return resp_error(r, ERR_STEP_LOCKED, "step", NULL);
	if (req_json(r, &body) < 0 || wizard_step_load(r, o.id, sv.step, &saved) < 0)
		return -1;
	/* The page sends back the prefilled values masked as it showed them: they stand for the
	 * earlier order's, as a saved step's masks stand for its own. */
	if (!saved && wizard_step_prefill(r, &o, sv.step, &saved, &prefilled) < 0)
		return -1;
	if (wizard_step_check(r, &o, sv.step, body, saved, &in) < 0)
		return -1;
	sv.name_moved = strcmp(order_step_str(in.data, "new_org_name"),
			       order_step_str(saved, "new_org_name")) != 0;
	if (in.handler_mobile &&
	    crypto_seal(&r->app->key, in.handler_mobile, strlen(in.handler_mobile),
			ORDER_AAD_HANDLER_MOBILE, sv.mobile_enc, sizeof(sv.mobile_enc),
			&sv.mobile_enc_len) < 0)
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	if (in.quote) {
		text = json_dumps(in.quote, JSON_COMPACT);
		sv.quote = text ? arena_strdup(r->arena, text) : NULL;
		free(text);
		if (!sv.quote)
			return resp_error(r, ERR_INTERNAL, NULL, NULL);
	}
	rc = db_tx(&r->app->db, save_tx, &sv);
	if (sv.refused != ERR__COUNT)
		return resp_error(r, sv.refused, sv.refused == ERR_STEP_LOCKED ? "step" : NULL, sv.why);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (in.subject_name)
		o.subject_name = in.subject_name;
	return answer(r, &o, sv.step, in.data, in.quote, NULL);
}
