/* outbox: writing notification rows, claiming them, sending, retrying, reconciling. */
#include "domain/outbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "domain/mask.h"
#include "ext/notify.h"

#define AAD_RECIPIENT "outbox.recipient"
#define AAD_SECRET "outbox.secret"
#define SECRET_MAX 8192 /* a secret row's params and text as JSON, before sealing */

static const char sql_template[] =
	"SELECT provider_template, subject, body FROM message_templates WHERE channel = ? AND event = ?";
static const char sql_insert[] =
	"INSERT INTO outbox (idem_key, channel, event, recipient_enc, recipient_mask, template_id, "
	"params, subject, body, order_id, secret_enc, state, next_at, created_at) "
	"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', NOW(3), NOW(3))";
/* A claim whose deadline passed: its sender died or hung. If the send had started, the provider
 * may have the message (unknown: ask first); if not, it never left (pending). Assignments are
 * evaluated left to right: next_at sees the new state. */
static const char sql_release[] =
	"UPDATE outbox SET state = IF(state = 'sending' AND in_flight = 0, 'pending', 'unknown'), "
	"claim_token = NULL, in_flight = 0, "
	"next_at = IF(state = 'pending', NOW(3), NOW(3) + INTERVAL ? SECOND) "
	"WHERE state IN ('sending', 'checking') AND claim_until < NOW(3)";
/* attempts counts offers to the provider: it grows when a send starts (sql_renew), not here. */
static const char sql_claim_one[] =
	"UPDATE outbox SET state = 'sending', claim_token = ?, claim_until = NOW(3) + INTERVAL ? SECOND, "
	"in_flight = 0 WHERE id = ? AND state = 'pending'";
static const char sql_claim_due[] =
	"UPDATE outbox SET state = 'sending', claim_token = ?, claim_until = NOW(3) + INTERVAL ? SECOND, "
	"in_flight = 0 WHERE state = 'pending' AND next_at <= NOW(3) ORDER BY next_at LIMIT ?";
static const char sql_claim_unknown[] =
	"UPDATE outbox SET state = 'checking', claim_token = ?, claim_until = NOW(3) + INTERVAL ? SECOND, "
	"in_flight = 0 WHERE state = 'unknown' AND next_at <= NOW(3) ORDER BY next_at LIMIT ?";
/* Renewed right before each send: a row is only ever sent inside a live claim, and a claim
 * (claim_timeout) outlasts one send (the provider timeout), so a released row is never still
 * on its way to the provider. */
static const char sql_renew[] =
	"UPDATE outbox SET claim_until = NOW(3) + INTERVAL ? SECOND, in_flight = 1, "
	"attempts = attempts + 1, first_attempt_at = COALESCE(first_attempt_at, NOW(3)), "
	"last_attempt_at = IF(state = 'sending', NOW(3), last_attempt_at) "
	"WHERE id = ? AND claim_token = ? AND claim_until > NOW(3)";
static const char sql_claimed[] =
	"SELECT id, idem_key, channel, event, recipient_enc, template_id, params, subject, body, "
	"attempts, state, DATE_FORMAT(COALESCE(last_attempt_at, NOW()), '%Y%m%d'), provider, "
	"secret_enc FROM outbox WHERE claim_token = ?";
/* Secrets (codes, PINs) leave the table once the row is final. */
static const char sql_sent[] =
	"UPDATE outbox SET state = 'sent', provider_id = ?, provider = ?, extra_sends = extra_sends + ?, "
	"sent_at = NOW(3), claim_token = NULL, "
	"claim_until = NULL, last_error = '', params = IF(? = 1, '{}', params), body = IF(? = 1, '', body), "
	"secret_enc = NULL WHERE id = ? AND claim_token = ?";
static const char sql_failed[] =
	"UPDATE outbox SET state = 'failed', claim_token = NULL, claim_until = NULL, last_error = ?, "
	"params = IF(? = 1, '{}', params), body = IF(? = 1, '', body), secret_enc = NULL "
	"WHERE id = ? AND claim_token = ?";
static const char sql_later[] =
	"UPDATE outbox SET state = ?, provider = ?, extra_sends = extra_sends + ?, claim_token = NULL, "
	"claim_until = NULL, last_error = ?, "
	"next_at = NOW(3) + INTERVAL ? MICROSECOND WHERE id = ? AND claim_token = ?";

/* The circuit breaker of each SMS provider (by its config section), shared through MariaDB.
 * open_until is set before fails grows: both read the row as it was. */
static const char sql_open_slots[] = "SELECT slot FROM sms_breaker WHERE open_until > NOW(3)";
static const char sql_slot_failed[] =
	"INSERT INTO sms_breaker (slot, fails, open_until, updated_at) "
	"VALUES (?, 1, IF(? <= 1, NOW(3) + INTERVAL ? SECOND, NULL), NOW(3)) ON DUPLICATE KEY UPDATE "
	"open_until = IF(fails + 1 >= ?, NOW(3) + INTERVAL ? SECOND, open_until), fails = fails + 1, "
	"updated_at = NOW(3)";
static const char sql_slot_ok[] =
	"UPDATE sms_breaker SET fails = 0, open_until = NULL, updated_at = NOW(3) "
	"WHERE slot = ? AND (fails > 0 OR open_until IS NOT NULL)";

static const char *const sms_slots[NOTIFY_SMS_MAX] = { "sms", "sms2" };

/* Written before each send, so that a sender dying mid-send leaves the row to be asked about
 * at the provider that may have it, not at another that would say "not found". */
static const char sql_mark_slot[] = "UPDATE outbox SET provider = ? WHERE id = ? AND claim_token = ?";

enum { C_ID, C_KEY, C_CHANNEL, C_EVENT, C_TO, C_TEMPLATE, C_PARAMS, C_SUBJECT, C_BODY,
       C_ATTEMPTS, C_STATE, C_DATE, C_PROVIDER, C_SECRET };

/* Where a send went: the provider's section ("" for mail), and whether a code went out again
 * through the next provider while an earlier send of it was in doubt. */
struct via {
	const char *slot;
	int extra;
};

char *outbox_render(struct arena *a, const char *tpl, json_t *params, size_t max)
{
	char *out = arena_alloc(a, max + 1);
	size_t o = 0;

	if (!out)
		return NULL;
	for (const char *p = tpl; *p;) {
		const char *end;
		size_t len;

		if (*p == '{' && (end = strchr(p + 1, '}')) != NULL && end - p - 1 < 64) {
			char name[64];
			const char *v;

			snprintf(name, sizeof(name), "%.*s", (int)(end - p - 1), p + 1);
			v = json_string_value(json_object_get(params, name));
			if (!v)
				return NULL;
			len = strlen(v);
			if (o + len > max)
				return NULL;
			memcpy(out + o, v, len);
			o += len;
			p = end + 1;
			continue;
		}
		if (o + 1 > max)
			return NULL;
		out[o++] = *p++;
	}
	out[o] = '\0';
	return out;
}

/* {"params": params, "text": text} sealed under the PII key: *out malloc'd. Returns 0 or -1. */
static int seal_secret(const struct crypto_key *key, json_t *params, const char *text,
		       unsigned char **out, size_t *outlen)
{
	json_t *j = json_pack("{s:O, s:s}", "params", params, "text", text);
	char *plain = j ? json_dumps(j, JSON_COMPACT) : NULL;
	size_t n = plain ? strlen(plain) : 0;
	int ret = -1;

	json_decref(j);
	*out = NULL;
	if (plain && n <= SECRET_MAX && (*out = malloc(n + CRYPTO_SEAL_OVERHEAD)) != NULL &&
	    crypto_seal(key, plain, n, AAD_SECRET, *out, n + CRYPTO_SEAL_OVERHEAD, outlen) == 0)
		ret = 0;
	if (ret < 0) {
		free(*out);
		*out = NULL;
	}
	if (plain) {
		explicit_bzero(plain, n);
		free(plain);
	}
	return ret;
}

/* A sealed secret's params (new reference) and text (into buf). Returns 0 or -1. */
static int open_secret(const struct crypto_key *key, const char *enc, size_t len, json_t **params,
		       char *buf, size_t bufsz)
{
	char plain[SECRET_MAX + 1];
	size_t n = 0;
	json_t *j;
	const char *text;
	int ret = -1;

	if (crypto_open(key, (const unsigned char *)enc, len, AAD_SECRET, (unsigned char *)plain, SECRET_MAX, &n) < 0)
		return -1;
	plain[n] = '\0';
	j = json_loads(plain, 0, NULL);
	text = json_string_value(json_object_get(j, "text"));
	if (j && text && json_is_object(json_object_get(j, "params")) && strlen(text) < bufsz) {
		memcpy(buf, text, strlen(text) + 1);
		*params = json_incref(json_object_get(j, "params"));
		ret = 0;
	}
	json_decref(j);
	explicit_bzero(plain, sizeof(plain));
	return ret;
}

static bool is_secret(const char *event)
{
	return strcmp(event, "sms_code") == 0 || strcmp(event, "pin_notice") == 0 ||
	       strcmp(event, "unlock_authorised") == 0;
}

int outbox_add(struct db *db, struct arena *a, const struct crypto_key *key, const char *channel,
	       const char *event, const char *to, json_t *params, long long order_id, long long *id)
{
	unsigned char enc[600];
	char idem[33], masked[128], *body, *subject, *pjson;
	unsigned char *sealed = NULL;
	struct db_rows t;
	size_t enclen, sealed_len = 0;
	unsigned long long iid = 0;
	int rc;

	rc = db_query(db, a, sql_template, DB_ARGS(DB_STR(channel), DB_STR(event)), &t);
	if (rc != DB_OK)
		return rc;
	if (t.nrows != 1) {
		log_rid(LOG_ERROR, db->rid, "outbox: no %s template for event %s", channel, event);
		return DB_ERR;
	}
	body = outbox_render(a, db_cell(&t, 0, 2), params, 4000);
	subject = outbox_render(a, db_cell(&t, 0, 1), params, 190);
	if (!body || !subject) {
		log_rid(LOG_ERROR, db->rid, "outbox: %s/%s: a template parameter is missing", channel, event);
		return DB_ERR;
	}
	if (strcmp(channel, "sms") == 0)
		mask_mobile(to, masked, sizeof(masked));
	else
		mask_email(to, masked, sizeof(masked));
	if (crypto_token_hex(idem, sizeof(idem), 16) < 0 ||
	    crypto_seal(key, to, strlen(to), AAD_RECIPIENT, enc, sizeof(enc), &enclen) < 0)
		return DB_ERR;
	pjson = json_dumps(params, JSON_COMPACT | JSON_SORT_KEYS);
	if (!pjson)
		return DB_ERR;
	/* A secret (a code, a PIN) is in no readable column, not even before it is sent. */
	if (is_secret(event) && seal_secret(key, params, body, &sealed, &sealed_len) < 0) {
		free(pjson);
		return DB_ERR;
	}
	rc = db_exec(db, sql_insert,
		     DB_ARGS(DB_STR(idem), DB_STR(channel), DB_STR(event), DB_BLOB(enc, enclen),
			     DB_STR(masked), DB_STR(db_cell(&t, 0, 0)), DB_STR(sealed ? "{}" : pjson),
			     DB_STR(subject), DB_STR(sealed ? "" : body),
			     order_id > 0 ? DB_I64(order_id) : DB_NULL,
			     sealed ? DB_BLOB(sealed, sealed_len) : DB_NULL),
		     NULL, &iid);
	if (sealed)
		explicit_bzero(sealed, sealed_len);
	free(sealed);
	explicit_bzero(pjson, strlen(pjson));
	explicit_bzero(body, strlen(body));
	free(pjson);
	if (id)
		*id = (long long)iid;
	return rc;
}


/* Exponential backoff, capped, with full jitter in [50%, 100%] of the step: many rows failing
 * together do not come back together. */
static long long backoff_us(const struct conf *c, int attempts)
{
	long long step = (long long)c->outbox_backoff_base * 1000000LL;
	unsigned char rnd[2] = { 0, 0 };

	for (int i = 1; i < attempts && step < (long long)c->outbox_backoff_max * 1000000LL; i++)
		step *= 2;
	if (step > (long long)c->outbox_backoff_max * 1000000LL)
		step = (long long)c->outbox_backoff_max * 1000000LL;
	crypto_random(rnd, sizeof(rnd));
	return step / 2 + (step / 2) * (rnd[0] << 8 | rnd[1]) / 65535;
}

static int finish(struct db *db, const struct conf *c, const struct db_rows *rows, size_t i,
		  const char *claim, struct notify_outcome *o, bool checking, const struct via *v,
		  struct outbox_stats *st)
{
	const char *id = db_cell(rows, i, C_ID);
	long long secret = is_secret(db_cell(rows, i, C_EVENT));
	/* The row was read before sql_renew counted this attempt. */
	int attempts = (int)strtol(db_cell(rows, i, C_ATTEMPTS), NULL, 10) + 1;
	bool exhausted = attempts >= c->outbox_max_attempts;

	/* A provider's words may quote the number or address: never store or log them plain. */
	mask_text(o->error);

	switch (o->result) {
	case NOTIFY_SENT:
		checking ? st->found++ : st->sent++;
		return db_exec(db, sql_sent, DB_ARGS(DB_STR(o->provider_id), DB_STR(v->slot), DB_I64(v->extra),
						     DB_I64(secret), DB_I64(secret), DB_STR(id), DB_STR(claim)),
			       NULL, NULL);
	case NOTIFY_NOT_FOUND:
		/* The provider never took it: safe to send again, now. */
		st->resend++;
		return db_exec(db, sql_later, DB_ARGS(DB_STR("pending"), DB_STR(v->slot), DB_I64(v->extra),
						      DB_STR("not at provider"), DB_I64(0), DB_STR(id),
						      DB_STR(claim)), NULL, NULL);
	case NOTIFY_RETRY:
	case NOTIFY_UNKNOWN:
		if (!exhausted) {
			bool unknown = o->result == NOTIFY_UNKNOWN || checking;
			long long wait = unknown ? (long long)c->outbox_reconcile_after * 1000000LL
						 : backoff_us(c, attempts);

			unknown ? st->unknown++ : st->retry++;
			return db_exec(db, sql_later,
				       DB_ARGS(DB_STR(unknown ? "unknown" : "pending"), DB_STR(v->slot),
					       DB_I64(v->extra), DB_STR(o->error), DB_I64(wait), DB_STR(id),
					       DB_STR(claim)), NULL, NULL);
		}
		__attribute__((fallthrough)); /* out of attempts */
	case NOTIFY_PERMANENT:
	default:
		st->failed++;
		log_warn("outbox %s (%s) failed: %s", id, db_cell(rows, i, C_EVENT), o->error);
		return db_exec(db, sql_failed, DB_ARGS(DB_STR(o->error[0] ? o->error : "attempts exhausted"),
						       DB_I64(secret), DB_I64(secret), DB_STR(id), DB_STR(claim)),
			       NULL, NULL);
	}
}

static void breaker_note(struct db *db, const struct conf *c, const char *slot, enum notify_result r)
{
	/* A refused number or template says nothing about the provider's health. */
	if (r == NOTIFY_SENT)
		db_exec(db, sql_slot_ok, DB_ARGS(DB_STR(slot)), NULL, NULL);
	else if (r == NOTIFY_RETRY || r == NOTIFY_UNKNOWN)
		db_exec(db, sql_slot_failed,
			DB_ARGS(DB_STR(slot), DB_I64(c->sms_breaker_failures), DB_I64(c->sms_breaker_open),
				DB_I64(c->sms_breaker_failures), DB_I64(c->sms_breaker_open)),
			NULL, NULL);
}

/*
 * An SMS through the providers in order, skipping those whose breaker is open (all of them
 * open: tried in order all the same). A refusal or failure goes on to the next provider at
 * once. A send in doubt (UNKNOWN) stops there for a notice: it is resolved by that provider's
 * status query before anything is sent again. A code (the person is waiting for it) goes on
 * to the next provider, the same code, and the second send is counted.
 */
static void deliver_sms(struct db *db, struct arena *a, const struct conf *c,
			const struct notify_msg *m, bool code, const char *id, const char *claim,
			const char *row_slot, bool checking, struct notify_outcome *o, struct via *v)
{
	struct notify_provider p[NOTIFY_SMS_MAX];
	struct notify_outcome doubt;
	int n = notify_sms_providers(c, p), order[NOTIFY_SMS_MAX], k = 0;
	bool open[NOTIFY_SMS_MAX] = { false }, in_doubt = false, retry = false;
	const char *doubt_slot = NULL;
	struct db_rows rows;

	if (checking) {
		int i = n > 1 && strcmp(row_slot, sms_slots[1]) == 0 ? 1 : 0;

		v->slot = sms_slots[i];
		notify_query(&p[i], m, o);
		return;
	}
	if (db_query(db, a, sql_open_slots, DB_NOARGS, &rows) == DB_OK)
		for (size_t r = 0; r < rows.nrows; r++)
			for (int i = 0; i < n; i++)
				open[i] = open[i] || strcmp(db_cell(&rows, r, 0), sms_slots[i]) == 0;
	for (int i = 0; i < n; i++)
		if (!open[i])
			order[k++] = i;
	if (k == 0) /* every breaker open: each provider all the same, in order */
		for (int i = 0; i < n; i++)
			order[k++] = i;
	for (int j = 0; j < k; j++) {
		int i = order[j];

		memset(o, 0, sizeof(*o));
		if (strcmp(row_slot, sms_slots[i]) != 0 &&
		    db_exec(db, sql_mark_slot, DB_ARGS(DB_STR(sms_slots[i]), DB_STR(id), DB_STR(claim)),
			    NULL, NULL) != DB_OK) {
			notify_outcome(o, NOTIFY_RETRY, NULL, "database: provider of the send not recorded");
			break;
		}
		row_slot = sms_slots[i];
		notify_send(&p[i], m, o);
		breaker_note(db, c, sms_slots[i], o->result);
		v->slot = sms_slots[i];
		v->extra += in_doubt;
		if (o->result == NOTIFY_SENT)
			return;
		if (o->result == NOTIFY_UNKNOWN) {
			if (!code)
				return;
			doubt = *o;
			doubt_slot = sms_slots[i];
			in_doubt = true;
		}
		retry = retry || o->result == NOTIFY_RETRY;
	}
	if (in_doubt) {
		*o = doubt;
		v->slot = doubt_slot;
	} else if (retry && o->result == NOTIFY_PERMANENT) {
		o->result = NOTIFY_RETRY; /* one provider may take it later */
	}
}

static void deliver(struct db *db, struct arena *a, const struct conf *c,
		    const struct crypto_key *key, const struct db_rows *rows, size_t i,
		    const char *claim, bool checking, struct notify_outcome *o, struct via *v)
{
	struct notify_provider p;
	struct notify_msg m = { 0 };
	unsigned char to[600];
	char secret_text[SECRET_MAX + 1];
	size_t tolen = 0;
	const char *enc = db_cell(rows, i, C_TO);

	memset(o, 0, sizeof(*o));
	v->slot = "";
	v->extra = 0;
	if (!enc || crypto_open(key, (const unsigned char *)enc, rows->len[i * rows->ncols + C_TO],
				AAD_RECIPIENT, to, sizeof(to) - 1, &tolen) < 0) {
		o->result = NOTIFY_PERMANENT;
		snprintf(o->error, sizeof(o->error), "recipient cannot be opened with this key");
		return;
	}
	to[tolen] = '\0';
	m.channel = db_cell(rows, i, C_CHANNEL);
	m.to = (const char *)to;
	m.template_id = db_cell(rows, i, C_TEMPLATE);
	if (db_cell(rows, i, C_SECRET)) {
		if (open_secret(key, db_cell(rows, i, C_SECRET), rows->len[i * rows->ncols + C_SECRET],
				&m.params, secret_text, sizeof(secret_text)) < 0) {
			o->result = NOTIFY_PERMANENT;
			snprintf(o->error, sizeof(o->error), "sealed message cannot be opened with this key");
			explicit_bzero(to, sizeof(to));
			return;
		}
		m.text = secret_text;
	} else {
		m.params = json_loads(db_cell(rows, i, C_PARAMS), 0, NULL);
		m.text = db_cell(rows, i, C_BODY);
	}
	m.subject = db_cell(rows, i, C_SUBJECT);
	m.idem_key = db_cell(rows, i, C_KEY);
	m.sent_date = db_cell(rows, i, C_DATE);
	if (!m.params)
		m.params = json_object();
	if (strcmp(m.channel, "email") != 0) {
		deliver_sms(db, a, c, &m, strcmp(db_cell(rows, i, C_EVENT), "sms_code") == 0,
			    db_cell(rows, i, C_ID), claim, db_cell(rows, i, C_PROVIDER), checking, o, v);
	} else {
		notify_from_conf(c, 1, &p);
		if (checking)
			notify_query(&p, &m, o);
		else
			notify_send(&p, &m, o);
	}
	json_decref(m.params);
	explicit_bzero(to, sizeof(to));
	explicit_bzero(secret_text, sizeof(secret_text));
}

/* Works through every row carrying this claim token. */
static int process(struct db *db, struct arena *a, const struct conf *c, const struct crypto_key *key,
		   const char *claim, struct outbox_stats *st)
{
	struct db_rows rows;
	int rc = db_query(db, a, sql_claimed, DB_ARGS(DB_STR(claim)), &rows);

	for (size_t i = 0; rc == DB_OK && i < rows.nrows; i++) {
		bool checking = strcmp(db_cell(&rows, i, C_STATE), "checking") == 0;
		unsigned long long live = 0;
		struct notify_outcome o;
		struct via v;

		rc = db_exec(db, sql_renew, DB_ARGS(DB_I64(c->outbox_claim_timeout),
						   DB_STR(db_cell(&rows, i, C_ID)), DB_STR(claim)),
			     &live, NULL);
		if (rc != DB_OK || live != 1)
			continue; /* the claim ran out: the row is someone else's now */
		deliver(db, a, c, key, &rows, i, claim, checking, &o, &v);
		rc = finish(db, c, &rows, i, claim, &o, checking, &v, st);
	}
	return rc;
}

int outbox_run(struct db *db, struct arena *a, const struct conf *c, const struct crypto_key *key,
	       const long long *ids, size_t n, struct outbox_stats *st)
{
	unsigned long long affected = 0;
	char claim[33];
	int rc;

	if (crypto_token_hex(claim, sizeof(claim), 16) < 0)
		return DB_ERR;
	if (ids) {
		for (size_t i = 0; i < n; i++) {
			rc = db_exec(db, sql_claim_one,
				     DB_ARGS(DB_STR(claim), DB_I64(c->outbox_claim_timeout), DB_I64(ids[i])),
				     NULL, NULL);
			if (rc != DB_OK)
				return rc;
		}
		return process(db, a, c, key, claim, st);
	}
	rc = db_exec(db, sql_release, DB_ARGS(DB_I64(c->outbox_reconcile_after)), &affected, NULL);
	if (rc != DB_OK)
		return rc;
	st->released += (int)affected;
	/* Reconcile first: what the provider turns out not to have is sent in this same pass. */
	rc = db_exec(db, sql_claim_unknown,
		     DB_ARGS(DB_STR(claim), DB_I64(c->outbox_claim_timeout), DB_I64(c->outbox_batch)),
		     NULL, NULL);
	if (rc == DB_OK)
		rc = process(db, a, c, key, claim, st);
	if (rc == DB_OK && crypto_token_hex(claim, sizeof(claim), 16) < 0)
		rc = DB_ERR;
	if (rc == DB_OK)
		rc = db_exec(db, sql_claim_due,
			     DB_ARGS(DB_STR(claim), DB_I64(c->outbox_claim_timeout), DB_I64(c->outbox_batch)),
			     NULL, NULL);
	return rc == DB_OK ? process(db, a, c, key, claim, st) : rc;
}
