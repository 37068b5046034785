/* verify: identity checks at a third party: what each method sends, and what comes back. */
#include "ext/verify.h"

#include <stdio.h>
#include <string.h>

#include "base/conf.h"
#include "ext/http.h"
#include "base/valid.h"

/* The elements a method needs (verify.h, "Elements by method"). */
enum {
	E_NAME = 1 << 0,
	E_ID = 1 << 1,
	E_MOBILE = 1 << 2,
	E_CARD = 1 << 3,
	E_ORG = 1 << 4,
	E_TRANSFER = 1 << 5,
	E_MOBILE_OPT = 1 << 6, /* sent when there is one */
};

static const struct method {
	const char *code, *subject, *zh;
	unsigned elements;
} methods[] = {
	{ "transfer", "enterprise", "对公账户打款验证", E_TRANSFER },
	{ "lr_mobile", "enterprise", "法定代表人手机号三要素核验", E_NAME | E_ID | E_MOBILE | E_ORG },
	{ "lr_card", "enterprise", "法定代表人银行卡四要素核验",
	  E_NAME | E_ID | E_CARD | E_MOBILE | E_ORG },
	{ "lr_face", "enterprise", "法定代表人人脸识别", E_NAME | E_ID | E_MOBILE_OPT | E_ORG },
	{ "mobile", "handler", "经办人手机号实名核验", E_NAME | E_ID | E_MOBILE },
	{ "card", "handler", "经办人银行卡核验", E_NAME | E_ID | E_CARD | E_MOBILE },
	{ "face", "handler", "经办人人脸识别", E_NAME | E_ID | E_MOBILE_OPT },
};

static const struct method *find(const char *code)
{
	for (size_t i = 0; code && i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strcmp(methods[i].code, code) == 0)
			return &methods[i];
	return NULL;
}

void verify_provider(const struct conf *c, struct provider *out)
{
	out->name = "verify";
	out->endpoint = c->verify_endpoint;
	out->secret = c->verify_secret;
	out->timeout_ms = c->verify_timeout_ms;
}

bool verify_method_known(const char *subject, const char *method)
{
	const struct method *m = find(method);

	return m && subject && strcmp(m->subject, subject) == 0;
}

const char *verify_method_name(const char *method)
{
	const struct method *m = find(method);

	return m ? m->zh : NULL;
}

bool verify_method_face(const char *method)
{
	const struct method *m = find(method);

	return m && (m->elements & E_MOBILE_OPT);
}

static bool digits(const char *s, size_t min, size_t max)
{
	size_t n = s ? strlen(s) : 0;

	return n >= min && n <= max && strspn(s, "0123456789") == n;
}

static bool text(const char *s, size_t max_chars)
{
	return s && s[0] && valid_text(s, strlen(s), max_chars);
}

static bool mobile_ok(const char *s)
{
	char bare[12];

	return s && valid_mobile(s, bare);
}

const char *verify_missing(const struct verify_check *c)
{
	const struct method *m = find(c->method);
	unsigned e;

	if (!m)
		return "method";
	e = m->elements;
	if ((e & E_ORG) && !text(c->org_name, 100))
		return "org_name";
	if ((e & E_ORG) && !(c->uscc && valid_uscc(c->uscc)))
		return "uscc";
	if ((e & E_NAME) && !text(c->name, 30))
		return "name";
	if ((e & E_ID) && !(c->id_number && valid_resident_id(c->id_number)))
		return "id_number";
	if ((e & E_CARD) && !digits(c->bank_card, 12, 19))
		return "bank_card";
	if ((e & E_MOBILE) && !mobile_ok(c->mobile))
		return "mobile";
	if ((e & E_MOBILE_OPT) && c->mobile && c->mobile[0] && !mobile_ok(c->mobile))
		return "mobile";
	if (e & E_TRANSFER) {
		if (!text(c->account_name, 100))
			return "account_name";
		if (!digits(c->account_no, 6, 32))
			return "account_no";
		if (!text(c->bank, 100))
			return "bank";
		if (!digits(c->memo, VERIFY_MEMO_LEN, VERIFY_MEMO_LEN))
			return "memo";
	}
	return NULL;
}

/* Adds name: value; returns false on no memory. */
static bool put(json_t *o, const char *name, const char *value)
{
	return json_object_set_new(o, name, json_string(value)) == 0;
}

json_t *verify_request(const struct verify_check *c)
{
	const struct method *m = find(c->method);
	json_t *o = json_object();
	char bare[12];
	bool ok;
	unsigned e;

	if (!m || !o || !c->ref) {
		json_decref(o);
		return NULL;
	}
	e = m->elements;
	ok = put(o, "ref", c->ref);
	if (e & E_TRANSFER) {
		ok = ok && put(o, "account_name", c->account_name) &&
		     put(o, "account_no", c->account_no) && put(o, "bank", c->bank) &&
		     json_object_set_new(o, "amount_fen", json_integer(1)) == 0 &&
		     put(o, "memo", c->memo);
		goto out;
	}
	ok = ok && put(o, "method", c->method);
	if (e & E_ORG)
		ok = ok && put(o, "org_name", c->org_name) && put(o, "uscc", c->uscc);
	if (e & E_NAME)
		ok = ok && put(o, "name", c->name);
	if (e & E_ID)
		ok = ok && put(o, "id_number", c->id_number);
	if (e & E_CARD)
		ok = ok && put(o, "bank_card", c->bank_card);
	/* The gateway gets the bare 11 digits whatever the applicant typed (+86 ...). */
	if ((e & (E_MOBILE | E_MOBILE_OPT)) && c->mobile && valid_mobile(c->mobile, bare))
		ok = ok && put(o, "mobile", bare);
out:
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* Copies s into out (outsz bytes) whole code points at a time, at most max_chars of them;
 * control characters become spaces (the text is shown to people and written to logs). */
static void copy_text(const char *s, char *out, size_t outsz, size_t max_chars)
{
	size_t o = 0, chars = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p && chars < max_chars;) {
		size_t n = *p < 0x80 ? 1 : (*p >> 5) == 6 ? 2 : (*p >> 4) == 14 ? 3 : 4;

		if (o + n >= outsz)
			break;
		if (n == 1)
			out[o] = (*p < 0x20 || *p == 0x7f) ? ' ' : (char)*p;
		else
			for (size_t i = 0; i < n; i++) {
				/* jansson hands out well-formed UTF-8; a cut sequence ends the copy. */
				if (!p[i])
					goto end;
				out[o + i] = (char)p[i];
			}
		o += n;
		p += n;
		chars++;
	}
end:
	out[o] = '\0';
}

/* A link the applicant may open or scan: http(s), printable ASCII without blanks or quotes. */
static bool link_ok(const char *s)
{
	size_t n = strlen(s);

	if (n > VERIFY_LINK_MAX ||
	    (strncmp(s, "https://", 8) != 0 && strncmp(s, "http://", 7) != 0))
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] <= 0x20 || s[i] >= 0x7f || strchr("\"'<>\\`", s[i]))
			return false;
	return true;
}

/* What an answer is to: a check, a transfer's start, or the query of its credit. */
enum mode { M_CHECK, M_TRANSFER, M_CREDIT };

static int parse(long status, json_t *answer, enum mode mode, struct verify_result *out,
		 char *err, size_t errsz);

int verify_parse(long status, json_t *answer, bool transfer, struct verify_result *out,
		 char *err, size_t errsz)
{
	return parse(status, answer, transfer ? M_TRANSFER : M_CHECK, out, err, errsz);
}

static int parse(long status, json_t *answer, enum mode mode, struct verify_result *out,
		 char *err, size_t errsz)
{
	bool transfer = mode != M_CHECK;
	const char *state, *message, *link;

	memset(out, 0, sizeof(*out));
	if (status != 200 || !json_is_object(answer)) {
		snprintf(err, errsz, "verify: HTTP %ld%s", status,
			 answer ? "" : " without a JSON object");
		return VERIFY_UNAVAILABLE;
	}
	state = json_string_value(json_object_get(answer, "state"));
	if (!state)
		state = "";
	if (strcmp(state, "failed") == 0)
		out->state = VERIFY_FAILED;
	else if (transfer && strcmp(state, "sent") == 0)
		out->state = VERIFY_PENDING;
	else if (mode == M_CREDIT && strcmp(state, "credited") == 0)
		out->state = VERIFY_PASSED;
	else if (!transfer && strcmp(state, "passed") == 0)
		out->state = VERIFY_PASSED;
	else if (!transfer && strcmp(state, "pending") == 0)
		out->state = VERIFY_PENDING;
	else {
		snprintf(err, errsz, "verify: unknown state in the answer");
		return VERIFY_UNAVAILABLE;
	}
	message = json_string_value(json_object_get(answer, "message"));
	copy_text(message ? message : "", out->message, sizeof(out->message),
		  VERIFY_MESSAGE_CHARS);
	link = json_string_value(json_object_get(answer, "link"));
	if (out->state == VERIFY_PENDING && link && link_ok(link))
		snprintf(out->link, sizeof(out->link), "%s", link);
	return VERIFY_OK;
}

/* One exchange. The answer must name ref: the signature covers our request, not the answer,
 * so an answer that does not say which check it is about is not taken for ours. */
static int call(const struct provider *p, const char *method, const char *path, json_t *body,
		enum mode mode, const char *ref, struct verify_result *out, char *err, size_t errsz)
{
	json_t *answer = NULL;
	const char *got;
	long status = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = provider_call(p, method, path, body, &status, &answer, err, errsz);
	if (rc != HTTP_OK)
		return VERIFY_UNAVAILABLE;
	rc = parse(status, answer, mode, out, err, errsz);
	got = json_string_value(json_object_get(answer, "ref"));
	if (rc == VERIFY_OK && (!got || strcmp(got, ref) != 0)) {
		snprintf(err, errsz, got ? "verify: the answer is about another ref"
					 : "verify: the answer names no ref");
		rc = VERIFY_UNAVAILABLE;
	}
	json_decref(answer);
	return rc;
}

static bool ref_ok(const char *ref)
{
	size_t n = ref ? strlen(ref) : 0;

	return n >= 16 && n <= 64 && strspn(ref, "0123456789abcdef") == n;
}

int verify_start(const struct provider *p, const struct verify_check *c,
		 struct verify_result *out, char *err, size_t errsz)
{
	bool transfer = c->method && strcmp(c->method, "transfer") == 0;
	json_t *body;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!ref_ok(c->ref) || verify_missing(c)) {
		snprintf(err, errsz, "verify: incomplete check");
		return VERIFY_UNAVAILABLE;
	}
	body = verify_request(c);
	if (!body) {
		snprintf(err, errsz, "verify: no memory");
		return VERIFY_UNAVAILABLE;
	}
	rc = call(p, "POST", transfer ? "/transfers" : "/checks", body,
		  transfer ? M_TRANSFER : M_CHECK, c->ref, out, err, errsz);
	json_decref(body);
	return rc;
}

/* GET <collection>/<ref>: a check's or a transfer's state. */
static int query(const struct provider *p, const char *collection, enum mode mode,
		 const char *ref, struct verify_result *out, char *err, size_t errsz)
{
	char path[80];

	memset(out, 0, sizeof(*out));
	if (!ref_ok(ref)) {
		snprintf(err, errsz, "verify: bad ref");
		return VERIFY_UNAVAILABLE;
	}
	snprintf(path, sizeof(path), "%s/%s", collection, ref);
	return call(p, "GET", path, NULL, mode, ref, out, err, errsz);
}

int verify_query(const struct provider *p, const char *ref, struct verify_result *out,
		 char *err, size_t errsz)
{
	return query(p, "/checks", M_CHECK, ref, out, err, errsz);
}

int verify_transfer_query(const struct provider *p, const char *ref, struct verify_result *out,
			  char *err, size_t errsz)
{
	return query(p, "/transfers", M_CREDIT, ref, out, err, errsz);
}
