/* order: the order vocabulary: business types, certificate kinds, states, events, zh-CN names. */
#ifndef CERTHALL_ORDER_H
#define CERTHALL_ORDER_H

#include <stdbool.h>

/* Each returns the zh-CN name for a known code, or NULL for an unknown one. */
const char *order_business_name(const char *code);
const char *order_kind_name(const char *code);
const char *order_state_name(const char *code);
const char *order_event_name(const char *code);

/* The PII aad of orders.handler_mobile_enc. */
#define ORDER_AAD_HANDLER_MOBILE "orders.handler_mobile"

#endif
