/*
 * overcommit_ratio.c - a static ratio: the configured memory of a host's
 * VMs may reach max x capacity (memory - overhead).  max: 1.5 promises 50%
 * more than the host has, as a planner's rule of thumb; 150% says the same.
 */
#include <math.h>

#include "host.h"
#include "policy.h"

struct ratio {
	double max;                     /* promised / capacity, >= 1 */
};

static const char *const ratio_params[] = {"max", NULL};

static int ratio_init(void *priv, struct cfg_node *params, struct sim_err *err)
{
	struct ratio *r = priv;

	return cfg_read_fraction(params, "max", "1.5", 1.0, 100.0, &r->max, err);
}

static int64_t ratio_headroom(const struct policy_ctx *ctx, const struct vm *arriving)
{
	const struct ratio *r = ctx->priv;

	(void)arriving;
	return (int64_t)floor(r->max * (double)host_capacity_bytes(ctx->host)) -
	       host_committed_bytes(ctx->host);
}

const struct overcommit_ops overcommit_ratio_ops = {
	.info = {.name = "ratio", .params = ratio_params, .priv_size = sizeof(struct ratio),
		 .init = ratio_init},
	.headroom = ratio_headroom,
	.host_only = true,
};
