/*
 * csv.c - delimited text, strictly.  A row is a line; empty lines are
 * skipped; no quoting (none of the supported traces quotes), and a NUL
 * byte or an over-long line is an error, so a binary file is refused
 * rather than misread.
 */
#include "csv.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "xmem.h"

#define CSV_MAX_LINE (1 << 20)

int csv_open(struct csv *c, const char *path, char sep, struct sim_err *err)
{
	struct stat st;

	memset(c, 0, sizeof(*c));
	c->path = path;
	c->sep = sep;
	c->f = fopen(path, "rb");
	if (!c->f)
		return sim_err_set(err, -SIM_EIO, path, 0, 0, "cannot open: %s", strerror(errno));
	if (fstat(fileno(c->f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(c->f);
		c->f = NULL;
		return sim_err_set(err, -SIM_EIO, path, 0, 0, "cannot read: it is a directory");
	}
	return 0;
}

void csv_close(struct csv *c)
{
	if (c->f)
		fclose(c->f);
	free(c->buf);
	free(c->field);
	free(c->col);
	memset(c, 0, sizeof(*c));
}

static bool blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r';
}

static void add_field(struct csv *c, char *start, char *end)
{
	while (start < end && blank(*start))
		start++;
	while (end > start && blank(end[-1]))
		end--;
	*end = '\0';
	if (c->n == c->cap_fields) {
		c->cap_fields = c->cap_fields ? 2 * c->cap_fields : 16;
		c->field = xrealloc(c->field, c->cap_fields * sizeof(*c->field));
		c->col = xrealloc(c->col, c->cap_fields * sizeof(*c->col));
	}
	c->field[c->n] = start;
	c->col[c->n] = (unsigned)(start - c->buf) + 1;
	c->n++;
}

int csv_next(struct csv *c, struct sim_err *err)
{
	for (;;) {
		size_t len = 0;
		int ch;
		char *p, *start;

		c->line++;
		while ((ch = getc(c->f)) != EOF && ch != '\n') {
			if (ch == '\0')
				return sim_err_set(err, -SIM_EINVAL, c->path, c->line,
						   (unsigned)len + 1,
						   "a NUL byte: this is not a text file");
			if (len + 2 > c->cap) {
				if (c->cap >= CSV_MAX_LINE)
					return sim_err_set(err, -SIM_EINVAL, c->path, c->line, 1,
							   "a line longer than %d bytes",
							   CSV_MAX_LINE);
				c->cap = c->cap ? 2 * c->cap : 256;
				c->buf = xrealloc(c->buf, c->cap);
			}
			c->buf[len++] = (char)ch;
		}
		if (ferror(c->f))
			return sim_err_set(err, -SIM_EIO, c->path, c->line, 0, "read error: %s",
					   strerror(errno));
		if (ch == EOF && len == 0)
			return 0;
		if (!c->buf) {
			c->cap = 256;
			c->buf = xmalloc(c->cap);
		}
		c->buf[len] = '\0';
		c->n = 0;
		for (p = c->buf; *p && blank(*p); p++)
			;
		if (!*p)
			continue;               /* a blank line */
		if (c->sep == ' ') {
			while (*p) {
				start = p;
				while (*p && !blank(*p))
					p++;
				if (*p)
					*p++ = '\0';
				add_field(c, start, start + strlen(start));
				while (*p && blank(*p))
					p++;
			}
		} else {
			start = c->buf;
			for (p = c->buf;; p++) {
				if (*p == c->sep || !*p) {
					bool last = !*p;

					add_field(c, start, p);
					if (last)
						break;
					start = p + 1;
				}
			}
		}
		return 1;
	}
}

int csv_err_at(const struct csv *c, size_t i, struct sim_err *err, int code, const char *fmt,
	       ...)
{
	va_list ap;

	va_start(ap, fmt);
	sim_err_vset(err, code, c->path, c->line, i < c->n ? c->col[i] : 1, fmt, ap);
	va_end(ap);
	return code;
}

int csv_need(const struct csv *c, size_t n, struct sim_err *err)
{
	if (c->n >= n)
		return 0;
	return csv_err_at(c, c->n, err, -SIM_EINVAL, "%zu fields, expected at least %zu", c->n,
			  n);
}

int csv_number(const struct csv *c, size_t i, double *v, struct sim_err *err)
{
	const char *s = i < c->n ? c->field[i] : "";
	char *end;

	if (!*s)
		return csv_err_at(c, i, err, -SIM_EINVAL, "empty field %zu, expected a number",
				  i + 1);
	errno = 0;
	*v = strtod(s, &end);
	if (*end || end == s || errno == ERANGE || !isfinite(*v) ||
	    (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')))
		return csv_err_at(c, i, err, -SIM_EINVAL, "'%.40s' is not a number", s);
	return 0;
}
