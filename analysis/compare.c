/*
 * compare.c - results side by side.
 *
 * Rows are the numeric leaves of each file's "summary" (results files) or
 * each point's "metrics" (sweep summaries), in the first file's order, then
 * any that only later files have.  A results column shows the value; the
 * columns after the first also show the difference and the ratio to the
 * first (no ratio when the first is 0).  A sweep column shows each point's
 * mean and its 95% interval, and a second table the paired differences
 * from each point's baseline.  Table and markdown are for people: sizes in
 * binary units, times in s, min or h, shares in %, an interval in one unit,
 * the metric column without "summary.", files by the distinct part of
 * their paths, sweep points by their parameters, and columns cut into
 * blocks of at most COMPARE_WIDTH characters.  CSV and JSON keep the raw
 * numbers: CSV is a header `metric,<file>...` (three columns per sweep
 * point: mean, ci95_low, ci95_high) and one row per metric.
 */
#include "compare.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "jsonfile.h"
#include "units.h"
#include "xmem.h"

enum format { FMT_TABLE, FMT_MARKDOWN, FMT_CSV, FMT_JSON };

static const char usage[] =
	"usage: memsim compare A.json B.json... [--format table|markdown|csv|json]\n"
	"                      [--metrics PATH[,PATH...]]\n"
	"\n"
	"Compares the summary metrics of results files (memsim run) side by side,\n"
	"with the difference and ratio of each file to the first, or the points of\n"
	"sweep summaries (memsim sweep) with their 95% confidence intervals.\n"
	"--metrics keeps the metrics under the given paths (as summary.faults).\n";

/* One column: a results file, or one point of a sweep summary. */
struct column {
	char *label;                    /* full: the path, or path:id for a sweep point */
	char *short_label;              /* for table and markdown: the distinct part */
	const char *file;               /* borrowed from argv */
	const cJSON *values;            /* summary object, or a point's metrics */
	const cJSON *vs_baseline;       /* a sweep point's paired differences, or NULL */
	char *params;                   /* a sweep point's "key=value ..." label, or NULL */
	const cJSON *params_obj;        /* a sweep point's params, or NULL */
	char *file_label;               /* the distinct part of the file's path */
	bool sweep;
};

/* Tunable: table and markdown lines stay within this many characters. */
static const size_t COMPARE_WIDTH = 100;

static void add_path(char ***paths, size_t *n, size_t *cap, const char *p)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (!strcmp((*paths)[i], p))
			return;
	XGROW(*paths, *cap, *n + 1);
	(*paths)[(*n)++] = xstrdup(p);
}

size_t compare_paths(const cJSON *obj, const char *prefix, char ***paths, size_t *n,
		     size_t *cap)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, obj)
	{
		char p[512];

		if (!c->string)
			continue;
		snprintf(p, sizeof(p), "%s%s%s", prefix, *prefix ? "." : "", c->string);
		if (cJSON_IsNumber(c))
			add_path(paths, n, cap, p);
		else if (cJSON_IsObject(c))
			compare_paths(c, p, paths, n, cap);
	}
	return *n;
}

const cJSON *compare_at(const cJSON *root, const char *path)
{
	char buf[512], *save = NULL, *part;

	snprintf(buf, sizeof(buf), "%s", path);
	for (part = strtok_r(buf, ".", &save); part && root; part = strtok_r(NULL, ".", &save))
		root = cJSON_GetObjectItemCaseSensitive(root, part);
	return root;
}

/*
 * A sweep point's parameters as "key=value" pairs, the key without a
 * leading "policies." (overcommit.max=1.5 hosts.0.count=4).
 */
static char *params_label(const cJSON *params)
{
	const cJSON *c;
	char buf[1024];
	size_t len = 0;

	buf[0] = '\0';
	cJSON_ArrayForEach(c, params)
	{
		const char *k = c->string ? c->string : "?";
		char v[128];

		if (!strncmp(k, "policies.", 9))
			k += 9;
		if (cJSON_IsString(c))
			snprintf(v, sizeof(v), "%s", c->valuestring);
		else if (cJSON_IsNumber(c))
			snprintf(v, sizeof(v), "%.10g", c->valuedouble);
		else if (cJSON_IsBool(c))
			snprintf(v, sizeof(v), "%s", cJSON_IsTrue(c) ? "true" : "false");
		else
			snprintf(v, sizeof(v), "?");
		if (len < sizeof(buf))
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s=%s",
						len ? " " : "", k, v);
	}
	return xstrdup(len ? buf : "(no parameters)");
}

/* Loads path and appends its columns. */
static int load(const char *path, cJSON **doc, struct column **cols, size_t *n, size_t *cap,
		struct sim_err *err)
{
	const cJSON *schema, *p;

	*doc = jsonfile_load(path, err);
	if (!*doc)
		return err->code;
	schema = cJSON_GetObjectItemCaseSensitive(*doc, "schema");
	if (cJSON_IsString(schema) && !strcmp(schema->valuestring, "memsim-results/1")) {
		const cJSON *sum = cJSON_GetObjectItemCaseSensitive(*doc, "summary");

		if (!cJSON_IsObject(sum))
			return sim_err_set(err, -SIM_EINVAL, path, 0, 0, "results with no summary");
		XGROW(*cols, *cap, *n + 1);
		(*cols)[(*n)++] = (struct column){.label = xstrdup(path), .file = path,
						  .values = sum};
		return 0;
	}
	if (cJSON_IsString(schema) && !strcmp(schema->valuestring, "memsim-sweep/1")) {
		const cJSON *points = cJSON_GetObjectItemCaseSensitive(*doc, "points");

		if (!cJSON_IsArray(points) || cJSON_GetArraySize(points) == 0)
			return sim_err_set(err, -SIM_EINVAL, path, 1, 1,
					   "a sweep summary with no \"points\"");
		cJSON_ArrayForEach(p, points)
		{
			const cJSON *id = cJSON_GetObjectItemCaseSensitive(p, "id");
			char label[600];

			snprintf(label, sizeof(label), "%s:%s", path,
				 cJSON_IsString(id) ? id->valuestring : "?");
			XGROW(*cols, *cap, *n + 1);
			(*cols)[(*n)++] = (struct column){
				.label = xstrdup(label), .file = path,
				.values = cJSON_GetObjectItemCaseSensitive(p, "metrics"),
				.vs_baseline = cJSON_GetObjectItemCaseSensitive(p, "vs_baseline"),
				.params = params_label(cJSON_GetObjectItemCaseSensitive(p, "params")),
				.params_obj = cJSON_GetObjectItemCaseSensitive(p, "params"),
				.sweep = true};
		}
		return 0;
	}
	return sim_err_set(err, -SIM_EINVAL, path, 0, 0,
			   "not memsim results or a sweep summary (no known \"schema\")");
}

static bool wanted(const char *path, char *const *keep, size_t n_keep)
{
	size_t i;

	if (!n_keep)
		return true;
	for (i = 0; i < n_keep; i++) {
		size_t k = strlen(keep[i]);

		if (!strncmp(path, keep[i], k) && (path[k] == '\0' || path[k] == '.'))
			return true;
	}
	return false;
}

/* The value of a results column, or of a sweep point's mean. */
static const cJSON *value_of(const struct column *c, const char *metric)
{
	const cJSON *v;

	if (!c->values)
		return NULL;
	if (!c->sweep)
		return compare_at(c->values, metric + strlen("summary."));
	v = cJSON_GetObjectItemCaseSensitive(c->values, metric);
	return v ? cJSON_GetObjectItemCaseSensitive(v, "mean") : NULL;
}

/* A sweep point's 95% interval of metric into lo, hi; false when it has none. */
static bool interval_of(const cJSON *metrics, const char *metric, const char *mean_key,
			double *mean, double *lo, double *hi)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(metrics, metric);
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, mean_key);
	const cJSON *ci = cJSON_GetObjectItemCaseSensitive(m, "ci95");

	if (!cJSON_IsNumber(v) || cJSON_GetArraySize(ci) != 2 ||
	    !cJSON_IsNumber(cJSON_GetArrayItem(ci, 0)) || !cJSON_IsNumber(cJSON_GetArrayItem(ci, 1)))
		return false;
	*mean = v->valuedouble;
	*lo = cJSON_GetArrayItem(ci, 0)->valuedouble;
	*hi = cJSON_GetArrayItem(ci, 1)->valuedouble;
	return true;
}

/*
 * What a metric measures, from its name (DESIGN.md section 8: bytes end
 * in _bytes, times in _s, ratios are fractions): how table and markdown
 * print it, and whether it can be negative.
 */
enum unit { UNIT_BYTES, UNIT_TIME, UNIT_SHARE, UNIT_COUNT, UNIT_PLAIN };

static enum unit metric_unit(const char *metric)
{
	const char *leaf = strrchr(metric, '.');
	size_t n;

	leaf = leaf ? leaf + 1 : metric;
	n = strlen(leaf);
	if ((n > 6 && !strcmp(leaf + n - 6, "_bytes")) || strstr(leaf, "_bytes_"))
		return UNIT_BYTES;
	if (n > 2 && !strcmp(leaf + n - 2, "_s"))
		return UNIT_TIME;
	if (!strncmp(leaf, "slowdown", 8) || !strncmp(leaf, "progress", 8) ||
	    (n > 6 && !strcmp(leaf + n - 6, "_share")))
		return UNIT_SHARE;
	/* Money and ratios, and what is saved, which can be negative. */
	if (strstr(leaf, "ratio") || strstr(leaf, "month") || strstr(leaf, "saved") ||
	    strstr(leaf, "overhead"))
		return UNIT_PLAIN;
	return UNIT_COUNT;
}

/* Counts, bytes, times and shares cannot be negative. */
static bool never_negative(enum unit u)
{
	return u != UNIT_PLAIN;
}

/* A unit for people: values are divided by div and followed by suffix. */
struct scale {
	double div;
	const char *suffix;             /* with its leading space, or "" */
	bool fixed;                     /* %.*f with prec decimals, else %.*g with prec digits */
	int prec;
};

/* The scale for values up to a (an absolute value) in unit u; ints: all are whole numbers. */
static struct scale pick_scale(enum unit u, double a, bool ints)
{
	static const char *const bytes[] = {" B", " KiB", " MiB", " GiB", " TiB", " PiB"};
	static const char *const counts[] = {"", " k", " M", " G", " T"};
	struct scale sc = {1, "", false, 3};
	int i = 0;

	switch (u) {
	case UNIT_BYTES:
		while (a >= 1024 && i < 5) {
			a /= 1024;
			sc.div *= 1024;
			i++;
		}
		sc.suffix = bytes[i];
		sc.fixed = true;
		sc.prec = i == 0 ? 0 : 1;
		break;
	case UNIT_TIME:
		if (a >= 7200)
			sc = (struct scale){3600, " h", false, 3};
		else if (a >= 120)
			sc = (struct scale){60, " min", false, 3};
		else if (a >= 1 || a == 0)
			sc = (struct scale){1, " s", false, 3};
		else if (a >= 1e-3)
			sc = (struct scale){1e-3, " ms", false, 3};
		else
			sc = (struct scale){1e-6, " us", false, 3};
		break;
	case UNIT_SHARE:
		sc = (struct scale){0.01, "%", false, 3};
		break;
	case UNIT_COUNT:
		if (ints && a < 1e4) {
			sc.fixed = true;
			sc.prec = 0;
			break;
		}
		while (a >= 1000 && i < 4) {
			a /= 1000;
			sc.div *= 1000;
			i++;
		}
		sc.suffix = counts[i];
		sc.prec = 3;
		break;
	case UNIT_PLAIN:
		break;
	}
	return sc;
}

/* One number in a scale; sign adds + to a positive one (differences). */
static void put_scaled(char *buf, size_t n, double v, const struct scale *sc, bool sign)
{
	char num[64];
	double x = v / sc->div;

	if (sc->fixed)
		snprintf(num, sizeof(num), "%.*f", sc->prec, x);
	else
		snprintf(num, sizeof(num), "%.*g", sc->prec, x);
	/* -0.0 and a negative that rounds to zero print as 0. */
	if (!strcmp(num, "-0") || !strcmp(num, "-0.0"))
		memmove(num, num + 1, strlen(num));
	snprintf(buf, n, "%s%s", sign && v > 0 ? "+" : "", num);
}

/* v for people in the metric's unit; sign adds a + to positive values (differences). */
static void fmt_value(char *buf, size_t n, double v, enum unit u, bool sign)
{
	struct scale sc = pick_scale(u, fabs(v), v == floor(v));
	char num[64];

	put_scaled(num, sizeof(num), v, &sc, sign);
	snprintf(buf, n, "%s%s", num, sc.suffix);
}

/*
 * "mean [low, high] unit", in one scale chosen by the largest of the
 * three, or the mean alone when the interval is a point.
 */
static void fmt_interval(char *buf, size_t n, double mean, double lo, double hi, enum unit u,
			 bool sign, bool mark)
{
	struct scale sc;
	char a[64], b[64], c[64];

	if (lo == mean && hi == mean) {
		fmt_value(buf, n, mean, u, sign);
		return;
	}
	sc = pick_scale(u, fmax(fabs(mean), fmax(fabs(lo), fabs(hi))),
			mean == floor(mean) && lo == floor(lo) && hi == floor(hi));
	put_scaled(a, sizeof(a), mean, &sc, sign);
	put_scaled(b, sizeof(b), lo, &sc, sign);
	put_scaled(c, sizeof(c), hi, &sc, sign);
	/* A t-interval of a quantity that cannot be negative, reaching below zero. */
	snprintf(buf, n, "%s [%s, %s]%s%s", a, b, c, sc.suffix, mark && lo < 0 ? "*" : "");
}

/* A cell: the value, and for columns after the first its diff and ratio
 * (results) or the value's 95% interval (sweeps). */
static void cell(char *buf, size_t n, const struct column *cols, size_t k, const char *metric)
{
	const cJSON *v = value_of(&cols[k], metric), *first = value_of(&cols[0], metric);
	enum unit u = metric_unit(metric);
	double mean, lo, hi;
	char a[64], d[64];

	if (!cJSON_IsNumber(v)) {
		snprintf(buf, n, "-");
		return;
	}
	if (cols[k].sweep) {
		if (interval_of(cols[k].values, metric, "mean", &mean, &lo, &hi))
			fmt_interval(buf, n, mean, lo, hi, u, false, never_negative(u));
		else
			fmt_value(buf, n, v->valuedouble, u, false);
		return;
	}
	fmt_value(a, sizeof(a), v->valuedouble, u, false);
	if (k == 0 || !cJSON_IsNumber(first) || cols[0].sweep) {
		snprintf(buf, n, "%s", a);
		return;
	}
	fmt_value(d, sizeof(d), v->valuedouble - first->valuedouble, u, true);
	if (v->valuedouble == first->valuedouble)
		snprintf(buf, n, "%s (=)", a);
	else if (first->valuedouble != 0)
		snprintf(buf, n, "%s (%s, x%.4g)", a, d, v->valuedouble / first->valuedouble);
	else
		snprintf(buf, n, "%s (%s)", a, d);
}

/* A cell of the paired differences from the baseline, or "-" for a point without. */
static void diff_cell(char *buf, size_t n, const struct column *c, const char *metric)
{
	enum unit u = metric_unit(metric);
	double mean, lo, hi;

	if (!c->vs_baseline ||
	    !interval_of(c->vs_baseline, metric, "mean_diff", &mean, &lo, &hi))
		snprintf(buf, n, "-");
	else
		fmt_interval(buf, n, mean, lo, hi, u, true, false);
}

/* Adds a number to an array, or null when v is not one. */
static void add_value(cJSON *a, const cJSON *v)
{
	cJSON_AddItemToArray(a, cJSON_IsNumber(v) ? cJSON_CreateNumber(v->valuedouble)
						 : cJSON_CreateNull());
}

static void print_json(const struct column *cols, size_t n_cols, char **metrics, size_t n_m)
{
	cJSON *root = cJSON_CreateObject(), *files = cJSON_AddArrayToObject(root, "files");
	cJSON *labels = cJSON_AddArrayToObject(root, "labels");
	cJSON *m = cJSON_AddObjectToObject(root, "metrics");
	bool any_sweep = false;
	size_t i, k;
	char *text;

	for (k = 0; k < n_cols; k++) {
		cJSON_AddItemToArray(files, cJSON_CreateString(cols[k].label));
		cJSON_AddItemToArray(labels, cJSON_CreateString(cols[k].short_label));
		any_sweep |= cols[k].sweep;
	}
	for (i = 0; i < n_m; i++) {
		cJSON *row = cJSON_AddObjectToObject(m, metrics[i]);
		cJSON *vals = cJSON_AddArrayToObject(row, "values");
		cJSON *diff = cJSON_AddArrayToObject(row, "diff");
		cJSON *ratio = cJSON_AddArrayToObject(row, "ratio");
		cJSON *lo = NULL, *hi = NULL, *cross = NULL, *vb = NULL;
		const cJSON *first = value_of(&cols[0], metrics[i]);
		bool nonneg = never_negative(metric_unit(metrics[i]));

		if (any_sweep) {
			lo = cJSON_AddArrayToObject(row, "ci95_low");
			hi = cJSON_AddArrayToObject(row, "ci95_high");
			cross = cJSON_AddArrayToObject(row, "crosses_zero");
			vb = cJSON_AddArrayToObject(row, "vs_baseline");
		}
		for (k = 0; k < n_cols; k++) {
			const cJSON *v = value_of(&cols[k], metrics[i]);
			bool both = cJSON_IsNumber(v) && cJSON_IsNumber(first);
			double mean, l, h;

			add_value(vals, v);
			cJSON_AddItemToArray(diff, both ? cJSON_CreateNumber(v->valuedouble -
									     first->valuedouble)
							: cJSON_CreateNull());
			cJSON_AddItemToArray(ratio, both && first->valuedouble != 0
							    ? cJSON_CreateNumber(v->valuedouble /
										 first->valuedouble)
							    : cJSON_CreateNull());
			if (!any_sweep)
				continue;
			if (cols[k].sweep &&
			    interval_of(cols[k].values, metrics[i], "mean", &mean, &l, &h)) {
				cJSON_AddItemToArray(lo, cJSON_CreateNumber(l));
				cJSON_AddItemToArray(hi, cJSON_CreateNumber(h));
				cJSON_AddItemToArray(cross, cJSON_CreateBool(nonneg && l < 0));
			} else {
				cJSON_AddItemToArray(lo, cJSON_CreateNull());
				cJSON_AddItemToArray(hi, cJSON_CreateNull());
				cJSON_AddItemToArray(cross, cJSON_CreateNull());
			}
			if (cols[k].vs_baseline &&
			    interval_of(cols[k].vs_baseline, metrics[i], "mean_diff", &mean, &l, &h)) {
				cJSON *o = cJSON_CreateObject(), *ci;

				cJSON_AddNumberToObject(o, "mean_diff", mean);
				ci = cJSON_AddArrayToObject(o, "ci95");
				cJSON_AddItemToArray(ci, cJSON_CreateNumber(l));
				cJSON_AddItemToArray(ci, cJSON_CreateNumber(h));
				cJSON_AddItemToArray(vb, o);
			} else {
				cJSON_AddItemToArray(vb, cJSON_CreateNull());
			}
		}
	}
	text = cJSON_Print(root);
	puts(text);
	free(text);
	cJSON_Delete(root);
}

/* CSV needs quotes around a field with a comma, quote or newline. */
static void csv_field(const char *s)
{
	if (!strpbrk(s, ",\"\n")) {
		fputs(s, stdout);
		return;
	}
	putchar('"');
	for (; *s; s++) {
		if (*s == '"')
			putchar('"');
		putchar(*s);
	}
	putchar('"');
}

static void csv_number(const cJSON *v)
{
	if (cJSON_IsNumber(v))
		printf("%.17g", v->valuedouble);
}

/*
 * The header `metric,<file>...` and one row per metric; a sweep point has
 * three columns, `<label> mean`, `<label> ci95_low`, `<label> ci95_high`.
 */
static void print_csv(const struct column *cols, size_t n_cols, char **metrics, size_t n_m)
{
	static const char *const parts[] = {"mean", "ci95_low", "ci95_high"};
	size_t i, k;
	int j;

	fputs("metric", stdout);
	for (k = 0; k < n_cols; k++)
		for (j = 0; j < (cols[k].sweep ? 3 : 1); j++) {
			char h[1200];

			if (cols[k].sweep)
				snprintf(h, sizeof(h), "%s %s", cols[k].short_label, parts[j]);
			else
				snprintf(h, sizeof(h), "%s", cols[k].label);
			putchar(',');
			csv_field(h);
		}
	putchar('\n');
	for (i = 0; i < n_m; i++) {
		csv_field(metrics[i]);
		for (k = 0; k < n_cols; k++) {
			const cJSON *m = cJSON_GetObjectItemCaseSensitive(cols[k].values, metrics[i]);
			const cJSON *ci = cJSON_GetObjectItemCaseSensitive(m, "ci95");

			putchar(',');
			csv_number(value_of(&cols[k], metrics[i]));
			if (!cols[k].sweep)
				continue;
			putchar(',');
			csv_number(cJSON_GetArrayItem(ci, 0));
			putchar(',');
			csv_number(cJSON_GetArrayItem(ci, 1));
		}
		putchar('\n');
	}
}

/* A metric as the table shows it: without the "summary." every row has. */
static const char *row_name(const char *metric)
{
	return strncmp(metric, "summary.", 8) ? metric : metric + 8;
}

typedef void cell_fn(char *buf, size_t n, const struct column *cols, size_t k,
		     const char *metric);

static void sweep_diff_cell(char *buf, size_t n, const struct column *cols, size_t k,
			    const char *metric)
{
	diff_cell(buf, n, &cols[k], metric);
}

/* A parameter key as a header shows it: without a leading "policies.". */
static const char *key_name(const char *k)
{
	return strncmp(k, "policies.", 9) ? k : k + 9;
}

/*
 * The header lines of a grid.  Results files are named by their label.
 * Sweep points are named by their parameters: one line per key, the key
 * in the metric column and each point's value under it, after a line of
 * file names when several files are compared.
 */
struct header {
	size_t n_lines;
	bool file_line;
	const char *keys[32];           /* the parameter keys, in order */
	size_t n_keys;
};

static void header_init(struct header *h, const struct column *cols, const size_t *pick,
			size_t n_pick)
{
	bool sweep = false, several = false;
	size_t k;

	memset(h, 0, sizeof(*h));
	for (k = 0; k < n_pick; k++) {
		const struct column *c = &cols[pick[k]];
		const cJSON *p;

		several |= strcmp(c->file, cols[pick[0]].file) != 0;
		if (!c->sweep)
			continue;
		sweep = true;
		cJSON_ArrayForEach(p, c->params_obj)
		{
			size_t j;

			for (j = 0; j < h->n_keys && strcmp(h->keys[j], p->string); j++)
				;
			if (j == h->n_keys && h->n_keys < 32)
				h->keys[h->n_keys++] = p->string;
		}
	}
	h->file_line = sweep && several;
	h->n_lines = sweep ? h->n_keys + h->file_line : 1;
	if (h->n_lines == 0)
		h->n_lines = 1;
}

/* Longest parameter value a column header shows whole. */
#define HEADER_VALUE_MAX 24

/* Header line j: its text in the metric column, and in column c. */
static const char *header_left(const struct header *h, size_t j)
{
	if (h->file_line && j == 0)
		return "file";
	if (h->n_keys && j >= (size_t)h->file_line)
		return key_name(h->keys[j - h->file_line]);
	return "metric";
}

static void header_text(const struct header *h, const struct column *c, size_t j, char *buf,
			size_t n)
{
	const cJSON *v;

	buf[0] = '\0';
	if (h->file_line && j == 0) {
		snprintf(buf, n, "%s", c->file_label);
		return;
	}
	if (!c->sweep) {
		if (j == 0)
			snprintf(buf, n, "%s", c->short_label);
		return;
	}
	if (!h->n_keys)
		return;
	v = cJSON_GetObjectItemCaseSensitive(c->params_obj, h->keys[j - h->file_line]);
	if (cJSON_IsString(v) && strlen(v->valuestring) > HEADER_VALUE_MAX && n > HEADER_VALUE_MAX)
		/* A whole policy set swept as a mapping: its start, so that the
		 * columns fit (a `name` axis beside it says which is which). */
		snprintf(buf, n, "%.*s...", HEADER_VALUE_MAX - 3, v->valuestring);
	else if (cJSON_IsString(v))
		snprintf(buf, n, "%s", v->valuestring);
	else if (cJSON_IsNumber(v))
		snprintf(buf, n, "%.10g", v->valuedouble);
	else if (cJSON_IsBool(v))
		snprintf(buf, n, "%s", cJSON_IsTrue(v) ? "true" : "false");
}

/*
 * A grid of the columns in pick[], cut into blocks of columns that fit
 * COMPARE_WIDTH characters with the metric column repeated in each.
 */
static void print_grid(const struct column *cols, const size_t *pick, size_t n_pick,
		       char **metrics, size_t n_m, bool markdown, cell_fn *cellf)
{
	size_t *width = xcalloc(n_pick + 1, sizeof(*width));
	size_t i, j, k, start, end, line;
	struct header h;
	char buf[256];

	header_init(&h, cols, pick, n_pick);
	width[0] = 0;
	for (j = 0; j < h.n_lines; j++)
		if (strlen(header_left(&h, j)) > width[0])
			width[0] = strlen(header_left(&h, j));
	for (i = 0; i < n_m; i++)
		if (strlen(row_name(metrics[i])) > width[0])
			width[0] = strlen(row_name(metrics[i]));
	for (k = 0; k < n_pick; k++) {
		for (j = 0; j < h.n_lines; j++) {
			header_text(&h, &cols[pick[k]], j, buf, sizeof(buf));
			if (strlen(buf) > width[k + 1])
				width[k + 1] = strlen(buf);
		}
		for (i = 0; i < n_m; i++) {
			cellf(buf, sizeof(buf), cols, pick[k], metrics[i]);
			if (strlen(buf) > width[k + 1])
				width[k + 1] = strlen(buf);
		}
	}
	for (start = 0; start < n_pick; start = end) {
		/* table: "metric  col  col"; markdown: "| metric | col | col |" */
		line = markdown ? width[0] + 4 : width[0];
		for (end = start; end < n_pick; end++) {
			size_t add = width[end + 1] + (markdown ? 3 : 2);

			if (end > start && line + add > COMPARE_WIDTH)
				break;
			line += add;
		}
		if (start > 0)
			putchar('\n');
		for (j = 0; j < h.n_lines; j++) {
			/* Markdown has one header row: the lines joined by "; ". */
			if (markdown && j > 0)
				break;
			printf(markdown ? "| %-*s |" : "%-*s", (int)width[0], header_left(&h, j));
			for (k = start; k < end; k++) {
				header_text(&h, &cols[pick[k]], j, buf, sizeof(buf));
				printf(markdown ? " %*s |" : "  %*s", (int)width[k + 1], buf);
			}
			putchar('\n');
		}
		if (markdown) {
			printf("|%s|", "---");
			for (k = start; k < end; k++)
				printf("---:|");
			putchar('\n');
			for (j = 1; j < h.n_lines; j++) {
				printf("| %-*s |", (int)width[0], header_left(&h, j));
				for (k = start; k < end; k++) {
					header_text(&h, &cols[pick[k]], j, buf, sizeof(buf));
					printf(" %*s |", (int)width[k + 1], buf);
				}
				putchar('\n');
			}
		}
		for (i = 0; i < n_m; i++) {
			printf(markdown ? "| %-*s |" : "%-*s", (int)width[0], row_name(metrics[i]));
			for (k = start; k < end; k++) {
				cellf(buf, sizeof(buf), cols, pick[k], metrics[i]);
				printf(markdown ? " %*s |" : "  %*s", (int)width[k + 1], buf);
			}
			putchar('\n');
		}
	}
	free(width);
}

/* The table, then the sweep points' paired differences from their baselines. */
static void print_tables(const struct column *cols, size_t n_cols, char **metrics, size_t n_m,
			 bool markdown)
{
	size_t *pick = xcalloc(n_cols + 1, sizeof(*pick));
	size_t k, n = 0;
	bool marked = false;

	for (k = 0; k < n_cols; k++)
		pick[k] = k;
	print_grid(cols, pick, n_cols, metrics, n_m, markdown, cell);
	for (k = 0; k < n_cols; k++)
		for (size_t i = 0; cols[k].sweep && i < n_m && !marked; i++) {
			double mean, lo, hi;

			marked = never_negative(metric_unit(metrics[i])) &&
				 interval_of(cols[k].values, metrics[i], "mean", &mean, &lo, &hi) &&
				 lo < 0 && !(lo == mean && hi == mean);
		}
	if (marked)
		printf("\n* the 95%% t-interval reaches below 0, which this quantity cannot; "
		       "more replications narrow it\n");
	for (k = 0; k < n_cols; k++)
		if (cols[k].vs_baseline)
			pick[n++] = k;
	if (n) {
		printf("\npaired differences from each point's baseline, mean [95%% interval]:\n");
		if (markdown)
			putchar('\n');
		print_grid(cols, pick, n, metrics, n_m, markdown, sweep_diff_cell);
	}
	free(pick);
}

/*
 * Short labels for table and markdown: a sweep point by its parameters
 * (after the file's distinct part when several files are compared), a
 * results file by the part of its path that differs from the others'
 * (the common folder and the common .json are dropped).
 */
static void short_labels(struct column *cols, size_t n_cols)
{
	size_t pre = SIZE_MAX, suf = SIZE_MAX, k, files = 0;
	const char *first = NULL, *last_file = NULL;

	for (k = 0; k < n_cols; k++) {
		const char *f = cols[k].file;
		size_t i = 0, j = 0, lf = strlen(f), l0;

		if (last_file && !strcmp(last_file, f))
			continue;
		last_file = f;
		files++;
		if (!first) {
			first = f;
			continue;
		}
		l0 = strlen(first);
		while (first[i] && first[i] == f[i])
			i++;
		while (j < l0 && j < lf && first[l0 - 1 - j] == f[lf - 1 - j])
			j++;
		if (i < pre)
			pre = i;
		if (j < suf)
			suf = j;
	}
	for (k = 0; k < n_cols; k++) {
		const char *f = cols[k].file, *slash;
		size_t lf = strlen(f), p = 0, q = 0;
		char name[600];

		if (files > 1) {
			/* Back to a folder boundary, and keep .json only if it differs. */
			p = pre > lf ? lf : pre;
			while (p > 0 && f[p - 1] != '/')
				p--;
			q = suf > lf - p ? lf - p : suf;
			if (q < 5 || strcmp(f + lf - 5, ".json"))
				q = 0;
			else
				q = 5;
		} else {
			slash = strrchr(f, '/');
			p = slash ? (size_t)(slash - f) + 1 : 0;
			q = lf - p > 5 && !strcmp(f + lf - 5, ".json") ? 5 : 0;
		}
		snprintf(name, sizeof(name), "%.*s", (int)(lf - p - q), f + p);
		cols[k].file_label = xstrdup(name);
		if (cols[k].sweep) {
			char both[1700];

			snprintf(both, sizeof(both), "%s%s%s", files > 1 ? name : "",
				 files > 1 ? ": " : "", cols[k].params);
			cols[k].short_label = xstrdup(both);
		} else {
			cols[k].short_label = xstrdup(name);
		}
	}
}

int compare_main(int argc, char **argv)
{
	struct column *cols = NULL;
	cJSON **docs = xcalloc((size_t)argc + 1, sizeof(*docs));
	char **keep = NULL, **metrics = NULL;
	size_t n_cols = 0, cap_cols = 0, n_docs = 0, n_keep = 0, cap_keep = 0, n_m = 0, cap_m = 0;
	size_t i, k;
	enum format fmt = FMT_TABLE;
	struct sim_err err = {0};
	int code = 2;

	for (i = 0; i < (size_t)argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(usage, stdout);
			code = 0;
			goto out;
		} else if (!strcmp(a, "--format") && i + 1 < (size_t)argc) {
			const char *f = argv[++i];

			if (!strcmp(f, "table"))
				fmt = FMT_TABLE;
			else if (!strcmp(f, "markdown"))
				fmt = FMT_MARKDOWN;
			else if (!strcmp(f, "csv"))
				fmt = FMT_CSV;
			else if (!strcmp(f, "json"))
				fmt = FMT_JSON;
			else {
				sim_print_line(stderr, "memsim: unknown format '%s'", f);
				fprintf(stderr, "\n%s", usage);
				goto out;
			}
		} else if (!strcmp(a, "--metrics") && i + 1 < (size_t)argc) {
			char *list = xstrdup(argv[++i]), *save = NULL, *p;

			for (p = strtok_r(list, ",", &save); p; p = strtok_r(NULL, ",", &save))
				add_path(&keep, &n_keep, &cap_keep, p);
			free(list);
		} else if (a[0] == '-' && a[1]) {
			sim_print_line(stderr, "memsim: unknown option or missing value '%s'", a);
			fprintf(stderr, "\n%s", usage);
			goto out;
		} else if (load(a, &docs[n_docs++], &cols, &n_cols, &cap_cols, &err)) {
			sim_err_print(&err, stderr);
			goto out;
		}
	}
	if (n_cols == 0) {
		fprintf(stderr, "memsim: compare needs results files\n\n%s", usage);
		goto out;
	}
	/* Rows: every metric any column has, first column's order first. */
	for (k = 0; k < n_cols; k++) {
		char **found = NULL;
		size_t n_found = 0, cap_found = 0;

		if (cols[k].sweep) {
			const cJSON *c;

			cJSON_ArrayForEach(c, cols[k].values)
				add_path(&found, &n_found, &cap_found, c->string);
		} else {
			compare_paths(cols[k].values, "summary", &found, &n_found, &cap_found);
		}
		for (i = 0; i < n_found; i++) {
			if (wanted(found[i], keep, n_keep))
				add_path(&metrics, &n_m, &cap_m, found[i]);
			free(found[i]);
		}
		free(found);
	}
	if (n_m == 0) {
		fprintf(stderr, "memsim: no metric matches --metrics\n");
		goto out;
	}
	short_labels(cols, n_cols);
	switch (fmt) {
	case FMT_TABLE:
		print_tables(cols, n_cols, metrics, n_m, false);
		break;
	case FMT_MARKDOWN:
		print_tables(cols, n_cols, metrics, n_m, true);
		break;
	case FMT_CSV:
		print_csv(cols, n_cols, metrics, n_m);
		break;
	case FMT_JSON:
		print_json(cols, n_cols, metrics, n_m);
		break;
	}
	code = 0;
out:
	for (i = 0; i < n_cols; i++) {
		free(cols[i].label);
		free(cols[i].short_label);
		free(cols[i].params);
		free(cols[i].file_label);
	}
	free(cols);
	for (i = 0; i < n_docs; i++)
		cJSON_Delete(docs[i]);
	free(docs);
	for (i = 0; i < n_keep; i++)
		free(keep[i]);
	free(keep);
	for (i = 0; i < n_m; i++)
		free(metrics[i]);
	free(metrics);
	return code;
}
