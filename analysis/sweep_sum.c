/*
 * sweep_sum.c - summaries of a sweep from its run files.
 *
 * The metrics are the numeric leaves under "summary" of the results files
 * (DESIGN.md section 8), named by dotted path (summary.performance.stall_s)
 * in the order they first appear, reading points and replications in
 * order.  Nothing here depends on when or by which worker a run was made:
 * resuming a killed sweep, or running it with more workers, writes the same
 * bytes, except "last_start", which says what the latest start reused and
 * ran.  Numbers are printed by cJSON, and in the CSV with the same rule
 * (the shortest of %.15g and %.17g that reads back exactly).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results.h"
#include "sweep_stats.h"
#include "sweep_sum.h"
#include "xmem.h"

/* Tunable: the longest error message kept from a failed run's stderr. */
static const size_t SWEEP_ERR_MAX = 2000;

enum run_state { RUN_MISSING, RUN_OK, RUN_FAILED };

struct run_rec {
	enum run_state state;
	char *error;                    /* RUN_FAILED: the message */
	size_t n, cap;                  /* numeric leaves found */
	size_t *metric;                 /* index into sweep_sum.metrics */
	double *value;
};

struct sweep_sum {
	const struct sweep_spec *spec;  /* borrowed; outlives the summary */
	size_t n_metrics, cap_metrics;
	char **metrics;                 /* dotted paths, in first-seen order */
	struct run_rec *runs;           /* n_points x replications */
	size_t failed;
	bool has_tally;
	struct sweep_tally tally;
};

/* The whole file, NUL-terminated, or NULL (errno set). */
static char *read_all(const char *path)
{
	FILE *f = fopen(path, "rb");
	size_t n = 0, cap = 4096, got;
	char *buf;

	if (!f)
		return NULL;
	buf = xmalloc(cap);
	while ((got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += got;
		if (cap - n - 1 == 0) {
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
	}
	fclose(f);
	buf[n] = '\0';
	return buf;
}

static size_t metric_index(struct sweep_sum *sum, const char *path)
{
	size_t i;

	for (i = 0; i < sum->n_metrics; i++)
		if (!strcmp(sum->metrics[i], path))
			return i;
	XGROW(sum->metrics, sum->cap_metrics, sum->n_metrics + 1);
	sum->metrics[sum->n_metrics] = xstrdup(path);
	return sum->n_metrics++;
}

/* Collects the numeric leaves under node, prefix naming node. */
static void walk(struct sweep_sum *sum, struct run_rec *run, const cJSON *node,
		 const char *prefix)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, node) {
		size_t len = strlen(prefix) + strlen(c->string ? c->string : "") + 2;
		char *path = xmalloc(len);

		snprintf(path, len, "%s.%s", prefix, c->string ? c->string : "");
		if (cJSON_IsNumber(c)) {
			XGROW(run->metric, run->cap, run->n + 1);
			run->value = xrealloc(run->value, run->cap * sizeof(*run->value));
			run->metric[run->n] = metric_index(sum, path);
			run->value[run->n++] = c->valuedouble;
		} else if (cJSON_IsObject(c)) {
			walk(sum, run, c, path);
		}
		free(path);
	}
}

static void set_failed(struct sweep_sum *sum, struct run_rec *run, const char *msg)
{
	size_t n = strlen(msg);

	while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' ' || msg[n - 1] == '\r'))
		n--;
	if (n > SWEEP_ERR_MAX)
		n = SWEEP_ERR_MAX;
	run->state = RUN_FAILED;
	run->error = xmalloc(n + 1);
	memcpy(run->error, msg, n);
	run->error[n] = '\0';
	sum->failed++;
}

static void read_run(struct sweep_sum *sum, struct run_rec *run, const char *dir,
		     const char *id, long rep)
{
	size_t len = strlen(dir) + strlen(id) + 48;
	char *path = xmalloc(len);
	char *text;

	snprintf(path, len, "%s/runs/%s-r%ld.json", dir, id, rep);
	text = read_all(path);
	if (text) {
		cJSON *root = cJSON_Parse(text);
		const cJSON *summary = cJSON_GetObjectItemCaseSensitive(root, "summary");

		if (cJSON_IsObject(summary)) {
			run->state = RUN_OK;
			walk(sum, run, summary, "summary");
		} else {
			set_failed(sum, run, "the results file has no \"summary\" object");
		}
		cJSON_Delete(root);
		free(text);
		free(path);
		return;
	}
	snprintf(path, len, "%s/runs/%s-r%ld.err", dir, id, rep);
	text = read_all(path);
	if (text)
		set_failed(sum, run, text[0] ? text : "the run failed");
	free(text);
	free(path);
}

struct sweep_sum *sweep_sum_build(const struct sweep_spec *s, const char *dir)
{
	struct sweep_sum *sum = xcalloc(1, sizeof(*sum));
	size_t R = (size_t)s->replications, p, r;
	char id[32];

	sum->spec = s;
	sum->runs = xcalloc(s->n_points * R + 1, sizeof(*sum->runs));
	for (p = 0; p < s->n_points; p++) {
		sweep_spec_point_id(p, id, sizeof(id));
		for (r = 0; r < R; r++)
			read_run(sum, &sum->runs[p * R + r], dir, id, (long)r);
	}
	return sum;
}

void sweep_sum_free(struct sweep_sum *sum)
{
	size_t i;

	if (!sum)
		return;
	for (i = 0; i < sum->spec->n_points * (size_t)sum->spec->replications; i++) {
		free(sum->runs[i].error);
		free(sum->runs[i].metric);
		free(sum->runs[i].value);
	}
	for (i = 0; i < sum->n_metrics; i++)
		free(sum->metrics[i]);
	free(sum->metrics);
	free(sum->runs);
	free(sum);
}

void sweep_sum_set_tally(struct sweep_sum *sum, const struct sweep_tally *t)
{
	sum->has_tally = true;
	sum->tally = *t;
}

size_t sweep_sum_failed(const struct sweep_sum *sum)
{
	return sum->failed;
}

/* Point p's values of metric m by replication; returns how many there are. */
static size_t values_of(const struct sweep_sum *sum, size_t p, size_t m, double *v, bool *has,
			double *packed)
{
	size_t R = (size_t)sum->spec->replications, r, i, k = 0;

	for (r = 0; r < R; r++) {
		const struct run_rec *run = &sum->runs[p * R + r];

		has[r] = false;
		for (i = 0; run->state == RUN_OK && i < run->n; i++)
			if (run->metric[i] == m) {
				has[r] = true;
				v[r] = run->value[i];
				packed[k++] = v[r];
				break;
			}
	}
	return k;
}

/* Whether text is a plain decimal (-12, 0.5), written into JSON as a number. */
static bool is_plain_number(const char *t)
{
	bool digits = false;

	if (*t == '-')
		t++;
	while (*t >= '0' && *t <= '9') {
		t++;
		digits = true;
	}
	if (*t == '.' && digits) {
		t++;
		digits = false;
		while (*t >= '0' && *t <= '9') {
			t++;
			digits = true;
		}
	}
	return digits && !*t;
}

static cJSON *interval(const struct sweep_ci *ci)
{
	cJSON *a = cJSON_CreateArray();

	cJSON_AddItemToArray(a, cJSON_CreateNumber(ci->lo));
	cJSON_AddItemToArray(a, cJSON_CreateNumber(ci->hi));
	return a;
}

/* Scratch space for one point's values of one metric. */
struct scratch {
	double *v, *packed, *bv;
	bool *has, *bhas;
};

static cJSON *point_json(const struct sweep_sum *sum, size_t p, struct scratch *w)
{
	const struct sweep_spec *s = sum->spec;
	size_t R = (size_t)s->replications, a, r, m;
	long b = sweep_spec_baseline_of(s, p);
	cJSON *o = cJSON_CreateObject(), *params, *failed, *metrics, *vs = NULL;
	size_t runs = 0;
	char id[32];

	sweep_spec_point_id(p, id, sizeof(id));
	cJSON_AddStringToObject(o, "id", id);
	params = cJSON_AddObjectToObject(o, "params");
	for (a = 0; a < s->n_axes; a++) {
		const char *t = sweep_spec_value(s, p, a);

		if (is_plain_number(t))
			cJSON_AddNumberToObject(params, s->axes[a].key, strtod(t, NULL));
		else
			cJSON_AddStringToObject(params, s->axes[a].key, t);
	}
	for (r = 0; r < R; r++)
		runs += sum->runs[p * R + r].state == RUN_OK;
	cJSON_AddNumberToObject(o, "runs", (double)runs);
	failed = cJSON_AddArrayToObject(o, "failed");
	for (r = 0; r < R; r++) {
		const struct run_rec *run = &sum->runs[p * R + r];
		cJSON *f;

		if (run->state != RUN_FAILED)
			continue;
		f = cJSON_CreateObject();
		cJSON_AddNumberToObject(f, "replication", (double)r);
		cJSON_AddStringToObject(f, "error", run->error);
		cJSON_AddItemToArray(failed, f);
	}
	metrics = cJSON_AddObjectToObject(o, "metrics");
	if (b >= 0) {
		sweep_spec_point_id((size_t)b, id, sizeof(id));
		cJSON_AddStringToObject(o, "baseline", id);
		vs = cJSON_AddObjectToObject(o, "vs_baseline");
	}
	for (m = 0; m < sum->n_metrics; m++) {
		struct sweep_ci ci;
		size_t k = values_of(sum, p, m, w->v, w->has, w->packed);
		cJSON *e;

		if (sweep_stats_ci(w->packed, k, &ci)) {
			e = cJSON_AddObjectToObject(metrics, sum->metrics[m]);
			cJSON_AddNumberToObject(e, "mean", ci.mean);
			cJSON_AddItemToObject(e, "ci95", interval(&ci));
			cJSON_AddNumberToObject(e, "n", (double)ci.n);
		}
		if (!vs)
			continue;
		values_of(sum, (size_t)b, m, w->bv, w->bhas, w->packed);
		if (sweep_stats_paired(w->v, w->has, w->bv, w->bhas, R, &ci)) {
			e = cJSON_AddObjectToObject(vs, sum->metrics[m]);
			cJSON_AddNumberToObject(e, "mean_diff", ci.mean);
			cJSON_AddItemToObject(e, "ci95", interval(&ci));
			cJSON_AddNumberToObject(e, "n", (double)ci.n);
		}
	}
	return o;
}

static void scratch_init(struct scratch *w, size_t R)
{
	w->v = xcalloc(R + 1, sizeof(double));
	w->packed = xcalloc(R + 1, sizeof(double));
	w->bv = xcalloc(R + 1, sizeof(double));
	w->has = xcalloc(R + 1, sizeof(bool));
	w->bhas = xcalloc(R + 1, sizeof(bool));
}

static void scratch_release(struct scratch *w)
{
	free(w->v);
	free(w->packed);
	free(w->bv);
	free(w->has);
	free(w->bhas);
}

cJSON *sweep_sum_json(const struct sweep_sum *sum)
{
	cJSON *root = cJSON_CreateObject(), *points;
	struct scratch w;
	size_t p;

	scratch_init(&w, (size_t)sum->spec->replications);
	cJSON_AddStringToObject(root, "schema", SWEEP_SCHEMA);
	points = cJSON_AddArrayToObject(root, "points");
	for (p = 0; p < sum->spec->n_points; p++)
		cJSON_AddItemToArray(points, point_json(sum, p, &w));
	scratch_release(&w);
	if (sum->has_tally) {
		cJSON *t = cJSON_AddObjectToObject(root, "last_start");

		cJSON_AddNumberToObject(t, "reused", (double)sum->tally.reused);
		cJSON_AddNumberToObject(t, "redone", (double)sum->tally.redone);
		cJSON_AddNumberToObject(t, "new", (double)sum->tally.fresh);
	}
	return root;
}

/* A growing string. */
struct buf {
	char *s;
	size_t n, cap;
};

static void buf_add(struct buf *b, const char *t)
{
	size_t len = strlen(t);

	XGROW(b->s, b->cap, b->n + len + 1);
	memcpy(b->s + b->n, t, len + 1);
	b->n += len;
}

/* A CSV field, quoted when it holds a comma, a quote or a line break. */
static void buf_field(struct buf *b, const char *t, bool first)
{
	if (!first)
		buf_add(b, ",");
	if (!strpbrk(t, ",\"\r\n")) {
		buf_add(b, t);
		return;
	}
	buf_add(b, "\"");
	for (; *t; t++)
		buf_add(b, *t == '"' ? "\"\"" : (char[2]){ *t, '\0' });
	buf_add(b, "\"");
}

static void buf_num(struct buf *b, double v)
{
	char t[64];

	snprintf(t, sizeof(t), "%.15g", v);
	if (strtod(t, NULL) != v)
		snprintf(t, sizeof(t), "%.17g", v);
	buf_field(b, t, false);
}

char *sweep_sum_csv(const struct sweep_sum *sum)
{
	static const char *const cols[] = { "mean", "ci95_low", "ci95_high" };
	const struct sweep_spec *s = sum->spec;
	struct buf b = { 0 };
	struct scratch w;
	size_t p, a, m, c;
	char name[512];

	buf_field(&b, "id", true);
	for (a = 0; a < s->n_axes; a++)
		buf_field(&b, s->axes[a].key, false);
	for (m = 0; m < sum->n_metrics; m++)
		for (c = 0; c < 3; c++) {
			snprintf(name, sizeof(name), "%s.%s", sum->metrics[m], cols[c]);
			buf_field(&b, name, false);
		}
	buf_add(&b, "\n");
	scratch_init(&w, (size_t)s->replications);
	for (p = 0; p < s->n_points; p++) {
		sweep_spec_point_id(p, name, sizeof(name));
		buf_field(&b, name, true);
		for (a = 0; a < s->n_axes; a++)
			buf_field(&b, sweep_spec_value(s, p, a), false);
		for (m = 0; m < sum->n_metrics; m++) {
			struct sweep_ci ci;
			size_t k = values_of(sum, p, m, w.v, w.has, w.packed);

			if (sweep_stats_ci(w.packed, k, &ci)) {
				buf_num(&b, ci.mean);
				buf_num(&b, ci.lo);
				buf_num(&b, ci.hi);
			} else {
				buf_add(&b, ",,,");
			}
		}
		buf_add(&b, "\n");
	}
	scratch_release(&w);
	return b.s;
}

int sweep_sum_write(const struct sweep_sum *sum, const char *dir, struct sim_err *err)
{
	size_t len = strlen(dir) + 32;
	char *path = xmalloc(len);
	cJSON *root = sweep_sum_json(sum);
	char *text = cJSON_Print(root);
	char *csv;
	int rc;

	cJSON_Delete(root);
	snprintf(path, len, "%s/summary.json", dir);
	rc = results_write_file(path, text, err);
	free(text);
	if (!rc) {
		csv = sweep_sum_csv(sum);
		/* results_write_file ends the text with a newline; the CSV has its own. */
		csv[strlen(csv) - 1] = '\0';
		snprintf(path, len, "%s/summary.csv", dir);
		rc = results_write_file(path, csv, err);
		free(csv);
	}
	free(path);
	return rc;
}
