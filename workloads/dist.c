/*
 * dist.c - distributions over GSL.
 *
 * Parameters are validated at load time so that a draw can never fail:
 * sigma, sd, mean and shape are positive, min < max, weights are
 * non-negative with a positive sum, and a truncation interval keeps some
 * probability.  Lognormal is given by its median (e^mu), which is what a
 * planner can read off a trace.
 */
#include "dist.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "units.h"
#include "xmem.h"

static const char *const kind_names[] = {
	"constant", "uniform", "exponential", "normal", "lognormal", "pareto", NULL,
};

/* Parses one value; *is_frac tells whether it was a percentage. */
static int parse_value(struct cfg_node *n, enum dist_unit unit, double *v, bool *is_frac,
		       struct sim_err *err)
{
	int64_t i;
	int rc;

	*is_frac = false;
	if (n->kind != CFG_SCALAR)
		return cfg_err(err, -SIM_ETYPE, n, "expected a value, not a list or mapping");
	switch (unit) {
	case DIST_NUMBER:
		return cfg_node_number(n, v, err);
	case DIST_SIZE:
		rc = cfg_node_size(n, &i, err);
		*v = (double)i;
		return rc;
	case DIST_DURATION:
		rc = cfg_node_duration(n, &i, err);
		*v = (double)i;
		return rc;
	case DIST_SIZE_OR_FRACTION:
		if (strchr(n->text, '%')) {
			*is_frac = true;
			rc = cfg_node_fraction(n, v, err);
			if (!rc && (*v < 0 || *v > 1))
				return cfg_err(err, -SIM_ERANGE, n,
					       "'%s' must be between 0%% and 100%% of memory",
					       n->text);
			return rc;
		}
		rc = cfg_node_size(n, &i, err);
		*v = (double)i;
		return rc;
	}
	return -SIM_EINVAL;
}

/* Parses map[key] as a value consistent in kind with d->fraction so far. */
static int param(struct cfg_node *map, const char *key, bool required, enum dist_unit unit,
		 struct dist *d, bool *seen, double *v, struct sim_err *err)
{
	struct cfg_node *n = cfg_get(map, key);
	bool frac;
	int rc;

	if (!n) {
		if (required)
			return cfg_err(err, -SIM_EMISSING, map, "distribution needs '%s'", key);
		return 1;
	}
	rc = parse_value(n, unit, v, &frac, err);
	if (rc)
		return rc;
	if (*seen && frac != d->fraction)
		return cfg_err(err, -SIM_EINVAL, n,
			       "mix of sizes and percentages in one distribution");
	d->fraction = frac;
	*seen = true;
	return 0;
}

static int parse_list(struct cfg_node *list, enum dist_unit unit, struct dist *d,
		      struct sim_err *err)
{
	bool seen = false;
	size_t i;
	int rc;

	if ((rc = cfg_expect(list, CFG_SEQ, "the list of values", err)))
		return rc;
	if (list->n == 0)
		return cfg_err(err, -SIM_EINVAL, list, "the list of values is empty");
	d->values = xcalloc(list->n, sizeof(*d->values));
	d->n_values = list->n;
	for (i = 0; i < list->n; i++) {
		bool frac;

		rc = parse_value(list->kids[i], unit, &d->values[i], &frac, err);
		if (rc)
			return rc;
		if (seen && frac != d->fraction)
			return cfg_err(err, -SIM_EINVAL, list->kids[i],
				       "mix of sizes and percentages in one list");
		d->fraction = frac;
		seen = true;
	}
	return 0;
}

static int parse_choice(struct cfg_node *n, enum dist_unit unit, struct dist *d,
			struct sim_err *err)
{
	static const char *const keys[] = {"choice", "weights", NULL};
	struct cfg_node *w = cfg_get(n, "weights");
	double *weights, sum = 0;
	size_t i;
	int rc;

	if ((rc = cfg_check_keys(n, "a choice", keys, err)))
		return rc;
	d->kind = DIST_CHOICE;
	if ((rc = parse_list(cfg_get(n, "choice"), unit, d, err)))
		return rc;
	weights = xcalloc(d->n_values, sizeof(*weights));
	for (i = 0; i < d->n_values; i++)
		weights[i] = 1.0;
	if (w) {
		if ((rc = cfg_expect(w, CFG_SEQ, "weights", err)))
			goto out;
		if (w->n != d->n_values) {
			rc = cfg_err(err, -SIM_EINVAL, w, "%zu weights for %zu choices", w->n,
				     d->n_values);
			goto out;
		}
		for (i = 0; i < w->n; i++) {
			if ((rc = cfg_node_number(w->kids[i], &weights[i], err)))
				goto out;
			if (weights[i] < 0) {
				rc = cfg_err(err, -SIM_ERANGE, w->kids[i],
					     "weights must not be negative");
				goto out;
			}
		}
	}
	for (i = 0; i < d->n_values; i++)
		sum += weights[i];
	if (!(sum > 0)) {
		rc = cfg_err(err, -SIM_EINVAL, w ? w : n, "weights must have a positive sum");
		goto out;
	}
	d->table = gsl_ran_discrete_preproc(d->n_values, weights);
	if (!d->table)
		rc = cfg_err(err, -SIM_EINVAL, n, "GSL could not prepare the weights");
out:
	free(weights);
	return rc;
}

static double cdf(const struct dist *d, double x)
{
	switch (d->kind) {
	case DIST_EXPONENTIAL:
		return gsl_cdf_exponential_P(x, d->p1);
	case DIST_NORMAL:
		return gsl_cdf_gaussian_P(x - d->p1, d->p2);
	case DIST_LOGNORMAL:
		return x <= 0 ? 0.0 : gsl_cdf_lognormal_P(x, log(d->p1), d->p2);
	case DIST_PARETO:
		return gsl_cdf_pareto_P(x, d->p2, d->p1);
	case DIST_CONSTANT:
	case DIST_UNIFORM:
	case DIST_CHOICE:
	case DIST_EMPIRICAL:
		break;
	}
	return 0.0;
}

static double cdf_inv(const struct dist *d, double u)
{
	switch (d->kind) {
	case DIST_EXPONENTIAL:
		return gsl_cdf_exponential_Pinv(u, d->p1);
	case DIST_NORMAL:
		return d->p1 + gsl_cdf_gaussian_Pinv(u, d->p2);
	case DIST_LOGNORMAL:
		return gsl_cdf_lognormal_Pinv(u, log(d->p1), d->p2);
	case DIST_PARETO:
		return gsl_cdf_pareto_Pinv(u, d->p2, d->p1);
	case DIST_CONSTANT:
	case DIST_UNIFORM:
	case DIST_CHOICE:
	case DIST_EMPIRICAL:
		break;
	}
	return 0.0;
}

static int positive(struct cfg_node *map, const char *key, double v, struct sim_err *err)
{
	if (v > 0)
		return 0;
	return cfg_err(err, -SIM_ERANGE, cfg_get(map, key), "'%s' must be greater than 0", key);
}

static int parse_named(struct cfg_node *n, enum dist_unit unit, struct dist *d,
		       struct sim_err *err)
{
	static const char *const keys[] = {
		"dist", "value", "min", "max", "mean", "sd", "median", "sigma", "scale",
		"shape", NULL,
	};
	bool seen = false;
	int kind, rc;

	if ((rc = cfg_check_keys(n, "a distribution", keys, err)))
		return rc;
	if ((rc = cfg_read_enum(n, "dist", NULL, kind_names, &kind, err)))
		return rc;
	d->kind = (enum dist_kind)kind;
	switch (d->kind) {
	case DIST_CONSTANT:
		return param(n, "value", true, unit, d, &seen, &d->p1, err);
	case DIST_UNIFORM:
		if ((rc = param(n, "min", true, unit, d, &seen, &d->p1, err)) ||
		    (rc = param(n, "max", true, unit, d, &seen, &d->p2, err)))
			return rc;
		if (!(d->p1 < d->p2))
			return cfg_err(err, -SIM_ERANGE, cfg_get(n, "max"),
				       "'max' must be greater than 'min'");
		return 0;
	case DIST_EXPONENTIAL:
		if ((rc = param(n, "mean", true, unit, d, &seen, &d->p1, err)) ||
		    (rc = positive(n, "mean", d->p1, err)))
			return rc;
		break;
	case DIST_NORMAL:
		if ((rc = param(n, "mean", true, unit, d, &seen, &d->p1, err)) ||
		    (rc = param(n, "sd", true, unit, d, &seen, &d->p2, err)) ||
		    (rc = positive(n, "sd", d->p2, err)))
			return rc;
		break;
	case DIST_LOGNORMAL:
		if ((rc = param(n, "median", true, unit, d, &seen, &d->p1, err)) ||
		    (rc = positive(n, "median", d->p1, err)) ||
		    (rc = cfg_read_number(n, "sigma", NULL, 0, 100, &d->p2, err)) ||
		    (rc = positive(n, "sigma", d->p2, err)))
			return rc;
		break;
	case DIST_PARETO:
		if ((rc = param(n, "scale", true, unit, d, &seen, &d->p1, err)) ||
		    (rc = positive(n, "scale", d->p1, err)) ||
		    (rc = cfg_read_number(n, "shape", NULL, 0, 1e6, &d->p2, err)) ||
		    (rc = positive(n, "shape", d->p2, err)))
			return rc;
		break;
	case DIST_CHOICE:
	case DIST_EMPIRICAL:
		break;
	}
	/* Truncation, for the four unbounded kinds. */
	d->lo = -(double)INFINITY;
	d->hi = (double)INFINITY;
	rc = param(n, "min", false, unit, d, &seen, &d->lo, err);
	if (rc < 0)
		return rc;
	d->truncated |= rc == 0;
	rc = param(n, "max", false, unit, d, &seen, &d->hi, err);
	if (rc < 0)
		return rc;
	d->truncated |= rc == 0;
	if (d->truncated) {
		if (!(d->lo < d->hi))
			return cfg_err(err, -SIM_ERANGE, cfg_get(n, "max"),
				       "'max' must be greater than 'min'");
		d->cdf_lo = isfinite(d->lo) ? cdf(d, d->lo) : 0.0;
		d->cdf_hi = isfinite(d->hi) ? cdf(d, d->hi) : 1.0;
		if (!(d->cdf_hi - d->cdf_lo > 1e-12))
			return cfg_err(err, -SIM_ERANGE, n,
				       "the range [min, max] has (almost) no probability");
	}
	return 0;
}

int dist_parse(struct cfg_node *n, enum dist_unit unit, struct dist *d, struct sim_err *err)
{
	static const char *const emp_keys[] = {"empirical", NULL};
	int rc;

	memset(d, 0, sizeof(*d));
	if (n->kind == CFG_SCALAR) {
		d->kind = DIST_CONSTANT;
		return parse_value(n, unit, &d->p1, &d->fraction, err);
	}
	if (n->kind != CFG_MAP)
		return cfg_err(err, -SIM_ETYPE, n,
			       "expected a value or a distribution mapping, not a list");
	if (cfg_get(n, "choice")) {
		rc = parse_choice(n, unit, d, err);
	} else if (cfg_get(n, "empirical")) {
		d->kind = DIST_EMPIRICAL;
		rc = cfg_check_keys(n, "an empirical distribution", emp_keys, err);
		if (!rc)
			rc = parse_list(cfg_get(n, "empirical"), unit, d, err);
	} else if (cfg_get(n, "dist")) {
		rc = parse_named(n, unit, d, err);
	} else {
		rc = cfg_err(err, -SIM_EMISSING, n,
			     "a distribution needs 'dist', 'choice' or 'empirical'");
	}
	if (rc)
		dist_release(d);
	return rc;
}

void dist_release(struct dist *d)
{
	free(d->values);
	d->values = NULL;
	if (d->table)
		gsl_ran_discrete_free(d->table);
	d->table = NULL;
}

double dist_sample(const struct dist *d, gsl_rng *r)
{
	double x = 0.0;

	switch (d->kind) {
	case DIST_CONSTANT:
		return d->p1;
	case DIST_UNIFORM:
		return gsl_ran_flat(r, d->p1, d->p2);
	case DIST_CHOICE:
		return d->values[gsl_ran_discrete(r, d->table)];
	case DIST_EMPIRICAL:
		return d->values[gsl_rng_uniform_int(r, d->n_values)];
	case DIST_EXPONENTIAL:
	case DIST_NORMAL:
	case DIST_LOGNORMAL:
	case DIST_PARETO:
		break;
	}
	if (d->truncated) {
		double u = d->cdf_lo + (d->cdf_hi - d->cdf_lo) * gsl_rng_uniform_pos(r);

		x = cdf_inv(d, u);
		if (!isfinite(x) || x < d->lo)
			x = d->lo;
		if (x > d->hi)
			x = d->hi;
		return x;
	}
	switch (d->kind) {
	case DIST_EXPONENTIAL:
		return gsl_ran_exponential(r, d->p1);
	case DIST_NORMAL:
		return d->p1 + gsl_ran_gaussian_ziggurat(r, d->p2);
	case DIST_LOGNORMAL:
		return gsl_ran_lognormal(r, log(d->p1), d->p2);
	case DIST_PARETO:
		return gsl_ran_pareto(r, d->p2, d->p1);
	case DIST_CONSTANT:
	case DIST_UNIFORM:
	case DIST_CHOICE:
	case DIST_EMPIRICAL:
		break;
	}
	return x;
}

double dist_mean(const struct dist *d)
{
	double s = 0, wsum = 0;
	size_t i;

	switch (d->kind) {
	case DIST_CONSTANT:
		return d->p1;
	case DIST_UNIFORM:
		return (d->p1 + d->p2) / 2;
	case DIST_EMPIRICAL:
		for (i = 0; i < d->n_values; i++)
			s += d->values[i];
		return s / (double)d->n_values;
	case DIST_CHOICE:
		for (i = 0; i < d->n_values; i++) {
			double w = gsl_ran_discrete_pdf(i, d->table);

			s += w * d->values[i];
			wsum += w;
		}
		return s / wsum;
	case DIST_EXPONENTIAL:
	case DIST_NORMAL:
	case DIST_LOGNORMAL:
	case DIST_PARETO:
		break;
	}
	if (!d->truncated) {
		if (d->kind == DIST_EXPONENTIAL || d->kind == DIST_NORMAL)
			return d->p1;
		if (d->kind == DIST_LOGNORMAL)
			return d->p1 * exp(d->p2 * d->p2 / 2);
		return d->p2 > 1 ? d->p2 * d->p1 / (d->p2 - 1) : (double)INFINITY;
	}
	/* Truncated: the mean of the inverse CDF over a fine midpoint grid. */
	for (i = 0; i < 4096; i++) {
		double u = d->cdf_lo + (d->cdf_hi - d->cdf_lo) * ((double)i + 0.5) / 4096.0;
		double x = cdf_inv(d, u);

		s += isfinite(x) ? x : 0.0;
	}
	return s / 4096.0;
}

double dist_min(const struct dist *d)
{
	double m;
	size_t i;

	switch (d->kind) {
	case DIST_CONSTANT:
	case DIST_UNIFORM:
		return d->p1;
	case DIST_CHOICE:
	case DIST_EMPIRICAL:
		m = d->values[0];
		for (i = 1; i < d->n_values; i++)
			if (d->values[i] < m)
				m = d->values[i];
		return m;
	case DIST_NORMAL:
		return d->truncated ? d->lo : -(double)INFINITY;
	case DIST_EXPONENTIAL:
	case DIST_LOGNORMAL:
		return d->truncated && d->lo > 0 ? d->lo : 0.0;
	case DIST_PARETO:
		return d->truncated && d->lo > d->p1 ? d->lo : d->p1;
	}
	return 0.0;
}

double dist_below(const struct dist *d, double x)
{
	double p = 0, w = 0;
	size_t i;

	switch (d->kind) {
	case DIST_CONSTANT:
		return d->p1 < x ? 1.0 : 0.0;
	case DIST_UNIFORM:
		return fmin(1.0, fmax(0.0, (x - d->p1) / (d->p2 - d->p1)));
	case DIST_EMPIRICAL:
		for (i = 0; i < d->n_values; i++)
			p += d->values[i] < x;
		return p / (double)d->n_values;
	case DIST_CHOICE:
		for (i = 0; i < d->n_values; i++) {
			double pi = gsl_ran_discrete_pdf(i, d->table);

			p += d->values[i] < x ? pi : 0.0;
			w += pi;
		}
		return p / w;
	case DIST_EXPONENTIAL:
	case DIST_NORMAL:
	case DIST_LOGNORMAL:
	case DIST_PARETO:
		break;
	}
	/* Continuous: P(X < x) is the CDF, over the kept interval when truncated. */
	if (!d->truncated)
		return cdf(d, x);
	if (x <= d->lo)
		return 0.0;
	if (x >= d->hi)
		return 1.0;
	return (cdf(d, x) - d->cdf_lo) / (d->cdf_hi - d->cdf_lo);
}
