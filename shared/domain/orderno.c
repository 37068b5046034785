/* orderno: makes and checks 18-digit order numbers (date, node, random, Damm check digit). */
#include "domain/orderno.h"

#include <stdint.h>
#include <stdio.h>

#include "crypto/crypto.h"

#define RANDOM_DIGITS_MOD 1000000000u /* 10^9: nine digits */
/* The largest multiple of 10^9 that fits in 32 bits; draws at or above it are thrown away so
 * that every nine-digit value is equally likely. */
#define RANDOM_LIMIT 4000000000u
#define RANDOM_TRIES 64 /* each draw is refused with p < 0.07: 64 refusals do not happen */

/* Damm's weakly totally anti-symmetric quasigroup of order 10 (H. M. Damm, 2004). */
static const unsigned char DAMM[10][10] = {
	{ 0, 3, 1, 7, 5, 9, 8, 6, 4, 2 },
	{ 7, 0, 9, 2, 1, 5, 4, 8, 6, 3 },
	{ 4, 2, 0, 6, 8, 7, 1, 3, 5, 9 },
	{ 1, 7, 5, 0, 9, 8, 3, 4, 2, 6 },
	{ 6, 1, 2, 3, 0, 4, 5, 9, 7, 8 },
	{ 3, 6, 7, 4, 2, 0, 9, 5, 8, 1 },
	{ 5, 8, 6, 9, 7, 2, 0, 1, 3, 4 },
	{ 8, 9, 4, 5, 3, 6, 2, 0, 1, 7 },
	{ 9, 4, 3, 8, 6, 1, 7, 2, 0, 5 },
	{ 2, 5, 8, 1, 4, 3, 6, 7, 9, 0 },
};

/* The interim digit after n digits, or -1 if one of them is not a digit. */
static int damm_interim(const char *s, size_t n)
{
	int interim = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		interim = DAMM[interim][s[i] - '0'];
	}
	return interim;
}

/* Returns '\0' for NULL or a non-digit: the char return leaves no other way to say so. */
char orderno_check_digit(const char *digits, size_t n)
{
	int interim;

	if (digits == NULL)
		return '\0';
	interim = damm_interim(digits, n);
	return interim < 0 ? '\0' : (char)('0' + interim);
}

bool orderno_valid(const char *s)
{
	size_t i;

	if (s == NULL)
		return false;
	for (i = 0; i < ORDERNO_LEN; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
	}
	return s[ORDERNO_LEN] == '\0' && damm_interim(s, ORDERNO_LEN) == 0;
}

static int random_nine_digits(uint32_t *out)
{
	int i;

	for (i = 0; i < RANDOM_TRIES; i++) {
		uint32_t v;

		if (crypto_random(&v, sizeof(v)) != 0)
			return -1;
		if (v < RANDOM_LIMIT) {
			*out = v % RANDOM_DIGITS_MOD;
			return 0;
		}
	}
	return -1;
}

int orderno_make(char out[ORDERNO_LEN + 1], time_t now, unsigned node)
{
	struct tm tm;
	time_t local;
	uint32_t rnd;
	int len;

	if (out == NULL)
		return -1;
	out[0] = '\0';
	if (node > 99)
		return -1;
	/* The business day is Beijing's whatever the host's TZ says; China has no DST. */
	if (now > (time_t)(INT64_MAX - 8 * 3600))
		return -1;
	local = now + 8 * 3600;
	if (gmtime_r(&local, &tm) == NULL)
		return -1;
	if (random_nine_digits(&rnd) != 0)
		return -1;
	len = snprintf(out, ORDERNO_LEN + 1, "%02d%02d%02d%02u%09u",
		       ((tm.tm_year + 1900) % 100 + 100) % 100, tm.tm_mon + 1, tm.tm_mday, node,
		       (unsigned)rnd);
	if (len != ORDERNO_LEN - 1) {
		out[0] = '\0';
		return -1;
	}
	out[ORDERNO_LEN - 1] = orderno_check_digit(out, ORDERNO_LEN - 1);
	out[ORDERNO_LEN] = '\0';
	return 0;
}
