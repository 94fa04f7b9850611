/*
 * import_alibaba.c - the pod list of Alibaba's cluster-trace-gpu-v2023
 * ("openb") as memsim VMs: one VM per pod, sized by its memory request and
 * alive from its creation to its deletion.  Pods are emitted in file order.
 *
 * DOC: Alibaba GPU pod list import
 *
 * Format.  A header line, then one pod per line.  The columns name,
 * memory_mib, creation_time, deletion_time and scheduled_time are found by
 * name (the openb header is name, cpu_milli, memory_mib, num_gpu, gpu_milli,
 * gpu_spec, qos, pod_phase, creation_time, deletion_time, scheduled_time),
 * and every row must have as many fields as the header.  The node list
 * (header sn, cpu_milli, memory_mib, gpu, model) is recognized and refused
 * with a hint to pass the pod list; any other first line is refused, as is
 * a row with the wrong number of fields or a non-numeric value.
 *
 * Names.  A VM is named "ali-" followed by the pod name.  A name must be
 * printable ASCII, and a name seen twice is an error, since a trace's VM
 * names must be unique; the openb pod lists all number their pods from
 * openb-pod-0000, so import one list at a time.
 *
 * Memory.  memory_mib x 2^20 bytes: the pod's memory request, the only
 * memory figure the trace has.  A pod requesting 0 MiB is skipped and
 * counted (memsim VMs need memory); a negative request is an error.
 *
 * Times.  arrive = creation_time and depart = deletion_time, in seconds from
 * the trace start.  Arrival is the creation (the request), not
 * scheduled_time: placing a pod, and making it wait, is memsim's own job.
 * A pod deleted at or before its creation is skipped and counted (one in
 * openb_pod_list_default.csv, a Pending pod).  An empty deletion_time (none
 * in that file) means the pod outlived the trace: it stays, with no depart,
 * and is counted.  Pods still running when the trace was cut seem to carry
 * its last timestamp instead (34 pods there end at 12902960, the latest
 * deletion); the importer cannot tell them from pods really deleted then,
 * so depart = deletion_time always, and a --length that ends at or before
 * that time keeps them running (the writer drops departures at or after
 * the window's end).
 *
 * Pending pods.  A pod with an empty scheduled_time (pod_phase Pending) was
 * never placed in the source cluster.  It is kept: the list records demand,
 * the source held these pods back for reasons memsim does not model (GPUs,
 * its own scheduler's queue), and memsim's admission and placement decide
 * afresh, so dropping them would understate the offered load.  They are
 * counted in the report.  Running, Succeeded and Failed pods are treated
 * alike.  Notes of skipped pods count rows read; notes of kept pods count
 * VMs written (so --max-vms and the window lower them).
 *
 * Working set.  The pod list has requests, not usage, so each VM gets one
 * phase whose working set is import_default_share(): a share of its memory
 * drawn uniformly from 20% to 60%, from a stream keyed by the VM's name
 * under --seed, so it is the same in every import with that seed.
 */
#include "import.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "trace.h"
#include "xmem.h"

#define ALI_MIB 1048576.0
#define ALI_MAX_MIB 1073741824.0        /* 1 PiB: larger is a misread file */
#define ALI_MAX_S 9.2e9                 /* seconds that fit in int64 ns */

/* Where the pod list keeps the fields read; the rest are ignored. */
struct ali_layout {
	size_t n_fields;                /* exact count per row */
	size_t name;                    /* field indexes */
	size_t memory;
	size_t created;
	size_t deleted;
	size_t scheduled;
};

/* The pod names seen so far, for duplicate names: open addressing. */
struct ali_seen_slot {
	char *name;                     /* NULL: free */
	const char *path;               /* borrowed from the caller's paths */
	unsigned line;
};

struct ali_seen {
	struct ali_seen_slot *slot;
	size_t cap;                     /* a power of two */
	size_t n;                       /* slots in use, at most cap / 2 */
};

static uint64_t ali_hash(const char *s)
{
	uint64_t h = 0xCBF29CE484222325ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001B3ULL;
	}
	return h;
}

/* The slot holding name, or the free slot where it would go. */
static struct ali_seen_slot *ali_seen_find(const struct ali_seen *s, const char *name)
{
	size_t i = (size_t)ali_hash(name) & (s->cap - 1);

	while (s->slot[i].name && strcmp(s->slot[i].name, name))
		i = (i + 1) & (s->cap - 1);
	return &s->slot[i];
}

static void ali_seen_grow(struct ali_seen *s)
{
	struct ali_seen old = *s;
	size_t i;

	s->cap = old.cap ? 2 * old.cap : 1024;
	s->slot = xcalloc(s->cap, sizeof(*s->slot));
	for (i = 0; i < old.cap; i++)
		if (old.slot[i].name)
			*ali_seen_find(s, old.slot[i].name) = old.slot[i];
	free(old.slot);
}

/* Adds name; returns the earlier slot when it was there already. */
static const struct ali_seen_slot *ali_seen_add(struct ali_seen *s, const char *name,
						const char *path, unsigned line)
{
	struct ali_seen_slot *p;

	if (2 * (s->n + 1) > s->cap)
		ali_seen_grow(s);
	p = ali_seen_find(s, name);
	if (p->name)
		return p;
	p->name = xstrdup(name);
	p->path = path;
	p->line = line;
	s->n++;
	return NULL;
}

static void ali_seen_release(struct ali_seen *s)
{
	size_t i;

	for (i = 0; i < s->cap; i++)
		free(s->slot[i].name);
	free(s->slot);
	memset(s, 0, sizeof(*s));
}

static bool ali_has_column(const struct csv *c, const char *name, size_t *at)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (!strcmp(c->field[i], name)) {
			if (at)
				*at = i;
			return true;
		}
	return false;
}

static int ali_column(const struct csv *c, const char *name, size_t *at, struct sim_err *err)
{
	if (ali_has_column(c, name, at))
		return 0;
	return sim_err_set(err, -SIM_EINVAL, c->path, c->line, 1,
			   "the pod list header has no column '%s'", name);
}

/* Reads and checks the header line. */
static int ali_header(struct csv *c, struct ali_layout *l, struct sim_err *err)
{
	int rc = csv_next(c, err);

	if (rc < 0)
		return rc;
	if (rc == 0)
		return sim_err_set(err, -SIM_EINVAL, c->path, 1, 1,
				   "empty file, expected an Alibaba GPU pod list");
	memset(l, 0, sizeof(*l));
	if (!strcmp(c->field[0], "sn") && ali_has_column(c, "model", NULL))
		return sim_err_set(err, -SIM_EINVAL, c->path, c->line, 1,
				   "this is the node list (sn,cpu_milli,memory_mib,gpu,model); "
				   "pass the pod list (openb_pod_list_*.csv)");
	if (strcmp(c->field[0], "name"))
		return sim_err_set(err, -SIM_EINVAL, c->path, c->line, 1,
				   "not an Alibaba GPU pod list: expected a header starting with "
				   "'name,cpu_milli,memory_mib'");
	l->n_fields = c->n;
	l->name = 0;
	if ((rc = ali_column(c, "memory_mib", &l->memory, err)) ||
	    (rc = ali_column(c, "creation_time", &l->created, err)) ||
	    (rc = ali_column(c, "deletion_time", &l->deleted, err)) ||
	    (rc = ali_column(c, "scheduled_time", &l->scheduled, err)))
		return rc;
	return 0;
}

static int ali_check_fields(const struct csv *c, const struct ali_layout *l,
			    struct sim_err *err)
{
	unsigned end;

	if (c->n > l->n_fields)
		return csv_err_at(c, l->n_fields, err, -SIM_EINVAL,
				  "%zu fields, expected %zu (a pod list row)", c->n, l->n_fields);
	if (c->n == l->n_fields)
		return 0;
	/* Located just past the last field, where the missing ones would be. */
	end = c->n ? c->col[c->n - 1] + (unsigned)strlen(c->field[c->n - 1]) : 1;
	return sim_err_set(err, -SIM_EINVAL, c->path, c->line, end,
			   "%zu fields, expected %zu (a pod list row is cut short)", c->n,
			   l->n_fields);
}

static int ali_check_name(const struct csv *c, size_t i, struct sim_err *err)
{
	const char *name = c->field[i];
	size_t k;

	if (!*name)
		return csv_err_at(c, i, err, -SIM_EINVAL, "empty pod name");
	for (k = 0; name[k]; k++) {
		unsigned char ch = (unsigned char)name[k];

		if (ch <= 0x20 || ch >= 0x7f)
			return sim_err_set(
				err, -SIM_EINVAL, c->path, c->line, c->col[i] + (unsigned)k,
				"byte 0x%02x in a pod name; expected printable ASCII", ch);
	}
	return 0;
}

/* Field i as seconds from the trace start, in ns. */
static int ali_seconds(const struct csv *c, size_t i, int64_t *ns, struct sim_err *err)
{
	double s;
	int rc = csv_number(c, i, &s, err);

	if (rc)
		return rc;
	if (s < 0 || s > ALI_MAX_S)
		return csv_err_at(c, i, err, -SIM_ERANGE, "time %s s is out of range (0 to %.3g s)",
				  c->field[i], ALI_MAX_S);
	*ns = (int64_t)llround(s * 1e9);
	return 0;
}

static int ali_memory(const struct csv *c, size_t i, int64_t *bytes, struct sim_err *err)
{
	double mib;
	int rc = csv_number(c, i, &mib, err);

	if (rc)
		return rc;
	if (mib < 0 || mib > ALI_MAX_MIB)
		return csv_err_at(c, i, err, -SIM_ERANGE,
				  "memory %s MiB is out of range (0 to 1 PiB)", c->field[i]);
	*bytes = (int64_t)llround(mib * ALI_MIB);
	return 0;
}

/* One pod: checked whole, then skipped with a note or emitted. */
static int ali_row(const struct csv *c, const struct ali_layout *l, struct ali_seen *seen,
		   char **name, size_t *name_cap, struct import_out *out, struct sim_err *err)
{
	const struct ali_seen_slot *dup;
	const char *pod;
	int64_t bytes = 0;
	int64_t arrive = 0;
	int64_t depart = TRACE_NEVER;
	size_t len;
	int rc;

	if ((rc = ali_check_fields(c, l, err)) || (rc = ali_check_name(c, l->name, err)) ||
	    (rc = ali_memory(c, l->memory, &bytes, err)) ||
	    (rc = ali_seconds(c, l->created, &arrive, err)))
		return rc;
	if (*c->field[l->deleted] && (rc = ali_seconds(c, l->deleted, &depart, err)))
		return rc;
	pod = c->field[l->name];
	dup = ali_seen_add(seen, pod, c->path, c->line);
	if (dup)
		return csv_err_at(c, l->name, err, -SIM_EDUP,
				  "pod name '%.64s' repeats (first at %s:%u)", pod, dup->path,
				  dup->line);
	out->rep.rows++;
	if (bytes <= 0) {
		import_note(out, "pods requesting 0 MiB of memory skipped");
		return 0;
	}
	if (depart != TRACE_NEVER && depart <= arrive) {
		import_note(out, "pods deleted at or before creation skipped");
		return 0;
	}
	len = strlen(pod) + 5;
	if (len > *name_cap) {
		*name_cap = len;
		*name = xrealloc(*name, len);
	}
	snprintf(*name, len, "ali-%s", pod);
	rc = import_vm_begin(out, *name, bytes, arrive, depart);
	if (rc < 0)
		return csv_err_at(c, out->why_depart ? l->deleted : l->created, err, rc, "%s",
				  out->why);
	if (rc == 0)
		return 0;               /* outside the window, or past --max-vms */
	if (depart == TRACE_NEVER)
		import_note(out, "pods without a deletion_time written with no depart");
	if (!*c->field[l->scheduled])
		import_note(out, "Pending pods (never scheduled in the source) written");
	import_vm_share(out, import_default_share(out, *name));
	import_vm_end(out);
	return 0;
}

static int ali_file(const char *path, struct ali_seen *seen, char **name, size_t *name_cap,
		    struct import_out *out, struct sim_err *err)
{
	struct csv c;
	struct ali_layout l;
	int rc;

	if ((rc = csv_open(&c, path, ',', err)))
		return rc;
	if ((rc = ali_header(&c, &l, err)))
		goto out;
	out->rep.files++;
	while ((rc = csv_next(&c, err)) == 1)
		if ((rc = ali_row(&c, &l, seen, name, name_cap, out, err)))
			goto out;
out:
	csv_close(&c);
	return rc;
}

int import_alibaba_gpu(const char *const *paths, size_t n_paths, struct import_out *out,
		       struct sim_err *err)
{
	struct ali_seen seen = {0};
	char *name = NULL;
	size_t name_cap = 0;
	size_t i;
	int rc = 0;

	for (i = 0; i < n_paths && !rc; i++)
		rc = ali_file(paths[i], &seen, &name, &name_cap, out, err);
	free(name);
	ali_seen_release(&seen);
	return rc;
}
