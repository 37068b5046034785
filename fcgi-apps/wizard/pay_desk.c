/* wizard: where transfer and counter payments go, per channel (the bank desks), and what the
 * payer is told to write. */
#include "pay_payment.h"

/*
 * Where transfer and counter payments go, per channel. DEMO VALUES: the account numbers are
 * made up (the bank names say so); netca-gd's payee, counter address, hours and telephone are
 * those its guide prints (003). A CA puts its real accounts here before going live. The memo
 * is the order number, so that finance can match each credit to its order.
 */
struct desk {
	const char *channel, *payee, *bank, *account, *address, *hours, *phone;
	const char *memo_words; /* what the guide says the memo must say, before the order number */
};

static const struct desk demo_desks[] = {
	{ "cecep", "北京数字认证股份有限公司", "演示银行北京海淀支行（演示账户）",
	  "6200 0000 0000 0000 001", "北京市海淀区（演示地址）",
	  "周一至周五 9:00-12:00，13:30-17:00（节假日除外）", "010-00000000", NULL },
	{ "szca", "深圳市电子商务安全证书管理有限公司", "演示银行深圳南山支行（演示账户）",
	  "6200 0000 0000 0000 002", "深圳市南山区（演示地址）",
	  "周一至周五 9:00-12:00，14:00-17:30（节假日除外）", "0755-00000000", NULL },
	{ "bjca-zycg", "北京数字认证股份有限公司", "演示银行北京海淀支行（演示账户）",
	  "6200 0000 0000 0000 003", "北京市海淀区（演示地址）",
	  "周一至周五 9:00-12:00，13:30-17:00（节假日除外）", "010-00000000", NULL },
	{ "netca-gd", "广东省电子商务认证有限公司", "演示银行广州花园支行（演示账户）",
	  "6200 0000 0000 0000 004", "广州市越秀区青龙坊38号首层101房",
	  "周一至周五 8:30-12:00，14:00-17:00（节假日除外）", "020-89524338",
	  /* 003 "请在汇款备注或款项用途注明“办理广东政府采购智慧云CA”". */
	  "办理广东政府采购智慧云CA" },
	{ "jxca-js", "江西省数字证书有限公司", "演示银行南昌支行（演示账户）",
	  "6200 0000 0000 0000 005", "南昌市（演示地址）",
	  "周一至周五 9:00-12:00，14:00-17:30（节假日除外）", "0791-00000000", NULL },
};

static const struct desk demo_default = {
	NULL, "数字证书认证机构（演示）", "演示银行（演示账户）", "6200 0000 0000 0000 000",
	"（演示地址）", "周一至周五 9:00-17:00（节假日除外）", "000-00000000", NULL
};

static const struct desk *desk_of(const char *channel)
{
	for (size_t i = 0; i < sizeof(demo_desks) / sizeof(demo_desks[0]); i++)
		if (strcmp(demo_desks[i].channel, channel) == 0)
			return &demo_desks[i];
	return &demo_default;
}

json_t *wizard_pay_transfer_json(struct req *r, const struct order *o)
{
	const struct desk *d = desk_of(o->channel_code);
	const char *who = str_is(o->kind, "person") ? "请使用申请人本人的银行账户转账"
						: "请使用申请单位的对公账户转账";
	const char *memo = d->memo_words ? arena_printf(r->arena, "%s %s", d->memo_words, o->no)
					 : o->no;

	if (!memo)
		return NULL;
	return json_pack("{s:s, s:s, s:s, s:s, s:s}", "payee", d->payee, "bank", d->bank,
			 "account", d->account, "memo", memo, "note",
			 arena_printf(r->arena,
				      "%s，转账备注（附言）请填写“%s”，以便财务核对。"
				      "到账并经财务确认后，订单进入下一步。",
				      who, memo));
}

json_t *wizard_pay_counter_json(struct req *r, const struct order *o)
{
	const struct desk *d = desk_of(o->channel_code);

	return json_pack("{s:s, s:s, s:s, s:s, s:s}", "payee", d->payee, "address", d->address,
			 "hours", d->hours, "phone", d->phone, "note",
			 arena_printf(r->arena,
				      "请携带订单号 %s 到现场缴费。缴费并经财务确认后，订单进入下一步。",
				      o->no));
}
