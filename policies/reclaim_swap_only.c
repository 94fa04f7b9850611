/*
 * reclaim_swap_only.c - host swapping and nothing else: when a host has no
 * free frame (or a VM is at its limit) it swaps a page out, synchronously,
 * and the faulting VM waits for the write.  The victim VM is drawn in
 * proportion to its private pages (every private frame of the host is
 * equally likely to go), and the page within it, without the guest's
 * knowledge, either uniformly (victims: random) or by the host's clock
 * over its sampled accessed bits (victims: clock).  Its pressure is high
 * while a frame is free and hard (swapping) when none is.
 */
#include "host.h"
#include "policy.h"
#include "vm.h"

enum { VICTIMS_RANDOM, VICTIMS_CLOCK };

struct swap_only {
	int victims;                    /* VICTIMS_* */
};

/* Per host, for the results. */
struct swap_only_host {
	uint64_t victim_pages;          /* pages it chose to swap out */
};

static const char *const swap_only_params[] = {"victims", NULL};

static int swap_only_init(void *priv, struct cfg_node *params, struct sim_err *err)
{
	static const char *const victims[] = {"random", "clock", NULL};
	struct swap_only *so = priv;

	return cfg_read_enum(params, "victims", "random", victims, &so->victims, err);
}

static enum host_pressure swap_only_pressure(const struct policy_ctx *ctx)
{
	return host_free_frames(ctx->host) ? PRESSURE_HIGH : PRESSURE_HARD;
}

/* A VM in proportion to its private pages: O(VMs on the host). */
static struct vm *swap_only_victim_vm(const struct policy_ctx *ctx)
{
	return host_vm_by_private_pages(ctx->host, ctx->rng);
}

static uint32_t swap_only_victim_page(const struct policy_ctx *ctx, struct vm *vm)
{
	const struct swap_only *so = ctx->priv;
	struct swap_only_host *st = ctx->host_priv;
	uint32_t g = so->victims == VICTIMS_CLOCK ? mem_victim_clock(vm, ctx->now, ctx->rng)
						  : mem_victim_random(vm, ctx->rng);

	st->victim_pages += g != MEM_NONE;
	return g;
}

static void swap_only_stats(const struct policy_ctx *ctx, struct policy_stats *out)
{
	const struct swap_only_host *st = ctx->host_priv;

	policy_stat(out, "victim_pages", (double)st->victim_pages);
}

const struct reclaim_ops reclaim_swap_only_ops = {
	.info = {.name = "swap-only", .params = swap_only_params,
		 .priv_size = sizeof(struct swap_only), .host_priv_size = sizeof(struct swap_only_host),
		 .init = swap_only_init, .host_stats = swap_only_stats},
	.pressure = swap_only_pressure,
	.victim_vm = swap_only_victim_vm,
	.victim_page = swap_only_victim_page,
};
