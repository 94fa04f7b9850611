/*
 * check_jsonfile.c - analysis/jsonfile.c: a good file parses; a bad one is
 * refused at the line and column where the parser stopped.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "jsonfile.h"
#include "suites.h"

static const char *put(const char *text)
{
	static char path[] = "/tmp/memsim-check-json-XXXXXX";
	int fd;
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/memsim-check-json-XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

START_TEST(a_good_file_parses)
{
	struct sim_err err = {0};
	const char *p = put("{\"a\": [1, 2, 3]}\n");
	cJSON *doc = jsonfile_load(p, &err);

	ck_assert_ptr_nonnull(doc);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "a")), 3);
	cJSON_Delete(doc);
	unlink(p);
}
END_TEST

START_TEST(a_bad_file_is_refused_where_the_parser_stopped)
{
	struct sim_err err = {0};
	/* Line 3 is "  x: 2": the bad key x is column 3, and cJSON stops on it
	 * or just past it. */
	const char *p = put("{\n  \"a\": 1,\n  x: 2\n}\n");

	ck_assert_ptr_null(jsonfile_load(p, &err));
	ck_assert_int_eq(err.code, -SIM_ESYNTAX);
	ck_assert_uint_eq(err.line, 3);
	ck_assert_uint_ge(err.col, 3);
	ck_assert_uint_le(err.col, 4);
	unlink(p);
	ck_assert_ptr_null(jsonfile_load("/nonexistent/x.json", &err));
	ck_assert_int_eq(err.code, -SIM_EIO);
}
END_TEST

Suite *jsonfile_suite(void)
{
	Suite *s = suite_create("jsonfile");
	TCase *tc = tcase_create("load");

	tcase_add_test(tc, a_good_file_parses);
	tcase_add_test(tc, a_bad_file_is_refused_where_the_parser_stopped);
	suite_add_tcase(s, tc);
	return s;
}
