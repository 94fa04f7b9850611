/*
 * tests/check_scenario.c - scenario_load on tiny configs: every kind of input error is
 * refused with its exact code and the 1-based line and column of the offending key or
 * value (worked out by hand from the YAML below), --set and --seed overrides apply before
 * reading, and defaults are written into the effective config tree.
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cfg.h"
#include "err.h"
#include "scenario.h"
#include "suites.h"

/* Four lines of a valid host group list, and a valid inline workload. */
#define HOSTS                                                                              \
	"hosts:\n"                                                                         \
	"  - name: std\n"                                                                  \
	"    count: 2\n"                                                                   \
	"    memory: 64GiB\n"
#define WORKLOAD                                                                           \
	"workload:\n"                                                                      \
	"  vms:\n"                                                                         \
	"    - name: a\n"                                                                  \
	"      memory: 1GiB\n"

/* One temporary folder per TCase, made and removed in the parent process. */
static char dir[64];
static struct scenario sc;
static struct sim_err err;

static void dir_make(void)
{
	snprintf(dir, sizeof(dir), "/tmp/memsim-check-scenario-XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		abort();
	}
}

/* Removes the folder and what the tests put in it (files and empty folders). */
static void dir_remove(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[512];

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (unlink(path) != 0)
			rmdir(path);
	}
	closedir(d);
	rmdir(dir);
}

static void setup(void)
{
	memset(&sc, 0, sizeof(sc));
	memset(&err, 0, sizeof(err));
}

static void teardown(void)
{
	scenario_release(&sc);
}

/* Writes text to dir/name; returns the path (valid until the next call). */
static const char *put(const char *name, const char *text)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	ck_assert_msg(f != NULL, "cannot write %s", path);
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
	return path;
}

/* Loads text as the config dir/c.yaml. */
static int load_with(const char *text, const struct scenario_opts *opts)
{
	char path[512];

	snprintf(path, sizeof(path), "%s", put("c.yaml", text));
	return scenario_load(path, opts, &sc, &err);
}

static int load(const char *text)
{
	return load_with(text, NULL);
}

/* Loads text with --set overrides. */
static int load_sets(const char *text, const char *const *sets, size_t n)
{
	struct scenario_opts o = {.sets = sets, .n_sets = n};

	return load_with(text, &o);
}

static int ends_with(const char *s, const char *tail)
{
	size_t a = strlen(s), b = strlen(tail);

	return a >= b && strcmp(s + a - b, tail) == 0;
}

/* Why the last load does not match the expected error, or NULL when it does. */
static const char *mismatch(int rc, int code, const char *file, unsigned line, unsigned col,
			    const char *word)
{
	static char why[1024];

	if (rc != code || err.code != code)
		snprintf(why, sizeof(why), "rc %d (%s), want %d (%s); %s:%u:%u: %s", rc,
			 sim_strerror(rc), code, sim_strerror(code), err.file, err.line, err.col,
			 err.msg);
	else if (!ends_with(err.file, file))
		snprintf(why, sizeof(why), "error in '%s', want '%s'", err.file, file);
	else if (err.line != line || err.col != col)
		snprintf(why, sizeof(why), "at %u:%u, want %u:%u (%s)", err.line, err.col, line,
			 col, err.msg);
	else if (!strstr(err.msg, word))
		snprintf(why, sizeof(why), "message '%s' lacks '%s'", err.msg, word);
	else
		return NULL;
	return why;
}

/* Asserts the load failed with code in file (a suffix) at line:col, naming word. */
#define fails_at(rc, code, file, line, col, word)                                          \
	do {                                                                               \
		const char *why_ = mismatch(rc, code, file, line, col, word);              \
		ck_assert_msg(why_ == NULL, "%s", why_);                                   \
	} while (0)

static void loads(int rc)
{
	ck_assert_msg(rc == 0, "load failed: %d %s:%u:%u: %s", rc, err.file, err.line, err.col,
		      err.msg);
}

/* --- a valid config, defaults and overrides -------------------------- */

START_TEST(valid_config_loads_and_writes_defaults_into_the_tree)
{
	struct cfg_node *n;

	loads(load("duration: 1h\n" HOSTS WORKLOAD));
	ck_assert_int_eq(sc.n_groups, 1);
	ck_assert_int_eq(sc.groups[0].count, 2);
	ck_assert_int_eq(sc.n_hosts, 2);
	ck_assert_int_eq(sc.groups[0].memory_bytes, 64LL << 30);
	ck_assert_int_eq(sc.duration_ns, 3600LL * 1000000000LL);
	ck_assert_int_eq(sc.trace.n_vms, 1);
	ck_assert_str_eq(sc.name, "c");
	ck_assert_uint_eq(sc.seed, 1);
	ck_assert_int_eq(sc.replications, 1);

	n = cfg_at_path(sc.root, "tick");
	ck_assert_ptr_nonnull(n);
	ck_assert_int_eq(n->norm, CFG_NORM_NUM);
	ck_assert_double_eq_tol(n->as_num, 1.0, 1e-12);
	ck_assert_int_eq(sc.tick_ns, 1000000000LL);
	n = cfg_at_path(sc.root, "sample");
	ck_assert_ptr_nonnull(n);
	ck_assert_double_eq_tol(n->as_num, 60.0, 1e-12);
	n = cfg_at_path(sc.root, "page_size");
	ck_assert_ptr_nonnull(n);
	ck_assert_int_eq(n->as_int, 4096);
	n = cfg_at_path(sc.root, "hosts.0.overhead");
	ck_assert_ptr_nonnull(n);
	ck_assert_int_eq(n->as_int, 0);
	n = cfg_at_path(sc.root, "hosts.0.swap.size");
	ck_assert_ptr_nonnull(n);
	ck_assert_int_eq(n->as_int, 64LL << 30);
	n = cfg_at_path(sc.root, "policies.placement.policy");
	ck_assert_ptr_nonnull(n);
	ck_assert_str_eq(n->text, "first-fit");
	ck_assert_ptr_nonnull(cfg_at_path(sc.root, "workload.vms.0.phases.0.working_set"));
}
END_TEST

/* The datastore's defaults: an Intel DC S4500's 110/52 us and 500 MB/s (its datasheet). */
START_TEST(disk_defaults_are_an_ssd_datastore_and_its_keys_are_read)
{
	struct cfg_node *n;

	loads(load("duration: 1h\n" HOSTS WORKLOAD));
	ck_assert_int_eq(sc.groups[0].disk.read_latency_ns, 110000);
	ck_assert_int_eq(sc.groups[0].disk.write_latency_ns, 52000);
	ck_assert_double_eq(sc.groups[0].disk.bandwidth, 500e6);
	n = cfg_at_path(sc.root, "hosts.0.disk.bandwidth");
	ck_assert_ptr_nonnull(n);
	scenario_release(&sc);
	loads(load("duration: 1h\n" HOSTS
		   "    disk: {read_latency: 1ms, write_latency: 2ms, bandwidth: 100MB/s}\n"
		   WORKLOAD));
	ck_assert_int_eq(sc.groups[0].disk.read_latency_ns, 1000000);
	ck_assert_int_eq(sc.groups[0].disk.write_latency_ns, 2000000);
	ck_assert_double_eq(sc.groups[0].disk.bandwidth, 100e6);
}
END_TEST

START_TEST(zero_disk_bandwidth_is_erange_at_the_value)
{
	int rc = load("duration: 1h\n" HOSTS "    disk: {bandwidth: 0MB/s}\n" WORKLOAD);

	fails_at(rc, -SIM_ERANGE, "c.yaml", 6, 23, "disk bandwidth");
}
END_TEST

/* The datastore's latencies and bandwidth have the swap device's ranges: at most 1 h, and
 * 1 MB/s to 1 TB/s, so that a request's cost stays far inside 64 bits. */
START_TEST(disk_latency_and_bandwidth_out_of_range_are_erange_at_the_value)
{
	int rc = load("duration: 1h\n" HOSTS "    disk: {read_latency: 2h}\n" WORKLOAD);

	fails_at(rc, -SIM_ERANGE, "c.yaml", 6, 26, "read_latency");
	scenario_release(&sc);
	rc = load("duration: 1h\n" HOSTS "    disk: {bandwidth: 2TB/s}\n" WORKLOAD);
	fails_at(rc, -SIM_ERANGE, "c.yaml", 6, 23, "between 1MB/s and 1TB/s");
}
END_TEST

/* An old config's flat guest swap-in latency is refused, saying where the setting went. */
START_TEST(latency_guest_swap_in_is_refused_at_the_key_naming_hosts_disk)
{
	int rc = load("duration: 1h\n" HOSTS
		      "latency:\n"
		      "  zero_fill: 2us\n"
		      "  guest_swap_in: 100us\n" WORKLOAD);

	fails_at(rc, -SIM_EKEY, "c.yaml", 8, 3, "hosts[].disk");
}
END_TEST

START_TEST(set_override_changes_host_count_before_reading)
{
	static const char *const sets[] = {"hosts.0.count=3"};

	loads(load_sets("duration: 1h\n" HOSTS WORKLOAD, sets, 1));
	ck_assert_int_eq(sc.groups[0].count, 3);
	ck_assert_int_eq(sc.n_hosts, 3);
	ck_assert_int_eq(cfg_at_path(sc.root, "hosts.0.count")->as_int, 3);
}
END_TEST

START_TEST(set_adding_unknown_key_is_ekey_located_in_set)
{
	static const char *const sets[] = {"hosts.0.colour=red"};
	int rc = load_sets("duration: 1h\n" HOSTS WORKLOAD, sets, 1);

	/* cfg.h: nodes from --set have line 0, so the message has no line:col. */
	fails_at(rc, -SIM_EKEY, "", 0, 0, "'colour'");
	ck_assert_msg(!strncmp(err.file, "--set", 5), "error in '%s', want '--set...'", err.file);
}
END_TEST

START_TEST(set_without_equals_is_einval_naming_the_assignment)
{
	static const char *const sets[] = {"hosts.0.count"};
	int rc = load_sets("duration: 1h\n" HOSTS WORKLOAD, sets, 1);

	fails_at(rc, -SIM_EINVAL, "", 0, 0, "KEY=VALUE");
	ck_assert_msg(!strncmp(err.file, "--set", 5), "error in '%s', want '--set...'", err.file);
	ck_assert_msg(strstr(err.msg, "hosts.0.count") != NULL, "%s", err.msg);
}
END_TEST

#define STATIC_BALLOON \
	"policies:\n" \
	"  balloon: {policy: static, target: 30%, rate: 1GiB/s, max: 50%}\n"

/* Replacing a policy by name drops the replaced policy's parameters (none
 * has no target) and keeps the balloon driver's own rate and max. */
START_TEST(set_of_another_policy_name_replaces_its_whole_mapping)
{
	static const char *const sets[] = {"policies.balloon.policy=none"};
	struct cfg_node *m;

	loads(load_sets("duration: 1h\n" HOSTS STATIC_BALLOON WORKLOAD, sets, 1));
	m = cfg_at_path(sc.root, "policies.balloon");
	ck_assert_str_eq(cfg_get(m, "policy")->text, "none");
	ck_assert_ptr_null(cfg_get(m, "target"));
	ck_assert_double_eq_tol(sc.balloon_rate, 1024.0 * 1024 * 1024, 1e-3);
	ck_assert_double_eq_tol(sc.balloon_max, 0.5, 1e-12);
	ck_assert_str_eq(sc.policies[FAMILY_BALLOON].info->name, "none");
}
END_TEST

/* The same name is no replacement: its parameters stay; and a parameter
 * set after the name applies to the new policy. */
START_TEST(set_of_the_same_policy_name_keeps_its_parameters)
{
	static const char *const same[] = {"policies.balloon.policy=static"};
	static const char *const then[] = {"policies.reclaim.policy=none",
					   "policies.balloon.policy=none",
					   "policies.balloon.policy=static",
					   "policies.balloon.target=10%"};

	loads(load_sets("duration: 1h\n" HOSTS STATIC_BALLOON WORKLOAD, same, 1));
	ck_assert_double_eq_tol(cfg_at_path(sc.root, "policies.balloon.target")->as_num, 0.3,
				1e-12);
	scenario_release(&sc);
	loads(load_sets("duration: 1h\n" HOSTS STATIC_BALLOON WORKLOAD, then, 4));
	ck_assert_double_eq_tol(cfg_at_path(sc.root, "policies.balloon.target")->as_num, 0.1,
				1e-12);
}
END_TEST

/* Without the replacement, none would refuse the inherited target. */
START_TEST(a_policy_parameter_left_over_is_still_refused_in_the_file)
{
	int rc = load("duration: 1h\n" HOSTS
		      "policies:\n"
		      "  balloon: {policy: none, target: 30%}\n" WORKLOAD);

	fails_at(rc, -SIM_EKEY, "c.yaml", 7, 27, "'target'");
}
END_TEST

START_TEST(seed_option_overrides_the_config_seed)
{
	struct scenario_opts o = {.has_seed = true, .seed = 7};

	loads(load_with("seed: 3\nduration: 1h\n" HOSTS WORKLOAD, &o));
	ck_assert_uint_eq(sc.seed, 7);
	ck_assert_int_eq(cfg_at_path(sc.root, "seed")->as_int, 7);
}
END_TEST

/* --- unknown keys ------------------------------------------------------ */

START_TEST(unknown_top_level_key_is_ekey_at_the_key_with_did_you_mean)
{
	int rc = load("name: t\n"
		      "duraton: 1h\n" HOSTS WORKLOAD);

	fails_at(rc, -SIM_EKEY, "c.yaml", 2, 1, "did you mean 'duration'");
}
END_TEST

START_TEST(unknown_key_in_host_group_is_ekey_at_the_key)
{
	int rc = load("duration: 1h\n"
		      "hosts:\n"
		      "  - name: std\n"
		      "    memroy: 64GiB\n" WORKLOAD);

	fails_at(rc, -SIM_EKEY, "c.yaml", 4, 5, "did you mean 'memory'");
}
END_TEST

START_TEST(unknown_policy_parameter_is_ekey_at_the_key)
{
	int rc = load("duration: 1h\n" HOSTS
		      "policies:\n"
		      "  overcommit:\n"
		      "    policy: ratio\n"
		      "    maxx: 1.5\n" WORKLOAD);

	fails_at(rc, -SIM_EKEY, "c.yaml", 9, 5, "did you mean 'max'");
}
END_TEST

START_TEST(unknown_key_in_vm_is_ekey_at_the_key)
{
	int rc = load("duration: 1h\n" HOSTS WORKLOAD "      reservaton: 1GiB\n");

	fails_at(rc, -SIM_EKEY, "c.yaml", 10, 7, "did you mean 'reservation'");
}
END_TEST

START_TEST(error_in_workload_file_is_located_in_that_file)
{
	int rc;

	put("wl.yaml", "vms:\n"
		       "  - name: a\n"
		       "    memory: 1GiB\n"
		       "grups: []\n");
	rc = load("duration: 1h\n" HOSTS "workload: wl.yaml\n");
	fails_at(rc, -SIM_EKEY, "/wl.yaml", 4, 1, "did you mean 'groups'");
}
END_TEST

/* --- types, units and ranges ----------------------------------------------- */

START_TEST(hosts_as_mapping_is_etype_at_the_mapping)
{
	int rc = load("duration: 1h\n"
		      "hosts: {name: std, memory: 64GiB}\n" WORKLOAD);

	fails_at(rc, -SIM_ETYPE, "c.yaml", 2, 8, "list");
}
END_TEST

START_TEST(count_as_list_is_etype_at_the_list)
{
	int rc = load("duration: 1h\n"
		      "hosts:\n"
		      "  - name: std\n"
		      "    count: [1, 2]\n"
		      "    memory: 64GiB\n" WORKLOAD);

	fails_at(rc, -SIM_ETYPE, "c.yaml", 4, 12, "plain value");
}
END_TEST

START_TEST(misspelled_size_unit_is_eunit_at_the_value)
{
	int rc = load("duration: 1h\n"
		      "hosts:\n"
		      "  - name: std\n"
		      "    count: 2\n"
		      "    memory: 64GiBs\n" WORKLOAD);

	fails_at(rc, -SIM_EUNIT, "c.yaml", 5, 13, "64GiBs");
}
END_TEST

START_TEST(duration_in_words_is_eunit_at_the_value)
{
	int rc = load("duration: 6 hours\n" HOSTS WORKLOAD);

	fails_at(rc, -SIM_EUNIT, "c.yaml", 1, 11, "unit");
}
END_TEST

START_TEST(negative_memory_is_erange_at_the_value)
{
	int rc = load("duration: 1h\n"
		      "hosts:\n"
		      "  - name: std\n"
		      "    count: 2\n"
		      "    memory: -1GiB\n" WORKLOAD);

	fails_at(rc, -SIM_ERANGE, "c.yaml", 5, 13, "negative");
}
END_TEST

START_TEST(overhead_not_below_memory_is_erange_at_overhead)
{
	int rc = load("duration: 1h\n" HOSTS "    overhead: 64GiB\n" WORKLOAD);

	fails_at(rc, -SIM_ERANGE, "c.yaml", 6, 15, "overhead");
}
END_TEST

START_TEST(page_size_not_power_of_two_is_erange_at_the_value)
{
	int rc = load("duration: 1h\n"
		      "page_size: 12KiB\n" HOSTS WORKLOAD);

	fails_at(rc, -SIM_ERANGE, "c.yaml", 2, 12, "power of two");
}
END_TEST

START_TEST(zero_replications_is_erange_at_the_value)
{
	int rc = load("duration: 1h\n"
		      "replications: 0\n" HOSTS WORKLOAD);

	fails_at(rc, -SIM_ERANGE, "c.yaml", 2, 15, "replications");
}
END_TEST

START_TEST(a_name_that_is_not_a_safe_file_name_is_refused)
{
	int rc = load("name: ../escaped\n"
		      "duration: 1h\n" HOSTS WORKLOAD);

	fails_at(rc, -SIM_EINVAL, "c.yaml", 1, 7, "name");
}
END_TEST

START_TEST(a_key_without_a_value_says_so)
{
	int rc = load("duration:\n" HOSTS WORKLOAD);

	ck_assert_int_eq(rc, -SIM_EINVAL);
	ck_assert_uint_eq(err.line, 1);
	ck_assert_ptr_nonnull(strstr(err.msg, "'duration' has no value"));
}
END_TEST

START_TEST(set_with_an_empty_key_in_the_path_is_refused)
{
	static const char *const sets[] = {"hosts..count=3"};
	int rc = load_sets("duration: 1h\n" HOSTS WORKLOAD, sets, 1);

	fails_at(rc, -SIM_EINVAL, "--set", 0, 0, "empty key");
}
END_TEST

START_TEST(memory_overflowing_64_bits_is_erange_at_the_value)
{
	int rc = load("duration: 1h\n"
		      "hosts:\n"
		      "  - name: std\n"
		      "    count: 2\n"
		      "    memory: 99999999999TiB\n" WORKLOAD);

	fails_at(rc, -SIM_ERANGE, "c.yaml", 5, 13, "too large");
}
END_TEST

START_TEST(seed_overflowing_64_bits_is_erange_at_the_value)
{
	int rc = load("duration: 1h\n"
		      "seed: 99999999999999999999\n" HOSTS WORKLOAD);

	fails_at(rc, -SIM_ERANGE, "c.yaml", 2, 7, "overflows");
}
END_TEST

/* --- missing keys and files ------------------------------------------------ */

START_TEST(missing_duration_is_emissing_at_the_top_mapping)
{
	/* The top mapping starts at its first key, after the comment. */
	int rc = load("# no duration\n" HOSTS WORKLOAD);

	fails_at(rc, -SIM_EMISSING, "c.yaml", 2, 1, "'duration'");
}
END_TEST

START_TEST(missing_hosts_is_emissing_at_the_top_mapping)
{
	int rc = load("duration: 1h\n" WORKLOAD);

	fails_at(rc, -SIM_EMISSING, "c.yaml", 1, 1, "'hosts'");
}
END_TEST

START_TEST(host_group_without_memory_is_emissing_at_the_group)
{
	int rc = load("duration: 1h\n"
		      "hosts:\n"
		      "  - name: std\n"
		      "    count: 2\n" WORKLOAD);

	fails_at(rc, -SIM_EMISSING, "c.yaml", 3, 5, "'memory'");
}
END_TEST

START_TEST(missing_workload_is_emissing_at_the_top_mapping)
{
	int rc = load("duration: 1h\n" HOSTS);

	fails_at(rc, -SIM_EMISSING, "c.yaml", 1, 1, "'workload'");
}
END_TEST

START_TEST(missing_config_file_is_eio_naming_the_file)
{
	char path[512];
	int rc;

	snprintf(path, sizeof(path), "%s/nosuch.yaml", dir);
	rc = scenario_load(path, NULL, &sc, &err);
	fails_at(rc, -SIM_EIO, "/nosuch.yaml", 0, 0, "cannot open");
}
END_TEST

START_TEST(missing_workload_file_is_eio_at_the_workload_line)
{
	int rc = load("duration: 1h\n" HOSTS "workload: nosuch.yaml\n");

	fails_at(rc, -SIM_EIO, "c.yaml", 6, 11, "nosuch.yaml");
}
END_TEST

START_TEST(unreadable_workload_file_is_eio_at_the_workload_line)
{
	char sub[512];
	int rc;

	/* A folder opens but cannot be read, even for root (unlike chmod 000). */
	snprintf(sub, sizeof(sub), "%s/wl.d", dir);
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	rc = load("duration: 1h\n" HOSTS "workload: wl.d\n");
	fails_at(rc, -SIM_EIO, "c.yaml", 6, 11, "wl.d");
}
END_TEST

/* --- duplicates and syntax ------------------------------------------------- */

START_TEST(duplicate_host_group_name_is_edup_at_the_second_name)
{
	int rc = load("duration: 1h\n"
		      "hosts:\n"
		      "  - name: std\n"
		      "    memory: 64GiB\n"
		      "  - name: std\n"
		      "    memory: 32GiB\n" WORKLOAD);

	fails_at(rc, -SIM_EDUP, "c.yaml", 5, 11, "'std'");
}
END_TEST

START_TEST(duplicate_vm_name_is_edup_at_the_second_name)
{
	int rc = load("duration: 1h\n" HOSTS WORKLOAD
		      "    - name: a\n"
		      "      memory: 2GiB\n");

	fails_at(rc, -SIM_EDUP, "c.yaml", 10, 13, "duplicate VM name 'a'");
}
END_TEST

START_TEST(duplicate_yaml_key_is_edup_at_the_second_key)
{
	int rc = load("duration: 1h\n" HOSTS "duration: 2h\n" WORKLOAD);

	fails_at(rc, -SIM_EDUP, "c.yaml", 6, 1, "duplicate key 'duration'");
}
END_TEST

START_TEST(yaml_syntax_error_is_esyntax_at_the_second_colon)
{
	int rc = load("name: t\n"
		      "duration: 1h: 2\n" HOSTS WORKLOAD);

	fails_at(rc, -SIM_ESYNTAX, "c.yaml", 2, 13, "syntax");
}
END_TEST

/* --- policies -------------------------------------------------------------- */

START_TEST(unknown_policy_is_einval_at_the_name_with_did_you_mean)
{
	int rc = load("duration: 1h\n" HOSTS
		      "policies:\n"
		      "  placement: {policy: first-fti}\n" WORKLOAD);

	fails_at(rc, -SIM_EINVAL, "c.yaml", 7, 23, "did you mean 'first-fit'");
}
END_TEST

/* A policy not built is absent: an unknown name, listing the known ones. */
START_TEST(unbuilt_sharing_policy_is_unknown_and_the_known_ones_are_listed)
{
	int rc = load("duration: 1h\n" HOSTS
		      "policies:\n"
		      "  sharing: {policy: difference-engine}\n" WORKLOAD);

	fails_at(rc, -SIM_EINVAL, "c.yaml", 7, 21,
		 "unknown sharing policy 'difference-engine' (known: none, zero-only, ksm, tps)");
}
END_TEST

START_TEST(unbuilt_balloon_policy_is_unknown_and_the_known_ones_are_listed)
{
	int rc = load("duration: 1h\n" HOSTS
		      "policies:\n"
		      "  balloon: {policy: xen}\n" WORKLOAD);

	fails_at(rc, -SIM_EINVAL, "c.yaml", 7, 21,
		 "unknown balloon policy 'xen' "
		 "(known: none, static, esx-idle-tax, mom, hyperv-dynamic)");
}
END_TEST

/* esx-idle-tax: Mem.IdleTax is 75% by default, at most 99%
 * (MECHANISMS.md 1.1), and its balloons are capped at Mem.CtlMaxPercent,
 * 65% (MECHANISMS.md 1.4), unless the config says otherwise. */
START_TEST(esx_idle_tax_defaults_to_a_75_percent_tax_and_a_65_percent_cap)
{
	static const char *const sets[] = {"policies.balloon.tax_rate=0"};
	static const char *const replace[] = {"policies.balloon.policy=static"};
	int rc;

	loads(load("duration: 1h\n" HOSTS "policies:\n  balloon: {policy: esx-idle-tax}\n"
		   WORKLOAD));
	ck_assert_double_eq_tol(cfg_at_path(sc.root, "policies.balloon.tax_rate")->as_num, 0.75,
				1e-12);
	ck_assert_double_eq_tol(sc.balloon_max, 0.65, 1e-12);
	scenario_release(&sc);
	/* DESIGN.md's own --set example. */
	loads(load_sets("duration: 1h\n" HOSTS "policies:\n  balloon: {policy: esx-idle-tax}\n"
			WORKLOAD, sets, 1));
	ck_assert_double_eq(cfg_at_path(sc.root, "policies.balloon.tax_rate")->as_num, 0);
	scenario_release(&sc);
	/* Replaced by name, it leaves static none of its parameters. */
	loads(load_sets("duration: 1h\n" HOSTS
			"policies:\n  balloon: {policy: esx-idle-tax, tax_rate: 50%, period: 2s}\n"
			WORKLOAD, replace, 1));
	ck_assert_ptr_null(cfg_at_path(sc.root, "policies.balloon.tax_rate"));
	ck_assert_ptr_null(cfg_at_path(sc.root, "policies.balloon.period"));
	ck_assert_str_eq(sc.policies[FAMILY_BALLOON].info->name, "static");
	scenario_release(&sc);
	rc = load("duration: 1h\n" HOSTS
		  "policies:\n"
		  "  balloon: {policy: esx-idle-tax, tax_rate: 100%}\n" WORKLOAD);
	fails_at(rc, -SIM_ERANGE, "c.yaml", 7, 45, "between 0% and 99%");
}
END_TEST

START_TEST(a_near_miss_gets_a_suggestion_and_the_list)
{
	int rc = load("duration: 1h\n" HOSTS
		      "policies:\n"
		      "  balloon: {policy: statik}\n" WORKLOAD);

	fails_at(rc, -SIM_EINVAL, "c.yaml", 7, 21,
		 "did you mean 'static'? (known: none, static, esx-idle-tax, mom, hyperv-dynamic)");
}
END_TEST

/* An old config's hosts[].swap.victims: an error at the key naming its new place. */
START_TEST(swap_victims_is_refused_at_the_key_saying_where_it_went)
{
	int rc = load("duration: 1h\n" HOSTS "    swap: {size: 8GiB, victims: clock}\n" WORKLOAD);

	fails_at(rc, -SIM_EKEY, "c.yaml", 6, 24,
		 "policies: {reclaim: {policy: swap-only, victims: clock}}");
}
END_TEST

/* The default reclaim is swap-only with random victims; victims is its parameter. */
START_TEST(reclaim_defaults_to_swap_only_and_takes_victims)
{
	static const char *const clock[] = {"policies.reclaim.victims=clock"};
	static const char *const bad[] = {"policies.reclaim.victims=lru"};

	loads(load("duration: 1h\n" HOSTS WORKLOAD));
	ck_assert_str_eq(sc.policies[FAMILY_RECLAIM].info->name, "swap-only");
	ck_assert_str_eq(cfg_at_path(sc.root, "policies.reclaim.victims")->text, "random");
	scenario_release(&sc);
	loads(load_sets("duration: 1h\n" HOSTS WORKLOAD, clock, 1));
	ck_assert_str_eq(cfg_at_path(sc.root, "policies.reclaim.victims")->text, "clock");
	scenario_release(&sc);
	ck_assert_int_eq(load_sets("duration: 1h\n" HOSTS WORKLOAD, bad, 1), -SIM_EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "lru"));
}
END_TEST

/* --- distributions ------------------------------------------------------- */

/* A config whose workload is one group, web, in lines 1-9; each test adds from line 10. */
#define GROUP                                                                              \
	"duration: 1h\n" HOSTS                                                             \
	"workload:\n"                                                                      \
	"  groups:\n"                                                                      \
	"    - name: web\n"                                                                \
	"      count: 3\n"

START_TEST(lognormal_with_zero_sigma_is_erange_at_sigma)
{
	int rc = load(GROUP "      memory: 4GiB\n"
			    "      lifetime:\n"
			    "        dist: lognormal\n"
			    "        median: 1h\n"
			    "        sigma: 0\n");

	fails_at(rc, -SIM_ERANGE, "c.yaml", 14, 16, "'sigma'");
}
END_TEST

START_TEST(uniform_with_min_not_below_max_is_erange_at_max)
{
	int rc = load(GROUP "      memory:\n"
			    "        dist: uniform\n"
			    "        min: 4GiB\n"
			    "        max: 2GiB\n");

	fails_at(rc, -SIM_ERANGE, "c.yaml", 13, 14, "greater");
}
END_TEST

START_TEST(choice_with_negative_weight_is_erange_at_the_weight)
{
	int rc = load(GROUP "      memory:\n"
			    "        choice: [2GiB, 4GiB]\n"
			    "        weights: [1, -1]\n");

	fails_at(rc, -SIM_ERANGE, "c.yaml", 12, 22, "negative");
}
END_TEST

START_TEST(choice_with_zero_weight_sum_is_einval_at_the_weights)
{
	int rc = load(GROUP "      memory:\n"
			    "        choice: [2GiB, 4GiB]\n"
			    "        weights: [0, 0]\n");

	fails_at(rc, -SIM_EINVAL, "c.yaml", 12, 18, "positive sum");
}
END_TEST

START_TEST(choice_with_more_weights_than_values_is_einval_at_the_weights)
{
	int rc = load(GROUP "      memory:\n"
			    "        choice: [2GiB, 4GiB]\n"
			    "        weights: [1, 2, 3]\n");

	fails_at(rc, -SIM_EINVAL, "c.yaml", 12, 18, "3 weights for 2 choices");
}
END_TEST

/*
 * 200k host groups load, and a repeat of the first group's name after them
 * is found at its line.  The time is printed, not asserted: the duplicate
 * check was quadratic (6.6 s for 40k groups, so minutes for these).
 */
START_TEST(host_groups_by_the_hundred_thousand_load_and_a_late_duplicate_is_found)
{
	enum { N = 200000 };
	size_t cap = 48 * (size_t)N + 256, len = 0;
	char *text = malloc(cap);
	struct timespec t0, t1;
	int i, rc;

	ck_assert_ptr_nonnull(text);
	len += (size_t)snprintf(text + len, cap - len, "duration: 1h\nhosts:\n");
	for (i = 0; i < N; i++)
		len += (size_t)snprintf(text + len, cap - len, "  - {name: h%d, memory: 1GiB}\n",
					i);
	snprintf(text + len, cap - len, WORKLOAD);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	loads(load(text));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fprintf(stderr, "scenario: %d host groups loaded in %.3f s\n", N,
		(double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	ck_assert_uint_eq(sc.n_groups, N);
	ck_assert_int_eq(sc.n_hosts, N);
	scenario_release(&sc);
	snprintf(text + len, cap - len, "  - {name: h0, memory: 1GiB}\n" WORKLOAD);
	rc = load(text);
	fails_at(rc, -SIM_EDUP, "c.yaml", N + 3, 12, "'h0'");
	free(text);
}
END_TEST

/* --- input ranges and work bounds --------------------------------------------- */

/* 2^62 bytes of host memory is past the 2^56 cap on any size. */
START_TEST(host_memory_of_2_62_bytes_is_erange_naming_the_cap)
{
	int rc = load("duration: 1h\n"
		      "hosts:\n"
		      "  - {name: std, memory: 4611686018427387904}\n" WORKLOAD);

	fails_at(rc, -SIM_ERANGE, "c.yaml", 3, 25, "64 PiB");
}
END_TEST

/* 2 PiB fits in a size, but a host holds at most 1 PiB. */
START_TEST(host_memory_above_1_pib_is_erange_naming_the_range)
{
	int rc = load("duration: 1h\n"
		      "hosts:\n"
		      "  - {name: std, memory: 2PiB}\n" WORKLOAD);

	fails_at(rc, -SIM_ERANGE, "c.yaml", 3, 25, "between 4.0 KiB and 1.0 PiB, not 2.0 PiB");
}
END_TEST

/* 65 hosts of 1 PiB are 65 x 2^50 > 2^56 bytes in all; 64 are exactly 2^56. */
START_TEST(hosts_adding_up_past_32_pib_are_erange_at_the_count)
{
	int rc = load("duration: 1h\npage_size: 1GiB\n"
		      "hosts:\n"
		      "  - {name: std, count: 65, memory: 1PiB}\n" WORKLOAD);

	fails_at(rc, -SIM_ERANGE, "c.yaml", 4, 24, "64 PiB");
	scenario_release(&sc);
	loads(load("duration: 1h\npage_size: 1GiB\n"
		   "hosts:\n"
		   "  - {name: std, count: 64, memory: 1PiB}\n" WORKLOAD));
}
END_TEST

/* 100000 days is past the 10-year cap on any duration; 2h past a latency's 1h. */
START_TEST(latencies_beyond_their_range_are_erange_at_the_value)
{
	int rc = load("duration: 1h\n" HOSTS "latency: {cow: 100000d}\n" WORKLOAD);

	fails_at(rc, -SIM_ERANGE, "c.yaml", 6, 16, "10 years");
	scenario_release(&sc);
	rc = load("duration: 1h\n" HOSTS "latency: {cow: 2h}\n" WORKLOAD);
	fails_at(rc, -SIM_ERANGE, "c.yaml", 6, 16, "between 0s and 1h, not 2h");
	scenario_release(&sc);
	rc = load("duration: 1h\n" HOSTS "    swap: {read_latency: 61m}\n" WORKLOAD);
	fails_at(rc, -SIM_ERANGE, "c.yaml", 6, 26, "between 0s and 1h, not 61m");
	scenario_release(&sc);
	loads(load("duration: 1h\n" HOSTS "latency: {cow: 1h}\n" WORKLOAD));
}
END_TEST

START_TEST(a_vm_above_1_pib_and_a_touch_rate_above_1g_are_erange)
{
	int rc = load("duration: 1h\n" HOSTS
		      "workload:\n"
		      "  vms: [{name: a, memory: 2PiB}]\n");

	fails_at(rc, -SIM_ERANGE, "c.yaml", 7, 27, "not 2.0 PiB");
	scenario_release(&sc);
	rc = load("duration: 1h\n" HOSTS
		  "workload:\n"
		  "  vms: [{name: a, memory: 1GiB, phases: [{rate: 2G/s}]}]\n");
	fails_at(rc, -SIM_ERANGE, "c.yaml", 7, 49, "1G/s");
}
END_TEST

/* A day at 1ns is 8.64e13 ticks; at most 10^8 are run, which needs a tick of
 * 86400 s / 10^8 = 864us or more. */
START_TEST(too_many_ticks_are_refused_with_the_tick_that_would_do)
{
	int rc = load("duration: 1d\ntick: 1ns\n" HOSTS WORKLOAD);

	fails_at(rc, -SIM_ERANGE, "c.yaml", 2, 7, "86400000000000 ticks");
	ck_assert_msg(strstr(err.msg, "at least 864us"), "%s", err.msg);
	scenario_release(&sc);
	rc = load("duration: 1d\ntick: 863us\n" HOSTS WORKLOAD);
	fails_at(rc, -SIM_ERANGE, "c.yaml", 2, 7, "100115875 ticks");
	scenario_release(&sc);
	loads(load("duration: 1d\ntick: 864us\n" HOSTS WORKLOAD));
}
END_TEST

/* 2000 VMs for a day at 1ms are 2000 x 8.64e7 = 1.728e11 VM-ticks, past 10^11:
 * 1.728ms would do, rounded up to 2ms; at 2ms they are 8.64e10. */
START_TEST(too_many_vm_ticks_are_refused_with_the_tick_that_would_do)
{
	static const char body[] = HOSTS
		"workload:\n"
		"  groups: [{name: g, count: 2000, memory: 1GiB}]\n";
	char text[512];
	int rc;

	snprintf(text, sizeof(text), "duration: 1d\ntick: 1ms\n%s", body);
	rc = load(text);
	fails_at(rc, -SIM_ERANGE, "c.yaml", 2, 7, "1.73e+11 VM-ticks");
	ck_assert_msg(strstr(err.msg, "at least 2ms"), "%s", err.msg);
	scenario_release(&sc);
	snprintf(text, sizeof(text), "duration: 1d\ntick: 2ms\n%s", body);
	loads(load(text));
}
END_TEST

/*
 * Swap latencies of 1h: a touch may stall 9 swap operations of 1h + 4KiB at
 * 2GB/s + half a 1s tick, about 3.24e4 s, plus 1h of guest swap-in from the datastore and 3 x
 * 9us of the other faults: 3.6e4 s.  Over two days (172800 ticks of 1s) that
 * is 6.2e9 s = 6.2e18 ns, past 2^62; over one day 3.1e18 ns fits.
 */
START_TEST(stall_that_could_overflow_64_bits_is_refused)
{
	static const char hosts[] =
		"hosts:\n"
		"  - {name: std, memory: 64GiB, swap: {read_latency: 1h, write_latency: 1h},\n"
		"     disk: {read_latency: 1h}}\n";
	char text[512];
	int rc;

	snprintf(text, sizeof(text), "duration: 2d\n%s" WORKLOAD,
		 hosts);
	rc = load(text);
	fails_at(rc, -SIM_ERANGE, "c.yaml", 0, 0, "stall");
	scenario_release(&sc);
	snprintf(text, sizeof(text), "duration: 1d\n%s" WORKLOAD,
		 hosts);
	loads(load(text));
}
END_TEST

/* --- the suite ------------------------------------------------------------- */

static TCase *tcase(Suite *s, const char *name)
{
	TCase *tc = tcase_create(name);

	tcase_add_unchecked_fixture(tc, dir_make, dir_remove);
	tcase_add_checked_fixture(tc, setup, teardown);
	suite_add_tcase(s, tc);
	return tc;
}

Suite *scenario_suite(void)
{
	Suite *s = suite_create("scenario");
	TCase *tc;

	tc = tcase(s, "defaults_and_overrides");
	tcase_add_test(tc, valid_config_loads_and_writes_defaults_into_the_tree);
	tcase_add_test(tc, disk_defaults_are_an_ssd_datastore_and_its_keys_are_read);
	tcase_add_test(tc, zero_disk_bandwidth_is_erange_at_the_value);
	tcase_add_test(tc, disk_latency_and_bandwidth_out_of_range_are_erange_at_the_value);
	tcase_add_test(tc, latency_guest_swap_in_is_refused_at_the_key_naming_hosts_disk);
	tcase_add_test(tc, set_override_changes_host_count_before_reading);
	tcase_add_test(tc, set_of_another_policy_name_replaces_its_whole_mapping);
	tcase_add_test(tc, set_of_the_same_policy_name_keeps_its_parameters);
	tcase_add_test(tc, a_policy_parameter_left_over_is_still_refused_in_the_file);
	tcase_add_test(tc, set_adding_unknown_key_is_ekey_located_in_set);
	tcase_add_test(tc, set_without_equals_is_einval_naming_the_assignment);
	tcase_add_test(tc, seed_option_overrides_the_config_seed);

	tc = tcase(s, "keys");
	tcase_add_test(tc, unknown_top_level_key_is_ekey_at_the_key_with_did_you_mean);
	tcase_add_test(tc, unknown_key_in_host_group_is_ekey_at_the_key);
	tcase_add_test(tc, unknown_policy_parameter_is_ekey_at_the_key);
	tcase_add_test(tc, unknown_key_in_vm_is_ekey_at_the_key);
	tcase_add_test(tc, error_in_workload_file_is_located_in_that_file);

	tc = tcase(s, "values");
	tcase_add_test(tc, hosts_as_mapping_is_etype_at_the_mapping);
	tcase_add_test(tc, count_as_list_is_etype_at_the_list);
	tcase_add_test(tc, misspelled_size_unit_is_eunit_at_the_value);
	tcase_add_test(tc, duration_in_words_is_eunit_at_the_value);
	tcase_add_test(tc, negative_memory_is_erange_at_the_value);
	tcase_add_test(tc, overhead_not_below_memory_is_erange_at_overhead);
	tcase_add_test(tc, page_size_not_power_of_two_is_erange_at_the_value);
	tcase_add_test(tc, zero_replications_is_erange_at_the_value);
	tcase_add_test(tc, a_name_that_is_not_a_safe_file_name_is_refused);
	tcase_add_test(tc, a_key_without_a_value_says_so);
	tcase_add_test(tc, set_with_an_empty_key_in_the_path_is_refused);
	tcase_add_test(tc, memory_overflowing_64_bits_is_erange_at_the_value);
	tcase_add_test(tc, seed_overflowing_64_bits_is_erange_at_the_value);

	tc = tcase(s, "missing");
	tcase_add_test(tc, missing_duration_is_emissing_at_the_top_mapping);
	tcase_add_test(tc, missing_hosts_is_emissing_at_the_top_mapping);
	tcase_add_test(tc, host_group_without_memory_is_emissing_at_the_group);
	tcase_add_test(tc, missing_workload_is_emissing_at_the_top_mapping);
	tcase_add_test(tc, missing_config_file_is_eio_naming_the_file);
	tcase_add_test(tc, missing_workload_file_is_eio_at_the_workload_line);
	tcase_add_test(tc, unreadable_workload_file_is_eio_at_the_workload_line);

	tc = tcase(s, "duplicates");
	tcase_add_test(tc, duplicate_host_group_name_is_edup_at_the_second_name);
	tcase_add_test(tc, duplicate_vm_name_is_edup_at_the_second_name);
	tcase_add_test(tc, duplicate_yaml_key_is_edup_at_the_second_key);
	tcase_add_test(tc, yaml_syntax_error_is_esyntax_at_the_second_colon);
	tc = tcase(s, "ranges");
	tcase_add_test(tc, host_memory_of_2_62_bytes_is_erange_naming_the_cap);
	tcase_add_test(tc, host_memory_above_1_pib_is_erange_naming_the_range);
	tcase_add_test(tc, hosts_adding_up_past_32_pib_are_erange_at_the_count);
	tcase_add_test(tc, latencies_beyond_their_range_are_erange_at_the_value);
	tcase_add_test(tc, a_vm_above_1_pib_and_a_touch_rate_above_1g_are_erange);
	tcase_add_test(tc, too_many_ticks_are_refused_with_the_tick_that_would_do);
	tcase_add_test(tc, too_many_vm_ticks_are_refused_with_the_tick_that_would_do);
	tcase_add_test(tc, stall_that_could_overflow_64_bits_is_refused);
	tc = tcase(s, "size");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, host_groups_by_the_hundred_thousand_load_and_a_late_duplicate_is_found);

	tc = tcase(s, "policies");
	tcase_add_test(tc, unknown_policy_is_einval_at_the_name_with_did_you_mean);
	tcase_add_test(tc, unbuilt_sharing_policy_is_unknown_and_the_known_ones_are_listed);
	tcase_add_test(tc, unbuilt_balloon_policy_is_unknown_and_the_known_ones_are_listed);
	tcase_add_test(tc, esx_idle_tax_defaults_to_a_75_percent_tax_and_a_65_percent_cap);
	tcase_add_test(tc, a_near_miss_gets_a_suggestion_and_the_list);
	tcase_add_test(tc, swap_victims_is_refused_at_the_key_saying_where_it_went);
	tcase_add_test(tc, reclaim_defaults_to_swap_only_and_takes_victims);

	tc = tcase(s, "distributions");
	tcase_add_test(tc, lognormal_with_zero_sigma_is_erange_at_sigma);
	tcase_add_test(tc, uniform_with_min_not_below_max_is_erange_at_max);
	tcase_add_test(tc, choice_with_negative_weight_is_erange_at_the_weight);
	tcase_add_test(tc, choice_with_zero_weight_sum_is_einval_at_the_weights);
	tcase_add_test(tc, choice_with_more_weights_than_values_is_einval_at_the_weights);
	return s;
}
