/* wizard: POST /api/wizard/orders: a new draft for a business, one open per subject and
 * certificate (000, 002: "同一证件号码只能有一个未完成的申请"). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "web/auth.h"
#include "base/conf.h"
#include "crypto/crypto.h"
#include "domain/order.h"
#include "domain/orderno.h"
#include "domain/fees.h"
#include "domain/subject.h"
#include "base/strlist.h"
#include "base/valid.h"
#include "wizard.h"

static const char sql_channel[] =
	"SELECT id, FIND_IN_SET(?, businesses), FIND_IN_SET(?, kinds), renew_expired_online, "
	"FIND_IN_SET(?, paper_businesses), FIND_IN_SET(?, counter_businesses), desk_address, "
	"desk_hours, desk_phone FROM channels WHERE code = ?";
enum { CH_ID, CH_BUSINESS, CH_KIND, CH_RENEW_EXPIRED, CH_PAPER, CH_COUNTER, CH_ADDRESS, CH_HOURS,
       CH_PHONE };
/* The certificate must be the applicant's: one the account reaches (wizard.h). */
static const char sql_cert[] =
	"SELECT c.id, c.kind, c.state, DATE_FORMAT(c.not_after, '%Y-%m-%d') FROM certificates c "
	"WHERE c.serial = ? AND c.channel_id = ? AND " WIZARD_REACH;
static const char sql_holds[] =
	"SELECT COUNT(*) FROM certificates c WHERE c.channel_id = ? AND c.kind = ? "
	"AND c.state = 'valid' AND c.not_after >= ? AND " WIZARD_REACH;
/* The draft holds nothing yet (claim_key): subject_hold takes the hold once it is proven. */
static const char sql_insert[] =
	"INSERT INTO orders (order_no, channel_id, account_id, business_type, cert_kind, state, "
	"subject_name, created_at, updated_at, target_cert_id, claim_key, subject_idx, renew_mode, "
	"amount_fen, paper_mail) VALUES (?, ?, ?, ?, ?, ?, ?, NOW(3), NOW(3), ?, ?, ?, ?, ?, ?)";
/* The account's own unproven draft for the same subject and certificate, still alive. */
static const char sql_mine[] =
	"SELECT order_no FROM orders WHERE claim_key = ? AND account_id = ? AND open_key IS NULL "
	"AND state IN (?, ?) AND updated_at >= NOW(3) - INTERVAL ? HOUR LIMIT 1";
/* The distinct subjects the account opened drafts for since the hall's midnight (created_at is
 * the hall's time: the session's time zone is Asia/Shanghai's +08:00), and whether this one is
 * among them. */
static const char sql_subjects_today[] =
	"SELECT COUNT(DISTINCT subject_idx), COALESCE(SUM(subject_idx = ?), 0) FROM orders "
	"WHERE account_id = ? AND created_at >= ?";

static bool is_code(const char *s)
{
	return s[0] && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") == strlen(s);
}

static bool is_serial(const char *s)
{
	return valid_serial(s);
}

static bool is_id(const char *s)
{
	return valid_resident_id(s);
}

struct wizard_create_in {
	const char *channel, *business, *kind, *cert_serial, *id_number;
};

static const struct req_field fields[] = {
	{ "channel", true, 32, is_code, "请选择办理渠道。", offsetof(struct wizard_create_in, channel) },
	{ "business", true, 16, is_code, "请选择业务类型。",
	  offsetof(struct wizard_create_in, business) },
	{ "kind", false, 16, is_code, "请选择证书类型（机构证书、法人代表证书或个人证书）。",
	  offsetof(struct wizard_create_in, kind) },
	{ "cert_serial", false, 40, is_serial,
	  "证书序列号为 1 至 40 位十六进制字符（区分大小写），请对照证书信息填写。",
	  offsetof(struct wizard_create_in, cert_serial) },
	{ "id_number", false, 18, is_id,
	  "证书持有人身份证号码不正确：应为 18 位，最后一位为数字或 X，请核对。",
	  offsetof(struct wizard_create_in, id_number) },
};

struct create {
	struct req *r;
	char no[ORDERNO_LEN + 1];
	const char *business, *kind, *subject_name, *renew_mode, *open_key, *subject_idx;
	/* Which certificates are the applicant's besides those bound to the account: an
	 * organisation's by its USCC once proven; a person account proves no ID number to reach
	 * by, so NULL (nothing): a typed ID number reaches no one's certificate. */
	const char *cert_idx;
	/* The subject is proven for this draft (its USCC, or the certificate it targets): it
	 * holds its key from the start; otherwise it only claims it (shared/domain/subject.h). */
	bool proven;
	long long channel_id, cert_id, amount_fen;
	bool renew_expired_online; /* the channel's rule (002 yes, 003 no) */
	bool paper_mail;           /* the hall reviews this business on mailed paper (003) */
	long long id;
	const char *holder_no;   /* the open order that holds the key */
	long long holder_account;
	bool mine;               /* holder_no is this account's own unproven draft */
	bool unproven_org;       /* an organisation that has claimed its USCC, not proven it */
};

static int insert_tx(struct db *db, void *p)
{
	struct create *c = p;
	struct req *r = c->r;
	struct db_rows rows;
	unsigned long long id = 0;
	int rc;

	if (!c->proven) {
		/* No unique key guards a claim: the account's row serialises its own creates. */
		rc = db_query(db, r->arena, "SELECT id FROM accounts WHERE id = ? FOR UPDATE",
			      DB_ARGS(DB_I64(r->auth.id)), &rows);
		if (rc != DB_OK)
			return rc;
		rc = db_query(db, r->arena, sql_mine,
			      DB_ARGS(DB_STR(c->open_key), DB_I64(r->auth.id),
				      DB_STR(order_state_str(ORDER_DRAFT)),
				      DB_STR(order_state_str(ORDER_VERIFY_FAILED)),
				      DB_I64(r->app->conf.draft_ttl_hours)),
			      &rows);
		if (rc != DB_OK)
			return rc;
		if (rows.nrows == 1) {
			c->holder_no = db_cell(&rows, 0, 0);
			c->holder_account = r->auth.id;
			return DB_ERR;
		}
	}
	/* Order numbers are random (one in 10^9 a clash): try a fresh one. */
	for (int attempt = 0; attempt < 3; attempt++) {
		if (orderno_make(c->no, time(NULL), (unsigned)r->app->conf.node_id) < 0)
			return DB_ERR;
		rc = db_exec(db, sql_insert,
			     DB_ARGS(DB_STR(c->no), DB_I64(c->channel_id), DB_I64(r->auth.id),
				     DB_STR(c->business), DB_STR(c->kind),
				     DB_STR(order_state_str(ORDER_DRAFT)), DB_STR(c->subject_name),
				     c->cert_id ? DB_I64(c->cert_id) : DB_NULL, DB_STR(c->open_key),
				     DB_STR(c->subject_idx),
				     c->renew_mode ? DB_STR(c->renew_mode) : DB_NULL,
				     c->amount_fen >= 0 ? DB_I64(c->amount_fen) : DB_NULL,
				     DB_I64(c->paper_mail)),
			     NULL, &id);
		if (rc != DB_DUP)
			break;
	}
	if (rc != DB_OK)
		return rc;
	c->id = (long long)id;
	/* A proven draft takes the hold now; an unproven one is refused only by an order that
	 * holds it (a proven or signed one), never by another's mere claim. */
	rc = subject_hold(db, r->arena, c->id, r->app->conf.draft_ttl_hours, c->proven,
			  &c->holder_no, &c->holder_account);
	if (rc != DB_OK)
		return rc;
	if (c->holder_no)
		return DB_ERR;
	return order_event(db, c->id, "created", ORDER_STATE_NONE, ORDER_DRAFT, "applicant",
			   r->auth.id, true, "");
}

/* One account opens drafts for at most [wizard] subjects_per_day distinct subjects in the
 * hall's day (Asia/Shanghai, rules_today): typing ID numbers in a row is not applying. 0, or
 * -1 answered 429 subjects_limited. */
static int subjects_today(struct req *r, const struct create *c)
{
	long long now = (long long)time(NULL);
	int limit = r->app->conf.subjects_per_day;
	struct db_rows rows;
	char today[11];
	int rc;

	rules_date_format(rules_today(now), today, sizeof(today));
	rc = db_query(&r->app->db, r->arena, sql_subjects_today,
		      DB_ARGS(DB_STR(c->subject_idx), DB_I64(r->auth.id), DB_STR(today)), &rows);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (!str_is(db_cell(&rows, 0, 1), "0") || strtol(db_cell(&rows, 0, 0), NULL, 10) < limit)
		return 0;
	return app_limit_over(r, ERR_SUBJECTS_LIMIT, (int)(86400 - (now + 8 * 3600) % 86400),
			      arena_printf(r->arena,
					   "每个账号每天最多为 %d 个不同的证件（统一社会信用代码或身份证号码）创建申请，"
					   "今天已达上限。请明天（北京时间 0 点后）再试，或继续办理已创建的订单。",
					   limit));
}

/* The subject's key: who the certificate is for, which kind, which certificate. */
static void keys(struct req *r, struct create *c, const char *subject, const char *serial)
{
	char *open = arena_alloc(r->arena, 65), *idx = arena_alloc(r->arena, 65);
	const char *what = arena_printf(r->arena, "%s|%s|%s", subject, c->kind,
					serial ? serial : "");

	if (!open || !idx || !what) {
		c->open_key = c->subject_idx = NULL;
		return;
	}
	crypto_index_hex(&r->app->key, "open-order", what, strlen(what), open);
	crypto_index_hex(&r->app->key, "subject", subject, strlen(subject), idx);
	c->open_key = open;
	c->subject_idx = idx;
}

/* The certificate a business targets: the applicant's own, in this channel, still valid;
 * a renewal also inside its window. Returns 0, or -1 answered. */
static int target(struct req *r, struct create *c, const char *serial)
{
	struct rules_date today = rules_today(time(NULL)), not_after;
	struct db_rows rows;
	const char *state;
	int rc;

	if (!serial)
		return resp_error(r, ERR_MISSING_FIELD, "cert_serial",
				  "请填写要办理业务的证书序列号，或在“我的证书”中选择证书。");
	rc = db_query(&r->app->db, r->arena, sql_cert,
		      DB_ARGS(DB_STR(serial), DB_I64(c->channel_id), DB_I64(r->auth.id),
			      c->cert_idx ? DB_STR(c->cert_idx) : DB_NULL, DB_I64(r->auth.id)), &rows);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	/* An organisation that has not proven its USCC reaches only its own orders' and bound
	 * certificates: say how it reaches the rest, rather than only "not found". */
	if (rows.nrows != 1 && c->unproven_org)
		return resp_error(r, ERR_NOT_FOUND, "cert_serial",
				  "未找到本账号可办理的该序列号证书。本单位的统一社会信用代码尚未认证："
				  "认证机构在营业厅以外为本单位签发的证书，须先完成一次企业身份核验"
				  "（“我的证书”页的“认证本单位”，或任一新申请的“企业认证”步骤）后才能办理；"
				  "也可将证书介质绑定到本账号（“我的证书”页的“证书绑定”）。");
	if (rows.nrows != 1)
		return resp_error(r, ERR_NOT_FOUND, "cert_serial",
				  "未找到该序列号的证书：请核对序列号（区分大小写），并确认证书属于本单位、由所选渠道签发。");
	c->cert_id = strtoll(db_cell(&rows, 0, 0), NULL, 10);
	c->kind = db_cell(&rows, 0, 1);
	state = db_cell(&rows, 0, 2);
	if (strcmp(state, "valid") != 0)
		return resp_error(r, ERR_CERT_NOT_ELIGIBLE, "cert_serial",
				  "该证书已注销（吊销），不能再办理业务，请办理新证书。");
	if (!rules_date_parse(db_cell(&rows, 0, 3), &not_after))
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	if (strcmp(c->business, "renew") == 0) {
		enum rules_renewal window = rules_renewal_window(today, not_after);

		switch (window) {
		case RENEW_ONLINE:
		case RENEW_REVIEW:
			/* 003: "证书过期前90天内，可以通过网证通安全客户端……申请续期" online; "证书已过有效期的，
			 * 需要准备资料线下办理，可以快递或者现场办理": a hall that renews expired certificates
			 * offline reviews the renewal on its mailed paper (and the key: "需要续期的电子密匙"),
			 * after payment, like its other mailed businesses. */
			if (!c->renew_expired_online &&
			    rules_days_from_civil(today) > rules_days_from_civil(not_after)) {
				c->renew_mode = "review";
				c->paper_mail = true;
				return 0;
			}
			c->renew_mode = window == RENEW_ONLINE ? "online" : "review";
			return 0;
		case RENEW_TOO_EARLY:
			return resp_error(r, ERR_CERT_NOT_ELIGIBLE, "cert_serial",
					  arena_printf(r->arena,
						       "证书有效期至 %s，距到期不足 90 天时才能办理更新。",
						       db_cell(&rows, 0, 3)));
		default:
			return resp_error(r, ERR_INTERNAL, NULL, NULL);
		}
	}
	if (rules_days_from_civil(today) > rules_days_from_civil(not_after) &&
	    strcmp(c->business, "revoke") != 0)
		return resp_error(r, ERR_CERT_NOT_ELIGIBLE, "cert_serial",
				  "该证书已过期，不能办理此业务；如需继续使用，请先办理证书更新。");
	return 0;
}

/* The hall must be able to finish what is applied for: a fees row for the business and the
 * certificate's kind (a free one is priced now: a business with no product step has nothing
 * else to price it). */
static int priced(struct create *c, const char *channel)
{
	struct rules_fee fee;
	int rc = fees_find(&c->r->app->db, c->r->arena, channel, c->business, c->kind, &fee);

	if (rc == FEES_NONE)
		return resp_error(c->r, ERR_NOT_OFFERED, "kind",
				  "所选渠道不为该类型的证书办理此项业务，请选择其他业务或渠道。");
	if (rc != DB_OK)
		return app_db_error(c->r, rc);
	c->amount_fen = fee.basis == RULES_FREE ? 0 : -1;
	return 0;
}

int wizard_create(struct req *r)
{
	const char *subject;
	struct wizard_create_in in;
	struct wizard_subject me;
	struct create c = { .r = r, .amount_fen = -1 };
	struct db_rows rows;
	bool org;
	json_t *body;
	int rc;

	if (req_json(r, &body) < 0)
		return -1;
	if (REQ_FIELDS(r, body, fields, &in) < 0)
		return -1;
	if (!order_business_name(in.business))
		return resp_error(r, ERR_INVALID_FIELD, "business", "业务类型不正确，请重新选择。");
	if (wizard_subject(r, &me) < 0)
		return -1;
	org = str_is(me.kind, "org");
	c.business = in.business;
	c.subject_name = me.name;
	/* An organisation applies for its own certificates and its legal representative's; a
	 * person for a personal one (003 三类证书). */
	if (org) {
		if (!me.uscc[0])
			return resp_error(r, ERR_SUBJECT_RELEASED, NULL,
					  "本账号登记的统一社会信用代码已由该单位通过企业身份核验认领，本账号不能再为该单位办理业务。"
					  "如需办理，请以该单位的账号登录。");
		c.kind = in.kind ? in.kind : "org";
		subject = me.uscc;
		if (strcmp(c.kind, "org") != 0 && strcmp(c.kind, "legal_rep") != 0)
			return resp_error(r, ERR_NOT_OFFERED, "kind",
					  "单位账号可申请机构证书或法人代表证书；个人证书请以个人账号申请。");
	} else {
		c.kind = in.kind ? in.kind : "person";
		if (strcmp(c.kind, "person") != 0)
			return resp_error(r, ERR_NOT_OFFERED, "kind",
					  "个人账号只能申请个人证书；机构证书请以单位账号（统一社会信用代码）申请。");
		if (!in.id_number)
			return resp_error(r, ERR_MISSING_FIELD, "id_number",
					  "请填写证书持有人的身份证号码。");
		subject = in.id_number;
	}
	rc = db_query(&r->app->db, r->arena, sql_channel,
		      DB_ARGS(DB_STR(in.business), DB_STR(c.kind), DB_STR(in.business),
			      DB_STR(in.business), DB_STR(in.channel)), &rows);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (rows.nrows != 1)
		return resp_error(r, ERR_INVALID_FIELD, "channel", "办理渠道不存在，请重新选择。");
	if (str_is(db_cell(&rows, 0, CH_BUSINESS), "0"))
		return resp_error(r, ERR_NOT_OFFERED, "business", "所选渠道不办理该业务。");
	if (str_is(db_cell(&rows, 0, CH_KIND), "0"))
		return resp_error(r, ERR_NOT_OFFERED, "kind", "所选渠道不签发该类型的证书。");
	/* 003 注销 "经办人本人带齐所需纸质材料前往网证通前台办理": where to go, not a dead end. */
	if (!str_is(db_cell(&rows, 0, CH_COUNTER), "0"))
		return resp_error(r, ERR_COUNTER_ONLY, "business",
				  arena_printf(r->arena, "%s须由经办人本人带齐纸质材料到认证机构前台办理："
						       "%s（%s，电话 %s）。",
					       order_business_name(in.business),
					       db_cell(&rows, 0, CH_ADDRESS), db_cell(&rows, 0, CH_HOURS),
					       db_cell(&rows, 0, CH_PHONE)));
	c.channel_id = strtoll(db_cell(&rows, 0, CH_ID), NULL, 10);
	c.renew_expired_online = !str_is(db_cell(&rows, 0, CH_RENEW_EXPIRED), "0");
	c.paper_mail = !str_is(db_cell(&rows, 0, CH_PAPER), "0");
	keys(r, &c, subject, NULL);
	if (!c.open_key)
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	c.cert_idx = org ? me.proven_idx : NULL;
	c.unproven_org = org && !me.proven;
	c.proven = org && me.proven;
	if (wizard_business_targets_cert(in.business)) {
		if (target(r, &c, in.cert_serial) < 0)
			return -1;
		keys(r, &c, subject, in.cert_serial); /* the kind is the certificate's */
		c.proven = true; /* the account reaches the certificate it targets */
	} else if (strcmp(in.business, "add") == 0) {
		char today[11];

		rules_date_format(rules_today(time(NULL)), today, sizeof(today));
		rc = db_query(&r->app->db, r->arena, sql_holds,
			      DB_ARGS(DB_I64(c.channel_id), DB_STR(c.kind), DB_STR(today),
				      DB_I64(r->auth.id), c.cert_idx ? DB_STR(c.cert_idx) : DB_NULL,
				      DB_I64(r->auth.id)), &rows);
		if (rc != DB_OK)
			return app_db_error(r, rc);
		if (strcmp(db_cell(&rows, 0, 0), "0") == 0)
			return resp_error(r, ERR_NOT_OFFERED, "business",
					  "“新增证书”须已持有该渠道有效的同类证书，并用其签名办理；首次申请请选择“新办”。");
	}
	if (!c.open_key)
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	if (priced(&c, in.channel) < 0 || subjects_today(r, &c) < 0)
		return -1;
	rc = db_tx(&r->app->db, insert_tx, &c);
	if (c.holder_no) {
		json_t *extra = c.holder_account == r->auth.id
					? json_pack("{s:s}", "open_order_no", c.holder_no)
					: json_object();

		/* A new certificate has none yet: the open application is the ID number's (000, 002
		 * "同一证件号…需先取消之前中断的订单"). */
		return resp_error_with(r, ERR_OPEN_ORDER, NULL,
				       c.holder_account == r->auth.id
					       ? arena_printf(r->arena,
							      "%s已有一笔未完成的申请（订单号 %s），请继续办理或取消该订单后再申请。",
							      wizard_business_targets_cert(in.business) ? "该证书"
													: "该证件号码",
							      c.holder_no)
					       : "该证件号码已有一笔由其他账号提交、尚未完成的申请，请联系该账号取消后再申请。",
				       extra);
	}
	if (rc != DB_OK)
		return app_db_error(r, rc);
	resp_json(r, 201, json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "order_no", c.no,
				    "state", order_state_str(ORDER_DRAFT),

				    "business", in.business, "kind", c.kind, "channel", in.channel,
				    "warnings", wizard_warnings(in.business)));
	return 0;
}
