/*
 * balloon_static.c - a fixed balloon: every VM's balloon holds target (a
 * share of its memory), as an administrator's `xl mem-set` or a fixed
 * vmmemctl target would.  The model still inflates at the driver's rate.
 */
#include <math.h>

#include "policy.h"
#include "vm.h"

struct fixed {
	double target;                  /* share of the VM's pages, 0..1 */
};

static const char *const static_params[] = {"target", NULL};

static int static_init(void *priv, struct cfg_node *params, struct sim_err *err)
{
	struct fixed *f = priv;

	return cfg_read_fraction(params, "target", "25%", 0, 1, &f->target, err);
}

static uint64_t static_target(const struct policy_ctx *ctx, const struct vm *vm)
{
	const struct fixed *f = ctx->priv;

	return (uint64_t)floor(f->target * (double)vm_pages(vm));
}

const struct balloon_ops balloon_static_ops = {
	.info = {.name = "static", .params = static_params, .priv_size = sizeof(struct fixed),
		 .init = static_init},
	.target = static_target,
};
