/* sandbox: GET /sandbox/messages (what the gateway took, newest first) and its stats. */
#include <stdlib.h>
#include <string.h>

#include "sandbox.h"
#include "base/valid.h"

#define LIST_DEFAULT 20
#define LIST_MAX 200

static const char sql_list[] =
	"SELECT provider_id, idem_key, channel, to_addr, template, params, subject, `text`, "
	"CONCAT(DATE_FORMAT(received_at, '%Y-%m-%dT%H:%i:%s.'), "
	"LEFT(DATE_FORMAT(received_at, '%f'), 3), '+08:00'), gateway "
	"FROM sandbox_messages WHERE (? = '' OR to_addr = ?) AND (? = '' OR channel = ?) "
	"AND (? = '' OR idem_key = ?) ORDER BY received_at DESC, id DESC LIMIT ?";

static const char sql_totals[] =
	"SELECT COUNT(*), COUNT(DISTINCT idem_key) FROM sandbox_messages "
	"WHERE (? = '' OR channel = ?)";

static const char sql_duplicates[] =
	"SELECT idem_key, COUNT(*) FROM sandbox_messages WHERE (? = '' OR channel = ?) "
	"GROUP BY idem_key HAVING COUNT(*) > 1 ORDER BY COUNT(*) DESC, idem_key LIMIT 1000";

enum { M_ID, M_KEY, M_CHANNEL, M_TO, M_TEMPLATE, M_PARAMS, M_SUBJECT, M_TEXT, M_AT, M_GATEWAY };

/* A query argument, "" when absent; -1 (answered) when it is not short clean text. */
static int arg(struct req *r, const struct kvlist *args, const char *name, size_t max,
	       const char **out)
{
	const char *v = kv_get(args, name);

	*out = v ? v : "";
	if (v && !valid_text(v, strlen(v), max))
		return resp_error(r, ERR_INVALID_FIELD, name, NULL);
	return 0;
}

static int limit_arg(struct req *r, const struct kvlist *args, long *out)
{
	const char *v = kv_get(args, "limit");
	size_t n = v ? strspn(v, "0123456789") : 0;

	*out = LIST_DEFAULT;
	if (!v)
		return 0;
	if (n == 0 || n > 3 || v[n] || (*out = strtol(v, NULL, 10)) < 1 || *out > LIST_MAX)
		return resp_error(r, ERR_INVALID_FIELD, "limit", "limit 应为 1 到 200 之间的整数。");
	return 0;
}

static long long count_cell(const struct db_rows *rows, size_t row, size_t col)
{
	const char *s = db_cell(rows, row, col);

	return s ? strtoll(s, NULL, 10) : 0;
}

/* The params column as the object it was sent as. */
static json_t *params_json(const char *s)
{
	json_t *j = s ? json_loads(s, 0, NULL) : NULL;

	return j ? j : json_null();
}

int sandbox_messages(struct req *r)
{
	const char *to, *channel, *key;
	char mobile[12];
	struct kvlist args;
	struct db_rows rows;
	json_t *list;
	long limit;
	int rc;

	if (sandbox_ready(r) < 0 || req_args(r, &args) < 0 || arg(r, &args, "to", 254, &to) < 0 ||
	    arg(r, &args, "channel", 8, &channel) < 0 ||
	    arg(r, &args, "idempotency_key", SANDBOX_KEY_MAX, &key) < 0 || limit_arg(r, &args, &limit) < 0)
		return -1;
	/* Mobiles are kept as their bare 11 digits: +8613800138000 finds them too. */
	if (valid_mobile(to, mobile))
		to = mobile;
	rc = db_query(&r->app->db, r->arena, sql_list,
		      DB_ARGS(DB_STR(to), DB_STR(to), DB_STR(channel), DB_STR(channel), DB_STR(key),
			      DB_STR(key), DB_I64(limit)), &rows);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	list = json_array();
	for (size_t i = 0; list && i < rows.nrows; i++)
		json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:s?, s:s, s:s, s:I}",
			"id", db_cell(&rows, i, M_ID),
			"idempotency_key", db_cell(&rows, i, M_KEY),
			"channel", db_cell(&rows, i, M_CHANNEL),
			"to", db_cell(&rows, i, M_TO),
			"template", db_cell(&rows, i, M_TEMPLATE),
			"params", params_json(db_cell(&rows, i, M_PARAMS)),
			"subject", db_cell(&rows, i, M_SUBJECT),
			"text", db_cell(&rows, i, M_TEXT),
			"received_at", db_cell(&rows, i, M_AT),
			"gateway", (json_int_t)count_cell(&rows, i, M_GATEWAY)));
	resp_json(r, 200, list ? json_pack("{s:o}", "messages", list) : NULL);
	return 0;
}

/* Exactly-once checks: how many messages, how many keys, and the keys taken more than once. */
int sandbox_messages_stats(struct req *r)
{
	struct kvlist args;
	struct db_rows tot, dup;
	const char *channel;
	json_t *list;
	int rc;

	if (sandbox_ready(r) < 0 || req_args(r, &args) < 0 ||
	    arg(r, &args, "channel", 8, &channel) < 0)
		return -1;
	rc = db_query(&r->app->db, r->arena, sql_totals, DB_ARGS(DB_STR(channel), DB_STR(channel)),
		      &tot);
	if (rc == DB_OK)
		rc = db_query(&r->app->db, r->arena, sql_duplicates,
			      DB_ARGS(DB_STR(channel), DB_STR(channel)), &dup);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	list = json_array();
	for (size_t i = 0; list && i < dup.nrows; i++)
		json_array_append_new(list, json_pack("{s:s, s:I}",
			"idempotency_key", db_cell(&dup, i, 0),
			"count", (json_int_t)count_cell(&dup, i, 1)));
	resp_json(r, 200, list ? json_pack("{s:I, s:I, s:o}",
		"total", (json_int_t)count_cell(&tot, 0, 0),
		"distinct_keys", (json_int_t)count_cell(&tot, 0, 1),
		"duplicates", list) : NULL);
	return 0;
}
