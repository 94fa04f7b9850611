/*
 * cluster.h - hosts, VMs, admission and placement over time.
 *
 * A VM arrives at its spec's time; the overcommit policy says how much
 * each host may still accept and the placement policy picks one.  When
 * none fits the VM is rejected, or queued until memory frees (retried in
 * arrival order whenever a VM leaves; one that still does not fit does not
 * block those behind it).  A VM's lifetime (depart - arrive) starts when it
 * is placed.  The cluster schedules its own arrival, departure and
 * queue-timeout events on the engine.
 */
#ifndef CLUSTER_H
#define CLUSTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "host.h"
#include "policy.h"
#include "trace.h"
#include "vm.h"

struct host_params {
	const char *name;
	const char *group;
	int64_t memory_bytes;
	int64_t overhead_bytes;
};

struct cluster_params {
	const struct host_params *hosts;
	size_t n_hosts;
	const struct vm_spec *vms;      /* borrowed; must outlive the cluster */
	size_t n_vms;
	const struct placement_ops *placement;
	const void *placement_priv;
	const struct overcommit_ops *overcommit;
	const void *overcommit_priv;
	bool queue_on_full;             /* else reject */
	sim_time max_wait_ns;           /* queue wait before giving up; SIM_NEVER */
};

struct cluster_stats {
	uint64_t arrived, placed, rejected, queued, timed_out;
	int64_t committed_bytes;        /* now, over all hosts */
	int64_t committed_peak_bytes;
	double committed_byte_ns;       /* integral of committed over time */
	sim_time last_change_ns;
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
	int64_t *headroom;              /* scratch for placement */
	struct cluster_stats stats;
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

#endif /* CLUSTER_H */
