/* auth: cookie sessions (only token hashes stored), CSRF checks, role checks. */
#include "web/auth.h"

#include <stdlib.h>
#include <string.h>

#include "web/app.h"
#include "crypto/crypto.h"
#include "base/log.h"

static const char sql_session[] =
	"SELECT s.id, s.subject_type, s.subject_id, s.csrf_token, "
	"TIMESTAMPDIFF(SECOND, s.last_seen, NOW(3)), s.expires_at > NOW(3), "
	"COALESCE(a.disabled, st.disabled, 1), st.role, "
	"COALESCE(TIMESTAMPDIFF(SECOND, s.factor_at, NOW(3)), -1) "
	"FROM sessions s "
	"LEFT JOIN accounts a ON s.subject_type = 'account' AND a.id = s.subject_id "
	"LEFT JOIN staff st ON s.subject_type = 'staff' AND st.id = s.subject_id "
	"WHERE s.token_hash = ?";
static const char sql_touch[] = "UPDATE sessions SET last_seen = NOW(3) WHERE id = ?";
static const char sql_delete[] = "DELETE FROM sessions WHERE id = ?";
static const char sql_delete_token[] = "DELETE FROM sessions WHERE token_hash = ?";
static const char sql_insert[] =
	"INSERT INTO sessions (token_hash, subject_type, subject_id, csrf_token, created_at, "
	"last_seen, expires_at, client_addr) VALUES (?, ?, ?, ?, NOW(3), NOW(3), "
	"NOW(3) + INTERVAL ? SECOND, ?)";
static const char sql_others[] =
	"DELETE FROM sessions WHERE subject_type = ? AND subject_id = ? AND id <> ?";
static const char sql_prune[] = "DELETE FROM sessions WHERE expires_at < NOW(3) LIMIT 1000";

static const char sql_factor[] =
	"UPDATE sessions SET factor_at = NOW(3), factor_kind = ? WHERE id = ?";

enum { S_ID, S_TYPE, S_SUBJECT, S_CSRF, S_IDLE, S_LIVE, S_DISABLED, S_ROLE, S_FACTOR_AGE };

static const struct {
	const char *name;
	unsigned bit;
} roles[] = {
	{ "reviewer", ROLE_REVIEWER },
	{ "finance", ROLE_FINANCE },
	{ "shipping", ROLE_SHIPPING },
	{ "admin", ROLE_ADMIN },
};

unsigned auth_role_bit(const char *role)
{
	for (size_t i = 0; role && i < sizeof(roles) / sizeof(roles[0]); i++)
		if (strcmp(roles[i].name, role) == 0)
			return roles[i].bit;
	return 0;
}

static bool is_hex64(const char *s)
{
	return s && strlen(s) == 64 && strspn(s, "0123456789abcdef") == 64;
}

/* The session token the client presents, or NULL. The header is bounded by nginx (8 KiB), so
 * a generous pair limit costs little; a site that shares the host (a PHP application) may set
 * many cookies of its own. Two session cookies (one planted with a narrower path) are refused
 * rather than guessed between. */
static const char *presented_token(struct req *r)
{
	struct kvlist cookies;
	const char *t = NULL;

	if (!r->cookie || decode_cookies(r->arena, r->cookie, strlen(r->cookie), 1024, &cookies))
		return NULL;
	for (size_t i = 0; i < cookies.n; i++) {
		if (strcmp(cookies.items[i].name, AUTH_COOKIE) != 0)
			continue;
		if (t)
			return NULL;
		t = cookies.items[i].value;
	}
	return is_hex64(t) ? t : NULL;
}

int auth_session(struct req *r)
{
	struct db *db = &r->app->db;
	const struct conf *c = &r->app->conf;
	char hash[2 * CRYPTO_SHA256_LEN + 1];
	const char *tok, *type;
	struct db_rows s;
	unsigned char dice = 0;
	int rc;

	if (r->auth.loaded)
		return r->auth.kind == AUTH_NONE ? 1 : 0;
	r->auth.loaded = true;
	r->auth.kind = AUTH_NONE;
	tok = presented_token(r);
	if (!tok)
		return 1;
	crypto_sha256_hex(tok, 64, hash);
	rc = db_query(db, r->arena, sql_session, DB_ARGS(DB_STR(hash)), &s);
	if (rc != DB_OK) {
		r->auth.loaded = false;
		return app_db_error(r, rc);
	}
	if (s.nrows != 1)
		return 1;
	if (strtol(db_cell(&s, 0, S_IDLE), NULL, 10) > c->session_idle ||
	    strcmp(db_cell(&s, 0, S_LIVE), "1") != 0 || strcmp(db_cell(&s, 0, S_DISABLED), "0") != 0) {
		db_exec(db, sql_delete, DB_ARGS(DB_STR(db_cell(&s, 0, S_ID))), NULL, NULL);
		return 1;
	}
	type = db_cell(&s, 0, S_TYPE);
	r->auth.session_id = strtoll(db_cell(&s, 0, S_ID), NULL, 10);
	r->auth.id = strtoll(db_cell(&s, 0, S_SUBJECT), NULL, 10);
	r->auth.factor_age = strtol(db_cell(&s, 0, S_FACTOR_AGE), NULL, 10);
	if (strcmp(type, "staff") == 0) {
		r->auth.kind = AUTH_STAFF;
		r->auth.roles = auth_role_bit(db_cell(&s, 0, S_ROLE));
	} else {
		r->auth.kind = AUTH_ACCOUNT;
		r->auth.roles = ROLE_APPLICANT;
	}
	snprintf(r->auth.csrf, sizeof(r->auth.csrf), "%s", db_cell(&s, 0, S_CSRF));
	/* last_seen is written at most once a minute: most requests stay read-only. */
	if (strtol(db_cell(&s, 0, S_IDLE), NULL, 10) >= 60)
		db_exec(db, sql_touch, DB_ARGS(DB_I64(r->auth.session_id)), NULL, NULL);
	if (crypto_random(&dice, 1) == 0 && dice == 0)
		db_exec(db, sql_prune, DB_NOARGS, NULL, NULL);
	return 0;
}

static bool unsafe_method(const char *m)
{
	return strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0 && strcmp(m, "OPTIONS") != 0;
}

int auth_check_origin(struct req *r)
{
	const char *site, *origin, *host;
	char want[320];

	if (!unsafe_method(r->method))
		return 0;
	site = req_param(r, "HTTP_SEC_FETCH_SITE");
	if (site && strcmp(site, "same-origin") != 0 && strcmp(site, "none") != 0)
		return resp_error(r, ERR_CSRF, NULL, NULL);
	origin = req_param(r, "HTTP_ORIGIN");
	if (!origin)
		return 0;
	host = req_param(r, "HTTP_HOST");
	snprintf(want, sizeof(want), "%s://%s", r->https ? "https" : "http", host ? host : "");
	if (!host || strcmp(origin, want) != 0)
		return resp_error(r, ERR_CSRF, NULL, NULL);
	return 0;
}

bool auth_has_role(const struct req *r, unsigned want)
{
	return (r->auth.roles & want) || ((r->auth.roles & ROLE_ADMIN) && (want & ROLE_STAFF));
}

int auth_require(struct req *r, unsigned want)
{
	const char *tok;
	int rc = auth_session(r);

	if (rc < 0)
		return -1;
	if (rc == 1)
		return resp_error(r, ERR_NOT_LOGGED_IN, NULL, NULL);
	if (!auth_has_role(r, want))
		return resp_error(r, ERR_FORBIDDEN, NULL, NULL);
	/* A phished password must reach no queue and no decision: the factor is checked here,
	 * for every staff handler, not by each handler itself. */
	if (r->auth.kind == AUTH_STAFF && auth_factor_required(r)) {
		if (r->auth.factor_age < 0 && !(r->route_flags & AUTH_ROUTE_PASSWORD_ONLY))
			return resp_error(r, ERR_FACTOR_REQUIRED, NULL, NULL);
		if ((r->route_flags & AUTH_ROUTE_FRESH) &&
		    (r->auth.factor_age < 0 || r->auth.factor_age > r->app->conf.staff_factor_fresh))
			return resp_error(r, ERR_FACTOR_STALE, NULL, NULL);
	}
	/* The Origin check has run already: app.c makes it for every request. */
	if (unsafe_method(r->method)) {
		tok = req_param(r, "HTTP_X_CSRF_TOKEN");
		if (!is_hex64(tok) || !crypto_equal(tok, r->auth.csrf, 64))
			return resp_error(r, ERR_CSRF, NULL, NULL);
	}
	return 0;
}

static int set_cookies(struct req *r, const char *token, const char *csrf, int max_age)
{
	const char *secure = r->https ? "; Secure" : "";
	char *a = arena_printf(r->arena, "%s=%s; Path=/; Max-Age=%d; HttpOnly; SameSite=Strict%s",
			       AUTH_COOKIE, token, max_age, secure);
	/* Readable by the pages' script, which echoes it in X-CSRF-Token. */
	char *b = arena_printf(r->arena, "%s=%s; Path=/; Max-Age=%d; SameSite=Strict%s",
			       AUTH_CSRF_COOKIE, csrf, max_age, secure);

	if (!a || !b || resp_header(r, "Set-Cookie", a) < 0 || resp_header(r, "Set-Cookie", b) < 0)
		return -1;
	return resp_header(r, "Cache-Control", "no-store");
}

int auth_login(struct req *r, int kind, long long id, unsigned role_bits)
{
	struct db *db = &r->app->db;
	char token[65], csrf[65], hash[65];
	const char *old = presented_token(r);
	int rc;

	if (old) {
		crypto_sha256_hex(old, 64, hash);
		db_exec(db, sql_delete_token, DB_ARGS(DB_STR(hash)), NULL, NULL);
	}
	if (crypto_token_hex(token, sizeof(token), 32) < 0 || crypto_token_hex(csrf, sizeof(csrf), 32) < 0)
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	crypto_sha256_hex(token, 64, hash);
	rc = db_exec(db, sql_insert,
		     DB_ARGS(DB_STR(hash), DB_STR(kind == AUTH_STAFF ? "staff" : "account"), DB_I64(id),
			     DB_STR(csrf), DB_I64(r->app->conf.session_absolute), DB_STR(r->remote_addr)),
		     NULL, (unsigned long long *)&r->auth.session_id);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	r->auth.loaded = true;
	r->auth.kind = kind;
	r->auth.id = id;
	r->auth.roles = role_bits;
	r->auth.factor_age = -1;
	memcpy(r->auth.csrf, csrf, sizeof(csrf));
	if (set_cookies(r, token, csrf, r->app->conf.session_absolute) < 0)
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	return 0;
}

bool auth_factor_required(const struct req *r)
{
	return strcmp(r->app->conf.staff_second_factor, "off") != 0;
}

int auth_factor_passed(struct req *r, const char *kind)
{
	int rc = db_exec(&r->app->db, sql_factor, DB_ARGS(DB_STR(kind), DB_I64(r->auth.session_id)),
			 NULL, NULL);

	if (rc != DB_OK)
		return app_db_error(r, rc);
	r->auth.factor_age = 0;
	return 0;
}

int auth_logout(struct req *r)
{
	int rc = DB_OK;

	if (r->auth.kind != AUTH_NONE)
		rc = db_exec(&r->app->db, sql_delete, DB_ARGS(DB_I64(r->auth.session_id)), NULL, NULL);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	r->auth.kind = AUTH_NONE;
	return set_cookies(r, "", "", 0) < 0 ? resp_error(r, ERR_INTERNAL, NULL, NULL) : 0;
}

int auth_end_others(struct req *r, int kind, long long id)
{
	int rc = db_exec(&r->app->db, sql_others,
			 DB_ARGS(DB_STR(kind == AUTH_STAFF ? "staff" : "account"), DB_I64(id),
				 DB_I64(r->auth.kind == kind && r->auth.id == id ? r->auth.session_id : 0)),
			 NULL, NULL);

	return rc == DB_OK ? 0 : app_db_error(r, rc);
}
