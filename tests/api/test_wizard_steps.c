/* API tests: the wizard's data steps (GET/PUT /api/wizard/orders/:no/steps/:step): every field
 * of every step against hostile values, the rules between fields and with the order, the masked
 * answer and the masked value sent back, and what a saved step sets on the order. */
#define _GNU_SOURCE /* memmem */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/conf.h"
#include "crypto/crypto.h"
#include "db/db.h"
#include "domain/mask.h"
#include "wizclient.h"

#define ORG "测试示范有限公司" /* what api_register_org registers */
/* Bank cards that pass the ISO/IEC 7812 check (the ones of wiz_step_json do not). */
#define CARD_LR "6222020200001234562"
#define CARD_H "6217000010001234569"

static struct conf conf;
static struct crypto_key key;
static struct db db;
static struct arena a;
static struct api_client owner, other, person;
static char uscc[19], mobile[12];

/* ---- the database, read directly: what the API must (not) have changed */

static const char *cell(const char *sql, const char *arg)
{
	struct db_rows rows;

	if (db_query(&db, &a, sql, DB_ARGS(DB_STR(arg)), &rows) != DB_OK)
		fail_msg("%s: %s", sql, db.last_error);
	return rows.nrows ? db_cell(&rows, 0, 0) : NULL;
}

/* One column (or expression over o.) of the order. */
static const char *ocol(const char *no, const char *expr)
{
	char sql[512];

	snprintf(sql, sizeof(sql), "SELECT %s FROM orders o WHERE o.order_no = ?", expr);
	return cell(sql, no);
}

static char *ostate(const char *no)
{
	static char buf[32];

	snprintf(buf, sizeof(buf), "%s", ocol(no, "state"));
	return buf;
}

/* The step's data as sealed in the database, opened with the stack's key. */
static json_t *sealed_step(const char *no, const char *step)
{
	struct db_rows rows;
	char aad[96];
	unsigned char plain[20000];
	size_t n = 0;

	assert_int_equal(db_query(&db, &a,
				  "SELECT s.data_enc, o.id FROM order_steps s JOIN orders o ON o.id = s.order_id "
				  "WHERE o.order_no = ? AND s.step = ?",
				  DB_ARGS(DB_STR(no), DB_STR(step)), &rows), DB_OK);
	assert_int_equal(rows.nrows, 1);
	snprintf(aad, sizeof(aad), "order_steps:%s:%s", db_cell(&rows, 0, 1), step);
	assert_int_equal(crypto_open(&key, (const unsigned char *)db_cell(&rows, 0, 0), rows.len[0],
				     aad, plain, sizeof(plain), &n), 0);
	return json_loadb((const char *)plain, n, 0, NULL);
}

/* A draft frees its open-order key: the same organisation may open another order of the
 * kind (create.c allows one per subject and kind) while this one stays usable. */
static void release_key(const char *no)
{
	char sql[160];

	snprintf(sql, sizeof(sql), "UPDATE orders SET open_key = NULL, claim_key = NULL WHERE order_no = '%s'", no);
	wiz_sql(sql);
}

/* A new-business draft of the owner's, its open-order key released. */
static void draft(const char *channel, const char *kind, char no[19])
{
	wiz_create(&owner, channel, "new", kind, NULL, no);
	release_key(no);
}

/* ---- requests */

static void get_step(struct api_client *c, const char *no, const char *step, struct api_resp *r)
{
	char path[128];

	snprintf(path, sizeof(path), "/api/wizard/orders/%s/steps/%s", no, step);
	api_call(c, "GET", path, NULL, NULL, r);
}

static json_t *step_obj(const char *step, const char *method)
{
	json_t *j = json_loads(wiz_step_json(step, ORG, mobile, method), 0, NULL);

	assert_non_null(j);
	if (json_object_get(j, "lr_bank_card"))
		json_object_set_new(j, "lr_bank_card", json_string(CARD_LR));
	if (json_object_get(j, "bank_card"))
		json_object_set_new(j, "bank_card", json_string(CARD_H));
	return j;
}

static void put_obj(struct api_client *c, const char *no, const char *step, json_t *j,
		    struct api_resp *r)
{
	char *text = json_dumps(j, JSON_COMPACT);

	wiz_put(c, no, step, text, r);
	free(text);
}

static void save(const char *no, const char *step, json_t *j)
{
	struct api_resp r;

	put_obj(&owner, no, step, j, &r);
	if (r.status != 200)
		fail_msg("PUT %s of %s: %ld %s", step, no, r.status, r.body);
	assert_true(json_is_true(json_object_get(r.json, "masked")));
	api_free(&r);
}

static void save_default(const char *no, const char *step, const char *method)
{
	json_t *j = step_obj(step, method);

	save(no, step, j);
	json_decref(j);
}

static void expect(const struct api_resp *r, long status, const char *code, const char *field,
		   const char *what)
{
	const char *got = api_error_code(r), *f = api_error_field(r);

	if (r->status != status || !got || strcmp(got, code) != 0 ||
	    (field && (!f || strcmp(f, field) != 0)))
		fail_msg("%s: expected %ld %s (field %s), got %ld %.400s", what, status, code,
			 field ? field : "-", r->status, r->body);
	api_expect_error(r, status, code);
}

/* PUT j with one member replaced (value: JSON text; NULL removes it) and expect a refusal. */
static void refuse(const char *no, const char *step, json_t *base, const char *field,
		   const char *value, const char *code, const char *err_field)
{
	json_t *j = json_deep_copy(base);
	struct api_resp r;
	char what[600];

	if (value) {
		json_t *v = json_loads(value, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);

		if (!v)
			fail_msg("test value %s is not JSON", value);
		json_object_set_new(j, field, v);
	} else {
		json_object_del(j, field);
	}
	put_obj(&owner, no, step, j, &r);
	snprintf(what, sizeof(what), "%s.%s = %.300s", step, field, value ? value : "(absent)");
	expect(&r, 400, code, err_field, what);
	api_free(&r);
	json_decref(j);
}

/* ---- every field against hostile values */

/* Wrong for every field: SQL and HTML fragments, control characters, other JSON types. */
static const char *const hostile[] = {
	"\"x' OR '1'='1\"", "\"1; DROP TABLE orders; --\"", "\"\\\" OR \\\"\\\"=\\\"\"",
	"\"<script>alert(1)</script>\"", "\"<img src=x onerror=alert(1)>\"", "\"a\\u0001b\"",
	"\"a\\nb\"", "\"a\\tb\"", "\"a\\u007fb\"", "\"a\\u0085b\"", "\"\\u001b[31m\"",
	"123", "1.5", "true", "[\"1\"]", "{\"v\":\"1\"}",
};

/* Raw bytes that are not UTF-8: invalid lead, bad continuation, overlong '/', a UTF-16
 * surrogate, a cut-off sequence, a 5-byte form; and the escapes of a NUL and of a lone
 * surrogate. The body is not JSON at all (400 bad_json, before any field). */
static const char *const raw_bad[] = {
	"\xff", "\xc3\x28", "\xc0\xaf", "\xed\xa0\x80", "\xe4\xb8", "\xf8\x88\x80\x80\x80",
	"a\\u0000b", "\\ud800",
};

struct bad {
	const char *step, *field, *value; /* value: JSON text */
};

static char long_text[8][1200];

/* n copies of a UTF-8 piece as a JSON string. */
static const char *repeat(int slot, const char *piece, int n, const char *suffix)
{
	size_t o = 0;

	long_text[slot][o++] = '"';
	for (int i = 0; i < n; i++)
		o += (size_t)snprintf(long_text[slot] + o, sizeof(long_text[slot]) - o, "%s", piece);
	snprintf(long_text[slot] + o, sizeof(long_text[slot]) - o, "%s\"", suffix ? suffix : "");
	return long_text[slot];
}

static char id_bad_check[24], id_bad_date[24], uscc_bad_check[24], uscc_lower[24];

static void make_bad_ids(void)
{
	static const int w[] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
	char id[19], d[19];
	int sum = 0;

	wiz_random_id(id);
	/* The check character of a real ID, replaced by the next one in the cycle. */
	snprintf(d, sizeof(d), "%s", id);
	d[17] = d[17] == 'X' ? '0' : d[17] == '9' ? 'X' : (char)(d[17] + 1);
	snprintf(id_bad_check, sizeof(id_bad_check), "\"%s\"", d);
	/* 13 March 1985 turned into the 32nd of the 13th month, with a correct check character. */
	snprintf(d, sizeof(d), "11010519851332123");
	for (int i = 0; i < 17; i++)
		sum += (d[i] - '0') * w[i];
	d[17] = "10X98765432"[sum % 11];
	d[18] = '\0';
	snprintf(id_bad_date, sizeof(id_bad_date), "\"%s\"", d);
	snprintf(d, sizeof(d), "%s", uscc);
	d[17] = d[17] == '0' ? '1' : '0';
	snprintf(uscc_bad_check, sizeof(uscc_bad_check), "\"%s\"", d);
	snprintf(d, sizeof(d), "%s", uscc);
	for (int i = 0; d[i]; i++)
		if (d[i] >= 'A' && d[i] <= 'Z')
			d[i] = (char)(d[i] + 32);
	snprintf(uscc_lower, sizeof(uscc_lower), "\"%s\"", d);
}

/* Field-specific wrong values: over-long, wrong check digits, wrong shapes. */
static size_t specific(struct bad *b, size_t max)
{
	static const char *const names[] = { "lr_name", "name", "mail_recipient" };
	static const char *const ids[] = { "lr_id_number", "id_number" };
	static const char *const mobiles[] = { "lr_mobile", "mobile", "mail_mobile" };
	static const char *const texts[] = { "province", "city", "district", "address", "bank",
					     "new_address", "mail_province", "mail_city",
					     "mail_county", "mail_address" };
	static const char *const orgs[] = { "org_name", "account_name", "new_org_name" };
	size_t n = 0;

#define ADD(s, f, v) do { if (n < max) b[n++] = (struct bad){ s, f, v }; } while (0)
	make_bad_ids();
	ADD("agreements", "service", "\"20261234567890123\"");
	ADD("agreements", "service", "\"2026 1\"");
	ADD("agreements", "privacy", "\"20261234567890123\"");
	ADD("agreements", "privacy", "\"2026/1\"");
	for (size_t i = 0; i < sizeof(orgs) / sizeof(orgs[0]); i++) {
		ADD(NULL, orgs[i], repeat(0, "测", 101, NULL));
		ADD(NULL, orgs[i], "\"测\"");
		ADD(NULL, orgs[i], "\"   \"");
	}
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		ADD(NULL, texts[i], repeat(1, "省", 101, NULL));
		ADD(NULL, texts[i], "\"   \"");
		ADD(NULL, texts[i], "\"{{7*7}}\"");
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		ADD(NULL, names[i], repeat(2, "张", 31, NULL));
		ADD(NULL, names[i], "\"张3\"");
		ADD(NULL, names[i], "\"张\"");
		ADD(NULL, names[i], "\"·张伟\"");
		ADD(NULL, names[i], "\"张伟·\"");
		ADD(NULL, names[i], "\"张  伟\"");
		ADD(NULL, names[i], "\"张伟（经理）\"");
	}
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		ADD(NULL, ids[i], id_bad_check);
		ADD(NULL, ids[i], id_bad_date);
		ADD(NULL, ids[i], "\"1101051985010112345\"");
		ADD(NULL, ids[i], "\"11010519850101123\"");
		ADD(NULL, ids[i], "\"110105850101123\"");
	}
	for (size_t i = 0; i < sizeof(mobiles) / sizeof(mobiles[0]); i++) {
		ADD(NULL, mobiles[i], "\"1380013800\"");
		ADD(NULL, mobiles[i], "\"12800138000\"");
		ADD(NULL, mobiles[i], "\"138001380001\"");
		ADD(NULL, mobiles[i], "\"+85213800138000\"");
		ADD(NULL, mobiles[i], "\"138-0013-8000\"");
		ADD(NULL, mobiles[i], "\"138****8000\"");
	}
	ADD(NULL, "lr_bank_card", "\"6222020200001234567\"");
	ADD(NULL, "bank_card", "\"6217000010001234567\"");
	ADD(NULL, "lr_bank_card", "\"62220202000\"");
	ADD(NULL, "bank_card", "\"62170000100012345694\"");
	ADD(NULL, "bank_card", "\"6217 0000 1000 1234 569\"");
	ADD(NULL, "email", repeat(3, "a", 243, "@example.com"));
	ADD(NULL, "email", "\"a@b\"");
	ADD(NULL, "email", "\"a@@example.com\"");
	ADD(NULL, "email", "\"a b@example.com\"");
	ADD(NULL, "email", "\"张@example.com\"");
	ADD(NULL, "email", "\"a@example.com\\r\\nBcc: x@example.com\"");
	ADD(NULL, "position", repeat(4, "职", 51, NULL));
	ADD(NULL, "position", "\"   \"");
	ADD("enterprise", "method", "\"wire\"");
	ADD("enterprise", "method", "\"LR_MOBILE\"");
	ADD("enterprise", "method", "\"card\"");
	ADD("enterprise", "method", "\"lr_mobilelr_mobil\"");
	ADD("handler", "method", "\"wechat\"");
	ADD("handler", "method", "\"lr_mobile\"");
	ADD("financial", "account_no", "\"1234567\"");
	ADD("financial", "account_no", repeat(5, "1", 33, NULL));
	ADD("financial", "account_no", "\"4000-0211-0920\"");
	ADD("change", "items", "\"name,name\"");
	ADD("change", "items", "\"name,,address\"");
	ADD("change", "items", "\"owner\"");
	ADD("change", "items", "\",\"");
	ADD("change", "items", "\"name,\"");
	ADD("change", "items", "\"NAME\"");
	ADD("change", "items", "\"name,address,seal,handler,x\"");
	ADD("product", "years", "\"0\"");
	ADD("product", "years", "\"6\"");
	ADD("product", "years", "\"10\"");
	ADD("product", "years", "\" 1\"");
	ADD("product", "seal", "\"2\"");
	ADD("product", "seal", "\"yes\"");
	ADD("product", "e_invoice", "\"2\"");
	ADD("product", "e_invoice", "\"10\"");
	ADD("product", "taxpayer_no", uscc_bad_check);
	if (strncmp(uscc_lower + 1, uscc, 18) != 0) /* an all-digit code has no lower case */
		ADD("product", "taxpayer_no", uscc_lower);
	ADD("product", "taxpayer_no", "\"91110000\"");
	ADD("product", "mail_postcode", "\"51805\"");
	ADD("product", "mail_postcode", "\"5180570\"");
	ADD("product", "mail_postcode", "\"51805a\"");
#undef ADD
	return n;
}

static bool has_field(const char *const *fields, const char *f)
{
	for (; *fields; fields++)
		if (strcmp(*fields, f) == 0)
			return true;
	return false;
}

/* Sends each hostile value in each field of step (on top of a fresh valid base, so an
 * accidental save would show), then checks that the step and the order are as they were. */
static void hostile_step(const char *no, const char *step, json_t *base,
			 const char *const *fields, const char *const *required)
{
	static struct bad bads[400];
	size_t nb = specific(bads, sizeof(bads) / sizeof(bads[0])), tried = 0;
	struct api_resp before, after;
	char state[200];

	get_step(&owner, no, step, &before);
	assert_int_equal(before.status, 200);
	assert_true(json_is_true(json_object_get(before.json, "saved")));
	snprintf(state, sizeof(state), "%s",
		 ocol(no, "CONCAT(o.updated_at, '/', o.version, '/', (SELECT COUNT(*) FROM "
			  "agreement_acceptances x WHERE x.order_id = o.id))"));
	for (const char *const *f = fields; *f; f++) {
		for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++)
			refuse(no, step, base, *f, hostile[i], "invalid_field", *f);
		for (size_t i = 0; i < sizeof(raw_bad) / sizeof(raw_bad[0]); i++) {
			json_t *j = json_deep_copy(base);
			char *text, body[4096], *at;
			struct api_resp r;

			json_object_set_new(j, *f, json_string("@RAW@"));
			text = json_dumps(j, JSON_COMPACT);
			at = strstr(text, "@RAW@");
			snprintf(body, sizeof(body), "%.*s%s%s", (int)(at - text), text, raw_bad[i], at + 5);
			wiz_put(&owner, no, step, body, &r);
			expect(&r, 400, "bad_json", NULL, "raw bytes that are not UTF-8");
			api_free(&r);
			free(text);
			json_decref(j);
		}
		for (size_t i = 0; i < nb; i++)
			if ((!bads[i].step || strcmp(bads[i].step, step) == 0) &&
			    strcmp(bads[i].field, *f) == 0) {
				refuse(no, step, base, *f, bads[i].value, "invalid_field", *f);
				tried++;
			}
	}
	for (const char *const *f = required; *f; f++) {
		assert_true(has_field(fields, *f));
		refuse(no, step, base, *f, NULL, "missing_field", *f);
		refuse(no, step, base, *f, "\"\"", "missing_field", *f);
		refuse(no, step, base, *f, "null", "missing_field", *f);
	}
	assert_true(tried > 0);
	get_step(&owner, no, step, &after);
	assert_int_equal(after.status, 200);
	if (!json_equal(json_object_get(before.json, "data"), json_object_get(after.json, "data")))
		fail_msg("%s changed: %s -> %s", step, before.body, after.body);
	assert_string_equal(ocol(no, "CONCAT(o.updated_at, '/', o.version, '/', (SELECT COUNT(*) FROM "
				     "agreement_acceptances x WHERE x.order_id = o.id))"), state);
	api_free(&before);
	api_free(&after);
}

static void test_hostile_org_steps(void **st)
{
	static const char *const agreements[] = { "service", "privacy", NULL };
	static const char *const enterprise[] = { "org_name", "province", "city", "district",
						  "address", "method", "lr_name", "lr_id_number",
						  "lr_mobile", "lr_bank_card", NULL };
	static const char *const enterprise_req[] = { "org_name", "province", "city", "district",
						      "address", "method", NULL };
	static const char *const handler[] = { "name", "id_number", "mobile", "email", "position",
					       "method", "bank_card", NULL };
	static const char *const financial[] = { "account_name", "bank", "account_no", NULL };
	static const char *const product[] = { "years", "seal", "e_invoice", "invoice_title", "taxpayer_no",
					       "mail_recipient", "mail_mobile", "mail_province",
					       "mail_city", "mail_county", "mail_address",
					       "mail_postcode", NULL };
	static const char *const product_req[] = { "years", "e_invoice", "mail_province",
						   "mail_city", "mail_county", "mail_address", NULL };
	char no[19];
	json_t *j;

	(void)st;
	draft("bjca-zycg", "org", no);
	save_default(no, "agreements", NULL);
	save_default(no, "enterprise", "lr_card");
	save_default(no, "handler", "card");
	save_default(no, "product", NULL);

	j = step_obj("agreements", NULL);
	hostile_step(no, "agreements", j, agreements, agreements);
	json_decref(j);
	j = step_obj("enterprise", "lr_card");
	hostile_step(no, "enterprise", j, enterprise, enterprise_req);
	json_decref(j);
	j = step_obj("handler", "card");
	hostile_step(no, "handler", j, handler, handler);
	json_decref(j);
	j = step_obj("product", NULL);
	json_object_set_new(j, "taxpayer_no", json_string(uscc));
	hostile_step(no, "product", j, product, product_req);
	json_decref(j);

	/* The transfer method brings the corporate account into the plan. */
	save_default(no, "enterprise", "transfer");
	save_default(no, "financial", NULL);
	j = step_obj("financial", NULL);
	hostile_step(no, "financial", j, financial, financial);
	json_decref(j);
}

static void test_hostile_applicant_and_change(void **st)
{
	static const char *const applicant[] = { "name", "id_number", "mobile", "email", NULL };
	static const char *const change[] = { "items", "new_org_name", "new_address", NULL };
	static const char *const change_req[] = { "items", NULL };
	char no[19], serial[17], extra[64];
	json_t *j;

	(void)st;
	draft("netca-gd", "legal_rep", no);
	save_default(no, "applicant", NULL);
	j = step_obj("applicant", NULL);
	hostile_step(no, "applicant", j, applicant, applicant);
	json_decref(j);

	wiz_random_serial(serial);
	wiz_fixture_cert(uscc, uscc, "netca-gd", "org", serial, 200, -165, false);
	snprintf(extra, sizeof(extra), ",\"cert_serial\":\"%s\"", serial);
	wiz_create(&owner, "netca-gd", "change", "org", extra, no);
	save_default(no, "change", NULL);
	j = step_obj("change", NULL);
	hostile_step(no, "change", j, change, change_req);
	json_decref(j);
}

/* ---- the rules between fields */

static void test_enterprise_rules(void **st)
{
	struct api_resp r;
	char no[19];
	json_t *j;

	(void)st;
	draft("bjca-zycg", "org", no);
	/* The organisation is the account's. */
	j = step_obj("enterprise", "lr_mobile");
	refuse(no, "enterprise", j, "org_name", "\"另一家测试有限公司\"", "invalid_field", "org_name");
	/* Each legal-representative method needs the representative; only lr_card his card. */
	refuse(no, "enterprise", j, "lr_name", NULL, "missing_field", "lr_name");
	refuse(no, "enterprise", j, "lr_id_number", NULL, "missing_field", "lr_id_number");
	refuse(no, "enterprise", j, "lr_mobile", "\"\"", "missing_field", "lr_mobile");
	json_object_set_new(j, "method", json_string("lr_face"));
	refuse(no, "enterprise", j, "lr_mobile", NULL, "missing_field", "lr_mobile");
	json_object_set_new(j, "method", json_string("lr_card"));
	refuse(no, "enterprise", j, "lr_bank_card", NULL, "missing_field", "lr_bank_card");
	json_decref(j);
	/* lr_mobile saves without the card: the card sent along is not taken, not even checked. */
	j = step_obj("enterprise", "lr_mobile");
	json_object_set_new(j, "lr_bank_card", json_string("not a card"));
	save(no, "enterprise", j);
	json_decref(j);
	get_step(&owner, no, "enterprise", &r);
	assert_null(json_object_get(json_object_get(r.json, "data"), "lr_bank_card"));
	assert_non_null(json_object_get(json_object_get(r.json, "data"), "lr_mobile"));
	api_free(&r);
	assert_string_equal(ocol(no, "verify_method"), "lr_mobile");
	/* Transfer: nothing of the representative is needed, nor kept. */
	j = step_obj("enterprise", "transfer");
	json_object_del(j, "lr_name");
	save(no, "enterprise", j);
	json_decref(j);
	get_step(&owner, no, "enterprise", &r);
	assert_null(json_object_get(json_object_get(r.json, "data"), "lr_id_number"));
	api_free(&r);
	assert_string_equal(ocol(no, "verify_method"), "transfer");
	/* The channel's own list of methods. */
	wiz_sql("UPDATE channels SET verify_methods = 'transfer' WHERE code = 'cecep'");
	{
		char no2[19];

		draft("cecep", "org", no2);
		j = step_obj("enterprise", "lr_mobile");
		refuse(no2, "enterprise", j, "method", "\"lr_mobile\"", "invalid_field", "method");
		json_object_set_new(j, "method", json_string("transfer"));
		save(no2, "enterprise", j);
		json_decref(j);
	}
	wiz_sql("UPDATE channels SET verify_methods = 'transfer,lr_mobile,lr_card,lr_face' "
		"WHERE code = 'cecep'");
}

static void test_handler_and_financial_rules(void **st)
{
	struct api_resp r;
	char no[19];
	json_t *j;

	(void)st;
	draft("bjca-zycg", "org", no);
	/* The card only for the card method. */
	j = step_obj("handler", "card");
	refuse(no, "handler", j, "bank_card", NULL, "missing_field", "bank_card");
	json_object_set_new(j, "method", json_string("face"));
	json_object_del(j, "bank_card");
	save(no, "handler", j);
	json_decref(j);
	assert_string_equal(ocol(no, "handler_method"), "face");
	/* A mobile typed with +86 is kept as the bare 11 digits. */
	j = step_obj("handler", "mobile");
	json_object_set_new(j, "mobile", json_string("+8613912345678"));
	save(no, "handler", j);
	json_decref(j);
	j = sealed_step(no, "handler");
	assert_string_equal(json_string_value(json_object_get(j, "mobile")), "13912345678");
	assert_null(json_object_get(j, "bank_card"));
	json_decref(j);

	/* The corporate account's name is the organisation's (001 "基本户名称需与单位名称保持一致"). */
	get_step(&owner, no, "financial", &r);
	expect(&r, 404, "not_found", "step", "financial before the transfer method");
	api_free(&r);
	save_default(no, "enterprise", "transfer");
	j = step_obj("financial", NULL);
	put_obj(&owner, no, "financial", j, &r);
	assert_int_equal(r.status, 200);
	api_free(&r);
	json_object_set_new(j, "account_name", json_string("测试示范有限公司工会"));
	put_obj(&owner, no, "financial", j, &r);
	expect(&r, 400, "invalid_field", "account_name", "account name of another organisation");
	assert_non_null(strstr(r.body, "对公账户名称须与单位名称一致"));
	api_free(&r);
	json_decref(j);
}

static void test_change_rules(void **st)
{
	struct api_resp r;
	char no[19], serial[17], extra[64];
	json_t *j;

	(void)st;
	wiz_random_serial(serial);
	wiz_fixture_cert(uscc, uscc, "netca-gd", "org", serial, 300, -65, false);
	snprintf(extra, sizeof(extra), ",\"cert_serial\":\"%s\"", serial);
	wiz_create(&owner, "netca-gd", "change", "org", extra, no);
	j = step_obj("change", NULL);
	json_object_set_new(j, "items", json_string("name"));
	refuse(no, "change", j, "new_org_name", NULL, "missing_field", "new_org_name");
	refuse(no, "change", j, "new_org_name", "\"" ORG "\"", "invalid_field", "new_org_name");
	json_object_set_new(j, "items", json_string("address,seal"));
	refuse(no, "change", j, "new_address", NULL, "missing_field", "new_address");
	/* What is not changed is not kept. */
	json_object_set_new(j, "items", json_string("seal,handler"));
	save(no, "change", j);
	json_decref(j);
	get_step(&owner, no, "change", &r);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "data"), "items")),
			    "seal,handler");
	assert_null(json_object_get(json_object_get(r.json, "data"), "new_org_name"));
	assert_null(json_object_get(json_object_get(r.json, "data"), "new_address"));
	api_free(&r);
}

static void test_agreements(void **st)
{
	struct db_rows rows;
	char no[19];
	json_t *j;

	(void)st;
	draft("bjca-zycg", "org", no);
	j = step_obj("agreements", NULL);
	refuse(no, "agreements", j, "service", "\"2025.1\"", "invalid_field", "service");
	refuse(no, "agreements", j, "privacy", "\"9.9\"", "invalid_field", "privacy");
	save(no, "agreements", j);
	json_decref(j);
	assert_int_equal(db_query(&db, &a,
				  "SELECT x.code, x.version, x.account_id = o.account_id, x.remote_addr <> '', "
				  "x.accepted_at > NOW() - INTERVAL 1 MINUTE, x.channel_id = o.channel_id "
				  "FROM agreement_acceptances x "
				  "JOIN orders o ON o.id = x.order_id WHERE o.order_no = ? ORDER BY x.code",
				  DB_ARGS(DB_STR(no)), &rows), DB_OK);
	assert_int_equal(rows.nrows, 2);
	assert_string_equal(db_cell(&rows, 0, 0), "privacy");
	assert_string_equal(db_cell(&rows, 1, 0), "service");
	for (size_t i = 0; i < 2; i++) {
		assert_string_equal(db_cell(&rows, i, 1), "2026.1");
		assert_string_equal(db_cell(&rows, i, 2), "1");
		assert_string_equal(db_cell(&rows, i, 3), "1");
		assert_string_equal(db_cell(&rows, i, 4), "1");
		/* The hall whose text it was (each hall its own, 0028). */
		assert_string_equal(db_cell(&rows, i, 5), "1");
	}
}

static void test_product_rules(void **st)
{
	struct api_resp r;
	char no[19], mob[12];
	json_t *j, *d;

	(void)st;
	draft("bjca-zycg", "org", no);
	/* The key is mailed: the address is needed. */
	j = step_obj("product", NULL);
	refuse(no, "product", j, "mail_address", NULL, "missing_field", "mail_address");
	refuse(no, "product", j, "mail_county", "\"\"", "missing_field", "mail_county");
	/* 002: BJCA sells a new certificate for one year. */
	refuse(no, "product", j, "years", "\"2\"", "invalid_field", "years");
	/* Without a handler on file the recipient must be named. */
	refuse(no, "product", j, "mail_recipient", "\"\"", "missing_field", "mail_recipient");
	refuse(no, "product", j, "mail_mobile", NULL, "missing_field", "mail_mobile");
	json_decref(j);
	/* The recipient defaults to the handler (000 "系统默认将经办人作为收件人，支持自行修改"). */
	api_random_mobile(mob);
	j = step_obj("handler", NULL);
	json_object_set_new(j, "mobile", json_string(mob));
	save(no, "handler", j);
	json_decref(j);
	j = step_obj("product", NULL);
	json_object_set_new(j, "mail_recipient", json_string(""));
	json_object_del(j, "mail_mobile");
	/* The invoice title is the organisation's, whatever is sent (002 does not take one: 000
	 * "发票抬头默认为证书申请单位，不可修改"; a hostile one is refused as any field is). */
	json_object_set_new(j, "invoice_title", json_string("别家公司"));
	save(no, "product", j);
	json_decref(j);
	get_step(&owner, no, "product", &r);
	d = json_object_get(r.json, "data");
	assert_string_equal(json_string_value(json_object_get(d, "mail_recipient")), "李娜");
	{
		char m[20];

		mask_mobile(mob, m, sizeof(m));
		assert_string_equal(json_string_value(json_object_get(d, "mail_mobile")), m);
	}
	assert_null(json_object_get(d, "invoice_title"));
	assert_string_equal(json_string_value(json_object_get(r.json, "invoice_title")), ORG);
	api_free(&r);
	j = sealed_step(no, "product");
	assert_string_equal(json_string_value(json_object_get(j, "mail_mobile")), mob);
	json_decref(j);
}

static const char *error_message(const struct api_resp *r)
{
	const char *m = json_string_value(json_object_get(json_object_get(r->json, "error"), "message"));

	return m ? m : "";
}

/* The "errors" of a refusal: their fields, space-separated, in the order of the step. */
static const char *fault_fields(const struct api_resp *r)
{
	static char buf[400];
	json_t *list = json_object_get(json_object_get(r->json, "error"), "errors"), *e;
	size_t i, n = 0;

	buf[0] = '\0';
	json_array_foreach(list, i, e)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s", n ? " " : "",
				      json_string_value(json_object_get(e, "field")));
	return buf;
}

/* Every fault of a step comes back at once: an empty step names all it needs, a method's own
 * fields are named with the rest, a wrong value beside a missing one. */
static void test_faults_at_once(void **st)
{
	struct api_resp r;
	char no[19];
	json_t *j, *e;

	(void)st;
	draft("bjca-zycg", "org", no);
	wiz_put(&owner, no, "enterprise", "{}", &r);
	expect(&r, 400, "missing_field", "org_name", "empty enterprise step");
	assert_string_equal(fault_fields(&r), "org_name province city district address method");
	api_free(&r);
	/* The legal representative's method: his fields too, and a wrong ID number as wrong. */
	wiz_put(&owner, no, "enterprise",
		"{\"method\":\"lr_card\",\"lr_id_number\":\"110105194912310021\",\"city\":\"<b>\"}", &r);
	expect(&r, 400, "missing_field", "org_name", "lr_card step");
	assert_string_equal(fault_fields(&r), "org_name province city district address lr_name "
					      "lr_id_number lr_mobile lr_bank_card");
	e = json_array_get(json_object_get(json_object_get(r.json, "error"), "errors"), 2);
	assert_string_equal(json_string_value(json_object_get(e, "code")), "invalid_field");
	e = json_array_get(json_object_get(json_object_get(r.json, "error"), "errors"), 6);
	assert_string_equal(json_string_value(json_object_get(e, "code")), "invalid_field");
	api_free(&r);
	/* Nothing was saved by a refusal. */
	get_step(&owner, no, "enterprise", &r);
	assert_true(json_is_false(json_object_get(r.json, "saved")) ||
		    !json_object_get(json_object_get(r.json, "data"), "method"));
	api_free(&r);
	/* A USCC whose organisation code's check (the 17th character) is wrong is told so, not
	 * taken for a length or format fault; a wrong 18th is the USCC's own check. */
	j = step_obj("product", NULL);
	json_object_set_new(j, "taxpayer_no", json_string("91350100M000100Y53"));
	put_obj(&owner, no, "product", j, &r);
	expect(&r, 400, "invalid_field", "taxpayer_no", "organisation code check");
	assert_non_null(strstr(error_message(&r), "第 17 位"));
	assert_non_null(strstr(error_message(&r), "组织机构代码"));
	api_free(&r);
	json_object_set_new(j, "taxpayer_no", json_string("91350100M000100Y44"));
	put_obj(&owner, no, "product", j, &r);
	expect(&r, 400, "invalid_field", "taxpayer_no", "USCC check");
	assert_non_null(strstr(error_message(&r), "第 18 位"));
	api_free(&r);
	json_decref(j);
}

/* Only the years the hall sells are offered (002: BJCA one year, NETCA 1 to 5); a replacement
 * keeps its certificate's validity: no years are offered, asked or kept. */
static void test_years_offered(void **st)
{
	char no[19], serial[17], extra[64];
	struct api_resp r;
	json_t *j, *y;

	(void)st;
	draft("bjca-zycg", "org", no);
	wiz_order(&owner, no, NULL, &r);
	y = json_object_get(r.json, "years_offered");
	assert_int_equal(json_array_size(y), 1);
	assert_int_equal(json_integer_value(json_array_get(y, 0)), 1);
	api_free(&r);
	draft("netca-gd", "org", no);
	wiz_order(&owner, no, NULL, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "years_offered")), 5);
	api_free(&r);
	/* A new certificate needs its years. */
	j = step_obj("product", NULL);
	refuse(no, "product", j, "years", NULL, "missing_field", "years");
	json_decref(j);

	wiz_random_serial(serial);
	wiz_fixture_cert(uscc, uscc, "jxca-js", "org", serial, 200, -165, false);
	snprintf(extra, sizeof(extra), ",\"cert_serial\":\"%s\"", serial);
	wiz_create(&owner, "jxca-js", "lost", "org", extra, no);
	wiz_order(&owner, no, NULL, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "years_offered")), 0);
	api_free(&r);
	j = step_obj("product", NULL);
	json_object_del(j, "years");
	save(no, "product", j);
	json_object_set_new(j, "years", json_string("3"));
	save(no, "product", j);
	json_decref(j);
	j = sealed_step(no, "product");
	assert_null(json_object_get(j, "years"));
	json_decref(j);
	assert_string_equal(ocol(no, "years"), "1");
}

static const char *dstr(const struct api_resp *r, const char *name)
{
	return json_string_value(json_object_get(json_object_get(r->json, "data"), name));
}

/* What is known is filled in: a first order's handler is the account's mobile; the product
 * step's recipient is the order's handler (000 "系统默认将经办人作为收件人"), its address the
 * organisation's, each sent back as shown; a replacement's holder is the certificate's. */
static void test_prefill_known(void **st)
{
	struct api_client c = { 0 };
	char login[19], m[12], no[19], masked[20], serial[17], extra[64];
	struct api_resp r;
	json_t *j, *data, *sealed;

	(void)st;
	wiz_register_org(&c, login, m);
	wiz_create(&c, "bjca-zycg", "new", "org", NULL, no);
	get_step(&c, no, "handler", &r);
	assert_true(json_is_false(json_object_get(r.json, "saved")));
	assert_string_equal(json_string_value(json_object_get(r.json, "prefilled_from")), "account");
	mask_mobile(m, masked, sizeof(masked));
	assert_string_equal(dstr(&r, "mobile"), masked);
	api_free(&r);
	/* Nothing of the handler yet: the product step has no recipient to offer. */
	get_step(&c, no, "product", &r);
	assert_false(json_is_string(json_object_get(r.json, "prefilled_from")));
	api_free(&r);
	j = step_obj("enterprise", NULL);
	put_obj(&c, no, "enterprise", j, &r);
	assert_int_equal(r.status, 200);
	api_free(&r);
	json_decref(j);
	j = step_obj("handler", NULL);
	put_obj(&c, no, "handler", j, &r);
	assert_int_equal(r.status, 200);
	api_free(&r);
	json_decref(j);
	get_step(&c, no, "product", &r);
	assert_string_equal(json_string_value(json_object_get(r.json, "prefilled_from")), "handler");
	assert_string_equal(dstr(&r, "mail_recipient"), "李娜");
	mask_mobile(mobile, masked, sizeof(masked));
	assert_string_equal(dstr(&r, "mail_mobile"), masked);
	assert_string_equal(dstr(&r, "mail_county"), "南山区");
	data = json_deep_copy(json_object_get(r.json, "data"));
	api_free(&r);
	/* Sent back as shown, with what only the applicant chooses: the mask stands for the
	 * handler's mobile. */
	json_object_set_new(data, "years", json_string("1"));
	json_object_set_new(data, "e_invoice", json_string("0"));
	json_object_set_new(data, "mail_postcode", json_string("518057"));
	put_obj(&c, no, "product", data, &r);
	if (r.status != 200)
		fail_msg("prefilled product sent back: %ld %s", r.status, r.body);
	api_free(&r);
	json_decref(data);
	sealed = sealed_step(no, "product");
	assert_string_equal(json_string_value(json_object_get(sealed, "mail_mobile")), mobile);
	json_decref(sealed);
	release_key(no);

	/* A lost legal representative's certificate: its holder is named already. */
	wiz_random_serial(serial);
	wiz_fixture_cert(uscc, uscc, "netca-gd", "legal_rep", serial, 200, -165, false);
	snprintf(extra, sizeof(extra), ",\"cert_serial\":\"%s\"", serial);
	wiz_create(&owner, "netca-gd", "lost", "legal_rep", extra, no);
	get_step(&owner, no, "applicant", &r);
	assert_int_equal(r.status, 200);
	assert_true(json_is_false(json_object_get(r.json, "saved")));
	assert_string_equal(json_string_value(json_object_get(r.json, "prefilled_from")), "certificate");
	assert_string_equal(dstr(&r, "name"), "测试持有人");
	api_free(&r);
	release_key(no);
}

/* ---- masked answers, and a masked value sent back */

static void test_masked_get_and_keep(void **st)
{
	struct api_resp r, t;
	char no[19], id[19], mob[12], m[64], body[128];
	json_t *j, *d;
	struct db_rows rows;
	unsigned char plain[64];
	size_t n = 0;

	(void)st;
	draft("bjca-zycg", "org", no);
	wiz_random_id(id);
	api_random_mobile(mob);
	j = step_obj("handler", "card");
	json_object_set_new(j, "id_number", json_string(id));
	json_object_set_new(j, "mobile", json_string(mob));
	save(no, "handler", j);
	json_decref(j);

	get_step(&owner, no, "handler", &r);
	assert_int_equal(r.status, 200);
	assert_true(json_is_true(json_object_get(r.json, "masked")));
	d = json_object_get(r.json, "data");
	mask_id(id, m, sizeof(m));
	assert_string_equal(json_string_value(json_object_get(d, "id_number")), m);
	mask_mobile(mob, m, sizeof(m));
	assert_string_equal(json_string_value(json_object_get(d, "mobile")), m);
	assert_string_equal(json_string_value(json_object_get(d, "email")), "h***@example.com");
	assert_string_equal(json_string_value(json_object_get(d, "bank_card")), "**** **** **** 4569");
	assert_string_equal(json_string_value(json_object_get(d, "name")), "李娜");
	assert_null(strstr(r.body, id));
	assert_null(strstr(r.body, mob));
	assert_null(strstr(r.body, CARD_H));

	/* What the page showed comes back with one change: the masked values keep the saved ones. */
	j = json_deep_copy(d);
	json_object_set_new(j, "position", json_string("财务主管"));
	save(no, "handler", j);
	json_decref(j);
	j = sealed_step(no, "handler");
	assert_string_equal(json_string_value(json_object_get(j, "id_number")), id);
	assert_string_equal(json_string_value(json_object_get(j, "mobile")), mob);
	assert_string_equal(json_string_value(json_object_get(j, "email")), "handler@example.com");
	assert_string_equal(json_string_value(json_object_get(j, "bank_card")), CARD_H);
	assert_string_equal(json_string_value(json_object_get(j, "position")), "财务主管");
	json_decref(j);
	/* A masked form that is not the saved value's is new input, and wrong. */
	j = json_deep_copy(d);
	refuse(no, "handler", j, "id_number", "\"110***********0000\"", "invalid_field", "id_number");
	refuse(no, "handler", j, "bank_card", "\"**** **** **** 0000\"", "invalid_field", "bank_card");
	json_decref(j);
	api_free(&r);

	/* Sealed at rest: neither the step nor the order holds the numbers in clear. */
	assert_int_equal(db_query(&db, &a,
				  "SELECT s.data_enc, o.handler_mobile_enc FROM order_steps s JOIN orders o "
				  "ON o.id = s.order_id WHERE o.order_no = ? AND s.step = 'handler'",
				  DB_ARGS(DB_STR(no)), &rows), DB_OK);
	assert_null(memmem(db_cell(&rows, 0, 0), rows.len[0], id, 18));
	assert_null(memmem(db_cell(&rows, 0, 1), rows.len[1], mob, 11));
	assert_int_equal(crypto_open(&key, (const unsigned char *)db_cell(&rows, 0, 1), rows.len[1],
				     "orders.handler_mobile", plain, sizeof(plain), &n), 0);
	assert_int_equal(n, 11);
	assert_memory_equal(plain, mob, 11);
	assert_string_equal(ocol(no, "handler_method"), "card");
	/* So public tracking by the mobile's last four digits finds the order. */
	snprintf(body, sizeof(body), "{\"order_no\":\"%s\",\"mobile_tail\":\"%s\"}", no, mob + 7);
	api_post_json("/api/track/order", body, &t);
	if (t.status != 200)
		fail_msg("track: %ld %s", t.status, t.body);
	api_free(&t);
}

/* ---- the plan, the state, the owner */

static void test_not_in_plan(void **st)
{
	static const char *const absent[] = { "applicant", "change", "financial", "form",
					      "materials", "sign", "pay", "nope", "HANDLER" };
	struct api_resp r;
	char no[19], serial[17], extra[64];

	(void)st;
	draft("bjca-zycg", "org", no);
	for (size_t i = 0; i < sizeof(absent) / sizeof(absent[0]); i++) {
		get_step(&owner, no, absent[i], &r);
		expect(&r, 404, "not_found", NULL, absent[i]);
		api_free(&r);
		wiz_put(&owner, no, absent[i], wiz_step_json("handler", ORG, mobile, NULL), &r);
		expect(&r, 404, "not_found", NULL, absent[i]);
		api_free(&r);
	}
	get_step(&owner, no, "applicant", &r);
	assert_non_null(strstr(r.body, "申请人信息"));
	api_free(&r);
	/* Online renewal: the key in hand proves the organisation (002). */
	wiz_random_serial(serial);
	wiz_fixture_cert(uscc, uscc, "bjca-zycg", "org", serial, 20, -345, false);
	snprintf(extra, sizeof(extra), ",\"cert_serial\":\"%s\"", serial);
	wiz_create(&owner, "bjca-zycg", "renew", "org", extra, no);
	get_step(&owner, no, "enterprise", &r);
	expect(&r, 404, "not_found", "step", "enterprise of a renewal");
	assert_non_null(strstr(r.body, "单位信息"));
	api_free(&r);
	wiz_put(&owner, no, "enterprise", wiz_step_json("enterprise", ORG, mobile, NULL), &r);
	expect(&r, 404, "not_found", "step", "enterprise of a renewal");
	api_free(&r);
}

static void test_locked_states(void **st)
{
	struct api_resp r;
	char no[19], sql[300];
	json_t *j;

	(void)st;
	draft("bjca-zycg", "org", no);
	save_default(no, "handler", NULL);
	snprintf(sql, sizeof(sql), "UPDATE orders SET state = 'reviewing' WHERE order_no = '%s'", no);
	wiz_sql(sql);
	j = step_obj("handler", NULL);
	put_obj(&owner, no, "handler", j, &r);
	expect(&r, 409, "step_locked", NULL, "handler under review");
	api_free(&r);
	get_step(&owner, no, "handler", &r);
	assert_int_equal(r.status, 200);
	assert_true(json_is_false(json_object_get(r.json, "editable")));
	api_free(&r);
	/* Returned: only what the reviewer rejected. */
	snprintf(sql, sizeof(sql),
		 "UPDATE orders SET state = 'returned', editable = 'handler' WHERE order_no = '%s'", no);
	wiz_sql(sql);
	save(no, "handler", j);
	json_decref(j);
	j = step_obj("product", NULL);
	put_obj(&owner, no, "product", j, &r);
	expect(&r, 409, "step_locked", NULL, "product not returned for editing");
	api_free(&r);
	json_decref(j);
	assert_string_equal(ostate(no), "returned");
}

static void test_edit_after_failed_verification(void **st)
{
	char no[19], sql[400];
	struct db_rows rows;

	(void)st;
	draft("bjca-zycg", "org", no);
	save_default(no, "enterprise", NULL);
	save_default(no, "handler", NULL);
	snprintf(sql, sizeof(sql),
		 "INSERT INTO verifications (order_id, subject, method, state, created_at) "
		 "SELECT id, s.subject, s.method, s.state, NOW(3) FROM orders, (SELECT 'enterprise' "
		 "subject, 'lr_mobile' method, 'passed' state UNION ALL SELECT 'enterprise', 'lr_mobile', "
		 "'failed' UNION ALL SELECT 'handler', 'mobile', 'passed') s WHERE order_no = '%s'", no);
	wiz_sql(sql);
	snprintf(sql, sizeof(sql), "UPDATE orders SET state = 'verify_failed' WHERE order_no = '%s'", no);
	wiz_sql(sql);
	/* The product is not what was checked: the order stays where it is. */
	save_default(no, "product", NULL);
	assert_string_equal(ostate(no), "verify_failed");
	/* Editing the enterprise voids its checks and makes a draft again. */
	save_default(no, "enterprise", "lr_card");
	assert_string_equal(ostate(no), "draft");
	assert_int_equal(db_query(&db, &a,
				  "SELECT v.subject, v.state FROM verifications v JOIN orders o ON o.id = v.order_id "
				  "WHERE o.order_no = ? ORDER BY v.id", DB_ARGS(DB_STR(no)), &rows), DB_OK);
	assert_int_equal(rows.nrows, 3);
	assert_string_equal(db_cell(&rows, 0, 1), "void");
	assert_string_equal(db_cell(&rows, 1, 1), "failed");
	assert_string_equal(db_cell(&rows, 2, 1), "passed"); /* the handler's stands */
	assert_string_equal(ocol(no, "(SELECT COUNT(*) FROM order_events e WHERE e.order_id = o.id AND "
				     "e.kind = 'step_edited' AND e.state_from = 'verify_failed' AND "
				     "e.state_to = 'draft')"), "1");
	/* The handler's data voids the handler's check. */
	save_default(no, "handler", "face");
	assert_string_equal(ocol(no, "(SELECT GROUP_CONCAT(v.state ORDER BY v.id) FROM verifications v "
				     "WHERE v.order_id = o.id)"), "void,failed,void");
}

static void test_another_applicant(void **st)
{
	struct api_resp r;
	char no[19];

	(void)st;
	draft("bjca-zycg", "org", no);
	save_default(no, "handler", NULL);
	get_step(&other, no, "handler", &r);
	expect(&r, 404, "not_found", NULL, "another's order, GET");
	api_free(&r);
	wiz_put(&other, no, "handler", wiz_step_json("handler", ORG, mobile, NULL), &r);
	expect(&r, 404, "not_found", NULL, "another's order, PUT");
	api_free(&r);
	get_step(&other, "000000000000000000", "handler", &r);
	expect(&r, 404, "not_found", NULL, "no such order");
	api_free(&r);
	get_step(NULL, no, "handler", &r);
	expect(&r, 401, "not_logged_in", NULL, "nobody");
	api_free(&r);
	/* Nothing of the owner's data changed hands. */
	{
		json_t *j = sealed_step(no, "handler");

		assert_string_equal(json_string_value(json_object_get(j, "mobile")), mobile);
		json_decref(j);
	}
}

/* ---- what the product step sets on the order */

static void test_quotes_stored(void **st)
{
	char no[19], serial[17], extra[64];
	json_t *q, *j;

	(void)st;
	draft("bjca-zycg", "org", no);
	save_default(no, "product", NULL);
	assert_string_equal(ocol(no, "amount_fen"), "26000");
	assert_string_equal(ocol(no, "years"), "1");
	q = json_loads(ocol(no, "quote_json"), 0, NULL);
	assert_non_null(q);
	assert_true(json_is_true(json_object_get(q, "complete")));
	assert_int_equal(json_integer_value(json_object_get(q, "total_fen")), 26000);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(q, "items"), 0),
							      "code")), "cert_set");
	json_decref(q);

	/* NETCA: 600 the first year, 400 each further one (003). */
	draft("netca-gd", "org", no);
	j = step_obj("product", NULL);
	json_object_set_new(j, "years", json_string("3"));
	save(no, "product", j);
	json_decref(j);
	assert_string_equal(ocol(no, "amount_fen"), "140000");
	assert_string_equal(ocol(no, "years"), "3");

	/* JXCA prices only the seal re-made on a replacement (004): the quote is incomplete, the
	 * seal is the certificate's whatever is sent. */
	wiz_random_serial(serial);
	wiz_fixture_cert(uscc, uscc, "jxca-js", "org", serial, 200, -165, true);
	snprintf(extra, sizeof(extra), ",\"cert_serial\":\"%s\"", serial);
	wiz_create(&owner, "jxca-js", "lost", "org", extra, no);
	save_default(no, "product", NULL);
	assert_null(ocol(no, "amount_fen"));
	q = json_loads(ocol(no, "quote_json"), 0, NULL);
	assert_non_null(q);
	assert_true(json_is_false(json_object_get(q, "complete")));
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(q, "items"), 0),
							      "code")), "seal_remake");
	assert_int_equal(json_integer_value(json_object_get(q, "total_fen")), 13000);
	json_decref(q);
	j = sealed_step(no, "product");
	assert_string_equal(json_string_value(json_object_get(j, "seal")), "1");
	json_decref(j);
}

static void test_renewal_validity(void **st)
{
	char no[19], serial[17], extra[64];
	json_t *j;

	(void)st;
	/* Not yet expired: the new expiry continues from the old one (002), for as many years as
	 * the hall sells (003 "所有证书均可办理1~5年", 续期 400元/年/张; 002 renews one year only). */
	wiz_random_serial(serial);
	wiz_fixture_cert(uscc, uscc, "netca-gd", "org", serial, 30, -335, false);
	snprintf(extra, sizeof(extra), ",\"cert_serial\":\"%s\"", serial);
	wiz_create(&owner, "netca-gd", "renew", "org", extra, no);
	j = step_obj("product", NULL);
	json_object_set_new(j, "years", json_string("2"));
	/* Nothing is mailed on a renewal: no address is asked for, none is kept. */
	json_object_del(j, "mail_address");
	json_object_del(j, "mail_province");
	save(no, "product", j);
	json_decref(j);
	assert_string_equal(ocol(no, "amount_fen"), "80000");
	assert_string_equal(ocol(no, "(SELECT o.renew_not_after = c.not_after + INTERVAL 2 YEAR AND "
				     "o.renew_not_before = DATE(UTC_TIMESTAMP() + INTERVAL 8 HOUR) "
				     "FROM certificates c WHERE c.id = o.target_cert_id)"), "1");
	j = sealed_step(no, "product");
	assert_null(json_object_get(j, "mail_city"));
	json_decref(j);

	/* Expired 100 days ago: years from today (the download day). */
	wiz_random_serial(serial);
	wiz_fixture_cert(uscc, uscc, "bjca-zycg", "org", serial, -100, -465, false);
	snprintf(extra, sizeof(extra), ",\"cert_serial\":\"%s\"", serial);
	wiz_create(&owner, "bjca-zycg", "renew", "org", extra, no);
	save_default(no, "product", NULL);
	assert_string_equal(ocol(no, "amount_fen"), "18000");
	assert_string_equal(ocol(no, "renew_not_before = DATE(UTC_TIMESTAMP() + INTERVAL 8 HOUR) AND "
				     "renew_not_after = DATE(UTC_TIMESTAMP() + INTERVAL 8 HOUR) + INTERVAL 1 YEAR"),
			    "1");
}

static void test_person_applicant(void **st)
{
	char no[19], id[19], other_id[19], extra[64];
	json_t *j;

	(void)st;
	wiz_random_id(id);
	do
		wiz_random_id(other_id);
	while (strcmp(id, other_id) == 0);
	snprintf(extra, sizeof(extra), ",\"id_number\":\"%s\"", id);
	wiz_create(&person, "netca-gd", "new", "person", extra, no);
	/* The holder is the one the order was opened for. */
	j = step_obj("applicant", NULL);
	json_object_set_new(j, "id_number", json_string(other_id));
	json_object_set_new(j, "name", json_string("赵敏"));
	{
		struct api_resp r;

		put_obj(&person, no, "applicant", j, &r);
		expect(&r, 400, "invalid_field", "id_number", "another person's ID");
		api_free(&r);
		assert_string_equal(ocol(no, "subject_name"), "王芳");
		json_object_set_new(j, "id_number", json_string(id));
		put_obj(&person, no, "applicant", j, &r);
		if (r.status != 200)
			fail_msg("applicant: %ld %s", r.status, r.body);
		api_free(&r);
	}
	json_decref(j);
	assert_string_equal(ocol(no, "subject_name"), "赵敏");
	/* The invoice goes to the holder. */
	{
		struct api_resp r;

		get_step(&person, no, "product", &r);
		assert_int_equal(r.status, 200);
		assert_string_equal(json_string_value(json_object_get(r.json, "invoice_title")), "赵敏");
		api_free(&r);
	}
}

/* ---- setup */

/* 000 "页面会自动显示上一次办理证书时录入的信息，信息可进行修改": a new order's organisation and
 * handler start from the account's last order, masked as saved data is; sent back unchanged,
 * the masks stand for the earlier values. Another account's never show. */
static void test_prefill_from_last_order(void **st)
{
	struct api_client c = { 0 }, d = { 0 };
	char login[19], m[12], login2[19], m2[12], first[19], second[19], third[19];
	struct api_resp r;
	json_t *data, *mine, *sealed_first, *sealed_second;

	(void)st;
	wiz_register_org(&c, login, m);
	wiz_register_org(&d, login2, m2);
	wiz_create(&c, "cecep", "new", "org", NULL, first);
	mine = step_obj("enterprise", NULL);
	put_obj(&c, first, "enterprise", mine, &r);
	assert_int_equal(r.status, 200);
	api_free(&r);
	json_decref(mine);
	release_key(first);

	wiz_create(&c, "cecep", "new", "org", NULL, second);
	get_step(&c, second, "enterprise", &r);
	assert_int_equal(r.status, 200);
	assert_true(json_is_false(json_object_get(r.json, "saved")));
	assert_string_equal(json_string_value(json_object_get(r.json, "prefilled_from")), first);
	data = json_deep_copy(json_object_get(r.json, "data"));
	api_free(&r);
	/* Masked, as a saved step is: the ID number is not in the answer. */
	sealed_first = sealed_step(first, "enterprise");
	assert_string_not_equal(json_string_value(json_object_get(data, "lr_id_number")),
				json_string_value(json_object_get(sealed_first, "lr_id_number")));
	put_obj(&c, second, "enterprise", data, &r);
	if (r.status != 200)
		fail_msg("prefilled enterprise sent back: %ld %s", r.status, r.body);
	api_free(&r);
	json_decref(data);
	sealed_second = sealed_step(second, "enterprise");
	assert_string_equal(json_string_value(json_object_get(sealed_second, "lr_id_number")),
			    json_string_value(json_object_get(sealed_first, "lr_id_number")));
	assert_string_equal(json_string_value(json_object_get(sealed_second, "org_name")),
			    json_string_value(json_object_get(sealed_first, "org_name")));
	json_decref(sealed_first);
	json_decref(sealed_second);
	get_step(&c, second, "enterprise", &r);
	assert_true(json_is_true(json_object_get(r.json, "saved")));
	assert_false(json_is_string(json_object_get(r.json, "prefilled_from")));
	api_free(&r);
	/* Only who applies: the product is this order's own. */
	get_step(&c, second, "product", &r);
	assert_true(json_is_false(json_object_get(r.json, "saved")));
	assert_false(json_is_string(json_object_get(r.json, "prefilled_from")));
	api_free(&r);

	/* Another organisation starts empty. */
	wiz_create(&d, "cecep", "new", "org", NULL, third);
	get_step(&d, third, "enterprise", &r);
	assert_true(json_is_false(json_object_get(r.json, "saved")));
	assert_false(json_is_string(json_object_get(r.json, "prefilled_from")));
	assert_true(json_is_null(json_object_get(r.json, "data")) ||
		    json_object_size(json_object_get(r.json, "data")) == 0);
	api_free(&r);
}

static int setup(void **st)
{
	char pmobile[12], uscc2[19], mobile2[12];

	(void)st;
	if (wiz_open(&conf, &key, &db, &a) < 0)
		return -1;
	/* The texts the applicant accepts, each hall's: the current version, and an older one no
	 * longer offered. */
	wiz_sql("INSERT IGNORE INTO agreements (channel_id, code, version, title, body, published_at, "
		"current) SELECT c.id, t.* FROM channels c CROSS JOIN ("
		"SELECT 'service', '2026.1', '数字证书服务协议', '……', NOW(), 1 UNION ALL "
		"SELECT 'privacy', '2026.1', '敏感个人信息处理授权书', '……', NOW(), 1 UNION ALL "
		"SELECT 'service', '2025.1', '数字证书服务协议', '……', NOW() - INTERVAL 1 YEAR, 0) t");
	wiz_register_org(&owner, uscc, mobile);
	wiz_register_org(&other, uscc2, mobile2);
	wiz_register_person(&person, pmobile);
	return 0;
}

static int teardown(void **st)
{
	(void)st;
	wiz_close(&db, &a);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hostile_org_steps),
		cmocka_unit_test(test_hostile_applicant_and_change),
		cmocka_unit_test(test_enterprise_rules),
		cmocka_unit_test(test_faults_at_once),
		cmocka_unit_test(test_years_offered),
		cmocka_unit_test(test_prefill_known),
		cmocka_unit_test(test_handler_and_financial_rules),
		cmocka_unit_test(test_change_rules),
		cmocka_unit_test(test_agreements),
		cmocka_unit_test(test_product_rules),
		cmocka_unit_test(test_masked_get_and_keep),
		cmocka_unit_test(test_not_in_plan),
		cmocka_unit_test(test_locked_states),
		cmocka_unit_test(test_edit_after_failed_verification),
		cmocka_unit_test(test_another_applicant),
		cmocka_unit_test(test_quotes_stored),
		cmocka_unit_test(test_renewal_validity),
		cmocka_unit_test(test_prefill_from_last_order),
		cmocka_unit_test(test_person_applicant),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
