/* multipart: bounded multipart/form-data parsing (RFC 7578, boundaries of RFC 2046). */
#include "web/multipart.h"

#include <string.h>

#include "base/decode.h"

/*
 * The body is walked once, left to right. A delimiter is CRLF "--" boundary; since no
 * boundary character is CR, a CR can only start a delimiter at its first byte, so the search
 * (memchr for CR, then compare) resumes where a comparison failed and touches each byte a
 * bounded number of times (glibc declares memmem only under _GNU_SOURCE). Part headers are
 * read line by line within MP_MAX_HEADER_BYTES; part data is never copied.
 *
 * Ambiguity is refused, not guessed at: a delimiter followed by anything but "--" or blanks
 * and CRLF, a folded or bare-LF header line, a second Content-Disposition, Content-Type, name
 * or filename is MP_BAD, so no other parser in front of us can read the body differently
 * without this one failing.
 */

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* s[0..n) equals the lower-case literal lit, ignoring case. */
static int ieq(const char *s, size_t n, const char *lit)
{
	size_t i;

	for (i = 0; i < n && lit[i]; i++)
		if (lower((unsigned char)s[i]) != lit[i])
			return 0;
	return i == n && lit[i] == '\0';
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int is_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* RFC 7230 tchar: the characters of header names, parameter names and media types. */
static int is_tchar(unsigned char c)
{
	return is_alnum(c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* RFC 2046 bchars; a space may not end the boundary. */
static int valid_boundary(const char *b, size_t n)
{
	if (n < 1 || n > MP_BOUNDARY_MAX || b[n - 1] == ' ')
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)b[i];

		if (!is_alnum(c) && !(c && strchr("'()+_,-./:=? ", c)))
			return 0;
	}
	return 1;
}

/* Valid UTF-8 (no overlongs, surrogates or code points past U+10FFFF) holding no C0, DEL or
 * C1 control character, NUL included. */
static int valid_text(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < n) {
		unsigned int c = s[i], cp, len;

		if (c < 0x80) {
			if (c < 0x20 || c == 0x7f)
				return 0;
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			len = 2;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			len = 3;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			len = 4;
			cp = c & 0x07;
		} else {
			return 0;
		}
		if (n - i < len)
			return 0;
		for (unsigned int k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp < 0xa0)
			return 0;
		i += len;
	}
	return 1;
}

static size_t skip_ows(const char *s, size_t n, size_t i)
{
	while (i < n && is_blank(s[i]))
		i++;
	return i;
}

/* One "; name=value" parameter; val is raw: a quoted value without its quotes, not unescaped. */
struct param {
	const char *name, *val;
	size_t nlen, vlen;
	int quoted;
};

/* Reads the parameter at s[*pos..n): 1 with *p filled, 0 at the end, -1 if malformed.
 * A trailing ';' is tolerated; blanks around ';' and '=' are skipped. */
static int next_param(const char *s, size_t n, size_t *pos, struct param *p)
{
	size_t i = skip_ows(s, n, *pos), start;

	if (i == n)
		return 0;
	if (s[i] != ';')
		return -1;
	i = skip_ows(s, n, i + 1);
	if (i == n)
		return 0;
	p->name = s + i;
	while (i < n && is_tchar((unsigned char)s[i]))
		i++;
	p->nlen = (size_t)(s + i - p->name);
	i = skip_ows(s, n, i);
	if (p->nlen == 0 || i == n || s[i] != '=')
		return -1;
	i = skip_ows(s, n, i + 1);
	if (i < n && s[i] == '"') {
		start = ++i;
		while (i < n && s[i] != '"')
			i += s[i] == '\\' && n - i > 1 ? 2 : 1;
		if (i >= n)
			return -1;
		p->quoted = 1;
		p->val = s + start;
		p->vlen = i - start;
		i++;
	} else {
		start = i;
		while (i < n && s[i] != ';' && !is_blank(s[i]) && s[i] != '"' && s[i] != '\\')
			i++;
		if (i == start)
			return -1;
		p->quoted = 0;
		p->val = s + start;
		p->vlen = i - start;
	}
	*pos = i;
	return 1;
}

int mp_boundary(const char *content_type, char *out, size_t outsz)
{
	static const char type[] = "multipart/form-data";
	const size_t tlen = sizeof(type) - 1;
	const char *b = NULL;
	size_t n, i, blen = 0;
	struct param p;
	int rc;

	if (out && outsz)
		out[0] = '\0';
	if (!content_type || !out)
		return MP_BAD_TYPE;
	n = strlen(content_type);
	i = skip_ows(content_type, n, 0);
	if (n - i < tlen || !ieq(content_type + i, tlen, type))
		return MP_BAD_TYPE;
	i += tlen;
	while ((rc = next_param(content_type, n, &i, &p)) > 0) {
		if (!ieq(p.name, p.nlen, "boundary"))
			continue;
		if (b)
			return MP_BAD_TYPE;
		b = p.val;
		blen = p.vlen;
	}
	if (rc < 0 || !b || !valid_boundary(b, blen) || blen >= outsz)
		return MP_BAD_TYPE;
	memcpy(out, b, blen);
	out[blen] = '\0';
	return MP_OK;
}

/* The first delimiter d[0..dlen) in s[0..n), or NULL. d starts with CR and holds no other. */
static const char *find_delim(const char *s, size_t n, const char *d, size_t dlen)
{
	size_t i = 0;

	while (n - i >= dlen) {
		const char *cr = memchr(s + i, '\r', n - i - dlen + 1);
		size_t k = 1;

		if (!cr)
			return NULL;
		i = (size_t)(cr - s);
		while (k < dlen && s[i + k] == d[k])
			k++;
		if (k == dlen)
			return s + i;
		/* s[i+1..i+k) matched d[1..k), which holds no CR: no delimiter starts there. */
		i += k;
	}
	return NULL;
}

/* A parameter value as a NUL-terminated arena string: a quoted one loses its quotes and
 * the backslash of \" and \\. A backslash before anything else stays, as browsers send
 * Windows paths unescaped (C:\fakepath\a.jpg); Go's mime package reads them the same way. */
static int param_value(struct arena *a, const struct param *p, char **out, size_t *len)
{
	char *d = arena_alloc(a, p->vlen + 1);
	size_t o = 0;

	if (!d)
		return MP_NOMEM;
	for (size_t i = 0; i < p->vlen; i++) {
		if (p->quoted && p->val[i] == '\\' && i + 1 < p->vlen &&
		    (p->val[i + 1] == '"' || p->val[i + 1] == '\\'))
			i++;
		d[o++] = p->val[i];
	}
	d[o] = '\0';
	*out = d;
	*len = o;
	return MP_OK;
}

/* An RFC 5987 ext-value, UTF-8''%E6%89%AB.jpg (any language tag), %-decoded. */
static int ext_value(struct arena *a, const struct param *p, char **out, size_t *len)
{
	const char *v = p->val, *q1, *q2;
	size_t n = p->vlen, o = 0;
	char *d;

	q1 = p->quoted ? NULL : memchr(v, '\'', n);
	if (!q1 || !ieq(v, (size_t)(q1 - v), "utf-8"))
		return MP_BAD;
	q2 = memchr(q1 + 1, '\'', n - (size_t)(q1 + 1 - v));
	if (!q2)
		return MP_BAD;
	for (const char *c = q1 + 1; c < q2; c++)
		if (!is_alnum((unsigned char)*c) && *c != '-')
			return MP_BAD;
	q2++;
	n -= (size_t)(q2 - v);
	d = arena_alloc(a, n + 1);
	if (!d)
		return MP_NOMEM;
	for (size_t i = 0; i < n; i++) {
		if (q2[i] == '%') {
			int hi, lo;

			if (n - i < 3)
				return MP_BAD;
			hi = decode_hex_digit((unsigned char)q2[i + 1]);
			lo = decode_hex_digit((unsigned char)q2[i + 2]);
			if (hi < 0 || lo < 0)
				return MP_BAD;
			d[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else {
			d[o++] = q2[i];
		}
	}
	d[o] = '\0';
	*out = d;
	*len = o;
	return MP_OK;
}

/* Checks a decoded filename and keeps what follows its last '/' or '\'. */
static int set_filename(struct mp_part *part, const char *f, size_t len)
{
	const char *base = f;

	if (!valid_text(f, len))
		return MP_BAD;
	for (size_t i = 0; i < len; i++)
		if (f[i] == '/' || f[i] == '\\')
			base = f + i + 1;
	if (strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		return MP_BAD;
	part->filename = base;
	return MP_OK;
}

/* Content-Disposition: form-data; name="x"[; filename="y"][; filename*=UTF-8''z] */
static int parse_disposition(struct arena *a, const char *s, size_t n, struct mp_part *part)
{
	struct param p, name = { 0 }, fn = { 0 }, fnx = { 0 }, *slot;
	size_t i = 0, len;
	char *v;
	int rc;

	while (i < n && s[i] != ';' && !is_blank(s[i]))
		i++;
	if (!ieq(s, i, "form-data"))
		return MP_BAD;
	while ((rc = next_param(s, n, &i, &p)) > 0) {
		if (ieq(p.name, p.nlen, "name"))
			slot = &name;
		else if (ieq(p.name, p.nlen, "filename"))
			slot = &fn;
		else if (ieq(p.name, p.nlen, "filename*"))
			slot = &fnx;
		else
			continue;
		if (slot->name)
			return MP_BAD;
		*slot = p;
	}
	if (rc < 0 || !name.name)
		return MP_BAD;
	rc = param_value(a, &name, &v, &len);
	if (rc)
		return rc;
	if (len == 0 || !valid_text(v, len))
		return MP_BAD;
	part->name = v;
	if (!fnx.name && !fn.name)
		return MP_OK;
	rc = fnx.name ? ext_value(a, &fnx, &v, &len) : param_value(a, &fn, &v, &len);
	if (rc)
		return rc;
	return set_filename(part, v, len);
}

/* One header line without its CRLF; keeps the values of the two headers we read. */
static int header_line(const char *s, size_t n, const char **cd, size_t *cdlen,
		       const char **ct, size_t *ctlen)
{
	size_t i = 0, v, e;

	/* A line opening with a blank is obs-fold (RFC 7230 3.2.4). */
	while (i < n && is_tchar((unsigned char)s[i]))
		i++;
	if (i == 0 || i == n || s[i] != ':')
		return MP_BAD;
	for (size_t k = i + 1; k < n; k++) {
		unsigned char c = (unsigned char)s[k];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return MP_BAD;
	}
	v = skip_ows(s, n, i + 1);
	e = n;
	while (e > v && is_blank(s[e - 1]))
		e--;
	if (ieq(s, i, "content-disposition")) {
		if (*cd)
			return MP_BAD;
		*cd = s + v;
		*cdlen = e - v;
	} else if (ieq(s, i, "content-type")) {
		if (*ct)
			return MP_BAD;
		*ct = s + v;
		*ctlen = e - v;
	}
	return MP_OK;
}

/* The headers of one part, s[0..n) starting at its first header line; *used is set past the
 * blank line that ends them. */
static int parse_headers(struct arena *a, const char *s, size_t n, struct mp_part *part,
			 size_t *used)
{
	const char *cd = NULL, *ct = NULL;
	size_t cdlen = 0, ctlen = 0, pos = 0, count = 0;
	int rc;

	part->name = part->filename = part->content_type = NULL;
	for (;;) {
		size_t room = MP_MAX_HEADER_BYTES - pos, len;
		const char *lf;

		if (n - pos >= 2 && s[pos] == '\r' && s[pos + 1] == '\n')
			break;
		if (count == MP_MAX_HEADERS)
			return MP_BAD;
		if (room > n - pos)
			room = n - pos;
		/* Not found: truncated, or past MP_MAX_HEADER_BYTES. */
		lf = memchr(s + pos, '\n', room);
		if (!lf)
			return MP_BAD;
		len = (size_t)(lf - (s + pos));
		if (len < 2 || s[pos + len - 1] != '\r')
			return MP_BAD;
		rc = header_line(s + pos, len - 1, &cd, &cdlen, &ct, &ctlen);
		if (rc)
			return rc;
		pos += len + 1;
		count++;
	}
	*used = pos + 2;
	if (!cd)
		return MP_BAD;
	rc = parse_disposition(a, cd, cdlen, part);
	if (rc)
		return rc;
	if (ct) {
		part->content_type = arena_strndup(a, ct, ctlen);
		if (!part->content_type)
			return MP_NOMEM;
	}
	return MP_OK;
}

static int split(struct arena *a, const char *body, size_t n, const char *delim, size_t dlen,
		 struct mp_part *parts, size_t max_parts, size_t *nparts)
{
	const char *hit;
	size_t pos, k = 0, used;
	int rc;

	/* The first delimiter may open the body without its CRLF. */
	if (n >= dlen - 2 && memcmp(body, delim + 2, dlen - 2) == 0) {
		pos = dlen - 2;
	} else {
		hit = find_delim(body, n, delim, dlen);
		if (!hit)
			return MP_BAD;
		pos = (size_t)(hit - body) + dlen;
	}
	/* pos is just past a delimiter. */
	for (;;) {
		if (n - pos >= 2 && body[pos] == '-' && body[pos + 1] == '-') {
			*nparts = k;
			return MP_OK;
		}
		pos = skip_ows(body, n, pos);
		if (n - pos < 2 || body[pos] != '\r' || body[pos + 1] != '\n')
			return MP_BAD;
		pos += 2;
		if (k == max_parts)
			return MP_TOO_MANY;
		rc = parse_headers(a, body + pos, n - pos, &parts[k], &used);
		if (rc)
			return rc;
		pos += used;
		hit = find_delim(body + pos, n - pos, delim, dlen);
		if (!hit)
			return MP_BAD;
		parts[k].data = body + pos;
		parts[k].len = (size_t)(hit - (body + pos));
		pos += parts[k].len + dlen;
		k++;
	}
}

int mp_parse(struct arena *a, const char *body, size_t n, const char *boundary,
	     struct mp_part *parts, size_t max_parts, size_t *nparts)
{
	char delim[4 + MP_BOUNDARY_MAX];
	size_t blen = 0;

	*nparts = 0;
	if (!boundary)
		return MP_BAD_TYPE;
	while (blen <= MP_BOUNDARY_MAX && boundary[blen])
		blen++;
	if (!valid_boundary(boundary, blen))
		return MP_BAD_TYPE;
	if (!body)
		return MP_BAD;
	memcpy(delim, "\r\n--", 4);
	memcpy(delim + 4, boundary, blen);
	return split(a, body, n, delim, blen + 4, parts, max_parts, nparts);
}
