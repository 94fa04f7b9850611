/*
 * check_pt.c - model/pt.c, the second-level page tables and their hooks
 * in model/mem.c: table bytes for known mapped pages worked out by hand
 * (8 bytes per mapped 4 KiB page, a 4 KiB table per 1 GiB region, per
 * 512 GiB region and the root), after unmapping, at a 2 MiB granule, under
 * shadow paging, and the host's frame conservation with the table frames;
 * large-page backing on a free and a fragmented host (the rule of pt.c);
 * translation cost against hand-computed walks; large pages and sharing.
 */
#include <check.h>
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"
#include "policy_rig.h"
#include "rng.h"
#include "run.h"
#include "suites.h"
#include "vm.h"

#define KIB 1024LL
#define MIB (1024 * KIB)
#define GIB (1024 * MIB)
#define MAX_VMS 3

struct rig {
	struct policy_rig pol;
	struct host h;
	struct vm vm[MAX_VMS];
	struct vm_spec spec[MAX_VMS];
	char name[MAX_VMS][8];
	int n;
	int64_t page;
};

static void rig_host(struct rig *r, int64_t memory, int64_t page, const struct pt_params *pt,
		     const char *const yaml[FAMILY_COUNT])
{
	memset(r, 0, sizeof(*r));
	r->page = page;
	host_init(&r->h, 0, "h", "g", memory, 0);
	hmem_init(&r->h.mem, memory, 0, page);
	pt_host_init(&r->h.mem.pt, pt ? pt : &(struct pt_params){.tables = true}, page,
		     r->h.mem.frames_free);
	swapdev_init(&r->h.mem.swap, (uint64_t)(memory / page), 80000, 120000, 1e9, page);
	swapdev_init(&r->h.mem.disk, SWAPDEV_UNBOUNDED, 100000, 100000, 1e9, page);
	if (yaml)
		policy_rig_init(&r->pol, yaml);
	else
		policy_rig_victims(&r->pol, "random");
	host_bind_policies(&r->h, &r->pol.set, 1, 0);
	r->h.mem.lat = (struct mem_latency){2000, 3000, 4000, 0};
}

/* A VM of memory bytes whose data pages are its first ws pages. */
static struct vm *rig_vm(struct rig *r, int64_t memory, uint32_t ws, double zero)
{
	int i = r->n++;
	struct vm *vm = &r->vm[i];
	uint32_t pages = (uint32_t)(memory / r->page);
	struct vmem_params p = {.n_pages = pages, .n_data = ws, .limit_pages = pages,
				.image = -1, .zero_share = zero, .content_seed = 7};
	struct phase ph = {.pattern = PATTERN_UNIFORM, .rate = 1000};

	snprintf(r->name[i], sizeof(r->name[i]), "v%d", i);
	r->spec[i] = (struct vm_spec){.name = r->name[i], .memory_bytes = memory, .image = -1};
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
		mem_vm_leave(&r->h, &r->vm[i]);
		vmem_release(&r->vm[i].mem);
		gsl_rng_free(r->vm[i].guest_rng);
		host_remove_vm(&r->h, &r->vm[i]);
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

/* Touches data pages from..to-1 once each (reads): the guest places them
 * in its lowest free pages, so guest pages 0.. are mapped in order. */
static void touch_range(struct rig *r, struct vm *vm, uint32_t from, uint32_t to)
{
	uint32_t d;

	for (d = from; d < to; d++)
		mem_touch(&r->h, vm, d, false, 0);
}

/* ceil(bytes / page): the frames a host takes for bytes of tables. */
static uint64_t frames_of(int64_t bytes, int64_t page)
{
	return (uint64_t)((bytes + page - 1) / page);
}

START_TEST(table_bytes_of_mapped_pages_by_hand)
{
	struct rig r;
	/* 1 GiB and 40 KiB more: the last 10 pages are in a second 1 GiB region. */
	uint32_t n = (uint32_t)(GIB / 4096) + 10;
	struct vm *vm;

	rig_host(&r, 2 * GIB, 4096, NULL, NULL);
	vm = rig_vm(&r, GIB + 40 * KIB, n, 0.0);
	touch_range(&r, vm, 0, 1000);
	/* 1000 entries, one page directory, one PDPT, the root. */
	ck_assert_int_eq(vm->mem.pt.bytes, 8 * 1000 + 3 * 4096);
	ck_assert_int_eq(r.h.mem.pt.bytes, 8 * 1000 + 3 * 4096);
	ok(&r);
	touch_range(&r, vm, 1000, n);
	/* The second 1 GiB region takes a second page directory. */
	ck_assert_int_eq(vm->mem.pt.bytes, 8LL * n + 4 * 4096);
	ok(&r);
	rig_free(&r);
}
END_TEST

START_TEST(table_bytes_after_unmapping)
{
	struct rig r;
	uint32_t n = (uint32_t)(GIB / 4096) + 10, g;
	struct vm *vm;

	rig_host(&r, 2 * GIB, 4096, NULL, NULL);
	vm = rig_vm(&r, GIB + 40 * KIB, n, 0.0);
	touch_range(&r, vm, 0, n);
	/* Swapping the second region's pages out frees its page directory. */
	for (g = n - 10; g < n; g++)
		ck_assert_int_eq(mem_swap_out(&r.h, vm, g, 0, NULL), 0);
	ck_assert_int_eq(vm->mem.pt.bytes, 8LL * (n - 10) + 3 * 4096);
	ok(&r);
	/* And 100 more of the first: 8 bytes each. */
	for (g = 0; g < 100; g++)
		ck_assert_int_eq(mem_swap_out(&r.h, vm, g, 0, NULL), 0);
	ck_assert_int_eq(vm->mem.pt.bytes, 8LL * (n - 110) + 3 * 4096);
	ok(&r);
	/* Departure unmaps everything: no tables, no table frames. */
	mem_vm_leave(&r.h, vm);
	ck_assert_int_eq(vm->mem.pt.bytes, 0);
	ck_assert_int_eq(vm->mem.pt.bytes_left, 8LL * (n - 110) + 3 * 4096);
	ck_assert_int_eq(r.h.mem.pt.bytes, 0);
	ck_assert_uint_eq(r.h.mem.pt.frames, 0);
	ck_assert_uint_eq(r.h.mem.frames_free, r.h.mem.frames_total);
	rig_free(&r);
}
END_TEST

START_TEST(table_bytes_at_a_2mib_granule)
{
	struct rig r;
	struct vm *vm;

	rig_host(&r, 8 * GIB, 2 * MIB, NULL, NULL);
	vm = rig_vm(&r, 4 * GIB, 2048, 0.0);
	/* 600 pages of 2 MiB: 600 * 512 entries; 1.2 GiB over two regions. */
	touch_range(&r, vm, 0, 600);
	ck_assert_int_eq(vm->mem.pt.bytes, 8LL * 512 * 600 + 4 * 4096);
	/* Its tables fit one 2 MiB frame: 2,473,984 bytes need two. */
	ck_assert_uint_eq(r.h.mem.pt.frames, 2);
	ok(&r);
	rig_free(&r);
}
END_TEST

START_TEST(shadow_tables_are_a_multiple_of_nested)
{
	struct rig r;
	struct pt_params sh = {.tables = true, .paging = PT_SHADOW, .shadow_tables = 3};
	struct vm *vm;

	rig_host(&r, GIB, 4096, &sh, NULL);
	vm = rig_vm(&r, 256 * MIB, 5000, 0.0);
	touch_range(&r, vm, 0, 5000);
	ck_assert_int_eq(vm->mem.pt.bytes, 3 * (8 * 5000 + 3 * 4096));
	ok(&r);
	rig_free(&r);
}
END_TEST

START_TEST(table_frames_are_in_the_hosts_conservation)
{
	struct rig r;
	struct vm *a, *b;
	int64_t bytes;

	rig_host(&r, GIB, 4096, NULL, NULL);
	a = rig_vm(&r, 256 * MIB, 20000, 0.0);
	b = rig_vm(&r, 256 * MIB, 30000, 0.0);
	touch_range(&r, a, 0, 20000);
	touch_range(&r, b, 0, 30000);
	bytes = 8 * 20000 + 3 * 4096 + 8 * 30000 + 3 * 4096;
	ck_assert_int_eq(r.h.mem.pt.bytes, bytes);
	/* Frames: the pages, and ceil(bytes / 4 KiB) for the tables. */
	ck_assert_uint_eq(r.h.mem.pt.frames, frames_of(bytes, 4096));
	ck_assert_uint_eq(r.h.mem.frames_free,
			  r.h.mem.frames_total - 50000 - frames_of(bytes, 4096));
	ok(&r);
	rig_free(&r);
}
END_TEST

START_TEST(a_full_host_reclaims_for_its_tables)
{
	struct rig r;
	struct vm *vm;
	uint32_t n = 3000;

	/* 2048 frames: the VM's 3000 pages cannot all be on frames, and every
	 * frame the tables need comes from a swapped page. */
	rig_host(&r, 8 * MIB, 4096, NULL, NULL);
	vm = rig_vm(&r, 16 * MIB, n, 0.0);
	touch_range(&r, vm, 0, n);
	ok(&r);
	{
		uint64_t mapped = vm->mem.n_state[PS_PRIVATE];
		int64_t bytes = 8 * (int64_t)mapped + 3 * 4096;

		ck_assert_int_eq(vm->mem.pt.bytes, bytes);
		ck_assert_uint_eq(r.h.mem.frames_free + mapped + r.h.mem.pt.frames, 2048);
		/* At most the last mapping's frame is owed. */
		ck_assert_uint_le(pt_host_frames_owed(&r.h.mem.pt), 1);
		mem_pt_tick(&r.h, 0);
		ck_assert_uint_le(pt_host_frames_owed(&r.h.mem.pt), 1);
	}
	rig_free(&r);
}
END_TEST

/* --- large-page backing ---------------------------------------------- */

static const struct pt_params large_on = {.tables = true, .large_pages = true};

START_TEST(a_free_host_backs_every_group_large)
{
	struct rig r;
	struct vm *vm;
	int64_t stall;

	rig_host(&r, GIB, 4096, &large_on, NULL);
	vm = rig_vm(&r, 64 * MIB, 16384, 0.0);
	/* The first touch of a group zero-fills all 512 of its pages. */
	stall = mem_touch(&r.h, vm, 0, false, 0);
	ck_assert_int_eq(stall, 512 * 2000);
	ck_assert_uint_eq(vm->mem.pt.n_large, 1);
	ck_assert_uint_eq(vm->mem.n_state[PS_PRIVATE], 512);
	ck_assert_int_eq(mem_touch(&r.h, vm, 1, false, 0), 0);
	touch_range(&r, vm, 2, 16384);
	/* 32 groups of 2 MiB, all large: no last-level entries at all. */
	ck_assert_uint_eq(vm->mem.pt.n_large, 32);
	ck_assert_uint_eq(vm->mem.pt.mapped_small, 0);
	ck_assert_int_eq(vm->mem.pt.bytes, 3 * 4096);
	ck_assert_uint_eq(r.h.mem.pt.blocks, 512 - 32 - 1);    /* one split for the tables */
	ok(&r);
	rig_free(&r);
}
END_TEST

/*
 * 4096 frames: 8 blocks.  A 1 MiB VM (a partial group, never large) takes
 * 256 small frames, splitting one block; it leaves, and its 512 frames are
 * loose.  A 16 MiB VM's 8 groups then find 7 blocks, and the 8th is large
 * only if compaction counts floor(c * 512 / 512) >= 1 of the loose frames.
 */
static void fragmented(double compaction, uint64_t want_large)
{
	struct pt_params pt = {.large_pages = true, .compaction = compaction};
	struct rig r;
	struct vm *a, *b;

	rig_host(&r, 16 * MIB, 4096, &pt, NULL);
	ck_assert_uint_eq(r.h.mem.pt.blocks, 8);
	a = rig_vm(&r, MIB, 256, 0.0);
	touch_range(&r, a, 0, 256);
	ck_assert_uint_eq(a->mem.pt.n_large, 0);
	ck_assert_uint_eq(r.h.mem.pt.blocks, 7);
	mem_vm_leave(&r.h, a);
	ck_assert_uint_eq(r.h.mem.pt.blocks, 7);
	b = rig_vm(&r, 16 * MIB, 4096, 0.0);
	touch_range(&r, b, 0, 4096);
	ck_assert_uint_eq(b->mem.pt.n_large, want_large);
	ck_assert_uint_eq(b->mem.pt.mapped_small, (8 - want_large) * 512);
	ck_assert_uint_eq(r.h.mem.frames_free, 0);
	rig_free(&r);
}

START_TEST(a_fragmented_host_falls_back_to_small_pages)
{
	fragmented(0.0, 7);
	fragmented(0.5, 7);
	fragmented(1.0, 8);
}
END_TEST

START_TEST(a_group_with_a_page_in_use_is_never_backed_large)
{
	struct rig r;
	struct vm *vm;

	rig_host(&r, GIB, 4096, &large_on, NULL);
	vm = rig_vm(&r, 4 * MIB, 1024, 0.0);
	/* The balloon takes guest page 0: group 0 is no longer fresh. */
	mem_balloon_towards(&r.h, vm, 1, 1, 0);
	ck_assert_uint_eq(vm->mem.n_state[PS_BALLOONED], 1);
	touch_range(&r, vm, 0, 10);
	ck_assert_uint_eq(vm->mem.pt.n_large, 0);
	ck_assert_uint_eq(vm->mem.n_state[PS_PRIVATE], 10);
	ok(&r);
	/* Group 1 is fresh: its first touch backs it large. */
	touch_range(&r, vm, 10, 520);
	ck_assert_uint_eq(vm->mem.pt.n_large, 1);
	ck_assert_uint_eq(vm->mem.n_state[PS_PRIVATE], 511 + 512);
	ok(&r);
	rig_free(&r);
}
END_TEST

START_TEST(every_page_is_large_at_a_2mib_granule)
{
	struct rig r;
	struct vm *vm;

	rig_host(&r, 8 * GIB, 2 * MIB, &large_on, NULL);
	vm = rig_vm(&r, 4 * GIB, 2048, 0.0);
	touch_range(&r, vm, 0, 600);
	ck_assert_uint_eq(vm->mem.pt.n_large, 600);
	/* No last level: two page directories, the PDPT, the root. */
	ck_assert_int_eq(vm->mem.pt.bytes, 4 * 4096);
	ok(&r);
	rig_free(&r);
}
END_TEST

START_TEST(a_large_page_breaks_before_a_page_of_it_is_swapped)
{
	struct rig r;
	struct vm *vm;

	rig_host(&r, GIB, 4096, &large_on, NULL);
	vm = rig_vm(&r, 4 * MIB, 1024, 1.0);
	touch_range(&r, vm, 0, 1024);
	ck_assert_uint_eq(vm->mem.pt.n_large, 2);
	/* A zero page of a large page cannot be shared ... */
	ck_assert_int_eq(mem_share(&r.h, vm, 5), -SIM_EINVAL);
	/* ... nor swapped whole: swapping one page breaks its group. */
	ck_assert_int_eq(mem_swap_out(&r.h, vm, 600, 0, NULL), 0);
	ck_assert_uint_eq(vm->mem.pt.n_large, 1);
	ck_assert_uint_eq(vm->mem.pt.broken_pages, 1);
	ck_assert_uint_eq(vm->mem.pt.mapped_small, 511);
	ck_assert_int_eq(vm->mem.pt.bytes, 8 * 511 + 3 * 4096);
	ok(&r);
	/* Its small pages share now. */
	ck_assert_int_eq(mem_share(&r.h, vm, 700), 0);
	ck_assert_int_eq(mem_share(&r.h, vm, 701), 0);
	ck_assert_uint_eq(vm->mem.pt.broken_shared, 2);
	ck_assert_uint_eq(r.h.mem.pt.broken_shared, 2);
	ok(&r);
	rig_free(&r);
}
END_TEST

/* --- translation ------------------------------------------------------- */

static cJSON *run_json(const char *path, const char *const *sets, size_t n_sets)
{
	struct scenario_opts opts = {sets, n_sets, false, 0};
	struct scenario sc;
	struct run_record rec;
	struct sim_err err = {0};
	struct run_opts o = {.check_every = 1};
	cJSON *j;

	ck_assert_msg(scenario_load(path, &opts, &sc, &err) == 0, "%s:%u:%u: %s", err.file,
		      err.line, err.col, err.msg);
	ck_assert_msg(run_replication(&sc, 0, &o, &rec, &err) == 0, "%s", err.msg);
	j = results_to_json(&rec);
	results_release(&rec);
	scenario_release(&sc);
	return j;
}

static double num_at(cJSON *j, const char *path)
{
	char buf[256], *save = NULL, *part;

	snprintf(buf, sizeof(buf), "%s", path);
	for (part = strtok_r(buf, ".", &save); part && j; part = strtok_r(NULL, ".", &save))
		j = isdigit((unsigned char)part[0]) ? cJSON_GetArrayItem(j, atoi(part))
						    : cJSON_GetObjectItemCaseSensitive(j, part);
	ck_assert_msg(j && cJSON_IsNumber(j), "no number at %s", path);
	return j->valuedouble;
}

START_TEST(walks_are_24_references_nested_and_fewer_with_2mib)
{
	const int64_t k4 = 4096, m2 = 2 * MIB, g1 = GIB;

	ck_assert_int_eq(pt_walk_refs(PT_NESTED, k4, k4), 24);        /* 5 x 5 - 1 */
	ck_assert_int_eq(pt_walk_refs(PT_NESTED, k4, m2), 19);        /* 5 x 4 - 1 */
	ck_assert_int_eq(pt_walk_refs(PT_NESTED, m2, k4), 19);
	ck_assert_int_eq(pt_walk_refs(PT_NESTED, m2, m2), 15);        /* 4 x 4 - 1 */
	ck_assert_int_eq(pt_walk_refs(PT_NESTED, g1, g1), 8);         /* 3 x 3 - 1 */
	ck_assert_int_eq(pt_walk_refs(PT_SHADOW, k4, k4), 4);
	ck_assert_int_eq(pt_walk_refs(PT_SHADOW, m2, k4), 4);
	ck_assert_int_eq(pt_walk_refs(PT_SHADOW, m2, m2), 3);
}
END_TEST

/* A host of the defaults' TLB (1536 entries, 5 ns a reference) and one
 * VM whose mapped pages are all small or all large. */
static double per_touch(const struct pt_params *p, bool large, double ws)
{
	struct pt_host ph;
	struct pt_vm pv = {.mapped = 512, .group = 512, .n_large = large ? 1 : 0};

	pt_host_init(&ph, p, 4096, 0);
	return pt_translation_ns(&ph, &pv, ws, 1, 1e9, 0);
}

START_TEST(translation_rises_past_the_tlb_reach_and_falls_with_2mib)
{
	struct pt_params p = {.tlb_entries = 1536, .walk_ref_ns = 5, .guest_page_bytes = 4096};

	/* Reach 1536 x 4 KiB = 6 MiB: within it nothing; past it 1 - 6/ws of
	 * touches walk 24 references of 5 ns. */
	ck_assert_double_eq_tol(per_touch(&p, false, 6 * MIB), 0, 1e-12);
	ck_assert_double_eq_tol(per_touch(&p, false, 12 * MIB), 0.5 * 24 * 5, 1e-9);
	ck_assert_double_eq_tol(per_touch(&p, false, 24 * MIB), 0.75 * 24 * 5, 1e-9);
	/* Host 2 MiB pages under a 4 KiB guest: the same reach, 19 references. */
	ck_assert_double_eq_tol(per_touch(&p, true, 12 * MIB), 0.5 * 19 * 5, 1e-9);
	/* A 2 MiB guest on them: reach 3 GiB, 15 references. */
	p.guest_page_bytes = 2 * MIB;
	ck_assert_double_eq_tol(per_touch(&p, true, 12 * MIB), 0, 1e-12);
	ck_assert_double_eq_tol(per_touch(&p, true, 6 * GIB), 0.5 * 15 * 5, 1e-9);
	/* ... and on small host pages: a 4 KiB reach, 19 references. */
	ck_assert_double_eq_tol(per_touch(&p, false, 12 * MIB), 0.5 * 19 * 5, 1e-9);
}
END_TEST

START_TEST(shadow_paging_pays_an_exit_per_page_table_write)
{
	struct pt_params p = {.paging = PT_SHADOW, .tlb_entries = 1536, .walk_ref_ns = 5,
			      .guest_page_bytes = 4096, .exit_ns = 2000};
	struct pt_host ph;
	struct pt_vm pv = {.mapped = 1, .group = 512};
	double base;

	pt_host_init(&ph, &p, 4096, 0);
	/* A 4-reference walk for half of 1000 touches, no writes. */
	base = pt_translation_ns(&ph, &pv, 12 * MIB, 1000, 1e9, 0);
	ck_assert_double_eq_tol(base, 1000 * 0.5 * 4 * 5, 1e-9);
	/* 300 writes the model saw, and 1000/s more over a 1 s tick. */
	ck_assert_double_eq_tol(pt_translation_ns(&ph, &pv, 12 * MIB, 1000, 1e9, 300),
				base + 300 * 2000, 1e-6);
	ph.p.pt_writes = 1000;
	ck_assert_double_eq_tol(pt_translation_ns(&ph, &pv, 12 * MIB, 1000, 1e9, 300),
				base + 1300 * 2000, 1e-6);
	ph.p.pt_writes = 2000;
	ck_assert_double_eq_tol(pt_translation_ns(&ph, &pv, 12 * MIB, 1000, 1e9, 300),
				base + 2300 * 2000, 1e-6);
}
END_TEST

/* The run's translation time is its touches done times the walk's cost:
 * 64 MiB touched uniformly, reach 6 MiB, 5 ns a reference. */
static void expect_translation(cJSON *j, double refs)
{
	double done = num_at(j, "vms.0.touches") * num_at(j, "vms.0.progress");
	double want = done * (1 - 6.0 / 64) * refs * 5e-9;

	/* The walks take the VM's time: it gets through fewer touches. */
	ck_assert_double_lt(num_at(j, "vms.0.progress"), 1);
	/* Each tick's time is rounded to a nanosecond. */
	ck_assert_double_eq_tol(num_at(j, "vms.0.mapping.translation_s"), want, 10 * 0.5e-9);
	ck_assert_double_eq_tol(num_at(j, "vms.0.mapping.translation_overhead"), want / 10, 1e-9);
	/* Its stall: the 16384 zero fills of 2 us (small or large), and the walks. */
	ck_assert_double_eq_tol(num_at(j, "vms.0.stall_s"), 16384 * 2e-6 + want, 20 * 0.5e-9);
}

START_TEST(a_run_charges_its_walks_to_the_vm)
{
	const char *large[] = {"hosts.0.large_pages=true"};
	cJSON *j = run_json("tests/data/pt_tlb.yaml", NULL, 0);

	expect_translation(j, 24);
	ck_assert_double_eq(num_at(j, "vms.0.mapping.large_bytes"), 0);
	cJSON_Delete(j);
	j = run_json("tests/data/pt_tlb.yaml", large, 1);
	expect_translation(j, 19);
	ck_assert_double_eq(num_at(j, "vms.0.mapping.large_bytes"), 64.0 * MIB);
	ck_assert_double_eq(num_at(j, "vms.0.mapping.small_bytes"), 0);
	cJSON_Delete(j);
}
END_TEST

/* --- large pages and reclamation ---------------------------------------- */

START_TEST(identical_vms_share_only_once_their_large_pages_break)
{
	const char *roomy[] = {"hosts.0.memory=4GiB"};
	cJSON *j = run_json("tests/data/pt_share.yaml", roomy, 1);
	int v;

	/* High: every 2 MiB group of both VMs backed large, nothing shared. */
	ck_assert_double_eq(num_at(j, "hosts.0.shared_saved_bytes"), 0);
	ck_assert_double_eq(num_at(j, "hosts.0.mapping.broken_large_pages"), 0);
	for (v = 0; v < 2; v++) {
		char path[64];

		snprintf(path, sizeof(path), "vms.%d.mapping.large_bytes", v);
		ck_assert_double_eq(num_at(j, path), 400.0 * MIB);
	}
	cJSON_Delete(j);
	/*
	 * Clear: all 400 large pages broken (200 a VM), and ksm merges their
	 * small pages.  Each VM's N = 102400 pages hold image page
	 * hash(d) mod N, the same in both: N (1 - 1/e) distinct contents in
	 * expectation, so sharing saves 2N - N (1 - 1/e) = N (1 + 1/e) pages
	 * once ksm has merged them all, every one of a broken large page.
	 */
	j = run_json("tests/data/pt_share.yaml", NULL, 0);
	ck_assert_double_eq(num_at(j, "hosts.0.mapping.large_bytes"), 0);
	ck_assert_double_eq(num_at(j, "hosts.0.mapping.broken_large_pages"), 400);
	ck_assert_double_eq(num_at(j, "vms.0.mapping.broken_large_pages"), 200);
	ck_assert_double_eq_tol(num_at(j, "hosts.0.shared_saved_bytes"),
				102400 * (1 + exp(-1)) * 4096, 0.01 * 102400 * 4096);
	ck_assert_double_eq(num_at(j, "hosts.0.mapping.broken_shared_bytes"), 800.0 * MIB);
	cJSON_Delete(j);
}
END_TEST

Suite *pt_suite(void)
{
	Suite *s = suite_create("pt");
	TCase *tc = tcase_create("tables");

	tcase_set_timeout(tc, 0);
	tcase_add_test(tc, table_bytes_of_mapped_pages_by_hand);
	tcase_add_test(tc, table_bytes_after_unmapping);
	tcase_add_test(tc, table_bytes_at_a_2mib_granule);
	tcase_add_test(tc, shadow_tables_are_a_multiple_of_nested);
	tcase_add_test(tc, table_frames_are_in_the_hosts_conservation);
	tcase_add_test(tc, a_full_host_reclaims_for_its_tables);
	suite_add_tcase(s, tc);
	tc = tcase_create("large");
	tcase_set_timeout(tc, 0);
	tcase_add_test(tc, a_free_host_backs_every_group_large);
	tcase_add_test(tc, a_fragmented_host_falls_back_to_small_pages);
	tcase_add_test(tc, a_group_with_a_page_in_use_is_never_backed_large);
	tcase_add_test(tc, every_page_is_large_at_a_2mib_granule);
	tcase_add_test(tc, a_large_page_breaks_before_a_page_of_it_is_swapped);
	suite_add_tcase(s, tc);
	tc = tcase_create("translation");
	tcase_set_timeout(tc, 0);
	tcase_add_test(tc, walks_are_24_references_nested_and_fewer_with_2mib);
	tcase_add_test(tc, translation_rises_past_the_tlb_reach_and_falls_with_2mib);
	tcase_add_test(tc, shadow_paging_pays_an_exit_per_page_table_write);
	tcase_add_test(tc, a_run_charges_its_walks_to_the_vm);
	suite_add_tcase(s, tc);
	tc = tcase_create("reclamation");
	tcase_set_timeout(tc, 0);
	tcase_add_test(tc, identical_vms_share_only_once_their_large_pages_break);
	suite_add_tcase(s, tc);
	return s;
}
