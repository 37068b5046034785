/* crypto: random tokens, SHA-256, HMAC-SHA256, AES-256-GCM sealing of PII, keyed look-up hashes. */
#ifndef CERTHALL_CRYPTO_H
#define CERTHALL_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CRYPTO_SHA256_LEN 32
#define CRYPTO_SEAL_OVERHEAD (1 + 12 + 16) /* version byte, GCM nonce, GCM tag */

/* The two sub-keys derived from the key file: one seals PII, one makes look-up hashes. */
struct crypto_key {
	unsigned char enc[32];
	unsigned char idx[32];
};

/* Fills buf with n bytes from the OpenSSL CSPRNG. Returns 0, or -1 if the RNG failed. */
int crypto_random(void *buf, size_t n);

/* Writes 2*nbytes lowercase hex characters of fresh randomness plus NUL into out.
 * Returns 0, or -1 if outsz is too small or the RNG failed. */
int crypto_token_hex(char *out, size_t outsz, size_t nbytes);

void crypto_sha256(const void *data, size_t n, unsigned char out[CRYPTO_SHA256_LEN]);
void crypto_sha256_hex(const void *data, size_t n, char out[2 * CRYPTO_SHA256_LEN + 1]);
void crypto_hmac_sha256(const void *key, size_t klen, const void *data, size_t n,
			unsigned char out[CRYPTO_SHA256_LEN]);

/* Lowercase hex of n bytes into out (2n+1 bytes). */
void crypto_hex(const unsigned char *in, size_t n, char *out);

/* Constant-time equality of two buffers of the same length. */
bool crypto_equal(const void *a, const void *b, size_t n);

/* Loads a key file: 64 hex characters (32 bytes) with an optional trailing newline,
 * readable by its owner only (a group- or world-readable file is refused).
 * Returns 0, or -1 with a reason in err. */
int crypto_key_load(const char *path, struct crypto_key *key, char *err, size_t errsz);

/* Creates a new key file (mode 0600, O_EXCL: never overwrites). Returns 0 or -1 with err. */
int crypto_key_create(const char *path, char *err, size_t errsz);

/* Seals plain (n bytes) with AES-256-GCM under key->enc; aad binds the ciphertext to its
 * context (e.g. "orders.handler_mobile"), so a value copied to another column fails to open.
 * out receives n + CRYPTO_SEAL_OVERHEAD bytes. Returns 0, or -1 if outsz is too small. */
int crypto_seal(const struct crypto_key *key, const void *plain, size_t n, const char *aad,
		unsigned char *out, size_t outsz, size_t *outlen);

/* Opens what crypto_seal made. Returns 0, or -1 on a wrong key, aad, tampering or size. */
int crypto_open(const struct crypto_key *key, const unsigned char *in, size_t n, const char *aad,
		unsigned char *out, size_t outsz, size_t *outlen);

/* Keyed look-up hash: hex HMAC-SHA256 under key->idx of purpose ":" data. Equal inputs give
 * equal hashes, so a column of these can be indexed without storing the value. */
void crypto_index_hex(const struct crypto_key *key, const char *purpose, const void *data,
		      size_t n, char out[2 * CRYPTO_SHA256_LEN + 1]);

#endif
