/*
 * check_tps.c - ESX's transparent page sharing, policies/share_tps.c, on
 * the model's scan per VM (mem_share_scan's per-VM path and
 * mem_share_arrive in model/mem.c), and the trace's `salt:`.  Expected
 * values are worked out apart from memsim's sharing: savings from the
 * content mix (a brute-force count of equal contents per salt group, and
 * the expected distinct pages of a uniform hash), scan rates and full-scan
 * times by hand from scan_time, rate_max and the GHz cap, and the
 * probability 1 - exp(-w s) that a page written at rate w was written in s.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"
#include "mem.h"
#include "policy_rig.h"
#include "rng.h"
#include "suites.h"
#include "trace.h"
#include "vm.h"

#define PAGE 4096
#define S 1000000000LL
#define MAX_VMS 10

/* --- a host built by hand ---------------------------------------------- */

struct rig {
	struct policy_rig pol;
	struct host h;
	struct vm vm[MAX_VMS];
	struct vm_spec spec[MAX_VMS];
	char name[MAX_VMS][16];
	size_t n_vms;
};

struct rig_vm {
	uint32_t pages;
	double zero, image;
	int image_id;                   /* -1: none */
	uint32_t image_pages;
	double image_zero;
	uint64_t seed;
	double rate, writes;
	const char *salt;               /* the trace's salt:, or NULL */
	bool zero_freed;                /* the guest zeroes what it frees */
};

static void rig_start(struct rig *r, const char *sharing_yaml, const struct policy_set *set)
{
	const char *yaml[FAMILY_COUNT] = {[FAMILY_SHARING] = sharing_yaml};

	memset(r, 0, sizeof(*r));
	policy_rig_init(&r->pol, yaml);
	host_init(&r->h, 0, "h", "g", 1LL << 34, 0);
	hmem_init(&r->h.mem, 1LL << 34, 0, PAGE);
	swapdev_init(&r->h.mem.swap, 1 << 20, 80000, 120000, 1e9, PAGE);
	host_bind_policies(&r->h, set ? set : &r->pol.set, 9, 0);
}

/* Places a VM at t; the guest fills every data page (read: content as born). */
static struct vm *rig_add(struct rig *r, const struct rig_vm *v, sim_time t)
{
	size_t i = r->n_vms++;
	struct vmem_params p = {.n_pages = v->pages, .n_data = v->pages,
				.limit_pages = 2 * (uint64_t)v->pages,
				.image = v->image_id, .image_pages = v->image_pages,
				.image_zero = v->image_zero,
				.zero_share = v->zero, .image_share = v->image,
				.content_seed = v->seed, .zero_freed = v->zero_freed, .now = t};
	struct phase ph = {.pattern = PATTERN_UNIFORM, .rate = v->rate, .writes = v->writes};
	struct vm *vm = &r->vm[i];
	uint32_t d;

	ck_assert_uint_lt(i, MAX_VMS);
	snprintf(r->name[i], sizeof(r->name[i]), "v%zu", i);
	r->spec[i] = (struct vm_spec){.name = r->name[i], .memory_bytes = (int64_t)v->pages * PAGE,
				      .image = v->image_id, .has_salt = v->salt != NULL,
				      .salt = v->salt ? rng_entity(v->salt) : 0};
	vm_init(vm, &r->spec[i], i);
	vmem_init(&vm->mem, &p);
	vm->guest_rng = rng_stream(1, 0, RNG_GUEST, (uint64_t)i);
	host_add_vm(&r->h, vm);
	mem_share_arrive(&r->h, vm, t);
	wss_set(&vm->mem.wss, &ph, v->pages);
	for (d = 0; d < v->pages; d++)
		mem_touch(&r->h, vm, d, false, t);
	return vm;
}

static void rig_end(struct rig *r)
{
	struct sim_err err = {0};
	size_t i;

	ck_assert_msg(mem_check(&r->h, &err) == 0, "%s", err.msg);
	for (i = 0; i < r->n_vms; i++) {
		struct vm *vm = &r->vm[i];

		mem_vm_leave(&r->h, vm);
		vmem_release(&vm->mem);
		gsl_rng_free(vm->guest_rng);
		host_remove_vm(&r->h, vm);
	}
	/* Every VM gone: so are their hints. */
	ck_assert_uint_eq(r->h.mem.scan.cand.n_used, 0);
	hmem_release(&r->h.mem);
	host_release(&r->h);
	policy_rig_release(&r->pol);
}

/* Scanner periods at t0, t0 + dt, ... up to t1. */
static void scan_until(struct rig *r, sim_time t0, sim_time dt, sim_time t1)
{
	sim_time t;

	for (t = t0; t <= t1; t += dt)
		mem_share_scan(&r->h, t);
}

static uint64_t saved(const struct rig *r)
{
	return r->h.mem.n_shared_mapped - r->h.mem.shared.n_used;
}

static double stat_of(struct rig *r, sim_time t, const char *key)
{
	struct policy_ctx ctx = policy_ctx_of(&r->h, FAMILY_SHARING, t);
	struct policy_stats st = {0};
	size_t k;

	r->h.policies->sharing.ops->info.host_stats(&ctx, &st);
	for (k = 0; k < st.n; k++)
		if (!strcmp(st.key[k], key))
			return st.value[k];
	ck_abort_msg("no figure %s", key);
	return NAN;
}

/*
 * The brute-force reference: pages saved when the pages of VMs in the
 * same group (group[i]) merge by content, every content of n pages in a
 * group taking one frame: the sum over groups and non-unique contents of
 * n - 1.  Contents are compared by their identity (zero, image page k).
 */
static uint64_t saved_by_groups(const struct rig *r, const int *group)
{
	static uint32_t seen[MAX_VMS][8192];
	uint64_t total = 0;
	size_t i;
	uint32_t g;

	memset(seen, 0, sizeof(seen));
	for (i = 0; i < r->n_vms; i++)
		for (g = 0; g < r->vm[i].mem.n_pages; g++) {
			uint32_t c = vmem_content(&r->vm[i].mem, g);

			if (c == MEM_CONTENT_UNIQUE)
				continue;
			ck_assert_uint_lt(c, 8192);
			total += seen[group[i]][c]++ > 0;
		}
	return total;
}

/* --- salting ------------------------------------------------------------- */

/*
 * N = 4 identical VMs of P = 4000 pages, all pages of one image of I =
 * 4000 pages whose first Z = 400 are zero: page d is image page h(d) mod
 * I in every VM.  A VM holds D = 1 + (I - Z)(1 - (1 - 1/I)^P) distinct
 * contents on average (the zero page and the non-zero pages a uniform
 * hash hits).  Once every VM has had a full scan (scan_time 10m: 600 s),
 * every content held twice in a salt group is merged: salting 2 saves
 * N (P - D) (intra-VM only), salting 0 saves N P - D ((N - 1) P from the
 * other VMs plus the first VM's own duplicates, zero pages among them),
 * both within 2%, and exactly the brute-force count by group.
 */
static void identical_vms(struct rig *r, const char *yaml)
{
	size_t i;

	rig_start(r, yaml, NULL);
	for (i = 0; i < 4; i++) {
		struct rig_vm v = {.pages = 4000, .image = 1, .image_id = 0, .image_pages = 4000,
				   .image_zero = 0.1, .seed = 21 + i, .rate = 100};

		rig_add(r, &v, 0);
	}
	scan_until(r, 1 * S, 1 * S, 600 * S);
	ck_assert_double_eq(stat_of(r, 0, "full_scans"), 4);
}

START_TEST(salting_2_shares_only_within_a_vm_and_0_across_all)
{
	struct rig r;
	double q0 = pow(1 - 1 / 4000.0, 4000), q1 = 4000 / 4000.0 * pow(1 - 1 / 4000.0, 3999);
	double d = 1 + 3600 * (1 - q0);
	static const int own[4] = {0, 1, 2, 3}, one[4] = {0, 0, 0, 0};
	double expected;

	identical_vms(&r, "{policy: tps, scan_time: 10m}");
	expected = 4 * (4000 - d);
	ck_assert_msg(fabs((double)saved(&r) - expected) < 0.02 * expected,
		      "salting 2: saved %llu, expected %.0f", (unsigned long long)saved(&r),
		      expected);
	ck_assert_uint_eq(saved(&r), saved_by_groups(&r, own));
	/* A content a VM holds twice or more takes a frame of its own in it
	 * (1 + (I - Z) P(k >= 2) of them, k binomial(P, 1/I)); one it holds
	 * once stays a hint ((I - Z) P(k = 1)). */
	ck_assert_double_eq_tol((double)r.h.mem.shared.n_used, 4 * (1 + 3600 * (1 - q0 - q1)),
				0.03 * 4 * (1 + 3600 * (1 - q0 - q1)));
	ck_assert_double_eq_tol(stat_of(&r, 0, "hints"), 4 * 3600 * q1, 0.03 * 4 * 3600 * q1);
	rig_end(&r);

	identical_vms(&r, "{policy: tps, scan_time: 10m, salting: 0}");
	expected = 4 * 4000 - d;
	ck_assert_msg(fabs((double)saved(&r) - expected) < 0.02 * expected,
		      "salting 0: saved %llu, expected %.0f", (unsigned long long)saved(&r),
		      expected);
	ck_assert_uint_eq(saved(&r), saved_by_groups(&r, one));
	/* Every content is held by all four: one frame each, no hint left. */
	ck_assert_double_eq_tol((double)r.h.mem.shared.n_used, d, 0.02 * d);
	ck_assert_double_eq(stat_of(&r, 0, "hints"), 0);
	ck_assert_double_eq(stat_of(&r, 0, "pages_sharing"), (double)saved(&r));
	ck_assert_double_eq(stat_of(&r, 0, "pages_shared"), (double)r.h.mem.shared.n_used);
	ck_assert_double_eq(stat_of(&r, 0, "pages_scanned"), 16000);
	rig_end(&r);
}
END_TEST

/*
 * Salting 1: five VMs of mixed content (25% zero, 50% image pages, the
 * rest unique, each VM its own mix) with salts a, a, b, none, none: the
 * two a's share, b only with itself, and the two without a salt share
 * (salt 0).  Salting 2 with the same VMs: the a's share, b alone, and each
 * VM without a salt alone.  Saved: exactly the brute-force count by group.
 */
static void salted_vms(struct rig *r, const char *yaml)
{
	static const char *const salts[5] = {"a", "a", "b", NULL, NULL};
	size_t i;

	rig_start(r, yaml, NULL);
	for (i = 0; i < 5; i++) {
		struct rig_vm v = {.pages = 3000, .zero = 0.25, .image = 0.5, .image_id = 0,
				   .image_pages = 2000, .seed = 61 + i, .rate = 100,
				   .salt = salts[i]};

		rig_add(r, &v, 0);
	}
	scan_until(r, 1 * S, 1 * S, 600 * S);
	ck_assert_double_eq(stat_of(r, 0, "full_scans"), 5);
}

START_TEST(salting_1_shares_only_within_a_salt)
{
	struct rig r;
	static const int by_salt_1[5] = {0, 0, 1, 2, 2}, by_salt_2[5] = {0, 0, 1, 2, 3};
	static const int all[5] = {0, 0, 0, 0, 0};
	uint64_t s1, s2;

	salted_vms(&r, "{policy: tps, scan_time: 10m, salting: 1}");
	s1 = saved(&r);
	ck_assert_uint_eq(s1, saved_by_groups(&r, by_salt_1));
	ck_assert_uint_lt(s1, saved_by_groups(&r, all));
	rig_end(&r);

	salted_vms(&r, "{policy: tps, scan_time: 10m}");
	s2 = saved(&r);
	ck_assert_uint_eq(s2, saved_by_groups(&r, by_salt_2));
	ck_assert_uint_lt(s2, s1);
	rig_end(&r);
}
END_TEST

/* --- the scan rate and its three caps ---------------------------------- */

/* Full scans completed at t (a period of 1 s, from 1 s). */
static double full_scans_at(struct rig *r, sim_time *now, sim_time t)
{
	scan_until(r, *now + 1 * S, 1 * S, t);
	*now = t;
	return stat_of(r, t, "full_scans");
}

/*
 * scan_time 10m and rate_max 4/s.  A VM of 600 pages: 600 / 600 s = 1
 * page/s, under rate_max: its full scan takes 600 s (none at 599 s, one at
 * 600 s).  A VM of 6000 pages: 10 pages/s by scan_time, so rate_max's 4
 * pages/s: 1500 s.  Eight VMs of 600 pages (1 page/s each, 8 in all) on a
 * host capped at scan_ghz 16 KiB/s x host_ghz 1 = 4 pages/s: each gets
 * 0.5 page/s, 1200 s a scan.
 */
START_TEST(the_scan_rate_obeys_scan_time_rate_max_and_the_ghz_cap)
{
	struct rig r;
	struct rig_vm small = {.pages = 600, .zero = 1, .image_id = -1, .seed = 3, .rate = 1};
	struct rig_vm large = {.pages = 6000, .zero = 1, .image_id = -1, .seed = 4, .rate = 1};
	sim_time now = 0;
	size_t i;

	rig_start(&r, "{policy: tps, scan_time: 10m, rate_max: 4/s}", NULL);
	rig_add(&r, &small, 0);
	ck_assert_double_eq(full_scans_at(&r, &now, 599 * S), 0);
	ck_assert_uint_eq(vmem_scan_pos(&r.vm[0].mem), 599);
	ck_assert_double_eq(full_scans_at(&r, &now, 600 * S), 1);
	ck_assert_double_eq_tol(stat_of(&r, 0, "scan_rate"), 1, 1e-9);
	ck_assert_double_eq(stat_of(&r, 0, "rate_limit.scan_time"), 1);
	ck_assert_double_eq(stat_of(&r, 0, "rate_limit.rate_max"), 0);
	rig_end(&r);

	now = 0;
	rig_start(&r, "{policy: tps, scan_time: 10m, rate_max: 4/s}", NULL);
	rig_add(&r, &large, 0);
	ck_assert_double_eq(full_scans_at(&r, &now, 1499 * S), 0);
	ck_assert_uint_eq(vmem_scan_pos(&r.vm[0].mem), 5996);
	ck_assert_double_eq(full_scans_at(&r, &now, 1500 * S), 1);
	ck_assert_double_eq_tol(stat_of(&r, 0, "scan_rate"), 4, 1e-9);
	ck_assert_double_eq(stat_of(&r, 0, "rate_limit.rate_max"), 1);
	rig_end(&r);

	now = 0;
	rig_start(&r, "{policy: tps, scan_time: 10m, scan_ghz: 16KiB/s, host_ghz: 1}", NULL);
	for (i = 0; i < 8; i++) {
		small.seed = 10 + i;
		rig_add(&r, &small, 0);
	}
	ck_assert_double_eq(full_scans_at(&r, &now, 1199 * S), 0);
	for (i = 0; i < 8; i++)
		ck_assert_uint_eq(vmem_scan_pos(&r.vm[i].mem), 599);
	ck_assert_double_eq(full_scans_at(&r, &now, 1200 * S), 8);
	ck_assert_double_eq_tol(stat_of(&r, 0, "scan_rate"), 4, 1e-9);
	ck_assert_double_eq_tol(stat_of(&r, 0, "scan_rate_cap"), 4, 1e-9);
	ck_assert_double_eq(stat_of(&r, 0, "rate_limit.host_ghz"), 8);
	rig_end(&r);
}
END_TEST

/* A reclaim policy whose pressure the test sets. */
static enum host_pressure fake_pressure;

static enum host_pressure fake_pressure_of(const struct policy_ctx *ctx)
{
	(void)ctx;
	return fake_pressure;
}

static const struct reclaim_ops fake_reclaim_ops = {
	.info = {.name = "fake"},
	.pressure = fake_pressure_of,
};

/*
 * In clear and below TPS runs clear_factor (4) times faster: the VM of
 * 600 pages at scan_time 10m scans in 600 / 4 = 150 s, in soft too; in
 * high at its normal 1 page/s (600 s).
 */
START_TEST(tps_scans_faster_in_clear)
{
	static const enum host_pressure states[3] = {PRESSURE_CLEAR, PRESSURE_SOFT,
						     PRESSURE_HIGH};
	static const sim_time scan_s[3] = {150, 150, 600};
	struct rig_vm small = {.pages = 600, .zero = 1, .image_id = -1, .seed = 3, .rate = 1};
	const char *yaml[FAMILY_COUNT] = {[FAMILY_SHARING] = "{policy: tps, scan_time: 10m}"};
	int k;

	for (k = 0; k < 3; k++) {
		struct rig r;
		struct policy_rig pr;
		struct policy_set set;
		sim_time now = 0;

		policy_rig_init(&pr, yaml);
		set = pr.set;
		set.reclaim = (struct reclaim_policy){&fake_reclaim_ops, NULL};
		fake_pressure = states[k];
		rig_start(&r, NULL, &set);
		rig_add(&r, &small, 0);
		ck_assert_double_eq(full_scans_at(&r, &now, (scan_s[k] - 1) * S), 0);
		ck_assert_double_eq(full_scans_at(&r, &now, scan_s[k] * S), 1);
		ck_assert_double_eq(stat_of(&r, 0, "rate_factor"), k < 2 ? 4 : 1);
		rig_end(&r);
		policy_rig_release(&pr);
	}
}
END_TEST

/* --- hints ----------------------------------------------------------------- */

/*
 * One-page VMs of one image page (the same content), salting 0, scanned
 * every 600 s (scan_time 10m: 1/600 page/s).  A alone: its page becomes a
 * hint, not a shared page, and stays one over later scans.  B arrives: at
 * its visit it matches A's hint, A's page is unchanged, both share one
 * frame.  Again with A's page written before B's visit: the hint is
 * dropped (A's page changed), B's page is hinted instead, nothing shared;
 * a third VM C of the same content then shares with B.
 */
START_TEST(a_hint_shares_only_on_a_later_match_with_the_hinted_page_unchanged)
{
	struct rig r;
	struct rig_vm one = {.pages = 1, .image = 1, .image_id = 0, .image_pages = 1,
			     .seed = 5, .rate = 1};
	struct vm *a, *b;

	rig_start(&r, "{policy: tps, scan_time: 10m, salting: 0}", NULL);
	a = rig_add(&r, &one, 0);
	mem_share_scan(&r.h, 600 * S);
	ck_assert_double_eq(stat_of(&r, 0, "hints"), 1);
	ck_assert_uint_eq(r.h.mem.n_shared_mapped, 0);
	mem_share_scan(&r.h, 1200 * S);
	ck_assert_double_eq(stat_of(&r, 0, "full_scans"), 2);
	ck_assert_double_eq(stat_of(&r, 0, "hints"), 1);
	ck_assert_uint_eq(r.h.mem.n_shared_mapped, 0);
	one.seed = 6;
	b = rig_add(&r, &one, 1200 * S);
	mem_share_scan(&r.h, 1800 * S);
	ck_assert_uint_eq(vmem_state(&a->mem, 0), PS_SHARED);
	ck_assert_uint_eq(vmem_state(&b->mem, 0), PS_SHARED);
	ck_assert_uint_eq(saved(&r), 1);
	ck_assert_double_eq(stat_of(&r, 0, "hints"), 0);
	rig_end(&r);

	rig_start(&r, "{policy: tps, scan_time: 10m, salting: 0}", NULL);
	one.seed = 5;
	a = rig_add(&r, &one, 0);
	mem_share_scan(&r.h, 600 * S);
	ck_assert_double_eq(stat_of(&r, 0, "hints"), 1);
	mem_touch(&r.h, a, 0, true, 700 * S);   /* A's page changes */
	one.seed = 6;
	b = rig_add(&r, &one, 1200 * S);
	mem_share_scan(&r.h, 1800 * S);
	ck_assert_uint_eq(r.h.mem.n_shared_mapped, 0);
	/* B's page is the hint (A's, now unique, gets none). */
	ck_assert_double_eq(stat_of(&r, 0, "hints"), 1);
	one.seed = 7;
	rig_add(&r, &one, 1800 * S);
	mem_share_scan(&r.h, 2400 * S);
	ck_assert_uint_eq(vmem_state(&a->mem, 0), PS_PRIVATE);
	ck_assert_uint_eq(vmem_state(&b->mem, 0), PS_SHARED);
	ck_assert_uint_eq(saved(&r), 1);
	rig_end(&r);

	/* The hinted page now holds other content that could share (the
	 * guest freed and zeroed it): the rehash drops the hint, nothing is
	 * shared, and B's page is the hint. */
	rig_start(&r, "{policy: tps, scan_time: 10m, salting: 0}", NULL);
	one.seed = 5;
	one.zero_freed = true;
	a = rig_add(&r, &one, 0);
	mem_share_scan(&r.h, 600 * S);
	mem_set_ws(&r.h, a, 0);
	ck_assert_uint_eq(vmem_content(&a->mem, 0), MEM_CONTENT_ZERO);
	one.seed = 6;
	b = rig_add(&r, &one, 1200 * S);
	mem_share_scan(&r.h, 1800 * S);
	ck_assert_uint_eq(r.h.mem.n_shared_mapped, 0);
	ck_assert_uint_eq(vmem_state(&a->mem, 0), PS_PRIVATE);
	rig_end(&r);
}
END_TEST

/*
 * A write to a TPS page is a copy-on-write fault: after the salting-0
 * convergence, writes (each twice) to 500 data pages make one COW fault
 * for each of them that was shared, and no more.
 */
START_TEST(a_write_to_a_tps_page_is_a_cow_fault)
{
	struct rig r;
	struct vm *vm;
	uint64_t shared = 0;
	uint32_t d;

	identical_vms(&r, "{policy: tps, scan_time: 10m, salting: 0}");
	vm = &r.vm[1];
	for (d = 0; d < 500; d++)
		shared += vmem_state(&vm->mem, vmem_data_page(&vm->mem, d)) == PS_SHARED;
	ck_assert_uint_gt(shared, 400);
	for (d = 0; d < 1000; d++)
		mem_touch(&r.h, vm, d / 2, true, 700 * S);
	ck_assert_uint_eq(vm->mem.stats.faults[FAULT_COW], shared);
	rig_end(&r);
}
END_TEST

/* --- the order, and what a visit sees -------------------------------------- */

static uint32_t visits[4096];
static uint64_t n_seen, n_changed;
static uint32_t first_of_scan[2][8];

static double count_rate(const struct policy_ctx *ctx, const struct vm *vm)
{
	(void)ctx;
	return (double)vm_pages(vm) / 600.0;
}

static enum share_action count_visit(const struct policy_ctx *ctx, const struct vm *vm,
				     uint32_t g, const struct share_look *look)
{
	(void)ctx;
	(void)vm;
	if (n_seen < 4096 * 2 && n_seen % 4096 < 8)
		first_of_scan[n_seen / 4096][n_seen % 4096] = g;
	n_seen++;
	n_changed += look->changed;
	visits[g]++;
	return SHARE_SKIP;
}

static const struct sharing_ops count_ops = {
	.info = {.name = "count"},
	.visit = count_visit,
	.vm_scan_rate = count_rate,
};

/*
 * A VM of 4096 pages scanned at 4096 / 600 pages/s: each full scan
 * visits every page once (600 s), and two scans' orders differ.  Its
 * pages are written at w = 1/600 per second each (uniform, 4096/600
 * touches/s, all writes, never seen by the slow path).  A page at
 * position p of one scan and p' of the next was last visited
 * s = 600 (1 + x) s before, x = (p' - p) / n triangular on (-1, 1) for
 * independent orders, so the share seen changed in the second scan is
 * 1 - e^-1 E[e^-x] = 1 - e^-1 (e + 1/e - 2) = 0.6004; within 4 binomial
 * sigma.  (The first scan sees every page changed: the guest filled it.)
 */
START_TEST(each_scan_visits_every_page_once_in_a_new_order)
{
	struct rig r;
	struct policy_rig pr;
	struct policy_set set;
	struct rig_vm v = {.pages = 4096, .zero = 1, .image_id = -1, .seed = 3,
			   .rate = 4096.0 / 600, .writes = 1};
	double p = 1 - exp(-1) * (exp(1) + exp(-1) - 2), got;
	uint32_t g;

	policy_rig_init(&pr, NULL);
	set = pr.set;
	set.sharing = (struct sharing_policy){&count_ops, NULL};
	memset(visits, 0, sizeof(visits));
	n_seen = n_changed = 0;
	rig_start(&r, NULL, &set);
	rig_add(&r, &v, 0);
	scan_until(&r, 1 * S, 1 * S, 600 * S);
	ck_assert_uint_eq(n_seen, 4096);
	ck_assert_uint_eq(n_changed, 4096);
	for (g = 0; g < 4096; g++)
		ck_assert_uint_eq(visits[g], 1);
	n_changed = 0;
	scan_until(&r, 601 * S, 1 * S, 1200 * S);
	ck_assert_uint_eq(n_seen, 8192);
	for (g = 0; g < 4096; g++)
		ck_assert_uint_eq(visits[g], 2);
	ck_assert(memcmp(first_of_scan[0], first_of_scan[1], sizeof(first_of_scan[0])) != 0);
	got = (double)n_changed / 4096;
	ck_assert_msg(fabs(got - p) < 4 * sqrt(p * (1 - p) / 4096), "changed %.4f, expected %.4f",
		      got, p);
	rig_end(&r);
	policy_rig_release(&pr);
}
END_TEST

/* --- config errors ---------------------------------------------------------- */

static const struct {
	const char *yaml;
	unsigned line, col;
	const char *says;
} bad_params[] = {
	{"{policy: tps, salting: 3}", 1, 24, "salting"},
	{"{policy: tps, salt: 2}", 1, 15, "salt"},
	{"{policy: tps, scan_time: 5m}", 1, 26, "scan_time"},
	{"{policy: tps, rate_max: 0/s}", 1, 25, "rate_max"},
	{"{policy: tps, scan_ghz: fast}", 1, 25, "fast"},
	{"{policy: tps, clear_factor: 0.5}", 1, 29, "clear_factor"},
};

START_TEST(bad_tps_parameters_are_located_errors)
{
	struct cfg_node *cfg;
	struct policy p;
	struct sim_err err = {0};

	ck_assert_int_eq(cfg_load_string("t", bad_params[_i].yaml, &cfg, &err), 0);
	ck_assert_int_lt(policy_configure(FAMILY_SHARING, cfg, NULL, &p, &err), 0);
	ck_assert_msg(err.line == bad_params[_i].line && err.col == bad_params[_i].col,
		      "%s: at %u:%u, want %u:%u (%s)", bad_params[_i].yaml, err.line, err.col,
		      bad_params[_i].line, bad_params[_i].col, err.msg);
	ck_assert_msg(strstr(err.msg, bad_params[_i].says), "%s", err.msg);
	cfg_free(cfg);
}
END_TEST

/* The trace's salt: a name, given to VMs and groups; a list or map is an error there. */
START_TEST(a_salt_in_the_trace_is_a_string)
{
	struct cfg_node *root;
	struct trace t;
	struct sim_err err = {0};

	ck_assert_int_eq(cfg_load_string("t", "vms: [{name: a, memory: 1GiB, salt: [x]}]\n",
					 &root, &err),
			 0);
	ck_assert_int_lt(trace_load(root, &t, &err), 0);
	ck_assert_uint_eq(err.line, 1);
	ck_assert_uint_eq(err.col, 37);
	trace_release(&t);
	cfg_free(root);

	ck_assert_int_eq(cfg_load_string("t",
					 "vms: [{name: a, memory: 1GiB, salt: web},\n"
					 "      {name: b, memory: 1GiB, salt: web},\n"
					 "      {name: c, memory: 1GiB}]\n"
					 "groups: [{name: g, count: 1, memory: 1GiB, salt: db}]\n",
					 &root, &err),
			 0);
	ck_assert_msg(trace_load(root, &t, &err) == 0, "%s", err.msg);
	ck_assert(t.vms[0].has_salt && t.vms[1].has_salt && !t.vms[2].has_salt);
	ck_assert_uint_eq(t.vms[0].salt, t.vms[1].salt);
	ck_assert(t.groups[0].proto.has_salt);
	ck_assert_uint_ne(t.groups[0].proto.salt, t.vms[0].salt);
	trace_release(&t);
	cfg_free(root);
}
END_TEST

Suite *tps_suite(void)
{
	Suite *s = suite_create("tps");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 0);       /* no wall-clock limit */
	tcase_add_test(tc, salting_2_shares_only_within_a_vm_and_0_across_all);
	tcase_add_test(tc, salting_1_shares_only_within_a_salt);
	tcase_add_test(tc, the_scan_rate_obeys_scan_time_rate_max_and_the_ghz_cap);
	tcase_add_test(tc, tps_scans_faster_in_clear);
	tcase_add_test(tc, a_hint_shares_only_on_a_later_match_with_the_hinted_page_unchanged);
	tcase_add_test(tc, a_write_to_a_tps_page_is_a_cow_fault);
	tcase_add_test(tc, each_scan_visits_every_page_once_in_a_new_order);
	tcase_add_loop_test(tc, bad_tps_parameters_are_located_errors, 0,
			    (int)(sizeof(bad_params) / sizeof(bad_params[0])));
	tcase_add_test(tc, a_salt_in_the_trace_is_a_string);
	suite_add_tcase(s, tc);
	return s;
}
