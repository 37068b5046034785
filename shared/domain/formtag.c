/* formtag: the tag that binds a printed form to its order, and the QR payload that carries it. */
#include "domain/formtag.h"

#include <stdio.h>
#include <string.h>

#include "domain/orderno.h"

static const struct {
	const char *form, *name;
} forms[] = {
	{ "application", "数字证书申请表" },
	{ "authorisation", "法定代表人授权委托书" },
	{ "seal", "电子印章采样表" },
};

bool formtag_is_form(const char *s)
{
	return *formtag_form_name(s) != '\0';
}

const char *formtag_form_name(const char *form)
{
	for (size_t i = 0; form && i < sizeof(forms) / sizeof(forms[0]); i++)
		if (strcmp(form, forms[i].form) == 0)
			return forms[i].name;
	return "";
}

void formtag_make(const struct crypto_key *key, const char *no, const char *form,
		  char out[FORMTAG_LEN + 1])
{
	char what[64], hex[2 * CRYPTO_SHA256_LEN + 1];
	int n = snprintf(what, sizeof(what), "%s|%s", no, form);

	if (n < 0 || (size_t)n >= sizeof(what))
		n = 0; /* callers pass checked values; a cut input must not match a real tag */
	crypto_index_hex(key, "form-tag", what, (size_t)n, hex);
	memcpy(out, hex, FORMTAG_LEN);
	out[FORMTAG_LEN] = '\0';
}

static bool is_tag(const char *s, size_t n)
{
	return n == FORMTAG_LEN && strspn(s, "0123456789abcdef") >= FORMTAG_LEN;
}

static bool tag_ok(const struct crypto_key *key, const char *no, const char *purpose, const char *t)
{
	char want[FORMTAG_LEN + 1];

	if (!no || !orderno_valid(no) || !t || !is_tag(t, strlen(t)))
		return false;
	formtag_make(key, no, purpose, want);
	return crypto_equal(want, t, FORMTAG_LEN);
}

bool formtag_valid(const struct crypto_key *key, const char *no, const char *form, const char *t)
{
	return formtag_is_form(form) && tag_ok(key, no, form, t);
}

void formtag_face_make(const struct crypto_key *key, const char *no, char out[FORMTAG_LEN + 1])
{
	formtag_make(key, no, "face", out);
}

bool formtag_face_valid(const struct crypto_key *key, const char *no, const char *t)
{
	return tag_ok(key, no, "face", t);
}

/* Copies the value of one parameter into dst (size cap) when it fits and holds only allowed. */
static int take(const char *v, size_t n, const char *allowed, char *dst, size_t cap)
{
	if (n == 0 || n >= cap)
		return -1;
	for (size_t i = 0; i < n; i++) /* v is not NUL-terminated: no strspn */
		if (v[i] == '\0' || !strchr(allowed, v[i]))
			return -1;
	memcpy(dst, v, n);
	dst[n] = '\0';
	return 0;
}

int formtag_parse(const char *payload, size_t n, struct formtag_ref *ref)
{
	static const char path[] = FORMTAG_PATH "?";
	const size_t plen = sizeof(path) - 1;
	const char *q = NULL, *end = payload + n;
	int seen = 0, bad = 0;

	memset(ref, 0, sizeof(*ref));
	if (!payload || n < plen || n > 700)
		return -1;
	/* The base is whatever public_url was when the form was printed: only the path counts. */
	for (const char *p = payload; p + plen <= end; p++) {
		if (memcmp(p, path, plen) == 0) {
			q = p + plen;
			break;
		}
	}
	if (!q)
		return -1;
	/* Exactly the three parameters, once each, and nothing else (not even an empty one). */
	while (!bad) {
		const char *amp = memchr(q, '&', (size_t)(end - q)), *stop = amp ? amp : end;
		const char *eq = memchr(q, '=', (size_t)(stop - q));
		size_t klen, vlen;
		int rc = -1;

		if (!eq) {
			bad = 1;
			break;
		}
		klen = (size_t)(eq - q);
		vlen = (size_t)(stop - eq - 1);
		if (klen == 2 && memcmp(q, "no", 2) == 0 && !(seen & 1)) {
			rc = take(eq + 1, vlen, "0123456789", ref->no, sizeof(ref->no));
			seen |= 1;
		} else if (klen == 4 && memcmp(q, "form", 4) == 0 && !(seen & 2)) {
			rc = take(eq + 1, vlen, "abcdefghijklmnopqrstuvwxyz", ref->form, sizeof(ref->form));
			seen |= 2;
		} else if (klen == 1 && q[0] == 't' && !(seen & 4)) {
			rc = take(eq + 1, vlen, "0123456789abcdef", ref->tag, sizeof(ref->tag));
			seen |= 4;
		}
		bad = rc != 0;
		if (!amp)
			break;
		q = amp + 1;
	}
	if (bad || seen != 7 || strlen(ref->no) != FORMTAG_NO_LEN || !formtag_is_form(ref->form) ||
	    strlen(ref->tag) != FORMTAG_LEN) {
		memset(ref, 0, sizeof(*ref));
		return -1;
	}
	return 0;
}
