/*
 * pt.c - second-level page tables.
 *
 * DOC: table memory
 *
 * A 4-level table (x86-64 with EPT or NPT) maps a VM's guest-physical
 * memory in 4 KiB pages: the last level holds one 8-byte entry per mapped
 * 4 KiB page, and each level above holds one entry per table of the level
 * below, 512 to a 4 KiB table page.  memsim counts the last level by its
 * entries (8 bytes per mapped 4 KiB page) and the levels above by their
 * table pages, allocated when the first page of their range is mapped and
 * freed with the last: a page directory per 1 GiB region holding a mapped
 * page, a page-directory-pointer table per 512 GiB region, and the root.
 * A simulated page of page_size covers page_size / 4 KiB pages of the last
 * level.  Counts per region are kept as pages map and unmap, so the bytes
 * are exact at every event, in O(1) per change.
 *
 * Shadow paging keeps a table per guest process instead of one per VM:
 * its memory is a multiple of the nested table's (shadow_tables, a
 * parameter: the guest processes that map a page, on average).
 *
 * With large-page backing a 2 MiB-aligned group of 512 guest pages is
 * mapped by one entry of the level above, so its pages take no last-level
 * entries.
 *
 * DOC: large pages and fragmentation
 *
 * When a guest first touches a page of a 2 MiB-aligned group whose pages
 * are all untouched, a host that backs large (ESX Mem.AllocGuestLargePage
 * = 1, Linux THP "always") gives the group one 2 MiB page, if it has a
 * free one, and zero-fills all of it; otherwise 4 KiB frames, one per page
 * as touched.  At a granule of 2 MiB and up every page is such a group.
 * Whether a free 2 MiB block exists follows a simple rule with one
 * parameter: the host's free frames are blocks never split (all of them
 * at first), and loose frames; a small frame is taken from the loose ones
 * while there are any, else it splits a block; a freed small frame is
 * loose; a large page returns whole, as a block.  A compaction share c of
 * the loose frames counts as blocks too (floor(c * loose / 512)), as the
 * kernel's compaction or ESX's would make them.  So a host that fills with
 * small pages and churns loses its blocks, and with c = 0 never gets them
 * back until large pages are freed.
 *
 * A large page is never shared, ballooned or swapped: any page of the
 * group leaving the private state (reclaim's victim, the balloon's page, a
 * page the scanner would merge is refused) breaks the group into small
 * pages first, which then gain their last-level entries.  The reclaim
 * policy's pressure breaks them all (mem_pt_tick), as ESX does below its
 * high state; Linux splits a THP before it swaps it.
 *
 * DOC: translation
 *
 * A touch whose page is not in the TLB walks the tables.  Natively a
 * 4-level walk reads 4 entries; under nested paging each of the guest's
 * g levels and its final guest-physical address are translated by the
 * host's h levels, (g + 1)(h + 1) - 1 references: 24 at 4 KiB / 4 KiB
 * (MECHANISMS.md 5), 19 with 2 MiB at either level, 15 at both.  Shadow
 * paging walks its one table, 4 references at 4 KiB, but every write the
 * guest makes to its own page tables traps to the hypervisor (a VM exit)
 * to be mirrored.  The TLB's reach is its entries times the page each
 * entry maps, the smaller of the guest's and the host's (a guest 4 KiB
 * page on a host 2 MiB page is cached as 4 KiB, so host large pages
 * shorten the walk, not the reach, unless the guest uses large pages too).
 * Touches fall on the working set uniformly for this purpose: a touch
 * misses with probability 1 - reach / ws past the reach, 0 within it.  The
 * VM's mapped pages backed large and small are weighted by their shares.
 * Each reference costs walk_ref_ns (the paging-structure caches and the
 * cache hierarchy serve most of them).
 *
 * The host takes whole frames for its VMs' tables, ceil(bytes / page_size)
 * over all of them: overhead frames in the host's conservation.  A frame
 * is given back as soon as the tables shrink; one the tables need while
 * the host has no free frame is owed, and taken by the next allocation
 * (which reclaims for it as for its own frame) or the next tick.
 */
#include "pt.h"

#include <math.h>
#include <stdlib.h>

#include "host.h"
#include "vm.h"
#include "xmem.h"

#define PT_4K 4096
#define PT_1G_4K (PT_FANOUT * PT_FANOUT)                /* 4 KiB pages per 1 GiB */
#define PT_512G_4K (PT_FANOUT * PT_FANOUT * PT_FANOUT)  /* per 512 GiB */

#define PT_2M_4K PT_FANOUT                          /* 4 KiB pages per 2 MiB */

void pt_host_init(struct pt_host *ph, const struct pt_params *p, int64_t page_bytes,
		  uint64_t free_frames)
{
	int64_t per = (int64_t)PT_2M_4K * PT_4K / page_bytes;

	*ph = (struct pt_host){0};
	ph->p = *p;
	ph->page_bytes = page_bytes;
	ph->group = per > 1 ? (uint32_t)per : 1;
	ph->blocks = ph->group > 1 ? free_frames / ph->group : 0;
}

/* Loose free frames: those not in a block never split. */
static uint64_t loose(const struct pt_host *ph, uint64_t free_frames)
{
	return free_frames - ph->blocks * ph->group;
}

bool pt_block_free(const struct pt_host *ph, uint64_t free_frames)
{
	if (ph->group == 1)
		return free_frames > 0;
	return ph->blocks > 0 ||
	       floor(ph->p.compaction * (double)loose(ph, free_frames) / ph->group) >= 1;
}

void pt_take_block(struct pt_host *ph, uint64_t free_frames)
{
	/* From a block if one is left, else from the compacted loose frames. */
	(void)free_frames;
	if (ph->group > 1 && ph->blocks)
		ph->blocks--;
}

void pt_frame_taken(struct pt_host *ph, uint64_t free_frames)
{
	if (ph->group > 1 && ph->blocks && loose(ph, free_frames) == 0)
		ph->blocks--;           /* the frame splits a block */
}

void pt_host_blocks_back(struct pt_host *ph, uint64_t n)
{
	if (ph->group > 1)
		ph->blocks += n;
}

uint64_t pt_host_frames_needed(const struct pt_host *ph)
{
	return ph->bytes > 0 ? (uint64_t)((ph->bytes + ph->page_bytes - 1) / ph->page_bytes) : 0;
}

uint64_t pt_host_frames_owed(const struct pt_host *ph)
{
	uint64_t need = pt_host_frames_needed(ph);

	return need > ph->frames ? need - ph->frames : 0;
}

static double vm_scale(const struct pt_params *p)
{
	if (!p->tables)
		return 0;
	return p->paging == PT_SHADOW ? p->shadow_tables : 1.0;
}

/* Nested-table bytes of a VM from its counts: small pages' last-level
 * entries and the upper levels' table pages. */
static int64_t nested_bytes(uint32_t ratio, uint64_t mapped, uint64_t small, uint64_t used_1g,
			    uint64_t used_512g)
{
	if (!mapped)
		return 0;
	return (int64_t)(PT_ENTRY_BYTES * (uint64_t)ratio * small +
			 PT_TABLE_BYTES * (used_1g + used_512g + 1));
}

static int64_t scaled(double scale, int64_t nested)
{
	return scale == 1.0 ? nested : scale == 0.0 ? 0 : (int64_t)llround(scale * (double)nested);
}

void pt_vm_init(struct pt_vm *pv, uint32_t n_pages)
{
	*pv = (struct pt_vm){0};
	pv->n_pages = n_pages;
}

/* The VM's bytes from its counts; the host's follow. */
static void recount(struct pt_host *ph, struct pt_vm *pv)
{
	int64_t before = pv->bytes;

	pv->bytes = scaled(pv->scale, nested_bytes(pv->ratio, pv->mapped, pv->mapped_small,
						   pv->used_1g, pv->used_512g));
	if (pv->bytes > pv->bytes_peak && !pv->leaving)
		pv->bytes_peak = pv->bytes;
	ph->bytes += pv->bytes - before;
}

/* The VM's geometry on its host, at its first mapping. */
static void vm_bind(struct pt_vm *pv, const struct pt_host *ph)
{
	int64_t r = ph->page_bytes / PT_4K;
	uint32_t n_pages = pv->n_pages;

	pv->ratio = r > 1 ? (uint32_t)r : 1;
	pv->per_1g = pv->ratio >= PT_1G_4K ? 1 : PT_1G_4K / pv->ratio;
	pv->per_512g = PT_512G_4K / pv->ratio;
	pv->n_1g = xcalloc(n_pages / pv->per_1g + 1, sizeof(*pv->n_1g));
	pv->n_512g = xcalloc(n_pages / pv->per_512g + 1, sizeof(*pv->n_512g));
	pv->scale = vm_scale(&ph->p);
	pv->group = ph->group;
	pv->n_groups = ph->p.large_pages ? n_pages / pv->group : 0;
	pv->busy = xcalloc(n_pages / pv->group + 1, sizeof(*pv->busy));
	pv->large = xcalloc(pv->n_groups / 64 + 1, sizeof(*pv->large));
	pv->broken = xcalloc(pv->n_groups / 64 + 1, sizeof(*pv->broken));
}

void pt_vm_release(struct pt_vm *pv)
{
	free(pv->n_1g);
	free(pv->n_512g);
	free(pv->busy);
	free(pv->large);
	free(pv->broken);
	pv->n_1g = pv->n_512g = NULL;
	pv->busy = NULL;
	pv->large = pv->broken = NULL;
}

static bool bit(const uint64_t *w, uint32_t k)
{
	return (w[k >> 6] >> (k & 63)) & 1;
}

/* Group k stops being large; counted as broken unless the VM leaves. */
static void unlarge(struct pt_host *ph, struct pt_vm *pv, uint32_t k, bool count)
{
	pv->large[k >> 6] &= ~(1ULL << (k & 63));
	pv->n_large--;
	ph->n_large--;
	pv->mapped_small += pv->group;
	if (count) {
		pv->broken[k >> 6] |= 1ULL << (k & 63);
		pv->broken_pages++;
		ph->broken_pages++;
	}
}

uint64_t pt_vm_leave(struct pt_host *ph, struct pt_vm *pv)
{
	uint64_t n = pv->n_large;
	uint32_t k;

	pv->bytes_left = pv->bytes;
	pv->large_left = n;
	pv->small_left = pv->mapped_small;
	pv->broken_shared_left = pv->broken_shared;
	pv->leaving = true;
	for (k = 0; pv->n_large && k < pv->n_groups; k++)
		if (bit(pv->large, k))
			unlarge(ph, pv, k, false);
	if (n)
		recount(ph, pv);
	return n;
}

void pt_break(struct pt_host *ph, struct pt_vm *pv, uint32_t g)
{
	if (!pt_is_large(pv, g))
		return;
	unlarge(ph, pv, g / pv->group, true);
	recount(ph, pv);
}

uint64_t pt_break_all(struct pt_host *ph, struct pt_vm *pv)
{
	uint64_t n = 0;
	uint32_t w;

	for (w = 0; pv->n_large && w <= pv->n_groups / 64; w++)
		while (pv->large[w]) {
			unlarge(ph, pv, w * 64 + (uint32_t)__builtin_ctzll(pv->large[w]), true);
			n++;
		}
	if (n)
		recount(ph, pv);
	return n;
}

bool pt_group_fresh(struct pt_host *ph, struct pt_vm *pv, uint32_t g, uint32_t *first,
		    uint32_t *n)
{
	uint32_t k;

	if (!ph->p.large_pages)
		return false;
	if (!pv->ratio)
		vm_bind(pv, ph);
	k = g / pv->group;
	if (k >= pv->n_groups || pv->busy[k])
		return false;
	*first = k * pv->group;
	*n = pv->group;
	return true;
}

void pt_make_large(struct pt_host *ph, struct pt_vm *pv, uint32_t g)
{
	uint32_t k = g / pv->group;

	if (k >= pv->n_groups || pv->busy[k] || bit(pv->large, k))
		return;
	pv->large[k >> 6] |= 1ULL << (k & 63);
	pv->broken[k >> 6] &= ~(1ULL << (k & 63));     /* a new large page */
	pv->n_large++;
	ph->n_large++;
}

void pt_moved(struct pt_host *ph, struct pt_vm *pv, uint32_t g, unsigned from, unsigned to)
{
	uint32_t k, *a, *b;

	if (!pv->ratio)
		vm_bind(pv, ph);
	k = g / pv->group;
	if ((from & PT_PRIVATE) && !(to & PT_PRIVATE) && pt_is_large(pv, g))
		pt_break(ph, pv, g);
	if ((from & PT_BUSY) != (to & PT_BUSY))
		pv->busy[k] = (uint16_t)(pv->busy[k] + ((to & PT_BUSY) ? 1 : -1));
	if ((from & PT_SHARED) != (to & PT_SHARED) && k < pv->n_groups && bit(pv->broken, k)) {
		int d = (to & PT_SHARED) ? 1 : -1;

		pv->broken_shared = (uint64_t)((int64_t)pv->broken_shared + d);
		ph->broken_shared = (uint64_t)((int64_t)ph->broken_shared + d);
	}
	if ((from & PT_MAPPED) == (to & PT_MAPPED))
		return;
	a = &pv->n_1g[g / pv->per_1g];
	b = &pv->n_512g[g / pv->per_512g];
	if (to & PT_MAPPED) {
		pv->used_1g += (*a)++ == 0;
		pv->used_512g += (*b)++ == 0;
		pv->mapped++;
		pv->mapped_small += !pt_is_large(pv, g);
	} else {
		pv->used_1g -= --(*a) == 0;
		pv->used_512g -= --(*b) == 0;
		pv->mapped--;
		pv->mapped_small--;     /* a large page breaks before it unmaps */
	}
	recount(ph, pv);
}

int64_t pt_vm_count_bytes(const struct pt_vm *pv, bool (*is_mapped)(const void *arg, uint32_t g),
			  const void *arg)
{
	uint64_t mapped = 0, small = 0, used_1g = 0, used_512g = 0;
	uint32_t g, last_1g = UINT32_MAX, last_512g = UINT32_MAX;

	if (!pv->ratio)
		return 0;               /* never mapped a page */

	/* Regions are ranges of page indexes, so in index order a region is
	 * counted once, at its first mapped page. */
	for (g = 0; g < pv->n_pages; g++) {
		if (!is_mapped(arg, g))
			continue;
		mapped++;
		small += !pt_is_large(pv, g);
		if (g / pv->per_1g != last_1g) {
			last_1g = g / pv->per_1g;
			used_1g++;
		}
		if (g / pv->per_512g != last_512g) {
			last_512g = g / pv->per_512g;
			used_512g++;
		}
	}
	return scaled(pv->scale, nested_bytes(pv->ratio, mapped, small, used_1g, used_512g));
}

/* Levels a walk reads for a page of this size. */
static int walk_levels(int64_t page_bytes)
{
	return page_bytes >= 1024 * 1024 * 1024 ? 2 : page_bytes >= PT_2M_4K * PT_4K ? 3 : 4;
}

int pt_walk_refs(enum pt_paging paging, int64_t guest_page_bytes, int64_t host_page_bytes)
{
	int g = walk_levels(guest_page_bytes), h = walk_levels(host_page_bytes);

	if (paging == PT_SHADOW)
		return g > h ? g : h;   /* the smaller page walks more levels */
	return (g + 1) * (h + 1) - 1;
}

double pt_miss_rate(double ws_bytes, double reach_bytes)
{
	return ws_bytes > reach_bytes ? 1.0 - reach_bytes / ws_bytes : 0.0;
}

double pt_translation_ns(const struct pt_host *ph, const struct pt_vm *pv, double ws_bytes,
			 double touches, double tick_ns, double writes)
{
	const struct pt_params *p = &ph->p;
	const int64_t small = PT_4K, large = (int64_t)PT_2M_4K * PT_4K;
	int64_t gp = p->guest_page_bytes > 0 ? p->guest_page_bytes : small;
	double f = pv->mapped ? (double)(pv->n_large * pv->group) / (double)pv->mapped : 0.0;
	/* A TLB entry maps the smaller of the guest's and the host's page. */
	double entry_small = (double)(gp < small ? gp : small);
	double entry_large = (double)(gp < large ? gp : large);
	double per_touch, ns;

	per_touch = (1 - f) * pt_miss_rate(ws_bytes, p->tlb_entries * entry_small) *
			    pt_walk_refs(p->paging, gp, small) +
		    f * pt_miss_rate(ws_bytes, p->tlb_entries * entry_large) *
			    pt_walk_refs(p->paging, gp, large);
	ns = touches * per_touch * p->walk_ref_ns;
	if (p->paging == PT_SHADOW)
		ns += (p->pt_writes * tick_ns / 1e9 + writes) * p->exit_ns;
	return ns;
}

int64_t pt_vm_tick(struct host *h, struct vm *vm, double touches, int64_t tick_ns)
{
	struct pt_vm *pv = &vm->mem.pt;
	double rate = host_sample_rate(h);
	double ws = vm->mem.wss.ranks * PT_4K / rate;
	double writes = (double)(pv->guest_writes - pv->guest_writes_seen) / rate;
	double ns;

	pv->guest_writes_seen = pv->guest_writes;
	ns = pt_translation_ns(&h->mem.pt, pv, ws, touches, (double)tick_ns, writes);
	pv->translation_ns += ns;
	return (int64_t)llround(ns);
}
