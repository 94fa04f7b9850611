/*
 * bench_cluster.c - cluster scale (DESIGN.md section 10): 1,000 hosts of
 * 256 GiB and 20,000 VMs of 4-16 GiB at 2 MiB pages for one simulated day,
 * with a 10 s tick.  VMs arrive as a Poisson stream and live lognormal
 * lifetimes.  Runs it plain and with ESXi-like policies (sampled
 * estimates, the idle tax, free-memory states with compression), then with
 * page sharing, ksm and tps, on VMs of one image (10% zero pages, 30%
 * image pages), and prints each run's wall time and the peak memory, and
 * for the sharing runs what they saved and scanned; asserts nothing.
 * Usage: bench_cluster [HOURS [ksm|tps]] (the name: that sharing run only).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

/* One run of the cluster under the policies given (a YAML mapping's
 * entries); prints its wall time and the process's peak memory so far. */
/* The sharing policy's pages scanned, summed over hosts. */
static double pages_scanned(const struct run_record *rec)
{
	double n = 0;
	size_t i, j, k;

	for (i = 0; i < rec->n_hosts; i++)
		for (j = 0; j < rec->hosts[i].n_policies; j++) {
			const struct rec_policy *p = &rec->hosts[i].policies[j];

			if (strcmp(p->family, "sharing"))
				continue;
			for (k = 0; k < p->n; k++)
				if (!strcmp(p->key[k], "pages_scanned"))
					n += p->value[k];
		}
	return n;
}

static int run_cluster(const char *label, const char *policies, double hours, bool content)
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
		"hosts: [{name: h, count: 1000, memory: 256GiB, overhead: 4GiB%s}]\n"
		"policies: {placement: {policy: best-fit}, overcommit: {policy: ratio, max: 1.2},\n"
		"           %s}\n"
		"workload:\n%s  groups:\n"
		"    - {name: vm, count: 20000, arrivals: {process: poisson, rate: 2000/h},\n"
		"       lifetime: {dist: lognormal, median: 12h, sigma: 1},\n"
		"       memory: {choice: [4GiB, 8GiB, 16GiB], weights: [2, 2, 1]}, %s\n"
		"       working_set: {dist: uniform, min: 20%%, max: 60%%},\n"
		"       pattern: zipf, skew: 0.9, rate: 10k/s, writes: 20%%}\n",
		hours, content ? ", large_pages: false" : "", policies,
		content ? "  images: {os: {size: 2GiB, zero: 10%}}\n" : "",
		content ? "image: os, content: {zero: 10%, image: 30%}," : "");
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
	if (content)
		printf("  shared saved %.1f GiB mean, %.3g pages scanned\n",
		       rec.shared_saved_mean / 1073741824.0, pages_scanned(&rec));
	results_release(&rec);
	scenario_release(&sc);
	unlink(path);
	return 0;
}

/*
 * The sharing runs, at 2 MiB granules: ksm at its default rate in bytes
 * (100 pages of 4 KiB per 20 ms, 19.5 MiB/s: 10 granules a second, woken
 * every 10 s like the tick), and tps at its defaults (per VM, the whole VM
 * in 60 minutes, at most 1024 pages of 4 KiB a second) woken every 10 s.
 * Their hosts back guests with small pages (large_pages: false): at 2 MiB
 * granules with large pages every granule is one, never shared while a
 * host is in high, as these are, and nothing of the scanners would show.
 */
static const char *const sharing_runs[][2] = {
	{"ksm", "sharing: {policy: ksm, pages_to_scan: 100, sleep: 10s}"},
	{"tps", "sharing: {policy: tps, period: 10s}"},
};

int main(int argc, char **argv)
{
	double hours = argc > 1 ? atof(argv[1]) : 24.0;
	const char *only = argc > 2 ? argv[2] : NULL;
	size_t i;

	if (!only) {
		/* Plain: the true working set as the estimate, no balloon, swap-only. */
		if (run_cluster("plain", "estimator: {policy: oracle}", hours, false))
			return 1;
		/* ESXi-like (configs/esx-like.yaml's policies): sampled estimates,
		 * the idle tax's balloon targets every tick, free-memory states. */
		if (run_cluster("esx-like",
				"estimator: {policy: esx-sampling},\n"
				"           balloon: {policy: esx-idle-tax, period: 10s},\n"
				"           reclaim: {policy: esx-states, compression: {max: 10%}}",
				hours, false))
			return 1;
	}
	for (i = 0; i < sizeof(sharing_runs) / sizeof(sharing_runs[0]); i++)
		if ((!only || !strcmp(only, sharing_runs[i][0])) &&
		    run_cluster(sharing_runs[i][0], sharing_runs[i][1], hours, true))
			return 1;
	return 0;
}
