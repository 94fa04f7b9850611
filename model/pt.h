/*
 * pt.h - second-level page tables and large-page backing (DESIGN.md
 * section 4, "Page tables and backing"): the memory the hypervisor's tables
 * take, counted exactly from the VM's mapped pages by index ranges, and
 * which 2 MiB-aligned groups of guest pages a 2 MiB host page backs.  A
 * guest page is mapped while it is on a host frame (private or shared).
 * Invariants, checked by mem_check: a VM's table bytes are
 * pt_vm_count_bytes of its mapped pages; the host holds ceil(sum /
 * page_bytes) frames for them, or owes the rest; every page of a large
 * group is private; the host's free 2 MiB blocks fit its free frames.
 */
#ifndef PT_H
#define PT_H

#include <stdbool.h>
#include <stdint.h>

#define PT_ENTRY_BYTES 8                /* an EPT/NPT or x86-64 entry */
#define PT_TABLE_BYTES 4096             /* a table page: 512 entries */
#define PT_FANOUT 512

enum pt_paging { PT_NESTED, PT_SHADOW };

/* A host's paging settings (hosts[] keys; README "Page tables and backing"). */
struct pt_params {
	bool tables;                    /* count the tables' memory (false: as if free) */
	enum pt_paging paging;
	double shadow_tables;           /* shadow: table bytes per byte a nested table takes */
	bool large_pages;               /* back 2 MiB groups by 2 MiB host pages */
	double compaction;              /* share of loose free frames in 2 MiB blocks */
	/* Translation (pt_translation_ns). */
	double tlb_entries;             /* the core's second-level TLB, shared 4 KiB / 2 MiB */
	int64_t guest_page_bytes;       /* the guest's own page size */
	double walk_ref_ns;             /* one memory reference of a page walk */
	double exit_ns;                 /* shadow: a VM exit per guest page-table write */
	double pt_writes;               /* shadow: guest page-table writes per second, besides
					 * the model's own (pages the guest maps and unmaps) */
};

/* A page's host state as the tables see it (mem.c's pt_bits). */
#define PT_MAPPED 1u                    /* on a host frame: private or shared */
#define PT_PRIVATE 2u
#define PT_SHARED 4u
#define PT_BUSY 8u                      /* anything but untouched */

/* One VM's tables. */
struct pt_vm {
	uint32_t n_pages;
	uint32_t ratio;                 /* 4 KiB pages per simulated page; 0 until bound */
	uint32_t per_1g, per_512g;      /* simulated pages per 1 GiB, per 512 GiB region */
	uint32_t *n_1g, *n_512g;        /* mapped pages per region; owned */
	uint32_t used_1g, used_512g;    /* regions holding a mapped page */
	uint64_t mapped;                /* pages mapped */
	double scale;                   /* table bytes per nested byte (shadow_tables or 1) */
	int64_t bytes;                  /* the tables now */
	int64_t bytes_peak;
	/* Large-page backing, per group of `group` pages (2 MiB, or one page
	 * at a granule of 2 MiB and up); a partial last group is never large. */
	uint32_t group;
	uint32_t n_groups;              /* whole groups */
	uint16_t *busy;                 /* per group: pages not untouched; owned */
	uint64_t *large, *broken;       /* bit per group: backed large; broken once; owned */
	uint64_t n_large;               /* groups backed large */
	uint64_t mapped_small;          /* mapped pages outside large groups */
	uint64_t broken_pages;          /* large pages broken, ever */
	uint64_t broken_shared;         /* pages of broken groups now shared */
	bool leaving;                   /* pt_vm_leave has run: peaks stay */
	uint64_t guest_writes;          /* guest page-table writes (mem.c: maps, unmaps) */
	uint64_t guest_writes_seen;     /* of them, charged by pt_translation_ns */
	double translation_ns;          /* translation time charged so far */
	/* What it had when it left (pt_vm_leave). */
	int64_t bytes_left;
	uint64_t large_left, small_left, broken_shared_left;
};

/* One host's tables: their bytes over its VMs and the frames holding them. */
struct pt_host {
	struct pt_params p;
	int64_t page_bytes;
	int64_t bytes;                  /* sum of its VMs' */
	uint64_t frames;                /* frames taken for them: at most pt_host_frames_needed */
	uint32_t group;                 /* frames per 2 MiB block (1 at 2 MiB and up) */
	uint64_t blocks;                /* free 2 MiB blocks never split (group > 1) */
	uint64_t n_large;               /* its VMs' large groups */
	uint64_t broken_pages;          /* large pages broken on it, ever */
	uint64_t broken_shared;         /* its VMs' pages of broken groups now shared */
};

/* free_frames: the host's free frames now, all in 2 MiB blocks. */
void pt_host_init(struct pt_host *ph, const struct pt_params *p, int64_t page_bytes,
		  uint64_t free_frames);
/* Frames the host's tables need: ceil(bytes / page_bytes). */
uint64_t pt_host_frames_needed(const struct pt_host *ph);
/* Frames needed and not yet taken (0 when the host holds enough). */
uint64_t pt_host_frames_owed(const struct pt_host *ph);

/* A VM of n_pages with nothing mapped; it takes its host's page size and
 * paging when its first page is mapped. */
void pt_vm_init(struct pt_vm *pv, uint32_t n_pages);
void pt_vm_release(struct pt_vm *pv);
/*
 * The VM is leaving: what it had mapped is kept for its results, and its
 * large groups become small without counting as broken.  Returns how many
 * there were: once their frames are free, pt_host_blocks_back.
 */
uint64_t pt_vm_leave(struct pt_host *ph, struct pt_vm *pv);
void pt_host_blocks_back(struct pt_host *ph, uint64_t n);
/*
 * Page g moves from host state bits `from` to `to` (PT_*): its mapping,
 * its group's counts and the host's bytes follow.  A page of a large group
 * that stops being private breaks the group first (pt_break).
 */
void pt_moved(struct pt_host *ph, struct pt_vm *pv, uint32_t g, unsigned from, unsigned to);
/* Breaks g's large group into small pages (counted). */
void pt_break(struct pt_host *ph, struct pt_vm *pv, uint32_t g);
/* Breaks every large group of the VM; returns how many. */
uint64_t pt_break_all(struct pt_host *ph, struct pt_vm *pv);
static inline bool pt_is_large(const struct pt_vm *pv, uint32_t g)
{
	uint32_t k;

	if (!pv->large || !pv->n_large)
		return false;
	k = g / pv->group;
	return k < pv->n_groups && ((pv->large[k >> 6] >> (k & 63)) & 1);
}
/* The first page of g's group and its size, when that group may be backed
 * large now: large pages on, a whole group, every page untouched. */
bool pt_group_fresh(struct pt_host *ph, struct pt_vm *pv, uint32_t g, uint32_t *first,
		    uint32_t *n);
/*
 * Whether the host has a free 2 MiB block for a large page, by the
 * fragmentation rule (pt.c DOC): a block never split, or the compaction
 * share of the loose free frames.  free_frames: the host's now.
 */
bool pt_block_free(const struct pt_host *ph, uint64_t free_frames);
/* A block is taken for a large page (then its group frames are taken). */
void pt_take_block(struct pt_host *ph, uint64_t free_frames);
/* A frame is taken from free_frames: a small one may split a block. */
void pt_frame_taken(struct pt_host *ph, uint64_t free_frames);
/* g's group, fresh and with its frames taken, becomes large (its pages
 * then map as private, no last-level entries). */
void pt_make_large(struct pt_host *ph, struct pt_vm *pv, uint32_t g);
/*
 * Table bytes of a VM whose mapped pages are those that is_mapped says (a
 * brute-force count over every page, for mem_check and tests): 8 bytes per
 * mapped 4 KiB page at the last level, and one table page per 1 GiB
 * region, per 512 GiB region and for the root that a mapped page falls in,
 * times the paging's scale.
 */
int64_t pt_vm_count_bytes(const struct pt_vm *pv, bool (*is_mapped)(const void *arg, uint32_t g),
			  const void *arg);

/*
 * Translation (pt.c DOC): memory references of one TLB miss's walk, for a
 * guest page and a host page of these sizes: (g + 1)(h + 1) - 1 nested,
 * g and h the levels walked (4 at 4 KiB, 3 at 2 MiB, 2 at 1 GiB); shadow
 * paging walks its one table, at the smaller page.
 */
int pt_walk_refs(enum pt_paging paging, int64_t guest_page_bytes, int64_t host_page_bytes);
/* TLB misses per touch of a working set of ws_bytes touched uniformly,
 * with a TLB reach of reach_bytes: 1 - reach / ws past the reach, else 0. */
double pt_miss_rate(double ws_bytes, double reach_bytes);
/*
 * The VM's translation time in a tick of tick_ns in which it made touches
 * (its full VM's) over a working set of ws_bytes, and its guest wrote its
 * page tables writes times: TLB misses times the walk's references times
 * walk_ref_ns, weighted by the share of its mapped pages backed large;
 * shadow paging adds a VM exit per guest page-table write.
 */
double pt_translation_ns(const struct pt_host *ph, const struct pt_vm *pv, double ws_bytes,
			 double touches, double tick_ns, double writes);

struct host;
struct vm;
/* vm's translation time in its tick of tick_ns on h, in which it made
 * touches (its full VM's): charged to its tables' total, and returned for
 * its stall (the tick's hook in cluster.c). */
int64_t pt_vm_tick(struct host *h, struct vm *vm, double touches, int64_t tick_ns);

#endif /* PT_H */
