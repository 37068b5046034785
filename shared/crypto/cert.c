/* cert: reading certificates and requests, signing them, RSA and SM2 (OpenSSL 3). */
#include "crypto/cert.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "crypto/crypto.h"

char *cert_b64_encode(const unsigned char *p, size_t len)
{
	size_t n = 4 * ((len + 2) / 3);
	char *out;

	if (len > (size_t)INT32_MAX / 2)
		return NULL;
	out = malloc(n + 1);
	if (out == NULL)
		return NULL;
	EVP_EncodeBlock((unsigned char *)out, p, (int)len);
	out[n] = '\0';
	return out;
}

int cert_b64_decode(const char *s, size_t n, unsigned char **out, size_t *outlen)
{
	char *clean = NULL;
	unsigned char *buf = NULL;
	size_t k = 0, pad = 0;
	int got, ret = -1;

	*out = NULL;
	*outlen = 0;
	if (n == 0 || n > (size_t)INT32_MAX / 2 || (clean = malloc(n + 1)) == NULL)
		goto out;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			continue;
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '+' || c == '/' || c == '='))
			goto out;
		/* '=' only at the end: EVP_DecodeBlock would read past an inner one. */
		if (pad > 0 && c != '=')
			goto out;
		if (c == '=')
			pad++;
		clean[k++] = c;
	}
	if (k == 0 || k % 4 != 0 || pad > 2 || (buf = malloc(k / 4 * 3 + 1)) == NULL)
		goto out;
	got = EVP_DecodeBlock(buf, (const unsigned char *)clean, (int)k);
	if (got < 0 || (size_t)got < pad)
		goto out;
	*out = buf;
	*outlen = (size_t)got - pad; /* EVP_DecodeBlock counts the padding as zero bytes */
	buf = NULL;
	ret = 0;
out:
	free(buf);
	free(clean);
	return ret;
}

static bool is_pem(const char *text, size_t n)
{
	static const char dashes[] = "-----BEGIN ";

	while (n > 0 && (*text == ' ' || *text == '\r' || *text == '\n' || *text == '\t')) {
		text++;
		n--;
	}
	return n >= sizeof(dashes) - 1 && memcmp(text, dashes, sizeof(dashes) - 1) == 0;
}

/* The DER of text: the body of a PEM block named pem_name, or else base64 DER. Malloc'd
 * (*der, the caller frees it); -1 when it is neither. */
static int der_of(const char *text, size_t n, const char *pem_name, unsigned char **der,
		  size_t *len)
{
	unsigned char *data = NULL;
	char *name = NULL;
	long dlen = 0;
	BIO *b;
	int ok;

	*der = NULL;
	*len = 0;
	if (text == NULL || n == 0 || n > CERT_PEM_MAX)
		return -1;
	if (!is_pem(text, n))
		return cert_b64_decode(text, n, der, len);
	if ((b = BIO_new_mem_buf(text, (int)n)) == NULL)
		return -1;
	/* Takes the block of that name (or its older name: "NEW CERTIFICATE REQUEST"). */
	ok = PEM_bytes_read_bio(&data, &dlen, &name, pem_name, b, NULL, NULL) == 1 && dlen > 0 &&
	     (*der = malloc((size_t)dlen)) != NULL;
	if (ok) {
		memcpy(*der, data, (size_t)dlen);
		*len = (size_t)dlen;
	}
	OPENSSL_free(data);
	OPENSSL_free(name);
	BIO_free(b);
	return ok ? 0 : -1;
}

X509 *cert_read(const char *text, size_t n)
{
	unsigned char *der = NULL;
	size_t len = 0;
	const unsigned char *p;
	X509 *x = NULL;

	if (der_of(text, n, PEM_STRING_X509, &der, &len) == 0) {
		p = der;
		x = d2i_X509(NULL, &p, (long)len);
		/* Trailing bytes after the certificate: not one certificate. */
		if (x != NULL && p != der + len) {
			X509_free(x);
			x = NULL;
		}
	}
	free(der);
	ERR_clear_error();
	return x;
}

int cert_sm2_id(EVP_PKEY_CTX *pctx, EVP_PKEY *k)
{
	if (cert_key_kind(k, NULL) != CERT_KEY_SM2)
		return 0;
	return EVP_PKEY_CTX_set1_id(pctx, CERT_SM2_ID, strlen(CERT_SM2_ID)) > 0 ? 0 : -1;
}

/* A request's self-signature only proves the requester holds the key. An SM2 request may be
 * signed over GM/T 0009's default identifier (a token, as GM/T 0009 asks) or over the empty
 * one (what OpenSSL 3.0's own tools use when told nothing): either proves it. */
static int csr_verify(X509_REQ *req)
{
	EVP_PKEY *k = X509_REQ_get0_pubkey(req);
	ASN1_OCTET_STRING *id = NULL;

	if (k == NULL)
		return -1;
	if (X509_REQ_verify(req, k) == 1)
		return 0;
	if (cert_key_kind(k, NULL) != CERT_KEY_SM2)
		return -1;
	id = ASN1_OCTET_STRING_new();
	if (id == NULL ||
	    !ASN1_OCTET_STRING_set(id, (const unsigned char *)CERT_SM2_ID, (int)strlen(CERT_SM2_ID))) {
		ASN1_OCTET_STRING_free(id);
		return -1;
	}
	X509_REQ_set0_distinguishing_id(req, id); /* req owns it now */
	return X509_REQ_verify(req, k) == 1 ? 0 : -1;
}

X509_REQ *cert_csr_read(const char *text, size_t n)
{
	unsigned char *der = NULL;
	size_t len = 0;
	const unsigned char *p;
	X509_REQ *req = NULL;

	if (der_of(text, n, PEM_STRING_X509_REQ, &der, &len) == 0) {
		p = der;
		req = d2i_X509_REQ(NULL, &p, (long)len);
		if (req != NULL && (p != der + len || csr_verify(req) < 0)) {
			X509_REQ_free(req);
			req = NULL;
		}
	}
	free(der);
	ERR_clear_error();
	return req;
}

char *cert_pem(X509 *x)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data, *out = NULL;
	long n;

	if (b == NULL)
		return NULL;
	if (PEM_write_bio_X509(b, x) == 1 && (n = BIO_get_mem_data(b, &data)) > 0 &&
	    (out = malloc((size_t)n + 1)) != NULL) {
		memcpy(out, data, (size_t)n);
		out[n] = '\0';
	}
	BIO_free(b);
	return out;
}

enum cert_key cert_key_kind(EVP_PKEY *k, int *bits)
{
	char group[32];

	if (bits != NULL)
		*bits = k != NULL ? EVP_PKEY_get_bits(k) : 0;
	if (k == NULL)
		return CERT_KEY_OTHER;
	if (EVP_PKEY_is_a(k, "RSA"))
		return CERT_KEY_RSA;
	if (EVP_PKEY_is_a(k, "SM2"))
		return CERT_KEY_SM2;
	/* A key read from a certificate or request is id-ecPublicKey on the SM2 curve. */
	if (EVP_PKEY_is_a(k, "EC") &&
	    EVP_PKEY_get_group_name(k, group, sizeof(group), NULL) == 1 && strcmp(group, "SM2") == 0)
		return CERT_KEY_SM2;
	return CERT_KEY_OTHER;
}

int cert_key_sha256(EVP_PKEY *k, char out[65])
{
	unsigned char *der = NULL;
	int n = k != NULL ? i2d_PUBKEY(k, &der) : -1;

	if (n <= 0)
		return -1;
	crypto_sha256_hex(der, (size_t)n, out);
	OPENSSL_free(der);
	return 0;
}

int cert_dn(const X509_NAME *name, char *out, size_t outsz)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data;
	long n;
	int ret = -1;

	if (outsz > 0)
		out[0] = '\0';
	if (b == NULL)
		return -1;
	/* RFC 2253 order (CN first, as EJBCA writes DNs), UTF-8 left as it is. */
	if (X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0 &&
	    (n = BIO_get_mem_data(b, &data)) >= 0 && (size_t)n < outsz) {
		memcpy(out, data, (size_t)n);
		out[n] = '\0';
		ret = 0;
	}
	BIO_free(b);
	return ret;
}

/* The first attribute nid of name as UTF-8 into out; "" when absent, too long or holding NUL. */
static void name_field(const X509_NAME *name, int nid, char *out, size_t outsz)
{
	int i = X509_NAME_get_index_by_NID(name, nid, -1);
	const ASN1_STRING *s;
	unsigned char *utf8 = NULL;
	int n;

	out[0] = '\0';
	if (i < 0 || (s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i))) == NULL)
		return;
	n = ASN1_STRING_to_UTF8(&utf8, s);
	if (n > 0 && (size_t)n < outsz && memchr(utf8, '\0', (size_t)n) == NULL) {
		memcpy(out, utf8, (size_t)n);
		out[n] = '\0';
	}
	OPENSSL_free(utf8);
}

int cert_serial_hex(const ASN1_INTEGER *s, char *out, size_t outsz)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(s, NULL);
	char *hex = bn != NULL ? BN_bn2hex(bn) : NULL;
	int ret = -1;

	if (hex != NULL && hex[0] != '-' && strlen(hex) < outsz) {
		const char *h = hex;

		/* BN_bn2hex pads to whole bytes: "0A1B" reads "A1B" as EJBCA writes it. */
		while (h[0] == '0' && h[1] != '\0')
			h++;
		memcpy(out, h, strlen(h) + 1);
		ret = 0;
	}
	OPENSSL_free(hex);
	BN_free(bn);
	return ret;
}

bool cert_serial_valid(const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0;

	return n > 0 && n <= CERT_SERIAL_MAX && strspn(s, "0123456789abcdefABCDEF") == n;
}

/* time_t of an ASN1_TIME; -1 when it cannot be read. */
static time_t asn1_time(const ASN1_TIME *t)
{
	struct tm tm;

	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return (time_t)-1;
	return timegm(&tm);
}

int cert_info_of(X509 *x, struct cert_info *info)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_PKEY *k = X509_get0_pubkey(x);

	memset(info, 0, sizeof(*info));
	if (cert_serial_hex(X509_get0_serialNumber(x), info->serial, sizeof(info->serial)) < 0 ||
	    cert_dn(X509_get_subject_name(x), info->subject, sizeof(info->subject)) < 0 ||
	    cert_dn(X509_get_issuer_name(x), info->issuer, sizeof(info->issuer)) < 0 ||
	    X509_digest(x, EVP_sha256(), md, &mdlen) != 1 || mdlen != CRYPTO_SHA256_LEN ||
	    cert_key_sha256(k, info->key_sha256) < 0)
		return -1;
	name_field(X509_get_subject_name(x), NID_commonName, info->cn, sizeof(info->cn));
	name_field(X509_get_subject_name(x), NID_organizationName, info->o, sizeof(info->o));
	name_field(X509_get_subject_name(x), NID_organizationIdentifier, info->org_id,
		   sizeof(info->org_id));
	name_field(X509_get_subject_name(x), NID_serialNumber, info->person_id, sizeof(info->person_id));
	crypto_hex(md, mdlen, info->sha256);
	info->not_before = asn1_time(X509_get0_notBefore(x));
	info->not_after = asn1_time(X509_get0_notAfter(x));
	info->key = cert_key_kind(k, &info->bits);
	return info->not_before == (time_t)-1 || info->not_after == (time_t)-1 ? -1 : 0;
}

int cert_csr_info_of(X509_REQ *req, struct cert_csr_info *info)
{
	EVP_PKEY *k = X509_REQ_get0_pubkey(req);

	memset(info, 0, sizeof(*info));
	if (cert_dn(X509_REQ_get_subject_name(req), info->subject, sizeof(info->subject)) < 0 ||
	    cert_key_sha256(k, info->key_sha256) < 0)
		return -1;
	name_field(X509_REQ_get_subject_name(req), NID_commonName, info->cn, sizeof(info->cn));
	info->key = cert_key_kind(k, &info->bits);
	return 0;
}

/* A signing context for key: SHA-256 for RSA, SM3 and the SM2 identifier for SM2. */
static EVP_MD_CTX *sign_ctx(EVP_PKEY *key)
{
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	const char *md = cert_key_kind(key, NULL) == CERT_KEY_SM2 ? "SM3" : "SHA256";

	if (m == NULL || EVP_DigestSignInit_ex(m, &pctx, md, NULL, NULL, key, NULL) != 1 ||
	    cert_sm2_id(pctx, key) < 0) {
		EVP_MD_CTX_free(m);
		return NULL;
	}
	return m;
}

int cert_sign_x509(X509 *x, EVP_PKEY *key)
{
	EVP_MD_CTX *m = sign_ctx(key);
	int ok = m != NULL && X509_sign_ctx(x, m) > 0;

	EVP_MD_CTX_free(m);
	return ok ? 0 : -1;
}

int cert_sign_crl(X509_CRL *crl, EVP_PKEY *key)
{
	EVP_MD_CTX *m = sign_ctx(key);
	int ok = m != NULL && X509_CRL_sign_ctx(crl, m) > 0;

	EVP_MD_CTX_free(m);
	return ok ? 0 : -1;
}

EVP_PKEY *cert_key_new(enum cert_key kind)
{
	if (kind == CERT_KEY_RSA)
		return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	if (kind == CERT_KEY_SM2)
		return EVP_PKEY_Q_keygen(NULL, NULL, "SM2");
	return NULL;
}

static int add_name(X509_NAME *n, const char *field, const char *value)
{
	return X509_NAME_add_entry_by_txt(n, field, MBSTRING_UTF8, (const unsigned char *)value, -1,
					  -1, 0) == 1 ? 0 : -1;
}

char *cert_csr_pem(EVP_PKEY *key, const char *cn, const char *org)
{
	return cert_csr_pem_id(key, cn, org, NULL);
}

char *cert_csr_pem_id(EVP_PKEY *key, const char *cn, const char *org, const char *subject_id)
{
	X509_REQ *req = X509_REQ_new();
	X509_NAME *name = X509_NAME_new();
	EVP_MD_CTX *m = NULL;
	BIO *b = NULL;
	char *data, *out = NULL;
	long n;

	if (req == NULL || name == NULL || cn == NULL || add_name(name, "C", "CN") < 0 ||
	    (org != NULL && add_name(name, "O", org) < 0) || add_name(name, "CN", cn) < 0 ||
	    (subject_id != NULL &&
	     add_name(name, org != NULL ? "organizationIdentifier" : "serialNumber", subject_id) < 0) ||
	    X509_REQ_set_version(req, X509_REQ_VERSION_1) != 1 ||
	    X509_REQ_set_subject_name(req, name) != 1 || X509_REQ_set_pubkey(req, key) != 1 ||
	    (m = sign_ctx(key)) == NULL || X509_REQ_sign_ctx(req, m) <= 0 ||
	    (b = BIO_new(BIO_s_mem())) == NULL || PEM_write_bio_X509_REQ(b, req) != 1 ||
	    (n = BIO_get_mem_data(b, &data)) <= 0 || (out = malloc((size_t)n + 1)) == NULL)
		goto out;
	memcpy(out, data, (size_t)n);
	out[n] = '\0';
out:
	BIO_free(b);
	EVP_MD_CTX_free(m);
	X509_NAME_free(name);
	X509_REQ_free(req);
	ERR_clear_error();
	return out;
}
