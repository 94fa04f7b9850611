/*
 * pool.h - a fork-join pool of threads: pool_for(p, n, fn, arg) calls
 * fn(arg, i) once for each i in [0, n), spread over the pool's threads and
 * the caller's, and returns when every call has.  The calls may run in any
 * order and at once, so fn must only write what item i owns; then the
 * result is the same whatever the thread count.  A pool of one thread
 * runs the items in order on the caller's, with no thread started.
 */
#ifndef POOL_H
#define POOL_H

#include <stddef.h>

/* Tunable: the most threads a pool may have. */
#define POOL_MAX_THREADS 256

struct pool;

/* A pool of threads in [1, POOL_MAX_THREADS], the caller's counted. */
struct pool *pool_new(int threads);
void pool_free(struct pool *p);
int pool_threads(const struct pool *p);
void pool_for(struct pool *p, size_t n, void (*fn)(void *arg, size_t i), void *arg);

#endif
