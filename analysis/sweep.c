/*
 * sweep.c - `memsim sweep SWEEP.yaml [-j N] [-o DIR]`: every point of a sweep
 * file times its replications, each one `memsim run` in a child process,
 * then the summaries (DESIGN.md section 9).
 *
 * Resuming is simple because `memsim run` writes its results file
 * atomically (temporary file, then rename): a run whose DIR/runs/<point>-
 * r<rep>.json exists is done, and a sweep started again runs only the
 * others.  Done means made from the same inputs: every results file
 * carries the fingerprint of its effective config, seed and replication
 * (fingerprint.h), the sweep computes the one each run would have now by
 * loading the base config with the point's overrides, and a file whose
 * fingerprint differs (the axes or the base config changed since) is
 * removed and run again.  The summary and stderr say how many runs were
 * reused, redone and new.
 *
 * A failed run leaves <point>-r<rep>.err with its stderr (also
 * written atomically) and is tried again by the next start.  Children die
 * with the sweep (PR_SET_PDEATHSIG), so a killed sweep leaves no orphan
 * writing into DIR; the next start removes their temporary files.  A lock
 * on DIR/.lock keeps two sweeps out of one folder.  The summaries are
 * computed from the run files alone (sweep_sum.c), so neither -j nor an
 * interruption changes a byte of them.
 *
 * Built with -DMEMSIM_MPI (`make mpi`), `--mpi` shares the runs among the
 * ranks of an MPI job: rank r of s takes the runs whose index in the fixed
 * run order is r modulo s, and runs them as above with its own -j workers.
 * Rank 0 alone takes the lock and removes leftovers before any rank starts,
 * and writes the summaries once every rank is done.  The children run
 * `memsim run` and never call MPI_Init, so they are plain processes.
 */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifdef MEMSIM_MPI
#include <mpi.h>
#endif

#include "err.h"
#include "fingerprint.h"
#include "results.h"
#include "sweep.h"
#include "sweep_spec.h"
#include "sweep_sum.h"
#include "units.h"
#include "xmem.h"

enum { EXIT_OK = 0, EXIT_RUN_FAILED = 1, EXIT_USAGE = 2 };

/* Tunable: the most worker processes -j may ask for. */
static const int64_t SWEEP_MAX_JOBS = 1024;

static const char usage_sweep[] =
	"usage: memsim sweep SWEEP.yaml [-j N] [-o DIR] [--set K=V]... [--seed N]\n"
	"\n"
	"Runs every point of a sweep file (a base config, axes of --set values,\n"
	"grid or zip, replications) as `memsim run`, then writes DIR/summary.json\n"
	"and DIR/summary.csv: each metric's mean and 95% confidence interval, and\n"
	"paired differences against the baseline points.  Started again after an\n"
	"interruption, it runs only the missing runs.\n"
	"\n"
	"  -j N     run N runs at once (default 1)\n"
	"  -o DIR   output folder (default sweeps/<sweep file name without .yaml>)\n"
	"  --set K=V  override a base config key in every run (the axes win);\n"
	"           give the same --set and --seed when resuming\n"
	"  --seed N   override the base config's seed in every run\n"
#ifdef MEMSIM_MPI
	"  --mpi    share the runs among the ranks of an MPI job (under mpirun); DIR\n"
	"           must be on a filesystem every rank sees\n"
#endif
	;

/* The MPI job this sweep belongs to: rank 0 of 1 without --mpi. */
struct ranks {
	bool mpi;
	int rank, size;
};

/*
 * The largest of every rank's v, known to all; it waits for every rank, so
 * it also orders what the ranks did before it.  Just v without --mpi.
 */
static int ranks_max(const struct ranks *k, int v)
{
#ifdef MEMSIM_MPI
	if (k->mpi)
		MPI_Allreduce(MPI_IN_PLACE, &v, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
#else
	(void)k;
#endif
	return v;
}

/* The sum of every rank's v, known to all; just v without --mpi. */
static size_t ranks_sum(const struct ranks *k, size_t v)
{
#ifdef MEMSIM_MPI
	if (k->mpi) {
		unsigned long long x = v;

		MPI_Allreduce(MPI_IN_PLACE, &x, 1, MPI_UNSIGNED_LONG_LONG, MPI_SUM,
			      MPI_COMM_WORLD);
		v = (size_t)x;
	}
#else
	(void)k;
#endif
	return v;
}

/* One point-replication to run. */
struct task {
	size_t point;
	long rep;
	pid_t pid;                      /* while it runs */
};

struct runner {
	const struct sweep_spec *spec;
	const char *dir;
	const char *self;               /* this binary, from /proc/self/exe */
	const char *const *sets;        /* --set K=V for every run, before the axes */
	size_t n_sets;
	const char *seed;               /* --seed N, or NULL */
	sweep_fingerprints_fn *fingerprints;    /* the driver's */
	bool progress;                  /* stderr is a terminal */
	size_t total, done, failed;
	struct timespec start;
};

__attribute__((format(printf, 1, 2)))
static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "memsim: ");
	va_start(ap, fmt);
	sim_vprint_line(stderr, fmt, ap);       /* echoed arguments stay on one line */
	va_end(ap);
	fprintf(stderr, "\n%s", usage_sweep);
	return EXIT_USAGE;
}

/* A freshly allocated "DIR/runs/<point>-r<rep><suffix>". */
static char *run_path(const char *dir, size_t point, long rep, const char *suffix)
{
	size_t n = strlen(dir) + strlen(suffix) + 64;
	char *p = xmalloc(n);
	char id[32];

	sweep_spec_point_id(point, id, sizeof(id));
	snprintf(p, n, "%s/runs/%s-r%ld%s", dir, id, rep, suffix);
	return p;
}

static bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* mkdir -p. */
static int make_dirs(const char *path, struct sim_err *err)
{
	char *p = xstrdup(path);
	char *s;
	int rc = 0;

	for (s = p + 1;; s++) {
		if (*s != '/' && *s)
			continue;
		{
			char c = *s;

			*s = '\0';
			if (mkdir(p, 0777) != 0 && errno != EEXIST)
				rc = sim_err_set(err, -SIM_EIO, p, 0, 0, "cannot create: %s",
						 strerror(errno));
			*s = c;
		}
		if (rc || !*s)
			break;
	}
	free(p);
	return rc;
}

/* Takes DIR/.lock for the life of the process (released even by SIGKILL). */
static int lock_dir(const char *dir, struct sim_err *err)
{
	size_t n = strlen(dir) + 16;
	char *p = xmalloc(n);
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	int fd, rc = 0;

	snprintf(p, n, "%s/.lock", dir);
	fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0)
		rc = sim_err_set(err, -SIM_EIO, p, 0, 0, "cannot create: %s", strerror(errno));
	else if (fcntl(fd, F_SETLK, &fl) != 0)
		rc = sim_err_set(err, -SIM_EIO, dir, 0, 0,
				 "another sweep is writing into this folder");
	free(p);
	return rc;
}

/* Removes temporary files left in DIR/runs by a sweep that was killed. */
static void remove_leftovers(const char *dir)
{
	size_t n = strlen(dir) + 16;
	char *runs = xmalloc(n);
	struct dirent *e;
	DIR *d;

	snprintf(runs, n, "%s/runs", dir);
	d = opendir(runs);
	while (d && (e = readdir(d))) {
		if (strstr(e->d_name, ".tmp")) {
			size_t m = n + strlen(e->d_name) + 2;
			char *p = xmalloc(m);

			snprintf(p, m, "%s/%s", runs, e->d_name);
			unlink(p);
			free(p);
		}
	}
	if (d)
		closedir(d);
	free(runs);
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) * 1e-9;
}

static void show_progress(const struct runner *r, bool last)
{
	double el = seconds_since(&r->start);
	char left[64] = "";

	if (!r->progress)
		return;
	if (r->done && !last) {
		double eta = el / (double)r->done * (double)(r->total - r->done);

		snprintf(left, sizeof(left), ", about %.0fs left", eta + 0.5);
	}
	fprintf(stderr, "\rmemsim sweep: %zu/%zu runs, %zu failed%s\033[K%s", r->done, r->total,
		r->failed, left, last ? "\n" : "");
	fflush(stderr);
}

/*
 * The --set overrides of point p, as `memsim run` gets them, in order:
 * replications=R, then KEY=VALUE for each axis.  Free with free_sets.
 */
/*
 * The --set list of a run of point p: its replication count, the sweep's
 * own --set values, then the point's axes, which win over both.
 */
static char **point_sets(const struct runner *r, size_t p, size_t *n)
{
	const struct sweep_spec *s = r->spec;
	char **sets = xcalloc(1 + r->n_sets + s->n_axes, sizeof(*sets));
	size_t a, k = 0;

	sets[k] = xmalloc(48);
	snprintf(sets[k++], 48, "replications=%lld", (long long)s->replications);
	for (a = 0; a < r->n_sets; a++)
		sets[k++] = xstrdup(r->sets[a]);
	for (a = 0; a < s->n_axes; a++) {
		const char *v = sweep_spec_value(s, p, a);
		size_t len = strlen(s->axes[a].key) + strlen(v) + 2;

		sets[k] = xmalloc(len);
		snprintf(sets[k++], len, "%s=%s", s->axes[a].key, v);
	}
	*n = k;
	return sets;
}

static void free_sets(char **sets, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(sets[i]);
	free(sets);
}

/* In the child: becomes `memsim run` for task t; never returns. */
static void exec_run(const struct runner *r, const struct task *t, pid_t parent)
{
	const struct sweep_spec *s = r->spec;
	size_t n_args = 14 + 2 * s->n_axes + 2 * r->n_sets, k = 0, a, n_sets;
	char **argv = xcalloc(n_args, sizeof(*argv));
	char **sets = point_sets(r, t->point, &n_sets);
	char *out, *err_tmp, rep[32];
	int fd;

	/* Die with the sweep, so a killed sweep leaves no run writing into DIR. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
		_exit(127);
	err_tmp = run_path(r->dir, t->point, t->rep, ".err.tmp");
	fd = open(err_tmp, O_WRONLY | O_CREAT | O_TRUNC, 0666);
	if (fd < 0 || dup2(fd, STDERR_FILENO) < 0)
		_exit(127);
	close(fd);
	fd = open("/dev/null", O_WRONLY);
	if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0)
		_exit(127);
	close(fd);
	/*
	 * With replications > 1, `memsim run -o X.json --replication R` writes
	 * X-rR.json; with one replication it writes X.json itself.
	 */
	if (s->replications > 1) {
		char id[32];

		sweep_spec_point_id(t->point, id, sizeof(id));
		out = xmalloc(strlen(r->dir) + 48);
		sprintf(out, "%s/runs/%s.json", r->dir, id);
	} else {
		out = run_path(r->dir, t->point, t->rep, ".json");
	}
	snprintf(rep, sizeof(rep), "%ld", t->rep);
	argv[k++] = (char *)"memsim";
	argv[k++] = (char *)"run";
	argv[k++] = s->base;
	if (r->seed) {
		argv[k++] = (char *)"--seed";
		argv[k++] = (char *)r->seed;
	}
	for (a = 0; a < n_sets; a++) {
		argv[k++] = (char *)"--set";
		argv[k++] = sets[a];
	}
	argv[k++] = (char *)"--replication";
	argv[k++] = rep;
	argv[k++] = (char *)"--quiet";
	argv[k++] = (char *)"-o";
	argv[k++] = out;
	argv[k] = NULL;
	execv(r->self, argv);
	fprintf(stderr, "memsim: error: cannot run %s: %s\n", r->self, strerror(errno));
	_exit(127);
}

static pid_t start_run(const struct runner *r, const struct task *t, struct sim_err *err)
{
	char *stale = run_path(r->dir, t->point, t->rep, ".err");
	pid_t parent = getpid();
	pid_t pid;

	unlink(stale);
	free(stale);
	fflush(NULL);
	pid = fork();
	if (pid == 0)
		exec_run(r, t, parent);
	if (pid < 0)
		sim_err_set(err, -SIM_EIO, "", 0, 0, "cannot start a run: %s", strerror(errno));
	return pid;
}

/* Records how task t ended; returns whether it succeeded. */
static bool finish_run(struct runner *r, const struct task *t, int status)
{
	char *json = run_path(r->dir, t->point, t->rep, ".json");
	char *tmp = run_path(r->dir, t->point, t->rep, ".err.tmp");
	char *errp = run_path(r->dir, t->point, t->rep, ".err");
	bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0 && exists(json);

	if (!ok) {
		char *text = NULL;
		struct sim_err e;
		FILE *f = fopen(tmp, "rb");
		size_t n = 0;
		char why[96];

		if (f) {
			text = xcalloc(4097, 1);
			n = fread(text, 1, 4096, f);
			fclose(f);
			while (n && (text[n - 1] == '\n' || text[n - 1] == ' '))
				text[--n] = '\0';
		}
		if (WIFSIGNALED(status))
			snprintf(why, sizeof(why), "killed by signal %d", WTERMSIG(status));
		else if (WEXITSTATUS(status) != 0)
			snprintf(why, sizeof(why), "exit status %d", WEXITSTATUS(status));
		else
			snprintf(why, sizeof(why), "no results file was written");
		if (results_write_file(errp, n ? text : why, &e) != 0)
			sim_err_print(&e, stderr);
		free(text);
		r->failed++;
	}
	unlink(tmp);
	r->done++;
	free(json);
	free(tmp);
	free(errp);
	return ok;
}

/* Runs the tasks with up to jobs children at once. */
static int run_all(struct runner *r, struct task *tasks, size_t n, int64_t jobs,
		   struct sim_err *err)
{
	size_t next = 0, running = 0, i;
	int rc = 0;

	r->total = n;
	clock_gettime(CLOCK_MONOTONIC, &r->start);
	show_progress(r, false);
	while (next < n || running) {
		int status;
		pid_t pid;

		while (!rc && next < n && running < (size_t)jobs) {
			tasks[next].pid = start_run(r, &tasks[next], err);
			if (tasks[next].pid < 0) {
				rc = err->code;
				break;
			}
			next++;
			running++;
		}
		if (!running)
			break;
		pid = waitpid(-1, &status, 0);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			rc = sim_err_set(err, -SIM_EIO, "", 0, 0, "waiting for runs: %s",
					 strerror(errno));
			break;
		}
		for (i = 0; i < next; i++)
			if (tasks[i].pid == pid) {
				tasks[i].pid = 0;
				running--;
				finish_run(r, &tasks[i], status);
				show_progress(r, false);
				break;
			}
		if (rc && !running)
			break;
	}
	show_progress(r, true);
	return rc;
}

/* The default output folder: sweeps/<sweep file name without extension>. */
static char *default_dir(const char *path)
{
	const char *base = strrchr(path, '/');
	const char *dot;
	size_t n;
	char *d;

	base = base ? base + 1 : path;
	dot = strrchr(base, '.');
	n = dot && dot != base ? (size_t)(dot - base) : strlen(base);
	d = xmalloc(n + 8);
	snprintf(d, n + 8, "sweeps/%.*s", (int)n, base);
	return d;
}

/*
 * This rank's runs of point p that must run, written to tasks; returns how
 * many.  A results file is reused when its fingerprint is the one the run
 * would have now; otherwise it is removed and run again.  When the point's
 * config does not load, its runs go ahead and fail with the reason.
 */
static size_t plan_point(const struct runner *r, size_t p, const struct ranks *k,
			 struct task *tasks, struct sweep_tally *tally)
{
	const struct sweep_spec *s = r->spec;
	size_t R = (size_t)s->replications, rep, n = 0, n_sets, mine = 0;
	char (*want)[FINGERPRINT_LEN];
	char **sets;
	bool loaded;

	/* Under MPI, a point none of whose runs is this rank's is not loaded. */
	for (rep = 0; rep < R; rep++)
		mine += (p * R + rep) % (size_t)k->size == (size_t)k->rank;
	if (!mine)
		return 0;
	sets = point_sets(r, p, &n_sets);
	want = xcalloc(R, sizeof(*want));
	loaded = r->fingerprints(s->base, (const char *const *)sets, n_sets, r->seed, R,
				 want) == 0;

	for (rep = 0; rep < R; rep++) {
		char have[FINGERPRINT_LEN];
		char *json;

		if ((p * R + rep) % (size_t)k->size != (size_t)k->rank)
			continue;
		json = run_path(r->dir, p, (long)rep, ".json");
		if (!exists(json)) {
			tally->fresh++;
		} else if (loaded && fingerprint_read(json, have) && !strcmp(have, want[rep])) {
			char *e = run_path(r->dir, p, (long)rep, ".err");

			unlink(e);
			free(e);
			tally->reused++;
			free(json);
			continue;
		} else {
			unlink(json);
			tally->redone++;
		}
		tasks[n].point = p;
		tasks[n++].rep = (long)rep;
		free(json);
	}
	free(want);
	free_sets(sets, n_sets);
	return n;
}

static int sweep(const struct sweep_spec *s, const char *dir, int64_t jobs,
		 const struct ranks *k, const struct runner *opts)
{
	struct runner r = { .spec = s, .dir = dir, .progress = isatty(STDERR_FILENO),
			    .sets = opts->sets, .n_sets = opts->n_sets, .seed = opts->seed,
			    .fingerprints = opts->fingerprints };
	size_t R = (size_t)s->replications, n = 0, p;
	struct task *tasks = xcalloc(s->n_points * R + 1, sizeof(*tasks));
	struct sweep_sum *sum;
	struct sweep_tally tally = { 0 };
	struct sim_err err = { 0 };
	char *runs = xmalloc(strlen(dir) + 8);
	char self[4096];
	ssize_t len;
	int rc;

	sprintf(runs, "%s/runs", dir);
	len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (len < 0) {
		rc = sim_err_set(&err, -SIM_EIO, "/proc/self/exe", 0, 0, "cannot read: %s",
				 strerror(errno));
	} else {
		self[len] = '\0';
		r.self = self;
		rc = make_dirs(runs, &err);
	}
	if (!rc && k->rank == 0) {
		rc = lock_dir(dir, &err);
		if (!rc)
			remove_leftovers(dir);
	}
	/* No rank starts a run before rank 0 has the lock and has cleaned up. */
	if (ranks_max(k, rc != 0)) {
		if (rc)
			sim_err_print(&err, stderr);
		free(tasks);
		free(runs);
		return EXIT_RUN_FAILED;
	}
	for (p = 0; p < s->n_points; p++)
		n += plan_point(&r, p, k, tasks + n, &tally);
	rc = run_all(&r, tasks, n, jobs, &err);
	tally.reused = ranks_sum(k, tally.reused);
	tally.redone = ranks_sum(k, tally.redone);
	tally.fresh = ranks_sum(k, tally.fresh);
	/* Every rank's runs are done; rank 0 alone writes the summaries. */
	if (ranks_max(k, rc != 0) && !rc && k->rank == 0) {
		/* Another rank could not start a run and said why; the summary shows it. */
		rc = -SIM_EIO;
		err.code = 0;
	}
	if (k->rank != 0)
		goto out;
	/* The summaries are written even when a run could not be started. */
	sum = sweep_sum_build(s, dir);
	sweep_sum_set_tally(sum, &tally);
	fprintf(stderr, "memsim sweep: %zu runs: %zu reused, %zu redone (made from another "
		"config or seed), %zu new\n", tally.reused + tally.redone + tally.fresh,
		tally.reused, tally.redone, tally.fresh);
	{
		struct sim_err werr = { 0 };
		int wrc = sweep_sum_write(sum, dir, &werr);

		if (wrc && !rc) {
			rc = wrc;
			err = werr;
		}
	}
	if (!rc && sweep_sum_failed(sum)) {
		fprintf(stderr, "memsim: error: %zu of %zu runs failed; see %s/summary.json\n",
			sweep_sum_failed(sum), s->n_points * R, dir);
		sweep_sum_free(sum);
		rc = 0;
		free(tasks);
		free(runs);
		return EXIT_RUN_FAILED;
	}
	sweep_sum_free(sum);
out:
	if (rc && err.code)
		sim_err_print(&err, stderr);
	free(tasks);
	free(runs);
	return rc ? EXIT_RUN_FAILED : EXIT_OK;
}

static bool parse_jobs(const char *s, int64_t *jobs)
{
	char why[128];

	return !units_parse_int(s, jobs, why, sizeof(why)) && *jobs >= 1 &&
	       *jobs <= SWEEP_MAX_JOBS;
}

/* sweep_main's work; sets has room for argc --set values. */
static int sweep_cli(int argc, char **argv, const char **sets,
		     sweep_fingerprints_fn *fingerprints)
{
	const char *file = NULL, *out = NULL;
	struct sweep_spec s;
	struct sim_err err = { 0 };
	struct ranks k = { .mpi = false, .rank = 0, .size = 1 };
	struct runner opts = { .sets = sets, .fingerprints = fingerprints };
	int64_t jobs = 1, seed;
	char *dir, why[128];
	int i, rc;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(usage_sweep, stdout);
			return EXIT_OK;
		}
		if (!strcmp(a, "--set") || !strcmp(a, "--seed")) {
			const char *v = i + 1 < argc ? argv[++i] : NULL;

			if (!v || (!strcmp(a, "--set") && (!strchr(v, '=') || v[0] == '=')) ||
			    (!strcmp(a, "--seed") &&
			     (units_parse_int(v, &seed, why, sizeof(why)) || seed < 0)))
				return usage_error("%s needs %s, not '%s'", a,
						   !strcmp(a, "--set") ? "KEY=VALUE" :
						   "a whole number >= 0", v ? v : "");
			if (!strcmp(a, "--seed"))
				opts.seed = v;
			else
				sets[opts.n_sets++] = v;
		} else if (!strcmp(a, "-j") || !strcmp(a, "-o")) {
			if (i + 1 >= argc)
				return usage_error("option '%s' needs a value", a);
			if (!strcmp(a, "-o")) {
				out = argv[++i];
			} else if (!parse_jobs(argv[++i], &jobs)) {
				return usage_error("-j needs a whole number from 1 to %lld, "
						   "not '%s'", (long long)SWEEP_MAX_JOBS, argv[i]);
			}
		} else if (!strcmp(a, "--mpi")) {
#ifdef MEMSIM_MPI
			k.mpi = true;
#else
			fprintf(stderr, "memsim: error: 'sweep --mpi' needs a memsim built "
				"with MPI; build one with `make mpi` (build/mpi/memsim)\n");
			return EXIT_USAGE;
#endif
		} else if (a[0] == '-' && a[1]) {
			return usage_error("unknown option '%s'", a);
		} else if (file) {
			return usage_error("one sweep file only, not also '%s'", a);
		} else {
			file = a;
		}
	}
	if (!file)
		return usage_error("missing the sweep file");
	if (out && !out[0])
		return usage_error("-o needs a folder");
#ifdef MEMSIM_MPI
	if (k.mpi) {
		MPI_Init(NULL, NULL);
		MPI_Comm_rank(MPI_COMM_WORLD, &k.rank);
		MPI_Comm_size(MPI_COMM_WORLD, &k.size);
	}
#endif
	rc = sweep_spec_load(file, &s, &err);
	if (rc)
		sim_err_print(&err, stderr);
	/* Every rank goes on, or none does. */
	if (ranks_max(&k, rc != 0)) {
		if (!rc)
			sweep_spec_release(&s);
		rc = EXIT_USAGE;
	} else {
		dir = out ? xstrdup(out) : default_dir(file);
		rc = sweep(&s, dir, jobs, &k, &opts);
		free(dir);
		sweep_spec_release(&s);
	}
#ifdef MEMSIM_MPI
	if (k.mpi)
		MPI_Finalize();
#endif
	return rc;
}

int sweep_main(int argc, char **argv, sweep_fingerprints_fn *fingerprints)
{
	const char **sets = xcalloc((size_t)argc + 1, sizeof(*sets));
	int rc = sweep_cli(argc, argv, sets, fingerprints);

	free(sets);
	return rc;
}
