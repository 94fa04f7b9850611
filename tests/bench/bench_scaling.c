/*
 * bench_scaling.c - cost linear in the work (DESIGN.md section 10): the
 * same per-VM work at 100, 1,000, 10,000 and 100,000 VMs, with hosts
 * scaled with them (20 VMs a host), and prints wall and CPU time per
 * simulated VM-hour and peak memory per VM; flat columns mean linear
 * cost.  Each VM is 2 GiB with a 1.75 GiB zipf 0.9 set, 10k touches/s, 20%
 * writes; hosts of 32 GiB at ratio 1.5, with a static balloon of 10% and
 * swap-only reclaim (clock victims), 2 MiB pages, a 10 s tick, and every
 * VM present from the start.  Each size runs in a child process, so that
 * its CPU time and peak memory are its own.  Asserts nothing.
 * Usage: bench_scaling [MAX_VMS [MINUTES]] (defaults 10000 and 2; the
 * whole ladder is `bench_scaling 100000`).
 */
#define _DEFAULT_SOURCE                 /* wait4 */
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"

static const char cfg[] =
	"name: scaling\nduration: %gm\ntick: 10s\nsample: 5m\npage_size: 2MiB\n"
	"hosts: [{name: h, count: %ld, memory: 32GiB, overhead: 1GiB,\n"
	"  swap: {size: 32GiB, bandwidth: 2GB/s}}]\n"
	"policies: {placement: {policy: best-fit}, overcommit: {policy: ratio, max: 1.5},\n"
	"  balloon: {policy: static, target: 10%%},\n"
	"  reclaim: {policy: swap-only, victims: clock}}\n"
	"workload: {groups: [{name: vm, count: %ld, memory: 2GiB, working_set: 1792MiB,\n"
	"  pattern: zipf, skew: 0.9, rate: 10k/s, writes: 20%%}]}\n";

struct figures {
	double wall_s, cpu_s, rss_mib, placed, touches, faults;
};

struct size {
	long vms;
	double minutes;
};

static void run_here(const void *arg, void *out)
{
	const struct size *z = arg;
	struct figures *f = out;
	struct run_record rec;
	char text[sizeof(cfg) + 64];

	snprintf(text, sizeof(text), cfg, z->minutes, (z->vms + 19) / 20, z->vms);
	f->wall_s = bench_run_text(text, &rec);
	f->placed = (double)rec.placed;
	f->touches = rec.touches;
	f->faults = 0;
	for (int k = 0; k < REC_FAULTS; k++)
		f->faults += (double)rec.faults[k];
	results_release(&rec);
}

/* The same in a child, whose CPU time and peak memory are the run's. */
static void run_one(long vms, double minutes, struct figures *f)
{
	struct size z = {vms, minutes};

	bench_in_child(run_here, &z, f, sizeof(*f), &f->cpu_s, &f->rss_mib, "bench_scaling");
}

int main(int argc, char **argv)
{
	long max = argc > 1 ? atol(argv[1]) : 10000, vms;
	double minutes = argc > 2 ? atof(argv[2]) : 2;
	struct figures f;

	if (max < 100 || minutes <= 0)
		return 2;
	printf("same per-VM work at growing scale: 2 GiB VMs, 20 a host, %g simulated min\n\n",
	       minutes);
	printf("| VMs | hosts | placed | wall s | CPU s | CPU ms per VM-hour | wall ms per VM-hour "
	       "| peak MiB | KiB per VM | faults per VM |\n"
	       "|---|---|---|---|---|---|---|---|---|---|\n");
	for (vms = 100; vms <= max; vms *= 10) {
		double vm_h = (double)vms * minutes / 60;

		run_one(vms, minutes, &f);
		printf("| %ld | %ld | %.0f | %.2f | %.2f | %.3g | %.3g | %.0f | %.1f | %.4g |\n", vms,
		       (vms + 19) / 20, f.placed, f.wall_s, f.cpu_s, 1e3 * f.cpu_s / vm_h,
		       1e3 * f.wall_s / vm_h, f.rss_mib, f.rss_mib * 1024 / (double)vms,
		       f.faults / (double)vms);
		fflush(stdout);
	}
	return 0;
}
