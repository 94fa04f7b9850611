/*
 * import.h - importers of public traces into memsim's trace format.  Each
 * importer reads its files and emits VMs through the writer below; the
 * writer produces a trace YAML that `memsim run` accepts, and a report of
 * what was skipped or clamped, with counts, for stderr.
 */
#ifndef IMPORT_H
#define IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"

struct import_opts {
	double time_scale;              /* trace seconds x this = simulated seconds */
	int64_t start_ns;               /* window start, in the trace's own time */
	int64_t length_ns;              /* window length; 0 = to the end */
	size_t max_vms;                 /* 0 = all */
	uint64_t seed;                  /* for working sets drawn where a trace has none */
};

#define IMPORT_MAX_NOTES 16
#define IMPORT_DAYS 64                  /* start days tracked one by one; later ones share the last */
#define IMPORT_NAMES 3                  /* VM names kept per day, and per kind of drop */
#define IMPORT_NAME_LEN 48

/* A VM named in the report, with its start in the trace's own time. */
struct import_named {
	char name[IMPORT_NAME_LEN];
	int64_t arrive_ns;
};

struct import_report {
	uint64_t files, rows, vms;
	struct {
		const char *what;       /* a static string */
		uint64_t count;
	} notes[IMPORT_MAX_NOTES];
	size_t n_notes;
	/* VMs written, by the day they start (trace time), for starts far apart. */
	struct {
		uint64_t vms;
		struct import_named first[IMPORT_NAMES];
	} days[IMPORT_DAYS];
	/* VMs the window or --max-vms left out: 0 after the window, 1 before, 2 past max. */
	struct {
		uint64_t vms;
		struct import_named first[IMPORT_NAMES];
	} dropped[3];
};

struct import_out {
	FILE *f;
	const struct import_opts *opts;
	struct import_report rep;
	size_t points;                  /* points of the current VM's series */
	int64_t arrive_ns;              /* the current VM's arrival, simulated time */
	int64_t last_point_ns;          /* its last point written, from its arrival */
	char why[200];                  /* why the last call returned -SIM_ERANGE */
	bool why_depart;                /* ... and whether it is about the departure */
};

typedef int import_fn(const char *const *paths, size_t n_paths, struct import_out *out,
		      struct sim_err *err);

/* The importer named name, or NULL; names lists them for messages. */
import_fn *import_find(const char *name);
const char *import_names(void);

void import_begin(struct import_out *o, FILE *f, const struct import_opts *opts,
		  const char *kind);
/* A VM; depart_ns is TRACE_NEVER when it stays.  Times are in the trace's
 * own time: the writer applies the window and the scale, and returns 0 when
 * the VM falls outside the window or past max_vms (then skip the rest), 1
 * when it is written.  It returns -SIM_ERANGE, writing nothing and saying
 * why in o->why, when the VM cannot be written as a trace `run` loads: a
 * time past 10 years once scaled, memory above 1 PiB, or more than 10^8
 * VMs.  The importer then fails with the row's location. */
int import_vm_begin(struct import_out *o, const char *name, int64_t memory_bytes,
		    int64_t arrive_ns, int64_t depart_ns);
/* A working-set sample at trace time t_ns (series importers).  Written
 * relative to the VM's arrival, since phases count from placement; a point
 * that scaling puts at the time of the one before is dropped.  Returns 0,
 * or -SIM_ERANGE (o->why) for a time past 10 years once scaled. */
int import_vm_point(struct import_out *o, int64_t t_ns, int64_t ws_bytes);
/* A constant working set, a share of memory (importers without usage). */
void import_vm_share(struct import_out *o, double share);
void import_vm_end(struct import_out *o);
/* Counts one occurrence of what (a static string) for the report. */
void import_note(struct import_out *o, const char *what);
void import_report_print(const struct import_out *o, const char *kind, FILE *f);
/* A working-set share drawn for VM id from the documented default
 * distribution (uniform, 20% to 60%), reproducible from opts->seed. */
double import_default_share(const struct import_out *o, const char *id);

/* Files to import, each with the VM name it becomes. */
struct import_file {
	char *path;
	char *name;
};

/* How an importer finds and names its files. */
struct import_naming {
	bool (*wanted)(const char *base);       /* a folder's files to read */
	char *(*vm_name)(const char *base);     /* the VM a file becomes (malloc'd) */
	const char *none_found;                 /* a folder holds none of them */
	const char *again_hint;                 /* two files give the same VM */
};

/*
 * Expands paths (files, or folders whose wanted files are taken in name
 * order) into *files, and refuses two files that would be the same VM.
 * Free with import_files_free.
 */
int import_files_expand(const char *const *paths, size_t n_paths, const struct import_naming *nm,
			struct import_file **files, size_t *n, struct sim_err *err);
void import_files_free(struct import_file *files, size_t n);

/* The importers, one file each. */
import_fn import_bitbrains, import_azure, import_alibaba_gpu, import_google_derived;

#endif /* IMPORT_H */
