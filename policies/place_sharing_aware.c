/*
 * place_sharing_aware.c - Memory Buddies' placement (Wood et al., VEE 2009;
 * MECHANISMS.md 5): the host whose residents share the most page contents
 * with the arriving VM.
 *
 * A VM's fingerprint is a sketch (content_sketch.h: Bloom or MinHash) of
 * the contents its data pages are born with (cluster_vm_content,
 * mem_initial_content): the zero page and each page of its image it holds.
 * Unique pages never match anything and are left out; what the sketch
 * holds is the VM's mergeable contents C, and P counts its mergeable data
 * pages (P >= |C|: zero pages and repeats of an image page merge within
 * the VM).  Each host keeps the union U of its residents' sketches and the
 * sum of their P; when a VM leaves, U is rebuilt from those who stay.
 *
 * Among the hosts that fit, the one with the largest expected sharing
 * |C n U| wins; ties (estimates within 1% of the VM's mergeable pages,
 * a sketch's noise) go to best fit, the least room left, then the lowest
 * index.  The fit rule: a host fits when the
 * overcommit policy's headroom plus the saving expected on it once the VM
 * lands reaches the VM's memory, the saving being every mergeable page of
 * its residents and the VM less the distinct contents they hold,
 * (sum P + P_vm - |U u C|) pages.  The saving counts only where pages
 * merge: by default (count_sharing: auto) when the sharing policy is not
 * none; true and false force it.  The estimate is of a scanner that
 * merges across VMs (KSM, TPS with salting 0), of contents as they are
 * born: writes that make pages unique later are not seen, and a host's
 * fingerprints are not refreshed.
 *
 * The VM's fingerprint is built once per arrival from its full pages
 * (O(data pages), whatever the sampling), remembered for the model's fit
 * check and for on_place, then kept while the VM runs.  Results per host:
 * fingerprint.bytes (the host's union and its residents' sketches now),
 * fingerprint.pages_hashed (data pages read to fingerprint the VMs placed
 * on it), fingerprint.vms (residents with one) and
 * fingerprint.expected_saving (bytes of the full host, sum P - |U|).
 */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cluster.h"
#include "content_sketch.h"
#include "host.h"
#include "mem.h"
#include "policy.h"
#include "vm.h"
#include "xmem.h"

enum count_rule { COUNT_AUTO, COUNT_TRUE, COUNT_FALSE };

/* A VM's fingerprint. */
struct print {
	struct sketch sk;               /* of its mergeable contents C */
	uint64_t mergeable;             /* P: data pages born zero or of its image */
	uint64_t hashed;                /* data pages read to build it */
	int64_t page_bytes;
};

/* The last VM fingerprinted, by what its fingerprint is made of: choose,
 * the model's fit check and on_place ask for the same VM in turn. */
struct memo {
	bool valid;
	struct vmem_params mp;          /* what print_build read */
	int64_t page_bytes;
	struct print fp;
};

struct buddies {
	struct sketch_shape shape;
	int count;                      /* enum count_rule */
	struct memo *memo;              /* owned; a cache, so queries stay queries */
};

struct buddies_host {
	struct sketch *uni;             /* U, NULL while no resident has a fingerprint */
	uint64_t mergeable;             /* sum of its residents' P */
	uint64_t residents;             /* with a fingerprint */
	uint64_t hashed;                /* pages read for the VMs placed here */
};

struct buddies_vm {
	struct print *fp;
};

static const char *const buddies_params[] = {"fingerprint", "count_sharing", NULL};

/* Expected sharing within this share of the VM's mergeable pages is a tie. */
#define TIE_SHARE 0.01

/* Room for a Bloom filter of 64 bits up to 1 GiB; MinHash needs k >= 2. */
#define SIZE_MAX_BYTES (1LL << 30)

static int buddies_init(void *priv, struct cfg_node *params, struct sim_err *err)
{
	static const char *const kinds[] = {"bloom", "minhash", NULL};
	static const char *const counts[] = {"auto", "true", "false", NULL};
	static const char *const bloom_keys[] = {"kind", "size", "hashes", NULL};
	static const char *const minhash_keys[] = {"kind", "size", NULL};
	struct buddies *b = priv;
	struct cfg_node *fp = cfg_get(params, "fingerprint");
	int64_t size, hashes = 0;
	int kind, rc;

	if (!fp) {
		fp = cfg_new_map(params->file, 0, 0);
		cfg_map_add(params, "fingerprint", fp);
	}
	if ((rc = cfg_expect(fp, CFG_MAP, "fingerprint", err)) ||
	    (rc = cfg_read_enum(fp, "kind", "bloom", kinds, &kind, err)) ||
	    (rc = cfg_check_keys(fp, "fingerprint", kind ? minhash_keys : bloom_keys, err)) ||
	    (rc = cfg_read_size(fp, "size", "128KiB", &size, err)) ||
	    (rc = cfg_check_size_range(fp, "size", size, kind ? 16 : 8, SIZE_MAX_BYTES, err)) ||
	    (!kind && (rc = cfg_read_int(fp, "hashes", "4", 1, 64, &hashes, err))) ||
	    (rc = cfg_read_enum(params, "count_sharing", "auto", counts, &b->count, err)))
		return rc;
	b->shape.kind = kind ? SKETCH_MINHASH : SKETCH_BLOOM;
	b->shape.words = (size_t)(size / 8);
	b->shape.hashes = (unsigned)hashes;
	b->memo = xcalloc(1, sizeof(*b->memo));
	return 0;
}

static void buddies_release(void *priv)
{
	struct buddies *b = priv;

	if (b->memo && b->memo->valid)
		sketch_release(&b->memo->fp.sk);
	free(b->memo);
	b->memo = NULL;
}

static void print_build(const struct buddies *b, const struct vmem_params *mp,
			int64_t page_bytes, struct print *fp)
{
	uint64_t *seen = xcalloc(mp->image_pages / 64 + 1, sizeof(*seen));
	bool zero = false;
	uint32_t d;

	sketch_init(&fp->sk, &b->shape);
	fp->mergeable = 0;
	fp->hashed = mp->n_data;
	fp->page_bytes = page_bytes;
	for (d = 0; d < mp->n_data; d++) {
		uint32_t c = mem_initial_content(mp, d), k;

		if (c == MEM_CONTENT_UNIQUE)
			continue;
		fp->mergeable++;
		if (c == MEM_CONTENT_ZERO) {
			zero = true;
			continue;
		}
		k = c - 1;      /* image page k */
		if (!((seen[k >> 6] >> (k & 63)) & 1)) {
			seen[k >> 6] |= 1ULL << (k & 63);
			sketch_add(&fp->sk, &b->shape, mem_content_key(mp->images, mp->image, c));
		}
	}
	if (zero)
		sketch_add(&fp->sk, &b->shape,
			   mem_content_key(mp->images, mp->image, MEM_CONTENT_ZERO));
	free(seen);
}

/* Whether two VMs' data pages are born with the same contents. */
static bool same_content(const struct vmem_params *a, const struct vmem_params *b)
{
	return a->n_data == b->n_data && a->image == b->image &&
	       a->image_pages == b->image_pages && a->image_zero == b->image_zero &&
	       a->zero_share == b->zero_share && a->image_share == b->image_share &&
	       a->content_seed == b->content_seed;
}

/* vm's fingerprint, built or remembered. */
static const struct print *print_of(const struct buddies *b, const struct vm *vm)
{
	struct memo *mo = b->memo;
	struct vmem_params mp;
	int64_t page_bytes = cluster_vm_content(vm, &mp);

	if (mo->valid && same_content(&mo->mp, &mp) && mo->page_bytes == page_bytes)
		return &mo->fp;
	if (mo->valid)
		sketch_release(&mo->fp.sk);
	print_build(b, &mp, page_bytes, &mo->fp);
	mo->valid = true;
	mo->mp = mp;
	mo->page_bytes = page_bytes;
	return &mo->fp;
}

static bool counts_sharing(const struct buddies *b, const struct policy_set *set)
{
	if (b->count == COUNT_AUTO)
		return set && strcmp(set->sharing.ops->info.name, "none") != 0;
	return b->count == COUNT_TRUE;
}

/* Expected pages of fp's contents already on the host, |C n U|. */
static double expected_common(const struct buddies *b, const struct buddies_host *bh,
			      const struct print *fp)
{
	return bh->uni ? sketch_common(&fp->sk, bh->uni, &b->shape) : 0;
}

/* Bytes the host's mergeable pages save once fp lands:
 * (sum P + P_vm - |U u C|) pages, when the saving counts. */
static int64_t credit_of(const struct buddies *b, const struct policy_set *set,
			 const struct buddies_host *bh, const struct print *fp)
{
	double distinct, saving;

	if (!counts_sharing(b, set))
		return 0;
	distinct = bh->uni ? sketch_union_count(&fp->sk, bh->uni, &b->shape)
			   : sketch_count(&fp->sk, &b->shape);
	saving = floor((double)(bh->mergeable + fp->mergeable) - distinct) * (double)fp->page_bytes;
	/* Below 2^62, so headroom plus credit stays within 64 bits. */
	return saving > 0 ? (int64_t)fmin(saving, 0x1p62) : 0;
}

static struct buddies_host *host_state(const struct host *h, sim_time now)
{
	return policy_ctx_of(h, FAMILY_PLACEMENT, now).host_priv;
}

static int64_t buddies_fit_credit(const struct policy_ctx *ctx, const struct vm *vm)
{
	const struct buddies *b = ctx->priv;

	if (!counts_sharing(b, ctx->set))
		return 0;
	return credit_of(b, ctx->set, ctx->host_priv, print_of(b, vm));
}

static long buddies_choose(const struct policy_ctx *ctx, const struct host *const *hosts,
			   const int64_t *headroom, size_t n, const struct vm *vm)
{
	const struct buddies *b = ctx->priv;
	const struct print *fp = print_of(b, vm);
	int64_t need = vm_memory_bytes(vm), best_left = 0;
	/* Estimates this close are a tie: a sketch's noise must not outvote best fit. */
	double tie = fmax(1, TIE_SHARE * (double)fp->mergeable), best_common = 0;
	long best = -1;
	size_t i;

	for (i = 0; i < n; i++) {
		const struct buddies_host *bh = host_state(hosts[i], ctx->now);
		int64_t left = headroom[i] + credit_of(b, ctx->set, bh, fp) - need;
		double common;

		if (left < 0)
			continue;
		common = expected_common(b, bh, fp);
		if (best < 0 || common > best_common + tie ||
		    (common >= best_common - tie && left < best_left)) {
			best = (long)i;
			best_common = common;
			best_left = left;
		}
	}
	return best;
}

static void buddies_on_place(const struct policy_ctx *ctx, const struct vm *vm)
{
	const struct buddies *b = ctx->priv;
	struct buddies_host *bh = ctx->host_priv;
	struct buddies_vm *bv = policy_vm_priv(ctx, vm);
	const struct print *memo = print_of(b, vm);

	/* The remembered fingerprint moves to the VM. */
	bv->fp = xmalloc(sizeof(*bv->fp));
	*bv->fp = *memo;
	b->memo->valid = false;
	if (!bh->uni) {
		bh->uni = xmalloc(sizeof(*bh->uni));
		sketch_init(bh->uni, &b->shape);
	}
	sketch_merge(bh->uni, &bv->fp->sk, &b->shape);
	bh->mergeable += bv->fp->mergeable;
	bh->residents++;
	bh->hashed += bv->fp->hashed;
}

/* U is rebuilt from the residents that stay: a union cannot lose a member. */
static void buddies_on_depart(const struct policy_ctx *ctx, const struct vm *vm)
{
	const struct buddies *b = ctx->priv;
	struct buddies_host *bh = ctx->host_priv;
	struct buddies_vm *bv = policy_vm_priv(ctx, vm);
	size_t i;

	if (!bv || !bv->fp)
		return;
	bh->mergeable -= bv->fp->mergeable;
	bh->residents--;
	sketch_release(&bv->fp->sk);
	free(bv->fp);
	bv->fp = NULL;
	if (!bh->residents) {
		sketch_release(bh->uni);
		free(bh->uni);
		bh->uni = NULL;
		return;
	}
	sketch_clear(bh->uni, &b->shape);
	for (i = 0; i < host_vm_count(ctx->host); i++) {
		const struct vm *o = host_vm_at(ctx->host, i);
		const struct buddies_vm *ov = policy_vm_priv(ctx, o);

		if (o != vm && ov && ov->fp)
			sketch_merge(bh->uni, &ov->fp->sk, &b->shape);
	}
}

static void buddies_host_stats(const struct policy_ctx *ctx, struct policy_stats *out)
{
	const struct buddies *b = ctx->priv;
	const struct buddies_host *bh = ctx->host_priv;
	double held = bh->uni ? (double)bh->residents + 1 : 0;
	double saving = bh->uni ? (double)bh->mergeable - sketch_count(bh->uni, &b->shape) : 0;

	/* Keys that end in neither _bytes nor _pages: these are the full
	 * host's already, and a sampled run must not scale them. */
	policy_stat(out, "fingerprint.bytes", held * sketch_bytes(&b->shape));
	policy_stat(out, "fingerprint.pages_hashed", (double)bh->hashed);
	policy_stat(out, "fingerprint.vms", (double)bh->residents);
	policy_stat(out, "fingerprint.expected_saving",
		    saving > 0 ? floor(saving) * (double)host_page_bytes(ctx->host) : 0);
}

/* Every VM's sketch and every host's union at once, at the most, and the
 * seen-bitmap of one build (an image's pages / 8 bytes: small beside them). */
static double buddies_memory_estimate(const void *priv, double n_vms, double n_hosts)
{
	const struct buddies *b = priv;

	return (n_vms + n_hosts + 1) * (sketch_bytes(&b->shape) + sizeof(struct print));
}

const struct placement_ops placement_sharing_aware_ops = {
	.info = {.name = "sharing-aware", .params = buddies_params,
		 .priv_size = sizeof(struct buddies), .host_priv_size = sizeof(struct buddies_host),
		 .vm_priv_size = sizeof(struct buddies_vm), .init = buddies_init,
		 .release = buddies_release, .on_place = buddies_on_place,
		 .on_depart = buddies_on_depart, .host_stats = buddies_host_stats},
	.choose = buddies_choose,
	.fit_credit = buddies_fit_credit,
	.memory_estimate = buddies_memory_estimate,
};
