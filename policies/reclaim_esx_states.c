/*
 * reclaim_esx_states.c - VMware ESXi's free-memory states (MECHANISMS.md
 * 1.5): reclaim: {policy: esx-states, min_free: auto, compression: {max: 10%}}.
 *
 * DOC: the states
 *
 * MinFree is the vSphere 5+ sliding scale of the host's memory (min_free:
 * auto, policies/esx.c) or a size.  memsim reads the vSphere 6 table's
 * thresholds as each state's lower bound: a host is high while
 * its free memory is at least 400% of MinFree, clear at 100%, soft at 64%,
 * hard at 32%, and low below that (so low's own 16% bounds nothing; write-
 * ups differ, see README).  A host falls to a lower state as soon as free
 * memory drops below its state's bound, but climbs back only when free
 * memory passes the next bound up by a quarter of that bound: ESX has "an
 * upper and lower boundary when transitioning between states" (yellow-
 * bricks.com, what happens at which vSphere memory state) and OSDI'02 §6.3
 * returns only after "significantly exceeding" the threshold; the quarter
 * is memsim's choice.  Each upper boundary stays inside the state above
 * (hard -> soft at 80%, below clear's 100%), so a host climbs one state per
 * boundary it passes.
 *
 * The state is decided once per host and tick, at the tick's start
 * (on_tick), from the free frames then; the results count its residency in
 * seconds and its transitions.  What runs in each state: high and clear
 * nothing here (no page sharing yet); soft lets the balloon policy's
 * targets inflate (balloon_runs, which is false in every other state, so a
 * balloon never inflates outside soft; deflating always runs); hard stops
 * the balloon and frees frames ahead of demand, in the background, until
 * free memory is back at the hard -> soft boundary (free_goal); low does
 * the same, and the model blocks every allocation (the VM waits for a
 * victim's write even with a frame free).  Compression's share of a VM
 * (compression.max, Mem.MemZipMaxPct) is given to the model (compress_max).
 *
 * The victim VM is drawn in proportion to how far its resident pages are
 * above its share-based allocation (its pages less the balloon policy's
 * target for it, refreshed each tick), at most its private pages; when no
 * VM is above, in proportion to its private pages, as swap-only does.  The
 * page within it by the host's clock or at random (victims), as swap-only.
 */
#include <math.h>
#include <string.h>

#include "esx.h"
#include "host.h"
#include "policy.h"
#include "vm.h"

/* A state is left upward at its next bound up plus this share of it
 * (memsim's choice, see DOC above). */
#define ESX_STATES_CLIMB_MARGIN 0.25

enum { VICTIMS_RANDOM, VICTIMS_CLOCK };

struct esx_states {
	bool min_free_auto;             /* MinFree by the sliding scale */
	int64_t min_free_bytes;         /* else this */
	double compress_max;            /* share of a VM's pages; 0 = off */
	int victims;                    /* VICTIMS_* */
};

/* Per host. */
struct esx_states_host {
	bool decided;                   /* the first decision has been made */
	enum host_pressure state;
	sim_time since;                 /* residency is counted up to here */
	sim_time resident_ns[PRESSURE_COUNT];
	uint64_t transitions;
};

/* Per VM. */
struct esx_states_vm {
	uint64_t allocation_pages;      /* its pages less its balloon target */
};

static const char *const esx_states_params[] = {"min_free", "compression", "victims", NULL};

static int esx_states_init(void *priv, struct cfg_node *params, struct sim_err *err)
{
	static const char *const victims[] = {"random", "clock", NULL};
	static const char *const compression_keys[] = {"max", NULL};
	struct esx_states *es = priv;
	const struct cfg_node *mf = cfg_get(params, "min_free");
	struct cfg_node *comp;
	const char *text;
	int rc;

	/* auto (Mem.MemMinFreePct = 0: the sliding scale), or a size. */
	es->min_free_auto = !mf || (mf->kind == CFG_SCALAR && !strcmp(mf->text, "auto"));
	if ((rc = es->min_free_auto
			  ? cfg_read_string(params, "min_free", "auto", &text, err)
			  : cfg_read_size(params, "min_free", NULL, &es->min_free_bytes, err)) ||
	    (!es->min_free_auto &&
	     (rc = cfg_check_size_range(params, "min_free", es->min_free_bytes, 0, CFG_MAX_BYTES,
					err))))
		return rc;
	comp = cfg_get(params, "compression");
	if (!comp) {
		comp = cfg_new_map(params->file, 0, 0);
		cfg_map_add(params, "compression", comp);
	}
	/* Mem.MemZipMaxPct = 10% of the VM (MECHANISMS.md 1.6, ESXi 7.0U3 table). */
	if ((rc = cfg_expect(comp, CFG_MAP, "compression", err)) ||
	    (rc = cfg_check_keys(comp, "compression", compression_keys, err)) ||
	    (rc = cfg_read_fraction(comp, "max", "10%", 0, 1, &es->compress_max, err)))
		return rc;
	return cfg_read_enum(params, "victims", "random", victims, &es->victims, err);
}

static int64_t min_free_of(const struct policy_ctx *ctx)
{
	const struct esx_states *es = ctx->priv;

	return es->min_free_auto ? esx_min_free_bytes(host_memory_bytes(ctx->host))
				 : es->min_free_bytes;
}

/* Free memory at or above which a host climbs into state s. */
static double climb_bytes(int64_t min_free, enum host_pressure s)
{
	return (double)esx_state_threshold_bytes(min_free, s) * (1 + ESX_STATES_CLIMB_MARGIN);
}

/* The state of free bytes by the bounds alone: the first whose bound it reaches. */
static enum host_pressure state_by_bounds(int64_t free_bytes, int64_t min_free)
{
	int s;

	for (s = PRESSURE_HIGH; s < PRESSURE_LOW; s++)
		if (free_bytes >= esx_state_threshold_bytes(min_free, (enum host_pressure)s))
			return (enum host_pressure)s;
	return PRESSURE_LOW;
}

/* The state a host in state cur moves to with free bytes (see DOC above). */
static enum host_pressure next_state(enum host_pressure cur, int64_t free_bytes,
				     int64_t min_free)
{
	enum host_pressure down = state_by_bounds(free_bytes, min_free);
	int s;

	if (down >= cur)
		return down;
	/* Free memory is above cur's bound: climb past every boundary it passes. */
	for (s = PRESSURE_HIGH; s < (int)cur; s++)
		if ((double)free_bytes >= climb_bytes(min_free, (enum host_pressure)s))
			return (enum host_pressure)s;
	return cur;
}

/* Its share-based allocation: its pages less the balloon policy's target. */
static void refresh_allocation(const struct policy_ctx *ctx, const struct vm *vm)
{
	struct esx_states_vm *ev = policy_vm_priv(ctx, vm);
	uint64_t pages = vm_pages(vm), target = policy_balloon_target(ctx, vm);

	if (ev)
		ev->allocation_pages = target < pages ? pages - target : 0;
}

static void esx_states_on_place(const struct policy_ctx *ctx, const struct vm *vm)
{
	refresh_allocation(ctx, vm);
}

/* The full host's free memory: a sampled run simulates host_sample_rate of
 * its frames, and MinFree is the full host's. */
static int64_t full_free_bytes(const struct host *h)
{
	return (int64_t)llround((double)host_free_frames(h) * (double)host_page_bytes(h) /
				host_sample_rate(h));
}

/* O(VMs on the host): their allocations, then the state. */
static void esx_states_on_tick(const struct policy_ctx *ctx)
{
	struct esx_states_host *st = ctx->host_priv;
	int64_t free_bytes = full_free_bytes(ctx->host);
	int64_t min_free = min_free_of(ctx);
	enum host_pressure next;
	size_t i;

	for (i = 0; i < host_vm_count(ctx->host); i++)
		refresh_allocation(ctx, host_vm_at(ctx->host, i));
	st->resident_ns[st->state] += ctx->now - st->since;
	st->since = ctx->now;
	if (!st->decided) {
		st->decided = true;
		st->state = state_by_bounds(free_bytes, min_free);
		return;
	}
	next = next_state(st->state, free_bytes, min_free);
	st->transitions += next != st->state;
	st->state = next;
}

static enum host_pressure esx_states_pressure(const struct policy_ctx *ctx)
{
	const struct esx_states_host *st = ctx->host_priv;

	return st->state;
}

static bool esx_states_balloon_runs(const struct policy_ctx *ctx)
{
	return esx_states_pressure(ctx) == PRESSURE_SOFT;
}

/* Hard and low: the frames that bring free memory back to the hard -> soft
 * boundary. */
static uint64_t esx_states_free_goal(const struct policy_ctx *ctx)
{
	enum host_pressure s = esx_states_pressure(ctx);
	double want;
	uint64_t frames, free_frames = host_free_frames(ctx->host);

	if (s != PRESSURE_HARD && s != PRESSURE_LOW)
		return 0;
	want = climb_bytes(min_free_of(ctx), PRESSURE_SOFT);
	frames = (uint64_t)ceil(want * host_sample_rate(ctx->host) /
				(double)host_page_bytes(ctx->host));
	return frames > free_frames ? frames - free_frames : 0;
}

/* How many of vm's pages may go as a victim: those above its allocation,
 * at most its private ones; with above false, its private pages. */
static uint64_t victim_weight(const struct policy_ctx *ctx, const struct vm *vm, bool above)
{
	const struct esx_states_vm *ev = policy_vm_priv(ctx, vm);
	uint64_t priv = vm_private_pages(vm), res = vm_resident_pages(vm), alloc;

	if (!above)
		return priv;
	alloc = ev ? ev->allocation_pages : vm_pages(vm);
	if (res <= alloc)
		return 0;
	return res - alloc < priv ? res - alloc : priv;
}

/* O(VMs on the host). */
static struct vm *esx_states_victim_vm(const struct policy_ctx *ctx)
{
	const struct host *h = ctx->host;
	size_t i, n = host_vm_count(h);
	uint64_t total = 0, r;
	bool above = true;

	for (i = 0; i < n; i++)
		total += victim_weight(ctx, host_vm_at(h, i), true);
	if (!total) {
		above = false;
		total = host_private_pages(h);
	}
	if (!total)
		return NULL;
	r = (uint64_t)(gsl_rng_uniform(ctx->rng) * (double)total);
	for (i = 0; i < n; i++) {
		uint64_t w = victim_weight(ctx, host_vm_at(h, i), above);

		if (r < w)
			return host_vm_at(h, i);
		r -= w;
	}
	/* Rounding at the top: the last VM with weight. */
	for (i = n; i-- > 0;)
		if (victim_weight(ctx, host_vm_at(h, i), above))
			return host_vm_at(h, i);
	return NULL;
}

static uint32_t esx_states_victim_page(const struct policy_ctx *ctx, struct vm *vm)
{
	const struct esx_states *es = ctx->priv;

	return es->victims == VICTIMS_CLOCK ? mem_victim_clock(vm, ctx->now, ctx->rng)
					    : mem_victim_random(vm, ctx->rng);
}

static double esx_states_compress_max(const void *priv)
{
	const struct esx_states *es = priv;

	return es->compress_max;
}

/* Residency up to ctx's time, without changing anything. */
static void esx_states_stats(const struct policy_ctx *ctx, struct policy_stats *out)
{
	static const char *const keys[PRESSURE_COUNT] = {
		"state_s.high", "state_s.clear", "state_s.soft", "state_s.hard", "state_s.low",
	};
	const struct esx_states_host *st = ctx->host_priv;
	int s;

	/* In the simulated host's bytes, which a sampled run's results scale
	 * back to the full host's. */
	policy_stat(out, "min_free_bytes", (double)min_free_of(ctx) * host_sample_rate(ctx->host));
	for (s = 0; s < PRESSURE_COUNT; s++) {
		sim_time ns = st->resident_ns[s] + (s == (int)st->state ? ctx->now - st->since : 0);

		policy_stat(out, keys[s], (double)ns / 1e9);
	}
	policy_stat(out, "transitions", (double)st->transitions);
}

const struct reclaim_ops reclaim_esx_states_ops = {
	.info = {.name = "esx-states", .params = esx_states_params,
		 .priv_size = sizeof(struct esx_states),
		 .host_priv_size = sizeof(struct esx_states_host),
		 .vm_priv_size = sizeof(struct esx_states_vm),
		 .init = esx_states_init, .on_place = esx_states_on_place,
		 .host_stats = esx_states_stats},
	.pressure = esx_states_pressure,
	.victim_vm = esx_states_victim_vm,
	.victim_page = esx_states_victim_page,
	.on_tick = esx_states_on_tick,
	.free_goal = esx_states_free_goal,
	.balloon_runs = esx_states_balloon_runs,
	.compress_max = esx_states_compress_max,
};
