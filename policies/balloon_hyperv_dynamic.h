/*
 * balloon_hyperv_dynamic.h - the arithmetic of Hyper-V dynamic memory
 * (MECHANISMS.md 3), apart from the policy so that tests can check it:
 * the Linux guest's balloon floor by RAM size, and the assignment of a
 * host's memory to its VMs by demand, buffer and weight.
 */
#ifndef BALLOON_HYPERV_DYNAMIC_H
#define BALLOON_HYPERV_DYNAMIC_H

#include <stddef.h>
#include <stdint.h>

/* hv_balloon's compute_balloon_floor for a guest of ram_bytes: the memory
 * below which the balloon never takes it, in bytes. */
int64_t hyperv_balloon_floor_bytes(int64_t ram_bytes);

/* What one VM's assignment depends on, in pages. */
struct hyperv_vm {
	double demand;                  /* the guest's reported committed memory */
	double lo, hi;                  /* never assigned less, more (lo <= hi) */
	double buffer;                  /* share of demand assigned beyond it */
	double weight;                  /* its share under scarcity */
};

/*
 * Writes assigned[i], the pages VM i is assigned out of avail pages.  Each
 * VM wants want = demand (1 + buffer) and needs need = demand, both within
 * [lo, hi].  When the wants fit, each gets its want.  When only the needs
 * fit, each gets its need and the rest goes to the buffers by weight:
 * need + min(want - need, lambda w) with one lambda for all, so that the
 * sum is avail.  When the needs do not fit, buffers are not kept and the
 * memory goes by weight: min(need, max(lo, lambda w)), summing to avail,
 * or lo for every VM when the lower bounds alone do not fit.  A VM of
 * weight 0 gets nothing beyond what it is sure of (need, or lo).  Closed
 * form (the sum is piecewise linear in lambda): O(n log n).
 */
void hyperv_assign(const struct hyperv_vm *vms, size_t n, double avail, double *assigned);

/*
 * The weighted water level: writes x[i] = clamp(lambda w[i], a[i], b[i])
 * with lambda such that the x[i] add up to avail; all a when they do not
 * fit, all b when they do.  scratch holds 2n doubles.
 */
void hyperv_waterfill(const double *w, const double *a, const double *b, size_t n, double avail,
		      double *x, double *scratch);

#endif /* BALLOON_HYPERV_DYNAMIC_H */
