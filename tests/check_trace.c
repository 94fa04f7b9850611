/*
 * check_trace.c - distributions and generated populations.  Sample means
 * and variances are checked against the parameters with tolerances of five
 * standard errors (fixed seeds, so a pass is repeatable); generated groups
 * are deterministic and independent of each other.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rng.h"
#include "suites.h"
#include "describe.h"
#include "trace.h"

#define N_DRAWS 200000

struct dist_case {
	const char *yaml;
	double mean, var;
	double lo, hi;                  /* every draw within */
};

static const struct dist_case cases[] = {
	{"{dist: uniform, min: 2, max: 6}", 4.0, 16.0 / 12, 2, 6},
	{"{dist: exponential, mean: 3}", 3.0, 9.0, 0, INFINITY},
	{"{dist: normal, mean: 5, sd: 2}", 5.0, 4.0, -INFINITY, INFINITY},
	/* Lognormal, median e^mu = 2, sigma 0.5: mean 2e^(1/8), var (e^(1/4)-1)4e^(1/4). */
	{"{dist: lognormal, median: 2, sigma: 0.5}", 2.2662969061336526, 1.458783416049546, 0,
	 INFINITY},
	/* Pareto scale 1, shape 5: mean 5/4, variance 5/(16*3); shape > 4 keeps the
	 * sample variance's own spread finite. */
	{"{dist: pareto, scale: 1, shape: 5}", 1.25, 5.0 / 48, 1, INFINITY},
	{"{choice: [1, 2, 3], weights: [1, 1, 2]}", 2.25, 0.6875, 1, 3},
	{"{empirical: [1, 2, 3, 4]}", 2.5, 1.25, 1, 4},
	{"{dist: constant, value: 7}", 7.0, 0.0, 7, 7},
	/* Standard normal truncated to [0, inf): half-normal. */
	{"{dist: normal, mean: 0, sd: 1, min: 0}", 0.7978845608028654, 0.3633802276324186, 0,
	 INFINITY},
	/* Exponential of mean 1 truncated to [0, 1]: mean (1 - 2/e) / (1 - 1/e). */
	{"{dist: exponential, mean: 1, max: 1}", 0.41802329313067355, 0.0793264057, 0, 1},
};

START_TEST(sample_moments_match_the_parameters)
{
	const struct dist_case *c = &cases[_i];
	struct cfg_node *root = NULL;
	struct sim_err err = {0};
	struct dist d;
	gsl_rng *r = rng_stream(1, 0, RNG_SIZES, (uint64_t)_i);
	double sum = 0, sum2 = 0, mean, var, se;
	char yaml[256];
	int k;

	snprintf(yaml, sizeof(yaml), "d: %s", c->yaml);
	ck_assert_int_eq(cfg_load_string("t", yaml, &root, &err), 0);
	ck_assert_msg(dist_parse(root->kids[0], DIST_NUMBER, &d, &err) == 0, "%s: %s", c->yaml,
		      err.msg);
	for (k = 0; k < N_DRAWS; k++) {
		double x = dist_sample(&d, r);

		ck_assert_msg(x >= c->lo && x <= c->hi, "%s drew %g", c->yaml, x);
		sum += x;
		sum2 += x * x;
	}
	mean = sum / N_DRAWS;
	var = sum2 / N_DRAWS - mean * mean;
	se = sqrt(c->var / N_DRAWS);
	ck_assert_msg(fabs(mean - c->mean) <= 5 * se + 1e-12, "%s: mean %g, expected %g", c->yaml,
		      mean, c->mean);
	/* The variance's own spread needs the fourth moment; 5% suffices here. */
	ck_assert_msg(fabs(var - c->var) <= 0.05 * c->var + 1e-12, "%s: var %g, expected %g",
		      c->yaml, var, c->var);
	ck_assert_double_eq_tol(dist_mean(&d), c->mean, 1e-3 * (1 + c->mean));
	dist_release(&d);
	cfg_free(root);
	gsl_rng_free(r);
}
END_TEST

static const char *const bad_dists[] = {
	"{dist: lognormal, median: 2, sigma: 0}",
	"{dist: uniform, min: 5, max: 5}",
	"{dist: normal, mean: 1, sd: -1}",
	"{choice: [1, 2], weights: [1, -1]}",
	"{choice: [1, 2], weights: [0, 0]}",
	"{choice: [1, 2], weights: [1]}",
	"{empirical: []}",
	"{dist: gamma, mean: 1}",
	"{dist: exponential, mean: 1, min: 5, max: 3}",
	"{mean: 1}",
};

START_TEST(bad_distributions_are_refused_with_a_place)
{
	struct cfg_node *root = NULL;
	struct sim_err err = {0};
	struct dist d;
	char yaml[256];

	snprintf(yaml, sizeof(yaml), "d: %s", bad_dists[_i]);
	ck_assert_int_eq(cfg_load_string("t", yaml, &root, &err), 0);
	ck_assert_msg(dist_parse(root->kids[0], DIST_NUMBER, &d, &err) < 0, "%s accepted",
		      bad_dists[_i]);
	ck_assert_uint_eq(err.line, 1);
	ck_assert_uint_ge(err.col, 4);
	cfg_free(root);
}
END_TEST

static void expand(const char *yaml, uint64_t seed, struct vm_spec **v, size_t *n)
{
	struct cfg_node *root = NULL;
	struct sim_err err = {0};
	struct trace t;

	ck_assert_int_eq(cfg_load_string("t", yaml, &root, &err), 0);
	ck_assert_msg(trace_load(root, &t, &err) == 0, "%u:%u: %s", err.line, err.col, err.msg);
	ck_assert_int_eq(trace_expand(&t, seed, 0, 4096, v, n, &err), 0);
	/* Specs borrow group names from the trace: keep them for the test. */
	for (size_t i = 0; i < *n; i++)
		(*v)[i].group = NULL;
	trace_release(&t);
	cfg_free(root);
}

static const char group_a[] =
	"groups:\n"
	"  - {name: a, count: 50, arrivals: {process: poisson, rate: 10/h},\n"
	"     lifetime: {dist: exponential, mean: 2h}, memory: {choice: [1GiB, 2GiB]},\n"
	"     working_set: {dist: uniform, min: 10%, max: 90%}}\n";

START_TEST(adding_a_group_leaves_the_first_groups_vms_unchanged)
{
	char both[1024];
	struct vm_spec *a, *b;
	size_t na, nb, i;

	snprintf(both, sizeof(both), "%s%s", group_a,
		 "  - {name: b, count: 30, arrivals: {process: poisson, rate: 5/h},\n"
		 "     memory: {dist: uniform, min: 1GiB, max: 4GiB}}\n");
	expand(group_a, 3, &a, &na);
	expand(both, 3, &b, &nb);
	ck_assert_uint_eq(na, 50);
	ck_assert_uint_eq(nb, 80);
	for (i = 0; i < na; i++) {
		ck_assert_str_eq(a[i].name, b[i].name);
		ck_assert_int_eq(a[i].arrive_ns, b[i].arrive_ns);
		ck_assert_int_eq(a[i].depart_ns, b[i].depart_ns);
		ck_assert_int_eq(a[i].memory_bytes, b[i].memory_bytes);
		ck_assert_int_eq(trace_phase_ws_bytes(&a[i].phases[0], a[i].memory_bytes),
				 trace_phase_ws_bytes(&b[i].phases[0], b[i].memory_bytes));
	}
	trace_specs_free(a, na);
	trace_specs_free(b, nb);
}
END_TEST

START_TEST(the_same_seed_generates_the_same_population_and_another_does_not)
{
	struct vm_spec *a, *b, *c;
	size_t n, i, same = 0;

	expand(group_a, 3, &a, &n);
	expand(group_a, 3, &b, &n);
	expand(group_a, 4, &c, &n);
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(a[i].arrive_ns, b[i].arrive_ns);
		ck_assert_int_eq(a[i].memory_bytes, b[i].memory_bytes);
		same += a[i].arrive_ns == c[i].arrive_ns;
	}
	ck_assert_uint_lt(same, n);
	trace_specs_free(a, n);
	trace_specs_free(b, n);
	trace_specs_free(c, n);
}
END_TEST

START_TEST(poisson_arrivals_have_the_configured_rate)
{
	static const char yaml[] =
		"groups: [{name: p, count: 20000, arrivals: {process: poisson, rate: 120/h,"
		" start: 1h}, memory: 1GiB}]\n";
	struct vm_spec *v;
	size_t n, i;
	double last, mean_gap, sd;

	expand(yaml, 9, &v, &n);
	for (i = 1; i < n; i++)
		ck_assert_int_ge(v[i].arrive_ns, v[i - 1].arrive_ns);
	ck_assert_int_ge(v[0].arrive_ns, 3600LL * 1000000000);
	last = (double)(v[n - 1].arrive_ns - 3600LL * 1000000000) / 1e9;
	mean_gap = last / (double)n;
	/* Gaps are exponential with mean 30 s; the mean of n has sd 30/sqrt(n). */
	sd = 30.0 / sqrt((double)n);
	ck_assert_msg(fabs(mean_gap - 30.0) < 5 * sd, "mean gap %g s", mean_gap);
	ck_assert_int_eq(v[0].depart_ns, TRACE_NEVER);
	trace_specs_free(v, n);
}
END_TEST

START_TEST(list_arrivals_and_page_rounding)
{
	static const char yaml[] =
		"groups: [{name: l, arrivals: {process: list, times: [0s, 1m, 1h]},"
		" memory: 1000000, working_set: 30%}]\n";
	struct vm_spec *v;
	size_t n;

	expand(yaml, 1, &v, &n);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(v[1].arrive_ns, 60LL * 1000000000);
	ck_assert_int_eq(v[2].arrive_ns, 3600LL * 1000000000);
	/* 1,000,000 bytes round up to 245 pages of 4 KiB. */
	ck_assert_int_eq(v[0].memory_bytes, 245 * 4096);
	ck_assert_int_eq(trace_phase_ws_bytes(&v[0].phases[0], v[0].memory_bytes),
			 llround(0.3 * 245 * 4096));
	trace_specs_free(v, n);
}
END_TEST

/* A count beside listed times must equal their number, and is then kept. */
START_TEST(a_count_that_matches_the_listed_times_is_accepted)
{
	static const char good[] =
		"groups: [{name: l, count: 2, arrivals: {process: list, times: [0s, 1m]},"
		" memory: 4096}]\n";
	static const char bad[] =
		"groups: [{name: l, count: 3, arrivals: {process: list, times: [0s, 1m]},"
		" memory: 4096}]\n";
	struct cfg_node *root = NULL;
	struct sim_err err = {0};
	struct trace t;
	struct vm_spec *v;
	size_t n;

	expand(good, 1, &v, &n);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(v[1].arrive_ns, 60LL * 1000000000);
	trace_specs_free(v, n);
	ck_assert_int_eq(cfg_load_string("t", bad, &root, &err), 0);
	ck_assert_int_eq(trace_load(root, &t, &err), -SIM_EINVAL);
	ck_assert_msg(strstr(err.msg, "2 times for a count of 3"), "%s", err.msg);
	trace_release(&t);
	cfg_free(root);
}
END_TEST

START_TEST(a_generated_name_that_collides_with_an_explicit_vm_is_refused)
{
	static const char yaml[] =
		"vms: [{name: w-1, memory: 1GiB}]\n"
		"groups: [{name: w, count: 2, memory: 1GiB}]\n";
	struct cfg_node *root = NULL;
	struct sim_err err = {0};
	struct vm_spec *v;
	struct trace t;
	size_t n;

	ck_assert_int_eq(cfg_load_string("t", yaml, &root, &err), 0);
	ck_assert_int_eq(trace_load(root, &t, &err), 0);
	ck_assert_int_eq(trace_expand(&t, 1, 0, 4096, &v, &n, &err), -SIM_EDUP);
	ck_assert_uint_eq(err.line, 1);
	ck_assert_ptr_nonnull(strstr(err.msg, "w-1"));
	trace_release(&t);
	cfg_free(root);
}
END_TEST

/* Loads yaml as a trace; returns the load's code. */
static int load_trace(const char *yaml, struct cfg_node **root, struct trace *t,
		      struct sim_err *err)
{
	ck_assert_int_eq(cfg_load_string("t", yaml, root, err), 0);
	return trace_load(*root, t, err);
}

START_TEST(a_working_set_series_becomes_one_phase_per_point)
{
	static const char yaml[] =
		"vms: [{name: a, memory: 4GiB, pattern: zipf, skew: 0.5, rate: 1k/s,\n"
		"       working_set_series: [[0s, 1GiB], [5m, 25%], [10m, 3GiB]]}]\n";
	struct cfg_node *root = NULL;
	struct sim_err err = {0};
	struct trace t;
	const struct vm_spec *v;

	ck_assert_msg(load_trace(yaml, &root, &t, &err) == 0, "%s", err.msg);
	v = &t.vms[0];
	ck_assert_uint_eq(v->n_phases, 3);
	ck_assert_int_eq(v->phases[1].at_ns, 300LL * 1000000000);
	ck_assert_int_eq(trace_phase_ws_bytes(&v->phases[0], v->memory_bytes), 1LL << 30);
	ck_assert_int_eq(trace_phase_ws_bytes(&v->phases[1], v->memory_bytes), 1LL << 30);
	ck_assert_int_eq(trace_phase_ws_bytes(&v->phases[2], v->memory_bytes), 3LL << 30);
	/* The VM's own pattern keys apply to every point. */
	ck_assert_int_eq(v->phases[2].pattern, PATTERN_ZIPF);
	ck_assert_double_eq(v->phases[2].skew, 0.5);
	ck_assert_double_eq(v->phases[2].rate, 1000);
	trace_release(&t);
	cfg_free(root);
}
END_TEST

static const struct {
	const char *yaml;
	unsigned line, col;
	const char *word;
} bad_vms[] = {
	{"vms: [{name: a, memory: 1GiB,\n  working_set_series: [[5m, 1MiB], [1m, 2MiB]]}]\n", 2,
	 37, "increasing"},
	{"vms: [{name: a, memory: 1GiB,\n  working_set_series: [[0s, 2GiB]]}]\n", 2, 29,
	 "larger"},
	{"vms: [{name: a, memory: 1GiB, phases: [{}],\n  working_set_series: [[0s, 1MiB]]}]\n",
	 2, 23, "not both"},
	{"vms: [{name: a, memory: 1GiB, pattern: zipf}]\n", 1, 40, "pattern keys"},
	{"vms: [{name: a, memory: 1GiB,\n  working_set_series: [[0s]]}]\n", 2, 24, "[time, size]"},
	{"vms: [{name: a, memory: 1GiB, phases: [{pattern: uniform, skew: 2}]}]\n", 1, 65,
	 "skew"},
	{"vms: [{name: a, memory: 1GiB, content: {zero: 60%, image: 50%}}]\n", 1, 40, "100%"},
	{"images: {u: {size: 1GiB}}\nvms: [{name: a, memory: 1GiB, image: v}]\n", 2, 38,
	 "unknown image"},
	{"vms: [{name: a, memory: 1GiB, content: {compress: [2, 3]}}]\n", 1, 51, "not a list"},
	{"images: {u: {size: 1GiB, compress: {dist: lognormal, median: 3}}}\n"
	 "vms: [{name: a, memory: 1GiB}]\n", 1, 36, "sigma"},
	{"images: {u: {size: 1GiB, base: w, same: 50%}}\nvms: []\n", 1, 32, "unknown image"},
	{"images: {u: {size: 1GiB, base: v, same: 5%}, v: {size: 1GiB, base: u, same: 5%}}\n"
	 "vms: []\n", 1, 32, "version of itself"},
	{"images: {u: {size: 1GiB, same: 50%}}\nvms: []\n", 1, 32, "needs a 'base'"},
	{"images: {u: {size: 1GiB}, v: {size: 1GiB, base: u}}\nvms: []\n", 1, 49,
	 "needs 'same'"},
};

/* An image version names its base and the share of its pages that are the base's. */
START_TEST(an_image_version_names_its_base)
{
	struct cfg_node *root = NULL;
	struct sim_err err = {0};
	struct trace t;

	ck_assert_int_eq(load_trace("images: {ubuntu-22.04: {size: 1200MiB, base: ubuntu-20.04, "
				    "same: 60%}, ubuntu-20.04: {size: 1GiB}}\n"
				    "vms: [{name: a, memory: 1GiB, image: ubuntu-22.04}]\n",
				    &root, &t, &err),
			 0);
	ck_assert_int_eq(t.images[0].base, 1);
	ck_assert_double_eq_tol(t.images[0].same, 0.6, 1e-12);
	ck_assert_int_eq(t.images[1].base, -1);
	trace_release(&t);
	cfg_free(root);
}
END_TEST

START_TEST(bad_vm_keys_are_refused_at_their_place)
{
	struct cfg_node *root = NULL;
	struct sim_err err = {0};
	struct trace t;

	ck_assert_int_lt(load_trace(bad_vms[_i].yaml, &root, &t, &err), 0);
	ck_assert_msg(err.line == bad_vms[_i].line && err.col == bad_vms[_i].col,
		      "case %d at %u:%u, want %u:%u (%s)", _i, err.line, err.col, bad_vms[_i].line,
		      bad_vms[_i].col, err.msg);
	ck_assert_msg(strstr(err.msg, bad_vms[_i].word), "case %d: %s", _i, err.msg);
	trace_release(&t);
	cfg_free(root);
}
END_TEST

START_TEST(group_options_reach_every_generated_vm)
{
	static const char yaml[] =
		"images: {img: {size: 512MiB}}\n"
		"groups: [{name: g, count: 5, arrivals: {process: at-once, at: 2h},\n"
		"  memory: 2GiB, working_set: 512MiB, pattern: hot-cold, hot_fraction: 30%,\n"
		"  hot_probability: 70%, rate: 3k/s, writes: 10%, image: img,\n"
		"  content: {zero: 20%, image: 30%}, zero_freed: true, shares: high,\n"
		"  limit: 1GiB, reservation: 256MiB}]\n";
	struct vm_spec *v;
	size_t n, i;

	expand(yaml, 1, &v, &n);
	ck_assert_uint_eq(n, 5);
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(v[i].arrive_ns, 7200LL * 1000000000);
		ck_assert_int_eq(v[i].depart_ns, TRACE_NEVER);
		ck_assert_int_eq(v[i].memory_bytes, 2LL << 30);
		ck_assert_int_eq(trace_phase_ws_bytes(&v[i].phases[0], v[i].memory_bytes),
				 512LL << 20);
		ck_assert_int_eq(v[i].phases[0].pattern, PATTERN_HOTCOLD);
		ck_assert_double_eq(v[i].phases[0].hot_fraction, 0.3);
		ck_assert_double_eq(v[i].phases[0].hot_probability, 0.7);
		ck_assert_double_eq(v[i].phases[0].rate, 3000);
		ck_assert_double_eq(v[i].phases[0].writes, 0.1);
		ck_assert_int_eq(v[i].image, 0);
		ck_assert_double_eq(v[i].content_zero, 0.2);
		ck_assert_double_eq(v[i].content_image, 0.3);
		ck_assert(v[i].zero_freed);
		/* High shares are 20 per MB (vSphere). */
		ck_assert_double_eq(v[i].shares, 20.0 * 2048);
		ck_assert_int_eq(v[i].limit_bytes, 1LL << 30);
		ck_assert_int_eq(v[i].reservation_bytes, 256LL << 20);
	}
	trace_specs_free(v, n);
}
END_TEST

/*
 * A distribution of compression ratios becomes the shares of pages in
 * quarter slots (ratio >= 4) and half slots (2 <= ratio < 4), per VM for
 * its unique pages and per image.  Expected: choice 1.5/3/5 weighted
 * 1:2:1 gives 1/4 and 1/2; uniform on [1, 5] gives P(>= 4) = 1/4 and
 * P(2..4) = 1/2; a constant 2:1 is exactly half a page, a half slot.  The
 * default, lognormal of median 3.06 and sigma 0.5, by the normal CDF:
 * P(< 2) = Phi((ln 2 - ln 3.06) / 0.5) = 0.19751, P(< 4) = 0.70394.
 */
START_TEST(content_compress_gives_the_shares_of_each_slot)
{
	static const char yaml[] =
		"images: {img: {size: 1GiB, compress: {dist: constant, value: 8}},\n"
		"         plain: {size: 1GiB}}\n"
		"vms:\n"
		"  - {name: a, memory: 1GiB,\n"
		"     content: {compress: {choice: [1.5, 3, 5], weights: [1, 2, 1]}}}\n"
		"  - {name: b, memory: 1GiB,\n"
		"     content: {zero: 10%, compress: {dist: uniform, min: 1, max: 5}}}\n"
		"  - {name: c, memory: 1GiB, content: {compress: 2}}\n"
		"  - {name: d, memory: 1GiB}\n"
		"groups: [{name: g, count: 2, memory: 1GiB, content: {compress: 1.5}}]\n";
	struct cfg_node *root = NULL;
	struct sim_err err = {0};
	struct vm_spec *v;
	struct trace t;
	size_t n;

	ck_assert_msg(load_trace(yaml, &root, &t, &err) == 0, "%s", err.msg);
	ck_assert_double_eq_tol(t.images[0].compress.quarter, 1, 1e-12);
	ck_assert_double_eq_tol(t.images[0].compress.half, 0, 1e-12);
	ck_assert_double_eq_tol(t.images[1].compress.quarter, 1 - 0.7039374, 1e-6);
	ck_assert_double_eq_tol(t.images[1].compress.half, 0.7039374 - 0.1975137, 1e-6);
	ck_assert_double_eq_tol(t.vms[0].compress.quarter, 0.25, 1e-12);
	ck_assert_double_eq_tol(t.vms[0].compress.half, 0.5, 1e-12);
	ck_assert_double_eq_tol(t.vms[1].compress.quarter, 0.25, 1e-12);
	ck_assert_double_eq_tol(t.vms[1].compress.half, 0.5, 1e-12);
	ck_assert_double_eq_tol(t.vms[2].compress.quarter, 0, 1e-12);
	ck_assert_double_eq_tol(t.vms[2].compress.half, 1, 1e-12);
	ck_assert_double_eq_tol(t.vms[3].compress.quarter, 1 - 0.7039374, 1e-6);
	ck_assert_double_eq_tol(t.vms[3].compress.half, 0.7039374 - 0.1975137, 1e-6);
	ck_assert_int_eq(trace_expand(&t, 1, 0, 4096, &v, &n, &err), 0);
	ck_assert_uint_eq(n, 6);
	ck_assert_double_eq(v[5].compress.quarter + v[5].compress.half, 0);
	trace_specs_free(v, n);
	trace_release(&t);
	cfg_free(root);
}
END_TEST

START_TEST(describe_counts_arrivals_and_memory_alive_per_bin)
{
	static const char yaml[] =
		"vms:\n"
		"  - {name: a, memory: 1GiB, arrive: 0s, depart: 2h,\n"
		"     phases: [{working_set: 50%}]}\n"
		"  - {name: b, memory: 2GiB, arrive: 1h, phases: [{working_set: 1GiB},\n"
		"                                              {at: 1h, working_set: 2GiB}]}\n"
		"  - {name: c, memory: 4GiB, arrive: 150m, depart: 4h}\n";
	struct description d;
	struct vm_spec *v;
	size_t n;

	expand(yaml, 1, &v, &n);
	/* The last event is at 4h: four bins of 1h and a nanosecond, so b,
	 * arriving at exactly 1h, falls in the first. */
	describe_vms(v, n, 4, &d);
	ck_assert_uint_eq(d.n_vms, 3);
	ck_assert_int_eq(d.end_ns, 4 * 3600LL * 1000000000);
	ck_assert_uint_eq(d.bins[0].arrivals, 2);
	ck_assert_uint_eq(d.bins[1].arrivals, 0);
	ck_assert_uint_eq(d.bins[2].arrivals, 1);
	/* At 0: a.  Just past 1h: a and b.  Just past 2h: b only (a left at 2h).
	 * Just past 3h: b (2 GiB set) and c (default 50% of 4 GiB). */
	ck_assert_int_eq(d.bins[0].configured_bytes, 1LL << 30);
	ck_assert_int_eq(d.bins[0].ws_bytes, 512LL << 20);
	ck_assert_uint_eq(d.bins[1].alive, 2);
	ck_assert_int_eq(d.bins[1].ws_bytes, (512LL << 20) + (1LL << 30));
	ck_assert_uint_eq(d.bins[2].alive, 1);
	ck_assert_int_eq(d.bins[2].ws_bytes, 2LL << 30);
	ck_assert_uint_eq(d.bins[3].alive, 2);
	ck_assert_int_eq(d.bins[3].configured_bytes, 6LL << 30);
	ck_assert_int_eq(d.bins[3].ws_bytes, 4LL << 30);
	describe_release(&d);
	trace_specs_free(v, n);
}
END_TEST

static double seconds_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * 100k images, 40k groups and 10k VMs that each name one of the images
 * load, each VM with its own image.  The time is printed, not asserted:
 * the duplicate checks and image lookups were quadratic, over a minute.
 */
START_TEST(a_trace_with_100k_images_and_40k_groups_loads)
{
	enum { N_IMAGES = 100000, N_GROUPS = 40000, N_VMS = 10000 };
	size_t cap = 64 * ((size_t)N_IMAGES + N_GROUPS + N_VMS), len = 0;
	char *text = malloc(cap);
	struct cfg_node *root = NULL;
	struct sim_err err = {0};
	struct trace t;
	double t0;
	int i;

	ck_assert_ptr_nonnull(text);
	len += (size_t)snprintf(text + len, cap - len, "images:\n");
	for (i = 0; i < N_IMAGES; i++)
		len += (size_t)snprintf(text + len, cap - len, "  i%d: {size: 4096}\n", i);
	len += (size_t)snprintf(text + len, cap - len, "groups:\n");
	for (i = 0; i < N_GROUPS; i++)
		len += (size_t)snprintf(text + len, cap - len,
					"  - {name: g%d, count: 1, memory: 4096}\n", i);
	len += (size_t)snprintf(text + len, cap - len, "vms:\n");
	for (i = 0; i < N_VMS; i++)
		len += (size_t)snprintf(text + len, cap - len,
					"  - {name: v%d, memory: 4096, image: i%d}\n", i, 10 * i);
	t0 = seconds_now();
	ck_assert_int_eq(cfg_load_string("t", text, &root, &err), 0);
	ck_assert_msg(trace_load(root, &t, &err) == 0, "%u:%u: %s", err.line, err.col, err.msg);
	fprintf(stderr, "trace: %d images, %d groups and %d VMs loaded in %.3f s\n", N_IMAGES,
		N_GROUPS, N_VMS, seconds_now() - t0);
	ck_assert_uint_eq(t.n_images, N_IMAGES);
	ck_assert_uint_eq(t.n_groups, N_GROUPS);
	ck_assert_uint_eq(t.n_vms, N_VMS);
	for (i = 0; i < N_VMS; i++)
		ck_assert_int_eq(t.vms[i].image, 10 * i);
	trace_release(&t);
	cfg_free(root);
	free(text);
}
END_TEST

Suite *trace_suite(void)
{
	Suite *s = suite_create("trace");
	TCase *tc = tcase_create("dist");

	tcase_add_loop_test(tc, sample_moments_match_the_parameters, 0,
			    (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_loop_test(tc, bad_distributions_are_refused_with_a_place, 0,
			    (int)(sizeof(bad_dists) / sizeof(bad_dists[0])));
	suite_add_tcase(s, tc);
	tc = tcase_create("groups");
	tcase_add_test(tc, adding_a_group_leaves_the_first_groups_vms_unchanged);
	tcase_add_test(tc, the_same_seed_generates_the_same_population_and_another_does_not);
	tcase_add_test(tc, poisson_arrivals_have_the_configured_rate);
	tcase_add_test(tc, list_arrivals_and_page_rounding);
	tcase_add_test(tc, a_count_that_matches_the_listed_times_is_accepted);
	tcase_add_test(tc, a_generated_name_that_collides_with_an_explicit_vm_is_refused);
	tcase_add_test(tc, group_options_reach_every_generated_vm);
	suite_add_tcase(s, tc);
	tc = tcase_create("vms");
	tcase_add_test(tc, a_working_set_series_becomes_one_phase_per_point);
	tcase_add_test(tc, an_image_version_names_its_base);
	tcase_add_loop_test(tc, bad_vm_keys_are_refused_at_their_place, 0,
			    (int)(sizeof(bad_vms) / sizeof(bad_vms[0])));
	tcase_add_test(tc, describe_counts_arrivals_and_memory_alive_per_bin);
	tcase_add_test(tc, content_compress_gives_the_shares_of_each_slot);
	suite_add_tcase(s, tc);
	tc = tcase_create("size");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, a_trace_with_100k_images_and_40k_groups_loads);
	suite_add_tcase(s, tc);
	return s;
}
