/*
 * check_mem.c - the page-level memory model on one small host: every
 * state transition and fault kind with its latency, steady states with
 * known answers, ballooning against host swapping, double paging, a full
 * swap device, conservation under random operations, and the invariant
 * checker catching a broken count.
 */
#include <check.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"
#include "policy_rig.h"
#include "rng.h"
#include "run.h"
#include "suites.h"
#include "vm.h"
#include "xmem.h"

#define PAGE 4096
#define MS 1000000LL
#define S 1000000000LL
#define MAX_VMS 4

/* Latencies of the rig: distinct, so a stall says which fault it was. */
#define ZERO_NS 2000
#define COW_NS 3000
#define DECOMP_NS 4000
#define GSWAP_NS 100000                 /* the datastore's read latency */
#define GSWAP_WRITE_NS 110000
#define READ_NS 80000
#define WRITE_NS 120000
#define XFER_NS 4096                    /* a 4 KiB page at 1e9 B/s */

/* The host's victims: the reclaim policy swap-only's parameter. */
enum victim_mode { VICTIM_RANDOM, VICTIM_CLOCK };

struct rig {
	struct policy_rig pol;
	struct host h;
	struct vm vm[MAX_VMS];
	struct vm_spec spec[MAX_VMS];
	char name[MAX_VMS][8];
	int n;
	gsl_rng *touch;                 /* the test's own draws */
	sim_time t;
};

static void rig_host(struct rig *r, uint64_t frames, uint64_t swap_pages, enum victim_mode v,
		     uint64_t seed)
{
	memset(r, 0, sizeof(*r));
	host_init(&r->h, 0, "h", "g", (int64_t)frames * PAGE, 0);
	hmem_init(&r->h.mem, (int64_t)frames * PAGE, 0, PAGE);
	swapdev_init(&r->h.mem.swap, swap_pages, READ_NS, WRITE_NS, 1e9, PAGE);
	policy_rig_victims(&r->pol, v == VICTIM_CLOCK ? "clock" : "random");
	host_bind_policies(&r->h, &r->pol.set, seed, 0);
	swapdev_init(&r->h.mem.disk, SWAPDEV_UNBOUNDED, GSWAP_NS, GSWAP_WRITE_NS, 1e9, PAGE);
	r->h.mem.lat = (struct mem_latency){ZERO_NS, COW_NS, DECOMP_NS, 0};
	r->touch = rng_stream(seed, 0, RNG_TOUCHES, 2);
}

/* A VM of pages guest pages whose working set is ws pages of pattern. */
static struct vm *rig_vm(struct rig *r, uint32_t pages, uint32_t ws, uint64_t limit,
			 enum pattern pattern, double zero_share)
{
	int i = r->n++;
	struct vm *vm = &r->vm[i];
	struct vmem_params p = {.n_pages = pages, .n_data = ws, .limit_pages = limit,
				.image = -1, .zero_share = zero_share,
				.content_seed = (uint64_t)i + 1};
	struct phase ph = {.pattern = pattern, .rate = 1000, .skew = 1.0,
			   .hot_fraction = 0.2, .hot_probability = 0.95};

	snprintf(r->name[i], sizeof(r->name[i]), "v%d", i);
	r->spec[i] = (struct vm_spec){.name = r->name[i], .memory_bytes = (int64_t)pages * PAGE,
				      .image = -1};
	vm_init(vm, &r->spec[i], (size_t)i);
	vmem_init(&vm->mem, &p);
	vm->guest_rng = rng_stream(1, 0, RNG_GUEST, (uint64_t)i);
	host_add_vm(&r->h, vm);
	wss_set(&vm->mem.wss, &ph, ws);
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
	gsl_rng_free(r->touch);
}

static void ok(const struct rig *r)
{
	struct sim_err err = {0};

	ck_assert_msg(mem_check(&r->h, &err) == 0, "%s", err.msg);
}

/* n touches drawn from vm's pattern (each page by its mass), 1 ms apart; returns the
 * stall. */
static int64_t touches(struct rig *r, struct vm *vm, uint64_t n, double writes)
{
	const struct wss *w = &vm->mem.wss;
	gsl_ran_discrete_t *pick;
	int64_t stall = 0;
	double *mass;
	uint64_t i;

	if (!w->pages)
		return 0;
	mass = xcalloc(w->pages, sizeof(*mass));
	for (i = 0; i < w->pages; i++)
		mass[i] = wss_page_mass(w, (uint32_t)i);
	pick = gsl_ran_discrete_preproc(w->pages, mass);
	for (i = 0; i < n && !vm->mem.oom; i++) {
		uint32_t d = (uint32_t)gsl_ran_discrete(r->touch, pick);

		if (!vmem_is_fast(&vm->mem, d))
			stall += mem_touch(&r->h, vm, d, gsl_rng_uniform(r->touch) < writes, r->t);
		r->t += MS;
	}
	gsl_ran_discrete_free(pick);
	free(mass);
	return stall;
}

/* Touches every data page once, in order (a warm-up). */
static void touch_all(struct rig *r, struct vm *vm)
{
	uint32_t d;

	for (d = 0; d < vm->mem.wss.pages; d++)
		mem_touch(&r->h, vm, d, false, r->t);
}

static uint64_t faults(const struct vm *vm)
{
	uint64_t sum = 0;
	int k;

	for (k = 0; k < FAULT_COUNT; k++)
		sum += vm->mem.stats.faults[k];
	return sum;
}

/* --- transitions and fault latencies ---------------------------------- */

START_TEST(first_touch_is_a_zero_fill_that_takes_a_frame)
{
	struct rig r;
	struct vm *vm;
	uint64_t before;
	uint32_t g;

	rig_host(&r, 64, 64, VICTIM_RANDOM, 1);
	vm = rig_vm(&r, 16, 8, 16, PATTERN_UNIFORM, 1.0);
	before = r.h.mem.frames_free;
	ck_assert_int_eq(mem_touch(&r.h, vm, 3, false, 0), ZERO_NS);
	g = vmem_data_page(&vm->mem, 3);
	ck_assert_uint_ne(g, MEM_NONE);
	ck_assert_int_eq(vmem_state(&vm->mem, g), PS_PRIVATE);
	ck_assert_uint_eq(vmem_content(&vm->mem, g), MEM_CONTENT_ZERO);
	ck_assert_uint_eq(r.h.mem.frames_free, before - 1);
	ck_assert_uint_eq(vm->mem.stats.faults[FAULT_ZERO_FILL], 1);
	/* A second touch is a hit, on the fast path. */
	ck_assert(vmem_is_fast(&vm->mem, 3));
	ck_assert_int_eq(mem_touch(&r.h, vm, 3, false, 0), 0);
	/* A write makes the content unique. */
	mem_touch(&r.h, vm, 3, true, 0);
	ck_assert_uint_eq(vmem_content(&vm->mem, g), MEM_CONTENT_UNIQUE);
	ok(&r);
	rig_free(&r);
}
END_TEST

START_TEST(host_swap_out_and_in_take_device_latency_and_transfer)
{
	struct rig r;
	struct vm *vm;
	int64_t stall = 0;
	uint64_t before;
	uint32_t g;

	rig_host(&r, 64, 64, VICTIM_RANDOM, 1);
	vm = rig_vm(&r, 16, 8, 16, PATTERN_UNIFORM, 0);
	mem_touch(&r.h, vm, 2, false, 0);
	g = vmem_data_page(&vm->mem, 2);
	before = r.h.mem.frames_free;
	ck_assert_int_eq(mem_swap_out(&r.h, vm, g, 0, &stall), 0);
	/* An idle device: access latency plus one page's transfer. */
	ck_assert_int_eq(stall, WRITE_NS + XFER_NS);
	ck_assert_int_eq(vmem_state(&vm->mem, g), PS_SWAPPED);
	ck_assert_uint_eq(r.h.mem.frames_free, before + 1);
	ck_assert_uint_eq(r.h.mem.swap.used_pages, 1);
	ck_assert(!vmem_is_fast(&vm->mem, 2));
	ok(&r);
	ck_assert_int_eq(mem_touch(&r.h, vm, 2, false, 0), READ_NS + XFER_NS);
	ck_assert_int_eq(vmem_state(&vm->mem, g), PS_PRIVATE);
	ck_assert_uint_eq(vm->mem.stats.faults[FAULT_HOST_SWAP_IN], 1);
	ck_assert_uint_eq(r.h.mem.swap.used_pages, 0);
	ok(&r);
	rig_free(&r);
}
END_TEST

START_TEST(equal_pages_share_a_frame_until_a_write_breaks_it)
{
	struct rig r;
	struct vm *a, *b;
	uint32_t ga, gb;
	uint64_t before;

	rig_host(&r, 64, 64, VICTIM_RANDOM, 1);
	a = rig_vm(&r, 16, 8, 16, PATTERN_UNIFORM, 1.0);
	b = rig_vm(&r, 16, 8, 16, PATTERN_UNIFORM, 1.0);
	mem_touch(&r.h, a, 0, false, 0);
	mem_touch(&r.h, b, 5, false, 0);
	ga = vmem_data_page(&a->mem, 0);
	gb = vmem_data_page(&b->mem, 5);
	before = r.h.mem.frames_free;
	ck_assert_int_eq(mem_share(&r.h, a, ga), 0);
	ck_assert_int_eq(mem_share(&r.h, b, gb), 0);
	/* Two zero pages, one shared frame: one frame saved. */
	ck_assert_uint_eq(r.h.mem.frames_free, before + 1);
	ck_assert_uint_eq(r.h.mem.shared.n_used, 1);
	ck_assert_uint_eq(r.h.mem.n_shared_mapped, 2);
	ok(&r);
	/* A read leaves it shared; a write copies it. */
	ck_assert_int_eq(mem_touch(&r.h, a, 0, false, 0), 0);
	ck_assert_int_eq(vmem_state(&a->mem, ga), PS_SHARED);
	ck_assert_int_eq(mem_touch(&r.h, a, 0, true, 0), COW_NS);
	ck_assert_int_eq(vmem_state(&a->mem, ga), PS_PRIVATE);
	ck_assert_uint_eq(vmem_content(&a->mem, ga), MEM_CONTENT_UNIQUE);
	ck_assert_uint_eq(a->mem.stats.faults[FAULT_COW], 1);
	ck_assert_uint_eq(r.h.mem.n_shared_mapped, 1);
	/* A unique page cannot be shared. */
	ck_assert_int_eq(mem_share(&r.h, a, ga), -SIM_EINVAL);
	ok(&r);
	rig_free(&r);
}
END_TEST

START_TEST(guest_swap_in_costs_its_latency_and_balloon_pages_return_untouched)
{
	struct rig r;
	struct vm *vm;
	uint32_t d, out = MEM_NONE;
	int64_t stall;

	rig_host(&r, 64, 64, VICTIM_RANDOM, 1);
	vm = rig_vm(&r, 4, 4, 4, PATTERN_UNIFORM, 0);
	vm->mem.wss.rate = 0;           /* no page looks recently used */
	touch_all(&r, vm);
	ck_assert_uint_eq(vm->mem.n_free, 0);
	/* Inflating by one with no free page makes the guest evict data. */
	ck_assert_int_eq(mem_balloon_towards(&r.h, vm, 1, 1, 0), 0);
	ck_assert_uint_eq(vm->mem.n_state[PS_BALLOONED], 1);
	ck_assert_uint_eq(vm->mem.stats.guest_swap_out, 1);
	for (d = 0; d < 4; d++)
		if (vmem_data_in_guest_swap(&vm->mem, d))
			out = d;
	ck_assert_uint_ne(out, MEM_NONE);
	ok(&r);
	/* Touching it: a guest swap-in into a page the guest frees by evicting
	 * another (still backed, so no host fault). */
	stall = mem_touch(&r.h, vm, out, false, 0);
	ck_assert_int_eq(stall, GSWAP_NS + XFER_NS);    /* one read; the writes do not stall */
	ck_assert_uint_eq(vm->mem.stats.faults[FAULT_GUEST_SWAP_IN], 1);
	ck_assert_uint_eq(vm->mem.stats.guest_swap_out, 2);
	ck_assert_uint_eq(r.h.mem.disk.pages_in, 1);
	ck_assert_uint_eq(r.h.mem.disk.pages_out, 2);
	ok(&r);
	/* Deflating returns the page to the guest, untouched. */
	mem_balloon_towards(&r.h, vm, 0, 1, 0);
	ck_assert_uint_eq(vm->mem.n_state[PS_BALLOONED], 0);
	ck_assert_uint_eq(vm->mem.n_free, 1);
	ok(&r);
	rig_free(&r);
}
END_TEST

/*
 * Data in guest swap whose swap-in fails for want of memory stays in guest
 * swap: the guest read it into a page that never came.  Hand-built: the
 * VM holds three private pages at a limit of three, the host swap device
 * has no room, and the only free guest page is untouched, so taking a
 * frame for it fails.
 */
START_TEST(a_guest_swap_in_that_runs_out_of_memory_leaves_the_data_in_guest_swap)
{
	struct rig r;
	struct vm *vm;
	uint32_t d, out = MEM_NONE;

	rig_host(&r, 64, 0, VICTIM_RANDOM, 1);
	vm = rig_vm(&r, 8, 4, 8, PATTERN_UNIFORM, 0);
	for (d = 0; d < 4; d++)
		mem_touch(&r.h, vm, d, true, 0);
	/* Five pages to the balloon: the four free ones and one of data. */
	mem_balloon_towards(&r.h, vm, 5, 5, 0);
	for (d = 0; d < 4; d++)
		if (vmem_data_in_guest_swap(&vm->mem, d))
			out = d;
	ck_assert_uint_ne(out, MEM_NONE);
	/* One back: the guest has one free page, untouched (no frame). */
	mem_balloon_towards(&r.h, vm, 4, 1, 0);
	ck_assert_uint_eq(vm->mem.n_free, 1);
	ck_assert_uint_eq(vm->mem.n_state[PS_PRIVATE], 3);
	vm->mem.limit_pages = 3;
	ok(&r);
	mem_touch(&r.h, vm, out, false, 0);
	ck_assert(vm->mem.oom);
	ck_assert(r.h.mem.swap_full);
	ck_assert(vmem_data_in_guest_swap(&vm->mem, out));
	ck_assert_uint_eq(vm->mem.n_gswap, 1);
	ck_assert_uint_eq(vm->mem.stats.guest_swap_in, 0);
	ck_assert_uint_eq(vm->mem.n_free, 1);
	ok(&r);
	rig_free(&r);
}
END_TEST

/*
 * At 2 MiB a page is 512 of 4 KiB, and the CPU pays per 4 KiB: a zero fill and a
 * copy-on-write cost 512 times their latency (decompression: check_compress.c).  A guest
 * swap-in is one request to the datastore: its read latency once, plus 2 MiB at 1e9 B/s
 * (2097152 ns).
 */
START_TEST(cpu_costs_are_per_4k_of_the_page_and_a_guest_swap_in_is_one_request)
{
	const int64_t big = 512 * PAGE;
	struct rig r;
	struct vm *a, *b;
	uint32_t d, out = MEM_NONE;

	rig_host(&r, 64, 64, VICTIM_RANDOM, 1);
	r.h.mem.page_bytes = big;
	swapdev_init(&r.h.mem.disk, SWAPDEV_UNBOUNDED, GSWAP_NS, GSWAP_WRITE_NS, 1e9, big);
	a = rig_vm(&r, 4, 4, 16, PATTERN_UNIFORM, 1.0);        /* no limit in the way */
	b = rig_vm(&r, 4, 4, 16, PATTERN_UNIFORM, 1.0);
	for (d = 0; d < 4; d++)
		ck_assert_int_eq(mem_touch(&r.h, a, d, false, 0), 512 * ZERO_NS);
	mem_touch(&r.h, b, 0, false, 0);
	ck_assert_int_eq(mem_share(&r.h, a, vmem_data_page(&a->mem, 0)), 0);
	ck_assert_int_eq(mem_share(&r.h, b, vmem_data_page(&b->mem, 0)), 0);
	ck_assert_int_eq(mem_touch(&r.h, a, 0, true, 0), 512 * COW_NS);
	ok(&r);
	a->mem.wss.rate = 0;            /* no page looks recently used */
	ck_assert_int_eq(mem_balloon_towards(&r.h, a, 1, 1, 0), 0);
	for (d = 0; d < 4; d++)
		if (vmem_data_in_guest_swap(&a->mem, d))
			out = d;
	ck_assert_uint_ne(out, MEM_NONE);
	ck_assert_int_eq(mem_touch(&r.h, a, out, false, 0), GSWAP_NS + 2097152);
	ck_assert_uint_eq(r.h.mem.disk.pages_in, 1);
	ck_assert_uint_eq(r.h.mem.disk.busy_ns, 3 * 2097152);   /* and two writes */
	ok(&r);
	rig_free(&r);
}
END_TEST

/* --- steady states ---------------------------------------------------- */

START_TEST(a_limit_of_half_a_uniform_working_set_faults_on_half_the_touches)
{
	struct rig r;
	struct vm *vm;
	uint64_t before, n = 100000;
	double share;

	rig_host(&r, 8000, 4000, VICTIM_RANDOM, 3);
	vm = rig_vm(&r, 4000, 2000, 1000, PATTERN_UNIFORM, 0);
	touches(&r, vm, 20000, 0.2);            /* warm-up */
	ck_assert_uint_eq(vm->mem.n_state[PS_PRIVATE], 1000);
	before = faults(vm);
	touches(&r, vm, n, 0.2);
	share = (double)(faults(vm) - before) / (double)n;
	/* The resident set is a uniform random half: P(miss) = 1/2; the iid
	 * standard error is 0.0016, and misses are nearly independent. */
	ck_assert_msg(fabs(share - 0.5) < 0.012, "fault share %.4f", share);
	ck_assert_uint_eq(vm->mem.n_state[PS_PRIVATE], 1000);
	ok(&r);
	rig_free(&r);
}
END_TEST

/* Faults per touch with half a hot-cold set resident, under victims v. */
static double hot_cold_fault_share(enum victim_mode v)
{
	struct rig r;
	struct vm *vm;
	uint64_t before, n = 60000;
	double share;

	rig_host(&r, 8000, 4000, v, 3);
	vm = rig_vm(&r, 4000, 2000, 1000, PATTERN_HOTCOLD, 0);
	touches(&r, vm, 20000, 0.2);
	before = faults(vm);
	touches(&r, vm, n, 0.2);
	share = (double)(faults(vm) - before) / (double)n;
	ok(&r);
	rig_free(&r);
	return share;
}

/*
 * 2000 pages, 95% of touches on a hot 400, and room for 1000.  The best a
 * host can do is keep the hot 400 and 600 cold pages: misses are then
 * 5% x 1000/1600 = 3.125% of touches.  A clock over sampled accessed bits
 * gets there; random victims evict hot pages too and miss more.
 */
START_TEST(clock_victims_keep_the_hot_pages_of_a_skewed_set)
{
	double random = hot_cold_fault_share(VICTIM_RANDOM);
	double clock = hot_cold_fault_share(VICTIM_CLOCK);

	ck_assert_msg(fabs(clock - 0.03125) < 0.004, "clock %.4f", clock);
	ck_assert_msg(random > 1.3 * clock, "clock %.4f, random %.4f", clock, random);
}
END_TEST

START_TEST(a_working_set_that_fits_never_faults_after_warm_up)
{
	struct rig r;
	struct vm *vm;
	uint64_t before;

	rig_host(&r, 4000, 100, VICTIM_RANDOM, 4);
	vm = rig_vm(&r, 2000, 1000, 2000, PATTERN_ZIPF, 0);
	touch_all(&r, vm);
	ck_assert_uint_eq(vm->mem.n_fast, 1000);
	before = faults(vm);
	ck_assert_int_eq(touches(&r, vm, 50000, 0.3), 0);
	ck_assert_uint_eq(faults(vm), before);
	ok(&r);
	rig_free(&r);
}
END_TEST

/*
 * A VM touched 90% of its memory, then shrank to 50% (hot-cold: 20% of the
 * set takes 95% of touches).  Taking back 70% of its memory by balloon
 * costs little: the guest gives up its free pages first and then its
 * coldest data.  The host taking the same amount by swapping random pages
 * hits hot pages too, and the VM stalls far more.  Expected: 1200 pages for
 * 2000, 400 of them hot.  The guest's clock is near LRU, which misses 2.5%
 * of touches (Che: the hot 400 stay, half the cold); after 50,000 touches
 * that is 1250 guest swap-ins of 100 us, plus at most the 400 hot pages
 * again (the 800 evictions happen at one instant, so after one lap the
 * clock's bits tell it nothing): 125-165 ms.  Random victims miss 3.7%
 * (Fagin's fixed point), 1850 swap-ins of at least 84 + 124 us: 385 ms.
 */
static int64_t after_reclaim(bool balloon, uint64_t *gswap_out_free, uint64_t *gswap_in)
{
	struct rig r;
	struct vm *vm;
	struct phase ph = {.pattern = PATTERN_HOTCOLD, .rate = 1000, .hot_fraction = 0.2,
			   .hot_probability = 0.95};
	int64_t stall;

	rig_host(&r, 8000, 8000, VICTIM_RANDOM, 5);
	vm = rig_vm(&r, 4000, 3600, balloon ? 4000 : 1200, PATTERN_UNIFORM, 0);
	touch_all(&r, vm);
	mem_set_ws(&r.h, vm, 2000);
	wss_set(&vm->mem.wss, &ph, 2000);
	touches(&r, vm, 20000, 0.2);
	if (balloon) {
		/* 2000 free pages (1600 freed, 400 never used) go first. */
		mem_balloon_towards(&r.h, vm, 2000, 4000, r.t);
		*gswap_out_free = vm->mem.stats.guest_swap_out;
		mem_balloon_towards(&r.h, vm, 2800, 4000, r.t);
		ck_assert_uint_eq(vm->mem.stats.guest_swap_out, 800);
	} else {
		/* The host takes the same 2400 frames back at random. */
		while (vm->mem.n_state[PS_PRIVATE] > 1200) {
			int64_t s = 0;
			uint32_t g = (uint32_t)gsl_rng_uniform_int(r.touch, 4000);

			if (vmem_state(&vm->mem, g) == PS_PRIVATE)
				ck_assert_int_eq(mem_swap_out(&r.h, vm, g, r.t, &s), 0);
		}
	}
	ck_assert_uint_le(vm->mem.n_state[PS_PRIVATE], 1200);
	ok(&r);
	stall = touches(&r, vm, 50000, 0.2);
	*gswap_in = vm->mem.stats.faults[FAULT_GUEST_SWAP_IN];
	ok(&r);
	rig_free(&r);
	return stall;
}

START_TEST(ballooning_takes_free_pages_first_and_stalls_less_than_host_swapping)
{
	uint64_t free_first = 99, gin_balloon = 0, gin_swap = 0;
	int64_t balloon = after_reclaim(true, &free_first, &gin_balloon);
	int64_t swap = after_reclaim(false, &free_first, &gin_swap);

	ck_assert_uint_eq(free_first, 0);
	ck_assert_uint_gt(gin_balloon, 0);
	ck_assert_uint_eq(gin_swap, 0);
	ck_assert_msg(balloon * 2 < swap, "balloon stall %lld ns, host swap stall %lld ns",
		      (long long)balloon, (long long)swap);
}
END_TEST

START_TEST(double_paging_is_counted_when_the_guest_evicts_a_host_swapped_page)
{
	struct rig r;
	struct vm *vm;
	uint32_t g;

	rig_host(&r, 64, 64, VICTIM_RANDOM, 6);
	vm = rig_vm(&r, 8, 8, 8, PATTERN_UNIFORM, 0);
	touch_all(&r, vm);
	for (g = 0; g < 8; g++) {
		int64_t s = 0;

		ck_assert_int_eq(mem_swap_out(&r.h, vm, g, 0, &s), 0);
	}
	/* The guest, asked for a page, evicts data that the host swapped:
	 * it comes back from host swap only to go to guest swap. */
	mem_balloon_towards(&r.h, vm, 1, 1, 0);
	ck_assert_uint_eq(vm->mem.stats.double_paging, 1);
	ck_assert_uint_eq(vm->mem.stats.faults[FAULT_HOST_SWAP_IN], 1);
	ck_assert_uint_eq(vm->mem.stats.guest_swap_out, 1);
	ok(&r);
	rig_free(&r);
}
END_TEST

START_TEST(a_full_swap_device_stops_the_vm_out_of_memory_without_crashing)
{
	struct rig r;
	struct vm *vm;

	rig_host(&r, 100, 50, VICTIM_CLOCK, 7);
	vm = rig_vm(&r, 200, 200, 200, PATTERN_UNIFORM, 0);
	touch_all(&r, vm);
	ck_assert(vm->mem.oom);
	ck_assert(r.h.mem.swap_full);
	ck_assert_uint_eq(r.h.mem.oom, 1);
	ck_assert_uint_eq(r.h.mem.swap.used_pages, 50);
	ck_assert_uint_eq(r.h.mem.frames_free, 0);
	/* It touches nothing more. */
	ck_assert_int_eq(mem_touch(&r.h, vm, 199, true, 0), 0);
	ok(&r);
	rig_free(&r);
}
END_TEST

/* --- conservation ----------------------------------------------------- */

START_TEST(random_operations_conserve_pages_and_frames)
{
	gsl_rng *op = rng_stream((uint64_t)_i + 100, 0, RNG_POLICY, 9);
	struct rig r;
	int i, k, n_vms;

	rig_host(&r, 50 + gsl_rng_uniform_int(op, 250), gsl_rng_uniform_int(op, 400),
		 gsl_rng_uniform_int(op, 2) ? VICTIM_CLOCK : VICTIM_RANDOM, (uint64_t)_i);
	n_vms = 1 + (int)gsl_rng_uniform_int(op, 3);
	for (i = 0; i < n_vms; i++) {
		uint32_t pages = 20 + (uint32_t)gsl_rng_uniform_int(op, 180);
		uint32_t ws = 1 + (uint32_t)gsl_rng_uniform_int(op, pages);
		struct vm *vm = rig_vm(&r, pages, ws, 1 + gsl_rng_uniform_int(op, pages),
				       (enum pattern)gsl_rng_uniform_int(op, 3),
				       gsl_rng_uniform(op));

		vm->mem.zero_freed = gsl_rng_uniform_int(op, 2);
	}
	for (k = 0; k < 3000; k++) {
		struct vm *vm = &r.vm[gsl_rng_uniform_int(op, (unsigned long)n_vms)];
		struct vmem *m = &vm->mem;
		uint32_t g = (uint32_t)gsl_rng_uniform_int(op, m->n_pages);
		int64_t s = 0;
		unsigned long what = gsl_rng_uniform_int(op, 10);

		r.t += MS;
		if (what < 5 && m->wss.pages) {
			mem_touch(&r.h, vm, (uint32_t)gsl_rng_uniform_int(op, m->wss.pages),
				  gsl_rng_uniform_int(op, 2), r.t);
		} else if (what == 5) {
			struct phase ph = {.pattern = PATTERN_UNIFORM, .rate = 1000};
			uint32_t ws = (uint32_t)gsl_rng_uniform_int(op, m->n_data + 1);

			mem_set_ws(&r.h, vm, ws);
			wss_set(&m->wss, &ph, ws);
		} else if (what == 6) {
			mem_balloon_towards(&r.h, vm, gsl_rng_uniform_int(op, m->n_pages),
					    1 + gsl_rng_uniform_int(op, 50), r.t);
		} else if (what == 7) {
			mem_share(&r.h, vm, g);
		} else if (what == 8) {
			mem_compress(&r.h, vm, g, &s);
		} else if (!swapdev_is_full(&r.h.mem.swap)) {
			mem_swap_out(&r.h, vm, g, r.t, &s);
		}
		ok(&r);
	}
	rig_free(&r);
	gsl_rng_free(op);
}
END_TEST

START_TEST(the_checker_catches_a_broken_count)
{
	struct rig r;
	struct vm *vm;
	struct sim_err err = {0};
	uint32_t w;

	rig_host(&r, 64, 64, VICTIM_RANDOM, 8);
	vm = rig_vm(&r, 16, 8, 16, PATTERN_UNIFORM, 0);
	touch_all(&r, vm);
	ok(&r);
	r.h.mem.frames_free++;
	ck_assert_int_eq(mem_check(&r.h, &err), -SIM_EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "frames"));
	r.h.mem.frames_free--;
	vm->mem.n_state[PS_SWAPPED]++;
	ck_assert_int_eq(mem_check(&r.h, &err), -SIM_EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "state"));
	vm->mem.n_state[PS_SWAPPED]--;
	vm->mem.n_resident++;
	ck_assert_int_eq(mem_check(&r.h, &err), -SIM_EINVAL);
	vm->mem.n_resident--;
	/* Written data that is nowhere (the written bit alone) has been lost. */
	w = vm->mem.data[2];
	vm->mem.data[2] = 1u << 29;
	ck_assert_int_eq(mem_check(&r.h, &err), -SIM_EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "nowhere"));
	vm->mem.data[2] = w;
	ok(&r);
	rig_free(&r);
}
END_TEST

Suite *mem_suite(void)
{
	Suite *s = suite_create("mem");
	TCase *tc = tcase_create("transitions");

	tcase_add_test(tc, first_touch_is_a_zero_fill_that_takes_a_frame);
	tcase_add_test(tc, host_swap_out_and_in_take_device_latency_and_transfer);
	tcase_add_test(tc, equal_pages_share_a_frame_until_a_write_breaks_it);
	tcase_add_test(tc, guest_swap_in_costs_its_latency_and_balloon_pages_return_untouched);
	tcase_add_test(tc, a_guest_swap_in_that_runs_out_of_memory_leaves_the_data_in_guest_swap);
	tcase_add_test(tc, cpu_costs_are_per_4k_of_the_page_and_a_guest_swap_in_is_one_request);
	suite_add_tcase(s, tc);
	tc = tcase_create("behaviour");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, a_limit_of_half_a_uniform_working_set_faults_on_half_the_touches);
	tcase_add_test(tc, a_working_set_that_fits_never_faults_after_warm_up);
	tcase_add_test(tc, clock_victims_keep_the_hot_pages_of_a_skewed_set);
	tcase_add_test(tc, ballooning_takes_free_pages_first_and_stalls_less_than_host_swapping);
	tcase_add_test(tc, double_paging_is_counted_when_the_guest_evicts_a_host_swapped_page);
	tcase_add_test(tc, a_full_swap_device_stops_the_vm_out_of_memory_without_crashing);
	suite_add_tcase(s, tc);
	tc = tcase_create("conservation");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, random_operations_conserve_pages_and_frames, 0, 25);
	tcase_add_test(tc, the_checker_catches_a_broken_count);
	suite_add_tcase(s, tc);
	return s;
}
