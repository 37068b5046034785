/* courier: the courier adapter: one signed GET per waybill, its answer checked. */
#include "ext/courier.h"

#include <stdio.h>
#include <string.h>

#include "base/conf.h"
#include "ext/http.h"
#include "ext/provider.h"
#include "base/valid.h"
#include "ext/waybill.h"

#define AT_MAX 40
#define TEXT_MAX 200

static const struct {
	const char *code, *zh;
} states[] = {
	{ "unknown", "未知" },
	{ "collected", "已揽收" },
	{ "in_transit", "运输中" },
	{ "delivering", "派送中" },
	{ "delivered", "已签收" },
};

const char *courier_state_code(const char *state)
{
	for (size_t i = 0; state && i < sizeof(states) / sizeof(states[0]); i++)
		if (strcmp(states[i].code, state) == 0)
			return states[i].code;
	return NULL;
}

const char *courier_state_name(const char *state)
{
	for (size_t i = 0; state && i < sizeof(states) / sizeof(states[0]); i++)
		if (strcmp(states[i].code, state) == 0)
			return states[i].zh;
	return NULL;
}

/* A JSON string of clean text (no NUL inside, no control characters) of at most max chars. */
static const char *clean(json_t *v, size_t max)
{
	const char *s = json_string_value(v);

	if (!s || strlen(s) != json_string_length(v) || !valid_text(s, json_string_length(v), max))
		return NULL;
	return s;
}

int courier_parse(json_t *answer, struct courier_track *out, char *err, size_t errsz)
{
	json_t *events = json_object_get(answer, "events"), *list, *e;
	size_t n, first;

	out->state = NULL;
	out->events = NULL;
	if (!json_is_object(answer) ||
	    !(out->state = courier_state_code(json_string_value(json_object_get(answer, "state"))))) {
		snprintf(err, errsz, "courier: answer without a known state");
		return COURIER_UNAVAILABLE;
	}
	if (events && !json_is_null(events) && !json_is_array(events)) {
		snprintf(err, errsz, "courier: events is not an array");
		return COURIER_UNAVAILABLE;
	}
	list = json_array();
	if (!list) {
		snprintf(err, errsz, "courier: out of memory");
		return COURIER_UNAVAILABLE;
	}
	n = json_array_size(events);
	first = n > COURIER_MAX_EVENTS ? n - COURIER_MAX_EVENTS : 0;
	for (size_t i = first; i < n; i++) {
		const char *at, *text;

		e = json_array_get(events, i);
		at = clean(json_object_get(e, "at"), AT_MAX);
		text = clean(json_object_get(e, "text"), TEXT_MAX);
		if (!json_is_object(e) || !at || !text ||
		    json_array_append_new(list, json_pack("{s:s, s:s}", "at", at, "text", text)) < 0) {
			json_decref(list);
			snprintf(err, errsz, "courier: event %zu malformed", i);
			out->state = NULL;
			return COURIER_UNAVAILABLE;
		}
	}
	out->events = list;
	return 0;
}

int courier_track(const struct conf *conf, const char *carrier, const char *number,
		  struct courier_track *out, char *err, size_t errsz)
{
	struct provider p = { "courier", conf->courier_endpoint, conf->courier_secret,
			      conf->courier_timeout_ms };
	char path[64], num[WAYBILL_MAX + 1];
	json_t *answer = NULL;
	long status = 0;
	int rc;

	out->state = NULL;
	out->events = NULL;
	/* Only letters and digits reach the URL. */
	if (!waybill_check(carrier, number, NULL) || !waybill_normalise(number, num)) {
		snprintf(err, errsz, "courier: not a waybill of %s", carrier ? carrier : "?");
		return COURIER_UNAVAILABLE;
	}
	snprintf(path, sizeof(path), "/tracks/%s/%s", carrier, num);
	rc = provider_call(&p, "GET", path, NULL, &status, &answer, err, errsz);
	if (rc != HTTP_OK) {
		json_decref(answer);
		return COURIER_UNAVAILABLE;
	}
	if (status == 404) {
		json_decref(answer);
		out->state = "unknown";
		out->events = json_array();
		return out->events ? 0 : COURIER_UNAVAILABLE;
	}
	if (status != 200) {
		json_decref(answer);
		snprintf(err, errsz, "courier: HTTP %ld", status);
		return COURIER_UNAVAILABLE;
	}
	rc = courier_parse(answer, out, err, errsz);
	json_decref(answer);
	return rc;
}
