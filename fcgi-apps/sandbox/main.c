/* certhall-sandbox: the dev and test stand-in for third parties: SMS gateway, mail sink,
 * identity checks, payments, couriers, the CA. */
#include "base/log.h"
#include "sandbox.h"
#include "web/serve.h"

static const struct route routes[] = {
	{ "POST", "/sandbox/sms", sandbox_sms_send, ROUTE_PUBLIC, 0 },
	{ "GET", "/sandbox/sms", sandbox_sms_query, ROUTE_PUBLIC, 0 },
	{ "POST", "/sandbox/sms2", sandbox_sms2_send, ROUTE_PUBLIC, 0 },
	{ "GET", "/sandbox/sms2", sandbox_sms2_query, ROUTE_PUBLIC, 0 },
	{ "POST", "/sandbox/mail", sandbox_mail_send, ROUTE_PUBLIC, 0 },
	{ "GET", "/sandbox/mail", sandbox_mail_query, ROUTE_PUBLIC, 0 },
	{ "GET", "/sandbox/control", sandbox_control_get, ROUTE_PUBLIC, 0 },
	{ "POST", "/sandbox/control", sandbox_control_set, ROUTE_PUBLIC, 0 },
	{ "GET", "/sandbox/control/sms2", sandbox_control2_get, ROUTE_PUBLIC, 0 },
	{ "POST", "/sandbox/control/sms2", sandbox_control2_set, ROUTE_PUBLIC, 0 },
	{ "POST", "/sandbox/reset", sandbox_reset, ROUTE_PUBLIC, 0 },
	{ "GET", "/sandbox/messages", sandbox_messages, ROUTE_PUBLIC, 0 },
	{ "GET", "/sandbox/messages/stats", sandbox_messages_stats, ROUTE_PUBLIC, 0 },
	/* verify.c: identity checks (enterprise and handler) */
	{ "POST", "/sandbox/verify/checks", sandbox_verify_check, ROUTE_PUBLIC, 0 },
	{ "GET", "/sandbox/verify/checks/:ref", sandbox_verify_check_get, ROUTE_PUBLIC, 0 },
	{ "POST", "/sandbox/verify/checks/:ref/complete", sandbox_verify_complete, ROUTE_PUBLIC, 0 },
	{ "POST", "/sandbox/verify/transfers", sandbox_verify_transfer, ROUTE_PUBLIC, 0 },
	{ "GET", "/sandbox/verify/transfers", sandbox_verify_transfers, ROUTE_PUBLIC, 0 },
	{ "GET", "/sandbox/verify/transfers/:ref", sandbox_verify_transfer_get, ROUTE_PUBLIC, 0 },
	{ "POST", "/sandbox/verify/transfers/:ref/complete", sandbox_verify_transfer_complete, ROUTE_PUBLIC, 0 },
	{ "POST", "/sandbox/verify/script", sandbox_verify_script, ROUTE_PUBLIC, 0 },
	{ "GET", "/sandbox/verify/face/:ref", sandbox_verify_face, ROUTE_PUBLIC, 0 },
	{ "GET", "/sandbox/verify/face/:ref/info", sandbox_verify_face_info, ROUTE_PUBLIC, 0 },
	/* pay.c: payments */
	{ "POST", "/sandbox/pay/orders", sandbox_pay_create, ROUTE_PUBLIC, 0 },
	{ "GET", "/sandbox/pay/orders/:pay_no", sandbox_pay_query, ROUTE_PUBLIC, 0 },
	{ "GET", "/sandbox/pay/orders/:pay_no/payer", sandbox_pay_payer, ROUTE_PUBLIC, 0 },
	{ "POST", "/sandbox/pay/orders/:pay_no/close", sandbox_pay_close, ROUTE_PUBLIC, 0 },
	{ "POST", "/sandbox/pay/orders/:pay_no/complete", sandbox_pay_complete, ROUTE_PUBLIC, 0 },
	{ "GET", "/sandbox/pay/orders/:pay_no/notification", sandbox_pay_notification, ROUTE_PUBLIC, 0 },
	{ "POST", "/sandbox/pay/control", sandbox_pay_control, ROUTE_PUBLIC, 0 },
	/* courier.c: couriers */
	{ "GET", "/sandbox/courier/tracks/:carrier/:number", sandbox_courier_track, ROUTE_PUBLIC, 0 },
	{ "POST", "/sandbox/courier/tracks", sandbox_courier_script, ROUTE_PUBLIC, 0 },
	/* ca.c: the CA's EJBCA REST subset; the mutual-TLS server of nginx/dev-ca.conf.in alone
	 * routes here, and the handlers check the client certificate nginx verified. */
	{ "POST", "/ejbca/ejbca-rest-api/v1/certificate/pkcs10enroll", sandbox_ca_enroll, ROUTE_PUBLIC, 0 },
	{ "PUT", "/ejbca/ejbca-rest-api/v1/certificate/:issuer_dn/:serial/revoke", sandbox_ca_revoke, ROUTE_PUBLIC, 0 },
	{ "GET", "/ejbca/ejbca-rest-api/v1/ca/:issuer_dn/getLatestCrl", sandbox_ca_crl, ROUTE_PUBLIC, 0 },
	{ "POST", "/ejbca/ejbca-rest-api/v2/certificate/search", sandbox_ca_search, ROUTE_PUBLIC, 0 },
	/* Not EJBCA's: the CA's token management beside it (shared/ext/ca.h ca_unblock). */
	{ "POST", "/ejbca/ejbca-rest-api/v1/token/:serial/unblock", sandbox_ca_unblock, ROUTE_PUBLIC, 0 },
	/* token.c: the sandbox token */
	{ "POST", "/sandbox/token", sandbox_token, ROUTE_PUBLIC, 0 },
	/* ca_counter.c: a certificate the CA's counter issued, outside the hall */
	{ "POST", "/sandbox/ca/counter", sandbox_ca_counter, ROUTE_PUBLIC, 0 },
	{ "GET", "/sandbox/token/inserted", sandbox_token_inserted, ROUTE_PUBLIC, 0 },
	{ "POST", "/sandbox/token/:serial/sign", sandbox_token_sign, ROUTE_PUBLIC, 0 },
	{ "POST", "/sandbox/token/:serial/csr", sandbox_token_csr, ROUTE_PUBLIC, 0 },
	{ "POST", "/sandbox/token/:serial/unlock-challenge", sandbox_token_unlock_challenge, ROUTE_PUBLIC, 0 },
	{ "POST", "/sandbox/token/:serial/unlock", sandbox_token_unlock, ROUTE_PUBLIC, 0 },
	{ "GET", "/sandbox/health", serve_health, ROUTE_PUBLIC, 0 },
};

/*
 * The sandbox keeps its tables to itself: created here, never in schema/, so a production
 * database never has them. idem_key is deliberately not unique: a real gateway does not
 * deduplicate, and the exactly-once tests must see a second send if the outbox makes one.
 */
static const char *const tables[] = {
	/* verify.c: scripted outcomes (keys as SHA-256), checks, 0.01 transfers and their memos. */
	"CREATE TABLE IF NOT EXISTS sandbox_verify_scripts ("
	" key_hash CHAR(64) CHARACTER SET ascii NOT NULL PRIMARY KEY,"
	" outcome VARCHAR(12) CHARACTER SET ascii NOT NULL,"
	" updated_at DATETIME(3) NOT NULL"
	") ENGINE=InnoDB",
	"CREATE TABLE IF NOT EXISTS sandbox_verify_checks ("
	" ref VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,"
	" method VARCHAR(16) CHARACTER SET ascii NOT NULL,"
	" state VARCHAR(8) CHARACTER SET ascii NOT NULL,"
	" message VARCHAR(200) NOT NULL,"
	" link VARCHAR(500) CHARACTER SET ascii NOT NULL,"
	" key_hashes VARCHAR(300) CHARACTER SET ascii NOT NULL,"
	" created_at DATETIME(3) NOT NULL,"
	" decided_at DATETIME(3) NULL"
	") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci",
	"CREATE TABLE IF NOT EXISTS sandbox_verify_transfers ("
	" ref VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,"
	" account_hash CHAR(64) CHARACTER SET ascii NOT NULL,"
	" account_name VARCHAR(100) NOT NULL,"
	" bank VARCHAR(100) NOT NULL,"
	" amount_fen INT NOT NULL,"
	" memo VARCHAR(16) CHARACTER SET ascii NOT NULL,"
	" created_at DATETIME(3) NOT NULL,"
	" KEY sandbox_verify_transfers_account (account_hash, created_at)"
	") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci",
	/* Whether the receiving bank credited the transfer (GET .../transfers/:ref): sent until a
	 * developer or a test decides one scripted "wait". */
	"ALTER TABLE sandbox_verify_transfers"
	" ADD COLUMN IF NOT EXISTS state VARCHAR(12) CHARACTER SET ascii NOT NULL DEFAULT 'credited',"
	" ADD COLUMN IF NOT EXISTS message VARCHAR(200) NOT NULL DEFAULT ''",
	"CREATE TABLE IF NOT EXISTS sandbox_messages ("
	" id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,"
	" provider_id VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,"
	" idem_key VARCHAR(128) COLLATE utf8mb4_bin NOT NULL,"
	" channel VARCHAR(8) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,"
	" to_addr VARCHAR(254) COLLATE utf8mb4_bin NOT NULL,"
	" template VARCHAR(128) NOT NULL,"
	" params TEXT NULL,"
	" subject VARCHAR(255) NULL,"
	" `text` MEDIUMTEXT NOT NULL,"
	" received_at DATETIME(3) NOT NULL,"
	" KEY sandbox_messages_idem (idem_key),"
	" KEY sandbox_messages_to (to_addr)"
	") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci",
	/* Which gateway took a message (1: /sandbox/sms and mail, 2: /sandbox/sms2); added to a
	 * table an older sandbox made. */
	"ALTER TABLE sandbox_messages ADD COLUMN IF NOT EXISTS gateway TINYINT UNSIGNED NOT NULL DEFAULT 1",
	"CREATE TABLE IF NOT EXISTS sandbox_control ("
	" id TINYINT UNSIGNED NOT NULL PRIMARY KEY,"
	" fail_ppm INT NOT NULL,"
	" timeout_ppm INT NOT NULL,"
	" timeout_mode VARCHAR(8) NOT NULL,"
	" permanent_numbers TEXT NOT NULL,"
	" permanent_ppm INT NOT NULL,"
	" updated_at DATETIME(3) NOT NULL"
	") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci",
	/* pay.c: the provider's orders with the last notification sent, and its one switch. */
	"CREATE TABLE IF NOT EXISTS sandbox_pay_orders ("
	" pay_no CHAR(24) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,"
	" provider_ref VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,"
	" method VARCHAR(8) CHARACTER SET ascii NOT NULL,"
	" amount_fen BIGINT NOT NULL,"
	" subject VARCHAR(200) NOT NULL,"
	" notify_url VARCHAR(500) NOT NULL,"
	" qr_url VARCHAR(500) CHARACTER SET ascii NOT NULL,"
	" state VARCHAR(8) CHARACTER SET ascii NOT NULL,"
	" created_at DATETIME(3) NOT NULL,"
	" paid_at DATETIME(3) NULL,"
	" note_body TEXT NULL,"
	" note_ts VARCHAR(24) CHARACTER SET ascii NULL,"
	" note_sig CHAR(64) CHARACTER SET ascii NULL,"
	" UNIQUE KEY sandbox_pay_ref (provider_ref)"
	") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci",
	/* An H5 order's page brings the payer back here (empty: a QR order); added to a table an
	 * older sandbox made. */
	"ALTER TABLE sandbox_pay_orders ADD COLUMN IF NOT EXISTS return_url VARCHAR(500) NOT NULL DEFAULT ''",
	"CREATE TABLE IF NOT EXISTS sandbox_pay_control ("
	" id TINYINT UNSIGNED NOT NULL PRIMARY KEY,"
	" fail_create TINYINT(1) NOT NULL,"
	" updated_at DATETIME(3) NOT NULL"
	") ENGINE=InnoDB",
	/* courier.c: the tracks tests scripted, and those made up at a number's first query. */
	"CREATE TABLE IF NOT EXISTS sandbox_courier_tracks ("
	" carrier VARCHAR(8) CHARACTER SET ascii NOT NULL,"
	" number VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,"
	" state VARCHAR(16) CHARACTER SET ascii NOT NULL,"
	" events MEDIUMTEXT NOT NULL,"
	" fail VARCHAR(12) CHARACTER SET ascii NOT NULL,"
	" updated_at DATETIME(3) NOT NULL,"
	" PRIMARY KEY (carrier, number)"
	") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci",
	/* ca.c: what the CA issued (revoked or not), and the last CRL each CA signed. */
	"CREATE TABLE IF NOT EXISTS sandbox_ca_certs ("
	" ca_name VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,"
	" serial VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,"
	" username VARCHAR(255) NOT NULL,"
	" subject VARCHAR(512) NOT NULL,"
	" der BLOB NOT NULL,"
	" issued_at DATETIME(3) NOT NULL,"
	" revoked_at DATETIME NULL,"
	" reason TINYINT UNSIGNED NULL,"
	" PRIMARY KEY (ca_name, serial)"
	") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci",
	/* token.c: the keys on the sandbox's tokens (never answered). */
	"CREATE TABLE IF NOT EXISTS sandbox_tokens ("
	" token_serial CHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,"
	" kind VARCHAR(3) CHARACTER SET ascii NOT NULL,"
	" key_pem TEXT CHARACTER SET ascii NOT NULL,"
	" created_at DATETIME(3) NOT NULL"
	") ENGINE=InnoDB",
	/* The key each certificate certifies, so that a token finds the certificates of its key
	 * (token.c); and the token's PIN. Added to tables an older sandbox made. */
	"ALTER TABLE sandbox_ca_certs ADD COLUMN IF NOT EXISTS key_sha256 CHAR(64) CHARACTER SET ascii NULL, "
	"ADD KEY IF NOT EXISTS sandbox_ca_certs_key (key_sha256)",
	"ALTER TABLE sandbox_tokens ADD COLUMN IF NOT EXISTS pin_hash CHAR(64) CHARACTER SET ascii NULL, "
	"ADD COLUMN IF NOT EXISTS key_sha256 CHAR(64) CHARACTER SET ascii NULL",
	/* The token's PIN lock (002: 10 wrong tries), its security officer key (what the CA's token
	 * management unblocks it with) and the unblock challenge it shows. */
	"ALTER TABLE sandbox_tokens ADD COLUMN IF NOT EXISTS pin_tries TINYINT UNSIGNED NOT NULL DEFAULT 0, "
	"ADD COLUMN IF NOT EXISTS so_key CHAR(64) CHARACTER SET ascii NULL, "
	"ADD COLUMN IF NOT EXISTS unlock_challenge VARCHAR(32) CHARACTER SET ascii NULL",
	"CREATE TABLE IF NOT EXISTS sandbox_ca_crls ("
	" ca_name VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,"
	" crl_number BIGINT NOT NULL,"
	" der MEDIUMBLOB NOT NULL,"
	" next_update DATETIME NOT NULL"
	") ENGINE=InnoDB",
};

struct sandbox_worker {
	bool ready;   /* the tables exist */
};

static int create_tables(struct app *app)
{
	struct sandbox_worker *w = app->priv;

	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		int rc = db_exec_once(&app->db, tables[i]);

		if (rc != DB_OK)
			return rc;
	}
	w->ready = true;
	return DB_OK;
}

int sandbox_ready(struct req *r)
{
	struct sandbox_worker *w = r->app->priv;
	int rc;

	if (w->ready)
		return 0;
	rc = create_tables(r->app);
	return rc == DB_OK ? 0 : app_db_error(r, rc);
}

/* A database out of reach at start is no reason to die: the first request tries again. */
static int worker_init(struct app *app)
{
	static struct sandbox_worker w;

	app->priv = &w;
	if (create_tables(app) != DB_OK)
		log_warn("sandbox tables not created yet: the first request tries again");
	return 0;
}

static const struct serve_def sandbox_app = {
	.name = "sandbox",
	.routes = routes,
	.nroutes = sizeof(routes) / sizeof(routes[0]),
	.worker_init = worker_init,
	/* courier.c reads the mailing city off an order's sealed steps, as a courier's label has it. */
	.needs_key = true,
};

int main(int argc, char **argv)
{
	return serve_main(argc, argv, &sandbox_app);
}
