/* verifymemo: transfer-check memo codes, and the PIN one carried. */
#include "domain/verifymemo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char sql_passed[] =
	"SELECT provider_ref FROM verifications WHERE order_id = ? AND subject = 'enterprise' "
	"AND method = 'transfer' AND state = 'passed' AND provider_ref IS NOT NULL "
	"ORDER BY id DESC LIMIT 1";

void verifymemo_code(const struct crypto_key *k, const char *ref, char out[VERIFYMEMO_LEN + 1])
{
	char hex[2 * CRYPTO_SHA256_LEN + 1];

	crypto_index_hex(k, "verify-memo", ref, strlen(ref), hex);
	hex[12] = '\0';
	snprintf(out, VERIFYMEMO_LEN + 1, "%06llu", strtoull(hex, NULL, 16) % 1000000ULL);
}

int verifymemo_pin(struct db *db, struct arena *a, const struct crypto_key *k, long long order_id,
		   char pin[VERIFYMEMO_LEN + 1])
{
	struct db_rows rows;
	int rc = db_query(db, a, sql_passed, DB_ARGS(DB_I64(order_id)), &rows);

	pin[0] = '\0';
	if (rc == DB_OK && rows.nrows == 1)
		verifymemo_code(k, db_cell(&rows, 0, 0), pin);
	return rc;
}
