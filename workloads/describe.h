/*
 * describe.h - what a trace amounts to, for a planner checking an import
 * before running it: how many VMs, when they arrive, and the configured
 * memory and working sets alive over time.
 */
#ifndef DESCRIBE_H
#define DESCRIBE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "trace.h"

struct describe_bin {
	int64_t start_ns;
	uint64_t arrivals;              /* VMs arriving in the bin */
	uint64_t alive;                 /* VMs alive at the bin's start */
	int64_t configured_bytes;       /* their memory */
	int64_t ws_bytes;               /* their working sets */
};

struct description {
	size_t n_vms;
	int64_t first_arrive_ns, last_arrive_ns;
	int64_t end_ns;                 /* the last arrival, departure or phase change */
	int64_t horizon_ns;             /* the bins cover [0, horizon_ns] */
	int64_t memory_min, memory_max;
	double memory_mean;
	struct describe_bin *bins;
	size_t n_bins;
};

/* Bytes describing t takes: its VMs expanded, their names and phases, and
 * the bins. */
double describe_memory_estimate(const struct trace *t, size_t n_bins);
/* Fails with -SIM_ENOMEM, naming path, when that is more than this process
 * may allocate (xmem_budget). */
int describe_check_fits(const struct trace *t, size_t n_bins, const char *path,
			struct sim_err *err);
/* Summarizes the expanded VMs in n_bins equal bins up to the last event. */
void describe_vms(const struct vm_spec *vms, size_t n, size_t n_bins, struct description *d);
/* The same up to horizon_ns (a run's duration), or the last event when it is 0. */
void describe_vms_to(const struct vm_spec *vms, size_t n, size_t n_bins, int64_t horizon_ns,
		     struct description *d);
void describe_release(struct description *d);
void describe_print(const struct description *d, FILE *f);

#endif /* DESCRIBE_H */
