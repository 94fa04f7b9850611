/*
 * compare.h - `memsim compare`: the summary metrics of results files side
 * by side, with the difference and ratio against the first; or the points
 * of sweep summaries with their confidence intervals.
 */
#ifndef COMPARE_H
#define COMPARE_H

#include <cjson/cJSON.h>
#include <stddef.h>

/* The numeric leaves under obj as dotted paths from prefix, in key order. */
size_t compare_paths(const cJSON *obj, const char *prefix, char ***paths, size_t *n,
		     size_t *cap);
/* The number at a dotted path in root, or NULL. */
const cJSON *compare_at(const cJSON *root, const char *path);

/* The compare command; argv excludes "memsim compare".  Returns the exit code. */
int compare_main(int argc, char **argv);

#endif /* COMPARE_H */
