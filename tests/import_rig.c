/*
 * import_rig.c - the importer tests' shared harness.
 */
#include "import_rig.h"

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RIG_TRACES "../shared/traces"   /* beside a checkout of the project */
#define RIG_FIXTURES "tests/data/import"

static char dir[64];

/* $MEMSIM_TRACES, or NULL when unset or empty. */
static const char *traces_env(void)
{
	const char *d = getenv("MEMSIM_TRACES");

	return d && *d ? d : NULL;
}

const char *rig_trace_path(const char *rel)
{
	static char buf[4][512];
	static unsigned k;
	const char *d = traces_env();
	char *p = buf[k++ % 4];

	snprintf(p, sizeof(buf[0]), "%s/%s", d ? d : RIG_TRACES, rel);
	return p;
}

const char *rig_fixture_path(const char *rel)
{
	static char buf[4][512];
	static unsigned k;
	char *p = buf[k++ % 4];

	snprintf(p, sizeof(buf[0]), "%s/%s", RIG_FIXTURES, rel);
	return p;
}

bool rig_real_traces(const char *suite)
{
	const char *d = traces_env();
	struct stat st;

	if (d) {
		printf("%s: real traces: %s (MEMSIM_TRACES)\n", suite, d);
		fflush(stdout);
		return true;
	}
	if (stat(RIG_TRACES, &st) == 0 && S_ISDIR(st.st_mode)) {
		printf("%s: real traces: %s\n", suite, RIG_TRACES);
		fflush(stdout);
		return true;
	}
	printf("%s: real traces: skipped (no %s; set MEMSIM_TRACES to use them)\n", suite,
	       RIG_TRACES);
	fflush(stdout);                 /* before Check forks its tests */
	return false;
}

void rig_dir_make(void)
{
	snprintf(dir, sizeof(dir), "/tmp/memsim-check-import-XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		abort();
	}
}

static void remove_tree(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	char sub[1024];

	if (!d) {
		unlink(path);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
		remove_tree(sub);
	}
	closedir(d);
	rmdir(path);
}

void rig_dir_remove(void)
{
	remove_tree(dir);
}

const char *rig_dir(void)
{
	return dir;
}

const char *rig_put(const char *rel, const void *data, size_t len)
{
	static char buf[4][512];
	static unsigned k;
	char *p = buf[k++ % 4];
	const char *slash = strchr(rel, '/');
	FILE *f;

	if (slash) {
		snprintf(p, sizeof(buf[0]), "%s/%.*s", dir, (int)(slash - rel), rel);
		mkdir(p, 0700);
	}
	snprintf(p, sizeof(buf[0]), "%s/%s", dir, rel);
	f = fopen(p, "wb");
	ck_assert_msg(f != NULL, "cannot write %s", p);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
	return p;
}

const char *rig_put_text(const char *rel, const char *text)
{
	return rig_put(rel, text, strlen(text));
}

int rig_import(struct rig_import *r, import_fn *fn, const char *kind, const char *const *paths,
	       size_t n)
{
	FILE *f;

	free(r->text);
	r->text = NULL;
	memset(&r->err, 0, sizeof(r->err));
	if (!(r->opts.time_scale > 0))
		r->opts.time_scale = 1.0;
	f = open_memstream(&r->text, &r->len);
	ck_assert_ptr_nonnull(f);
	import_begin(&r->out, f, &r->opts, kind);
	r->rc = fn(paths, n, &r->out, &r->err);
	ck_assert_int_eq(fclose(f), 0);
	r->out.f = NULL;
	return r->rc;
}

void rig_import_load(struct rig_import *r)
{
	struct sim_err err = {0};

	ck_assert_msg(r->rc == 0, "%s:%u:%u: %s", r->err.file, r->err.line, r->err.col,
		      r->err.msg);
	ck_assert_msg(cfg_load_string("imported", r->text, &r->root, &err) == 0, "%u:%u: %s",
		      err.line, err.col, err.msg);
	ck_assert_msg(trace_load(r->root, &r->trace, &err) == 0, "%u:%u: %s", err.line, err.col,
		      err.msg);
}

void rig_import_release(struct rig_import *r)
{
	if (r->root)
		trace_release(&r->trace);
	cfg_free(r->root);
	free(r->text);
	memset(r, 0, sizeof(*r));
}

uint64_t rig_note(const struct rig_import *r, const char *part)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < r->out.rep.n_notes; i++)
		if (strstr(r->out.rep.notes[i].what, part))
			n += r->out.rep.notes[i].count;
	return n;
}

const struct vm_spec *rig_vm(const struct rig_import *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->trace.n_vms; i++)
		if (!strcmp(r->trace.vms[i].name, name))
			return &r->trace.vms[i];
	ck_abort_msg("no VM %s in the trace", name);
	return NULL;
}
