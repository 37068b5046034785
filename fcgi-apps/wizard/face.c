/* wizard: the legal representative's face check as the authorisation letter's QR opens it, at a
 * hall whose channels.letter_face_qr is on (004: "法人授权委托书中所含二维码已绑定系统中订单号，请扫描
 * 二维码，由法人亲自刷脸完成核验").
 *
 * GET /api/wizard/face?no=&t=   302 to the order's pending face check, or a short zh-CN page
 *
 * The QR is printed once, when the letter is, and outlives any one check: a check that failed
 * or lapsed is started again online and the same paper still leads to it. The tag is
 * formtag_face_make's; the database is asked only after it matched, so an unknown number and
 * a forged tag get the same refusal. The pages are fixed texts: the phone that scans learns
 * nothing of the order but where its check stands. A pending check is asked at the gateway,
 * read only: a GET by whoever holds the paper settles nothing; the applicant's own status
 * poll records the outcome. The route does not ask the hall's setting: a letter printed while
 * it was on stays good after an admin turns it off. */
#include <stdio.h>
#include <stdlib.h>

#include "base/log.h"
#include "domain/formtag.h"
#include "verify_subject.h"

#define POLLS_LIMIT 30 /* gateway queries per order and window from scans of the letter */
#define POLLS_WINDOW 60

enum face_page { FACE_PASSED, FACE_FAILED, FACE_NONE, FACE_VOID, FACE_REFUSED };

static const struct {
	int status;
	const char *title, *text;
} pages[] = {
	[FACE_PASSED] = { 200, "认证成功",
			  "法定代表人刷脸核验已通过。经办人可在网上营业厅上传资料、提交申请。" },
	[FACE_FAILED] = { 200, "核验未通过",
			  "本次法定代表人刷脸核验未通过。请经办人在网上营业厅重新发起法人核验，"
			  "再由法定代表人本人扫描本二维码完成刷脸。" },
	[FACE_NONE] = { 200, "暂无待完成的法人核验",
			"当前没有待完成的法定代表人刷脸核验。请经办人在网上营业厅重新发起法人核验，"
			"再由法定代表人本人扫描本二维码完成刷脸。" },
	[FACE_VOID] = { 200, "授权委托书已失效",
			"本授权委托书所绑定的订单已删除或已失效。如需办理，请重新申请，并重新下载授权委托书，"
			"再次进行法人核验。" },
	[FACE_REFUSED] = { 404, "无法核验",
			   "该二维码不是本系统为订单生成的法人核验二维码，或二维码已损坏。订单删除后重新申请的，"
			   "须重新下载授权委托书再次进行法人核验。" },
};

static int page(struct req *r, enum face_page p)
{
	/* Literals only: nothing here comes from the request or the order. */
	const char *body = arena_printf(
		r->arena,
		"<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
		"<meta name=\"robots\" content=\"noindex\"><title>法人核验 · %s</title></head>\n"
		"<body><main><h1>%s</h1>\n<p>%s</p></main></body></html>\n",
		pages[p].title, pages[p].title, pages[p].text);

	if (!body)
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	r->responded = true;
	r->status = pages[p].status;
	r->resp_type = "text/html; charset=utf-8";
	r->body = body;
	r->body_len = strlen(body);
	resp_header(r, "Content-Security-Policy", "default-src 'none'; base-uri 'none'; "
						  "form-action 'none'; frame-ancestors 'none'");
	resp_header(r, "X-Content-Type-Options", "nosniff");
	resp_header(r, "Cache-Control", "no-store");
	return 0;
}

static bool web_link(const char *s)
{
	return s && (strncmp(s, "https://", 8) == 0 || strncmp(s, "http://", 7) == 0);
}

/* The gateway's word on a pending check into *st; PENDING when it cannot be asked now (over
 * the order's limit, or down: the check's own page says the rest). Returns 0, or -1 answered
 * (the database's error). */
static int ask(struct req *r, const struct order *o, const char *ref, enum verify_state *st)
{
	struct verify_result res;
	struct provider p;
	char err[256], bucket[48];
	int rc;

	*st = VERIFY_PENDING;
	snprintf(bucket, sizeof(bucket), "face-poll:%lld", o->id);
	rc = wizard_limit(r, bucket, POLLS_LIMIT, POLLS_WINDOW, NULL);
	if (rc != 1)
		return rc < 0 ? -1 : 0;
	verify_provider(&r->app->conf, &p);
	if (verify_query(&p, ref, &res, err, sizeof(err)) != VERIFY_OK) {
		log_rid(LOG_WARN, r->rid, "order %s face scan query: %s", o->no, err);
		return 0;
	}
	*st = res.state;
	return 0;
}

int wizard_face(struct req *r)
{
	const struct subject *s = wizard_verify_subject("enterprise");
	const char *no, *t, *state, *link;
	struct kvlist args;
	struct db_rows v;
	struct order o;
	bool current;
	int rc;

	if (app_limit_lookup(r, "facecheck") < 0 || req_args(r, &args) < 0)
		return -1;
	no = kv_get(&args, "no");
	t = kv_get(&args, "t");
	if (!formtag_face_valid(&r->app->key, no, t))
		return page(r, FACE_REFUSED);
	rc = order_load(&r->app->db, r->arena, no, &o);
	if (rc == ORDER_NONE)
		return page(r, FACE_REFUSED);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	/* 004: "如果订单删除后重新申请，须重新下载模板再次进行法人核验". */
	if (order_is(o.state, ORDER_FINAL) && o.state != ORDER_DONE)
		return page(r, FACE_VOID);
	rc = wizard_verify_latest(&r->app->db, r, o.id, s, false, &v);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	/* Another method's check is not the legal representative's face: nothing to scan for. */
	if (v.nrows != 1 || !str_is(db_cell(&v, 0, L_METHOD), "lr_face"))
		return page(r, FACE_NONE);
	state = db_cell(&v, 0, L_STATE);
	link = db_cell(&v, 0, L_LINK);
	current = str_is(db_cell(&v, 0, L_CURRENT), "1");
	if (str_is(state, "pending") && current) {
		enum verify_state now;

		if (ask(r, &o, db_cell(&v, 0, L_REF), &now) < 0)
			return -1;
		if (now == VERIFY_PASSED)
			return page(r, FACE_PASSED);
		if (now == VERIFY_FAILED)
			return page(r, FACE_FAILED);
		if (!web_link(link))
			return page(r, FACE_NONE);
		r->responded = true;
		r->status = 302;
		r->resp_type = "text/plain; charset=utf-8";
		r->body = "";
		r->body_len = 0;
		resp_header(r, "Location", link);
		resp_header(r, "Cache-Control", "no-store");
		resp_header(r, "Referrer-Policy", "no-referrer");
		return 0;
	}
	if (str_is(state, "passed") && current)
		return page(r, FACE_PASSED);
	return page(r, str_is(state, "failed") && current ? FACE_FAILED : FACE_NONE);
}
