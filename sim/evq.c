/*
 * evq.c - a 4-ary heap of 32-byte events.
 *
 * Why 4-ary: with a million pending events the heap is far bigger than the
 * caches and every level is a miss; four children per node halve the depth
 * of a binary heap.  The children of node i are 4i+1..4i+4, so the array
 * starts three slots into a 128-byte aligned block: then every group of
 * four siblings fills one aligned block (two cache lines) instead of
 * straddling three.  Sift-down uses the "hole" method: the moving element
 * is written once.
 *
 * Cancellation keeps the heap free of back-pointers: cancelled seqs go in a
 * small open-addressing set, consulted only when it is not empty, and an
 * event whose seq is in it is dropped (and removed from the set) when it
 * reaches the top.
 */
#include "evq.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "xmem.h"

#define EVQ_ARITY 4

#define EVQ_ALIGN 128
#define EVQ_SKEW 3                      /* slots before heap[0] in the block */

struct evq {
	struct sim_event *heap;         /* block + EVQ_SKEW */
	struct sim_event *block;        /* EVQ_ALIGN-aligned allocation */
	size_t n, cap;
	uint64_t next_seq;
	/* Cancelled seqs, open addressing with linear probing; 0 = empty
	 * (seqs start at 1).  Size is a power of two. */
	uint64_t *dead;
	size_t n_dead, dead_cap;
};

static inline bool before(const struct sim_event *a, const struct sim_event *b)
{
	return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

/* Moves the heap into an aligned block of cap slots. */
static void resize(struct evq *q, size_t cap)
{
	void *p = NULL;
	struct sim_event *block;

	if (posix_memalign(&p, EVQ_ALIGN, (cap + EVQ_SKEW) * sizeof(struct sim_event)))
		SIM_BUG("out of memory for %zu pending events", cap);
	block = p;
	if (q->n)
		memcpy(block + EVQ_SKEW, q->heap, q->n * sizeof(*q->heap));
	free(q->block);
	q->block = block;
	q->heap = block + EVQ_SKEW;
	q->cap = cap;
}

struct evq *evq_new(size_t capacity_hint)
{
	struct evq *q = xcalloc(1, sizeof(*q));

	resize(q, capacity_hint > 16 ? capacity_hint : 16);
	q->next_seq = 1;
	return q;
}

void evq_free(struct evq *q)
{
	if (!q)
		return;
	free(q->block);
	free(q->dead);
	free(q);
}

uint64_t evq_push(struct evq *q, const struct sim_event *ev)
{
	struct sim_event e = *ev;
	size_t i;

	if (q->n == q->cap)
		resize(q, 2 * q->cap);
	i = q->n++;
	e.seq = q->next_seq++;
	while (i > 0) {
		size_t parent = (i - 1) / EVQ_ARITY;

		if (!before(&e, &q->heap[parent]))
			break;
		q->heap[i] = q->heap[parent];
		i = parent;
	}
	q->heap[i] = e;
	return e.seq;
}

static void remove_top(struct evq *q)
{
	struct sim_event last = q->heap[--q->n];
	size_t i = 0, n = q->n;

	for (;;) {
		size_t first = i * EVQ_ARITY + 1, best, c, end;

		if (first >= n)
			break;
		best = first;
		end = first + EVQ_ARITY < n ? first + EVQ_ARITY : n;
		for (c = first + 1; c < end; c++)
			if (before(&q->heap[c], &q->heap[best]))
				best = c;
		if (!before(&q->heap[best], &last))
			break;
		q->heap[i] = q->heap[best];
		i = best;
	}
	if (n > 0)
		q->heap[i] = last;
}

static size_t dead_slot(const struct evq *q, uint64_t seq)
{
	size_t mask = q->dead_cap - 1;
	size_t i = (size_t)(seq * 0x9E3779B97F4A7C15ULL >> 20) & mask;

	while (q->dead[i] && q->dead[i] != seq)
		i = (i + 1) & mask;
	return i;
}

static void dead_grow(struct evq *q)
{
	uint64_t *old = q->dead;
	size_t i, old_cap = q->dead_cap;

	q->dead_cap = old_cap ? 2 * old_cap : 64;
	q->dead = xcalloc(q->dead_cap, sizeof(*q->dead));
	for (i = 0; i < old_cap; i++)
		if (old[i])
			q->dead[dead_slot(q, old[i])] = old[i];
	free(old);
}

/* Removes seq from the dead set if present; true if it was there. */
static bool dead_take(struct evq *q, uint64_t seq)
{
	size_t mask = q->dead_cap - 1, i = dead_slot(q, seq), j;

	if (!q->dead[i])
		return false;
	/* Backward-shift deletion keeps probe chains intact without tombstones. */
	q->dead[i] = 0;
	q->n_dead--;
	for (j = (i + 1) & mask; q->dead[j]; j = (j + 1) & mask) {
		uint64_t s = q->dead[j];

		q->dead[j] = 0;
		q->dead[dead_slot(q, s)] = s;
	}
	return true;
}

void evq_cancel(struct evq *q, uint64_t seq)
{
	size_t i;

	if (seq == 0 || seq >= q->next_seq)
		SIM_BUG("evq_cancel: seq %llu was never scheduled", (unsigned long long)seq);
	if ((q->n_dead + 1) * 2 > q->dead_cap)
		dead_grow(q);
	i = dead_slot(q, seq);
	if (!q->dead[i]) {
		q->dead[i] = seq;
		q->n_dead++;
	}
}

/* Drops cancelled events from the top. */
static void skip_dead(struct evq *q)
{
	while (q->n_dead && q->n && dead_take(q, q->heap[0].seq))
		remove_top(q);
}

bool evq_pop(struct evq *q, struct sim_event *out)
{
	skip_dead(q);
	if (q->n == 0)
		return false;
	*out = q->heap[0];
	remove_top(q);
	return true;
}

sim_time evq_peek_time(struct evq *q)
{
	skip_dead(q);
	return q->n ? q->heap[0].time : INT64_MAX;
}

size_t evq_size(const struct evq *q)
{
	return q->n - q->n_dead;
}
