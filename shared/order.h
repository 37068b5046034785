/* order: the order vocabulary: business types, certificate kinds, states, events, zh-CN names. */
#ifndef CERTHALL_ORDER_H
#define CERTHALL_ORDER_H

#include <stdbool.h>

/* Each returns the zh-CN name for a known code, or NULL for an unknown one. */
const char *order_business_name(const char *code);
const char *order_kind_name(const char *code);
const char *order_state_name(const char *code);
const char *order_event_name(const char *code);

/* A state no order leaves: done, cancelled, refunded, expired. Its open_key is cleared, so
 * the subject may apply again. */
bool order_state_final(const char *state);

/*
 * Inside the caller's transaction. Moves order id from state `from` (at `version`) to `to`:
 * version + 1, updated_at now, open_key NULL when `to` is final. Returns DB_OK, ORDER_STALE
 * when the order is no longer in (from, version) (someone else moved it: answer 409), or a
 * DB error. version < 0 skips the version check (the state check stays).
 */
#define ORDER_STALE 1
struct db;
int order_move(struct db *db, long long id, const char *from, const char *to, long long version);

/* Appends an event to the order's trail (append-only). actor_type: system | applicant | staff;
 * actor_id 0 for system. from/to may be NULL (an event without a state change). public events
 * appear on the tracking timeline. note: zh-CN for people, at most 500 characters. */
int order_event(struct db *db, long long id, const char *kind, const char *from, const char *to,
		const char *actor_type, long long actor_id, bool public, const char *note);

/* The PII aad of orders.handler_mobile_enc. */
#define ORDER_AAD_HANDLER_MOBILE "orders.handler_mobile"

#endif
