/*
 * fingerprint.h - what a run was made from, as a short string its results
 * carry under "fingerprint": a hash of the effective config (as results
 * write it under "config"), the workload file it loaded, its seed and its
 * replication.  A sweep reuses a run file only when its fingerprint is the
 * one the point and replication give now.
 */
#ifndef FINGERPRINT_H
#define FINGERPRINT_H

#include <stdbool.h>
#include <stdint.h>

#include "cfg.h"

#define FINGERPRINT_LEN 32              /* with its NUL */

/*
 * The fingerprint of replication r of a loaded config, "fnv1a64:<16 hex>":
 * its effective tree, the workload tree when it came from a file (else
 * NULL), and its seed.
 */
void fingerprint_run(const struct cfg_node *config, const struct cfg_node *workload,
		     uint64_t seed, uint32_t r, char out[FINGERPRINT_LEN]);
/*
 * The fingerprint a results file records, read from its first bytes (it
 * comes before "config"); false when the file has none or cannot be read.
 */
bool fingerprint_read(const char *path, char out[FINGERPRINT_LEN]);

#endif /* FINGERPRINT_H */
