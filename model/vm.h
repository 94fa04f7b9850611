/*
 * vm.h - a virtual machine's life in the cluster: arrival, waiting,
 * placement and departure.  Its static description is a struct vm_spec
 * from the workload; times here are what the simulation made of it.
 */
#ifndef VM_H
#define VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "engine.h"
#include "mem.h"
#include "policy.h"
#include "sample.h"
#include "spec.h"

enum vm_state {
	VM_PENDING,                     /* has not arrived yet */
	VM_QUEUED,                      /* arrived, waiting for room */
	VM_RUNNING,                     /* placed on a host */
	VM_DEPARTED,                    /* ran and left */
	VM_REJECTED,                    /* refused, or gave up waiting */
	VM_OOM,                         /* stopped: its host ran out of memory */
};

struct host;
struct cluster;

struct vm {
	const struct vm_spec *spec;     /* borrowed from the scenario */
	size_t id;                      /* index in the cluster */
	struct cluster *cluster;        /* the cluster it belongs to */
	enum vm_state state;
	struct host *host;              /* while running */
	struct host *ran_on;            /* where it was placed; kept after it leaves */
	size_t host_slot;               /* index in host->vms */
	sim_time arrived_ns;
	sim_time placed_ns;             /* -1 until placed */
	sim_time departed_ns;           /* -1 until it leaves */
	uint64_t timeout_event;         /* queue wait limit, 0 = none */
	uint64_t depart_event;          /* its departure, 0 = none */
	struct vmem mem;                /* its pages, while placed */
	struct sample_map sample;       /* which of its pages a sampled run simulates */
	size_t phases_started;          /* phases begun so far */
	uint64_t end_state[PS_COUNT];   /* its pages by state when it left */
	gsl_rng *touch_rng;             /* which pages it touches (workload) */
	uint64_t touch_seed;            /* touch_rng restarts from this ^ tick */
	sim_time overrun_ns;            /* time its last tick ran past its end, owed by the next */
	gsl_rng *guest_rng;             /* its guest's own choices */
	void *policy_priv[FAMILY_COUNT];        /* each policy's state for it, while placed */
};

void vm_init(struct vm *vm, const struct vm_spec *spec, size_t id);
int64_t vm_memory_bytes(const struct vm *vm);
/* How long it runs once placed (depart - arrive), SIM_NEVER if forever. */
sim_time vm_lifetime_ns(const struct vm *vm);
const char *vm_state_name(enum vm_state s);
/* Read-only queries for policies (inline: reclaim calls them per fault). */
static inline uint64_t vm_pages(const struct vm *vm)
{
	return vm->mem.n_pages;
}

static inline uint64_t vm_private_pages(const struct vm *vm)
{
	return vm->mem.n_state[PS_PRIVATE];
}

/* Pages on host frames: private and shared. */
static inline uint64_t vm_resident_pages(const struct vm *vm)
{
	return vm->mem.n_state[PS_PRIVATE] + vm->mem.n_state[PS_SHARED];
}

/* Pages in its balloon (for a dynamic VM, also those not yet hot-added). */
static inline uint64_t vm_ballooned_pages(const struct vm *vm)
{
	return vm->mem.n_state[PS_BALLOONED];
}

/* Pages the guest uses: data it has touched and not freed, wherever the
 * host keeps it (on a frame, swapped, compressed) or in its own swap. */
static inline uint64_t vm_guest_used_pages(const struct vm *vm)
{
	return vm->mem.n_resident + vm->mem.n_gswap;
}

/* Whether it has Hyper-V dynamic memory settings (spec.h). */
static inline bool vm_is_dynamic(const struct vm *vm)
{
	return vm->spec->dynamic.on;
}

/* Its startup and minimum memory in its pages (a share of vm_pages, as
 * its maximum is all of them): vm_pages for a VM that is not dynamic. */
uint64_t vm_startup_pages(const struct vm *vm);
uint64_t vm_minimum_pages(const struct vm *vm);

/* What the workload asks of it, for its shares, reservation and limit (its
 * phases are the truth, which policies never read: they read estimates). */
static inline const struct vm_spec *vm_spec_of(const struct vm *vm)
{
	return vm->spec;
}

/* The true working set in pages: for the oracle estimator and the results
 * only; every other policy reads estimates (policy_estimate_pages). */
uint64_t vm_working_set_pages(const struct vm *vm);
/* The VM's stable entity id (its name's hash), for per-VM policy streams. */
uint64_t vm_entity(const struct vm *vm);
/* When it was placed (on its current host). */
sim_time vm_placed_ns(const struct vm *vm);

#endif /* VM_H */
