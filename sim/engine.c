/*
 * engine.c - clock and dispatch over evq.
 */
#include "engine.h"

#include <stdlib.h>

#include "err.h"
#include "xmem.h"

struct sim {
	sim_time now;
	struct evq *q;
	uint64_t events;                /* handlers run so far */
	bool stopped;
};

struct sim *sim_new(void)
{
	struct sim *s = xcalloc(1, sizeof(*s));

	s->q = evq_new(1024);
	return s;
}

void sim_free(struct sim *s)
{
	if (!s)
		return;
	evq_free(s->q);
	free(s);
}

sim_time sim_now(const struct sim *s)
{
	return s->now;
}

uint64_t sim_at(struct sim *s, sim_time t, sim_handler_fn *fn, void *arg)
{
	struct sim_event ev = {.time = t, .handler = fn, .arg = arg};

	if (t < s->now)
		SIM_BUG("event scheduled at %lld, before now %lld", (long long)t,
			(long long)s->now);
	return evq_push(s->q, &ev);
}

uint64_t sim_after(struct sim *s, sim_time delay, sim_handler_fn *fn, void *arg)
{
	if (delay < 0 || delay > SIM_NEVER - s->now)
		SIM_BUG("event scheduled %lld ns after %lld", (long long)delay, (long long)s->now);
	return sim_at(s, s->now + delay, fn, arg);
}

void sim_cancel(struct sim *s, uint64_t id)
{
	evq_cancel(s->q, id);
}

void sim_run(struct sim *s, sim_time until)
{
	struct sim_event ev;

	s->stopped = false;
	while (!s->stopped && evq_peek_time(s->q) <= until && evq_pop(s->q, &ev)) {
		s->now = ev.time;
		s->events++;
		ev.handler(s, ev.arg);
	}
	if (!s->stopped && s->now < until)
		s->now = until;
}

void sim_stop(struct sim *s)
{
	s->stopped = true;
}

uint64_t sim_events_run(const struct sim *s)
{
	return s->events;
}

size_t sim_pending(const struct sim *s)
{
	return evq_size(s->q);
}
