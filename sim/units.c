/*
 * units.c - quantities with units.  Numbers are read with strtod after a
 * strict check of their shape, so "inf", "nan" and hex never pass, and every
 * product is checked against INT64_MAX before it is converted.
 */
#include "units.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

struct unit {
	const char *name;
	double scale;
};

static const struct unit size_units[] = {
	{"B", 1.0},
	{"KiB", 1024.0}, {"MiB", 1048576.0}, {"GiB", 1073741824.0},
	{"TiB", 1099511627776.0}, {"PiB", 1125899906842624.0},
	{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12}, {"PB", 1e15},
	{NULL, 0},
};

static const struct unit duration_units[] = {
	{"ns", 1.0}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9},
	{"m", 60e9}, {"h", 3600e9}, {"d", 86400e9},
	{NULL, 0},
};

static const struct unit per_units[] = {
	{"s", 1.0}, {"m", 60.0}, {"h", 3600.0}, {"d", 86400.0},
	{NULL, 0},
};

__attribute__((format(printf, 4, 5)))
static int fail(char *why, size_t n, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, n, fmt, ap);
	va_end(ap);
	return code;
}

/*
 * Reads the numeric prefix of s into *v and points *rest past it and any
 * blanks.  Accepts [+-]digits[.digits][e[+-]digits] and no other shapes.
 */
static int read_number(const char *s, double *v, const char **rest, char *why, size_t n)
{
	const char *p = s;
	char *end;

	if (*p == '+' || *p == '-')
		p++;
	if (!isdigit((unsigned char)*p) && !(*p == '.' && isdigit((unsigned char)p[1])))
		return fail(why, n, -SIM_EINVAL, "'%s' is not a number", s);
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		return fail(why, n, -SIM_EINVAL, "'%s' is not a decimal number", s);
	errno = 0;
	*v = strtod(s, &end);
	if (errno == ERANGE || !isfinite(*v))
		return fail(why, n, -SIM_ERANGE, "'%s' is out of range", s);
	while (*end == ' ')
		end++;
	*rest = end;
	return 0;
}

static const struct unit *find_unit(const struct unit *u, const char *name, size_t len)
{
	for (; u->name; u++)
		if (strlen(u->name) == len && strncmp(u->name, name, len) == 0)
			return u;
	return NULL;
}

/* value * scale as a non-negative int64, rounded to nearest. */
static int to_int64(double v, double scale, int64_t *out, const char *s, char *why, size_t n)
{
	long double x = (long double)v * (long double)scale;

	if (x < 0)
		return fail(why, n, -SIM_ERANGE, "'%s' must not be negative", s);
	x = roundl(x);
	if (x >= 9223372036854775807.0L)
		return fail(why, n, -SIM_ERANGE, "'%s' is too large (overflows 64 bits)", s);
	*out = (int64_t)x;
	return 0;
}

/*
 * A whole number of units, in integer arithmetic so that every digit
 * counts (a double keeps only 53 bits).  1 if s is not all digits.
 */
static int exact_size(const char *s, const char *rest, double scale, int64_t *bytes, char *why,
		      size_t whylen)
{
	const char *p = s;
	uint64_t v = 0, unit = (uint64_t)scale;

	if (scale != (double)unit)
		return 1;
	for (; p < rest && *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - 9) / 10)
			return fail(why, whylen, -SIM_ERANGE,
				    "'%s' is too large (overflows 64 bits)", s);
		v = v * 10 + (uint64_t)(*p - '0');
	}
	while (p < rest && *p == ' ')
		p++;
	if (p != rest || p == s)
		return 1;
	if (unit && v > (uint64_t)INT64_MAX / unit)
		return fail(why, whylen, -SIM_ERANGE, "'%s' is too large (overflows 64 bits)", s);
	*bytes = (int64_t)(v * unit);
	return 0;
}

int units_parse_size(const char *s, int64_t *bytes, char *why, size_t whylen)
{
	const struct unit *u;
	const char *rest;
	double v;
	int rc = read_number(s, &v, &rest, why, whylen);

	if (rc)
		return rc;
	if (*rest == '\0') {
		rc = exact_size(s, rest, 1.0, bytes, why, whylen);
		return rc <= 0 ? rc : to_int64(v, 1.0, bytes, s, why, whylen);
	}
	u = find_unit(size_units, rest, strlen(rest));
	if (!u)
		return fail(why, whylen, -SIM_EUNIT,
			    "bad size unit in '%s' (use B, KiB, MiB, GiB, TiB, PiB, KB, MB, GB, TB "
			    "or PB)",
			    s);
	rc = exact_size(s, rest, u->scale, bytes, why, whylen);
	return rc <= 0 ? rc : to_int64(v, u->scale, bytes, s, why, whylen);
}

int units_parse_duration(const char *s, int64_t *ns, char *why, size_t whylen)
{
	const struct unit *u;
	const char *rest;
	double v;
	int rc = read_number(s, &v, &rest, why, whylen);

	if (rc)
		return rc;
	if (*rest == '\0') {
		if (v == 0.0) {
			*ns = 0;
			return 0;
		}
		return fail(why, whylen, -SIM_EUNIT,
			    "duration '%s' needs a unit (ns, us, ms, s, m, h or d)", s);
	}
	u = find_unit(duration_units, rest, strlen(rest));
	if (!u)
		return fail(why, whylen, -SIM_EUNIT,
			    "bad duration unit in '%s' (use ns, us, ms, s, m, h or d)", s);
	return to_int64(v, u->scale, ns, s, why, whylen);
}

int units_parse_rate(const char *s, double *per_s, char *why, size_t whylen)
{
	const struct unit *u;
	const char *rest;
	double v, mult = 1.0;
	int rc = read_number(s, &v, &rest, why, whylen);

	if (rc)
		return rc;
	if (v < 0)
		return fail(why, whylen, -SIM_ERANGE, "rate '%s' must not be negative", s);
	if (*rest == 'k' || *rest == 'M' || *rest == 'G') {
		mult = *rest == 'k' ? 1e3 : *rest == 'M' ? 1e6 : 1e9;
		rest++;
	}
	if (*rest == '\0' && mult == 1.0) {
		*per_s = v;
		return 0;
	}
	if (*rest != '/' || !(u = find_unit(per_units, rest + 1, strlen(rest + 1))))
		return fail(why, whylen, -SIM_EUNIT,
			    "bad rate unit in '%s' (use N/s, N/m, N/h or N/d, N may end in k or M)",
			    s);
	*per_s = v * mult / u->scale;
	if (!isfinite(*per_s))
		return fail(why, whylen, -SIM_ERANGE, "rate '%s' is out of range", s);
	return 0;
}

int units_parse_bandwidth(const char *s, double *bytes_per_s, char *why, size_t whylen)
{
	const struct unit *u;
	const char *rest, *slash;
	double v;
	int rc = read_number(s, &v, &rest, why, whylen);

	if (rc)
		return rc;
	if (v < 0)
		return fail(why, whylen, -SIM_ERANGE, "bandwidth '%s' must not be negative", s);
	slash = strchr(rest, '/');
	if (!slash || strcmp(slash, "/s") != 0 ||
	    !(u = find_unit(size_units, rest, (size_t)(slash - rest))))
		return fail(
			why, whylen, -SIM_EUNIT,
			"bad bandwidth unit in '%s' (use a size per second, as 2GB/s or 500MiB/s)",
			s);
	*bytes_per_s = v * u->scale;
	if (!isfinite(*bytes_per_s))
		return fail(why, whylen, -SIM_ERANGE, "bandwidth '%s' is out of range", s);
	return 0;
}

int units_parse_fraction(const char *s, double *frac, char *why, size_t whylen)
{
	const char *rest;
	double v;
	int rc = read_number(s, &v, &rest, why, whylen);

	if (rc)
		return rc;
	if (strcmp(rest, "%") == 0)
		v /= 100.0;
	else if (*rest)
		return fail(why, whylen, -SIM_EUNIT,
			    "bad fraction '%s' (use a percentage, 75%%, or a number, 0.75)", s);
	*frac = v;
	return 0;
}

int units_parse_number(const char *s, double *v, char *why, size_t whylen)
{
	const char *rest;
	int rc = read_number(s, v, &rest, why, whylen);

	if (rc)
		return rc;
	if (*rest)
		return fail(why, whylen, -SIM_EINVAL, "'%s' is not a plain number", s);
	return 0;
}

int units_parse_int(const char *s, int64_t *v, char *why, size_t whylen)
{
	const char *p = s;
	char *end;
	long long x;

	if (*p == '+' || *p == '-')
		p++;
	if (!isdigit((unsigned char)*p))
		return fail(why, whylen, -SIM_EINVAL, "'%s' is not a whole number", s);
	errno = 0;
	x = strtoll(s, &end, 10);
	if (errno == ERANGE)
		return fail(why, whylen, -SIM_ERANGE, "'%s' is too large (overflows 64 bits)", s);
	if (*end)
		return fail(why, whylen, -SIM_EINVAL, "'%s' is not a whole number", s);
	*v = x;
	return 0;
}

const char *units_format_size(int64_t bytes, char *buf, size_t n)
{
	static const char *const names[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
	double v = (double)bytes;
	int i = 0;

	while ((v >= 1024.0 || v <= -1024.0) && i < 5) {
		v /= 1024.0;
		i++;
	}
	if (i == 0)
		snprintf(buf, n, "%lld B", (long long)bytes);
	else
		snprintf(buf, n, "%.1f %s", v, names[i]);
	return buf;
}

const char *units_format_duration(int64_t ns, char *buf, size_t n)
{
	static const struct unit *const u = duration_units;
	int i = 6;

	while (i > 0 && (ns % (int64_t)u[i].scale) != 0)
		i--;
	if (ns == 0)
		snprintf(buf, n, "0s");
	else
		snprintf(buf, n, "%lld%s", (long long)(ns / (int64_t)u[i].scale), u[i].name);
	return buf;
}
