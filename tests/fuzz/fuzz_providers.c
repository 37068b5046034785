/* fuzz_providers: libFuzzer harness for the third parties' answers: pay_notice_parse,
 * verify_parse, courier_parse and the SMS/mail providers' parsers. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ext/courier.h"
#include "ext/notify.h"
#include "ext/pay.h"
#include "ext/verify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                          \
	do {                                 \
		if (!(cond))                 \
			__builtin_trap();    \
	} while (0)

static const long statuses[] = { 200, 201, 400, 404, 429, 500, 503, 0 };

static void json_parsers(const char *body, size_t len, unsigned char pick)
{
	json_error_t je;
	json_t *j = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
	struct pay_notice pn;
	struct verify_result vr;
	struct courier_track ct;
	const char *field = NULL;
	char err[256];
	int rc;

	if (!j)
		return;
	rc = pay_notice_parse(j, &pn, &field);
	CHECK(rc == 0 || rc == -1);
	if (rc == 0) {
		CHECK(pn.pay_no && pn.event_id);
		CHECK(pn.amount_fen >= 0);
	} else {
		CHECK(field != NULL || !json_is_object(j)); /* a member is named, unless none */
	}
	memset(&vr, 0, sizeof(vr));
	err[0] = '\0';
	rc = verify_parse(statuses[pick % 8], j, pick & 8, &vr, err, sizeof(err));
	CHECK(rc == VERIFY_OK || rc == VERIFY_UNAVAILABLE);
	CHECK(memchr(err, '\0', sizeof(err)) != NULL);
	CHECK(memchr(vr.message, '\0', sizeof(vr.message)) != NULL);
	CHECK(memchr(vr.link, '\0', sizeof(vr.link)) != NULL);
	memset(&ct, 0, sizeof(ct));
	rc = courier_parse(j, &ct, err, sizeof(err));
	CHECK(rc == 0 || rc == COURIER_UNAVAILABLE);
	if (rc == 0) {
		CHECK(courier_state_name(ct.state) != NULL);
		CHECK(json_is_array(ct.events));
	}
	json_decref(ct.events);
	json_decref(j);
}

/* Whatever was answered, the outcome's strings end within their buffers. */
static void check_outcome(const struct notify_outcome *o)
{
	CHECK(memchr(o->provider_id, '\0', sizeof(o->provider_id)) != NULL);
	CHECK(memchr(o->error, '\0', sizeof(o->error)) != NULL);
}

static void text_parsers(const char *body, size_t len, unsigned char pick)
{
	long status = statuses[pick % 8];
	struct notify_outcome o;

	memset(&o, 0, sizeof(o));
	notify_alibaba_parse_send(status, body, len, &o);
	check_outcome(&o);
	memset(&o, 0, sizeof(o));
	notify_alibaba_parse_query(status, body, len, "idem-1", &o);
	check_outcome(&o);
	memset(&o, 0, sizeof(o));
	notify_tencent_parse_send(status, body, len, &o);
	check_outcome(&o);
	memset(&o, 0, sizeof(o));
	notify_tencent_parse_query(status, body, len, "idem-1", &o);
	check_outcome(&o);
	memset(&o, 0, sizeof(o));
	notify_webhook_parse_send(status, body, len, &o);
	check_outcome(&o);
	memset(&o, 0, sizeof(o));
	notify_webhook_parse_query(status, body, len, &o);
	check_outcome(&o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *body;

	if (size < 1)
		return 0;
	/* An exact-size copy without a NUL: the parsers get a length, not a string. */
	body = malloc(size - 1 ? size - 1 : 1);
	if (!body)
		return 0;
	memcpy(body, data + 1, size - 1);
	json_parsers(body, size - 1, data[0]);
	text_parsers(body, size - 1, data[0]);
	free(body);
	return 0;
}
