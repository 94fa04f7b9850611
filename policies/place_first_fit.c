/*
 * place_first_fit.c - the first host, in cluster order, with room.
 */
#include "host.h"
#include "policy.h"
#include "vm.h"

static long first_fit_choose(const struct policy_ctx *ctx, const struct host *const *hosts,
			     const int64_t *headroom, size_t n, const struct vm *vm)
{
	size_t i;

	(void)ctx;
	(void)hosts;
	for (i = 0; i < n; i++)
		if (headroom[i] >= vm_memory_bytes(vm))
			return (long)i;
	return -1;
}

const struct placement_ops placement_first_fit_ops = {
	.info = {.name = "first-fit"},
	.choose = first_fit_choose,
};
