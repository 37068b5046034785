/* multipart: bounded multipart/form-data parsing (RFC 7578, boundaries of RFC 2046). */
#ifndef CERTHALL_MULTIPART_H
#define CERTHALL_MULTIPART_H

#include <stddef.h>

#include "base/arena.h"

enum {
	MP_OK = 0,
	MP_BAD = -1,      /* malformed body: see mp_parse */
	MP_TOO_MANY = -2, /* more parts than max_parts */
	MP_NOMEM = -3,
	MP_BAD_TYPE = -4, /* not multipart/form-data, or no valid boundary */
};

#define MP_BOUNDARY_MAX 70    /* RFC 2046: 1 to 70 characters */
#define MP_MAX_HEADERS 8      /* header lines per part */
#define MP_MAX_HEADER_BYTES 1024 /* per part, each line with its CRLF, blank line excluded */

/* One part. name, filename and content_type are NUL-terminated arena copies; filename is NULL
 * when the part has none ("" for a file input left empty), content_type NULL when absent.
 * data points into the body given to mp_parse (not copied, not NUL-terminated): len bytes. */
struct mp_part {
	const char *name;
	const char *filename;
	const char *content_type;
	const char *data;
	size_t len;
};

/* Copies the boundary parameter of a Content-Type value such as
 * "multipart/form-data; boundary=----WebKitFormBoundaryX" into out, unquoted and
 * NUL-terminated. The type is matched case-insensitively; the boundary must be 1 to 70
 * characters of the RFC 2046 set and must fit in outsz (MP_BOUNDARY_MAX + 1 always does).
 * Returns MP_OK or MP_BAD_TYPE; out is set to "" on error. */
int mp_boundary(const char *content_type, char *out, size_t outsz);

/*
 * Splits a multipart/form-data body of n bytes into at most max_parts parts. The preamble
 * before the first delimiter and the epilogue after the close delimiter are ignored; a
 * delimiter must be followed by "--" (close) or by optional blanks and CRLF. Each part has at
 * most MP_MAX_HEADERS headers in MP_MAX_HEADER_BYTES, no folded lines, exactly one
 * Content-Disposition of type form-data with a non-empty name, and at most one Content-Type.
 * A filename keeps only what follows its last '/' or '\'; filename*=UTF-8''... (RFC 5987)
 * wins over filename. Names and filenames must be valid UTF-8 without control characters,
 * and a filename may not be "." or "..".
 *
 * Returns MP_OK with *nparts set, MP_BAD (malformed, truncated, no close delimiter),
 * MP_TOO_MANY, MP_NOMEM, or MP_BAD_TYPE if boundary itself is invalid. On error *nparts
 * is 0 and parts holds nothing usable. Runs in time linear in n and never reads past it.
 */
int mp_parse(struct arena *a, const char *body, size_t n, const char *boundary,
	     struct mp_part *parts, size_t max_parts, size_t *nparts);

#endif
