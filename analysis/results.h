/*
 * results.h - the plain record of one run (counters and series, no model
 * pointers) and its JSON form, schema "memsim-results/1" (DESIGN.md
 * section 8).  Keys a version cannot fill yet are absent, never zero.
 */
#ifndef RESULTS_H
#define RESULTS_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cfg.h"
#include "err.h"

#define RESULTS_SCHEMA "memsim-results/1"

/* Names of page states and fault kinds, in the model's order. */
#define REC_STATES 6
#define REC_FAULTS 5
extern const char *const rec_state_names[REC_STATES];
extern const char *const rec_fault_names[REC_FAULTS];

/* A policy's figures on one host, under its family's name. */
#define REC_POLICY_STATS 16
#define REC_POLICY_FAMILIES 8
struct rec_policy {
	const char *family, *policy;    /* static strings */
	const char *pressure;           /* reclaim: the host's state at the end; else NULL */
	size_t n;
	const char *key[REC_POLICY_STATS];
	double value[REC_POLICY_STATS];
};
/* A host's storage device over the run: its queue as the requests saw it. */
struct rec_device {
	uint64_t requests;              /* page reads and writes */
	double utilization;             /* transfer time asked for / run time */
	double wait_mean_s;             /* queueing wait per request */
};
struct rec_series;
struct rec_vm_series;

/* A VM's or a host's mapping (DESIGN.md 8, vms[].mapping): page tables,
 * large-page backing, translation cost (model/pt.h). */
struct rec_mapping {
	int64_t table_bytes;            /* page tables at the end, or when it left */
	int64_t table_bytes_peak;
	int64_t large_bytes, small_bytes;       /* mapped by 2 MiB and by 4 KiB pages */
	uint64_t broken_large_pages;    /* large pages broken into small ones */
	int64_t broken_shared_bytes;    /* pages of broken large pages now shared */
	double translation_overhead;    /* translation time over run time */
	double translation_s;
};

struct rec_host {
	char *name;
	const char *group;
	int64_t memory_bytes, overhead_bytes;
	int64_t configured_bytes_peak, configured_bytes_end;
	uint64_t vms_hosted;
	/* Memory at the end of the run. */
	int64_t free_bytes, private_bytes, shared_bytes, compression_bytes, overhead_bytes_used;
	int64_t shared_saved_bytes;
	int64_t swap_used_bytes, swap_bytes;
	bool swap_full;                 /* the swap device filled at some time */
	struct rec_device swap_queue;   /* the host swap device */
	struct rec_device disk_queue;   /* the datastore: guest swap */
	uint64_t oom;                   /* VMs stopped for want of memory */
	struct rec_policy policies[REC_POLICY_FAMILIES];
	size_t n_policies;
	int64_t used_bytes_peak;        /* the largest used memory of any sample */
	int64_t swapped_bytes_peak;     /* the largest swapped memory of any sample */
	struct rec_mapping mapping;     /* at the end: tables, backing */
	struct rec_series *series;      /* with output.host_series, else NULL; owned */
};

struct rec_vm {
	char *name;
	const char *group;              /* NULL for explicit VMs */
	const char *host;               /* NULL if never placed */
	const char *state;
	int64_t memory_bytes;
	double arrive_s;
	bool placed;
	double placed_s;
	bool departed;
	double depart_s;
	double wait_s;                  /* time queued */
	bool ran;                       /* was placed, so has memory figures */
	uint64_t pages[REC_STATES];     /* at the end, or when it left */
	uint64_t faults[REC_FAULTS];
	uint64_t double_paging;
	double touches;
	double stall_s, slowdown, progress;
	double stalled_share;           /* stall over run time (= slowdown) */
	double inflation;               /* 1/progress - 1; NaN when it made no progress */
	bool oom;
	/* Means over the samples while it ran: its guest pages on host frames
	 * (private or shared), in its balloon, host-swapped and compressed; its
	 * true working set, and what the estimator made of it (what the
	 * policies saw). */
	double resident_bytes_mean, ballooned_bytes_mean, swapped_bytes_mean;
	double compressed_bytes_mean;
	double active_bytes_mean, estimated_active_bytes_mean;
	struct rec_mapping mapping;
	struct rec_vm_series *series;   /* with output.vm_series, else NULL; owned */
	/* The policies' figures for it (policy_info.vm_stats), each the mean
	 * over its samples: under vms[].FAMILY; owned. */
	struct rec_policy *policies;
	size_t n_policies;
};

/* The series, sampled at every sample time (bytes over all hosts). */
enum rec_col {
	COL_CONFIGURED, COL_USED, COL_FREE, COL_SHARED_SAVED, COL_BALLOONED, COL_SWAPPED,
	COL_COMPRESSED,
	COL_FAULTS,                     /* faults of every kind since the last sample */
	COL_COUNT,
};
extern const char *const rec_col_names[COL_COUNT];

struct rec_series {
	size_t n, cap;
	double *t_s;
	int64_t *col[COL_COUNT];
	double *stall_s;                /* VMs' stall since the last sample */
	/* The cluster's faults of each kind since the last sample; n_kinds == n or 0. */
	uint64_t *faults_kind[REC_FAULTS];
	size_t n_kinds, cap_kinds;
};

/* A metric of a sampled run and the sampled events it rests on. */
#define REC_SAMPLING_METRICS 16
struct rec_sampling {
	double rate;                    /* 1 (or 0) when the run was not sampled */
	uint64_t sampled_pages;         /* guest pages simulated, over VMs that ran */
	uint64_t pages;                 /* their full VMs' 4 KiB pages */
	size_t n;
	const char *metric[REC_SAMPLING_METRICS];       /* static strings: results paths */
	double events[REC_SAMPLING_METRICS];            /* sampled events (or pages) */
};

/*
 * A VM's series (output.vm_series): one entry per sample while it was
 * placed, at the cluster series' times.  used_bytes is its resident
 * memory; faults and stall are its own since the previous sample.
 */
enum rec_vm_col {
	VCOL_CONFIGURED, VCOL_USED, VCOL_BALLOONED, VCOL_SWAPPED, VCOL_COMPRESSED,
	VCOL_FAULTS,
	VCOL_ACTIVE,                    /* its true working set */
	VCOL_ESTIMATED_ACTIVE,          /* what the estimator made of it */
	VCOL_ASSIGNED,                  /* its pages less its balloon: what the guest has */
	VCOL_COUNT,
};
extern const char *const rec_vm_col_names[VCOL_COUNT];

struct rec_vm_series {
	size_t n, cap;
	double *t_s;
	int64_t *col[VCOL_COUNT];
	double *stall_s;
};

struct run_record {
	const char *name;
	uint64_t seed;
	uint32_t replication;
	const char *fingerprint;        /* fingerprint.h; borrowed, NULL for none */
	const struct cfg_node *config;  /* effective config; borrowed */
	double wall_s;
	uint64_t events;
	double duration_s;
	uint64_t arrived, placed, rejected, queued, timed_out, waiting, oom;
	int64_t host_bytes;
	int64_t configured_bytes;       /* peak of the sum over running VMs */
	double configured_bytes_mean;   /* time-weighted */
	double overcommit_ratio;        /* configured_bytes / host_bytes */
	size_t hosts_used;
	size_t hosts_swap_full;
	/* Memory, from the series (means over samples, peak of samples). */
	double used_mean, shared_saved_mean, ballooned_mean, swapped_mean, compressed_mean;
	int64_t used_peak;
	uint64_t faults[REC_FAULTS];
	uint64_t double_paging;
	int64_t host_swap_out_bytes, host_swap_in_bytes;
	int64_t guest_swap_out_bytes, guest_swap_in_bytes;
	/* Guest memory put in compression caches, and of it what a full cache
	 * decompressed and swapped out (also in host_swap_out_bytes). */
	int64_t host_compress_bytes, host_compress_evict_bytes;
	double touches, stall_s, slowdown_mean, slowdown_p99, progress_mean;
	double stalled_share_mean, inflation_mean, inflation_p99;       /* over VMs that ran */
	double slowdown_p95;            /* over VMs that ran, as slowdown_p99 */
	uint64_t sla_violations;
	/* Cost, when the config has one. */
	bool has_cost;
	const char *currency;
	double host_per_month;
	uint64_t hosts_without_overcommit;      /* peak configured / a host's capacity */
	struct rec_host *hosts;
	size_t n_hosts;
	struct rec_vm *vms;
	size_t n_vms;
	struct rec_series series;
	struct rec_sampling sampling;   /* see analysis/sampling.h */
};

void results_release(struct run_record *r);
/* Appends a sample: t_s, one value per column, and the stall. */
void results_series_add(struct rec_series *s, double t_s, const int64_t v[COL_COUNT],
			double stall_s);
/* Appends a sample to a VM's series. */
void results_vm_series_add(struct rec_vm_series *s, double t_s, const int64_t v[VCOL_COUNT],
			   double stall_s);
void results_vm_series_free(struct rec_vm_series *s);
/* Appends a sample's faults by kind (the cluster series only), after results_series_add. */
void results_series_add_kinds(struct rec_series *s, const uint64_t kinds[REC_FAULTS]);
/* The whole document; the caller owns it (cJSON_Delete). */
cJSON *results_to_json(const struct run_record *r);
/* A cfg tree as JSON, with normalized values where they were read. */
cJSON *results_config_json(const struct cfg_node *n);
/* Writes text and a newline to path with outfile_write: through a temporary
 * file and a rename, or directly to a device or FIFO. */
int results_write_file(const char *path, const char *text, struct sim_err *err);

#endif /* RESULTS_H */
