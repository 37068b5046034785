/* upload: GET /api/upload/materials/:id/image|thumb: checked here, sent by nginx. */
#include <stdlib.h>
#include <string.h>

#include "web/app.h"
#include "web/req.h"
#include "web/auth.h"
#include "upload.h"

static const char sql_material[] =
	"SELECT m.sha256, m.thumb_sha256, COALESCE(o.account_id, 0) "
	"FROM materials m JOIN orders o ON o.id = m.order_id WHERE m.id = ?";

int upload_serve(struct req *r)
{
	const char *id = r->params[0], *variant = r->params[1], *sha;
	struct db_rows m;
	char *end;
	long long n;
	int rc;

	n = strtoll(id, &end, 10);
	if (*end || n <= 0 || (strcmp(variant, "image") != 0 && strcmp(variant, "thumb") != 0))
		return resp_error(r, ERR_NOT_FOUND, NULL, NULL);
	rc = db_query(&r->app->db, r->arena, sql_material, DB_ARGS(DB_I64(n)), &m);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	/* The owner or staff; anyone else learns nothing, not even that it exists. */
	if (m.nrows != 1 || (r->auth.kind == AUTH_ACCOUNT &&
			     strtoll(db_cell(&m, 0, 2), NULL, 10) != r->auth.id))
		return resp_error(r, ERR_NOT_FOUND, NULL, NULL);
	sha = db_cell(&m, 0, strcmp(variant, "image") == 0 ? 0 : 1);
	/* Only the normalised JPEG is ever served, with a fixed type: nginx sends the file. */
	resp_header(r, "X-Accel-Redirect",
		    arena_printf(r->arena, "/uploads-internal/%.2s/%.2s/%s.jpg", sha, sha + 2, sha));
	resp_header(r, "Content-Disposition",
		    arena_printf(r->arena, "inline; filename=\"material-%lld-%s.jpg\"", n, variant));
	resp_header(r, "X-Content-Type-Options", "nosniff");
	resp_header(r, "Cache-Control", "private, no-store");
	r->responded = true;
	r->status = 200;
	r->resp_type = "image/jpeg";
	r->body = "";
	r->body_len = 0;
	return 0;
}
