/*
 * tests/check_import_alibaba.c - `memsim import alibaba-gpu` on the fixtures in
 * tests/data/import/alibaba-gpu (a pod list and a node list in openb's own format) and,
 * when present, on the real openb pod list in ../shared/traces (or $MEMSIM_TRACES):
 * counts, exact sizes and times worked out by hand from the file, the quirk rules' notes,
 * the seeded working-set share, and refusals of broken files (and of the node list) with
 * located messages.  Every import is parsed back through memsim's own loader
 * (cfg_load_string + trace_load), so the YAML is proved valid.
 */
#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfg.h"
#include "import.h"
#include "import_rig.h"
#include "suites.h"
#include "trace.h"

#define S_NS 1000000000LL
#define MIB 1048576LL

#define PODS "alibaba-gpu-2023-openb/openb_pod_list_default.csv"
#define NODES "alibaba-gpu-2023-openb/openb_node_list_all_node.csv"
#define FX_PODS "alibaba-gpu/pods.csv"    /* under tests/data/import */
#define FX_NODES "alibaba-gpu/nodes.csv"
#define HEADER "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase," \
	"creation_time,deletion_time,scheduled_time"

/* One import into memory, and the trace it parses back to. */
static void setup(void)
{
	rig_dir_make();
}

static void teardown(void)
{
	rig_dir_remove();
}

static void run_opts(struct rig_import *r, const char *const *paths, size_t n, uint64_t seed,
		     size_t max_vms)
{
	memset(r, 0, sizeof(*r));
	r->opts.seed = seed;
	r->opts.max_vms = max_vms;
	rig_import(r, import_alibaba_gpu, "alibaba-gpu", paths, n);
}

/* Imports paths (at most max_vms VMs, 0 = all) and requires success, then parses the
 * YAML back. */
static void run_max(struct rig_import *r, const char *const *paths, size_t n, uint64_t seed,
		    size_t max_vms)
{
	run_opts(r, paths, n, seed, max_vms);
	ck_assert_msg(r->rc == 0, "%s:%u:%u: %s", r->err.file, r->err.line, r->err.col,
		      r->err.msg);
	if (r->out.rep.vms == 0)
		return;
	rig_import_load(r);
	ck_assert_uint_eq(r->trace.n_vms, r->out.rep.vms);
}

static void run_ok(struct rig_import *r, const char *const *paths, size_t n, uint64_t seed)
{
	run_max(r, paths, n, seed, 0);
}

/* Imports one file and requires failure; returns the code. */
static int run_fail(struct rig_import *r, const char *path)
{
	run_opts(r, &path, 1, 1, 0);
	ck_assert_msg(r->rc < 0, "imported '%s' that should fail", path);
	ck_assert_int_eq(r->err.code, r->rc);
	ck_assert_str_eq(r->err.file, path);
	ck_assert(r->err.msg[0] != '\0');
	return r->rc;
}

static void run_free(struct rig_import *r)
{
	rig_import_release(r);
}

/* The VM named name, or NULL. */
static const struct vm_spec *vm_find(const struct rig_import *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->trace.n_vms; i++)
		if (!strcmp(r->trace.vms[i].name, name))
			return &r->trace.vms[i];
	return NULL;
}

/* The count of the note whose text contains what; 0 when none does. */
static uint64_t note(const struct rig_import *r, const char *what)
{
	size_t i;

	for (i = 0; i < r->out.rep.n_notes; i++)
		if (strstr(r->out.rep.notes[i].what, what))
			return r->out.rep.notes[i].count;
	return 0;
}

static void check_vm(const struct rig_import *r, const char *name, int64_t bytes, int64_t arrive_s,
		     int64_t depart_s)
{
	const struct vm_spec *v = vm_find(r, name);

	ck_assert_msg(v != NULL, "no VM named '%s'", name);
	ck_assert_int_eq(v->memory_bytes, bytes);
	ck_assert_int_eq(v->arrive_ns, arrive_s * S_NS);
	ck_assert_int_eq(v->depart_ns, depart_s < 0 ? TRACE_NEVER : depart_s * S_NS);
}

START_TEST(every_pod_is_read_and_the_quirks_are_counted)
{
	const char *path = rig_trace_path(PODS);
	struct rig_import r;
	int64_t total = 0;
	size_t i;

	run_ok(&r, &path, 1, 1);
	ck_assert_uint_eq(r.out.rep.files, 1);
	/* 8153 lines (wc -l), one of them the header. */
	ck_assert_uint_eq(r.out.rep.rows, 8152);
	/* One pod requests 0 MiB: awk -F, 'NR>1 && $3==0' gives openb-pod-1523. */
	ck_assert_uint_eq(note(&r, "0 MiB"), 1);
	/* One pod is deleted at its creation: awk -F, 'NR>1 && $10<=$9' gives openb-pod-7285
	 * (created and deleted at 12774042, a Pending pod). */
	ck_assert_uint_eq(note(&r, "deleted at or before creation"), 1);
	/* 897 pods have an empty scheduled_time (awk -F, 'NR>1 && $11==""', all of them
	 * pod_phase Pending); less openb-pod-7285, 896 are kept. */
	ck_assert_uint_eq(note(&r, "Pending"), 896);
	/* No pod lacks a deletion_time (awk -F, 'NR>1 && $10==""' gives none). */
	ck_assert_uint_eq(note(&r, "without a deletion_time"), 0);
	ck_assert_uint_eq(r.out.rep.n_notes, 3);
	ck_assert_uint_eq(r.out.rep.vms, 8150);
	ck_assert_ptr_null(vm_find(&r, "ali-openb-pod-1523"));
	ck_assert_ptr_null(vm_find(&r, "ali-openb-pod-7285"));
	/* awk -F, 'NR>1 && $3>0 && $10>$9 {s+=$3} END{print s}' gives 303515694 MiB. */
	for (i = 0; i < r.trace.n_vms; i++)
		total += r.trace.vms[i].memory_bytes;
	ck_assert_int_eq(total, 303515694LL * MIB);
	run_free(&r);
}
END_TEST

START_TEST(pods_keep_their_request_creation_and_deletion)
{
	const char *path = rig_trace_path(PODS);
	struct rig_import r;

	run_ok(&r, &path, 1, 1);
	/* Line 2: openb-pod-0000, 16384 MiB = 17179869184 bytes, created 0, deleted
	 * 12537496. */
	check_vm(&r, "ali-openb-pod-0000", 17179869184LL, 0, 12537496);
	ck_assert_str_eq(r.trace.vms[0].name, "ali-openb-pod-0000");
	/* Line 63: openb-pod-0061, Pending, 47104 MiB = 49392123904 bytes, created 10001278,
	 * deleted 10001403. */
	check_vm(&r, "ali-openb-pod-0061", 49392123904LL, 10001278, 10001403);
	/* Line 8153, the last: openb-pod-8151, 5600 MiB, 12901761 to 12901792. */
	check_vm(&r, "ali-openb-pod-8151", 5600 * MIB, 12901761, 12901792);
	run_free(&r);
}
END_TEST

START_TEST(quirky_pods_are_skipped_or_kept_and_counted)
{
	const char *path = rig_put_text("quirks.csv", HEADER "\r\n"
				      "ok,1000,1024,1,1000,,LS,Running,10,20,10\r\n"
				      "zero,1000,0,1,1000,,LS,Running,10,20,10\r\n"
				      "same,1000,512,1,1000,,LS,Running,30,30,30\r\n"
				      "wait,1000,2048,1,1000,,BE,Pending,40,90,\r\n"
				      "stays,1000,3072,1,1000,,LS,Running,50,,50\r\n");
	struct rig_import r;

	/* CRLF line ends throughout, as a re-saved file might have. */
	run_ok(&r, &path, 1, 1);
	ck_assert_uint_eq(r.out.rep.rows, 5);
	ck_assert_uint_eq(r.out.rep.vms, 3);
	ck_assert_uint_eq(note(&r, "0 MiB"), 1);
	ck_assert_uint_eq(note(&r, "deleted at or before creation"), 1);
	ck_assert_uint_eq(note(&r, "Pending"), 1);
	ck_assert_uint_eq(note(&r, "without a deletion_time"), 1);
	check_vm(&r, "ali-ok", 1024 * MIB, 10, 20);
	check_vm(&r, "ali-wait", 2048 * MIB, 40, 90);
	check_vm(&r, "ali-stays", 3072 * MIB, 50, -1);
	ck_assert_ptr_null(strchr(r.text, '\r'));
	run_free(&r);
}
END_TEST

START_TEST(working_set_share_is_seeded_and_in_range)
{
	const char *path = rig_trace_path(PODS);
	struct rig_import a;
	struct rig_import b;
	struct rig_import c;
	size_t differ = 0;
	size_t i;

	/* The first 2000 pods suffice, and keep the suite fast under ASan. */
	run_max(&a, &path, 1, 3, 2000);
	run_max(&b, &path, 1, 3, 2000);
	run_max(&c, &path, 1, 4, 2000);
	ck_assert_str_eq(a.text, b.text);
	ck_assert_uint_eq(a.trace.n_vms, 2000);
	ck_assert_uint_eq(c.trace.n_vms, 2000);
	/* Notes of kept pods count the VMs written: 158 of the first 2000 pods kept are
	 * Pending (awk -F, 'NR>1 && $3>0 && $10>$9 {n++; if (n<=2000 && $11=="") p++}'). */
	ck_assert_uint_eq(note(&a, "Pending"), 158);
	for (i = 0; i < a.trace.n_vms; i++) {
		const struct phase *p = &a.trace.vms[i].phases[0];

		if (a.trace.vms[i].n_phases != 1 || p->ws_bytes >= 0 || p->ws_frac < 0.2 ||
		    p->ws_frac > 0.6)
			ck_abort_msg("VM %zu: %zu phases, share %g", i, a.trace.vms[i].n_phases,
				     p->ws_frac);
		differ += p->ws_frac != c.trace.vms[i].phases[0].ws_frac;
	}
	/* Shares print to 0.1%, so a few may coincide across seeds, but not most. */
	ck_assert_uint_gt(differ, a.trace.n_vms * 9 / 10);
	run_free(&a);
	run_free(&b);
	run_free(&c);
}
END_TEST

/*
 * The fixture pod list: 6 pods.  0002 is Pending and deleted at its creation, 0003
 * requests 0 MiB, 0004 is Pending (no scheduled_time), 0005 failed and names its GPUs.
 */
START_TEST(fixture_pods_are_read_and_the_quirks_are_counted)
{
	const char *path = rig_fixture_path(FX_PODS);
	struct rig_import r;
	int64_t total = 0;
	size_t i;

	run_ok(&r, &path, 1, 1);
	ck_assert_uint_eq(r.out.rep.files, 1);
	ck_assert_uint_eq(r.out.rep.rows, 6);
	ck_assert_uint_eq(r.out.rep.vms, 4);
	ck_assert_uint_eq(note(&r, "0 MiB"), 1);
	ck_assert_uint_eq(note(&r, "deleted at or before creation"), 1);
	/* 0002 is Pending too, but skipped: notes of kept pods count VMs written. */
	ck_assert_uint_eq(note(&r, "Pending"), 1);
	ck_assert_uint_eq(r.out.rep.n_notes, 3);
	ck_assert_ptr_null(vm_find(&r, "ali-openb-pod-0002"));
	ck_assert_ptr_null(vm_find(&r, "ali-openb-pod-0003"));
	/* 16384 + 12288 + 47104 + 5600 MiB. */
	for (i = 0; i < r.trace.n_vms; i++)
		total += r.trace.vms[i].memory_bytes;
	ck_assert_int_eq(total, 81376 * MIB);
	run_free(&r);
}
END_TEST

START_TEST(fixture_pods_keep_their_request_creation_and_deletion)
{
	const char *path = rig_fixture_path(FX_PODS);
	struct rig_import r;

	run_ok(&r, &path, 1, 1);
	ck_assert_str_eq(r.trace.vms[0].name, "ali-openb-pod-0000");
	check_vm(&r, "ali-openb-pod-0000", 16 * 1024 * MIB, 0, 12537496);
	check_vm(&r, "ali-openb-pod-0001", 12288 * MIB, 427061, 12902960);
	/* Pending: arrives at its creation, not at a scheduled_time it lacks. */
	check_vm(&r, "ali-openb-pod-0004", 47104 * MIB, 10001278, 10001403);
	/* gpu_spec "V100M16|V100M32" and pod_phase Failed change nothing. */
	check_vm(&r, "ali-openb-pod-0005", 5600 * MIB, 12901761, 12901792);
	run_free(&r);
}
END_TEST

START_TEST(fixture_working_set_share_is_seeded_and_in_range)
{
	const char *path = rig_fixture_path(FX_PODS);
	struct rig_import a;
	struct rig_import b;
	struct rig_import c;
	size_t differ = 0;
	size_t i;

	run_ok(&a, &path, 1, 3);
	run_ok(&b, &path, 1, 3);
	run_ok(&c, &path, 1, 4);
	ck_assert_str_eq(a.text, b.text);
	for (i = 0; i < a.trace.n_vms; i++) {
		const struct phase *p = &a.trace.vms[i].phases[0];

		ck_assert_uint_eq(a.trace.vms[i].n_phases, 1);
		ck_assert_int_lt(p->ws_bytes, 0);
		ck_assert_msg(p->ws_frac >= 0.2 && p->ws_frac <= 0.6, "share %g", p->ws_frac);
		differ += p->ws_frac != c.trace.vms[i].phases[0].ws_frac;
	}
	ck_assert_uint_ge(differ, 3);
	run_free(&a);
	run_free(&b);
	run_free(&c);
}
END_TEST

START_TEST(the_real_node_list_is_refused_with_a_hint)
{
	const char *path = rig_trace_path(NODES);
	struct rig_import r;

	ck_assert_int_eq(run_fail(&r, path), -SIM_EINVAL);
	ck_assert_uint_eq(r.err.line, 1);
	ck_assert_ptr_nonnull(strstr(r.err.msg, "node list"));
	run_free(&r);
}
END_TEST

START_TEST(the_node_list_is_refused_with_a_hint)
{
	const char *path = rig_fixture_path(FX_NODES);
	struct rig_import r;

	ck_assert_int_eq(run_fail(&r, path), -SIM_EINVAL);
	ck_assert_uint_eq(r.err.line, 1);
	ck_assert_ptr_nonnull(strstr(r.err.msg, "node list"));
	ck_assert_ptr_nonnull(strstr(r.err.msg, "pass the pod list"));
	run_free(&r);
}
END_TEST

START_TEST(a_truncated_row_names_line_and_column)
{
	/* Row 2 stops after 9 fields; its last field '0' is at column 33. */
	const char *path = rig_put_text("cut.csv", HEADER "\np1,1000,2048,1,1000,,LS,Running,0\n");
	struct rig_import r;

	ck_assert_int_eq(run_fail(&r, path), -SIM_EINVAL);
	ck_assert_uint_eq(r.err.line, 2);
	ck_assert_uint_eq(r.err.col, 34);
	ck_assert_ptr_nonnull(strstr(r.err.msg, "9 fields, expected 11"));
	run_free(&r);
}
END_TEST

START_TEST(non_numeric_values_are_refused_where_they_stand)
{
	/* memory_mib starts at column 9; creation_time ('noon') at column 33. */
	const char *mem =
		rig_put_text("mem.csv", HEADER "\np1,1000,big,1,1000,,LS,Running,0,10,0\n");
	const char *when = rig_put_text("when.csv",
				      HEADER "\np1,1000,1024,1,1000,,LS,Running,noon,10,0\n");
	const char *neg =
		rig_put_text("neg.csv", HEADER "\np1,1000,-1,1,1000,,LS,Running,0,10,0\n");
	struct rig_import r;

	ck_assert_int_eq(run_fail(&r, mem), -SIM_EINVAL);
	ck_assert_uint_eq(r.err.line, 2);
	ck_assert_uint_eq(r.err.col, 9);
	ck_assert_ptr_nonnull(strstr(r.err.msg, "'big' is not a number"));
	run_free(&r);
	ck_assert_int_eq(run_fail(&r, when), -SIM_EINVAL);
	ck_assert_uint_eq(r.err.col, 33);
	run_free(&r);
	ck_assert_int_eq(run_fail(&r, neg), -SIM_ERANGE);
	ck_assert_uint_eq(r.err.col, 9);
	run_free(&r);
}
END_TEST

START_TEST(binary_empty_and_foreign_files_are_refused)
{
	static const unsigned char gz[] = {0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00,
					   0x00, 0x03, 0xed, 0x9d, '\n'};
	const char *bin = rig_put("bin.csv", gz, sizeof(gz));
	const char *empty = rig_put("empty.csv", "", 0);
	const char *azure = rig_fixture_path("azure-v1/vmtable.csv");
	const char *nocol = rig_put_text("nocol.csv", "name,memory_mib,creation_time\np,1,0\n");
	struct rig_import r;

	ck_assert_int_eq(run_fail(&r, bin), -SIM_EINVAL);
	ck_assert_ptr_nonnull(strstr(r.err.msg, "not a text file"));
	run_free(&r);
	ck_assert_int_eq(run_fail(&r, empty), -SIM_EINVAL);
	ck_assert_ptr_nonnull(strstr(r.err.msg, "empty file"));
	run_free(&r);
	ck_assert_int_eq(run_fail(&r, azure), -SIM_EINVAL);
	ck_assert_ptr_nonnull(strstr(r.err.msg, "not an Alibaba GPU pod list"));
	run_free(&r);
	ck_assert_int_eq(run_fail(&r, nocol), -SIM_EINVAL);
	ck_assert_ptr_nonnull(strstr(r.err.msg, "no column 'deletion_time'"));
	run_free(&r);
}
END_TEST

START_TEST(a_header_alone_is_read_as_no_pods)
{
	const char *path = rig_put_text("header.csv", HEADER "\n");
	struct rig_import r;

	run_ok(&r, &path, 1, 1);
	ck_assert_uint_eq(r.out.rep.files, 1);
	ck_assert_uint_eq(r.out.rep.rows, 0);
	ck_assert_uint_eq(r.out.rep.vms, 0);
	run_free(&r);
}
END_TEST

START_TEST(a_pod_list_given_twice_is_refused)
{
	const char *paths[2];
	struct rig_import r;

	paths[0] = rig_fixture_path(FX_PODS);
	paths[1] = paths[0];
	run_opts(&r, paths, 2, 1, 0);
	ck_assert_int_eq(r.rc, -SIM_EDUP);
	ck_assert_uint_eq(r.err.line, 2);
	ck_assert_ptr_nonnull(strstr(r.err.msg, "'openb-pod-0000' repeats"));
	run_free(&r);
}
END_TEST

Suite *import_alibaba_suite(void)
{
	Suite *s = suite_create("import_alibaba");
	TCase *fix = tcase_create("fixture");
	TCase *tc;

	tcase_add_checked_fixture(fix, setup, teardown);
	tcase_add_test(fix, fixture_pods_are_read_and_the_quirks_are_counted);
	tcase_add_test(fix, fixture_pods_keep_their_request_creation_and_deletion);
	tcase_add_test(fix, fixture_working_set_share_is_seeded_and_in_range);
	tcase_add_test(fix, quirky_pods_are_skipped_or_kept_and_counted);
	tcase_add_test(fix, the_node_list_is_refused_with_a_hint);
	tcase_add_test(fix, a_truncated_row_names_line_and_column);
	tcase_add_test(fix, non_numeric_values_are_refused_where_they_stand);
	tcase_add_test(fix, binary_empty_and_foreign_files_are_refused);
	tcase_add_test(fix, a_header_alone_is_read_as_no_pods);
	tcase_add_test(fix, a_pod_list_given_twice_is_refused);
	suite_add_tcase(s, fix);

	if (rig_real_traces("import_alibaba")) {
		tc = tcase_create("real");
		tcase_add_checked_fixture(tc, setup, teardown);
		tcase_set_timeout(tc, 30);
		tcase_add_test(tc, every_pod_is_read_and_the_quirks_are_counted);
		tcase_add_test(tc, pods_keep_their_request_creation_and_deletion);
		tcase_add_test(tc, working_set_share_is_seeded_and_in_range);
		tcase_add_test(tc, the_real_node_list_is_refused_with_a_hint);
		suite_add_tcase(s, tc);
	}
	return s;
}
