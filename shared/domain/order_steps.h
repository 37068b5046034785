/* order_steps: the saved data of an order's wizard steps, a JSON object sealed under the PII key
 * (AES-256-GCM) and bound to its order and step by the aad "order_steps:<order id>:<step>".
 * The wizard seals, the wizard and the review open; the format lives only here. */
#ifndef CERTHALL_ORDER_STEPS_H
#define CERTHALL_ORDER_STEPS_H

#include <jansson.h>
#include <stddef.h>

#include "base/arena.h"
#include "crypto/crypto.h"

#define ORDER_STEP_MAX 16384 /* a step's JSON text, bytes */

/* Seals data (compact, keys sorted) for order_id's step into the arena. Returns 0, or -1 when
 * it is longer than ORDER_STEP_MAX or the seal fails. */
int order_steps_seal(const struct crypto_key *k, struct arena *a, long long order_id,
		     const char *step, json_t *data, unsigned char **out, size_t *outlen);

/* Opens what order_steps_seal made for the same order and step: a JSON object released with
 * the arena, or NULL when it is too long, does not open (another order's, tampered with) or
 * is not an object. */
json_t *order_steps_open(const struct crypto_key *k, struct arena *a, long long order_id,
			 const char *step, const void *sealed, size_t len);

/* A text member of opened step data, "" when it is absent or not a string. */
const char *order_step_str(json_t *obj, const char *name);


#endif
