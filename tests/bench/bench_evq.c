/*
 * tests/bench/bench_evq.c - the "hold" model (PHOLD): N pending events; pop the earliest,
 * push one at now + Exp(1 ms).  evq against a plain binary heap of the same 32-byte events;
 * prints figures (CPU time), asserts no times.  Usage: bench_evq [DIVISOR] runs 1/DIVISOR
 * of the ops.
 */
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 33)
#define HAVE_MALLINFO2 1
#include <malloc.h>
#endif

#include "evq.h"

enum {
	INC_BITS = 20,                  /* 2^20 precomputed increments, used in a ring */
	REPS = 5,                       /* report the best of this many runs */
	CAP_HINT = 1024,                /* what sim_new gives its queue */
};

static const double mean_inc_ns = 1e6;  /* mean time between an event and its successor */
static const unsigned long inc_seed = 12345;

static sim_time *inc;                   /* the increments, in ns */

static void nop(struct sim *s, void *arg)
{
	(void)s;
	(void)arg;
}

/* --- the reference: a textbook binary heap ordered by (time, seq) ------ */

struct bheap {
	struct sim_event *a;
	size_t n, cap;
	uint64_t next_seq;
};

static inline int before(const struct sim_event *x, const struct sim_event *y)
{
	return x->time < y->time || (x->time == y->time && x->seq < y->seq);
}

static void bheap_init(struct bheap *h, size_t cap)
{
	h->n = 0;
	h->cap = cap;
	h->next_seq = 1;
	h->a = malloc(cap * sizeof(*h->a));
	if (!h->a) {
		fprintf(stderr, "bench_evq: out of memory\n");
		exit(EXIT_FAILURE);
	}
}

/* Kept out of line, as evq's functions are in their own file, so calls cost the same. */
__attribute__((noinline)) static void bheap_push(struct bheap *h, const struct sim_event *ev)
{
	struct sim_event e = *ev;
	size_t i = h->n++;

	if (h->n > h->cap) {
		h->cap *= 2;
		h->a = realloc(h->a, h->cap * sizeof(*h->a));
		if (!h->a) {
			fprintf(stderr, "bench_evq: out of memory\n");
			exit(EXIT_FAILURE);
		}
	}
	e.seq = h->next_seq++;
	while (i > 0 && before(&e, &h->a[(i - 1) / 2])) {
		h->a[i] = h->a[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h->a[i] = e;
}

__attribute__((noinline)) static int bheap_pop(struct bheap *h, struct sim_event *out)
{
	struct sim_event last;
	size_t i = 0, c;

	if (h->n == 0)
		return 0;
	*out = h->a[0];
	last = h->a[--h->n];
	while ((c = 2 * i + 1) < h->n) {
		if (c + 1 < h->n && before(&h->a[c + 1], &h->a[c]))
			c++;
		if (!before(&h->a[c], &last))
			break;
		h->a[i] = h->a[c];
		i = c;
	}
	h->a[i] = last;
	return 1;
}

/* --- the hold model, once per queue ------------------------------------ */

struct result {
	double seconds;                 /* the hold loop only */
	double bytes_per_pending;       /* most heap in use (after the fill or the hold), over N;
					 * < 0 if unknown */
	uint64_t order_hash;            /* of the popped (time, arg) sequence */
};

/* CPU time of this process: on a shared machine, time spent descheduled is not the queue's. */
static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static long long heap_in_use(void)
{
#ifdef HAVE_MALLINFO2
	struct mallinfo2 mi = mallinfo2();

	return (long long)(mi.uordblks + mi.hblkhd);
#else
	return -1;
#endif
}

static uint64_t mix_in(uint64_t h, const struct sim_event *ev)
{
	return (h ^ (uint64_t)ev->time ^ ((uint64_t)(uintptr_t)ev->arg << 40)) *
	       0x100000001B3ULL;
}

/*
 * The two runs below differ only in the queue they call.  Both push the same times with
 * the same args, so queues that agree on (time, seq) order pop equal sequences.
 */
static sim_time next_inc(size_t *k)
{
	return inc[(*k)++ & (((size_t)1 << INC_BITS) - 1)];
}

static void run_evq(size_t n, size_t ops, struct result *res)
{
	long long before = heap_in_use();
	struct evq *q = evq_new(CAP_HINT);
	struct sim_event ev = {.handler = nop}, out;
	uint64_t h = 0xCBF29CE484222325ULL;
	size_t k = 0, i;
	double t0;

	for (i = 0; i < n; i++) {
		ev.time = next_inc(&k);
		ev.arg = (void *)(uintptr_t)i;
		evq_push(q, &ev);
	}
	res->bytes_per_pending = before < 0 ? -1.0 : (double)(heap_in_use() - before) / (double)n;
	t0 = now_s();
	for (i = 0; i < ops && evq_pop(q, &out); i++) {
		h = mix_in(h, &out);
		ev.time = out.time + next_inc(&k);
		ev.arg = out.arg;
		evq_push(q, &ev);
	}
	res->seconds = now_s() - t0;
	res->order_hash = h;
	if (before >= 0 && (double)(heap_in_use() - before) / (double)n > res->bytes_per_pending)
		res->bytes_per_pending = (double)(heap_in_use() - before) / (double)n;
	evq_free(q);
}

static void run_bheap(size_t n, size_t ops, struct result *res)
{
	long long before = heap_in_use();
	struct bheap q;
	struct sim_event ev = {.handler = nop}, out;
	uint64_t h = 0xCBF29CE484222325ULL;
	size_t k = 0, i;
	double t0;

	bheap_init(&q, CAP_HINT);
	for (i = 0; i < n; i++) {
		ev.time = next_inc(&k);
		ev.arg = (void *)(uintptr_t)i;
		bheap_push(&q, &ev);
	}
	res->bytes_per_pending = before < 0 ? -1.0 : (double)(heap_in_use() - before) / (double)n;
	t0 = now_s();
	for (i = 0; i < ops && bheap_pop(&q, &out); i++) {
		h = mix_in(h, &out);
		ev.time = out.time + next_inc(&k);
		ev.arg = out.arg;
		bheap_push(&q, &ev);
	}
	res->seconds = now_s() - t0;
	res->order_hash = h;
	if (before >= 0 && (double)(heap_in_use() - before) / (double)n > res->bytes_per_pending)
		res->bytes_per_pending = (double)(heap_in_use() - before) / (double)n;
	free(q.a);
}

/*
 * Best of REPS runs of each queue, alternated so that load from other processes falls on
 * both alike.  The hash and the bytes come from the first run.
 */
static void best_of(size_t n, size_t ops, struct result *e, struct result *b)
{
	struct result r;
	int i;

	for (i = 0; i < REPS; i++) {
		run_evq(n, ops, &r);
		if (i == 0)
			*e = r;
		else if (r.seconds < e->seconds)
			e->seconds = r.seconds;
		run_bheap(n, ops, &r);
		if (i == 0)
			*b = r;
		else if (r.seconds < b->seconds)
			b->seconds = r.seconds;
	}
}

static void print_row(const char *name, size_t n, size_t ops, const struct result *r)
{
	char bytes[32];

	if (r->bytes_per_pending < 0)
		snprintf(bytes, sizeof(bytes), "n/a");
	else
		snprintf(bytes, sizeof(bytes), "%.1f", r->bytes_per_pending);
	printf("%-12s %9zu %10zu %10.2f %8.1f %14s\n", name, n, ops,
	       (double)ops / r->seconds / 1e6, r->seconds / (double)ops * 1e9, bytes);
}

int main(int argc, char **argv)
{
	static const struct {
		size_t n, ops;
	} cfgs[] = {
		{1000, 10000000},
		{1000000, 5000000},
	};
	size_t divisor = 1, i;
	int agree = 1;
	double ratio[2];
	gsl_rng *r;

	if (argc > 1) {
		divisor = strtoul(argv[1], NULL, 10);
		if (divisor == 0) {
			fprintf(stderr, "usage: bench_evq [DIVISOR]\n");
			return EXIT_FAILURE;
		}
	}
	gsl_set_error_handler_off();
	r = gsl_rng_alloc(gsl_rng_mt19937);
	inc = malloc(sizeof(*inc) << INC_BITS);
	if (!r || !inc) {
		fprintf(stderr, "bench_evq: out of memory\n");
		return EXIT_FAILURE;
	}
	gsl_rng_set(r, inc_seed);
	for (i = 0; i < (size_t)1 << INC_BITS; i++)
		inc[i] = (sim_time)(gsl_ran_exponential(r, mean_inc_ns) + 0.5);
	gsl_rng_free(r);

	printf("hold model: pop the earliest, push at now + Exp(mean %.0f ns); best of %d runs, CPU time\n",
	       mean_inc_ns, REPS);
	printf("%-12s %9s %10s %10s %8s %14s\n", "queue", "pending", "ops", "Mevents/s",
	       "ns/op", "bytes/pending");
	for (i = 0; i < sizeof(cfgs) / sizeof(cfgs[0]); i++) {
		size_t n = cfgs[i].n, ops = cfgs[i].ops / divisor;
		struct result e, b;

		best_of(n, ops, &e, &b);
		print_row("evq (ladder)", n, ops, &e);
		print_row("binary heap", n, ops, &b);
		ratio[i] = b.seconds / e.seconds;
		if (e.order_hash != b.order_hash)
			agree = 0;
	}
	printf("evq speed / binary heap speed: %.2fx at %zu pending, %.2fx at %zu pending\n",
	       ratio[0], cfgs[0].n, ratio[1], cfgs[1].n);
	printf("pop orders of the two queues %s\n", agree ? "agree" : "DIFFER");
	free(inc);
	return agree ? EXIT_SUCCESS : EXIT_FAILURE;
}
