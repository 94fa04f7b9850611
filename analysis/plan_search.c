/*
 * plan_search.c - SLA judgement and bisection for `memsim plan`.
 *
 * The SLA comes from the effective config in a results file, where memsim
 * has normalized it: fractions are fractions and sizes are bytes.  That
 * loses one distinction: `max_swapped: 10%` becomes 0.1 and `max_swapped:
 * 1GiB` becomes 1073741824.  The rule here is that a max_swapped of at most
 * 1 is a share of the run's summary.memory.host_bytes, and a larger one is
 * bytes; a bound of 1 byte, the only case it misreads, means nothing.
 * max_slowdown is judged per VM by memsim itself, so alone it is met when
 * summary.performance.sla_violations is 0; with max_violating_vms, that
 * count over the VMs that ran (summary.vms.placed) is the share bounded.
 * The percentiles and the OOM share are over the VMs that ran, too.
 *
 * The search works on grid indices 0..n with value(k) = min + k * step.
 * It asks the oracle about the far end first (max; min with --largest):
 * if that misses, no value in range meets the SLA.  Then it keeps a miss
 * and a pass (or the virtual index just outside the range) and halves the
 * gap, so it asks about O(log n) values.  Every
 * (value, replication) asked is kept, and looked up before asking again,
 * so none is asked twice, including tries recorded before the search.
 *
 * Along the bisection path every value that passes lies on the passing
 * side of every value that misses, by construction, so value-level evidence can never look
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
	int r[8], any = 0;

	memset(sla, 0, sizeof(*sla));
	if (!cJSON_IsObject(o))
		return -1;
	r[0] = get_bound(o, "max_slowdown", &sla->max_slowdown);
	r[1] = get_bound(o, "max_rejected", &sla->max_rejected);
	r[2] = get_bound(o, "max_swapped", &sla->max_swapped);
	r[3] = get_bound(o, "min_progress", &sla->min_progress);
	r[4] = get_bound(o, "max_slowdown_p99", &sla->max_slowdown_p99);
	r[5] = get_bound(o, "max_slowdown_p95", &sla->max_slowdown_p95);
	r[6] = get_bound(o, "max_violating_vms", &sla->max_violating_vms);
	r[7] = get_bound(o, "max_oom_vms", &sla->max_oom_vms);
	for (int i = 0; i < 8; i++) {
		if (r[i] < 0)
			return -2;
		any |= r[i];
	}
	sla->has_max_slowdown = r[0] > 0;
	sla->has_max_rejected = r[1] > 0;
	sla->has_max_swapped = r[2] > 0;
	sla->has_min_progress = r[3] > 0;
	sla->has_max_slowdown_p99 = r[4] > 0;
	sla->has_max_slowdown_p95 = r[5] > 0;
	sla->has_max_violating_vms = r[6] > 0;
	sla->has_max_oom_vms = r[7] > 0;
	sla->max_swapped_is_frac = sla->has_max_swapped && sla->max_swapped <= 1;
	return any ? 0 : -1;
}

/* m->x / m->vms_ran, 0 when no VM ran. */
static double share_of_ran(const struct plan_metrics *m, double x)
{
	return m->vms_ran > 0 ? x / m->vms_ran : 0;
}

int plan_sla_eval(const struct plan_sla *sla, const cJSON *results, struct plan_metrics *m)
{
	const cJSON *sum = cJSON_GetObjectItemCaseSensitive(results, "summary");
	const cJSON *vms = cJSON_GetObjectItemCaseSensitive(sum, "vms");
	const cJSON *mem = cJSON_GetObjectItemCaseSensitive(sum, "memory");
	const cJSON *perf = cJSON_GetObjectItemCaseSensitive(sum, "performance");
	double arrived = 0, rejected = 0, host_bytes;
	bool have_p95, have_oom;

	memset(m, 0, sizeof(*m));
	/* Shown whatever the SLA; a summary from an older memsim may lack some. */
	get_num(vms, "placed", &m->vms_ran);
	get_num(perf, "slowdown_mean", &m->slowdown_mean);
	get_num(perf, "slowdown_p99", &m->slowdown_p99);
	have_p95 = get_num(perf, "slowdown_p95", &m->slowdown_p95);
	have_oom = get_num(vms, "oom", &m->oom_vms);
	get_num(perf, "sla_violations", &m->sla_violations);
	get_num(mem, "swapped_bytes_mean", &m->swapped_bytes);
	if (get_num(vms, "arrived", &arrived) && get_num(vms, "rejected", &rejected))
		m->rejected_share = arrived > 0 ? rejected / arrived : 0;
	m->violating_share = share_of_ran(m, m->sla_violations);
	m->oom_share = share_of_ran(m, m->oom_vms);

	if (sla->has_max_slowdown) {
		if (!get_num(perf, "sla_violations", &m->sla_violations))
			return -1;
		/* With max_violating_vms, max_slowdown is the line a VM crosses;
		 * alone, it bounds every VM. */
		if (sla->has_max_violating_vms) {
			if (!get_num(vms, "placed", &m->vms_ran))
				return -1;
			if (m->violating_share > sla->max_violating_vms)
				m->failed |= PLAN_FAIL_VIOLATING;
		} else if (m->sla_violations > 0) {
			m->failed |= PLAN_FAIL_SLOWDOWN;
		}
	}
	if (sla->has_max_rejected) {
		if (!get_num(vms, "arrived", &arrived) || !get_num(vms, "rejected", &rejected))
			return -1;
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
	if (sla->has_max_slowdown_p99) {
		if (!get_num(perf, "slowdown_p99", &m->slowdown_p99))
			return -1;
		if (m->slowdown_p99 > sla->max_slowdown_p99)
			m->failed |= PLAN_FAIL_SLOWDOWN_P99;
	}
	if (sla->has_max_slowdown_p95) {
		if (!have_p95)
			return -1;
		if (m->slowdown_p95 > sla->max_slowdown_p95)
			m->failed |= PLAN_FAIL_SLOWDOWN_P95;
	}
	if (sla->has_max_oom_vms) {
		if (!have_oom || !get_num(vms, "placed", &m->vms_ran))
			return -1;
		if (m->oom_share > sla->max_oom_vms)
			m->failed |= PLAN_FAIL_OOM;
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
	case PLAN_FAIL_SLOWDOWN_P99:
		return "max_slowdown_p99";
	case PLAN_FAIL_SLOWDOWN_P95:
		return "max_slowdown_p95";
	case PLAN_FAIL_VIOLATING:
		return "max_violating_vms";
	case PLAN_FAIL_OOM:
		return "max_oom_vms";
	default:
		return "?";
	}
}

bool plan_sla_bound(const struct plan_sla *sla, const struct plan_metrics *m, unsigned bit,
		    double *bound, double *measured, bool *upper)
{
	*upper = true;
	switch (bit) {
	case PLAN_FAIL_SLOWDOWN:
		/* Every VM within max_slowdown: the measure is the VMs past it. */
		*bound = 0;
		*measured = m->sla_violations;
		return sla->has_max_slowdown && !sla->has_max_violating_vms;
	case PLAN_FAIL_REJECTED:
		*bound = sla->max_rejected;
		*measured = m->rejected_share;
		return sla->has_max_rejected;
	case PLAN_FAIL_SWAPPED:
		*bound = m->swapped_limit_bytes;
		*measured = m->swapped_bytes;
		return sla->has_max_swapped;
	case PLAN_FAIL_PROGRESS:
		*bound = sla->min_progress;
		*measured = m->progress;
		*upper = false;
		return sla->has_min_progress;
	case PLAN_FAIL_SLOWDOWN_P99:
		*bound = sla->max_slowdown_p99;
		*measured = m->slowdown_p99;
		return sla->has_max_slowdown_p99;
	case PLAN_FAIL_SLOWDOWN_P95:
		*bound = sla->max_slowdown_p95;
		*measured = m->slowdown_p95;
		return sla->has_max_slowdown_p95;
	case PLAN_FAIL_VIOLATING:
		*bound = sla->max_violating_vms;
		*measured = m->violating_share;
		return sla->has_max_slowdown && sla->has_max_violating_vms;
	case PLAN_FAIL_OOM:
		*bound = sla->max_oom_vms;
		*measured = m->oom_share;
		return sla->has_max_oom_vms;
	default:
		return false;
	}
}

/*
 * Grid points are computed from their index, never by adding steps, so
 * 1 + 3 * 0.05 is one rounding away from 1.15 and not three.  The count
 * of steps forgives a millionth of a step, so --min 0.1 --max 0.7 --step
 * 0.1 reaches 0.7 although 0.6 / 0.1 is 5.999999999999999 in doubles.
 */
int64_t plan_grid_steps(double min, double max, double step)
{
	return (int64_t)floor((max - min) / step + 1e-6);
}

double plan_grid_value(double min, double step, int64_t k)
{
	return min + (double)k * step;
}

void plan_search_record(struct plan_search *s, double value, int rep, bool pass,
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

/* Values within a thousandth of a step are the same grid point. */
static const struct plan_try *find_try(const struct plan_search *s, double value, int rep)
{
	for (size_t i = 0; i < s->n_tries; i++)
		if (fabs(s->tries[i].value - value) <= s->step * 1e-3 && s->tries[i].rep == rep)
			return &s->tries[i];
	return NULL;
}

/* Whether every replication meets the SLA at value: 1, 0, or a negative code. */
static int value_meets(struct plan_search *s, double value, plan_meets_fn *meets, void *ctx)
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

/*
 * Bisection between a miss and a pass.  For the smallest value, lo is a
 * miss (or -1, before min) and hi a pass; for the largest, lo is a pass
 * and hi a miss (or n + 1, past the top).  The far end is asked first.
 */
int plan_search_run(struct plan_search *s, plan_meets_fn *meets, void *ctx)
{
	int64_t n, lo, hi;
	int rc;

	if (!(s->step > 0) || !(s->max >= s->min) || s->reps < 1)
		return -1;
	n = plan_grid_steps(s->min, s->max, s->step);
	s->found = false;
	rc = value_meets(s, plan_grid_value(s->min, s->step, s->largest ? 0 : n), meets, ctx);
	if (rc <= 0)
		goto out;
	lo = s->largest ? 0 : -1;
	hi = s->largest ? n + 1 : n;
	while (hi - lo > 1) {
		int64_t mid = lo + (hi - lo) / 2;

		if ((rc = value_meets(s, plan_grid_value(s->min, s->step, mid), meets, ctx)) < 0)
			goto out;
		/* hi moves to a pass (smallest) or to a miss (largest). */
		if ((rc > 0) != s->largest)
			hi = mid;
		else
			lo = mid;
	}
	s->found = true;
	s->value = plan_grid_value(s->min, s->step, s->largest ? lo : hi);
	rc = 0;
out:
	s->non_monotone = plan_tries_non_monotone(s->tries, s->n_tries, s->largest, NULL, NULL);
	return rc < 0 ? rc : 0;
}

void plan_search_release(struct plan_search *s)
{
	free(s->tries);
	s->tries = NULL;
	s->n_tries = s->cap = 0;
}

bool plan_tries_non_monotone(const struct plan_try *t, size_t n, bool largest,
			     const struct plan_try **a, const struct plan_try **b)
{
	for (size_t i = 0; i < n; i++) {
		if (!t[i].pass)
			continue;
		for (size_t j = 0; j < n; j++) {
			if (t[j].pass || t[j].rep != t[i].rep)
				continue;
			if (largest ? t[j].value >= t[i].value : t[j].value <= t[i].value)
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
