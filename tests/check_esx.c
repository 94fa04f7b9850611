/*
 * check_esx.c - ESXi's MinFree sliding scale and state thresholds
 * (policies/esx.c), against the arithmetic of MECHANISMS.md 1.5 worked by
 * hand in MB: 6% of the first 4 GB, 4% of 4-12 GB, 2% of 12-28 GB, 1% above.
 */
#include <check.h>
#include <math.h>

#include "esx.h"
#include "suites.h"

#define MB (1024.0 * 1024)
#define GB (1024LL * 1024 * 1024)

/* Within 16 bytes of the hand-computed MB figure (each band's integer
 * division rounds down by under a byte; thresholds multiply that by 4). */
static void assert_mb(int64_t bytes, double mb)
{
	ck_assert_msg(fabs((double)bytes - mb * MB) < 16.0, "%lld bytes, expected %.4f MB",
		      (long long)bytes, mb);
}

START_TEST(min_free_follows_the_sliding_scale)
{
	/* 4 GB: 0.06 * 4096 */
	assert_mb(esx_min_free_bytes(4 * GB), 245.76);
	/* 12 GB: 245.76 + 0.04 * 8192 */
	assert_mb(esx_min_free_bytes(12 * GB), 245.76 + 327.68);
	/* 28 GB: + 0.02 * 16384 = 901.12 (the "899 MB" of vSphere 6 write-ups,
	 * which round the bands) */
	assert_mb(esx_min_free_bytes(28 * GB), 901.12);
	/* 128 GB: + 0.01 * 102400 = 1925.12 (MECHANISMS.md: 1925 MB) */
	assert_mb(esx_min_free_bytes(128 * GB), 1925.12);
	/* 1024 GB: 899.84 + 0.01 * 1019904 */
	assert_mb(esx_min_free_bytes(1024 * GB), 901.12 + 10199.04);
	/* Inside a band: 2 GB is 6% of 2048 MB. */
	assert_mb(esx_min_free_bytes(2 * GB), 122.88);
	ck_assert_int_eq(esx_min_free_bytes(0), 0);
}
END_TEST

START_TEST(state_thresholds_are_shares_of_min_free)
{
	/* A 128 GB host (MECHANISMS.md 1.5): high 7.7 GB, soft 1232 MB,
	 * hard 616 MB, low 308 MB. */
	int64_t mf = esx_min_free_bytes(128 * GB);

	assert_mb(esx_state_threshold_bytes(mf, PRESSURE_HIGH), 4 * 1925.12);
	assert_mb(esx_state_threshold_bytes(mf, PRESSURE_CLEAR), 1925.12);
	assert_mb(esx_state_threshold_bytes(mf, PRESSURE_SOFT), 0.64 * 1925.12);
	assert_mb(esx_state_threshold_bytes(mf, PRESSURE_HARD), 0.32 * 1925.12);
	assert_mb(esx_state_threshold_bytes(mf, PRESSURE_LOW), 0.16 * 1925.12);
	ck_assert(fabs(0.64 * 1925.12 - 1232) < 1 && fabs(0.16 * 1925.12 - 308) < 1);
}
END_TEST

START_TEST(min_free_does_not_overflow_at_the_top)
{
	int64_t mf = esx_min_free_bytes(INT64_MAX);

	/* About 1% of 8 EiB. */
	ck_assert(mf > INT64_MAX / 101 && mf < INT64_MAX / 99);
	ck_assert(esx_state_threshold_bytes(mf, PRESSURE_HIGH) > mf);
}
END_TEST

Suite *esx_suite(void)
{
	Suite *s = suite_create("esx");
	TCase *tc = tcase_create("min_free");

	tcase_add_test(tc, min_free_follows_the_sliding_scale);
	tcase_add_test(tc, state_thresholds_are_shares_of_min_free);
	tcase_add_test(tc, min_free_does_not_overflow_at_the_top);
	suite_add_tcase(s, tc);
	return s;
}
