/*
 * csv.h - a strict reader of delimited text, for trace importers.  Fields
 * are split on a separator (',' or ';'), or on runs of blanks when the
 * separator is ' '; blanks and a trailing CR around fields are dropped, so
 * Bitbrains' ";<TAB>" and Azure's CRLF read as plain fields.  Every field
 * knows its line and column, for "PATH:LINE:COL: error:" messages.
 */
#ifndef CSV_H
#define CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"

struct csv {
	FILE *f;
	const char *path;
	char sep;
	unsigned line;                  /* of the current row, 1-based */
	char *buf;
	size_t cap;
	char **field;                   /* the current row's fields */
	unsigned *col;                  /* their 1-based columns */
	size_t n, cap_fields;
};

int csv_open(struct csv *c, const char *path, char sep, struct sim_err *err);
void csv_close(struct csv *c);
/* Reads the next non-blank row: 1, or 0 at the end, or -SIM_EIO. */
int csv_next(struct csv *c, struct sim_err *err);
/* Field i as a number (decimal or scientific); -SIM_EINVAL located at it. */
int csv_number(const struct csv *c, size_t i, double *v, struct sim_err *err);
/* Requires at least n fields in the row. */
int csv_need(const struct csv *c, size_t n, struct sim_err *err);
/* Fills *err at field i (or column 1 when i is past the end). */
int csv_err_at(const struct csv *c, size_t i, struct sim_err *err, int code, const char *fmt,
	       ...) __attribute__((format(printf, 5, 6)));

#endif /* CSV_H */
