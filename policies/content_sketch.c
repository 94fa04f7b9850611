/*
 * content_sketch.c - Bloom filters and bottom-k MinHash sketches of sets
 * of 64-bit keys (content_sketch.h gives the estimators).
 */
#include "content_sketch.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"
#include "xmem.h"

#define BLOOM_SALT 0x626c6f6f6dULL      /* "bloom": apart from other uses of a key */
#define MINHASH_SALT 0x6d696e68ULL      /* "minh" */

void sketch_init(struct sketch *s, const struct sketch_shape *sh)
{
	s->w = xcalloc(sh->words ? sh->words : 1, sizeof(*s->w));
	s->n = 0;
}

void sketch_release(struct sketch *s)
{
	free(s->w);
	s->w = NULL;
	s->n = 0;
}

void sketch_clear(struct sketch *s, const struct sketch_shape *sh)
{
	memset(s->w, 0, sh->words * sizeof(*s->w));
	s->n = 0;
}

/* The index of the first hash >= h in a minhash sketch. */
static size_t lower_bound(const uint64_t *v, size_t n, uint64_t h)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid] < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int holds(const struct sketch *s, uint64_t h)
{
	size_t i = lower_bound(s->w, s->n, h);

	return i < s->n && s->w[i] == h;
}

void sketch_add(struct sketch *s, const struct sketch_shape *sh, uint64_t key)
{
	if (sh->kind == SKETCH_BLOOM) {
		uint64_t m = (uint64_t)sh->words * 64, h1 = rng_mix(key ^ BLOOM_SALT);
		uint64_t h2 = rng_mix(h1) | 1;      /* double hashing (Kirsch-Mitzenmacher) */
		unsigned i;

		for (i = 0; i < sh->hashes; i++) {
			uint64_t b = (h1 + i * h2) % m;

			s->w[b >> 6] |= 1ULL << (b & 63);
		}
		return;
	}
	{
		uint64_t h = rng_mix(key ^ MINHASH_SALT);
		size_t i;

		if (s->n == sh->words && (!sh->words || h >= s->w[s->n - 1]))
			return;
		i = lower_bound(s->w, s->n, h);
		if (i < s->n && s->w[i] == h)
			return;
		if (s->n == sh->words)
			s->n--;     /* the largest falls out */
		memmove(&s->w[i + 1], &s->w[i], (s->n - i) * sizeof(*s->w));
		s->w[i] = h;
		s->n++;
	}
}

/* The k smallest distinct hashes of a and b into out (room for k); their count. */
static size_t bottom_k_union(const struct sketch *a, const struct sketch *b, size_t k,
			     uint64_t *out)
{
	size_t i = 0, j = 0, n = 0;

	while (n < k && (i < a->n || j < b->n)) {
		uint64_t x;

		if (j >= b->n || (i < a->n && a->w[i] < b->w[j]))
			x = a->w[i++];
		else if (i >= a->n || b->w[j] < a->w[i])
			x = b->w[j++];
		else {
			x = a->w[i++];
			j++;
		}
		out[n++] = x;
	}
	return n;
}

void sketch_merge(struct sketch *dst, const struct sketch *src, const struct sketch_shape *sh)
{
	size_t i;

	if (sh->kind == SKETCH_BLOOM) {
		for (i = 0; i < sh->words; i++)
			dst->w[i] |= src->w[i];
		return;
	}
	{
		uint64_t *tmp = xmalloc((sh->words ? sh->words : 1) * sizeof(*tmp));

		dst->n = bottom_k_union(dst, src, sh->words, tmp);
		memcpy(dst->w, tmp, dst->n * sizeof(*tmp));
		free(tmp);
	}
}

/* n = -(m / k) ln(1 - X / m) for X of m bits set; a full filter counts
 * as one bit short of full, the most it can say. */
static double bloom_count(double bits_set, const struct sketch_shape *sh)
{
	double m = (double)sh->words * 64;

	if (bits_set > m - 1)
		bits_set = m - 1;
	return -(m / sh->hashes) * log1p(-bits_set / m);
}

static double bloom_bits(const struct sketch *a, const struct sketch *b,
			 const struct sketch_shape *sh)
{
	double x = 0;
	size_t i;

	for (i = 0; i < sh->words; i++)
		x += __builtin_popcountll(b ? a->w[i] | b->w[i] : a->w[i]);
	return x;
}

/* A bottom-k sketch's set size: exact below k, else (k - 1) / u_k. */
static double minhash_count(const uint64_t *v, size_t n, size_t k)
{
	if (n < k || !k)
		return (double)n;
	return (double)(k - 1) / ((double)v[k - 1] * 0x1.0p-64);
}

double sketch_count(const struct sketch *s, const struct sketch_shape *sh)
{
	if (sh->kind == SKETCH_BLOOM)
		return bloom_count(bloom_bits(s, NULL, sh), sh);
	return minhash_count(s->w, s->n, sh->words);
}

double sketch_union_count(const struct sketch *a, const struct sketch *b,
			  const struct sketch_shape *sh)
{
	uint64_t *tmp;
	double c;
	size_t n;

	if (sh->kind == SKETCH_BLOOM)
		return bloom_count(bloom_bits(a, b, sh), sh);
	tmp = xmalloc((sh->words ? sh->words : 1) * sizeof(*tmp));
	n = bottom_k_union(a, b, sh->words, tmp);
	c = minhash_count(tmp, n, sh->words);
	free(tmp);
	return c;
}

double sketch_common(const struct sketch *a, const struct sketch *b,
		     const struct sketch_shape *sh)
{
	double c;

	if (sh->kind == SKETCH_BLOOM) {
		double na = sketch_count(a, sh), nb = sketch_count(b, sh);

		c = na + nb - sketch_union_count(a, b, sh);
		if (c > fmin(na, nb))
			c = fmin(na, nb);
	} else {
		uint64_t *tmp = xmalloc((sh->words ? sh->words : 1) * sizeof(*tmp));
		size_t n = bottom_k_union(a, b, sh->words, tmp), both = 0, i;

		for (i = 0; i < n; i++)
			both += holds(a, tmp[i]) && holds(b, tmp[i]);
		/* A union of fewer than k keys is held whole: the count is exact. */
		c = n < sh->words ? (double)both
				  : (double)both / (double)n * minhash_count(tmp, n, sh->words);
		free(tmp);
	}
	return c > 0 ? c : 0;
}

double sketch_bytes(const struct sketch_shape *sh)
{
	return (double)sh->words * sizeof(uint64_t);
}
