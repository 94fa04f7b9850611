/*
 * trace.h - the workload: guest images, explicit VMs and generated groups
 * (DESIGN.md section 6), loaded from a YAML mapping and expanded into one
 * flat list of VM specs (model/spec.h).  Expansion draws each group from its own streams,
 * keyed by the group's name, so a new group leaves the others unchanged.
 */
#ifndef TRACE_H
#define TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cfg.h"
#include "dist.h"
#include "nameset.h"
#include "spec.h"

#define TRACE_NEVER SPEC_NEVER         /* a VM that never departs */
#define TRACE_MAX_VMS 100000000        /* VMs in a trace, explicit and generated */
#define TRACE_MAX_VM_BYTES (INT64_C(1) << 50)   /* 1 PiB: a VM's memory, an image */
#define TRACE_MAX_RATE 1e9             /* touches, or arrivals, per second */

enum arrival_process { ARRIVE_AT_ONCE, ARRIVE_POISSON, ARRIVE_LIST };

/* A dynamic: setting (Hyper-V dynamic memory) as the trace gives it: a
 * size, or a share of the VM's memory. */
struct dynamic_size {
	bool set, share;
	double value;                   /* bytes, or the share */
	const struct cfg_node *where;
};

struct dynamic_template {
	bool on;
	struct dynamic_size startup, minimum, maximum;
	double buffer, weight;
	const struct cfg_node *where;
};

struct group_spec {
	char *name;
	int64_t count;
	enum arrival_process process;
	int64_t start_ns;               /* at-once: when; poisson: first possible */
	double rate;                    /* poisson arrivals per second */
	int64_t *times;                 /* list: arrival times, count of them */
	bool has_lifetime;
	struct dist lifetime;           /* ns */
	struct dist memory;             /* bytes */
	struct dist working_set;        /* bytes or share of memory */
	struct vm_spec proto;           /* name, memory, arrive, depart unused */
	struct dynamic_template dynamic;        /* applied to each VM's drawn memory */
	const struct cfg_node *where;
};

struct trace {
	struct image_spec *images;
	size_t n_images;
	struct nameset image_names;     /* image name -> index into images */
	struct vm_spec *vms;
	size_t n_vms;
	struct group_spec *groups;
	size_t n_groups;
};

/* Reads a workload mapping.  Returns 0 or -SIM_E* located in root. */
int trace_load(struct cfg_node *root, struct trace *t, struct sim_err *err);
void trace_release(struct trace *t);
/*
 * All VMs, explicit ones first, then each group's in order, named
 * "<group>-<i>".  Memory is rounded up to page_bytes.  *out is freed with
 * trace_specs_free.  Fails on duplicate names.
 */
int trace_expand(const struct trace *t, uint64_t seed, uint32_t replication,
		 int64_t page_bytes, struct vm_spec **out, size_t *n, struct sim_err *err);
void trace_specs_free(struct vm_spec *specs, size_t n);
/* Total VMs the trace will produce. */
size_t trace_vm_count(const struct trace *t);
/* The working set of phase p for a VM of memory bytes. */
int64_t trace_phase_ws_bytes(const struct phase *p, int64_t memory_bytes);

#endif /* TRACE_H */
