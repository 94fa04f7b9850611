/*
 * import_rig.h - what the importer tests share: paths to the fixtures in
 * tests/data/import (small files in each dataset's own format, written for
 * these tests) and into the public traces ($MEMSIM_TRACES, else
 * ../shared/traces, used only when present), a temporary folder for broken
 * inputs, and an import into memory that is read back through memsim's own
 * trace loader.
 */
#ifndef IMPORT_RIG_H
#define IMPORT_RIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cfg.h"
#include "import.h"
#include "trace.h"

/* A path under the traces folder (one of four rotating buffers). */
const char *rig_trace_path(const char *rel);
/* A path under tests/data/import (one of four rotating buffers). */
const char *rig_fixture_path(const char *rel);
/*
 * Whether the tests on the real subsets run: always when $MEMSIM_TRACES is
 * set (a wrong folder then fails them), else when ../shared/traces exists.
 * Prints "SUITE: real traces: ..." saying which folder, or that they are
 * skipped.
 */
bool rig_real_traces(const char *suite);

/* A temporary folder: made before a TCase, removed with all it holds. */
void rig_dir_make(void);
void rig_dir_remove(void);
const char *rig_dir(void);
/* Writes len bytes to folder/rel (making folder/sub for "sub/x"); returns the path. */
const char *rig_put(const char *rel, const void *data, size_t len);
const char *rig_put_text(const char *rel, const char *text);

struct rig_import {
	struct import_opts opts;        /* set before rig_import; zero = defaults */
	struct import_out out;
	struct sim_err err;
	char *text;                     /* the trace written */
	size_t len;
	int rc;
	struct cfg_node *root;          /* after rig_import_load */
	struct trace trace;
};

/* Runs importer fn on paths into r->text; returns its code.  Importing
 * again into the same r keeps only the last import. */
int rig_import(struct rig_import *r, import_fn *fn, const char *kind, const char *const *paths,
	       size_t n);
/* Reads r->text back as a trace, which must load. */
void rig_import_load(struct rig_import *r);
void rig_import_release(struct rig_import *r);
/* The count of the report's notes whose text contains part. */
uint64_t rig_note(const struct rig_import *r, const char *part);
/* The VM named name in the loaded trace; fails the test when absent. */
const struct vm_spec *rig_vm(const struct rig_import *r, const char *name);

#endif /* IMPORT_RIG_H */
