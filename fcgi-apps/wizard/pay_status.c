/* wizard: GET /api/wizard/orders/:no/pay: the order, its methods and payments, with open QR
 * payments asked about at the provider first. */
#include <stdio.h>

#include "base/log.h"
#include "domain/order.h"
#include "pay_payment.h"
#include "domain/rules.h"
#include "base/valid.h"

#define POLL_MAX 3     /* pending QR payments asked about per status request */
/* Seconds between two provider queries of one payment from status polls (in between, the
 * database answers): the portal polls every 3 s, the notification normally comes first, and
 * a payer takes longer than that to scan and pay. */
#define QUERY_EVERY 5

static const char sql_methods[] =
	"SELECT pay_methods, desk_only_businesses FROM channels WHERE id = ?";

/* The methods offered for the order's business (wizard_pay_offered). */
static json_t *methods_json(const struct order *o, const char *list, const char *desk_only)
{
	json_t *a = json_array();

	for (const char *p = list; a && p && *p;) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		char code[17];

		if (n > 0 && n < sizeof(code)) {
			memcpy(code, p, n);
			code[n] = '\0';
			if (pay_method_name(code) && wizard_pay_offered(o, list, desk_only, code))
				json_array_append_new(a, json_pack("{s:s, s:s}", "method", code, "name",
								   pay_method_name(code)));
		}
		p = end ? end + 1 : NULL;
	}
	return a;
}

/* Asks the provider about the order's open QR payments (a notification may be late or lost)
 * and applies what changed. *changed tells whether anything did. Returns 0, or -1 answered. */
static int poll_open(struct req *r, const struct order *o, const struct db_rows *rows,
		     bool *changed)
{
	int asked = 0;

	*changed = false;
	for (size_t i = 0; i < rows->nrows && asked < POLL_MAX; i++) {
		struct payment p = wizard_payment_at(rows, i);
		struct pay_state st;
		char err[256] = "", bucket[48];
		int rc;

		if (!payment_state_is(p.state, PAYMENT_STATE_PENDING) || !pay_method_qr(p.method) ||
		    !p.qr_url[0])
			continue;
		/* Asked a moment ago: the database's answer stands until the next one. */
		snprintf(bucket, sizeof(bucket), "pay-query:%s", p.pay_no);
		rc = wizard_limit(r, bucket, 1, QUERY_EVERY, NULL);
		if (rc < 0)
			return -1;
		if (rc == 0)
			continue;
		asked++;
		rc = pay_query(&r->app->conf, p.pay_no, &st, err, sizeof(err));
		if (rc != PAY_OK) {
			/* The page shows what we know; the next poll asks again. */
			if (rc == PAY_UNAVAILABLE)
				log_rid(LOG_WARN, r->rid, "pay query %s: %s", p.pay_no, err);
			continue;
		}
		if (payment_state_is(st.state, PAYMENT_STATE_PENDING))
			continue;
		if (wizard_pay_apply_state(r, "poll", o->id, p.pay_no, &st) < 0)
			return -1;
		*changed = true;
	}
	return 0;
}

int wizard_pay_status(struct req *r)
{
	struct order o;
	struct db_rows rows, ch;
	json_t *list, *order;
	const char *pin;
	char amount[24] = "";
	bool changed;
	int rc;

	if (wizard_find_order(r, r->params[0], &o) < 0)
		return -1;
	if (wizard_payments_of(r, o.id, &rows) < 0 || poll_open(r, &o, &rows, &changed) < 0)
		return -1;
	if (changed && (wizard_find_order(r, r->params[0], &o) < 0 ||
			wizard_payments_of(r, o.id, &rows) < 0))
		return -1;
	rc = db_query(&r->app->db, r->arena, sql_methods, DB_ARGS(DB_I64(o.channel_id)), &ch);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	list = json_array();
	for (size_t i = 0; list && i < rows.nrows; i++) {
		struct payment p = wizard_payment_at(&rows, i);

		json_array_append_new(list, wizard_payment_json(r, &o, &p));
	}
	if (o.amount_fen >= 0)
		valid_money_format(o.amount_fen, amount, sizeof(amount));
	pin = o.pin_delivery[0] ? o.pin_delivery : NULL;
	order = json_pack("{s:s, s:s, s:s?, s:I, s:s?, s:s?, s:s?, s:s?}", "order_no", o.no, "state",
			  order_state_str(o.state), "state_name", order_state_zh(o.state), "amount_fen",
			  (json_int_t)o.amount_fen, "amount", amount[0] ? amount : NULL, "pay_method",
			  o.pay_method[0] ? o.pay_method : NULL, "pin_delivery", pin,
			  "pin_delivery_text", pin ? rules_pin_delivery_text(pin) : NULL);
	resp_json(r, 200, json_pack("{s:o, s:o, s:o}", "order", order, "pay_methods",
				    methods_json(&o, ch.nrows == 1 ? db_cell(&ch, 0, 0) : "",
						 ch.nrows == 1 ? db_cell(&ch, 0, 1) : ""), "payments",
				    list));
	return 0;
}
