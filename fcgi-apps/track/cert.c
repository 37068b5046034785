/* track: GET /api/track/certs/:serial: a certificate's validity by its exact serial, read from
 * the certificate the CA signed and the CA's CRL; GET /api/track/crl: that CRL as DER. */
#include <string.h>
#include <time.h>

#include "crypto/cert.h"
#include "domain/crl.h"

#include "web/app.h"
#include "web/req.h"
#include "domain/mask.h"
#include "domain/order.h"
#include "track.h"
#include "base/valid.h"

/* The serial column is ascii_bin: 712C1B5A584A1BBE and 712c1b5a584a1bbe are different. */
static const char sql_cert[] =
	"SELECT c.serial, c.kind, c.holder_name, c.subject_name, "
	"DATE_FORMAT(c.not_before, '%Y-%m-%d'), DATE_FORMAT(c.not_after, '%Y-%m-%d'), "
	"CASE WHEN c.state = 'revoked' THEN 'revoked' WHEN c.not_after < CURDATE() THEN 'expired' "
	"ELSE 'valid' END, " DB_ISO("c.revoked_at") ", ch.name, COALESCE(c.pem, '') "
	"FROM certificates c JOIN channels ch ON ch.id = c.channel_id WHERE c.serial = ?";

static const char *cert_state_name(const char *s)
{
	if (strcmp(s, "revoked") == 0)
		return "已吊销";
	if (strcmp(s, "expired") == 0)
		return "已过期";
	return "有效";
}

/* A time as the hall shows it: ISO 8601 in China Standard Time (the database's columns too). */
static const char *iso(struct req *r, time_t t)
{
	struct tm tm;
	time_t local = t + 8 * 3600;

	if (!gmtime_r(&local, &tm))
		return NULL;
	return arena_printf(r->arena, "%04d-%02d-%02dT%02d:%02d:%02d+08:00", tm.tm_year + 1900,
			    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* A certificate the CA issued through the hall: what it says of itself (validity, subject,
 * issuer, fingerprint) and what its CA's CRL says of it, over the row's columns. Returns 0, or
 * -1 answered. */
static int from_ca(struct req *r, const char *pem, json_t *out)
{
	struct cert_info info;
	const unsigned char *der;
	size_t len;
	time_t at = 0, now = time(NULL);
	int reason = 0, rc;
	X509 *x = cert_read(pem, strlen(pem));
	const char *state;
	bool revoked;

	if (!x || cert_info_of(x, &info) < 0) {
		X509_free(x);
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	}
	X509_free(x);
	rc = crl_get(&r->app->db, r->arena, &r->app->conf, info.key, &der, &len);
	if (rc == CRL_UNAVAILABLE)
		return resp_error(r, ERR_PROVIDER, NULL, "暂时无法取得 CA 的证书吊销列表，请稍后重试。");
	if (rc != DB_OK)
		return app_db_error(r, rc);
	revoked = crl_lists(der, len, info.serial, &at, &reason);
	state = revoked ? "revoked" : now > info.not_after ? "expired"
				      : now < info.not_before ? "not_yet_valid" : "valid";
	/* The look-up shows the whole DN the certificate carries: it is public in the certificate
	 * (and on the CRL's relying parties' screens) the moment it is used. */
	json_object_set_new(out, "not_before", json_string(iso(r, info.not_before)));
	json_object_set_new(out, "not_after", json_string(iso(r, info.not_after)));
	json_object_set_new(out, "subject_dn", json_string(info.subject));
	json_object_set_new(out, "issuer_dn", json_string(info.issuer));
	json_object_set_new(out, "sha256", json_string(info.sha256));
	json_object_set_new(out, "key", json_string(info.key == CERT_KEY_SM2 ? "SM2" : "RSA"));
	json_object_set_new(out, "state", json_string(state));
	json_object_set_new(out, "state_name", json_string(cert_state_name(state)));
	json_object_set_new(out, "revoked_at", revoked ? json_string(iso(r, at)) : json_null());
	json_object_set_new(out, "revocation_reason", revoked ? json_integer(reason) : json_null());
	json_object_set_new(out, "source", json_string("crl"));
	return 0;
}

static const char sql_exists[] = "SELECT 1 FROM certificates WHERE serial = ?";

/* Not found as typed. Serials are hex and case-sensitive (001), and people type them in lower
 * case: when the upper-case serial exists, the answer says so and suggests it
 * (error.suggest), rather than a bare "未找到". Returns -1 answered 404. */
static int not_found(struct req *r, const char *serial)
{
	char *upper = arena_strdup(r->arena, serial);
	bool lower = false;
	struct db_rows rows;
	int rc;

	for (size_t i = 0; upper && upper[i]; i++)
		if (upper[i] >= 'a' && upper[i] <= 'f') {
			upper[i] = (char)(upper[i] - 'a' + 'A');
			lower = true;
		}
	if (!lower || !upper)
		return resp_error(r, ERR_NOT_FOUND, NULL,
				  "未找到该序列号的证书。序列号区分大小写，请核对后重试。");
	rc = db_query(&r->app->db, r->arena, sql_exists, DB_ARGS(DB_STR(upper)), &rows);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (rows.nrows != 1)
		return resp_error(r, ERR_NOT_FOUND, "serial",
				  "未找到该序列号的证书。序列号区分大小写，您输入的含小写字母，"
				  "按大写也未找到，请对照证书核对。");
	return resp_error_with(r, ERR_NOT_FOUND, "serial",
			       arena_printf(r->arena,
					    "未找到序列号“%s”的证书：证书序列号区分大小写，您输入的含小写字母。"
					    "您要查找的是否为 %s？",
					    serial, upper),
			       json_pack("{s:s}", "suggest", upper));
}

int track_cert(struct req *r)
{
	const char *serial = r->params[0];
	char holder[256], subject[256];
	struct db_rows c;
	json_t *cert;
	int rc;

	if (!valid_serial(serial))
		return resp_error(r, ERR_INVALID_FIELD, "serial",
				  "证书序列号为十六进制字符（0-9、A-F，区分大小写），例如 712C1B5A584A1BBE。");
	if (app_limit_lookup(r, "track") < 0)
		return -1;
	rc = db_query(&r->app->db, r->arena, sql_cert, DB_ARGS(DB_STR(serial)), &c);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (c.nrows != 1)
		return not_found(r, serial);
	mask_person_name(db_cell(&c, 0, 2), holder, sizeof(holder));
	mask_org_name(db_cell(&c, 0, 3), subject, sizeof(subject));
	cert = json_pack("{s:s, s:s, s:s?, s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:s}",
		"serial", db_cell(&c, 0, 0),
		"kind", db_cell(&c, 0, 1),
		"kind_name", order_kind_name(db_cell(&c, 0, 1)),
		"holder", holder,
		"subject", subject,
		"not_before", db_cell(&c, 0, 4),
		"not_after", db_cell(&c, 0, 5),
		"state", db_cell(&c, 0, 6),
		"state_name", cert_state_name(db_cell(&c, 0, 6)),
		"revoked_at", db_cell(&c, 0, 7),
		"channel", db_cell(&c, 0, 8));
	if (!cert)
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	/* Imported from the CA's old system, or recorded before the hall spoke to the CA: the
	 * row is all there is. */
	if (db_cell(&c, 0, 9)[0] && from_ca(r, db_cell(&c, 0, 9), cert) < 0) {
		json_decref(cert);
		return -1;
	}
	resp_json(r, 200, json_pack("{s:o}", "certificate", cert));
	return 0;
}

/* GET /api/track/crl[?ca=rsa|sm2]: the latest CRL of the issuing CA (RSA by default), DER, as
 * relying parties fetch it. */
int track_crl(struct req *r)
{
	struct kvlist args;
	const char *ca;
	const unsigned char *der;
	size_t len;
	int rc;

	if (req_args(r, &args) < 0)
		return -1;
	ca = kv_get(&args, "ca");
	if (ca && strcmp(ca, "rsa") != 0 && strcmp(ca, "sm2") != 0)
		return resp_error(r, ERR_INVALID_FIELD, "ca", "ca 应为 rsa 或 sm2。");
	rc = crl_get(&r->app->db, r->arena, &r->app->conf,
		     ca && strcmp(ca, "sm2") == 0 ? CERT_KEY_SM2 : CERT_KEY_RSA, &der, &len);
	if (rc == CRL_UNAVAILABLE)
		return resp_error(r, ERR_PROVIDER, NULL, "暂时无法取得 CA 的证书吊销列表，请稍后重试。");
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (resp_header(r, "Cache-Control", "public, max-age=60") < 0)
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	r->responded = true;
	r->status = 200;
	r->resp_type = "application/pkix-crl";
	r->body = (const char *)der;
	r->body_len = len;
	return 0;
}
