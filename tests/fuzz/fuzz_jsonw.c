/* fuzz_jsonw: libFuzzer harness for jsonw against jansson: for any string, jsonw's text is
 * jansson's compact dump byte for byte, or both refuse it. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/jsonw.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                          \
	do {                                 \
		if (!(cond))                 \
			__builtin_trap();    \
	} while (0)

/* The input up to its first NUL is the value; the rest, if any, a key. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *want = NULL;
	const char *key, *got;
	struct arena a;
	struct jsonw w;
	json_t *j;
	size_t len = 0;

	if (!text || arena_init(&a, 256, 1 << 20) < 0) {
		free(text);
		return 0;
	}
	memcpy(text, data, size);
	text[size] = '\0';
	key = strlen(text) < size ? text + strlen(text) + 1 : "k";
	j = json_pack("{s:s, s:[s, n]}", key, text, "list", text);
	if (j && strcmp(key, "list") != 0)
		want = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(j);
	jsonw_init(&w, &a, 16);
	jsonw_open(&w, '{');
	jsonw_kstr(&w, key, text);
	jsonw_key(&w, "list");
	jsonw_open(&w, '[');
	jsonw_str(&w, text);
	jsonw_str(&w, NULL);
	jsonw_close(&w, ']');
	jsonw_close(&w, '}');
	got = jsonw_done(&w, &len);
	if (strcmp(key, "list") != 0) {
		CHECK((want == NULL) == (got == NULL));
		CHECK(!got || (strlen(want) == len && memcmp(want, got, len) == 0));
	}
	free(want);
	arena_free(&a);
	free(text);
	return 0;
}
