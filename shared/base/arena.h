/* arena: per-request bump allocator with registered cleanups, reset after each request. */
#ifndef CERTHALL_ARENA_H
#define CERTHALL_ARENA_H

#include <stddef.h>

/*
 * Memory for one request comes from a chain of blocks; nothing is freed on its own.
 * arena_reset() runs the registered cleanups (last registered first), frees every block but
 * the first, and rewinds, so a worker's memory stays flat across requests. A hard cap
 * (max_bytes) turns a runaway request into an allocation failure instead of an OOM kill.
 */
struct arena_block;
struct arena_cleanup;

struct arena {
	struct arena_block *head;    /* current block; older ones follow ->next */
	struct arena_cleanup *cleanups;
	size_t block_size;
	size_t used_total;           /* bytes handed out since the last reset */
	size_t max_bytes;
};

/* Sets up an arena whose blocks are block_size bytes and which refuses to hand out more
 * than max_bytes between resets. Returns 0, or -1 if the first block cannot be allocated. */
int arena_init(struct arena *a, size_t block_size, size_t max_bytes);

/* Frees everything, running cleanups first. */
void arena_free(struct arena *a);

/* Runs cleanups and rewinds to an empty first block. */
void arena_reset(struct arena *a);

/* n bytes aligned for any type, or NULL past max_bytes or on OOM. */
void *arena_alloc(struct arena *a, size_t n);

/* Zeroed allocation of count * size, NULL on overflow. */
void *arena_calloc(struct arena *a, size_t count, size_t size);

/* Copies n bytes and appends a NUL. */
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_strdup(struct arena *a, const char *s);

/* snprintf into fresh arena memory. */
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Registers fn(ctx) to run at the next reset or free. Returns 0, or -1 if out of memory. */
int arena_defer(struct arena *a, void (*fn)(void *), void *ctx);

#endif
