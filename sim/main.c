/*
 * main.c - the memsim command line (DESIGN.md section 7).
 *
 * Exit status: 0 success, 1 the run failed (I/O), 2 usage error or invalid
 * input.  An input error is one line on stderr in gcc's form, and no
 * results file is left behind: results are written to a temporary file and
 * renamed (outfile.c), and a failed run leaves the file it would have
 * replaced as it was.  Output over an input is refused before anything runs.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <gsl/gsl_errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compare.h"
#include "describe.h"
#include "err.h"
#include "fingerprint.h"
#include "import.h"
#include "mem.h"
#include "outfile.h"
#include "plan.h"
#include "plan_search.h"
#include "plot.h"
#include "pool.h"
#include "results.h"
#include "run.h"
#include "scenario.h"
#include "sweep.h"
#include "table.h"
#include "units.h"
#include "version.h"
#include "xmem.h"

enum { EXIT_OK = 0, EXIT_RUN_FAILED = 1, EXIT_USAGE = 2 };

static const char usage_main[] =
	"usage: memsim <command> [options]\n"
	"\n"
	"Simulates memory in a virtualized cluster: hosts, VMs, and the\n"
	"hypervisor's overcommit, placement and reclamation policies.\n"
	"\n"
	"commands:\n"
	"  run CONFIG        run a config and write results JSON\n"
	"  validate CONFIG   check a config and print the scenario's size\n"
	"  import KIND PATH...  turn a public trace into a memsim trace\n"
	"  describe TRACE|CONFIG  what a trace amounts to over time\n"
	"  compare A.json B.json...  results side by side\n"
	"  table RESULTS.json --vms|--hosts  one CSV row per VM or host\n"
	"  sweep SWEEP.yaml  a parameter grid with replications\n"
	"  plan CONFIG --search KEY  the smallest (--largest: largest) value that\n"
	"                    meets the SLA\n"
	"  plot FILE.json... pictures of results and sweep summaries (gnuplot)\n"
	"\n"
	"  memsim <command> --help   options of a command\n"
	"  memsim --version          the version\n";

static const char usage_run[] =
	"usage: memsim run CONFIG [-o RESULTS.json] [--set KEY=VALUE]... [--seed N]\n"
	"                  [--replication R] [-j N] [--check] [--quiet]\n"
	"\n"
	"  -o PATH           results file (default results/<name>.json; - for stdout);\n"
	"                    with replications > 1, one file per replication,\n"
	"                    PATH with -r<R> before .json\n"
	"  --set KEY=VALUE   override a config key by its path (hosts.0.count=8);\n"
	"                    VALUE is YAML, so lists and mappings work too\n"
	"  --seed N          override the config's seed\n"
	"  --replication R   run only replication R (0-based)\n"
	"  -j N              run each tick's hosts on N threads (default 1); the\n"
	"                    results are the same bytes for any N\n"
	"  --check           check the memory invariants after every tick (slower)\n"
	"  --quiet           print nothing but errors\n";

static const char usage_import[] =
	"usage: memsim import KIND PATH... [-o TRACE.yaml] [--time-scale X]\n"
	"                     [--start T] [--length T] [--max-vms N] [--seed N]\n"
	"\n"
	"KIND is bitbrains (files or folders of per-VM CSVs), azure (a V1 or V2\n"
	"vmtable CSV), alibaba-gpu (the 2023 pod list CSV) or google-derived (a\n"
	"folder or files of per-job usage series).  Writes a trace YAML to -o\n"
	"(default stdout) and a report of what was skipped or clamped to stderr.\n"
	"\n"
	"  --time-scale X    multiply trace times by X (default 1)\n"
	"  --start T         keep only VMs alive after trace time T (a duration)\n"
	"  --length T        and before T + length\n"
	"  --max-vms N       at most N VMs\n"
	"  --seed N          seed of the working sets drawn for traces without usage\n";

static const char usage_describe[] =
	"usage: memsim describe TRACE|CONFIG [--seed N] [--bins N]\n"
	"\n"
	"Loads a workload trace (as `workload:` in a config takes it), draws its\n"
	"groups with the seed (default 1), and prints the VM count, the arrivals,\n"
	"and the configured and working-set memory alive over time in N bins\n"
	"(default 12), up to the last event.  Given a config, it describes the\n"
	"config's workload with the config's seed, up to the run's duration.\n";

static const char usage_validate[] =
	"usage: memsim validate CONFIG [--set KEY=VALUE]... [--seed N]\n"
	"\n"
	"Loads and checks CONFIG and its workload, then prints the scenario's\n"
	"size (hosts, VMs, simulated pages) and the memory the run will need.\n";

struct cli {
	const char *config;
	const char *out;
	const char **sets;
	size_t n_sets;
	bool has_seed;
	uint64_t seed;
	bool has_replication;
	int64_t replication;
	bool quiet;
	bool check;
	int64_t threads;                /* run -j: 0 when not given */
};

__attribute__((format(printf, 2, 3)))
static int usage_error(const char *usage, const char *fmt, ...)
{
	char raw[512], line[1024];
	va_list ap;

	/* Arguments are echoed escaped, so the message stays one line. */
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	fprintf(stderr, "memsim: %s\n\n%s", sim_escape(line, sizeof(line), raw), usage);
	return EXIT_USAGE;
}

static bool wants_help(int argc, char **argv)
{
	int i;

	for (i = 0; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return true;
	return false;
}

/* Parses the options shared by run and validate; returns -1 or an exit code. */
static int parse_cli(int argc, char **argv, bool is_run, const char *usage, struct cli *c)
{
	char why[256];
	int i;

	c->sets = xcalloc((size_t)argc + 1, sizeof(*c->sets));
	for (i = 0; i < argc; i++) {
		const char *a = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--set") || !strcmp(a, "--seed") ||
		    (is_run && (!strcmp(a, "-o") || !strcmp(a, "--replication") ||
			       !strcmp(a, "-j")))) {
			if (!val)
				return usage_error(usage, "option '%s' needs a value", a);
			i++;
		}
		if (!strcmp(a, "--set")) {
			c->sets[c->n_sets++] = val;
		} else if (!strcmp(a, "--seed")) {
			int64_t v;

			if (units_parse_int(val, &v, why, sizeof(why)) || v < 0 ||
			    v > SCENARIO_SEED_MAX)
				return usage_error(usage,
						   "--seed needs a whole number from 0 to 2^53 "
						   "(%lld), not '%s'",
						   (long long)SCENARIO_SEED_MAX, val);
			c->has_seed = true;
			c->seed = (uint64_t)v;
		} else if (is_run && !strcmp(a, "-o")) {
			c->out = val;
		} else if (is_run && !strcmp(a, "--replication")) {
			if (units_parse_int(val, &c->replication, why, sizeof(why)) ||
			    c->replication < 0)
				return usage_error(
					usage, "--replication needs a whole number >= 0, not '%s'",
					val);
			c->has_replication = true;
		} else if (is_run && !strcmp(a, "-j")) {
			if (units_parse_int(val, &c->threads, why, sizeof(why)) || c->threads < 1 ||
			    c->threads > POOL_MAX_THREADS)
				return usage_error(usage, "-j needs a whole number from 1 to %d, not '%s'",
						   POOL_MAX_THREADS, val);
		} else if (is_run && !strcmp(a, "--quiet")) {
			c->quiet = true;
		} else if (is_run && !strcmp(a, "--check")) {
			c->check = true;
		} else if (a[0] == '-' && a[1]) {
			return usage_error(usage, "unknown option '%s'", a);
		} else if (!c->config) {
			c->config = a;
		} else {
			return usage_error(usage, "unexpected argument '%s'", a);
		}
	}
	if (!c->config)
		return usage_error(usage, "%s", "missing CONFIG");
	return -1;
}

/* The output path of replication r, in a buffer the caller frees. */
static char *out_path(const char *out, const char *name, int64_t r, bool several)
{
	char *p;
	size_t n;

	if (!out) {
		n = strlen(name) + 40;
		p = xmalloc(n);
		if (several)
			snprintf(p, n, "results/%s-r%lld.json", name, (long long)r);
		else
			snprintf(p, n, "results/%s.json", name);
		return p;
	}
	n = strlen(out) + 32;
	p = xmalloc(n);
	if (!several || !strcmp(out, "-")) {
		snprintf(p, n, "%s", out);
	} else {
		const char *dot = strrchr(out, '.');
		const char *slash = strrchr(out, '/');
		int stem = (int)(dot && (!slash || dot > slash) ? dot - out : (long)strlen(out));

		snprintf(p, n, "%.*s-r%lld%s", stem, out, (long long)r, out + stem);
	}
	return p;
}

/* A bound's measure for the summary: bytes in binary units, VM counts, or %. */
static const char *sla_measure(unsigned bit, double v, char *buf, size_t n)
{
	if (bit == PLAN_FAIL_SWAPPED)
		return units_format_size(llround(v), buf, n);
	if (bit == PLAN_FAIL_SLOWDOWN)
		snprintf(buf, n, "%.0f VM%s", v, v == 1 ? "" : "s");
	else
		snprintf(buf, n, "%.2f%%", 100 * v);
	return buf;
}

/*
 * Whether the config's SLA held, bound by bound, with the margin: judged
 * from the results as `memsim plan` judges them (analysis/plan_search.c).
 */
static void print_sla(const cJSON *json)
{
	struct plan_sla sla;
	struct plan_metrics m;

	if (plan_sla_read(cJSON_GetObjectItemCaseSensitive(json, "config"), &sla) < 0 ||
	    plan_sla_eval(&sla, json, &m) < 0)
		return;
	printf("  SLA:     %s\n", m.failed ? "missed" : "held");
	for (unsigned bit = 1; bit <= PLAN_FAIL_LAST; bit <<= 1) {
		double bound, got;
		bool upper, miss = (m.failed & bit) != 0;
		char a[32], b[32], d[32];

		if (!plan_sla_bound(&sla, &m, bit, &bound, &got, &upper))
			continue;
		if (bit == PLAN_FAIL_SLOWDOWN) {
			printf("    %-18s %s past %.2f%%: %s\n", plan_fail_name(bit),
			       sla_measure(bit, got, a, sizeof(a)), 100 * sla.max_slowdown,
			       miss ? "missed" : "held");
			continue;
		}
		/* A margin between shares is in percentage points. */
		if (bit == PLAN_FAIL_SWAPPED)
			sla_measure(bit, fabs(got - bound), d, sizeof(d));
		else
			snprintf(d, sizeof(d), "%.2f points", 100 * fabs(got - bound));
		printf("    %-18s %s, bound %s %s: %s by %s\n", plan_fail_name(bit),
		       sla_measure(bit, got, a, sizeof(a)), upper ? "at most" : "at least",
		       sla_measure(bit, bound, b, sizeof(b)), miss ? "missed" : "held", d);
	}
}

/* The cost report, when the config has one (results' summary.cost). */
static void print_cost(const struct run_record *r)
{
	double plain = (double)r->hosts_without_overcommit, used = (double)r->hosts_used;

	if (!r->has_cost)
		return;
	printf("  cost:    %zu host%s x %.2f %s = %.2f %s a month; without overcommit %.0f "
	       "host%s, %.2f %s (%s %.2f %s)\n", r->hosts_used, r->hosts_used == 1 ? "" : "s",
	       r->host_per_month, r->currency, used * r->host_per_month, r->currency, plain,
	       plain == 1 ? "" : "s", plain * r->host_per_month, r->currency,
	       plain >= used ? "saves" : "costs", fabs(plain - used) * r->host_per_month,
	       r->currency);
}

/* The busiest host's peak used memory against the mean host's peak. */
static void print_imbalance(const struct run_record *r)
{
	const struct rec_host *top = NULL, *swap = NULL;
	double sum = 0;
	char a[32], b[32];

	for (size_t i = 0; i < r->n_hosts; i++) {
		const struct rec_host *h = &r->hosts[i];

		sum += (double)h->used_bytes_peak;
		if (!top || h->used_bytes_peak > top->used_bytes_peak)
			top = h;
		if (h->swapped_bytes_peak > 0 &&
		    (!swap || h->swapped_bytes_peak > swap->swapped_bytes_peak))
			swap = h;
	}
	if (!top || sum <= 0)
		return;
	printf("  busiest: %s peaked at %s used, %.2fx the mean host's peak (%s)", top->name,
	       units_format_size(top->used_bytes_peak, a, sizeof(a)),
	       (double)top->used_bytes_peak / (sum / (double)r->n_hosts),
	       units_format_size(llround(sum / (double)r->n_hosts), b, sizeof(b)));
	if (swap)
		printf("; most swapped: %s, %s at peak", swap->name,
		       units_format_size(swap->swapped_bytes_peak, a, sizeof(a)));
	printf("\n");
}

static void print_summary(const struct scenario *sc, const struct run_record *r,
			  const cJSON *json, const char *path)
{
	char a[32], b[32], d[32], e[32];

	printf("memsim: %s, replication %u (seed %llu): %lld hosts, %s simulated\n", r->name,
	       r->replication, (unsigned long long)r->seed, (long long)sc->n_hosts,
	       units_format_duration(sc->duration_ns, d, sizeof(d)));
	printf("  VMs:     %llu arrived, %llu placed, %llu rejected, %llu queued (%llu still "
	       "waiting)\n",
	       (unsigned long long)r->arrived, (unsigned long long)r->placed,
	       (unsigned long long)r->rejected, (unsigned long long)r->queued,
	       (unsigned long long)r->waiting);
	/* A valid answer, but one that the figures below would hide. */
	if (r->arrived == 0)
		printf("  note:    no VM arrived within the run\n");
	else if (r->rejected == r->arrived)
		printf("  note:    every arrival was rejected (%llu of %llu)\n",
		       (unsigned long long)r->rejected, (unsigned long long)r->arrived);
	else if (r->placed == 0)
		printf("  note:    no VM was placed (%llu still waiting at the end)\n",
		       (unsigned long long)r->waiting);
	printf("  memory:  %s of hosts, %s configured at peak (overcommit %.2f)\n",
	       units_format_size(r->host_bytes, a, sizeof(a)),
	       units_format_size(r->configured_bytes, b, sizeof(b)), r->overcommit_ratio);
	printf("  used:    %s mean, %s peak; swapped %s, ballooned %s (means)\n",
	       units_format_size((int64_t)r->used_mean, a, sizeof(a)),
	       units_format_size(r->used_peak, b, sizeof(b)),
	       units_format_size((int64_t)r->swapped_mean, d, sizeof(d)),
	       units_format_size((int64_t)r->ballooned_mean, e, sizeof(e)));
	if (r->placed == 0)
		printf("  VMs' cost: none ran\n");
	else
		printf("  VMs' cost: stall %.1f s, slowdown %.2f%% mean, %.2f%% p99, progress "
		       "%.1f%%; %llu out of memory\n", r->stall_s, 100 * r->slowdown_mean,
		       100 * r->slowdown_p99, 100 * r->progress_mean, (unsigned long long)r->oom);
	printf("  hosts:   %zu of %lld used\n", r->hosts_used, (long long)sc->n_hosts);
	print_imbalance(r);
	print_sla(json);
	print_cost(r);
	printf("  results: %s (%llu events, %.2f s)\n", path, (unsigned long long)r->events,
	       r->wall_s);
}

static int ensure_results_dir(const char *path, struct sim_err *err)
{
	if (strncmp(path, "results/", 8) != 0)
		return 0;
	if (mkdir("results", 0777) != 0 && errno != EEXIST)
		return sim_err_set(err, -SIM_EIO, "results", 0, 0, "cannot create: %s",
				   strerror(errno));
	return 0;
}

/* Any failure to load input is invalid input (2); during a run, failing
 * to write or to get memory is a failed run (1). */
static int run_exit_code(int rc)
{
	return rc == -SIM_EIO || rc == -SIM_ENOMEM ? EXIT_RUN_FAILED : EXIT_USAGE;
}

/*
 * Refuses results written over an input: the config, or the workload file
 * it loads (compared by device and inode, so any name for them counts).
 */
static int check_not_input(const char *path, const struct scenario *sc, struct sim_err *err)
{
	if (!strcmp(path, "-"))
		return 0;
	if (outfile_same_file(path, sc->path))
		return sim_err_set(err, -SIM_EINVAL, path, 0, 0,
				   "is this run's config; results are never written over an "
				   "input (choose another -o)");
	if (sc->trace_owned && sc->trace_root->file &&
	    outfile_same_file(path, sc->trace_root->file))
		return sim_err_set(err, -SIM_EINVAL, path, 0, 0,
				   "is the workload this run reads; results are never written "
				   "over an input (choose another -o)");
	return 0;
}

static int cmd_run(int argc, char **argv)
{
	struct cli c = {0};
	struct scenario sc;
	struct scenario_opts so;
	struct sim_err err = {0};
	int64_t r, first, last;
	int rc, code = EXIT_OK;

	if (wants_help(argc, argv)) {
		fputs(usage_run, stdout);
		return EXIT_OK;
	}
	if ((rc = parse_cli(argc, argv, true, usage_run, &c)) >= 0) {
		free(c.sets);
		return rc;
	}
	so = (struct scenario_opts){c.sets, c.n_sets, c.has_seed, c.seed};
	rc = scenario_load(c.config, &so, &sc, &err);
	if (!rc && c.has_replication && c.replication >= sc.replications)
		rc = sim_err_set(&err, -SIM_ERANGE, c.config, 0, 0,
				 "--replication %lld, but the config has %lld replications",
				 (long long)c.replication, (long long)sc.replications);
	first = c.has_replication ? c.replication : 0;
	last = c.has_replication ? c.replication : sc.replications - 1;
	for (r = first; !rc && r <= last; r++) {
		char *path = out_path(c.out, sc.name, r, sc.replications > 1);

		rc = check_not_input(path, &sc, &err);
		free(path);
	}
	if (rc) {
		sim_err_print(&err, stderr);
		scenario_release(&sc);
		free(c.sets);
		return EXIT_USAGE;
	}
	outfile_catch_signals();
	for (r = first; r <= last && code == EXIT_OK; r++) {
		struct run_record rec;
		char *path = out_path(c.out, sc.name, r, sc.replications > 1);
		char fp[FINGERPRINT_LEN];
		char *text = NULL;
		cJSON *json;

		struct run_opts ro = {.progress = !c.quiet && isatty(2),
				      .check_every = c.check,
				      .threads = (int)c.threads};

		/* Before the run, from the config as loaded, as a sweep computes it. */
		fingerprint_run(sc.root, sc.trace_owned ? sc.trace_root : NULL, sc.seed, (uint32_t)r,
				fp);
		rc = run_replication(&sc, (uint32_t)r, &ro, &rec, &err);
		if (!rc) {
			rec.fingerprint = fp;
			json = results_to_json(&rec);
			text = cJSON_Print(json);
			if (!strcmp(path, "-")) {
				if (puts(text) == EOF)
					rc = sim_err_set(&err, -SIM_EIO, "", 0, 0,
							 "cannot write to standard output: %s",
							 strerror(errno));
			} else if (!(rc = ensure_results_dir(path, &err))) {
				rc = results_write_file(path, text, &err);
			}
			if (!rc && !c.quiet && strcmp(path, "-") != 0)
				print_summary(&sc, &rec, json, path);
			cJSON_Delete(json);
			results_release(&rec);
			free(text);
		}
		if (rc) {
			sim_err_print(&err, stderr);
			code = run_exit_code(rc);
		}
		free(path);
	}
	scenario_release(&sc);
	free(c.sets);
	return code;
}

/* Above this page_size, validate says which metrics the granule biases. */
#define COARSE_PAGE_BYTES (64 * 1024)

static int cmd_validate(int argc, char **argv)
{
	struct cli c = {0};
	struct scenario sc;
	struct scenario_opts so;
	struct sim_err err = {0};
	char a[32], b[32], d[32];
	double pages, need;
	int rc;

	if (wants_help(argc, argv)) {
		fputs(usage_validate, stdout);
		return EXIT_OK;
	}
	if ((rc = parse_cli(argc, argv, false, usage_validate, &c)) >= 0) {
		free(c.sets);
		return rc;
	}
	so = (struct scenario_opts){c.sets, c.n_sets, c.has_seed, c.seed};
	rc = scenario_load(c.config, &so, &sc, &err);
	if (rc) {
		sim_err_print(&err, stderr);
		scenario_release(&sc);
		free(c.sets);
		return EXIT_USAGE;
	}
	pages = scenario_pages_estimate(&sc);
	need = run_memory_estimate(&sc);
	printf("%s: ok\n", c.config);
	printf("  name:        %s (seed %llu, %lld replication%s)\n", sc.name,
	       (unsigned long long)sc.seed, (long long)sc.replications,
	       sc.replications == 1 ? "" : "s");
	printf("  duration:    %s, sample every %s\n",
	       units_format_duration(sc.duration_ns, a, sizeof(a)),
	       units_format_duration(sc.sample_ns, b, sizeof(b)));
	printf("  hosts:       %lld in %zu group%s\n", (long long)sc.n_hosts, sc.n_groups,
	       sc.n_groups == 1 ? "" : "s");
	printf("  VMs:         %zu (%zu explicit, %zu group%s)\n", trace_vm_count(&sc.trace),
	       sc.trace.n_vms, sc.trace.n_groups, sc.trace.n_groups == 1 ? "" : "s");
	printf("  pages:       %.0f of %s (expected, from mean VM sizes)\n", pages,
	       units_format_size(sc.page_bytes, d, sizeof(d)));
	printf("  memory need: about %s for this run (%.3g bytes of state per page)\n",
	       units_format_size((int64_t)need, a, sizeof(a)), run_bytes_per_page(&sc));
	/* Figures from tests/bench/bench_convergence.c, as the README gives them. */
	if (sc.page_bytes > COARSE_PAGE_BYTES)
		printf("  granularity: above 64 KiB a miss moves the whole page: at 2 MiB, swap I/O x35-45 "
		       "and slowdown\n"
		       "               x1.3-4.4 the 4 KiB figures (README.md, \"How far results move "
		       "with page_size\")\n");
	scenario_release(&sc);
	free(c.sets);
	return EXIT_OK;
}

static int cmd_import(int argc, char **argv)
{
	struct import_opts o = {.time_scale = 1.0, .seed = 1};
	const char **paths = xcalloc((size_t)argc + 1, sizeof(*paths));
	const char *out = NULL, *kind = NULL;
	struct import_out io;
	struct sim_err err = {0};
	char why[256], *text = NULL;
	size_t n = 0, len = 0;
	import_fn *fn;
	FILE *f;
	int i, rc, code = EXIT_USAGE;

	if (wants_help(argc, argv)) {
		fputs(usage_import, stdout);
		free(paths);
		return EXIT_OK;
	}
	for (i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		int64_t x;

		if (a[0] == '-' && a[1] && !v) {
			usage_error(usage_import, "option '%s' needs a value", a);
			goto out;
		}
		if (!strcmp(a, "-o")) {
			out = v;
		} else if (!strcmp(a, "--time-scale")) {
			if (units_parse_number(v, &o.time_scale, why, sizeof(why)) ||
			    !(o.time_scale > 0)) {
				usage_error(usage_import,
					    "--time-scale needs a number > 0, not '%s'", v);
				goto out;
			}
		} else if (!strcmp(a, "--start") || !strcmp(a, "--length")) {
			if (units_parse_duration(v, &x, why, sizeof(why))) {
				usage_error(usage_import, "%s: %s", a, why);
				goto out;
			}
			*(a[2] == 's' ? &o.start_ns : &o.length_ns) = x;
		} else if (!strcmp(a, "--max-vms") || !strcmp(a, "--seed")) {
			if (units_parse_int(v, &x, why, sizeof(why)) || x < 0) {
				usage_error(usage_import, "%s needs a whole number >= 0, not '%s'",
					    a, v);
				goto out;
			}
			if (a[2] == 'm')
				o.max_vms = (size_t)x;
			else
				o.seed = (uint64_t)x;
		} else if (a[0] == '-' && a[1]) {
			usage_error(usage_import, "unknown option '%s'", a);
			goto out;
		} else if (!kind) {
			kind = a;
			continue;
		} else {
			paths[n++] = a;
			continue;
		}
		i++;
	}
	if (!kind || !n) {
		usage_error(usage_import, "%s", !kind ? "missing KIND" : "missing PATH");
		goto out;
	}
	fn = import_find(kind);
	if (!fn) {
		usage_error(usage_import, "unknown trace kind '%s' (known: %s)", kind,
			    import_names());
		goto out;
	}
	/* The trace is never written over what the import reads: a file given,
	 * or a file in a folder given, whose files an importer reads. */
	for (i = 0; out && (size_t)i < n; i++) {
		if (outfile_same_file(out, paths[i]))
			rc = sim_err_set(&err, -SIM_EINVAL, out, 0, 0,
					 "is an input of this import; the trace is never written "
					 "over its input (choose another -o)");
		else if (outfile_is_in_dir(out, paths[i]))
			rc = sim_err_set(&err, -SIM_EINVAL, out, 0, 0,
					 "is in the input folder %s, whose files this import "
					 "reads (choose another -o)", paths[i]);
		else
			continue;
		sim_err_print(&err, stderr);
		goto out;
	}
	outfile_catch_signals();
	/* The trace is built in memory and written only when complete, so a
	 * bad input leaves no output, on stdout as in a file. */
	f = open_memstream(&text, &len);
	if (!f)
		SIM_BUG("open_memstream failed");
	import_begin(&io, f, &o, kind);
	rc = fn(paths, n, &io, &err);
	if (!rc && io.rep.vms == 0)
		rc = sim_err_set(&err, -SIM_EINVAL, paths[0], 0, 0,
				 "no VM to write (check the files and the window)");
	fclose(f);
	if (rc) {
		sim_err_print(&err, stderr);
		goto out;
	}
	if (!out) {
		if (fwrite(text, 1, len, stdout) != len || fflush(stdout) != 0) {
			fprintf(stderr, "memsim: error: cannot write to standard output: %s\n",
				strerror(errno));
			code = EXIT_RUN_FAILED;
			goto out;
		}
	} else if ((rc = results_write_file(out, text, &err))) {
		sim_err_print(&err, stderr);
		code = EXIT_RUN_FAILED;
		goto out;
	}
	import_report_print(&io, kind, stderr);
	code = EXIT_OK;
out:
	free(text);
	free(paths);
	return code;
}

static int cmd_describe(int argc, char **argv)
{
	struct cfg_node *root = NULL;
	struct trace t = {0};
	struct scenario sc;
	struct sim_err err = {0};
	struct description d;
	struct vm_spec *vms = NULL;
	const char *path = NULL;
	int64_t seed = 1, bins = 12, horizon = 0;
	bool has_seed = false, config = false;
	char why[256];
	size_t n = 0;
	int i, rc;

	if (wants_help(argc, argv)) {
		fputs(usage_describe, stdout);
		return EXIT_OK;
	}
	for (i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : "";

		if (!strcmp(a, "--seed") || !strcmp(a, "--bins")) {
			int64_t *x = a[2] == 's' ? &seed : &bins;

			if (units_parse_int(v, x, why, sizeof(why)) || *x < (a[2] == 's' ? 0 : 1) ||
			    *x > (a[2] == 's' ? INT64_MAX : 1000))
				return usage_error(usage_describe,
						   "%s needs a whole number, not '%s'", a, v);
			has_seed |= a[2] == 's';
			i++;
		} else if (a[0] == '-' && a[1]) {
			return usage_error(usage_describe, "unknown option '%s'", a);
		} else if (!path) {
			path = a;
		} else {
			return usage_error(usage_describe, "unexpected argument '%s'", a);
		}
	}
	if (!path)
		return usage_error(usage_describe, "%s", "missing TRACE");
	rc = cfg_load_file(path, &root, &err);
	/* A config (it has a workload): its trace, its seed, its duration. */
	if (!rc && cfg_get(root, "workload")) {
		struct scenario_opts so = {.has_seed = has_seed, .seed = (uint64_t)seed};

		config = true;
		cfg_free(root);
		root = NULL;
		rc = scenario_load(path, &so, &sc, &err);
		if (!rc) {
			seed = (int64_t)sc.seed;
			horizon = sc.duration_ns;
			rc = trace_expand(&sc.trace, sc.seed, 0, sc.page_bytes, &vms, &n, &err);
		}
	} else if (!rc) {
		rc = trace_load(root, &t, &err);
		if (!rc)
			rc = describe_check_fits(&t, (size_t)bins, path, &err);
		if (!rc)
			rc = trace_expand(&t, (uint64_t)seed, 0, 4096, &vms, &n, &err);
	}
	if (rc) {
		sim_err_print(&err, stderr);
		if (config)
			scenario_release(&sc);
		trace_release(&t);
		cfg_free(root);
		return rc == -SIM_ENOMEM ? EXIT_RUN_FAILED : EXIT_USAGE;
	}
	describe_vms_to(vms, n, (size_t)bins, horizon, &d);
	printf("%s (seed %lld%s)\n", path, (long long)seed,
	       config ? has_seed ? ", from --seed" : ", the config's" : "");
	describe_print(&d, stdout);
	describe_release(&d);
	trace_specs_free(vms, n);
	if (config)
		scenario_release(&sc);
	trace_release(&t);
	cfg_free(root);
	return EXIT_OK;
}

static void *json_malloc(size_t n)
{
	return xmalloc(n);
}

static cJSON_Hooks json_hooks = {.malloc_fn = json_malloc, .free_fn = free};

/* The sweep's view of a config (sweep.h): loaded here, in the driver. */
static int config_fingerprints(const char *config, const char *const *sets, size_t n_sets,
			       const char *seed, size_t reps, char (*out)[FINGERPRINT_LEN])
{
	struct scenario_opts so = {sets, n_sets, seed != NULL,
				   seed ? strtoull(seed, NULL, 10) : 0};
	struct sim_err err = {0};
	struct scenario sc;
	size_t r;
	int rc = scenario_load(config, &so, &sc, &err);

	for (r = 0; !rc && r < reps; r++)
		fingerprint_run(sc.root, sc.trace_owned ? sc.trace_root : NULL, sc.seed,
				(uint32_t)r, out[r]);
	scenario_release(&sc);
	return rc;
}

static int dispatch(int argc, char **argv)
{
	const char *cmd;

	if (argc < 2) {
		fputs(usage_main, stderr);
		return EXIT_USAGE;
	}
	cmd = argv[1];
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
		fputs(usage_main, stdout);
		return EXIT_OK;
	}
	if (!strcmp(cmd, "--version")) {
		printf("memsim %s\n", MEMSIM_VERSION);
		return EXIT_OK;
	}
	if (!strcmp(cmd, "run"))
		return cmd_run(argc - 2, argv + 2);
	if (!strcmp(cmd, "validate"))
		return cmd_validate(argc - 2, argv + 2);
	if (!strcmp(cmd, "import"))
		return cmd_import(argc - 2, argv + 2);
	if (!strcmp(cmd, "describe"))
		return cmd_describe(argc - 2, argv + 2);
	if (!strcmp(cmd, "sweep"))
		return sweep_main(argc - 2, argv + 2, config_fingerprints);
	if (!strcmp(cmd, "plan"))
		return plan_main(argc - 2, argv + 2);
	if (!strcmp(cmd, "compare"))
		return compare_main(argc - 2, argv + 2);
	if (!strcmp(cmd, "plot"))
		return plot_main(argc - 2, argv + 2);
	if (!strcmp(cmd, "table"))
		return table_main(argc - 2, argv + 2);
	fprintf(stderr, "memsim: unknown command '%s'\n\n%s", cmd, usage_main);
	return EXIT_USAGE;
}

/* Every command's output to stdout is checked once it is flushed and closed. */
int main(int argc, char **argv)
{
	gsl_set_error_handler_off();
	cJSON_InitHooks(&json_hooks);   /* cJSON out of memory exits as xmalloc does */
	return outfile_close_stdout(dispatch(argc, argv));
}
