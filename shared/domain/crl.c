/* crl: the CA's CRLs kept in ca_crls, fetched from the CA when stale, read by serial. */
#include "domain/crl.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "base/log.h"
#include "ext/ca.h"

static const char sql_put[] =
	"INSERT INTO ca_crls (kind, der, fetched_at) VALUES (?, ?, NOW(3)) "
	"ON DUPLICATE KEY UPDATE der = VALUES(der), fetched_at = VALUES(fetched_at)";
static const char sql_get[] =
	"SELECT der, fetched_at < NOW(3) - INTERVAL ? SECOND FROM ca_crls WHERE kind = ?";

static const char *kind_name(enum cert_key kind)
{
	return kind == CERT_KEY_SM2 ? "sm2" : "rsa";
}

int crl_refresh(struct db *db, const struct conf *c, enum cert_key kind, char *err, size_t errsz)
{
	unsigned char *der = NULL;
	size_t len = 0;
	int rc;

	if (ca_crl(c, kind, &der, &len, err, errsz) != CA_OK)
		return CRL_UNAVAILABLE;
	rc = db_exec(db, sql_put, DB_ARGS(DB_STR(kind_name(kind)), DB_BLOB(der, len)), NULL, NULL);
	free(der);
	return rc;
}

int crl_get(struct db *db, struct arena *a, const struct conf *c, enum cert_key kind,
	    const unsigned char **der, size_t *len)
{
	struct db_rows rows;
	char err[256];
	int rc = db_query(db, a, sql_get, DB_ARGS(DB_I64(CRL_MAX_AGE), DB_STR(kind_name(kind))), &rows);

	if (rc != DB_OK)
		return rc;
	if (rows.nrows != 1 || strcmp(db_cell(&rows, 0, 1), "1") == 0) {
		rc = crl_refresh(db, c, kind, err, sizeof(err));
		if (rc == CRL_UNAVAILABLE)
			log_warn("CRL of the %s CA not fetched: %s", kind_name(kind), err);
		else if (rc != DB_OK)
			return rc;
		if (rc == DB_OK && (rc = db_query(db, a, sql_get, DB_ARGS(DB_I64(CRL_MAX_AGE),
			DB_STR(kind_name(kind))), &rows)) != DB_OK)
			return rc;
	}
	if (rows.nrows != 1)
		return CRL_UNAVAILABLE;
	*der = (const unsigned char *)db_cell(&rows, 0, 0);
	*len = rows.len[0];
	return DB_OK;
}

bool crl_lists(const unsigned char *der, size_t len, const char *serial, time_t *at, int *reason)
{
	const unsigned char *p = der;
	X509_CRL *crl = d2i_X509_CRL(NULL, &p, (long)len);
	X509_REVOKED *rv = NULL;
	ASN1_INTEGER *sn = NULL;
	ASN1_ENUMERATED *why;
	BIGNUM *bn = NULL;
	struct tm tm;
	bool found = false;

	if (crl == NULL || !cert_serial_valid(serial) || BN_hex2bn(&bn, serial) == 0 ||
	    (sn = BN_to_ASN1_INTEGER(bn, NULL)) == NULL || X509_CRL_get0_by_serial(crl, &rv, sn) != 1)
		goto out;
	found = true;
	if (at != NULL)
		*at = ASN1_TIME_to_tm(X509_REVOKED_get0_revocationDate(rv), &tm) == 1 ? timegm(&tm) : 0;
	if (reason != NULL) {
		why = X509_REVOKED_get_ext_d2i(rv, NID_crl_reason, NULL, NULL);
		*reason = why != NULL ? (int)ASN1_ENUMERATED_get(why) : 0;
		ASN1_ENUMERATED_free(why);
	}
out:
	ASN1_INTEGER_free(sn);
	BN_free(bn);
	X509_CRL_free(crl);
	ERR_clear_error();
	return found;
}
