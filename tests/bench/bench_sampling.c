/*
 * bench_sampling.c - how far a spatially sampled run (sampling: {rate})
 * lands from the full 4 KiB run (DESIGN.md section 4, "Granularity";
 * section 10's target: within 5% at 1/64 for every metric resting on at
 * least 1,000 sampled events, at 1/64 of the state, at least 20x faster).
 * Four scenarios: an overcommitted host with a static balloon, swapping
 * with random and with clock victims; and two of bench_convergence's
 * (one VM under a limit, configs/default.yaml).  Each runs in full and at
 * 1/16, 1/64 and 1/256, every run in a child process, so that its peak
 * resident memory is its own; the metrics are printed side by side with
 * each sampled figure's ratio to the full one, as markdown tables.  A
 * ratio marked * rests on fewer than 1,000 sampled events.  Asserts
 * nothing.  Usage: bench_sampling [SECONDS] (every scenario's duration;
 * default 1 h).  Run from the top of the tree.
 */
#define _DEFAULT_SOURCE                 /* wait4 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "mem.h"

#define N_RATES 4
static const char *const rates[N_RATES] = {"1", "1/16", "1/64", "1/256"};
static const double rate_of[N_RATES] = {1, 1.0 / 16, 1.0 / 64, 1.0 / 256};

/* Four 4 GiB VMs with 3 GiB zipf sets on a host with 7.5 GiB for them and
 * a static balloon of 30%: host and guests both swap. */
static const char host_cfg[] =
	"name: overcommit\nduration: 1h\ntick: 1s\nsample: 10s\n"
	"hosts: [{memory: 8GiB, overhead: 512MiB, swap: {size: 16GiB, bandwidth: 2GB/s}}]\n"
	"policies: {overcommit: {policy: ratio, max: 2},\n"
	"  balloon: {policy: static, target: 30%},\n"
	"  reclaim: {policy: swap-only, victims: random}}\n"
	"workload: {groups: [{name: vm, count: 4, memory: 4GiB, working_set: 3GiB,\n"
	"  pattern: zipf, skew: 0.9, rate: 50k/s, writes: 20%}]}\n";

/* bench_convergence's: a 2 GiB zipf 0.9 set under a 1 GiB limit. */
static const char one_vm_cfg[] =
	"name: one-vm\nduration: 1h\ntick: 1s\nsample: 10s\n"
	"hosts: [{memory: 8GiB, swap: {size: 8GiB, bandwidth: 2GB/s}}]\n"
	"workload: {vms: [{name: a, memory: 4GiB, limit: 1GiB, phases: [\n"
	"  {working_set: 2GiB, pattern: zipf, skew: 0.9, rate: 100k/s, writes: 20%}]}]}\n";

enum metric {
	M_DONE,                         /* completed touches */
	M_FAULTS, M_ZERO, M_HOST_IN, M_GUEST_IN,        /* counts */
	M_HOST_OUT_B, M_GUEST_OUT_B,    /* swap-out bytes */
	M_SWAPPED, M_BALLOONED,         /* bytes, mean over samples */
	M_STALL, M_SLOWDOWN, M_PROGRESS,
	M_WALL, M_RSS,                  /* s; bytes */
	M_PAGES,                        /* simulated guest pages */
	M_STATE,                        /* their page state, bytes */
	M_COUNT,
};

/* One run of PATH at RATE, in this process; fills m but M_RSS. */
static void run_here(const char *path, const char *rate, const char *duration, double *m)
{
	char set_rate[64], set_dur[64];
	const char *sets[3];
	struct scenario_opts so = {sets, 1, false, 0};
	struct scenario sc;
	struct run_record rec;
	struct sim_err err = {0};
	struct run_opts o = {0};
	double t0;
	size_t k;

	snprintf(set_rate, sizeof(set_rate), "sampling.rate=%s", rate);
	sets[0] = set_rate;
	if (duration) {
		snprintf(set_dur, sizeof(set_dur), "duration=%s", duration);
		sets[so.n_sets++] = set_dur;
	}
	if (scenario_load(path, &so, &sc, &err)) {
		sim_err_print(&err, stderr);
		exit(1);
	}
	t0 = bench_now_s();
	if (run_replication(&sc, 0, &o, &rec, &err)) {
		sim_err_print(&err, stderr);
		exit(1);
	}
	m[M_WALL] = bench_now_s() - t0;
	m[M_DONE] = m[M_FAULTS] = m[M_PAGES] = 0;
	for (k = 0; k < rec.n_vms; k++)
		m[M_DONE] += rec.vms[k].touches * rec.vms[k].progress;
	for (k = 0; k < REC_FAULTS; k++)
		m[M_FAULTS] += (double)rec.faults[k];
	m[M_ZERO] = (double)rec.faults[FAULT_ZERO_FILL];
	m[M_HOST_IN] = (double)rec.faults[FAULT_HOST_SWAP_IN];
	m[M_GUEST_IN] = (double)rec.faults[FAULT_GUEST_SWAP_IN];
	m[M_HOST_OUT_B] = (double)rec.host_swap_out_bytes;
	m[M_GUEST_OUT_B] = (double)rec.guest_swap_out_bytes;
	m[M_SWAPPED] = rec.swapped_mean;
	m[M_BALLOONED] = rec.ballooned_mean;
	m[M_STALL] = rec.stall_s;
	m[M_SLOWDOWN] = rec.slowdown_mean;
	m[M_PROGRESS] = rec.progress_mean;
	/* Pages simulated: a sampled run counts its own (its VMs' pages are
	 * scaled back in the record). */
	if (sc.sample_rate < 1)
		m[M_PAGES] = (double)rec.sampling.sampled_pages;
	else
		for (k = 0; k < rec.n_vms; k++)
			for (int s = 0; s < REC_STATES; s++)
				m[M_PAGES] += (double)rec.vms[k].pages[s];
	/* A sampled page costs what a full one does, and 4 bytes more where
	 * VMs have image pages (a table of ranks; model/sample.h): at most. */
	m[M_STATE] = m[M_PAGES] *
		     (MEM_BYTES_PER_PAGE + (sc.sample_rate < 1 && sc.trace.n_images ? 4 : 0));
	results_release(&rec);
	scenario_release(&sc);
}

struct job {
	const char *path, *rate, *duration;
};

static void run_job(const void *arg, void *out)
{
	const struct job *j = arg;

	run_here(j->path, j->rate, j->duration, out);
}

/* The same in a child, whose peak resident memory is the run's. */
static void run_one(const char *path, const char *rate, const char *duration, double *m)
{
	struct job j = {path, rate, duration};
	double cpu_s, rss_mib;

	bench_in_child(run_job, &j, m, M_COUNT * sizeof(*m), &cpu_s, &rss_mib, "bench_sampling");
	m[M_RSS] = rss_mib * 1024 * 1024;
}

/* One row: the full figure, then each sampled one and its ratio; events
 * is the metric that counts its sampled events (M_COUNT: none), per_touch
 * divides by completed touches. */
static void row(const char *name, double m[N_RATES][M_COUNT], enum metric k, enum metric events,
		bool per_touch, double scale)
{
	size_t i;
	double v0 = 0;

	printf("| %s |", name);
	for (i = 0; i < N_RATES; i++) {
		double v = m[i][k] * scale;
		/* Bytes stand for 4 KiB pages: the events behind them. */
		bool bytes = events == M_HOST_OUT_B || events == M_GUEST_OUT_B ||
			     events == M_SWAPPED || events == M_BALLOONED;
		bool few = events != M_COUNT &&
			   m[i][events] * rate_of[i] / (bytes ? 4096 : 1) < 1000;

		if (per_touch)
			v = m[i][M_DONE] > 0 ? v / m[i][M_DONE] : 0;
		if (i == 0) {
			v0 = v;
			printf(" %.4g |", v);
		} else if (v == v0) {
			printf(" %.4g | (=) |", v);
		} else if (v0 == 0 || !isfinite(v / v0)) {
			printf(" %.4g | - |", v);
		} else {
			printf(" %.4g | ×%.3f%s |", v, v / v0, i > 0 && few ? "*" : "");
		}
	}
	printf("\n");
}

static void scenario(const char *title, const char *path, const char *const *sets,
		     const char *duration)
{
	const double gib = 1.0 / (1 << 30), mib = 1.0 / (1 << 20);
	double m[N_RATES][M_COUNT];
	char tmp[] = "/tmp/memsim-sampling-XXXXXX";
	size_t i;

	/* A variant of a config: its text with the sets appended. */
	if (sets) {
		FILE *f = fdopen(mkstemp(tmp), "w");

		if (!f || fputs(sets[0], f) == EOF || (sets[1] && fputs(sets[1], f) == EOF) ||
		    fclose(f)) {
			perror(tmp);
			exit(1);
		}
		path = tmp;
	}
	for (i = 0; i < N_RATES; i++)
		run_one(path, rates[i], duration, m[i]);
	if (sets)
		unlink(tmp);
	printf("\n%s\n\n", title);
	printf("| metric | full 4 KiB | 1/16 | ×full | 1/64 | ×full | 1/256 | ×full |\n"
	       "|---|---|---|---|---|---|---|---|\n");
	row("misses per touch (all faults)", m, M_FAULTS, M_FAULTS, true, 1);
	row("zero fills per touch", m, M_ZERO, M_ZERO, true, 1);
	row("host swap-ins per touch", m, M_HOST_IN, M_HOST_IN, true, 1);
	row("guest swap-ins per touch", m, M_GUEST_IN, M_GUEST_IN, true, 1);
	row("host swap-out GiB", m, M_HOST_OUT_B, M_HOST_OUT_B, false, gib);
	row("guest swap-out GiB", m, M_GUEST_OUT_B, M_GUEST_OUT_B, false, gib);
	row("swapped GiB (mean)", m, M_SWAPPED, M_SWAPPED, false, gib);
	row("ballooned GiB (mean)", m, M_BALLOONED, M_BALLOONED, false, gib);
	row("touches completed", m, M_DONE, M_COUNT, false, 1);
	row("stall s (all VMs)", m, M_STALL, M_FAULTS, false, 1);
	row("slowdown (mean)", m, M_SLOWDOWN, M_FAULTS, false, 1);
	row("progress (mean)", m, M_PROGRESS, M_FAULTS, false, 1);
	row("simulated pages", m, M_PAGES, M_COUNT, false, 1);
	row("page state MiB (12.75 B a page; +4 sampled, with images)", m, M_STATE, M_COUNT,
	    false, mib);
	row("peak resident MiB (the process)", m, M_RSS, M_COUNT, false, mib);
	row("wall s", m, M_WALL, M_COUNT, false, 1);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	char host_clock[sizeof(host_cfg) + 16];
	const char *random_sets[] = {host_cfg, NULL}, *clock_sets[] = {host_clock, NULL};
	const char *one_vm_sets[] = {one_vm_cfg, NULL};
	char dur[32];
	const char *d = NULL;
	char *p;

	if (argc > 1) {
		snprintf(dur, sizeof(dur), "%ss", argv[1]);
		d = dur;
	}
	/* The host with clock victims: its policies line replaced. */
	snprintf(host_clock, sizeof(host_clock), "%s", host_cfg);
	p = strstr(host_clock, "victims: random}}");
	if (!p)
		return 1;
	memcpy(p, "victims: clock}} ", 17);
	printf("sampled against full 4 KiB runs; ratios are to the full run; duration %s\n",
	       d ? d : "1h each");
	scenario("**An overcommitted host, random victims** (4 VMs of 4 GiB, 3 GiB zipf 0.9 "
		 "sets, 50k/s each, on 7.5 GiB; static balloon 30%; swap-only, random)",
		 NULL, random_sets, d);
	scenario("**The same host, clock victims** (swap-only, clock)", NULL, clock_sets, d);
	scenario("**One VM under a limit** (4 GiB VM, limit 1 GiB, 2 GiB zipf 0.9 set, "
		 "100k touches/s, host swap at 2 GB/s)", NULL, one_vm_sets, d);
	scenario("**configs/default.yaml** (2 hosts, 18 VMs)", "configs/default.yaml", NULL, d);
	return 0;
}
