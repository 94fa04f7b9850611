/*
 * place_worst_fit.c - the host with the most headroom (spreads load, leaves
 * every host some slack).  Ties: lowest index.
 */
#include "host.h"
#include "policy.h"
#include "vm.h"

static long worst_fit_choose(const struct policy_ctx *ctx, const struct host *const *hosts,
			     const int64_t *headroom, size_t n, const struct vm *vm)
{
	long best = -1;
	size_t i;

	(void)ctx;
	(void)hosts;
	for (i = 0; i < n; i++)
		if (headroom[i] >= vm_memory_bytes(vm) &&
		    (best < 0 || headroom[i] > headroom[best]))
			best = (long)i;
	return best;
}

const struct placement_ops placement_worst_fit_ops = {
	.info = {.name = "worst-fit"},
	.choose = worst_fit_choose,
};
