/* wizard: the applicant's 【更新下载证书】 (002): a paid online renewal's certificate re-issued by
 * the CA with the same key, recorded, and handed to the token. */
#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "base/strlist.h"
#include "ext/ca.h"
#include "wizard.h"

/*
 * POST /api/wizard/orders/:no/renewal/download (the order's applicant)
 * A renewal that is done (paid: 002 needs no review) of a certificate the CA issued through the
 * hall: the CA re-issues from the request the token made at the first issue (the same key: 002
 * keeps the key and its PIN), the day is recorded, and the new certificate goes to the token:
 *   200 {"certificate": {"serial", "pem", "not_before", "not_after", "sha256"}}
 * Once per order (409 already downloaded); 409 cert_not_eligible when the certificate has no
 * request kept (imported from the CA's old system: renewed at the counter) or is not valid.
 * The key moves to the new row (a key is certified by one row); the old row stays, with its
 * serial, valid until it expires. The validity is what the CA's profile signs.
 */

static const char sql_target[] =
	"SELECT c.state, COALESCE(c.csr, ''), COALESCE(c.key_sha256, ''), "
	"o.renew_downloaded_at IS NOT NULL FROM certificates c JOIN orders o ON o.id = ? "
	"WHERE c.id = ?";
static const char sql_key_moves[] =
	"UPDATE certificates SET key_sha256 = NULL, csr = NULL WHERE id = ? AND key_sha256 = ?";
static const char sql_insert[] =
	"INSERT INTO certificates (serial, channel_id, kind, holder_name, subject_name, not_before, "
	"not_after, first_issued, has_seal, state, order_id, account_id, subject_idx, pem, "
	"key_sha256, csr, token_serial) "
	"SELECT ?, channel_id, kind, holder_name, subject_name, DATE(FROM_UNIXTIME(?)), "
	"DATE(FROM_UNIXTIME(?)), first_issued, has_seal, 'valid', ?, account_id, subject_idx, ?, "
	"key_sha256_was, csr_was, token_serial FROM "
	"(SELECT c.*, ? AS key_sha256_was, ? AS csr_was FROM certificates c WHERE c.id = ?) t";
static const char sql_downloaded[] =
	"UPDATE orders SET renew_downloaded_at = NOW(3) WHERE id = ? AND renew_downloaded_at IS NULL";

struct dl {
	struct req *r;
	const struct order *o;
	const char *csr, *key_sha256;
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
		rc = db_exec(db, sql_key_moves, DB_ARGS(DB_I64(d->o->target_cert_id), DB_STR(d->key_sha256)),
			     &n, NULL);
	if (rc == DB_OK && n != 1) {
		d->taken = true;
		return DB_ERR;
	}
	if (rc == DB_OK)
		rc = db_exec(db, sql_insert,
			     DB_ARGS(DB_STR(d->cert.info.serial), DB_I64(d->cert.info.not_before),
				     DB_I64(d->cert.info.not_after), DB_I64(d->o->id), DB_STR(d->cert.pem),
				     DB_STR(d->key_sha256), DB_STR(d->csr), DB_I64(d->o->target_cert_id)),
			     NULL, NULL);
	if (rc == DB_OK)
		rc = order_note(db, d->o->id, "renew_downloaded", "applicant", d->r->auth.id, true,
				d->cert.info.serial);
	return rc;
}

int wizard_renew_download(struct req *r)
{
	struct dl d = { .r = r };
	struct order o;
	struct db_rows t;
	char username[CA_USERNAME_MAX + 1], err[512];
	int rc;

	if (wizard_find_order(r, r->params[0], &o) < 0)
		return -1;
	d.o = &o;
	if (!str_is(o.business, "renew") || o.state != ORDER_DONE || !o.target_cert_id)
		return resp_error(r, ERR_WRONG_STATE, NULL, "只有已办理完成的证书更新订单可以下载更新后的证书。");
	rc = db_query(&r->app->db, r->arena, sql_target, DB_ARGS(DB_I64(o.id), DB_I64(o.target_cert_id)),
		      &t);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (t.nrows == 1 && str_is(db_cell(&t, 0, 3), "1"))
		return resp_error(r, ERR_CONFLICT, NULL, "更新后的证书已下载过，请在“我的证书”中查看。");
	if (t.nrows != 1 || !str_is(db_cell(&t, 0, 0), "valid") || !db_cell(&t, 0, 1)[0])
		return resp_error(r, ERR_CERT_NOT_ELIGIBLE, NULL,
				  "该证书不能在线下载更新，请携带介质到业务网点办理。");
	d.csr = db_cell(&t, 0, 1);
	d.key_sha256 = db_cell(&t, 0, 2);
	snprintf(username, sizeof(username), "certhall-%s", o.no);
	rc = ca_reissue(&r->app->conf, d.csr, username, d.key_sha256, &d.cert, err, sizeof(err));
	if (rc != CA_OK) {
		log_rid(LOG_WARN, r->rid, "order %s: %s", o.no, err);
		return rc == CA_REFUSED ? resp_error(r, ERR_CA_REFUSED, NULL, NULL)
					: resp_error(r, ERR_PROVIDER, NULL, "CA 暂时无法签发更新后的证书，请稍后重试。");
	}
	if (ca_cert_to_arena(r->arena, &d.cert) < 0) {
		/* Not recorded: withdrawn at the CA (the serial outlives the PEM). */
		if (ca_withdraw(&r->app->conf, &d.cert, err, sizeof(err)) != CA_OK)
			log_rid(LOG_ERROR, r->rid, "order %s: certificate %s issued, not recorded, not revoked: %s",
				o.no, d.cert.info.serial, err);
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	}
	rc = db_tx(&r->app->db, dl_tx, &d);
	if (rc != DB_OK) {
		/* Not recorded: what the CA issued is revoked again, nowhere valid. */
		if (ca_withdraw(&r->app->conf, &d.cert, err, sizeof(err)) != CA_OK)
			log_rid(LOG_ERROR, r->rid, "order %s: certificate %s issued, not recorded, not revoked: %s",
				o.no, d.cert.info.serial, err);
		if (d.taken)
			return resp_error(r, ERR_CONFLICT, NULL, "更新后的证书已下载过，请在“我的证书”中查看。");
		return app_db_error(r, rc);
	}
	resp_json(r, 200, json_pack("{s:{s:s, s:s, s:I, s:I, s:s}}", "certificate", "serial",
				    d.cert.info.serial, "pem", d.cert.pem, "not_before",
				    (json_int_t)d.cert.info.not_before, "not_after",
				    (json_int_t)d.cert.info.not_after, "sha256", d.cert.info.sha256));
	return 0;
}
