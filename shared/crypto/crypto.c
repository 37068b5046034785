/* crypto: thin, fail-closed wrappers over OpenSSL 3 for tokens, hashes, PII sealing and key files. */
#include "crypto/crypto.h"
#include "base/decode.h"
#include "base/errbuf.h"
#include "base/fdio.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#define SEAL_VERSION 0x01
#define SEAL_NONCE_LEN 12
#define SEAL_TAG_LEN 16
#define KEY_HEX_LEN 64

/* Labels of the sub-keys: changing one silently makes every sealed value unreadable. */
static const char LABEL_ENC[] = "certhall-pii-enc-v1";
static const char LABEL_IDX[] = "certhall-index-v1";

static const char HEX[] = "0123456789abcdef";

/* The hash and MAC functions return void, so a failure there cannot be reported; returning a
 * constant digest instead would make distinct inputs compare equal, so stop instead. */
static void die_crypto(const char *what)
{
	fprintf(stderr, "certhall: crypto: %s failed\n", what);
	abort();
}

int crypto_random(void *buf, size_t n)
{
	unsigned char *p = buf;

	if (n > 0 && buf == NULL)
		return -1;
	while (n > 0) {
		int chunk = n > INT_MAX ? INT_MAX : (int)n;

		if (RAND_bytes(p, chunk) != 1)
			return -1;
		p += chunk;
		n -= (size_t)chunk;
	}
	return 0;
}

int crypto_token_hex(char *out, size_t outsz, size_t nbytes)
{
	unsigned char buf[32];
	size_t done = 0;

	if (out == NULL || nbytes > (SIZE_MAX - 1) / 2 || outsz < 2 * nbytes + 1)
		return -1;
	while (done < nbytes) {
		size_t chunk = nbytes - done < sizeof(buf) ? nbytes - done : sizeof(buf);

		if (crypto_random(buf, chunk) != 0) {
			OPENSSL_cleanse(buf, sizeof(buf));
			out[0] = '\0';
			return -1;
		}
		crypto_hex(buf, chunk, out + 2 * done);
		done += chunk;
	}
	out[2 * nbytes] = '\0';
	OPENSSL_cleanse(buf, sizeof(buf));
	return 0;
}

void crypto_sha256(const void *data, size_t n, unsigned char out[CRYPTO_SHA256_LEN])
{
	unsigned int len = 0;

	if (data == NULL)
		data = "";
	if (EVP_Digest(data, n, out, &len, EVP_sha256(), NULL) != 1 || len != CRYPTO_SHA256_LEN)
		die_crypto("SHA-256");
}

void crypto_sha256_hex(const void *data, size_t n, char out[2 * CRYPTO_SHA256_LEN + 1])
{
	unsigned char md[CRYPTO_SHA256_LEN];

	crypto_sha256(data, n, md);
	crypto_hex(md, sizeof(md), out);
}

/* HMAC-SHA256 over the concatenation of several parts, so a "purpose:data" message needs no
 * temporary buffer. */
static void hmac_parts(const void *key, size_t klen, const void *const *parts,
		       const size_t *lens, size_t nparts, unsigned char out[CRYPTO_SHA256_LEN])
{
	static const unsigned char empty[1];
	EVP_MAC *mac = NULL;
	EVP_MAC_CTX *ctx = NULL;
	OSSL_PARAM params[2];
	char digest[] = "SHA256";
	size_t outl = 0;
	size_t i;
	int ok = 0;

	if (key == NULL || klen == 0) {
		key = empty;
		klen = 0;
	}
	mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (mac == NULL)
		goto out;
	ctx = EVP_MAC_CTX_new(mac);
	if (ctx == NULL)
		goto out;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (EVP_MAC_init(ctx, key, klen, params) != 1)
		goto out;
	for (i = 0; i < nparts; i++) {
		if (lens[i] > 0 && EVP_MAC_update(ctx, parts[i], lens[i]) != 1)
			goto out;
	}
	if (EVP_MAC_final(ctx, out, &outl, CRYPTO_SHA256_LEN) != 1 || outl != CRYPTO_SHA256_LEN)
		goto out;
	ok = 1;
out:
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	if (!ok)
		die_crypto("HMAC-SHA256");
}

void crypto_hmac_sha256(const void *key, size_t klen, const void *data, size_t n,
			unsigned char out[CRYPTO_SHA256_LEN])
{
	const void *parts[1] = { data };
	size_t lens[1] = { data == NULL ? 0 : n };

	hmac_parts(key, klen, parts, lens, 1, out);
}

void crypto_hex(const unsigned char *in, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = HEX[in[i] >> 4];
		out[2 * i + 1] = HEX[in[i] & 0x0f];
	}
	out[2 * n] = '\0';
}

bool crypto_equal(const void *a, const void *b, size_t n)
{
	if (n == 0)
		return true;
	if (a == NULL || b == NULL)
		return false;
	return CRYPTO_memcmp(a, b, n) == 0;
}

int crypto_key_load(const char *path, struct crypto_key *key, char *err, size_t errsz)
{
	char buf[KEY_HEX_LEN + 2];
	unsigned char master[KEY_HEX_LEN / 2];
	struct stat st;
	size_t len = 0;
	size_t i;
	int fd = -1;
	int ret = -1;

	if (path == NULL || key == NULL) {
		errbuf_set(err, errsz, "no key file given");
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		errbuf_set(err, errsz, "%s: %s", path, strerror(errno));
		goto out;
	}
	/* fstat on the open descriptor: the file checked is the file read. */
	if (fstat(fd, &st) != 0) {
		errbuf_set(err, errsz, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		errbuf_set(err, errsz, "%s: not a regular file", path);
		goto out;
	}
	if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		errbuf_set(err, errsz, "%s: mode %04o gives access to group or others; chmod 600",
			path, (unsigned)(st.st_mode & 07777));
		goto out;
	}
	/* Read one byte past the longest legal content so an over-long file is noticed. */
	while (len < sizeof(buf)) {
		ssize_t r = read(fd, buf + len, sizeof(buf) - len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			errbuf_set(err, errsz, "%s: %s", path, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	if (len == KEY_HEX_LEN + 1 && buf[KEY_HEX_LEN] == '\n')
		len = KEY_HEX_LEN;
	if (len != KEY_HEX_LEN) {
		errbuf_set(err, errsz, "%s: expected %d hex characters and an optional newline", path,
			KEY_HEX_LEN);
		goto out;
	}
	for (i = 0; i < sizeof(master); i++) {
		int hi = decode_hex_digit((unsigned char)buf[2 * i]);
		int lo = decode_hex_digit((unsigned char)buf[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			errbuf_set(err, errsz, "%s: not a hex key", path);
			goto out;
		}
		master[i] = (unsigned char)(hi << 4 | lo);
	}
	crypto_hmac_sha256(master, sizeof(master), LABEL_ENC, strlen(LABEL_ENC), key->enc);
	crypto_hmac_sha256(master, sizeof(master), LABEL_IDX, strlen(LABEL_IDX), key->idx);
	ret = 0;
out:
	OPENSSL_cleanse(master, sizeof(master));
	OPENSSL_cleanse(buf, sizeof(buf));
	if (fd >= 0)
		close(fd);
	return ret;
}

int crypto_key_create(const char *path, char *err, size_t errsz)
{
	unsigned char master[KEY_HEX_LEN / 2];
	char text[KEY_HEX_LEN + 2];
	int fd = -1;
	int ret = -1;
	int created = 0;

	if (path == NULL) {
		errbuf_set(err, errsz, "no key file given");
		return -1;
	}
	if (crypto_random(master, sizeof(master)) != 0) {
		errbuf_set(err, errsz, "random number generator failed");
		goto out;
	}
	crypto_hex(master, sizeof(master), text);
	text[KEY_HEX_LEN] = '\n';
	text[KEY_HEX_LEN + 1] = '\0';

	/* O_EXCL: an existing key may be the only way to read the PII sealed under it.
	 * O_NOFOLLOW: a planted symlink must not redirect the new key elsewhere. */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		errbuf_set(err, errsz, "%s: %s", path, strerror(errno));
		goto out;
	}
	created = 1;
	/* The umask may have taken bits away; make the mode exactly what key_load expects. */
	if (fchmod(fd, 0600) != 0 || fdio_write_all(fd, text, KEY_HEX_LEN + 1) != 0 || fsync(fd) != 0) {
		errbuf_set(err, errsz, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (close(fd) != 0) {
		fd = -1;
		errbuf_set(err, errsz, "%s: %s", path, strerror(errno));
		goto out;
	}
	fd = -1;
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	/* A half-written key is worse than none: the next start would refuse it or, worse, use it. */
	if (ret != 0 && created)
		unlink(path);
	OPENSSL_cleanse(master, sizeof(master));
	OPENSSL_cleanse(text, sizeof(text));
	return ret;
}

static size_t aad_len(const char *aad)
{
	return aad == NULL ? 0 : strlen(aad);
}

int crypto_seal(const struct crypto_key *key, const void *plain, size_t n, const char *aad,
		unsigned char *out, size_t outsz, size_t *outlen)
{
	EVP_CIPHER_CTX *ctx = NULL;
	unsigned char *nonce = out + 1;
	unsigned char *ct = out + 1 + SEAL_NONCE_LEN;
	size_t alen = aad_len(aad);
	int len = 0;
	int ret = -1;

	if (outlen != NULL)
		*outlen = 0;
	if (key == NULL || out == NULL || (plain == NULL && n > 0))
		return -1;
	/* EVP lengths are int. */
	if (n > (size_t)INT_MAX - CRYPTO_SEAL_OVERHEAD || alen > INT_MAX)
		return -1;
	if (outsz < n + CRYPTO_SEAL_OVERHEAD)
		return -1;

	out[0] = SEAL_VERSION;
	/* Random 96-bit nonces: fine for far fewer than 2^32 seals under one key. */
	if (crypto_random(nonce, SEAL_NONCE_LEN) != 0)
		goto out;
	ctx = EVP_CIPHER_CTX_new();
	if (ctx == NULL)
		goto out;
	if (EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, SEAL_NONCE_LEN, NULL) != 1 ||
	    EVP_EncryptInit_ex(ctx, NULL, NULL, key->enc, nonce) != 1)
		goto out;
	if (alen > 0 &&
	    EVP_EncryptUpdate(ctx, NULL, &len, (const unsigned char *)aad, (int)alen) != 1)
		goto out;
	if (n > 0 && (EVP_EncryptUpdate(ctx, ct, &len, plain, (int)n) != 1 || (size_t)len != n))
		goto out;
	if (EVP_EncryptFinal_ex(ctx, ct + n, &len) != 1 || len != 0)
		goto out;
	if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, SEAL_TAG_LEN, ct + n) != 1)
		goto out;
	if (outlen != NULL)
		*outlen = n + CRYPTO_SEAL_OVERHEAD;
	ret = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	if (ret != 0)
		OPENSSL_cleanse(out, n + CRYPTO_SEAL_OVERHEAD);
	return ret;
}

int crypto_open(const struct crypto_key *key, const unsigned char *in, size_t n, const char *aad,
		unsigned char *out, size_t outsz, size_t *outlen)
{
	EVP_CIPHER_CTX *ctx = NULL;
	unsigned char tag[SEAL_TAG_LEN];
	size_t alen = aad_len(aad);
	size_t ctlen;
	int len = 0;
	int ret = -1;

	if (outlen != NULL)
		*outlen = 0;
	if (key == NULL || in == NULL || n < CRYPTO_SEAL_OVERHEAD || in[0] != SEAL_VERSION)
		return -1;
	ctlen = n - CRYPTO_SEAL_OVERHEAD;
	if (ctlen > INT_MAX || alen > INT_MAX || outsz < ctlen || (out == NULL && ctlen > 0))
		return -1;

	/* The ctrl call takes a non-const pointer; copy rather than cast away const. */
	memcpy(tag, in + n - SEAL_TAG_LEN, SEAL_TAG_LEN);
	ctx = EVP_CIPHER_CTX_new();
	if (ctx == NULL)
		goto out;
	if (EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, SEAL_NONCE_LEN, NULL) != 1 ||
	    EVP_DecryptInit_ex(ctx, NULL, NULL, key->enc, in + 1) != 1)
		goto out;
	if (alen > 0 &&
	    EVP_DecryptUpdate(ctx, NULL, &len, (const unsigned char *)aad, (int)alen) != 1)
		goto out;
	if (ctlen > 0 && (EVP_DecryptUpdate(ctx, out, &len, in + 1 + SEAL_NONCE_LEN, (int)ctlen) != 1 ||
			  (size_t)len != ctlen))
		goto out;
	if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, SEAL_TAG_LEN, tag) != 1)
		goto out;
	/* The tag is checked here; until then out holds unauthenticated plaintext. */
	if (EVP_DecryptFinal_ex(ctx, out == NULL ? tag : out + ctlen, &len) != 1)
		goto out;
	if (outlen != NULL)
		*outlen = ctlen;
	ret = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	if (ret != 0 && out != NULL && ctlen > 0)
		OPENSSL_cleanse(out, ctlen);
	return ret;
}

void crypto_index_hex(const struct crypto_key *key, const char *purpose, const void *data,
		      size_t n, char out[2 * CRYPTO_SHA256_LEN + 1])
{
	unsigned char md[CRYPTO_SHA256_LEN];
	const void *parts[3];
	size_t lens[3];

	parts[0] = purpose == NULL ? "" : purpose;
	lens[0] = purpose == NULL ? 0 : strlen(purpose);
	parts[1] = ":";
	lens[1] = 1;
	parts[2] = data;
	lens[2] = data == NULL ? 0 : n;
	hmac_parts(key->idx, sizeof(key->idx), parts, lens, 3, md);
	crypto_hex(md, sizeof(md), out);
}
