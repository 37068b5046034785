/* cidr: strict parsing of network lists and matching client addresses against them. */
#include "base/cidr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

static const unsigned char v4_mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

/* An address of either family into 16 bytes; a v4-mapped IPv6 address becomes IPv4. */
static int parse_addr(const char *s, unsigned char out[16], unsigned char *v6)
{
	memset(out, 0, 16);
	if (inet_pton(AF_INET, s, out) == 1) {
		*v6 = 0;
		return 0;
	}
	if (inet_pton(AF_INET6, s, out) != 1)
		return -1;
	*v6 = 1;
	if (memcmp(out, v4_mapped, sizeof(v4_mapped)) == 0) {
		memmove(out, out + 12, 4);
		memset(out + 4, 0, 12);
		*v6 = 0;
	}
	return 0;
}

/* Whether a and b agree on their first bits bits. */
static int same_prefix(const unsigned char *a, const unsigned char *b, unsigned bits)
{
	unsigned whole = bits / 8, rest = bits % 8;

	if (memcmp(a, b, whole) != 0)
		return 0;
	return rest == 0 || ((a[whole] ^ b[whole]) & (0xff00u >> rest) & 0xff) == 0;
}

/* One item, already trimmed; why gets the reason it is refused. */
static int parse_item(const char *item, struct cidr *c, char *why, size_t whysz)
{
	char addr[CIDR_ITEM_MAX + 1];
	const char *slash = strchr(item, '/');
	size_t alen = slash ? (size_t)(slash - item) : strlen(item);
	static const unsigned char zero[16];
	unsigned width, bits = 0;

	if (alen == 0 || alen > CIDR_ITEM_MAX) {
		snprintf(why, whysz, "\"%.*s\": not an address", CIDR_ITEM_MAX, item);
		return -1;
	}
	memcpy(addr, item, alen);
	addr[alen] = '\0';
	/* A mapped IPv6 network would silently become an IPv4 one: say it as IPv4. */
	if (parse_addr(addr, c->addr, &c->v6) < 0 || (strchr(addr, ':') && !c->v6)) {
		snprintf(why, whysz, "\"%s\": not an IPv4 or IPv6 address", addr);
		return -1;
	}
	width = c->v6 ? 128 : 32;
	if (!slash) {
		c->bits = (unsigned char)width;
		return 0;
	}
	slash++;
	if (slash[0] == '\0' || strlen(slash) > 3 || strspn(slash, "0123456789") != strlen(slash) ||
	    (slash[0] == '0' && slash[1] != '\0')) {
		snprintf(why, whysz, "\"%s/%.4s\": the prefix length must be a number from 1 to %u",
			 addr, slash, width);
		return -1;
	}
	for (const char *p = slash; *p; p++)
		bits = bits * 10 + (unsigned)(*p - '0');
	if (bits == 0 || bits > width) {
		snprintf(why, whysz, "\"%s/%u\": the prefix length must be from 1 to %u%s", addr, bits,
			 width, bits == 0 ? " (/0 would trust every address)" : "");
		return -1;
	}
	c->bits = (unsigned char)bits;
	/* The address with its host part cleared must be the address itself. */
	{
		unsigned char net[16] = { 0 };

		memcpy(net, c->addr, 16);
		for (unsigned i = bits; i < width; i++)
			net[i / 8] &= (unsigned char)~(0x80u >> (i % 8));
		if (memcmp(net, c->addr, 16) != 0 || (!c->v6 && memcmp(c->addr + 4, zero, 12) != 0)) {
			snprintf(why, whysz, "\"%s/%u\": bits set past the prefix (a network starts "
				 "where its host part is zero)", addr, bits);
			return -1;
		}
	}
	return 0;
}

int cidr_parse_list(const char *text, struct cidr_list *out, char *why, size_t whysz)
{
	char scratch[160], item[CIDR_ITEM_MAX + 1];
	const char *p = text;

	if (!why) {
		why = scratch;
		whysz = sizeof(scratch);
	}
	why[0] = '\0';
	out->n = 0;
	p += strspn(p, " \t");
	if (*p == '\0')
		return 0;
	for (;;) {
		size_t len = strcspn(p, ","), end = len;

		while (end > 0 && (p[end - 1] == ' ' || p[end - 1] == '\t'))
			end--;
		if (end == 0) {
			snprintf(why, whysz, "item %zu is empty", out->n + 1);
			goto bad;
		}
		if (end > CIDR_ITEM_MAX) {
			snprintf(why, whysz, "item %zu is longer than %d characters", out->n + 1,
				 CIDR_ITEM_MAX);
			goto bad;
		}
		if (out->n == CIDR_MAX) {
			snprintf(why, whysz, "more than %d networks", CIDR_MAX);
			goto bad;
		}
		memcpy(item, p, end);
		item[end] = '\0';
		if (strcspn(item, " \t") != end) {
			snprintf(why, whysz, "\"%s\": items are separated by commas", item);
			goto bad;
		}
		if (parse_item(item, &out->net[out->n], why, whysz) < 0)
			goto bad;
		out->n++;
		if (p[len] == '\0')
			return 0;
		p += len + 1;
		p += strspn(p, " \t");
	}
bad:
	out->n = 0;
	return -1;
}

bool cidr_match(const struct cidr_list *l, const char *addr)
{
	unsigned char a[16], v6;

	if (!addr || strlen(addr) > CIDR_ITEM_MAX || parse_addr(addr, a, &v6) < 0)
		return false;
	for (size_t i = 0; i < l->n; i++)
		if (l->net[i].v6 == v6 && same_prefix(a, l->net[i].addr, l->net[i].bits))
			return true;
	return false;
}
