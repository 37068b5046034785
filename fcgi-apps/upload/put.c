/* upload: POST /api/upload/orders/:no/materials/:kind[?page=N]: check, normalise, store, record;
 * DELETE of the same: a page withdrawn. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "web/app.h"
#include "web/req.h"
#include "web/auth.h"
#include "media/image.h"
#include "base/log.h"
#include "web/multipart.h"
#include "media/store.h"
#include "upload.h"
#include "base/valid.h"
#include "base/strlist.h"
#include "domain/order.h"

/* Room for the multipart envelope around a file of the largest allowed size. */
#define MULTIPART_SLACK 16384

static const char sql_lock_order[] = "SELECT state, editable FROM orders WHERE id = ? FOR UPDATE";
/* Whether a page of the material is accepted (the material is then closed), and the page's
 * latest version (0: none). */
static const char sql_latest_lock[] =
	"SELECT COALESCE(MAX(state = 'accepted'), 0), COALESCE(MAX(IF(page = ?, version, 0)), 0) "
	"FROM materials WHERE order_id = ? AND material = ? FOR UPDATE";
static const char sql_replace[] =
	"UPDATE materials SET state = 'replaced' WHERE order_id = ? AND material = ? AND page = ? "
	"AND state IN ('pending', 'rejected')";
static const char sql_insert[] =
	"INSERT INTO materials (order_id, material, page, version, sha256, thumb_sha256, bytes, width, "
	"height, src_type, src_bytes, original_name, state, uploaded_by, created_at, qr_state, "
	"seal_state, ink_pm, sharpness, paper, area_pct) "
	"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, NOW(3), ?, ?, ?, ?, ?, ?)";
static const char sql_event[] =
	"INSERT INTO order_events (order_id, at, kind, actor_type, actor_id, public, note) "
	"VALUES (?, NOW(3), ?, 'applicant', ?, 0, ?)";

/* A draft takes any material. A returned order takes only what the reviewer sent back
 * (orders.editable): approving accepts every pending scan, so any other one swapped in now
 * would pass unseen. */
bool upload_material_open(enum order_state state, const char *editable_list, const char *material)
{
	return state == ORDER_DRAFT ||
	       (state == ORDER_RETURNED && strlist_has(editable_list, material));
}

static const char *not_sent_back(struct req *r, const char *name)
{
	return arena_printf(r->arena, "订单已退回补正，只能重新上传审核未通过的材料：“%s”不在退回修改之列，不能更换。",
			    name);
}

static const char *accepted(struct req *r, const char *name)
{
	return arena_printf(r->arena, "“%s”已审核通过，不能再更换。", name);
}

static bool is_material_code(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= 32 && strspn(s, "abcdefghijklmnopqrstuvwxyz_") == n;
}

/* The page a request names (?page=N, 1 when absent) within the rule's pages into *page;
 * answers 400 invalid_field and returns -1 for any other value. */
static int page_of(struct req *r, const struct upload_rule *rule, int *page)
{
	struct kvlist args;
	const char *v;
	size_t n;

	if (req_args(r, &args) < 0)
		return -1;
	v = kv_get(&args, "page");
	*page = 1;
	if (!v)
		return 0;
	n = strlen(v);
	if (n >= 1 && n <= 2 && strspn(v, "0123456789") == n)
		*page = (int)strtol(v, NULL, 10);
	if (n < 1 || n > 2 || strspn(v, "0123456789") != n || *page < 1 || *page > rule->pages)
		return resp_error(r, ERR_INVALID_FIELD, "page",
				  rule->pages > 1
				  ? arena_printf(r->arena, "页码（page）应为 1 到 %d 之间的整数：“%s”最多上传 %d 页。",
						 rule->pages, rule->name, rule->pages)
				  : arena_printf(r->arena, "页码（page）只能为 1：“%s”只需上传 1 页。", rule->name));
	return 0;
}

/* What a change of a page names: the owner's order (another's is a 404), the material of the
 * order's hall, the page within its pages; refused while the order is not editable. *latest:
 * upload_find_rule's. Returns 0 or -1 (answered). */
static int page_request(struct req *r, struct order *o, struct upload_rule *rule, const char **latest,
			int *page)
{
	if (upload_find_order(r, r->params[0], false, o) < 0)
		return -1;
	if (!is_material_code(r->params[1]))
		return resp_error(r, ERR_MATERIAL_NOT_NEEDED, "material", NULL);
	if (!order_is(o->state, ORDER_EDITABLE))
		return resp_error(r, ERR_NOT_EDITABLE, NULL, NULL);
	if (upload_find_rule(r, o, r->params[1], rule, latest) < 0 || page_of(r, rule, page) < 0)
		return -1;
	return 0;
}

/* The material's name in an event and an answer, with the page when it takes several: named
 * as the wizard titles it (the kind's page_names), else by its number. */
static const char *page_name(struct req *r, const struct upload_rule *rule, int page)
{
	const char *p = rule->page_names;

	if (rule->pages <= 1)
		return rule->name;
	for (int n = 1; p && n < page; n++)
		if ((p = strchr(p, ',')) != NULL)
			p++;
	if (p && *p && *p != ',')
		return arena_printf(r->arena, "%s%.*s", rule->name, (int)strcspn(p, ","), p);
	return arena_printf(r->arena, "%s第 %d 页", rule->name, page);
}

static json_t *limits_of(const struct upload_rule *rule)
{
	return json_pack("{s:{s:s, s:I, s:I, s:I}}", "limits", "formats", rule->formats_text,
			 "max_bytes", (json_int_t)rule->max_bytes, "min_pixels",
			 (json_int_t)rule->min_pixels, "max_pixels", (json_int_t)rule->max_pixels);
}

static const char *mb(struct req *r, long long bytes)
{
	return bytes % 1048576 == 0 ? arena_printf(r->arena, "%lld MB", bytes / 1048576)
				    : arena_printf(r->arena, "%lld KB", bytes / 1024);
}

static int refuse(struct req *r, enum err_code e, const struct upload_rule *rule)
{
	const char *msg = NULL;

	if (e == ERR_TOO_LARGE)
		msg = arena_printf(r->arena, "文件过大：%s最大 %s，请压缩图片或将扫描分辨率调整为 300 dpi 后重新上传。",
				   rule->name, mb(r, rule->max_bytes));
	else if (e == ERR_UNSUPPORTED_TYPE)
		msg = arena_printf(r->arena, "不支持的文件格式：%s只接受 %s 格式的扫描图片。", rule->name,
				   rule->formats_text);
	return resp_error_with(r, e, "file", msg, limits_of(rule));
}

/* raw_name's answer for a name that does not decode, or decodes to a NUL ("a.jpg%00.php"). */
static const char bad_name[] = "";

/* The file name a raw upload declares: X-File-Name, %-encoded UTF-8. */
static const char *raw_name(struct req *r)
{
	const char *v = req_param(r, "HTTP_X_FILE_NAME");
	struct kvlist kv;
	char *q;

	if (!v)
		return NULL;
	q = arena_printf(r->arena, "f=%s", v);
	if (!q || decode_urlencoded(r->arena, q, strlen(q), 1, &kv) != DECODE_OK || kv.n != 1 ||
	    strlen(kv.items[0].value) != kv.items[0].value_len)
		return bad_name;
	return kv.items[0].value;
}

/* Whether a UTF-8 name holds a bidirectional control (U+061C, U+200E/F, U+202A-E,
 * U+2066-9): "gpj.exe" shown as "exe.jpg" on a reviewer's page. */
static bool bidi_control(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (p[0] == 0xD8 && p[1] == 0x9C)
			return true;
		if (p[0] == 0xE2 && p[1] == 0x80 && p[2] &&
		    (p[2] == 0x8E || p[2] == 0x8F || (p[2] >= 0xAA && p[2] <= 0xAE)))
			return true;
		if (p[0] == 0xE2 && p[1] == 0x81 && p[2] >= 0xA6 && p[2] <= 0xA9)
			return true;
	}
	return false;
}

/* The extension of a file name, lower case, or NULL. */
static const char *extension(struct req *r, const char *name)
{
	const char *dot = name ? strrchr(name, '.') : NULL;
	char *ext;

	if (!dot || !dot[1] || strlen(dot + 1) > 8)
		return dot ? "" : NULL;
	ext = arena_strdup(r->arena, dot + 1);
	for (char *p = ext; p && *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return ext;
}

struct file {
	const char *data, *name, *type;
	size_t len;
};

/* The file out of the body: a multipart form's "file" part, or the raw body. */
static int take_file(struct req *r, size_t limit, struct file *f)
{
	const char *body, *ct = r->content_type ? r->content_type : "";
	char boundary[80];
	struct mp_part parts[4];
	size_t len, nparts = 0;

	if (req_body(r, limit, &body, &len) < 0)
		return -1;
	memset(f, 0, sizeof(*f));
	if (strncasecmp(ct, "multipart/", 10) == 0) {
		if (mp_boundary(ct, boundary, sizeof(boundary)) != MP_OK ||
		    mp_parse(r->arena, body, len, boundary, parts, 4, &nparts) != MP_OK)
			return resp_error(r, ERR_BAD_REQUEST, "file", "上传内容格式不正确，请刷新页面后重新选择文件。");
		for (size_t i = 0; i < nparts; i++) {
			if (strcmp(parts[i].name, "file") != 0 || !parts[i].filename)
				continue;
			f->data = parts[i].data;
			f->len = parts[i].len;
			f->name = parts[i].filename;
			f->type = parts[i].content_type;
			break;
		}
		if (!f->data)
			return resp_error(r, ERR_NO_FILE, "file", NULL);
	} else {
		f->data = body;
		f->len = len;
		f->name = raw_name(r);
		f->type = ct[0] && strncasecmp(ct, "application/octet-stream", 24) != 0 ? ct : NULL;
	}
	if (f->name && (f->name == bad_name || !valid_text(f->name, strlen(f->name), 255) ||
			bidi_control(f->name)))
		return resp_error(r, ERR_INVALID_FIELD, "file", "文件名含有无法识别的字符，请重命名后上传。");
	return 0;
}

struct record {
	struct req *r;
	const struct order *o;
	const char *material, *kind_name, *page_name, *name, *sha, *thumb_sha, *src_type;
	int page;
	const struct image_out *img;
	const struct upload_checks *checks;
	size_t src_bytes;
	long long id, version;
	enum err_code refused;
	const char *why; /* the refusal in words, or NULL for the code's own */
};

static struct db_param opt_str(const char *s)
{
	return s ? DB_STR(s) : DB_NULL;
}

static struct db_param opt_int(const struct upload_checks *c, int v)
{
	return c->measured ? DB_I64(v) : DB_NULL;
}

/* The checks' findings in the answer: the QR and the seal, and a warning for the applicant. */
static json_t *checks_json(const struct upload_checks *c)
{
	return json_pack("{s:s?, s:s?, s:s?}", "qr", c->qr_state, "seal", c->seal_state, "warning",
			 c->warning);
}

/* Under the order's lock, whether the page takes a change now (the state may have moved while
 * the image was processed): the order editable, the material sent back if it was returned, no
 * page of it accepted. Sets rec->refused and returns DB_ERR if not; the page's latest version
 * (0: none) into rec->version. */
static int page_open_tx(struct db *db, struct record *rec)
{
	struct db_rows rows;
	int rc;

	rec->refused = ERR__COUNT;
	rec->why = NULL;
	rc = db_query(db, rec->r->arena, sql_lock_order, DB_ARGS(DB_I64(rec->o->id)), &rows);
	if (rc != DB_OK)
		return rc;
	if (rows.nrows != 1 || !order_is(order_state_parse(db_cell(&rows, 0, 0)), ORDER_EDITABLE)) {
		rec->refused = ERR_NOT_EDITABLE;
		return DB_ERR;
	}
	if (!upload_material_open(order_state_parse(db_cell(&rows, 0, 0)), db_cell(&rows, 0, 1),
				  rec->material)) {
		rec->refused = ERR_MATERIAL_LOCKED;
		rec->why = not_sent_back(rec->r, rec->kind_name);
		return DB_ERR;
	}
	rc = db_query(db, rec->r->arena, sql_latest_lock,
		      DB_ARGS(DB_I64(rec->page), DB_I64(rec->o->id), DB_STR(rec->material)), &rows);
	if (rc != DB_OK)
		return rc;
	if (rows.nrows != 1 || str_is(db_cell(&rows, 0, 0), "1")) {
		rec->refused = ERR_MATERIAL_LOCKED;
		rec->why = accepted(rec->r, rec->kind_name);
		return DB_ERR;
	}
	rec->version = strtoll(db_cell(&rows, 0, 1), NULL, 10);
	return DB_OK;
}

static int record_tx(struct db *db, void *p)
{
	struct record *rec = p;
	unsigned long long id = 0;
	int rc = page_open_tx(db, rec);

	if (rc != DB_OK)
		return rc;
	rec->version++;
	rc = db_exec(db, sql_replace,
		     DB_ARGS(DB_I64(rec->o->id), DB_STR(rec->material), DB_I64(rec->page)), NULL, NULL);
	if (rc == DB_OK)
		rc = db_exec(db, sql_insert,
			     DB_ARGS(DB_I64(rec->o->id), DB_STR(rec->material), DB_I64(rec->page),
				     DB_I64(rec->version),
				     DB_STR(rec->sha), DB_STR(rec->thumb_sha), DB_I64(rec->img->len),
				     DB_I64(rec->img->width), DB_I64(rec->img->height), DB_STR(rec->src_type),
				     DB_I64(rec->src_bytes), DB_STR(rec->name ? rec->name : ""),
				     DB_I64(rec->r->auth.id), opt_str(rec->checks->qr_state),
				     opt_str(rec->checks->seal_state), opt_int(rec->checks, rec->checks->ink_pm),
				     opt_int(rec->checks, rec->checks->sharpness),
				     opt_int(rec->checks, rec->checks->paper),
				     opt_int(rec->checks, rec->checks->area_pct)), NULL, &id);
	if (rc == DB_OK)
		rc = db_exec(db, sql_event,
			     DB_ARGS(DB_I64(rec->o->id), DB_STR("material_uploaded"), DB_I64(rec->r->auth.id),
				     DB_STR(arena_printf(rec->r->arena, "%s（第 %lld 版）", rec->page_name,
							 rec->version))),
			     NULL, NULL);
	rec->id = (long long)id;
	return rc;
}

static enum err_code image_error(int rc)
{
	switch (rc) {
	case IMAGE_EMPTY: return ERR_EMPTY_FILE;
	case IMAGE_TOO_LARGE: return ERR_TOO_LARGE;
	case IMAGE_UNSUPPORTED: return ERR_UNSUPPORTED_TYPE;
	case IMAGE_MISMATCH: return ERR_TYPE_MISMATCH;
	case IMAGE_TOO_MANY_PIXELS: return ERR_TOO_MANY_PIXELS;
	case IMAGE_TOO_FEW_PIXELS: return ERR_TOO_FEW_PIXELS;
	case IMAGE_CORRUPT: return ERR_CORRUPT_IMAGE;
	default: return ERR_INTERNAL;
	}
}

int upload_put(struct req *r)
{
	const char *no = r->params[0], *material = r->params[1];
	const struct conf *c = &r->app->conf;
	struct order o;
	struct upload_rule rule;
	struct image_rules ir;
	struct image_out img = { 0 };
	struct record rec = { 0 };
	struct upload_checks checks = { 0 };
	const char *latest;
	struct file f;
	char sha[65], thumb_sha[65], rel[STORE_REL_MAX], trel[STORE_REL_MAX];
	size_t limit;
	int rc, page;

	if (page_request(r, &o, &rule, &latest, &page) < 0)
		return -1;
	if (rule.awaits_check)
		return resp_error(r, ERR_NOT_VERIFIED, "enterprise",
				  "法定代表人核验显示“认证成功”后才能上传资料：请扫描法人授权委托书上的二维码，"
				  "由法定代表人本人刷脸完成核验。");
	/* Refuse a locked material before reading a byte of the body. */
	if (!upload_material_open(o.state, o.editable, material))
		return resp_error(r, ERR_MATERIAL_LOCKED, "material", not_sent_back(r, rule.name));
	if (latest && strcmp(latest, "accepted") == 0)
		return resp_error(r, ERR_MATERIAL_LOCKED, "material", accepted(r, rule.name));
	limit = (size_t)rule.max_bytes + MULTIPART_SLACK;
	if (limit > (size_t)c->upload_body_max)
		limit = (size_t)c->upload_body_max;
	if (r->content_length > (long long)limit)
		return refuse(r, ERR_TOO_LARGE, &rule);
	if (take_file(r, limit, &f) < 0)
		return -1;
	ir = (struct image_rules){ .formats = rule.formats, .max_bytes = (size_t)rule.max_bytes,
				   .min_pixels = (unsigned long long)rule.min_pixels,
				   .max_pixels = (unsigned long long)rule.max_pixels,
				   .max_side = (unsigned)rule.max_side,
				   .thumb_side = (unsigned)c->upload_thumb_side,
				   .jpeg_quality = c->upload_jpeg_quality,
				   .deadline_ms = (unsigned)c->upload_decode_timeout_ms,
				   .want_rgb = upload_checks_wanted(&rule) };
	upload_guard_arm(r);
	rc = image_process(f.data, f.len, extension(r, f.name), f.type, &ir, &img);
	upload_guard_disarm();
	if (rc != IMAGE_OK) {
		image_out_free(&img);
		return refuse(r, image_error(rc), &rule);
	}
	/* Blank, blurred, another order's form: refused before anything is stored. */
	if (ir.want_rgb &&
	    upload_check_scan(r, &o, no, &rule, img.rgb, img.width, img.height, &checks) < 0) {
		image_out_free(&img);
		return -1;
	}
	free(img.rgb); /* 3 bytes a pixel, not needed past the checks */
	img.rgb = NULL;
	/* Files first, then the row: a crash in between leaves an unreferenced file, never a row
	 * without its file. */
	if (store_put(c->upload_dir, img.data, img.len, "jpg", sha, rel) < 0 ||
	    store_put(c->upload_dir, img.thumb, img.thumb_len, "jpg", thumb_sha, trel) < 0) {
		int full = errno == ENOSPC || errno == EDQUOT;

		log_rid(LOG_ERROR, r->rid, "store: %s: %s", c->upload_dir, strerror(errno));
		image_out_free(&img);
		/* A full disk is a passing condition of the service, not of the request. */
		return resp_error(r, full ? ERR_UNAVAILABLE : ERR_INTERNAL, NULL,
				  full ? "存储空间暂时不足，文件未保存，请稍后重新上传。" : NULL);
	}
	rec = (struct record){ .r = r, .o = &o, .material = material, .kind_name = rule.name,
			       .page_name = page_name(r, &rule, page), .page = page, .name = f.name, .sha = sha,
			       .thumb_sha = thumb_sha, .src_type = img.detected, .img = &img,
			       .src_bytes = f.len, .checks = &checks };
	rc = db_tx(&r->app->db, record_tx, &rec);
	if (rc != DB_OK) {
		image_out_free(&img);
		if (rec.refused != ERR__COUNT)
			return resp_error(r, rec.refused, rec.refused == ERR_MATERIAL_LOCKED ? "material" : NULL,
					  rec.why);
		return app_db_error(r, rc);
	}
	resp_json(r, 201, json_pack("{s:{s:I, s:s, s:s, s:i, s:i, s:I, s:s, s:i, s:i, s:I, s:s, s:s, s:o}}",
		"material", "id", (json_int_t)rec.id, "kind", material, "name", rule.name,
		"page", page, "pages", rule.pages, "version", (json_int_t)rec.version, "state", "pending", "width", (int)img.width,
		"height", (int)img.height, "bytes", (json_int_t)img.len,
		"image_url", arena_printf(r->arena, "/api/upload/materials/%lld/image", rec.id),
		"thumb_url", arena_printf(r->arena, "/api/upload/materials/%lld/thumb", rec.id),
		"checks", checks_json(&checks)));
	image_out_free(&img);
	return 0;
}

/* A page withdrawn: the pending or rejected scan of it is marked replaced, with no newer
 * version (an ID card copied on one page after both sides were sent as two). Allowed exactly
 * when a new version of the page would be. */
static int remove_tx(struct db *db, void *p)
{
	struct record *rec = p;
	unsigned long long n = 0;
	int rc = page_open_tx(db, rec);

	if (rc != DB_OK)
		return rc;
	rc = db_exec(db, sql_replace,
		     DB_ARGS(DB_I64(rec->o->id), DB_STR(rec->material), DB_I64(rec->page)), &n, NULL);
	if (rc != DB_OK)
		return rc;
	if (n == 0) {
		rec->refused = ERR_NOT_FOUND;
		return DB_ERR;
	}
	return db_exec(db, sql_event,
		       DB_ARGS(DB_I64(rec->o->id), DB_STR("material_removed"), DB_I64(rec->r->auth.id),
			       DB_STR(rec->page_name)), NULL, NULL);
}

int upload_remove(struct req *r)
{
	const char *material = r->params[1], *latest;
	struct order o;
	struct upload_rule rule;
	struct record rec;
	int rc, page;

	if (page_request(r, &o, &rule, &latest, &page) < 0)
		return -1;
	rec = (struct record){ .r = r, .o = &o, .material = material, .kind_name = rule.name,
			       .page_name = page_name(r, &rule, page), .page = page };
	rc = db_tx(&r->app->db, remove_tx, &rec);
	if (rc != DB_OK) {
		if (rec.refused == ERR_NOT_FOUND)
			return resp_error(r, ERR_NOT_FOUND, "page",
					  arena_printf(r->arena, "“%s”尚未上传，或已审核，不能删除。", rec.page_name));
		if (rec.refused != ERR__COUNT)
			return resp_error(r, rec.refused, rec.refused == ERR_MATERIAL_LOCKED ? "material" : NULL,
					  rec.why);
		return app_db_error(r, rc);
	}
	resp_json(r, 200, json_pack("{s:s, s:{s:s, s:i, s:s}}", "order_no", o.no, "removed", "kind",
				    material, "page", page, "name", rec.page_name));
	return 0;
}
