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
#include "evq.h"
#include "sampling.h"
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
			hp[k].disk_read_ns = hg->disk.read_latency_ns;
			hp[k].disk_write_ns = hg->disk.write_latency_ns;
			hp[k].disk_bandwidth = hg->disk.bandwidth;
			hp[k].pt = hg->pt;
		}
	}
	return hp;
}

/* Faults (in all, and by kind) and stall of every VM that ever ran, so far.
 * The stall is summed as a double: each VM's fits 64 bits (scenario.c bounds
 * it), but a sum over 10^5 VMs of a day each could pass 2^63 ns; below
 * 2^53 ns it is exact. */
static void totals(const struct cluster *c, uint64_t *faults, uint64_t kinds[FAULT_COUNT],
		   double *stall_ns)
{
	size_t i;
	int k;

	*faults = 0;
	*stall_ns = 0;
	memset(kinds, 0, FAULT_COUNT * sizeof(*kinds));
	for (i = 0; i < c->n_vms; i++) {
		const struct mem_stats *st = &c->vms[i].mem.stats;

		for (k = 0; k < FAULT_COUNT; k++) {
			*faults += st->faults[k];
			kinds[k] += st->faults[k];
		}
		*stall_ns += (double)st->stall_ns;
	}
}

/* One host's memory columns now (its faults are its VMs', added by the caller). */
static void host_sample(const struct host *h, int64_t v[COL_COUNT])
{
	const struct hmem *hm = &h->mem;
	int64_t pb = hm->page_bytes;

	v[COL_CONFIGURED] = h->committed_bytes;
	v[COL_USED] = (int64_t)(hm->frames_total - hm->frames_free) * pb;
	v[COL_FREE] = (int64_t)hm->frames_free * pb;
	v[COL_SHARED_SAVED] = (int64_t)(hm->n_shared_mapped - hm->shared.n_used) * pb;
	v[COL_BALLOONED] = (int64_t)hm->n_ballooned * pb;
	v[COL_SWAPPED] = (int64_t)hm->swap.used_pages * pb;
	v[COL_COMPRESSED] = (int64_t)hm->n_compressed * pb;
	v[COL_FAULTS] = 0;
}

/* The totals at the last sample, so that a sample holds what happened since. */
struct seen {
	uint64_t faults;                /* every VM's faults */
	uint64_t kinds[FAULT_COUNT];    /* and by kind */
	double stall_ns;                /* summed as totals() sums it */
	/* With output.host_series: each VM's, charged to the host it ran on. */
	uint64_t *vm_faults;
	int64_t *vm_stall_ns;
	int64_t *host_faults, *host_stall_ns;   /* per host, since the last sample */
};

/* Charges each VM's faults and stall since the last sample to its host. */
static void charge_hosts(const struct cluster *c, struct seen *sn)
{
	size_t i;
	int k;

	memset(sn->host_faults, 0, c->n_hosts * sizeof(*sn->host_faults));
	memset(sn->host_stall_ns, 0, c->n_hosts * sizeof(*sn->host_stall_ns));
	for (i = 0; i < c->n_vms; i++) {
		const struct mem_stats *st = &c->vms[i].mem.stats;
		uint64_t f = 0;

		if (!c->vms[i].ran_on)
			continue;
		for (k = 0; k < FAULT_COUNT; k++)
			f += st->faults[k];
		sn->host_faults[c->vms[i].ran_on->id] += (int64_t)(f - sn->vm_faults[i]);
		sn->host_stall_ns[c->vms[i].ran_on->id] += st->stall_ns - sn->vm_stall_ns[i];
		sn->vm_faults[i] = f;
		sn->vm_stall_ns[i] = st->stall_ns;
	}
}

/*
 * A sample at t; *sn carries the totals of the last one.  Each host's
 * peaks are kept, and its series with output.host_series.
 */
static void collect_sample(struct run_record *rec, const struct cluster *c, sim_time t,
			   struct seen *sn)
{
	int64_t v[COL_COUNT] = {0}, hv[COL_COUNT];
	double stall;
	uint64_t f, kinds[FAULT_COUNT], delta[REC_FAULTS];
	size_t i;
	int k;

	if (sn->vm_faults)
		charge_hosts(c, sn);
	v[COL_CONFIGURED] = c->stats.committed_bytes;
	for (i = 0; i < c->n_hosts; i++) {
		struct rec_host *rh = &rec->hosts[i];

		host_sample(&c->hosts[i], hv);
		for (k = COL_USED; k < COL_FAULTS; k++)
			v[k] += hv[k];
		if (hv[COL_USED] > rh->used_bytes_peak)
			rh->used_bytes_peak = hv[COL_USED];
		if (hv[COL_SWAPPED] > rh->swapped_bytes_peak)
			rh->swapped_bytes_peak = hv[COL_SWAPPED];
		if (rh->series) {
			hv[COL_FAULTS] = sn->host_faults[i];
			results_series_add(rh->series, (double)t / 1e9, hv,
					   (double)sn->host_stall_ns[i] / 1e9);
		}
	}
	totals(c, &f, kinds, &stall);
	v[COL_FAULTS] = (int64_t)(f - sn->faults);
	results_series_add(&rec->series, (double)t / 1e9, v, (stall - sn->stall_ns) / 1e9);
	for (k = 0; k < FAULT_COUNT; k++) {
		delta[k] = kinds[k] - sn->kinds[k];
		sn->kinds[k] = kinds[k];
	}
	results_series_add_kinds(&rec->series, delta);
	sn->faults = f;
	sn->stall_ns = stall;
}

/*
 * Per VM (by id): sums over the samples while it was placed of its memory
 * (resident: guest pages on private or shared host frames; ballooned,
 * host-swapped and compressed pages), its true working set and its
 * estimate; with output.vm_series, its series and what it had faulted and
 * stalled at the last sample.
 */
struct vm_sums {
	double resident, ballooned, swapped, compressed, active, estimated;
	uint64_t n;
	struct rec_vm_series *series;   /* with output.vm_series; moved to its record */
	uint64_t faults;
	int64_t stall_ns;
	/* Sums of the policies' figures (policy_info.vm_stats), one per
	 * family that has them, in family order; NULL until its first sample. */
	struct policy_stats *pol;
};

/* Whether family f's policy has figures per VM. */
static bool has_vm_stats(const struct cluster *c, int f)
{
	void *priv;

	return policy_set_info(&c->p.policies, (enum policy_family)f, &priv)->vm_stats != NULL;
}

/* Adds each policy's figures for vm at t to s->pol. */
static void sample_vm_policies(struct vm_sums *s, const struct cluster *c, const struct vm *vm,
			       sim_time t)
{
	size_t j = 0, k;
	int f, n = 0;

	for (f = 0; f < FAMILY_COUNT; f++)
		n += has_vm_stats(c, f);
	if (!n)
		return;
	if (!s->pol)
		s->pol = xcalloc((size_t)n, sizeof(*s->pol));
	for (f = 0; f < FAMILY_COUNT; f++) {
		void *priv;
		const struct policy_info *info =
			policy_set_info(&c->p.policies, (enum policy_family)f, &priv);
		struct policy_ctx ctx;
		struct policy_stats st = {0};

		if (!info->vm_stats)
			continue;
		ctx = policy_ctx_of(vm->host, (enum policy_family)f, t);
		info->vm_stats(&ctx, vm, &st);
		s->pol[j].n = st.n;
		for (k = 0; k < st.n; k++) {
			s->pol[j].key[k] = st.key[k];
			s->pol[j].value[k] += st.value[k];
		}
		j++;
	}
}

void run_vm_memory(const struct vm *vm, int64_t page_bytes, int64_t v[VCOL_COUNT])
{
	const struct vmem *m = &vm->mem;
	int k;

	v[VCOL_CONFIGURED] = vm_memory_bytes(vm);
	v[VCOL_USED] = (int64_t)(m->n_state[PS_PRIVATE] + m->n_state[PS_SHARED]) * page_bytes;
	v[VCOL_BALLOONED] = (int64_t)m->n_state[PS_BALLOONED] * page_bytes;
	v[VCOL_SWAPPED] = (int64_t)m->n_state[PS_SWAPPED] * page_bytes;
	v[VCOL_COMPRESSED] = (int64_t)m->n_state[PS_COMPRESSED] * page_bytes;
	v[VCOL_FAULTS] = 0;
	for (k = 0; k < FAULT_COUNT; k++)
		v[VCOL_FAULTS] += (int64_t)m->stats.faults[k];
	v[VCOL_ACTIVE] = v[VCOL_ESTIMATED_ACTIVE] = 0;
	v[VCOL_ASSIGNED] = (int64_t)(m->n_pages - m->n_state[PS_BALLOONED]) * page_bytes;
}

/* Samples every running VM's memory, and its series with output.vm_series:
 * O(VMs). */
static void sample_vms(struct vm_sums *sums, const struct cluster *c, sim_time t,
		       bool vm_series)
{
	size_t i, j;

	for (i = 0; i < c->n_hosts; i++)
		for (j = 0; j < c->hosts[i].n_vms; j++) {
			const struct vm *vm = c->hosts[i].vms[j];
			struct vm_sums *s = &sums[vm->id];
			int64_t v[VCOL_COUNT], faults;

			run_vm_memory(vm, c->p.page_bytes, v);
			v[VCOL_ACTIVE] = cluster_vm_active_bytes(c, vm);
			v[VCOL_ESTIMATED_ACTIVE] = cluster_vm_estimated_active_bytes(c, vm);
			s->resident += (double)v[VCOL_USED];
			s->ballooned += (double)v[VCOL_BALLOONED];
			s->swapped += (double)v[VCOL_SWAPPED];
			s->compressed += (double)v[VCOL_COMPRESSED];
			s->active += (double)v[VCOL_ACTIVE];
			s->estimated += (double)v[VCOL_ESTIMATED_ACTIVE];
			s->n++;
			sample_vm_policies(s, c, vm, t);
			if (!vm_series)
				continue;
			if (!s->series)
				s->series = xcalloc(1, sizeof(*s->series));
			faults = v[VCOL_FAULTS];
			v[VCOL_FAULTS] = faults - (int64_t)s->faults;
			results_vm_series_add(s->series, (double)t / 1e9, v,
					      (double)(vm->mem.stats.stall_ns - s->stall_ns) / 1e9);
			s->faults = (uint64_t)faults;
			s->stall_ns = vm->mem.stats.stall_ns;
		}
}

/* Each policy's figures on h: reclaim and sharing always (DESIGN.md
 * section 8), the others when they have any. */
static void collect_host_policies(const struct cluster *c, const struct host *h,
				  struct rec_host *r)
{
	int f;

	for (f = 0; f < FAMILY_COUNT && r->n_policies < REC_POLICY_FAMILIES; f++) {
		void *priv;
		const struct policy_info *info =
			policy_set_info(&c->p.policies, (enum policy_family)f, &priv);
		struct policy_ctx ctx = policy_ctx_of(h, (enum policy_family)f, sim_now(c->sim));
		struct policy_stats st = {0};
		struct rec_policy *p;
		size_t k;

		if (!info->host_stats && f != FAMILY_RECLAIM && f != FAMILY_SHARING)
			continue;
		p = &r->policies[r->n_policies++];
		p->family = policy_family_name((enum policy_family)f);
		p->policy = info->name;
		if (f == FAMILY_RECLAIM)
			p->pressure = policy_pressure_name(policy_pressure(&ctx));
		if (info->host_stats)
			info->host_stats(&ctx, &st);
		for (k = 0; k < st.n && k < REC_POLICY_STATS; k++) {
			p->key[k] = st.key[k];
			p->value[k] = st.value[k];
		}
		p->n = k;
	}
}
/* The results name the model's fault kinds in its order. */
_Static_assert(REC_FAULTS == FAULT_COUNT, "a fault kind without a results name");

static double col_mean(const struct rec_series *s, enum rec_col k)
{
	double sum = 0;
	size_t i;

	for (i = 0; i < s->n; i++)
		sum += (double)s->col[k][i];
	return s->n ? sum / (double)s->n : 0.0;
}

static void collect_device(const struct swapdev *d, sim_time run_ns, struct rec_device *r)
{
	r->requests = d->pages_in + d->pages_out;
	r->utilization = run_ns > 0 ? (double)d->busy_ns / (double)run_ns : 0.0;
	r->wait_mean_s = r->requests ? d->wait_sum_ns / (double)r->requests / 1e9 : 0.0;
}

static void collect_host(const struct host *h, sim_time run_ns, struct rec_host *r)
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
	collect_device(&hm->swap, run_ns, &r->swap_queue);
	collect_device(&hm->disk, run_ns, &r->disk_queue);
	r->oom = hm->oom;
	r->mapping.table_bytes = hm->pt.bytes;
	r->mapping.large_bytes = (int64_t)(hm->pt.n_large * hm->pt.group) * pb;
	r->mapping.small_bytes = (int64_t)(hm->n_private + hm->n_shared_mapped -
					   hm->pt.n_large * hm->pt.group) * pb;
	r->mapping.broken_large_pages = hm->pt.broken_pages;
	r->mapping.broken_shared_bytes = (int64_t)hm->pt.broken_shared * pb;
}

/* The VM's mapping now, or when it left (model/pt.h). */
static void collect_mapping(const struct vm *vm, struct rec_vm *r)
{
	const struct pt_vm *pv = &vm->mem.pt;
	bool running = vm->state == VM_RUNNING;

	int64_t pb = vm->cluster->p.page_bytes;

	r->mapping.table_bytes = running ? pv->bytes : pv->bytes_left;
	r->mapping.table_bytes_peak = pv->bytes_peak;
	r->mapping.large_bytes =
		(int64_t)((running ? pv->n_large : pv->large_left) * pv->group) * pb;
	r->mapping.small_bytes = (int64_t)(running ? pv->mapped_small : pv->small_left) * pb;
	r->mapping.broken_large_pages = pv->broken_pages;
	r->mapping.broken_shared_bytes =
		(int64_t)(running ? pv->broken_shared : pv->broken_shared_left) * pb;
	r->mapping.translation_s = pv->translation_ns / 1e9;
	r->mapping.translation_overhead =
		vm->mem.stats.run_ns ? pv->translation_ns / (double)vm->mem.stats.run_ns : 0.0;
}

/* The means of the policies' figures for a VM of n samples. */
static void collect_vm_policies(const struct cluster *c, const struct vm_sums *vs, double n,
				struct rec_vm *r)
{
	size_t j = 0, k;
	int f;

	if (!vs->pol)
		return;
	for (f = 0; f < FAMILY_COUNT; f++)
		r->n_policies += has_vm_stats(c, f);
	r->policies = xcalloc(r->n_policies, sizeof(*r->policies));
	for (f = 0; f < FAMILY_COUNT; f++) {
		void *priv;
		const struct policy_info *info =
			policy_set_info(&c->p.policies, (enum policy_family)f, &priv);
		struct rec_policy *p;

		if (!info->vm_stats)
			continue;
		p = &r->policies[j];
		p->family = policy_family_name((enum policy_family)f);
		p->policy = info->name;
		p->n = vs->pol[j].n < REC_POLICY_STATS ? vs->pol[j].n : REC_POLICY_STATS;
		for (k = 0; k < p->n; k++) {
			p->key[k] = vs->pol[j].key[k];
			p->value[k] = vs->pol[j].value[k] / n;
		}
		j++;
	}
}

/* One VM's record; *sum gathers the cluster's totals. */
static void collect_vm(const struct scenario *sc, const struct cluster *c, const struct vm *vm,
		       struct vm_sums *vs, struct rec_host *hosts, struct rec_vm *r,
		       struct run_record *sum)
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
	collect_mapping(vm, r);
	sum->double_paging += st->double_paging;
	sum->host_swap_out_bytes += (int64_t)st->host_swap_out * pb;
	sum->host_swap_in_bytes += (int64_t)st->host_swap_in * pb;
	sum->guest_swap_out_bytes += (int64_t)st->guest_swap_out * pb;
	sum->guest_swap_in_bytes += (int64_t)st->guest_swap_in * pb;
	sum->host_compress_bytes += (int64_t)st->zip_in * pb;
	sum->host_compress_evict_bytes += (int64_t)st->zip_evict * pb;
	r->touches = st->touches;
	r->stall_s = (double)st->stall_ns / 1e9;
	/* slowdown is the stalled share of the VM's time; the completion-time
	 * inflation is how much longer its work took (THEORY.md). */
	r->slowdown = st->run_ns ? (double)st->stall_ns / (double)st->run_ns : 0.0;
	r->progress = st->touches > 0 ? st->done / st->touches : 1.0;
	r->stalled_share = r->slowdown;
	r->inflation = r->progress > 0 ? 1.0 / r->progress - 1.0 : (double)NAN;
	r->oom = vm->state == VM_OOM;
	if (vs->n) {
		double n = (double)vs->n;

		r->resident_bytes_mean = vs->resident / n;
		r->ballooned_bytes_mean = vs->ballooned / n;
		r->swapped_bytes_mean = vs->swapped / n;
		r->compressed_bytes_mean = vs->compressed / n;
		r->active_bytes_mean = vs->active / n;
		r->estimated_active_bytes_mean = vs->estimated / n;
		collect_vm_policies(c, vs, n, r);
	}
	r->series = vs->series;
	vs->series = NULL;
	sum->touches += st->touches;
	sum->stall_s += r->stall_s;
	if (sc->sla.has_max_slowdown && r->slowdown > sc->sla.max_slowdown)
		sum->sla_violations++;
}

static void collect_end(const struct scenario *sc, struct run_record *rec, struct cluster *c,
			struct vm_sums *sums)
{
	double *slow = xcalloc(c->n_vms ? c->n_vms : 1, sizeof(*slow));
	double *prog = xcalloc(c->n_vms ? c->n_vms : 1, sizeof(*prog));
	double *infl = xcalloc(c->n_vms ? c->n_vms : 1, sizeof(*infl));
	size_t i, k = 0, n_ran = 0, n_infl = 0;

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
	for (i = 0; i < c->n_hosts; i++) {
		collect_host(&c->hosts[i], sc->duration_ns, &rec->hosts[i]);
		collect_host_policies(c, &c->hosts[i], &rec->hosts[i]);
		rec->hosts_swap_full += rec->hosts[i].swap_full;
	}
	/* VMs that arrived within the run, in trace order. */
	rec->vms = xcalloc(c->n_vms ? c->n_vms : 1, sizeof(*rec->vms));
	for (i = 0; i < c->n_vms; i++) {
		if (c->vms[i].state == VM_PENDING)
			continue;
		collect_vm(sc, c, &c->vms[i], &sums[i], rec->hosts, &rec->vms[k], rec);
		if (rec->vms[k].ran) {
			slow[n_ran] = rec->vms[k].slowdown;
			prog[n_ran++] = rec->vms[k].progress;
			if (isfinite(rec->vms[k].inflation))
				infl[n_infl++] = rec->vms[k].inflation;
		}
		k++;
	}
	rec->n_vms = k;
	if (n_ran) {
		rec->slowdown_mean = gsl_stats_mean(slow, 1, n_ran);
		rec->stalled_share_mean = rec->slowdown_mean;
		rec->progress_mean = gsl_stats_mean(prog, 1, n_ran);
		gsl_sort(slow, 1, n_ran);
		rec->slowdown_p99 = gsl_stats_quantile_from_sorted_data(slow, 1, n_ran, 0.99);
		rec->slowdown_p95 = gsl_stats_quantile_from_sorted_data(slow, 1, n_ran, 0.95);
	} else {
		rec->progress_mean = 1.0;
	}
	if (n_infl) {
		rec->inflation_mean = gsl_stats_mean(infl, 1, n_infl);
		gsl_sort(infl, 1, n_infl);
		rec->inflation_p99 = gsl_stats_quantile_from_sorted_data(infl, 1, n_infl, 0.99);
	}
	free(slow);
	free(prog);
	free(infl);
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
	struct overcommit_policy ops = {oc->ops, oc->priv};
	struct policy_ctx ctx = {.family = FAMILY_OVERCOMMIT, .priv = oc->priv};
	double promise = 0;
	size_t g;

	for (g = 0; g < sc->n_groups; g++) {
		struct host h;

		host_init(&h, 0, "estimate", sc->groups[g].name, sc->groups[g].memory_bytes,
			  sc->groups[g].overhead_bytes);
		ctx.host = &h;
		promise += (double)sc->groups[g].count *
			   (double)overcommit_headroom(&ops, &ctx, NULL);
		host_release(&h);
	}
	promise /= (double)sc->page_bytes;
	return fmin(scenario_pages_estimate(sc), promise);
}

/* State per full page: a sampled run keeps the rate's share of the pages,
 * and, where VMs may hold image pages, 4 bytes for each that name its
 * rank in the full VM (model/sample.h). */
/*
 * The results as JSON: the cJSON tree and its printed text, both held at
 * once, per VM, per host and per series value.  Measured (peak RSS of runs
 * of 100k VMs and of 100k hosts) and rounded up.
 */
#define JSON_BYTES_PER_VM 4096.0
#define JSON_BYTES_PER_HOST 2048.0
#define JSON_BYTES_PER_VALUE 128.0

double run_bytes_per_page(const struct scenario *sc)
{
	const struct policy *rp = &sc->policies[FAMILY_RECLAIM];
	struct reclaim_policy reclaim = {rp->ops, rp->priv};
	double zip = reclaim_compress_max(&reclaim) > 0 || reclaim_zswap(&reclaim, NULL)
			     ? MEM_ZIP_BYTES_PER_PAGE
			     : 0;

	/* A sampled run keeps the rate's share of the pages, and its VMs with
	 * image pages a sampled page's index each. */
	if (sample_is_on(sc->sample_rate))
		return sc->sample_rate * (MEM_BYTES_PER_PAGE + zip +
					  (sc->trace.n_images ? sizeof(uint32_t) : 0));
	return MEM_BYTES_PER_PAGE + zip;
}

/* The placement policy's own state (sharing-aware: a fingerprint per VM
 * and per host). */
static double placement_bytes(const struct scenario *sc, double vms)
{
	const struct policy *pp = &sc->policies[FAMILY_PLACEMENT];
	const struct placement_ops *ops = pp->ops;

	if (!ops || !ops->memory_estimate)
		return 0;
	return ops->memory_estimate(pp->priv, vms, (double)sc->n_hosts);
}

double run_memory_estimate(const struct scenario *sc)
{
	double vms = (double)trace_vm_count(&sc->trace);
	double samples = (double)(sc->duration_ns / sc->sample_ns + 1);
	/* The model's VM, its expanded spec and phase, its record and sampled
	 * sums, its arrival and departure events, the queue and host pointers
	 * to it, its names. */
	double per_vm = sizeof(struct vm) + sizeof(struct vm_spec) + sizeof(struct phase) +
			sizeof(struct rec_vm) + sizeof(struct vm_sums) + 2.0 * EVQ_BYTES_PER_EVENT +
			2 * sizeof(void *) + 2 * 64 + 160 + JSON_BYTES_PER_VM;
	/* The host, its parameters, pointer and headroom, record and names, and
	 * each policy family's stream and timer on it. */
	double per_host = sizeof(struct host) + sizeof(struct host_params) + sizeof(void *) +
			  sizeof(int64_t) + sizeof(struct rec_host) + 2 * 64 + 1024 +
			  FAMILY_COUNT * (sizeof(struct cluster_timer) + 96.0) + JSON_BYTES_PER_HOST;
	double per_sample = (COL_COUNT + 2) * (8.0 + JSON_BYTES_PER_VALUE);
	int f;

	/* With output.vm_series, each VM's series, as if it ran all the run:
	 * O(VMs x samples).  Its arrays grow by doubling, so up to twice the
	 * 8 bytes a value. */
	if (sc->vm_series)
		per_vm += samples * (VCOL_COUNT + 2) * (2 * 8.0 + JSON_BYTES_PER_VALUE);
	/* Each policy's figures per VM: its sums, its record and their JSON. */
	for (f = 0; f < FAMILY_COUNT; f++)
		if (sc->policies[f].info->vm_stats)
			per_vm += sizeof(struct policy_stats) + sizeof(struct rec_policy) +
				  POLICY_STATS_MAX * JSON_BYTES_PER_VALUE;

	return peak_pages(sc) * run_bytes_per_page(sc) + vms * per_vm +
	       (double)sc->n_hosts * per_host + samples * per_sample + placement_bytes(sc, vms);
}

/* Refuses up front a run that would not fit in this machine's memory or
 * in the process's memory limits. */
static int check_fits(const struct scenario *sc, struct sim_err *err)
{
	double need = run_memory_estimate(sc);
	const char *what;
	double limit = xmem_budget(&what);
	double pages = peak_pages(sc) * run_bytes_per_page(sc);
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
	struct vm_sums *sums;
	struct cluster *c;
	struct sim *s;
	char **names;
	size_t n_specs, i;
	double t0 = wall_now(), last_print = t0;
	struct seen sn = {0};
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
	policy_set_from(&cp.policies, sc->policies);
	cp.queue_on_full = sc->queue_on_full;
	cp.max_wait_ns = sc->max_wait_ns;
	cp.images = sc->trace.images;
	cp.n_images = sc->trace.n_images;
	cp.seed = sc->seed;
	cp.replication = replication;
	cp.page_bytes = sc->page_bytes;
	cp.tick_ns = sc->tick_ns;
	cp.end_ns = sc->duration_ns;
	cp.latency = (struct mem_latency){sc->latency.zero_fill_ns, sc->latency.cow_ns,
					  sc->latency.decompress_ns, sc->latency.compress_ns};
	/* A sampled run's balloons move the rate's share (model/sample.h). */
	cp.balloon_rate = sample_is_on(sc->sample_rate) ? sc->balloon_rate * sc->sample_rate
							: sc->balloon_rate;
	cp.sample_rate = sc->sample_rate;
	cp.balloon_max = sc->balloon_max;
	cp.check_every = o->check_every;
	cp.threads = o->threads;

	sums = xcalloc(n_specs ? n_specs : 1, sizeof(*sums));
	s = sim_new();
	c = cluster_new(s, &cp);
	/* Hosts are recorded from the first sample on: their peaks and series. */
	rec->n_hosts = c->n_hosts;
	rec->hosts = xcalloc(c->n_hosts ? c->n_hosts : 1, sizeof(*rec->hosts));
	for (i = 0; sc->host_series && i < c->n_hosts; i++)
		rec->hosts[i].series = xcalloc(1, sizeof(*rec->hosts[i].series));
	if (sc->host_series) {
		sn.vm_faults = xcalloc(c->n_vms + 1, sizeof(*sn.vm_faults));
		sn.vm_stall_ns = xcalloc(c->n_vms + 1, sizeof(*sn.vm_stall_ns));
		sn.host_faults = xcalloc(c->n_hosts + 1, sizeof(*sn.host_faults));
		sn.host_stall_ns = xcalloc(c->n_hosts + 1, sizeof(*sn.host_stall_ns));
	}
	cluster_start(c);
	for (t = 0; !c->check_failed; t += sc->sample_ns) {
		if (t > sc->duration_ns)
			t = sc->duration_ns;
		sim_run(s, t);
		if (c->check_failed)
			break;
		collect_sample(rec, c, t, &sn);
		sample_vms(sums, c, t, sc->vm_series);
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
		collect_end(sc, rec, c, sums);
		if (sample_is_on(sc->sample_rate))
			sampling_scale(rec, sc->sample_rate);
		rec->wall_s = wall_now() - t0;
	}
	free(sn.vm_faults);
	free(sn.vm_stall_ns);
	free(sn.host_faults);
	free(sn.host_stall_ns);
	cluster_free(c);
	sim_free(s);
	for (i = 0; i < n_specs; i++) {
		results_vm_series_free(sums[i].series);
		free(sums[i].pol);
	}
	free(sums);
	trace_specs_free(specs, n_specs);
	for (i = 0; i < (size_t)sc->n_hosts; i++)
		free(names[i]);
	free(names);
	free(hp);
	if (rc)
		results_release(rec);
	return rc;
}
