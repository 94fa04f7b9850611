/*
 * rng.h - named random streams.  Each stream is a GSL generator seeded from
 * (seed, replication, purpose, entity), so draws for one purpose and entity
 * never depend on how many draws any other stream made: a policy change
 * leaves the workload's draws alone (common random numbers), and adding a
 * VM or a group leaves the others' draws alone.
 */
#ifndef RNG_H
#define RNG_H

#include <gsl/gsl_rng.h>
#include <stdint.h>

/* Purposes: workload streams first, then policy streams.  Append only:
 * renumbering changes every result. */
enum rng_purpose {
	RNG_ARRIVALS = 1,               /* arrival times of a group */
	RNG_LIFETIMES,                  /* lifetimes of a group */
	RNG_SIZES,                      /* memory and working-set sizes */
	RNG_TOUCHES,                    /* page touches of one VM */
	RNG_CONTENT,                    /* page contents of one VM */
	RNG_WORKING_SETS,               /* working-set sizes of a group */
	RNG_GUEST,                      /* a guest OS's own choices (its page clock) */
	RNG_SAMPLE,                     /* which pages a sampled run simulates (hash keys) */
	RNG_PLACEMENT = 64,             /* placement tie-breaks and sampling */
	RNG_RECLAIM,                    /* host victim selection */
	RNG_POLICY,                     /* any other policy draw */
};

/* A new stream; free with gsl_rng_free. */
gsl_rng *rng_stream(uint64_t seed, uint32_t replication, enum rng_purpose purpose,
		    uint64_t entity);
/* Restarts stream r from a 64-bit value (as rng_stream seeds it). */
void rng_reseed(gsl_rng *r, uint64_t x);
/* The 64-bit value a stream is derived from, for hash-based draws. */
uint64_t rng_seed64(uint64_t seed, uint32_t replication, enum rng_purpose purpose,
		    uint64_t entity);
/* A stable entity id for a name (64-bit FNV-1a). */
uint64_t rng_entity(const char *name);
/* The 64-bit mix used to derive seeds (splitmix64's finalizer). */
uint64_t rng_mix(uint64_t x);

#endif /* RNG_H */
