/*
 * tests/check_import_azure.c - `memsim import azure` on the fixtures in
 * tests/data/import/azure-v1 and azure-v2 (a V1 vmtable and a V2 re-export in their own
 * formats) and, when present, on the real V1 vmtable and the V2 re-export in
 * ../shared/traces (or $MEMSIM_TRACES): counts, exact sizes and times worked out by hand
 * from the files, the quirk rules' notes, the seeded working-set share, and refusals of
 * broken files with located messages.  Every import is parsed back through memsim's own
 * loader (cfg_load_string + trace_load), so the YAML is proved valid.
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
#define GIB 1073741824LL

#define V1_ROW1 "x/XsOfHO4ocsV99i4NluqKDuxctW2MMVmwqOPAlg4wp8mqbBOe3wxBlQo0+Qx+uf"
#define V1_ROW2 "H5CxmMoVcZSpjgGbohnVA3R+7uCTe/hM2ht2uIYi3t7KwXB4tkBxmZHBrt2A4x+n"
#define V1_ROW4 "1XiU+KpvIa3T1XP8kk3ZY71Of03+ogFL5Pag9Mc2jBuh0YqeW0Zcb9lepKLdPEDg"
#define V1_ROW7 "aTSXW3N1KepxKYwKumd7T1+f7DkGolSKV8EArYAdctjD26YqSMKezCVSdvmSgqIQ"
#define V2_DEEP4 "539XYwpoKXyeWClkFzhqCc0IK+I+nsY1J7w4rJ87l4bcF2guGtTl/PeDiCq2zLFO"

/* The fixtures, under tests/data/import. */
#define FX_V1 "azure-v1/vmtable.csv"
#define FX_V2 "azure-v2/vmtable.csv"

#define V2_HEADER "vm_id,subscription_id,deployment_id,timestamp_vm_created," \
	"timestamp_vm_deleted,max_cpu,avg_cpu,p95_max_cpu,vm_category," \
	"vm_virtual_core_count_bucket,vm_memory_gb_bucket,duration"

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
		     int64_t length_ns)
{
	memset(r, 0, sizeof(*r));
	r->opts.seed = seed;
	r->opts.length_ns = length_ns;
	rig_import(r, import_azure, "azure", paths, n);
}

/* Imports paths and requires success, then parses the YAML back. */
static void run_ok(struct rig_import *r, const char *const *paths, size_t n, uint64_t seed)
{
	run_opts(r, paths, n, seed, 0);
	ck_assert_msg(r->rc == 0, "%s:%u:%u: %s", r->err.file, r->err.line, r->err.col,
		      r->err.msg);
	if (r->out.rep.vms == 0)
		return;
	rig_import_load(r);
	ck_assert_uint_eq(r->trace.n_vms, r->out.rep.vms);
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
	const struct vm_spec *v = rig_vm(r, name);

	ck_assert_int_eq(v->memory_bytes, bytes);
	ck_assert_int_eq(v->arrive_ns, arrive_s * S_NS);
	ck_assert_int_eq(v->depart_ns, depart_s < 0 ? TRACE_NEVER : depart_s * S_NS);
}

START_TEST(v1_every_row_becomes_a_vm_in_file_order)
{
	const char *path = rig_trace_path("azure-v1/vmtable/vmtable.csv");
	struct rig_import r;

	run_ok(&r, &path, 1, 1);
	/* 10 lines, no header (wc -l); every row has memory > 0 and deleted > created. */
	ck_assert_uint_eq(r.out.rep.files, 1);
	ck_assert_uint_eq(r.out.rep.rows, 10);
	ck_assert_uint_eq(r.out.rep.vms, 10);
	ck_assert_uint_eq(r.out.rep.n_notes, 0);
	ck_assert_str_eq(r.trace.vms[0].name, "az-" V1_ROW1);
	ck_assert_str_eq(r.trace.vms[6].name, "az-" V1_ROW7);
	run_free(&r);
}
END_TEST

START_TEST(v1_sizes_are_gib_and_times_are_seconds)
{
	const char *path = rig_trace_path("azure-v1/vmtable/vmtable.csv");
	struct rig_import r;

	run_ok(&r, &path, 1, 1);
	/* Line 7: created 2290500, deleted 2292300, 1.75 GB = 1.75 x 2^30 = 1879048192. */
	check_vm(&r, "az-" V1_ROW7, 1879048192LL, 2290500, 2292300);
	/* Line 2: created 0, deleted 1539300, 0.75 GB = 805306368 bytes. */
	check_vm(&r, "az-" V1_ROW2, 805306368LL, 0, 1539300);
	/* Line 4: 56 GB = 60129542144 bytes, deleted at the trace's end (2591700) and
	 * still given that depart, by the documented rule. */
	check_vm(&r, "az-" V1_ROW4, 56 * GIB, 0, 2591700);
	run_free(&r);
}
END_TEST

START_TEST(v1_crlf_reads_as_lf)
{
	const char *path = rig_trace_path("azure-v1/vmtable/vmtable.csv");
	struct rig_import r;

	/* The V1 file itself ends every line with CR LF (cat -A shows ^M$). */
	run_ok(&r, &path, 1, 1);
	ck_assert_ptr_null(strchr(r.text, '\r'));
	/* The last column, "1.75\r", reads as 1.75. */
	ck_assert_int_eq(rig_vm(&r, "az-" V1_ROW1)->memory_bytes, 1879048192LL);
	run_free(&r);
}
END_TEST

START_TEST(a_v2_header_with_crlf_is_recognized)
{
	const char *crlf = rig_put_text("v2crlf.csv", V2_HEADER "\r\n"
				      "idA,s,d,0,600,1,1,1,Interactive,2,4,600\r\n"
				      "idB,s,d,300,900,1,1,1,Interactive,2,2,600\r\n");
	struct rig_import r;

	/* A V2 header ending in "duration\r" is still recognized. */
	run_ok(&r, &crlf, 1, 1);
	ck_assert_uint_eq(r.out.rep.rows, 2);
	check_vm(&r, "az-idA", 4 * GIB, 0, 600);
	check_vm(&r, "az-idB", 2 * GIB, 300, 900);
	ck_assert_ptr_null(strchr(r.text, '\r'));
	run_free(&r);
}
END_TEST

START_TEST(v2_buckets_are_gib)
{
	const char *path = rig_trace_path("azure-v2/deep_study_vms_metadata.csv");
	struct rig_import r;
	size_t n32 = 0;
	size_t i;

	run_ok(&r, &path, 1, 1);
	/* 21 lines (wc -l), one of them the header. */
	ck_assert_uint_eq(r.out.rep.rows, 20);
	ck_assert_uint_eq(r.out.rep.vms, 20);
	/* Line 4: bucket 32, created 0, deleted 2591400. */
	check_vm(&r, "az-" V2_DEEP4, 34359738368LL, 0, 2591400);
	/* awk -F, 'NR>1 && $11==32' deep_study_vms_metadata.csv | wc -l gives 3. */
	for (i = 0; i < r.trace.n_vms; i++)
		n32 += r.trace.vms[i].memory_bytes == 32 * GIB;
	ck_assert_uint_eq(n32, 3);
	run_free(&r);
}
END_TEST

START_TEST(v2_two_files_make_one_trace)
{
	const char *paths[2];
	struct rig_import r;
	size_t n32 = 0;
	size_t n64 = 0;
	size_t i;

	paths[0] = rig_trace_path("azure-v2/deep_study_vms_metadata.csv");
	paths[1] = rig_trace_path("azure-v2/selected_vms_500.csv");
	run_ok(&r, paths, 2, 1);
	ck_assert_uint_eq(r.out.rep.files, 2);
	ck_assert_uint_eq(r.out.rep.rows, 520);
	ck_assert_uint_eq(r.out.rep.vms, 520);
	/* Buckets of 32 GB: 3 in deep_study, 75 in selected_vms_500; of 64 GB: 2 (counted
	 * with awk -F, 'NR>1{print $11}' FILE | sort -n | uniq -c). */
	for (i = 0; i < r.trace.n_vms; i++) {
		n32 += r.trace.vms[i].memory_bytes == 32 * GIB;
		n64 += r.trace.vms[i].memory_bytes == 64 * GIB;
		/* Every V2 row here runs from 0 to 2591400. */
		ck_assert_int_eq(r.trace.vms[i].arrive_ns, 0);
		ck_assert_int_eq(r.trace.vms[i].depart_ns, 2591400 * S_NS);
	}
	ck_assert_uint_eq(n32, 78);
	ck_assert_uint_eq(n64, 2);
	run_free(&r);
}
END_TEST

START_TEST(a_window_ending_at_the_trace_end_keeps_vms_running)
{
	const char *path = rig_trace_path("azure-v2/selected_vms_500.csv");
	struct rig_import r;
	size_t i;

	/* The documented way to read "deleted at the trace's end" as "still running". */
	run_opts(&r, &path, 1, 1, 2591400 * S_NS);
	ck_assert_int_eq(r.rc, 0);
	ck_assert_uint_eq(r.out.rep.vms, 500);
	rig_import_load(&r);
	for (i = 0; i < r.trace.n_vms; i++)
		ck_assert_int_eq(r.trace.vms[i].depart_ns, TRACE_NEVER);
	run_free(&r);
}
END_TEST

START_TEST(quirky_rows_are_skipped_or_kept_and_counted)
{
	const char *path = rig_put_text("quirks.csv",
				      "ok1,s,d,0,300,1,1,1,Interactive,1,0.75\n"
				      "zero,s,d,0,300,1,1,1,Interactive,1,0\n"
				      "nomem,s,d,0,300,1,1,1,Interactive,1,\n"
				      "same,s,d,300,300,1,1,1,Interactive,1,2\n"
				      "before,s,d,600,300,1,1,1,Interactive,1,2\n"
				      "stays,s,d,900,,1,1,1,Interactive,1,3.5\n");
	struct rig_import r;

	run_ok(&r, &path, 1, 1);
	ck_assert_uint_eq(r.out.rep.rows, 6);
	ck_assert_uint_eq(r.out.rep.vms, 2);
	ck_assert_uint_eq(note(&r, "zero or missing memory"), 2);
	ck_assert_uint_eq(note(&r, "deleted at or before creation"), 2);
	ck_assert_uint_eq(note(&r, "without a deletion time"), 1);
	check_vm(&r, "az-ok1", 805306368LL, 0, 300);
	/* 3.5 x 2^30 = 3758096384. */
	check_vm(&r, "az-stays", 3758096384LL, 900, -1);
	run_free(&r);
}
END_TEST

/* Imports path with seeds 7, 7 and 8: the same seed gives the same text, every share is
 * in [20%, 60%], and at least min_differ of them change with the seed. */
static void check_share(const char *path, size_t min_differ)
{
	struct rig_import a;
	struct rig_import b;
	struct rig_import c;
	size_t differ = 0;
	size_t i;

	run_ok(&a, &path, 1, 7);
	run_ok(&b, &path, 1, 7);
	run_ok(&c, &path, 1, 8);
	ck_assert_str_eq(a.text, b.text);
	for (i = 0; i < a.trace.n_vms; i++) {
		const struct phase *p = &a.trace.vms[i].phases[0];

		ck_assert_uint_eq(a.trace.vms[i].n_phases, 1);
		ck_assert_int_lt(p->ws_bytes, 0);
		ck_assert_msg(p->ws_frac >= 0.2 && p->ws_frac <= 0.6, "share %g", p->ws_frac);
		ck_assert_double_eq(p->ws_frac, b.trace.vms[i].phases[0].ws_frac);
		differ += p->ws_frac != c.trace.vms[i].phases[0].ws_frac;
	}
	ck_assert_uint_ge(differ, min_differ);
	run_free(&a);
	run_free(&b);
	run_free(&c);
}

START_TEST(working_set_share_is_seeded_and_in_range)
{
	check_share(rig_trace_path("azure-v1/vmtable/vmtable.csv"), 5);
}
END_TEST

/* The V1 fixture: 4 rows, no header, CRLF line ends, memory the 11th field. */
START_TEST(fixture_v1_rows_in_file_order)
{
	const char *path = rig_fixture_path(FX_V1);
	struct rig_import r;

	run_ok(&r, &path, 1, 1);
	ck_assert_uint_eq(r.out.rep.files, 1);
	ck_assert_uint_eq(r.out.rep.rows, 4);
	ck_assert_uint_eq(r.out.rep.vms, 4);
	ck_assert_uint_eq(r.out.rep.n_notes, 0);
	ck_assert_ptr_null(strchr(r.text, '\r'));
	ck_assert(!strncmp(r.trace.vms[0].name, "az-Jq2Xv+8Tk", 12));
	ck_assert(!strncmp(r.trace.vms[1].name, "az-Tm4Kx/2Pq", 12));
	ck_assert(!strncmp(r.trace.vms[2].name, "az-Bz6Hn1+Js", 12));
	ck_assert(!strncmp(r.trace.vms[3].name, "az-Yk3Pq9+Wm", 12));
	/* Line 1: 0 to 2591700 (the trace's end), 1.75 GB = 1.75 x 2^30 = 1879048192. */
	ck_assert_int_eq(r.trace.vms[0].memory_bytes, 1879048192LL);
	ck_assert_int_eq(r.trace.vms[0].arrive_ns, 0);
	ck_assert_int_eq(r.trace.vms[0].depart_ns, 2591700 * S_NS);
	/* Line 2: 0 to 1539300, 0.75 GB = 805306368. */
	ck_assert_int_eq(r.trace.vms[1].memory_bytes, 805306368LL);
	ck_assert_int_eq(r.trace.vms[1].depart_ns, 1539300 * S_NS);
	/* Line 3: category "Unkown" (as the data spells it), 2290500 to 2292300, 56 GB. */
	ck_assert_int_eq(r.trace.vms[2].memory_bytes, 56 * GIB);
	ck_assert_int_eq(r.trace.vms[2].arrive_ns, 2290500 * S_NS);
	ck_assert_int_eq(r.trace.vms[2].depart_ns, 2292300 * S_NS);
	/* Line 4: 300 to 3600, and "3.5\r" is 3.5 GB = 3758096384. */
	ck_assert_int_eq(r.trace.vms[3].memory_bytes, 3758096384LL);
	ck_assert_int_eq(r.trace.vms[3].arrive_ns, 300 * S_NS);
	ck_assert_int_eq(r.trace.vms[3].depart_ns, 3600 * S_NS);
	run_free(&r);
}
END_TEST

/* The V2 fixture: a header with the re-export's 12th column, duration; buckets 4, 2, 8
 * and 64 GB. */
START_TEST(fixture_v2_buckets_are_gib)
{
	const char *path = rig_fixture_path(FX_V2);
	struct rig_import r;

	run_ok(&r, &path, 1, 1);
	ck_assert_uint_eq(r.out.rep.rows, 4);
	ck_assert_uint_eq(r.out.rep.vms, 4);
	ck_assert_int_eq(r.trace.vms[0].memory_bytes, 4 * GIB);
	ck_assert_int_eq(r.trace.vms[0].arrive_ns, 0);
	ck_assert_int_eq(r.trace.vms[0].depart_ns, 2591400 * S_NS);
	ck_assert_int_eq(r.trace.vms[1].memory_bytes, 2 * GIB);
	/* Line 4: created 86400, deleted 172800. */
	ck_assert_int_eq(r.trace.vms[2].memory_bytes, 8 * GIB);
	ck_assert_int_eq(r.trace.vms[2].arrive_ns, 86400 * S_NS);
	ck_assert_int_eq(r.trace.vms[2].depart_ns, 172800 * S_NS);
	ck_assert_int_eq(r.trace.vms[3].memory_bytes, 64 * GIB);
	run_free(&r);
}
END_TEST

START_TEST(fixture_v1_and_v2_make_one_trace)
{
	const char *paths[2];
	struct rig_import r;
	int64_t total = 0;
	size_t i;

	paths[0] = rig_fixture_path(FX_V1);
	paths[1] = rig_fixture_path(FX_V2);
	run_ok(&r, paths, 2, 1);
	ck_assert_uint_eq(r.out.rep.files, 2);
	ck_assert_uint_eq(r.out.rep.rows, 8);
	ck_assert_uint_eq(r.trace.n_vms, 8);
	for (i = 0; i < r.trace.n_vms; i++)
		total += r.trace.vms[i].memory_bytes;
	/* 1.75 + 0.75 + 56 + 3.5 + 4 + 2 + 8 + 64 = 140 GiB. */
	ck_assert_int_eq(total, 140 * GIB);
	run_free(&r);
}
END_TEST

START_TEST(fixture_window_ending_at_the_trace_end_keeps_vms_running)
{
	const char *path = rig_fixture_path(FX_V1);
	struct rig_import r;

	/* A window of [0, 2591700 s): line 1's deletion at 2591700 is dropped. */
	run_opts(&r, &path, 1, 1, 2591700 * S_NS);
	ck_assert_int_eq(r.rc, 0);
	rig_import_load(&r);
	ck_assert_uint_eq(r.trace.n_vms, 4);
	ck_assert_int_eq(r.trace.vms[0].depart_ns, TRACE_NEVER);
	ck_assert_int_eq(r.trace.vms[1].depart_ns, 1539300 * S_NS);
	ck_assert_int_eq(r.trace.vms[2].depart_ns, 2292300 * S_NS);
	run_free(&r);
}
END_TEST

START_TEST(fixture_working_set_share_is_seeded_and_in_range)
{
	check_share(rig_fixture_path(FX_V1), 3);
}
END_TEST

START_TEST(a_truncated_row_names_line_and_column)
{
	/* Row 2 stops after 10 fields; its last field '1' is at column 21. */
	const char *path = rig_put_text("cut.csv", "a,s,d,0,300,1,1,1,X,1,1.75\n"
				      "b,s,d,0,300,1,1,1,X,1\n");
	struct rig_import r;

	ck_assert_int_eq(run_fail(&r, path), -SIM_EINVAL);
	ck_assert_uint_eq(r.err.line, 2);
	ck_assert_uint_eq(r.err.col, 22);
	ck_assert_ptr_nonnull(strstr(r.err.msg, "10 fields, expected 11"));
	run_free(&r);
}
END_TEST

START_TEST(a_long_row_is_refused_at_the_extra_field)
{
	/* The 13th field, '9', stands at column 29. */
	const char *path = rig_put_text("long.csv", V2_HEADER "\nv,s,d,0,300,1,1,1,X,2,4,300,9\n");
	struct rig_import r;

	ck_assert_int_eq(run_fail(&r, path), -SIM_EINVAL);
	ck_assert_uint_eq(r.err.line, 2);
	ck_assert_uint_eq(r.err.col, 29);
	ck_assert_ptr_nonnull(strstr(r.err.msg, "13 fields, expected 12"));
	run_free(&r);
}
END_TEST

START_TEST(non_numeric_values_are_refused_where_they_stand)
{
	const char *mem = rig_put_text("mem.csv", "b,s,d,0,300,1,1,1,X,1,lots\n");
	const char *neg = rig_put_text("neg.csv", "b,s,d,0,300,1,1,1,X,1,-2\n");
	const char *when = rig_put_text("time.csv", "b,s,d,soon,300,1,1,1,X,1,2\n");
	struct rig_import r;

	/* The memory field (11th) starts at column 23, the created field (4th) at 7. */
	ck_assert_int_eq(run_fail(&r, mem), -SIM_EINVAL);
	ck_assert_uint_eq(r.err.line, 1);
	ck_assert_uint_eq(r.err.col, 23);
	ck_assert_ptr_nonnull(strstr(r.err.msg, "'lots' is not a number"));
	run_free(&r);
	ck_assert_int_eq(run_fail(&r, neg), -SIM_ERANGE);
	ck_assert_uint_eq(r.err.col, 23);
	run_free(&r);
	ck_assert_int_eq(run_fail(&r, when), -SIM_EINVAL);
	ck_assert_uint_eq(r.err.col, 7);
	run_free(&r);
}
END_TEST

START_TEST(binary_and_empty_files_are_refused)
{
	static const unsigned char gz[] = {0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00,
					   0x00, 0x03, 0xed, 0x9d, '\n'};
	static const unsigned char noise[] = {0xde, 0xad, 0xbe, 0xef, 0x7f, 0x80, '\n'};
	const char *bin = rig_put("bin.csv", gz, sizeof(gz));
	const char *odd = rig_put("noise.csv", noise, sizeof(noise));
	const char *empty = rig_put("empty.csv", "", 0);
	const char *blank = rig_put_text("blank.csv", "\r\n\n");
	struct rig_import r;

	ck_assert_int_eq(run_fail(&r, bin), -SIM_EINVAL);
	ck_assert_ptr_nonnull(strstr(r.err.msg, "not a text file"));
	run_free(&r);
	ck_assert_int_eq(run_fail(&r, odd), -SIM_EINVAL);
	ck_assert_ptr_nonnull(strstr(r.err.msg, "not an Azure vmtable"));
	run_free(&r);
	ck_assert_int_eq(run_fail(&r, empty), -SIM_EINVAL);
	ck_assert_ptr_nonnull(strstr(r.err.msg, "empty file"));
	run_free(&r);
	ck_assert_int_eq(run_fail(&r, blank), -SIM_EINVAL);
	ck_assert_ptr_nonnull(strstr(r.err.msg, "empty file"));
	run_free(&r);
}
END_TEST

START_TEST(other_files_are_refused_by_their_first_line)
{
	const char *readings = rig_fixture_path("azure-v2/readings.csv");
	const char *nomem = rig_put_text("nomem.csv", "vm_id,timestamp_vm_created,"
				       "timestamp_vm_deleted\nv,0,300\n");
	struct rig_import r;

	ck_assert_int_eq(run_fail(&r, readings), -SIM_EINVAL);
	ck_assert_uint_eq(r.err.line, 1);
	ck_assert_ptr_nonnull(strstr(r.err.msg, "not an Azure vmtable"));
	run_free(&r);
	ck_assert_int_eq(run_fail(&r, nomem), -SIM_EINVAL);
	ck_assert_ptr_nonnull(strstr(r.err.msg, "no column 'vm_memory_gb_bucket'"));
	run_free(&r);
}
END_TEST

START_TEST(real_readings_are_refused_by_their_first_line)
{
	const char *readings = rig_trace_path("azure-v2/readings_checkpoint_batch_1.csv");
	struct rig_import r;

	ck_assert_int_eq(run_fail(&r, readings), -SIM_EINVAL);
	ck_assert_uint_eq(r.err.line, 1);
	ck_assert_ptr_nonnull(strstr(r.err.msg, "not an Azure vmtable"));
	run_free(&r);
}
END_TEST

START_TEST(a_repeated_vm_id_is_refused)
{
	const char *paths[2];
	struct rig_import r;

	paths[0] = rig_fixture_path(FX_V1);
	paths[1] = paths[0];
	run_opts(&r, paths, 2, 1, 0);
	ck_assert_int_eq(r.rc, -SIM_EDUP);
	ck_assert_uint_eq(r.err.line, 1);
	ck_assert_ptr_nonnull(strstr(r.err.msg, "repeats"));
	run_free(&r);
}
END_TEST

Suite *import_azure_suite(void)
{
	Suite *s = suite_create("import_azure");
	TCase *fix = tcase_create("fixture");
	TCase *tc;

	tcase_add_checked_fixture(fix, setup, teardown);
	tcase_add_test(fix, fixture_v1_rows_in_file_order);
	tcase_add_test(fix, fixture_v2_buckets_are_gib);
	tcase_add_test(fix, fixture_v1_and_v2_make_one_trace);
	tcase_add_test(fix, fixture_window_ending_at_the_trace_end_keeps_vms_running);
	tcase_add_test(fix, fixture_working_set_share_is_seeded_and_in_range);
	tcase_add_test(fix, a_v2_header_with_crlf_is_recognized);
	tcase_add_test(fix, quirky_rows_are_skipped_or_kept_and_counted);
	tcase_add_test(fix, a_truncated_row_names_line_and_column);
	tcase_add_test(fix, a_long_row_is_refused_at_the_extra_field);
	tcase_add_test(fix, non_numeric_values_are_refused_where_they_stand);
	tcase_add_test(fix, binary_and_empty_files_are_refused);
	tcase_add_test(fix, other_files_are_refused_by_their_first_line);
	tcase_add_test(fix, a_repeated_vm_id_is_refused);
	suite_add_tcase(s, fix);

	if (rig_real_traces("import_azure")) {
		tc = tcase_create("real");
		tcase_add_checked_fixture(tc, setup, teardown);
		tcase_add_test(tc, v1_every_row_becomes_a_vm_in_file_order);
		tcase_add_test(tc, v1_sizes_are_gib_and_times_are_seconds);
		tcase_add_test(tc, v1_crlf_reads_as_lf);
		tcase_add_test(tc, v2_buckets_are_gib);
		tcase_add_test(tc, v2_two_files_make_one_trace);
		tcase_add_test(tc, a_window_ending_at_the_trace_end_keeps_vms_running);
		tcase_add_test(tc, working_set_share_is_seeded_and_in_range);
		tcase_add_test(tc, real_readings_are_refused_by_their_first_line);
		suite_add_tcase(s, tc);
	}
	return s;
}
