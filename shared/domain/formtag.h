/* formtag: the binding of a printed form to its order: the check tag, the QR's check URL, and
 * the reading of that URL back out of a scanned QR. */
#ifndef CERTHALL_FORMTAG_H
#define CERTHALL_FORMTAG_H

#include <stdbool.h>
#include <stddef.h>

#include "crypto/crypto.h"

#define FORMTAG_LEN 16       /* hex characters of the tag */
#define FORMTAG_NO_LEN 18    /* an order number */
#define FORMTAG_PATH "/api/wizard/forms/check"

/* The forms the hall prints: "application", "authorisation" and "seal" (the seal sample
 * sheet). */
bool formtag_is_form(const char *s);

/* The zh-CN name of a form formtag_is_form accepts ("数字证书申请表", ...), else "". */
const char *formtag_form_name(const char *form);

/* The tag of form for order no: the first FORMTAG_LEN hex characters of a keyed hash of
 * "<no>|<form>" (purpose "form-tag"). out is NUL-terminated. */
void formtag_make(const struct crypto_key *key, const char *no, const char *form,
		  char out[FORMTAG_LEN + 1]);

/* Whether t is a well-formed tag and the right one for (no, form), in constant time. */
bool formtag_valid(const struct crypto_key *key, const char *no, const char *form, const char *t);

/* What a QR payload names, when it is a check URL of ours:
 * "<any base>/api/wizard/forms/check?no=<18 digits>&form=<form>&t=<16 hex>" (the parameters in
 * any order, nothing else after the path). */
struct formtag_ref {
	char no[FORMTAG_NO_LEN + 1];
	char form[16];
	char tag[FORMTAG_LEN + 1];
};

/* Parses a decoded payload of n bytes (not NUL-terminated, any bytes). Returns 0 with ref
 * filled when it has the shape above (the tag is not checked here), else -1. */
int formtag_parse(const char *payload, size_t n, struct formtag_ref *ref);

#endif
