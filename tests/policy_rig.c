/*
 * policy_rig.c - policies for hand-built hosts and clusters in tests.
 */
#include "policy_rig.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

void policy_rig_init(struct policy_rig *r, const char *const yaml[FAMILY_COUNT])
{
	int f;

	memset(r, 0, sizeof(*r));
	for (f = 0; f < FAMILY_COUNT; f++) {
		struct sim_err err = {0};
		const char *text = yaml && yaml[f] ? yaml[f] : "{}";

		ck_assert_int_eq(cfg_load_string("rig", text, &r->cfg[f], &err), 0);
		ck_assert_msg(policy_configure((enum policy_family)f, r->cfg[f], NULL, &r->p[f],
					       &err) == 0,
			      "%s: %s", text, err.msg);
	}
	policy_set_from(&r->set, r->p);
}

void policy_rig_victims(struct policy_rig *r, const char *victims)
{
	const char *yaml[FAMILY_COUNT] = {0};
	char reclaim[80];

	snprintf(reclaim, sizeof(reclaim), "{policy: swap-only, victims: %s}", victims);
	yaml[FAMILY_RECLAIM] = reclaim;
	policy_rig_init(r, yaml);
}

void policy_rig_release(struct policy_rig *r)
{
	int f;

	for (f = 0; f < FAMILY_COUNT; f++) {
		policy_release(&r->p[f]);
		cfg_free(r->cfg[f]);
	}
	memset(r, 0, sizeof(*r));
}

void policy_rig_set_free(struct hmem *hm, uint64_t free_frames)
{
	hm->frames_overhead += hm->frames_free;
	ck_assert_uint_ge(hm->frames_overhead, free_frames);
	hm->frames_overhead -= free_frames;
	hm->frames_free = free_frames;
	if (hm->pt.blocks * hm->pt.group > free_frames)
		hm->pt.blocks = free_frames / hm->pt.group;
}
