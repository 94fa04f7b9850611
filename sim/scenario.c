/*
 * scenario.c - the top-level config schema (DESIGN.md section 6).
 *
 * Order of loading: parse the file, apply --set overrides and --seed, then
 * read every key, writing defaults into the tree.  The workload is a path
 * relative to the config file, or an inline mapping.  Keys that the model
 * does not use yet (latency, sla, cost, swap) are read and checked now, so
 * a mistake in them is never silently ignored.
 */
#include "scenario.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "units.h"
#include "xmem.h"

#define MAX_HOSTS 10000000
#define MIN_PAGE (4 * 1024)
#define MAX_PAGE (1024 * 1024 * 1024)

static const char *const top_keys[] = {
	"name", "seed", "replications", "duration", "tick", "sample", "page_size", "hosts",
	"policies", "latency", "sla", "cost", "workload", "output", NULL,
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

static int read_swap(struct cfg_node *host, struct swap_params *sw, struct sim_err *err)
{
	static const char *const keys[] = {
		"size", "read_latency", "write_latency", "bandwidth", "victims", NULL,
	};
	static const char *const victims[] = {"random", "clock", NULL};
	struct cfg_node *m = cfg_get(host, "swap");
	int rc;

	if (!m) {
		m = cfg_new_map(host->file, 0, 0);
		cfg_map_add(host, "swap", m);
	}
	if ((rc = cfg_expect(m, CFG_MAP, "swap", err)) ||
	    (rc = cfg_check_keys(m, "swap", keys, err)) ||
	    (rc = cfg_read_size(m, "size", "64GiB", &sw->size_bytes, err)) ||
	    (rc = cfg_read_duration(m, "read_latency", "80us", &sw->read_latency_ns, err)) ||
	    (rc = cfg_read_duration(m, "write_latency", "120us", &sw->write_latency_ns, err)) ||
	    (rc = cfg_read_bandwidth(m, "bandwidth", "2GB/s", &sw->bandwidth, err)) ||
	    (rc = cfg_read_enum(m, "victims", "random", victims, &sw->victims, err)))
		return rc;
	if (!(sw->bandwidth > 0))
		return cfg_err(err, -SIM_ERANGE, cfg_get(m, "bandwidth"),
			       "swap bandwidth must be positive");
	return 0;
}

static int read_hosts(struct cfg_node *root, struct scenario *sc, struct sim_err *err)
{
	static const char *const keys[] = {"name", "count", "memory", "overhead", "swap", NULL};
	struct cfg_node *list = cfg_get(root, "hosts");
	size_t i, j;
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
		if ((rc = cfg_expect(m, CFG_MAP, "a host group", err)) ||
		    (rc = cfg_check_keys(m, "a host group", keys, err)) ||
		    (rc = cfg_read_string(m, "name", def, &g->name, err)) ||
		    (rc = cfg_read_int(m, "count", "1", 0, MAX_HOSTS, &g->count, err)) ||
		    (rc = cfg_read_size(m, "memory", NULL, &g->memory_bytes, err)) ||
		    (rc = cfg_read_size(m, "overhead", "0", &g->overhead_bytes, err)) ||
		    (rc = read_swap(m, &g->swap, err)))
			return rc;
		sc->n_groups = i + 1;
		if (g->memory_bytes < sc->page_bytes)
			return cfg_err(err, -SIM_ERANGE, cfg_get(m, "memory"),
				       "host memory must be at least one page (%lld bytes)",
				       (long long)sc->page_bytes);
		if (g->overhead_bytes >= g->memory_bytes)
			return cfg_err(err, -SIM_ERANGE, cfg_get(m, "overhead"),
				       "overhead must be smaller than the host's memory");
		for (j = 0; j < i; j++)
			if (!strcmp(sc->groups[j].name, g->name))
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

static int read_policies(struct cfg_node *root, struct scenario *sc, struct sim_err *err)
{
	static const char *const family_keys[] = {
		"placement", "overcommit", "balloon", "sharing", "reclaim", "migration", NULL,
	};
	static const char *const placement_extra[] = {"on_full", "max_wait", NULL};
	static const char *const balloon_extra[] = {"rate", "max", NULL};
	static const char *const on_full[] = {"reject", "queue", NULL};
	struct cfg_node *m = cfg_get(root, "policies");
	int f, rc, which;

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
				      f == FAMILY_PLACEMENT ? placement_extra
				      : f == FAMILY_BALLOON ? balloon_extra
							    : NULL,
				      &sc->policies[f], err);
		if (rc)
			return rc;
		/* The balloon driver's limits, the same whatever the policy. */
		if (f == FAMILY_BALLOON &&
		    ((rc = cfg_read_bandwidth(pm, "rate", "256MiB/s", &sc->balloon_rate, err)) ||
		     (rc = cfg_read_fraction(pm, "max", "65%", 0, 1, &sc->balloon_max, err))))
			return rc;
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
	static const char *const keys[] = {"zero_fill", "cow", "decompress", "guest_swap_in", NULL};
	struct cfg_node *m;
	int rc;

	if ((rc = sub_map(root, "latency", keys, &m, err)) ||
	    (rc = cfg_read_duration(m, "zero_fill", "2us", &l->zero_fill_ns, err)) ||
	    (rc = cfg_read_duration(m, "cow", "3us", &l->cow_ns, err)) ||
	    (rc = cfg_read_duration(m, "decompress", "4us", &l->decompress_ns, err)) ||
	    (rc = cfg_read_duration(m, "guest_swap_in", "100us", &l->guest_swap_in_ns, err)))
		return rc;
	return 0;
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

static int read_output(struct cfg_node *root, bool *host_series, struct sim_err *err)
{
	static const char *const keys[] = {"vm_series", "host_series", NULL};
	struct cfg_node *m;
	bool vm_series;
	int rc;

	if ((rc = sub_map(root, "output", keys, &m, err)) ||
	    (rc = cfg_read_bool(m, "vm_series", "false", &vm_series, err)) ||
	    (rc = cfg_read_bool(m, "host_series", "false", host_series, err)))
		return rc;
	if (vm_series)
		return cfg_err(err, -SIM_EUNSUPPORTED, cfg_get(m, "vm_series"),
			       "per-VM series (vm_series: true) are not supported yet");
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
	    (rc = cfg_read_int(root, "seed", "1", 0, INT64_MAX, &seed, err)) ||
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
		if ((rc = cfg_set_path(root, opts->sets[i], err)))
			return rc;
	if (opts && opts->has_seed) {
		char buf[32];

		snprintf(buf, sizeof(buf), "%llu", (unsigned long long)opts->seed);
		cfg_put_scalar(root, "seed", buf);
	}
	if ((rc = read_top(root, sc, err)) || (rc = read_hosts(root, sc, err)) ||
	    (rc = read_policies(root, sc, err)) || (rc = read_latency(root, &sc->latency, err)) ||
	    (rc = read_sla(root, &sc->sla, err)) || (rc = read_cost(root, &sc->cost, err)) ||
	    (rc = read_output(root, &sc->host_series, err)) || (rc = read_workload(root, sc, err)))
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
