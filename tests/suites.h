/*
 * suites.h - declares every suite listed in suites.def.
 */
#ifndef SUITES_H
#define SUITES_H

#include <check.h>

#define SUITE(stem) Suite *stem##_suite(void);
#include "suites.def"
#undef SUITE

#endif /* SUITES_H */
