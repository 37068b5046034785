/* certhall-admin seed: demo channels, orders and certificates; bench orders for make bench. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "admin.h"
#include "base/log.h"
#include "domain/mask.h"
#include "domain/order.h"
#include "domain/orderno.h"
#include "crypto/password.h"
#include "domain/smscode.h"

#define DEMO_MOBILE "13800138000"

struct demo_event {
	const char *kind;
	enum order_state state_to;
	int hours_ago;
	const char *note;
};

struct demo_order {
	const char *channel, *business, *kind;
	enum order_state state;
	const char *subject;
	struct demo_event ev[8];
};

/* One order per kind of path a hall takes (DOMAIN.md), so tracking shows each timeline. */
static const struct demo_order demo_orders[] = {
	{ "bjca-zycg", "new", "org", ORDER_REVIEWING, "北京数安示范科技有限公司",
	  { { "created", ORDER_DRAFT, 50, "" }, { "paid", ORDER_REVIEWING, 49, "" },
	    { "submitted", ORDER_REVIEWING, 49, "" } } },
	{ "jxca-js", "new", "org", ORDER_PAPER_REVIEW, "江西赣建示范工程有限公司",
	  { { "created", ORDER_DRAFT, 120, "" }, { "submitted", ORDER_PRE_REVIEW, 119, "" },
	    { "pre_review_passed", ORDER_PENDING_PAYMENT, 96, "" },
	    { "paid", ORDER_AWAITING_PAPER, 95, "" },

	    { "paper_sent", ORDER_PAPER_REVIEW, 94, "顺丰速运 SF1402345678901" },
	    { "paper_received", ORDER_PAPER_REVIEW, 70, "" } } },
	{ "szca", "lost", "legal_rep", ORDER_SHIPPED, "深圳鹏城示范贸易有限公司",
	  { { "created", ORDER_DRAFT, 200, "" }, { "paid", ORDER_REVIEWING, 199, "" },
	    { "submitted", ORDER_REVIEWING, 199, "" }, { "approved", ORDER_MAKING, 150, "" },
	    { "key_made", ORDER_MAKING, 140, "" },
	    { "shipped", ORDER_SHIPPED, 30, "顺丰速运 SF1311234567890" } } },
	{ "netca-gd", "renew", "org", ORDER_DONE, "广州粤采示范咨询有限公司",
	  { { "created", ORDER_DRAFT, 300, "" }, { "paid", ORDER_REVIEWING, 299, "" },
	    { "submitted", ORDER_REVIEWING, 299, "" }, { "approved", ORDER_DONE, 280, "" },
	    { "done", ORDER_DONE, 280, "" } } },
	{ "bjca-zycg", "change", "org", ORDER_RETURNED, "北京数安示范科技有限公司",
	  { { "created", ORDER_DRAFT, 80, "" }, { "submitted", ORDER_REVIEWING, 79, "" },
	    { "returned", ORDER_RETURNED, 30, "营业执照复印件未加盖单位公章，请盖章后重新上传。" } } },
	{ "cecep", "lost", "org", ORDER_DRAFT, "中节能示范环保有限公司",
	  { { "created", ORDER_DRAFT, 5, "" } } },
};

struct demo_cert {
	const char *serial, *channel, *kind, *holder, *subject;
	int from_days, to_days;  /* relative to today */
	const char *revoked;
	int seal;
	/* The demo account it is bound to (login name) and the subject's USCC or ID number, from
	 * which certificates.subject_idx is made; NULL: bound to nobody. */
	const char *owner, *subject_id;
};

/* 王芳's resident ID, invented for the demo: 440106 (广州市天河区), born 1990-03-07, sequence
 * 222 (even: female), check digit 6 (GB 11643). She gives it as id_number when she applies for a
 * business on her netca-gd certificate. */
#define DEMO_PERSON_ID "440106199003072226"
#define DEMO_ORG_USCC "91350100M000100Y43"

static const struct demo_cert demo_certs[] = {
	{ "712C1B5A584A1BBE", "szca", "legal_rep", "张伟", "深圳鹏城示范贸易有限公司", -400, 330, NULL, 1,
	  NULL, NULL },
	{ "5A1F00C3D2E4B6A7", "bjca-zycg", "org", "李娜", "北京数安示范科技有限公司", -700, 60, NULL, 1,
	  DEMO_ORG_USCC, DEMO_ORG_USCC },
	{ "3E8B7C6D5A4F2E1D", "netca-gd", "person", "王芳", "", -900, -170, NULL, 0,
	  "13900139000", DEMO_PERSON_ID },
	{ "0F9E8D7C6B5A4930", "bjca-zycg", "org", "刘洋", "北京数安示范科技有限公司", -500, 230,
	  "遗失补办，旧证书已吊销", 1, DEMO_ORG_USCC, DEMO_ORG_USCC },
};

/* Demo logins, printed by make run. Never seed these into a production database. */
#define DEMO_APPLICANT_PASSWORD "Demo2026hall"
#define DEMO_STAFF_PASSWORD "Staff2026hall"

static const struct {
	const char *kind, *login, *name, *mobile;
} demo_accounts[] = {
	{ "org", DEMO_ORG_USCC, "北京数安示范科技有限公司", DEMO_MOBILE },
	{ "person", "13900139000", "王芳", "13900139000" },
};

static const struct {
	const char *username, *name, *role;
} demo_staff[] = {
	{ "reviewer", "审核员（演示）", "reviewer" },
	{ "finance", "财务（演示）", "finance" },
	{ "shipping", "制证发货（演示）", "shipping" },
};

static const char sql_account[] =
	"INSERT IGNORE INTO accounts (kind, login_name, display_name, password_hash, mobile_enc, mobile_idx, "
	"mobile_mask, uscc, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, IF(? = 'org', ?, NULL), "
	"NOW(3), NOW(3))";
static const char sql_staff[] =
	"INSERT IGNORE INTO staff (username, display_name, role, password_hash, created_at, updated_at) "
	"VALUES (?, ?, ?, ?, NOW(3), NOW(3))";

static const char sql_channel[] = "SELECT id FROM channels WHERE code = ?";
static const char sql_order[] =
	"INSERT INTO orders (order_no, channel_id, business_type, cert_kind, state, subject_name, "
	"handler_mobile_enc, created_at, updated_at, submitted_at) VALUES (?, ?, ?, ?, ?, ?, ?, "
	"NOW(3) - INTERVAL ? HOUR, NOW(3) - INTERVAL ? HOUR, IF(? >= 0, NOW(3) - INTERVAL ? HOUR, NULL))";
static const char sql_event[] =
	"INSERT INTO order_events (order_id, at, kind, state_to, actor_type, public, note) "
	"VALUES (?, NOW(3) - INTERVAL ? HOUR, ?, ?, ?, 1, ?)";
static const char sql_cert[] =
	"INSERT IGNORE INTO certificates (serial, channel_id, kind, holder_name, subject_name, "
	"not_before, not_after, first_issued, has_seal, state, revoked_at, revoke_reason) "
	"VALUES (?, ?, ?, ?, ?, CURDATE() + INTERVAL ? DAY, CURDATE() + INTERVAL ? DAY, "
	"CURDATE() + INTERVAL ? DAY, ?, IF(? IS NULL, 'valid', 'revoked'), "
	"IF(? IS NULL, NULL, NOW(3) - INTERVAL 2 DAY), ?)";
/* Only a certificate bound to nobody yet: an older demo database gets its owners, and a
 * binding made since (by the hall) is never moved. */
static const char sql_bind[] =
	"UPDATE certificates SET account_id = (SELECT id FROM accounts WHERE login_name = ?), "
	"subject_idx = ? WHERE serial = ? AND account_id IS NULL";
static const char sql_get_setting[] = "SELECT value FROM app_settings WHERE name = ?";
static const char sql_set_setting[] =
	"INSERT INTO app_settings (name, value) VALUES (?, ?) ON DUPLICATE KEY UPDATE value = VALUES(value)";

static long long channel_id(struct admin *ad, const char *code)
{
	struct db_rows rows;

	if (db_query(&ad->db, &ad->arena, sql_channel, DB_ARGS(DB_STR(code)), &rows) != DB_OK ||
	    rows.nrows != 1)
		return -1;
	return strtoll(db_cell(&rows, 0, 0), NULL, 10);
}

/* Inserts one order with a fresh number (drawn again on the rare collision). */
static int insert_order(struct admin *ad, const struct demo_order *o, const char *mobile,
			long long ch, char no[ORDERNO_LEN + 1], unsigned long long *id)
{
	unsigned char enc[64];
	size_t enclen, nev = 0;
	int first, last, submitted = -1, rc = DB_DUP;

	while (nev < 8 && o->ev[nev].kind)
		nev++;
	first = o->ev[0].hours_ago;
	last = o->ev[nev - 1].hours_ago;
	for (size_t i = 0; i < nev; i++)
		if (strcmp(o->ev[i].kind, "submitted") == 0)
			submitted = o->ev[i].hours_ago;
	if (crypto_seal(&ad->key, mobile, strlen(mobile), ORDER_AAD_HANDLER_MOBILE, enc, sizeof(enc),
			&enclen) < 0)
		return DB_ERR;
	for (int tries = 0; tries < 5 && rc == DB_DUP; tries++) {
		if (orderno_make(no, time(NULL), (unsigned)ad->conf.node_id) < 0)
			return DB_ERR;
		rc = db_exec(&ad->db, sql_order,
			     DB_ARGS(DB_STR(no), DB_I64(ch), DB_STR(o->business), DB_STR(o->kind),
				     DB_STR(order_state_str(o->state)), DB_STR(o->subject), DB_BLOB(enc, enclen),
				     DB_I64(first), DB_I64(last), DB_I64(submitted), DB_I64(submitted)),
			     NULL, id);
	}
	for (size_t i = 0; rc == DB_OK && i < nev; i++) {
		const struct demo_event *e = &o->ev[i];

		rc = db_exec(&ad->db, sql_event,
			     DB_ARGS(DB_I64(*id), DB_I64(e->hours_ago), DB_STR(e->kind),
				     DB_STR(order_state_str(e->state_to)),
				     DB_STR(strcmp(e->kind, "created") == 0 || strcmp(e->kind, "paper_sent") == 0 ||
					    strcmp(e->kind, "submitted") == 0 ? "applicant" :
					    strcmp(e->kind, "paid") == 0 ? "system" : "staff"),
				     DB_STR(e->note)),
			     NULL, NULL);
	}
	return rc;
}

struct demo_ctx {
	struct admin *ad;
	char summary[4096];
};

static int create_demo(struct db *db, void *p)
{
	struct demo_ctx *dc = p;
	struct admin *ad = dc->ad;
	size_t o = 0;
	int rc = DB_OK;

	(void)db;
	o += (size_t)snprintf(dc->summary + o, sizeof(dc->summary) - o,
			      "Track an order at /track.html (handler mobile 138****8000: last four digits 8000):\n");
	for (size_t i = 0; rc == DB_OK && i < sizeof(demo_orders) / sizeof(demo_orders[0]); i++) {
		const struct demo_order *d = &demo_orders[i];
		long long ch = channel_id(ad, d->channel);
		char no[ORDERNO_LEN + 1];
		unsigned long long id = 0;

		if (ch < 0)
			return DB_ERR;
		rc = insert_order(ad, d, DEMO_MOBILE, ch, no, &id);
		o += (size_t)snprintf(dc->summary + o, sizeof(dc->summary) - o, "  %s  %-10s %s %s\n",
				      no, d->channel, order_business_name(d->business),
				      order_state_zh(d->state));
	}
	o += (size_t)snprintf(dc->summary + o, sizeof(dc->summary) - o,
			      "Certificates by serial (/api/track/certs/SERIAL):");
	for (size_t i = 0; rc == DB_OK && i < sizeof(demo_certs) / sizeof(demo_certs[0]); i++) {
		const struct demo_cert *c = &demo_certs[i];
		long long ch = channel_id(ad, c->channel);
		struct db_param rev = c->revoked ? DB_STR(c->revoked) : DB_NULL;

		if (ch < 0)
			return DB_ERR;
		rc = db_exec(&ad->db, sql_cert,
			     DB_ARGS(DB_STR(c->serial), DB_I64(ch), DB_STR(c->kind), DB_STR(c->holder),
				     DB_STR(c->subject), DB_I64(c->from_days), DB_I64(c->to_days),
				     DB_I64(c->from_days), DB_I64(c->seal), rev, rev, rev),
			     NULL, NULL);
		o += (size_t)snprintf(dc->summary + o, sizeof(dc->summary) - o, " %s", c->serial);
	}
	if (rc == DB_OK)
		rc = db_exec(&ad->db, sql_set_setting,
			     DB_ARGS(DB_STR("demo.summary"), DB_STR(dc->summary)), NULL, NULL);
	return rc;
}

/* Demo applicant and staff logins, apart from the orders so an older demo database gets them too. */
static int create_logins(struct db *db, void *p)
{
	struct demo_ctx *dc = p;
	struct admin *ad = dc->ad;
	size_t o = 0;
	int rc = DB_OK;

	(void)db;
	o += (size_t)snprintf(dc->summary + o, sizeof(dc->summary) - o,
			      "Applicant logins (password %s):", DEMO_APPLICANT_PASSWORD);
	for (size_t i = 0; rc == DB_OK && i < sizeof(demo_accounts) / sizeof(demo_accounts[0]); i++) {
		char hash[PASSWORD_HASH_MAX], idx[65], masked[20];
		unsigned char enc[64];
		size_t enclen;

		if (password_hash(DEMO_APPLICANT_PASSWORD, ad->conf.scrypt_n_log2, ad->conf.scrypt_r,
				  ad->conf.scrypt_p, hash) < 0 ||
		    crypto_seal(&ad->key, demo_accounts[i].mobile, 11, "accounts.mobile", enc, sizeof(enc),
				&enclen) < 0)
			return DB_ERR;
		smscode_mobile_idx(&ad->key, demo_accounts[i].mobile, idx);
		mask_mobile(demo_accounts[i].mobile, masked, sizeof(masked));
		rc = db_exec(&ad->db, sql_account,
			     DB_ARGS(DB_STR(demo_accounts[i].kind), DB_STR(demo_accounts[i].login),
				     DB_STR(demo_accounts[i].name), DB_STR(hash), DB_BLOB(enc, enclen),
				     DB_STR(idx), DB_STR(masked), DB_STR(demo_accounts[i].kind),
				     DB_STR(demo_accounts[i].login)), NULL, NULL);
		o += (size_t)snprintf(dc->summary + o, sizeof(dc->summary) - o, " %s (%s)",
				      demo_accounts[i].login, demo_accounts[i].name);
	}
	o += (size_t)snprintf(dc->summary + o, sizeof(dc->summary) - o,
			      "\nStaff logins (password %s):", DEMO_STAFF_PASSWORD);
	for (size_t i = 0; rc == DB_OK && i < sizeof(demo_staff) / sizeof(demo_staff[0]); i++) {
		char hash[PASSWORD_HASH_MAX];

		if (password_hash(DEMO_STAFF_PASSWORD, ad->conf.scrypt_n_log2, ad->conf.scrypt_r,
				  ad->conf.scrypt_p, hash) < 0)
			return DB_ERR;
		rc = db_exec(&ad->db, sql_staff, DB_ARGS(DB_STR(demo_staff[i].username), DB_STR(demo_staff[i].name),
							 DB_STR(demo_staff[i].role), DB_STR(hash)), NULL, NULL);
		o += (size_t)snprintf(dc->summary + o, sizeof(dc->summary) - o, " %s", demo_staff[i].username);
	}
	if (rc == DB_OK)
		rc = db_exec(&ad->db, sql_set_setting,
			     DB_ARGS(DB_STR("demo.logins"), DB_STR(dc->summary)), NULL, NULL);
	return rc;
}

/* Binds the demo certificates to the demo accounts ("我的证书"), on every run: a database seeded
 * before the accounts existed gets the binding too. */
static int bind_certs(struct db *db, void *p)
{
	struct admin *ad = p;
	int rc = DB_OK;

	for (size_t i = 0; rc == DB_OK && i < sizeof(demo_certs) / sizeof(demo_certs[0]); i++) {
		const struct demo_cert *c = &demo_certs[i];
		char idx[65];

		if (!c->owner)
			continue;
		crypto_index_hex(&ad->key, "subject", c->subject_id, strlen(c->subject_id), idx);
		rc = db_exec(db, sql_bind, DB_ARGS(DB_STR(c->owner), DB_STR(idx), DB_STR(c->serial)),
			     NULL, NULL);
	}
	return rc;
}

/* Prints the stored summary `name`, or runs fn to create it (and prints what it made). */
static int seed_once(struct admin *ad, const char *name, int (*fn)(struct db *, void *))
{
	struct demo_ctx dc = { .ad = ad };
	struct db_rows rows;

	if (db_query(&ad->db, &ad->arena, sql_get_setting, DB_ARGS(DB_STR(name)), &rows) != DB_OK)
		return 1;
	if (rows.nrows == 1) {
		printf("%s\n", db_cell(&rows, 0, 0));
		return 0;
	}
	if (db_tx(&ad->db, fn, &dc) != DB_OK) {
		fprintf(stderr, "seed: %s not created: %s\n", name, ad->db.last_error);
		return 1;
	}
	printf("%s\n", dc.summary);
	return 0;
}

/* N orders with random handler mobiles; their numbers and mobile tails go to list_path. */
static int seed_bench(struct admin *ad, long n, const char *list_path)
{
	static const struct demo_order tpl = {
		"bjca-zycg", "new", "org", ORDER_REVIEWING, "北京数安示范科技有限公司",
		{ { "created", ORDER_DRAFT, 30, "" }, { "paid", ORDER_REVIEWING, 29, "" },
		  { "submitted", ORDER_REVIEWING, 29, "" } } };
	long long ch = channel_id(ad, tpl.channel);
	FILE *f = fopen(list_path, "w");
	long done = 0;

	if (!f || ch < 0) {
		fprintf(stderr, "seed: %s: %s\n", list_path, f ? "no channel" : strerror(errno));
		if (f)
			fclose(f);
		return 1;
	}
	while (done < n) {
		if (db_exec_once(&ad->db, "START TRANSACTION") != DB_OK)
			break;
		for (long k = 0; k < 1000 && done < n; k++, done++) {
			char no[ORDERNO_LEN + 1], mobile[12];
			unsigned long long id;
			unsigned char r[4];

			crypto_random(r, sizeof(r));
			snprintf(mobile, sizeof(mobile), "139%08u",
				 ((unsigned)r[0] << 24 | (unsigned)r[1] << 16 | (unsigned)r[2] << 8 |
				  r[3]) % 100000000u);
			if (insert_order(ad, &tpl, mobile, ch, no, &id) != DB_OK)
				goto fail;
			fprintf(f, "%s %s\n", no, mobile + 7);
		}
		if (db_exec_once(&ad->db, "COMMIT") != DB_OK)
			goto fail;
		arena_reset(&ad->arena);
	}
	fclose(f);
	printf("seeded %ld bench orders; list in %s\n", done, list_path);
	return 0;
fail:
	fclose(f);
	fprintf(stderr, "seed: bench orders stopped at %ld: %s\n", done, ad->db.last_error);
	return 1;
}

/* Loaded in this order on every run (INSERT IGNORE: a CA's edits survive). materials.sql lives
 * with the upload policy; the rest under schema/seed/. */
static const struct {
	bool policy;
	const char *name;
} seed_files[] = {
	{ false, "channels.sql" }, { false, "fees.sql" }, { false, "templates.sql" }, { false, "agreements.sql" },
	{ false, "holidays.sql" }, { true, "materials.sql" },
	{ false, "reasons.sql" }, { false, "review_templates.sql" },
};

int admin_seed(struct admin *ad, int argc, char **argv)
{
	char path[CONF_STR_MAX + 64];
	const char *list = NULL;
	long bench = 0;
	bool reference = false;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--reference") == 0) {
			reference = true;
		} else if (strcmp(argv[i], "--bench-orders") == 0 && i + 1 < argc) {
			char *end;

			errno = 0;
			bench = strtol(argv[++i], &end, 10);
			if (errno || *end || bench < 1 || bench > 10000000) {
				fprintf(stderr, "seed: --bench-orders takes 1 to 10000000\n");
				return 2;
			}
		} else if (strcmp(argv[i], "--bench-list") == 0 && i + 1 < argc) {
			list = argv[++i];
		} else {
			fprintf(stderr, "usage: certhall-admin seed [--reference | --bench-orders N "
					"--bench-list FILE]\n");
			return 2;
		}
	}
	for (size_t i = 0; i < sizeof(seed_files) / sizeof(seed_files[0]); i++) {
		if (seed_files[i].policy)
			snprintf(path, sizeof(path), "%s/%s", ad->conf.policy_dir, seed_files[i].name);
		else
			snprintf(path, sizeof(path), "%s/seed/%s", ad->conf.schema_dir,
				 seed_files[i].name);
		if (admin_run_sql_file(ad, path) < 0)
			return 1;
	}
	/* Production: the reference data only, never the demo logins and orders. */
	if (reference)
		return 0;
	if (bench)
		return seed_bench(ad, bench, list ? list : "/dev/null");
	if (seed_once(ad, "demo.summary", create_demo) || seed_once(ad, "demo.logins", create_logins))
		return 1;
	if (db_tx(&ad->db, bind_certs, ad) != DB_OK) {
		fprintf(stderr, "seed: demo certificates not bound: %s\n", ad->db.last_error);
		return 1;
	}
	printf("My certificates: %s has 5A1F00C3D2E4B6A7 and 0F9E8D7C6B5A4930 (revoked); "
	       "13900139000 has 3E8B7C6D5A4F2E1D (ID number %s)\n", DEMO_ORG_USCC, DEMO_PERSON_ID);
	return 0;
}
