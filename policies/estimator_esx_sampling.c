/*
 * estimator_esx_sampling.c - ESX's working-set estimate by statistical
 * sampling (Waldspurger, OSDI 2002, section 5.3; MECHANISMS.md 1.2).
 *
 * Each period, on each host (one event for all its VMs), every VM has
 * `pages` of its guest-physical pages picked uniformly and their accessed
 * bits invalidated; f = touched / pages is the share of them touched by the
 * period's end.  The estimate is the larger of a fast and a slow
 * exponentially weighted moving average of f, times the VM's pages: it
 * rises quickly when the working set grows and decays slowly when it
 * shrinks.  Until its first period ends a VM counts as fully active (it
 * has not been measured; nothing may be taken from it for being idle);
 * the first f seeds both averages.
 *
 * The model knows a page's touch rate, not its touches (hits are never
 * played), so whether a sampled page was touched is drawn with the
 * probability that a page touched at its rate was, over the part of the
 * period the VM ran (mem_pages_accessed).  The rate is the one at the
 * period's end: exact when phases change on period boundaries.  ESX counts
 * periods in the VM's execution time; here they are host time.  Cost:
 * O(pages) draws per VM per period, never anything per tick.  Each VM's
 * draws come from a stream of its own (the policy's per-VM seed, the VM's
 * name, the time), so they do not depend on its host or neighbours.
 */
#include <math.h>

#include "host.h"
#include "policy.h"
#include "rng.h"
#include "vm.h"

/*
 * Half-lives of the two averages, in periods.  OSDI'02 gives no constants:
 * its Fig. 6 shows the estimate tracking an increase within about one
 * period and decaying over several.  Chosen so: the fast average moves
 * 3/4 of the way in one period (a half-life of half a period), the slow
 * one half-way in 8 (8 minutes at ESX's Mem.SamplePeriod of 60 s).
 */
#define FAST_HALF_LIFE_PERIODS 0.5
#define SLOW_HALF_LIFE_PERIODS 8.0
#define MAX_SAMPLE_PAGES 1000000

struct sampling {
	int64_t pages;                  /* sampled per VM per period; OSDI'02 n = 100 */
	sim_time period_ns;             /* ESXi Mem.SamplePeriod, 60 s */
	double fast_weight, slow_weight;        /* per period: 1 - 2^(-1/half-life) */
};

struct sampling_vm {
	bool measured;
	double fast, slow;              /* moving averages of f */
};

static const char *const sampling_params[] = {"pages", "period", NULL};

static int sampling_init(void *priv, struct cfg_node *params, struct sim_err *err)
{
	struct sampling *s = priv;
	int rc;

	if ((rc = cfg_read_int(params, "pages", "100", 1, MAX_SAMPLE_PAGES, &s->pages, err)) ||
	    (rc = cfg_read_duration(params, "period", "60s", &s->period_ns, err)) ||
	    (rc = cfg_check_duration_range(params, "period", s->period_ns, 1000000, CFG_MAX_NS,
					   err)))
		return rc;
	s->fast_weight = 1.0 - exp2(-1.0 / FAST_HALF_LIFE_PERIODS);
	s->slow_weight = 1.0 - exp2(-1.0 / SLOW_HALF_LIFE_PERIODS);
	return 0;
}

static sim_time sampling_period(const void *priv)
{
	const struct sampling *s = priv;

	return s->period_ns;
}

/* One VM's period: sample, count, average. */
static void sample_vm(const struct policy_ctx *ctx, struct vm *vm)
{
	const struct sampling *s = ctx->priv;
	struct sampling_vm *v = policy_vm_priv(ctx, vm);
	sim_time since = ctx->now - vm_placed_ns(vm);
	uint64_t n = vm_pages(vm), touched = 0;
	int64_t k, batch;
	double f;

	if (since > s->period_ns)
		since = s->period_ns;
	if (since <= 0 || !n)
		return;
	rng_reseed(ctx->rng, rng_mix(ctx->vm_seed ^ vm_entity(vm) ^ (uint64_t)ctx->now));
	/* A batch of pages is drawn, then read together (mem_pages_accessed). */
	for (k = 0; k < s->pages; k += batch) {
		uint32_t g[MEM_ACCESSED_BATCH];
		int64_t i;

		batch = s->pages - k < MEM_ACCESSED_BATCH ? s->pages - k : MEM_ACCESSED_BATCH;
		for (i = 0; i < batch; i++)
			g[i] = (uint32_t)gsl_rng_uniform_int(ctx->rng, n);
		touched += mem_pages_accessed(vm, g, (size_t)batch, since, ctx->rng);
	}
	f = (double)touched / (double)s->pages;
	if (!v->measured) {
		v->measured = true;
		v->fast = v->slow = f;
		return;
	}
	v->fast += s->fast_weight * (f - v->fast);
	v->slow += s->slow_weight * (f - v->slow);
}

static void sampling_on_period(const struct policy_ctx *ctx)
{
	size_t i;

	for (i = 0; i < host_vm_count(ctx->host); i++)
		sample_vm(ctx, host_vm_at(ctx->host, i));
}

static uint64_t sampling_active_pages(const struct policy_ctx *ctx, const struct vm *vm)
{
	const struct sampling_vm *v = policy_vm_priv(ctx, vm);
	double pages = (double)vm_pages(vm);

	if (!v->measured)
		return vm_pages(vm);
	return (uint64_t)llround(fmax(v->fast, v->slow) * pages);
}

static bool sampling_known(const struct policy_ctx *ctx, const struct vm *vm)
{
	const struct sampling_vm *v = policy_vm_priv(ctx, vm);

	return v->measured;
}

const struct estimator_ops estimator_esx_sampling_ops = {
	.info = {.name = "esx-sampling", .params = sampling_params,
		 .priv_size = sizeof(struct sampling), .vm_priv_size = sizeof(struct sampling_vm),
		 .init = sampling_init, .period = sampling_period,
		 .on_period = sampling_on_period},
	.active_pages = sampling_active_pages,
	.known = sampling_known,
};
