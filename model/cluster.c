/*
 * cluster.c - admission, placement, queueing and departures.
 *
 * Event handlers receive a struct vm * and find the cluster through
 * vm->cluster, which keeps an event's argument at one word.
 */
#include "cluster.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "pool.h"
#include "rng.h"
#include "xmem.h"

static void account(struct cluster *c, int64_t delta)
{
	sim_time now = sim_now(c->sim);

	c->stats.committed_byte_ns +=
		(double)c->stats.committed_bytes * (double)(now - c->stats.last_change_ns);
	c->stats.last_change_ns = now;
	c->stats.committed_bytes += delta;
	if (c->stats.committed_bytes > c->stats.committed_peak_bytes)
		c->stats.committed_peak_bytes = c->stats.committed_bytes;
}

void cluster_settle(struct cluster *c)
{
	account(c, 0);
}

static void on_depart(struct sim *s, void *arg);
static void on_timeout(struct sim *s, void *arg);
static void vm_mem_start(struct cluster *c, struct host *h, struct vm *vm);
static void vm_mem_stop(struct host *h, struct vm *vm);

/* --- policy hooks --------------------------------------------------------- */

/* Gives vm each policy's zeroed state and tells the policies it arrived. */
static void policies_on_place(struct cluster *c, struct host *h, struct vm *vm)
{
	int f;

	for (f = 0; f < FAMILY_COUNT; f++) {
		void *priv;
		const struct policy_info *info =
			policy_set_info(&c->p.policies, (enum policy_family)f, &priv);

		vm->policy_priv[f] = info->vm_priv_size ? xcalloc(1, info->vm_priv_size) : NULL;
	}
	for (f = 0; f < FAMILY_COUNT; f++) {
		void *priv;
		const struct policy_info *info =
			policy_set_info(&c->p.policies, (enum policy_family)f, &priv);
		struct policy_ctx ctx;

		if (!info->on_place)
			continue;
		ctx = policy_ctx_of(h, (enum policy_family)f, sim_now(c->sim));
		info->on_place(&ctx, vm);
	}
}

/* Tells the policies vm leaves h, and frees their state for it. */
static void policies_on_depart(struct cluster *c, struct host *h, struct vm *vm)
{
	int f;

	for (f = 0; f < FAMILY_COUNT; f++) {
		void *priv;
		const struct policy_info *info =
			policy_set_info(&c->p.policies, (enum policy_family)f, &priv);
		struct policy_ctx ctx;

		if (!info->on_depart)
			continue;
		ctx = policy_ctx_of(h, (enum policy_family)f, sim_now(c->sim));
		info->on_depart(&ctx, vm);
	}
	for (f = 0; f < FAMILY_COUNT; f++) {
		free(vm->policy_priv[f]);
		vm->policy_priv[f] = NULL;
	}
}

/* One periodic policy's period on host i: O(its VMs), never O(pages). */
static void policy_period_on_host(void *arg, size_t i)
{
	struct cluster_timer *tm = arg;
	struct cluster *c = tm->cluster;
	struct host *h = &c->hosts[i];
	void *priv;
	const struct policy_info *info = policy_set_info(&c->p.policies, tm->family, &priv);
	struct policy_ctx ctx = policy_ctx_of(h, tm->family, sim_now(c->sim));

	if (tm->family == FAMILY_SHARING)
		mem_share_scan(h, sim_now(c->sim));
	if (info->on_period)
		info->on_period(&ctx);
}

/* One periodic policy's period on every host: each reads and writes only
 * its host, like a tick's hosts, so they run at once (tick_host). */
static void on_policy_period(struct sim *s, void *arg)
{
	struct cluster_timer *tm = arg;
	struct cluster *c = tm->cluster;

	pool_for(c->pool, c->n_hosts, policy_period_on_host, tm);
	if (sim_now(s) <= c->p.end_ns - tm->period_ns)
		sim_at(s, sim_now(s) + tm->period_ns, on_policy_period, tm);
}

/* Schedules every periodic policy's first period. */
static void policies_start(struct cluster *c)
{
	int f;

	for (f = 0; f < FAMILY_COUNT; f++) {
		void *priv;
		const struct policy_info *info =
			policy_set_info(&c->p.policies, (enum policy_family)f, &priv);
		bool periodic = info->on_period || f == FAMILY_SHARING;
		sim_time period = info->period && periodic ? info->period(priv) : 0;
		struct cluster_timer *tm = &c->timers[f];

		if (period <= 0 || period > c->p.end_ns || !c->n_hosts)
			continue;
		*tm = (struct cluster_timer){c, (enum policy_family)f, period};
		sim_at(c->sim, period, on_policy_period, tm);
	}
}

/* What the placement policy counts toward fitting vm on h beyond its headroom. */
static int64_t host_fit_credit(const struct cluster *c, const struct host *h,
			       const struct vm *vm, sim_time now)
{
	struct policy_ctx ctx = policy_ctx_of(h, FAMILY_PLACEMENT, now);

	return placement_fit_credit(&c->p.policies.placement, &ctx, vm);
}

/* Places vm if some host will take it; true if placed. */
static bool try_place(struct cluster *c, struct vm *vm)
{
	long i;
	size_t k;
	sim_time life;

	struct policy_ctx pc = {.now = sim_now(c->sim), .family = FAMILY_PLACEMENT,
				.priv = c->p.policies.placement.priv, .set = &c->p.policies};

	for (k = 0; k < c->n_hosts; k++) {
		struct policy_ctx oc;

		if (c->headroom_known[k])
			continue;
		oc = policy_ctx_of(&c->hosts[k], FAMILY_OVERCOMMIT, pc.now);
		c->headroom[k] = overcommit_headroom(&c->p.policies.overcommit, &oc, vm);
		c->headroom_known[k] = c->p.policies.overcommit.ops->host_only;
	}
	i = placement_choose(&c->p.policies.placement, &pc, c->host_ptrs, c->headroom,
			     c->n_hosts, vm);
	if (i < 0)
		return false;
	if ((size_t)i >= c->n_hosts ||
	    c->headroom[i] + host_fit_credit(c, &c->hosts[i], vm, pc.now) < vm_memory_bytes(vm))
		SIM_BUG("placement '%s' chose host %ld, which cannot take VM %s",
			c->p.policies.placement.ops->info.name, i, vm->spec->name);
	host_add_vm(&c->hosts[i], vm);
	c->headroom_known[i] = false;
	vm->state = VM_RUNNING;
	vm->placed_ns = sim_now(c->sim);
	vm_mem_start(c, &c->hosts[i], vm);
	policies_on_place(c, &c->hosts[i], vm);
	c->stats.placed++;
	account(c, vm_memory_bytes(vm));
	if (vm->timeout_event) {
		sim_cancel(c->sim, vm->timeout_event);
		vm->timeout_event = 0;
	}
	life = vm_lifetime_ns(vm);
	if (life != SIM_NEVER && life <= SIM_NEVER - vm->placed_ns)
		vm->depart_event = sim_at(c->sim, vm->placed_ns + life, on_depart, vm);
	return true;
}

static void queue_remove(struct cluster *c, struct vm *vm)
{
	size_t i;

	for (i = 0; i < c->n_queue; i++)
		if (c->queue[i] == vm) {
			memmove(&c->queue[i], &c->queue[i + 1],
				(c->n_queue - i - 1) * sizeof(*c->queue));
			c->n_queue--;
			return;
		}
	SIM_BUG("VM %s is not queued", vm->spec->name);
}

/* Retries the queue in arrival order.  Note that's O(queue x hosts). */
static void retry_queue(struct cluster *c)
{
	size_t i = 0, kept = 0;

	for (i = 0; i < c->n_queue; i++) {
		struct vm *vm = c->queue[i];

		if (!try_place(c, vm))
			c->queue[kept++] = vm;
	}
	c->n_queue = kept;
}

static void on_arrive(struct sim *s, void *arg)
{
	struct vm *vm = arg;
	struct cluster *c = vm->cluster;

	vm->arrived_ns = sim_now(s);
	c->stats.arrived++;
	if (try_place(c, vm))
		return;
	if (!c->p.queue_on_full) {
		vm->state = VM_REJECTED;
		c->stats.rejected++;
		return;
	}
	vm->state = VM_QUEUED;
	c->stats.queued++;
	XGROW(c->queue, c->cap_queue, c->n_queue + 1);
	c->queue[c->n_queue++] = vm;
	if (c->p.max_wait_ns != SIM_NEVER)
		vm->timeout_event = sim_after(s, c->p.max_wait_ns, on_timeout, vm);
}

static void on_timeout(struct sim *s, void *arg)
{
	struct vm *vm = arg;
	struct cluster *c = vm->cluster;

	(void)s;
	vm->timeout_event = 0;
	if (vm->state != VM_QUEUED)
		SIM_BUG("timeout for VM %s, which is %s", vm->spec->name, vm_state_name(vm->state));
	queue_remove(c, vm);
	vm->state = VM_REJECTED;
	c->stats.rejected++;
	c->stats.timed_out++;
}

/* Takes vm off its host, which gets back all its memory. */
static void leave(struct cluster *c, struct vm *vm, enum vm_state why)
{
	policies_on_depart(c, vm->host, vm);
	vm_mem_stop(vm->host, vm);
	c->headroom_known[vm->host - c->hosts] = false;
	host_remove_vm(vm->host, vm);
	vm->state = why;
	vm->departed_ns = sim_now(c->sim);
	account(c, -vm_memory_bytes(vm));
	if (c->n_queue)
		retry_queue(c);
}

static void on_depart(struct sim *s, void *arg)
{
	struct vm *vm = arg;

	(void)s;
	vm->depart_event = 0;
	leave(vm->cluster, vm, VM_DEPARTED);
}

static uint32_t pages_of(const struct cluster *c, int64_t bytes);

struct cluster *cluster_new(struct sim *s, const struct cluster_params *p)
{
	struct cluster *c = xcalloc(1, sizeof(*c));
	size_t i;

	c->sim = s;
	c->p = *p;
	c->vms = xcalloc(p->n_vms ? p->n_vms : 1, sizeof(*c->vms));
	c->n_vms = p->n_vms;
	for (i = 0; i < p->n_vms; i++) {
		vm_init(&c->vms[i], &p->vms[i], i);
		c->vms[i].cluster = c;
	}
	c->n_hosts = p->n_hosts;
	c->hosts = xcalloc(p->n_hosts ? p->n_hosts : 1, sizeof(*c->hosts));
	c->host_ptrs = xcalloc(p->n_hosts ? p->n_hosts : 1, sizeof(*c->host_ptrs));
	c->headroom = xcalloc(p->n_hosts ? p->n_hosts : 1, sizeof(*c->headroom));
	c->headroom_known = xcalloc(p->n_hosts ? p->n_hosts : 1, sizeof(*c->headroom_known));
	for (i = 0; i < p->n_hosts; i++) {
		const struct host_params *hp = &p->hosts[i];

		struct hmem *hm = &c->hosts[i].mem;

		host_init(&c->hosts[i], i, hp->name, hp->group, hp->memory_bytes,
			  hp->overhead_bytes);
		hmem_init(hm, hp->memory_bytes, hp->overhead_bytes, p->page_bytes);
		swapdev_init(&hm->swap, (uint64_t)(hp->swap_bytes / p->page_bytes),
			     hp->swap_read_ns, hp->swap_write_ns, hp->swap_bandwidth, p->page_bytes);
		swapdev_init(&hm->disk, SWAPDEV_UNBOUNDED, hp->disk_read_ns, hp->disk_write_ns,
			     hp->disk_bandwidth, p->page_bytes);
		hm->lat = p->latency;
		if (sample_is_on(p->sample_rate))
			sample_scale_host(hm, p->sample_rate);
		pt_host_init(&hm->pt, &hp->pt, p->page_bytes, hm->frames_free);
		host_bind_policies(&c->hosts[i], &c->p.policies, p->seed, p->replication);
		c->host_ptrs[i] = &c->hosts[i];
	}
	c->mem_images = xcalloc(p->n_images ? p->n_images : 1, sizeof(*c->mem_images));
	c->pool = pool_new(p->threads);
	for (i = 0; i < p->n_images; i++) {
		const struct image_spec *im = &p->images[i];
		struct mem_image *mi = &c->mem_images[i];

		mi->base = -1;
		/* As vm_mem_start keys its VMs' image pages. */
		mi->sample_key = rng_mix(rng_seed64(p->seed, p->replication, RNG_SAMPLE,
						    rng_entity(im->name)) ^ 0x696d616765ULL);
		/* A zeroed spec (base 0, same 0) is no version. */
		if (im->base >= 0 && (size_t)im->base != i && im->same > 0) {
			uint32_t own = pages_of(c, im->size_bytes);
			uint32_t base = pages_of(c, p->images[im->base].size_bytes);

			mi->base = im->base;
			mi->same_pages = (uint32_t)floor(im->same * own);
			if (mi->same_pages > base)
				mi->same_pages = base;
		}
	}
	c->stats.last_change_ns = sim_now(s);
	return c;
}

void cluster_free(struct cluster *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->n_vms; i++)
		if (c->vms[i].state == VM_RUNNING) {
			policies_on_depart(c, c->vms[i].host, &c->vms[i]);
			vm_mem_stop(c->vms[i].host, &c->vms[i]);
		}
	for (i = 0; i < c->n_hosts; i++) {
		hmem_release(&c->hosts[i].mem);
		host_release(&c->hosts[i]);
	}
	free(c->mem_images);
	pool_free(c->pool);
	free(c->hosts);
	free(c->host_ptrs);
	free(c->headroom);
	free(c->headroom_known);
	free(c->queue);
	free(c->vms);
	free(c);
}

static void on_tick(struct sim *s, void *arg);

void cluster_start(struct cluster *c)
{
	size_t i;

	for (i = 0; i < c->n_vms; i++)
		sim_at(c->sim, c->vms[i].spec->arrive_ns, on_arrive, &c->vms[i]);
	/* Scheduled after the arrivals, so VMs that arrive at 0 tick at 0. */
	if (c->p.tick_ns > 0 && c->p.end_ns > 0)
		sim_at(c->sim, 0, on_tick, c);
	policies_start(c);
}

/* --- the page model: VM memory and ticks -------------------------------- */

static uint32_t pages_of(const struct cluster *c, int64_t bytes)
{
	int64_t p = bytes / c->p.page_bytes;

	return p < 0 ? 0 : p >= MEM_MAX_PAGES ? MEM_MAX_PAGES - 1 : (uint32_t)p;
}

/* The parameters of vm's pages that its spec and the run give: its size,
 * data pages and content (the full VM's, whatever the sampling). */
static void vm_params(const struct cluster *c, const struct vm *vm, struct vmem_params *mp)
{
	const struct vm_spec *sp = vm->spec;
	size_t i;

	*mp = (struct vmem_params){0};
	mp->n_pages = pages_of(c, sp->memory_bytes);
	for (i = 0; i < sp->n_phases; i++) {
		uint32_t ws = pages_of(c, spec_phase_ws_bytes(&sp->phases[i], sp->memory_bytes));

		if (ws > mp->n_data)
			mp->n_data = ws < mp->n_pages ? ws : mp->n_pages;
	}
	mp->limit_pages = pages_of(c, sp->limit_bytes);
	mp->image = sp->image;
	mp->images = c->mem_images;
	if (sp->image >= 0) {
		const struct image_spec *im = &c->p.images[sp->image];

		mp->image_pages = pages_of(c, im->size_bytes);
		mp->image_zero = im->zero;
		mp->compress_image = im->compress;
	}
	mp->compress_unique = sp->compress;
	mp->zero_share = sp->content_zero;
	mp->image_share = sp->content_image;
	mp->content_seed = rng_seed64(c->p.seed, c->p.replication, RNG_CONTENT,
				      rng_entity(sp->name));
	mp->zero_freed = sp->zero_freed;
}

int64_t cluster_vm_content(const struct vm *vm, struct vmem_params *mp)
{
	vm_params(vm->cluster, vm, mp);
	return vm->cluster->p.page_bytes;
}

static void vm_mem_start(struct cluster *c, struct host *h, struct vm *vm)
{
	const struct vm_spec *sp = vm->spec;
	uint64_t entity = rng_entity(sp->name);
	struct vmem_params mp;

	vm_params(c, vm, &mp);
	mp.now = sim_now(c->sim);
	if (sample_is_on(c->p.sample_rate)) {
		uint64_t key = rng_seed64(c->p.seed, c->p.replication, RNG_SAMPLE, entity);
		uint64_t image = sp->image >= 0 ? rng_entity(c->p.images[sp->image].name) : 0;

		/* An image's key is its own, whichever VM holds its pages. */
		sample_map_init(&vm->sample, c->p.sample_rate, key,
				rng_mix(rng_seed64(c->p.seed, c->p.replication, RNG_SAMPLE,
						   image) ^ 0x696d616765ULL),
				&mp);
	}
	vmem_init(&vm->mem, &mp);
	mem_share_arrive(h, vm, mp.now);
	wss_track(&vm->mem.wss, vm->mem.fast);
	/* Hyper-V: the pages above startup are not the guest's yet (untouched,
	 * so this costs nothing); hot-add is deflating them. */
	if (c->p.policies.balloon.ops->hot_add && vm_is_dynamic(vm)) {
		uint64_t above = vm_pages(vm) - vm_startup_pages(vm);

		mem_balloon_towards(h, vm, above, above, mp.now);
	}
	vm->touch_seed = rng_seed64(c->p.seed, c->p.replication, RNG_TOUCHES, entity);
	vm->touch_rng = rng_stream(c->p.seed, c->p.replication, RNG_TOUCHES, entity);
	vm->guest_rng = rng_stream(c->p.seed, c->p.replication, RNG_GUEST, entity);
	vm->phases_started = 0;
	vm->overrun_ns = 0;
}

static void vm_mem_stop(struct host *h, struct vm *vm)
{
	memcpy(vm->end_state, vm->mem.n_state, sizeof(vm->end_state));
	wss_release(&vm->mem.wss);      /* first: no need to weigh what leaves */
	mem_vm_leave(h, vm);
	vmem_release(&vm->mem);
	sample_map_release(&vm->sample);
	gsl_rng_free(vm->touch_rng);
	gsl_rng_free(vm->guest_rng);
	vm->touch_rng = vm->guest_rng = NULL;
}

/* 4 KiB pages per simulated page: patterns are defined over 4 KiB. */
static uint32_t page_ranks(const struct cluster *c)
{
	int64_t g = c->p.page_bytes / WSS_RANK_BYTES;

	return g > 1 ? (uint32_t)g : 1;
}

/* Starts the phases that are due; phases count from placement. */
static void phase_update(struct cluster *c, struct host *h, struct vm *vm, sim_time t)
{
	const struct vm_spec *sp = vm->spec;
	const struct phase *ph;
	size_t started = vm->phases_started;
	uint32_t ws, n;

	while (started < sp->n_phases && sp->phases[started].at_ns <= t - vm->placed_ns)
		started++;
	if (started == vm->phases_started)
		return;
	vm->phases_started = started;
	ph = &sp->phases[started - 1];
	ws = pages_of(c, spec_phase_ws_bytes(ph, sp->memory_bytes));
	/* Sampled, the set's simulated pages are those of its sampled ranks. */
	n = sample_map_below(&vm->sample, ws, vm->mem.n_data);
	/* The new pattern is weighed afresh, so the pages freed need not be. */
	wss_track(&vm->mem.wss, NULL);
	if (n < vm->mem.wss.pages)
		mem_set_ws(h, vm, n);
	if (vm->sample.on)
		sample_wss_set(&vm->sample, &vm->mem.wss, ph, ws);
	else
		wss_set_granule(&vm->mem.wss, ph, n, page_ranks(c));
	wss_track(&vm->mem.wss, vm->mem.fast);
}

/* The balloon policy's target for vm at t. */
static uint64_t vm_balloon_target(const struct cluster *c, const struct host *h,
				  const struct vm *vm, sim_time t)
{
	struct policy_ctx ctx = policy_ctx_of(h, FAMILY_BALLOON, t);

	return balloon_target(&c->p.policies.balloon, &ctx, vm);
}

/* Whether the reclaim policy lets balloons on h inflate at t. */
static bool balloon_may_inflate(const struct cluster *c, const struct host *h, sim_time t)
{
	struct policy_ctx ctx = policy_ctx_of(h, FAMILY_RECLAIM, t);

	return reclaim_balloon_runs(&c->p.policies.reclaim, &ctx);
}

/*
 * The reclaim policy's turn on h at the start of a tick, before its VMs
 * run: a zswap pool that filled writes back first (nothing without
 * zswap), then the policy updates its state, then the frames it asks for
 * are freed ahead of demand, in the background (no VM waits for those
 * writes).
 */
static void reclaim_tick(struct cluster *c, struct host *h, sim_time t)
{
	struct policy_ctx ctx = policy_ctx_of(h, FAMILY_RECLAIM, t);
	uint64_t goal;

	mem_zswap_writeback(h);
	reclaim_on_tick(&c->p.policies.reclaim, &ctx);
	mem_pt_tick(h, t);
	goal = reclaim_free_goal(&c->p.policies.reclaim, &ctx);
	if (goal)
		mem_reclaim_ahead(h, goal, t);
}

/* Whether a touch of d at tick t writes: a hash, not a stream draw, so
 * the touches drawn never depend on which of them took the slow path. */
static bool is_write(const struct vmem *m, uint64_t tick_seed, uint32_t d)
{
	double u = (double)(rng_mix(tick_seed ^ d) >> 11) * 0x1.0p-53;

	return u < m->wss.writes;
}

/* Touches of a tick of n that start before its end, touch i starting at
 * base + i * dt, and at least the `made` that already did. */
static uint64_t touches_started(uint64_t n, uint64_t made, double base, double dt, double end)
{
	double x;

	if (base >= end || !n)
		return made;
	x = ceil((end - base) / dt);
	if (x >= (double)n)
		return n;
	return (uint64_t)x > made ? (uint64_t)x : made;
}

/*
 * One tick of one VM.  It demands n touches, each costing T/n of compute,
 * so they fill the tick exactly when nothing stalls.  They are played miss
 * by miss (wss_gap): hits between two slow touches only move the clock.
 * A touch starts if the VM's time has not run out, and the VM stops at the
 * first that would start at or past the tick's end, so a VM that stalls
 * does less: progress is the share of its touches it got through, and a
 * thrashing VM cannot queue more swap-ins than its time allows.  A touch
 * that started in time may stall past the end: that overrun is the VM's
 * time too, and the next tick starts that late (or not at all), so in the
 * long run the VM's compute and stalls add up to its time, whatever the
 * tick.
 */
static void tick_vm(struct cluster *c, struct host *h, struct vm *vm, sim_time t)
{
	struct vmem *m = &vm->mem;
	sim_time T = c->tick_len_ns;
	uint64_t target, cap, n, tick_seed, made = 0, done;
	int64_t stall = 0, tr;
	double base, dt;        /* ns from the tick start: time used before the next touch; per touch */

	phase_update(c, h, vm, t);
	target = vm_balloon_target(c, h, vm, t);
	cap = (uint64_t)(c->p.balloon_max * m->n_pages);
	/* Hyper-V has no cap (its minimum and the guest's floor bound it). */
	if (c->p.policies.balloon.ops->hot_add && vm_is_dynamic(vm))
		cap = m->n_pages;
	if (target > cap)
		target = cap;
	/* The host's state may hold inflation back (ESX balloons only in soft);
	 * deflating always runs. */
	if (target > m->n_state[PS_BALLOONED] && !balloon_may_inflate(c, h, t))
		target = m->n_state[PS_BALLOONED];
	stall += sample_time_ns(c->p.sample_rate,
				mem_balloon_towards(h, vm, target, c->balloon_pages_now, t));
	/*
	 * Each tick's touches restart from their own seed, so what one tick
	 * draws never depends on another.  Touches of pages resident on
	 * private frames are hits that change nothing and are never drawn;
	 * when the whole working set is such, wss_gap draws nothing.
	 */
	rng_reseed(vm->touch_rng, rng_mix(vm->touch_seed ^ (uint64_t)t));
	n = wss_touches(&m->wss, vm->touch_rng, T);
	tick_seed = rng_mix(m->content_seed ^ (uint64_t)t);
	dt = n ? (double)T / (double)n : 0.0;
	base = (double)vm->overrun_ns + (double)stall;
	while (made < n && !m->oom) {
		uint32_t d;
		uint64_t gap = wss_gap(&m->wss, vm->touch_rng, n - made, &d), k;
		int64_t s;

		if (!gap)
			break;
		k = made + gap - 1;     /* the slow touch's index in the tick */
		if (base + (double)k * dt >= (double)T)
			break;
		wss_advance(&m->wss, gap);
		s = sample_time_ns(c->p.sample_rate,
				   mem_touch(h, vm, d, is_write(m, tick_seed, d),
					     t + (sim_time)(base + (double)k * dt)));
		stall += s;
		base += (double)s;
		made = k + 1;
	}
	done = m->oom ? made : touches_started(n, made, base, dt, (double)T);
	wss_advance(&m->wss, done - made);
	base += (double)done * dt;      /* the time used, from the tick's start */
	/* Address translation: its TLB misses' walks, a stall of their own (pt.h). */
	tr = pt_vm_tick(h, vm, wss_full_touches(&m->wss, done), T);
	stall += tr;
	base += (double)tr;
	vm->overrun_ns = base > (double)T ? (sim_time)(base - (double)T) : 0;
	m->stats.touches += wss_full_touches(&m->wss, n);
	m->stats.done += wss_full_touches(&m->wss, done);
	m->stats.stall_ns += stall;
	m->stats.run_ns += T;
}

/* Pages the balloon driver's rate allows from 0 to t: what a tick may
 * move is the difference at its ends, so no fraction of a page is lost. */
static uint64_t balloon_pages_by(const struct cluster *c, sim_time t)
{
	return (uint64_t)floor(c->p.balloon_rate * (double)t / 1e9 / (double)c->p.page_bytes);
}

/*
 * One host's share of a tick: its devices' window, the reclaim policy's
 * turn, then each of its VMs.  A host's tick reads the cluster's
 * parameters and writes only the host, its VMs and their policies' state
 * and streams, so hosts run at once (pool.h) and the bytes are the same
 * whatever the thread count.
 */
static void tick_host(void *arg, size_t i)
{
	struct cluster *c = arg;
	struct host *h = &c->hosts[i];
	sim_time t = sim_now(c->sim);
	size_t j;

	/* Each device's window is the tick, whatever its VMs' requests say. */
	swapdev_roll(&h->mem.swap, t);
	swapdev_roll(&h->mem.disk, t);
	reclaim_tick(c, h, t);
	for (j = 0; j < h->n_vms; j++) {
		/* The next VM's structure, read ahead while this one runs:
		 * a tick visits every VM, none of them still cached. */
		if (j + 1 < h->n_vms) {
			const char *next = (const char *)h->vms[j + 1];
			size_t off;

			for (off = 0; off < sizeof(struct vm); off += 64)
				XMEM_PREFETCH(next + off);
		}
		tick_vm(c, h, h->vms[j], t);
	}
}

static void on_tick(struct sim *s, void *arg)
{
	struct cluster *c = arg;
	sim_time t = sim_now(s);
	size_t i, j;

	/* A tick covers [t, t + tick), and the last one stops at the run's end. */
	c->tick_len_ns = c->p.end_ns - t < c->p.tick_ns ? c->p.end_ns - t : c->p.tick_ns;
	c->balloon_pages_now = balloon_pages_by(c, t + c->tick_len_ns) - balloon_pages_by(c, t);
	pool_for(c->pool, c->n_hosts, tick_host, c);
	/* A VM that ran out of memory is stopped, and its memory returns. */
	for (i = 0; i < c->n_hosts; i++)
		for (j = 0; j < c->hosts[i].n_vms;) {
			struct vm *vm = c->hosts[i].vms[j];

			if (!vm->mem.oom) {
				j++;
				continue;
			}
			if (vm->depart_event)
				sim_cancel(s, vm->depart_event);
			vm->depart_event = 0;
			c->stats.oom++;
			leave(c, vm, VM_OOM);
		}
	c->ticks++;
	if (c->p.check_every && c->ticks % c->p.check_every == 0 &&
	    cluster_check(c, &c->check_err)) {
		c->check_failed = true;
		sim_stop(s);
		return;
	}
	if (t < c->p.end_ns - c->p.tick_ns)
		sim_at(s, t + c->p.tick_ns, on_tick, c);
}

int cluster_check(const struct cluster *c, struct sim_err *err)
{
	size_t i;
	int rc;

	for (i = 0; i < c->n_hosts; i++)
		if ((rc = mem_check(&c->hosts[i], err)))
			return rc;
	return 0;
}

int64_t cluster_vm_estimated_active_bytes(const struct cluster *c, const struct vm *vm)
{
	struct policy_ctx ctx = policy_ctx_of(vm->host, FAMILY_ESTIMATOR, sim_now(c->sim));

	return (int64_t)estimator_active_pages(&c->p.policies.estimator, &ctx, vm) *
	       c->p.page_bytes;
}

int64_t cluster_vm_active_bytes(const struct cluster *c, const struct vm *vm)
{
	return (int64_t)vm_working_set_pages(vm) * c->p.page_bytes;
}

int64_t cluster_host_bytes(const struct cluster *c)
{
	int64_t sum = 0;
	size_t i;

	for (i = 0; i < c->n_hosts; i++)
		sum += c->hosts[i].memory_bytes;
	return sum;
}

int64_t cluster_unpromised_bytes(const struct cluster *c)
{
	int64_t sum = 0;
	size_t i;

	for (i = 0; i < c->n_hosts; i++)
		sum += host_unpromised_bytes(&c->hosts[i]);
	return sum;
}

size_t cluster_hosts_used(const struct cluster *c)
{
	size_t n = 0, i;

	for (i = 0; i < c->n_hosts; i++)
		n += c->hosts[i].vms_hosted > 0;
	return n;
}
