/*
 * check_run.c - whole runs: every example config runs and has the results
 * contract's keys; the same seed gives the same bytes; and two queueing
 * models with closed-form answers (M/M/infinity, Erlang loss) come out
 * right, which checks arrivals, lifetimes, admission and accounting at once.
 */
#include <check.h>
#include <dirent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"
#include "suites.h"

#define MiB (1024.0 * 1024)
#define GiB (1024.0 * MiB)

/* Tests always check the memory invariants: here at every sample. */
static struct run_opts checked;
/* The threads a tick runs its hosts on (run -j). */
static int run_threads = 1;

static cJSON *run_json(const char *path, const char *const *sets, size_t n_sets,
		       struct run_record *rec_out)
{
	struct scenario_opts opts = {sets, n_sets, false, 0};
	struct scenario sc;
	struct run_record rec;
	struct sim_err err = {0};
	cJSON *j;

	ck_assert_msg(scenario_load(path, &opts, &sc, &err) == 0, "%s:%u:%u: %s", err.file,
		      err.line, err.col, err.msg);
	checked.threads = run_threads;
	checked.check_every = (uint64_t)(sc.sample_ns / sc.tick_ns);
	if (!checked.check_every)
		checked.check_every = 1;
	ck_assert_msg(run_replication(&sc, 0, &checked, &rec, &err) == 0, "%s", err.msg);
	j = results_to_json(&rec);
	if (rec_out) {
		*rec_out = rec;
		rec_out->hosts = NULL;
		rec_out->vms = NULL;
		rec_out->n_hosts = rec_out->n_vms = 0;
		memset(&rec_out->series, 0, sizeof(rec_out->series));
	}
	results_release(&rec);
	scenario_release(&sc);
	return j;
}

/* The results text without the "run" object, which holds wall time. */
static char *text_without_run(cJSON *j)
{
	char *s;

	cJSON_DeleteItemFromObject(j, "run");
	s = cJSON_Print(j);
	cJSON_Delete(j);
	return s;
}

static cJSON *at(cJSON *j, const char *path)
{
	char buf[256], *save = NULL, *part;

	snprintf(buf, sizeof(buf), "%s", path);
	for (part = strtok_r(buf, ".", &save); part && j; part = strtok_r(NULL, ".", &save))
		j = cJSON_GetObjectItemCaseSensitive(j, part);
	return j;
}

START_TEST(same_seed_gives_identical_bytes)
{
	char *a = text_without_run(run_json("configs/default.yaml", NULL, 0, NULL));
	char *b = text_without_run(run_json("configs/default.yaml", NULL, 0, NULL));
	const char *seed7[] = {"seed=7"};
	char *c = text_without_run(run_json("configs/default.yaml", seed7, 1, NULL));

	ck_assert_str_eq(a, b);
	/* And the comparison can fail: another seed draws another workload. */
	ck_assert_str_ne(a, c);
	free(a);
	free(b);
	free(c);
}
END_TEST

START_TEST(same_seed_gives_identical_bytes_at_2mib_pages)
{
	const char *big[] = {"page_size=2MiB"};
	char *a = text_without_run(run_json("configs/default.yaml", big, 1, NULL));
	char *b = text_without_run(run_json("configs/default.yaml", big, 1, NULL));

	ck_assert_str_eq(a, b);
	free(a);
	free(b);
}
END_TEST

/*
 * Hosts tick at once on a pool's threads; each host's tick writes only its
 * own state, so any thread count gives the bytes of one.  Configs with
 * every policy family on several hosts: ESX's, KVM's and Hyper-V's.
 */
START_TEST(any_thread_count_gives_the_bytes_of_one)
{
	static const char *const configs[] = {"configs/esx-like.yaml", "configs/kvm-like.yaml",
					      "configs/hyperv-like.yaml",
					      "configs/overcommit.yaml"};
	const char *shorter[] = {"duration=3h"};

	for (size_t i = 0; i < sizeof(configs) / sizeof(configs[0]); i++) {
		char *one, *three;

		run_threads = 1;
		one = text_without_run(run_json(configs[i], shorter, 1, NULL));
		run_threads = 3;
		three = text_without_run(run_json(configs[i], shorter, 1, NULL));
		run_threads = 1;
		ck_assert_msg(!strcmp(one, three), "%s: 3 threads differ from 1", configs[i]);
		free(one);
		free(three);
	}
}
END_TEST

START_TEST(running_out_of_memory_is_reported_not_a_crash)
{
	cJSON *j = run_json("tests/data/oom.yaml", NULL, 0, NULL), *v;
	int oom = 0, running = 0;

	ck_assert_double_eq(at(j, "summary.vms.oom")->valuedouble, 1);
	ck_assert_double_eq(at(j, "summary.hosts_swap_full")->valuedouble, 1);
	cJSON_ArrayForEach(v, at(j, "vms")) {
		const char *state = cJSON_GetObjectItem(v, "state")->valuestring;

		if (!strcmp(state, "oom")) {
			oom++;
			ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(v, "oom")));
			ck_assert(cJSON_IsNumber(cJSON_GetObjectItem(v, "depart_s")));
		}
		running += !strcmp(state, "running");
	}
	/* One VM was stopped; the other still runs on the memory it left. */
	ck_assert_int_eq(oom, 1);
	ck_assert_int_eq(running, 1);
	cJSON_Delete(j);
}
END_TEST

START_TEST(sla_violations_count_the_vms_slower_than_the_bound)
{
	const char *sla[] = {"sla.max_slowdown=0.2%"};
	cJSON *j = run_json("configs/default.yaml", sla, 1, NULL), *v;
	int expect = 0, ran = 0;

	cJSON_ArrayForEach(v, at(j, "vms")) {
		cJSON *sd = cJSON_GetObjectItem(v, "slowdown");

		if (!sd)
			continue;
		ran++;
		expect += sd->valuedouble > 0.002;
	}
	/* The bound must split the VMs for the count to mean anything. */
	ck_assert_int_gt(expect, 0);
	ck_assert_int_lt(expect, ran);
	ck_assert_double_eq(at(j, "summary.performance.sla_violations")->valuedouble, expect);
	cJSON_Delete(j);
}
END_TEST

/*
 * Per VM that ran, stalled_share is stall over run time (what slowdown has always been) and
 * inflation is 1/progress - 1, how much longer its work took; the summary holds their means
 * over those VMs (and inflation's 99th percentile).  A thrashing VM at 2 MiB pages and 1 ms
 * ticks, whose budget binds, has stalled_share + progress = 1.
 */
START_TEST(stalled_share_and_inflation_are_reported_per_vm_and_in_the_summary)
{
	const char *thrash[] = {"page_size=2MiB", "tick=1ms"};
	cJSON *j = run_json("configs/default.yaml", NULL, 0, NULL), *v, *t;
	double share = 0, infl = 0;
	int n = 0;

	cJSON_ArrayForEach(v, at(j, "vms")) {
		double p, sd, ss, in;

		if (!cJSON_HasObjectItem(v, "pages"))
			continue;
		p = cJSON_GetObjectItem(v, "progress")->valuedouble;
		sd = cJSON_GetObjectItem(v, "slowdown")->valuedouble;
		ss = cJSON_GetObjectItem(v, "stalled_share")->valuedouble;
		in = cJSON_GetObjectItem(v, "inflation")->valuedouble;
		ck_assert_double_eq_tol(ss, sd, 1e-12);
		ck_assert_double_eq_tol(in, 1 / p - 1, 1e-9);
		share += ss;
		infl += in;
		n++;
	}
	ck_assert_int_gt(n, 0);
	ck_assert_double_eq_tol(at(j, "summary.performance.stalled_share_mean")->valuedouble,
				share / n, 1e-9);
	ck_assert_double_eq_tol(at(j, "summary.performance.inflation_mean")->valuedouble,
				infl / n, 1e-9);
	ck_assert(cJSON_IsNumber(at(j, "summary.performance.inflation_p99")));
	cJSON_Delete(j);

	t = run_json("tests/data/thrash.yaml", thrash, 2, NULL);
	v = cJSON_GetArrayItem(at(t, "vms"), 0);
	ck_assert_double_lt(cJSON_GetObjectItem(v, "progress")->valuedouble, 0.9);
	ck_assert_double_eq_tol(cJSON_GetObjectItem(v, "stalled_share")->valuedouble +
					cJSON_GetObjectItem(v, "progress")->valuedouble,
				1.0, 0.02);
	cJSON_Delete(t);
}
END_TEST

START_TEST(series_of_faults_and_stall_add_up_to_the_summary)
{
	cJSON *j = run_json("configs/default.yaml", NULL, 0, NULL), *v;
	double faults = 0, stall = 0, want = 0;
	static const char *const kinds[] = {
		"zero_fill", "cow", "host_swap_in", "decompress", "guest_swap_in",
	};
	size_t k;

	cJSON_ArrayForEach(v, at(j, "series.faults"))
		faults += v->valuedouble;
	cJSON_ArrayForEach(v, at(j, "series.stall_s"))
		stall += v->valuedouble;
	for (k = 0; k < 5; k++)
		want += cJSON_GetObjectItem(at(j, "summary.faults"), kinds[k])->valuedouble;
	ck_assert_double_gt(want, 0);
	ck_assert_double_eq(faults, want);
	ck_assert_double_eq_tol(stall, at(j, "summary.performance.stall_s")->valuedouble, 1e-6);
	cJSON_Delete(j);
}
END_TEST

/*
 * configs/esx-like.yaml runs ESXi's policies end to end.  Each 64 GiB
 * host's MinFree is 6% of 4 GB + 4% of 8 GB + 2% of 16 GB + 1% of 36 GB =
 * 245.76 + 327.68 + 327.68 + 368.64 = 1269.76 MB; the idle tax may give it
 * 62 GiB of capacity less that, 62218.24 MB, 31109 pages of 2 MiB (rounded
 * down); its states' residency adds up to the run.  And the tax does what
 * the README's table says: with it, the idle developer VMs hold more
 * balloon and the VMs stall less than without it.
 */
static double group_mean(cJSON *j, const char *group, const char *path)
{
	cJSON *v;
	double sum = 0;
	int n = 0;

	cJSON_ArrayForEach(v, at(j, "vms")) {
		cJSON *x = at(v, path);

		if (x && !strcmp(at(v, "group")->valuestring, group)) {
			sum += x->valuedouble;
			n++;
		}
	}
	ck_assert_int_gt(n, 0);
	return sum / n;
}

START_TEST(the_esx_like_config_runs_esx_policies_and_its_tax_moves_idle_memory)
{
	const char *untaxed[] = {"policies.balloon.tax_rate=0"};
	cJSON *j = run_json("configs/esx-like.yaml", NULL, 0, NULL);
	cJSON *u = run_json("configs/esx-like.yaml", untaxed, 1, NULL), *h;
	const char *states[] = {"high", "clear", "soft", "hard", "low"};

	cJSON_ArrayForEach(h, at(j, "hosts")) {
		double sum = 0;
		int s;

		ck_assert_str_eq(at(h, "reclaim.policy")->valuestring, "esx-states");
		ck_assert(fabs(at(h, "reclaim.min_free_bytes")->valuedouble -
			       1269.76 * 1024 * 1024) < 16);
		ck_assert_double_eq(at(h, "balloon.allocatable_bytes")->valuedouble,
				    31109.0 * 2 * 1024 * 1024);
		for (s = 0; s < 5; s++) {
			char path[32];

			snprintf(path, sizeof(path), "reclaim.state_s.%s", states[s]);
			sum += at(h, path)->valuedouble;
		}
		ck_assert_double_eq(sum, 12 * 3600);
	}
	ck_assert_double_gt(group_mean(j, "dev", "memory.ballooned_bytes_mean"),
			    group_mean(u, "dev", "memory.ballooned_bytes_mean"));
	ck_assert_double_lt(at(j, "summary.performance.slowdown_mean")->valuedouble,
			    at(u, "summary.performance.slowdown_mean")->valuedouble);
	cJSON_Delete(j);
	cJSON_Delete(u);
}
END_TEST

START_TEST(the_cost_report_prices_hosts_used_and_those_overcommit_saved)
{
	cJSON *j = run_json("configs/overcommit.yaml", NULL, 0, NULL);
	cJSON *web = run_json("configs/web-poisson.yaml", NULL, 0, NULL);
	double peak = at(j, "summary.memory.configured_bytes")->valuedouble;
	double used = at(j, "summary.hosts_used")->valuedouble;
	/* Four hosts of 96 GiB less 3 GiB of overhead; 900 a month each. */
	double capacity = 93.0 * 1024 * 1024 * 1024;
	double plain = ceil(peak / capacity);

	ck_assert_str_eq(at(j, "summary.cost.currency")->valuestring, "EUR");
	ck_assert_double_eq(at(j, "summary.cost.monthly")->valuedouble, 900 * used);
	ck_assert_double_eq(at(j, "summary.cost.hosts_without_overcommit")->valuedouble, plain);
	ck_assert_double_eq(at(j, "summary.cost.saved_per_month")->valuedouble,
			    900 * (plain - used));
	/* The overcommit really saved something here, so the test means something. */
	ck_assert_double_gt(plain, used);
	/* No cost in the config: no cost report, not a zero one. */
	ck_assert_ptr_null(at(web, "summary.cost"));
	cJSON_Delete(j);
	cJSON_Delete(web);
}
END_TEST

/*
 * Per VM, the mean of the true working set over the samples it ran in and
 * of what the estimator (oracle, set in the config: policies/estimator_oracle.c)
 * made of it: 6 samples at 1 GiB and 7 at 512 MiB, (6 x 1024 + 7 x 512) / 13 MiB.  Per host, the
 * reclaim policy's name, state and figures: every page it chose was
 * swapped out (none here).
 */
START_TEST(vms_report_their_active_and_estimated_memory_and_hosts_their_reclaim)
{
	cJSON *j = run_json("tests/data/active_mean.yaml", NULL, 0, NULL);
	cJSON *vm = cJSON_GetArrayItem(at(j, "vms"), 0);
	cJSON *host = cJSON_GetArrayItem(at(j, "hosts"), 0);
	double want = (6.0 * 1024 + 7.0 * 512) / 13 * 1024 * 1024;

	ck_assert_double_eq_tol(at(vm, "memory.active_bytes_mean")->valuedouble, want, 0.5);
	ck_assert_double_eq_tol(at(vm, "memory.estimated_active_bytes_mean")->valuedouble, want,
				0.5);
	ck_assert_str_eq(at(host, "reclaim.policy")->valuestring, "swap-only");
	ck_assert_str_eq(at(host, "reclaim.pressure")->valuestring, "high");
	ck_assert_double_eq(at(host, "reclaim.victim_pages")->valuedouble, 0);
	ck_assert_str_eq(at(host, "sharing.policy")->valuestring, "none");
	cJSON_Delete(j);

	/* Under pressure its count is the swap-outs of the VMs it hosts. */
	j = run_json("tests/data/thrash.yaml", NULL, 0, NULL);
	host = cJSON_GetArrayItem(at(j, "hosts"), 0);
	ck_assert_double_gt(at(host, "reclaim.victim_pages")->valuedouble, 0);
	ck_assert_double_eq(at(host, "reclaim.victim_pages")->valuedouble * 4096,
			    at(j, "summary.io.host_swap_out_bytes")->valuedouble);
	cJSON_Delete(j);
}
END_TEST

/* The VM named name in results j. */
static cJSON *vm_named(cJSON *j, const char *name)
{
	cJSON *v;

	cJSON_ArrayForEach(v, at(j, "vms"))
		if (!strcmp(cJSON_GetObjectItem(v, "name")->valuestring, name))
			return v;
	ck_abort_msg("no VM %s", name);
	return NULL;
}

/* The mean of a VM series' column, and its i-th value. */
static double series_mean(cJSON *series, const char *key)
{
	cJSON *a = cJSON_GetObjectItem(series, key), *x;
	double sum = 0;

	ck_assert_ptr_nonnull(a);
	cJSON_ArrayForEach(x, a)
		sum += x->valuedouble;
	return sum / cJSON_GetArraySize(a);
}

static double series_at(cJSON *series, const char *key, int i)
{
	return cJSON_GetArrayItem(cJSON_GetObjectItem(series, key), i)->valuedouble;
}

/*
 * Per-VM memory means by hand (tests/data/vm_memory.yaml: 1 MiB pages, a
 * static balloon of 256 pages inflating a page a 1 s tick, samples every
 * 60 s over 600 s).  a and b are placed at 0 and sampled at 0, 60, ..., 600;
 * after the tick at t they hold min(256, t + 1) ballooned pages, and the
 * run's last tick is at 599: 1, 61, 121, 181, 241 and six times 256, a mean
 * of 2141 / 11 pages.  c runs from 150 s to 450 s: samples at 180, ..., 420
 * see min(256, t - 149) pages, 31 + 91 + 151 + 211 + 256 = 740 over 5.  The
 * host has room: a's resident memory is its 256 MiB working set, c's its
 * 128 MiB; b's limit keeps 128 of its 256 touched pages on host frames and
 * the other 128 on host swap.  Nothing compresses.
 */
START_TEST(vms_report_their_mean_resident_ballooned_swapped_and_compressed_memory)
{
	const char *none[] = {"policies.balloon.policy=none"};
	cJSON *j = run_json("tests/data/vm_memory.yaml", NULL, 0, NULL);
	static const struct {
		const char *name;
		double resident, ballooned, swapped, active;    /* MiB */
	} want[] = {
		{"a", 256, 2141.0 / 11, 0, 256},
		{"b", 128, 2141.0 / 11, 128, 256},
		{"c", 128, 740.0 / 5, 0, 128},
	};
	size_t k;

	for (k = 0; k < sizeof(want) / sizeof(want[0]); k++) {
		cJSON *m = cJSON_GetObjectItem(vm_named(j, want[k].name), "memory");

		ck_assert_double_eq(at(m, "resident_bytes_mean")->valuedouble,
				    want[k].resident * MiB);
		ck_assert_double_eq(at(m, "ballooned_bytes_mean")->valuedouble,
				    round(want[k].ballooned * MiB));
		ck_assert_double_eq(at(m, "swapped_bytes_mean")->valuedouble,
				    want[k].swapped * MiB);
		ck_assert_double_eq(at(m, "compressed_bytes_mean")->valuedouble, 0);
		ck_assert_double_eq(at(m, "active_bytes_mean")->valuedouble, want[k].active * MiB);
		ck_assert_double_eq(at(m, "estimated_active_bytes_mean")->valuedouble,
				    want[k].active * MiB);
	}
	/* Without output.vm_series, no VM has a series. */
	ck_assert_ptr_null(at(vm_named(j, "a"), "series"));
	cJSON_Delete(j);

	/* The balloon policy none replaces static and inherits no target:
	 * nothing is ballooned, and a still has its working set. */
	j = run_json("tests/data/vm_memory.yaml", none, 1, NULL);
	for (k = 0; k < sizeof(want) / sizeof(want[0]); k++)
		ck_assert_double_eq(
			at(vm_named(j, want[k].name), "memory.ballooned_bytes_mean")->valuedouble, 0);
	ck_assert_double_eq(at(vm_named(j, "a"), "memory.resident_bytes_mean")->valuedouble,
			    256 * MiB);
	cJSON_Delete(j);
}
END_TEST

/*
 * With output.vm_series, each VM's series holds the samples while it was
 * placed, at the cluster series' times: a's at all 11, c's at 180, ...,
 * 420.  Its columns are the VM's memory at those samples, so each mean over
 * the series is the VM's mean of the same quantity (used_bytes is resident
 * memory), to the rounding of the mean; its faults add up to the VM's.
 * Shape by hand (see above): c's balloon holds 31, 91, 151, 211, 256 pages.
 */
START_TEST(a_vm_series_has_the_cluster_times_and_the_vms_means)
{
	const char *on[] = {"output.vm_series=true"};
	cJSON *j = run_json("tests/data/vm_memory.yaml", on, 1, NULL);
	static const char *const cols[][2] = {
		{"used_bytes", "resident_bytes_mean"}, {"ballooned_bytes", "ballooned_bytes_mean"},
		{"swapped_bytes", "swapped_bytes_mean"},
		{"compressed_bytes", "compressed_bytes_mean"},
		{"active_bytes", "active_bytes_mean"},
		{"estimated_active_bytes", "estimated_active_bytes_mean"},
	};
	static const char *const names[] = {"a", "b", "c"};
	static const double c_balloon[] = {31, 91, 151, 211, 256};
	cJSON *cluster_t = at(j, "series.t_s"), *c = at(vm_named(j, "c"), "series");
	size_t v, k;
	int i;

	for (v = 0; v < 3; v++) {
		cJSON *vm = vm_named(j, names[v]), *s = cJSON_GetObjectItem(vm, "series"), *x;
		double faults = 0, want = 0;

		ck_assert_ptr_nonnull(s);
		for (k = 0; k < sizeof(cols) / sizeof(cols[0]); k++)
			ck_assert_double_eq_tol(series_mean(s, cols[k][0]),
						at(cJSON_GetObjectItem(vm, "memory"), cols[k][1])
							->valuedouble,
						0.5);
		cJSON_ArrayForEach(x, cJSON_GetObjectItem(s, "faults"))
			faults += x->valuedouble;
		cJSON_ArrayForEach(x, cJSON_GetObjectItem(vm, "faults"))
			if (strcmp(x->string, "double_paging"))
				want += x->valuedouble;
		ck_assert_double_gt(want, 0);
		ck_assert_double_eq(faults, want);
		ck_assert_double_eq(series_mean(s, "configured_bytes"), GiB);
	}
	ck_assert_int_eq(cJSON_GetArraySize(at(vm_named(j, "a"), "series.t_s")),
			 cJSON_GetArraySize(cluster_t));
	ck_assert_int_eq(cJSON_GetArraySize(cluster_t), 11);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(c, "t_s")), 5);
	for (i = 0; i < 5; i++) {
		ck_assert_double_eq(series_at(c, "t_s", i), 180 + 60 * i);
		ck_assert_double_eq(series_at(c, "ballooned_bytes", i), c_balloon[i] * MiB);
		ck_assert_double_eq(series_at(c, "used_bytes", i), 128 * MiB);
	}
	for (i = 0; i < 11; i++) {
		ck_assert_double_eq(series_at(at(vm_named(j, "a"), "series"), "t_s", i),
				    cJSON_GetArrayItem(cluster_t, i)->valuedouble);
		ck_assert_double_eq(series_at(at(vm_named(j, "b"), "series"), "swapped_bytes", i),
				    128 * MiB);
	}
	cJSON_Delete(j);
}
END_TEST

/* Results text without "run", every VM's series and the config (which
 * differs by output.vm_series, and --set moves its key). */
static char *text_without_vm_series(cJSON *j)
{
	cJSON *v;

	cJSON_ArrayForEach(v, at(j, "vms"))
		cJSON_DeleteItemFromObject(v, "series");
	cJSON_DeleteItemFromObject(j, "config");
	cJSON_DeleteItemFromObject(j, "fingerprint");
	return text_without_run(j);
}

/* Asking for VM series changes nothing else in the results. */
START_TEST(vm_series_add_their_series_and_change_nothing_else)
{
	const char *on[] = {"output.vm_series=true"};
	static const char *const paths[] = {"tests/data/vm_memory.yaml", "configs/default.yaml"};
	size_t k;

	for (k = 0; k < 2; k++) {
		cJSON *a = run_json(paths[k], NULL, 0, NULL), *b = run_json(paths[k], on, 1, NULL);
		int with = 0;
		cJSON *v;
		char *x, *y;

		cJSON_ArrayForEach(v, at(a, "vms"))
			ck_assert_ptr_null(cJSON_GetObjectItem(v, "series"));
		cJSON_ArrayForEach(v, at(b, "vms"))
			with += cJSON_GetObjectItem(v, "series") != NULL;
		ck_assert_int_gt(with, 0);
		ck_assert(cJSON_IsFalse(at(a, "config.output.vm_series")));
		ck_assert(cJSON_IsTrue(at(b, "config.output.vm_series")));
		x = text_without_vm_series(a);
		y = text_without_vm_series(b);
		ck_assert_msg(!strcmp(x, y), "%s: results differ beyond the VM series", paths[k]);
		free(x);
		free(y);
	}
}
END_TEST

/*
 * VM series cost memory in proportion to VMs x samples: the run's
 * estimate grows by at least their values' 8 bytes each (10 columns,
 * t_s and stall_s included), and twice that for twice the samples.
 */
START_TEST(the_memory_estimate_counts_the_vm_series)
{
	const char *sets[][2] = {
		{"output.vm_series=false", "sample=60s"}, {"output.vm_series=true", "sample=60s"},
		{"output.vm_series=false", "sample=30s"}, {"output.vm_series=true", "sample=30s"},
	};
	struct scenario_opts opts = {NULL, 2, false, 0};
	double need[4];
	int k;

	for (k = 0; k < 4; k++) {
		struct scenario sc;
		struct sim_err err = {0};

		opts.sets = sets[k];
		ck_assert_msg(scenario_load("tests/data/vm_memory.yaml", &opts, &sc, &err) == 0,
			      "%s", err.msg);
		need[k] = run_memory_estimate(&sc);
		scenario_release(&sc);
	}
	/* 3 VMs; 11 samples at 60 s, 21 at 30 s. */
	ck_assert_double_ge(need[1] - need[0], 3.0 * 11 * 10 * 8);
	ck_assert_double_ge(need[3] - need[2], 3.0 * 21 * 10 * 8);
	ck_assert_double_eq_tol((need[3] - need[2]) / (need[1] - need[0]), 21.0 / 11, 1e-9);
}
END_TEST

/*
 * esx-sampling against the EWMA closed form (tests/data/esx_step.yaml,
 * policies/estimator_esx_sampling.c).  f_k, the touched share of the n
 * pages sampled in period k, is Binomial(n, p_k) / n with p_k the working
 * set's share: 1/4 in periods 1-10, 3/4 in 11-20, 1/4 after.  The first f
 * seeds both averages; then fast += w_f (f - fast) with w_f = 1 - 2^-2
 * (half-life half a period) and slow likewise with w_s = 1 - 2^-1/8 (8
 * periods).  Each average is linear in the f's, so its mean follows the
 * recursion on p_k and its variance var = (1 - w)^2 var + w^2 p_k (1 -
 * p_k) / n.  The estimate is max(fast, slow) of the VM's pages: when the
 * two means lie further apart than both tolerances, the larger average's
 * error, else the larger of the two errors (max moves by no more), each
 * held to 4.5 standard deviations, plus llround's half a page.  Up:
 * within one period of the step the estimate has closed 3/4 of the gap
 * (E = 0.625).  Down: 8 periods after it the slow average still holds
 * half of its excess over 1/4 (E = 0.395).  With ESX's n = 100 the noise
 * is large (fast's sd 0.034); n = 2000 holds each half-life to a few
 * percent.
 */
static void check_step_response(cJSON *j, double n)
{
	const double pages = 1024, wf = 1 - exp2(-2.0), ws = 1 - exp2(-1.0 / 8);
	cJSON *s = at(vm_named(j, "a"), "series");
	double fast = 0, slow = 0, vfast = 0, vslow = 0, slow_at_step_down = 0;
	int k;

	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(s, "t_s")), 31);
	/* Unmeasured until its first period ends: fully active. */
	ck_assert_double_eq(series_at(s, "estimated_active_bytes", 0), GiB);
	for (k = 1; k <= 30; k++) {
		double p = k <= 10 || k > 20 ? 0.25 : 0.75, var = p * (1 - p) / n;
		double got = series_at(s, "estimated_active_bytes", k) / GiB, want, tol;
		double tf, ts;

		ck_assert_double_eq(series_at(s, "t_s", k), 60.0 * k);
		if (k == 1) {
			fast = slow = p;
			vfast = vslow = var;
		} else {
			fast += wf * (p - fast);
			slow += ws * (p - slow);
			vfast = (1 - wf) * (1 - wf) * vfast + wf * wf * var;
			vslow = (1 - ws) * (1 - ws) * vslow + ws * ws * var;
		}
		if (k == 20)
			slow_at_step_down = slow;
		want = fmax(fast, slow);
		tf = 4.5 * sqrt(vfast);
		ts = 4.5 * sqrt(vslow);
		tol = fabs(fast - slow) > tf + ts ? (fast > slow ? tf : ts) : fmax(tf, ts);
		tol += 0.5 / pages;
		ck_assert_msg(fabs(got - want) <= tol, "n %.0f, period %d: %.3f, want %.3f +- %.3f",
			      n, k, got, want, tol);
		if (k == 11) {  /* up: 3/4 of the way within one period */
			ck_assert_double_eq_tol(want, 0.25 + 0.75 * 0.5, 1e-12);
			ck_assert_double_gt(got, 0.5);
		}
		if (k == 28) {  /* down: half of the slow excess after 8 periods */
			ck_assert_double_eq_tol(slow - 0.25, (slow_at_step_down - 0.25) / 2, 1e-12);
			ck_assert_double_gt(got, 0.25 + 0.1);
		}
	}
}

START_TEST(esx_sampling_follows_a_step_up_within_a_period_and_down_slowly)
{
	const char *more[] = {"policies.estimator.pages=2000"};
	cJSON *j = run_json("tests/data/esx_step.yaml", NULL, 0, NULL);

	check_step_response(j, 100);
	cJSON_Delete(j);
	j = run_json("tests/data/esx_step.yaml", more, 1, NULL);
	check_step_response(j, 2000);
	cJSON_Delete(j);
}
END_TEST

/* How many VMs of runs a and b ran on different hosts, had different
 * numbers of demanded touches, and different faults or pages. */
static void compare_vms(cJSON *a, cJSON *b, int *moved, int *touches, int *faults)
{
	cJSON *va = cJSON_GetObjectItem(a, "vms"), *vb = cJSON_GetObjectItem(b, "vms");
	int i;

	*moved = *touches = *faults = 0;
	ck_assert_int_eq(cJSON_GetArraySize(va), cJSON_GetArraySize(vb));
	for (i = 0; i < cJSON_GetArraySize(va); i++) {
		cJSON *x = cJSON_GetArrayItem(va, i), *y = cJSON_GetArrayItem(vb, i);
		char *fx = cJSON_PrintUnformatted(cJSON_GetObjectItem(x, "faults"));
		char *fy = cJSON_PrintUnformatted(cJSON_GetObjectItem(y, "faults"));
		char *px = cJSON_PrintUnformatted(cJSON_GetObjectItem(x, "pages"));
		char *py = cJSON_PrintUnformatted(cJSON_GetObjectItem(y, "pages"));

		ck_assert_str_eq(cJSON_GetObjectItem(x, "name")->valuestring,
				 cJSON_GetObjectItem(y, "name")->valuestring);
		ck_assert_double_eq(cJSON_GetObjectItem(x, "arrive_s")->valuedouble,
				    cJSON_GetObjectItem(y, "arrive_s")->valuedouble);
		*moved += strcmp(cJSON_GetObjectItem(x, "host")->valuestring,
				 cJSON_GetObjectItem(y, "host")->valuestring) != 0;
		*touches += cJSON_GetObjectItem(x, "touches")->valuedouble !=
			    cJSON_GetObjectItem(y, "touches")->valuedouble;
		*faults += strcmp(fx, fy) != 0 || strcmp(px, py) != 0;
		free(fx);
		free(fy);
		free(px);
		free(py);
	}
}

/*
 * Common random numbers (DESIGN.md section 3): a VM's touches are drawn
 * from its own streams, whatever host a policy puts it on.  On hosts too
 * big to swap, first-fit and worst-fit place VMs on other hosts, yet every
 * VM demands the same touches and takes the same faults, page by page.
 * On the default hosts first-fit swaps and worst-fit does not: the faults
 * differ, the demanded touches do not.
 */
START_TEST(a_policy_change_leaves_the_workload_draws_alone)
{
	const char *big_first[] = {"hosts.0.memory=32GiB"};
	const char *big_worst[] = {"hosts.0.memory=32GiB", "policies.placement.policy=worst-fit"};
	const char *worst[] = {"policies.placement.policy=worst-fit"};
	cJSON *a = run_json("configs/default.yaml", big_first, 1, NULL);
	cJSON *b = run_json("configs/default.yaml", big_worst, 2, NULL);
	int moved, touches, faults;

	ck_assert_double_eq(at(a, "summary.io.host_swap_out_bytes")->valuedouble, 0);
	ck_assert_double_eq(at(b, "summary.io.host_swap_out_bytes")->valuedouble, 0);
	compare_vms(a, b, &moved, &touches, &faults);
	ck_assert_int_gt(moved, 0);
	ck_assert_int_eq(touches, 0);
	ck_assert_int_eq(faults, 0);
	cJSON_Delete(a);
	cJSON_Delete(b);

	a = run_json("configs/default.yaml", NULL, 0, NULL);
	b = run_json("configs/default.yaml", worst, 1, NULL);
	compare_vms(a, b, &moved, &touches, &faults);
	ck_assert_int_gt(moved, 0);
	ck_assert_int_gt(faults, 0);
	ck_assert_int_eq(touches, 0);
	cJSON_Delete(a);
	cJSON_Delete(b);
}
END_TEST


static void check_contract(cJSON *j, const char *file)
{
	static const char *const numbers[] = {
		"seed", "replication", "run.wall_s", "run.events", "summary.duration_s",
		"summary.vms.arrived", "summary.vms.placed", "summary.vms.rejected",
		"summary.vms.queued", "summary.memory.host_bytes",
		"summary.memory.configured_bytes", "summary.memory.overcommit_ratio",
		"summary.memory.used_bytes_mean", "summary.memory.used_bytes_peak",
		"summary.memory.shared_saved_bytes_mean", "summary.memory.ballooned_bytes_mean",
		"summary.memory.swapped_bytes_mean", "summary.memory.compressed_bytes_mean",
		"summary.faults.zero_fill", "summary.faults.cow", "summary.faults.host_swap_in",
		"summary.faults.decompress", "summary.faults.guest_swap_in",
		"summary.io.host_swap_out_bytes", "summary.io.host_swap_in_bytes",
		"summary.io.guest_swap_out_bytes", "summary.io.guest_swap_in_bytes",
		"summary.io.host_compress_bytes", "summary.io.host_compress_evict_bytes",
		"summary.performance.touches",
		"summary.performance.stall_s", "summary.performance.slowdown_mean",
		"summary.performance.slowdown_p99", "summary.performance.progress_mean",
		"summary.performance.sla_violations", "summary.performance.stalled_share_mean",
		"summary.performance.inflation_mean", "summary.hosts_used", NULL,
	};
	static const char *const series_keys[] = {
		"configured_bytes", "used_bytes", "free_bytes", "shared_saved_bytes",
		"ballooned_bytes", "swapped_bytes", "compressed_bytes", "faults", "stall_s", NULL,
	};
	static const char *const device_keys[] = {
		"swap_queue.requests", "swap_queue.utilization", "swap_queue.wait_mean_s",
		"disk_queue.requests", "disk_queue.utilization", "disk_queue.wait_mean_s", NULL,
	};
	static const char *const vm_keys[] = {
		"name", "host", "arrive_s", "depart_s", "memory_bytes", "faults", "stall_s",
		"slowdown", "progress", NULL,
	};
	static const char *const vm_memory_keys[] = {
		"resident_bytes_mean", "ballooned_bytes_mean", "swapped_bytes_mean",
		"compressed_bytes_mean", "active_bytes_mean", "estimated_active_bytes_mean", NULL,
	};
	const char *const *k;
	cJSON *vms, *series, *v;
	int n;

	ck_assert_str_eq(at(j, "schema")->valuestring, "memsim-results/1");
	ck_assert_msg(cJSON_IsString(at(j, "name")), "%s: name", file);
	ck_assert_msg(cJSON_IsObject(at(j, "config")), "%s: config", file);
	ck_assert_msg(cJSON_IsString(at(j, "run.memsim_version")), "%s: version", file);
	for (k = numbers; *k; k++)
		ck_assert_msg(cJSON_IsNumber(at(j, *k)), "%s: %s is not a number", file, *k);
	/* Keys later versions fill are absent, not zero. */
	ck_assert_ptr_null(at(j, "summary.migrations"));
	ck_assert_msg(cJSON_GetArraySize(at(j, "hosts")) > 0, "%s: hosts", file);
	/* Every host names its reclaim and sharing policies (DESIGN.md section 8),
	 * and reports its devices' queues. */
	cJSON_ArrayForEach(v, at(j, "hosts")) {
		ck_assert_msg(cJSON_IsString(at(v, "reclaim.policy")), "%s: reclaim.policy", file);
		ck_assert_msg(cJSON_IsString(at(v, "sharing.policy")), "%s: sharing.policy", file);
		for (k = device_keys; *k; k++)
			ck_assert_msg(cJSON_IsNumber(at(v, *k)), "%s: host without %s", file, *k);
	}
	vms = at(j, "vms");
	cJSON_ArrayForEach(v, vms) {
		for (k = vm_keys; *k; k++)
			ck_assert_msg(cJSON_HasObjectItem(v, *k), "%s: vm without %s", file, *k);
		/* A VM that ran has its memory means (it has pages). */
		for (k = vm_memory_keys; cJSON_HasObjectItem(v, "pages") && *k; k++)
			ck_assert_msg(cJSON_IsNumber(at(cJSON_GetObjectItem(v, "memory"), *k)),
				      "%s: vm without memory.%s", file, *k);
	}
	series = at(j, "series");
	n = cJSON_GetArraySize(cJSON_GetObjectItem(series, "t_s"));
	ck_assert_int_gt(n, 1);
	for (k = series_keys; *k; k++)
		ck_assert_msg(cJSON_GetArraySize(cJSON_GetObjectItem(series, *k)) == n,
			      "%s: series %s", file, *k);
	/* Every VM that arrived was placed or rejected or is still counted as queued. */
	ck_assert_double_le(at(j, "summary.vms.placed")->valuedouble +
				    at(j, "summary.vms.rejected")->valuedouble,
			    at(j, "summary.vms.arrived")->valuedouble);
	ck_assert_double_eq(at(j, "summary.vms.arrived")->valuedouble, cJSON_GetArraySize(vms));
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The example configs (configs/NAME.yaml), sorted; the caller frees them. */
static size_t example_configs(char ***out)
{
	DIR *d = opendir("configs");
	struct dirent *e;
	char **names = NULL;
	size_t n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);

		if (len < 6 || strcmp(e->d_name + len - 5, ".yaml") != 0)
			continue;
		names = realloc(names, (n + 1) * sizeof(*names));
		ck_assert_ptr_nonnull(names);
		names[n] = malloc(len + 9);
		ck_assert_ptr_nonnull(names[n]);
		snprintf(names[n++], len + 9, "configs/%s", e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), by_name);
	*out = names;
	return n;
}

/* One test per example config (the _i-th, sorted), each with its own
 * timeout; slots past the last config pass. */
#define EXAMPLE_CONFIG_SLOTS 24
START_TEST(every_example_config_runs_and_has_the_contract_keys)
{
	char **names;
	size_t n = example_configs(&names), k;

	ck_assert_uint_ge(n, 3);
	ck_assert_uint_le(n, EXAMPLE_CONFIG_SLOTS);
	if ((size_t)_i < n) {
		cJSON *j = run_json(names[_i], NULL, 0, NULL);

		check_contract(j, names[_i]);
		cJSON_Delete(j);
	}
	for (k = 0; k < n; k++)
		free(names[k]);
	free(names);
}
END_TEST

START_TEST(mm_infinity_mean_configured_memory_matches_theory)
{
	struct run_record r;
	cJSON *j = run_json("tests/data/mminf.yaml", NULL, 0, &r);
	double lambda_m = 60.0, T = 200.0, m = 1.0;
	double expect = lambda_m * (1 - (m / T) * (1 - exp(-T / m)));
	/* Var of the time average ~ 2 * Var(N) * tau / T with tau = m. */
	double sd = sqrt(2 * lambda_m * m / T);
	double got = r.configured_bytes_mean / (1024.0 * 1024 * 1024);

	ck_assert_uint_eq(r.rejected, 0);
	ck_assert_msg(fabs(got - expect) < 4 * sd, "mean %.3f GiB, expected %.3f +- %.3f", got,
		      expect, 4 * sd);
	cJSON_Delete(j);
}
END_TEST

START_TEST(erlang_loss_rejected_share_matches_erlang_b)
{
	struct run_record r;
	cJSON *j = run_json("tests/data/erlang.yaml", NULL, 0, &r);
	double a = 3.0, b = 1.0, got;
	int k;

	for (k = 1; k <= 5; k++)
		b = a * b / (k + a * b);
	got = (double)r.rejected / (double)r.arrived;
	ck_assert_uint_gt(r.arrived, 15000);
	ck_assert_msg(fabs(got - b) < 0.015, "rejected %.4f, Erlang B %.4f", got, b);
	cJSON_Delete(j);
}
END_TEST

/*
 * Sixteen VMs thrash on one swap device (tests/data/md1.yaml) at six bandwidths, so the
 * device's load rises from about 0.1 to 0.8.  Whatever order the VMs are simulated in,
 * the mean queueing wait per request is M/D/1's at the load the device carried,
 * W = rho s / (2 (1 - rho)) with s = 64 KiB at the bandwidth, within 5%, and it grows
 * with the load.
 */
START_TEST(many_vms_on_one_swap_device_wait_the_md1_mean)
{
	static const double mb_per_s[] = {5000, 2000, 1000, 750, 620, 520};
	double prev_rho = 0, prev_wait = 0, rho = 0;
	size_t k;

	for (k = 0; k < sizeof(mb_per_s) / sizeof(mb_per_s[0]); k++) {
		char bw[64];
		const char *sets[] = {bw};
		cJSON *j, *q;
		double s = 65536 / (mb_per_s[k] * 1e6), wait, want;

		snprintf(bw, sizeof(bw), "hosts.0.swap.bandwidth=%gMB/s", mb_per_s[k]);
		j = run_json("tests/data/md1.yaml", sets, 1, NULL);
		q = cJSON_GetObjectItem(cJSON_GetArrayItem(at(j, "hosts"), 0), "swap_queue");
		rho = cJSON_GetObjectItem(q, "utilization")->valuedouble;
		wait = cJSON_GetObjectItem(q, "wait_mean_s")->valuedouble;
		want = rho * s / (2 * (1 - rho));
		ck_assert_msg(fabs(wait - want) < 0.05 * want,
			      "%g MB/s: rho %.3f, wait %.3g s, M/D/1 %.3g s", mb_per_s[k], rho, wait,
			      want);
		ck_assert_msg(rho > prev_rho && wait > prev_wait,
			      "%g MB/s: rho %.3f and wait %.3g s, after %.3f and %.3g s", mb_per_s[k],
			      rho, wait, prev_rho, prev_wait);
		prev_rho = rho;
		prev_wait = wait;
		cJSON_Delete(j);
	}
	ck_assert_double_ge(rho, 0.8);
}
END_TEST

/*
 * Ticks cover [0, duration): a run of D seconds at rate r demands exactly r D touches and
 * counts D seconds of run time (tests/data/ticks.yaml: 100k/s, 256 zero fills of 2 us).
 * When D is not a whole number of ticks the last tick is the part left.
 */
START_TEST(a_run_of_d_seconds_demands_rate_times_d_and_runs_d)
{
	static const struct { const char *duration; double d; } runs[] = {
		{"duration=60s", 60}, {"duration=60500ms", 60.5}, {"duration=300ms", 0.3},
	};
	size_t k;

	for (k = 0; k < sizeof(runs) / sizeof(runs[0]); k++) {
		const char *sets[] = {runs[k].duration};
		cJSON *j = run_json("tests/data/ticks.yaml", sets, 1, NULL);
		cJSON *vm = cJSON_GetArrayItem(at(j, "vms"), 0);
		double stall = 256 * 2e-6;

		ck_assert_double_eq(at(j, "summary.performance.touches")->valuedouble,
				    100000 * runs[k].d);
		ck_assert_double_eq_tol(cJSON_GetObjectItem(vm, "stall_s")->valuedouble, stall,
					1e-12);
		ck_assert_double_eq_tol(cJSON_GetObjectItem(vm, "slowdown")->valuedouble,
					stall / runs[k].d, 1e-15);
		cJSON_Delete(j);
	}
}
END_TEST

/*
 * The balloon driver moves its rate times the time, whatever the tick: by the end of the
 * tick at t it may have moved floor(rate (t + tick) / page_size) pages, so the sample at t
 * holds the least of that and the target (tests/data/balloon.yaml, 256 MiB/s, a static 25%).
 * At 2 MiB pages that is 128 pages a second: 0.128 a 1 ms tick (which used to round to
 * none) or 1.28 a 10 ms tick (which rounded to 1, 22% slow).  At 1 GiB pages and 1 s ticks,
 * 0.25 a tick: a 16 GiB VM holds its 4 pages from 15 s on.
 */
START_TEST(the_balloon_inflates_at_its_rate_whatever_the_tick_and_page_size)
{
	static const struct {
		const char *sets[6];
		int64_t tick_ns, num, den;      /* pages by x ns: x num / den */
		double target;                  /* pages */
	} cases[] = {
		{{"tick=1ms"}, 1000000, 128, 1000000000, 128},
		{{"tick=10ms"}, 10000000, 128, 1000000000, 128},
		{{"page_size=1GiB", "tick=1s", "sample=1s", "duration=20s", "hosts.0.memory=32GiB",
		  "workload.vms.0.memory=16GiB"}, 1000000000, 1, 4000000000, 4},
	};
	size_t k;

	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		size_t n_sets = 0;
		cJSON *j, *t, *b;
		double pb, end;
		int i, n, full = 0;

		while (n_sets < 6 && cases[k].sets[n_sets])
			n_sets++;
		j = run_json("tests/data/balloon.yaml", cases[k].sets, n_sets, NULL);
		pb = at(j, "config.page_size")->valuedouble;
		end = at(j, "summary.duration_s")->valuedouble * 1e9;
		t = at(j, "series.t_s");
		b = at(j, "series.ballooned_bytes");
		n = cJSON_GetArraySize(t);
		for (i = 0; i < n; i++) {
			int64_t x = (int64_t)llround(cJSON_GetArrayItem(t, i)->valuedouble * 1e9);
			int64_t by = x + cases[k].tick_ns < (int64_t)end ? x + cases[k].tick_ns
									 : (int64_t)end;
			double want = fmin(cases[k].target, (double)(by * cases[k].num / cases[k].den));

			ck_assert_msg(cJSON_GetArrayItem(b, i)->valuedouble == want * pb,
				      "case %zu, t %.3f s: %.0f pages ballooned, want %.0f", k,
				      (double)x / 1e9, cJSON_GetArrayItem(b, i)->valuedouble / pb, want);
			full += want == cases[k].target;
		}
		/* The balloon filled within the run, so its speed was checked. */
		ck_assert_int_gt(full, 0);
		cJSON_Delete(j);
	}
}
END_TEST

/*
 * Guest swap is I/O on the host's datastore (tests/data/guest_swap.yaml: 256 KiB pages, the
 * default disk of 110 us reads at 500 MB/s).  Every guest swap-in and swap-out is one
 * request of one page; the datastore moves no more than its bandwidth; and the VM's stall
 * is at least each swap-in's read latency plus 256 KiB at the bandwidth, plus 64 zero fills
 * of 2 us per page, and at most that plus every request's queueing wait (the swap-outs are
 * write-back: they queue, but the guest does not wait for them).
 */
START_TEST(guest_swap_is_datastore_io_paid_at_its_latency_bandwidth_and_queue)
{
	const double page = 262144, read_s = 110e-6, bw = 500e6;
	cJSON *j = run_json("tests/data/guest_swap.yaml", NULL, 0, NULL);
	cJSON *q = cJSON_GetObjectItem(cJSON_GetArrayItem(at(j, "hosts"), 0), "disk_queue");
	double in = at(j, "summary.io.guest_swap_in_bytes")->valuedouble;
	double out = at(j, "summary.io.guest_swap_out_bytes")->valuedouble;
	double gsi = at(j, "summary.faults.guest_swap_in")->valuedouble;
	double zf = at(j, "summary.faults.zero_fill")->valuedouble;
	double requests = cJSON_GetObjectItem(q, "requests")->valuedouble;
	double waits = requests * cJSON_GetObjectItem(q, "wait_mean_s")->valuedouble;
	double stall = cJSON_GetObjectItem(cJSON_GetArrayItem(at(j, "vms"), 0), "stall_s")
			       ->valuedouble;
	double lo = gsi * (read_s + page / bw) + zf * 64 * 2e-6;

	ck_assert_double_gt(gsi, 1000);
	ck_assert_double_eq(in, gsi * page);
	ck_assert_double_eq(requests * page, in + out);
	ck_assert_double_le((in + out) / 60, bw);
	ck_assert_double_le(cJSON_GetObjectItem(q, "utilization")->valuedouble, 1.0);
	ck_assert_msg(stall >= lo - 1e-6 && stall <= lo + waits + 1e-6,
		      "stall %.6f s, want %.6f s to %.6f s", stall, lo, lo + waits);
	cJSON_Delete(j);
}
END_TEST

/*
 * A zero fill costs 2 us per 4 KiB whatever the page size: the first touches of a 4 MiB
 * working set (tests/data/ticks.yaml) stall 1024 x 2 us = 2.048 ms at 4 KiB, 64 KiB and
 * 2 MiB pages alike.
 */
START_TEST(zero_fills_cost_the_same_at_any_page_size)
{
	static const char *const sizes[] = {"page_size=4KiB", "page_size=64KiB", "page_size=2MiB"};
	size_t k;

	for (k = 0; k < 3; k++) {
		const char *sets[] = {sizes[k], "workload.vms.0.phases.0.working_set=4MiB"};
		cJSON *j = run_json("tests/data/ticks.yaml", sets, 2, NULL);

		ck_assert_double_eq_tol(at(j, "summary.performance.stall_s")->valuedouble,
					1024 * 2e-6, 1e-12);
		cJSON_Delete(j);
	}
}
END_TEST

Suite *run_suite(void)
{
	Suite *s = suite_create("run");
	TCase *tc = tcase_create("runs");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, same_seed_gives_identical_bytes);
	tcase_add_test(tc, same_seed_gives_identical_bytes_at_2mib_pages);
	tcase_add_test(tc, running_out_of_memory_is_reported_not_a_crash);
	tcase_add_test(tc, sla_violations_count_the_vms_slower_than_the_bound);
	tcase_add_test(tc, a_policy_change_leaves_the_workload_draws_alone);
	tcase_add_test(tc, vms_report_their_active_and_estimated_memory_and_hosts_their_reclaim);
	tcase_add_test(tc, vms_report_their_mean_resident_ballooned_swapped_and_compressed_memory);
	tcase_add_test(tc, a_vm_series_has_the_cluster_times_and_the_vms_means);
	tcase_add_test(tc, vm_series_add_their_series_and_change_nothing_else);
	tcase_add_test(tc, the_memory_estimate_counts_the_vm_series);
	tcase_add_test(tc, esx_sampling_follows_a_step_up_within_a_period_and_down_slowly);
	tcase_add_test(tc, the_cost_report_prices_hosts_used_and_those_overcommit_saved);
	tcase_add_test(tc, the_esx_like_config_runs_esx_policies_and_its_tax_moves_idle_memory);
	tcase_add_test(tc, series_of_faults_and_stall_add_up_to_the_summary);
	tcase_add_test(tc, stalled_share_and_inflation_are_reported_per_vm_and_in_the_summary);
	tcase_add_loop_test(tc, every_example_config_runs_and_has_the_contract_keys, 0,
			    EXAMPLE_CONFIG_SLOTS);
	tcase_add_test(tc, mm_infinity_mean_configured_memory_matches_theory);
	tcase_add_test(tc, erlang_loss_rejected_share_matches_erlang_b);
	tcase_add_test(tc, many_vms_on_one_swap_device_wait_the_md1_mean);
	tcase_add_test(tc, a_run_of_d_seconds_demands_rate_times_d_and_runs_d);
	tcase_add_test(tc, the_balloon_inflates_at_its_rate_whatever_the_tick_and_page_size);
	tcase_add_test(tc, guest_swap_is_datastore_io_paid_at_its_latency_bandwidth_and_queue);
	tcase_add_test(tc, zero_fills_cost_the_same_at_any_page_size);
	suite_add_tcase(s, tc);
	tc = tcase_create("threads");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, any_thread_count_gives_the_bytes_of_one);
	suite_add_tcase(s, tc);
	return s;
}
