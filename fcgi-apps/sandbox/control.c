/* sandbox: behaviour control (failures, timeouts, permanent numbers) and reset, the sleeps
 * that play a timeout, and the arena's hold on JSON the endpoints parse. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sandbox.h"
#include "base/valid.h"

/*
 * The settings live in MariaDB (one row), so every worker of every host sees the same ones.
 * POST /sandbox/control changes the keys it names and keeps the others; POST /sandbox/reset
 * turns everything off and forgets every message. Row 1 is the first SMS gateway (and the mail
 * sink), row 2 the second (/sandbox/control/sms2).
 */

static const char sql_load[] =
	"SELECT fail_ppm, timeout_ppm, timeout_mode, permanent_numbers, permanent_ppm "
	"FROM sandbox_control WHERE id = ?";

static const char sql_store[] =
	"INSERT INTO sandbox_control (id, fail_ppm, timeout_ppm, timeout_mode, permanent_numbers, "
	"permanent_ppm, updated_at) VALUES (?, ?, ?, ?, ?, ?, NOW(3)) "
	"ON DUPLICATE KEY UPDATE fail_ppm = VALUES(fail_ppm), timeout_ppm = VALUES(timeout_ppm), "
	"timeout_mode = VALUES(timeout_mode), permanent_numbers = VALUES(permanent_numbers), "
	"permanent_ppm = VALUES(permanent_ppm), updated_at = VALUES(updated_at)";

static void json_release(void *p)
{
	json_decref(p);
}

static int ppm_cell(const char *s)
{
	long v = s ? strtol(s, NULL, 10) : 0;

	return v < 0 ? 0 : v > SANDBOX_PPM ? SANDBOX_PPM : (int)v;
}

json_t *sandbox_arena_json(struct req *r, json_t *j)
{
	if (j && arena_defer(r->arena, json_release, j) < 0) {
		json_decref(j);
		return NULL;
	}
	return j;
}

int sandbox_control_load(struct req *r, int gw, struct sandbox_control *c)
{
	struct db_rows rows;
	const char *mode, *nums;
	int rc;

	memset(c, 0, sizeof(*c));
	rc = db_query(&r->app->db, r->arena, sql_load, DB_ARGS(DB_I64(gw)), &rows);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (rows.nrows == 1) {
		c->fail_ppm = ppm_cell(db_cell(&rows, 0, 0));
		c->timeout_ppm = ppm_cell(db_cell(&rows, 0, 1));
		mode = db_cell(&rows, 0, 2);
		c->drop = mode && strcmp(mode, "drop") == 0;
		nums = db_cell(&rows, 0, 3);
		c->numbers = nums ? json_loads(nums, 0, NULL) : NULL;
		if (c->numbers && !json_is_array(c->numbers)) {
			json_decref(c->numbers);
			c->numbers = NULL;
		}
		c->permanent_ppm = ppm_cell(db_cell(&rows, 0, 4));
	}
	if (!c->numbers)
		c->numbers = json_array();
	c->numbers = sandbox_arena_json(r, c->numbers);
	return c->numbers ? 0 : resp_error(r, ERR_INTERNAL, NULL, NULL);
}

void sandbox_sleep_ms(int ms)
{
	struct timespec t = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	while (nanosleep(&t, &t) < 0 && errno == EINTR)
		;
}

void sandbox_outwait(struct req *r, int caller_timeout_ms)
{
	int ms = caller_timeout_ms + 1000;

	sandbox_sleep_ms(ms > r->app->conf.sandbox_timeout_sleep_ms ? ms
							 : r->app->conf.sandbox_timeout_sleep_ms);
}

bool sandbox_draw(int ppm)
{
	unsigned long long u;

	if (ppm <= 0)
		return false;
	if (ppm >= SANDBOX_PPM)
		return true;
	if (crypto_random(&u, sizeof(u)) < 0)
		return false;
	return u % SANDBOX_PPM < (unsigned long long)ppm;
}

static json_t *control_json(struct req *r, const struct sandbox_control *c)
{
	return json_pack("{s:f, s:f, s:s, s:O, s:f, s:i}",
			 "fail_ratio", (double)c->fail_ppm / SANDBOX_PPM,
			 "timeout_ratio", (double)c->timeout_ppm / SANDBOX_PPM,
			 "timeout_mode", c->drop ? "drop" : "accept",
			 "permanent_numbers", c->numbers,
			 "permanent_ratio", (double)c->permanent_ppm / SANDBOX_PPM,
			 "timeout_sleep_ms", r->app->conf.sandbox_timeout_sleep_ms);
}

static int control_get(struct req *r, int gw)
{
	struct sandbox_control c;

	if (sandbox_ready(r) < 0 || sandbox_control_load(r, gw, &c) < 0)
		return -1;
	resp_json(r, 200, control_json(r, &c));
	return 0;
}

int sandbox_control_get(struct req *r)
{
	return control_get(r, 1);
}

int sandbox_control2_get(struct req *r)
{
	return control_get(r, 2);
}

static int bad(struct req *r, const char *field, const char *message)
{
	return resp_error(r, ERR_INVALID_FIELD, field, message);
}

static int ratio(struct req *r, const char *name, json_t *v, int *ppm)
{
	double d;

	if (!json_is_number(v))
		return bad(r, name, arena_printf(r->arena, "%s 应为 0 到 1 之间的数。", name));
	d = json_number_value(v);
	if (!(d >= 0.0 && d <= 1.0))
		return bad(r, name, arena_printf(r->arena, "%s 应为 0 到 1 之间的数。", name));
	*ppm = (int)lround(d * SANDBOX_PPM);
	return 0;
}

static int numbers(struct req *r, json_t *v, json_t **out)
{
	static const char msg[] = "permanent_numbers 应为号码（或邮箱）字符串的数组，最多 64 个。";
	json_t *e;
	size_t i;

	if (!json_is_array(v) || json_array_size(v) > SANDBOX_MAX_NUMBERS)
		return bad(r, "permanent_numbers", msg);
	json_array_foreach(v, i, e) {
		const char *s = json_string_value(e);

		if (!s || !valid_text(s, json_string_length(e), 254) || strlen(s) != json_string_length(e))
			return bad(r, "permanent_numbers", msg);
	}
	*out = v;
	return 0;
}

/* Applies the keys of body over c; an unknown key is an error, so a typo never passes as set. */
static int apply(struct req *r, json_t *body, struct sandbox_control *c)
{
	const char *k;
	json_t *v;

	json_object_foreach(body, k, v) {
		int rc = 0;

		if (strcmp(k, "fail_ratio") == 0)
			rc = ratio(r, k, v, &c->fail_ppm);
		else if (strcmp(k, "timeout_ratio") == 0)
			rc = ratio(r, k, v, &c->timeout_ppm);
		else if (strcmp(k, "permanent_ratio") == 0)
			rc = ratio(r, k, v, &c->permanent_ppm);
		else if (strcmp(k, "permanent_numbers") == 0)
			rc = numbers(r, v, &c->numbers);
		else if (strcmp(k, "timeout_mode") == 0) {
			const char *m = json_string_value(v);

			if (!m || (strcmp(m, "accept") != 0 && strcmp(m, "drop") != 0))
				rc = bad(r, k, "timeout_mode 应为 \"accept\" 或 \"drop\"。");
			else
				c->drop = strcmp(m, "drop") == 0;
		} else {
			rc = bad(r, arena_strdup(r->arena, k),
				 "未知的设置项：可用 fail_ratio、timeout_ratio、timeout_mode、"
				 "permanent_numbers、permanent_ratio。");
		}
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int control_set(struct req *r, int gw)
{
	struct sandbox_control c;
	json_t *body;
	char *nums;
	int rc;

	if (sandbox_ready(r) < 0 || req_json(r, &body) < 0 || sandbox_control_load(r, gw, &c) < 0 ||
	    apply(r, body, &c) < 0)
		return -1;
	nums = json_dumps(c.numbers, JSON_COMPACT);
	if (!nums)
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	rc = db_exec(&r->app->db, sql_store,
		     DB_ARGS(DB_I64(gw), DB_I64(c.fail_ppm), DB_I64(c.timeout_ppm),
			     DB_STR(c.drop ? "drop" : "accept"), DB_STR(nums), DB_I64(c.permanent_ppm)),
		     NULL, NULL);
	free(nums);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	resp_json(r, 200, control_json(r, &c));
	return 0;
}

int sandbox_control_set(struct req *r)
{
	return control_set(r, 1);
}

int sandbox_control2_set(struct req *r)
{
	return control_set(r, 2);
}

static int reset_tx(struct db *db, void *ctx)
{
	int rc = db_exec(db, "DELETE FROM sandbox_messages", DB_NOARGS, NULL, NULL);

	(void)ctx;
	return rc != DB_OK ? rc : db_exec(db, "DELETE FROM sandbox_control", DB_NOARGS, NULL, NULL);
}

int sandbox_reset(struct req *r)
{
	int rc;

	if (sandbox_ready(r) < 0)
		return -1;
	rc = db_tx(&r->app->db, reset_tx, NULL);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	resp_json(r, 200, json_pack("{s:s}", "status", "reset"));
	return 0;
}
