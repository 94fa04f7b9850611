/*
 * import_azure.c - the Azure Public Dataset's vmtable (V1 raw, or the V2
 * re-export with a header) as memsim VMs: one VM per row, with the row's
 * memory size, creation and deletion.  Rows are emitted in file order.
 *
 * DOC: Azure vmtable import
 *
 * Formats.  Each file is recognized by its first line.  A V1 vmtable has no
 * header and 11 fields per row: vm id, subscription id, deployment id,
 * created [s], deleted [s], max CPU, avg CPU, p95 max CPU, category, core
 * count, memory [GB]; a headerless raw V2 vmtable has this layout too (a
 * bucket label that is not a number is refused).  The V2 re-export starts
 * with a header whose first column is vm_id; its columns vm_id,
 * timestamp_vm_created, timestamp_vm_deleted and vm_memory_gb_bucket are
 * found by name, and every row must have as many fields as the header.  Any
 * other first line is refused, as is a row with the wrong number of fields
 * or a non-numeric value.  CRLF line ends read as LF.
 *
 * Names.  A VM is named "az-" followed by the vm id, kept verbatim (the ids
 * are base64-like; the writer quotes them).  An id must be printable ASCII,
 * and an id seen twice, in one file or across the files given, is an error,
 * since a trace's VM names must be unique.
 *
 * Memory.  GB x 2^30 bytes, rounded to the byte: Azure's GB are taken as
 * GiB, as VM sizes are (0.75 GB is 768 MiB).  V2 gives a bucket (2, 4, 8,
 * 32, 64), which is taken as the size.  A row with zero or missing memory
 * is skipped and counted; a negative size, or one above 1 PiB, is an error.
 *
 * Times.  arrive = created and depart = deleted, in seconds from the trace
 * start.  A row deleted at or before its creation is skipped and counted.
 * A row with an empty deleted field stays, with no depart, and is counted.
 * A VM still running when the trace ends carries the trace's last
 * timestamp as its deletion (V1: 2591700; V2: 2591400, as every row of
 * selected_vms_500.csv does); the importer cannot tell it from a VM really
 * deleted then, so depart = deleted always.  To keep such VMs running,
 * import with a --length that ends at or before that time: the writer
 * drops departures at or after the window's end.  Notes of skipped rows
 * count rows read; notes of kept rows count VMs written.
 *
 * Working set.  A vmtable has CPU readings only, no memory usage, so each
 * VM gets one phase whose working set is import_default_share(): a share of
 * its memory drawn uniformly from 20% to 60%, from a stream keyed by the
 * VM's name under --seed, so it is the same in every import with that seed.
 */
#include "import.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "trace.h"
#include "xmem.h"

#define AZ_V1_FIELDS 11
#define AZ_GIB 1073741824.0
#define AZ_MAX_GB 1048576.0             /* 1 PiB: larger is a misread file */
#define AZ_MAX_S 9.2e9                  /* seconds that fit in int64 ns */

/* Where a file keeps the fields read; the rest are ignored. */
struct az_layout {
	size_t n_fields;                /* exact count per row */
	size_t id;                      /* field indexes */
	size_t created;
	size_t deleted;
	size_t memory;
	const char *what;               /* "V1" or "V2", for messages */
};

/* The vm ids seen so far, for duplicate names: open addressing. */
struct az_seen_slot {
	char *id;                       /* NULL: free */
	const char *path;               /* borrowed from the caller's paths */
	unsigned line;
};

struct az_seen {
	struct az_seen_slot *slot;
	size_t cap;                     /* a power of two */
	size_t n;                       /* slots in use, at most cap / 2 */
};

static uint64_t az_hash(const char *s)
{
	uint64_t h = 0xCBF29CE484222325ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001B3ULL;
	}
	return h;
}

/* The slot holding id, or the free slot where it would go. */
static struct az_seen_slot *az_seen_find(const struct az_seen *s, const char *id)
{
	size_t i = (size_t)az_hash(id) & (s->cap - 1);

	while (s->slot[i].id && strcmp(s->slot[i].id, id))
		i = (i + 1) & (s->cap - 1);
	return &s->slot[i];
}

static void az_seen_grow(struct az_seen *s)
{
	struct az_seen old = *s;
	size_t i;

	s->cap = old.cap ? 2 * old.cap : 1024;
	s->slot = xcalloc(s->cap, sizeof(*s->slot));
	for (i = 0; i < old.cap; i++)
		if (old.slot[i].id)
			*az_seen_find(s, old.slot[i].id) = old.slot[i];
	free(old.slot);
}

/* Adds id; returns the earlier slot when it was there already. */
static const struct az_seen_slot *az_seen_add(struct az_seen *s, const char *id,
					      const char *path, unsigned line)
{
	struct az_seen_slot *p;

	if (2 * (s->n + 1) > s->cap)
		az_seen_grow(s);
	p = az_seen_find(s, id);
	if (p->id)
		return p;
	p->id = xstrdup(id);
	p->path = path;
	p->line = line;
	s->n++;
	return NULL;
}

static void az_seen_release(struct az_seen *s)
{
	size_t i;

	for (i = 0; i < s->cap; i++)
		free(s->slot[i].id);
	free(s->slot);
	memset(s, 0, sizeof(*s));
}

/* The column just past the row's last field, for a row that stops short. */
static unsigned az_end_col(const struct csv *c)
{
	return c->n ? c->col[c->n - 1] + (unsigned)strlen(c->field[c->n - 1]) : 1;
}

static int az_check_fields(const struct csv *c, const struct az_layout *l, struct sim_err *err)
{
	if (c->n < l->n_fields)
		return sim_err_set(
			err, -SIM_EINVAL, c->path, c->line, az_end_col(c),
			"%zu fields, expected %zu (an Azure %s vmtable row is cut short)", c->n,
			l->n_fields, l->what);
	if (c->n > l->n_fields)
		return csv_err_at(c, l->n_fields, err, -SIM_EINVAL,
				  "%zu fields, expected %zu (an Azure %s vmtable row)", c->n,
				  l->n_fields, l->what);
	return 0;
}

static int az_find_column(const struct csv *c, const char *name, size_t *at,
			  struct sim_err *err)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (!strcmp(c->field[i], name)) {
			*at = i;
			return 0;
		}
	return sim_err_set(err, -SIM_EINVAL, c->path, c->line, 1,
			   "the V2 vmtable header has no column '%s'", name);
}

/* Reads the first line: a V2 header (consumed) or a V1 row (left to read). */
static int az_detect(struct csv *c, struct az_layout *l, bool *header, struct sim_err *err)
{
	int rc = csv_next(c, err);

	if (rc < 0)
		return rc;
	if (rc == 0)
		return sim_err_set(err, -SIM_EINVAL, c->path, 1, 1,
				   "empty file, expected an Azure vmtable");
	memset(l, 0, sizeof(*l));
	if (!strcmp(c->field[0], "vm_id")) {
		*header = true;
		l->what = "V2";
		l->n_fields = c->n;
		l->id = 0;
		if ((rc = az_find_column(c, "timestamp_vm_created", &l->created, err)) ||
		    (rc = az_find_column(c, "timestamp_vm_deleted", &l->deleted, err)) ||
		    (rc = az_find_column(c, "vm_memory_gb_bucket", &l->memory, err)))
			return rc;
		return 0;
	}
	if (c->n == AZ_V1_FIELDS) {
		*header = false;
		l->what = "V1";
		l->n_fields = AZ_V1_FIELDS;
		l->id = 0;
		l->created = 3;
		l->deleted = 4;
		l->memory = 10;
		return 0;
	}
	return sim_err_set(err, -SIM_EINVAL, c->path, c->line, 1,
			   "not an Azure vmtable: the first line has %zu field%s; expected %d "
			   "(V1, no header) or a header starting with 'vm_id' (V2)",
			   c->n, c->n == 1 ? "" : "s", AZ_V1_FIELDS);
}

static int az_check_id(const struct csv *c, size_t i, struct sim_err *err)
{
	const char *id = c->field[i];
	size_t k;

	if (!*id)
		return csv_err_at(c, i, err, -SIM_EINVAL, "empty vm id");
	for (k = 0; id[k]; k++) {
		unsigned char ch = (unsigned char)id[k];

		if (ch <= 0x20 || ch >= 0x7f)
			return sim_err_set(err, -SIM_EINVAL, c->path, c->line,
					   c->col[i] + (unsigned)k,
					   "byte 0x%02x in a vm id; expected printable ASCII", ch);
	}
	return 0;
}

/* Field i as seconds from the trace start, in ns. */
static int az_seconds(const struct csv *c, size_t i, int64_t *ns, struct sim_err *err)
{
	double s;
	int rc = csv_number(c, i, &s, err);

	if (rc)
		return rc;
	if (s < 0 || s > AZ_MAX_S)
		return csv_err_at(c, i, err, -SIM_ERANGE,
				  "time %s s is out of range (0 to %.3g s)", c->field[i], AZ_MAX_S);
	*ns = (int64_t)llround(s * 1e9);
	return 0;
}

/* Field i as GB in bytes; 0 when the field is empty. */
static int az_memory(const struct csv *c, size_t i, int64_t *bytes, struct sim_err *err)
{
	double gb;
	int rc;

	*bytes = 0;
	if (!*c->field[i])
		return 0;
	if ((rc = csv_number(c, i, &gb, err)))
		return rc;
	if (gb < 0 || gb > AZ_MAX_GB)
		return csv_err_at(c, i, err, -SIM_ERANGE,
				  "memory %s GB is out of range (0 to 1 PiB)", c->field[i]);
	*bytes = (int64_t)llround(gb * AZ_GIB);
	return 0;
}

/* One data row: checked whole, then skipped with a note or emitted. */
static int az_row(const struct csv *c, const struct az_layout *l, struct az_seen *seen,
		  char **name, size_t *name_cap, struct import_out *out, struct sim_err *err)
{
	const struct az_seen_slot *dup;
	int64_t bytes = 0;
	int64_t arrive = 0;
	int64_t depart = TRACE_NEVER;
	size_t len;
	int rc;

	if ((rc = az_check_fields(c, l, err)) || (rc = az_check_id(c, l->id, err)) ||
	    (rc = az_memory(c, l->memory, &bytes, err)) ||
	    (rc = az_seconds(c, l->created, &arrive, err)))
		return rc;
	if (*c->field[l->deleted] && (rc = az_seconds(c, l->deleted, &depart, err)))
		return rc;
	dup = az_seen_add(seen, c->field[l->id], c->path, c->line);
	if (dup)
		return csv_err_at(c, l->id, err, -SIM_EDUP,
				  "vm id '%.64s' repeats (first at %s:%u)", c->field[l->id],
				  dup->path, dup->line);
	out->rep.rows++;
	if (bytes <= 0) {
		import_note(out, "rows with zero or missing memory skipped");
		return 0;
	}
	if (depart != TRACE_NEVER && depart <= arrive) {
		import_note(out, "rows deleted at or before creation skipped");
		return 0;
	}
	len = strlen(c->field[l->id]) + 4;
	if (len > *name_cap) {
		*name_cap = len;
		*name = xrealloc(*name, len);
	}
	snprintf(*name, len, "az-%s", c->field[l->id]);
	rc = import_vm_begin(out, *name, bytes, arrive, depart);
	if (rc < 0)
		return csv_err_at(c, out->why_depart ? l->deleted : l->created, err, rc, "%s",
				  out->why);
	if (rc == 0)
		return 0;               /* outside the window, or past --max-vms */
	if (depart == TRACE_NEVER)
		import_note(out, "VMs without a deletion time written with no depart");
	import_vm_share(out, import_default_share(out, *name));
	import_vm_end(out);
	return 0;
}

static int az_file(const char *path, struct az_seen *seen, char **name, size_t *name_cap,
		   struct import_out *out, struct sim_err *err)
{
	struct csv c;
	struct az_layout l;
	bool header = false;
	int rc;

	if ((rc = csv_open(&c, path, ',', err)))
		return rc;
	if ((rc = az_detect(&c, &l, &header, err)))
		goto out;
	out->rep.files++;
	if (!header && (rc = az_row(&c, &l, seen, name, name_cap, out, err)))
		goto out;
	while ((rc = csv_next(&c, err)) == 1)
		if ((rc = az_row(&c, &l, seen, name, name_cap, out, err)))
			goto out;
out:
	csv_close(&c);
	return rc;
}

int import_azure(const char *const *paths, size_t n_paths, struct import_out *out,
		 struct sim_err *err)
{
	struct az_seen seen = {0};
	char *name = NULL;
	size_t name_cap = 0;
	size_t i;
	int rc = 0;

	for (i = 0; i < n_paths && !rc; i++)
		rc = az_file(paths[i], &seen, &name, &name_cap, out, err);
	free(name);
	az_seen_release(&seen);
	return rc;
}
