/*
 * tests/check_rng.c - a stream is a pure function of (seed, replication, purpose, entity),
 * independent of every other stream's use; entity ids are 64-bit FNV-1a.
 */
#include <check.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "rng.h"
#include "suites.h"

/* The first n raw draws of a stream. */
static void first_draws(gsl_rng *r, unsigned long *out, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = gsl_rng_get(r);
}

START_TEST(same_coordinates_give_the_same_sequence)
{
	gsl_rng *a = rng_stream(42, 3, RNG_TOUCHES, 7);
	gsl_rng *b = rng_stream(42, 3, RNG_TOUCHES, 7);
	int i;

	for (i = 0; i < 1000; i++)
		if (gsl_rng_get(a) != gsl_rng_get(b))
			ck_abort_msg("draw %d differs", i);
	gsl_rng_free(a);
	gsl_rng_free(b);
}
END_TEST

/* The base stream, and four streams that each change one coordinate of it. */
static gsl_rng *variant(int which)
{
	switch (which) {
	case 0:
		return rng_stream(43, 0, RNG_ARRIVALS, 7);
	case 1:
		return rng_stream(42, 1, RNG_ARRIVALS, 7);
	case 2:
		return rng_stream(42, 0, RNG_LIFETIMES, 7);
	case 3:
		return rng_stream(42, 0, RNG_ARRIVALS, 8);
	}
	return rng_stream(42, 0, RNG_ARRIVALS, 7);
}

START_TEST(changing_one_coordinate_changes_the_first_draws)
{
	gsl_rng *base = variant(-1), *other = variant(_i);
	unsigned long x[4], y[4];
	int same = 0, i;

	first_draws(base, x, 4);
	first_draws(other, y, 4);
	for (i = 0; i < 4; i++)
		same += x[i] == y[i];
	/* Unrelated 32-bit draws agree by chance with probability 2^-32 each. */
	ck_assert_msg(same == 0, "variant %d shares %d of its first 4 draws", _i, same);
	gsl_rng_free(base);
	gsl_rng_free(other);
}
END_TEST

START_TEST(draws_do_not_depend_on_other_streams)
{
	gsl_rng *alone = rng_stream(7, 0, RNG_SIZES, rng_entity("web"));
	gsl_rng *a = rng_stream(7, 0, RNG_SIZES, rng_entity("web"));
	gsl_rng *b = rng_stream(7, 0, RNG_SIZES, rng_entity("db"));
	gsl_rng *c;
	unsigned long want[10];
	int i;

	first_draws(alone, want, 10);
	for (i = 0; i < 5; i++)
		ck_assert(gsl_rng_get(a) == want[i]);
	/* Another stream of the same purpose draws a lot, and a third is created. */
	for (i = 0; i < 1000; i++)
		gsl_rng_get(b);
	c = rng_stream(7, 0, RNG_POLICY, 1);
	gsl_rng_get(c);
	for (i = 5; i < 10; i++)
		ck_assert(gsl_rng_get(a) == want[i]);
	gsl_rng_free(alone);
	gsl_rng_free(a);
	gsl_rng_free(b);
	gsl_rng_free(c);
}
END_TEST

/* Published FNV-1a 64 values: the offset basis for "", and the FNV test vectors. */
START_TEST(entity_is_fnv1a_64)
{
	ck_assert(rng_entity("") == 0xCBF29CE484222325ULL);
	ck_assert(rng_entity("a") == 0xAF63DC4C8601EC8CULL);
	ck_assert(rng_entity("foobar") == 0x85944171F73967E8ULL);
	ck_assert(rng_entity("vm-1") != rng_entity("vm-2"));
}
END_TEST

/* A uniform draw has mean 1/2 and variance 1/12; the mean of n is within 5 sigma. */
START_TEST(uniform_draws_have_mean_one_half)
{
	enum { N = 1000000 };
	gsl_rng *r = rng_stream(1, 0, RNG_ARRIVALS, 0);
	double sum = 0.0, tol = 5.0 * sqrt(1.0 / 12.0 / N);
	int i, outside = 0;

	for (i = 0; i < N; i++) {
		double u = gsl_rng_uniform(r);

		outside += u < 0.0 || u >= 1.0;
		sum += u;
	}
	ck_assert_int_eq(outside, 0);
	ck_assert_double_eq_tol(sum / N, 0.5, tol);
	gsl_rng_free(r);
}
END_TEST

/* The first draws of many neighbouring entities are as uniform as the draws of one. */
START_TEST(first_draws_across_entities_have_mean_one_half)
{
	enum { N = 100000 };
	double sum = 0.0, tol = 5.0 * sqrt(1.0 / 12.0 / N);
	uint64_t e;

	for (e = 0; e < N; e++) {
		gsl_rng *r = rng_stream(1, 0, RNG_TOUCHES, e);

		sum += gsl_rng_uniform(r);
		gsl_rng_free(r);
	}
	ck_assert_double_eq_tol(sum / N, 0.5, tol);
}
END_TEST

struct start {
	uint64_t draws;                 /* first two 32-bit draws */
	uint64_t entity;
};

static int by_draws(const void *pa, const void *pb)
{
	const struct start *a = pa, *b = pb;

	return (a->draws > b->draws) - (a->draws < b->draws);
}

/*
 * Regression.  gsl_rng_taus2's seeding reads only
 * the low 32 bits of its unsigned long seed, so the 64-bit derived seed collapses to 2^32
 * streams: among 2^18 entities about 8 pairs share a stream (birthday bound
 * 2^35 / 2^32).  With a full 64-bit seed a 64-bit collision here has odds of about 2^-29.
 */
START_TEST(once_broken_streams_of_distinct_entities_are_distinct)
{
	enum { N = 1 << 18 };
	struct start *st = malloc(N * sizeof(*st));
	size_t i;

	ck_assert_ptr_nonnull(st);
	for (i = 0; i < N; i++) {
		gsl_rng *r = rng_stream(1, 0, RNG_TOUCHES, i);
		uint64_t hi = gsl_rng_get(r);

		st[i].draws = hi << 32 | gsl_rng_get(r);
		st[i].entity = i;
		gsl_rng_free(r);
	}
	qsort(st, N, sizeof(*st), by_draws);
	for (i = 1; i < N; i++)
		if (st[i].draws == st[i - 1].draws)
			ck_abort_msg("entities %llu and %llu (seed 1, replication 0, RNG_TOUCHES) "
				     "start with the same draws",
				     (unsigned long long)st[i - 1].entity,
				     (unsigned long long)st[i].entity);
	free(st);
}
END_TEST

Suite *rng_suite(void)
{
	Suite *s = suite_create("rng");
	TCase *tc = tcase_create("streams");

	tcase_add_test(tc, same_coordinates_give_the_same_sequence);
	tcase_add_loop_test(tc, changing_one_coordinate_changes_the_first_draws, 0, 4);
	tcase_add_test(tc, draws_do_not_depend_on_other_streams);
	tcase_add_test(tc, entity_is_fnv1a_64);
	suite_add_tcase(s, tc);

	tc = tcase_create("uniform");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, uniform_draws_have_mean_one_half);
	tcase_add_test(tc, first_draws_across_entities_have_mean_one_half);
	suite_add_tcase(s, tc);

	tc = tcase_create("regressions");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, once_broken_streams_of_distinct_entities_are_distinct);
	suite_add_tcase(s, tc);
	return s;
}
