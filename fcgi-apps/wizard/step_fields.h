/* step_fields: what the data steps' two files share: the index of each field in its step
 * (the order the page shows them), which is also its place in the values the rules get;
 * step_fields.c holds the fields and their checks, step_rules.c the rules between them. */
#ifndef CERTHALL_WIZARD_STEP_FIELDS_H
#define CERTHALL_WIZARD_STEP_FIELDS_H

#include "wizard.h"

enum { A_SERVICE, A_PRIVACY, A__N };
enum { E_ORG, E_PROVINCE, E_CITY, E_DISTRICT, E_ADDRESS, E_METHOD, E_LR_NAME, E_LR_ID, E_LR_MOBILE,
       E_LR_CARD, E__N };
enum { H_NAME, H_ID, H_MOBILE, H_EMAIL, H_POSITION, H_METHOD, H_CARD, H__N };
enum { P_NAME, P_ID, P_MOBILE, P_EMAIL, P__N };
enum { F_NAME, F_BANK, F_NO, F__N };
enum { C_ITEMS, C_NAME, C_ADDRESS, C__N };
enum { R_YEARS, R_SEAL, R_DEFECT, R_DEFECT_SIGN, R_INVOICE, R_INVOICE_TITLE, R_TAXPAYER, R_INVOICE_EMAIL,
       R_RECIPIENT, R_MOBILE, R_PROVINCE, R_CITY, R_COUNTY, R_ADDRESS, R_POSTCODE, R__N };

/* The most fields a step has. */
#define STEP_FIELDS_MAX R__N

/* What a change order changes ("items": a comma list, each item once), as bits; 0 when the
 * list is not one. */
#define ITEM_NAME (1u << 0)
#define ITEM_ADDRESS (1u << 1)
#define ITEM_SEAL (1u << 2)
#define ITEM_HANDLER (1u << 3)
unsigned wizard_change_items(const char *s);

/* The name of field i of step s ("service"). */
const char *wizard_step_field(enum wizard_step s, int i);

/* Fields from..to of step s that v lacks, all at once: 400 missing_field naming the first,
 * with "errors" listing each ("请填写<label>。"). Returns 0 when none is missing, else -1. */
int wizard_step_missing(struct req *r, enum wizard_step s, const char **v, int from, int to);

/* step_rules.c: whether field i of step s is required by what the step's other values chose
 * (v: checked values, NULL when absent or wrong; in->lr_named set): the method's own fields,
 * the changed items' new values. The table's required flag is the unconditional part. */
bool wizard_step_needs(const struct order *o, enum wizard_step s, int i, const char **v,
		       const struct wizard_step_input *in);

/* step_rules.c: the rules of step s between its fields and with the order. v: the checked
 * values by field index (NULL when absent), which a rule may clear or fill in; what the
 * step sets on the order goes into in. Returns 0, or -1 answered. */
int wizard_step_rules(struct req *r, const struct order *o, enum wizard_step s,
		      const char **v, struct wizard_step_input *in);

#endif
