/*
 * tests/check_sharetab.c - shared frames found by content key: add gives one reference,
 * ref and unref count, unref to zero frees the frame and forgets its key, freed records
 * are reused, and every live key stays findable through growth and deletions (including
 * clusters of colliding keys that wrap around the end of the table).  Random operations
 * are checked against a plain array of reference counts.
 */
#include <check.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "rng.h"
#include "sharetab.h"
#include "suites.h"

/* ck_assert writes a mark point per call, even on success; hot loops test first. */
#define REQUIRE(cond, ...) \
	do { \
		if (!(cond)) \
			ck_abort_msg(__VA_ARGS__); \
	} while (0)

static struct sharetab t;

static void setup(void)
{
	sharetab_init(&t);
}

static void teardown(void)
{
	sharetab_release(&t);
}

/* Page k of image i, as a content key (any 64-bit value is a key). */
static uint64_t image_key(uint64_t i, uint64_t k)
{
	return i << 32 | k;
}

START_TEST(empty_table_finds_nothing)
{
	ck_assert_uint_eq(t.n_used, 0);
	ck_assert_uint_eq(sharetab_find(&t, 0), SHARETAB_NONE);
	ck_assert_uint_eq(sharetab_find(&t, image_key(1, 5)), SHARETAB_NONE);
	ck_assert_uint_eq(sharetab_find(&t, UINT64_MAX), SHARETAB_NONE);
}
END_TEST

START_TEST(added_key_is_found_with_one_reference)
{
	uint32_t a = sharetab_add(&t, image_key(1, 5), 0);
	uint32_t b = sharetab_add(&t, image_key(2, 5), 0);

	ck_assert_uint_ne(a, SHARETAB_NONE);
	ck_assert_uint_ne(a, b);
	ck_assert_uint_eq(sharetab_find(&t, image_key(1, 5)), a);
	ck_assert_uint_eq(sharetab_find(&t, image_key(2, 5)), b);
	ck_assert_uint_eq(sharetab_find(&t, image_key(1, 6)), SHARETAB_NONE);
	ck_assert_uint_eq(sharetab_refs(&t, a), 1);
	ck_assert_uint_eq(sharetab_refs(&t, b), 1);
	ck_assert_uint_eq(t.n_used, 2);
}
END_TEST

START_TEST(zero_and_all_ones_are_keys_like_any_other)
{
	uint32_t z = sharetab_add(&t, 0, 0), m = sharetab_add(&t, UINT64_MAX, 0);

	ck_assert_uint_eq(sharetab_find(&t, 0), z);
	ck_assert_uint_eq(sharetab_find(&t, UINT64_MAX), m);
	ck_assert_uint_eq(sharetab_unref(&t, z), 0);
	ck_assert_uint_eq(sharetab_find(&t, 0), SHARETAB_NONE);
	ck_assert_uint_eq(sharetab_find(&t, UINT64_MAX), m);
}
END_TEST

START_TEST(ref_and_unref_count_references_and_unref_returns_those_left)
{
	uint32_t f = sharetab_add(&t, 42, 0);

	sharetab_ref(&t, f);
	sharetab_ref(&t, f);
	ck_assert_uint_eq(sharetab_refs(&t, f), 3);
	ck_assert_uint_eq(sharetab_unref(&t, f), 2);
	ck_assert_uint_eq(sharetab_refs(&t, f), 2);
	ck_assert_uint_eq(sharetab_find(&t, 42), f);
	ck_assert_uint_eq(t.n_used, 1);
	ck_assert_uint_eq(sharetab_unref(&t, f), 1);
	ck_assert_uint_eq(sharetab_find(&t, 42), f);
}
END_TEST

/* With at most 3 sharers a frame, r references take ceil(r / 3) frames:
 * 1..3 one, 4..6 two, 7 three; the 4th and 7th reference need a frame. */
START_TEST(a_cap_on_sharers_takes_a_frame_per_cap_references)
{
	uint32_t f = sharetab_add(&t, 42, 3), r;
	const uint32_t frames[8] = {0, 1, 1, 1, 2, 2, 2, 3};

	for (r = 2; r <= 7; r++) {
		ck_assert(sharetab_ref(&t, f) == (r == 4 || r == 7));
		ck_assert_uint_eq(sharetab_frames(&t, f), frames[r]);
		ck_assert_uint_eq(t.n_used, frames[r]);
	}
	for (r = 7; r-- > 1;) {
		ck_assert_uint_eq(sharetab_unref(&t, f), r);
		ck_assert_uint_eq(t.n_used, frames[r]);
	}
	ck_assert_uint_eq(sharetab_unref(&t, f), 0);
	ck_assert_uint_eq(t.n_used, 0);
}
END_TEST

START_TEST(unref_to_zero_frees_the_frame_and_forgets_its_key)
{
	uint32_t f = sharetab_add(&t, 42, 0), g = sharetab_add(&t, 43, 0);

	sharetab_ref(&t, f);
	ck_assert_uint_eq(sharetab_unref(&t, f), 1);
	ck_assert_uint_eq(sharetab_unref(&t, f), 0);
	ck_assert_uint_eq(sharetab_find(&t, 42), SHARETAB_NONE);
	ck_assert_uint_eq(sharetab_refs(&t, f), 0);
	ck_assert_uint_eq(t.n_used, 1);
	ck_assert_uint_eq(sharetab_find(&t, 43), g);
	/* The key may come back, as a new frame. */
	f = sharetab_add(&t, 42, 0);
	ck_assert_uint_eq(sharetab_find(&t, 42), f);
	ck_assert_uint_eq(sharetab_refs(&t, f), 1);
	ck_assert_uint_eq(t.n_used, 2);
}
END_TEST

START_TEST(freed_records_are_reused_before_new_ones)
{
	uint32_t f[4], g, h;
	uint32_t n;
	int i;

	for (i = 0; i < 4; i++)
		f[i] = sharetab_add(&t, 100 + (uint64_t)i, 0);
	n = t.n_frames;
	ck_assert_uint_eq(n, 4);
	sharetab_unref(&t, f[1]);
	sharetab_unref(&t, f[3]);
	g = sharetab_add(&t, 200, 0);
	h = sharetab_add(&t, 201, 0);
	ck_assert_uint_eq(t.n_frames, n);
	ck_assert((g == f[1] && h == f[3]) || (g == f[3] && h == f[1]));
	ck_assert_uint_eq(sharetab_find(&t, 200), g);
	ck_assert_uint_eq(sharetab_find(&t, 201), h);
	ck_assert_uint_eq(sharetab_find(&t, 101), SHARETAB_NONE);
	ck_assert_uint_eq(sharetab_find(&t, 103), SHARETAB_NONE);
	/* With none free, a new record. */
	ck_assert_uint_eq(sharetab_add(&t, 202, 0), n);
	ck_assert_uint_eq(t.n_frames, n + 1);
}
END_TEST

/* Each key's frame, or SHARETAB_NONE when removed; checks the whole table against it. */
static void all_findable(const uint64_t *keys, const uint32_t *frame, size_t n, const char *when)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint32_t got = sharetab_find(&t, keys[i]);

		REQUIRE(got == frame[i], "%s: key %llx found as %u, want %u", when,
			(unsigned long long)keys[i], got, frame[i]);
	}
}

/*
 * 100k keys (doubling the slots eleven times from 64), half removed in a random order,
 * the rest checked; then the removed ones come back and everything is checked again.
 */
START_TEST(many_keys_stay_findable_through_growth_and_random_removal)
{
	enum { N = 100000 };
	uint64_t *keys = malloc(N * sizeof(*keys));
	uint32_t *frame = malloc(N * sizeof(*frame));
	size_t *order = malloc(N * sizeof(*order));
	gsl_rng *r = rng_stream(1, 0, RNG_POLICY, 7);
	size_t i;

	ck_assert(keys && frame && order);
	for (i = 0; i < N; i++) {
		keys[i] = image_key(i % 7, i);
		frame[i] = sharetab_add(&t, keys[i], 0);
		order[i] = i;
	}
	ck_assert_uint_eq(t.n_used, N);
	ck_assert_uint_ge(t.n_slots, 2 * N);
	all_findable(keys, frame, N, "after adding");
	gsl_ran_shuffle(r, order, N, sizeof(*order));
	for (i = 0; i < N / 2; i++) {
		size_t k = order[i];

		REQUIRE(sharetab_unref(&t, frame[k]) == 0, "unref of key %zu kept it", k);
		frame[k] = SHARETAB_NONE;
		if (i % 5000 == 0)
			all_findable(keys, frame, N, "while removing");
	}
	ck_assert_uint_eq(t.n_used, N / 2);
	all_findable(keys, frame, N, "after removing half");
	for (i = 0; i < N / 2; i++) {
		size_t k = order[i];

		frame[k] = sharetab_add(&t, keys[k], 0);
	}
	ck_assert_uint_eq(t.n_used, N);
	ck_assert_uint_eq(t.n_frames, N);
	all_findable(keys, frame, N, "after adding back");
	gsl_rng_free(r);
	free(order);
	free(frame);
	free(keys);
}
END_TEST

/* The first n keys from start whose hash puts them at home in a table of 64 slots. */
static size_t keys_at_home(uint32_t home, uint64_t start, size_t n, uint64_t *out)
{
	uint64_t k;
	size_t got = 0;

	for (k = start; got < n; k++)
		if ((rng_mix(k) & 63) == home)
			out[got++] = k;
	return got;
}

/*
 * 30 keys (the table keeps its 64 slots up to 32) homed at slots 61, 62, 63 and 0, so their
 * cluster wraps around the end: removing them one by one in several orders leaves every
 * other key findable.  Were the hash to change, this remains a correct (weaker) test.
 */
START_TEST(colliding_keys_wrapping_the_table_end_survive_removals)
{
	enum { N = 30 };
	static const uint32_t homes[] = {63, 0, 62, 63, 61, 0};
	uint64_t keys[N];
	uint32_t frame[N];
	size_t i, j;
	int round;

	for (i = 0; i < N; i++)
		keys_at_home(homes[i % 6], 1000 * i, 1, &keys[i]);
	for (round = 0; round < 3; round++) {
		for (i = 0; i < N; i++)
			frame[i] = sharetab_add(&t, keys[i], 0);
		ck_assert_uint_eq(t.n_slots, 64);
		all_findable(keys, frame, N, "added");
		for (j = 0; j < N; j++) {
			/* Orders: first to last, last to first, and a stride of 7. */
			size_t k = round == 0 ? j : round == 1 ? N - 1 - j : j * 7 % N;

			ck_assert_uint_eq(sharetab_unref(&t, frame[k]), 0);
			frame[k] = SHARETAB_NONE;
			all_findable(keys, frame, N, "removing");
		}
		ck_assert_uint_eq(t.n_used, 0);
	}
}
END_TEST

/*
 * Random add, ref and unref over 3000 keys against a model of each key's count; every
 * operation checks the key touched, every 1000th all keys.  Most keys are live at a time
 * (a key lives about 10 visits and waits about 1.4), so the table grows and deletes inside
 * large clusters, and some 8000 frames are freed and their records reused.
 */
START_TEST(random_operations_match_a_reference_model)
{
	enum { KEYS = 3000, OPS = 100000 };
	static uint32_t refs[KEYS], frame[KEYS];
	gsl_rng *r = rng_stream(1, 0, RNG_POLICY, 11);
	uint32_t live = 0, max_live = 0, frees = 0;
	int op;
	size_t k;

	for (k = 0; k < KEYS; k++) {
		refs[k] = 0;
		frame[k] = SHARETAB_NONE;
	}
	for (op = 0; op < OPS; op++) {
		uint64_t key;
		unsigned dice = (unsigned)gsl_rng_uniform_int(r, 100);

		k = gsl_rng_uniform_int(r, KEYS);
		key = rng_mix(k + 1) ^ (k << 40);       /* spread out, and distinct */
		if (refs[k] == 0) {
			if (dice < 70) {
				frame[k] = sharetab_add(&t, key, 0);
				refs[k] = 1;
				live++;
			}
		} else if (dice < 45) {
			sharetab_ref(&t, frame[k]);
			refs[k]++;
		} else {
			uint32_t left = sharetab_unref(&t, frame[k]);

			REQUIRE(left == refs[k] - 1, "op %d: unref left %u, want %u", op, left,
				refs[k] - 1);
			if (--refs[k] == 0) {
				frame[k] = SHARETAB_NONE;
				live--;
				frees++;
			}
		}
		REQUIRE(sharetab_find(&t, key) == frame[k], "op %d: key %zu found as %u, want %u",
			op, k, sharetab_find(&t, key), frame[k]);
		REQUIRE(frame[k] == SHARETAB_NONE || sharetab_refs(&t, frame[k]) == refs[k],
			"op %d: key %zu has %u refs, want %u", op, k, sharetab_refs(&t, frame[k]),
			refs[k]);
		REQUIRE(t.n_used == live, "op %d: %u used, want %u", op, t.n_used, live);
		if (live > max_live)
			max_live = live;
		if (op % 1000 == 999) {
			size_t j;

			for (j = 0; j < KEYS; j++) {
				uint64_t kj = rng_mix(j + 1) ^ (j << 40);

				REQUIRE(sharetab_find(&t, kj) == frame[j],
					"op %d: key %zu found as %u, want %u", op, j,
					sharetab_find(&t, kj), frame[j]);
			}
		}
	}
	/* Records are reused: never more than the most ever live at once. */
	ck_assert_uint_le(t.n_frames, max_live);
	ck_assert_uint_gt(max_live, 1000);
	ck_assert_uint_gt(frees, 5000);
	gsl_rng_free(r);
}
END_TEST

START_TEST(adding_a_present_key_is_a_bug)
{
	sharetab_add(&t, 7, 0);
	ck_assert_ptr_nonnull(freopen("/dev/null", "w", stderr));    /* SIM_BUG's message */
	sharetab_add(&t, 7, 0);
}
END_TEST

START_TEST(referencing_a_freed_frame_is_a_bug)
{
	uint32_t f = sharetab_add(&t, 7, 0);

	sharetab_unref(&t, f);
	ck_assert_ptr_nonnull(freopen("/dev/null", "w", stderr));
	sharetab_ref(&t, f);
}
END_TEST

START_TEST(unreferencing_a_freed_frame_is_a_bug)
{
	uint32_t f = sharetab_add(&t, 7, 0);

	sharetab_unref(&t, f);
	ck_assert_ptr_nonnull(freopen("/dev/null", "w", stderr));
	sharetab_unref(&t, f);
}
END_TEST

START_TEST(unreferencing_a_frame_never_added_is_a_bug)
{
	ck_assert_ptr_nonnull(freopen("/dev/null", "w", stderr));
	sharetab_unref(&t, 0);
}
END_TEST

Suite *sharetab_suite(void)
{
	Suite *s = suite_create("sharetab");
	TCase *tc = tcase_create("basic");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, empty_table_finds_nothing);
	tcase_add_test(tc, added_key_is_found_with_one_reference);
	tcase_add_test(tc, zero_and_all_ones_are_keys_like_any_other);
	tcase_add_test(tc, ref_and_unref_count_references_and_unref_returns_those_left);
	tcase_add_test(tc, a_cap_on_sharers_takes_a_frame_per_cap_references);
	tcase_add_test(tc, unref_to_zero_frees_the_frame_and_forgets_its_key);
	tcase_add_test(tc, freed_records_are_reused_before_new_ones);
	suite_add_tcase(s, tc);

	tc = tcase_create("hash");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, many_keys_stay_findable_through_growth_and_random_removal);
	tcase_add_test(tc, colliding_keys_wrapping_the_table_end_survive_removals);
	tcase_add_test(tc, random_operations_match_a_reference_model);
	suite_add_tcase(s, tc);

	tc = tcase_create("bugs");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test_raise_signal(tc, adding_a_present_key_is_a_bug, SIGABRT);
	tcase_add_test_raise_signal(tc, referencing_a_freed_frame_is_a_bug, SIGABRT);
	tcase_add_test_raise_signal(tc, unreferencing_a_freed_frame_is_a_bug, SIGABRT);
	tcase_add_test_raise_signal(tc, unreferencing_a_frame_never_added_is_a_bug, SIGABRT);
	suite_add_tcase(s, tc);
	return s;
}
