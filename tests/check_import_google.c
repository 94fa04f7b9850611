/*
 * tests/check_import_google.c - `memsim import google-derived` on the
 * fixture folder tests/data/import/google-derived (three vm_<job>_1 files in
 * the set's own format) and, when present, on the 60 GCD_VMs files in
 * ../shared/traces (or $MEMSIM_TRACES): counts, the samples above 100%
 * clamped, exact points worked out by hand from the lines quoted below
 * (memory % x 4 GiB / 100), the YAML read back by memsim's own loader, and
 * broken inputs refused with located messages.
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cfg.h"
#include "import.h"
#include "import_rig.h"
#include "suites.h"
#include "trace.h"

#define S (1000000000LL)                /* ns per second */
#define GIB4 (4LL << 30)                /* the documented VM size */

static struct rig_import im;

/* A file of the derived set, or the set's folder for "". */
static const char *gcd_path(const char *file)
{
	static char buf[2][512];
	static int k;
	char *p = buf[k++ % 2];

	snprintf(p, sizeof(buf[0]), "%s%s%s", rig_trace_path("google-2011-derived/GCD_VMs"),
		 *file ? "/" : "", file);
	return p;
}

static int import_paths(const char *const *paths, size_t n)
{
	im.opts.seed = 1;
	return rig_import(&im, import_google_derived, "google-derived", paths, n);
}

static int import_one(const char *path)
{
	return import_paths(&path, 1);
}

/* Imports path, which must succeed, and reads the text back through the loader. */
static void import_and_load(const char *path)
{
	import_one(path);
	rig_import_load(&im);
}

static void setup(void)
{
	memset(&im, 0, sizeof(im));
}

static void teardown(void)
{
	rig_import_release(&im);
}

START_TEST(folder_counts_and_the_one_clamp)
{
	size_t i;

	import_and_load(gcd_path(""));
	ck_assert_uint_eq(im.out.rep.files, 60);
	ck_assert_uint_eq(im.out.rep.rows, 60 * 288);
	ck_assert_uint_eq(im.out.rep.vms, 60);
	ck_assert_uint_eq(im.trace.n_vms, 60);
	/* vm_259235987_1 line 261: "38.35000000000001 118.46000000000001". */
	ck_assert_uint_eq(rig_note(&im, "above 100%"), 1);
	/* Byte order of the file names: ..._2509801316_1 before ..._259235987_1. */
	ck_assert_str_eq(im.trace.vms[0].name, "g-1218322450");
	ck_assert_str_eq(im.trace.vms[7].name, "g-2509801316");
	ck_assert_str_eq(im.trace.vms[8].name, "g-259235987");
	ck_assert_str_eq(im.trace.vms[59].name, "g-5045115512");
	for (i = 0; i < im.trace.n_vms; i++) {
		const struct vm_spec *v = &im.trace.vms[i];

		ck_assert_int_eq(v->memory_bytes, GIB4);
		ck_assert_int_eq(v->arrive_ns, 0);
		ck_assert_int_eq(v->depart_ns, 288 * 300 * S);
		ck_assert_uint_eq(v->n_phases, 288);
		ck_assert_int_eq(v->phases[287].at_ns, 287 * 300 * S);
	}
}
END_TEST

START_TEST(points_are_memory_percent_of_4gib)
{
	const struct vm_spec *v;

	import_and_load(gcd_path(""));
	v = rig_vm(&im, "g-1218322450");
	/* Line 1 "6.763 5.103": 5.103 x 42949672.96 = 219172181.11. */
	ck_assert_int_eq(v->phases[0].at_ns, 0);
	ck_assert_int_eq(v->phases[0].ws_bytes, 219172181);
	/* Line 2 "7.288 5.139": 220718368.84. */
	ck_assert_int_eq(v->phases[1].at_ns, 300 * S);
	ck_assert_int_eq(v->phases[1].ws_bytes, 220718369);
	/* Line 3 "7.117 5.1209999999999996": 219945275.03. */
	ck_assert_int_eq(v->phases[2].at_ns, 600 * S);
	ck_assert_int_eq(v->phases[2].ws_bytes, 219945275);
	/* Line 288 "9.216000000000001 6.177": 265300129.87. */
	ck_assert_int_eq(v->phases[287].ws_bytes, 265300130);
	ck_assert_ptr_nonnull(strstr(im.text, "name: \"g-1218322450\"\n    memory: 4294967296\n"
					      "    arrive: 0s\n    depart: 1d\n"
					      "    working_set_series: [[0s, 219172181], "
					      "[5m, 220718369], [10m, 219945275],"));
}
END_TEST

START_TEST(sample_above_100_percent_is_clamped)
{
	const struct vm_spec *v;

	/* One file given by name, not the folder. */
	import_and_load(gcd_path("vm_259235987_1"));
	ck_assert_uint_eq(im.out.rep.files, 1);
	ck_assert_uint_eq(im.out.rep.rows, 288);
	ck_assert_uint_eq(rig_note(&im, "above 100%"), 1);
	v = rig_vm(&im, "g-259235987");
	/* Line 260 "10.27 29.69": 1275175789.9. */
	ck_assert_int_eq(v->phases[259].at_ns, 259 * 300 * S);
	ck_assert_int_eq(v->phases[259].ws_bytes, 1275175790);
	/* Line 261: 118.46% clamped to the whole 4 GiB. */
	ck_assert_int_eq(v->phases[260].at_ns, 260 * 300 * S);
	ck_assert_int_eq(v->phases[260].ws_bytes, GIB4);
	/* Line 262 "10.66 29.439999999999998": 1264438371.9. */
	ck_assert_int_eq(v->phases[261].ws_bytes, 1264438372);
}
END_TEST

/*
 * The fixture folder: vm_17_1 (3 lines), vm_2093_1 (4), vm_3_1 (2) in byte
 * order, and a README that a folder import skips.
 */
START_TEST(fixture_counts_and_the_one_clamp)
{
	import_and_load(rig_fixture_path("google-derived"));
	ck_assert_uint_eq(im.out.rep.files, 3);
	ck_assert_uint_eq(im.out.rep.rows, 3 + 4 + 2);
	ck_assert_uint_eq(im.trace.n_vms, 3);
	ck_assert_str_eq(im.trace.vms[0].name, "g-17");
	ck_assert_str_eq(im.trace.vms[1].name, "g-2093");
	ck_assert_str_eq(im.trace.vms[2].name, "g-3");
	/* vm_2093_1 line 1, "38.35000000000001 118.46000000000001"; line 4's
	 * 100 is not above 100%. */
	ck_assert_uint_eq(rig_note(&im, "above 100%"), 1);
	/* Every VM is 4 GiB, from 0 to lines x 300 s. */
	ck_assert_int_eq(rig_vm(&im, "g-17")->memory_bytes, GIB4);
	ck_assert_int_eq(rig_vm(&im, "g-17")->depart_ns, 900 * S);
	ck_assert_int_eq(rig_vm(&im, "g-2093")->depart_ns, 1200 * S);
	ck_assert_int_eq(rig_vm(&im, "g-3")->arrive_ns, 0);
	ck_assert_int_eq(rig_vm(&im, "g-3")->depart_ns, 600 * S);
}
END_TEST

START_TEST(fixture_points_are_memory_percent_of_4gib)
{
	const struct vm_spec *v;

	import_and_load(rig_fixture_path("google-derived"));
	/* vm_17_1: 25%, 50% and 12.5% of 4 GiB, at 0, 300 and 600 s. */
	v = rig_vm(&im, "g-17");
	ck_assert_uint_eq(v->n_phases, 3);
	ck_assert_int_eq(v->phases[0].ws_bytes, 1LL << 30);
	ck_assert_int_eq(v->phases[1].at_ns, 300 * S);
	ck_assert_int_eq(v->phases[1].ws_bytes, 2LL << 30);
	ck_assert_int_eq(v->phases[2].at_ns, 600 * S);
	ck_assert_int_eq(v->phases[2].ws_bytes, 512LL << 20);
	/* vm_2093_1: 118.46% clamped to 4 GiB; 37.500000000000004% is 3 GiB / 2
	 * (the 4e-15 is 2e-7 bytes); 6.25% is 256 MiB; 100% is 4 GiB. */
	v = rig_vm(&im, "g-2093");
	ck_assert_int_eq(v->phases[0].ws_bytes, GIB4);
	ck_assert_int_eq(v->phases[1].ws_bytes, 1536LL << 20);
	ck_assert_int_eq(v->phases[2].ws_bytes, 256LL << 20);
	ck_assert_int_eq(v->phases[3].at_ns, 900 * S);
	ck_assert_int_eq(v->phases[3].ws_bytes, GIB4);
	/* vm_3_1: 0%, then 1e1% = 429496729.6 B. */
	v = rig_vm(&im, "g-3");
	ck_assert_int_eq(v->phases[0].ws_bytes, 0);
	ck_assert_int_eq(v->phases[1].ws_bytes, 429496730);
	ck_assert_ptr_nonnull(strstr(im.text, "name: \"g-17\"\n    memory: 4294967296\n"
					      "    arrive: 0s\n    depart: 15m\n"
					      "    working_set_series: [[0s, 1073741824], "
					      "[5m, 2147483648], [10m, 536870912]]"));
}
END_TEST

START_TEST(fixture_file_by_name)
{
	import_and_load(rig_fixture_path("google-derived/vm_2093_1"));
	ck_assert_uint_eq(im.out.rep.files, 1);
	ck_assert_uint_eq(im.out.rep.rows, 4);
	ck_assert_uint_eq(im.trace.n_vms, 1);
	ck_assert_uint_eq(rig_note(&im, "above 100%"), 1);
}
END_TEST

START_TEST(names_keep_the_job_id)
{
	char path[128];

	rig_put_text("names/vm_42_3", "1 50\n2 25\n");
	rig_put_text("names/vm_7", "1 100\n");
	rig_put_text("names/other", "not read: only vm_* files are\n");
	snprintf(path, sizeof(path), "%s/names", rig_dir());
	import_and_load(path);
	ck_assert_uint_eq(im.out.rep.files, 2);
	ck_assert_uint_eq(im.trace.n_vms, 2);
	ck_assert_int_eq(rig_vm(&im, "g-42")->depart_ns, 600 * S);
	ck_assert_int_eq(rig_vm(&im, "g-42")->phases[0].ws_bytes, 2LL << 30);
	ck_assert_int_eq(rig_vm(&im, "g-42")->phases[1].ws_bytes, 1LL << 30);
	ck_assert_int_eq(rig_vm(&im, "g-7")->depart_ns, 300 * S);
	ck_assert_int_eq(rig_vm(&im, "g-7")->phases[0].ws_bytes, GIB4);
	ck_assert_uint_eq(rig_note(&im, "above 100%"), 0);
	/* A file given by name need not be called vm_*. */
	teardown();
	setup();
	rig_put_text("names/job.txt", "1 1e1\n");
	snprintf(path, sizeof(path), "%s/names/job.txt", rig_dir());
	import_and_load(path);
	ck_assert_int_eq(rig_vm(&im, "g-job.txt")->phases[0].ws_bytes, GIB4 / 10 + 1);
}
END_TEST

static void assert_refused(int code, const char *file, unsigned line, unsigned col,
			   const char *part)
{
	ck_assert_int_eq(im.rc, code);
	ck_assert_int_eq(im.err.code, code);
	ck_assert_str_eq(im.err.file, file);
	ck_assert_uint_eq(im.err.line, line);
	ck_assert_uint_eq(im.err.col, col);
	ck_assert_msg(strstr(im.err.msg, part), "message '%s' lacks '%s'", im.err.msg, part);
}

START_TEST(wrong_number_of_fields_is_located)
{
	const char *p = rig_put_text("vm_1_1", "6.7 5.1\n6.8 5.2 9\n");

	import_one(p);
	/* "6.8 5.2 " is 8 columns: the third field is at 9. */
	assert_refused(-SIM_EINVAL, p, 2, 9, "3 fields, expected 2");
	p = rig_put_text("vm_2_1", "6.7 5.1\n\n6.8\n");
	import_one(p);
	/* A blank line is skipped but counted: the short line is line 3. */
	assert_refused(-SIM_EINVAL, p, 3, 1, "1 fields, expected 2");
}
END_TEST

START_TEST(non_numeric_field_is_located)
{
	const char *p = rig_put_text("vm_3_1", "6.7 5.1\n6.8  5,2\n");

	import_one(p);
	/* Two blanks: the memory field starts at column 6. */
	assert_refused(-SIM_EINVAL, p, 2, 6, "'5,2' is not a number");
	p = rig_put_text("vm_4_1", "6.7 -5.1\n");
	import_one(p);
	assert_refused(-SIM_ERANGE, p, 1, 5, "negative memory utilization");
}
END_TEST

START_TEST(binary_file_is_refused)
{
	static const char gz[] = "\x1f\x8b\x08\0\0\0\0\0\0\x03";
	const char *p = rig_put("vm_5_1", gz, sizeof(gz));

	import_one(p);
	assert_refused(-SIM_EINVAL, p, 1, 4, "not a text file");
}
END_TEST

START_TEST(empty_file_is_refused)
{
	const char *p = rig_put_text("vm_6_1", "");

	import_one(p);
	assert_refused(-SIM_EINVAL, p, 0, 0, "empty file");
	p = rig_put_text("vm_8_1", "\n  \n");
	import_one(p);
	assert_refused(-SIM_EINVAL, p, 0, 0, "empty file");
}
END_TEST

START_TEST(missing_path_is_refused)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/vm_missing_1", rig_dir());
	import_one(path);
	assert_refused(-SIM_EIO, path, 0, 0, "cannot open: No such file or directory");
}
END_TEST

START_TEST(folder_without_vm_files_is_refused)
{
	char path[128];

	rig_put_text("novm/readme", "nothing here\n");
	snprintf(path, sizeof(path), "%s/novm", rig_dir());
	import_one(path);
	assert_refused(-SIM_EINVAL, path, 0, 0, "no vm_* file");
}
END_TEST

START_TEST(two_days_of_one_job_are_refused)
{
	const char *paths[2];

	paths[0] = rig_put_text("days/vm_9_1", "1 50\n");
	paths[1] = rig_put_text("days/vm_9_2", "1 50\n");
	import_paths(paths, 2);
	assert_refused(-SIM_EDUP, paths[1], 0, 0, "VM 'g-9' again");
}
END_TEST

Suite *import_google_suite(void)
{
	Suite *s = suite_create("import_google");
	TCase *fix = tcase_create("fixture");
	TCase *bad = tcase_create("made");
	TCase *tc;

	tcase_add_checked_fixture(fix, setup, teardown);
	tcase_add_test(fix, fixture_counts_and_the_one_clamp);
	tcase_add_test(fix, fixture_points_are_memory_percent_of_4gib);
	tcase_add_test(fix, fixture_file_by_name);
	suite_add_tcase(s, fix);

	if (rig_real_traces("import_google")) {
		tc = tcase_create("real");
		tcase_add_unchecked_fixture(tc, rig_dir_make, rig_dir_remove);
		tcase_add_checked_fixture(tc, setup, teardown);
		tcase_set_timeout(tc, 30);
		tcase_add_test(tc, folder_counts_and_the_one_clamp);
		tcase_add_test(tc, points_are_memory_percent_of_4gib);
		tcase_add_test(tc, sample_above_100_percent_is_clamped);
		suite_add_tcase(s, tc);
	}

	tcase_add_unchecked_fixture(bad, rig_dir_make, rig_dir_remove);
	tcase_add_checked_fixture(bad, setup, teardown);
	tcase_add_test(bad, names_keep_the_job_id);
	tcase_add_test(bad, wrong_number_of_fields_is_located);
	tcase_add_test(bad, non_numeric_field_is_located);
	tcase_add_test(bad, binary_file_is_refused);
	tcase_add_test(bad, empty_file_is_refused);
	tcase_add_test(bad, missing_path_is_refused);
	tcase_add_test(bad, folder_without_vm_files_is_refused);
	tcase_add_test(bad, two_days_of_one_job_are_refused);
	suite_add_tcase(s, bad);
	return s;
}
