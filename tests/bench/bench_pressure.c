/*
 * bench_pressure.c - benchmarks under memory pressure (DESIGN.md section
 * 10): (a) a thrashing host at 4 KiB pages, in full and sampled at 1/64;
 * (b) bench_cluster's day (1,000 hosts, 20,000 VMs) at 2x overcommit with
 * a static balloon and swap-only reclaim (clock victims), at 2 MiB pages
 * and at 4 KiB sampled at 1/64.  Each run is a child process, so that its
 * CPU time and peak resident memory are its own.  Prints the figures;
 * asserts nothing.
 * Usage: bench_pressure [HOST_SECONDS [CLUSTER_HOURS [RATE [THREADS]]]]
 * (defaults 3600, 1, 1/64 and 1; the full day is `bench_pressure 3600 24`;
 * THREADS is run -j: the same results, another wall time).
 */
#define _DEFAULT_SOURCE                 /* wait4 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

/* bench_sampling's overcommitted host: 4 GiB VMs with 3 GiB zipf sets on
 * 7.5 GiB (ratio 2 places three of the four), a static balloon of 30%;
 * host and guests both swap. */
static const char host_cfg[] =
	"name: thrash\nduration: %gs\ntick: 1s\nsample: 10s\npage_size: 4KiB\n"
	"sampling: {rate: %s}\n"
	"hosts: [{memory: 8GiB, overhead: 512MiB, swap: {size: 16GiB, bandwidth: 2GB/s}}]\n"
	"policies: {overcommit: {policy: ratio, max: 2},\n"
	"  balloon: {policy: static, target: 30%%},\n"
	"  reclaim: {policy: swap-only, victims: clock}}\n"
	"workload: {groups: [{name: vm, count: 4, memory: 4GiB, working_set: 3GiB,\n"
	"  pattern: zipf, skew: 0.9, rate: 50k/s, writes: 20%%}]}\n";

/* bench_cluster's day on hosts of 64 GiB, so that best-fit packs the VMs
 * alive at the peak (about 14,000, 7.2 GiB each) to 2x on most hosts;
 * working sets of 40-90% overflow both the ballooned guests (70% of their
 * memory) and the hosts (0.65 x 2 of theirs). */
static const char cluster_cfg[] =
	"name: cluster-pressure\nduration: %gh\ntick: 10s\nsample: 10m\npage_size: %s\n"
	"sampling: {rate: %s}\n"
	"hosts: [{name: h, count: 1000, memory: 64GiB, overhead: 2GiB,\n"
	"  swap: {size: 128GiB, bandwidth: 2GB/s}}]\n"
	"policies: {placement: {policy: best-fit}, overcommit: {policy: ratio, max: 2},\n"
	"  balloon: {policy: static, target: 30%%},\n"
	"  reclaim: {policy: swap-only, victims: clock}}\n"
	"workload:\n  groups:\n"
	"    - {name: vm, count: 20000, arrivals: {process: poisson, rate: 2000/h},\n"
	"       lifetime: {dist: lognormal, median: 12h, sigma: 1},\n"
	"       memory: {choice: [4GiB, 8GiB, 16GiB], weights: [2, 2, 1]},\n"
	"       working_set: {dist: uniform, min: 40%%, max: 90%%},\n"
	"       pattern: zipf, skew: 0.9, rate: 10k/s, writes: 20%%}\n";

struct figures {
	double wall_s, cpu_s, rss_mib;
	double placed, touches, events, faults, host_out_gib, guest_out_gib;
	double overcommit, slowdown, sampled_pages;
};

/* Runs the config text in this process and fills f but its CPU and memory. */
static void run_here(const void *arg, void *out)
{
	struct figures *f = out;
	struct run_record rec;

	f->wall_s = bench_run_text(arg, &rec);
	f->placed = (double)rec.placed;
	f->touches = rec.touches;
	f->events = (double)rec.events;
	f->faults = 0;
	for (int k = 0; k < REC_FAULTS; k++)
		f->faults += (double)rec.faults[k];
	f->host_out_gib = (double)rec.host_swap_out_bytes / (1 << 30);
	f->guest_out_gib = (double)rec.guest_swap_out_bytes / (1 << 30);
	f->overcommit = rec.overcommit_ratio;
	f->slowdown = rec.slowdown_mean;
	f->sampled_pages = (double)rec.sampling.sampled_pages;
	results_release(&rec);
}

/* The same in a child, whose CPU time and peak memory are the run's. */
static void run_one(const char *text, struct figures *f)
{
	bench_in_child(run_here, text, f, sizeof(*f), &f->cpu_s, &f->rss_mib, "bench_pressure");
}

static void print_row(const char *name, const struct figures *f)
{
	printf("| %s | %.3g | %.3g | %.0f | %.0f | %.3g | %.3g | %.3g | %.4g | %.4g | %.3g | %.4f |\n",
	       name, f->wall_s, f->cpu_s, f->rss_mib, f->placed, f->touches, f->events, f->faults,
	       f->host_out_gib, f->guest_out_gib, f->overcommit, f->slowdown);
	fflush(stdout);
}

static void header(const char *title)
{
	printf("\n%s\n\n", title);
	printf("| run | wall s | CPU s | peak MiB | VMs placed | touches | events | faults | "
	       "host swap-out GiB | guest swap-out GiB | overcommit | slowdown |\n"
	       "|---|---|---|---|---|---|---|---|---|---|---|---|\n");
}

int main(int argc, char **argv)
{
	double host_s = argc > 1 ? atof(argv[1]) : 3600;
	double hours = argc > 2 ? atof(argv[2]) : 1;
	const char *rate = argc > 3 ? argv[3] : "1/64";
	int threads = argc > 4 ? atoi(argv[4]) : 1;
	char text[2048], name[64];
	struct figures f;

	if (host_s <= 0 || hours <= 0 || threads < 1)
		return 2;
	bench_threads = threads;
	snprintf(name, sizeof(name), "%g s", host_s);
	header("**A thrashing host at 4 KiB** (three 4 GiB VMs placed at ratio 2, 3 GiB zipf 0.9 "
	       "sets, 50k/s each, on 7.5 GiB; static balloon 30%; swap-only, clock victims)");
	snprintf(text, sizeof(text), host_cfg, host_s, "1");
	run_one(text, &f);
	snprintf(name, sizeof(name), "%g s, full", host_s);
	print_row(name, &f);
	snprintf(text, sizeof(text), host_cfg, host_s, rate);
	run_one(text, &f);
	snprintf(name, sizeof(name), "%g s, sampled %s", host_s, rate);
	print_row(name, &f);

	header("**The cluster day under pressure** (1,000 hosts of 64 GiB, 20,000 VMs of "
	       "4-16 GiB, 40-90% zipf sets, 10k/s each; ratio 2, best-fit; static balloon "
	       "30%; swap-only, clock victims; 10 s tick)");
	snprintf(text, sizeof(text), cluster_cfg, hours, "2MiB", "1");
	run_one(text, &f);
	snprintf(name, sizeof(name), "%g h, 2 MiB pages", hours);
	print_row(name, &f);
	snprintf(text, sizeof(text), cluster_cfg, hours, "4KiB", rate);
	run_one(text, &f);
	snprintf(name, sizeof(name), "%g h, 4 KiB sampled %s, %d thread%s", hours, rate, threads,
		 threads > 1 ? "s" : "");
	print_row(name, &f);
	return 0;
}
