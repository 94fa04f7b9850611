/*
 * balloon_esx_idle_tax.c - ESX's balloon targets by shares with an idle
 * memory tax (Waldspurger, OSDI 2002, sections 5.2 and 5.4; MECHANISMS.md
 * 1.1).
 *
 * ESX allocates memory by min-funding revocation: memory is taken from the
 * VM that pays least for it, the one with the lowest adjusted shares per
 * page rho = S / (P (f + k (1 - f))), where S is the VM's shares, P the
 * pages it is allocated, f the fraction of them that is active and
 * k = 1 / (1 - tau) the cost of an idle page at tax rate tau.  Taking
 * pages from the lowest bidder until nobody bids less than anybody else
 * ends where every VM's rho is one level lambda, except VMs held at their
 * reservation (never less) or their limit (never more).  This policy
 * computes that end state directly: the level at which the allocations
 * add up to what the host can give, its memory less the hypervisor's
 * overhead and MinFree (esx_min_free_bytes), found with GSL's Brent root
 * finder.  A VM's balloon target is its pages less its allocation; when
 * every VM fits, no balloon holds anything.
 *
 * f is taken from the estimator (policy_estimate_pages: esx-sampling by
 * default), never the true working set: f = estimated active pages / P,
 * at most 1, so the tax falls on the allocated pages the estimator thinks
 * idle.  A VM's cost of P pages, P (f + k (1 - f)), is min(P, A) +
 * k max(0, P - A) for A active pages: continuous and increasing in P, so
 * the allocation at a level is unique and the sum is monotone in it.
 *
 * The targets are recomputed once per period (vmmemctl polls once a
 * second, OSDI'02 3.2, MECHANISMS.md 1.4) for every VM of the host, in
 * O(VMs) per root-finder step, and target() answers from them.  A VM
 * placed since the last period has no target yet (0).  The model caps
 * every balloon (balloon: {max}, 65% by default, Mem.CtlMaxPercent) and
 * the host swaps what the balloon cannot take when frames run out.  Not
 * modelled: ESXi's "progressive" tax type (Mem.IdleTaxType), whose rate
 * rises with the idle share; here tau is one rate.
 */
#include "balloon_esx_idle_tax.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_roots.h>
#include <math.h>
#include <stdlib.h>

#include "err.h"
#include "esx.h"
#include "host.h"
#include "policy.h"
#include "vm.h"
#include "xmem.h"

/* Mem.IdleTax: 75 by default, 0-99 (ESXi 7.0U3 advanced settings;
 * OSDI'02 node14 uses 75% too). */
#define TAX_RATE_DEFAULT "75%"
#define TAX_RATE_MAX 0.99
/* vmmemctl polls for its target once per second (OSDI'02 3.2). */
#define PERIOD_DEFAULT "1s"
#define ROOT_MAX_ITER 200
#define ROOT_PAGES_TOL 1e-6           /* the allocations' sum, within this of the goal */

double esx_idle_tax_k(double tax_rate)
{
	return 1.0 / (1.0 - tax_rate);
}

double esx_idle_tax_rho(double shares, double pages, double active_fraction, double k)
{
	return shares / (pages * (active_fraction + k * (1.0 - active_fraction)));
}

/* The pages a VM with A active pages gets for a cost of c: the inverse
 * of cost(P) = min(P, A) + k max(0, P - A). */
static double pages_for_cost(double c, double active, double k)
{
	return c <= active ? c : active + (c - active) / k;
}

static double cost_of_pages(double p, double active, double k)
{
	return p <= active ? p : active + k * (p - active);
}

struct level {
	const struct esx_tax_vm *vms;
	size_t n;
	double k;
	double avail;
};

/*
 * VM v's allocation at level lambda = 1 / mu: the P at which its rho is
 * lambda, S / cost(P) = lambda, so cost(P) = S mu, clamped.  A VM without
 * shares bids nothing and keeps its reservation.
 */
static double alloc_at(const struct esx_tax_vm *v, double mu, double k)
{
	double p = v->shares > 0 ? pages_for_cost(v->shares * mu, v->active_pages, k) : 0;

	return p < v->min_pages ? v->min_pages : p > v->max_pages ? v->max_pages : p;
}

/* The allocations at mu less what the host can give: increasing in mu. */
static double excess(double mu, void *arg)
{
	const struct level *l = arg;
	double sum = 0;
	size_t i;

	for (i = 0; i < l->n; i++)
		sum += alloc_at(&l->vms[i], mu, l->k);
	return sum - l->avail;
}

int esx_idle_tax_allocate(const struct esx_tax_vm *vms, size_t n, double avail_pages, double k,
			  double *alloc)
{
	struct level l = {vms, n, k, avail_pages};
	gsl_function fn = {excess, &l};
	gsl_root_fsolver *s;
	double mu_hi = 0, sum_min = 0, sum_max = 0, mu;
	int status, iter = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		sum_min += vms[i].min_pages;
		sum_max += vms[i].max_pages;
		/* From this mu on, VM i is at its max. */
		if (vms[i].shares > 0)
			mu_hi = fmax(mu_hi, cost_of_pages(vms[i].max_pages, vms[i].active_pages, k) /
						    vms[i].shares);
	}
	if (sum_max <= avail_pages || sum_min >= avail_pages) {
		for (i = 0; i < n; i++)
			alloc[i] = sum_max <= avail_pages ? vms[i].max_pages : vms[i].min_pages;
		return 0;
	}
	/*
	 * excess(0) = sum_min - avail < 0, and at mu_hi every VM that bids is
	 * at its max: if that is still short (the rest bid nothing), mu_hi it
	 * is.  Otherwise Brent finds the root in between; on a piece where
	 * every allocation is linear its interpolation is exact, so it stops
	 * within a few steps of the last breakpoint.
	 */
	mu = mu_hi;
	if (excess(mu_hi, &l) > 0) {
		s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
		status = gsl_root_fsolver_set(s, &fn, 0, mu_hi);
		while (status == GSL_SUCCESS && iter++ < ROOT_MAX_ITER) {
			mu = gsl_root_fsolver_root(s);
			if (fabs(excess(mu, &l)) < ROOT_PAGES_TOL ||
			    gsl_root_test_interval(gsl_root_fsolver_x_lower(s),
						   gsl_root_fsolver_x_upper(s), 0,
						   1e-14) == GSL_SUCCESS)
				break;
			status = gsl_root_fsolver_iterate(s);
		}
		mu = gsl_root_fsolver_root(s);
		gsl_root_fsolver_free(s);
		if (status != GSL_SUCCESS)
			return -SIM_ERANGE;
	}
	for (i = 0; i < n; i++)
		alloc[i] = alloc_at(&vms[i], mu, k);
	return 0;
}

/* --- the policy ---------------------------------------------------------- */

struct idle_tax {
	double tax_rate;                /* tau, Mem.IdleTax */
	double k;                       /* 1 / (1 - tau) */
	sim_time period_ns;             /* between two recomputations */
};

struct idle_tax_host {
	bool known;                     /* avail_pages is set (at the first period) */
	uint64_t avail_pages;           /* what the host can give; fixed per host */
	uint64_t target_pages;          /* the targets' sum at the last period */
};

struct idle_tax_vm {
	uint64_t target_pages;          /* from the last period; 0 before one */
};

static const char *const idle_tax_params[] = {"tax_rate", "period", NULL};

static int idle_tax_init(void *priv, struct cfg_node *params, struct sim_err *err)
{
	struct idle_tax *t = priv;
	int rc;

	if ((rc = cfg_read_fraction(params, "tax_rate", TAX_RATE_DEFAULT, 0, TAX_RATE_MAX,
				    &t->tax_rate, err)) ||
	    (rc = cfg_read_duration(params, "period", PERIOD_DEFAULT, &t->period_ns, err)) ||
	    (rc = cfg_check_duration_range(params, "period", t->period_ns, 1000000, CFG_MAX_NS,
					   err)))
		return rc;
	t->k = esx_idle_tax_k(t->tax_rate);
	return 0;
}

static sim_time idle_tax_period(const void *priv)
{
	const struct idle_tax *t = priv;

	return t->period_ns;
}

/* The host's simulated pages for a size of the full host: a sampled run
 * simulates host_sample_rate of every VM's pages and of the host's frames. */
static double sim_pages(const struct host *h, double bytes)
{
	return bytes * host_sample_rate(h) / (double)host_page_bytes(h);
}

/* Bytes the host can give its VMs: memory less overhead and MinFree. */
static int64_t avail_bytes(const struct host *h)
{
	int64_t bytes = host_capacity_bytes(h) - esx_min_free_bytes(host_memory_bytes(h));

	return bytes > 0 ? bytes : 0;
}

static uint64_t avail_pages(const struct host *h)
{
	return (uint64_t)floor(sim_pages(h, (double)avail_bytes(h)));
}

/* What one VM's allocation depends on. */
static struct esx_tax_vm tax_vm(const struct policy_ctx *ctx, const struct vm *vm)
{
	const struct vm_spec *sp = vm_spec_of(vm);
	double pages = (double)vm_pages(vm);
	double limit = fmin(floor(sim_pages(ctx->host, (double)sp->limit_bytes)), pages);
	double reserved = fmin(ceil(sim_pages(ctx->host, (double)sp->reservation_bytes)), limit);

	return (struct esx_tax_vm){.shares = sp->shares,
				   .active_pages = (double)policy_estimate_pages(ctx, vm),
				   .min_pages = reserved, .max_pages = limit};
}

static void idle_tax_on_period(const struct policy_ctx *ctx)
{
	const struct idle_tax *t = ctx->priv;
	struct idle_tax_host *th = ctx->host_priv;
	size_t i, n = host_vm_count(ctx->host);
	struct esx_tax_vm *v = xcalloc(n ? n : 1, sizeof(*v));
	double *alloc = xcalloc(n ? n : 1, sizeof(*alloc));

	if (!th->known) {
		th->avail_pages = avail_pages(ctx->host);
		th->known = true;
	}
	th->target_pages = 0;
	for (i = 0; i < n; i++)
		v[i] = tax_vm(ctx, host_vm_at(ctx->host, i));
	if (esx_idle_tax_allocate(v, n, (double)th->avail_pages, t->k, alloc))
		SIM_BUG("no water level for %zu VMs", n);
	for (i = 0; i < n; i++) {
		const struct vm *vm = host_vm_at(ctx->host, i);
		struct idle_tax_vm *tv = policy_vm_priv(ctx, vm);
		/* Rounded down: the allocations never add up to more than the host has. */
		double keep = floor(alloc[i] + 1e-9);

		tv->target_pages = keep < (double)vm_pages(vm) ? vm_pages(vm) - (uint64_t)keep : 0;
		th->target_pages += tv->target_pages;
	}
	free(v);
	free(alloc);
}

static uint64_t idle_tax_target(const struct policy_ctx *ctx, const struct vm *vm)
{
	const struct idle_tax_vm *tv = policy_vm_priv(ctx, vm);

	return tv->target_pages;
}

static void idle_tax_stats(const struct policy_ctx *ctx, struct policy_stats *out)
{
	const struct idle_tax_host *th = ctx->host_priv;
	double page = (double)host_page_bytes(ctx->host);

	/* In the simulated host's bytes, which a sampled run's results scale
	 * back to the full host's. */
	policy_stat(out, "allocatable_bytes",
		    (double)(avail_bytes(ctx->host) / host_page_bytes(ctx->host)) * page *
			    host_sample_rate(ctx->host));
	policy_stat(out, "target_bytes", (double)th->target_pages * page);
}

const struct balloon_ops balloon_esx_idle_tax_ops = {
	.info = {.name = "esx-idle-tax", .params = idle_tax_params,
		 .priv_size = sizeof(struct idle_tax), .host_priv_size = sizeof(struct idle_tax_host),
		 .vm_priv_size = sizeof(struct idle_tax_vm), .init = idle_tax_init,
		 .period = idle_tax_period, .on_period = idle_tax_on_period,
		 .host_stats = idle_tax_stats},
	.target = idle_tax_target,
};
