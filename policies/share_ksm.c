/*
 * share_ksm.c - Linux's kernel samepage merging, as mm/ksm.c's
 * cmp_and_merge_page does it (MECHANISMS.md 2.1).
 *
 * ksmd sleeps `sleep` and visits pages_to_scan pages of guest memory
 * (all of a VM's RAM is mergeable, as QEMU marks it), in the model's scan
 * order.  For each page not already shared: if the stable tree holds a
 * page of equal content (the host's shared frame), merge with it; else if
 * its checksum changed since the last visit, skip it (volatile; a page's
 * first visit always is, as its rmap_item's oldchecksum starts unset);
 * else with use_zero_pages a zero page merges with the zero page; else if
 * the unstable tree holds an equal page (a candidate of this scan) merge
 * both into a new stable page, or else the page becomes that candidate.
 * The unstable tree is forgotten after each full scan, the stable tree
 * never.  So two equal pages merge on their second visit, two full scans
 * after they settle.  A stable page holds at most max_page_sharing
 * sharers; more of one content take more frames (KSM's chains of
 * duplicates).  The trees are what they do, not red-black trees: the
 * model finds equal content in its share table and candidate table.
 *
 * Results: ksm.rst's counters for the host (pages_shared, pages_sharing,
 * pages_unshared, pages_volatile, full_scans, pages_scanned, and
 * ksm_zero_pages with use_zero_pages), general_profit, and the
 * scanner's CPU time.  rmap_items (KSM's per-page metadata) are the pages
 * in guest memory the scanner has visited: the smaller of the pages it
 * visited and those in guest memory now.  pages_unshared is the unstable
 * tree when the last full scan ended (the current one's before that).
 * Counts are the full host's in a sampled run.  Under a balloon policy
 * that tunes it (mom with ksm_tuning), the pages visited each period follow
 * that policy's pages_to_scan and sleep (ksm_pages).
 */
#include <math.h>

#include "host.h"
#include "policy.h"

#define MAX_PAGES_TO_SCAN 100000000
/* ksm.rst: general_profit charges sizeof(rmap_item), 64 B on 64-bit. */
#define RMAP_ITEM_BYTES 64.0

/*
 * The CPU time ksmd spends per page visited.  No source gives it per
 * page (MECHANISMS.md 2.1 has only "about 30% of a core" at SUSE's
 * settings); the default is an estimate: the checksum reads 4 KiB
 * (xxhash, a few GB/s: about 1 us) and the tree searches compare pages.
 */
#define DEFAULT_SCAN_COST "2us"

struct ksm {
	int64_t pages_to_scan;          /* ksm.rst default 100 */
	sim_time sleep_ns;              /* sleep_millisecs default 20 */
	int64_t max_page_sharing;       /* default 256 */
	bool use_zero_pages;            /* default false */
	bool merge_across_nodes;        /* default true; a host is one node here */
	sim_time scan_cost_ns;          /* CPU per page visited */
};

static const char *const ksm_params[] = {"pages_to_scan", "sleep", "max_page_sharing",
					 "use_zero_pages", "merge_across_nodes", "scan_cost",
					 NULL};

static int ksm_init(void *priv, struct cfg_node *params, struct sim_err *err)
{
	struct ksm *k = priv;
	int rc;

	if ((rc = cfg_read_int(params, "pages_to_scan", "100", 1, MAX_PAGES_TO_SCAN,
			       &k->pages_to_scan, err)) ||
	    (rc = cfg_read_duration(params, "sleep", "20ms", &k->sleep_ns, err)) ||
	    (rc = cfg_check_duration_range(params, "sleep", k->sleep_ns, 1000000, CFG_MAX_NS,
					   err)) ||
	    /* ksm.rst: max_page_sharing is at least 2. */
	    (rc = cfg_read_int(params, "max_page_sharing", "256", 2, UINT32_MAX,
			       &k->max_page_sharing, err)) ||
	    (rc = cfg_read_bool(params, "use_zero_pages", "false", &k->use_zero_pages, err)) ||
	    (rc = cfg_read_bool(params, "merge_across_nodes", "true", &k->merge_across_nodes,
				err)) ||
	    (rc = cfg_read_duration(params, "scan_cost", DEFAULT_SCAN_COST, &k->scan_cost_ns,
				    err)) ||
	    (rc = cfg_check_duration_range(params, "scan_cost", k->scan_cost_ns, 0, CFG_MAX_NS,
					   err)))
		return rc;
	return 0;
}

static sim_time ksm_period(const void *priv)
{
	const struct ksm *k = priv;

	return k->sleep_ns;
}

static uint32_t ksm_max_sharers(const void *priv)
{
	const struct ksm *k = priv;

	return (uint32_t)k->max_page_sharing;
}

/*
 * A sampled run scans its share of the full host's pages.  A balloon
 * policy that tunes KSM (mom's ksm_tuning) may stop it (0 pages) or set
 * pages_to_scan and sleep_millisecs; the scanner's period stays the
 * configured sleep, so a tuned sleep is expressed as the pages it would
 * visit per configured period: pages_to_scan x sleep / tuned sleep.
 */
static uint64_t ksm_pages(const struct policy_ctx *ctx)
{
	const struct ksm *k = ctx->priv;
	uint64_t pages = (uint64_t)k->pages_to_scan;
	sim_time sleep_ns = k->sleep_ns;
	double per_period = (double)k->pages_to_scan, n;

	if (policy_sharing_tuning(ctx, &pages, &sleep_ns)) {
		if (!pages || sleep_ns <= 0)
			return 0;
		per_period = (double)pages * (double)k->sleep_ns / (double)sleep_ns;
	}
	n = llround(per_period * host_sample_rate(ctx->host));
	return n < 1 ? 1 : (uint64_t)n;
}

static enum share_action ksm_visit(const struct policy_ctx *ctx, const struct vm *vm,
				   uint32_t g, const struct share_look *look)
{
	const struct ksm *k = ctx->priv;

	(void)vm;
	(void)g;
	if (look->shared)
		return SHARE_SKIP;
	if (look->sharers)
		return SHARE_MERGE;     /* stable_tree_search found it */
	if (look->changed)
		return SHARE_SKIP;      /* oldchecksum differs: volatile */
	if (k->use_zero_pages && look->zero)
		return SHARE_MERGE;
	return look->candidate ? SHARE_MERGE : SHARE_REMEMBER;
}

static void ksm_stats(const struct policy_ctx *ctx, struct policy_stats *out)
{
	const struct ksm *k = ctx->priv;
	const struct host *h = ctx->host;
	const struct mem_scan *sc = host_share_scan(h);
	double full = 1.0 / host_sample_rate(h);
	double frames = (double)host_shared_frames(h), mapped = (double)host_shared_pages(h);
	double zero = 0, shared, sharing, unshared, rmap, volatile_pages;

	if (k->use_zero_pages) {
		/* Mapped to the zero page: ksm_zero_pages, apart from the stable tree. */
		zero = (double)host_zero_sharers(h);
		frames -= (double)host_zero_frames(h);
		mapped -= zero;
	}
	shared = frames;
	sharing = mapped - frames;
	unshared = (double)(sc->full_scans ? sc->unshared : sc->cand.n_used);
	rmap = fmin((double)sc->visited, (double)(host_private_pages(h) + host_shared_pages(h)));
	volatile_pages = fmax(0, rmap - shared - sharing - unshared - zero);
	policy_stat(out, "pages_shared", shared * full);
	policy_stat(out, "pages_sharing", sharing * full);
	policy_stat(out, "pages_unshared", unshared * full);
	policy_stat(out, "pages_volatile", volatile_pages * full);
	if (k->use_zero_pages)
		policy_stat(out, "ksm_zero_pages", zero * full);
	policy_stat(out, "full_scans", (double)sc->full_scans);
	policy_stat(out, "pages_scanned", (double)sc->visited * full);
	/* ksm.rst: general_profit = ksm_saved_pages * page size - all_rmap_items
	 * * sizeof(rmap_item), ksm_saved_pages = pages_sharing + ksm_zero_pages,
	 * all_rmap_items = pages_shared + pages_sharing + pages_unshared +
	 * pages_volatile. */
	rmap = shared + sharing + unshared + volatile_pages;
	policy_stat(out, "general_profit",
		    ((sharing + zero) * (double)host_page_bytes(h) - rmap * RMAP_ITEM_BYTES) * full);
	policy_stat(out, "scan_cpu_s", (double)sc->visited * full * (double)k->scan_cost_ns / 1e9);
}

const struct sharing_ops sharing_ksm_ops = {
	.info = {.name = "ksm", .params = ksm_params, .priv_size = sizeof(struct ksm),
		 .init = ksm_init, .period = ksm_period, .host_stats = ksm_stats},
	.pages_per_period = ksm_pages,
	.max_sharers = ksm_max_sharers,
	.visit = ksm_visit,
};
