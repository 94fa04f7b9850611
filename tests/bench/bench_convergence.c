/*
 * bench_convergence.c - how far results move with page_size (DESIGN.md
 * section 4, "Granularity").  Three scenarios (one VM under a limit, a
 * thrashing host with a balloon, configs/default.yaml) are run at 4 KiB,
 * 64 KiB and 2 MiB pages, and their metrics printed side by side with the
 * ratio of each to the 4 KiB run, as markdown tables.  Asserts nothing.
 * Usage: bench_convergence [SECONDS], which sets every scenario's duration
 * (default 1 h for each, long enough for the 4 KiB runs to have touched
 * their whole working sets, so that their misses are in steady state).
 * Run from the top of the tree (configs/default.yaml is read from there).
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "mem.h"

#define N_SIZES 3
static const char *const sizes[N_SIZES] = {"4KiB", "64KiB", "2MiB"};

/* A VM with a 2 GiB zipf 0.9 set under a 1 GiB limit: host swap only. */
static const char one_vm[] =
	"name: one-vm\nduration: 1h\ntick: 1s\nsample: 10s\n"
	"hosts: [{memory: 8GiB, swap: {size: 8GiB, bandwidth: 2GB/s}}]\n"
	"workload: {vms: [{name: a, memory: 4GiB, limit: 1GiB, phases: [\n"
	"  {working_set: 2GiB, pattern: zipf, skew: 0.9, rate: 100k/s, writes: 20%}]}]}\n";

/* Four 4 GiB VMs with 3 GiB zipf sets on a host with 7.5 GiB for them, and
 * a static balloon of 30% that leaves each guest 2.8 GiB: host and guest
 * both swap. */
static const char thrash[] =
	"name: thrash\nduration: 1h\ntick: 1s\nsample: 10s\n"
	"hosts: [{memory: 8GiB, overhead: 512MiB, swap: {size: 16GiB, bandwidth: 2GB/s}}]\n"
	"policies: {overcommit: {policy: ratio, max: 2},\n"
	"  balloon: {policy: static, target: 30%}}\n"
	"workload: {groups: [{name: vm, count: 4, memory: 4GiB, working_set: 3GiB,\n"
	"  pattern: zipf, skew: 0.9, rate: 50k/s, writes: 20%}]}\n";

/* The metrics of one run, each a number. */
enum metric {
	M_TOUCHES,                      /* completed touches */
	M_FAULTS, M_HOST_IN, M_GUEST_IN, M_ZERO_FILL,
	M_SWAPPED,                      /* swapped bytes, mean over samples */
	M_HOST_IO, M_GUEST_IO,          /* bytes, in + out */
	M_IO,                           /* host and guest swap I/O bytes */
	M_STALL, M_SLOWDOWN, M_INFLATION, M_PROGRESS,
	M_STALL_PER_MISS,               /* stall per fault, in µs */
	M_WALL,
	M_COUNT,
};

/* Runs the config at PATH with page_size SIZE (and DURATION, if not NULL). */
static void run_one(const char *path, const char *size, const char *duration, double *m)
{
	char set_page[64], set_dur[64];
	const char *sets[2];
	struct scenario_opts so = {sets, 1, false, 0};
	struct scenario sc;
	struct run_record rec;
	struct sim_err err = {0};
	struct run_opts o = {0};
	double t0;
	size_t k;

	snprintf(set_page, sizeof(set_page), "page_size=%s", size);
	sets[0] = set_page;
	if (duration) {
		snprintf(set_dur, sizeof(set_dur), "duration=%s", duration);
		sets[1] = set_dur;
		so.n_sets = 2;
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
	m[M_TOUCHES] = m[M_FAULTS] = 0;
	for (k = 0; k < rec.n_vms; k++)
		m[M_TOUCHES] += rec.vms[k].touches * rec.vms[k].progress;
	for (k = 0; k < REC_FAULTS; k++)
		m[M_FAULTS] += (double)rec.faults[k];
	m[M_HOST_IN] = (double)rec.faults[FAULT_HOST_SWAP_IN];
	m[M_GUEST_IN] = (double)rec.faults[FAULT_GUEST_SWAP_IN];
	m[M_ZERO_FILL] = (double)rec.faults[FAULT_ZERO_FILL];
	m[M_SWAPPED] = rec.swapped_mean;
	m[M_HOST_IO] = (double)rec.host_swap_in_bytes + (double)rec.host_swap_out_bytes;
	m[M_GUEST_IO] = (double)rec.guest_swap_in_bytes + (double)rec.guest_swap_out_bytes;
	m[M_STALL] = rec.stall_s;
	m[M_SLOWDOWN] = rec.slowdown_mean;
	m[M_INFLATION] = rec.inflation_mean;
	m[M_PROGRESS] = rec.progress_mean;
	m[M_IO] = m[M_HOST_IO] + m[M_GUEST_IO];
	m[M_STALL_PER_MISS] = m[M_FAULTS] > 0 ? m[M_STALL] / m[M_FAULTS] * 1e6 : 0;
	results_release(&rec);
	scenario_release(&sc);
}

/* One row: the metric at each page size, scaled, and its ratio to 4 KiB's. */
static void row(const char *name, double m[N_SIZES][M_COUNT], enum metric k, bool per_touch,
		double scale)
{
	double v[N_SIZES];
	size_t i;

	for (i = 0; i < N_SIZES; i++) {
		v[i] = m[i][k] * scale;
		if (per_touch)
			v[i] = m[i][M_TOUCHES] > 0 ? v[i] / m[i][M_TOUCHES] : 0;
	}
	printf("| %s | %.4g |", name, v[0]);
	for (i = 1; i < N_SIZES; i++) {
		if (v[i] == v[0])
			printf(" %.4g | (=) |", v[i]);
		else if (v[0] == 0 || !isfinite(v[i] / v[0]))
			printf(" %.4g | - |", v[i]);
		else
			printf(" %.4g | ×%.3g |", v[i], v[i] / v[0]);
	}
	printf("\n");
}

static void scenario(const char *title, const char *path, const char *duration)
{
	const double gib = 1.0 / (1 << 30);
	double m[N_SIZES][M_COUNT];
	size_t i;

	for (i = 0; i < N_SIZES; i++)
		run_one(path, sizes[i], duration, m[i]);
	printf("\n%s\n\n", title);
	printf("| metric | 4 KiB | 64 KiB | ×4K | 2 MiB | ×4K |\n|---|---|---|---|---|---|\n");
	row("misses per touch (all faults)", m, M_FAULTS, true, 1);
	row("host swap-ins per touch", m, M_HOST_IN, true, 1);
	row("guest swap-ins per touch", m, M_GUEST_IN, true, 1);
	row("zero fills per touch", m, M_ZERO_FILL, true, 1);
	row("swap I/O bytes per touch (host+guest)", m, M_IO, true, 1);
	row("stall per miss (µs)", m, M_STALL_PER_MISS, false, 1);
	row("touches completed", m, M_TOUCHES, false, 1);
	row("swapped GiB (mean)", m, M_SWAPPED, false, gib);
	row("host swap I/O GiB (in+out)", m, M_HOST_IO, false, gib);
	row("guest swap I/O GiB (in+out)", m, M_GUEST_IO, false, gib);
	row("stall s (all VMs)", m, M_STALL, false, 1);
	row("slowdown (stalled share, mean)", m, M_SLOWDOWN, false, 1);
	row("inflation (1/progress − 1, mean)", m, M_INFLATION, false, 1);
	row("progress (mean)", m, M_PROGRESS, false, 1);
	printf("\nwall time: %.1f s, %.1f s, %.1f s\n", m[0][M_WALL], m[1][M_WALL],
	       m[2][M_WALL]);
	fflush(stdout);
}

/* Writes TEXT to a temporary file named in PATH (a mkstemp template). */
static void write_temp(char *path, const char *text)
{
	FILE *f = fdopen(mkstemp(path), "w");

	if (!f || fputs(text, f) == EOF || fclose(f)) {
		perror(path);
		exit(1);
	}
}

int main(int argc, char **argv)
{
	char p1[] = "/tmp/memsim-conv-XXXXXX", p2[] = "/tmp/memsim-conv-XXXXXX";
	char dur[32];
	const char *d = NULL;

	if (argc > 1) {
		snprintf(dur, sizeof(dur), "%ss", argv[1]);
		d = dur;
	}
	write_temp(p1, one_vm);
	write_temp(p2, thrash);
	printf("convergence over page_size: ratios are to the 4 KiB run; duration %s\n",
	       d ? d : "1h each");
	scenario("**One VM under a limit** (4 GiB VM, limit 1 GiB, 2 GiB zipf 0.9 set, "
		 "100k touches/s, host swap at 2 GB/s)", p1, d);
	scenario("**A thrashing host** (4 VMs of 4 GiB, 3 GiB zipf 0.9 sets, 50k/s each, "
		 "on 7.5 GiB; static balloon 30%)", p2, d);
	scenario("**configs/default.yaml** (2 hosts, 18 VMs)", "configs/default.yaml", d);
	unlink(p1);
	unlink(p2);
	return 0;
}
