/* wizard: the applicant wizard: catalog, orders and their steps, verification, signing,
 * payment, "my orders" and "my certificates". */
#ifndef CERTHALL_WIZARD_H
#define CERTHALL_WIZARD_H

#include <jansson.h>
#include <stdbool.h>

#include "domain/order.h"
#include "domain/order_steps.h"
#include "web/app.h"
#include "web/req.h"

/* The steps of the wizard, in order. Which of them an order has depends on its business and
 * certificate kind (wizard_plan). Data steps are saved with PUT .../steps/<step>. */
enum wizard_step {
	STEP_AGREEMENTS,  /* {"service": version, "privacy": version} */
	STEP_ENTERPRISE,  /* org_name, province, city, district, address, method (transfer | lr_mobile |
			   * lr_card | lr_face), lr_name, lr_id_number, lr_mobile, lr_bank_card */
	STEP_HANDLER,     /* name, id_number, mobile, email, position, method (mobile | card | face),
			   * bank_card */
	STEP_APPLICANT,   /* name, id_number, mobile, email: the holder of a legal_rep / person cert */
	STEP_FINANCIAL,   /* account_name (= org_name), bank, account_no: transfer verification */
	STEP_CHANGE,      /* items (name,address,seal,handler), new_org_name, new_address */
	STEP_PRODUCT,     /* years, seal, e_invoice, taxpayer_no, mail_recipient, mail_mobile,
			   * mail_province, mail_city, mail_county, mail_address, mail_postcode */
	STEP_FORM,        /* the printable form: nothing to save */
	STEP_MATERIALS,   /* the upload program */
	STEP_SIGN,        /* SMS code to the handler */
	STEP_PAY,
	STEP__COUNT
};

/* Every data step name, and back. */
const char *wizard_step_name(enum wizard_step s);
int wizard_step_from_name(const char *name); /* -1 unknown */

/* Whether order o goes through step s (plan.c). */
bool wizard_plan_has(const struct order *o, enum wizard_step s);

/* The business needs a target certificate (all but new and add). */
bool wizard_business_targets_cert(const char *business);

/* The key is mailed (new, add, lost, damaged; mail-in change): the product step asks for a
 * mailing address. */
bool wizard_ships_key(const struct order *o);

/* What the applicant must read before going on (the irreversible revocation of the old
 * certificate on a replacement, 002, 004): an array of zh-CN sentences, maybe empty. */
json_t *wizard_warnings(const char *business);

/* ---- find.c */

/* Finds the order by number for the logged-in applicant who owns it; anyone else, and an
 * unknown or malformed number, get the same 404. Its routes are ROLE_APPLICANT ones (the
 * dispatcher has checked the session).
 * Returns 0 or -1 (answered). */
int wizard_find_order(struct req *r, const char *no, struct order *o);

/* 001: a submitted (paid) order whose financial check failed after approval: its basic
 * account is entered again through POST .../fin-check, nothing else is edited or redone. */
bool wizard_fin_failed(const struct order *o);

/* The states in which the applicant may still edit steps (draft, verify_failed; returned
 * for the parts in o->editable). */
bool wizard_step_editable(const struct order *o, enum wizard_step s);

/* ---- stepdata.c: the saved data of a step, sealed under the PII key. */

/* *out: the step's JSON object, or NULL when never saved. Released with the arena.
 * Returns 0, or -1 answered (database or a seal that does not open: 500). */
int wizard_step_load(struct req *r, long long order_id, enum wizard_step s, json_t **out);

/* A step the order has not saved, as the account's latest other order saved it (the
 * enterprise and handler steps); for a first order's handler, the account's own mobile (and a
 * person's name): *from_no "account"; for a replacement's applicant step, the holder as the
 * certificate's own order (of this account) saved it, else the holder's name: *from_no that
 * order's number or "certificate". *out NULL when there is nothing. 0, or -1 answered. */
int wizard_step_prefill(struct req *r, const struct order *o, enum wizard_step s, json_t **out,
			const char **from_no);

/* The organisation's name the enterprise check proves: a change of name (the change step's
 * new_org_name) is checked under the new name, as 002 checks what it is to certify; else
 * entered (the enterprise step's org_name). *out into the arena. 0, or -1 answered. */
int wizard_checked_org_name(struct req *r, const struct order *o, const char *entered,
			    const char **out);

/* Whether the order is an unlock its hall approves by itself: the channel's unlock_auto, and
 * the handler (name and ID number) of the certificate's previous order, done. 0, or -1 with
 * the answer written. */
int wizard_unlock_auto(struct req *r, const struct order *o, bool *yes);

/* Inside the caller's transaction: saves (replaces) the step's data. Returns a DB_* code. */
int wizard_step_save(struct db *db, struct req *r, long long order_id, enum wizard_step s,
		     json_t *data);


/* ---- step_fields.c: each data step's declared fields and checks (the cross-field rules:
 * step_rules.c, through step_fields.h). */

/* A checked step: the data to save (released with the arena) and what it sets on the order. */
struct wizard_step_input {
	json_t *data;
	const char *method;          /* enterprise: verify_method; handler: handler_method */
	const char *handler_mobile;  /* handler: the bare 11 digits */
	const char *subject_name;    /* applicant of a person certificate */
	int years;                   /* product: years, amount (-1: unknown fee), quote */
	long long amount_fen;
	json_t *quote;
	const char *renew_not_before, *renew_not_after; /* product of a renewal */
	const char *service, *privacy;                  /* agreements: versions accepted */
	bool seal_change;                               /* change: the seal is among the items */
	bool lr_named; /* enterprise, given to the rules: the form names the legal representative */
};

/* The steps saved with PUT (agreements .. product). */
bool wizard_step_is_data(enum wizard_step s);

/* Checks body for step s of order o; a PII field sent back as the mask of its saved value
 * keeps the saved value. Returns 0 with *in filled, or -1 answered (400 naming the field). */
int wizard_step_check(struct req *r, const struct order *o, enum wizard_step s,
		      json_t *body, json_t *saved, struct wizard_step_input *in);

/* The years the product step may offer the order: 1 up to its fee row's max_years (002: BJCA
 * sells one year) where the business sells validity, none where it keeps it (a replacement).
 * *out is released with the arena. Returns 0, or -1 answered (database). */
int wizard_years_offered(struct req *r, const struct order *o, json_t **out);

/* A copy of saved step data (NULL: none) with its PII masked; the caller owns it. */
json_t *wizard_step_masked(enum wizard_step s, json_t *data);

/* ---- catalog.c: the zh-CN names of verification methods, NULL for unknown codes (payment
 * methods: pay_method_name, shared/ext/pay.h). */
const char *wizard_verify_method_name(const char *code);
const char *wizard_handler_method_name(const char *code);

/* ---- materials.c */

/* The material kinds the order must still upload: required by its rules (material_rules: the
 * channel's own row wins over channel 0's) and whose latest upload is missing or rejected.
 * *missing: [{"material", "name"}], empty when complete (and for an order without a materials
 * step), released with the arena. Returns 0, or -1 answered (database). */
int wizard_materials_missing(struct req *r, const struct order *o, json_t **missing);

/* ---- verify_subject.c */

/* Whether the identity checks the order needs have passed. *ok false names, in
 * *missing_subject, the first subject lacking ("enterprise" | "handler"). Returns 0, or -1
 * answered (database). */
int wizard_verified(struct req *r, const struct order *o, bool *ok,
		    const char **missing_subject);

/* ---- limit.c */

/* Counts one hit on bucket (shared/domain/ratelimit.h) against limit per window seconds. Returns 1
 * allowed; 0 over: answered 429 rate_limited with Retry-After and "<what>，请 N 分钟后再试。",
 * or, what NULL, unanswered; -1 answered (the database's error). */
int wizard_limit(struct req *r, const char *bucket, int limit, int window, const char *what);

/* Counts one hit on every rule, or on none (ratelimit_take: sliding windows, the hall's day).
 * Returns 1 allowed; 0 over: answered 429 rate_limited with Retry-After and
 * "<whats[i]>，请 N 分钟后再试。", i the rule that waits longest; -1 answered (database). */
struct ratelimit_rule;
int wizard_limits(struct req *r, const struct ratelimit_rule *rules, const char *const *whats,
		  size_t n);

/* ---- sign.c */

/* The zh-CN title of a step ("经办人信息"), for messages that name it. */
const char *wizard_step_title(enum wizard_step s);

/* How the holder will get the PIN (shared/domain/rules.h rules_pin_delivery codes), or NULL when the
 * business makes no new key. Signing records it with the pay method then known (often none);
 * the payment step records it again once the method is chosen: pass it as pay_method. */
const char *wizard_pin_delivery(const struct order *o, const char *pay_method);

/* ---- handlers, by file */
int wizard_catalog(struct req *r);        /* catalog.c */
int wizard_quote(struct req *r);
int wizard_agreement(struct req *r);
int wizard_renew_download(struct req *r); /* renew_download.c */
int wizard_change_download(struct req *r); /* change.c */
int wizard_certs(struct req *r);          /* certs.c */
int wizard_cert_find(struct req *r);

/* ---- reach.c */

/* The certificates an account reaches (alias c): bound to it (its own order made it, or their
 * token is bound to it by key, 002 证书绑定), or issued to the subject it has proven. Its three
 * parameters: the account id, the proven subject index (NULL: none), the account id. */
#define WIZARD_REACH                                                                          \
	"(c.account_id = ? OR c.subject_idx = ? OR c.token_serial IN "                           \
	"(SELECT b.token_serial FROM token_bindings b WHERE b.account_id = ?))"

/* The logged-in account's subject: an organisation's claimed USCC ("" when it has none, as a
 * person account or one set aside), its index, and whether it is proven. */
struct wizard_subject {
	const char *kind, *uscc, *name;
	const char *claimed_idx, *proven_idx; /* NULL: none */
	bool proven, released;
};

/* Reads the account into *s. 0 or -1 (answered). */
int wizard_subject(struct req *r, struct wizard_subject *s);

/* An order whose draft claims a subject another order holds goes no further: 0, or -1 answered
 * 409 subject_held. */
int wizard_hold_free(struct req *r, const struct order *o);

/* Inside the transaction of a passed identity check on order_id (enterprise, or the handler's):
 * an enterprise check proves the account's USCC and sets other claimants aside; the handler's
 * check of a person order whose handler is the holder proves the holder's ID number. A proof
 * takes the order's hold when no other order has it. Returns a DB_* code. */
int wizard_subject_checked(struct db *db, struct req *r, long long order_id, bool enterprise);
/* A done renewal's or change of name's certificate to fetch with the key in hand: appends
 * "renew_download" or "change_download" to out's "actions" and sets "download" {kind,
 * token_serial, cn, o}. 0 or -1 (answered). */
int wizard_downloads(struct req *r, const struct order *o, json_t *out);  /* downloads.c */
int wizard_unlock_link(struct req *r);    /* unlock_link.c */
int wizard_unlock_respond(struct req *r);
int wizard_bindings(struct req *r);       /* bindings.c */
int wizard_bind(struct req *r);
int wizard_unbind(struct req *r);
int wizard_create(struct req *r);         /* create.c */
int wizard_orders(struct req *r);         /* orders.c */
int wizard_order(struct req *r);
int wizard_cancel(struct req *r);
int wizard_step_get(struct req *r);       /* steps.c */
int wizard_step_put(struct req *r);
int wizard_verify_start(struct req *r);   /* verify_start.c */
int wizard_verify_confirm(struct req *r); /* verify_confirm.c */
int wizard_verify_status(struct req *r);  /* verify_status.c */
int wizard_mail_in(struct req *r);        /* verify_mail_in.c */
int wizard_fin_check(struct req *r);      /* fin_check.c */
int wizard_form(struct req *r);           /* form.c */
int wizard_form_check(struct req *r);
int wizard_face(struct req *r);           /* face.c */
int wizard_sign_code(struct req *r);      /* sign.c */
int wizard_sign(struct req *r);
int wizard_resubmit(struct req *r);
int wizard_pay(struct req *r);            /* pay_start.c */
int wizard_pay_status(struct req *r);     /* pay_status.c */
int wizard_pay_notify(struct req *r);     /* pay_notify.c */
int wizard_refund(struct req *r);         /* pay_refund.c */

/* Expires drafts untouched for [wizard] draft_ttl_hours (orders.c); at most once a minute
 * per worker, after the answer. */
void wizard_expire_drafts(struct app *app);

#endif
