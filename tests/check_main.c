/*
 * check_main.c - runs every suite listed in suites.def in one SRunner.
 * CK_RUN_SUITE=name in the environment runs just that suite (Check's own).
 */
#include <check.h>
#include <stdlib.h>

#include "suites.h"

int main(void)
{
	SRunner *sr = srunner_create(NULL);
	int failed;

#define SUITE(stem) srunner_add_suite(sr, stem##_suite());
#include "suites.def"
#undef SUITE
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
