/* ca: the certificate authority behind the hall, through EJBCA's REST API over mutual TLS:
 * issue from PKCS#10, re-issue, revoke with a reason, fetch the CRL. */
#ifndef CERTHALL_CA_H
#define CERTHALL_CA_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "base/conf.h"
#include "crypto/cert.h"

struct arena;

/*
 * What goes over the wire ([ca] endpoint E, e.g. https://ca.example/ejbca/ejbca-rest-api; every
 * request presents [ca] cert_file/key_file as its TLS client certificate, which is how EJBCA
 * knows an RA client, and checks the server against [ca] ca_file):
 *
 * Issue:  POST E/v1/certificate/pkcs10enroll   Content-Type: application/json
 *           {"certificate_request": "<PEM PKCS#10>", "certificate_profile_name": [ca] cert_profile,
 *            "end_entity_profile_name": [ca] ee_profile,
 *            "certificate_authority_name": [ca] rsa_ca_name | sm2_ca_name (by the key's kind),
 *            "username": "<the hall's end entity name>", "password": "<fresh random>",
 *            "include_chain": false}
 *         200/201 {"certificate": "<base64 DER>", "serial_number": "<hex>", "response_format": "DER"}
 * Revoke: PUT E/v1/certificate/<issuer DN, percent-encoded>/<serial hex>/revoke?reason=<NAME>
 *           (no body; NAME: KEY_COMPROMISE, CESSATION_OF_OPERATION, SUPERSEDED, ...)
 *         200 {"serial_number", "revocation_reason", "revoked": true, ...}
 *         409 already revoked (the outcome we wanted: CA_OK with already set); 404 unknown
 * CRL:    GET E/v1/ca/<issuer DN, percent-encoded>/getLatestCrl
 *         200 {"crl": "<base64 DER>", "response_format": "DER"}
 * Errors: {"error_code": <status>, "error_message": "..."}; a 4xx is CA_REFUSED (the CA will not
 * do it, asking again does not help), anything else CA_UNAVAILABLE (try later).
 *
 * Every answer is checked before it is believed: the certificate parses, carries the serial the
 * CA named, the key of the request and the issuer DN of [ca]; the CRL parses and is the issuer's.
 */

#define CA_OK 0
#define CA_REFUSED 1          /* the CA said no (4xx): err holds its message */
#define CA_UNAVAILABLE (-1)   /* no answer, 5xx, refused TLS, or an answer we cannot believe */

#define CA_USERNAME_MAX 64

/* RFC 5280 reason codes the hall revokes with, by EJBCA's names. */
enum ca_reason {
	CA_REASON_UNSPECIFIED = 0,
	CA_REASON_KEY_COMPROMISE = 1,
	CA_REASON_AFFILIATION_CHANGED = 3,
	CA_REASON_SUPERSEDED = 4,
	CA_REASON_CESSATION_OF_OPERATION = 5,
};

/* EJBCA's name of a reason ("KEY_COMPROMISE"), NULL for another value. */
const char *ca_reason_name(enum ca_reason reason);

/* A certificate the CA issued. */
struct ca_cert {
	char *pem;                 /* malloc'd; ca_cert_free releases it, or ca_cert_to_arena moves it */
	struct cert_info info;     /* serial, subject, issuer, validity, fingerprints */
};

void ca_cert_free(struct ca_cert *c);

/* Moves c's PEM into arena a (the malloc'd copy freed), so that it lives as long as the request
 * that holds c by value may use it and needs no cleanup: a cleanup deferred on a handler's stack
 * struct would run after the handler returned. Returns 0, or -1 with c freed. */
int ca_cert_to_arena(struct arena *a, struct ca_cert *c);

/* Issues a certificate for csr (PEM PKCS#10; its key RSA-2048+ or SM2 picks the issuing CA)
 * as end entity username (1 to CA_USERNAME_MAX of A-Z a-z 0-9 _ . -). Returns CA_OK with out
 * filled, CA_REFUSED or CA_UNAVAILABLE (err says why). */
int ca_issue(const struct conf *c, const char *csr, const char *username, struct ca_cert *out,
	     char *err, size_t errsz);

/* Re-issues for an end entity that holds a certificate: renewal with the same key (key_sha256:
 * the old certificate's, which the request must carry) or a change with a new subject
 * (key_sha256 NULL). The same enrolment on the wire; the key is checked before anything is
 * sent. Returns what ca_issue returns; CA_REFUSED when the request carries another key. */
int ca_reissue(const struct conf *c, const char *csr, const char *username,
	       const char *key_sha256, struct ca_cert *out, char *err, size_t errsz);

/* Revokes serial (hex) of the issuing CA of kind for reason. A certificate revoked already
 * is CA_OK (the outcome asked for), with *already set when already is not NULL. Returns CA_OK,
 * CA_REFUSED (unknown certificate, bad reason) or CA_UNAVAILABLE. */
int ca_revoke(const struct conf *c, enum cert_key kind, const char *serial, enum ca_reason reason,
	      int *already, char *err, size_t errsz);

/* Withdraws a certificate the CA issued that the hall then failed to record: revoked as
 * superseded, so that it is valid nowhere. Returns what ca_revoke returns. */
int ca_withdraw(const struct conf *c, const struct ca_cert *cert, char *err, size_t errsz);

/* The latest CRL of the issuing CA of kind as DER: *der malloc'd (the caller frees it), *len
 * its length. Returns CA_OK, CA_REFUSED or CA_UNAVAILABLE. */
int ca_crl(const struct conf *c, enum cert_key kind, unsigned char **der, size_t *len, char *err,
	   size_t errsz);

/* One certificate the CA's search found, checked before it is believed: its certificate parses,
 * carries the serial answered, and was issued by [ca] rsa_issuer_dn or sm2_issuer_dn. */
struct ca_found {
	struct cert_info info;
	const char *username;    /* its end entity ("certhall-…": the hall's own enrolments) */
	bool revoked;
	time_t revoked_at;
	int reason;              /* RFC 5280 code; -1 when not revoked */
};

/*
 * Every certificate the CA issued in [after, before) (Unix seconds), page by page:
 *   POST E/v2/certificate/search {"pagination": {"page_size", "current_page"},
 *        "criteria": [{"property": "ISSUED_DATE", "operation": "AFTER" | "BEFORE", "value"}]}
 *   200 {"certificates": [{"serialNumber", "username", "status", "revocationDate",
 *        "revocationReason", "base64Cert", ...}], "pagination_summary": {...}}
 * (EJBCA 8's v2 search; a page shorter than page_size is the last.) fn(arg, f) is called for
 * each; it returns 0 to go on, anything else stops the search with that value (make it neither
 * CA_REFUSED nor CA_UNAVAILABLE). Returns CA_OK, CA_REFUSED, CA_UNAVAILABLE (err says why), or
 * fn's value.
 */
int ca_search_issued(const struct conf *c, time_t after, time_t before,
		     int (*fn)(void *arg, const struct ca_found *f), void *arg, char *err,
		     size_t errsz);

/* The token's unblock response to challenge (002 证书解锁: the key tool shows a challenge, the
 * CA's token management answers with the code that resets the PIN, knowing the token's
 * security officer key). EJBCA's REST API has no such call: the CA's token management offers
 * it beside EJBCA's, under the same endpoint and client certificate:
 *   POST {endpoint}/v1/token/{token_serial}/unblock {"challenge"} -> {"response"}
 * (README, "Unlock"). The response (at most CA_UNBLOCK_MAX characters) into response. Returns
 * CA_OK, CA_REFUSED (not this token's challenge: err says why) or CA_UNAVAILABLE. */
#define CA_UNBLOCK_MAX 64
int ca_unblock(const struct conf *c, const char *token_serial, const char *challenge,
	       char response[CA_UNBLOCK_MAX + 1], char *err, size_t errsz);

#endif
