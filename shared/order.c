/* order: codes of business types, certificate kinds, states and events with zh-CN names. */
#include "order.h"

#include <stddef.h>
#include <string.h>

struct name {
	const char *code;
	const char *zh;
};

/* DOMAIN.md "Business types". */
static const struct name business[] = {
	{ "new", "新办" },          { "add", "新增证书" },     { "renew", "证书更新" },
	{ "lost", "遗失补办" },     { "damaged", "损坏补办" }, { "change", "信息变更" },
	{ "unlock", "证书解锁" },   { "revoke", "证书注销" },  { NULL, NULL },
};

/* DOMAIN.md "Certificate kinds". */
static const struct name kinds[] = {
	{ "org", "机构证书" },
	{ "legal_rep", "法人代表证书" },
	{ "person", "个人证书" },
	{ NULL, NULL },
};

static const struct name states[] = {
	{ "draft", "未完成" },
	{ "verify_failed", "金融认证失败" },
	{ "pending_payment", "待支付" },
	{ "pre_review", "待预审" },
	{ "awaiting_paper", "待寄送纸质材料" },
	{ "paper_review", "纸质材料审核中" },
	{ "reviewing", "审核中" },
	{ "returned", "已退回，待修改" },
	{ "approved", "审核通过" },
	{ "making", "证书制作中" },
	{ "shipped", "已寄出" },
	{ "done", "已完成" },
	{ "cancelled", "已取消" },
	{ "refunding", "退款中" },
	{ "refunded", "已退款" },
	{ NULL, NULL },
};

static const struct name events[] = {
	{ "created", "订单已创建" },
	{ "submitted", "申请已提交" },
	{ "paid", "支付成功" },
	{ "pre_review_passed", "预审通过" },
	{ "returned", "审核未通过，已退回修改" },
	{ "resubmitted", "已重新提交" },
	{ "paper_sent", "纸质材料已寄出" },
	{ "paper_received", "纸质材料已签收" },
	{ "approved", "审核通过" },
	{ "key_made", "证书已制作" },
	{ "shipped", "证书已寄出" },
	{ "done", "办理完成" },
	{ "cancelled", "订单已取消" },
	{ NULL, NULL },
};

static const char *lookup(const struct name *t, const char *code)
{
	if (!code)
		return NULL;
	for (; t->code; t++)
		if (strcmp(t->code, code) == 0)
			return t->zh;
	return NULL;
}

const char *order_business_name(const char *code)
{
	return lookup(business, code);
}

const char *order_kind_name(const char *code)
{
	return lookup(kinds, code);
}

const char *order_state_name(const char *code)
{
	return lookup(states, code);
}

const char *order_event_name(const char *code)
{
	return lookup(events, code);
}
