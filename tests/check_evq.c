/*
 * tests/check_evq.c - the event queue pops in (time, seq) order, drops cancelled events,
 * and counts only live ones; random operations are checked against a linear-scan model.
 */
#include <check.h>
#include <gsl/gsl_rng.h>
#include <signal.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>

#include "evq.h"
#include "suites.h"

/* ck_assert writes a mark point per call, even on success; hot loops test first. */
#define REQUIRE(cond, ...) \
	do { \
		if (!(cond)) \
			ck_abort_msg(__VA_ARGS__); \
	} while (0)

static void nop(struct sim *s, void *arg)
{
	(void)s;
	(void)arg;
}

static struct evq *q;

static void setup(void)
{
	q = evq_new(4);
}

static void teardown(void)
{
	evq_free(q);
	q = NULL;
}

/* Pushes an event at t whose arg encodes tag; returns its seq. */
static uint64_t push(sim_time t, uintptr_t tag)
{
	struct sim_event ev = {.time = t, .handler = nop, .arg = (void *)tag};

	return evq_push(q, &ev);
}

/* Pops and asserts the event's time and tag. */
static void pop_is(sim_time t, uintptr_t tag)
{
	struct sim_event out;

	REQUIRE(evq_pop(q, &out), "queue empty, want (%lld, %lu)", (long long)t,
		(unsigned long)tag);
	REQUIRE(out.time == t && (uintptr_t)out.arg == tag && out.handler == nop,
		"popped (%lld, %lu), want (%lld, %lu)", (long long)out.time,
		(unsigned long)(uintptr_t)out.arg, (long long)t, (unsigned long)tag);
}

START_TEST(equal_times_fire_in_schedule_order)
{
	uintptr_t i;

	for (i = 0; i < 100; i++)
		push(7, i);
	for (i = 0; i < 100; i++)
		pop_is(7, i);
	ck_assert(!evq_pop(q, &(struct sim_event){0}));
}
END_TEST

START_TEST(earlier_time_fires_first_whatever_the_push_order)
{
	push(30, 1);
	push(10, 2);
	push(20, 3);
	push(10, 4);
	push(-5, 5);
	pop_is(-5, 5);
	pop_is(10, 2);
	pop_is(10, 4);
	pop_is(20, 3);
	pop_is(30, 1);
}
END_TEST

START_TEST(seqs_increase_from_one_and_come_back_on_pop)
{
	struct sim_event out;
	uint64_t a = push(9, 1), b = push(3, 2);

	ck_assert_uint_eq(a, 1);
	ck_assert_uint_eq(b, 2);
	ck_assert(evq_pop(q, &out));
	ck_assert_uint_eq(out.seq, b);
	ck_assert(evq_pop(q, &out));
	ck_assert_uint_eq(out.seq, a);
}
END_TEST

START_TEST(push_copies_the_event)
{
	struct sim_event ev = {.time = 4, .seq = 999, .handler = nop, .arg = (void *)1};

	evq_push(q, &ev);
	ev.time = 1;
	ev.arg = (void *)2;
	pop_is(4, 1);
}
END_TEST

START_TEST(empty_queue_pops_nothing_and_peeks_int64_max)
{
	struct sim_event out;

	ck_assert(!evq_pop(q, &out));
	ck_assert(evq_peek_time(q) == INT64_MAX);
	ck_assert_uint_eq(evq_size(q), 0);
	push(1, 1);
	pop_is(1, 1);
	ck_assert(!evq_pop(q, &out));
	ck_assert(evq_peek_time(q) == INT64_MAX);
}
END_TEST

START_TEST(peek_gives_the_earliest_live_time_and_removes_nothing)
{
	push(50, 1);
	push(20, 2);
	ck_assert(evq_peek_time(q) == 20);
	ck_assert(evq_peek_time(q) == 20);
	ck_assert_uint_eq(evq_size(q), 2);
	pop_is(20, 2);
	ck_assert(evq_peek_time(q) == 50);
}
END_TEST

START_TEST(size_counts_live_events_only)
{
	uint64_t a = push(1, 1), b;

	push(2, 2);
	b = push(3, 3);
	ck_assert_uint_eq(evq_size(q), 3);
	evq_cancel(q, b);
	ck_assert_uint_eq(evq_size(q), 2);
	evq_cancel(q, a);
	ck_assert_uint_eq(evq_size(q), 1);
	/* Cancelling twice cancels once. */
	evq_cancel(q, a);
	ck_assert_uint_eq(evq_size(q), 1);
	pop_is(2, 2);
	ck_assert_uint_eq(evq_size(q), 0);
	ck_assert(!evq_pop(q, &(struct sim_event){0}));
}
END_TEST

START_TEST(cancelled_top_is_skipped_by_peek_and_pop)
{
	uint64_t top = push(1, 1);

	push(5, 2);
	push(9, 3);
	evq_cancel(q, top);
	ck_assert(evq_peek_time(q) == 5);
	pop_is(5, 2);
	pop_is(9, 3);
}
END_TEST

START_TEST(cancelled_deep_event_never_fires)
{
	uint64_t seq[200];
	uintptr_t i;

	/* 200 events spread over the buckets of one rung: cancel every third. */
	for (i = 0; i < 200; i++)
		seq[i] = push((sim_time)(i * 7 % 200), i);
	for (i = 0; i < 200; i += 3)
		evq_cancel(q, seq[i]);
	ck_assert_uint_eq(evq_size(q), 200 - 67);
	for (i = 0; i < 200; i++) {
		uintptr_t tag = i * 143 % 200;        /* 143 = 7^-1 mod 200: time i is tag */

		if (tag % 3 != 0)
			pop_is((sim_time)i, tag);
	}
	ck_assert(!evq_pop(q, &(struct sim_event){0}));
}
END_TEST

START_TEST(cancelled_event_equal_in_time_to_others_leaves_them_in_order)
{
	uint64_t s2;

	push(4, 1);
	s2 = push(4, 2);
	push(4, 3);
	evq_cancel(q, s2);
	pop_is(4, 1);
	pop_is(4, 3);
}
END_TEST

START_TEST(queue_grows_past_its_capacity_hint)
{
	uintptr_t i;

	for (i = 0; i < 10000; i++)
		push((sim_time)(10000 - i), i);
	ck_assert_uint_eq(evq_size(q), 10000);
	for (i = 0; i < 10000; i++)
		pop_is((sim_time)(i + 1), 9999 - i);
}
END_TEST

/*
 * The reference model: the live events in an unordered array.  The earliest is found by a
 * linear scan over (time, seq), which is obviously right; removal swaps in the last one.
 */
struct ref_ev {
	sim_time time;
	uint64_t seq;
	uintptr_t tag;
};

struct ref {
	struct ref_ev *ev;
	size_t n;
};

static long ref_min(const struct ref *r)
{
	long best = -1;
	size_t i;

	for (i = 0; i < r->n; i++) {
		const struct ref_ev *e = &r->ev[i];

		if (best < 0 || e->time < r->ev[best].time ||
		    (e->time == r->ev[best].time && e->seq < r->ev[best].seq))
			best = (long)i;
	}
	return best;
}

static void ref_remove(struct ref *r, size_t i)
{
	r->ev[i] = r->ev[--r->n];
}

static const unsigned long random_seeds[] = {1, 2, 42, 20240601};

/*
 * A time above base: in a small window, so ties are frequent; or, when wide, anywhere from
 * 0 to 2^40 above it on a log scale (many rung widths, buckets and rebuilds), with one
 * draw in 64 at INT64_MAX and the window's ties kept one draw in four.
 */
static sim_time random_time(gsl_rng *r, sim_time base, bool wide)
{
	unsigned bits;

	if (!wide || gsl_rng_uniform_int(r, 4) == 0)
		return base + (sim_time)gsl_rng_uniform_int(r, 32);
	if (gsl_rng_uniform_int(r, 64) == 0)
		return INT64_MAX;
	bits = (unsigned)gsl_rng_uniform_int(r, 41);
	return base + (sim_time)(gsl_rng_get(r) & (((uint64_t)1 << bits) - 1)) +
	       (sim_time)(gsl_rng_get(r) & (((uint64_t)1 << (bits / 2)) - 1));
}

/*
 * Phases of push-, cancel- and pop-heavy mixes: the queue grows to hundreds of events,
 * builds up many tombstones (enough to rehash the cancelled set), then drains.
 * Times are drawn from a small window above a slowly rising base, so ties are frequent;
 * the loop's second half draws wide times (random_time).
 */
START_TEST(random_operations_match_a_reference)
{
	enum { N_OPS = 30000 };
	static const unsigned mix[3][3] = {
		{60, 85, 100},                  /* push < 60, cancel < 85, else pop */
		{35, 80, 100},
		{10, 25, 100},
	};
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	struct ref ref = {.ev = calloc(N_OPS, sizeof(struct ref_ev))};
	struct sim_event out;
	sim_time base = 0;
	size_t op, cancels = 0, max_live = 0;
	uintptr_t next_tag = 0;
	long k;

	ck_assert_ptr_nonnull(ref.ev);
	const size_t n_seeds = sizeof(random_seeds) / sizeof(random_seeds[0]);
	bool wide = (size_t)_i >= n_seeds;

	gsl_rng_set(r, random_seeds[(size_t)_i % n_seeds]);
	for (op = 0; op < N_OPS; op++) {
		const unsigned *m = mix[op * 3 / N_OPS];
		unsigned dice = (unsigned)gsl_rng_uniform_int(r, 100);

		if (dice < m[0]) {
			sim_time t = random_time(r, base, wide);
			uint64_t seq = push(t, next_tag);

			ref.ev[ref.n++] = (struct ref_ev){.time = t, .seq = seq, .tag = next_tag++};
			base += gsl_rng_uniform_int(r, 4) == 0;
		} else if (dice < m[1] && ref.n > 0) {
			size_t i = gsl_rng_uniform_int(r, ref.n);

			evq_cancel(q, ref.ev[i].seq);
			ref_remove(&ref, i);
			cancels++;
		} else if ((k = ref_min(&ref)) < 0) {
			REQUIRE(!evq_pop(q, &out), "op %zu: popped from an empty queue", op);
		} else {
			REQUIRE(evq_pop(q, &out), "op %zu: empty, want %zu events", op, ref.n);
			REQUIRE(out.seq == ref.ev[k].seq && out.time == ref.ev[k].time &&
					(uintptr_t)out.arg == ref.ev[k].tag,
				"op %zu: popped seq %llu at %lld, want seq %llu at %lld", op,
				(unsigned long long)out.seq, (long long)out.time,
				(unsigned long long)ref.ev[k].seq, (long long)ref.ev[k].time);
			ref_remove(&ref, (size_t)k);
		}
		REQUIRE(evq_size(q) == ref.n, "op %zu: size %zu, want %zu", op, evq_size(q), ref.n);
		if (op % 2 == 0) {
			k = ref_min(&ref);
			REQUIRE(evq_peek_time(q) == (k < 0 ? INT64_MAX : ref.ev[k].time),
				"op %zu: wrong peek time %lld", op, (long long)evq_peek_time(q));
		}
		if (ref.n > max_live)
			max_live = ref.n;
	}
	/* The mix did exercise a deep queue and a large cancelled set. */
	ck_assert_uint_gt(max_live, 500);
	ck_assert_uint_gt(cancels, 5000);
	while ((k = ref_min(&ref)) >= 0) {
		REQUIRE(evq_pop(q, &out) && out.seq == ref.ev[k].seq, "drain: wrong event");
		ref_remove(&ref, (size_t)k);
	}
	ck_assert(!evq_pop(q, &out));
	ck_assert_uint_eq(evq_size(q), 0);
	free(ref.ev);
	gsl_rng_free(r);
}
END_TEST

/*
 * Scripted cases against the same reference, each built to reach one part of the ladder
 * queue (sim/evq.c): the bottom heap, the buckets of rung 0, finer rungs spawned from a
 * bucket of more than 1,000 events, and the unsorted top beyond the last rung.  The
 * expected order is always the reference's linear scan over (time, seq).
 */
static struct ref R;
static uintptr_t r_next_tag;

static void setup_ref(void)
{
	setup();
	R.ev = calloc(1 << 16, sizeof(*R.ev));
	R.n = 0;
	r_next_tag = 0;
	ck_assert_ptr_nonnull(R.ev);
}

static void teardown_ref(void)
{
	free(R.ev);
	R.ev = NULL;
	teardown();
}

/* Pushes at t into both queues; returns the tag. */
static uintptr_t r_push(sim_time t)
{
	uint64_t seq = push(t, r_next_tag);

	REQUIRE(R.n < (1 << 16), "reference full");
	R.ev[R.n++] = (struct ref_ev){.time = t, .seq = seq, .tag = r_next_tag};
	return r_next_tag++;
}

/* Pops from both and compares, peek and size included; false once both are empty. */
static bool r_pop(void)
{
	struct sim_event out;
	long k = ref_min(&R);

	REQUIRE(evq_size(q) == R.n, "size %zu, want %zu", evq_size(q), R.n);
	REQUIRE(evq_peek_time(q) == (k < 0 ? INT64_MAX : R.ev[k].time), "peek %lld",
		(long long)evq_peek_time(q));
	if (k < 0) {
		REQUIRE(!evq_pop(q, &out), "popped from an empty queue");
		return false;
	}
	REQUIRE(evq_pop(q, &out), "empty, want %zu events", R.n);
	REQUIRE(out.seq == R.ev[k].seq && out.time == R.ev[k].time &&
			(uintptr_t)out.arg == R.ev[k].tag,
		"popped tag %lu at %lld, want tag %lu at %lld",
		(unsigned long)(uintptr_t)out.arg, (long long)out.time,
		(unsigned long)R.ev[k].tag, (long long)R.ev[k].time);
	ref_remove(&R, (size_t)k);
	return true;
}

static void r_cancel(uintptr_t tag)
{
	size_t i;

	for (i = 0; i < R.n && R.ev[i].tag != tag; i++)
		;
	ck_assert_uint_lt(i, R.n);
	evq_cancel(q, R.ev[i].seq);
	ref_remove(&R, i);
}

static void r_drain(void)
{
	while (r_pop())
		;
}

/*
 * 3,000 events at three equal times share one bucket of rung 0 (the outlier at 2^40 makes
 * the buckets 2^29 ns wide), so that bucket is split into finer rungs, the time 10 ending
 * up in the bottom and 11 and 12 in a rung below.  Pushes at the same times mid-drain go
 * to the bottom or to those rungs: every time's events must still come in push order.
 */
START_TEST(ties_at_one_time_stay_in_push_order_across_split_buckets)
{
	int i;

	for (i = 0; i < 3000; i++)
		r_push(10 + i % 3);
	r_push((sim_time)1 << 40);
	for (i = 0; i < 400; i++)
		r_pop();
	/* On both sides of the ends of the split buckets (widths 2^29, 2^18, 2^7). */
	for (i = 0; i < 2; i++) {
		r_push(10 + ((sim_time)1 << 29) - 1 + i);
		r_push(10 + ((sim_time)1 << 18) - 1 + i);
		r_push(10 + ((sim_time)1 << 7) - 1 + i);
	}
	for (i = 0; i < 300; i++)
		r_push(10 + i % 3);
	for (i = 0; i < 1500; i++)
		r_pop();
	for (i = 0; i < 300; i++)
		r_push(11 + i % 2);
	r_drain();
}
END_TEST

/*
 * Times on either side of every power-of-two bucket boundary up to 2^24, each three
 * times, pushed in a scrambled order, then the same again halfway through the drain.
 */
START_TEST(events_on_bucket_boundaries_come_out_in_order)
{
	sim_time t[3 * 25 * 3];
	size_t n = 0, i, k;
	int b, d, copy;

	for (copy = 0; copy < 3; copy++)
		for (b = 0; b <= 24; b++)
			for (d = -1; d <= 1; d++)
				t[n++] = ((sim_time)1 << b) + d;
	for (k = 0; k < 2; k++) {
		for (i = 0; i < n; i++)
			r_push(t[i * 101 % n]);         /* 101 is prime to n = 225 */
		for (i = 0; i < n / 2; i++)
			r_pop();
	}
	r_drain();
}
END_TEST

/*
 * One cancelled event in each part: the bottom (time 10), the deepest rung, one bucket
 * per time (11), the rung split off rung 0's first bucket (1,050,000), rung 0 itself
 * (2^40) and the top (2^41, pushed after rung 0 was built); then one pushed into the
 * bottom and cancelled.  The others come out in order, the size right.
 */
START_TEST(cancel_works_in_every_part_of_the_queue)
{
	uintptr_t in_child = 0, in_rung0, in_top, late;
	int i;

	for (i = 0; i < 2000; i++) {
		uintptr_t tag = r_push(10 + i % 2);

		if (i == 1001)
			in_child = tag;
	}
	for (i = 0; i < 100; i++)
		r_push(1000000 + i * 1000);
	in_rung0 = r_push((sim_time)1 << 40);
	r_pop();                                /* builds the rungs */
	in_top = r_push((sim_time)1 << 41);
	r_cancel(4);                            /* time 10, in the bottom */
	r_cancel(in_child);
	r_cancel(2000 + 50);                    /* time 1,050,000 */
	r_cancel(in_rung0);
	r_cancel(in_top);
	late = r_push(10);
	r_cancel(late);
	r_push(10);
	r_drain();
}
END_TEST

/*
 * The hold model with rare ties (increment 0) and rare far outliers: the top is rebuilt
 * into a fresh rung 0 many times, each sized from the events then pending.  Then the
 * pending count swings from 300 to 4,000 (wide times) and back, and to 4,000 again at
 * eight distinct times.
 */
START_TEST(hold_model_and_size_swings_match_a_reference)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	sim_time now = 0;
	int i;

	gsl_rng_set(r, 7);
	for (i = 0; i < 300; i++)
		r_push((sim_time)gsl_rng_uniform_int(r, 1000));
	for (i = 0; i < 40000; i++) {
		unsigned dice = (unsigned)gsl_rng_uniform_int(r, 100);
		sim_time inc = dice < 5 ? 0 : dice < 6 ? (sim_time)1 << 36
					   : (sim_time)gsl_rng_uniform_int(r, 2000);

		now = evq_peek_time(q);
		r_pop();
		r_push(now + inc);
	}
	for (i = 0; i < 3700; i++)
		r_push(now + (sim_time)(gsl_rng_get(r) & 0xFFFFFFFF));
	while (R.n > 10)
		r_pop();
	now = evq_peek_time(q);
	for (i = 0; i < 4000; i++)
		r_push(now + i % 8);
	r_drain();
	gsl_rng_free(r);
}
END_TEST

/*
 * Past 65,536 pending events a refill walks many buckets at once.  The reference here is
 * the remaining events sorted by (time, seq) with qsort after each batch of pushes and
 * cancels; pops take them in that order.  Six rounds: push 30,000 (ties, wide spans,
 * INT64_MAX), cancel 1 in 16 of those pending, pop 12,000.
 */
static int by_time_seq(const void *a, const void *b)
{
	const struct ref_ev *x = a, *y = b;

	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

START_TEST(large_queue_matches_a_sorted_reference)
{
	enum { ROUNDS = 6, PUSHES = 30000, POPS = 12000 };
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	struct ref_ev *ev = calloc(ROUNDS * PUSHES, sizeof(*ev));
	struct sim_event out;
	size_t pos = 0, n = 0, i, j, most = 0;
	sim_time base = 0;
	int round;

	ck_assert_ptr_nonnull(ev);
	gsl_rng_set(r, 11);
	for (round = 0; round < ROUNDS; round++) {
		for (i = 0; i < PUSHES; i++) {
			sim_time t = random_time(r, base, true);

			ev[n] = (struct ref_ev){.time = t, .seq = push(t, n), .tag = n};
			n++;
			base += gsl_rng_uniform_int(r, 8) == 0;
		}
		for (i = j = pos; i < n; i++) {
			if (gsl_rng_uniform_int(r, 16) == 0)
				evq_cancel(q, ev[i].seq);
			else
				ev[j++] = ev[i];
		}
		n = j;
		if (n - pos > most)
			most = n - pos;
		qsort(ev + pos, n - pos, sizeof(*ev), by_time_seq);
		for (i = 0; i < POPS || round == ROUNDS - 1; i++, pos++) {
			if (pos == n) {
				REQUIRE(!evq_pop(q, &out), "popped past the end");
				break;
			}
			REQUIRE(evq_pop(q, &out), "empty, want %zu more", n - pos);
			REQUIRE(out.seq == ev[pos].seq && (uintptr_t)out.arg == ev[pos].tag,
				"round %d: popped seq %llu at %lld, want seq %llu at %lld", round,
				(unsigned long long)out.seq, (long long)out.time,
				(unsigned long long)ev[pos].seq, (long long)ev[pos].time);
		}
		REQUIRE(evq_size(q) == n - pos, "size %zu, want %zu", evq_size(q), n - pos);
	}
	ck_assert_uint_gt(most, 1 << 16);
	free(ev);
	gsl_rng_free(r);
}
END_TEST

START_TEST(extreme_times_keep_their_order)
{
	static const sim_time times[] = {INT64_MAX, INT64_MIN + 1, 0, -1, INT64_MAX, 1,
					 INT64_MIN + 1, INT64_MAX - 1, INT64_MIN / 2};
	size_t i;

	for (i = 0; i < sizeof(times) / sizeof(times[0]); i++)
		r_push(times[i]);
	r_pop();
	r_push(INT64_MIN + 1);
	r_push(INT64_MAX);
	r_pop();
	r_push(0);
	r_drain();
}
END_TEST

START_TEST(pushing_at_int64_min_is_a_bug)
{
	ck_assert_ptr_nonnull(freopen("/dev/null", "w", stderr));    /* SIM_BUG's message */
	push(INT64_MIN, 1);
}
END_TEST

START_TEST(cancelling_an_unscheduled_seq_is_a_bug)
{
	push(1, 1);
	ck_assert_ptr_nonnull(freopen("/dev/null", "w", stderr));    /* SIM_BUG's message */
	evq_cancel(q, 2);
}
END_TEST

Suite *evq_suite(void)
{
	Suite *s = suite_create("evq");
	TCase *tc = tcase_create("order");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, equal_times_fire_in_schedule_order);
	tcase_add_test(tc, earlier_time_fires_first_whatever_the_push_order);
	tcase_add_test(tc, seqs_increase_from_one_and_come_back_on_pop);
	tcase_add_test(tc, push_copies_the_event);
	tcase_add_test(tc, empty_queue_pops_nothing_and_peeks_int64_max);
	tcase_add_test(tc, peek_gives_the_earliest_live_time_and_removes_nothing);
	tcase_add_test(tc, queue_grows_past_its_capacity_hint);
	suite_add_tcase(s, tc);

	tc = tcase_create("cancel");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, size_counts_live_events_only);
	tcase_add_test(tc, cancelled_top_is_skipped_by_peek_and_pop);
	tcase_add_test(tc, cancelled_deep_event_never_fires);
	tcase_add_test(tc, cancelled_event_equal_in_time_to_others_leaves_them_in_order);
	tcase_add_test_raise_signal(tc, cancelling_an_unscheduled_seq_is_a_bug, SIGABRT);
	suite_add_tcase(s, tc);

	tc = tcase_create("ladder");
	tcase_add_checked_fixture(tc, setup_ref, teardown_ref);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, ties_at_one_time_stay_in_push_order_across_split_buckets);
	tcase_add_test(tc, events_on_bucket_boundaries_come_out_in_order);
	tcase_add_test(tc, cancel_works_in_every_part_of_the_queue);
	tcase_add_test(tc, hold_model_and_size_swings_match_a_reference);
	tcase_add_test(tc, large_queue_matches_a_sorted_reference);
	tcase_add_test(tc, extreme_times_keep_their_order);
	tcase_add_test_raise_signal(tc, pushing_at_int64_min_is_a_bug, SIGABRT);
	suite_add_tcase(s, tc);

	tc = tcase_create("random");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, random_operations_match_a_reference, 0,
			    2 * (int)(sizeof(random_seeds) / sizeof(random_seeds[0])));
	suite_add_tcase(s, tc);
	return s;
}
