/* track: GET /api/track/certs/:serial: a certificate's validity by its exact serial. */
#include <string.h>

#include "web/app.h"
#include "web/req.h"
#include "domain/mask.h"
#include "domain/order.h"
#include "track.h"
#include "base/valid.h"

/* The serial column is ascii_bin: 712C1B5A584A1BBE and 712c1b5a584a1bbe are different. */
static const char sql_cert[] =
	"SELECT c.serial, c.kind, c.holder_name, c.subject_name, "
	"DATE_FORMAT(c.not_before, '%Y-%m-%d'), DATE_FORMAT(c.not_after, '%Y-%m-%d'), "
	"CASE WHEN c.state = 'revoked' THEN 'revoked' WHEN c.not_after < CURDATE() THEN 'expired' "
	"ELSE 'valid' END, " DB_ISO("c.revoked_at") ", ch.name "
	"FROM certificates c JOIN channels ch ON ch.id = c.channel_id WHERE c.serial = ?";

static const char *cert_state_name(const char *s)
{
	if (strcmp(s, "revoked") == 0)
		return "已吊销";
	if (strcmp(s, "expired") == 0)
		return "已过期";
	return "有效";
}

int track_cert(struct req *r)
{
	const char *serial = r->params[0];
	char holder[256], subject[256];
	struct db_rows c;
	int rc;

	if (!valid_serial(serial))
		return resp_error(r, ERR_INVALID_FIELD, "serial",
				  "证书序列号为十六进制字符（0-9、A-F，区分大小写），例如 712C1B5A584A1BBE。");
	if (app_limit_lookup(r, "track") < 0)
		return -1;
	rc = db_query(&r->app->db, r->arena, sql_cert, DB_ARGS(DB_STR(serial)), &c);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	if (c.nrows != 1)
		return resp_error(r, ERR_NOT_FOUND, NULL,
				  "未找到该序列号的证书。序列号区分大小写，请核对后重试。");
	mask_person_name(db_cell(&c, 0, 2), holder, sizeof(holder));
	mask_org_name(db_cell(&c, 0, 3), subject, sizeof(subject));
	resp_json(r, 200, json_pack("{s:{s:s, s:s, s:s?, s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:s}}",
		"certificate",
		"serial", db_cell(&c, 0, 0),
		"kind", db_cell(&c, 0, 1),
		"kind_name", order_kind_name(db_cell(&c, 0, 1)),
		"holder", holder,
		"subject", subject,
		"not_before", db_cell(&c, 0, 4),
		"not_after", db_cell(&c, 0, 5),
		"state", db_cell(&c, 0, 6),
		"state_name", cert_state_name(db_cell(&c, 0, 6)),
		"revoked_at", db_cell(&c, 0, 7),
		"channel", db_cell(&c, 0, 8)));
	return 0;
}
