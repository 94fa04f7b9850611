/*
 * units.h - parse quantities with units into integers or doubles.
 *
 * Sizes: B, KiB MiB GiB TiB PiB (powers of 2), KB MB GB TB PB (powers of 10);
 * a bare number is bytes.  Durations: ns us ms s m h d; a unit is required
 * except for 0.  Rates: N/s, N/m, N/h, N/d with an optional k, M or G
 * multiplier (200k/s); a bare number is per second.  Bandwidths: a size per
 * second (2GB/s).  Fractions: 75% or a plain number (0.75).
 * Each returns 0 or a negative SIM_E* code with a message in why.
 */
#ifndef UNITS_H
#define UNITS_H

#include <stddef.h>
#include <stdint.h>

#define UNITS_NS_PER_S 1000000000LL

int units_parse_size(const char *s, int64_t *bytes, char *why, size_t whylen);
int units_parse_duration(const char *s, int64_t *ns, char *why, size_t whylen);
int units_parse_rate(const char *s, double *per_s, char *why, size_t whylen);
int units_parse_bandwidth(const char *s, double *bytes_per_s, char *why, size_t whylen);
int units_parse_fraction(const char *s, double *frac, char *why, size_t whylen);
/* A plain number (no unit); rejects inf, nan, hex and trailing text. */
int units_parse_number(const char *s, double *v, char *why, size_t whylen);
/* A whole number (no unit, no fraction), overflow-checked. */
int units_parse_int(const char *s, int64_t *v, char *why, size_t whylen);

/* Formats bytes as "1.5 GiB" into buf (for human summaries). */
const char *units_format_size(int64_t bytes, char *buf, size_t n);
/* Formats nanoseconds in the largest unit that divides them: "6h", "1500ms". */
const char *units_format_duration(int64_t ns, char *buf, size_t n);

#endif /* UNITS_H */
