/*
 * check_hyperv.c - Hyper-V dynamic memory: the balloon policy
 * hyperv-dynamic (policies/balloon_hyperv_dynamic.c) and the estimator
 * guest-reported (policies/estimator_guest_reported.c).  The balloon
 * floor at the breakpoints of hv_balloon's table and the assignment rule
 * on splits worked by hand (MECHANISMS.md 3); through the model, a guest
 * committing 1000 MiB assigned 1200 MiB, hot-add above startup with the
 * guest never using more than it was given, the buffer shrinking and the
 * weights splitting a scarce host, minimum, maximum and floor held; the
 * estimator's reports against hand-counted pages and their lag; the
 * results' keys; and the trace's dynamic: settings with their errors.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "balloon_hyperv_dynamic.h"
#include "cluster.h"
#include "policy_rig.h"
#include "run.h"
#include "scenario.h"
#include "suites.h"
#include "trace.h"

#define S 1000000000LL
#define MiB (1024LL * 1024)
#define GiB (1024LL * MiB)
#define PAGE (2 * MiB)

/* --- the floor ------------------------------------------------------------ */

/* hv_balloon's table (MECHANISMS.md 3), by hand at and around each
 * breakpoint: below 128 MiB 8 + RAM/2, then 40 + RAM/4, from 512 MiB
 * 104 + RAM/8, from 2 GiB 232 + RAM/16, from 8 GiB 488 + RAM/32. */
START_TEST(the_floor_follows_the_table_at_its_breakpoints)
{
	static const struct {
		int64_t ram, floor;
	} cases[] = {
		{64 * MiB, 40 * MiB},                   /* 8 + 32 */
		{127 * MiB, 8 * MiB + 127 * MiB / 2},   /* 71.5 MiB */
		{128 * MiB, 72 * MiB},                  /* 40 + 32 */
		{511 * MiB, 40 * MiB + 511 * MiB / 4},  /* 167.75 MiB */
		{512 * MiB, 168 * MiB},                 /* 104 + 64 */
		{2047 * MiB, 104 * MiB + 2047 * MiB / 8},
		{2 * GiB, 360 * MiB},                   /* 232 + 128: the table's 2 GB -> 360 MB */
		{8 * GiB - MiB, 232 * MiB + (8 * GiB - MiB) / 16},
		{8 * GiB, 744 * MiB},                   /* 488 + 256: 8 GB -> 744 MB */
		{32 * GiB, 1512 * MiB},                 /* 488 + 1024: 32 GB -> 1512 MB */
	};
	size_t k;

	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++)
		ck_assert_msg(hyperv_balloon_floor_bytes(cases[k].ram) == cases[k].floor,
			      "RAM %lld: floor %lld, want %lld", (long long)cases[k].ram,
			      (long long)hyperv_balloon_floor_bytes(cases[k].ram),
			      (long long)cases[k].floor);
}
END_TEST

/* --- the assignment --------------------------------------------------------- */

static void assert_assigned(const struct hyperv_vm *v, size_t n, double avail, const double *want)
{
	double got[8];
	size_t i;

	hyperv_assign(v, n, avail, got);
	for (i = 0; i < n; i++)
		ck_assert_msg(fabs(got[i] - want[i]) < 1e-6, "VM %zu: %.6f pages, want %.6f", i,
			      got[i], want[i]);
}

START_TEST(with_plenty_a_vm_gets_demand_and_buffer)
{
	/* 1000 units committed at 20%: 1200; beside it 300 at 50%: 450. */
	struct hyperv_vm v[] = {{1000, 0, 4096, 0.2, 5000}, {300, 0, 4096, 0.5, 5000}};
	double want[] = {1200, 450};

	assert_assigned(v, 2, 10000, want);
}
END_TEST

START_TEST(when_the_wants_do_not_fit_the_buffers_shrink_by_weight)
{
	/* Demands 1000 + 1000 fit in 2200, wants 1200 + 1200 do not: 200 for
	 * the buffers, 100 each at equal weights, 133.33 and 66.67 at 2:1. */
	struct hyperv_vm v[] = {{1000, 0, 4096, 0.2, 5000}, {1000, 0, 4096, 0.2, 5000}};
	double equal[] = {1100, 1100}, two_to_one[] = {1000 + 400.0 / 3, 1000 + 200.0 / 3};

	assert_assigned(v, 2, 2200, equal);
	v[0].weight = 6000;
	v[1].weight = 3000;
	assert_assigned(v, 2, 2200, two_to_one);
	/* A buffer is never more than the VM's own: 2200 with a 5% buffer
	 * on the first, which takes 50, the second takes the other 150. */
	v[0].buffer = 0.05;
	{
		double capped[] = {1050, 1150};

		assert_assigned(v, 2, 2200, capped);
	}
}
END_TEST

START_TEST(when_the_demands_do_not_fit_weights_split_the_host)
{
	/* Demands 1000 each on 1500 at weights 2:1: 1000 and 500. */
	struct hyperv_vm two[] = {{1000, 0, 4096, 0.2, 6000}, {1000, 0, 4096, 0.2, 3000}};
	/* 1:2:3 on 600, demands far above: 100, 200, 300. */
	struct hyperv_vm three[] = {{5000, 0, 8192, 0.2, 1000}, {5000, 0, 8192, 0.2, 2000},
				    {5000, 0, 8192, 0.2, 3000}};
	/* 2:1 on 1200 with demands 700: 700 (its demand, no buffer) and 500. */
	struct hyperv_vm capped[] = {{700, 0, 4096, 0.2, 6000}, {1000, 0, 4096, 0.2, 3000}};
	double w_two[] = {1000, 500}, w_three[] = {100, 200, 300}, w_capped[] = {700, 500};

	assert_assigned(two, 2, 1500, w_two);
	assert_assigned(three, 3, 600, w_three);
	assert_assigned(capped, 2, 1200, w_capped);
}
END_TEST

START_TEST(minimum_and_maximum_are_never_crossed)
{
	/* Plenty: 10 committed at a minimum of 256 gets 256; 5000 at a
	 * maximum of 2048 gets 2048. */
	struct hyperv_vm plenty[] = {{10, 256, 4096, 0.2, 5000}, {5000, 0, 2048, 0.2, 5000}};
	/* Scarce, 1:9 on 1200 with demands 1000: the first would get 120,
	 * but holds its minimum of 400; the second gets the other 800. */
	struct hyperv_vm scarce[] = {{1000, 400, 4096, 0.2, 1000}, {1000, 0, 4096, 0.2, 9000}};
	/* Minimums of 700 + 700 on 1200: each its minimum, the host short. */
	struct hyperv_vm short_of_min[] = {{1000, 700, 4096, 0.2, 1000},
					   {1000, 700, 4096, 0.2, 9000}};
	double w_plenty[] = {256, 2048}, w_scarce[] = {400, 800}, w_short[] = {700, 700};

	assert_assigned(plenty, 2, 100000, w_plenty);
	assert_assigned(scarce, 2, 1200, w_scarce);
	assert_assigned(short_of_min, 2, 1200, w_short);
}
END_TEST

/* --- through the model ------------------------------------------------------ */

struct world {
	struct policy_rig pol;
	struct host_params host;
	struct sim *sim;
	struct cluster *c;
};

static void world_start(struct world *w, int64_t memory_bytes, const struct vm_spec *vms,
			size_t n_vms, sim_time end)
{
	struct cluster_params p = {0};

	w->host = (struct host_params){.name = "h-0", .group = "h", .memory_bytes = memory_bytes,
				       .swap_bytes = 4 * GiB, .swap_read_ns = 80000,
				       .swap_write_ns = 120000, .swap_bandwidth = 2e9,
				       .disk_read_ns = 110000, .disk_write_ns = 52000,
				       .disk_bandwidth = 5e8};
	p.policies = w->pol.set;
	p.hosts = &w->host;
	p.n_hosts = 1;
	p.vms = vms;
	p.n_vms = n_vms;
	p.seed = 1;
	p.page_bytes = PAGE;
	p.tick_ns = S;
	p.end_ns = end;
	p.latency = (struct mem_latency){.zero_fill_ns = 2000, .cow_ns = 3000};
	p.balloon_rate = 256.0 * MiB;   /* the driver's default */
	p.balloon_max = 0.65;           /* the default cap, which must not stop hot-add */
	p.check_every = 1;
	w->sim = sim_new();
	w->c = cluster_new(w->sim, &p);
	cluster_start(w->c);
}

static void world_end(struct world *w)
{
	ck_assert_msg(!w->c->check_failed, "%s", w->c->check_err.msg);
	cluster_free(w->c);
	sim_free(w->sim);
	policy_rig_release(&w->pol);
}

static const char *const hyperv_yaml[FAMILY_COUNT] = {
	[FAMILY_ESTIMATOR] = "{policy: guest-reported}",
	[FAMILY_OVERCOMMIT] = "{policy: ratio, max: 8}",
	[FAMILY_BALLOON] = "{policy: hyperv-dynamic}"};

static struct phase phases[8];

/* A dynamic VM of maximum bytes, starting at startup, never below minimum,
 * its guest using ws bytes (uniform, 20k touches a second). */
static struct vm_spec dyn_vm(int i, const char *name, int64_t maximum, int64_t startup,
			     int64_t minimum, double weight, int64_t ws)
{
	phases[i] = (struct phase){.ws_bytes = ws, .pattern = PATTERN_UNIFORM, .rate = 20000};
	return (struct vm_spec){.name = (char *)name, .memory_bytes = maximum,
				.limit_bytes = maximum, .shares_per_mb = 10,
				.shares = 10.0 * (double)maximum / MiB, .depart_ns = SPEC_NEVER,
				.image = -1, .phases = &phases[i], .n_phases = 1,
				.dynamic = {.on = true, .startup_bytes = startup,
					    .minimum_bytes = minimum, .buffer = 0.2,
					    .weight = weight}};
}

static uint64_t has(const struct world *w, size_t i)
{
	const struct vm *vm = &w->c->vms[i];

	return vm_pages(vm) - vm_ballooned_pages(vm);
}

/* The guest's data in its memory never exceeds the pages it has. */
static void assert_within(const struct world *w, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		ck_assert_msg(w->c->vms[i].mem.n_resident <= has(w, i),
			      "VM %zu: %llu pages of data in %llu", i,
			      (unsigned long long)w->c->vms[i].mem.n_resident,
			      (unsigned long long)has(w, i));
}

/*
 * A guest committing 1000 MiB (500 pages) with a 20% buffer on a host with
 * room: 1200 MiB, 600 pages, of a 4 GiB maximum (2048): its balloon holds
 * 1448.  It started at 1 GiB (512 pages, 1536 ballooned, 75%: past the
 * 65% cap, which Hyper-V does not have) and grew by hot-add.
 */
START_TEST(a_guest_committing_1000_mib_is_assigned_1200_mib_with_plenty)
{
	struct vm_spec vms[] = {dyn_vm(0, "a", 4 * GiB, GiB, 512 * MiB, 5000, 1000 * MiB)};
	struct world w;
	int t;

	policy_rig_init(&w.pol, hyperv_yaml);
	world_start(&w, 8 * GiB, vms, 1, 30 * S);
	sim_run(w.sim, S / 2);
	ck_assert_uint_eq(vm_ballooned_pages(&w.c->vms[0]), 1536);
	for (t = 1; t <= 30; t++) {
		sim_run(w.sim, t * S - S / 2);
		assert_within(&w, 1);
	}
	ck_assert_uint_eq(vm_guest_used_pages(&w.c->vms[0]), 500);
	ck_assert_uint_eq(has(&w, 0), 600);
	ck_assert_uint_eq(vm_ballooned_pages(&w.c->vms[0]), 1448);
	world_end(&w);
}
END_TEST

/*
 * Started at 512 MiB (256 pages; 1792 of 2048 ballooned, 87.5%) with 500
 * pages of data: at first the guest holds at most 256 of them and swaps
 * the rest to its disk; once it reports 500 committed it is given 600 by
 * hot-add, and all its data comes back into memory.
 */
START_TEST(hot_add_raises_assigned_memory_above_startup_the_guest_using_no_more)
{
	struct vm_spec vms[] = {dyn_vm(0, "a", 4 * GiB, 512 * MiB, 512 * MiB, 5000, 1000 * MiB)};
	struct world w;
	uint64_t most = 0;
	int t;

	policy_rig_init(&w.pol, hyperv_yaml);
	world_start(&w, 8 * GiB, vms, 1, 30 * S);
	sim_run(w.sim, S / 2);
	ck_assert_uint_eq(has(&w, 0), 256);
	ck_assert_uint_le(w.c->vms[0].mem.n_resident, 256);
	ck_assert_uint_gt(w.c->vms[0].mem.stats.guest_swap_out, 0);
	for (t = 1; t <= 30; t++) {
		sim_run(w.sim, t * S - S / 2);
		assert_within(&w, 1);
		if (has(&w, 0) > most)
			most = has(&w, 0);
	}
	ck_assert_uint_eq(most, 600);
	ck_assert_uint_eq(has(&w, 0), 600);
	ck_assert_uint_eq(w.c->vms[0].mem.n_resident, 500);
	world_end(&w);
}
END_TEST

/*
 * Two guests committing 1000 MiB each on a host of 2200 MiB (1100 pages):
 * their demands fit (1000 pages), their wants (1200) do not, so each
 * keeps a buffer of 50 pages, not 100: 550 pages, 1100 MiB.  At weights
 * 6000 and 3000 the 100 pages of buffer split 2:1: 566 and 533 (66.67 and
 * 33.33, rounded down).
 */
START_TEST(the_buffer_shrinks_when_memory_is_not_plentiful)
{
	static const double weights[2][2] = {{5000, 5000}, {6000, 3000}};
	static const uint64_t want[2][2] = {{550, 550}, {566, 533}};
	int k, t;

	for (k = 0; k < 2; k++) {
		struct vm_spec vms[] = {
			dyn_vm(0, "a", 2 * GiB, GiB, 256 * MiB, weights[k][0], 1000 * MiB),
			dyn_vm(1, "b", 2 * GiB, GiB, 256 * MiB, weights[k][1], 1000 * MiB)};
		struct world w;

		policy_rig_init(&w.pol, hyperv_yaml);
		world_start(&w, 2200 * MiB, vms, 2, 40 * S);
		for (t = 1; t <= 40; t++) {
			sim_run(w.sim, t * S - S / 2);
			assert_within(&w, 2);
		}
		ck_assert_msg(has(&w, 0) == want[k][0] && has(&w, 1) == want[k][1],
			      "case %d: %llu and %llu pages, want %llu and %llu", k,
			      (unsigned long long)has(&w, 0), (unsigned long long)has(&w, 1),
			      (unsigned long long)want[k][0], (unsigned long long)want[k][1]);
		world_end(&w);
	}
}
END_TEST

/*
 * Two guests committing 1000 MiB (500 pages) each on a host of 1200 MiB
 * (600 pages), weights 6000 and 3000: no buffers, and 400 and 200 pages,
 * 2:1.  Both are above their lower bound: the floor of their 1 GiB of RAM
 * is 104 + 128 = 232 MiB, 116 pages.  The guests' commitments stay 500
 * pages, part of them in their own swap.
 */
START_TEST(weights_split_a_scarce_host_in_their_ratio)
{
	struct vm_spec vms[] = {dyn_vm(0, "a", 2 * GiB, GiB, 128 * MiB, 6000, 1000 * MiB),
				dyn_vm(1, "b", 2 * GiB, GiB, 128 * MiB, 3000, 1000 * MiB)};
	struct world w;

	policy_rig_init(&w.pol, hyperv_yaml);
	world_start(&w, 1200 * MiB, vms, 2, 60 * S);
	sim_run(w.sim, 60 * S - S / 2);
	assert_within(&w, 2);
	ck_assert_uint_eq(vm_guest_used_pages(&w.c->vms[0]), 500);
	ck_assert_uint_eq(vm_guest_used_pages(&w.c->vms[1]), 500);
	ck_assert_uint_eq(has(&w, 0), 400);
	ck_assert_uint_eq(has(&w, 1), 200);
	ck_assert_uint_eq(w.c->stats.oom, 0);
	world_end(&w);
}
END_TEST

/*
 * A guest committing 100 MiB (50 pages, 120 wanted) with a minimum of 512
 * MiB keeps 256 pages at every second; one committing 1900 MiB (950
 * pages, 1140 wanted) with a maximum of 2 GiB gets its 1024 pages and no
 * more.  One committing 20 MiB (10 pages) with a minimum of 64 MiB keeps
 * its floor: its RAM is its startup 1 GiB, 232 MiB, 116 pages.
 */
START_TEST(minimum_maximum_and_floor_hold_through_the_model)
{
	struct vm_spec vms[] = {
		dyn_vm(0, "small", 2 * GiB, GiB, 512 * MiB, 5000, 100 * MiB),
		dyn_vm(1, "big", 2 * GiB, GiB, 512 * MiB, 5000, 1900 * MiB),
		dyn_vm(2, "idle", 2 * GiB, GiB, 64 * MiB, 5000, 20 * MiB)};
	struct world w;
	int t;

	policy_rig_init(&w.pol, hyperv_yaml);
	world_start(&w, 16 * GiB, vms, 3, 40 * S);
	for (t = 1; t <= 40; t++) {
		sim_run(w.sim, t * S - S / 2);
		assert_within(&w, 3);
		ck_assert_uint_ge(has(&w, 0), 256);
		ck_assert_uint_le(has(&w, 1), 1024);
		ck_assert_uint_ge(has(&w, 2), 116);
	}
	ck_assert_uint_eq(has(&w, 0), 256);
	ck_assert_uint_eq(has(&w, 1), 1024);
	ck_assert_uint_eq(has(&w, 2), 116);
	world_end(&w);
}
END_TEST

/* A VM without dynamic settings under hyperv-dynamic is static at its size. */
START_TEST(a_vm_without_dynamic_settings_is_static)
{
	struct vm_spec vms[] = {dyn_vm(0, "a", 2 * GiB, GiB, 512 * MiB, 5000, 100 * MiB)};
	struct world w;

	vms[0].dynamic.on = false;
	policy_rig_init(&w.pol, hyperv_yaml);
	world_start(&w, 8 * GiB, vms, 1, 10 * S);
	sim_run(w.sim, 10 * S);
	ck_assert_uint_eq(vm_ballooned_pages(&w.c->vms[0]), 0);
	world_end(&w);
}
END_TEST

/* --- the estimator ---------------------------------------------------------- */

static uint64_t estimate(const struct world *w, size_t i, sim_time t, bool *known)
{
	struct policy_ctx ctx = policy_ctx_of(&w->c->hosts[0], FAMILY_BALLOON, t);

	*known = policy_estimate_known(&ctx, &w->c->vms[i]);
	return policy_estimate_pages(&ctx, &w->c->vms[i]);
}

/*
 * A static VM of 1 GiB (512 pages) reporting every 10 s: its guest uses
 * 100 MiB (50 pages, all touched in the first tick: 20k uniform touches
 * over 50 pages miss one with probability 50 e^-400), then from 15 s
 * 20 MiB, freeing 40 pages.  Before its first report it counts as all
 * its pages, unknown; the report at 10 s says 50; the 10 pages are
 * reported only at 20 s, and free is 512 - 10 = 502 then.
 */
START_TEST(reports_are_the_committed_pages_and_lag_by_at_most_a_period)
{
	static struct phase two[2] = {
		{.at_ns = 0, .ws_bytes = 100 * MiB, .pattern = PATTERN_UNIFORM, .rate = 20000},
		{.at_ns = 15 * S, .ws_bytes = 20 * MiB, .pattern = PATTERN_UNIFORM, .rate = 20000}};
	const char *yaml[FAMILY_COUNT] = {[FAMILY_ESTIMATOR] = "{policy: guest-reported, "
							       "period: 10s}"};
	struct vm_spec vm = {.name = (char *)"a", .memory_bytes = GiB, .limit_bytes = GiB,
			     .shares = 10240, .depart_ns = SPEC_NEVER, .image = -1,
			     .phases = two, .n_phases = 2};
	struct policy_stats st = {0};
	struct policy_ctx ctx;
	struct world w;
	bool known;

	policy_rig_init(&w.pol, yaml);
	world_start(&w, 4 * GiB, &vm, 1, 30 * S);
	sim_run(w.sim, 9 * S);
	ck_assert_uint_eq(vm_guest_used_pages(&w.c->vms[0]), 50);
	ck_assert_uint_eq(estimate(&w, 0, 9 * S, &known), 512);
	ck_assert(!known);
	sim_run(w.sim, 10 * S);
	ck_assert_uint_eq(estimate(&w, 0, 10 * S, &known), 50);
	ck_assert(known);
	sim_run(w.sim, 19 * S);
	ck_assert_uint_eq(vm_guest_used_pages(&w.c->vms[0]), 10);
	ck_assert_uint_eq(estimate(&w, 0, 19 * S, &known), 50);
	sim_run(w.sim, 20 * S);
	ck_assert_uint_eq(estimate(&w, 0, 20 * S, &known), 10);
	ctx = policy_ctx_of(&w.c->hosts[0], FAMILY_ESTIMATOR, 20 * S);
	w.pol.p[FAMILY_ESTIMATOR].info->vm_stats(&ctx, &w.c->vms[0], &st);
	ck_assert_uint_eq(st.n, 2);
	ck_assert_str_eq(st.key[0], "committed_bytes_mean");
	ck_assert_double_eq(st.value[0], 10.0 * PAGE);
	ck_assert_str_eq(st.key[1], "free_bytes_mean");
	ck_assert_double_eq(st.value[1], 502.0 * PAGE);
	world_end(&w);
}
END_TEST

/* A guest's data in its own swap is still committed: a dynamic VM started
 * at 256 pages with 500 pages of data holds some of it in its swap after
 * its first tick, and its report at 1 s (before the tick at 1 s) is its
 * data in memory plus that, more than the pages it has. */
START_TEST(data_in_guest_swap_is_still_committed)
{
	struct vm_spec vms[] = {dyn_vm(0, "a", 4 * GiB, 512 * MiB, 512 * MiB, 5000, 1000 * MiB)};
	struct world w;
	uint64_t used;
	bool known;

	policy_rig_init(&w.pol, hyperv_yaml);
	world_start(&w, 8 * GiB, vms, 1, 10 * S);
	sim_run(w.sim, S / 2);
	ck_assert_uint_gt(w.c->vms[0].mem.n_gswap, 0);
	used = w.c->vms[0].mem.n_resident + w.c->vms[0].mem.n_gswap;
	ck_assert_uint_gt(used, 256);
	sim_run(w.sim, S + S / 2);
	ck_assert_uint_eq(estimate(&w, 0, S + S / 2, &known), used);
	ck_assert(known);
	world_end(&w);
}
END_TEST

/* --- results -------------------------------------------------------------- */

static cJSON *at(cJSON *j, const char *path)
{
	char buf[256], *save = NULL, *part;

	snprintf(buf, sizeof(buf), "%s", path);
	for (part = strtok_r(buf, ".", &save); part && j; part = strtok_r(NULL, ".", &save))
		j = cJSON_GetObjectItemCaseSensitive(j, part);
	return j;
}

static cJSON *run_json_set(const char *path, const char *set)
{
	struct scenario_opts opts = {.sets = &set, .n_sets = set != NULL};
	struct run_opts ro = {.check_every = 10};
	struct scenario sc;
	struct run_record rec;
	struct sim_err err = {0};
	cJSON *j;

	ck_assert_msg(scenario_load(path, &opts, &sc, &err) == 0, "%s:%u:%u: %s", err.file,
		      err.line, err.col, err.msg);
	ck_assert_msg(run_replication(&sc, 0, &ro, &rec, &err) == 0, "%s", err.msg);
	j = results_to_json(&rec);
	results_release(&rec);
	scenario_release(&sc);
	return j;
}

static cJSON *run_json(const char *path)
{
	return run_json_set(path, NULL);
}

/*
 * tests/data/hyperv.yaml: the 1000 MiB guest of 4 GiB at startup 1 GiB.
 * vms[].balloon has its policy and the means; the series' last
 * assigned_bytes is 1200 MiB, and its pressure then 1000 / 1200 x 100;
 * the estimator's committed mean is at most 1000 MiB.
 */
START_TEST(results_give_assigned_memory_demand_and_pressure_per_vm)
{
	cJSON *j = run_json("tests/data/hyperv.yaml");
	cJSON *v = cJSON_GetArrayItem(at(j, "vms"), 0), *b = at(v, "balloon");
	cJSON *series = at(v, "series.assigned_bytes");
	double mean;

	ck_assert_ptr_nonnull(b);
	ck_assert_str_eq(at(b, "policy")->valuestring, "hyperv-dynamic");
	mean = at(b, "assigned_bytes_mean")->valuedouble;
	ck_assert_msg(mean > 1000.0 * MiB && mean <= 1200.0 * MiB, "assigned mean %.0f", mean);
	ck_assert(cJSON_IsNumber(at(b, "target_bytes_mean")));
	ck_assert(cJSON_IsNumber(at(b, "demand_bytes_mean")));
	ck_assert(cJSON_IsNumber(at(b, "pressure_mean")));
	ck_assert_msg(at(b, "pressure_mean")->valuedouble > 0 &&
			      at(b, "pressure_mean")->valuedouble <= 100,
		      "pressure %.3f", at(b, "pressure_mean")->valuedouble);
	ck_assert(cJSON_IsArray(series));
	ck_assert_double_eq(cJSON_GetArrayItem(series, cJSON_GetArraySize(series) - 1)->valuedouble,
			    1200.0 * MiB);
	ck_assert_str_eq(at(v, "estimator.policy")->valuestring, "guest-reported");
	ck_assert_double_le(at(v, "estimator.committed_bytes_mean")->valuedouble, 1000.0 * MiB);
	ck_assert_str_eq(at(cJSON_GetArrayItem(at(j, "hosts"), 0), "balloon.policy")->valuestring,
			 "hyperv-dynamic");
	cJSON_Delete(j);
}
END_TEST

/*
 * tests/data/hyperv_4k.yaml: two guests committing 1000 MiB at 4 KiB (at
 * least 90% of it touched: 908 MiB at the mean) on a host that can give
 * 2200 MiB: their demands fit, their wants do not, so each ends with half
 * the host, 1100 MiB, in full and sampled at 1/16 (the host's pages, the
 * floor and the startup scale with the rate, the results back).
 */
START_TEST(a_sampled_run_assigns_as_the_full_one)
{
	static const char *const sets[] = {NULL, "sampling.rate=1/16"};
	int k, i;

	for (k = 0; k < 2; k++) {
		cJSON *j = run_json_set("tests/data/hyperv_4k.yaml", sets[k]);

		for (i = 0; i < 2; i++) {
			cJSON *v = cJSON_GetArrayItem(at(j, "vms"), i);
			cJSON *series = at(v, "series.assigned_bytes");
			double last = cJSON_GetArrayItem(series, cJSON_GetArraySize(series) - 1)
					      ->valuedouble;

			ck_assert_msg(fabs(last - 1100.0 * MiB) < 0.005 * 1100 * MiB,
				      "%s VM %d: %.1f MiB, want 1100",
				      sets[k] ? sets[k] : "full", i, last / MiB);
			ck_assert_double_ge(at(v, "balloon.demand_bytes_mean")->valuedouble,
					    0.9 * 1000 * MiB);
		}
		cJSON_Delete(j);
	}
}
END_TEST

/*
 * tests/data/hyperv_shift.yaml: six VMs of 4 GiB on 15 GiB; three use
 * 3 GiB then 1 GiB, three 1 GiB then 3 GiB, 12 GiB in all at any time.
 * Without a balloon the first three keep their 3 GiB backed after 5 min
 * (a guest's freed memory stays backed) while the others grow: 18 GiB on
 * 15 GiB, so the host swaps.  Under hyperv-dynamic the demands, 12 GiB,
 * and their buffers, 14.4 GiB, fit: the balloons take what the first
 * three freed and the host never swaps.
 */
START_TEST(dynamic_memory_moves_freed_memory_where_it_is_needed)
{
	cJSON *none = run_json("tests/data/hyperv_shift.yaml");
	cJSON *hv = run_json_set("tests/data/hyperv_shift.yaml",
				 "policies.balloon.policy=hyperv-dynamic");

	ck_assert_double_gt(at(none, "summary.io.host_swap_out_bytes")->valuedouble, 0);
	ck_assert_double_eq(at(hv, "summary.io.host_swap_out_bytes")->valuedouble, 0);
	ck_assert_double_eq(at(hv, "summary.memory.swapped_bytes_mean")->valuedouble, 0);
	cJSON_Delete(none);
	cJSON_Delete(hv);
}
END_TEST

/* --- the trace ---------------------------------------------------------------- */

static int load_trace(const char *yaml, struct cfg_node **root, struct trace *t,
		      struct sim_err *err)
{
	ck_assert_int_eq(cfg_load_string("t", yaml, root, err), 0);
	return trace_load(*root, t, err);
}

START_TEST(dynamic_settings_are_read_with_their_defaults)
{
	struct cfg_node *root = NULL;
	struct sim_err err = {0};
	struct trace t;
	const struct dynamic_spec *d;

	ck_assert_msg(load_trace("vms: [{name: a, memory: 1GiB, dynamic: {maximum: 4GiB}},\n"
				 "      {name: b, memory: 4GiB, dynamic: {startup: 2GiB, "
				 "minimum: 512MiB, buffer: 50%, weight: 10000}},\n"
				 "      {name: c, memory: 2GiB}]\n",
				 &root, &t, &err) == 0,
		      "%s", err.msg);
	d = &t.vms[0].dynamic;
	ck_assert(d->on);
	/* memory is the startup, and minimum defaults to it; the VM's size is
	 * its maximum; buffer 20% and weight 5000 (Hyper-V's defaults). */
	ck_assert_int_eq(t.vms[0].memory_bytes, 4 * GiB);
	ck_assert_int_eq(t.vms[0].limit_bytes, 4 * GiB);
	ck_assert_int_eq(d->startup_bytes, GiB);
	ck_assert_int_eq(d->minimum_bytes, GiB);
	ck_assert_double_eq_tol(d->buffer, 0.2, 1e-12);
	ck_assert_double_eq(d->weight, 5000);
	d = &t.vms[1].dynamic;
	ck_assert_int_eq(t.vms[1].memory_bytes, 4 * GiB);
	ck_assert_int_eq(d->startup_bytes, 2 * GiB);
	ck_assert_int_eq(d->minimum_bytes, 512 * MiB);
	ck_assert_double_eq_tol(d->buffer, 0.5, 1e-12);
	ck_assert_double_eq(d->weight, 10000);
	ck_assert(!t.vms[2].dynamic.on);
	trace_release(&t);
	cfg_free(root);
}
END_TEST

/* Each error at the offending value: columns counted on the line
 * "vms: [{name: a, memory: 2GiB, dynamic: {" (40 characters, so the first
 * key is at column 41). */
START_TEST(bad_dynamic_settings_are_located_errors)
{
	static const struct {
		const char *rest;       /* after the 40 characters */
		unsigned col;
		const char *word;
	} bad[] = {
		{"startup: 1GiB, minimum: 2GiB}}]\n", 65, "minimum is larger than startup"},
		{"startup: 3GiB}}]\n", 50, "startup is larger than maximum"},
		{"startup: 1GiB, maximum: 512MiB}}]\n", 50, "startup is larger than maximum"},
		{"buffer: 4%}}]\n", 49, "buffer"},
		{"buffer: 2001%}}]\n", 49, "buffer"},
		{"weight: 10001}}]\n", 49, "weight"},
		{"weight: -1}}]\n", 49, "weight"},
		{"priority: 50}}]\n", 41, "priority"},
		{"minimum: 0}}]\n", 50, "minimum"},
	};
	size_t k;

	for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		char yaml[256];
		struct cfg_node *root = NULL;
		struct sim_err err = {0};
		struct trace t;

		snprintf(yaml, sizeof(yaml), "vms: [{name: a, memory: 2GiB, dynamic: {%s",
			 bad[k].rest);
		ck_assert_msg(load_trace(yaml, &root, &t, &err) < 0, "case %zu loaded", k);
		ck_assert_msg(err.line == 1 && err.col == bad[k].col,
			      "case %zu at %u:%u, want 1:%u: %s", k, err.line, err.col, bad[k].col,
			      err.msg);
		ck_assert_msg(strstr(err.msg, bad[k].word), "case %zu: '%s' does not say '%s'", k,
			      err.msg, bad[k].word);
		trace_release(&t);
		cfg_free(root);
	}
}
END_TEST

/*
 * A group's dynamic settings may be shares of each VM's drawn memory:
 * memory 2 or 4 GiB, startup 50%, minimum 25%, maximum 200% give (by hand)
 * startup 1 or 2 GiB, minimum 512 MiB or 1 GiB, and a size of 4 or 8 GiB.
 * A size beside shares is clamped into the VM's order: startup 3 GiB with
 * maximum 100% is 2 GiB for a 2 GiB VM and stays 3 GiB for a 4 GiB one.
 */
START_TEST(a_groups_dynamic_settings_follow_each_vms_memory)
{
	struct cfg_node *root = NULL;
	struct sim_err err = {0};
	struct trace t;
	struct vm_spec *v;
	size_t n, i;

	ck_assert_msg(load_trace("groups:\n"
				 "  - {name: s, count: 20, memory: {choice: [2GiB, 4GiB]},\n"
				 "     dynamic: {startup: 50%, minimum: 25%, maximum: 200%, weight: 3000}}\n"
				 "  - {name: z, count: 20, memory: {choice: [2GiB, 4GiB]},\n"
				 "     dynamic: {startup: 3GiB}}\n",
				 &root, &t, &err) == 0,
		      "%s", err.msg);
	ck_assert_int_eq(trace_expand(&t, 1, 0, 4096, &v, &n, &err), 0);
	ck_assert_uint_eq(n, 40);
	for (i = 0; i < n; i++) {
		const struct dynamic_spec *d = &v[i].dynamic;

		ck_assert(d->on);
		ck_assert_double_eq_tol(d->buffer, 0.2, 1e-12);
		if (v[i].group[0] == 's') {
			int64_t mem = v[i].memory_bytes / 2;

			ck_assert_msg(mem == 2 * GiB || mem == 4 * GiB, "%s: %lld", v[i].name,
				      (long long)v[i].memory_bytes);
			ck_assert_int_eq(d->startup_bytes, mem / 2);
			ck_assert_int_eq(d->minimum_bytes, mem / 4);
			ck_assert_double_eq(d->weight, 3000);
			ck_assert_int_eq(v[i].limit_bytes, v[i].memory_bytes);
		} else {
			ck_assert_int_eq(d->startup_bytes,
					 v[i].memory_bytes == 2 * GiB ? 2 * GiB : 3 * GiB);
			ck_assert_int_eq(d->minimum_bytes, d->startup_bytes);
		}
	}
	trace_specs_free(v, n);
	trace_release(&t);
	cfg_free(root);
}
END_TEST

/* Shares that break the order are errors at load, at the value (column
 * 63: the first key of the dynamic mapping is at 54). */
START_TEST(a_groups_dynamic_shares_out_of_order_are_located_errors)
{
	static const struct {
		const char *yaml;
		unsigned col;
		const char *word;
	} bad[] = {
		{"groups: [{name: g, count: 1, memory: 2GiB, dynamic: {minimum: 60%, startup: 50%}}]\n",
		 63, "minimum is larger than startup"},
		{"groups: [{name: g, count: 1, memory: 2GiB, dynamic: {startup: 150%}}]\n",
		 63, "startup is larger than maximum"},
		{"groups: [{name: g, count: 1, memory: 2GiB, dynamic: {startup: 0%}}]\n",
		 63, "startup"},
		/* A share past the largest VM (1 PiB): an explicit VM's maximum at 50. */
		{"vms: [{name: a, memory: 1PiB, dynamic: {maximum: 200%}}]\n", 50, "at most 1 PiB"},
	};
	size_t k;

	for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		struct cfg_node *root = NULL;
		struct sim_err err = {0};
		struct trace t;

		ck_assert_msg(load_trace(bad[k].yaml, &root, &t, &err) < 0, "case %zu loaded", k);
		ck_assert_msg(err.line == 1 && err.col == bad[k].col,
			      "case %zu at %u:%u, want 1:%u: %s", k, err.line, err.col, bad[k].col,
			      err.msg);
		ck_assert_msg(strstr(err.msg, bad[k].word), "case %zu: '%s' does not say '%s'", k,
			      err.msg, bad[k].word);
		trace_release(&t);
		cfg_free(root);
	}
}
END_TEST

Suite *hyperv_suite(void)
{
	Suite *s = suite_create("hyperv");
	TCase *tc = tcase_create("arithmetic");
	TCase *model = tcase_create("model");
	TCase *trace = tcase_create("trace");

	tcase_add_test(tc, the_floor_follows_the_table_at_its_breakpoints);
	tcase_add_test(tc, with_plenty_a_vm_gets_demand_and_buffer);
	tcase_add_test(tc, when_the_wants_do_not_fit_the_buffers_shrink_by_weight);
	tcase_add_test(tc, when_the_demands_do_not_fit_weights_split_the_host);
	tcase_add_test(tc, minimum_and_maximum_are_never_crossed);
	suite_add_tcase(s, tc);
	tcase_set_timeout(model, 0);
	tcase_add_test(model, a_guest_committing_1000_mib_is_assigned_1200_mib_with_plenty);
	tcase_add_test(model, hot_add_raises_assigned_memory_above_startup_the_guest_using_no_more);
	tcase_add_test(model, the_buffer_shrinks_when_memory_is_not_plentiful);
	tcase_add_test(model, weights_split_a_scarce_host_in_their_ratio);
	tcase_add_test(model, minimum_maximum_and_floor_hold_through_the_model);
	tcase_add_test(model, a_vm_without_dynamic_settings_is_static);
	tcase_add_test(model, reports_are_the_committed_pages_and_lag_by_at_most_a_period);
	tcase_add_test(model, data_in_guest_swap_is_still_committed);
	tcase_add_test(model, results_give_assigned_memory_demand_and_pressure_per_vm);
	tcase_add_test(model, a_sampled_run_assigns_as_the_full_one);
	tcase_add_test(model, dynamic_memory_moves_freed_memory_where_it_is_needed);
	suite_add_tcase(s, model);
	tcase_add_test(trace, dynamic_settings_are_read_with_their_defaults);
	tcase_add_test(trace, bad_dynamic_settings_are_located_errors);
	tcase_add_test(trace, a_groups_dynamic_settings_follow_each_vms_memory);
	tcase_add_test(trace, a_groups_dynamic_shares_out_of_order_are_located_errors);
	suite_add_tcase(s, trace);
	return s;
}
