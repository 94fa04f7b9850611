/*
 * registry.c - every policy by family and name, generated from
 * policies.def (the one list of them).  Looking a name up is a linear
 * scan of a few dozen entries, done once per configured family.
 */
#include "registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmem.h"

/* The ops type of each family, for the extern declarations below. */
#define OPS_TYPE_ESTIMATOR struct estimator_ops
#define OPS_TYPE_PLACEMENT struct placement_ops
#define OPS_TYPE_OVERCOMMIT struct overcommit_ops
#define OPS_TYPE_BALLOON struct balloon_ops
#define OPS_TYPE_SHARING struct sharing_ops
#define OPS_TYPE_RECLAIM struct reclaim_ops
#define OPS_TYPE_MIGRATION struct migration_ops

#define POLICY(fam, name, sym) extern const OPS_TYPE_##fam sym;
#include "policies.def"
#undef POLICY

struct entry {
	enum policy_family family;
	const char *name;               /* as policies.def spells it */
	const struct policy_info *info;
	const void *ops;
};

static const struct entry table[] = {
#define POLICY(fam, name, sym) {FAMILY_##fam, name, &sym.info, &sym},
#include "policies.def"
#undef POLICY
};

#define N_ENTRIES (sizeof(table) / sizeof(table[0]))

struct family {
	const char *name;               /* config key under policies: */
	const char *def;                /* default policy */
};

static const struct family families[FAMILY_COUNT] = {
	[FAMILY_ESTIMATOR] = {"estimator", "esx-sampling"},
	[FAMILY_PLACEMENT] = {"placement", "first-fit"},
	[FAMILY_OVERCOMMIT] = {"overcommit", "none"},
	[FAMILY_BALLOON] = {"balloon", "none"},
	[FAMILY_SHARING] = {"sharing", "none"},
	[FAMILY_RECLAIM] = {"reclaim", "swap-only"},
	[FAMILY_MIGRATION] = {"migration", "none"},
};

const char *policy_family_name(enum policy_family f)
{
	return families[f].name;
}

const char *policy_family_default(enum policy_family f)
{
	return families[f].def;
}

size_t policy_total(void)
{
	return N_ENTRIES;
}

const struct policy_info *policy_entry(size_t i, enum policy_family *f, const char **name,
				       const void **ops)
{
	*f = table[i].family;
	*name = table[i].name;
	*ops = table[i].ops;
	return table[i].info;
}

size_t policy_count(enum policy_family f)
{
	size_t i, n = 0;

	for (i = 0; i < N_ENTRIES; i++)
		n += table[i].family == f;
	return n;
}

const struct policy_info *policy_info_at(enum policy_family f, size_t i, const void **ops)
{
	size_t k;

	for (k = 0; k < N_ENTRIES; k++)
		if (table[k].family == f && i-- == 0) {
			*ops = table[k].ops;
			return table[k].info;
		}
	*ops = NULL;
	return NULL;
}

size_t policy_known_list(enum policy_family f, char *buf, size_t size)
{
	size_t i, n = 0;

	if (size)
		buf[0] = '\0';
	for (i = 0; i < N_ENTRIES; i++)
		if (table[i].family == f) {
			size_t len = strlen(buf);

			snprintf(buf + len, size - len, "%s%s", n ? ", " : "", table[i].name);
			n++;
		}
	return n;
}

/* A located error naming the family's policies, and the nearest one. */
static int unknown_policy(enum policy_family f, const struct cfg_node *at, const char *name,
			  struct sim_err *err)
{
	const char *names[N_ENTRIES + 1];
	char list[512];
	const char *hint;
	size_t i, n = 0;

	for (i = 0; i < N_ENTRIES; i++)
		if (table[i].family == f)
			names[n++] = table[i].name;
	names[n] = NULL;
	policy_known_list(f, list, sizeof(list));
	hint = cfg_suggest(name, names);
	if (hint)
		return cfg_err(err, -SIM_EINVAL, at,
			       "unknown %s policy '%s'; did you mean '%s'? (known: %s)",
			       families[f].name, name, hint, list);
	return cfg_err(err, -SIM_EINVAL, at, "unknown %s policy '%s' (known: %s)",
		       families[f].name, name, list);
}

int policy_configure(enum policy_family f, struct cfg_node *map, const char *const *extra_keys,
		     struct policy *out, struct sim_err *err)
{
	const struct entry *e = NULL;
	const char *keys[64];
	const char *name;
	size_t i, k = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = cfg_expect(map, CFG_MAP, families[f].name, err)) ||
	    (rc = cfg_read_string(map, "policy", families[f].def, &name, err)))
		return rc;
	for (i = 0; i < N_ENTRIES && !e; i++)
		if (table[i].family == f && !strcmp(table[i].name, name))
			e = &table[i];
	if (!e)
		return unknown_policy(f, cfg_get(map, "policy"), name, err);
	keys[k++] = "policy";
	for (i = 0; extra_keys && extra_keys[i] && k < 40; i++)
		keys[k++] = extra_keys[i];
	for (i = 0; e->info->params && e->info->params[i] && k < 63; i++)
		keys[k++] = e->info->params[i];
	keys[k] = NULL;
	if ((rc = cfg_check_keys(map, "the policy's parameters", keys, err)))
		return rc;
	out->info = e->info;
	out->ops = e->ops;
	out->priv = e->info->priv_size ? xcalloc(1, e->info->priv_size) : NULL;
	if (e->info->init && (rc = e->info->init(out->priv, map, err))) {
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

void policy_set_from(struct policy_set *s, const struct policy p[FAMILY_COUNT])
{
	s->estimator = (struct estimator_policy){p[FAMILY_ESTIMATOR].ops, p[FAMILY_ESTIMATOR].priv};
	s->placement = (struct placement_policy){p[FAMILY_PLACEMENT].ops, p[FAMILY_PLACEMENT].priv};
	s->overcommit =
		(struct overcommit_policy){p[FAMILY_OVERCOMMIT].ops, p[FAMILY_OVERCOMMIT].priv};
	s->balloon = (struct balloon_policy){p[FAMILY_BALLOON].ops, p[FAMILY_BALLOON].priv};
	s->sharing = (struct sharing_policy){p[FAMILY_SHARING].ops, p[FAMILY_SHARING].priv};
	s->reclaim = (struct reclaim_policy){p[FAMILY_RECLAIM].ops, p[FAMILY_RECLAIM].priv};
	s->migration = (struct migration_policy){p[FAMILY_MIGRATION].ops, p[FAMILY_MIGRATION].priv};
}
