/*
 * esx.c - ESXi's MinFree and free-memory state thresholds (see esx.h).
 */
#include "esx.h"

#define GB (1024LL * 1024 * 1024)

int64_t esx_min_free_bytes(int64_t memory_bytes)
{
	/* (upper bound of the band, percent of it): frankdenneman.nl 2011-07-26 */
	static const struct { int64_t upto; int pct; } band[] = {
		{4 * GB, 6}, {12 * GB, 4}, {28 * GB, 2}, {INT64_MAX, 1},
	};
	int64_t below = 0, sum = 0;
	size_t i;

	for (i = 0; i < sizeof band / sizeof band[0] && memory_bytes > below; i++) {
		int64_t top = memory_bytes < band[i].upto ? memory_bytes : band[i].upto;

		/* Per band, so no product overflows: a band is at most 8 EiB / 100. */
		sum += (top - below) / 100 * band[i].pct + (top - below) % 100 * band[i].pct / 100;
		below = band[i].upto;
	}
	return sum;
}

int64_t esx_state_threshold_bytes(int64_t min_free_bytes, enum host_pressure s)
{
	/* Percent of MinFree, vSphere 6.0+ (yellow-bricks.com, "memory states"). */
	static const int pct[PRESSURE_COUNT] = {400, 100, 64, 32, 16};

	if (s >= PRESSURE_COUNT)
		return 0;
	return min_free_bytes / 100 * pct[s] + min_free_bytes % 100 * pct[s] / 100;
}
