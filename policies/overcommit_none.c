/*
 * overcommit_none.c - no overcommit: the configured memory of a host's VMs
 * never exceeds its capacity (memory - overhead).
 */
#include "host.h"
#include "policy.h"

static int64_t none_headroom(const struct policy_ctx *ctx, const struct vm *arriving)
{
	(void)arriving;
	return host_capacity_bytes(ctx->host) - host_committed_bytes(ctx->host);
}

const struct overcommit_ops overcommit_none_ops = {
	.info = {.name = "none"},
	.headroom = none_headroom,
	.host_only = true,
};
