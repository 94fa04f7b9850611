/*
 * tests/check_units.c - parsing and formatting of sizes, durations, rates, bandwidths and
 * fractions.  Every expected value is worked out by hand from the unit's definition.
 */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "err.h"
#include "units.h"
#include "suites.h"

static char why[256];

/* Parses s as a size and asserts the result. */
static void size_is(const char *s, int64_t want)
{
	int64_t got = -1;
	int rc = units_parse_size(s, &got, why, sizeof(why));

	ck_assert_msg(rc == 0, "units_parse_size(\"%s\") failed: %d (%s)", s, rc, why);
	ck_assert_msg(got == want, "units_parse_size(\"%s\") = %lld, want %lld", s,
		      (long long)got, (long long)want);
}

static void size_fails(const char *s, int want_rc)
{
	int64_t got = 0;
	int rc;

	why[0] = '\0';
	rc = units_parse_size(s, &got, why, sizeof(why));
	if (want_rc)
		ck_assert_msg(rc == want_rc, "units_parse_size(\"%s\") = %d, want %d", s, rc,
			      want_rc);
	else
		ck_assert_msg(rc < 0, "units_parse_size(\"%s\") accepted as %lld", s,
			      (long long)got);
	ck_assert_msg(why[0] != '\0', "no message for \"%s\"", s);
}

static void duration_is(const char *s, int64_t want)
{
	int64_t got = -1;
	int rc = units_parse_duration(s, &got, why, sizeof(why));

	ck_assert_msg(rc == 0, "units_parse_duration(\"%s\") failed: %d (%s)", s, rc, why);
	ck_assert_msg(got == want, "units_parse_duration(\"%s\") = %lld, want %lld", s,
		      (long long)got, (long long)want);
}

static void duration_fails(const char *s, int want_rc)
{
	int64_t got = 0;
	int rc = units_parse_duration(s, &got, why, sizeof(why));

	if (want_rc)
		ck_assert_msg(rc == want_rc, "units_parse_duration(\"%s\") = %d, want %d", s, rc,
			      want_rc);
	else
		ck_assert_msg(rc < 0, "units_parse_duration(\"%s\") accepted as %lld", s,
			      (long long)got);
}

typedef int parse_dbl_fn(const char *s, double *v, char *why, size_t n);

/* Parses s with parse and asserts the result within a relative 1e-12. */
static void dbl_is(parse_dbl_fn *parse, const char *s, double want)
{
	double got = -1.0;
	int rc = parse(s, &got, why, sizeof(why));

	ck_assert_msg(rc == 0, "parsing \"%s\" failed: %d (%s)", s, rc, why);
	ck_assert_msg(got - want <= 1e-12 * want && want - got <= 1e-12 * want,
		      "parsing \"%s\" gave %.17g, want %.17g", s, got, want);
}

static void dbl_fails(parse_dbl_fn *parse, const char *s, int want_rc)
{
	double got = 0.0;
	int rc = parse(s, &got, why, sizeof(why));

	if (want_rc)
		ck_assert_msg(rc == want_rc, "parsing \"%s\" = %d, want %d", s, rc, want_rc);
	else
		ck_assert_msg(rc < 0, "\"%s\" was accepted as %g", s, got);
}

/* --- sizes ------------------------------------------------------------ */

START_TEST(size_binary_suffixes_are_powers_of_two)
{
	size_is("1KiB", 1024);
	size_is("1.5GiB", 1610612736);         /* 1.5 * 2^30 */
	size_is("1MiB", 1048576);
	size_is("2TiB", 2199023255552);        /* 2 * 2^40 */
	size_is("1PiB", 1125899906842624);     /* 2^50 */
	size_is("2PB", 2000000000000000);      /* 2 * 10^15 */
	size_is("3B", 3);
}
END_TEST

START_TEST(size_decimal_suffixes_are_powers_of_ten)
{
	size_is("4KB", 4000);
	size_is("2GB", 2000000000);
	size_is("3MB", 3000000);
	size_is("1TB", 1000000000000);
}
END_TEST

START_TEST(size_bare_number_is_bytes)
{
	size_is("512", 512);
	size_is("0", 0);
}
END_TEST

START_TEST(size_suffixes_are_case_sensitive_and_closed)
{
	size_fails("4 GIB", -SIM_EUNIT);
	size_fails("4Gb", -SIM_EUNIT);
	size_fails("4XB", -SIM_EUNIT);
	size_fails("4kib", -SIM_EUNIT);
	size_fails("4GiBs", -SIM_EUNIT);
}
END_TEST

START_TEST(size_negative_is_erange)
{
	size_fails("-1", -SIM_ERANGE);
	size_fails("-1KiB", -SIM_ERANGE);
}
END_TEST

START_TEST(size_beyond_int64_is_erange)
{
	size_fails("9999999TiB", -SIM_ERANGE);
	size_fails("100000000000000000000", -SIM_ERANGE);
	/* 2^23 TiB is exactly 2^63 bytes, one past INT64_MAX; one TiB less fits. */
	size_fails("8388608TiB", -SIM_ERANGE);
	size_is("8388607TiB", 9223370937343148032);
}
END_TEST

START_TEST(size_rejects_non_decimal_numbers)
{
	size_fails("inf", 0);
	size_fails("nan", 0);
	size_fails("0x10", 0);
	size_fails("", 0);
	size_fails("GiB", 0);
	size_fails("-", 0);
	size_fails("1e400", 0);
}
END_TEST

/* --- durations -------------------------------------------------------- */

START_TEST(duration_units_scale_to_nanoseconds)
{
	duration_is("1ns", 1);
	duration_is("1us", 1000);
	duration_is("1ms", 1000000);
	duration_is("250ms", 250000000);
	duration_is("1s", 1000000000);
	duration_is("1m", 60000000000);
	duration_is("1h", 3600000000000);
	duration_is("1d", 86400000000000);
	duration_is("1.5h", 5400000000000);    /* 90 minutes */
}
END_TEST

START_TEST(duration_zero_needs_no_unit)
{
	duration_is("0", 0);
	duration_is("0s", 0);
}
END_TEST

START_TEST(duration_nonzero_needs_a_unit)
{
	duration_fails("10", -SIM_EUNIT);
	duration_fails("10x", -SIM_EUNIT);
	duration_fails("10 sec", -SIM_EUNIT);
	duration_fails("10S", -SIM_EUNIT);
}
END_TEST

START_TEST(duration_beyond_int64_ns_is_erange)
{
	duration_fails("300000d", -SIM_ERANGE);
	/* INT64_MAX ns is 106751.99 days. */
	duration_fails("106752d", -SIM_ERANGE);
	duration_is("106751d", 9223286400000000000);
	duration_fails("-1s", -SIM_ERANGE);
}
END_TEST

START_TEST(duration_rejects_non_decimal_numbers)
{
	duration_fails("inf", 0);
	duration_fails("nans", 0);
	duration_fails("0x10s", 0);
	duration_fails("", 0);
	duration_fails("s", 0);
}
END_TEST

/* --- rates, bandwidths, fractions, plain numbers ---------------------- */

START_TEST(rate_units_scale_to_per_second)
{
	dbl_is(units_parse_rate, "200k/s", 200000.0);
	dbl_is(units_parse_rate, "20/h", 20.0 / 3600.0);
	dbl_is(units_parse_rate, "5/m", 5.0 / 60.0);
	dbl_is(units_parse_rate, "3/s", 3.0);
	dbl_is(units_parse_rate, "2M/d", 2e6 / 86400.0);
	dbl_is(units_parse_rate, "7", 7.0);
}
END_TEST

START_TEST(rate_bad_unit_is_eunit)
{
	dbl_fails(units_parse_rate, "5/x", -SIM_EUNIT);
	dbl_fails(units_parse_rate, "5/", -SIM_EUNIT);
	dbl_fails(units_parse_rate, "5/sec", -SIM_EUNIT);
	dbl_fails(units_parse_rate, "5 per s", -SIM_EUNIT);
	dbl_fails(units_parse_rate, "-1/s", 0);
	dbl_fails(units_parse_rate, "inf/s", 0);
}
END_TEST

START_TEST(bandwidth_is_a_size_per_second)
{
	dbl_is(units_parse_bandwidth, "2GB/s", 2e9);
	dbl_is(units_parse_bandwidth, "500MiB/s", 524288000.0);     /* 500 * 2^20 */
	dbl_is(units_parse_bandwidth, "1KiB/s", 1024.0);
}
END_TEST

START_TEST(bandwidth_needs_a_size_per_second)
{
	dbl_fails(units_parse_bandwidth, "2GB", -SIM_EUNIT);
	dbl_fails(units_parse_bandwidth, "2GB/h", -SIM_EUNIT);
	dbl_fails(units_parse_bandwidth, "2Gb/s", -SIM_EUNIT);
	dbl_fails(units_parse_bandwidth, "-2GB/s", 0);
}
END_TEST

START_TEST(fraction_is_percent_or_plain)
{
	dbl_is(units_parse_fraction, "75%", 0.75);
	dbl_is(units_parse_fraction, "12.5%", 0.125);
	dbl_is(units_parse_fraction, "100%", 1.0);
	dbl_is(units_parse_fraction, "0.25", 0.25);
}
END_TEST

START_TEST(fraction_rejects_words)
{
	dbl_fails(units_parse_fraction, "75 percent", 0);
	dbl_fails(units_parse_fraction, "75%%", 0);
	dbl_fails(units_parse_fraction, "nan", 0);
	dbl_fails(units_parse_fraction, "", 0);
}
END_TEST

START_TEST(number_is_plain_decimal)
{
	dbl_is(units_parse_number, "1e3", 1000.0);
	dbl_is(units_parse_number, "2.5", 2.5);
	dbl_fails(units_parse_number, "inf", 0);
	dbl_fails(units_parse_number, "nan", 0);
	dbl_fails(units_parse_number, "0x10", 0);
	dbl_fails(units_parse_number, "1.5x", 0);
	dbl_fails(units_parse_number, "", 0);
}
END_TEST

/* --- whole numbers ---------------------------------------------------- */

START_TEST(int_holds_exactly_the_int64_range)
{
	int64_t v = 0;

	ck_assert_int_eq(units_parse_int("42", &v, why, sizeof(why)), 0);
	ck_assert_int_eq(v, 42);
	ck_assert_int_eq(units_parse_int("9223372036854775807", &v, why, sizeof(why)), 0);
	ck_assert(v == INT64_MAX);
	ck_assert_int_eq(units_parse_int("-9223372036854775808", &v, why, sizeof(why)), 0);
	ck_assert(v == INT64_MIN);
	ck_assert_int_eq(units_parse_int("9223372036854775808", &v, why, sizeof(why)),
			 -SIM_ERANGE);
	ck_assert_int_eq(units_parse_int("-9223372036854775809", &v, why, sizeof(why)),
			 -SIM_ERANGE);
	ck_assert_int_eq(units_parse_int("100000000000000000000", &v, why, sizeof(why)),
			 -SIM_ERANGE);
}
END_TEST

START_TEST(int_rejects_fractions_and_trailing_text)
{
	int64_t v = 0;

	ck_assert_int_lt(units_parse_int("1.5", &v, why, sizeof(why)), 0);
	ck_assert_int_lt(units_parse_int("1e3", &v, why, sizeof(why)), 0);
	ck_assert_int_lt(units_parse_int("12abc", &v, why, sizeof(why)), 0);
	ck_assert_int_lt(units_parse_int("0x10", &v, why, sizeof(why)), 0);
	ck_assert_int_lt(units_parse_int("", &v, why, sizeof(why)), 0);
	ck_assert_int_lt(units_parse_int("-", &v, why, sizeof(why)), 0);
}
END_TEST

/* --- formatting ------------------------------------------------------- */

START_TEST(format_size_picks_the_largest_binary_unit)
{
	char buf[32];

	ck_assert_str_eq(units_format_size(0, buf, sizeof(buf)), "0 B");
	ck_assert_str_eq(units_format_size(512, buf, sizeof(buf)), "512 B");
	ck_assert_str_eq(units_format_size(1023, buf, sizeof(buf)), "1023 B");
	ck_assert_str_eq(units_format_size(1024, buf, sizeof(buf)), "1.0 KiB");
	ck_assert_str_eq(units_format_size(1610612736, buf, sizeof(buf)), "1.5 GiB");
	ck_assert_str_eq(units_format_size(1099511627776, buf, sizeof(buf)), "1.0 TiB");
	ck_assert_ptr_eq(units_format_size(1, buf, sizeof(buf)), buf);
}
END_TEST

START_TEST(format_duration_picks_the_largest_exact_unit)
{
	char buf[32];

	ck_assert_str_eq(units_format_duration(0, buf, sizeof(buf)), "0s");
	ck_assert_str_eq(units_format_duration(1, buf, sizeof(buf)), "1ns");
	ck_assert_str_eq(units_format_duration(2000000, buf, sizeof(buf)), "2ms");
	ck_assert_str_eq(units_format_duration(90000000000, buf, sizeof(buf)), "90s");
	ck_assert_str_eq(units_format_duration(21600000000000, buf, sizeof(buf)), "6h");
	ck_assert_str_eq(units_format_duration(86400000000000, buf, sizeof(buf)), "1d");
	ck_assert_str_eq(units_format_duration(129600000000000, buf, sizeof(buf)), "36h");
}
END_TEST

START_TEST(formatted_duration_parses_back)
{
	static const int64_t ns[] = {
		1, 999, 1000, 1500000, 2000000000, 90000000000, 5400000000000, 86400000000000,
		9223286400000000000,
	};
	char buf[32];
	size_t i;

	for (i = 0; i < sizeof(ns) / sizeof(ns[0]); i++)
		duration_is(units_format_duration(ns[i], buf, sizeof(buf)), ns[i]);
}
END_TEST

/*
 * Regressions: each of these once failed.
 * The unit multiplier is applied after read_number's finiteness check, so a finite
 * number times k/M/G or a size unit overflows to +inf and is returned as success.
 */
START_TEST(once_broken_rate_overflowing_to_inf_is_erange)
{
	dbl_fails(units_parse_rate, "1e308k/s", -SIM_ERANGE);
	dbl_fails(units_parse_bandwidth, "1e308TB/s", -SIM_ERANGE);
}
END_TEST

/* units.h promises "1.5s" for 1.5 seconds; the formatter only uses whole units. */
/* Bare numbers go through a double, so whole numbers above 2^53 lose their low bits. */
START_TEST(once_broken_size_keeps_every_digit_of_a_whole_number)
{
	size_is("9007199254740993", 9007199254740993);         /* 2^53 + 1 */
}
END_TEST

Suite *units_suite(void)
{
	Suite *s = suite_create("units");
	TCase *tc = tcase_create("size");

	tcase_add_test(tc, size_binary_suffixes_are_powers_of_two);
	tcase_add_test(tc, size_decimal_suffixes_are_powers_of_ten);
	tcase_add_test(tc, size_bare_number_is_bytes);
	tcase_add_test(tc, size_suffixes_are_case_sensitive_and_closed);
	tcase_add_test(tc, size_negative_is_erange);
	tcase_add_test(tc, size_beyond_int64_is_erange);
	tcase_add_test(tc, size_rejects_non_decimal_numbers);
	suite_add_tcase(s, tc);

	tc = tcase_create("duration");
	tcase_add_test(tc, duration_units_scale_to_nanoseconds);
	tcase_add_test(tc, duration_zero_needs_no_unit);
	tcase_add_test(tc, duration_nonzero_needs_a_unit);
	tcase_add_test(tc, duration_beyond_int64_ns_is_erange);
	tcase_add_test(tc, duration_rejects_non_decimal_numbers);
	suite_add_tcase(s, tc);

	tc = tcase_create("real");
	tcase_add_test(tc, rate_units_scale_to_per_second);
	tcase_add_test(tc, rate_bad_unit_is_eunit);
	tcase_add_test(tc, bandwidth_is_a_size_per_second);
	tcase_add_test(tc, bandwidth_needs_a_size_per_second);
	tcase_add_test(tc, fraction_is_percent_or_plain);
	tcase_add_test(tc, fraction_rejects_words);
	tcase_add_test(tc, number_is_plain_decimal);
	tcase_add_test(tc, int_holds_exactly_the_int64_range);
	tcase_add_test(tc, int_rejects_fractions_and_trailing_text);
	suite_add_tcase(s, tc);

	tc = tcase_create("format");
	tcase_add_test(tc, format_size_picks_the_largest_binary_unit);
	tcase_add_test(tc, format_duration_picks_the_largest_exact_unit);
	tcase_add_test(tc, formatted_duration_parses_back);
	suite_add_tcase(s, tc);

	tc = tcase_create("regressions");
	tcase_add_test(tc, once_broken_rate_overflowing_to_inf_is_erange);
	tcase_add_test(tc, once_broken_size_keeps_every_digit_of_a_whole_number);
	suite_add_tcase(s, tc);
	return s;
}
