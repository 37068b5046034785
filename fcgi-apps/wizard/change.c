/* wizard: a change of the organisation's name (002 四.证书信息变更): checked under the new name,
 * and, once approved, the certificate re-issued by the CA with the new subject on the same
 * token (002 2.4 证书下载: "在线信息变更业务不用快递证书产品"). */
#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "base/strlist.h"
#include "domain/crl.h"
#include "ext/ca.h"
#include "wizard.h"

/*
 * POST /api/wizard/orders/:no/change/download {"csr": "<PEM PKCS#10>"} (the order's applicant)
 * A done change of name of a certificate the CA issued through the hall. The token makes a
 * request with its own key (the certificate's: the key and its PIN stay) naming the new name
 * (CN the holder: the organisation for its own certificate, else the holder as before; O, when
 * given, the new name). Then, in this order:
 *   1. the CA re-issues with the new subject (ca_reissue, the key checked first);
 *   2. the CA revokes the old certificate (superseded: it names a name the organisation no
 *      longer has);
 *   3. one transaction records the new row (the old one's seal, warranty and account, the
 *      key moved to it), revokes the old row, and notes it on the order's trail.
 * A failure after 1 withdraws what the CA issued; a revocation of 2 that 3 then does not record
 * is repaired by asking again (the CA answers "already revoked").
 *   200 {"certificate": {"serial", "pem", "not_before", "not_after", "sha256", "subject"}}
 * Once (409 conflict); 409 cert_not_eligible: no name change, or a certificate without its
 * request (imported) or not valid; 400 bad_csr, csr_mismatch (another key or other names).
 */

static const char sql_target[] =
	"SELECT c.state, COALESCE(c.pem, ''), COALESCE(c.key_sha256, ''), c.holder_name, "
	"c.subject_name, o.change_downloaded_at IS NOT NULL "
	"FROM certificates c JOIN orders o ON o.id = ? WHERE c.id = ?";
enum { T_STATE, T_PEM, T_KEY, T_HOLDER, T_SUBJECT, T_DONE };
static const char sql_downloaded[] =
	"UPDATE orders SET change_downloaded_at = NOW(3) WHERE id = ? AND change_downloaded_at IS NULL";
static const char sql_key_moves[] =
	"UPDATE certificates SET key_sha256 = NULL, csr = NULL, state = 'revoked', "
	"revoked_at = NOW(3), revoke_reason = ? WHERE id = ? AND key_sha256 = ? AND state = 'valid'";
static const char sql_insert[] =
	"INSERT INTO certificates (serial, channel_id, kind, holder_name, subject_name, not_before, "
	"not_after, first_issued, has_seal, state, order_id, account_id, subject_idx, pem, "
	"key_sha256, csr, token_serial) "
	"SELECT ?, channel_id, kind, ?, ?, DATE(FROM_UNIXTIME(?)), DATE(FROM_UNIXTIME(?)), "
	"first_issued, has_seal, 'valid', ?, account_id, subject_idx, ?, ?, ?, token_serial "
	"FROM certificates WHERE id = ?";

#define REVOKE_CHANGED "信息变更，已由载有新单位名称的证书替代"

int wizard_checked_org_name(struct req *r, const struct order *o, const char *entered,
			    const char **out)
{
	json_t *ch;

	*out = entered;
	if (!str_is(o->business, "change"))
		return 0;
	if (wizard_step_load(r, o->id, STEP_CHANGE, &ch) < 0)
		return -1;
	if (strlist_has(order_step_str(ch, "items"), "name") && *order_step_str(ch, "new_org_name"))
		*out = order_step_str(ch, "new_org_name");
	return 0;
}

struct dl {
	struct req *r;
	const struct order *o;
	const char *csr, *key_sha256, *holder, *subject;
	struct ca_cert cert;
	bool taken;
};

static int dl_tx(struct db *db, void *p)
{
	struct dl *d = p;
	unsigned long long n = 0;
	int rc = db_exec(db, sql_downloaded, DB_ARGS(DB_I64(d->o->id)), &n, NULL);

	d->taken = false;
	if (rc == DB_OK && n != 1) {
		d->taken = true;
		return DB_ERR;
	}
	if (rc == DB_OK)
		rc = db_exec(db, sql_key_moves,
			     DB_ARGS(DB_STR(REVOKE_CHANGED), DB_I64(d->o->target_cert_id),
				     DB_STR(d->key_sha256)), &n, NULL);
	if (rc == DB_OK && n != 1) {
		d->taken = true;
		return DB_ERR;
	}
	if (rc == DB_OK)
		rc = db_exec(db, sql_insert,
			     DB_ARGS(DB_STR(d->cert.info.serial), DB_STR(d->holder), DB_STR(d->subject),
				     DB_I64(d->cert.info.not_before), DB_I64(d->cert.info.not_after),
				     DB_I64(d->o->id), DB_STR(d->cert.pem), DB_STR(d->key_sha256),
				     DB_STR(d->csr), DB_I64(d->o->target_cert_id)),
			     NULL, NULL);
	if (rc == DB_OK)
		rc = order_note(db, d->o->id, "change_downloaded", "applicant", d->r->auth.id, true,
				d->cert.info.serial);
	return rc;
}

/* The request as text: PEM has line breaks, which req_fields refuses in text fields. */
static const char *csr_of(struct req *r)
{
	json_t *body, *v;
	const char *s;

	if (req_json(r, &body) < 0)
		return NULL;
	v = json_object_get(body, "csr");
	s = json_string_value(v);
	if (!v) {
		resp_error(r, ERR_MISSING_FIELD, "csr",
			   "请提供证书介质以原密钥生成、载有新单位名称的证书请求（csr，PKCS#10 PEM）。");
		return NULL;
	}
	if (!s || json_string_length(v) > CERT_PEM_MAX || strlen(s) != json_string_length(v)) {
		resp_error(r, ERR_BAD_CSR, "csr", NULL);
		return NULL;
	}
	return s;
}

/* Whether the request is the token's (its key) and names the new holder (CN) and, when it
 * names an organisation (O), the new name. Returns 0, or -1 answered. */
static int check_request(struct req *r, const struct dl *d)
{
	struct cert_csr_info ci;
	X509_REQ *req = cert_csr_read(d->csr, strlen(d->csr));
	const char *o_name;
	int rc = req ? cert_csr_info_of(req, &ci) : -1;

	X509_REQ_free(req);
	if (rc < 0)
		return resp_error(r, ERR_BAD_CSR, "csr", NULL);
	if (strcmp(ci.key_sha256, d->key_sha256) != 0)
		return resp_error(r, ERR_CSR_MISMATCH, "csr",
				  "证书请求须由原证书所在介质以原密钥生成，请插入办理变更的证书介质后重试。");
	if (strcmp(ci.cn, d->holder) != 0)
		return resp_error(r, ERR_CSR_MISMATCH, "csr",
				  arena_printf(r->arena, "证书请求的名称（CN）为“%s”，变更后应为“%s”。",
					       ci.cn, d->holder));
	/* RFC 2253 text: ",O=<name>," or ",O=<name>" at the end. */
	o_name = strstr(ci.subject, ",O=");
	if (o_name) {
		size_t n = strlen(d->subject);

		o_name += 3;
		if (strncmp(o_name, d->subject, n) != 0 || (o_name[n] != ',' && o_name[n] != '\0'))
			return resp_error(r, ERR_CSR_MISMATCH, "csr",
					  arena_printf(r->arena, "证书请求的单位名称（O）须为变更后的“%s”。",
						       d->subject));
	}
	return 0;
}

static void withdraw(struct req *r, const struct dl *d)
{
	char err[512];

	if (ca_withdraw(&r->app->conf, &d->cert, err, sizeof(err)) != CA_OK)
		log_rid(LOG_ERROR, r->rid, "order %s: certificate %s issued, not recorded, not revoked: %s",
			d->o->no, d->cert.info.serial, err);
}

/* The old certificate revoked at the CA as superseded. Returns 0, or -1 answered. */
static int revoke_old(struct req *r, const struct dl *d, const char *pem, enum cert_key *kind)
{
	struct cert_info info;
	char err[512];
	X509 *x = cert_read(pem, strlen(pem));

	*kind = CERT_KEY_OTHER;
	if (!x || cert_info_of(x, &info) < 0) {
		X509_free(x);
		log_rid(LOG_ERROR, r->rid, "order %s: the certificate's PEM does not read", d->o->no);
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	}
	X509_free(x);
	if (ca_revoke(&r->app->conf, info.key, info.serial, CA_REASON_SUPERSEDED, NULL, err,
		      sizeof(err)) != CA_OK) {
		log_rid(LOG_WARN, r->rid, "order %s: %s", d->o->no, err);
		return resp_error(r, ERR_PROVIDER, NULL, "CA 暂时无法吊销原证书，本次下载未生效，请稍后重试。");
	}
	*kind = info.key;
	return 0;
}

int wizard_change_download(struct req *r)
{
	struct dl d = { .r = r };
	struct order o;
	struct db_rows t;
	enum cert_key old_kind;
	const char *name;
	char username[CA_USERNAME_MAX + 1], err[512];
	int rc;

	if (wizard_find_order(r, r->params[0], &o) < 0)
		return -1;
	d.o = &o;
	if (!str_is(o.business, "change") || o.state != ORDER_DONE || !o.target_cert_id)
		return resp_error(r, ERR_WRONG_STATE, NULL,
				  "只有已办理完成的信息变更订单可以下载变更后的证书。");
	/* A key sent in came back made under the new name (review/make.c). */
	if (order_by_mail(&o))
		return resp_error(r, ERR_CERT_NOT_ELIGIBLE, NULL,
				  "本次信息变更已重新制作证书介质并寄回，无需下载证书。");
	if (wizard_checked_org_name(r, &o, "", &name) < 0)
		return -1;
	if (!name[0])
		return resp_error(r, ERR_CERT_NOT_ELIGIBLE, NULL,
				  "本次信息变更未变更单位名称，证书内容不变，无需重新下载证书。");
	rc = db_query(&r->app->db, r->arena, sql_target, DB_ARGS(DB_I64(o.id), DB_I64(o.target_cert_id)),
		      &t);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (t.nrows == 1 && str_is(db_cell(&t, 0, T_DONE), "1"))
		return resp_error(r, ERR_CONFLICT, NULL, "变更后的证书已下载过，请在“我的证书”中查看。");
	if (t.nrows != 1 || !str_is(db_cell(&t, 0, T_STATE), "valid") || !db_cell(&t, 0, T_PEM)[0] ||
	    !db_cell(&t, 0, T_KEY)[0])
		return resp_error(r, ERR_CERT_NOT_ELIGIBLE, NULL,
				  "该证书不能在线下载变更后的证书，请携带介质到业务网点办理。");
	d.key_sha256 = db_cell(&t, 0, T_KEY);
	d.subject = name;
	/* An organisation's own certificate is held in its name; a person's keeps its holder. */
	d.holder = str_is(db_cell(&t, 0, T_HOLDER), db_cell(&t, 0, T_SUBJECT)) ? name
									       : db_cell(&t, 0, T_HOLDER);
	if (!(d.csr = csr_of(r)) || check_request(r, &d) < 0)
		return -1;
	/* 1. The CA re-issues with the new subject, on the same key (its own end entity). */
	snprintf(username, sizeof(username), "certhall-%s", o.no);
	rc = ca_reissue(&r->app->conf, d.csr, username, d.key_sha256, &d.cert, err, sizeof(err));
	if (rc != CA_OK) {
		log_rid(LOG_WARN, r->rid, "order %s: %s", o.no, err);
		return rc == CA_REFUSED ? resp_error(r, ERR_CA_REFUSED, "csr", NULL)
					: resp_error(r, ERR_PROVIDER, NULL, "CA 暂时无法签发变更后的证书，请稍后重试。");
	}
	if (ca_cert_to_arena(r->arena, &d.cert) < 0) {
		withdraw(r, &d); /* the serial outlives the PEM */
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	}
	/* 2. The old name's certificate revoked at the CA. */
	if (revoke_old(r, &d, db_cell(&t, 0, T_PEM), &old_kind) < 0) {
		withdraw(r, &d);
		return -1;
	}
	/* 3. Recorded in one transaction. */
	rc = db_tx(&r->app->db, dl_tx, &d);
	if (rc != DB_OK) {
		withdraw(r, &d);
		if (d.taken)
			return resp_error(r, ERR_CONFLICT, NULL, "变更后的证书已下载过，请在“我的证书”中查看。");
		return app_db_error(r, rc);
	}
	if (crl_refresh(&r->app->db, &r->app->conf, old_kind, err, sizeof(err)) != DB_OK)
		log_rid(LOG_WARN, r->rid, "order %s: CRL not refreshed: %s", o.no, err);
	resp_json(r, 200, json_pack("{s:{s:s, s:s, s:I, s:I, s:s, s:s}}", "certificate", "serial",
				    d.cert.info.serial, "pem", d.cert.pem, "not_before",
				    (json_int_t)d.cert.info.not_before, "not_after",
				    (json_int_t)d.cert.info.not_after, "sha256", d.cert.info.sha256,
				    "subject", d.cert.info.subject));
	return 0;
}
