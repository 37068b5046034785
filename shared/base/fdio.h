/* fdio: whole writes to a file descriptor. */
#ifndef CERTHALL_FDIO_H
#define CERTHALL_FDIO_H

#include <stddef.h>

/* Writes all n bytes of p, retrying short writes and EINTR. Returns 0, or -1 with errno. */
int fdio_write_all(int fd, const void *p, size_t n);

#endif
