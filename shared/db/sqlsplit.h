/* sqlsplit: splitting a migration file into single statements. */
#ifndef CERTHALL_SQLSPLIT_H
#define CERTHALL_SQLSPLIT_H

#include <stddef.h>

/* Splits SQL text into statements on ';' outside quotes ('' "" ``, with backslash escapes)
 * and comments (-- , #, C style). Calls fn for each statement that holds code, with its
 * first line number; stops at fn's first non-zero return and returns it. */
int sql_split(const char *text, size_t n,
	      int (*fn)(const char *stmt, size_t len, int line, void *ctx), void *ctx);

#endif
