/*
 * engine.h - the discrete-event engine: a clock in integer nanoseconds and
 * a queue of handlers.  Time never goes backwards: an event scheduled in the
 * past is a bug.  Handlers may schedule and cancel freely.
 */
#ifndef ENGINE_H
#define ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "evq.h"

#define SIM_NEVER INT64_MAX

struct sim;

struct sim *sim_new(void);
void sim_free(struct sim *s);
sim_time sim_now(const struct sim *s);
/* Schedules fn(s, arg) at absolute time t >= now; returns an id for sim_cancel. */
uint64_t sim_at(struct sim *s, sim_time t, sim_handler_fn *fn, void *arg);
uint64_t sim_after(struct sim *s, sim_time delay, sim_handler_fn *fn, void *arg);
/* Cancels a pending event; it must not have fired. */
void sim_cancel(struct sim *s, uint64_t id);
/*
 * Runs events with time <= until, in (time, schedule) order, then sets the
 * clock to until.  Returns early when a handler calls sim_stop.
 */
void sim_run(struct sim *s, sim_time until);
void sim_stop(struct sim *s);
uint64_t sim_events_run(const struct sim *s);
size_t sim_pending(const struct sim *s);

#endif /* ENGINE_H */
