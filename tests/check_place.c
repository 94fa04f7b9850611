/*
 * check_place.c - the policies: placement (place_first_fit.c,
 * place_best_fit.c, place_worst_fit.c) and overcommit (overcommit_none.c,
 * overcommit_ratio.c) on hand-made hosts; balloon targets (balloon_none.c,
 * balloon_static.c); and every registered policy of every family, the
 * trivial share_none.c, reclaim_none.c and migrate_none.c included,
 * configuring from its defaults.
 */
#include <check.h>
#include <string.h>

#include "host.h"
#include "registry.h"
#include "suites.h"
#include "vm.h"

#define GiB (1024LL * 1024 * 1024)

static long choose(const char *name, const int64_t *headroom, size_t n, int64_t vm_bytes)
{
	char vname[] = "v";
	struct vm_spec spec = {.name = vname, .memory_bytes = vm_bytes};
	struct host hosts[8];
	const struct host *ptrs[8];
	struct vm vm;
	const void *ops = NULL;
	size_t i;

	vm_init(&vm, &spec, 0);
	for (i = 0; i < n; i++)
		ptrs[i] = &hosts[i];
	for (i = 0; i < policy_count(FAMILY_PLACEMENT); i++) {
		const struct policy_info *info = policy_info_at(FAMILY_PLACEMENT, i, &ops);

		if (!strcmp(info->name, name))
			return ((const struct placement_ops *)ops)->choose(NULL, ptrs, headroom, n,
									  &vm);
	}
	ck_abort_msg("no placement policy %s", name);
	return -2;
}

START_TEST(first_fit_takes_the_first_host_with_room)
{
	int64_t room[] = {4 * GiB, 10 * GiB, 6 * GiB};

	ck_assert_int_eq(choose("first-fit", room, 3, 5 * GiB), 1);
	ck_assert_int_eq(choose("first-fit", room, 3, 4 * GiB), 0);
}
END_TEST

START_TEST(best_fit_takes_the_tightest_host)
{
	int64_t room[] = {4 * GiB, 10 * GiB, 6 * GiB};

	ck_assert_int_eq(choose("best-fit", room, 3, 5 * GiB), 2);
	ck_assert_int_eq(choose("best-fit", room, 3, 3 * GiB), 0);
}
END_TEST

START_TEST(worst_fit_takes_the_roomiest_host)
{
	int64_t room[] = {4 * GiB, 10 * GiB, 6 * GiB};

	ck_assert_int_eq(choose("worst-fit", room, 3, 1 * GiB), 1);
}
END_TEST

START_TEST(ties_go_to_the_lowest_index)
{
	int64_t room[] = {2 * GiB, 6 * GiB, 6 * GiB};

	ck_assert_int_eq(choose("best-fit", room, 3, 5 * GiB), 1);
	ck_assert_int_eq(choose("worst-fit", room, 3, 5 * GiB), 1);
}
END_TEST

/* Every placement policy: -1 exactly when no host has room, else a host with room. */
START_TEST(placement_contract)
{
	static const int64_t rooms[][4] = {
		{0, 0, 0, 0}, {1, 2, 3, 4}, {4, 3, 2, 1}, {-5, 7, 7, -1}, {3, 3, 3, 3},
	};
	const void *ops;
	const struct policy_info *info = policy_info_at(FAMILY_PLACEMENT, (size_t)_i, &ops);
	struct host hosts[4];
	const struct host *ptrs[4] = {&hosts[0], &hosts[1], &hosts[2], &hosts[3]};
	size_t r;
	int64_t need;

	/* A policy that counts more than headroom reads its hosts' state:
	 * check_place_sharing.c holds it to headroom plus its credit. */
	if (((const struct placement_ops *)ops)->fit_credit)
		return;
	for (r = 0; r < sizeof(rooms) / sizeof(rooms[0]); r++)
		for (need = 1; need <= 8; need++) {
			char vname[] = "v";
			struct vm_spec spec = {.name = vname, .memory_bytes = need};
			struct vm vm;
			bool any = false;
			long got;
			int k;

			vm_init(&vm, &spec, 0);
			for (k = 0; k < 4; k++)
				any |= rooms[r][k] >= need;
			got = ((const struct placement_ops *)ops)
				      ->choose(NULL, ptrs, rooms[r], 4, &vm);
			if (!any)
				ck_assert_msg(got == -1, "%s placed without room", info->name);
			else
				ck_assert_msg(got >= 0 && got < 4 && rooms[r][got] >= need,
					      "%s chose host %ld", info->name, got);
		}
}
END_TEST

static int64_t headroom(const char *yaml, const struct host *h)
{
	struct cfg_node *root = NULL;
	struct policy p;
	struct sim_err err = {0};
	int64_t v;

	ck_assert_int_eq(cfg_load_string("t", yaml, &root, &err), 0);
	ck_assert_msg(policy_configure(FAMILY_OVERCOMMIT, root, NULL, &p, &err) == 0, "%s",
		      err.msg);
	{
		struct policy_ctx ctx = {.host = h, .priv = p.priv, .family = FAMILY_OVERCOMMIT};
		struct overcommit_policy oc = {p.ops, p.priv};

		v = overcommit_headroom(&oc, &ctx, NULL);
	}
	policy_release(&p);
	cfg_free(root);
	return v;
}

START_TEST(overcommit_none_promises_capacity_only)
{
	struct host h;

	host_init(&h, 0, "h", "g", 16 * GiB, 2 * GiB);
	h.committed_bytes = 10 * GiB;
	ck_assert_int_eq(headroom("policy: none", &h), 4 * GiB);
	host_release(&h);
}
END_TEST

START_TEST(overcommit_ratio_promises_ratio_times_capacity)
{
	struct host h;

	host_init(&h, 0, "h", "g", 18 * GiB, 2 * GiB);
	h.committed_bytes = 20 * GiB;
	/* 1.5 x 16 GiB = 24 GiB promised, 20 taken. */
	ck_assert_int_eq(headroom("{policy: ratio, max: 1.5}", &h), 4 * GiB);
	ck_assert_int_eq(headroom("{policy: ratio, max: 150%}", &h), 4 * GiB);
	host_release(&h);
}
END_TEST

START_TEST(overcommit_ratio_below_one_is_refused)
{
	struct cfg_node *root = NULL;
	struct policy p;
	struct sim_err err = {0};

	ck_assert_int_eq(cfg_load_string("t", "{policy: ratio, max: 0.5}", &root, &err), 0);
	ck_assert_int_eq(policy_configure(FAMILY_OVERCOMMIT, root, NULL, &p, &err), -SIM_ERANGE);
	ck_assert_uint_eq(err.line, 1);
	cfg_free(root);
}
END_TEST

START_TEST(unknown_policy_parameter_is_refused_with_a_suggestion)
{
	struct cfg_node *root = NULL;
	struct policy p;
	struct sim_err err = {0};

	ck_assert_int_eq(cfg_load_string("t", "policy: ratio\nmaxx: 2\n", &root, &err), 0);
	ck_assert_int_eq(policy_configure(FAMILY_OVERCOMMIT, root, NULL, &p, &err), -SIM_EKEY);
	ck_assert_uint_eq(err.line, 2);
	ck_assert_uint_eq(err.col, 1);
	ck_assert_ptr_nonnull(strstr(err.msg, "did you mean 'max'"));
	cfg_free(root);
}
END_TEST

/* Every line of policies.def: its policy loads from {policy: NAME} alone
 * with the ops the line names, the name is the ops' own, and no other
 * policy of its family has it. */
START_TEST(every_registered_policy_configures_from_its_defaults)
{
	enum policy_family f, g;
	const char *name, *other;
	const void *ops, *other_ops;
	const struct policy_info *info = policy_entry((size_t)_i, &f, &name, &ops);
	struct cfg_node *root = NULL;
	struct sim_err err = {0};
	struct policy p;
	char yaml[96];
	size_t k;

	ck_assert_str_eq(info->name, name);
	for (k = 0; k < policy_total(); k++)
		if (k != (size_t)_i) {
			policy_entry(k, &g, &other, &other_ops);
			ck_assert_msg(g != f || strcmp(other, name), "%s %s twice",
				      policy_family_name(f), name);
		}
	snprintf(yaml, sizeof(yaml), "policy: %s", name);
	ck_assert_int_eq(cfg_load_string("t", yaml, &root, &err), 0);
	ck_assert_msg(policy_configure(f, root, NULL, &p, &err) == 0, "%s %s: %s",
		      policy_family_name(f), name, err.msg);
	ck_assert_ptr_eq(p.ops, ops);
	ck_assert_ptr_eq(p.info, info);
	policy_release(&p);
	cfg_free(root);
}
END_TEST

/* Every registered policy refuses a key that is none of its parameters. */
START_TEST(every_registered_policy_refuses_an_unknown_key)
{
	enum policy_family f;
	const char *name;
	const void *ops;
	struct cfg_node *root = NULL;
	struct sim_err err = {0};
	struct policy p;
	char yaml[96];

	policy_entry((size_t)_i, &f, &name, &ops);
	snprintf(yaml, sizeof(yaml), "{policy: %s, no_such_key: 1}", name);
	ck_assert_int_eq(cfg_load_string("t", yaml, &root, &err), 0);
	ck_assert_int_eq(policy_configure(f, root, NULL, &p, &err), -SIM_EKEY);
	ck_assert_ptr_nonnull(strstr(err.msg, "no_such_key"));
	cfg_free(root);
}
END_TEST

/* Each family's default is registered, and the known list names exactly
 * the family's policies. */
START_TEST(every_family_default_is_registered_and_listed)
{
	int f;

	for (f = 0; f < FAMILY_COUNT; f++) {
		char list[512];
		size_t i, n = policy_known_list((enum policy_family)f, list, sizeof(list));
		bool has_default = false;
		const void *ops;

		ck_assert_uint_eq(n, policy_count((enum policy_family)f));
		for (i = 0; i < n; i++) {
			const char *name = policy_info_at((enum policy_family)f, i, &ops)->name;

			ck_assert_ptr_nonnull(strstr(list, name));
			has_default |= !strcmp(name, policy_family_default((enum policy_family)f));
		}
		ck_assert_msg(has_default, "family %s", policy_family_name((enum policy_family)f));
	}
}
END_TEST

static uint64_t target_of(const char *yaml, uint32_t pages)
{
	struct cfg_node *root = NULL;
	struct sim_err err = {0};
	struct policy p;
	struct vm vm = {0};
	uint64_t t;

	vm.mem.n_pages = pages;
	ck_assert_int_eq(cfg_load_string("t", yaml, &root, &err), 0);
	ck_assert_msg(policy_configure(FAMILY_BALLOON, root, NULL, &p, &err) == 0, "%s", err.msg);
	{
		struct policy_ctx ctx = {.priv = p.priv, .family = FAMILY_BALLOON};
		struct balloon_policy b = {p.ops, p.priv};

		t = balloon_target(&b, &ctx, &vm);
	}
	policy_release(&p);
	cfg_free(root);
	return t;
}

START_TEST(balloon_targets_are_none_or_a_fixed_share)
{
	ck_assert_uint_eq(target_of("policy: none", 1000), 0);
	ck_assert_uint_eq(target_of("{policy: static, target: 30%}", 1000), 300);
	/* floor(0.25 x 1001) */
	ck_assert_uint_eq(target_of("policy: static", 1001), 250);
	ck_assert_uint_eq(target_of("{policy: static, target: 100%}", 7), 7);
}
END_TEST

Suite *place_suite(void)
{
	Suite *s = suite_create("place");
	TCase *tc = tcase_create("placement");

	tcase_add_test(tc, first_fit_takes_the_first_host_with_room);
	tcase_add_test(tc, best_fit_takes_the_tightest_host);
	tcase_add_test(tc, worst_fit_takes_the_roomiest_host);
	tcase_add_test(tc, ties_go_to_the_lowest_index);
	tcase_add_loop_test(tc, placement_contract, 0, (int)policy_count(FAMILY_PLACEMENT));
	suite_add_tcase(s, tc);
	tc = tcase_create("overcommit");
	tcase_add_test(tc, overcommit_none_promises_capacity_only);
	tcase_add_test(tc, overcommit_ratio_promises_ratio_times_capacity);
	tcase_add_test(tc, overcommit_ratio_below_one_is_refused);
	tcase_add_test(tc, unknown_policy_parameter_is_refused_with_a_suggestion);
	suite_add_tcase(s, tc);
	tc = tcase_create("registry");
	tcase_add_loop_test(tc, every_registered_policy_configures_from_its_defaults, 0,
			    (int)policy_total());
	tcase_add_loop_test(tc, every_registered_policy_refuses_an_unknown_key, 0,
			    (int)policy_total());
	tcase_add_test(tc, every_family_default_is_registered_and_listed);
	tcase_add_test(tc, balloon_targets_are_none_or_a_fixed_share);
	suite_add_tcase(s, tc);
	return s;
}
