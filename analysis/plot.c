/*
 * plot.c - gnuplot scripts and data from results JSON.
 *
 * A results file gives two pictures.  Memory over time, stacked: used and
 * free frames fill the hosts' memory, and above them stand the shared-page
 * savings, ballooned, swapped and compressed memory, which is what the VMs
 * hold beyond the frames the hosts gave them.  And faults per second with
 * the VMs' stall per second of time.  A sweep summary gives one picture per
 * metric against the first numeric parameter, with the 95% interval as a
 * band, one line for each combination of the other parameters.  Each
 * picture is a .gp script and a .dat file in the output folder, rendered
 * by gnuplot to .png and .svg; the scripts stay for anyone who wants to
 * restyle them.
 */
#include "plot.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "compare.h"
#include "err.h"
#include "jsonfile.h"
#include "xmem.h"

#define GIB 1073741824.0

static const char usage[] =
	"usage: memsim plot FILE.json... [-o DIR] [--metrics PATH[,PATH...]]\n"
	"\n"
	"Draws results files (memory over time, faults and stall over time) and\n"
	"sweep summaries (each metric against the swept parameter, with its 95%\n"
	"interval) as PNG and SVG in DIR (default plots), with gnuplot.\n";

static const char *const default_metrics[] = {
	"summary.performance.slowdown_mean", "summary.performance.progress_mean",
	"summary.memory.used_bytes_mean", "summary.memory.swapped_bytes_mean",
	"summary.vms.rejected", NULL,
};

struct out {
	const char *dir;
	char stem[256];                 /* the input's file name without .json */
};

static void path_of(char *buf, size_t n, const struct out *o, const char *what, const char *ext)
{
	snprintf(buf, n, "%s/%s-%s.%s", o->dir, o->stem, what, ext);
}

/* Runs gnuplot on script; 0, or -SIM_EIO with a message. */
static int gnuplot(const char *script, struct sim_err *err)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return sim_err_set(err, -SIM_EIO, script, 0, 0, "cannot fork: %s", strerror(errno));
	if (pid == 0) {
		execlp("gnuplot", "gnuplot", script, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return sim_err_set(err, -SIM_EIO, script, 0, 0, "cannot wait: %s", strerror(errno));
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return sim_err_set(err, -SIM_EIO, "gnuplot", 0, 0,
				   "not found; install it (apt-get install gnuplot-nox)");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return sim_err_set(err, -SIM_EIO, script, 0, 0, "gnuplot failed on it");
	return 0;
}

/* The common head of a script: both terminals, title, labels, legend. */
static void script_head(FILE *f, const char *title, const char *xlabel, const char *ylabel)
{
	fprintf(f, "set title \"%s\" noenhanced\n", title);
	fprintf(f, "set xlabel \"%s\" noenhanced\nset ylabel \"%s\" noenhanced\n", xlabel, ylabel);
	fputs("set key outside right top box\nset grid\nset style fill solid 0.6 noborder\n", f);
}

/* Writes the script's plot command for both PNG and SVG. */
static void script_render(FILE *f, const struct out *o, const char *what, const char *plot)
{
	char png[700], svg[700];

	path_of(png, sizeof(png), o, what, "png");
	path_of(svg, sizeof(svg), o, what, "svg");
	fprintf(f, "set terminal pngcairo size 1100,600 noenhanced\nset output \"%s\"\n%s\n", png,
		plot);
	fprintf(f, "set terminal svg size 1100,600 noenhanced\nset output \"%s\"\nreplot\n", svg);
	fputs("set output\n", f);
}

static const cJSON *arr(const cJSON *series, const char *key)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(series, key);

	return cJSON_IsArray(a) ? a : NULL;
}

static double at_i(const cJSON *a, int i)
{
	const cJSON *v = a ? cJSON_GetArrayItem(a, i) : NULL;

	return cJSON_IsNumber(v) ? v->valuedouble : 0.0;
}

static double num_of(const cJSON *v)
{
	return cJSON_IsNumber(v) ? v->valuedouble : 0.0;
}

static int plot_results(const cJSON *doc, const struct out *o, struct sim_err *err)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(doc, "series");
	const cJSON *t = arr(s, "t_s"), *used = arr(s, "used_bytes"), *free_b = arr(s, "free_bytes");
	const cJSON *shared = arr(s, "shared_saved_bytes"), *ball = arr(s, "ballooned_bytes");
	const cJSON *swapped = arr(s, "swapped_bytes"), *comp = arr(s, "compressed_bytes");
	const cJSON *faults = arr(s, "faults"), *stall = arr(s, "stall_s");
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(doc, "name");
	int n = cJSON_GetArraySize(t), i, rc;
	double last = n ? at_i(t, n - 1) : 0, unit = last >= 3 * 3600 ? 3600 : 60;
	const char *tl = unit == 3600 ? "time (hours)" : "time (minutes)";
	char dat[700], gp[700], title[400], plot[2000];
	FILE *f;

	if (!t || !used || !free_b || n < 2)
		return sim_err_set(err, -SIM_EINVAL, o->stem, 0, 0,
				   "results with no memory series to plot");
	snprintf(title, sizeof(title), "%s",
		 cJSON_IsString(name) ? name->valuestring : o->stem);
	/* Memory, stacked: each column is the running sum up to that layer. */
	path_of(dat, sizeof(dat), o, "memory", "dat");
	if (!(f = fopen(dat, "w")))
		return sim_err_set(err, -SIM_EIO, dat, 0, 0, "cannot write: %s", strerror(errno));
	fputs("# t used +free +shared_saved +ballooned +swapped +compressed (GiB)\n", f);
	for (i = 0; i < n; i++) {
		double y[6];
		int k;

		y[0] = at_i(used, i) / GIB;
		y[1] = at_i(free_b, i) / GIB;
		y[2] = at_i(shared, i) / GIB;
		y[3] = at_i(ball, i) / GIB;
		y[4] = at_i(swapped, i) / GIB;
		y[5] = at_i(comp, i) / GIB;
		for (k = 1; k < 6; k++)
			y[k] += y[k - 1];
		fprintf(f, "%.6g %.6g %.6g %.6g %.6g %.6g %.6g\n", at_i(t, i) / unit, y[0], y[1],
			y[2], y[3], y[4], y[5]);
	}
	fclose(f);
	path_of(gp, sizeof(gp), o, "memory", "gp");
	if (!(f = fopen(gp, "w")))
		return sim_err_set(err, -SIM_EIO, gp, 0, 0, "cannot write: %s", strerror(errno));
	snprintf(title, sizeof(title), "%s: memory over all hosts",
		 cJSON_IsString(name) ? name->valuestring : o->stem);
	script_head(f, title, tl, "memory (GiB)");
	snprintf(plot, sizeof(plot),
		 "plot \"%s\" using 1:2 with filledcurves x1 title \"used\", "
		 "\"\" using 1:3:2 with filledcurves title \"free\", "
		 "\"\" using 1:4:3 with filledcurves title \"shared (saved)\", "
		 "\"\" using 1:5:4 with filledcurves title \"ballooned\", "
		 "\"\" using 1:6:5 with filledcurves title \"swapped\", "
		 "\"\" using 1:7:6 with filledcurves title \"compressed\"",
		 dat);
	script_render(f, o, "memory", plot);
	fclose(f);
	if ((rc = gnuplot(gp, err)))
		return rc;

	/* Faults and stall, per second of each sample interval. */
	path_of(dat, sizeof(dat), o, "faults", "dat");
	if (!(f = fopen(dat, "w")))
		return sim_err_set(err, -SIM_EIO, dat, 0, 0, "cannot write: %s", strerror(errno));
	fputs("# t faults/s stall-s/s\n", f);
	for (i = 1; i < n; i++) {
		double dt = at_i(t, i) - at_i(t, i - 1);

		if (dt > 0)
			fprintf(f, "%.6g %.6g %.6g\n", at_i(t, i) / unit, at_i(faults, i) / dt,
				at_i(stall, i) / dt);
	}
	fclose(f);
	path_of(gp, sizeof(gp), o, "faults", "gp");
	if (!(f = fopen(gp, "w")))
		return sim_err_set(err, -SIM_EIO, gp, 0, 0, "cannot write: %s", strerror(errno));
	snprintf(title, sizeof(title), "%s: faults and stall",
		 cJSON_IsString(name) ? name->valuestring : o->stem);
	script_head(f, title, tl, "faults per second");
	fputs("set y2label \"VM stall (seconds per second, summed over VMs)\" noenhanced\n"
	      "set ytics nomirror\nset y2tics\nset yrange [0:*]\nset y2range [0:*]\n",
	      f);
	snprintf(plot, sizeof(plot),
		 "plot \"%s\" using 1:2 with lines lw 2 title \"faults/s\", "
		 "\"\" using 1:3 axes x1y2 with lines lw 2 title \"stall s/s\"",
		 dat);
	script_render(f, o, "faults", plot);
	fclose(f);
	return gnuplot(gp, err);
}

/* A metric's unit for its axis label, and the divisor into it. */
static const char *unit_of(const char *metric, double *div)
{
	size_t n = strlen(metric);

	*div = 1;
	if (n > 6 && !strcmp(metric + n - 6, "_bytes")) {
		*div = GIB;
		return "GiB";
	}
	if (n > 5 && (strstr(metric, "_bytes_") || !strcmp(metric + n - 5, "_mean")) &&
	    strstr(metric, "bytes")) {
		*div = GIB;
		return "GiB";
	}
	if (n > 2 && !strcmp(metric + n - 2, "_s"))
		return "seconds";
	if (strstr(metric, "slowdown") || strstr(metric, "progress") || strstr(metric, "ratio"))
		return "fraction";
	return "count";
}

/* A parameter usable as an x axis: numeric in every point. */
static const char *numeric_param(const cJSON *points)
{
	const cJSON *first = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(points, 0),
							      "params");
	const cJSON *p, *pt;

	cJSON_ArrayForEach(p, first)
	{
		bool all = true;

		cJSON_ArrayForEach(pt, points)
		{
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(
				cJSON_GetObjectItemCaseSensitive(pt, "params"), p->string);
			char *end;

			if (cJSON_IsNumber(v))
				continue;
			if (!cJSON_IsString(v) || (strtod(v->valuestring, &end), *end))
				all = false;
		}
		if (all)
			return p->string;
	}
	return NULL;
}

static double param_num(const cJSON *v)
{
	return cJSON_IsNumber(v) ? v->valuedouble : strtod(v->valuestring, NULL);
}

/* The other parameters of a point, as a legend label. */
static void group_label(const cJSON *params, const char *x, char *buf, size_t n)
{
	const cJSON *p;

	buf[0] = '\0';
	cJSON_ArrayForEach(p, params)
	{
		if (!strcmp(p->string, x))
			continue;
		if (cJSON_IsNumber(p))
			snprintf(buf + strlen(buf), n - strlen(buf), "%s%s=%g", buf[0] ? " " : "",
				 p->string, p->valuedouble);
		else if (cJSON_IsString(p))
			snprintf(buf + strlen(buf), n - strlen(buf), "%s%s=%s", buf[0] ? " " : "",
				 p->string, p->valuestring);
	}
	if (!buf[0])
		snprintf(buf, n, "mean");
}

static int plot_sweep(const cJSON *doc, const struct out *o, char *const *metrics,
		      size_t n_metrics, struct sim_err *err)
{
	const cJSON *points = cJSON_GetObjectItemCaseSensitive(doc, "points"), *pt;
	const char *x = numeric_param(points);
	size_t m;
	int rc;

	if (!x)
		return sim_err_set(err, -SIM_EINVAL, o->stem, 0, 0,
				   "the sweep has no numeric parameter to plot against");
	for (m = 0; m < n_metrics; m++) {
		const char *metric = metrics[m];
		char dat[700], gp[700], what[300], title[500], ylabel[300], plot[8000] = "plot ";
		char labels[64][256];
		size_t n_labels = 0, g;
		double div;
		const char *unit = unit_of(metric, &div);
		FILE *f;

		snprintf(what, sizeof(what), "%s", metric);
		for (char *c = what; *c; c++)
			if (*c == '.')
				*c = '_';
		/* One data block per group of the other parameters. */
		cJSON_ArrayForEach(pt, points)
		{
			char label[256];

			group_label(cJSON_GetObjectItemCaseSensitive(pt, "params"), x, label,
				    sizeof(label));
			for (g = 0; g < n_labels && strcmp(labels[g], label); g++)
				;
			if (g == n_labels && n_labels < 64)
				snprintf(labels[n_labels++], sizeof(labels[0]), "%s", label);
		}
		path_of(dat, sizeof(dat), o, what, "dat");
		if (!(f = fopen(dat, "w")))
			return sim_err_set(err, -SIM_EIO, dat, 0, 0, "cannot write: %s",
					   strerror(errno));
		for (g = 0; g < n_labels; g++) {
			fprintf(f, "# %s\n", labels[g]);
			cJSON_ArrayForEach(pt, points)
			{
				const cJSON *params = cJSON_GetObjectItemCaseSensitive(pt, "params");
				const cJSON *v = cJSON_GetObjectItemCaseSensitive(
					cJSON_GetObjectItemCaseSensitive(pt, "metrics"), metric);
				const cJSON *ci = cJSON_GetObjectItemCaseSensitive(v, "ci95");
				char label[256];

				group_label(params, x, label, sizeof(label));
				if (strcmp(label, labels[g]) || !v || cJSON_GetArraySize(ci) != 2)
					continue;
				fprintf(f, "%.9g %.9g %.9g %.9g\n",
					param_num(cJSON_GetObjectItemCaseSensitive(params, x)),
					num_of(cJSON_GetObjectItemCaseSensitive(v, "mean")) / div,
					at_i(ci, 0) / div, at_i(ci, 1) / div);
			}
			fputs("\n\n", f);
		}
		fclose(f);
		path_of(gp, sizeof(gp), o, what, "gp");
		if (!(f = fopen(gp, "w")))
			return sim_err_set(err, -SIM_EIO, gp, 0, 0, "cannot write: %s",
					   strerror(errno));
		snprintf(title, sizeof(title), "%s against %s (95%% interval)", metric, x);
		snprintf(ylabel, sizeof(ylabel), "%s (%s)", metric, unit);
		script_head(f, title, x, ylabel);
		for (g = 0; g < n_labels; g++)
			snprintf(plot + strlen(plot), sizeof(plot) - strlen(plot),
				 "%s\"%s\" index %zu using 1:3:4 with filledcurves lt %zu fs "
				 "transparent solid 0.25 notitle, \"\" index %zu using 1:2 with "
				 "linespoints lt %zu lw 2 title \"%s\"",
				 g ? ", " : "", dat, g, g + 1, g, g + 1, labels[g]);
		script_render(f, o, what, plot);
		fclose(f);
		if ((rc = gnuplot(gp, err)))
			return rc;
	}
	return 0;
}

int plot_main(int argc, char **argv)
{
	const char **files = xcalloc((size_t)argc + 1, sizeof(*files));
	char **metrics = NULL;
	size_t n_files = 0, n_metrics = 0, cap = 0, i;
	struct out o = {.dir = "plots"};
	struct sim_err err = {0};
	int code = 2, rc = 0;

	for (i = 0; i < (size_t)argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(usage, stdout);
			code = 0;
			goto out;
		} else if (!strcmp(a, "-o") && i + 1 < (size_t)argc) {
			o.dir = argv[++i];
		} else if (!strcmp(a, "--metrics") && i + 1 < (size_t)argc) {
			char *list = xstrdup(argv[++i]), *save = NULL, *p;

			for (p = strtok_r(list, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
				XGROW(metrics, cap, n_metrics + 1);
				metrics[n_metrics++] = xstrdup(p);
			}
			free(list);
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "memsim: unknown option or missing value '%s'\n\n%s", a,
				usage);
			goto out;
		} else {
			files[n_files++] = a;
		}
	}
	if (!n_files) {
		fprintf(stderr, "memsim: plot needs a results file or a sweep summary\n\n%s", usage);
		goto out;
	}
	for (i = 0; !n_metrics && default_metrics[i]; i++) {
		XGROW(metrics, cap, n_metrics + 1);
		metrics[n_metrics++] = xstrdup(default_metrics[i]);
	}
	if (mkdir(o.dir, 0777) != 0 && errno != EEXIST) {
		sim_err_set(&err, -SIM_EIO, o.dir, 0, 0, "cannot create: %s", strerror(errno));
		sim_err_print(&err, stderr);
		code = 1;
		goto out;
	}
	for (i = 0; i < n_files && !rc; i++) {
		cJSON *doc = jsonfile_load(files[i], &err);
		const cJSON *schema = doc ? cJSON_GetObjectItemCaseSensitive(doc, "schema") : NULL;
		const char *base = strrchr(files[i], '/');
		size_t len;

		if (!doc) {
			rc = err.code;
			break;
		}
		base = base ? base + 1 : files[i];
		len = strlen(base);
		if (len > 5 && !strcmp(base + len - 5, ".json"))
			len -= 5;
		snprintf(o.stem, sizeof(o.stem), "%.*s", (int)len, base);
		if (cJSON_IsString(schema) && !strcmp(schema->valuestring, "memsim-results/1"))
			rc = plot_results(doc, &o, &err);
		else if (cJSON_IsString(schema) && !strcmp(schema->valuestring, "memsim-sweep/1"))
			rc = plot_sweep(doc, &o, metrics, n_metrics, &err);
		else
			rc = sim_err_set(&err, -SIM_EINVAL, files[i], 1, 1,
					 "not memsim results or a sweep summary");
		cJSON_Delete(doc);
	}
	if (rc) {
		sim_err_print(&err, stderr);
		code = rc == -SIM_EIO ? 1 : 2;
		goto out;
	}
	code = 0;
out:
	for (i = 0; i < n_metrics; i++)
		free(metrics[i]);
	free(metrics);
	free(files);
	return code;
}
