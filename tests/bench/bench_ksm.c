/*
 * bench_ksm.c - the sharing scanner's cost: pages scanned per second of
 * wall time, for ksm and zero-only, on one host of 8 VMs of 1 GiB from
 * one image (4 KiB pages, all resident, filled within seconds and then read,
 * the scanner is most of the run's work), and for tps, which scans each
 * VM at most once in scan_time (10 minutes at the least): the same host
 * for 10 simulated minutes, its VMs touching 1k pages/s, so that the
 * scan is most of the work there too.  Prints figures; asserts nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#define DURATION_S 60
#define PAGES_TO_SCAN 20000
#define SLEEP_MS 20

static void run_policy(const char *policy)
{
	char path[] = "/tmp/memsim-bench-XXXXXX", yaml[2048];
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	struct scenario sc;
	struct run_record rec;
	struct sim_err err = {0};
	struct run_opts o = {0};
	double t0, wall, scanned;

	snprintf(yaml, sizeof(yaml),
		 "name: bench-ksm\nseed: 1\nduration: %ds\ntick: 1s\npage_size: 4KiB\n"
		 "hosts:\n  - {name: h, count: 1, memory: 16GiB,\n"
		 "     swap: {size: 1GiB, read_latency: 80us, write_latency: 120us,"
		 " bandwidth: 1GB/s}}\n"
		 "policies:\n  sharing: {policy: %s, pages_to_scan: %d, sleep: %dms}\n"
		 "workload:\n  images: {os: {size: 1GiB, zero: 10%%}}\n"
		 "  groups:\n    - {name: v, count: 8, memory: 1GiB, image: os,\n"
		 "       content: {zero: 20%%, image: 60%%},\n"
		 "       working_set: 1GiB, pattern: uniform, rate: 200k/s}\n",
		 DURATION_S, policy, PAGES_TO_SCAN, SLEEP_MS);
	fputs(yaml, f);
	fclose(f);
	if (scenario_load(path, NULL, &sc, &err)) {
		sim_err_print(&err, stderr);
		exit(1);
	}
	t0 = bench_now_s();
	if (run_replication(&sc, 0, &o, &rec, &err)) {
		sim_err_print(&err, stderr);
		exit(1);
	}
	wall = bench_now_s() - t0;
	scanned = (double)PAGES_TO_SCAN * (DURATION_S * 1000.0 / SLEEP_MS);
	printf("%-10s %8.2f M pages scanned/s of wall time (%.3g pages in %.2f s)\n", policy,
	       scanned / wall / 1e6, scanned, wall);
	results_release(&rec);
	scenario_release(&sc);
	unlink(path);
}

/* The tps host, under sharing (a YAML mapping). */
static double run_tps_host(const char *sharing, struct run_record *rec)
{
	char yaml[2048];

	snprintf(yaml, sizeof(yaml),
		 "name: bench-tps\nseed: 1\nduration: 600s\ntick: 1s\npage_size: 4KiB\n"
		 "hosts:\n  - {name: h, count: 1, memory: 16GiB}\n"
		 "policies:\n  sharing: %s\n"
		 "workload:\n  images: {os: {size: 1GiB, zero: 10%%}}\n"
		 "  groups:\n    - {name: v, count: 8, memory: 1GiB, image: os,\n"
		 "       content: {zero: 20%%, image: 60%%},\n"
		 "       working_set: 1GiB, pattern: uniform, rate: 1k/s}\n",
		 sharing);
	return bench_run_text(yaml, rec);
}

/* tps: the host's pages scanned, from its figures, over the run's wall
 * time and over the time beyond the same run without sharing. */
static void run_tps(void)
{
	struct run_record rec, none;
	double wall, base, scanned = 0;
	size_t j, k;

	base = run_tps_host("{policy: none}", &none);
	results_release(&none);
	wall = run_tps_host("{policy: tps, scan_time: 10m, salting: 0}", &rec);
	for (j = 0; j < rec.hosts[0].n_policies; j++)
		for (k = 0; k < rec.hosts[0].policies[j].n; k++)
			if (!strcmp(rec.hosts[0].policies[j].family, "sharing") &&
			    !strcmp(rec.hosts[0].policies[j].key[k], "pages_scanned"))
				scanned = rec.hosts[0].policies[j].value[k];
	printf("%-10s %8.2f M pages scanned/s of wall time (%.3g pages in %.2f s; %.2f s "
	       "without sharing: %.2f M/s of the scan's own time)\n",
	       "tps", scanned / wall / 1e6, scanned, wall, base,
	       wall > base ? scanned / (wall - base) / 1e6 : 0.0);
	results_release(&rec);
}

int main(void)
{
	run_policy("ksm");
	run_policy("zero-only");
	run_tps();
	return 0;
}
