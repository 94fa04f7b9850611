/*
 * registry.h - every policy by family and name, generated from
 * policies/policies.def.
 */
#ifndef REGISTRY_H
#define REGISTRY_H

#include <stddef.h>

#include "cfg.h"
#include "policy.h"

/* A configured policy of some family: its ops (one of policy.h's *_ops)
 * and state, before it is handed to the model as a typed handle. */
struct policy {
	const struct policy_info *info; /* &ops->info */
	const void *ops;
	void *priv;
};

const char *policy_family_name(enum policy_family f);
/* The default policy name of a family. */
const char *policy_family_default(enum policy_family f);
size_t policy_count(enum policy_family f);
/* Every policy of every family, in policies.def's order: the i-th entry's
 * family, name (as policies.def spells it), ops and info. */
size_t policy_total(void);
const struct policy_info *policy_entry(size_t i, enum policy_family *f, const char **name,
				       const void **ops);
/* Writes the family's policy names, comma-separated, to buf; returns their count. */
size_t policy_known_list(enum policy_family f, char *buf, size_t size);
/* The i-th policy of f: its info and its ops. */
const struct policy_info *policy_info_at(enum policy_family f, size_t i, const void **ops);
/*
 * Configures family f from its mapping (map may be NULL: the default
 * policy with default parameters).  extra_keys are keys the caller reads
 * itself (NULL-terminated, or NULL).  Fills *out; release with policy_release.
 */
int policy_configure(enum policy_family f, struct cfg_node *map, const char *const *extra_keys,
		     struct policy *out, struct sim_err *err);
void policy_release(struct policy *p);
/* The typed handles of p[0..FAMILY_COUNT), one per family in enum order
 * (borrowed: p must outlive s). */
void policy_set_from(struct policy_set *s, const struct policy p[FAMILY_COUNT]);

#endif /* REGISTRY_H */
