/* fuzz_fields: libFuzzer harness for JSON request bodies: parsed as req_json does, then
 * req_fields with a handler's table of declared fields. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/arena.h"
#include "web/req.h"
#include "base/valid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                          \
	do {                                 \
		if (!(cond))                 \
			__builtin_trap();    \
	} while (0)

static bool check_uscc(const char *v)
{
	return valid_uscc(v);
}

static bool check_mobile(const char *v)
{
	char out[12];

	return valid_mobile(v, out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *uscc = NULL, *mobile = NULL, *name = NULL, *note = NULL;
	const struct req_field fields[] = {
		{ "uscc", true, 18, check_uscc, "统一社会信用代码不正确。", &uscc },
		{ "mobile", false, 11, check_mobile, "手机号不正确。", &mobile },
		{ "name", true, 64, NULL, "名称不正确。", &name },
		{ "note", false, 200, NULL, "备注不正确。", &note },
	};
	struct arena a;
	struct req r;
	json_error_t je;
	json_t *j;
	int rc;

	j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &je);
	if (!j || !json_is_object(j)) {
		json_decref(j);
		return 0;
	}
	if (arena_init(&a, 4096, 1 << 20) != 0) {
		json_decref(j);
		return 0;
	}
	memset(&r, 0, sizeof(r));
	r.arena = &a;
	memcpy(r.rid, "fuzz", 5);
	r.method = "POST";
	r.path = "/api/fuzz";
	rc = req_fields(&r, j, fields, sizeof(fields) / sizeof(fields[0]));
	CHECK(rc == 0 || rc == -1);
	if (rc == 0) {
		CHECK(!r.responded);
		CHECK(uscc && valid_uscc(uscc) && name);
		CHECK(valid_text(name, strlen(name), 64));
		CHECK(!note || valid_text(note, strlen(note), 200));
	} else {
		/* Answered: a 400 in the envelope, naming one of the declared fields. */
		CHECK(r.responded && r.status == 400 && r.body && r.body_len > 0);
		CHECK(strstr(r.body, "\"field\":\"") != NULL);
	}
	arena_free(&a);
	json_decref(j);
	return 0;
}
