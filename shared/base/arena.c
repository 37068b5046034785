/* arena: per-request bump allocator with registered cleanups. */
#include "base/arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_ALIGN 16

struct arena_block {
	struct arena_block *next;
	size_t size;
	size_t used;
	_Alignas(ARENA_ALIGN) unsigned char data[];
};

struct arena_cleanup {
	struct arena_cleanup *next;
	void (*fn)(void *);
	void *ctx;
};

static struct arena_block *block_new(size_t size)
{
	struct arena_block *b = malloc(sizeof(*b) + size);

	if (!b)
		return NULL;
	b->next = NULL;
	b->size = size;
	b->used = 0;
	return b;
}

int arena_init(struct arena *a, size_t block_size, size_t max_bytes)
{
	memset(a, 0, sizeof(*a));
	a->block_size = block_size;
	a->max_bytes = max_bytes;
	a->head = block_new(block_size);
	return a->head ? 0 : -1;
}

static void run_cleanups(struct arena *a)
{
	/* Cleanups may allocate nothing, but they may be registered while others run: detach first. */
	while (a->cleanups) {
		struct arena_cleanup *c = a->cleanups;

		a->cleanups = c->next;
		c->fn(c->ctx);
	}
}

void arena_reset(struct arena *a)
{
	struct arena_block *b, *first;

	run_cleanups(a);
	if (!a->head)
		return;
	/* The first block allocated sits at the end of the chain: keep it, free the rest. */
	first = a->head;
	while (first->next) {
		b = first;
		first = first->next;
		free(b);
	}
	first->used = 0;
	a->head = first;
	a->used_total = 0;
}

void arena_free(struct arena *a)
{
	run_cleanups(a);
	while (a->head) {
		struct arena_block *b = a->head;

		a->head = b->next;
		free(b);
	}
	a->used_total = 0;
}

void *arena_alloc(struct arena *a, size_t n)
{
	struct arena_block *b = a->head;
	size_t need, off;

	if (n == 0)
		n = 1;
	if (n > SIZE_MAX - ARENA_ALIGN)
		return NULL;
	need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (need > a->max_bytes - a->used_total || a->used_total > a->max_bytes)
		return NULL;
	if (!b || b->size - b->used < need) {
		size_t size = need > a->block_size ? need : a->block_size;

		b = block_new(size);
		if (!b)
			return NULL;
		b->next = a->head;
		a->head = b;
	}
	off = b->used;
	b->used += need;
	a->used_total += need;
	return b->data + off;
}

void *arena_calloc(struct arena *a, size_t count, size_t size)
{
	void *p;

	if (size && count > SIZE_MAX / size)
		return NULL;
	p = arena_alloc(a, count * size);
	if (p)
		memset(p, 0, count * size);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p;

	if (n == SIZE_MAX)
		return NULL;
	p = arena_alloc(a, n + 1);
	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *p;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	p = arena_alloc(a, (size_t)n + 1);
	if (!p)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

int arena_defer(struct arena *a, void (*fn)(void *), void *ctx)
{
	struct arena_cleanup *c = arena_alloc(a, sizeof(*c));

	if (!c)
		return -1;
	c->fn = fn;
	c->ctx = ctx;
	c->next = a->cleanups;
	a->cleanups = c;
	return 0;
}
