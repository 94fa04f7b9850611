/*
 * check_xmem.c - the allocators of sim/xmem.c: growth keeps what was
 * there, copies are exact, failure exits 1, and the budget sees limits.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

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

/* AddressSanitizer's allocator aborts on an impossible size and cannot run
 * under an address-space limit, so these two run only without it. */
#if defined(__SANITIZE_ADDRESS__)
#define XMEM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define XMEM_ASAN 1
#endif
#endif

#ifndef XMEM_ASAN
/* Running out of memory exits with status 1 (the exit test), not an abort. */
START_TEST(an_allocation_that_cannot_be_had_exits_1)
{
	void *p = xmalloc(SIZE_MAX / 2);

	free(p);
}
END_TEST

/* Under a 1 GiB address-space limit, at most 1 GiB less what is mapped. */
START_TEST(the_budget_respects_the_address_space_limit)
{
	struct rlimit rl = {.rlim_cur = 1UL << 30, .rlim_max = 1UL << 30};
	const char *what;
	double b;

	ck_assert_int_eq(setrlimit(RLIMIT_AS, &rl), 0);
	b = xmem_budget(&what);
	ck_assert_msg(b >= 0 && b < (double)(1UL << 30), "budget %g", b);
	ck_assert_str_eq(what, "the address-space limit (ulimit -v)");
}
END_TEST
#endif

Suite *xmem_suite(void)
{
	Suite *s = suite_create("xmem");
	TCase *tc = tcase_create("alloc");

	tcase_add_test(tc, xgrow_doubles_until_it_fits_and_keeps_the_content);
	tcase_add_test(tc, xstrdup_copies_and_xcalloc_zeroes);
#ifndef XMEM_ASAN
	tcase_add_exit_test(tc, an_allocation_that_cannot_be_had_exits_1, 1);
	tcase_add_test(tc, the_budget_respects_the_address_space_limit);
#endif
	suite_add_tcase(s, tc);
	return s;
}
