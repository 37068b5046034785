/* Unit tests of shared/crypto/crypto.c against published vectors (FIPS 180-2, RFC 4231) and files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/crypto.h"

/* A master key of bytes 00..1f; its sub-keys and the sealed vector below were computed
 * independently with Python (hmac, cryptography's AESGCM), not with this code. */
static const char MASTER_HEX[] = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
static const char ENC_HEX[] = "271238a20cd94a54ff1953f69f27956ebb0d86191060428553fbfd174c5b85d4";
static const char IDX_HEX[] = "a8534c8068aecf5d3eb299ced7a40a1c94ddb8dd03c39bc24ed923c7d0d64ba3";
static const char INDEX_MOBILE_HEX[] =
	"d6238e91596f3b93137f1c9a5075f0a227a1456e294c83f8abaf1da5e11212d2";
/* version 01 | nonce a0..ab | AES-256-GCM("11010519491231002X", aad "orders.handler_id") | tag */
static const char SEALED_HEX[] = "01a0a1a2a3a4a5a6a7a8a9aaab53a298184cdd0c7e3d7d863f283d2ae11288"
				 "a8e62602e71b42a35f38cc0d9247c577";

static char tmpdir[64];

static size_t unhex(const char *hex, unsigned char *out, size_t outsz)
{
	size_t n = strlen(hex) / 2;
	size_t i;

	assert_true(n <= outsz);
	for (i = 0; i < n; i++) {
		unsigned int v;

		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		out[i] = (unsigned char)v;
	}
	return n;
}

static void tmp_path(char *out, size_t outsz, const char *name)
{
	int n = snprintf(out, outsz, "%s/%s", tmpdir, name);

	assert_true(n > 0 && (size_t)n < outsz);
}

static void write_file(const char *path, const char *content, size_t n, mode_t mode)
{
	int fd;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, n), (ssize_t)n);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static void load_test_key(struct crypto_key *key)
{
	char path[128];
	char err[256];

	tmp_path(path, sizeof(path), "test.key");
	write_file(path, MASTER_HEX, strlen(MASTER_HEX), 0600);
	assert_int_equal(crypto_key_load(path, key, err, sizeof(err)), 0);
	unlink(path);
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/certhall-test-crypto.XXXXXX");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int teardown(void **state)
{
	const char *names[] = { "test.key", "k", "new.key", "dir.key" };
	char path[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir, names[i]);
		unlink(path);
	}
	return rmdir(tmpdir);
}

/* FIPS 180-2, appendix B.1, and the well-known digest of the empty message. */
static void test_sha256_fips(void **state)
{
	char hex[2 * CRYPTO_SHA256_LEN + 1];
	unsigned char md[CRYPTO_SHA256_LEN];
	unsigned char want[CRYPTO_SHA256_LEN];

	(void)state;
	crypto_sha256_hex("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	crypto_sha256_hex("", 0, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	crypto_sha256_hex(NULL, 0, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	/* FIPS 180-2 B.2: the 448-bit two-block message. */
	crypto_sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, md);
	unhex("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", want,
	      sizeof(want));
	assert_memory_equal(md, want, sizeof(md));
}

/* RFC 4231 test cases 1, 2 and 4. */
static void test_hmac_rfc4231(void **state)
{
	unsigned char key[32];
	unsigned char data[64];
	unsigned char md[CRYPTO_SHA256_LEN];
	char hex[2 * CRYPTO_SHA256_LEN + 1];
	size_t i;

	(void)state;
	memset(key, 0x0b, 20);
	crypto_hmac_sha256(key, 20, "Hi There", 8, md);
	crypto_hex(md, sizeof(md), hex);
	assert_string_equal(hex, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");

	crypto_hmac_sha256("Jefe", 4, "what do ya want for nothing?", 28, md);
	crypto_hex(md, sizeof(md), hex);
	assert_string_equal(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");

	for (i = 0; i < 25; i++)
		key[i] = (unsigned char)(i + 1);
	memset(data, 0xcd, 50);
	crypto_hmac_sha256(key, 25, data, 50, md);
	crypto_hex(md, sizeof(md), hex);
	assert_string_equal(hex, "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
}

static void test_hex_and_equal(void **state)
{
	const unsigned char in[] = { 0x00, 0x0f, 0xa5, 0xff };
	char hex[9];

	(void)state;
	crypto_hex(in, sizeof(in), hex);
	assert_string_equal(hex, "000fa5ff");
	crypto_hex(in, 0, hex);
	assert_string_equal(hex, "");

	assert_true(crypto_equal("abcd", "abcd", 4));
	assert_false(crypto_equal("abcd", "abce", 4));
	assert_false(crypto_equal("abcd", "bbcd", 4));
	assert_true(crypto_equal("a", "b", 0));
	assert_false(crypto_equal(NULL, "b", 1));
}

static void test_random_and_token(void **state)
{
	char a[65];
	char b[65];
	char small[64];
	unsigned char zero[32] = { 0 };
	unsigned char buf[32] = { 0 };
	size_t i;

	(void)state;
	assert_int_equal(crypto_random(buf, 0), 0);
	assert_int_equal(crypto_random(buf, sizeof(buf)), 0);
	/* 2^-256 chance of a false failure. */
	assert_memory_not_equal(buf, zero, sizeof(buf));

	assert_int_equal(crypto_token_hex(a, sizeof(a), 32), 0);
	assert_int_equal(crypto_token_hex(b, sizeof(b), 32), 0);
	assert_int_equal(strlen(a), 64);
	for (i = 0; i < 64; i++)
		assert_non_null(strchr("0123456789abcdef", a[i]));
	assert_string_not_equal(a, b);

	/* 32 bytes need 65 bytes of output: one short must be refused. */
	assert_int_equal(crypto_token_hex(small, sizeof(small), 32), -1);
	assert_int_equal(crypto_token_hex(small, 0, 0), -1);
	assert_int_equal(crypto_token_hex(small, 1, 0), 0);
	assert_string_equal(small, "");
	assert_int_equal(crypto_token_hex(small, sizeof(small), SIZE_MAX), -1);
	/* More than one internal chunk. */
	{
		char big[2 * 100 + 1];

		assert_int_equal(crypto_token_hex(big, sizeof(big), 100), 0);
		assert_int_equal(strlen(big), 200);
	}
}

static void test_key_load_derives_subkeys(void **state)
{
	struct crypto_key key;
	unsigned char want[32];
	char path[128];
	char err[256];
	char text[80];

	(void)state;
	load_test_key(&key);
	unhex(ENC_HEX, want, sizeof(want));
	assert_memory_equal(key.enc, want, 32);
	unhex(IDX_HEX, want, sizeof(want));
	assert_memory_equal(key.idx, want, 32);

	/* A trailing newline and upper-case hex are the same key. */
	tmp_path(path, sizeof(path), "k");
	snprintf(text, sizeof(text), "%s\n", MASTER_HEX);
	write_file(path, text, strlen(text), 0600);
	memset(&key, 0, sizeof(key));
	assert_int_equal(crypto_key_load(path, &key, err, sizeof(err)), 0);
	unhex(ENC_HEX, want, sizeof(want));
	assert_memory_equal(key.enc, want, 32);

	write_file(path, "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F", 64,
		   0400);
	memset(&key, 0, sizeof(key));
	assert_int_equal(crypto_key_load(path, &key, err, sizeof(err)), 0);
	assert_memory_equal(key.enc, want, 32);
	unlink(path);
}

static void expect_load_fails(const char *content, size_t n, mode_t mode)
{
	struct crypto_key key;
	char path[128];
	char err[256] = "";

	tmp_path(path, sizeof(path), "k");
	write_file(path, content, n, mode);
	assert_int_equal(crypto_key_load(path, &key, err, sizeof(err)), -1);
	assert_true(err[0] != '\0');
	unlink(path);
}

static void test_key_load_refuses(void **state)
{
	char text[160];
	struct crypto_key key;
	char path[128];
	char err[256];

	(void)state;
	/* Wrong lengths. */
	expect_load_fails("", 0, 0600);
	expect_load_fails(MASTER_HEX, 63, 0600);
	snprintf(text, sizeof(text), "%s0", MASTER_HEX);
	expect_load_fails(text, strlen(text), 0600);
	snprintf(text, sizeof(text), "%s\n\n", MASTER_HEX);
	expect_load_fails(text, strlen(text), 0600);
	snprintf(text, sizeof(text), "%s%s", MASTER_HEX, MASTER_HEX);
	expect_load_fails(text, strlen(text), 0600);
	snprintf(text, sizeof(text), "%s\r\n", MASTER_HEX);
	expect_load_fails(text, strlen(text), 0600);
	snprintf(text, sizeof(text), " %s", MASTER_HEX);
	expect_load_fails(text, 65, 0600);
	/* Not hex. */
	snprintf(text, sizeof(text), "%s", MASTER_HEX);
	text[10] = 'g';
	expect_load_fails(text, 64, 0600);
	text[10] = '\0';
	expect_load_fails(text, 64, 0600);
	/* Readable by group or others. */
	expect_load_fails(MASTER_HEX, 64, 0644);
	expect_load_fails(MASTER_HEX, 64, 0640);
	expect_load_fails(MASTER_HEX, 64, 0604);
	expect_load_fails(MASTER_HEX, 64, 0620);
	expect_load_fails(MASTER_HEX, 64, 0601);

	/* Missing file, a directory, NULL arguments. */
	tmp_path(path, sizeof(path), "missing.key");
	assert_int_equal(crypto_key_load(path, &key, err, sizeof(err)), -1);
	tmp_path(path, sizeof(path), "dir.key");
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(crypto_key_load(path, &key, err, sizeof(err)), -1);
	assert_int_equal(rmdir(path), 0);
	assert_int_equal(crypto_key_load(NULL, &key, err, sizeof(err)), -1);
	assert_int_equal(crypto_key_load(path, NULL, NULL, 0), -1);
}

static void test_key_create(void **state)
{
	struct crypto_key key;
	struct stat st;
	char path[128];
	char err[256];
	char before[80];
	char after[80];
	FILE *f;

	(void)state;
	tmp_path(path, sizeof(path), "new.key");
	unlink(path);
	assert_int_equal(crypto_key_create(path, err, sizeof(err)), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_size, 65);
	assert_int_equal(crypto_key_load(path, &key, err, sizeof(err)), 0);

	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(before, sizeof(before), f));
	fclose(f);

	/* Never overwrites: the old key may be the only way to read old data. */
	assert_int_equal(crypto_key_create(path, err, sizeof(err)), -1);
	assert_true(err[0] != '\0');
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(after, sizeof(after), f));
	fclose(f);
	assert_string_equal(before, after);
	unlink(path);

	/* Two keys differ. */
	assert_int_equal(crypto_key_create(path, err, sizeof(err)), 0);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(after, sizeof(after), f));
	fclose(f);
	assert_string_not_equal(before, after);
	unlink(path);

	tmp_path(path, sizeof(path), "no/such/dir.key");
	assert_int_equal(crypto_key_create(path, err, sizeof(err)), -1);
	assert_int_equal(crypto_key_create(NULL, err, sizeof(err)), -1);
}

static void test_open_known_vector(void **state)
{
	struct crypto_key key;
	unsigned char blob[64];
	unsigned char out[64];
	size_t n;
	size_t outlen = 99;

	(void)state;
	load_test_key(&key);
	n = unhex(SEALED_HEX, blob, sizeof(blob));
	assert_int_equal(n, 18 + CRYPTO_SEAL_OVERHEAD);
	assert_int_equal(crypto_open(&key, blob, n, "orders.handler_id", out, sizeof(out), &outlen),
			 0);
	assert_int_equal(outlen, 18);
	assert_memory_equal(out, "11010519491231002X", 18);
	assert_int_equal(crypto_open(&key, blob, n, "orders.handler_mobile", out, sizeof(out),
				     &outlen),
			 -1);
	assert_int_equal(outlen, 0);
}

static void test_seal_round_trip(void **state)
{
	static const char plain[] = "13812345678";
	struct crypto_key key;
	unsigned char a[64];
	unsigned char b[64];
	unsigned char out[64];
	size_t alen;
	size_t blen;
	size_t outlen;
	char big[1000];

	(void)state;
	load_test_key(&key);
	assert_int_equal(crypto_seal(&key, plain, 11, "users.mobile", a, sizeof(a), &alen), 0);
	assert_int_equal(alen, 11 + CRYPTO_SEAL_OVERHEAD);
	assert_int_equal(a[0], 0x01);
	assert_int_equal(crypto_open(&key, a, alen, "users.mobile", out, sizeof(out), &outlen), 0);
	assert_int_equal(outlen, 11);
	assert_memory_equal(out, plain, 11);

	/* A fresh nonce each time: the same value never seals to the same bytes. */
	assert_int_equal(crypto_seal(&key, plain, 11, "users.mobile", b, sizeof(b), &blen), 0);
	assert_memory_not_equal(a + 1, b + 1, 12);
	assert_memory_not_equal(a, b, alen);

	/* Empty plaintext, and NULL aad meaning the empty aad. */
	assert_int_equal(crypto_seal(&key, "", 0, NULL, a, sizeof(a), &alen), 0);
	assert_int_equal(alen, CRYPTO_SEAL_OVERHEAD);
	assert_int_equal(crypto_open(&key, a, alen, "", out, sizeof(out), &outlen), 0);
	assert_int_equal(outlen, 0);
	assert_int_equal(crypto_open(&key, a, alen, NULL, NULL, 0, &outlen), 0);
	assert_int_equal(crypto_open(&key, a, alen, "x", out, sizeof(out), &outlen), -1);

	/* Exact output size is enough; one byte less is not. */
	assert_int_equal(crypto_seal(&key, plain, 11, "c", a, 11 + CRYPTO_SEAL_OVERHEAD, &alen), 0);
	assert_int_equal(crypto_open(&key, a, alen, "c", out, 11, &outlen), 0);
	assert_int_equal(crypto_open(&key, a, alen, "c", out, 10, &outlen), -1);
	assert_int_equal(crypto_seal(&key, plain, 11, "c", b, 11 + CRYPTO_SEAL_OVERHEAD - 1, &blen),
			 -1);
	assert_int_equal(crypto_seal(&key, plain, SIZE_MAX, "c", b, sizeof(b), &blen), -1);

	/* Longer than one AES block several times over. */
	{
		unsigned char sealed[sizeof(big) + CRYPTO_SEAL_OVERHEAD];
		char back[sizeof(big)];
		size_t i;

		for (i = 0; i < sizeof(big); i++)
			big[i] = (char)(i * 7);
		assert_int_equal(crypto_seal(&key, big, sizeof(big), "t", sealed, sizeof(sealed),
					     &alen),
				 0);
		assert_int_equal(crypto_open(&key, sealed, alen, "t", (unsigned char *)back,
					     sizeof(back), &outlen),
				 0);
		assert_int_equal(outlen, sizeof(big));
		assert_memory_equal(back, big, sizeof(big));
	}
}

/* Flipping any bit of any region (version, nonce, ciphertext, tag) must make open fail, and
 * leave no plaintext in the output. */
static void test_seal_tamper(void **state)
{
	static const char plain[] = "6222020200112233445";
	const size_t pn = sizeof(plain) - 1;
	struct crypto_key key;
	unsigned char sealed[64];
	unsigned char bad[64];
	unsigned char out[64];
	unsigned char zero[64] = { 0 };
	size_t slen;
	size_t outlen;
	size_t i;
	int bit;

	(void)state;
	load_test_key(&key);
	assert_int_equal(crypto_seal(&key, plain, pn, "bank.account", sealed, sizeof(sealed), &slen),
			 0);
	for (i = 0; i < slen; i++) {
		for (bit = 0; bit < 8; bit++) {
			memcpy(bad, sealed, slen);
			bad[i] ^= (unsigned char)(1u << bit);
			memset(out, 0, sizeof(out));
			assert_int_equal(crypto_open(&key, bad, slen, "bank.account", out,
						     sizeof(out), &outlen),
					 -1);
			assert_memory_equal(out, zero, sizeof(out));
		}
	}
	/* Version 2 with an otherwise intact body. */
	memcpy(bad, sealed, slen);
	bad[0] = 0x02;
	assert_int_equal(crypto_open(&key, bad, slen, "bank.account", out, sizeof(out), &outlen),
			 -1);
	/* Every truncation, and one extra byte. */
	for (i = 0; i < slen; i++)
		assert_int_equal(crypto_open(&key, sealed, i, "bank.account", out, sizeof(out),
					     &outlen),
				 -1);
	memcpy(bad, sealed, slen);
	bad[slen] = 0;
	assert_int_equal(crypto_open(&key, bad, slen + 1, "bank.account", out, sizeof(out),
				     &outlen),
			 -1);
	/* Wrong aad: another column, a prefix, NULL. */
	assert_int_equal(crypto_open(&key, sealed, slen, "bank.accoun", out, sizeof(out), &outlen),
			 -1);
	assert_int_equal(crypto_open(&key, sealed, slen, "orders.handler_id", out, sizeof(out),
				     &outlen),
			 -1);
	assert_int_equal(crypto_open(&key, sealed, slen, NULL, out, sizeof(out), &outlen), -1);
	/* Still opens when intact. */
	assert_int_equal(crypto_open(&key, sealed, slen, "bank.account", out, sizeof(out), &outlen),
			 0);
	assert_memory_equal(out, plain, pn);
}

static void test_seal_wrong_key(void **state)
{
	struct crypto_key key;
	struct crypto_key other;
	unsigned char sealed[64];
	unsigned char out[64];
	size_t slen;
	size_t outlen;

	(void)state;
	load_test_key(&key);
	other = key;
	other.enc[31] ^= 1;
	assert_int_equal(crypto_seal(&key, "secret", 6, "a", sealed, sizeof(sealed), &slen), 0);
	assert_int_equal(crypto_open(&other, sealed, slen, "a", out, sizeof(out), &outlen), -1);
	/* The index sub-key is not the sealing key. */
	memcpy(other.enc, key.idx, 32);
	assert_int_equal(crypto_open(&other, sealed, slen, "a", out, sizeof(out), &outlen), -1);
	assert_int_equal(crypto_open(NULL, sealed, slen, "a", out, sizeof(out), &outlen), -1);
	assert_int_equal(crypto_open(&key, NULL, slen, "a", out, sizeof(out), &outlen), -1);
}

static void test_index_hex(void **state)
{
	struct crypto_key key;
	char a[2 * CRYPTO_SHA256_LEN + 1];
	char b[2 * CRYPTO_SHA256_LEN + 1];

	(void)state;
	load_test_key(&key);
	crypto_index_hex(&key, "mobile", "13812345678", 11, a);
	assert_string_equal(a, INDEX_MOBILE_HEX);
	crypto_index_hex(&key, "mobile", "13812345678", 11, b);
	assert_string_equal(a, b);
	/* The purpose separates domains: the same digits under another purpose differ. */
	crypto_index_hex(&key, "id", "13812345678", 11, b);
	assert_string_not_equal(a, b);
	crypto_index_hex(&key, "mobile", "13812345679", 11, b);
	assert_string_not_equal(a, b);
	/* The ':' separator keeps ("ab", "c") apart from ("a", "bc")... as long as purposes hold
	 * no ':', which is the caller's convention. */
	crypto_index_hex(&key, "ab", "c", 1, a);
	crypto_index_hex(&key, "a", "bc", 2, b);
	assert_string_not_equal(a, b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256_fips),
		cmocka_unit_test(test_hmac_rfc4231),
		cmocka_unit_test(test_hex_and_equal),
		cmocka_unit_test(test_random_and_token),
		cmocka_unit_test(test_key_load_derives_subkeys),
		cmocka_unit_test(test_key_load_refuses),
		cmocka_unit_test(test_key_create),
		cmocka_unit_test(test_open_known_vector),
		cmocka_unit_test(test_seal_round_trip),
		cmocka_unit_test(test_seal_tamper),
		cmocka_unit_test(test_seal_wrong_key),
		cmocka_unit_test(test_index_hex),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
