/*
 * policy.h - what the model asks of a policy (DESIGN.md section 5).
 *
 * Each family is a const ops struct; a configured policy is a typed handle
 * (struct balloon_policy ...: its ops and priv), so wiring a policy into
 * the wrong family does not compile.  Every call gets a struct policy_ctx:
 * the time, the host (read only through model queries, never its fields),
 * the policy's own random stream on that host (a policy purpose of rng.h,
 * never a workload's), its parameters (priv) and its state on the host
 * (host_priv); its state per VM is policy_vm_priv().  The registry
 * allocates priv (priv_size bytes, zeroed; init reads the policy's YAML
 * mapping after refusing keys not in params); the model allocates
 * host_priv when a host is built and vm_priv when a VM is placed, zeroed,
 * and frees them.
 *
 * Queries (targets, estimates, the host's pressure) change nothing;
 * decisions (which VM and page to swap) may update the policy's own state;
 * the model carries decisions out through its mechanics, which keep every
 * invariant.  Policies never write model fields.  Policies live in
 * policies/, one file each, and are listed once in policies/policies.def.
 */
#ifndef POLICY_H
#define POLICY_H

#include <gsl/gsl_rng.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cfg.h"
#include "engine.h"
#include "err.h"

struct host;
struct vm;
struct policy_set;

/* The families, in the order they are configured. */
enum policy_family {
	FAMILY_ESTIMATOR, FAMILY_PLACEMENT, FAMILY_OVERCOMMIT, FAMILY_BALLOON,
	FAMILY_SHARING, FAMILY_RECLAIM, FAMILY_MIGRATION,
	FAMILY_COUNT,
};

/*
 * A host's memory state, owned by its reclaim policy and read by the others
 * (policy_pressure): ESX's free-memory states, from plenty of free memory
 * (high) to blocking allocations (low); other reclaim policies map onto them.
 */
enum host_pressure {
	PRESSURE_HIGH, PRESSURE_CLEAR, PRESSURE_SOFT, PRESSURE_HARD, PRESSURE_LOW,
	PRESSURE_COUNT,
};

struct policy_ctx {
	sim_time now;
	const struct host *host;        /* NULL for placement, which sees every host */
	gsl_rng *rng;                   /* the policy's own stream on the host (a policy
					 * purpose of rng.h, never a workload's) */
	uint64_t vm_seed;               /* the same on every host: with a VM's entity, seeds
					 * draws that follow the VM wherever it runs */
	const void *priv;               /* the configured policy's parameters */
	void *host_priv;                /* its state on the host (host_priv_size bytes) */
	enum policy_family family;
	const struct policy_set *set;   /* every configured policy, for their queries */
};

/* A policy's figures for the results (under its family's name, beside
 * "policy": NAME); keys are static strings, and "a.b" is b in a nested
 * object a ("state_s.high"). */
#define POLICY_STATS_MAX 16
struct policy_stats {
	size_t n;
	const char *key[POLICY_STATS_MAX];
	double value[POLICY_STATS_MAX];
};

static inline void policy_stat(struct policy_stats *s, const char *key, double value)
{
	if (s->n < POLICY_STATS_MAX) {
		s->key[s->n] = key;
		s->value[s->n++] = value;
	}
}

/* What every policy has: name, parameters, state sizes, hooks.  Each
 * family's ops struct embeds it first, as .info.  Every hook is optional. */
struct policy_info {
	const char *name;               /* config: {policy: NAME} */
	const char *const *params;      /* its keys besides 'policy', NULL-ended */
	size_t priv_size;               /* allocated zeroed by the registry */
	size_t host_priv_size;          /* per host, zeroed, by the model */
	size_t vm_priv_size;            /* per VM while placed, zeroed, by the model */
	/* Reads parameters from the policy's mapping. */
	int (*init)(void *priv, struct cfg_node *params, struct sim_err *err);
	void (*release)(void *priv);
	/* vm has just been placed on ctx's host / is about to leave it. */
	void (*on_place)(const struct policy_ctx *ctx, const struct vm *vm);
	void (*on_depart)(const struct policy_ctx *ctx, const struct vm *vm);
	/* Time between two on_period calls on each host; 0 = never.  The model
	 * runs one engine event per host and period, whatever its VMs. */
	sim_time (*period)(const void *priv);
	void (*on_period)(const struct policy_ctx *ctx);
	/* Query: adds the policy's figures for ctx's host to *out. */
	void (*host_stats)(const struct policy_ctx *ctx, struct policy_stats *out);
	/* Query: adds the policy's figures for vm, placed on ctx's host, now
	 * to *out.  The results hold each one's mean over the samples while
	 * vm ran (vms[].FAMILY), so keys name means ("assigned_bytes_mean"),
	 * and a policy gives the same keys in the same order every call. */
	void (*vm_stats)(const struct policy_ctx *ctx, const struct vm *vm,
			 struct policy_stats *out);
};

/* Estimator: what the hypervisor knows of each VM's active memory.  Other
 * policies read estimates (policy_estimate_pages), never the truth. */
struct estimator_ops {
	struct policy_info info;
	/* Query: the estimated active pages of vm on ctx's host. */
	uint64_t (*active_pages)(const struct policy_ctx *ctx, const struct vm *vm);
	/* Query: whether vm has an estimate yet (measured, or reported), or
	 * active_pages is only a stand-in; NULL: always. */
	bool (*known)(const struct policy_ctx *ctx, const struct vm *vm);
};

/* Overcommit: how much more a host may promise. */
struct overcommit_ops {
	struct policy_info info;
	/* Query: bytes of configured VM memory ctx's host may still accept (may
	 * be < 0) when arriving is the VM to place; NULL arriving: in general
	 * (the run's memory estimate asks so of an empty host). */
	int64_t (*headroom)(const struct policy_ctx *ctx, const struct vm *arriving);
	/* True when headroom reads only the host's memory and its VMs (not
	 * the time or other state): the model then asks again only after the
	 * host's VMs change, so placing a VM costs O(1) calls, not O(hosts). */
	bool host_only;
};

/* Placement: which host gets an arriving VM. */
struct placement_ops {
	struct policy_info info;
	/*
	 * Query: the index in hosts[0..n) for vm, or -1 when none will do.
	 * headroom[i] is what the overcommit policy lets hosts[i] accept; a
	 * host whose headroom plus fit_credit is below the VM's memory must
	 * not be chosen.
	 */
	long (*choose)(const struct policy_ctx *ctx, const struct host *const *hosts,
		       const int64_t *headroom, size_t n, const struct vm *vm);
	/* Query: bytes the policy counts toward fitting vm on ctx's host
	 * beyond the overcommit policy's headroom (sharing-aware: the saving
	 * it expects there); NULL: none. */
	int64_t (*fit_credit)(const struct policy_ctx *ctx, const struct vm *vm);
	/* Query: the most bytes the policy's own state may take in a run of
	 * n_vms VMs on n_hosts hosts, for the run's memory estimate; NULL: none
	 * worth counting. */
	double (*memory_estimate)(const void *priv, double n_vms, double n_hosts);
};

/*
 * Balloon: how many pages each VM's balloon should hold.  The model drives
 * every balloon alike toward the target, at the driver's rate limit and
 * never past its cap (balloon: {rate, max}).
 */
struct balloon_ops {
	struct policy_info info;
	/* Query: the target in pages for vm now. */
	uint64_t (*target)(const struct policy_ctx *ctx, const struct vm *vm);
	/*
	 * Query: whether the balloon policy tunes the host's sharing scanner
	 * now (MOM's KSM rules; NULL: never).  On entry *pages_to_scan and
	 * *sleep_ns are the scanner's configured values; when it returns
	 * true they hold the tuned ones, *pages_to_scan 0 when the scanner
	 * is stopped.
	 */
	bool (*sharing_tuning)(const struct policy_ctx *ctx, uint64_t *pages_to_scan,
			       sim_time *sleep_ns);
	/* Hyper-V dynamic memory: a VM with dynamic settings (vm_is_dynamic)
	 * starts with its pages above startup in the balloon (pages it was
	 * started without, which hot-add hands over by deflating), and
	 * balloon.max does not cap its balloon (Hyper-V has no such cap).
	 * False: such a VM is static at its maximum, as any other. */
	bool hot_add;
};

/* Linux's zswap as a reclaim policy configures it (model/mem.c builds it). */
struct reclaim_zswap {
	double max_pool;                /* the pool's cap, a share of host memory */
	double accept_threshold;        /* a full pool accepts again below this share of its cap */
	double ratio;                   /* the compressor's mean ratio on memory data */
	int64_t decompress_ns;          /* per 4 KiB */
};

/*
 * Reclaim: the host's memory state, and what the host takes when it needs
 * a frame and has none free (or a VM is at its limit).  The model swaps
 * the page it is given out (mem_swap_out); MEM_NONE or a NULL VM means
 * there is nothing to take, and the VM that needed the frame is stopped.
 */
struct reclaim_ops {
	struct policy_info info;
	/* Query: the host's memory state. */
	enum host_pressure (*pressure)(const struct policy_ctx *ctx);
	/* Decision: the VM of ctx's host to take a frame from, or NULL. */
	struct vm *(*victim_vm)(const struct policy_ctx *ctx);
	/* Decision: a private page of vm to swap out, or MEM_NONE. */
	uint32_t (*victim_page)(const struct policy_ctx *ctx, struct vm *vm);
	/* Decision: once per host at the start of every tick, before its VMs
	 * run (and before free_goal): the policy may update its own state on
	 * the host, e.g. its memory state from the free memory then (NULL:
	 * nothing).  O(VMs on the host) at most. */
	void (*on_tick)(const struct policy_ctx *ctx);
	/* Query: frames the model should free on ctx's host now, ahead of any
	 * demand, through victim_vm and victim_page (NULL: none). */
	uint64_t (*free_goal)(const struct policy_ctx *ctx);
	/* Query: whether balloons may inflate in the host's state now (ESX
	 * stops them in hard and low; NULL: always). */
	bool (*balloon_runs)(const struct policy_ctx *ctx);
	/* Query: the most of a VM's pages its compression cache may hold, as
	 * a share of them (NULL or 0: no compression). */
	double (*compress_max)(const void *priv);
	/* Query: whether the host runs zswap in front of its swap device, and
	 * how (*out, when not NULL); NULL: never.  Exclusive with compress_max. */
	bool (*zswap)(const void *priv, struct reclaim_zswap *out);
};

/*
 * Sharing: a scanner that merges pages of equal content.  Every period
 * (info.period, the scanner's sleep) the model's scanner visits the
 * host's pages in its order (its VMs, each from guest page 0 up, again
 * from the first after a full scan), skipping those not in guest memory
 * (untouched, swapped, compressed, ballooned), and shows the policy each
 * one; the model merges the pages it names (mem_share), keeping every
 * invariant.
 */
struct share_look {
	bool shared;                    /* already on a shared frame */
	bool changed;                   /* written since the scanner's last visit */
	bool zero;                      /* its content is zero */
	uint64_t content;               /* equal values: equal content (a checksum
					 * that never collides) */
	uint32_t sharers;               /* the references of the host's frame of
					 * equal content (0: none): the stable tree */
	bool candidate;                 /* a page of equal content is remembered
					 * this scan: the unstable tree */
};

enum share_action {
	SHARE_SKIP,                     /* leave it */
	SHARE_MERGE,                    /* merge it (with the candidate, if any) */
	SHARE_REMEMBER,                 /* make it its content's candidate */
};

struct sharing_ops {
	struct policy_info info;
	/* Query: pages the scanner visits on ctx's host each period, counted
	 * in the run's pages (scaled by host_sample_rate); 0: none. */
	uint64_t (*pages_per_period)(const struct policy_ctx *ctx);
	/* Query: the most guest pages one frame may hold (KSM's
	 * max_page_sharing; a content with more takes more frames); NULL or
	 * 0: no cap. */
	uint32_t (*max_sharers)(const void *priv);
	/*
	 * Decision: what to do with page g of vm, which the scanner visits
	 * now (a shared page is shown too, and left as it is).  SHARE_MERGE
	 * merges it with the host's frame of equal content, or, when there is
	 * a candidate and no such frame, merges the candidate (if still
	 * private and unchanged since its visit) and it into a new frame; with
	 * neither, its frame becomes the content's shared frame.
	 * SHARE_REMEMBER makes it its content's candidate until the scan ends
	 * (the model forgets every candidate after each full scan).
	 */
	enum share_action (*visit)(const struct policy_ctx *ctx, const struct vm *vm,
				   uint32_t g, const struct share_look *look);
	/* Decision: the scanner has visited every page of ctx's host once
	 * more (NULL: nothing to do; never called when vm_scan_rate is set). */
	void (*on_full_scan)(const struct policy_ctx *ctx);
	/*
	 * Query: when set, the scanner scans each VM on its own (ESX's TPS):
	 * every period it passes vm_scan_rate(vm) of vm's guest pages a
	 * second (in the run's pages), in an order of its own drawn afresh
	 * for each full scan of the VM, instead of pages_per_period over the
	 * host; and remembered pages (SHARE_REMEMBER: hints) are kept across
	 * scans, one per content, until a page of equal content finds the
	 * hinted page changed or merges with it, or its VM leaves.
	 */
	double (*vm_scan_rate)(const struct policy_ctx *ctx, const struct vm *vm);
	/* Query: the most guest pages a second over all of ctx's host's VMs
	 * with vm_scan_rate (0 or NULL: no cap); above it, every VM's rate is
	 * scaled by the same factor. */
	double (*host_scan_rate)(const struct policy_ctx *ctx);
	/* Query: vm's salt, asked once when it is placed: pages share only
	 * with pages of equal salt (NULL: 0 for every VM, all share). */
	uint64_t (*salt)(const struct policy_ctx *ctx, const struct vm *vm);
};

/* A family whose mechanics come later; only 'none' so far. */
struct migration_ops { struct policy_info info; };

/* Typed handles: a configured policy of each family. */
struct estimator_policy { const struct estimator_ops *ops; void *priv; };
struct placement_policy { const struct placement_ops *ops; void *priv; };
struct overcommit_policy { const struct overcommit_ops *ops; void *priv; };
struct balloon_policy { const struct balloon_ops *ops; void *priv; };
struct sharing_policy { const struct sharing_ops *ops; void *priv; };
struct reclaim_policy { const struct reclaim_ops *ops; void *priv; };
struct migration_policy { const struct migration_ops *ops; void *priv; };

/* One configured policy per family: what the model runs with. */
struct policy_set {
	struct estimator_policy estimator;
	struct placement_policy placement;
	struct overcommit_policy overcommit;
	struct balloon_policy balloon;
	struct sharing_policy sharing;
	struct reclaim_policy reclaim;
	struct migration_policy migration;
};

/* Family f's policy in s: its info, and its priv in *priv. */
static inline const struct policy_info *policy_set_info(const struct policy_set *s,
							 enum policy_family f, void **priv)
{
	switch (f) {
	case FAMILY_ESTIMATOR:
		*priv = s->estimator.priv;
		return &s->estimator.ops->info;
	case FAMILY_PLACEMENT:
		*priv = s->placement.priv;
		return &s->placement.ops->info;
	case FAMILY_OVERCOMMIT:
		*priv = s->overcommit.priv;
		return &s->overcommit.ops->info;
	case FAMILY_BALLOON:
		*priv = s->balloon.priv;
		return &s->balloon.ops->info;
	case FAMILY_SHARING:
		*priv = s->sharing.priv;
		return &s->sharing.ops->info;
	case FAMILY_RECLAIM:
		*priv = s->reclaim.priv;
		return &s->reclaim.ops->info;
	case FAMILY_MIGRATION:
		*priv = s->migration.priv;
		return &s->migration.ops->info;
	case FAMILY_COUNT:
		break;
	}
	*priv = NULL;
	return NULL;
}

/* The context for family f's policy on h at now (model/host.c). */
struct policy_ctx policy_ctx_of(const struct host *h, enum policy_family f, sim_time now);
/* The policy's state for vm (vm_priv_size bytes), NULL without one. */
void *policy_vm_priv(const struct policy_ctx *ctx, const struct vm *vm);
/* Query of the estimator: the estimated active pages of vm on ctx's host. */
uint64_t policy_estimate_pages(const struct policy_ctx *ctx, const struct vm *vm);
/* Query of the estimator: whether vm has an estimate yet (estimator_ops.known). */
bool policy_estimate_known(const struct policy_ctx *ctx, const struct vm *vm);
/* Query of the balloon policy: its target in pages for vm on ctx's host. */
uint64_t policy_balloon_target(const struct policy_ctx *ctx, const struct vm *vm);
/* Query of the balloon policy: whether it tunes ctx's host's sharing
 * scanner now, and how (see balloon_ops.sharing_tuning). */
bool policy_sharing_tuning(const struct policy_ctx *ctx, uint64_t *pages_to_scan,
			   sim_time *sleep_ns);
/* Query of the reclaim policy: ctx's host's memory state. */
enum host_pressure policy_pressure(const struct policy_ctx *ctx);
const char *policy_pressure_name(enum host_pressure p);

/* Inline wrappers: the model calls policies only through these. */
static inline uint64_t estimator_active_pages(const struct estimator_policy *p,
					      const struct policy_ctx *ctx, const struct vm *vm)
{
	return p->ops->active_pages(ctx, vm);
}

static inline bool estimator_known(const struct estimator_policy *p,
				   const struct policy_ctx *ctx, const struct vm *vm)
{
	return p->ops->known ? p->ops->known(ctx, vm) : true;
}

static inline int64_t overcommit_headroom(const struct overcommit_policy *p,
					  const struct policy_ctx *ctx, const struct vm *arriving)
{
	return p->ops->headroom(ctx, arriving);
}

static inline long placement_choose(const struct placement_policy *p,
				    const struct policy_ctx *ctx, const struct host *const *hosts,
				    const int64_t *headroom, size_t n, const struct vm *vm)
{
	return p->ops->choose(ctx, hosts, headroom, n, vm);
}

static inline int64_t placement_fit_credit(const struct placement_policy *p,
					   const struct policy_ctx *ctx, const struct vm *vm)
{
	return p->ops->fit_credit ? p->ops->fit_credit(ctx, vm) : 0;
}

static inline uint64_t balloon_target(const struct balloon_policy *p,
				      const struct policy_ctx *ctx, const struct vm *vm)
{
	return p->ops->target(ctx, vm);
}

static inline bool balloon_sharing_tuning(const struct balloon_policy *p,
					  const struct policy_ctx *ctx, uint64_t *pages_to_scan,
					  sim_time *sleep_ns)
{
	return p->ops->sharing_tuning ? p->ops->sharing_tuning(ctx, pages_to_scan, sleep_ns)
				      : false;
}

static inline enum host_pressure reclaim_pressure(const struct reclaim_policy *p,
						  const struct policy_ctx *ctx)
{
	return p->ops->pressure ? p->ops->pressure(ctx) : PRESSURE_HIGH;
}

static inline struct vm *reclaim_victim_vm(const struct reclaim_policy *p,
					   const struct policy_ctx *ctx)
{
	return p->ops->victim_vm ? p->ops->victim_vm(ctx) : NULL;
}

static inline uint32_t reclaim_victim_page(const struct reclaim_policy *p,
					   const struct policy_ctx *ctx, struct vm *vm)
{
	return p->ops->victim_page ? p->ops->victim_page(ctx, vm) : UINT32_MAX;
}

static inline void reclaim_on_tick(const struct reclaim_policy *p, const struct policy_ctx *ctx)
{
	if (p->ops->on_tick)
		p->ops->on_tick(ctx);
}

static inline uint64_t reclaim_free_goal(const struct reclaim_policy *p,
					 const struct policy_ctx *ctx)
{
	return p->ops->free_goal ? p->ops->free_goal(ctx) : 0;
}

static inline bool reclaim_balloon_runs(const struct reclaim_policy *p,
					const struct policy_ctx *ctx)
{
	return p->ops->balloon_runs ? p->ops->balloon_runs(ctx) : true;
}

static inline double reclaim_compress_max(const struct reclaim_policy *p)
{
	return p->ops->compress_max ? p->ops->compress_max(p->priv) : 0;
}

static inline bool reclaim_zswap(const struct reclaim_policy *p, struct reclaim_zswap *out)
{
	return p->ops->zswap ? p->ops->zswap(p->priv, out) : false;
}

#endif /* POLICY_H */
