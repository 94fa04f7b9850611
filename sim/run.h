/*
 * run.h - one replication of a scenario: build the cluster, run the
 * engine to the end, and collect a plain run record.
 */
#ifndef RUN_H
#define RUN_H

#include <stdbool.h>
#include <stdint.h>

#include "results.h"
#include "scenario.h"

struct run_opts {
	bool progress;                  /* a progress line on stderr */
	uint64_t check_every;           /* check invariants every N ticks; 0 = never */
	int threads;                    /* a tick runs hosts on this many; 0 = 1 (the
					 * results are the same bytes for any) */
};

/* Runs replication r; fills *rec (release with results_release). */
int run_replication(const struct scenario *sc, uint32_t replication, const struct run_opts *o,
		    struct run_record *rec, struct sim_err *err);
/* Bytes of model state per page: MEM_BYTES_PER_PAGE, and with compression
 * on the caches' LRU links (MEM_ZIP_BYTES_PER_PAGE). */
double run_bytes_per_page(const struct scenario *sc);
struct vm;
/*
 * One VM's memory now, as its means and series record it: configured
 * bytes; resident (guest pages on private or shared host frames, a shared
 * frame counted in full by each VM that maps it), ballooned, host-swapped
 * and compressed bytes; and its faults so far.  Its working set and
 * estimate are the cluster's to give (left 0 here).  O(1).
 */
void run_vm_memory(const struct vm *vm, int64_t page_bytes, int64_t v[VCOL_COUNT]);
/* Bytes of memory the run is expected to need, from the structs it uses. */
double run_memory_estimate(const struct scenario *sc);

#endif /* RUN_H */
