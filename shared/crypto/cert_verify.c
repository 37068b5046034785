/* cert: signatures over data and the one-step chain that certificate login checks. */
#include "crypto/cert.h"

#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#define BUNDLE_MAX 64

/* A digest context for key, signing or verifying: SHA-256 for RSA, SM3 and CERT_SM2_ID for
 * SM2. Anything else (a DSA key, an EC key of another curve) gets none: the hall's CAs certify
 * only these. */
static EVP_MD_CTX *data_ctx(EVP_PKEY *key, bool verify)
{
	EVP_MD_CTX *m;
	EVP_PKEY_CTX *pctx = NULL;
	enum cert_key kind = cert_key_kind(key, NULL);
	const char *md = kind == CERT_KEY_SM2 ? "SM3" : "SHA256";
	int ok;

	if (kind == CERT_KEY_OTHER || (m = EVP_MD_CTX_new()) == NULL)
		return NULL;
	ok = verify ? EVP_DigestVerifyInit_ex(m, &pctx, md, NULL, NULL, key, NULL)
		    : EVP_DigestSignInit_ex(m, &pctx, md, NULL, NULL, key, NULL);
	if (ok != 1 || cert_sm2_id(pctx, key) < 0) {
		EVP_MD_CTX_free(m);
		return NULL;
	}
	return m;
}

int cert_sign_data(EVP_PKEY *key, const void *data, size_t n, unsigned char *sig, size_t *siglen)
{
	EVP_MD_CTX *m = data_ctx(key, false);
	size_t len = 0;
	int rc = -1;

	if (m == NULL || EVP_DigestSign(m, NULL, &len, data, n) != 1 || len > CERT_SIG_MAX ||
	    EVP_DigestSign(m, sig, &len, data, n) != 1)
		goto out;
	*siglen = len;
	rc = 0;
out:
	EVP_MD_CTX_free(m);
	ERR_clear_error();
	return rc;
}

bool cert_verify_data(EVP_PKEY *key, const void *data, size_t n, const unsigned char *sig,
		      size_t siglen)
{
	EVP_MD_CTX *m;
	bool ok;

	if (key == NULL || siglen == 0 || siglen > CERT_SIG_MAX)
		return false;
	m = data_ctx(key, true);
	ok = m != NULL && EVP_DigestVerify(m, sig, siglen, data, n) == 1;
	EVP_MD_CTX_free(m);
	ERR_clear_error();
	return ok;
}

STACK_OF(X509) *cert_bundle_read(const char *path)
{
	STACK_OF(X509) *s = NULL;
	FILE *f = fopen(path, "r");
	X509 *x;

	if (f == NULL || (s = sk_X509_new_null()) == NULL)
		goto out;
	while (sk_X509_num(s) < BUNDLE_MAX && (x = PEM_read_X509(f, NULL, NULL, NULL)) != NULL) {
		if (sk_X509_push(s, x) <= 0) {
			X509_free(x);
			break;
		}
	}
	if (sk_X509_num(s) == 0) {
		sk_X509_free(s);
		s = NULL;
	}
out:
	if (f)
		fclose(f);
	ERR_clear_error();
	return s;
}

/* x's signature by issuer's key. OpenSSL 3.0's X509_verify takes the SM2 identifier from the
 * certificate verified, and GM/T 0009 CAs sign over the default one. */
static bool signed_by(X509 *x, X509 *issuer)
{
	EVP_PKEY *k = X509_get0_pubkey(issuer);
	ASN1_OCTET_STRING *id;

	if (k == NULL)
		return false;
	if (cert_key_kind(k, NULL) == CERT_KEY_SM2) {
		id = ASN1_OCTET_STRING_new();
		if (id == NULL || !ASN1_OCTET_STRING_set(id, (const unsigned char *)CERT_SM2_ID,
							 (int)strlen(CERT_SM2_ID))) {
			ASN1_OCTET_STRING_free(id);
			return false;
		}
		X509_set0_distinguishing_id(x, id); /* x owns it now */
	}
	return X509_verify(x, k) == 1;
}

bool cert_issued_by(X509 *x, STACK_OF(X509) *trust, time_t now)
{
	bool ok = false;

	for (int i = 0; !ok && i < sk_X509_num(trust); i++) {
		X509 *ca = sk_X509_value(trust, i);

		/* Name and key identifier first: the signature is checked only with the CA whose
		 * certificate says it is x's issuer (and a CA, for certificate signing). */
		if (X509_check_issued(ca, x) != X509_V_OK || X509_check_ca(ca) < 1 ||
		    X509_cmp_time(X509_get0_notBefore(ca), &now) >= 0 ||
		    X509_cmp_time(X509_get0_notAfter(ca), &now) <= 0)
			continue;
		ok = signed_by(x, ca);
	}
	ERR_clear_error();
	return ok;
}
