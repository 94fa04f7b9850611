/*
 * wss.h - a VM's working set as an access pattern: which data pages its
 * touches fall on.  A touch is one memory access to one 4 KiB page, and a
 * pattern is defined over the 4 KiB pages of the working set (ranks 0..,
 * hottest first); a simulated page of page_ranks 4 KiB pages holds ranks
 * page_ranks*d .. page_ranks*(d+1)-1 and takes the sum of their
 * probabilities, so a pattern is the same workload at any page_size.
 *
 * Touches of fast pages (resident on a private frame) are hits that change
 * nothing, so a tick is played miss by miss (wss_gap): the number of
 * touches to the next one on a page that is not fast is geometric in the
 * probability mass of those pages, and its page is drawn in proportion to
 * their probabilities.  That mass is kept per block of 64 pages (one word
 * of the fast map) in a Fenwick tree of integer weights, updated as fast
 * bits change: a tick costs O(log(pages)) per slow touch and nothing per hit.
 */
#ifndef WSS_H
#define WSS_H

#include <gsl/gsl_rng.h>
#include <stdbool.h>
#include <stdint.h>

#include "rng.h"
#include "spec.h"

#define WSS_RANK_BYTES 4096             /* patterns are defined over 4 KiB pages */

/*
 * Where the pages of a sampled set sit in the full set (model/sample.c):
 * page j is rank table[j], or, without a table, the page that a hash of
 * (key, j) picks in the j-th run of `run` ranks.  Ascending in j.
 */
struct wss_ranks {
	const uint32_t *table;          /* borrowed; NULL: computed from key and run */
	uint64_t key;
	uint32_t run;
};

static inline uint32_t wss_rank_of(const struct wss_ranks *r, uint32_t j)
{
	if (r->table)
		return r->table[j];
	return (uint32_t)((uint64_t)j * r->run + rng_mix(r->key ^ j) % r->run);
}

struct wss {
	enum pattern pattern;
	double rate;                    /* touches (4 KiB accesses) per second */
	double writes;                  /* share of touches that write */
	double skew;                    /* zipf */
	double hot_probability;         /* hot-cold */
	uint32_t pages;                 /* working-set size in simulated pages */
	uint32_t page_ranks;            /* 4 KiB pages per simulated page */
	double ranks;                   /* pages * page_ranks: the set in 4 KiB pages */
	double hot_ranks;               /* hot-cold: 4 KiB pages in the hot part */
	double zipf_norm;               /* sum of k^-skew, k = 1..ranks */
	double zipf_s;                  /* zipf: the skew */
	double zipf_series[6];          /* page_integral's coefficients */
	double *zipf_head;              /* masses of the pages holding ranks <= 256; owned */
	uint32_t n_head;
	uint64_t scan_pos;              /* sequential: the next 4 KiB rank */
	/* A sampled set (wss_set_sampled): page d is the full set's 4 KiB rank
	 * wss_rank_of(rank, d), and the pages hold sampled_mass of the full
	 * set's touches. */
	const struct wss_ranks *rank;   /* borrowed; NULL = not sampled */
	double sampled_mass;
	/* The miss sampler (wss_track): weight of pages that are not fast. */
	const uint64_t *fast;           /* borrowed fast map, NULL = untracked */
	uint64_t *tree;                 /* Fenwick tree over 64-page blocks; owned */
	uint32_t n_blocks, cap_blocks;
	uint32_t tree_step;             /* the largest power of two <= n_blocks */
	uint64_t slow_weight;           /* weight of pages that are not fast */
	uint64_t total_weight;          /* weight of all pages */
	/* The last weights computed, by page + 1 (0: none), two ways by the
	 * page's parity: a drawn page's weight is asked for again when it
	 * turns fast, and a weight is a pow() for zipf. */
	uint32_t memo_page[2];
	uint64_t memo_weight[2];
	/* wss_set_sampled's masses of the pages, untracked, for the next
	 * wss_track to weigh them with (then freed); owned. */
	double *start_mass;
};

/* Sets the pattern of phase p over pages simulated pages of 4 KiB. */
void wss_set(struct wss *w, const struct phase *p, uint32_t pages);
/* The same over pages simulated pages of page_ranks 4 KiB pages each (then
 * wss_release frees what it holds). */
void wss_set_granule(struct wss *w, const struct phase *p, uint32_t pages,
		     uint32_t page_ranks);
/*
 * Phase p over n sampled pages of a working set of full_pages 4 KiB pages,
 * page j being the full set's wss_rank_of(rank, j) (borrowed, outlives w).
 * Each keeps its probability in the full set, renormalised, and the rate
 * is the full rate times their share (sampled_mass), so every page is
 * touched exactly as often as in the full set.  Then as wss_set_granule.
 */
void wss_set_sampled(struct wss *w, const struct phase *p, uint32_t full_pages,
		     const struct wss_ranks *rank, uint32_t n);
/* The full set's touches that n touches of w stand for (n unless sampled). */
static inline double wss_full_touches(const struct wss *w, uint64_t n)
{
	return w->rank ? (double)n / w->sampled_mass : (double)n;
}
/*
 * Tracks the fast map fast (borrowed; one bit per data page, kept by mem.c,
 * which calls wss_fast_set and wss_fast_clear as bits change) for wss_gap.
 * Costs O(pages) now and at every later wss_set; wss_release frees it.
 * NULL stops tracking (the bit changes are ignored) and keeps the memory.
 */
void wss_track(struct wss *w, const uint64_t *fast);
void wss_release(struct wss *w);
void wss_fast_set(struct wss *w, uint32_t d);
void wss_fast_clear(struct wss *w, uint32_t d);

/* The number of touches in a tick of tick_ns (the fraction drawn from r). */
uint64_t wss_touches(const struct wss *w, gsl_rng *r, int64_t tick_ns);
/*
 * Touches up to and including the next one that falls on a page that is
 * not fast, whose page goes to *d; 0 when none does within max touches.
 * Draws nothing else and changes nothing: call wss_advance for the touches
 * made.  Needs wss_track.
 */
uint64_t wss_gap(struct wss *w, gsl_rng *r, uint64_t max, uint32_t *d);
/* k touches were made: a scan moves on by k. */
void wss_advance(struct wss *w, uint64_t k);

/* Share of touches that fall on page d, and touches per second on it. */
double wss_page_mass(const struct wss *w, uint32_t d);
double wss_page_rate(const struct wss *w, uint32_t d);

#endif /* WSS_H */
