/*
 * rng.c - stream derivation.  The four coordinates are folded through
 * splitmix64's finalizer, which maps nearby inputs to unrelated outputs,
 * and the result seeds a Tausworthe generator (gsl_rng_taus2: three 32-bit
 * words of state, fast, period 2^88), so a stream per VM stays cheap.
 *
 * gsl_rng_set would fill taus2's state from 32 bits of seed only, which
 * gives 2^32 distinct streams: with 10^5 VMs two would likely coincide.  So
 * the state words are set directly from three 64-bit mixes, within the
 * bounds taus2 requires (s1 > 1, s2 > 7, s3 > 15), and warmed up by six
 * draws as GSL's own seeding does.
 */
#include "rng.h"

#include "err.h"
#include "xmem.h"

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

/* The layout of gsl_rng_taus2's state (GSL's taus.c). */
struct taus_state {
	unsigned long s1, s2, s3;
};

void rng_reseed(gsl_rng *r, uint64_t x)
{
	struct taus_state *st = r->state;
	uint64_t a = rng_mix(x ^ 1), b = rng_mix(x ^ 2), c = rng_mix(x ^ 3);
	int i;

	if (gsl_rng_size(r) != sizeof(*st))
		SIM_BUG("unexpected taus2 state size %zu", gsl_rng_size(r));
	st->s1 = (unsigned long)(a & 0xffffffffUL) | 2;
	st->s2 = (unsigned long)(b & 0xffffffffUL) | 8;
	st->s3 = (unsigned long)(c & 0xffffffffUL) | 16;
	for (i = 0; i < 6; i++)
		gsl_rng_get(r);
}

uint64_t rng_seed64(uint64_t seed, uint32_t replication, enum rng_purpose purpose,
		    uint64_t entity)
{
	uint64_t x = rng_mix(seed);

	x = rng_mix(x ^ replication);
	x = rng_mix(x ^ (uint64_t)purpose);
	return rng_mix(x ^ entity);
}

gsl_rng *rng_stream(uint64_t seed, uint32_t replication, enum rng_purpose purpose,
		    uint64_t entity)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);

	if (!r)
		xmem_oom(sizeof(*r));
	rng_reseed(r, rng_seed64(seed, replication, purpose, entity));
	return r;
}
