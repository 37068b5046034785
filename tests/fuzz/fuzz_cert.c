/* fuzz_cert: libFuzzer harness for what the CA and applicants hand the hall: certificates and
 * PKCS#10 requests in PEM or base64 DER, and base64 itself. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/cert.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                          \
	do {                                 \
		if (!(cond))                 \
			__builtin_trap();    \
	} while (0)

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
