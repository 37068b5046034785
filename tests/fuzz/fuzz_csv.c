/* fuzz_csv: libFuzzer harness for the CSV reader of import-certs. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                          \
	do {                                 \
		if (!(cond))                 \
			__builtin_trap();    \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size heap copy, so reading one byte past the input is an ASan report. */
	char *s = malloc(size ? size : 1);
	struct csv *c = malloc(sizeof(*c));
	long prev = 0, records = 0;
	FILE *f;
	int rc;

	if (!s || !c)
		goto out;
	memcpy(s, data, size);
	f = fmemopen(s, size ? size : 1, "rb");
	if (!f)
		goto out;
	if (!size)
		(void)fgetc(f); /* fmemopen of 0 bytes is refused: read the one byte away */
	csv_init(c, f);
	while ((rc = csv_next(c)) == 1) {
		/* Every record consumes input, and starts on a later line than the last. */
		CHECK(++records <= (long)size + 1);
		CHECK(c->line > prev);
		prev = c->line;
		CHECK(c->nfields >= 0 && c->nfields <= CSV_MAX_FIELDS);
		if (c->err != CSV_OK) {
			CHECK(c->err_field >= 0 && c->err_field <= CSV_MAX_FIELDS);
			continue;
		}
		CHECK(c->nfields >= 1);
		for (int i = 0; i < c->nfields; i++) {
			CHECK(c->field[i] >= c->buf && c->field[i] < c->buf + sizeof(c->buf));
			CHECK(strlen(c->field[i]) == c->len[i]);
		}
	}
	CHECK(rc == 0);
	fclose(f);
out:
	free(c);
	free(s);
	return 0;
}
