/* courier: what a courier says about a waybill, over the signed JSON of shared/ext/provider.h. */
#ifndef CERTHALL_COURIER_H
#define CERTHALL_COURIER_H

#include <jansson.h>
#include <stddef.h>

/*
 * The protocol (the real adapter of a courier aggregator and fcgi-apps/sandbox/courier.c):
 *
 *   GET <[courier] endpoint>/tracks/<carrier>/<number>
 *     X-Certhall-Timestamp, X-Certhall-Signature: provider.h's signature over the empty body
 *     under [courier] secret_file.
 *     carrier: a code of shared/ext/waybill.h (sf, ems, zto, yto, sto, yunda, jd, deppon);
 *     number: the normalised waybill number (upper-case letters and digits only).
 *   200 {"state": "unknown" | "collected" | "in_transit" | "delivering" | "delivered",
 *        "events": [{"at": "2026-11-20T09:30:00+08:00", "text": "快件已揽收"}, ...]}
 *     events oldest first; "at" ISO 8601 with its offset; "text" zh-CN for people.
 *   404 the courier does not know the number (yet): taken as state "unknown", no events.
 *   anything else (401 bad signature, 5xx, a timeout, a body not of this shape): the courier
 *   is unavailable, and the caller shows what it last knew.
 *
 * The answer is a third party's text that reaches our pages: it is checked here (known
 * state, at most COURIER_MAX_EVENTS events, "at" at most 40 and "text" at most 200
 * characters of clean UTF-8, no control characters) before anyone sees it.
 */

#define COURIER_MAX_EVENTS 50
#define COURIER_UNAVAILABLE (-1)

struct conf;

struct courier_track {
	const char *state;   /* one of the five codes (static storage) */
	json_t *events;      /* [{"at","text"}], checked; the caller decrefs */
};

/* Asks the courier of conf ([courier] endpoint, secret, timeout_ms) about a waybill. carrier
 * and number must pass waybill_check (else COURIER_UNAVAILABLE without a call). Returns 0
 * with out filled, or COURIER_UNAVAILABLE with the reason in err. */
int courier_track(const struct conf *conf, const char *carrier, const char *number,
		  struct courier_track *out, char *err, size_t errsz);

/* Checks a courier's 200 answer and copies it into out (pure; courier_track uses it).
 * Returns 0, or COURIER_UNAVAILABLE with the reason in err. Events beyond the limit: the
 * newest COURIER_MAX_EVENTS are kept. */
int courier_parse(json_t *answer, struct courier_track *out, char *err, size_t errsz);

/* The zh-CN name of a state code (未知, 已揽收, 运输中, 派送中, 已签收), or NULL. */
const char *courier_state_name(const char *state);

/* The static code for a state string, or NULL when it is none of the five. */
const char *courier_state_code(const char *state);

#endif
