/* certhall-admin seed --queue-orders N: N orders spread over a year, every state and channel,
 * for the reviewer queue's bench (tools/bench.sh): 1000 rows per prepared INSERT. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "base/strlist.h"
#include "admin.h"
#include "domain/order.h"
#include "domain/orderno.h"

#define BATCH 1000
#define NODE 99 /* bench orders' numbers never meet a real node's */

/* Weighted picks: most orders of a year are done; a tenth or so wait for some staff queue. */
struct pick {
	const char *code;
	int weight;
};
struct state_pick {
	enum order_state state;
	int weight;
};

static const struct state_pick states[] = {
	{ ORDER_DONE, 55 }, { ORDER_CANCELLED, 5 }, { ORDER_REFUNDED, 1 },
	{ ORDER_DRAFT, 4 }, { ORDER_EXPIRED, 2 }, { ORDER_REVIEWING, 10 },
	{ ORDER_PRE_REVIEW, 4 }, { ORDER_PAPER_REVIEW, 3 }, { ORDER_AWAITING_PAPER, 3 },
	{ ORDER_PENDING_PAYMENT, 3 }, { ORDER_APPROVED, 2 }, { ORDER_MAKING, 2 },
	{ ORDER_SHIPPED, 3 }, { ORDER_REFUNDING, 1 }, { ORDER_RETURNED, 2 },
};
static const struct pick businesses[] = {
	{ "new", 40 }, { "renew", 25 }, { "lost", 10 }, { "damaged", 5 },
	{ "change", 10 }, { "unlock", 5 }, { "revoke", 5 },
};
static const struct pick kinds[] = { { "org", 60 }, { "legal_rep", 30 }, { "person", 10 } };
static const struct pick pays[] = { { "wechat", 35 }, { "alipay", 25 }, { "transfer", 25 }, { "counter", 15 } };
static const char *const cities[] = { "北京", "上海", "广州", "深圳", "南昌", "赣州", "杭州", "南京",
				      "武汉", "成都", "西安", "天津", "重庆", "长沙", "郑州", "济南",
				      "福州", "合肥", "昆明", "沈阳" };

static unsigned rnd(void)
{
	unsigned char b[4];

	crypto_random(b, sizeof(b));
	return (unsigned)b[0] << 24 | (unsigned)b[1] << 16 | (unsigned)b[2] << 8 | b[3];
}

/* The index of one of n entries, each as likely as its weight; the weights sit stride bytes
 * apart from *w (one member of a table's rows). */
static size_t weighted(const int *w, size_t stride, size_t n)
{
	const char *at = (const char *)w;
	int total = 0, x;

	for (size_t i = 0; i < n; i++)
		total += *(const int *)(const void *)(at + i * stride);
	x = (int)(rnd() % (unsigned)total);
	for (size_t i = 0; i < n; i++) {
		int wi = *(const int *)(const void *)(at + i * stride);

		if (x < wi)
			return i;
		x -= wi;
	}
	return 0;
}

#define WEIGHTED(t) weighted(&(t)[0].weight, sizeof((t)[0]), sizeof(t) / sizeof((t)[0]))

#define PICK(t) (t)[WEIGHTED(t)].code


/* One batch is one parameter: a JSON array of rows, unpacked by JSON_TABLE (a prepared
 * statement takes 32 parameters here, shared/db/db.c). A rare clash of random order numbers drops
 * a row (INSERT IGNORE); the loop runs until N are in. */
static const char sql_batch[] =
	"INSERT IGNORE INTO orders (order_no, channel_id, business_type, cert_kind, state, subject_name, "
	"created_at, updated_at, submitted_at, pay_method, amount_fen, years) "
	"SELECT j.no, j.ch, j.business, j.kind, j.state, j.subject, NOW(3) - INTERVAL j.age SECOND, "
	"NOW(3) - INTERVAL GREATEST(j.submitted, 0) SECOND, "
	"IF(j.submitted < 0, NULL, NOW(3) - INTERVAL j.submitted SECOND), j.pay, 26000, 1 "
	"FROM JSON_TABLE(?, '$[*]' COLUMNS (no CHAR(18) PATH '$[0]', ch INT PATH '$[1]', "
	"business VARCHAR(16) PATH '$[2]', kind VARCHAR(16) PATH '$[3]', state VARCHAR(24) PATH '$[4]', "
	"subject VARCHAR(100) PATH '$[5]', age BIGINT PATH '$[6]', submitted BIGINT PATH '$[7]', "
	"pay VARCHAR(16) PATH '$[8]')) j";

static int seed(struct admin *ad, long n)
{
	static const char sql_channels[] = "SELECT id, code FROM channels ORDER BY id";
	long long jx = 0, ch[16];
	struct db_rows rows;
	size_t nch = 0;
	long done = 0;
	time_t now = time(NULL);
	int rc = DB_ERR;

	if (db_query(&ad->db, &ad->arena, sql_channels, DB_NOARGS, &rows) != DB_OK || rows.nrows == 0)
		goto out;
	for (size_t i = 0; i < rows.nrows && nch < 16; i++) {
		ch[nch++] = strtoll(db_cell(&rows, i, 0), NULL, 10);
		if (str_is(db_cell(&rows, i, 1), "jxca-js"))
			jx = ch[nch - 1];
	}
	while (done < n) {
		json_t *batch = json_array();
		unsigned long long added = 0;
		char *text;

		for (long i = 0; batch && i < BATCH && done + i < n; i++) {
			enum order_state state = states[WEIGHTED(states)].state;
			long long age = (long long)(rnd() % (365u * 86400u)), submitted = age - 600;
			/* The paper states are jxca-js's (two_stage): its queue shapes need them. */
			bool paper = state == ORDER_PRE_REVIEW || state == ORDER_AWAITING_PAPER ||
				     state == ORDER_PAPER_REVIEW;
			char no[ORDERNO_LEN + 1], subject[64];

			/* The order number carries the day it was made. */
			orderno_make(no, now - (time_t)age, NODE);
			snprintf(subject, sizeof(subject), "%s示范%04u科技有限公司",
				 cities[rnd() % (sizeof(cities) / sizeof(cities[0]))], rnd() % 10000);
			if (state == ORDER_DRAFT || state == ORDER_EXPIRED)
				submitted = -1;
			json_array_append_new(batch, json_pack("[s, I, s, s, s, s, I, I, s]", no,
				(json_int_t)(paper && jx ? jx : ch[rnd() % nch]), PICK(businesses),
				PICK(kinds), order_state_str(state), subject, (json_int_t)age, (json_int_t)submitted,
				PICK(pays)));
		}
		text = batch ? json_dumps(batch, JSON_COMPACT) : NULL;
		json_decref(batch);
		if (!text)
			goto out;
		rc = db_exec(&ad->db, sql_batch, DB_ARGS(DB_STR(text)), &added, NULL);
		free(text);
		if (rc != DB_OK)
			goto out;
		done += (long)added;
		if (done / 100000 != (done - (long)added) / 100000)
			fprintf(stderr, "seed: %ld queue orders\n", done);
		arena_reset(&ad->arena);
	}
	/* What the queues look for beyond the state: a transfer awaiting finance, a paper waybill
	 * for half the orders awaiting paper. */
	rc = db_exec(&ad->db,
		     "INSERT IGNORE INTO payments (order_id, method, amount_fen, pay_no, state, created_at) "
		     "SELECT o.id, o.pay_method, 26000, CONCAT('Q', LPAD(o.id, 23, '0')), 'awaiting_finance', "
		     "o.submitted_at FROM orders o WHERE o.state = ? "
		     "AND o.pay_method IN ('transfer', 'counter') AND o.order_no LIKE '______99%'",
		     DB_ARGS(DB_STR(order_state_str(ORDER_PENDING_PAYMENT))), NULL, NULL);
	if (rc == DB_OK)
		rc = db_exec(&ad->db,
			     "INSERT IGNORE INTO waybills (order_id, direction, carrier, number, created_by_type, "
			     "created_by, created_at) SELECT o.id, 'in', 'sf', CONCAT('SF', LPAD(o.id, 13, '0')), "
			     "'applicant', 0, o.submitted_at FROM orders o WHERE o.state = ? "
			     "AND o.id % 2 = 0 AND o.order_no LIKE '______99%'",
			     DB_ARGS(DB_STR(order_state_str(ORDER_AWAITING_PAPER))), NULL, NULL);
	if (rc == DB_OK)
		rc = db_query(&ad->db, &ad->arena, "ANALYZE TABLE orders, payments, waybills", DB_NOARGS,
			      &rows);
out:
	if (rc != DB_OK)
		fprintf(stderr, "seed: queue orders stopped at %ld: %s\n", done, ad->db.last_error);
	else
		printf("seeded %ld queue orders (node %d)\n", done, NODE);
	return rc == DB_OK ? 0 : 1;
}

int admin_seed_cmd(struct admin *ad, int argc, char **argv)
{
	long n;
	char *end;
	int rc;

	if (argc < 2 || strcmp(argv[1], "--queue-orders") != 0)
		return admin_seed(ad, argc, argv);
	errno = 0;
	n = argc == 3 ? strtol(argv[2], &end, 10) : 0;
	if (argc != 3 || errno || *end || n < 1 || n > 10000000) {
		fprintf(stderr, "usage: certhall-admin seed --queue-orders N (1 to 10000000)\n");
		return 2;
	}
	/* The reference data first (channels, templates): the orders need them. */
	rc = admin_seed(ad, 1, argv);
	return rc ? rc : seed(ad, n);
}
