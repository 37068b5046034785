/* wizclient: fixtures and valid step data for the wizard API tests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/arena.h"
#include "base/conf.h"
#include "crypto/crypto.h"
#include "db/db.h"
#include "domain/ratelimit.h"
#include "domain/formtag.h"
#include "media/qr.h"
#include "wizclient.h"
#include "../data/scanforge.h"

static struct conf conf;
static struct crypto_key key;
static struct db db;
static struct arena arena;
static bool opened;

int wiz_open(struct conf *c, struct crypto_key *k, struct db *d, struct arena *a)
{
	char err[512];

	conf_defaults(c);
	if (!getenv("CERTHALL_CONF") || conf_load(c, getenv("CERTHALL_CONF"), err, sizeof(err)) ||
	    conf_load_secrets(c, err, sizeof(err)) ||
	    (k && crypto_key_load(c->key_file, k, err, sizeof(err)) < 0)) {
		fprintf(stderr, "wizclient: cannot load the stack's config: %s\n",
			getenv("CERTHALL_CONF") ? err : "CERTHALL_CONF is not set");
		return -1;
	}
	if (arena_init(a, 1 << 16, 1 << 26) || db_open(d, c) != DB_OK) {
		fprintf(stderr, "wizclient: cannot reach the stack's database\n");
		return -1;
	}
	return 0;
}

void wiz_close(struct db *d, struct arena *a)
{
	db_close(d);
	arena_free(a);
}

static void open_db(void)
{
	if (opened)
		return;
	if (wiz_open(&conf, &key, &db, &arena) < 0)
		fail_msg("wizclient: cannot open the stack's config, key or database");
	opened = true;
}

void wiz_sql(const char *sql)
{
	open_db();
	if (db_exec(&db, sql, DB_NOARGS, NULL, NULL) != DB_OK)
		fail_msg("wizclient: %s: %s", sql, db.last_error);
}

void wiz_track(const char *no, const char *tail, struct api_resp *r)
{
	char body[128];

	snprintf(body, sizeof(body), "{\"order_no\":\"%s\",\"mobile_tail\":\"%s\"}", no, tail);
	for (int i = 0; i < 2; i++) {
		wiz_sql("DELETE FROM rate_limits WHERE bucket LIKE 'track:%'");
		api_post_json("/api/track/order", body, r);
		if (r->status != 429 || i == 1)
			break;
		api_free(r);
		sleep(1);
	}
}

void wiz_sql_value(const char *sql, char *out, size_t outsz)
{
	struct db_rows rows;

	open_db();
	if (db_query(&db, &arena, sql, DB_NOARGS, &rows) != DB_OK)
		fail_msg("wizclient: %s: %s", sql, db.last_error);
	if (rows.nrows == 0)
		snprintf(out, outsz, "%s", "");
	else
		snprintf(out, outsz, "%s", db_cell(&rows, 0, 0) ? db_cell(&rows, 0, 0) : "NULL");
	arena_reset(&arena);
}

void wiz_fill_slot(const char *bucket, int span, int hits)
{
	struct ratelimit_rule rule = { bucket, hits, span };
	long long slot, expires;

	open_db();
	if (ratelimit_slot(&rule, conf.time_zone, time(NULL), &slot, &expires) != DB_OK ||
	    db_exec(&db, "INSERT INTO rate_slots (bucket, slot, hits, expires) VALUES (?, ?, ?, ?) "
		    "ON DUPLICATE KEY UPDATE hits = VALUES(hits)",
		    DB_ARGS(DB_STR(bucket), DB_I64(slot), DB_I64(hits), DB_I64(expires)), NULL,
		    NULL) != DB_OK)
		fail_msg("wizclient: fill %s: %s", bucket, db.last_error);
}

void wiz_forget_slots(const char *like)
{
	open_db();
	if (db_exec(&db, "DELETE FROM rate_slots WHERE bucket LIKE ?", DB_ARGS(DB_STR(like)), NULL,
		    NULL) != DB_OK)
		fail_msg("wizclient: forget %s: %s", like, db.last_error);
}

void wiz_random_id(char out[19])
{
	static const int w[] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
	unsigned char r[6];
	int sum = 0;

	crypto_random(r, sizeof(r));
	snprintf(out, 19, "110105%04d%02d%02d%03u", 1985, 1 + r[0] % 12, 1 + r[1] % 28,
		 (unsigned)((r[2] << 8 | r[3]) % 1000));
	for (int i = 0; i < 17; i++)
		sum += (out[i] - '0') * w[i];
	out[17] = "10X98765432"[sum % 11];
	out[18] = '\0';
}

void wiz_random_serial(char out[17])
{
	unsigned char r[8];

	crypto_random(r, sizeof(r));
	for (int i = 0; i < 8; i++)
		snprintf(out + 2 * i, 3, "%02X", r[i]);
}

static const char sql_cert[] =
	"INSERT INTO certificates (serial, channel_id, kind, holder_name, subject_name, not_before, "
	"not_after, first_issued, has_seal, state, account_id, subject_idx) "
	"SELECT ?, c.id, ?, '测试持有人', '测试示范有限公司', "
	"DATE(UTC_TIMESTAMP() + INTERVAL 8 HOUR) + INTERVAL ? DAY - INTERVAL 1 YEAR, "
	"DATE(UTC_TIMESTAMP() + INTERVAL 8 HOUR) + INTERVAL ? DAY, "
	"DATE(UTC_TIMESTAMP() + INTERVAL 8 HOUR) + INTERVAL ? DAY, ?, 'valid', "
	"(SELECT id FROM accounts WHERE login_name = ?), ? FROM channels c WHERE c.code = ?";

void wiz_fixture_cert(const char *login, const char *subject, const char *channel,
		      const char *kind, const char *serial, int not_after_days,
		      int first_issued_days, bool has_seal)
{
	char idx[65];
	unsigned long long n = 0;

	open_db();
	crypto_index_hex(&key, "subject", subject, strlen(subject), idx);
	if (db_exec(&db, sql_cert,
		    DB_ARGS(DB_STR(serial), DB_STR(kind), DB_I64(not_after_days),
			    DB_I64(not_after_days), DB_I64(first_issued_days), DB_I64(has_seal),
			    login ? DB_STR(login) : DB_NULL, DB_STR(idx), DB_STR(channel)),
		    &n, NULL) != DB_OK || n != 1)
		fail_msg("wizclient: certificate fixture %s: %s", serial, db.last_error);
}

void wiz_create(struct api_client *c, const char *channel, const char *business,
		const char *kind, const char *extra, char no[19])
{
	char body[512];
	struct api_resp r;
	const char *got;

	snprintf(body, sizeof(body), "{\"channel\":\"%s\",\"business\":\"%s\",\"kind\":\"%s\"%s}",
		 channel, business, kind, extra ? extra : "");
	api_call(c, "POST", "/api/wizard/orders", body, NULL, &r);
	if (r.status != 201)
		fail_msg("create %s %s %s: %ld %s", channel, business, kind, r.status, r.body);
	got = json_string_value(json_object_get(r.json, "order_no"));
	assert_non_null(got);
	snprintf(no, 19, "%s", got);
	api_free(&r);
}

void wiz_put(struct api_client *c, const char *no, const char *step, const char *json,
	     struct api_resp *r)
{
	char path[128];

	snprintf(path, sizeof(path), "/api/wizard/orders/%s/steps/%s", no, step);
	api_call(c, "PUT", path, json, NULL, r);
}

const char *wiz_step_json(const char *step, const char *org_name, const char *mobile,
			  const char *method)
{
	return wiz_step_json_id(step, org_name, mobile, method, NULL);
}

const char *wiz_step_json_id(const char *step, const char *org_name, const char *mobile,
			     const char *method, const char *id_number)
{
	static char buf[2048];
	char id1[19], id2[19];

	if (id_number)
		snprintf(id1, sizeof(id1), "%s", id_number);
	else
		wiz_random_id(id1);
	wiz_random_id(id2);
	if (strcmp(step, "agreements") == 0)
		snprintf(buf, sizeof(buf), "{\"service\":\"2026.1\",\"privacy\":\"2026.1\"}");
	else if (strcmp(step, "enterprise") == 0)
		snprintf(buf, sizeof(buf),
			 "{\"org_name\":\"%s\",\"province\":\"广东省\",\"city\":\"深圳市\","
			 "\"district\":\"南山区\",\"address\":\"科技园科苑路 15 号\",\"method\":\"%s\","
			 "\"lr_name\":\"张伟\",\"lr_id_number\":\"%s\",\"lr_mobile\":\"%s\","
			 "\"lr_bank_card\":\"6222020200001234562\"}",
			 org_name, method ? method : "lr_mobile", id1, mobile);
	else if (strcmp(step, "handler") == 0)
		snprintf(buf, sizeof(buf),
			 "{\"name\":\"李娜\",\"id_number\":\"%s\",\"mobile\":\"%s\","
			 "\"email\":\"handler@example.com\",\"position\":\"采购专员\",\"method\":\"%s\","
			 "\"bank_card\":\"6217000010001234569\"}",
			 id2, mobile, method ? method : "mobile");
	else if (strcmp(step, "applicant") == 0)
		snprintf(buf, sizeof(buf),
			 "{\"name\":\"王芳\",\"id_number\":\"%s\",\"mobile\":\"%s\","
			 "\"email\":\"holder@example.com\"}", id1, mobile);
	else if (strcmp(step, "financial") == 0)
		snprintf(buf, sizeof(buf),
			 "{\"account_name\":\"%s\",\"bank\":\"中国工商银行深圳科技园支行\","
			 "\"account_no\":\"4000021109200123456\"}", org_name);
	else if (strcmp(step, "change") == 0)
		snprintf(buf, sizeof(buf),
			 "{\"items\":\"name,address\",\"new_org_name\":\"%s（更名）\","
			 "\"new_address\":\"深圳市南山区粤海街道 1 号\"}", org_name);
	else if (strcmp(step, "product") == 0)
		snprintf(buf, sizeof(buf),
			 "{\"years\":\"1\",\"seal\":\"0\",\"e_invoice\":\"1\",\"taxpayer_no\":\"\","
			 "\"invoice_title\":\"%s\","
			 "\"mail_recipient\":\"李娜\",\"mail_mobile\":\"%s\",\"mail_province\":\"广东省\","
			 "\"mail_city\":\"深圳市\",\"mail_county\":\"南山区\","
			 "\"mail_address\":\"科技园科苑路 15 号 3 楼\",\"mail_postcode\":\"518057\"}",
			 org_name, mobile);
	else
		fail_msg("wiz_step_json: no data for step %s", step);
	return buf;
}

void wiz_order(struct api_client *c, const char *no, char *state, struct api_resp *r)
{
	char path[96];

	snprintf(path, sizeof(path), "/api/wizard/orders/%s", no);
	api_call(c, "GET", path, NULL, NULL, r);
	if (r->status != 200)
		fail_msg("order %s: %ld %s", no, r->status, r->body);
	if (state)
		snprintf(state, 32, "%s", json_string_value(json_object_get(r->json, "state")));
}

/* The channel's method for a step: want if the channel offers it, else its first. */
static void channel_method(const char *channel, const char *list, const char *want, char *out,
			   size_t outsz)
{
	struct api_resp r;
	json_t *chs, *ch, *methods, *m;
	size_t i, k;

	snprintf(out, outsz, "%s", want);
	api_get("/api/wizard/catalog", &r);
	assert_int_equal(r.status, 200);
	chs = json_object_get(r.json, "channels");
	json_array_foreach(chs, i, ch) {
		if (strcmp(json_string_value(json_object_get(ch, "code")), channel) != 0)
			continue;
		methods = json_object_get(ch, list);
		json_array_foreach(methods, k, m)
			if (strcmp(json_string_value(json_object_get(m, "code")), want) == 0)
				goto out;
		if (json_array_size(methods) > 0)
			snprintf(out, outsz, "%s",
				 json_string_value(json_object_get(json_array_get(methods, 0), "code")));
	}
out:
	api_free(&r);
}

/* Whether the channel's change business may change item (its catalog's change_items: 002
 * changes no address). */
static bool channel_change_item(const char *channel, const char *item)
{
	struct api_resp r;
	json_t *ch;
	size_t i;
	bool yes = true;

	api_get("/api/wizard/catalog", &r);
	assert_int_equal(r.status, 200);
	json_array_foreach(json_object_get(r.json, "channels"), i, ch) {
		const char *items = json_string_value(json_object_get(ch, "change_items"));
		char list[80];

		if (strcmp(json_string_value(json_object_get(ch, "code")), channel) != 0 || !items)
			continue;
		snprintf(list, sizeof(list), ",%s,", items);
		yes = strstr(list, item) != NULL;
	}
	api_free(&r);
	return yes;
}

/* json (a static buffer of wiz_step_json) with its member name set to value, when value is
 * given. */
static const char *step_with(const char *json, const char *name, const char *value)
{
	static char buf[2048];
	json_t *j;
	char *text;

	if (!value)
		return json;
	j = json_loads(json, 0, NULL);
	assert_non_null(j);
	json_object_set_new(j, name, json_string(value));
	text = json_dumps(j, JSON_COMPACT);
	assert_non_null(text);
	snprintf(buf, sizeof(buf), "%s", text);
	free(text);
	json_decref(j);
	return buf;
}

void wiz_fill(struct api_client *c, const char *no, const char *org_name, const char *mobile)
{
	wiz_fill_opts(c, no, org_name, mobile, NULL);
}

void wiz_fill_opts(struct api_client *c, const char *no, const char *org_name, const char *mobile,
		   const struct wiz_opts *opts)
{
	/* The change before the basic account, which is held in the name the change leaves. */
	static const char *const data_steps[] = { "agreements", "enterprise", "handler", "applicant",
						  "change", "financial", "product" };
	char channel[40], ent[24], hnd[24], change[300], renamed[200];
	struct api_resp o, r;
	json_t *steps, *s;
	size_t i;
	bool address, person, change_order;

	wiz_order(c, no, NULL, &o);
	snprintf(channel, sizeof(channel), "%s", json_string_value(json_object_get(o.json, "channel")));
	person = strcmp(json_string_value(json_object_get(o.json, "kind")), "person") == 0;
	change_order = strcmp(json_string_value(json_object_get(o.json, "business")), "change") == 0;
	api_free(&o);
	/* A change renames the organisation (the change step below), which is checked under its
	 * new name: its basic account is held in it. */
	snprintf(renamed, sizeof(renamed), "%s（更名）", org_name);
	channel_method(channel, "verify_methods",
		       opts && opts->enterprise_method ? opts->enterprise_method : "lr_mobile", ent,
		       sizeof(ent));
	channel_method(channel, "handler_methods",
		       opts && opts->handler_method ? opts->handler_method : "mobile", hnd, sizeof(hnd));
	address = channel_change_item(channel, ",address,");
	snprintf(change, sizeof(change), "{\"items\":\"name\",\"new_org_name\":\"%s（更名）\"}",
		 org_name);
	for (size_t k = 0; k < sizeof(data_steps) / sizeof(data_steps[0]); k++) {
		/* The plan can change as steps are saved (a transfer method adds "financial"). */
		wiz_order(c, no, NULL, &o);
		steps = json_object_get(o.json, "steps");
		assert_true(json_is_array(steps));
		json_array_foreach(steps, i, s) {
			const char *name = json_string_value(json_object_get(s, "step"));
			const char *method = NULL;

			if (!name || strcmp(name, data_steps[k]) != 0 ||
			    json_is_true(json_object_get(s, "done")))
				continue;
			if (strcmp(name, "enterprise") == 0)
				method = ent;
			else if (strcmp(name, "handler") == 0)
				method = hnd;
			wiz_put(c, no, name,
				strcmp(name, "change") == 0 && !address
					? change
					/* A person's own order: he is his handler (003 person_self). */
					: strcmp(name, "handler") == 0
					? step_with(wiz_step_json(name, org_name, mobile, method), "id_number",
						    person && opts ? opts->id_number : NULL)
					: step_with(step_with(wiz_step_json_id(name, org_name, mobile, method,
									       opts ? opts->id_number : NULL),
							      "account_no",
							      strcmp(name, "financial") == 0 && opts
								      ? opts->account_no : NULL),
						    "account_name",
						    strcmp(name, "financial") == 0 && change_order ? renamed : NULL),
				&r);
			if (r.status != 200)
				fail_msg("step %s of %s: %ld %s", name, no, r.status, r.body);
			api_free(&r);
		}
		api_free(&o);
	}
}

void wiz_clear_code_limits(void)
{
	wiz_forget_slots("code:%");
}

void wiz_register_org(struct api_client *c, char uscc[19], char mobile[12])
{
	api_register_org(c, uscc, mobile);
	wiz_clear_code_limits();
}

void wiz_register_person(struct api_client *c, char mobile[12])
{
	char code[7], body[400];
	struct api_resp r;

	memset(c, 0, sizeof(*c)); /* a new browser: no cookie of an earlier session, nor stack bytes */
	api_random_mobile(mobile);
	api_get_code(mobile, "register", code);
	snprintf(body, sizeof(body),
		 "{\"kind\":\"person\",\"name\":\"王芳\",\"mobile\":\"%s\",\"sms_code\":\"%s\","
		 "\"password\":\"Passw0rd-1\"}", mobile, code);
	api_call(c, "POST", "/api/account/register", body, NULL, &r);
	if (r.status != 201)
		fail_msg("register person: %ld %s", r.status, r.body);
	api_free(&r);
	wiz_clear_code_limits();
}

void wiz_random_account(char out[20])
{
	unsigned char r[18];

	crypto_random(r, sizeof(r));
	out[0] = '4';
	for (int i = 0; i < 18; i++)
		out[1 + i] = (char)('0' + r[i] % 10);
	out[19] = '\0';
}

/* ---- verification */

static void order_path(char *out, size_t outsz, const char *no, const char *tail)
{
	snprintf(out, outsz, "/api/wizard/orders/%s%s", no, tail);
}

void wiz_prove_org(struct api_client *c, const char *org_name, const char *mobile)
{
	char no[19], path[96];
	struct api_resp r;

	wiz_create(c, "bjca-zycg", "new", "org", NULL, no);
	wiz_fill(c, no, org_name, mobile);
	wiz_verify(c, no, "enterprise", NULL);
	order_path(path, sizeof(path), no, "/cancel");
	api_call(c, "POST", path, "{}", NULL, &r);
	if (r.status != 200)
		fail_msg("cancel %s: %ld %s", no, r.status, r.body);
	api_free(&r);
}

/* The memo of the newest transfer to account, off the sandbox's bank statement ("" none). */
void wiz_statement_memo(const char *account, char memo[16])
{
	char path[128];
	struct api_resp r;
	json_t *t;

	snprintf(path, sizeof(path), "/sandbox/verify/transfers?account_no=%s", account);
	api_get(path, &r);
	assert_int_equal(r.status, 200);
	t = json_array_get(json_object_get(r.json, "transfers"), 0);
	snprintf(memo, 16, "%s", t ? json_string_value(json_object_get(t, "memo")) : "");
	api_free(&r);
}

static void expect_passed(const struct api_resp *r, const char *what, const char *no)
{
	const char *st = json_string_value(
		json_object_get(json_object_get(r->json, "verification"), "state"));

	if (r->status != 200 || !st || strcmp(st, "passed") != 0)
		fail_msg("%s of %s did not pass: %ld %s", what, no, r->status, r->body);
}

void wiz_verify(struct api_client *c, const char *no, const char *subject, const char *account_no)
{
	char path[200], tail[64], state[16], method[16], sql[400], ref[80], memo[16], body[64];
	struct api_resp r;
	json_t *v;

	snprintf(tail, sizeof(tail), "/verify/%s", subject);
	order_path(path, sizeof(path), no, tail);
	api_call(c, "POST", path, "{}", NULL, &r);
	if (r.status != 200)
		fail_msg("verify %s of %s: %ld %s", subject, no, r.status, r.body);
	v = json_object_get(r.json, "verification");
	snprintf(state, sizeof(state), "%s", json_string_value(json_object_get(v, "state")));
	snprintf(method, sizeof(method), "%s", json_string_value(json_object_get(v, "method")));
	if (strcmp(state, "passed") == 0 || strcmp(state, "pending") != 0) {
		expect_passed(&r, subject, no);
		api_free(&r);
		return;
	}
	api_free(&r);
	if (strcmp(method, "transfer") == 0) {
		if (!account_no)
			fail_msg("verify %s of %s: a transfer check needs the account", subject, no);
		wiz_statement_memo(account_no, memo);
		if (!memo[0])
			fail_msg("no transfer to account %s", account_no);
		snprintf(body, sizeof(body), "{\"memo\":\"%s\"}", memo);
		snprintf(tail, sizeof(tail), "/verify/%s/confirm", subject);
		order_path(path, sizeof(path), no, tail);
		api_call(c, "POST", path, body, NULL, &r);
	} else {
		/* The person in front of the camera: liveness done. */
		snprintf(sql, sizeof(sql),
			 "SELECT v.provider_ref FROM verifications v JOIN orders o ON o.id = v.order_id "
			 "WHERE o.order_no = '%s' AND v.subject = '%s' ORDER BY v.id DESC LIMIT 1",
			 no, subject);
		wiz_sql_value(sql, ref, sizeof(ref));
		snprintf(path, sizeof(path), "/sandbox/verify/checks/%s/complete", ref);
		api_post_json(path, "{\"outcome\":\"pass\"}", &r);
		if (r.status != 200)
			fail_msg("complete %s: %ld %s", ref, r.status, r.body);
		api_free(&r);
		order_path(path, sizeof(path), no, tail);
		api_call(c, "GET", path, NULL, NULL, &r);
	}
	expect_passed(&r, subject, no);
	api_free(&r);
}

static bool plan_has(const struct api_resp *o, const char *step)
{
	json_t *s;
	size_t i;

	json_array_foreach(json_object_get(o->json, "steps"), i, s)
		if (strcmp(json_string_value(json_object_get(s, "step")), step) == 0)
			return true;
	return false;
}

void wiz_verify_plan(struct api_client *c, const char *no, const char *account_no)
{
	struct api_resp o;
	bool enterprise;

	wiz_order(c, no, NULL, &o);
	enterprise = plan_has(&o, "enterprise") && !json_is_true(json_object_get(o.json, "mail_in"));
	api_free(&o);
	if (enterprise)
		wiz_verify(c, no, "enterprise", account_no);
	wiz_verify(c, no, "handler", NULL);
}

/* ---- materials */

/* One legible A4-ish scan serves for every material; made once per stack (under a name of
 * its own first, so a test running beside this one never reads half a file). */
static const char *scan_path(void)
{
	static char path[600];
	char tmp[640], cmd[1200];
	const char *dir = getenv("CERTHALL_STACK");

	if (path[0])
		return path;
	if (!dir)
		fail_msg("wizclient: CERTHALL_STACK is not set");
	snprintf(path, sizeof(path), "%s/wiz-scan.jpg", dir);
	if (access(path, R_OK) == 0)
		return path;
	snprintf(tmp, sizeof(tmp), "%s/wiz-scan.%ld.jpg", dir, (long)getpid());
	snprintf(cmd, sizeof(cmd),
		 "convert -size 620x877 xc:white -fill black -draw 'rectangle 50,60 560,80' "
		 "-draw 'rectangle 50,120 400,135' -fill none -stroke red -strokewidth 4 "
		 "-draw 'circle 470,700 470,620' -quality 85 '%s' 2>/dev/null", tmp);
	if (system(cmd) != 0 || rename(tmp, path) != 0)
		fail_msg("wizclient: cannot make the scan %s", path);
	return path;
}

/* The QR modules of the order's printed form: read off the page the wizard prints (the first
 * <svg> is the header's QR) or, when the order's steps are not done yet and no page is
 * printed, drawn from the same check URL with the stack's key. Returns the width. */
static int form_modules(struct api_client *c, const char *no, const char *form, unsigned char *m,
			size_t cap)
{
	char path[128], tag[FORMTAG_LEN + 1], *url;
	struct api_resp r;
	struct qr_svg q;
	int width = 0;

	snprintf(path, sizeof(path), "/api/wizard/orders/%s/forms/%s", no, form);
	api_call(c, "GET", path, NULL, NULL, &r);
	if (r.status == 200 && r.body)
		width = forge_qr_from_svg(strstr(r.body, "<svg"), m, cap);
	api_free(&r);
	if (width > 0)
		return width;
	open_db();
	formtag_make(&key, no, form, tag);
	url = arena_printf(&arena, "%s" FORMTAG_PATH "?no=%s&form=%s&t=%s", conf.public_url, no, form, tag);
	if (!url || qr_svg(&arena, url, &q) != QR_OK)
		fail_msg("wizclient: cannot draw the QR of %s", no);
	width = forge_qr_from_svg(q.svg, m, cap);
	arena_reset(&arena);
	return width;
}

void wiz_form_page(struct api_client *c, const char *no, const char *form, bool sealed,
		   struct forge_page *pg)
{
	static unsigned char modules[177 * 177];
	int width = form_modules(c, no, form, modules, sizeof(modules));

	if (width <= 0 || forge_page_new(pg, 1000, 1414) != 0)
		fail_msg("wizclient: cannot make the form scan of %s", no);
	forge_form_body(pg, (unsigned)strtoul(no + 8, NULL, 10));
	forge_qr_top_right(pg, modules, width);
	if (sealed)
		forge_seal_in_box(pg);
}

unsigned char *wiz_form_scan(struct api_client *c, const char *no, const char *form, bool sealed,
			     size_t *len)
{
	struct forge_page pg;
	unsigned char *bmp = NULL;

	wiz_form_page(c, no, form, sealed, &pg);
	if (forge_bmp4(&pg, &bmp, len) != 0)
		fail_msg("wizclient: out of memory");
	forge_page_free(&pg);
	return bmp;
}

void wiz_upload_scan(struct api_client *c, const char *no, const char *kind, struct api_resp *r)
{
	size_t len;
	char *data;
	const char *form = strcmp(kind, "application_form") == 0       ? "application"
			   : strcmp(kind, "authorisation_letter") == 0 ? "authorisation"
			   : strcmp(kind, "seal_sample") == 0          ? "seal"
								       : NULL;

	if (form) {
		/* The printed forms are checked for their QR: upload the order's own, stamped. */
		data = (char *)wiz_form_scan(c, no, form, true, &len);
		api_upload(c, no, kind, data, len, "form.bmp", "image/bmp", r);
		free(data);
		return;
	}
	data = api_read_file(scan_path(), &len);
	api_upload(c, no, kind, data, len, "scan.jpg", "image/jpeg", r);
	free(data);
}

void wiz_upload_missing(struct api_client *c, const char *no)
{
	struct api_resp o, r;
	json_t *m;
	size_t i;

	wiz_order(c, no, NULL, &o);
	json_array_foreach(json_object_get(o.json, "materials_missing"), i, m) {
		const char *kind = json_string_value(json_object_get(m, "material"));

		wiz_upload_scan(c, no, kind, &r);
		if (r.status != 201)
			fail_msg("upload %s to %s: %ld %s", kind, no, r.status, r.body);
		api_free(&r);
	}
	api_free(&o);
	wiz_order(c, no, NULL, &o);
	if (json_array_size(json_object_get(o.json, "materials_missing")) != 0)
		fail_msg("%s still lacks materials after uploading: %s", no, o.body);
	api_free(&o);
}

/* ---- signing */

/* The code of the newest sign-code SMS among the messages to mobile beyond the first
 * `before` (other SMS, such as "submitted", may arrive meanwhile). */
static bool new_code(const char *mobile, size_t before, char code[7])
{
	static const char lead[] = "验证码为";
	char path[128];
	struct api_resp r;
	json_t *list;
	size_t n;
	bool found = false;

	snprintf(path, sizeof(path), "/sandbox/messages?to=%s&limit=100", mobile);
	api_get(path, &r);
	assert_int_equal(r.status, 200);
	list = json_object_get(r.json, "messages");
	n = json_array_size(list);
	for (size_t i = 0; !found && before < n && i < n - before; i++) {
		const char *text = json_string_value(json_object_get(json_array_get(list, i), "text"));
		const char *p = text ? strstr(text, lead) : NULL;

		if (p && strspn(p + strlen(lead), "0123456789") == 6) {
			snprintf(code, 7, "%s", p + strlen(lead));
			found = true;
		}
	}
	api_free(&r);
	return found;
}

static bool limits_kept;

void wiz_keep_code_limits(bool keep)
{
	limits_kept = keep;
}

void wiz_sign_code(struct api_client *c, const char *no, const char *mobile, char code[7])
{
	char path[128];
	struct api_resp r;
	size_t before;
	bool got = false;

	if (!limits_kept)
		wiz_clear_code_limits();
	before = api_sandbox_count(mobile, NULL);
	order_path(path, sizeof(path), no, "/sign/code");
	api_call(c, "POST", path, NULL, NULL, &r);
	if (r.status != 200)
		fail_msg("sign code for %s: %ld %s", no, r.status, r.body);
	assert_true(json_is_true(json_object_get(r.json, "accepted")));
	/* The mobile is named only masked. */
	assert_non_null(strstr(json_string_value(json_object_get(r.json, "mobile")), "****"));
	assert_null(strstr(r.body, mobile));
	api_free(&r);
	for (int i = 0; i < 100 && !(got = new_code(mobile, before, code)); i++)
		usleep(50 * 1000);
	if (!got)
		fail_msg("no sign code reached %s for %s", mobile, no);
}

void wiz_sign_with(struct api_client *c, const char *no, const char *tail, const char *code,
		   struct api_resp *r)
{
	char path[128], body[64];

	order_path(path, sizeof(path), no, tail);
	snprintf(body, sizeof(body), "{\"code\":\"%s\"}", code);
	api_call(c, "POST", path, body, NULL, r);
}

void wiz_sign(struct api_client *c, const char *no, const char *mobile, const char *want)
{
	struct api_resp r;
	char code[7], state[32];

	wiz_sign_code(c, no, mobile, code);
	wiz_sign_with(c, no, "/sign", code, &r);
	if (r.status != 200)
		fail_msg("sign %s: %ld %s", no, r.status, r.body);
	assert_string_equal(json_string_value(json_object_get(r.json, "state")), want);
	api_free(&r);
	wiz_order(c, no, state, &r);
	api_free(&r);
	assert_string_equal(state, want);
}

/* ---- payment */

void wiz_pay(struct api_client *c, const char *no, const char *method, struct api_resp *r)
{
	char path[96], body[64];

	order_path(path, sizeof(path), no, "/pay");
	snprintf(body, sizeof(body), "{\"method\":\"%s\"}", method);
	api_call(c, "POST", path, body, NULL, r);
}

void wiz_pay_qr(struct api_client *c, const char *no, const char *method, char pay_no[25])
{
	struct api_resp r;
	const char *got;

	wiz_pay(c, no, method, &r);
	if (r.status != 201)
		fail_msg("pay %s %s: %ld %s", no, method, r.status, r.body);
	got = json_string_value(json_object_get(r.json, "pay_no"));
	assert_non_null(got);
	assert_non_null(json_string_value(json_object_get(r.json, "qr_url")));
	snprintf(pay_no, 25, "%s", got);
	api_free(&r);
}

void wiz_pay_complete(const char *pay_no)
{
	char path[96];
	struct api_resp r;

	snprintf(path, sizeof(path), "/sandbox/pay/orders/%s/complete", pay_no);
	api_post_json(path, "{\"outcome\":\"paid\",\"notify\":true}", &r);
	if (r.status != 200 || !json_is_true(json_object_get(r.json, "notified")) ||
	    json_integer_value(json_object_get(r.json, "notify_status")) != 200 ||
	    !json_string_value(json_object_get(json_object_get(r.json, "notify_answer"), "outcome")) ||
	    strcmp(json_string_value(json_object_get(json_object_get(r.json, "notify_answer"),
						     "outcome")), "paid") != 0)
		fail_msg("complete %s as paid: %ld %s", pay_no, r.status, r.body);
	api_free(&r);
}

const char *wiz_str(json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));

	return v ? v : "";
}

bool wiz_listed(json_t *a, const char *code)
{
	size_t i;
	json_t *v;

	json_array_foreach(a, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), code) == 0)
			return true;
	return false;
}

long long wiz_staff_version(struct api_client *staff, const char *no)
{
	char path[120];
	struct api_resp r;
	long long v;

	snprintf(path, sizeof(path), "/api/review/orders/%s", no);
	api_call(staff, "GET", path, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	v = json_integer_value(json_object_get(r.json, "version"));
	api_free(&r);
	return v;
}

void wiz_staff_call(struct api_client *staff, const char *no, const char *action,
		    const char *more, struct api_resp *r)
{
	char path[160], body[8192];

	snprintf(path, sizeof(path), "/api/review/orders/%s/%s", no, action);
	snprintf(body, sizeof(body), "{\"version\":%lld%s}", wiz_staff_version(staff, no),
		 more ? more : "");
	api_call(staff, "POST", path, body, NULL, r);
}

char *wiz_made_members(struct api_client *staff, const char *no)
{
	char path[120];
	struct api_resp r;
	json_t *n;
	const char *cn, *o;
	char *out = NULL;

	snprintf(path, sizeof(path), "/api/review/orders/%s", no);
	api_call(staff, "GET", path, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	n = json_object_get(r.json, "made_names");
	cn = json_string_value(json_object_get(n, "cn"));
	o = json_string_value(json_object_get(n, "o"));
	if (cn)
		out = wiz_token_made(CERT_KEY_RSA, cn, o && *o ? o : NULL, NULL, NULL);
	api_free(&r);
	return out;
}

char *wiz_token_made(enum cert_key kind, const char *cn, const char *org, EVP_PKEY **key_out,
		     char serial[17])
{
	EVP_PKEY *k = key_out && *key_out ? *key_out : cert_key_new(kind);
	char *csr, *text, *out, ts[17];
	json_t *j;

	assert_non_null(k);
	csr = cert_csr_pem(k, cn, org);
	assert_non_null(csr);
	wiz_random_serial(ts);
	j = json_pack("{s:s, s:s, s:s}", "csr", csr, "token_serial", ts, "pin", WIZ_TOKEN_PIN);
	text = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	assert_non_null(text);
	/* {"csr":...} -> ,"csr":... */
	out = strdup(text);
	assert_non_null(out);
	out[0] = ',';
	out[strlen(out) - 1] = '\0';
	if (serial)
		memcpy(serial, ts, sizeof(ts));
	if (key_out)
		*key_out = k;
	else
		EVP_PKEY_free(k);
	free(text);
	json_decref(j);
	free(csr);
	return out;
}

int wiz_run(const char *cmd, char *out, size_t outsz)
{
	char line[512];
	size_t o = 0;
	FILE *p = popen(cmd, "r");
	int st;

	assert_non_null(p);
	out[0] = '\0';
	while (fgets(line, sizeof(line), p)) {
		size_t n = strlen(line);

		if (o + n < outsz) {
			memcpy(out + o, line, n + 1);
			o += n;
		}
	}
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

void wiz_write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

int wiz_openssl_verify(const char *chain_dir, const char *pem, const unsigned char *crl_der,
		       size_t crl_len, char *out, size_t outsz)
{
	char dir[] = "/tmp/certhall-verify.XXXXXX", chain[600], path[700], cmd[2048];
	int rc;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/%s", chain_dir, "chain.pem");
	api_stack_path(path, chain, sizeof(chain));
	snprintf(path, sizeof(path), "%s/leaf.pem", dir);
	wiz_write_file(path, pem, strlen(pem));
	if (crl_der) {
		snprintf(path, sizeof(path), "%s/crl.der", dir);
		wiz_write_file(path, crl_der, crl_len);
		snprintf(cmd, sizeof(cmd),
			 "cd '%s' && openssl crl -inform DER -in crl.der -out crl.pem 2>&1 && "
			 "cat '%s' crl.pem > chaincrl.pem && "
			 "openssl verify -crl_check -CAfile chaincrl.pem leaf.pem 2>&1", dir, chain);
	} else {
		snprintf(cmd, sizeof(cmd), "openssl verify -CAfile '%s' '%s/leaf.pem' 2>&1", chain, dir);
	}
	rc = wiz_run(cmd, out, outsz);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	return rc;
}
