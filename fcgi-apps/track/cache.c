/* cache: the look-up's answers, in memory the track workers of this host share.
 *
 * Why: a look-up that reads MariaDB costs the host about three times what nginx and the
 * runner cost (make bench's CPU table); a public flood of look-ups (an SMS sent to every
 * applicant, a courier's delay) reads the same few thousand orders again and again.
 *
 * What stays true: an answer is the database's. Every change to what it shows writes a row
 * of order_changes in its own transaction (db/changes.h) and, once committed, bumps the
 * host's change epoch. Before answering from here a worker compares the epoch with the one
 * the last poll of the log saw; if it moved, or cache_poll_ms went by (changes made on other
 * hosts bump no epoch here), one worker reads the log and drops the answers of the orders in
 * it while the others read the database. So a change made on this host is seen by the next
 * look-up, one made on another within cache_poll_ms.
 *
 * Layout: sets of TC_WAYS slots of TC_SLOT bytes, the set chosen by the order number's hash.
 * A slot is guarded by a sequence number (odd while written): readers copy, then check that
 * it did not move; writers take it by compare-and-swap. An answer longer than a slot is not
 * kept (an order with many courier events), nor is "not found".
 */
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "web/app.h"
#include "web/req.h"
#include "base/log.h"
#include "db/changes.h"
#include "domain/orderno.h"
#include "track.h"

#define TC_WAYS 8
#define TC_SLOT 2048
#define TC_STEAL_MS 5000  /* a poll held longer than this was a worker that died in it */
#define TC_SPIN 1000000   /* a slot written longer than this (spins) was a worker that died */
#define TC_LOG_KEEP_MS (50LL * 60 * 1000) /* the log keeps an hour (changes_prune) */

struct tc_slot {
	_Atomic uint32_t seq;
	uint32_t len;            /* 0: empty */
	uint64_t filled;         /* head.fills when written: the oldest way is replaced */
	char no[ORDERNO_LEN];
	char tail[4];
	char answer[TC_SLOT - 2 * sizeof(uint32_t) - sizeof(uint64_t) - ORDERNO_LEN - 4];
};

struct tc_head {
	_Atomic int polling;              /* 1 while a worker reads the log */
	_Atomic long long poll_started;   /* ms, to take over a dead worker's poll */
	_Atomic unsigned long long epoch; /* the host epoch the last poll saw */
	_Atomic long long polled_at;      /* ms; 0: never (the cache is empty) */
	_Atomic unsigned long long gen;   /* polls begun: an answer read before one is not kept */
	_Atomic unsigned long long fills;
	char since[32];                   /* the server's clock at the last poll */
	size_t nsets;
};

static struct tc_head *head;
static struct tc_slot *slots;
/* A set's ways' tags (the hash's high half; 0: empty), side by side: a look-up reads the
 * one cache line of its set's tags and then only the slot that may hold the order, not
 * TC_WAYS slots on as many pages. A tag is a hint; the slot's number decides. */
static _Atomic uint32_t *tags;

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint64_t hash_no(const char *no)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */

	for (size_t i = 0; i < ORDERNO_LEN; i++)
		h = (h ^ (unsigned char)no[i]) * 1099511628211ULL;
	return h;
}

static size_t set_of(const char *no, uint32_t *tag)
{
	uint64_t h = hash_no(no);

	*tag = (uint32_t)(h >> 32) | 1;
	return (size_t)(h % head->nsets) * TC_WAYS;
}

int track_cache_init(struct app *app)
{
	size_t bytes = (size_t)app->conf.track_cache_mib << 20, nsets;
	void *m;

	if (bytes < 4096 + TC_WAYS * (sizeof(struct tc_slot) + sizeof(*tags)))
		return 0;
	nsets = (bytes - 4096) / (TC_WAYS * (sizeof(struct tc_slot) + sizeof(*tags)));
	/* Anonymous and shared: the workers forked from here see it; nothing reaches a disk
	 * but swap (the answers are masked; the mobile's last four digits are in it). */
	m = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED) {
		log_warn("track cache: mmap of %d MiB failed: look-ups read the database",
			 app->conf.track_cache_mib);
		return 0;
	}
	head = m;
	head->nsets = nsets;
	tags = (_Atomic uint32_t *)((char *)m + 4096);
	slots = (struct tc_slot *)((char *)m + 4096 +
				   ((nsets * TC_WAYS * sizeof(*tags) + 4095) / 4096) * 4096);
	while (head->nsets && (char *)(slots + head->nsets * TC_WAYS) > (char *)m + bytes)
		head->nsets--;
	if (!head->nsets) {
		munmap(m, bytes);
		head = NULL;
	}
	return 0;
}

/* Takes a slot for writing: its sequence number before, or -1 if another holds it. */
static long long slot_take(struct tc_slot *s)
{
	uint32_t seq = atomic_load_explicit(&s->seq, memory_order_relaxed);

	if ((seq & 1) ||
	    !atomic_compare_exchange_strong_explicit(&s->seq, &seq, seq + 1, memory_order_acquire,
						     memory_order_relaxed))
		return -1;
	return seq;
}

static void slot_give(struct tc_slot *s, uint32_t seq)
{
	atomic_store_explicit(&s->seq, seq + 2, memory_order_release);
}

/* Empties a slot, waiting for a writer to finish; one that died writing is overruled. */
static void slot_drop(struct tc_slot *s)
{
	long long seq;

	for (long i = 0; (seq = slot_take(s)) < 0; i++) {
		if (i >= TC_SPIN) {
			seq = atomic_load_explicit(&s->seq, memory_order_relaxed) - 1;
			break;
		}
	}
	s->len = 0;
	atomic_store_explicit(&tags[s - slots], 0, memory_order_relaxed);
	slot_give(s, (uint32_t)seq);
}

/* A slot being written is dropped too, whatever it will hold: its writer may be putting
 * this very order there, read before the change. */
static void drop_order(const char *no)
{
	uint32_t tag;
	struct tc_slot *set = &slots[set_of(no, &tag)];

	for (int w = 0; w < TC_WAYS; w++)
		if (memcmp(set[w].no, no, ORDERNO_LEN) == 0 ||
		    (atomic_load_explicit(&set[w].seq, memory_order_acquire) & 1))
			slot_drop(&set[w]);
}

/* By the tags: an empty slot's page is not touched (a new worker's idle memory stays its own).
 * A slot filled meanwhile was read after the poll began (track_cache_put's guard). */
static void drop_all(void)
{
	for (size_t i = 0; i < head->nsets * TC_WAYS; i++)
		if (atomic_load_explicit(&tags[i], memory_order_relaxed))
			slot_drop(&slots[i]);
}

/* Reads the change log since the last poll (CHANGES_WINDOW back) and drops those orders. */
static bool poll_log(struct app *app, struct arena *a, unsigned long long epoch, long long now)
{
	struct db_rows rows;
	long long last = atomic_load(&head->polled_at);
	char clock[32];

	atomic_fetch_add(&head->gen, 1);
	if (changes_clock(&app->db, a, clock, sizeof(clock)) != DB_OK)
		return false;
	if (!last || now - last > TC_LOG_KEEP_MS) {
		drop_all();
	} else {
		if (changes_recent(&app->db, a, head->since, &rows) != DB_OK)
			return false;
		for (size_t i = 0; i < rows.nrows; i++)
			if (rows.len[i] == ORDERNO_LEN)
				drop_order(db_cell(&rows, i, 0));
	}
	memcpy(head->since, clock, sizeof(head->since));
	atomic_store(&head->epoch, epoch);
	atomic_store(&head->polled_at, now);
	return true;
}

enum { POLLED, POLL_BUSY, POLL_FAILED };

/* Reads the log unless another worker is reading it. */
static int poll(struct app *app, struct arena *a, unsigned long long epoch, long long now)
{
	long long started;
	int idle = 0;
	bool ok;

	if (!atomic_compare_exchange_strong(&head->polling, &idle, 1)) {
		started = atomic_load(&head->poll_started);
		if (now - started < TC_STEAL_MS)
			return POLL_BUSY;
		log_warn("track cache: a poll held for %lld ms taken over", now - started);
	}
	atomic_store(&head->poll_started, now);
	ok = poll_log(app, a, epoch, now);
	atomic_store(&head->polling, 0);
	return ok ? POLLED : POLL_FAILED;
}

static void poll_after(struct app *app, void *ctx)
{
	bool shared;

	(void)ctx;
	poll(app, &app->arena, db_epoch(&shared), now_ms());
}

/*
 * True if the cached answers may be used now. Nothing changed on this host since the log was
 * last read (the epoch is the same): they may, for cache_poll_ms after that read, for the
 * changes of other hosts; past half of it the log is read again after this answer, past all
 * of it before (or by another worker meanwhile). A change here: the log is read first, and
 * while another worker reads it this one reads the database. Without a shared epoch (its
 * file could not be mapped) only the time counts.
 */
static bool fresh(struct req *r)
{
	bool shared;
	unsigned long long epoch = db_epoch(&shared);
	long long now = now_ms(), last = atomic_load(&head->polled_at);
	int every = r->app->conf.track_cache_poll_ms;

	if (last && (!shared || epoch == atomic_load(&head->epoch))) {
		if (now - last < every / 2)
			return true;
		if (now - last < every) {
			if (!r->app->after_answer) {
				r->app->after_answer = poll_after;
				r->app->after_ctx = NULL;
			}
			return true;
		}
		return poll(r->app, r->arena, epoch, now) != POLL_FAILED;
	}
	return poll(r->app, r->arena, epoch, now) == POLLED;
}

unsigned long long track_cache_guard(void)
{
	return head ? atomic_load(&head->gen) : 0;
}

int track_cache_get(struct req *r, const char *no, const char *tail, char **text, size_t *len)
{
	size_t first;
	uint32_t tag;

	if (!head || strlen(no) != ORDERNO_LEN || !fresh(r))
		return TRACK_CACHE_MISS;
	first = set_of(no, &tag);
	for (int w = 0; w < TC_WAYS; w++) {
		struct tc_slot *s = &slots[first + w];
		uint32_t seq, n;
		char got_tail[4];
		char *copy;
		bool same;

		if (atomic_load_explicit(&tags[first + w], memory_order_relaxed) != tag)
			continue;
		seq = atomic_load_explicit(&s->seq, memory_order_acquire);
		if ((seq & 1) || memcmp(s->no, no, ORDERNO_LEN) != 0)
			continue;
		n = s->len;
		if (n == 0 || n > sizeof(s->answer) || !(copy = arena_alloc(r->arena, n + 1)))
			continue;
		memcpy(copy, s->answer, n);
		memcpy(got_tail, s->tail, sizeof(got_tail));
		same = memcmp(s->no, no, ORDERNO_LEN) == 0;
		atomic_thread_fence(memory_order_acquire);
		if (!same || atomic_load_explicit(&s->seq, memory_order_relaxed) != seq)
			continue; /* written meanwhile */
		copy[n] = '\0';
		if (!crypto_equal(got_tail, tail, sizeof(got_tail)))
			return TRACK_CACHE_WRONG_TAIL;
		*text = copy;
		*len = n;
		return TRACK_CACHE_HIT;
	}
	return TRACK_CACHE_MISS;
}

void track_cache_put(unsigned long long guard, const char *no, const char tail[4], const char *text,
		     size_t len)
{
	struct tc_slot *set, *victim = NULL;
	_Atomic uint32_t *t;
	long long seq;
	uint32_t tag;
	size_t first;

	if (!head || len > sizeof(victim->answer) || strlen(no) != ORDERNO_LEN)
		return;
	first = set_of(no, &tag);
	set = &slots[first];
	t = &tags[first];
	/* By the tags first, as a look-up: the order's own slot, else an empty one. */
	for (int w = 0; w < TC_WAYS && !victim; w++)
		if (atomic_load_explicit(&t[w], memory_order_relaxed) == tag &&
		    memcmp(set[w].no, no, ORDERNO_LEN) == 0)
			victim = &set[w];
	for (int w = 0; w < TC_WAYS && !victim; w++)
		if (atomic_load_explicit(&t[w], memory_order_relaxed) == 0)
			victim = &set[w];
	if (!victim) {
		victim = &set[0];
		for (int w = 1; w < TC_WAYS; w++)
			if (set[w].filled < victim->filled)
				victim = &set[w];
	}
	if ((seq = slot_take(victim)) < 0)
		return;
	/* A poll begun since the answer was read may have dropped this order already. */
	if (atomic_load(&head->gen) == guard) {
		memcpy(victim->no, no, ORDERNO_LEN);
		memcpy(victim->tail, tail, sizeof(victim->tail));
		memcpy(victim->answer, text, len);
		victim->len = (uint32_t)len;
		victim->filled = atomic_fetch_add(&head->fills, 1) + 1;
		atomic_store_explicit(&tags[victim - slots], tag, memory_order_relaxed);
	}
	slot_give(victim, (uint32_t)seq);
}
