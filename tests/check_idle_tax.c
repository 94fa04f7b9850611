/*
 * check_idle_tax.c - the balloon policy esx-idle-tax
 * (policies/balloon_esx_idle_tax.c): k and rho on hand-computed cases
 * (MECHANISMS.md 1.1), the water level against splits worked by hand, the
 * targets through the model, and the idle-tax experiment of OSDI'02
 * section 5.4 run end to end.
 */
#include <check.h>
#include <math.h>
#include <string.h>

#include "balloon_esx_idle_tax.h"
#include "cluster.h"
#include "policy_rig.h"
#include "suites.h"

#define S 1000000000LL
#define MiB (1024LL * 1024)

/* --- k and rho ------------------------------------------------------------ */

START_TEST(k_is_one_over_one_less_the_tax_rate)
{
	/* tau = 75% (Mem.IdleTax): k = 1 / 0.25 = 4 (MECHANISMS.md 1.1). */
	ck_assert_double_eq_tol(esx_idle_tax_k(0.75), 4.0, 1e-12);
	ck_assert_double_eq_tol(esx_idle_tax_k(0), 1.0, 1e-12);
	ck_assert_double_eq_tol(esx_idle_tax_k(0.5), 2.0, 1e-12);
	ck_assert_double_eq_tol(esx_idle_tax_k(0.99), 100.0, 1e-9);
}
END_TEST

START_TEST(rho_charges_k_per_idle_page)
{
	/* f = 0.25 at k = 4: 0.25 + 4 x 0.75 = 3.25, rho = S / (3.25 P). */
	ck_assert_double_eq_tol(esx_idle_tax_rho(1000, 100, 0.25, 4), 1000 / (3.25 * 100), 1e-12);
	/* All active: S / P whatever k; all idle: S / (k P). */
	ck_assert_double_eq_tol(esx_idle_tax_rho(1000, 100, 1, 4), 10.0, 1e-12);
	ck_assert_double_eq_tol(esx_idle_tax_rho(1000, 100, 0, 4), 2.5, 1e-12);
	/* No tax: pure proportional share, S / P. */
	ck_assert_double_eq_tol(esx_idle_tax_rho(1000, 100, 0.25, 1), 10.0, 1e-12);
}
END_TEST

/* --- the water level -------------------------------------------------------- */

static void assert_split(const struct esx_tax_vm *v, size_t n, double avail, double k,
			 const double *want)
{
	double got[8];
	size_t i;

	ck_assert_int_eq(esx_idle_tax_allocate(v, n, avail, k, got), 0);
	for (i = 0; i < n; i++)
		ck_assert_msg(fabs(got[i] - want[i]) < 1e-6, "VM %zu: %.9f pages, want %.9f", i,
			      got[i], want[i]);
}

/* rho of VM v at its allocation p, f = active / p at most 1. */
static double rho_at(const struct esx_tax_vm *v, double p, double k)
{
	return esx_idle_tax_rho(v->shares, p, fmin(1, v->active_pages / p), k);
}

START_TEST(equal_shares_without_tax_split_equally)
{
	/* Three VMs of 100 pages, 150 to give: 50 each, whatever is active. */
	struct esx_tax_vm v[] = {{1, 0, 0, 100}, {1, 50, 0, 100}, {1, 100, 0, 100}};
	double want[] = {50, 50, 50};

	assert_split(v, 3, 150, 1, want);
}
END_TEST

START_TEST(shares_two_to_one_split_two_to_one)
{
	/* 90 pages at S = 2 and 1: 60 and 30, and rho = 2/60 = 1/30 for both. */
	struct esx_tax_vm v[] = {{2, 0, 0, 100}, {1, 0, 0, 100}};
	double want[] = {60, 30};

	assert_split(v, 2, 90, 1, want);
	ck_assert_double_eq_tol(rho_at(&v[0], 60, 1), rho_at(&v[1], 30, 1), 1e-12);
}
END_TEST

START_TEST(a_reservation_is_never_taken_and_a_limit_never_passed)
{
	/* 2:1 would give 60 and 30; VM 1 reserves 40, so VM 0 gets 90 - 40. */
	struct esx_tax_vm reserved[] = {{2, 0, 0, 100}, {1, 0, 40, 100}};
	/* VM 0 may hold at most 50, so VM 1 gets 90 - 50. */
	struct esx_tax_vm limited[] = {{2, 0, 0, 50}, {1, 0, 0, 100}};
	double want_reserved[] = {50, 40}, want_limited[] = {50, 40};

	assert_split(reserved, 2, 90, 1, want_reserved);
	assert_split(limited, 2, 90, 1, want_limited);
}
END_TEST

START_TEST(when_everything_fits_every_vm_gets_all_it_may_hold)
{
	/* 200 pages wanted, 250 to give: nobody is ballooned, even idle ones. */
	struct esx_tax_vm v[] = {{1, 0, 0, 100}, {5, 100, 0, 100}};
	double want[] = {100, 100};

	assert_split(v, 2, 250, 4, want);
	assert_split(v, 2, 200, 4, want);
}
END_TEST

START_TEST(the_tax_moves_idle_pages_to_the_active_vm)
{
	/*
	 * Equal shares, k = 4, 100 pages to give.  VM 0 is idle (A = 0): its
	 * cost is 4 P0.  VM 1 has A = 40 active: for P1 >= 40 its cost is
	 * 40 + 4 (P1 - 40) = 4 P1 - 120.  Equal rho, equal costs: P1 = P0 + 30,
	 * and P0 + P1 = 100: P0 = 35, P1 = 65.
	 */
	struct esx_tax_vm v[] = {{1, 0, 0, 100}, {1, 40, 0, 100}};
	/*
	 * VM 1 all active (A = 100 >= P1): cost P1 = 4 P0, P0 + P1 = 100:
	 * P0 = 20, P1 = 80.
	 */
	struct esx_tax_vm busy[] = {{1, 0, 0, 100}, {1, 100, 0, 100}};
	double want[] = {35, 65}, want_busy[] = {20, 80};

	assert_split(v, 2, 100, 4, want);
	ck_assert_double_eq_tol(rho_at(&v[0], 35, 4), rho_at(&v[1], 65, 4), 1e-12);
	assert_split(busy, 2, 100, 4, want_busy);
	/* Without the tax both split equally. */
	want[0] = want[1] = 50;
	assert_split(v, 2, 100, 1, want);
}
END_TEST

START_TEST(reservations_that_do_not_fit_are_all_a_vm_gets)
{
	struct esx_tax_vm v[] = {{1, 0, 60, 100}, {1, 0, 60, 100}};
	double want[] = {60, 60};

	assert_split(v, 2, 100, 4, want);
}
END_TEST

/* A VM without shares bids nothing: its reservation, 10, and the other
 * VM all it may hold, 100, though 150 pages were there to give; with
 * 80 pages, the other gets 80 - 10. */
START_TEST(a_vm_without_shares_keeps_only_its_reservation)
{
	struct esx_tax_vm v[] = {{0, 50, 10, 100}, {1, 0, 0, 100}};
	double want[] = {10, 100}, want_short[] = {10, 70};

	assert_split(v, 2, 150, 4, want);
	assert_split(v, 2, 80, 4, want_short);
}
END_TEST

/* --- through the model ------------------------------------------------------ */

struct world {
	struct policy_rig pol;
	struct host_params host;
	struct sim *sim;
	struct cluster *c;
};

/* One host of memory_bytes (no overhead) running vms under the rig's
 * policies, at page_bytes, its balloons capped at 65%. */
static void world_start(struct world *w, int64_t memory_bytes, const struct vm_spec *vms,
			size_t n_vms, int64_t page_bytes, sim_time end)
{
	struct cluster_params p = {0};

	w->host = (struct host_params){.name = "h-0", .group = "h", .memory_bytes = memory_bytes,
				       .swap_bytes = 1024 * MiB, .swap_read_ns = 80000,
				       .swap_write_ns = 120000, .swap_bandwidth = 2e9,
				       .disk_read_ns = 110000, .disk_write_ns = 52000,
				       .disk_bandwidth = 5e8};
	p.policies = w->pol.set;
	p.hosts = &w->host;
	p.n_hosts = 1;
	p.vms = vms;
	p.n_vms = n_vms;
	p.seed = 1;
	p.page_bytes = page_bytes;
	p.tick_ns = S;
	p.end_ns = end;
	p.latency = (struct mem_latency){.zero_fill_ns = 2000, .cow_ns = 3000};
	p.balloon_rate = 256.0 * MiB;   /* the driver's default, 256MiB/s */
	p.balloon_max = 0.65;           /* Mem.CtlMaxPercent */
	w->sim = sim_new();
	w->c = cluster_new(w->sim, &p);
	cluster_start(w->c);
}

static void world_end(struct world *w)
{
	cluster_free(w->c);
	sim_free(w->sim);
	policy_rig_release(&w->pol);
}

static uint64_t ballooned(const struct world *w, size_t i)
{
	return w->c->vms[i].mem.n_state[PS_BALLOONED];
}

static struct phase quiet = {.ws_bytes = 64 * MiB, .pattern = PATTERN_UNIFORM, .rate = 100};

/* A VM of 1 GiB at shares_per_mb (high 20, normal 10, low 5). */
static struct vm_spec gib_vm(const char *name, double shares_per_mb)
{
	return (struct vm_spec){.name = (char *)name, .memory_bytes = 1024 * MiB,
				.limit_bytes = 1024 * MiB, .shares_per_mb = shares_per_mb,
				.shares = shares_per_mb * 1024, .arrive_ns = 0,
				.depart_ns = SPEC_NEVER, .image = -1, .phases = &quiet,
				.n_phases = 1};
}

/*
 * Two VMs of 1 GiB (512 pages of 2 MiB), shares high and normal (20 and 10
 * per MB: 2:1), on a host of 1536 MiB: MinFree is 6% of it, 92.16 MiB, so
 * the host can give 1443.84 MiB, 721 pages (rounded down).  At tau = 0
 * they get 721 x 2/3 = 480.67 and 240.33 pages, rounded down to 480 and
 * 240: targets 512 - 480 = 32 and 512 - 240 = 272 (53%, under the cap).
 * A reservation of 600 MiB (300 pages) for b: b 300, a 421, targets 91
 * and 212.  A limit of 800 MiB (400 pages) for a: a 400, b 321, targets
 * 112 and 191.  With a host of 2200 MiB (MinFree 132 MiB, 1034 pages to
 * give) both fit: no target.  With b at low shares (5 per MB: 4:1) on a
 * host of 1024 MiB (MinFree 61.44 MiB, 481 pages): a 384.8, b 96.2 pages,
 * targets 128 and 416, but b's balloon stops at its cap, 65% of 512 pages,
 * 332 (rounded down).
 */
START_TEST(targets_follow_shares_reservation_limit_min_free_and_the_cap)
{
	static const struct {
		int64_t host, b_reservation, a_limit;
		double b_shares_per_mb;
		uint64_t want_a, want_b;
	} cases[] = {
		{1536 * MiB, 0, 1024 * MiB, 10, 32, 272},
		{1536 * MiB, 600 * MiB, 1024 * MiB, 10, 91, 212},
		{1536 * MiB, 0, 800 * MiB, 10, 112, 191},
		{2200 * MiB, 0, 1024 * MiB, 10, 0, 0},
		{1024 * MiB, 0, 1024 * MiB, 5, 128, 332},
	};
	const char *yaml[FAMILY_COUNT] = {
		[FAMILY_ESTIMATOR] = "{policy: oracle}",
		[FAMILY_OVERCOMMIT] = "{policy: ratio, max: 2}",
		[FAMILY_BALLOON] = "{policy: esx-idle-tax, tax_rate: 0}"};
	size_t k;

	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct vm_spec vms[] = {gib_vm("a", 20), gib_vm("b", cases[k].b_shares_per_mb)};
		struct world w;

		vms[0].limit_bytes = cases[k].a_limit;
		vms[1].reservation_bytes = cases[k].b_reservation;
		policy_rig_init(&w.pol, yaml);
		world_start(&w, cases[k].host, vms, 2, 2 * MiB, 10 * S);
		sim_run(w.sim, 10 * S);
		ck_assert_msg(ballooned(&w, 0) == cases[k].want_a && ballooned(&w, 1) ==
			      cases[k].want_b, "case %zu: %llu and %llu, want %llu and %llu", k,
			      (unsigned long long)ballooned(&w, 0),
			      (unsigned long long)ballooned(&w, 1),
			      (unsigned long long)cases[k].want_a,
			      (unsigned long long)cases[k].want_b);
		world_end(&w);
	}
}
END_TEST

/* A VM placed after the last period has no target until the next one:
 * the policy answers from what its period computed, and reports it. */
START_TEST(targets_are_computed_once_per_period_and_reported)
{
	const char *yaml[FAMILY_COUNT] = {
		[FAMILY_ESTIMATOR] = "{policy: oracle}",
		[FAMILY_OVERCOMMIT] = "{policy: ratio, max: 2}",
		[FAMILY_BALLOON] = "{policy: esx-idle-tax, tax_rate: 0, period: 10s}"};
	struct vm_spec vms[] = {gib_vm("a", 20), gib_vm("b", 10)};
	struct policy_stats st = {0};
	struct policy_ctx ctx;
	struct world w;

	policy_rig_init(&w.pol, yaml);
	world_start(&w, 1536 * MiB, vms, 2, 2 * MiB, 30 * S);
	sim_run(w.sim, 9 * S);
	ck_assert_uint_eq(ballooned(&w, 0) + ballooned(&w, 1), 0);
	/* The period at 10 s, then ticks at the driver's 128 pages a second. */
	sim_run(w.sim, 14 * S);
	ck_assert_uint_eq(ballooned(&w, 0), 32);
	ck_assert_uint_eq(ballooned(&w, 1), 272);
	/* The host's figures: 721 pages to give, 32 + 272 in the targets. */
	ctx = policy_ctx_of(&w.c->hosts[0], FAMILY_BALLOON, 14 * S);
	w.pol.p[FAMILY_BALLOON].info->host_stats(&ctx, &st);
	ck_assert_uint_eq(st.n, 2);
	ck_assert_str_eq(st.key[0], "allocatable_bytes");
	ck_assert_double_eq(st.value[0], 721.0 * 2 * MiB);
	ck_assert_str_eq(st.key[1], "target_bytes");
	ck_assert_double_eq(st.value[1], (32.0 + 272) * 2 * MiB);
	world_end(&w);
}
END_TEST

/* --- OSDI'02 section 5.4 ------------------------------------------------------ */

/*
 * The idle-tax experiment (OSDI'02 5.4, Fig. 7; MECHANISMS.md 1.1): two
 * VMs of 256 MB with equal shares on a host that cannot hold both.  VM
 * "idle" touches all its memory in its first minute, then nothing; VM
 * "busy" arrives then and keeps touching a working set of 200 MiB.  The
 * host has 381 MiB and no overhead: MinFree is 6% of it, 22.86 MiB, so it
 * can give 358.14 MiB, 91683 pages of 4 KiB ((399507456 - 23970447) /
 * 4096 rounded down), as the paper's host that gave each VM ~179 MB.
 *
 * tau = 0: each VM's rho is S / P whatever it does, so both get half,
 * 45841.5 pages, 45841 rounded down: balloons of 65536 - 45841 = 19695
 * pages (76.93 MiB).  Busy's guest then holds 179.07 MiB of its 200 MiB
 * working set and pages the rest in from its disk: a uniform touch misses
 * with m = 20.93 / 200 = 0.1047, and each miss waits for one read (the
 * pages are clean), 110 us + 4096 B at 500 MB/s = 118.2 us.  At 5000
 * touches a second of the time it computes, stalls s of its time satisfy
 * s = (1 - s) x 5000 x m x 118.2 us = (1 - s) x 0.0618: s = 0.0582.
 *
 * tau = 75%, k = 4, once idle's estimate has decayed (f_idle ~ 0: the slow
 * average halves every 8 minutes) and busy's is its working set (A =
 * 200 MiB): idle's cost is 4 P_idle, busy's A + 4 (P_busy - A); equal
 * costs give P_busy = P_idle + 3/4 A = P_idle + 150 MiB, and P_idle +
 * P_busy = 358.14 MiB: P_idle = 104.07 MiB, P_busy = 254.07 MiB (under its
 * 256).  Balloons: idle 151.93 MiB (59% of it, under the 65% cap, which
 * would bind only below 89.6 MiB; with busy at most 256 MiB idle keeps at
 * least 102.14), busy 1.93 MiB.  Busy's working set then fits: its
 * slowdown falls to 0 (the paper's VM gained over 30% of throughput).  The estimator samples 1000 pages a period (ESX's 100
 * would do, with a wider band): busy's f has an sd of 0.013 (binomial, p =
 * 0.78), about 3 MiB of its estimate and, times 3/8, about 1 MiB of the
 * split; the bound is 4 MiB.
 */
static struct phase idle_phases[] = {
	{.at_ns = 0, .ws_bytes = 256 * MiB, .pattern = PATTERN_UNIFORM, .rate = 20000},
	{.at_ns = 60 * S, .ws_bytes = 256 * MiB, .pattern = PATTERN_UNIFORM, .rate = 0},
};
static struct phase busy_phase = {.ws_bytes = 200 * MiB, .pattern = PATTERN_UNIFORM,
				  .rate = 5000};

#define PAGES_OF(mib) ((mib) * 256.0)  /* 4 KiB pages in mib MiB */

struct split {
	uint64_t balloon_idle, balloon_busy;
	double busy_slowdown;           /* its stalled share of the last 30 minutes */
};

static struct split idle_tax_experiment(const char *balloon)
{
	const char *yaml[FAMILY_COUNT] = {
		[FAMILY_ESTIMATOR] = "{policy: esx-sampling, pages: 1000}",
		[FAMILY_OVERCOMMIT] = "{policy: ratio, max: 2}", [FAMILY_BALLOON] = balloon};
	struct vm_spec vms[2];
	struct split out;
	struct world w;
	int64_t stall, run;
	sim_time end = 120 * 60 * S;

	vms[0] = (struct vm_spec){.name = (char *)"idle", .memory_bytes = 256 * MiB,
				  .limit_bytes = 256 * MiB, .shares_per_mb = 10,
				  .shares = 2560, .depart_ns = SPEC_NEVER, .image = -1,
				  .phases = idle_phases, .n_phases = 2};
	vms[1] = vms[0];
	vms[1].name = (char *)"busy";
	vms[1].arrive_ns = 60 * S;
	vms[1].phases = &busy_phase;
	vms[1].n_phases = 1;
	policy_rig_init(&w.pol, yaml);
	world_start(&w, 381 * MiB, vms, 2, 4096, end);
	sim_run(w.sim, end - 30 * 60 * S);
	stall = w.c->vms[1].mem.stats.stall_ns;
	run = w.c->vms[1].mem.stats.run_ns;
	sim_run(w.sim, end);
	out.balloon_idle = ballooned(&w, 0);
	out.balloon_busy = ballooned(&w, 1);
	out.busy_slowdown = (double)(w.c->vms[1].mem.stats.stall_ns - stall) /
			    (double)(w.c->vms[1].mem.stats.run_ns - run);
	ck_assert_uint_eq(w.c->stats.oom, 0);
	world_end(&w);
	return out;
}

START_TEST(osdi02_idle_tax_moves_idle_memory_to_the_active_vm)
{
	struct split flat = idle_tax_experiment("{policy: esx-idle-tax, tax_rate: 0}");
	struct split taxed = idle_tax_experiment("{policy: esx-idle-tax, tax_rate: 75%}");

	/* tau = 0: an equal split, 179.07 MiB each. */
	ck_assert_uint_eq(flat.balloon_idle, 19695);
	ck_assert_uint_eq(flat.balloon_busy, 19695);
	/* tau = 75%: idle 104.07 MiB, busy 254.07 MiB. */
	ck_assert_msg(fabs((double)taxed.balloon_idle - PAGES_OF(151.93)) < PAGES_OF(4),
		      "idle's balloon %.2f MiB, want 151.93", (double)taxed.balloon_idle / 256);
	ck_assert_msg(fabs((double)taxed.balloon_busy - PAGES_OF(1.93)) < PAGES_OF(4),
		      "busy's balloon %.2f MiB, want 1.93", (double)taxed.balloon_busy / 256);
	/* Short of its working set busy stalls 5.82% of its time; with it, not
	 * at all (the bound leaves room for the disk's queueing at 6% busy). */
	ck_assert_msg(fabs(flat.busy_slowdown - 0.0582) < 0.005, "busy's slowdown at tau = 0: %.4f",
		      flat.busy_slowdown);
	ck_assert_msg(taxed.busy_slowdown < 0.001, "busy's slowdown at tau = 75%%: %.4f",
		      taxed.busy_slowdown);
}
END_TEST

Suite *idle_tax_suite(void)
{
	Suite *s = suite_create("idle_tax");
	TCase *tc = tcase_create("arithmetic");
	TCase *model = tcase_create("model");

	tcase_add_test(tc, k_is_one_over_one_less_the_tax_rate);
	tcase_add_test(tc, rho_charges_k_per_idle_page);
	tcase_add_test(tc, equal_shares_without_tax_split_equally);
	tcase_add_test(tc, shares_two_to_one_split_two_to_one);
	tcase_add_test(tc, a_reservation_is_never_taken_and_a_limit_never_passed);
	tcase_add_test(tc, when_everything_fits_every_vm_gets_all_it_may_hold);
	tcase_add_test(tc, the_tax_moves_idle_pages_to_the_active_vm);
	tcase_add_test(tc, reservations_that_do_not_fit_are_all_a_vm_gets);
	tcase_add_test(tc, a_vm_without_shares_keeps_only_its_reservation);
	suite_add_tcase(s, tc);
	tcase_set_timeout(model, 0);
	tcase_add_test(model, targets_follow_shares_reservation_limit_min_free_and_the_cap);
	tcase_add_test(model, targets_are_computed_once_per_period_and_reported);
	tcase_add_test(model, osdi02_idle_tax_moves_idle_memory_to_the_active_vm);
	suite_add_tcase(s, model);
	return s;
}
