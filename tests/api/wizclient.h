/* wizclient: the wizard API tests' helpers: fixtures in the stack's database (certificates a
 * CA issued outside the hall), valid data for every step, and an applicant's way through
 * verification, uploads, signing and payment, so each test states only what it changes. */
#ifndef CERTHALL_WIZCLIENT_H
#define CERTHALL_WIZCLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "apiclient.h"
#include "crypto/cert.h"

struct arena;
struct conf;
struct crypto_key;
struct db;

/* A test's own way into the stack: its config (CERTHALL_CONF, with the secrets), the PII key
 * when k is not NULL, an arena and a database connection. Returns 0, or -1 (said on stderr). */
int wiz_open(struct conf *c, struct crypto_key *k, struct db *d, struct arena *a);

/* Closes what wiz_open opened. */
void wiz_close(struct db *d, struct arena *a);

/* A valid resident ID (GB 11643) of someone born in 1985, random otherwise. */
void wiz_random_id(char out[19]);

/* A random serial of 16 upper-case hex characters. */
void wiz_random_serial(char out[17]);

/* Inserts a certificate issued to subject (a USCC or an ID number) in channel, bound to the
 * account whose login_name is login (NULL: bound to none, found by subject only).
 * not_after_days and first_issued_days are relative to today (China time). */
void wiz_fixture_cert(const char *login, const char *subject, const char *channel,
		      const char *kind, const char *serial, int not_after_days,
		      int first_issued_days, bool has_seal);

/* Runs one SQL statement against the stack's database (fixtures, clocks moved back). */
void wiz_sql(const char *sql);

/* POST /api/track/order for order no and the last four digits tail, the look-up counters
 * cleared first (an earlier test may have used this minute's allowance up). A worker that has
 * just seen the limit reached trusts that for the rest of the second (domain/ratelimit.h): a
 * 429 is asked again once, in the next second. */
void wiz_track(const char *no, const char *tail, struct api_resp *r);

/* The first column of the first row of a query into out ("" for none, "NULL" for NULL). */
void wiz_sql_value(const char *sql, char *out, size_t outsz);

/* Fills the live slot of a sliding or hall-day limit (shared/domain/ratelimit.h: span seconds,
 * or RATELIMIT_DAY) to hits, as if its mobile, account or address had been asking all along:
 * the limit's refusal tested without asking hits times. */
void wiz_fill_slot(const char *bucket, int span, int hits);

/* Deletes the sliding and hall-day counters whose bucket is LIKE like ("code:%"). */
void wiz_forget_slots(const char *like);

/* POST /api/wizard/orders; asserts 201 and writes the order number. extra: more JSON members
 * (",\"cert_serial\":\"...\"") or NULL. */
void wiz_create(struct api_client *c, const char *channel, const char *business,
		const char *kind, const char *extra, char no[19]);

/* PUT /api/wizard/orders/<no>/steps/<step> with json; the answer in r. */
void wiz_put(struct api_client *c, const char *no, const char *step, const char *json,
	     struct api_resp *r);

/* Valid JSON for a data step, for an organisation named org_name; mobile is used for every
 * mobile field (the handler's, the legal representative's). method: the verification method
 * of enterprise / handler steps (NULL: lr_mobile / mobile). Returns a static buffer. */
const char *wiz_step_json(const char *step, const char *org_name, const char *mobile,
			  const char *method);

/* The same; id_number (NULL: random) is the applicant step's ID number, which a person
 * order's must be the one it was created with. */
const char *wiz_step_json_id(const char *step, const char *org_name, const char *mobile,
			     const char *method, const char *id_number);

struct wiz_opts {
	const char *id_number;         /* the applicant step's ID (NULL: random) */
	const char *enterprise_method; /* NULL: lr_mobile if the channel offers it, else its first */
	const char *handler_method;    /* NULL: mobile if the channel offers it, else its first */
	const char *account_no;        /* the financial step's account (NULL: a fixed demo one) */
};

/* Saves every data step the order's plan has (GET /api/wizard/orders/<no> "steps") with
 * wiz_step_json; asserts each 200. */
void wiz_fill(struct api_client *c, const char *no, const char *org_name, const char *mobile);
void wiz_fill_opts(struct api_client *c, const char *no, const char *org_name, const char *mobile,
		   const struct wiz_opts *opts);

/* GET /api/wizard/orders/<no>; the state into state (at least 32 bytes) if not NULL. */
void wiz_order(struct api_client *c, const char *no, char *state, struct api_resp *r);

/* Forgets the stack's SMS-code rate limits: the tests register many accounts from one address
 * and ask for many codes. */
void wiz_clear_code_limits(void);

/* api_register_org, then wiz_clear_code_limits. */
void wiz_register_org(struct api_client *c, char uscc[19], char mobile[12]);

/* The organisation logged in on c proves its USCC as an applicant does (issue 20): a draft
 * for a new certificate at bjca-zycg, its steps for org_name (the account's name) and handler
 * mobile, the enterprise check passed at the sandbox; the draft is then cancelled. Until then
 * the account reaches only certificates bound to it, not those issued to its USCC. */
void wiz_prove_org(struct api_client *c, const char *org_name, const char *mobile);

/* Registers a fresh person (password Passw0rd-1, mobile random) and logs c in; then
 * wiz_clear_code_limits. */
void wiz_register_person(struct api_client *c, char mobile[12]);

/* A random 19-digit corporate account number, so that the sandbox's bank statement of it
 * holds only the transfers of one test. */
void wiz_random_account(char out[20]);

/* ---- verification, materials and signing, as an applicant goes through them */

/* POST .../verify/<subject> and sees it through the sandbox gateway: a check that passes at
 * once; a face check, completed as passed by the person at the gateway; a transfer check,
 * confirmed with the memo off the sandbox's bank statement of account_no (the financial
 * step's account; NULL for the other methods). Asserts the check passed. */
void wiz_verify(struct api_client *c, const char *no, const char *subject, const char *account_no);

/* The memo of the newest transfer to account on the sandbox's bank statement ("" none). */
void wiz_statement_memo(const char *account, char memo[16]);

/* wiz_verify of every subject the order needs: the enterprise when its plan has that step
 * and the order is not mail-in, then the handler. */
void wiz_verify_plan(struct api_client *c, const char *no, const char *account_no);

/* A browser's multipart upload of a legible JPEG scan (made once per stack) as material
 * kind; the printed forms (application_form, authorisation_letter) as a stamped scan of the
 * order's own form (wiz_form_scan). The answer in r. */
/* The order's printed form ("application" or "authorisation") as a 1000 x 1414 BMP scan: the
 * QR the wizard prints on it (read off the page; drawn from the same URL when the order's
 * steps are not done and no page prints), text blocks, and a red seal when sealed.
 * malloc'd; *len its size. */
unsigned char *wiz_form_scan(struct api_client *c, const char *no, const char *form, bool sealed,
			     size_t *len);

/* The same page before it is written (tests/data/scanforge.h), to be cut, blurred, ... */
struct forge_page;
void wiz_form_page(struct api_client *c, const char *no, const char *form, bool sealed,
		   struct forge_page *pg);

void wiz_upload_scan(struct api_client *c, const char *no, const char *kind, struct api_resp *r);

/* Uploads the scan for every material in the order's materials_missing; asserts each 201
 * and that nothing is missing afterwards. */
void wiz_upload_missing(struct api_client *c, const char *no);

/* POST .../sign/code (asserts 200, the mobile shown masked only) and reads the code off the
 * sandbox gateway's messages to mobile (the handler's). It forgets the code limits first
 * (tests sign many orders from one address), unless wiz_keep_code_limits(true): a test of
 * the limits themselves. */
void wiz_keep_code_limits(bool keep);
void wiz_sign_code(struct api_client *c, const char *no, const char *mobile, char code[7]);

/* POST .../<tail> ("/sign" or "/resubmit") with {"code": code}; the answer in r. */
void wiz_sign_with(struct api_client *c, const char *no, const char *tail, const char *code,
		   struct api_resp *r);

/* A code and the signing with it; asserts 200 and that the order is now in state want. */
void wiz_sign(struct api_client *c, const char *no, const char *mobile, const char *want);

/* ---- payment through the sandbox provider */

/* POST .../pay {"method"}; the answer in r. */
void wiz_pay(struct api_client *c, const char *no, const char *method, struct api_resp *r);

/* wiz_pay of a QR method; asserts 201 and copies the payment's number. */
void wiz_pay_qr(struct api_client *c, const char *no, const char *method, char pay_no[25]);

/* The payer pays at the sandbox (POST /sandbox/pay/orders/<pay_no>/complete, notification
 * delivered); asserts the hall took the notification as paid. */
void wiz_pay_complete(const char *pay_no);

/* ---- the key made: the sandbox token (what a CA's token tool does, with OpenSSL) */

/* A token's key: *key_out when key_out and *key_out are not NULL (the same key again), else a
 * fresh key of kind (into *key_out when key_out is not NULL; the caller frees it); and its
 * PKCS#10 request for C=CN, O=org (NULL: none), CN=cn, as the "made" step's members:
 * ',"csr":"<PEM>","token_serial":"<serial>","pin":WIZ_TOKEN_PIN', malloc'd (the caller frees it). The token's
 * serial (16 of 0-9A-F, fresh) into serial when not NULL. */
/* The PIN wiz_token_made's token tool sets (the made step sends it by SMS). */
#define WIZ_TOKEN_PIN "13579024"

char *wiz_token_made(enum cert_key kind, const char *cn, const char *org, EVP_PKEY **key_out,
		     char serial[17]);

/* A string member of o, "" when absent or not a string. */
const char *wiz_str(json_t *o, const char *k);

/* Whether the array of strings a holds code. */
bool wiz_listed(json_t *a, const char *code);

/* The order's version as staff read it in its detail. */
long long wiz_staff_version(struct api_client *staff, const char *no);

/* A staff POST /api/review/orders/<no>/<action> at the order's current version (read from its
 * detail), the body's other members in more (",\"k\":v...", or NULL). */
void wiz_staff_call(struct api_client *staff, const char *no, const char *action,
		    const char *more, struct api_resp *r);

/* The made step's members for order no as staff (shipping) read its detail: a sandbox token's
 * RSA request naming the detail's made_names (cn, and o when given), as wiz_token_made
 * (free()); NULL when the detail names none. */
char *wiz_made_members(struct api_client *staff, const char *no);

/* Runs a shell command: its exit status, its output (stdout and stderr) into out (cut at
 * outsz). */
int wiz_run(const char *cmd, char *out, size_t outsz);

/* Writes n bytes of p to path (created or truncated); fails the test when it cannot. */
void wiz_write_file(const char *path, const void *p, size_t n);

/* `openssl verify` of the certificate pem against the stack's chain <chain_dir>/chain.pem
 * (chain_dir under the stack: "ca/rsa"), and with the CRL crl_der (len bytes) when it is not
 * NULL: `-crl_check`. Its exit status; its output into out. */
int wiz_openssl_verify(const char *chain_dir, const char *pem, const unsigned char *crl_der,
		       size_t crl_len, char *out, size_t outsz);

#endif
