/*
 * bench_host48.c - one 256 GiB host with 48 VMs of 8 GiB (3 GiB zipf
 * working sets, 50k touches per second each, 20% writes) at 4 KiB pages
 * for one simulated hour (DESIGN.md section 10).  Prints the wall time and
 * the peak memory; asserts nothing.  Usage: bench_host48 [HOURS].
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

int main(int argc, char **argv)
{
	double hours = argc > 1 ? atof(argv[1]) : 1.0;
	char path[] = "/tmp/memsim-host48-XXXXXX";
	FILE *f = fdopen(mkstemp(path), "w");
	struct scenario sc;
	struct run_record rec;
	struct sim_err err = {0};
	struct run_opts o = {0};
	struct rusage ru;
	double t0;

	fprintf(f, "duration: %gh\ntick: 1s\nsample: 1m\npage_size: 4KiB\n"
		   "hosts: [{name: big, memory: 256GiB, overhead: 4GiB}]\n"
		   "workload:\n  groups:\n"
		   "    - {name: vm, count: 48, memory: 8GiB, working_set: 3GiB,\n"
		   "       pattern: zipf, skew: 0.9, rate: 50k/s, writes: 20%%}\n", hours);
	fclose(f);
	if (scenario_load(path, NULL, &sc, &err)) {
		sim_err_print(&err, stderr);
		return 1;
	}
	t0 = bench_now_s();
	if (run_replication(&sc, 0, &o, &rec, &err)) {
		sim_err_print(&err, stderr);
		return 1;
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("256 GiB host, 48 x 8 GiB VMs, 3 GiB zipf sets, 50k touches/s, 4 KiB pages,"
	       " %g h\n", hours);
	printf("  wall %.1f s, peak memory %.0f MiB, %.3g touches (%.1f M/s), "
	       "used %.1f GiB at peak\n",
	       bench_now_s() - t0, ru.ru_maxrss / 1024.0, rec.touches,
	       rec.touches / (bench_now_s() - t0) / 1e6, (double)rec.used_peak / (1 << 30));
	results_release(&rec);
	scenario_release(&sc);
	unlink(path);
	return 0;
}
