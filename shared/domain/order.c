/* order: codes of business types, certificate kinds, states and events with zh-CN names. */
#include "domain/order.h"

#include <stddef.h>
#include <string.h>

#include "crypto/crypto.h"
#include "db/db.h"

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
	{ "expired", "已过期" },
	{ NULL, NULL },
};

static const struct name events[] = {
	{ "created", "订单已创建" },
	{ "material_uploaded", "已上传材料" },
	{ "verified", "身份核验通过" },
	{ "verify_failed", "身份核验未通过" },
	{ "step_edited", "已修改核验信息，待重新核验" },
	{ "mail_in", "已改为线下邮寄办理" },
	{ "signed", "已短信签署申请" },
	{ "payment_started", "已发起支付" },
	{ "payment_awaiting_finance", "已登记转账/柜台付款，待财务确认" },
	{ "refund_requested", "已申请退款" },
	{ "refunded", "退款完成" },
	{ "expired", "草稿长期未操作，已过期" },
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

bool order_ships_key(const char *code, bool mail_in)
{
	static const char *const ships[] = { "new", "add", "lost", "damaged" };

	if (!code)
		return false;
	for (size_t i = 0; i < sizeof(ships) / sizeof(ships[0]); i++)
		if (strcmp(code, ships[i]) == 0)
			return true;
	return mail_in && strcmp(code, "change") == 0;
}

bool order_state_final(const char *state)
{
	static const char *const final[] = { "done", "cancelled", "refunded", "expired" };

	for (size_t i = 0; i < sizeof(final) / sizeof(final[0]); i++)
		if (state && strcmp(state, final[i]) == 0)
			return true;
	return false;
}

static const char sql_move[] =
	"UPDATE orders SET state = ?, version = version + 1, updated_at = NOW(3), "
	"open_key = IF(?, NULL, open_key) "
	"WHERE id = ? AND state = ? AND (? < 0 OR version = ?)";

int order_move(struct db *db, long long id, const char *from, const char *to, long long version)
{
	unsigned long long n = 0;
	int rc = db_exec(db, sql_move,
			 DB_ARGS(DB_STR(to), DB_I64(order_state_final(to)), DB_I64(id), DB_STR(from),
				 DB_I64(version), DB_I64(version)),
			 &n, NULL);

	if (rc != DB_OK)
		return rc;
	return n == 1 ? DB_OK : ORDER_STALE;
}

static const char sql_event[] =
	"INSERT INTO order_events (order_id, at, kind, state_from, state_to, actor_type, actor_id, "
	"public, note) VALUES (?, NOW(3), ?, ?, ?, ?, ?, ?, ?)";

int order_event(struct db *db, long long id, const char *kind, const char *from, const char *to,
		const char *actor_type, long long actor_id, bool public, const char *note)
{
	return db_exec(db, sql_event,
		       DB_ARGS(DB_I64(id), DB_STR(kind), from ? DB_STR(from) : DB_NULL,
			       to ? DB_STR(to) : DB_NULL, DB_STR(actor_type),
			       actor_id > 0 ? DB_I64(actor_id) : DB_NULL, DB_I64(public),
			       DB_STR(note ? note : "")),
		       NULL, NULL);
}

int order_mobile_open(const struct crypto_key *k, const void *enc, size_t len,
		      char out[ORDER_MOBILE_MAX])
{
	size_t n = 0;

	out[0] = '\0';
	if (!enc || crypto_open(k, enc, len, ORDER_AAD_HANDLER_MOBILE, (unsigned char *)out,
				ORDER_MOBILE_MAX - 1, &n) < 0)
		return -1;
	out[n] = '\0';
	return 0;
}
