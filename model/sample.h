/*
 * sample.h - spatially sampled simulation (DESIGN.md section 4,
 * "Granularity"): a run at rate R simulates, at 4 KiB, only the pages
 * a hash picks (of the VM and the page's run of 1/R pages, or of the
 * content for image pages), as SHARDS (Waldspurger et al., FAST'15)
 * samples references.  A VM of N pages becomes the VM of its R*N sampled
 * pages; a host keeps R of its frames, swap slots and device bandwidth;
 * every stall a sampled event causes stands for 1/R of them.  Rate 1
 * changes nothing.  The narrative (what is exact, what is not) is in
 * sample.c.
 */
#ifndef SAMPLE_H
#define SAMPLE_H

#include <stdbool.h>
#include <stdint.h>

#include "mem.h"
#include "spec.h"
#include "wss.h"

/* Which pages of one VM are simulated. */
struct sample_map {
	bool on;                        /* the VM is sampled */
	struct wss_ranks ranks;         /* each sampled data page's index in the full VM */
	uint32_t *table;                /* ranks.table when it has one; owned */
	uint32_t n_data;                /* sampled data pages */
	uint32_t full_data;             /* the full VM's data pages */
	uint32_t full_pages;            /* the full VM's guest pages */
};

/* Whether a run at rate is sampled: 0 < rate < 1 (0 is unset, so all). */
static inline bool sample_is_on(double rate)
{
	return rate > 0 && rate < 1;
}

/* Whether key (a page's hash) falls under rate. */
static inline bool sample_hit(uint64_t hash, double rate)
{
	return (double)(hash >> 11) * 0x1.0p-53 < rate;
}

/*
 * Picks the pages of the full VM that *p describes which a run at rate
 * (sample_is_on) simulates: a page born with image content by a hash of
 * (image_key, its content), so that equal content is sampled alike in every
 * VM; any other page, data or not, when a hash of (vm_key, the run of 1/rate
 * pages that holds it) names its place in the run.  Then makes *p the sampled
 * VM: its guest and data pages, its limit, and p->data_rank (&s->ranks, which
 * must outlive the VM's memory).  A VM without image pages at a rate of 1/N
 * costs O(1) and no table (its ranks are computed); any other, O(full pages)
 * and 4 bytes per sampled data page.
 */
void sample_map_init(struct sample_map *s, double rate, uint64_t vm_key, uint64_t image_key,
		     struct vmem_params *p);
void sample_map_release(struct sample_map *s);
/* The simulated data pages among the full VM's first n (at most n_data
 * of a VM that is not sampled, whose n_data it is given). */
uint32_t sample_map_below(const struct sample_map *s, uint32_t n, uint32_t n_data);
/* Sets w to phase p over the sampled pages of a full set of ws pages. */
void sample_wss_set(const struct sample_map *s, struct wss *w, const struct phase *p,
		    uint32_t ws);
/* Scales a host's frames, swap slots and devices' bandwidth by rate (sample_is_on). */
void sample_scale_host(struct hmem *hm, double rate);

/* The time that ns of stall of a sampled event stands for: 1/rate of it. */
static inline int64_t sample_time_ns(double rate, int64_t ns)
{
	return sample_is_on(rate) ? (int64_t)((double)ns / rate + 0.5) : ns;
}

#endif /* SAMPLE_H */
