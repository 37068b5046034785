/* review: what an approval does: certificates issued, replaced, renewed or revoked, the order
 * carried on to done when nothing is mailed, and the approval SMS. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/strlist.h"
#include "crypto/crypto.h"
#include "domain/order.h"
#include "review.h"
#include "domain/rules.h"

/* A new certificate: a fresh serial; the rest given. first_issued (the media warranty's start,
 * 002) is today: a new key. */
static const char sql_new[] =
	"INSERT INTO certificates (serial, channel_id, kind, holder_name, subject_name, not_before, "
	"not_after, first_issued, has_seal, state, order_id, account_id, subject_idx) "
	"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'valid', ?, ?, ?)";
/* A replacement: the same holder, subject, account and validity (002: 补办证书有效期不变). */
static const char sql_copy[] =
	"INSERT INTO certificates (serial, channel_id, kind, holder_name, subject_name, not_before, "
	"not_after, first_issued, has_seal, state, order_id, account_id, subject_idx) "
	"SELECT ?, channel_id, kind, holder_name, subject_name, not_before, not_after, ?, has_seal, "
	"'valid', ?, account_id, subject_idx FROM certificates WHERE id = ?";
static const char sql_revoke[] =
	"UPDATE certificates SET state = 'revoked', revoked_at = NOW(3), revoke_reason = ? "
	"WHERE id = ? AND state = 'valid'";
static const char sql_renew[] =
	"UPDATE certificates SET not_before = ?, not_after = ? WHERE id = ?";
static const char sql_target[] =
	"SELECT DATE_FORMAT(not_after, '%Y-%m-%d') FROM certificates WHERE id = ? FOR UPDATE";

#define REVOKE_LOST "遗失补办，旧证书已吊销"
#define REVOKE_ASKED "证书注销，应用户申请吊销"


/* 16 upper-case hex characters, like the serials of the guides (001: 712C1B5A584A1BBE). */
static int new_serial(char out[17])
{
	unsigned char b[8];

	if (crypto_random(b, sizeof(b)) < 0)
		return -1;
	for (int i = 0; i < 8; i++)
		snprintf(out + 2 * i, 3, "%02X", b[i]);
	return 0;
}

static int issue_new(struct db *db, struct req *r, const struct order *o, const char *today,
		     char serial[17])
{
	struct rules_date t = rules_today(time(NULL)), end;
	json_t *applicant = NULL, *product = review_step(db, r, o->id, "product");
	const char *holder = o->subject_name;
	char until[11];
	bool ok = false;
	int rc = DB_DUP;

	/* A person's certificate names the person; an organisation's, the organisation. */
	if (!str_is(o->kind, "org")) {
		applicant = review_step(db, r, o->id, "applicant");
		if (order_step_str(applicant, "name")[0])
			holder = order_step_str(applicant, "name");
	}
	end = rules_add_years(t, o->years >= 1 && o->years <= 5 ? o->years : 1, &ok);
	if (!ok)
		return DB_ERR;
	rules_date_format(end, until, sizeof(until));
	for (int tries = 0; tries < 3 && rc == DB_DUP; tries++) {
		if (new_serial(serial) < 0)
			return DB_ERR;
		rc = db_exec(db, sql_new,
			     DB_ARGS(DB_STR(serial), DB_I64(o->channel_id), DB_STR(o->kind),
				     DB_STR(holder), DB_STR(o->subject_name), DB_STR(today),
				     DB_STR(until), DB_STR(today),
				     DB_I64(str_is(order_step_str(product, "seal"), "1")), DB_I64(o->id),
				     o->account_id ? DB_I64(o->account_id) : DB_NULL,
				     o->subject_idx[0] ? DB_STR(o->subject_idx) : DB_NULL),
			     NULL, NULL);
	}
	return rc;
}

static int issue_copy(struct db *db, const struct order *o, const char *today,
		      char serial[17])
{
	unsigned long long n = 0;
	int rc = DB_DUP;

	for (int tries = 0; tries < 3 && rc == DB_DUP; tries++) {
		if (new_serial(serial) < 0)
			return DB_ERR;
		rc = db_exec(db, sql_copy,
			     DB_ARGS(DB_STR(serial), DB_STR(today), DB_I64(o->id),
				     DB_I64(o->target_cert_id)), &n, NULL);
	}
	return rc == DB_OK && n != 1 ? DB_ERR : rc; /* the target must exist */
}

/* The renewal's validity: as the wizard quoted it (orders.renew_not_*), else the rule (002). */
static int renew(struct db *db, struct req *r, const struct order *o)
{
	const char *nb = o->renew_not_before, *na = o->renew_not_after;
	char b[11], a[11];

	if (!nb[0] || !na[0]) {
		struct rules_date old, today = rules_today(time(NULL));
		struct rules_validity v;
		struct db_rows rows;
		int rc = db_query(db, r->arena, sql_target, DB_ARGS(DB_I64(o->target_cert_id)), &rows);

		if (rc != DB_OK)
			return rc;
		if (rows.nrows != 1 || !rules_date_parse(db_cell(&rows, 0, 0), &old))
			return DB_ERR;
		v = rules_renewal_validity(today, old, o->years >= 1 && o->years <= 5 ? o->years : 1);
		if (!v.ok)
			return DB_ERR;
		rules_date_format(v.not_before, b, sizeof(b));
		rules_date_format(v.not_after, a, sizeof(a));
		nb = b;
		na = a;
	}
	return db_exec(db, sql_renew, DB_ARGS(DB_STR(nb), DB_STR(na), DB_I64(o->target_cert_id)), NULL,
		       NULL);
}

int review_issue(struct db *db, struct req *r, const struct order *o, const char **serial)
{
	struct rules_date t = rules_today(time(NULL));
	char today[11], *s = arena_alloc(r->arena, 17);
	const char *b = o->business;
	int rc = DB_OK;

	*serial = NULL;
	if (!s)
		return DB_ERR;
	s[0] = '\0';
	rules_date_format(t, today, sizeof(today));
	if (str_is(b, "new") || str_is(b, "add")) {
		rc = issue_new(db, r, o, today, s);
	} else if (str_is(b, "lost") || str_is(b, "damaged")) {
		if (!o->target_cert_id)
			return DB_ERR;
		rc = issue_copy(db, o, today, s);
		/* 002, 004: the lost certificate is revoked automatically and irreversibly, in the
		 * same transaction that records its replacement. */
		if (rc == DB_OK && str_is(b, "lost"))
			rc = db_exec(db, sql_revoke, DB_ARGS(DB_STR(REVOKE_LOST), DB_I64(o->target_cert_id)),
				     NULL, NULL);
	} else if (str_is(b, "renew") && o->target_cert_id) {
		rc = renew(db, r, o);
	} else if (str_is(b, "revoke") && o->target_cert_id) {
		rc = db_exec(db, sql_revoke, DB_ARGS(DB_STR(REVOKE_ASKED), DB_I64(o->target_cert_id)),
			     NULL, NULL);
	}
	if (rc == DB_OK && s[0])
		*serial = s;
	return rc;
}

int review_approved(struct db *db, struct req *r, const struct order *o, long long version,
		    enum order_state *final_state)
{
	const char *serial = NULL, *hint;
	json_t *params;
	int rc = review_issue(db, r, o, &serial);

	*final_state = ORDER_APPROVED;
	if (rc == DB_OK && serial)
		rc = review_audit(db, r, o->id, o->no, "certificate_issued", serial);
	/* Renewal, unlock, an online change and revocation mail nothing: done at once. */
	if (rc == DB_OK && !review_ships_key(o)) {
		/* Nothing to make or mail: the approval completes the order by itself. */
		rc = review_move(db, r, o, ORDER_APPROVED, ORDER_DONE, ORDER_BY_SYSTEM, version,
				 "done", "");
		*final_state = ORDER_DONE;
	}
	if (rc != DB_OK)
		return rc;
	hint = rules_pin_delivery_text(o->pin_delivery);
	if (!review_ships_key(o))
		hint = str_is(o->business, "revoke") ? "证书已注销。" : "业务已办理完成。";
	else if (!hint)
		hint = "证书制作完成后将寄出，PIN码领取方式将另行通知。";
	params = json_pack("{s:s}", "pin_hint", hint);
	rc = review_notify(db, r, o, "order_approved", params);
	json_decref(params);
	if (rc == DB_OK)
		rc = app_outbox_invoice(r, o->id, INVOICE_APPROVED);
	return rc;
}
