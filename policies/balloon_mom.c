/*
 * balloon_mom.c - oVirt's Memory Overcommitment Manager (MOM): its
 * balloon rules and its KSM rules as shipped (MECHANISMS.md 2.2):
 * balloon: {policy: mom, interval: 10s, pressure_threshold: 20%,
 * pressure_critical: 5%, min_guest_free: 20%, max_change: 5%,
 * min_change: 0.25%, grow: 5%, ksm_tuning: true}.
 *
 * DOC: the balloon rules (oVirt/mom doc/balloon.rules, vdsm's balloon policy)
 *
 * Every interval, on each host, h = host free / host available (the
 * host's free memory over its memory).  MOM's "balloon_cur" is a guest's
 * current memory, cur = its pages less its balloon; balloon_max its pages;
 * balloon_min its reservation (vdsm's guaranteed memory).  The guest's
 * used memory is the estimator's (policy_estimate_pages, MOM's
 * balloon_cur - mem_unused from the guest's virtio stats), at most cur.
 *
 * - h < pressure_threshold: shrink every guest.  Its free share is
 *   min_guest_free x h / pressure_threshold, or h - 5% when h <=
 *   pressure_critical (negative: the guest is made to swap); its floor is
 *   max(balloon_min, used + free share x cur); its new memory is
 *   max(cur x (1 - max_change), floor), taken only when it is at most cur.
 * - otherwise grow every ballooned guest (cur < balloon_max): its floor is
 *   used + min_guest_free x balloon_max; its new memory is min(cur x (1 +
 *   grow), balloon_max), at least the floor.
 *
 * A new value is sent only when it differs from cur by more than
 * min_change x cur; otherwise the last target stands.  memsim adds one
 * clamp the rules file leaves out: the grow rule's floor may lift a guest
 * by more than max_change; here no interval moves a guest by more than
 * max_change x cur (the floor is reached over several intervals).  MOM
 * averages its samples over 10 collections; memsim reads the values at the
 * interval.  The target goes to the model as balloon pages (pages less new
 * memory), which it reaches at the balloon driver's rate (balloon: {rate}).
 *
 * DOC: the KSM rules (vdsm mom.d/03-ksm.policy, ksmtuned's constants)
 *
 * With ksm_tuning (the default, as vdsm ships its KSM policy beside the
 * balloon one), at every interval: threshold = 20% of host memory; KSM
 * stops when committed + threshold < memory and free > threshold
 * (committed: the configured memory of the host's VMs, MOM's
 * ksm_shareable); else it runs with sleep_millisecs = max(10, 10 x 16 GiB
 * / host memory) and pages_to_scan + 300 when free < threshold, - 50
 * otherwise, within [64, 1250].  pages_to_scan starts at the scanner's
 * configured value, and before the first interval the scanner runs as
 * configured.  The sharing policy asks (policy_sharing_tuning); a sampled
 * run decides on the full host's memory, as its free memory is scaled back.
 */
#include <math.h>

#include "host.h"
#include "policy.h"
#include "vm.h"

/* oVirt/mom doc/mom-balloon.conf: the policy runs every 10 s. */
#define MOM_INTERVAL "10s"
/* oVirt/mom doc/balloon.rules (and vdsm 02-balloon.policy) constants. */
#define MOM_PRESSURE_THRESHOLD "20%"    /* pressure_threshold 0.20 */
#define MOM_PRESSURE_CRITICAL "5%"      /* pressure_critical 0.05 */
#define MOM_MIN_GUEST_FREE "20%"        /* min_guest_free_percent 0.20 */
#define MOM_MAX_CHANGE "5%"             /* max_balloon_change_percent 0.05 */
#define MOM_MIN_CHANGE "0.25%"          /* min_balloon_change_percent 0.0025 */
#define MOM_GROW "5%"                   /* grow_guest: max_balloon_change_percent too */
/* The critical rule's guest free share: host_free_percent - 0.05. */
#define MOM_CRITICAL_OFFSET 0.05
/* vdsm mom.d/03-ksm.policy, ksmtuned: ksm_free_percent 0.20, boost 300,
 * decay -50, pages within [64, 1250], sleep 10 ms baseline for 16 GiB. */
#define MOM_KSM_FREE 0.20
#define MOM_KSM_BOOST 300
#define MOM_KSM_DECAY (-50)
#define MOM_KSM_PAGES_MIN 64
#define MOM_KSM_PAGES_MAX 1250
#define MOM_KSM_SLEEP_BASE_NS 10000000LL
#define MOM_KSM_SLEEP_MIN_NS 10000000LL
#define MOM_KSM_BASE_BYTES (16.0 * 1024 * 1024 * 1024)

struct mom {
	sim_time interval_ns;
	double pressure_threshold, pressure_critical, min_guest_free;
	double max_change, min_change, grow;
	bool ksm_tuning;
};

/*
 * pages_to_scan after the intervals so far, as a function of its starting
 * value x: clamp(x + shift, lo, hi).  Each interval's change is
 * clamp(y + d, 64, 1250), and such maps compose into one of the same form
 * (clamp(clamp(y, l, h) + d, a, b) = clamp(y + d, clamp(l + d, a, b),
 * clamp(h + d, a, b))), so the tuning is exact whatever KSM's configured
 * pages_to_scan, which MOM reads from sysfs and this policy cannot see.
 */
struct mom_host {
	bool tuned;                     /* an interval has decided */
	bool ksm_run;
	int64_t shift, lo, hi;
	sim_time sleep_ns;
	uint64_t intervals, shrinks, grows;     /* intervals, guests shrunk, grown */
	uint64_t changes, skipped;              /* targets sent, changes too small */
};

struct mom_vm {
	uint64_t target_pages;          /* balloon pages; 0 until MOM sends one */
};

static const char *const mom_params[] = {
	"interval", "pressure_threshold", "pressure_critical", "min_guest_free",
	"max_change", "min_change", "grow", "ksm_tuning", NULL,
};

static int mom_init(void *priv, struct cfg_node *params, struct sim_err *err)
{
	struct mom *m = priv;
	int rc;

	if ((rc = cfg_read_duration(params, "interval", MOM_INTERVAL, &m->interval_ns, err)) ||
	    (rc = cfg_check_duration_range(params, "interval", m->interval_ns, 1000000,
					   CFG_MAX_NS, err)) ||
	    (rc = cfg_read_fraction(params, "pressure_threshold", MOM_PRESSURE_THRESHOLD, 0, 1,
				    &m->pressure_threshold, err)) ||
	    (rc = cfg_read_fraction(params, "pressure_critical", MOM_PRESSURE_CRITICAL, 0, 1,
				    &m->pressure_critical, err)) ||
	    (rc = cfg_read_fraction(params, "min_guest_free", MOM_MIN_GUEST_FREE, 0, 1,
				    &m->min_guest_free, err)) ||
	    (rc = cfg_read_fraction(params, "max_change", MOM_MAX_CHANGE, 0, 1, &m->max_change,
				    err)) ||
	    (rc = cfg_read_fraction(params, "min_change", MOM_MIN_CHANGE, 0, 1, &m->min_change,
				    err)) ||
	    (rc = cfg_read_fraction(params, "grow", MOM_GROW, 0, 1, &m->grow, err)) ||
	    (rc = cfg_read_bool(params, "ksm_tuning", "true", &m->ksm_tuning, err)))
		return rc;
	if (m->pressure_critical > m->pressure_threshold) {
		const struct cfg_node *n = cfg_get(params, "pressure_critical");

		return cfg_err(err, -SIM_EINVAL, n ? n : params,
			       "pressure_critical must be at most pressure_threshold");
	}
	return 0;
}

static sim_time mom_period(const void *priv)
{
	const struct mom *m = priv;

	return m->interval_ns;
}

/* The full host's free memory over its memory (a sampled run simulates
 * host_sample_rate of its frames). */
static double host_free_share(const struct host *h)
{
	double free_bytes = (double)host_free_frames(h) * (double)host_page_bytes(h) /
			    host_sample_rate(h);

	return free_bytes / (double)host_memory_bytes(h);
}

/* The new memory of a guest of cur pages (max: its pages) with used pages
 * at host free share hf, or -1 when the rules send nothing. */
static double new_memory(const struct mom *m, double cur, double max, double used,
			 double reserved, double hf, bool *shrink)
{
	double size, floor_pages;

	*shrink = hf < m->pressure_threshold;
	if (*shrink) {
		double gfree = hf <= m->pressure_critical
				       ? hf - MOM_CRITICAL_OFFSET
				       : m->min_guest_free * hf / m->pressure_threshold;

		floor_pages = fmax(reserved, used + gfree * cur);
		size = fmax(cur * (1 - m->max_change), floor_pages);
		if (size > cur)
			return -1;
	} else {
		if (!(cur < max))
			return -1;
		floor_pages = used + m->min_guest_free * max;
		size = fmin(cur * (1 + m->grow), max);
		size = fmax(size, floor_pages);
		size = fmin(size, max);
	}
	/* memsim's clamp: never more than max_change of cur in one interval. */
	size = fmin(fmax(size, cur * (1 - m->max_change)), cur * (1 + m->max_change));
	return size;
}

static void tune_ksm(const struct policy_ctx *ctx)
{
	struct mom_host *mh = ctx->host_priv;
	const struct host *h = ctx->host;
	double mem = (double)host_memory_bytes(h);
	double free_bytes = host_free_share(h) * mem, thr = MOM_KSM_FREE * mem;
	int64_t d;

	if (!mh->tuned) {
		mh->tuned = true;
		mh->shift = 0;
		mh->lo = 0;
		mh->hi = INT64_MAX / 2;
	}
	mh->ksm_run = !((double)host_committed_bytes(h) + thr < mem && free_bytes > thr);
	if (!mh->ksm_run)
		return;
	/* 10 ms x 16 GiB / memory, at least 10 ms. */
	mh->sleep_ns = (sim_time)llround(fmax((double)MOM_KSM_SLEEP_MIN_NS,
					      (double)MOM_KSM_SLEEP_BASE_NS * MOM_KSM_BASE_BYTES /
						      mem));
	d = free_bytes < thr ? MOM_KSM_BOOST : MOM_KSM_DECAY;
	mh->shift += d;
#define MOM_CLAMP(x) ((x) < MOM_KSM_PAGES_MIN ? MOM_KSM_PAGES_MIN \
			: (x) > MOM_KSM_PAGES_MAX ? MOM_KSM_PAGES_MAX : (x))
	mh->lo = MOM_CLAMP(mh->lo + d);
	mh->hi = MOM_CLAMP(mh->hi + d);
#undef MOM_CLAMP
}

/* O(VMs on the host). */
static void mom_on_period(const struct policy_ctx *ctx)
{
	const struct mom *m = ctx->priv;
	struct mom_host *mh = ctx->host_priv;
	const struct host *h = ctx->host;
	double hf = host_free_share(h);
	size_t i;

	mh->intervals++;
	for (i = 0; i < host_vm_count(h); i++) {
		const struct vm *vm = host_vm_at(h, i);
		struct mom_vm *mv = policy_vm_priv(ctx, vm);
		double max = (double)vm_pages(vm);
		double cur = max - (double)vm_ballooned_pages(vm);
		double used = fmin((double)policy_estimate_pages(ctx, vm), cur);
		double reserved = fmin(ceil((double)vm_spec_of(vm)->reservation_bytes *
					    host_sample_rate(h) / (double)host_page_bytes(h)),
				       max);
		bool shrink;
		double size = new_memory(m, cur, max, used, reserved, hf, &shrink);

		if (size < 0)
			continue;
		/* balloon.rules' change_big_enough: more than min_change of cur. */
		if (!(fabs(size - cur) > m->min_change * cur)) {
			mh->skipped++;
			continue;
		}
		size = shrink ? ceil(size) : floor(size);
		mv->target_pages = size < max ? (uint64_t)(max - size) : 0;
		mh->changes++;
		mh->shrinks += shrink;
		mh->grows += !shrink;
	}
	if (m->ksm_tuning)
		tune_ksm(ctx);
}

static uint64_t mom_target(const struct policy_ctx *ctx, const struct vm *vm)
{
	const struct mom_vm *mv = policy_vm_priv(ctx, vm);

	return mv ? mv->target_pages : 0;
}

static bool mom_sharing_tuning(const struct policy_ctx *ctx, uint64_t *pages_to_scan,
			       sim_time *sleep_ns)
{
	const struct mom *m = ctx->priv;
	const struct mom_host *mh = ctx->host_priv;
	int64_t x;

	if (!m->ksm_tuning || !mh->tuned)
		return false;
	if (!mh->ksm_run) {
		*pages_to_scan = 0;
		return true;
	}
	x = (int64_t)*pages_to_scan + mh->shift;
	*pages_to_scan = (uint64_t)(x < mh->lo ? mh->lo : x > mh->hi ? mh->hi : x);
	*sleep_ns = mh->sleep_ns;
	return true;
}

static void mom_stats(const struct policy_ctx *ctx, struct policy_stats *out)
{
	const struct mom *m = ctx->priv;
	const struct mom_host *mh = ctx->host_priv;
	const struct host *h = ctx->host;
	double target = 0;
	size_t i;

	for (i = 0; i < host_vm_count(h); i++)
		target += (double)mom_target(ctx, host_vm_at(h, i));
	policy_stat(out, "target_bytes", target * (double)host_page_bytes(h));
	policy_stat(out, "intervals", (double)mh->intervals);
	policy_stat(out, "changes", (double)mh->changes);
	policy_stat(out, "shrinks", (double)mh->shrinks);
	policy_stat(out, "grows", (double)mh->grows);
	policy_stat(out, "skipped", (double)mh->skipped);
	if (m->ksm_tuning && mh->tuned) {
		policy_stat(out, "ksm.run", mh->ksm_run);
		policy_stat(out, "ksm.sleep_ms", (double)mh->sleep_ns / 1e6);
	}
}

const struct balloon_ops balloon_mom_ops = {
	.info = {.name = "mom", .params = mom_params, .priv_size = sizeof(struct mom),
		 .host_priv_size = sizeof(struct mom_host), .vm_priv_size = sizeof(struct mom_vm),
		 .init = mom_init, .period = mom_period, .on_period = mom_on_period,
		 .host_stats = mom_stats},
	.target = mom_target,
	.sharing_tuning = mom_sharing_tuning,
};
