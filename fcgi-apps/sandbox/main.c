/* certhall-sandbox: the dev and test stand-in for third parties: SMS gateway, mail sink,
 * identity checks, payments, couriers. */
#include "log.h"
#include "sandbox.h"

static const struct route routes[] = {
	{ "POST", "/sandbox/sms", sandbox_sms_send, 0 },
	{ "GET", "/sandbox/sms", sandbox_sms_query, 0 },
	{ "POST", "/sandbox/mail", sandbox_mail_send, 0 },
	{ "GET", "/sandbox/mail", sandbox_mail_query, 0 },
	{ "GET", "/sandbox/control", sandbox_control_get, 0 },
	{ "POST", "/sandbox/control", sandbox_control_set, 0 },
	{ "POST", "/sandbox/reset", sandbox_reset, 0 },
	{ "GET", "/sandbox/messages", sandbox_messages, 0 },
	{ "GET", "/sandbox/messages/stats", sandbox_messages_stats, 0 },
	/* verify.c: identity checks (enterprise and handler) */
	/* pay.c: payments */
	/* courier.c: couriers */
	{ "GET", "/sandbox/health", app_health, 0 },
};

/*
 * The sandbox keeps its tables to itself: created here, never in schema/, so a production
 * database never has them. idem_key is deliberately not unique: a real gateway does not
 * deduplicate, and the exactly-once tests must see a second send if the outbox makes one.
 */
static const char *const tables[] = {
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
	"CREATE TABLE IF NOT EXISTS sandbox_control ("
	" id TINYINT UNSIGNED NOT NULL PRIMARY KEY,"
	" fail_ppm INT NOT NULL,"
	" timeout_ppm INT NOT NULL,"
	" timeout_mode VARCHAR(8) NOT NULL,"
	" permanent_numbers TEXT NOT NULL,"
	" permanent_ppm INT NOT NULL,"
	" updated_at DATETIME(3) NOT NULL"
	") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci",
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

static const struct app_def sandbox_app = {
	.name = "sandbox",
	.routes = routes,
	.nroutes = sizeof(routes) / sizeof(routes[0]),
	.worker_init = worker_init,
};

int main(int argc, char **argv)
{
	return app_main(argc, argv, &sandbox_app);
}
