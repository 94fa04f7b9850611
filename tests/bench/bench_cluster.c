/*
 * bench_cluster.c - cluster scale (DESIGN.md section 10): 1,000 hosts of
 * 256 GiB and 20,000 VMs of 4-16 GiB at 2 MiB pages for one simulated day,
 * with a 10 s tick.  VMs arrive as a Poisson stream and live lognormal
 * lifetimes.  Runs it twice, plain and with ESXi-like policies (sampled
 * estimates, the idle tax, free-memory states with compression), and
 * prints each run's wall time and the peak memory; asserts nothing.
 * Usage: bench_cluster [HOURS].
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

/* One run of the cluster under the policies given (a YAML mapping's
 * entries); prints its wall time and the process's peak memory so far. */
static int run_cluster(const char *label, const char *policies, double hours)
{
	char path[] = "/tmp/memsim-cluster-XXXXXX";
	FILE *f = fdopen(mkstemp(path), "w");
	struct scenario sc;
	struct run_record rec;
	struct sim_err err = {0};
	struct run_opts o = {0};
	struct rusage ru;
	double t0;

	fprintf(f,
		"duration: %gh\ntick: 10s\nsample: 10m\npage_size: 2MiB\n"
		"hosts: [{name: h, count: 1000, memory: 256GiB, overhead: 4GiB}]\n"
		"policies: {placement: {policy: best-fit}, overcommit: {policy: ratio, max: 1.2},\n"
		"           %s}\n"
		"workload:\n  groups:\n"
		"    - {name: vm, count: 20000, arrivals: {process: poisson, rate: 2000/h},\n"
		"       lifetime: {dist: lognormal, median: 12h, sigma: 1},\n"
		"       memory: {choice: [4GiB, 8GiB, 16GiB], weights: [2, 2, 1]},\n"
		"       working_set: {dist: uniform, min: 20%%, max: 60%%},\n"
		"       pattern: zipf, skew: 0.9, rate: 10k/s, writes: 20%%}\n",
		hours, policies);
	fclose(f);
	if (scenario_load(path, NULL, &sc, &err)) {
		sim_err_print(&err, stderr);
		unlink(path);
		return 1;
	}
	t0 = bench_now_s();
	if (run_replication(&sc, 0, &o, &rec, &err)) {
		sim_err_print(&err, stderr);
		scenario_release(&sc);
		unlink(path);
		return 1;
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("1000 hosts x 256 GiB, 20000 VMs, 2 MiB pages, %g h, 10 s tick, %s\n", hours, label);
	printf("  wall %.1f s, peak memory %.0f MiB, %llu VMs placed, %.3g touches, "
	       "%llu events\n",
	       bench_now_s() - t0, ru.ru_maxrss / 1024.0, (unsigned long long)rec.placed, rec.touches,
	       (unsigned long long)rec.events);
	results_release(&rec);
	scenario_release(&sc);
	unlink(path);
	return 0;
}

int main(int argc, char **argv)
{
	double hours = argc > 1 ? atof(argv[1]) : 24.0;

	/* Plain: the true working set as the estimate, no balloon, swap-only. */
	if (run_cluster("plain", "estimator: {policy: oracle}", hours))
		return 1;
	/* ESXi-like (configs/esx-like.yaml's policies): sampled estimates, the
	 * idle tax's balloon targets every tick, free-memory states. */
	return run_cluster("esx-like",
			   "estimator: {policy: esx-sampling},\n"
			   "           balloon: {policy: esx-idle-tax, period: 10s},\n"
			   "           reclaim: {policy: esx-states, compression: {max: 10%}}",
			   hours);
}
