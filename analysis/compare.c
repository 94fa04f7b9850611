/*
 * compare.c - results side by side.
 *
 * Rows are the numeric leaves of each file's "summary" (results files) or
 * each point's "metrics" (sweep summaries), in the first file's order, then
 * any that only later files have.  A results column shows the value; the
 * columns after the first also show the difference and the ratio to the
 * first (no ratio when the first is 0).  A sweep column shows each point's
 * mean and its 95% interval.  CSV is plain numbers for a spreadsheet: a
 * header `metric,<file>...`, one row per metric.
 */
#include "compare.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "jsonfile.h"
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
	char *label;
	const cJSON *values;            /* summary object, or a point's metrics */
	bool sweep;
};

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
		(*cols)[(*n)++] = (struct column){xstrdup(path), sum, false};
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
				xstrdup(label), cJSON_GetObjectItemCaseSensitive(p, "metrics"), true};
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

static void fmt_num(char *buf, size_t n, const cJSON *v)
{
	if (!v || !cJSON_IsNumber(v))
		snprintf(buf, n, "-");
	else
		snprintf(buf, n, "%.6g", v->valuedouble);
}

/* A cell: the value, and for columns after the first its diff and ratio
 * (results) or the value's 95% interval (sweeps). */
static void cell(char *buf, size_t n, const struct column *cols, size_t k, const char *metric)
{
	const cJSON *v = value_of(&cols[k], metric), *first = value_of(&cols[0], metric);
	char a[64];

	fmt_num(a, sizeof(a), v);
	if (cols[k].sweep) {
		const cJSON *ci = cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(cols[k].values, metric), "ci95");

		if (cJSON_GetArraySize(ci) == 2)
			snprintf(buf, n, "%s [%.6g, %.6g]", a, cJSON_GetArrayItem(ci, 0)->valuedouble,
				 cJSON_GetArrayItem(ci, 1)->valuedouble);
		else
			snprintf(buf, n, "%s", a);
		return;
	}
	if (k == 0 || !cJSON_IsNumber(v) || !cJSON_IsNumber(first)) {
		snprintf(buf, n, "%s", a);
		return;
	}
	if (first->valuedouble != 0)
		snprintf(buf, n, "%s (%+.6g, x%.4g)", a, v->valuedouble - first->valuedouble,
			 v->valuedouble / first->valuedouble);
	else
		snprintf(buf, n, "%s (%+.6g)", a, v->valuedouble - first->valuedouble);
}

static void print_json(const struct column *cols, size_t n_cols, char **metrics, size_t n_m)
{
	cJSON *root = cJSON_CreateObject(), *files = cJSON_AddArrayToObject(root, "files");
	cJSON *m = cJSON_AddObjectToObject(root, "metrics");
	size_t i, k;
	char *text;

	for (k = 0; k < n_cols; k++)
		cJSON_AddItemToArray(files, cJSON_CreateString(cols[k].label));
	for (i = 0; i < n_m; i++) {
		cJSON *row = cJSON_AddObjectToObject(m, metrics[i]);
		cJSON *vals = cJSON_AddArrayToObject(row, "values");
		cJSON *diff = cJSON_AddArrayToObject(row, "diff");
		cJSON *ratio = cJSON_AddArrayToObject(row, "ratio");
		const cJSON *first = value_of(&cols[0], metrics[i]);

		for (k = 0; k < n_cols; k++) {
			const cJSON *v = value_of(&cols[k], metrics[i]);
			bool both = cJSON_IsNumber(v) && cJSON_IsNumber(first);

			cJSON_AddItemToArray(vals, cJSON_IsNumber(v)
							   ? cJSON_CreateNumber(v->valuedouble)
							   : cJSON_CreateNull());
			cJSON_AddItemToArray(diff, both ? cJSON_CreateNumber(v->valuedouble -
									     first->valuedouble)
							: cJSON_CreateNull());
			cJSON_AddItemToArray(ratio, both && first->valuedouble != 0
							    ? cJSON_CreateNumber(v->valuedouble /
										 first->valuedouble)
							    : cJSON_CreateNull());
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

static void print_csv(const struct column *cols, size_t n_cols, char **metrics, size_t n_m)
{
	size_t i, k;

	fputs("metric", stdout);
	for (k = 0; k < n_cols; k++) {
		putchar(',');
		csv_field(cols[k].label);
	}
	putchar('\n');
	for (i = 0; i < n_m; i++) {
		csv_field(metrics[i]);
		for (k = 0; k < n_cols; k++) {
			const cJSON *v = value_of(&cols[k], metrics[i]);

			putchar(',');
			if (cJSON_IsNumber(v))
				printf("%.17g", v->valuedouble);
		}
		putchar('\n');
	}
}

static void print_grid(const struct column *cols, size_t n_cols, char **metrics, size_t n_m,
		       bool markdown)
{
	size_t *width = xcalloc(n_cols + 1, sizeof(*width));
	size_t i, k;
	char buf[256];

	width[0] = strlen("metric");
	for (i = 0; i < n_m; i++)
		if (strlen(metrics[i]) > width[0])
			width[0] = strlen(metrics[i]);
	for (k = 0; k < n_cols; k++) {
		width[k + 1] = strlen(cols[k].label);
		for (i = 0; i < n_m; i++) {
			cell(buf, sizeof(buf), cols, k, metrics[i]);
			if (strlen(buf) > width[k + 1])
				width[k + 1] = strlen(buf);
		}
	}
	printf(markdown ? "| %-*s |" : "%-*s", (int)width[0], "metric");
	for (k = 0; k < n_cols; k++)
		printf(markdown ? " %*s |" : "  %*s", (int)width[k + 1], cols[k].label);
	putchar('\n');
	if (markdown) {
		printf("|%s|", "---");
		for (k = 0; k < n_cols; k++)
			printf("---:|");
		putchar('\n');
	}
	for (i = 0; i < n_m; i++) {
		printf(markdown ? "| %-*s |" : "%-*s", (int)width[0], metrics[i]);
		for (k = 0; k < n_cols; k++) {
			cell(buf, sizeof(buf), cols, k, metrics[i]);
			printf(markdown ? " %*s |" : "  %*s", (int)width[k + 1], buf);
		}
		putchar('\n');
	}
	free(width);
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
				fprintf(stderr, "memsim: unknown format '%s'\n\n%s", f, usage);
				goto out;
			}
		} else if (!strcmp(a, "--metrics") && i + 1 < (size_t)argc) {
			char *list = xstrdup(argv[++i]), *save = NULL, *p;

			for (p = strtok_r(list, ",", &save); p; p = strtok_r(NULL, ",", &save))
				add_path(&keep, &n_keep, &cap_keep, p);
			free(list);
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "memsim: unknown option or missing value '%s'\n\n%s", a,
				usage);
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
	switch (fmt) {
	case FMT_TABLE:
		print_grid(cols, n_cols, metrics, n_m, false);
		break;
	case FMT_MARKDOWN:
		print_grid(cols, n_cols, metrics, n_m, true);
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
	for (i = 0; i < n_cols; i++)
		free(cols[i].label);
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
