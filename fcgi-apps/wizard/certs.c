/* wizard: "my certificates" (002 【管理中心】-【我的证书】): the account's certificates, their
 * renewal window and warranty, and the businesses each can start. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "web/auth.h"
#include "crypto/crypto.h"
#include "domain/order.h"
#include "domain/rules.h"
#include "base/valid.h"
#include "wizard.h"
#include "base/strlist.h"

#define CERTS_MAX 200

#define CERT_COLS \
	"SELECT c.serial, ch.code, ch.name, c.kind, c.holder_name, c.subject_name, " \
	"DATE_FORMAT(c.not_before, '%Y-%m-%d'), DATE_FORMAT(c.not_after, '%Y-%m-%d'), " \
	"DATE_FORMAT(c.first_issued, '%Y-%m-%d'), c.state, c.has_seal, ch.businesses, ch.kinds, " \
	"ch.renew_expired_online, " \
	/* The hall's media warranty (002 "证书介质质保期为一年"): its damaged fee row says so. */ \
	"(SELECT MAX(f.warranty_free) FROM fees f WHERE f.channel_id = ch.id " \
	"AND f.business = 'damaged' AND f.kind = c.kind), " \
	/* The changes applied to it (002 四.证书信息变更): "order_no|items|date;..." in order, the
	 * item codes as the approval recorded them on the audit trail (review/issue.c). */ \
	"(SELECT GROUP_CONCAT(CONCAT(o.order_no, '|', e.detail, '|', DATE_FORMAT(e.at, '%Y-%m-%d')) " \
	"ORDER BY e.id SEPARATOR ';') FROM orders o JOIN audit_log e ON e.order_id = o.id " \
	"AND e.action = 'change_applied' WHERE o.target_cert_id = c.id AND o.business_type = 'change'), " \
	/* A certificate re-issued by a change of name: the one it replaced. */ \
	"(SELECT t.serial FROM orders o JOIN certificates t ON t.id = o.target_cert_id " \
	"WHERE o.id = c.order_id AND o.business_type = 'change'), c.revoke_reason, " \
	/* The token it is on, where the hall made the key (printed on the key: 证书绑定 asks it). */ \
	"c.token_serial " \
	"FROM certificates c JOIN channels ch ON ch.id = c.channel_id "
enum { C_CHANGES = 15, C_REPLACES, C_REVOKE_REASON, C_TOKEN_SERIAL };

static const char sql_certs[] = CERT_COLS "WHERE " WIZARD_REACH " "
	"ORDER BY c.not_after DESC, c.id DESC LIMIT ?";
/* serial is ascii_bin: the match is exact and case-sensitive. */
static const char sql_cert[] = CERT_COLS "WHERE c.serial = ? AND " WIZARD_REACH;

/* What can be started on this certificate: the rules of create.c, so that every business shown
 * here is one the hall accepts. A revoked certificate takes none; an expired one only its
 * renewal (inside the window or by review) and its revocation. */
static json_t *offered(const char *businesses, const char *kinds, const char *kind, bool revoked,
		       bool expired, enum rules_renewal window)
{
	static const char *const on_cert[] = { "renew", "lost", "damaged", "change", "unlock",
					       "revoke" };
	json_t *out = json_array();

	if (revoked || !strlist_has(kinds, kind))
		return out;
	for (size_t i = 0; out && i < sizeof(on_cert) / sizeof(on_cert[0]); i++) {
		const char *b = on_cert[i];

		if (!strlist_has(businesses, b))
			continue;
		if (strcmp(b, "renew") == 0 ? window != RENEW_ONLINE && window != RENEW_REVIEW
					    : expired && strcmp(b, "revoke") != 0)
			continue;
		json_array_append_new(out, json_pack("{s:s, s:s}", "code", b, "name",
						     order_business_name(b)));
	}
	return out;
}

static const char *window_code(enum rules_renewal w)
{
	switch (w) {
	case RENEW_TOO_EARLY:
		return "too_early";
	case RENEW_ONLINE:
		return "online";
	case RENEW_REVIEW:
		return "review";
	default:
		return NULL;
	}
}

/* The changes applied to the certificate: [{order_no, items: [codes], at}]. */
static json_t *changes(const char *list)
{
	json_t *out = json_array();
	char order_no[32], items[64], at[16];

	for (const char *p = list; out && p && *p;) {
		size_t n = strcspn(p, ";");
		const char *bar = memchr(p, '|', n), *bar2 = NULL;
		json_t *codes = json_array();

		if (bar)
			bar2 = memchr(bar + 1, '|', n - (size_t)(bar + 1 - p));
		if (bar && bar2 && (size_t)(bar - p) < sizeof(order_no) &&
		    (size_t)(bar2 - bar - 1) < sizeof(items) && (size_t)(p + n - bar2 - 1) < sizeof(at)) {
			memcpy(order_no, p, (size_t)(bar - p));
			order_no[bar - p] = '\0';
			memcpy(items, bar + 1, (size_t)(bar2 - bar - 1));
			items[bar2 - bar - 1] = '\0';
			memcpy(at, bar2 + 1, (size_t)(p + n - bar2 - 1));
			at[p + n - bar2 - 1] = '\0';
			for (const char *q = items; codes && *q;) {
				size_t k = strcspn(q, ",");

				json_array_append_new(codes, json_stringn(q, k));
				q += k + (q[k] == ',');
			}
			json_array_append_new(out, json_pack("{s:s, s:o, s:s}", "order_no", order_no,
							     "items", codes, "at", at));
		} else {
			json_decref(codes);
		}
		p += n + (p[n] == ';');
	}
	return out;
}

static json_t *cert_json(const struct db_rows *c, size_t i, struct rules_date today)
{
	struct rules_date not_after, first;
	enum rules_renewal window = RENEW_INVALID;
	bool revoked = strcmp(db_cell(c, i, 9), "revoked") == 0, expired = false, by_mail;
	const char *state;
	int days_left = 0;

	if (rules_date_parse(db_cell(c, i, 7), &not_after)) {
		days_left = (int)(rules_days_from_civil(not_after) - rules_days_from_civil(today));
		expired = days_left < 0;
		window = rules_renewal_window(today, not_after);
		/* A channel that renews expired certificates offline only (003). */
		if (window == RENEW_ONLINE && expired && strcmp(db_cell(c, i, 13), "0") == 0)
			window = RENEW_REVIEW;
	}
	if (!rules_date_parse(db_cell(c, i, 8), &first))
		first = (struct rules_date){ 0, 0, 0 };
	state = revoked ? "revoked" : expired ? "expired" : "valid";
	/* 003 "证书已过有效期的，需要准备资料线下办理，可以快递或者现场办理": mailed, as create.c does. */
	by_mail = !revoked && expired && window == RENEW_REVIEW && strcmp(db_cell(c, i, 13), "0") == 0;
	return json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:s?, "
			 "s:b, s:o, s:b, s:o, s:o, s:s?, s:s?, s:s?}",
			 "serial", db_cell(c, i, 0), "channel", db_cell(c, i, 1),
			 "channel_name", db_cell(c, i, 2), "kind", db_cell(c, i, 3),
			 "kind_name", order_kind_name(db_cell(c, i, 3)),
			 "holder", db_cell(c, i, 4), "subject", db_cell(c, i, 5),
			 "not_before", db_cell(c, i, 6), "not_after", db_cell(c, i, 7),
			 "state", state,
			 "state_name", revoked ? "已吊销" : expired ? "已过期" : "有效",
			 "days_left", days_left,
			 "renewal", revoked ? NULL : window_code(window),
			 "renewal_paper_mail", by_mail,
			 /* null where the hall gives no warranty (003: none in its guide) */
			 "in_warranty", str_is(db_cell(c, i, 14), "1")
						? json_boolean(rules_in_warranty(first, today)) : json_null(),
			 "has_seal", strcmp(db_cell(c, i, 10), "0") != 0,
			 "businesses", offered(db_cell(c, i, 11), db_cell(c, i, 12), db_cell(c, i, 3),
					       revoked, expired, window),
			 "changes", changes(db_cell(c, i, C_CHANGES)),
			 "replaces", db_cell(c, i, C_REPLACES),
			 "revoke_reason", revoked ? db_cell(c, i, C_REVOKE_REASON) : NULL,
			 "token_serial", db_cell(c, i, C_TOKEN_SERIAL));
}

int wizard_certs(struct req *r)
{
	struct rules_date today = rules_today(time(NULL));
	struct wizard_subject s;
	struct db_rows c;
	json_t *list;
	int rc;

	if (wizard_subject(r, &s) < 0)
		return -1;
	rc = db_query(&r->app->db, r->arena, sql_certs,
		      DB_ARGS(DB_I64(r->auth.id), s.proven_idx ? DB_STR(s.proven_idx) : DB_NULL,
			      DB_I64(r->auth.id), DB_I64(CERTS_MAX + 1)),
		      &c);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	list = json_array();
	for (size_t i = 0; i < c.nrows && i < CERTS_MAX; i++)
		json_array_append_new(list, cert_json(&c, i, today));
	resp_json(r, 200, json_pack("{s:o, s:b}", "certificates", list, "truncated",
				    c.nrows > CERTS_MAX));
	return 0;
}

int wizard_cert_find(struct req *r)
{
	const char *serial = r->params[0];
	struct wizard_subject s;
	struct db_rows c;
	int rc;

	if (!valid_serial(serial))
		return resp_error(r, ERR_INVALID_FIELD, "serial",
				  "证书序列号为 1 至 40 位十六进制字符（0-9、A-F，区分大小写），例如 712C1B5A584A1BBE。");
	if (wizard_subject(r, &s) < 0)
		return -1;
	rc = db_query(&r->app->db, r->arena, sql_cert,
		      DB_ARGS(DB_STR(serial), DB_I64(r->auth.id),
			      s.proven_idx ? DB_STR(s.proven_idx) : DB_NULL, DB_I64(r->auth.id)), &c);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	/* Another's certificate is as unknown as one never issued. */
	if (c.nrows != 1)
		return resp_error(r, ERR_NOT_FOUND, NULL,
				  "您的账号下没有该序列号的证书。序列号区分大小写，请核对后重试。");
	resp_json(r, 200, json_pack("{s:o}", "certificate",
				    cert_json(&c, 0, rules_today(time(NULL)))));
	return 0;
}
