/* jsonw: a JSON text written straight into the request's arena, for the hot answers. */
#include "base/jsonw.h"

#include <string.h>

void jsonw_init(struct jsonw *w, struct arena *a, size_t cap)
{
	memset(w, 0, sizeof(*w));
	w->a = a;
	w->cap = cap < 64 ? 64 : cap;
	w->buf = arena_alloc(a, w->cap);
	w->failed = !w->buf;
}

/* Room for n more bytes and the final NUL. The arena cannot grow a block in place: a bigger
 * one is taken and the text copied; the old one goes back at the request's end. */
static bool room(struct jsonw *w, size_t n)
{
	size_t cap = w->cap;
	char *b;

	if (w->failed)
		return false;
	if (w->len + n + 1 <= w->cap)
		return true;
	while (cap < w->len + n + 1) {
		if (cap > ((size_t)-1) / 2) {
			w->failed = true;
			return false;
		}
		cap *= 2;
	}
	b = arena_alloc(w->a, cap);
	if (!b) {
		w->failed = true;
		return false;
	}
	memcpy(b, w->buf, w->len);
	w->buf = b;
	w->cap = cap;
	return true;
}

static void put(struct jsonw *w, const char *s, size_t n)
{
	if (!room(w, n))
		return;
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

static void sep(struct jsonw *w)
{
	if (w->comma)
		put(w, ",", 1);
	w->comma = true;
}

/* Length of the UTF-8 sequence at s (at most n bytes), 0 if it is not one: overlong forms,
 * surrogates and code points past U+10FFFF are refused, as jansson refuses them. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned cp;
	size_t k;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		k = 2, cp = s[0] & 0x1F;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		k = 3, cp = s[0] & 0x0F;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		k = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (k > n)
		return 0;
	for (size_t i = 1; i < k; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((k == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
	    (k == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
		return 0;
	return k;
}

static void quoted(struct jsonw *w, const char *str)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *s = (const unsigned char *)str;
	size_t n = strlen(str), i = 0, run = 0;

	put(w, "\"", 1);
	while (i < n && !w->failed) {
		unsigned char c = s[i];
		size_t k;

		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
			i++;
			run++;
			continue;
		}
		if (c >= 0x80) {
			if (!(k = utf8_len(s + i, n - i))) {
				w->failed = true;
				return;
			}
			i += k;
			run += k;
			continue;
		}
		put(w, str + i - run, run);
		run = 0;
		switch (c) {
		case '"': put(w, "\\\"", 2); break;
		case '\\': put(w, "\\\\", 2); break;
		case '\n': put(w, "\\n", 2); break;
		case '\r': put(w, "\\r", 2); break;
		case '\t': put(w, "\\t", 2); break;
		case '\b': put(w, "\\b", 2); break;
		case '\f': put(w, "\\f", 2); break;
		default: {
			char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };

			put(w, esc, sizeof(esc));
			break;
		}
		}
		i++;
	}
	put(w, str + i - run, run);
	put(w, "\"", 1);
}

void jsonw_open(struct jsonw *w, char c)
{
	sep(w);
	put(w, &c, 1);
	w->comma = false;
}

void jsonw_close(struct jsonw *w, char c)
{
	put(w, &c, 1);
	w->comma = true;
}

void jsonw_key(struct jsonw *w, const char *k)
{
	sep(w);
	quoted(w, k);
	put(w, ":", 1);
	w->comma = false;
}

void jsonw_str(struct jsonw *w, const char *s)
{
	sep(w);
	if (s)
		quoted(w, s);
	else
		put(w, "null", 4);
}

void jsonw_kstr(struct jsonw *w, const char *k, const char *s)
{
	jsonw_key(w, k);
	jsonw_str(w, s);
}

void jsonw_raw(struct jsonw *w, const char *json, size_t len)
{
	sep(w);
	if (!json) {
		w->failed = true;
		return;
	}
	put(w, json, len);
}

const char *jsonw_done(struct jsonw *w, size_t *len)
{
	if (w->failed || !room(w, 0))
		return NULL;
	w->buf[w->len] = '\0';
	*len = w->len;
	return w->buf;
}
