/*
 * scenario.c - the top-level config schema (DESIGN.md section 6).
 *
 * Order of loading: parse the file, apply --set overrides and --seed, then
 * read every key, writing defaults into the tree.  An override of a
 * family's policy name that changes it replaces the family's whole mapping:
 * the parameters of the policy it replaces are dropped, and only the
 * family's own keys (the balloon driver's rate and max, placement's
 * on_full and max_wait) stay.  The workload is a path
 * relative to the config file, or an inline mapping.  Keys that the model
 * does not use yet (latency, sla, cost, swap) are read and checked now, so
 * a mistake in them is never silently ignored.
 */
#include "scenario.h"

#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "nameset.h"
#include "units.h"
#include "xmem.h"

#define MAX_HOSTS 10000000
#define MIN_PAGE (4 * 1024)
#define MAX_PAGE (1024 * 1024 * 1024)

/*
 * Input ranges (README "Input ranges" gives the reasons).  A host's memory
 * and swap are at most 1 PiB, and all hosts together at most 64 PiB, so
 * committed memory (up to 100x that under overcommit: ratio max) fits in
 * 63 bits.  A latency is at most an hour.
 */
#define MAX_HOST_BYTES (INT64_C(1) << 50)
#define MAX_CLUSTER_BYTES (INT64_C(1) << 56)
#define MAX_LATENCY_NS (INT64_C(3600) * UNITS_NS_PER_S)
#define MIN_BANDWIDTH 1e6               /* bytes per second: 1 MB/s */
#define MAX_BANDWIDTH 1e12              /* 1 TB/s */
/* Work: ticks, and VM-ticks (each VM's ticks alive), refused above these. */
#define MAX_TICKS 100000000.0           /* 10^8: a day at 1ms, ten years at 4s */
#define MAX_VM_TICKS 1e11
/* A VM's stall is summed in int64 ns: its worst case must stay below this. */
#define MAX_STALL_NS 4.6e18             /* about 2^62 */

static const char *const top_keys[] = {
	"name", "seed", "replications", "duration", "tick", "sample", "page_size", "hosts",
	"policies", "latency", "sla", "cost", "workload", "output", "sampling", NULL,
};

/* The config's file name without folder and extension. */
static char *default_name(const char *path)
{
	const char *base = strrchr(path, '/');
	char *name = xstrdup(base ? base + 1 : path);
	char *dot = strrchr(name, '.');

	if (dot && dot != name)
		*dot = '\0';
	return name;
}

/* Every key of m whose name ends in "latency", or every key when all is
 * set, must be a duration of at most MAX_LATENCY_NS. */
static int check_latency_keys(struct cfg_node *m, bool all, struct sim_err *err)
{
	size_t i;
	int rc;

	for (i = 0; i < m->n; i++) {
		const char *k = m->keys[i];
		size_t len = strlen(k);

		if (!all && (len < 7 || strcmp(k + len - 7, "latency") != 0))
			continue;
		if (m->kids[i]->norm != CFG_NORM_NUM)
			continue;               /* not read as a duration */
		/* A duration keeps its nanoseconds in as_int (cfg_node_duration). */
		rc = cfg_check_duration_range(m, k, m->kids[i]->as_int, 0, MAX_LATENCY_NS, err);
		if (rc)
			return rc;
	}
	return 0;
}

static int read_swap(struct cfg_node *host, struct swap_params *sw, struct sim_err *err)
{
	static const char *const keys[] = {
		"size", "read_latency", "write_latency", "bandwidth", NULL,
	};
	struct cfg_node *m = cfg_get(host, "swap");
	int rc;

	if (!m) {
		m = cfg_new_map(host->file, 0, 0);
		cfg_map_add(host, "swap", m);
	}
	if ((rc = cfg_expect(m, CFG_MAP, "swap", err)))
		return rc;
	if (cfg_get(m, "victims")) {
		/* Where an old config's key went. */
		const struct cfg_node *v = cfg_get(m, "victims");

		return sim_err_set(err, -SIM_EKEY, v->file, v->key_line, v->key_col,
				   "swap.victims moved to the reclaim policy: write policies: "
				   "{reclaim: {policy: swap-only, victims: %.32s}}",
				   v->kind == CFG_SCALAR ? v->text : "random");
	}
	if ((rc = cfg_check_keys(m, "swap", keys, err)) ||
	    (rc = cfg_read_size(m, "size", "64GiB", &sw->size_bytes, err)) ||
	    (rc = cfg_read_duration(m, "read_latency", "80us", &sw->read_latency_ns, err)) ||
	    (rc = cfg_read_duration(m, "write_latency", "120us", &sw->write_latency_ns, err)) ||
	    (rc = cfg_read_bandwidth(m, "bandwidth", "2GB/s", &sw->bandwidth, err)))
		return rc;
	if (!(sw->bandwidth >= MIN_BANDWIDTH && sw->bandwidth <= MAX_BANDWIDTH))
		return cfg_err(err, -SIM_ERANGE, cfg_get(m, "bandwidth"),
			       "swap bandwidth must be between 1MB/s and 1TB/s");
	if ((rc = check_latency_keys(m, false, err)))
		return rc;
	return cfg_check_size_range(m, "size", sw->size_bytes, 0, MAX_HOST_BYTES, err);
}

/*
 * The datastore defaults are a SATA datacenter SSD's: random 4 KB latency 110 us read and
 * 52 us write (typical), sustained sequential read 500 MB/s (write 490) [Intel SSD DC
 * S4500/S4600 Series Product Specification, 2017].
 */
static int read_disk(struct cfg_node *host, struct disk_params *dk, struct sim_err *err)
{
	static const char *const keys[] = {"read_latency", "write_latency", "bandwidth", NULL};
	struct cfg_node *m = cfg_get(host, "disk");
	int rc;

	if (!m) {
		m = cfg_new_map(host->file, 0, 0);
		cfg_map_add(host, "disk", m);
	}
	if ((rc = cfg_expect(m, CFG_MAP, "disk", err)) ||
	    (rc = cfg_check_keys(m, "disk", keys, err)) ||
	    (rc = cfg_read_duration(m, "read_latency", "110us", &dk->read_latency_ns, err)) ||
	    (rc = cfg_read_duration(m, "write_latency", "52us", &dk->write_latency_ns, err)) ||
	    (rc = cfg_read_bandwidth(m, "bandwidth", "500MB/s", &dk->bandwidth, err)))
		return rc;
	if (!(dk->bandwidth >= MIN_BANDWIDTH && dk->bandwidth <= MAX_BANDWIDTH))
		return cfg_err(err, -SIM_ERANGE, cfg_get(m, "bandwidth"),
			       "disk bandwidth must be between 1MB/s and 1TB/s");
	return check_latency_keys(m, false, err);
}

/*
 * A host's paging (model/pt.h; README "Page tables and backing"): nested
 * (EPT/NPT, the default on every current server) or shadow, whose tables
 * take shadow.tables times a nested table's memory.
 */
static int read_paging(struct cfg_node *host, struct pt_params *pt, struct sim_err *err)
{
	static const char *const modes[] = {"nested", "shadow", NULL};
	static const char *const shadow_keys[] = {"tables", "exit", "writes", NULL};
	static const char *const tlb_keys[] = {"entries", "walk_ref", "guest_page", NULL};
	struct cfg_node *m, *t;
	int64_t exit_ns, ref_ns;
	int mode, rc;

	/* large_pages: ESX's Mem.AllocGuestLargePage = 1 and Linux THP
	 * "always" by default (MECHANISMS.md 1.3).  compaction: an assumption,
	 * no published figure (README "Page tables and backing"). */
	if ((rc = cfg_read_bool(host, "page_tables", "true", &pt->tables, err)) ||
	    (rc = cfg_read_enum(host, "paging", "nested", modes, &mode, err)) ||
	    (rc = cfg_read_bool(host, "large_pages", "true", &pt->large_pages, err)) ||
	    (rc = cfg_read_fraction(host, "compaction", "50%", 0, 1, &pt->compaction, err)))
		return rc;
	pt->paging = mode ? PT_SHADOW : PT_NESTED;
	if (!(m = cfg_get(host, "shadow"))) {
		m = cfg_new_map(host->file, 0, 0);
		cfg_map_add(host, "shadow", m);
	}
	/* An assumption, no published figure: the guest processes that map a
	 * page, on average (README "Page tables and backing"). */
	/* exit: a VM exit and the hypervisor's mirroring of one guest
	 * page-table write, an assumption near published figures (README
	 * "Page tables and backing"); writes: none besides the model's own. */
	if ((rc = cfg_expect(m, CFG_MAP, "shadow", err)) ||
	    (rc = cfg_check_keys(m, "shadow", shadow_keys, err)) ||
	    (rc = cfg_read_number(m, "tables", "2", 1, 1024, &pt->shadow_tables, err)) ||
	    (rc = cfg_read_duration(m, "exit", "2us", &exit_ns, err)) ||
	    (rc = cfg_check_duration_range(m, "exit", exit_ns, 0, MAX_LATENCY_NS, err)) ||
	    (rc = cfg_read_rate(m, "writes", "0/s", &pt->pt_writes, err)))
		return rc;
	pt->exit_ns = (double)exit_ns;
	if (!(pt->pt_writes >= 0 && pt->pt_writes <= 1e9))
		return cfg_err(err, -SIM_ERANGE, cfg_get(m, "writes"),
			       "shadow.writes must be from 0 to 1G/s");
	if (!(t = cfg_get(host, "tlb"))) {
		t = cfg_new_map(host->file, 0, 0);
		cfg_map_add(host, "tlb", t);
	}
	/* entries: the second-level TLB of an Intel Xeon Scalable core
	 * (Skylake-SP, Cascade Lake), 1536 entries shared by 4 KiB and 2 MiB
	 * pages (Intel 64 and IA-32 Architectures Optimization Reference
	 * Manual, Skylake server microarchitecture).  walk_ref: about an L2
	 * cache hit, 14 cycles at 3 GHz (the same manual), where most walk
	 * references are served.  guest_page: guests map with 4 KiB pages. */
	if ((rc = cfg_expect(t, CFG_MAP, "tlb", err)) ||
	    (rc = cfg_check_keys(t, "tlb", tlb_keys, err)) ||
	    (rc = cfg_read_number(t, "entries", "1536", 1, 1e9, &pt->tlb_entries, err)) ||
	    (rc = cfg_read_duration(t, "walk_ref", "5ns", &ref_ns, err)) ||
	    (rc = cfg_check_duration_range(t, "walk_ref", ref_ns, 0, MAX_LATENCY_NS, err)) ||
	    (rc = cfg_read_size(t, "guest_page", "4KiB", &pt->guest_page_bytes, err)))
		return rc;
	pt->walk_ref_ns = (double)ref_ns;
	if (pt->guest_page_bytes != 4096 && pt->guest_page_bytes != 2 * 1024 * 1024 &&
	    pt->guest_page_bytes != 1024 * 1024 * 1024)
		return cfg_err(err, -SIM_EINVAL, cfg_get(t, "guest_page"),
			       "tlb.guest_page must be 4KiB, 2MiB or 1GiB (an x86-64 page size)");
	return 0;
}

static int read_hosts(struct cfg_node *root, struct scenario *sc, struct sim_err *err)
{
	static const char *const keys[] = {
		"name", "count", "memory", "overhead", "swap", "disk", "page_tables", "paging",
		"shadow", "large_pages", "compaction", "tlb", NULL,
	};
	struct cfg_node *list = cfg_get(root, "hosts");
	double cluster_bytes = 0;
	size_t i;
	int rc;

	if (!list)
		return cfg_err(err, -SIM_EMISSING, root, "missing required key 'hosts'");
	if ((rc = cfg_expect(list, CFG_SEQ, "hosts", err)))
		return rc;
	if (list->n == 0)
		return cfg_err(err, -SIM_EINVAL, list, "hosts must list at least one host group");
	sc->groups = xcalloc(list->n, sizeof(*sc->groups));
	for (i = 0; i < list->n; i++) {
		struct cfg_node *m = list->kids[i];
		struct host_group *g = &sc->groups[i];
		char def[32];

		snprintf(def, sizeof(def), "host%zu", i);
		g->large_pages_given = m->kind == CFG_MAP && cfg_get(m, "large_pages");
		if ((rc = cfg_expect(m, CFG_MAP, "a host group", err)) ||
		    (rc = cfg_check_keys(m, "a host group", keys, err)) ||
		    (rc = cfg_read_string(m, "name", def, &g->name, err)) ||
		    (rc = cfg_read_int(m, "count", "1", 0, MAX_HOSTS, &g->count, err)) ||
		    (rc = cfg_read_size(m, "memory", NULL, &g->memory_bytes, err)) ||
		    (rc = cfg_read_size(m, "overhead", "0", &g->overhead_bytes, err)) ||
		    (rc = read_swap(m, &g->swap, err)) || (rc = read_disk(m, &g->disk, err)) ||
		    (rc = read_paging(m, &g->pt, err)))
			return rc;
		g->where = m;
		sc->n_groups = i + 1;
		if (g->memory_bytes < sc->page_bytes)
			return cfg_err(err, -SIM_ERANGE, cfg_get(m, "memory"),
				       "host memory must be at least one page (%lld bytes)",
				       (long long)sc->page_bytes);
		if ((rc = cfg_check_size_range(m, "memory", g->memory_bytes, sc->page_bytes,
					       MAX_HOST_BYTES, err)))
			return rc;
		if (g->overhead_bytes >= g->memory_bytes)
			return cfg_err(err, -SIM_ERANGE, cfg_get(m, "overhead"),
				       "overhead must be smaller than the host's memory");
		/* Swapped memory needs no such bound: it is VMs' memory too. */
		cluster_bytes += (double)g->count * (double)g->memory_bytes;
		if (cluster_bytes > (double)MAX_CLUSTER_BYTES)
			return cfg_err(err, -SIM_ERANGE, cfg_get(m, "count"),
				       "the hosts' memory adds up to more than 64 PiB (2^56 bytes), "
				       "the most memsim accepts");
		if (!nameset_add(&sc->group_names, g->name, i))
			return cfg_err(err, -SIM_EDUP, cfg_get(m, "name"),
				       "duplicate host group name '%s'", g->name);
		sc->n_hosts += g->count;
		if (sc->n_hosts > MAX_HOSTS)
			return cfg_err(err, -SIM_ERANGE, cfg_get(m, "count"),
				       "more than %d hosts in all", MAX_HOSTS);
	}
	if (sc->n_hosts == 0)
		return cfg_err(err, -SIM_EINVAL, list,
			       "the host groups have no hosts (all counts 0)");
	return 0;
}

/* Keys of a family's mapping that are the family's, not its policy's:
 * they hold whatever the policy, and survive its replacement. */
static const char *const placement_extra[] = {"on_full", "max_wait", NULL};
static const char *const balloon_extra[] = {"rate", "max", NULL};

static const char *const *family_extra(enum policy_family f)
{
	return f == FAMILY_PLACEMENT ? placement_extra : f == FAMILY_BALLOON ? balloon_extra : NULL;
}

/* The family whose policy name `path` is (policies.F.policy), or -1. */
static int policy_name_path(const char *path, size_t len)
{
	static const char head[] = "policies.", tail[] = ".policy";
	int f;

	if (len <= sizeof(head) - 1 + sizeof(tail) - 1 || strncmp(path, head, sizeof(head) - 1) ||
	    strncmp(path + len - (sizeof(tail) - 1), tail, sizeof(tail) - 1))
		return -1;
	for (f = 0; f < FAMILY_COUNT; f++) {
		const char *name = policy_family_name((enum policy_family)f);

		if (strlen(name) == len - (sizeof(head) - 1) - (sizeof(tail) - 1) &&
		    !strncmp(path + sizeof(head) - 1, name, strlen(name)))
			return f;
	}
	return -1;
}

/* The policy name a family's mapping gives, or its default. */
static const char *policy_name_in(struct cfg_node *map, enum policy_family f)
{
	struct cfg_node *n = cfg_get(map, "policy");

	if (!n)
		return policy_family_default(f);
	return n->kind == CFG_SCALAR ? n->text : NULL;
}

/*
 * Applies one --set.  Setting policies.F.policy to another name than the
 * current one replaces F's mapping: the replaced policy's parameters go,
 * so `--set policies.balloon.policy=none` never inherits a static target.
 */
static int apply_set(struct cfg_node *root, const char *set, struct sim_err *err)
{
	const char *eq = strchr(set, '=');
	int f = eq ? policy_name_path(set, (size_t)(eq - set)) : -1;
	struct cfg_node *map;
	char *before = NULL;
	const char *after;
	int rc;

	if (f >= 0) {
		map = cfg_get(cfg_get(root, "policies"), policy_family_name((enum policy_family)f));
		after = policy_name_in(map, (enum policy_family)f);
		before = after ? xstrdup(after) : NULL;
	}
	if ((rc = cfg_set_path(root, set, err)) || f < 0)
		goto out;
	map = cfg_get(cfg_get(root, "policies"), policy_family_name((enum policy_family)f));
	after = policy_name_in(map, (enum policy_family)f);
	if (map && map->kind == CFG_MAP && (!before || !after || strcmp(before, after))) {
		const char *keep[8] = {"policy"};
		const char *const *extra = family_extra((enum policy_family)f);
		size_t k = 1;

		while (extra && *extra && k < 7)
			keep[k++] = *extra++;
		keep[k] = NULL;
		cfg_map_keep(map, keep);
	}
out:
	free(before);
	return rc;
}

static int read_policies(struct cfg_node *root, struct scenario *sc, struct sim_err *err)
{
	static const char *const on_full[] = {"reject", "queue", NULL};
	const char *family_keys[FAMILY_COUNT + 1];
	struct cfg_node *m = cfg_get(root, "policies");
	int f, rc, which;

	for (f = 0; f < FAMILY_COUNT; f++)
		family_keys[f] = policy_family_name((enum policy_family)f);
	family_keys[FAMILY_COUNT] = NULL;
	if (!m) {
		m = cfg_new_map(root->file, 0, 0);
		cfg_map_add(root, "policies", m);
	}
	if ((rc = cfg_expect(m, CFG_MAP, "policies", err)) ||
	    (rc = cfg_check_keys(m, "policies", family_keys, err)))
		return rc;
	for (f = 0; f < FAMILY_COUNT; f++) {
		struct cfg_node *pm = cfg_get(m, family_keys[f]);

		if (!pm) {
			pm = cfg_new_map(m->file, 0, 0);
			cfg_map_add(m, family_keys[f], pm);
		}
		rc = policy_configure((enum policy_family)f, pm,
				      family_extra((enum policy_family)f), &sc->policies[f], err);
		if (rc)
			return rc;
		/* The balloon driver's limits, the same whatever the policy; the
		 * cap is ESX's Mem.CtlMaxPercent, 65 (MECHANISMS.md 1.4). */
		if (f == FAMILY_BALLOON &&
		    ((rc = cfg_read_bandwidth(pm, "rate", "256MiB/s", &sc->balloon_rate, err)) ||
		     (rc = cfg_read_fraction(pm, "max", "65%", 0, 1, &sc->balloon_max, err))))
			return rc;
		if (f == FAMILY_BALLOON && !(sc->balloon_rate <= MAX_BANDWIDTH))
			return cfg_err(err, -SIM_ERANGE, cfg_get(pm, "rate"),
				       "the balloon's rate must be at most 1TB/s");
		if (f != FAMILY_PLACEMENT)
			continue;
		if ((rc = cfg_read_enum(pm, "on_full", "reject", on_full, &which, err)))
			return rc;
		sc->queue_on_full = which == 1;
		sc->max_wait_ns = SIM_NEVER;
		if (cfg_get(pm, "max_wait")) {
			if (!sc->queue_on_full)
				return cfg_err(err, -SIM_EINVAL, cfg_get(pm, "max_wait"),
					       "max_wait applies only with on_full: queue");
			if ((rc = cfg_read_duration(pm, "max_wait", NULL, &sc->max_wait_ns, err)))
				return rc;
		}
	}
	return 0;
}

/* Reads an optional mapping under root, creating it empty when absent. */
static int sub_map(struct cfg_node *root, const char *key, const char *const *keys,
		   struct cfg_node **out, struct sim_err *err)
{
	struct cfg_node *m = cfg_get(root, key);
	int rc;

	if (!m) {
		m = cfg_new_map(root->file, 0, 0);
		cfg_map_add(root, key, m);
	}
	if ((rc = cfg_expect(m, CFG_MAP, key, err)) || (rc = cfg_check_keys(m, key, keys, err)))
		return rc;
	*out = m;
	return 0;
}

static int read_latency(struct cfg_node *root, struct latency_params *l, struct sim_err *err)
{
	static const char *const keys[] = {"zero_fill", "cow", "decompress", "compress", NULL};
	struct cfg_node *m = cfg_get(root, "latency"), *gone;
	int rc;

	/* Guest swap-ins were a flat latency; they are now I/O on the datastore. */
	if (m && m->kind == CFG_MAP && (gone = cfg_get(m, "guest_swap_in")))
		return sim_err_set(err, -SIM_EKEY, gone->file, gone->key_line, gone->key_col,
				   "latency.guest_swap_in is gone: guest swap is I/O on the "
				   "host's datastore, set in hosts[].disk: {read_latency, "
				   "write_latency, bandwidth}");
	if ((rc = sub_map(root, "latency", keys, &m, err)) ||
	    (rc = cfg_read_duration(m, "zero_fill", "2us", &l->zero_fill_ns, err)) ||
	    (rc = cfg_read_duration(m, "cow", "3us", &l->cow_ns, err)) ||
	    (rc = cfg_read_duration(m, "decompress", "4us", &l->decompress_ns, err)) ||
	    /* lzo compressed 1.1 GB into zram in 4.571 s, 15.9 us per 4 KiB (an upper
	     * bound: it times the whole copy) [MECHANISMS.md 2.4's source, "Zram
	     * Performance Analysis", news.cgast.org / gokawiil.com, Linux Reviews table] */
	    (rc = cfg_read_duration(m, "compress", "16us", &l->compress_ns, err)))
		return rc;
	return check_latency_keys(m, true, err);
}

static int read_sla(struct cfg_node *root, struct sla_params *s, struct sim_err *err)
{
	static const char *const keys[] = {
		"max_slowdown", "max_rejected", "max_swapped", "min_progress",
		"max_slowdown_p99", "max_slowdown_p95", "max_violating_vms", "max_oom_vms", NULL,
	};
	/* Judged from the results (analysis/plan_search.c); checked here only. */
	static const char *const judged[] = {
		"max_slowdown_p99", "max_slowdown_p95", "max_violating_vms", "max_oom_vms",
	};
	struct cfg_node *m, *n;
	double v;
	int rc;

	if ((rc = sub_map(root, "sla", keys, &m, err)))
		return rc;
	for (size_t i = 0; i < sizeof(judged) / sizeof(judged[0]); i++)
		if (cfg_get(m, judged[i]) &&
		    (rc = cfg_read_fraction(m, judged[i], NULL, 0, i < 2 ? 1e6 : 1, &v, err)))
			return rc;
	if ((n = cfg_get(m, "max_violating_vms")) && !cfg_get(m, "max_slowdown"))
		return cfg_err(err, -SIM_EINVAL, n,
			       "sla.max_violating_vms needs sla.max_slowdown, the slowdown a "
			       "violating VM passes");
	if ((s->has_max_slowdown = cfg_get(m, "max_slowdown") != NULL) &&
	    (rc = cfg_read_fraction(m, "max_slowdown", NULL, 0, 1e6, &s->max_slowdown, err)))
		return rc;
	if ((s->has_max_rejected = cfg_get(m, "max_rejected") != NULL) &&
	    (rc = cfg_read_fraction(m, "max_rejected", NULL, 0, 1, &s->max_rejected, err)))
		return rc;
	if ((s->has_min_progress = cfg_get(m, "min_progress") != NULL) &&
	    (rc = cfg_read_fraction(m, "min_progress", NULL, 0, 1, &s->min_progress, err)))
		return rc;
	if ((n = cfg_get(m, "max_swapped"))) {
		int64_t bytes;

		s->has_max_swapped = true;
		if (n->kind == CFG_SCALAR && strchr(n->text, '%')) {
			s->max_swapped_is_frac = true;
			rc = cfg_read_fraction(m, "max_swapped", NULL, 0, 1, &s->max_swapped, err);
		} else {
			rc = cfg_read_size(m, "max_swapped", NULL, &bytes, err);
			s->max_swapped = (double)bytes;
		}
	}
	return rc;
}

static int read_cost(struct cfg_node *root, struct cost_params *c, struct sim_err *err)
{
	static const char *const keys[] = {"host_per_month", "currency", NULL};
	struct cfg_node *m = cfg_get(root, "cost");
	int rc;

	if (!m)
		return 0;
	c->present = true;
	if ((rc = cfg_expect(m, CFG_MAP, "cost", err)) ||
	    (rc = cfg_check_keys(m, "cost", keys, err)) ||
	    (rc = cfg_read_number(m, "host_per_month", NULL, 0, 1e12, &c->host_per_month, err)) ||
	    (rc = cfg_read_string(m, "currency", "USD", &c->currency, err)))
		return rc;
	return 0;
}

static int read_output(struct cfg_node *root, bool *vm_series, bool *host_series,
		       struct sim_err *err)
{
	static const char *const keys[] = {"vm_series", "host_series", NULL};
	struct cfg_node *m;
	int rc;

	if ((rc = sub_map(root, "output", keys, &m, err)) ||
	    (rc = cfg_read_bool(m, "vm_series", "false", vm_series, err)) ||
	    (rc = cfg_read_bool(m, "host_series", "false", host_series, err)))
		return rc;
	return 0;
}

/*
 * sampling: {rate: R}: 1 (the default: every page), 1/N for a whole N, or a
 * decimal in (0, 1].  The rate is written back as a number.  A sampled run
 * simulates 4 KiB pages (model/sample.h), so it needs page_size: 4KiB.
 */
static int read_sampling(struct cfg_node *root, struct scenario *sc, struct sim_err *err)
{
	static const char *const keys[] = {"rate", NULL};
	struct cfg_node *m, *n;
	const char *t;
	char *end;
	double rate;
	size_t i;
	int rc;

	for (i = 0; i + 1 < root->n; i++)
		if (!strcmp(root->keys[i], "sampling")) {
			/* Last, wherever the file wrote it: the effective config of a
			 * run at rate 1 is the same as one's without the key. */
			char *key = root->keys[i];
			struct cfg_node *kid = root->kids[i];

			size_t after = root->n - i - 1;

			memmove(&root->keys[i], &root->keys[i + 1], after * sizeof(key));
			memmove(&root->kids[i], &root->kids[i + 1], after * sizeof(kid));
			root->keys[root->n - 1] = key;
			root->kids[root->n - 1] = kid;
			break;
		}
	if ((rc = sub_map(root, "sampling", keys, &m, err)))
		return rc;
	if (!(n = cfg_get(m, "rate")))
		n = cfg_put_scalar(m, "rate", "1");
	if (n->kind != CFG_SCALAR)
		return cfg_err(err, -SIM_ETYPE, n, "sampling.rate must be 1, 1/N or a decimal "
				   "in (0, 1]");
	t = n->text;
	if (!strncmp(t, "1/", 2) && isdigit((unsigned char)t[2])) {
		unsigned long long den = strtoull(t + 2, &end, 10);

		rate = *end || den == 0 || den > (1ULL << 32) ? -1 : 1.0 / (double)den;
	} else {
		rate = isdigit((unsigned char)t[0]) ? strtod(t, &end) : -1;
		if (rate >= 0 && (*end || !isfinite(rate)))
			rate = -1;
	}
	if (!(rate > 0 && rate <= 1))
		return cfg_err(err, -SIM_EINVAL, n,
			       "sampling.rate '%.32s' must be 1, 1/N (N a whole number up to "
			       "2^32) or a decimal in (0, 1]", t);
	if (rate < 1 && sc->page_bytes != MIN_PAGE)
		return cfg_err(err, -SIM_EINVAL, n,
			       "a sampled run simulates 4 KiB pages: sampling.rate below 1 needs "
			       "page_size: 4KiB");
	n->norm = CFG_NORM_NUM;
	n->as_num = rate;
	sc->sample_rate = rate;
	return 0;
}

/*
 * A sampled run's pages are a hash sample, not 2 MiB-aligned runs of guest
 * pages, so it has no large-page backing: large_pages defaults to false
 * there, and true is an error.
 */
static int sampled_backing(struct scenario *sc, struct sim_err *err)
{
	size_t i;

	if (!(sc->sample_rate > 0 && sc->sample_rate < 1))
		return 0;
	for (i = 0; i < sc->n_groups; i++) {
		struct host_group *g = &sc->groups[i];

		if (!g->pt.large_pages)
			continue;
		if (g->large_pages_given)
			return cfg_err(err, -SIM_EINVAL, cfg_get(g->where, "large_pages"),
				       "a sampled run has no large-page backing (its pages are not "
				       "2 MiB runs): write large_pages: false, or sampling.rate: "
				       "1");
		g->pt.large_pages = false;
		cfg_put_scalar(g->where, "large_pages", "false");
		cfg_read_bool(g->where, "large_pages", "false", &g->pt.large_pages, err);
	}
	return 0;
}

/* The workload: a path relative to the config file, or a mapping. */
static int read_workload(struct cfg_node *root, struct scenario *sc, struct sim_err *err)
{
	struct cfg_node *w = cfg_get(root, "workload");
	const char *rel;
	char *path;
	int rc;

	if (!w)
		return cfg_err(err, -SIM_EMISSING, root, "missing required key 'workload'");
	if (w->kind == CFG_MAP) {
		sc->trace_root = w;
		sc->trace_owned = false;
	} else {
		if ((rc = cfg_node_string(w, &rel, err)))
			return rc;
		if (rel[0] == '/' || !strchr(sc->path, '/')) {
			path = xstrdup(rel);
		} else {
			size_t dir = (size_t)(strrchr(sc->path, '/') - sc->path) + 1;

			path = xmalloc(dir + strlen(rel) + 1);
			memcpy(path, sc->path, dir);
			strcpy(path + dir, rel);
		}
		rc = cfg_load_file(path, &sc->trace_root, err);
		if (rc == -SIM_EIO) {
			/* Point at the config line that names the file. */
			char why[sizeof(err->msg)];

			snprintf(why, sizeof(why), "%s", err->msg);
			rc = cfg_err(err, rc, w, "workload '%s': %s", path, why);
		}
		free(path);
		if (rc)
			return rc;
		sc->trace_owned = true;
	}
	return trace_load(sc->trace_root, &sc->trace, err);
}

static bool is_power_of_two(int64_t v)
{
	return v > 0 && (v & (v - 1)) == 0;
}

/* Names become file names: keep them to a safe alphabet. */
static bool is_file_name(const char *s)
{
	const char *p;

	if (!s[0] || s[0] == '.' || strlen(s) > 128)
		return false;
	for (p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '.' && *p != '-' && *p != '_')
			return false;
	return true;
}

static int read_top(struct cfg_node *root, struct scenario *sc, struct sim_err *err)
{
	char *def = default_name(sc->path);
	int64_t seed;
	int rc;

	if ((rc = cfg_check_keys(root, "the config", top_keys, err)))
		goto out;
	if ((rc = cfg_read_string(root, "name", def, &sc->name, err)) ||
	    (rc = cfg_read_int(root, "seed", "1", 0, SCENARIO_SEED_MAX, &seed, err)) ||
	    (rc = cfg_read_int(root, "replications", "1", 1, 100000, &sc->replications, err)) ||
	    (rc = cfg_read_duration(root, "duration", NULL, &sc->duration_ns, err)) ||
	    (rc = cfg_read_duration(root, "tick", "1s", &sc->tick_ns, err)) ||
	    (rc = cfg_read_duration(root, "sample", "1m", &sc->sample_ns, err)) ||
	    (rc = cfg_read_size(root, "page_size", "4KiB", &sc->page_bytes, err)))
		goto out;
	sc->seed = (uint64_t)seed;
	if (!is_file_name(sc->name))
		rc = cfg_err(err, -SIM_EINVAL, cfg_get(root, "name"),
			     "name '%.64s' must be letters, digits, '.', '-' or '_' (it names "
			     "the results file)", sc->name);
	else if (sc->duration_ns <= 0)
		rc = cfg_err(err, -SIM_ERANGE, cfg_get(root, "duration"),
			     "duration must be positive");
	else if (sc->tick_ns <= 0)
		rc = cfg_err(err, -SIM_ERANGE, cfg_get(root, "tick"), "tick must be positive");
	else if (sc->sample_ns <= 0)
		rc = cfg_err(err, -SIM_ERANGE, cfg_get(root, "sample"), "sample must be positive");
	else if (sc->duration_ns / sc->sample_ns > 10000000)
		rc = cfg_err(
			err, -SIM_ERANGE, cfg_get(root, "sample"),
			"sample is so short that the run would record over 10 million samples");
	else if (!is_power_of_two(sc->page_bytes) || sc->page_bytes < MIN_PAGE ||
		 sc->page_bytes > MAX_PAGE)
		rc = cfg_err(err, -SIM_ERANGE, cfg_get(root, "page_size"),
			     "page_size must be a power of two from 4KiB to 1GiB");
out:
	free(def);
	return rc;
}

/* Ticks each VM of the trace spends in the run, summed: an upper bound for
 * groups (each VM counted from the group's start, for its mean lifetime). */
static double vm_ticks_estimate(const struct scenario *sc, double ticks)
{
	const struct trace *t = &sc->trace;
	double end = (double)sc->duration_ns, tick = (double)sc->tick_ns, sum = 0;
	size_t i;

	for (i = 0; i < t->n_vms; i++) {
		const struct vm_spec *v = &t->vms[i];
		double from = fmin((double)v->arrive_ns, end);
		double to = v->depart_ns == TRACE_NEVER ? end : fmin((double)v->depart_ns, end);

		sum += (to - from) / tick + 1;
	}
	for (i = 0; i < t->n_groups; i++) {
		const struct group_spec *g = &t->groups[i];
		double alive = ticks;

		if (g->has_lifetime)
			alive = fmin(alive, dist_mean(&g->lifetime) / tick + 1);
		sum += (double)g->count * alive;
	}
	return sum;
}

/* The longest a touch can stall with no swap backlog: a guest swap-in from
 * the datastore and up to three frames made private, each of which may swap
 * out two pages and read one back, every device operation queueing up to
 * half a tick; CPU costs are per 4 KiB of the page.  With compression, a
 * frame may take two compressions, each making room by decompressing and
 * swapping up to two pages: four writes instead of two. */
static double touch_stall_max(const struct scenario *sc)
{
	const struct latency_params *l = &sc->latency;
	const struct policy *rp = &sc->policies[FAMILY_RECLAIM];
	struct reclaim_policy reclaim = {rp->ops, rp->priv};
	struct reclaim_zswap zs = {0};
	double zip = reclaim_compress_max(&reclaim) > 0 ? 1.0 : 0.0;
	double per_4k = (double)sc->page_bytes / 4096.0;
	double worst = 0;
	size_t g;

	for (g = 0; g < sc->n_groups; g++) {
		const struct swap_params *sw = &sc->groups[g].swap;
		const struct disk_params *dk = &sc->groups[g].disk;
		double lat = (double)(sw->read_latency_ns > sw->write_latency_ns
					      ? sw->read_latency_ns
					      : sw->write_latency_ns);
		double op = lat + (double)sc->page_bytes / sw->bandwidth * 1e9 +
			    (double)sc->tick_ns / 2;
		double gin = (double)dk->read_latency_ns +
			     (double)sc->page_bytes / dk->bandwidth * 1e9 + (double)sc->tick_ns / 2;

		worst = fmax(worst, (9 + 6 * zip) * op + gin);
	}
	/* zswap: a store compresses once and never evicts in the fault's
	 * time; a load costs the compressor's decompression. */
	if (reclaim_zswap(&reclaim, &zs))
		worst += 3.0 * per_4k * (double)(l->compress_ns + zs.decompress_ns);
	return worst + 3.0 * per_4k * (double)(l->zero_fill_ns + l->cow_ns + l->decompress_ns) +
	       3.0 * per_4k * zip * (double)(2 * l->compress_ns + 4 * l->decompress_ns);
}

/* ns rounded up to a whole number of the largest of s, ms and us below it. */
static int64_t round_up_tick(double ns)
{
	int64_t unit = ns >= 1e9 ? UNITS_NS_PER_S : ns >= 1e6 ? 1000000 : ns >= 1e3 ? 1000 : 1;

	return (int64_t)ceil(ns / (double)unit) * unit;
}

/*
 * Refuses up front a run too long to finish (DESIGN.md asks for minutes,
 * not days) or whose stall sums could overflow, naming the tick that
 * would do.
 */
static int check_work(const struct scenario *sc, struct sim_err *err)
{
	struct cfg_node *at = cfg_get(sc->root, "tick");
	double ticks = ceil((double)sc->duration_ns / (double)sc->tick_ns);
	double vm_ticks = vm_ticks_estimate(sc, ticks);
	/* A sampled event's stall counts 1/rate of it (model/sample.h). */
	double stall = ticks * ((double)sc->tick_ns + touch_stall_max(sc) / sc->sample_rate);
	char a[32];

	if (ticks > MAX_TICKS)
		return cfg_err(err, -SIM_ERANGE, at,
			       "the run would take %.0f ticks (duration / tick), more than 10^8; "
			       "use a tick of at least %s",
			       ticks,
			       units_format_duration(
				       round_up_tick((double)sc->duration_ns / MAX_TICKS), a,
				       sizeof(a)));
	if (vm_ticks > MAX_VM_TICKS)
		return cfg_err(err, -SIM_ERANGE, at,
			       "the run would simulate about %.3g VM-ticks (each VM's ticks "
			       "alive, summed), more than 10^11; use a tick of at least %s",
			       vm_ticks,
			       units_format_duration(
				       round_up_tick((double)sc->tick_ns * vm_ticks / MAX_VM_TICKS),
				       a, sizeof(a)));
	if (stall > MAX_STALL_NS)
		return cfg_err(err, -SIM_ERANGE, at,
			       "a VM could stall %.3g s in all (%.3g ticks, each up to the tick "
			       "plus the slowest fault), more than 64 bits of nanoseconds hold; "
			       "use a longer tick or lower latencies",
			       stall / 1e9, ticks);
	return 0;
}

int scenario_load(const char *path, const struct scenario_opts *opts, struct scenario *sc,
		  struct sim_err *err)
{
	struct cfg_node *root;
	size_t i;
	int rc;

	memset(sc, 0, sizeof(*sc));
	sc->path = xstrdup(path);
	if ((rc = cfg_load_file(path, &root, err)))
		return rc;
	sc->root = root;
	for (i = 0; opts && i < opts->n_sets; i++)
		if ((rc = apply_set(root, opts->sets[i], err)))
			return rc;
	if (opts && opts->has_seed) {
		char buf[32];

		snprintf(buf, sizeof(buf), "%llu", (unsigned long long)opts->seed);
		cfg_put_scalar(root, "seed", buf);
	}
	if ((rc = read_top(root, sc, err)) || (rc = read_hosts(root, sc, err)) ||
	    (rc = read_policies(root, sc, err)) || (rc = read_latency(root, &sc->latency, err)) ||
	    (rc = read_sla(root, &sc->sla, err)) || (rc = read_cost(root, &sc->cost, err)) ||
	    (rc = read_output(root, &sc->vm_series, &sc->host_series, err)) ||
	    (rc = read_sampling(root, sc, err)) || (rc = sampled_backing(sc, err)) ||
	    (rc = read_workload(root, sc, err)) ||
	    (rc = check_work(sc, err)))
		return rc;
	return 0;
}

void scenario_release(struct scenario *sc)
{
	int f;

	for (f = 0; f < FAMILY_COUNT; f++)
		policy_release(&sc->policies[f]);
	trace_release(&sc->trace);
	if (sc->trace_owned)
		cfg_free(sc->trace_root);
	cfg_free(sc->root);
	nameset_release(&sc->group_names);
	free(sc->groups);
	free(sc->path);
	memset(sc, 0, sizeof(*sc));
}

double scenario_pages_estimate(const struct scenario *sc)
{
	const struct trace *t = &sc->trace;
	double bytes = 0;
	size_t i;

	for (i = 0; i < t->n_vms; i++)
		bytes += (double)t->vms[i].memory_bytes;
	for (i = 0; i < t->n_groups; i++)
		bytes += (double)t->groups[i].count * dist_mean(&t->groups[i].memory);
	return bytes / (double)sc->page_bytes;
}
