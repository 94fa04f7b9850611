/*
 * sweep_stats.c - Student's t intervals for sweep summaries.
 *
 * The half-width is t_{0.975, n-1} * s / sqrt(n), with s the sample
 * standard deviation (n - 1 in the denominator).  Paired differences are
 * valid because replication r of every point draws the same workload
 * (common random numbers, DESIGN.md section 3), so the difference of
 * replication r's two runs removes the workload's own variance.
 */
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>

#include "sweep_stats.h"
#include "xmem.h"

bool sweep_stats_ci(const double *x, size_t n, struct sweep_ci *out)
{
	double half = 0;

	if (n == 0)
		return false;
	out->n = n;
	out->mean = gsl_stats_mean(x, 1, n);
	if (n > 1) {
		double sd = gsl_stats_sd(x, 1, n);
		double t = gsl_cdf_tdist_Pinv(0.975, (double)(n - 1));

		half = t * sd / sqrt((double)n);
	}
	out->lo = out->mean - half;
	out->hi = out->mean + half;
	return isfinite(out->mean) && isfinite(out->lo) && isfinite(out->hi);
}

bool sweep_stats_paired(const double *a, const bool *has_a, const double *b,
			const bool *has_b, size_t n, struct sweep_ci *out)
{
	double *d = xcalloc(n + 1, sizeof(*d));
	size_t i, m = 0;
	bool ok;

	for (i = 0; i < n; i++)
		if (has_a[i] && has_b[i])
			d[m++] = a[i] - b[i];
	ok = sweep_stats_ci(d, m, out);
	free(d);
	return ok;
}
