/*
 * table.c - per-VM and per-host CSV tables of a results file.
 *
 * Each column is a path into a `vms[]` or `hosts[]` entry of the results
 * JSON (DESIGN.md section 8), so the CSV holds exactly the file's numbers:
 * integers as integers, other numbers in the fewest digits that read back
 * to the same double, and a missing or null value (depart_s of a VM still
 * running, faults of a VM that never ran) as an empty field.  Text fields
 * are quoted when they hold a comma, a quote or a line break (RFC 4180).
 */
#include "table.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "jsonfile.h"
#include "results.h"

enum { TABLE_OK = 0, TABLE_FAILED = 1, TABLE_USAGE = 2 };

static const char table_usage[] =
	"usage: memsim table RESULTS.json --vms|--hosts [-o FILE.csv]\n"
	"\n"
	"Prints a CSV table of a results file: with --vms one row per VM (its\n"
	"host, memory, faults by kind, stall, slowdown, progress), with --hosts\n"
	"one row per host (its memory, VMs, peaks of used and swapped memory).\n"
	"Numbers are the file's own: bytes, seconds and fractions.\n";

/* A column: its CSV header and its dotted path in the entry. */
struct column {
	const char *header;
	const char *path;
};

static const struct column vm_columns[] = {
	{"name", "name"}, {"group", "group"}, {"host", "host"}, {"state", "state"},
	{"memory_bytes", "memory_bytes"}, {"arrive_s", "arrive_s"}, {"placed_s", "placed_s"},
	{"depart_s", "depart_s"}, {"wait_s", "wait_s"},
	{"faults_zero_fill", "faults.zero_fill"}, {"faults_cow", "faults.cow"},
	{"faults_host_swap_in", "faults.host_swap_in"},
	{"faults_decompress", "faults.decompress"},
	{"faults_guest_swap_in", "faults.guest_swap_in"},
	{"faults_double_paging", "faults.double_paging"},
	{"touches", "touches"}, {"stall_s", "stall_s"}, {"slowdown", "slowdown"},
	{"progress", "progress"}, {"oom", "oom"},
};

static const struct column host_columns[] = {
	{"name", "name"}, {"group", "group"}, {"memory_bytes", "memory_bytes"},
	{"overhead_bytes", "overhead_bytes"}, {"vms_hosted", "vms_hosted"},
	{"configured_bytes_peak", "configured_bytes_peak"},
	{"used_bytes_peak", "used_bytes_peak"}, {"swapped_bytes_peak", "swapped_bytes_peak"},
	{"free_bytes_end", "free_bytes"}, {"shared_saved_bytes_end", "shared_saved_bytes"},
	{"swap_bytes", "swap_bytes"}, {"swap_used_bytes_end", "swap_used_bytes"},
	{"swap_full", "swap_full"}, {"oom_vms", "oom_vms"},
};

__attribute__((format(printf, 1, 2)))
static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "memsim table: error: ");
	va_start(ap, fmt);
	sim_vprint_line(stderr, fmt, ap);       /* echoed arguments stay on one line */
	va_end(ap);
	fprintf(stderr, "\n%s", table_usage);
	return TABLE_USAGE;
}

/* The item at a dotted path under o, or NULL. */
static const cJSON *item_at(const cJSON *o, const char *path)
{
	char key[128];
	const char *dot;
	size_t n;

	while (o && (dot = strchr(path, '.'))) {
		n = (size_t)(dot - path);
		if (n >= sizeof(key))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		o = cJSON_GetObjectItemCaseSensitive(o, key);
		path = dot + 1;
	}
	return o ? cJSON_GetObjectItemCaseSensitive(o, path) : NULL;
}

static void put_text(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

/* A number in the fewest of 15 or 17 digits that reads back to v. */
static void put_number(FILE *f, double v)
{
	char buf[64];

	if (v == floor(v) && fabs(v) < 9007199254740992.0) {
		fprintf(f, "%.0f", v);
		return;
	}
	snprintf(buf, sizeof(buf), "%.15g", v);
	if (strtod(buf, NULL) != v)
		snprintf(buf, sizeof(buf), "%.17g", v);
	fputs(buf, f);
}

static void put_item(FILE *f, const cJSON *it)
{
	if (cJSON_IsNumber(it))
		put_number(f, it->valuedouble);
	else if (cJSON_IsString(it))
		put_text(f, it->valuestring);
	else if (cJSON_IsBool(it))
		fputs(cJSON_IsTrue(it) ? "true" : "false", f);
	/* null or absent: an empty field */
}

static void put_table(FILE *f, const cJSON *rows, const struct column *cols, size_t n_cols)
{
	const cJSON *row;
	size_t k;

	for (k = 0; k < n_cols; k++)
		fprintf(f, "%s%s", k ? "," : "", cols[k].header);
	fputc('\n', f);
	cJSON_ArrayForEach(row, rows) {
		for (k = 0; k < n_cols; k++) {
			if (k)
				fputc(',', f);
			put_item(f, item_at(row, cols[k].path));
		}
		fputc('\n', f);
	}
}

int table_main(int argc, char **argv)
{
	const char *path = NULL, *out = NULL, *what = NULL;
	const cJSON *schema, *rows;
	struct sim_err err = {0};
	cJSON *doc;
	FILE *f;
	char *text = NULL;
	size_t len = 0;
	int i, code = TABLE_OK;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(table_usage, stdout);
			return TABLE_OK;
		}
		if (!strcmp(a, "--vms") || !strcmp(a, "--hosts")) {
			if (what && strcmp(what, a + 2))
				return usage_error("--vms or --hosts, not both");
			what = a + 2;
		} else if (!strcmp(a, "-o")) {
			if (++i == argc)
				return usage_error("-o needs a file");
			out = argv[i];
		} else if (a[0] == '-' && a[1]) {
			return usage_error("unknown option '%s'", a);
		} else if (path) {
			return usage_error("one results file only, not also '%s'", a);
		} else {
			path = a;
		}
	}
	if (!path)
		return usage_error("no RESULTS.json given");
	if (!what)
		return usage_error("--vms or --hosts is required");
	doc = jsonfile_load(path, &err);
	if (!doc) {
		sim_err_print(&err, stderr);
		return TABLE_USAGE;
	}
	schema = cJSON_GetObjectItemCaseSensitive(doc, "schema");
	rows = cJSON_GetObjectItemCaseSensitive(doc, what);
	if (!cJSON_IsString(schema) || strncmp(schema->valuestring, "memsim-results/", 15) ||
	    !cJSON_IsArray(rows)) {
		fprintf(stderr, "%s:1:1: error: not a memsim results file (no \"%s\" list)\n", path,
			what);
		cJSON_Delete(doc);
		return TABLE_USAGE;
	}
	/* Built whole in memory, so -o is written at once (a temporary file renamed). */
	f = open_memstream(&text, &len);
	if (!f) {
		perror("memsim table");
		cJSON_Delete(doc);
		return TABLE_FAILED;
	}
	if (!strcmp(what, "vms"))
		put_table(f, rows, vm_columns, sizeof(vm_columns) / sizeof(vm_columns[0]));
	else
		put_table(f, rows, host_columns, sizeof(host_columns) / sizeof(host_columns[0]));
	fclose(f);
	if (!out) {
		fputs(text, stdout);
	} else {
		text[len - 1] = '\0';      /* results_write_file adds the last newline */
		if (results_write_file(out, text, &err)) {
			sim_err_print(&err, stderr);
			code = TABLE_FAILED;
		}
	}
	free(text);
	cJSON_Delete(doc);
	return code;
}
