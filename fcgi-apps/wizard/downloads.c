/* wizard: what a done order still has the applicant fetch from the CA with the key in hand:
 * 002's 【更新下载证书】 after an online renewal (renew_download.c), and "2.4 证书下载" after a
 * change of name (change.c). The order's detail offers it as an action, with what the key
 * helper needs to make the request (a change of name: the new names). */
#include <string.h>

#include "base/strlist.h"
#include "domain/order.h"
#include "wizard.h"

static const char sql_target[] =
	"SELECT c.state, c.csr IS NOT NULL AND c.key_sha256 IS NOT NULL, COALESCE(c.token_serial, ''), "
	"c.holder_name, c.subject_name, o.renew_downloaded_at IS NOT NULL, "
	"o.change_downloaded_at IS NOT NULL FROM certificates c JOIN orders o ON o.id = ? WHERE c.id = ?";
enum { T_STATE, T_KEYED, T_TOKEN, T_HOLDER, T_SUBJECT, T_RENEWED, T_CHANGED };

int wizard_downloads(struct req *r, const struct order *o, json_t *out)
{
	json_t *actions = json_object_get(out, "actions");
	struct db_rows t;
	const char *name = "";
	bool renew, change;
	int rc;

	renew = str_is(o->business, "renew") && !order_by_mail(o);
	change = str_is(o->business, "change") && !order_by_mail(o);
	if (o->state != ORDER_DONE || !o->target_cert_id || (!renew && !change))
		return 0;
	if (change && wizard_checked_org_name(r, o, "", &name) < 0)
		return -1;
	if (change && !name[0])
		return 0;
	rc = db_query(&r->app->db, r->arena, sql_target,
		      DB_ARGS(DB_I64(o->id), DB_I64(o->target_cert_id)), &t);
	if (rc != DB_OK)
		return app_db_error(r, rc);
	/* Only a valid certificate the hall made the key of: its request and key are known. */
	if (t.nrows != 1 || !str_is(db_cell(&t, 0, T_STATE), "valid") ||
	    !str_is(db_cell(&t, 0, T_KEYED), "1") ||
	    str_is(db_cell(&t, 0, renew ? T_RENEWED : T_CHANGED), "1"))
		return 0;
	json_array_append_new(actions, json_string(renew ? "renew_download" : "change_download"));
	/* An organisation's own certificate is held in its name; a person's keeps its holder. */
	json_object_set_new(out, "download",
			    json_pack("{s:s, s:s?, s:s?, s:s?}", "kind", renew ? "renew" : "change",
				      "token_serial", *db_cell(&t, 0, T_TOKEN) ? db_cell(&t, 0, T_TOKEN) : NULL,
				      "cn", change ? (str_is(db_cell(&t, 0, T_HOLDER), db_cell(&t, 0, T_SUBJECT))
						      ? name : db_cell(&t, 0, T_HOLDER)) : NULL,
				      "o", change ? name : NULL));
	return 0;
}
