/*
 * check_policy.c - the policy framework (model/policy.h): hooks and their
 * per-VM state, periodic policies as one event per host and period, the
 * policy's own stream; the reclaim policy swap-only (its pressure, the
 * victim VM in proportion to its private pages, checked by a chi-square
 * test); the balloon's cap; and the oracle estimator's results.
 */
#include <check.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <string.h>

#include "cluster.h"
#include "policy_rig.h"
#include "rng.h"
#include "suites.h"

#define PAGE 4096
#define S 1000000000LL
#define GiB (1024LL * 1024 * 1024)
#define MiB (1024LL * 1024)

/* --- a test estimator that counts what the framework calls ------------- */

struct counts {
	int placed, departed, periods, vm_visits, zeroed_privs, hosts_seen[4];
	int draws_differ;                       /* host streams gave different draws */
	double first_draw[4];
};
static struct counts seen;

struct probe_vm {
	uint64_t marker;                        /* zero when the model hands it over */
	int periods;
};

static void probe_place(const struct policy_ctx *ctx, const struct vm *vm)
{
	struct probe_vm *p = policy_vm_priv(ctx, vm);

	seen.placed++;
	seen.zeroed_privs += p && p->marker == 0 && p->periods == 0;
	p->marker = 0xfeed;
}

static void probe_depart(const struct policy_ctx *ctx, const struct vm *vm)
{
	const struct probe_vm *p = policy_vm_priv(ctx, vm);

	ck_assert_uint_eq(p->marker, 0xfeed);
	seen.departed++;
}

static sim_time probe_period(const void *priv)
{
	(void)priv;
	return 10 * S;
}

static void probe_on_period(const struct policy_ctx *ctx)
{
	size_t i, h = ((const struct host *)ctx->host)->id;
	int *host_periods = ctx->host_priv;
	double u = gsl_rng_uniform(ctx->rng);

	seen.periods++;
	if ((*host_periods)++ == 0) {
		seen.first_draw[h] = u;
		seen.draws_differ |= h > 0 && u != seen.first_draw[0];
	}
	seen.hosts_seen[h]++;
	for (i = 0; i < host_vm_count(ctx->host); i++) {
		struct probe_vm *p = policy_vm_priv(ctx, host_vm_at(ctx->host, i));

		p->periods++;
		seen.vm_visits++;
	}
}

static uint64_t probe_active(const struct policy_ctx *ctx, const struct vm *vm)
{
	(void)ctx;
	return vm_working_set_pages(vm) / 2;
}

static const struct estimator_ops probe_ops = {
	.info = {.name = "probe", .host_priv_size = sizeof(int),
		 .vm_priv_size = sizeof(struct probe_vm), .on_place = probe_place,
		 .on_depart = probe_depart, .period = probe_period, .on_period = probe_on_period},
	.active_pages = probe_active,
};

/* A cluster of n_hosts hosts of 8 GiB and the VMs vms, under the rig's
 * policies with the probe as estimator, run to end_s. */
struct world {
	struct policy_rig pol;
	struct host_params hosts[4];
	char names[4][24];
	struct sim *sim;
	struct cluster *c;
};

static void world_start(struct world *w, size_t n_hosts, const struct vm_spec *vms,
			size_t n_vms, sim_time end, bool probe)
{
	struct cluster_params p = {0};
	size_t i;

	memset(&seen, 0, sizeof(seen));
	for (i = 0; i < n_hosts; i++) {
		snprintf(w->names[i], sizeof(w->names[i]), "h-%zu", i);
		w->hosts[i] = (struct host_params){.name = w->names[i], .group = "h",
						   .memory_bytes = 8 * GiB, .swap_bytes = GiB,
						   .swap_bandwidth = 1e9};
	}
	p.policies = w->pol.set;
	if (probe)
		p.policies.estimator = (struct estimator_policy){&probe_ops, NULL};
	p.hosts = w->hosts;
	p.n_hosts = n_hosts;
	p.vms = vms;
	p.n_vms = n_vms;
	p.seed = 1;
	p.page_bytes = 2 * MiB;
	p.tick_ns = S;
	p.end_ns = end;
	p.balloon_rate = (double)(1u << 20) * 2 * MiB;       /* 2^20 pages a 1 s tick */
	p.balloon_max = 0.65;
	w->sim = sim_new();
	w->c = cluster_new(w->sim, &p);
	cluster_start(w->c);
}

static void world_run(struct world *w, size_t n_hosts, const struct vm_spec *vms, size_t n_vms,
		      sim_time end, bool probe)
{
	world_start(w, n_hosts, vms, n_vms, end, probe);
	sim_run(w->sim, end);
}

static void world_end(struct world *w)
{
	cluster_free(w->c);
	sim_free(w->sim);
	policy_rig_release(&w->pol);
}

static struct phase one_gib = {.ws_bytes = GiB, .pattern = PATTERN_UNIFORM, .rate = 1000};

static struct vm_spec spec(const char *name, sim_time arrive, sim_time depart)
{
	return (struct vm_spec){.name = (char *)name, .memory_bytes = 2 * GiB,
				.limit_bytes = 2 * GiB, .arrive_ns = arrive,
				.depart_ns = depart, .image = -1, .phases = &one_gib, .n_phases = 1};
}

/*
 * Two hosts, a period of 10 s, a run of 100 s: periods at 10, 20, ..., 100
 * on each host, 2 x 10 = 20 calls whatever the number of VMs; each visits
 * the VMs on its host.  Of five VMs of 2 GiB, first-fit puts four on h-0
 * (8 GiB, no overcommit) and the fifth on h-1; d leaves h-0 at 55 s,
 * after the period at 50 s.
 */
START_TEST(a_periodic_policy_runs_once_per_host_and_period_whatever_its_vms)
{
	struct vm_spec one[] = {spec("a", 0, SPEC_NEVER)};
	struct vm_spec five[] = {spec("a", 0, SPEC_NEVER), spec("b", 0, SPEC_NEVER),
				 spec("c", 0, SPEC_NEVER), spec("d", 0, 55 * S),
				 spec("e", 0, SPEC_NEVER)};
	struct world w;

	policy_rig_init(&w.pol, NULL);
	world_run(&w, 2, one, 1, 100 * S, true);
	ck_assert_int_eq(seen.periods, 20);
	ck_assert_int_eq(seen.vm_visits, 10);
	world_end(&w);

	policy_rig_init(&w.pol, NULL);
	world_run(&w, 2, five, 5, 100 * S, true);
	ck_assert_int_eq(seen.periods, 20);
	ck_assert_int_eq(seen.hosts_seen[0], 10);
	ck_assert_int_eq(seen.hosts_seen[1], 10);
	/* h-0: a, b, c, d until 55 s (periods 10..50), then a, b, c; h-1: e. */
	ck_assert_int_eq(seen.vm_visits, 4 * 5 + 3 * 5 + 10);
	ck_assert_int_eq(seen.placed, 5);
	ck_assert_int_eq(seen.departed, 1);
	ck_assert_int_eq(seen.zeroed_privs, 5);
	ck_assert_msg(seen.draws_differ, "two hosts drew the same first number");
	world_end(&w);
}
END_TEST

/* Every VM still placed at the end leaves through on_depart too. */
START_TEST(every_placed_vm_departs_through_the_hook)
{
	struct vm_spec vms[] = {spec("a", 0, 20 * S), spec("b", 5 * S, SPEC_NEVER)};
	struct world w;

	policy_rig_init(&w.pol, NULL);
	world_run(&w, 1, vms, 2, 30 * S, true);
	ck_assert_int_eq(seen.placed, 2);
	ck_assert_int_eq(seen.departed, 1);
	cluster_free(w.c);
	ck_assert_int_eq(seen.departed, 2);
	sim_free(w.sim);
	policy_rig_release(&w.pol);
}
END_TEST

/* Estimates come from the estimator, truths from the working set. */
START_TEST(the_estimate_is_the_estimators_and_the_truth_the_working_set)
{
	const char *oracle[FAMILY_COUNT] = {[FAMILY_ESTIMATOR] = "{policy: oracle}"};
	struct vm_spec vms[] = {spec("a", 0, SPEC_NEVER)};
	struct world w;

	policy_rig_init(&w.pol, NULL);
	world_run(&w, 1, vms, 1, 10 * S, true);
	ck_assert_int_eq(cluster_vm_active_bytes(w.c, &w.c->vms[0]), GiB);
	ck_assert_int_eq(cluster_vm_estimated_active_bytes(w.c, &w.c->vms[0]), GiB / 2);
	world_end(&w);
	policy_rig_init(&w.pol, oracle);
	world_run(&w, 1, vms, 1, 10 * S, false);
	ck_assert_int_eq(cluster_vm_estimated_active_bytes(w.c, &w.c->vms[0]), GiB);
	world_end(&w);
}
END_TEST

/*
 * The balloon's cap: a static target of 100% is held at max = 65% of the
 * VM's pages, floor(0.65 x 1024) = 665 of 1024 pages of 2 MiB; at 30%,
 * below the cap, the target itself, floor(0.3 x 1024) = 307.
 */
START_TEST(the_balloon_never_passes_its_cap)
{
	static const struct {
		const char *yaml;
		uint64_t want;
	} cases[] = {
		{"{policy: static, target: 100%}", 665},
		{"{policy: static, target: 30%}", 307},
	};
	struct vm_spec vms[] = {spec("a", 0, SPEC_NEVER)};
	size_t k;

	vms[0].phases = NULL;
	vms[0].n_phases = 0;
	for (k = 0; k < 2; k++) {
		const char *yaml[FAMILY_COUNT] = {[FAMILY_BALLOON] = cases[k].yaml};
		struct world w;

		policy_rig_init(&w.pol, yaml);
		world_run(&w, 1, vms, 1, 10 * S, false);
		ck_assert_uint_eq(w.c->vms[0].mem.n_state[PS_BALLOONED], cases[k].want);
		world_end(&w);
	}
}
END_TEST

/* --- esx-sampling (policies/estimator_esx_sampling.c) ------------------ */

/*
 * A VM of 1024 pages whose working set is 256 pages for 10 minutes, all
 * 1024 for the next 10 and 256 again for the last 10, touched fast enough
 * (100k/s, uniform) that every page of the set is touched in every period:
 * the true f per period of 60 s is 0.25, then 1, then 0.25.  The estimate
 * follows max(fast, slow), the two averages of f with half-lives of half a
 * period and 8 periods: weights 1 - 2^-2 = 0.75 and 1 - 2^-1/8 per period,
 * the first f seeding both.  With 2000 pages sampled, f's sd is under 0.01;
 * the bound is 0.04.  Before the first period: fully active.
 */
START_TEST(esx_sampling_tracks_a_step_up_within_a_period_and_down_slowly)
{
	static struct phase steps[] = {
		{.at_ns = 0, .ws_bytes = 512 * MiB, .pattern = PATTERN_UNIFORM, .rate = 1e5},
		{.at_ns = 600 * S, .ws_bytes = 2 * GiB, .pattern = PATTERN_UNIFORM, .rate = 1e5},
		{.at_ns = 1200 * S, .ws_bytes = 512 * MiB, .pattern = PATTERN_UNIFORM, .rate = 1e5},
	};
	const char *yaml[FAMILY_COUNT] = {
		[FAMILY_ESTIMATOR] = "{policy: esx-sampling, pages: 2000, period: 60s}"};
	struct vm_spec vms[] = {spec("a", 0, SPEC_NEVER)};
	double a_fast = 1 - exp2(-2.0), a_slow = 1 - exp2(-1.0 / 8), fast = 0, slow = 0;
	struct world w;
	int k;

	vms[0].phases = steps;
	vms[0].n_phases = 3;
	policy_rig_init(&w.pol, yaml);
	world_start(&w, 1, vms, 1, 1800 * S, false);
	sim_run(w.sim, 30 * S);
	ck_assert_int_eq(cluster_vm_estimated_active_bytes(w.c, &w.c->vms[0]), 2 * GiB);
	for (k = 1; k <= 30; k++) {
		double f = k <= 10 || k > 20 ? 0.25 : 1.0, got;

		fast = k == 1 ? f : fast + a_fast * (f - fast);
		slow = k == 1 ? f : slow + a_slow * (f - slow);
		sim_run(w.sim, k * 60 * S);
		got = (double)cluster_vm_estimated_active_bytes(w.c, &w.c->vms[0]) / (2.0 * GiB);
		ck_assert_msg(fabs(got - fmax(fast, slow)) < 0.04, "period %d: %.3f, want %.3f", k,
			      got, fmax(fast, slow));
		if (k == 11)    /* up: 3/4 of the step within one period */
			ck_assert_double_gt(got, 0.75);
		if (k == 28)    /* down: after 8 periods still half-way up */
			ck_assert_double_gt(got, 0.45);
	}
	world_end(&w);
}
END_TEST

/*
 * A page touched at rate r is seen touched in a period T with probability
 * 1 - exp(-r T).  After a minute that touches every page, the VM's 1024
 * pages are touched at R = 1024 ln 2 / 60 per second in all, r = ln 2 / 60
 * each: f = 1/2 in every period.  After 60 periods the slow average is
 * within 0.5 x 2^(-59/8) < 0.003 of it.
 */
START_TEST(esx_sampling_sees_a_page_at_rate_r_touched_with_probability_1_minus_exp_rt)
{
	static struct phase slow_phase[] = {
		{.at_ns = 0, .ws_bytes = 2 * GiB, .pattern = PATTERN_UNIFORM, .rate = 1e5},
		{.at_ns = 60 * S, .ws_bytes = 2 * GiB, .pattern = PATTERN_UNIFORM},
	};
	const char *yaml[FAMILY_COUNT] = {[FAMILY_ESTIMATOR] = "{policy: esx-sampling, pages: 2000}"};
	struct vm_spec vms[] = {spec("a", 0, SPEC_NEVER)};
	double want = 1 - exp(-log(2.0)), got;
	struct world w;

	slow_phase[1].rate = 1024 * log(2.0) / 60;
	vms[0].phases = slow_phase;
	vms[0].n_phases = 2;
	policy_rig_init(&w.pol, yaml);
	world_run(&w, 1, vms, 1, 3660 * S, false);
	got = (double)cluster_vm_estimated_active_bytes(w.c, &w.c->vms[0]) / (2.0 * GiB);
	ck_assert_msg(fabs(got - want) < 0.04, "%.3f, want %.3f", got, want);
	world_end(&w);
}
END_TEST

/* --- swap-only on a hand-built host (policies/reclaim_swap_only.c) ----- */

struct host_rig {
	struct policy_rig pol;
	struct host h;
	struct vm vm[3];
	struct vm_spec spec[3];
	char name[3][16];
};

/* A host of `frames` frames whose VM i has private[i] private pages. */
static void host_rig(struct host_rig *r, uint64_t frames, const uint32_t private[3])
{
	int i;

	memset(r, 0, sizeof(*r));
	policy_rig_victims(&r->pol, "random");
	host_init(&r->h, 0, "h", "g", (int64_t)frames * PAGE, 0);
	hmem_init(&r->h.mem, (int64_t)frames * PAGE, 0, PAGE);
	swapdev_init(&r->h.mem.swap, 1024, 80000, 120000, 1e9, PAGE);
	host_bind_policies(&r->h, &r->pol.set, 9, 0);
	for (i = 0; i < 3; i++) {
		struct vmem_params p = {.n_pages = 1024, .n_data = 1024, .limit_pages = 1024,
					.image = -1, .content_seed = (uint64_t)i + 1};
		struct phase ph = {.pattern = PATTERN_UNIFORM, .rate = 1000};
		uint32_t d;

		snprintf(r->name[i], sizeof(r->name[i]), "v%d", i);
		r->spec[i] = (struct vm_spec){.name = r->name[i], .memory_bytes = 1024 * PAGE,
					      .image = -1};
		vm_init(&r->vm[i], &r->spec[i], (size_t)i);
		vmem_init(&r->vm[i].mem, &p);
		r->vm[i].guest_rng = rng_stream(1, 0, RNG_GUEST, (uint64_t)i);
		host_add_vm(&r->h, &r->vm[i]);
		wss_set(&r->vm[i].mem.wss, &ph, 1024);
		for (d = 0; d < private[i]; d++)
			mem_touch(&r->h, &r->vm[i], d, true, 0);
		ck_assert_uint_eq(vm_private_pages(&r->vm[i]), private[i]);
	}
}

static void host_rig_free(struct host_rig *r)
{
	int i;

	for (i = 0; i < 3; i++) {
		mem_vm_leave(&r->h, &r->vm[i]);
		vmem_release(&r->vm[i].mem);
		gsl_rng_free(r->vm[i].guest_rng);
		host_remove_vm(&r->h, &r->vm[i]);
	}
	hmem_release(&r->h.mem);
	host_release(&r->h);
	policy_rig_release(&r->pol);
}

/*
 * 100, 300 and 600 private pages: each draw takes VM i with probability
 * 0.1, 0.3, 0.6.  Over 30,000 draws the chi-square statistic of the counts
 * has 2 degrees of freedom; a fair choice exceeds the 0.1% point (13.8)
 * once in a thousand seeds, a choice by VM (1/3 each) or by whole pages
 * (1024 each) lands in the thousands.
 */
START_TEST(swap_only_draws_the_victim_vm_in_proportion_to_its_private_pages)
{
	static const uint32_t private[3] = {100, 300, 600};
	struct host_rig r;
	struct policy_ctx ctx;
	double want[3] = {0.1, 0.3, 0.6}, chi2 = 0;
	uint64_t n[3] = {0};
	int i, k, draws = 30000;

	host_rig(&r, 4096, private);
	ctx = policy_ctx_of(&r.h, FAMILY_RECLAIM, 0);
	for (k = 0; k < draws; k++) {
		struct vm *v = reclaim_victim_vm(&r.pol.set.reclaim, &ctx);

		ck_assert_ptr_nonnull(v);
		n[v->id]++;
	}
	for (i = 0; i < 3; i++) {
		double e = want[i] * draws;

		chi2 += ((double)n[i] - e) * ((double)n[i] - e) / e;
	}
	ck_assert_msg(gsl_cdf_chisq_Q(chi2, 2) > 1e-3, "counts %llu %llu %llu, chi2 %.1f",
		      (unsigned long long)n[0], (unsigned long long)n[1],
		      (unsigned long long)n[2], chi2);
	/* Choosing changes nothing of the model. */
	for (i = 0; i < 3; i++)
		ck_assert_uint_eq(vm_private_pages(&r.vm[i]), private[i]);
	host_rig_free(&r);
}
END_TEST

/* A VM with no private page is never the victim; none at all: NULL. */
START_TEST(swap_only_never_takes_a_vm_without_private_pages)
{
	static const uint32_t some[3] = {0, 5, 0}, none[3] = {0, 0, 0};
	struct host_rig r;
	struct policy_ctx ctx;
	int k;

	host_rig(&r, 4096, some);
	ctx = policy_ctx_of(&r.h, FAMILY_RECLAIM, 0);
	for (k = 0; k < 1000; k++)
		ck_assert_uint_eq(reclaim_victim_vm(&r.pol.set.reclaim, &ctx)->id, 1);
	host_rig_free(&r);
	host_rig(&r, 4096, none);
	ctx = policy_ctx_of(&r.h, FAMILY_RECLAIM, 0);
	ck_assert_ptr_null(reclaim_victim_vm(&r.pol.set.reclaim, &ctx));
	host_rig_free(&r);
}
END_TEST

/* Pressure: high while a frame is free, hard once none is (it swaps);
 * read by any policy through policy_pressure. */
START_TEST(swap_only_is_high_with_a_free_frame_and_hard_without)
{
	static const uint32_t fill[3] = {10, 10, 10};
	struct host_rig r;
	struct policy_ctx ctx;

	host_rig(&r, 31, fill);
	ctx = policy_ctx_of(&r.h, FAMILY_BALLOON, 0);
	ck_assert_int_eq(policy_pressure(&ctx), PRESSURE_HIGH);
	host_rig_free(&r);
	host_rig(&r, 30, fill);
	ctx = policy_ctx_of(&r.h, FAMILY_BALLOON, 0);
	ck_assert_int_eq(policy_pressure(&ctx), PRESSURE_HARD);
	host_rig_free(&r);
}
END_TEST

/* Its statistics count the pages it chose: on a full host of 30 frames,
 * 5 more first touches swap 5 pages out, whoever they belong to. */
START_TEST(swap_only_counts_the_pages_it_chose)
{
	static const uint32_t fill[3] = {10, 10, 10};
	struct host_rig r;
	struct policy_ctx ctx;
	struct policy_stats st = {0};
	uint64_t out = 0;
	uint32_t d;
	int i;

	host_rig(&r, 30, fill);
	for (d = 10; d < 15; d++)
		mem_touch(&r.h, &r.vm[2], d, true, 0);
	for (i = 0; i < 3; i++)
		out += r.vm[i].mem.stats.host_swap_out;
	ck_assert_uint_eq(out, 5);
	ctx = policy_ctx_of(&r.h, FAMILY_RECLAIM, 0);
	r.pol.set.reclaim.ops->info.host_stats(&ctx, &st);
	ck_assert_uint_eq(st.n, 1);
	ck_assert_str_eq(st.key[0], "victim_pages");
	ck_assert_double_eq(st.value[0], 5);
	host_rig_free(&r);
}
END_TEST

Suite *policy_suite(void)
{
	Suite *s = suite_create("policy");
	TCase *tc = tcase_create("framework");

	tcase_add_test(tc, a_periodic_policy_runs_once_per_host_and_period_whatever_its_vms);
	tcase_add_test(tc, every_placed_vm_departs_through_the_hook);
	tcase_add_test(tc, the_estimate_is_the_estimators_and_the_truth_the_working_set);
	tcase_add_test(tc, the_balloon_never_passes_its_cap);
	suite_add_tcase(s, tc);
	tc = tcase_create("esx-sampling");
	tcase_add_test(tc, esx_sampling_tracks_a_step_up_within_a_period_and_down_slowly);
	tcase_add_test(tc, esx_sampling_sees_a_page_at_rate_r_touched_with_probability_1_minus_exp_rt);
	suite_add_tcase(s, tc);
	tc = tcase_create("swap-only");
	tcase_add_test(tc, swap_only_draws_the_victim_vm_in_proportion_to_its_private_pages);
	tcase_add_test(tc, swap_only_never_takes_a_vm_without_private_pages);
	tcase_add_test(tc, swap_only_is_high_with_a_free_frame_and_hard_without);
	tcase_add_test(tc, swap_only_counts_the_pages_it_chose);
	suite_add_tcase(s, tc);
	return s;
}
