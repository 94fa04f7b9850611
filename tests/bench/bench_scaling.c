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
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "run.h"

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

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void run_here(long vms, double minutes, struct figures *f)
{
	char path[] = "/tmp/memsim-scaling-XXXXXX";
	FILE *fp = fdopen(mkstemp(path), "w");
	struct scenario sc;
	struct run_record rec;
	struct sim_err err = {0};
	struct run_opts o = {0};
	double t0;

	if (!fp || fprintf(fp, cfg, minutes, (vms + 19) / 20, vms) < 0 || fclose(fp)) {
		perror(path);
		exit(1);
	}
	if (scenario_load(path, NULL, &sc, &err)) {
		sim_err_print(&err, stderr);
		exit(1);
	}
	unlink(path);
	t0 = now_s();
	if (run_replication(&sc, 0, &o, &rec, &err)) {
		sim_err_print(&err, stderr);
		exit(1);
	}
	f->wall_s = now_s() - t0;
	f->placed = (double)rec.placed;
	f->touches = rec.touches;
	f->faults = 0;
	for (int k = 0; k < REC_FAULTS; k++)
		f->faults += (double)rec.faults[k];
	results_release(&rec);
	scenario_release(&sc);
}

static void run_one(long vms, double minutes, struct figures *f)
{
	int fd[2], status;
	struct rusage ru;
	pid_t pid;

	fflush(stdout);
	if (pipe(fd) || (pid = fork()) < 0) {
		perror("bench_scaling");
		exit(1);
	}
	if (pid == 0) {
		close(fd[0]);
		run_here(vms, minutes, f);
		if (write(fd[1], f, sizeof(*f)) != (ssize_t)sizeof(*f))
			_exit(1);
		_exit(0);
	}
	close(fd[1]);
	if (read(fd[0], f, sizeof(*f)) != (ssize_t)sizeof(*f) || wait4(pid, &status, 0, &ru) != pid ||
	    !WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "bench_scaling: the run of %ld VMs failed\n", vms);
		exit(1);
	}
	close(fd[0]);
	f->cpu_s = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
		   (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	f->rss_mib = (double)ru.ru_maxrss / 1024;
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
