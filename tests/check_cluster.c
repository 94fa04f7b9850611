/*
 * check_cluster.c - admission over time on one or two small hosts:
 * rejection, queueing in arrival order without head-of-line blocking,
 * queue timeouts, and lifetimes that start at placement.
 */
#include <check.h>
#include <string.h>

#include "cluster.h"
#include "policy_rig.h"
#include "suites.h"

#define GiB (1024LL * 1024 * 1024)
#define S 1000000000LL

struct world {
	struct sim *sim;
	struct cluster *c;
	struct policy_rig pol;
};

static void world_start(struct world *w, const char *oc_yaml, const struct host_params *hosts,
			size_t n_hosts, const struct vm_spec *vms, size_t n_vms, bool queue,
			sim_time max_wait)
{
	const char *yaml[FAMILY_COUNT] = {[FAMILY_PLACEMENT] = "policy: first-fit",
					  [FAMILY_OVERCOMMIT] = oc_yaml};
	struct cluster_params p = {0};

	policy_rig_init(&w->pol, yaml);
	p.policies = w->pol.set;
	p.hosts = hosts;
	p.n_hosts = n_hosts;
	p.vms = vms;
	p.n_vms = n_vms;
	p.queue_on_full = queue;
	p.max_wait_ns = max_wait;
	/* Admission only: pages exist, but no tick touches them. */
	p.page_bytes = 4096;
	p.tick_ns = 0;
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

static struct vm_spec spec(const char *name, int64_t mem, sim_time arrive, sim_time depart)
{
	struct vm_spec v = {.name = (char *)name, .memory_bytes = mem, .arrive_ns = arrive,
			    .depart_ns = depart, .image = -1};

	return v;
}

#define HOST(n, mem, over) \
	{.name = (n), .group = "h", .memory_bytes = (mem), .overhead_bytes = (over), \
	 .swap_bytes = GiB, .swap_bandwidth = 1e9}

static const struct host_params one_host[] = {HOST("h-0", 12 * GiB, 2 * GiB)};

START_TEST(a_vm_that_fits_nowhere_is_rejected)
{
	struct vm_spec vms[] = {spec("a", 6 * GiB, 0, 10 * S), spec("b", 6 * GiB, 1 * S, 20 * S)};
	struct world w;

	world_start(&w, "policy: none", one_host, 1, vms, 2, false, SIM_NEVER);
	sim_run(w.sim, 100 * S);
	ck_assert_int_eq(w.c->vms[0].state, VM_DEPARTED);
	ck_assert_int_eq(w.c->vms[1].state, VM_REJECTED);
	ck_assert_uint_eq(w.c->stats.arrived, 2);
	ck_assert_uint_eq(w.c->stats.placed, 1);
	ck_assert_uint_eq(w.c->stats.rejected, 1);
	ck_assert_int_eq(w.c->hosts[0].committed_bytes, 0);
	world_end(&w);
}
END_TEST

START_TEST(a_queued_vm_starts_when_memory_frees_and_runs_its_whole_lifetime)
{
	struct vm_spec vms[] = {spec("a", 6 * GiB, 0, 10 * S), spec("b", 6 * GiB, 1 * S, 20 * S)};
	struct world w;

	world_start(&w, "policy: none", one_host, 1, vms, 2, true, SIM_NEVER);
	sim_run(w.sim, 100 * S);
	ck_assert_int_eq(w.c->vms[1].state, VM_DEPARTED);
	ck_assert_int_eq(w.c->vms[1].placed_ns, 10 * S);
	/* Lifetime 19 s from placement at 10 s. */
	ck_assert_int_eq(w.c->vms[1].departed_ns, 29 * S);
	ck_assert_uint_eq(w.c->stats.queued, 1);
	ck_assert_uint_eq(w.c->stats.rejected, 0);
	world_end(&w);
}
END_TEST

START_TEST(a_large_queued_vm_does_not_block_a_small_one_behind_it)
{
	struct vm_spec vms[] = {
		spec("a", 5 * GiB, 0, 100 * S), spec("x", 4 * GiB, 0, 10 * S),
		spec("b", 6 * GiB, 1 * S, 1000 * S), spec("d", 2 * GiB, 2 * S, 1000 * S),
	};
	struct world w;

	world_start(&w, "policy: none", one_host, 1, vms, 4, true, SIM_NEVER);
	sim_run(w.sim, 50 * S);
	ck_assert_int_eq(w.c->vms[3].state, VM_RUNNING);
	ck_assert_int_eq(w.c->vms[3].placed_ns, 10 * S);
	ck_assert_int_eq(w.c->vms[2].state, VM_QUEUED);
	sim_run(w.sim, 150 * S);
	ck_assert_int_eq(w.c->vms[2].state, VM_RUNNING);
	ck_assert_int_eq(w.c->vms[2].placed_ns, 100 * S);
	ck_assert_int_eq(w.c->hosts[0].committed_bytes, 8 * GiB);
	world_end(&w);
}
END_TEST

START_TEST(a_vm_gives_up_after_max_wait)
{
	struct vm_spec vms[] = {spec("a", 6 * GiB, 0, 10 * S), spec("b", 6 * GiB, 1 * S, 20 * S)};
	struct world w;

	world_start(&w, "policy: none", one_host, 1, vms, 2, true, 5 * S);
	sim_run(w.sim, 100 * S);
	ck_assert_int_eq(w.c->vms[1].state, VM_REJECTED);
	ck_assert_uint_eq(w.c->stats.timed_out, 1);
	ck_assert_uint_eq(w.c->stats.rejected, 1);
	ck_assert_uint_eq(w.c->n_queue, 0);
	world_end(&w);
}
END_TEST

START_TEST(ratio_overcommit_admits_one_and_a_half_times_capacity)
{
	struct vm_spec vms[4];
	struct world w;
	int i;

	for (i = 0; i < 4; i++)
		vms[i] = spec("v", 5 * GiB, i * S, SPEC_NEVER);
	/* Capacity 10 GiB: none takes two 5 GiB VMs, ratio 1.5 takes three. */
	world_start(&w, "{policy: ratio, max: 1.5}", one_host, 1, vms, 4, false, SIM_NEVER);
	sim_run(w.sim, 10 * S);
	ck_assert_uint_eq(w.c->stats.placed, 3);
	ck_assert_int_eq(w.c->vms[3].state, VM_REJECTED);
	world_end(&w);
	world_start(&w, "policy: none", one_host, 1, vms, 4, false, SIM_NEVER);
	sim_run(w.sim, 10 * S);
	ck_assert_uint_eq(w.c->stats.placed, 2);
	world_end(&w);
}
END_TEST

START_TEST(committed_memory_is_integrated_over_time)
{
	struct vm_spec vms[] = {spec("a", 4 * GiB, 0, 10 * S), spec("b", 2 * GiB, 5 * S, 20 * S)};
	struct world w;

	world_start(&w, "policy: none", one_host, 1, vms, 2, false, SIM_NEVER);
	sim_run(w.sim, 20 * S);
	cluster_settle(w.c);
	/* 4 GiB for 10 s plus 2 GiB for 15 s = 70 GiB.s. */
	ck_assert_double_eq_tol(w.c->stats.committed_byte_ns, 70.0 * GiB * S, 1.0);
	ck_assert_int_eq(w.c->stats.committed_peak_bytes, 6 * GiB);
	world_end(&w);
}
END_TEST

START_TEST(first_fit_fills_hosts_in_order)
{
	static const struct host_params two[] = {HOST("h-0", 10 * GiB, 0),
						 HOST("h-1", 10 * GiB, 0)};
	struct vm_spec vms[] = {
		spec("a", 6 * GiB, 0, SPEC_NEVER), spec("b", 6 * GiB, 0, SPEC_NEVER),
		spec("c", 4 * GiB, 0, SPEC_NEVER),
	};
	struct world w;

	world_start(&w, "policy: none", two, 2, vms, 3, false, SIM_NEVER);
	sim_run(w.sim, S);
	ck_assert_ptr_eq(w.c->vms[0].host, &w.c->hosts[0]);
	ck_assert_ptr_eq(w.c->vms[1].host, &w.c->hosts[1]);
	ck_assert_ptr_eq(w.c->vms[2].host, &w.c->hosts[0]);
	ck_assert_uint_eq(cluster_hosts_used(w.c), 2);
	world_end(&w);
}
END_TEST

/* An overcommit policy that counts its headroom queries (no overcommit otherwise). */
static int headroom_calls;

static int64_t counted_headroom(const struct policy_ctx *ctx, const struct vm *arriving)
{
	(void)arriving;
	headroom_calls++;
	return host_capacity_bytes(ctx->host) - host_committed_bytes(ctx->host);
}

/*
 * Three VMs of 2 GiB arrive at 0, 1 and 2 s on two hosts of 10 GiB capacity, first-fit (all
 * three on h-0); a fourth arrives at 10 s, after a left at 5 s.  Asked afresh for every
 * placement, the policy answers 4 placements x 2 hosts = 8 times.  Declared host_only, it is
 * asked for both hosts at the first placement, then only for h-0, whose VMs changed before
 * each later placement (b's, c's, and d's, which follows both c's placement and a's
 * departure): 2 + 1 + 1 + 1 = 5; b, c and d land on h-0 either way.
 */
START_TEST(a_host_only_headroom_is_asked_again_only_where_vms_changed)
{
	static const struct host_params two[] = {HOST("h-0", 12 * GiB, 2 * GiB),
						 HOST("h-1", 12 * GiB, 2 * GiB)};
	struct vm_spec vms[] = {spec("a", 2 * GiB, 0, 5 * S), spec("b", 2 * GiB, 1 * S, 100 * S),
				spec("c", 2 * GiB, 2 * S, 100 * S),
				spec("d", 2 * GiB, 10 * S, 100 * S)};
	static const int want_calls[2] = {8, 5};
	int host_only;

	for (host_only = 0; host_only < 2; host_only++) {
		struct overcommit_ops ops = {.info = {.name = "counted"},
					     .headroom = counted_headroom,
					     .host_only = host_only};
		const char *yaml[FAMILY_COUNT] = {[FAMILY_PLACEMENT] = "policy: first-fit"};
		struct cluster_params p = {0};
		struct world w;
		size_t i;

		policy_rig_init(&w.pol, yaml);
		w.pol.set.overcommit.ops = &ops;
		p.policies = w.pol.set;
		p.hosts = two;
		p.n_hosts = 2;
		p.vms = vms;
		p.n_vms = 4;
		p.page_bytes = 4096;
		w.sim = sim_new();
		w.c = cluster_new(w.sim, &p);
		headroom_calls = 0;
		cluster_start(w.c);
		sim_run(w.sim, 20 * S);
		ck_assert_int_eq(headroom_calls, want_calls[host_only]);
		for (i = 1; i < 4; i++)
			ck_assert_ptr_eq(w.c->vms[i].host, &w.c->hosts[0]);
		world_end(&w);
	}
}
END_TEST

Suite *cluster_suite(void)
{
	Suite *s = suite_create("cluster");
	TCase *tc = tcase_create("admission");

	tcase_add_test(tc, a_vm_that_fits_nowhere_is_rejected);
	tcase_add_test(tc, a_queued_vm_starts_when_memory_frees_and_runs_its_whole_lifetime);
	tcase_add_test(tc, a_large_queued_vm_does_not_block_a_small_one_behind_it);
	tcase_add_test(tc, a_vm_gives_up_after_max_wait);
	tcase_add_test(tc, ratio_overcommit_admits_one_and_a_half_times_capacity);
	tcase_add_test(tc, committed_memory_is_integrated_over_time);
	tcase_add_test(tc, first_fit_fills_hosts_in_order);
	tcase_add_test(tc, a_host_only_headroom_is_asked_again_only_where_vms_changed);
	suite_add_tcase(s, tc);
	return s;
}
