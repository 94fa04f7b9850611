/*
 * sample.c - spatially sampled simulation.
 *
 * DOC: the sampled replica
 *
 * A run at rate R simulates the VM of N pages as the VM of its sampled
 * pages.  A page born with image content is in when a hash of (image, content)
 * falls under R, so that equal content is sampled alike in every VM and
 * sharing sees the same pairs.  Any other page (data or not) is in when a hash
 * of (VM, the run of 1/R pages that holds it) names its place in the run:
 * still every page with probability R, but a VM's sampled pages number R*N to
 * within a page, where a hash per page would leave a binomial count, give or
 * take sqrt(R*N), and a VM that just fits its memory would, sampled, fit or
 * not by chance (stratified sampling).  The sampled data pages keep their order
 * (hottest first), and each keeps its probability in the full pattern,
 * renormalised over the sample, while the VM's touch rate becomes the full
 * rate times the sample's share of the probability: every sampled page is
 * touched at exactly its rate in the full run (wss_set_sampled).  A host keeps
 * R of its frames, overhead and swap slots; the balloon driver's rate is R of
 * the configured one, and balloon targets, being shares of a VM's pages,
 * follow.  Latencies are not scaled: a device request takes the full run's
 * time, but adds 1/R requests' transfer to the device's load, so utilisation,
 * queueing and backlog are the full device's (its bandwidth serves R of the
 * load).  Every stall a sampled event causes (a fault, a swap write, a
 * balloon's eviction) stands for 1/R events, so it costs the VM 1/R of its
 * time, while its compute is spread over the touches it makes: the VM's
 * timeline has the full one's proportions.  Results scale counts and bytes back
 * by 1/R; times (stall is already full), ratios and per-request figures stay
 * as they are.
 *
 * What is exact.  Under the independent reference model the touches of the
 * sampled pages are the full run's touches restricted to them (the thinning of
 * each page's Poisson stream).  A cache of C frames shared by pages under
 * random, LRU or CLOCK replacement has, in steady state, per-page hit
 * probabilities set by one characteristic time t solving sum_i f(p_i t) = C
 * (THEORY.md); over the sample that sum is R times the full one in
 * expectation, so R*C frames give the same t and the same per-page hit
 * probabilities.  The sampled counts of faults, swap I/O and swapped pages are
 * then R times the full ones in expectation, and divided by R they estimate
 * them without bias (Horvitz-Thompson), with the relative error of a Poisson
 * count, about 1/sqrt(events sampled). Demanded touches are the sampled ones
 * over the sample's share of the probability, which is the full VM's demand: a
 * hot head page that falls into the sample adds hits, not touches of the full
 * VM.
 *
 * What is approximate.  Sizes are exact to a page, but which ranks of a pattern
 * are in is random: a skewed pattern's head (its hottest pages) is few pages,
 * and whether they fall in moves the sampled set's mass; the per-page rates
 * stay exact, so this moves hits, not misses.  Image pages are sampled page by
 * page, so their count is binomial.  A VM with a few hundred sampled pages has
 * a working set, limit and balloon target rounded to a page that stands for
 * 1/R pages, and few events.  Host frames are R of the full count,
 * rounded.  Policies that act on single pages or on fixed counts (a scan of n
 * pages per period, a sample of 100 pages per VM, a free target in frames) see
 * a sampled VM as a small one unless they scale by host_sample_rate.  Placing a VM costs O(1)
 * when no page of it has image content and R is 1/N: its sampled pages are
 * computed, j-th in the j-th run; else a hash of every page (a few ns each)
 * and a table of the sampled ones (4 bytes each).
 */
#include "sample.h"

#include <math.h>
#include <stdlib.h>

#include "rng.h"
#include "xmem.h"

/* The offset that a hash of (VM, run j) picks in run j of n pages. */
static uint32_t pick(uint64_t key, uint32_t j, uint32_t n)
{
	return (uint32_t)(rng_mix(key ^ j) % n);
}

/*
 * Whether page d of the VM whose key is key is sampled: one page of each
 * run of n = floor(1/rate) consecutive pages, at the offset a hash of (VM,
 * run) picks, kept with probability keep = rate * n (1 when rate is 1/n).
 * Every page is in with probability rate, and a VM's sampled pages number
 * rate times its pages to within one page: stratified, where a hash of
 * each page against the rate would leave a binomial count.
 */
static bool vm_page_sampled(uint64_t key, uint32_t d, uint32_t n, double keep)
{
	if (pick(key, d / n, n) != d % n)
		return false;
	return keep >= 1 || sample_hit(rng_mix(rng_mix(key ^ (d / n)) ^ 1), keep);
}

/* Pages below x sampled, when every run's pick is kept: one per whole run,
 * and the last run's if its pick is below x. */
static uint32_t picks_below(uint64_t key, uint32_t n, uint32_t x)
{
	uint32_t runs = x / n;

	return runs + (x % n && pick(key, runs, n) < x % n);
}

/* Whether any data page of the VM is born with image content. */
static bool has_image_pages(const struct vmem_params *p)
{
	return p->image >= 0 && p->image_pages > 0 && p->image_share > 0;
}

void sample_map_init(struct sample_map *s, double rate, uint64_t vm_key, uint64_t image_key,
		     struct vmem_params *p)
{
	/* Runs of 1/rate pages, and what is kept of each run's pick. */
	uint32_t run = rate * 4294967295.0 < 1.0 ? UINT32_MAX : (uint32_t)floor(1.0 / rate);
	double keep = rate * run;
	uint32_t d, g, extra = 0, cap;

	*s = (struct sample_map){.on = true, .full_data = p->n_data, .full_pages = p->n_pages};
	s->ranks = (struct wss_ranks){.key = vm_key, .run = run};
	if (keep >= 1 && !has_image_pages(p)) {
		/* Every run's pick is in: page j is run j's, none stored. */
		s->n_data = picks_below(vm_key, run, p->n_data);
		extra = picks_below(vm_key, run, p->n_pages) - s->n_data;
	} else {
		cap = (uint32_t)fmin((double)p->n_data, rate * (double)p->n_data * 1.1 + 64.0);
		s->table = xmalloc((cap ? cap : 1) * sizeof(*s->table));
		for (d = 0; d < p->n_data; d++) {
			uint32_t c = mem_initial_content(p, d);
			/* A version's page from its base is sampled as the base's. */
			int from = mem_image_of(p->images, p->image, c);
			uint64_t key = p->images && from != p->image ? p->images[from].sample_key
								     : image_key;

			if (c != MEM_CONTENT_ZERO && c != MEM_CONTENT_UNIQUE
				    ? !sample_hit(rng_mix(key ^ c), rate)
				    : !vm_page_sampled(vm_key, d, run, keep))
				continue;
			if (s->n_data == cap) {
				cap = cap * 2 < p->n_data ? cap * 2 : p->n_data;
				s->table = xrealloc(s->table, cap * sizeof(*s->table));
			}
			s->table[s->n_data++] = d;
		}
		for (g = p->n_data; g < p->n_pages; g++)
			extra += vm_page_sampled(vm_key, g, run, keep);
		s->ranks.table = s->table;
	}
	p->n_pages = s->n_data + extra;
	p->n_data = s->n_data;
	/* A limit of the whole VM stays the whole (sampled) VM. */
	if (p->limit_pages >= s->full_pages)
		p->limit_pages = p->n_pages;
	else
		p->limit_pages = (uint64_t)(rate * (double)p->limit_pages + 0.5);
	p->data_rank = &s->ranks;
}

void sample_map_release(struct sample_map *s)
{
	free(s->table);
	*s = (struct sample_map){0};
}

uint32_t sample_map_below(const struct sample_map *s, uint32_t n, uint32_t n_data)
{
	uint32_t lo = 0, hi;

	if (!s->on)
		return n < n_data ? n : n_data;
	if (n >= s->full_data)
		return s->n_data;
	if (!s->table)
		return picks_below(s->ranks.key, s->ranks.run, n);
	/* The first sampled page at or past n. */
	for (hi = s->n_data; lo < hi;) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (s->table[mid] < n)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void sample_wss_set(const struct sample_map *s, struct wss *w, const struct phase *p,
		    uint32_t ws)
{
	uint32_t full = ws < s->full_data ? ws : s->full_data;

	wss_set_sampled(w, p, full, &s->ranks, sample_map_below(s, full, s->n_data));
}

static uint64_t scaled(uint64_t n, double rate)
{
	return (uint64_t)(rate * (double)n + 0.5);
}

void sample_scale_host(struct hmem *hm, double rate)
{
	hm->sample_rate = rate;
	hm->frames_total = scaled(hm->frames_total, rate);
	hm->frames_overhead = scaled(hm->frames_overhead, rate);
	if (hm->frames_overhead > hm->frames_total)
		hm->frames_overhead = hm->frames_total;
	hm->frames_free = hm->frames_total - hm->frames_overhead;
	if (hm->swap.capacity_pages != SWAPDEV_UNBOUNDED)
		hm->swap.capacity_pages = scaled(hm->swap.capacity_pages, rate);
	hm->swap.work_ns = (int64_t)((double)hm->swap.transfer_ns / rate + 0.5);
	hm->disk.work_ns = (int64_t)((double)hm->disk.transfer_ns / rate + 0.5);
}
