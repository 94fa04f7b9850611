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

/* What one start of a sweep did with each run (DIR/runs/<point>-r<rep>.json). */
struct sweep_tally {
	size_t reused;                  /* its file was made from the same inputs */
	size_t redone;                  /* its file was made from others: run again */
	size_t fresh;                   /* no file (never run, failed, or killed): run */
};

/* Reads every run file of s under dir/runs; failed and missing runs are counted. */
struct sweep_sum *sweep_sum_build(const struct sweep_spec *s, const char *dir);
void sweep_sum_free(struct sweep_sum *sum);
/*
 * Records what this start did, written as "last_start" in summary.json:
 * the one part of the summaries that depends on the sweep's history.
 */
void sweep_sum_set_tally(struct sweep_sum *sum, const struct sweep_tally *t);
/* Runs that failed (an .err file, or a results file that cannot be read). */
size_t sweep_sum_failed(const struct sweep_sum *sum);

/* The summary as JSON; the caller deletes it. */
cJSON *sweep_sum_json(const struct sweep_sum *sum);
/* The summary as CSV text; the caller frees it. */
char *sweep_sum_csv(const struct sweep_sum *sum);
/* Writes dir/summary.json and dir/summary.csv, each atomically. */
int sweep_sum_write(const struct sweep_sum *sum, const char *dir, struct sim_err *err);

#endif /* SWEEP_SUM_H */
