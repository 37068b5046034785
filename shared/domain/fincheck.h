/* fincheck: 001's financial check (金融认证) after approval. "若使用微信支付，深圳 CA 审核成功后
 * SZCA 将向申请单位对公账户打款 0.01 元，并下发证书 PIN 码"; "如付款方式选择支付宝/微信，则需要进行
 * 单位金融认证，证书PIN码将以转账交易附言方式发送至对公账户".
 *
 * At a hall with channels.fin_after_approval, the wizard's transfer check only records the
 * basic account (fcgi-apps/wizard/verify_start.c). The approval of an order whose PIN rides in
 * the memo (rules_pin_delivery "transfer_memo": paid by WeChat or Alipay) queues a fin_checks
 * row: a fresh PIN (CSPRNG), sealed under the PII key, and a fresh ref. A pass after the
 * answer (fincheck_run, like the outbox's) sends the 0.01 transfer through the verify
 * gateway (shared/ext/verify.h, /transfers) with the PIN as its memo:
 *   the gateway's "sent"   -> sent: the bank is asked whether it was credited (GET
 *                             /transfers/<ref>), after fincheck_backoff(tries) seconds;
 *   "credited"             -> credited: the order, still approved, is 成功受理 and may be made;
 *   "failed" (at once or   -> failed: approved -> verify_failed (金融认证失败), the handler gets
 *    when asked)              an SMS; the applicant re-enters the account, which queues a new
 *                             transfer with a new PIN (the old row is superseded);
 *   no answer              -> stays queued or sent, asked again after the backoff.
 * Who runs the pass: the request that queued the row, after its answer; a read of the order
 * (the applicant's or the console's) whose transfer is due, after its answer; and
 * certhall-admin fin-checks (cron or --daemon).
 * The PIN is never logged or answered; its sealed copy goes once the row fails or is replaced.
 */
#ifndef CERTHALL_FINCHECK_H
#define CERTHALL_FINCHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"
#include "base/conf.h"
#include "crypto/crypto.h"
#include "db/db.h"
#include "domain/order.h"

#define FINCHECK_PIN_LEN 6  /* the memo's digits: a PIN as token tools set them (6 to 8) */
#define FINCHECK_RETRY_SECONDS 60  /* a claimed row's lease: another pass skips it */
#define FINCHECK_BACKOFF_MAX 600   /* seconds, the longest wait before asking again */

/* Seconds before a row is asked about again after its tries-th attempt (1, 2, ...): 1, 2, 4,
 * ... up to FINCHECK_BACKOFF_MAX. */
int fincheck_backoff(int tries);

/* Whether the approval of an order starts the transfer: the hall checks after approval, the
 * order mails a key, and its PIN goes in the memo (paid by wechat or alipay: 001 "如付款方式
 * 选择支付宝/微信，则需要进行单位金融认证", or nothing to pay; paid by transfer the PIN goes by
 * SMS). */
bool fincheck_due(bool hall_after_approval, bool ships_key, const char *pin_delivery,
		  const char *pay_method);

/* The PIN of the order's credited transfer, opened for the token it is to be set on (the
 * memo carried it to the organisation's finance: the two must agree); "" when none is held
 * (not credited, or already served to a made key). Returns a DB_* code (DB_ERR: the sealed
 * copy does not open). */
int fincheck_pin_open(struct db *db, struct arena *a, const struct crypto_key *key,
		      long long order_id, char pin[FINCHECK_PIN_LEN + 1]);

/* A PIN of FINCHECK_PIN_LEN uniformly random digits (crypto_random, rejection sampled).
 * Returns 0, or -1 when the random source fails (out is then ""). */
int fincheck_pin(char out[FINCHECK_PIN_LEN + 1]);

/* The order's state as its applicant reads it at such a hall: approved with the transfer
 * credited is 001's "成功受理", approved before it "审核通过，金融认证中", verify_failed after a
 * refused transfer "金融认证失败"; otherwise order_state_zh_as(s, verify_method). fin: the
 * latest fin_checks state ("" none). */
const char *fincheck_state_zh(enum order_state s, const char *verify_method, const char *fin);

/* Whether fincheck_state_zh reads fin for state s: a reader needs the latest check only then. */
bool fincheck_names(enum order_state s);

/* Whether the hall of channel_id checks the basic account after approval
 * (channels.fin_after_approval) into *on. Returns a DB_* code. */
int fincheck_hall(struct db *db, struct arena *a, long long channel_id, bool *on);

/* Inside the caller's transaction: a new transfer for order_id (older open rows superseded).
 * *id: the row, to hand to fincheck_run after the answer. Returns a DB_* code. */
int fincheck_queue(struct db *db, const struct crypto_key *key, long long order_id,
		   long long *id);

/* An order's latest financial check. */
struct fincheck_row {
	long long id;        /* 0: none */
	const char *state;   /* "" none, queued, sent, credited, failed, superseded */
	const char *message; /* masked */
	const char *ref;     /* the transfer's at the gateway */
};

/* The latest row of order_id into *out (state "" when there is none). DB_* codes. */
int fincheck_latest(struct db *db, struct arena *a, long long order_id, struct fincheck_row *out);

/* Whether its transfer is still on its way (queued or sent): a read of the order asks the
 * gateway about it after the answer (app_fincheck_after). */
bool fincheck_pending(const struct fincheck_row *f);

struct fincheck_stats {
	int sent, credited, failed, retry;
};

/* With ids: those queued rows now (the post-response pass). Without (ids NULL): one batch of
 * queued rows that are due. Adds to *st. Returns DB_OK or a database error. */
int fincheck_run(struct db *db, struct arena *a, const struct conf *c, const struct crypto_key *key,
		 const long long *ids, size_t n, struct fincheck_stats *st);

#endif
