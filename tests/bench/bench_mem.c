/*
 * bench_mem.c - the page model's costs: simulated page touches per second
 * on one core (a resident working set with one page kept out; a zipf set
 * filling; a set wholly resident; a thrashing one), and bytes of state
 * per simulated page.  Prints figures; asserts nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "host.h"
#include "rng.h"
#include "vm.h"

/* Runs a config given as text; prints touches per second of wall time. */
static void run_text(const char *label, const char *yaml)
{
	char path[] = "/tmp/memsim-bench-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	struct scenario sc;
	struct run_record rec;
	struct sim_err err = {0};
	struct run_opts o = {0};
	double t0;

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
	/* One VM: its progress is the share of demanded touches it completed. */
	printf("%-44s %8.2f M touches/s demanded, %8.2f M/s completed (%.3g in %.2f s)\n",
	       label, rec.touches / (bench_now_s() - t0) / 1e6,
	       rec.touches * rec.progress_mean / (bench_now_s() - t0) / 1e6, rec.touches, bench_now_s() - t0);
	results_release(&rec);
	scenario_release(&sc);
	unlink(path);
}

static long max_rss_kib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* Bytes of state per page: a 16 GiB VM at 4 KiB pages, every page used. */
static void bytes_per_page(void)
{
	uint32_t pages = 4u << 20;
	struct vmem_params p = {.n_pages = pages, .n_data = pages, .limit_pages = pages,
				.image = -1};
	struct vmem m;
	long before = max_rss_kib();
	uint32_t d;

	vmem_init(&m, &p);
	/* Touch every word so that all of it is really resident. */
	for (d = 0; d < pages; d++)
		m.data[d] = 0;
	memset(m.fast, 0, (pages / 64 + 1) * sizeof(*m.fast));
	printf("%-44s %8.2f bytes/page  (%u pages; %.3f by layout)\n", "state per simulated page",
	       (double)(max_rss_kib() - before) * 1024.0 / pages, pages, MEM_BYTES_PER_PAGE);
	vmem_release(&m);
}

int main(void)
{
	/* First, while the peak resident size is still this program's own. */
	bytes_per_page();
	/* A limit one page short of the set keeps one page out, so every
	 * tick has something to draw: a miss about once per set's worth. */
	run_text("resident uniform set, one page kept out",
		 "duration: 5m\ntick: 1s\nsample: 1m\nhosts: [{memory: 8GiB}]\n"
		 "workload: {vms: [{name: a, memory: 2GiB, limit: 1073737728, phases: [\n"
		 "  {working_set: 1GiB, pattern: uniform, rate: 200k/s, writes: 20%}]}]}\n");
	run_text("zipf 0.9 set over 3 GiB, filling",
		 "duration: 10m\ntick: 1s\nsample: 1m\nhosts: [{memory: 8GiB}]\n"
		 "workload: {vms: [{name: a, memory: 4GiB, phases: [\n"
		 "  {working_set: 3GiB, pattern: zipf, skew: 0.9, rate: 200k/s}]}]}\n");
	run_text("fully resident set (nothing to draw)",
		 "duration: 1h\ntick: 1s\nsample: 1m\nhosts: [{memory: 8GiB}]\n"
		 "workload: {vms: [{name: a, memory: 2GiB, phases: [\n"
		 "  {working_set: 256MiB, pattern: uniform, rate: 1M/s}]}]}\n");
	run_text("thrashing set (limit half the set, uniform)",
		 "duration: 5m\ntick: 1s\nsample: 1m\n"
		 "hosts: [{memory: 8GiB, swap: {size: 4GiB, bandwidth: 2GB/s}}]\n"
		 "workload: {vms: [{name: a, memory: 2GiB, limit: 512MiB, phases: [\n"
		 "  {working_set: 1GiB, pattern: uniform, rate: 100k/s}]}]}\n");
	/* The host's clock chooses the victims: the accessed-bit path. */
	run_text("thrashing set, clock victims (zipf 0.9)",
		 "duration: 5m\ntick: 1s\nsample: 1m\n"
		 "hosts: [{memory: 8GiB, swap: {size: 4GiB, bandwidth: 2GB/s}}]\n"
		 "policies: {reclaim: {policy: swap-only, victims: clock}}\n"
		 "workload: {vms: [{name: a, memory: 2GiB, limit: 512MiB, phases: [\n"
		 "  {working_set: 1GiB, pattern: zipf, skew: 0.9, rate: 100k/s}]}]}\n");
	return 0;
}
