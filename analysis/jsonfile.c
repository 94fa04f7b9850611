/*
 * jsonfile.c - a JSON file read whole and parsed by cJSON, which says where
 * it stopped; that place becomes the error's line and column.
 */
#include "jsonfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmem.h"

cJSON *jsonfile_load(const char *path, struct sim_err *err)
{
	FILE *f = fopen(path, "rb");
	char *text = NULL;
	size_t len = 0, cap = 0, got;
	cJSON *doc;

	if (!f) {
		sim_err_set(err, -SIM_EIO, path, 0, 0, "cannot open: %s", strerror(errno));
		return NULL;
	}
	do {
		XGROW(text, cap, len + 65536 + 1);
		got = fread(text + len, 1, cap - len - 1, f);
		len += got;
	} while (got > 0);
	if (ferror(f)) {
		sim_err_set(err, -SIM_EIO, path, 0, 0, "cannot read: %s", strerror(errno));
		fclose(f);
		free(text);
		return NULL;
	}
	fclose(f);
	text[len] = '\0';
	doc = cJSON_Parse(text);
	if (!doc) {
		const char *stop = cJSON_GetErrorPtr(), *q;
		unsigned line = 1, col = 1;

		for (q = text; stop && q < stop && *q; q++, col++)
			if (*q == '\n') {
				line++;
				col = 0;
			}
		sim_err_set(err, -SIM_ESYNTAX, path, line, col, "not a JSON document");
	}
	free(text);
	return doc;
}
