/*
 * fuzz_results.c - the results reader that compare and plot share:
 * jsonfile_load, then every numeric leaf found and fetched again by its
 * dotted path, then `memsim compare` itself on the file (twice, so the
 * second column is compared with the first) in each output format.  The
 * compare command must print at most one line of error.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "harness.h"
#include "jsonfile.h"

/* Runs compare with args, stderr caught; aborts when it says more than a line. */
static void compare_caught(char **argv, int argc)
{
	FILE *saved = stderr;
	char *text = NULL;
	size_t len = 0;
	char *nl;

	stderr = open_memstream(&text, &len);
	if (!stderr)
		abort();
	compare_main(argc, argv);
	fclose(stderr);
	stderr = saved;
	nl = memchr(text, '\n', len);
	if (nl && nl + 1 < text + len) {
		fprintf(stderr, "compare: more than one line on stderr:\n%s", text);
		abort();
	}
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const formats[] = {"table", "csv", "markdown", "json"};
	char *path = (char *)fuzz_put("results.json", data, size);
	struct sim_err err = {0};
	cJSON *doc;
	char **paths = NULL;
	size_t n = 0, cap = 0, i;

	static bool quiet;

	/* compare prints its tables to stdout: nobody reads them. */
	if (!quiet && !freopen("/dev/null", "w", stdout))
		abort();
	quiet = true;
	doc = jsonfile_load(path, &err);
	if (!doc) {
		fuzz_check_err("jsonfile_load", err.code ? err.code : 1, &err);
		return 0;
	}
	compare_paths(doc, "", &paths, &n, &cap);
	for (i = 0; i < n; i++) {
		(void)compare_at(doc, paths[i]);
		free(paths[i]);
	}
	free(paths);
	cJSON_Delete(doc);
	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		char opt[] = "--format", fmt[16];
		char *argv[] = {path, path, opt, fmt};

		snprintf(fmt, sizeof(fmt), "%s", formats[i]);
		compare_caught(argv, 4);
	}
	return 0;
}
