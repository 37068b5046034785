/* verify: identity checks of an organisation and of people at a third party (DOMAIN.md
 * "The wizard" steps 2 and 3), over the signed JSON of shared/ext/provider.h. */
#ifndef CERTHALL_VERIFY_H
#define CERTHALL_VERIFY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "ext/provider.h"

/*
 * The protocol. A real gateway and the sandbox (fcgi-apps/sandbox/verify.c) both speak it;
 * every request carries X-Certhall-Timestamp and X-Certhall-Signature (provider.h) under
 * [verify] secret, GET signs the empty body.
 *
 * Check:    POST <endpoint>/checks
 *             {"ref": "<ours>", "method": "<method>", "name", "id_number", "mobile",
 *              "bank_card", "org_name", "uscc"}       (only the elements the method needs)
 *           200 {"ref", "state": "passed" | "failed" | "pending", "message", "link"}
 *           A repeated ref is the same check: the gateway answers its current state.
 * Query:    GET <endpoint>/checks/<ref>               200, the same object
 * Transfer: POST <endpoint>/transfers
 *             {"ref", "account_name", "account_no", "bank", "amount_fen": 1, "memo": "123456"}
 *           200 {"ref", "state": "sent" | "failed", "message"}
 *           The gateway pays 0.01 yuan to the account with the memo on the bank statement;
 *           the applicant reads it there and types it back (003: 打款备注). A repeated ref is
 *           the same transfer (paid once; the gateway answers its state): a send whose answer
 *           was lost is sent again with its ref, and must not pay twice.
 * Credit:   GET <endpoint>/transfers/<ref>
 *           200 {"ref", "state": "sent" | "credited" | "failed", "message"}
 *           Whether the transfer reached the account: the receiving bank credits it, or
 *           returns it (a wrong account: 收款行退回). 001 asks after its approval's transfer,
 *           whose memo carries the certificate's PIN (shared/domain/fincheck.h).
 *
 * Elements by method (enterprise: the legal representative; handler: the handler):
 *   lr_mobile, mobile   name, id_number, mobile                (3 elements)
 *   lr_card, card       name, id_number, bank_card, mobile     (4 elements)
 *   lr_face, face       name, id_number, mobile (where the link may go)
 *   transfer            account_name, account_no, bank, memo   (a transfer, not a check)
 * An enterprise check also names the organisation (org_name, uscc): the gateway confirms the
 * person is its registered legal representative.
 *
 * "pending": a face check waits for the person to open "link" (sent by SMS or shown as a QR
 * code) and pass the liveness check; the state is then read with a query. Any other answer
 * (no answer in time, refused connection, a status other than 200, a body without a known
 * state) is VERIFY_UNAVAILABLE: the caller records nothing and the applicant tries again.
 */

#define VERIFY_OK 0
#define VERIFY_UNAVAILABLE (-1)

#define VERIFY_REF_BYTES 16          /* random bytes of our ref: 32 hex characters */
#define VERIFY_MEMO_LEN 6            /* digits of a transfer memo code */
#define VERIFY_MESSAGE_CHARS 200     /* verifications.message */
#define VERIFY_LINK_MAX 500          /* verifications.link, bytes (ASCII) */

enum verify_state { VERIFY_PENDING, VERIFY_PASSED, VERIFY_FAILED };

/* What is checked; members a method does not need may be NULL. */
struct verify_check {
	const char *subject;  /* "enterprise" | "handler" */
	const char *method;   /* transfer, lr_mobile, lr_card, lr_face | mobile, card, face */
	const char *name, *id_number, *mobile, *bank_card;
	const char *org_name, *uscc;
	const char *account_name, *account_no, *bank, *memo;
	const char *ref;
};

struct verify_result {
	enum verify_state state;
	char message[4 * VERIFY_MESSAGE_CHARS + 1]; /* UTF-8, cut on a code point boundary */
	char link[VERIFY_LINK_MAX + 1];             /* "" unless a pending face check has one */
};

/* The provider of [verify] in conf (endpoint, secret, timeout). */
struct conf;
void verify_provider(const struct conf *c, struct provider *out);

/* Whether method belongs to subject ("enterprise" or "handler"). */
bool verify_method_known(const char *subject, const char *method);

/* The zh-CN name of a method ("法定代表人手机号三要素核验"), NULL for an unknown one. */
const char *verify_method_name(const char *method);

/* A face method: the answer is pending until the person has been in front of a camera. */
bool verify_method_face(const char *method);

/* The first element the method needs that c lacks or that is malformed (the wrong number of
 * digits, a resident ID whose check digit fails, a mobile that is not one), as its member
 * name ("id_number"); NULL when c is complete. Nothing is sent before this passes. */
const char *verify_missing(const struct verify_check *c);

/* The request body of c: the check, or the transfer for method "transfer". NULL on an unknown
 * method or no memory. The caller decrefs. */
json_t *verify_request(const struct verify_check *c);

/* Reads a gateway answer (HTTP status, parsed body) into out. transfer: the answer of
 * /transfers ("sent" is VERIFY_PENDING: the memo is still to be typed). Returns VERIFY_OK, or
 * VERIFY_UNAVAILABLE with a reason in err for anything but a well-formed 200 answer. */
int verify_parse(long status, json_t *answer, bool transfer, struct verify_result *out,
		 char *err, size_t errsz);

/* Starts c at the gateway: POST /checks, or /transfers for method "transfer". c->ref must be
 * set (a fresh crypto_token_hex of VERIFY_REF_BYTES). Returns VERIFY_OK with out filled, or
 * VERIFY_UNAVAILABLE with err. */
int verify_start(const struct provider *p, const struct verify_check *c,
		 struct verify_result *out, char *err, size_t errsz);

/* Asks the gateway whether the transfer started with ref was credited: out->state
 * VERIFY_PASSED credited, VERIFY_FAILED returned by the bank, VERIFY_PENDING not yet. Same
 * returns. */
int verify_transfer_query(const struct provider *p, const char *ref, struct verify_result *out,
			  char *err, size_t errsz);

/* Asks the gateway for the state of a check started with ref. Same returns. */
int verify_query(const struct provider *p, const char *ref, struct verify_result *out,
		 char *err, size_t errsz);

#endif
