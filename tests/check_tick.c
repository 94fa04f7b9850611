/*
 * tests/check_tick.c - one VM on one host, ticked by the cluster: misses per touch do not
 * depend on the tick or the page size (1 - C/N for uniform; for zipf, a brute-force
 * random-replacement cache that plays every touch, and Fagin's fixed point), and under a
 * time budget the VM's progress is the fluid model's 1 / (1 + r m c) at every tick, its
 * stalled share of time plus its progress making 1.  Measured after a warm-up, as the
 * difference of the VM's counters between two times.
 */
#include <check.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_roots.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cluster.h"
#include "policy_rig.h"
#include "rng.h"
#include "suites.h"

#define KiB 1024LL
#define MiB (1024LL * KiB)
#define GiB (1024LL * MiB)
#define MS 1000000LL
#define S 1000000000LL

struct rig {
	struct sim *sim;
	struct cluster *c;
	struct policy_rig pol;
	struct host_params host;
	struct vm_spec vm;
	struct phase ph;
};

struct setup {
	int64_t page_bytes;
	sim_time tick_ns, end_ns;
	enum pattern pattern;
	double skew, rate;
	int64_t ws_bytes, limit_bytes;
	int64_t read_ns, write_ns;
	double bandwidth;               /* bytes per second */
};

static void rig_start(struct rig *r, const struct setup *u)
{
	struct cluster_params p = {0};

	memset(r, 0, sizeof(*r));
	/* first-fit, no overcommit, no balloon; swap-only with random victims */
	policy_rig_victims(&r->pol, "random");
	r->host = (struct host_params){.name = "h-0", .group = "h", .memory_bytes = 64 * GiB,
				       .swap_bytes = 64 * GiB, .swap_read_ns = u->read_ns,
				       .swap_write_ns = u->write_ns,
				       .swap_bandwidth = u->bandwidth};
	r->ph = (struct phase){.ws_bytes = u->ws_bytes, .pattern = u->pattern, .skew = u->skew,
			       .rate = u->rate};
	r->vm = (struct vm_spec){.name = (char *)"a", .memory_bytes = u->ws_bytes,
				 .limit_bytes = u->limit_bytes, .image = -1,
				 .depart_ns = SPEC_NEVER, .phases = &r->ph, .n_phases = 1};
	p.hosts = &r->host;
	p.n_hosts = 1;
	p.vms = &r->vm;
	p.n_vms = 1;
	p.policies = r->pol.set;
	p.seed = 1;
	p.page_bytes = u->page_bytes;
	p.tick_ns = u->tick_ns;
	p.end_ns = u->end_ns;
	r->sim = sim_new();
	r->c = cluster_new(r->sim, &p);
	cluster_start(r->c);
}

static void rig_end(struct rig *r)
{
	struct sim_err err = {0};

	ck_assert_msg(cluster_check(r->c, &err) == 0, "%s", err.msg);
	cluster_free(r->c);
	sim_free(r->sim);
	policy_rig_release(&r->pol);
}

/* What the VM did between two times. */
struct window {
	double faults, touches, done, stall_ns, run_ns;
};

static struct window counters(const struct rig *r)
{
	const struct mem_stats *st = &r->c->vms[0].mem.stats;
	struct window w = {0};
	int k;

	for (k = 0; k < FAULT_COUNT; k++)
		w.faults += (double)st->faults[k];
	w.touches = st->touches;
	w.done = st->done;
	w.stall_ns = (double)st->stall_ns;
	w.run_ns = (double)st->run_ns;
	return w;
}

/* Runs the ticks before warm_ns, then those before end: the second part's counters. */
static struct window measure(const struct setup *u, sim_time warm_ns)
{
	struct rig r;
	struct window a, b;

	rig_start(&r, u);
	sim_run(r.sim, warm_ns - 1);
	a = counters(&r);
	sim_run(r.sim, u->end_ns - 1);
	b = counters(&r);
	ck_assert_msg(r.c->vms[0].state == VM_RUNNING, "the VM stopped");
	rig_end(&r);
	return (struct window){b.faults - a.faults, b.touches - a.touches, b.done - a.done,
			       b.stall_ns - a.stall_ns, b.run_ns - a.run_ns};
}

/* --- the references ---------------------------------------------------------------------- */

/* Probabilities of pages pages of g 4 KiB ranks each under zipf s: sums over their ranks. */
static double *zipf_pages(double s, uint32_t pages, uint32_t g)
{
	double *q = calloc(pages, sizeof(*q)), h = 0;
	uint64_t k;
	uint32_t d;

	for (k = (uint64_t)pages * g; k >= 1; k--)
		q[(k - 1) / g] += pow((double)k, -s);
	for (d = 0; d < pages; d++)
		h += q[d];
	for (d = 0; d < pages; d++)
		q[d] /= h;
	return q;
}

/* A cache of c pages with random replacement playing every one of warm + run touches:
 * its misses per touch over the last run. */
static double brute_force_random(const double *q, uint32_t pages, uint32_t c, uint64_t warm,
				 uint64_t run)
{
	gsl_ran_discrete_t *t = gsl_ran_discrete_preproc(pages, q);
	gsl_rng *r = rng_stream(99, 0, RNG_TOUCHES, 1);
	uint32_t *slot = calloc(c, sizeof(*slot)), n = 0;
	char *in = calloc(pages, 1);
	uint64_t i, miss = 0;

	for (i = 0; i < warm + run; i++) {
		uint32_t d = (uint32_t)gsl_ran_discrete(r, t);

		if (in[d])
			continue;
		miss += i >= warm;
		if (n < c) {
			slot[n++] = d;
		} else {
			uint32_t j = (uint32_t)gsl_rng_uniform_int(r, c);

			in[slot[j]] = 0;
			slot[j] = d;
		}
		in[d] = 1;
	}
	gsl_ran_discrete_free(t);
	gsl_rng_free(r);
	free(slot);
	free(in);
	return (double)miss / (double)run;
}

struct fagin {
	const double *q;
	uint32_t pages;
	double c;
};

/* sum of q t / (1 + q t) - C, with t = e^x (THEORY.md, random replacement). */
static double fagin_f(double x, void *arg)
{
	const struct fagin *f = arg;
	double t = exp(x), sum = 0;
	uint32_t i;

	for (i = 0; i < f->pages; i++)
		sum += f->q[i] * t / (1 + f->q[i] * t);
	return sum - f->c;
}

/* Fagin's fixed point for random replacement: misses per touch. */
static double fagin_misses(const double *q, uint32_t pages, uint32_t c)
{
	struct fagin f = {q, pages, (double)c};
	gsl_function fn = {fagin_f, &f};
	gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
	double lo = -10, hi = 60, x = 0, t, m = 0;
	int it, status = GSL_CONTINUE;
	uint32_t i;

	ck_assert_int_eq(gsl_root_fsolver_set(s, &fn, lo, hi), GSL_SUCCESS);
	for (it = 0; it < 200 && status == GSL_CONTINUE; it++) {
		ck_assert_int_eq(gsl_root_fsolver_iterate(s), GSL_SUCCESS);
		x = gsl_root_fsolver_root(s);
		status = gsl_root_test_interval(gsl_root_fsolver_x_lower(s),
						gsl_root_fsolver_x_upper(s), 0, 1e-12);
	}
	ck_assert_int_eq(status, GSL_SUCCESS);
	gsl_root_fsolver_free(s);
	t = exp(x);
	for (i = 0; i < pages; i++)
		m += q[i] / (1 + q[i] * t);
	return m;
}

/* --- misses per touch at any tick -------------------------------------------------------- */

static const sim_time ticks[] = {10 * MS, 100 * MS, 1 * S, 10 * S};
enum { N_TICKS = 4 };

/*
 * Half the working set fits (its limit), victims are random, 20k touches/s; the device is
 * fast (1 us, 1 TB/s) so the VM gets through nearly all of them.  4 KiB: 4096 pages; 2 MiB:
 * 512 pages.  Ticks of 10 ms hold fewer touches than pages, ticks of 10 s 400 times more.
 * Counted over 30 s after 10 s of warm-up.
 */
static struct window run_half(int64_t page, enum pattern pattern, sim_time tick,
			      uint32_t *pages)
{
	*pages = page == 4 * KiB ? 4096 : 512;
	struct setup u = {.page_bytes = page, .tick_ns = tick, .end_ns = 40 * S,
			  .pattern = pattern, .skew = 0.9, .rate = 20000,
			  .ws_bytes = *pages * page, .limit_bytes = *pages / 2 * page,
			  .read_ns = 1000, .write_ns = 1000, .bandwidth = 1e12};

	return measure(&u, 10 * S);
}

START_TEST(uniform_misses_per_touch_are_1_minus_c_over_n_at_any_tick)
{
	int64_t page = _i < N_TICKS ? 4 * KiB : 2 * MiB;
	uint32_t pages;
	struct window w = run_half(page, PATTERN_UNIFORM, ticks[_i % N_TICKS], &pages);
	double m = w.faults / w.done;

	ck_assert_msg(fabs(m / 0.5 - 1) < 0.02,
		      "page %lld, tick %lld ms: %.4f misses per touch, want 0.5 (%.0f touches)",
		      (long long)page, (long long)(ticks[_i % N_TICKS] / MS), m, w.done);
}
END_TEST

START_TEST(zipf_misses_per_touch_match_a_brute_force_random_cache_at_any_tick)
{
	int64_t page = _i < N_TICKS ? 4 * KiB : 2 * MiB;
	uint32_t pages;
	struct window w = run_half(page, PATTERN_ZIPF, ticks[_i % N_TICKS], &pages);
	double *q = zipf_pages(0.9, pages, (uint32_t)(page / (4 * KiB)));
	double ref = brute_force_random(q, pages, pages / 2, 200ULL * pages, 1000ULL * pages);
	double fixed = fagin_misses(q, pages, pages / 2), m = w.faults / w.done;

	ck_assert_msg(fabs(m / ref - 1) < 0.02,
		      "page %lld, tick %lld ms: %.4f misses per touch, brute force %.4f",
		      (long long)page, (long long)(ticks[_i % N_TICKS] / MS), m, ref);
	ck_assert_msg(fabs(m / fixed - 1) < 0.02,
		      "page %lld, tick %lld ms: %.4f misses per touch, fixed point %.4f",
		      (long long)page, (long long)(ticks[_i % N_TICKS] / MS), m, fixed);
	free(q);
}
END_TEST

/* A cache of c pages with random replacement under a cyclic scan of pages pages: its
 * misses per page visit over run visits after warm. */
static double brute_force_scan(uint32_t pages, uint32_t c, uint64_t warm, uint64_t run)
{
	gsl_rng *r = rng_stream(99, 0, RNG_TOUCHES, 2);
	uint32_t *slot = calloc(c, sizeof(*slot)), n = 0;
	char *in = calloc(pages, 1);
	uint64_t i, miss = 0;

	for (i = 0; i < warm + run; i++) {
		uint32_t d = (uint32_t)(i % pages);

		if (in[d])
			continue;
		miss += i >= warm;
		if (n < c) {
			slot[n++] = d;
		} else {
			uint32_t j = (uint32_t)gsl_rng_uniform_int(r, c);

			in[slot[j]] = 0;
			slot[j] = d;
		}
		in[d] = 1;
	}
	gsl_rng_free(r);
	free(slot);
	free(in);
	return (double)miss / (double)run;
}

/*
 * A scan over 4 KiB pages with random victims and half the set fitting: a 2 MiB page is
 * scanned 512 accesses in a row, of which only the first can miss, so misses per touch are
 * the brute-force scan's misses per page visit over 512 (over 1 at 4 KiB).  A 10 s tick
 * holds many laps of the scan; each must miss as the first did.
 */
START_TEST(scan_misses_per_touch_match_a_brute_force_random_cache_at_any_tick)
{
	int64_t page = _i < 2 ? 4 * KiB : 2 * MiB;
	uint32_t pages = page == 4 * KiB ? 4096 : 512, g = (uint32_t)(page / (4 * KiB));
	sim_time tick = _i % 2 ? 10 * S : 10 * MS;
	struct setup u = {.page_bytes = page, .tick_ns = tick, .end_ns = 40 * S,
			  .pattern = PATTERN_SEQUENTIAL, .rate = page == 4 * KiB ? 20000 : 2e6,
			  .ws_bytes = pages * page, .limit_bytes = pages / 2 * page, .read_ns = 1000,
			  .write_ns = 1000, .bandwidth = 1e12};
	struct window w = measure(&u, 10 * S);
	double ref = brute_force_scan(pages, pages / 2, 200ULL * pages, 1000ULL * pages) / g;
	double m = w.faults / w.done;

	ck_assert_msg(fabs(m / ref - 1) < 0.02,
		      "page %lld, tick %lld ms: %.6f misses per touch, brute force %.6f",
		      (long long)page, (long long)(tick / MS), m, ref);
}
END_TEST

/* --- a VM under a time budget ---------------------------------------------------------- */

static const sim_time budget_ticks[] = {1 * MS, 10 * MS, 100 * MS, 1 * S};
enum { N_BUDGET = 4 };

/*
 * THEORY.md, "A VM under a time budget": p = 1 / (1 + r m (c + W)).  Half a uniform set
 * fits, so m = 1/2; every miss reads its page (400 us + transfer) and writes a victim
 * (500 us + transfer), c = 900 us + 2 page / bandwidth; at 1 TB/s the device is busy
 * rho = 2 r p m s, and each of the two requests waits the M/D/1 W = rho s / 2(1 - rho),
 * found here by iterating p.  r = 2000/s makes r m c about 0.9, so p is about 0.53.  The
 * ticks hold 2 to 2000 touches, and at 1 ms a miss stalls nearly a whole tick.
 */
START_TEST(progress_under_a_time_budget_is_the_fluid_one_at_any_tick)
{
	int64_t page = _i < N_BUDGET ? 4 * KiB : 2 * MiB;
	sim_time tick = budget_ticks[_i % N_BUDGET];
	uint32_t pages = page == 4 * KiB ? 4096 : 512;
	const double r = 2000, m = 0.5, bw = 1e12;
	struct setup u = {.page_bytes = page, .tick_ns = tick, .end_ns = 220 * S,
			  .pattern = PATTERN_UNIFORM, .rate = r, .ws_bytes = pages * page,
			  .limit_bytes = pages / 2 * page, .read_ns = 400000, .write_ns = 500000,
			  .bandwidth = bw};
	double s = (double)page / bw, c = 900e-6 + 2 * s, p = 1, progress, stalled;
	struct window w;
	int k;

	for (k = 0; k < 100; k++) {
		double rho = 2 * r * p * m * s;

		p = 1 / (1 + r * m * (c + 2 * rho * s / (2 * (1 - rho))));
	}
	w = measure(&u, 20 * S);
	progress = w.done / w.touches;
	stalled = w.stall_ns / w.run_ns;
	ck_assert_msg(fabs(progress / p - 1) < 0.02,
		      "page %lld, tick %lld ms: progress %.4f, fluid %.4f", (long long)page,
		      (long long)(tick / MS), progress, p);
	ck_assert_msg(fabs(stalled + progress - 1) < 0.02,
		      "page %lld, tick %lld ms: stalled share %.4f + progress %.4f", (long long)page,
		      (long long)(tick / MS), stalled, progress);
	/* And the misses are still half the touches made. */
	ck_assert_msg(fabs(w.faults / w.done / m - 1) < 0.02, "%.4f misses per touch",
		      w.faults / w.done);
}
END_TEST

Suite *tick_suite(void)
{
	Suite *s = suite_create("tick");
	TCase *tc = tcase_create("misses");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, uniform_misses_per_touch_are_1_minus_c_over_n_at_any_tick, 0,
			    2 * N_TICKS);
	tcase_add_loop_test(tc, zipf_misses_per_touch_match_a_brute_force_random_cache_at_any_tick,
			    0, 2 * N_TICKS);
	tcase_add_loop_test(tc, scan_misses_per_touch_match_a_brute_force_random_cache_at_any_tick,
			    0, 4);
	suite_add_tcase(s, tc);

	tc = tcase_create("budget");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, progress_under_a_time_budget_is_the_fluid_one_at_any_tick, 0,
			    2 * N_BUDGET);
	suite_add_tcase(s, tc);
	return s;
}
