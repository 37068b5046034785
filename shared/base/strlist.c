/* strlist: membership in a comma-separated list. */
#include "base/strlist.h"

#include <string.h>

bool strlist_has(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; p && *p;) {
		size_t len = strcspn(p, ",");

		if (len == n && strncmp(p, name, n) == 0)
			return true;
		p = p[len] ? p + len + 1 : NULL;
	}
	return false;
}
