/*
 * cluster.h - hosts, VMs, admission and placement over time.
 *
 * A VM arrives at its spec's time; the overcommit policy says how much
 * each host may still accept and the placement policy picks one.  When
 * none fits the VM is rejected, or queued until memory frees (retried in
 * arrival order whenever a VM leaves; one that still does not fit does not
 * block those behind it).  A VM's lifetime (depart - arrive) starts when it
 * is placed, and so do its phases.  The cluster schedules its own arrival,
 * departure, queue-timeout and tick events on the engine.  Every tick each
 * host's reclaim policy has its turn first (it updates its state, and the
 * frames it asks for are freed ahead of demand), then each running VM
 * moves its balloon toward its target (inflating only while the reclaim
 * policy lets balloons run) and touches its pages.
 * Policies run through policy.h: the cluster calls their on_place and
 * on_depart hooks, and runs each periodic policy (info.period) as one
 * event per host and period, which visits that host's VMs.
 */
#ifndef CLUSTER_H
#define CLUSTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "host.h"
#include "policy.h"
#include "spec.h"
#include "vm.h"

struct host_params {
	const char *name;
	const char *group;
	int64_t memory_bytes;
	int64_t overhead_bytes;
	int64_t swap_bytes;
	int64_t swap_read_ns, swap_write_ns;
	double swap_bandwidth;          /* bytes per second */
	int64_t disk_read_ns, disk_write_ns;    /* the datastore: guest swap */
	double disk_bandwidth;          /* bytes per second */
	struct pt_params pt;            /* paging and backing (pt.h) */
};

struct cluster_params {
	const struct host_params *hosts;
	size_t n_hosts;
	const struct vm_spec *vms;      /* borrowed; must outlive the cluster */
	size_t n_vms;
	struct policy_set policies;     /* handles borrowed; their priv must outlive the cluster */
	bool queue_on_full;             /* else reject */
	sim_time max_wait_ns;           /* queue wait before giving up; SIM_NEVER */
	/* The page model. */
	const struct image_spec *images;        /* borrowed; vm_spec.image indexes them */
	size_t n_images;
	uint64_t seed;
	uint32_t replication;
	int64_t page_bytes;
	sim_time tick_ns;
	sim_time end_ns;                /* ticks cover [0, end_ns) */
	struct mem_latency latency;
	double balloon_rate;            /* driver rate limit, bytes per second */
	double balloon_max;             /* cap, share of each VM's pages */
	uint64_t check_every;           /* check invariants every N ticks; 0 = never */
	double sample_rate;             /* share of pages simulated (sample.h); 1 = all */
	int threads;                    /* a tick runs its hosts on this many (pool.h); 0 = 1 */
};

struct cluster_stats {
	uint64_t arrived, placed, rejected, queued, timed_out, oom;
	int64_t committed_bytes;        /* now, over all hosts */
	int64_t committed_peak_bytes;
	double committed_byte_ns;       /* integral of committed over time */
	sim_time last_change_ns;
};

struct cluster;

/* The event of one periodic policy, on every host at once. */
struct cluster_timer {
	struct cluster *cluster;
	enum policy_family family;
	sim_time period_ns;
};

struct cluster {
	struct sim *sim;
	struct host *hosts;
	size_t n_hosts;
	struct vm *vms;
	size_t n_vms;
	struct cluster_params p;
	struct vm **queue;              /* waiting VMs in arrival order */
	size_t n_queue, cap_queue;
	const struct host **host_ptrs;  /* scratch for placement */
	int64_t *headroom;              /* each host's, for placement */
	bool *headroom_known;           /* headroom[i] holds (host_only policies) */
	struct cluster_stats stats;
	struct sim_err check_err;       /* the first broken invariant */
	bool check_failed;
	uint64_t ticks;                 /* ticks run so far */
	sim_time tick_len_ns;           /* the tick being run: tick_ns, or less at the end */
	uint64_t balloon_pages_now;     /* pages each balloon may move in this tick */
	struct cluster_timer timers[FAMILY_COUNT];      /* periodic policies: one per family */
	struct mem_image *mem_images;   /* per image: its content identity */
	struct pool *pool;              /* runs a tick's hosts at once */
};

struct cluster *cluster_new(struct sim *s, const struct cluster_params *p);
void cluster_free(struct cluster *c);
/* Schedules every VM's arrival. */
void cluster_start(struct cluster *c);
/* Brings the time integrals up to now (call before reading them). */
void cluster_settle(struct cluster *c);
int64_t cluster_host_bytes(const struct cluster *c);
int64_t cluster_unpromised_bytes(const struct cluster *c);
/* Hosts that ran at least one VM. */
size_t cluster_hosts_used(const struct cluster *c);
/* What vm's estimator says of its active memory now, and the truth. */
int64_t cluster_vm_estimated_active_bytes(const struct cluster *c, const struct vm *vm);
int64_t cluster_vm_active_bytes(const struct cluster *c, const struct vm *vm);
/* For placement policies, before vm is placed: the parameters of its pages
 * that its spec and the run give (size, data pages, content: those of the
 * full VM, whatever the sampling; no time, no sampling map), and the run's
 * page size, which is returned. */
int64_t cluster_vm_content(const struct vm *vm, struct vmem_params *mp);
/* Checks every host's memory invariants; 0 or -SIM_EINVAL with *err. */
int cluster_check(const struct cluster *c, struct sim_err *err);

#endif /* CLUSTER_H */
