/*
 * tests/check_import_bitbrains.c - `memsim import bitbrains` on the fixture
 * folder tests/data/import/bitbrains (three VMs in GWA-T-12's own format,
 * with its quirks) and, when present, on the real GWA-T-12 subsets in
 * ../shared/traces (or $MEMSIM_TRACES): counts, exact memory, times and
 * series points worked out by hand from the CSV rows quoted below, the
 * produced YAML read back by memsim's own loader, broken inputs refused
 * with located messages, and imported VMs run end to end.
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
#include "run.h"
#include "scenario.h"
#include "suites.h"
#include "trace.h"

#define S (1000000000LL)                /* ns per second */

static struct rig_import im;

static int import_paths(const char *const *paths, size_t n)
{
	im.opts.seed = 1;
	return rig_import(&im, import_bitbrains, "bitbrains", paths, n);
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

/* A header with only the columns the importer needs, as Bitbrains writes them. */
#define HDR "Timestamp [ms];\tMemory capacity provisioned [KB];\tMemory usage [KB]\n"

/*
 * 2013-7-first24h: 27 files of 288 rows.  All start at 1372629804 but VM 14
 * (first kept row 1375095746, line 10) and VM 319 (1374501390, line 14).
 */
START_TEST(first24h_counts_and_notes)
{
	import_and_load(rig_trace_path("bitbrains-rnd/2013-7-first24h"));
	ck_assert_uint_eq(im.out.rep.files, 27);
	ck_assert_uint_eq(im.out.rep.rows, 27 * 288);
	ck_assert_uint_eq(im.out.rep.vms, 27);
	ck_assert_uint_eq(im.trace.n_vms, 27);
	/* Sorted by file name in byte order. */
	ck_assert_str_eq(im.trace.vms[0].name, "bb-1");
	ck_assert_str_eq(im.trace.vms[1].name, "bb-10");
	ck_assert_str_eq(im.trace.vms[11].name, "bb-2");
	ck_assert_str_eq(im.trace.vms[19].name, "bb-319");
	ck_assert_str_eq(im.trace.vms[26].name, "bb-9");
	/* Every header says [ms] over Unix seconds. */
	ck_assert_uint_eq(rig_note(&im, "Unix seconds"), 27);
	/* Provisioned 0.0: lines 2-9 of 14.csv and 2-13 of 319.csv. */
	ck_assert_uint_eq(rig_note(&im, "provisioned memory 0 (VM not running)"), 8 + 12);
	/* 319.csv line 14: 1.572864E7 KB used of 6144.0 provisioned. */
	ck_assert_uint_eq(rig_note(&im, "clamped"), 1);
	ck_assert_uint_eq(rig_note(&im, "out of time order"), 0);
	ck_assert_uint_eq(rig_note(&im, "duplicate"), 0);
}
END_TEST

START_TEST(first24h_vm1_first_rows)
{
	const struct vm_spec *v;

	import_and_load(rig_trace_path("bitbrains-rnd/2013-7-first24h"));
	v = rig_vm(&im, "bb-1");
	/* 1.csv line 2: 1372629804; ... 8218624.0; 1034592.8 (and line 3: 458575.4666666667). */
	ck_assert_int_eq(v->memory_bytes, 8218624LL * 1024);
	ck_assert_int_eq(v->arrive_ns, 0);
	/* Last row 1372715912, + 300 s, - 1372629804. */
	ck_assert_int_eq(v->depart_ns, 86408 * S);
	ck_assert_uint_eq(v->n_phases, 288);
	ck_assert_int_eq(v->phases[0].at_ns, 0);
	ck_assert_int_eq(v->phases[0].ws_bytes, 1059423027);    /* 1059423027.2 */
	ck_assert_int_eq(v->phases[1].at_ns, 300 * S);
	ck_assert_int_eq(v->phases[1].ws_bytes, 469581278);     /* 469581277.87 */
	/* And the text itself, as the writer puts it. */
	ck_assert_ptr_nonnull(strstr(im.text, "name: \"bb-1\"\n    memory: 8415870976\n"
					      "    arrive: 0s\n    depart: 86408s\n"
					      "    working_set_series: [[0s, 1059423027], "
					      "[5m, 469581278],"));
}
END_TEST

START_TEST(first24h_scientific_notation)
{
	const struct vm_spec *v;

	import_and_load(rig_trace_path("bitbrains-rnd/2013-7-first24h"));
	/* 386.csv line 2: provisioned 2.5165824E7, usage 1.3220444266666668E7 KB;
	 * line 3: usage 1.37405384E7 KB. */
	v = rig_vm(&im, "bb-386");
	ck_assert_int_eq(v->memory_bytes, 24LL << 30);
	ck_assert_int_eq(v->arrive_ns, 0);
	ck_assert_int_eq(v->phases[0].ws_bytes, 13537734929);   /* 13537734929.07 */
	ck_assert_int_eq(v->phases[1].at_ns, 300 * S);
	ck_assert_int_eq(v->phases[1].ws_bytes, 14070311322);   /* 14070311321.6 */
	/* 22.csv: provisioned 1.6703488E7 KB on every row. */
	ck_assert_int_eq(rig_vm(&im, "bb-22")->memory_bytes, 16703488LL * 1024);
}
END_TEST

START_TEST(first24h_vm319_zero_rows_skipped_and_usage_clamped)
{
	const struct vm_spec *v;

	import_and_load(rig_trace_path("bitbrains-rnd/2013-7-first24h"));
	v = rig_vm(&im, "bb-319");
	/* Lines 2-13 have provisioned 0.0; line 14 (1374501390) has 6144.0 KB
	 * provisioned and 1.572864E7 used; the largest provisioned is 2.0441088E7. */
	ck_assert_uint_eq(v->n_phases, 288 - 12);
	ck_assert_int_eq(v->memory_bytes, 20441088LL * 1024);
	ck_assert_int_eq(v->arrive_ns, (1374501390LL - 1372629804) * S);
	ck_assert_int_eq(v->depart_ns, (1374583899LL + 300 - 1372629804) * S);
	ck_assert_int_eq(v->phases[0].ws_bytes, 6144 * 1024);
	/* Line 15: usage 1.7839771733333334E7 of 2.0383744E7, kept: 18267926254.93 B. */
	ck_assert_int_eq(v->phases[1].ws_bytes, 18267926255);
	ck_assert_int_eq(v->phases[1].at_ns - v->phases[0].at_ns, 300 * S);
	/* 14.csv: 8 zero rows, then 1375095746; provisioned 2097152 at most. */
	v = rig_vm(&im, "bb-14");
	ck_assert_uint_eq(v->n_phases, 280);
	ck_assert_int_eq(v->memory_bytes, 2097152LL * 1024);
	ck_assert_int_eq(v->arrive_ns, (1375095746LL - 1372629804) * S);
	ck_assert_int_eq(v->phases[0].ws_bytes, 1712615424);    /* 1672476.0 KB */
}
END_TEST

/* 2013-7-whole: 119 + 119 + 157 + 156 rows.  Time 0 is 1375175253, the first
 * kept row of 211.csv (line 5) and 212.csv (line 3). */
START_TEST(whole_month_files_start_late_and_ramp_up)
{
	const struct vm_spec *v;

	import_and_load(rig_trace_path("bitbrains-rnd/2013-7-whole"));
	ck_assert_uint_eq(im.out.rep.files, 4);
	ck_assert_uint_eq(im.out.rep.rows, 119 + 119 + 157 + 156);
	ck_assert_uint_eq(im.trace.n_vms, 4);
	/* Zero rows: lines 2-4 of 211.csv, line 2 of 212.csv. */
	ck_assert_uint_eq(rig_note(&im, "provisioned memory 0 (VM not running)"), 3 + 1);
	/* Usage above provisioned: 4 + 4 + 3 + 3 rows (the ramp-up samples). */
	ck_assert_uint_eq(rig_note(&im, "clamped"), 14);
	/* 165.csv line 2: 1375186054; 529536.0 provisioned, 3145728.0 used. */
	v = rig_vm(&im, "bb-165");
	ck_assert_int_eq(v->memory_bytes, 2435072LL * 1024);
	ck_assert_int_eq(v->arrive_ns, (1375186054LL - 1375175253) * S);
	ck_assert_int_eq(v->depart_ns, (1375221457LL + 300 - 1375175253) * S);
	ck_assert_uint_eq(v->n_phases, 119);
	/* Its series counts from its own arrival, as phases do in a run: the
	 * first point at 0, and line 3 (1375186354) 300 s after line 2. */
	ck_assert_int_eq(v->phases[0].at_ns, 0);
	ck_assert_int_eq(v->phases[1].at_ns, 300 * S);
	ck_assert_int_eq(v->phases[0].ws_bytes, 529536 * 1024);
	/* Line 3: 2236959.73 used of 1436948.8: clamped to 1471435571.2 B. */
	ck_assert_int_eq(v->phases[1].ws_bytes, 1471435571);
	/* 166.csv line 2: 531584.0 provisioned, 3145728.0 used. */
	ck_assert_int_eq(rig_vm(&im, "bb-166")->phases[0].ws_bytes, 531584 * 1024);
	/* 211.csv line 5: 694272.0 provisioned, 6291456.0 used; max 2609152.0. */
	v = rig_vm(&im, "bb-211");
	ck_assert_int_eq(v->arrive_ns, 0);
	ck_assert_int_eq(v->memory_bytes, 2609152LL * 1024);
	ck_assert_uint_eq(v->n_phases, 157 - 3);
	ck_assert_int_eq(v->phases[0].at_ns, 0);
	ck_assert_int_eq(v->phases[0].ws_bytes, 694272 * 1024);
	/* 212.csv line 3: 1140850.857142857 provisioned, 2387755.714285714 used. */
	v = rig_vm(&im, "bb-212");
	ck_assert_uint_eq(v->n_phases, 156 - 1);
	ck_assert_int_eq(v->phases[0].ws_bytes, 1168231278);    /* 1168231277.71 */
}
END_TEST

/* bitbrains-faststorage: one whole file, 8619 rows, 2097152 KB throughout. */
START_TEST(faststorage_whole_file)
{
	const struct vm_spec *v;

	import_and_load(rig_trace_path("bitbrains-faststorage/bitbrains.csv"));
	ck_assert_uint_eq(im.out.rep.files, 1);
	ck_assert_uint_eq(im.out.rep.rows, 8619);
	ck_assert_uint_eq(im.trace.n_vms, 1);
	v = rig_vm(&im, "bb-bitbrains");
	ck_assert_int_eq(v->memory_bytes, 2LL << 30);
	ck_assert_int_eq(v->arrive_ns, 0);
	ck_assert_int_eq(v->depart_ns, (1378906798LL + 300 - 1376314846) * S);
	ck_assert_uint_eq(v->n_phases, 8619);
	/* Line 2: usage 110448.53333333334 KB; line 3: 106254.13333333333 KB. */
	ck_assert_int_eq(v->phases[0].ws_bytes, 113099298);
	ck_assert_int_eq(v->phases[1].ws_bytes, 108804233);
	ck_assert_uint_eq(rig_note(&im, "clamped"), 0);
}
END_TEST

/* Files and folders mix; a folder reads only its *.csv files. */
START_TEST(folders_and_files_mix)
{
	const char *paths[2];

	paths[0] = rig_trace_path("bitbrains-rnd/2013-7-whole");
	paths[1] = rig_trace_path("bitbrains-rnd/2013-7-first24h/1.csv");
	import_and_load(paths[0]);
	ck_assert_int_eq(im.trace.n_vms, 4);
	teardown();
	setup();
	ck_assert_int_eq(import_paths(paths, 2), 0);
	ck_assert_uint_eq(im.out.rep.files, 5);
	ck_assert_uint_eq(im.out.rep.vms, 5);
	/* 1.csv starts at 1372629804, so it is time 0 now, and 211 starts later. */
	ck_assert_ptr_nonnull(strstr(im.text, "name: \"bb-1\"\n    memory: 8415870976\n"
					      "    arrive: 0s\n"));
	ck_assert_ptr_nonnull(strstr(im.text, "name: \"bb-211\"\n    memory: 2671771648\n"
					      "    arrive: 2545449s\n"));
}
END_TEST

/*
 * The fixture folder: 1.csv, 10.csv, 2.csv (read in byte order) and a
 * README.txt that a folder import skips.  All three hold Unix seconds under
 * the "[ms]" header; time 0 is 1372629804, 1.csv's first row.
 */
START_TEST(fixture_counts_and_notes)
{
	import_and_load(rig_fixture_path("bitbrains"));
	ck_assert_uint_eq(im.out.rep.files, 3);
	ck_assert_uint_eq(im.out.rep.rows, 4 + 5 + 4);
	ck_assert_uint_eq(im.out.rep.vms, 3);
	ck_assert_uint_eq(im.trace.n_vms, 3);
	ck_assert_str_eq(im.trace.vms[0].name, "bb-1");
	ck_assert_str_eq(im.trace.vms[1].name, "bb-10");
	ck_assert_str_eq(im.trace.vms[2].name, "bb-2");
	ck_assert_uint_eq(rig_note(&im, "Unix seconds"), 3);
	/* 10.csv lines 2-3: CPU cores 0, provisioned 0.0. */
	ck_assert_uint_eq(rig_note(&im, "provisioned memory 0 (VM not running)"), 2);
	/* 10.csv lines 4-5: 3145728.0 used of 529536.0, 2236959.73 of 1436948.8. */
	ck_assert_uint_eq(rig_note(&im, "clamped"), 2);
	/* 2.csv: line 3 (1372629904) is before line 2, and line 4 repeats it. */
	ck_assert_uint_eq(rig_note(&im, "out of time order"), 1);
	ck_assert_uint_eq(rig_note(&im, "duplicate"), 1);
}
END_TEST

START_TEST(fixture_vm1_points_and_scientific_notation)
{
	const struct vm_spec *v;

	import_and_load(rig_fixture_path("bitbrains"));
	v = rig_vm(&im, "bb-1");
	/* 4194304.0 KB provisioned on every row: 4 GiB. */
	ck_assert_int_eq(v->memory_bytes, 4LL << 30);
	ck_assert_int_eq(v->arrive_ns, 0);
	/* Last row 1372630705, + 300 s, - 1372629804. */
	ck_assert_int_eq(v->depart_ns, 1201 * S);
	ck_assert_uint_eq(v->n_phases, 4);
	/* 1048576.0 KB; 524288.5 KB = 536871424 B; 2.097152E6 KB = 2 GiB (the
	 * row 1 s late, at 601 s); 3.5E6 KB = 3584000000 B at 901 s. */
	ck_assert_int_eq(v->phases[0].at_ns, 0);
	ck_assert_int_eq(v->phases[0].ws_bytes, 1LL << 30);
	ck_assert_int_eq(v->phases[1].at_ns, 300 * S);
	ck_assert_int_eq(v->phases[1].ws_bytes, 536871424);
	ck_assert_int_eq(v->phases[2].at_ns, 601 * S);
	ck_assert_int_eq(v->phases[2].ws_bytes, 2LL << 30);
	ck_assert_int_eq(v->phases[3].at_ns, 901 * S);
	ck_assert_int_eq(v->phases[3].ws_bytes, 3584000000LL);
	ck_assert_ptr_nonnull(strstr(im.text, "name: \"bb-1\"\n    memory: 4294967296\n"
					      "    arrive: 0s\n    depart: 1201s\n"
					      "    working_set_series: [[0s, 1073741824], "
					      "[5m, 536871424], [601s, 2147483648],"));
}
END_TEST

START_TEST(fixture_late_vm_ramps_up_and_is_clamped)
{
	const struct vm_spec *v;

	import_and_load(rig_fixture_path("bitbrains"));
	v = rig_vm(&im, "bb-10");
	/* Lines 2-3 skipped; line 4 (1372630704) is the first kept row. */
	ck_assert_uint_eq(v->n_phases, 3);
	ck_assert_int_eq(v->arrive_ns, (1372630704LL - 1372629804) * S);
	ck_assert_int_eq(v->depart_ns, (1372631304LL + 300 - 1372629804) * S);
	/* The largest provisioned, line 6's 2.435072E6 KB. */
	ck_assert_int_eq(v->memory_bytes, 2435072LL * 1024);
	/* Line 4: 3145728.0 used of 529536.0, clamped to 529536 KB. */
	ck_assert_int_eq(v->phases[0].at_ns, 0);
	ck_assert_int_eq(v->phases[0].ws_bytes, 529536LL * 1024);
	/* Line 5: clamped to 1436948.8 KB = 1471435571.2 B. */
	ck_assert_int_eq(v->phases[1].at_ns, 300 * S);
	ck_assert_int_eq(v->phases[1].ws_bytes, 1471435571);
	/* Line 6: 1.2E6 KB of 2.435072E6, kept. */
	ck_assert_int_eq(v->phases[2].at_ns, 600 * S);
	ck_assert_int_eq(v->phases[2].ws_bytes, 1200000LL * 1024);
}
END_TEST

START_TEST(fixture_rows_out_of_order_are_sorted)
{
	const struct vm_spec *v;

	import_and_load(rig_fixture_path("bitbrains"));
	v = rig_vm(&im, "bb-2");
	/* Sorted: 1372629904 (line 3, 131072.0; line 4's 65536.0 dropped),
	 * 1372630104 (line 2, 262144.0), 1372630404 (line 5, 0.0). */
	ck_assert_uint_eq(v->n_phases, 3);
	ck_assert_int_eq(v->memory_bytes, 1LL << 30);
	ck_assert_int_eq(v->arrive_ns, 100 * S);
	ck_assert_int_eq(v->depart_ns, 900 * S);
	ck_assert_int_eq(v->phases[0].at_ns, 0);
	ck_assert_int_eq(v->phases[0].ws_bytes, 131072LL * 1024);
	ck_assert_int_eq(v->phases[1].at_ns, 200 * S);
	ck_assert_int_eq(v->phases[1].ws_bytes, 262144LL * 1024);
	ck_assert_int_eq(v->phases[2].at_ns, 500 * S);
	ck_assert_int_eq(v->phases[2].ws_bytes, 0);
}
END_TEST

/* A folder and a file mix; an earlier file moves time 0 for all. */
START_TEST(fixture_folder_and_file_mix)
{
	const char *paths[2];

	paths[0] = rig_fixture_path("bitbrains");
	paths[1] = rig_put_text("early/5.csv", HDR "1372629204;\t8;\t4\n");
	ck_assert_int_eq(import_paths(paths, 2), 0);
	rig_import_load(&im);
	ck_assert_uint_eq(im.out.rep.files, 4);
	ck_assert_uint_eq(im.trace.n_vms, 4);
	/* 1372629204 is 600 s before 1.csv's first row. */
	ck_assert_int_eq(rig_vm(&im, "bb-5")->arrive_ns, 0);
	ck_assert_int_eq(rig_vm(&im, "bb-1")->arrive_ns, 600 * S);
	ck_assert_int_eq(rig_vm(&im, "bb-10")->arrive_ns, 1500 * S);
}
END_TEST

/* The fixture imported to a file runs: in 30 min all three VMs arrive (at
 * 0, 100 s and 900 s), fit on one 64 GiB host, and touch memory. */
START_TEST(fixture_runs_end_to_end)
{
	const char *src = rig_fixture_path("bitbrains");
	struct scenario_opts sopts = {0};
	struct run_opts ropts = {.check_every = 60};
	struct scenario sc;
	struct run_record rec;
	struct sim_err err = {0};
	char trace_file[128];
	char config[128];
	FILE *f;

	snprintf(trace_file, sizeof(trace_file), "%s/fixture.yaml", rig_dir());
	f = fopen(trace_file, "w");
	ck_assert_ptr_nonnull(f);
	im.opts.time_scale = 1.0;
	import_begin(&im.out, f, &im.opts, "bitbrains");
	ck_assert_int_eq(import_bitbrains(&src, 1, &im.out, &im.err), 0);
	fclose(f);
	rig_put_text("fixture-run.yaml", "name: bitbrains-fixture\n"
				     "duration: 30m\n"
				     "tick: 10s\n"
				     "page_size: 2MiB\n"
				     "hosts:\n"
				     "  - {name: h, count: 1, memory: 64GiB}\n"
				     "workload: fixture.yaml\n");
	snprintf(config, sizeof(config), "%s/fixture-run.yaml", rig_dir());
	ck_assert_msg(scenario_load(config, &sopts, &sc, &err) == 0, "%s:%u:%u: %s", err.file,
		      err.line, err.col, err.msg);
	ck_assert_uint_eq(trace_vm_count(&sc.trace), 3);
	ck_assert_msg(run_replication(&sc, 0, &ropts, &rec, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(rec.arrived, 3);
	ck_assert_uint_eq(rec.placed, 3);
	ck_assert_uint_eq(rec.rejected, 0);
	ck_assert(rec.touches > 0);
	results_release(&rec);
	scenario_release(&sc);
}
END_TEST

/* The header says [ms]: seconds and real milliseconds both read right. */
START_TEST(timestamp_unit_is_detected)
{
	rig_put_text("units/a.csv", HDR "1372629804;\t1024;\t512\n1372630104;\t1024;\t256\n");
	rig_put_text("units/b.csv",
		     HDR "1372630404000;\t2048;\t1024\n1372630704000;\t2048;\t4096\n");
	rig_put_text("units/c.csv", "Timestamp [s];\tMemory capacity provisioned [KB];\t"
				"Memory usage [KB]\n1372631004;\t1024;\t1024\n");
	rig_put_text("units/notes.txt", "not a csv, ignored\n");
	{
		char path[128];

		snprintf(path, sizeof(path), "%s/units", rig_dir());
		import_and_load(path);
	}
	ck_assert_uint_eq(im.out.rep.files, 3);
	ck_assert_uint_eq(im.trace.n_vms, 3);
	/* Only a.csv had seconds under an [ms] header. */
	ck_assert_uint_eq(rig_note(&im, "Unix seconds"), 1);
	ck_assert_int_eq(rig_vm(&im, "bb-a")->arrive_ns, 0);
	ck_assert_int_eq(rig_vm(&im, "bb-a")->depart_ns, 600 * S);
	ck_assert_int_eq(rig_vm(&im, "bb-b")->arrive_ns, 600 * S);
	ck_assert_int_eq(rig_vm(&im, "bb-b")->depart_ns, 1200 * S);
	/* 4096 KB used of 2048: clamped. */
	ck_assert_int_eq(rig_vm(&im, "bb-b")->phases[1].ws_bytes, 2048 * 1024);
	ck_assert_int_eq(rig_vm(&im, "bb-c")->arrive_ns, 1200 * S);
	ck_assert_int_eq(rig_vm(&im, "bb-c")->depart_ns, 1500 * S);
}
END_TEST

START_TEST(rows_out_of_order_are_sorted_and_duplicates_dropped)
{
	const struct vm_spec *v;

	/* Line 2 is at 300 s, line 3 at 0, line 4 repeats 0, line 5 at 600 s. */
	import_and_load(rig_put_text("order.csv", HDR "1000300;\t8;\t1\n1000000;\t8;\t2\n"
						"1000000;\t8;\t3\n1000600;\t8;\t4\n"));
	ck_assert_uint_eq(im.out.rep.rows, 4);
	ck_assert_uint_eq(rig_note(&im, "out of time order"), 1);
	ck_assert_uint_eq(rig_note(&im, "duplicate"), 1);
	v = rig_vm(&im, "bb-order");
	ck_assert_uint_eq(v->n_phases, 3);
	ck_assert_int_eq(v->phases[0].ws_bytes, 2 * 1024);      /* the first of the two at 0 */
	ck_assert_int_eq(v->phases[1].ws_bytes, 1 * 1024);
	ck_assert_int_eq(v->phases[2].ws_bytes, 4 * 1024);
	ck_assert_int_eq(v->depart_ns, 900 * S);
	ck_assert_int_eq(v->memory_bytes, 8 * 1024);
}
END_TEST

START_TEST(vm_never_provisioned_is_skipped)
{
	char path[128];

	rig_put_text("zero/a.csv", HDR "1000000;\t0.0;\t0.0\n1000300;\t0.0;\t0.0\n");
	rig_put_text("zero/b.csv", HDR "1000600;\t1.5;\t1\n");
	snprintf(path, sizeof(path), "%s/zero", rig_dir());
	import_and_load(path);
	ck_assert_uint_eq(im.out.rep.files, 2);
	ck_assert_uint_eq(im.out.rep.rows, 3);
	ck_assert_uint_eq(rig_note(&im, "throughout"), 1);
	ck_assert_uint_eq(rig_note(&im, "provisioned memory 0 (VM not running)"), 2);
	ck_assert_uint_eq(im.trace.n_vms, 1);
	/* Time 0 is the first kept row, b's; 1.5 KB is 1536 bytes. */
	ck_assert_int_eq(rig_vm(&im, "bb-b")->arrive_ns, 0);
	ck_assert_int_eq(rig_vm(&im, "bb-b")->memory_bytes, 1536);
}
END_TEST

/* Refusals: each returns a negative code with its place and a clear message. */
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

START_TEST(wrong_header_is_refused)
{
	const char *p = rig_put_text("hdr.csv", "Timestamp [ms];\tCPU cores;\tMemory [KB]\n"
					     "1372629804;\t2;\t512\n");

	import_one(p);
	assert_refused(-SIM_EINVAL, p, 1, 1, "no 'Memory capacity provisioned [KB]' column");
	/* A file without a header at all. */
	p = rig_put_text("nohdr.csv", "1372629804;\t2;\t512\n");
	import_one(p);
	assert_refused(-SIM_EINVAL, p, 1, 1, "not a Bitbrains header");
}
END_TEST

START_TEST(non_numeric_field_is_located)
{
	/* "1372630104;\t" is 12 columns and "1024;\t" 6, so the usage is at column 19. */
	const char *p = rig_put_text("nan.csv", HDR "1372629804;\t1024;\t512\n"
					    "1372630104;\t1024;\t51x2\n");

	import_one(p);
	assert_refused(-SIM_EINVAL, p, 3, 19, "'51x2' is not a number");
}
END_TEST

START_TEST(wrong_number_of_fields_is_located)
{
	const char *p =
		rig_put_text("short.csv", HDR "1372629804;\t1024;\t512\n1372630104;\t1024\n");

	import_one(p);
	/* The missing third field is reported at column 1. */
	assert_refused(-SIM_EINVAL, p, 3, 1, "2 fields, expected 3");
	p = rig_put_text("long.csv", HDR "1372629804;\t1024;\t512;\t7\n");
	import_one(p);
	/* "1372629804;\t1024;\t512;\t" is 23 columns: the extra field is at 24. */
	assert_refused(-SIM_EINVAL, p, 2, 24, "4 fields, expected 3");
}
END_TEST

START_TEST(binary_file_is_refused)
{
	static const char elf[] = "\x7f" "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0>\0";
	const char *p = rig_put("elf.csv", elf, sizeof(elf));

	import_one(p);
	assert_refused(-SIM_EINVAL, p, 1, 8, "not a text file");
}
END_TEST

START_TEST(empty_file_is_refused)
{
	const char *p = rig_put_text("empty.csv", "");

	import_one(p);
	assert_refused(-SIM_EINVAL, p, 0, 0, "empty file");
	p = rig_put_text("header-only.csv", HDR);
	import_one(p);
	assert_refused(-SIM_EINVAL, p, 1, 1, "no data rows");
}
END_TEST

START_TEST(missing_path_is_refused)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/no-such-folder", rig_dir());
	import_one(path);
	assert_refused(-SIM_EIO, path, 0, 0, "cannot open: No such file or directory");
}
END_TEST

START_TEST(folder_without_csv_is_refused)
{
	char path[128];

	rig_put_text("nocsv/readme.txt", "nothing here\n");
	snprintf(path, sizeof(path), "%s/nocsv", rig_dir());
	import_one(path);
	assert_refused(-SIM_EINVAL, path, 0, 0, "no *.csv file");
}
END_TEST

START_TEST(bad_values_are_refused)
{
	/* 5e10 is neither seconds (below 9e9) nor milliseconds (from 1e11). */
	const char *p = rig_put_text("ts.csv", HDR "5e10;\t1024;\t512\n");

	import_one(p);
	assert_refused(-SIM_EINVAL, p, 2, 1, "neither Unix seconds nor milliseconds");
	p = rig_put_text("mixed.csv", HDR "1372629804;\t1024;\t512\n1372630104000;\t1024;\t512\n");
	import_one(p);
	assert_refused(-SIM_EINVAL, p, 3, 1, "in milliseconds, but the first row's is in seconds");
	p = rig_put_text("neg.csv", HDR "1372629804;\t1024;\t-5\n");
	import_one(p);
	assert_refused(-SIM_ERANGE, p, 2, 19, "negative memory usage");
}
END_TEST

START_TEST(same_vm_twice_is_refused)
{
	const char *paths[2];

	paths[0] = rig_put_text("one/7.csv", HDR "1372629804;\t1024;\t512\n");
	paths[1] = rig_put_text("two/7.csv", HDR "1372629804;\t1024;\t512\n");
	import_paths(paths, 2);
	assert_refused(-SIM_EDUP, paths[1], 0, 0, "VM 'bb-7' again");
}
END_TEST

/* A day imported to a file runs: 25 of the 27 VMs arrive within 2 h (VMs 14
 * and 319 start weeks later), and all 25 are placed and touch memory. */
START_TEST(imported_day_runs_end_to_end)
{
	const char *src = rig_trace_path("bitbrains-rnd/2013-7-first24h");
	struct scenario_opts sopts = {0};
	struct run_opts ropts = {.check_every = 60};
	struct scenario sc;
	struct run_record rec;
	struct sim_err err = {0};
	char trace_file[128];
	char config[128];
	FILE *f;

	snprintf(trace_file, sizeof(trace_file), "%s/first24h.yaml", rig_dir());
	f = fopen(trace_file, "w");
	ck_assert_ptr_nonnull(f);
	im.opts.time_scale = 1.0;
	import_begin(&im.out, f, &im.opts, "bitbrains");
	ck_assert_int_eq(import_bitbrains(&src, 1, &im.out, &im.err), 0);
	fclose(f);
	rig_put_text("run.yaml", "name: bitbrains-day\n"
			     "duration: 2h\n"
			     "tick: 10s\n"
			     "page_size: 2MiB\n"
			     "hosts:\n"
			     "  - {name: h, count: 8, memory: 64GiB}\n"
			     "workload: first24h.yaml\n");
	snprintf(config, sizeof(config), "%s/run.yaml", rig_dir());
	ck_assert_msg(scenario_load(config, &sopts, &sc, &err) == 0, "%s:%u:%u: %s", err.file,
		      err.line, err.col, err.msg);
	ck_assert_uint_eq(trace_vm_count(&sc.trace), 27);
	ck_assert_msg(run_replication(&sc, 0, &ropts, &rec, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(rec.arrived, 25);
	ck_assert_uint_eq(rec.placed, 25);
	ck_assert_uint_eq(rec.rejected, 0);
	ck_assert(rec.touches > 0);
	results_release(&rec);
	scenario_release(&sc);
}
END_TEST

Suite *import_bitbrains_suite(void)
{
	Suite *s = suite_create("import_bitbrains");
	TCase *fix = tcase_create("fixture");
	TCase *bad = tcase_create("made");
	TCase *tc;

	tcase_add_unchecked_fixture(fix, rig_dir_make, rig_dir_remove);
	tcase_add_checked_fixture(fix, setup, teardown);
	tcase_add_test(fix, fixture_counts_and_notes);
	tcase_add_test(fix, fixture_vm1_points_and_scientific_notation);
	tcase_add_test(fix, fixture_late_vm_ramps_up_and_is_clamped);
	tcase_add_test(fix, fixture_rows_out_of_order_are_sorted);
	tcase_add_test(fix, fixture_folder_and_file_mix);
	tcase_add_test(fix, fixture_runs_end_to_end);
	suite_add_tcase(s, fix);

	if (rig_real_traces("import_bitbrains")) {
		tc = tcase_create("real");
		tcase_add_unchecked_fixture(tc, rig_dir_make, rig_dir_remove);
		tcase_add_checked_fixture(tc, setup, teardown);
		tcase_set_timeout(tc, 30);
		tcase_add_test(tc, first24h_counts_and_notes);
		tcase_add_test(tc, first24h_vm1_first_rows);
		tcase_add_test(tc, first24h_scientific_notation);
		tcase_add_test(tc, first24h_vm319_zero_rows_skipped_and_usage_clamped);
		tcase_add_test(tc, whole_month_files_start_late_and_ramp_up);
		tcase_add_test(tc, faststorage_whole_file);
		tcase_add_test(tc, folders_and_files_mix);
		tcase_add_test(tc, imported_day_runs_end_to_end);
		suite_add_tcase(s, tc);
	}

	tcase_add_unchecked_fixture(bad, rig_dir_make, rig_dir_remove);
	tcase_add_checked_fixture(bad, setup, teardown);
	tcase_add_test(bad, timestamp_unit_is_detected);
	tcase_add_test(bad, rows_out_of_order_are_sorted_and_duplicates_dropped);
	tcase_add_test(bad, vm_never_provisioned_is_skipped);
	tcase_add_test(bad, wrong_header_is_refused);
	tcase_add_test(bad, non_numeric_field_is_located);
	tcase_add_test(bad, wrong_number_of_fields_is_located);
	tcase_add_test(bad, binary_file_is_refused);
	tcase_add_test(bad, empty_file_is_refused);
	tcase_add_test(bad, missing_path_is_refused);
	tcase_add_test(bad, folder_without_csv_is_refused);
	tcase_add_test(bad, bad_values_are_refused);
	tcase_add_test(bad, same_vm_twice_is_refused);
	suite_add_tcase(s, bad);
	return s;
}
