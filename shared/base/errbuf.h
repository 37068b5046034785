/* errbuf: the reason of a failure, written into the caller's bounded buffer. */
#ifndef CERTHALL_ERRBUF_H
#define CERTHALL_ERRBUF_H

#include <stddef.h>

/* Formats into err (errsz bytes; err may be NULL or errsz 0: nothing is written). Returns -1,
 * so that a failing path can end with `return errbuf_set(err, errsz, "...");`. */
int errbuf_set(char *err, size_t errsz, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
