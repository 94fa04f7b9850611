/*
 * import_google.c - the per-job CPU and memory series derived from Google
 * clusterdata-2011-2 (the "GCD_VMs" set): one file per job and day, one
 * line per 5 minutes, becomes one memsim VM with a working-set series.
 * Every input error is located (PATH:LINE:COL); every clamp is counted.
 *
 * DOC: google-derived rules
 *
 * Files.  A PATH is a file or a directory; a directory gives every file
 * named "vm_*" in it (not its subdirectories), sorted by name in byte
 * order, so a run is reproducible.  Each file is one VM, named "g-" and the
 * job id from the file name: "vm_1218322450_1" is "g-1218322450" (the
 * "vm_" prefix and the "_<day>" suffix are dropped; another name is kept
 * whole).  Two files of the same job, as two days of it, are an error:
 * import one day at a time.
 *
 * Format.  No header; each line holds two numbers separated by blanks:
 * CPU utilization (%) and memory utilization (%).  Another number of
 * fields, a value that is not a number or is negative, or a file without
 * lines is an error.  CPU is checked but not used.
 *
 * Time.  There are no timestamps: line i (from 0) is at i x 300 s.  Every
 * VM arrives at 0 and departs after its last interval, at lines x 300 s
 * (288 lines: 86400 s, one day).
 *
 * Memory.  Memory % has no documented absolute base, so each job becomes
 * a VM of a fixed size, GOOGLE_VM_BYTES (4 GiB), and a line's point is
 * memory % x 4 GiB / 100, rounded to the nearest byte.  Memory % above 100
 * (the data reaches 118.46 % despite its stated 5 to 90 % filter) is
 * clamped to 100 %, the VM's whole memory, and counted.
 */
#include "import.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cfg.h"
#include "csv.h"
#include "xmem.h"

/* The memory of every imported VM: the base of its memory %. */
#define GOOGLE_VM_BYTES (4LL << 30)
#define GOOGLE_INTERVAL_NS (300LL * 1000000000)

static const char note_clamped[] = "samples with memory above 100%, clamped to 100%";

static bool is_vm_name(const char *name)
{
	return !strncmp(name, "vm_", 3);
}

/* "vm_<job>_<day>" becomes VM "g-<job>"; another base name is kept whole. */
static char *g_vm_name(const char *base)
{
	const char *us;
	size_t len = strlen(base);
	char *name;

	if (is_vm_name(base) && len > 3) {
		base += 3;
		len -= 3;
		us = strrchr(base, '_');
		if (us && us > base && us[1] && strspn(us + 1, "0123456789") == strlen(us + 1))
			len = (size_t)(us - base);
	}
	name = xmalloc(len + 3);
	memcpy(name, "g-", 2);
	memcpy(name + 2, base, len);
	name[len + 2] = '\0';
	return name;
}

static const struct import_naming g_naming = {
	.wanted = is_vm_name,
	.vm_name = g_vm_name,
	.none_found = "no vm_* file in this directory (one per job is expected)",
	.again_hint = "import one day at a time",
};

/* Reads one file's memory %, line by line, into *mem (which keeps its buffer). */
static int load_file(const char *path, double **mem, size_t *n, size_t *cap,
		     struct sim_err *err)
{
	struct csv c;
	int rc;

	*n = 0;
	if ((rc = csv_open(&c, path, ' ', err)))
		return rc;
	while ((rc = csv_next(&c, err)) == 1) {
		double cpu;
		double m;

		if (c.n != 2) {
			rc = csv_err_at(&c, c.n < 2 ? c.n : 2, err, -SIM_EINVAL,
					"%zu fields, expected 2 (CPU %% and memory %%)", c.n);
			goto out;
		}
		if ((rc = csv_number(&c, 0, &cpu, err)) || (rc = csv_number(&c, 1, &m, err)))
			goto out;
		if (cpu < 0 || m < 0) {
			rc = csv_err_at(&c, cpu < 0 ? 0 : 1, err, -SIM_ERANGE,
					"negative %s utilization %g%%", cpu < 0 ? "CPU" : "memory",
					cpu < 0 ? cpu : m);
			goto out;
		}
		XGROW(*mem, *cap, *n + 1);
		(*mem)[(*n)++] = m;
	}
	if (rc == 0 && *n == 0)
		rc = sim_err_set(err, -SIM_EINVAL, path, 0, 0,
				 "empty file: expected lines of 'CPU%% MEMORY%%'");
out:
	csv_close(&c);
	return rc;
}

int import_google_derived(const char *const *paths, size_t n_paths, struct import_out *out,
			  struct sim_err *err)
{
	struct import_file *files = NULL;
	double *mem = NULL;
	size_t n_files = 0;
	size_t n = 0;
	size_t cap = 0;
	size_t i;
	size_t k;
	int rc;

	if ((rc = import_files_expand(paths, n_paths, &g_naming, &files, &n_files, err)))
		goto out;
	for (i = 0; i < n_files; i++) {
		if ((rc = load_file(files[i].path, &mem, &n, &cap, err)))
			goto out;
		out->rep.files++;
		out->rep.rows += n;
		for (k = 0; k < n; k++)
			if (mem[k] > 100) {
				import_note(out, note_clamped);
				mem[k] = 100;
			}
		/* Line k + 1 is at k intervals; the departure is after the last.
		 * Past 10 years of lines, the times would not even fit 64 bits. */
		if (n > (size_t)(CFG_MAX_NS / GOOGLE_INTERVAL_NS)) {
			rc = sim_err_set(err, -SIM_ERANGE, files[i].path, (unsigned)n, 1,
					 "%zu lines of 300 s are more than 10 years, the longest "
					 "a trace may hold", n);
			goto out;
		}
		rc = import_vm_begin(out, files[i].name, GOOGLE_VM_BYTES, 0,
				     (int64_t)n * GOOGLE_INTERVAL_NS);
		if (rc < 0) {
			rc = sim_err_set(err, rc, files[i].path, out->why_depart ? (unsigned)n : 1,
					 1, "%s", out->why);
			goto out;
		}
		if (rc == 0)
			continue;       /* outside the window, or past --max-vms */
		rc = 0;
		for (k = 0; k < n && !rc; k++)
			rc = import_vm_point(out, (int64_t)k * GOOGLE_INTERVAL_NS,
					     llround(mem[k] * (double)GOOGLE_VM_BYTES / 100.0));
		if (rc) {
			rc = sim_err_set(err, rc, files[i].path, (unsigned)k, 1, "%s", out->why);
			goto out;
		}
		import_vm_end(out);
	}
out:
	free(mem);
	import_files_free(files, n_files);
	return rc;
}
