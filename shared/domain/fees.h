/* fees: what a hall charges for a business and kind, read from its fees row (rules_quote does
 * the sums). */
#ifndef CERTHALL_FEES_H
#define CERTHALL_FEES_H

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

#endif
