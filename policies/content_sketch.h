/*
 * content_sketch.h - a fixed-size summary of a set of page contents (64-bit
 * keys), from which the sizes of unions and intersections are estimated:
 * the fingerprints of sharing-aware placement (Memory Buddies, Wood et al.,
 * VEE 2009; MECHANISMS.md 5).
 *
 * Bloom: m = 8 x size bits, k hash functions (double hashing).  A set's
 * size from the X bits set is n = -(m / k) ln(1 - X / m); a union's is the
 * same on the OR of the two filters, and an intersection is
 * |A| + |B| - |A u B| (Swamidass and Baldi's estimate).  It holds while
 * the filter is far from full (n k / m below about 1); a full one says
 * nothing.
 *
 * MinHash, as a bottom-k sketch: the k = size / 8 smallest distinct 64-bit
 * hashes of the set.  A set of fewer than k keys is held exactly; a larger
 * one's size is (k - 1) / u_k, u_k the k-th smallest hash over 2^64.  A
 * union's sketch is the k smallest of the two; the Jaccard index is the
 * share of the union's sketch found in both, with a standard error of at
 * most 1 / sqrt(k), and the intersection is J |A u B|.
 */
#ifndef CONTENT_SKETCH_H
#define CONTENT_SKETCH_H

#include <stddef.h>
#include <stdint.h>

enum sketch_kind { SKETCH_BLOOM, SKETCH_MINHASH };

struct sketch_shape {
	enum sketch_kind kind;
	size_t words;                   /* 64-bit words: bloom m / 64, minhash k */
	unsigned hashes;                /* bloom: k */
};

struct sketch {
	uint64_t *w;                    /* bloom: the bits; minhash: hashes, ascending */
	size_t n;                       /* minhash: hashes held (<= words) */
};

void sketch_init(struct sketch *s, const struct sketch_shape *sh);
void sketch_release(struct sketch *s);
void sketch_clear(struct sketch *s, const struct sketch_shape *sh);
void sketch_add(struct sketch *s, const struct sketch_shape *sh, uint64_t key);
/* dst becomes the sketch of the union of dst's and src's sets. */
void sketch_merge(struct sketch *dst, const struct sketch *src, const struct sketch_shape *sh);
/* Estimated distinct keys of the set, of the union of two, and in both. */
double sketch_count(const struct sketch *s, const struct sketch_shape *sh);
double sketch_union_count(const struct sketch *a, const struct sketch *b,
			  const struct sketch_shape *sh);
double sketch_common(const struct sketch *a, const struct sketch *b,
		     const struct sketch_shape *sh);
/* What one sketch takes in memory. */
double sketch_bytes(const struct sketch_shape *sh);

#endif /* CONTENT_SKETCH_H */
