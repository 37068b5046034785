/* upload: the scan checks of an upload: legible, the printed form's QR bound to this order, the
 * seal (shared/media/scan.c does the looking; this file decides and words the answers). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "web/app.h"
#include "web/req.h"
#include "domain/formtag.h"
#include "base/log.h"
#include "media/scan.h"
#include "upload.h"

static const char sql_seal_refuses[] = "SELECT seal_refuses FROM channels WHERE id = ?";

bool upload_checks_wanted(const struct upload_rule *rule)
{
	return rule->ink_min > 0 || rule->sharp_min > 0 || rule->paper_min > 0 || rule->area_min > 0 ||
	       rule->seal || (rule->qr_form && *rule->qr_form);
}

static json_t *detail(const char *check, const struct upload_checks *c)
{
	if (!c->measured)
		return json_pack("{s:s}", "check", check);
	return json_pack("{s:s, s:{s:i, s:i, s:i, s:i}}", "check", check, "measures", "ink_pm", c->ink_pm,
			 "sharpness", c->sharpness, "paper", c->paper, "area_pct", c->area_pct);
}

static int refuse(struct req *r, enum err_code e, const char *check, const char *msg,
		  const struct upload_checks *c)
{
	log_rid(LOG_INFO, r->rid, "upload: scan refused: %s (ink %d, sharpness %d, paper %d, area %d)",
		check, c->ink_pm, c->sharpness, c->paper, c->area_pct);
	return resp_error_with(r, e, "file", msg, detail(check, c));
}

static int legible(struct req *r, const struct upload_rule *rule, const unsigned char *grey,
		   unsigned w, unsigned h, struct upload_checks *c)
{
	const struct scan_rules sr = { rule->ink_min, rule->sharp_min, rule->paper_min, rule->area_min };
	struct scan_measures m;
	enum scan_fault f;
	const char *msg = NULL;

	if (scan_measure_grey(grey, w, h, &m) != 0)
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	c->measured = true;
	c->ink_pm = m.ink_pm;
	c->sharpness = m.sharpness;
	c->paper = m.paper;
	c->area_pct = m.area_pct;
	f = scan_judge(&m, &sr);
	switch (f) {
	case SCAN_LEGIBLE:
		return 0;
	case SCAN_DARK:
		msg = "扫描件太暗，看不清内容：请在光线充足处重新扫描或拍照。";
		break;
	case SCAN_BLANK:
		msg = arena_printf(r->arena, "扫描件几乎是空白页，看不到内容：请确认上传的是已填写、签字盖章的“%s”。",
				   rule->name);
		break;
	case SCAN_SMALL:
		msg = arena_printf(r->arena, "“%s”只占图片的一小部分，内容看不清：请将材料铺满画面后重新扫描或拍照。",
				   rule->name);
		break;
	case SCAN_BLURRED:
		msg = "扫描件模糊，请在光线充足处重新扫描或拍照。";
		break;
	}
	return refuse(r, ERR_SCAN_ILLEGIBLE, scan_fault_name(f), msg, c);
}

/* The QR of the printed form: it must name this order and this form, with its check tag. */
static int bound(struct req *r, const char *no, const struct upload_rule *rule,
		 const unsigned char *grey, unsigned w, unsigned h, struct upload_checks *c)
{
	struct scan_qr *q = arena_alloc(r->arena, sizeof(*q));
	const char *want = rule->qr_form, *what = formtag_form_name(want);
	struct formtag_ref ref, other = { .no = "" };
	int foreign = 0;

	if (!q || scan_qr(grey, w, h, q) != 0)
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	for (int i = 0; i < q->n; i++) {
		if (formtag_parse(q->text[i], q->len[i], &ref) != 0 ||
		    !formtag_valid(&r->app->key, ref.no, ref.form, ref.tag)) {
			foreign++; /* someone else's QR, a link, or a forged tag */
			continue;
		}
		if (strcmp(ref.no, no) == 0 && strcmp(ref.form, want) == 0) {
			c->qr_state = "verified";
			return 0;
		}
		other = ref;
	}
	if (other.no[0] && strcmp(other.no, no) != 0)
		return refuse(r, ERR_QR_MISMATCH, "qr_other_order",
			      arena_printf(r->arena, "这是订单 %s 的%s，不是本订单（%s）的：表格与订单一一绑定，"
						     "请在本订单的办理页面打印%s，签字盖章后扫描上传。",
					   other.no, formtag_form_name(other.form), no, what), c);
	if (other.no[0])
		return refuse(r, ERR_QR_MISMATCH, "qr_other_form",
			      arena_printf(r->arena, "扫描件是本订单的%s，不是%s：请上传正确的表格。",
					   formtag_form_name(other.form), what), c);
	if (foreign)
		return refuse(r, ERR_QR_MISMATCH, "qr_not_bound",
			      arena_printf(r->arena, "扫描件上的二维码不是本系统为本订单生成的（未与订单绑定的空白表格或其他来源的表格）："
						     "请在本订单的办理页面打印%s，签字盖章后扫描上传。", what), c);
	if (q->finders > 0)
		return refuse(r, ERR_QR_UNREADABLE, "qr_unreadable",
			      "扫描件上的二维码不完整或不够清晰，无法识别：请重新扫描或拍照，确保右上角的二维码完整、清晰、无折痕和遮挡。",
			      c);
	return refuse(r, ERR_QR_MISSING, "qr_missing",
		      arena_printf(r->arena, "未在扫描件中找到%s右上角的二维码：请上传在本订单的办理页面打印的%s，"
					     "并确保二维码完整、清晰地在画面内。", what, what), c);
}

static int sealed(struct req *r, const struct order *o, const struct upload_rule *rule,
		  const unsigned char *rgb, unsigned w, unsigned h, struct upload_checks *c)
{
	struct db_rows rows;
	int found = scan_seal(rgb, w, h), rc;

	if (found < 0)
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	c->seal_state = found ? "found" : "missing";
	if (found)
		return 0;
	rc = db_query(&r->app->db, r->arena, sql_seal_refuses, DB_ARGS(DB_I64(o->channel_id)), &rows);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (rows.nrows == 1 && db_cell(&rows, 0, 0) && strcmp(db_cell(&rows, 0, 0), "1") == 0)
		return refuse(r, ERR_SEAL_MISSING, "seal",
			      arena_printf(r->arena, "未在扫描件中识别到红色公章印迹：“%s”须加盖单位公章，请盖章后重新扫描上传。",
					   rule->name), c);
	c->warning = arena_printf(r->arena, "未在扫描件中识别到红色公章印迹：“%s”须加盖单位公章，请确认已盖章且印迹清晰；"
					    "已上传的扫描件会提示审核人员重点核对。", rule->name);
	return 0;
}

int upload_check_scan(struct req *r, const struct order *o, const char *no,
		      const struct upload_rule *rule, const unsigned char *rgb, unsigned w, unsigned h,
		      struct upload_checks *c)
{
	struct timespec t0, t1;
	unsigned char *grey;
	int rc;

	memset(c, 0, sizeof(*c));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* One grey page for the measures and the QR; the seal looks at the colours. */
	grey = rgb ? scan_grey(rgb, w, h) : NULL;
	if (!grey)
		return resp_error(r, ERR_INTERNAL, NULL, NULL);
	rc = legible(r, rule, grey, w, h, c);
	if (rc == 0 && rule->qr_form && *rule->qr_form)
		rc = bound(r, no, rule, grey, w, h, c);
	free(grey);
	if (rc == 0 && rule->seal)
		rc = sealed(r, o, rule, rgb, w, h, c);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	log_rid(LOG_DEBUG, r->rid, "upload: scan checks %ux%u in %ld ms", w, h,
		(long)((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000));
	return rc < 0 ? -1 : 0;
}
