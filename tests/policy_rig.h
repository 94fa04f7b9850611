/*
 * policy_rig.h - policies for tests that build hosts and clusters by hand:
 * each family's policy from a YAML mapping (NULL: the family's default),
 * configured through the registry as a run would, and their typed handles.
 */
#ifndef POLICY_RIG_H
#define POLICY_RIG_H

#include "policy.h"
#include "registry.h"

struct policy_rig {
	struct cfg_node *cfg[FAMILY_COUNT];
	struct policy p[FAMILY_COUNT];
	struct policy_set set;
};

/* yaml[f] configures family f (NULL entries, or yaml NULL: defaults). */
void policy_rig_init(struct policy_rig *r, const char *const yaml[FAMILY_COUNT]);
/* Every default, and reclaim swap-only with victims (random or clock). */
void policy_rig_victims(struct policy_rig *r, const char *victims);
void policy_rig_release(struct policy_rig *r);

#endif /* POLICY_RIG_H */
