/*
 * err.h - error codes, located input errors, and fatal bugs.
 *
 * Bad input is returned, never aborted on: a function that can meet it
 * returns 0 or a negative SIM_E* code and fills a struct sim_err with the
 * place (file, 1-based line and column) in gcc's "PATH:LINE:COL: error:"
 * form.  Bugs abort through SIM_BUG with the source location.  Every
 * message is one line: control characters in it (which only quoted input
 * can bring) are escaped when it is set.
 */
#ifndef ERR_H
#define ERR_H

#include <stdarg.h>
#include <stdio.h>

#define SIM_ERRORS(X)                                   \
	X(EINVAL, "invalid value")                      \
	X(ESYNTAX, "syntax error")                      \
	X(ETYPE, "wrong type")                          \
	X(EUNIT, "bad unit")                            \
	X(ERANGE, "value out of range")                 \
	X(EKEY, "unknown key")                          \
	X(EMISSING, "missing required key")             \
	X(EDUP, "duplicate name")                       \
	X(EIO, "input/output error")                    \
	X(ENOMEM, "not enough memory")                  \
	X(EUNSUPPORTED, "not supported yet")

enum {
	SIM_OK = 0,
#define SIM_ERR_ENUM(name, text) SIM_##name,
	SIM_ERRORS(SIM_ERR_ENUM)
#undef SIM_ERR_ENUM
};

const char *sim_strerror(int code);

struct sim_err {
	int code;                       /* negative SIM_E*, 0 = none */
	char file[256];                 /* config or trace path, "" if none */
	unsigned line, col;             /* 1-based; 0 = unknown */
	char msg[512];                  /* lowercase, no final period */
};

/*
 * Copies s into buf (n > 0 bytes, always terminated), writing control
 * characters and DEL as \n, \r, \t or \xNN, so echoed input stays on one
 * line.  Returns buf.
 */
char *sim_escape(char *buf, size_t n, const char *s);

/* Fills *e; line and col are 1-based (0 when unknown).  Returns code.
 * The file name and the message are escaped with sim_escape. */
int sim_err_set(struct sim_err *e, int code, const char *file, unsigned line,
		unsigned col, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
int sim_err_vset(struct sim_err *e, int code, const char *file, unsigned line,
		 unsigned col, const char *fmt, va_list ap)
	__attribute__((format(printf, 6, 0)));
/* Prints the formatted message to f with control characters escaped
 * (sim_escape), then a newline: one line, whatever the arguments hold. */
void sim_print_line(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sim_vprint_line(FILE *f, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Prints "PATH:LINE:COL: error: MESSAGE" (or "memsim: error: ...") to f. */
void sim_err_print(const struct sim_err *e, FILE *f);

#define SIM_BUG(...) sim_bug(__FILE__, __LINE__, __VA_ARGS__)
_Noreturn void sim_bug(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* ERR_H */
