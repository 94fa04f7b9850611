/*
 * main.c - the memsim command line (DESIGN.md section 7).
 *
 * Exit status: 0 success, 1 the run failed (I/O), 2 usage error or invalid
 * input.  An input error is one line on stderr in gcc's form, and no
 * results file is left behind: results are written to a temporary file and
 * renamed, and a failed run removes a stale file of the same name.
 */
#include <errno.h>
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
#include "import.h"
#include "mem.h"
#include "plan.h"
#include "plot.h"
#include "results.h"
#include "run.h"
#include "scenario.h"
#include "sweep.h"
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
	"  describe TRACE    what a trace amounts to over time\n"
	"  compare A.json B.json...  results side by side\n"
	"  sweep SWEEP.yaml  a parameter grid with replications\n"
	"  plan CONFIG --search KEY  the smallest value that meets the SLA\n"
	"  plot FILE.json... pictures of results and sweep summaries (gnuplot)\n"
	"\n"
	"  memsim <command> --help   options of a command\n"
	"  memsim --version          the version\n";

static const char usage_run[] =
	"usage: memsim run CONFIG [-o RESULTS.json] [--set KEY=VALUE]... [--seed N]\n"
	"                  [--replication R] [--check] [--quiet]\n"
	"\n"
	"  -o PATH           results file (default results/<name>.json; - for stdout);\n"
	"                    with replications > 1, one file per replication,\n"
	"                    PATH with -r<R> before .json\n"
	"  --set KEY=VALUE   override a config key by its path (hosts.0.count=8);\n"
	"                    VALUE is YAML, so lists and mappings work too\n"
	"  --seed N          override the config's seed\n"
	"  --replication R   run only replication R (0-based)\n"
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
	"usage: memsim describe TRACE [--seed N] [--bins N]\n"
	"\n"
	"Loads a workload trace (as `workload:` in a config takes it), draws its\n"
	"groups with the seed (default 1), and prints the VM count, the arrivals,\n"
	"and the configured and working-set memory alive over time in N bins\n"
	"(default 12).\n";

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
		    (is_run && (!strcmp(a, "-o") || !strcmp(a, "--replication")))) {
			if (!val)
				return usage_error(usage, "option '%s' needs a value", a);
			i++;
		}
		if (!strcmp(a, "--set")) {
			c->sets[c->n_sets++] = val;
		} else if (!strcmp(a, "--seed")) {
			int64_t v;

			if (units_parse_int(val, &v, why, sizeof(why)) || v < 0)
				return usage_error(
					usage, "--seed needs a whole number >= 0, not '%s'", val);
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

static void print_summary(const struct scenario *sc, const struct run_record *r,
			  const char *path)
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
	printf("  memory:  %s of hosts, %s configured at peak (overcommit %.2f)\n",
	       units_format_size(r->host_bytes, a, sizeof(a)),
	       units_format_size(r->configured_bytes, b, sizeof(b)), r->overcommit_ratio);
	printf("  used:    %s mean, %s peak; swapped %s, ballooned %s (means)\n",
	       units_format_size((int64_t)r->used_mean, a, sizeof(a)),
	       units_format_size(r->used_peak, b, sizeof(b)),
	       units_format_size((int64_t)r->swapped_mean, d, sizeof(d)),
	       units_format_size((int64_t)r->ballooned_mean, e, sizeof(e)));
	printf("  VMs' cost: stall %.1f s, slowdown %.2f%% mean, %.2f%% p99, progress %.1f%%; "
	       "%llu out of memory\n",
	       r->stall_s, 100 * r->slowdown_mean, 100 * r->slowdown_p99, 100 * r->progress_mean,
	       (unsigned long long)r->oom);
	printf("  hosts:   %zu of %lld used\n", r->hosts_used, (long long)sc->n_hosts);
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
 * Results of an earlier run under the same -o would now be stale: removes
 * OUT and OUT-r<R> for R = 0, 1, ... while they exist.
 */
static void remove_stale(const char *out)
{
	int64_t r;

	if (!out || !strcmp(out, "-"))
		return;
	unlink(out);
	for (r = 0;; r++) {
		char *p = out_path(out, "", r, true);
		int gone = unlink(p);

		free(p);
		if (gone != 0)
			break;
	}
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
	if (rc) {
		sim_err_print(&err, stderr);
		remove_stale(c.out);
		scenario_release(&sc);
		free(c.sets);
		return EXIT_USAGE;
	}
	first = c.has_replication ? c.replication : 0;
	last = c.has_replication ? c.replication : sc.replications - 1;
	for (r = first; r <= last && code == EXIT_OK; r++) {
		struct run_record rec;
		char *path = out_path(c.out, sc.name, r, sc.replications > 1);
		char *text = NULL;
		cJSON *json;

		struct run_opts ro = {.progress = !c.quiet && isatty(2), .check_every = c.check};

		rc = run_replication(&sc, (uint32_t)r, &ro, &rec, &err);
		if (!rc) {
			json = results_to_json(&rec);
			text = cJSON_Print(json);
			cJSON_Delete(json);
			if (!strcmp(path, "-")) {
				puts(text);
			} else if (!(rc = ensure_results_dir(path, &err))) {
				rc = results_write_file(path, text, &err);
			}
			if (!rc && !c.quiet && strcmp(path, "-") != 0)
				print_summary(&sc, &rec, path);
			results_release(&rec);
			free(text);
		}
		if (rc) {
			sim_err_print(&err, stderr);
			if (strcmp(path, "-") != 0)
				unlink(path);
			code = run_exit_code(rc);
		}
		free(path);
	}
	scenario_release(&sc);
	free(c.sets);
	return code;
}

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
	       units_format_size((int64_t)need, a, sizeof(a)), MEM_BYTES_PER_PAGE);
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
		if (out)
			unlink(out);
		goto out;
	}
	if (!out) {
		fwrite(text, 1, len, stdout);
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
	struct sim_err err = {0};
	struct description d;
	struct vm_spec *vms = NULL;
	const char *path = NULL;
	int64_t seed = 1, bins = 12;
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
	if (!rc)
		rc = trace_load(root, &t, &err);
	if (!rc)
		rc = describe_check_fits(&t, (size_t)bins, path, &err);
	if (!rc)
		rc = trace_expand(&t, (uint64_t)seed, 0, 4096, &vms, &n, &err);
	if (rc) {
		sim_err_print(&err, stderr);
		trace_release(&t);
		cfg_free(root);
		return rc == -SIM_ENOMEM ? EXIT_RUN_FAILED : EXIT_USAGE;
	}
	describe_vms(vms, n, (size_t)bins, &d);
	printf("%s (seed %lld)\n", path, (long long)seed);
	describe_print(&d, stdout);
	describe_release(&d);
	trace_specs_free(vms, n);
	trace_release(&t);
	cfg_free(root);
	return EXIT_OK;
}

static void *json_malloc(size_t n)
{
	return xmalloc(n);
}

static cJSON_Hooks json_hooks = {.malloc_fn = json_malloc, .free_fn = free};

int main(int argc, char **argv)
{
	const char *cmd;

	gsl_set_error_handler_off();
	cJSON_InitHooks(&json_hooks);   /* cJSON out of memory exits as xmalloc does */
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
		return sweep_main(argc - 2, argv + 2);
	if (!strcmp(cmd, "plan"))
		return plan_main(argc - 2, argv + 2);
	if (!strcmp(cmd, "compare"))
		return compare_main(argc - 2, argv + 2);
	if (!strcmp(cmd, "plot"))
		return plot_main(argc - 2, argv + 2);
	fprintf(stderr, "memsim: unknown command '%s'\n\n%s", cmd, usage_main);
	return EXIT_USAGE;
}
