/*
 * sweep_sum.h - a sweep's summaries, computed only from the run files in
 * DIR/runs (<point>-r<rep>.json, or <point>-r<rep>.err for a failed run),
 * in a fixed order, so the same files always give the same bytes:
 * DIR/summary.json (schema "memsim-sweep/1") and DIR/summary.csv.
 */
#ifndef SWEEP_SUM_H
#define SWEEP_SUM_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "err.h"
#include "sweep_spec.h"

#define SWEEP_SCHEMA "memsim-sweep/1"

struct sweep_sum;

/* Reads every run file of s under dir/runs; failed and missing runs are counted. */
struct sweep_sum *sweep_sum_build(const struct sweep_spec *s, const char *dir);
void sweep_sum_free(struct sweep_sum *sum);
/* Runs that failed (an .err file, or a results file that cannot be read). */
size_t sweep_sum_failed(const struct sweep_sum *sum);

/* The summary as JSON; the caller deletes it. */
cJSON *sweep_sum_json(const struct sweep_sum *sum);
/* The summary as CSV text; the caller frees it. */
char *sweep_sum_csv(const struct sweep_sum *sum);
/* Writes dir/summary.json and dir/summary.csv, each atomically. */
int sweep_sum_write(const struct sweep_sum *sum, const char *dir, struct sim_err *err);

#endif /* SWEEP_SUM_H */
