/*
 * check_compress.c - ESX's memory compression (MECHANISMS.md 1.6) in the
 * page model: only swap candidates are compressed, and only those that
 * compress to half a page; each VM's cache is capped and evicts its least
 * recently used page to swap; zero pages take no room; compression and
 * decompression cost their latency per 4 KiB; a page's slot follows from
 * its content; with compress_max 0 nothing is compressed.  The reclaim
 * policy is swap-only with a test-only compress_max.
 */
#include <check.h>
#include <math.h>
#include <string.h>

#include "host.h"
#include "policy_rig.h"
#include "rng.h"
#include "run.h"
#include "suites.h"
#include "vm.h"

#define PAGE 4096
#define MAX_VMS 2
#define ZERO_NS 2000
#define COW_NS 3000
#define DECOMP_NS 4000
#define COMP_NS 16000
#define READ_NS 80000
#define WRITE_NS 120000
#define XFER_NS 4096                    /* a 4 KiB page at 1e9 B/s */

static const struct compress_spec ALL_HALF = {.quarter = 0, .half = 1};
static const struct compress_spec ALL_QUARTER = {.quarter = 1, .half = 0};
static const struct compress_spec NONE = {0};

/* The reclaim policy: swap-only's ops with a compress_max of zip_max. */
static double zip_max;
static struct reclaim_ops zip_ops;

static double test_compress_max(const void *priv)
{
	(void)priv;
	return zip_max;
}

struct rig {
	struct policy_rig pol;
	struct host h;
	struct vm vm[MAX_VMS];
	struct vm_spec spec[MAX_VMS];
	char name[MAX_VMS][8];
	int n;
};

static void rig_host(struct rig *r, uint64_t frames, uint64_t swap_pages, double max)
{
	memset(r, 0, sizeof(*r));
	zip_max = max;
	host_init(&r->h, 0, "h", "g", (int64_t)frames * PAGE, 0);
	hmem_init(&r->h.mem, (int64_t)frames * PAGE, 0, PAGE);
	swapdev_init(&r->h.mem.swap, swap_pages, READ_NS, WRITE_NS, 1e9, PAGE);
	swapdev_init(&r->h.mem.disk, SWAPDEV_UNBOUNDED, 100000, 110000, 1e9, PAGE);
	policy_rig_victims(&r->pol, "random");
	zip_ops = *r->pol.set.reclaim.ops;
	zip_ops.compress_max = test_compress_max;
	r->pol.set.reclaim.ops = &zip_ops;
	host_bind_policies(&r->h, &r->pol.set, 1, 0);
	r->h.mem.lat = (struct mem_latency){ZERO_NS, COW_NS, DECOMP_NS, COMP_NS};
}

/* A VM of pages guest pages, all data; unique pages compress as unique,
 * image pages (image 0 of image_pages) as image. */
static struct vm *rig_vm(struct rig *r, uint32_t pages, uint64_t limit, double zero_share,
			 double image_share, uint32_t image_pages, struct compress_spec unique,
			 struct compress_spec image)
{
	int i = r->n++;
	struct vm *vm = &r->vm[i];
	struct vmem_params p = {.n_pages = pages, .n_data = pages, .limit_pages = limit,
				.image = image_share > 0 ? 0 : -1, .image_pages = image_pages,
				.zero_share = zero_share, .image_share = image_share,
				.content_seed = rng_mix((uint64_t)i + 77),
				.compress_unique = unique, .compress_image = image};
	struct phase ph = {.pattern = PATTERN_UNIFORM, .rate = 1000};

	snprintf(r->name[i], sizeof(r->name[i]), "v%d", i);
	r->spec[i] = (struct vm_spec){.name = r->name[i], .memory_bytes = (int64_t)pages * PAGE,
				      .image = p.image};
	vm_init(vm, &r->spec[i], (size_t)i);
	vmem_init(&vm->mem, &p);
	vm->guest_rng = rng_stream(1, 0, RNG_GUEST, (uint64_t)i);
	host_add_vm(&r->h, vm);
	wss_set(&vm->mem.wss, &ph, pages);
	return vm;
}

static void rig_free(struct rig *r)
{
	int i;

	for (i = 0; i < r->n; i++) {
		struct vm *vm = &r->vm[i];

		mem_vm_leave(&r->h, vm);
		vmem_release(&vm->mem);
		gsl_rng_free(vm->guest_rng);
		host_remove_vm(&r->h, vm);
	}
	hmem_release(&r->h.mem);
	host_release(&r->h);
	policy_rig_release(&r->pol);
}

static void ok(const struct rig *r)
{
	struct sim_err err = {0};

	ck_assert_msg(mem_check(&r->h, &err) == 0, "%s", err.msg);
}

static void touch_all(struct rig *r, struct vm *vm)
{
	uint32_t d;

	for (d = 0; d < vm->mem.n_data; d++)
		mem_touch(&r->h, vm, d, false, 0);
}

/* Guest page of data d. */
static uint32_t gp(const struct vm *vm, uint32_t d)
{
	return vmem_data_page(&vm->mem, d);
}

/* Reclaims data d's page as the host's swap path does; returns the stall. */
static int64_t reclaim(struct rig *r, struct vm *vm, uint32_t d)
{
	int64_t stall = 0;

	ck_assert_int_eq(mem_swap_out(&r->h, vm, gp(vm, d), 0, &stall), 0);
	return stall;
}

/* --- which pages are compressed ---------------------------------------- */

/*
 * Hand-computed: a half-slot page enters the cache for the compression's
 * CPU (16 us) and no I/O; its frame is freed and the cache takes one
 * frame, which the next half page shares.  A page that does not compress
 * to half a page is swapped (write latency plus a transfer), and so is
 * every page when compress_max is 0.
 */
START_TEST(a_swap_candidate_enters_the_cache_only_if_it_compresses_to_half_a_page)
{
	struct rig r;
	struct vm *a, *b;
	uint64_t before;

	rig_host(&r, 64, 64, 1.0);
	a = rig_vm(&r, 8, 8, 0, 0, 0, ALL_HALF, NONE);
	b = rig_vm(&r, 8, 8, 0, 0, 0, NONE, NONE);
	touch_all(&r, a);
	touch_all(&r, b);
	before = r.h.mem.frames_free;
	ck_assert_int_eq(reclaim(&r, a, 0), COMP_NS);
	ck_assert_int_eq(vmem_state(&a->mem, gp(a, 0)), PS_COMPRESSED);
	ck_assert_uint_eq(r.h.mem.frames_free, before);
	ck_assert_uint_eq(hmem_cache_frames(&r.h.mem), 1);
	ck_assert_int_eq(reclaim(&r, a, 1), COMP_NS);
	ck_assert_uint_eq(r.h.mem.frames_free, before + 1);
	ck_assert_uint_eq(hmem_cache_frames(&r.h.mem), 1);
	ck_assert_uint_eq(a->mem.zip_quarters, 4);
	ck_assert_uint_eq(r.h.mem.swap.used_pages, 0);
	ok(&r);
	/* Incompressible: swapped, and mem_compress refuses it. */
	ck_assert_int_eq(mem_compress(&r.h, b, gp(b, 0), NULL), -SIM_ERANGE);
	ck_assert_int_eq(reclaim(&r, b, 0), WRITE_NS + XFER_NS);
	ck_assert_int_eq(vmem_state(&b->mem, vmem_data_page(&b->mem, 0)), PS_SWAPPED);
	ck_assert_uint_eq(r.h.mem.swap.used_pages, 1);
	ck_assert_uint_eq(b->mem.stats.zip_in, 0);
	ok(&r);
	/* Compression off: a compressible page is swapped too. */
	zip_max = 0;
	ck_assert_int_eq(mem_compress(&r.h, a, gp(a, 2), NULL), -SIM_ERANGE);
	ck_assert_int_gt(reclaim(&r, a, 2), WRITE_NS);
	ck_assert_uint_eq(r.h.mem.swap.used_pages, 2);
	ck_assert_uint_eq(a->mem.stats.zip_in, 2);
	rig_free(&r);
}
END_TEST

/*
 * Content with 30% of pages at 4:1 or better, 40% from 2:1 to 4:1 and 30%
 * below 2:1, and a cap that never binds: of 4000 swap candidates 70% are
 * compressed and 30% of all take a quarter slot.  Binomial standard
 * errors: sqrt(0.7 * 0.3 / 4000) = 0.0072 and the same for 0.3; the
 * tolerance is 4 of them.
 */
START_TEST(compression_takes_the_compressible_share_of_swap_candidates)
{
	const struct compress_spec mix = {.quarter = 0.3, .half = 0.4};
	const uint32_t n = 4000;
	struct rig r;
	struct vm *vm;
	uint64_t compressed, quarter_slots;
	uint32_t d;

	rig_host(&r, 2 * n, n, 1.0);
	vm = rig_vm(&r, n, n, 0, 0, 0, mix, NONE);
	touch_all(&r, vm);
	for (d = 0; d < n; d++) {
		int64_t stall = reclaim(&r, vm, d);

		ck_assert(stall == COMP_NS || stall >= WRITE_NS);
	}
	compressed = vm->mem.n_state[PS_COMPRESSED];
	/* q1 + q2 pages hold q1 + 2 q2 quarters. */
	quarter_slots = 2 * compressed - vm->mem.zip_quarters;
	ck_assert_uint_eq(compressed + r.h.mem.swap.used_pages, n);
	ck_assert_msg(fabs((double)compressed / n - 0.7) < 4 * 0.0072, "compressed %.4f",
		      (double)compressed / n);
	ck_assert_msg(fabs((double)quarter_slots / n - 0.3) < 4 * 0.0072, "quarter slots %.4f",
		      (double)quarter_slots / n);
	ck_assert_uint_eq(vm->mem.stats.zip_in, compressed);
	ck_assert_uint_eq(hmem_cache_frames(&r.h.mem), (vm->mem.zip_quarters + 3) / 4);
	ok(&r);
	rig_free(&r);
}
END_TEST

/*
 * Zero pages compress (to nothing) and unique pages here never do: the
 * pages compressed are exactly the zero ones, told apart by content.
 */
START_TEST(an_incompressible_page_is_never_compressed)
{
	struct rig r;
	struct vm *vm;
	uint64_t zero = 0;
	uint32_t d;

	rig_host(&r, 1000, 1000, 1.0);
	vm = rig_vm(&r, 400, 400, 0.4, 0, 0, NONE, NONE);
	touch_all(&r, vm);
	for (d = 0; d < 400; d++)
		zero += vmem_content(&vm->mem, gp(vm, d)) == MEM_CONTENT_ZERO;
	ck_assert_uint_gt(zero, 100);
	for (d = 0; d < 400; d++) {
		uint32_t g = gp(vm, d);
		bool is_zero = vmem_content(&vm->mem, g) == MEM_CONTENT_ZERO;

		reclaim(&r, vm, d);
		ck_assert_int_eq(vmem_state(&vm->mem, g), is_zero ? PS_COMPRESSED : PS_SWAPPED);
	}
	ck_assert_uint_eq(vm->mem.n_state[PS_COMPRESSED], zero);
	ok(&r);
	rig_free(&r);
}
END_TEST

/* 40 zero pages fill no cache, whatever the cap: every frame comes back. */
START_TEST(zero_pages_take_no_space)
{
	struct rig r;
	struct vm *vm;
	uint64_t before;
	uint32_t d;

	rig_host(&r, 64, 64, 0.1);
	vm = rig_vm(&r, 40, 40, 1.0, 0, 0, ALL_HALF, NONE);
	touch_all(&r, vm);
	before = r.h.mem.frames_free;
	for (d = 0; d < 40; d++)
		ck_assert_int_eq(reclaim(&r, vm, d), COMP_NS);
	ck_assert_uint_eq(vm->mem.n_state[PS_COMPRESSED], 40);
	ck_assert_uint_eq(vm->mem.zip_quarters, 0);
	ck_assert_uint_eq(hmem_cache_frames(&r.h.mem), 0);
	ck_assert_uint_eq(r.h.mem.frames_free, before + 40);
	ck_assert_uint_eq(vm->mem.stats.zip_evict, 0);
	ok(&r);
	rig_free(&r);
}
END_TEST

/*
 * A hand-made sequence.  40 pages at compress_max 10%: a cap of
 * 0.1 * 40 * 4 = 16 quarters.  Pages 0-7 (half slots) fill it; a touch
 * of 2 takes it out; 8 fits in its room; 9 evicts 0, the least recently
 * used (decompressed and swapped: 16 + 4 + 120 + 4.096 us, the device
 * idle); 10 evicts 1; 11 evicts 3 (2 left).  Then quarter slots: 12 fits
 * nowhere (16 of 16) and evicts 4 (half), leaving 15 quarters: 13 fits;
 * a half page, 14, evicts 5 (half): 15 - 2 + 2 = 15.
 */
START_TEST(a_full_cache_evicts_its_least_recently_used_page_to_swap)
{
	struct rig r;
	struct vm *vm;
	uint32_t d;

	rig_host(&r, 64, 64, 0.1);
	vm = rig_vm(&r, 40, 40, 0, 0, 0, ALL_HALF, NONE);
	touch_all(&r, vm);
	ck_assert_uint_eq(mem_zip_cap(&r.h, vm), 16);
	for (d = 0; d < 8; d++)
		ck_assert_int_eq(reclaim(&r, vm, d), COMP_NS);
	ck_assert_uint_eq(vm->mem.zip_quarters, 16);
	ck_assert_int_eq(mem_touch(&r.h, vm, 2, false, 0), DECOMP_NS);
	ck_assert_int_eq(vmem_state(&vm->mem, gp(vm, 2)), PS_PRIVATE);
	ck_assert_uint_eq(vm->mem.zip_quarters, 14);
	ck_assert_int_eq(reclaim(&r, vm, 8), COMP_NS);
	ck_assert_int_eq(r.h.mem.swap.used_pages, 0);
	ck_assert_int_eq(reclaim(&r, vm, 9), COMP_NS + DECOMP_NS + WRITE_NS + XFER_NS);
	ck_assert_int_eq(vmem_state(&vm->mem, 0), PS_SWAPPED);
	ck_assert_uint_eq(vm->mem.stats.zip_evict, 1);
	reclaim(&r, vm, 10);
	reclaim(&r, vm, 11);
	ok(&r);
	/* Data d is guest page d: the guest hands out its lowest pages first. */
	for (d = 0; d < 12; d++)
		ck_assert_msg(vmem_state(&vm->mem, d) == (d == 0 || d == 1 || d == 3 ? PS_SWAPPED
							  : d == 2 ? PS_PRIVATE
								   : PS_COMPRESSED),
			      "data %u", d);
	ck_assert_uint_eq(vm->mem.zip_quarters, 16);
	vm->mem.zip_unique = ALL_QUARTER;
	reclaim(&r, vm, 12);
	ck_assert_int_eq(vmem_state(&vm->mem, 4), PS_SWAPPED);
	ck_assert_int_eq(vmem_state(&vm->mem, 5), PS_COMPRESSED);
	ck_assert_uint_eq(vm->mem.zip_quarters, 15);
	reclaim(&r, vm, 13);
	ck_assert_uint_eq(vm->mem.zip_quarters, 16);
	vm->mem.zip_unique = ALL_HALF;
	reclaim(&r, vm, 14);
	ck_assert_int_eq(vmem_state(&vm->mem, 5), PS_SWAPPED);
	ck_assert_int_eq(vmem_state(&vm->mem, 6), PS_COMPRESSED);
	ck_assert_uint_eq(vm->mem.zip_quarters, 16);
	ck_assert_uint_eq(vm->mem.stats.zip_evict, 5);
	ck_assert_uint_eq(hmem_cache_frames(&r.h.mem), 4);
	ok(&r);
	rig_free(&r);
}
END_TEST

/* --- costs ------------------------------------------------------------- */

/*
 * Synchronous reclaim: a VM at its limit of 4 frames touches new data,
 * so the host compresses one of its own pages first: the stall is the
 * zero fill plus the compression.  On a host with no free frame, the VM
 * that needs one waits for the compression of another VM's page, as it
 * waits for a swap write.  Background reclaim (no stall given) charges
 * nobody.  At 2 MiB a page is 512 of 4 KiB: compression and
 * decompression cost 512 times their latency.
 */
START_TEST(compression_and_decompression_cost_their_latency_per_4k)
{
	struct rig r;
	struct vm *vm, *b;
	uint32_t d;

	rig_host(&r, 64, 64, 1.0);
	vm = rig_vm(&r, 8, 4, 0, 0, 0, ALL_HALF, NONE);
	for (d = 0; d < 4; d++)
		mem_touch(&r.h, vm, d, true, 0);
	ck_assert_int_eq(mem_touch(&r.h, vm, 4, true, 0), ZERO_NS + COMP_NS);
	ck_assert_uint_eq(vm->mem.n_state[PS_COMPRESSED], 1);
	ck_assert_int_eq(mem_swap_out(&r.h, vm, gp(vm, 4), 0, NULL), 0);
	ck_assert_uint_eq(vm->mem.n_state[PS_COMPRESSED], 2);
	ck_assert_int_eq(vm->mem.stats.stall_ns, 0);
	ok(&r);
	rig_free(&r);

	rig_host(&r, 8, 64, 1.0);
	vm = rig_vm(&r, 8, 8, 0, 0, 0, ALL_HALF, NONE);
	b = rig_vm(&r, 8, 8, 0, 0, 0, NONE, NONE);
	touch_all(&r, vm);
	ck_assert_uint_eq(r.h.mem.frames_free, 0);
	/* The first compression takes a cache frame for the one it frees;
	 * the second frees one: b's zero fill waits for both. */
	ck_assert_int_eq(mem_touch(&r.h, b, 0, false, 0), ZERO_NS + 2 * COMP_NS);
	ck_assert_uint_eq(vm->mem.n_state[PS_COMPRESSED], 2);
	ok(&r);
	rig_free(&r);

	rig_host(&r, 64, 64, 1.0);
	r.h.mem.page_bytes = 512 * PAGE;
	vm = rig_vm(&r, 4, 4, 0, 0, 0, ALL_QUARTER, NONE);
	touch_all(&r, vm);
	ck_assert_int_eq(reclaim(&r, vm, 1), 512 * COMP_NS);
	ck_assert_int_eq(mem_touch(&r.h, vm, 1, false, 0), 512 * DECOMP_NS);
	ck_assert_uint_eq(vm->mem.stats.faults[FAULT_DECOMPRESS], 1);
	ok(&r);
	rig_free(&r);
}
END_TEST

/* --- content ----------------------------------------------------------- */

/*
 * Image pages at 50% compressible: the same image page has the same fate
 * in two VMs, and a page's fate is the same each time it is reclaimed
 * (a function of its content, not of when).
 */
START_TEST(a_pages_slot_follows_from_its_content)
{
	const struct compress_spec half = {.quarter = 0.25, .half = 0.25};
	const uint32_t n = 400;
	struct rig r;
	struct vm *a, *b;
	enum page_state first[400];
	uint64_t compressed = 0;
	uint32_t d;

	rig_host(&r, 4 * n, 4 * n, 1.0);
	a = rig_vm(&r, n, n, 0, 1.0, 100000, NONE, half);
	b = rig_vm(&r, n, n, 0, 1.0, 100000, half, half);
	touch_all(&r, a);
	touch_all(&r, b);
	for (d = 0; d < n; d++) {
		ck_assert_uint_eq(vmem_content(&a->mem, gp(a, d)), vmem_content(&b->mem, gp(b, d)));
		ck_assert_uint_ne(vmem_content(&a->mem, gp(a, d)), MEM_CONTENT_ZERO);
		reclaim(&r, a, d);
		reclaim(&r, b, d);
		first[d] = vmem_state(&a->mem, gp(a, d));
		ck_assert_int_eq(vmem_state(&b->mem, gp(b, d)), first[d]);
		compressed += first[d] == PS_COMPRESSED;
	}
	/* 50% +- 4 binomial standard errors (0.025). */
	ck_assert_msg(fabs((double)compressed / n - 0.5) < 0.1, "%llu compressed",
		      (unsigned long long)compressed);
	for (d = 0; d < n; d++) {
		mem_touch(&r.h, a, d, false, 0);
		reclaim(&r, a, d);
		ck_assert_int_eq(vmem_state(&a->mem, gp(a, d)), first[d]);
	}
	ok(&r);
	rig_free(&r);
}
END_TEST

/* --- conservation -------------------------------------------------------- */

START_TEST(random_operations_with_compression_conserve_everything_and_the_cap)
{
	gsl_rng *op = rng_stream((uint64_t)_i + 300, 0, RNG_POLICY, 9);
	const struct compress_spec mix = {.quarter = 0.3, .half = 0.4};
	struct rig r;
	int i, k, n_vms;

	rig_host(&r, 40 + gsl_rng_uniform_int(op, 200), gsl_rng_uniform_int(op, 300),
		 0.01 + 0.1 * gsl_rng_uniform(op));
	n_vms = 1 + (int)gsl_rng_uniform_int(op, 2);
	for (i = 0; i < n_vms; i++) {
		uint32_t pages = 20 + (uint32_t)gsl_rng_uniform_int(op, 180);
		struct vm *vm = rig_vm(&r, pages, 1 + gsl_rng_uniform_int(op, pages),
				       gsl_rng_uniform(op) * 0.5, 0, 0, mix, NONE);

		vm->mem.zero_freed = gsl_rng_uniform_int(op, 2);
	}
	for (k = 0; k < 3000; k++) {
		struct vm *vm = &r.vm[gsl_rng_uniform_int(op, (unsigned long)n_vms)];
		struct vmem *m = &vm->mem;
		uint32_t g = (uint32_t)gsl_rng_uniform_int(op, m->n_pages);
		int64_t s = 0;
		unsigned long what = gsl_rng_uniform_int(op, 10);

		if (what < 3) {
			mem_touch(&r.h, vm, (uint32_t)gsl_rng_uniform_int(op, m->wss.pages),
				  gsl_rng_uniform_int(op, 2), 0);
		} else if (what == 3) {
			struct phase ph = {.pattern = PATTERN_UNIFORM, .rate = 1000};
			uint32_t ws = 1 + (uint32_t)gsl_rng_uniform_int(op, m->n_data);

			mem_set_ws(&r.h, vm, ws);
			wss_set(&m->wss, &ph, ws);
		} else if (what == 4) {
			mem_balloon_towards(&r.h, vm, gsl_rng_uniform_int(op, m->n_pages),
					    1 + gsl_rng_uniform_int(op, 50), 0);
		} else if (what == 5) {
			mem_share(&r.h, vm, g);
		} else if ((g = mem_victim_random(vm, op)) != MEM_NONE) {
			/* A swap candidate, reclaimed synchronously or in the background. */
			mem_swap_out(&r.h, vm, g, 0, what < 8 ? &s : NULL);
		}
		ok(&r);
	}
	rig_free(&r);
	gsl_rng_free(op);
}
END_TEST

/* --- whole runs --------------------------------------------------------- */

static cJSON *at(cJSON *j, const char *path)
{
	char buf[256], *save = NULL, *part;

	snprintf(buf, sizeof(buf), "%s", path);
	for (part = strtok_r(buf, ".", &save); part && j; part = strtok_r(NULL, ".", &save))
		j = cJSON_GetObjectItemCaseSensitive(j, part);
	ck_assert_msg(j != NULL, "no %s", path);
	return j;
}

/* tests/data/compress.yaml's results, its reclaim policy given compress_max max
 * (< 0: left as configured); the "run" object (wall time) is dropped. */
static cJSON *run_with(double max)
{
	struct scenario sc;
	struct run_record rec;
	struct run_opts o = {0};
	struct sim_err err = {0};
	static struct reclaim_ops ops;
	cJSON *j;

	ck_assert_msg(scenario_load("tests/data/compress.yaml", NULL, &sc, &err) == 0, "%s",
		      err.msg);
	if (max >= 0) {
		zip_max = max;
		ops = *(const struct reclaim_ops *)sc.policies[FAMILY_RECLAIM].ops;
		ops.compress_max = test_compress_max;
		sc.policies[FAMILY_RECLAIM].ops = &ops;
		sc.policies[FAMILY_RECLAIM].info = &ops.info;
	}
	o.check_every = 1;              /* every invariant, the caps too, every tick */
	ck_assert_msg(run_replication(&sc, 0, &o, &rec, &err) == 0, "%s", err.msg);
	j = results_to_json(&rec);
	results_release(&rec);
	scenario_release(&sc);
	cJSON_DeleteItemFromObject(j, "run");
	return j;
}

/*
 * With compress_max 0 the run is byte for byte the plain one.  With 10%,
 * each VM's cache holds at most 0.1 x 1 GiB of slots: of its 16384 pages
 * of 64 KiB, floor(0.1 x 16384 x 4) = 6553 quarters, so at most 3276
 * pages in half slots (3:1 content).  The host's cache frames are, from
 * the results alone, ceil(2 x compressed pages / 4) per VM; the caches
 * filled, so pages were evicted to swap.
 */
START_TEST(a_whole_run_compresses_within_the_caps_and_reports_slots_in_frames)
{
	const double page = 65536;
	cJSON *plain = run_with(-1), *off = run_with(0), *on = run_with(0.1);
	char *a = cJSON_Print(plain), *b = cJSON_Print(off);
	double frames = 0, compressed = 0, evicted, put;
	int i;

	ck_assert_str_eq(a, b);
	ck_assert_double_eq(at(off, "summary.io.host_compress_bytes")->valuedouble, 0);
	for (i = 0; i < 2; i++) {
		cJSON *vm = cJSON_GetArrayItem(at(on, "vms"), i);
		double pages = at(vm, "pages.compressed")->valuedouble;

		ck_assert_double_le(pages, 3276);
		ck_assert_double_gt(pages, 3276 - 100);      /* about full */
		frames += ceil(2 * pages / 4);
		compressed += pages;
	}
	ck_assert_double_eq(
		at(cJSON_GetArrayItem(at(on, "hosts"), 0), "compression_cache_bytes")->valuedouble,
		frames * page);
	put = at(on, "summary.io.host_compress_bytes")->valuedouble;
	evicted = at(on, "summary.io.host_compress_evict_bytes")->valuedouble;
	ck_assert_double_gt(evicted, 0);
	ck_assert_double_ge(put - evicted, compressed * page);
	ck_assert_double_gt(at(on, "summary.memory.compressed_bytes_mean")->valuedouble, 0);
	ck_assert_double_gt(at(on, "summary.faults.decompress")->valuedouble, 0);
	free(a);
	free(b);
	cJSON_Delete(plain);
	cJSON_Delete(off);
	cJSON_Delete(on);
}
END_TEST

/*
 * What a VM's memory means and series record (sim/run.c, run_vm_memory),
 * of a VM whose pages are all zero: of 8 touched pages, 3 compressed (zero
 * pages compress to nothing) and 1 swapped out (compression off for it)
 * leave 4 resident, 2 of them private and 2 on one shared frame (each
 * counted); the balloon's 2 pages come from the guest's untouched free
 * pages.
 */
START_TEST(a_vms_recorded_memory_counts_each_page_state_once)
{
	struct rig r;
	struct vm *vm;
	int64_t v[VCOL_COUNT];
	uint32_t d;

	rig_host(&r, 64, 64, 1.0);
	vm = rig_vm(&r, 16, 16, 1.0, 0, 0, NONE, NONE);
	for (d = 0; d < 8; d++)
		mem_touch(&r.h, vm, d, false, 0);
	for (d = 0; d < 3; d++)
		reclaim(&r, vm, d);
	zip_max = 0;
	reclaim(&r, vm, 3);
	for (d = 4; d < 6; d++)
		ck_assert_int_eq(mem_share(&r.h, vm, gp(vm, d)), 0);
	ck_assert_uint_eq(r.h.mem.shared.n_used, 1);
	mem_balloon_towards(&r.h, vm, 2, 2, 0);
	ok(&r);
	run_vm_memory(vm, PAGE, v);
	ck_assert_int_eq(v[VCOL_CONFIGURED], 16 * PAGE);
	ck_assert_int_eq(v[VCOL_USED], 4 * PAGE);
	ck_assert_int_eq(v[VCOL_COMPRESSED], 3 * PAGE);
	ck_assert_int_eq(v[VCOL_SWAPPED], 1 * PAGE);
	ck_assert_int_eq(v[VCOL_BALLOONED], 2 * PAGE);
	ck_assert_int_eq(v[VCOL_FAULTS], 8);
	rig_free(&r);
}
END_TEST

Suite *compress_suite(void)
{
	Suite *s = suite_create("compress");
	TCase *tc = tcase_create("mechanism");

	tcase_add_test(tc, a_vms_recorded_memory_counts_each_page_state_once);
	tcase_add_test(tc, a_swap_candidate_enters_the_cache_only_if_it_compresses_to_half_a_page);
	tcase_add_test(tc, compression_takes_the_compressible_share_of_swap_candidates);
	tcase_add_test(tc, an_incompressible_page_is_never_compressed);
	tcase_add_test(tc, zero_pages_take_no_space);
	tcase_add_test(tc, a_full_cache_evicts_its_least_recently_used_page_to_swap);
	tcase_add_test(tc, compression_and_decompression_cost_their_latency_per_4k);
	tcase_add_test(tc, a_pages_slot_follows_from_its_content);
	suite_add_tcase(s, tc);
	tc = tcase_create("conservation");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, random_operations_with_compression_conserve_everything_and_the_cap, 0,
			    20);
	suite_add_tcase(s, tc);
	tc = tcase_create("run");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, a_whole_run_compresses_within_the_caps_and_reports_slots_in_frames);
	suite_add_tcase(s, tc);
	return s;
}
