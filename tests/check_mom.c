/*
 * check_mom.c - the balloon policy mom (policies/balloon_mom.c): oVirt
 * MOM's balloon rules and its KSM tuning, and KSM's pages per period
 * under that tuning (policies/share_ksm.c).  Expected values are worked
 * by hand from MECHANISMS.md 2.2 and oVirt/mom's balloon.rules: h = host
 * free / host memory; shrink below 20% to max(0.95 cur, used + free share
 * x cur), the free share 20% x h / 20% (h - 5% at or below 5%); grow to
 * min(1.05 cur, max), at least used + 20% x max; changes of at most 0.25%
 * of cur skipped; and KSM's pages_to_scan +300 / -50 within [64, 1250],
 * sleep max(10, 10 x 16 GiB / memory) ms.
 */
#include <check.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host.h"
#include "policy_rig.h"
#include "rng.h"
#include "scenario.h"
#include "suites.h"
#include "vm.h"

#define PAGE 4096
#define MiB (1024LL * 1024)
#define GiB (1024LL * MiB)
#define S 1000000000LL

/* --- a host built by hand ---------------------------------------------- */

struct mom_rig {
	struct policy_rig pol;
	struct host h;
	struct vm vm[2];
	struct vm_spec spec[2];
	char name[2][8];
	size_t n_vms;
};

/* A host of memory_bytes with two VMs of 1024 pages whose working sets
 * (the oracle's estimate: their used memory) are ws[i] pages, each
 * with touched[i] pages resident, under balloon and sharing yaml. */
static void rig_init(struct mom_rig *r, int64_t memory_bytes, const char *balloon,
		     const char *sharing, const uint32_t ws[2], const uint32_t touched[2])
{
	const char *yaml[FAMILY_COUNT] = {
		[FAMILY_ESTIMATOR] = "{policy: oracle}",
		[FAMILY_BALLOON] = balloon,
		[FAMILY_SHARING] = sharing,
	};
	size_t i;

	memset(r, 0, sizeof(*r));
	policy_rig_init(&r->pol, yaml);
	host_init(&r->h, 0, "h", "g", memory_bytes, 0);
	hmem_init(&r->h.mem, memory_bytes, 0, PAGE);
	swapdev_init(&r->h.mem.swap, 1 << 20, 80000, 120000, 1e9, PAGE);
	host_bind_policies(&r->h, &r->pol.set, 9, 0);
	r->n_vms = 2;
	for (i = 0; i < 2; i++) {
		struct vmem_params p = {.n_pages = 1024, .n_data = 1024, .limit_pages = 1024,
					.image = -1, .content_seed = (uint64_t)i + 1};
		struct phase ph = {.pattern = PATTERN_UNIFORM, .rate = 1000};
		struct vm *vm = &r->vm[i];
		uint32_t d;
		int f;

		snprintf(r->name[i], sizeof(r->name[i]), "v%zu", i);
		r->spec[i] = (struct vm_spec){.name = r->name[i], .memory_bytes = 1024 * PAGE,
					      .limit_bytes = 1024 * PAGE, .image = -1};
		vm_init(vm, &r->spec[i], i);
		vmem_init(&vm->mem, &p);
		vm->guest_rng = rng_stream(1, 0, RNG_GUEST, (uint64_t)i);
		host_add_vm(&r->h, vm);
		wss_set(&vm->mem.wss, &ph, ws[i]);
		for (d = 0; d < touched[i]; d++)
			mem_touch(&r->h, vm, d, true, 0);
		for (f = 0; f < FAMILY_COUNT; f++) {
			void *priv;
			const struct policy_info *info =
				policy_set_info(&r->pol.set, (enum policy_family)f, &priv);

			vm->policy_priv[f] = info->vm_priv_size ? calloc(1, info->vm_priv_size)
								: NULL;
		}
	}
}

static void rig_free(struct mom_rig *r)
{
	size_t i;
	int f;

	for (i = 0; i < r->n_vms; i++) {
		for (f = 0; f < FAMILY_COUNT; f++)
			free(r->vm[i].policy_priv[f]);
		mem_vm_leave(&r->h, &r->vm[i]);
		vmem_release(&r->vm[i].mem);
		gsl_rng_free(r->vm[i].guest_rng);
		host_remove_vm(&r->h, &r->vm[i]);
	}
	hmem_release(&r->h.mem);
	host_release(&r->h);
	policy_rig_release(&r->pol);
}

/* Gives the host free_frames free frames (policy_rig_set_free). */
static void set_free(struct mom_rig *r, uint64_t free_frames)
{
	policy_rig_set_free(&r->h.mem, free_frames);
}

/* One MOM interval at t. */
static void interval(struct mom_rig *r, sim_time t)
{
	struct policy_ctx ctx = policy_ctx_of(&r->h, FAMILY_BALLOON, t);

	r->pol.set.balloon.ops->info.on_period(&ctx);
}

static uint64_t target(struct mom_rig *r, size_t i)
{
	struct policy_ctx ctx = policy_ctx_of(&r->h, FAMILY_BALLOON, 0);

	return balloon_target(&r->pol.set.balloon, &ctx, &r->vm[i]);
}

/* Moves VM i's balloon to n pages at once. */
static void balloon_to(struct mom_rig *r, size_t i, uint64_t n)
{
	mem_balloon_towards(&r->h, &r->vm[i], n, 1024, 0);
	ck_assert_uint_eq(vm_ballooned_pages(&r->vm[i]), n);
}

static double stat_of(struct mom_rig *r, enum policy_family f, const char *key)
{
	struct policy_ctx ctx = policy_ctx_of(&r->h, f, 0);
	struct policy_stats st = {0};
	void *priv;
	const struct policy_info *info = policy_set_info(&r->pol.set, f, &priv);
	size_t k;

	info->host_stats(&ctx, &st);
	for (k = 0; k < st.n; k++)
		if (!strcmp(st.key[k], key))
			return st.value[k];
	ck_abort_msg("no figure %s", key);
	return NAN;
}

/* --- the balloon rules ------------------------------------------------------ */

/*
 * A host of 10000 pages, two VMs of 1024 pages, none ballooned (cur =
 * 1024), using 400 and 1000 pages.
 * h = 0.10 (1000 free): below 20%, not critical; free share 0.2 x 0.1 /
 * 0.2 = 0.1.  VM0: floor 400 + 102.4 = 502.4, size max(972.8, 502.4) =
 * 972.8, rounded up to 973: balloon 51.  VM1: floor 1000 + 102.4 > 1024 =
 * cur: no change (balloon 0).
 * h = 0.04 (400 free): critical, free share 0.04 - 0.05 = -0.01.  VM1:
 * floor 1000 - 10.24 = 989.76, size 989.76, up to 990: balloon 34.  VM0's
 * balloon has not moved (cur is still 1024): floor 389.76, size 972.8, 51
 * again.
 */
START_TEST(shrink_targets_by_hand_above_and_at_critical)
{
	static const uint32_t ws[2] = {400, 1000}, touched[2] = {400, 1000};
	struct mom_rig r;

	rig_init(&r, 10000LL * PAGE, "{policy: mom}", NULL, ws, touched);
	set_free(&r, 1000);
	interval(&r, 10 * S);
	ck_assert_uint_eq(target(&r, 0), 51);
	ck_assert_uint_eq(target(&r, 1), 0);
	ck_assert_double_eq(stat_of(&r, FAMILY_BALLOON, "shrinks"), 1);
	set_free(&r, 400);
	interval(&r, 20 * S);
	ck_assert_uint_eq(target(&r, 0), 51);
	ck_assert_uint_eq(target(&r, 1), 34);
	ck_assert_double_eq(stat_of(&r, FAMILY_BALLOON, "target_bytes"), (51 + 34) * PAGE);
	rig_free(&r);
}
END_TEST

/*
 * h = 0.30 (3000 free of 10000): grow.  Both VMs ballooned to 200 pages
 * (cur 824).  VM0 (used 400): floor 400 + 0.2 x 1024 = 604.8, size
 * min(824 x 1.05, 1024) = 865.2, rounded down to 865: balloon 159.  VM1
 * (used 1000): floor 1000 + 204.8 = 1204.8 lifts the size to 1024 in the
 * rules file, but no interval moves a guest by more than 5% of cur:
 * 865.2, balloon 159 too.  A guest not ballooned is left alone.
 */
START_TEST(grow_targets_by_hand_and_the_five_percent_cap)
{
	static const uint32_t ws[2] = {400, 1000}, touched[2] = {300, 300};
	struct mom_rig r;

	rig_init(&r, 10000LL * PAGE, "{policy: mom}", NULL, ws, touched);
	balloon_to(&r, 0, 200);
	balloon_to(&r, 1, 200);
	set_free(&r, 3000);
	interval(&r, 10 * S);
	ck_assert_uint_eq(target(&r, 0), 159);
	ck_assert_uint_eq(target(&r, 1), 159);
	ck_assert_double_eq(stat_of(&r, FAMILY_BALLOON, "grows"), 2);
	balloon_to(&r, 0, 0);
	balloon_to(&r, 1, 0);
	interval(&r, 20 * S);
	/* Nothing ballooned: nothing sent, the last targets stand. */
	ck_assert_double_eq(stat_of(&r, FAMILY_BALLOON, "grows"), 2);
	rig_free(&r);
}
END_TEST

/*
 * The grow rule's floor, used + 20% of the guest's maximum (balloon_max,
 * not cur), lifts a slow grow (grow: 1%) within the 5% cap: cur 824
 * (balloon 200), used 650: min(824 x 1.01, 1024) = 832.24 is lifted to
 * 650 + 204.8 = 854.8, rounded down to 854: balloon 170.
 */
START_TEST(the_grow_floor_counts_the_guests_maximum)
{
	static const uint32_t ws[2] = {650, 650}, touched[2] = {300, 300};
	struct mom_rig r;

	rig_init(&r, 10000LL * PAGE, "{policy: mom, grow: 1%}", NULL, ws, touched);
	balloon_to(&r, 0, 200);
	set_free(&r, 3000);
	interval(&r, 10 * S);
	ck_assert_uint_eq(target(&r, 0), 170);
	rig_free(&r);
}
END_TEST

/*
 * A change of at most 0.25% of cur is not sent: a guest ballooned by 2
 * pages (cur 1022) would grow to 1024, a change of 2 < 0.0025 x 1022 =
 * 2.555 pages: skipped, and the last target (51, from a shrink) stands.
 * 3 pages (cur 1021, change 3 > 2.5525) is sent: balloon 0.
 */
START_TEST(changes_under_a_quarter_percent_are_skipped)
{
	static const uint32_t ws[2] = {400, 400}, touched[2] = {400, 400};
	struct mom_rig r;

	rig_init(&r, 10000LL * PAGE, "{policy: mom}", NULL, ws, touched);
	set_free(&r, 1000);
	interval(&r, 10 * S);
	ck_assert_uint_eq(target(&r, 0), 51);
	balloon_to(&r, 0, 2);
	balloon_to(&r, 1, 3);
	set_free(&r, 3000);
	interval(&r, 20 * S);
	ck_assert_uint_eq(target(&r, 0), 51);
	ck_assert_uint_eq(target(&r, 1), 0);
	ck_assert_double_eq(stat_of(&r, FAMILY_BALLOON, "skipped"), 1);
	rig_free(&r);
}
END_TEST

/*
 * Brute force over random states (host free share, used memory, balloon):
 * the memory a target leaves never differs from cur by more than 5% of
 * cur (plus the page its rounding may add), and a change sent is always
 * more than 0.25% of cur.
 */
START_TEST(no_interval_moves_a_guest_by_more_than_five_percent)
{
	gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
	int trial;

	gsl_rng_set(g, 5);
	for (trial = 0; trial < 300; trial++) {
		uint32_t ws[2], touched[2] = {100, 100};
		struct mom_rig r;
		uint64_t balloon[2], before[2];
		size_t i;

		for (i = 0; i < 2; i++) {
			ws[i] = (uint32_t)gsl_rng_uniform_int(g, 1025);
			balloon[i] = gsl_rng_uniform_int(g, 600);
		}
		rig_init(&r, 10000LL * PAGE, "{policy: mom}", NULL, ws, touched);
		for (i = 0; i < 2; i++) {
			balloon_to(&r, i, balloon[i]);
			before[i] = target(&r, i);
		}
		set_free(&r, gsl_rng_uniform_int(g, 5000));
		interval(&r, 10 * S);
		for (i = 0; i < 2; i++) {
			double cur = 1024.0 - (double)balloon[i];
			double now = 1024.0 - (double)target(&r, i);

			if (target(&r, i) == before[i])
				continue;       /* nothing sent */
			ck_assert_msg(fabs(now - cur) <= 0.05 * cur + 1, "cur %.0f -> %.0f", cur,
				      now);
			ck_assert_msg(fabs(now - cur) > 0.0025 * cur - 1, "cur %.0f -> %.0f", cur,
				      now);
		}
		rig_free(&r);
	}
	gsl_rng_free(g);
}
END_TEST

/* --- KSM tuning ----------------------------------------------------------- */

static uint64_t ksm_pages(struct mom_rig *r, sim_time t)
{
	struct policy_ctx ctx = policy_ctx_of(&r->h, FAMILY_SHARING, t);

	return r->pol.set.sharing.ops->pages_per_period(&ctx);
}

static uint64_t tuned_pages(struct mom_rig *r, uint64_t configured, sim_time *sleep_ns)
{
	struct policy_ctx ctx = policy_ctx_of(&r->h, FAMILY_SHARING, 0);
	uint64_t p = configured;

	*sleep_ns = 20000000;
	ck_assert(policy_sharing_tuning(&ctx, &p, sleep_ns));
	return p;
}

/*
 * A 64 GiB host with less than 20% free (a tenth): KSM runs, and after k
 * intervals pages_to_scan = min(1250, 100 + 300 k) from ksm's 100; sleep
 * max(10, 10 x 16 / 64 = 2.5) = 10 ms, so against ksm's configured 20 ms
 * the scanner visits twice pages_to_scan per period.  Then free above 20%
 * with committed memory + 20% above the host's: -50 an interval, down to
 * 64.  Free above 20% and committed + 20% below: KSM stops (0 pages).
 * Before MOM's first interval, and without mom, ksm runs as configured.
 */
START_TEST(ksm_pages_to_scan_and_sleep_follow_the_rules)
{
	static const uint32_t ws[2] = {10, 10}, touched[2] = {10, 10};
	uint64_t frames = (uint64_t)(64 * GiB / PAGE);
	struct mom_rig r;
	sim_time sleep_ns;
	int k;

	rig_init(&r, 64 * GiB, "{policy: mom}", "{policy: ksm}", ws, touched);
	ck_assert_uint_eq(ksm_pages(&r, 0), 100);
	set_free(&r, frames / 10);
	for (k = 1; k <= 6; k++) {
		uint64_t want = 100 + 300 * (uint64_t)k < 1250 ? 100 + 300 * (uint64_t)k : 1250;

		interval(&r, k * 10 * S);
		ck_assert_uint_eq(tuned_pages(&r, 100, &sleep_ns), want);
		ck_assert_int_eq(sleep_ns, 10000000);
		ck_assert_uint_eq(ksm_pages(&r, k * 10 * S), 2 * want);
	}
	ck_assert_double_eq(stat_of(&r, FAMILY_BALLOON, "ksm.sleep_ms"), 10);
	/* Committed + 20% above memory keeps it running; free above 20%: decay. */
	r.h.committed_bytes = 60 * GiB;
	set_free(&r, frames / 2);
	for (k = 1; k <= 30; k++) {
		uint64_t want = 1250 - 50 * (uint64_t)k > 64 && 50 * k < 1250
					? 1250 - 50 * (uint64_t)k : 64;

		interval(&r, (60 + k * 10) * S);
		ck_assert_uint_eq(tuned_pages(&r, 100, &sleep_ns), want);
	}
	/* Neither: stopped. */
	r.h.committed_bytes = 2 * 1024 * PAGE;
	interval(&r, 400 * S);
	ck_assert_uint_eq(tuned_pages(&r, 100, &sleep_ns), 0);
	ck_assert_uint_eq(ksm_pages(&r, 400 * S), 0);
	ck_assert_double_eq(stat_of(&r, FAMILY_BALLOON, "ksm.run"), 0);
	rig_free(&r);

	/* An 8 GiB host sleeps 10 x 16 / 8 = 20 ms; ksm_tuning off leaves ksm alone. */
	rig_init(&r, 8 * GiB, "{policy: mom}", "{policy: ksm}", ws, touched);
	set_free(&r, (uint64_t)(8 * GiB / PAGE) / 10);
	interval(&r, 10 * S);
	ck_assert_uint_eq(tuned_pages(&r, 100, &sleep_ns), 400);
	ck_assert_int_eq(sleep_ns, 20000000);
	ck_assert_uint_eq(ksm_pages(&r, 10 * S), 400);
	rig_free(&r);
	rig_init(&r, 8 * GiB, "{policy: mom, ksm_tuning: false}", "{policy: ksm}", ws, touched);
	set_free(&r, (uint64_t)(8 * GiB / PAGE) / 10);
	interval(&r, 10 * S);
	ck_assert_uint_eq(ksm_pages(&r, 10 * S), 100);
	rig_free(&r);
	rig_init(&r, 8 * GiB, "{policy: none}", "{policy: ksm, pages_to_scan: 77}", ws, touched);
	ck_assert_uint_eq(ksm_pages(&r, 10 * S), 77);
	rig_free(&r);
}
END_TEST

/* The tuning is exact from any configured pages_to_scan: from 1200, one
 * boost is 1250 (clamped), and then two decays 1150; from 10, a decay is
 * 64 (the floor), and a boost then 364. */
START_TEST(ksm_tuning_composes_from_any_configured_value)
{
	static const uint32_t ws[2] = {10, 10}, touched[2] = {10, 10};
	uint64_t frames = (uint64_t)(64 * GiB / PAGE);
	struct mom_rig r;
	sim_time sleep_ns;

	rig_init(&r, 64 * GiB, "{policy: mom}", "{policy: ksm}", ws, touched);
	set_free(&r, frames / 10);
	interval(&r, 10 * S);
	ck_assert_uint_eq(tuned_pages(&r, 1200, &sleep_ns), 1250);
	r.h.committed_bytes = 60 * GiB;
	set_free(&r, frames / 2);
	interval(&r, 20 * S);
	interval(&r, 30 * S);
	ck_assert_uint_eq(tuned_pages(&r, 1200, &sleep_ns), 1150);
	rig_free(&r);
	rig_init(&r, 64 * GiB, "{policy: mom}", "{policy: ksm}", ws, touched);
	r.h.committed_bytes = 60 * GiB;
	set_free(&r, frames / 2);
	interval(&r, 10 * S);
	ck_assert_uint_eq(tuned_pages(&r, 10, &sleep_ns), 64);
	set_free(&r, frames / 10);
	interval(&r, 20 * S);
	ck_assert_uint_eq(tuned_pages(&r, 10, &sleep_ns), 364);
	rig_free(&r);
}
END_TEST

/* --- configuration -------------------------------------------------------- */

static char path[64];
static struct scenario sc;
static struct sim_err err;

static int load_policies(const char *policies_line)
{
	int fd;
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "/tmp/memsim-mom-XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	fprintf(f, "duration: 1h\nhosts: [{memory: 64GiB}]\n%s\n"
		   "workload: {vms: [{name: a, memory: 1GiB}]}\n",
		policies_line);
	fclose(f);
	memset(&err, 0, sizeof(err));
	memset(&sc, 0, sizeof(sc));
	rc = scenario_load(path, NULL, &sc, &err);
	unlink(path);
	return rc;
}

/* Columns counted by hand on "policies: {balloon: {policy: mom, " (34 characters):
 * a key at 35, max_change's value at 47, pressure_critical's at 54. */
START_TEST(bad_parameters_are_located_errors)
{
	ck_assert_int_eq(load_policies("policies: {balloon: {policy: mom, interval: 5s}}"), 0);
	ck_assert_str_eq(cfg_at_path(sc.root, "policies.balloon.pressure_threshold")->text, "20%");
	ck_assert_str_eq(cfg_at_path(sc.root, "policies.balloon.ksm_tuning")->text, "true");
	scenario_release(&sc);
	ck_assert_int_eq(load_policies("policies: {balloon: {policy: mom, treshold: 5%}}"),
			 -SIM_EKEY);
	ck_assert_uint_eq(err.line, 3);
	ck_assert_uint_eq(err.col, 35);
	scenario_release(&sc);
	ck_assert_int_eq(load_policies("policies: {balloon: {policy: mom, max_change: 2}}"),
			 -SIM_ERANGE);
	ck_assert_uint_eq(err.col, 47);
	scenario_release(&sc);
	ck_assert_int_eq(load_policies("policies: {balloon: {policy: mom, "
				       "pressure_critical: 30%}}"),
			 -SIM_EINVAL);
	ck_assert_uint_eq(err.col, 54);
	ck_assert(strstr(err.msg, "pressure_critical"));
	scenario_release(&sc);
}
END_TEST

Suite *mom_suite(void)
{
	Suite *s = suite_create("mom");
	TCase *tc = tcase_create("balloon");

	tcase_add_test(tc, shrink_targets_by_hand_above_and_at_critical);
	tcase_add_test(tc, grow_targets_by_hand_and_the_five_percent_cap);
	tcase_add_test(tc, the_grow_floor_counts_the_guests_maximum);
	tcase_add_test(tc, changes_under_a_quarter_percent_are_skipped);
	tcase_add_test(tc, no_interval_moves_a_guest_by_more_than_five_percent);
	tcase_set_timeout(tc, 0);
	suite_add_tcase(s, tc);
	tc = tcase_create("ksm");
	tcase_add_test(tc, ksm_pages_to_scan_and_sleep_follow_the_rules);
	tcase_add_test(tc, ksm_tuning_composes_from_any_configured_value);
	suite_add_tcase(s, tc);
	tc = tcase_create("config");
	tcase_add_test(tc, bad_parameters_are_located_errors);
	suite_add_tcase(s, tc);
	return s;
}
