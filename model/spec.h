/*
 * spec.h - what a VM is asked to do (DESIGN.md section 2): its size,
 * content and phases, each with a working set and an access pattern.  The
 * model consumes these plain values and never reads a trace file;
 * workloads/ fills them from files and generators.  It includes nothing of
 * the model, so workloads/ may include it (tests/layers.sh places it just
 * above the kernel).
 */
#ifndef SPEC_H
#define SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cfg.h"

#define SPEC_NEVER INT64_MAX           /* a VM that never departs */

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

/*
 * How the pages of one content source compress, in ESX's slots
 * (MECHANISMS.md 1.6): the share whose compression ratio is at least 4:1
 * (a quarter-page slot) and the share from 2:1 up to 4:1 (a half-page
 * slot); the rest do not compress to half a page and are swapped.  Zero
 * pages are apart: they compress to nothing.  All zero: none compresses.
 */
struct compress_spec {
	double quarter, half;
};

struct image_spec {
	char *name;
	int64_t size_bytes;
	double zero;                    /* share of the image's pages that are zero */
	struct compress_spec compress;  /* its non-zero pages */
	int base;                       /* the image it is a version of, -1 = none */
	double same;                    /* share of its pages equal to the base's */
};

/*
 * Hyper-V dynamic memory (MECHANISMS.md 3), from the trace's `dynamic:`:
 * the VM's memory_bytes is its maximum (its guest-physical size), it
 * starts with startup and may shrink to minimum.  on is false for a VM
 * without them (static at its memory size).
 */
struct dynamic_spec {
	bool on;
	int64_t startup_bytes, minimum_bytes;   /* minimum <= startup <= memory_bytes */
	double buffer;                  /* share of demand assigned beyond it, 5%..2000% */
	double weight;                  /* 0..10000 */
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
	int image;                      /* index into the images, -1 = none */
	double content_zero;            /* share of pages born zero */
	double content_image;           /* share of pages that are image pages */
	struct compress_spec compress;  /* its unique pages (image pages: the image's) */
	bool zero_freed;                /* the guest zeroes memory it frees */
	bool has_salt;                  /* the trace gives it a page-sharing salt */
	uint64_t salt;                  /* its salt's hash (ESX's sched.mem.pshare.salt) */
	int64_t arrive_ns;
	int64_t depart_ns;              /* SPEC_NEVER if it stays */
	struct dynamic_spec dynamic;    /* Hyper-V dynamic memory, or off */
	struct phase *phases;           /* sorted by at_ns, at least one */
	size_t n_phases;
	const struct cfg_node *where;   /* for located errors */
};

/* The working set of phase p for a VM of memory bytes. */
int64_t spec_phase_ws_bytes(const struct phase *p, int64_t memory_bytes);

#endif /* SPEC_H */
