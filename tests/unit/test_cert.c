/* Unit tests of shared/crypto/cert.c: base64 (RFC 4648 vectors), serials, requests and their
 * signatures, RSA and SM2. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_b64_rfc4648),
		cmocka_unit_test(test_b64_refuses),
		cmocka_unit_test(test_serial),
		cmocka_unit_test(test_request_rsa),
		cmocka_unit_test(test_request_sm2),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
