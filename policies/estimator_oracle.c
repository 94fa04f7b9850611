/*
 * estimator_oracle.c - the true working set: what the hypervisor would
 * know if it could see every touch.  For what-if runs that price the
 * error of a real estimator; no hypervisor has it.
 */
#include "policy.h"
#include "vm.h"

static uint64_t oracle_active_pages(const struct policy_ctx *ctx, const struct vm *vm)
{
	(void)ctx;
	return vm_working_set_pages(vm);
}

/* The model sets a VM's working set at its first tick after placement:
 * until then the truth reads 0 and is not yet known. */
static bool oracle_known(const struct policy_ctx *ctx, const struct vm *vm)
{
	(void)ctx;
	return vm_working_set_pages(vm) > 0;
}

const struct estimator_ops estimator_oracle_ops = {
	.info = {.name = "oracle"},
	.active_pages = oracle_active_pages,
	.known = oracle_known,
};
