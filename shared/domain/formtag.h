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
#define FORMTAG_FACE_PATH "/api/wizard/face" /* the letter's face-check QR (formtag_face_valid) */

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

/* The tag of the authorisation letter's face-check QR of order no (004: "法人授权委托书中所含二维码
 * 已绑定系统中订单号"): formtag_make with the purpose "face" in place of a form, so no form's
 * check tag opens the face check and no face tag passes as a form's. */
void formtag_face_make(const struct crypto_key *key, const char *no, char out[FORMTAG_LEN + 1]);

/* Whether t is the face-check tag of order no, in constant time. */
bool formtag_face_valid(const struct crypto_key *key, const char *no, const char *t);

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
