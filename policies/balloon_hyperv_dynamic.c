/*
 * balloon_hyperv_dynamic.c - Hyper-V dynamic memory (MECHANISMS.md 3).
 *
 * A VM with dynamic settings in the trace (dynamic: {startup, minimum,
 * maximum, buffer, weight}) has its maximum as guest-physical pages and
 * starts with startup of them: the model puts the pages above startup in
 * its balloon when it is placed (balloon_ops.hot_add), so hot-add is
 * deflating them and the guest never uses more than it was given (its
 * ballooned pages are not on its free list).  Shrinking is the balloon.
 * balloon.max (ESX's 65%) does not cap such a VM: Hyper-V has no cap; its
 * minimum and the guest's floor bound it instead.
 *
 * Every period (1 s, as the guest reports) the policy assigns each VM of
 * the host its memory (hyperv_assign): demand is what the estimator says
 * (guest-reported: the guest's committed memory; the policy works with any
 * estimator); a VM wants demand x (1 + buffer), within [lo, maximum],
 * where lo is the larger of its minimum and the guest's balloon floor.
 * When the wants fit in what the host can give (its memory less overhead,
 * less the VMs that are not dynamic, which keep all their memory), each
 * gets its want.  When they do not, the buffers are not kept: each VM gets
 * its demand and what is left goes to the buffers by weight; when the
 * demands do not fit either, memory goes by weight, down to lo.  The
 * balloon's target is the VM's pages less its assignment, and the model
 * moves the balloon toward it at the driver's rate (hot-add included).
 * Hyper-V's own host algorithm is closed; this is the documented
 * behaviour ("buffer is not kept when the host lacks memory; higher
 * priority VMs get memory first") made a rule.
 *
 * The floor is hv_balloon's compute_balloon_floor of the guest's RAM, its
 * installed memory: the high-water mark of what it was given (startup,
 * then what hot-add brought).  Until the estimator knows a VM (its first
 * report) the VM keeps its startup memory.  Cost: O(VMs log VMs) per host
 * and period.
 */
#include "balloon_hyperv_dynamic.h"

#include <math.h>
#include <stdlib.h>

#include "host.h"
#include "policy.h"
#include "vm.h"
#include "xmem.h"

/* The guest reports, and the host answers, once a second (hv_balloon
 * post_status, MECHANISMS.md 3). */
#define PERIOD_DEFAULT "1s"
#define MiB (INT64_C(1) << 20)

int64_t hyperv_balloon_floor_bytes(int64_t ram)
{
	/* hv_balloon's table (MECHANISMS.md 3, drivers/hv/hv_balloon.c). */
	if (ram < 128 * MiB)
		return 8 * MiB + ram / 2;
	if (ram < 512 * MiB)
		return 40 * MiB + ram / 4;
	if (ram < 2048 * MiB)
		return 104 * MiB + ram / 8;
	if (ram < 8192 * MiB)
		return 232 * MiB + ram / 16;
	return 488 * MiB + ram / 32;
}

static double clamp(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static double level_sum(const double *w, const double *a, const double *b, size_t n,
			double lambda)
{
	double s = 0;
	size_t i;

	for (i = 0; i < n; i++)
		s += clamp(lambda * w[i], a[i], b[i]);
	return s;
}

static int by_value(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return (a > b) - (a < b);
}

void hyperv_waterfill(const double *w, const double *a, const double *b, size_t n, double avail,
		      double *x, double *scratch)
{
	double sa = 0, sb = 0, lambda, s0, s1;
	size_t i, m = 0, lo, hi;

	for (i = 0; i < n; i++) {
		sa += a[i];
		sb += b[i];
		if (w[i] > 0) {
			scratch[m++] = a[i] / w[i];
			scratch[m++] = b[i] / w[i];
		}
	}
	if (sa >= avail || sb <= avail || !m) {
		for (i = 0; i < n; i++)
			x[i] = sa >= avail || !m ? a[i] : b[i];
		return;
	}
	/*
	 * The sum is continuous, piecewise linear and nondecreasing in lambda,
	 * with its breaks at the a/w and b/w: find the first break where it
	 * reaches avail, and interpolate on the piece before it.  Below the
	 * first break it is sum(a) < avail.
	 */
	qsort(scratch, m, sizeof(*scratch), by_value);
	if (level_sum(w, a, b, n, scratch[m - 1]) < avail) {
		lambda = scratch[m - 1];        /* the VMs of weight 0 take no more */
	} else {
		lo = 0;
		hi = m - 1;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (level_sum(w, a, b, n, scratch[mid]) >= avail)
				hi = mid;
			else
				lo = mid + 1;
		}
		s1 = level_sum(w, a, b, n, scratch[lo]);
		s0 = lo ? level_sum(w, a, b, n, scratch[lo - 1]) : sa;
		lambda = lo ? scratch[lo - 1] : 0;
		if (s1 > s0)
			lambda += (avail - s0) * (scratch[lo] - lambda) / (s1 - s0);
	}
	for (i = 0; i < n; i++)
		x[i] = clamp(lambda * w[i], a[i], b[i]);
}

void hyperv_assign(const struct hyperv_vm *vms, size_t n, double avail, double *assigned)
{
	/* weights, lower and upper bounds, the fill, zeros, the fill's scratch */
	double *w = xcalloc(7 * n + 1, sizeof(*w));
	double *a = w + n, *b = a + n, *x = b + n, *zero = x + n, *scratch = zero + n;
	double sum_want = 0, sum_need = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		const struct hyperv_vm *v = &vms[i];
		double want = clamp(v->demand * (1 + v->buffer), v->lo, v->hi);
		double need = clamp(v->demand, v->lo, v->hi);

		w[i] = v->weight;
		a[i] = need;
		b[i] = want;
		sum_want += want;
		sum_need += need;
	}
	if (sum_want <= avail) {
		for (i = 0; i < n; i++)
			assigned[i] = b[i];
	} else if (sum_need <= avail) {
		/* Each gets its demand; the buffers share the rest by weight. */
		for (i = 0; i < n; i++)
			b[i] -= a[i];
		hyperv_waterfill(w, zero, b, n, avail - sum_need, x, scratch);
		for (i = 0; i < n; i++)
			assigned[i] = a[i] + x[i];
	} else {
		/* No buffers: memory by weight, from each VM's lower bound up to its demand. */
		for (i = 0; i < n; i++) {
			b[i] = a[i];
			a[i] = clamp(vms[i].lo, 0, b[i]);
		}
		hyperv_waterfill(w, a, b, n, avail, assigned, scratch);
	}
	free(w);
}

/* --- the policy ---------------------------------------------------------- */

struct dynamic {
	sim_time period_ns;
};

struct dynamic_host {
	uint64_t avail_pages;           /* what the host can give, at the last period */
	uint64_t assigned_pages;        /* the assignments' sum then */
	uint64_t demand_pages;          /* the demands' sum then */
};

struct dynamic_vm {
	bool known;                     /* assigned at a period since it was placed */
	uint64_t assigned;              /* pages assigned at the last period */
	uint64_t demand;                /* pages, the estimate then */
	uint64_t installed;             /* the guest's RAM: the most it was ever given */
};

static const char *const dynamic_params[] = {"period", NULL};

static int dynamic_init(void *priv, struct cfg_node *params, struct sim_err *err)
{
	struct dynamic *d = priv;
	int rc;

	if ((rc = cfg_read_duration(params, "period", PERIOD_DEFAULT, &d->period_ns, err)) ||
	    (rc = cfg_check_duration_range(params, "period", d->period_ns, 1000000, CFG_MAX_NS,
					   err)))
		return rc;
	return 0;
}

static sim_time dynamic_period(const void *priv)
{
	const struct dynamic *d = priv;

	return d->period_ns;
}

/* The pages the VM has now: its pages less its balloon. */
static uint64_t has_pages(const struct vm *vm)
{
	return vm_pages(vm) - vm_ballooned_pages(vm);
}

/* The guest's floor in the run's pages, for its RAM of ram pages: a
 * sampled run simulates host_sample_rate of every VM's pages. */
static double floor_pages(const struct host *h, uint64_t ram)
{
	double rate = host_sample_rate(h), page = (double)host_page_bytes(h);
	int64_t full = (int64_t)((double)ram * page / rate);

	return floor((double)hyperv_balloon_floor_bytes(full) * rate / page);
}

/* What VM vm's assignment depends on now. */
static struct hyperv_vm assign_input(const struct policy_ctx *ctx, const struct vm *vm,
				     struct dynamic_vm *dv)
{
	const struct dynamic_spec *dy = &vm_spec_of(vm)->dynamic;
	double pages = (double)vm_pages(vm);
	struct hyperv_vm in = {0};

	if (!dv->installed)
		dv->installed = vm_startup_pages(vm);
	if (has_pages(vm) > dv->installed)
		dv->installed = has_pages(vm);
	dv->demand = policy_estimate_pages(ctx, vm);
	if (!vm_is_dynamic(vm)) {
		/* Static at its memory size. */
		in.demand = in.lo = in.hi = pages;
	} else if (!policy_estimate_known(ctx, vm)) {
		/* No report yet: it keeps its startup memory. */
		in.demand = in.lo = in.hi = (double)vm_startup_pages(vm);
	} else {
		double floor_of_ram = floor_pages(ctx->host, dv->installed);

		in.demand = (double)dv->demand;
		in.hi = pages;
		in.lo = fmin(fmax((double)vm_minimum_pages(vm), floor_of_ram), in.hi);
		in.buffer = dy->buffer;
		in.weight = dy->weight;
	}
	return in;
}

static void dynamic_on_period(const struct policy_ctx *ctx)
{
	struct dynamic_host *dh = ctx->host_priv;
	size_t i, n = host_vm_count(ctx->host);
	struct hyperv_vm *in = xcalloc(n ? n : 1, sizeof(*in));
	double *assigned = xcalloc(n ? n : 1, sizeof(*assigned));
	double cap = (double)host_capacity_bytes(ctx->host);

	dh->avail_pages = cap > 0 ? (uint64_t)floor(cap * host_sample_rate(ctx->host) /
						    (double)host_page_bytes(ctx->host))
				  : 0;
	for (i = 0; i < n; i++) {
		const struct vm *vm = host_vm_at(ctx->host, i);

		in[i] = assign_input(ctx, vm, policy_vm_priv(ctx, vm));
	}
	hyperv_assign(in, n, (double)dh->avail_pages, assigned);
	dh->assigned_pages = dh->demand_pages = 0;
	for (i = 0; i < n; i++) {
		const struct vm *vm = host_vm_at(ctx->host, i);
		struct dynamic_vm *dv = policy_vm_priv(ctx, vm);
		/* Rounded down: the assignments never add up to more than the host has. */
		double keep = floor(assigned[i] + 1e-9);

		dv->known = true;
		dv->assigned = keep < (double)vm_pages(vm) ? (uint64_t)keep : vm_pages(vm);
		dh->assigned_pages += dv->assigned;
		dh->demand_pages += dv->demand;
	}
	free(in);
	free(assigned);
}

static uint64_t dynamic_target(const struct policy_ctx *ctx, const struct vm *vm)
{
	const struct dynamic_vm *dv = policy_vm_priv(ctx, vm);

	if (!dv->known)
		return vm_pages(vm) - vm_startup_pages(vm);
	return vm_pages(vm) - dv->assigned;
}

static void dynamic_host_stats(const struct policy_ctx *ctx, struct policy_stats *out)
{
	const struct dynamic_host *dh = ctx->host_priv;
	double page = (double)host_page_bytes(ctx->host);

	policy_stat(out, "allocatable_bytes", (double)dh->avail_pages * page);
	policy_stat(out, "target_bytes", (double)dh->assigned_pages * page);
	policy_stat(out, "demand_bytes", (double)dh->demand_pages * page);
}

static void dynamic_vm_stats(const struct policy_ctx *ctx, const struct vm *vm,
			     struct policy_stats *out)
{
	const struct dynamic_vm *dv = policy_vm_priv(ctx, vm);
	double page = (double)host_page_bytes(ctx->host);
	uint64_t has = has_pages(vm);

	policy_stat(out, "assigned_bytes_mean", (double)has * page);
	policy_stat(out, "target_bytes_mean",
		    (double)(dv->known ? dv->assigned : vm_startup_pages(vm)) * page);
	policy_stat(out, "demand_bytes_mean", (double)dv->demand * page);
	/* Hyper-V's counter: committed / assigned x 100. */
	policy_stat(out, "pressure_mean", has ? 100.0 * (double)dv->demand / (double)has : 0.0);
}

const struct balloon_ops balloon_hyperv_dynamic_ops = {
	.info = {.name = "hyperv-dynamic", .params = dynamic_params,
		 .priv_size = sizeof(struct dynamic), .host_priv_size = sizeof(struct dynamic_host),
		 .vm_priv_size = sizeof(struct dynamic_vm), .init = dynamic_init,
		 .period = dynamic_period, .on_period = dynamic_on_period,
		 .host_stats = dynamic_host_stats, .vm_stats = dynamic_vm_stats},
	.target = dynamic_target,
	.hot_add = true,
};
