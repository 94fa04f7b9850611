/*
 * run.c - the run loop.  The engine runs up to each sample time in turn and
 * the collector reads the model after every event at or before that time,
 * so a sample at t is the state after everything that happened at t.
 * Summary means of memory are means over these samples.
 */
#include "run.h"

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
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
			hp[k].swap_bytes = hg->swap.size_bytes;
			hp[k].swap_read_ns = hg->swap.read_latency_ns;
			hp[k].swap_write_ns = hg->swap.write_latency_ns;
			hp[k].swap_bandwidth = hg->swap.bandwidth;
			hp[k].victims = (enum victim_mode)hg->swap.victims;
		}
	}
	return hp;
}

/* Faults and stall of every VM that ever ran, so far.  The stall is summed
 * as a double: each VM's fits 64 bits (scenario.c bounds it), but a sum over
 * 10^5 VMs of a day each could pass 2^63 ns; below 2^53 ns it is exact. */
static void totals(const struct cluster *c, uint64_t *faults, double *stall_ns)
{
	size_t i;
	int k;

	*faults = 0;
	*stall_ns = 0;
	for (i = 0; i < c->n_vms; i++) {
		const struct mem_stats *st = &c->vms[i].mem.stats;

		for (k = 0; k < FAULT_COUNT; k++)
			*faults += st->faults[k];
		*stall_ns += (double)st->stall_ns;
	}
}

/* A sample at t; *faults and *stall_ns carry the totals of the last one. */
static void collect_sample(struct run_record *rec, const struct cluster *c, sim_time t,
			   uint64_t *faults, double *stall_ns)
{
	int64_t v[COL_COUNT] = {0};
	double stall;
	uint64_t f;
	size_t i;

	v[COL_CONFIGURED] = c->stats.committed_bytes;
	for (i = 0; i < c->n_hosts; i++) {
		const struct hmem *hm = &c->hosts[i].mem;
		int64_t pb = hm->page_bytes;

		v[COL_USED] += (int64_t)(hm->frames_total - hm->frames_free) * pb;
		v[COL_FREE] += (int64_t)hm->frames_free * pb;
		v[COL_SHARED_SAVED] += (int64_t)(hm->n_shared_mapped - hm->shared.n_used) * pb;
		v[COL_BALLOONED] += (int64_t)hm->n_ballooned * pb;
		v[COL_SWAPPED] += (int64_t)hm->swap.used_pages * pb;
		v[COL_COMPRESSED] += (int64_t)hm->n_compressed * pb;
	}
	totals(c, &f, &stall);
	v[COL_FAULTS] = (int64_t)(f - *faults);
	results_series_add(&rec->series, (double)t / 1e9, v, (stall - *stall_ns) / 1e9);
	*faults = f;
	*stall_ns = stall;
}

static double col_mean(const struct rec_series *s, enum rec_col k)
{
	double sum = 0;
	size_t i;

	for (i = 0; i < s->n; i++)
		sum += (double)s->col[k][i];
	return s->n ? sum / (double)s->n : 0.0;
}

static void collect_host(const struct host *h, struct rec_host *r)
{
	const struct hmem *hm = &h->mem;
	int64_t pb = hm->page_bytes;

	r->name = xstrdup(h->name);
	r->group = h->group;
	r->memory_bytes = h->memory_bytes;
	r->overhead_bytes = h->overhead_bytes;
	r->configured_bytes_peak = h->committed_peak_bytes;
	r->configured_bytes_end = h->committed_bytes;
	r->vms_hosted = h->vms_hosted;
	r->free_bytes = (int64_t)hm->frames_free * pb;
	r->private_bytes = (int64_t)hm->n_private * pb;
	r->shared_bytes = (int64_t)hm->shared.n_used * pb;
	r->shared_saved_bytes = (int64_t)(hm->n_shared_mapped - hm->shared.n_used) * pb;
	r->compression_bytes = (int64_t)hmem_cache_frames(hm) * pb;
	r->swap_bytes = (int64_t)hm->swap.capacity_pages * pb;
	r->swap_used_bytes = (int64_t)hm->swap.used_pages * pb;
	r->swap_full = hm->swap_full;
	r->oom = hm->oom;
}

/* One VM's record; *sum gathers the cluster's totals. */
static void collect_vm(const struct scenario *sc, const struct cluster *c, const struct vm *vm,
		       struct rec_host *hosts, struct rec_vm *r, struct run_record *sum)
{
	const struct mem_stats *st = &vm->mem.stats;
	sim_time end = vm->placed_ns >= 0 ? vm->placed_ns : vm->departed_ns;
	int64_t pb = sc->page_bytes;
	int k;

	r->name = xstrdup(vm->spec->name);
	r->group = vm->spec->group;
	r->host = vm->ran_on ? hosts[vm->ran_on->id].name : NULL;
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
	if (!r->placed)
		return;
	r->ran = true;
	for (k = 0; k < REC_STATES; k++)
		r->pages[k] = vm->state == VM_RUNNING ? vm->mem.n_state[k] : vm->end_state[k];
	for (k = 0; k < REC_FAULTS; k++) {
		r->faults[k] = st->faults[k];
		sum->faults[k] += st->faults[k];
	}
	r->double_paging = st->double_paging;
	sum->double_paging += st->double_paging;
	sum->host_swap_out_bytes += (int64_t)st->host_swap_out * pb;
	sum->host_swap_in_bytes += (int64_t)st->host_swap_in * pb;
	sum->guest_swap_out_bytes += (int64_t)st->guest_swap_out * pb;
	sum->guest_swap_in_bytes += (int64_t)st->guest_swap_in * pb;
	r->touches = st->touches;
	r->stall_s = (double)st->stall_ns / 1e9;
	r->slowdown = st->run_ns ? (double)st->stall_ns / (double)st->run_ns : 0.0;
	r->progress = st->touches > 0 ? st->done / st->touches : 1.0;
	r->oom = vm->state == VM_OOM;
	sum->touches += st->touches;
	sum->stall_s += r->stall_s;
	if (sc->sla.has_max_slowdown && r->slowdown > sc->sla.max_slowdown)
		sum->sla_violations++;
}

static void collect_end(const struct scenario *sc, struct run_record *rec, struct cluster *c)
{
	double *slow = xcalloc(c->n_vms ? c->n_vms : 1, sizeof(*slow));
	double *prog = xcalloc(c->n_vms ? c->n_vms : 1, sizeof(*prog));
	size_t i, k = 0, n_ran = 0;

	cluster_settle(c);
	rec->duration_s = (double)sc->duration_ns / 1e9;
	rec->arrived = c->stats.arrived;
	rec->placed = c->stats.placed;
	rec->rejected = c->stats.rejected;
	rec->queued = c->stats.queued;
	rec->timed_out = c->stats.timed_out;
	rec->waiting = c->n_queue;
	rec->oom = c->stats.oom;
	rec->host_bytes = cluster_host_bytes(c);
	rec->configured_bytes = c->stats.committed_peak_bytes;
	rec->configured_bytes_mean = c->stats.committed_byte_ns / (double)sc->duration_ns;
	rec->overcommit_ratio = (double)rec->configured_bytes / (double)rec->host_bytes;
	rec->hosts_used = cluster_hosts_used(c);
	rec->used_mean = col_mean(&rec->series, COL_USED);
	rec->shared_saved_mean = col_mean(&rec->series, COL_SHARED_SAVED);
	rec->ballooned_mean = col_mean(&rec->series, COL_BALLOONED);
	rec->swapped_mean = col_mean(&rec->series, COL_SWAPPED);
	rec->compressed_mean = col_mean(&rec->series, COL_COMPRESSED);
	for (i = 0; i < rec->series.n; i++)
		if (rec->series.col[COL_USED][i] > rec->used_peak)
			rec->used_peak = rec->series.col[COL_USED][i];
	if (sc->cost.present) {
		/* The mean host's capacity, so mixed host groups weigh by count. */
		double cap = 0;

		for (i = 0; i < c->n_hosts; i++)
			cap += (double)host_capacity_bytes(&c->hosts[i]) / (double)c->n_hosts;
		rec->has_cost = true;
		rec->currency = sc->cost.currency;
		rec->host_per_month = sc->cost.host_per_month;
		rec->hosts_without_overcommit =
			(uint64_t)ceil((double)c->stats.committed_peak_bytes / cap - 1e-9);
	}
	rec->n_hosts = c->n_hosts;
	rec->hosts = xcalloc(c->n_hosts ? c->n_hosts : 1, sizeof(*rec->hosts));
	for (i = 0; i < c->n_hosts; i++) {
		collect_host(&c->hosts[i], &rec->hosts[i]);
		rec->hosts_swap_full += rec->hosts[i].swap_full;
	}
	/* VMs that arrived within the run, in trace order. */
	rec->vms = xcalloc(c->n_vms ? c->n_vms : 1, sizeof(*rec->vms));
	for (i = 0; i < c->n_vms; i++) {
		if (c->vms[i].state == VM_PENDING)
			continue;
		collect_vm(sc, c, &c->vms[i], rec->hosts, &rec->vms[k], rec);
		if (rec->vms[k].ran) {
			slow[n_ran] = rec->vms[k].slowdown;
			prog[n_ran++] = rec->vms[k].progress;
		}
		k++;
	}
	rec->n_vms = k;
	if (n_ran) {
		rec->slowdown_mean = gsl_stats_mean(slow, 1, n_ran);
		rec->progress_mean = gsl_stats_mean(prog, 1, n_ran);
		gsl_sort(slow, 1, n_ran);
		rec->slowdown_p99 = gsl_stats_quantile_from_sorted_data(slow, 1, n_ran, 0.99);
	} else {
		rec->progress_mean = 1.0;
	}
	free(slow);
	free(prog);
}

static void progress_line(sim_time t, sim_time end)
{
	char a[32], b[32];

	fprintf(stderr, "\rmemsim: simulated %s of %s (%.0f%%)   ",
		units_format_duration(t / UNITS_NS_PER_S * UNITS_NS_PER_S, a, sizeof(a)),
		units_format_duration(end, b, sizeof(b)), 100.0 * (double)t / (double)end);
}

/* Most pages that can be placed at once: all VMs, or what the hosts may
 * promise, whichever is less. */
static double peak_pages(const struct scenario *sc)
{
	const struct policy *oc = &sc->policies[FAMILY_OVERCOMMIT];
	const struct overcommit_ops *ops = oc->ops;
	double promise = 0;
	size_t g;

	for (g = 0; g < sc->n_groups; g++) {
		struct host h;

		host_init(&h, 0, "estimate", sc->groups[g].name, sc->groups[g].memory_bytes,
			  sc->groups[g].overhead_bytes);
		promise += (double)sc->groups[g].count * (double)ops->headroom(oc->priv, &h);
		host_release(&h);
	}
	promise /= (double)sc->page_bytes;
	return fmin(scenario_pages_estimate(sc), promise);
}

/*
 * The results as JSON: the cJSON tree and its printed text, both held at
 * once, per VM, per host and per series value.  Measured (peak RSS of runs
 * of 100k VMs and of 100k hosts) and rounded up.
 */
#define JSON_BYTES_PER_VM 4096.0
#define JSON_BYTES_PER_HOST 2048.0
#define JSON_BYTES_PER_VALUE 128.0

double run_memory_estimate(const struct scenario *sc)
{
	double vms = (double)trace_vm_count(&sc->trace);
	double samples = (double)(sc->duration_ns / sc->sample_ns + 1);
	/* The model's VM, its expanded spec and phase, its record, its arrival
	 * and departure events, the queue and host pointers to it, its names. */
	double per_vm = sizeof(struct vm) + sizeof(struct vm_spec) + sizeof(struct phase) +
			sizeof(struct rec_vm) + 2 * sizeof(struct sim_event) + 2 * sizeof(void *) +
			2 * 64 + 160 + JSON_BYTES_PER_VM;
	/* The host, its parameters, pointer and headroom, record and names. */
	double per_host = sizeof(struct host) + sizeof(struct host_params) + sizeof(void *) +
			  sizeof(int64_t) + sizeof(struct rec_host) + 2 * 64 + 1024 +
			  JSON_BYTES_PER_HOST;
	double per_sample = (COL_COUNT + 2) * (8.0 + JSON_BYTES_PER_VALUE);

	return peak_pages(sc) * MEM_BYTES_PER_PAGE + vms * per_vm +
	       (double)sc->n_hosts * per_host + samples * per_sample;
}

/* Refuses up front a run that would not fit in this machine's memory or
 * in the process's memory limits. */
static int check_fits(const struct scenario *sc, struct sim_err *err)
{
	double need = run_memory_estimate(sc);
	const char *what;
	double limit = xmem_budget(&what);
	double pages = peak_pages(sc) * MEM_BYTES_PER_PAGE;
	int64_t page = sc->page_bytes;
	char a[32], b[32], d[32];

	if (limit < 0 || need <= limit)
		return 0;
	/* Only the page state shrinks with a larger page. */
	while (page < (1LL << 30) &&
	       need - pages + pages * (double)sc->page_bytes / (double)page > limit)
		page *= 2;
	if (need - pages + pages * (double)sc->page_bytes / (double)page > limit)
		return sim_err_set(err, -SIM_ENOMEM, sc->path, 0, 0,
				   "out of memory (the run needs about %s and %s leaves %s, "
				   "whatever the page_size)",
				   units_format_size((int64_t)need, a, sizeof(a)), what,
				   units_format_size((int64_t)limit, b, sizeof(b)));
	return sim_err_set(err, -SIM_ENOMEM, sc->path, 0, 0,
			   "out of memory (the run needs about %s and %s leaves %s); "
			   "page_size: %s would fit",
			   units_format_size((int64_t)need, a, sizeof(a)), what,
			   units_format_size((int64_t)limit, b, sizeof(b)),
			   units_format_size(page, d, sizeof(d)));
}

int run_replication(const struct scenario *sc, uint32_t replication, const struct run_opts *o,
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
	uint64_t faults_seen = 0;
	double stall_seen = 0;
	sim_time t;
	int rc;

	memset(rec, 0, sizeof(*rec));
	if ((rc = check_fits(sc, err)))
		return rc;
	rc = trace_expand(&sc->trace, sc->seed, replication, sc->page_bytes, &specs, &n_specs, err);
	if (rc)
		return rc;
	for (i = 0; i < n_specs; i++)
		if (specs[i].memory_bytes / sc->page_bytes >= MEM_MAX_PAGES) {
			char a[32];

			rc = cfg_err(
				err, -SIM_ERANGE, specs[i].where,
				"VM %s has %lld pages of %s; at most %u are simulated per VM "
				"(use a larger page_size)",
				specs[i].name, (long long)(specs[i].memory_bytes / sc->page_bytes),
				units_format_size(sc->page_bytes, a, sizeof(a)), MEM_MAX_PAGES - 1);
			trace_specs_free(specs, n_specs);
			return rc;
		}
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
	cp.trace = &sc->trace;
	cp.seed = sc->seed;
	cp.replication = replication;
	cp.page_bytes = sc->page_bytes;
	cp.tick_ns = sc->tick_ns;
	cp.end_ns = sc->duration_ns;
	cp.latency = (struct mem_latency){sc->latency.zero_fill_ns, sc->latency.cow_ns,
					  sc->latency.decompress_ns, sc->latency.guest_swap_in_ns};
	cp.balloon = sc->policies[FAMILY_BALLOON].ops;
	cp.balloon_priv = sc->policies[FAMILY_BALLOON].priv;
	cp.balloon_pages_per_tick = (uint64_t)(sc->balloon_rate * (double)sc->tick_ns / 1e9 /
					       (double)sc->page_bytes);
	cp.balloon_max = sc->balloon_max;
	cp.check_every = o->check_every;

	s = sim_new();
	c = cluster_new(s, &cp);
	cluster_start(c);
	for (t = 0; !c->check_failed; t += sc->sample_ns) {
		if (t > sc->duration_ns)
			t = sc->duration_ns;
		sim_run(s, t);
		if (c->check_failed)
			break;
		collect_sample(rec, c, t, &faults_seen, &stall_seen);
		if (o->progress && wall_now() - last_print > 0.25) {
			last_print = wall_now();
			progress_line(t, sc->duration_ns);
		}
		if (t == sc->duration_ns)
			break;
	}
	if (o->progress && last_print > t0)
		fprintf(stderr, "\r%60s\r", "");
	if (c->check_failed) {
		*err = c->check_err;
		rc = sim_err_set(err, -SIM_EINVAL, sc->path, 0, 0,
				 "invariant broken at %.3f s (a bug in memsim): %s",
				 (double)sim_now(s) / 1e9, c->check_err.msg);
	} else {
		rec->name = sc->name;
		rec->seed = sc->seed;
		rec->replication = replication;
		rec->config = sc->root;
		rec->events = sim_events_run(s);
		collect_end(sc, rec, c);
		rec->wall_s = wall_now() - t0;
	}
	cluster_free(c);
	sim_free(s);
	trace_specs_free(specs, n_specs);
	for (i = 0; i < (size_t)sc->n_hosts; i++)
		free(names[i]);
	free(names);
	free(hp);
	if (rc)
		results_release(rec);
	return rc;
}
