/*
 * tests/check_plan.c - the capacity search of `memsim plan` on hand-made
 * oracles (exact thresholds, no (value, replication) asked twice, reuse of
 * recorded tries, non-monotone evidence, nothing passing) and the SLA
 * judgement on hand-made results JSON, pass and fail at each boundary.
 */
#include <check.h>
#include <math.h>
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "plan_search.h"
#include "suites.h"

#define MAX_CALLS 256

/*
 * An oracle that passes from a threshold up (with down, up to it), per
 * replication, and logs its calls.
 */
struct oracle {
	int64_t threshold[4];           /* replication r passes at value >= threshold[r] */
	bool down;                      /* passes at value <= threshold[r] instead */
	int64_t hole_lo, hole_hi;       /* replication 0 also misses in [hole_lo, hole_hi] */
	int64_t calls_value[MAX_CALLS];
	int calls_rep[MAX_CALLS];
	int n_calls;
	int fail_at_call;               /* return an error on this call (1-based), 0 never */
};

static int oracle_meets(double value, int rep, void *ctx, struct plan_metrics *m)
{
	struct oracle *o = ctx;

	ck_assert_int_lt(o->n_calls, MAX_CALLS);
	ck_assert_double_eq(value, floor(value));
	o->calls_value[o->n_calls] = (int64_t)value;
	o->calls_rep[o->n_calls] = rep;
	if (++o->n_calls == o->fail_at_call)
		return -7;
	m->progress = (double)value;
	if (rep == 0 && value >= o->hole_lo && value <= o->hole_hi)
		return 0;
	return o->down ? value <= (double)o->threshold[rep] : value >= (double)o->threshold[rep];
}

static void assert_no_repeats(const struct oracle *o)
{
	for (int i = 0; i < o->n_calls; i++)
		for (int j = i + 1; j < o->n_calls; j++)
			ck_assert_msg(o->calls_value[i] != o->calls_value[j] ||
				      o->calls_rep[i] != o->calls_rep[j],
				      "value %lld replication %d asked twice",
				      (long long)o->calls_value[i], o->calls_rep[i]);
}

static void search_init(struct plan_search *s, int64_t min, int64_t max, int64_t step, int reps)
{
	memset(s, 0, sizeof(*s));
	s->min = min;
	s->max = max;
	s->step = step;
	s->reps = reps;
}

START_TEST(bisection_finds_every_threshold_exactly)
{
	/* Every threshold from 1 to 20 on [1, 20], and 21 (nothing passes). */
	for (int64_t th = 1; th <= 21; th++) {
		struct oracle o = {.threshold = {th}, .hole_lo = 1, .hole_hi = 0};
		struct plan_search s;

		search_init(&s, 1, 20, 1, 1);
		ck_assert_int_eq(plan_search_run(&s, oracle_meets, &o), 0);
		if (th <= 20) {
			ck_assert(s.found);
			ck_assert_int_eq(s.value, th);
			/* max first, then at most ceil(log2(21)) = 5 halvings. */
			ck_assert_int_le(o.n_calls, 6);
		} else {
			ck_assert(!s.found);
		}
		ck_assert(!s.non_monotone);
		ck_assert_int_eq((int)s.n_tries, o.n_calls);
		assert_no_repeats(&o);
		plan_search_release(&s);
	}
}
END_TEST

START_TEST(bisection_respects_the_grid)
{
	/* Grid 64, 80, ..., 512 (sizes in GiB-like steps); max 520 rounds down to 512. */
	static const int64_t ths[] = {1, 64, 65, 100, 112, 500, 512};

	for (size_t i = 0; i < sizeof(ths) / sizeof(ths[0]); i++) {
		struct oracle o = {.threshold = {ths[i]}, .hole_lo = 1, .hole_hi = 0};
		struct plan_search s;
		int64_t want = ths[i] <= 64 ? 64 : 64 + (ths[i] - 64 + 15) / 16 * 16;

		search_init(&s, 64, 520, 16, 1);
		ck_assert_int_eq(plan_search_run(&s, oracle_meets, &o), 0);
		ck_assert(s.found);
		ck_assert_int_eq(s.value, want);
		ck_assert_int_eq(o.calls_value[0], 512);
		for (int k = 0; k < o.n_calls; k++)
			ck_assert_int_eq((o.calls_value[k] - 64) % 16, 0);
		assert_no_repeats(&o);
		plan_search_release(&s);
	}
}
END_TEST

START_TEST(threshold_at_min_is_found)
{
	struct oracle o = {.threshold = {5}, .hole_lo = 1, .hole_hi = 0};
	struct plan_search s;

	search_init(&s, 5, 37, 1, 1);
	ck_assert_int_eq(plan_search_run(&s, oracle_meets, &o), 0);
	ck_assert(s.found);
	ck_assert_int_eq(s.value, 5);
	ck_assert_int_eq(o.calls_value[o.n_calls - 1], 5);
	plan_search_release(&s);

	/* A range of one value. */
	memset(&o, 0, sizeof(o));
	o.threshold[0] = 3;
	o.hole_lo = 1;
	search_init(&s, 3, 3, 1, 1);
	ck_assert_int_eq(plan_search_run(&s, oracle_meets, &o), 0);
	ck_assert(s.found);
	ck_assert_int_eq(s.value, 3);
	ck_assert_int_eq(o.n_calls, 1);
	plan_search_release(&s);
}
END_TEST

START_TEST(nothing_passing_asks_only_max)
{
	struct oracle o = {.threshold = {100}, .hole_lo = 1, .hole_hi = 0};
	struct plan_search s;

	search_init(&s, 1, 64, 1, 3);
	ck_assert_int_eq(plan_search_run(&s, oracle_meets, &o), 0);
	ck_assert(!s.found);
	ck_assert_int_eq(o.n_calls, 1);
	ck_assert_int_eq(o.calls_value[0], 64);
	ck_assert_int_eq(o.calls_rep[0], 0);
	plan_search_release(&s);
}
END_TEST

START_TEST(every_replication_must_pass)
{
	/* Replication 2 needs 11; the others need less. */
	struct oracle o = {.threshold = {4, 7, 11}, .hole_lo = 1, .hole_hi = 0};
	struct plan_search s;

	search_init(&s, 1, 20, 1, 3);
	ck_assert_int_eq(plan_search_run(&s, oracle_meets, &o), 0);
	ck_assert(s.found);
	ck_assert_int_eq(s.value, 11);
	ck_assert(!s.non_monotone);
	assert_no_repeats(&o);
	plan_search_release(&s);
}
END_TEST

START_TEST(recorded_tries_are_reused)
{
	struct oracle o = {.threshold = {9}, .hole_lo = 1, .hole_hi = 0};
	struct plan_metrics m = {.progress = 1};
	struct plan_search s;

	search_init(&s, 1, 20, 1, 1);
	plan_search_record(&s, 20, 0, true, &m);
	plan_search_record(&s, 10, 0, true, &m);
	ck_assert_int_eq(plan_search_run(&s, oracle_meets, &o), 0);
	ck_assert(s.found);
	ck_assert_int_eq(s.value, 9);
	for (int k = 0; k < o.n_calls; k++)
		ck_assert(o.calls_value[k] != 20 && o.calls_value[k] != 10);
	ck_assert_int_eq((int)s.n_tries, o.n_calls + 2);
	plan_search_release(&s);
}
END_TEST

START_TEST(oracle_errors_stop_the_search)
{
	struct oracle o = {.threshold = {9}, .hole_lo = 1, .hole_hi = 0, .fail_at_call = 3};
	struct plan_search s;

	search_init(&s, 1, 20, 1, 1);
	ck_assert_int_eq(plan_search_run(&s, oracle_meets, &o), -7);
	ck_assert(!s.found);
	ck_assert_int_eq(o.n_calls, 3);
	plan_search_release(&s);
}
END_TEST

START_TEST(non_monotone_replication_is_reported)
{
	/*
	 * Replication 1 passes from 15; replication 0 passes except in
	 * [11, 13].  On [1, 20]: 20 passes; 10 passes for r0, misses for r1;
	 * 15 passes; 12 misses for r0, which passed at 10: non-monotone.
	 */
	struct oracle o = {.threshold = {1, 15}, .hole_lo = 11, .hole_hi = 13};
	const struct plan_try *a = NULL, *b = NULL;
	struct plan_search s;

	search_init(&s, 1, 20, 1, 2);
	ck_assert_int_eq(plan_search_run(&s, oracle_meets, &o), 0);
	ck_assert(s.found);
	ck_assert_int_eq(s.value, 15);
	ck_assert(s.non_monotone);
	ck_assert(plan_tries_non_monotone(s.tries, s.n_tries, false, &a, &b));
	ck_assert_int_eq(a->rep, b->rep);
	ck_assert(a->pass && !b->pass);
	ck_assert_int_lt(a->value, b->value);
	assert_no_repeats(&o);
	plan_search_release(&s);
}
END_TEST

START_TEST(non_monotone_tries_by_hand)
{
	struct plan_try t[] = {
		{.value = 4, .rep = 0, .pass = false},
		{.value = 6, .rep = 0, .pass = true},
		{.value = 8, .rep = 1, .pass = false},
		{.value = 9, .rep = 0, .pass = true},
	};

	ck_assert(!plan_tries_non_monotone(t, 4, false, NULL, NULL));
	t[2].rep = 0;           /* 6 passes, 8 misses, same replication */
	ck_assert(plan_tries_non_monotone(t, 4, false, NULL, NULL));
	ck_assert(!plan_tries_non_monotone(t, 0, false, NULL, NULL));
}
END_TEST

START_TEST(largest_finds_every_threshold_exactly)
{
	/* Passing up to th on [1, 20]: th = 0 passes nothing, th = 20 everything. */
	for (int64_t th = 0; th <= 20; th++) {
		struct oracle o = {.threshold = {th}, .down = true, .hole_lo = 1, .hole_hi = 0};
		struct plan_search s;

		search_init(&s, 1, 20, 1, 1);
		s.largest = true;
		ck_assert_int_eq(plan_search_run(&s, oracle_meets, &o), 0);
		ck_assert_int_eq(o.calls_value[0], 1);  /* the bottom first */
		if (th >= 1) {
			ck_assert(s.found);
			ck_assert_int_eq((int64_t)s.value, th);
			/* min first, then at most ceil(log2(21)) = 5 halvings. */
			ck_assert_int_le(o.n_calls, 6);
		} else {
			ck_assert(!s.found);
			ck_assert_int_eq(o.n_calls, 1);
		}
		ck_assert(!s.non_monotone);
		assert_no_repeats(&o);
		plan_search_release(&s);
	}
}
END_TEST

/* Passes from 1.8 up, by exact decimal thresholds: value k of 1 + k/20. */
static int frac_meets(double value, int rep, void *ctx, struct plan_metrics *m)
{
	int *calls = ctx;
	double k = (value - 1) * 20;

	(void)rep;
	(void)m;
	(*calls)++;
	/* Every value asked is on the grid, within rounding. */
	ck_assert_double_eq_tol(k, round(k), 1e-9);
	return round(k) >= 16;
}

START_TEST(fractional_steps_reach_the_top_and_find_the_threshold)
{
	struct plan_search s;
	int calls = 0;

	/* (0.7 - 0.1) / 0.1 is 5.999999999999999 in doubles: still 6 steps. */
	ck_assert_int_eq(plan_grid_steps(0.1, 0.7, 0.1), 6);
	ck_assert_int_eq(plan_grid_steps(1, 2, 0.05), 20);
	ck_assert_int_eq(plan_grid_steps(1, 1.999, 0.05), 19);
	ck_assert_double_eq_tol(plan_grid_value(1, 0.05, 3), 1.15, 1e-15);
	search_init(&s, 1, 2, 1, 1);
	s.step = 0.05;
	ck_assert_int_eq(plan_search_run(&s, frac_meets, &calls), 0);
	ck_assert(s.found);
	ck_assert_double_eq_tol(s.value, 1.8, 1e-12);
	ck_assert_double_eq_tol(s.tries[0].value, 2.0, 1e-12);
	ck_assert_int_le(calls, 6);
	plan_search_release(&s);
}
END_TEST

START_TEST(largest_non_monotone_is_a_miss_below_a_pass)
{
	struct plan_try t[] = {
		{.value = 4, .rep = 0, .pass = true},
		{.value = 6, .rep = 0, .pass = false},
		{.value = 3, .rep = 1, .pass = false},
	};
	const struct plan_try *a = NULL, *b = NULL;

	/* Passing at 4 and missing at 6 is what --largest expects. */
	ck_assert(!plan_tries_non_monotone(t, 3, true, NULL, NULL));
	ck_assert(plan_tries_non_monotone(t, 3, false, NULL, NULL));
	t[2].rep = 0;           /* misses at 3 below the pass at 4 */
	ck_assert(plan_tries_non_monotone(t, 3, true, &a, &b));
	ck_assert(a->pass && !b->pass);
	ck_assert_double_eq(a->value, 4);
	ck_assert_double_eq(b->value, 3);
}
END_TEST

/* A results document with the summary keys plan reads. */
static cJSON *results(double arrived, double rejected, double host_bytes, double swapped,
		      double violations, double progress)
{
	char buf[1024];

	snprintf(buf, sizeof(buf),
		 "{\"summary\": {\"vms\": {\"arrived\": %.17g, \"rejected\": %.17g},"
		 " \"memory\": {\"host_bytes\": %.17g, \"swapped_bytes_mean\": %.17g},"
		 " \"performance\": {\"sla_violations\": %.17g, \"progress_mean\": %.17g}}}",
		 arrived, rejected, host_bytes, swapped, violations, progress);
	return cJSON_Parse(buf);
}

static struct plan_sla sla_of(const char *config_json)
{
	cJSON *cfg = cJSON_Parse(config_json);
	struct plan_sla sla;

	ck_assert_ptr_nonnull(cfg);
	ck_assert_int_eq(plan_sla_read(cfg, &sla), 0);
	cJSON_Delete(cfg);
	return sla;
}

/* Evaluates and returns the failed bits. */
static unsigned failed(const struct plan_sla *sla, cJSON *doc)
{
	struct plan_metrics m;

	ck_assert_ptr_nonnull(doc);
	ck_assert_int_eq(plan_sla_eval(sla, doc, &m), 0);
	cJSON_Delete(doc);
	return m.failed;
}

START_TEST(sla_read_needs_a_bound)
{
	static const char *const none[] = {"{}", "{\"sla\": {}}", "{\"sla\": null}"};
	struct plan_sla sla;
	cJSON *cfg;

	for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
		cfg = cJSON_Parse(none[i]);
		ck_assert_int_eq(plan_sla_read(cfg, &sla), -1);
		cJSON_Delete(cfg);
	}
	cfg = cJSON_Parse("{\"sla\": {\"max_rejected\": \"5%\"}}");
	ck_assert_int_eq(plan_sla_read(cfg, &sla), -2);
	cJSON_Delete(cfg);
	sla = sla_of("{\"sla\": {\"max_swapped\": 0.1, \"min_progress\": 0.9}}");
	ck_assert(sla.has_max_swapped && sla.max_swapped_is_frac && sla.has_min_progress);
	ck_assert(!sla.has_max_slowdown && !sla.has_max_rejected);
	sla = sla_of("{\"sla\": {\"max_swapped\": 1073741824}}");
	ck_assert(sla.has_max_swapped && !sla.max_swapped_is_frac);
}
END_TEST

START_TEST(sla_max_rejected_boundary)
{
	struct plan_sla sla = sla_of("{\"sla\": {\"max_rejected\": 0.05}}");

	ck_assert_uint_eq(failed(&sla, results(20, 1, 0, 0, 0, 1)), 0);
	ck_assert_uint_eq(failed(&sla, results(20, 2, 0, 0, 0, 1)), PLAN_FAIL_REJECTED);
	ck_assert_uint_eq(failed(&sla, results(0, 0, 0, 0, 0, 1)), 0);
}
END_TEST

START_TEST(sla_max_slowdown_counts_violations)
{
	struct plan_sla sla = sla_of("{\"sla\": {\"max_slowdown\": 0.05}}");

	ck_assert_uint_eq(failed(&sla, results(20, 20, 0, 1e12, 0, 0)), 0);
	ck_assert_uint_eq(failed(&sla, results(20, 0, 0, 0, 1, 1)), PLAN_FAIL_SLOWDOWN);
}
END_TEST

START_TEST(sla_max_swapped_bytes_boundary)
{
	struct plan_sla sla = sla_of("{\"sla\": {\"max_swapped\": 1073741824}}");
	struct plan_metrics m;
	cJSON *doc;

	ck_assert_uint_eq(failed(&sla, results(1, 0, 4e9, 1073741824.0, 0, 1)), 0);
	ck_assert_uint_eq(failed(&sla, results(1, 0, 4e9, 1073741825.0, 0, 1)),
			  PLAN_FAIL_SWAPPED);
	doc = results(1, 0, 4e9, 5, 0, 1);
	ck_assert_int_eq(plan_sla_eval(&sla, doc, &m), 0);
	ck_assert_double_eq_tol(m.swapped_limit_bytes, 1073741824.0, 0.5);
	cJSON_Delete(doc);
}
END_TEST

START_TEST(sla_max_swapped_share_boundary)
{
	/* 25% of 4000 bytes of host memory is 1000 bytes. */
	struct plan_sla sla = sla_of("{\"sla\": {\"max_swapped\": 0.25}}");

	ck_assert_uint_eq(failed(&sla, results(1, 0, 4000, 1000, 0, 1)), 0);
	ck_assert_uint_eq(failed(&sla, results(1, 0, 4000, 1001, 0, 1)), PLAN_FAIL_SWAPPED);
	/* The limit follows the run's host memory, as a size search changes it. */
	ck_assert_uint_eq(failed(&sla, results(1, 0, 8000, 2000, 0, 1)), 0);
	ck_assert_uint_eq(failed(&sla, results(1, 0, 8000, 2001, 0, 1)), PLAN_FAIL_SWAPPED);
}
END_TEST

START_TEST(sla_min_progress_boundary)
{
	struct plan_sla sla = sla_of("{\"sla\": {\"min_progress\": 0.75}}");

	ck_assert_uint_eq(failed(&sla, results(1, 0, 0, 0, 0, 0.75)), 0);
	ck_assert_uint_eq(failed(&sla, results(1, 0, 0, 0, 0, 0.7499)), PLAN_FAIL_PROGRESS);
}
END_TEST

START_TEST(sla_reports_every_bound_missed)
{
	struct plan_sla sla = sla_of("{\"sla\": {\"max_slowdown\": 0.1, \"max_rejected\": 0,"
				     " \"max_swapped\": 0, \"min_progress\": 1}}");
	struct plan_metrics m;
	cJSON *doc;

	ck_assert_uint_eq(failed(&sla, results(10, 0, 100, 0, 0, 1)), 0);
	ck_assert_uint_eq(failed(&sla, results(10, 1, 100, 1, 2, 0.5)),
			  PLAN_FAIL_SLOWDOWN | PLAN_FAIL_REJECTED | PLAN_FAIL_SWAPPED |
			  PLAN_FAIL_PROGRESS);
	ck_assert_str_eq(plan_fail_name(PLAN_FAIL_SWAPPED), "max_swapped");
	/* A summary without the keys a bound needs is an error, not a pass. */
	doc = cJSON_Parse("{\"summary\": {}}");
	ck_assert_int_eq(plan_sla_eval(&sla, doc, &m), -1);
	cJSON_Delete(doc);
}
END_TEST

/* A results document for the percentile and share bounds. */
static cJSON *vm_results(double placed, double violations, double oom, double p95, double p99)
{
	char buf[1024];

	snprintf(buf, sizeof(buf),
		 "{\"summary\": {\"vms\": {\"arrived\": %.17g, \"placed\": %.17g,"
		 " \"rejected\": 0, \"oom\": %.17g}, \"memory\": {\"swapped_bytes_mean\": 0},"
		 " \"performance\": {\"sla_violations\": %.17g, \"slowdown_mean\": 0.01,"
		 " \"slowdown_p95\": %.17g, \"slowdown_p99\": %.17g}}}",
		 placed, placed, oom, violations, p95, p99);
	return cJSON_Parse(buf);
}

START_TEST(sla_percentiles_are_inclusive_bounds)
{
	struct plan_sla sla = sla_of("{\"sla\": {\"max_slowdown_p99\": 0.05,"
				     " \"max_slowdown_p95\": 0.02}}");

	ck_assert_uint_eq(failed(&sla, vm_results(10, 9, 0, 0.02, 0.05)), 0);
	ck_assert_uint_eq(failed(&sla, vm_results(10, 9, 0, 0.02, 0.0501)),
			  PLAN_FAIL_SLOWDOWN_P99);
	ck_assert_uint_eq(failed(&sla, vm_results(10, 9, 0, 0.0201, 0.05)),
			  PLAN_FAIL_SLOWDOWN_P95);
	ck_assert_str_eq(plan_fail_name(PLAN_FAIL_SLOWDOWN_P95), "max_slowdown_p95");
}
END_TEST

START_TEST(sla_violating_share_replaces_the_every_vm_bound)
{
	/* 5% of 60 VMs is 3: 3 past max_slowdown pass, 4 miss. */
	struct plan_sla share = sla_of("{\"sla\": {\"max_slowdown\": 0.1,"
				       " \"max_violating_vms\": 0.05}}");
	struct plan_sla every = sla_of("{\"sla\": {\"max_slowdown\": 0.1}}");
	struct plan_metrics m;
	double bound, measured;
	bool upper;
	cJSON *doc;

	ck_assert_uint_eq(failed(&share, vm_results(60, 3, 0, 0, 0)), 0);
	ck_assert_uint_eq(failed(&share, vm_results(60, 4, 0, 0, 0)), PLAN_FAIL_VIOLATING);
	ck_assert_uint_eq(failed(&every, vm_results(60, 1, 0, 0, 0)), PLAN_FAIL_SLOWDOWN);
	ck_assert_uint_eq(failed(&every, vm_results(60, 0, 0, 0, 0)), 0);
	/* No VM ran: no share of them violates. */
	ck_assert_uint_eq(failed(&share, vm_results(0, 0, 0, 0, 0)), 0);
	doc = vm_results(60, 4, 0, 0, 0);
	ck_assert_int_eq(plan_sla_eval(&share, doc, &m), 0);
	ck_assert(plan_sla_bound(&share, &m, PLAN_FAIL_VIOLATING, &bound, &measured, &upper));
	ck_assert_double_eq_tol(measured, 4.0 / 60, 1e-15);
	ck_assert_double_eq_tol(bound, 0.05, 1e-15);
	ck_assert(upper);
	ck_assert(!plan_sla_bound(&share, &m, PLAN_FAIL_SLOWDOWN, &bound, &measured, &upper));
	cJSON_Delete(doc);
}
END_TEST

START_TEST(sla_oom_share_boundary)
{
	/* 10% of 20 VMs is 2. */
	struct plan_sla sla = sla_of("{\"sla\": {\"max_oom_vms\": 0.1}}");
	struct plan_sla none = sla_of("{\"sla\": {\"max_oom_vms\": 0}}");

	ck_assert_uint_eq(failed(&sla, vm_results(20, 0, 2, 0, 0)), 0);
	ck_assert_uint_eq(failed(&sla, vm_results(20, 0, 3, 0, 0)), PLAN_FAIL_OOM);
	ck_assert_uint_eq(failed(&none, vm_results(20, 0, 1, 0, 0)), PLAN_FAIL_OOM);
	ck_assert_uint_eq(failed(&none, vm_results(20, 0, 0, 0, 0)), 0);
}
END_TEST

START_TEST(sla_metrics_shown_whatever_the_sla)
{
	/* Only max_oom_vms is bounded; the evidence still has slowdown and rejected. */
	struct plan_sla sla = sla_of("{\"sla\": {\"max_oom_vms\": 0.5}}");
	struct plan_metrics m;
	cJSON *doc = vm_results(40, 7, 0, 0.03, 0.08);

	ck_assert_int_eq(plan_sla_eval(&sla, doc, &m), 0);
	ck_assert_double_eq_tol(m.slowdown_mean, 0.01, 1e-15);
	ck_assert_double_eq_tol(m.slowdown_p99, 0.08, 1e-15);
	ck_assert_double_eq_tol(m.slowdown_p95, 0.03, 1e-15);
	ck_assert_double_eq(m.sla_violations, 7);
	ck_assert_double_eq(m.vms_ran, 40);
	cJSON_Delete(doc);
}
END_TEST

Suite *plan_suite(void)
{
	Suite *s = suite_create("plan");
	TCase *tc = tcase_create("search");
	TCase *tsla = tcase_create("sla");

	tcase_add_test(tc, bisection_finds_every_threshold_exactly);
	tcase_add_test(tc, bisection_respects_the_grid);
	tcase_add_test(tc, threshold_at_min_is_found);
	tcase_add_test(tc, nothing_passing_asks_only_max);
	tcase_add_test(tc, every_replication_must_pass);
	tcase_add_test(tc, recorded_tries_are_reused);
	tcase_add_test(tc, oracle_errors_stop_the_search);
	tcase_add_test(tc, non_monotone_replication_is_reported);
	tcase_add_test(tc, non_monotone_tries_by_hand);
	tcase_add_test(tc, largest_finds_every_threshold_exactly);
	tcase_add_test(tc, fractional_steps_reach_the_top_and_find_the_threshold);
	tcase_add_test(tc, largest_non_monotone_is_a_miss_below_a_pass);
	suite_add_tcase(s, tc);
	tcase_add_test(tsla, sla_read_needs_a_bound);
	tcase_add_test(tsla, sla_max_rejected_boundary);
	tcase_add_test(tsla, sla_max_slowdown_counts_violations);
	tcase_add_test(tsla, sla_max_swapped_bytes_boundary);
	tcase_add_test(tsla, sla_max_swapped_share_boundary);
	tcase_add_test(tsla, sla_min_progress_boundary);
	tcase_add_test(tsla, sla_reports_every_bound_missed);
	tcase_add_test(tsla, sla_percentiles_are_inclusive_bounds);
	tcase_add_test(tsla, sla_violating_share_replaces_the_every_vm_bound);
	tcase_add_test(tsla, sla_oom_share_boundary);
	tcase_add_test(tsla, sla_metrics_shown_whatever_the_sla);
	suite_add_tcase(s, tsla);
	return s;
}
