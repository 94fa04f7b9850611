/*
 * mem.h - memory, page by page (DESIGN.md section 4).
 *
 * A VM has n_pages guest-physical pages.  Each is in exactly one host
 * state (untouched, private, shared, swapped, compressed, ballooned) and
 * carries a content identity (zero, page k of the VM's image, or unique).
 * The guest keeps data pages 0..n_data-1 (its working set, hottest first):
 * each is never used, resident in some guest page, or in the guest's own
 * swap.  Guest pages that hold no data are on the guest's free list, still
 * backed by whatever the host gave them, or in the balloon.
 *
 * A host has frames: free, private, shared (one per content, counted by
 * reference), compression cache and overhead.  Each VM has a compression
 * cache (ESX's, MECHANISMS.md 1.6): slots of a quarter or half page,
 * packed into whole frames of the host, at most the reclaim policy's
 * compress_max of the VM's memory; or, when the reclaim policy runs
 * zswap, one pool for the host (struct mem_zswap), at most its cap.
 * Invariants, checked by mem_check: frames add up to the host's memory
 * (the pool's frames and the page-table frames, pt.h, included); every
 * VM's page states add up to its pages; no cache or pool holds more than
 * its cap; every pooled page is its entry's and every entry is in the
 * pool's LRU; and the host's per-state totals are the sums over its VMs.
 *
 * State costs 12 bytes per page (page word, link word, data word) plus a
 * bit of fast-path map per data page, whose changes mem.c reports to the
 * working set's miss sampler (wss_fast_set, wss_fast_clear), and, for
 * each of the three clocks (the guest's, the host's, the sharing
 * scanner's), 16 bytes per 64 positions.  A VM that has compressed a page
 * has 8 more per page: the cache's LRU links.
 */
#ifndef MEM_H
#define MEM_H

#include <gsl/gsl_rng.h>
#include <stdbool.h>
#include <stdint.h>

#include "engine.h"
#include "err.h"
#include "pt.h"
#include "sharetab.h"
#include "spec.h"
#include "swapdev.h"
#include "wss.h"

#define MEM_NONE UINT32_MAX
#define MEM_MAX_PAGES (1u << 29)        /* per VM: the data word's 29 bits */
/* Page, link and data words, the fast bit, the miss sampler's 8 bytes
 * per 64 working-set pages (wss.h), and each clock's 16 bytes per 64. */
#define MEM_BYTES_PER_PAGE 13.0
/* More per page of a VM whose pages are compressed: its LRU links. */
#define MEM_ZIP_BYTES_PER_PAGE 8.0
/* mem_zip_slot of a page that does not compress to half a page. */
#define MEM_ZIP_NONE 4u

enum page_state {
	PS_UNTOUCHED, PS_PRIVATE, PS_SHARED, PS_SWAPPED, PS_COMPRESSED, PS_BALLOONED,
	PS_COUNT,
};

enum fault_kind {
	FAULT_ZERO_FILL, FAULT_COW, FAULT_HOST_SWAP_IN, FAULT_DECOMPRESS, FAULT_GUEST_SWAP_IN,
	FAULT_COUNT,
};

/* CPU costs per 4 KiB: a page of page_bytes costs page_bytes / 4 KiB times as much. */
struct mem_latency {
	int64_t zero_fill_ns, cow_ns, decompress_ns, compress_ns;
};

/*
 * A clock hand over n positions (the guest's over data pages, the host's
 * over guest pages).  Per block of 64 positions it keeps when the hand
 * last passed them and which of them a touch on the slow path reached
 * since: those are accessed for sure.
 */
struct mem_clock_block {
	sim_time passed;                /* mid-time of the hand's last pass */
	uint64_t touched;               /* bit per position: touched since */
};

struct mem_clock {
	uint32_t hand;                  /* the next position it passes */
	uint32_t n;                     /* positions */
	sim_time entered;               /* when the hand entered its block */
	struct mem_clock_block *block;  /* n / 64 + 1 of them */
};

struct mem_stats {
	uint64_t faults[FAULT_COUNT];
	uint64_t double_paging;         /* guest evicted a page the host had swapped */
	uint64_t host_swap_out, host_swap_in;   /* pages of this VM */
	uint64_t guest_swap_out, guest_swap_in;
	uint64_t zip_in;                /* pages of this VM put in its compression cache */
	uint64_t zip_evict;             /* of them, decompressed and swapped to make room */
	int64_t stall_ns;
	int64_t run_ns;
	double touches;                 /* demanded */
	double done;                    /* completed in the time it had */
};

/* An image's content identity: its pages k (from 0) below same_pages are
 * its base's page k, whose own may be its base's in turn. */
struct mem_image {
	int base;                       /* -1: none */
	uint32_t same_pages;
	uint64_t sample_key;            /* sampled runs: its pages' sampling key */
};

/* The image whose page holds content (an image page's, 1-based) of image:
 * image itself, or the base it has that page from. */
int mem_image_of(const struct mem_image *images, int image, uint32_t content);
/* The key equal contents have in every VM (content of a VM of image, as
 * vmem_content gives it): 0 for the zero page, else the image page's in
 * the image that first had it (mem_image_of), so versions' common pages
 * match.  The share table matches on it, salted by a VM's salt. */
uint64_t mem_content_key(const struct mem_image *images, int image, uint32_t content);

/* One VM's memory. */
struct vmem {
	uint32_t n_pages;               /* guest-physical pages */
	uint32_t n_data;                /* data pages it may ever use */
	uint32_t *page;                 /* per guest page: state, free flag, content */
	uint32_t *link;                 /* per guest page: data held, or next in a list */
	uint32_t *data;                 /* per data page: where it is */
	uint64_t *fast;                 /* per data page: resident on a private frame */
	uint64_t n_fast;                /* data pages with their fast bit set */
	uint32_t fast_prefix;           /* data pages below this are all fast */
	uint64_t n_state[PS_COUNT];
	uint32_t free_head;             /* guest free list */
	uint64_t n_free;
	uint32_t balloon_head;          /* ballooned pages */
	uint64_t n_resident, n_gswap;   /* data pages in guest memory, in guest swap */
	uint64_t limit_pages;           /* most it may hold in host frames */
	struct mem_clock guest_clock;   /* over data pages */
	struct mem_clock host_clock;    /* over guest pages */
	struct mem_clock share_clock;   /* the sharing scanner's, over guest pages:
					 * its bits are slow-path writes */
	int image;                      /* content: image id, -1 = none */
	const struct mem_image *images; /* borrowed: every image's identity, or NULL */
	uint32_t image_pages;
	uint32_t image_zero_pages;      /* image pages 0..this-1 are zero */
	double zero_share, image_share;
	uint64_t content_seed;
	const struct wss_ranks *data_rank;      /* sampled: data pages' indexes in the full VM;
						 * NULL = their own */
	bool zero_freed;                /* the guest zeroes memory it frees */
	struct compress_spec zip_unique, zip_image;     /* how its unique, image pages compress */
	struct mem_zip_link *zip;       /* per guest page, once one is compressed: LRU links */
	uint32_t zip_head, zip_tail;    /* least and most recently compressed (with a slot) */
	uint64_t zip_quarters;          /* its cache: quarter-page slots in use */
	uint64_t share_salt;            /* mixed into its pages' share keys; 0: none */
	struct mem_vscan {              /* its own sharing scan (sharing_ops.vm_scan_rate) */
		uint32_t a, a_inv, b;   /* this scan's order: position i is page (a i + b) mod n */
		uint32_t pos;           /* positions passed this scan */
		uint32_t prev_a_inv, prev_b;    /* the previous scan's order */
		bool has_prev;          /* a scan has been completed */
		sim_time origin;        /* when it arrived: no visit before */
		sim_time start;         /* the period this scan began in */
		sim_time prev_start, prev_end;
		sim_time last;          /* its last period */
		double credit;          /* positions owed, below one after a period */
		double rate;            /* positions a second at its last period */
	} vscan;
	struct wss wss;                 /* the current phase's access pattern */
	struct mem_stats stats;
	struct pt_vm pt;                /* its second-level page tables (pt.h) */
	bool oom;                       /* ran out of memory and was stopped */
};

struct vmem_params {
	uint32_t n_pages, n_data;
	uint64_t limit_pages;
	int image;
	const struct mem_image *images; /* borrowed, see struct vmem */
	uint32_t image_pages;
	double image_zero;              /* share of the image's pages that are zero */
	double zero_share, image_share;
	uint64_t content_seed;
	const struct wss_ranks *data_rank;      /* borrowed, see struct vmem */
	bool zero_freed;
	struct compress_spec compress_unique, compress_image;
	sim_time now;
};

/*
 * Linux's zswap on one host (DOC: zswap in mem.c), when its reclaim
 * policy runs it: one pool for every VM, capped at a share of the host's
 * memory, whose entries are listed least recently stored first.
 */
struct mem_zswap_entry {
	struct vmem *m;                 /* borrowed: the VM whose page it holds */
	uint32_t g;                     /* its guest page */
	uint32_t bytes;                 /* compressed size, > 0 */
	uint32_t prev, next;            /* LRU links (MEM_NONE: none); next links free entries */
};

struct mem_zswap {
	bool on;                        /* a page was stored: compressed pages are the pool's */
	bool full;                      /* the pool filled: it refuses pages until it is
					 * at most accept_bytes */
	uint64_t cap_bytes, accept_bytes;
	int64_t decompress_ns;          /* the compressor's, per 4 KiB */
	uint64_t pool_bytes;            /* compressed bytes stored */
	uint64_t frames;                /* frames holding them: ceil(pool_bytes / page) */
	struct mem_zswap_entry *entry;
	size_t n_entry, cap_entry;
	uint32_t free_entry;            /* freed entries, linked by next */
	uint32_t head, tail;            /* least and most recently stored */
	uint64_t stored, same_filled;   /* pages stored; of them same-filled (no space) */
	uint64_t loads, written_back;   /* pages decompressed on a fault; written to swap */
	uint64_t reject_full, reject_poor;      /* pages refused: pool full, compress poorly */
};

/* One host's memory. */
struct hmem {
	int64_t page_bytes;
	uint64_t frames_total, frames_overhead, frames_free;
	uint64_t n_private, n_shared_mapped, n_compressed, n_ballooned;
	uint64_t zip_quarters;          /* the VMs' compression caches: quarter slots in use */
	uint64_t zip_frames;            /* frames holding them */
	struct mem_zswap zswap;
	struct sharetab shared;
	struct mem_scan {               /* the sharing scanner (mem_share_scan) */
		size_t vm;              /* index of the VM it is in (host_vm_at) */
		uint64_t full_scans;    /* passes over every VM completed */
		uint64_t visited;       /* pages shown to the policy */
		uint64_t merged;        /* pages merged */
		uint64_t unshared;      /* candidates when the last full scan ended */
		bool hints;             /* candidates are hints, kept across scans (the
					 * scan per VM); full_scans counts VMs' scans */
		struct sharetab cand;   /* this scan's candidates, one per content */
		struct mem_cand {       /* per record of cand: the page */
			const struct vm *vm;
			uint32_t g;
		} *cand_page;
		size_t cap_cand_page;
	} scan;
	struct swapdev swap;
	struct swapdev disk;            /* the datastore: guest swap I/O, no slots */
	struct mem_latency lat;
	double sample_rate;             /* share of the host simulated (sample.h); 0 = all */
	bool swap_full;                 /* the swap device filled at some time */
	uint64_t oom;                   /* VMs stopped for want of memory */
	struct pt_host pt;              /* its VMs' page tables: pt.frames are overhead */
};

struct host;
struct vm;

void hmem_init(struct hmem *hm, int64_t memory_bytes, int64_t overhead_bytes,
	       int64_t page_bytes);
void hmem_release(struct hmem *hm);
/* Frames holding compressed pages (the VMs' caches, each packed into whole
 * frames, or the host's zswap pool). */
uint64_t hmem_cache_frames(const struct hmem *hm);

/* Allocates the VM's page arrays; every page untouched and guest-free. */
void vmem_init(struct vmem *m, const struct vmem_params *p);
void vmem_release(struct vmem *m);
/* The longest run of fast data pages from page 0 (advanced lazily). */
uint32_t vmem_fast_prefix(struct vmem *m);
/* True when data page d is resident on a private frame: a touch is free. */
static inline bool vmem_is_fast(const struct vmem *m, uint32_t d)
{
	return (m->fast[d >> 6] >> (d & 63)) & 1;
}

/*
 * A touch of data page d by vm on h at time t: serves every fault it needs
 * and returns the stall.  On running out of memory (swap full and nothing
 * to reclaim) sets vm's oom and returns what stalled so far.
 */
int64_t mem_touch(struct host *h, struct vm *vm, uint32_t d, bool write, sim_time t);
/* The working set becomes ws pages; data above it is freed by the guest. */
void mem_set_ws(struct host *h, struct vm *vm, uint32_t ws);
/* Moves up to max pages toward target ballooned pages; returns the stall. */
int64_t mem_balloon_towards(struct host *h, struct vm *vm, uint64_t target, uint64_t max,
			    sim_time t);
/* The host's page tables' turn in a tick at t: the table frames it owes
 * are taken from its free frames (pt.c DOC). */
void mem_pt_tick(struct host *h, sim_time t);
/* Frees everything the VM holds on h. */
void mem_vm_leave(struct host *h, struct vm *vm);

/* Mechanics for sharing and reclaim policies (and tests). */
/* Merges private page g with the host's frame of equal content, or makes
 * its frame that frame; -SIM_EINVAL when g is not private or its content
 * is unique. */
int mem_share(struct host *h, struct vm *vm, uint32_t g);
/* The same, a frame holding at most max_sharers references (0: no cap;
 * the cap of the content's first frame holds for all its frames). */
int mem_share_max(struct host *h, struct vm *vm, uint32_t g, uint32_t max_sharers);
/*
 * One period of h's sharing scanner at t (see DOC in mem.c): visits the
 * sharing policy's pages_per_period pages in guest memory (or, when the
 * policy has vm_scan_rate, each VM's pages at its own rate in an order of
 * its own), shows each to the policy and merges those it names.  A page
 * written since the last visit is shown changed, and its content is then
 * unique.
 */
void mem_share_scan(struct host *h, sim_time t);
/* vm has just been placed on h at t: takes its salt from h's sharing
 * policy and, for a scan per VM, starts its first scan's order. */
void mem_share_arrive(struct host *h, struct vm *vm, sim_time t);
/* Where the per-VM scan is in vm's current scan (tests): positions passed. */
static inline uint32_t vmem_scan_pos(const struct vmem *m)
{
	return m->vscan.pos;
}
/*
 * Reclaims private page g as ESX does a page it chose to swap: into vm's
 * compression cache when mem_compress takes it, else to the swap device.
 * stall: the reclaim is synchronous (a fault waits for the frame) and
 * gets the swap write's latency and the CPU cost of any compression and
 * decompression; NULL: background reclaim, nobody waits.  Returns 0,
 * -SIM_EINVAL (g is not private) or -SIM_ENOMEM (the swap device is full).
 */
int mem_swap_out(struct host *h, struct vm *vm, uint32_t g, sim_time t, int64_t *stall);
/* Frees up to n frames on h ahead of any demand, swapping out the pages
 * its reclaim policy names: the writes load the swap device, no VM waits
 * for them.  Stops early when the policy names none or swap is full;
 * returns the frames freed. */
uint64_t mem_reclaim_ahead(struct host *h, uint64_t n, sim_time t);
/*
 * Puts private page g in vm's compression cache when compression is on
 * (the reclaim policy's compress_max > 0) and g compresses to half a page
 * or better (mem_zip_slot); a full cache first decompresses its least
 * recently compressed pages and swaps them out.  stall as mem_swap_out.
 * Returns 0, -SIM_EINVAL (not private), -SIM_ERANGE (not compressed: off,
 * incompressible, or a slot larger than the cap) or -SIM_ENOMEM (room
 * needed and the swap device is full).
 */
int mem_compress(struct host *h, struct vm *vm, uint32_t g, int64_t *stall);
/*
 * zswap (DOC in mem.c), when the host's reclaim policy runs it: stores
 * private page g of vm in the host's pool instead of the swap device.
 * stall gets the compression's CPU cost.  Returns 0, -SIM_EINVAL (not
 * private) or -SIM_ERANGE (not stored: zswap off, the pool full or not
 * yet back under its accept threshold, or g compresses to a page or more).
 */
int mem_zswap_store(struct host *h, struct vm *vm, uint32_t g, int64_t *stall);
/* zswap's writeback: a pool that filled writes its least recently stored
 * pages to the swap device, in the background, until it is at most its
 * accept threshold.  Returns the pages written. */
uint64_t mem_zswap_writeback(struct host *h);
/* The bytes page g of vm would take in h's pool: 0 for a same-filled
 * (zero) page, at least the page's bytes when it does not compress. */
uint64_t mem_zswap_bytes(const struct host *h, const struct vm *vm, uint32_t g);
/* The pool's cap on h in bytes (0: zswap off). */
uint64_t mem_zswap_cap_bytes(const struct host *h);

/* The slot g's content takes in a cache, in quarter pages: 0 (a zero
 * page), 1, 2, or MEM_ZIP_NONE (it does not compress to half a page). */
unsigned mem_zip_slot(const struct vmem *m, uint32_t g);
/* vm's cache cap on h, in quarter-page slots (0: compression off). */
uint64_t mem_zip_cap(const struct host *h, const struct vm *vm);
/*
 * The host's victim scans, for reclaim policies: a private page of vm (or
 * MEM_NONE when it has none), drawn uniformly with r, or the first whose
 * accessed bit is clear under the host's clock hand at t (the hand moves
 * and clears the bits it passes; r draws the bits the model did not see).
 */
uint32_t mem_victim_random(struct vm *vm, gsl_rng *r);
uint32_t mem_victim_clock(struct vm *vm, sim_time t, gsl_rng *r);
/*
 * For estimators that sample accessed bits: how many of the n guest pages
 * g[] of vm (repeats allowed) were touched in the last since_ns, had their
 * bits been cleared then.  A page that holds no data never is; one that
 * does, with the probability that a page touched at its current rate r
 * was, 1 - exp(-r*since) (the DOC above), drawn from r in the order of g.
 * Changes nothing of the model.
 */
uint64_t mem_pages_accessed(const struct vm *vm, const uint32_t *g, size_t n, sim_time since_ns,
			    gsl_rng *r);
/* The pages mem_pages_accessed reads together, their misses overlapping:
 * a caller that draws its pages in batches of this size gives it whole ones. */
#define MEM_ACCESSED_BATCH 128

/* The content data page d of the full VM that p describes is born with
 * (MEM_CONTENT_ZERO, an image page's, or MEM_CONTENT_UNIQUE). */
uint32_t mem_initial_content(const struct vmem_params *p, uint32_t d);

/* Page state and content of guest page g (for tests and results). */
enum page_state vmem_state(const struct vmem *m, uint32_t g);
uint32_t vmem_content(const struct vmem *m, uint32_t g);
/* The guest page holding data d, or MEM_NONE. */
uint32_t vmem_data_page(const struct vmem *m, uint32_t d);
bool vmem_data_in_guest_swap(const struct vmem *m, uint32_t d);

/* Checks every invariant of h and its VMs; fills *err on the first broken one. */
int mem_check(const struct host *h, struct sim_err *err);

#define MEM_CONTENT_ZERO 0u
#define MEM_CONTENT_UNIQUE 0x0FFFFFFFu

#endif /* MEM_H */
