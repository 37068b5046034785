/* upload: GET /api/upload/orders/:no/materials: what the order needs and what it has, by page. */
#include <stdlib.h>
#include <string.h>

#include "base/strlist.h"
#include "web/app.h"
#include "web/req.h"
#include "web/auth.h"
#include "upload.h"

/* Each kind the order needs (the channel's rule, else the default). */
static const char sql_list[] =
	"SELECT k.code, k.name, k.hint, r.formats, r.max_bytes, r.min_pixels, r.max_pixels, r.required, "
	"r.qr_form, r.pages, k.page_names FROM material_kinds k "
	"JOIN material_rules r ON r.material = k.code AND r.channel_id = "
	" (SELECT MAX(r2.channel_id) FROM material_rules r2 WHERE r2.material = k.code AND r2.channel_id IN (0, ?)) "
	"WHERE (r.businesses = '*' OR FIND_IN_SET(?, r.businesses)) "
	"AND (r.cert_kinds = '*' OR FIND_IN_SET(?, r.cert_kinds)) ORDER BY k.sort";
/* The latest version of each page of each material: a scan uploaded in an earlier step shows
 * up here, it is not asked for twice. A page withdrawn (its latest replaced) is not shown. */
static const char sql_pages[] =
	"SELECT m.material, m.page, m.id, m.version, m.state, m.reject_reason, m.width, m.height, "
	"m.bytes, m.qr_state, m.seal_state FROM materials m WHERE m.order_id = ? "
	"AND m.state <> 'replaced' AND m.version = (SELECT MAX(m2.version) FROM materials m2 "
	"WHERE m2.order_id = m.order_id AND m2.material = m.material AND m2.page = m.page) "
	"ORDER BY m.material, m.page";

enum { L_CODE, L_NAME, L_HINT, L_FORMATS, L_MAXB, L_MINP, L_MAXP, L_REQ, L_FORM, L_PAGES, L_PNAMES };
enum { M_KIND, M_PAGE, M_ID, M_VER, M_STATE, M_REASON, M_W, M_H, M_BYTES, M_QR, M_SEAL };

static json_t *page_json(struct req *r, const struct db_rows *rows, size_t i)
{
	const char *id = db_cell(rows, i, M_ID);

	return json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:s?}", "page",
			 (int)strtol(db_cell(rows, i, M_PAGE), NULL, 10), "id", id, "version",
			 db_cell(rows, i, M_VER), "state", db_cell(rows, i, M_STATE), "reject_reason",
			 db_cell(rows, i, M_REASON), "width", db_cell(rows, i, M_W), "height",
			 db_cell(rows, i, M_H), "bytes", db_cell(rows, i, M_BYTES), "image_url",
			 arena_printf(r->arena, "/api/upload/materials/%s/image", id), "thumb_url",
			 arena_printf(r->arena, "/api/upload/materials/%s/thumb", id),
			 /* What the scan checks found: "verified"; "found" or "missing" (else null). */
			 "qr", db_cell(rows, i, M_QR), "seal", db_cell(rows, i, M_SEAL));
}

/* The material's current pages in order into *pages_out; its page 1 (null: none), as before
 * pages, is returned. */
static json_t *pages_of(struct req *r, const struct db_rows *up, const char *kind, json_t **pages_out)
{
	json_t *pages = json_array(), *first = NULL;

	for (size_t i = 0; pages && i < up->nrows; i++) {
		json_t *p;

		if (strcmp(db_cell(up, i, M_KIND), kind) != 0)
			continue;
		p = page_json(r, up, i);
		if (str_is(db_cell(up, i, M_PAGE), "1"))
			first = json_incref(p);
		json_array_append_new(pages, p);
	}
	*pages_out = pages;
	return first ? first : json_null();
}

/* The names of the material's pages, as many as it takes ("正面（人像面）", …): what the wizard
 * titles each page's box by; a page the kind names none of is "第 N 页" there. */
static json_t *page_names(const char *list, long pages)
{
	json_t *names = json_array();
	const char *p = list;

	for (long n = 0; names && p && *p && n < pages; n++) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);

		json_array_append_new(names, json_stringn(p, len));
		p = comma ? comma + 1 : NULL;
	}
	return names ? names : json_null();
}

/* Whether a page of the material is accepted: it takes no new page then. */
static bool any_accepted(const struct db_rows *up, const char *kind)
{
	for (size_t i = 0; i < up->nrows; i++)
		if (strcmp(db_cell(up, i, M_KIND), kind) == 0 && str_is(db_cell(up, i, M_STATE), "accepted"))
			return true;
	return false;
}

int upload_list(struct req *r)
{
	struct order o;
	struct db_rows rows, up;
	json_t *list;
	int rc;

	if (upload_find_order(r, r->params[0], true, &o) < 0)
		return -1;
	rc = db_query(&r->app->db, r->arena, sql_list,
		      DB_ARGS(DB_I64(o.channel_id), DB_STR(o.business), DB_STR(o.kind)), &rows);
	if (rc == DB_OK)
		rc = db_query(&r->app->db, r->arena, sql_pages, DB_ARGS(DB_I64(o.id)), &up);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	list = json_array();
	for (size_t i = 0; list && i < rows.nrows; i++) {
		const char *kind = db_cell(&rows, i, L_CODE);
		json_t *pages, *first = pages_of(r, &up, kind, &pages);
		long most = strtol(db_cell(&rows, i, L_PAGES), NULL, 10);

		json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:b, s:s?, s:b, s:{s:s, s:s, s:s, s:s}, s:o, s:i, s:o, s:o}",
			"kind", db_cell(&rows, i, L_CODE), "name", db_cell(&rows, i, L_NAME),
			"hint", db_cell(&rows, i, L_HINT), "required", strcmp(db_cell(&rows, i, L_REQ), "1") == 0,
			/* The printed form of ours the scan must carry (its QR), or null. */
			"form", db_cell(&rows, i, L_FORM),
			/* This kind takes a new version now: what put.c will accept. */
			"editable", upload_material_open(o.state, o.editable, kind) && !any_accepted(&up, kind),
			"limits", "formats", db_cell(&rows, i, L_FORMATS), "max_bytes", db_cell(&rows, i, L_MAXB),
			"min_pixels", db_cell(&rows, i, L_MINP), "max_pixels", db_cell(&rows, i, L_MAXP),
			/* Page 1's latest version (what one page takes), the most pages the material
			 * takes and what each is, and the latest version of each page uploaded, by page. */
			"latest", first, "pages", (int)most,
			"page_names", page_names(db_cell(&rows, i, L_PNAMES), most), "uploads", pages));
	}
	resp_json(r, 200, json_pack("{s:s, s:s, s:b, s:o}", "order_no", r->params[0],
				    "state", order_state_str(o.state), "editable",
				    order_is(o.state, ORDER_EDITABLE),
				    "materials", list));
	return 0;
}
