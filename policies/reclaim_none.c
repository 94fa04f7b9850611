/*
 * reclaim_none.c - no reclamation at all: the host never swaps, so a VM
 * that needs a frame when none is free (or is at its limit) is stopped,
 * out of memory.  For runs that must show where memory runs out.
 */
#include "host.h"
#include "policy.h"

static enum host_pressure none_pressure(const struct policy_ctx *ctx)
{
	return host_free_frames(ctx->host) ? PRESSURE_HIGH : PRESSURE_LOW;
}

const struct reclaim_ops reclaim_none_ops = {
	.info = {.name = "none"},
	.pressure = none_pressure,
};
