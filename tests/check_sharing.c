/*
 * check_sharing.c - the sharing scanner (mem_share_scan) and the sharing
 * policies.  Expected values are worked out by hand: pages counted from
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
				.image_zero = v->image_zero,
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
	/* Shared pages are skipped by victim choice: b has no private page. */
	ck_assert_uint_eq(mem_victim_random(b, b->guest_rng), MEM_NONE);
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

Suite *sharing_suite(void)
{
	Suite *s = suite_create("sharing");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, a_page_changed_since_the_last_visit_is_drawn_from_its_write_rate);
	tcase_add_test(tc, zero_only_merges_only_zero_pages_into_one_frame);
	tcase_add_test(tc, a_write_to_a_shared_page_is_a_cow_fault);
	tcase_add_test(tc, ballooned_pages_are_not_scanned_and_departure_drops_references);
	tcase_add_test(tc, identical_vms_converge_in_two_full_scans);
	suite_add_tcase(s, tc);
	return s;
}
