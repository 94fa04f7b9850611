/*
 * evq.h - pending-event queue.  A ladder queue ordered by (time, seq):
 * equal times fire in schedule order, so runs are reproducible.  Cancelled
 * events stay in the queue as tombstones and are dropped when they surface.
 * Each pending event costs about 50 bytes (plus 8-16 while cancelled).
 */
#ifndef EVQ_H
#define EVQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef int64_t sim_time;               /* simulated nanoseconds */
struct sim;
typedef void sim_handler_fn(struct sim *s, void *arg);

struct sim_event {
	sim_time time;                  /* when it fires */
	uint64_t seq;                   /* set by evq_push; breaks ties */
	sim_handler_fn *handler;        /* never NULL */
	void *arg;                      /* borrowed; outlives the event */
};

/* Memory per pending event, at most: a 40-byte pool node, its share of the
 * buckets' headers and of the pool's growth (bench_evq measures 50-51). */
#define EVQ_BYTES_PER_EVENT 56

struct evq;

struct evq *evq_new(size_t capacity_hint);
void evq_free(struct evq *q);
/* Copies *ev into the queue, giving it the next seq; returns that seq.
 * ev->time must not be INT64_MIN (reserved). */
uint64_t evq_push(struct evq *q, const struct sim_event *ev);
/* Moves the earliest live event to *out; false when none is left. */
bool evq_pop(struct evq *q, struct sim_event *out);
/* The earliest live event's time, or INT64_MAX when empty. */
sim_time evq_peek_time(struct evq *q);
/* Cancels the pending event with this seq.  It must not have fired yet. */
void evq_cancel(struct evq *q, uint64_t seq);
/* Live (not cancelled) pending events. */
size_t evq_size(const struct evq *q);

#endif /* EVQ_H */
