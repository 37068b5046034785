/* vocab: the order vocabulary the pages read (GET /api/track/vocabulary), built from the
 * tables of order.c, payment.c and the payment and waybill modules, never written twice. */
#ifndef CERTHALL_VOCAB_H
#define CERTHALL_VOCAB_H

#include <jansson.h>

/*
 * A new object (the caller owns it), or NULL when out of memory:
 *   states          [{name, zh, final, editable, in_review, refundable, awaits_applicant,
 *                     granted}] in the table's order (order.h: what each flag means)
 *   transitions     [{from, to, event, by}]: every legal move; by: applicant | system |
 *                   payment | reviewer | finance | shipping
 *   businesses      [{code, zh, ships_key, ships_key_mail_in}]: whether the key is mailed,
 *                   for an online order and for a mail-in one (order_ships_key)
 *   kinds           [{code, zh}]     certificate kinds
 *   events          [{kind, zh}]     order_events.kind
 *   payment_states  [{name, zh}]
 *   pay_methods     [{code, zh}]
 *   carriers        [{code, zh}]
 */
json_t *vocab_json(void);

#endif
