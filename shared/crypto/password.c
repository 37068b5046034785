/* password: scrypt hashes (OpenSSL EVP_PBE_scrypt) and the password rule. */
#include "crypto/password.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/conf.h"
#include "crypto/crypto.h"
#include "base/decode.h"

#define SALT_LEN 16
#define KEY_LEN 32

static int derive(const char *pw, const unsigned char *salt, int n_log2, int r, int p,
		  unsigned char key[KEY_LEN])
{
	uint64_t n = (uint64_t)1 << n_log2;
	/* Room for scrypt's 128*r*N working set plus slack; bounded by the config limits. */
	uint64_t maxmem = 128ull * (uint64_t)r * n * (uint64_t)p + (16u << 20);

	return EVP_PBE_scrypt(pw, strlen(pw), salt, SALT_LEN, n, (uint64_t)r, (uint64_t)p, maxmem,
			      key, KEY_LEN) == 1 ? 0 : -1;
}

int password_hash(const char *pw, int n_log2, int r, int p, char out[PASSWORD_HASH_MAX])
{
	unsigned char salt[SALT_LEN], key[KEY_LEN];
	char salt_hex[2 * SALT_LEN + 1], key_hex[2 * KEY_LEN + 1];

	if (n_log2 < 10 || n_log2 > 20 || r < 1 || r > 32 || p < 1 || p > 16)
		return -1;
	if (crypto_random(salt, sizeof(salt)) < 0 || derive(pw, salt, n_log2, r, p, key) < 0)
		return -1;
	crypto_hex(salt, sizeof(salt), salt_hex);
	crypto_hex(key, sizeof(key), key_hex);
	snprintf(out, PASSWORD_HASH_MAX, "scrypt$%d$%d$%d$%s$%s", n_log2, r, p, salt_hex, key_hex);
	return 0;
}

static int unhex(const char *s, size_t n, unsigned char *out)
{
	for (size_t i = 0; i < n; i++) {
		int hi = decode_hex_digit((unsigned char)s[2 * i]);
		int lo = decode_hex_digit((unsigned char)s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

static long field(const char **s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(*s, &end, 10);
	if (errno || end == *s || *end != '$')
		return -1;
	*s = end + 1;
	return v;
}

bool password_verify(const char *pw, const char *stored)
{
	unsigned char salt[SALT_LEN], want[KEY_LEN], got[KEY_LEN];
	const char *s = stored;
	long n_log2, r, p;

	if (!pw || !stored || strncmp(s, "scrypt$", 7) != 0)
		return false;
	s += 7;
	n_log2 = field(&s);
	r = field(&s);
	p = field(&s);
	if (n_log2 < 10 || n_log2 > 20 || r < 1 || r > 32 || p < 1 || p > 16)
		return false;
	if (strlen(s) != 2 * SALT_LEN + 1 + 2 * KEY_LEN || s[2 * SALT_LEN] != '$' ||
	    unhex(s, SALT_LEN, salt) < 0 || unhex(s + 2 * SALT_LEN + 1, KEY_LEN, want) < 0)
		return false;
	if (derive(pw, salt, (int)n_log2, (int)r, (int)p, got) < 0)
		return false;
	return crypto_equal(got, want, KEY_LEN);
}

bool password_acceptable(const char *pw)
{
	size_t n = pw ? strlen(pw) : 0;
	bool letter = false, digit = false;

	if (n < 8 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)pw[i];

		if (c < 0x21 || c > 0x7e)
			return false;
		letter |= (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
		digit |= c >= '0' && c <= '9';
	}
	return letter && digit;
}

const char *password_dummy_hash(const struct conf *c)
{
	static char dummy[PASSWORD_HASH_MAX];
	static int made_n = -1, made_r, made_p;

	if (made_n != c->scrypt_n_log2 || made_r != c->scrypt_r || made_p != c->scrypt_p) {
		char pw[33];

		if (crypto_token_hex(pw, sizeof(pw), 16) < 0 ||
		    password_hash(pw, c->scrypt_n_log2, c->scrypt_r, c->scrypt_p, dummy) < 0)
			snprintf(dummy, sizeof(dummy), "scrypt$15$8$1$x");
		made_n = c->scrypt_n_log2;
		made_r = c->scrypt_r;
		made_p = c->scrypt_p;
	}
	return dummy;
}
