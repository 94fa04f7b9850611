/*
 * share_zero_only.c - only zero pages merge: every zero page of a host is
 * mapped to one zero frame (as KSM with use_zero_pages maps them to the
 * kernel's zero page, and ESX's TPS the zero pages it finds first).
 *
 * The model's scanner visits pages_to_scan pages of the host's guest
 * memory every `sleep` (KSM's knobs and defaults, MECHANISMS.md 2.1); a
 * page that is zero when visited merges at once: a zero page needs no
 * second look to be found equal (its checksum is the zero page's).
 */
#include <math.h>

#include "host.h"
#include "policy.h"

#define MAX_PAGES_TO_SCAN 100000000

struct zero_only {
	int64_t pages_to_scan;          /* per sleep: ksm.rst's default 100 */
	sim_time sleep_ns;              /* ksm.rst's sleep_millisecs default 20 */
};

static const char *const zero_only_params[] = {"pages_to_scan", "sleep", NULL};

static int zero_only_init(void *priv, struct cfg_node *params, struct sim_err *err)
{
	struct zero_only *z = priv;
	int rc;

	if ((rc = cfg_read_int(params, "pages_to_scan", "100", 1, MAX_PAGES_TO_SCAN,
			       &z->pages_to_scan, err)) ||
	    (rc = cfg_read_duration(params, "sleep", "20ms", &z->sleep_ns, err)) ||
	    (rc = cfg_check_duration_range(params, "sleep", z->sleep_ns, 1000000, CFG_MAX_NS,
					   err)))
		return rc;
	return 0;
}

static sim_time zero_only_period(const void *priv)
{
	const struct zero_only *z = priv;

	return z->sleep_ns;
}

/* A sampled run scans its share of the full host's pages. */
static uint64_t zero_only_pages(const struct policy_ctx *ctx)
{
	const struct zero_only *z = ctx->priv;
	double n = llround((double)z->pages_to_scan * host_sample_rate(ctx->host));

	return n < 1 ? 1 : (uint64_t)n;
}

static enum share_action zero_only_visit(const struct policy_ctx *ctx, const struct vm *vm,
					 uint32_t g, const struct share_look *look)
{
	(void)ctx;
	(void)vm;
	(void)g;
	return look->zero ? SHARE_MERGE : SHARE_SKIP;
}

static void zero_only_stats(const struct policy_ctx *ctx, struct policy_stats *out)
{
	const struct mem_scan *sc = host_share_scan(ctx->host);
	uint64_t frames = host_shared_frames(ctx->host), pages = host_shared_pages(ctx->host);

	policy_stat(out, "pages_shared", (double)frames);
	policy_stat(out, "pages_sharing", (double)(pages - frames));
	policy_stat(out, "pages_scanned", (double)sc->visited);
	policy_stat(out, "full_scans", (double)sc->full_scans);
}

const struct sharing_ops sharing_zero_only_ops = {
	.info = {.name = "zero-only", .params = zero_only_params,
		 .priv_size = sizeof(struct zero_only), .init = zero_only_init,
		 .period = zero_only_period, .host_stats = zero_only_stats},
	.pages_per_period = zero_only_pages,
	.visit = zero_only_visit,
};
