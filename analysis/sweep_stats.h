/*
 * sweep_stats.h - means and 95% confidence intervals (Student's t, GSL)
 * of a sweep's replications, and of paired differences between points.
 * With one value the interval is [mean, mean]; with none there is none.
 */
#ifndef SWEEP_STATS_H
#define SWEEP_STATS_H

#include <stdbool.h>
#include <stddef.h>

struct sweep_ci {
	double mean;
	double lo, hi;                  /* mean -/+ t(0.975, n-1) * s / sqrt(n) */
	size_t n;                       /* values it stands on */
};

/* The interval of x[0..n-1]; false when n is 0 or a result is not finite. */
bool sweep_stats_ci(const double *x, size_t n, struct sweep_ci *out);
/*
 * The interval of the differences a[i] - b[i] over the i with both has_a[i]
 * and has_b[i] (the replications both points completed).
 */
bool sweep_stats_paired(const double *a, const bool *has_a, const double *b,
			const bool *has_b, size_t n, struct sweep_ci *out);

#endif /* SWEEP_STATS_H */
