/*
 * reclaim_watermarks.c - Linux's zone watermarks, kswapd and direct
 * reclaim, with zswap in front of the swap device (MECHANISMS.md 2.4):
 * reclaim: {policy: watermarks, min_free_kbytes: auto,
 * watermark_scale_factor: 10, zswap: {max_pool: 20%, accept_threshold: 90%,
 * compressor: lzo}, victims: clock}.
 *
 * DOC: the watermarks (Linux 6.6 mm/page_alloc.c)
 *
 * The host is one zone whose managed pages are its memory in 4 KiB pages
 * (the hypervisor's overhead is memory the kernel manages too, as MemTotal
 * counts it).  calculate_min_free_kbytes: min_free_kbytes =
 * int_sqrt(lowmem_kbytes x 16), clamped to [128, 262144] (262144 since
 * Linux 5.7, 65536 before), unless given; __setup_per_zone_wmarks: min =
 * min_free_kbytes / 4 pages, tmp = max(min / 4, managed x
 * watermark_scale_factor / 10000) (mult_frac), low = min + tmp, high =
 * low + tmp.  A 16 GiB host: min 16384 kB (4096 pages), low 8290, high
 * 12484 pages; 256 GiB: min 65536 kB, low 83492, high 150600 pages.
 *
 * kswapd wakes when free memory is below low at a tick's start and frees
 * frames in the background until free memory is back at high
 * (free_goal), then sleeps once a tick starts at or above high.  An
 * allocation while free memory is below min is direct reclaim: the model
 * makes the allocating VM reclaim a page first and wait for it (the
 * pressure is low, which blocks allocations as ESX's low state does).
 * The pressure, read live from free memory: below min low (direct
 * reclaim); below low, or kswapd awake, hard (background reclaim); below
 * high clear; else high.  soft is never used: Linux has no state that
 * drives balloons (MOM reads the host's free memory itself), and balloons
 * always run (no balloon_runs).  Victims as swap-only: the VM in
 * proportion to its private pages, the page by the host's clock (Linux's
 * LRU lists approximate second chance) or at random.
 *
 * zswap: the model's mechanism (DOC: zswap in model/mem.c), turned on
 * through the zswap query.  The compressor sets the mean ratio on memory
 * data and the decompression latency per 4 KiB (zram's measurements,
 * MECHANISMS.md 2.4): lzo 2.69 and 2.4 us, lz4 2.58 and 1.7 us, zstd 3.96
 * and 5.7 us.
 */
#include <math.h>
#include <string.h>

#include "host.h"
#include "policy.h"
#include "vm.h"

/* mm/page_alloc.c calculate_min_free_kbytes: clamp(..., 128, 262144). */
#define WMARK_MIN_FREE_KB_LO 128
#define WMARK_MIN_FREE_KB_HI 262144
/* vm.watermark_scale_factor: default 10, at most 3000 (Documentation/
 * admin-guide/sysctl/vm.rst). */
#define WMARK_WSF_DEFAULT "10"
#define WMARK_WSF_MAX 3000
#define WMARK_KPAGE 4096                /* the kernel's page */
/* zswap.rst: max_pool_percent 20, accept_threshold_percent 90. */
#define ZSWAP_MAX_POOL "20%"
#define ZSWAP_ACCEPT "90%"

enum { VICTIMS_RANDOM, VICTIMS_CLOCK };
enum { COMP_LZO, COMP_LZ4, COMP_ZSTD };

/* zram on 1.1 GB of memory data, MECHANISMS.md 2.4: mean ratio, mean
 * swap-in latency per 4 KiB page. */
static const struct {
	double ratio;
	int64_t decompress_ns;
} compressors[] = {
	[COMP_LZO] = {2.69, 2400},
	[COMP_LZ4] = {2.58, 1700},
	[COMP_ZSTD] = {3.96, 5700},
};

struct watermarks {
	bool min_free_auto;
	int64_t min_free_kbytes;        /* when given */
	int64_t wsf;                    /* watermark_scale_factor */
	int victims;
	bool zswap_on;
	struct reclaim_zswap zswap;
};

struct watermarks_host {
	bool decided;
	bool kswapd;                    /* awake */
	enum host_pressure state;       /* at the last tick's start */
	sim_time since;
	sim_time resident_ns[PRESSURE_COUNT];
	uint64_t wakeups;
};

/* The three watermarks of a host, in the kernel's 4 KiB pages. */
struct wmarks {
	uint64_t min, low, high;
};

static const char *const watermarks_params[] = {"min_free_kbytes", "watermark_scale_factor",
						"zswap", "victims", NULL};

static int watermarks_init(void *priv, struct cfg_node *params, struct sim_err *err)
{
	static const char *const victims[] = {"random", "clock", NULL};
	static const char *const comp_names[] = {"lzo", "lz4", "zstd", NULL};
	static const char *const zswap_keys[] = {"enabled", "max_pool", "accept_threshold",
						 "compressor", NULL};
	struct watermarks *w = priv;
	const struct cfg_node *mf = cfg_get(params, "min_free_kbytes");
	struct cfg_node *z;
	const char *text;
	int rc, comp;

	w->min_free_auto = !mf || (mf->kind == CFG_SCALAR && !strcmp(mf->text, "auto"));
	if ((rc = w->min_free_auto
			  ? cfg_read_string(params, "min_free_kbytes", "auto", &text, err)
			  : cfg_read_int(params, "min_free_kbytes", NULL, 0, INT32_MAX,
					 &w->min_free_kbytes, err)) ||
	    (rc = cfg_read_int(params, "watermark_scale_factor", WMARK_WSF_DEFAULT, 1,
			       WMARK_WSF_MAX, &w->wsf, err)) ||
	    (rc = cfg_read_enum(params, "victims", "clock", victims, &w->victims, err)))
		return rc;
	z = cfg_get(params, "zswap");
	if (!z) {
		z = cfg_new_map(params->file, 0, 0);
		cfg_map_add(params, "zswap", z);
	}
	if ((rc = cfg_expect(z, CFG_MAP, "zswap", err)) ||
	    (rc = cfg_check_keys(z, "zswap", zswap_keys, err)) ||
	    (rc = cfg_read_bool(z, "enabled", "true", &w->zswap_on, err)) ||
	    (rc = cfg_read_fraction(z, "max_pool", ZSWAP_MAX_POOL, 0, 1, &w->zswap.max_pool,
				    err)) ||
	    (rc = cfg_read_fraction(z, "accept_threshold", ZSWAP_ACCEPT, 0, 1,
				    &w->zswap.accept_threshold, err)) ||
	    (rc = cfg_read_enum(z, "compressor", "lzo", comp_names, &comp, err)))
		return rc;
	w->zswap.ratio = compressors[comp].ratio;
	w->zswap.decompress_ns = compressors[comp].decompress_ns;
	return 0;
}

static uint64_t isqrt(uint64_t x)
{
	uint64_t r = (uint64_t)sqrt((double)x);

	while (r * r > x)
		r--;
	while ((r + 1) * (r + 1) <= x)
		r++;
	return r;
}

/* mult_frac(x, n, d) of include/linux/math.h. */
static uint64_t mult_frac(uint64_t x, uint64_t n, uint64_t d)
{
	return (x / d) * n + ((x % d) * n) / d;
}

/* The kernel's arithmetic for the full host (see DOC above). */
static struct wmarks wmarks_of(const struct watermarks *w, int64_t memory_bytes)
{
	uint64_t managed = (uint64_t)memory_bytes / WMARK_KPAGE, kb, tmp;
	struct wmarks m;

	if (w->min_free_auto) {
		kb = isqrt(managed * (WMARK_KPAGE / 1024) * 16);
		kb = kb < WMARK_MIN_FREE_KB_LO ? WMARK_MIN_FREE_KB_LO
		     : kb > WMARK_MIN_FREE_KB_HI ? WMARK_MIN_FREE_KB_HI : kb;
	} else {
		kb = (uint64_t)w->min_free_kbytes;
	}
	m.min = kb / (WMARK_KPAGE / 1024);
	tmp = m.min >> 2;
	if (mult_frac(managed, (uint64_t)w->wsf, 10000) > tmp)
		tmp = mult_frac(managed, (uint64_t)w->wsf, 10000);
	m.low = m.min + tmp;
	m.high = m.low + tmp;
	return m;
}

/* A watermark in the host's simulated frames (rounded up). */
static uint64_t frames_of(const struct host *h, uint64_t kpages)
{
	return (uint64_t)ceil((double)kpages * WMARK_KPAGE * host_sample_rate(h) /
			      (double)host_page_bytes(h));
}

static struct wmarks host_wmarks(const struct policy_ctx *ctx)
{
	struct wmarks m = wmarks_of(ctx->priv, host_memory_bytes(ctx->host));

	return (struct wmarks){frames_of(ctx->host, m.min), frames_of(ctx->host, m.low),
			       frames_of(ctx->host, m.high)};
}

static enum host_pressure watermarks_pressure(const struct policy_ctx *ctx)
{
	const struct watermarks_host *st = ctx->host_priv;
	struct wmarks m = host_wmarks(ctx);
	uint64_t free_frames = host_free_frames(ctx->host);

	if (free_frames < m.min)
		return PRESSURE_LOW;
	if (free_frames < m.low || st->kswapd)
		return PRESSURE_HARD;
	return free_frames < m.high ? PRESSURE_CLEAR : PRESSURE_HIGH;
}

static void watermarks_on_tick(const struct policy_ctx *ctx)
{
	struct watermarks_host *st = ctx->host_priv;
	struct wmarks m = host_wmarks(ctx);
	uint64_t free_frames = host_free_frames(ctx->host);

	if (st->decided)
		st->resident_ns[st->state] += ctx->now - st->since;
	st->since = ctx->now;
	st->decided = true;
	if (!st->kswapd && free_frames < m.low) {
		st->kswapd = true;
		st->wakeups++;
	} else if (st->kswapd && free_frames >= m.high) {
		st->kswapd = false;
	}
	st->state = watermarks_pressure(ctx);
}

/* kswapd: the frames that bring free memory back to high. */
static uint64_t watermarks_free_goal(const struct policy_ctx *ctx)
{
	const struct watermarks_host *st = ctx->host_priv;
	uint64_t high = host_wmarks(ctx).high, free_frames = host_free_frames(ctx->host);

	return st->kswapd && free_frames < high ? high - free_frames : 0;
}

/* A VM in proportion to its private pages: O(VMs on the host). */
static struct vm *watermarks_victim_vm(const struct policy_ctx *ctx)
{
	return host_vm_by_private_pages(ctx->host, ctx->rng);
}

static uint32_t watermarks_victim_page(const struct policy_ctx *ctx, struct vm *vm)
{
	const struct watermarks *w = ctx->priv;

	return w->victims == VICTIMS_CLOCK ? mem_victim_clock(vm, ctx->now, ctx->rng)
					   : mem_victim_random(vm, ctx->rng);
}

static bool watermarks_zswap(const void *priv, struct reclaim_zswap *out)
{
	const struct watermarks *w = priv;

	if (w->zswap_on && out)
		*out = w->zswap;
	return w->zswap_on;
}

static void watermarks_stats(const struct policy_ctx *ctx, struct policy_stats *out)
{
	static const struct {
		enum host_pressure s;
		const char *key;
	} states[] = {
		{PRESSURE_HIGH, "state_s.high"}, {PRESSURE_CLEAR, "state_s.clear"},
		{PRESSURE_HARD, "state_s.hard"}, {PRESSURE_LOW, "state_s.low"},
	};
	const struct watermarks *w = ctx->priv;
	const struct watermarks_host *st = ctx->host_priv;
	const struct mem_zswap *z = host_zswap(ctx->host);
	struct wmarks m = wmarks_of(w, host_memory_bytes(ctx->host));
	double rate = host_sample_rate(ctx->host);
	size_t i;

	/* In the simulated host's bytes, which a sampled run's results scale
	 * back to the full host's. */
	policy_stat(out, "min_bytes", (double)m.min * WMARK_KPAGE * rate);
	policy_stat(out, "low_bytes", (double)m.low * WMARK_KPAGE * rate);
	policy_stat(out, "high_bytes", (double)m.high * WMARK_KPAGE * rate);
	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		sim_time ns = st->resident_ns[states[i].s] +
			      (st->decided && states[i].s == st->state ? ctx->now - st->since : 0);

		policy_stat(out, states[i].key, (double)ns / 1e9);
	}
	policy_stat(out, "kswapd_wakeups", (double)st->wakeups);
	if (!w->zswap_on)
		return;
	policy_stat(out, "zswap.pool_bytes", (double)z->pool_bytes);
	policy_stat(out, "zswap.stored_pages", (double)z->stored);
	policy_stat(out, "zswap.same_filled_pages", (double)z->same_filled);
	policy_stat(out, "zswap.load_pages", (double)z->loads);
	policy_stat(out, "zswap.written_back_pages", (double)z->written_back);
	policy_stat(out, "zswap.reject_full_pages", (double)z->reject_full);
	policy_stat(out, "zswap.reject_poor_pages", (double)z->reject_poor);
}

const struct reclaim_ops reclaim_watermarks_ops = {
	.info = {.name = "watermarks", .params = watermarks_params,
		 .priv_size = sizeof(struct watermarks),
		 .host_priv_size = sizeof(struct watermarks_host), .init = watermarks_init,
		 .host_stats = watermarks_stats},
	.pressure = watermarks_pressure,
	.victim_vm = watermarks_victim_vm,
	.victim_page = watermarks_victim_page,
	.on_tick = watermarks_on_tick,
	.free_goal = watermarks_free_goal,
	.zswap = watermarks_zswap,
};
