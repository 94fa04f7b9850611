/*
 * check_xmem.c - the aborting allocators of sim/xmem.c: growth keeps what
 * was there, and copies are exact.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "xmem.h"

START_TEST(xgrow_doubles_until_it_fits_and_keeps_the_content)
{
	int *a = NULL;
	size_t cap = 0, i;

	for (i = 0; i < 1000; i++) {
		XGROW(a, cap, i + 1);
		a[i] = (int)i * 3;
	}
	/* From 8, doubling: the first power-of-two multiple of 8 >= 1000. */
	ck_assert_uint_eq(cap, 1024);
	for (i = 0; i < 1000; i++)
		ck_assert_int_eq(a[i], (int)i * 3);
	free(a);
}
END_TEST

START_TEST(xstrdup_copies_and_xcalloc_zeroes)
{
	char *s = xstrdup("memsim");
	unsigned char *z = xcalloc(64, 4);
	size_t i;

	ck_assert_str_eq(s, "memsim");
	for (i = 0; i < 256; i++)
		ck_assert_uint_eq(z[i], 0);
	free(s);
	free(z);
}
END_TEST

Suite *xmem_suite(void)
{
	Suite *s = suite_create("xmem");
	TCase *tc = tcase_create("alloc");

	tcase_add_test(tc, xgrow_doubles_until_it_fits_and_keeps_the_content);
	tcase_add_test(tc, xstrdup_copies_and_xcalloc_zeroes);
	suite_add_tcase(s, tc);
	return s;
}
