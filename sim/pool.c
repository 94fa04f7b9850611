/*
 * pool.c - the fork-join pool of pool.h.
 *
 * Workers sleep on a condition variable between rounds, so a pool costs
 * no CPU while the caller runs alone.  A round hands out items one at a
 * time from an atomic counter: items of uneven cost (a host with many
 * VMs, an idle one) still keep every thread busy to the end.
 */
#include "pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "xmem.h"

struct pool {
	int threads;
	pthread_t *workers;             /* threads - 1 of them */
	pthread_mutex_t lock;
	pthread_cond_t start, done;
	unsigned long round;            /* rounds started; under lock */
	int busy;                       /* workers not yet done with the round; under lock */
	bool closing;                   /* under lock */
	/* The round's work, set under lock before round moves. */
	void (*fn)(void *arg, size_t i);
	void *arg;
	size_t n;
	atomic_size_t next;             /* the next item to hand out */
};

static void run_items(struct pool *p)
{
	size_t i;

	while ((i = atomic_fetch_add_explicit(&p->next, 1, memory_order_relaxed)) < p->n)
		p->fn(p->arg, i);
}

static void *worker(void *arg)
{
	struct pool *p = arg;
	unsigned long seen = 0;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (p->round == seen && !p->closing)
			pthread_cond_wait(&p->start, &p->lock);
		if (p->closing)
			break;
		seen = p->round;
		pthread_mutex_unlock(&p->lock);
		run_items(p);
		pthread_mutex_lock(&p->lock);
		if (--p->busy == 0)
			pthread_cond_signal(&p->done);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

static void fail(const char *what, int rc)
{
	fprintf(stderr, "memsim: error: %s failed (error %d)\n", what, rc);
	exit(1);
}

struct pool *pool_new(int threads)
{
	struct pool *p = xcalloc(1, sizeof(*p));
	int i, rc;

	if (threads < 1)
		threads = 1;
	if (threads > POOL_MAX_THREADS)
		threads = POOL_MAX_THREADS;
	p->threads = threads;
	atomic_init(&p->next, 0);
	if (threads == 1)
		return p;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->start, NULL);
	pthread_cond_init(&p->done, NULL);
	p->workers = xcalloc((size_t)threads - 1, sizeof(*p->workers));
	for (i = 0; i < threads - 1; i++)
		if ((rc = pthread_create(&p->workers[i], NULL, worker, p)))
			fail("pthread_create", rc);
	return p;
}

void pool_free(struct pool *p)
{
	int i;

	if (!p)
		return;
	if (p->threads > 1) {
		pthread_mutex_lock(&p->lock);
		p->closing = true;
		pthread_cond_broadcast(&p->start);
		pthread_mutex_unlock(&p->lock);
		for (i = 0; i < p->threads - 1; i++)
			pthread_join(p->workers[i], NULL);
		pthread_cond_destroy(&p->done);
		pthread_cond_destroy(&p->start);
		pthread_mutex_destroy(&p->lock);
		free(p->workers);
	}
	free(p);
}

int pool_threads(const struct pool *p)
{
	return p->threads;
}

void pool_for(struct pool *p, size_t n, void (*fn)(void *arg, size_t i), void *arg)
{
	size_t i;

	if (p->threads == 1 || n < 2) {
		for (i = 0; i < n; i++)
			fn(arg, i);
		return;
	}
	pthread_mutex_lock(&p->lock);
	p->fn = fn;
	p->arg = arg;
	p->n = n;
	atomic_store_explicit(&p->next, 0, memory_order_relaxed);
	p->busy = p->threads - 1;
	p->round++;
	pthread_cond_broadcast(&p->start);
	pthread_mutex_unlock(&p->lock);
	run_items(p);
	/* The mutex orders every worker's writes before the caller goes on. */
	pthread_mutex_lock(&p->lock);
	while (p->busy)
		pthread_cond_wait(&p->done, &p->lock);
	pthread_mutex_unlock(&p->lock);
}
