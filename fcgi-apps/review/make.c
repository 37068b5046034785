/* review: the shipping role's "made" step: the token's PKCS#10 request and hardware serial
 * become the certificate the CA issues; a lost or damaged key's certificate is revoked at the CA
 * in the same step. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/strlist.h"
#include "base/valid.h"
#include "domain/fincheck.h"
#include "domain/order.h"
#include "ext/ca.h"
#include "review.h"

/*
 * POST /api/review/orders/:no/made {"version", "csr": "<PEM PKCS#10>", "token_serial"}
 * The order is approved and mails a key (new, add, lost, damaged, a change whose key is sent
 * in). The request must name the order's holder (CN; O, when given, the order's subject; a
 * change: the names the change leaves) and carry an RSA-2048+ or SM2 key that has no
 * certificate yet, revoked or not. Then, in this order:
 *   1. the CA issues (shared/ext/ca.h); nothing is recorded yet;
 *   2. for a lost key, the CA revokes the old certificate (keyCompromise, 002/004); for a
 *      damaged key, the one on the key sent in (superseded); for a change, the changed one
 *      (superseded);
 *   3. one transaction records the certificate (PEM, CA serial, key, request, token serial),
 *      revokes the old one's row, moves the order to making, audits and announces it.
 * A failure after 1 revokes what the CA issued (superseded), so no certificate outlives a
 * step that did not happen; a revocation of 2 that the transaction then does not record is
 * repaired by doing the step again (the CA answers "already revoked", which is what we want).
 */

static const char sql_key_taken[] = "SELECT serial FROM certificates WHERE key_sha256 = ?";
static const char sql_target[] =
	"SELECT state, COALESCE(pem, ''), holder_name, subject_name FROM certificates WHERE id = ?";
#define CERT_COLUMNS \
	"INSERT INTO certificates (serial, channel_id, kind, holder_name, subject_name, not_before, " \
	"not_after, first_issued, has_seal, state, order_id, account_id, subject_idx, pem, " \
	"key_sha256, csr, token_serial) "
/* The validity is the certificate's: what the CA signed is what a relying party checks. */
static const char sql_insert[] = CERT_COLUMNS
	"VALUES (?, ?, ?, ?, ?, DATE(FROM_UNIXTIME(?)), DATE(FROM_UNIXTIME(?)), CURDATE(), ?, "
	"'valid', ?, ?, ?, ?, ?, ?, ?)";
/* A replacement (lost, damaged): the old one's holder, subject, kind, seal and account, and its
 * first issue (002 "证书介质质保期为一年，自证书初次发放日起计算": a replacement does not start
 * the warranty again). */
static const char sql_replace[] = CERT_COLUMNS
	"SELECT ?, channel_id, kind, holder_name, subject_name, DATE(FROM_UNIXTIME(?)), "
	"DATE(FROM_UNIXTIME(?)), first_issued, has_seal, 'valid', ?, account_id, subject_idx, ?, ?, ?, ? "
	"FROM certificates WHERE id = ?";
/* A change whose key is made anew (the key sent in, 002 "如需变更签章，请您至现场或邮寄介质到
 * 受理点处理"): the old one's kind, warranty-free start and account, under the names the change
 * leaves, with the seal when the seal changed. */
static const char sql_change[] = CERT_COLUMNS
	"SELECT ?, channel_id, kind, ?, ?, DATE(FROM_UNIXTIME(?)), DATE(FROM_UNIXTIME(?)), first_issued, "
	"GREATEST(has_seal, ?), 'valid', ?, account_id, subject_idx, ?, ?, ?, ? "
	"FROM certificates WHERE id = ?";
static const char sql_revoke_lost[] =
	"UPDATE certificates SET state = 'revoked', revoked_at = NOW(3), revoke_reason = ? "
	"WHERE id = ? AND state = 'valid'";

#define REVOKE_LOST "遗失补办，旧证书已吊销"
#define REVOKE_CHANGED "信息变更，已由新制作的证书替代"
#define REVOKE_DAMAGED "损坏补办，已由新制作的证书替代"

struct made {
	struct req *r;
	const struct order *o;
	long long version;
	const char *holder, *subject, *csr, *token_serial, *pin;
	char pin_to[ORDER_MOBILE_MAX];     /* the PIN's mobile, "" when it goes another way */
	struct ca_cert cert;
	bool has_seal;
	bool seal;                         /* a change of the seal */
	bool fin;                          /* the PIN rode in the 001 transfer's memo */
	bool stale, key_taken;
};

/* The memo's PIN is on the token now: its sealed copy has served. */
static const char sql_pin_served[] =
	"UPDATE fin_checks SET pin_enc = NULL WHERE order_id = ? AND state = 'credited'";


struct made_in {
	const char *token_serial, *pin;
};

static const struct req_field made_fields[] = {
	{ "token_serial", true, VALID_TOKEN_SERIAL_MAX, valid_token_serial,
	  "介质序列号（token_serial）应为 4 至 64 位字母、数字或“-”，请从制证工具中复制。",
	  offsetof(struct made_in, token_serial) },
	{ "pin", false, 8, valid_pin, "PIN码（pin）应为制证工具设置的 6 至 8 位数字。",
	  offsetof(struct made_in, pin) },
};

/* Where the PIN set at making goes (rules_pin_delivery, 001/002): a mobile into out, or ""
 * when it goes another way (the transfer memo, the envelope mailed with a mail-in key).
 * Returns 0, or -1 answered. */
static int pin_mobile(struct req *r, const struct order *o, char out[ORDER_MOBILE_MAX])
{
	const char *step = NULL, *field = NULL, *m;

	out[0] = '\0';
	if (str_is(o->pin_delivery, "sms_handler"))
		return order_mobile_open(&r->app->key, o->mobile_enc, o->mobile_enc_len, out) == 0
			? 0 : resp_error(r, ERR_INTERNAL, NULL, NULL);
	if (str_is(o->pin_delivery, "sms_legal_rep")) {
		step = "enterprise";
		field = "lr_mobile";
	} else if (str_is(o->pin_delivery, "sms_applicant")) {
		step = "applicant";
		field = "mobile";
	} else {
		return 0;
	}
	m = order_step_str(review_step(&r->app->db, r, o->id, step), field);
	if (!m[0] || strlen(m) >= ORDER_MOBILE_MAX)
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	memcpy(out, m, strlen(m) + 1);
	return 0;
}

/* The order's own rows decide, not the hall's flag as it is now: the approval queued one
 * (issue.c) where the check was due, and a flag an admin turned since neither strands an order
 * waiting for a transfer never queued nor makes a key whose PIN the memo is still to carry. */
int review_fin_check(struct req *r, const struct order *o, bool *applies, const char **state)
{
	struct fincheck_row fc;
	int rc = fincheck_latest(&r->app->db, r->arena, o->id, &fc);

	*state = fc.state;
	*applies = rc == DB_OK && *fc.state;
	return rc;
}

int review_fin_check_poll(struct req *r, const struct order *o, bool *applies,
			  const char **state, const char **ref)
{
	struct fincheck_row fc;
	int rc = fincheck_latest(&r->app->db, r->arena, o->id, &fc);

	*state = fc.state;
	*ref = "";
	*applies = rc == DB_OK && *fc.state;
	if (rc != DB_OK || !fincheck_pending(&fc))
		return rc;
	*ref = fc.ref;
	if (app_fincheck_after(r, fc.id) < 0)
		log_rid(LOG_WARN, r->rid, "order %s: fin check %lld left to the runner", o->no, fc.id);
	return rc;
}

/* The request as text: PEM has line breaks, which req_fields refuses in text fields. */
static const char *csr_of(struct req *r, json_t *body)
{
	json_t *v = json_object_get(body, "csr");
	const char *s = json_string_value(v);

	if (!v) {
		resp_error(r, ERR_MISSING_FIELD, "csr", "请提供介质生成的证书请求（csr，PKCS#10 PEM）。");
		return NULL;
	}
	if (!s || json_string_length(v) > CERT_PEM_MAX || strlen(s) != json_string_length(v)) {
		resp_error(r, ERR_BAD_CSR, "csr", NULL);
		return NULL;
	}
	return s;
}

int review_cert_names(struct req *r, const struct order *o, struct review_names *n)
{
	struct db_rows t;
	int rc;

	n->holder = review_holder(&r->app->db, r, o);
	n->subject = o->subject_name;
	n->target_state = n->target_pem = "";
	n->seal = false;
	if (!n->holder)
		return DB_ERR;
	if (!str_is(o->business, "lost") && !str_is(o->business, "damaged") &&
	    !str_is(o->business, "change"))
		return DB_OK;
	/* A replacement names whom the old certificate names; a change, the new name. */
	if (!o->target_cert_id)
		return DB_ERR;
	rc = db_query(&r->app->db, r->arena, sql_target, DB_ARGS(DB_I64(o->target_cert_id)), &t);
	if (rc != DB_OK || t.nrows != 1)
		return rc != DB_OK ? rc : DB_ERR;
	n->target_state = db_cell(&t, 0, 0);
	n->target_pem = db_cell(&t, 0, 1);
	n->holder = db_cell(&t, 0, 2);
	n->subject = db_cell(&t, 0, 3);
	if (str_is(o->business, "change")) {
		json_t *ch = review_step(&r->app->db, r, o->id, "change");
		const char *name = order_step_str(ch, "new_org_name");

		n->seal = strlist_has(order_step_str(ch, "items"), "seal");
		if (strlist_has(order_step_str(ch, "items"), "name") && name[0]) {
			/* An organisation's own certificate is held in its name. */
			if (str_is(n->holder, n->subject))
				n->holder = name;
			n->subject = name;
		}
	}
	return DB_OK;
}

/* Whether the request fits the order: its key kind, its holder (CN) and subject (O). Returns
 * 0, or -1 answered. */
static int check_request(struct req *r, const struct made *m, const struct cert_csr_info *ci)
{
	const char *o_name = strstr(ci->subject, ",O=");

	if (ci->key == CERT_KEY_OTHER || (ci->key == CERT_KEY_RSA && ci->bits < 2048))
		return resp_error(r, ERR_BAD_CSR, "csr",
				  "证书请求的密钥须为 RSA（2048 位及以上）或 SM2，请在介质上重新生成。");
	if (strcmp(ci->cn, m->holder) != 0)
		return resp_error(r, ERR_CSR_MISMATCH, "csr",
				  arena_printf(r->arena, "证书请求的名称（CN）为“%s”，与本订单的证书持有者“%s”不符。",
					       ci->cn, m->holder));
	/* RFC 2253 text: ",O=<name>," or ",O=<name>" at the end. */
	if (o_name) {
		size_t n = strlen(m->subject);

		o_name += 3;
		if (strncmp(o_name, m->subject, n) != 0 || (o_name[n] != ',' && o_name[n] != '\0'))
			return resp_error(r, ERR_CSR_MISMATCH, "csr",
					  arena_printf(r->arena, "证书请求的单位名称（O）与本订单的“%s”不符。",
						       m->subject));
	}
	return 0;
}

static int made_tx(struct db *db, void *p)
{
	struct made *m = p;
	struct req *r = m->r;
	const struct order *o = m->o;
	const struct cert_info *ci = &m->cert.info;
	json_t *params;
	int rc;

	m->stale = m->key_taken = false;
	if (o->target_cert_id && str_is(o->business, "change"))
		rc = db_exec(db, sql_change,
			     DB_ARGS(DB_STR(ci->serial), DB_STR(m->holder), DB_STR(m->subject),
				     DB_I64(ci->not_before), DB_I64(ci->not_after), DB_I64(m->seal),
				     DB_I64(o->id), DB_STR(m->cert.pem), DB_STR(ci->key_sha256),
				     DB_STR(m->csr), DB_STR(m->token_serial), DB_I64(o->target_cert_id)),
			     NULL, NULL);
	else if (o->target_cert_id && (str_is(o->business, "lost") || str_is(o->business, "damaged")))
		rc = db_exec(db, sql_replace,
			     DB_ARGS(DB_STR(ci->serial), DB_I64(ci->not_before), DB_I64(ci->not_after),
				     DB_I64(o->id), DB_STR(m->cert.pem), DB_STR(ci->key_sha256),
				     DB_STR(m->csr), DB_STR(m->token_serial), DB_I64(o->target_cert_id)),
			     NULL, NULL);
	else
		rc = db_exec(db, sql_insert,
			     DB_ARGS(DB_STR(ci->serial), DB_I64(o->channel_id), DB_STR(o->kind),
				     DB_STR(m->holder), DB_STR(o->subject_name), DB_I64(ci->not_before),
				     DB_I64(ci->not_after), DB_I64(m->has_seal), DB_I64(o->id),
				     o->account_id ? DB_I64(o->account_id) : DB_NULL,
				     o->subject_idx[0] ? DB_STR(o->subject_idx) : DB_NULL,
				     DB_STR(m->cert.pem), DB_STR(ci->key_sha256), DB_STR(m->csr),
				     DB_STR(m->token_serial)),
			     NULL, NULL);
	if (rc == DB_DUP) {
		m->key_taken = true; /* the same key certified meanwhile (or, never, a serial twice) */
		return DB_ERR;
	}
	/* 002, 004: the lost certificate is revoked in the step that records its replacement. */
	if (rc == DB_OK && str_is(o->business, "lost"))
		rc = db_exec(db, sql_revoke_lost, DB_ARGS(DB_STR(REVOKE_LOST), DB_I64(o->target_cert_id)),
			     NULL, NULL);
	/* The changed certificate, and the damaged key's, are superseded by the one made for it. */
	if (rc == DB_OK && (str_is(o->business, "change") || str_is(o->business, "damaged")))
		rc = db_exec(db, sql_revoke_lost,
			     DB_ARGS(DB_STR(str_is(o->business, "change") ? REVOKE_CHANGED : REVOKE_DAMAGED),
				     DB_I64(o->target_cert_id)), NULL, NULL);
	if (rc == DB_OK) {
		rc = review_move(db, r, o, ORDER_APPROVED, ORDER_MAKING, ORDER_BY_SHIPPING, m->version,
				 "key_made", "");
		if (rc == ORDER_STALE) {
			m->stale = true;
			return DB_ERR;
		}
	}
	if (rc == DB_OK)
		rc = review_audit(db, r, o->id, o->no, "certificate_issued",
				  arena_printf(r->arena, "%s (token %s)", ci->serial, m->token_serial));
	if (rc == DB_OK)
		rc = review_audit(db, r, o->id, o->no, "key_made", "approved -> making");
	if (rc == DB_OK) {
		params = json_object();
		rc = params ? review_notify(db, r, o, "key_made", params) : DB_ERR;
		json_decref(params);
	}
	/* The PIN by SMS, sealed in its outbox row (shared/domain/outbox.c) until it is sent. */
	if (rc == DB_OK && m->pin_to[0]) {
		params = json_pack("{s:s, s:s}", "order_no", o->no, "pin", m->pin);
		rc = params ? app_outbox_add(r, "sms", "pin_notice", m->pin_to, params, o->id) : DB_ERR;
		json_decref(params);
	}
	if (rc == DB_OK && m->fin)
		rc = db_exec(db, sql_pin_served, DB_ARGS(DB_I64(o->id)), NULL, NULL);
	/* 004 "证书发票将在证书制作后3个工作日内发送至发票接收人邮箱". */
	if (rc == DB_OK)
		rc = app_outbox_invoice(r, o->id, INVOICE_MADE);
	return rc;
}

/* What the CA issued and the hall did not record: revoked, so that it is nowhere valid. */
static void undo_issue(struct req *r, const struct made *m)
{
	char err[512];

	if (ca_withdraw(&r->app->conf, &m->cert, err, sizeof(err)) != CA_OK)
		log_rid(LOG_ERROR, r->rid, "order %s: certificate %s issued, not recorded, not revoked: %s",
			m->o->no, m->cert.info.serial, err);
}

int review_made(struct req *r)
{
	struct made m = { .r = r };
	struct made_in in;
	struct cert_csr_info ci;
	struct order o;
	struct review_names names;
	struct db_rows rows;
	enum cert_key old_kind = CERT_KEY_OTHER;
	const char *fin_state;
	bool fin;
	char username[CA_USERNAME_MAX + 1], err[512];
	X509_REQ *req;
	json_t *body, *product;
	int rc;

	if (review_begin(r, &o, &body, &m.version) < 0)
		return -1;
	if (!review_ships_key(&o))
		return review_wrong_state(r, &o, "该业务无需制作和寄送证书介质。");
	if (o.state != ORDER_APPROVED)
		return review_wrong_state(r, &o, "只有审核通过的订单可以登记制证。");
	if (REQ_FIELDS(r, body, made_fields, &in) < 0 || !(m.csr = csr_of(r, body)))
		return -1;
	m.o = &o;
	m.token_serial = in.token_serial;
	m.pin = in.pin;
	rc = review_fin_check(r, &o, &fin, &fin_state);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	/* 001 "如申请资料审核通过且金融认证通过，则申请单状态显示“成功受理”": made only then, with the
	 * PIN the memo carried (the token tool sets that one); no PIN is taken or sent here. */
	if (fin && !str_is(fin_state, "credited"))
		return review_wrong_state(r, &o, "金融认证尚未通过（向单位基本户的 0.01 元打款尚未入账），通过后才能登记制证。");
	m.fin = fin;
	if (fin)
		m.pin = NULL;
	if (pin_mobile(r, &o, m.pin_to) < 0)
		return -1;
	if (m.pin_to[0] && !m.pin)
		return resp_error(r, ERR_MISSING_FIELD, "pin", "请填写制证工具为介质设置的 PIN码（pin），它将按规定以短信发送。");
	rc = review_cert_names(r, &o, &names);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	m.holder = names.holder;
	m.subject = names.subject;
	m.seal = names.seal;
	req = cert_csr_read(m.csr, strlen(m.csr));
	rc = req ? cert_csr_info_of(req, &ci) : -1;
	X509_REQ_free(req);
	if (rc < 0)
		return resp_error(r, ERR_BAD_CSR, "csr", NULL);
	if (check_request(r, &m, &ci) < 0)
		return -1;
	rc = db_query(&r->app->db, r->arena, sql_key_taken, DB_ARGS(DB_STR(ci.key_sha256)), &rows);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (rows.nrows > 0)
		return resp_error(r, ERR_KEY_CERTIFIED, "csr", NULL);
	product = review_step(&r->app->db, r, o.id, "product");
	m.has_seal = str_is(order_step_str(product, "seal"), "1");

	/* 1. The CA issues: one end entity per order. */
	snprintf(username, sizeof(username), "certhall-%s", o.no);
	rc = ca_issue(&r->app->conf, m.csr, username, &m.cert, err, sizeof(err));
	if (rc != CA_OK) {
		log_rid(LOG_WARN, r->rid, "order %s: %s", o.no, err);
		return rc == CA_REFUSED ? resp_error(r, ERR_CA_REFUSED, "csr", NULL)
					: resp_error(r, ERR_PROVIDER, NULL, "CA 暂时无法签发证书，请稍后重试。");
	}
	if (ca_cert_to_arena(r->arena, &m.cert) < 0) {
		undo_issue(r, &m); /* the serial outlives the PEM */
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	}
	/* 2. A lost key's certificate revoked at the CA; a damaged key's and a changed one,
	 * superseded. */
	if ((str_is(o.business, "lost") || str_is(o.business, "change") ||
	     str_is(o.business, "damaged")) &&
	    review_ca_revoke(r, &o, names.target_state, names.target_pem,
			     str_is(o.business, "lost") ? CA_REASON_KEY_COMPROMISE : CA_REASON_SUPERSEDED,
			     &old_kind) < 0) {
		undo_issue(r, &m);
		return -1;
	}
	/* 3. Recorded, with the order's move, in one transaction. */
	rc = db_tx(&r->app->db, made_tx, &m);
	if (rc != DB_OK) {
		undo_issue(r, &m);
		if (m.stale)
			return review_conflict(r);
		if (m.key_taken)
			return resp_error(r, ERR_KEY_CERTIFIED, "csr", NULL);
		return app_db_error(r, rc);
	}
	review_crl_refresh(r, &o, old_kind);
	resp_json(r, 200, json_pack("{s:s, s:s, s:I, s:{s:s, s:s, s:s}, s:s?}", "order_no", o.no,
				    "state", order_state_str(ORDER_MAKING), "version",
				    (json_int_t)(m.version + 1), "certificate", "serial",
				    m.cert.info.serial, "sha256", m.cert.info.sha256, "token_serial",
				    m.token_serial, "pin_source",
				    str_is(o.pin_delivery, "transfer_memo") ? "transfer_memo" : NULL));
	return 0;
}
