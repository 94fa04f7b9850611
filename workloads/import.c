/*
 * import.c - the trace writer and the importer table.
 *
 * The window is applied in the trace's own time: a VM is kept when it is
 * alive somewhere in [start, start + length); its times are clipped to the
 * window, shifted so the window starts at 0, and multiplied by time_scale.
 * Series points outside the window are dropped, and the rest are written
 * relative to the VM's arrival, as phases count from placement.  Sizes are written in
 * bytes and times in the largest unit that divides them exactly.
 */
#include "import.h"

#include <dirent.h>
#include <errno.h>
#include <gsl/gsl_rng.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cfg.h"
#include "rng.h"
#include "trace.h"
#include "units.h"
#include "xmem.h"

static const struct {
	const char *name;
	import_fn *fn;
} importers[] = {
	{"bitbrains", import_bitbrains},
	{"azure", import_azure},
	{"alibaba-gpu", import_alibaba_gpu},
	{"google-derived", import_google_derived},
};

#define N_IMPORTERS (sizeof(importers) / sizeof(importers[0]))

import_fn *import_find(const char *name)
{
	size_t i;

	for (i = 0; i < N_IMPORTERS; i++)
		if (!strcmp(importers[i].name, name))
			return importers[i].fn;
	return NULL;
}

const char *import_names(void)
{
	return "bitbrains, azure, alibaba-gpu, google-derived";
}

void import_begin(struct import_out *o, FILE *f, const struct import_opts *opts,
		  const char *kind)
{
	memset(o, 0, sizeof(*o));
	o->f = f;
	o->opts = opts;
	fprintf(f, "# memsim trace, imported by `memsim import %s`.\n", kind);
	fprintf(f, "# Time scale %g; sizes in bytes.\nvms:\n", opts->time_scale);
}

/* Trace time to simulated time: into the window, then scaled, as a double
 * so that no scale overflows. */
static double sim_time(const struct import_out *o, int64_t t)
{
	double x = ((double)t - (double)o->opts->start_ns) * o->opts->time_scale;

	return x < 0 ? 0 : x;
}

/* The same as written; only for times that pass fits_trace. */
static int64_t sim_ns(const struct import_out *o, int64_t t)
{
	return (int64_t)sim_time(o, t);
}

/* Whether trace time t, scaled, is a time the trace loader accepts; if not,
 * says why in o->why.  what names the time ("arrival", ...). */
static bool fits_trace(struct import_out *o, int64_t t, const char *what)
{
	double x = sim_time(o, t);

	/* Below, not at, the limit: a departure may be written 1 ns later. */
	if (x < (double)CFG_MAX_NS)
		return true;
	snprintf(o->why, sizeof(o->why),
		 "the %s at trace time %.0f s becomes %.3g s with --time-scale %g, more than 10 "
		 "years, the longest a trace may hold (use a smaller --time-scale or --length)",
		 what, (double)t / 1e9, x / 1e9, o->opts->time_scale);
	return false;
}

static int64_t window_end(const struct import_out *o)
{
	const struct import_opts *p = o->opts;

	if (p->length_ns <= 0 || p->length_ns > TRACE_NEVER - p->start_ns)
		return TRACE_NEVER;
	return p->start_ns + p->length_ns;
}

static void put_time(FILE *f, int64_t ns)
{
	char buf[40];

	fputs(units_format_duration(ns, buf, sizeof(buf)), f);
}

/* A YAML double-quoted string; bytes outside printable ASCII become \xNN,
 * so any name from a trace reads back as valid YAML. */
static void put_name(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20 || ch >= 0x7f)
			fprintf(f, "\\x%02X", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

/* Counts a VM in a report slot, keeping the first few names. */
static void report_vm(uint64_t *vms, struct import_named *first, const char *name,
		      int64_t arrive_ns)
{
	if (*vms < IMPORT_NAMES) {
		snprintf(first[*vms].name, sizeof(first[*vms].name), "%s", name);
		first[*vms].arrive_ns = arrive_ns;
	}
	(*vms)++;
}

int import_vm_begin(struct import_out *o, const char *name, int64_t memory_bytes,
		    int64_t arrive_ns, int64_t depart_ns)
{
	int64_t end = window_end(o), day;
	int why = -1;

	if (arrive_ns >= end)
		why = 0;
	else if (depart_ns != TRACE_NEVER && depart_ns <= o->opts->start_ns)
		why = 1;
	else if (o->opts->max_vms && o->rep.vms >= o->opts->max_vms)
		why = 2;
	if (why >= 0) {
		report_vm(&o->rep.dropped[why].vms, o->rep.dropped[why].first, name, arrive_ns);
		return 0;
	}
	o->why_depart = false;
	if (!fits_trace(o, arrive_ns, "arrival"))
		return -SIM_ERANGE;
	if (depart_ns != TRACE_NEVER && depart_ns < end && !fits_trace(o, depart_ns, "departure")) {
		o->why_depart = true;
		return -SIM_ERANGE;
	}
	if (memory_bytes > TRACE_MAX_VM_BYTES) {
		snprintf(o->why, sizeof(o->why),
			 "memory of %lld bytes is more than 1 PiB, the most a trace's VM may have",
			 (long long)memory_bytes);
		return -SIM_ERANGE;
	}
	if (o->rep.vms >= TRACE_MAX_VMS) {
		snprintf(o->why, sizeof(o->why),
			 "more than 10^8 VMs, the most a trace may hold "
			 "(use --max-vms or --length)");
		return -SIM_ERANGE;
	}
	day = arrive_ns > 0 ? arrive_ns / (86400 * UNITS_NS_PER_S) : 0;
	if (day >= IMPORT_DAYS)
		day = IMPORT_DAYS - 1;
	report_vm(&o->rep.days[day].vms, o->rep.days[day].first, name, arrive_ns);
	o->rep.vms++;
	o->points = 0;
	o->arrive_ns = sim_ns(o, arrive_ns);
	o->last_point_ns = -1;
	fputs("  - name: ", o->f);
	put_name(o->f, name);
	fprintf(o->f, "\n    memory: %lld\n    arrive: ", (long long)memory_bytes);
	put_time(o->f, sim_ns(o, arrive_ns));
	fputc('\n', o->f);
	if (depart_ns != TRACE_NEVER && depart_ns < end) {
		int64_t a = sim_ns(o, arrive_ns), d = sim_ns(o, depart_ns);

		fputs("    depart: ", o->f);
		/* A VM must leave after it arrives, even when scaled to nothing. */
		put_time(o->f, d > a ? d : a + 1);
		fputc('\n', o->f);
	}
	return 1;
}

int import_vm_point(struct import_out *o, int64_t t_ns, int64_t ws_bytes)
{
	int64_t at;

	if (t_ns < o->opts->start_ns || t_ns >= window_end(o))
		return 0;
	if (!fits_trace(o, t_ns, "sample"))
		return -SIM_ERANGE;
	at = sim_ns(o, t_ns) - o->arrive_ns;
	if (at < 0)
		at = 0;
	if (at <= o->last_point_ns)
		return 0;
	o->last_point_ns = at;
	fputs(o->points == 0 ? "    working_set_series: [" : o->points % 4 ? ", " : ",\n      ",
	      o->f);
	fputc('[', o->f);
	put_time(o->f, at);
	fprintf(o->f, ", %lld]", (long long)(ws_bytes > 0 ? ws_bytes : 0));
	o->points++;
	return 0;
}

void import_vm_share(struct import_out *o, double share)
{
	fprintf(o->f, "    phases: [{working_set: %.1f%%}]\n", 100.0 * share);
}

void import_vm_end(struct import_out *o)
{
	if (o->points)
		fputs("]\n", o->f);
	o->points = 0;
}

void import_note(struct import_out *o, const char *what)
{
	size_t i;

	for (i = 0; i < o->rep.n_notes; i++)
		if (!strcmp(o->rep.notes[i].what, what)) {
			o->rep.notes[i].count++;
			return;
		}
	if (o->rep.n_notes < IMPORT_MAX_NOTES) {
		o->rep.notes[o->rep.n_notes].what = what;
		o->rep.notes[o->rep.n_notes++].count = 1;
	}
}

/* Prints up to IMPORT_NAMES names with their start days: " (a at 21.0d, b at 28.0d, ...)". */
static void put_names(FILE *f, const struct import_named *first, uint64_t n, uint64_t total)
{
	uint64_t k;

	fputs(" (", f);
	for (k = 0; k < n && k < IMPORT_NAMES; k++)
		fprintf(f, "%s%s at %.1fd", k ? ", " : "", first[k].name,
			(double)first[k].arrive_ns / 86400e9);
	fputs(total > k ? ", ...)" : ")", f);
}

/*
 * VMs that start far from the others: the days of the trace split by the
 * longest run of at least IMPORT_FAR_DAYS days in which no VM starts, and
 * the VMs on the side with fewer of them.  The Bitbrains fastStorage trace
 * has two VMs that start 21 and 28 days after the rest, which a run would
 * otherwise simulate as a month of nearly idle hosts.
 */
static const int64_t IMPORT_FAR_DAYS = 7;       /* tunable: a gap this long splits a trace */

static void report_far_starts(const struct import_report *r, FILE *f)
{
	int64_t last = -1, gap_from = -1, gap_len = 0, lo, hi, d;
	uint64_t before = 0, after = 0, minority, n = 0;

	for (d = 0; d < IMPORT_DAYS; d++) {
		if (!r->days[d].vms)
			continue;
		if (last >= 0 && d - last - 1 > gap_len) {
			gap_len = d - last - 1;
			gap_from = last + 1;
		}
		last = d;
	}
	if (gap_len < IMPORT_FAR_DAYS)
		return;
	for (d = 0; d < IMPORT_DAYS; d++)
		*(d < gap_from ? &before : &after) += r->days[d].vms;
	/* The days of the smaller side: [lo, hi). */
	minority = before < after ? before : after;
	lo = before < after ? 0 : gap_from + gap_len;
	hi = before < after ? gap_from : IMPORT_DAYS;
	fprintf(f, "  %llu VM%s start far from the others, across %lld days in which no VM "
		"starts:", (unsigned long long)minority, minority == 1 ? "" : "s",
		(long long)gap_len);
	for (d = lo; d < hi; d++)
		for (uint64_t k = 0; k < r->days[d].vms && k < IMPORT_NAMES && n < 5; k++, n++)
			fprintf(f, "%s %s at %.1fd", n ? "," : "", r->days[d].first[k].name,
				(double)r->days[d].first[k].arrive_ns / 86400e9);
	fprintf(f, "%s; --start and --length choose a window\n", n < minority ? ", ..." : "");
}

void import_report_print(const struct import_out *o, const char *kind, FILE *f)
{
	const struct import_report *r = &o->rep;
	char a[40], b[40];
	size_t i;

	fprintf(f, "memsim import %s: %llu file%s, %llu rows, %llu VMs written\n", kind,
		(unsigned long long)r->files, r->files == 1 ? "" : "s",
		(unsigned long long)r->rows, (unsigned long long)r->vms);
	for (i = 0; i < r->n_notes; i++)
		fprintf(f, "  %llu %s\n", (unsigned long long)r->notes[i].count, r->notes[i].what);
	if (r->dropped[0].vms) {
		fprintf(f, "  %llu VMs dropped by --length: they start at or after the window's "
			"end, %s", (unsigned long long)r->dropped[0].vms,
			units_format_duration(window_end(o), a, sizeof(a)));
		put_names(f, r->dropped[0].first, r->dropped[0].vms, r->dropped[0].vms);
		fputc('\n', f);
	}
	if (r->dropped[1].vms) {
		fprintf(f, "  %llu VMs dropped by --start: they left by %s",
			(unsigned long long)r->dropped[1].vms,
			units_format_duration(o->opts->start_ns, b, sizeof(b)));
		put_names(f, r->dropped[1].first, r->dropped[1].vms, r->dropped[1].vms);
		fputc('\n', f);
	}
	if (r->dropped[2].vms)
		fprintf(f, "  %llu VMs dropped by --max-vms %zu\n",
			(unsigned long long)r->dropped[2].vms, o->opts->max_vms);
	report_far_starts(r, f);
}

double import_default_share(const struct import_out *o, const char *id)
{
	gsl_rng *r = rng_stream(o->opts->seed, 0, RNG_WORKING_SETS, rng_entity(id));
	double share = 0.2 + 0.4 * gsl_rng_uniform(r);

	gsl_rng_free(r);
	return share;
}

/* --- files ------------------------------------------------------------ */

static void add_file(struct import_file **files, size_t *n, size_t *cap, const char *path,
		     const struct import_naming *nm)
{
	const char *base = strrchr(path, '/');

	XGROW(*files, *cap, *n + 1);
	(*files)[*n].path = xstrdup(path);
	(*files)[*n].name = nm->vm_name(base ? base + 1 : path);
	(*n)++;
}

static int by_path(const void *a, const void *b)
{
	const struct import_file *x = a, *y = b;

	return strcmp(x->path, y->path);
}

/* Appends dir's wanted files, sorted by name. */
static int list_dir(const char *dir, const struct import_naming *nm, struct import_file **files,
		    size_t *n, size_t *cap, struct sim_err *err)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t first = *n, dlen = strlen(dir);

	if (!d)
		return sim_err_set(err, -SIM_EIO, dir, 0, 0, "cannot open: %s", strerror(errno));
	while (dlen > 1 && dir[dlen - 1] == '/')
		dlen--;
	while ((e = readdir(d))) {
		size_t len = dlen + strlen(e->d_name) + 2;
		struct stat st;
		char *path;

		if (e->d_name[0] == '.' || !nm->wanted(e->d_name))
			continue;
		path = xmalloc(len);
		snprintf(path, len, "%.*s/%s", (int)dlen, dir, e->d_name);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
			add_file(files, n, cap, path, nm);
		free(path);
	}
	closedir(d);
	if (*n == first)
		return sim_err_set(err, -SIM_EINVAL, dir, 0, 0, "%s", nm->none_found);
	qsort(*files + first, *n - first, sizeof(**files), by_path);
	return 0;
}

static int by_name_then_place(const void *a, const void *b)
{
	const struct import_file *const *x = a, *const *y = b;
	int c = strcmp((*x)->name, (*y)->name);

	return c ? c : (*x < *y ? -1 : *x > *y);
}

int import_files_expand(const char *const *paths, size_t n_paths, const struct import_naming *nm,
			struct import_file **files, size_t *n, struct sim_err *err)
{
	const struct import_file **sorted;
	size_t cap = 0, i;
	int rc = 0;

	*files = NULL;
	*n = 0;
	for (i = 0; i < n_paths; i++) {
		struct stat st;

		if (stat(paths[i], &st) != 0)
			return sim_err_set(err, -SIM_EIO, paths[i], 0, 0, "cannot open: %s",
					   strerror(errno));
		if (S_ISDIR(st.st_mode)) {
			if ((rc = list_dir(paths[i], nm, files, n, &cap, err)))
				return rc;
		} else {
			add_file(files, n, &cap, paths[i], nm);
		}
	}
	/* Two files that are one VM: sorting by name finds them in O(n log n),
	 * and the later file in the given order is the one reported. */
	sorted = xmalloc((*n ? *n : 1) * sizeof(*sorted));
	for (i = 0; i < *n; i++)
		sorted[i] = &(*files)[i];
	qsort(sorted, *n, sizeof(*sorted), by_name_then_place);
	for (i = 1; i < *n && !rc; i++)
		if (!strcmp(sorted[i - 1]->name, sorted[i]->name))
			rc = sim_err_set(err, -SIM_EDUP, sorted[i]->path, 0, 0,
					 "VM '%s' again (also from %s): %s", sorted[i]->name,
					 sorted[i - 1]->path, nm->again_hint);
	free(sorted);
	return rc;
}

void import_files_free(struct import_file *files, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(files[i].path);
		free(files[i].name);
	}
	free(files);
}
