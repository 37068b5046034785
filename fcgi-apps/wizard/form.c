/* wizard: the printable application form, authorisation letter and seal sample sheet, bound to
 * their order by a QR code (001, 004: "所下申请表与订单绑定"), and the public check of that binding.
 *
 * GET /api/wizard/orders/:no/forms/application | authorisation | seal   text/html, the A4 page
 * GET /api/wizard/orders/:no/forms/style.css                     its print stylesheet
 * GET /api/wizard/forms/check?no=&form=&t=                        {"valid", ...}
 *
 * At a hall whose letter_face_qr is on (004), the letter of an order whose organisation is
 * checked by the legal representative's face always carries a second QR, of
 * <public_url>/api/wizard/face?no=<no>&t=<face tag> (face.c): the legal representative's face
 * check bound to the order, whether or not a check is pending when it is printed. Elsewhere
 * the letter carries the pending check's own link, when there is one.
 *
 * The QR carries <public_url>/api/wizard/forms/check?no=<no>&form=<form>&t=<tag>, tag the
 * first 16 hex characters of a keyed hash of "<no>|<form>": a reviewer holding a scan can tell
 * a form printed for this order from one of another order or a forged one. The stylesheet sits
 * beside the page (a relative link) because the hall's nginx adds a CSP of its own
 * (default-src 'self') to every answer: an inline <style> would be blocked by it. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "web/auth.h"
#include "crypto/crypto.h"
#include "domain/formtag.h"
#include "domain/mask.h"
#include "domain/order.h"
#include "domain/orderno.h"
#include "media/qr.h"
#include "domain/rules.h"
#include "base/strlist.h"
#include "base/valid.h"
#include "wizard.h"

#define PAGE_MAX (512 * 1024) /* the page, bytes: a few QR codes and a few KB of text */

static const char sql_context[] =
	"SELECT c.name, c.ca_name, a.kind, COALESCE(a.uscc, ''), c.form_lr_clause, c.letter_face_qr, "
	"c.seal_sheet_lr, c.person_self "
	"FROM channels c "
	"JOIN accounts a ON a.id = ? "
	"WHERE c.id = ?";
/* The face-check link of a pending legal-representative check, for the letter's second QR. */
static const char sql_face[] =
	"SELECT link FROM verifications WHERE order_id = ? AND subject = 'enterprise' "
	"AND method = 'lr_face' AND state = 'pending' AND link <> '' ORDER BY id DESC LIMIT 1";
static const char sql_check[] = "SELECT state FROM orders WHERE order_no = ?";
/* Whether the hall takes a seal sample sheet for this kind of certificate and this business:
 * its rule of the material (the channel's own row, else the default's; materials.c chooses
 * the same way). */
static const char sql_seal_kind[] =
	"SELECT (r.cert_kinds = '*' OR FIND_IN_SET(?, r.cert_kinds)) "
	"AND (r.businesses = '*' OR FIND_IN_SET(?, r.businesses)) FROM material_rules r "
	"WHERE r.material = 'seal_sample' AND r.channel_id = (SELECT MAX(x.channel_id) "
	"FROM material_rules x WHERE x.material = 'seal_sample' AND x.channel_id IN (0, ?))";

static const char security_policy[] =
	"default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; "
	"form-action 'none'; frame-ancestors 'none'";

/* ---- the page buffer and the one HTML escaper */

struct page {
	struct arena *a;
	char *p;
	size_t len, cap;
	bool failed;
};

static void put(struct page *pg, const char *s, size_t n)
{
	char *np;
	size_t cap;

	if (pg->failed || n == 0)
		return;
	if (n > PAGE_MAX - pg->len) {
		pg->failed = true;
		return;
	}
	if (pg->len + n + 1 > pg->cap) {
		for (cap = pg->cap ? pg->cap : 16384; cap < pg->len + n + 1; cap *= 2)
			;
		np = arena_alloc(pg->a, cap);
		if (!np) {
			pg->failed = true;
			return;
		}
		if (pg->len)
			memcpy(np, pg->p, pg->len);
		pg->p = np;
		pg->cap = cap;
	}
	memcpy(pg->p + pg->len, s, n);
	pg->len += n;
	pg->p[pg->len] = '\0';
}

/* Markup of our own (string literals, numbers, the QR drawing). */
static void raw(struct page *pg, const char *s)
{
	put(pg, s, strlen(s));
}

/* Every value that is not ours, in text and in attribute values alike: the five characters
 * that mean something to HTML become references, control characters are dropped. */
static void esc(struct page *pg, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t start = 0, i;

	for (i = 0; p[i]; i++) {
		const char *ref;

		switch (p[i]) {
		case '&': ref = "&amp;"; break;
		case '<': ref = "&lt;"; break;
		case '>': ref = "&gt;"; break;
		case '"': ref = "&quot;"; break;
		case '\'': ref = "&#39;"; break;
		default:
			if (p[i] >= 0x20 && p[i] != 0x7f)
				continue;
			ref = "";
		}
		put(pg, (const char *)p + start, i - start);
		raw(pg, ref);
		start = i + 1;
	}
	put(pg, (const char *)p + start, i - start);
}

/* One row of a two-column table: label and value, both escaped. */
static void row(struct page *pg, const char *label, const char *value)
{
	raw(pg, "<tr><th>");
	esc(pg, label);
	raw(pg, "</th><td>");
	esc(pg, value && *value ? value : "—");
	raw(pg, "</td></tr>\n");
}

/* ---- the binding: tag and check URL */

static const char *check_url(struct req *r, const char *no, const char *form, const char *tag)
{
	const char *base = r->app->conf.public_url;
	size_t n = strlen(base);

	while (n > 0 && base[n - 1] == '/')
		n--;
	return arena_printf(r->arena, "%.*s" FORMTAG_PATH "?no=%s&form=%s&t=%s", (int)n, base,
			    no, form, tag);
}

/* The letter's face-check URL (face.c): stable for the order, whatever check is pending. */
static const char *face_url(struct req *r, const char *no)
{
	const char *base = r->app->conf.public_url;
	size_t n = strlen(base);
	char tag[FORMTAG_LEN + 1];

	while (n > 0 && base[n - 1] == '/')
		n--;
	formtag_face_make(&r->app->key, no, tag);
	return arena_printf(r->arena, "%.*s" FORMTAG_FACE_PATH "?no=%s&t=%s", (int)n, base, no, tag);
}

/* The QR drawing and its caption. A text that cannot be drawn fails the whole page: a form
 * without its binding to the order is no form. */
static void qr(struct page *pg, struct req *r, const char *text, const char *caption)
{
	struct qr_svg q;

	raw(pg, "<figure class=\"qr\">");
	if (text && qr_svg(r->arena, text, &q) == QR_OK)
		raw(pg, q.svg);
	else
		pg->failed = true;
	raw(pg, "<figcaption>");
	esc(pg, caption);
	raw(pg, "</figcaption></figure>\n");
}

/* ---- what a form prints */

struct form_data {
	const char *form, *tag, *channel, *ca, *uscc, *today, *face_link;
	bool lr_clause;              /* the form holds the legal representative's authorisation (001) */
	bool face_bound;             /* face_link is the order's own face URL (letter_face_qr, 004) */
	bool seal_lr;                /* the seal sheet has a box for the legal representative's seal */
	bool person_self;            /* a person applies himself: no handler of his own (003) */
	json_t *step[STEP__COUNT];   /* the saved data steps, NULL when not in the plan */
};

static const char *masked(struct req *r, void (*fn)(const char *, char *, size_t), const char *v)
{
	char buf[64];

	if (!v || !*v)
		return "";
	fn(v, buf, sizeof(buf));
	return arena_strdup(r->arena, buf);
}

static const char *val(const struct form_data *d, enum wizard_step s, const char *name)
{
	return d->step[s] ? order_step_str(d->step[s], name) : "";
}

static const char *join4(struct req *r, const char *a, const char *b, const char *c, const char *d)
{
	return arena_printf(r->arena, "%s%s%s%s", a, b, c, d);
}

/* A bank account: the last four digits only. */
static const char *mask_account(struct req *r, const char *no)
{
	size_t n = no ? strlen(no) : 0;

	return n > 4 ? arena_printf(r->arena, "****%s", no + n - 4) : "";
}

static const char *yes_no(const char *flag)
{
	return strcmp(flag, "1") == 0 ? "是" : strcmp(flag, "0") == 0 ? "否" : "";
}

static void head(struct page *pg, const struct order *o, const char *title)
{
	raw(pg, "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
		"<meta name=\"robots\" content=\"noindex\"><title>");
	esc(pg, title);
	raw(pg, " ");
	esc(pg, o->no);
	raw(pg, "</title><link rel=\"stylesheet\" href=\"style.css\"></head>\n<body><main class=\"sheet\">\n"
		"<p class=\"noprint\">请使用浏览器的打印功能（Ctrl+P）以 A4 纸打印本页。</p>\n");
}

static void header(struct page *pg, struct req *r, const struct order *o,
		   const struct form_data *d, const char *title)
{
	raw(pg, "<header><div class=\"title\"><div class=\"ca\">");
	esc(pg, d->ca);
	raw(pg, "</div><div class=\"channel\">");
	esc(pg, d->channel);
	raw(pg, "</div><h1>");
	esc(pg, title);
	raw(pg, "</h1><div class=\"no\"><span>订单编号</span> <strong>");
	esc(pg, o->no);
	raw(pg, "</strong></div></div>\n");
	qr(pg, r, check_url(r, o->no, d->form, d->tag),
	   arena_printf(r->arena, "扫码核验本表 · 核验码 %s", d->tag));
	raw(pg, "</header>\n");
}

static void bound(struct page *pg, const struct order *o, const char *what)
{
	raw(pg, "<p class=\"bound\">");
	esc(pg, arena_printf(pg->a, "本%s由系统根据订单 %s 生成，与该订单绑定，仅对该订单有效，用于其他订单无效；"
				    "请勿涂改，涂改处须加盖单位公章。", what, o->no));
	raw(pg, "</p>\n");
}

static void certificate(struct page *pg, struct req *r, const struct order *o,
			const struct form_data *d)
{
	const char *amount = "以订单确认页为准", *vm;
	char money[24];

	if (o->amount_fen >= 0) {
		valid_money_format(o->amount_fen, money, sizeof(money));
		amount = arena_printf(r->arena, "%s 元", money);
	}
	vm = o->mail_in ? "线下邮寄办理" : wizard_verify_method_name(o->verify_method);
	raw(pg, "<section><h2>证书信息</h2><table class=\"pairs\">\n");
	row(pg, "办理渠道", d->channel);
	row(pg, "证书主体", o->subject_name);
	row(pg, "业务类型", order_business_name(o->business));
	row(pg, "证书类型", order_kind_name(o->kind));
	row(pg, "证书年限", o->years > 0 ? arena_printf(r->arena, "%d 年", o->years) : "");
	row(pg, "证书金额", amount);
	row(pg, "认证方式", vm ? vm : "");
	raw(pg, "</table></section>\n");
}

static void organisation(struct page *pg, struct req *r, const struct order *o,
			 const struct form_data *d)
{
	const char *name = val(d, STEP_ENTERPRISE, "org_name");

	raw(pg, "<section><h2>单位基本信息</h2><table class=\"pairs\">\n");
	row(pg, "机构名称", *name ? name : o->subject_name);
	row(pg, "证件类型", d->uscc ? "统一社会信用代码证" : "");
	row(pg, "证件号码", d->uscc);
	row(pg, "单位地址", join4(r, val(d, STEP_ENTERPRISE, "province"), val(d, STEP_ENTERPRISE, "city"),
				  val(d, STEP_ENTERPRISE, "district"), val(d, STEP_ENTERPRISE, "address")));
	if (d->step[STEP_ENTERPRISE]) {
		row(pg, "法定代表人", val(d, STEP_ENTERPRISE, "lr_name"));
		row(pg, "法定代表人身份证号码", masked(r, mask_id, val(d, STEP_ENTERPRISE, "lr_id_number")));
		/* Asked only by 法定代表人手机号认证: no empty row for the other methods. */
		if (*val(d, STEP_ENTERPRISE, "lr_mobile"))
			row(pg, "法定代表人手机号码",
			    masked(r, mask_mobile, val(d, STEP_ENTERPRISE, "lr_mobile")));
	}
	raw(pg, "</table></section>\n");
}

static void person(struct page *pg, struct req *r, const struct form_data *d, enum wizard_step s,
		   const char *title)
{
	raw(pg, "<section><h2>");
	esc(pg, title);
	raw(pg, "</h2><table class=\"pairs\">\n");
	row(pg, "姓名", val(d, s, "name"));
	row(pg, "身份证号码", masked(r, mask_id, val(d, s, "id_number")));
	row(pg, "手机号码", masked(r, mask_mobile, val(d, s, "mobile")));
	row(pg, "电子邮箱", val(d, s, "email"));
	if (s == STEP_HANDLER)
		row(pg, "职务", val(d, s, "position"));
	raw(pg, "</table></section>\n");
}

static void financial(struct page *pg, struct req *r, const struct form_data *d)
{
	raw(pg, "<section><h2>对公账户信息</h2><table class=\"pairs\">\n");
	row(pg, "账户名称", val(d, STEP_FINANCIAL, "account_name"));
	row(pg, "开户银行", val(d, STEP_FINANCIAL, "bank"));
	row(pg, "账号", mask_account(r, val(d, STEP_FINANCIAL, "account_no")));
	raw(pg, "</table></section>\n");
}

static const char *change_items(struct req *r, const char *items)
{
	static const struct {
		const char *code, *zh;
	} names[] = { { "name", "单位名称" }, { "address", "单位地址" }, { "seal", "电子印章" },
		      { "handler", "经办人" } };
	const char *out = "";

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		size_t n = strlen(names[i].code);

		for (const char *p = items; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
			if (strncmp(p, names[i].code, n) == 0 && (p[n] == ',' || p[n] == '\0'))
				out = arena_printf(r->arena, "%s%s%s", out, *out ? "、" : "", names[i].zh);
	}
	return out;
}

static void change(struct page *pg, struct req *r, const struct form_data *d)
{
	raw(pg, "<section><h2>变更内容</h2><table class=\"pairs\">\n");
	row(pg, "变更事项", change_items(r, val(d, STEP_CHANGE, "items")));
	row(pg, "变更后的单位名称", val(d, STEP_CHANGE, "new_org_name"));
	row(pg, "变更后的单位地址", val(d, STEP_CHANGE, "new_address"));
	raw(pg, "</table></section>\n");
}

static void product(struct page *pg, struct req *r, const struct order *o,
		    const struct form_data *d)
{
	raw(pg, "<section><h2>产品、发票与邮寄信息</h2><table class=\"pairs\">\n");
	row(pg, "电子印章", yes_no(val(d, STEP_PRODUCT, "seal")));
	row(pg, "电子发票", yes_no(val(d, STEP_PRODUCT, "e_invoice")));
	row(pg, "纳税人识别号", val(d, STEP_PRODUCT, "taxpayer_no"));
	if (wizard_ships_key(o)) {
		row(pg, "收件人", val(d, STEP_PRODUCT, "mail_recipient"));
		row(pg, "收件人手机号码", masked(r, mask_mobile, val(d, STEP_PRODUCT, "mail_mobile")));
		row(pg, "收件地址", join4(r, val(d, STEP_PRODUCT, "mail_province"), val(d, STEP_PRODUCT, "mail_city"),
					  val(d, STEP_PRODUCT, "mail_county"), val(d, STEP_PRODUCT, "mail_address")));
		row(pg, "邮政编码", val(d, STEP_PRODUCT, "mail_postcode"));
	}
	raw(pg, "</table></section>\n");
}

static void signatures(struct page *pg, const char *const *boxes, size_t n, const char *today)
{
	raw(pg, "<section class=\"sign\">");
	for (size_t i = 0; i < n; i++) {
		raw(pg, "<div class=\"box\"><span>");
		esc(pg, boxes[i]);
		raw(pg, "</span></div>");
	}
	raw(pg, "</section>\n<p class=\"date\">日期：");
	esc(pg, today);
	raw(pg, "</p>\n");
}

/* 001: "申请单位法定代表人授权委托及单位声明 (必填项, 此项如涂改, 请在涂改处加盖公章)", in the form
 * itself, in its words. */
static void lr_clause(struct page *pg, struct req *r, const struct form_data *d, const char *org)
{
	raw(pg, "<section><h2>申请单位法定代表人授权委托及单位声明（必填项，此项如涂改，请在涂改处加盖公章）"
		"</h2><p class=\"declare\">");
	esc(pg, arena_printf(r->arena,
			     "姓名：%s 身份证号码：%s 系本单位（%s）的法定代表人，现委托本单位员工姓名：%s "
			     "身份证号：%s 为我方代理人，以我方名义办理数字证书的有关事宜，代理人在其权限范围内"
			     "签署的一切有关文件，我单位均予承认，由此在法律上产生的权利、义务均由委托人享有和承担。"
			     "委托期限：自 %s 起至委托事项办结，代理人不得转让委托权限。本单位授权上述经办人代办本单位"
			     "数字证书申请，本单位承诺所填写的内容和提交的证明材料真实，并已认真阅读并同意接受《%s"
			     "电子认证服务协议》的各项内容及约定，如有违反，愿意承担由此引起的一切后果及承担相关法律责任。",
			     val(d, STEP_ENTERPRISE, "lr_name"),
			     masked(r, mask_id, val(d, STEP_ENTERPRISE, "lr_id_number")), org,
			     val(d, STEP_HANDLER, "name"),
			     masked(r, mask_id, val(d, STEP_HANDLER, "id_number")), d->today, d->ca));
	raw(pg, "</p></section>\n");
}

static void application(struct page *pg, struct req *r, const struct order *o,
			const struct form_data *d)
{
	static const char *const boxes[] = { "经办人签字", "单位公章" };
	/* 003 自然人: "《个人数字证书及电子印章申请表》一式两份(申请人签署处需手写签名)". */
	static const char *const self_boxes[] = { "申请人签字（手写）" };
	bool self = d->person_self && strcmp(o->kind, "person") == 0;
	const char *org = *val(d, STEP_ENTERPRISE, "org_name") ? val(d, STEP_ENTERPRISE, "org_name")
							      : o->subject_name;

	head(pg, o, "数字证书申请表");
	header(pg, r, o, d, "数字证书申请表");
	certificate(pg, r, o, d);
	if (strcmp(o->kind, "person") != 0)
		organisation(pg, r, o, d);
	if (!self)
		person(pg, r, d, STEP_HANDLER, "经办人信息");
	if (d->step[STEP_APPLICANT])
		person(pg, r, d, STEP_APPLICANT, "申请人（证书持有人）信息");
	if (d->step[STEP_FINANCIAL])
		financial(pg, r, d);
	if (d->step[STEP_CHANGE])
		change(pg, r, d);
	if (d->step[STEP_PRODUCT])
		product(pg, r, o, d);
	raw(pg, "<section><h2>申请单位声明</h2><p class=\"declare\">");
	esc(pg, arena_printf(r->arena,
			     "本单位（本人）%s 申请办理上述数字证书业务，承诺所填写的内容和提交的证明材料真实、有效，"
			     "并已认真阅读并同意《数字证书服务协议》及《敏感个人信息处理授权书》的各项内容；如有不实，"
			     "愿意承担由此引起的一切后果及相关法律责任。",
			     org));
	raw(pg, "</p></section>\n");
	if (d->lr_clause && strcmp(o->kind, "person") != 0)
		lr_clause(pg, r, d, org);
	if (self)
		signatures(pg, self_boxes, 1, d->today);
	else
		signatures(pg, boxes, strcmp(o->kind, "person") == 0 ? 1 : 2, d->today);
	bound(pg, o, "申请表");
	raw(pg, "</main></body></html>\n");
}

static void authorisation(struct page *pg, struct req *r, const struct order *o,
			  const struct form_data *d)
{
	static const char *const boxes[] = { "法定代表人签字或盖章", "代理人（经办人）签字", "单位公章" };
	const char *org = *val(d, STEP_ENTERPRISE, "org_name") ? val(d, STEP_ENTERPRISE, "org_name")
							      : o->subject_name;
	const char *lr = val(d, STEP_ENTERPRISE, "lr_name");

	head(pg, o, "法定代表人授权委托书");
	header(pg, r, o, d, "法定代表人授权委托书");
	raw(pg, "<section><p>致：");
	esc(pg, d->ca);
	raw(pg, "</p><p class=\"declare\">");
	esc(pg, arena_printf(r->arena,
			     "本人 %s（身份证号码：%s）系 %s（统一社会信用代码：%s）的法定代表人，现委托本单位员工 %s"
			     "（身份证号码：%s，手机号码：%s）为我方代理人，以我方名义办理订单 %s 的数字证书%s业务"
			     "（%s）的有关事宜。代理人在其权限范围内签署的一切有关文件，我单位均予承认，由此产生的"
			     "法律责任由我单位承担。委托期限：自 %s 起至委托事项办结。代理人无转委托权。",
			     *lr ? lr : "________", masked(r, mask_id, val(d, STEP_ENTERPRISE, "lr_id_number")),
			     org, d->uscc ? d->uscc : "", val(d, STEP_HANDLER, "name"),
			     masked(r, mask_id, val(d, STEP_HANDLER, "id_number")),
			     masked(r, mask_mobile, val(d, STEP_HANDLER, "mobile")), o->no,
			     order_business_name(o->business), order_kind_name(o->kind), d->today));
	raw(pg, "</p></section>\n");
	if (d->face_bound) {
		/* 004: "法人授权委托书中所含二维码已绑定系统中订单号，请扫描二维码，由法人亲自刷脸完成核验". */
		qr(pg, r, d->face_link, "法人刷脸核验：请法定代表人本人用手机扫描此二维码，亲自刷脸完成核验");
		raw(pg, "<p class=\"muted\">此二维码已绑定本订单。法人核验结果显示“认证成功”后，方可上传资料提交申请；"
			"订单删除后重新申请的，须重新下载本委托书，再次进行法人核验。</p>\n");
	} else if (d->face_link)
		qr(pg, r, d->face_link, "请法定代表人本人用手机扫描此二维码，完成刷脸核验");
	else
		raw(pg, "<p class=\"muted\">法定代表人可扫描右上角二维码，核对本委托书与订单的绑定关系。</p>\n");
	signatures(pg, boxes, 3, d->today);
	bound(pg, o, "授权委托书");
	raw(pg, "</main></body></html>\n");
}

/* The seal sample sheet (电子印章采样表): the unit's seal stamped in its boxes, from which the
 * electronic seal is made; bound to the order like the other forms. */
static void seal_sheet(struct page *pg, struct req *r, const struct order *o,
		       const struct form_data *d)
{
	static const char *const boxes[] = { "单位公章（第一枚）", "单位公章（第二枚）", "单位公章（第三枚）",
					     "经办人签字" };
	/* 004 "按项目印章要求在空白格内加盖相应的印模 …… ④法人章为在公安系统有备案红色方章". */
	static const char *const lr_boxes[] = { "单位公章（第一枚）", "单位公章（第二枚）",
						"法定代表人章（法人章）", "经办人签字" };
	const char *org = *val(d, STEP_ENTERPRISE, "org_name") ? val(d, STEP_ENTERPRISE, "org_name")
							      : o->subject_name;

	head(pg, o, "电子印章采样表");
	header(pg, r, o, d, "电子印章采样表");
	raw(pg, "<section><table><tr><th>单位名称</th><td>");
	esc(pg, org);
	raw(pg, "</td></tr><tr><th>统一社会信用代码</th><td>");
	esc(pg, d->uscc ? d->uscc : "");
	raw(pg, "</td></tr></table><p class=\"declare\">");
	esc(pg, "请在下列方框内各加盖一枚单位公章（实物印章原件，不得复印或打印），印迹清晰完整、不出框、"
		"不重叠，方框内不得有其他文字或图案。系统将据此制作电子印章。");
	if (d->seal_lr)
		esc(pg, "“法定代表人章”方框内请加盖在公安系统备案的法定代表人红色方章（原章加盖）。");
	raw(pg, "</p></section>\n");
	signatures(pg, d->seal_lr ? lr_boxes : boxes, 4, d->today);
	bound(pg, o, "采样表");
	raw(pg, "</main></body></html>\n");
}

/* ---- handlers */

static const char stylesheet[] =
	"@page{size:A4;margin:10mm 12mm}\n"
	"*{box-sizing:border-box}\n"
	"body{margin:0;background:#e8e8e8;color:#000;font:10.5pt/1.5 \"SimSun\",\"Songti SC\","
	"\"Noto Serif CJK SC\",serif}\n"
	".sheet{width:210mm;min-height:297mm;margin:8mm auto;padding:12mm;background:#fff}\n"
	"header{display:flex;justify-content:space-between;align-items:flex-start;"
	"border-bottom:2px solid #000;padding-bottom:3mm}\n"
	".ca,.channel{font-size:9pt}\n"
	"h1{font-size:20pt;letter-spacing:.3em;margin:2mm 0}\n"
	".no span{font-size:10pt}\n"
	".no strong{font:bold 22pt/1.2 \"Courier New\",monospace;letter-spacing:.05em}\n"
	"figure.qr{margin:0;width:34mm;text-align:center;font-size:7.5pt}\n"
	"figure.qr svg{display:block;width:32mm;height:32mm;margin:0 auto}\n"
	"section>figure.qr{margin:4mm auto}\n"
	"h2{font-size:11.5pt;margin:4mm 0 1mm;padding-left:2mm;border-left:2.5mm solid #000}\n"
	"table{width:100%;border-collapse:collapse}\n"
	"th,td{border:1px solid #000;padding:1.2mm 2mm;text-align:left;vertical-align:top}\n"
	"th{width:30%;font-weight:normal;background:#f0f0f0}\n"
	".declare{text-indent:2em;line-height:1.9}\n"
	".sign{display:flex;gap:4mm;margin-top:5mm}\n"
	".box{flex:1;height:32mm;border:1px solid #000;padding:2mm}\n"
	".date{text-align:right;margin:3mm 0}\n"
	".bound{margin-top:4mm;padding:2mm;border:1px dashed #000;font-weight:bold}\n"
	".muted{font-size:8.5pt}\n"
	/* The application form's facts two to a row: a scan is one image of one A4 page (001
	 * "不得修改或拼接"), so the whole form, the signature and seal boxes included, prints on
	 * one (the browser test prints each form to PDF and counts its pages). */
	"table.pairs,table.pairs tbody{display:block}\n"
	"table.pairs tbody{display:grid;grid-template-columns:1fr 1fr}\n"
	"table.pairs tr{display:grid;grid-template-columns:37% 63%}\n"
	"table.pairs th,table.pairs td{margin:0 -1px -1px 0;padding:.8mm 1.5mm;line-height:1.35;"
	"overflow-wrap:anywhere}\n"
	"table.pairs th{width:auto}\n"
	/* 9pt (小五) in print: 001's form with its applicant, account and the legal
	 * representative's authorisation is the longest, and fits with room for long names. */
	"@media print{body{background:#fff;font-size:9pt;line-height:1.3}"
	".sheet{width:auto;min-height:0;margin:0;padding:0}.noprint{display:none}"
	"section,table,.sign{break-inside:avoid}"
	"header{padding-bottom:2mm}h1{font-size:15pt;margin:1mm 0}.no strong{font-size:17pt}"
	"figure.qr{width:24mm}figure.qr svg{width:22mm;height:22mm}"
	"h2{font-size:10pt;margin:1.5mm 0 .6mm}.declare{line-height:1.35;margin:.5mm 0}"
	"table.pairs th,table.pairs td{padding:.3mm 1.5mm;line-height:1.25}"
	".sign{margin-top:2mm}.box{height:20mm}.date{margin:1mm 0}"
	".bound{margin-top:1mm;padding:1mm}}\n";

static void answer(struct req *r, const char *type, const char *body, size_t len)
{
	r->responded = true;
	r->status = 200;
	r->resp_type = type;
	r->body = body;
	r->body_len = len;
	resp_header(r, "Content-Security-Policy", security_policy);
	resp_header(r, "X-Content-Type-Options", "nosniff");
	resp_header(r, "Cache-Control", "no-store");
}

static const char *today_text(struct req *r)
{
	struct rules_date t = rules_today(time(NULL));

	return arena_printf(r->arena, "%04d 年 %02d 月 %02d 日", t.y, t.m, t.d);
}

static int load(struct req *r, const struct order *o, struct form_data *d)
{
	struct db_rows ctx, face;
	int rc;

	for (int s = STEP_AGREEMENTS; s <= STEP_PRODUCT; s++) {
		if (!wizard_plan_has(o, (enum wizard_step)s))
			continue;
		if (wizard_step_load(r, o->id, (enum wizard_step)s, &d->step[s]) < 0)
			return -1;
		/* The form prints what the applicant confirmed: every data step first. */
		if (!d->step[s])
			return resp_error_with(r, ERR_STEP_INCOMPLETE, wizard_step_name((enum wizard_step)s),
					       arena_printf(r->arena, "请先完成“%s”这一步，再打印表格。",
							    wizard_step_title((enum wizard_step)s)),
					       json_pack("{s:s}", "step", wizard_step_name((enum wizard_step)s)));
	}
	rc = db_query(&r->app->db, r->arena, sql_context, DB_ARGS(DB_I64(o->account_id), DB_I64(o->channel_id)),
		      &ctx);
	if (rc == DB_OK)
		rc = db_query(&r->app->db, r->arena, sql_face, DB_ARGS(DB_I64(o->id)), &face);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (ctx.nrows != 1)
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	d->channel = db_cell(&ctx, 0, 0);
	d->ca = db_cell(&ctx, 0, 1);
	d->lr_clause = str_is(db_cell(&ctx, 0, 4), "1");
	d->seal_lr = str_is(db_cell(&ctx, 0, 6), "1");
	d->person_self = str_is(db_cell(&ctx, 0, 7), "1");
	/* An organisation's login name is its USCC (004). */
	d->uscc = strcmp(db_cell(&ctx, 0, 2), "org") == 0 ? db_cell(&ctx, 0, 3) : NULL;
	/* Where the legal representative's face is what checks the organisation: a renewal or an
	 * unlock checks no one (the key does), and another method has no face to scan. */
	if (str_is(db_cell(&ctx, 0, 5), "1") && wizard_plan_has(o, STEP_ENTERPRISE) && !o->mail_in &&
	    str_is(o->verify_method, "lr_face")) {
		d->face_link = face_url(r, o->no);
		d->face_bound = true;
	} else if (face.nrows == 1) {
		const char *link = db_cell(&face, 0, 0);

		if (strncmp(link, "https://", 8) == 0 || strncmp(link, "http://", 7) == 0)
			d->face_link = link;
	}
	d->today = today_text(r);
	return 0;
}

/* 1: the hall takes a seal sample sheet for the order's kind of certificate and business (004:
 * its organisation and legal-representative certificates alike, its 补办 too); 0 not; -1
 * answered. */
static int seal_sheet_for(struct req *r, const struct order *o)
{
	struct db_rows rows;
	int rc = db_query(&r->app->db, r->arena, sql_seal_kind,
			  DB_ARGS(DB_STR(o->kind), DB_STR(o->business), DB_I64(o->channel_id)), &rows);

	if (rc != DB_OK)
		return app_db_error(r, rc);
	return rows.nrows == 1 && str_is(db_cell(&rows, 0, 0), "1");
}

int wizard_form(struct req *r)
{
	const char *form = r->params[1];
	struct order o;
	struct form_data d = { 0 };
	struct page pg = { .a = r->arena };
	char tag[FORMTAG_LEN + 1];

	if (wizard_find_order(r, r->params[0], &o) < 0)
		return -1;
	if (form && strcmp(form, "style.css") == 0) {
		answer(r, "text/css; charset=utf-8", stylesheet, sizeof(stylesheet) - 1);
		return 0;
	}
	if (!formtag_is_form(form))
		return resp_error(r, ERR_NOT_FOUND, "form", "表格不存在：可打印申请表（application）、法定代表人授权委托书（authorisation）或电子印章采样表（seal）。");
	if (!wizard_plan_has(&o, STEP_FORM))
		return resp_error(r, ERR_NOT_FOUND, "form", "该业务在线办理，无需打印申请表。");
	if (strcmp(form, "authorisation") == 0 && strcmp(o.kind, "person") == 0)
		return resp_error(r, ERR_NOT_FOUND, "form", "个人证书无需法定代表人授权委托书。");
	if (strcmp(form, "seal") == 0) {
		int sheet = seal_sheet_for(r, &o);

		if (sheet < 0)
			return -1;
		if (sheet == 0)
			return resp_error(r, ERR_NOT_FOUND, "form",
					  arena_printf(r->arena, "本渠道办理该业务的%s无需电子印章采样表。",
						       order_kind_name(o.kind)));
	}
	if (load(r, &o, &d) < 0)
		return -1;
	formtag_make(&r->app->key, o.no, form, tag);
	d.form = form;
	d.tag = tag;
	if (strcmp(form, "application") == 0)
		application(&pg, r, &o, &d);
	else if (strcmp(form, "authorisation") == 0)
		authorisation(&pg, r, &o, &d);
	else
		seal_sheet(&pg, r, &o, &d);
	if (pg.failed || !pg.p)
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	answer(r, "text/html; charset=utf-8", pg.p, pg.len);
	return 0;
}

/* Public: says whether a printed form's QR is genuine, and nothing about anything else. The
 * database is asked only after the tag matched, so an unknown number and a wrong tag take
 * the same path and give the same answer. */
int wizard_form_check(struct req *r)
{
	const char *no, *form, *t, *state;
	struct kvlist args;
	struct db_rows rows;
	int rc;

	if (app_limit_lookup(r, "formcheck") < 0 || req_args(r, &args) < 0)
		return -1;
	no = kv_get(&args, "no");
	form = kv_get(&args, "form");
	t = kv_get(&args, "t");
	if (!formtag_valid(&r->app->key, no, form, t))
		goto invalid;
	rc = db_query(&r->app->db, r->arena, sql_check, DB_ARGS(DB_STR(no)), &rows);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (rows.nrows != 1)
		goto invalid;
	state = order_state_name(db_cell(&rows, 0, 0));
	resp_json(r, 200, json_pack("{s:b, s:s, s:s, s:s, s:s}", "valid", 1, "order_no", no, "form", form,
				    "form_name", formtag_form_name(form),
				    "state", state ? state : ""));
	resp_header(r, "Cache-Control", "no-store");
	return 0;
invalid:
	resp_json(r, 200, json_pack("{s:b, s:s}", "valid", 0, "message",
				    "无法核验：该表格不是本系统为此订单生成的，或二维码已损坏。"));
	resp_header(r, "Cache-Control", "no-store");
	return 0;
}
