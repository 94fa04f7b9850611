/*
 * jsonfile.h - reading a JSON file whole, with a parse error located at
 * its line and column.
 */
#ifndef JSONFILE_H
#define JSONFILE_H

#include <cjson/cJSON.h>

#include "err.h"

/* The parsed document (the caller deletes it), or NULL with *err filled. */
cJSON *jsonfile_load(const char *path, struct sim_err *err);

#endif /* JSONFILE_H */
