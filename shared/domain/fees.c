/* fees: a hall's fees row, loaded for rules_quote. */
#include "domain/fees.h"

#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/log.h"
#include "db/db.h"

static const char sql_find[] =
	"SELECT f.basis, f.max_years, f.once_code, f.once_label, COALESCE(f.once_fen, -1), "
	"f.year_code, f.year_label, COALESCE(f.year_fen, -1), f.year_from, f.warranty_free, "
	"f.seal_fen FROM fees f JOIN channels c ON c.id = f.channel_id "
	"WHERE c.code = ? AND f.business = ? AND f.kind = ? "
	"AND FIND_IN_SET(f.business, c.businesses) AND FIND_IN_SET(f.kind, c.kinds)";

enum { F_BASIS, F_MAX, F_OCODE, F_OLABEL, F_OFEN, F_YCODE, F_YLABEL, F_YFEN, F_YFROM, F_WARRANTY,
       F_SEAL };

static long long num(const struct db_rows *rows, size_t col)
{
	const char *v = db_cell(rows, 0, col);

	return v ? strtoll(v, NULL, 10) : -1;
}

int fees_find(struct db *db, struct arena *a, const char *channel, const char *business,
	      const char *kind, struct rules_fee *out)
{
	struct db_rows rows;
	int rc;

	memset(out, 0, sizeof(*out));
	out->basis = RULES_BASIS_NONE;
	if (!channel || !business || !kind)
		return FEES_NONE;
	rc = db_query(db, a, sql_find, DB_ARGS(DB_STR(channel), DB_STR(business), DB_STR(kind)),
		      &rows);
	if (rc != DB_OK)
		return rc;
	if (rows.nrows != 1)
		return FEES_NONE;
	out->basis = rules_basis_parse(db_cell(&rows, 0, F_BASIS));
	out->max_years = (int)num(&rows, F_MAX);
	out->once_code = db_cell(&rows, 0, F_OCODE);
	out->once_label = db_cell(&rows, 0, F_OLABEL);
	out->once_fen = num(&rows, F_OFEN);
	out->year_code = db_cell(&rows, 0, F_YCODE);
	out->year_label = db_cell(&rows, 0, F_YLABEL);
	out->year_fen = num(&rows, F_YFEN);
	out->year_from = (int)num(&rows, F_YFROM);
	out->warranty_free = num(&rows, F_WARRANTY) == 1;
	out->seal_fen = num(&rows, F_SEAL);
	return DB_OK;
}

int fees_quote(struct db *db, struct arena *a, const char *channel, const char *business,
	       const char *kind, int years, bool has_seal, bool damaged_in_warranty_defect,
	       struct rules_quote *out, int *verdict)
{
	struct rules_fee f;
	int rc = fees_find(db, a, channel, business, kind, &f);

	memset(out, 0, sizeof(*out));
	*verdict = RULES_EINVAL;
	if (rc != DB_OK)
		return rc;
	*verdict = rules_quote(&f, years, has_seal, damaged_in_warranty_defect, out);
	if (*verdict == RULES_EINVAL && years >= 1 && years <= 5) {
		log_error("fees: the row %s/%s/%s is not a price", channel, business, kind);
		return DB_ERR;
	}
	return DB_OK;
}

int fees_key_inspected(struct db *db, struct arena *a, const char *channel, const char *business,
		       const char *kind, bool *out)
{
	struct rules_fee f;
	struct db_rows rows;
	int rc;

	*out = false;
	if (!business || strcmp(business, "damaged") != 0)
		return DB_OK;
	rc = fees_find(db, a, channel, business, kind, &f);
	if (rc == FEES_NONE)
		return DB_OK;
	if (rc != DB_OK || !f.warranty_free)
		return rc;
	/* A hall with nowhere to send the key to (000 gives no address) cannot ask for it: the
	 * order would wait for a parcel nobody can post. */
	rc = db_query(db, a, "SELECT paper_address <> '' FROM channels WHERE code = ?",
		      DB_ARGS(DB_STR(channel)), &rows);
	if (rc == DB_OK)
		*out = rows.nrows == 1 && strcmp(db_cell(&rows, 0, 0), "1") == 0;
	return rc;
}

json_t *fees_quote_json(const struct rules_quote *q)
{
	json_t *items = json_array();

	for (int i = 0; items && i < q->n; i++)
		json_array_append_new(items, json_pack("{s:s, s:s, s:I, s:i, s:I}", "code", q->item[i].code,
						       "label", q->item[i].label,
						       "unit_fen", (json_int_t)q->item[i].unit_fen,
						       "qty", q->item[i].qty, "fen", (json_int_t)q->item[i].fen));
	return json_pack("{s:o, s:I, s:b}", "items", items, "total_fen", (json_int_t)q->total_fen,
			 "complete", q->complete);
}
