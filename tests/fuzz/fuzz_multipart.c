/* fuzz_multipart: libFuzzer harness for mp_parse (boundary "XyZ") and mp_boundary. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "web/multipart.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                          \
	do {                                 \
		if (!(cond))                 \
			__builtin_trap();    \
	} while (0)

static const char delim[] = "\r\n--XyZ";
#define DLEN (sizeof(delim) - 1)

/*
 * Tiny blocks give most allocations a malloc of their own, so ASan sees an overrun; the caps
 * go from tight (the MP_NOMEM path) to ample (0: where running out of memory is a bug).
 */
static const struct {
	size_t block, max;
} shapes[] = { { 16, 64 }, { 64, 0 } };

static int has_delim(const char *s, size_t n)
{
	for (size_t i = 0; i + DLEN <= n; i++)
		if (memcmp(s + i, delim, DLEN) == 0)
			return 1;
	return 0;
}

/* Printable: no C0 control or DEL (UTF-8 is checked by the unit tests). */
static int no_controls(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

static void check_part(const struct mp_part *p, const char *buf, size_t n)
{
	size_t off;

	CHECK(p->name && p->name[0] != '\0' && no_controls(p->name));
	if (p->filename)
		CHECK(!strchr(p->filename, '/') && !strchr(p->filename, '\\') &&
		      strcmp(p->filename, "..") != 0 && strcmp(p->filename, ".") != 0 &&
		      no_controls(p->filename));
	if (p->content_type)
		CHECK(strlen(p->content_type) < MP_MAX_HEADER_BYTES);
	/* The data lies inside the body, is followed by a delimiter and holds none. */
	CHECK(p->data >= buf && p->data <= buf + n);
	off = (size_t)(p->data - buf);
	CHECK(p->len <= n - off);
	CHECK(n - off - p->len >= DLEN && memcmp(p->data + p->len, delim, DLEN) == 0);
	CHECK(!has_delim(p->data, p->len));
}

static void run(const char *buf, size_t n, size_t max_parts)
{
	for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		size_t cap = shapes[i].max ? shapes[i].max : 64 * n + 4096;
		/* Exactly max_parts slots, so writing one more is an ASan report. */
		struct mp_part *parts = malloc(max_parts * sizeof(*parts));
		struct arena a;
		size_t np = 12345, prev_end = 0;
		int rc;

		if (!parts)
			return;
		if (arena_init(&a, shapes[i].block, cap) != 0) {
			free(parts);
			return;
		}
		rc = mp_parse(&a, buf, n, "XyZ", parts, max_parts, &np);
		CHECK(rc == MP_OK || rc == MP_BAD || rc == MP_TOO_MANY || rc == MP_NOMEM);
		CHECK(np <= max_parts);
		if (rc != MP_OK)
			CHECK(np == 0);
		if (rc == MP_OK) {
			for (size_t k = 0; k < np; k++) {
				check_part(&parts[k], buf, n);
				/* Parts come in order and do not overlap. */
				CHECK((size_t)(parts[k].data - buf) >= prev_end);
				prev_end = (size_t)(parts[k].data - buf) + parts[k].len + DLEN;
			}
		}
		if (!shapes[i].max)
			CHECK(rc != MP_NOMEM);
		arena_free(&a);
		free(parts);
	}
}

/* The same bytes as a Content-Type value: a boundary found is 1 to 70 plain characters. */
static void run_boundary(const uint8_t *data, size_t size)
{
	char *ct = malloc(size + 1), out[MP_BOUNDARY_MAX + 1];

	if (!ct)
		return;
	memcpy(ct, data, size);
	ct[size] = '\0';
	if (mp_boundary(ct, out, sizeof(out)) == MP_OK) {
		size_t len = strlen(out);

		CHECK(len >= 1 && len <= MP_BOUNDARY_MAX && no_controls(out));
		CHECK(!strchr(out, '"') && !strchr(out, '\\') && !strchr(out, ';'));
	} else {
		CHECK(out[0] == '\0');
	}
	free(ct);
}

/* The first byte picks max_parts (0 to 15); the rest is the body, in an exact-size copy. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n, max_parts;
	char *buf;

	if (size == 0)
		return 0;
	max_parts = data[0] & 15;
	n = size - 1;
	buf = malloc(n ? n : 1);
	if (!buf)
		return 0;
	if (n)
		memcpy(buf, data + 1, n);
	run(buf, n, max_parts);
	free(buf);
	run_boundary(data + 1, n);
	return 0;
}
