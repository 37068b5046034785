/* fincheck: 001's 0.01 transfer after approval, its PIN in the memo (fincheck.h). */
#include "domain/fincheck.h"

#include "db/changes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "domain/mask.h"
#include "domain/order_steps.h"
#include "domain/outbox.h"
#include "ext/verify.h"

#define BATCH 20
#define PIN_SEALED_MAX (FINCHECK_PIN_LEN + CRYPTO_SEAL_OVERHEAD)

static bool eq(const char *a, const char *b)
{
	return a && strcmp(a, b) == 0;
}

bool fincheck_due(bool hall_after_approval, bool ships_key, const char *pin_delivery,
		  const char *pay_method)
{
	/* Not only wechat and alipay: 001's free 补办 ("补办费用: 0.00元") still reaches "使用微信支付，
	 * 则深圳CA审核成功后SZCA将向申请单位对公账户打款0.01元，并下发证书PIN码"; an order paid
	 * nothing would otherwise have its PIN promised to the memo and sent nowhere. */
	return hall_after_approval && ships_key && eq(pin_delivery, "transfer_memo") &&
	       !eq(pay_method, "transfer");
}

int fincheck_pin(char out[FINCHECK_PIN_LEN + 1])
{
	unsigned char b[32];
	size_t n = 0;

	out[0] = '\0';
	while (n < FINCHECK_PIN_LEN) {
		if (crypto_random(b, sizeof(b)) < 0) {
			explicit_bzero(b, sizeof(b));
			out[0] = '\0';
			return -1;
		}
		/* 250 is the largest multiple of 10 in a byte: the rest would favour 0..5. */
		for (size_t i = 0; i < sizeof(b) && n < FINCHECK_PIN_LEN; i++)
			if (b[i] < 250)
				out[n++] = (char)('0' + b[i] % 10);
	}
	out[n] = '\0';
	explicit_bzero(b, sizeof(b));
	return 0;
}

const char *fincheck_state_zh(enum order_state s, const char *verify_method, const char *fin)
{
	/* 001 "如申请资料审核通过且金融认证通过，则申请单状态显示“成功受理”". */
	if (s == ORDER_APPROVED && eq(fin, "credited"))
		return "成功受理";
	if (s == ORDER_APPROVED && (eq(fin, "queued") || eq(fin, "sent")))
		return "审核通过，金融认证中";
	if (s == ORDER_VERIFY_FAILED && eq(fin, "failed"))
		return "金融认证失败";
	return order_state_zh_as(s, verify_method);
}

bool fincheck_names(enum order_state s)
{
	return s == ORDER_APPROVED || s == ORDER_VERIFY_FAILED;
}

/* The PIN's aad names its row's ref: a sealed PIN moved to another row does not open. */
static void pin_aad(const char *ref, char aad[96])
{
	snprintf(aad, 96, "fin_checks.pin:%s", ref);
}

static const char sql_supersede[] =
	"UPDATE fin_checks SET state = 'superseded', pin_enc = NULL, decided_at = NOW(3) "
	"WHERE order_id = ? AND state IN ('queued', 'sent', 'credited')";
static const char sql_insert[] =
	"INSERT INTO fin_checks (order_id, ref, state, pin_enc, next_at, created_at) "
	"VALUES (?, ?, 'queued', ?, NOW(3), NOW(3))";
static const char sql_latest[] =
	"SELECT state, message, id, ref FROM fin_checks WHERE order_id = ? ORDER BY id DESC LIMIT 1";

int fincheck_queue(struct db *db, const struct crypto_key *key, long long order_id,
		   long long *id)
{
	char pin[FINCHECK_PIN_LEN + 1], ref[2 * VERIFY_REF_BYTES + 1], aad[96];
	unsigned char sealed[PIN_SEALED_MAX];
	unsigned long long got = 0;
	size_t len = 0;
	int rc;

	*id = 0;
	if (fincheck_pin(pin) < 0 || crypto_token_hex(ref, sizeof(ref), VERIFY_REF_BYTES) < 0)
		return DB_ERR;
	pin_aad(ref, aad);
	rc = crypto_seal(key, pin, FINCHECK_PIN_LEN, aad, sealed, sizeof(sealed), &len) == 0
		? DB_OK : DB_ERR;
	explicit_bzero(pin, sizeof(pin));
	if (rc == DB_OK)
		rc = db_exec(db, sql_supersede, DB_ARGS(DB_I64(order_id)), NULL, NULL);
	if (rc == DB_OK)
		rc = db_exec(db, sql_insert,
			     DB_ARGS(DB_I64(order_id), DB_STR(ref), DB_BLOB(sealed, len)), NULL, &got);
	if (rc == DB_OK)
		rc = changes_note(db, order_id);
	*id = (long long)got;
	return rc;
}

int fincheck_hall(struct db *db, struct arena *a, long long channel_id, bool *on)
{
	static const char sql[] = "SELECT fin_after_approval FROM channels WHERE id = ?";
	struct db_rows rows;
	int rc = db_query(db, a, sql, DB_ARGS(DB_I64(channel_id)), &rows);

	*on = rc == DB_OK && rows.nrows == 1 && eq(db_cell(&rows, 0, 0), "1");
	return rc;
}

int fincheck_latest(struct db *db, struct arena *a, long long order_id, struct fincheck_row *out)
{
	struct db_rows rows;
	int rc = db_query(db, a, sql_latest, DB_ARGS(DB_I64(order_id)), &rows);

	*out = (struct fincheck_row){ .state = "", .message = "", .ref = "" };
	if (rc != DB_OK || rows.nrows != 1)
		return rc;
	out->state = db_cell(&rows, 0, 0);
	out->message = db_cell(&rows, 0, 1);
	out->id = strtoll(db_cell(&rows, 0, 2), NULL, 10);
	out->ref = db_cell(&rows, 0, 3);
	return DB_OK;
}

bool fincheck_pending(const struct fincheck_row *f)
{
	return eq(f->state, "queued") || eq(f->state, "sent");
}

int fincheck_backoff(int tries)
{
	int s = 1;

	for (int i = 1; i < tries && s < FINCHECK_BACKOFF_MAX; i++)
		s *= 2;
	return s < FINCHECK_BACKOFF_MAX ? s : FINCHECK_BACKOFF_MAX;
}

/* ---- the pass */

static const char sql_due[] =
	"SELECT id FROM fin_checks WHERE state IN ('queued', 'sent') AND next_at <= NOW(3) "
	"ORDER BY next_at LIMIT ?";
/* A row is claimed by moving its next_at on: another pass skips it until then. */
static const char sql_claim[] =
	"SELECT f.ref, f.pin_enc, f.order_id, o.order_no, f.state, f.tries FROM fin_checks f "
	"JOIN orders o ON o.id = f.order_id "
	"WHERE f.id = ? AND f.state IN ('queued', 'sent') AND f.next_at <= NOW(3) FOR UPDATE";
static const char sql_claimed[] =
	"UPDATE fin_checks SET tries = tries + 1, next_at = NOW(3) + INTERVAL ? SECOND WHERE id = ?";
/* Asked again after fincheck_backoff(tries) seconds. */
static const char sql_later[] =
	"UPDATE fin_checks SET next_at = NOW(3) + INTERVAL ? SECOND WHERE id = ? "
	"AND state IN ('queued', 'sent')";
static const char sql_sent[] =
	"UPDATE fin_checks SET state = 'sent' WHERE id = ? AND state = 'queued'";
static const char sql_step[] =
	"SELECT data_enc FROM order_steps WHERE order_id = ? AND step = 'financial'";
static const char sql_row_lock[] = "SELECT state FROM fin_checks WHERE id = ? FOR UPDATE";
static const char sql_order_lock[] =
	"SELECT state, handler_mobile_enc FROM orders WHERE id = ? FOR UPDATE";
static const char sql_credited[] =
	"UPDATE fin_checks SET state = 'credited', decided_at = NOW(3) WHERE id = ?";
static const char sql_failed[] =
	"UPDATE fin_checks SET state = 'failed', message = ?, pin_enc = NULL, decided_at = NOW(3) "
	"WHERE id = ?";

struct job {
	struct arena *a;
	const struct crypto_key *key;
	long long id, order_id;
	const char *ref, *no;
	const unsigned char *pin_enc;
	size_t pin_len;
	const unsigned char *step_enc;
	size_t step_len;
	bool claimed, sent;   /* sent: the transfer went out; its credit is asked about */
	int tries;
	const struct verify_result *res;
	char message[4 * VERIFY_MESSAGE_CHARS + 1];
	long long sms_id;
	bool moved;
};

static int claim_tx(struct db *db, void *p)
{
	struct job *j = p;
	struct db_rows rows, step;
	int rc;

	j->claimed = false;
	rc = db_query(db, j->a, sql_claim, DB_ARGS(DB_I64(j->id)), &rows);
	if (rc != DB_OK || rows.nrows != 1)
		return rc;
	j->ref = db_cell(&rows, 0, 0);
	j->pin_enc = (const unsigned char *)db_cell(&rows, 0, 1);
	j->pin_len = rows.len[1];
	j->order_id = strtoll(db_cell(&rows, 0, 2), NULL, 10);
	j->no = db_cell(&rows, 0, 3);
	j->sent = eq(db_cell(&rows, 0, 4), "sent");
	j->tries = (int)strtol(db_cell(&rows, 0, 5), NULL, 10) + 1;
	rc = db_query(db, j->a, sql_step, DB_ARGS(DB_I64(j->order_id)), &step);
	if (rc != DB_OK)
		return rc;
	j->step_enc = step.nrows == 1 ? (const unsigned char *)db_cell(&step, 0, 0) : NULL;
	j->step_len = step.nrows == 1 ? step.len[0] : 0;
	rc = db_exec(db, sql_claimed, DB_ARGS(DB_I64(FINCHECK_RETRY_SECONDS), DB_I64(j->id)), NULL,
		     NULL);
	j->claimed = rc == DB_OK;
	return rc;
}

static int settle_tx(struct db *db, void *p)
{
	struct job *j = p;
	struct db_rows row, ord;
	char mobile[ORDER_MOBILE_MAX];
	json_t *params;
	int rc;

	j->sms_id = 0;
	j->moved = false;
	rc = db_query(db, j->a, sql_row_lock, DB_ARGS(DB_I64(j->id)), &row);
	if (rc == DB_OK)
		rc = db_query(db, j->a, sql_order_lock, DB_ARGS(DB_I64(j->order_id)), &ord);
	/* Replaced meanwhile (the applicant re-entered the account): the newer row counts. */
	if (rc != DB_OK || row.nrows != 1 || ord.nrows != 1 ||
	    !(eq(db_cell(&row, 0, 0), "queued") || eq(db_cell(&row, 0, 0), "sent")))
		return rc;
	/* Sent, not yet credited: the bank is asked again later. */
	if (j->res->state == VERIFY_PENDING) {
		rc = db_exec(db, sql_sent, DB_ARGS(DB_I64(j->id)), NULL, NULL);
		if (rc == DB_OK)
			rc = db_exec(db, sql_later, DB_ARGS(DB_I64(fincheck_backoff(j->tries)),
							    DB_I64(j->id)), NULL, NULL);
		return rc == DB_OK && !j->sent
			? order_note(db, j->order_id, "fin_check_sent", "system", 0, true, "")
			: rc;
	}
	if (j->res->state == VERIFY_PASSED) {
		rc = db_exec(db, sql_credited, DB_ARGS(DB_I64(j->id)), NULL, NULL);
		return rc == DB_OK ? order_note(db, j->order_id, "fin_check_passed", "system", 0, true,
						"向单位基本户打款 0.01 元已入账，证书PIN码已随转账附言发送，请向贵单位财务人员获取。")
				   : rc;
	}
	rc = db_exec(db, sql_failed, DB_ARGS(DB_STR(j->message), DB_I64(j->id)), NULL, NULL);
	if (rc != DB_OK || order_state_parse(db_cell(&ord, 0, 0)) != ORDER_APPROVED)
		return rc;
	rc = order_move(db, j->order_id, ORDER_APPROVED, ORDER_VERIFY_FAILED, -1, ORDER_BY_SYSTEM);
	if (rc != DB_OK)
		return rc == ORDER_STALE ? DB_RETRY : rc;
	j->moved = true;
	rc = order_event(db, j->order_id, "fin_check_failed", ORDER_APPROVED, ORDER_VERIFY_FAILED,
			 "system", 0, true,
			 j->message[0] ? j->message : "向单位基本户的 0.01 元打款未能入账。");
	if (rc != DB_OK || order_mobile_open(j->key, db_cell(&ord, 0, 1), ord.len[1], mobile) < 0)
		return rc;
	params = json_pack("{s:s}", "order_no", j->no);
	rc = params ? outbox_add(db, j->a, j->key, "sms", "fin_check_failed", mobile, params,
				 j->order_id, &j->sms_id)
		    : DB_ERR;
	json_decref(params);
	explicit_bzero(mobile, sizeof(mobile));
	return rc;
}

/* Records what the gateway said of a claimed row (res), or, when it did not answer, when
 * to ask again. */
static int record(struct db *db, struct job *j, int rc, const struct verify_result *res,
		  const char *err, struct fincheck_stats *st)
{
	if (rc != VERIFY_OK) {
		/* err names the gateway's answer, never the memo. */
		log_warn("fin check %lld (order %s): %s; tried again later", j->id, j->no, err);
		st->retry++;
		return db_exec(db, sql_later, DB_ARGS(DB_I64(fincheck_backoff(j->tries)),
						      DB_I64(j->id)), NULL, NULL);
	}
	snprintf(j->message, sizeof(j->message), "%s", res->state == VERIFY_FAILED ? res->message : "");
	mask_text(j->message);
	j->res = res;
	rc = db_tx(db, settle_tx, j);
	if (rc != DB_OK)
		return rc;
	if (res->state == VERIFY_FAILED)
		st->failed++;
	else if (res->state == VERIFY_PASSED)
		st->credited++;
	return DB_OK;
}

/* Asks the gateway whether a sent row's transfer was credited. */
static int query_one(struct db *db, const struct conf *c, struct job *j, struct fincheck_stats *st)
{
	struct verify_result res;
	struct provider p;
	char err[256];

	verify_provider(c, &p);
	return record(db, j, verify_transfer_query(&p, j->ref, &res, err, sizeof(err)), &res, err,
		      st);
}

/* Sends one claimed row's transfer and records what the gateway said. */
static int send_one(struct db *db, const struct conf *c, struct job *j, struct fincheck_stats *st)
{
	struct verify_check chk = { .subject = "enterprise", .method = "transfer" };
	struct verify_result res;
	struct provider p;
	char pin[FINCHECK_PIN_LEN + 1], aad[96], err[256];
	json_t *fin;
	size_t n = 0;
	int rc;

	pin_aad(j->ref, aad);
	fin = j->step_enc ? order_steps_open(j->key, j->a, j->order_id, "financial", j->step_enc,
					     j->step_len)
			  : NULL;
	if (!fin || !j->pin_enc || j->pin_len > PIN_SEALED_MAX ||
	    crypto_open(j->key, j->pin_enc, j->pin_len, aad, (unsigned char *)pin,
			FINCHECK_PIN_LEN, &n) < 0 || n != FINCHECK_PIN_LEN) {
		log_error("fin check %lld (order %s): the account or the sealed PIN does not open",
			  j->id, j->no);
		st->retry++;
		return DB_OK;
	}
	pin[n] = '\0';
	chk.account_name = order_step_str(fin, "account_name");
	chk.account_no = order_step_str(fin, "account_no");
	chk.bank = order_step_str(fin, "bank");
	chk.memo = pin;
	chk.ref = j->ref;
	verify_provider(c, &p);
	rc = verify_start(&p, &chk, &res, err, sizeof(err));
	explicit_bzero(pin, sizeof(pin));
	if (rc == VERIFY_OK)
		st->sent++;
	return record(db, j, rc, &res, err, st);
}

static const char sql_credited_pin[] =
	"SELECT ref, pin_enc FROM fin_checks WHERE order_id = ? AND state = 'credited' "
	"AND pin_enc IS NOT NULL ORDER BY id DESC LIMIT 1";

int fincheck_pin_open(struct db *db, struct arena *a, const struct crypto_key *key,
		      long long order_id, char pin[FINCHECK_PIN_LEN + 1])
{
	struct db_rows rows;
	char aad[96];
	size_t n = 0;
	int rc = db_query(db, a, sql_credited_pin, DB_ARGS(DB_I64(order_id)), &rows);

	pin[0] = '\0';
	if (rc != DB_OK || rows.nrows != 1)
		return rc;
	pin_aad(db_cell(&rows, 0, 0), aad);
	if (rows.len[1] > PIN_SEALED_MAX ||
	    crypto_open(key, (const unsigned char *)db_cell(&rows, 0, 1), rows.len[1], aad,
			(unsigned char *)pin, FINCHECK_PIN_LEN, &n) < 0 ||
	    n != FINCHECK_PIN_LEN) {
		explicit_bzero(pin, FINCHECK_PIN_LEN + 1);
		return DB_ERR;
	}
	pin[n] = '\0';
	return DB_OK;
}

static int run_one(struct db *db, struct arena *a, const struct conf *c,
		   const struct crypto_key *key, long long id, struct fincheck_stats *st)
{
	struct job j = { .a = a, .key = key, .id = id };
	struct outbox_stats ost = { 0 };
	int rc = db_tx(db, claim_tx, &j);

	if (rc != DB_OK || !j.claimed)
		return rc;
	rc = j.sent ? query_one(db, c, &j, st) : send_one(db, c, &j, st);
	/* The SMS of a failure goes now; what does not, the outbox runner sends later. */
	if (rc == DB_OK && j.sms_id &&
	    outbox_run(db, a, c, key, &j.sms_id, 1, &ost) != DB_OK)
		log_warn("fin check %lld: the failure SMS waits for the outbox runner", id);
	return rc;
}

int fincheck_run(struct db *db, struct arena *a, const struct conf *c, const struct crypto_key *key,
		 const long long *ids, size_t n, struct fincheck_stats *st)
{
	struct db_rows due;
	int rc = DB_OK;

	if (ids) {
		for (size_t i = 0; i < n && rc == DB_OK; i++)
			rc = run_one(db, a, c, key, ids[i], st);
		return rc;
	}
	rc = db_query(db, a, sql_due, DB_ARGS(DB_I64(BATCH)), &due);
	for (size_t i = 0; rc == DB_OK && i < due.nrows; i++)
		rc = run_one(db, a, c, key, strtoll(db_cell(&due, i, 0), NULL, 10), st);
	return rc;
}
