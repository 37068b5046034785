/* cert: X.509 certificates, PKCS#10 requests and CRLs as the hall reads them (OpenSSL 3),
 * RSA and SM2 alike, and the base64 the CA's REST API carries them in. */
#ifndef CERTHALL_CERT_H
#define CERTHALL_CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <openssl/x509.h>

#define CERT_DN_MAX 512       /* a subject or issuer DN as text (RFC 2253, UTF-8) */
#define CERT_SERIAL_MAX 64    /* hex digits of a serial we accept (RFC 5280: 20 octets) */
#define CERT_PEM_MAX 16384    /* a certificate or request in PEM, all we accept */

/* GM/T 0009's default SM2 distinguishing identifier: what Chinese CAs sign and verify with. */
#define CERT_SM2_ID "1234567812345678"

enum cert_key { CERT_KEY_OTHER = 0, CERT_KEY_RSA, CERT_KEY_SM2 };

/* What the hall keeps and shows of a certificate. */
struct cert_info {
	char serial[CERT_SERIAL_MAX + 1];   /* uppercase hex, no leading zeros */
	char subject[CERT_DN_MAX];
	char issuer[CERT_DN_MAX];
	char cn[256];                       /* the subject's commonName, "" if none */
	char o[256];                        /* its organizationName, "" if none */
	char org_id[64];                    /* its organizationIdentifier (2.5.4.97): a USCC */
	char person_id[64];                 /* its serialNumber (2.5.4.5): a person's ID number */
	time_t not_before, not_after;
	char sha256[65];                    /* lowercase hex SHA-256 of the DER */
	char key_sha256[65];                /* of the SubjectPublicKeyInfo DER: one key, one value */
	enum cert_key key;
	int bits;
};

/* What a PKCS#10 request says. */
struct cert_csr_info {
	char subject[CERT_DN_MAX];
	char cn[256];
	char key_sha256[65];
	enum cert_key key;
	int bits;
};

/* RFC 4648 base64 with padding and no line breaks of len bytes: malloc'd, NUL-terminated (the
 * caller frees it), NULL when out of memory. */
char *cert_b64_encode(const unsigned char *p, size_t len);

/* Decodes base64 (ASCII whitespace ignored; padding required) into a malloc'd buffer (*out,
 * the caller frees it). Returns 0, or -1 when s is not base64. */
int cert_b64_decode(const char *s, size_t n, unsigned char **out, size_t *outlen);

/* A certificate from PEM or from base64 DER (what EJBCA answers), at most CERT_PEM_MAX
 * characters. NULL when it is neither. The caller frees it with X509_free. */
X509 *cert_read(const char *text, size_t n);

/* A PKCS#10 request from PEM or base64 DER, its self-signature checked (SM2 with
 * CERT_SM2_ID). NULL when unreadable or the signature does not verify. X509_REQ_free. */
X509_REQ *cert_csr_read(const char *text, size_t n);

/* The certificate in PEM, malloc'd (the caller frees it); NULL when out of memory. */
char *cert_pem(X509 *x);

/* The kind and size of a key. */
enum cert_key cert_key_kind(EVP_PKEY *k, int *bits);

/* Lowercase hex SHA-256 of a public key's SubjectPublicKeyInfo DER. Returns 0 or -1. */
int cert_key_sha256(EVP_PKEY *k, char out[65]);

/* A name as RFC 2253 text, UTF-8 kept as is ("CN=...,O=...,C=CN"). Returns 0 or -1. */
int cert_dn(const X509_NAME *name, char *out, size_t outsz);

/* Fills info from a certificate. Returns 0 or -1. */
int cert_info_of(X509 *x, struct cert_info *info);

/* Fills info from a request. Returns 0 or -1. */
int cert_csr_info_of(X509_REQ *req, struct cert_csr_info *info);

/* Signs x (a certificate), or a CRL, with key: SHA-256 for RSA, SM3 with CERT_SM2_ID for SM2.
 * Returns 0 or -1. */
int cert_sign_x509(X509 *x, EVP_PKEY *key);
int cert_sign_crl(X509_CRL *crl, EVP_PKEY *key);

/* SM2 signatures cover a digest of the signer's identifier: sets GM/T 0009's default
 * (CERT_SM2_ID) on pctx when k is an SM2 key; nothing for another key. Returns 0 or -1. */
int cert_sm2_id(EVP_PKEY_CTX *pctx, EVP_PKEY *k);

/* ---- signatures over data, and chains (cert_verify.c): certificate login (002 【证书登录】) */

/* The largest signature over data we take or make (an SM2 DER signature is ~72 bytes, an
 * RSA-4096 one 512). */
#define CERT_SIG_MAX 1024

/* Signs n bytes of data with key as a token signs a login challenge: RSA PKCS#1 v1.5 over
 * SHA-256, SM2 over SM3 with CERT_SM2_ID (the DER signature). The signature into sig (at most
 * CERT_SIG_MAX bytes), its length into *siglen. Returns 0 or -1. */
int cert_sign_data(EVP_PKEY *key, const void *data, size_t n, unsigned char *sig, size_t *siglen);

/* Whether sig is key's signature over data, as cert_sign_data makes it. */
bool cert_verify_data(EVP_PKEY *key, const void *data, size_t n, const unsigned char *sig,
		      size_t siglen);

/* The certificates of a PEM file (a trust bundle), at most 64. NULL when the file cannot be
 * read or holds none. sk_X509_pop_free(s, X509_free). */
STACK_OF(X509) *cert_bundle_read(const char *path);

/* Whether x was issued by one of the CA certificates in trust, which are anchors (the hall's
 * configured issuing CAs): the issuer's name and key identifier match, the issuer is a CA
 * valid at now, and its key verifies x's signature (SM2: over CERT_SM2_ID). */
bool cert_issued_by(X509 *x, STACK_OF(X509) *trust, time_t now);

/* A fresh key pair: RSA-2048 or SM2 (what a token makes). NULL on failure; EVP_PKEY_free. */
EVP_PKEY *cert_key_new(enum cert_key kind);

/* A PKCS#10 request for key with subject C=CN, O=org (NULL: none), CN=cn (UTF-8), signed by
 * key (SM2: SM3 over CERT_SM2_ID), as PEM: malloc'd (the caller frees it), NULL on failure. */
char *cert_csr_pem(EVP_PKEY *key, const char *cn, const char *org);

/* The same, naming the subject as a counter's certificate does: an organisation's USCC as
 * organizationIdentifier (2.5.4.97) when org is given, else a person's ID number as
 * serialNumber (2.5.4.5); subject_id NULL names neither. */
char *cert_csr_pem_id(EVP_PKEY *key, const char *cn, const char *org, const char *subject_id);

/* A serial as uppercase hex without leading zeros into out; -1 when it does not fit. */
int cert_serial_hex(const ASN1_INTEGER *s, char *out, size_t outsz);

/* Whether s is 1 to CERT_SERIAL_MAX hex digits. */
bool cert_serial_valid(const char *s);

#endif
