/* sandbox: EJBCA's v2 certificate search, the subset `import-certs --from-ca` asks for. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include "sandbox.h"

/*
 * POST /ejbca/ejbca-rest-api/v2/certificate/search (mutual TLS, as every CA call)
 *      {"pagination": {"page_size": 1..PAGE_MAX, "current_page": 1..},
 *       "criteria": [{"property": "ISSUED_DATE", "operation": "AFTER" | "BEFORE",
 *                     "value": "YYYY-MM-DDTHH:MM:SSZ"},
 *                    {"property": "STATUS", "operation": "EQUAL",
 *                     "value": "CERT_ACTIVE" | "CERT_REVOKED"}, ...]}
 *      200 {"certificates": [{"serialNumber", "issuerDN", "subjectDN", "username", "status"
 *            (20 active, 40 revoked), "notBefore", "expireDate", "revocationDate" (ms, -1),
 *            "revocationReason" (-1 or the RFC 5280 code), "base64Cert"}, ...],
 *           "pagination_summary": {"page_size", "current_page", "total_certs" (on the last page)}}
 * EJBCA's other properties (QUERY, profiles, CA, EXPIRE_DATE, ...) are refused here with 400
 * rather than ignored: a search that drops a criterion answers more than was asked. Ordered by
 * issue time then serial, so that pages do not overlap while nothing new is issued between
 * them (the caller bounds ISSUED_DATE BEFORE for that).
 */

#define PAGE_MAX 1000
#define STATUS_ACTIVE 20 /* EJBCA's CertificateConstants */
#define STATUS_REVOKED 40

static const char sql_page[] =
	"SELECT serial, username, der, UNIX_TIMESTAMP(revoked_at), COALESCE(reason, -1) "
	"FROM sandbox_ca_certs WHERE issued_at >= FROM_UNIXTIME(?) AND issued_at < FROM_UNIXTIME(?) "
	"AND (? = 0 OR (? = 1) = (revoked_at IS NULL)) "
	"ORDER BY issued_at, ca_name, serial LIMIT ? OFFSET ?";

struct search {
	long long after, before; /* Unix seconds: issued_at in [after, before) */
	int status;              /* 0 any, 1 active, 2 revoked */
	long long page_size, page;
};

/* "YYYY-MM-DDTHH:MM:SSZ" as Unix seconds; -1 when it is not one. */
static long long iso_utc(const char *s)
{
	struct tm tm = { 0 }, back;
	char z = 0;
	int n = 0;
	time_t t;

	if (s == NULL || strlen(s) != 20 ||
	    sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%c%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
		   &tm.tm_min, &tm.tm_sec, &z, &n) != 7 || n != 20 || z != 'Z' || s[4] != '-' ||
	    tm.tm_year < 1970)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	back = tm;
	t = timegm(&tm);
	/* timegm normalises 02-31 into March: a date it had to move was not a date. */
	if (t == (time_t)-1 || tm.tm_mday != back.tm_mday || tm.tm_mon != back.tm_mon ||
	    tm.tm_hour != back.tm_hour || tm.tm_min != back.tm_min || tm.tm_sec != back.tm_sec)
		return -1;
	return (long long)t;
}

static bool eq(const char *a, const char *b)
{
	return a != NULL && strcmp(a, b) == 0;
}

/* The request's criteria into s; NULL, or EJBCA's message for what it refuses. */
static const char *read_search(json_t *body, struct search *s)
{
	json_t *pg = json_object_get(body, "pagination"), *crit = json_object_get(body, "criteria");
	json_t *size = json_object_get(pg, "page_size"), *cur = json_object_get(pg, "current_page");
	json_t *c;
	size_t i;

	*s = (struct search){ .after = 0, .before = 253402300799LL };
	if (!json_is_integer(size) || !json_is_integer(cur) || json_integer_value(size) < 1 ||
	    json_integer_value(size) > PAGE_MAX || json_integer_value(cur) < 1 ||
	    json_integer_value(cur) > 1000000)
		return "Invalid pagination: page_size 1 to 1000, current_page from 1";
	s->page_size = json_integer_value(size);
	s->page = json_integer_value(cur);
	if (!json_is_array(crit) || json_array_size(crit) == 0 || json_array_size(crit) > 8)
		return "Malformed request.";
	json_array_foreach(crit, i, c) {
		const char *prop = json_string_value(json_object_get(c, "property"));
		const char *op = json_string_value(json_object_get(c, "operation"));
		const char *v = json_string_value(json_object_get(c, "value"));

		if (eq(prop, "ISSUED_DATE") && (eq(op, "AFTER") || eq(op, "BEFORE"))) {
			long long t = iso_utc(v);

			if (t < 0)
				return "Invalid ISSUED_DATE value: an ISO 8601 date YYYY-MM-DDTHH:MM:SSZ";
			*(eq(op, "AFTER") ? &s->after : &s->before) = t;
		} else if (eq(prop, "STATUS") && eq(op, "EQUAL") &&
			   (eq(v, "CERT_ACTIVE") || eq(v, "CERT_REVOKED"))) {
			s->status = eq(v, "CERT_ACTIVE") ? 1 : 2;
		} else {
			return "Malformed request.";
		}
	}
	return NULL;
}

/* One row as EJBCA's CertificateRestResponseV2; NULL when its DER cannot be read. */
static json_t *row_json(const struct db_rows *rows, size_t i)
{
	const unsigned char *p = (const unsigned char *)db_cell(rows, i, 2);
	unsigned long n = rows->len[i * rows->ncols + 2];
	const char *revoked = db_cell(rows, i, 3);
	struct cert_info info;
	X509 *x = p != NULL ? d2i_X509(NULL, &p, (long)n) : NULL;
	char *b64 = NULL;
	json_t *j = NULL;

	if (x == NULL || cert_info_of(x, &info) < 0 ||
	    (b64 = cert_b64_encode((const unsigned char *)db_cell(rows, i, 2), n)) == NULL)
		goto out;
	j = json_pack("{s:s, s:s, s:s, s:s, s:i, s:I, s:I, s:I, s:i, s:s}", "serialNumber",
		      db_cell(rows, i, 0), "issuerDN", info.issuer, "subjectDN", info.subject,
		      "username", db_cell(rows, i, 1), "status",
		      revoked != NULL ? STATUS_REVOKED : STATUS_ACTIVE, "notBefore",
		      (json_int_t)info.not_before * 1000, "expireDate",
		      (json_int_t)info.not_after * 1000, "revocationDate",
		      revoked != NULL ? (json_int_t)strtoll(revoked, NULL, 10) * 1000 : -1,
		      "revocationReason", revoked != NULL ? (int)strtol(db_cell(rows, i, 4), NULL, 10) : -1,
		      "base64Cert", b64);
out:
	free(b64);
	X509_free(x);
	ERR_clear_error();
	return j;
}

int sandbox_ca_search(struct req *r)
{
	struct search s;
	struct db_rows rows;
	json_t *body, *list, *summary;
	const char *why;
	int rc;

	if (sandbox_ca_client_known(r) < 0 || sandbox_ready(r) < 0 || req_json(r, &body) < 0)
		return -1;
	if ((why = read_search(body, &s)) != NULL)
		return sandbox_ejbca_error(r, 400, why);
	rc = db_query(&r->app->db, r->arena, sql_page,
		      DB_ARGS(DB_I64(s.after), DB_I64(s.before), DB_I64(s.status), DB_I64(s.status),
			      DB_I64(s.page_size), DB_I64((s.page - 1) * s.page_size)),
		      &rows);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	list = json_array();
	for (size_t i = 0; i < rows.nrows; i++) {
		json_t *c = row_json(&rows, i);

		if (c == NULL) {
			json_decref(list);
			return sandbox_ejbca_error(r, 500, "A stored certificate cannot be read");
		}
		json_array_append_new(list, c);
	}
	summary = json_pack("{s:I, s:I}", "page_size", (json_int_t)s.page_size, "current_page",
			    (json_int_t)s.page);
	/* As EJBCA: the total is known, and given, once a page comes back short. */
	if ((long long)rows.nrows < s.page_size)
		json_object_set_new(summary, "total_certs",
				    json_integer((json_int_t)((s.page - 1) * s.page_size +
							      (long long)rows.nrows)));
	resp_json(r, 200, json_pack("{s:o, s:o}", "certificates", list, "pagination_summary", summary));
	return 0;
}
