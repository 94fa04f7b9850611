/*
 * plan_search.c - SLA judgement and bisection for `memsim plan`.
 *
 * The SLA comes from the effective config in a results file, where memsim
 * has normalized it: fractions are fractions and sizes are bytes.  That
 * loses one distinction: `max_swapped: 10%` becomes 0.1 and `max_swapped:
 * 1GiB` becomes 1073741824.  The rule here is that a max_swapped of at most
 * 1 is a share of the run's summary.memory.host_bytes, and a larger one is
 * bytes; a bound of 1 byte, the only case it misreads, means nothing.
 * max_slowdown is judged per VM by memsim itself, so a run meets it when
 * summary.performance.sla_violations is 0.
 *
 * The search works on grid indices 0..n with value(k) = min + k * step.
 * It asks the oracle about max first: if that misses, no value in range
 * meets the SLA.  Then it keeps lo (a miss, or -1 before min) and hi (a
 * pass) and halves the gap, so it asks about O(log n) values.  Every
 * (value, replication) asked is kept, and looked up before asking again,
 * so none is asked twice, including tries recorded before the search.
 *
 * Along the bisection path every value that passes lies above every value
 * that misses, by construction, so value-level evidence can never look
 * non-monotone.  Replications can: under common random numbers,
 * replication r of every value sees the same workload, and r passing at a
 * smaller value and missing at a larger one is evidence that the metric is
 * not monotone in the key (or that the noise is larger than the effect).
 */
#include "plan_search.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "xmem.h"

/* Reads a number at object.name into *v; false when absent or not a number. */
static bool get_num(const cJSON *obj, const char *name, double *v)
{
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(obj, name);

	if (!cJSON_IsNumber(n))
		return false;
	*v = n->valuedouble;
	return true;
}

/* Reads an optional bound: 1 present, 0 absent, -1 present but not a number. */
static int get_bound(const cJSON *sla, const char *name, double *v)
{
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(sla, name);

	if (!n)
		return 0;
	if (!cJSON_IsNumber(n) || !isfinite(n->valuedouble))
		return -1;
	*v = n->valuedouble;
	return 1;
}

int plan_sla_read(const cJSON *config, struct plan_sla *sla)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(config, "sla");
	int a, b, c, d;

	memset(sla, 0, sizeof(*sla));
	if (!cJSON_IsObject(o))
		return -1;
	a = get_bound(o, "max_slowdown", &sla->max_slowdown);
	b = get_bound(o, "max_rejected", &sla->max_rejected);
	c = get_bound(o, "max_swapped", &sla->max_swapped);
	d = get_bound(o, "min_progress", &sla->min_progress);
	if (a < 0 || b < 0 || c < 0 || d < 0)
		return -2;
	sla->has_max_slowdown = a > 0;
	sla->has_max_rejected = b > 0;
	sla->has_max_swapped = c > 0;
	sla->has_min_progress = d > 0;
	sla->max_swapped_is_frac = sla->has_max_swapped && sla->max_swapped <= 1;
	if (!a && !b && !c && !d)
		return -1;
	return 0;
}

int plan_sla_eval(const struct plan_sla *sla, const cJSON *results, struct plan_metrics *m)
{
	const cJSON *sum = cJSON_GetObjectItemCaseSensitive(results, "summary");
	const cJSON *vms = cJSON_GetObjectItemCaseSensitive(sum, "vms");
	const cJSON *mem = cJSON_GetObjectItemCaseSensitive(sum, "memory");
	const cJSON *perf = cJSON_GetObjectItemCaseSensitive(sum, "performance");
	double arrived, rejected, host_bytes;

	memset(m, 0, sizeof(*m));
	if (sla->has_max_slowdown) {
		if (!get_num(perf, "sla_violations", &m->sla_violations))
			return -1;
		if (m->sla_violations > 0)
			m->failed |= PLAN_FAIL_SLOWDOWN;
	}
	if (sla->has_max_rejected) {
		if (!get_num(vms, "arrived", &arrived) || !get_num(vms, "rejected", &rejected))
			return -1;
		m->rejected_share = arrived > 0 ? rejected / arrived : 0;
		if (m->rejected_share > sla->max_rejected)
			m->failed |= PLAN_FAIL_REJECTED;
	}
	if (sla->has_max_swapped) {
		if (!get_num(mem, "swapped_bytes_mean", &m->swapped_bytes))
			return -1;
		m->swapped_limit_bytes = sla->max_swapped;
		if (sla->max_swapped_is_frac) {
			if (!get_num(mem, "host_bytes", &host_bytes))
				return -1;
			m->swapped_limit_bytes = sla->max_swapped * host_bytes;
		}
		if (m->swapped_bytes > m->swapped_limit_bytes)
			m->failed |= PLAN_FAIL_SWAPPED;
	}
	if (sla->has_min_progress) {
		if (!get_num(perf, "progress_mean", &m->progress))
			return -1;
		if (m->progress < sla->min_progress)
			m->failed |= PLAN_FAIL_PROGRESS;
	}
	return 0;
}

const char *plan_fail_name(unsigned bit)
{
	switch (bit) {
	case PLAN_FAIL_SLOWDOWN:
		return "max_slowdown";
	case PLAN_FAIL_REJECTED:
		return "max_rejected";
	case PLAN_FAIL_SWAPPED:
		return "max_swapped";
	case PLAN_FAIL_PROGRESS:
		return "min_progress";
	default:
		return "?";
	}
}

void plan_search_record(struct plan_search *s, int64_t value, int rep, bool pass,
			const struct plan_metrics *m)
{
	struct plan_try *t;

	if (s->n_tries == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 16;
		s->tries = xrealloc(s->tries, s->cap * sizeof(*s->tries));
	}
	t = &s->tries[s->n_tries++];
	memset(t, 0, sizeof(*t));
	t->value = value;
	t->rep = rep;
	t->pass = pass;
	if (m)
		t->m = *m;
}

static const struct plan_try *find_try(const struct plan_search *s, int64_t value, int rep)
{
	for (size_t i = 0; i < s->n_tries; i++)
		if (s->tries[i].value == value && s->tries[i].rep == rep)
			return &s->tries[i];
	return NULL;
}

/* Whether every replication meets the SLA at value: 1, 0, or a negative code. */
static int value_meets(struct plan_search *s, int64_t value, plan_meets_fn *meets, void *ctx)
{
	for (int r = 0; r < s->reps; r++) {
		const struct plan_try *t = find_try(s, value, r);
		struct plan_metrics m;
		int rc;

		if (!t) {
			memset(&m, 0, sizeof(m));
			if ((rc = meets(value, r, ctx, &m)) < 0)
				return rc;
			plan_search_record(s, value, r, rc > 0, &m);
			t = &s->tries[s->n_tries - 1];
		}
		if (!t->pass)
			return 0;
	}
	return 1;
}

int plan_search_run(struct plan_search *s, plan_meets_fn *meets, void *ctx)
{
	int64_t n, lo, hi;
	int rc;

	if (s->step <= 0 || s->min < 0 || s->max < s->min || s->reps < 1)
		return -1;
	n = (s->max - s->min) / s->step;
	s->found = false;
	if ((rc = value_meets(s, s->min + n * s->step, meets, ctx)) <= 0)
		goto out;
	lo = -1;
	hi = n;
	while (hi - lo > 1) {
		int64_t mid = lo + (hi - lo) / 2;

		if ((rc = value_meets(s, s->min + mid * s->step, meets, ctx)) < 0)
			goto out;
		if (rc)
			hi = mid;
		else
			lo = mid;
	}
	s->found = true;
	s->value = s->min + hi * s->step;
	rc = 0;
out:
	s->non_monotone = plan_tries_non_monotone(s->tries, s->n_tries, NULL, NULL);
	return rc < 0 ? rc : 0;
}

void plan_search_release(struct plan_search *s)
{
	free(s->tries);
	s->tries = NULL;
	s->n_tries = s->cap = 0;
}

bool plan_tries_non_monotone(const struct plan_try *t, size_t n, const struct plan_try **a,
			     const struct plan_try **b)
{
	for (size_t i = 0; i < n; i++) {
		if (!t[i].pass)
			continue;
		for (size_t j = 0; j < n; j++) {
			if (t[j].pass || t[j].rep != t[i].rep || t[j].value <= t[i].value)
				continue;
			if (a)
				*a = &t[i];
			if (b)
				*b = &t[j];
			return true;
		}
	}
	return false;
}
