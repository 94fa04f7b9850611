/*
 * wss.h - a VM's working set as an access pattern: which data pages its
 * touches fall on.  Data pages are numbered 0..pages-1, hottest first, so
 * a pattern's skew puts its weight on the low numbers.
 *
 * A tick of n touches costs O(min(n, pages)): below pages touches each
 * touch is drawn; above, each page is visited once with the probability
 * that at least one of the n touches fell on it.
 */
#ifndef WSS_H
#define WSS_H

#include <gsl/gsl_rng.h>
#include <stdbool.h>
#include <stdint.h>

#include "trace.h"

struct wss {
	enum pattern pattern;
	double rate;                    /* touches per second */
	double writes;                  /* share of touches that write */
	double skew;                    /* zipf */
	double hot_probability;         /* hot-cold */
	uint32_t pages;                 /* working-set size in pages */
	uint32_t hot_pages;             /* hot-cold: pages in the hot part */
	double zipf_norm;               /* sum of k^-skew, k = 1..pages */
	double zipf_hx1, zipf_hn, zipf_s;       /* rejection-inversion constants */
	double zipf_squeeze;
	uint64_t scan_pos;              /* sequential: next page */
	/* zipf: the tail past a prefix of known hits, cached per prefix */
	uint32_t tail_from;             /* first page of the tail */
	double tail_mass;               /* share of touches on the tail */
	double tail_hx1;                /* rejection-inversion bound for the tail */
};

typedef void wss_visit_fn(void *ctx, uint32_t page);

/* Sets the pattern of phase p over a working set of pages pages. */
void wss_set(struct wss *w, const struct phase *p, uint32_t pages);
/* The number of touches in a tick of tick_ns (the fraction drawn from r). */
uint64_t wss_touches(const struct wss *w, gsl_rng *r, int64_t tick_ns);
/*
 * Visits the pages that n touches fall on; a page may be visited again.
 * Pages below hits_below are known to be hits, so a pattern may leave out
 * touches that fall on them (zipf does: it draws only its tail).
 */
void wss_draw(struct wss *w, gsl_rng *r, uint64_t n, uint32_t hits_below,
	      wss_visit_fn *visit, void *ctx);
/*
 * The sparse regime (fewer touches than pages, and not a scan) draws its
 * touches one at a time, so a caller can stop early: wss_sparse_count
 * says how many visits a tick of n touches makes past the known hits,
 * and wss_sparse_next draws the next one.
 */
bool wss_is_sparse(const struct wss *w, uint64_t n);
uint64_t wss_sparse_count(struct wss *w, gsl_rng *r, uint64_t n, uint32_t hits_below);
uint32_t wss_sparse_next(struct wss *w, gsl_rng *r, uint32_t hits_below);
/* Touches per second that fall on page d. */
double wss_page_rate(const struct wss *w, uint32_t d);
/* One zipf draw in from..w->pages, 1 <= from (for tests). */
uint32_t wss_zipf(struct wss *w, gsl_rng *r, uint32_t from);

#endif /* WSS_H */
