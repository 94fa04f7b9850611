/*
 * balloon_none.c - no balloon: VMs keep the memory they touch.
 */
#include "policy.h"

static uint64_t none_target(const struct policy_ctx *ctx, const struct vm *vm)
{
	(void)ctx;
	(void)vm;
	return 0;
}

const struct balloon_ops balloon_none_ops = {
	.info = {.name = "none"},
	.target = none_target,
};
