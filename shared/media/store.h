/* store: content-addressed files written atomically outside the web root. */
#ifndef CERTHALL_STORE_H
#define CERTHALL_STORE_H

#include <stddef.h>

#define STORE_REL_MAX 96

/*
 * Writes data under dir as ab/cd/<sha256>.<ext>: to a temp file in the same folder, fsynced,
 * renamed into place, the folder fsynced. A crash at any point leaves either nothing or the
 * whole file under its final name (and at worst a temp file named .tmp-<pid>-*, which
 * store_sweep removes once its writer is gone). The same content is stored once.
 * Fills sha (64 hex + NUL) and rel (the path below dir). Returns 0 or -1 (errno kept).
 */
int store_put(const char *dir, const void *data, size_t n, const char *ext, char sha[65],
	      char rel[STORE_REL_MAX]);

/* Removes temp files below dir whose writing process no longer exists. Returns how many. */
int store_sweep(const char *dir);

#endif
