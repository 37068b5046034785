/* order: codes of business types, certificate kinds, states and events with zh-CN names; the
 * state machine's table and its one move. */
#include "domain/order.h"
#include "db/changes.h"

#include <stddef.h>
#include <string.h>

#include "base/log.h"
#include "crypto/crypto.h"
#include "db/db.h"

/* DOMAIN.md "Business types". */
const struct order_name order_businesses[] = {
	{ "new", "新办" },          { "add", "新增证书" },     { "renew", "证书更新" },
	{ "lost", "遗失补办" },     { "damaged", "损坏补办" }, { "change", "信息变更" },
	{ "unlock", "证书解锁" },   { "revoke", "证书注销" },  { NULL, NULL },
};

/* DOMAIN.md "Certificate kinds". */
const struct order_name order_kinds[] = {
	{ "org", "机构证书" },
	{ "legal_rep", "法人代表证书" },
	{ "person", "个人证书" },
	{ NULL, NULL },
};

/* 002 七.损坏补办, in its words and order. */
const struct order_name order_defect_signs[] = {
	{ "no_light", "插入证书后，介质指示灯不亮" },
	{ "blinking", "插入介质后，证书环境安装正常但介质指示灯不停闪烁" },
	{ "unrecognised", "插入介质后，指示灯正常，但证书管理工具无法识别证书" },
	{ NULL, NULL },
};

/* The states (shared/domain/order.h: enum order_state, in that order), their zh-CN names and
 * what each allows. */
static const struct order_state_def state_defs[ORDER_STATE__COUNT] = {
	[ORDER_DRAFT] = { "draft", "未完成", ORDER_EDITABLE | ORDER_AWAITS_APPLICANT },
	/* Refundable: a paid 001 order whose bank check failed after approval (nothing unpaid is). */
	[ORDER_VERIFY_FAILED] = { "verify_failed", "身份核验未通过",
				  ORDER_AWAITS_APPLICANT | ORDER_REFUNDABLE },
	[ORDER_PENDING_PAYMENT] = { "pending_payment", "待支付", ORDER_AWAITS_APPLICANT },
	[ORDER_PRE_REVIEW] = { "pre_review", "待预审", ORDER_IN_REVIEW | ORDER_REFUNDABLE },
	[ORDER_AWAITING_PAPER] = { "awaiting_paper", "待寄送纸质材料",
				   ORDER_REFUNDABLE | ORDER_AWAITS_APPLICANT },
	/* Awaits the applicant's parcel first, then the inspection (the review queue lists it
	 * once the parcel's waybill is in, as awaiting_paper). Nothing is paid yet. */
	[ORDER_AWAITING_KEY] = { "awaiting_key", "待寄回原介质检测", ORDER_AWAITS_APPLICANT },
	[ORDER_PAPER_REVIEW] = { "paper_review", "纸质材料审核中", ORDER_IN_REVIEW | ORDER_REFUNDABLE },
	[ORDER_REVIEWING] = { "reviewing", "审核中", ORDER_IN_REVIEW | ORDER_REFUNDABLE },
	[ORDER_RETURNED] = { "returned", "已退回，待修改",
			     ORDER_EDITABLE | ORDER_REFUNDABLE | ORDER_AWAITS_APPLICANT },
	[ORDER_APPROVED] = { "approved", "审核通过", ORDER_GRANTED },
	[ORDER_MAKING] = { "making", "证书制作中", ORDER_GRANTED },
	[ORDER_SHIPPED] = { "shipped", "已寄出", ORDER_GRANTED },
	[ORDER_DONE] = { "done", "已完成", ORDER_FINAL | ORDER_GRANTED },
	[ORDER_CANCELLED] = { "cancelled", "已取消", ORDER_FINAL },
	[ORDER_REFUNDING] = { "refunding", "退款中", 0 },
	[ORDER_REFUNDED] = { "refunded", "已退款", ORDER_FINAL },
	[ORDER_EXPIRED] = { "expired", "已过期", ORDER_FINAL },
};

#define T(f, t, e, by) { ORDER_##f, ORDER_##t, e, by }
#define BY(who) ORDER_BY_##who
/* Every move an order can make (the state machine of order.h), with its event and who makes
 * it. order_move refuses a pair that is not here. */
const struct order_transition order_transitions[] = {
	T(DRAFT, VERIFY_FAILED, "verify_failed", BY(SYSTEM)),
	T(VERIFY_FAILED, DRAFT, "verified", BY(APPLICANT)),
	T(VERIFY_FAILED, DRAFT, "mail_in", BY(APPLICANT)),
	T(VERIFY_FAILED, DRAFT, "step_edited", BY(APPLICANT)),
	T(DRAFT, PRE_REVIEW, "submitted", BY(APPLICANT)),
	T(DRAFT, PENDING_PAYMENT, "submitted", BY(APPLICANT)),
	T(DRAFT, AWAITING_PAPER, "submitted", BY(APPLICANT)),
	T(DRAFT, REVIEWING, "submitted", BY(APPLICANT)),
	T(DRAFT, AWAITING_KEY, "submitted", BY(APPLICANT)),
	T(DRAFT, CANCELLED, "cancelled", BY(APPLICANT)),
	T(VERIFY_FAILED, CANCELLED, "cancelled", BY(APPLICANT)),
	T(PENDING_PAYMENT, CANCELLED, "cancelled", BY(APPLICANT)),
	T(DRAFT, EXPIRED, "expired", BY(SYSTEM)),
	T(VERIFY_FAILED, EXPIRED, "expired", BY(SYSTEM)),
	T(PENDING_PAYMENT, AWAITING_PAPER, "paid", BY(PAYMENT) | BY(FINANCE)),
	T(PENDING_PAYMENT, APPROVED, "paid", BY(PAYMENT) | BY(FINANCE)),
	T(PENDING_PAYMENT, REVIEWING, "paid", BY(PAYMENT) | BY(FINANCE)),
	T(PRE_REVIEW, PENDING_PAYMENT, "pre_review_passed", BY(REVIEWER)),
	T(PRE_REVIEW, AWAITING_PAPER, "pre_review_passed", BY(REVIEWER)),
	T(AWAITING_PAPER, PAPER_REVIEW, "paper_received", BY(REVIEWER)),
	/* 002 损坏补办: "属于质量问题并在质保期内的可以免费办理，非质量问题的或已经超过质保期的需要支付
	 * 证书介质费用". */
	T(AWAITING_KEY, REVIEWING, "key_inspected", BY(REVIEWER)),
	T(AWAITING_KEY, AWAITING_PAPER, "key_inspected", BY(REVIEWER)),
	T(AWAITING_KEY, PENDING_PAYMENT, "key_inspected", BY(REVIEWER)),
	T(AWAITING_KEY, CANCELLED, "cancelled", BY(APPLICANT)),
	/* 003: an unlock by the previous order's handler is approved by the hall's rule. */
	T(REVIEWING, APPROVED, "approved", BY(REVIEWER) | BY(SYSTEM)),
	T(PAPER_REVIEW, APPROVED, "approved", BY(REVIEWER)),
	T(PRE_REVIEW, RETURNED, "returned", BY(REVIEWER)),
	T(REVIEWING, RETURNED, "returned", BY(REVIEWER)),
	T(PAPER_REVIEW, RETURNED, "returned", BY(REVIEWER)),
	T(RETURNED, PRE_REVIEW, "resubmitted", BY(APPLICANT)),
	T(RETURNED, REVIEWING, "resubmitted", BY(APPLICANT)),
	T(RETURNED, PAPER_REVIEW, "resubmitted", BY(APPLICANT)),
	T(RETURNED, AWAITING_PAPER, "resubmitted", BY(APPLICANT)),
	T(PRE_REVIEW, CANCELLED, "cancelled", BY(REVIEWER)),
	T(REVIEWING, CANCELLED, "cancelled", BY(REVIEWER)),
	T(PAPER_REVIEW, CANCELLED, "cancelled", BY(REVIEWER)),
	T(AWAITING_PAPER, CANCELLED, "cancelled", BY(REVIEWER)),
	T(PRE_REVIEW, REFUNDING, "cancelled", BY(REVIEWER)),
	T(REVIEWING, REFUNDING, "cancelled", BY(REVIEWER)),
	T(PAPER_REVIEW, REFUNDING, "cancelled", BY(REVIEWER)),
	T(AWAITING_PAPER, REFUNDING, "cancelled", BY(REVIEWER)),
	T(PRE_REVIEW, REFUNDING, "refund_requested", BY(APPLICANT)),
	T(REVIEWING, REFUNDING, "refund_requested", BY(APPLICANT)),
	T(PAPER_REVIEW, REFUNDING, "refund_requested", BY(APPLICANT)),
	T(AWAITING_PAPER, REFUNDING, "refund_requested", BY(APPLICANT)),
	T(RETURNED, REFUNDING, "refund_requested", BY(APPLICANT)),
	/* 001: an account that cannot take the 0.01 transfer need not hold the payment forever. */
	T(VERIFY_FAILED, REFUNDING, "refund_requested", BY(APPLICANT)),
	T(REFUNDING, REFUNDED, "refunded", BY(FINANCE)),
	/* 001 金融认证 after approval: the 0.01 transfer to the basic account refused by the bank
	 * (the hall's background pass: SYSTEM); the applicant re-enters the account ("重新填写正确
	 * 的单位基本账户信息后点击“提交”") and a new transfer goes out. */
	T(APPROVED, VERIFY_FAILED, "fin_check_failed", BY(SYSTEM)),
	T(VERIFY_FAILED, APPROVED, "fin_check_resubmitted", BY(APPLICANT)),
	T(APPROVED, MAKING, "key_made", BY(SHIPPING)),
	T(MAKING, SHIPPED, "shipped", BY(SHIPPING)),
	T(SHIPPED, DONE, "done", BY(SHIPPING)),
	T(APPROVED, DONE, "done", BY(SYSTEM)),
};
#undef BY
#undef T
const size_t order_ntransitions = sizeof(order_transitions) / sizeof(order_transitions[0]);

enum order_state order_state_parse(const char *name)
{
	for (int i = 0; name && i < ORDER_STATE__COUNT; i++)
		if (strcmp(name, state_defs[i].name) == 0)
			return (enum order_state)i;
	return ORDER_STATE_NONE;
}

const struct order_state_def *order_state_def(enum order_state s)
{
	return s >= 0 && s < ORDER_STATE__COUNT ? &state_defs[s] : NULL;
}

bool order_is(enum order_state s, unsigned flag)
{
	const struct order_state_def *d = order_state_def(s);

	return d && (d->flags & flag) != 0;
}


const char *order_state_str(enum order_state s)
{
	const struct order_state_def *d = order_state_def(s);

	return d ? d->name : "";
}

bool order_transition_legal(enum order_state from, enum order_state to, unsigned by)
{
	for (size_t i = 0; i < order_ntransitions; i++)
		if (order_transitions[i].from == from && order_transitions[i].to == to &&
		    (order_transitions[i].by & by) != 0)
			return true;
	return false;
}

const struct order_name order_events[] = {
	{ "created", "订单已创建" },
	{ "material_uploaded", "已上传材料" },
	{ "material_removed", "已删除材料页" },
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
	{ "key_sent", "原证书介质已寄出，待检测" },
	{ "key_inspected", "原证书介质已检测" },
	{ "approved", "审核通过" },
	{ "fin_check_sent", "已向单位基本户打款 0.01 元（金融认证）" },
	{ "fin_check_passed", "金融认证通过，成功受理" },
	{ "fin_check_failed", "金融认证失败" },
	{ "fin_check_resubmitted", "已重新填写单位基本账户信息，待金融认证" },
	{ "key_made", "证书已制作" },
	{ "shipped", "证书已寄出" },
	{ "done", "办理完成" },
	{ "renew_downloaded", "已下载更新后的证书" },
	{ "unlock_authorised", "已发送证书解锁授权链接" },
	{ "unlock_answered", "已通过授权链接获取解锁码" },
	{ "change_applied", "信息变更已生效" },
	{ "change_downloaded", "已下载变更后的证书" },
	{ "cancelled", "订单已取消" },
	{ NULL, NULL },
};

static const char *lookup(const struct order_name *t, const char *code)
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
	return lookup(order_businesses, code);
}

const char *order_kind_name(const char *code)
{
	return lookup(order_kinds, code);
}

const char *order_state_zh(enum order_state s)
{
	const struct order_state_def *d = order_state_def(s);

	return d ? d->zh : "未知状态";
}

const char *order_state_zh_as(enum order_state s, const char *verify_method)
{
	/* 001 "金融认证失败": the bank check (the CA's 0.01 transfer to the basic account) only. */
	if (s == ORDER_VERIFY_FAILED && verify_method && strcmp(verify_method, "transfer") == 0)
		return "金融认证失败";
	return order_state_zh(s);
}

const char *order_state_name(const char *code)
{
	const struct order_state_def *d = order_state_def(order_state_parse(code));

	return d ? d->zh : NULL;
}

const char *order_event_name(const char *code)
{
	return lookup(order_events, code);
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

bool order_sells_years(const char *code)
{
	return code && (strcmp(code, "new") == 0 || strcmp(code, "add") == 0 ||
			strcmp(code, "renew") == 0);
}



static const char sql_move[] =
	"UPDATE orders SET state = ?, version = version + 1, updated_at = NOW(3), "
	"open_key = IF(?, NULL, open_key) "
	"WHERE id = ? AND state = ? AND (? < 0 OR version = ?)";

int order_move(struct db *db, long long id, enum order_state from, enum order_state to,
	       long long version, unsigned by)
{
	unsigned long long n = 0;
	int rc;

	/* The one place a move is checked against the machine: a handler's mistake is refused
	 * here (rolled back, logged) instead of becoming an order in a state it cannot leave, or
	 * a move made by someone the machine does not let make it. */
	if (!order_transition_legal(from, to, by)) {
		log_error("order %lld: no move from %s to %s by 0x%x", id, order_state_str(from),
			  order_state_str(to), by);
		return DB_ERR;
	}
	rc = db_exec(db, sql_move,
		     DB_ARGS(DB_STR(order_state_str(to)), DB_I64(order_is(to, ORDER_FINAL)),
			     DB_I64(id), DB_STR(order_state_str(from)), DB_I64(version),
			     DB_I64(version)),
		     &n, NULL);
	if (rc != DB_OK)
		return rc;
	return n == 1 ? changes_note(db, id) : ORDER_STALE;
}

static const char sql_event[] =
	"INSERT INTO order_events (order_id, at, kind, state_from, state_to, actor_type, actor_id, "
	"public, note) VALUES (?, NOW(3), ?, ?, ?, ?, ?, ?, ?)";

int order_event(struct db *db, long long id, const char *kind, enum order_state from,
		enum order_state to, const char *actor_type, long long actor_id, bool public,
		const char *note)
{
	int rc = db_exec(db, sql_event,
			 DB_ARGS(DB_I64(id), DB_STR(kind),
				 from != ORDER_STATE_NONE ? DB_STR(order_state_str(from)) : DB_NULL,
				 to != ORDER_STATE_NONE ? DB_STR(order_state_str(to)) : DB_NULL,
				 DB_STR(actor_type), actor_id > 0 ? DB_I64(actor_id) : DB_NULL,
				 DB_I64(public), DB_STR(note ? note : "")),
			 NULL, NULL);

	/* The look-up shows the public events only. */
	return rc == DB_OK && public ? changes_note(db, id) : rc;
}

int order_note(struct db *db, long long id, const char *kind, const char *actor_type,
	       long long actor_id, bool public, const char *note)
{
	return order_event(db, id, kind, ORDER_STATE_NONE, ORDER_STATE_NONE, actor_type, actor_id,
			   public, note);
}

int order_mobile_open(
const struct crypto_key *k, const void *enc, size_t len,
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
