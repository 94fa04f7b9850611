/*
 * rng.c - stream derivation.  The four coordinates are folded through
 * splitmix64's finalizer, which maps nearby inputs to unrelated outputs,
 * and the result seeds a Tausworthe generator (gsl_rng_taus2: 24 bytes of
 * state, fast, period 2^88), so a stream per VM stays cheap.
 */
#include "rng.h"

#include "err.h"

uint64_t rng_mix(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ULL;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
	return x ^ (x >> 31);
}

uint64_t rng_entity(const char *name)
{
	uint64_t h = 0xCBF29CE484222325ULL;

	for (; *name; name++) {
		h ^= (unsigned char)*name;
		h *= 0x100000001B3ULL;
	}
	return h;
}

gsl_rng *rng_stream(uint64_t seed, uint32_t replication, enum rng_purpose purpose,
		    uint64_t entity)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
	uint64_t x = rng_mix(seed);

	if (!r)
		SIM_BUG("out of memory allocating a random stream");
	x = rng_mix(x ^ replication);
	x = rng_mix(x ^ (uint64_t)purpose);
	x = rng_mix(x ^ entity);
	/* taus2 treats seed 0 as its default seed; keep streams distinct. */
	gsl_rng_set(r, (unsigned long)(x ? x : 1));
	return r;
}
