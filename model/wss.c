/*
 * wss.c - access patterns.
 *
 * DOC: patterns over 4 KiB pages
 *
 * Every pattern is a distribution over the 4 KiB pages of the working set
 * (its ranks); a simulated page holds page_ranks consecutive ranks and its
 * probability is the sum of theirs, so a coarse page_size groups the same
 * workload instead of changing it.  Zipf sums k^-s exactly up to rank 256
 * and by the midpoint rule on x^-s past it (the error falls like the
 * second derivative: below 1e-5 of any page's mass).
 *
 * DOC: playing a tick miss by miss
 *
 * Under the independent reference model each touch falls on page i with
 * probability q_i whatever happened before.  A touch of a fast page (on a
 * private frame) changes nothing, so between two touches that do change
 * something the state is fixed: the number of touches until the next one
 * on a page outside the fast set F is geometric with success probability
 * M = sum of q_i over i not in F, and that touch's page is i with
 * probability q_i / M.  Playing only those touches is exact, costs nothing
 * per hit, and sees a page evicted and touched again within one tick as
 * the two faults it is.  The weights q_i are integers (2^62 in all), so
 * the sums per block of 64 pages, kept in a Fenwick tree as fast bits
 * change, never drift; within a block the page is drawn by rejection
 * against the block's larger end weight (patterns are monotone in rank),
 * or, where weights fall steeply (zipf's first block), by walking to the
 * drawn offset.
 *
 * Zipf draws (wss_sparse_next) use rejection-inversion (Hormann and
 * Derflinger, "Rejection-inversion to generate variates from monotone
 * discrete distributions", 1996).
 */
#include "wss.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>

#include "err.h"
#include "xmem.h"

#define ZIPF_EXACT 256.0                /* ranks summed term by term */
#define WEIGHT_ONE 0x1p62               /* integer weight of the whole set */

/* (exp(x) - 1) / x, 1 at 0. */
static double expm1_over(double x)
{
	return fabs(x) > 1e-8 ? expm1(x) / x : 1.0 + x / 2;
}

/* The integral of x^-s over [a, b], 0 < a <= b, without cancellation. */
static double power_integral(double s, double a, double b)
{
	double l = log(b / a);

	return exp((1.0 - s) * log(a)) * l * expm1_over((1.0 - s) * l);
}

/* Sum of k^-s for k = a..b, 1 <= a (0 when b < a): term by term up to rank
 * ZIPF_EXACT, then the midpoint rule. */
static double power_sum(double s, double a, double b)
{
	double sum = 0, k;

	for (k = a; k <= b && k <= ZIPF_EXACT; k++)
		sum += pow(k, -s);
	if (b > ZIPF_EXACT) {
		double lo = a > ZIPF_EXACT ? a : ZIPF_EXACT + 1;

		sum += power_integral(s, lo - 0.5, b + 0.5);
	}
	return sum;
}

/*
 * The midpoint rule's sum over a page of ranks a..b, all past ZIPF_EXACT:
 * the integral of x^-s over m -+ h (m its centre, h = (b - a + 1) / 2) is
 * 2 h m^-s (1 + sum over even n of c_n (h/m)^n / (n + 1)), c_n the binomial
 * coefficients of (1 + t)^-s.  Here h/m <= 1/3, and six terms leave an
 * error below 2e-6 for skews up to 2, for one pow instead of four calls.
 */
static void page_integral_init(double s, double k[6])
{
	double c = 1;
	int n;

	for (n = 0; n < 12; n += 2) {
		c *= (s + n) * (s + n + 1) / ((n + 1) * (n + 2));
		k[n / 2] = c / (n + 3);
	}
}

static double page_integral(const double k[6], double s, double a, double b)
{
	double h = (b - a + 1) / 2, m = (a + b) / 2, r2 = (h / m) * (h / m);
	double sum = 1 + r2 * (k[0] + r2 * (k[1] + r2 * (k[2] + r2 * (k[3] + r2 * (k[4] +
										 r2 * k[5])))));

	return 2 * h * pow(m, -s) * sum;
}

/* Every page has the same mass. */
static bool is_flat(const struct wss *w)
{
	return w->pattern == PATTERN_UNIFORM || w->pattern == PATTERN_SEQUENTIAL ||
	       (w->pattern == PATTERN_ZIPF && w->zipf_s == 0);
}

/* The mass of the page holding ranks page_ranks*d.. of the full set. */
static double rank_mass(const struct wss *w, uint32_t d)
{
	double g = w->page_ranks, lo = (double)d * g, hot;

	if (w->pattern == PATTERN_ZIPF) {
		if (g == 1)
			return pow(lo + 1, -w->zipf_s) / w->zipf_norm;
		if (lo >= ZIPF_EXACT)
			return page_integral(w->zipf_series, w->zipf_s, lo + 1, lo + g) /
			       w->zipf_norm;
		if (d < w->n_head)
			return w->zipf_head[d];
		return power_sum(w->zipf_s, lo + 1, lo + g) / w->zipf_norm;
	}
	/* Hot-cold: the page's hot ranks and cold ranks. */
	hot = w->hot_ranks > lo ? fmin(g, w->hot_ranks - lo) : 0.0;
	return hot * w->hot_probability / w->hot_ranks +
	       (g - hot) * (1.0 - w->hot_probability) / (w->ranks - w->hot_ranks);
}

double wss_page_mass(const struct wss *w, uint32_t d)
{
	if (!w->pages || d >= w->pages)
		return 0.0;
	if (is_flat(w))
		return 1.0 / w->pages;
	if (w->rank)
		return rank_mass(w, wss_rank_of(w->rank, d)) / w->sampled_mass;
	return rank_mass(w, d);
}

double wss_page_rate(const struct wss *w, uint32_t d)
{
	return w->rate * wss_page_mass(w, d);
}

/* --- the miss sampler: integer weights in a Fenwick tree of blocks ---- */

static uint64_t weight_of_mass(double m)
{
	uint64_t x = (uint64_t)(m * WEIGHT_ONE);

	return x ? x : m > 0;
}

static uint64_t weight(const struct wss *w, uint32_t d)
{
	return weight_of_mass(wss_page_mass(w, d));
}

/* weight(), remembered (set_pattern forgets: weights are set by the
 * pattern and the page alone). */
static uint64_t weight_memo(struct wss *w, uint32_t d)
{
	unsigned k = d & 1;

	if (w->memo_page[k] != d + 1) {
		w->memo_weight[k] = weight(w, d);
		w->memo_page[k] = d + 1;
	}
	return w->memo_weight[k];
}

/* The pages of block b that belong to the set. */
static uint64_t block_mask(const struct wss *w, uint32_t b)
{
	uint32_t left = w->pages - b * 64;

	return left >= 64 ? ~0ULL : (1ULL << left) - 1;
}

static void tree_add(struct wss *w, uint32_t b, uint64_t delta)
{
	uint32_t i;

	for (i = b + 1; i <= w->n_blocks; i += i & (~i + 1))
		w->tree[i - 1] += delta;
}

/* The block that holds weight offset *u; *u becomes the offset within it. */
static uint32_t tree_find(const struct wss *w, uint64_t *u)
{
	uint32_t pos = 0, step;

	for (step = w->tree_step; step; step /= 2)
		if (pos + step <= w->n_blocks && w->tree[pos + step - 1] <= *u) {
			pos += step;
			*u -= w->tree[pos - 1];
		}
	return pos;
}

/* Sums the weights of the pages that are not fast, block by block; mass,
 * if not NULL, holds each page's mass over the full set (as rank_mass),
 * so that none is computed twice. */
static void rebuild(struct wss *w, const double *mass)
{
	uint32_t nb = (w->pages + 63) / 64, b, i;

	if (nb > w->cap_blocks) {
		w->tree = xrealloc(w->tree, (size_t)nb * sizeof(*w->tree));
		w->cap_blocks = nb;
	}
	w->n_blocks = nb;
	for (w->tree_step = 1; w->tree_step * 2 <= nb; w->tree_step *= 2)
		;
	w->slow_weight = w->total_weight = 0;
	for (b = 0; b < nb; b++) {
		uint64_t all = block_mask(w, b), slow = all & ~w->fast[b], sum = 0;

		if (is_flat(w)) {
			uint64_t x = weight(w, 0);

			sum = x * (uint64_t)__builtin_popcountll(slow);
			w->total_weight += x * (uint64_t)__builtin_popcountll(all);
		} else {
			for (i = 0; i < 64 && (all >> i); i++) {
				uint64_t x = mass ? weight_of_mass(mass[b * 64 + i] / w->sampled_mass)
						  : weight(w, b * 64 + i);

				w->total_weight += x;
				if ((slow >> i) & 1)
					sum += x;
			}
		}
		w->tree[b] = sum;
		w->slow_weight += sum;
	}
	/* Each node adds itself to its parent: the tree in O(blocks). */
	for (i = 1; i <= nb; i++) {
		uint32_t up = i + (i & (~i + 1));

		if (up <= nb)
			w->tree[up - 1] += w->tree[i - 1];
	}
}

void wss_track(struct wss *w, const uint64_t *fast)
{
	w->fast = fast;
	if (fast)
		rebuild(w, w->start_mass);
	free(w->start_mass);
	w->start_mass = NULL;
}

void wss_release(struct wss *w)
{
	free(w->zipf_head);
	w->zipf_head = NULL;
	w->n_head = 0;
	free(w->start_mass);
	w->start_mass = NULL;
	free(w->tree);
	w->tree = NULL;
	w->fast = NULL;
	w->n_blocks = w->cap_blocks = 0;
}

void wss_fast_set(struct wss *w, uint32_t d)
{
	uint64_t x;

	if (!w->fast || d >= w->pages)
		return;
	x = weight_memo(w, d);
	w->slow_weight -= x;
	tree_add(w, d / 64, ~x + 1);
}

void wss_fast_clear(struct wss *w, uint32_t d)
{
	uint64_t x;

	if (!w->fast || d >= w->pages)
		return;
	x = weight_memo(w, d);
	w->slow_weight += x;
	tree_add(w, d / 64, x);
}

static bool page_is_fast(const struct wss *w, uint32_t d)
{
	return (w->fast[d / 64] >> (d % 64)) & 1;
}

/* The k-th (from 0) set bit of x. */
static unsigned select_bit(uint64_t x, unsigned k)
{
	while (k--)
		x &= x - 1;
	return (unsigned)__builtin_ctzll(x);
}

/* A page that is not fast, drawn in proportion to its weight. */
static uint32_t draw_slow(struct wss *w, gsl_rng *r)
{
	uint64_t u = (uint64_t)(gsl_rng_uniform(r) * (double)w->slow_weight), cand, top;
	uint32_t b, d, first;
	unsigned n;
	bool steep;

	if (u >= w->slow_weight)
		u = w->slow_weight - 1;
	b = tree_find(w, &u);
	cand = b < w->n_blocks ? block_mask(w, b) & ~w->fast[b] : 0;
	if (!cand)
		SIM_BUG("block %u has weight but no page that is not fast", b);
	n = (unsigned)__builtin_popcountll(cand);
	if (is_flat(w))
		return b * 64 + select_bit(cand, (unsigned)gsl_rng_uniform_int(r, n));
	/* Weights are monotone in rank, so the largest is at an end: the first
	 * for zipf, either for hot-cold. */
	first = b * 64 + (uint32_t)__builtin_ctzll(cand);
	top = weight_memo(w, first);
	steep = w->pattern == PATTERN_ZIPF && b == 0;
	if (w->pattern == PATTERN_HOTCOLD) {
		uint64_t last = weight_memo(w, b * 64 + 63 - (uint32_t)__builtin_clzll(cand));

		steep = top / 4 > last || last / 4 > top;
		top = last > top ? last : top;
	}
	/* Where weights fall steeply (zipf's first block, hot-cold's border)
	 * rejection would mostly reject: walk to the offset u instead. */
	for (; steep && cand; cand &= cand - 1) {
		uint64_t x;

		d = b * 64 + (uint32_t)__builtin_ctzll(cand);
		x = weight_memo(w, d);
		if (u < x)
			return d;
		u -= x;
	}
	if (steep)
		SIM_BUG("block %u holds less weight than its tree says", b);
	for (;;) {
		d = b * 64 + select_bit(cand, (unsigned)gsl_rng_uniform_int(r, n));
		u = (uint64_t)(gsl_rng_uniform(r) * (double)top);
		if (u < (d == first ? top : weight_memo(w, d)))
			return d;
	}
}

/* Trials up to and including the first success of probability p. */
static uint64_t geometric(gsl_rng *r, double p)
{
	double x;

	if (p >= 1.0)
		return 1;
	x = floor(log(gsl_rng_uniform_pos(r)) / log1p(-p)) + 1.0;
	return x < 0x1p63 ? (uint64_t)x : UINT64_MAX;
}

/* The first page from `from` on, wrapping, that is not fast; pages if none. */
static uint32_t next_slow(const struct wss *w, uint32_t from)
{
	uint32_t pass, b, lo = from;

	for (pass = 0; pass < 2; pass++, lo = 0) {
		for (b = lo / 64; b < w->n_blocks; b++) {
			uint64_t slow = block_mask(w, b) & ~w->fast[b];

			if (b == lo / 64)
				slow &= ~0ULL << (lo % 64);
			if (slow)
				return b * 64 + (uint32_t)__builtin_ctzll(slow);
		}
	}
	return w->pages;
}

/* A scan's lap in 4 KiB ranks: the simulated pages' (a sampled scan
 * passes only its own pages). */
static uint64_t scan_lap(const struct wss *w)
{
	return (uint64_t)w->pages * w->page_ranks;
}

/* A scan's next slow touch: the next access to a page that is not fast. */
static uint64_t scan_gap(struct wss *w, uint64_t max, uint32_t *d)
{
	uint64_t g = w->page_ranks, pos = w->scan_pos, lap = scan_lap(w), first, gap;
	uint32_t p = (uint32_t)(pos / g), q;

	if (!page_is_fast(w, p)) {
		*d = p;
		return 1;
	}
	q = next_slow(w, p + 1 < w->pages ? p + 1 : 0);
	if (q == w->pages)
		return 0;
	first = (uint64_t)q * g;
	gap = (first > pos ? first - pos : first + lap - pos) + 1;
	if (gap > max)
		return 0;
	*d = q;
	return gap;
}

uint64_t wss_gap(struct wss *w, gsl_rng *r, uint64_t max, uint32_t *d)
{
	uint64_t g;

	if (!w->fast)
		SIM_BUG("wss_gap on a working set that is not tracked");
	if (!max || !w->pages)
		return 0;
	if (w->pattern == PATTERN_SEQUENTIAL)
		return scan_gap(w, max, d);
	if (!w->slow_weight)
		return 0;
	g = geometric(r, (double)w->slow_weight / (double)w->total_weight);
	if (g > max)
		return 0;
	*d = draw_slow(w, r);
	return g;
}

void wss_advance(struct wss *w, uint64_t k)
{
	if (w->pattern == PATTERN_SEQUENTIAL && w->pages)
		w->scan_pos = (w->scan_pos + k % scan_lap(w)) % scan_lap(w);
}

/* --- the pattern of a phase ------------------------------------------- */

void wss_set(struct wss *w, const struct phase *p, uint32_t pages)
{
	wss_set_granule(w, p, pages, 1);
}

/* The pattern of phase p over pages pages of page_ranks ranks, untracked. */
static void set_pattern(struct wss *w, const struct phase *p, uint32_t pages, uint32_t page_ranks)
{
	uint64_t pos = w->scan_pos;
	const uint64_t *fast = w->fast;
	uint64_t *tree = w->tree;
	uint32_t cap = w->cap_blocks, d;

	free(w->zipf_head);
	free(w->start_mass);
	*w = (struct wss){0};
	w->pattern = p->pattern;
	w->rate = p->rate;
	w->writes = p->writes;
	w->skew = p->skew;
	w->hot_probability = p->hot_probability;
	w->pages = pages;
	w->page_ranks = page_ranks ? page_ranks : 1;
	w->ranks = (double)pages * w->page_ranks;
	w->scan_pos = pages ? pos % (uint64_t)w->ranks : 0;
	w->sampled_mass = 1.0;
	if (p->pattern == PATTERN_HOTCOLD) {
		double hot = floor(p->hot_fraction * w->ranks + 0.5);

		w->hot_ranks = hot > w->ranks ? w->ranks : hot;
		/* With no hot or no cold pages every touch falls on the one part
		 * left, evenly: that is a uniform pattern. */
		if (w->hot_ranks == 0 || w->hot_ranks == w->ranks)
			w->pattern = PATTERN_UNIFORM;
	}
	if (p->pattern == PATTERN_ZIPF && pages) {
		w->zipf_s = p->skew;
		w->zipf_norm = power_sum(p->skew, 1, w->ranks);
		page_integral_init(p->skew, w->zipf_series);
		/* Pages that hold ranks summed term by term: theirs, once. */
		if (w->page_ranks > 1) {
			uint32_t n = (uint32_t)ceil(ZIPF_EXACT / w->page_ranks);
			double *head = xmalloc(n * sizeof(*head));

			for (d = 0; d < n && d < pages; d++)
				head[d] = wss_page_mass(w, d);
			w->zipf_head = head;
			w->n_head = d;
		}
	}
	w->fast = fast;
	w->tree = tree;
	w->cap_blocks = cap;
}

void wss_set_granule(struct wss *w, const struct phase *p, uint32_t pages, uint32_t page_ranks)
{
	set_pattern(w, p, pages, page_ranks);
	if (w->fast)
		rebuild(w, NULL);
}

void wss_set_sampled(struct wss *w, const struct phase *p, uint32_t full_pages,
		     const struct wss_ranks *rank, uint32_t n)
{
	uint64_t pos = w->scan_pos;
	double mass = 0, *each = NULL;
	uint32_t j;

	set_pattern(w, p, full_pages, 1);
	/* Masses over the full set, summed over the sampled pages (a flat
	 * pattern's are all 1/full_pages); kept for the weights, now or when
	 * the set is tracked. */
	if (is_flat(w)) {
		mass = full_pages ? (double)n / full_pages : 0.0;
	} else {
		each = n ? xmalloc((size_t)n * sizeof(*each)) : NULL;
		for (j = 0; j < n; j++) {
			double m = rank_mass(w, wss_rank_of(rank, j));

			if (each)
				each[j] = m;
			mass += m;
		}
	}
	w->rank = rank;
	w->pages = n;
	w->sampled_mass = mass > 0 ? mass : 1.0;
	w->rate = p->rate * mass;
	w->scan_pos = n ? pos % n : 0;
	if (w->fast)
		rebuild(w, each);
	if (w->fast)
		free(each);
	else
		w->start_mass = each;
}

uint64_t wss_touches(const struct wss *w, gsl_rng *r, int64_t tick_ns)
{
	double x = w->rate * (double)tick_ns / 1e9;
	double whole = floor(x);

	if (!w->pages || !(x > 0))
		return 0;
	return (uint64_t)whole + (gsl_rng_uniform(r) < x - whole);
}
