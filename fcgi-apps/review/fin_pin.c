/* review: the PIN a 001 order's credited 0.01 transfer carried in its memo, for the shipping
 * role to set on the token it makes: the organisation's finance reads the same PIN off the
 * memo (001 "证书PIN码将以转账交易附言方式发送至对公账户，请向贵司财务人员获取"). Where no
 * transfer follows the approval (000, 002: the organisation was checked by the 0.01 transfer
 * of its enterprise step), the PIN is that transfer's memo (002 "证书密码在对公账户收款1分钱
 * 记录附言中查询").
 *
 * GET /api/review/orders/:no/fin-check/pin   {order_no, pin}
 *
 * Read only while the order waits for its key and its transfer is credited; the sealed copy is
 * dropped once the key is made (make.c). Each read is on the audit trail first; the answer is
 * never cached and the PIN is in no log. */
#include <string.h>

#include "base/strlist.h"
#include "domain/fincheck.h"
#include "domain/verifymemo.h"
#include "review.h"

_Static_assert(VERIFYMEMO_LEN == FINCHECK_PIN_LEN, "one PIN length for both memos");

int review_fin_pin(struct req *r)
{
	char pin[FINCHECK_PIN_LEN + 1];
	const char *fin_state;
	struct order o;
	bool fin;
	int rc;

	if (review_find_order(r, r->params[0], &o) < 0)
		return -1;
	if (o.state != ORDER_APPROVED)
		return review_wrong_state(r, &o, "只有审核通过、待制证的订单可以查看制证PIN码。");
	rc = review_fin_check(r, &o, &fin, &fin_state);
	if (rc == DB_OK && fin)
		rc = fincheck_pin_open(&r->app->db, r->arena, &r->app->key, o.id, pin);
	else if (rc == DB_OK && str_is(o.pin_delivery, "transfer_memo"))
		rc = verifymemo_pin(&r->app->db, r->arena, &r->app->key, o.id, pin);
	if (rc == DB_OK && !pin[0])
		return resp_error(r, ERR_WRONG_STATE, NULL,
				  "该订单没有已入账的金融认证打款，或其PIN码已用于制证。");
	if (rc == DB_OK)
		rc = review_audit(&r->app->db, r, o.id, o.no, "fin_pin_read", "");
	if (rc != DB_OK) {
		explicit_bzero(pin, sizeof(pin));
		return app_db_error(r, rc);
	}
	resp_header(r, "Cache-Control", "no-store");
	resp_json(r, 200, json_pack("{s:s, s:s}", "order_no", o.no, "pin", pin));
	explicit_bzero(pin, sizeof(pin));
	return 0;
}
