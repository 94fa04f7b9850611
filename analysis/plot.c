/*
 * plot.c - gnuplot scripts and data from results JSON.
 *
 * A results file gives three pictures.  Memory over time, stacked: used
 * and free frames fill the hosts' memory, and above them stand the
 * shared-page savings, ballooned, swapped and compressed memory, which is
 * what the VMs hold beyond the frames the hosts gave them; a dashed line
 * is the memory configured to the running VMs.  A layer that is zero
 * everywhere is left out, legend and all.  Faults per second by kind, with
 * the VMs' stall per second of time.  And the slowdown of the VMs that ran
 * as a CDF.  With --hosts, each host's memory too (from output.host_series).
 * A sweep summary gives one picture per metric against the first numeric
 * parameter, with the 95% interval as a band, one line for each
 * combination of the other parameters.
 *
 * Axes are in GiB (MiB below 1 GiB), % (shares, slowdown, progress) or s,
 * with as many decimals as the range needs for every tick label to differ;
 * an integer parameter gets its values as ticks.  Titles name the file.
 * Each picture is a .gp script and a .dat file in the output folder,
 * rendered by gnuplot to .png and .svg; the scripts stay for anyone who
 * wants to restyle them.  Metrics asked for are checked against every
 * sweep before gnuplot runs, so a typo leaves no picture behind.
 */
#include "plot.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
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
#define MIB 1048576.0

static const char usage[] =
	"usage: memsim plot FILE.json... [-o DIR] [--metrics PATH[,PATH...]] [--hosts]\n"
	"\n"
	"Draws results files (memory over time, faults by kind and stall over time,\n"
	"the CDF of the VMs' slowdown; with --hosts each host's memory, which needs\n"
	"output: {host_series: true}) and sweep summaries (each metric against the\n"
	"swept parameter, with its 95% interval) as PNG and SVG in DIR (default\n"
	"plots), with gnuplot.  --metrics names sweep metrics in full\n"
	"(summary.memory.used_bytes_mean).\n";

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

/* The common head of a script: title, labels, legend. */
static void script_head(FILE *f, const char *title, const char *xlabel, const char *ylabel)
{
	fprintf(f, "set title \"%s\" noenhanced\n", title);
	fprintf(f, "set xlabel \"%s\" noenhanced\nset ylabel \"%s\" noenhanced\n", xlabel, ylabel);
	fputs("set key outside right top box\nset grid\nset style fill solid 0.6 noborder\n", f);
}

/*
 * Tick labels for values from lo to hi that never print alike, as 0.000002
 * did on every tick of a narrow axis: ticks are about a fifth of the range
 * apart (gnuplot steps by 1, 2, 2.5 or 5 of a power of ten), so one more
 * decimal than the step needs, or as many significant digits for tiny or
 * huge values.  A range of one value gets room around it, which gnuplot
 * would otherwise warn about.
 */
static void axis_format(FILE *f, const char *axis, double lo, double hi)
{
	double r = hi - lo, big = fmax(fabs(lo), fabs(hi)), step;
	int d, p;

	if (!(r > 0)) {
		double pad = big > 0 ? big / 10 : 1;

		/* Zero everywhere is a flat line at the bottom, not in the middle. */
		fprintf(f, "set %srange [%.9g:%.9g]\n", axis, lo == 0 ? 0 : lo - pad, hi + pad);
		r = 2 * pad;
		big += pad;
	}
	step = r / 5;
	d = (int)ceil(-log10(step)) + 1;
	if (d < 0)
		d = 0;
	if (d <= 4 && big < 1e7) {
		fprintf(f, "set format %s \"%%.%df\"\n", axis, d);
		return;
	}
	p = (int)ceil(log10(big / step)) + 1;
	if (p < 1)
		p = 1;
	if (p > 12)
		p = 12;
	fprintf(f, "set format %s \"%%.%dg\"\n", axis, p);
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

/* Whether some value of a is not zero. */
static bool any_nonzero(const cJSON *a)
{
	const cJSON *v;

	cJSON_ArrayForEach(v, a)
		if (cJSON_IsNumber(v) && v->valuedouble != 0)
			return true;
	return false;
}

static FILE *open_or_err(const char *path, struct sim_err *err)
{
	FILE *f = fopen(path, "w");

	if (!f)
		sim_err_set(err, -SIM_EIO, path, 0, 0, "cannot write: %s", strerror(errno));
	return f;
}

/* The title's subject: the file, and the config's name when it says more. */
static void subject(char *buf, size_t n, const cJSON *doc, const struct out *o)
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(doc, "name");

	if (cJSON_IsString(name) && strcmp(name->valuestring, o->stem))
		snprintf(buf, n, "%s.json (%s)", o->stem, name->valuestring);
	else
		snprintf(buf, n, "%s.json", o->stem);
}

/* Time axis: hours for runs of 3 hours or more, else minutes. */
static double time_unit(const cJSON *t, const char **label)
{
	int n = cJSON_GetArraySize(t);
	double last = n ? at_i(t, n - 1) : 0;

	*label = last >= 3 * 3600 ? "time (hours)" : "time (minutes)";
	return last >= 3 * 3600 ? 3600 : 60;
}

/* The memory layers of a series, stacked in this order. */
static const char *const layer_keys[] = {
	"used_bytes", "free_bytes", "shared_saved_bytes", "ballooned_bytes", "swapped_bytes",
	"compressed_bytes",
};
static const char *const layer_titles[] = {
	"used", "free", "shared (saved)", "ballooned", "swapped", "compressed",
};
#define N_LAYERS 6

/*
 * One memory picture of a series (the cluster's or a host's) as what:
 * stacked layers, zero ones left out, and the configured memory as a line.
 */
static int plot_memory(const cJSON *series, const struct out *o, const char *what,
		       const char *title, struct sim_err *err)
{
	const cJSON *t = arr(series, "t_s"), *conf = arr(series, "configured_bytes");
	const cJSON *layer[N_LAYERS];
	int n = cJSON_GetArraySize(t), i, k, shown = 0;
	double top = 0, div, unit;
	const char *tl, *ul;
	char dat[700], gp[700], plot[3000], ylabel[64];
	bool keep[N_LAYERS];
	FILE *f;

	for (k = 0; k < N_LAYERS; k++) {
		layer[k] = arr(series, layer_keys[k]);
		/* used and free always fill the hosts; the others only when present. */
		keep[k] = layer[k] && (k < 2 || any_nonzero(layer[k]));
	}
	if (!t || !layer[0] || !layer[1] || n < 2)
		return sim_err_set(err, -SIM_EINVAL, o->stem, 0, 0,
				   "results with no memory series to plot");
	unit = time_unit(t, &tl);
	for (i = 0; i < n; i++) {
		double y = 0;

		for (k = 0; k < N_LAYERS; k++)
			if (keep[k])
				y += at_i(layer[k], i);
		top = fmax(top, fmax(y, at_i(conf, i)));
	}
	div = top < GIB ? MIB : GIB;
	ul = top < GIB ? "MiB" : "GiB";
	path_of(dat, sizeof(dat), o, what, "dat");
	if (!(f = open_or_err(dat, err)))
		return err->code;
	fprintf(f, "# t, then the running sums of:");
	for (k = 0; k < N_LAYERS; k++)
		if (keep[k])
			fprintf(f, " %s", layer_keys[k]);
	fprintf(f, "; then configured_bytes (%s)\n", ul);
	for (i = 0; i < n; i++) {
		double y = 0;

		fprintf(f, "%.9g", at_i(t, i) / unit);
		for (k = 0; k < N_LAYERS; k++)
			if (keep[k]) {
				y += at_i(layer[k], i);
				fprintf(f, " %.9g", y / div);
			}
		fprintf(f, " %.9g\n", at_i(conf, i) / div);
	}
	fclose(f);
	path_of(gp, sizeof(gp), o, what, "gp");
	if (!(f = open_or_err(gp, err)))
		return err->code;
	snprintf(ylabel, sizeof(ylabel), "memory (%s)", ul);
	script_head(f, title, tl, ylabel);
	fputs("set yrange [0:*]\n", f);
	axis_format(f, "y", 0, top / div);
	snprintf(plot, sizeof(plot), "plot \"%s\"", dat);
	for (k = 0; k < N_LAYERS; k++) {
		if (!keep[k])
			continue;
		if (shown == 0)
			snprintf(plot + strlen(plot), sizeof(plot) - strlen(plot),
				 " using 1:2 with filledcurves x1 lt %d title \"%s\"", k + 1,
				 layer_titles[k]);
		else
			snprintf(plot + strlen(plot), sizeof(plot) - strlen(plot),
				 ", \"\" using 1:%d:%d with filledcurves lt %d title \"%s\"",
				 shown + 2, shown + 1, k + 1, layer_titles[k]);
		shown++;
	}
	if (conf)
		snprintf(plot + strlen(plot), sizeof(plot) - strlen(plot),
			 ", \"\" using 1:%d with lines lc rgb \"black\" lw 2 dt 2 "
			 "title \"configured\"", shown + 2);
	script_render(f, o, what, plot);
	fclose(f);
	return gnuplot(gp, err);
}

/* Faults per second by kind (the kinds that happened), and stall per second. */
static int plot_faults(const cJSON *doc, const struct out *o, const char *subj,
		       struct sim_err *err)
{
	static const char *const kinds[] = {
		"zero_fill", "cow", "host_swap_in", "decompress", "guest_swap_in",
	};
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(doc, "series");
	const cJSON *t = arr(s, "t_s"), *stall = arr(s, "stall_s"), *col[6];
	const char *names[6], *tl;
	int n = cJSON_GetArraySize(t), i, k, n_col = 0;
	double unit = time_unit(t, &tl), top = 0, stop = 0;
	char dat[700], gp[700], title[600], plot[3000], key[64];
	FILE *f;

	for (k = 0; k < 5; k++) {
		snprintf(key, sizeof(key), "faults_%s", kinds[k]);
		if (arr(s, key) && any_nonzero(arr(s, key))) {
			col[n_col] = arr(s, key);
			names[n_col++] = kinds[k];
		}
	}
	/* Results without the split: the total, as one line. */
	if (!arr(s, "faults_zero_fill") && arr(s, "faults")) {
		col[n_col] = arr(s, "faults");
		names[n_col++] = "all kinds";
	}
	path_of(dat, sizeof(dat), o, "faults", "dat");
	if (!(f = open_or_err(dat, err)))
		return err->code;
	fputs("# t, faults/s of:", f);
	for (k = 0; k < n_col; k++)
		fprintf(f, " %s", names[k]);
	fputs(", stall s/s\n", f);
	for (i = 1; i < n; i++) {
		double dt = at_i(t, i) - at_i(t, i - 1);

		if (!(dt > 0))
			continue;
		fprintf(f, "%.9g", at_i(t, i) / unit);
		for (k = 0; k < n_col; k++) {
			fprintf(f, " %.9g", at_i(col[k], i) / dt);
			top = fmax(top, at_i(col[k], i) / dt);
		}
		fprintf(f, " %.9g\n", at_i(stall, i) / dt);
		stop = fmax(stop, at_i(stall, i) / dt);
	}
	fclose(f);
	path_of(gp, sizeof(gp), o, "faults", "gp");
	if (!(f = open_or_err(gp, err)))
		return err->code;
	snprintf(title, sizeof(title), "%s: faults by kind and stall", subj);
	script_head(f, title, tl, "faults per second");
	fputs("set y2label \"VM stall (seconds per second, summed over VMs)\" noenhanced\n"
	      "set ytics nomirror\nset y2tics\nset yrange [0:*]\nset y2range [0:*]\n",
	      f);
	axis_format(f, "y", 0, top);
	axis_format(f, "y2", 0, stop);
	snprintf(plot, sizeof(plot), "plot \"%s\"", dat);
	for (k = 0; k < n_col; k++)
		snprintf(plot + strlen(plot), sizeof(plot) - strlen(plot),
			 "%s using 1:%d with lines lw 2 title \"%s faults/s\"", k ? ", \"\"" : "",
			 k + 2, names[k]);
	snprintf(plot + strlen(plot), sizeof(plot) - strlen(plot),
		 "%s using 1:%d axes x1y2 with lines lw 2 dt 2 lc rgb \"black\" "
		 "title \"stall s/s\"", n_col ? ", \"\"" : "", n_col + 2);
	script_render(f, o, "faults", plot);
	fclose(f);
	return gnuplot(gp, err);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The CDF of the slowdown of the VMs that ran (those with pages), in %. */
static int plot_cdf(const cJSON *doc, const struct out *o, const char *subj,
		    struct sim_err *err)
{
	const cJSON *vms = cJSON_GetObjectItemCaseSensitive(doc, "vms"), *v;
	size_t n = 0, i;
	double *s = xcalloc((size_t)cJSON_GetArraySize(vms) + 1, sizeof(*s));
	char dat[700], gp[700], title[600], plot[1000];
	FILE *f;
	int rc;

	cJSON_ArrayForEach(v, vms)
		if (cJSON_GetObjectItemCaseSensitive(v, "pages"))
			s[n++] = num_of(cJSON_GetObjectItemCaseSensitive(v, "slowdown"));
	if (n == 0) {
		/* No VM ran: there is no distribution to draw, and no empty picture. */
		fprintf(stderr, "memsim plot: %s: no VM ran, so no slowdown CDF\n", o->stem);
		free(s);
		return 0;
	}
	qsort(s, n, sizeof(*s), cmp_double);
	path_of(dat, sizeof(dat), o, "slowdown-cdf", "dat");
	if (!(f = open_or_err(dat, err))) {
		free(s);
		return err->code;
	}
	/* Steps: the share of VMs at or below each slowdown, from 0 before the first. */
	fputs("# slowdown (%), share of VMs at or below it (%)\n", f);
	fprintf(f, "%.9g 0\n", 100 * s[0]);
	for (i = 0; i < n; i++)
		fprintf(f, "%.9g %.9g\n", 100 * s[i], 100.0 * (double)(i + 1) / (double)n);
	fclose(f);
	path_of(gp, sizeof(gp), o, "slowdown-cdf", "gp");
	if (!(f = open_or_err(gp, err))) {
		free(s);
		return err->code;
	}
	snprintf(title, sizeof(title), "%s: slowdown of the %zu VMs that ran (CDF)", subj, n);
	script_head(f, title, "slowdown (%)", "VMs at or below it (%)");
	fputs("set yrange [0:100]\nset key off\n", f);
	axis_format(f, "x", 100 * s[0], 100 * s[n - 1]);
	snprintf(plot, sizeof(plot), "plot \"%s\" using 1:2 with steps lw 2 title \"VMs\"", dat);
	script_render(f, o, "slowdown-cdf", plot);
	fclose(f);
	free(s);
	rc = gnuplot(gp, err);
	return rc;
}

static int plot_results(const cJSON *doc, const struct out *o, bool hosts, struct sim_err *err)
{
	const cJSON *series = cJSON_GetObjectItemCaseSensitive(doc, "series"), *h;
	char subj[400], title[600];
	int rc;

	subject(subj, sizeof(subj), doc, o);
	snprintf(title, sizeof(title), "%s: memory over all hosts", subj);
	if ((rc = plot_memory(series, o, "memory", title, err)) ||
	    (rc = plot_faults(doc, o, subj, err)) || (rc = plot_cdf(doc, o, subj, err)))
		return rc;
	if (!hosts)
		return 0;
	cJSON_ArrayForEach(h, cJSON_GetObjectItemCaseSensitive(doc, "hosts"))
	{
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(h, "name");
		char what[300];

		snprintf(what, sizeof(what), "host-%s-memory",
			 cJSON_IsString(name) ? name->valuestring : "?");
		snprintf(title, sizeof(title), "%s: memory of host %s", subj,
			 cJSON_IsString(name) ? name->valuestring : "?");
		if ((rc = plot_memory(cJSON_GetObjectItemCaseSensitive(h, "series"), o, what, title,
				      err)))
			return rc;
	}
	return 0;
}

/* A metric's axis: its label's unit and the divisor into it (bytes by their size). */
static const char *unit_of(const char *metric, double top, double *mul)
{
	const char *leaf = strrchr(metric, '.');
	size_t n;

	leaf = leaf ? leaf + 1 : metric;
	n = strlen(leaf);
	*mul = 1;
	if ((n > 6 && !strcmp(leaf + n - 6, "_bytes")) || strstr(leaf, "_bytes_")) {
		*mul = top < GIB ? 1 / MIB : 1 / GIB;
		return top < GIB ? "MiB" : "GiB";
	}
	if (n > 2 && !strcmp(leaf + n - 2, "_s"))
		return "s";
	if (!strncmp(leaf, "slowdown", 8) || !strncmp(leaf, "progress", 8) ||
	    (n > 6 && !strcmp(leaf + n - 6, "_share"))) {
		*mul = 100;
		return "%";
	}
	if (strstr(leaf, "ratio"))
		return "ratio";
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

/*
 * Integer x values get themselves as ticks, so 2 hosts is "2" and never
 * "2.5"; up to 24 of them, beyond which gnuplot's own ticks are clearer.
 */
static void x_ticks(FILE *f, const cJSON *points, const char *x)
{
	double v[24];
	size_t n = 0, i;
	const cJSON *pt;

	cJSON_ArrayForEach(pt, points)
	{
		double xv = param_num(cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(pt, "params"), x));

		if (xv != floor(xv) || fabs(xv) > 1e15)
			return;
		for (i = 0; i < n && v[i] != xv; i++)
			;
		if (i < n)
			continue;
		if (n == 24)
			return;
		v[n++] = xv;
	}
	qsort(v, n, sizeof(*v), cmp_double);
	fputs("set xtics (", f);
	for (i = 0; i < n; i++)
		fprintf(f, "%s%.0f", i ? ", " : "", v[i]);
	fputs(")\n", f);
	/* Room on both sides, so the first and last points are not on the frame. */
	if (n > 1)
		fprintf(f, "set xrange [%.0f - 0.5:%.0f + 0.5]\n", v[0], v[n - 1]);
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
		char dat[700], gp[700], what[300], title[800], ylabel[300], plot[8000] = "plot ";
		char labels[64][256];
		size_t n_labels = 0, g;
		double mul, lo = HUGE_VAL, hi = -HUGE_VAL, top = 0;
		const char *unit;
		FILE *f;

		snprintf(what, sizeof(what), "%s", metric);
		for (char *c = what; *c; c++)
			if (*c == '.')
				*c = '_';
		/* One data block per group of the other parameters; the range for the axis. */
		cJSON_ArrayForEach(pt, points)
		{
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(
				cJSON_GetObjectItemCaseSensitive(pt, "metrics"), metric);
			const cJSON *ci = cJSON_GetObjectItemCaseSensitive(v, "ci95");
			char label[256];

			group_label(cJSON_GetObjectItemCaseSensitive(pt, "params"), x, label,
				    sizeof(label));
			for (g = 0; g < n_labels && strcmp(labels[g], label); g++)
				;
			if (g == n_labels && n_labels < 64)
				snprintf(labels[n_labels++], sizeof(labels[0]), "%s", label);
			if (v && cJSON_GetArraySize(ci) == 2)
				top = fmax(top, fmax(fabs(at_i(ci, 0)), fabs(at_i(ci, 1))));
		}
		unit = unit_of(metric, top, &mul);
		path_of(dat, sizeof(dat), o, what, "dat");
		if (!(f = open_or_err(dat, err)))
			return err->code;
		fprintf(f, "# %s: mean, ci95 low, ci95 high (%s)\n", x, unit);
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
				lo = fmin(lo, at_i(ci, 0) * mul);
				hi = fmax(hi, at_i(ci, 1) * mul);
				fprintf(f, "%.9g %.9g %.9g %.9g\n",
					param_num(cJSON_GetObjectItemCaseSensitive(params, x)),
					num_of(cJSON_GetObjectItemCaseSensitive(v, "mean")) * mul,
					at_i(ci, 0) * mul, at_i(ci, 1) * mul);
			}
			fputs("\n\n", f);
		}
		fclose(f);
		path_of(gp, sizeof(gp), o, what, "gp");
		if (!(f = open_or_err(gp, err)))
			return err->code;
		snprintf(title, sizeof(title), "%s.json: %s against %s (95%% interval)", o->stem,
			 metric, x);
		snprintf(ylabel, sizeof(ylabel), "%s (%s)", metric, unit);
		script_head(f, title, x, ylabel);
		axis_format(f, "y", lo, hi);
		x_ticks(f, points, x);
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

/* Whether some point of a sweep has metric. */
static bool sweep_has(const cJSON *doc, const char *metric)
{
	const cJSON *pt;

	cJSON_ArrayForEach(pt, cJSON_GetObjectItemCaseSensitive(doc, "points"))
		if (cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(pt, "metrics"),
						     metric))
			return true;
	return false;
}

/* A metric of the sweep under prefix, for a hint, or NULL. */
static const char *sweep_under(const cJSON *doc, const char *prefix)
{
	const cJSON *m;
	size_t k = strlen(prefix);

	cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(
				      cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "points"), 0),
				      "metrics"))
		if (!strncmp(m->string, prefix, k) && m->string[k] == '.')
			return m->string;
	return NULL;
}

/*
 * Checks the metrics against a sweep before anything is drawn.  Asked for,
 * each must be a metric of the sweep; by default, those it lacks are left
 * out.  Returns 0, or -SIM_EINVAL with the first that is not.
 */
static int check_metrics(const cJSON *doc, const char *path, char **metrics, size_t *n,
			 bool given, struct sim_err *err)
{
	size_t i, k = 0;

	for (i = 0; i < *n; i++) {
		const char *under;

		if (sweep_has(doc, metrics[i])) {
			metrics[k++] = metrics[i];
			continue;
		}
		if (!given) {
			free(metrics[i]);
			continue;
		}
		under = sweep_under(doc, metrics[i]);
		if (under)
			sim_err_set(err, -SIM_EINVAL, path, 0, 0,
				    "--metrics '%s' is a group of metrics, not one; name each, "
				    "as '%s'", metrics[i], under);
		else
			sim_err_set(err, -SIM_EINVAL, path, 0, 0,
				    "--metrics '%s' is not a metric of this sweep (they are "
				    "summary.<path>, as in summary.csv)", metrics[i]);
		for (; i < *n; i++)
			metrics[k++] = metrics[i];
		*n = k;
		return err->code;
	}
	*n = k;
	if (k == 0)
		return sim_err_set(err, -SIM_EINVAL, path, 0, 0,
				   "the sweep has none of the default metrics; name some with "
				   "--metrics");
	return 0;
}

static bool is_schema(const cJSON *doc, const char *schema)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(doc, "schema");

	return cJSON_IsString(s) && !strcmp(s->valuestring, schema);
}

int plot_main(int argc, char **argv)
{
	const char **files = xcalloc((size_t)argc + 1, sizeof(*files));
	cJSON **docs = xcalloc((size_t)argc + 1, sizeof(*docs));
	char **metrics = NULL, ***per = NULL;
	size_t n_files = 0, n_metrics = 0, cap = 0, i, k, *n_per = NULL;
	struct out o = {.dir = "plots"};
	struct sim_err err = {0};
	bool hosts = false;
	int code = 2, rc = 0;

	for (i = 0; i < (size_t)argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(usage, stdout);
			code = 0;
			goto out;
		} else if (!strcmp(a, "-o") && i + 1 < (size_t)argc) {
			o.dir = argv[++i];
		} else if (!strcmp(a, "--hosts")) {
			hosts = true;
		} else if (!strcmp(a, "--metrics") && i + 1 < (size_t)argc) {
			char *list = xstrdup(argv[++i]), *save = NULL, *p;

			for (p = strtok_r(list, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
				XGROW(metrics, cap, n_metrics + 1);
				metrics[n_metrics++] = xstrdup(p);
			}
			free(list);
		} else if (a[0] == '-' && a[1]) {
			sim_print_line(stderr, "memsim: unknown option or missing value '%s'", a);
			fprintf(stderr, "\n%s", usage);
			goto out;
		} else {
			files[n_files++] = a;
		}
	}
	if (!n_files) {
		fprintf(stderr, "memsim: plot needs a results file or a sweep summary\n\n%s", usage);
		goto out;
	}
	/* Every file is read and checked before gnuplot runs once. */
	per = xcalloc(n_files, sizeof(*per));
	n_per = xcalloc(n_files, sizeof(*n_per));
	for (i = 0; i < n_files && !rc; i++) {
		if (!(docs[i] = jsonfile_load(files[i], &err))) {
			rc = err.code;
		} else if (is_schema(docs[i], "memsim-sweep/1")) {
			size_t n = n_metrics ? n_metrics : sizeof(default_metrics) /
								   sizeof(default_metrics[0]) - 1;

			per[i] = xcalloc(n + 1, sizeof(**per));
			for (k = 0; k < n; k++)
				per[i][k] = xstrdup(n_metrics ? metrics[k] : default_metrics[k]);
			n_per[i] = n;
			rc = check_metrics(docs[i], files[i], per[i], &n_per[i], n_metrics > 0, &err);
		} else if (is_schema(docs[i], "memsim-results/1")) {
			const cJSON *h = cJSON_GetArrayItem(
				cJSON_GetObjectItemCaseSensitive(docs[i], "hosts"), 0);

			if (hosts && !cJSON_GetObjectItemCaseSensitive(h, "series"))
				rc = sim_err_set(&err, -SIM_EINVAL, files[i], 0, 0,
						 "--hosts needs each host's series: run with "
						 "output: {host_series: true}");
		} else {
			rc = sim_err_set(&err, -SIM_EINVAL, files[i], 1, 1,
					 "not memsim results or a sweep summary");
		}
	}
	if (!rc && mkdir(o.dir, 0777) != 0 && errno != EEXIST)
		rc = sim_err_set(&err, -SIM_EIO, o.dir, 0, 0, "cannot create: %s", strerror(errno));
	for (i = 0; i < n_files && !rc; i++) {
		const char *base = strrchr(files[i], '/');
		size_t len;

		base = base ? base + 1 : files[i];
		len = strlen(base);
		if (len > 5 && !strcmp(base + len - 5, ".json"))
			len -= 5;
		snprintf(o.stem, sizeof(o.stem), "%.*s", (int)len, base);
		if (is_schema(docs[i], "memsim-results/1"))
			rc = plot_results(docs[i], &o, hosts, &err);
		else
			rc = plot_sweep(docs[i], &o, per[i], n_per[i], &err);
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
	for (i = 0; per && i < n_files; i++) {
		for (k = 0; k < n_per[i]; k++)
			free(per[i][k]);
		free(per[i]);
	}
	free(per);
	free(n_per);
	for (i = 0; i < n_files; i++)
		cJSON_Delete(docs[i]);
	free(docs);
	free(files);
	return code;
}
