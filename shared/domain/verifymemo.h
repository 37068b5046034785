/* verifymemo: the 6-digit memo of a corporate-transfer check (the 0.01 transfer the enterprise
 * step sends, 企业对公打款认证), derived from the check's reference under the hall's key, so that
 * nothing has to keep it; and, where the order's PIN travels in that memo (002 "证书密码在对公
 * 账户收款1分钱记录附言中查询"), the PIN it carried. */
#ifndef CERTHALL_VERIFYMEMO_H
#define CERTHALL_VERIFYMEMO_H

#include "base/arena.h"
#include "crypto/crypto.h"
#include "db/db.h"

#define VERIFYMEMO_LEN 6

/* The memo code of the transfer check ref. */
void verifymemo_code(const struct crypto_key *k, const char *ref, char out[VERIFYMEMO_LEN + 1]);

/* The memo of the order's passed corporate-transfer check of the enterprise into pin: the PIN
 * an order whose pin_delivery is transfer_memo has its key made with, where no 0.01 transfer
 * after approval carries one (shared/domain/fincheck.h). "" when the order has no such check.
 * Returns a DB_* code. */
int verifymemo_pin(struct db *db, struct arena *a, const struct crypto_key *k, long long order_id,
		   char pin[VERIFYMEMO_LEN + 1]);

#endif
