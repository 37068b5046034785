/* decode: query strings, urlencoded forms and Cookie headers into name/value lists. */
#ifndef CERTHALL_DECODE_H
#define CERTHALL_DECODE_H

#include <stddef.h>

#include "base/arena.h"

struct kv {
	const char *name;
	const char *value;
	size_t value_len;
};

struct kvlist {
	struct kv *items;
	size_t n;
};

enum {
	DECODE_OK = 0,
	DECODE_BAD = -1,      /* malformed: bad %-escape, %00, empty name */
	DECODE_TOO_MANY = -2, /* more pairs than max_pairs */
	DECODE_NOMEM = -3,
};

/* Splits "a=1&b=x%20y" into pairs, %-decoding names and values and turning '+' into a space.
 * A decoded NUL, a truncated or non-hex escape, or an empty name is DECODE_BAD; empty
 * segments ("a=1&&b=2") are skipped. At most max_pairs pairs. Strings live in the arena. */
int decode_urlencoded(struct arena *a, const char *s, size_t n, size_t max_pairs,
		      struct kvlist *out);

/* Splits a Cookie header "a=1; b=2" (RFC 6265: no decoding, surrounding blanks trimmed,
 * a quoted value unquoted). Pairs without '=' are skipped, not an error. */
int decode_cookies(struct arena *a, const char *s, size_t n, size_t max_pairs, struct kvlist *out);

/* The value of one hex digit (either case), or -1. */
int decode_hex_digit(int c);

/* The value of the first pair called name, or NULL. */
const char *kv_get(const struct kvlist *l, const char *name);

#endif
