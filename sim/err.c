/*
 * err.c - error codes and messages in gcc's format, so editors jump there.
 */
#include "err.h"

#include <stdlib.h>
#include <string.h>

const char *sim_strerror(int code)
{
	if (code < 0)
		code = -code;
	switch (code) {
	case SIM_OK:
		return "success";
#define SIM_ERR_CASE(name, text) \
	case SIM_##name:         \
		return text;
		SIM_ERRORS(SIM_ERR_CASE)
#undef SIM_ERR_CASE
	}
	return "unknown error";
}

char *sim_escape(char *buf, size_t n, const char *s)
{
	size_t k = 0;

	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		char esc[5];
		size_t len;

		if (ch >= 0x20 && ch != 0x7f) {
			esc[0] = (char)ch;
			esc[1] = '\0';
		} else if (ch == '\n' || ch == '\r' || ch == '\t') {
			esc[0] = '\\';
			esc[1] = ch == '\n' ? 'n' : ch == '\r' ? 'r' : 't';
			esc[2] = '\0';
		} else {
			snprintf(esc, sizeof(esc), "\\x%02X", ch);
		}
		len = strlen(esc);
		if (k + len >= n)
			break;
		memcpy(buf + k, esc, len);
		k += len;
	}
	buf[k] = '\0';
	return buf;
}

void sim_vprint_line(FILE *f, const char *fmt, va_list ap)
{
	char raw[1024], line[2048];

	vsnprintf(raw, sizeof(raw), fmt, ap);
	fprintf(f, "%s\n", sim_escape(line, sizeof(line), raw));
}

void sim_print_line(FILE *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sim_vprint_line(f, fmt, ap);
	va_end(ap);
}

int sim_err_vset(struct sim_err *e, int code, const char *file, unsigned line,
		 unsigned col, const char *fmt, va_list ap)
{
	char raw[sizeof(e->msg)], path[sizeof(e->file)];

	e->code = code;
	snprintf(path, sizeof(path), "%s", file ? file : "");
	sim_escape(e->file, sizeof(e->file), path);
	e->line = line;
	e->col = col;
	vsnprintf(raw, sizeof(raw), fmt, ap);
	sim_escape(e->msg, sizeof(e->msg), raw);
	return code;
}

int sim_err_set(struct sim_err *e, int code, const char *file, unsigned line,
		unsigned col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sim_err_vset(e, code, file, line, col, fmt, ap);
	va_end(ap);
	return code;
}

void sim_err_print(const struct sim_err *e, FILE *f)
{
	if (e->file[0] && e->line)
		fprintf(f, "%s:%u:%u: error: %s\n", e->file, e->line, e->col, e->msg);
	else if (e->file[0])
		fprintf(f, "%s: error: %s\n", e->file, e->msg);
	else
		fprintf(f, "memsim: error: %s\n", e->msg);
}

void sim_bug(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "BUG: %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}
