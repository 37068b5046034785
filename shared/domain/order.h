/* order: the order vocabulary: business types, certificate kinds, states, events, zh-CN names. */
#ifndef CERTHALL_ORDER_H
#define CERTHALL_ORDER_H

#include <stdbool.h>
#include <stddef.h>

/* The states of an order, in the order of the table in order.c. */
enum order_state {
	ORDER_STATE_NONE = -1, /* NULL or not a state's name */
	ORDER_DRAFT,
	ORDER_VERIFY_FAILED,
	ORDER_PENDING_PAYMENT,
	ORDER_PRE_REVIEW,
	ORDER_AWAITING_PAPER,
	ORDER_AWAITING_KEY,
	ORDER_PAPER_REVIEW,
	ORDER_REVIEWING,
	ORDER_RETURNED,
	ORDER_APPROVED,
	ORDER_MAKING,
	ORDER_SHIPPED,
	ORDER_DONE,
	ORDER_CANCELLED,
	ORDER_REFUNDING,
	ORDER_REFUNDED,
	ORDER_EXPIRED,
	ORDER_STATE__COUNT
};

/* What a state allows (struct order_state_def.flags). */
#define ORDER_FINAL 0x01u            /* no move leaves it; its open_key is cleared */
#define ORDER_EDITABLE 0x02u         /* the applicant may change steps and materials */
#define ORDER_IN_REVIEW 0x04u        /* a reviewer's decision is awaited */
#define ORDER_REFUNDABLE 0x08u       /* paid and not yet approved: the applicant may ask a refund */
#define ORDER_AWAITS_APPLICANT 0x10u /* the applicant has the next move: finish, fix, pay or mail
				      * the paper (the "unfinished orders" of 000, 002) */
#define ORDER_GRANTED 0x20u          /* approved: what is left is making and delivery */

struct order_state_def {
	const char *name; /* as stored in orders.state and served by the API */
	const char *zh;
	unsigned flags;
};

/* ORDER_STATE_NONE for NULL or an unknown name. */
enum order_state order_state_parse(const char *name);
/* NULL for ORDER_STATE_NONE. */
const struct order_state_def *order_state_def(enum order_state s);
/* The state's stored name ("" for ORDER_STATE_NONE): what SQL parameters and JSON carry. */
const char *order_state_str(enum order_state s);
/* Whether state s has flag (false for ORDER_STATE_NONE). */
bool order_is(enum order_state s, unsigned flag);

/* Who makes a move (struct order_transition.by). */
#define ORDER_BY_APPLICANT 0x01u
#define ORDER_BY_SYSTEM 0x02u    /* the wizard's checks, the draft sweep, delivery */
#define ORDER_BY_PAYMENT 0x04u   /* the provider's word */
#define ORDER_BY_REVIEWER 0x08u
#define ORDER_BY_FINANCE 0x10u
#define ORDER_BY_SHIPPING 0x20u

struct order_transition {
	enum order_state from, to;
	const char *event; /* the order_events kind it is recorded with */
	unsigned by;
};

/* Every legal move; order_move refuses any other pair. */
extern const struct order_transition order_transitions[];
extern const size_t order_ntransitions;
/* A row (from, to) whose makers include one of by's bits. */
bool order_transition_legal(enum order_state from, enum order_state to, unsigned by);

/* A code and its zh-CN name. The tables below end with a row of NULLs. */
struct order_name {
	const char *code;
	const char *zh;
};

/* Business types, certificate kinds and order events (order_events.kind), in display order. */
extern const struct order_name order_businesses[];
extern const struct order_name order_kinds[];
extern const struct order_name order_events[];
/* 002 七.损坏补办 "以下情况属于介质质量问题": the three signs of a quality defect of the medium,
 * the checklist of a damaged key's product step (orders of that step: field defect_sign). */
extern const struct order_name order_defect_signs[];

/* Each returns the zh-CN name for a known code, or NULL for an unknown one. */
const char *order_business_name(const char *code);
const char *order_kind_name(const char *code);
const char *order_state_name(const char *code);
/* The state's zh-CN name, "未知状态" for ORDER_STATE_NONE: for messages that always name it. */
const char *order_state_zh(enum order_state s);
/* The state's zh-CN name as the applicant's hall says it for this order: a failed check of the
 * 0.01 transfer (verify_method "transfer") is 001's 金融认证失败, any other 身份核验未通过. */
const char *order_state_zh_as(enum order_state s, const char *verify_method);
const char *order_event_name(const char *code);

/*
 * The state machine (wizard: fcgi-apps/wizard, review: fcgi-apps/review). Every move is
 * order_move() + order_event() in one transaction.
 *
 *   draft            applicant edits steps; verification failure -> verify_failed;
 *                    cancel -> cancelled; untouched [wizard] draft_ttl_hours -> expired
 *   verify_failed    enterprise/handler check failed: edit and retry (-> draft on a pass),
 *                    or switch to mail-in (-> draft, orders.mail_in = 1); cancel
 *   sign (SMS code, all steps done, materials complete) moves draft to:
 *     two_stage channel (004), online:          pre_review
 *     amount > 0 (pay_first, or mail-in):        pending_payment
 *     amount = 0, mail-in:                       awaiting_paper
 *     amount = 0, otherwise:                     reviewing
 *     a damaged key at a hall with a media warranty (its fees row warranty_free, 002), before
 *     any of these:                              awaiting_key
 *   pre_review       reviewer: pass -> pending_payment (amount > 0) / awaiting_paper;
 *                    return -> returned
 *   pending_payment  paid (provider notification, or finance confirms transfer/counter):
 *                      two_stage or mail-in -> awaiting_paper; online renewal -> approved;
 *                      otherwise -> reviewing;  cancel (nothing paid) -> cancelled
 *   awaiting_paper   applicant enters the paper's waybill (event paper_sent, same state);
 *                    staff record arrival -> paper_review
 *   awaiting_key     002 "用户损坏补办时需携带原有数字证书介质USBkey进行检测鉴定": the applicant
 *                    sends the old key in and enters its waybill (event key_sent, same state);
 *                    a reviewer records the inspection (key_inspected): a quality defect
 *                    within the warranty is free -> reviewing (awaiting_paper by mail);
 *                    otherwise the media fee is due -> pending_payment; the applicant may
 *                    cancel (nothing is paid yet)
 *   reviewing, paper_review
 *                    reviewer: approve -> approved; return -> returned (return_state = here)
 *   returned         applicant edits what was rejected (orders.editable), signs again:
 *                    -> return_state
 *   approved         key shipped (new, add, lost, damaged, mail-in change): shipping marks
 *                    made -> making, then shipped (waybill) -> shipped -> done on delivery;
 *                    nothing shipped (renew, unlock, change online, revoke): -> done
 *   a paid order not yet approved: applicant asks a refund -> refunding; finance -> refunded
 */

/* The business mails a key to the applicant (new, add, lost, damaged; a change sent in by
 * mail): the product step asks where to, and shipping makes and sends it. Renewal and unlock
 * happen on the key the holder has; revocation ends with it returned. */
bool order_ships_key(const char *code, bool mail_in);

/* The business sells validity, so the applicant picks the years (new, add, renew). The others
 * keep the certificate's validity (002 遗失补办: 有效期不变) or have none to give. */
bool order_sells_years(const char *code);



/*
 * Inside the caller's transaction. Moves order id from state `from` (at `version`) to `to`:
 * version + 1, updated_at now, open_key NULL when `to` is final. A pair that is not in
 * order_transitions with one of by's makers (ORDER_BY_*) is refused: DB_ERR, logged, nothing
 * written. Returns DB_OK, ORDER_STALE when the order is no longer in (from, version) (someone
 * else moved it: answer 409), or a DB error. version < 0 skips the version check (the state
 * check stays).
 */
#define ORDER_STALE 1
struct db;
int order_move(struct db *db, long long id, enum order_state from, enum order_state to,
	       long long version, unsigned by);

/* Appends an event to the order's trail (append-only). actor_type: system | applicant | staff;
 * actor_id 0 for system. from/to may be ORDER_STATE_NONE (an event without a state change).
 * public events appear on the tracking timeline. note: zh-CN for people, at most 500
 * characters. */

int order_event(struct db *db, long long id, const char *kind, enum order_state from,
		enum order_state to, const char *actor_type, long long actor_id, bool public,
		const char *note);
/* An event without a state change: order_event with ORDER_STATE_NONE, ORDER_STATE_NONE. */
int order_note(struct db *db, long long id, const char *kind, const char *actor_type,
	       long long actor_id, bool public, const char *note);


/*
 * One order as every program sees it (order_load). Text is in the caller's arena; "" where the
 * column is NULL unless said otherwise.
 */
struct order {
	long long id, account_id, channel_id, target_cert_id, version;
	long long amount_fen;        /* -1: no fee known */
	int years;
	int days_min, days_max;      /* the channel's promise, working days */
	bool days_public;            /* applicants are told it (its guide prints it; 004 does not) */
	bool mail_in;                /* switched to the mail-in fallback: paper only (002) */
	bool paper_mail;             /* the hall reviews the mailed paper originals (003) */
	bool refund_due;             /* money to give back that the state does not show */
	enum order_state state;
	enum order_state return_state; /* where a returned order goes back to; NONE unset */
	const char *no, *business, *kind, *subject_name, *subject_idx;
	const char *channel_code, *flow;         /* flow: pay_first | two_stage */
	const char *verify_method, *handler_method, *pay_method, *pin_delivery;
	const char *editable;                    /* returned: the comma list sent back */
	const char *renew_mode;                  /* online | review | "" (not a renewal) */
	const char *renew_not_before, *renew_not_after; /* YYYY-MM-DD */
	const char *created_at, *updated_at, *submitted_at; /* ISO 8601 +08:00 */
	const unsigned char *mobile_enc;         /* handler_mobile_enc, NULL when none */
	size_t mobile_enc_len;
};

/* Loads the order numbered no (a malformed number is not looked up). Returns DB_OK,
 * ORDER_NONE when there is no such order, or a DB error. Whether the caller may see it is the
 * caller's to check. */
#define ORDER_NONE 2
struct arena;
int order_load(struct db *db, struct arena *a, const char *no, struct order *o);

/* The order waits for paper mailed to the hall before its review: mail-in, or a business the
 * hall reviews on paper (channels.paper_businesses). */
bool order_by_mail(const struct order *o);

/* The PII aad of orders.handler_mobile_enc. */
#define ORDER_AAD_HANDLER_MOBILE "orders.handler_mobile"

/* Opens orders.handler_mobile_enc (enc, len bytes; NULL when the order has none) into out,
 * NUL-terminated. Returns 0, or -1 when there is none or it does not open (out is then ""). */
#define ORDER_MOBILE_MAX 32
struct crypto_key;
int order_mobile_open(const struct crypto_key *k, const void *enc, size_t len,
		      char out[ORDER_MOBILE_MAX]);

#endif
