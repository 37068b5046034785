/* password: scrypt hashes (OpenSSL) with a per-password salt, and the password rule. */
#ifndef CERTHALL_PASSWORD_H
#define CERTHALL_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

#define PASSWORD_HASH_MAX 160

/* "scrypt$<log2 N>$<r>$<p>$<salt hex>$<key hex>". The cost travels with the hash, so raising
 * it in the config applies to new passwords while old ones still verify. Returns 0 or -1. */
int password_hash(const char *pw, int n_log2, int r, int p, char out[PASSWORD_HASH_MAX]);

/* Constant-time check of pw against a stored hash; false for a malformed hash. */
bool password_verify(const char *pw, const char *stored);

/* 8 to 64 printable ASCII characters with at least one letter and one digit. */
bool password_acceptable(const char *pw);

struct conf;

/* A hash of a random password at the configured cost: verifying against it costs what a real
 * check costs, so a missing account answers as slowly as a wrong password. */
const char *password_dummy_hash(const struct conf *c);

#endif
