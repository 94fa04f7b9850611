/*
 * dist.h - random distributions of quantities, read from YAML and drawn
 * with GSL.  A distribution is a plain value, {dist: constant|uniform|
 * exponential|normal|lognormal|pareto, ...}, {choice: [...], weights: [...]}
 * or {empirical: [...]}.  Normal, lognormal, exponential and pareto may be
 * truncated to [min, max]; truncation samples the inverse CDF over the
 * kept interval, so every draw costs exactly one uniform variate.
 */
#ifndef DIST_H
#define DIST_H

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <stdbool.h>
#include <stddef.h>

#include "cfg.h"

/* What the values mean, which decides how their text is parsed. */
enum dist_unit {
	DIST_NUMBER,                    /* plain numbers */
	DIST_SIZE,                      /* bytes: 4GiB */
	DIST_DURATION,                  /* nanoseconds: 4h */
	DIST_SIZE_OR_FRACTION,          /* bytes, or a share of the VM's memory: 30% */
};

enum dist_kind {
	DIST_CONSTANT, DIST_UNIFORM, DIST_EXPONENTIAL, DIST_NORMAL,
	DIST_LOGNORMAL, DIST_PARETO, DIST_CHOICE, DIST_EMPIRICAL,
};

struct dist {
	enum dist_kind kind;
	bool fraction;                  /* values are shares of memory (0..1) */
	double p1, p2;                  /* value | min,max | mean | mean,sd |
					 * median,sigma | scale,shape */
	bool truncated;
	double lo, hi;                  /* truncation bounds when truncated */
	double cdf_lo, cdf_hi;          /* CDF at lo and hi */
	double *values;                 /* choice, empirical */
	size_t n_values;
	gsl_ran_discrete_t *table;      /* choice weights */
};

/* Reads n (a scalar or a mapping).  Returns 0 or -SIM_E* located at n. */
int dist_parse(struct cfg_node *n, enum dist_unit unit, struct dist *d, struct sim_err *err);
void dist_release(struct dist *d);
/* One draw in base units (bytes, ns, number or fraction). */
double dist_sample(const struct dist *d, gsl_rng *r);
/* The distribution's mean (after truncation), for summaries. */
double dist_mean(const struct dist *d);
/* The smallest value a draw can take. */
double dist_min(const struct dist *d);
/* The probability that a draw is below x, P(X < x). */
double dist_below(const struct dist *d, double x);

#endif /* DIST_H */
