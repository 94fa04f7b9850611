/*
 * tests/check_wss.c - access patterns: zipf draws follow k^-skew on their range, page rates
 * are the rate times each page's exact probability, a coarse page takes the mass of its
 * 4 KiB ranks, the miss sampler's gaps are geometric in the slow mass and its pages follow
 * their weights, and a cache played miss by miss misses as often as a brute-force one that
 * plays every touch.  Expected values are computed here from the formulas; counts are
 * checked per bin against binomial bounds of five standard deviations.
 */
#include <check.h>
#include <gsl/gsl_randist.h>
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
 * When round(hot_fraction * pages) == pages there are no cold pages: every touch falls on
 * the hot part, evenly, so the page rates must still sum to the whole rate (an earlier
 * version lost the cold share 1 - hot_probability).
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

/* --- patterns over 4 KiB pages ---------------------------------------------------------- */

/* A phase over pages simulated pages of g 4 KiB pages each. */
static struct wss make_granule(enum pattern pattern, double skew, double hot_fraction,
			       double hot_probability, uint32_t pages, uint32_t g)
{
	struct phase p = {
		.pattern = pattern,
		.skew = skew,
		.hot_fraction = hot_fraction,
		.hot_probability = hot_probability,
		.rate = 1,
	};
	struct wss w;

	memset(&w, 0, sizeof(w));
	wss_set_granule(&w, &p, pages, g);
	return w;
}

/* zipf 0.9 over 300 pages of 2 MiB: page d has the mass of ranks 512d+1..512d+512. */
START_TEST(a_2mib_page_has_the_zipf_mass_of_its_512_4kib_ranks)
{
	static const uint32_t probe[] = {0, 1, 2, 10, 150, 299};
	const double s = 0.9;
	struct wss w = make_granule(PATTERN_ZIPF, s, 0, 0, 300, 512);
	double h = power_sum(s, 1, 300 * 512), sum = 0;
	size_t i;
	uint32_t d;

	for (i = 0; i < sizeof(probe) / sizeof(probe[0]); i++) {
		double want = power_sum(s, 512 * probe[i] + 1, 512 * probe[i] + 512) / h;
		double got = wss_page_mass(&w, probe[i]);

		REQUIRE(fabs(got / want - 1) < 1e-5, "page %u: mass %.10g, want %.10g", probe[i],
			got, want);
	}
	for (d = 0; d < 300; d++)
		sum += wss_page_mass(&w, d);
	ck_assert_double_eq_tol(sum, 1.0, 1e-9);
	wss_release(&w);
}
END_TEST

/*
 * hot-cold over 10 pages of 16 KiB (40 ranks), hot 25% = ranks 0..9 at 0.8: pages 0 and 1
 * are hot (4 ranks of 0.08), page 2 holds 2 hot ranks and 2 cold ones (0.2 / 30 each).
 */
START_TEST(a_coarse_page_counts_its_hot_and_cold_4kib_ranks)
{
	struct wss w = make_granule(PATTERN_HOTCOLD, 0, 0.25, 0.8, 10, 4);

	ck_assert_double_eq_tol(wss_page_mass(&w, 0), 4 * 0.08, 1e-15);
	ck_assert_double_eq_tol(wss_page_mass(&w, 1), 4 * 0.08, 1e-15);
	ck_assert_double_eq_tol(wss_page_mass(&w, 2), 2 * 0.08 + 2 * 0.2 / 30, 1e-15);
	ck_assert_double_eq_tol(wss_page_mass(&w, 3), 4 * 0.2 / 30, 1e-15);
	ck_assert_double_eq_tol(wss_page_mass(&w, 9), 4 * 0.2 / 30, 1e-15);
}
END_TEST

/* The same pattern at 4 KiB and at 64 KiB: a 64 KiB page has the mass of its 16 pages. */
START_TEST(a_pattern_is_the_same_workload_at_any_page_size)
{
	static const enum pattern pats[] = {PATTERN_ZIPF, PATTERN_HOTCOLD, PATTERN_UNIFORM};
	size_t i;
	uint32_t d, k;

	for (i = 0; i < 3; i++) {
		struct wss fine = make_granule(pats[i], 1.1, 0.1, 0.9, 16 * 200, 1);
		struct wss coarse = make_granule(pats[i], 1.1, 0.1, 0.9, 200, 16);

		for (d = 0; d < 200; d++) {
			double sum = 0;

			for (k = 0; k < 16; k++)
				sum += wss_page_mass(&fine, 16 * d + k);
			REQUIRE(fabs(wss_page_mass(&coarse, d) / sum - 1) < 1e-5,
				"pattern %zu page %u: %.10g at 64 KiB, %.10g summed at 4 KiB", i, d,
				wss_page_mass(&coarse, d), sum);
		}
		wss_release(&coarse);
	}
}
END_TEST

/* --- the miss sampler ------------------------------------------------------------------- */

static void set_bit(uint64_t *map, uint32_t d)
{
	map[d / 64] |= 1ULL << (d % 64);
}

static void clear_bit(uint64_t *map, uint32_t d)
{
	map[d / 64] &= ~(1ULL << (d % 64));
}

static bool has_bit(const uint64_t *map, uint32_t d)
{
	return (map[d / 64] >> (d % 64)) & 1;
}

/* Marks d fast in map and tells w, as mem.c does. */
static void make_fast(struct wss *w, uint64_t *map, uint32_t d)
{
	if (!has_bit(map, d)) {
		wss_fast_set(w, d);
		set_bit(map, d);
	}
}

static void make_slow(struct wss *w, uint64_t *map, uint32_t d)
{
	if (has_bit(map, d)) {
		wss_fast_clear(w, d);
		clear_bit(map, d);
	}
}

/*
 * A tracked set's weights, by brute force: page d weighs floor(q_d 2^62) (1 if that is 0 and
 * q_d > 0), q_d the page's mass, here for a sampled zipf set of 2000 of 64000 ranks, page j
 * being rank 32j + 5, so q_j = (32j + 6)^-s / sum over the sample of the same.
 */
static uint64_t brute_weight(double s, uint32_t j, double norm)
{
	double q = pow(32.0 * j + 6, -s) / norm;
	uint64_t x = (uint64_t)(q * 0x1p62);

	return x ? x : q > 0;
}

/* Draws, flips and a change of skew on the same set: the kept slow weight is the brute-force
 * sum over the pages that are not fast, under the skew in force (no weight outlives its
 * pattern). */
START_TEST(a_sampled_set_keeps_brute_force_weights_through_draws_flips_and_a_new_skew)
{
	enum { N = 2000 };
	static const double skews[] = {0.9, 1.3};
	uint32_t *table = malloc(N * sizeof(*table));
	struct wss_ranks ranks = {table, 0, 0};
	uint64_t map[N / 64 + 1] = {0};
	gsl_rng *r = rng_stream(1, 0, RNG_TOUCHES, 11);
	struct wss w;
	uint32_t j, d;
	int i, k;

	for (j = 0; j < N; j++)
		table[j] = 32 * j + 5;
	memset(&w, 0, sizeof(w));
	for (k = 0; k < 2; k++) {
		struct phase p = {.pattern = PATTERN_ZIPF, .skew = skews[k], .rate = 1};
		double norm = 0;
		uint64_t slow = 0, total = 0;

		wss_set_sampled(&w, &p, 64000, &ranks, N);
		if (k == 0)
			wss_track(&w, map);
		/* Pages 62 and 63 were the last weighed under the old skew. */
		make_fast(&w, map, 62);
		make_fast(&w, map, 63);
		for (i = 0; i < 20000; i++) {
			if (wss_gap(&w, r, UINT64_MAX, &d))
				make_fast(&w, map, d);
			d = (uint32_t)gsl_rng_uniform_int(r, N);
			if (gsl_rng_uniform(r) < 0.5)
				make_slow(&w, map, d);
		}
		for (j = 0; j < N; j++)
			norm += pow(32.0 * j + 6, -skews[k]);
		for (j = 0; j < N; j++) {
			uint64_t x = brute_weight(skews[k], j, norm);

			total += x;
			if (!has_bit(map, j))
				slow += x;
		}
		/* Both sums of the masses round differently: 1e-12 of the whole. */
		REQUIRE(fabs((double)w.total_weight - (double)total) <= 1e-12 * 0x1p62 &&
				fabs((double)w.slow_weight - (double)slow) <= 1e-12 * 0x1p62,
			"skew %g: total %llu slow %llu, brute force %llu and %llu", skews[k],
			(unsigned long long)w.total_weight, (unsigned long long)w.slow_weight,
			(unsigned long long)total, (unsigned long long)slow);
		/* Pages 0..63 slow, 62 and 63 last, then fast again under the next skew. */
		for (d = 0; d < 64; d++)
			make_slow(&w, map, d);
	}
	wss_release(&w);
	gsl_rng_free(r);
	free(table);
}
END_TEST

/*
 * zipf 1.0 over 1000 pages; pages 0..99 and every third page past them are fast.  The slow
 * mass is M = sum of k^-1 / H over the rest: gaps have mean 1/M (sd sqrt(1-M)/M), drawn
 * pages are never fast, and each page is drawn with probability q / M.
 */
START_TEST(gaps_are_geometric_in_the_slow_mass_and_pages_follow_their_weight)
{
	enum { PAGES = 1000, R = 200000 };
	const double s = 1.0;
	struct wss w = make(PATTERN_ZIPF, s, 0, 0, 1, PAGES);
	uint64_t map[PAGES / 64 + 1] = {0}, gaps = 0, count[PAGES] = {0}, far = 0;
	gsl_rng *r = rng_stream(1, 0, RNG_TOUCHES, 7);
	double h = power_sum(s, 1, PAGES), slow = 0, far_mass = 0, mean, sd;
	uint32_t d;
	int i;

	for (d = 0; d < PAGES; d++)
		if (d < 100 || d % 3 == 0)
			set_bit(map, d);
		else
			slow += pow(d + 1.0, -s) / h;
	wss_track(&w, map);
	for (i = 0; i < R; i++) {
		uint64_t g = wss_gap(&w, r, UINT64_MAX, &d);

		REQUIRE(g >= 1 && d < PAGES && !has_bit(map, d), "draw %d: gap %llu page %u", i,
			(unsigned long long)g, d);
		gaps += g;
		count[d]++;
	}
	mean = (double)gaps / R;
	sd = sqrt(1 - slow) / slow / sqrt((double)R);
	REQUIRE(fabs(mean - 1 / slow) <= SIGMAS * sd, "mean gap %.4f, want %.4f +- %.4f", mean,
		1 / slow, SIGMAS * sd);
	binomial_is("draws of page 100", (double)count[100], R, pow(101.0, -s) / h / slow);
	binomial_is("draws of page 101", (double)count[101], R, pow(102.0, -s) / h / slow);
	for (d = 500; d < PAGES; d++)
		if (d % 3) {
			far += count[d];
			far_mass += pow(d + 1.0, -s) / h;
		}
	binomial_is("draws of slow pages 500..999", (double)far, R, far_mass / slow);
	/* A gap past max is no gap; with every page fast there is none. */
	ck_assert_uint_eq(wss_gap(&w, r, 0, &d), 0);
	for (d = 0; d < PAGES; d++)
		make_fast(&w, map, d);
	ck_assert_uint_eq(wss_gap(&w, r, UINT64_MAX, &d), 0);
	wss_release(&w);
	gsl_rng_free(r);
}
END_TEST

/* After 100000 random flips the kept weights equal those of a fresh count. */
START_TEST(fast_bit_updates_keep_the_slow_weight_exact)
{
	enum { PAGES = 5000 };
	static const enum pattern pats[] = {PATTERN_ZIPF, PATTERN_HOTCOLD, PATTERN_UNIFORM};
	gsl_rng *r = rng_stream(1, 0, RNG_TOUCHES, 7);
	size_t i;
	int k;

	for (i = 0; i < 3; i++) {
		struct wss w = make_granule(pats[i], 0.8, 0.2, 0.7, PAGES, 8), fresh;
		uint64_t map[PAGES / 64 + 1] = {0};
		double slow = 0;
		uint32_t d;

		wss_track(&w, map);
		for (k = 0; k < 100000; k++) {
			d = (uint32_t)gsl_rng_uniform_int(r, PAGES);
			if (gsl_rng_uniform(r) < 0.6)
				make_fast(&w, map, d);
			else
				make_slow(&w, map, d);
		}
		for (d = 0; d < PAGES; d++)
			if (!has_bit(map, d))
				slow += wss_page_mass(&w, d);
		fresh = make_granule(pats[i], 0.8, 0.2, 0.7, PAGES, 8);
		wss_track(&fresh, map);
		ck_assert_uint_eq(w.slow_weight, fresh.slow_weight);
		ck_assert_uint_eq(w.total_weight, fresh.total_weight);
		ck_assert_double_eq_tol((double)w.slow_weight / (double)w.total_weight, slow, 1e-9);
		wss_release(&w);
		wss_release(&fresh);
	}
	gsl_rng_free(r);
}
END_TEST

/*
 * The brute-force reference: a cache of C pages with random replacement plays every touch,
 * drawn from the page probabilities (computed here, drawn by GSL's own discrete sampler),
 * and counts its misses.  The same cache played miss by miss through wss_gap, the fast map
 * being its contents, must miss as often: within 2% over 2 * 10^6 touches after 10^6 of
 * warm-up, for zipf 0.9 at 4 KiB and at 64 KiB pages, hot-cold and uniform.
 */
static const struct {
	enum pattern pattern;
	uint32_t pages, g, cache;
} cache_cases[] = {
	{PATTERN_ZIPF, 2000, 1, 1000},
	{PATTERN_ZIPF, 2000, 16, 500},
	{PATTERN_HOTCOLD, 2000, 1, 600},
	{PATTERN_UNIFORM, 2000, 1, 1500},
};

struct rr_cache {
	uint32_t *slot;                 /* the cached pages */
	uint32_t n, cap;
	uint64_t *map;                  /* membership */
};

/* Touches d; on a miss evicts a random page when full.  True on a miss. */
static bool rr_touch(struct rr_cache *c, struct wss *w, gsl_rng *r, uint32_t d)
{
	if (has_bit(c->map, d))
		return false;
	if (c->n == c->cap) {
		uint32_t j = (uint32_t)gsl_rng_uniform_int(r, c->cap);

		if (w)
			make_slow(w, c->map, c->slot[j]);
		else
			clear_bit(c->map, c->slot[j]);
		c->slot[j] = d;
	} else {
		c->slot[c->n++] = d;
	}
	if (w)
		make_fast(w, c->map, d);
	else
		set_bit(c->map, d);
	return true;
}

START_TEST(a_cache_played_miss_by_miss_misses_as_one_played_touch_by_touch)
{
	const uint64_t WARM = 1000000, RUN = 2000000;
	uint32_t pages = cache_cases[_i].pages, d;
	struct wss w = make_granule(cache_cases[_i].pattern, 0.9, 0.1, 0.9, pages,
				    cache_cases[_i].g);
	double *q = malloc(pages * sizeof(*q)), ref, got;
	gsl_rng *r = rng_stream(2, 0, RNG_TOUCHES, 7);
	gsl_ran_discrete_t *table;
	struct rr_cache a = {0}, b = {0};
	uint64_t i, miss = 0, t;

	for (d = 0; d < pages; d++) {
		double g = cache_cases[_i].g, lo = d * g;

		if (cache_cases[_i].pattern == PATTERN_ZIPF)
			q[d] = power_sum(0.9, (uint32_t)lo + 1, (uint32_t)(lo + g));
		else if (cache_cases[_i].pattern == PATTERN_HOTCOLD)
			q[d] = d < pages / 10 ? 0.9 / (pages / 10) : 0.1 / (pages - pages / 10);
		else
			q[d] = 1;
	}
	table = gsl_ran_discrete_preproc(pages, q);
	a.cap = b.cap = cache_cases[_i].cache;
	a.slot = calloc(a.cap, sizeof(*a.slot));
	b.slot = calloc(b.cap, sizeof(*b.slot));
	a.map = calloc(pages / 64 + 1, sizeof(*a.map));
	b.map = calloc(pages / 64 + 1, sizeof(*b.map));
	for (i = 0; i < WARM + RUN; i++) {
		bool m = rr_touch(&a, NULL, r, (uint32_t)gsl_ran_discrete(r, table));

		miss += m && i >= WARM;
	}
	ref = (double)miss / (double)RUN;
	/* Miss by miss: the touches between two misses are hits and are never drawn. */
	wss_track(&w, b.map);
	for (t = 0, miss = 0; t < WARM + RUN;) {
		uint64_t g = wss_gap(&w, r, WARM + RUN - t, &d);

		if (!g)
			break;
		t += g;
		rr_touch(&b, &w, r, d);
		miss += t > WARM;
	}
	got = (double)miss / (double)RUN;
	REQUIRE(fabs(got / ref - 1) < 0.02, "case %d: %.5f misses per touch, brute force %.5f", _i,
		got, ref);
	wss_release(&w);
	gsl_ran_discrete_free(table);
	free(q);
	free(a.slot);
	free(b.slot);
	free(a.map);
	free(b.map);
	gsl_rng_free(r);
}
END_TEST

/*
 * A scan over 4 pages of 16 KiB (16 ranks), pages 0 and 2 fast: from rank 0 the next slow
 * access is rank 4 (page 1), 5 touches on; from rank 5 with page 1 made fast, rank 12
 * (page 3), 8 on; from rank 14 with page 3 fast and page 0 slow, rank 0 after the wrap, 3 on.
 */
START_TEST(a_scan_goes_to_the_next_slow_page_in_scan_order)
{
	struct wss w = make_granule(PATTERN_SEQUENTIAL, 0, 0, 0, 4, 4);
	uint64_t map[1] = {0};
	gsl_rng *r = rng_stream(1, 0, RNG_TOUCHES, 7);
	uint32_t d = 99;

	set_bit(map, 0);
	set_bit(map, 2);
	wss_track(&w, map);
	ck_assert_uint_eq(wss_gap(&w, r, 100, &d), 5);
	ck_assert_uint_eq(d, 1);
	ck_assert_uint_eq(wss_gap(&w, r, 4, &d), 0);        /* not within 4 touches */
	wss_advance(&w, 5);
	make_fast(&w, map, 1);
	ck_assert_uint_eq(wss_gap(&w, r, 100, &d), 8);
	ck_assert_uint_eq(d, 3);
	wss_advance(&w, 9);
	make_fast(&w, map, 3);
	make_slow(&w, map, 0);
	ck_assert_uint_eq(wss_gap(&w, r, 100, &d), 3);
	ck_assert_uint_eq(d, 0);
	/* The page under the scan is slow: the very next touch. */
	wss_advance(&w, 2);
	ck_assert_uint_eq(wss_gap(&w, r, 100, &d), 1);
	ck_assert_uint_eq(d, 0);
	make_fast(&w, map, 0);
	ck_assert_uint_eq(wss_gap(&w, r, UINT64_MAX, &d), 0);
	wss_release(&w);
	gsl_rng_free(r);
}
END_TEST

Suite *wss_suite(void)
{
	Suite *s = suite_create("wss");
	TCase *tc = tcase_create("rates");
	tcase_add_test(tc, uniform_and_sequential_page_rate_is_rate_over_pages);
	tcase_add_test(tc, page_rate_past_the_working_set_is_zero);
	tcase_add_test(tc, zipf_page_rate_is_exact_up_to_256_pages);
	tcase_add_test(tc, zipf_page_rate_for_100000_pages_is_within_1e_5_of_exact);
	tcase_add_test(tc, hotcold_page_rate_splits_hot_probability_over_rounded_hot_pages);
	tcase_add_test(tc, page_rates_of_all_pages_sum_to_the_rate);
	tcase_add_test(tc, touches_are_floor_or_ceiling_of_rate_times_tick_with_that_mean);
	tcase_add_test(tc, touches_are_zero_at_rate_zero_or_without_pages);
	suite_add_tcase(s, tc);

	tc = tcase_create("granule");
	tcase_add_test(tc, a_2mib_page_has_the_zipf_mass_of_its_512_4kib_ranks);
	tcase_add_test(tc, a_coarse_page_counts_its_hot_and_cold_4kib_ranks);
	tcase_add_test(tc, a_pattern_is_the_same_workload_at_any_page_size);
	suite_add_tcase(s, tc);

	tc = tcase_create("misses");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, gaps_are_geometric_in_the_slow_mass_and_pages_follow_their_weight);
	tcase_add_test(tc, fast_bit_updates_keep_the_slow_weight_exact);
	tcase_add_test(tc, a_sampled_set_keeps_brute_force_weights_through_draws_flips_and_a_new_skew);
	tcase_add_loop_test(tc, a_cache_played_miss_by_miss_misses_as_one_played_touch_by_touch, 0,
			    (int)(sizeof(cache_cases) / sizeof(cache_cases[0])));
	tcase_add_test(tc, a_scan_goes_to_the_next_slow_page_in_scan_order);
	suite_add_tcase(s, tc);

	tc = tcase_create("hotcold");
	tcase_add_test(tc, hotcold_without_cold_pages_keeps_the_whole_rate);
	suite_add_tcase(s, tc);
	return s;
}
