/*
 * registry.c - the one table of all policies.  A new policy is one file in
 * policies/ and one line in its family's table here.
 */
#include "registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmem.h"

extern const struct placement_ops placement_first_fit_ops, placement_best_fit_ops,
	placement_worst_fit_ops;
extern const struct overcommit_ops overcommit_none_ops, overcommit_ratio_ops;
extern const struct balloon_ops balloon_none_ops, balloon_static_ops;
extern const struct sharing_ops sharing_none_ops;
extern const struct reclaim_ops reclaim_none_ops;
extern const struct migration_ops migration_none_ops;

static const struct placement_ops *const placement_table[] = {
	&placement_first_fit_ops,
	&placement_best_fit_ops,
	&placement_worst_fit_ops,
};
static const struct overcommit_ops *const overcommit_table[] = {
	&overcommit_none_ops,
	&overcommit_ratio_ops,
};
static const struct balloon_ops *const balloon_table[] = {
	&balloon_none_ops,
	&balloon_static_ops,
};
static const struct sharing_ops *const sharing_table[] = {
	&sharing_none_ops,
};
static const struct reclaim_ops *const reclaim_table[] = {
	&reclaim_none_ops,
};
static const struct migration_ops *const migration_table[] = {
	&migration_none_ops,
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

struct family {
	const char *name;               /* config key under policies: */
	const char *def;                /* default policy */
	const char *const *planned;     /* names DESIGN.md promises, not built yet */
};

static const char *const planned_placement[] = {"sharing-aware", NULL};
static const char *const planned_overcommit[] = {"working-set", NULL};
static const char *const planned_balloon[] = {
	"esx-idle-tax", "hyperv-dynamic", "mom", NULL,
};
static const char *const planned_sharing[] = {"ksm", "tps", "zero-only", NULL};
static const char *const planned_reclaim[] = {"esx-states", "watermarks", "swap-only", NULL};
static const char *const planned_migration[] = {"threshold", "consolidation", NULL};

static const struct family families[FAMILY_COUNT] = {
	[FAMILY_PLACEMENT] = {"placement", "first-fit", planned_placement},
	[FAMILY_OVERCOMMIT] = {"overcommit", "none", planned_overcommit},
	[FAMILY_BALLOON] = {"balloon", "none", planned_balloon},
	[FAMILY_SHARING] = {"sharing", "none", planned_sharing},
	[FAMILY_RECLAIM] = {"reclaim", "none", planned_reclaim},
	[FAMILY_MIGRATION] = {"migration", "none", planned_migration},
};

const char *policy_family_name(enum policy_family f)
{
	return families[f].name;
}

const char *policy_family_default(enum policy_family f)
{
	return families[f].def;
}

size_t policy_count(enum policy_family f)
{
	switch (f) {
	case FAMILY_PLACEMENT:
		return COUNT(placement_table);
	case FAMILY_OVERCOMMIT:
		return COUNT(overcommit_table);
	case FAMILY_BALLOON:
		return COUNT(balloon_table);
	case FAMILY_SHARING:
		return COUNT(sharing_table);
	case FAMILY_RECLAIM:
		return COUNT(reclaim_table);
	case FAMILY_MIGRATION:
		return COUNT(migration_table);
	case FAMILY_COUNT:
		break;
	}
	return 0;
}

const struct policy_info *policy_info_at(enum policy_family f, size_t i, const void **ops)
{
	switch (f) {
	case FAMILY_PLACEMENT:
		*ops = placement_table[i];
		return &placement_table[i]->info;
	case FAMILY_OVERCOMMIT:
		*ops = overcommit_table[i];
		return &overcommit_table[i]->info;
	case FAMILY_BALLOON:
		*ops = balloon_table[i];
		return &balloon_table[i]->info;
	case FAMILY_SHARING:
		*ops = sharing_table[i];
		return &sharing_table[i]->info;
	case FAMILY_RECLAIM:
		*ops = reclaim_table[i];
		return &reclaim_table[i]->info;
	case FAMILY_MIGRATION:
		*ops = migration_table[i];
		return &migration_table[i]->info;
	case FAMILY_COUNT:
		break;
	}
	*ops = NULL;
	return NULL;
}

static int unknown_policy(enum policy_family f, const struct cfg_node *at, const char *name,
			  struct sim_err *err)
{
	const char *names[32];
	char list[256] = "";
	const char *const *p;
	const char *hint;
	size_t i, n = policy_count(f);
	const void *ops;

	for (p = families[f].planned; *p; p++)
		if (!strcmp(*p, name))
			return cfg_err(err, -SIM_EUNSUPPORTED, at,
				       "%s policy '%s' is not supported yet", families[f].name,
				       name);
	for (i = 0; i < n && i < 31; i++) {
		names[i] = policy_info_at(f, i, &ops)->name;
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? ", " : "",
			 names[i]);
	}
	names[i] = NULL;
	hint = cfg_suggest(name, names);
	if (hint)
		return cfg_err(err, -SIM_EINVAL, at, "unknown %s policy '%s'; did you mean '%s'?",
			       families[f].name, name, hint);
	return cfg_err(err, -SIM_EINVAL, at, "unknown %s policy '%s' (known: %s)",
		       families[f].name, name, list);
}

int policy_configure(enum policy_family f, struct cfg_node *map, const char *const *extra_keys,
		     struct policy *out, struct sim_err *err)
{
	const struct policy_info *info = NULL;
	const char *keys[64];
	const char *name;
	size_t i, k = 0, n = policy_count(f);
	const void *ops = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = cfg_expect(map, CFG_MAP, families[f].name, err)) ||
	    (rc = cfg_read_string(map, "policy", families[f].def, &name, err)))
		return rc;
	for (i = 0; i < n; i++) {
		info = policy_info_at(f, i, &ops);
		if (!strcmp(info->name, name))
			break;
	}
	if (i == n)
		return unknown_policy(f, cfg_get(map, "policy"), name, err);
	keys[k++] = "policy";
	for (i = 0; extra_keys && extra_keys[i] && k < 40; i++)
		keys[k++] = extra_keys[i];
	for (i = 0; info->params && info->params[i] && k < 63; i++)
		keys[k++] = info->params[i];
	keys[k] = NULL;
	if ((rc = cfg_check_keys(map, "the policy's parameters", keys, err)))
		return rc;
	out->info = info;
	out->ops = ops;
	out->priv = info->priv_size ? xcalloc(1, info->priv_size) : NULL;
	if (info->init && (rc = info->init(out->priv, map, err))) {
		policy_release(out);
		return rc;
	}
	return 0;
}

void policy_release(struct policy *p)
{
	if (p->info && p->info->release)
		p->info->release(p->priv);
	free(p->priv);
	memset(p, 0, sizeof(*p));
}
