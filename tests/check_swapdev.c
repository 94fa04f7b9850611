/*
 * tests/check_swapdev.c - the swap device: writes take slots and reads and discards free
 * them; an idle request costs its access latency plus one page's transfer; the work asked
 * for in one window sets the next window's wait (M/D/1 below full use, the backlog above);
 * idle windows bring the wait back to zero; windows end where the caller rolls them, never
 * at a request; and many VMs issuing Poisson requests in turn, tick after tick, wait the
 * M/D/1 mean.  Waits are worked out by hand with a 1 ms transfer and 10 ms windows, so 5
 * requests are rho = 0.5.
 */
#include <check.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include "suites.h"
#include "swapdev.h"

#define MS 1000000LL
#define READ_NS 50000LL         /* access latencies, distinct so a mix-up shows */
#define WRITE_NS 70000LL

/* A device with room for cap pages, 1000-byte pages at 1e6 B/s (1 ms). */
static void slow_device(struct swapdev *d, uint64_t cap)
{
	swapdev_init(d, cap, READ_NS, WRITE_NS, 1e6, 1000);
}

/* The wait a read sees: its latency less the access and the transfer. */
static int64_t read_wait(struct swapdev *d)
{
	return swapdev_read(d) - READ_NS - d->transfer_ns;
}

/* Rolls the windows of 10 ms up to t, one by one, as a cluster of 10 ms ticks does. */
static void ticks_to(struct swapdev *d, sim_time t)
{
	sim_time w;

	for (w = d->window_start + 10 * MS; w <= t; w += 10 * MS)
		swapdev_roll(d, w);
}

/* The wait a read sees in the tick that holds t. */
static int64_t read_wait_at(struct swapdev *d, sim_time t)
{
	ticks_to(d, t);
	return read_wait(d);
}

/* n writes in the open window (each adds one transfer of work). */
static void writes(struct swapdev *d, int n)
{
	int i;

	for (i = 0; i < n; i++)
		swapdev_write(d);
}

/* M/D/1 mean wait for utilization rho and service time s. */
static double md1(double rho, double s)
{
	return rho * s / (2 * (1 - rho));
}

/* Asserts a wait in whole ns is the formula's value, rounded either way. */
static void wait_is(int64_t got, double want)
{
	ck_assert_msg(fabs((double)got - want) < 1.0, "wait %lld ns, want %.2f", (long long)got,
		      want);
}

/* --- capacity -------------------------------------------------------------------------- */

START_TEST(writes_take_slots_and_reads_and_discards_free_them)
{
	struct swapdev d;

	slow_device(&d, 3);
	ck_assert(!swapdev_is_full(&d));
	swapdev_write(&d);
	swapdev_write(&d);
	ck_assert(!swapdev_is_full(&d));
	swapdev_write(&d);
	ck_assert_uint_eq(d.used_pages, 3);
	ck_assert(swapdev_is_full(&d));
	swapdev_read(&d);
	ck_assert_uint_eq(d.used_pages, 2);
	ck_assert(!swapdev_is_full(&d));
	swapdev_discard(&d);
	ck_assert_uint_eq(d.used_pages, 1);
	swapdev_write(&d);
	swapdev_write(&d);
	ck_assert(swapdev_is_full(&d));
	/* Totals count I/O: writes out, reads in; a discard moves nothing. */
	ck_assert_uint_eq(d.pages_out, 5);
	ck_assert_uint_eq(d.pages_in, 1);
}
END_TEST

START_TEST(a_device_of_no_pages_is_full)
{
	struct swapdev d;

	slow_device(&d, 0);
	ck_assert(swapdev_is_full(&d));
}
END_TEST

/* The datastore: transfers count I/O and load, and move no slot. */
START_TEST(transfers_move_no_slot_and_an_unbounded_device_is_never_full)
{
	struct swapdev d;

	swapdev_init(&d, SWAPDEV_UNBOUNDED, READ_NS, WRITE_NS, 1e6, 1000);
	ck_assert_int_eq(swapdev_transfer(&d, true), WRITE_NS + MS);
	ck_assert_int_eq(swapdev_transfer(&d, false), READ_NS + MS);
	ck_assert_int_eq(swapdev_transfer(&d, false), READ_NS + MS);
	ck_assert_uint_eq(d.used_pages, 0);
	ck_assert_uint_eq(d.pages_out, 1);
	ck_assert_uint_eq(d.pages_in, 2);
	ck_assert_int_eq(d.busy_ns, 3 * MS);
	ck_assert(!swapdev_is_full(&d));
	/* 3 ms of 10: rho 0.3 for the next window. */
	swapdev_roll(&d, 10 * MS);
	wait_is(swapdev_transfer(&d, false) - READ_NS - MS, md1(0.3, (double)MS));
}
END_TEST

START_TEST(writing_to_a_full_device_is_a_bug)
{
	struct swapdev d;

	slow_device(&d, 2);
	swapdev_write(&d);
	swapdev_write(&d);
	ck_assert_ptr_nonnull(freopen("/dev/null", "w", stderr));    /* SIM_BUG's message */
	swapdev_write(&d);
}
END_TEST

START_TEST(reading_from_an_empty_device_is_a_bug)
{
	struct swapdev d;

	slow_device(&d, 2);
	swapdev_write(&d);
	swapdev_read(&d);
	ck_assert_ptr_nonnull(freopen("/dev/null", "w", stderr));
	swapdev_read(&d);
}
END_TEST

START_TEST(discarding_on_an_empty_device_is_a_bug)
{
	struct swapdev d;

	slow_device(&d, 2);
	ck_assert_ptr_nonnull(freopen("/dev/null", "w", stderr));
	swapdev_discard(&d);
}
END_TEST

/* --- an idle device -------------------------------------------------------------------- */

/* 4096 bytes at 1e9 B/s are 4096 ns: a read costs 100 us + 4096 ns, a write 200 us + 4096. */
START_TEST(idle_device_request_costs_access_latency_plus_one_transfer)
{
	struct swapdev d;

	swapdev_init(&d, 10, 100000, 200000, 1e9, 4096);
	ck_assert_int_eq(d.transfer_ns, 4096);
	ck_assert_int_eq(swapdev_write(&d), 200000 + 4096);
	ck_assert_int_eq(swapdev_write(&d), 200000 + 4096);
	ck_assert_int_eq(swapdev_read(&d), 100000 + 4096);
}
END_TEST

/* 4096 bytes at 6e9 B/s are 682.67 ns, at 3e9 1365.33 ns: the nearest nanosecond. */
START_TEST(transfer_is_a_page_at_the_bandwidth_to_the_nearest_ns)
{
	struct swapdev d;

	swapdev_init(&d, 10, 0, 0, 6e9, 4096);
	ck_assert_int_eq(d.transfer_ns, 683);
	swapdev_init(&d, 10, 0, 0, 3e9, 4096);
	ck_assert_int_eq(d.transfer_ns, 1365);
	swapdev_init(&d, 10, 0, 0, 1e6, 1000);
	ck_assert_int_eq(d.transfer_ns, 1 * MS);
}
END_TEST

/* --- load ------------------------------------------------------------------------------ */

/* 5 transfers of 1 ms in a 10 ms window: rho 0.5, so the next window waits 0.5 ms. */
START_TEST(half_busy_window_makes_the_next_wait_the_md1_mean)
{
	struct swapdev d;

	slow_device(&d, 1000);
	writes(&d, 5);
	ck_assert_int_eq(read_wait_at(&d, 10 * MS), MS / 2);
	/* Every request of that window sees the same wait, whatever it adds. */
	ck_assert_int_eq(swapdev_write(&d) - WRITE_NS - MS, MS / 2);
	ck_assert_int_eq(read_wait(&d), MS / 2);
	/* The totals: 8 transfers asked for, 3 of them waited 0.5 ms. */
	ck_assert_int_eq(d.busy_ns, 8 * MS);
	ck_assert_double_eq(d.wait_sum_ns, 1.5 * MS);
}
END_TEST

/* rho = k / 10 for k = 1..9 transfers: wait rho s / (2 (1 - rho)), e.g. 9 -> 4.5 ms. */
START_TEST(wait_after_a_window_below_full_use_is_md1_for_its_rho)
{
	int k;

	for (k = 1; k <= 9; k++) {
		struct swapdev d;
		double want = md1(k / 10.0, (double)MS);

		slow_device(&d, 1000);
		writes(&d, k);
		wait_is(read_wait_at(&d, 15 * MS), want);
	}
}
END_TEST

/* A window is the span between two rolls: 5 ms of work in a 20 ms window is rho 0.25. */
START_TEST(a_window_is_the_span_between_two_rolls)
{
	struct swapdev d;

	slow_device(&d, 1000);
	writes(&d, 5);
	swapdev_roll(&d, 20 * MS);
	wait_is(read_wait(&d), md1(0.25, (double)MS));
	/* Rolling again at the same time closes nothing. */
	swapdev_roll(&d, 20 * MS);
	wait_is(read_wait(&d), md1(0.25, (double)MS));
}
END_TEST

/* 4 KiB pages at 1e9 B/s, 1 s windows, 100000 writes: rho 0.4096, wait 1420.8 ns. */
START_TEST(wait_at_realistic_sizes_is_md1_for_the_window_work)
{
	struct swapdev d;
	double want = md1(0.4096, 4096);

	swapdev_init(&d, 200000, 100000, 100000, 1e9, 4096);
	writes(&d, 99999);
	ck_assert_int_eq(swapdev_write(&d) - 100000 - 4096, 0);
	swapdev_roll(&d, 1000000000);
	wait_is(swapdev_write(&d) - 100000 - 4096, want);
}
END_TEST

/*
 * 15 ms of work in a 10 ms window: 5 ms carries over, and the next window waits for it,
 * plus the queueing of a saturated window, capped at half a window (5 ms).
 */
START_TEST(work_above_the_window_carries_over_as_a_backlog_wait)
{
	struct swapdev d;

	slow_device(&d, 1000);
	writes(&d, 15);
	ck_assert_int_eq(read_wait_at(&d, 10 * MS), 10 * MS);
	ck_assert_int_eq(read_wait_at(&d, 19 * MS), 10 * MS);
}
END_TEST

/*
 * 25 ms in window 0 leave 15 ms, and window 1 waits for them plus the saturated window's
 * capped queueing (5 ms).  Window 1 adds 5 ms (rho 0.5): of 20 ms it serves 10, so
 * window 2 waits the 10 ms left plus the M/D/1 0.5 ms.  Window 2 adds 2 ms (rho 0.2): of
 * 12 ms 2 are left, plus 0.125 ms.  Window 3 adds 1 ms (rho 0.1) and clears the backlog:
 * 0.1 ms / 1.8.  Window 4 adds 1 ms and window 5 nothing, so window 6 waits nothing.
 */
START_TEST(backlog_adds_to_the_wait_and_is_worked_off)
{
	struct swapdev d;

	slow_device(&d, 1000);
	writes(&d, 25);
	ck_assert_int_eq(read_wait_at(&d, 10 * MS), 20 * MS);
	writes(&d, 4);                  /* with the read: 5 requests in window 1 */
	ck_assert_int_eq(read_wait_at(&d, 20 * MS), 10 * MS + MS / 2);
	writes(&d, 1);                  /* with the read: 2 requests in window 2 */
	wait_is(read_wait_at(&d, 30 * MS), 2 * MS + md1(0.2, (double)MS));
	wait_is(read_wait_at(&d, 40 * MS), md1(0.1, (double)MS));
	ck_assert_int_eq(read_wait_at(&d, 60 * MS), 0);
}
END_TEST

/* A backlog of 15 ms met by idle windows: 5 ms left in window 2, nothing in window 3 on. */
START_TEST(idle_windows_work_the_backlog_off)
{
	struct swapdev a, b, c;

	slow_device(&a, 1000);
	writes(&a, 25);
	ck_assert_int_eq(read_wait_at(&a, 25 * MS), 5 * MS);
	slow_device(&b, 1000);
	writes(&b, 25);
	ck_assert_int_eq(read_wait_at(&b, 35 * MS), 0);
	slow_device(&c, 1000);
	writes(&c, 25);
	ck_assert_int_eq(read_wait_at(&c, 123456 * MS), 0);
	/* One long idle window works off as much as the ticks it spans. */
	slow_device(&c, 1000);
	writes(&c, 25);
	swapdev_roll(&c, 10 * MS);
	swapdev_roll(&c, 30 * MS);
	ck_assert_int_eq(read_wait(&c), 0);
}
END_TEST

/* 5 requests in window 0, none in window 1: window 2's requests do not wait. */
START_TEST(wait_returns_to_zero_after_an_idle_window)
{
	struct swapdev a, b;

	slow_device(&a, 1000);
	writes(&a, 5);
	ck_assert_int_eq(read_wait_at(&a, 20 * MS), 0);
	ck_assert_int_eq(read_wait_at(&a, 29 * MS), 0);
	slow_device(&b, 1000);
	writes(&b, 5);
	ck_assert_int_eq(read_wait_at(&b, 10000 * MS + 3), 0);
}
END_TEST

/* Requests before the first roll wait nothing, however many. */
START_TEST(first_window_waits_nothing)
{
	struct swapdev d;

	slow_device(&d, 1000);
	writes(&d, 30);
	ck_assert_int_eq(read_wait(&d), 0);
	/* 30 + 1 ms asked for: 21 ms left over, plus the capped 5 ms of queueing. */
	ck_assert_int_eq(read_wait_at(&d, 10 * MS), 26 * MS);
}
END_TEST

/* Discards move no data: only the one read of windows 1 and 2 counts (rho 0.1). */
START_TEST(discards_add_no_load)
{
	struct swapdev d;
	int i;

	slow_device(&d, 1000);
	writes(&d, 8);
	wait_is(read_wait_at(&d, 10 * MS), md1(0.8, (double)MS));
	for (i = 0; i < 4; i++)
		swapdev_discard(&d);
	wait_is(read_wait_at(&d, 20 * MS), md1(0.1, (double)MS));
	swapdev_discard(&d);
	wait_is(read_wait_at(&d, 30 * MS), md1(0.1, (double)MS));
}
END_TEST

/*
 * A window asked for exactly its length in work (rho = 1) is saturated: capped queueing,
 * no backlog, 5 ms; one request less (rho 0.9) waits 4.5 ms and one more 5 + 1 ms.  More
 * load never means less wait.
 */
START_TEST(more_work_in_a_window_never_shortens_the_next_wait)
{
	int64_t prev = 0;
	int k;

	for (k = 1; k <= 15; k++) {
		struct swapdev d;
		int64_t got;

		slow_device(&d, 1000);
		writes(&d, k);
		got = read_wait_at(&d, 10 * MS);
		ck_assert_msg(got >= prev, "%d requests: wait %lld ns < %lld ns after %d", k,
			      (long long)got, (long long)prev, k - 1);
		prev = got;
	}
}
END_TEST

/* --- many VMs, one device --------------------------------------------------------------- */

/*
 * 16 VMs share a device of 100 us transfers.  Every 1 s tick each VM in turn issues a
 * Poisson number of requests (mean rho / s / 16 per second), then the tick's window closes.
 * The mean wait per request is M/D/1's, rho s / (2 (1 - rho)), within 5%, and it rises
 * with the load: the windows count each tick's requests once, whichever VM made them.
 */
START_TEST(many_vms_in_turn_wait_the_md1_mean_and_more_as_load_rises)
{
	static const double rhos[] = {0.1, 0.3, 0.5, 0.6, 0.7, 0.8};
	const int vms = 16, ticks = 400;
	const double s = 100e3, tick = 1e9;
	gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
	double prev = 0;
	size_t k;

	for (k = 0; k < sizeof(rhos) / sizeof(rhos[0]); k++) {
		struct swapdev d;
		double per_vm = rhos[k] / s * tick / vms, got, want = md1(rhos[k], s);
		int i, v;

		gsl_rng_set(r, 7);
		swapdev_init(&d, SWAPDEV_UNBOUNDED, READ_NS, WRITE_NS, 1e10, 1000000);
		ck_assert_int_eq(d.transfer_ns, (int64_t)s);
		for (i = 0; i < ticks; i++) {
			swapdev_roll(&d, (sim_time)(i * tick));
			for (v = 0; v < vms; v++) {
				unsigned n = gsl_ran_poisson(r, per_vm);

				while (n--)
					swapdev_transfer(&d, n % 2);
			}
		}
		got = d.wait_sum_ns / (double)(d.pages_in + d.pages_out);
		ck_assert_msg(fabs(got - want) < 0.05 * want, "rho %.1f: wait %.1f ns, M/D/1 %.1f",
			      rhos[k], got, want);
		ck_assert_msg(got > prev, "rho %.1f: wait %.1f ns, not above %.1f", rhos[k], got,
			      prev);
		prev = got;
	}
	gsl_rng_free(r);
}
END_TEST

Suite *swapdev_suite(void)
{
	Suite *s = suite_create("swapdev");
	TCase *tc = tcase_create("capacity");

	tcase_add_test(tc, writes_take_slots_and_reads_and_discards_free_them);
	tcase_add_test(tc, a_device_of_no_pages_is_full);
	tcase_add_test(tc, transfers_move_no_slot_and_an_unbounded_device_is_never_full);
	tcase_add_test_raise_signal(tc, writing_to_a_full_device_is_a_bug, SIGABRT);
	tcase_add_test_raise_signal(tc, reading_from_an_empty_device_is_a_bug, SIGABRT);
	tcase_add_test_raise_signal(tc, discarding_on_an_empty_device_is_a_bug, SIGABRT);
	suite_add_tcase(s, tc);

	tc = tcase_create("latency");
	tcase_add_test(tc, idle_device_request_costs_access_latency_plus_one_transfer);
	tcase_add_test(tc, transfer_is_a_page_at_the_bandwidth_to_the_nearest_ns);
	tcase_add_test(tc, half_busy_window_makes_the_next_wait_the_md1_mean);
	tcase_add_test(tc, wait_after_a_window_below_full_use_is_md1_for_its_rho);
	tcase_add_test(tc, a_window_is_the_span_between_two_rolls);
	tcase_add_test(tc, wait_at_realistic_sizes_is_md1_for_the_window_work);
	tcase_add_test(tc, work_above_the_window_carries_over_as_a_backlog_wait);
	tcase_add_test(tc, backlog_adds_to_the_wait_and_is_worked_off);
	tcase_add_test(tc, idle_windows_work_the_backlog_off);
	tcase_add_test(tc, wait_returns_to_zero_after_an_idle_window);
	tcase_add_test(tc, first_window_waits_nothing);
	tcase_add_test(tc, discards_add_no_load);
	tcase_add_test(tc, more_work_in_a_window_never_shortens_the_next_wait);
	tcase_add_test(tc, many_vms_in_turn_wait_the_md1_mean_and_more_as_load_rises);
	suite_add_tcase(s, tc);
	return s;
}
