/* fuzz_fields: libFuzzer harness for JSON request bodies: parsed as req_json does, then
 * req_fields with a handler's table of declared fields. */
#include <stdbool.h>
#include <stddef.h>
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

struct fuzz_in {
	const char *uscc, *mobile, *name, *note;
};

static const struct req_field fields[] = {
	{ "uscc", true, 18, check_uscc, "统一社会信用代码不正确。", offsetof(struct fuzz_in, uscc) },
	{ "mobile", false, 11, check_mobile, "手机号不正确。", offsetof(struct fuzz_in, mobile) },
	{ "name", true, 64, NULL, "名称不正确。", offsetof(struct fuzz_in, name) },
	{ "note", false, 200, NULL, "备注不正确。", offsetof(struct fuzz_in, note) },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in;
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
	rc = REQ_FIELDS(&r, j, fields, &in);
	CHECK(rc == 0 || rc == -1);
	if (rc == 0) {
		CHECK(!r.responded);
		CHECK(in.uscc && valid_uscc(in.uscc) && in.name);
		CHECK(valid_text(in.name, strlen(in.name), 64));
		CHECK(!in.mobile || check_mobile(in.mobile));
		CHECK(!in.note || valid_text(in.note, strlen(in.note), 200));
	} else {
		/* Answered: a 400 in the envelope, naming one of the declared fields; nothing of the
		 * input is left for a caller that reads on. */
		CHECK(r.responded && r.status == 400 && r.body && r.body_len > 0);
		CHECK(strstr(r.body, "\"field\":\"") != NULL);
		CHECK(!in.uscc && !in.mobile && !in.name && !in.note);
	}
	arena_free(&a);
	json_decref(j);
	return 0;
}
