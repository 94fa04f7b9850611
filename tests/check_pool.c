/*
 * check_pool.c - the fork-join pool: every item runs exactly once per
 * round, whatever the thread and item counts, and a round is over, every
 * item's write visible, when pool_for returns.
 */
#include <check.h>
#include <stdlib.h>

#include "pool.h"
#include "suites.h"

struct counts {
	int *hits;
	int round;
};

static void count(void *arg, size_t i)
{
	struct counts *c = arg;

	c->hits[i] += 1 + c->round;
}

START_TEST(every_item_runs_once_whatever_the_threads)
{
	static const int threads[] = {1, 2, 3, 4, 7};
	static const size_t items[] = {0, 1, 2, 3, 1000};

	for (size_t t = 0; t < sizeof(threads) / sizeof(threads[0]); t++) {
		struct pool *p = pool_new(threads[t]);

		ck_assert_int_eq(pool_threads(p), threads[t]);
		for (size_t k = 0; k < sizeof(items) / sizeof(items[0]); k++) {
			size_t n = items[k];
			struct counts c = {calloc(n + 1, sizeof(int)), 0};

			pool_for(p, n, count, &c);
			for (size_t i = 0; i < n; i++)
				ck_assert_msg(c.hits[i] == 1, "%d threads, %zu items: item %zu ran %d times",
					      threads[t], n, i, c.hits[i]);
			ck_assert_int_eq(c.hits[n], 0);
			free(c.hits);
		}
		pool_free(p);
	}
}
END_TEST

START_TEST(each_round_is_over_when_pool_for_returns)
{
	enum { N = 5, ROUNDS = 20000 };
	struct pool *p = pool_new(3);
	int hits[N] = {0};
	struct counts c = {hits, 0};
	long want = 0;

	/* Round r adds 1 + r to each item: a round still running when the
	 * next starts, or run twice, or lost, leaves another sum. */
	for (c.round = 0; c.round < ROUNDS; c.round++) {
		pool_for(p, N, count, &c);
		want += 1 + c.round;
		for (int i = 0; i < N; i++)
			ck_assert_int_eq(hits[i], want);
	}
	pool_free(p);
}
END_TEST

START_TEST(thread_counts_out_of_range_are_clamped)
{
	struct pool *p = pool_new(0);

	ck_assert_int_eq(pool_threads(p), 1);
	pool_free(p);
	p = pool_new(POOL_MAX_THREADS + 1);
	ck_assert_int_eq(pool_threads(p), POOL_MAX_THREADS);
	pool_free(p);
	pool_free(NULL);
}
END_TEST

Suite *pool_suite(void)
{
	Suite *s = suite_create("pool");
	TCase *tc = tcase_create("pool");

	tcase_add_test(tc, every_item_runs_once_whatever_the_threads);
	tcase_add_test(tc, each_round_is_over_when_pool_for_returns);
	tcase_add_test(tc, thread_counts_out_of_range_are_clamped);
	suite_add_tcase(s, tc);
	return s;
}
