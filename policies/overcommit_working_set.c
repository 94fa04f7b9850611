/*
 * overcommit_working_set.c - admission by estimated active memory
 * (DESIGN.md 5): a host accepts a VM while the estimated active memory of
 * its VMs (policy_estimate_pages), plus the newcomer's, plus headroom,
 * fits in its memory less overhead.  headroom is a share of the host's
 * memory (its RAM, overhead included).  A VM counts at its configured
 * working set (its first phase's, as the trace gives it: what the VM was
 * declared with, not what it does later) until the estimator knows it
 * (policy_estimate_known): the newcomer always, a VM placed before its
 * first measurement or report too, so that VMs arriving together are not
 * all taken for idle.
 *
 * headroom() answers in configured bytes, as placement compares it with
 * the VM's memory: memory + slack, where slack is what is left of the
 * host once the newcomer's working set is counted; the VM fits when
 * slack >= 0.  Asked with no VM (the run's memory estimate) it answers a
 * bound no VM reaches: configured memory does not limit this policy.  It
 * reads estimates, which change with time, so it is not host_only: the
 * model asks it again at every placement.  Cost: O(VMs on the host) per
 * call.  Estimates are in the run's pages; a sampled run's are scaled back
 * to the full VM's bytes by 1 / host_sample_rate.
 */
#include <math.h>

#include "host.h"
#include "policy.h"
#include "vm.h"

/* A bound on what a host may promise when configured memory is not what
 * limits it (2^62 bytes: no VM is that large). */
#define UNBOUNDED_BYTES (INT64_C(1) << 62)

struct working_set {
	double headroom;                /* share of the host's memory kept free */
};

static const char *const working_set_params[] = {"headroom", NULL};

static int working_set_init(void *priv, struct cfg_node *params, struct sim_err *err)
{
	struct working_set *w = priv;

	/* No published default: 10% as the issue gives it. */
	return cfg_read_fraction(params, "headroom", "10%", 0, 1, &w->headroom, err);
}

/* The configured working set of vm: its first phase's, in bytes. */
static double configured_ws_bytes(const struct vm *vm)
{
	const struct vm_spec *sp = vm_spec_of(vm);

	return (double)spec_phase_ws_bytes(&sp->phases[0], sp->memory_bytes);
}

/* What a placed VM counts for: its estimate, or its configured working set. */
static double counted_bytes(const struct policy_ctx *ctx, const struct vm *vm)
{
	if (!policy_estimate_known(ctx, vm))
		return configured_ws_bytes(vm);
	return (double)policy_estimate_pages(ctx, vm) * (double)host_page_bytes(ctx->host) /
	       host_sample_rate(ctx->host);
}

static int64_t working_set_headroom(const struct policy_ctx *ctx, const struct vm *arriving)
{
	const struct working_set *w = ctx->priv;
	double slack;
	size_t i;

	if (!arriving)
		return UNBOUNDED_BYTES;
	slack = (double)host_capacity_bytes(ctx->host) -
		w->headroom * (double)host_memory_bytes(ctx->host) - configured_ws_bytes(arriving);
	for (i = 0; i < host_vm_count(ctx->host); i++)
		slack -= counted_bytes(ctx, host_vm_at(ctx->host, i));
	return vm_memory_bytes(arriving) + (int64_t)floor(slack);
}

const struct overcommit_ops overcommit_working_set_ops = {
	.info = {.name = "working-set", .params = working_set_params,
		 .priv_size = sizeof(struct working_set), .init = working_set_init},
	.headroom = working_set_headroom,
	.host_only = false,
};
