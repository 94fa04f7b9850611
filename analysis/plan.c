/*
 * plan.c - `memsim plan CONFIG --search KEY`: the smallest value of KEY for
 * which every replication meets the config's SLA.
 *
 * Each (value, replication) is one `memsim run` in a child process (this
 * same binary, found through /proc/self/exe), writing into a temporary
 * directory that is removed at the end; plan reads only the results JSON
 * (DESIGN.md section 1).  The first run is replication 0 at the top of the
 * range: it tells the config's replication count and its SLA, and the
 * search reuses it.  The search and the SLA rules are in plan_search.c.
 * A child dies with plan (PR_SET_PDEATHSIG), however plan dies, so a killed
 * plan leaves no run writing into its folder; the signal is SIGTERM, on
 * which `memsim run` removes its temporary results file.
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
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plan_search.h"
#include "units.h"
#include "xmem.h"

enum { PLAN_OK = 0, PLAN_FAILED = 1, PLAN_USAGE = 2 };

/* Default range for counts, which is what a key is unless a bound has a unit. */
static const int64_t plan_default_min = 1;
static const int64_t plan_default_max = 64;

static const char plan_usage[] =
	"usage: memsim plan CONFIG --search KEY [--min A --max B] [--step S]\n"
	"                   [--replications R] [--format text|json]\n"
	"\n"
	"Finds the smallest value of KEY for which every replication meets the\n"
	"config's sla (max_slowdown, max_rejected, max_swapped, min_progress),\n"
	"by bisection over min, min+step, ... max.  KEY is a count (default range\n"
	"1 to 64, step 1) or a size, whose bounds and step are given with units\n"
	"(--min 64GiB --max 512GiB --step 16GiB).  Exit status: 0 found, 1 no\n"
	"value in range meets the SLA or a run failed, 2 usage or input error.\n";

/* Everything a run needs, and what the first run learned. */
struct plan_ctx {
	char exe[PATH_MAX];             /* this binary */
	char dir[PATH_MAX];             /* the temporary directory */
	const char *config;             /* CONFIG as given */
	const char *key;                /* the key searched */
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
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n\n%s", plan_usage);
	return PLAN_USAGE;
}

/* Parses a bound: a plain integer, or a size with a unit (*is_size set). */
static int parse_bound(const char *opt, const char *s, int64_t *v, bool *is_size)
{
	char why[256];
	bool plain = *s != '\0' && strspn(s, "0123456789") == strlen(s);
	int rc;

	if (plain)
		rc = units_parse_int(s, v, why, sizeof(why));
	else
		rc = units_parse_size(s, v, why, sizeof(why));
	if (rc < 0) {
		fprintf(stderr, "memsim plan: error: %s '%s': %s\n", opt, s, why);
		return -1;
	}
	if (!plain)
		*is_size = true;
	return 0;
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

/* The file a run with -o DIR/run.json writes: with -r<rep> when there are several. */
static void run_paths(const struct plan_ctx *c, int rep, char *plain, char *suffixed, size_t n)
{
	snprintf(plain, n, "%s/run.json", c->dir);
	snprintf(suffixed, n, "%s/run-r%d.json", c->dir, rep);
}

/*
 * Runs KEY=value, replication rep, and parses its results into *doc.
 * Returns 0, or the exit code plan should end with.
 */
static int run_one(struct plan_ctx *c, int64_t value, int rep, cJSON **doc)
{
	char set[512], reps[64], repno[32], out[PATH_MAX + 16], plain[PATH_MAX + 16];
	char suffixed[PATH_MAX + 16];
	const char *argv[16];
	int argc = 0, status, fd;
	pid_t pid, w, parent;

	*doc = NULL;
	run_paths(c, rep, plain, suffixed, sizeof(plain));
	snprintf(out, sizeof(out), "%s", plain);
	snprintf(set, sizeof(set), "%s=%lld", c->key, (long long)value);
	snprintf(reps, sizeof(reps), "replications=%d", c->reps);
	snprintf(repno, sizeof(repno), "%d", rep);
	argv[argc++] = c->exe;
	argv[argc++] = "run";
	argv[argc++] = c->config;
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
	argv[argc++] = out;
	argv[argc] = NULL;

	parent = getpid();
	c->runs++;
	if (c->progress)
		fprintf(stderr, "\r\033[Kplan: run %u: %s, replication %d", c->runs, set, rep);
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "memsim plan: error: fork: %s\n", strerror(errno));
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
		int code = WIFEXITED(status) && WEXITSTATUS(status) == PLAN_USAGE ?
			PLAN_USAGE : PLAN_FAILED;

		fprintf(stderr, "memsim plan: error: the run with %s (replication %d) failed "
			"with %s %d\n", set, rep, WIFEXITED(status) ? "status" : "signal",
			WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		unlink(plain);
		unlink(suffixed);
		return code;
	}
	*doc = read_json(suffixed);
	if (!*doc)
		*doc = read_json(plain);
	unlink(plain);
	unlink(suffixed);
	if (!*doc) {
		fprintf(stderr, "memsim plan: error: cannot read the results of %s "
			"(replication %d)\n", set, rep);
		return PLAN_FAILED;
	}
	return 0;
}

/* Judges a results document; 1 pass, 0 miss, negative with c->code set. */
static int judge(struct plan_ctx *c, const cJSON *doc, int64_t value, int rep,
		 struct plan_metrics *m)
{
	if (plan_sla_eval(&c->sla, doc, m) < 0) {
		fprintf(stderr, "memsim plan: error: the results of %s=%lld (replication %d) "
			"lack a summary key the SLA needs\n", c->key, (long long)value, rep);
		c->code = PLAN_FAILED;
		return -1;
	}
	return m->failed == 0;
}

static int plan_meets(int64_t value, int rep, void *ctx, struct plan_metrics *m)
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
static int first_run(struct plan_ctx *c, struct plan_search *s, int64_t value)
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
			"the config has no sla (max_slowdown, max_rejected, max_swapped or "
			"min_progress) to plan for" : "the sla in the results is not numbers");
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

static void print_json(const struct plan_ctx *c, const struct plan_search *s,
		       const struct plan_try *t, size_t n)
{
	cJSON *root = cJSON_CreateObject(), *ev, *e, *m, *f;
	char *text;

	cJSON_AddStringToObject(root, "key", c->key);
	if (s->found)
		cJSON_AddNumberToObject(root, "value", (double)s->value);
	else
		cJSON_AddNullToObject(root, "value");
	cJSON_AddNumberToObject(root, "min", (double)s->min);
	cJSON_AddNumberToObject(root, "max", (double)s->max);
	cJSON_AddNumberToObject(root, "step", (double)s->step);
	cJSON_AddNumberToObject(root, "replications", c->reps);
	cJSON_AddBoolToObject(root, "non_monotone", s->non_monotone);
	ev = cJSON_AddArrayToObject(root, "evidence");
	for (size_t i = 0; i < n; i++) {
		e = cJSON_CreateObject();
		cJSON_AddNumberToObject(e, "value", (double)t[i].value);
		cJSON_AddNumberToObject(e, "replication", t[i].rep);
		cJSON_AddBoolToObject(e, "pass", t[i].pass);
		m = cJSON_AddObjectToObject(e, "metrics");
		if (c->sla.has_max_slowdown)
			add_num(m, "sla_violations", t[i].m.sla_violations);
		if (c->sla.has_max_rejected)
			add_num(m, "rejected_share", t[i].m.rejected_share);
		if (c->sla.has_max_swapped) {
			add_num(m, "swapped_bytes_mean", t[i].m.swapped_bytes);
			add_num(m, "swapped_limit_bytes", t[i].m.swapped_limit_bytes);
		}
		if (c->sla.has_min_progress)
			add_num(m, "progress_mean", t[i].m.progress);
		f = cJSON_AddArrayToObject(e, "failed");
		for (unsigned bit = 1; bit <= PLAN_FAIL_PROGRESS; bit <<= 1)
			if (t[i].m.failed & bit)
				cJSON_AddItemToArray(f, cJSON_CreateString(plan_fail_name(bit)));
		cJSON_AddItemToArray(ev, e);
	}
	text = cJSON_Print(root);
	printf("%s\n", text);
	free(text);
	cJSON_Delete(root);
}

/* Prints value, with its size in units when the key is a size. */
static void print_value(int64_t v, bool is_size)
{
	char buf[64];

	if (is_size)
		printf("%lld (%s)", (long long)v, units_format_size(v, buf, sizeof(buf)));
	else
		printf("%lld", (long long)v);
}

static void print_text(const struct plan_ctx *c, const struct plan_search *s,
		       const struct plan_try *t, size_t n, bool is_size)
{
	const struct plan_sla *sla = &c->sla;

	if (s->found) {
		printf("%s = ", c->key);
		print_value(s->value, is_size);
		printf("\n");
	} else {
		printf("no value of %s from ", c->key);
		print_value(s->min, is_size);
		printf(" to ");
		print_value(s->max, is_size);
		printf(" meets the SLA\n");
	}
	printf("runs that decided it (%zu):\n", n);
	for (size_t i = 0; i < n; i++) {
		printf("  %s=", c->key);
		print_value(t[i].value, is_size);
		printf(" r%d: %s", t[i].rep, t[i].pass ? "pass" : "fail");
		if (sla->has_max_slowdown)
			printf(", sla_violations %.0f", t[i].m.sla_violations);
		if (sla->has_max_rejected)
			printf(", rejected %.4f (max %g)", t[i].m.rejected_share,
			       sla->max_rejected);
		if (sla->has_max_swapped)
			printf(", swapped %.0f B (max %.0f B)", t[i].m.swapped_bytes,
			       t[i].m.swapped_limit_bytes);
		if (sla->has_min_progress)
			printf(", progress %.4f (min %g)", t[i].m.progress, sla->min_progress);
		for (unsigned bit = 1; bit <= PLAN_FAIL_PROGRESS; bit <<= 1)
			if (t[i].m.failed & bit)
				printf("; misses %s", plan_fail_name(bit));
		printf("\n");
	}
}

/* Tells of non-monotone evidence on stderr, with one pair that shows it. */
static void warn_non_monotone(const struct plan_ctx *c, const struct plan_search *s)
{
	const struct plan_try *a, *b;

	if (!plan_tries_non_monotone(s->tries, s->n_tries, &a, &b))
		return;
	fprintf(stderr, "memsim plan: warning: non-monotone evidence: replication %d meets the "
		"SLA at %s=%lld but not at %lld\n", a->rep, c->key, (long long)a->value,
		(long long)b->value);
}

/* Catches sig unless it is ignored (as in a background job), which it stays. */
static void catch_signal(int sig, const struct sigaction *sa, struct sigaction *old)
{
	sigaction(sig, NULL, old);
	if (old->sa_handler != SIG_IGN)
		sigaction(sig, sa, NULL);
}

int plan_main(int argc, char **argv)
{
	const char *min_s = NULL, *max_s = NULL, *step_s = NULL, *reps_s = NULL;
	const char *format = "text";
	struct plan_ctx c;
	struct plan_search s;
	struct plan_try *sorted;
	struct sigaction sa, old_int, old_term, old_hup;
	bool is_size = false, json;
	int64_t top, v;
	ssize_t len;
	int code, i;

	memset(&c, 0, sizeof(c));
	memset(&s, 0, sizeof(s));
	for (i = 0; i < argc; i++) {
		const char *a = argv[i];
		const char **dst = NULL;

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(plan_usage, stdout);
			return PLAN_OK;
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
		else if (a[0] == '-' && a[1] != '\0')
			return usage_error("unknown option '%s'", a);
		else if (c.config)
			return usage_error("unexpected argument '%s'", a);
		else
			c.config = a;
		if (dst) {
			if (++i == argc)
				return usage_error("%s needs a value", a);
			*dst = argv[i];
		}
	}
	if (!c.config)
		return usage_error("no CONFIG given");
	if (!c.key || !*c.key || strchr(c.key, '='))
		return usage_error("--search KEY is required (a dotted path such as "
				   "hosts.0.count)");
	if (strcmp(format, "text") && strcmp(format, "json"))
		return usage_error("unknown format '%s' (text or json)", format);
	json = !strcmp(format, "json");

	s.min = plan_default_min;
	s.max = plan_default_max;
	s.step = 1;
	if ((min_s && parse_bound("--min", min_s, &s.min, &is_size)) ||
	    (max_s && parse_bound("--max", max_s, &s.max, &is_size)) ||
	    (step_s && parse_bound("--step", step_s, &s.step, &is_size)))
		return PLAN_USAGE;
	if (is_size && (!min_s || !max_s || !step_s))
		return usage_error("a size search needs --min, --max and --step");
	if (s.min < 0 || s.max < s.min)
		return usage_error("--min must be at least 0 and at most --max");
	if (s.step <= 0)
		return usage_error("--step must be positive");
	if (reps_s) {
		if (parse_bound("--replications", reps_s, &v, &is_size) < 0 || v < 1 || v > 10000)
			return usage_error("bad --replications '%s' (1 to 10000)", reps_s);
		c.reps = (int)v;
	}
	top = s.min + (s.max - s.min) / s.step * s.step;

	len = readlink("/proc/self/exe", c.exe, sizeof(c.exe) - 1);
	if (len <= 0) {
		fprintf(stderr, "memsim plan: error: cannot find this binary: %s\n",
			strerror(errno));
		return PLAN_FAILED;
	}
	c.exe[len] = '\0';
	snprintf(c.dir, sizeof(c.dir), "%s/memsim-plan.XXXXXX",
		 getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(c.dir)) {
		fprintf(stderr, "memsim plan: error: cannot make a temporary directory: %s\n",
			strerror(errno));
		return PLAN_FAILED;
	}
	c.progress = isatty(STDERR_FILENO);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = plan_on_signal;
	sigemptyset(&sa.sa_mask);
	catch_signal(SIGINT, &sa, &old_int);
	catch_signal(SIGTERM, &sa, &old_term);
	catch_signal(SIGHUP, &sa, &old_hup);

	if ((code = first_run(&c, &s, top)))
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
		print_text(&c, &s, sorted, s.n_tries, is_size);
	free(sorted);
	if (s.non_monotone)
		warn_non_monotone(&c, &s);
	code = s.found ? PLAN_OK : PLAN_FAILED;
out:
	rmdir(c.dir);
	plan_search_release(&s);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	if (plan_signal)
		raise(plan_signal);
	return code;
}
