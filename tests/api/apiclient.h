/* apiclient: the API tests' HTTP client for the live throwaway stack (CERTHALL_URL). */
#ifndef CERTHALL_APICLIENT_H
#define CERTHALL_APICLIENT_H

#include <jansson.h>
#include <stddef.h>

#include "base/conf.h"

struct api_resp {
	long status;
	char *body;
	size_t len;
	char *headers;   /* raw response headers */
	json_t *json;    /* NULL when the body is not JSON */
};

/* One request to CERTHALL_URL + path. content_type and extra_header (one "Name: value")
 * may be NULL. Fails the test on a transport error. */
void api_request(const char *method, const char *path, const char *content_type,
		 const char *body, size_t len, const char *extra_header, struct api_resp *out);

/* The same with any number of extra headers (NULL-terminated list of "Name: value"). */
void api_request_h(const char *method, const char *path, const char *content_type,
		   const char *body, size_t len, const char *const *headers, struct api_resp *out);

/* The value a Set-Cookie of the answer gives cookie `name` (maybe empty), or NULL. */
const char *api_set_cookie(const struct api_resp *r, const char *name, char *out, size_t outsz);

/* POST of a JSON text with Content-Type application/json. */
void api_post_json(const char *path, const char *json, struct api_resp *out);

void api_get(const char *path, struct api_resp *out);

void api_free(struct api_resp *r);

/* The whole time a request may take before it fails the test (a transport error); 0: the
 * default, 20 s. */
void api_timeout_ms(long ms);

/* The loopback address the following requests come from ("127.0.0.7": an office or an
 * abuser of its own, whose per-address counters no other test touches; nginx's per-address
 * zones count it, as they count every address but 127.0.0.1); NULL or "": the default. */
void api_source(const char *addr);

/* error.code of the JSON error envelope, or NULL. error.field likewise. */
const char *api_error_code(const struct api_resp *r);
const char *api_error_field(const struct api_resp *r);

/* The value of a response header (case-insensitive name) into out, or NULL. */
const char *api_header(const struct api_resp *r, const char *name, char *out, size_t outsz);

/* A path under the stack directory (CERTHALL_STACK) into out. */
const char *api_stack_path(const char *rel, char *out, size_t outsz);

/* The certhall-admin of this build (CERTHALL_ADMIN; make SAN=1 sets build-san's), or
 * build/bin/certhall-admin. */
const char *api_admin(void);

/* Asserts the answer is a JSON error envelope with this status and code, carrying a
 * non-empty message and the request id. */
void api_expect_error(const struct api_resp *r, long status, const char *code);

/* A browser: its session cookie and the CSRF token it echoes. */
struct api_client {
	char session[100];
	char csrf[100];
};

/* A request as that browser (c may be NULL): its cookie and CSRF token go along, the
 * cookies the answer sets are kept. json NULL: no body. extra: one more header or NULL. */
void api_call(struct api_client *c, const char *method, const char *path, const char *json,
	      const char *extra, struct api_resp *r);

/* The same with a body of any type: len bytes of content_type (NULL: none). */
void api_call_raw(struct api_client *c, const char *method, const char *path,
		  const char *content_type, const char *body, size_t len, const char *extra,
		  struct api_resp *r);

void api_random_mobile(char out[12]);

/* A valid USCC (independent GB 32100 / GB 11714 implementation). */
void api_random_uscc(char out[19]);

/* Messages the sandbox gateway holds for a number; the newest one's text into text if given. */
size_t api_sandbox_text(const char *mobile, char *text, size_t textsz);

/* Messages the sandbox gateway holds for a number; the newest code into last_code if given. */
size_t api_sandbox_count(const char *mobile, char *last_code);

void api_request_code(const char *mobile, const char *purpose, struct api_resp *r);

/* Asks for a code and reads it off the sandbox gateway. */
void api_get_code(const char *mobile, const char *purpose, char code[7]);

/* The whole of a file, malloc'd (the caller frees it); fails the test when it cannot be read. */
char *api_read_file(const char *path, size_t *len);

/* A browser's multipart upload to POST /api/upload/orders/<no>/materials/<kind>: one "file"
 * field of data, sent as filename with Content-Type type. c may be NULL (no session). */
void api_upload(struct api_client *c, const char *no, const char *kind, const char *data,
		size_t len, const char *filename, const char *type, struct api_resp *r);

/* Registers a fresh organisation (password Passw0rd-1) and logs c in. */
void api_register_org(struct api_client *c, char uscc[19], char mobile[12]);

/* Logs staff member `user` in as the console does: the password, then the second factor
 * (enrolled on the first login with TOTP, the secret kept in the stack's run/totp-<user>).
 * Fails the test on any refusal. */
void api_staff_login(struct api_client *c, const char *user, const char *pw);

/* A fresh code of the authenticator api_staff_login enrolled for user: the factor passes again. */
void api_staff_verify(struct api_client *c, const char *user);

/* Requests go to the stack's TLS server (tools/stack.sh: run/tls-port) presenting client
 * certificate tls/<cert>.pem ("" for none); NULL: back to plain CERTHALL_URL. */
void api_tls(const char *cert);

/* RFC 6238 (HMAC-SHA1, 30 s, 6 digits) code of a base32 secret at a time step, and now's step. */
void api_totp(const char *secret_b32, long long step, char out[7]);
long long api_totp_step_now(void);

/* The code of the first unused step within ±1 of now (waits when all three were taken), saved
 * as the last one used for user. Returns the step. */
long long api_totp_fresh(const char *user, const char *secret, long long last, char code[7]);

/* The stack's configuration (CERTHALL_CONF) with its secrets, for tests that call the
 * library's adapters themselves. Returns 0, or -1 with the reason on stderr. */
int api_conf_load(struct conf *c);

#endif
