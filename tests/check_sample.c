/*
 * check_sample.c - spatially sampled runs (model/sample.c,
 * analysis/sampling.c): the rate's syntax; rate 1 is the unsampled run,
 * byte for byte, and a sampled run is deterministic; a VM keeps the rate's
 * share of its pages, image pages are sampled alike in every VM, and a
 * sampled page is touched at its full rate; and on a small host that swaps,
 * the sampled run agrees with the full one, and both with the closed forms
 * of THEORY.md, within the binomial error of their counts.
 */
#include <check.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"
#include "rng.h"
#include "run.h"
#include "sample.h"
#include "suites.h"
#include "wss.h"

static cJSON *run_json(const char *path, const char *const *sets, size_t n_sets)
{
	struct scenario_opts opts = {sets, n_sets, false, 0};
	struct scenario sc;
	struct run_record rec;
	struct sim_err err = {0};
	struct run_opts o = {.check_every = 10};
	cJSON *j;

	ck_assert_msg(scenario_load(path, &opts, &sc, &err) == 0, "%s:%u:%u: %s", err.file,
		      err.line, err.col, err.msg);
	ck_assert_msg(run_replication(&sc, 0, &o, &rec, &err) == 0, "%s", err.msg);
	j = results_to_json(&rec);
	results_release(&rec);
	scenario_release(&sc);
	return j;
}

/* The results text without "run" (wall time); frees j.  Texts are
 * compared with strcmp: Check cannot carry a message of their size. */
static char *text_without_run(cJSON *j)
{
	char *s;

	cJSON_DeleteItemFromObject(j, "run");
	s = cJSON_Print(j);
	cJSON_Delete(j);
	return s;
}

static double num_at(cJSON *j, const char *path)
{
	char buf[256], *save = NULL, *part;

	snprintf(buf, sizeof(buf), "%s", path);
	for (part = strtok_r(buf, ".", &save); part && j; part = strtok_r(NULL, ".", &save))
		j = isdigit((unsigned char)part[0]) ? cJSON_GetArrayItem(j, atoi(part))
						    : cJSON_GetObjectItemCaseSensitive(j, part);
	ck_assert_msg(j && cJSON_IsNumber(j), "no number at %s", path);
	return j->valuedouble;
}

/* --- the rate's syntax ------------------------------------------------------ */

static const char base_cfg[] =
	"duration: 10s\nhosts: [{memory: 1GiB}]\n"
	"workload: {vms: [{name: a, memory: 64MiB}]}\n";

/* Loads base_cfg plus extra from a file; returns the rc, fills *sc and *err. */
static int load_text(const char *extra, struct scenario *sc, struct sim_err *err)
{
	char path[] = "/tmp/memsim-sample-XXXXXX";
	int fd = mkstemp(path), rc;
	FILE *f = fdopen(fd, "w");

	ck_assert(f != NULL);
	fputs(base_cfg, f);
	fputs(extra, f);
	fclose(f);
	memset(err, 0, sizeof(*err));
	rc = scenario_load(path, NULL, sc, err);
	remove(path);
	return rc;
}

START_TEST(rate_is_one_a_fraction_one_over_n_or_a_decimal)
{
	static const struct {
		const char *text;
		double rate;
	} good[] = {
		{"", 1.0}, {"sampling: {rate: 1}\n", 1.0}, {"sampling: {rate: 1/1}\n", 1.0},
		{"sampling: {rate: 1/64}\n", 1.0 / 64}, {"sampling: {rate: 0.25}\n", 0.25},
		{"sampling: {rate: 1/3}\n", 1.0 / 3}, {"sampling: {}\n", 1.0},
	};
	static const char *const bad[] = {
		"0", "2", "1/0", "2/64", "-0.5", "50%", "1/64x", "abc", "1.5", "1/-4",
	};
	struct scenario sc;
	struct sim_err err;
	char text[128];
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ck_assert_msg(load_text(good[i].text, &sc, &err) == 0, "%s: %s", good[i].text,
			      err.msg);
		ck_assert_double_eq(sc.sample_rate, good[i].rate);
		scenario_release(&sc);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "sampling: {rate: %s}\n", bad[i]);
		ck_assert_int_eq(load_text(text, &sc, &err), -SIM_EINVAL);
		/* Line 4 (after base_cfg's three), at the value. */
		ck_assert_msg(err.line == 4 && err.col == 18, "%s at %u:%u", bad[i], err.line,
			      err.col);
		ck_assert(strstr(err.msg, "1/N") != NULL);
		scenario_release(&sc);
	}
	/* A sampled run simulates 4 KiB pages. */
	ck_assert_int_eq(load_text("page_size: 64KiB\nsampling: {rate: 1/4}\n", &sc, &err),
			 -SIM_EINVAL);
	ck_assert_uint_eq(err.line, 5);
	ck_assert(strstr(err.msg, "page_size: 4KiB") != NULL);
	scenario_release(&sc);
	ck_assert_int_eq(load_text("sampling: {rat: 1}\n", &sc, &err), -SIM_EKEY);
	scenario_release(&sc);
}
END_TEST

/* --- identity and determinism ------------------------------------------------- */

START_TEST(rate_one_is_the_unsampled_run_byte_for_byte)
{
	const char *one[] = {"sampling.rate=1"}, *one_one[] = {"sampling.rate=1/1"};
	char *a = text_without_run(run_json("tests/data/sample_host.yaml", NULL, 0));
	char *b = text_without_run(run_json("tests/data/sample_host.yaml", one, 1));
	char *c = text_without_run(run_json("tests/data/sample_host.yaml", one_one, 1));
	char *d, *text, path[] = "/tmp/memsim-sample-XXXXXX";
	FILE *in = fopen("tests/data/sample_host.yaml", "r"), *out;
	size_t n;

	ck_assert_msg(!strcmp(a, b), "results a and b differ");
	ck_assert_msg(!strcmp(a, c), "results a and c differ");
	/* Written first in the file, the key still leaves the same config. */
	ck_assert(in != NULL);
	text = calloc(1, 1 << 16);
	n = fread(text, 1, (1 << 16) - 1, in);
	fclose(in);
	out = fdopen(mkstemp(path), "w");
	ck_assert(out != NULL && n > 0);
	fputs("sampling: {rate: 1.0}\n", out);
	fputs(text, out);
	fclose(out);
	d = text_without_run(run_json(path, NULL, 0));
	remove(path);
	ck_assert_msg(!strcmp(a, d), "results a and d differ");
	free(d);
	free(text);
	ck_assert(strstr(a, "\"low_confidence\"") == NULL);
	free(a);
	free(b);
	free(c);
}
END_TEST

START_TEST(a_sampled_run_gives_the_same_bytes_again)
{
	const char *r16[] = {"sampling.rate=1/16"}, *r16s[] = {"sampling.rate=1/16", "seed=9"};
	char *a = text_without_run(run_json("tests/data/sample_host.yaml", r16, 1));
	char *b = text_without_run(run_json("tests/data/sample_host.yaml", r16, 1));
	char *c = text_without_run(run_json("tests/data/sample_host.yaml", r16s, 2));

	ck_assert_msg(!strcmp(a, b), "results a and b differ");
	/* And another seed samples other pages. */
	ck_assert_msg(strcmp(a, c), "results a and c are the same");
	ck_assert(strstr(a, "\"sampled_pages\"") != NULL);
	free(a);
	free(b);
	free(c);
}
END_TEST

/* --- which pages ----------------------------------------------------------------- */

static struct vmem_params vm_params(uint32_t pages, uint32_t data, uint64_t content_seed)
{
	struct vmem_params p = {.n_pages = pages, .n_data = data, .limit_pages = pages,
				.image = -1, .content_seed = content_seed};

	return p;
}

START_TEST(a_vm_keeps_the_rate_of_its_pages)
{
	/* Stratified: one page in every run of 64, so 100000 pages give
	 * floor or ceil of 100000 / 64 = 1562.5, whatever the key. */
	static const double rates[] = {1.0 / 64, 0.3};
	struct sample_map s;
	uint64_t key;
	unsigned hits = 0;

	for (key = 1; key < 50; key++) {
		struct vmem_params p = vm_params(100000, 60000, key);

		sample_map_init(&s, 1.0 / 64, rng_mix(key), 0, &p);
		ck_assert_msg(p.n_pages == 1562 || p.n_pages == 1563, "%u pages", p.n_pages);
		ck_assert_uint_eq(p.n_data, s.n_data);
		ck_assert(s.n_data == 937 || s.n_data == 938);  /* 60000 / 64 = 937.5 */
		ck_assert_uint_eq(p.limit_pages, p.n_pages);    /* unlimited stays so */
		ck_assert(p.data_rank == &s.ranks);
		ck_assert(s.table == NULL);     /* no image pages at 1/64: computed */
		for (uint32_t j = 1; j < s.n_data; j++)
			ck_assert_uint_lt(wss_rank_of(&s.ranks, j - 1), wss_rank_of(&s.ranks, j));
		ck_assert_uint_lt(wss_rank_of(&s.ranks, s.n_data - 1), 60000);
		sample_map_release(&s);
	}
	/* Each page is in with probability rate: page 5 over 6400 VMs is in
	 * Binomial(6400, 1/64) of them, 100 +- 9.9; allow 4 sd. */
	for (key = 0; key < 6400; key++) {
		struct vmem_params p = vm_params(64, 64, key);

		sample_map_init(&s, rates[0], rng_mix(key + 77), 0, &p);
		for (uint32_t j = 0; j < s.n_data; j++)
			hits += wss_rank_of(&s.ranks, j) == 5;
		sample_map_release(&s);
	}
	ck_assert_msg(fabs(hits - 100.0) < 4 * 9.92, "page 5 in %u of 6400", hits);
	/* 0.3: runs of 3, each pick kept with 0.9: Binomial(33334, 0.9) of
	 * 100000 pages, 30000.6 +- 54.8. */
	{
		struct vmem_params p = vm_params(100000, 100000, 3);

		sample_map_init(&s, rates[1], 12345, 0, &p);
		ck_assert_msg(fabs(p.n_pages - 30000.6) < 4 * 54.8, "%u pages", p.n_pages);
		sample_map_release(&s);
	}
	/* A limit of 40000 pages becomes 0.3 of it; the phase's prefix counts. */
	{
		struct vmem_params p = vm_params(64000, 64000, 3);

		p.limit_pages = 40000;
		sample_map_init(&s, 1.0 / 64, 999, 0, &p);
		ck_assert_uint_eq(p.limit_pages, 625);
		ck_assert_uint_eq(sample_map_below(&s, 64000, 0), 1000);
		ck_assert_uint_eq(sample_map_below(&s, 6400, 0), 100);
		ck_assert_uint_eq(sample_map_below(&s, 0, 0), 0);
		sample_map_release(&s);
	}
}
END_TEST

/*
 * Without image pages at 1/N a VM's sampled pages are computed (run j's
 * pick is page j); with an image share that gives no page image content
 * (1e-300 of them), they are hashed page by page into a table: the two
 * choose the same pages, and count the same pages below any bound.
 */
START_TEST(computed_and_tabled_samples_choose_the_same_pages)
{
	struct vmem_params a = vm_params(50000, 30001, 5), b = a;
	struct sample_map sa, sb;
	uint32_t j, x;

	b.image = 0;
	b.image_pages = 1000;
	b.image_share = 1e-300;
	sample_map_init(&sa, 1.0 / 64, 4321, 99, &a);
	sample_map_init(&sb, 1.0 / 64, 4321, 99, &b);
	ck_assert(sa.table == NULL && sb.table != NULL);
	ck_assert_uint_eq(sa.n_data, sb.n_data);
	ck_assert_uint_eq(a.n_pages, b.n_pages);
	for (j = 0; j < sa.n_data; j++)
		ck_assert_uint_eq(wss_rank_of(&sa.ranks, j), sb.table[j]);
	for (x = 0; x <= 30001; x += 7)
		ck_assert_uint_eq(sample_map_below(&sa, x, 0), sample_map_below(&sb, x, 0));
	sample_map_release(&sa);
	sample_map_release(&sb);
}
END_TEST

START_TEST(equal_image_content_is_sampled_alike_in_every_vm)
{
	/* Two VMs of one image of 3000 pages, 80% of their data image pages:
	 * each content the two hold is in both samples or in neither. */
	enum { DATA = 60000, IMAGE = 3000 };
	signed char *in = calloc(IMAGE + 1, 1);     /* 0 unseen, 1 in, -1 out */
	struct vmem_params p[2];
	struct sample_map s[2];
	unsigned both = 0, image_in = 0;
	int v;

	for (v = 0; v < 2; v++) {
		uint32_t d, j = 0;

		p[v] = vm_params(DATA, DATA, 1000 + (uint64_t)v);
		p[v].image = 0;
		p[v].image_pages = IMAGE;
		p[v].image_share = 0.8;
		sample_map_init(&s[v], 1.0 / 16, rng_mix(50 + (uint64_t)v), 4242, &p[v]);
		p[v].n_pages = p[v].n_data = DATA;      /* the full VM again, for its contents */
		for (d = 0; d < DATA; d++) {
			uint32_t c = mem_initial_content(&p[v], d);
			bool sampled = j < s[v].n_data && s[v].table[j] == d;

			j += sampled;
			if (c == MEM_CONTENT_ZERO || c == MEM_CONTENT_UNIQUE)
				continue;
			ck_assert_uint_le(c, IMAGE);
			if (in[c] && v == 1)
				both++;
			ck_assert_msg(!in[c] || in[c] == (sampled ? 1 : -1),
				      "content %u sampled in one place, not in another", c);
			in[c] = sampled ? 1 : -1;
		}
		sample_map_release(&s[v]);
	}
	for (v = 1; v <= IMAGE; v++)
		image_in += in[v] == 1;
	ck_assert_uint_gt(both, 1000);
	/* About 3000 / 16 = 187.5 contents are in (binomial, sd 13.3). */
	ck_assert_msg(fabs(image_in - 187.5) < 4 * 13.3, "%u image contents in", image_in);
	free(in);
}
END_TEST

START_TEST(a_sampled_host_keeps_the_rate_of_its_frames_swap_and_bandwidth)
{
	/* 32 MiB and 1 MiB of overhead: 8192 and 256 frames; 64 MiB of swap,
	 * 16384 slots; 4 KiB at 100 MB/s, 40.96 us.  At 1/16: 512 frames, 16
	 * of overhead, 1024 slots, and each request loads the device as 16. */
	struct host h = {0};

	hmem_init(&h.mem, 32 << 20, 1 << 20, 4096);
	swapdev_init(&h.mem.swap, 16384, 80000, 120000, 100e6, 4096);
	swapdev_init(&h.mem.disk, SWAPDEV_UNBOUNDED, 110000, 52000, 100e6, 4096);
	ck_assert_double_eq(host_sample_rate(&h), 1.0);
	sample_scale_host(&h.mem, 1.0 / 16);
	ck_assert_uint_eq(h.mem.frames_total, 512);
	ck_assert_uint_eq(h.mem.frames_overhead, 16);
	ck_assert_uint_eq(h.mem.frames_free, 496);
	ck_assert_uint_eq(h.mem.swap.capacity_pages, 1024);
	ck_assert(h.mem.disk.capacity_pages == SWAPDEV_UNBOUNDED);
	ck_assert_int_eq(h.mem.swap.transfer_ns, 40960);       /* latencies stay */
	ck_assert_int_eq(h.mem.swap.work_ns, 16 * 40960);
	ck_assert_int_eq(h.mem.disk.work_ns, 16 * 40960);
	ck_assert_int_eq(h.mem.swap.read_latency_ns, 80000);
	ck_assert_double_eq(host_sample_rate(&h), 1.0 / 16);
	/* A sampled stall stands for 16; unsampled (rate 1, or unset 0), itself. */
	ck_assert_int_eq(sample_time_ns(1.0 / 16, 200000), 3200000);
	ck_assert_int_eq(sample_time_ns(1.0, 200000), 200000);
	ck_assert_int_eq(sample_time_ns(0.0, 200000), 200000);
	hmem_release(&h.mem);
}
END_TEST

/* --- the sampled pattern ------------------------------------------------------ */

START_TEST(a_sampled_page_is_touched_at_its_full_rate)
{
	/* Zipf 0.9 over 4096 ranks, every 16th rank from 7 sampled: page j of
	 * the sample is touched at rate * (rank_j + 1)^-0.9 / H(4096, 0.9), the
	 * sum done here term by term. */
	struct phase ph = {.pattern = PATTERN_ZIPF, .skew = 0.9, .rate = 1e5};
	struct phase hc = {.pattern = PATTERN_HOTCOLD, .hot_fraction = 0.25,
			   .hot_probability = 0.75, .rate = 1e5};
	struct phase un = {.pattern = PATTERN_SEQUENTIAL, .rate = 1e5};
	uint32_t rank[256], j;
	struct wss_ranks ranks = {.table = rank};
	struct wss w = {0};
	double h = 0, sum = 0, mass = 0;
	int k;

	for (k = 1; k <= 4096; k++)
		h += pow(k, -0.9);
	for (j = 0; j < 256; j++) {
		rank[j] = 16 * j + 7;
		mass += pow(rank[j] + 1.0, -0.9) / h;
	}
	wss_set_sampled(&w, &ph, 4096, &ranks, 256);
	ck_assert_uint_eq(w.pages, 256);
	/* wss sums zipf past rank 256 by the midpoint rule, to 1e-5 (wss.c). */
	ck_assert_double_eq_tol(w.sampled_mass, mass, 1e-5 * mass);
	ck_assert_double_eq_tol(w.rate, 1e5 * mass, 1e-5 * 1e5 * mass);
	for (j = 0; j < 256; j++) {
		double want = 1e5 * pow(rank[j] + 1.0, -0.9) / h;

		ck_assert_double_eq_tol(wss_page_rate(&w, j), want, 1e-5 * want);
		sum += wss_page_mass(&w, j);
	}
	ck_assert_double_eq_tol(sum, 1.0, 1e-9);
	/* 1000 touches of the sample stand for 1000 / mass of the full set. */
	ck_assert_double_eq_tol(wss_full_touches(&w, 1000), 1000 / mass, 1e-5 * 1000 / mass);
	/* Hot-cold: ranks below 1024 hot, 0.75 of the touches over them. */
	wss_set_sampled(&w, &hc, 4096, &ranks, 256);
	for (j = 0; j < 256; j++) {
		double want = rank[j] < 1024 ? 1e5 * 0.75 / 1024 : 1e5 * 0.25 / 3072;

		ck_assert_double_eq_tol(wss_page_rate(&w, j), want, 1e-9 * want);
	}
	/* A scan passes each sampled page once a lap of the full set. */
	wss_set_sampled(&w, &un, 4096, &ranks, 256);
	ck_assert_double_eq_tol(w.rate, 1e5 / 16, 1e-6);
	ck_assert_double_eq_tol(wss_page_rate(&w, 3), 1e5 / 4096, 1e-9);
	wss_release(&w);
}
END_TEST

/* --- agreement on a small host ------------------------------------------------- */

/*
 * tests/data/sample_host.yaml: N = 16384 uniform pages on C = 8192 frames,
 * r = 1000 touches/s for T = 800 s, swap read 80 us and write 120 us, each
 * plus a 4 ns transfer (4 KiB at 1 TB/s) and no queueing to speak of
 * (utilisation 4e-6).  Once C pages are resident every touch misses with
 * probability m = 1 - C/N (THEORY.md), independently; while the host
 * fills, with resident r < C, a miss comes every N/(N - r) touches where
 * the steady state would count (N - C)/(N - r) misses, so the fill adds
 * extra = sum over r < C of (C - r)/(N - r) misses.  Every page is zero
 * filled once (2 us); every other miss is a swap-in; every miss past the
 * first C swaps a victim out first.  The VM's time binds: D completed
 * touches cost D/r of compute plus the stall f(D) = D m (c_in + c_out) + K,
 * K = (extra - N) c_in + N c_z + (extra - C) c_out, and D/r + f(D) = T.
 * A run sampled at R is the same system of N R pages on C R frames, whose
 * counts are scaled by 1/R: its misses are binomial in its D R touches,
 * so m is known to sd sqrt(m (1 - m) / (D R)) (Poisson's, near enough),
 * and the tolerance is 4 sd of each, 4 sd of the root sum of squares for
 * their difference.  Slowdown is f(D) / T: its relative error is m's
 * (the stall is almost all misses), plus 1% for the fill's variance and
 * the stalls' rounding.
 */
static void expect_agreement(cJSON *j, double R, double *m_out, double *sd_out,
			     double *slow_out)
{
	const double N = 16384 * R, C = 8192 * R, r = 1000, T = 800;
	const double c_in = 80.004e-6, c_out = 120.004e-6, c_z = 2e-6, m = 1 - C / N;
	double extra = 0, faults = 0, done, D, K, want, sd, stall, slow;
	const char *kinds[] = {"zero_fill", "cow", "host_swap_in", "decompress", "guest_swap_in"};
	char path[64];
	int k;

	for (k = 0; k < (int)C; k++)
		extra += (C - k) / (N - k);
	for (k = 0; k < 5; k++) {
		snprintf(path, sizeof(path), "summary.faults.%s", kinds[k]);
		faults += num_at(j, path);
	}
	done = num_at(j, "vms.0.touches") * num_at(j, "vms.0.progress");
	/* Both in the sampled system's units: its touches and misses. */
	want = m + extra / (done * R);
	sd = sqrt(m * (1 - m) / (done * R));
	ck_assert_msg(fabs(faults / done - want) < 4 * sd,
		      "rate %g: %.5f misses per touch, want %.5f +- %.5f", R, faults / done, want,
		      4 * sd);
	K = (extra - N) * c_in + N * c_z + (extra - C) * c_out;
	/* Sampled, each event stands for 1/R of them: K over R. */
	D = (T - K / R) / (1 / r + m * (c_in + c_out));
	stall = D * m * (c_in + c_out) + K / R;
	slow = num_at(j, "summary.performance.slowdown_mean");
	ck_assert_msg(fabs(slow / (stall / T) - 1) < 4 * sd / m + 0.01,
		      "rate %g: slowdown %.5f, want %.5f", R, slow, stall / T);
	/* At the end every page has been touched: N - C swapped, the full
	 * run's 8192 pages whatever the rate. */
	ck_assert_double_eq(num_at(j, "hosts.0.swap_used_bytes"), 8192.0 * 4096);
	*m_out = faults / done;
	*sd_out = sd;
	*slow_out = slow;
}

START_TEST(a_sampled_host_agrees_with_the_full_one)
{
	const char *r16[] = {"sampling.rate=1/16"};
	cJSON *full = run_json("tests/data/sample_host.yaml", NULL, 0);
	cJSON *s16 = run_json("tests/data/sample_host.yaml", r16, 1);
	double mf, sf, slf, ms, ss, sls;

	expect_agreement(full, 1, &mf, &sf, &slf);
	expect_agreement(s16, 1.0 / 16, &ms, &ss, &sls);
	ck_assert_msg(fabs(ms - mf) < 4 * sqrt(ss * ss + sf * sf), "misses %.5f against %.5f",
		      ms, mf);
	ck_assert_msg(fabs(sls / slf - 1) < 4 * sqrt(ss * ss + sf * sf) / 0.5 + 0.01,
		      "slowdown %.5f against %.5f", sls, slf);
	ck_assert_double_eq(num_at(s16, "sampling.rate"), 1.0 / 16);
	ck_assert_double_eq(num_at(s16, "sampling.sampled_pages"), 1024);
	ck_assert_double_eq(num_at(s16, "sampling.pages"), 16384);
	/* Configured and host memory are not sampled. */
	ck_assert_double_eq(num_at(s16, "summary.memory.host_bytes"), 32.0 * 1024 * 1024);
	ck_assert_double_eq(num_at(s16, "vms.0.memory_bytes"), 64.0 * 1024 * 1024);
	cJSON_Delete(full);
	cJSON_Delete(s16);
}
END_TEST

START_TEST(a_sampled_balloon_moves_at_its_full_rate)
{
	/* The sample at t follows the tick that ends at t + 1 s, so the
	 * balloon holds min(floor(1 MiB/s * (t + 1) / 4 KiB), 4096) pages;
	 * sampled at 1/16 the driver moves 64 KiB/s of 1024 pages, a
	 * sixteenth as many, which scale back to the same bytes. */
	const char *r16[] = {"sampling.rate=1/16"};
	cJSON *runs[2] = {run_json("tests/data/sample_balloon.yaml", NULL, 0),
			  run_json("tests/data/sample_balloon.yaml", r16, 1)};
	int i, t;

	for (i = 0; i < 2; i++) {
		for (t = 0; t <= 30; t += 5) {
			char path[64];
			double pages = fmin(floor(1048576.0 * (t + 1) / 4096), 4096);

			snprintf(path, sizeof(path), "series.ballooned_bytes.%d", t);
			ck_assert_msg(num_at(runs[i], path) == pages * 4096, "run %d at %d s: %g",
				      i, t, num_at(runs[i], path));
		}
		cJSON_Delete(runs[i]);
	}
}
END_TEST

/*
 * A device's load is the full run's (tests/data/sample_md1.yaml): each of
 * a sampled run's requests adds 1/R requests' transfer, so the utilisation
 * is the full device's, and every request waits M/D/1's mean at it,
 * W = rho s / (2 (1 - rho)), s = 4 KiB at 100 MB/s, within 5% as in
 * check_run.c.  The utilisation rests on the misses, about 55,000 of them
 * sampled at 1/16 (16 VMs, 760 touches/s, half missing, 200 s, over 16):
 * 0.4% relative sd, so the two runs' utilisations agree within 2%.
 */
START_TEST(a_sampled_device_carries_the_full_load_and_waits_as_long)
{
	const char *r16[] = {"sampling.rate=1/16"};
	cJSON *runs[2] = {run_json("tests/data/sample_md1.yaml", NULL, 0),
			  run_json("tests/data/sample_md1.yaml", r16, 1)};
	const double s = 4096 / 100e6;
	double rho[2];
	int i;

	for (i = 0; i < 2; i++) {
		double wait = num_at(runs[i], "hosts.0.swap_queue.wait_mean_s"), want;

		rho[i] = num_at(runs[i], "hosts.0.swap_queue.utilization");
		want = rho[i] * s / (2 * (1 - rho[i]));
		ck_assert_msg(rho[i] > 0.3 && fabs(wait - want) < 0.05 * want,
			      "run %d: rho %.3f, wait %.3g s, M/D/1 %.3g s", i, rho[i], wait, want);
	}
	ck_assert_msg(fabs(rho[1] / rho[0] - 1) < 0.02, "utilisation %.4f against %.4f", rho[1],
		      rho[0]);
	cJSON_Delete(runs[0]);
	cJSON_Delete(runs[1]);
}
END_TEST

/*
 * ESX's policies reckon the full host in a sampled run
 * (tests/data/sample_idle_tax.yaml).  esx-idle-tax: the host gives
 * 160 MiB less MinFree (6%), 38502.4 pages of 4 KiB, floor 38502, split
 * 2:1 by shares: a keeps floor(25668) and b floor(12834) of their 32768
 * pages, balloons of 7100 and 19934 pages.  At 1/16 the host gives
 * floor(2406.4) = 2406 of 2048-page VMs: a 1604, b 802, balloons of 444
 * and 1246 pages, 16 times that in full pages: 7104 and 19936, within
 * one sampled page (16 full pages) of the full run's after the rounding
 * of each.  esx-states' MinFree is the full host's:
 * 6% of 167772160 bytes = 10066329 bytes (rounded down).
 */
START_TEST(esx_policies_reckon_the_full_host_when_sampled)
{
	const char *r16[] = {"sampling.rate=1/16", "output.vm_series=true"};
	const char *st[] = {"policies.reclaim.policy=esx-states"};
	const char *st16[] = {"policies.reclaim.policy=esx-states", "sampling.rate=1/16"};
	cJSON *full = run_json("tests/data/sample_idle_tax.yaml", NULL, 0);
	cJSON *s16 = run_json("tests/data/sample_idle_tax.yaml", r16, 2);
	cJSON *sf = run_json("tests/data/sample_idle_tax.yaml", st, 1);
	cJSON *ss = run_json("tests/data/sample_idle_tax.yaml", st16, 2);

	ck_assert_double_eq(num_at(full, "vms.0.pages.ballooned"), 7100);
	ck_assert_double_eq(num_at(full, "vms.1.pages.ballooned"), 19934);
	ck_assert_double_eq(num_at(s16, "vms.0.pages.ballooned"), 7104);
	ck_assert_double_eq(num_at(s16, "vms.1.pages.ballooned"), 19936);
	/* The VM's means and series count the full VM too: at the last
	 * sample (20 s, the balloons long full) its series holds its balloon,
	 * and its mean is within a sampled page of the full run's. */
	ck_assert_double_eq(num_at(s16, "vms.1.series.ballooned_bytes.20"), 19936.0 * 4096);
	ck_assert_msg(fabs(num_at(s16, "vms.1.memory.ballooned_bytes_mean") -
			   num_at(full, "vms.1.memory.ballooned_bytes_mean")) <= 16 * 4096,
		      "ballooned mean %g against %g",
		      num_at(s16, "vms.1.memory.ballooned_bytes_mean"),
		      num_at(full, "vms.1.memory.ballooned_bytes_mean"));
	ck_assert_double_eq(num_at(full, "hosts.0.balloon.allocatable_bytes"), 38502.0 * 4096);
	ck_assert_double_eq(num_at(s16, "hosts.0.balloon.allocatable_bytes"), 38502.0 * 4096);
	ck_assert_double_eq(num_at(sf, "hosts.0.reclaim.min_free_bytes"), 10066329);
	ck_assert_double_eq(num_at(ss, "hosts.0.reclaim.min_free_bytes"), 10066329);
	cJSON_Delete(full);
	cJSON_Delete(s16);
	cJSON_Delete(sf);
	cJSON_Delete(ss);
}
END_TEST

Suite *sample_suite(void)
{
	Suite *s = suite_create("sample");
	TCase *tc = tcase_create("config");

	tcase_add_test(tc, rate_is_one_a_fraction_one_over_n_or_a_decimal);
	suite_add_tcase(s, tc);
	tc = tcase_create("pages");
	tcase_add_test(tc, a_vm_keeps_the_rate_of_its_pages);
	tcase_add_test(tc, computed_and_tabled_samples_choose_the_same_pages);
	tcase_add_test(tc, equal_image_content_is_sampled_alike_in_every_vm);
	tcase_add_test(tc, a_sampled_host_keeps_the_rate_of_its_frames_swap_and_bandwidth);
	tcase_add_test(tc, a_sampled_page_is_touched_at_its_full_rate);
	suite_add_tcase(s, tc);
	tc = tcase_create("runs");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, rate_one_is_the_unsampled_run_byte_for_byte);
	tcase_add_test(tc, a_sampled_run_gives_the_same_bytes_again);
	tcase_add_test(tc, a_sampled_host_agrees_with_the_full_one);
	tcase_add_test(tc, a_sampled_balloon_moves_at_its_full_rate);
	tcase_add_test(tc, a_sampled_device_carries_the_full_load_and_waits_as_long);
	tcase_add_test(tc, esx_policies_reckon_the_full_host_when_sampled);
	suite_add_tcase(s, tc);
	return s;
}
