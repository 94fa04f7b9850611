/*
 * tests/check_wss.c - access patterns: zipf draws follow k^-skew on their range, page rates
 * are the rate times each page's exact probability, dense ticks visit each page at most once
 * with probability 1 - exp(-n q), sparse ticks draw n touches, and the zipf tail past known
 * hits keeps its exact mass.  Expected values are computed here from the formulas; counts are
 * checked per bin against binomial bounds of five standard deviations.
 */
#include <check.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"
#include "suites.h"
#include "wss.h"

/* ck_assert writes a mark point per call, even on success; hot loops test first. */
#define REQUIRE(cond, ...) \
	do { \
		if (!(cond)) \
			ck_abort_msg(__VA_ARGS__); \
	} while (0)

#define SIGMAS 5.0

/* A working set of pages pages under one phase; scan_pos starts at zero. */
static struct wss make(enum pattern pattern, double skew, double hot_fraction,
		       double hot_probability, double rate, uint32_t pages)
{
	struct phase p = {
		.pattern = pattern,
		.skew = skew,
		.hot_fraction = hot_fraction,
		.hot_probability = hot_probability,
		.rate = rate,
	};
	struct wss w;

	memset(&w, 0, sizeof(w));
	wss_set(&w, &p, pages);
	return w;
}

/* Sum of k^-s for k = lo..hi, smallest terms first. */
static double power_sum(double s, uint32_t lo, uint32_t hi)
{
	double sum = 0;
	uint32_t k;

	for (k = hi; k >= lo && k > 0; k--)
		sum += pow((double)k, -s);
	return sum;
}

/* Asserts a count of n Bernoulli(p) trials lies within SIGMAS standard deviations. */
static void binomial_is(const char *what, double count, double n, double p)
{
	double mean = n * p, sd = sqrt(n * p * (1.0 - p));

	REQUIRE(fabs(count - mean) <= SIGMAS * sd + 1e-9,
		"%s: %.0f, want %.1f +- %.1f (n %.0f, p %.6g)", what, count, mean, SIGMAS * sd,
		n, p);
}

/* Visit recorder: counts per page, visits this draw, and a repeat check. */
struct rec {
	uint32_t pages;
	uint64_t *count;                /* visits per page, over all draws */
	uint32_t *last;                 /* draw number + 1 of each page's last visit */
	uint32_t draw;                  /* the current draw, from 1 */
	uint64_t visits;                /* in this draw */
	uint64_t repeats;               /* pages visited twice within one draw */
	uint64_t out_of_range;
	uint32_t seq[64];               /* the first visits of this draw, in order */
};

static void rec_init(struct rec *rc, uint32_t pages)
{
	memset(rc, 0, sizeof(*rc));
	rc->pages = pages;
	rc->count = calloc(pages, sizeof(*rc->count));
	rc->last = calloc(pages, sizeof(*rc->last));
	ck_assert(rc->count && rc->last);
}

static void rec_free(struct rec *rc)
{
	free(rc->count);
	free(rc->last);
}

static void rec_next(struct rec *rc)
{
	rc->draw++;
	rc->visits = 0;
}

static void record(void *ctx, uint32_t page)
{
	struct rec *rc = ctx;

	if (rc->visits < 64)
		rc->seq[rc->visits] = page;
	rc->visits++;
	if (page >= rc->pages) {
		rc->out_of_range++;
		return;
	}
	rc->count[page]++;
	if (rc->last[page] == rc->draw)
		rc->repeats++;
	rc->last[page] = rc->draw;
}

/* --- zipf draws ------------------------------------------------------------------------ */

static const struct {
	double skew;
	uint32_t from;
} zipf_cases[] = {
	{0.8, 1}, {1.2, 1}, {0.8, 50}, {1.2, 50},
};

/*
 * 10^6 draws over 1000 pages: the first five ranks of the range one by one, then four
 * buckets up to the last page, each against its exact probability k^-s / sum_{from..pages}.
 * So many because the natural mistake, accepting every draw of the continuous hat, moves
 * rank 2 by only 3% at skew 1.2 (to the hat's integral over 1.5..2.5), 4.5 sd at 200k draws
 * but about 8 sd here.
 */
START_TEST(zipf_draws_follow_k_to_the_minus_skew_on_from_to_pages)
{
	enum { PAGES = 1000, DRAWS = 1000000, N_BINS = 9 };
	double s = zipf_cases[_i].skew;
	uint32_t from = zipf_cases[_i].from;
	uint32_t lo[N_BINS + 1] = {from, from + 1, from + 2, from + 3, from + 4, from + 5,
				   from + 20, 200, 500, PAGES + 1};
	uint64_t count[N_BINS] = {0};
	struct wss w = make(PATTERN_ZIPF, s, 0, 0, 1, PAGES);
	gsl_rng *r = rng_stream(1, 0, RNG_TOUCHES, 7);
	double norm = power_sum(s, from, PAGES);
	int i, b;

	for (i = 0; i < DRAWS; i++) {
		uint32_t k = wss_zipf(&w, r, from);

		REQUIRE(k >= from && k <= PAGES, "draw %d: rank %u outside %u..%u", i, k, from,
			PAGES);
		for (b = 0; k >= lo[b + 1]; b++)
			;
		count[b]++;
	}
	for (b = 0; b < N_BINS; b++) {
		char what[64];

		snprintf(what, sizeof(what), "skew %.1f from %u: ranks %u..%u", s, from, lo[b],
			 lo[b + 1] - 1);
		binomial_is(what, (double)count[b], DRAWS,
			    power_sum(s, lo[b], lo[b + 1] - 1) / norm);
	}
	gsl_rng_free(r);
}
END_TEST

START_TEST(zipf_draw_from_the_last_page_returns_the_last_page)
{
	struct wss w = make(PATTERN_ZIPF, 0.9, 0, 0, 1, 300);
	gsl_rng *r = rng_stream(1, 0, RNG_TOUCHES, 7);
	int i;

	for (i = 0; i < 1000; i++) {
		uint32_t k = wss_zipf(&w, r, 300);

		REQUIRE(k == 300, "draw %d: rank %u, want 300", i, k);
	}
	gsl_rng_free(r);
}
END_TEST

/* --- page rates ------------------------------------------------------------------------ */

START_TEST(uniform_and_sequential_page_rate_is_rate_over_pages)
{
	struct wss u = make(PATTERN_UNIFORM, 0, 0, 0, 30, 1000);
	struct wss q = make(PATTERN_SEQUENTIAL, 0, 0, 0, 30, 1000);

	ck_assert_double_eq_tol(wss_page_rate(&u, 0), 0.03, 1e-15);
	ck_assert_double_eq_tol(wss_page_rate(&u, 999), 0.03, 1e-15);
	ck_assert_double_eq_tol(wss_page_rate(&q, 0), 0.03, 1e-15);
	ck_assert_double_eq_tol(wss_page_rate(&q, 517), 0.03, 1e-15);
}
END_TEST

START_TEST(page_rate_past_the_working_set_is_zero)
{
	struct wss u = make(PATTERN_UNIFORM, 0, 0, 0, 30, 1000);
	struct wss z = make(PATTERN_ZIPF, 1.1, 0, 0, 30, 1000);
	struct wss e = make(PATTERN_UNIFORM, 0, 0, 0, 30, 0);

	ck_assert(wss_page_rate(&u, 1000) == 0.0);
	ck_assert(wss_page_rate(&z, 1000) == 0.0);
	ck_assert(wss_page_rate(&z, UINT32_MAX) == 0.0);
	ck_assert(wss_page_rate(&e, 0) == 0.0);
}
END_TEST

/* Up to 256 pages the normalising sum is exact: every page's rate is rate (d+1)^-s / H. */
START_TEST(zipf_page_rate_is_exact_up_to_256_pages)
{
	static const uint32_t sizes[] = {1, 2, 37, 255, 256};
	static const double skews[] = {0.5, 1.0, 1.3};
	size_t i, j;
	uint32_t d;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		for (j = 0; j < sizeof(skews) / sizeof(skews[0]); j++) {
			struct wss w = make(PATTERN_ZIPF, skews[j], 0, 0, 12, sizes[i]);
			double h = power_sum(skews[j], 1, sizes[i]);

			for (d = 0; d < sizes[i]; d++) {
				double want = 12 * pow(d + 1.0, -skews[j]) / h;
				double got = wss_page_rate(&w, d);

				REQUIRE(fabs(got - want) <= 1e-12 * want,
					"pages %u skew %.1f page %u: rate %.17g, want %.17g",
					sizes[i], skews[j], d, got, want);
			}
		}
}
END_TEST

/*
 * Past 256 terms the sum is approximated by the midpoint rule, whose error on the tail is
 * about sum_{k>256} f''(k)/24 <= s 256^-(s+1) / 24, under 2e-6 for these skews, against a
 * sum above 1: a relative error far below the 1e-3 the model needs; 1e-5 is asserted.
 */
START_TEST(zipf_page_rate_for_100000_pages_is_within_1e_5_of_exact)
{
	static const double skews[] = {0.8, 1.0, 1.2};
	static const uint32_t probe[] = {0, 1, 255, 256, 4999, 99999};
	size_t i, j;

	for (i = 0; i < sizeof(skews) / sizeof(skews[0]); i++) {
		struct wss w = make(PATTERN_ZIPF, skews[i], 0, 0, 5, 100000);
		double h = power_sum(skews[i], 1, 100000);

		for (j = 0; j < sizeof(probe) / sizeof(probe[0]); j++) {
			double want = 5 * pow(probe[j] + 1.0, -skews[i]) / h;
			double got = wss_page_rate(&w, probe[j]);

			REQUIRE(fabs(got / want - 1.0) < 1e-5,
				"skew %.1f page %u: rate %.17g, want %.17g (rel. error %.3g)",
				skews[i], probe[j], got, want, got / want - 1.0);
		}
	}
}
END_TEST

/* hot_pages = round(hot_fraction * pages); the hot ones share hot_probability, cold the rest. */
START_TEST(hotcold_page_rate_splits_hot_probability_over_rounded_hot_pages)
{
	struct wss a = make(PATTERN_HOTCOLD, 0, 0.2, 0.8, 50, 1000);       /* 200 hot */
	struct wss b = make(PATTERN_HOTCOLD, 0, 0.25, 0.6, 10, 10);        /* 2.5 -> 3 hot */
	struct wss c = make(PATTERN_HOTCOLD, 0, 0.3, 0.9, 7, 7);           /* 2.1 -> 2 hot */

	ck_assert_double_eq_tol(wss_page_rate(&a, 0), 50 * 0.8 / 200, 1e-14);
	ck_assert_double_eq_tol(wss_page_rate(&a, 199), 50 * 0.8 / 200, 1e-14);
	ck_assert_double_eq_tol(wss_page_rate(&a, 200), 50 * 0.2 / 800, 1e-14);
	ck_assert_double_eq_tol(wss_page_rate(&a, 999), 50 * 0.2 / 800, 1e-14);
	ck_assert_double_eq_tol(wss_page_rate(&b, 2), 10 * 0.6 / 3, 1e-14);
	ck_assert_double_eq_tol(wss_page_rate(&b, 3), 10 * 0.4 / 7, 1e-14);
	ck_assert_double_eq_tol(wss_page_rate(&c, 1), 7 * 0.9 / 2, 1e-14);
	ck_assert_double_eq_tol(wss_page_rate(&c, 2), 7 * 0.1 / 5, 1e-14);
}
END_TEST

static double rate_sum(const struct wss *w)
{
	double sum = 0;
	uint32_t d;

	for (d = w->pages; d-- > 0;)
		sum += wss_page_rate(w, d);
	return sum;
}

START_TEST(page_rates_of_all_pages_sum_to_the_rate)
{
	struct wss u = make(PATTERN_UNIFORM, 0, 0, 0, 40, 1000);
	struct wss q = make(PATTERN_SEQUENTIAL, 0, 0, 0, 40, 333);
	struct wss h = make(PATTERN_HOTCOLD, 0, 0.1, 0.95, 40, 1000);
	struct wss z1 = make(PATTERN_ZIPF, 1.2, 0, 0, 40, 100);
	struct wss z2 = make(PATTERN_ZIPF, 0.8, 0, 0, 40, 100000);
	struct wss z0 = make(PATTERN_ZIPF, 0.0, 0, 0, 40, 1000);

	ck_assert_double_eq_tol(rate_sum(&u), 40, 1e-9);
	ck_assert_double_eq_tol(rate_sum(&q), 40, 1e-9);
	ck_assert_double_eq_tol(rate_sum(&h), 40, 1e-9);
	ck_assert_double_eq_tol(rate_sum(&z1), 40, 1e-9);
	ck_assert_double_eq_tol(rate_sum(&z2), 40, 40 * 1e-5);
	ck_assert_double_eq_tol(rate_sum(&z0), 40, 1e-9);
}
END_TEST

/*
 * OPEN BUG: when round(hot_fraction * pages) == pages there are no cold pages, and the cold
 * share 1 - hot_probability of the rate is lost: the page rates sum to rate * hot_probability.
 * (wss_sparse_next sends every touch to the hot part instead, so the two disagree.)
 */
START_TEST(hotcold_without_cold_pages_keeps_the_whole_rate)
{
	struct wss all = make(PATTERN_HOTCOLD, 0, 1.0, 0.8, 40, 100);
	struct wss five = make(PATTERN_HOTCOLD, 0, 0.9, 0.8, 40, 5);        /* 4.5 -> 5 hot */

	ck_assert_double_eq_tol(rate_sum(&all), 40, 1e-9);
	ck_assert_double_eq_tol(rate_sum(&five), 40, 1e-9);
}
END_TEST

/* --- touches per tick ------------------------------------------------------------------ */

START_TEST(touches_are_floor_or_ceiling_of_rate_times_tick_with_that_mean)
{
	enum { N = 100000 };
	struct wss w = make(PATTERN_UNIFORM, 0, 0, 0, 2.5, 1000);
	gsl_rng *r = rng_stream(1, 0, RNG_TOUCHES, 7);
	uint64_t threes = 0;
	int i;

	for (i = 0; i < N; i++) {
		uint64_t n = wss_touches(&w, r, 1000000000);

		REQUIRE(n == 2 || n == 3, "draw %d: %llu touches at 2.5/s over 1 s", i,
			(unsigned long long)n);
		threes += n == 3;
	}
	/* The mean is 2 + P(3) = 2.5. */
	binomial_is("ticks with 3 touches", (double)threes, N, 0.5);
	/* 2.5/s over 400 ms is exactly one touch. */
	for (i = 0; i < 100; i++)
		REQUIRE(wss_touches(&w, r, 400000000) == 1, "400 ms tick: not one touch");
	gsl_rng_free(r);
}
END_TEST

START_TEST(touches_are_zero_at_rate_zero_or_without_pages)
{
	struct wss idle = make(PATTERN_UNIFORM, 0, 0, 0, 0, 1000);
	struct wss empty = make(PATTERN_UNIFORM, 0, 0, 0, 1e6, 0);
	gsl_rng *r = rng_stream(1, 0, RNG_TOUCHES, 7);
	int i;

	for (i = 0; i < 1000; i++) {
		REQUIRE(wss_touches(&idle, r, 1000000000) == 0, "rate 0 gave touches");
		REQUIRE(wss_touches(&empty, r, 1000000000) == 0, "no pages gave touches");
	}
	gsl_rng_free(r);
}
END_TEST

/* --- regimes --------------------------------------------------------------------------- */

START_TEST(sparse_means_fewer_touches_than_pages_and_never_a_scan)
{
	struct wss u = make(PATTERN_UNIFORM, 0, 0, 0, 1, 100);
	struct wss z = make(PATTERN_ZIPF, 1, 0, 0, 1, 100);
	struct wss h = make(PATTERN_HOTCOLD, 0, 0.2, 0.8, 1, 100);
	struct wss q = make(PATTERN_SEQUENTIAL, 0, 0, 0, 1, 100);

	ck_assert(wss_is_sparse(&u, 0));
	ck_assert(wss_is_sparse(&u, 99));
	ck_assert(!wss_is_sparse(&u, 100));
	ck_assert(wss_is_sparse(&z, 99));
	ck_assert(!wss_is_sparse(&z, 100));
	ck_assert(wss_is_sparse(&h, 99));
	ck_assert(!wss_is_sparse(&h, 1000));
	ck_assert(!wss_is_sparse(&q, 1));
}
END_TEST

/* pages 100, n 150: each page is visited in a draw with p = 1 - e^-1.5, at most once. */
START_TEST(dense_uniform_visits_each_page_at_most_once_with_p_1_minus_exp)
{
	enum { PAGES = 100, N = 150, R = 20000 };
	struct wss w = make(PATTERN_UNIFORM, 0, 0, 0, 1, PAGES);
	gsl_rng *r = rng_stream(1, 0, RNG_TOUCHES, 7);
	double p = -expm1(-(double)N / PAGES);
	struct rec rc;
	uint32_t d;
	int i;

	rec_init(&rc, PAGES);
	for (i = 0; i < R; i++) {
		rec_next(&rc);
		wss_draw(&w, r, N, 0, record, &rc);
	}
	ck_assert_uint_eq(rc.repeats, 0);
	ck_assert_uint_eq(rc.out_of_range, 0);
	for (d = 0; d < PAGES; d++) {
		char what[32];

		snprintf(what, sizeof(what), "visits of page %u", d);
		binomial_is(what, (double)rc.count[d], R, p);
	}
	rec_free(&rc);
	gsl_rng_free(r);
}
END_TEST

/* pages 1000, n 2000: 1000 (1 - e^-2) visits a draw, the sum of 1000 independent pages. */
START_TEST(dense_uniform_total_visits_are_pages_times_1_minus_exp)
{
	enum { PAGES = 1000, N = 2000, R = 200 };
	struct wss w = make(PATTERN_UNIFORM, 0, 0, 0, 1, PAGES);
	gsl_rng *r = rng_stream(1, 0, RNG_TOUCHES, 7);
	struct rec rc;
	uint64_t total = 0;
	int i;

	rec_init(&rc, PAGES);
	for (i = 0; i < R; i++) {
		rec_next(&rc);
		wss_draw(&w, r, N, 0, record, &rc);
		total += rc.visits;
	}
	ck_assert_uint_eq(rc.repeats, 0);
	binomial_is("total visits", (double)total, (double)R * PAGES, 1.0 - exp(-2.0));
	rec_free(&rc);
	gsl_rng_free(r);
}
END_TEST

/* n = 30 pages: a page is missed with probability e^-30, so every page is visited once. */
START_TEST(dense_uniform_far_above_pages_visits_every_page_once)
{
	struct wss w = make(PATTERN_UNIFORM, 0, 0, 0, 1, 100);
	gsl_rng *r = rng_stream(1, 0, RNG_TOUCHES, 7);
	struct rec rc;
	uint32_t d;

	rec_init(&rc, 100);
	rec_next(&rc);
	wss_draw(&w, r, 3000, 0, record, &rc);
	ck_assert_uint_eq(rc.visits, 100);
	for (d = 0; d < 100; d++)
		ck_assert_uint_eq(rc.count[d], 1);
	rec_free(&rc);
	gsl_rng_free(r);
}
END_TEST

/* zipf 1.2 over 100 pages, n 200: page k-1 is visited with p = 1 - exp(-n k^-s / H). */
START_TEST(dense_zipf_visits_each_page_at_most_once_with_p_1_minus_exp)
{
	enum { PAGES = 100, N = 200, R = 4000 };
	const double s = 1.2;
	struct wss w = make(PATTERN_ZIPF, s, 0, 0, 1, PAGES);
	gsl_rng *r = rng_stream(1, 0, RNG_TOUCHES, 7);
	double h = power_sum(s, 1, PAGES), tail_mean = 0, tail_var = 0;
	uint64_t tail = 0;
	struct rec rc;
	uint32_t d;
	int i;

	rec_init(&rc, PAGES);
	for (i = 0; i < R; i++) {
		rec_next(&rc);
		wss_draw(&w, r, N, 0, record, &rc);
	}
	ck_assert_uint_eq(rc.repeats, 0);
	ck_assert_uint_eq(rc.out_of_range, 0);
	for (d = 0; d < 5; d++) {
		char what[32];

		snprintf(what, sizeof(what), "visits of page %u", d);
		binomial_is(what, (double)rc.count[d], R, -expm1(-N * pow(d + 1.0, -s) / h));
	}
	/* Pages 50..99 together: a sum of independent Bernoullis. */
	for (d = 50; d < PAGES; d++) {
		double p = -expm1(-N * pow(d + 1.0, -s) / h);

		tail += rc.count[d];
		tail_mean += R * p;
		tail_var += R * p * (1 - p);
	}
	REQUIRE(fabs((double)tail - tail_mean) <= SIGMAS * sqrt(tail_var),
		"visits of pages 50..99: %llu, want %.1f +- %.1f", (unsigned long long)tail,
		tail_mean, SIGMAS * sqrt(tail_var));
	rec_free(&rc);
	gsl_rng_free(r);
}
END_TEST

/*
 * OPEN BUG: in the dense regime (n >= pages) the header promises each page at most one
 * visit, but hot-cold splits the touches and draws a part touch by touch when it gets fewer
 * touches than pages: pages 1000, hot 200 at 0.8, n 1000 gives the 800 cold pages ~200
 * touches drawn one by one, so some cold page is visited twice in almost every draw.
 */
START_TEST(dense_hotcold_visits_each_page_at_most_once)
{
	struct wss w = make(PATTERN_HOTCOLD, 0, 0.2, 0.8, 1, 1000);
	gsl_rng *r = rng_stream(1, 0, RNG_TOUCHES, 7);
	struct rec rc;
	int i;

	rec_init(&rc, 1000);
	for (i = 0; i < 10; i++) {
		rec_next(&rc);
		wss_draw(&w, r, 1000, 0, record, &rc);
	}
	ck_assert_uint_eq(rc.repeats, 0);
	rec_free(&rc);
	gsl_rng_free(r);
}
END_TEST

/* n < pages: exactly n visits, spread evenly over blocks of 100 pages and over pages. */
START_TEST(sparse_uniform_makes_exactly_n_visits_spread_evenly)
{
	enum { PAGES = 1000, N = 500, R = 200 };
	struct wss w = make(PATTERN_UNIFORM, 0, 0, 0, 1, PAGES);
	gsl_rng *r = rng_stream(1, 0, RNG_TOUCHES, 7);
	struct rec rc;
	uint32_t b, d;
	int i;

	rec_init(&rc, PAGES);
	for (i = 0; i < R; i++) {
		rec_next(&rc);
		wss_draw(&w, r, N, 0, record, &rc);
		REQUIRE(rc.visits == N, "draw %d: %llu visits, want %d", i,
			(unsigned long long)rc.visits, N);
		rec_next(&rc);
		wss_draw(&w, r, 1, 0, record, &rc);
		REQUIRE(rc.visits == 1, "draw %d: %llu visits of one touch", i,
			(unsigned long long)rc.visits);
	}
	ck_assert_uint_eq(rc.out_of_range, 0);
	for (b = 0; b < 10; b++) {
		uint64_t c = 0;
		char what[32];

		for (d = b * 100; d < b * 100 + 100; d++)
			c += rc.count[d];
		snprintf(what, sizeof(what), "visits of pages %u..%u", b * 100, b * 100 + 99);
		binomial_is(what, (double)c, (double)R * (N + 1), 0.1);
	}
	/* And every page, the first and the last among them, about 100 times. */
	for (d = 0; d < PAGES; d++) {
		char what[32];

		snprintf(what, sizeof(what), "visits of page %u", d);
		binomial_is(what, (double)rc.count[d], (double)R * (N + 1), 1.0 / PAGES);
	}
	rec_free(&rc);
	gsl_rng_free(r);
}
END_TEST

/* A scan of 10 pages: each tick continues where the last stopped, one lap at most. */
START_TEST(sequential_visits_consecutive_pages_from_where_the_last_tick_stopped)
{
	static const struct {
		uint64_t n;
		uint32_t visits;
		uint32_t first;
	} ticks[] = {
		{3, 3, 0},              /* 0 1 2 */
		{4, 4, 3},              /* 3 4 5 6 */
		{5, 5, 7},              /* 7 8 9 0 1 */
		{25, 10, 2},            /* one lap from 2; 15 more touches move the scan to 7 */
		{1, 1, 7},
		{0, 0, 8},
		{1, 1, 8},
	};
	struct wss w = make(PATTERN_SEQUENTIAL, 0, 0, 0, 1, 10);
	gsl_rng *r = rng_stream(1, 0, RNG_TOUCHES, 7);
	struct rec rc;
	size_t t;
	uint32_t j;

	rec_init(&rc, 10);
	for (t = 0; t < sizeof(ticks) / sizeof(ticks[0]); t++) {
		rec_next(&rc);
		wss_draw(&w, r, ticks[t].n, 3, record, &rc);
		REQUIRE(rc.visits == ticks[t].visits, "tick %zu: %llu visits, want %u", t,
			(unsigned long long)rc.visits, ticks[t].visits);
		for (j = 0; j < ticks[t].visits; j++)
			REQUIRE(rc.seq[j] == (ticks[t].first + j) % 10,
				"tick %zu visit %u: page %u, want %u", t, j, rc.seq[j],
				(ticks[t].first + j) % 10);
	}
	ck_assert_uint_eq(rc.repeats, 0);
	rec_free(&rc);
	gsl_rng_free(r);
}
END_TEST

/* --- known hits ------------------------------------------------------------------------ */

/*
 * zipf 0.8 over 1000 pages with pages 0..9 known hits, n 500 (sparse): no visit below page
 * 10; the visits of page d are Binomial(R n, (d+1)^-s / H), and so is their total with the
 * tail mass sum_{k>10} k^-s / H.
 */
START_TEST(sparse_zipf_past_known_hits_visits_only_the_tail_with_its_mass)
{
	enum { PAGES = 1000, K = 10, N = 500, R = 400 };
	const double s = 0.8;
	struct wss w = make(PATTERN_ZIPF, s, 0, 0, 1, PAGES);
	gsl_rng *r = rng_stream(1, 0, RNG_TOUCHES, 7);
	double h = power_sum(s, 1, PAGES), touches = (double)R * N;
	uint64_t total = 0, far = 0;
	struct rec rc;
	uint32_t d;
	int i;

	rec_init(&rc, PAGES);
	for (i = 0; i < R; i++) {
		rec_next(&rc);
		wss_draw(&w, r, N, K, record, &rc);
		total += rc.visits;
	}
	ck_assert_uint_eq(rc.out_of_range, 0);
	for (d = 0; d < K; d++)
		REQUIRE(rc.count[d] == 0, "page %u below the known hits visited %llu times", d,
			(unsigned long long)rc.count[d]);
	binomial_is("visits past the hits", (double)total, touches,
		    power_sum(s, K + 1, PAGES) / h);
	binomial_is("visits of page 10", (double)rc.count[K], touches, pow(K + 1.0, -s) / h);
	binomial_is("visits of page 11", (double)rc.count[K + 1], touches, pow(K + 2.0, -s) / h);
	for (d = 500; d < PAGES; d++)
		far += rc.count[d];
	binomial_is("visits of pages 500..999", (double)far, touches, power_sum(s, 501, PAGES) / h);
	rec_free(&rc);
	gsl_rng_free(r);
}
END_TEST

/* Dense (n 300 >= 100 pages), pages 0..4 known: page d >= 5 visited with 1 - exp(-n q). */
START_TEST(dense_zipf_past_known_hits_skips_them_and_keeps_each_page_probability)
{
	enum { PAGES = 100, K = 5, N = 300, R = 4000 };
	const double s = 1.2;
	struct wss w = make(PATTERN_ZIPF, s, 0, 0, 1, PAGES);
	gsl_rng *r = rng_stream(1, 0, RNG_TOUCHES, 7);
	double h = power_sum(s, 1, PAGES);
	struct rec rc;
	uint32_t d;
	int i;

	rec_init(&rc, PAGES);
	for (i = 0; i < R; i++) {
		rec_next(&rc);
		wss_draw(&w, r, N, K, record, &rc);
	}
	ck_assert_uint_eq(rc.repeats, 0);
	for (d = 0; d < K; d++)
		ck_assert_uint_eq(rc.count[d], 0);
	for (d = K; d < K + 3; d++) {
		char what[32];

		snprintf(what, sizeof(what), "visits of page %u", d);
		binomial_is(what, (double)rc.count[d], R, -expm1(-N * pow(d + 1.0, -s) / h));
	}
	binomial_is("visits of page 99", (double)rc.count[99], R, -expm1(-N * pow(100.0, -s) / h));
	rec_free(&rc);
	gsl_rng_free(r);
}
END_TEST

START_TEST(known_hits_covering_the_set_leave_nothing_to_visit)
{
	struct wss w = make(PATTERN_ZIPF, 0.9, 0, 0, 1, 100);
	gsl_rng *r = rng_stream(1, 0, RNG_TOUCHES, 7);
	struct rec rc;

	rec_init(&rc, 100);
	rec_next(&rc);
	wss_draw(&w, r, 50, 100, record, &rc);
	wss_draw(&w, r, 5000, 100, record, &rc);
	ck_assert_uint_eq(rc.visits, 0);
	ck_assert_uint_eq(wss_sparse_count(&w, r, 50, 100), 0);
	rec_free(&rc);
	gsl_rng_free(r);
}
END_TEST

/* --- the sparse interface -------------------------------------------------------------- */

START_TEST(sparse_count_is_n_for_uniform_hotcold_and_zipf_without_hits)
{
	struct wss u = make(PATTERN_UNIFORM, 0, 0, 0, 1, 1000);
	struct wss h = make(PATTERN_HOTCOLD, 0, 0.2, 0.8, 1, 1000);
	struct wss z = make(PATTERN_ZIPF, 1.1, 0, 0, 1, 1000);
	gsl_rng *r = rng_stream(1, 0, RNG_TOUCHES, 7);

	ck_assert_uint_eq(wss_sparse_count(&u, r, 777, 0), 777);
	ck_assert_uint_eq(wss_sparse_count(&u, r, 777, 300), 777);
	ck_assert_uint_eq(wss_sparse_count(&h, r, 321, 0), 321);
	ck_assert_uint_eq(wss_sparse_count(&h, r, 321, 50), 321);
	ck_assert_uint_eq(wss_sparse_count(&z, r, 999, 0), 999);
	gsl_rng_free(r);
}
END_TEST

static const double tail_skews[] = {0.8, 1.2};

/* The count past K = 10 known hits is Binomial(n, tail mass): its mean over R ticks. */
START_TEST(sparse_count_past_known_hits_has_mean_n_times_the_tail_mass)
{
	enum { PAGES = 1000, K = 10, N = 500, R = 2000 };
	double s = tail_skews[_i];
	struct wss w = make(PATTERN_ZIPF, s, 0, 0, 1, PAGES);
	gsl_rng *r = rng_stream(1, 0, RNG_TOUCHES, 7);
	uint64_t total = 0;
	int i;

	for (i = 0; i < R; i++) {
		uint64_t c = wss_sparse_count(&w, r, N, K);

		REQUIRE(c <= N, "count %llu above n", (unsigned long long)c);
		total += c;
	}
	binomial_is("touches past the hits", (double)total, (double)R * N,
		    power_sum(s, K + 1, PAGES) / power_sum(s, 1, PAGES));
	gsl_rng_free(r);
}
END_TEST

/* Each draw past K = 10 hits is rank k > 10 with probability k^-s / sum_{j>10} j^-s. */
START_TEST(sparse_next_for_zipf_draws_the_tail_past_known_hits)
{
	enum { PAGES = 1000, K = 10, N = 100000 };
	double s = tail_skews[_i];
	struct wss w = make(PATTERN_ZIPF, s, 0, 0, 1, PAGES);
	gsl_rng *r = rng_stream(1, 0, RNG_TOUCHES, 7);
	double tail = power_sum(s, K + 1, PAGES);
	uint64_t first = 0, far = 0;
	int i;

	for (i = 0; i < N; i++) {
		uint32_t d = wss_sparse_next(&w, r, K);

		REQUIRE(d >= K && d < PAGES, "draw %d: page %u outside %u..%u", i, d, K,
			PAGES - 1);
		first += d == K;
		far += d >= 500;
	}
	binomial_is("draws of page 10", (double)first, N, pow(K + 1.0, -s) / tail);
	binomial_is("draws of pages 500..999", (double)far, N, power_sum(s, 501, PAGES) / tail);
	gsl_rng_free(r);
}
END_TEST

/* hot 200 of 1000 pages at 0.7: hot draws with frequency 0.7, each part uniform (its mean). */
START_TEST(sparse_next_for_hotcold_lands_hot_with_hot_probability)
{
	enum { PAGES = 1000, HOT = 200, N = 100000 };
	struct wss w = make(PATTERN_HOTCOLD, 0, 0.2, 0.7, 1, PAGES);
	gsl_rng *r = rng_stream(1, 0, RNG_TOUCHES, 7);
	double hot_sum = 0, cold_sum = 0, sd;
	uint64_t hot = 0;
	int i;

	for (i = 0; i < N; i++) {
		uint32_t d = wss_sparse_next(&w, r, 0);

		REQUIRE(d < PAGES, "draw %d: page %u", i, d);
		if (d < HOT) {
			hot++;
			hot_sum += d;
		} else {
			cold_sum += d;
		}
	}
	binomial_is("hot draws", (double)hot, N, 0.7);
	/* A uniform on m pages has mean (lo + hi) / 2 and variance (m^2 - 1) / 12. */
	sd = sqrt((HOT * HOT - 1) / 12.0 / (double)hot);
	REQUIRE(fabs(hot_sum / (double)hot - 99.5) <= SIGMAS * sd, "hot mean page %.2f",
		hot_sum / (double)hot);
	sd = sqrt(((PAGES - HOT) * (PAGES - HOT) - 1) / 12.0 / (double)(N - hot));
	REQUIRE(fabs(cold_sum / (double)(N - hot) - 599.5) <= SIGMAS * sd, "cold mean page %.2f",
		cold_sum / (double)(N - hot));
	gsl_rng_free(r);
}
END_TEST

Suite *wss_suite(void)
{
	Suite *s = suite_create("wss");
	TCase *tc = tcase_create("zipf");
	int n_zipf = (int)(sizeof(zipf_cases) / sizeof(zipf_cases[0]));
	int n_tail = (int)(sizeof(tail_skews) / sizeof(tail_skews[0]));

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, zipf_draws_follow_k_to_the_minus_skew_on_from_to_pages, 0,
			    n_zipf);
	tcase_add_test(tc, zipf_draw_from_the_last_page_returns_the_last_page);
	suite_add_tcase(s, tc);

	tc = tcase_create("rates");
	tcase_add_test(tc, uniform_and_sequential_page_rate_is_rate_over_pages);
	tcase_add_test(tc, page_rate_past_the_working_set_is_zero);
	tcase_add_test(tc, zipf_page_rate_is_exact_up_to_256_pages);
	tcase_add_test(tc, zipf_page_rate_for_100000_pages_is_within_1e_5_of_exact);
	tcase_add_test(tc, hotcold_page_rate_splits_hot_probability_over_rounded_hot_pages);
	tcase_add_test(tc, page_rates_of_all_pages_sum_to_the_rate);
	tcase_add_test(tc, touches_are_floor_or_ceiling_of_rate_times_tick_with_that_mean);
	tcase_add_test(tc, touches_are_zero_at_rate_zero_or_without_pages);
	suite_add_tcase(s, tc);

	tc = tcase_create("draw");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, sparse_means_fewer_touches_than_pages_and_never_a_scan);
	tcase_add_test(tc, dense_uniform_visits_each_page_at_most_once_with_p_1_minus_exp);
	tcase_add_test(tc, dense_uniform_total_visits_are_pages_times_1_minus_exp);
	tcase_add_test(tc, dense_uniform_far_above_pages_visits_every_page_once);
	tcase_add_test(tc, dense_zipf_visits_each_page_at_most_once_with_p_1_minus_exp);
	tcase_add_test(tc, sparse_uniform_makes_exactly_n_visits_spread_evenly);
	tcase_add_test(tc, sequential_visits_consecutive_pages_from_where_the_last_tick_stopped);
	tcase_add_test(tc, sparse_zipf_past_known_hits_visits_only_the_tail_with_its_mass);
	tcase_add_test(tc, dense_zipf_past_known_hits_skips_them_and_keeps_each_page_probability);
	tcase_add_test(tc, known_hits_covering_the_set_leave_nothing_to_visit);
	suite_add_tcase(s, tc);

	tc = tcase_create("sparse");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, sparse_count_is_n_for_uniform_hotcold_and_zipf_without_hits);
	tcase_add_loop_test(tc, sparse_count_past_known_hits_has_mean_n_times_the_tail_mass, 0,
			    n_tail);
	tcase_add_loop_test(tc, sparse_next_for_zipf_draws_the_tail_past_known_hits, 0, n_tail);
	tcase_add_test(tc, sparse_next_for_hotcold_lands_hot_with_hot_probability);
	suite_add_tcase(s, tc);

	tc = tcase_create("open_bugs");
	tcase_add_test(tc, hotcold_without_cold_pages_keeps_the_whole_rate);
	tcase_add_test(tc, dense_hotcold_visits_each_page_at_most_once);
	suite_add_tcase(s, tc);
	return s;
}
