/*
 * host.c - host accounting.  Removal swaps the last VM into the hole, so
 * both add and remove are O(1); each VM remembers its slot.
 */
#include "host.h"

#include <stdlib.h>

#include "err.h"
#include "rng.h"
#include "vm.h"
#include "xmem.h"

void host_init(struct host *h, size_t id, const char *name, const char *group,
	       int64_t memory_bytes, int64_t overhead_bytes)
{
	*h = (struct host){0};
	h->id = id;
	h->name = xstrdup(name);
	h->group = group;
	h->memory_bytes = memory_bytes;
	h->overhead_bytes = overhead_bytes;
}

void host_release(struct host *h)
{
	int f;

	for (f = 0; f < FAMILY_COUNT; f++) {
		free(h->pol[f].priv);
		if (h->pol[f].rng)
			gsl_rng_free(h->pol[f].rng);
	}
	free(h->name);
	free(h->vms);
}

/*
 * A family's stream purpose: all are policy purposes (rng.h), never a
 * workload's.  Reclaim and placement keep the purposes they had before the
 * policy framework, so their draws, and every result, stay as they were;
 * the other families share RNG_POLICY, with the family in the entity.
 */
static gsl_rng *family_stream(enum policy_family f, uint64_t seed, uint32_t replication,
			      uint64_t host_entity)
{
	switch (f) {
	case FAMILY_RECLAIM:
		return rng_stream(seed, replication, RNG_RECLAIM, host_entity);
	case FAMILY_PLACEMENT:
		return rng_stream(seed, replication, RNG_PLACEMENT, host_entity);
	case FAMILY_ESTIMATOR:
	case FAMILY_OVERCOMMIT:
	case FAMILY_BALLOON:
	case FAMILY_SHARING:
	case FAMILY_MIGRATION:
	case FAMILY_COUNT:
		break;
	}
	return rng_stream(seed, replication, RNG_POLICY, rng_mix(host_entity ^ (uint64_t)(f + 1)));
}

void host_bind_policies(struct host *h, const struct policy_set *s, uint64_t seed,
			uint32_t replication)
{
	uint64_t entity = rng_entity(h->name);
	int f;

	h->policies = s;
	for (f = 0; f < FAMILY_COUNT; f++) {
		void *priv;
		const struct policy_info *info = policy_set_info(s, (enum policy_family)f, &priv);

		h->pol[f].priv = info->host_priv_size ? xcalloc(1, info->host_priv_size) : NULL;
		/* One stream per family: two policies of a host never share draws. */
		h->pol[f].rng = family_stream((enum policy_family)f, seed, replication, entity);
		h->pol[f].vm_seed =
			rng_seed64(seed, replication, RNG_POLICY, rng_mix((uint64_t)(f + 1)));
	}
}

struct policy_ctx policy_ctx_of(const struct host *h, enum policy_family f, sim_time now)
{
	struct policy_ctx ctx = {.now = now, .host = h, .family = f, .set = h->policies};
	void *priv;

	policy_set_info(h->policies, f, &priv);
	ctx.priv = priv;
	ctx.rng = h->pol[f].rng;
	ctx.vm_seed = h->pol[f].vm_seed;
	ctx.host_priv = h->pol[f].priv;
	return ctx;
}

void *policy_vm_priv(const struct policy_ctx *ctx, const struct vm *vm)
{
	return vm->policy_priv[ctx->family];
}

uint64_t policy_estimate_pages(const struct policy_ctx *ctx, const struct vm *vm)
{
	struct policy_ctx e = policy_ctx_of(ctx->host, FAMILY_ESTIMATOR, ctx->now);

	return estimator_active_pages(&ctx->set->estimator, &e, vm);
}

bool policy_estimate_known(const struct policy_ctx *ctx, const struct vm *vm)
{
	struct policy_ctx e = policy_ctx_of(ctx->host, FAMILY_ESTIMATOR, ctx->now);

	return estimator_known(&ctx->set->estimator, &e, vm);
}

uint64_t policy_balloon_target(const struct policy_ctx *ctx, const struct vm *vm)
{
	struct policy_ctx b = policy_ctx_of(ctx->host, FAMILY_BALLOON, ctx->now);

	return balloon_target(&ctx->set->balloon, &b, vm);
}

bool policy_sharing_tuning(const struct policy_ctx *ctx, uint64_t *pages_to_scan,
			   sim_time *sleep_ns)
{
	struct policy_ctx b = policy_ctx_of(ctx->host, FAMILY_BALLOON, ctx->now);

	return balloon_sharing_tuning(&ctx->set->balloon, &b, pages_to_scan, sleep_ns);
}

enum host_pressure policy_pressure(const struct policy_ctx *ctx)
{
	struct policy_ctx r = policy_ctx_of(ctx->host, FAMILY_RECLAIM, ctx->now);

	return reclaim_pressure(&ctx->set->reclaim, &r);
}

const char *policy_pressure_name(enum host_pressure p)
{
	static const char *const names[PRESSURE_COUNT] = {"high", "clear", "soft", "hard", "low"};

	return p < PRESSURE_COUNT ? names[p] : "?";
}



int64_t host_capacity_bytes(const struct host *h)
{
	return h->memory_bytes - h->overhead_bytes;
}

int64_t host_committed_bytes(const struct host *h)
{
	return h->committed_bytes;
}

int64_t host_unpromised_bytes(const struct host *h)
{
	int64_t free_bytes = host_capacity_bytes(h) - h->committed_bytes;

	return free_bytes > 0 ? free_bytes : 0;
}

void host_add_vm(struct host *h, struct vm *vm)
{
	XGROW(h->vms, h->cap_vms, h->n_vms + 1);
	vm->host = h;
	vm->ran_on = h;
	vm->host_slot = h->n_vms;
	h->vms[h->n_vms++] = vm;
	h->committed_bytes += vm_memory_bytes(vm);
	if (h->committed_bytes > h->committed_peak_bytes)
		h->committed_peak_bytes = h->committed_bytes;
	h->vms_hosted++;
}

void host_remove_vm(struct host *h, struct vm *vm)
{
	size_t slot = vm->host_slot;

	if (vm->host != h || slot >= h->n_vms || h->vms[slot] != vm)
		SIM_BUG("VM %s is not on host %s", vm->spec->name, h->name);
	h->vms[slot] = h->vms[--h->n_vms];
	h->vms[slot]->host_slot = slot;
	h->committed_bytes -= vm_memory_bytes(vm);
	vm->host = NULL;
}

struct vm *host_vm_by_private_pages(const struct host *h, gsl_rng *r)
{
	size_t i, n = host_vm_count(h);
	uint64_t total = host_private_pages(h), x;

	if (!total)
		return NULL;
	x = (uint64_t)(gsl_rng_uniform(r) * (double)total);
	for (i = 0; i < n; i++) {
		uint64_t p = vm_private_pages(host_vm_at(h, i));

		if (x < p)
			return host_vm_at(h, i);
		x -= p;
	}
	/* Rounding at the top: the last VM with a private page. */
	for (i = n; i-- > 0;)
		if (vm_private_pages(host_vm_at(h, i)))
			return host_vm_at(h, i);
	return NULL;
}
