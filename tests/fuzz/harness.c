/*
 * harness.c - the harnesses' shared checks and temporary folder.
 */
#include "harness.h"

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfg.h"
#include "trace.h"
#include "units.h"

static char dir[512];

static void remove_dir(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[1024];

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

const char *fuzz_put(const char *rel, const void *data, size_t size)
{
	static char buf[4][1024];
	static unsigned k;
	char *p = buf[k++ % 4];
	FILE *f;

	if (!dir[0]) {
		const char *tmp = getenv("TMPDIR");

		snprintf(dir, sizeof(dir), "%s/memsim-fuzz-XXXXXX", tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(dir)) {
			perror("mkdtemp");
			abort();
		}
		atexit(remove_dir);
	}
	snprintf(p, sizeof(buf[0]), "%s/%s", dir, rel);
	f = fopen(p, "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0) {
		perror(p);
		abort();
	}
	return p;
}

/* Whether err prints as one line, as memsim prints it (its place included). */
static bool is_one_line(const struct sim_err *err)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	bool one;

	if (!f)
		abort();
	sim_err_print(err, f);
	fclose(f);
	one = len > 0 && memchr(text, '\n', len) == text + len - 1;
	free(text);
	return one;
}

void fuzz_check_err(const char *what, int rc, const struct sim_err *err)
{
	if (rc == 0)
		return;
	if (rc > 0 || err->code != rc || !err->msg[0]) {
		fprintf(stderr, "%s: returned %d with error code %d and message '%s'\n", what, rc,
			err->code, err->msg);
		abort();
	}
	if (!is_one_line(err)) {
		fprintf(stderr, "%s: an error message on more than one line:\n", what);
		sim_err_print(err, stderr);
		abort();
	}
}

/* Reads a "#fuzz-opts ..." line into *o; false when the CLI would refuse it. */
static bool read_opts(char *line, struct import_opts *o)
{
	char why[256], *save = NULL, *tok;
	int64_t x;

	for (tok = strtok_r(line, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char *v = strchr(tok, '=');

		if (!v)
			return false;
		*v++ = '\0';
		if (!strcmp(tok, "scale")) {
			if (units_parse_number(v, &o->time_scale, why, sizeof(why)) ||
			    !(o->time_scale > 0))
				return false;
		} else if (!strcmp(tok, "start") || !strcmp(tok, "length")) {
			if (units_parse_duration(v, &x, why, sizeof(why)))
				return false;
			*(tok[0] == 's' ? &o->start_ns : &o->length_ns) = x;
		} else if (!strcmp(tok, "max") || !strcmp(tok, "seed")) {
			if (units_parse_int(v, &x, why, sizeof(why)) || x < 0)
				return false;
			if (tok[0] == 'm')
				o->max_vms = (size_t)x;
			else
				o->seed = (uint64_t)x;
		} else {
			return false;
		}
	}
	return true;
}

int fuzz_import(import_fn *fn, const char *kind, const char *name, const uint8_t *data,
		size_t size)
{
	static const char tag[] = "#fuzz-opts ";
	struct import_opts o = {.time_scale = 1.0, .seed = 1};
	struct sim_err err = {0};
	struct import_out io;
	const char *path;
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int rc;

	if (size >= sizeof(tag) - 1 && !memcmp(data, tag, sizeof(tag) - 1)) {
		const uint8_t *nl = memchr(data, '\n', size);
		size_t n = nl ? (size_t)(nl - data) : size;
		char *line = malloc(n + 1);
		bool ok;

		memcpy(line, data, n);
		line[n] = '\0';
		ok = !memchr(line, '\0', n) && read_opts(line + sizeof(tag) - 1, &o);
		free(line);
		if (!ok)
			return 0;
		data += nl ? n + 1 : n;
		size -= nl ? n + 1 : n;
	}
	path = fuzz_put(name, data, size);
	f = open_memstream(&text, &len);
	if (!f)
		abort();
	import_begin(&io, f, &o, kind);
	rc = fn(&path, 1, &io, &err);
	fclose(f);
	fuzz_check_err(kind, rc, &err);
	if (!rc && io.rep.vms > 0) {
		struct cfg_node *root = NULL;
		struct trace t;

		rc = cfg_load_string("imported", text, &root, &err);
		if (!rc)
			rc = trace_load(root, &t, &err);
		if (rc) {
			fprintf(stderr, "%s: the trace loader refuses the import:\n", kind);
			sim_err_print(&err, stderr);
			fprintf(stderr, "--- the imported trace:\n%s--- end\n", text);
			abort();
		}
		trace_release(&t);
		cfg_free(root);
	}
	free(text);
	return 0;
}
