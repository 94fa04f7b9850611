/*
 * plan_search.h - the two pure halves of `memsim plan`: judging one run's
 * results JSON against the config's SLA, and the bisection over a grid of
 * values that asks an oracle about each (value, replication) at most once.
 * Neither runs anything, so both are tested on hand-made inputs.  `memsim
 * run` uses the judgement too, for its summary.
 */
#ifndef PLAN_SEARCH_H
#define PLAN_SEARCH_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The config's `sla:` as the effective config in a results file holds it. */
struct plan_sla {
	bool has_max_slowdown, has_max_rejected, has_max_swapped, has_min_progress;
	bool has_max_slowdown_p99, has_max_slowdown_p95, has_max_violating_vms;
	bool has_max_oom_vms;
	double max_slowdown;            /* fraction; memsim counts VMs past it */
	double max_rejected;            /* share of arrived VMs */
	double max_swapped;             /* bytes, or a share of host memory */
	bool max_swapped_is_frac;       /* max_swapped <= 1 is read as a share */
	double min_progress;            /* fraction */
	double max_slowdown_p99;        /* fraction, bounds the 99th percentile over VMs */
	double max_slowdown_p95;        /* fraction, bounds the 95th percentile over VMs */
	double max_violating_vms;       /* share of VMs that ran whose slowdown > max_slowdown */
	double max_oom_vms;             /* share of VMs that ran stopped out of memory */
};

/* Bits of plan_metrics.failed, one per bound of the SLA. */
enum {
	PLAN_FAIL_SLOWDOWN = 1 << 0,
	PLAN_FAIL_REJECTED = 1 << 1,
	PLAN_FAIL_SWAPPED = 1 << 2,
	PLAN_FAIL_PROGRESS = 1 << 3,
	PLAN_FAIL_SLOWDOWN_P99 = 1 << 4,
	PLAN_FAIL_SLOWDOWN_P95 = 1 << 5,
	PLAN_FAIL_VIOLATING = 1 << 6,
	PLAN_FAIL_OOM = 1 << 7,
	PLAN_FAIL_LAST = PLAN_FAIL_OOM,
};

/*
 * What one run measured.  The metrics the evidence always shows (slowdown
 * mean and p99, swapped, rejected, violations) are read whatever the SLA;
 * the others when a bound needs them.
 */
struct plan_metrics {
	double sla_violations;          /* VMs whose slowdown passed max_slowdown */
	double vms_ran;                 /* summary.vms.placed: the VMs slowdowns are over */
	double violating_share;         /* sla_violations / vms_ran, 0 when none ran */
	double rejected_share;          /* rejected / arrived, 0 when none arrived */
	double swapped_bytes;           /* summary.memory.swapped_bytes_mean */
	double swapped_limit_bytes;     /* max_swapped in bytes for this run */
	double progress;                /* summary.performance.progress_mean */
	double slowdown_mean, slowdown_p99, slowdown_p95;
	double oom_vms;                 /* summary.vms.oom */
	double oom_share;               /* oom_vms / vms_ran */
	unsigned failed;                /* PLAN_FAIL_* bits; 0 means the run passed */
};

/*
 * Reads the SLA from an effective config object.  Returns 0, or -1 when
 * the config has no sla or an empty one, or -2 when a bound is not a number.
 */
int plan_sla_read(const cJSON *config, struct plan_sla *sla);
/*
 * Measures a results document against sla into *m.  Returns 0, or -1 when
 * the summary lacks a key that a bound needs.  Bounds are inclusive.
 */
int plan_sla_eval(const struct plan_sla *sla, const cJSON *results, struct plan_metrics *m);
/* Names the PLAN_FAIL_* bit: "max_slowdown" and so on. */
const char *plan_fail_name(unsigned bit);
/*
 * The bound of bit in sla, and what m measured against it, in the same
 * unit (fractions, or bytes for max_swapped); *upper is false for the one
 * lower bound, min_progress.  False when the SLA has no such bound.
 */
bool plan_sla_bound(const struct plan_sla *sla, const struct plan_metrics *m, unsigned bit,
		    double *bound, double *measured, bool *upper);

/*
 * The oracle: whether replication rep meets the SLA at value.  Returns 1
 * (meets), 0 (misses) or a negative code that stops the search; fills *m.
 */
typedef int plan_meets_fn(double value, int rep, void *ctx, struct plan_metrics *m);

/* One (value, replication) asked of the oracle, in the order asked. */
struct plan_try {
	double value;
	int rep;
	bool pass;
	struct plan_metrics m;
};

/*
 * A search over min, min + step, ... up to max (rounded down to the grid).
 * Set the inputs, optionally seed tries with plan_search_record, then run.
 */
struct plan_search {
	double min, max, step;          /* inputs; min <= max, step > 0 */
	int reps;                       /* input; replications per value, >= 1 */
	bool largest;                   /* input: the largest value that meets it */
	struct plan_try *tries;         /* the cache and the evidence */
	size_t n_tries, cap;
	bool found;                     /* output: some value in range meets it */
	double value;                   /* output: the smallest (largest) such, if found */
	bool non_monotone;              /* output: see plan_tries_non_monotone */
};

/* The grid: the number of steps from min to the top, and value k of it. */
int64_t plan_grid_steps(double min, double max, double step);
double plan_grid_value(double min, double step, int64_t k);

/* Adds a try already made (a run done before the search); the search reuses it. */
void plan_search_record(struct plan_search *s, double value, int rep, bool pass,
			const struct plan_metrics *m);
/*
 * Checks the far end first (max, or min with largest); if it meets the
 * SLA, bisects for the smallest (largest) value that does.  A value meets
 * it when every replication does; replications are asked in order and the
 * first miss decides.  Returns 0 or the oracle's negative code.
 */
int plan_search_run(struct plan_search *s, plan_meets_fn *meets, void *ctx);
/* Frees the tries. */
void plan_search_release(struct plan_search *s);
/*
 * Whether some replication passes at one value and misses at another on
 * the side that should pass (a larger one; with largest, a smaller one),
 * among the tries; if so and a and b are not NULL, *a is the pass and *b
 * the miss.  Note that's O(n^2) in the tries, which are few.
 */
bool plan_tries_non_monotone(const struct plan_try *t, size_t n, bool largest,
			     const struct plan_try **a, const struct plan_try **b);

#endif /* PLAN_SEARCH_H */
