/* mask: masked forms of mobiles, IDs, names and emails; malformed input always becomes "****". */
#include "domain/mask.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "base/valid.h"

#define MASK_FALLBACK "****"
#define MOBILE_LEN 11
#define ID_MIN 15 /* the old 15-digit resident ID: shorter, 3+4 kept would show most of it */
#define ID_MAX 32
#define NAME_MAX_BYTES 1024 /* longer than any name a form accepts: treat as garbage */

/* Output that only ever takes whole code points and is always NUL-terminated. Once one piece
 * does not fit nothing more is added, so the result is a clean prefix. */
struct mbuf {
	char *p;
	size_t sz;
	size_t len;
	bool full;
};

static void mbuf_init(struct mbuf *b, char *out, size_t outsz)
{
	b->p = out;
	b->sz = out == NULL ? 0 : outsz;
	b->len = 0;
	b->full = b->sz == 0;
	if (b->sz > 0)
		b->p[0] = '\0';
}

/* Byte length of the code point starting at s; s is known to be well-formed UTF-8. */
static size_t cp_len(const char *s)
{
	unsigned char c = (unsigned char)*s;

	if (c < 0x80)
		return 1;
	if (c < 0xE0)
		return 2;
	if (c < 0xF0)
		return 3;
	return 4;
}

/* Appends s (n bytes of well-formed UTF-8) one code point at a time. */
static void mbuf_put(struct mbuf *b, const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && !b->full) {
		size_t k = cp_len(s + i);

		if (k > n - i)
			k = n - i;
		if (k >= b->sz - b->len) {
			b->full = true;
			return;
		}
		memcpy(b->p + b->len, s + i, k);
		b->len += k;
		b->p[b->len] = '\0';
		i += k;
	}
}

static void mbuf_stars(struct mbuf *b, size_t n)
{
	while (n-- > 0)
		mbuf_put(b, "*", 1);
}

static void fallback(char *out, size_t outsz)
{
	struct mbuf b;

	mbuf_init(&b, out, outsz);
	mbuf_put(&b, MASK_FALLBACK, strlen(MASK_FALLBACK));
}

/* A name split into code points: where the first two and the last four start. */
struct cps {
	size_t count;
	size_t len;   /* bytes */
	size_t off2;  /* byte offset of the third code point (or len) */
	size_t first; /* byte length of the first code point */
	size_t last;  /* byte offset of the last code point */
	size_t last4; /* byte offset of the fourth code point from the end */
};

/* Refuses (returns -1) malformed UTF-8 and control characters: a masked value goes into logs
 * and pages, where neither belongs. */
static int split_cps(const char *s, struct cps *c)
{
	size_t starts[4] = { 0, 0, 0, 0 }; /* ring of the last four code point offsets */
	size_t n;
	size_t i = 0;

	if (s == NULL)
		return -1;
	n = strnlen(s, NAME_MAX_BYTES + 1);
	if (n == 0 || n > NAME_MAX_BYTES || !valid_text(s, n, SIZE_MAX))
		return -1;
	memset(c, 0, sizeof(*c));
	c->len = n;
	c->first = cp_len(s);
	c->off2 = n;
	while (i < n) {
		if (c->count == 2)
			c->off2 = i;
		starts[c->count % 4] = i;
		c->last = i;
		c->count++;
		i += cp_len(s + i);
	}
	/* With four or more code points the oldest entry of the ring is the fourth from the end. */
	c->last4 = c->count >= 4 ? starts[c->count % 4] : 0;
	return 0;
}

void mask_mobile(const char *mobile, char *out, size_t outsz)
{
	struct mbuf b;
	size_t i;

	if (mobile == NULL || strnlen(mobile, MOBILE_LEN + 1) != MOBILE_LEN) {
		fallback(out, outsz);
		return;
	}
	for (i = 0; i < MOBILE_LEN; i++) {
		if (mobile[i] < '0' || mobile[i] > '9') {
			fallback(out, outsz);
			return;
		}
	}
	mbuf_init(&b, out, outsz);
	mbuf_put(&b, mobile, 3);
	mbuf_stars(&b, 4);
	mbuf_put(&b, mobile + 7, 4);
}

void mask_id(const char *id, char *out, size_t outsz)
{
	struct mbuf b;
	size_t n;
	size_t i;

	if (id == NULL) {
		fallback(out, outsz);
		return;
	}
	n = strnlen(id, ID_MAX + 1);
	if (n < ID_MIN || n > ID_MAX) {
		fallback(out, outsz);
		return;
	}
	for (i = 0; i < n; i++) {
		char c = id[i];

		if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) {
			fallback(out, outsz);
			return;
		}
	}
	mbuf_init(&b, out, outsz);
	mbuf_put(&b, id, 3);
	mbuf_stars(&b, n - 7);
	mbuf_put(&b, id + n - 4, 4);
}

void mask_person_name(const char *name, char *out, size_t outsz)
{
	struct cps c;
	struct mbuf b;

	if (split_cps(name, &c) != 0) {
		fallback(out, outsz);
		return;
	}
	mbuf_init(&b, out, outsz);
	if (c.count == 1) {
		mbuf_put(&b, name, c.len);
		return;
	}
	mbuf_put(&b, name, c.first);
	if (c.count == 2) {
		mbuf_stars(&b, 1);
		return;
	}
	mbuf_stars(&b, c.count - 2);
	mbuf_put(&b, name + c.last, c.len - c.last);
}

void mask_org_name(const char *name, char *out, size_t outsz)
{
	struct cps c;
	struct mbuf b;

	if (split_cps(name, &c) != 0) {
		fallback(out, outsz);
		return;
	}
	mbuf_init(&b, out, outsz);
	mbuf_put(&b, name, c.off2);
	if (c.count <= 6) {
		mbuf_stars(&b, c.count > 2 ? c.count - 2 : 0);
		return;
	}
	/* A fixed "**" rather than one per character: the length of the middle says nothing. */
	mbuf_stars(&b, 2);
	mbuf_put(&b, name + c.last4, c.len - c.last4);
}

void mask_email(const char *email, char *out, size_t outsz)
{
	struct mbuf b;
	const char *at;

	if (!valid_email(email)) {
		fallback(out, outsz);
		return;
	}
	at = strchr(email, '@');
	mbuf_init(&b, out, outsz);
	mbuf_put(&b, email, 1);
	mbuf_stars(&b, 3);
	mbuf_put(&b, at, strlen(at));
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_local(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) ||
	       (c != '\0' && strchr("._%+-", c) != NULL);
}

void mask_text(char *s)
{
	size_t n = s ? strlen(s) : 0;

	for (size_t i = 0; i < n;) {
		size_t j = i;

		while (j < n && is_digit(s[j]))
			j++;
		if (j - i >= 7)
			for (size_t k = i + 3; k < j - 4; k++)
				s[k] = '*';
		i = j > i ? j : i + 1;
	}
	for (size_t i = 0; i < n; i++) {
		size_t start = i;

		if (s[i] != '@')
			continue;
		while (start > 0 && is_local(s[start - 1]))
			start--;
		for (size_t k = start + 1; k < i; k++)
			s[k] = '*';
	}
}
