/* review: what an approval does: certificates renewed or revoked (a mailed key's certificate is
 * issued when it is made: make.c), the order carried on to done when nothing is mailed, and the
 * approval SMS. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "base/strlist.h"
#include "crypto/crypto.h"
#include "domain/crl.h"
#include "domain/fincheck.h"
#include "domain/order.h"
#include "domain/subject.h"
#include "domain/unlock.h"
#include "review.h"
#include "domain/rules.h"

static const char sql_revoke[] =
	"UPDATE certificates SET state = 'revoked', revoked_at = NOW(3), revoke_reason = ? "
	"WHERE id = ? AND state = 'valid'";
static const char sql_renew[] =
	"UPDATE certificates SET not_before = ?, not_after = ? WHERE id = ?";
static const char sql_target[] =
	"SELECT DATE_FORMAT(not_after, '%Y-%m-%d') FROM certificates WHERE id = ? FOR UPDATE";

#define REVOKE_ASKED "证书注销，应用户申请吊销"

/* A renamed organisation's account goes by its new name (its login, the USCC, stays). */
static const char sql_account_name[] =
	"UPDATE accounts SET display_name = ? WHERE id = ? AND kind = 'org'";
/* The certificate's notices (expiry reminders) go to the change order's handler. */
static const char sql_notice_to[] =
	"UPDATE certificates SET notice_order_id = ? WHERE id = ?";


const char *review_holder(struct db *db, struct req *r, const struct order *o)
{
	json_t *applicant;

	/* A person's certificate names the person; an organisation's, the organisation. */
	if (!str_is(o->kind, "org")) {
		applicant = review_step(db, r, o->id, "applicant");
		if (order_step_str(applicant, "name")[0])
			return order_step_str(applicant, "name");
	}
	return o->subject_name;
}

/* The renewal's validity: as the wizard quoted it (orders.renew_not_*), else the rule (002). */
static int renew(struct db *db, struct req *r, const struct order *o)
{
	const char *nb = o->renew_not_before, *na = o->renew_not_after;
	char b[11], a[11];

	if (!nb[0] || !na[0]) {
		struct rules_date old, today = rules_today(time(NULL));
		struct rules_validity v;
		struct db_rows rows;
		int rc = db_query(db, r->arena, sql_target, DB_ARGS(DB_I64(o->target_cert_id)), &rows);

		if (rc != DB_OK)
			return rc;
		if (rows.nrows != 1 || !rules_date_parse(db_cell(&rows, 0, 0), &old))
			return DB_ERR;
		v = rules_renewal_validity(today, old, o->years >= 1 && o->years <= 5 ? o->years : 1);
		if (!v.ok)
			return DB_ERR;
		rules_date_format(v.not_before, b, sizeof(b));
		rules_date_format(v.not_after, a, sizeof(a));
		nb = b;
		na = a;
	}
	return db_exec(db, sql_renew, DB_ARGS(DB_STR(nb), DB_STR(na), DB_I64(o->target_cert_id)), NULL,
		       NULL);
}

/* 002 四.证书信息变更: what an approved change changes. The name: the account's (the
 * certificate with the new subject is re-issued when the token asks, wizard/change.c, since
 * only the token can sign a request naming it); the handler: who is told about the
 * certificate; the address: the enterprise step's default for the next order (wizard
 * prefill.c reads the applied change). A seal changed by mail is made with the key. */
/* The items for people, as the change step names them ("单位名称、经办人"). */
static const char *items_zh(struct req *r, const char *items)
{
	static const char *const zh[][2] = { { "name", "单位名称" }, { "address", "单位地址" },
					     { "seal", "电子印章" }, { "handler", "经办人" } };
	const char *out = "";

	for (size_t i = 0; i < sizeof(zh) / sizeof(zh[0]); i++)
		if (out && strlist_has(items, zh[i][0]))
			out = arena_printf(r->arena, "%s%s%s", out, *out ? "、" : "", zh[i][1]);
	return out ? out : "";
}

static int apply_change(struct db *db, struct req *r, const struct order *o)
{
	json_t *ch = review_step(db, r, o->id, "change");
	const char *items = order_step_str(ch, "items"), *name = order_step_str(ch, "new_org_name");
	int rc = DB_OK;

	/* A change step is in every change's plan; without one there is nothing to apply. */
	if (!items[0]) {
		log_rid(LOG_WARN, r->rid, "order %s: a change approved without its items", o->no);
		return DB_OK;
	}
	if (strlist_has(items, "name") && name[0] && o->account_id)
		rc = db_exec(db, sql_account_name, DB_ARGS(DB_STR(name), DB_I64(o->account_id)), NULL,
			     NULL);
	if (rc == DB_OK && strlist_has(items, "handler") && o->target_cert_id)
		rc = db_exec(db, sql_notice_to, DB_ARGS(DB_I64(o->id), DB_I64(o->target_cert_id)), NULL,
			     NULL);
	if (rc == DB_OK)
		rc = order_note(db, o->id, "change_applied", "staff", r->auth.id, true,
				items_zh(r, items));
	/* The codes, which "my certificates" lists (wizard certs.c). */
	if (rc == DB_OK)
		rc = review_audit(db, r, o->id, o->no, "change_applied", items);
	return rc;
}

int review_issue(struct db *db, struct req *r, const struct order *o, const char **serial)
{
	const char *b = o->business;
	int rc = DB_OK;

	/* A key that is mailed (new, add, lost, damaged) gets its certificate when it is made:
	 * the token's request is needed (make.c), and a lost one is revoked there too. */
	*serial = NULL;
	if (str_is(b, "renew") && o->target_cert_id) {
		rc = renew(db, r, o);
	} else if (str_is(b, "revoke") && o->target_cert_id) {
		rc = db_exec(db, sql_revoke, DB_ARGS(DB_STR(REVOKE_ASKED), DB_I64(o->target_cert_id)),
			     NULL, NULL);
	} else if (str_is(b, "change")) {
		rc = apply_change(db, r, o);
	}
	return rc;
}

/* 001 "若使用微信支付，深圳 CA 审核成功后 SZCA 将向申请单位对公账户打款 0.01 元，并下发证书 PIN
 * 码": the transfer queued with the approval, sent after the answer (domain/fincheck.h). */
static int fin_check(struct db *db, struct req *r, const struct order *o)
{
	long long id = 0;
	bool on = false;
	int rc = fincheck_hall(db, r->arena, o->channel_id, &on);

	if (rc != DB_OK || !fincheck_due(on, review_ships_key(o), o->pin_delivery, o->pay_method))
		return rc;
	rc = fincheck_queue(db, &r->app->key, o->id, &id);
	if (rc == DB_OK && app_fincheck_after(r, id) < 0)
		log_rid(LOG_WARN, r->rid, "order %s: fin check %lld left to the runner", o->no, id);
	return rc;
}

/* 002 "审核资料后进行授权，并发送授权邮件；用户通过授权邮件中的链接重置密码": the link, by SMS and
 * mail to the handler, in the approval's transaction. */
static int unlock_link(struct db *db, struct req *r, const struct order *o)
{
	char token[UNLOCK_TOKEN_HEX + 1];
	json_t *params = NULL;
	int rc = unlock_grant(db, &r->app->conf, o->id, token, &params);

	if (rc == DB_OK)
		rc = review_notify(db, r, o, "unlock_authorised", params);
	if (rc == DB_OK)
		rc = order_note(db, o->id, "unlock_authorised", "staff", r->auth.id, true, "");
	json_decref(params);
	explicit_bzero(token, sizeof(token));
	return rc;
}

int review_approved(struct db *db, struct req *r, const struct order *o, long long version,
		    enum order_state *final_state)
{
	const char *serial = NULL, *hint;
	struct subject_notices sent = { .n = 0 };
	json_t *params;
	int rc = review_issue(db, r, o, &serial);

	*final_state = ORDER_APPROVED;
	/* The reviewer checked the organisation's sealed materials: its USCC is proven, if the
	 * account still claims the one the order was for (shared/domain/subject.h). */
	if (rc == DB_OK && o->account_id > 0 && o->subject_idx[0] && !str_is(o->kind, "person"))
		rc = subject_prove_org(db, r->arena, &r->app->key, o->account_id, o->subject_idx,
				       &sent);
	for (size_t i = 0; rc == DB_OK && i < sent.n; i++)
		app_outbox_note(r->app, DB_OK, sent.ids[i]);
	if (rc == DB_OK && serial)
		rc = review_audit(db, r, o->id, o->no, "certificate_issued", serial);
	/* Renewal, unlock, an online change and revocation mail nothing: done at once. */
	if (rc == DB_OK && !review_ships_key(o)) {
		/* Nothing to make or mail: the approval completes the order by itself. */
		rc = review_move(db, r, o, ORDER_APPROVED, ORDER_DONE, ORDER_BY_SYSTEM, version,
				 "done", "");
		*final_state = ORDER_DONE;
	}
	if (rc == DB_OK && *final_state == ORDER_APPROVED)
		rc = fin_check(db, r, o);
	if (rc == DB_OK && str_is(o->business, "unlock"))
		rc = unlock_link(db, r, o);
	if (rc != DB_OK)
		return rc;
	hint = rules_pin_delivery_text(o->pin_delivery);
	if (str_is(o->business, "unlock"))
		hint = UNLOCK_HINT;
	else if (!review_ships_key(o))
		hint = str_is(o->business, "revoke") ? "证书已注销。" : "业务已办理完成。";
	else if (!hint)
		hint = "证书制作完成后将寄出，PIN码领取方式将另行通知。";
	params = json_pack("{s:s}", "pin_hint", hint);
	rc = review_notify(db, r, o, "order_approved", params);
	json_decref(params);
	if (rc == DB_OK)
		rc = app_outbox_invoice(r, o->id, INVOICE_APPROVED);
	return rc;
}

int review_ca_revoke(struct req *r, const struct order *o, const char *state, const char *pem,
		     enum ca_reason reason, enum cert_key *kind)
{
	struct cert_info info;
	char err[512];
	X509 *x;

	*kind = CERT_KEY_OTHER;
	/* Imported from the CA's old system (no PEM): the CA revokes it at its own counter. */
	if (!str_is(state, "valid") || !pem || !pem[0])
		return 0;
	x = cert_read(pem, strlen(pem));
	if (!x || cert_info_of(x, &info) < 0) {
		X509_free(x);
		log_rid(LOG_ERROR, r->rid, "order %s: the certificate's PEM does not read", o->no);
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	}
	X509_free(x);
	if (ca_revoke(&r->app->conf, info.key, info.serial, reason, NULL, err, sizeof(err)) != CA_OK) {
		log_rid(LOG_WARN, r->rid, "order %s: %s", o->no, err);
		return resp_error(r, ERR_PROVIDER, NULL,
				  "CA 暂时无法吊销该证书，本次操作未生效，请稍后重试。");
	}
	*kind = info.key;
	return 0;
}

void review_crl_refresh(struct req *r, const struct order *o, enum cert_key kind)
{
	char err[512] = "";

	if (kind != CERT_KEY_OTHER &&
	    crl_refresh(&r->app->db, &r->app->conf, kind, err, sizeof(err)) != DB_OK)
		log_rid(LOG_WARN, r->rid, "order %s: CRL not refreshed: %s", o->no, err);
}
