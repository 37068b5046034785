/* upload: the order a request names, who may touch it, and the rule of each material. */
#include <stdlib.h>
#include <string.h>

#include "base/strlist.h"
#include "web/app.h"
#include "web/req.h"
#include "web/auth.h"
#include "media/image.h"
#include "upload.h"

/* The channel's own row stands for the material at that channel, for every business (one it
 * leaves out asks nothing there); else the default (channel 0). The state of the order's
 * uploads of the kind come in the same round trip: "accepted" when a page of it is. */
static const char sql_rule[] =
	"SELECT k.name, r.formats, r.max_bytes, r.min_pixels, r.max_pixels, r.max_side, "
	"r.ink_min, r.sharp_min, r.paper_min, r.area_min, r.seal, r.qr_form, "
	"(SELECT m.state FROM materials m WHERE m.order_id = ? AND m.material = r.material "
	"ORDER BY m.state = 'accepted' DESC, m.id DESC LIMIT 1), "
	"(SELECT c.uploads_after_verify AND NOT EXISTS (SELECT 1 FROM verifications v "
	"WHERE v.order_id = ? AND v.subject = 'enterprise' AND v.state = 'passed') "
	"FROM channels c WHERE c.id = ?), r.pages, k.page_names "
	"FROM material_rules r JOIN material_kinds k ON k.code = r.material "
	"WHERE r.material = ? AND r.channel_id = (SELECT MAX(x.channel_id) FROM material_rules x "
	"WHERE x.material = r.material AND x.channel_id IN (0, ?)) "
	"AND (r.businesses = '*' OR FIND_IN_SET(?, r.businesses)) "
	"AND (r.cert_kinds = '*' OR FIND_IN_SET(?, r.cert_kinds))";

int upload_find_order(struct req *r, const char *no, bool staff_may, struct order *o)
{
	int rc = order_load(&r->app->db, r->arena, no, o);

	if (rc != DB_OK && rc != ORDER_NONE)
		return app_db_error(r, rc);
	if (rc == ORDER_NONE)
		return resp_error(r, ERR_NOT_FOUND, NULL, NULL);
	/* Another's order looks exactly like no order at all. */
	if (r->auth.kind == AUTH_ACCOUNT && r->auth.id == o->account_id)
		return 0;
	if (staff_may && r->auth.kind == AUTH_STAFF)
		return 0;
	return resp_error(r, ERR_NOT_FOUND, NULL, NULL);
}

static unsigned format_bits(const char *list)
{
	static const struct {
		const char *name;
		unsigned bit;
	} f[] = { { "jpeg", IMAGE_JPEG }, { "png", IMAGE_PNG }, { "gif", IMAGE_GIF }, { "bmp", IMAGE_BMP } };
	unsigned bits = 0;

	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (strstr(list, f[i].name))
			bits |= f[i].bit;
	return bits;
}

int upload_find_rule(struct req *r, const struct order *o, const char *material,
		     struct upload_rule *rule, const char **latest)
{
	struct db_rows rows;
	int rc = db_query(&r->app->db, r->arena, sql_rule,
			  DB_ARGS(DB_I64(o->id), DB_I64(o->id), DB_I64(o->channel_id), DB_STR(material),
				  DB_I64(o->channel_id), DB_STR(o->business), DB_STR(o->kind)), &rows);

	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (rows.nrows != 1)
		return resp_error(r, ERR_MATERIAL_NOT_NEEDED, "material", NULL);
	rule->name = db_cell(&rows, 0, 0);
	rule->formats_text = db_cell(&rows, 0, 1);
	rule->formats = format_bits(rule->formats_text);
	rule->max_bytes = strtoll(db_cell(&rows, 0, 2), NULL, 10);
	rule->min_pixels = strtoll(db_cell(&rows, 0, 3), NULL, 10);
	rule->max_pixels = strtoll(db_cell(&rows, 0, 4), NULL, 10);
	rule->max_side = (int)strtol(db_cell(&rows, 0, 5), NULL, 10);
	rule->ink_min = (int)strtol(db_cell(&rows, 0, 6), NULL, 10);
	rule->sharp_min = (int)strtol(db_cell(&rows, 0, 7), NULL, 10);
	rule->paper_min = (int)strtol(db_cell(&rows, 0, 8), NULL, 10);
	rule->area_min = (int)strtol(db_cell(&rows, 0, 9), NULL, 10);
	rule->seal = strcmp(db_cell(&rows, 0, 10), "1") == 0;
	rule->qr_form = db_cell(&rows, 0, 11); /* NULL when the column is */
	*latest = db_cell(&rows, 0, 12);
	rule->pages = (int)strtol(db_cell(&rows, 0, 14), NULL, 10);
	rule->page_names = db_cell(&rows, 0, 15); /* NULL when the kind names none */
	/* Only an order whose organisation is checked online waits for the check. */
	rule->awaits_check = str_is(db_cell(&rows, 0, 13), "1") && !o->mail_in &&
			     (str_is(o->kind, "org") || str_is(o->kind, "legal_rep")) &&
			     !str_is(o->business, "renew") && !str_is(o->business, "unlock");
	return 0;
}
