/*
 * fuzz_sweep.c - the sweep file: sweep_spec_load, then every point's
 * values, id and baseline, as `memsim sweep` walks them.
 */
#include <stdlib.h>

#include "harness.h"
#include "sweep_spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_put("sweep.yaml", data, size);
	struct sweep_spec s;
	struct sim_err err = {0};
	size_t p, a;
	char id[32];
	int rc;

	rc = sweep_spec_load(path, &s, &err);
	fuzz_check_err("sweep_spec_load", rc, &err);
	if (rc)
		return 0;
	for (p = 0; p < s.n_points; p++) {
		long b = sweep_spec_baseline_of(&s, p);

		if (b >= (long)s.n_points)
			abort();
		sweep_spec_point_id(p, id, sizeof(id));
		for (a = 0; a < s.n_axes; a++)
			if (!sweep_spec_value(&s, p, a))
				abort();
	}
	sweep_spec_release(&s);
	return 0;
}
