/* cidr: a list of IPv4 and IPv6 networks ("10.0.0.0/8, 2001:db8::/32"), parsed strictly, and
 * whether a client address falls in one of them ([limits] trusted_networks). */
#ifndef CERTHALL_CIDR_H
#define CERTHALL_CIDR_H

#include <stdbool.h>
#include <stddef.h>

#define CIDR_MAX 32       /* networks in one list */
#define CIDR_ITEM_MAX 64  /* characters of one item, "ffff:...:ffff/128" fits */

struct cidr {
	unsigned char addr[16]; /* IPv4 in the first 4 bytes */
	unsigned char v6;       /* 0: IPv4, 1: IPv6 */
	unsigned char bits;     /* prefix length */
};

struct cidr_list {
	size_t n;
	struct cidr net[CIDR_MAX];
};

/*
 * Parses a comma-separated list; spaces around items are allowed, "" is the empty list. An
 * item is an address with an optional "/bits" (none: that one address). Refused, with the
 * item and the reason in why (why may be NULL): an empty item, an address inet_pton does not
 * take (zone ids, leading zeros, ...), bits that are not plain decimal or exceed the family's
 * width, bits set past the prefix ("10.1.0.0/8" is a typo for one network or the other), /0
 * (it would trust every address), more than CIDR_MAX items. Returns 0, or -1 (out emptied).
 */
int cidr_parse_list(const char *text, struct cidr_list *out, char *why, size_t whysz);

/* Whether addr (a client address as nginx gives it; an IPv4-mapped IPv6 address counts as
 * its IPv4 address) is in one of the list's networks. A malformed addr is in none. */
bool cidr_match(const struct cidr_list *l, const char *addr);

#endif
