/*
 * scenario.h - a validated, immutable description of one simulation:
 * the config file (with --set overrides and defaults written in), its
 * hosts, policies and workload.  Loading stops at the first error, which
 * names its place.
 */
#ifndef SCENARIO_H
#define SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cfg.h"
#include "nameset.h"
#include "policy.h"
#include "pt.h"
#include "registry.h"
#include "trace.h"

struct swap_params {
	int64_t size_bytes;             /* capacity of the host swap device */
	int64_t read_latency_ns;
	int64_t write_latency_ns;
	double bandwidth;               /* bytes per second */
};

/* The datastore that holds the host's VMs' virtual disks: their guest swap. */
struct disk_params {
	int64_t read_latency_ns;
	int64_t write_latency_ns;
	double bandwidth;               /* bytes per second */
};

struct host_group {
	const char *name;
	int64_t count;
	int64_t memory_bytes;
	int64_t overhead_bytes;
	struct swap_params swap;
	struct disk_params disk;
	struct pt_params pt;            /* paging, large pages, TLB (model/pt.h) */
	struct cfg_node *where;         /* its mapping in the config */
	bool large_pages_given;         /* large_pages was written, not defaulted */
};

struct latency_params {
	int64_t zero_fill_ns, cow_ns, decompress_ns, compress_ns;      /* per 4 KiB */
};

struct sla_params {
	bool has_max_slowdown, has_max_rejected, has_max_swapped, has_min_progress;
	double max_slowdown;            /* fraction */
	double max_rejected;            /* share of arrived VMs */
	bool max_swapped_is_frac;
	double max_swapped;             /* bytes, or share of host memory */
	double min_progress;            /* fraction */
};

struct cost_params {
	bool present;
	double host_per_month;
	const char *currency;
};

struct scenario {
	char *path;                     /* the config file */
	struct cfg_node *root;          /* effective config; owned */
	struct cfg_node *trace_root;    /* workload tree (owned when from a file) */
	bool trace_owned;
	const char *name;
	uint64_t seed;
	int64_t replications;
	int64_t duration_ns, tick_ns, sample_ns;
	int64_t page_bytes;
	double sample_rate;             /* sampling.rate: share of 4 KiB pages simulated */
	struct host_group *groups;
	size_t n_groups;
	struct nameset group_names;     /* host group name -> index */
	int64_t n_hosts;
	struct policy policies[FAMILY_COUNT];
	bool queue_on_full;
	int64_t max_wait_ns;            /* SIM_NEVER when unbounded */
	double balloon_rate;            /* driver rate limit, bytes per second */
	double balloon_max;             /* cap, share of each VM's memory */
	struct latency_params latency;
	struct sla_params sla;
	struct cost_params cost;
	bool vm_series;                 /* output.vm_series: each VM's series in results */
	bool host_series;               /* output.host_series: each host's series in results */
	struct trace trace;
};

/*
 * The largest seed: results record it as a JSON number, which holds every
 * integer exactly up to 2^53 (IEEE 754 double, 53-bit significand).
 */
#define SCENARIO_SEED_MAX (INT64_C(1) << 53)

/* An override of the seed from the command line, if set. */
struct scenario_opts {
	const char *const *sets;        /* "KEY=VALUE" overrides, applied in order */
	size_t n_sets;
	bool has_seed;
	uint64_t seed;
};

int scenario_load(const char *path, const struct scenario_opts *opts, struct scenario *sc,
		  struct sim_err *err);
void scenario_release(struct scenario *sc);
/* Simulated pages over all VMs of the trace, by their mean memory. */
double scenario_pages_estimate(const struct scenario *sc);

#endif /* SCENARIO_H */
