/*
 * sweep_spec.h - a sweep file (DESIGN.md section 9): a base config, axes of
 * values for config paths, a mode (grid or zip), replications and an
 * optional baseline, expanded into numbered points.
 *
 * Invariant: points are numbered in a fixed order (grid: the last axis
 * varies fastest; zip: the i-th values together), so p007 always names the
 * same parameters for the same sweep file.
 */
#ifndef SWEEP_SPEC_H
#define SWEEP_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct sweep_axis {
	char *key;                      /* dotted config path, as --set takes it */
	size_t n;                       /* values, at least one */
	char **values;                  /* YAML scalar text, passed to --set verbatim */
};

struct sweep_spec {
	char *path;                     /* the sweep file */
	char *base;                     /* the base config, resolved against path's folder */
	int64_t replications;           /* runs per point, >= 1 */
	bool zip;                       /* zip mode; grid otherwise */
	size_t n_axes;
	struct sweep_axis *axes;
	size_t n_baseline;              /* baseline keys */
	size_t *baseline_axis;          /* the axis of each baseline key */
	size_t *baseline_value;         /* the value index on that axis */
	size_t n_points;
	size_t *choice;                 /* n_points x n_axes value indices */
};

/* Loads and expands a sweep file; on error *s is empty.  Returns 0 or -SIM_E*. */
int sweep_spec_load(const char *path, struct sweep_spec *s, struct sim_err *err);
void sweep_spec_release(struct sweep_spec *s);

/* The text of point's value on axis (borrowed). */
const char *sweep_spec_value(const struct sweep_spec *s, size_t point, size_t axis);
/* Writes the point's id ("p000", "p001", ...) into buf. */
void sweep_spec_point_id(size_t point, char *buf, size_t n);
/*
 * The baseline point of point: the point with the same values except the
 * baseline keys at the baseline's values.  -1 when there is none, or when
 * point is itself a baseline point.
 */
long sweep_spec_baseline_of(const struct sweep_spec *s, size_t point);

#endif /* SWEEP_SPEC_H */
