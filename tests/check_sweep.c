/*
 * check_sweep.c - sweep files (expansion of grid, zip and ranges, located
 * errors, mapping values and the hypervisors sweep), confidence intervals
 * and paired differences against values
 * worked out by hand, and summaries built from hand-made run files.
 */
#include <check.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cfg.h"
#include "suites.h"
#include "sweep_spec.h"
#include "sweep_stats.h"
#include "sweep_sum.h"

static const double TOL = 1e-3;

static void load_ok(const char *path, struct sweep_spec *s)
{
	struct sim_err err = { 0 };
	int rc = sweep_spec_load(path, s, &err);

	ck_assert_msg(rc == 0, "%s:%u:%u: %s", err.file, err.line, err.col, err.msg);
}

static void ck_point(const struct sweep_spec *s, size_t p, const char *a, const char *b,
		     const char *c)
{
	const char *want[] = { a, b, c };
	size_t i;

	for (i = 0; i < s->n_axes; i++)
		ck_assert_str_eq(sweep_spec_value(s, p, i), want[i]);
}

START_TEST(grid_varies_the_last_axis_fastest_and_expands_ranges)
{
	struct sweep_spec s;
	char id[16];

	load_ok("tests/data/sweep_ranges.yaml", &s);
	ck_assert_str_eq(s.base, "tests/data/sweep_tiny.yaml");
	ck_assert_int_eq(s.replications, 4);
	ck_assert(!s.zip);
	ck_assert_uint_eq(s.n_axes, 3);
	ck_assert_str_eq(s.axes[1].key, "hosts.0.count");
	/* 2 balloon policies x {2, 4, 6, 8} hosts x {1.1, 1.3, 1.5}. */
	ck_assert_uint_eq(s.axes[1].n, 4);
	ck_assert_uint_eq(s.axes[2].n, 3);
	ck_assert_uint_eq(s.n_points, 24);
	ck_point(&s, 0, "none", "2", "1.1");
	ck_point(&s, 1, "none", "2", "1.3");
	ck_point(&s, 2, "none", "2", "1.5");
	ck_point(&s, 3, "none", "4", "1.1");
	ck_point(&s, 19, "static", "6", "1.3");
	ck_point(&s, 23, "static", "8", "1.5");
	sweep_spec_point_id(0, id, sizeof(id));
	ck_assert_str_eq(id, "p000");
	sweep_spec_point_id(23, id, sizeof(id));
	ck_assert_str_eq(id, "p023");
	/* Baseline {none, 4}: (static, 6, 1.3) pairs with (none, 4, 1.3), p004. */
	ck_assert_int_eq(sweep_spec_baseline_of(&s, 19), 4);
	ck_assert_int_eq(sweep_spec_baseline_of(&s, 1), 4);
	ck_assert_int_eq(sweep_spec_baseline_of(&s, 23), 5);
	/* p004 is a baseline point itself. */
	ck_assert_int_eq(sweep_spec_baseline_of(&s, 4), -1);
	sweep_spec_release(&s);
}
END_TEST

START_TEST(zip_takes_the_ith_values_together)
{
	struct sweep_spec s;
	size_t p;

	load_ok("tests/data/sweep_zip.yaml", &s);
	ck_assert(s.zip);
	ck_assert_uint_eq(s.n_points, 3);
	ck_point(&s, 0, "1", "10m", NULL);
	ck_point(&s, 1, "2", "20m", NULL);
	ck_point(&s, 2, "3", "30m", NULL);
	/* Baseline {hosts.0.count: 2} would need (2, 10m) for p000: no such point. */
	for (p = 0; p < 3; p++)
		ck_assert_int_eq(sweep_spec_baseline_of(&s, p), -1);
	sweep_spec_release(&s);
}
END_TEST

START_TEST(mapping_values_are_flow_text_and_a_mapping_can_be_the_baseline)
{
	struct sweep_spec s;

	load_ok("tests/data/sweep_sets.yaml", &s);
	ck_assert(s.zip);
	ck_assert_uint_eq(s.n_points, 2);
	/* As `memsim run --set policies=...` reads them: whole mappings. */
	ck_point(&s, 0, "plain", "{estimator: {policy: oracle}}", NULL);
	ck_point(&s, 1, "ballooned",
		 "{estimator: {policy: oracle}, balloon: {policy: static, target: \"25%\"}}", NULL);
	ck_assert_int_eq(sweep_spec_baseline_of(&s, 1), 0);
	ck_assert_int_eq(sweep_spec_baseline_of(&s, 0), -1);
	sweep_spec_release(&s);
}
END_TEST

/* configs/sweeps/hypervisors.yaml sweeps exactly the policy sets of the
 * three configs it names, each as the flow text of that config's
 * policies mapping, with esx-like the baseline of the other two. */
START_TEST(the_hypervisors_sweep_carries_each_configs_policies)
{
	static const char *const names[] = {"esx-like", "hyperv-like", "kvm-like"};
	struct sweep_spec s;
	size_t p;

	load_ok("configs/sweeps/hypervisors.yaml", &s);
	ck_assert_uint_eq(s.n_points, 3);
	ck_assert_str_eq(s.axes[0].key, "name");
	ck_assert_str_eq(s.axes[1].key, "policies");
	for (p = 0; p < 3; p++) {
		char path[64];
		struct cfg_node *root = NULL;
		struct sim_err err = {0};
		char *want;

		snprintf(path, sizeof(path), "configs/%s.yaml", names[p]);
		ck_assert_msg(cfg_load_file(path, &root, &err) == 0, "%s", err.msg);
		want = cfg_flow_text(cfg_get(root, "policies"));
		ck_assert_str_eq(sweep_spec_value(&s, p, 0), names[p]);
		ck_assert_str_eq(sweep_spec_value(&s, p, 1), want);
		ck_assert_int_eq(sweep_spec_baseline_of(&s, p), p ? 0 : -1);
		free(want);
		cfg_free(root);
	}
	sweep_spec_release(&s);
}
END_TEST

START_TEST(grid_of_a_list_and_a_range)
{
	struct sweep_spec s;

	load_ok("tests/data/sweep_small.yaml", &s);
	ck_assert_uint_eq(s.n_points, 4);
	ck_point(&s, 0, "none", "1", NULL);
	ck_point(&s, 1, "none", "2", NULL);
	ck_point(&s, 2, "static", "1", NULL);
	ck_point(&s, 3, "static", "2", NULL);
	ck_assert_int_eq(sweep_spec_baseline_of(&s, 2), 0);
	ck_assert_int_eq(sweep_spec_baseline_of(&s, 3), 1);
	ck_assert_int_eq(sweep_spec_baseline_of(&s, 0), -1);
	sweep_spec_release(&s);
}
END_TEST

static const struct bad_case {
	const char *file;
	unsigned line, col;
	const char *words;
} bad_cases[] = {
	{ "tests/data/sweep_bad_key.yaml", 4, 1, "unknown key 'replicas'" },
	{ "tests/data/sweep_bad_zip.yaml", 7, 9, "zip axis 'tick' has 2 values" },
	{ "tests/data/sweep_bad_step.yaml", 5, 41, "step must be greater than 0" },
	{ "tests/data/sweep_bad_base.yaml", 2, 7, "cannot open base config" },
};

START_TEST(bad_sweep_files_are_located)
{
	const struct bad_case *c = &bad_cases[_i];
	struct sweep_spec s;
	struct sim_err err = { 0 };

	ck_assert_int_lt(sweep_spec_load(c->file, &s, &err), 0);
	ck_assert_str_eq(err.file, c->file);
	ck_assert_uint_eq(err.line, c->line);
	ck_assert_uint_eq(err.col, c->col);
	ck_assert_msg(strstr(err.msg, c->words), "message '%s' lacks '%s'", err.msg, c->words);
	ck_assert_uint_eq(s.n_points, 0);
}
END_TEST

START_TEST(ci_of_one_to_five_matches_the_hand_computation)
{
	/* mean 3, s = sqrt(2.5) = 1.5811, t(0.975, 4) = 2.7764, half = 1.9632. */
	const double x[] = { 1, 2, 3, 4, 5 };
	struct sweep_ci ci;

	ck_assert(sweep_stats_ci(x, 5, &ci));
	ck_assert_uint_eq(ci.n, 5);
	ck_assert_double_eq_tol(ci.mean, 3.0, 1e-12);
	ck_assert_double_eq_tol(ci.lo, 3.0 - 1.9632, TOL);
	ck_assert_double_eq_tol(ci.hi, 3.0 + 1.9632, TOL);
}
END_TEST

START_TEST(ci_of_one_value_is_that_value_and_of_none_is_absent)
{
	const double x[] = { 7.5 };
	struct sweep_ci ci;

	ck_assert(sweep_stats_ci(x, 1, &ci));
	ck_assert_double_eq(ci.mean, 7.5);
	ck_assert_double_eq(ci.lo, 7.5);
	ck_assert_double_eq(ci.hi, 7.5);
	ck_assert(!sweep_stats_ci(x, 0, &ci));
}
END_TEST

START_TEST(paired_differences_skip_unpaired_replications)
{
	/* Pairs 0..2 give differences 2, 1, 4: mean 7/3, s = sqrt(7/3) = 1.5275,
	 * t(0.975, 2) = 4.3027, half = 4.3027 * 1.5275 / sqrt(3) = 3.7946. */
	const double a[] = { 10, 12, 15, 7 }, b[] = { 8, 11, 11, 100 };
	const bool ha[] = { true, true, true, true }, hb[] = { true, true, true, false };
	struct sweep_ci ci;

	ck_assert(sweep_stats_paired(a, ha, b, hb, 4, &ci));
	ck_assert_uint_eq(ci.n, 3);
	ck_assert_double_eq_tol(ci.mean, 7.0 / 3.0, 1e-12);
	ck_assert_double_eq_tol(ci.lo, 7.0 / 3.0 - 3.7946, TOL);
	ck_assert_double_eq_tol(ci.hi, 7.0 / 3.0 + 3.7946, TOL);
}
END_TEST

/* --- summaries from hand-made run files ------------------------------------ */

static char tmpdir[64];
static const char *const run_names[] = {
	"p000-r0.json", "p000-r1.json", "p000-r2.json", "p001-r0.err",
	"p002-r0.json", "p002-r1.json", "p002-r2.json", "summary.json", "summary.csv",
};

static void put(const char *name, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/runs/%s", tmpdir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static void sum_setup(void)
{
	char runs[96];

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/memsim-check-sweep.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(runs, sizeof(runs), "%s/runs", tmpdir);
	ck_assert_int_eq(mkdir(runs, 0700), 0);
}

static void sum_teardown(void)
{
	char path[128];
	size_t i;

	for (i = 0; i < sizeof(run_names) / sizeof(run_names[0]); i++) {
		snprintf(path, sizeof(path), "%s/runs/%s", tmpdir, run_names[i]);
		unlink(path);
		snprintf(path, sizeof(path), "%s/%s", tmpdir, run_names[i]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/runs", tmpdir);
	rmdir(path);
	rmdir(tmpdir);
}

static const cJSON *at(const cJSON *o, const char *a, const char *b)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, a);

	if (b)
		x = cJSON_GetObjectItemCaseSensitive(x, b);
	ck_assert_msg(x != NULL, "no %s.%s", a, b ? b : "");
	return x;
}

static void ck_ci(const cJSON *m, const char *mean_key, double mean, double half, int n)
{
	const cJSON *ci = at(m, "ci95", NULL);

	ck_assert_double_eq_tol(at(m, mean_key, NULL)->valuedouble, mean, 1e-12);
	ck_assert_int_eq(cJSON_GetArraySize(ci), 2);
	ck_assert_double_eq_tol(cJSON_GetArrayItem(ci, 0)->valuedouble, mean - half, TOL);
	ck_assert_double_eq_tol(cJSON_GetArrayItem(ci, 1)->valuedouble, mean + half, TOL);
	ck_assert_int_eq(at(m, "n", NULL)->valueint, n);
}

START_TEST(summary_from_hand_made_run_files)
{
	struct sweep_spec s;
	struct sweep_sum *sum;
	struct sim_err err = { 0 };
	const cJSON *pts, *p0, *p1, *p2, *p3, *m;
	cJSON *root;
	char *csv;

	/* sweep_small.yaml: p000 (none, 1), p001 (none, 2), p002 (static, 1),
	 * p003 (static, 2); 3 replications; baseline: balloon none. */
	load_ok("tests/data/sweep_small.yaml", &s);
	put("p000-r0.json", "{\"summary\": {\"a\": {\"x\": 1, \"s\": \"text\"}, \"b\": 5}}");
	put("p000-r1.json", "{\"summary\": {\"a\": {\"x\": 2}, \"b\": 5, \"t\": true}}");
	put("p000-r2.json", "{\"summary\": {\"a\": {\"x\": 3}, \"b\": 5}}");
	put("p001-r0.err", "boom\n");
	put("p002-r0.json", "{\"summary\": {\"a\": {\"x\": 2}, \"b\": 6}}");
	put("p002-r1.json", "{\"summary\": {\"a\": {\"x\": 4}, \"b\": 8}}");
	put("p002-r2.json", "{\"summary\": {\"a\": {\"x\": 9}}}");
	sum = sweep_sum_build(&s, tmpdir);
	ck_assert_uint_eq(sweep_sum_failed(sum), 1);
	root = sweep_sum_json(sum);
	ck_assert_str_eq(at(root, "schema", NULL)->valuestring, "memsim-sweep/1");
	pts = at(root, "points", NULL);
	ck_assert_int_eq(cJSON_GetArraySize(pts), 4);
	p0 = cJSON_GetArrayItem(pts, 0);
	p1 = cJSON_GetArrayItem(pts, 1);
	p2 = cJSON_GetArrayItem(pts, 2);
	p3 = cJSON_GetArrayItem(pts, 3);
	ck_assert_str_eq(at(p2, "id", NULL)->valuestring, "p002");
	ck_assert_str_eq(at(p2, "params", "policies.balloon.policy")->valuestring, "static");
	ck_assert_double_eq(at(p2, "params", "hosts.0.count")->valuedouble, 1);

	/* p000: x = 1, 2, 3: mean 2, s = 1, half = 4.3027 / sqrt(3) = 2.4841. */
	m = at(p0, "metrics", NULL);
	ck_assert_str_eq(m->child->string, "summary.a.x");
	ck_assert_str_eq(m->child->next->string, "summary.b");
	ck_assert_ptr_null(m->child->next->next);
	ck_ci(at(m, "summary.a.x", NULL), "mean", 2, 2.4841, 3);
	ck_ci(at(m, "summary.b", NULL), "mean", 5, 0, 3);
	ck_assert_int_eq(at(p0, "runs", NULL)->valueint, 3);
	ck_assert_ptr_null(cJSON_GetObjectItem(p0, "vs_baseline"));

	/* p001: one failed run, none done. */
	ck_assert_int_eq(at(p1, "runs", NULL)->valueint, 0);
	ck_assert_int_eq(cJSON_GetArraySize(at(p1, "failed", NULL)), 1);
	m = cJSON_GetArrayItem(at(p1, "failed", NULL), 0);
	ck_assert_int_eq(at(m, "replication", NULL)->valueint, 0);
	ck_assert_str_eq(at(m, "error", NULL)->valuestring, "boom");
	ck_assert_ptr_null(at(p1, "metrics", NULL)->child);

	/* p002 against p000: x differences 1, 2, 6: mean 3, s = sqrt(7),
	 * half = 4.3027 * 2.6458 / sqrt(3) = 6.5725.  b: 6, 8 (no b in r2):
	 * differences 1, 3: mean 2, s = sqrt(2), half = 12.7062. */
	ck_assert_str_eq(at(p2, "baseline", NULL)->valuestring, "p000");
	ck_ci(at(p2, "metrics", "summary.b"), "mean", 7, 12.7062, 2);
	ck_ci(at(p2, "vs_baseline", "summary.a.x"), "mean_diff", 3, 6.5725, 3);
	ck_ci(at(p2, "vs_baseline", "summary.b"), "mean_diff", 2, 12.7062, 2);

	/* p003 has no runs: its baseline p001 is named, with nothing to pair. */
	ck_assert_ptr_null(at(p3, "vs_baseline", NULL)->child);
	cJSON_Delete(root);

	csv = sweep_sum_csv(sum);
	ck_assert_msg(!strncmp(csv, "id,policies.balloon.policy,hosts.0.count,summary.a.x.mean,"
			       "summary.a.x.ci95_low,summary.a.x.ci95_high,summary.b.mean,"
			       "summary.b.ci95_low,summary.b.ci95_high\np000,none,1,2,",
			       strlen("id,policies.balloon.policy,hosts.0.count,summary.a.x.mean,"
				      "summary.a.x.ci95_low,summary.a.x.ci95_high,summary.b.mean,"
				      "summary.b.ci95_low,summary.b.ci95_high\np000,none,1,2,")),
		      "csv: %s", csv);
	ck_assert_ptr_nonnull(strstr(csv, ",5,5,5\np001,none,2,,,,,,\np002,static,1,5,"));
	free(csv);
	ck_assert_int_eq(sweep_sum_write(sum, tmpdir, &err), 0);
	sweep_sum_free(sum);
	sweep_spec_release(&s);
}
END_TEST

Suite *sweep_suite(void)
{
	Suite *s = suite_create("sweep");
	TCase *tc = tcase_create("spec");
	TCase *st = tcase_create("stats");
	TCase *sm = tcase_create("summary");

	tcase_add_test(tc, grid_varies_the_last_axis_fastest_and_expands_ranges);
	tcase_add_test(tc, zip_takes_the_ith_values_together);
	tcase_add_test(tc, grid_of_a_list_and_a_range);
	tcase_add_test(tc, mapping_values_are_flow_text_and_a_mapping_can_be_the_baseline);
	tcase_add_test(tc, the_hypervisors_sweep_carries_each_configs_policies);
	tcase_add_loop_test(tc, bad_sweep_files_are_located, 0,
			    (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
	suite_add_tcase(s, tc);
	tcase_add_test(st, ci_of_one_to_five_matches_the_hand_computation);
	tcase_add_test(st, ci_of_one_value_is_that_value_and_of_none_is_absent);
	tcase_add_test(st, paired_differences_skip_unpaired_replications);
	suite_add_tcase(s, st);
	tcase_add_checked_fixture(sm, sum_setup, sum_teardown);
	tcase_add_test(sm, summary_from_hand_made_run_files);
	suite_add_tcase(s, sm);
	return s;
}
