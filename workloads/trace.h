/*
 * trace.h - the workload: guest images, explicit VMs and generated groups
 * (DESIGN.md section 6), loaded from a YAML mapping and expanded into one
 * flat list of VM specs.  Expansion draws each group from its own streams,
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

#define TRACE_NEVER INT64_MAX          /* a VM that never departs */
#define TRACE_MAX_VMS 100000000        /* VMs in a trace, explicit and generated */
#define TRACE_MAX_VM_BYTES (INT64_C(1) << 50)   /* 1 PiB: a VM's memory, an image */
#define TRACE_MAX_RATE 1e9             /* touches, or arrivals, per second */

enum pattern { PATTERN_UNIFORM, PATTERN_ZIPF, PATTERN_HOTCOLD, PATTERN_SEQUENTIAL };

/* How a VM uses its memory from time `at` on. */
struct phase {
	int64_t at_ns;                  /* start, relative to the VM's arrival */
	int64_t ws_bytes;               /* working-set size */
	double ws_frac;                 /* or a share of memory when ws_bytes < 0 */
	enum pattern pattern;
	double skew;                    /* zipf exponent */
	double hot_fraction;            /* hot/cold: share of the set that is hot */
	double hot_probability;         /* hot/cold: share of touches to the hot part */
	double rate;                    /* touches per second */
	double writes;                  /* share of touches that write */
};

struct image_spec {
	char *name;
	int64_t size_bytes;
	double zero;                    /* share of the image's pages that are zero */
};

/* Fields every VM has, explicit or generated. */
struct vm_spec {
	char *name;
	const char *group;              /* borrowed; NULL for an explicit VM */
	int64_t memory_bytes;
	int64_t reservation_bytes;
	int64_t limit_bytes;            /* == memory_bytes when unlimited */
	double shares;                  /* proportional-share weight */
	double shares_per_mb;           /* high 20, normal 10, low 5; 0 if shares given */
	int image;                      /* index into trace.images, -1 = none */
	double content_zero;            /* share of pages born zero */
	double content_image;           /* share of pages that are image pages */
	bool zero_freed;                /* the guest zeroes memory it frees */
	int64_t arrive_ns;
	int64_t depart_ns;              /* TRACE_NEVER if it stays */
	struct phase *phases;           /* sorted by at_ns, at least one */
	size_t n_phases;
	const struct cfg_node *where;   /* for located errors */
};

enum arrival_process { ARRIVE_AT_ONCE, ARRIVE_POISSON, ARRIVE_LIST };

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
