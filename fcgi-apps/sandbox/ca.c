/* sandbox: a real CA (OpenSSL 3, RSA-2048 and SM2/SM3) answering the subset of EJBCA's REST
 * API that shared/ext/ca.c speaks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "base/log.h"
#include "crypto/cert.h"
#include "crypto/crypto.h"
#include "sandbox.h"

/*
 * Under /ejbca/ejbca-rest-api, reached only through the stack's mutual-TLS server
 * (nginx/dev-ca.conf.in), which hands us SSL_CLIENT_VERIFY:
 *   POST /v1/certificate/pkcs10enroll
 *        {"certificate_request": "<PEM or base64 DER PKCS#10>", "certificate_profile_name",
 *         "end_entity_profile_name", "certificate_authority_name", "username", "password",
 *         "include_chain": true}
 *        200 {"certificate": "<base64 DER>", "serial_number": "<hex>", "response_format": "DER",
 *             "certificate_chain": ["<issuing CA>", "<root>"]}
 *   PUT  /v1/certificate/{issuer_dn}/{serial}/revoke?reason=KEY_COMPROMISE|...
 *        200 {"issuer_dn", "serial_number", "revocation_reason", "revocation_date",
 *             "message": "Successfully revoked", "revoked": true}
 *        404 unknown certificate, 409 already revoked (as EJBCA answers)
 *   GET  /v1/ca/{issuer_dn}/getLatestCrl
 *        200 {"crl": "<base64 DER>", "response_format": "DER"}
 * Errors as EJBCA writes them: {"error_code": <status>, "error_message": "..."} (English: the
 * reader is the hall's adapter and its logs, not a person).
 *
 * Each issuing CA (the root and it made by tools/stack.sh under [sandbox] ca_dir) signs what
 * it issues and its CRL; the CRL is re-signed, with the next CRL number, in the transaction of
 * every revocation, and kept in sandbox_ca_crls (main.c), so that getLatestCrl serves what the
 * last revocation signed. Validity: CA_DAYS from issuance, as an end entity profile would fix.
 */

#define CA_DAYS 365
#define CRL_DAYS 7         /* nextUpdate; a GET within a day of it signs a fresh one */
#define USERNAME_MAX 255
#define TX_STOP 1          /* crl_tx: nothing to revoke (missing, or revoked already) */
#define TX_SIGN 2          /* crl_tx: signing failed */

/* RFC 5280 reason codes by EJBCA's names. */
static const struct {
	const char *name;
	int code;
} reasons[] = {
	{ "UNSPECIFIED", 0 },	       { "KEY_COMPROMISE", 1 },	    { "CA_COMPROMISE", 2 },
	{ "AFFILIATION_CHANGED", 3 },  { "SUPERSEDED", 4 },	    { "CESSATION_OF_OPERATION", 5 },
	{ "CERTIFICATE_HOLD", 6 },     { "PRIVILEGES_WITHDRAWN", 9 }, { "AA_COMPROMISE", 10 },
};

/* One issuing CA, loaded once per worker. */
struct sca {
	const char *kind;        /* "rsa" or "sm2": its folder under ca_dir */
	bool loaded;
	X509 *cert, *root;
	EVP_PKEY *key;
	char dn[CERT_DN_MAX];
};

static struct sca cas[] = { { .kind = "rsa" }, { .kind = "sm2" } };

static const char sql_insert[] =
	"INSERT INTO sandbox_ca_certs (ca_name, serial, username, subject, der, key_sha256, issued_at) "
	"VALUES (?, ?, ?, ?, ?, ?, NOW(3) - INTERVAL ? DAY)";
static const char sql_lock_cert[] =
	"SELECT revoked_at IS NOT NULL FROM sandbox_ca_certs WHERE ca_name = ? AND serial = ? "
	"FOR UPDATE";
static const char sql_revoke[] =
	"UPDATE sandbox_ca_certs SET revoked_at = FROM_UNIXTIME(?), reason = ? "
	"WHERE ca_name = ? AND serial = ?";
static const char sql_lock_crl[] =
	"SELECT crl_number FROM sandbox_ca_crls WHERE ca_name = ? FOR UPDATE";
static const char sql_revoked[] =
	"SELECT serial, UNIX_TIMESTAMP(revoked_at), reason FROM sandbox_ca_certs "
	"WHERE ca_name = ? AND revoked_at IS NOT NULL ORDER BY serial";
static const char sql_put_crl[] =
	"INSERT INTO sandbox_ca_crls (ca_name, crl_number, der, next_update) "
	"VALUES (?, ?, ?, FROM_UNIXTIME(?)) ON DUPLICATE KEY UPDATE crl_number = VALUES(crl_number), "
	"der = VALUES(der), next_update = VALUES(next_update)";
static const char sql_get_crl[] =
	"SELECT der, next_update < NOW() + INTERVAL 1 DAY FROM sandbox_ca_crls WHERE ca_name = ?";

int sandbox_ejbca_error(struct req *r, int status, const char *message)
{
	resp_json(r, status, json_pack("{s:i, s:s}", "error_code", status, "error_message", message));
	return -1;
}

/* EJBCA knows its REST clients by certificate: nginx verified it against the RA client CA;
 * a request that came without one is refused as EJBCA refuses it. */
int sandbox_ca_client_known(struct req *r)
{
	const char *v = req_param(r, "SSL_CLIENT_VERIFY");

	if (v == NULL || strcmp(v, "SUCCESS") != 0)
		return sandbox_ejbca_error(r, 403, "Not authorized: no client certificate was presented");
	return 0;
}

static X509 *read_pem_cert(const char *path)
{
	FILE *f = fopen(path, "r");
	X509 *x = f != NULL ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;

	if (f != NULL)
		fclose(f);
	return x;
}

static int load(const struct req *r, struct sca *ca)
{
	char path[CONF_STR_MAX + 32];
	FILE *f;

	if (ca->loaded)
		return 0;
	snprintf(path, sizeof(path), "%s/%s/ca.pem", r->app->conf.sandbox_ca_dir, ca->kind);
	ca->cert = read_pem_cert(path);
	snprintf(path, sizeof(path), "%s/%s/root.pem", r->app->conf.sandbox_ca_dir, ca->kind);
	ca->root = read_pem_cert(path);
	snprintf(path, sizeof(path), "%s/%s/ca.key", r->app->conf.sandbox_ca_dir, ca->kind);
	if ((f = fopen(path, "r")) != NULL) {
		ca->key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
		fclose(f);
	}
	if (ca->cert == NULL || ca->root == NULL || ca->key == NULL ||
	    cert_dn(X509_get_subject_name(ca->cert), ca->dn, sizeof(ca->dn)) < 0) {
		log_rid(LOG_ERROR, r->rid, "sandbox CA %s: cannot load %s/%s (tools/stack.sh makes it)",
			ca->kind, r->app->conf.sandbox_ca_dir, ca->kind);
		X509_free(ca->cert);
		X509_free(ca->root);
		EVP_PKEY_free(ca->key);
		ca->cert = ca->root = NULL;
		ca->key = NULL;
		ERR_clear_error();
		return -1;
	}
	ca->loaded = true;
	return 0;
}

/* The EJBCA name of a CA: [ca] rsa_ca_name / sm2_ca_name, shared with the hall's adapter. */
static const char *ca_name(const struct req *r, const struct sca *ca)
{
	return strcmp(ca->kind, "rsa") == 0 ? r->app->conf.ca_rsa_name : r->app->conf.ca_sm2_name;
}

/* The CA by its EJBCA name or its issuer DN; NULL answered (404, or 500 when it cannot load). */
struct sca *sandbox_find_ca(struct req *r, const char *name, const char *dn)
{
	for (size_t i = 0; i < sizeof(cas) / sizeof(cas[0]); i++) {
		if (name != NULL && strcmp(name, ca_name(r, &cas[i])) != 0)
			continue;
		if (load(r, &cas[i]) < 0) {
			sandbox_ejbca_error(r, 500, "CA keys unavailable");
			return NULL;
		}
		if (dn != NULL && strcmp(dn, cas[i].dn) != 0)
			continue;
		return &cas[i];
	}
	sandbox_ejbca_error(r, 404, name != NULL ? "CA with that name does not exist"
					 : "CA with that issuer DN does not exist");
	return NULL;
}

/* A DER blob of an OpenSSL object as base64 into the arena; NULL on failure. */
static char *arena_b64(struct req *r, const unsigned char *der, int n)
{
	char *b = n > 0 ? cert_b64_encode(der, (size_t)n) : NULL;
	char *a = b != NULL ? arena_strdup(r->arena, b) : NULL;

	free(b);
	return a;
}

static char *x509_b64(struct req *r, X509 *x)
{
	unsigned char *der = NULL;
	int n = i2d_X509(x, &der);
	char *s = arena_b64(r, der, n);

	OPENSSL_free(der);
	return s;
}

static int add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
	X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
	int ok = e != NULL && X509_add_ext(x, e, -1) == 1;

	X509_EXTENSION_free(e);
	return ok ? 0 : -1;
}

/* A fresh positive 128-bit serial (RFC 5280: at most 20 octets, unpredictable). */
static int fresh_serial(X509 *x)
{
	unsigned char b[16];
	BIGNUM *bn = NULL;
	int ok;

	if (crypto_random(b, sizeof(b)) < 0)
		return -1;
	b[0] = (unsigned char)((b[0] & 0x7f) | 0x40); /* positive, and always 32 hex digits */
	bn = BN_bin2bn(b, sizeof(b), NULL);
	ok = bn != NULL && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL;
	BN_free(bn);
	return ok ? 0 : -1;
}

/* The end-entity certificate for req under ca, valid CA_DAYS from ago_days before now;
 * NULL on failure. */
static X509 *make_cert(struct sca *ca, X509_REQ *req, enum cert_key kind, long ago_days)
{
	X509 *x = X509_new();
	X509V3_CTX ctx;
	const char *usage = kind == CERT_KEY_RSA
		? "critical,digitalSignature,nonRepudiation,keyEncipherment"
		: "critical,digitalSignature,nonRepudiation";

	if (x == NULL || X509_set_version(x, X509_VERSION_3) != 1 || fresh_serial(x) < 0 ||
	    X509_set_issuer_name(x, X509_get_subject_name(ca->cert)) != 1 ||
	    X509_set_subject_name(x, X509_REQ_get_subject_name(req)) != 1 ||
	    X509_set_pubkey(x, X509_REQ_get0_pubkey(req)) != 1 ||
	    X509_gmtime_adj(X509_getm_notBefore(x), -ago_days * 86400) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(x), (CA_DAYS - ago_days) * 86400) == NULL)
		goto fail;
	X509V3_set_ctx(&ctx, ca->cert, x, NULL, NULL, 0);
	if (add_ext(x, &ctx, NID_basic_constraints, "critical,CA:FALSE") < 0 ||
	    add_ext(x, &ctx, NID_key_usage, usage) < 0 ||
	    add_ext(x, &ctx, NID_ext_key_usage, "clientAuth,emailProtection") < 0 ||
	    add_ext(x, &ctx, NID_subject_key_identifier, "hash") < 0 ||
	    add_ext(x, &ctx, NID_authority_key_identifier, "keyid") < 0 ||
	    cert_sign_x509(x, ca->key) < 0)
		goto fail;
	return x;
fail:
	X509_free(x);
	return NULL;
}

X509 *sandbox_ca_sign(struct req *r, struct sca *ca, X509_REQ *req, const struct cert_csr_info *ci,
		      const char *username, long ago_days, char serial[CERT_SERIAL_MAX + 1])
{
	unsigned char *der = NULL;
	X509 *x;
	int n, rc;

	if ((x = make_cert(ca, req, ci->key, ago_days)) == NULL ||
	    cert_serial_hex(X509_get0_serialNumber(x), serial, CERT_SERIAL_MAX + 1) < 0 ||
	    (n = i2d_X509(x, &der)) <= 0) {
		log_rid(LOG_ERROR, r->rid, "sandbox CA %s: signing failed", ca->kind);
		ERR_clear_error();
		sandbox_ejbca_error(r, 500, "Signing failed");
		goto fail;
	}
	rc = db_exec(&r->app->db, sql_insert,
		     DB_ARGS(DB_STR(ca_name(r, ca)), DB_STR(serial), DB_STR(username),
			     DB_STR(ci->subject), DB_BLOB(der, (size_t)n), DB_STR(ci->key_sha256),
			     DB_I64(ago_days)),
		     NULL, NULL);
	OPENSSL_free(der);
	if (rc == DB_OK)
		return x;
	app_db_error(r, rc);
fail:
	X509_free(x);
	return NULL;
}

/* Declared input of an enrolment: EJBCA's member names. certificate_request is read apart:
 * PEM has line breaks, which req_fields refuses in text. */
struct enroll_in {
	const char *cert_profile, *ee_profile, *ca, *username, *password;
};

static bool username_ok(const char *s)
{
	static const char ok[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.@-";

	return strspn(s, ok) == strlen(s);
}

static const struct req_field enroll_fields[] = {
	{ "certificate_profile_name", true, 255, NULL, "certificate_profile_name",
	  offsetof(struct enroll_in, cert_profile) },
	{ "end_entity_profile_name", true, 255, NULL, "end_entity_profile_name",
	  offsetof(struct enroll_in, ee_profile) },
	{ "certificate_authority_name", true, 255, NULL, "certificate_authority_name",
	  offsetof(struct enroll_in, ca) },
	{ "username", true, USERNAME_MAX, username_ok, "username: letters, digits, _ . @ -",
	  offsetof(struct enroll_in, username) },
	{ "password", false, 255, NULL, "password", offsetof(struct enroll_in, password) },
};

int sandbox_ca_enroll(struct req *r)
{
	struct enroll_in in;
	struct cert_csr_info ci;
	struct sca *ca;
	X509_REQ *req = NULL;
	X509 *x = NULL;
	unsigned char *der = NULL;
	char serial[CERT_SERIAL_MAX + 1];
	json_t *body, *chain = NULL;
	const char *csr;
	int n, ret = -1;

	if (sandbox_ca_client_known(r) < 0 || sandbox_ready(r) < 0 || req_json(r, &body) < 0 ||
	    REQ_FIELDS(r, body, enroll_fields, &in) < 0)
		return -1;
	csr = json_string_value(json_object_get(body, "certificate_request"));
	if (csr == NULL || json_string_length(json_object_get(body, "certificate_request")) > CERT_PEM_MAX ||
	    strlen(csr) != json_string_length(json_object_get(body, "certificate_request")))
		return sandbox_ejbca_error(r, 400, "certificate_request: a PKCS#10 request in PEM or base64 DER");
	if (strcmp(in.cert_profile, r->app->conf.ca_cert_profile) != 0 ||
	    strcmp(in.ee_profile, r->app->conf.ca_ee_profile) != 0)
		return sandbox_ejbca_error(r, 400, "Unknown certificate profile or end entity profile");
	if ((ca = sandbox_find_ca(r, in.ca, NULL)) == NULL)
		return -1;
	req = cert_csr_read(csr, strlen(csr));
	if (req == NULL || cert_csr_info_of(req, &ci) < 0) {
		ret = sandbox_ejbca_error(r, 400, "Invalid certificate request: unreadable, or its signature "
					  "does not verify");
		goto out;
	}
	if (ci.cn[0] == '\0') {
		ret = sandbox_ejbca_error(r, 400, "Subject DN field 'CN' must exist");
		goto out;
	}
	/* The profile of each CA takes its own kind of key only. */
	if (strcmp(ca->kind, "rsa") == 0 ? ci.key != CERT_KEY_RSA || ci.bits < 2048
					 : ci.key != CERT_KEY_SM2) {
		ret = sandbox_ejbca_error(r, 400, "Key algorithm or size not allowed by the certificate profile");
		goto out;
	}
	if ((x = sandbox_ca_sign(r, ca, req, &ci, in.username, 0, serial)) == NULL)
		goto out;
	if ((n = i2d_X509(x, &der)) <= 0) {
		ERR_clear_error();
		ret = sandbox_ejbca_error(r, 500, "Signing failed");
		goto out;
	}
	if (json_is_true(json_object_get(body, "include_chain")))
		chain = json_pack("[s, s]", x509_b64(r, ca->cert), x509_b64(r, ca->root));
	resp_json(r, 200, json_pack("{s:s, s:s, s:s, s:o*}", "certificate", arena_b64(r, der, n),
				    "serial_number", serial, "response_format", "DER",
				    "certificate_chain", chain));
	ret = 0;
out:
	OPENSSL_free(der);
	X509_free(x);
	X509_REQ_free(req);
	return ret;
}

/* What one CRL signing needs, inside its transaction. */
struct crl_job {
	struct req *r;
	struct sca *ca;
	const char *serial;   /* to revoke first; NULL: only re-sign */
	int reason;
	time_t at;
	bool missing, already;
};

static int add_revoked(X509_CRL *crl, const char *serial, time_t at, int reason)
{
	X509_REVOKED *rv = X509_REVOKED_new();
	BIGNUM *bn = NULL;
	ASN1_INTEGER *sn = NULL;
	ASN1_TIME *t = NULL;
	ASN1_ENUMERATED *why = NULL;
	int ok = 0;

	if (rv == NULL || BN_hex2bn(&bn, serial) == 0 || (sn = BN_to_ASN1_INTEGER(bn, NULL)) == NULL ||
	    (t = ASN1_TIME_set(NULL, at)) == NULL || (why = ASN1_ENUMERATED_new()) == NULL ||
	    ASN1_ENUMERATED_set(why, reason) != 1)
		goto out;
	ok = X509_REVOKED_set_serialNumber(rv, sn) == 1 &&
	     X509_REVOKED_set_revocationDate(rv, t) == 1 &&
	     X509_REVOKED_add1_ext_i2d(rv, NID_crl_reason, why, 0, 0) == 1 &&
	     X509_CRL_add0_revoked(crl, rv) == 1;
	if (ok)
		rv = NULL; /* the CRL owns it */
out:
	ASN1_ENUMERATED_free(why);
	ASN1_TIME_free(t);
	ASN1_INTEGER_free(sn);
	BN_free(bn);
	X509_REVOKED_free(rv);
	return ok ? 0 : -1;
}

/* The CRL of ca listing rows (serial, unix time, reason), numbered number; DER into the arena. */
static int sign_crl(struct req *r, struct sca *ca, const struct db_rows *rows, long long number,
		    time_t now, unsigned char **out, int *outlen)
{
	X509_CRL *crl = X509_CRL_new();
	ASN1_TIME *last = ASN1_TIME_set(NULL, now);
	ASN1_TIME *next = ASN1_TIME_set(NULL, now + (time_t)CRL_DAYS * 86400);
	ASN1_INTEGER *num = ASN1_INTEGER_new();
	X509V3_CTX ctx;
	X509_EXTENSION *aki = NULL;
	unsigned char *der = NULL;
	int n = 0, ret = -1;

	if (crl == NULL || last == NULL || next == NULL || num == NULL ||
	    X509_CRL_set_version(crl, X509_CRL_VERSION_2) != 1 ||
	    X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca->cert)) != 1 ||
	    X509_CRL_set1_lastUpdate(crl, last) != 1 || X509_CRL_set1_nextUpdate(crl, next) != 1 ||
	    ASN1_INTEGER_set_int64(num, number) != 1 ||
	    X509_CRL_add1_ext_i2d(crl, NID_crl_number, num, 0, 0) != 1)
		goto out;
	X509V3_set_ctx(&ctx, ca->cert, NULL, NULL, crl, 0);
	if ((aki = X509V3_EXT_conf_nid(NULL, &ctx, NID_authority_key_identifier, "keyid")) == NULL ||
	    X509_CRL_add_ext(crl, aki, -1) != 1)
		goto out;
	for (size_t i = 0; i < rows->nrows; i++)
		if (add_revoked(crl, db_cell(rows, i, 0), (time_t)strtoll(db_cell(rows, i, 1), NULL, 10),
				(int)strtol(db_cell(rows, i, 2), NULL, 10)) < 0)
			goto out;
	if (X509_CRL_sort(crl) != 1 || cert_sign_crl(crl, ca->key) < 0 || (n = i2d_X509_CRL(crl, &der)) <= 0)
		goto out;
	if ((*out = arena_alloc(r->arena, (size_t)n)) == NULL)
		goto out;
	memcpy(*out, der, (size_t)n);
	*outlen = n;
	ret = 0;
out:
	if (ret < 0) {
		log_rid(LOG_ERROR, r->rid, "sandbox CA %s: signing the CRL failed", ca->kind);
		ERR_clear_error();
	}
	OPENSSL_free(der);
	X509_EXTENSION_free(aki);
	ASN1_INTEGER_free(num);
	ASN1_TIME_free(next);
	ASN1_TIME_free(last);
	X509_CRL_free(crl);
	return ret;
}

/* db_tx: revoke job->serial (when set), then sign the next CRL of the CA and keep it. */
static int crl_tx(struct db *db, void *arg)
{
	struct crl_job *job = arg;
	struct req *r = job->r;
	const char *name = ca_name(r, job->ca);
	struct db_rows rows, revoked;
	unsigned char *der = NULL;
	long long number = 1;
	int n = 0, rc;

	job->missing = job->already = false;
	if (job->serial != NULL) {
		rc = db_query(db, r->arena, sql_lock_cert, DB_ARGS(DB_STR(name), DB_STR(job->serial)),
			      &rows);
		if (rc != DB_OK)
			return rc;
		if (rows.nrows != 1 || strcmp(db_cell(&rows, 0, 0), "1") == 0) {
			job->missing = rows.nrows != 1;
			job->already = !job->missing;
			return TX_STOP;
		}
		rc = db_exec(db, sql_revoke, DB_ARGS(DB_I64(job->at), DB_I64(job->reason), DB_STR(name),
						     DB_STR(job->serial)), NULL, NULL);
		if (rc != DB_OK)
			return rc;
	}
	/* The CRL row locked: two revocations at once sign numbers one after the other. */
	rc = db_query(db, r->arena, sql_lock_crl, DB_ARGS(DB_STR(name)), &rows);
	if (rc != DB_OK)
		return rc;
	if (rows.nrows == 1)
		number = strtoll(db_cell(&rows, 0, 0), NULL, 10) + 1;
	rc = db_query(db, r->arena, sql_revoked, DB_ARGS(DB_STR(name)), &revoked);
	if (rc != DB_OK)
		return rc;
	if (sign_crl(r, job->ca, &revoked, number, time(NULL), &der, &n) < 0)
		return TX_SIGN;
	return db_exec(db, sql_put_crl, DB_ARGS(DB_STR(name), DB_I64(number), DB_BLOB(der, (size_t)n),
						DB_I64(time(NULL) + (time_t)CRL_DAYS * 86400)),
		       NULL, NULL);
}

static int reason_code(const char *name)
{
	for (size_t i = 0; name != NULL && i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (strcmp(name, reasons[i].name) == 0)
			return reasons[i].code;
	return -1;
}

int sandbox_ca_revoke(struct req *r)
{
	struct crl_job job = { .r = r };
	struct kvlist args;
	const char *reason;
	char serial[CERT_SERIAL_MAX + 1], when[32];
	BIGNUM *bn = NULL;
	char *hex;
	int rc;

	if (sandbox_ca_client_known(r) < 0 || sandbox_ready(r) < 0 || req_args(r, &args) < 0)
		return -1;
	if ((job.ca = sandbox_find_ca(r, NULL, r->params[0])) == NULL)
		return -1;
	reason = kv_get(&args, "reason");
	if ((job.reason = reason_code(reason)) < 0)
		return sandbox_ejbca_error(r, 400, "Invalid revocation reason");
	if (!cert_serial_valid(r->params[1]) || BN_hex2bn(&bn, r->params[1]) == 0 ||
	    (hex = BN_bn2hex(bn)) == NULL) {
		BN_free(bn);
		return sandbox_ejbca_error(r, 400, "Invalid serial number");
	}
	/* Stored as cert_serial_hex writes it: uppercase, no leading zeros. */
	snprintf(serial, sizeof(serial), "%s", hex + strspn(hex, "0") - (hex[strspn(hex, "0")] == '\0'));
	OPENSSL_free(hex);
	BN_free(bn);
	job.serial = serial;
	job.at = time(NULL);
	rc = db_tx(&r->app->db, crl_tx, &job);
	if (job.missing)
		return sandbox_ejbca_error(r, 404, "Could not find certificate");
	if (job.already)
		return sandbox_ejbca_error(r, 409, "Certificate is already revoked");
	if (rc != DB_OK)
		return rc == TX_SIGN ? sandbox_ejbca_error(r, 500, "CRL signing failed") : app_db_error(r, rc);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&job.at));
	resp_json(r, 200, json_pack("{s:s, s:s, s:s, s:s, s:s, s:b}", "issuer_dn", job.ca->dn,
				    "serial_number", serial, "revocation_reason", reason,
				    "revocation_date", when, "message", "Successfully revoked",
				    "revoked", 1));
	return 0;
}

int sandbox_ca_crl(struct req *r)
{
	struct crl_job job = { .r = r };
	struct db_rows rows;
	int rc;

	if (sandbox_ca_client_known(r) < 0 || sandbox_ready(r) < 0 || (job.ca = sandbox_find_ca(r, NULL, r->params[0])) == NULL)
		return -1;
	rc = db_query(&r->app->db, r->arena, sql_get_crl, DB_ARGS(DB_STR(ca_name(r, job.ca))), &rows);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	/* None signed yet (no revocation so far), or close to its nextUpdate: sign one now. */
	if (rows.nrows != 1 || strcmp(db_cell(&rows, 0, 1), "1") == 0) {
		rc = db_tx(&r->app->db, crl_tx, &job);
		if (rc != DB_OK)
			return rc == TX_SIGN ? sandbox_ejbca_error(r, 500, "CRL signing failed") : app_db_error(r, rc);
		rc = db_query(&r->app->db, r->arena, sql_get_crl,
			      DB_ARGS(DB_STR(ca_name(r, job.ca))), &rows);
		if (rc != DB_OK)
			return app_db_error(r, rc);
		if (rows.nrows != 1)
			return sandbox_ejbca_error(r, 500, "CRL signing failed");
	}
	resp_json(r, 200, json_pack("{s:s, s:s}", "crl",
				    arena_b64(r, (const unsigned char *)db_cell(&rows, 0, 0),
					      (int)rows.len[0]),
				    "response_format", "DER"));
	return 0;
}
