/*
 * spec.c - what follows from a VM's specification alone.
 */
#include "spec.h"

#include <math.h>

int64_t spec_phase_ws_bytes(const struct phase *p, int64_t memory_bytes)
{
	if (p->ws_bytes >= 0)
		return p->ws_bytes < memory_bytes ? p->ws_bytes : memory_bytes;
	return (int64_t)llround(p->ws_frac * (double)memory_bytes);
}
