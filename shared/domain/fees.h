/* fees: what a hall charges for a business and kind, read from its fees row (rules_quote does
 * the sums). */
#ifndef CERTHALL_FEES_H
#define CERTHALL_FEES_H

#include <jansson.h>
#include <stdbool.h>

#include "domain/rules.h"

struct db;
struct arena;

/* The row of (channel code, business, kind) into *out, its text in the arena. A row counts only
 * while the hall also lists the business and the kind among its offers: what it does not offer
 * has no price. Returns DB_OK, FEES_NONE (not offered: nothing may be applied for), or a DB
 * error. */
#define FEES_NONE 2
int fees_find(struct db *db, struct arena *a, const char *channel, const char *business,
	      const char *kind, struct rules_fee *out);

/* The quote of years of that business: returns as fees_find; with DB_OK, *verdict is
 * rules_quote's answer (RULES_OK, RULES_FEE_UNKNOWN, RULES_YEARS, RULES_EINVAL for years
 * outside 1..5). A row rules_quote cannot read is the hall's broken data: DB_ERR, logged. */
int fees_quote(struct db *db, struct arena *a, const char *channel, const char *business,
	       const char *kind, int years, bool has_seal, bool damaged_in_warranty_defect,
	       struct rules_quote *out, int *verdict);

/* Whether a damaged key of this kind is sent in and inspected before anything else (002
 * "用户损坏补办时需携带原有数字证书介质USBkey进行检测鉴定"): only at a hall that replaces a quality
 * defect within the media warranty free (its fees row's warranty_free), where the inspection
 * decides the fee, and that has an address for parcels (channels.paper_address: 000 gives
 * none, so CECEP cannot ask for the key until its admin sets one); elsewhere it decides nothing
 * and the fee is due at once. false for any other business, or one not offered. Returns DB_OK with *out, or a DB error. */
int fees_key_inspected(struct db *db, struct arena *a, const char *channel, const char *business,
		       const char *kind, bool *out);

/* The quote as orders.quote_json keeps it: {items: [{code, label, unit_fen, qty, fen}],
 * total_fen, complete}. A new reference, or NULL out of memory. */
json_t *fees_quote_json(const struct rules_quote *q);

#endif
