/* unlock: the one-time links of approved unlocks. */
#include "domain/unlock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"

static const char sql_grant[] =
	"INSERT INTO unlock_grants (order_id, token_sha256, token_serial, expires_at, created_at) "
	"SELECT o.id, ?, c.token_serial, NOW(3) + INTERVAL ? DAY, NOW(3) FROM orders o "
	"LEFT JOIN certificates c ON c.id = o.target_cert_id WHERE o.id = ?";
#define SQL_FIND \
	"SELECT g.id, g.order_id, o.order_no, COALESCE(c.serial, ''), COALESCE(g.token_serial, ''), " \
	"DATE_FORMAT(g.expires_at, '%Y-%m-%d %H:%i'), g.tries, g.used_at IS NOT NULL, " \
	"g.expires_at <= NOW(3) FROM unlock_grants g JOIN orders o ON o.id = g.order_id " \
	"LEFT JOIN certificates c ON c.id = o.target_cert_id WHERE g.token_sha256 = ?"
static const char sql_find[] = SQL_FIND;
static const char sql_find_lock[] = SQL_FIND " FOR UPDATE";

bool unlock_token_valid(const char *s)
{
	return s && strlen(s) == UNLOCK_TOKEN_HEX && strspn(s, "0123456789abcdef") == UNLOCK_TOKEN_HEX;
}

int unlock_grant(struct db *db, const struct conf *c, long long order_id,
		 char token[UNLOCK_TOKEN_HEX + 1], json_t **params)
{
	char hash[2 * CRYPTO_SHA256_LEN + 1], days[8], link[CONF_STR_MAX + 64];
	int rc;

	*params = NULL;
	if (crypto_token_hex(token, UNLOCK_TOKEN_HEX + 1, UNLOCK_TOKEN_HEX / 2) < 0)
		return DB_ERR;
	crypto_sha256_hex(token, UNLOCK_TOKEN_HEX, hash);
	rc = db_exec(db, sql_grant, DB_ARGS(DB_STR(hash), DB_I64(UNLOCK_DAYS), DB_I64(order_id)), NULL,
		     NULL);
	if (rc != DB_OK)
		return rc;
	/* The token rides in the fragment: no server's access log records it. */
	snprintf(link, sizeof(link), "%s/unlock.html#%s", c->public_url, token);
	snprintf(days, sizeof(days), "%d", UNLOCK_DAYS);
	*params = json_pack("{s:s, s:s}", "link", link, "days", days);
	return *params ? DB_OK : DB_ERR;
}

int unlock_find(struct db *db, struct arena *a, const char *token, bool lock, struct unlock_link *l,
		bool *found)
{
	char hash[2 * CRYPTO_SHA256_LEN + 1];
	struct db_rows rows;
	int rc;

	*found = false;
	if (!unlock_token_valid(token))
		return DB_OK;
	crypto_sha256_hex(token, UNLOCK_TOKEN_HEX, hash);
	rc = db_query(db, a, lock ? sql_find_lock : sql_find, DB_ARGS(DB_STR(hash)), &rows);
	if (rc != DB_OK || rows.nrows != 1)
		return rc;
	*l = (struct unlock_link){
		.id = strtoll(db_cell(&rows, 0, 0), NULL, 10),
		.order_id = strtoll(db_cell(&rows, 0, 1), NULL, 10),
		.order_no = db_cell(&rows, 0, 2),
		.cert_serial = db_cell(&rows, 0, 3),
		.token_serial = db_cell(&rows, 0, 4),
		.expires_at = db_cell(&rows, 0, 5),
		.tries = (int)strtol(db_cell(&rows, 0, 6), NULL, 10),
		.used = strcmp(db_cell(&rows, 0, 7), "1") == 0,
		.expired = strcmp(db_cell(&rows, 0, 8), "1") == 0,
	};
	*found = true;
	return DB_OK;
}
