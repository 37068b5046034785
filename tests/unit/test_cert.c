/* Unit tests of shared/crypto/cert.c and cert_verify.c: base64 (RFC 4648 vectors), serials,
 * requests and their signatures, a login challenge's signature and its certificate's issuer,
 * RSA and SM2. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/x509v3.h>

#include "crypto/cert.h"

static void test_b64_rfc4648(void **state)
{
	static const char *const vec[][2] = {
		{ "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" }, { "foob", "Zm9vYg==" },
		{ "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		char *e = cert_b64_encode((const unsigned char *)vec[i][0], strlen(vec[i][0]));
		unsigned char *d = NULL;
		size_t n = 0;

		assert_string_equal(e, vec[i][1]);
		assert_int_equal(cert_b64_decode(vec[i][1], strlen(vec[i][1]), &d, &n), 0);
		assert_int_equal(n, strlen(vec[i][0]));
		assert_memory_equal(d, vec[i][0], n);
		free(d);
		free(e);
	}
}

static void test_b64_refuses(void **state)
{
	static const char *const bad[] = { "", "Zg=", "Z===", "Zg==Zg==", "Zm9v!", "Zm=v", "====" };
	unsigned char *d;
	size_t n;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(cert_b64_decode(bad[i], strlen(bad[i]), &d, &n), -1);
		assert_null(d);
	}
	/* Line breaks, as PEM bodies carry them, are fine. */
	assert_int_equal(cert_b64_decode("Zm9v\r\nYmFy\n", 11, &d, &n), 0);
	assert_int_equal(n, 6);
	free(d);
}

static void test_serial(void **state)
{
	ASN1_INTEGER *a = ASN1_INTEGER_new();
	BIGNUM *bn = NULL;
	char hex[CERT_SERIAL_MAX + 1];

	(void)state;
	assert_true(BN_hex2bn(&bn, "0A1B") > 0);
	assert_non_null(BN_to_ASN1_INTEGER(bn, a));
	assert_int_equal(cert_serial_hex(a, hex, sizeof(hex)), 0);
	assert_string_equal(hex, "A1B"); /* no leading zero, as EJBCA writes it */
	assert_int_equal(cert_serial_hex(a, hex, 3), -1);
	assert_true(cert_serial_valid("712C1B5A584A1BBE"));
	assert_true(cert_serial_valid("abc"));
	assert_false(cert_serial_valid(""));
	assert_false(cert_serial_valid("12G4"));
	assert_false(cert_serial_valid("4EFC59583C1A21F26AE0CF0D2E6AA80D4EFC59583C1A21F26AE0CF0D2E6AA80D0"));
	BN_free(bn);
	ASN1_INTEGER_free(a);
}

/* A request each kind of token makes reads back with its subject and key, and one byte
 * changed in its signed part makes it unreadable. */
static void check_request(enum cert_key kind)
{
	EVP_PKEY *k = cert_key_new(kind);
	char *pem = cert_csr_pem(k, "张三", "测试有限公司");
	X509_REQ *req;
	struct cert_csr_info ci;
	char key_sha[65];
	char *p;

	assert_non_null(pem);
	req = cert_csr_read(pem, strlen(pem));
	assert_non_null(req);
	assert_int_equal(cert_csr_info_of(req, &ci), 0);
	assert_string_equal(ci.subject, "CN=张三,O=测试有限公司,C=CN");
	assert_string_equal(ci.cn, "张三");
	assert_int_equal(ci.key, kind);
	assert_int_equal(cert_key_sha256(k, key_sha), 0);
	assert_string_equal(ci.key_sha256, key_sha);
	X509_REQ_free(req);
	/* The PEM body's 60th character sits inside the signed subject or key. */
	p = strchr(pem, '\n') + 60;
	*p = *p == 'A' ? 'B' : 'A';
	assert_null(cert_csr_read(pem, strlen(pem)));
	free(pem);
	EVP_PKEY_free(k);
}

static void test_request_rsa(void **state)
{
	(void)state;
	check_request(CERT_KEY_RSA);
}

static void test_request_sm2(void **state)
{
	(void)state;
	check_request(CERT_KEY_SM2);
}

/* A certificate of key under issuer (NULL: self-signed), CN=cn, CA or not, valid from `from`
 * to `to` seconds from now. */
static X509 *made(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key, bool ca,
		  long from, long to)
{
	X509 *x = X509_new();
	X509_NAME *n = X509_NAME_new();
	X509V3_CTX ctx;
	X509_EXTENSION *e;

	assert_non_null(x);
	assert_int_equal(X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8, (const unsigned char *)cn,
						    -1, -1, 0), 1);
	assert_int_equal(X509_set_version(x, 2), 1);
	assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(x), 7), 1);
	assert_int_equal(X509_set_subject_name(x, n), 1);
	assert_int_equal(X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : n), 1);
	assert_non_null(X509_gmtime_adj(X509_getm_notBefore(x), from));
	assert_non_null(X509_gmtime_adj(X509_getm_notAfter(x), to));
	assert_int_equal(X509_set_pubkey(x, key), 1);
	X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &ctx, NID_basic_constraints, ca ? "critical,CA:TRUE" : "CA:FALSE");
	assert_non_null(e);
	assert_int_equal(X509_add_ext(x, e, -1), 1);
	X509_EXTENSION_free(e);
	assert_int_equal(cert_sign_x509(x, issuer_key), 0);
	X509_NAME_free(n);
	return x;
}

/* A login challenge signed by a token's key verifies with that key only; a leaf verifies
 * against its issuing CA only, and only while that CA is valid. RSA and SM2 alike. */
static void login_kind(enum cert_key kind)
{
	static const char msg[] = "certhall-login:v1:0123:abcd:1700000000";
	EVP_PKEY *ca_key = cert_key_new(kind), *key = cert_key_new(kind), *other = cert_key_new(kind);
	unsigned char sig[CERT_SIG_MAX];
	size_t len = 0;
	X509 *ca, *ca_old, *impostor, *leaf;
	STACK_OF(X509) *trust = sk_X509_new_null(), *old = sk_X509_new_null(), *fake = sk_X509_new_null();
	time_t now = time(NULL);

	assert_non_null(ca_key);
	assert_non_null(key);
	assert_non_null(other);
	assert_int_equal(cert_sign_data(key, msg, strlen(msg), sig, &len), 0);
	assert_true(cert_verify_data(key, msg, strlen(msg), sig, len));
	assert_false(cert_verify_data(other, msg, strlen(msg), sig, len));
	assert_false(cert_verify_data(key, msg, strlen(msg) - 1, sig, len));
	sig[len / 2] ^= 1;
	assert_false(cert_verify_data(key, msg, strlen(msg), sig, len));
	assert_false(cert_verify_data(key, msg, strlen(msg), sig, 0));

	ca = made(ca_key, "Test Issuing CA", NULL, ca_key, true, -60, 86400);
	ca_old = made(ca_key, "Test Issuing CA", NULL, ca_key, true, -86400, -60);
	impostor = made(other, "Test Issuing CA", NULL, other, true, -60, 86400);
	leaf = made(key, "holder", ca, ca_key, false, -60, 3600);
	sk_X509_push(trust, ca);
	sk_X509_push(old, ca_old);
	sk_X509_push(fake, impostor);
	assert_true(cert_issued_by(leaf, trust, now));
	assert_false(cert_issued_by(leaf, old, now));
	assert_false(cert_issued_by(leaf, fake, now));
	/* A leaf is no CA: what it signs is not issued. */
	{
		X509 *below = made(other, "below", leaf, key, false, -60, 3600);
		STACK_OF(X509) *s = sk_X509_new_null();

		sk_X509_push(s, leaf);
		assert_false(cert_issued_by(below, s, now));
		sk_X509_free(s);
		X509_free(below);
	}
	sk_X509_pop_free(trust, X509_free);
	sk_X509_pop_free(old, X509_free);
	sk_X509_pop_free(fake, X509_free);
	X509_free(leaf);
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(key);
	EVP_PKEY_free(other);
}

static void test_login_rsa(void **state)
{
	(void)state;
	login_kind(CERT_KEY_RSA);
}

static void test_login_sm2(void **state)
{
	(void)state;
	login_kind(CERT_KEY_SM2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_b64_rfc4648),
		cmocka_unit_test(test_b64_refuses),
		cmocka_unit_test(test_serial),
		cmocka_unit_test(test_request_rsa),
		cmocka_unit_test(test_request_sm2),
		cmocka_unit_test(test_login_rsa),
		cmocka_unit_test(test_login_sm2),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
