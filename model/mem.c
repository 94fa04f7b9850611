/*
 * mem.c - the page-level memory model.
 *
 * DOC: how a touch is served
 *
 * A touch of a data page that is resident on a private frame costs one bit
 * test (the fast map) and nothing else.  Any other touch takes the slow
 * path, which serves, in order: the guest's own fault (the data was never
 * used: take a free guest page; or it is in guest swap: a guest swap-in,
 * one read from the host's datastore through its queue), then the host's
 * (the guest page is untouched: zero fill; swapped: swap-in through the
 * swap device's queue; compressed: decompression; shared and written:
 * copy-on-write).  Taking a frame may make the host reclaim synchronously:
 * first from the VM itself when it is at its limit, else from a victim VM;
 * the host's reclaim policy chooses the VM and the page (with the scans
 * below), and the faulting VM stalls for the swap write too; so does a VM
 * that takes a frame while the policy says the host is low (it blocks
 * allocations), free frame or not.  A policy may also have frames freed
 * ahead of demand (mem_reclaim_ahead): those writes load the swap device
 * but no VM waits for them.  The guest's own swap writes are write-back:
 * they load the datastore's queue but do not stall the guest.  CPU costs
 * (zero fill, copy-on-write, decompression) are given per 4 KiB and
 * charged for every 4 KiB of the page; a device I/O of one page is one
 * request.
 *
 * The guest chooses what to evict by a clock over its data pages; the host
 * by a clock over guest pages or at random.  A hand passes a page with its
 * accessed bit set, clearing it, and takes the first page with the bit
 * clear; after a whole lap every bit has been cleared, so it takes the page
 * under it.  Touches of resident pages are never seen, so the bit is set
 * for sure only when a touch on the slow path (a fault, which brings the
 * page in) reached the page since the hand last passed it; otherwise it is
 * drawn, with the probability that a page touched at rate r was touched in
 * the time s since the hand last passed: 1 - exp(-r*s).  For touches at a
 * steady rate r and independent of the past (the patterns memsim draws),
 * that is the probability of a real bit given everything the model has
 * seen.  s is known per block of 64 positions, to within the time the hand
 * took over the block.
 *
 * DOC: compression (ESX's, MECHANISMS.md 1.6)
 *
 * Only pages the host has chosen to swap are compressed, never others.
 * When the reclaim policy's compress_max is above 0, a page chosen for
 * swap whose content compresses to at most half a page goes to its VM's
 * cache instead, in a quarter-page slot when it compresses to a quarter
 * or less, else in a half-page slot; a zero page takes a slot of size 0.
 * A VM's slots are packed into whole frames (ceil(quarters / 4); packing
 * is ideal, as if the cache compacted for free), and hold at most
 * compress_max of the VM's memory.  A full cache makes room by
 * decompressing its least recently used pages and swapping them out.  A
 * compressed page is never touched in the cache (a touch decompresses it
 * and it leaves), so its last use is when it entered: the LRU order is
 * the order of entry, a doubly linked list through per-page links (O(1)
 * to add, remove and evict).  A page's slot follows from its content
 * identity (zero, image page k, or the VM's data d), hashed to a uniform
 * u and compared with its source's compress_spec, so it is the same
 * whenever it is compressed and, for an image page, in every VM.
 *
 * DOC: zswap (Linux's, MECHANISMS.md 2.4)
 *
 * When the reclaim policy runs zswap (its zswap query), a page the host
 * has chosen to swap goes first to the host's pool: one pool for all the
 * host's VMs, capped at max_pool of the host's memory (the simulated
 * host's, so a sampled run's cap scales with its rate).  A same-filled
 * page (memsim's only same-filled content is zero) is stored in no space
 * and no frame, even while the pool is full (it takes none of the cap).  Any other page takes its compressed size, from its
 * content (see mem_zswap_bytes); one that would take a page or more is
 * refused (zswap's compress_poor) and swapped.  A page that does not fit
 * under the cap is refused and the pool is full: it refuses every page
 * until it is back at most accept_threshold of its cap, and its writeback
 * (mem_zswap_writeback, at the start of the next tick, as zswap's shrink
 * worker runs apart from the store) writes its least recently stored
 * pages to the swap device until it is.  Entries are never touched in the
 * pool (a fault loads and frees them), so least recently used is least
 * recently stored: a doubly linked list of entries, O(1) each way.  The
 * pool's bytes are packed into whole frames (zsmalloc's packing taken as
 * ideal).  A fault on a stored page costs the compressor's decompression
 * latency per 4 KiB (a same-filled page: a zero fill); a store costs
 * latency.compress per 4 KiB, a same-filled one nothing; writeback's
 * decompression and write delay no VM.  A compressed page's LRU link
 * word (the VM's zip links) holds its entry, or MEM_NONE when same-filled.
 *
 * Page word: bits 0-2 host state, bit 3 guest-free, bits 4-31 content.
 * Data word: bits 30-31 where (never used, resident, guest swap), bit 29
 * written, bits 0-28 the guest page.  Link word: the data a guest page
 * holds, or the next page of the free or balloon list.
 */
#include "mem.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"
#include "rng.h"
#include "vm.h"
#include "xmem.h"

#define PAGE_STATE_MASK 7u
#define PAGE_FREE 8u
#define PAGE_CONTENT_SHIFT 4

#define DATA_WHERE_SHIFT 30
#define DATA_NONE 0u
#define DATA_RES 1u
#define DATA_GSWAP 2u
#define DATA_WRITTEN (1u << 29)
#define DATA_PAGE_MASK ((1u << 29) - 1)

/* LRU links of the compression cache: prev and next guest page, or
 * ZIP_NIL (no guest page has that index); prev's top bits hold the
 * page's slot in quarters, so removal never recomputes it. */
#define ZIP_NIL DATA_PAGE_MASK
#define ZIP_SLOT_SHIFT 30
#define ZIP_SALT 0x7a6970ULL            /* "zip": apart from the content draws */
#define CLOCK_PREFETCH_AHEAD 16         /* positions the clock hand reads ahead */

struct mem_zip_link {
	uint32_t prev, next;
};

/* --- words ------------------------------------------------------------ */

enum page_state vmem_state(const struct vmem *m, uint32_t g)
{
	return (enum page_state)(m->page[g] & PAGE_STATE_MASK);
}

uint32_t vmem_content(const struct vmem *m, uint32_t g)
{
	return m->page[g] >> PAGE_CONTENT_SHIFT;
}

static void set_content(struct vmem *m, uint32_t g, uint32_t c)
{
	m->page[g] = (m->page[g] & ((1u << PAGE_CONTENT_SHIFT) - 1)) | (c << PAGE_CONTENT_SHIFT);
}

static bool is_free(const struct vmem *m, uint32_t g)
{
	return m->page[g] & PAGE_FREE;
}

static unsigned data_where(uint32_t w)
{
	return w >> DATA_WHERE_SHIFT;
}

uint32_t vmem_data_page(const struct vmem *m, uint32_t d)
{
	uint32_t w = m->data[d];

	return data_where(w) == DATA_RES ? (w & DATA_PAGE_MASK) : MEM_NONE;
}

bool vmem_data_in_guest_swap(const struct vmem *m, uint32_t d)
{
	return data_where(m->data[d]) == DATA_GSWAP;
}

static void set_fast(struct vmem *m, uint32_t d)
{
	uint64_t bit = 1ULL << (d & 63);

	if (!(m->fast[d >> 6] & bit))
		wss_fast_set(&m->wss, d);
	m->n_fast += !(m->fast[d >> 6] & bit);
	m->fast[d >> 6] |= bit;
}

static void clear_fast(struct vmem *m, uint32_t d)
{
	uint64_t bit = 1ULL << (d & 63);

	if (m->fast[d >> 6] & bit)
		wss_fast_clear(&m->wss, d);
	m->n_fast -= !!(m->fast[d >> 6] & bit);
	m->fast[d >> 6] &= ~bit;
	if (d < m->fast_prefix)
		m->fast_prefix = d;
}

uint32_t vmem_fast_prefix(struct vmem *m)
{
	uint32_t p = m->fast_prefix;

	/* Whole words at a time where they are full. */
	while (p < m->n_data && (p & 63) == 0 && p + 64 <= m->n_data && m->fast[p >> 6] == ~0ULL)
		p += 64;
	while (p < m->n_data && vmem_is_fast(m, p))
		p++;
	m->fast_prefix = p;
	return p;
}

/* The data page g holds, or MEM_NONE.  The link word of a page that holds
 * no data is a list pointer, so the data word must point back to g. */
static uint32_t owner(const struct vmem *m, uint32_t g)
{
	uint32_t d = m->link[g];

	if (is_free(m, g) || vmem_state(m, g) == PS_BALLOONED || d >= m->n_data)
		return MEM_NONE;
	if (data_where(m->data[d]) != DATA_RES || (m->data[d] & DATA_PAGE_MASK) != g)
		return MEM_NONE;
	return d;
}

/* On a host frame, and so mapped by the host's page tables (pt.h). */
static bool is_mapped_state(enum page_state s)
{
	return s == PS_PRIVATE || s == PS_SHARED;
}

/* The state as the page tables see it (pt.h). */
static unsigned pt_bits(enum page_state s)
{
	return (is_mapped_state(s) ? PT_MAPPED : 0) | (s == PS_PRIVATE ? PT_PRIVATE : 0) |
	       (s == PS_SHARED ? PT_SHARED : 0) | (s != PS_UNTOUCHED ? PT_BUSY : 0);
}

static void frame_give(struct hmem *hm);

/* Gives back the table frames the host's tables no longer need. */
static void tables_give_back(struct hmem *hm)
{
	uint64_t need = pt_host_frames_needed(&hm->pt);

	for (; hm->pt.frames > need; hm->pt.frames--)
		frame_give(hm);
}

/* Moves g to state s, keeping the VM's and host's totals. */
static void set_state(struct hmem *hm, struct vmem *m, uint32_t g, enum page_state s)
{
	enum page_state old = vmem_state(m, g);
	uint64_t *host_count[PS_COUNT] = {
		[PS_PRIVATE] = &hm->n_private,
		[PS_SHARED] = &hm->n_shared_mapped,
		[PS_COMPRESSED] = &hm->n_compressed,
		[PS_BALLOONED] = &hm->n_ballooned,
	};

	m->n_state[old]--;
	m->n_state[s]++;
	if (host_count[old])
		(*host_count[old])--;
	if (host_count[s])
		(*host_count[s])++;
	m->page[g] = (m->page[g] & ~PAGE_STATE_MASK) | (uint32_t)s;
	if (old != s) {
		pt_moved(&hm->pt, &m->pt, g, pt_bits(old), pt_bits(s));
		tables_give_back(hm);
	}
	if (s != PS_PRIVATE) {
		uint32_t d = owner(m, g);

		if (d != MEM_NONE)
			clear_fast(m, d);
	}
}

/* --- lists ------------------------------------------------------------ */

static void push_free(struct vmem *m, uint32_t g)
{
	m->page[g] |= PAGE_FREE;
	m->link[g] = m->free_head;
	m->free_head = g;
	m->n_free++;
}

static uint32_t pop_free(struct vmem *m)
{
	uint32_t g = m->free_head;

	if (g == MEM_NONE)
		SIM_BUG("pop from an empty guest free list");
	m->free_head = m->link[g];
	m->page[g] &= ~PAGE_FREE;
	m->n_free--;
	return g;
}

static void push_balloon(struct vmem *m, uint32_t g)
{
	m->link[g] = m->balloon_head;
	m->balloon_head = g;
}

static uint32_t pop_balloon(struct vmem *m)
{
	uint32_t g = m->balloon_head;

	if (g == MEM_NONE)
		SIM_BUG("pop from an empty balloon");
	m->balloon_head = m->link[g];
	return g;
}

/* --- host frames ------------------------------------------------------ */

void hmem_init(struct hmem *hm, int64_t memory_bytes, int64_t overhead_bytes,
	       int64_t page_bytes)
{
	*hm = (struct hmem){0};
	hm->page_bytes = page_bytes;
	hm->frames_total = (uint64_t)(memory_bytes / page_bytes);
	hm->frames_overhead = (uint64_t)((overhead_bytes + page_bytes - 1) / page_bytes);
	if (hm->frames_overhead > hm->frames_total)
		hm->frames_overhead = hm->frames_total;
	hm->frames_free = hm->frames_total - hm->frames_overhead;
	hm->zswap.head = hm->zswap.tail = hm->zswap.free_entry = MEM_NONE;
	/* The mechanics alone: no tables counted until the run sets its
	 * paging (pt_host_init). */
	pt_host_init(&hm->pt, &(struct pt_params){.paging = PT_NESTED, .shadow_tables = 1},
		     page_bytes, hm->frames_free);
	sharetab_init(&hm->shared);
	sharetab_init(&hm->scan.cand);
}

void hmem_release(struct hmem *hm)
{
	sharetab_release(&hm->shared);
	sharetab_release(&hm->scan.cand);
	free(hm->scan.cand_page);
	free(hm->zswap.entry);
	hm->zswap.entry = NULL;
}

uint64_t hmem_cache_frames(const struct hmem *hm)
{
	return hm->zip_frames + hm->zswap.frames;
}

static void frame_take(struct hmem *hm)
{
	if (!hm->frames_free)
		SIM_BUG("frame taken from a host with none free");
	pt_frame_taken(&hm->pt, hm->frames_free);
	hm->frames_free--;
}

static void frame_give(struct hmem *hm)
{
	hm->frames_free++;
}

/* Takes the table frames the host owes, as far as it has free frames. */
static void tables_take(struct hmem *hm)
{
	uint64_t need = pt_host_frames_needed(&hm->pt);

	for (; hm->pt.frames < need && hm->frames_free; hm->pt.frames++)
		frame_take(hm);
}

/* --- the compression cache (see DOC above) ----------------------------- */

static uint64_t zip_frames_of(uint64_t quarters)
{
	return (quarters + 3) / 4;
}

/* The VM's cache grows or shrinks by dq quarters; its frames follow. */
static void zip_account(struct hmem *hm, struct vmem *m, int64_t dq)
{
	uint64_t before = zip_frames_of(m->zip_quarters), after;

	m->zip_quarters = (uint64_t)((int64_t)m->zip_quarters + dq);
	hm->zip_quarters = (uint64_t)((int64_t)hm->zip_quarters + dq);
	after = zip_frames_of(m->zip_quarters);
	for (; before < after; before++, hm->zip_frames++)
		frame_take(hm);
	for (; before > after; before--, hm->zip_frames--)
		frame_give(hm);
}

/* The slot compressed page g holds, in quarters. */
static unsigned zip_held(const struct vmem *m, uint32_t g)
{
	return m->zip[g].prev >> ZIP_SLOT_SHIFT;
}

/* Appends g (a slot of q > 0 quarters) as the most recently used. */
static void zip_link(struct vmem *m, uint32_t g, unsigned q)
{
	m->zip[g].prev = ((uint32_t)q << ZIP_SLOT_SHIFT) | m->zip_tail;
	m->zip[g].next = ZIP_NIL;
	if (m->zip_tail != ZIP_NIL)
		m->zip[m->zip_tail].next = g;
	else
		m->zip_head = g;
	m->zip_tail = g;
}

static void zip_unlink(struct vmem *m, uint32_t g)
{
	uint32_t prev = m->zip[g].prev & ZIP_NIL, next = m->zip[g].next;

	if (prev != ZIP_NIL)
		m->zip[prev].next = next;
	else
		m->zip_head = next;
	if (next != ZIP_NIL)
		m->zip[next].prev = (m->zip[next].prev & ~ZIP_NIL) | prev;
	else
		m->zip_tail = prev;
}

/* Compressed page g leaves the cache (it is decompressed or dropped). */
static void zip_remove(struct hmem *hm, struct vmem *m, uint32_t g)
{
	unsigned q = zip_held(m, g);

	if (q)
		zip_unlink(m, g);
	zip_account(hm, m, -(int64_t)q);
}

/* --- zswap's pool (see DOC above) ---------------------------------------- */

static uint64_t zswap_frames_of(const struct hmem *hm, uint64_t bytes)
{
	return (bytes + (uint64_t)hm->page_bytes - 1) / (uint64_t)hm->page_bytes;
}

/* The pool grows or shrinks by db bytes; its frames follow. */
static void zswap_account(struct hmem *hm, int64_t db)
{
	struct mem_zswap *z = &hm->zswap;
	uint64_t after;

	z->pool_bytes = (uint64_t)((int64_t)z->pool_bytes + db);
	after = zswap_frames_of(hm, z->pool_bytes);
	for (; z->frames < after; z->frames++)
		frame_take(hm);
	for (; z->frames > after; z->frames--)
		frame_give(hm);
}

static void zswap_lru_append(struct mem_zswap *z, uint32_t e)
{
	z->entry[e].prev = z->tail;
	z->entry[e].next = MEM_NONE;
	if (z->tail != MEM_NONE)
		z->entry[z->tail].next = e;
	else
		z->head = e;
	z->tail = e;
}

static void zswap_lru_unlink(struct mem_zswap *z, uint32_t e)
{
	uint32_t prev = z->entry[e].prev, next = z->entry[e].next;

	if (prev != MEM_NONE)
		z->entry[prev].next = next;
	else
		z->head = next;
	if (next != MEM_NONE)
		z->entry[next].prev = prev;
	else
		z->tail = prev;
}

/* Compressed page g leaves the pool; its entry (unlinked from the LRU
 * when linked is false) is freed. */
static void zswap_drop(struct hmem *hm, struct vmem *m, uint32_t g, bool linked)
{
	struct mem_zswap *z = &hm->zswap;
	uint32_t e = m->zip[g].next;

	m->zip[g].next = MEM_NONE;
	if (e == MEM_NONE)
		return;                 /* same-filled: nothing held */
	if (linked)
		zswap_lru_unlink(z, e);
	zswap_account(hm, -(int64_t)z->entry[e].bytes);
	z->entry[e] = (struct mem_zswap_entry){.m = NULL, .next = z->free_entry};
	z->free_entry = e;
}

/* Equal keys, equal content: zero, or page k of the image that first had
 * it (a version's pages below its same share are its base's). */
int mem_image_of(const struct mem_image *images, int image, uint32_t content)
{
	while (images && image >= 0 && images[image].base >= 0 &&
	       content - 1 < images[image].same_pages)
		image = images[image].base;
	return image;
}

uint64_t mem_content_key(const struct mem_image *images, int image, uint32_t content)
{
	if (content == MEM_CONTENT_ZERO)
		return 0;
	return ((uint64_t)(mem_image_of(images, image, content) + 1) << 32) | content;
}

static uint64_t content_key(const struct vmem *m, uint32_t content)
{
	return mem_content_key(m->images, m->image, content);
}

/* The key the share tables match on: the content's, salted by the VM's
 * salt when it has one (a 63-bit hash of both, so pages of unequal salts
 * never meet, and apart from unique contents' keys, whose top bit is set). */
static uint64_t share_key(const struct vmem *m, uint32_t content)
{
	uint64_t k = content_key(m, content);

	return m->share_salt ? rng_mix(k ^ rng_mix(m->share_salt)) >> 1 : k;
}

/* Drops shared page g's reference, giving back a frame when one empties. */
static void share_drop(struct hmem *hm, const struct vmem *m, uint32_t g)
{
	uint32_t before = hm->shared.n_used;

	sharetab_unref(&hm->shared, sharetab_find(&hm->shared, share_key(m, vmem_content(m, g))));
	if (hm->shared.n_used < before)
		frame_give(hm);
}

/* Lets go of whatever backs g (balloon inflation, departure). */
static void release_backing(struct hmem *hm, struct vmem *m, uint32_t g)
{
	switch (vmem_state(m, g)) {
	case PS_UNTOUCHED:
	case PS_BALLOONED:
		break;
	case PS_PRIVATE:
		frame_give(hm);
		break;
	case PS_SHARED:
		share_drop(hm, m, g);
		break;
	case PS_SWAPPED:
		swapdev_discard(&hm->swap);
		break;
	case PS_COMPRESSED:
		if (hm->zswap.on)
			zswap_drop(hm, m, g, true);
		else
			zip_remove(hm, m, g);
		break;
	case PS_COUNT:
		SIM_BUG("bad page state");
	}
}

/* --- clocks ------------------------------------------------------------ */

static void clock_init(struct mem_clock *k, uint32_t n, sim_time now)
{
	uint32_t i;

	k->hand = 0;
	k->n = n;
	k->entered = now;
	k->block = xmalloc((n / 64 + 1) * sizeof(*k->block));
	for (i = 0; i <= n / 64; i++)
		k->block[i] = (struct mem_clock_block){.passed = now};
}

/* A touch the model sees (the slow path) sets position c's accessed bit. */
static void clock_touch(struct mem_clock *k, uint32_t c)
{
	k->block[c >> 6].touched |= 1ULL << (c & 63);
}

/* --- VM memory -------------------------------------------------------- */

void vmem_init(struct vmem *m, const struct vmem_params *p)
{
	uint32_t g;

	*m = (struct vmem){0};
	if (p->n_pages >= MEM_MAX_PAGES || p->n_data > p->n_pages)
		SIM_BUG("vmem of %u pages, %u data", p->n_pages, p->n_data);
	m->n_pages = p->n_pages;
	m->n_data = p->n_data;
	m->page = xcalloc(p->n_pages ? p->n_pages : 1, sizeof(*m->page));
	m->link = xmalloc((p->n_pages ? p->n_pages : 1) * sizeof(*m->link));
	m->data = xcalloc(p->n_data ? p->n_data : 1, sizeof(*m->data));
	m->fast = xcalloc(p->n_data / 64 + 1, sizeof(*m->fast));
	m->n_state[PS_UNTOUCHED] = p->n_pages;
	m->free_head = MEM_NONE;
	m->balloon_head = MEM_NONE;
	/* The lowest pages are handed out first, as a fresh guest does. */
	for (g = p->n_pages; g-- > 0;)
		push_free(m, g);
	m->limit_pages = p->limit_pages;
	m->image = p->image;
	m->images = p->images;
	m->image_pages = p->image_pages;
	m->image_zero_pages = (uint32_t)(p->image_zero * p->image_pages);
	m->zero_share = p->zero_share;
	m->image_share = p->image_share;
	m->content_seed = p->content_seed;
	m->data_rank = p->data_rank;
	m->zero_freed = p->zero_freed;
	m->zip_unique = p->compress_unique;
	m->zip_image = p->compress_image;
	m->zip_head = m->zip_tail = ZIP_NIL;
	clock_init(&m->guest_clock, p->n_data, p->now);
	clock_init(&m->host_clock, p->n_pages, p->now);
	clock_init(&m->share_clock, p->n_pages, p->now);
	pt_vm_init(&m->pt, p->n_pages);
}

void vmem_release(struct vmem *m)
{
	wss_release(&m->wss);
	free(m->page);
	free(m->link);
	free(m->data);
	free(m->fast);
	free(m->zip);
	m->zip = NULL;
	free(m->guest_clock.block);
	free(m->host_clock.block);
	free(m->share_clock.block);
	pt_vm_release(&m->pt);
	m->page = m->link = m->data = NULL;
	m->fast = NULL;
	m->guest_clock.block = m->host_clock.block = m->share_clock.block = NULL;
}

/* A data page's content before the guest writes it: zero, a page of the
 * image (the same page for the same data index in every VM of the image,
 * as an OS's own files are), or unique, in the VM's shares. */
static uint32_t content_of(uint64_t content_seed, double zero_share, double image_share,
			   uint32_t image_pages, uint32_t image_zero_pages, uint32_t d)
{
	double u = (double)(rng_mix(content_seed ^ d) >> 11) * 0x1.0p-53;

	if (u < zero_share)
		return MEM_CONTENT_ZERO;
	if (u < zero_share + image_share && image_pages) {
		uint64_t k = rng_mix(d) % image_pages;

		if (k < image_zero_pages)
			return MEM_CONTENT_ZERO;
		if (k < MEM_CONTENT_UNIQUE - 1)
			return (uint32_t)k + 1;
	}
	return MEM_CONTENT_UNIQUE;
}

/* A sampled VM's data page d is the full VM's wss_rank_of(data_rank, d). */
static uint32_t initial_content(const struct vmem *m, uint32_t d)
{
	return content_of(m->content_seed, m->zero_share, m->image_share, m->image_pages,
			  m->image_zero_pages, m->data_rank ? wss_rank_of(m->data_rank, d) : d);
}

uint32_t mem_initial_content(const struct vmem_params *p, uint32_t d)
{
	return content_of(p->content_seed, p->zero_share, p->image_share, p->image_pages,
			  (uint32_t)(p->image_zero * p->image_pages), d);
}

/*
 * Whether u < 1 - exp(-x), x >= 0, with the exponential computed only when
 * u lies near its bounds x - x^2/2 < 1 - exp(-x) <= x (the alternating
 * series).  The bounds are widened by 2^-40 of x, far more than the last
 * bits expm1 and the products may lose, so every answer is the one the
 * exponential gives; most draws of small x are settled without it.
 */
static bool falls_under_hit_probability(double u, double x)
{
	if (u >= x * (1 + 0x1p-40))
		return false;
	if (u < (x - x * x / 2) * (1 - 0x1p-40))
		return true;
	return u < -expm1(-x);
}

/* Whether data d (MEM_NONE: no data), not touched on the slow path since
 * a hand last passed its page since_ns ago, was touched on the fast path
 * (see DOC above). */
static bool accessed(const struct vmem *m, uint32_t d, sim_time since_ns, gsl_rng *r)
{
	double rate;

	if (d == MEM_NONE || since_ns <= 0)
		return false;
	rate = wss_page_rate(&m->wss, d);
	if (!(rate > 0))
		return false;
	return falls_under_hit_probability(gsl_rng_uniform(r), rate * (double)since_ns / 1e9);
}

/* --- reclaim ----------------------------------------------------------- */

/* Where the data word of the data page g's link word names is (g taken
 * modulo the VM's pages), for XMEM_PREFETCH: the clock hand reads its
 * pages in order, as the hardware foresees, and their data in random
 * order, as it cannot.  A page that names none gives the array itself. */
static const uint32_t *data_word_ahead(const struct vmem *m, uint32_t g)
{
	uint32_t d;

	if (g >= m->n_pages)
		g %= m->n_pages;
	d = m->link[g];
	return d < m->n_data ? &m->data[d] : m->data;
}

/*
 * Moves the hand past one position and returns it, with the time since the
 * hand last passed it and whether a slow-path touch reached it since
 * (which the pass clears).  A block's time is set as the hand leaves it,
 * to the middle of its stay, so it stands for every position in the block.
 */
static uint32_t clock_pass(struct mem_clock *k, sim_time t, sim_time *since_ns, bool *touched)
{
	uint32_t c = k->hand;
	struct mem_clock_block *b = &k->block[c >> 6];
	uint64_t bit = 1ULL << (c & 63);

	if ((c & 63) == 0)
		k->entered = t;
	*since_ns = t - b->passed;
	*touched = b->touched & bit;
	b->touched &= ~bit;
	k->hand = c + 1 == k->n ? 0 : c + 1;
	if ((c & 63) == 63 || k->hand == 0)
		b->passed = k->entered + (t - k->entered) / 2;
	return c;
}

uint32_t mem_victim_random(struct vm *vm, gsl_rng *r)
{
	struct vmem *m = &vm->mem;
	uint32_t g, i;

	if (!m->n_state[PS_PRIVATE])
		return MEM_NONE;
	for (i = 0; i < 64; i++) {
		g = (uint32_t)gsl_rng_uniform_int(r, m->n_pages);
		if (vmem_state(m, g) == PS_PRIVATE)
			return g;
	}
	/* Few private pages: scan from a random place. */
	g = (uint32_t)gsl_rng_uniform_int(r, m->n_pages);
	for (i = 0; i < m->n_pages; i++, g = g + 1 == m->n_pages ? 0 : g + 1)
		if (vmem_state(m, g) == PS_PRIVATE)
			return g;
	return MEM_NONE;
}

uint32_t mem_victim_clock(struct vm *vm, sim_time t, gsl_rng *r)
{
	struct vmem *m = &vm->mem;
	uint32_t g;
	uint64_t steps;

	if (!m->n_state[PS_PRIVATE])
		return MEM_NONE;
	/* A search passes about ten positions: their misses overlap. */
	for (steps = 0; steps < CLOCK_PREFETCH_AHEAD; steps++)
		XMEM_PREFETCH(data_word_ahead(m, m->host_clock.hand + (uint32_t)steps));
	/* See DOC above; there is a private page, so it stops. */
	for (steps = 0;; steps++) {
		sim_time since;
		bool touched;

		XMEM_PREFETCH(data_word_ahead(m, m->host_clock.hand + CLOCK_PREFETCH_AHEAD));
		g = clock_pass(&m->host_clock, t, &since, &touched);
		if (vmem_state(m, g) == PS_PRIVATE &&
		    (steps >= m->n_pages ||
		     (!touched && !accessed(m, owner(m, g), since, r))))
			return g;
	}
}

uint64_t mem_pages_accessed(const struct vm *vm, const uint32_t *g, size_t n, sim_time since_ns,
			    gsl_rng *r)
{
	const struct vmem *m = &vm->mem;
	uint32_t d[MEM_ACCESSED_BATCH];
	uint64_t touched = 0;
	size_t start, i, k;

	/* In batches, each array read for all pages before the next, so that
	 * the cache misses of a batch overlap instead of following each other. */
	for (start = 0; start < n; start += k) {
		k = n - start < MEM_ACCESSED_BATCH ? n - start : MEM_ACCESSED_BATCH;
		for (i = 0; i < k; i++) {
			XMEM_PREFETCH(&m->link[g[start + i]]);
			XMEM_PREFETCH(&m->page[g[start + i]]);
		}
		for (i = 0; i < k; i++)
			XMEM_PREFETCH(data_word_ahead(m, g[start + i]));
		for (i = 0; i < k; i++)
			d[i] = owner(m, g[start + i]);
		for (i = 0; i < k; i++)
			touched += accessed(m, d[i], since_ns, r);
	}
	return touched;
}

/* A CPU cost given per 4 KiB, for one page: the hardware pays it for
 * every 4 KiB of the granule. */
static int64_t per_4k(const struct hmem *hm, int64_t ns)
{
	return ns * (hm->page_bytes / 4096);
}

/* Writes g (private, or compressed and out of the cache) to the swap
 * device; the caller gives back what backed it. */
static int swap_write(struct hmem *hm, struct vmem *m, uint32_t g, int64_t *stall)
{
	int64_t ns;

	if (swapdev_is_full(&hm->swap)) {
		hm->swap_full = true;
		return -SIM_ENOMEM;
	}
	/* A background write still loads the device; nobody waits for it. */
	ns = swapdev_write(&hm->swap);
	if (stall)
		*stall += ns;
	set_state(hm, m, g, PS_SWAPPED);
	m->stats.host_swap_out++;
	return 0;
}

unsigned mem_zip_slot(const struct vmem *m, uint32_t g)
{
	uint32_t c = vmem_content(m, g), d;
	const struct compress_spec *k;
	uint64_t key;
	double u;

	if (c == MEM_CONTENT_ZERO)
		return 0;
	if (c == MEM_CONTENT_UNIQUE) {
		/* The VM's data d; a page that holds none, its stale content. */
		d = owner(m, g);
		key = m->content_seed ^ rng_mix(d != MEM_NONE ? d : ((uint64_t)g | 1ULL << 32));
		k = &m->zip_unique;
	} else {
		key = content_key(m, c);        /* the same in every VM of the image */
		k = &m->zip_image;
	}
	u = (double)(rng_mix(key ^ ZIP_SALT) >> 11) * 0x1.0p-53;
	return u < k->quarter ? 1 : u < k->quarter + k->half ? 2 : MEM_ZIP_NONE;
}

uint64_t mem_zip_cap(const struct host *h, const struct vm *vm)
{
	double max = h->policies ? reclaim_compress_max(&h->policies->reclaim) : 0;

	if (!(max > 0))
		return 0;
	if (max > 1)
		max = 1;
	return (uint64_t)floor(max * 4.0 * (double)vm->mem.n_pages);
}

/* The full cache's least recently used page is decompressed and swapped. */
static int zip_evict(struct hmem *hm, struct vmem *m, int64_t *stall)
{
	uint32_t e = m->zip_head;
	int rc;

	if (e == ZIP_NIL)
		return -SIM_ERANGE;     /* only pages on their way out hold the room */
	if (swapdev_is_full(&hm->swap)) {
		hm->swap_full = true;
		return -SIM_ENOMEM;
	}
	zip_remove(hm, m, e);
	if ((rc = swap_write(hm, m, e, stall)))
		return rc;
	if (stall)
		*stall += per_4k(hm, hm->lat.decompress_ns);
	m->stats.zip_evict++;
	return 0;
}

int mem_compress(struct host *h, struct vm *vm, uint32_t g, int64_t *stall)
{
	struct hmem *hm = &h->mem;
	struct vmem *m = &vm->mem;
	uint64_t cap;
	unsigned q;
	int rc;

	if (vmem_state(m, g) != PS_PRIVATE)
		return -SIM_EINVAL;
	if (!(cap = mem_zip_cap(h, vm)))
		return -SIM_ERANGE;     /* off: every swap candidate is swapped */
	q = mem_zip_slot(m, g);
	if (q == MEM_ZIP_NONE || q > cap)
		return -SIM_ERANGE;
	while (m->zip_quarters + q > cap)
		if ((rc = zip_evict(hm, m, stall)))
			return rc;
	if (!m->zip)
		m->zip = xmalloc((m->n_pages ? m->n_pages : 1) * sizeof(*m->zip));
	/* Its frame is free before the cache may need one. */
	frame_give(hm);
	set_state(hm, m, g, PS_COMPRESSED);
	if (q)
		zip_link(m, g, q);
	else
		m->zip[g].prev = m->zip[g].next = ZIP_NIL;
	zip_account(hm, m, q);
	m->stats.zip_in++;
	if (stall)
		*stall += per_4k(hm, hm->lat.compress_ns);
	return 0;
}

#define ZSWAP_LN2 0.69314718055994530942
#define ZSWAP_SQRT2 1.41421356237309504880

/* The host's zswap configuration, false when it runs none. */
static bool zswap_config(const struct host *h, struct reclaim_zswap *cfg)
{
	return h->policies && reclaim_zswap(&h->policies->reclaim, cfg);
}

uint64_t mem_zswap_cap_bytes(const struct host *h)
{
	struct reclaim_zswap cfg;

	if (!zswap_config(h, &cfg))
		return 0;
	return (uint64_t)floor(cfg.max_pool * (double)h->mem.frames_total *
			       (double)h->mem.page_bytes);
}

/*
 * A page's ratio from its content: the source's compress_spec gives the
 * shares whose ratio is at least 4 (q) and from 2 up to 4 (h), which fit
 * one lognormal (P(R < 2) = 1 - q - h, P(R < 4) = 1 - q: the default's
 * median 3.06 and sigma 0.5 come back exactly); the page's draw u, the one
 * mem_zip_slot compares with the same shares, is its quantile from the
 * top, so a page has the same class in both.  Shares no lognormal fits
 * (none or all below 2, none at or above 4) give each class one ratio: 4
 * sqrt 2, 2 sqrt 2, 1 (it does not compress).
 */
static double content_ratio(const struct compress_spec *k, double u)
{
	double p2 = 1 - k->quarter - k->half, p4 = 1 - k->quarter;

	if (p2 > 0 && p4 > p2 && p4 < 1) {
		double z2 = gsl_cdf_ugaussian_Pinv(p2), z4 = gsl_cdf_ugaussian_Pinv(p4);
		double sigma = ZSWAP_LN2 / (z4 - z2), mu = ZSWAP_LN2 - sigma * z2;

		return exp(mu + sigma * gsl_cdf_ugaussian_Pinv(fmax(1 - u, 0x1.0p-53)));
	}
	return u < k->quarter ? 4 * ZSWAP_SQRT2 : u < k->quarter + k->half ? 2 * ZSWAP_SQRT2 : 1;
}

/* The harmonic mean ratio of the trace's default content (lognormal,
 * median 3.06, sigma 0.5: 3.06 e^-0.125 = 2.70, workloads/trace.c): the
 * content whose pages a compressor's published mean ratio is taken on. */
#define ZSWAP_REFERENCE_RATIO (3.06 * 0.8824969025845955)

/*
 * g's compressed bytes: its content's ratio scaled by the compressor's
 * mean over the reference content's (MECHANISMS.md 2.4: lzo 2.69 against
 * the default content's 2.70 leaves it as it is; zstd's 3.96 shrinks
 * every page by 3.96 / 2.70).  So a VM of the default content compresses
 * by the compressor's mean ratio, and a VM whose content compresses
 * better or worse keeps its difference.
 */
static uint64_t zswap_bytes_of(const struct hmem *hm, const struct vmem *m, uint32_t g,
			       double ratio)
{
	uint32_t c = vmem_content(m, g), d;
	const struct compress_spec *k;
	uint64_t key;
	double u, bytes;

	if (c == MEM_CONTENT_ZERO)
		return 0;
	if (c == MEM_CONTENT_UNIQUE) {
		d = owner(m, g);
		key = m->content_seed ^ rng_mix(d != MEM_NONE ? d : ((uint64_t)g | 1ULL << 32));
		k = &m->zip_unique;
	} else {
		key = share_key(m, c);
		k = &m->zip_image;
	}
	u = (double)(rng_mix(key ^ ZIP_SALT) >> 11) * 0x1.0p-53;
	bytes = ceil((double)hm->page_bytes /
		     (content_ratio(k, u) * ratio / ZSWAP_REFERENCE_RATIO));
	return bytes < 1 ? 1 : (uint64_t)fmin(bytes, (double)hm->page_bytes);
}

uint64_t mem_zswap_bytes(const struct host *h, const struct vm *vm, uint32_t g)
{
	struct reclaim_zswap cfg;

	if (!zswap_config(h, &cfg))
		return 0;
	return zswap_bytes_of(&h->mem, &vm->mem, g, cfg.ratio);
}

int mem_zswap_store(struct host *h, struct vm *vm, uint32_t g, int64_t *stall)
{
	struct hmem *hm = &h->mem;
	struct mem_zswap *z = &hm->zswap;
	struct vmem *m = &vm->mem;
	struct reclaim_zswap cfg;
	uint64_t bytes;
	uint32_t e = MEM_NONE;

	if (vmem_state(m, g) != PS_PRIVATE)
		return -SIM_EINVAL;
	if (!zswap_config(h, &cfg))
		return -SIM_ERANGE;
	if (!z->on) {
		z->on = true;
		z->cap_bytes = mem_zswap_cap_bytes(h);
		z->accept_bytes = (uint64_t)floor(cfg.accept_threshold * (double)z->cap_bytes);
		z->decompress_ns = cfg.decompress_ns;
	}
	bytes = zswap_bytes_of(hm, m, g, cfg.ratio);
	if (bytes >= (uint64_t)hm->page_bytes) {
		z->reject_poor++;
		return -SIM_ERANGE;
	}
	/* zswap_can_accept: a pool that filled waits for its accept threshold. */
	if (z->full && z->pool_bytes <= z->accept_bytes)
		z->full = false;
	if (bytes && (z->full || z->pool_bytes + bytes > z->cap_bytes)) {
		z->full = true;
		z->reject_full++;
		return -SIM_ERANGE;
	}
	if (!m->zip)
		m->zip = xmalloc((m->n_pages ? m->n_pages : 1) * sizeof(*m->zip));
	if (bytes) {
		if (z->free_entry != MEM_NONE) {
			e = z->free_entry;
			z->free_entry = z->entry[e].next;
		} else {
			XGROW(z->entry, z->cap_entry, z->n_entry + 1);
			e = (uint32_t)z->n_entry++;
		}
		z->entry[e] = (struct mem_zswap_entry){.m = m, .g = g, .bytes = (uint32_t)bytes};
		zswap_lru_append(z, e);
		if (stall)
			*stall += per_4k(hm, hm->lat.compress_ns);
	} else {
		z->same_filled++;
	}
	/* Its frame is free before the pool may need one. */
	frame_give(hm);
	set_state(hm, m, g, PS_COMPRESSED);
	m->zip[g].prev = ZIP_NIL;       /* no slot of a VM's cache */
	m->zip[g].next = e;
	zswap_account(hm, (int64_t)bytes);
	z->stored++;
	m->stats.zip_in++;
	return 0;
}

uint64_t mem_zswap_writeback(struct host *h)
{
	struct hmem *hm = &h->mem;
	struct mem_zswap *z = &hm->zswap;
	uint64_t n = 0;

	if (!z->on || !z->full)
		return 0;
	while (z->pool_bytes > z->accept_bytes && z->head != MEM_NONE) {
		uint32_t e = z->head;
		struct vmem *m = z->entry[e].m;
		uint32_t g = z->entry[e].g;

		if (swapdev_is_full(&hm->swap)) {
			hm->swap_full = true;
			break;
		}
		zswap_drop(hm, m, g, true);
		if (swap_write(hm, m, g, NULL))
			SIM_BUG("swap filled during zswap writeback");
		m->stats.zip_evict++;
		z->written_back++;
		n++;
	}
	return n;
}

int mem_swap_out(struct host *h, struct vm *vm, uint32_t g, sim_time t, int64_t *stall)
{
	struct hmem *hm = &h->mem;
	struct vmem *m = &vm->mem;
	int rc;

	(void)t;                        /* the device's window is the tick's, not t's */
	if (vmem_state(m, g) != PS_PRIVATE)
		return -SIM_EINVAL;
	if ((rc = mem_zswap_store(h, vm, g, stall)) != -SIM_ERANGE ||
	    (rc = mem_compress(h, vm, g, stall)) != -SIM_ERANGE)
		return rc;
	if ((rc = swap_write(hm, m, g, stall)))
		return rc;
	frame_give(hm);
	return 0;
}

/* Swaps out one page the host's reclaim policy names (its victim VM, then
 * page); *stall gets the write's latency.  -SIM_ENOMEM when it names none
 * or swap is full. */
static int evict_victim(struct host *h, sim_time t, int64_t *stall)
{
	struct policy_ctx ctx = policy_ctx_of(h, FAMILY_RECLAIM, t);
	struct vm *v = reclaim_victim_vm(&h->policies->reclaim, &ctx);
	uint32_t g = v ? reclaim_victim_page(&h->policies->reclaim, &ctx, v) : MEM_NONE;

	if (g == MEM_NONE)
		return -SIM_ENOMEM;
	if (vmem_state(&v->mem, g) != PS_PRIVATE)
		SIM_BUG("reclaim '%s' chose page %u of %s, which is not private",
			h->policies->reclaim.ops->info.name, g, v->spec->name);
	return mem_swap_out(h, v, g, t, stall);
}

/* Takes a frame for vm, reclaiming synchronously when needed: the host's
 * reclaim policy names the victims, the model swaps them out. */
static int alloc_frame(struct host *h, struct vm *vm, sim_time t, int64_t *stall)
{
	struct hmem *hm = &h->mem;
	struct vmem *m = &vm->mem;
	struct policy_ctx ctx;
	int rc;

	if (m->n_state[PS_PRIVATE] + m->n_state[PS_SHARED] >= m->limit_pages) {
		uint32_t g;

		ctx = policy_ctx_of(h, FAMILY_RECLAIM, t);
		g = reclaim_victim_page(&h->policies->reclaim, &ctx, vm);
		if (g == MEM_NONE)
			return -SIM_ENOMEM;
		if (vmem_state(m, g) != PS_PRIVATE)
			SIM_BUG("reclaim '%s' chose page %u of %s, which is not private",
				h->policies->reclaim.ops->info.name, g, vm->spec->name);
		if ((rc = mem_swap_out(h, vm, g, t, stall)))
			return rc;
	}
	/* A host in the low state blocks allocations: the VM waits for a
	 * victim's write even with a frame free (MECHANISMS.md 1.5, "block");
	 * with nothing to take it goes on with the free frame. */
	if (hm->frames_free) {
		ctx = policy_ctx_of(h, FAMILY_RECLAIM, t);
		if (reclaim_pressure(&h->policies->reclaim, &ctx) == PRESSURE_LOW)
			(void)evict_victim(h, t, stall);
	}
	while (!hm->frames_free)
		if ((rc = evict_victim(h, t, stall)))
			return rc;
	/* Table frames the host owes come first, reclaimed for as this
	 * frame is while a victim can be found (pt.c DOC). */
	while (hm->frames_free <= pt_host_frames_owed(&hm->pt) && !evict_victim(h, t, stall))
		;
	if (hm->frames_free > pt_host_frames_owed(&hm->pt))
		tables_take(hm);
	frame_take(hm);
	return 0;
}

uint64_t mem_reclaim_ahead(struct host *h, uint64_t n, sim_time t)
{
	uint64_t start = h->mem.frames_free;
	int64_t unwaited = 0;           /* the writes' latency: no VM waits for it */

	while (h->mem.frames_free < start + n && evict_victim(h, t, &unwaited) == 0)
		;
	return h->mem.frames_free > start ? h->mem.frames_free - start : 0;
}

/*
 * Backs untouched page g's whole 2 MiB group by a large page when the
 * group is fresh, the host has a free 2 MiB block (pt.c DOC) and is under
 * no pressure (its reclaim policy's state is high): every page of the
 * group gets its frame, zero, and g's caller does the rest.  *stall gets
 * the zero fill of the other pages.  True when it did.
 */
static bool back_large(struct host *h, struct vm *vm, uint32_t g, sim_time t, int64_t *stall)
{
	struct hmem *hm = &h->mem;
	struct vmem *m = &vm->mem;
	struct policy_ctx ctx;
	uint32_t first, n, p;

	if (!pt_group_fresh(&hm->pt, &m->pt, g, &first, &n) ||
	    !pt_block_free(&hm->pt, hm->frames_free) || hm->frames_free < n ||
	    m->n_state[PS_PRIVATE] + m->n_state[PS_SHARED] + n > m->limit_pages)
		return false;
	ctx = policy_ctx_of(h, FAMILY_RECLAIM, t);
	if (h->policies && reclaim_pressure(&h->policies->reclaim, &ctx) != PRESSURE_HIGH)
		return false;
	pt_take_block(&hm->pt, hm->frames_free);
	for (p = 0; p < n; p++)
		frame_take(hm);
	pt_make_large(&hm->pt, &m->pt, g);
	for (p = first; p < first + n; p++) {
		if (p == g)
			continue;
		set_content(m, p, MEM_CONTENT_ZERO);
		set_state(hm, m, p, PS_PRIVATE);
	}
	set_state(hm, m, g, PS_PRIVATE);
	tables_take(hm);
	*stall += (int64_t)(n - 1) * per_4k(hm, hm->lat.zero_fill_ns);
	return true;
}

/* Gives guest page g a frame of its own (or leaves it shared for a read). */
static int make_private(struct host *h, struct vm *vm, uint32_t g, bool write, sim_time t,
			int64_t *stall)
{
	struct hmem *hm = &h->mem;
	struct vmem *m = &vm->mem;
	int rc;

	switch (vmem_state(m, g)) {
	case PS_PRIVATE:
		return 0;
	case PS_SHARED:
		if (!write)
			return 0;
		if ((rc = alloc_frame(h, vm, t, stall)))
			return rc;
		share_drop(hm, m, g);
		m->stats.faults[FAULT_COW]++;
		*stall += per_4k(hm, hm->lat.cow_ns);
		break;
	case PS_UNTOUCHED:
		if (!back_large(h, vm, g, t, stall) && (rc = alloc_frame(h, vm, t, stall)))
			return rc;
		set_content(m, g, MEM_CONTENT_ZERO);
		clock_touch(&m->share_clock, g);
		m->stats.faults[FAULT_ZERO_FILL]++;
		*stall += per_4k(hm, hm->lat.zero_fill_ns);
		break;
	case PS_SWAPPED:
		if ((rc = alloc_frame(h, vm, t, stall)))
			return rc;
		*stall += swapdev_read(&hm->swap);
		m->stats.faults[FAULT_HOST_SWAP_IN]++;
		m->stats.host_swap_in++;
		break;
	case PS_COMPRESSED:
		if (hm->zswap.on) {
			/* Out of the pool's LRU while a frame is found; its bytes
			 * stay taken until it is loaded. */
			uint32_t e = m->zip[g].next;

			if (e != MEM_NONE)
				zswap_lru_unlink(&hm->zswap, e);
			if ((rc = alloc_frame(h, vm, t, stall))) {
				if (e != MEM_NONE)
					zswap_lru_append(&hm->zswap, e);
				return rc;
			}
			zswap_drop(hm, m, g, false);
			hm->zswap.loads++;
			m->stats.faults[FAULT_DECOMPRESS]++;
			*stall += per_4k(hm, e != MEM_NONE ? hm->zswap.decompress_ns
							   : hm->lat.zero_fill_ns);
			break;
		}
		/* Out of the LRU while a frame is found, so that room made in
		 * the cache meanwhile never evicts it; its slot stays taken. */
		if (zip_held(m, g))
			zip_unlink(m, g);
		if ((rc = alloc_frame(h, vm, t, stall))) {
			if (zip_held(m, g))
				zip_link(m, g, zip_held(m, g));
			return rc;
		}
		zip_account(hm, m, -(int64_t)zip_held(m, g));
		m->stats.faults[FAULT_DECOMPRESS]++;
		*stall += per_4k(hm, hm->lat.decompress_ns);
		break;
	case PS_BALLOONED:
	case PS_COUNT:
		SIM_BUG("VM %s touched guest page %u in state %d", vm->spec->name, g,
			vmem_state(m, g));
	}
	set_state(hm, m, g, PS_PRIVATE);
	return 0;
}

/* --- the guest --------------------------------------------------------- */

/* A guest that zeroes what it frees writes zeroes over freed page g. */
static void zero_if_freed(struct vmem *m, uint32_t g)
{
	if (m->zero_freed && vmem_state(m, g) == PS_PRIVATE &&
	    vmem_content(m, g) != MEM_CONTENT_ZERO) {
		set_content(m, g, MEM_CONTENT_ZERO);
		clock_touch(&m->share_clock, g);
	}
}

/* The guest writes its coldest resident data to its own swap. */
static int guest_evict(struct host *h, struct vm *vm, sim_time t, int64_t *stall)
{
	struct vmem *m = &vm->mem;
	uint32_t d = MEM_NONE, g;
	uint64_t steps;
	int rc;

	if (!m->n_resident)
		return -SIM_ENOMEM;
	/* Its clock (see DOC above); some data is resident, so it stops. */
	for (steps = 0; d == MEM_NONE; steps++) {
		sim_time since;
		bool touched;
		uint32_t c = clock_pass(&m->guest_clock, t, &since, &touched);

		if (data_where(m->data[c]) == DATA_RES &&
		    (steps >= m->n_data || (!touched && !accessed(m, c, since, vm->guest_rng))))
			d = c;
	}
	g = m->data[d] & DATA_PAGE_MASK;
	/* Double paging: the host had swapped the page the guest now evicts,
	 * so it must come back from host swap only to go to guest swap. */
	if (vmem_state(m, g) == PS_SWAPPED)
		m->stats.double_paging++;
	if ((rc = make_private(h, vm, g, false, t, stall)))
		return rc;
	m->stats.guest_swap_out++;
	m->pt.guest_writes++;           /* the guest unmaps it (pt.c DOC) */
	/* Write-back: the write loads the datastore's queue, the guest does not wait. */
	swapdev_transfer(&h->mem.disk, true);
	m->data[d] = (DATA_GSWAP << DATA_WHERE_SHIFT) | (m->data[d] & DATA_WRITTEN);
	clear_fast(m, d);
	m->n_resident--;
	m->n_gswap++;
	push_free(m, g);
	zero_if_freed(m, g);
	return 0;
}

/* A free guest page for new data, evicting the guest's coldest if needed. */
static int guest_take_page(struct host *h, struct vm *vm, sim_time t, int64_t *stall,
			   uint32_t *g)
{
	int rc;

	if (!vm->mem.n_free && (rc = guest_evict(h, vm, t, stall)))
		return rc;
	*g = pop_free(&vm->mem);
	return 0;
}

/* Puts data d in free guest page g; the guest fills it (a write). */
static int place_data(struct host *h, struct vm *vm, uint32_t d, uint32_t g, sim_time t,
		      int64_t *stall)
{
	struct vmem *m = &vm->mem;
	uint32_t written = m->data[d] & DATA_WRITTEN;
	int rc = make_private(h, vm, g, true, t, stall);

	if (rc) {
		push_free(m, g);
		return rc;
	}
	m->link[g] = d;
	m->data[d] = (DATA_RES << DATA_WHERE_SHIFT) | written | g;
	set_content(m, g, written ? MEM_CONTENT_UNIQUE : initial_content(m, d));
	clock_touch(&m->share_clock, g);        /* the guest filled it */
	m->pt.guest_writes++;           /* and mapped it (pt.c DOC) */
	m->n_resident++;
	set_fast(m, d);
	return 0;
}

static void out_of_memory(struct host *h, struct vm *vm)
{
	if (!vm->mem.oom)
		h->mem.oom++;
	vm->mem.oom = true;
}

int64_t mem_touch(struct host *h, struct vm *vm, uint32_t d, bool write, sim_time t)
{
	struct vmem *m = &vm->mem;
	int64_t stall = 0;
	uint32_t w, g;
	int rc;

	if (m->oom || d >= m->n_data)
		return 0;
	/* What a touch reads and writes, read ahead so that the misses
	 * overlap: each is a random place in arrays too large to stay cached. */
	XMEM_PREFETCH(&m->guest_clock.block[d >> 6]);
	XMEM_PREFETCH(&m->fast[d >> 6]);
	w = m->data[d];
	if (data_where(w) == DATA_RES) {
		XMEM_PREFETCH(&m->host_clock.block[(w & DATA_PAGE_MASK) >> 6]);
		XMEM_PREFETCH(&m->page[w & DATA_PAGE_MASK]);
	}
	switch (data_where(w)) {
	case DATA_GSWAP:
		m->stats.faults[FAULT_GUEST_SWAP_IN]++;
		stall += swapdev_transfer(&h->mem.disk, false);
		/* It needs a guest page, as new data does, and stays in guest
		 * swap until it has one. */
		__attribute__((fallthrough));
	case DATA_NONE:
		if ((rc = guest_take_page(h, vm, t, &stall, &g)) ||
		    (rc = place_data(h, vm, d, g, t, &stall))) {
			out_of_memory(h, vm);
			return stall;
		}
		if (data_where(w) == DATA_GSWAP) {
			m->n_gswap--;
			m->stats.guest_swap_in++;
		}
		break;
	case DATA_RES:
		g = w & DATA_PAGE_MASK;
		if ((rc = make_private(h, vm, g, write, t, &stall))) {
			out_of_memory(h, vm);
			return stall;
		}
		break;
	default:
		SIM_BUG("bad data word %08x", w);
	}
	if (write) {
		m->data[d] |= DATA_WRITTEN;
		if (vmem_state(m, g) == PS_PRIVATE)
			set_content(m, g, MEM_CONTENT_UNIQUE);
		clock_touch(&m->share_clock, g);
	}
	if (vmem_state(m, g) == PS_PRIVATE)
		set_fast(m, d);
	clock_touch(&m->guest_clock, d);
	clock_touch(&m->host_clock, g);
	return stall;
}

void mem_set_ws(struct host *h, struct vm *vm, uint32_t ws)
{
	struct vmem *m = &vm->mem;
	uint32_t d;

	(void)h;
	if (ws > m->n_data)
		ws = m->n_data;
	/* Data past the new working set is freed; its pages stay backed. */
	for (d = ws; d < m->wss.pages; d++) {
		uint32_t w = m->data[d];

		if (data_where(w) == DATA_RES) {
			uint32_t g = w & DATA_PAGE_MASK;

			push_free(m, g);
			zero_if_freed(m, g);
			m->n_resident--;
		} else if (data_where(w) == DATA_GSWAP) {
			m->n_gswap--;
		}
		m->data[d] = 0;
		clear_fast(m, d);
	}
}

int64_t mem_balloon_towards(struct host *h, struct vm *vm, uint64_t target, uint64_t max,
			    sim_time t)
{
	struct hmem *hm = &h->mem;
	struct vmem *m = &vm->mem;
	uint64_t held = m->n_state[PS_BALLOONED], n;
	int64_t stall = 0;

	if (target > m->n_pages)
		target = m->n_pages;
	if (target > held) {
		/* Inflate: free guest pages first, then the guest's coldest data. */
		for (n = 0; n < max && n < target - held; n++) {
			uint32_t g;

			if (!m->n_free && guest_evict(h, vm, t, &stall))
				break;
			g = pop_free(m);
			release_backing(hm, m, g);
			set_state(hm, m, g, PS_BALLOONED);
			push_balloon(m, g);
		}
	} else {
		for (n = 0; n < max && n < held - target; n++) {
			uint32_t g = pop_balloon(m);

			set_state(hm, m, g, PS_UNTOUCHED);
			set_content(m, g, MEM_CONTENT_ZERO);
			push_free(m, g);
		}
	}
	return stall;
}

static void forget_hints_of(struct hmem *hm, const struct vm *vm);

void mem_vm_leave(struct host *h, struct vm *vm)
{
	struct vmem *m = &vm->mem;
	uint32_t g;
	uint64_t large = pt_vm_leave(&h->mem.pt, &m->pt);

	if (h->mem.scan.hints)
		forget_hints_of(&h->mem, vm);
	for (g = 0; g < m->n_pages; g++) {
		release_backing(&h->mem, m, g);
		set_state(&h->mem, m, g, PS_UNTOUCHED);
	}
	pt_host_blocks_back(&h->mem.pt, large);     /* its large pages, whole */
}

void mem_pt_tick(struct host *h, sim_time t)
{
	struct policy_ctx ctx;
	size_t i;

	/* Under pressure (below ESX's high state) large pages are broken, so
	 * that sharing and reclaim can work on their small pages. */
	if (h->mem.pt.n_large && h->policies) {
		ctx = policy_ctx_of(h, FAMILY_RECLAIM, t);
		if (reclaim_pressure(&h->policies->reclaim, &ctx) != PRESSURE_HIGH)
			for (i = 0; i < h->n_vms; i++)
				pt_break_all(&h->mem.pt, &h->vms[i]->mem.pt);
	}
	tables_take(&h->mem);
}

/* --- mechanics for policies -------------------------------------------- */

int mem_share(struct host *h, struct vm *vm, uint32_t g)
{
	return mem_share_max(h, vm, g, 0);
}

int mem_share_max(struct host *h, struct vm *vm, uint32_t g, uint32_t max_sharers)
{
	struct hmem *hm = &h->mem;
	struct vmem *m = &vm->mem;
	uint32_t c = vmem_content(m, g), f;

	/* A large page is never shared: it must be broken first (pt.c DOC). */
	if (vmem_state(m, g) != PS_PRIVATE || c == MEM_CONTENT_UNIQUE || pt_is_large(&m->pt, g))
		return -SIM_EINVAL;
	f = sharetab_find(&hm->shared, share_key(m, c));
	/* The private frame becomes the shared one, or a new duplicate. */
	if (f == SHARETAB_NONE)
		sharetab_add(&hm->shared, share_key(m, c), max_sharers);
	else if (!sharetab_ref(&hm->shared, f))
		frame_give(hm);
	set_state(hm, m, g, PS_SHARED);
	return 0;
}

/* Positions the scanner passes at most per page it visits. */
#define SHARE_WALK 64

/* What the scanner sees of g, whose last visit was since_ns ago, written
 * (on the slow path) since or not; a page written since is unique. */
static void share_look_at(struct hmem *hm, struct vmem *m, uint32_t g, sim_time since_ns,
			  bool written, gsl_rng *r, struct share_look *lk)
{
	uint32_t d = owner(m, g), c;

	*lk = (struct share_look){.shared = vmem_state(m, g) == PS_SHARED};
	/* Writes on the slow path set the content as they happen; those on
	 * the fast path are drawn as accessed bits are (DOC above), at the
	 * page's write rate, and make it unique.  A shared page has none (a
	 * write breaks it). */
	if (!lk->shared && !written && d != MEM_NONE && since_ns > 0) {
		double rate = wss_page_rate(&m->wss, d) * m->wss.writes;

		if (rate > 0 &&
		    falls_under_hit_probability(gsl_rng_uniform(r), rate * (double)since_ns / 1e9)) {
			set_content(m, g, MEM_CONTENT_UNIQUE);
			m->data[d] |= DATA_WRITTEN;
			written = true;
		}
	}
	lk->changed = written && !lk->shared;
	c = vmem_content(m, g);
	lk->zero = c == MEM_CONTENT_ZERO;
	/* Unique content: its own value, the top bit apart from every share key. */
	lk->content = c == MEM_CONTENT_UNIQUE ? (1ULL << 63) | (rng_mix(m->content_seed ^ g) >> 1)
					      : share_key(m, c);
	if (c != MEM_CONTENT_UNIQUE)
		lk->sharers = sharetab_refs(&hm->shared, sharetab_find(&hm->shared, lk->content));
}

/* The VM of h at vm, which a policy names by a const pointer; NULL when
 * it has left. */
static struct vm *resident_vm(struct host *h, const struct vm *vm)
{
	size_t i;

	for (i = 0; i < h->n_vms; i++)
		if (h->vms[i] == vm)
			return h->vms[i];
	return NULL;
}

static sim_time vscan_last_visit(const struct vmem *m, uint32_t g);

/* Merges the candidate of content c with it into a new shared frame, when
 * the candidate's VM is still on h and the page still private and unchanged
 * since its visit (its writes since drawn as share_look_at draws them).
 * The candidate is forgotten either way.  True if merged. */
static bool merge_candidate(struct host *h, uint32_t rec, uint64_t c, uint32_t cap, sim_time t,
			    gsl_rng *r)
{
	struct mem_scan *sc = &h->mem.scan;
	struct mem_cand cand = sc->cand_page[rec];
	struct vm *vm = resident_vm(h, cand.vm);
	const struct mem_clock_block *b;
	struct share_look lk;
	struct vmem *m;
	bool written;

	sharetab_unref(&sc->cand, rec);
	if (!vm || cand.g >= vm->mem.n_pages || vmem_state(&vm->mem, cand.g) != PS_PRIVATE)
		return false;
	m = &vm->mem;
	b = &m->share_clock.block[cand.g >> 6];
	written = (b->touched >> (cand.g & 63)) & 1;
	if (sc->hints) {
		/* A hint is rehashed: it merges when its content is still c. */
		share_look_at(&h->mem, m, cand.g, t - vscan_last_visit(m, cand.g), written, r,
			      &lk);
		return lk.content == c && mem_share_max(h, vm, cand.g, cap) == 0;
	}
	share_look_at(&h->mem, m, cand.g, t - b->passed, written, r, &lk);
	return !lk.changed && lk.content == c && mem_share_max(h, vm, cand.g, cap) == 0;
}

/* Forgets every candidate: a full scan has ended. */
static void forget_candidates(struct mem_scan *sc)
{
	sc->unshared = sc->cand.n_used;
	sharetab_release(&sc->cand);
	sharetab_init(&sc->cand);
}

/* Carries out the policy's decision on private page g of vm. */
static void share_act(struct host *h, struct vm *vm, uint32_t g, const struct share_look *lk,
		      enum share_action act, uint32_t cap, sim_time t, gsl_rng *r)
{
	struct mem_scan *sc = &h->mem.scan;
	uint32_t rec = lk->candidate || sc->hints ? sharetab_find(&sc->cand, lk->content)
						 : SHARETAB_NONE;

	if (!lk->candidate && rec != SHARETAB_NONE) {
		/* Its own hint: it stays, unless the page merges with a frame. */
		if (act != SHARE_MERGE || !lk->sharers)
			return;
		sharetab_unref(&sc->cand, rec);
		rec = SHARETAB_NONE;
	}

	if (act == SHARE_REMEMBER && rec == SHARETAB_NONE) {
		/* A hint of unique content could only ever meet itself: none
		 * is kept (and no memory spent on it). */
		if (sc->hints && (lk->content >> 63))
			return;
		rec = sharetab_add(&sc->cand, lk->content, 0);
		XGROW(sc->cand_page, sc->cap_cand_page, (size_t)rec + 1);
		sc->cand_page[rec] = (struct mem_cand){vm, g};
	} else if (act == SHARE_MERGE) {
		if (!lk->sharers && rec != SHARETAB_NONE) {
			if (!merge_candidate(h, rec, lk->content, cap, t, r)) {
				/* Gone or changed: this page takes its place. */
				rec = sharetab_add(&sc->cand, lk->content, 0);
				XGROW(sc->cand_page, sc->cap_cand_page, (size_t)rec + 1);
				sc->cand_page[rec] = (struct mem_cand){vm, g};
				return;
			}
			sc->merged++;
		}
		if (mem_share_max(h, vm, g, cap) == 0)
			sc->merged++;
	}
}

/* --- the scan per VM (sharing_ops.vm_scan_rate: ESX's TPS) -------------
 *
 * Each VM is scanned on its own, at the rate the policy gives it (scaled
 * down with every other VM's when their sum is above the host's cap), in
 * an order drawn for each full scan of it from the policy's stream: an
 * affine permutation, position i is page (a i + b) mod n with gcd(a, n) =
 * 1, so every page is visited once a scan and the next scan's order is
 * unrelated (a choice of memsim: ESX says only "random").  A page's last
 * visit is known without a clock per page: position p of a scan that ran
 * from start to end was passed at about start + (end - start) p / n (the
 * positions of a scan are passed at a steady rate), which gives the time
 * since for the write draws (DOC above) of a visited or a hinted page.
 * Remembered pages are hints (ESX's hint frames): kept across scans, one
 * per content, until a page of equal content merges with it (the hinted
 * page rehashed: merged if its content is still equal, else the hint
 * dropped and the visiting page hinted instead), or its VM leaves.  A
 * page that finds its own hint leaves it as it is.  A page of unique
 * content gets no hint: nothing could ever match it.
 */

static uint32_t gcd32(uint32_t a, uint32_t b)
{
	while (b) {
		uint32_t r = a % b;

		a = b;
		b = r;
	}
	return a;
}

/* The inverse of a modulo n (gcd(a, n) = 1, n >= 1). */
static uint32_t inverse_mod(uint32_t a, uint32_t n)
{
	int64_t t = 0, nt = 1, r = n, nr = a % n;

	while (nr) {
		int64_t q = r / nr, x;

		x = t - q * nt;
		t = nt;
		nt = x;
		x = r - q * nr;
		r = nr;
		nr = x;
	}
	return (uint32_t)(t < 0 ? t + n : t) % n;
}

/* A new order for m's next scan. */
static void vscan_draw(struct vmem *m, gsl_rng *r)
{
	struct mem_vscan *v = &m->vscan;
	uint32_t n = m->n_pages;

	v->a = v->a_inv = 1;
	v->b = 0;
	if (n < 2)
		return;
	do
		v->a = 1 + (uint32_t)gsl_rng_uniform_int(r, n - 1);
	while (gcd32(v->a, n) != 1);
	v->b = (uint32_t)gsl_rng_uniform_int(r, n);
	v->a_inv = inverse_mod(v->a, n);
}

/* Position of page g in the order (a_inv, b) over n pages. */
static uint32_t vscan_pos_of(uint32_t a_inv, uint32_t b, uint32_t n, uint32_t g)
{
	return (uint32_t)((uint64_t)a_inv * ((g + (uint64_t)n - b) % n) % n);
}

/* When the scan last passed page g (the VM's arrival if never). */
static sim_time vscan_last_visit(const struct vmem *m, uint32_t g)
{
	const struct mem_vscan *v = &m->vscan;
	uint32_t n = m->n_pages, p = vscan_pos_of(v->a_inv, v->b, n, g);

	if (p < v->pos)
		return v->start + (sim_time)((double)(v->last - v->start) * ((double)p / v->pos));
	if (!v->has_prev)
		return v->origin;
	p = vscan_pos_of(v->prev_a_inv, v->prev_b, n, g);
	return v->prev_start + (sim_time)((double)(v->prev_end - v->prev_start) * ((double)p / n));
}

/* Passes n positions of vm's scan at t, showing the policy each page in
 * guest memory. */
static void scan_vm(struct host *h, struct vm *vm, uint64_t n, const struct policy_ctx *ctx,
		    uint32_t cap, sim_time t)
{
	const struct sharing_ops *ops = h->policies->sharing.ops;
	struct mem_scan *sc = &h->mem.scan;
	struct vmem *m = &vm->mem;
	struct mem_vscan *v = &m->vscan;

	for (; n; n--) {
		uint32_t g = (uint32_t)(((uint64_t)v->a * v->pos + v->b) % m->n_pages);
		struct mem_clock_block *b = &m->share_clock.block[g >> 6];
		uint64_t bit = 1ULL << (g & 63);
		bool in_guest = vmem_state(m, g) == PS_PRIVATE || vmem_state(m, g) == PS_SHARED;
		sim_time since = in_guest ? t - vscan_last_visit(m, g) : 0;
		bool written = b->touched & bit;
		struct share_look lk;
		enum share_action act;
		uint32_t rec;

		b->touched &= ~bit;
		if (++v->pos == m->n_pages) {
			/* A full scan of the VM: the next one in a new order. */
			sc->full_scans++;
			v->prev_a_inv = v->a_inv;
			v->prev_b = v->b;
			v->prev_start = v->start;
			v->prev_end = t;
			v->has_prev = true;
			v->pos = 0;
			v->start = t;
			vscan_draw(m, ctx->rng);
		}
		if (!in_guest)
			continue;       /* not in guest memory: ballooned, swapped ... */
		sc->visited++;
		share_look_at(&h->mem, m, g, since, written, ctx->rng, &lk);
		rec = sharetab_find(&sc->cand, lk.content);
		lk.candidate = rec != SHARETAB_NONE &&
			       (sc->cand_page[rec].vm != vm || sc->cand_page[rec].g != g);
		act = ops->visit(ctx, vm, g, &lk);
		if (!lk.shared)
			share_act(h, vm, g, &lk, act, cap, t, ctx->rng);
	}
}

/* One period of the scan per VM on h at t. */
static void share_scan_vms(struct host *h, const struct policy_ctx *ctx, uint32_t cap,
			   sim_time t)
{
	const struct sharing_ops *ops = h->policies->sharing.ops;
	double sum = 0, most = ops->host_scan_rate ? ops->host_scan_rate(ctx) : 0, scale = 1;
	size_t i;

	h->mem.scan.hints = true;
	for (i = 0; i < h->n_vms; i++) {
		struct mem_vscan *v = &h->vms[i]->mem.vscan;
		double r = ops->vm_scan_rate(ctx, h->vms[i]);

		if (!v->a) {
			/* Placed without mem_share_arrive: its scan starts now. */
			*v = (struct mem_vscan){.origin = t, .start = t, .last = t};
			vscan_draw(&h->vms[i]->mem, ctx->rng);
		}
		v->rate = r > 0 ? r : 0;
		sum += v->rate;
	}
	if (most > 0 && sum > most)
		scale = most / sum;
	for (i = 0; i < h->n_vms; i++) {
		struct vm *vm = h->vms[i];
		struct mem_vscan *v = &vm->mem.vscan;
		double owed;
		uint64_t n;

		v->rate *= scale;
		v->credit += v->rate * (double)(t - v->last) / 1e9;
		v->last = t;
		/* At most one lap a period. */
		owed = v->credit < (double)vm->mem.n_pages ? v->credit : (double)vm->mem.n_pages;
		/* Within 1e-9 of a whole position is that position (the sum of
		 * a rate's shares of periods may fall just short of it). */
		n = (uint64_t)(owed + 1e-9);
		v->credit = n > owed ? 0 : owed - (double)n;
		if (n && vm->mem.n_pages)
			scan_vm(h, vm, n, ctx, cap, t);
	}
}

void mem_share_arrive(struct host *h, struct vm *vm, sim_time t)
{
	const struct sharing_ops *ops = h->policies ? h->policies->sharing.ops : NULL;
	struct policy_ctx ctx;
	struct mem_vscan *v = &vm->mem.vscan;

	*v = (struct mem_vscan){.origin = t, .start = t, .last = t, .a = 1, .a_inv = 1};
	if (!ops || (!ops->salt && !ops->vm_scan_rate))
		return;
	ctx = policy_ctx_of(h, FAMILY_SHARING, t);
	vm->mem.share_salt = ops->salt ? ops->salt(&ctx, vm) : 0;
	if (ops->vm_scan_rate)
		vscan_draw(&vm->mem, ctx.rng);
}

/* Forgets the hints of vm's pages, which leaves h: O(hints on h). */
static void forget_hints_of(struct hmem *hm, const struct vm *vm)
{
	struct mem_scan *sc = &hm->scan;
	uint32_t f;

	for (f = 0; f < sc->cand.n_frames; f++)
		if (sharetab_refs(&sc->cand, f) && sc->cand_page[f].vm == vm)
			sharetab_unref(&sc->cand, f);
}

void mem_share_scan(struct host *h, sim_time t)
{
	const struct sharing_ops *ops = h->policies->sharing.ops;
	struct policy_ctx ctx = policy_ctx_of(h, FAMILY_SHARING, t);
	struct mem_scan *sc = &h->mem.scan;
	uint32_t cap = ops->max_sharers ? ops->max_sharers(ctx.priv) : 0;
	uint64_t budget, lap = 0, passed = 0, walk;
	size_t i;

	if (ops->visit && ops->vm_scan_rate) {
		share_scan_vms(h, &ctx, cap, t);
		return;
	}
	if (!ops->visit || !ops->pages_per_period || !(budget = ops->pages_per_period(&ctx)))
		return;
	for (i = 0; i < h->n_vms; i++)
		lap += h->vms[i]->mem.n_pages;
	/* At most one lap a period, and SHARE_WALK positions per page visited
	 * (the walk past pages not in guest memory costs too). */
	walk = budget * SHARE_WALK < lap ? budget * SHARE_WALK : lap;
	while (budget && passed < walk) {
		struct vm *vm;
		struct vmem *m;
		struct share_look lk;
		enum share_action act;
		sim_time since;
		bool written;
		uint32_t g;

		if (sc->vm >= h->n_vms) {
			sc->vm = 0;
			sc->full_scans++;
			forget_candidates(sc);
			if (ops->on_full_scan)
				ops->on_full_scan(&ctx);
			if (!h->n_vms)
				break;
		}
		vm = h->vms[sc->vm];
		m = &vm->mem;
		if (!m->n_state[PS_PRIVATE] && !m->n_state[PS_SHARED]) {
			/* Nothing in guest memory: the rest of the VM at once. */
			passed += m->n_pages - m->share_clock.hand;
			m->share_clock.hand = 0;
			sc->vm++;
			continue;
		}
		g = clock_pass(&m->share_clock, t, &since, &written);
		if (m->share_clock.hand == 0)
			sc->vm++;
		passed++;
		if (vmem_state(m, g) != PS_PRIVATE && vmem_state(m, g) != PS_SHARED)
			continue;       /* not in guest memory: ballooned, swapped ... */
		budget--;
		sc->visited++;
		share_look_at(&h->mem, m, g, since, written, ctx.rng, &lk);
		lk.candidate = sharetab_find(&sc->cand, lk.content) != SHARETAB_NONE;
		act = ops->visit(&ctx, vm, g, &lk);
		if (!lk.shared)
			share_act(h, vm, g, &lk, act, cap, t, ctx.rng);
	}
}

/* --- invariants -------------------------------------------------------- */

#define CHECK(cond, ...)                                                             \
	do {                                                                         \
		if (!(cond))                                                         \
			return sim_err_set(err, -SIM_EINVAL, "", 0, 0, __VA_ARGS__); \
	} while (0)

/* The VM's compression cache: its slots, its LRU list, its cap. */
static int check_zip(const struct vmem *m, const char *name, uint64_t cap, struct sim_err *err)
{
	uint64_t quarters = 0, slotted = 0, linked = 0;
	uint32_t g, prev = ZIP_NIL;

	for (g = 0; g < m->n_pages; g++)
		if (vmem_state(m, g) == PS_COMPRESSED) {
			CHECK(m->zip && zip_held(m, g) <= 2,
			      "VM %s: compressed page %u holds no slot", name, g);
			quarters += zip_held(m, g);
			slotted += zip_held(m, g) > 0;
		}
	CHECK(quarters == m->zip_quarters, "VM %s: %llu quarter slots compressed, counted %llu",
	      name, (unsigned long long)quarters, (unsigned long long)m->zip_quarters);
	CHECK(quarters <= cap, "VM %s: its compression cache holds %llu quarters, cap %llu", name,
	      (unsigned long long)quarters, (unsigned long long)cap);
	for (g = m->zip_head; g != ZIP_NIL && linked <= slotted; g = m->zip[g].next) {
		CHECK(g < m->n_pages && vmem_state(m, g) == PS_COMPRESSED && zip_held(m, g) > 0 &&
			      (m->zip[g].prev & ZIP_NIL) == prev,
		      "VM %s: the compression LRU is broken at page %u", name, g);
		prev = g;
		linked++;
	}
	CHECK(linked == slotted && m->zip_tail == prev,
	      "VM %s: the compression LRU holds %llu pages of %llu", name,
	      (unsigned long long)linked, (unsigned long long)slotted);
	return 0;
}

/* The host's zswap pool: its LRU, bytes, frames, cap, and every
 * compressed page of its VMs held by its entry. */
static int check_zswap(const struct host *h, struct sim_err *err)
{
	const struct hmem *hm = &h->mem;
	const struct mem_zswap *z = &hm->zswap;
	uint64_t linked = 0, bytes = 0, held = 0;
	uint32_t e, prev = MEM_NONE, g;
	size_t i;

	if (!z->on) {
		CHECK(!z->pool_bytes && !z->frames && z->head == MEM_NONE,
		      "host %s: zswap holds pages but is off", h->name);
		return 0;
	}
	for (e = z->head; e != MEM_NONE && linked <= z->n_entry; e = z->entry[e].next) {
		const struct mem_zswap_entry *en = &z->entry[e];

		CHECK(e < z->n_entry && en->m && en->prev == prev && en->bytes > 0 &&
			      en->bytes < (uint64_t)hm->page_bytes && en->g < en->m->n_pages &&
			      vmem_state(en->m, en->g) == PS_COMPRESSED &&
			      en->m->zip[en->g].next == e,
		      "host %s: the zswap LRU is broken at entry %u", h->name, e);
		bytes += en->bytes;
		prev = e;
		linked++;
	}
	CHECK(z->tail == prev && bytes == z->pool_bytes,
	      "host %s: zswap holds %llu bytes in its LRU, counted %llu", h->name,
	      (unsigned long long)bytes, (unsigned long long)z->pool_bytes);
	CHECK(z->frames == zswap_frames_of(hm, z->pool_bytes) && z->pool_bytes <= z->cap_bytes,
	      "host %s: zswap's %llu bytes in %llu frames, cap %llu", h->name,
	      (unsigned long long)z->pool_bytes, (unsigned long long)z->frames,
	      (unsigned long long)z->cap_bytes);
	for (i = 0; i < h->n_vms; i++) {
		const struct vmem *m = &h->vms[i]->mem;

		CHECK(!m->zip_quarters, "VM %s: a compression cache beside zswap",
		      h->vms[i]->spec->name);
		if (m->n_state[PS_COMPRESSED])
			for (g = 0; g < m->n_pages; g++)
				held += vmem_state(m, g) == PS_COMPRESSED &&
					m->zip[g].next != MEM_NONE;
	}
	CHECK(held == linked, "host %s: %llu pages in zswap entries, %llu in its LRU", h->name,
	      (unsigned long long)held, (unsigned long long)linked);
	return 0;
}

static bool page_mapped(const void *arg, uint32_t g)
{
	return is_mapped_state(vmem_state(arg, g));
}

static int check_vm(const struct vmem *m, const char *name, struct sim_err *err)
{
	uint64_t count[PS_COUNT] = {0}, free_pages = 0, holding = 0, res = 0, gswap = 0;
	uint64_t balloon = 0, fast = 0;
	uint32_t g, d;
	int s;

	for (g = 0; g < m->n_pages; g++) {
		count[vmem_state(m, g)]++;
		if (is_free(m, g))
			free_pages++;
		else if (vmem_state(m, g) != PS_BALLOONED)
			holding++;
		CHECK(!(is_free(m, g) && vmem_state(m, g) == PS_BALLOONED),
		      "VM %s: page %u is both free and ballooned", name, g);
	}
	for (s = 0; s < PS_COUNT; s++)
		CHECK(count[s] == m->n_state[s], "VM %s: %llu pages in state %d, counted %llu",
		      name, (unsigned long long)count[s], s, (unsigned long long)m->n_state[s]);
	CHECK(free_pages == m->n_free, "VM %s: %llu free pages, counted %llu", name,
	      (unsigned long long)free_pages, (unsigned long long)m->n_free);
	for (g = m->free_head; g != MEM_NONE && balloon <= m->n_pages; g = m->link[g])
		balloon++;
	CHECK(balloon == m->n_free, "VM %s: free list holds %llu pages, not %llu", name,
	      (unsigned long long)balloon, (unsigned long long)m->n_free);
	balloon = 0;
	for (g = m->balloon_head; g != MEM_NONE && balloon <= m->n_pages; g = m->link[g])
		balloon++;
	CHECK(balloon == m->n_state[PS_BALLOONED], "VM %s: balloon list holds %llu pages",
	      name, (unsigned long long)balloon);
	for (d = 0; d < m->n_data; d++) {
		uint32_t w = m->data[d];

		if (data_where(w) == DATA_RES) {
			g = w & DATA_PAGE_MASK;
			res++;
			CHECK(g < m->n_pages && !is_free(m, g) && m->link[g] == d &&
				      vmem_state(m, g) != PS_BALLOONED &&
				      vmem_state(m, g) != PS_UNTOUCHED,
			      "VM %s: data %u in guest page %u, which does not hold it", name, d,
			      g);
		} else if (data_where(w) == DATA_GSWAP) {
			gswap++;
		} else {
			CHECK(!(w & DATA_WRITTEN), "VM %s: data %u was written but is nowhere", name,
			      d);
		}
		fast += vmem_is_fast(m, d);
		CHECK(!vmem_is_fast(m, d) || (data_where(w) == DATA_RES &&
					      vmem_state(m, w & DATA_PAGE_MASK) == PS_PRIVATE),
		      "VM %s: data %u is on the fast path but not on a private frame", name, d);
	}
	CHECK(res == m->n_resident && res == holding,
	      "VM %s: %llu data pages resident, %llu counted, %llu guest pages hold data", name,
	      (unsigned long long)res, (unsigned long long)m->n_resident,
	      (unsigned long long)holding);
	CHECK(fast == m->n_fast, "VM %s: %llu data pages on the fast path, counted %llu", name,
	      (unsigned long long)fast, (unsigned long long)m->n_fast);
	CHECK(gswap == m->n_gswap, "VM %s: %llu data pages in guest swap, counted %llu", name,
	      (unsigned long long)gswap, (unsigned long long)m->n_gswap);
	CHECK(m->n_free + holding + m->n_state[PS_BALLOONED] == m->n_pages,
	      "VM %s: free, holding and ballooned pages do not add up", name);
	for (g = 0; m->pt.n_large && g < m->n_pages; g++)
		CHECK(!pt_is_large(&m->pt, g) || vmem_state(m, g) == PS_PRIVATE,
		      "VM %s: page %u of a large page is in state %d", name, g, vmem_state(m, g));
	CHECK(pt_vm_count_bytes(&m->pt, page_mapped, m) == m->pt.bytes &&
		      m->pt.mapped == m->n_state[PS_PRIVATE] + m->n_state[PS_SHARED],
	      "VM %s: page tables of %lld bytes for %llu mapped pages, counted %lld", name,
	      (long long)pt_vm_count_bytes(&m->pt, page_mapped, m),
	      (unsigned long long)(m->n_state[PS_PRIVATE] + m->n_state[PS_SHARED]),
	      (long long)m->pt.bytes);
	return 0;
}

int mem_check(const struct host *h, struct sim_err *err)
{
	const struct hmem *hm = &h->mem;
	uint64_t priv = 0, shared = 0, compressed = 0, swapped = 0, ballooned = 0, refs = 0;
	uint64_t used, quarters = 0, zip_frames = 0;
	int64_t table_bytes = 0;
	uint32_t f;
	size_t i;
	int rc;

	for (i = 0; i < h->n_vms; i++) {
		const struct vmem *m = &h->vms[i]->mem;

		if ((rc = check_vm(m, h->vms[i]->spec->name, err)) ||
		    (rc = check_zip(m, h->vms[i]->spec->name, mem_zip_cap(h, h->vms[i]), err)))
			return rc;
		quarters += m->zip_quarters;
		zip_frames += zip_frames_of(m->zip_quarters);
		priv += m->n_state[PS_PRIVATE];
		shared += m->n_state[PS_SHARED];
		compressed += m->n_state[PS_COMPRESSED];
		swapped += m->n_state[PS_SWAPPED];
		ballooned += m->n_state[PS_BALLOONED];
		table_bytes += m->pt.bytes;
	}
	for (f = 0; f < hm->shared.n_frames; f++)
		refs += sharetab_refs(&hm->shared, f);
	CHECK(priv == hm->n_private, "host %s: %llu private pages, counted %llu", h->name,
	      (unsigned long long)priv, (unsigned long long)hm->n_private);
	CHECK(shared == hm->n_shared_mapped && refs == shared,
	      "host %s: %llu shared pages, %llu references, counted %llu", h->name,
	      (unsigned long long)shared, (unsigned long long)refs,
	      (unsigned long long)hm->n_shared_mapped);
	CHECK(compressed == hm->n_compressed, "host %s: %llu compressed pages, counted %llu",
	      h->name, (unsigned long long)compressed, (unsigned long long)hm->n_compressed);
	CHECK(quarters == hm->zip_quarters && zip_frames == hm->zip_frames,
	      "host %s: %llu quarter slots in %llu frames, counted %llu in %llu", h->name,
	      (unsigned long long)quarters, (unsigned long long)zip_frames,
	      (unsigned long long)hm->zip_quarters, (unsigned long long)hm->zip_frames);
	CHECK(swapped == hm->swap.used_pages, "host %s: %llu swapped pages, %llu swap slots used",
	      h->name, (unsigned long long)swapped, (unsigned long long)hm->swap.used_pages);
	CHECK(ballooned == hm->n_ballooned, "host %s: %llu ballooned pages, counted %llu",
	      h->name, (unsigned long long)ballooned, (unsigned long long)hm->n_ballooned);
	if ((rc = check_zswap(h, err)))
		return rc;
	CHECK(hm->pt.blocks * hm->pt.group <= hm->frames_free,
	      "host %s: %llu free 2 MiB blocks in %llu free frames", h->name,
	      (unsigned long long)hm->pt.blocks, (unsigned long long)hm->frames_free);
	CHECK(table_bytes == hm->pt.bytes && hm->pt.frames <= pt_host_frames_needed(&hm->pt),
	      "host %s: page tables of %lld bytes in %llu frames, counted %lld", h->name,
	      (long long)table_bytes, (unsigned long long)hm->pt.frames,
	      (long long)hm->pt.bytes);
	used = hm->n_private + hm->shared.n_used + hmem_cache_frames(hm) + hm->frames_overhead +
	       hm->pt.frames;
	CHECK(used + hm->frames_free == hm->frames_total,
	      "host %s: %llu frames used and %llu free, but it has %llu", h->name,
	      (unsigned long long)used, (unsigned long long)hm->frames_free,
	      (unsigned long long)hm->frames_total);
	return 0;
}
