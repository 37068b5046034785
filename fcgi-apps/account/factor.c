/* account: the staff second factor: TOTP (RFC 6238, liboath) enrolled with a QR code, client
 * certificates that nginx verified, and an admin's reset of a lost factor. */
#include <liboath/oath.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "account.h"
#include "web/app.h"
#include "web/req.h"
#include "web/auth.h"
#include "crypto/crypto.h"
#include "media/qr.h"

/*
 * A staff member has at most one factor of each kind (staff_factors). A new TOTP secret is
 * "pending" until a first code proves the authenticator holds it. Enrolling needs a session:
 * while no factor is confirmed, the password session may enrol (trust on first use, recorded
 * in the audit trail); once one is, only a session whose factor passed may add the other kind,
 * and a lost factor is reset by an admin. Codes: ±1 step of 30 s, each step used once (the
 * UPDATE on last_step is the one check, so two requests with one code cannot both pass), and
 * wrong codes count against the login throttle of the staff member and the address.
 */

#define TOTP_STEP 30
#define TOTP_SECRET_LEN 20
#define AAD_SECRET "staff_factors.secret"

static const char sql_factors[] =
	"SELECT kind, secret_enc, cert_sha256, confirmed_at IS NOT NULL FROM staff_factors "
	"WHERE staff_id = ?";
static const char sql_username[] = "SELECT username FROM staff WHERE id = ?";
static const char sql_drop_pending[] =
	"DELETE FROM staff_factors WHERE staff_id = ? AND kind = 'totp' AND confirmed_at IS NULL";
static const char sql_add_totp[] =
	"INSERT INTO staff_factors (staff_id, kind, secret_enc, created_at) VALUES (?, 'totp', ?, NOW(3))";
static const char sql_confirm_totp[] =
	"UPDATE staff_factors SET confirmed_at = NOW(3), last_step = ? "
	"WHERE staff_id = ? AND kind = 'totp' AND confirmed_at IS NULL AND secret_enc = ?";
static const char sql_take_step[] =
	"UPDATE staff_factors SET last_step = ? WHERE staff_id = ? AND kind = 'totp' "
	"AND confirmed_at IS NOT NULL AND (last_step IS NULL OR last_step < ?)";
static const char sql_add_cert[] =
	"INSERT INTO staff_factors (staff_id, kind, cert_sha256, created_at, confirmed_at) "
	"VALUES (?, 'cert', ?, NOW(3), NOW(3))";
static const char sql_reset_target[] = "SELECT id FROM staff WHERE username = ?";
static const char sql_reset[] = "DELETE FROM staff_factors WHERE staff_id = ?";
static const char sql_reset_sessions[] =
	"DELETE FROM sessions WHERE subject_type = 'staff' AND subject_id = ?";
/* The review program's append-only trail (fcgi-apps/review/audit.c writes the same shape). */
static const char sql_audit[] =
	"INSERT INTO audit_log (at, staff_id, staff_username, staff_role, action, detail, remote_addr) "
	"SELECT NOW(3), s.id, s.username, s.role, ?, ?, ? FROM staff s WHERE s.id = ?";

enum { F_KIND, F_SECRET, F_CERT, F_CONFIRMED };

struct factors {
	struct db_rows rows;
	int totp;       /* row index of the TOTP factor, -1 */
	int cert;       /* row index of the certificate, -1 */
	bool confirmed; /* any factor confirmed */
};

static int load_factors(struct req *r, struct factors *f)
{
	int rc = db_query(&r->app->db, r->arena, sql_factors, DB_ARGS(DB_I64(r->auth.id)), &f->rows);

	if (rc != DB_OK)
		return app_db_error(r, rc);
	f->totp = f->cert = -1;
	f->confirmed = false;
	for (size_t i = 0; i < f->rows.nrows; i++) {
		bool ok = strcmp(db_cell(&f->rows, i, F_CONFIRMED), "1") == 0;

		if (strcmp(db_cell(&f->rows, i, F_KIND), "totp") == 0)
			f->totp = (int)i;
		else
			f->cert = (int)i;
		f->confirmed = f->confirmed || ok;
	}
	return 0;
}

static bool confirmed(const struct factors *f, int row)
{
	return row >= 0 && strcmp(db_cell(&f->rows, (size_t)row, F_CONFIRMED), "1") == 0;
}

static int audit(struct req *r, long long staff_id, const char *action, const char *detail)
{
	unsigned long long n = 0;
	int rc = db_exec(&r->app->db, sql_audit,
			 DB_ARGS(DB_STR(action), DB_STR(detail), DB_STR(r->remote_addr ? r->remote_addr : ""),
				 DB_I64(staff_id)),
			 &n, NULL);

	if (rc == DB_OK && n != 1)
		rc = DB_ERR;
	return rc == DB_OK ? 0 : app_db_error(r, rc);
}

/* ---- client certificates ---------------------------------------------------------------- */

/* The hex SHA-256 of the DER of the client certificate nginx verified for this request
 * (SSL_CLIENT_VERIFY = SUCCESS; SSL_CLIENT_CERT is $ssl_client_escaped_cert, the PEM
 * %-encoded), into out. Only nginx sets these params: a client's headers arrive as HTTP_*.
 * Returns true when there is one. */
static bool verified_cert(struct req *r, char out[65])
{
	const char *verify = req_param(r, "SSL_CLIENT_VERIFY");
	const char *esc = req_param(r, "SSL_CLIENT_CERT");
	unsigned char *der = NULL, md[CRYPTO_SHA256_LEN];
	char *pem;
	size_t n, o = 0;
	BIO *bio;
	X509 *x;
	int len;

	if (!verify || strcmp(verify, "SUCCESS") != 0 || !esc || !*esc)
		return false;
	n = strlen(esc);
	if (n > 16384 || !(pem = arena_alloc(r->arena, n + 1)))
		return false;
	for (size_t i = 0; i < n; i++) {
		int hi, lo;

		if (esc[i] == '%' && i + 2 < n && (hi = decode_hex_digit(esc[i + 1])) >= 0 &&
		    (lo = decode_hex_digit(esc[i + 2])) >= 0) {
			pem[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else {
			pem[o++] = esc[i];
		}
	}
	pem[o] = '\0';
	bio = BIO_new_mem_buf(pem, (int)o);
	x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
	BIO_free(bio);
	if (!x)
		return false;
	len = i2d_X509(x, &der);
	X509_free(x);
	if (len <= 0)
		return false;
	crypto_sha256(der, (size_t)len, md);
	OPENSSL_free(der);
	crypto_hex(md, sizeof(md), out);
	return true;
}

/* A verified certificate bound to this staff member: the factor passes. */
static bool cert_matches(struct req *r, const struct factors *f)
{
	char fp[65];

	return confirmed(f, f->cert) && verified_cert(r, fp) &&
	       crypto_equal(fp, db_cell(&f->rows, (size_t)f->cert, F_CERT), 64);
}

/* ---- TOTP ------------------------------------------------------------------------------- */

static int otp_equal(void *handle, const char *test_otp)
{
	return strlen(test_otp) == 6 && crypto_equal(handle, test_otp, 6) ? 0 : 1;
}

/* The time step (counter) whose code `code` is under the sealed secret, ±1 step of now;
 * -1 when none is. */
static long long totp_step(struct req *r, const char *sealed, size_t sealed_len, const char *code)
{
	static bool ready;
	unsigned char secret[TOTP_SECRET_LEN + 8];
	size_t len = 0;
	uint64_t counter = 0;
	int pos = 0, rc;

	if (!ready && oath_init() != OATH_OK)
		return -1;
	ready = true;
	if (crypto_open(&r->app->key, (const unsigned char *)sealed, sealed_len, AAD_SECRET, secret,
			sizeof(secret), &len) < 0)
		return -1;
	rc = oath_totp_validate3_callback((const char *)secret, len, time(NULL), TOTP_STEP,
					  OATH_TOTP_DEFAULT_START_TIME, 6, 1, &pos, &counter, otp_equal,
					  (void *)(uintptr_t)code);
	explicit_bzero(secret, sizeof(secret));
	return rc >= 0 ? (long long)counter : -1;
}

static bool is_code(const char *s)
{
	return strlen(s) == 6 && strspn(s, "0123456789") == 6;
}

struct factor_code_in {
	const char *code;
};

static const struct req_field code_fields[] = {
	{ "code", true, 6, is_code, "请输入认证器上显示的 6 位动态口令。",
	  offsetof(struct factor_code_in, code) },
};

/* {code}: required when `required`, or when the member is there at all (an empty code is a
 * wrong code, not a request to use the certificate). */
static int read_code(struct req *r, const char **code, bool required)
{
	struct factor_code_in in;
	json_t *body;

	*code = NULL;
	if (req_json(r, &body) < 0)
		return -1;
	if (!required && !json_object_get(body, "code"))
		return 0;
	if (REQ_FIELDS(r, body, code_fields, &in) < 0)
		return -1;
	*code = in.code;
	return 0;
}

/* Checks code against the secret of row `row`, under the throttle of failed logins. Returns
 * the step, or -1 (answered). */
static long long check_code(struct req *r, const struct factors *f, int row, const char *code,
			    struct login_attempt *at)
{
	char who[48];
	long long step;

	snprintf(who, sizeof(who), "totp/%lld", r->auth.id);
	if (account_attempt(r, who, at) < 0)
		return -1;
	step = totp_step(r, db_cell(&f->rows, (size_t)row, F_SECRET),
			 f->rows.len[(size_t)row * f->rows.ncols + F_SECRET], code);
	if (step < 0)
		return resp_error(r, ERR_TOTP_WRONG, "code", NULL);
	return step;
}

/* The factor's state for the pages: what is enrolled, and whether this session passed. */
json_t *staff_factor_json(struct req *r)
{
	const char *verify = req_param(r, "SSL_CLIENT_VERIFY");
	struct factors f;
	json_t *kinds;

	if (load_factors(r, &f) < 0)
		return NULL;
	kinds = json_array();
	if (confirmed(&f, f.totp))
		json_array_append_new(kinds, json_string("totp"));
	if (confirmed(&f, f.cert))
		json_array_append_new(kinds, json_string("cert"));
	return json_pack("{s:b, s:b, s:o, s:b, s:I, s:i}", "required", auth_factor_required(r),
			 "passed", r->auth.factor_age >= 0, "enrolled", kinds, "certificate_presented",
			 verify && strcmp(verify, "SUCCESS") == 0, "age", (json_int_t)r->auth.factor_age, "fresh_for", r->app->conf.staff_factor_fresh);
}

/* At staff login: a verified certificate bound to the member passes the factor at once. */
int staff_factor_at_login(struct req *r)
{
	struct factors f;

	if (load_factors(r, &f) < 0)
		return -1;
	return cert_matches(r, &f) ? auth_factor_passed(r, "cert") : 0;
}

static int answer_state(struct req *r, int status)
{
	json_t *st = staff_factor_json(r);

	if (!st)
		return -1;
	resp_json(r, status, json_pack("{s:o}", "factor", st));
	return 0;
}

/* POST /api/account/staff/factor/totp: a new secret, shown once as a QR code and as text. */
int staff_factor_totp(struct req *r)
{
	unsigned char secret[TOTP_SECRET_LEN], sealed[TOTP_SECRET_LEN + CRYPTO_SEAL_OVERHEAD];
	char *b32 = NULL, *uri;
	size_t b32len = 0, slen = 0;
	struct factors f;
	struct qr_svg qr;
	struct db_rows u;
	int rc;

	if (load_factors(r, &f) < 0)
		return -1;
	if (confirmed(&f, f.totp) || (f.confirmed && r->auth.factor_age < 0))
		return resp_error(r, ERR_FACTOR_ENROLLED, NULL, NULL);
	rc = db_query(&r->app->db, r->arena, sql_username, DB_ARGS(DB_I64(r->auth.id)), &u);
	if (rc != DB_OK || u.nrows != 1)
		return app_db_error(r, rc);
	if (crypto_random(secret, sizeof(secret)) < 0 ||
	    crypto_seal(&r->app->key, secret, sizeof(secret), AAD_SECRET, sealed, sizeof(sealed), &slen) < 0 ||
	    oath_base32_encode((const char *)secret, sizeof(secret), &b32, &b32len) != OATH_OK) {
		explicit_bzero(secret, sizeof(secret));
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	}
	explicit_bzero(secret, sizeof(secret));
	rc = db_exec(&r->app->db, sql_drop_pending, DB_ARGS(DB_I64(r->auth.id)), NULL, NULL);
	if (rc == DB_OK)
		rc = db_exec(&r->app->db, sql_add_totp, DB_ARGS(DB_I64(r->auth.id), DB_BLOB(sealed, slen)),
			     NULL, NULL);
	uri = arena_printf(r->arena, "otpauth://totp/certhall:%s?secret=%s&issuer=certhall&digits=6&period=%d",
			   db_cell(&u, 0, 0), b32, TOTP_STEP);
	if (rc != DB_OK || !uri || qr_svg(r->arena, uri, &qr) != QR_OK) {
		explicit_bzero(b32, b32len);
		free(b32);
		return rc == DB_DUP ? resp_error(r, ERR_CONFLICT, NULL, NULL)
				    : rc != DB_OK ? app_db_error(r, rc) : resp_error(r, ERR_INTERNAL, NULL, NULL);
	}
	resp_header(r, "Cache-Control", "no-store");
	resp_json(r, 201, json_pack("{s:s, s:s, s:s, s:i}", "secret", b32, "otpauth_uri", uri, "qr_svg",
				    qr.svg, "period", TOTP_STEP));
	explicit_bzero(b32, b32len);
	free(b32);
	return 0;
}

/* POST /api/account/staff/factor/totp/confirm {code}: the first code proves the enrolment. */
int staff_factor_totp_confirm(struct req *r)
{
	const char *code;
	struct factors f;
	struct login_attempt at;
	unsigned long long n = 0;
	long long step;
	int rc;

	if (read_code(r, &code, true) < 0 || load_factors(r, &f) < 0)
		return -1;
	if (confirmed(&f, f.totp))
		return resp_error(r, ERR_FACTOR_ENROLLED, NULL, NULL);
	if (f.totp < 0 || (f.confirmed && r->auth.factor_age < 0))
		return resp_error(r, ERR_CONFLICT, NULL, "请先获取新的动态口令二维码，再输入口令。");
	step = check_code(r, &f, f.totp, code, &at);
	if (step < 0)
		return -1;
	rc = db_exec(&r->app->db, sql_confirm_totp,
		     DB_ARGS(DB_I64(step), DB_I64(r->auth.id),
			     DB_BLOB(db_cell(&f.rows, (size_t)f.totp, F_SECRET),
				     f.rows.len[(size_t)f.totp * f.rows.ncols + F_SECRET])),
		     &n, NULL);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (n != 1)
		return resp_error(r, ERR_CONFLICT, NULL, NULL);
	account_attempt_ok(r, &at);
	if (audit(r, r->auth.id, "factor_enrolled", "totp") < 0 || auth_factor_passed(r, "totp") < 0)
		return -1;
	return answer_state(r, 200);
}

/* POST /api/account/staff/factor/verify {code}: a TOTP code, or (no code) the client
 * certificate of this connection; either makes the session's factor fresh. */
int staff_factor_verify(struct req *r)
{
	const char *code;
	struct factors f;
	struct login_attempt at;
	unsigned long long n = 0;
	long long step;
	int rc;

	if (read_code(r, &code, false) < 0 || load_factors(r, &f) < 0)
		return -1;
	if (!code) {
		if (!cert_matches(r, &f))
			return resp_error(r, ERR_CERT_MISSING, NULL, NULL);
		return auth_factor_passed(r, "cert") < 0 ? -1 : answer_state(r, 200);
	}
	if (!confirmed(&f, f.totp))
		return resp_error(r, ERR_CONFLICT, "code", "尚未绑定动态口令，请先完成绑定。");
	step = check_code(r, &f, f.totp, code, &at);
	if (step < 0)
		return -1;
	rc = db_exec(&r->app->db, sql_take_step, DB_ARGS(DB_I64(step), DB_I64(r->auth.id), DB_I64(step)),
		     &n, NULL);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (n != 1)
		return resp_error(r, ERR_TOTP_USED, "code", NULL); /* counts as a failed try */
	account_attempt_ok(r, &at);
	return auth_factor_passed(r, "totp") < 0 ? -1 : answer_state(r, 200);
}

/* POST /api/account/staff/factor/cert: binds the client certificate nginx verified on this
 * connection (the hall's staff CA issued it) to the member. */
int staff_factor_cert(struct req *r)
{
	struct factors f;
	char fp[65];
	int rc;

	if (load_factors(r, &f) < 0)
		return -1;
	if (confirmed(&f, f.cert) || (f.confirmed && r->auth.factor_age < 0))
		return resp_error(r, ERR_FACTOR_ENROLLED, NULL, NULL);
	if (!verified_cert(r, fp))
		return resp_error(r, ERR_CERT_MISSING, NULL, NULL);
	rc = db_exec(&r->app->db, sql_add_cert, DB_ARGS(DB_I64(r->auth.id), DB_STR(fp)), NULL, NULL);
	if (rc == DB_DUP)
		return resp_error(r, ERR_CONFLICT, NULL, "该证书已绑定到其他账号。");
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (audit(r, r->auth.id, "factor_enrolled", arena_printf(r->arena, "cert sha256:%s", fp)) < 0 ||
	    auth_factor_passed(r, "cert") < 0)
		return -1;
	return answer_state(r, 201);
}

static bool is_username(const char *s)
{
	size_t n = strlen(s);

	return n >= 2 && n <= 64 && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

struct reset {
	long long id, by;
	const char *detail, *addr;
};

static int reset_tx(struct db *db, void *ctx)
{
	const struct reset *x = ctx;
	int rc = db_exec(db, sql_reset, DB_ARGS(DB_I64(x->id)), NULL, NULL);

	if (rc == DB_OK && x->id != x->by)
		rc = db_exec(db, sql_reset_sessions, DB_ARGS(DB_I64(x->id)), NULL, NULL);
	if (rc == DB_OK)
		rc = db_exec(db, sql_audit, DB_ARGS(DB_STR("factor_reset"), DB_STR(x->detail),
						    DB_STR(x->addr), DB_I64(x->by)), NULL, NULL);
	return rc;
}

struct factor_reset_in {
	const char *username;
};

static const struct req_field reset_fields[] = {
	{ "username", true, 64, is_username, "请输入要重置的工号。",
	  offsetof(struct factor_reset_in, username) },
};

/* POST /api/account/staff/factor/reset {username} (admin, fresh factor): a lost factor is
 * removed, the member's sessions end, and the trail records who did it. */
int staff_factor_reset(struct req *r)
{
	struct factor_reset_in in;
	struct reset x = { .by = r->auth.id };
	struct db_rows t;
	json_t *body;
	int rc;

	if (req_json(r, &body) < 0 || REQ_FIELDS(r, body, reset_fields, &in) < 0)
		return -1;
	rc = db_query(&r->app->db, r->arena, sql_reset_target, DB_ARGS(DB_STR(in.username)), &t);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (t.nrows != 1)
		return resp_error(r, ERR_NOT_FOUND, "username", "没有该工号的员工。");
	x.id = strtoll(db_cell(&t, 0, 0), NULL, 10);
	x.by = r->auth.id;
	x.detail = arena_printf(r->arena, "staff %s", in.username);
	x.addr = r->remote_addr ? r->remote_addr : "";
	if (!x.detail)
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	rc = db_tx(&r->app->db, reset_tx, &x);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	resp_json(r, 200, json_pack("{s:s, s:b}", "username", in.username, "reset", 1));
	return 0;
}
