/*
 * plan.c - `memsim plan CONFIG --search KEY`: the smallest value of KEY for
 * which every replication meets the config's SLA, or with --largest the
 * largest.
 *
 * Each (value, replication) is one `memsim run` in a child process (this
 * same binary, found through /proc/self/exe), writing into a temporary
 * directory that is removed at the end, or into the folder -o names, where
 * the run files stay; plan reads only the results JSON (DESIGN.md section
 * 1).  The first run is replication 0 at the far end of the range (the top,
 * or the bottom with --largest): it tells the config's replication count
 * and its SLA, and the search reuses it.  The search and the SLA rules are
 * in plan_search.c.  A child dies with plan (PR_SET_PDEATHSIG), however
 * plan dies, so a killed plan leaves no run writing into its folder; the
 * signal is SIGTERM, on which `memsim run` removes its temporary results
 * file.
 */
#include "plan.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "err.h"
#include "plan_search.h"
#include "units.h"
#include "xmem.h"

enum { PLAN_OK = 0, PLAN_FAILED = 1, PLAN_USAGE = 2 };

/*
 * What the bounds are: a key is a count unless a bound says otherwise, by
 * a decimal point (a number), a unit (a size or a duration) or a %.
 */
enum plan_kind { KIND_COUNT, KIND_NUMBER, KIND_SIZE, KIND_DURATION, KIND_FRACTION };

/* Default range for counts. */
static const int64_t plan_default_min = 1;
static const int64_t plan_default_max = 64;

static const char plan_usage[] =
	"usage: memsim plan CONFIG --search KEY [--min A --max B] [--step S] [--largest]\n"
	"                   [--set K=V]... [--seed N] [--replications R]\n"
	"                   [-o DIR] [--format text|json]\n"
	"\n"
	"Finds the smallest value of KEY (with --largest, the largest) for which\n"
	"every replication meets the config's sla, by bisection over min,\n"
	"min+step, ... max.  KEY is a count (default range 1 to 64, step 1), or\n"
	"a number, size, duration or percentage whose bounds and step are all\n"
	"given (--min 1 --max 3 --step 0.05; --min 64GiB --max 512GiB --step\n"
	"16GiB; --min 30m --max 3h --step 5m; --min 10% --max 90% --step 5%).\n"
	"\n"
	"  --largest         the largest value that meets the SLA (overcommit.max)\n"
	"  --set K=V         override a config key in every run, as `memsim run`\n"
	"  --seed N          override the config's seed in every run\n"
	"  -o DIR            keep every run's results in DIR, named KEY=VALUE.json\n"
	"                    (KEY=VALUE-rR.json with replications)\n"
	"\n"
	"Exit status: 0 found, 1 no value in range meets the SLA or a run failed,\n"
	"2 usage or input error.\n";

/* Everything a run needs, and what the first run learned. */
struct plan_ctx {
	char exe[PATH_MAX];             /* this binary */
	char dir[PATH_MAX];             /* the temporary directory */
	const char *config;             /* CONFIG as given */
	const char *key;                /* the key searched */
	enum plan_kind kind;            /* what its values are */
	const char **sets;              /* --set K=V, passed on to every run */
	size_t n_sets;
	const char *seed;               /* --seed N, or NULL */
	bool keep;                      /* dir is the user's -o DIR: keep run files */
	int reps;                       /* replications; 0 until known */
	struct plan_sla sla;
	bool progress;                  /* stderr is a terminal */
	unsigned runs;                  /* runs started */
	int code;                       /* exit code of the run that failed */
};

static volatile sig_atomic_t plan_signal;
static volatile pid_t plan_child;

/* Passes the signal to the running child, and stops after it. */
static void plan_on_signal(int sig)
{
	plan_signal = sig;
	if (plan_child > 0)
		kill(plan_child, sig);
}

__attribute__((format(printf, 1, 2)))
static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "memsim plan: error: ");
	va_start(ap, fmt);
	sim_vprint_line(stderr, fmt, ap);       /* echoed arguments stay on one line */
	va_end(ap);
	fprintf(stderr, "\n%s", plan_usage);
	return PLAN_USAGE;
}

/* Parses a bound: a count, a plain number, a %, a size or a duration (*kind set). */
static int parse_bound(const char *opt, const char *s, double *v, enum plan_kind *kind)
{
	char why[256];
	size_t len = strlen(s);
	int64_t i;

	if (len && strspn(s, "0123456789") == len && !units_parse_int(s, &i, why, sizeof(why))) {
		*v = (double)i;
		*kind = KIND_COUNT;
	} else if (!units_parse_number(s, v, why, sizeof(why))) {
		*kind = KIND_NUMBER;
	} else if (len && s[len - 1] == '%' && !units_parse_fraction(s, v, why, sizeof(why))) {
		*kind = KIND_FRACTION;
	} else if (!units_parse_size(s, &i, why, sizeof(why))) {
		*v = (double)i;
		*kind = KIND_SIZE;
	} else if (!units_parse_duration(s, &i, why, sizeof(why))) {
		*v = (double)i;
		*kind = KIND_DURATION;
	} else {
		sim_print_line(stderr, "memsim plan: error: %s '%s': not a number, a size, a "
			       "duration or a percentage", opt, s);
		return -1;
	}
	return 0;
}

/*
 * The value as --set takes it, and as run files are named: exact, in the
 * key's own kind (a duration in the largest unit that divides it: 72m).
 */
static const char *format_set_value(enum plan_kind kind, double v, char *buf, size_t n)
{
	switch (kind) {
	case KIND_COUNT:
	case KIND_SIZE:
		snprintf(buf, n, "%lld", (long long)llround(v));
		break;
	case KIND_NUMBER:
		snprintf(buf, n, "%.12g", v);
		break;
	case KIND_DURATION:
		units_format_duration(llround(v), buf, n);
		break;
	case KIND_FRACTION:
		snprintf(buf, n, "%.12g%%", 100 * v);
		break;
	}
	return buf;
}

/* The value for people: sizes also in binary units, durations in the largest unit. */
static const char *format_value(enum plan_kind kind, double v, char *buf, size_t n)
{
	char u[64];

	switch (kind) {
	case KIND_SIZE:
		snprintf(buf, n, "%lld (%s)", (long long)llround(v),
			 units_format_size(llround(v), u, sizeof(u)));
		break;
	case KIND_COUNT:
	case KIND_NUMBER:
	case KIND_DURATION:
	case KIND_FRACTION:
		format_set_value(kind, v, buf, n);
		break;
	}
	return buf;
}

/* The value in JSON: bytes, seconds, fractions or plain numbers. */
static double json_value(enum plan_kind kind, double v)
{
	return kind == KIND_DURATION ? v / 1e9 : v;
}

/* Skips whitespace from p up to end. */
static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/*
 * Skips one JSON value, only delimiting it (cJSON checks what is parsed):
 * returns the first byte after it, or NULL at a premature end.
 */
static const char *skip_value(const char *p, const char *end)
{
	int depth = 0;

	for (; p < end; p++) {
		if (*p == '"') {
			for (p++; p < end && *p != '"'; p++)
				if (*p == '\\')
					p++;
			if (p >= end)
				return NULL;
			if (depth == 0)
				return p + 1;
		} else if (*p == '{' || *p == '[') {
			depth++;
		} else if (*p == '}' || *p == ']') {
			if (depth == 0)
				return p;       /* the end of the enclosing object */
			if (--depth == 0)
				return p + 1;
		} else if (depth == 0 && *p == ',') {
			return p;
		}
	}
	return depth == 0 ? p : NULL;
}

/*
 * Parses only the members "config" and "summary" of a results document.
 * A results file carries every VM, megabytes that plan never reads, and
 * building cJSON nodes for them took about a third of a second per run.
 * Returns an object holding the two, or NULL when buf is not such a document.
 */
static cJSON *parse_summary(const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len, *key, *vend;
	cJSON *doc = cJSON_CreateObject(), *v;
	size_t klen;

	p = skip_ws(p, end);
	if (p == end || *p++ != '{')
		goto bad;
	for (;;) {
		p = skip_ws(p, end);
		if (p < end && *p == '}')
			return doc;
		if (p == end || *p != '"')
			goto bad;
		key = ++p;
		while (p < end && *p != '"')
			p += *p == '\\' ? 2 : 1;
		if (p >= end)
			goto bad;
		klen = (size_t)(p - key);
		p = skip_ws(p + 1, end);
		if (p == end || *p++ != ':')
			goto bad;
		p = skip_ws(p, end);
		if ((klen == 6 && !memcmp(key, "config", 6)) ||
		    (klen == 7 && !memcmp(key, "summary", 7))) {
			v = cJSON_ParseWithLengthOpts(p, (size_t)(end - p), &vend, false);
			if (!v)
				goto bad;
			cJSON_AddItemToObject(doc, klen == 6 ? "config" : "summary", v);
			p = vend;
		} else if (!(p = skip_value(p, end))) {
			goto bad;
		}
		p = skip_ws(p, end);
		if (p < end && *p == ',')
			p++;
		else if (p == end || *p != '}')
			goto bad;
	}
bad:
	cJSON_Delete(doc);
	return NULL;
}

/* Reads a results file into the object parse_summary makes, or NULL. */
static cJSON *read_json(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0, got;
	cJSON *doc;

	if (!f)
		return NULL;
	do {
		if (cap - len < 65536) {
			cap = cap ? 2 * cap : 1 << 20;
			buf = xrealloc(buf, cap + 1);
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
	} while (got > 0);
	fclose(f);
	buf[len] = '\0';
	doc = parse_summary(buf, len);
	free(buf);
	return doc;
}

/*
 * The files a run with -o DIR/KEY=VALUE.json may write: that name with one
 * replication, and with -r<rep> before .json when there are several.
 */
static void run_paths(const struct plan_ctx *c, const char *set, int rep, char *plain,
		      char *suffixed, size_t n)
{
	snprintf(plain, n, "%s/%s.json", c->dir, set);
	snprintf(suffixed, n, "%s/%s-r%d.json", c->dir, set, rep);
}

/* Removes a run's files unless the user keeps them. */
static void drop_run_files(const struct plan_ctx *c, const char *plain, const char *suffixed)
{
	if (c->keep)
		return;
	unlink(plain);
	unlink(suffixed);
}

/*
 * Runs KEY=value, replication rep, and parses its results into *doc.
 * Returns 0, or the exit code plan should end with.
 */
static int run_one(struct plan_ctx *c, double value, int rep, cJSON **doc)
{
	char set[512], val[128], reps[64], repno[32], plain[PATH_MAX + 600];
	char suffixed[PATH_MAX + 600];
	const char **argv = xcalloc(16 + 2 * c->n_sets, sizeof(*argv));
	int argc = 0, status, fd, code = 0;
	pid_t pid, w, parent;

	*doc = NULL;
	format_set_value(c->kind, value, val, sizeof(val));
	snprintf(set, sizeof(set), "%s=%s", c->key, val);
	run_paths(c, set, rep, plain, suffixed, sizeof(plain));
	snprintf(reps, sizeof(reps), "replications=%d", c->reps);
	snprintf(repno, sizeof(repno), "%d", rep);
	argv[argc++] = c->exe;
	argv[argc++] = "run";
	argv[argc++] = c->config;
	/* The user's overrides first, so the searched key has the last word. */
	for (size_t i = 0; i < c->n_sets; i++) {
		argv[argc++] = "--set";
		argv[argc++] = c->sets[i];
	}
	if (c->seed) {
		argv[argc++] = "--seed";
		argv[argc++] = c->seed;
	}
	argv[argc++] = "--set";
	argv[argc++] = set;
	if (c->reps > 0) {
		argv[argc++] = "--set";
		argv[argc++] = reps;
	}
	argv[argc++] = "--replication";
	argv[argc++] = repno;
	argv[argc++] = "--quiet";
	argv[argc++] = "-o";
	argv[argc++] = plain;
	argv[argc] = NULL;

	parent = getpid();
	/* A file left by an earlier plan in the same folder must not be read as this run's. */
	unlink(plain);
	unlink(suffixed);
	c->runs++;
	if (c->progress)
		fprintf(stderr, "\r\033[Kplan: run %u: %s, replication %d", c->runs, set, rep);
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "memsim plan: error: fork: %s\n", strerror(errno));
		free(argv);
		return PLAN_FAILED;
	}
	if (pid == 0) {
		/* SIGTERM as the run gets it, even where plan's was ignored. */
		signal(SIGTERM, SIG_DFL);
		if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != parent)
			_exit(127);
		/* The child's stdout would mix with plan's; its errors still show. */
		if ((fd = open("/dev/null", O_WRONLY)) >= 0) {
			dup2(fd, STDOUT_FILENO);
			close(fd);
		}
		execv(c->exe, (char *const *)argv);
		fprintf(stderr, "memsim plan: error: exec %s: %s\n", c->exe, strerror(errno));
		_exit(127);
	}
	free(argv);
	plan_child = pid;
	while ((w = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
		;
	plan_child = 0;
	if (c->progress)
		fprintf(stderr, "\r\033[K");
	if (w < 0 || plan_signal) {
		unlink(plain);
		unlink(suffixed);
		return PLAN_FAILED;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		code = WIFEXITED(status) && WEXITSTATUS(status) == PLAN_USAGE ?
			PLAN_USAGE : PLAN_FAILED;

		sim_print_line(stderr, "memsim plan: error: the run with %s (replication %d) "
			       "failed with %s %d", set, rep, WIFEXITED(status) ? "status" : "signal",
			       WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		unlink(plain);
		unlink(suffixed);
		return code;
	}
	*doc = read_json(suffixed);
	if (!*doc)
		*doc = read_json(plain);
	drop_run_files(c, plain, suffixed);
	if (!*doc) {
		sim_print_line(stderr, "memsim plan: error: cannot read the results of %s "
			       "(replication %d)", set, rep);
		return PLAN_FAILED;
	}
	return 0;
}

/* Judges a results document; 1 pass, 0 miss, negative with c->code set. */
static int judge(struct plan_ctx *c, const cJSON *doc, double value, int rep,
		 struct plan_metrics *m)
{
	char val[128];

	if (plan_sla_eval(&c->sla, doc, m) < 0) {
		format_set_value(c->kind, value, val, sizeof(val));
		sim_print_line(stderr, "memsim plan: error: the results of %s=%s (replication %d) "
			       "lack a summary key the SLA needs", c->key, val, rep);
		c->code = PLAN_FAILED;
		return -1;
	}
	return m->failed == 0;
}

static int plan_meets(double value, int rep, void *ctx, struct plan_metrics *m)
{
	struct plan_ctx *c = ctx;
	cJSON *doc;
	int rc;

	if ((c->code = run_one(c, value, rep, &doc)))
		return -1;
	rc = judge(c, doc, value, rep, m);
	cJSON_Delete(doc);
	return rc;
}

/*
 * The first run: replication 0 at value.  Learns the replication count
 * (unless given) and the SLA, and records the try.  Returns 0 or an exit code.
 */
static int first_run(struct plan_ctx *c, struct plan_search *s, double value)
{
	const cJSON *cfg, *r;
	struct plan_metrics m;
	cJSON *doc;
	int rc;

	if ((rc = run_one(c, value, 0, &doc)))
		return rc;
	cfg = cJSON_GetObjectItemCaseSensitive(doc, "config");
	if (c->reps == 0) {
		r = cJSON_GetObjectItemCaseSensitive(cfg, "replications");
		c->reps = cJSON_IsNumber(r) && r->valuedouble >= 1 && r->valuedouble <= INT_MAX ?
			(int)r->valuedouble : 1;
	}
	rc = plan_sla_read(cfg, &c->sla);
	if (rc < 0) {
		fprintf(stderr, "memsim plan: error: %s: %s\n", c->config, rc == -1 ?
			"the config has no sla (max_slowdown, max_rejected, max_swapped, "
			"min_progress, max_slowdown_p99, max_slowdown_p95 or max_oom_vms) to plan "
			"for" : "the sla in the results is not numbers");
		cJSON_Delete(doc);
		return PLAN_USAGE;
	}
	rc = judge(c, doc, value, 0, &m);
	cJSON_Delete(doc);
	if (rc < 0)
		return c->code;
	plan_search_record(s, value, 0, rc > 0, &m);
	return 0;
}

static int cmp_try(const void *pa, const void *pb)
{
	const struct plan_try *a = pa, *b = pb;

	if (a->value != b->value)
		return a->value < b->value ? -1 : 1;
	return (a->rep > b->rep) - (a->rep < b->rep);
}

/* Adds a number to o, or null when it is not finite. */
static void add_num(cJSON *o, const char *name, double v)
{
	if (isfinite(v))
		cJSON_AddNumberToObject(o, name, v);
	else
		cJSON_AddNullToObject(o, name);
}

/* The results file a try left in the user's folder. */
static void try_file(const struct plan_ctx *c, const struct plan_try *t, char *buf, size_t n)
{
	char val[128], set[512], plain[PATH_MAX + 600], suffixed[PATH_MAX + 600];

	format_set_value(c->kind, t->value, val, sizeof(val));
	snprintf(set, sizeof(set), "%s=%s", c->key, val);
	run_paths(c, set, t->rep, plain, suffixed, sizeof(plain));
	snprintf(buf, n, "%s", c->reps > 1 ? suffixed : plain);
}

static void print_json(const struct plan_ctx *c, const struct plan_search *s,
		       const struct plan_try *t, size_t n)
{
	const struct plan_sla *sla = &c->sla;
	cJSON *root = cJSON_CreateObject(), *ev, *e, *m, *f;
	char buf[PATH_MAX + 600];
	char *text;

	cJSON_AddStringToObject(root, "key", c->key);
	cJSON_AddStringToObject(root, "search", s->largest ? "largest" : "smallest");
	if (s->found) {
		cJSON_AddNumberToObject(root, "value", json_value(c->kind, s->value));
		format_set_value(c->kind, s->value, buf, sizeof(buf));
		cJSON_AddStringToObject(root, "value_text", buf);
	} else {
		cJSON_AddNullToObject(root, "value");
		cJSON_AddNullToObject(root, "value_text");
	}
	cJSON_AddNumberToObject(root, "min", json_value(c->kind, s->min));
	cJSON_AddNumberToObject(root, "max", json_value(c->kind, s->max));
	cJSON_AddNumberToObject(root, "step", json_value(c->kind, s->step));
	cJSON_AddNumberToObject(root, "replications", c->reps);
	cJSON_AddBoolToObject(root, "non_monotone", s->non_monotone);
	if (c->keep)
		cJSON_AddStringToObject(root, "runs_dir", c->dir);
	ev = cJSON_AddArrayToObject(root, "evidence");
	for (size_t i = 0; i < n; i++) {
		const struct plan_metrics *tm = &t[i].m;

		e = cJSON_CreateObject();
		cJSON_AddNumberToObject(e, "value", json_value(c->kind, t[i].value));
		cJSON_AddNumberToObject(e, "replication", t[i].rep);
		cJSON_AddBoolToObject(e, "pass", t[i].pass);
		if (c->keep) {
			try_file(c, &t[i], buf, sizeof(buf));
			cJSON_AddStringToObject(e, "file", buf);
		}
		m = cJSON_AddObjectToObject(e, "metrics");
		add_num(m, "slowdown_mean", tm->slowdown_mean);
		add_num(m, "slowdown_p99", tm->slowdown_p99);
		add_num(m, "slowdown_p95", tm->slowdown_p95);
		add_num(m, "swapped_bytes_mean", tm->swapped_bytes);
		add_num(m, "rejected_share", tm->rejected_share);
		add_num(m, "sla_violations", tm->sla_violations);
		if (sla->has_max_swapped)
			add_num(m, "swapped_limit_bytes", tm->swapped_limit_bytes);
		if (sla->has_min_progress)
			add_num(m, "progress_mean", tm->progress);
		if (sla->has_max_violating_vms)
			add_num(m, "violating_share", tm->violating_share);
		if (sla->has_max_oom_vms)
			add_num(m, "oom_share", tm->oom_share);
		f = cJSON_AddArrayToObject(e, "failed");
		for (unsigned bit = 1; bit <= PLAN_FAIL_LAST; bit <<= 1)
			if (tm->failed & bit)
				cJSON_AddItemToArray(f, cJSON_CreateString(plan_fail_name(bit)));
		cJSON_AddItemToArray(ev, e);
	}
	text = cJSON_Print(root);
	printf("%s\n", text);
	free(text);
	cJSON_Delete(root);
}

/* A measure for people: bytes in binary units, shares in %, counts plain. */
static const char *format_measure(unsigned bit, double v, char *buf, size_t n)
{
	if (bit == PLAN_FAIL_SWAPPED)
		return units_format_size(llround(v), buf, n);
	if (bit == PLAN_FAIL_SLOWDOWN)
		snprintf(buf, n, "%.0f", v);
	else
		snprintf(buf, n, "%.2f%%", 100 * v);
	return buf;
}

/* " (max X)" after a measure when the SLA bounds it, else "". */
static const char *bound_note(const struct plan_ctx *c, const struct plan_metrics *m,
			      unsigned bit, char *buf, size_t n)
{
	double bound, measured;
	char u[64];
	bool upper;

	buf[0] = '\0';
	if (plan_sla_bound(&c->sla, m, bit, &bound, &measured, &upper))
		snprintf(buf, n, " (%s %s)", upper ? "max" : "min",
			 format_measure(bit, bound, u, sizeof(u)));
	return buf;
}

static void print_text(const struct plan_ctx *c, const struct plan_search *s,
		       const struct plan_try *t, size_t n)
{
	/* Bounds beyond the measures every line shows. */
	static const unsigned extra[] = {
		PLAN_FAIL_SLOWDOWN_P95, PLAN_FAIL_VIOLATING, PLAN_FAIL_OOM, PLAN_FAIL_PROGRESS,
	};
	char a[128], b[128], u[64], n1[80], n2[80], n3[80], n4[80];

	if (s->found) {
		printf("%s = %s (the %s value that meets the SLA)\n", c->key,
		       format_value(c->kind, s->value, a, sizeof(a)),
		       s->largest ? "largest" : "smallest");
	} else {
		printf("no value of %s from %s to %s meets the SLA\n", c->key,
		       format_value(c->kind, s->min, a, sizeof(a)),
		       format_value(c->kind, s->max, b, sizeof(b)));
	}
	printf("runs that decided it (%zu):\n", n);
	for (size_t i = 0; i < n; i++) {
		const struct plan_metrics *m = &t[i].m;

		printf("  %s=%s r%d: %s: slowdown %.2f%% mean, %.2f%% p99%s; swapped %s%s; "
		       "rejected %.2f%%%s; violations %.0f%s", c->key,
		       format_value(c->kind, t[i].value, a, sizeof(a)), t[i].rep,
		       t[i].pass ? "pass" : "fail", 100 * m->slowdown_mean, 100 * m->slowdown_p99,
		       bound_note(c, m, PLAN_FAIL_SLOWDOWN_P99, n1, sizeof(n1)),
		       units_format_size(llround(m->swapped_bytes), u, sizeof(u)),
		       bound_note(c, m, PLAN_FAIL_SWAPPED, n2, sizeof(n2)),
		       100 * m->rejected_share, bound_note(c, m, PLAN_FAIL_REJECTED, n3, sizeof(n3)),
		       m->sla_violations, bound_note(c, m, PLAN_FAIL_SLOWDOWN, n4, sizeof(n4)));
		for (size_t k = 0; k < sizeof(extra) / sizeof(extra[0]); k++) {
			double bound, measured;
			bool upper;

			if (!plan_sla_bound(&c->sla, m, extra[k], &bound, &measured, &upper))
				continue;
			printf("; %s %s%s", extra[k] == PLAN_FAIL_SLOWDOWN_P95 ? "p95" :
			       extra[k] == PLAN_FAIL_VIOLATING ? "violating" :
			       extra[k] == PLAN_FAIL_OOM ? "oom" : "progress",
			       format_measure(extra[k], measured, u, sizeof(u)),
			       bound_note(c, m, extra[k], n1, sizeof(n1)));
		}
		for (unsigned bit = 1; bit <= PLAN_FAIL_LAST; bit <<= 1)
			if (m->failed & bit)
				printf("; misses %s", plan_fail_name(bit));
		printf("\n");
		if (c->keep) {
			try_file(c, &t[i], b, sizeof(b));
			printf("    %s\n", b);
		}
	}
}

/* Tells of non-monotone evidence on stderr, with one pair that shows it. */
static void warn_non_monotone(const struct plan_ctx *c, const struct plan_search *s)
{
	const struct plan_try *a, *b;
	char va[128], vb[128];

	if (!plan_tries_non_monotone(s->tries, s->n_tries, s->largest, &a, &b))
		return;
	fprintf(stderr, "memsim plan: warning: non-monotone evidence: replication %d meets the "
		"SLA at %s=%s but not at %s\n", a->rep, c->key,
		format_set_value(c->kind, a->value, va, sizeof(va)),
		format_set_value(c->kind, b->value, vb, sizeof(vb)));
}

/* Catches sig unless it is ignored (as in a background job), which it stays. */
static void catch_signal(int sig, const struct sigaction *sa, struct sigaction *old)
{
	sigaction(sig, NULL, old);
	if (old->sa_handler != SIG_IGN)
		sigaction(sig, sa, NULL);
}

/* Makes the user's -o DIR (one level), or the temporary one.  Returns 0 or an exit code. */
static int make_dir(struct plan_ctx *c, const char *out)
{
	if (out) {
		snprintf(c->dir, sizeof(c->dir), "%s", out);
		c->keep = true;
		if (mkdir(c->dir, 0777) != 0 && errno != EEXIST) {
			fprintf(stderr, "memsim plan: error: %s: cannot create: %s\n", c->dir,
				strerror(errno));
			return PLAN_FAILED;
		}
		return 0;
	}
	snprintf(c->dir, sizeof(c->dir), "%s/memsim-plan.XXXXXX",
		 getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(c->dir)) {
		fprintf(stderr, "memsim plan: error: cannot make a temporary directory: %s\n",
			strerror(errno));
		return PLAN_FAILED;
	}
	return 0;
}

/* Kinds of the bounds agree: counts go with numbers; other kinds only with themselves. */
static bool merge_kind(enum plan_kind *have, bool *set, enum plan_kind k)
{
	if (!*set) {
		*have = k;
		*set = true;
		return true;
	}
	if (*have == k)
		return true;
	if ((*have == KIND_COUNT && k == KIND_NUMBER) ||
	    (*have == KIND_NUMBER && k == KIND_COUNT)) {
		*have = KIND_NUMBER;
		return true;
	}
	return false;
}

int plan_main(int argc, char **argv)
{
	const char *min_s = NULL, *max_s = NULL, *step_s = NULL, *reps_s = NULL;
	const char *format = "text", *out = NULL;
	const char *bound_s[3];
	double *bound_v[3];
	struct plan_ctx c;
	struct plan_search s;
	struct plan_try *sorted;
	struct sigaction sa, old_int, old_term, old_hup;
	bool json, kind_set = false;
	char why[256];
	double first;
	int64_t v;
	ssize_t len;
	int code, i;

	memset(&c, 0, sizeof(c));
	memset(&s, 0, sizeof(s));
	c.sets = xcalloc((size_t)argc + 1, sizeof(*c.sets));
	for (i = 0; i < argc; i++) {
		const char *a = argv[i];
		const char **dst = NULL;

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(plan_usage, stdout);
			code = PLAN_OK;
			goto done;
		}
		if (!strcmp(a, "--search"))
			dst = &c.key;
		else if (!strcmp(a, "--min"))
			dst = &min_s;
		else if (!strcmp(a, "--max"))
			dst = &max_s;
		else if (!strcmp(a, "--step"))
			dst = &step_s;
		else if (!strcmp(a, "--replications"))
			dst = &reps_s;
		else if (!strcmp(a, "--format"))
			dst = &format;
		else if (!strcmp(a, "--seed"))
			dst = &c.seed;
		else if (!strcmp(a, "-o"))
			dst = &out;
		else if (!strcmp(a, "--set"))
			dst = &c.sets[c.n_sets];
		else if (!strcmp(a, "--largest"))
			s.largest = true;
		else if (a[0] == '-' && a[1] != '\0') {
			code = usage_error("unknown option '%s'", a);
			goto done;
		} else if (c.config) {
			code = usage_error("unexpected argument '%s'", a);
			goto done;
		} else
			c.config = a;
		if (dst) {
			if (++i == argc) {
				code = usage_error("%s needs a value", a);
				goto done;
			}
			*dst = argv[i];
			if (dst == &c.sets[c.n_sets])
				c.n_sets++;
		}
	}
	code = PLAN_USAGE;
	if (!c.config) {
		code = usage_error("no CONFIG given");
		goto done;
	}
	if (!c.key || !*c.key || strchr(c.key, '=')) {
		code = usage_error("--search KEY is required (a dotted path such as "
				   "hosts.0.count)");
		goto done;
	}
	/* The SLA is read once, from the first run, and judges every run. */
	if (!strncmp(c.key, "sla.", 4) || !strcmp(c.key, "sla")) {
		code = usage_error("--search %s: the SLA is what plan judges by, not a key to "
				   "search", c.key);
		goto done;
	}
	if (strcmp(format, "text") && strcmp(format, "json")) {
		code = usage_error("unknown format '%s' (text or json)", format);
		goto done;
	}
	json = !strcmp(format, "json");
	for (size_t k = 0; k < c.n_sets; k++)
		if (!strchr(c.sets[k], '=') || c.sets[k][0] == '=') {
			code = usage_error("--set needs KEY=VALUE, not '%s'", c.sets[k]);
			goto done;
		}
	if (c.seed && (units_parse_int(c.seed, &v, why, sizeof(why)) || v < 0)) {
		code = usage_error("--seed needs a whole number >= 0, not '%s'", c.seed);
		goto done;
	}
	if (out && !*out) {
		code = usage_error("-o needs a folder");
		goto done;
	}

	s.min = (double)plan_default_min;
	s.max = (double)plan_default_max;
	s.step = 1;
	c.kind = KIND_COUNT;
	bound_s[0] = min_s, bound_s[1] = max_s, bound_s[2] = step_s;
	bound_v[0] = &s.min, bound_v[1] = &s.max, bound_v[2] = &s.step;
	for (int k = 0; k < 3; k++) {
		static const char *const opt[] = {"--min", "--max", "--step"};
		enum plan_kind kind;

		if (!bound_s[k])
			continue;
		if (parse_bound(opt[k], bound_s[k], bound_v[k], &kind) < 0)
			goto done;
		if (!merge_kind(&c.kind, &kind_set, kind)) {
			code = usage_error("--min, --max and --step must be of one kind (counts or "
					   "numbers, sizes, durations or percentages)");
			goto done;
		}
	}
	if (c.kind != KIND_COUNT && (!min_s || !max_s || !step_s)) {
		code = usage_error("a search over numbers, sizes, durations or percentages needs "
				   "--min, --max and --step");
		goto done;
	}
	if (s.min < 0 || s.max < s.min) {
		code = usage_error("--min must be at least 0 and at most --max");
		goto done;
	}
	if (!(s.step > 0)) {
		code = usage_error("--step must be positive");
		goto done;
	}
	if ((s.max - s.min) / s.step > 1e12) {
		code = usage_error("--step is too small for the range (over 10^12 steps)");
		goto done;
	}
	if (reps_s) {
		if (units_parse_int(reps_s, &v, why, sizeof(why)) < 0 || v < 1 || v > 10000) {
			code = usage_error("bad --replications '%s' (1 to 10000)", reps_s);
			goto done;
		}
		c.reps = (int)v;
	}
	first = s.largest ? s.min :
		plan_grid_value(s.min, s.step, plan_grid_steps(s.min, s.max, s.step));

	len = readlink("/proc/self/exe", c.exe, sizeof(c.exe) - 1);
	if (len <= 0) {
		fprintf(stderr, "memsim plan: error: cannot find this binary: %s\n",
			strerror(errno));
		code = PLAN_FAILED;
		goto done;
	}
	c.exe[len] = '\0';
	if ((code = make_dir(&c, out)))
		goto done;
	c.progress = isatty(STDERR_FILENO);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = plan_on_signal;
	sigemptyset(&sa.sa_mask);
	catch_signal(SIGINT, &sa, &old_int);
	catch_signal(SIGTERM, &sa, &old_term);
	catch_signal(SIGHUP, &sa, &old_hup);

	if ((code = first_run(&c, &s, first)))
		goto out;
	s.reps = c.reps;
	if (plan_search_run(&s, plan_meets, &c) < 0) {
		code = c.code ? c.code : PLAN_FAILED;
		goto out;
	}
	sorted = xmalloc((s.n_tries ? s.n_tries : 1) * sizeof(*sorted));
	memcpy(sorted, s.tries, s.n_tries * sizeof(*sorted));
	qsort(sorted, s.n_tries, sizeof(*sorted), cmp_try);
	if (json)
		print_json(&c, &s, sorted, s.n_tries);
	else
		print_text(&c, &s, sorted, s.n_tries);
	free(sorted);
	if (s.non_monotone)
		warn_non_monotone(&c, &s);
	code = s.found ? PLAN_OK : PLAN_FAILED;
out:
	if (!c.keep)
		rmdir(c.dir);
	plan_search_release(&s);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	if (plan_signal)
		raise(plan_signal);
done:
	free(c.sets);
	return code;
}
