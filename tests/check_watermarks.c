/*
 * check_watermarks.c - the reclaim policy watermarks (policies/
 * reclaim_watermarks.c) and zswap, the model's host-wide compressed pool
 * in front of swap (model/mem.c).  Expected values are worked by hand
 * from Linux's mm/page_alloc.c (min_free_kbytes = int_sqrt(kB x 16) within
 * [128, 262144]; min = that / 4 pages; tmp = max(min / 4, managed x wsf /
 * 10000); low = min + tmp; high = low + tmp), from zswap.rst (a pool capped
 * at max_pool of memory, same-filled pages in no space, refusal until the
 * accept threshold, LRU writeback) and MECHANISMS.md 2.4 (compressors'
 * mean ratios and decompression latencies).
 */
#include <check.h>
#include <cjson/cJSON.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host.h"
#include "policy_rig.h"
#include "results.h"
#include "rng.h"
#include "run.h"
#include "scenario.h"
#include "suites.h"
#include "vm.h"

#define PAGE 4096
#define KiB 1024LL
#define MiB (1024LL * KiB)
#define GiB (1024LL * MiB)
#define TiB (1024LL * GiB)

/* --- a host built by hand ---------------------------------------------- */

struct wm_rig {
	struct policy_rig pol;
	struct host h;
	struct vm vm;
	struct vm_spec spec;
	char name[4];
	bool has_vm;
};

/* The default content's slots (workloads/trace.c: ratios lognormal with
 * median 3.06, sigma 0.5): P(R >= 4) and P(2 <= R < 4). */
static struct compress_spec default_compress(void)
{
	double b2 = gsl_cdf_ugaussian_P((log(2) - log(3.06)) / 0.5);
	double b4 = gsl_cdf_ugaussian_P((log(4) - log(3.06)) / 0.5);

	return (struct compress_spec){.quarter = 1 - b4, .half = b4 - b2};
}

/* A host of memory_bytes under reclaim yaml, with one VM of 1024 pages
 * (zero_share of its content zero, the rest unique) whose first touched
 * data pages are resident (written when write). */
static void rig_init(struct wm_rig *r, int64_t memory_bytes, const char *reclaim,
		     uint32_t touched, double zero_share, bool write)
{
	const char *yaml[FAMILY_COUNT] = {[FAMILY_RECLAIM] = reclaim};

	memset(r, 0, sizeof(*r));
	policy_rig_init(&r->pol, yaml);
	host_init(&r->h, 0, "h", "g", memory_bytes, 0);
	hmem_init(&r->h.mem, memory_bytes, 0, PAGE);
	swapdev_init(&r->h.mem.swap, 1 << 20, 80000, 120000, 1e9, PAGE);
	host_bind_policies(&r->h, &r->pol.set, 9, 0);
	if (touched || zero_share > 0) {
		struct vmem_params p = {.n_pages = 1024, .n_data = 1024, .limit_pages = 1024,
					.image = -1, .content_seed = 7, .zero_share = zero_share,
					.compress_unique = default_compress()};
		struct phase ph = {.pattern = PATTERN_UNIFORM, .rate = 1000};
		uint32_t d;

		r->has_vm = true;
		snprintf(r->name, sizeof(r->name), "v");
		r->spec = (struct vm_spec){.name = r->name, .memory_bytes = 1024 * PAGE,
					   .limit_bytes = 1024 * PAGE, .image = -1};
		vm_init(&r->vm, &r->spec, 0);
		vmem_init(&r->vm.mem, &p);
		r->vm.guest_rng = rng_stream(1, 0, RNG_GUEST, 0);
		host_add_vm(&r->h, &r->vm);
		wss_set(&r->vm.mem.wss, &ph, 1024);
		for (d = 0; d < touched; d++)
			mem_touch(&r->h, &r->vm, d, write, 0);
	}
}

static void rig_free(struct wm_rig *r)
{
	if (r->has_vm) {
		mem_vm_leave(&r->h, &r->vm);
		vmem_release(&r->vm.mem);
		gsl_rng_free(r->vm.guest_rng);
		host_remove_vm(&r->h, &r->vm);
	}
	hmem_release(&r->h.mem);
	host_release(&r->h);
	policy_rig_release(&r->pol);
}

/* Gives the host free_frames free frames (policy_rig_set_free). */
static void set_free(struct wm_rig *r, uint64_t free_frames)
{
	policy_rig_set_free(&r->h.mem, free_frames);
}

static void checked(struct wm_rig *r)
{
	struct sim_err err = {0};

	ck_assert_msg(mem_check(&r->h, &err) == 0, "%s", err.msg);
}

static double stat_of(struct wm_rig *r, const char *key)
{
	struct policy_ctx ctx = policy_ctx_of(&r->h, FAMILY_RECLAIM, 0);
	struct policy_stats st = {0};
	size_t k;

	r->pol.set.reclaim.ops->info.host_stats(&ctx, &st);
	for (k = 0; k < st.n; k++)
		if (!strcmp(st.key[k], key))
			return st.value[k];
	ck_abort_msg("no figure %s", key);
	return NAN;
}

/* The reclaim policy's turn at a tick's start, as the cluster gives it:
 * zswap's writeback, the policy's state, kswapd's frames. */
static enum host_pressure tick(struct wm_rig *r, sim_time t)
{
	struct policy_ctx ctx = policy_ctx_of(&r->h, FAMILY_RECLAIM, t);
	uint64_t goal;

	mem_zswap_writeback(&r->h);
	reclaim_on_tick(&r->pol.set.reclaim, &ctx);
	goal = reclaim_free_goal(&r->pol.set.reclaim, &ctx);
	if (goal)
		mem_reclaim_ahead(&r->h, goal, t);
	return reclaim_pressure(&r->pol.set.reclaim, &ctx);
}

/* --- the watermarks -------------------------------------------------------- */

/*
 * By hand, pages of 4 KiB, wsf 10 unless said:
 * 16 GiB: 16777216 kB x 16 = 2^28, sqrt 16384 kB: min 4096; managed
 *   4194304 x 10 / 10000 = 4194 > 1024: low 8290, high 12484.
 * 256 GiB: 2^28 kB x 16 = 2^32, sqrt 65536 kB: min 16384; 67108864 / 1000 =
 *   67108: low 83492, high 150600.
 * 1 TiB: sqrt(2^34) = 131072 kB: min 32768; 268435: low 301203, high 569638.
 * 16 TiB: sqrt(2^38) = 524288 kB, clamped to 262144: min 65536; 4294967:
 *   low 4360503, high 8655470.
 * 256 KiB: sqrt(4096) = 64 kB, clamped to 128: min 32; managed 64 x 10 /
 *   10000 = 0 < 8: low 40, high 48.
 * 16 GiB, min_free_kbytes 65536: min 16384; max(4096, 4194): low 20578,
 *   high 24772.  16 GiB, wsf 100: tmp 41943: low 46039, high 87982.
 */
START_TEST(watermarks_follow_the_kernel_formula_by_hand)
{
	static const struct {
		int64_t memory;
		const char *yaml;
		double min, low, high;
	} c[] = {
		{16 * GiB, "{policy: watermarks}", 4096, 8290, 12484},
		{256 * GiB, "{policy: watermarks}", 16384, 83492, 150600},
		{1 * TiB, "{policy: watermarks}", 32768, 301203, 569638},
		{16 * TiB, "{policy: watermarks}", 65536, 4360503, 8655470},
		{256 * KiB, "{policy: watermarks}", 32, 40, 48},
		{16 * GiB, "{policy: watermarks, min_free_kbytes: 65536}", 16384, 20578, 24772},
		{16 * GiB, "{policy: watermarks, watermark_scale_factor: 100}", 4096, 46039, 87982},
	};
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct wm_rig r;

		rig_init(&r, c[i].memory, c[i].yaml, 0, 0, false);
		ck_assert_msg(stat_of(&r, "min_bytes") == c[i].min * PAGE, "case %zu: min %.0f",
			      i, stat_of(&r, "min_bytes") / PAGE);
		ck_assert_msg(stat_of(&r, "low_bytes") == c[i].low * PAGE, "case %zu: low %.0f",
			      i, stat_of(&r, "low_bytes") / PAGE);
		ck_assert_msg(stat_of(&r, "high_bytes") == c[i].high * PAGE,
			      "case %zu: high %.0f", i, stat_of(&r, "high_bytes") / PAGE);
		rig_free(&r);
	}
}
END_TEST

/*
 * A 64 MiB host: 65536 kB x 16 = 2^20, sqrt 1024 kB: min 256 pages;
 * max(64, 16384 / 1000 = 16) = 64: low 320, high 384.  At 319 free
 * kswapd wakes and frees 65 frames, to 384 (zswap off: a frame a page);
 * while awake it frees up to 384 again from anywhere below; at 384 it
 * sleeps.  At 320 it stays asleep; between low and high it
 * does not wake.
 */
START_TEST(kswapd_starts_below_low_and_stops_at_high)
{
	static const char *const yaml = "{policy: watermarks, zswap: {enabled: false}}";
	struct wm_rig r;

	rig_init(&r, 64 * MiB, yaml, 1000, 0, true);
	set_free(&r, 320);
	ck_assert_int_eq(tick(&r, 0), PRESSURE_CLEAR);
	ck_assert_uint_eq(r.h.mem.frames_free, 320);
	set_free(&r, 319);
	ck_assert_int_eq(tick(&r, 1), PRESSURE_HARD);
	ck_assert_uint_eq(r.h.mem.frames_free, 384);
	ck_assert_uint_eq(r.vm.mem.stats.host_swap_out, 65);
	/* Awake, it goes on below high: from 350 back to 384. */
	set_free(&r, 350);
	ck_assert_int_eq(tick(&r, 2), PRESSURE_HARD);
	ck_assert_uint_eq(r.h.mem.frames_free, 384);
	ck_assert_int_eq(tick(&r, 3), PRESSURE_HIGH);
	set_free(&r, 383);
	ck_assert_int_eq(tick(&r, 4), PRESSURE_CLEAR);
	ck_assert_uint_eq(r.h.mem.frames_free, 383);
	ck_assert_double_eq(stat_of(&r, "kswapd_wakeups"), 1);
	checked(&r);
	rig_free(&r);
}
END_TEST

/*
 * Below min (256 on the 64 MiB host) an allocation is direct reclaim: the
 * VM that takes a frame first swaps a page out and waits for the write
 * (at least the device's 120 us); at or above min it takes a free frame
 * and waits for nothing (the rig's zero fill costs 0).
 */
START_TEST(direct_reclaim_below_min_stalls_the_allocating_vm)
{
	static const char *const yaml = "{policy: watermarks, zswap: {enabled: false}}";
	struct wm_rig r;
	int64_t stall;

	rig_init(&r, 64 * MiB, yaml, 500, 0, true);
	set_free(&r, 256);
	stall = mem_touch(&r.h, &r.vm, 600, true, 0);
	ck_assert_int_eq(stall, 0);
	ck_assert_uint_eq(r.vm.mem.stats.host_swap_out, 0);
	ck_assert_uint_eq(r.h.mem.frames_free, 255);
	stall = mem_touch(&r.h, &r.vm, 601, true, 0);
	ck_assert_int_ge(stall, 120000);
	ck_assert_uint_eq(r.vm.mem.stats.host_swap_out, 1);
	ck_assert_uint_eq(r.h.mem.frames_free, 255);
	checked(&r);
	rig_free(&r);
}
END_TEST

/* --- zswap ------------------------------------------------------------------ */

/* 20% of 64 MiB = 13421772.8 bytes, rounded down; 50%: 33554432; a host
 * simulated at 1/16 (4 MiB of frames): 838860.8, down. */
START_TEST(the_pool_cap_is_max_pool_of_host_memory)
{
	struct wm_rig r;

	rig_init(&r, 64 * MiB, "{policy: watermarks}", 0, 0, false);
	ck_assert_uint_eq(mem_zswap_cap_bytes(&r.h), 13421772);
	rig_free(&r);
	rig_init(&r, 64 * MiB, "{policy: watermarks, zswap: {max_pool: 50%}}", 0, 0, false);
	ck_assert_uint_eq(mem_zswap_cap_bytes(&r.h), 33554432);
	rig_free(&r);
	rig_init(&r, 4 * MiB, "{policy: watermarks}", 0, 0, false);
	ck_assert_uint_eq(mem_zswap_cap_bytes(&r.h), 838860);
	rig_free(&r);
	rig_init(&r, 64 * MiB, "{policy: esx-states}", 0, 0, false);
	ck_assert_uint_eq(mem_zswap_cap_bytes(&r.h), 0);
	rig_free(&r);
}
END_TEST

/* A zero page goes to the pool in no space: no bytes, no frame, its own
 * frame freed, no compression cost (latency.compress set to 16 us); it
 * comes back with a zero fill, not a decompression. */
START_TEST(zero_pages_are_stored_at_no_cost)
{
	struct wm_rig r;
	uint64_t free_before;
	int64_t stall = 0;

	rig_init(&r, 64 * MiB, "{policy: watermarks}", 10, 1.0, false);
	r.h.mem.lat.compress_ns = 16000;
	r.h.mem.lat.zero_fill_ns = 1000;
	free_before = r.h.mem.frames_free;
	ck_assert_uint_eq(mem_zswap_bytes(&r.h, &r.vm, 3), 0);
	ck_assert_int_eq(mem_swap_out(&r.h, &r.vm, 3, 0, &stall), 0);
	ck_assert_int_eq(vmem_state(&r.vm.mem, 3), PS_COMPRESSED);
	ck_assert_int_eq(stall, 0);
	ck_assert_uint_eq(r.h.mem.zswap.pool_bytes, 0);
	ck_assert_uint_eq(hmem_cache_frames(&r.h.mem), 0);
	ck_assert_uint_eq(r.h.mem.frames_free, free_before + 1);
	ck_assert_double_eq(stat_of(&r, "zswap.same_filled_pages"), 1);
	checked(&r);
	stall = mem_touch(&r.h, &r.vm, 3, false, 0);
	ck_assert_int_eq(stall, 1000);
	ck_assert_int_eq(vmem_state(&r.vm.mem, 3), PS_PRIVATE);
	checked(&r);
	rig_free(&r);
}
END_TEST

/* Unique pages stored in order 0, 1, ... until one does not fit: the
 * bytes each takes, and the first refused. */
struct fill {
	uint64_t bytes[1024];
	uint32_t stored[1024];
	size_t n;
	uint64_t sum;
};

static void fill_pool(struct wm_rig *r, struct fill *f)
{
	uint64_t cap = mem_zswap_cap_bytes(&r->h);
	uint32_t g;

	memset(f, 0, sizeof(*f));
	for (g = 0; g < 1024; g++) {
		uint64_t b = mem_zswap_bytes(&r->h, &r->vm, g);
		int rc = mem_zswap_store(&r->h, &r->vm, g, NULL);

		if (b >= PAGE) {
			ck_assert_int_eq(rc, -SIM_ERANGE);      /* compresses poorly */
			continue;
		}
		if (f->sum + b > cap) {
			ck_assert_int_eq(rc, -SIM_ERANGE);
			ck_assert(r->h.mem.zswap.full);
			return;
		}
		ck_assert_int_eq(rc, 0);
		f->bytes[f->n] = b;
		f->stored[f->n++] = g;
		f->sum += b;
		ck_assert_uint_eq(r->h.mem.zswap.pool_bytes, f->sum);
		/* Packed into whole frames. */
		ck_assert_uint_eq(hmem_cache_frames(&r->h.mem), (f->sum + PAGE - 1) / PAGE);
		checked(r);
	}
	ck_abort_msg("the pool never filled");
}

/*
 * A pool of 0.5% of 64 MiB (335544 bytes) fills with the VM's unique
 * pages; once a page has not fit, every page is refused, even one that
 * would fit, while the pool is above 90% of its cap (301989 bytes); loads
 * bring it down, and at or below the threshold it accepts again.
 */
START_TEST(a_full_pool_refuses_until_below_its_accept_threshold)
{
	struct wm_rig r;
	struct fill f;
	uint64_t cap, accept;
	size_t i;
	uint32_t next;

	rig_init(&r, 64 * MiB, "{policy: watermarks, zswap: {max_pool: 0.5%}}", 1024, 0, true);
	cap = mem_zswap_cap_bytes(&r.h);
	accept = (uint64_t)floor(0.9 * (double)cap);
	ck_assert_uint_eq(cap, 335544);
	fill_pool(&r, &f);
	/* The next unique page not stored, which would fit once some are loaded. */
	next = f.stored[f.n - 1] + 1;
	while (mem_zswap_bytes(&r.h, &r.vm, next) >= PAGE ||
	       vmem_state(&r.vm.mem, next) != PS_PRIVATE)
		next++;
	/* Load the most recent pages until the pool is below its cap by more
	 * than the page, but still above the threshold. */
	i = f.n;
	while (r.h.mem.zswap.pool_bytes + mem_zswap_bytes(&r.h, &r.vm, next) > cap) {
		mem_touch(&r.h, &r.vm, f.stored[--i], false, 0);
		checked(&r);
	}
	ck_assert_uint_gt(r.h.mem.zswap.pool_bytes, accept);
	ck_assert_int_eq(mem_zswap_store(&r.h, &r.vm, next, NULL), -SIM_ERANGE);
	while (r.h.mem.zswap.pool_bytes > accept)
		mem_touch(&r.h, &r.vm, f.stored[--i], false, 0);
	ck_assert_int_eq(mem_zswap_store(&r.h, &r.vm, next, NULL), 0);
	ck_assert(!r.h.mem.zswap.full);
	ck_assert_double_gt(stat_of(&r, "zswap.reject_full_pages"), 1);
	checked(&r);
	rig_free(&r);
}
END_TEST

/* Writeback takes the least recently stored first: after the pool fills,
 * pages stored[0..k) go to swap, k the fewest whose bytes bring the pool
 * to 90% of its cap or below, and the rest stay in the pool. */
START_TEST(writeback_takes_the_least_recently_stored_first)
{
	struct wm_rig r;
	struct fill f;
	uint64_t accept, left;
	size_t i, k = 0;

	rig_init(&r, 64 * MiB, "{policy: watermarks, zswap: {max_pool: 0.5%}}", 1024, 0, true);
	accept = (uint64_t)floor(0.9 * (double)mem_zswap_cap_bytes(&r.h));
	fill_pool(&r, &f);
	for (left = f.sum; left > accept; k++)
		left -= f.bytes[k];
	ck_assert_uint_eq(mem_zswap_writeback(&r.h), k);
	for (i = 0; i < f.n; i++)
		ck_assert_int_eq(vmem_state(&r.vm.mem, f.stored[i]),
				 i < k ? PS_SWAPPED : PS_COMPRESSED);
	ck_assert_uint_eq(r.h.mem.zswap.pool_bytes, left);
	ck_assert_uint_eq(r.vm.mem.stats.host_swap_out, k);
	ck_assert_uint_eq(mem_zswap_writeback(&r.h), 0);   /* at the threshold: done */
	checked(&r);
	rig_free(&r);
}
END_TEST

/* A page loaded from the pool costs its compressor's decompression per
 * 4 KiB (zram's means, MECHANISMS.md 2.4): lz4 1.7 us, lzo 2.4, zstd 5.7. */
START_TEST(decompression_latency_is_the_compressors)
{
	static const struct {
		const char *yaml;
		int64_t ns;
	} c[] = {
		{"{policy: watermarks, zswap: {compressor: lz4}}", 1700},
		{"{policy: watermarks, zswap: {compressor: lzo}}", 2400},
		{"{policy: watermarks, zswap: {compressor: zstd}}", 5700},
	};
	size_t i;

	for (i = 0; i < 3; i++) {
		struct wm_rig r;
		uint32_t g = 0;

		rig_init(&r, 64 * MiB, c[i].yaml, 100, 0, true);
		while (mem_zswap_bytes(&r.h, &r.vm, g) >= PAGE)
			g++;
		ck_assert_int_eq(mem_swap_out(&r.h, &r.vm, g, 0, NULL), 0);
		ck_assert_int_eq(mem_touch(&r.h, &r.vm, g, false, 0), c[i].ns);
		ck_assert_double_eq(stat_of(&r, "zswap.load_pages"), 1);
		checked(&r);
		rig_free(&r);
	}
}
END_TEST

/*
 * The compressor's mean ratio: over the VM's 1024 pages of the default
 * content (lognormal ratios, median 3.06, sigma 0.5, harmonic mean
 * 3.06 e^-0.125 = 2.7004), lzo scales every page by 2.69 / 2.7004.  The
 * expected bytes in over bytes out of the pages it stores (those whose
 * scaled ratio is above 1), by numerical integration over the lognormal:
 * P(stored) / E[1 / R'; R' > 1].  Its sample of 1024 pages is within 3%
 * (the spread of 1 / R is 53% of its mean: 1.7% over 1024 pages).  And
 * zstd's pages are lzo's times 2.69 / 3.96, within a byte's rounding;
 * every page is in the class ESX's slots give its content.
 */
START_TEST(the_compressor_sets_the_mean_ratio)
{
	double scale = 2.69 / (3.06 * exp(-0.125)), p = 0, inv = 0, in = 0, out = 0;
	struct wm_rig lzo, zstd;
	int i, n = 200000;
	uint32_t g;

	for (i = 0; i < n; i++) {
		double u = (i + 0.5) / n;
		double rr = 3.06 * exp(0.5 * gsl_cdf_ugaussian_Pinv(u)) * scale;

		if (rr > 1) {
			p += 1.0 / n;
			inv += 1.0 / rr / n;
		}
	}
	rig_init(&lzo, 64 * MiB, "{policy: watermarks}", 1024, 0, true);
	rig_init(&zstd, 64 * MiB, "{policy: watermarks, zswap: {compressor: zstd}}", 1024, 0,
		 true);
	for (g = 0; g < 1024; g++) {
		uint64_t b = mem_zswap_bytes(&lzo.h, &lzo.vm, g), z;

		if (b >= PAGE)
			continue;
		in += PAGE;
		out += (double)b;
		/* Its class is ESX's slot for the same content: a ratio of 4 or
		 * more (bytes at most 4096 / (4 x scale), up to a byte) is a
		 * quarter slot, of 2 up to 4 a half slot, below 2 none. */
		switch (mem_zip_slot(&lzo.vm.mem, g)) {
		case 1:
			ck_assert_double_le((double)b, 4096 / (4 * scale) + 1);
			break;
		case 2:
			ck_assert_double_ge((double)b, 4096 / (4 * scale) - 1);
			ck_assert_double_le((double)b, 4096 / (2 * scale) + 1);
			break;
		default:
			ck_assert_double_ge((double)b, 4096 / (2 * scale) - 1);
		}
		z = mem_zswap_bytes(&zstd.h, &zstd.vm, g);
		ck_assert_msg(fabs((double)z - (double)b * 2.69 / 3.96) <= 1.0, "%llu vs %llu",
			      (unsigned long long)z, (unsigned long long)b);
	}
	ck_assert_msg(fabs(in / out / (p / inv) - 1) < 0.03, "ratio %.3f, want %.3f", in / out,
		      p / inv);
	rig_free(&lzo);
	rig_free(&zstd);
}
END_TEST

/* --- a run, results and configuration --------------------------------------- */

static cJSON *at(cJSON *j, const char *path)
{
	char buf[256], *save = NULL, *part;

	snprintf(buf, sizeof(buf), "%s", path);
	for (part = strtok_r(buf, ".", &save); part && j; part = strtok_r(NULL, ".", &save))
		j = cJSON_GetObjectItemCaseSensitive(j, part);
	return j;
}

/*
 * Two VMs overcommit a 1 GiB host under watermarks with zswap: the model's
 * invariants hold every 10 ticks (frame conservation with the pool), the
 * pool stores pages and never holds more than 20% of the host.
 */
START_TEST(a_run_keeps_every_invariant_with_the_pool)
{
	struct scenario_opts opts = {0};
	struct run_opts ro = {.check_every = 10};
	struct scenario s;
	struct run_record rec;
	struct sim_err e = {0};
	cJSON *j, *r;

	ck_assert_msg(scenario_load("tests/data/watermarks.yaml", &opts, &s, &e) == 0,
		      "%s:%u:%u: %s", e.file, e.line, e.col, e.msg);
	ck_assert_msg(run_replication(&s, 0, &ro, &rec, &e) == 0, "%s", e.msg);
	j = results_to_json(&rec);
	r = at(cJSON_GetArrayItem(at(j, "hosts"), 0), "reclaim");
	ck_assert_str_eq(at(r, "policy")->valuestring, "watermarks");
	ck_assert_double_gt(at(r, "zswap.stored_pages")->valuedouble, 0);
	ck_assert_double_le(at(r, "zswap.pool_bytes")->valuedouble, 0.2 * GiB);
	ck_assert_double_gt(at(r, "kswapd_wakeups")->valuedouble, 0);
	/* 1 GiB: sqrt(2^20 kB x 16) = 4096 kB, 1024 pages. */
	ck_assert_double_eq(at(r, "min_bytes")->valuedouble, 1024.0 * PAGE);
	cJSON_Delete(j);
	results_release(&rec);
	scenario_release(&s);
}
END_TEST

static char path[64];
static struct scenario sc;
static struct sim_err err;

static int load_policies(const char *policies_line)
{
	int fd;
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "/tmp/memsim-watermarks-XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	fprintf(f, "duration: 1h\nhosts: [{memory: 64GiB}]\n%s\n"
		   "workload: {vms: [{name: a, memory: 1GiB}]}\n",
		policies_line);
	fclose(f);
	memset(&err, 0, sizeof(err));
	memset(&sc, 0, sizeof(sc));
	rc = scenario_load(path, NULL, &sc, &err);
	unlink(path);
	return rc;
}

/* Columns counted by hand on "policies: {reclaim: {policy: watermarks, "
 * (41 characters): a key at 42; in "zswap: {" (8 more) a key at 50, and
 * compressor's value at 62. */
START_TEST(bad_parameters_are_located_errors)
{
	ck_assert_int_eq(load_policies("policies: {reclaim: {policy: watermarks}}"), 0);
	ck_assert_str_eq(cfg_at_path(sc.root, "policies.reclaim.min_free_kbytes")->text, "auto");
	ck_assert_str_eq(cfg_at_path(sc.root, "policies.reclaim.zswap.compressor")->text, "lzo");
	scenario_release(&sc);
	ck_assert_int_eq(load_policies("policies: {reclaim: {policy: watermarks, wsf: 10}}"),
			 -SIM_EKEY);
	ck_assert_uint_eq(err.col, 42);
	scenario_release(&sc);
	ck_assert_int_eq(load_policies("policies: {reclaim: {policy: watermarks, "
				       "zswap: {pool: 20%}}}"),
			 -SIM_EKEY);
	ck_assert_uint_eq(err.col, 50);
	scenario_release(&sc);
	ck_assert_int_ne(load_policies("policies: {reclaim: {policy: watermarks, "
				       "zswap: {compressor: lzz}}}"),
			 0);
	ck_assert(strstr(err.msg, "lzz"));
	ck_assert_uint_eq(err.col, 62);
	scenario_release(&sc);
	ck_assert_int_eq(load_policies("policies: {reclaim: {policy: watermarks, "
				       "watermark_scale_factor: 0}}"),
			 -SIM_ERANGE);
	scenario_release(&sc);
}
END_TEST

Suite *watermarks_suite(void)
{
	Suite *s = suite_create("watermarks");
	TCase *tc = tcase_create("watermarks");

	tcase_add_test(tc, watermarks_follow_the_kernel_formula_by_hand);
	tcase_add_test(tc, kswapd_starts_below_low_and_stops_at_high);
	tcase_add_test(tc, direct_reclaim_below_min_stalls_the_allocating_vm);
	suite_add_tcase(s, tc);
	tc = tcase_create("zswap");
	tcase_add_test(tc, the_pool_cap_is_max_pool_of_host_memory);
	tcase_add_test(tc, zero_pages_are_stored_at_no_cost);
	tcase_add_test(tc, a_full_pool_refuses_until_below_its_accept_threshold);
	tcase_add_test(tc, writeback_takes_the_least_recently_stored_first);
	tcase_add_test(tc, decompression_latency_is_the_compressors);
	tcase_add_test(tc, the_compressor_sets_the_mean_ratio);
	suite_add_tcase(s, tc);
	tc = tcase_create("run");
	tcase_add_test(tc, a_run_keeps_every_invariant_with_the_pool);
	tcase_add_test(tc, bad_parameters_are_located_errors);
	tcase_set_timeout(tc, 0);
	suite_add_tcase(s, tc);
	return s;
}
