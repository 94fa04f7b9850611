/*
 * check_sharing.c - the sharing scanner (mem_share_scan in model/mem.c)
 * and the sharing policies policies/share_zero_only.c and
 * policies/share_ksm.c.  Expected values are worked out by hand: pages counted from
 * the content mix the test sets up, the probability 1 - exp(-w s) that a
 * page written at rate w was written in s, and ksm.rst's formulas.
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
#include "vm.h"

#define PAGE 4096
#define MS 1000000LL
#define S 1000000000LL
#define MAX_VMS 8

/* --- a host built by hand ---------------------------------------------- */

struct rig {
	struct policy_rig pol;
	struct host h;
	struct vm vm[MAX_VMS];
	struct vm_spec spec[MAX_VMS];
	char name[MAX_VMS][16];
	size_t n_vms;
};

/* A VM's content and access: n pages, all data; shares of zero and image pages. */
struct rig_vm {
	uint32_t pages;
	double zero, image;
	int image_id;                   /* -1: none */
	uint32_t image_pages;
	double image_zero;              /* share of the image's pages that are zero */
	uint64_t seed;
	double rate, writes;            /* its working set's touches per second */
	const struct mem_image *images; /* image versions, or NULL */
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

/* Places a VM and has the guest fill every data page (read: content as born). */
static struct vm *rig_add(struct rig *r, const struct rig_vm *v)
{
	size_t i = r->n_vms++;
	struct vmem_params p = {.n_pages = v->pages, .n_data = v->pages,
				.limit_pages = 2 * (uint64_t)v->pages,
				.image = v->image_id, .image_pages = v->image_pages,
				.image_zero = v->image_zero, .images = v->images,
				.zero_share = v->zero, .image_share = v->image,
				.content_seed = v->seed};
	struct phase ph = {.pattern = PATTERN_UNIFORM, .rate = v->rate, .writes = v->writes};
	struct vm *vm = &r->vm[i];
	uint32_t d;

	ck_assert_uint_lt(i, MAX_VMS);
	snprintf(r->name[i], sizeof(r->name[i]), "v%zu", i);
	r->spec[i] = (struct vm_spec){.name = r->name[i], .memory_bytes = (int64_t)v->pages * PAGE,
				      .image = v->image_id};
	vm_init(vm, &r->spec[i], i);
	vmem_init(&vm->mem, &p);
	vm->guest_rng = rng_stream(1, 0, RNG_GUEST, (uint64_t)i);
	host_add_vm(&r->h, vm);
	wss_set(&vm->mem.wss, &ph, v->pages);
	for (d = 0; d < v->pages; d++)
		mem_touch(&r->h, vm, d, false, 0);
	return vm;
}

static void rig_leave(struct rig *r, struct vm *vm)
{
	mem_vm_leave(&r->h, vm);
	vmem_release(&vm->mem);
	gsl_rng_free(vm->guest_rng);
	vm->guest_rng = NULL;
	host_remove_vm(&r->h, vm);
}

static void rig_end(struct rig *r)
{
	struct sim_err err = {0};
	size_t i;

	ck_assert_msg(mem_check(&r->h, &err) == 0, "%s", err.msg);
	for (i = 0; i < r->n_vms; i++)
		if (r->vm[i].guest_rng)
			rig_leave(r, &r->vm[i]);
	hmem_release(&r->h.mem);
	host_release(&r->h);
	policy_rig_release(&r->pol);
}

/* Scanner periods from t0, one every dt, until t1. */
static void scan_until(struct rig *r, sim_time t0, sim_time dt, sim_time t1)
{
	sim_time t;

	for (t = t0; t <= t1; t += dt)
		mem_share_scan(&r->h, t);
}

/* The host's pages saved by sharing: guest pages mapped minus frames. */
static uint64_t saved(const struct rig *r)
{
	return r->h.mem.n_shared_mapped - r->h.mem.shared.n_used;
}

static uint64_t count_content(const struct vm *vm, uint32_t c, enum page_state st)
{
	uint64_t n = 0;
	uint32_t g;

	for (g = 0; g < vm->mem.n_pages; g++)
		n += vmem_content(&vm->mem, g) == c && vmem_state(&vm->mem, g) == st;
	return n;
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

/* --- a policy that merges nothing and counts what it is shown ----------- */

static uint64_t seen, seen_changed, seen_shared, count_budget;

static uint64_t count_pages(const struct policy_ctx *ctx)
{
	(void)ctx;
	return count_budget;
}

static enum share_action count_visit(const struct policy_ctx *ctx, const struct vm *vm,
				     uint32_t g, const struct share_look *look)
{
	(void)ctx;
	(void)vm;
	(void)g;
	seen++;
	seen_changed += look->changed;
	seen_shared += look->shared;
	return SHARE_SKIP;
}

static const struct sharing_ops count_ops = {
	.info = {.name = "count"},
	.pages_per_period = count_pages,
	.visit = count_visit,
};

/*
 * The scanner's "changed since the last visit": 4000 pages touched
 * uniformly at 4000/s with 25% writes, so each is written at w = 0.25/s.
 * The first lap sees every page changed (the guest filled it since it was
 * born); a lap s = 2 s later sees a share 1 - exp(-w s) = 1 - e^-0.5 =
 * 0.3935 changed, binomial: within 4 sigma (sqrt(p(1-p)/n) = 0.0077).
 * Each changed page's content is unique after (it was all zero).
 */
START_TEST(a_page_changed_since_the_last_visit_is_drawn_from_its_write_rate)
{
	struct rig r;
	struct policy_set set;
	struct vm *vm;
	struct rig_vm v = {.pages = 4000, .zero = 1, .image_id = -1, .seed = 5, .rate = 4000,
			   .writes = 0.25};
	double p = -expm1(-0.25 * 2.0), got;

	memset(&set, 0, sizeof(set));
	policy_rig_init(&r.pol, NULL);
	set = r.pol.set;
	policy_rig_release(&r.pol);
	set.sharing = (struct sharing_policy){&count_ops, NULL};
	rig_start(&r, NULL, &set);
	vm = rig_add(&r, &v);
	seen = seen_changed = 0;
	count_budget = 4000;
	mem_share_scan(&r.h, 1 * MS);
	ck_assert_uint_eq(seen, 4000);
	ck_assert_uint_eq(seen_changed, 4000);
	ck_assert_uint_eq(count_content(vm, MEM_CONTENT_ZERO, PS_PRIVATE), 4000);
	seen = seen_changed = 0;
	mem_share_scan(&r.h, 2 * S + 1 * MS);
	ck_assert_uint_eq(seen, 4000);
	got = (double)seen_changed / 4000.0;
	ck_assert_msg(fabs(got - p) < 4 * sqrt(p * (1 - p) / 4000), "changed %.4f, expected %.4f",
		      got, p);
	ck_assert_uint_eq(count_content(vm, MEM_CONTENT_UNIQUE, PS_PRIVATE), seen_changed);
	/* Unwritten since: nothing changed in no time. */
	seen = seen_changed = 0;
	mem_share_scan(&r.h, 2 * S + 1 * MS);
	ck_assert_uint_eq(seen_changed, 0);
	rig_end(&r);
}
END_TEST

/* --- zero-only ----------------------------------------------------------- */

/*
 * Three VMs of 3000 pages, 30% zero, 50% pages of one image, the rest
 * unique, never written.  With zero-only every zero page, and only they,
 * maps to one frame: saved = zero pages - 1.  At 100 pages per 20 ms the
 * 9000 pages take 90 periods for a full scan: one scan merges them all.
 */
START_TEST(zero_only_merges_only_zero_pages_into_one_frame)
{
	struct rig r;
	struct vm *vm[3];
	uint64_t zeros = 0, image = 0;
	size_t i;

	rig_start(&r, "{policy: zero-only}", NULL);
	for (i = 0; i < 3; i++) {
		struct rig_vm v = {.pages = 3000, .zero = 0.3, .image = 0.5, .image_id = 0,
				   .image_pages = 2000, .seed = 11 + i, .rate = 100};

		vm[i] = rig_add(&r, &v);
		zeros += count_content(vm[i], MEM_CONTENT_ZERO, PS_PRIVATE);
	}
	for (i = 0; i < 3; i++)
		image += 3000 - count_content(vm[i], MEM_CONTENT_ZERO, PS_PRIVATE) -
			 count_content(vm[i], MEM_CONTENT_UNIQUE, PS_PRIVATE);
	ck_assert(zeros > 2000 && image > 3000);
	/* 89 periods: one page short of a full scan; the 90th completes it. */
	scan_until(&r, 20 * MS, 20 * MS, 89 * 20 * MS);
	ck_assert_double_eq(stat_of(&r, 0, "full_scans"), 0);
	scan_until(&r, 90 * 20 * MS, 20 * MS, 90 * 20 * MS);
	ck_assert_uint_eq(r.h.mem.shared.n_used, 1);
	ck_assert_uint_eq(saved(&r), zeros - 1);
	for (i = 0; i < 3; i++)
		ck_assert_uint_eq(count_content(vm[i], MEM_CONTENT_ZERO, PS_PRIVATE), 0);
	ck_assert_double_eq(stat_of(&r, 0, "pages_shared"), 1);
	ck_assert_double_eq(stat_of(&r, 0, "pages_sharing"), (double)(zeros - 1));
	ck_assert_double_eq(stat_of(&r, 0, "pages_scanned"), 9000);
	/* The next period starts the second scan, which ends the first. */
	scan_until(&r, 91 * 20 * MS, 20 * MS, 91 * 20 * MS);
	ck_assert_double_eq(stat_of(&r, 0, "full_scans"), 1);
	rig_end(&r);
}
END_TEST

/* --- the rules ----------------------------------------------------------- */

/*
 * A write to a shared page breaks it by copy-on-write: after zero-only
 * has merged 1000 zero pages, writes to 300 distinct pages (each twice)
 * make 300 COW faults, no more, and leave 700 shared.
 */
START_TEST(a_write_to_a_shared_page_is_a_cow_fault)
{
	struct rig r;
	struct vm *vm;
	struct rig_vm v = {.pages = 1000, .zero = 1, .image_id = -1, .seed = 3, .rate = 100};
	uint32_t d;

	rig_start(&r, "{policy: zero-only, pages_to_scan: 1000}", NULL);
	vm = rig_add(&r, &v);
	mem_share_scan(&r.h, 1 * MS);
	ck_assert_uint_eq(vm->mem.n_state[PS_SHARED], 1000);
	for (d = 0; d < 600; d++)
		mem_touch(&r.h, vm, d / 2, true, 2 * MS);
	ck_assert_uint_eq(vm->mem.stats.faults[FAULT_COW], 300);
	ck_assert_uint_eq(vm->mem.n_state[PS_SHARED], 700);
	ck_assert_uint_eq(count_content(vm, MEM_CONTENT_UNIQUE, PS_PRIVATE), 300);
	/* Written pages are unique: a later scan merges none of them. */
	mem_share_scan(&r.h, 3 * MS);
	ck_assert_uint_eq(vm->mem.n_state[PS_SHARED], 700);
	rig_end(&r);
}
END_TEST

/*
 * Ballooned pages are not scanned; a departing VM drops its references;
 * shared pages are never swapped (victim choice skips them).
 */
START_TEST(ballooned_pages_are_not_scanned_and_departure_drops_references)
{
	struct rig r;
	struct policy_set set;
	struct vm *a, *b;
	struct rig_vm v = {.pages = 1000, .zero = 1, .image_id = -1, .seed = 3, .rate = 100};

	policy_rig_init(&r.pol, NULL);
	set = r.pol.set;
	policy_rig_release(&r.pol);
	set.sharing = (struct sharing_policy){&count_ops, NULL};
	rig_start(&r, NULL, &set);
	a = rig_add(&r, &v);
	/* 400 pages into the balloon: the scanner sees the other 600. */
	mem_balloon_towards(&r.h, a, 400, 400, 1 * MS);
	ck_assert_uint_eq(a->mem.n_state[PS_BALLOONED], 400);
	seen = 0;
	count_budget = 600;
	mem_share_scan(&r.h, 2 * MS);
	ck_assert_uint_eq(seen, 600);
	ck_assert_uint_eq(a->mem.share_clock.hand, 0);  /* one whole lap for 600 */
	rig_end(&r);

	rig_start(&r, "{policy: zero-only, pages_to_scan: 5000}", NULL);
	a = rig_add(&r, &v);
	v.seed = 4;
	b = rig_add(&r, &v);
	mem_share_scan(&r.h, 1 * MS);
	ck_assert_uint_eq(r.h.mem.n_shared_mapped, 2000);
	ck_assert_uint_eq(saved(&r), 1999);
	/* Shared pages are skipped by victim choice: b has no private page,
	 * and reclaim ahead of demand frees none of the 2000 shared pages. */
	ck_assert_uint_eq(mem_victim_random(b, b->guest_rng), MEM_NONE);
	ck_assert_uint_eq(mem_reclaim_ahead(&r.h, 100, 2 * MS), 0);
	ck_assert_uint_eq(r.h.mem.n_shared_mapped, 2000);
	ck_assert_uint_eq(r.h.mem.swap.used_pages, 0);
	rig_leave(&r, a);
	ck_assert_uint_eq(r.h.mem.n_shared_mapped, 1000);
	ck_assert_uint_eq(r.h.mem.shared.n_used, 1);
	ck_assert_uint_eq(r.h.mem.frames_free + 1, r.h.mem.frames_total);
	rig_leave(&r, b);
	ck_assert_uint_eq(r.h.mem.shared.n_used, 0);
	ck_assert_uint_eq(r.h.mem.frames_free, r.h.mem.frames_total);
	rig_end(&r);
}
END_TEST


/* --- ksm ---------------------------------------------------------------- */

/*
 * N = 4 identical VMs of one image of I = 4000 pages, 10% of them zero,
 * each VM's 4000 pages all image pages (page d is image page h(d) mod I,
 * the same in every VM), never written.  One VM holds
 * D = 1 + 3600 (1 - (1 - 1/I)^4000) distinct contents (the zero page and
 * the non-zero image pages its pages hit, a uniform hash); the four share
 * them all: saved = 4 x 4000 - D, less the extra frames of the zero page
 * at 256 sharers a frame (4 x 400 zero pages: ceil(1600 / 256) - 1 = 6).
 * Within 2%.  At KSM's defaults, 100 pages per 20 ms, a full scan of the
 * 16000 pages takes 160 periods (3.2 s): the first visits are all
 * volatile (the guest filled every page since it was born), so nothing
 * merges in the first scan, everything by the end of the second, and
 * nothing more after.
 */
START_TEST(identical_vms_converge_in_two_full_scans)
{
	struct rig r;
	size_t i;
	double d_expected = 1 + 3600 * (1 - pow(1 - 1 / 4000.0, 4000));
	double expected = 4 * 4000 - d_expected - 6;
	uint64_t at2;

	rig_start(&r, "{policy: ksm}", NULL);
	for (i = 0; i < 4; i++) {
		struct rig_vm v = {.pages = 4000, .image = 1, .image_id = 0, .image_pages = 4000,
				   .image_zero = 0.1, .seed = 21 + i, .rate = 100};

		rig_add(&r, &v);
		ck_assert_uint_eq(count_content(&r.vm[i], MEM_CONTENT_UNIQUE, PS_PRIVATE), 0);
	}
	scan_until(&r, 20 * MS, 20 * MS, 160 * 20 * MS);
	ck_assert_uint_eq(saved(&r), 0);
	scan_until(&r, 161 * 20 * MS, 20 * MS, 320 * 20 * MS);
	at2 = saved(&r);
	ck_assert_msg(fabs((double)at2 - expected) < 0.02 * expected, "saved %llu, expected %.0f",
		      (unsigned long long)at2, expected);
	ck_assert_double_eq(stat_of(&r, 320 * 20 * MS, "full_scans"), 1);
	scan_until(&r, 321 * 20 * MS, 20 * MS, 480 * 20 * MS);
	ck_assert_uint_eq(saved(&r), at2);
	ck_assert_double_eq(stat_of(&r, 0, "full_scans"), 2);
	rig_end(&r);
}
END_TEST

/*
 * Volatile pages never merge: two identical all-zero VMs of 2000 pages
 * whose pages are each written 10 times a second (uniform, 20000/s, all
 * writes).  A full scan of 4000 pages at 100 per 20 ms takes 0.8 s: a
 * page is unwritten over it with probability e^-8 = 0.0003.  Whatever
 * merged is broken again by the next write; at any visit the page has
 * changed, so after 5 scans nothing is shared and nearly every tracked
 * page is volatile (ksm.rst: volatile = rmap_items - shared - sharing -
 * unshared): at least 99%.
 */
START_TEST(volatile_pages_never_merge)
{
	struct rig r;
	size_t i;

	rig_start(&r, "{policy: ksm}", NULL);
	for (i = 0; i < 2; i++) {
		struct rig_vm v = {.pages = 2000, .zero = 1, .image_id = -1, .seed = 31 + i,
				   .rate = 20000, .writes = 1};

		rig_add(&r, &v);
	}
	scan_until(&r, 20 * MS, 20 * MS, 5 * 40 * 20 * MS + 20 * MS);
	ck_assert_uint_eq(r.h.mem.n_shared_mapped, 0);
	ck_assert_double_eq(stat_of(&r, 0, "pages_sharing"), 0);
	ck_assert_double_ge(stat_of(&r, 0, "pages_volatile"), 0.99 * 4000);
	ck_assert_double_eq(stat_of(&r, 0, "full_scans"), 5);
	rig_end(&r);
}
END_TEST

/*
 * general_profit by hand: two all-zero VMs of 100 pages, one of 100
 * unique pages and one of a single image page (the only page of its
 * content).  After three full scans (301 pages: 4 periods each at 100
 * pages) the 200 zero pages share one frame (pages_shared 1,
 * pages_sharing 199); the 101 others are in the unstable tree, rebuilt
 * each scan (pages_unshared 101), none volatile; rmap_items 301.
 * ksm.rst: general_profit = 199 x 4096 - 301 x 64 = 815104 - 19264 =
 * 795840 B.
 */
START_TEST(general_profit_by_hand)
{
	struct rig r;
	struct rig_vm z = {.pages = 100, .zero = 1, .image_id = -1, .seed = 41, .rate = 1};
	struct rig_vm u = {.pages = 100, .image_id = -1, .seed = 43, .rate = 1};
	struct rig_vm one = {.pages = 1, .image = 1, .image_id = 0, .image_pages = 1000,
			     .seed = 44, .rate = 1};

	rig_start(&r, "{policy: ksm}", NULL);
	rig_add(&r, &z);
	z.seed = 42;
	rig_add(&r, &z);
	rig_add(&r, &u);
	rig_add(&r, &one);
	/* 1000 pages in 10 periods: three scans of 301 and 97 pages of a fourth. */
	scan_until(&r, 20 * MS, 20 * MS, 10 * 20 * MS);
	ck_assert_double_eq(stat_of(&r, 0, "full_scans"), 3);
	ck_assert_double_eq(stat_of(&r, 0, "pages_shared"), 1);
	ck_assert_double_eq(stat_of(&r, 0, "pages_sharing"), 199);
	ck_assert_double_eq(stat_of(&r, 0, "pages_unshared"), 101);
	ck_assert_double_eq(stat_of(&r, 0, "pages_volatile"), 0);
	ck_assert_double_eq(stat_of(&r, 0, "general_profit"), 795840);
	/* 1000 pages visited at the default 2 us each. */
	ck_assert_double_eq_tol(stat_of(&r, 0, "scan_cpu_s"), 1000 * 2e-6, 1e-12);
	rig_end(&r);
}
END_TEST

/*
 * max_page_sharing caps a stable page's sharers: 200 zero pages at 64 a
 * frame take ceil(200 / 64) = 4 frames, so pages_shared 4 and
 * pages_sharing 196; with use_zero_pages they all map to the zero page
 * after one unchanged visit (the second scan), counted apart.
 */
START_TEST(max_page_sharing_caps_the_sharers_of_a_frame)
{
	struct rig r;
	struct rig_vm z = {.pages = 100, .zero = 1, .image_id = -1, .seed = 41, .rate = 1};

	rig_start(&r, "{policy: ksm, max_page_sharing: 64}", NULL);
	rig_add(&r, &z);
	z.seed = 42;
	rig_add(&r, &z);
	scan_until(&r, 20 * MS, 20 * MS, 5 * 20 * MS);
	ck_assert_uint_eq(r.h.mem.shared.n_used, 4);
	ck_assert_double_eq(stat_of(&r, 0, "pages_shared"), 4);
	ck_assert_double_eq(stat_of(&r, 0, "pages_sharing"), 196);
	ck_assert_uint_eq(saved(&r), 196);
	rig_end(&r);

	rig_start(&r, "{policy: ksm, use_zero_pages: true}", NULL);
	z.seed = 41;
	rig_add(&r, &z);
	z.seed = 42;
	rig_add(&r, &z);
	scan_until(&r, 20 * MS, 20 * MS, 4 * 20 * MS);
	ck_assert_double_eq(stat_of(&r, 0, "ksm_zero_pages"), 200);
	ck_assert_double_eq(stat_of(&r, 0, "pages_sharing"), 0);
	ck_assert_double_eq(stat_of(&r, 0, "pages_shared"), 0);
	rig_end(&r);
}
END_TEST

/*
 * Writes to KSM pages break them by copy-on-write at the rate writes
 * reach them: 4000 zero pages merged, then touched uniformly at 4000/s
 * with 25% writes for 2 s, touch by touch as a brute-force reference
 * (each touch's page and kind drawn here): the COW faults are exactly the
 * first writes to each still-shared page the reference counts, and their
 * number is near 4000 (1 - e^-(0.25 x 2)) = 1574 (binomial, 4 sigma).
 */
START_TEST(writes_to_shared_pages_fault_at_the_rate_writes_reach_them)
{
	struct rig r;
	struct vm *vm;
	struct rig_vm v = {.pages = 4000, .zero = 1, .image_id = -1, .seed = 3, .rate = 4000};
	static bool hit[4000];
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	uint64_t first_writes = 0, k;
	double p = -expm1(-0.25 * 2), n;

	memset(hit, 0, sizeof(hit));
	gsl_rng_set(rng, 7);
	rig_start(&r, "{policy: ksm, pages_to_scan: 4000}", NULL);
	vm = rig_add(&r, &v);
	scan_until(&r, 1 * MS, 1 * MS, 2 * MS);
	ck_assert_uint_eq(vm->mem.n_state[PS_SHARED], 4000);
	for (k = 0; k < 8000; k++) {
		uint32_t d = (uint32_t)gsl_rng_uniform_int(rng, 4000);
		bool write = gsl_rng_uniform(rng) < 0.25;

		if (write && !hit[d]) {
			hit[d] = true;
			first_writes++;
		}
		mem_touch(&r.h, vm, d, write, 3 * MS);
	}
	ck_assert_uint_eq(vm->mem.stats.faults[FAULT_COW], first_writes);
	n = (double)first_writes;
	ck_assert_msg(fabs(n - 4000 * p) < 4 * sqrt(4000 * p * (1 - p)), "%.0f COW, expected %.0f",
		      n, 4000 * p);
	gsl_rng_free(rng);
	rig_end(&r);
}
END_TEST

/* --- image versions ------------------------------------------------------ */

/* Merges every private page of vm whose content is not unique. */
static void merge_all(struct rig *r, struct vm *vm)
{
	uint32_t g;

	for (g = 0; g < vm->mem.n_pages; g++)
		if (vmem_state(&vm->mem, g) == PS_PRIVATE &&
		    vmem_content(&vm->mem, g) != MEM_CONTENT_UNIQUE)
			ck_assert_int_eq(mem_share(&r->h, vm, g), 0);
}

/*
 * Image 1 is a version of image 0 (1000 pages each) with same: 60%: its
 * pages 0..599 are image 0's.  A VM of each, all 1000 pages image pages
 * (page d is image page h(d) mod 1000 in both), holds the set S of
 * distinct image pages.  Alone, a VM saves 1000 - |S|; together the two
 * have |S| + |S minus pages below 600| frames, so they save exactly
 * c = |S and pages below 600| more than apart: the common share.
 */
START_TEST(two_image_versions_share_exactly_their_common_share)
{
	static const struct mem_image images[2] = {{-1, 0, 0}, {0, 600, 0}};
	static bool in_s[1000];
	struct rig r;
	struct rig_vm a = {.pages = 1000, .image = 1, .image_id = 0, .image_pages = 1000,
			   .seed = 51, .rate = 1, .images = images};
	struct rig_vm b = a;
	struct vm *va, *vb;
	uint64_t n_s = 0, common = 0;
	uint32_t g;

	b.image_id = 1;
	b.seed = 52;
	rig_start(&r, NULL, NULL);
	va = rig_add(&r, &a);
	vb = rig_add(&r, &b);
	memset(in_s, 0, sizeof(in_s));
	for (g = 0; g < 1000; g++) {
		uint32_t k = vmem_content(&va->mem, g) - 1;

		ck_assert_uint_lt(k, 1000);
		ck_assert_uint_eq(vmem_content(&vb->mem, g), k + 1);
		if (!in_s[k]) {
			in_s[k] = true;
			n_s++;
			common += k < 600;
		}
	}
	merge_all(&r, va);
	ck_assert_uint_eq(saved(&r), 1000 - n_s);
	merge_all(&r, vb);
	ck_assert_uint_eq(saved(&r), 2 * (1000 - n_s) + common);
	ck_assert_uint_eq(r.h.mem.shared.n_used, 2 * n_s - common);
	/* About 60% of the distinct pages. */
	ck_assert_double_eq_tol((double)common / (double)n_s, 0.6, 0.06);
	rig_end(&r);
}
END_TEST

Suite *sharing_suite(void)
{
	Suite *s = suite_create("sharing");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, a_page_changed_since_the_last_visit_is_drawn_from_its_write_rate);
	tcase_add_test(tc, zero_only_merges_only_zero_pages_into_one_frame);
	tcase_add_test(tc, a_write_to_a_shared_page_is_a_cow_fault);
	tcase_add_test(tc, ballooned_pages_are_not_scanned_and_departure_drops_references);
	tcase_add_test(tc, identical_vms_converge_in_two_full_scans);
	tcase_add_test(tc, volatile_pages_never_merge);
	tcase_add_test(tc, general_profit_by_hand);
	tcase_add_test(tc, max_page_sharing_caps_the_sharers_of_a_frame);
	tcase_add_test(tc, writes_to_shared_pages_fault_at_the_rate_writes_reach_them);
	tcase_add_test(tc, two_image_versions_share_exactly_their_common_share);
	suite_add_tcase(s, tc);
	return s;
}
