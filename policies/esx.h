/*
 * esx.h - VMware ESXi arithmetic that its policies share: MinFree by the
 * vSphere 5+ sliding scale and the free-memory thresholds of the vSphere 6
 * states (MECHANISMS.md 1.5).
 */
#ifndef ESX_H
#define ESX_H

#include <stdint.h>

#include "policy.h"

/*
 * MinFree for a host of memory_bytes (Mem.MemMinFreePct = 0, automatic):
 * 6% of the first 4 GB, 4% of 4-12 GB, 2% of 12-28 GB and 1% of the rest
 * (frankdenneman.nl 2011-07-26); a 128 GB host has 1925.12 MB.
 */
int64_t esx_min_free_bytes(int64_t memory_bytes);

/*
 * The free memory at or above which a host enters state s (vSphere 6.0+,
 * yellow-bricks.com "memory states"): high 400%, clear 100%, soft 64%,
 * hard 32%, low 16% of MinFree.  Below the low threshold a host stays low.
 */
int64_t esx_state_threshold_bytes(int64_t min_free_bytes, enum host_pressure s);

#endif /* ESX_H */
