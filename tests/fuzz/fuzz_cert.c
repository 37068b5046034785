/* fuzz_cert: libFuzzer harness for what the CA and applicants hand the hall: certificates and
 * PKCS#10 requests in PEM or base64 DER, and base64 itself; and what a certificate login
 * presents: a certificate, then (after a '|') a signature in base64 over a challenge, checked
 * against the certificate's own key and chain and against fixed RSA and SM2 keys. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/cert.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                          \
	do {                                 \
		if (!(cond))                 \
			__builtin_trap();    \
	} while (0)

#define CHALLENGE "certhall-login:v1:00000000000000000000000000000000:0:0"

/* The signature part of a login input: every key must refuse what it did not sign. */
static void login_parts(X509 *x, const char *sig64, size_t n)
{
	static EVP_PKEY *rsa, *sm2;
	unsigned char *sig = NULL;
	size_t siglen = 0;
	time_t now = time(NULL);

	if (!rsa)
		rsa = cert_key_new(CERT_KEY_RSA);
	if (!sm2)
		sm2 = cert_key_new(CERT_KEY_SM2);
	if (cert_b64_decode(sig64, n, &sig, &siglen) == 0) {
		CHECK(!cert_verify_data(rsa, CHALLENGE, strlen(CHALLENGE), sig, siglen));
		CHECK(!cert_verify_data(sm2, CHALLENGE, strlen(CHALLENGE), sig, siglen));
		if (x)
			(void)cert_verify_data(X509_get0_pubkey(x), CHALLENGE, strlen(CHALLENGE), sig, siglen);
	}
	free(sig);
	if (x) {
		STACK_OF(X509) *trust = sk_X509_new_null();

		/* The certificate as its own anchor: the issuer checks and the signature run on it. */
		if (trust && sk_X509_push(trust, x) > 0)
			(void)cert_issued_by(x, trust, now);
		sk_X509_free(trust);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size heap copy, so reading one byte past the input is an ASan report. */
	char *s = malloc(size ? size : 1);
	unsigned char *der = NULL;
	size_t len = 0;
	X509 *x;
	X509_REQ *req;

	if (!s)
		return 0;
	memcpy(s, data, size);
	if (cert_b64_decode(s, size, &der, &len) == 0)
		CHECK(len <= size);
	free(der);
	{
		const char *bar = memchr(s, '|', size);
		size_t head = bar ? (size_t)(bar - s) : size;
		X509 *lx = cert_read(s, head);

		login_parts(lx, bar ? bar + 1 : s, bar ? size - head - 1 : size);
		X509_free(lx);
	}
	x = cert_read(s, size);
	if (x) {
		struct cert_info info;

		if (cert_info_of(x, &info) == 0)
			CHECK(strlen(info.sha256) == 64 && strlen(info.serial) > 0);
		X509_free(x);
	}
	req = cert_csr_read(s, size);
	if (req) {
		struct cert_csr_info ci;

		if (cert_csr_info_of(req, &ci) == 0)
			CHECK(strlen(ci.key_sha256) == 64);
		X509_REQ_free(req);
	}
	free(s);
	return 0;
}
