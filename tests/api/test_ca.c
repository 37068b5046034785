/* API tests: the CA adapter (shared/ext/ca.c) against the sandbox CA's EJBCA REST subset behind
 * the stack's mutual TLS; what it issues and revokes checked by the openssl command line (RSA)
 * and by OpenSSL's API with GM/T 0009's SM2 identifier (SM2: see check_sm2_signed). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "apiclient.h"
#include "wizclient.h"
#include "base/conf.h"
#include "crypto/cert.h"
#include "crypto/crypto.h"
#include "ext/ca.h"

static struct conf conf;
static char run_id[17];
static char tmpdir[64];

static int setup(void **state)
{
	(void)state;
	if (api_conf_load(&conf) < 0)
		return -1;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/certhall-ca.XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	return crypto_token_hex(run_id, sizeof(run_id), 8);
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* A token's key and request (what the sandbox token makes with OpenSSL). */
struct token {
	EVP_PKEY *key;
	char *csr;
};

static void token_make(struct token *t, enum cert_key kind, const char *cn)
{
	t->key = cert_key_new(kind);
	assert_non_null(t->key);
	t->csr = cert_csr_pem(t->key, cn, "测试有限公司");
	assert_non_null(t->csr);
}

static void token_free(struct token *t)
{
	EVP_PKEY_free(t->key);
	free(t->csr);
}

static const char *username(const char *what, char *out, size_t outsz)
{
	snprintf(out, outsz, "t-%s-%s", run_id, what);
	return out;
}

/* A fresh token of kind whose certificate the CA issued as end entity t-<run>-<tag>. */
static void issued(struct token *t, enum cert_key kind, const char *cn, const char *tag,
		   struct ca_cert *c)
{
	char err[512], name[64];

	token_make(t, kind, cn);
	assert_int_equal(ca_issue(&conf, t->csr, username(tag, name, sizeof(name)), c, err, sizeof(err)),
			 CA_OK);
}

static const char *tmp(const char *name, char *out, size_t outsz)
{
	snprintf(out, outsz, "%s/%s", tmpdir, name);
	return out;
}

static X509 *pem_cert(const char *path)
{
	FILE *f = fopen(path, "r");
	X509 *x;

	assert_non_null(f);
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(x);
	return x;
}

static void test_issue_rsa(void **state)
{
	struct token t;
	struct ca_cert c;
	char err[512], name[64], out[4096], cmd[1024], path[512];
	int rc;

	(void)state;
	token_make(&t, CERT_KEY_RSA, "张三");
	rc = ca_issue(&conf, t.csr, username("rsa", name, sizeof(name)), &c, err, sizeof(err));
	assert_int_equal(rc, CA_OK);
	assert_non_null(strstr(c.pem, "-----BEGIN CERTIFICATE-----"));
	assert_string_equal(c.info.issuer, conf.ca_rsa_issuer_dn);
	assert_string_equal(c.info.cn, "张三");
	assert_string_equal(c.info.subject, "CN=张三,O=测试有限公司,C=CN");
	assert_int_equal(c.info.key, CERT_KEY_RSA);
	assert_true(c.info.not_after - c.info.not_before >= 364L * 86400);
	assert_int_equal(wiz_openssl_verify("ca/rsa", c.pem, NULL, 0, out, sizeof(out)), 0);
	assert_non_null(strstr(out, ": OK"));
	/* The fingerprint and serial as openssl reads them. */
	wiz_write_file(tmp("leaf.pem", path, sizeof(path)), c.pem, strlen(c.pem));
	snprintf(cmd, sizeof(cmd),
		 "openssl x509 -in '%s' -noout -fingerprint -sha256 -serial | tr -d ':' | "
		 "tr 'A-F' 'a-f'", path);
	assert_int_equal(wiz_run(cmd, out, sizeof(out)), 0);
	assert_non_null(strstr(out, c.info.sha256));
	for (char *p = c.info.serial; *p; p++)
		*p = (char)(*p >= 'A' && *p <= 'F' ? *p - 'A' + 'a' : *p);
	assert_non_null(strstr(out, c.info.serial));
	ca_cert_free(&c);
	token_free(&t);
}

/*
 * SM2 signatures cover a digest of the signer's distinguishing identifier. GM/T 0009 names
 * "1234567812345678" as the default and Chinese CAs sign with it; OpenSSL 3.0 signs and
 * verifies with an empty identifier unless one is set, and its chain verification
 * (X509_verify_cert, `openssl verify`) and X509_CRL_verify offer no way to set one. So SM2 is
 * checked here with the identifier set on each certificate (X509_set0_distinguishing_id) and,
 * for a CRL, by verifying its signed part with EVP and the identifier.
 */
static int sm2_verify_cert(X509 *x, X509 *issuer)
{
	ASN1_OCTET_STRING *id = ASN1_OCTET_STRING_new();

	assert_non_null(id);
	assert_true(ASN1_OCTET_STRING_set(id, (const unsigned char *)CERT_SM2_ID, 16));
	X509_set0_distinguishing_id(x, id);
	return X509_verify(x, X509_get0_pubkey(issuer));
}

static int sm2_verify_crl(X509_CRL *crl, X509 *issuer)
{
	const ASN1_BIT_STRING *sig = NULL;
	unsigned char *tbs = NULL;
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	int n = i2d_re_X509_CRL_tbs(crl, &tbs), ok;

	X509_CRL_get0_signature(crl, &sig, NULL);
	assert_true(n > 0);
	assert_int_equal(EVP_DigestVerifyInit_ex(m, &pctx, "SM3", NULL, NULL, X509_get0_pubkey(issuer),
						 NULL), 1);
	assert_true(EVP_PKEY_CTX_set1_id(pctx, CERT_SM2_ID, 16) > 0);
	ok = EVP_DigestVerify(m, sig->data, (size_t)sig->length, tbs, (size_t)n);
	EVP_MD_CTX_free(m);
	OPENSSL_free(tbs);
	return ok;
}

static X509 *cert_of_pem(const char *pem)
{
	X509 *x = cert_read(pem, strlen(pem));

	assert_non_null(x);
	return x;
}

static X509_CRL *crl_of(const unsigned char *der, size_t len)
{
	const unsigned char *p = der;
	X509_CRL *crl = d2i_X509_CRL(NULL, &p, (long)len);

	assert_non_null(crl);
	return crl;
}

/* The reason a CRL gives for serial (hex), -1 when it does not list it. */
static int crl_reason(X509_CRL *crl, const char *serial)
{
	STACK_OF(X509_REVOKED) *revs = X509_CRL_get_REVOKED(crl);

	for (int i = 0; i < sk_X509_REVOKED_num(revs); i++) {
		X509_REVOKED *rv = sk_X509_REVOKED_value(revs, i);
		char hex[CERT_SERIAL_MAX + 1];
		ASN1_ENUMERATED *why;
		int reason = 0;

		assert_int_equal(cert_serial_hex(X509_REVOKED_get0_serialNumber(rv), hex, sizeof(hex)), 0);
		if (strcmp(hex, serial) != 0)
			continue;
		why = X509_REVOKED_get_ext_d2i(rv, NID_crl_reason, NULL, NULL);
		if (why) {
			reason = (int)ASN1_ENUMERATED_get(why);
			ASN1_ENUMERATED_free(why);
		}
		return reason;
	}
	return -1;
}

static void test_issue_sm2(void **state)
{
	struct token t, other;
	struct ca_cert c;
	char err[512], name[64], path[512];
	X509 *leaf, *ca, *root, *stranger;

	(void)state;
	token_make(&t, CERT_KEY_SM2, "李四");
	assert_int_equal(ca_issue(&conf, t.csr, username("sm2", name, sizeof(name)), &c, err, sizeof(err)),
			 CA_OK);
	assert_int_equal(c.info.key, CERT_KEY_SM2);
	assert_string_equal(c.info.issuer, conf.ca_sm2_issuer_dn);
	assert_string_equal(c.info.cn, "李四");
	leaf = cert_of_pem(c.pem);
	ca = pem_cert(api_stack_path("ca/sm2/ca.pem", path, sizeof(path)));
	root = pem_cert(api_stack_path("ca/sm2/root.pem", path, sizeof(path)));
	/* SM2 with SM3 (OID 1.2.156.10197.1.501), chained leaf -> issuing CA -> root. */
	assert_int_equal(X509_get_signature_nid(leaf), NID_SM2_with_SM3);
	assert_int_equal(sm2_verify_cert(leaf, ca), 1);
	assert_int_equal(sm2_verify_cert(ca, root), 1);
	/* The same check fails for a certificate another key signed: it can fail. */
	stranger = pem_cert(api_stack_path("ca/rsa/ca.pem", path, sizeof(path)));
	assert_int_not_equal(X509_verify(leaf, X509_get0_pubkey(stranger)), 1);
	token_make(&other, CERT_KEY_SM2, "王五");
	assert_int_not_equal(X509_verify(leaf, other.key), 1);
	X509_free(stranger);
	X509_free(root);
	X509_free(ca);
	X509_free(leaf);
	ca_cert_free(&c);
	token_free(&other);
	token_free(&t);
}

/* Revocation of an RSA certificate: the CRL lists it (keyCompromise), openssl verify -crl_check
 * refuses it and still accepts a sibling that was not revoked. */
static void test_revoke_rsa_crl(void **state)
{
	struct token t1, t2;
	struct ca_cert gone, kept;
	char err[512], out[4096];
	unsigned char *der = NULL;
	size_t len = 0;
	int already = -1;
	X509_CRL *crl;

	(void)state;
	issued(&t1, CERT_KEY_RSA, "撤销一", "gone", &gone);
	issued(&t2, CERT_KEY_RSA, "保留二", "kept", &kept);
	assert_int_equal(ca_revoke(&conf, CERT_KEY_RSA, gone.info.serial, CA_REASON_KEY_COMPROMISE,
				   &already, err, sizeof(err)), CA_OK);
	assert_int_equal(already, 0);
	/* Again: already so, which is what was asked. */
	assert_int_equal(ca_revoke(&conf, CERT_KEY_RSA, gone.info.serial, CA_REASON_KEY_COMPROMISE,
				   &already, err, sizeof(err)), CA_OK);
	assert_int_equal(already, 1);
	assert_int_equal(ca_crl(&conf, CERT_KEY_RSA, &der, &len, err, sizeof(err)), CA_OK);
	crl = crl_of(der, len);
	assert_int_equal(crl_reason(crl, gone.info.serial), CA_REASON_KEY_COMPROMISE);
	assert_int_equal(crl_reason(crl, kept.info.serial), -1);
	assert_int_not_equal(wiz_openssl_verify("ca/rsa", gone.pem, der, len, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "certificate revoked"));
	assert_int_equal(wiz_openssl_verify("ca/rsa", kept.pem, der, len, out, sizeof(out)), 0);
	assert_non_null(strstr(out, ": OK"));
	X509_CRL_free(crl);
	free(der);
	ca_cert_free(&kept);
	ca_cert_free(&gone);
	token_free(&t2);
	token_free(&t1);
}

/* Two revocations at once: each re-signs the CRL, and the latest shows both. */
static void test_revoke_sm2_crl(void **state)
{
	struct token t1, t2;
	struct ca_cert a, b;
	char err[512], path[512];
	unsigned char *der = NULL;
	size_t len = 0;
	X509_CRL *crl;
	X509 *ca;
	ASN1_INTEGER *num;
	long first;

	(void)state;
	issued(&t1, CERT_KEY_SM2, "注销甲", "sm2a", &a);
	issued(&t2, CERT_KEY_SM2, "丢失乙", "sm2b", &b);
	assert_int_equal(ca_crl(&conf, CERT_KEY_SM2, &der, &len, err, sizeof(err)), CA_OK);
	crl = crl_of(der, len);
	num = X509_CRL_get_ext_d2i(crl, NID_crl_number, NULL, NULL);
	assert_non_null(num);
	first = ASN1_INTEGER_get(num);
	ASN1_INTEGER_free(num);
	assert_int_equal(crl_reason(crl, a.info.serial), -1);
	X509_CRL_free(crl);
	free(der);
	assert_int_equal(ca_revoke(&conf, CERT_KEY_SM2, a.info.serial, CA_REASON_CESSATION_OF_OPERATION,
				   NULL, err, sizeof(err)), CA_OK);
	assert_int_equal(ca_revoke(&conf, CERT_KEY_SM2, b.info.serial, CA_REASON_KEY_COMPROMISE, NULL,
				   err, sizeof(err)), CA_OK);
	assert_int_equal(ca_crl(&conf, CERT_KEY_SM2, &der, &len, err, sizeof(err)), CA_OK);
	crl = crl_of(der, len);
	assert_int_equal(crl_reason(crl, a.info.serial), CA_REASON_CESSATION_OF_OPERATION);
	assert_int_equal(crl_reason(crl, b.info.serial), CA_REASON_KEY_COMPROMISE);
	num = X509_CRL_get_ext_d2i(crl, NID_crl_number, NULL, NULL);
	assert_true(ASN1_INTEGER_get(num) >= first + 2);
	ASN1_INTEGER_free(num);
	ca = pem_cert(api_stack_path("ca/sm2/ca.pem", path, sizeof(path)));
	assert_int_equal(sm2_verify_crl(crl, ca), 1);
	X509_free(ca);
	X509_CRL_free(crl);
	free(der);
	ca_cert_free(&b);
	ca_cert_free(&a);
	token_free(&t2);
	token_free(&t1);
}

/* Renewal keeps the key and gets a new serial; a renewal request with another key never
 * leaves the hall; a change of subject is a re-issue without the key check. */
static void test_reissue(void **state)
{
	struct token t, other;
	struct ca_cert first, renewed, changed;
	char err[512], name[64], *csr2;

	(void)state;
	token_make(&t, CERT_KEY_RSA, "续期丙");
	token_make(&other, CERT_KEY_RSA, "续期丙");
	username("renew", name, sizeof(name));
	assert_int_equal(ca_issue(&conf, t.csr, name, &first, err, sizeof(err)), CA_OK);
	assert_int_equal(ca_reissue(&conf, t.csr, name, first.info.key_sha256, &renewed, err, sizeof(err)),
			 CA_OK);
	assert_string_equal(renewed.info.key_sha256, first.info.key_sha256);
	assert_string_not_equal(renewed.info.serial, first.info.serial);
	assert_int_equal(ca_reissue(&conf, other.csr, name, first.info.key_sha256, &changed, err,
				    sizeof(err)), CA_REFUSED);
	assert_null(changed.pem);
	assert_non_null(strstr(err, "own key"));
	csr2 = cert_csr_pem(t.key, "续期丙（新名）", "测试有限公司");
	assert_non_null(csr2);
	assert_int_equal(ca_reissue(&conf, csr2, name, NULL, &changed, err, sizeof(err)), CA_OK);
	assert_string_equal(changed.info.cn, "续期丙（新名）");
	assert_string_equal(changed.info.key_sha256, first.info.key_sha256);
	free(csr2);
	ca_cert_free(&changed);
	ca_cert_free(&renewed);
	ca_cert_free(&first);
	token_free(&other);
	token_free(&t);
}

/* The CA answers only a client with the RA certificate; the hall answers only a CA whose
 * server certificate chains to [ca] ca_file. */
static void test_mutual_tls(void **state)
{
	struct token t;
	struct ca_cert c;
	struct conf bad;
	char err[512], name[64], path[512];
	unsigned char *der = NULL;
	size_t len = 0;

	(void)state;
	token_make(&t, CERT_KEY_RSA, "双向认证");
	username("mtls", name, sizeof(name));
	/* No client certificate: refused (403, EJBCA's "not authorized"). */
	bad = conf;
	bad.ca_cert_file[0] = bad.ca_key_file[0] = '\0';
	assert_int_equal(ca_issue(&bad, t.csr, name, &c, err, sizeof(err)), CA_REFUSED);
	assert_non_null(strstr(err, "HTTP 403"));
	assert_int_equal(ca_crl(&bad, CERT_KEY_RSA, &der, &len, err, sizeof(err)), CA_REFUSED);
	assert_null(der);
	/* A certificate of another CA (tls/stranger.pem): nginx refuses it (400). */
	snprintf(bad.ca_cert_file, sizeof(bad.ca_cert_file), "%s", api_stack_path("tls/stranger.pem", path, sizeof(path)));
	snprintf(bad.ca_key_file, sizeof(bad.ca_key_file), "%s", api_stack_path("tls/stranger.key", path, sizeof(path)));
	assert_int_equal(ca_issue(&bad, t.csr, name, &c, err, sizeof(err)), CA_REFUSED);
	assert_non_null(strstr(err, "HTTP 400"));
	/* A server we do not trust: nothing is sent. */
	bad = conf;
	snprintf(bad.ca_ca_file, sizeof(bad.ca_ca_file), "%s", api_stack_path("tls/other-ca.pem", path, sizeof(path)));
	assert_int_equal(ca_issue(&bad, t.csr, name, &c, err, sizeof(err)), CA_UNAVAILABLE);
	/* And with the RA certificate it works. */
	assert_int_equal(ca_issue(&conf, t.csr, name, &c, err, sizeof(err)), CA_OK);
	ca_cert_free(&c);
	token_free(&t);
}

static void test_refusals(void **state)
{
	struct token t;
	struct ca_cert c;
	char err[512], name[64], *csr;
	EVP_PKEY *weak;

	(void)state;
	username("bad", name, sizeof(name));
	assert_int_equal(ca_issue(&conf, "not a request", name, &c, err, sizeof(err)), CA_REFUSED);
	assert_int_equal(ca_issue(&conf, NULL, name, &c, err, sizeof(err)), CA_REFUSED);
	/* RSA-1024 is refused before anything is sent. */
	weak = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	assert_non_null(weak);
	csr = cert_csr_pem(weak, "弱密钥", NULL);
	assert_non_null(csr);
	assert_int_equal(ca_issue(&conf, csr, name, &c, err, sizeof(err)), CA_REFUSED);
	free(csr);
	EVP_PKEY_free(weak);
	token_make(&t, CERT_KEY_RSA, "名字");
	assert_int_equal(ca_issue(&conf, t.csr, "bad name!", &c, err, sizeof(err)), CA_REFUSED);
	/* A serial the CA never issued: 404 from the CA. */
	assert_int_equal(ca_revoke(&conf, CERT_KEY_RSA, "7FFFFFFFFFFFFFFF0000000000000001",
				   CA_REASON_KEY_COMPROMISE, NULL, err, sizeof(err)), CA_REFUSED);
	assert_non_null(strstr(err, "HTTP 404"));
	assert_int_equal(ca_revoke(&conf, CERT_KEY_RSA, "XYZ", CA_REASON_KEY_COMPROMISE, NULL, err,
				   sizeof(err)), CA_REFUSED);
	token_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_issue_rsa),
		cmocka_unit_test(test_issue_sm2),
		cmocka_unit_test(test_revoke_rsa_crl),
		cmocka_unit_test(test_revoke_sm2_crl),
		cmocka_unit_test(test_reissue),
		cmocka_unit_test(test_mutual_tls),
		cmocka_unit_test(test_refusals),
	};

	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests(tests, setup, teardown);
}
