/*
 * share_tps.c - VMware ESX's transparent page sharing (OSDI'02 section 4,
 * MECHANISMS.md 1.3 and 1.5), on the model's scan per VM.
 *
 * Each VM is scanned on its own, in a random order drawn afresh for each
 * of its full scans (the model's affine permutations), at
 * min(VM pages / scan_time, rate_max) pages a second; over the host the
 * rates add up to at most scan_ghz x host_ghz (Mem.ShareScanGHz), and
 * above that every VM's rate is scaled down by the same factor.  A page
 * is hashed at every visit (no two-visit rule as in KSM): equal content
 * on a shared frame merges at once (copy-on-write); else a hint of equal
 * content is rehashed and, still equal, both pages share a new frame (if
 * it changed the hint is dropped and this page is hinted instead); else
 * the page becomes its content's hint, not a shared page.  Hints persist
 * across scans (ESX's hint frames) until matched or their VM leaves.
 *
 * Salting (Mem.ShareForceSalting, KB 2097593 / Broadcom 323624): the salt
 * is mixed into the key the model's share table matches on, so pages of
 * different salts never share.  0: no salt, every VM shares with every
 * VM.  1: a VM's salt is its `salt:` from the trace (sched.mem.pshare.salt),
 * or none (salt 0, shared by every VM without one).  2 (the default since
 * the 2014-15 patches): its `salt:` when it has one, else its own (ESX's
 * vc.uuid): only intra-VM sharing.  The no-salt cases of 1 and 2 are the
 * KB's table as recalled, not re-read (MECHANISMS.md has "with 1, VMs of
 * the same salt share").
 *
 * ESX's states call TPS actively in clear (MECHANISMS.md 1.5): while the
 * reclaim policy's pressure is clear or lower, every rate (and the host's
 * cap) is clear_factor times the normal one.  No source gives how much
 * faster "actively" is; 4 is memsim's choice.
 */
#include <math.h>

#include "host.h"
#include "policy.h"
#include "rng.h"
#include "vm.h"

/* ESXi 7.0U3 advanced settings (MECHANISMS.md 1.3). */
#define DEFAULT_SCAN_TIME "60m"         /* Mem.ShareScanTime, 10-600 minutes */
#define MIN_SCAN_TIME_NS (10LL * 60 * 1000000000)
#define MAX_SCAN_TIME_NS (600LL * 60 * 1000000000)
#define DEFAULT_RATE_MAX "1024/s"       /* Mem.ShareRateMax, 4 KiB pages per VM */
#define DEFAULT_SCAN_GHZ "4MB/s"        /* Mem.ShareScanGHz, per GHz of host CPU */
#define DEFAULT_SALTING "2"             /* Mem.ShareForceSalting */
/*
 * The host's CPU in GHz, for the Mem.ShareScanGHz cap: memsim's hosts have
 * no CPU, and MECHANISMS.md gives none; 48 GHz is an assumption, a
 * two-socket host of 2 x 10 cores at 2.4 GHz (so the cap is 192 MB/s).
 */
#define DEFAULT_HOST_GHZ "48"
/* How much faster TPS scans in clear and below: no source; memsim's choice. */
#define DEFAULT_CLEAR_FACTOR "4"
/* How often the scanner wakes: ESX publishes none; memsim's choice. */
#define DEFAULT_PERIOD "1s"
#define PAGE_4K 4096.0

/* Salts of `salt:` strings and VMs' own salts, apart. */
#define SALT_NAMED 0x73616c74ULL        /* "salt" */
#define SALT_OWN 0x6f776eULL            /* "own" */

struct tps {
	sim_time scan_time_ns;          /* Mem.ShareScanTime */
	double rate_max;                /* Mem.ShareRateMax: 4 KiB pages/s per VM */
	double scan_ghz;                /* Mem.ShareScanGHz: bytes/s per GHz */
	double host_ghz;                /* the host's CPU */
	int64_t salting;                /* Mem.ShareForceSalting: 0, 1, 2 */
	double clear_factor;            /* rate multiplier in clear and below */
	sim_time period_ns;
};

static const char *const tps_params[] = {"scan_time", "rate_max", "scan_ghz", "host_ghz",
					 "salting", "clear_factor", "period", NULL};

static int tps_init(void *priv, struct cfg_node *params, struct sim_err *err)
{
	struct tps *p = priv;
	int rc;

	if ((rc = cfg_read_duration(params, "scan_time", DEFAULT_SCAN_TIME, &p->scan_time_ns,
				    err)) ||
	    (rc = cfg_check_duration_range(params, "scan_time", p->scan_time_ns, MIN_SCAN_TIME_NS,
					   MAX_SCAN_TIME_NS, err)) ||
	    (rc = cfg_read_rate(params, "rate_max", DEFAULT_RATE_MAX, &p->rate_max, err)) ||
	    (rc = cfg_read_bandwidth(params, "scan_ghz", DEFAULT_SCAN_GHZ, &p->scan_ghz, err)) ||
	    (rc = cfg_read_number(params, "host_ghz", DEFAULT_HOST_GHZ, 0.001, 1e6, &p->host_ghz,
				  err)) ||
	    (rc = cfg_read_int(params, "salting", DEFAULT_SALTING, 0, 2, &p->salting, err)) ||
	    (rc = cfg_read_number(params, "clear_factor", DEFAULT_CLEAR_FACTOR, 1, 1000,
				  &p->clear_factor, err)) ||
	    (rc = cfg_read_duration(params, "period", DEFAULT_PERIOD, &p->period_ns, err)) ||
	    (rc = cfg_check_duration_range(params, "period", p->period_ns, 1000000,
					   3600LL * 1000000000, err)))
		return rc;
	if (!(p->rate_max > 0) || p->rate_max > 1e9)
		return cfg_err(err, -SIM_ERANGE, cfg_get(params, "rate_max"),
			       "'rate_max' must be above 0 and at most 1G/s");
	if (!(p->scan_ghz > 0))
		return cfg_err(err, -SIM_ERANGE, cfg_get(params, "scan_ghz"),
			       "'scan_ghz' must be above 0");
	return 0;
}

static sim_time tps_period(const void *priv)
{
	const struct tps *p = priv;

	return p->period_ns;
}

/* clear_factor in clear and below, else 1. */
static double tps_factor(const struct policy_ctx *ctx)
{
	const struct tps *p = ctx->priv;

	return policy_pressure(ctx) >= PRESSURE_CLEAR ? p->clear_factor : 1;
}

/* rate_max in the run's pages a second (4 KiB pages of the full VM). */
static double rate_max_pages(const struct policy_ctx *ctx)
{
	const struct tps *p = ctx->priv;

	return p->rate_max * PAGE_4K / (double)host_page_bytes(ctx->host) *
	       host_sample_rate(ctx->host);
}

/* The VM's own rate, before the host's cap and the factor; *by_time when
 * scan_time sets it (else rate_max does). */
static double vm_rate(const struct policy_ctx *ctx, const struct vm *vm, bool *by_time)
{
	const struct tps *p = ctx->priv;
	double whole = (double)vm_pages(vm) / ((double)p->scan_time_ns / 1e9);
	double most = rate_max_pages(ctx);

	*by_time = whole <= most;
	return *by_time ? whole : most;
}

static double tps_vm_rate(const struct policy_ctx *ctx, const struct vm *vm)
{
	bool by_time;

	return vm_rate(ctx, vm, &by_time) * tps_factor(ctx);
}

/* The host's cap, scan_ghz x host_ghz bytes a second, in the run's pages. */
static double host_cap(const struct policy_ctx *ctx)
{
	const struct tps *p = ctx->priv;

	return p->scan_ghz * p->host_ghz / (double)host_page_bytes(ctx->host) *
	       host_sample_rate(ctx->host);
}

static double tps_host_rate(const struct policy_ctx *ctx)
{
	return host_cap(ctx) * tps_factor(ctx);
}

static uint64_t tps_salt(const struct policy_ctx *ctx, const struct vm *vm)
{
	const struct tps *p = ctx->priv;
	const struct vm_spec *sp = vm_spec_of(vm);

	if (p->salting == 0)
		return 0;
	if (sp->has_salt)
		return rng_mix(sp->salt ^ SALT_NAMED) | 1;
	return p->salting == 1 ? 0 : rng_mix(vm_entity(vm) ^ SALT_OWN) | 1;
}

static enum share_action tps_visit(const struct policy_ctx *ctx, const struct vm *vm,
				   uint32_t g, const struct share_look *look)
{
	(void)ctx;
	(void)vm;
	(void)g;
	if (look->shared)
		return SHARE_SKIP;
	/* A shared frame or a hint of equal content: merge (the hint rehashed). */
	if (look->sharers || look->candidate)
		return SHARE_MERGE;
	return SHARE_REMEMBER;  /* a hint, not a shared page */
}

static void tps_stats(const struct policy_ctx *ctx, struct policy_stats *out)
{
	const struct host *h = ctx->host;
	const struct mem_scan *sc = host_share_scan(h);
	double full = 1.0 / host_sample_rate(h), to_4k = (double)host_page_bytes(h) / PAGE_4K;
	double frames = (double)host_shared_frames(h), mapped = (double)host_shared_pages(h);
	double sum = 0, cap = host_cap(ctx), scale = 1;
	double by_time = 0, by_max = 0, by_host = 0;
	size_t i, n = host_vm_count(h);

	for (i = 0; i < n; i++) {
		bool t;

		sum += vm_rate(ctx, host_vm_at(h, i), &t);
		by_time += t;
		by_max += !t;
	}
	if (sum > cap) {
		scale = cap / sum;
		by_host = (double)n;
		by_time = by_max = 0;
	}
	policy_stat(out, "pages_shared", frames * full);
	policy_stat(out, "pages_sharing", (mapped - frames) * full);
	policy_stat(out, "pages_scanned", (double)sc->visited * full);
	policy_stat(out, "hints", (double)sc->cand.n_used * full);
	policy_stat(out, "full_scans", (double)sc->full_scans);
	/* In 4 KiB pages a second of the full host, now. */
	policy_stat(out, "scan_rate", sum * scale * tps_factor(ctx) * to_4k * full);
	policy_stat(out, "scan_rate_cap", cap * tps_factor(ctx) * to_4k * full);
	policy_stat(out, "rate_factor", tps_factor(ctx));
	policy_stat(out, "rate_limit.scan_time", by_time);
	policy_stat(out, "rate_limit.rate_max", by_max);
	policy_stat(out, "rate_limit.host_ghz", by_host);
}

const struct sharing_ops sharing_tps_ops = {
	.info = {.name = "tps", .params = tps_params, .priv_size = sizeof(struct tps),
		 .init = tps_init, .period = tps_period, .host_stats = tps_stats},
	.visit = tps_visit,
	.vm_scan_rate = tps_vm_rate,
	.host_scan_rate = tps_host_rate,
	.salt = tps_salt,
};
