/*
 * policy.h - what the model asks of a policy.  Each family is a const ops
 * struct; queries (const, change nothing) are kept apart from actions.
 * Policies live in policies/, one file each, and are listed only in
 * policies/registry.c.  The model allocates priv (priv_size bytes, zeroed)
 * and calls init with the policy's YAML mapping, after refusing keys that
 * are not in params.
 */
#ifndef POLICY_H
#define POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "cfg.h"
#include "err.h"

struct host;
struct vm;

/* What every policy has: name, parameters, lifecycle.  Each family's ops
 * struct embeds it first, as .info. */
struct policy_info {
	const char *name;               /* config: {policy: NAME} */
	const char *const *params;      /* its keys besides 'policy', NULL-ended */
	size_t priv_size;               /* allocated zeroed by the registry */
	/* Reads parameters from the policy's mapping; optional. */
	int (*init)(void *priv, struct cfg_node *params, struct sim_err *err);
	void (*release)(void *priv);    /* optional */
};

/* Overcommit: how much more a host may promise. */
struct overcommit_ops {
	struct policy_info info;
	/* Query: bytes of configured VM memory h may still accept (may be < 0). */
	int64_t (*headroom)(const void *priv, const struct host *h);
};

/* Placement: which host gets an arriving VM. */
struct placement_ops {
	struct policy_info info;
	/*
	 * Query: the index in hosts[0..n) for vm, or -1 when none will do.
	 * headroom[i] is what the overcommit policy lets hosts[i] accept; a
	 * host with headroom below the VM's memory must not be chosen.
	 */
	long (*choose)(const void *priv, const struct host *const *hosts,
		       const int64_t *headroom, size_t n, const struct vm *vm);
};

/*
 * Balloon: how many pages each VM's balloon should hold.  The model drives
 * every balloon alike toward the target, at the driver's rate limit and
 * never past its cap (balloon: {rate, max}).
 */
struct balloon_ops {
	struct policy_info info;
	/* Query: the target in pages for vm now; must not change state. */
	uint64_t (*target)(const void *priv, const struct vm *vm);
};

/* Families whose mechanics come later; only 'none' so far. */
struct sharing_ops { struct policy_info info; };
struct reclaim_ops { struct policy_info info; };
struct migration_ops { struct policy_info info; };

/* A configured policy: its ops (one of the *_ops above) and state. */
struct policy {
	const struct policy_info *info; /* &ops->info */
	const void *ops;
	void *priv;
};

#endif /* POLICY_H */
