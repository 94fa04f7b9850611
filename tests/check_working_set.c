/*
 * check_working_set.c - the overcommit policy working-set
 * (policies/overcommit_working_set.c): admission by the VMs' estimated
 * active memory plus the newcomer's configured working set plus headroom,
 * against counts worked by hand, and its headroom for one arriving VM.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>

#include "cluster.h"
#include "policy_rig.h"
#include "suites.h"

#define S 1000000000LL
#define MiB (1024LL * 1024)
#define GiB (1024LL * MiB)

struct world {
	struct policy_rig pol;
	struct host_params host;
	struct sim *sim;
	struct cluster *c;
};

/* One host of 16 GiB, no overhead. */
static void world_start_with(struct world *w, const char *estimator, const char *overcommit,
			     const struct vm_spec *vms, size_t n_vms, sim_time end)
{
	const char *yaml[FAMILY_COUNT] = {[FAMILY_ESTIMATOR] = estimator,
					  [FAMILY_OVERCOMMIT] = overcommit};
	struct cluster_params p = {0};

	policy_rig_init(&w->pol, yaml);
	w->host = (struct host_params){.name = "h-0", .group = "h", .memory_bytes = 16 * GiB,
				       .swap_bytes = 16 * GiB, .swap_read_ns = 80000,
				       .swap_write_ns = 120000, .swap_bandwidth = 2e9,
				       .disk_read_ns = 110000, .disk_write_ns = 52000,
				       .disk_bandwidth = 5e8};
	p.policies = w->pol.set;
	p.hosts = &w->host;
	p.n_hosts = 1;
	p.vms = vms;
	p.n_vms = n_vms;
	p.seed = 1;
	p.page_bytes = 2 * MiB;
	p.tick_ns = S;
	p.end_ns = end;
	p.latency = (struct mem_latency){.zero_fill_ns = 2000, .cow_ns = 3000};
	p.balloon_rate = 256.0 * MiB;
	p.balloon_max = 0.65;
	w->sim = sim_new();
	w->c = cluster_new(w->sim, &p);
	cluster_start(w->c);
}

static void world_start(struct world *w, const char *overcommit, const struct vm_spec *vms,
			size_t n_vms, sim_time end)
{
	world_start_with(w, "{policy: guest-reported}", overcommit, vms, n_vms, end);
}

static void world_end(struct world *w)
{
	cluster_free(w->c);
	sim_free(w->sim);
	policy_rig_release(&w->pol);
}

static char names[32][8];
static struct phase one[32];
static struct phase two[32][2];

/* VM i of 4 GiB arriving at arrive, its working set ws (uniform, 20k/s). */
static struct vm_spec vm_of(int i, int64_t arrive, int64_t ws)
{
	snprintf(names[i], sizeof(names[i]), "v%d", i);
	one[i] = (struct phase){.ws_bytes = ws, .pattern = PATTERN_UNIFORM, .rate = 20000};
	return (struct vm_spec){.name = names[i], .memory_bytes = 4 * GiB, .limit_bytes = 4 * GiB,
				.shares = 40960, .arrive_ns = arrive, .depart_ns = SPEC_NEVER,
				.image = -1, .phases = &one[i], .n_phases = 1};
}

/*
 * 20 VMs of 4 GiB with 1 GiB working sets at once on 16 GiB: none takes 4
 * (16 / 4); working-set counts each at its configured 1 GiB (none has an
 * estimate yet) against 16 GiB less 10% of it, 14.4 GiB: 14; with no
 * headroom, 16.  So with esx-sampling, which has measured none of them
 * before its first period (60 s), and with oracle, whose truth is set at
 * a VM's first tick.
 */
START_TEST(small_working_sets_take_more_vms_than_none)
{
	static const struct {
		const char *estimator, *policy;
		uint64_t placed;
	} cases[] = {{"{policy: guest-reported}", "{policy: none}", 4},
		     {"{policy: guest-reported}", "{policy: working-set, headroom: 10%}", 14},
		     {"{policy: guest-reported}", "{policy: working-set, headroom: 0%}", 16},
		     {"{policy: esx-sampling}", "{policy: working-set}", 14},
		     {"{policy: oracle}", "{policy: working-set}", 14}};
	struct vm_spec vms[20];
	size_t k;
	int i;

	for (i = 0; i < 20; i++)
		vms[i] = vm_of(i, 0, GiB);
	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct world w;

		world_start_with(&w, cases[k].estimator, cases[k].policy, vms, 20, 5 * S);
		sim_run(w.sim, 5 * S);
		ck_assert_msg(w.c->stats.placed == cases[k].placed, "%s: %llu placed, want %llu",
			      cases[k].policy, (unsigned long long)w.c->stats.placed,
			      (unsigned long long)cases[k].placed);
		ck_assert_uint_eq(w.c->stats.rejected, 20 - cases[k].placed);
		world_end(&w);
	}
}
END_TEST

/*
 * 10 VMs of 4 GiB arriving a minute apart, each declared with 512 MiB and
 * using 2 GiB from 30 s on (all of it touched by 60 s: 600k uniform
 * touches over 1024 pages).  When VM k arrives the k before it report
 * 2 GiB each: it is taken while 2k + 0.5 <= 14.4 GiB, so for k = 0..6:
 * 7 VMs, and the next 3 are rejected.  none takes 4.
 */
START_TEST(admission_rejects_once_the_estimates_fill_the_host)
{
	static const struct {
		const char *policy;
		uint64_t placed;
	} cases[] = {{"{policy: none}", 4}, {"{policy: working-set}", 7}};
	struct vm_spec vms[10];
	size_t k;
	int i;

	for (i = 0; i < 10; i++) {
		vms[i] = vm_of(i, i * 60 * S, 512 * MiB);
		two[i][0] = one[i];
		two[i][1] = one[i];
		two[i][1].at_ns = 30 * S;
		two[i][1].ws_bytes = 2 * GiB;
		vms[i].phases = two[i];
		vms[i].n_phases = 2;
	}
	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct world w;

		world_start(&w, cases[k].policy, vms, 10, 600 * S);
		sim_run(w.sim, 600 * S);
		ck_assert_msg(w.c->stats.placed == cases[k].placed, "%s: %llu placed, want %llu",
			      cases[k].policy, (unsigned long long)w.c->stats.placed,
			      (unsigned long long)cases[k].placed);
		ck_assert_uint_eq(w.c->stats.rejected, 10 - cases[k].placed);
		for (i = 0; i < (int)cases[k].placed; i++)
			ck_assert_int_eq(w.c->vms[i].state, VM_RUNNING);
		world_end(&w);
	}
}
END_TEST

/*
 * On the empty host, a VM of 4 GiB declared with 1 GiB: its memory plus
 * the slack 16 GiB - 1.6 GiB - 1 GiB = 14388140441.6 bytes, rounded down:
 * 4294967296 + 14388140441.  Asked without a VM, no bound.  The policy is
 * not host_only.
 */
START_TEST(headroom_sees_the_arriving_vm)
{
	struct vm_spec sp = vm_of(0, 0, GiB);
	struct policy_ctx ctx;
	struct world w;
	struct vm vm;

	world_start(&w, "{policy: working-set}", NULL, 0, S);
	vm_init(&vm, &sp, 0);
	ctx = policy_ctx_of(&w.c->hosts[0], FAMILY_OVERCOMMIT, 0);
	ck_assert_int_eq(overcommit_headroom(&w.pol.set.overcommit, &ctx, &vm),
			 INT64_C(4294967296) + INT64_C(14388140441));
	ck_assert_int_eq(overcommit_headroom(&w.pol.set.overcommit, &ctx, NULL), INT64_C(1) << 62);
	ck_assert(!w.pol.set.overcommit.ops->host_only);
	world_end(&w);
}
END_TEST

Suite *working_set_suite(void)
{
	Suite *s = suite_create("working_set");
	TCase *tc = tcase_create("admission");

	tcase_set_timeout(tc, 0);
	tcase_add_test(tc, small_working_sets_take_more_vms_than_none);
	tcase_add_test(tc, admission_rejects_once_the_estimates_fill_the_host);
	tcase_add_test(tc, headroom_sees_the_arriving_vm);
	suite_add_tcase(s, tc);
	return s;
}
