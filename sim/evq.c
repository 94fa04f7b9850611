/*
 * evq.c - a ladder queue (Tang, Goh and Thng, ACM TOMACS 15(3), 2005).
 *
 * Why not a heap: with a million pending events a heap is far bigger than
 * the caches and every level of a sift is a dependent miss.  A ladder queue
 * sorts lazily instead, so each event costs O(1) amortized moves:
 *
 *   top     unsorted lists of the far future (append only);
 *   rungs   up to EVQ_MAX_RUNGS calendars of unsorted buckets, each deeper
 *           rung splitting one bucket of the rung above into finer ones;
 *   bottom  a small binary heap of the events due first.
 *
 * The pending time axis is cut in that order: every bottom event precedes
 * every bucket event of the deepest rung, whose buckets precede the rest of
 * the rung above, ..., and the top comes last.  Pops come from the bottom
 * heap; when it runs dry the next non-empty buckets of the deepest rung move
 * into it, or, if the next holds more than EVQ_SPLIT events over more than
 * one distinct time, it is spread over a new, finer rung first.  When the
 * last rung is used up, the top is spread over a fresh rung 0 sized from
 * its count and span: that is the resize rule, applied every time the
 * calendar is rebuilt, so the bucket width follows the event density.  The
 * bottom heap orders by (time, seq), so the order is exactly that of any
 * heap over (time, seq), ties included.
 *
 * Times map to u = time - INT64_MIN (unsigned, order-preserving); bucket
 * widths are powers of two so a bucket index is a subtract and a shift.
 * Rung and top events live in one pool of 40-byte nodes linked by 32-bit
 * index (about 50 bytes per pending event with the 8-byte bucket headers,
 * one bucket per event); the free list is LIFO, so a node freed by a pop is
 * the next one pushed.  The lists are scattered over the pool, and walking
 * one is a chain of dependent cache misses: so the top is several lists and
 * a refill takes several buckets (once the pool outgrows the cache), and
 * each batch of lists is walked side by side, which lets the misses overlap.
 *
 * Cancellation keeps the queue free of back-pointers: cancelled seqs go in
 * a small open-addressing set, consulted only when it is not empty, and an
 * event whose seq is in it is dropped (and removed from the set) when it
 * reaches the top of the bottom heap.
 */
#include "evq.h"

#include <stdlib.h>

#include "err.h"
#include "xmem.h"

/* Chosen by measurement with tests/bench/bench_evq (README, Benchmarks). */
enum {
	EVQ_PER_BUCKET = 1,             /* events per bucket a rung is sized for */
	EVQ_SPLIT = 1000,               /* a bucket above this becomes a finer rung */
	EVQ_MAX_RUNGS = 8,              /* then the bottom heap takes what is left */
	EVQ_TOP_LISTS = 8,              /* the top is this many lists, walked together */
	EVQ_DRAIN_LISTS = 16,           /* a refill walks up to this many buckets together */
	EVQ_DRAIN_MIN = 64,             /* until it has this many events, */
	EVQ_DRAIN_FROM = 1 << 16,       /* once this many are pending (2.5 MiB of nodes) */
};

#define EVQ_NIL UINT32_MAX              /* end of a node list */

struct evq_node {
	struct sim_event ev;
	uint32_t next;                  /* next node in its list, or EVQ_NIL */
};

struct evq_bucket {
	uint32_t head;                  /* first node, or EVQ_NIL */
	uint32_t n;                     /* nodes in the list */
};

/* A calendar over [start, last] (u values): bucket i holds
 * start + (i << shift) ... start + ((i + 1) << shift) - 1. */
struct evq_rung {
	struct evq_bucket *bucket;
	size_t nb, cap;                 /* buckets in use, allocated */
	size_t next;                    /* buckets below it are drained */
	uint64_t start, last;
	unsigned shift;
};

struct evq {
	struct evq_node *pool;
	uint32_t n_pool, cap_pool;      /* nodes ever handed out, allocated */
	uint32_t free_head;             /* LIFO list of freed nodes */

	uint32_t top_head[EVQ_TOP_LISTS], top_n;
	uint64_t top_min, top_max;

	struct evq_rung rung[EVQ_MAX_RUNGS];
	int n_rungs;

	struct sim_event *heap;         /* the bottom */
	size_t n_heap, cap_heap;
	uint64_t bottom_last;           /* events with u <= this go to the bottom */

	size_t n;                       /* pending, live or cancelled */
	uint64_t next_seq;
	/* Cancelled seqs, open addressing with linear probing; 0 = empty
	 * (seqs start at 1).  Size is a power of two. */
	uint64_t *dead;
	size_t n_dead, dead_cap;
};

static inline uint64_t key_of(sim_time t)
{
	return (uint64_t)t - (uint64_t)INT64_MIN;
}

static inline bool before(const struct sim_event *a, const struct sim_event *b)
{
	return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

/* --- the bottom: a binary heap ------------------------------------------ */

static void heap_reserve(struct evq *q, size_t n)
{
	if (n <= q->cap_heap)
		return;
	while (q->cap_heap < n)
		q->cap_heap = q->cap_heap ? 2 * q->cap_heap : 64;
	q->heap = xrealloc(q->heap, q->cap_heap * sizeof(*q->heap));
}

static void heap_sift_up(struct sim_event *h, size_t i, struct sim_event e)
{
	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (!before(&e, &h[parent]))
			break;
		h[i] = h[parent];
		i = parent;
	}
	h[i] = e;
}

/* Writes e at hole i of a heap of n and sifts it down (the "hole" method). */
static void heap_sift_down(struct sim_event *h, size_t n, size_t i, struct sim_event e)
{
	size_t c;

	while ((c = 2 * i + 1) < n) {
		if (c + 1 < n && before(&h[c + 1], &h[c]))
			c++;
		if (!before(&h[c], &e))
			break;
		h[i] = h[c];
		i = c;
	}
	h[i] = e;
}

static void heap_push(struct evq *q, const struct sim_event *e)
{
	heap_reserve(q, q->n_heap + 1);
	heap_sift_up(q->heap, q->n_heap++, *e);
}

static void heap_remove_top(struct evq *q)
{
	if (--q->n_heap > 0)
		heap_sift_down(q->heap, q->n_heap, 0, q->heap[q->n_heap]);
}

/* --- nodes and lists ------------------------------------------------------ */

static uint32_t node_new(struct evq *q, const struct sim_event *e, uint32_t next)
{
	uint32_t i = q->free_head;

	if (i != EVQ_NIL) {
		q->free_head = q->pool[i].next;
	} else {
		if (q->n_pool == q->cap_pool) {
			if (q->cap_pool > EVQ_NIL / 2)
				SIM_BUG("more than %u events pending", (unsigned)q->cap_pool);
			q->cap_pool *= 2;
			q->pool = xrealloc(q->pool, (size_t)q->cap_pool * sizeof(*q->pool));
		}
		i = q->n_pool++;
	}
	q->pool[i].ev = *e;
	q->pool[i].next = next;
	return i;
}

static void node_free(struct evq *q, uint32_t i)
{
	q->pool[i].next = q->free_head;
	q->free_head = i;
}

/* --- rungs ---------------------------------------------------------------- */

/* Sizes r for count events over [start, last]: the narrowest power-of-two
 * width giving at most count / EVQ_PER_BUCKET buckets. */
static void rung_init(struct evq_rung *r, uint64_t start, uint64_t last, size_t count)
{
	uint64_t span = last - start, want = count / EVQ_PER_BUCKET;
	size_t i;

	if (want == 0)
		want = 1;
	r->shift = 0;
	while (r->shift < 63 && (span >> r->shift) >= want)
		r->shift++;
	r->nb = (size_t)(span >> r->shift) + 1;
	if (r->nb > r->cap) {
		free(r->bucket);
		r->cap = r->nb;
		r->bucket = xmalloc(r->cap * sizeof(*r->bucket));
	}
	for (i = 0; i < r->nb; i++)
		r->bucket[i] = (struct evq_bucket){.head = EVQ_NIL, .n = 0};
	r->next = 0;
	r->start = start;
	r->last = last;
}

static inline void rung_link(struct evq *q, struct evq_rung *r, uint32_t node, uint64_t u)
{
	struct evq_bucket *b = &r->bucket[(u - r->start) >> r->shift];

	q->pool[node].next = b->head;
	b->head = node;
	b->n++;
}

/* Spreads the n_lists lists at head[] over a new rung below the others,
 * covering [min, last]; the caller has checked there is room for one.  The
 * lists are walked side by side so that their cache misses overlap. */
static void rung_spawn(struct evq *q, uint32_t *head, int n_lists, size_t count, uint64_t min,
		       uint64_t last)
{
	struct evq_rung *r = &q->rung[q->n_rungs++];
	int l, live = n_lists;

	rung_init(r, min, last, count);
	while (live > 0) {
		live = 0;
		for (l = 0; l < n_lists; l++) {
			uint32_t node = head[l];

			if (node == EVQ_NIL)
				continue;
			head[l] = q->pool[node].next;
			rung_link(q, r, node, key_of(q->pool[node].ev.time));
			live++;
		}
	}
}

/* Moves the n_lists lists at head[] into the bottom heap, side by side as
 * in rung_spawn, and frees their nodes. */
static void lists_to_bottom(struct evq *q, uint32_t *head, int n_lists, size_t count)
{
	size_t i;
	int l, live = n_lists;

	heap_reserve(q, q->n_heap + count);
	while (live > 0) {
		live = 0;
		for (l = 0; l < n_lists; l++) {
			uint32_t node = head[l];

			if (node == EVQ_NIL)
				continue;
			head[l] = q->pool[node].next;
			q->heap[q->n_heap++] = q->pool[node].ev;
			node_free(q, node);
			live++;
		}
	}
	for (i = q->n_heap / 2; i-- > 0;)
		heap_sift_down(q->heap, q->n_heap, i, q->heap[i]);
}

/* The least and greatest key in a list. */
static void list_range(const struct evq *q, uint32_t head, uint64_t *min, uint64_t *max)
{
	*min = UINT64_MAX;
	*max = 0;
	for (; head != EVQ_NIL; head = q->pool[head].next) {
		uint64_t u = key_of(q->pool[head].ev.time);

		if (u < *min)
			*min = u;
		if (u > *max)
			*max = u;
	}
}

/* The last key the bottom owns once the buckets of r below next are
 * drained (no overflow: below the last bucket, next << shift <= last - start). */
static uint64_t bottom_after(const struct evq_rung *r)
{
	return r->next == r->nb ? r->last : r->start + ((uint64_t)r->next << r->shift) - 1;
}

/*
 * Fills the empty bottom from the deepest rung, the rungs above it, then
 * the top; false when nothing is pending.  Every fill ends with buckets
 * moved into the bottom, which then owns all keys up to their end: so
 * bottom_last + 1 is always the first key of the deepest rung's next bucket.
 */
static bool refill(struct evq *q)
{
	while (q->n_heap == 0) {
		struct evq_rung *r;
		struct evq_bucket b;
		uint32_t head[EVQ_DRAIN_LISTS];
		uint64_t min, max;
		size_t count;
		int n_lists, max_lists;

		if (q->n_rungs == 0) {
			if (q->top_n == 0)
				return false;
			rung_spawn(q, q->top_head, EVQ_TOP_LISTS, q->top_n, q->top_min, q->top_max);
			q->top_n = 0;
			continue;
		}
		r = &q->rung[q->n_rungs - 1];
		while (r->next < r->nb && r->bucket[r->next].n == 0)
			r->next++;
		if (r->next == r->nb) {
			q->n_rungs--;
			continue;
		}
		b = r->bucket[r->next];
		r->bucket[r->next++] = (struct evq_bucket){.head = EVQ_NIL, .n = 0};
		if (b.n > EVQ_SPLIT && r->shift > 0 && q->n_rungs < EVQ_MAX_RUNGS) {
			list_range(q, b.head, &min, &max);
			if (min < max) {
				rung_spawn(q, &b.head, 1, b.n, min, bottom_after(r));
				continue;
			}
		}
		/* Take a few more small buckets: their lists, scattered over
		 * the pool, are walked side by side so that the misses overlap. */
		head[0] = b.head;
		n_lists = 1;
		count = b.n;
		/* Below EVQ_DRAIN_FROM the pool is in cache and a bigger bottom
		 * heap would cost more than the overlap saves. */
		max_lists = q->n < EVQ_DRAIN_FROM ? 1 : EVQ_DRAIN_LISTS;
		while (n_lists < max_lists && count < EVQ_DRAIN_MIN && r->next < r->nb &&
		       r->bucket[r->next].n <= EVQ_SPLIT) {
			b = r->bucket[r->next];
			r->bucket[r->next++] = (struct evq_bucket){.head = EVQ_NIL, .n = 0};
			if (b.n) {
				head[n_lists++] = b.head;
				count += b.n;
			}
		}
		q->bottom_last = bottom_after(r);
		lists_to_bottom(q, head, n_lists, count);
	}
	return true;
}

/* --- the public interface ------------------------------------------------- */

struct evq *evq_new(size_t capacity_hint)
{
	struct evq *q = xcalloc(1, sizeof(*q));
	size_t cap = capacity_hint > 16 ? capacity_hint : 16;
	int i;

	q->free_head = EVQ_NIL;
	for (i = 0; i < EVQ_TOP_LISTS; i++)
		q->top_head[i] = EVQ_NIL;
	q->next_seq = 1;
	/* Keys start at 1 (INT64_MIN is refused), so nothing goes to the
	 * bottom before the first rung exists. */
	q->bottom_last = 0;
	q->cap_pool = (uint32_t)(cap < EVQ_NIL / 2 ? cap : EVQ_NIL / 2);
	q->pool = xmalloc((size_t)q->cap_pool * sizeof(*q->pool));
	return q;
}

void evq_free(struct evq *q)
{
	int i;

	if (!q)
		return;
	for (i = 0; i < EVQ_MAX_RUNGS; i++)
		free(q->rung[i].bucket);
	free(q->pool);
	free(q->heap);
	free(q->dead);
	free(q);
}

uint64_t evq_push(struct evq *q, const struct sim_event *ev)
{
	struct sim_event e = *ev;
	uint64_t u = key_of(e.time);
	int k;

	if (e.time == INT64_MIN)
		SIM_BUG("evq_push: time INT64_MIN is reserved");
	e.seq = q->next_seq++;
	q->n++;
	if (u <= q->bottom_last) {
		heap_push(q, &e);
		return e.seq;
	}
	/* Past the bottom: the first rung, deepest first, whose span holds u. */
	for (k = q->n_rungs - 1; k >= 0; k--) {
		struct evq_rung *r = &q->rung[k];

		if (u <= r->last) {
			rung_link(q, r, node_new(q, &e, EVQ_NIL), u);
			return e.seq;
		}
	}
	k = (int)(q->top_n % EVQ_TOP_LISTS);
	q->top_head[k] = node_new(q, &e, q->top_head[k]);
	if (q->top_n++ == 0 || u < q->top_min)
		q->top_min = u;
	if (q->top_n == 1 || u > q->top_max)
		q->top_max = u;
	return e.seq;
}

/* --- the cancelled set ---------------------------------------------------- */

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

/* Brings the earliest live event to the top of the bottom heap; false when
 * none is left.  Cancelled events are dropped on the way. */
static bool settle(struct evq *q)
{
	for (;;) {
		if (q->n_heap == 0 && !refill(q))
			return false;
		if (!q->n_dead || !dead_take(q, q->heap[0].seq))
			return true;
		heap_remove_top(q);
		q->n--;
	}
}

bool evq_pop(struct evq *q, struct sim_event *out)
{
	if (!settle(q))
		return false;
	*out = q->heap[0];
	heap_remove_top(q);
	q->n--;
	return true;
}

sim_time evq_peek_time(struct evq *q)
{
	return settle(q) ? q->heap[0].time : INT64_MAX;
}

size_t evq_size(const struct evq *q)
{
	return q->n - q->n_dead;
}
