/*
 * estimator_guest_reported.c - what a guest's balloon driver reports to
 * its host: its committed and its free memory, once every period
 * (Hyper-V's Linux hv_balloon posts its status every 1 s, post_status;
 * virtio-balloon's stats queue does the same for MOM; MECHANISMS.md 2.3
 * and 3).
 *
 * Committed memory is what the guest uses: the data pages it has touched
 * and not freed, wherever they are (on a host frame, private or shared;
 * host-swapped or compressed, which the guest cannot tell; or in its own
 * swap, which Linux's vm_memory_committed still counts), page cache
 * included (the model does not tell it apart).  Of the other terms of
 * hv_balloon's committed figure, "hot-added less onlined" is 0 (a page
 * hot-added is onlined at once), ballooned pages are the host's own count
 * and not the guest's demand, and the balloon floor is applied by the
 * balloon policy as a bound, not reported (balloon_hyperv_dynamic.c).
 * Free memory is the pages the guest has (its pages less its balloon)
 * less committed.
 *
 * Each period the host's VMs report, and active_pages answers the
 * committed pages of the last report: it lags the guest by at most one
 * period.  A VM that has not reported yet counts as fully committed (its
 * pages; known() is false until then), as esx-sampling counts a VM it has
 * not measured.  Cost: O(VMs) per host and period.  Other policies read
 * committed through policy_estimate_pages and free as the VM's current
 * size (vm_pages - vm_ballooned_pages) less it.
 */
#include "host.h"
#include "policy.h"
#include "vm.h"

/* hv_balloon's post_status runs once a second (MECHANISMS.md 3). */
#define PERIOD_DEFAULT "1s"

struct reported {
	sim_time period_ns;
};

struct reported_vm {
	bool reported;
	uint64_t committed;             /* pages, as of the last report */
	uint64_t free;                  /* pages, as of the last report */
};

static const char *const reported_params[] = {"period", NULL};

static int reported_init(void *priv, struct cfg_node *params, struct sim_err *err)
{
	struct reported *r = priv;
	int rc;

	if ((rc = cfg_read_duration(params, "period", PERIOD_DEFAULT, &r->period_ns, err)) ||
	    (rc = cfg_check_duration_range(params, "period", r->period_ns, 1000000, CFG_MAX_NS,
					   err)))
		return rc;
	return 0;
}

static sim_time reported_period(const void *priv)
{
	const struct reported *r = priv;

	return r->period_ns;
}

static void reported_on_period(const struct policy_ctx *ctx)
{
	size_t i;

	for (i = 0; i < host_vm_count(ctx->host); i++) {
		const struct vm *vm = host_vm_at(ctx->host, i);
		struct reported_vm *v = policy_vm_priv(ctx, vm);
		uint64_t has = vm_pages(vm) - vm_ballooned_pages(vm);

		v->reported = true;
		v->committed = vm_guest_used_pages(vm);
		v->free = has > v->committed ? has - v->committed : 0;
	}
}

static uint64_t reported_active_pages(const struct policy_ctx *ctx, const struct vm *vm)
{
	const struct reported_vm *v = policy_vm_priv(ctx, vm);

	return v->reported ? v->committed : vm_pages(vm);
}

static bool reported_known(const struct policy_ctx *ctx, const struct vm *vm)
{
	const struct reported_vm *v = policy_vm_priv(ctx, vm);

	return v->reported;
}

static void reported_vm_stats(const struct policy_ctx *ctx, const struct vm *vm,
			      struct policy_stats *out)
{
	const struct reported_vm *v = policy_vm_priv(ctx, vm);
	double page = (double)host_page_bytes(ctx->host);

	policy_stat(out, "committed_bytes_mean", (double)v->committed * page);
	policy_stat(out, "free_bytes_mean", (double)v->free * page);
}

const struct estimator_ops estimator_guest_reported_ops = {
	.info = {.name = "guest-reported", .params = reported_params,
		 .priv_size = sizeof(struct reported), .vm_priv_size = sizeof(struct reported_vm),
		 .init = reported_init, .period = reported_period,
		 .on_period = reported_on_period, .vm_stats = reported_vm_stats},
	.active_pages = reported_active_pages,
	.known = reported_known,
};
