/*
 * tests/check_engine.c - the engine runs handlers in (time, schedule) order with the clock
 * at the event's time, stops at 'until' or at sim_stop, and never runs a cancelled event.
 */
#include <check.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include "engine.h"
#include "suites.h"

enum { LOG_MAX = 64 };

/* What each handler saw: its tag and the clock when it ran. */
static struct {
	int tag[LOG_MAX];
	sim_time now[LOG_MAX];
	size_t n;
} seen;

static struct sim *s;

static void setup(void)
{
	s = sim_new();
	seen.n = 0;
}

static void teardown(void)
{
	sim_free(s);
	s = NULL;
}

/* A handler's argument: its tag, and what it does when it runs. */
struct act {
	int tag;
	sim_time child_delay;           /* schedule 'child' this far ahead; < 0 for none */
	struct act *child;
	uint64_t cancel_id;             /* cancel this pending event; 0 for none */
	bool stop;                      /* call sim_stop */
};

static void record(struct sim *sim, void *arg)
{
	struct act *a = arg;

	ck_assert_uint_lt(seen.n, LOG_MAX);
	seen.tag[seen.n] = a->tag;
	seen.now[seen.n] = sim_now(sim);
	seen.n++;
	if (a->child && a->child_delay >= 0)
		sim_after(sim, a->child_delay, record, a->child);
	if (a->cancel_id)
		sim_cancel(sim, a->cancel_id);
	if (a->stop)
		sim_stop(sim);
}

/* Asserts the log holds exactly these tags, in order. */
static void tags_are(const int *want, size_t n)
{
	size_t i;

	ck_assert_uint_eq(seen.n, n);
	for (i = 0; i < n; i++)
		ck_assert_msg(seen.tag[i] == want[i], "handler %zu was %d, want %d", i,
			      seen.tag[i], want[i]);
}

#define TAGS_ARE(...) \
	tags_are((const int[]){__VA_ARGS__}, sizeof((const int[]){__VA_ARGS__}) / sizeof(int))

START_TEST(new_engine_is_at_time_zero_with_nothing_pending)
{
	ck_assert(sim_now(s) == 0);
	ck_assert_uint_eq(sim_pending(s), 0);
	ck_assert_uint_eq(sim_events_run(s), 0);
}
END_TEST

START_TEST(handlers_run_in_time_order_with_the_clock_at_their_time)
{
	struct act a[4] = {{.tag = 0}, {.tag = 1}, {.tag = 2}, {.tag = 3}};

	sim_at(s, 300, record, &a[0]);
	sim_at(s, 100, record, &a[1]);
	sim_at(s, 200, record, &a[2]);
	sim_at(s, 100, record, &a[3]);
	sim_run(s, SIM_NEVER);
	TAGS_ARE(1, 3, 2, 0);
	ck_assert(seen.now[0] == 100);
	ck_assert(seen.now[1] == 100);
	ck_assert(seen.now[2] == 200);
	ck_assert(seen.now[3] == 300);
	ck_assert_uint_eq(sim_events_run(s), 4);
	ck_assert_uint_eq(sim_pending(s), 0);
}
END_TEST

START_TEST(run_until_stops_at_until_and_keeps_later_events)
{
	struct act a[3] = {{.tag = 10}, {.tag = 20}, {.tag = 30}};

	sim_at(s, 10, record, &a[0]);
	sim_at(s, 20, record, &a[1]);
	sim_at(s, 30, record, &a[2]);
	/* An event at exactly 'until' runs. */
	sim_run(s, 20);
	TAGS_ARE(10, 20);
	ck_assert(sim_now(s) == 20);
	ck_assert_uint_eq(sim_pending(s), 1);
	sim_run(s, 25);
	TAGS_ARE(10, 20);
	ck_assert(sim_now(s) == 25);
	ck_assert_uint_eq(sim_pending(s), 1);
	sim_run(s, 1000);
	TAGS_ARE(10, 20, 30);
	ck_assert(seen.now[2] == 30);
	ck_assert(sim_now(s) == 1000);
}
END_TEST

START_TEST(run_on_an_empty_queue_moves_the_clock_to_until)
{
	sim_run(s, 500);
	ck_assert(sim_now(s) == 500);
	ck_assert_uint_eq(sim_events_run(s), 0);
}
END_TEST

START_TEST(run_until_in_the_past_leaves_the_clock_alone)
{
	sim_run(s, 500);
	sim_run(s, 100);
	ck_assert(sim_now(s) == 500);
}
END_TEST

START_TEST(after_is_relative_to_now)
{
	struct act a = {.tag = 1};

	sim_run(s, 40);
	sim_after(s, 2, record, &a);
	sim_run(s, SIM_NEVER);
	TAGS_ARE(1);
	ck_assert(seen.now[0] == 42);
}
END_TEST

START_TEST(event_scheduled_at_now_runs_after_queued_equal_time_events)
{
	struct act c = {.tag = 3};
	struct act a = {.tag = 1, .child_delay = 0, .child = &c};
	struct act b = {.tag = 2};
	struct act d = {.tag = 4};

	sim_at(s, 5, record, &a);
	sim_at(s, 5, record, &b);
	sim_at(s, 6, record, &d);
	sim_run(s, SIM_NEVER);
	TAGS_ARE(1, 2, 3, 4);
	ck_assert(seen.now[2] == 5);
}
END_TEST

START_TEST(handler_scheduling_ahead_extends_the_run)
{
	struct act c = {.tag = 2};
	struct act a = {.tag = 1, .child_delay = 15, .child = &c};

	sim_at(s, 10, record, &a);
	sim_run(s, 30);
	TAGS_ARE(1, 2);
	ck_assert(seen.now[1] == 25);
}
END_TEST

START_TEST(stop_returns_after_the_current_handler)
{
	struct act a = {.tag = 1, .stop = true};
	struct act b = {.tag = 2};
	struct act c = {.tag = 3};

	sim_at(s, 5, record, &a);
	sim_at(s, 5, record, &b);
	sim_at(s, 7, record, &c);
	sim_run(s, 100);
	TAGS_ARE(1);
	/* The clock stays at the stopping event, not at until. */
	ck_assert(sim_now(s) == 5);
	ck_assert_uint_eq(sim_pending(s), 2);
	ck_assert_uint_eq(sim_events_run(s), 1);
	/* A later run carries on where it stopped. */
	sim_run(s, 100);
	TAGS_ARE(1, 2, 3);
	ck_assert(sim_now(s) == 100);
}
END_TEST

START_TEST(cancelled_event_never_runs)
{
	struct act a = {.tag = 1};
	struct act b = {.tag = 2};
	uint64_t id = sim_at(s, 10, record, &a);

	sim_at(s, 20, record, &b);
	ck_assert_uint_eq(sim_pending(s), 2);
	sim_cancel(s, id);
	ck_assert_uint_eq(sim_pending(s), 1);
	sim_run(s, SIM_NEVER);
	TAGS_ARE(2);
	ck_assert_uint_eq(sim_events_run(s), 1);
}
END_TEST

START_TEST(handler_can_cancel_a_pending_event_at_the_same_time)
{
	struct act b = {.tag = 2};
	struct act a = {.tag = 1};
	struct act c = {.tag = 3};

	sim_at(s, 5, record, &a);
	a.cancel_id = sim_at(s, 5, record, &b);
	sim_at(s, 5, record, &c);
	sim_run(s, SIM_NEVER);
	TAGS_ARE(1, 3);
}
END_TEST

START_TEST(events_run_counts_handlers_across_runs)
{
	struct act a[5] = {{.tag = 0}, {.tag = 1}, {.tag = 2}, {.tag = 3}, {.tag = 4}};
	int i;

	for (i = 0; i < 5; i++)
		sim_at(s, 10 * i, record, &a[i]);
	sim_run(s, 25);
	ck_assert_uint_eq(sim_events_run(s), 3);
	sim_run(s, SIM_NEVER);
	ck_assert_uint_eq(sim_events_run(s), 5);
}
END_TEST

START_TEST(scheduling_in_the_past_is_a_bug)
{
	struct act a = {.tag = 1};

	sim_run(s, 100);
	ck_assert_ptr_nonnull(freopen("/dev/null", "w", stderr));    /* SIM_BUG's message */
	sim_at(s, 99, record, &a);
}
END_TEST

Suite *engine_suite(void)
{
	Suite *su = suite_create("engine");
	TCase *tc = tcase_create("run");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, new_engine_is_at_time_zero_with_nothing_pending);
	tcase_add_test(tc, handlers_run_in_time_order_with_the_clock_at_their_time);
	tcase_add_test(tc, run_until_stops_at_until_and_keeps_later_events);
	tcase_add_test(tc, run_on_an_empty_queue_moves_the_clock_to_until);
	tcase_add_test(tc, run_until_in_the_past_leaves_the_clock_alone);
	tcase_add_test(tc, after_is_relative_to_now);
	tcase_add_test(tc, event_scheduled_at_now_runs_after_queued_equal_time_events);
	tcase_add_test(tc, handler_scheduling_ahead_extends_the_run);
	tcase_add_test(tc, stop_returns_after_the_current_handler);
	tcase_add_test(tc, cancelled_event_never_runs);
	tcase_add_test(tc, handler_can_cancel_a_pending_event_at_the_same_time);
	tcase_add_test(tc, events_run_counts_handlers_across_runs);
	tcase_add_test_raise_signal(tc, scheduling_in_the_past_is_a_bug, SIGABRT);
	suite_add_tcase(su, tc);
	return su;
}
