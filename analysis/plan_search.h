/*
 * plan_search.h - the two pure halves of `memsim plan`: judging one run's
 * results JSON against the config's SLA, and the bisection over a grid of
 * values that asks an oracle about each (value, replication) at most once.
 * Neither runs anything, so both are tested on hand-made inputs.
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
	double max_slowdown;            /* fraction; memsim counts VMs past it */
	double max_rejected;            /* share of arrived VMs */
	double max_swapped;             /* bytes, or a share of host memory */
	bool max_swapped_is_frac;       /* max_swapped <= 1 is read as a share */
	double min_progress;            /* fraction */
};

/* Bits of plan_metrics.failed, one per bound of the SLA. */
enum {
	PLAN_FAIL_SLOWDOWN = 1 << 0,
	PLAN_FAIL_REJECTED = 1 << 1,
	PLAN_FAIL_SWAPPED = 1 << 2,
	PLAN_FAIL_PROGRESS = 1 << 3,
};

/* What one run measured against each bound. */
struct plan_metrics {
	double sla_violations;          /* VMs whose slowdown passed max_slowdown */
	double rejected_share;          /* rejected / arrived, 0 when none arrived */
	double swapped_bytes;           /* summary.memory.swapped_bytes_mean */
	double swapped_limit_bytes;     /* max_swapped in bytes for this run */
	double progress;                /* summary.performance.progress_mean */
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
 * The oracle: whether replication rep meets the SLA at value.  Returns 1
 * (meets), 0 (misses) or a negative code that stops the search; fills *m.
 */
typedef int plan_meets_fn(int64_t value, int rep, void *ctx, struct plan_metrics *m);

/* One (value, replication) asked of the oracle, in the order asked. */
struct plan_try {
	int64_t value;
	int rep;
	bool pass;
	struct plan_metrics m;
};

/*
 * A search over min, min + step, ... up to max (rounded down to the grid).
 * Set the inputs, optionally seed tries with plan_search_record, then run.
 */
struct plan_search {
	int64_t min, max, step;         /* inputs; 0 <= min <= max, step > 0 */
	int reps;                       /* input; replications per value, >= 1 */
	struct plan_try *tries;         /* the cache and the evidence */
	size_t n_tries, cap;
	bool found;                     /* output: some value in range meets it */
	int64_t value;                  /* output: the smallest such, if found */
	bool non_monotone;              /* output: see plan_tries_non_monotone */
};

/* Adds a try already made (a run done before the search); the search reuses it. */
void plan_search_record(struct plan_search *s, int64_t value, int rep, bool pass,
			const struct plan_metrics *m);
/*
 * Checks max first; if it meets the SLA, bisects for the smallest value
 * that does.  A value meets it when every replication does; replications
 * are asked in order and the first miss decides.  Returns 0 or the
 * oracle's negative code.
 */
int plan_search_run(struct plan_search *s, plan_meets_fn *meets, void *ctx);
/* Frees the tries. */
void plan_search_release(struct plan_search *s);
/*
 * Whether some replication passes at a value and misses at a larger one,
 * among the tries; if so and a and b are not NULL, *a and *b are such a
 * pair.  Note that's O(n^2) in the tries, which are few.
 */
bool plan_tries_non_monotone(const struct plan_try *t, size_t n, const struct plan_try **a,
			     const struct plan_try **b);

#endif /* PLAN_SEARCH_H */
