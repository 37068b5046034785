/* decode: query strings, urlencoded forms and Cookie headers into name/value lists. */
#include "base/decode.h"

#include <string.h>

int decode_hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* %-decodes s[0..n) into fresh arena memory; the result is never longer than the input. */
static int pct_decode(struct arena *a, const char *s, size_t n, const char **out, size_t *outlen)
{
	char *d = arena_alloc(a, n + 1);
	size_t o = 0;

	if (!d)
		return DECODE_NOMEM;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			int hi, lo;

			if (n - i < 3)
				return DECODE_BAD;
			hi = decode_hex_digit((unsigned char)s[i + 1]);
			lo = decode_hex_digit((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0)
				return DECODE_BAD;
			c = (unsigned char)(hi << 4 | lo);
			i += 2;
		}
		if (c == '\0')
			return DECODE_BAD;
		d[o++] = (char)c;
	}
	d[o] = '\0';
	*out = d;
	*outlen = o;
	return DECODE_OK;
}

static size_t count_segments(const char *s, size_t n, char sep)
{
	size_t k = 1;

	for (size_t i = 0; i < n; i++)
		k += s[i] == sep;
	return k;
}

int decode_urlencoded(struct arena *a, const char *s, size_t n, size_t max_pairs,
		      struct kvlist *out)
{
	size_t cap = count_segments(s, n, '&'), i = 0;

	out->items = NULL;
	out->n = 0;
	if (cap > max_pairs)
		cap = max_pairs + 1;
	out->items = arena_calloc(a, cap, sizeof(struct kv));
	if (!out->items)
		return DECODE_NOMEM;
	while (i < n) {
		const char *seg = s + i, *amp = memchr(seg, '&', n - i), *eq;
		size_t len = amp ? (size_t)(amp - seg) : n - i, nlen, dummy;
		struct kv *kv;
		int rc;

		i += len + 1;
		if (len == 0)
			continue;
		if (out->n == max_pairs)
			return DECODE_TOO_MANY;
		eq = memchr(seg, '=', len);
		nlen = eq ? (size_t)(eq - seg) : len;
		if (nlen == 0)
			return DECODE_BAD;
		kv = &out->items[out->n];
		rc = pct_decode(a, seg, nlen, &kv->name, &dummy);
		if (rc)
			return rc;
		if (eq)
			rc = pct_decode(a, eq + 1, len - nlen - 1, &kv->value, &kv->value_len);
		else
			rc = pct_decode(a, "", 0, &kv->value, &kv->value_len);
		if (rc)
			return rc;
		out->n++;
	}
	return DECODE_OK;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

int decode_cookies(struct arena *a, const char *s, size_t n, size_t max_pairs, struct kvlist *out)
{
	size_t cap = count_segments(s, n, ';'), i = 0;

	out->n = 0;
	if (cap > max_pairs)
		cap = max_pairs + 1;
	out->items = arena_calloc(a, cap, sizeof(struct kv));
	if (!out->items)
		return DECODE_NOMEM;
	while (i < n) {
		const char *seg = s + i, *semi = memchr(seg, ';', n - i), *eq;
		size_t len = semi ? (size_t)(semi - seg) : n - i, nlen, vlen;
		const char *v;
		struct kv *kv;

		i += len + 1;
		while (len && is_blank(*seg)) {
			seg++;
			len--;
		}
		while (len && is_blank(seg[len - 1]))
			len--;
		eq = len ? memchr(seg, '=', len) : NULL;
		if (!eq || eq == seg)
			continue;
		if (out->n == max_pairs)
			return DECODE_TOO_MANY;
		nlen = (size_t)(eq - seg);
		while (nlen && is_blank(seg[nlen - 1]))
			nlen--;
		v = eq + 1;
		vlen = len - (size_t)(v - seg);
		while (vlen && is_blank(*v)) {
			v++;
			vlen--;
		}
		if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"') {
			v++;
			vlen -= 2;
		}
		if (memchr(seg, '\0', len))
			return DECODE_BAD;
		kv = &out->items[out->n];
		kv->name = arena_strndup(a, seg, nlen);
		kv->value = arena_strndup(a, v, vlen);
		kv->value_len = vlen;
		if (!kv->name || !kv->value)
			return DECODE_NOMEM;
		out->n++;
	}
	return DECODE_OK;
}

const char *kv_get(const struct kvlist *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->items[i].name, name) == 0)
			return l->items[i].value;
	return NULL;
}
