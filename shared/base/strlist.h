/* strlist: membership in a comma-separated list ("new,renew,lost"), as the catalog stores them. */
#ifndef CERTHALL_STRLIST_H
#define CERTHALL_STRLIST_H

#include <stdbool.h>

/* Whether name is one whole item of list (NULL or "" is the empty list). */
bool strlist_has(const char *list, const char *name);

#endif
