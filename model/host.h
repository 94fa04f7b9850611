/*
 * host.h - a physical host: memory, hypervisor overhead, and the VMs it
 * runs.  Capacity for VMs is memory - overhead.  Committed memory is the
 * sum of the configured memory of the VMs it runs, which may exceed the
 * capacity when the overcommit policy allows it.
 */
#ifndef HOST_H
#define HOST_H

#include <stddef.h>
#include <stdint.h>

#include "mem.h"
#include "policy.h"

struct vm;

/* A policy's own things on one host. */
struct host_policy {
	void *priv;                     /* host_priv_size bytes, zeroed; owned */
	gsl_rng *rng;                   /* a policy purpose, entity host (and family); owned */
	uint64_t vm_seed;               /* purpose "policy", entity family: for per-VM draws */
};

struct host {
	char *name;                     /* "<group>-<i>" */
	const char *group;              /* borrowed from the scenario */
	size_t id;                      /* index in the cluster */
	int64_t memory_bytes;
	int64_t overhead_bytes;         /* taken by the hypervisor */
	int64_t committed_bytes;        /* sum of resident VMs' memory */
	int64_t committed_peak_bytes;
	uint64_t vms_hosted;            /* VMs ever placed here */
	struct vm **vms;                /* resident VMs, unordered */
	size_t n_vms, cap_vms;
	struct hmem mem;                /* frames, shared frames, swap */
	const struct policy_set *policies;      /* borrowed; see host_bind_policies */
	struct host_policy pol[FAMILY_COUNT];
};

void host_init(struct host *h, size_t id, const char *name, const char *group,
	       int64_t memory_bytes, int64_t overhead_bytes);
void host_release(struct host *h);
/* Runs h under the policies of s (borrowed): allocates each one's state on
 * h and its random stream, from (seed, replication, policy, host and family). */
void host_bind_policies(struct host *h, const struct policy_set *s, uint64_t seed,
			uint32_t replication);
/* Read-only queries for policies (inline: reclaim calls them per fault). */
static inline size_t host_vm_count(const struct host *h)
{
	return h->n_vms;
}

static inline struct vm *host_vm_at(const struct host *h, size_t i)
{
	return h->vms[i];
}

static inline uint64_t host_free_frames(const struct host *h)
{
	return h->mem.frames_free;
}

static inline int64_t host_memory_bytes(const struct host *h)
{
	return h->memory_bytes;
}

/* Bytes per simulated page (a frame holds one). */
static inline int64_t host_page_bytes(const struct host *h)
{
	return h->mem.page_bytes;
}

/* Pages of the host's VMs on private frames. */
static inline uint64_t host_private_pages(const struct host *h)
{
	return h->mem.n_private;
}
/* A VM of h drawn from r in proportion to its private pages (the victim
 * VM of swap-only and watermarks), NULL when none has one: O(VMs). */
struct vm *host_vm_by_private_pages(const struct host *h, gsl_rng *r);
/* The share of the host a sampled run simulates (model/sample.h), 1 when
 * it is not sampled: frames and pages are that share of the full host's,
 * so a policy that turns configured bytes into pages (a free target, a
 * cache's capacity, pages to scan a period) scales them by it. */
static inline double host_sample_rate(const struct host *h)
{
	return h->mem.sample_rate > 0 ? h->mem.sample_rate : 1.0;
}
/* Sharing: the host's shared frames, the guest pages mapped to them, and
 * its sharing scanner's counts (mem_share_scan). */
static inline uint64_t host_shared_frames(const struct host *h)
{
	return h->mem.shared.n_used;
}
static inline uint64_t host_shared_pages(const struct host *h)
{
	return h->mem.n_shared_mapped;
}
/* Guest pages mapped to the host's zero frames, and those frames. */
static inline uint64_t host_zero_sharers(const struct host *h)
{
	return sharetab_refs(&h->mem.shared, sharetab_find(&h->mem.shared, 0));
}
static inline uint64_t host_zero_frames(const struct host *h)
{
	return sharetab_frames(&h->mem.shared, sharetab_find(&h->mem.shared, 0));
}
static inline const struct mem_scan *host_share_scan(const struct host *h)
{
	return &h->mem.scan;
}
/* The host's zswap pool (mem.h; off unless its reclaim policy runs it). */
static inline const struct mem_zswap *host_zswap(const struct host *h)
{
	return &h->mem.zswap;
}
int64_t host_capacity_bytes(const struct host *h);
int64_t host_committed_bytes(const struct host *h);
/* Capacity not promised to any VM, never below 0. */
int64_t host_unpromised_bytes(const struct host *h);
void host_add_vm(struct host *h, struct vm *vm);
void host_remove_vm(struct host *h, struct vm *vm);

#endif /* HOST_H */
