/* wizclient: fixtures and valid step data for the wizard API tests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"
#include "conf.h"
#include "crypto.h"
#include "db.h"
#include "wizclient.h"

static struct conf conf;
static struct crypto_key key;
static struct db db;
static struct arena arena;
static bool opened;

static void open_db(void)
{
	char err[512];

	if (opened)
		return;
	conf_defaults(&conf);
	if (!getenv("CERTHALL_CONF") || conf_load(&conf, getenv("CERTHALL_CONF"), err, sizeof(err)) ||
	    conf_load_secrets(&conf, err, sizeof(err)) ||
	    crypto_key_load(conf.key_file, &key, err, sizeof(err)) < 0)
		fail_msg("wizclient: cannot load the stack's config: %s", err);
	if (arena_init(&arena, 4096, 1 << 24) || db_open(&db, &conf) != DB_OK)
		fail_msg("wizclient: cannot reach the stack's database");
	opened = true;
}

void wiz_sql(const char *sql)
{
	open_db();
	if (db_exec(&db, sql, DB_NOARGS, NULL, NULL) != DB_OK)
		fail_msg("wizclient: %s: %s", sql, db.last_error);
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
			 "\"mail_recipient\":\"李娜\",\"mail_mobile\":\"%s\",\"mail_province\":\"广东省\","
			 "\"mail_city\":\"深圳市\",\"mail_county\":\"南山区\","
			 "\"mail_address\":\"科技园科苑路 15 号 3 楼\",\"mail_postcode\":\"518057\"}",
			 mobile);
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

void wiz_fill(struct api_client *c, const char *no, const char *org_name, const char *mobile)
{
	wiz_fill_opts(c, no, org_name, mobile, NULL);
}

void wiz_fill_opts(struct api_client *c, const char *no, const char *org_name, const char *mobile,
		   const struct wiz_opts *opts)
{
	static const char *const data_steps[] = { "agreements", "enterprise", "handler", "applicant",
						  "financial", "change", "product" };
	char channel[40], ent[24], hnd[24];
	struct api_resp o, r;
	json_t *steps, *s;
	size_t i;

	wiz_order(c, no, NULL, &o);
	snprintf(channel, sizeof(channel), "%s", json_string_value(json_object_get(o.json, "channel")));
	api_free(&o);
	channel_method(channel, "verify_methods",
		       opts && opts->enterprise_method ? opts->enterprise_method : "lr_mobile", ent,
		       sizeof(ent));
	channel_method(channel, "handler_methods",
		       opts && opts->handler_method ? opts->handler_method : "mobile", hnd, sizeof(hnd));
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
				wiz_step_json_id(name, org_name, mobile, method,
						 opts ? opts->id_number : NULL), &r);
			if (r.status != 200)
				fail_msg("step %s of %s: %ld %s", name, no, r.status, r.body);
			api_free(&r);
		}
		api_free(&o);
	}
}
