/*
 * sweep.h - `memsim sweep`: a grid (or zip) of config overrides times
 * replications, each point-replication one `memsim run`, resumable, and
 * summarized with 95% confidence intervals (DESIGN.md section 9).
 */
#ifndef SWEEP_H
#define SWEEP_H

#include <stddef.h>

#include "fingerprint.h"

/*
 * What the driver gives the sweep, so that analysis/ never loads a config
 * itself (DESIGN.md section 2): loads config with the --set values sets (and
 * seed, a decimal string, unless NULL) as `memsim run` would, and writes the
 * fingerprints of its replications 0..reps-1 to out.  Returns 0, or nonzero
 * when the config does not load.
 */
typedef int sweep_fingerprints_fn(const char *config, const char *const *sets, size_t n_sets,
				  const char *seed, size_t reps, char (*out)[FINGERPRINT_LEN]);

/* The sweep command; argv excludes "memsim sweep".  Returns the exit code. */
int sweep_main(int argc, char **argv, sweep_fingerprints_fn *fingerprints);

#endif /* SWEEP_H */
