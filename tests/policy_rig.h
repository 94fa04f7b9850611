/*
 * policy_rig.h - policies for tests that build hosts and clusters by hand:
 * each family's policy from a YAML mapping (NULL: the family's default),
 * configured through the registry as a run would, and their typed handles.
 */
#ifndef POLICY_RIG_H
#define POLICY_RIG_H

#include "mem.h"
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
/* Gives a hand-built host free_frames free frames, as if its free memory
 * had moved there: the rest becomes overhead, taken from its free 2 MiB
 * blocks first (pt.h), so that mem_check still holds. */
void policy_rig_set_free(struct hmem *hm, uint64_t free_frames);

#endif /* POLICY_RIG_H */
