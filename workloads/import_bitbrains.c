/*
 * import_bitbrains.c - the GWA-T-12 Bitbrains traces (Rnd, fastStorage):
 * one CSV per VM, a sample every 5 minutes, becomes one memsim VM whose
 * memory usage is its working-set series.  Every input error is located
 * (PATH:LINE:COL); every row skipped, sorted or clamped is counted.
 *
 * DOC: Bitbrains rules
 *
 * Files.  A PATH is a file or a directory; a directory gives every "*.csv"
 * in it (not its subdirectories), sorted by name in byte order ("1.csv",
 * "10.csv", ..., "2.csv"), so a run is reproducible.  Each file is one VM,
 * named "bb-" and the file name without ".csv" ("1.csv" is "bb-1"); two
 * files of the same name are an error.
 *
 * Format.  Fields are separated by ';' and a TAB.  The first line is a
 * header that must name a "Timestamp" column and the columns "Memory
 * capacity provisioned [KB]" and "Memory usage [KB]"; a file without them
 * is not a Bitbrains file.  Every row has as many fields as the header and
 * every field is a number (decimal or scientific, as 1.6703488E7).  A file
 * without data rows is an error.
 *
 * Timestamps.  The header says "Timestamp [ms]", but the values are Unix
 * seconds (1372629804 is 2013-06-30 22:03:24 UTC).  The unit is read from
 * each file's first row: a value below 9e9 is seconds (up to the year
 * 2255), one from 1e11 to 9e12 is milliseconds (1973 to 2255); anything
 * else, or a file that mixes the two, is an error.  The report counts the
 * files whose "[ms]" column held seconds.
 *
 * Rows.  A row with provisioned memory 0 (the VM is not running yet; its
 * CPU cores are 0 too) is skipped; a VM with no other row is skipped.  Rows
 * out of time order are sorted; of rows with the same timestamp the first
 * in the file is kept.  Each is counted in the report.
 *
 * Memory.  Provisioned memory changes over time (it ramps up as a VM
 * starts, and a sample averages 5 minutes, so it can be fractional).  The
 * VM's memory is the largest provisioned value of its kept rows, KB x 1024,
 * rounded up to a whole byte; memsim rounds it up to whole pages itself.
 *
 * Working set.  Each kept row is a point at its time: usage KB x 1024,
 * rounded to the nearest byte.  Usage above the row's provisioned memory
 * (3 GB used of 0.5 GB as a VM starts, 15.7 GB of 6 MB) is clamped to that
 * provisioned memory, since a guest cannot use more than it was given, and
 * counted.  So no point exceeds the VM's memory.
 *
 * Time.  Trace time 0 is the earliest kept timestamp over all the files of
 * one import, so the trace starts at 0.  A VM arrives at its first kept
 * timestamp and departs one sample interval (300 s) after its last.
 */
#include "import.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "csv.h"
#include "xmem.h"

#define BB_INTERVAL_MS 300000           /* one sample interval: a VM departs this after */
#define BB_MAX_KB (1099511627776.0)     /* 1 PiB in KB: larger provisioned memory is wrong */
#define NS_PER_MS 1000000

static const char col_time[] = "Timestamp";
static const char col_prov[] = "Memory capacity provisioned [KB]";
static const char col_used[] = "Memory usage [KB]";

/* Notes for the report: static strings, counted by import_note. */
static const char note_seconds[] = "files whose 'Timestamp [ms]' holds Unix seconds (read as s)";
static const char note_zero[] = "rows with provisioned memory 0 (VM not running), skipped";
static const char note_empty_vm[] = "VMs with provisioned memory 0 throughout, skipped";
static const char note_unordered[] = "rows out of time order, sorted";
static const char note_dup[] = "rows with a duplicate timestamp, dropped (first kept)";
static const char note_clamped[] = "rows with usage above provisioned memory, clamped to it";

enum ts_unit { TS_NONE, TS_SECONDS, TS_MS };

struct bb_row {
	int64_t t_ms;                   /* Unix time */
	double prov_kb;                 /* provisioned memory, > 0 */
	double used_kb;                 /* memory usage, >= 0 */
	unsigned line;                  /* for a stable sort */
};

/* One file, read and checked. */
struct bb_vm {
	struct bb_row *rows;            /* kept rows, sorted, unique times */
	size_t n, cap;
	uint64_t n_data;                /* data rows read */
	uint64_t n_zero, n_unordered, n_dup, n_clamped;
	bool seconds_in_ms;             /* the header said [ms], the values were seconds */
	double max_prov_kb;
};

static bool is_csv_name(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && n > 4 && !strcmp(name + n - 4, ".csv");
}

/* "<stem>.csv" becomes VM "bb-<stem>". */
static char *bb_vm_name(const char *base)
{
	size_t len = strlen(base);
	char *name;

	if (len > 4 && !strcmp(base + len - 4, ".csv"))
		len -= 4;
	name = xmalloc(len + 4);
	memcpy(name, "bb-", 3);
	memcpy(name + 3, base, len);
	name[len + 3] = '\0';
	return name;
}

static const struct import_naming bb_naming = {
	.wanted = is_csv_name,
	.vm_name = bb_vm_name,
	.none_found = "no *.csv file in this directory (Bitbrains has one per VM)",
	.again_hint = "import one of them at a time",
};

static enum ts_unit ts_unit_of(double v)
{
	if (v >= 0 && v < 9e9)
		return TS_SECONDS;
	if (v >= 1e11 && v < 9e12)
		return TS_MS;
	return TS_NONE;
}

static int by_time(const void *a, const void *b)
{
	const struct bb_row *x = a;
	const struct bb_row *y = b;

	if (x->t_ms != y->t_ms)
		return x->t_ms < y->t_ms ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* Finds the columns the importer needs in the header row. */
static int read_header(struct csv *c, size_t *i_time, size_t *i_prov, size_t *i_used,
		       bool *header_ms, struct sim_err *err)
{
	const char *missing = NULL;
	size_t i;

	*i_time = *i_prov = *i_used = SIZE_MAX;
	for (i = 0; i < c->n; i++) {
		const char *f = c->field[i];

		if (*i_time == SIZE_MAX && !strncmp(f, col_time, strlen(col_time))) {
			*i_time = i;
			*header_ms = !strcmp(f, "Timestamp [ms]");
		} else if (!strcmp(f, col_prov)) {
			*i_prov = i;
		} else if (!strcmp(f, col_used)) {
			*i_used = i;
		}
	}
	if (*i_time == SIZE_MAX)
		missing = "Timestamp [ms]";
	else if (*i_prov == SIZE_MAX)
		missing = col_prov;
	else if (*i_used == SIZE_MAX)
		missing = col_used;
	if (missing)
		return csv_err_at(c, 0, err, -SIM_EINVAL,
				  "not a Bitbrains header: no '%s' column", missing);
	return 0;
}

/* Reads one data row into *row; 1 when kept, 0 when skipped. */
static int read_row(struct csv *c, size_t n_fields, size_t i_time, size_t i_prov,
		    size_t i_used, enum ts_unit *unit, struct bb_row *row, struct sim_err *err)
{
	double t = 0;
	double v;
	enum ts_unit u;
	size_t i;
	int rc;

	if (c->n != n_fields)
		return csv_err_at(c, c->n < n_fields ? c->n : n_fields, err, -SIM_EINVAL,
				  "%zu fields, expected %zu as in the header", c->n, n_fields);
	for (i = 0; i < c->n; i++) {
		if ((rc = csv_number(c, i, &v, err)))
			return rc;
		if (i == i_time)
			t = v;
		else if (i == i_prov)
			row->prov_kb = v;
		else if (i == i_used)
			row->used_kb = v;
	}
	u = ts_unit_of(t);
	if (u == TS_NONE)
		return csv_err_at(c, i_time, err, -SIM_EINVAL,
				  "timestamp %.17g is neither Unix seconds nor milliseconds", t);
	if (*unit == TS_NONE)
		*unit = u;
	else if (u != *unit)
		return csv_err_at(c, i_time, err, -SIM_EINVAL,
				  "timestamp in %s, but the first row's is in %s",
				  u == TS_SECONDS ? "seconds" : "milliseconds",
				  *unit == TS_SECONDS ? "seconds" : "milliseconds");
	if (row->prov_kb < 0 || row->prov_kb > BB_MAX_KB)
		return csv_err_at(c, i_prov, err, -SIM_ERANGE,
				  "provisioned memory %.17g KB is out of range", row->prov_kb);
	if (row->used_kb < 0)
		return csv_err_at(c, i_used, err, -SIM_ERANGE, "negative memory usage %.17g KB",
				  row->used_kb);
	row->t_ms = llround(u == TS_SECONDS ? t * 1000.0 : t);
	row->line = c->line;
	return row->prov_kb > 0;
}

/* Reads, checks, sorts and dedupes one file into *vm (which keeps its buffer). */
static int load_file(const char *path, struct bb_vm *vm, struct sim_err *err)
{
	struct csv c;
	size_t n_fields;
	size_t i_time;
	size_t i_prov;
	size_t i_used;
	size_t i;
	size_t kept;
	bool header_ms = false;
	enum ts_unit unit = TS_NONE;
	int rc;

	vm->n = 0;
	vm->n_data = vm->n_zero = vm->n_unordered = vm->n_dup = vm->n_clamped = 0;
	vm->max_prov_kb = 0;
	if ((rc = csv_open(&c, path, ';', err)))
		return rc;
	rc = csv_next(&c, err);
	if (rc == 0)
		rc = sim_err_set(err, -SIM_EINVAL, path, 0, 0,
				 "empty file: expected a Bitbrains header line");
	if (rc < 0 || (rc = read_header(&c, &i_time, &i_prov, &i_used, &header_ms, err)))
		goto out;
	n_fields = c.n;
	while ((rc = csv_next(&c, err)) == 1) {
		struct bb_row row = {0};

		vm->n_data++;
		rc = read_row(&c, n_fields, i_time, i_prov, i_used, &unit, &row, err);
		if (rc < 0)
			goto out;
		if (rc == 0) {
			vm->n_zero++;
			continue;
		}
		if (vm->n && row.t_ms < vm->rows[vm->n - 1].t_ms)
			vm->n_unordered++;
		XGROW(vm->rows, vm->cap, vm->n + 1);
		vm->rows[vm->n++] = row;
	}
	if (rc < 0)
		goto out;
	if (vm->n_data == 0) {
		rc = sim_err_set(err, -SIM_EINVAL, path, c.line > 1 ? c.line - 1 : 1, 1,
				 "no data rows after the header");
		goto out;
	}
	vm->seconds_in_ms = header_ms && unit == TS_SECONDS;
	if (vm->n_unordered)
		qsort(vm->rows, vm->n, sizeof(*vm->rows), by_time);
	for (i = 0, kept = 0; i < vm->n; i++) {
		const struct bb_row *r = &vm->rows[i];

		if (kept && r->t_ms == vm->rows[kept - 1].t_ms) {
			vm->n_dup++;
			continue;
		}
		if (r->used_kb > r->prov_kb)
			vm->n_clamped++;
		if (r->prov_kb > vm->max_prov_kb)
			vm->max_prov_kb = r->prov_kb;
		vm->rows[kept++] = *r;
	}
	vm->n = kept;
	rc = 0;
out:
	csv_close(&c);
	return rc;
}

static void note_n(struct import_out *out, const char *what, uint64_t n)
{
	while (n--)
		import_note(out, what);
}

/* Writes the VM of one file; an error is located at the row it is about. */
static int emit_vm(struct import_out *out, const char *path, const char *name,
		   const struct bb_vm *vm, int64_t t0_ms, struct sim_err *err)
{
	const struct bb_row *first = &vm->rows[0];
	const struct bb_row *last = &vm->rows[vm->n - 1];
	int64_t memory = (int64_t)ceil(vm->max_prov_kb * 1024.0);
	size_t i;
	int rc;

	rc = import_vm_begin(out, name, memory, (first->t_ms - t0_ms) * NS_PER_MS,
			     (last->t_ms - t0_ms + BB_INTERVAL_MS) * NS_PER_MS);
	if (rc < 0)
		return sim_err_set(err, rc, path, out->why_depart ? last->line : first->line, 1,
				   "%s", out->why);
	if (rc == 0)
		return 0;
	for (i = 0; i < vm->n; i++) {
		const struct bb_row *r = &vm->rows[i];
		double used = r->used_kb > r->prov_kb ? r->prov_kb : r->used_kb;

		rc = import_vm_point(out, (r->t_ms - t0_ms) * NS_PER_MS, llround(used * 1024.0));
		if (rc < 0)
			return sim_err_set(err, rc, path, r->line, 1, "%s", out->why);
	}
	import_vm_end(out);
	return 0;
}

int import_bitbrains(const char *const *paths, size_t n_paths, struct import_out *out,
		     struct sim_err *err)
{
	struct import_file *files = NULL;
	struct bb_vm vm = {0};
	size_t n_files = 0;
	size_t i;
	int64_t t0_ms = INT64_MAX;
	int rc;

	if ((rc = import_files_expand(paths, n_paths, &bb_naming, &files, &n_files, err)))
		goto out;
	/* Pass 1 checks every file and finds trace time 0; pass 2 writes. */
	for (i = 0; i < n_files; i++) {
		if ((rc = load_file(files[i].path, &vm, err)))
			goto out;
		if (vm.n && vm.rows[0].t_ms < t0_ms)
			t0_ms = vm.rows[0].t_ms;
	}
	for (i = 0; i < n_files; i++) {
		if ((rc = load_file(files[i].path, &vm, err)))
			goto out;
		out->rep.files++;
		out->rep.rows += vm.n_data;
		if (vm.seconds_in_ms)
			import_note(out, note_seconds);
		note_n(out, note_zero, vm.n_zero);
		note_n(out, note_unordered, vm.n_unordered);
		note_n(out, note_dup, vm.n_dup);
		note_n(out, note_clamped, vm.n_clamped);
		if (vm.n == 0)
			import_note(out, note_empty_vm);
		else if ((rc = emit_vm(out, files[i].path, files[i].name, &vm, t0_ms, err)))
			goto out;
	}
out:
	free(vm.rows);
	import_files_free(files, n_files);
	return rc;
}
