/* strlist: membership in a comma-separated list ("new,renew,lost"), as the catalog stores them,
 * and the one comparison of two codes. */
#ifndef CERTHALL_STRLIST_H
#define CERTHALL_STRLIST_H

#include <stdbool.h>
#include <string.h>

/* Whether a and b are the same text; NULL equals nothing, not even NULL (a cell that is SQL
 * NULL is no code). */
static inline bool str_is(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}


/* Whether name is one whole item of list (NULL or "" is the empty list). */
bool strlist_has(const char *list, const char *name);

#endif
