/*
 * sampling.h - the record of a spatially sampled run (model/sample.h)
 * scaled back to the full system: counts and bytes by 1/rate, times,
 * ratios and per-request figures as they are; and which metrics rest on
 * few sampled events, with their relative error.
 */
#ifndef SAMPLING_H
#define SAMPLING_H

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "results.h"

/* Metrics resting on fewer sampled events than this get a note. */
#define SAMPLING_FEW_EVENTS 1000

/* Whether r comes from a sampled run (0 < rate < 1). */
bool sampling_is_on(const struct run_record *r);
/*
 * Makes the record of a run sampled at rate (0 < rate < 1) the full
 * system's: records the sampled events each count rests on, then scales
 * every count and byte figure by 1/rate (rounded to a whole number where
 * it is one).  Call once, after the record is complete.
 */
void sampling_scale(struct run_record *r, double rate);
/* {rate, sampled_pages, pages, low_confidence: [...]}; the caller owns it. */
cJSON *sampling_json(const struct run_record *r);

#endif /* SAMPLING_H */
