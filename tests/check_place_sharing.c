/*
 * check_place_sharing.c - sharing-aware placement (place_sharing_aware.c)
 * and its fingerprints (content_sketch.c): Bloom and MinHash estimates
 * against exact counts, on hand-made key sets and on hand-made VMs of one
 * image; the host with the VM's image is chosen; more VMs fit than with
 * first-fit when the hosts fit them only with sharing; the fit rule
 * (count_sharing), a departure, the run's memory estimate, and two image
 * versions' common pages (mem_content_key in model/mem.c).  Every
 * placement here passes the model's check of headroom plus credit.
 *
 * Expected values: the sets' sizes by construction; for a VM whose data
 * pages are all pages of an image of P pages (each data page d is one of
 * the image's pages drawn by a hash, mem.c), the distinct pages it holds
 * are those of P balls in P bins, P (1 - (1 - 1/P)^P) in the mean with a
 * variance of about P (e^-1 - 2 e^-2).  Tolerances from each estimator's
 * error: Bloom's n = -(m/k) ln(1 - X/m) with Var X = m e^-t (1 - (1 + t)
 * e^-t), t = k n / m (Papapetrou et al., VLDB 2010), through dn/dX; and
 * MinHash's relative error 1/sqrt(k) on a union and sqrt((1 - J)/(J k))
 * on a Jaccard index J.
 */
#include <check.h>
#include <math.h>
#include <string.h>

#include "cluster.h"
#include "content_sketch.h"
#include "policy_rig.h"
#include "run.h"
#include "scenario.h"
#include "suites.h"

#define MiB (1024LL * 1024)
#define S 1000000000LL
#define PAGE 4096

/* --- the sketches on hand-made sets ------------------------------------------- */

/* Keys [lo, hi) into s. */
static void add_range(struct sketch *s, const struct sketch_shape *sh, uint64_t lo, uint64_t hi)
{
	uint64_t k;

	for (k = lo; k < hi; k++)
		sketch_add(s, sh, k);
}

/* The standard deviation of a Bloom filter's estimate of n keys. */
static double bloom_sd(double n, const struct sketch_shape *sh)
{
	double m = (double)sh->words * 64, k = sh->hashes, t = k * n / m;
	double var_x = m * exp(-t) * (1 - (1 + t) * exp(-t));

	return sqrt(var_x) * (m / k) / (m * exp(-t));
}

START_TEST(bloom_estimates_sizes_unions_and_intersections)
{
	/* m = 2^18 bits, k = 4: 20,000 and 30,000 keys, 8,000 in common. */
	struct sketch_shape sh = {SKETCH_BLOOM, 4096, 4};
	struct sketch a, b;
	double na = 20000, nb = 30000, nu = 42000, common = 8000;
	double sa = bloom_sd(na, &sh), sb = bloom_sd(nb, &sh), su = bloom_sd(nu, &sh);

	sketch_init(&a, &sh);
	sketch_init(&b, &sh);
	add_range(&a, &sh, 0, 20000);
	add_range(&b, &sh, 12000, 42000);
	ck_assert_msg(fabs(sketch_count(&a, &sh) - na) <= 4 * sa, "|A| ~ %g",
		      sketch_count(&a, &sh));
	ck_assert_msg(fabs(sketch_union_count(&a, &b, &sh) - nu) <= 4 * su, "|A u B| ~ %g",
		      sketch_union_count(&a, &b, &sh));
	ck_assert_msg(fabs(sketch_common(&a, &b, &sh) - common) <= 4 * (sa + sb + su),
		      "|A n B| ~ %g, want %g +- %g", sketch_common(&a, &b, &sh), common,
		      4 * (sa + sb + su));
	/* The union's filter is the OR: it counts as the union does. */
	sketch_merge(&a, &b, &sh);
	ck_assert_double_eq_tol(sketch_count(&a, &sh), sketch_union_count(&b, &a, &sh), 1e-9);
	sketch_release(&a);
	sketch_release(&b);
}
END_TEST

START_TEST(bloom_of_disjoint_sets_shares_little)
{
	struct sketch_shape sh = {SKETCH_BLOOM, 4096, 4};
	struct sketch a, b;
	double tol;

	sketch_init(&a, &sh);
	sketch_init(&b, &sh);
	add_range(&a, &sh, 0, 20000);
	add_range(&b, &sh, 1000000, 1030000);
	tol = 4 * (bloom_sd(20000, &sh) + bloom_sd(30000, &sh) + bloom_sd(50000, &sh));
	ck_assert_double_le(sketch_common(&a, &b, &sh), tol);
	sketch_release(&a);
	sketch_release(&b);
}
END_TEST

START_TEST(minhash_estimates_within_its_standard_error)
{
	/* k = 1024; |A| = |B| = 20,000 with 10,000 in common: J = 1/3. */
	struct sketch_shape sh = {SKETCH_MINHASH, 1024, 0};
	struct sketch a, b;
	double k = 1024, j = 1.0 / 3, common = 10000, nu = 30000;

	sketch_init(&a, &sh);
	sketch_init(&b, &sh);
	add_range(&a, &sh, 0, 20000);
	add_range(&b, &sh, 10000, 30000);
	/* Re-adding changes nothing. */
	add_range(&b, &sh, 10000, 30000);
	ck_assert_uint_eq(a.n, 1024);
	ck_assert_msg(fabs(sketch_count(&a, &sh) - 20000) <= 3 * 20000 / sqrt(k), "|A| ~ %g",
		      sketch_count(&a, &sh));
	ck_assert_msg(fabs(sketch_union_count(&a, &b, &sh) - nu) <= 3 * nu / sqrt(k),
		      "|A u B| ~ %g", sketch_union_count(&a, &b, &sh));
	ck_assert_msg(fabs(sketch_common(&a, &b, &sh) - common) <=
			      3 * common * sqrt((1 - j) / (j * k) + 1 / k),
		      "|A n B| ~ %g", sketch_common(&a, &b, &sh));
	sketch_release(&a);
	sketch_release(&b);
}
END_TEST

START_TEST(minhash_of_small_sets_is_exact)
{
	struct sketch_shape sh = {SKETCH_MINHASH, 1024, 0};
	struct sketch a, b;

	sketch_init(&a, &sh);
	sketch_init(&b, &sh);
	add_range(&a, &sh, 0, 100);
	add_range(&b, &sh, 60, 160);
	ck_assert_double_eq(sketch_count(&a, &sh), 100);
	ck_assert_double_eq(sketch_union_count(&a, &b, &sh), 160);
	ck_assert_double_eq(sketch_common(&a, &b, &sh), 40);
	sketch_merge(&a, &b, &sh);
	ck_assert_double_eq(sketch_count(&a, &sh), 160);
	sketch_release(&a);
	sketch_release(&b);
}
END_TEST

/* --- placement on a hand-made cluster ----------------------------------------- */

/* Two images of 64 MiB, no zero pages. */
static struct image_spec images[] = {{.name = (char *)"x", .size_bytes = 64 * MiB},
				     {.name = (char *)"y", .size_bytes = 64 * MiB}};
#define IMAGE_PAGES (64 * MiB / PAGE)
/* The cluster's images: these, or versions (y a version of x). */
static struct image_spec *world_images = images;
static struct image_spec versions[] = {{.name = (char *)"x", .size_bytes = 64 * MiB, .base = -1},
				       {.name = (char *)"y", .size_bytes = 64 * MiB, .base = 0,
					.same = 0.6}};

static struct phase whole = {.ws_bytes = -1, .ws_frac = 1.0, .rate = 1};

/* A VM of 64 MiB whose data pages are all its image's (image -1: all unique). */
static struct vm_spec vm_of(const char *name, int image, sim_time arrive)
{
	struct vm_spec v = {.name = (char *)name, .memory_bytes = 64 * MiB,
			    .limit_bytes = 64 * MiB, .image = image,
			    .content_image = image >= 0 ? 1.0 : 0.0, .arrive_ns = arrive,
			    .depart_ns = SPEC_NEVER, .phases = &whole, .n_phases = 1};

	return v;
}

static const int64_t big[] = {1024 * MiB}, small[] = {70 * MiB, 70 * MiB},
		     hundred[] = {100 * MiB};

struct world {
	struct sim *sim;
	struct cluster *c;
	struct policy_rig pol;
};

/* A sharing policy by name only, for the auto fit rule (NULL: the rig's). */
static const struct sharing_ops *sharing_as;
static const struct sharing_ops fake_ksm = {.info = {.name = "ksm"}};

static void world_start(struct world *w, const char *placement, const int64_t *host_bytes,
			size_t n_hosts, const struct vm_spec *vms, size_t n_vms)
{
	const char *yaml[FAMILY_COUNT] = {[FAMILY_PLACEMENT] = placement,
					  [FAMILY_OVERCOMMIT] = "policy: none"};
	static const char *const names[] = {"h-0", "h-1", "h-2", "h-3"};
	struct host_params hosts[4];
	struct cluster_params p = {0};
	size_t i;

	for (i = 0; i < n_hosts; i++)
		hosts[i] = (struct host_params){.name = names[i], .group = "h",
						.memory_bytes = host_bytes[i], .swap_bytes = 0,
						.swap_bandwidth = 1e9, .disk_bandwidth = 1e9};
	policy_rig_init(&w->pol, yaml);
	p.policies = w->pol.set;
	if (sharing_as)
		p.policies.sharing.ops = sharing_as;
	p.hosts = hosts;
	p.n_hosts = n_hosts;
	p.vms = vms;
	p.n_vms = n_vms;
	p.images = world_images;
	p.n_images = 2;
	p.seed = 7;
	p.page_bytes = PAGE;
	p.tick_ns = 0;  /* placement only: no tick touches a page */
	w->sim = sim_new();
	w->c = cluster_new(w->sim, &p);
	cluster_start(w->c);
	sim_run(w->sim, 100 * S);
}

static void world_end(struct world *w)
{
	cluster_free(w->c);
	sim_free(w->sim);
	policy_rig_release(&w->pol);
}

/* The placement policy's figure key on host i. */
static double host_stat(const struct world *w, size_t i, const char *key)
{
	const struct policy_info *info = &w->pol.set.placement.ops->info;
	struct policy_ctx ctx = policy_ctx_of(&w->c->hosts[i], FAMILY_PLACEMENT, 0);
	struct policy_stats st = {0};
	size_t k;

	info->host_stats(&ctx, &st);
	for (k = 0; k < st.n; k++)
		if (!strcmp(st.key[k], key))
			return st.value[k];
	ck_abort_msg("no %s", key);
	return 0;
}

/* Distinct pages of P balls in P bins, in the mean, and its deviation. */
static double distinct_mean(double p)
{
	return p * (1 - pow(1 - 1 / p, p));
}

static double distinct_sd(double p)
{
	return sqrt(p * (exp(-1) - 2 * exp(-2)));
}

/*
 * Two VMs of image x on one host: every page of each is mergeable (2P),
 * their contents are one set of D ~ P (1 - (1 - 1/P)^P) pages, so the
 * saving expected is 2P - D pages.
 */
static void two_vms_saving(const char *placement, double estimator_sd)
{
	struct vm_spec vms[] = {vm_of("a", 0, 0), vm_of("b", 0, S)};
	struct world w;
	double p = IMAGE_PAGES, want = (2 * p - distinct_mean(p)) * PAGE;
	double tol = 4 * (distinct_sd(p) + estimator_sd) * PAGE;

	world_start(&w, placement, big, 1, vms, 2);
	ck_assert_uint_eq(w.c->stats.placed, 2);
	ck_assert_double_eq(host_stat(&w, 0, "fingerprint.vms"), 2);
	ck_assert_double_eq(host_stat(&w, 0, "fingerprint.pages_hashed"), 2 * p);
	ck_assert_msg(fabs(host_stat(&w, 0, "fingerprint.expected_saving") - want) <= tol,
		      "saving %g, want %g +- %g", host_stat(&w, 0, "fingerprint.expected_saving"),
		      want, tol);
	world_end(&w);
}

START_TEST(bloom_fingerprints_of_one_image_estimate_its_saving)
{
	/* The default: 128 KiB, m = 2^20 bits, k = 4. */
	struct sketch_shape sh = {SKETCH_BLOOM, 16384, 4};

	two_vms_saving("policy: sharing-aware", bloom_sd(distinct_mean(IMAGE_PAGES), &sh));
}
END_TEST

/*
 * Two image versions: y has x's first 60% of pages.  A VM of x and one of
 * y, their data pages all image pages (page d is image page h(d) mod P in
 * both), hold the same D distinct page indexes; those below 0.6 P (c of
 * them, about 0.6 D) are the same content in both.  The union is 2D - c,
 * so the saving expected is 2P - 2D + c pages, counted exactly here; a key
 * that ignored versions would see 2P - 2D.  Within 4 sigma of the Bloom
 * filter's estimate of 2D - c keys.
 */
START_TEST(fingerprints_see_the_pages_two_image_versions_share)
{
	struct vm_spec vms[] = {vm_of("a", 0, 0), vm_of("b", 1, S)};
	struct sketch_shape sh = {SKETCH_BLOOM, 16384, 4};
	struct vmem_params mp;
	static bool in_s[IMAGE_PAGES];
	struct world w;
	double d = 0, c = 0, want, tol;
	uint32_t k;

	world_images = versions;
	world_start(&w, "policy: sharing-aware", big, 1, vms, 2);
	world_images = images;
	ck_assert_uint_eq(w.c->stats.placed, 2);
	cluster_vm_content(&w.c->vms[0], &mp);
	memset(in_s, 0, sizeof(in_s));
	for (k = 0; k < mp.n_data; k++) {
		uint32_t c0 = mem_initial_content(&mp, k);

		ck_assert_uint_gt(c0, 0);
		ck_assert_uint_lt(c0 - 1, IMAGE_PAGES);
		if (!in_s[c0 - 1]) {
			in_s[c0 - 1] = true;
			d++;
			c += c0 - 1 < (uint32_t)(0.6 * IMAGE_PAGES);
		}
	}
	ck_assert_double_eq_tol(c / d, 0.6, 0.03);
	want = (2.0 * IMAGE_PAGES - 2 * d + c) * PAGE;
	tol = 4 * bloom_sd(2 * d - c, &sh) * PAGE;
	ck_assert_msg(fabs(host_stat(&w, 0, "fingerprint.expected_saving") - want) <= tol,
		      "saving %g, want %g +- %g", host_stat(&w, 0, "fingerprint.expected_saving"),
		      want, tol);
	world_end(&w);
}
END_TEST

START_TEST(minhash_fingerprints_of_one_image_estimate_its_saving)
{
	/* 8 KiB: k = 1024. */
	two_vms_saving("{policy: sharing-aware, fingerprint: {kind: minhash, size: 8KiB}}",
		       distinct_mean(IMAGE_PAGES) / sqrt(1024));
}
END_TEST

/*
 * h-0 of 200 MiB, h-1 of 330 MiB, the saving not counted (fit by
 * headroom alone).  x1 -> h-0 (best fit: 136 MiB left against 266); a
 * unique 200 MiB VM -> h-1 (h-0 has too little); y1 shares nothing
 * anywhere -> best fit, h-1 (66 left against 72).  Then x2: best fit
 * takes h-1 (2 left against 72), sharing-aware h-0, where x1 is.
 */
START_TEST(a_vm_goes_to_the_host_with_its_image)
{
	struct vm_spec vms[] = {vm_of("x1", 0, 0), vm_of("u", -1, S), vm_of("y1", 1, 2 * S),
				vm_of("x2", 0, 3 * S)};
	const int64_t sizes[] = {200 * MiB, 330 * MiB};
	struct world w, bf;
	int k;

	vms[1].memory_bytes = vms[1].limit_bytes = 200 * MiB;
	world_start(&w, "{policy: sharing-aware, count_sharing: false}", sizes, 2, vms, 4);
	world_start(&bf, "policy: best-fit", sizes, 2, vms, 4);
	for (k = 0; k < 3; k++)
		ck_assert_ptr_eq(w.c->vms[k].host, &w.c->hosts[k ? 1 : 0]);
	ck_assert_ptr_eq(bf.c->vms[3].host, &bf.c->hosts[1]);
	ck_assert_ptr_eq(w.c->vms[3].host, &w.c->hosts[0]);
	world_end(&w);
	world_end(&bf);
}
END_TEST

/*
 * Hosts of 70 MiB, VMs of 64 MiB: first-fit places one per host.  One
 * image's VMs together hold D ~ 0.632 P pages (40.5 MiB): with the saving
 * counted, every x fits on one host and every y on the other, 8 VMs; x and
 * y together would need 2D = 81 MiB, more than a host has.
 */
START_TEST(sharing_aware_hosts_more_vms_than_first_fit)
{
	struct vm_spec vms[8];
	static const char *const names[] = {"x1", "y1", "x2", "y2", "x3", "y3", "x4", "y4"};
	struct world w;
	size_t i;

	for (i = 0; i < 8; i++)
		vms[i] = vm_of(names[i], (int)(i % 2), (sim_time)i * S);
	world_start(&w, "policy: first-fit", small, 2, vms, 8);
	ck_assert_uint_eq(w.c->stats.placed, 2);
	world_end(&w);
	world_start(&w, "{policy: sharing-aware, count_sharing: true}", small, 2, vms, 8);
	ck_assert_uint_eq(w.c->stats.placed, 8);
	for (i = 0; i < 8; i++)
		ck_assert_ptr_eq(w.c->vms[i].host, &w.c->hosts[i % 2]);
	world_end(&w);
	/* Without the saving counted it is first-fit's count. */
	world_start(&w, "{policy: sharing-aware, count_sharing: false}", small, 2, vms, 8);
	ck_assert_uint_eq(w.c->stats.placed, 2);
	world_end(&w);
}
END_TEST

/* count_sharing: auto counts the saving only when some sharing policy
 * merges pages: with none, the 70 MiB hosts take first-fit's 2 VMs; with
 * a scanner (here one by name), all 8. */
START_TEST(auto_counts_the_saving_only_with_a_sharing_policy)
{
	struct vm_spec vms[8];
	static const char *const names[] = {"x1", "y1", "x2", "y2", "x3", "y3", "x4", "y4"};
	struct world w;
	size_t i;

	for (i = 0; i < 8; i++)
		vms[i] = vm_of(names[i], (int)(i % 2), (sim_time)i * S);
	world_start(&w, "policy: sharing-aware", small, 2, vms, 8);
	ck_assert_uint_eq(w.c->stats.placed, 2);
	world_end(&w);
	sharing_as = &fake_ksm;
	world_start(&w, "policy: sharing-aware", small, 2, vms, 8);
	sharing_as = NULL;
	ck_assert_uint_eq(w.c->stats.placed, 8);
	world_end(&w);
}
END_TEST

/* The run's memory estimate counts a fingerprint per VM and per host:
 * 3 VMs and 1 host of tests/data/vm_memory.yaml, 1 MiB each at least. */
START_TEST(the_memory_estimate_counts_the_fingerprints)
{
	const char *sets[][1] = {
		{"policies.placement={policy: first-fit}"},
		{"policies.placement={policy: sharing-aware, fingerprint: {size: 1MiB}}"},
	};
	struct scenario_opts opts = {NULL, 1, false, 0};
	double need[2];
	int k;

	for (k = 0; k < 2; k++) {
		struct scenario sc;
		struct sim_err err = {0};

		opts.sets = sets[k];
		ck_assert_msg(scenario_load("tests/data/vm_memory.yaml", &opts, &sc, &err) == 0,
			      "%s", err.msg);
		need[k] = run_memory_estimate(&sc);
		scenario_release(&sc);
	}
	ck_assert_double_ge(need[1] - need[0], 4.0 * 1024 * 1024);
	ck_assert_double_le(need[1] - need[0], 6.0 * 1024 * 1024);
}
END_TEST

/* A VM of unique pages only gets no credit: headroom alone decides. */
START_TEST(unique_pages_earn_no_credit)
{
	struct vm_spec vms[] = {vm_of("u1", -1, 0), vm_of("u2", -1, S)};
	struct world w;

	world_start(&w, "{policy: sharing-aware, count_sharing: true}", hundred, 1, vms, 2);
	ck_assert_uint_eq(w.c->stats.placed, 1);
	ck_assert_double_eq(host_stat(&w, 0, "fingerprint.expected_saving"), 0);
	world_end(&w);
}
END_TEST

/* When a VM leaves, the host's union forgets it: an x arriving after the
 * only x left shares nothing there, and the host's saving is its own. */
START_TEST(a_departure_leaves_the_union)
{
	struct vm_spec vms[] = {vm_of("x1", 0, 0), vm_of("y1", 1, S)};
	struct world w;

	vms[0].depart_ns = 10 * S;
	world_start(&w, "policy: sharing-aware", big, 1, vms, 2);
	ck_assert_double_eq(host_stat(&w, 0, "fingerprint.vms"), 1);
	/* y1 alone: P - D pages, within four deviations of D and the filter. */
	ck_assert_double_le(fabs(host_stat(&w, 0, "fingerprint.expected_saving") / PAGE -
				 (IMAGE_PAGES - distinct_mean(IMAGE_PAGES))),
			    4 * (distinct_sd(IMAGE_PAGES) + 10));
	world_end(&w);
}
END_TEST

Suite *place_sharing_suite(void)
{
	Suite *s = suite_create("place_sharing");
	TCase *sk = tcase_create("sketch");
	TCase *pl = tcase_create("placement");

	tcase_add_test(sk, bloom_estimates_sizes_unions_and_intersections);
	tcase_add_test(sk, bloom_of_disjoint_sets_shares_little);
	tcase_add_test(sk, minhash_estimates_within_its_standard_error);
	tcase_add_test(sk, minhash_of_small_sets_is_exact);
	suite_add_tcase(s, sk);
	tcase_add_test(pl, bloom_fingerprints_of_one_image_estimate_its_saving);
	tcase_add_test(pl, minhash_fingerprints_of_one_image_estimate_its_saving);
	tcase_add_test(pl, fingerprints_see_the_pages_two_image_versions_share);
	tcase_add_test(pl, a_vm_goes_to_the_host_with_its_image);
	tcase_add_test(pl, sharing_aware_hosts_more_vms_than_first_fit);
	tcase_add_test(pl, auto_counts_the_saving_only_with_a_sharing_policy);
	tcase_add_test(pl, the_memory_estimate_counts_the_fingerprints);
	tcase_add_test(pl, unique_pages_earn_no_credit);
	tcase_add_test(pl, a_departure_leaves_the_union);
	suite_add_tcase(s, pl);
	return s;
}
