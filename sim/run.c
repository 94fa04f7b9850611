/*
 * run.c - the run loop.  The engine runs up to each sample time in turn and
 * the collector reads the model after every event at or before that time,
 * so a sample at t is the state after everything that happened at t.
 */
#include "run.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cluster.h"
#include "engine.h"
#include "units.h"
#include "xmem.h"

static double wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct host_params *host_params_new(const struct scenario *sc, char ***names)
{
	struct host_params *hp = xcalloc((size_t)sc->n_hosts, sizeof(*hp));
	size_t g, k = 0;
	int64_t i;

	*names = xcalloc((size_t)sc->n_hosts, sizeof(**names));
	for (g = 0; g < sc->n_groups; g++) {
		const struct host_group *hg = &sc->groups[g];

		for (i = 0; i < hg->count; i++, k++) {
			char buf[300];

			snprintf(buf, sizeof(buf), "%s-%lld", hg->name, (long long)i);
			(*names)[k] = xstrdup(buf);
			hp[k].name = (*names)[k];
			hp[k].group = hg->name;
			hp[k].memory_bytes = hg->memory_bytes;
			hp[k].overhead_bytes = hg->overhead_bytes;
		}
	}
	return hp;
}

static void collect_sample(struct run_record *rec, const struct cluster *c, sim_time t)
{
	results_series_add(&rec->series, (double)t / 1e9, c->stats.committed_bytes,
			   cluster_unpromised_bytes(c));
}

static void collect_end(const struct scenario *sc, struct run_record *rec, struct cluster *c)
{
	size_t i, k = 0;

	cluster_settle(c);
	rec->duration_s = (double)sc->duration_ns / 1e9;
	rec->arrived = c->stats.arrived;
	rec->placed = c->stats.placed;
	rec->rejected = c->stats.rejected;
	rec->queued = c->stats.queued;
	rec->timed_out = c->stats.timed_out;
	rec->waiting = c->n_queue;
	rec->host_bytes = cluster_host_bytes(c);
	rec->configured_bytes = c->stats.committed_peak_bytes;
	rec->configured_bytes_mean = c->stats.committed_byte_ns / (double)sc->duration_ns;
	rec->overcommit_ratio = (double)rec->configured_bytes / (double)rec->host_bytes;
	rec->hosts_used = cluster_hosts_used(c);
	rec->n_hosts = c->n_hosts;
	rec->hosts = xcalloc(c->n_hosts ? c->n_hosts : 1, sizeof(*rec->hosts));
	for (i = 0; i < c->n_hosts; i++) {
		const struct host *h = &c->hosts[i];
		struct rec_host *r = &rec->hosts[i];

		r->name = xstrdup(h->name);
		r->group = h->group;
		r->memory_bytes = h->memory_bytes;
		r->overhead_bytes = h->overhead_bytes;
		r->configured_bytes_peak = h->committed_peak_bytes;
		r->configured_bytes_end = h->committed_bytes;
		r->vms_hosted = h->vms_hosted;
	}
	/* VMs that arrived within the run, in trace order. */
	rec->vms = xcalloc(c->n_vms ? c->n_vms : 1, sizeof(*rec->vms));
	for (i = 0; i < c->n_vms; i++) {
		const struct vm *vm = &c->vms[i];
		struct rec_vm *r = &rec->vms[k];
		sim_time end = vm->placed_ns >= 0 ? vm->placed_ns : vm->departed_ns;

		if (vm->state == VM_PENDING)
			continue;
		k++;
		r->name = xstrdup(vm->spec->name);
		r->group = vm->spec->group;
		r->host = vm->ran_on ? rec->hosts[vm->ran_on->id].name : NULL;
		r->state = vm_state_name(vm->state);
		r->memory_bytes = vm_memory_bytes(vm);
		r->arrive_s = (double)vm->arrived_ns / 1e9;
		r->placed = vm->placed_ns >= 0;
		r->placed_s = (double)vm->placed_ns / 1e9;
		r->departed = vm->departed_ns >= 0;
		r->depart_s = (double)vm->departed_ns / 1e9;
		/* Waiting lasts until placement, giving up, or the end of the run. */
		if (vm->state == VM_REJECTED && vm->placed_ns < 0)
			end = vm->arrived_ns + (c->p.max_wait_ns == SIM_NEVER ? 0 : c->p.max_wait_ns);
		if (vm->state == VM_QUEUED)
			end = sc->duration_ns;
		r->wait_s = (double)(end - vm->arrived_ns) / 1e9;
	}
	rec->n_vms = k;
}

static void progress_line(sim_time t, sim_time end)
{
	char a[32], b[32];

	fprintf(stderr, "\rmemsim: simulated %s of %s (%.0f%%)   ",
		units_format_duration(t / UNITS_NS_PER_S * UNITS_NS_PER_S, a, sizeof(a)),
		units_format_duration(end, b, sizeof(b)), 100.0 * (double)t / (double)end);
}

int run_replication(const struct scenario *sc, uint32_t replication, bool progress,
		    struct run_record *rec, struct sim_err *err)
{
	struct cluster_params cp = {0};
	struct vm_spec *specs;
	struct host_params *hp;
	struct cluster *c;
	struct sim *s;
	char **names;
	size_t n_specs, i;
	double t0 = wall_now(), last_print = t0;
	sim_time t;
	int rc;

	memset(rec, 0, sizeof(*rec));
	rc = trace_expand(&sc->trace, sc->seed, replication, sc->page_bytes, &specs, &n_specs, err);
	if (rc)
		return rc;
	hp = host_params_new(sc, &names);
	cp.hosts = hp;
	cp.n_hosts = (size_t)sc->n_hosts;
	cp.vms = specs;
	cp.n_vms = n_specs;
	cp.placement = sc->policies[FAMILY_PLACEMENT].ops;
	cp.placement_priv = sc->policies[FAMILY_PLACEMENT].priv;
	cp.overcommit = sc->policies[FAMILY_OVERCOMMIT].ops;
	cp.overcommit_priv = sc->policies[FAMILY_OVERCOMMIT].priv;
	cp.queue_on_full = sc->queue_on_full;
	cp.max_wait_ns = sc->max_wait_ns;

	s = sim_new();
	c = cluster_new(s, &cp);
	cluster_start(c);
	for (t = 0;; t += sc->sample_ns) {
		if (t > sc->duration_ns)
			t = sc->duration_ns;
		sim_run(s, t);
		collect_sample(rec, c, t);
		if (progress && wall_now() - last_print > 0.25) {
			last_print = wall_now();
			progress_line(t, sc->duration_ns);
		}
		if (t == sc->duration_ns)
			break;
	}
	if (progress && last_print > t0)
		fprintf(stderr, "\r%60s\r", "");
	rec->name = sc->name;
	rec->seed = sc->seed;
	rec->replication = replication;
	rec->config = sc->root;
	rec->events = sim_events_run(s);
	collect_end(sc, rec, c);
	rec->wall_s = wall_now() - t0;
	cluster_free(c);
	sim_free(s);
	trace_specs_free(specs, n_specs);
	for (i = 0; i < (size_t)sc->n_hosts; i++)
		free(names[i]);
	free(names);
	free(hp);
	return 0;
}

double run_memory_estimate(const struct scenario *sc)
{
	double vms = (double)trace_vm_count(&sc->trace);
	double samples = (double)(sc->duration_ns / sc->sample_ns + 1);
	double per_vm = sizeof(struct vm) + sizeof(struct vm_spec) + sizeof(struct phase) +
			sizeof(struct rec_vm) + 2 * sizeof(struct sim_event) + 48;
	double per_host = sizeof(struct host) + sizeof(struct host_params) +
			  sizeof(struct rec_host) + 64;

	return vms * per_vm + (double)sc->n_hosts * per_host + samples * 24.0;
}
