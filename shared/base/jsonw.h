/* jsonw: a JSON text written straight into the request's arena, for the hot answers. */
#ifndef CERTHALL_JSONW_H
#define CERTHALL_JSONW_H

#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"

/*
 * The public look-up answers thousands of times a second; building a jansson tree and dumping
 * it took half of its worker's instructions (issue 15). This writes the same compact text
 * directly. Strings are checked as UTF-8 and escaped as RFC 8259 asks (", \ and the control
 * characters); a string that is not UTF-8 fails the whole text, as jansson's json_pack does,
 * so no malformed JSON ever leaves. Commas are placed by the writer; nesting is the caller's.
 * A failure (memory, bad UTF-8) sticks: jsonw_done() then returns NULL.
 */
struct jsonw {
	struct arena *a;
	char *buf;
	size_t len, cap;
	bool comma;  /* a value was written at this level: the next one needs a comma */
	bool failed;
};

/* Starts an empty text in a; cap is a first guess of its size. */
void jsonw_init(struct jsonw *w, struct arena *a, size_t cap);

/* '{' or '[' to open, '}' or ']' to close. */
void jsonw_open(struct jsonw *w, char c);
void jsonw_close(struct jsonw *w, char c);

/* An object's key (a literal of the program's: checked like any string). */
void jsonw_key(struct jsonw *w, const char *k);

/* A string value, or null for NULL. */
void jsonw_str(struct jsonw *w, const char *s);

/* key and string (null for NULL, as jansson's "s:s?"). */
void jsonw_kstr(struct jsonw *w, const char *k, const char *s);

/* A value that is already JSON text of len bytes (jansson's dump of a subtree). */
void jsonw_raw(struct jsonw *w, const char *json, size_t len);

/* The text (NUL-terminated, in the arena) and its length, or NULL if anything failed. */
const char *jsonw_done(struct jsonw *w, size_t *len);

#endif
